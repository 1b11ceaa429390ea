"""The command layer: every command lives in adapterkit.commands, an option two commands share is
declared once (commands/options.py), --help lists every choice, and a recipe runs its steps
through the functions the CLI hands it (nothing imports adapterkit.cli)."""

from __future__ import annotations

import inspect
import os
import subprocess
import sys
import typing
from pathlib import Path

import pytest
import typer.main

from adapterkit.cli import app, main
from adapterkit.commands import options
from adapterkit.commands.finetune import train_settings
from adapterkit.errors import AdapterkitError
from adapterkit.manifest import COMMANDS
from adapterkit.recipes import run_recipe

ROOT = Path(__file__).resolve().parent.parent


def _callbacks(typer_app: typer.Typer, prefix: tuple[str, ...] = ()):
    """(command path, the function registered for it) for every command of the app."""
    for info in typer_app.registered_commands:
        yield (*prefix, info.name or info.callback.__name__.replace("_", "-")), info.callback
    for group in typer_app.registered_groups:
        yield from _callbacks(group.typer_instance, (*prefix, group.name))


CALLBACKS = dict(_callbacks(app))


def _declarations(function) -> dict[str, typing.Any]:
    """Parameter name -> its Annotated type (the object the command's signature names); old names
    kept by ``options.renamed`` (hidden, declared there from the new option) are left out."""
    hints = typing.get_type_hints(function, include_extras=True)
    return {
        name: hint
        for name, hint in hints.items()
        if typing.get_origin(hint) is typing.Annotated and not getattr(hint.__metadata__[0], "hidden", False)
    }


def _click(path: tuple[str, ...]):
    command = typer.main.get_command(app)
    for word in path:
        command = command.commands[word]
    return command


def _described(param) -> tuple:
    """What --help shows of a parameter: its flags, default, help text, metavar and value type."""
    descriptor = getattr(param, "type_descriptor", None)
    return (
        tuple(param.opts),
        tuple(param.secondary_opts),
        param.default,
        param.required,
        getattr(param, "help", None),
        param.metavar,
        repr(getattr(descriptor, "annotation", None)),
    )


def test_every_command_is_a_typed_function_of_the_commands_package_with_its_help():
    assert len(CALLBACKS) >= 22  # 13 commands and 9 sub-commands of adapters, recipes, vocab, corpus
    for path, function in CALLBACKS.items():
        assert function.__module__.startswith("adapterkit.commands."), (path, function.__module__)
        hints = typing.get_type_hints(function)
        assert set(inspect.signature(function).parameters) | {"return"} == set(hints), path
        assert inspect.getdoc(function).splitlines()[0] in _click(path).help, path


def test_every_command_a_recipe_may_run_is_a_command_of_the_app():
    assert {" ".join(path) for path in CALLBACKS} >= set(COMMANDS)


def test_an_option_several_commands_share_is_declared_once_in_the_options_module():
    shared: dict[str, list[tuple[str, str, object]]] = {}
    for path, function in CALLBACKS.items():
        for name, hint in _declarations(function).items():
            shared.setdefault(hint.__metadata__[0].help, []).append((" ".join(path), name, hint))
    declared = [value for value in vars(options).values() if typing.get_origin(value) is typing.Annotated]
    twice = {help_text: uses for help_text, uses in shared.items() if len({use[0] for use in uses}) > 1}
    assert len(twice) >= 30  # the data, training, speed, tracking, fold, vocab and registry options
    for help_text, uses in twice.items():
        hints = {id(hint) for _, _, hint in uses}
        assert len(hints) == 1, f"{help_text!r} is declared more than once: {[use[:2] for use in uses]}"
        assert any(uses[0][2] is value for value in declared), f"{help_text!r}: declare it in commands/options.py"


CV_ONLY = {"variant", "output", "run_dir"}  # run_dir: --output's old name
COMPARE_ONLY = {"variants", "run_id", "pairs", "force"}  # force: "... of the same --run-id"


def test_cv_and_compare_offer_the_same_options_in_the_same_order():
    cv = [p for p in _click(("cv",)).params if p.name not in CV_ONLY | {"force"}]
    compare = [p for p in _click(("compare",)).params if p.name not in COMPARE_ONLY]
    assert [p.name for p in cv] == [p.name for p in compare]
    assert len(cv) >= 30 and "quantize" in [p.name for p in compare]  # compare once dropped --quantize
    assert [_described(p) for p in cv] == [_described(p) for p in compare]
    cv_types, compare_types = _declarations(CALLBACKS[("cv",)]), _declarations(CALLBACKS[("compare",)])
    assert all(cv_types[p.name] is compare_types[p.name] for p in cv)


def test_finetune_trains_with_the_options_cv_and_compare_have():
    finetune = _declarations(CALLBACKS[("finetune",)])
    cv = _declarations(CALLBACKS[("cv",)])
    training = ["epochs", "batch_size", "lr", "max_steps", "max_seq_len", "stride", "seed", "mode", "task_lora_r",
                "quantize", "precision", "gradient_checkpointing", "group_by_length", "split_by_length", "warmup_ratio",
                "weight_decay", "data", "base", "fmt", "preset", "repair", "types", "strict", "report_to",
                "logging_dir", "keep_checkpoints", "registry"]  # fmt: skip
    assert all(finetune[name] is cv[name] for name in training)


def test_the_two_vocab_commands_share_their_training_options():
    extend = _declarations(CALLBACKS[("vocab", "extend")])
    build = _declarations(CALLBACKS[("vocab", "build")])
    same = {name for name in extend.keys() & build.keys() if extend[name] is build[name]}
    assert same == {"base", "other_corpus", "max_steps", "epochs", "batch_size", "grad_accum", "lr", "max_seq_len",
                    "seed"}  # fmt: skip


def _choices(hint) -> tuple[str, ...] | None:
    """The values of a Literal option type (also inside ``X | None``), or None."""
    for candidate in (typing.get_args(hint)[0], *typing.get_args(typing.get_args(hint)[0])):
        if typing.get_origin(candidate) is typing.Literal:
            return typing.get_args(candidate)
    return None


CHOICES = [
    (path, param, values)
    for path, function in CALLBACKS.items()
    for param, hint in _declarations(function).items()
    if (values := _choices(hint)) is not None
]


def test_the_choice_options_are_found():
    assert len(CHOICES) >= 30


@pytest.mark.parametrize(("path", "param", "values"), CHOICES, ids=[f"{' '.join(p)} {n}" for p, n, _ in CHOICES])
def test_every_choice_option_of_every_command_lists_its_values_in_help(path, param, values, capsys):
    option = next(p for p in _click(path).params if p.name == param).opts[0]
    assert main([*path, "--help"]) == 0
    out = capsys.readouterr().out
    rows = [line.split() for line in out[out.index("\nOptions:") :].splitlines()]
    assert [option, "<" + "|".join(values) + ">"] in [row[:2] for row in rows]


def test_importing_the_command_line_loads_no_model_library():
    # `adapterkit --help` stays instant: the commands import their heavy modules inside the function
    code = (
        "import sys, adapterkit.cli\n"
        "print(sorted(m for m in ('torch', 'transformers', 'peft', 'datasets') if m in sys.modules))"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "[]"


RECIPE = """
name = "fake"
[[steps]]
id = "one"
run = "score"
args = { gold = "g", pred = "p" }
[[steps]]
id = "two"
run = "vocab build"
args = { size = 10, output = "o", corpus = ["c.txt"] }
"""
ONE = ["score", "--gold", "g", "--pred", "p"]
TWO = ["vocab", "build", "--size", "10", "--output", "o", "--corpus", "c.txt"]


@pytest.fixture
def fake_recipe(tmp_path: Path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "fake.toml").write_text(RECIPE, encoding="utf-8")
    for name in ("g", "p", "c.txt"):  # the inputs the steps name (checked before the first step runs)
        (tmp_path / name).write_text("De patiënt werd opgenomen.\n", encoding="utf-8")
    return tmp_path / "fake.toml"


def test_a_recipe_runs_its_steps_with_the_runner_it_is_handed(fake_recipe: Path):
    ran: list[list[str]] = []

    def run_step(argv: list[str]) -> int:
        ran.append(argv)
        return 0

    def vocab_takes_force(argv: list[str]) -> bool:
        return argv[0] == "vocab"

    done = run_recipe(str(fake_recipe), [], run_step=run_step, accepts_force=vocab_takes_force)
    assert ran == [ONE, TWO]
    assert done.status == {"one": "ran", "two": "ran"}
    assert sorted(p.name for p in (done.run_dir / "steps").iterdir()) == ["one.json", "two.json"]
    ran.clear()
    done = run_recipe(str(fake_recipe), [], run_step=run_step, accepts_force=vocab_takes_force)
    assert ran == [] and set(done.status.values()) == {"skipped (done earlier, same inputs)"}
    run_recipe(str(fake_recipe), [], force=True, run_step=run_step, accepts_force=vocab_takes_force)
    assert ran == [ONE, [*TWO, "--force"]]  # --force only where the command has it


def test_a_step_the_runner_fails_stops_the_recipe_naming_the_step(fake_recipe: Path):
    with pytest.raises(AdapterkitError, match=r"recipe fake: step one failed \(exit code 2\); fix and rerun"):
        run_recipe(str(fake_recipe), [], run_step=lambda argv: 2, accepts_force=lambda argv: False)
    assert not (fake_recipe.parent / "runs" / "fake" / "steps" / "one.json").exists()


def test_the_cli_tells_a_recipe_which_commands_take_force(fake_recipe: Path, capsys):
    assert main(["run", str(fake_recipe), "--dry-run", "--force"]) == 0
    out = [line for line in capsys.readouterr().out.splitlines() if line.startswith("[")]
    assert out == ["[one] adapterkit " + " ".join(ONE), "[two] adapterkit " + " ".join([*TWO, "--force"])]


@pytest.mark.parametrize("path", [("finetune",), ("cv",), ("compare",)])
def test_the_warm_up_and_weight_decay_defaults_are_the_training_settings_own(path):
    from adapterkit.tasks.settings import TrainSettings

    params = {p.name: p for p in _click(path).params}
    for name in ("warmup_ratio", "weight_decay"):
        default = getattr(TrainSettings(), name)
        assert params[name].default == default and f"(default {default:g}: run_ner.py's" in params[name].help
    assert "warmup_ratio" not in {
        name for name, p in inspect.signature(train_settings).parameters.items() if p.default is not p.empty
    }  # the helper that builds TrainSettings restates no default


def test_the_full_training_learning_rate_is_defined_once():
    import ast

    from adapterkit.pretrain_config import PretrainConfig
    from adapterkit.tasks.settings import TrainSettings

    defined = [
        path.relative_to(ROOT).as_posix()
        for path in sorted((ROOT / "adapterkit").rglob("*.py"))
        for node in ast.parse(path.read_text(encoding="utf-8")).body
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "FULL_LR" for t in node.targets)
    ]
    assert defined == ["adapterkit/methods/__init__.py"]
    full = PretrainConfig(corpus=[], name="x", full=True).learning_rate
    assert full == TrainSettings(mode="full").learning_rate == 2e-5
