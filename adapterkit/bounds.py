"""The documented upper bounds of every number a user gives on the command line, checked before any work.

Sizes, counts, steps, ranks and lengths far beyond any real run are refused in one line (exit 2)
instead of reaching a library that aborts the process (a vocabulary size of 10^12 in the tokenizers
trainer) or overflows (10^30 as a C integer). The bounds are generous: each is far above what the
study or any machine runs, and the module doing the work may refuse lower values for its own reasons
(a length above the model's limit, more folds than items). Seeds are what numpy accepts:
0 to 2^32 - 1. ``commands.outputs.writes`` applies the table to every command, by parameter name;
``tests/test_bounds.py`` walks the CLI so that a new numeric option must be given a bound here.
Model-free.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from .errors import AdapterkitError

BILLION = 10**9

# parameter name -> (lowest, highest) accepted; None: no bound on that side here (its module checks it)
BOUNDS: dict[str, tuple[float | None, float]] = {
    # sizes and counts
    "size": (None, 1_000_000),  # vocabulary pieces (mBERT has 119,547)
    "batch_size": (None, 65_536),
    "grad_accum": (None, 65_536),
    "folds": (None, 1_000),
    "limit": (None, BILLION),
    "num_proc": (None, 1_024),
    "max_entities": (None, 1_000_000),
    "examples": (None, 100_000),
    "show_changes": (None, 1_000_000),
    # steps and passes
    "epochs": (None, 10_000),
    "max_steps": (None, BILLION),
    "steps": (None, 10_000_000),
    "save_steps": (None, BILLION),
    "logging_steps": (None, BILLION),
    "warmup_steps": (None, BILLION),
    # ranks
    "lora_r": (None, 4_096),
    "task_lora_r": (None, 4_096),
    "rank": (None, 4_096),
    "lora_alpha": (None, 1_000_000),
    # lengths
    "max_seq_len": (None, 1_048_576),  # tokens; the model's own limit caps it further
    "stride": (None, 100_000),  # words
    # rates and fractions
    "lr": (None, 10.0),
    "weight_decay": (None, 10.0),
    "density": (None, 1.0),
    "heldout": (None, 1.0),
    "mlm_probability": (None, 1.0),
    "lora_dropout": (None, 1.0),
    "warmup_ratio": (None, 1.0),
    # other
    "seed": (0, 2**32 - 1),
    "wait": (None, 86_400.0),  # seconds: a day
}


def _shown(bound: float) -> str:
    return f"{bound:,}" if isinstance(bound, int) else f"{bound:g}"


def check_bounds(values: Mapping[str, object], options: Mapping[str, str]) -> None:
    """Refuse, in one line naming the option, a number outside its documented bound (or nan, inf)."""
    for name, value in values.items():
        if name not in BOUNDS or isinstance(value, bool) or not isinstance(value, (int, float)):
            continue
        option = options.get(name, "--" + name.replace("_", "-"))
        if isinstance(value, float) and not math.isfinite(value):
            raise AdapterkitError(f"{option} {value}: expected a finite number")
        low, high = BOUNDS[name]
        if value > high:
            raise AdapterkitError(
                f"{option} {value}: at most {_shown(high)} (the documented bound, see the README's Errors); give less"
            )
        if low is not None and value < low:
            raise AdapterkitError(f"{option} {value}: at least {_shown(low)}")
