"""No output ever replaces an input, in any command: one rule (``overlap.py``), checked before any work.

The cases are not listed by hand: they are generated from the CLI itself. Every command of the app
is walked; every parameter that holds a path, or whose name says it is an output, must be declared
with ``commands.outputs.writes`` (so a new output option is covered as soon as it exists); then
every declared output of every command is pointed at an input of the same command (the input
itself, the folder holding it, a folder inside it, a symbolic link and a hard link to it) and must
be refused with exit 2, one line naming both, and nothing changed on disk.
"""

from __future__ import annotations

import os
import shutil
import typing
from pathlib import Path

import pytest
import typer
from hypothesis import given, settings
from hypothesis import strategies as st

from adapterkit.cli import app, main
from adapterkit.commands import options
from adapterkit.commands.outputs import OUTPUT_NAME, ROLES, option_names
from adapterkit.errors import AdapterkitError
from adapterkit.overlap import clash, refuse_output_over_input


def _commands() -> dict[str, tuple[object, object]]:
    """'vocab extend' -> (the click command, the function registered for it), for every command of the app."""
    found: dict[str, tuple[object, object]] = {}

    def walk(typer_app: typer.Typer, group, prefix: str) -> None:
        for info in typer_app.registered_commands:
            name = info.name or info.callback.__name__.replace("_", "-")
            found[f"{prefix}{name}"] = (group.commands[name], info.callback)
        for sub in typer_app.registered_groups:
            walk(sub.typer_instance, group.commands[sub.name], f"{prefix}{sub.name} ")

    walk(app, typer.main.get_command(app), "")
    return found


COMMANDS = _commands()


def _path_parameters(function) -> set[str]:
    """The parameters whose type holds a Path (Path, Path | None, list[Path]...): what the CLI converts to paths."""
    hints = typing.get_type_hints(function)

    def holds(hint) -> bool:
        return hint is Path or any(holds(arg) for arg in typing.get_args(hint))

    return {name for name, hint in hints.items() if holds(hint)}


def test_every_command_of_the_cli_is_found():
    assert {"pretrain", "finetune", "cv", "compare", "score", "corpus clean", "vocab extend", "push"} <= set(COMMANDS)
    assert len(COMMANDS) >= 22


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_path_and_output_parameter_is_declared_with_the_rule(command):
    click_command, function = COMMANDS[command]
    declared = getattr(function, ROLES, None)
    holding_paths = sorted(_path_parameters(function))
    output_like = [p.name for p in click_command.params if OUTPUT_NAME.match(p.name or "")]
    if not holding_paths and not output_like:
        return  # nothing a path could clash with
    assert declared is not None, f"{command}: declare its paths with @writes(outputs=..., inputs=...)"
    every = {*declared["outputs"], *declared["inputs"], *declared["neither"]}
    params = {p.name for p in click_command.params}
    assert every <= params, f"{command}: declared parameters that do not exist: {every - params}"
    for name in holding_paths:
        assert name in every, f"{command}: the path parameter {name} is neither an output nor an input"
    for name in output_like:
        assert name in declared["outputs"] or name in declared["neither"], (
            f"{command}: {name} looks like an output: declare it in outputs= so the rule applies to it"
        )


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_the_rule_names_options_as_the_user_writes_them(command):
    click_command, function = COMMANDS[command]
    if getattr(function, ROLES, None) is None:
        return
    names = option_names(function)
    for param in click_command.params:
        if param.param_type_name == "option" and param.name in names:
            assert names[param.name] in param.opts, (command, param.name, names[param.name], param.opts)


# A command line of every command that writes, reading {input}; the output option is added per case.
MINIMAL: dict[str, tuple[str, str]] = {
    "pretrain": ("pretrain --corpus {input} --name x --base {tiny}", "corpus"),
    "compose": ("compose {input} {adapter_b}", "adapter"),
    "eval-mlm": ("eval-mlm base --corpus {input} --base {tiny}", "corpus"),
    "finetune": ("finetune --data {input} --name x --base {tiny}", "conll"),
    "cv": ("cv --data {input} --base {tiny}", "conll"),
    "compare": ("compare base {adapter_b} --data {input} --base {tiny}", "conll"),
    "predict": ("predict {adapter_b} --input {input}", "conll"),
    "score": ("score --gold {gold} --pred {input}", "conll"),
    "vocab extend": ("vocab extend --corpus {input} --size 10 --base {tiny}", "corpus"),
    "vocab build": ("vocab build --corpus {input} --size 10 --base {tiny}", "corpus"),
    "corpus clean": ("corpus clean {input}", "corpus"),
    "recipes cp": ("recipes cp {input}", "recipe"),
    "push": ("push a --repo user/x --registry {registry}", "adapter"),
}
RELATIONS = ("is", "contains", "lies inside", "symbolic link", "hard link")
FOLDER_INPUTS = {"adapter"}


def _cases() -> list[tuple[str, str, str]]:
    cases = []
    for command, (click_command, function) in sorted(COMMANDS.items()):
        declared = getattr(function, ROLES, None)
        for name in declared["outputs"] if declared else ():
            option = next(p for p in click_command.params if p.name == name)
            flag = option.opts[0] if option.param_type_name == "option" else ""
            folder = MINIMAL.get(command, ("", ""))[1] in FOLDER_INPUTS
            impossible = "hard link" if folder else "lies inside"  # no hard link to a folder, nothing inside a file
            cases += [(command, flag, relation) for relation in RELATIONS if relation != impossible]
    return cases


CASES = _cases()
# (command, old flag) -> the flag it is an old name of (commands.options.renamed)
RENAMED = {
    (command, old): new
    for command, (_, function) in COMMANDS.items()
    for old, new in getattr(function, options.RENAMED, {}).items()
}


def test_every_command_with_an_output_has_a_command_line_here():
    assert {command for command, _, _ in CASES} <= set(MINIMAL), "add the new command to MINIMAL"
    assert len(CASES) >= 70


@pytest.fixture
def inputs(workdir: Path, tiny_adapters: Path, small_corpus: Path) -> dict[str, Path]:
    registry = workdir / "adapters"
    shutil.copytree(tiny_adapters, registry)
    data = workdir / "data"
    data.mkdir()
    (data / "ner.conll").write_text("Pacient\tO\nfebră\tB-DIS\n\nIa\tO\naspirină\tB-DIS\n", encoding="utf-8")
    (data / "gold.conll").write_text("Pacient\tO\nfebră\tB-DIS\n", encoding="utf-8")
    shutil.copyfile(small_corpus, data / "nl.txt")
    (data / "mine.toml").write_text('[[steps]]\nid = "a"\nrun = "cv"\n', encoding="utf-8")
    return {
        "corpus": data / "nl.txt",
        "conll": data / "ner.conll",
        "gold": data / "gold.conll",
        "recipe": data / "mine.toml",
        "adapter": registry / "a",
        "adapter_b": registry / "b",
        "registry": registry,
    }


def _snapshot(root: Path) -> dict[str, tuple[int, int] | None]:
    return {
        str(p.relative_to(root)): None if p.is_dir() else (p.stat().st_size, p.stat().st_mtime_ns)
        for p in root.rglob("*")
        if ".lock" not in p.name
    }


def _target(source: Path, relation: str, workdir: Path) -> Path | None:
    """The output path that stands in ``relation`` to ``source`` (made where it must exist); None: impossible."""
    if relation == "is":
        return source
    if relation == "contains":
        return source.parent
    if relation == "lies inside":
        return source / "out" if source.is_dir() else None
    link = workdir / "elsewhere" / "link"
    link.parent.mkdir(exist_ok=True)
    if relation == "symbolic link":
        link.symlink_to(source)
        return link
    if source.is_dir():
        return None  # folders have no hard links
    os.link(source, link)
    return link


@pytest.mark.parametrize(("command", "option", "relation"), CASES, ids=[" ".join(case) for case in CASES])
def test_no_output_of_any_command_replaces_an_input(command, option, relation, inputs, workdir, tiny_bert, capsys):
    template, kind = MINIMAL[command]
    source = inputs[kind]
    target = _target(source, relation, workdir)
    assert target is not None
    placeholders = {**{k: str(v) for k, v in inputs.items()}, "input": str(source), "tiny": str(tiny_bert)}
    argv = template.format(**placeholders).split()
    argv += [option, str(target)] if option else [str(target)]
    before = _snapshot(workdir)
    capsys.readouterr()
    code = main(argv)
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2, err
    new_name = RENAMED.get((command, option))
    if new_name:  # an old name: one deprecation line first, then the refusal naming the option's name now
        assert err[0] == f"adapterkit: {option} is deprecated; use {new_name}", err
        err, option = err[1:], new_name
    assert len(err) == 1 and "an input of this run" in err[0], err
    assert str(target) in err[0] and (option in err[0] if option else True), err[0]
    assert _snapshot(workdir) == before, "a refused command must change nothing"


# ------------------------------------------------------------------------------- the rule, as a property

_NAMES = st.lists(st.sampled_from(["a", "b", "c", ".", ".."]), min_size=1, max_size=4)


@settings(max_examples=200, deadline=None)
@given(output=_NAMES, source=_NAMES)
def test_the_rule_refuses_exactly_the_outputs_that_are_contain_or_lie_inside_an_input(output, source, tmp_path_factory):
    """Whatever ``..`` and ``.`` a path holds, the rule agrees with plain path arithmetic on absolute paths."""
    root = tmp_path_factory.getbasetemp() / "property" / "x" / "y"
    out, src = root.joinpath(*output), root.joinpath(*source)
    out_abs, src_abs = Path(os.path.normpath(out)), Path(os.path.normpath(src))
    expected = out_abs == src_abs or out_abs in src_abs.parents or src_abs in out_abs.parents
    assert (clash(out, src) is not None) == expected
    if expected:
        with pytest.raises(AdapterkitError, match="an input of this run"):
            refuse_output_over_input([("--out", out)], [("--data", src)])
    else:
        refuse_output_over_input([("--out", out)], [("--data", src)])


@settings(max_examples=50, deadline=None)
@given(name=st.text(st.characters(codec="utf-8", exclude_characters="/\x00"), min_size=1, max_size=12))
def test_a_link_to_an_input_is_that_input_whatever_its_name(name, tmp_path_factory):
    folder = tmp_path_factory.mktemp("links")
    source = folder / "input.txt"
    source.write_text("x")
    if name in (".", "..") or name == source.name:
        return
    try:
        os.link(source, folder / name)
        (folder / f"{name}.sym").symlink_to(source)
    except OSError:  # a name too long for this file system
        return
    assert clash(folder / name, source) == "is"
    assert clash(folder / f"{name}.sym", source) == "is"
