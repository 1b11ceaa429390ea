"""One name per idea: the old names of renamed options still work, hidden, with one deprecation line.

The folder or file a command writes is ``--output`` everywhere (as transformers' ``--output_dir``);
vocab extend's full-vs-LoRA option is ``--train``, as on vocab build. The cases are read from the CLI
(every option declared with ``commands.options.renamed``), so a new rename is covered at once.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer.main

from adapterkit.cli import app, build_command, main
from adapterkit.commands.options import RENAMED


def _commands() -> dict[str, object]:
    found: dict[str, object] = {}

    def walk(typer_app: typer.Typer, prefix: str) -> None:
        for info in typer_app.registered_commands:
            found[prefix + (info.name or info.callback.__name__.replace("_", "-"))] = info.callback
        for sub in typer_app.registered_groups:
            walk(sub.typer_instance, f"{prefix}{sub.name} ")

    walk(app, "")
    return found


RENAMES = sorted(
    (command, old, new)
    for command, function in _commands().items()
    for old, new in getattr(function, RENAMED, {}).items()
)
# What each command needs besides the renamed option (values are only parsed, never used).
REQUIRED = {
    "corpus clean": ["in.txt", "--output", "o.txt"],
    "eval-mlm": ["base", "--corpus", "c.txt"],
    "predict": ["m", "--input", "x", "--output", "o"],
    "score": ["--gold", "g", "--pred", "p"],
    "vocab extend": ["--corpus", "c.txt", "--size", "10", "--output", "o"],
    "vocab build": ["--corpus", "c.txt", "--size", "10", "--output", "o"],
    "push": ["a", "--repo", "u/x"],
    "cv": ["--data", "d.conll"],
}


def test_every_renamed_option_has_a_case_and_the_agreed_new_name():
    assert {(command, old) for command, old, _ in RENAMES} == {
        ("corpus clean", "--out"), ("eval-mlm", "--out"), ("predict", "--out"), ("score", "--json"),
        ("vocab extend", "--out"), ("vocab extend", "--mode"), ("vocab build", "--out"), ("push", "--out"),
        ("cv", "--run-dir"),
    }  # fmt: skip
    assert {new for *_, new in RENAMES} == {"--output", "--train"}
    assert {command for command, *_ in RENAMES} <= set(REQUIRED)


def _click(command: str):
    found = build_command()
    for word in command.split():
        found = found.commands[word]
    return found


def _without(argv: list[str], flag: str) -> list[str]:
    """``argv`` less ``flag`` and its value: the old name stands in for it."""
    if flag not in argv:
        return argv
    at = argv.index(flag)
    return argv[:at] + argv[at + 2 :]


@pytest.mark.parametrize(("command", "old", "new"), RENAMES, ids=[f"{c} {o}" for c, o, _ in RENAMES])
def test_an_old_name_sets_the_new_option_and_says_so_once(command, old, new, capsys):
    value = "lora" if new == "--train" else "given-by-old-name"
    argv = [*_without(REQUIRED[command], new), old, value]
    click_command = _click(command)
    context = click_command.make_context(command, argv)
    param = next(p for p in click_command.params if new in p.opts)
    got = context.params[param.name]
    assert (got[0] if isinstance(got, (list, tuple)) else got) in (value, Path(value))
    assert capsys.readouterr().err.splitlines() == [f"adapterkit: {old} is deprecated; use {new}"]


@pytest.mark.parametrize(("command", "old", "new"), RENAMES, ids=[f"{c} {o}" for c, o, _ in RENAMES])
def test_an_old_name_is_hidden_from_help_and_the_new_one_is_shown(command, old, new, capsys):
    assert main([*command.split(), "--help"]) == 0
    shown = capsys.readouterr().out
    assert f" {new} " in shown
    assert f" {old} " not in shown and f" {old}\n" not in shown


@pytest.mark.parametrize(("command", "old", "new"), RENAMES, ids=[f"{c} {o}" for c, o, _ in RENAMES])
def test_the_old_and_the_new_name_together_is_a_usage_error(command, old, new, capsys):
    value = "lora" if new == "--train" else "x"
    argv = [*command.split(), *_without(REQUIRED[command], new), new, value, old, value]
    assert main(argv) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[-1].startswith("error: ") and f"give {new} only ({old} is its old name)" in err[-1], err


def test_a_required_new_option_is_still_required_without_its_old_name(capsys):
    assert main(["corpus", "clean", "in.txt"]) == 2
    assert "Missing option '--output'" in capsys.readouterr().err


def test_corpus_clean_and_score_write_through_their_old_names(tmp_path, capsys):
    notes = tmp_path / "notes.txt"
    notes.write_text("De patiënt kreeg metformine.\nDe patiënt kreeg metformine.\nGeen klachten.\n", encoding="utf-8")
    out = tmp_path / "clean.txt"
    assert main(["corpus", "clean", str(notes), "--out", str(out)]) == 0
    assert out.read_text(encoding="utf-8").splitlines() == ["De patiënt kreeg metformine.", "Geen klachten."]
    assert capsys.readouterr().err.splitlines() == ["adapterkit: --out is deprecated; use --output"]

    conll = tmp_path / "gold.conll"
    conll.write_text("febră\tB-DIS\nmare\tO\n", encoding="utf-8")
    report = tmp_path / "scores.json"
    assert main(["score", "--gold", str(conll), "--pred", str(conll), "--json", str(report)]) == 0
    assert json.loads(report.read_text())["micro"]["f1"] == 1.0
    assert capsys.readouterr().err.splitlines() == ["adapterkit: --json is deprecated; use --output"]


def test_an_old_name_given_as_a_bad_choice_is_refused_naming_the_choices(capsys):
    argv = ["vocab", "extend", "--corpus", "c.txt", "--size", "10", "--output", "o", "--mode", "dora"]
    assert main(argv) == 2
    assert "dora" in capsys.readouterr().err


def test_the_output_over_input_rule_sees_an_old_name(tmp_path, capsys):
    notes = tmp_path / "notes.txt"
    notes.write_text("Geen klachten.\n", encoding="utf-8")
    assert main(["corpus", "clean", str(notes), "--out", str(notes)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[0] == "adapterkit: --out is deprecated; use --output"
    assert len(err) == 2 and "an input of this run" in err[1]
    assert notes.read_text(encoding="utf-8") == "Geen klachten.\n"
