"""Operating-system errors, non-finite values and bugs: one line each, nothing half-written.

A full disk is simulated with the file-size limit (``RLIMIT_FSIZE``, SIGXFSZ ignored): writes past
it fail with EFBIG just as writes to a full disk fail with ENOSPC, through the same code paths of
safetensors, torch and Python. Destinations that cannot be written (a device, a path through a
file, a symbolic link loop, a file where a folder goes, a read-only folder) are refused before any
work. An unexpected exception is one line pointing to a log file holding the traceback.
"""

from __future__ import annotations

import os
import resource
import shutil
import signal
from contextlib import contextmanager
from pathlib import Path

import pytest
from transformers import TrainerCallback

from adapterkit.cli import main
from adapterkit.errors import AdapterkitError


def _snapshot(root: Path) -> dict[str, tuple[int, int] | None]:
    """Every entry under ``root`` (lstat: the looping link is an entry too)."""
    return {
        str(p.relative_to(root)): None if p.is_dir() else (p.lstat().st_size, p.lstat().st_mtime_ns)
        for p in root.rglob("*")
    }


@pytest.fixture
def project(tiny_adapters: Path, tiny_bert: Path, small_corpus: Path, workdir: Path) -> dict[str, str]:
    shutil.copytree(tiny_adapters, workdir / "adapters")
    (workdir / "afile").write_text("a file, not a folder\n")
    (workdir / "loop").symlink_to("loop")  # a link to itself: ELOOP on every use
    return {
        "corpus": str(small_corpus),
        "tiny": str(tiny_bert),
        "ner": str(Path(__file__).resolve().parents[1] / "adapterkit" / "data" / "tasks" / "ro-ner.conll"),
        "pt": f"--base {tiny_bert} --name nl --max-steps 1 --max-seq-len 32",
        "task": f"--base {tiny_bert} --max-steps 1 --max-seq-len 32 --folds 2",
    }


CASES: dict[str, tuple[str, str]] = {
    "recipes cp to /dev/full": ("recipes cp demo /dev/full --force", "/dev/full: it is not a regular file"),
    "eval-mlm --output under a file": ("eval-mlm a --corpus {corpus} --output afile/t.csv", "afile is a file"),
    "eval-mlm --output through a link loop": (
        "eval-mlm a --corpus {corpus} --output loop/t.csv",
        "loop is a broken or looping symbolic link",
    ),
    "eval-mlm --output is a folder": (
        "eval-mlm a --corpus {corpus} --output adapters/a.json",
        "adapters/a.json: it is a folder",
    ),
    "cv --output is a link loop": ("cv --data {ner} {task} --output loop", "broken or looping symbolic link"),
    "pretrain --output under a link loop": ("pretrain --corpus {corpus} {pt} --output loop/x", "looping symbolic"),
    "vocab extend --output is a file": (
        "vocab extend --corpus {corpus} --size 50 --output afile --base {tiny}",
        "afile is a file",
    ),
    "compose --output is a file": ("compose a b --output afile --force", "afile is a file, not a folder"),
    "pretrain --lr nan": ("pretrain --corpus {corpus} {pt} --lr nan", "--lr nan: expected a finite number"),
    "pretrain --epochs inf": ("pretrain --corpus {corpus} {pt} --epochs inf", "--epochs inf: expected a finite"),
    "cv --lr inf": ("cv --data {ner} {task} --lr inf", "--lr inf: expected a finite number"),
    "compose --weights nan": ("compose a b --weights nan,1", "every weight must be a finite number"),
    "compose learned --lr inf": ("compose a b --how learned --on {corpus} --lr inf", "--lr inf"),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_an_unusable_destination_or_value_is_one_line_before_any_work(case, project, workdir, capsys):
    if case == "eval-mlm --output is a folder":
        (workdir / "adapters" / "a.json").mkdir()
    template, expected = CASES[case]
    argv = template.format(**project).split()
    before = _snapshot(workdir)
    capsys.readouterr()
    code = main(argv)
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2, err
    assert len(err) == 1 and err[0].startswith("error: "), err
    assert expected in err[0], err[0]
    assert _snapshot(workdir) == before


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders; run as a normal user")
def test_a_read_only_folder_is_refused_before_any_work(project, workdir, capsys):
    locked = workdir / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        assert main(["eval-mlm", "a", "--corpus", project["corpus"], "--output", "locked/t.csv"]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and "locked is not writable" in err[0], err
        assert main(["cv", "--data", project["ner"], *project["task"].split(), "--output", "locked/cv"]) == 2
        assert "is not writable" in capsys.readouterr().err
        assert list(locked.iterdir()) == []
    finally:
        locked.chmod(0o755)


@contextmanager
def _file_size_limit(limit: int):
    """Writes past ``limit`` bytes fail with EFBIG (a full disk, for this process only)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    previous = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        signal.signal(signal.SIGXFSZ, previous)


def _error_lines(err: str) -> list[str]:
    return [line for line in err.splitlines() if "error" in line]


def test_a_full_disk_while_checkpointing_is_one_line_and_leaves_no_half_checkpoint(project, workdir, capsys):
    # the tiny model's weights are ~4 MB: the full-model checkpoint cannot be written under 1 MB
    argv = ["pretrain", "--corpus", project["corpus"], *project["pt"].split(), "--full", "--max-steps", "4"]
    argv += ["--save-steps", "2", "--batch-size", "4", "--grad-accum", "1"]
    capsys.readouterr()
    with _file_size_limit(1 << 20):
        code = main(argv)
    err = _error_lines(capsys.readouterr().err)
    assert code == 2, err
    assert len(err) == 1 and "checkpoints/checkpoint-2: File too large" in err[0], err
    checkpoints = workdir / "runs" / "pretrain" / "nl" / "checkpoints"
    assert list(checkpoints.iterdir()) == [], "no half-written checkpoint is left behind"
    assert not (workdir / "models" / "nl").exists()


class _LimitAfterTraining(TrainerCallback):
    """The disk fills up once training is over: the result's save is what fails."""

    def __init__(self, stack):
        self.stack = stack

    def on_train_end(self, args, state, control, **kwargs):
        self.stack.enter_context(_file_size_limit(1 << 20))


def test_a_full_disk_while_saving_the_result_is_one_line_and_leaves_no_staging_folder(
    project, workdir, small_corpus, tiny_bert, capsys
):
    from contextlib import ExitStack

    from adapterkit.cli import _os_error_line
    from adapterkit.jobs.pretrain import PretrainConfig, run_pretrain

    config = PretrainConfig(
        corpus=[small_corpus], name="nl", base=str(tiny_bert), full=True, max_steps=1, max_seq_len=32, batch_size=4
    )
    with ExitStack() as stack, pytest.raises(OSError) as raised:
        run_pretrain(config, callbacks=[_LimitAfterTraining(stack)])
    assert _os_error_line(raised.value).startswith("models/nl: File too large")
    # neither the result nor a staging folder is left (and the models/ folder the run created is gone)
    assert not (workdir / "models").exists()


class _Diverge(TrainerCallback):
    """Sets one weight to nan after the first step, as a run with a far too high learning rate does."""

    def on_step_end(self, args, state, control, model=None, **kwargs):
        next(p for p in model.parameters() if p.requires_grad).data.fill_(float("nan"))


def test_a_result_with_non_finite_weights_is_never_saved(project, workdir, small_corpus, tiny_bert):
    from adapterkit.jobs.pretrain import PretrainConfig, run_pretrain

    config = PretrainConfig(
        corpus=[small_corpus], name="diverged", base=str(tiny_bert), max_steps=1, max_seq_len=32, batch_size=4
    )
    with pytest.raises(AdapterkitError, match=r"diverged after 1 steps: \d+ weight tensor\(s\) hold nan or inf"):
        run_pretrain(config, callbacks=[_Diverge()])
    assert not (workdir / "adapters" / "diverged").exists()
    assert [p.name for p in (workdir / "adapters").iterdir() if p.name.startswith(".")] == []


def test_an_unexpected_exception_is_one_line_with_the_traceback_in_a_log(project, workdir, monkeypatch, capsys):
    def broken(*args, **kwargs):
        raise RuntimeError("the matrix is upside down")

    monkeypatch.setattr("adapterkit.jobs.evalmlm.evaluate_matrix", broken)
    monkeypatch.delenv("ADAPTERKIT_DEBUG", raising=False)
    capsys.readouterr()
    assert main(["eval-mlm", "a", "--corpus", project["corpus"]]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("internal error: RuntimeError: the matrix is upside down; details in ")
    log = Path(err[0].split("details in ")[1].split(" ")[0])
    assert log.parent == Path(os.environ["ADAPTERKIT_CACHE"]) / "logs"
    text = log.read_text()
    assert "Traceback (most recent call last)" in text and "the matrix is upside down" in text

    monkeypatch.setenv("ADAPTERKIT_DEBUG", "1")
    assert main(["eval-mlm", "a", "--corpus", project["corpus"]]) == 1
    err = capsys.readouterr().err
    assert "Traceback (most recent call last)" in err and err.strip().endswith("(traceback above)")


def test_an_os_error_inside_a_library_error_is_one_line_naming_the_path(project, monkeypatch, capsys):
    def failing_read(*args, **kwargs):
        try:
            raise OSError(5, "Input/output error", "shard-00003.arrow")
        except OSError as error:
            raise RuntimeError("could not load the shard") from error

    monkeypatch.setattr("adapterkit.jobs.evalmlm.evaluate_matrix", failing_read)
    capsys.readouterr()
    assert main(["eval-mlm", "a", "--corpus", project["corpus"]]) == 2
    assert capsys.readouterr().err.strip().splitlines() == ["error: shard-00003.arrow: Input/output error"]
