"""The adapter registry: one folder per named adapter, written atomically.

``adapters/<name>/`` holds what ``peft.PeftModel.from_pretrained`` reads
(``adapter_config.json``, ``adapter_model.safetensors``), a model card ``README.md`` and the
manifest ``adapterkit.json``. A folder is built under a temporary name in the registry and
renamed into place, so a reader sees the old adapter or the new one, never a half-written one.
"""

from __future__ import annotations

import json
import re
import shutil
import uuid
from collections.abc import Callable
from pathlib import Path

from .errors import AdapterkitError

MANIFEST = "adapterkit.json"
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+-]{0,99}$")


def check_name(name: str, option: str = "--name") -> str:
    if not NAME.match(name) or ".." in name:
        raise AdapterkitError(
            f"{option} {name!r}: use letters, digits and . _ + - (at most 100 characters, not starting with a symbol)"
        )
    return name


class Registry:
    def __init__(self, root: Path):
        self.root = root

    def path(self, name: str) -> Path:
        return self.root / check_name(name)

    def ensure_free(self, name: str, force: bool) -> None:
        """Refuse an existing name unless ``force``; checked before any work is done."""
        if self.path(name).exists() and not force:
            raise AdapterkitError(
                f"adapter {name!r} already exists in {self.root}: choose another --name, or add --force to replace it"
            )

    def save(self, name: str, write: Callable[[Path], None], force: bool = False) -> Path:
        """Build the folder with ``write(staging_dir)`` and move it into place atomically."""
        self.ensure_free(name, force)
        self.root.mkdir(parents=True, exist_ok=True)
        target = self.path(name)
        staging = self.root / f".tmp-{name}-{uuid.uuid4().hex[:8]}"
        try:
            staging.mkdir()
            write(staging)
            if not (staging / MANIFEST).is_file():
                raise RuntimeError(f"an adapter folder must contain {MANIFEST}")
            if target.exists():
                retired = self.root / f".old-{name}-{uuid.uuid4().hex[:8]}"
                target.rename(retired)
                staging.rename(target)
                shutil.rmtree(retired, ignore_errors=True)
            else:
                staging.rename(target)
        finally:
            if staging.exists():
                shutil.rmtree(staging, ignore_errors=True)
        return target

    def manifest(self, name: str) -> dict:
        folder = self.path(name)
        file = folder / MANIFEST
        if not file.is_file():
            raise AdapterkitError(f"no adapter named {name!r} in {self.root} (see: adapterkit adapters list)")
        try:
            return json.loads(file.read_text())
        except json.JSONDecodeError as error:
            raise AdapterkitError(f"{file}: not valid JSON ({error.msg} at line {error.lineno})") from None

    def names(self) -> list[str]:
        if not self.root.is_dir():
            return []
        return sorted(p.name for p in self.root.iterdir() if p.is_dir() and (p / MANIFEST).is_file())

    def remove(self, name: str) -> None:
        folder = self.path(name)
        if not (folder / MANIFEST).is_file():
            raise AdapterkitError(f"no adapter named {name!r} in {self.root} (see: adapterkit adapters list)")
        retired = self.root / f".old-{name}-{uuid.uuid4().hex[:8]}"
        folder.rename(retired)  # atomic: the name disappears at once
        shutil.rmtree(retired)


def write_json(path: Path, data: dict) -> None:
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
