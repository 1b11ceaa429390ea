"""What ``--force`` may delete, atomic file writes, and what a ctrl-C or a failed write leaves behind.

The atomic writes themselves (``atomic_write_text``/``_bytes``/``_json``) are ``atomic.py``'s, re-exported
here: a temporary file in the same folder, fsync, one ``os.replace``, nothing half-written.

``--force`` replaces a folder only when adapterkit itself wrote it as a result or run of the kind
being replaced. Every run folder adapterkit creates carries a marker file (``.adapterkit-run``,
holding the kind); registry adapters and model folders are recognised by their manifest
(``adapterkit.json``). A run folder written before the marker existed is not recognised: the
user removes it once, by hand. Whatever else a path points at (the working folder, the registry,
the user's data) is refused by ``check_replaceable`` in one line, before anything is touched. It
is the one guard: every command that clears or replaces a folder calls it.
"""

from __future__ import annotations

import errno
import json
import math
import os
import re
import shutil
import signal
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

# The atomic writes are atomic.py's (model-free, so that folds may use them too); the commands name them here.
from .atomic import atomic_write_bytes as atomic_write_bytes
from .atomic import atomic_write_json as atomic_write_json
from .atomic import atomic_write_text
from .errors import AdapterkitError
from .overlap import clash

MARKER = ".adapterkit-run"
MANIFEST = "adapterkit.json"

# kind -> what it is called in messages
KINDS: dict[str, str] = {
    "result": "adapter or model folder",  # recognised by its manifest
    "vocab": "vocab extend output",  # marker, or its manifest of kind "vocabulary-extension"
    "pretrain-run": "pretrain run folder",
    "finetune-run": "finetune run folder",
    "cv-run": "cv run folder",
    "compare-run": "compare run folder",
    "recipe-run": "recipe run folder",
}
VOCAB_MANIFEST_KINDS = ("vocabulary-extension", "new-vocabulary")  # vocab extend / vocab build --mode new


def write_marker(folder: Path, kind: str) -> None:
    """Mark ``folder`` as a ``kind`` adapterkit wrote (so that a later ``--force`` may replace it).

    Only a folder adapterkit creates here (absent or empty) is marked: pointing a run at a folder
    of the user's (``--run-dir .``) must not make that folder replaceable later.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown folder kind {kind!r}")
    if folder.is_dir() and any(folder.iterdir()):
        return
    folder.mkdir(parents=True, exist_ok=True)
    atomic_write_text(folder / MARKER, kind + "\n")


def marked_kind(folder: Path) -> str | None:
    try:
        return (folder / MARKER).read_text(encoding="utf-8").strip() or None
    except (OSError, UnicodeDecodeError):
        return None


def _manifest_kind(folder: Path) -> str | None:
    """The ``kind`` of the folder's manifest; None without a readable one."""
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return str(data.get("kind", "")) if isinstance(data, dict) else None


def _protected(folder: Path) -> str | None:
    """Why ``folder`` (resolved) may never be replaced, if it is one of the places never touched."""
    cwd = Path.cwd().resolve()
    home = Path.home().resolve()
    if folder == Path(folder.anchor):
        return "it is the root of the file system"
    if folder == cwd:
        return "it is the current folder"
    if cwd.is_relative_to(folder):
        return "it contains the current folder"
    if folder == home or home.is_relative_to(folder):
        return "it is or contains the home folder"
    from .paths import registry_dir

    if folder == registry_dir().resolve():
        return "it is the adapter registry"
    return None


def check_replaceable(
    folder: Path, kind: str, inputs: Iterable[Path | str] = (), action: str = "--force will not replace"
) -> None:
    """Refuse, in one line, to replace ``folder`` unless adapterkit wrote it as a ``kind``.

    Absent folders pass (nothing to replace). Never replaced: a file or link where a folder goes,
    the file system root, the current folder or any folder above it, the home folder, the
    registry, a folder holding any of ``inputs`` (the files and folders the run reads), a folder
    holding adapterkit results of its own (a registry or ``models/``), and any folder without the
    marker or manifest of a ``kind``. ``action`` starts the message (what was about to happen).
    """
    what = KINDS[kind]
    path = Path(folder)
    if not path.exists() and not path.is_symlink():
        return
    refuse = f"{action} {path}"
    if path.is_symlink():
        raise AdapterkitError(f"{refuse}: it is a symbolic link; remove the link or choose another folder")
    if not path.is_dir():
        raise AdapterkitError(f"{refuse}: it is a file, not a {what}; choose another folder")
    resolved = path.resolve()
    reason = _protected(resolved)
    if reason:
        raise AdapterkitError(f"{refuse}: {reason}; choose another folder")
    for item in inputs:
        item_path = Path(item)
        if not item_path.exists() and "=" in str(item):  # --data LANG=PATH
            item = str(item).split("=", 1)[1]
            item_path = Path(item)
        how = clash(resolved, item_path) if item_path.exists() else None
        if how in ("is", "contains"):  # the one output-over-input rule (overlap.py)
            raise AdapterkitError(f"{refuse}: it {how} {item}, an input of this run; choose another folder")
    marked = marked_kind(resolved)
    if marked == kind or not any(resolved.iterdir()):  # its own kind, or an empty folder: nothing to lose
        return
    manifest_kind = _manifest_kind(resolved)
    if kind == "result" and manifest_kind not in (None, *VOCAB_MANIFEST_KINDS):
        return
    if kind == "vocab" and manifest_kind in VOCAB_MANIFEST_KINDS:
        return
    if marked is not None or manifest_kind is not None:
        found = KINDS.get(marked or "", f"{(manifest_kind or marked)!r} folder")
        raise AdapterkitError(f"{refuse}: adapterkit wrote it as a {found}, not as a {what}; choose another folder")
    if any((child / MANIFEST).is_file() for child in resolved.iterdir() if child.is_dir()):
        raise AdapterkitError(f"{refuse}: it holds adapterkit results (a registry or models folder); name one of them")
    raise AdapterkitError(
        f"{refuse}: adapterkit did not write it (no {MARKER} marker or {MANIFEST}); "
        "choose another folder, or remove it yourself"
    )


# --------------------------------------------------------------------------------------------- writes


def check_destination_file(path: Path, option: str) -> None:
    """Refuse, before any work, an output file that cannot be written as a new regular file."""
    path = Path(path)
    if path.is_symlink():  # replaced atomically, a link would become a file: its target never written
        raise AdapterkitError(f"{option} {path}: it is a symbolic link; give the path of a plain file")
    if path.exists() and not path.is_file():
        what = "a folder" if path.is_dir() else "not a regular file (a device, a pipe)"
        raise AdapterkitError(f"{option} {path}: it is {what}; give a file name")
    existing = _existing_ancestor(path, option)
    if not existing.is_dir():
        raise AdapterkitError(f"{option} {path}: {existing} is a file, so not a folder; choose another place")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise AdapterkitError(f"{option} {path}: the folder {existing} is not writable; choose another place")


def _existing_ancestor(path: Path, option: str) -> Path:
    """The nearest folder above ``path`` that exists (what a write there depends on); a broken link refused."""
    existing = path.absolute().parent
    while not existing.exists() and not existing.is_symlink() and existing != existing.parent:
        existing = existing.parent
    if existing.is_symlink() and not existing.exists():
        raise AdapterkitError(
            f"{option} {path}: {existing} is a broken or looping symbolic link; fix it or choose another place"
        )
    return existing


def check_destination_folder(path: Path, option: str) -> None:
    """Refuse, before any work, an output folder that cannot be made: a file there or above, no write access."""
    if path.exists() and not path.is_dir():
        raise AdapterkitError(f"{option} {path}: {path.name} is a file, not a folder; choose a folder")
    existing = _existing_ancestor(path, option)
    if not existing.is_dir():
        raise AdapterkitError(f"{option} {path}: {existing} is a file, so not a writable folder; choose another place")
    if not path.exists() and not os.access(existing, os.W_OK | os.X_OK):
        raise AdapterkitError(f"{option} {path}: the folder {existing} is not writable; choose another place")


# A failed write reported by a library in its own words: safetensors quotes the OS error, torch's
# zip writer only says its stream broke.
_OS_ERROR_TEXT = re.compile(r"os error (\d+)")
_TORCH_WRITE_FAILURE = re.compile(r"PytorchStreamWriter failed|unexpected pos \d+ vs \d+|file write failed")


def write_failure(error: BaseException, path: Path) -> OSError | None:
    """The operating-system error behind a failed write of ``path`` (an OSError naming the path), if any.

    Libraries wrap a full disk differently (an OSError without a file name, a SafetensorError
    quoting ``os error 28``, a torch RuntimeError); the user needs the path and the reason.
    """
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, OSError) and seen.errno is not None:
            # a file inside the destination is named; a temporary or staging one (beside it) is not
            inside = seen.filename is not None and Path(os.path.abspath(seen.filename)).is_relative_to(
                os.path.abspath(path)
            )
            return OSError(seen.errno, seen.strerror, str(seen.filename if inside else path))
        match = _OS_ERROR_TEXT.search(str(seen))
        if match:
            code = int(match.group(1))
            return OSError(code, os.strerror(code), str(path))
        if _TORCH_WRITE_FAILURE.search(str(seen)):
            existing = Path(path)
            while not existing.exists() and existing != existing.parent:
                existing = existing.parent
            if shutil.disk_usage(existing).free < 1 << 20:
                return OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
            return OSError(errno.EIO, "the write failed (disk full or file too large?)", str(path))
        seen = seen.__cause__ or seen.__context__
    return None


@contextmanager
def writing(path: Path) -> Iterator[None]:
    """Turn a failed write of ``path`` inside the block into an OSError naming ``path``."""
    try:
        yield
    except Exception as error:
        failure = write_failure(error, path)
        if failure is None:
            raise
        raise failure from error


# --------------------------------------------------------------------------------------------- values


def check_finite_options(**options: float | None) -> None:
    """Refuse nan and inf given for options that must be finite (``--lr nan`` parses as a float)."""
    for name, value in options.items():
        if value is not None and not math.isfinite(value):
            option = "--" + name.replace("_", "-")
            raise AdapterkitError(f"{option} {value}: expected a finite number")


def check_finite_weights(model, what: str) -> None:
    """Refuse to save weights that hold nan or inf (a diverged run): one line, nothing written."""
    import torch

    bad = []
    for name, tensor in model.state_dict().items():
        if torch.is_tensor(tensor) and tensor.is_floating_point() and not torch.isfinite(tensor).all():
            bad.append(name)
    if bad:
        raise AdapterkitError(
            f"{what}: {len(bad)} weight tensor(s) hold nan or inf (first: {bad[0]}); training diverged, so "
            "nothing was saved; lower --lr or check the data"
        )


# --------------------------------------------------------------------------------------------- interrupts

_interrupt_hint: str | None = None


class Terminated(KeyboardInterrupt):
    """SIGTERM: what a cluster's scheduler (SLURM, Kubernetes) sends before it kills a job.

    Handled as ctrl-C is (it is a KeyboardInterrupt), with exit code 143 (128 + 15). Inside a
    training loop (``deferring_termination``) the first SIGTERM only asks the loop to stop: the
    step under way ends, a checkpoint is written, then this is raised; a second SIGTERM, or one
    outside a training loop, raises it at once.
    """


_termination = {"requested": False, "deferring": False}


def handle_termination() -> None:
    """Install the SIGTERM handler (once per process, from the main thread; elsewhere nothing)."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _on_sigterm)


def _on_sigterm(signum: int, frame: object) -> None:
    again = _termination["requested"]
    _termination["requested"] = True
    if _termination["deferring"] and not again:
        return  # the training loop stops at the end of its step (training.checkpoints)
    raise Terminated


def termination_requested() -> bool:
    """A SIGTERM came (the training loop reads this after every step; the CLI to choose exit 143)."""
    return _termination["requested"]


def take_termination() -> bool:
    """Whether a SIGTERM came; forgets it (the CLI, once it has reported it)."""
    requested, _termination["requested"] = _termination["requested"], False
    return requested


@contextmanager
def deferring_termination() -> Iterator[None]:
    """Inside: a first SIGTERM only sets ``termination_requested()`` (the loop checks it after each step).

    Only in a single process: under torchrun each process would stop at its own step and the others
    would wait for it forever, so there the SIGTERM stops the process at once (as ctrl-C does).
    """
    alone = int(os.environ.get("WORLD_SIZE", "1")) <= 1
    before = _termination["deferring"]
    _termination["deferring"] = alone
    try:
        yield
    finally:
        _termination["deferring"] = before


@contextmanager
def on_interrupt(describe: Callable[[], str | None]) -> Iterator[None]:
    """On ctrl-C or SIGTERM inside the block, record ``describe()`` (what continues the work) for the CLI's line.

    The outermost block sets the hint last, so a recipe's hint wins over its step's. After a SIGTERM
    a hint about ``--resume`` names the whole command to run (a job script can requeue it).
    """
    global _interrupt_hint
    try:
        yield
    except KeyboardInterrupt:
        try:
            _interrupt_hint = describe()
            if _interrupt_hint and termination_requested() and "`--resume`" in _interrupt_hint:
                from .invocation import command_line

                command = command_line()
                _interrupt_hint += f": {command}{'' if ' --resume' in command else ' --resume'}"
        except Exception:  # a hint must never hide the interruption itself
            _interrupt_hint = None
        raise


def take_interrupt_hint() -> str | None:
    global _interrupt_hint
    hint, _interrupt_hint = _interrupt_hint, None
    return hint


def checkpoint_step(folder: Path) -> tuple[int, Path] | None:
    """(step, folder) of the newest complete Trainer checkpoint under ``folder``; nothing removed."""
    if not folder.is_dir():
        return None
    steps = []
    for child in folder.iterdir():
        name = child.name
        if child.is_dir() and name.startswith("checkpoint-") and name[11:].isdigit():
            try:
                json.loads((child / "trainer_state.json").read_text())
            except (OSError, ValueError):
                continue
            steps.append((int(name[11:]), child))
    return max(steps) if steps else None


def resume_hint(checkpoints: Path, unit: str = "") -> str:
    found = checkpoint_step(checkpoints)
    if found is None:
        return "no checkpoint had been written yet: rerun the command to start again"
    step, where = found
    return f"`--resume` continues from {unit}step {step} ({where})"
