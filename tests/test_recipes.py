"""Recipes: settings, overrides, substitution, skipping finished steps."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapterkit.cli import main
from adapterkit.errors import AdapterkitError
from adapterkit.recipes import apply_overrides, command_line, list_recipes, load_recipe, recipe_path

RECIPE = """
name = "tiny"
description = "one adapter, one perplexity table"
base = "{base}"
steps_to_train = 2
[data]
corpus = "{corpus}"

[[steps]]
id = "adapter"
run = "pretrain"
[steps.args]
name = "nl-a"
corpus = ["${{data.corpus}}"]
base = "${{base}}"
max_steps = "${{steps_to_train}}"
max_seq_len = 64
batch_size = 4
grad_accum = 1
save_steps = 2

[[steps]]
id = "matrix"
run = "eval-mlm"
args = {{ _ = ["base", "nl-a"], corpus = ["${{data.corpus}}"], max_seq_len = 64, out = ["m.json"] }}

[smoke]
steps_to_train = 1
"""


@pytest.fixture
def recipe_file(workdir, tiny_bert, small_corpus) -> Path:
    path = workdir / "tiny.toml"
    path.write_text(RECIPE.format(base=tiny_bert, corpus=small_corpus))
    return path


def test_overrides_set_dotted_settings_with_their_type(recipe_file):
    recipe = load_recipe(recipe_file)
    apply_overrides(recipe, ["steps_to_train=5", "data.corpus=other.txt"])
    assert recipe["steps_to_train"] == 5 and recipe["data"]["corpus"] == "other.txt"
    argv = command_line(recipe["steps"][0], recipe)
    assert argv[:3] == ["pretrain", "--name", "nl-a"]
    assert "--max-steps" in argv and argv[argv.index("--max-steps") + 1] == "5"
    assert "--force" not in argv and argv[argv.index("--corpus") + 1] == "other.txt"
    assert command_line(recipe["steps"][1], recipe)[-2:] == ["base", "nl-a"]


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ("unknown=1", "not a setting of this recipe"),
        ("steps_to_train=many", "expected a int"),
        ("data.nothing=1", "not a setting"),
        ("nodata.corpus=x", "has no table 'nodata'"),
        ("novalue", "write key=value"),
    ],
)
def test_bad_overrides_are_refused_with_one_line(recipe_file, override, message):
    with pytest.raises(AdapterkitError, match=message) as caught:
        apply_overrides(load_recipe(recipe_file), [override])
    assert "\n" not in str(caught.value)


def test_a_rerun_skips_finished_steps_until_an_input_changes(recipe_file, small_corpus, capsys):
    assert main(["run", str(recipe_file), "--smoke"]) == 0
    first = capsys.readouterr().out
    assert "[1/2] adapter: adapterkit pretrain" in first and Path("m.json").is_file()
    assert main(["run", str(recipe_file), "--smoke"]) == 0
    assert capsys.readouterr().out.count("skipped") == 2
    small_corpus.write_text(small_corpus.read_text() + "Nieuwe regel over de patiënt.\n")
    assert main(["run", str(recipe_file), "--smoke"]) == 0
    again = capsys.readouterr().out
    assert "skipped" not in again, "a changed input reruns its step and every step after it"


def test_recipe_errors_exit_2_with_one_line(recipe_file, workdir, capsys):
    broken = workdir / "broken.toml"
    broken.write_text('name = "x"\n[[steps]]\nid = "a"\nrun = "train-everything"\n')
    for args, expected in (
        (["run", "no-such-recipe"], "no such file nor shipped recipe"),
        (["run", str(broken)], "use one of pretrain"),
        (["run", str(recipe_file), "steps_to_train=x"], "expected a int"),
    ):
        assert main(args) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and expected in err[0], err


def test_shipped_recipes_load_and_their_smoke_scale_applies(workdir, capsys):
    names = [name for name, _ in list_recipes()]
    assert "demo" in names
    for name in names:
        assert main(["run", name, "--smoke", "--dry-run"]) == 0
    assert load_recipe(recipe_path("demo"))["smoke"]
    assert main(["recipes", "cp", "demo", str(workdir)]) == 0 and (workdir / "demo.toml").is_file()
    assert main(["recipes", "cp", "demo", str(workdir)]) == 2
