"""What several commands do around their work: quiet the libraries, print a table at a sane width."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from pathlib import Path


def quiet_libraries() -> None:
    """Keep library chatter (load reports, weight-loading bars) out of the user's terminal."""
    import warnings

    import datasets
    import transformers

    warnings.filterwarnings("ignore", category=FutureWarning)
    transformers.utils.logging.set_verbosity_error()
    transformers.utils.logging.disable_progress_bar()
    datasets.utils.logging.set_verbosity_error()
    datasets.disable_progress_bars()
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


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
