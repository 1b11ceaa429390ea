"""Registry locks: one writer per name, readers that hold an adapter against removal.

Both are OS file locks taken through ``filelock.lock_descriptor`` (``flock`` on POSIX,
``LockFileEx`` on Windows): the lock belongs to the open file, so a killed process never leaves
a lock behind. adapterkit opens the lock files itself and hands only the descriptor to filelock,
because a lock file lives in a folder others may write to: it is opened with ``O_NOFOLLOW``
(where the OS has it; elsewhere a symlink is refused by ``lstat`` first) and must be a regular
file, so a symlink planted at ``.<name>.lock`` is refused instead of being followed and written
through (it would otherwise put a pid into whatever file it points to). Nothing is truncated
before the lock is held.

- **Writers** (``NameLock``): an exclusive lock on ``.<name>.lock`` beside the adapter, held
  from before the training until the folder is in place; the holder's pid is written into the
  file for the message a second writer gets.
- **Readers** (``ReaderHold``): a process that reads an adapter (compose, eval-mlm, finetune,
  cv, compare, predict, push) creates ``.readers/<name>@<pid>-<hex>`` in the registry and locks
  it while it runs. ``adapters rm`` looks for such markers whose lock is still held
  (``live_readers``) and waits, bounded, for them to go; a marker whose lock can be taken
  belongs to a dead process and is removed. Markers are released when the CLI command ends
  (``release_holds``) or at the latest when the process exits.
"""

from __future__ import annotations

import atexit
import errno
import os
import stat
import time
import uuid
from contextlib import suppress
from pathlib import Path

from .errors import AdapterkitError

NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
READERS_DIR = ".readers"
_PID_OFFSET = 1  # Windows locks byte 0 of the file: the pid is written after it, where others may read it
_FRESH_S = 5.0  # a reader marker younger than this counts as live even if unlocked (it is being set up)


def open_nofollow(path: Path, flags: int, mode: int = 0o644) -> int:
    """``os.open`` that never follows a symlink at ``path`` and accepts regular files only."""
    if not NOFOLLOW and path.is_symlink():  # no O_NOFOLLOW (Windows): check first
        raise _symlink_error(path)
    try:
        # O_NONBLOCK: a FIFO planted there must not hang the open (it is refused just below)
        extra = NOFOLLOW | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0) | getattr(os, "O_NONBLOCK", 0)
        fd = os.open(path, flags | extra, mode)
    except OSError as error:
        if error.errno in (errno.ELOOP, errno.EMLINK) and path.is_symlink():
            raise _symlink_error(path) from None
        raise
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise AdapterkitError(f"{path}: not a regular file; remove it (adapterkit keeps only its own lock files there)")
    return fd


def _symlink_error(path: Path) -> AdapterkitError:
    return AdapterkitError(
        f"{path}: a symbolic link where adapterkit keeps a lock or temporary file; adapterkit never follows "
        "links there: remove the link"
    )


def _try_lock(fd: int) -> bool:
    from filelock import lock_descriptor

    return lock_descriptor(fd, blocking=False)


def _write_pid(fd: int) -> None:
    os.ftruncate(fd, 0)  # only once the lock is held: the file is ours
    os.lseek(fd, 0, os.SEEK_SET)
    os.write(fd, f"\n{os.getpid()}\n".encode())


def _read_pid(fd: int) -> str:
    try:
        os.lseek(fd, _PID_OFFSET, os.SEEK_SET)
        return os.read(fd, 32).decode(errors="replace").strip() or "?"
    except OSError:
        return "?"


def _unlink_and_close(path: Path, fd: int) -> None:
    """Remove a lock file and close it; on POSIX unlink first, so a waiter that opened it notices."""
    if os.name == "nt":  # Windows cannot remove an open file
        os.close(fd)
        _remove(path)
    else:
        _remove(path)
        os.close(fd)


def _remove(path: Path) -> None:
    with suppress(OSError):  # gone already, or (Windows) still open elsewhere: the next writer takes it over
        path.unlink()


class NameLock:
    """An exclusive lock on ``path`` (a name's ``.<name>.lock``), re-entrant within this process."""

    held: dict[str, NameLock] = {}

    def __init__(self, path: Path):
        self.path = path
        self.fd: int | None = None
        self.depth = 0

    @classmethod
    def acquire(cls, path: Path, what: str) -> NameLock:
        key = os.path.abspath(path)
        lock = cls.held.get(key)
        if lock is None:
            lock = cls(path)
            lock._take(what)
            cls.held[key] = lock
        lock.depth += 1
        return lock

    def _take(self, what: str) -> None:
        while True:
            fd = open_nofollow(self.path, os.O_RDWR | os.O_CREAT)
            if not _try_lock(fd):
                holder = _read_pid(fd)
                os.close(fd)
                raise AdapterkitError(
                    f"{what} is being written by another adapterkit process (pid {holder}, lock {self.path}); "
                    "wait for it to finish or choose another name"
                )
            # The previous holder may have unlinked the file between our open and lock: retry then.
            try:
                same = os.stat(self.path, follow_symlinks=False).st_ino == os.fstat(fd).st_ino
            except FileNotFoundError:
                same = False
            if same:
                _write_pid(fd)
                self.fd = fd
                return
            os.close(fd)

    def release(self) -> None:
        self.depth -= 1
        if self.depth > 0 or self.fd is None:
            return
        del self.held[os.path.abspath(self.path)]
        _unlink_and_close(self.path, self.fd)
        self.fd = None


# --------------------------------------------------------------------------------------------- readers


class ReaderHold:
    """This process reads adapter ``name`` of the registry at ``root``: ``adapters rm`` waits for it."""

    def __init__(self, root: Path, name: str):
        folder = readers_dir(root)
        folder.mkdir(exist_ok=True)
        self.path = folder / f"{name}@{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self.fd: int | None = open_nofollow(self.path, os.O_RDWR | os.O_CREAT | os.O_EXCL)
        from filelock import lock_descriptor

        # Blocking: ``live_readers`` may hold the new file's lock for an instant while it checks it.
        lock_descriptor(self.fd, blocking=True, poll_interval=0.01)
        _write_pid(self.fd)

    def release(self) -> None:
        if self.fd is None:
            return
        _unlink_and_close(self.path, self.fd)
        self.fd = None
        with suppress(OSError):  # other readers' markers are still there
            self.path.parent.rmdir()  # leave no empty .readers folder behind


def readers_dir(root: Path) -> Path:
    folder = root / READERS_DIR
    if folder.is_symlink():
        raise _symlink_error(folder)
    return folder


def live_readers(root: Path, name: str) -> list[str]:
    """The pids of the processes reading adapter ``name`` now; markers of dead processes are removed."""
    folder = readers_dir(root)
    if not folder.is_dir():
        return []
    pids = []
    for marker in sorted(folder.iterdir()):
        owner, at, tail = marker.name.rpartition("@")
        if not at or owner != name:
            continue
        try:
            fd = open_nofollow(marker, os.O_RDWR)
        except (FileNotFoundError, AdapterkitError):
            continue  # released meanwhile, or not a marker of ours
        if _try_lock(fd):  # nobody holds it: the reader died (or is just setting it up)
            if time.time() - os.fstat(fd).st_mtime < _FRESH_S:
                pids.append(tail.split("-")[0])
                os.close(fd)
            else:
                _unlink_and_close(marker, fd)
            continue
        os.close(fd)
        pids.append(tail.split("-")[0])
    return pids


_HOLDS: list[ReaderHold] = []


def hold(root: Path, name: str) -> ReaderHold:
    """Hold adapter ``name`` against removal until ``release_holds`` (the command's end) or exit."""
    reader = ReaderHold(root, name)
    _HOLDS.append(reader)
    return reader


def holds_mark() -> int:
    return len(_HOLDS)


def release_holds(mark: int = 0) -> None:
    """Release the holds taken since ``mark`` (``holds_mark()`` at the start of a command)."""
    while len(_HOLDS) > mark:
        _HOLDS.pop().release()


atexit.register(release_holds)
