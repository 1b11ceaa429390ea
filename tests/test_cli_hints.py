"""The first minutes at the command line: help without arguments, the names a Hugging Face user
types from habit, "did you mean" for a mistyped adapter, and cheap mistakes caught before torch."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import typer

from adapterkit.cli import app, main
from adapterkit.commands.hints import HF_NAMES, option_hint
from adapterkit.registry import Registry

# The Hugging Face example-script names a user types most, and the command to type them to.
TYPED_FROM_HABIT = {
    "--learning_rate": ("finetune", "`--lr`"),
    "--num_train_epochs": ("finetune", "`--epochs`"),
    "--per_device_train_batch_size": ("finetune", "`--batch-size`"),
    "--gradient_accumulation_steps": ("pretrain", "`--grad-accum`"),
    "--model_name_or_path": ("pretrain", "`--base`"),
    "--output_dir": ("finetune", "`--output`"),
    "--train_file": ("finetune", "`--data`"),
    "--fp16": ("finetune", "`--precision fp16`"),
    "--bf16": ("pretrain", "`--precision bf16`"),
    "--max_seq_length": ("finetune", "`--max-seq-len`"),
    "--warmup_ratio": ("finetune", "`--warmup-ratio`"),
    "--weight_decay": ("pretrain", "`--weight-decay`"),
    "--seed": ("cv", None),  # cv has --seed itself: not an unknown option at all
}


def _flags(*path: str) -> list[str]:
    command = typer.main.get_command(app)
    for word in path:
        command = command.commands[word]
    return [flag for param in command.params for flag in param.opts]


@pytest.mark.parametrize("typed", sorted(TYPED_FROM_HABIT))
def test_a_hugging_face_argument_name_gets_the_adapterkit_name_not_a_string_distance_guess(typed, capsys):
    command, expected = TYPED_FROM_HABIT[typed]
    code = main([command, typed, "1"])
    err = capsys.readouterr().err.strip()
    if expected is None:
        assert "No such option" not in err
        return
    assert code == 2
    assert err == (
        f"error: No such option: {typed}; adapterkit calls this {expected} (see: adapterkit {command} --help)"
    )


def test_every_suggested_name_is_an_option_of_some_command():
    every = set()
    for path in (("pretrain",), ("finetune",), ("cv",), ("compare",), ("predict",), ("compose",), ("vocab", "build")):
        every.update(_flags(*path))
    for typed, candidates in HF_NAMES.items():
        assert any(c.split(" ")[0] in every for c in candidates), typed


def test_an_underscored_spelling_of_an_own_option_is_answered_with_the_dashed_one():
    assert option_hint("--mlm_probability", _flags("pretrain")) == "adapterkit calls this `--mlm-probability`"
    assert option_hint("--lora_targets", _flags("pretrain")) == "adapterkit calls this `--lora-targets`"


def test_a_hugging_face_name_the_command_has_no_equivalent_for_says_so(capsys):
    assert main(["finetune", "--save_steps", "5"]) == 2
    err = capsys.readouterr().err
    assert "no equivalent of that Hugging Face argument" in err
    assert "--max-steps" not in err  # click's unrelated guess


def test_an_unknown_option_that_is_no_hugging_face_name_keeps_clicks_message(capsys):
    assert main(["finetune", "--epoks", "5"]) == 2
    assert "calls this" not in capsys.readouterr().err


@pytest.mark.parametrize("words", [[], ["adapters"], ["vocab"], ["recipes"], ["corpus"]])
def test_a_command_group_without_arguments_prints_its_help_and_exits_0(words, capsys):
    assert main(words) == 0
    out, err = capsys.readouterr()
    assert out.startswith("Usage: adapterkit")
    assert err == ""


def _fake_adapter(root: Path, name: str) -> None:
    folder = root / name
    folder.mkdir(parents=True)
    (folder / "adapterkit.json").write_text(json.dumps({"name": name}), encoding="utf-8")


def test_a_mistyped_adapter_name_gets_did_you_mean(tmp_path, capsys):
    _fake_adapter(tmp_path, "nl-clin")
    _fake_adapter(tmp_path, "ro-bio")
    assert Registry(tmp_path).did_you_mean("nl-clni") == "; did you mean 'nl-clin'?"
    assert Registry(tmp_path).did_you_mean("zz-unrelated") == ""
    assert main(["adapters", "show", "nl-clni", "--registry", str(tmp_path)]) == 2
    assert "did you mean 'nl-clin'?" in capsys.readouterr().err


def test_a_mistyped_variant_gets_did_you_mean(tmp_path):
    from adapterkit.errors import AdapterkitError
    from adapterkit.variants import parse_variant

    _fake_adapter(tmp_path, "nl-clin")
    (tmp_path / "nl-clin" / "adapter_config.json").write_text("{}", encoding="utf-8")
    with pytest.raises(AdapterkitError, match="did you mean 'nl-clin'"):
        parse_variant("nl-clni", Registry(tmp_path))
    with pytest.raises(AdapterkitError, match="did you mean 'nl-clin'"):
        parse_variant("nl-clin+nl-clni", Registry(tmp_path))


CHEAP_MISTAKES = {
    "option typo": ["finetune", "--learning_rate", "1"],
    "missing task data": ["finetune", "--data", "{missing}", "--name", "x"],
    "missing part of pooled data": ["cv", "--data", "es={missing}"],
    "missing notes to label": ["predict", "some-model", "--input", "{missing}", "--output", "{out}"],
    "missing corpus": ["pretrain", "--corpus", "{missing}", "--name", "x"],
}


@pytest.mark.parametrize("case", sorted(CHEAP_MISTAKES))
def test_a_cheap_mistake_is_refused_before_torch_is_imported(case, tmp_path):
    argv = [a.format(missing=tmp_path / "nowhere", out=tmp_path / "out") for a in CHEAP_MISTAKES[case]]
    script = (
        "import sys\nfrom adapterkit.cli import main\n"
        f"code = main({argv!r})\n"
        "print(code, *(name in sys.modules for name in ('torch', 'transformers', 'datasets', 'sklearn')))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    # nor datasets and scikit-learn (through seqeval): each costs more than half a second to import
    assert result.stdout.split() == ["2", "False", "False", "False", "False"], (result.stdout, result.stderr)
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("error: ")


def _every_command_path() -> list[tuple[str, ...]]:
    def walk(command, path):
        subs = getattr(command, "commands", None)
        if subs is None:
            yield path
            return
        for name, sub in subs.items():
            yield from walk(sub, (*path, name))

    return list(walk(typer.main.get_command(app), ()))


@pytest.mark.parametrize("path", _every_command_path(), ids=" ".join)
def test_help_names_values_for_a_reader_never_a_python_type(path, capsys):
    assert main([*path, "--help"]) == 0
    shown = capsys.readouterr().out
    for python_type in ("<str>", "<int>", "<float>", "<list[", "<path>", "[[", "{"):
        lines = [line for line in shown.splitlines() if python_type in line and "comparison.{" not in line]
        assert not lines, (python_type, lines)


@pytest.mark.parametrize(
    ("path", "typed", "expected"),
    [
        *[
            (path, "--output_dir", "`--output`")
            for path in (
                ("corpus", "clean"),
                ("score",),
                ("predict",),
                ("cv",),
                ("eval-mlm",),
                ("push",),
                ("vocab", "extend"),
            )
        ],  # fmt: skip
        (("compare",), "--output_dir", "`--run-id`"),  # a name under runs/, compare's only way to name its folder
        (("pretrain",), "--warmup_ratio", "`--warmup-ratio`"),
        (("finetune",), "--warmup_steps", "`--warmup-steps`"),
        (("cv",), "--warmup_steps", "`--warmup-steps`"),
    ],
)
def test_output_dir_and_warmup_name_the_one_option_of_every_command(path, typed, expected):
    assert option_hint(typed, _flags(*path)) == f"adapterkit calls this {expected}"
