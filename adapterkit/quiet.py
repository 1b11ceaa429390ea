"""Library chatter kept out of the user's terminal: one switch, for the commands and the benchmarks."""

from __future__ import annotations

import os


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
