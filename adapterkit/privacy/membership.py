"""Loss-based membership inference (Yeom et al. 2018), calibrated per line (Carlini et al. 2022).

The attack an outsider with the adapter and its public base could run: a line the adapter was
trained on tends to have a lower masked-LM loss under the adapter than a line it never saw. The
raw loss mostly says how hard a line is, so each line's loss is compared with the frozen base's
loss on the same line and the same masked positions: score = base loss - adapter loss. Training
lines (members) are a seeded sample of the lines ``pretrain`` trained on; non-members are the
held-out lines ``pretrain`` kept aside (never trained on, from the same files). Both are
recovered from the manifest: the recorded files (checked by their sha256), the held-out fraction
and the seed give back exactly the split of ``corpus.split_heldout``.

The ROC AUC is scikit-learn's ``roc_auc_score``; its interval a percentile bootstrap over lines
(members and non-members resampled separately); the true-positive rate at a false-positive rate
is the best ROC point (``roc_curve``) at or under it. This module reads corpora and numbers only.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.metrics import roc_auc_score, roc_curve

from ..corpus import read_corpus, split_heldout
from ..errors import AdapterkitError
from ..manifest import AdapterManifest

BOOTSTRAP = 1000
CONFIDENCE = 0.95


@dataclass(frozen=True)
class Split:
    train: list[str]
    heldout: list[str]


def recover_split(manifest: AdapterManifest, corpus: list[Path] | None = None, label: str = "") -> Split:
    """The training and held-out lines of a pretrained adapter or model, as ``pretrain`` split them.

    ``corpus``: where the files are now (``audit --corpus``), when they moved since training; every
    file must have the sha256 the manifest records, in the recorded order.
    """
    who = label or manifest.name or "the adapter"
    records = manifest.corpus.files if manifest.corpus is not None else None
    hyper = manifest.hyperparameters
    if not records or hyper is None or hyper.seed is None or manifest.corpus.heldout_fraction is None:
        raise AdapterkitError(
            f"{who}: its manifest records no training corpus and split (pulled, composed from adapters trained "
            "elsewhere, or made by another tool): audit it where it was trained"
        )
    paths = list(corpus) if corpus else [Path(str(record.path)) for record in records]
    missing = [path for path in paths if not str(path).startswith("hf:") and not path.exists()]
    if missing:
        raise AdapterkitError(
            f"{who}: training corpus file {missing[0]} is not here; give the files with --corpus PATH (same content)"
        )
    text_field = str(manifest.corpus.extra.get("text_field", "text"))
    lines, report = read_corpus(paths, text_field, option="--corpus")
    found = [record.sha256 for record in report.files]
    wanted = [record.sha256 for record in records]
    if found != wanted:
        raise AdapterkitError(
            f"{who}: the corpus files differ from those it was trained on (sha256 of {len(found)} file(s) read, "
            f"{len(wanted)} recorded): give the training files, in their order, with --corpus"
        )
    train, heldout = split_heldout(lines, float(manifest.corpus.heldout_fraction), int(hyper.seed))
    return Split(train, heldout)


def sample_lines(split: Split, most: int, seed: int) -> tuple[list[str], list[str]]:
    """Up to ``most`` held-out lines and as many training lines, drawn with ``seed``."""
    rng = np.random.default_rng(seed)
    count = min(most, len(split.heldout), len(split.train))
    members = [split.train[i] for i in sorted(rng.choice(len(split.train), count, replace=False))]
    others = [split.heldout[i] for i in sorted(rng.choice(len(split.heldout), count, replace=False))]
    return members, others


def tpr_at(labels: np.ndarray, scores: np.ndarray, fpr_target: float) -> float:
    """The highest true-positive rate of a ROC point whose false-positive rate is at most ``fpr_target``."""
    fpr, tpr, _ = roc_curve(labels, scores)
    return float(tpr[fpr <= fpr_target + 1e-12].max())


def attack_figures(member_scores: np.ndarray, other_scores: np.ndarray, seed: int = 0) -> dict:
    """AUC with a bootstrap interval, TPR at 1 % and 0.1 % FPR, of scores (higher = said to be a member)."""
    members = member_scores[np.isfinite(member_scores)]
    others = other_scores[np.isfinite(other_scores)]
    if len(members) < 2 or len(others) < 2:
        raise AdapterkitError(
            f"membership audit: {len(members)} training and {len(others)} held-out lines could be scored; "
            "at least 2 of each are needed (a larger --heldout at pretrain keeps more lines aside)"
        )
    labels = np.r_[np.ones(len(members)), np.zeros(len(others))]
    scores = np.r_[members, others]
    rng = np.random.default_rng(seed)
    boot = [
        roc_auc_score(labels, np.r_[rng.choice(members, len(members)), rng.choice(others, len(others))])
        for _ in range(BOOTSTRAP)
    ]
    tail = (1 - CONFIDENCE) / 2
    return {
        "auc": float(roc_auc_score(labels, scores)),
        "auc_low": float(np.quantile(boot, tail)),
        "auc_high": float(np.quantile(boot, 1 - tail)),
        "confidence": CONFIDENCE,
        "tpr_at_1pct_fpr": tpr_at(labels, scores, 0.01),
        "tpr_at_0.1pct_fpr": tpr_at(labels, scores, 0.001),
        "train_lines": int(len(members)),
        "heldout_lines": int(len(others)),
    }
