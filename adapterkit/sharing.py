"""What leaves the machine on ``push``: manifests and cards without the trainer's folders.

Clinical corpora live in folders whose names can identify people, departments and systems
(``/home/jdoe/cardiology/patients/notes-2024.txt``). Everything ``push`` uploads (and
``push --out`` writes) therefore names corpus and data files by their file name and sha256 only;
``--card-paths`` opts in to paths relative to the current folder (a file outside it still shows
its name only, never ``../``). Any other absolute path a manifest or an adapter config holds (a
local base folder, a checkpoint resumed from, a composed part's folder) is cut to its last
component. The manifest's ``private`` section (the canary lines of ``pretrain --canaries``) never
leaves the machine. The copies kept in the local registry are not changed.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path, PurePosixPath, PureWindowsPath

from .manifest import AdapterManifest

NAMES_ONLY = "file names only"
RELATIVE = "relative to the folder push ran in"
_WINDOWS_ABSOLUTE = re.compile(r"^(?:[A-Za-z]:[\\/]|\\\\)")


def is_absolute_path(text: str) -> bool:
    """An absolute POSIX or Windows path, or one under a home folder (``~``)."""
    return text.startswith(("/", "~")) or bool(_WINDOWS_ABSOLUTE.match(text))


def last_component(text: str) -> str:
    """The final name of a path written on any system."""
    parts = PureWindowsPath(text).parts if _WINDOWS_ABSOLUTE.match(text) else PurePosixPath(text).parts
    return parts[-1] if parts and parts[-1] not in ("/", "~") else ""


def shared_path(text: str, card_paths: bool = False, cwd: Path | None = None) -> str:
    """How a local file is named in what is shared: its name, or (``card_paths``) its path relative to
    ``cwd`` when it lies inside it. ``hf:`` Hub ids and a ``LANG=`` prefix are kept; an ``hf:`` dataset
    read from a local folder is named like any local path."""
    if text.startswith("hf:"):
        name = text.removeprefix("hf:")
        return "hf:" + shared_path(name, card_paths, cwd) if is_absolute_path(name) else text
    prefix, sep, rest = text.partition("=")
    if sep and "/" not in prefix and "\\" not in prefix and rest:
        return f"{prefix}={shared_path(rest, card_paths, cwd)}"
    if card_paths:
        here = (cwd or Path.cwd()).resolve()
        try:
            return Path(text).expanduser().resolve().relative_to(here).as_posix()
        except ValueError:
            pass  # outside the folder: a ../ path would show where it lies, so the name only
    return last_component(text) or text


def scrub(value, key: str | None = None):
    """``value`` with every absolute path cut to its last component (recursively), and every ``path``
    entry cut to its name (a relative folder may also be telling)."""
    if isinstance(value, dict):
        return {k: scrub(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [scrub(item, key) for item in value]
    if isinstance(value, str) and (is_absolute_path(value) or (key == "path" and not value.startswith("hf:"))):
        return last_component(value) or value
    return value


def shareable_manifest(manifest: AdapterManifest | Mapping, card_paths: bool = False, cwd: Path | None = None) -> dict:
    """The manifest as ``push`` uploads it: corpus files by name (or relative path) and sha256, no
    absolute path anywhere, and the base marked ``local`` when it was a folder (not a Hub id)."""
    from .card import hub_base_id

    typed = AdapterManifest.of(manifest)
    corpus = typed.corpus
    if corpus is not None and corpus.files is not None:
        files = [replace(record, path=shared_path(str(record.path or ""), card_paths, cwd)) for record in corpus.files]
        corpus = replace(corpus, files=files, paths=RELATIVE if card_paths else NAMES_ONLY)
    base = typed.base
    if hub_base_id(typed) is None and base.id != "minilm":
        base = replace(base, local=True)  # its id is a folder name here, not a Hub model
    data = replace(typed, base=base.without("path"), corpus=corpus).without("private").to_dict()
    shared = scrub({key: value for key, value in data.items() if key != "corpus"})
    if "corpus" in data:  # already named as asked; only absolute paths elsewhere in it go
        named = data["corpus"]
        shared["corpus"] = scrub({key: value for key, value in named.items() if key != "files"})
        if "files" in named:
            shared["corpus"]["files"] = named["files"]
    return shared


def data_digest(path: Path) -> str | None:
    """sha256 of a data file, or of a folder (its files' relative names and contents, in sorted
    order); None when it is not here any more."""
    digest = hashlib.sha256()
    if path.is_file():
        files = [(path.name, path)]
    elif path.is_dir():
        files = [(p.relative_to(path).as_posix(), p) for p in sorted(path.rglob("*")) if p.is_file()]
    else:
        return None
    for name, file in files:
        if path.is_dir():
            digest.update(name.encode("utf-8") + b"\0")
        with open(file, "rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
    return digest.hexdigest()


def shared_data_entry(item: str, card_paths: bool = False, cwd: Path | None = None) -> dict:
    """A ``--data`` entry of a recorded run as shared: its name (or relative path) and sha256."""
    if item.startswith("hf:"):
        return {"name": shared_path(item, card_paths, cwd), "sha256": None}
    _, sep, rest = item.partition("=")
    local = rest if sep and rest and "/" not in item.split("=")[0] else item
    return {"name": shared_path(item, card_paths, cwd), "sha256": data_digest(Path(local).expanduser())}
