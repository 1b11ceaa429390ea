"""What several commands do around their work: quiet the libraries, print a table at a sane width."""

from __future__ import annotations

import os
import sys


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
