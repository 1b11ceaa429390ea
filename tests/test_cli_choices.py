"""Choice options: --help lists their values, a wrong value is one line + exit 2, and the values
the command line offers are the very tuples the implementing modules check."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapterkit import choices
from adapterkit.cli import main

# Every choice option of every command: (command, option, the values it must offer).
CHOICE_OPTIONS = [
    (["pretrain"], "--block-mode", choices.BLOCK_MODES),
    (["pretrain"], "--train-head", choices.TRAIN_HEAD),
    (["pretrain"], "--precision", choices.PRECISIONS),
    (["pretrain"], "--quantize", choices.QUANTIZE_MODES),
    (["pretrain"], "--optim", tuple(choices.OPTIMIZERS)),
    (["pretrain"], "--report-to", choices.REPORT_TO),
    (["compose"], "--how", choices.STRATEGIES),
    *(
        (command, option, values)
        for command in (["finetune"], ["cv"], ["compare"])
        for option, values in (
            ("--mode", choices.TASK_MODES),
            ("--format", choices.DATA_FORMATS),
            ("--preset", choices.PRESETS),
            ("--precision", choices.PRECISIONS),
            ("--quantize", choices.QUANTIZE_MODES),
            ("--report-to", choices.REPORT_TO),
        )
    ),
    (["predict"], "--output-format", choices.OUTPUT_FORMATS),
    (["predict"], "--format", choices.DATA_FORMATS),
    (["predict"], "--preset", choices.PRESETS),
    (["score"], "--format", choices.SCORE_FORMATS),
    (["score"], "--preset", choices.PRESETS),
    (["vocab", "extend"], "--train", choices.VOCAB_TRAIN_MODES),
    (["vocab", "build"], "--mode", choices.VOCAB_MODES),
    (["vocab", "build"], "--train", choices.VOCAB_TRAIN_MODES),
]
IDS = [f"{' '.join(command)} {option}" for command, option, _ in CHOICE_OPTIONS]


@pytest.mark.parametrize(("command", "option", "values"), CHOICE_OPTIONS, ids=IDS)
def test_help_lists_the_values_of_each_choice_option(command, option, values, capsys):
    assert main([*command, "--help"]) == 0
    out = capsys.readouterr().out
    lines = out[out.index("\nOptions:") :].splitlines()  # the options table, not the description
    shown = [line.split() for line in lines if line.split()[:1] == [option]]
    assert shown, f"{option} missing from the help of {' '.join(command)}"
    assert shown[0][1] == "<" + "|".join(values) + ">"


@pytest.mark.parametrize(("command", "option", "values"), CHOICE_OPTIONS, ids=IDS)
def test_a_wrong_choice_is_one_line_naming_the_option_and_its_values_exit_2(command, option, values, capsys):
    assert main([*command, option, "bogus"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    err = captured.err.splitlines()
    listed = ", ".join(f"'{value}'" for value in values)
    assert err == [
        f"error: Invalid value for '{option}': 'bogus' is not one of {listed}. "
        f"(see: adapterkit {' '.join(command)} --help)"
    ]


def test_the_modules_check_the_same_tuples_the_command_line_offers():
    from adapterkit import compose, corpus, quantize, speed, tracking, vocab
    from adapterkit.jobs import predict, pretrain
    from adapterkit.readers import brat, conll, scorer
    from adapterkit.readers import formats as readers
    from adapterkit.tasks import settings

    assert corpus.BLOCK_MODES is pretrain.BLOCK_MODES is choices.BLOCK_MODES
    assert pretrain.TRAIN_HEAD is choices.TRAIN_HEAD
    assert speed.PRECISIONS is choices.PRECISIONS
    assert quantize.QUANTIZE_MODES is choices.QUANTIZE_MODES and quantize.OPTIMIZERS is choices.OPTIMIZERS
    assert tracking.CHOICES is choices.REPORT_TO
    assert compose.STRATEGIES is choices.STRATEGIES
    assert settings.MODES is choices.TASK_MODES
    assert readers.FORMATS is choices.DATA_FORMATS and scorer.FORMATS is choices.SCORE_FORMATS
    assert predict.OUTPUT_FORMATS is choices.OUTPUT_FORMATS
    assert conll.PRESETS is choices.CONLL_PRESETS and brat.PRESETS is choices.BRAT_PRESETS
    assert set(choices.PRESETS) == set(conll.PRESETS) | set(brat.PRESETS)
    assert vocab.MODES is choices.VOCAB_TRAIN_MODES and vocab.VOCAB_MODES is choices.VOCAB_MODES


def test_a_module_refuses_what_the_command_line_refuses_for_api_callers():
    from adapterkit.errors import AdapterkitError
    from adapterkit.speed import resolve_precision
    from adapterkit.tracking import Tracking

    with pytest.raises(AdapterkitError, match="--precision 'fp8': choose one of auto, fp32, bf16, fp16"):
        resolve_precision("fp8")
    with pytest.raises(AdapterkitError, match="--report-to 'mlflow': use one of none, tensorboard, wandb, all"):
        Tracking("mlflow").integrations()


@pytest.mark.parametrize("quantize", ["4bit", None])
def test_compare_passes_quantize_on_to_every_cross_validation(quantize, monkeypatch, tmp_path: Path):
    import adapterkit.commands.cv
    import adapterkit.jobs.cv

    seen = []

    def fake_compare(request):
        seen.append(request)
        return tmp_path

    monkeypatch.setattr(adapterkit.jobs.cv, "run_compare", fake_compare)
    monkeypatch.setattr(adapterkit.commands.cv, "_compare_headline", lambda run_dir: "f1 %: base 1.00")
    (tmp_path / "d.conll").write_text("w O\n", encoding="utf-8")  # inputs must exist before any work
    argv = ["compare", "base", "a", "--data", str(tmp_path / "d.conll"), "--mode", "adapter"]
    assert main([*argv, *(["--quantize", quantize] if quantize else [])]) == 0
    (request,) = seen
    assert request.variants == ["base", "a"]
    assert request.cv.settings.quantize == quantize
    assert request.cv.settings.mode == "adapter"
