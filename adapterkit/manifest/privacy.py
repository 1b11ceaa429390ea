"""The ``privacy`` and ``private`` sections of ``adapterkit.json`` (schema version 2).

``privacy`` is shared with the adapter: whether the corpus was marked private, how many canaries
were planted (not which), the differential-privacy accounting of a DP run and the recorded audit.
``private`` holds the canary lines themselves and never leaves the machine: ``push`` drops it
(``sharing.shareable_manifest``), and nothing else prints it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .schema import Bool, Int, ListOf, Num, Obj, Opt, Record, Str

AUDIT = Obj(
    {
        "created": Str(),
        "membership": Opt(
            Obj(
                {
                    "auc": Num(0, 1),
                    "auc_low": Num(0, 1),
                    "auc_high": Num(0, 1),
                    "confidence": Num(0, 1),
                    "tpr_at_1pct_fpr": Num(0, 1),
                    "tpr_at_0.1pct_fpr": Num(0, 1),
                    "train_lines": Int(1),
                    "heldout_lines": Int(1),
                    "masks_per_line": Int(1),
                    "method": Str(),
                },
                required=("auc", "auc_low", "auc_high", "train_lines", "heldout_lines"),
            )
        ),
        "canaries": Opt(
            Obj(
                {
                    "count": Int(1),
                    "repeats": Int(1),
                    "candidates": Int(1),
                    "exposures": ListOf(Num(0)),
                    "mean_exposure": Num(0),
                    "max_exposure": Num(0),
                    "max_possible": Num(0),
                },
                required=("count", "candidates", "exposures", "max_possible"),
            )
        ),
    },
    required=("created",),
)
DP = Obj(
    {
        "epsilon": Num(0),
        "target_epsilon": Num(0),
        "delta": Num(0, 1),
        "max_grad_norm": Num(0),
        "noise_multiplier": Num(0),
        "sample_rate": Num(0, 1),
        "steps": Int(0),
        "accountant": Str(),
        "unit": Str(),
    },
    required=("epsilon", "delta", "noise_multiplier", "sample_rate", "steps", "accountant"),
)
PRIVACY = Obj(
    {
        "private_corpus": Bool(),
        "canaries": Opt(Obj({"count": Int(1), "repeats": Int(1), "shape": Str()}, required=("count", "repeats"))),
        "dp": Opt(DP),
        "audit": Opt(AUDIT),
    }
)
# Never leaves the machine (``sharing.shareable_manifest`` drops it): the canary lines themselves.
PRIVATE = Obj({"canaries": ListOf(Str(nonempty=True))})


@dataclass(frozen=True, kw_only=True)
class Privacy(Record):
    """What protects the training lines: a private corpus, canaries, DP training, a recorded audit.

    ``audit`` and ``dp`` stay dicts (their keys are the spec's ``AUDIT`` and ``DP``): the card and
    ``push`` read them as recorded (see ``adapterkit.privacy``).
    """

    private_corpus: bool | None = None  # pretrain --private-corpus
    canaries: dict[str, Any] | None = None  # count, repeats, shape: not the lines (see ``Private``)
    dp: dict[str, Any] | None = None
    audit: dict[str, Any] | None = None


@dataclass(frozen=True, kw_only=True)
class Private(Record):
    """The part of the manifest that never leaves the machine (``sharing`` drops it on push)."""

    canaries: list[str] | None = None
