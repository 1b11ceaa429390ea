"""Pre-training on a tiny BERT: what LoRA touches, perplexity, reloading, resuming."""

from __future__ import annotations

import json

import pytest
import torch
from conftest import pretrain_config
from peft import PeftModel
from safetensors.torch import load_file
from transformers import AutoModelForMaskedLM, BertForMaskedLM, TrainerCallback

from adapterkit.jobs.pretrain import PretrainConfig, run_pretrain


def _config(tiny_bert, corpus, **overrides) -> PretrainConfig:
    settings = dict(
        name="nl-clin",
        language=["nl"],
        domain="clinical",
        max_steps=12,
        save_steps=6,
        logging_steps=3,
        heldout=0.1,
        lr=2e-3,
    )
    return pretrain_config(tiny_bert, corpus, **(settings | overrides))


def test_lora_pretraining_leaves_every_base_weight_bitwise_unchanged(tiny_bert, small_corpus, workdir):
    before = BertForMaskedLM.from_pretrained(tiny_bert).state_dict()
    result = run_pretrain(_config(tiny_bert, small_corpus))
    reloaded = PeftModel.from_pretrained(BertForMaskedLM.from_pretrained(tiny_bert), result.destination)
    base_state = reloaded.get_base_model().state_dict()
    changed_lora = 0
    for name, tensor in base_state.items():
        if "lora_" in name:
            changed_lora += "lora_B" in name and bool(tensor.abs().sum() > 0)  # B starts at zero
            continue
        original = name.replace(".base_layer", "")
        assert torch.equal(tensor, before[original]), f"base weight {original} changed"
    assert changed_lora > 0, "no LoRA weight was trained"
    saved = load_file(result.destination / "adapter_model.safetensors")
    assert saved and all("lora_" in key for key in saved), "only adapter weights are saved (the head is not new)"


def test_heldout_perplexity_drops_after_pretraining(tiny_bert, small_corpus, workdir):
    # A randomly initialised tiny BERT: full training learns the corpus' token statistics fast.
    result = run_pretrain(_config(tiny_bert, small_corpus, full=True, lr=5e-3, max_steps=40, save_steps=40))
    ppl = result.manifest["perplexity"]
    assert ppl["after"] < 0.5 * ppl["before"], ppl


def test_adapter_folder_reloads_with_plain_peft_and_reproduces_logits(tiny_bert, small_corpus, workdir):
    captured = {}

    class Keep(TrainerCallback):
        def on_train_end(self, args, state, control, model=None, **kwargs):
            captured["model"] = model

    result = run_pretrain(_config(tiny_bert, small_corpus), callbacks=[Keep()])
    trained = captured["model"].eval()
    plain = PeftModel.from_pretrained(AutoModelForMaskedLM.from_pretrained(tiny_bert), result.destination).eval()
    inputs = {"input_ids": torch.tensor([[101, 7592, 2088, 2003, 1037, 3231, 102]])}
    with torch.no_grad():
        assert torch.equal(trained(**inputs).logits, plain(**inputs).logits)
    config = json.loads((result.destination / "adapter_config.json").read_text())
    assert config["base_model_name_or_path"] == str(tiny_bert.resolve())
    assert config["auto_mapping"]["parent_library"].startswith("transformers.")


def test_manifest_records_base_fingerprint_corpus_and_hyperparameters(tiny_bert, small_corpus, workdir):
    from adapterkit.models import fingerprint

    result = run_pretrain(_config(tiny_bert, small_corpus))
    manifest = json.loads((result.destination / "adapterkit.json").read_text())
    assert manifest["base"]["fingerprint"] == fingerprint(BertForMaskedLM.from_pretrained(tiny_bert))
    assert manifest["kind"] == "domain" and manifest["languages"] == ["nl"]
    assert manifest["corpus"]["files"][0]["lines"] == 400
    assert manifest["corpus"]["train_tokens"] > 1000
    assert manifest["hyperparameters"]["lora_r"] == 16 and manifest["hyperparameters"]["steps"] == 12
    assert "library_name: peft" in (result.destination / "README.md").read_text()


class _Crash(TrainerCallback):
    """Simulates a kill right after the checkpoint of ``step`` was written."""

    def __init__(self, step: int) -> None:
        self.step = step

    def on_save(self, args, state, control, **kwargs):
        if state.global_step == self.step:
            raise KeyboardInterrupt


@pytest.mark.parametrize("full", [False, True], ids=["lora", "full"])
def test_interrupt_and_resume_gives_the_same_result_as_an_uninterrupted_run(tiny_bert, small_corpus, workdir, full):
    weights = "model.safetensors" if full else "adapter_model.safetensors"
    straight = run_pretrain(_config(tiny_bert, small_corpus, full=full, name="straight"))
    interrupted = _config(tiny_bert, small_corpus, full=full, name="resumed")
    with pytest.raises(KeyboardInterrupt):
        run_pretrain(interrupted, callbacks=[_Crash(step=6)])
    assert not interrupted.destination.exists(), "nothing is saved by an interrupted run"
    interrupted.resume = True
    resumed = run_pretrain(interrupted)
    assert resumed.manifest["training"]["resumed_from"].endswith("checkpoint-6")
    expected = load_file(straight.destination / weights)
    got = load_file(resumed.destination / weights)
    assert expected.keys() == got.keys()
    for key in expected:
        assert torch.equal(expected[key], got[key]), key


def test_full_pretraining_writes_a_model_folder_that_auto_classes_load(tiny_bert, small_corpus, workdir):
    result = run_pretrain(_config(tiny_bert, small_corpus, full=True, name="nl-full"))
    assert result.destination == workdir / "models" / "nl-full" or result.destination.resolve() == (
        workdir / "models" / "nl-full"
    )
    model = AutoModelForMaskedLM.from_pretrained(result.destination)
    assert type(model) is BertForMaskedLM
    assert result.manifest["perplexity"]["after"] < result.manifest["perplexity"]["before"]
    original = BertForMaskedLM.from_pretrained(tiny_bert).state_dict()
    assert any(not torch.equal(original[k], v) for k, v in model.state_dict().items())
