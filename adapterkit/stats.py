"""The study's comparison of model variants over cross-validation folds, and its tables.

Every variant is scored on the same k folds (``folds.folds_for``), so fold scores pair up:
differences to the baseline (and, on request, between named pairs of other variants) are tested
with the two-sided Wilcoxon signed-rank test over the paired fold scores, adjusted with
Benjamini-Hochberg over every test reported on a metric, and given a Student t confidence
interval of the mean fold difference. The statistics come from SciPy, through ``fold_stats.py``;
this module only pairs, collects and formats.

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

from .errors import AdapterkitError

# The statistics themselves (fold_stats.py); cv, report and the tests keep naming them from here.
from .fold_stats import (
    TIE_TOLERANCE,
    benjamini_hochberg,
    mean_sd,
    paired_differences,
    t_interval,
    wilcoxon_p,
)
from .metrics import COEFFICIENT_METRICS

ALPHA = 0.05
# What ``Comparison.ci_method`` says, for the tables' notes and the figure's axis label. "t" is what
# ``compare`` computes now; "percentile bootstrap" is what comparison.json files written before it
# recorded (they carry no ci_method), so their reports stay truthful.
CI_METHODS = {
    "t": "Student t-interval of the mean (df = n − 1)",
    "percentile bootstrap": "percentile bootstrap of the mean",
}


def parse_pairs(spec: str | None, variants: Sequence[str], baseline: str) -> list[tuple[str, str]]:
    """``--pairs``: ``all`` (every two non-baseline variants, the earlier listed first) or ``a:b,c:d``.

    A pair ``a:b`` tests ``a`` against ``b`` (Δ = a − b). Variant names may hold ``:`` themselves
    (``hub:user/name``), so an item splits at the one colon that leaves two compared variants. The
    baseline is compared with every variant already, so it cannot be named in a pair.
    """
    if spec is None or not spec.strip():
        return []
    others = [v for v in variants if v != baseline]
    if spec.strip() == "all":
        return [(a, b) for i, a in enumerate(others) for b in others[i + 1 :]]
    known = ", ".join(variants)
    pairs: list[tuple[str, str]] = []
    for item in (part.strip() for part in spec.split(",")):
        if ":" not in item:
            raise AdapterkitError(f"--pairs {item!r}: expected A:B (two compared variants) or all")
        splits = [(item[:i], item[i + 1 :]) for i, ch in enumerate(item) if ch == ":"]
        found = [(a, b) for a, b in splits if a in variants and b in variants]
        if not found and len(splits) == 1:
            missing = " and ".join(repr(name) for name in splits[0] if name not in variants)
            raise AdapterkitError(f"--pairs {item!r}: {missing} not among the compared variants ({known})")
        if len(found) != 1:
            what = "does not split" if not found else "splits in more than one way"
            raise AdapterkitError(f"--pairs {item!r}: {what} into two compared variants ({known})")
        a, b = found[0]
        if a == b:
            raise AdapterkitError(f"--pairs {item!r}: a variant against itself; name two different variants")
        if baseline in (a, b):
            raise AdapterkitError(
                f"--pairs {item!r}: every variant is compared with the baseline {baseline!r} already; "
                "name two other variants"
            )
        if (a, b) in pairs or (b, a) in pairs:
            raise AdapterkitError(f"--pairs {item!r}: this pair is named twice")
        pairs.append((a, b))
    return pairs


@dataclass
class Summary:
    """Mean ± sd of one metric of one variant over the folds where it is defined."""

    mean: float | None
    sd: float | None
    n: int  # folds with a value (a metric may be undefined in a fold, e.g. ROC AUC with one class)
    values: list[float | None]  # per fold, in fold order
    ci_low: float | None = None  # 95 % CI of the mean over folds (per-type summaries; see Comparison.ci_method)
    ci_high: float | None = None


@dataclass
class PairedTest:
    """One variant against another (the baseline, or the other side of a ``--pairs`` pair) on one metric,
    over the folds where both are defined."""

    variant: str
    metric: str
    n: int
    difference: float | None  # mean of (variant - reference) per fold
    ci_low: float | None  # 95 % CI of that mean (None with fewer than 2 folds)
    ci_high: float | None
    p: float | None  # two-sided Wilcoxon signed-rank
    p_adjusted: float | None  # Benjamini-Hochberg across every test reported on this metric
    # The other side. compare always sets it; files written before pairs existed lack it and
    # report.comparison_from_json fills in their baseline.
    reference: str = ""


@dataclass
class Comparison:
    """Every variant against the baseline, and any extra pairs: what ``to_markdown``, ``to_csv`` and
    ``to_json`` print."""

    baseline: str
    variants: list[str]  # baseline first
    metrics: list[str]
    n_folds: int
    summary: dict[str, dict[str, Summary]]  # variant -> metric -> Summary
    tests: list[PairedTest]  # every non-baseline variant x metric against the baseline, then the pairs
    per_type_metric: str | None = None
    per_type: dict[str, dict[str, Summary]] = field(default_factory=dict)  # variant -> type -> Summary
    ci_method: str = "t"  # a key of CI_METHODS: how every ci_low/ci_high here was computed
    tie_tolerance: float | None = TIE_TOLERANCE  # None: a file written before ties were handled

    def test(self, variant: str, metric: str, reference: str | None = None) -> PairedTest:
        """The test of ``variant`` against ``reference`` (default: the baseline) on ``metric``."""
        against = reference or self.baseline
        return next(t for t in self.tests if t.variant == variant and t.metric == metric and t.reference == against)

    def pair_tests(self) -> list[PairedTest]:
        """The tests between two non-baseline variants (``--pairs``)."""
        return [t for t in self.tests if t.reference != self.baseline]

    def types(self) -> list[str]:
        return sorted({kind for by_type in self.per_type.values() for kind in by_type})

    def to_json(self) -> str:
        """Everything at full precision, per-fold values included."""
        return json.dumps(asdict(self), indent=2) + "\n"

    def to_csv(self) -> str:
        """One row per variant and metric (per-type rows as ``per_type.TYPE.METRIC``), then one per pair
        test (``vs`` names the other side, no mean/sd of its own), full precision."""
        columns = ["variant", "metric", "n", "mean", "sd", "difference", "ci_low", "ci_high", "p", "p_bh", "vs"]
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(columns)
        for variant in self.variants:
            for metric in self.metrics:
                summary = self.summary[variant][metric]
                test = None if variant == self.baseline else self.test(variant, metric)
                extra = [] if test is None else [*_test_cells(test), test.reference]
                writer.writerow(_csv_cells([variant, metric, summary.n, summary.mean, summary.sd, *extra], 11))
            for kind, summary in sorted(self.per_type.get(variant, {}).items()):
                name = f"per_type.{kind}.{self.per_type_metric}"
                writer.writerow(_csv_cells([variant, name, summary.n, summary.mean, summary.sd], 11))
        for test in self.pair_tests():
            cells = [test.variant, test.metric, test.n, None, None, *_test_cells(test), test.reference]
            writer.writerow(_csv_cells(cells, 11))
        return buffer.getvalue()

    def to_markdown(self) -> str:
        """Paper-style tables: mean ± sd per variant, differences to the baseline and between pairs,
        per-type scores."""
        lines = [*self._summary_table(), "", *self._test_table()]
        if self.pair_tests():
            lines += ["", *self._pair_table()]
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
            if test.reference == self.baseline:
                lines.append(f"| {test.variant} | " + " | ".join(_test_row(test)) + " |")
        return lines

    def _pair_table(self) -> list[str]:
        lines = [
            "| pair A vs B (Δ = A − B) | metric | Δ mean | 95 % CI | p (Wilcoxon) | p (BH) |",
            "|---|---|---:|---:|---:|---:|",
        ]
        for test in self.pair_tests():
            lines.append(f"| {test.variant} vs {test.reference} | " + " | ".join(_test_row(test)) + " |")
        return lines

    def _per_type_table(self) -> list[str]:
        lines = [
            f"| type, {_header(str(self.per_type_metric))} | " + " | ".join(self.variants) + " |",
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
        family = "the variants compared on that metric"
        if self.pair_tests():
            family = "every test on that metric (the variants vs the baseline and the pairs)"
        method = CI_METHODS.get(self.ci_method, self.ci_method)
        notes = [
            f"Mean ± sample SD over {self.n_folds} folds; best mean per column in bold. Proportions (F1, precision, "
            "recall, accuracy, …) in %, 2 decimals; coefficients (MCC, Pearson, Spearman, ROC AUC) as is, 3 decimals.",
            f"Δ = variant − baseline per fold, averaged; 95 % CI: {method}. "
            "p: two-sided Wilcoxon signed-rank over paired folds; BH: Benjamini-Hochberg adjusted across "
            f"{family}; * p < {ALPHA}.",
        ]
        if self.tie_tolerance is not None:
            notes.append(
                f"Paired differences below {self.tie_tolerance:g} in absolute value are ties (float rounding, "
                "Δ 0 in that fold) and are left out of the ranks, as Wilcoxon's zero differences are; where "
                "every fold ties, p is 1.00."
            )
        smallest = 2.0 ** (1 - self.n_folds)
        if self.n_folds and smallest >= ALPHA:
            notes.append(
                f"With {self.n_folds} paired folds the smallest attainable Wilcoxon p is {smallest:.3g}: "
                f"no difference can reach p < {ALPHA}."
            )
        return notes


def _test_cells(test: PairedTest) -> list:
    return [test.difference, test.ci_low, test.ci_high, test.p, test.p_adjusted]


def _test_row(test: PairedTest) -> list[str]:
    """metric, Δ, CI, p, BH p of a test, in the tables' display rule."""
    scale, digits = _scale(test.metric)
    difference = "–" if test.difference is None else f"{test.difference * scale:+.{digits}f}"
    ci = "–"
    if test.ci_low is not None and test.ci_high is not None:
        ci = f"[{_number(test.ci_low, test.metric)}, {_number(test.ci_high, test.metric)}]"
    return [_header(test.metric), difference, ci, _p_cell(test.p), _p_cell(test.p_adjusted)]


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


def _paired_test(
    variant: str, reference: str, metric: str, values: list[float | None], other: list[float | None]
) -> PairedTest:
    """Difference, CI and Wilcoxon p over the folds where both sides are defined (BH filled in later).

    Δ and its CI are taken from the same ``paired_differences`` the Wilcoxon test ranks, so a fold
    that ties within float noise adds exactly 0 (and all-tied folds give Δ +0.00 [0.00, 0.00], p 1).
    """
    pairs = [(a, b) for a, b in zip(values, other, strict=True) if a is not None and b is not None]
    if not pairs:
        return PairedTest(variant, metric, 0, None, None, None, None, None, reference)
    ours, theirs = [a for a, _ in pairs], [b for _, b in pairs]
    differences = paired_differences(ours, theirs)
    interval = t_interval(differences)
    low, high = (None, None) if interval is None else interval
    p = wilcoxon_p(ours, theirs)
    return PairedTest(variant, metric, len(pairs), float(np.mean(differences)), low, high, p, None, reference)


def _adjust(tests: list[PairedTest]) -> None:
    """BH across every test reported on one metric (against the baseline and between pairs): each
    metric is its own family of hypotheses, and every comparison a table shows on it is in it."""
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
        interval = t_interval(present) if present else None  # the CI the per-type bars show
        if interval is not None:
            summary.ci_low, summary.ci_high = interval
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
    results: dict[str, list[dict]],
    baseline: str,
    metrics: list[str],
    per_type_metric: str | None = "f1",
    pairs: Sequence[tuple[str, str]] = (),
) -> Comparison:
    """Compare every variant with ``baseline`` (and the variants of each of ``pairs`` with each other)
    on ``metrics`` over paired folds.

    ``results[variant]`` holds one metrics dict per fold, in the same fold order for every variant
    (as returned by the functions of ``metrics``). Each metric gets mean ± sd per variant; each
    non-baseline variant gets the mean difference to the baseline, its 95 % t-interval, the
    Wilcoxon p and the BH-adjusted p; so does each pair ``(a, b)`` (Δ = a − b; see ``parse_pairs``).
    The BH family is every test reported on one metric (all variants vs the baseline and all pairs
    on that metric): the metrics are separate questions of the study, each answered by several
    tests. A value that is None or NaN in a fold (e.g. ROC AUC with one class) is left out of that
    variant's mean and of the pairs of its test. With ``per_type_metric`` and a ``"per_type"`` dict
    in the folds (NER), per-type mean ± sd (and the 95 % t-interval of the mean, drawn as the error
    bars of the report's per-type figure) is added for every variant.
    """
    n_folds = _check_results(results, baseline, metrics)
    variants = [baseline, *(v for v in results if v != baseline)]
    for a, b in pairs:
        for name in (a, b):
            if name not in results:
                known = ", ".join(variants)
                raise AdapterkitError(f"pair {a}:{b}: {name!r} is not among the compared variants ({known})")
    columns = {v: {m: [_lookup(fold, m, v, i) for i, fold in enumerate(results[v])] for m in metrics} for v in variants}
    summary = {v: {m: _summarise(columns[v][m]) for m in metrics} for v in variants}
    tests = [
        _paired_test(v, baseline, m, columns[v][m], columns[baseline][m])
        for v in variants
        if v != baseline
        for m in metrics
    ]
    tests += [_paired_test(a, b, m, columns[a][m], columns[b][m]) for a, b in pairs for m in metrics]
    _adjust(tests)
    per_type = {}
    if per_type_metric is not None and any("per_type" in fold for v in variants for fold in results[v]):
        per_type = {v: _per_type(results[v], per_type_metric) for v in variants}
    return Comparison(baseline, variants, list(metrics), n_folds, summary, tests, per_type_metric, per_type)
