"""The stand-in corpora generator: shipped files match its data files; bad data files stop it in one line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import load_script

REPO = Path(__file__).resolve().parent.parent
SCRIPT = REPO / "scripts" / "make_standin_corpora.py"
DATA = REPO / "scripts" / "standin" / "corpora"


@pytest.fixture(scope="module")
def generator():
    yield from load_script(SCRIPT)


def test_shipped_corpora_and_readme_match_a_fresh_generation_from_the_data_files(generator, capsys):
    assert generator.main(["--check"]) == 0
    assert "match a fresh generation" in capsys.readouterr().out


def test_a_second_run_with_the_same_data_gives_the_same_bytes(generator, tmp_path):
    generator.write_corpora(tmp_path / "a", 120)
    generator.write_corpora(tmp_path / "b", 120)
    for name in ("nl-clin.txt", "nl-bio.txt", "ro-bio.txt", "es-clin.txt", "README.md"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    assert len((tmp_path / "a" / "es-clin.txt").read_text(encoding="utf-8").split("\n")) == 120 + 1


def test_an_edited_word_list_changes_the_corpus(generator, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    path = data / "nl-clin.toml"
    path.write_text(path.read_text(encoding="utf-8").replace('"hypertensie",', '"hypertensie graad 3",'), "utf-8")
    generator.write_corpora(tmp_path / "out", 300, data)
    assert "hypertensie graad 3" in (tmp_path / "out" / "nl-clin.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("file", "old", "new", "expected"),
    [
        ("nl-clin.toml", "met {complaint} {duration}.", "met {complant} {duration}.", "unknown slot {complant}"),
        ("nl-clin.toml", "year = { int = [1986, 2023] }", "year = { integer = [1986, 2023] }", "filler 'year'"),
        ("nl-clin.toml", "year = { int = [1986, 2023] }", "year = { int = [2023, 1986] }", "filler 'year'"),
        ("nl-clin.toml", 'bp = { fn = "blood_pressure" }', 'bp = { fn = "bloodpressure" }', "filler 'bp'"),
        ("nl-bio.toml", 'cls = "een biguanide"\n', "", "[[drugs]] number 1: missing cls"),
        ("ro-bio.toml", 'context = "ro_bio"', 'context = "ro-bio"', "context must be one of"),
        ("nl-clin.toml", "\n[sex]\n", "\n[sexx]\n", "context 'nl_clin' needs 'sex'"),
        ("es-clin.toml", "seed = 1404", "seed = = 1404", "line 10"),
    ],
    ids=[
        "slot-typo",
        "filler-kind",
        "filler-bounds",
        "filler-function",
        "drug-field",
        "context",
        "context-table",
        "toml-syntax",
    ],
)
def test_a_bad_data_file_stops_with_one_line_naming_it_and_writes_nothing(
    generator, tmp_path, capsys, file, old, new, expected
):
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    text = (data / file).read_text(encoding="utf-8")
    assert text.count(old) == 1
    (data / file).write_text(text.replace(old, new), encoding="utf-8")
    out = tmp_path / "out"
    assert generator.main(["--data", str(data), "--out", str(out), "--lines", "100"]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and str(data / file) in lines[0] and expected in lines[0]
    assert not out.exists()
