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
