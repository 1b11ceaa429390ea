"""The --force rule: adapterkit replaces only folders it wrote as a result or run of that kind.

Each refusal runs the real CLI in-process in a working folder that holds a registry, task data
and a corpus, and must give exit code 2, one line naming the folder and why, and leave every file
as it was (names, sizes, modification times). The positive cases show that --force still
replaces what adapterkit itself wrote.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from adapterkit.cli import main
from adapterkit.errors import AdapterkitError
from adapterkit.paths import PACKAGE_DIR
from adapterkit.safety import MARKER, check_replaceable, write_marker


def _snapshot(root: Path) -> dict[str, tuple[int, int] | None]:
    return {
        str(p.relative_to(root)): None if p.is_dir() else (p.stat().st_size, p.stat().st_mtime_ns)
        for p in root.rglob("*")
    }


@pytest.fixture
def project(tiny_adapters: Path, tiny_bert: Path, small_corpus: Path, workdir: Path) -> dict[str, str]:
    """A working folder as a user has it: ./adapters (a, b), data in ./mydata, a model in ./models."""
    shutil.copytree(tiny_adapters, workdir / "adapters")
    data = workdir / "mydata"
    data.mkdir()
    blocks = (PACKAGE_DIR / "data" / "tasks" / "ro-ner.conll").read_text(encoding="utf-8").split("\n\n")
    (data / "ner.conll").write_text("\n\n".join(blocks[:12]) + "\n", encoding="utf-8")
    shutil.copyfile(small_corpus, data / "nl.txt")
    (workdir / "models").mkdir()
    shutil.copytree(workdir / "adapters" / "a", workdir / "models" / "kept-model")
    return {
        "data": str(data / "ner.conll"),
        "corpus": str(data / "nl.txt"),
        "task": f"--base {tiny_bert} --max-steps 1 --max-seq-len 32 --folds 2",
        "pt": f"--base {tiny_bert} --name nl --max-steps 2 --max-seq-len 32",
    }


REFUSALS: dict[str, tuple[str, str]] = {
    "cv --output . (the working folder)": ("cv --data {data} {task} --output . --force", "it contains --data"),
    "cv --output mydata (holds the input)": (
        "cv --data {data} {task} --output mydata --force",
        "mydata/ner.conll, an input of this run",
    ),
    "cv --output .. (above the working folder)": (
        "cv --data {data} {task} --output .. --force",
        "it contains --data",
    ),
    "cv --output models (holds results)": (
        "cv --data {data} {task} --output models --force",
        "it holds adapterkit results",
    ),
    "cv --output adapters/a (an adapter, not a cv run)": (
        "cv --data {data} {task} --output adapters/a --force",
        "not as a cv run folder",
    ),
    "compose --output adapters (the registry)": ("compose a b --output adapters --force", "it contains"),
    "compose --how merge --output models": (
        "compose a b --how merge --output models --force",
        "it holds adapterkit results",
    ),
    "compose --output adapters/a (an input)": ("compose a b --output adapters/a --force", "an input of this run"),
    "compose --output mydata (not adapterkit's)": (
        "compose a b --output mydata --force",
        "adapterkit did not write it",
    ),
    "pretrain --output mydata (holds the corpus)": (
        "pretrain --corpus {corpus} {pt} --output mydata --force",
        "mydata/nl.txt, an input of this run",
    ),
    "pretrain --work-dir . with checkpoints": (
        "pretrain --corpus {corpus} {pt} --work-dir . --force",
        "it contains --corpus",
    ),
    "vocab extend --output mydata": (
        "vocab extend --corpus {corpus} --size 50 --output mydata --base {tiny} --force",
        "an input of this run",
    ),
    "vocab extend --output adapters": (
        "vocab extend --corpus {corpus} --size 50 --output adapters --base {tiny} --force",
        "it is the adapter registry",
    ),
}


@pytest.mark.parametrize("case", REFUSALS, ids=list(REFUSALS))
def test_force_refuses_a_folder_adapterkit_did_not_write_and_touches_nothing(case, project, workdir, tiny_bert, capsys):
    template, expected = REFUSALS[case]
    # an earlier run's checkpoint in the working folder: what --force would clear with --work-dir .
    (workdir / "checkpoints" / "checkpoint-2").mkdir(parents=True)
    (workdir / "checkpoints" / "checkpoint-2" / "trainer_state.json").write_text("{}")
    argv = template.format(**project, tiny=tiny_bert).split()
    before = _snapshot(workdir)
    capsys.readouterr()
    code = main(argv)
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2, err
    # the force rule, or the output-over-input rule where the folder is or holds an input (checked first)
    assert len(err) == 1 and (err[0].startswith("error: --force will not replace ") or "an input of this run" in err[0])
    assert expected in err[0], err[0]
    assert _snapshot(workdir) == before


def test_compose_force_replaces_an_earlier_composition(project, workdir, capsys):
    assert main(["compose", "a", "b"]) == 0
    first = (workdir / "adapters" / "a+b" / "adapterkit.json").stat().st_mtime_ns
    assert main(["compose", "a", "b", "--weights", "1,0.5", "--force"]) == 0
    manifest = (workdir / "adapters" / "a+b" / "adapterkit.json").read_text()
    assert (workdir / "adapters" / "a+b" / "adapterkit.json").stat().st_mtime_ns != first
    assert '"weight": 0.5' in manifest
    assert (workdir / "adapters" / "a").is_dir() and (workdir / "adapters" / "b").is_dir()


def test_a_pretrain_run_folder_carries_the_marker_with_its_kind(tiny_adapters):
    run = tiny_adapters.parent / "runs" / "a"
    assert (run / MARKER).read_text().strip() == "pretrain-run"


def test_a_marked_run_folder_is_replaceable_only_as_its_own_kind(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    run = tmp_path / "runs" / "cv" / "base"
    write_marker(run, "cv-run")
    (run / "cv.json").write_text("{}")
    check_replaceable(run, "cv-run", [])  # passes: adapterkit wrote it as a cv run
    with pytest.raises(AdapterkitError, match="adapterkit wrote it as a cv run folder, not as a pretrain run folder"):
        check_replaceable(run, "pretrain-run", [])


def test_a_marker_is_not_written_into_a_folder_the_user_already_filled(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    write_marker(tmp_path, "cv-run")
    assert not (tmp_path / MARKER).exists()
    with pytest.raises(AdapterkitError, match="adapterkit did not write it"):
        check_replaceable(tmp_path, "cv-run", [])


def test_force_never_replaces_the_home_folder_nor_a_file_nor_a_link(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    write_marker(home, "cv-run")  # even a marked home folder
    with pytest.raises(AdapterkitError, match="home folder"):
        check_replaceable(home, "cv-run", [])
    (tmp_path / "file").write_text("x")
    with pytest.raises(AdapterkitError, match="it is a file"):
        check_replaceable(tmp_path / "file", "cv-run", [])
    run = tmp_path / "run"
    write_marker(run, "cv-run")
    (tmp_path / "link").symlink_to(run)
    with pytest.raises(AdapterkitError, match="symbolic link"):
        check_replaceable(tmp_path / "link", "cv-run", [])
    with pytest.raises(AdapterkitError, match="root of the file system"):
        check_replaceable(Path("/"), "cv-run", [])


def test_an_input_given_as_lang_equals_path_is_still_an_input(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    run = tmp_path / "run"
    write_marker(run, "cv-run")
    (run / "ro.conll").write_text("x\tO\n")
    with pytest.raises(AdapterkitError, match="an input of this run"):
        check_replaceable(run, "cv-run", [f"ro={run / 'ro.conll'}"])


def test_finetune_does_not_clear_a_work_folder_adapterkit_did_not_write(project, workdir, tiny_bert, capsys):
    work = workdir / "runs" / "finetune" / "ner"
    work.mkdir(parents=True)
    (work / "notes.txt").write_text("the user's own notes")
    argv = ["finetune", "--data", project["data"], "--name", "ner", "--base", str(tiny_bert), "--max-steps", "1"]
    before = _snapshot(workdir)
    capsys.readouterr()
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: finetune will not clear its work folder runs/finetune/ner")
    assert "adapterkit did not write it" in err[0]
    assert _snapshot(workdir) == before
