"""Speed options: activation checkpointing changes nothing but memory, length-grouped batches
cover every example once with little padding, precision is checked before anything runs."""

from __future__ import annotations

import pytest
import torch
from conftest import pretrain_config
from safetensors.torch import load_file
from transformers import BertForMaskedLM, Trainer, TrainerCallback

from adapterkit.cli import main
from adapterkit.errors import AdapterkitError
from adapterkit.jobs.pretrain import PretrainConfig, run_pretrain
from adapterkit.speed import resolve_precision
from adapterkit.training import training_arguments

cpu_only = pytest.mark.skipif(torch.cuda.is_available(), reason="checks the CPU behaviour")


class _SeesCheckpointing(TrainerCallback):
    def __init__(self) -> None:
        self.enabled: bool | None = None

    def on_train_begin(self, args, state, control, model=None, **kwargs):
        self.enabled = bool(model.is_gradient_checkpointing)


def _config(tiny_bert, corpus, **overrides) -> PretrainConfig:
    settings = dict(name="gc", max_steps=4, save_steps=100, logging_steps=1, heldout=0.1, lr=2e-3)
    return pretrain_config(tiny_bert, corpus, **(settings | overrides))


@pytest.mark.parametrize("full", [True, False], ids=["full", "lora"])
def test_gradient_checkpointing_trains_to_the_same_weights_and_loss(tiny_bert, small_corpus, workdir, full):
    results, weights = {}, {}
    for checkpointing in (False, True):
        seen = _SeesCheckpointing()
        name = f"gc-{checkpointing}".lower()
        config = _config(tiny_bert, small_corpus, full=full, name=name, gradient_checkpointing=checkpointing)
        results[checkpointing] = run_pretrain(config, callbacks=[seen])
        assert seen.enabled is checkpointing, "the option must reach the model"
        saved = results[checkpointing].destination
        weights[checkpointing] = load_file(saved / ("model.safetensors" if full else "adapter_model.safetensors"))
    # Dropout is on: the recomputed forward replays the same RNG state, so the runs agree up to float noise.
    plain, recomputed = results[False].manifest, results[True].manifest
    assert recomputed["training"]["final_loss"] == pytest.approx(plain["training"]["final_loss"], rel=1e-5)
    assert recomputed["perplexity"]["after"] == pytest.approx(plain["perplexity"]["after"], rel=1e-5)
    assert weights[True].keys() == weights[False].keys()
    for key, tensor in weights[False].items():
        torch.testing.assert_close(weights[True][key], tensor, rtol=1e-4, atol=1e-6, msg=key)
    assert plain["perplexity"]["after"] != plain["perplexity"]["before"], "the runs must have trained"


def _padding(batches: list[list[int]], lengths: list[int]) -> int:
    return sum(max(lengths[i] for i in batch) * len(batch) - sum(lengths[i] for i in batch) for batch in batches)


def test_length_grouped_batches_cover_every_example_once_with_little_padding(tiny_bert, tmp_path):
    generator = torch.Generator().manual_seed(0)
    lengths = torch.randint(4, 120, (1000,), generator=generator).tolist()
    rows = [{"input_ids": [5] * length, "attention_mask": [1] * length} for length in lengths]
    model = BertForMaskedLM.from_pretrained(tiny_bert)
    batch = 8
    order = {}
    for grouped in (False, True):
        args = training_arguments(
            tmp_path / str(grouped), 0, group_by_length=grouped, per_device_train_batch_size=batch
        )
        trainer = Trainer(model=model, args=args, train_dataset=rows)
        order[grouped] = list(trainer._get_train_sampler())  # the sampler the Trainer's dataloader uses
    assert sorted(order[True]) == list(range(len(rows))), "every example exactly once per epoch"
    batches = {key: [indices[i : i + batch] for i in range(0, len(indices), batch)] for key, indices in order.items()}
    # Random batches of lengths 4..119 pad about half of every batch; grouped ones almost nothing.
    assert _padding(batches[True], lengths) < 0.1 * _padding(batches[False], lengths)
    assert order[True] != sorted(order[True], key=lambda i: -lengths[i]), "grouped, not globally sorted"


def test_line_mode_pretraining_uses_length_grouping_and_still_trains(tiny_bert, small_corpus, workdir):
    config = _config(tiny_bert, small_corpus, full=True, block_mode="line", name="lines")
    assert config.length_grouped and not _config(tiny_bert, small_corpus).length_grouped
    result = run_pretrain(config)
    assert result.manifest["hyperparameters"]["group_by_length"] is True
    assert result.manifest["perplexity"]["after"] < result.manifest["perplexity"]["before"]


@cpu_only
def test_precision_auto_is_fp32_on_the_cpu_and_fp16_is_refused():
    assert resolve_precision("auto") == "fp32"
    assert resolve_precision("bf16") == "bf16"  # CPU autocast exists
    with pytest.raises(AdapterkitError, match="fp16 needs a CUDA GPU"):
        resolve_precision("fp16")
    with pytest.raises(AdapterkitError, match="choose one of auto, fp32, bf16, fp16"):
        resolve_precision("fp64")


@cpu_only
@pytest.mark.parametrize(
    "command",
    [
        ["pretrain", "--corpus", "{corpus}", "--name", "x", "--base", "{base}"],
        ["finetune", "--data", "{corpus}", "--name", "x", "--base", "{base}"],
    ],
    ids=["pretrain", "finetune"],
)
@pytest.mark.parametrize("precision", ["fp16", "half"])
def test_bad_precision_exits_2_with_one_line_and_writes_nothing(
    command, precision, tiny_bert, small_corpus, workdir, capsys
):
    args = [arg.format(corpus=small_corpus, base=tiny_bert) for arg in command] + ["--precision", precision]
    before = sorted(workdir.rglob("*"))
    assert main(args) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: ") and "--precision" in err[0], err
    assert sorted(workdir.rglob("*")) == before, "nothing may be written"
