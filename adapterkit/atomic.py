"""Atomic file writes: a reader, an error, a full disk or a kill sees the old file or the new one.

The one way adapterkit writes a file it may later read back (``safety`` re-exports it; the
registry's ``write_json``/``write_text`` and the fold files use it): the bytes go to a fresh
temporary file in the same folder (``.NAME.tmp-XXXXXXXX``, opened exclusively, so never through a
link planted there), are flushed and fsynced, and replace the destination with one
``os.replace``. On any error, ctrl-C included, the temporary file is removed and the old file is
left as it was. A symbolic link at the destination is refused in one line (neither written
through nor replaced). The new file keeps the permission bits of the file it replaces; a new
name gets the usual ones (0o666 less the umask). No model code here, so that the evaluation
modules (``folds``) may use it too.

``share_as_umask`` gives a folder written by libraries the permissions the user's umask asks for:
safetensors (0.8) creates every weight file ``-rw-------`` whatever the umask, so on a shared
cluster colleagues could list an adapter but not load it.
"""

from __future__ import annotations

import json
import os
import stat
import uuid
from pathlib import Path

from .errors import AdapterkitError


def atomic_write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same folder and one rename.

    A reader, a full disk or a kill sees the old file or the new one, never half of one; the
    temporary file is removed on failure. An ``OSError`` carries the path it concerns.
    """
    atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_bytes(path: Path, data: bytes) -> None:
    path = Path(path)
    if path.is_symlink():  # os.replace would swap the link for a file: its target never written
        raise AdapterkitError(
            f"{path}: it is a symbolic link; adapterkit never writes through links: remove the link "
            "or give the path of a plain file"
        )
    if path.exists() and not path.is_file():
        raise AdapterkitError(f"{path}: it is {'a folder' if path.is_dir() else 'not a regular file'}; not replaced")
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp-{uuid.uuid4().hex[:8]}")
    try:
        with open(temporary, "xb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        mode = _mode_of(path)
        if mode is not None:  # a file rewritten in place kept its bits; a replaced one keeps them too
            os.chmod(temporary, mode)
        os.replace(temporary, path)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        if error.filename is None or Path(error.filename) == temporary:
            raise OSError(error.errno, error.strerror, str(path)) from None
        raise
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def atomic_write_json(path: Path, data) -> None:
    atomic_write_text(path, json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def _mode_of(path: Path) -> int | None:
    """The permission bits of the file at ``path``; None when there is none yet."""
    try:
        return stat.S_IMODE(os.lstat(path).st_mode)
    except FileNotFoundError:
        return None


def current_umask() -> int:
    """The process's umask (read by setting it and putting it back)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def share_as_umask(folder: Path) -> None:
    """Every file under ``folder`` 0o666 less the umask, every folder 0o777 less it (as open/mkdir make them).

    Links are left alone (never followed). For result folders adapterkit builds; a library that
    writes its files private (safetensors) would otherwise hide the weights from the user's group.
    """
    mask = current_umask()
    for root, folders, files in os.walk(folder):
        os.chmod(root, 0o777 & ~mask)
        for name in files:
            path = os.path.join(root, name)
            if not os.path.islink(path):
                os.chmod(path, 0o666 & ~mask)
        folders[:] = [name for name in folders if not os.path.islink(os.path.join(root, name))]
