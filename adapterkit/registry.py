"""The adapter registry: one folder per named adapter, written atomically, checked on load.

``adapters/<name>/`` holds what ``peft.PeftModel.from_pretrained`` reads
(``adapter_config.json``, ``adapter_model.safetensors``), a model card ``README.md`` and the
manifest ``adapterkit.json``. ``Registry.save`` is the one place results are written (adapters,
and the full-model folders in ``models/`` through a ``Registry`` rooted there):

- **Atomic.** The folder is built as ``.tmp-<name>-<hex>`` in the same parent and swapped into
  place with one ``renameat2(RENAME_EXCHANGE)`` (Linux), so a reader — or a process killed at
  any moment — sees the old folder or the new one, never a mix. Where the exchange is not
  available the old folder is first renamed to ``.old-<name>-<hex>``; a crash between the two
  renames is repaired (the old folder put back) by the next writer of that name. Dot-folders are
  never listed as adapters, and stale ones are removed under the name's lock.
- **Locked.** A name is reserved with an OS file lock on ``.<name>.lock`` beside it (``locks.py``:
  filelock's descriptor lock, the file opened without following symlinks). The lock
  belongs to the open file, so a killed process never leaves a stale lock (the leftover empty
  file is taken over by the next writer). Writers reserve the name *before* their work —
  ``with registry.reserve(name, force): train(); registry.save(...)`` — and hold it until the
  folder is in place: a second process asking for the same name is refused at once, with the
  holder's pid, instead of learning about the conflict after hours of training. The
  "already exists" check runs under the lock, so two processes cannot both pass it. A process
  that reads an adapter holds it (``Registry.hold``); ``remove`` waits for such readers, bounded.
- **No links out.** An adapter folder that is a symbolic link is not listed, read or written
  through (``rm`` removes the link, never what it points to); lock and marker files are opened
  with ``O_NOFOLLOW``; a symlink inside an adapter folder is refused before loading.
- **Integrity.** ``save`` records the sha256 of every ``.safetensors`` file in the manifest
  (``"sha256": {relative path: hex digest}``); ``verify_weights`` checks them before weights are
  loaded and turns corrupted or truncated files into a one-line error naming the file.
  Hashing is cheap next to training (about 1 GB/s; mBERT's 711 MB model in under a second), so
  full-model folders are hashed and checked too.
"""

from __future__ import annotations

import ctypes
import difflib
import errno
import json
import os
import re
import shutil
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import replace
from pathlib import Path

from . import locks
from .atomic import atomic_write_text, share_as_umask
from .errors import AdapterkitError
from .integrity import HASHES as HASHES  # the manifest's hash key; cli reads it from here
from .integrity import file_sha256, weight_files, weight_problems
from .manifest import (
    MANIFEST,
    MANIFEST_FIX,
    NAME,
    SCHEMA_VERSION,
    AdapterManifest,
    read_adapter_config,
    read_adapter_manifest,
    read_json,
    tensor_problems,
)
from .manifest import read_manifest as read_checked_manifest
from .safety import check_replaceable, writing

_STAGING = re.compile(r"^\.(tmp|old|rm)-(?P<name>.+)-[0-9a-f]{8}$")


def check_name(name: object, option: str = "--name") -> str:
    """A name used as a file name (adapters, models, recipes, recipe steps): no path, no control character.

    ``fullmatch``, not ``match`` with ``$``: ``$`` also matches before a trailing newline.
    """
    if not isinstance(name, str) or not NAME.fullmatch(name) or ".." in name:
        raise AdapterkitError(
            f"{option} {name!r}: use letters, digits and . _ + - (at most 100 characters, not starting with a symbol)"
        )
    return name


# --------------------------------------------------------------------------------------------- integrity


def record_hashes(folder: Path, expected: Mapping[str, str] | None = None) -> AdapterManifest:
    """Add the sha256 of every weight file to the folder's manifest; returns the manifest.

    The manifest a command just wrote is validated here (``AdapterManifest.from_dict``), so a
    manifest adapterkit could not read back is never saved, and gets this version's ``schema_version``.
    ``expected`` (a pulled adapter: the digests its shared manifest records) is what gets recorded,
    after every file it names, and every weight file, is checked against it; a mismatch is refused.
    """
    manifest_file = folder / MANIFEST
    written = read_json(manifest_file, MANIFEST_FIX)
    manifest = AdapterManifest.from_dict(written, manifest_file)
    if isinstance(written, dict) and "schema_version" not in written:  # written just now, by this version
        manifest = replace(manifest, schema_version=SCHEMA_VERSION)
    hashes = {name: file_sha256(folder / name) for name in weight_files(folder)}
    if expected is not None:
        for name in sorted(set(hashes) | set(expected)):
            file = folder / name
            outside = not file.resolve().is_relative_to(folder.resolve())
            if outside or name not in expected or not file.is_file() or file_sha256(file) != expected[name]:
                raise AdapterkitError(f"{name}: does not have the sha256 that was shared for it; nothing was saved")
        hashes = dict(sorted(expected.items()))
    manifest = replace(manifest, sha256=hashes)
    write_json(manifest_file, manifest.to_dict())
    return manifest


def read_manifest(file: Path) -> dict:
    """The folder's ``adapterkit.json``, checked against its schema (``manifest.py``)."""

    return read_checked_manifest(file)


def check_writable(path: Path, option: str) -> None:
    """Refuse, before any work, a destination whose nearest existing ancestor is no writable folder."""
    existing = Path(path).absolute()
    # a dangling or looping symbolic link "does not exist" but blocks the path all the same
    while not existing.exists() and not existing.is_symlink() and existing != existing.parent:
        existing = existing.parent
    if not (existing.is_dir() and os.access(existing, os.W_OK | os.X_OK)):
        what = (
            "a file"
            if existing.is_file()
            else "a broken or looping symbolic link"
            if existing.is_symlink() and not existing.exists()
            else "not writable"
        )
        raise AdapterkitError(f"{option} {path}: {existing} is {what}, so not a writable folder; choose another")


# --------------------------------------------------------------------------------------------- atomic swap


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (Linux ``renameat2(RENAME_EXCHANGE)``); False where unsupported."""
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError, TypeError):  # TypeError: Windows has no process-wide CDLL(None)
        return False
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(a), None, str(b))


def _fsync_tree(folder: Path) -> None:
    """Flush the new files to disk before they become visible under the adapter's name."""
    for file in folder.rglob("*"):
        if file.is_file():
            fd = os.open(file, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)


# --------------------------------------------------------------------------------------------- registry


class Registry:
    def __init__(self, root: Path):
        self.root = root

    def path(self, name: str) -> Path:
        return self.root / check_name(name)

    def lock_path(self, name: str) -> Path:
        return self.root / f".{check_name(name)}.lock"

    def ensure_free(self, name: str, force: bool, inputs: Sequence[Path | str] = ()) -> None:
        """Refuse an existing name unless ``force``; checked before any work is done.

        With ``force`` the existing folder must be one adapterkit wrote as a result (its manifest)
        and must not hold an input of the run (``safety.check_replaceable``).
        """
        target = self.path(name)
        if not (target.exists() or target.is_symlink()):
            return
        if not force:
            raise AdapterkitError(
                f"adapter {name!r} already exists in {self.root}: choose another --name, or add --force to replace it"
            )
        check_replaceable(target, "result", inputs)

    @contextmanager
    def reserve(self, name: str, force: bool = False, inputs: Sequence[Path | str] = ()) -> Iterator[Path]:
        """Hold the name's lock for the ``with`` block: take it before training, save inside it.

        The existence check runs under the lock. Under ``torchrun`` only rank 0 writes and locks.
        Stale staging folders of this name (from a killed writer) are cleaned up here.
        """
        if os.environ.get("RANK", "0") != "0":
            yield self.path(name)
            return
        created_root = not self.root.exists()
        check_writable(self.root, "destination")
        self.root.mkdir(parents=True, exist_ok=True)
        lock = locks.NameLock.acquire(self.lock_path(name), f"{self.root / name}")
        try:
            self._repair(name)
            self.ensure_free(name, force, inputs)
            yield self.path(name)
        finally:
            lock.release()
            if created_root and lock.fd is None:
                with suppress(OSError):  # not empty: keep it
                    self.root.rmdir()  # leave no empty registry behind a run that saved nothing

    def _repair(self, name: str) -> None:
        """Under the lock: undo a crash between the fallback's two renames, drop stale staging folders."""
        target = self.path(name)
        stale = sorted(p for p in self.root.iterdir() if (m := _STAGING.match(p.name)) and m["name"] == name)
        if not target.exists():
            for folder in stale:
                if folder.name.startswith(".old-") and (folder / MANIFEST).is_file():
                    folder.rename(target)  # the old adapter, set aside by a save that did not finish
                    stale.remove(folder)
                    break
        for folder in stale:
            shutil.rmtree(folder, ignore_errors=True)

    def save(
        self,
        name: str,
        write: Callable[[Path], None],
        force: bool = False,
        inputs: Sequence[Path | str] = (),
        expected_hashes: Mapping[str, str] | None = None,
    ) -> Path:
        """Build the folder with ``write(staging_dir)``, record weight hashes, swap it into place.

        ``expected_hashes``: the digests to record (checked against the files), not ones computed here.
        """
        with self.reserve(name, force, inputs):
            target = self.path(name)
            staging = self.root / f".tmp-{name}-{uuid.uuid4().hex[:8]}"
            try:
                staging.mkdir()
                with writing(target):  # a full disk: one line naming the destination
                    write(staging)
                    if not (staging / MANIFEST).is_file():
                        raise RuntimeError(f"an adapter folder must contain {MANIFEST}")
                    share_as_umask(staging)  # safetensors writes weights -rw------- whatever the umask
                    record_hashes(staging, expected_hashes)
                    _fsync_tree(staging)
                if not target.exists():
                    staging.rename(target)
                elif not _exchange(staging, target):
                    retired = self.root / f".old-{name}-{uuid.uuid4().hex[:8]}"
                    target.rename(retired)
                    staging.rename(target)
                    if retired.is_symlink():
                        retired.unlink()
                    else:
                        shutil.rmtree(retired, ignore_errors=True)
            finally:
                if staging.is_symlink():  # the exchange replaced a link: remove the link, not its target
                    staging.unlink()
                elif staging.exists():  # after an exchange: the old folder; after a failure: the partial one
                    shutil.rmtree(staging, ignore_errors=True)
        return target

    def manifest(self, name: str) -> dict:
        """Adapter ``name``'s manifest as a validated dict (see ``adapter_manifest`` for the typed one)."""
        return read_manifest(self._manifest_file(name))

    def adapter_manifest(self, name: str, complete: bool = False) -> AdapterManifest:
        """Adapter ``name``'s manifest, typed; ``complete``: with all its kind records (``check_manifest``)."""
        return read_adapter_manifest(self._manifest_file(name), complete)

    def _manifest_file(self, name: str) -> Path:
        file = self.path(name) / MANIFEST
        if not file.is_file():
            raise AdapterkitError(
                f"no adapter named {name!r} in {self.root}{self.did_you_mean(name)} (see: adapterkit adapters list)"
            )
        self.check_not_link(name)  # the registry never reads through a link out of itself
        return file

    def check_not_link(self, name: str) -> None:
        """Refuse an adapter folder that is a symbolic link: the registry never follows one out of itself."""
        folder = self.path(name)
        if folder.is_symlink():
            raise AdapterkitError(
                f"{folder} is a symbolic link (to {os.readlink(folder)}); adapterkit does not read or write "
                f"adapters through links: copy the adapter into the registry, or remove the link "
                f"(adapterkit adapters rm {name} removes the link only)"
            )

    def did_you_mean(self, name: str) -> str:
        """``; did you mean 'nl-clin'?`` when a registry name is close to ``name`` (a typo), else ``""``."""
        close = difflib.get_close_matches(name, self.names(), n=1, cutoff=0.75)
        return f"; did you mean {close[0]!r}?" if close else ""

    def names(self) -> list[str]:
        if not self.root.is_dir():
            return []
        return sorted(
            p.name
            for p in self.root.iterdir()
            if not p.name.startswith(".") and not p.is_symlink() and p.is_dir() and (p / MANIFEST).is_file()
        )

    def verify(self, name: str) -> list[str]:
        """Problems with adapter ``name``: weight hashes, adapter_config.json, the tensors against it.

        The tensors' shapes are checked against the base's modules when the base is available
        here without a download (nothing is downloaded to verify).
        """

        folder = self.path(name)
        manifest = self.adapter_manifest(name)
        problems = weight_problems(folder, manifest)
        if problems or not (folder / "adapter_config.json").is_file():
            return problems
        try:
            config = read_adapter_config(folder / "adapter_config.json")
        except AdapterkitError as error:
            return [str(error)]
        return tensor_problems(folder, config, _local_base_model(manifest))

    def hold(self, name: str) -> None:
        """This process reads adapter ``name``: ``remove`` waits until the command ends (see ``locks.py``)."""
        if os.environ.get("RANK", "0") != "0" or not self.root.is_dir():
            return  # under torchrun rank 0's hold covers the job; no registry: nothing to hold
        with suppress(PermissionError):  # a registry this user may only read: no mark, and no rm by this user
            locks.hold(self.root, check_name(name))

    def remove(self, name: str, wait: float = 10.0) -> None:
        """Delete adapter ``name``; wait up to ``wait`` seconds for processes reading it, then refuse.

        The folder is renamed away (the name disappears at once) and the readers checked again:
        a reader that started between the check and the rename gets the folder back.
        """
        folder = self.path(name)
        if folder.is_symlink():  # remove the link, never what it points to (not a --force replacement)
            lock = locks.NameLock.acquire(self.lock_path(name), f"{folder}")
            try:
                folder.unlink()
            finally:
                lock.release()
            return
        if not (folder / MANIFEST).is_file():
            raise AdapterkitError(
                f"no adapter named {name!r} in {self.root}{self.did_you_mean(name)} (see: adapterkit adapters list)"
            )
        deadline = time.monotonic() + max(wait, 0.0)
        with self.reserve(name, force=True):
            while True:
                readers = locks.live_readers(self.root, name)
                if not readers:
                    retired = self.root / f".rm-{name}-{uuid.uuid4().hex[:8]}"
                    folder.rename(retired)  # atomic: the name disappears at once
                    readers = locks.live_readers(self.root, name)
                    if not readers:
                        shutil.rmtree(retired)
                        return
                    retired.rename(folder)  # a reader came in between: give it back
                if time.monotonic() >= deadline:
                    pids = ", ".join(sorted(set(readers)))
                    raise AdapterkitError(
                        f"adapter {name!r} is in use by adapterkit process(es) {pids} (compose, eval-mlm, finetune, "
                        "cv, compare, predict or push reading it); wait for them to finish, or give a longer --wait"
                    )
                time.sleep(0.2)


_BASES: dict[str, object] = {}


def _local_base_model(manifest: AdapterManifest):
    """The masked-LM base of a language/domain/composed adapter if it is here without a download, else None."""
    if manifest.kind not in ("language", "domain", "composed"):
        return None  # task adapters sit on a task model, full models have no adapter
    from .models import base_of, load_masked_lm

    try:
        base = base_of(manifest, local_only=True)
        key = str(base.path)
        if key not in _BASES:
            _BASES[key] = load_masked_lm(base)[0]
        return _BASES[key]
    except AdapterkitError:
        return None


def write_json(path: Path, data: dict) -> None:
    write_text(path, json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically (``atomic_write_text``); a symlink there is refused, not followed."""
    atomic_write_text(path, text)
