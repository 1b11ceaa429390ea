"""--quantize / --optim adamw8bit: a quantized frozen base trains only the adapter, and the adapter stays plain PEFT."""

from __future__ import annotations

import sys

import pytest
import torch
from peft import PeftModel
from transformers import BertForMaskedLM

from adapterkit.errors import AdapterkitError
from adapterkit.jobs.pretrain import PretrainConfig, _wrap_adapter, run_pretrain
from adapterkit.models import fingerprint, load_masked_lm, resolve_base

pytest.importorskip("bitsandbytes")


@pytest.fixture(scope="module")
def small_bert(tmp_path_factory, embedded_path):
    """2 layers of width 64: bitsandbytes' 4-bit CPU kernels work in blocks of 64 inputs."""
    from transformers import AutoTokenizer, BertConfig

    folder = tmp_path_factory.mktemp("bert-64")
    torch.manual_seed(0)
    config = BertConfig(
        vocab_size=30522, hidden_size=64, num_hidden_layers=2, num_attention_heads=2, intermediate_size=128
    )
    BertForMaskedLM(config).save_pretrained(folder)
    AutoTokenizer.from_pretrained(embedded_path).save_pretrained(folder)
    return folder


def _tensors(model) -> dict[str, torch.Tensor]:
    """Every parameter and buffer, with the quantized weights' raw bytes and scales, copied."""
    tensors = {name: tensor.detach().clone() for name, tensor in [*model.named_parameters(), *model.named_buffers()]}
    for name, module in model.named_modules():
        weight = getattr(module, "weight", None)
        state = getattr(weight, "quant_state", None)  # 4-bit: per-block scales
        if state is not None:
            tensors[f"{name}.weight.absmax"] = state.absmax.detach().clone()
        scales = getattr(weight, "SCB", None)  # 8-bit: per-row scales
        if scales is not None:
            tensors[f"{name}.weight.SCB"] = scales.detach().clone()
    return tensors


@pytest.mark.parametrize("mode", ["8bit", "4bit"])
def test_quantized_lora_training_changes_only_the_adapter_weights(small_bert, mode):
    import bitsandbytes as bnb

    model, head_is_new = load_masked_lm(resolve_base(str(small_bert)), quantize=mode)
    layer = type(model.get_submodule("bert.encoder.layer.0.attention.self.query"))
    assert layer is (bnb.nn.Linear8bitLt if mode == "8bit" else bnb.nn.Linear4bit)
    config = PretrainConfig(corpus=[], name="q", base=str(small_bert), lora_r=4, train_head="no")
    model, _ = _wrap_adapter(model, config, head_is_new)
    input_ids = torch.randint(1000, 5000, (4, 16))
    labels = torch.where(torch.rand(4, 16) < 0.3, input_ids, torch.full_like(input_ids, -100))
    model.eval()
    with torch.no_grad():  # as the held-out perplexity before training: must not break training after it
        model(input_ids=input_ids)
    model.train()
    before = _tensors(model)
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-2)
    for _ in range(2):
        loss = model(input_ids=input_ids, labels=labels).loss
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
    assert torch.isfinite(loss)
    after = _tensors(model)
    quantized = torch.uint8 if mode == "4bit" else torch.int8
    assert sum(tensor.dtype == quantized for tensor in before.values()) >= 12  # the base's linear layers
    changed = {key for key in before if not torch.equal(before[key], after[key])}
    assert changed and all("lora_" in key for key in changed), sorted(changed - {k for k in changed if "lora_" in k})
    assert {key for key in before if "lora_B" in key} <= changed  # every adapter layer learned


def test_quantized_pretraining_saves_an_adapter_that_loads_on_the_unquantized_base(tiny_bert, small_corpus, workdir):
    config = PretrainConfig(
        corpus=[small_corpus],
        name="nl-8bit",
        base=str(tiny_bert),
        quantize="8bit",
        max_steps=4,
        batch_size=4,
        grad_accum=1,
        max_seq_len=64,
        heldout=0.1,
        lr=2e-3,
    )
    result = run_pretrain(config)
    assert result.manifest["hyperparameters"]["quantize"] == "8bit"
    plain = load_masked_lm(resolve_base(str(tiny_bert)))[0]
    assert result.manifest["base"]["fingerprint"] == fingerprint(plain)
    reloaded = PeftModel.from_pretrained(BertForMaskedLM.from_pretrained(tiny_bert), result.destination)
    lora = [name for name, _ in reloaded.named_parameters() if "lora_B" in name]
    assert lora and any(float(p.abs().sum()) > 0 for n, p in reloaded.named_parameters() if "lora_B" in n)


def test_full_pretraining_with_the_8bit_optimizer_trains(tiny_bert, small_corpus, workdir):
    config = PretrainConfig(
        corpus=[small_corpus], name="nl-full8", base=str(tiny_bert), full=True, optim="adamw8bit",
        max_steps=3, batch_size=4, grad_accum=1, max_seq_len=64, heldout=0.1, lr=1e-3,
    )  # fmt: skip
    result = run_pretrain(config)
    assert result.manifest["hyperparameters"]["optim"] == "adamw8bit"
    # 3 steps, fewer than --logging-steps: no loss was logged, so there is no last logged loss
    assert result.manifest["training"]["final_loss"] is None
    assert result.manifest["training"]["mean_loss"] > 0


def test_quantize_with_full_is_a_one_line_error(tiny_bert):
    config = PretrainConfig(corpus=[], name="q", base=str(tiny_bert), full=True, quantize="8bit")
    with pytest.raises(AdapterkitError, match="--quantize.*--full"):
        config.validate()


def test_missing_bitsandbytes_names_the_extra_to_install(tiny_bert, monkeypatch):
    monkeypatch.setitem(sys.modules, "bitsandbytes", None)  # import fails as if not installed
    config = PretrainConfig(corpus=[], name="q", base=str(tiny_bert), quantize="4bit")
    with pytest.raises(AdapterkitError, match=r"pip install 'adapterkit\[quant\]'"):
        config.validate()


def test_adapter_mode_task_training_on_an_8bit_base_saves_a_plain_peft_task_adapter(small_bert, workdir):
    from adapterkit.jobs.finetune import FinetuneRequest, run_finetune
    from adapterkit.paths import PACKAGE_DIR
    from adapterkit.registry import Registry
    from adapterkit.tasks.model import load_task_model
    from adapterkit.tasks.settings import TrainSettings

    sentences = (PACKAGE_DIR / "data" / "tasks" / "ro-ner.conll").read_text(encoding="utf-8").split("\n\n")[:24]
    data = workdir / "ner.conll"
    data.write_text("\n\n".join(sentences) + "\n", encoding="utf-8")
    settings = TrainSettings(max_steps=2, batch_size=4, max_seq_len=64, mode="adapter", quantize="8bit")
    destination, manifest = run_finetune(
        FinetuneRequest(data=[data], name="ner-8bit", base=str(small_bert), settings=settings)
    )
    assert manifest["settings"]["quantize"] == "8bit"
    model, _, _ = load_task_model("ner-8bit", Registry(workdir / "adapters"))  # unquantized base + adapter
    assert not any(p.dtype == torch.int8 for p in model.parameters())
    assert any("lora_B" in name and float(p.abs().sum()) > 0 for name, p in model.named_parameters())


def test_quantize_in_full_task_mode_is_a_one_line_error():
    from adapterkit.tasks.settings import TrainSettings

    with pytest.raises(AdapterkitError, match="--quantize.*--mode adapter"):
        TrainSettings(mode="full", quantize="8bit").validate()
