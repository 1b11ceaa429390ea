"""--warmup-ratio and --warmup-steps on pretrain, finetune, cv and compare, as TrainingArguments has them.

The steps win when above 0 (transformers 4's rule for its two fields; transformers 5 has one field
that reads a value below 1 as a ratio). Checked on the Trainer's own arguments, not only on our
settings.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
from transformers import AutoTokenizer, TrainingArguments

import adapterkit.jobs.pretrain as pretrain_module
from adapterkit.cli import main
from adapterkit.errors import AdapterkitError
from adapterkit.jobs import finetune as ft
from adapterkit.jobs.pretrain import run_pretrain
from adapterkit.models import resolve_base
from adapterkit.pretrain_config import PretrainConfig
from adapterkit.readers.data import Sentence
from adapterkit.tasks import train as task_train
from adapterkit.tasks.settings import TrainSettings
from adapterkit.training.arguments import training_arguments, warmup, warmup_steps_for
from adapterkit.variants import Variant


@pytest.fixture
def spy_trainer(monkeypatch: pytest.MonkeyPatch) -> dict:
    """The finetune Trainer, recorded when ``train`` builds it."""
    seen: dict = {}

    class Spy(task_train._TaskTrainer):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            seen["trainer"] = self

    monkeypatch.setattr(task_train, "_TaskTrainer", Spy)
    return seen


@pytest.mark.parametrize(("ratio", "steps", "total", "expected"), [
    (0.0, 0, 100, 0), (0.2, 0, 100, 20), (0.25, 0, 7, 2), (0.2, 5, 100, 5), (0.0, 1, 100, 1), (0.9, 30, 100, 30),
])  # fmt: skip
def test_warmup_steps_win_over_the_ratio_as_transformers_counts_them(
    ratio: float, steps: int, total: int, expected: int, tmp_path: Path
) -> None:
    args = training_arguments(tmp_path, 0, warmup_ratio=ratio, warmup_steps=steps)
    assert args.get_warmup_steps(total) == expected
    # the same count as TrainingArguments given the one value by hand, and as DP-SGD's own loop uses
    reference = TrainingArguments(output_dir=str(tmp_path), warmup_steps=warmup(ratio, steps), use_cpu=True)
    assert reference.get_warmup_steps(total) == expected == warmup_steps_for(ratio, steps, total)


@pytest.mark.parametrize("command", ["finetune", "cv", "compare"])
def test_warmup_steps_reach_the_task_settings(command: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import adapterkit.jobs.cv as cv_module

    monkeypatch.chdir(tmp_path)
    Path("x.conll").write_text("w O\n", encoding="utf-8")
    seen = {}

    def record(settings):
        seen["settings"] = settings
        raise typer.Exit(0)

    if command == "finetune":
        monkeypatch.setattr(ft, "run_finetune", lambda request: record(request.settings))
        argv = ["finetune", "--data", "x.conll", "--name", "m"]
    elif command == "cv":
        monkeypatch.setattr(cv_module, "run_cv", lambda request: record(request.settings))
        argv = ["cv", "--data", "x.conll"]
    else:
        monkeypatch.setattr(cv_module, "run_compare", lambda request: record(request.cv.settings))
        argv = ["compare", "base", "--data", "x.conll"]
    assert main([*argv, "--warmup-steps", "7", "--warmup-ratio", "0.1"]) in (0, None)
    assert (seen["settings"].warmup_steps, seen["settings"].warmup_ratio) == (7, 0.1)
    assert main(argv) in (0, None)
    assert seen["settings"].warmup_steps == TrainSettings.warmup_steps == 0


def test_negative_warmup_steps_are_refused_naming_the_option() -> None:
    with pytest.raises(AdapterkitError, match="--warmup-steps -1"):
        TrainSettings(warmup_steps=-1).validate()


def test_finetune_trainer_gets_the_warmup_steps(tiny_bert: Path, tmp_path: Path, spy_trainer: dict) -> None:
    from adapterkit.tasks.model import build_model

    labels = ["O", "B-CHEM", "I-CHEM"]
    settings = TrainSettings(max_steps=1, batch_size=4, max_seq_len=32, warmup_ratio=0.2, warmup_steps=3)
    model = build_model(Variant("base", resolve_base(str(tiny_bert))), "ner", labels)
    tokenizer = AutoTokenizer.from_pretrained(tiny_bert)
    items = [
        Sentence(["de", "patiënt", "kreeg", "metformine"], ["O", "O", "O", "B-CHEM"], f"d{i}", f"x:{i}")
        for i in range(8)
    ]
    task_train.train(model, tokenizer, items, "ner", labels, settings, tmp_path / "run", resume=False)
    assert spy_trainer["trainer"].args.get_warmup_steps(100) == 3  # the steps, not 20 % of 100


def test_pretrain_options_reach_the_trainer_and_the_manifest(
    tiny_bert: Path, small_corpus: Path, workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    built = []

    def spy(*args, **kwargs):
        built.append(training_arguments(*args, **kwargs))
        return built[-1]

    monkeypatch.setattr(pretrain_module, "training_arguments", spy)
    config = PretrainConfig(
        corpus=[small_corpus], name="warm", base=str(tiny_bert), max_steps=2, save_steps=2, logging_steps=1,
        max_seq_len=32, heldout=0.1, warmup_ratio=0.5,
    )  # fmt: skip
    result = run_pretrain(config)
    assert built[-1].get_warmup_steps(10) == 5
    assert result.manifest["hyperparameters"]["warmup_ratio"] == 0.5
    assert result.manifest["hyperparameters"]["warmup_steps"] == 0


def test_pretrain_command_passes_both_warmup_options(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    Path("c.txt").write_text("een regel\n", encoding="utf-8")
    seen = {}

    def record(config):
        seen["config"] = config
        raise typer.Exit(0)

    monkeypatch.setattr(pretrain_module, "run_pretrain", record)
    assert main(["pretrain", "--corpus", "c.txt", "--name", "x", "--warmup-ratio", "0.1", "--warmup-steps", "4"]) == 0
    assert (seen["config"].warmup_ratio, seen["config"].warmup_steps) == (0.1, 4)


def test_a_resumed_pretrain_run_must_keep_its_warmup_ratio_and_old_runs_still_match(tmp_path: Path) -> None:
    base = PretrainConfig(corpus=[tmp_path / "c.txt"], name="x")
    old = base.fingerprint_of_run()
    assert "warmup_ratio" not in old  # a run recorded before --warmup-ratio existed resumes unchanged
    assert PretrainConfig(corpus=[tmp_path / "c.txt"], name="x", warmup_ratio=0.1).fingerprint_of_run() != old
    assert PretrainConfig(corpus=[tmp_path / "c.txt"], name="x", warmup_steps=3).fingerprint_of_run() != old
    with pytest.raises(AdapterkitError, match="--warmup-ratio 1.0"):
        PretrainConfig(corpus=[tmp_path / "c.txt"], name="x", warmup_ratio=1.0).validate()


def test_a_resumed_finetune_must_keep_its_warmup_steps(tmp_path: Path) -> None:
    def recorded(steps: int) -> dict:
        request = ft.FinetuneRequest(data=[tmp_path / "x.conll"], name="m", settings=TrainSettings(warmup_steps=steps))
        return request.recorded()

    assert recorded(0)["settings"]["warmup_steps"] == 0
    assert recorded(0) != recorded(5)  # a --resume with another --warmup-steps is refused as other settings
