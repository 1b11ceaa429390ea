"""The study's comparison of model variants over cross-validation folds, and its tables.

Every variant is scored on the same k folds (``folds.folds_for``), so fold scores pair up:
differences to the baseline are tested with the two-sided Wilcoxon signed-rank test over the
paired fold scores, adjusted for the several variants compared on a metric with
Benjamini-Hochberg, and given a percentile bootstrap confidence interval of the mean fold
difference. The statistics come from SciPy; this module only pairs, collects and formats.

A note for readers of the tables: with n paired folds the smallest two-sided exact Wilcoxon
p-value is 2 / 2**n, i.e. 0.0625 for 5 folds, so no 5-fold comparison can reach p < 0.05 however
large the difference; the markdown table says so when it applies.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

import numpy as np
from scipy import stats

from .errors import AdapterkitError
from .metrics import COEFFICIENT_METRICS

ALPHA = 0.05


def mean_sd(values: Sequence[float]) -> tuple[float, float]:
    """Mean and sample standard deviation (ddof=1), the spread papers report across folds; sd 0 for one value."""
    if len(values) == 0:
        raise ValueError("mean_sd needs at least one value")
    array = np.asarray(values, dtype=float)
    sd = float(array.std(ddof=1)) if len(array) > 1 else 0.0
    return float(array.mean()), sd


def _check_pairs(a: Sequence[float], b: Sequence[float]) -> None:
    if len(a) != len(b):
        raise AdapterkitError(
            f"paired scores differ in length ({len(a)} vs {len(b)} folds); run every variant on the same folds"
        )


def wilcoxon_p(a: Sequence[float], b: Sequence[float]) -> float:
    """Two-sided Wilcoxon signed-rank p-value of paired fold scores (``scipy.stats.wilcoxon`` defaults).

    Zero differences are dropped (SciPy's default ``zero_method="wilcox"``). When every difference
    is zero there is nothing to rank and SciPy raises or returns NaN depending on its version; the
    variants are then indistinguishable on these folds, so the p-value is 1.0.
    """
    _check_pairs(a, b)
    differences = np.asarray(a, dtype=float) - np.asarray(b, dtype=float)
    if not np.any(differences):
        return 1.0
    return float(stats.wilcoxon(np.asarray(a, dtype=float), np.asarray(b, dtype=float)).pvalue)


def benjamini_hochberg(pvalues: Sequence[float]) -> list[float]:
    """Benjamini-Hochberg adjusted p-values (``scipy.stats.false_discovery_control``), in input order."""
    if len(pvalues) == 0:
        return []
    return [float(p) for p in stats.false_discovery_control(np.asarray(pvalues, dtype=float), method="bh")]


def bootstrap_ci(
    differences: Sequence[float], level: float = 0.95, n_resamples: int = 10000, seed: int = 0
) -> tuple[float, float]:
    """Percentile bootstrap confidence interval of the mean of ``differences`` (``scipy.stats.bootstrap``).

    Seeded, so a table is reproducible. A constant sample (including a single fold) has no spread
    to resample: the interval is then the value itself, where SciPy would return NaN.
    """
    if len(differences) == 0:
        raise ValueError("bootstrap_ci needs at least one difference")
    array = np.asarray(differences, dtype=float)
    if np.all(array == array[0]):
        return float(array[0]), float(array[0])
    result = stats.bootstrap(
        (array,),
        np.mean,
        n_resamples=n_resamples,
        confidence_level=level,
        method="percentile",
        rng=np.random.default_rng(seed),
    )
    return float(result.confidence_interval.low), float(result.confidence_interval.high)


@dataclass
class Summary:
    """Mean ± sd of one metric of one variant over the folds where it is defined."""

    mean: float | None
    sd: float | None
    n: int  # folds with a value (a metric may be undefined in a fold, e.g. ROC AUC with one class)
    values: list[float | None]  # per fold, in fold order
    ci_low: float | None = None  # bootstrap 95 % CI of the mean over folds (per-type summaries)
    ci_high: float | None = None


@dataclass
class PairedTest:
    """One variant against the baseline on one metric, over the folds where both are defined."""

    variant: str
    metric: str
    n: int
    difference: float | None  # mean of (variant - baseline) per fold
    ci_low: float | None
    ci_high: float | None
    p: float | None  # two-sided Wilcoxon signed-rank
    p_adjusted: float | None  # Benjamini-Hochberg across the variants compared on this metric


@dataclass
class Comparison:
    """Every variant against the baseline: what ``to_markdown``, ``to_csv`` and ``to_json`` print."""

    baseline: str
    variants: list[str]  # baseline first
    metrics: list[str]
    n_folds: int
    summary: dict[str, dict[str, Summary]]  # variant -> metric -> Summary
    tests: list[PairedTest]  # every non-baseline variant x metric
    per_type_metric: str | None = None
    per_type: dict[str, dict[str, Summary]] = field(default_factory=dict)  # variant -> type -> Summary

    def test(self, variant: str, metric: str) -> PairedTest:
        return next(t for t in self.tests if t.variant == variant and t.metric == metric)

    def types(self) -> list[str]:
        return sorted({kind for by_type in self.per_type.values() for kind in by_type})

    def to_json(self) -> str:
        """Everything at full precision, per-fold values included."""
        return json.dumps(asdict(self), indent=2) + "\n"

    def to_csv(self) -> str:
        """One row per variant and metric (per-type rows as ``per_type.TYPE.METRIC``), full precision."""
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(["variant", "metric", "n", "mean", "sd", "difference", "ci_low", "ci_high", "p", "p_bh"])
        for variant in self.variants:
            for metric in self.metrics:
                summary = self.summary[variant][metric]
                test = None if variant == self.baseline else self.test(variant, metric)
                extra = [] if test is None else [test.difference, test.ci_low, test.ci_high, test.p, test.p_adjusted]
                writer.writerow(_csv_cells([variant, metric, summary.n, summary.mean, summary.sd, *extra], 10))
            for kind, summary in sorted(self.per_type.get(variant, {}).items()):
                name = f"per_type.{kind}.{self.per_type_metric}"
                writer.writerow(_csv_cells([variant, name, summary.n, summary.mean, summary.sd], 10))
        return buffer.getvalue()

    def to_markdown(self) -> str:
        """Paper-style tables: mean ± sd per variant, differences to the baseline, per-type scores."""
        lines = [*self._summary_table(), "", *self._test_table()]
        if self.per_type:
            lines += ["", *self._per_type_table()]
        lines += ["", *self._notes()]
        return "\n".join(lines) + "\n"

    def _summary_table(self) -> list[str]:
        lines = [
            "| variant | " + " | ".join(_header(metric) for metric in self.metrics) + " |",
            "|---|" + "---:|" * len(self.metrics),
        ]
        best = {metric: self._best(metric) for metric in self.metrics}
        for variant in self.variants:
            cells = []
            for metric in self.metrics:
                cell = _mean_sd_cell(self.summary[variant][metric], metric)
                cells.append(f"**{cell}**" if variant in best[metric] else cell)
            name = f"{variant} (baseline)" if variant == self.baseline else variant
            lines.append(f"| {name} | " + " | ".join(cells) + " |")
        return lines

    def _best(self, metric: str) -> set[str]:
        """The variants with the highest mean, ties included (every metric here is higher-is-better)."""
        means = {v: self.summary[v][metric].mean for v in self.variants}
        top = max((m for m in means.values() if m is not None), default=None)
        return {v for v, m in means.items() if m is not None and m == top}

    def _test_table(self) -> list[str]:
        lines = [
            f"| variant vs {self.baseline} | metric | Δ mean | 95 % CI | p (Wilcoxon) | p (BH) |",
            "|---|---|---:|---:|---:|---:|",
        ]
        for test in self.tests:
            scale, digits = _scale(test.metric)
            difference = "–" if test.difference is None else f"{test.difference * scale:+.{digits}f}"
            ci = "–"
            if test.ci_low is not None and test.ci_high is not None:
                ci = f"[{_number(test.ci_low, test.metric)}, {_number(test.ci_high, test.metric)}]"
            lines.append(
                f"| {test.variant} | {_header(test.metric)} | {difference} | {ci} | {_p_cell(test.p)} | "
                f"{_p_cell(test.p_adjusted)} |"
            )
        return lines

    def _per_type_table(self) -> list[str]:
        lines = [
            f"| type ({self.per_type_metric}) | " + " | ".join(self.variants) + " |",
            "|---|" + "---:|" * len(self.variants),
        ]
        empty = Summary(None, None, 0, [])
        for kind in self.types():
            cells = [
                _mean_sd_cell(self.per_type.get(v, {}).get(kind, empty), str(self.per_type_metric))
                for v in self.variants
            ]
            lines.append(f"| {kind} | " + " | ".join(cells) + " |")
        return lines

    def _notes(self) -> list[str]:
        notes = [
            f"Mean ± sample SD over {self.n_folds} folds; best mean per column in bold. Proportions (F1, precision, "
            "recall, accuracy, …) in %, 2 decimals; coefficients (MCC, Pearson, Spearman, ROC AUC) as is, 3 decimals.",
            "Δ = variant − baseline per fold, averaged; 95 % CI: percentile bootstrap of the mean difference. "
            "p: two-sided Wilcoxon signed-rank over paired folds; BH: Benjamini-Hochberg adjusted across the "
            f"variants compared on that metric; * p < {ALPHA}.",
        ]
        smallest = 2.0 ** (1 - self.n_folds)
        if self.n_folds and smallest >= ALPHA:
            notes.append(
                f"With {self.n_folds} paired folds the smallest attainable Wilcoxon p is {smallest:.3g}: "
                f"no difference can reach p < {ALPHA}."
            )
        return notes


def _csv_cells(cells: list, width: int) -> list:
    """Full-precision cells (repr of floats), empty where a value is undefined or not applicable."""
    cells = cells + [None] * (width - len(cells))
    return ["" if cell is None else repr(cell) if isinstance(cell, float) else cell for cell in cells]


def _scale(metric: str) -> tuple[float, int]:
    """Display rule: coefficients (MCC, correlations, ROC AUC) as is with 3 decimals, proportions in % with 2."""
    return (1.0, 3) if metric.rsplit(".", 1)[-1] in COEFFICIENT_METRICS else (100.0, 2)


def _header(metric: str) -> str:
    return metric if _scale(metric)[0] == 1.0 else f"{metric} (%)"


def _number(value: float, metric: str) -> str:
    scale, digits = _scale(metric)
    return f"{value * scale:.{digits}f}"


def _mean_sd_cell(summary: Summary, metric: str) -> str:
    if summary.mean is None or summary.sd is None:
        return "–"
    return f"{_number(summary.mean, metric)} ± {_number(summary.sd, metric)}"


def _p_cell(p: float | None) -> str:
    """Three significant digits (trailing zeros kept), starred below ALPHA."""
    if p is None:
        return "–"
    return f"{p:#.3g}" + ("*" if p < ALPHA else "")


def _lookup(fold: dict, metric: str, variant: str, index: int) -> float | None:
    """A metric of one fold; a dotted name (``per_type.DISEASE.f1``) reaches into nested dicts."""
    value: object = fold
    for key in metric.split("."):
        if not isinstance(value, dict) or key not in value:
            available = ", ".join(sorted(k for k, v in fold.items() if not isinstance(v, dict)))
            raise AdapterkitError(
                f"metric {metric!r} is missing from fold {index + 1} of variant {variant!r}; available: {available}"
            )
        value = value[key]
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return float(value)


def _summarise(values: list[float | None]) -> Summary:
    present = [v for v in values if v is not None]
    mean, sd = mean_sd(present) if present else (None, None)
    return Summary(mean, sd, len(present), values)


def _paired_test(variant: str, metric: str, values: list[float | None], baseline: list[float | None]) -> PairedTest:
    """Difference, CI and Wilcoxon p over the folds where both sides are defined (BH filled in later)."""
    pairs = [(a, b) for a, b in zip(values, baseline, strict=True) if a is not None and b is not None]
    if not pairs:
        return PairedTest(variant, metric, 0, None, None, None, None, None)
    ours, theirs = [a for a, _ in pairs], [b for _, b in pairs]
    differences = [a - b for a, b in pairs]
    low, high = bootstrap_ci(differences)
    p = wilcoxon_p(ours, theirs)
    return PairedTest(variant, metric, len(pairs), float(np.mean(differences)), low, high, p, None)


def _adjust(tests: list[PairedTest]) -> None:
    """BH across the variants compared on one metric: each metric is its own family of hypotheses."""
    for metric in {test.metric for test in tests}:
        family = [t for t in tests if t.metric == metric and t.p is not None]
        for test, adjusted in zip(family, benjamini_hochberg([t.p for t in family]), strict=True):
            test.p_adjusted = adjusted


def _per_type(folds: list[dict], metric: str) -> dict[str, Summary]:
    """Per-type scores over folds; a type absent from a fold (no gold, no prediction) is undefined there."""
    kinds = sorted({kind for fold in folds for kind in fold.get("per_type", {})})
    by_type = {}
    for kind in kinds:
        values = [fold.get("per_type", {}).get(kind, {}).get(metric) for fold in folds]
        summary = _summarise([None if v is None else float(v) for v in values])
        present = [v for v in summary.values if v is not None]
        if len(present) > 1:  # the CI the per-type bars show (one fold has no spread to resample)
            summary.ci_low, summary.ci_high = bootstrap_ci(present)
        by_type[kind] = summary
    return by_type


def _check_results(results: dict[str, list[dict]], baseline: str, metrics: list[str]) -> int:
    if baseline not in results:
        raise AdapterkitError(f"baseline {baseline!r} has no results; choose among: {', '.join(results)}")
    if not metrics:
        raise AdapterkitError("no metric to compare; name at least one, e.g. f1")
    n_folds = len(results[baseline])
    if n_folds == 0:
        raise AdapterkitError(f"baseline {baseline!r} has no fold results; run its folds first")
    for variant, folds in results.items():
        if len(folds) != n_folds:
            raise AdapterkitError(
                f"variant {variant!r} has {len(folds)} fold results but baseline {baseline!r} has {n_folds}; "
                "run every variant on all folds of the same fold file"
            )
    return n_folds


def compare(
    results: dict[str, list[dict]], baseline: str, metrics: list[str], per_type_metric: str | None = "f1"
) -> Comparison:
    """Compare every variant with ``baseline`` on ``metrics`` over paired folds.

    ``results[variant]`` holds one metrics dict per fold, in the same fold order for every variant
    (as returned by the functions of ``metrics``). Each metric gets mean ± sd per variant; each
    non-baseline variant gets the mean difference to the baseline, its bootstrap 95 % CI, the
    Wilcoxon p and the BH-adjusted p. The BH family is one metric's comparisons (all variants vs
    the baseline on that metric): the metrics are separate questions of the study, each answered
    for several variants. A value that is None or NaN in a fold (e.g. ROC AUC with one class) is
    left out of that variant's mean and of the pairs of its test. With ``per_type_metric`` and a
    ``"per_type"`` dict in the folds (NER), per-type mean ± sd (and the bootstrap 95 % CI of the mean,
drawn as the error bars of the report's per-type figure) is added for every variant.
    """
    n_folds = _check_results(results, baseline, metrics)
    variants = [baseline, *(v for v in results if v != baseline)]
    columns = {v: {m: [_lookup(fold, m, v, i) for i, fold in enumerate(results[v])] for m in metrics} for v in variants}
    summary = {v: {m: _summarise(columns[v][m]) for m in metrics} for v in variants}
    tests = [
        _paired_test(v, m, columns[v][m], columns[baseline][m]) for v in variants if v != baseline for m in metrics
    ]
    _adjust(tests)
    per_type = {}
    if per_type_metric is not None and any("per_type" in fold for v in variants for fold in results[v]):
        per_type = {v: _per_type(results[v], per_type_metric) for v in variants}
    return Comparison(baseline, variants, list(metrics), n_folds, summary, tests, per_type_metric, per_type)
