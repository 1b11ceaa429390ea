"""The memorisation audits of a recipe run: one row per ``audit`` step, read from the audited manifest.

Each ``audit`` step records its figures in the audited adapter's (or model's) manifest
(``privacy.audit``); the recipe's report reads them from there, never from the step's output: the
membership attack's ROC AUC with its bootstrap interval, the true-positive rates at 1 % and 0.1 %
false positives, the training and held-out lines scored, and the canaries' exposure when
``pretrain --canaries`` planted some. No line of any corpus is read or shown.
"""

from __future__ import annotations

from pathlib import Path

from ..manifest import AdapterManifest, read_adapter_manifest
from ..paths import registry_dir
from ..registry import MANIFEST
from .document import Section
from .formatting import markdown_table

HEADER = [
    "step",
    "audited",
    "lines (training + held-out)",
    "membership AUC [95 % interval]",
    "TPR @ 1 % FPR",
    "TPR @ 0.1 % FPR",
    "canary exposure (bits): mean / highest / possible",
    "reading",
]
TEXT = (
    "`adapterkit audit` on the adapters this run trained, as recorded in each manifest (`privacy.audit`) "
    "and on each card. A loss-based membership attack calibrated by the frozen base (Yeom et al. 2018; "
    "Carlini et al. 2022) tries to tell a sample of the training lines from the held-out lines: an AUC "
    "near 0.5, with 0.5 inside its interval, means this attack could not tell them apart. That is a "
    "measurement, not a guarantee: only differentially private training (`pretrain --dp-epsilon`) bounds "
    "what any attack can learn. Canary exposure (The Secret Sharer, Carlini et al. 2019) appears where "
    "`pretrain --canaries` planted made-up records."
)


def _option(argv: list[str], name: str) -> str | None:
    return argv[argv.index(name) + 1] if name in argv and argv.index(name) + 1 < len(argv) else None


def audited_manifest(argv: list[str]) -> tuple[str, AdapterManifest] | None:
    """The name an ``audit`` step audited and its manifest as it is now (None when there is none yet)."""
    name = argv[-1] if len(argv) > 1 and not argv[-1].startswith("-") else None
    if name is None:
        return None
    registry = _option(argv, "--registry")
    in_registry = registry_dir(Path(registry) if registry else None) / name / MANIFEST
    candidates = ([in_registry] if "/" not in name else []) + [Path(name) / MANIFEST]
    found = next((path for path in candidates if path.is_file()), None)
    return (name, read_adapter_manifest(found)) if found is not None else None


def _pct(value: float) -> str:
    return f"{100 * value:.1f} %"


def audit_row(step_id: str, name: str, audit: dict) -> list[str]:
    """One row of the audit table from a recorded ``privacy.audit``."""
    membership, canaries = audit["membership"], audit.get("canaries")
    low, high = membership["auc_low"], membership["auc_high"]
    exposure = (
        f"{canaries['mean_exposure']:.1f} / {canaries['max_exposure']:.1f} / {canaries['max_possible']:.1f} "
        f"({canaries['count']} canar{'y' if canaries['count'] == 1 else 'ies'})"
        if canaries
        else "– (no canaries planted)"
    )
    if low > 0.5:
        reading = "told apart: memorised"
    elif high < 0.5:  # training lines scored as less likely members than held-out ones: no sign of memorising
        reading = "below chance: no sign of memorising"
    else:
        reading = "not told apart from chance"
    return [
        step_id,
        f"`{name}`",
        f"{membership['train_lines']:,} + {membership['heldout_lines']:,}",
        f"{membership['auc']:.3f} [{low:.3f}, {high:.3f}]",
        _pct(membership["tpr_at_1pct_fpr"]),
        _pct(membership["tpr_at_0.1pct_fpr"]),
        exposure,
        reading,
    ]


def audit_section(plan: list[tuple[dict, list[str]]]) -> Section | None:
    """The report's "Memorisation audit" section: a row per ``audit`` step whose manifest holds an audit."""
    rows = []
    for step, argv in plan:
        found = audited_manifest(argv) if argv and argv[0] == "audit" else None
        privacy = found[1].privacy if found is not None else None
        if found is not None and privacy is not None and privacy.audit and privacy.audit.get("membership"):
            rows.append(audit_row(step["id"], found[0], privacy.audit))
    if not rows:
        return None
    return Section("Memorisation audit", TEXT, [markdown_table(HEADER, rows, "lllrrrll")])
