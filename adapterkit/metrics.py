"""Per-fold scores of the study's tasks, computed by the reference libraries.

Every function returns a plain dict of Python floats (fractions in [0, 1] for rates, coefficients
in [-1, 1] for MCC and correlations) so that fold results can be written to JSON as they are and
fed to ``stats.compare``. The numbers come from seqeval, scikit-learn and SciPy rather than local
re-implementations, so they match what other papers computed with the same tools.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
from scipy import stats
from seqeval import metrics as seqeval_metrics
from seqeval.scheme import IOB2
from sklearn import metrics as sk
from sklearn.preprocessing import MultiLabelBinarizer

from .errors import AdapterkitError

# The coefficients (not proportions of items) among the keys these functions return.
COEFFICIENT_METRICS = frozenset({"mcc", "pearson", "spearman", "roc_auc"})


def _check_paired(gold: Sequence, pred: Sequence, what: str) -> None:
    """Gold and predictions must pair up one to one, or every score below is meaningless."""
    if len(gold) != len(pred):
        raise AdapterkitError(f"{what}: {len(gold)} gold items but {len(pred)} predictions; score the same items")
    if not gold:
        raise AdapterkitError(f"{what}: no items to score; the test fold is empty")


def _seqeval_mode(strict: bool) -> dict:
    """conlleval-compatible by default (what most NER papers report); strict IOB2 on request."""
    return {"mode": "strict", "scheme": IOB2} if strict else {}


def _check_ner_tags(gold: list[list[str]], pred: list[list[str]]) -> None:
    """One BIO tag per word on both sides; seqeval would otherwise warn, crash or silently misread."""
    _check_paired(gold, pred, "NER scoring")
    for index, (gold_tags, pred_tags) in enumerate(zip(gold, pred, strict=True)):
        if len(gold_tags) != len(pred_tags):
            raise AdapterkitError(
                f"NER scoring: sentence {index} has {len(gold_tags)} gold tags but {len(pred_tags)} predicted; "
                "predict one tag per word"
            )
        for tag in (*gold_tags, *pred_tags):
            if tag != "O" and not (tag[:2] in ("B-", "I-") and len(tag) > 2):
                raise AdapterkitError(f"NER scoring: sentence {index} has tag {tag!r}; use O, B-TYPE or I-TYPE")


def ner_metrics(gold: list[list[str]], pred: list[list[str]], strict: bool = False) -> dict:
    """Entity-level micro P/R/F1, macro F1 and per-type scores with seqeval.

    The default mode is seqeval's conlleval-compatible one: an ``I-X`` that starts a span counts as
    the start of an entity. ``strict=True`` uses seqeval's strict IOB2 mode, where such a span is
    not an entity at all; the two differ only on ill-formed tag sequences. Returns
    ``{"scheme", "precision", "recall", "f1", "macro_f1", "per_type": {TYPE: {"precision", "recall",
    "f1", "support"}}}``; ``scheme`` is ``conlleval`` or ``strict`` (the convention that counted);
    support is the number of gold entities of that type. Scores with nothing to divide by are 0
    (seqeval's ``zero_division=0``).
    """
    _check_ner_tags(gold, pred)
    options = {**_seqeval_mode(strict), "zero_division": 0}
    with warnings.catch_warnings():  # no entity at all: seqeval's macro average is a mean of nothing
        warnings.filterwarnings("ignore", "Mean of empty slice", RuntimeWarning)
        warnings.filterwarnings("ignore", "invalid value encountered", RuntimeWarning)
        report = seqeval_metrics.classification_report(gold, pred, output_dict=True, **options)
    micro = {
        "precision": float(seqeval_metrics.precision_score(gold, pred, **options)),
        "recall": float(seqeval_metrics.recall_score(gold, pred, **options)),
        "f1": float(seqeval_metrics.f1_score(gold, pred, **options)),
    }
    per_type = {
        kind: {
            "precision": float(row["precision"]),
            "recall": float(row["recall"]),
            "f1": float(row["f1-score"]),
            "support": int(row["support"]),
        }
        for kind, row in sorted(report.items())
        if not kind.endswith(" avg")
    }
    # With no entity in gold or prediction seqeval's macro average is NaN; 0 keeps JSON and means sane.
    macro = float(report["macro avg"]["f1-score"]) if per_type else 0.0
    return {"scheme": "strict" if strict else "conlleval", **micro, "macro_f1": macro, "per_type": per_type}


def _roc_auc(truth: np.ndarray, scores: list[float] | None) -> float | None:
    """ROC AUC of the positive-class scores; None when undefined (no scores, or one class only)."""
    if scores is None or len(set(truth.tolist())) < 2:
        return None
    return float(sk.roc_auc_score(truth, scores))


def _binary_metrics(gold: list[str], pred: list[str], scores: list[float] | None, positive: str) -> dict:
    """Sensitivity/specificity-style scores with every non-positive label as the negative class."""
    found = sorted(set(gold) | set(pred))
    if len(found) > 2:
        raise AdapterkitError(
            f"binary scoring with positive label {positive!r}, but {len(found)} labels occur ({', '.join(found)}); "
            "leave the positive label out for multi-class scores"
        )
    if len(found) == 2 and positive not in found:
        raise AdapterkitError(
            f"binary scoring: positive label {positive!r} is neither of the labels {found[0]!r}, {found[1]!r}; "
            "name one of them"
        )
    if scores is not None and len(scores) != len(gold):
        raise AdapterkitError(f"binary scoring: {len(scores)} scores for {len(gold)} items; give one score per item")
    truth = np.array([label == positive for label in gold])
    guess = np.array([label == positive for label in pred])
    return {
        "mcc": float(sk.matthews_corrcoef(truth, guess)),
        "f1": float(sk.f1_score(truth, guess, zero_division=0)),
        "precision": float(sk.precision_score(truth, guess, zero_division=0)),
        "recall": float(sk.recall_score(truth, guess, zero_division=0)),
        # Specificity is the recall of the negative class.
        "specificity": float(sk.recall_score(truth, guess, pos_label=False, zero_division=0)),
        "roc_auc": _roc_auc(truth, scores),
        "accuracy": float(sk.accuracy_score(truth, guess)),
        "macro_f1": float(sk.f1_score(truth, guess, average="macro", labels=[False, True], zero_division=0)),
    }


def classification_metrics(
    gold: list[str],
    pred: list[str],
    scores: list[float] | None = None,
    positive: str | None = None,
    labels: list[str] | None = None,
) -> dict:
    """Scores of single-label classification with scikit-learn.

    With a ``positive`` label the task is binary and the result holds ``mcc, f1, precision, recall``
    (sensitivity), ``specificity, roc_auc, accuracy, macro_f1``; ``roc_auc`` needs ``scores`` (the
    model's score for the positive class, one per item) and is None without them or when the gold
    labels hold one class only. Without ``positive`` the task is multi-class and the result holds
    ``mcc, accuracy, macro_f1``; pass the dataset's ``labels`` so the macro average runs over the same
    classes in every fold even when a fold lacks one. Undefined ratios are 0 (``zero_division=0``).
    """
    _check_paired(gold, pred, "classification scoring")
    if positive is not None:
        return _binary_metrics(gold, pred, scores, positive)
    classes = sorted(set(labels) if labels is not None else set(gold) | set(pred))
    return {
        "mcc": float(sk.matthews_corrcoef(gold, pred)),
        "accuracy": float(sk.accuracy_score(gold, pred)),
        "macro_f1": float(sk.f1_score(gold, pred, average="macro", labels=classes, zero_division=0)),
    }


def multilabel_metrics(gold: list[list[str]], pred: list[list[str]], labels: list[str]) -> dict:
    """Macro and micro F1 over label sets, plus the F1 of every label, with scikit-learn.

    ``labels`` fixes the columns (the dataset's label set), so folds that lack a label still
    average over the same labels. Returns ``{"macro_f1", "micro_f1", "per_label": {LABEL: f1}}``.
    """
    _check_paired(gold, pred, "multi-label scoring")
    unknown = sorted({label for row in (*gold, *pred) for label in row} - set(labels))
    if unknown:
        raise AdapterkitError(
            f"multi-label scoring: label(s) {', '.join(unknown)} not in the label set; add them to the labels"
        )
    binarizer = MultiLabelBinarizer(classes=list(labels)).fit([list(labels)])
    truth, guess = binarizer.transform(gold), binarizer.transform(pred)
    per_label = sk.f1_score(truth, guess, average=None, zero_division=0)
    return {
        "macro_f1": float(sk.f1_score(truth, guess, average="macro", zero_division=0)),
        "micro_f1": float(sk.f1_score(truth, guess, average="micro", zero_division=0)),
        "per_label": {label: float(score) for label, score in zip(binarizer.classes_, per_label, strict=True)},
    }


def _correlation(function, gold: list[float], pred: list[float]) -> float | None:
    """A SciPy correlation, or None when it is undefined (a constant side, e.g. a collapsed model)."""
    if len(set(gold)) < 2 or len(set(pred)) < 2:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", stats.ConstantInputWarning)
        value = float(function(gold, pred).statistic)
    return None if np.isnan(value) else value


def regression_metrics(gold: list[float], pred: list[float]) -> dict:
    """Pearson and Spearman correlation of predicted and gold scores (SciPy).

    Either is None when undefined: fewer than two distinct values on a side.
    """
    _check_paired(gold, pred, "regression scoring")
    gold_values, pred_values = [float(v) for v in gold], [float(v) for v in pred]
    return {
        "pearson": _correlation(stats.pearsonr, gold_values, pred_values),
        "spearman": _correlation(stats.spearmanr, gold_values, pred_values),
    }
