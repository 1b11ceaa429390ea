"""Integrity of weight files: the sha256 recorded in a folder's manifest, checked before loading.

``registry.save`` records the hashes; ``verify_weights`` runs before any folder is handed to
``from_pretrained`` (adapters, task models, local bases in ``models.py``). Split from the registry
so that loading a base does not need the store.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path

from .errors import AdapterkitError
from .manifest import MANIFEST, AdapterManifest, read_adapter_manifest

HASHES = "sha256"  # manifest key: {path relative to the folder: hex sha256} of every .safetensors file


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def weight_files(folder: Path) -> list[str]:
    """The ``.safetensors`` files under ``folder``, as sorted relative POSIX paths."""
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*.safetensors") if p.is_file())


def weight_problems(folder: Path, manifest: AdapterManifest | Mapping | None = None) -> list[str]:
    """What is wrong with the weight files of ``folder`` (empty: nothing), one line each.

    Files recorded in the manifest are hashed and compared; files without a record (an older
    manifest, a folder from elsewhere) at least have their safetensors header and size checked,
    which catches truncation.
    """
    from safetensors import safe_open

    recorded = _recorded_hashes(folder, manifest)
    problems = [
        f"{link}: a symbolic link inside the adapter folder; adapterkit does not follow links there: "
        "replace it by the file itself"
        for link in links_inside(folder)
    ]
    for name, expected in sorted(recorded.items()):
        file = _inside(folder, name)
        if not file.is_file():
            problems.append(f"{file}: missing (the manifest records its sha256)")
        elif file_sha256(file) != expected:
            problems.append(
                f"{file}: sha256 does not match {MANIFEST} (corrupted or truncated); re-create or re-download it"
            )
    for name in weight_files(folder):
        if name in recorded:
            continue
        file = folder / name
        try:
            with safe_open(str(file), "pt") as handle:
                handle.keys()  # noqa: SIM118 - opening validates the header against the file size
        except Exception as error:  # SafetensorError, or OSError for unreadable files
            reason = str(error).splitlines()[0] if str(error) else type(error).__name__
            problems.append(f"{file}: not a readable safetensors file ({reason}); the file is corrupted or truncated")
    return problems


def _recorded_hashes(folder: Path, manifest: AdapterManifest | Mapping | None) -> dict[str, str]:
    """The sha256 the manifest records: of the folder's own manifest (read typed) when none is given.

    A dict is a manifest its caller read (``read_manifest``) or is building: only its hashes are used.
    """
    if manifest is None:
        manifest_file = folder / MANIFEST
        manifest = read_adapter_manifest(manifest_file) if manifest_file.is_file() else None
    if isinstance(manifest, AdapterManifest):
        return manifest.sha256 or {}
    return dict((manifest or {}).get(HASHES) or {})


def links_inside(folder: Path) -> list[Path]:
    """Symbolic links in ``folder`` (recursively, links to folders not entered)."""
    return sorted(path for path in folder.rglob("*") if path.is_symlink())


_VERIFIED: set[tuple[tuple[str, int, int], ...]] = set()


def verify_weights(folder: Path, manifest: AdapterManifest | Mapping | None = None) -> None:
    """Raise a one-line error naming the first bad weight file of ``folder``; cached per file state.

    Call it before handing a folder to ``from_pretrained``: transformers and PEFT would otherwise
    fail deep inside with a safetensors error that does not name the file, or load corrupted data.
    """
    links = links_inside(folder)
    if links:
        raise AdapterkitError(
            f"{links[0]}: a symbolic link inside the adapter folder; adapterkit does not follow links there: "
            "replace it by the file itself"
        )
    files = [folder / name for name in weight_files(folder)]
    key = tuple((str(f.resolve()), f.stat().st_size, f.stat().st_mtime_ns) for f in files)
    if key in _VERIFIED:
        return
    problems = weight_problems(folder, manifest)
    if problems:
        raise AdapterkitError(problems[0] + (f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""))
    if key:
        _VERIFIED.add(key)


def _inside(folder: Path, name: str) -> Path:
    """``folder / name``, refusing names that would leave the folder (a manifest is data, not trusted)."""
    file = (folder / name).resolve()
    if not file.is_relative_to(folder.resolve()):
        raise AdapterkitError(f"{folder / MANIFEST}: lists {name!r}, a file outside the adapter folder")
    return folder / name
