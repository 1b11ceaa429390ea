"""Where adapterkit keeps things: the registry, the cache and the shared data."""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
STANDIN_CORPORA_DIR = PACKAGE_DIR / "data" / "corpora"


def cache_dir() -> Path:
    """Materialised bases and tokenized corpora (``ADAPTERKIT_CACHE``, default ``~/.cache/adapterkit``)."""
    env = os.environ.get("ADAPTERKIT_CACHE")
    return Path(env) if env else Path.home() / ".cache" / "adapterkit"


def registry_dir(option: Path | None = None) -> Path:
    """The adapter registry: ``--registry``, else ``ADAPTERKIT_REGISTRY``, else ``./adapters``."""
    if option is not None:
        return option
    env = os.environ.get("ADAPTERKIT_REGISTRY")
    return Path(env) if env else Path("adapters")


def shared_data_dir() -> Path:
    """The open corpora beside the project (``ADAPTERKIT_DATA``, default ``../shared/data``)."""
    env = os.environ.get("ADAPTERKIT_DATA")
    return Path(env) if env else PACKAGE_DIR.parent.parent / "shared" / "data"


def folder_name(label: str) -> str:
    """A variant label or run id as one folder name (``base+nl-clin`` stays, ``a/b`` becomes ``a_b``).

    cv and compare name their folders with it and the report finds them again with it."""
    return "".join(ch if ch.isalnum() or ch in "-_.+" else "_" for ch in label).strip("._") or "variant"
