"""What several commands do around their work: quiet the libraries, print a table at a sane width."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from pathlib import Path

from ..quiet import quiet_libraries as quiet_libraries  # the commands take it from here with the rest


def print_table(table) -> None:
    """Print a rich table; piped output has no terminal width: do not squeeze names into 80 columns."""
    from rich.console import Console

    Console(width=None if sys.stdout.isatty() else 200).print(table)


def require_inputs(paths: Iterable[Path | str | None]) -> None:
    """Stop at the first input that does not exist, before any model library is imported.

    A mistyped path then costs a fraction of a second, not the seconds torch takes to import.
    ``LANG=PATH`` parts and ``hf:`` datasets are understood; the readers check everything else.
    """
    from ..errors import AdapterkitError

    for path in paths:
        text = str(path)
        if text.startswith("hf:") or os.path.lexists(text):
            continue
        part = text.partition("=")[2]  # LANG=PATH
        if not (part and os.path.lexists(part)):
            raise AdapterkitError(f"{part or text}: no such file or folder")
