"""The statistics reviewers ask for, checked against SciPy and scikit-learn directly: Wilcoxon with
float-noise ties, BH over baseline and pair tests, the t-interval, macro-F1, and ``--pairs``."""

from __future__ import annotations

import csv
import io
import json
import math
import statistics
import warnings
from importlib.util import find_spec
from pathlib import Path

import numpy as np
import pytest
from scipy import stats
from sklearn import metrics as sk

from adapterkit.cli import main
from adapterkit.errors import AdapterkitError
from adapterkit.jobs.cv import compared_metrics
from adapterkit.metrics import classification_metrics
from adapterkit.readers.kinds import KINDS
from adapterkit.report import comparison_from_json
from adapterkit.stats import benjamini_hochberg, compare, parse_pairs, t_interval, wilcoxon_p

# --- Wilcoxon: ties within float noise -------------------------------------------------------------


def test_wilcoxon_float_noise_in_every_fold_is_a_tie_and_gives_p_one() -> None:
    a, b = [0.3] * 10, [0.1 + 0.2] * 10
    assert stats.wilcoxon(a, b).pvalue == pytest.approx(2 / 2**10)  # what SciPy makes of 10 x -5.6e-17
    assert wilcoxon_p(a, b) == 1.0


def test_wilcoxon_float_noise_in_some_folds_is_dropped_like_an_exact_zero() -> None:
    a = [0.3, 0.82, 0.71, 0.93, 0.64, 0.87, 0.78, 0.3]
    b = [0.1 + 0.2, 0.80, 0.60, 0.90, 0.50, 0.81, 0.70, 0.1 + 0.2]
    exact = [0.0, 0.82 - 0.80, 0.71 - 0.60, 0.93 - 0.90, 0.64 - 0.50, 0.87 - 0.81, 0.78 - 0.70, 0.0]
    assert wilcoxon_p(a, b) == stats.wilcoxon(exact).pvalue


def test_wilcoxon_near_equal_differences_are_tied_ranks() -> None:
    # 0.82 - 0.80, 0.71 - 0.69 and 0.57 - 0.55 are three slightly different floats near 0.02: SciPy
    # ranks them apart, takes the exact distribution, and gets p < 0.05; as the tie they are, p = 0.0625.
    a = [0.82, 0.71, 0.93, 0.64, 0.55, 0.87, 0.78, 0.69]
    b = [0.80, 0.69, 0.90, 0.60, 0.57, 0.81, 0.73, 0.70]
    decimals = [0.02, 0.02, 0.03, 0.04, -0.02, 0.06, 0.05, -0.01]
    assert stats.wilcoxon(a, b).pvalue < 0.05
    assert wilcoxon_p(a, b) == stats.wilcoxon(decimals).pvalue == 0.0625


@pytest.mark.parametrize(("n", "seed"), [(5, 0), (6, 1), (8, 2), (10, 3), (10, 4), (20, 5)])
def test_wilcoxon_without_ties_equals_scipy_exactly(n: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    a = rng.uniform(0.6, 0.9, n).tolist()
    b = (np.asarray(a) - rng.normal(0.01, 0.02, n)).tolist()
    assert wilcoxon_p(a, b) == stats.wilcoxon(a, b).pvalue


def test_wilcoxon_with_exact_zeros_equals_scipy_exactly() -> None:
    a = [0.81, 0.79, 0.84, 0.80, 0.83, 0.78, 0.85, 0.82, 0.77, 0.8]
    b = [0.81, 0.75, 0.80, 0.80, 0.79, 0.72, 0.81, 0.74, 0.70, 0.8]  # folds 1, 4 and 10 equal
    assert wilcoxon_p(a, b) == stats.wilcoxon(a, b).pvalue


# --- Benjamini-Hochberg -----------------------------------------------------------------------------


def _bh_by_hand(pvalues: list[float]) -> list[float]:
    """Step-up BH as statsmodels' multipletests(method="fdr_bh") computes it: p * m / rank, then the
    running minimum from the largest p down, capped at 1."""
    m = len(pvalues)
    order = sorted(range(m), key=lambda i: pvalues[i])
    adjusted = [0.0] * m
    running = 1.0
    for rank in range(m, 0, -1):
        index = order[rank - 1]
        running = min(running, pvalues[index] * m / rank)
        adjusted[index] = running
    return adjusted


def test_benjamini_hochberg_equals_scipy_and_hand_computation() -> None:
    pvalues = [0.0625, 0.03125, 0.8, 0.01, 0.2, 0.04, 0.5]
    expected = stats.false_discovery_control(pvalues, method="bh")
    assert benjamini_hochberg(pvalues) == pytest.approx(expected.tolist(), rel=1e-12)
    assert benjamini_hochberg(pvalues) == pytest.approx(_bh_by_hand(pvalues), rel=1e-12)


# --- the t-interval ---------------------------------------------------------------------------------


@pytest.mark.parametrize("level", [0.95, 0.9])
def test_t_interval_bounds_equal_scipy_t_quantiles(level: float) -> None:
    values = [0.012, 0.031, -0.004, 0.022, 0.018, 0.009, 0.027, 0.015, 0.001, 0.02]
    n = len(values)
    half = stats.t.ppf((1 + level) / 2, n - 1) * statistics.stdev(values) / math.sqrt(n)
    mean = statistics.mean(values)
    assert t_interval(values, level) == pytest.approx((mean - half, mean + half), rel=1e-12)


def test_t_interval_degenerate_inputs_give_no_warning() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert t_interval([0.7]) is None
        assert t_interval([0.02] * 10) == (0.02, 0.02)
        assert t_interval([0.3 - 0.1 - 0.2] * 3) == (0.3 - 0.1 - 0.2,) * 2
    with pytest.raises(ValueError, match="at least one value"):
        t_interval([])


# --- macro-F1 in classification comparisons ---------------------------------------------------------


def test_binary_macro_f1_equals_sklearn() -> None:
    gold = ["pos", "pos", "neg", "neg", "neg", "pos", "neg", "neg", "neg", "neg"]
    pred = ["pos", "neg", "neg", "pos", "neg", "pos", "neg", "neg", "neg", "neg"]
    scores = classification_metrics(gold, pred, None, "pos")
    assert scores["macro_f1"] == pytest.approx(sk.f1_score(gold, pred, average="macro"), rel=1e-12)
    assert scores["f1"] == pytest.approx(sk.f1_score(gold, pred, pos_label="pos"), rel=1e-12)
    assert scores["macro_f1"] != pytest.approx(scores["f1"])  # two different numbers, both reported


def test_classification_comparisons_report_macro_f1_beside_mcc_and_positive_f1() -> None:
    headline = list(KINDS["classification"].headline_metrics)
    assert headline[:3] == ["mcc", "macro_f1", "f1"]
    binary = [classification_metrics(["a", "b", "b"], ["a", "b", "a"], [0.9, 0.2, 0.6], "a")]
    assert compared_metrics("classification", binary) == headline
    # A multi-class task has no positive class: mcc and macro_f1 only, not a missing-metric error.
    multi = [classification_metrics(["a", "b", "c"], ["a", "c", "c"], labels=["a", "b", "c"])]
    assert compared_metrics("classification", multi) == ["mcc", "macro_f1"]


# --- pairs ------------------------------------------------------------------------------------------

VARIANTS = ["base", "nl-bio", "nl-clin", "hub:user/x"]


def test_parse_pairs_all_and_named() -> None:
    assert parse_pairs("all", VARIANTS, "base") == [
        ("nl-bio", "nl-clin"),
        ("nl-bio", "hub:user/x"),
        ("nl-clin", "hub:user/x"),
    ]
    assert parse_pairs("nl-clin:nl-bio, hub:user/x:nl-bio", VARIANTS, "base") == [
        ("nl-clin", "nl-bio"),
        ("hub:user/x", "nl-bio"),
    ]
    assert parse_pairs(None, VARIANTS, "base") == []


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("nl-clin:nl-ro", r"--pairs 'nl-clin:nl-ro': 'nl-ro' not among the compared variants \(base, nl-bio"),
        ("nl-clin", r"--pairs 'nl-clin': expected A:B"),
        ("nl-clin:base", "compared with the baseline 'base' already"),
        ("nl-clin:nl-clin", "against itself"),
        ("nl-clin:nl-bio,nl-bio:nl-clin", "named twice"),
        ("a:b:c", r"'a:b:c': does not split into two compared variants"),
    ],
)
def test_parse_pairs_refuses_bad_specs(spec: str, message: str) -> None:
    with pytest.raises(AdapterkitError, match=message):
        parse_pairs(spec, VARIANTS, "base")


@pytest.mark.parametrize(
    ("spec", "named"),
    [("nl-clin:nl-ro", "'nl-ro'"), ("nl-clin:base", "'nl-clin:base'"), ("nl-clin", "'nl-clin'")],
)
def test_compare_pairs_errors_exit_2_before_any_training(
    spec: str, named: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    monkeypatch.chdir(tmp_path)
    # Neither the data nor the base model exist: reaching them would fail with another message.
    args = ["compare", "base", "nl-bio", "nl-clin", "--data", "missing.conll", "--base", "missing-model"]
    assert main([*args, "--pairs", spec, "--run-id", "cmp"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: --pairs ") and named in err
    assert not (tmp_path / "runs").exists()  # nothing written


def _folds(values: list[float], macro: list[float]) -> list[dict]:
    return [{"mcc": v, "macro_f1": m, "f1": v + 0.1} for v, m in zip(values, macro, strict=True)]


BASE = [0.50, 0.52, 0.48, 0.51, 0.49, 0.50, 0.53, 0.47]
BIO = [0.55, 0.58, 0.50, 0.57, 0.52, 0.56, 0.60, 0.51]
CLIN = [0.61, 0.565, 0.54, 0.59, 0.498, 0.593, 0.67, 0.534]  # vs BIO: higher in 6 of 8 folds


@pytest.fixture
def results() -> dict[str, list[dict]]:
    return {
        "base": _folds(BASE, [v - 0.05 for v in BASE]),
        "nl-bio": _folds(BIO, [v - 0.05 for v in BIO]),
        "nl-clin": _folds(CLIN, [v - 0.04 for v in CLIN]),
    }


def test_pair_test_equals_scipy_and_bh_runs_over_baseline_and_pair_tests(results: dict) -> None:
    comparison = compare(results, "base", ["mcc", "macro_f1"], None, [("nl-clin", "nl-bio")])
    pair = comparison.test("nl-clin", "mcc", "nl-bio")
    assert pair.reference == "nl-bio" and pair.n == 8
    assert pair.p == stats.wilcoxon(CLIN, BIO).pvalue
    assert pair.difference == pytest.approx(statistics.mean(CLIN) - statistics.mean(BIO), abs=1e-12)
    differences = [c - b for c, b in zip(CLIN, BIO, strict=True)]
    half = stats.t.ppf(0.975, 7) * statistics.stdev(differences) / math.sqrt(8)
    assert (pair.ci_low, pair.ci_high) == pytest.approx((pair.difference - half, pair.difference + half), rel=1e-9)
    # One BH family per metric: nl-bio vs base, nl-clin vs base, nl-clin vs nl-bio.
    family = [comparison.test("nl-bio", "mcc"), comparison.test("nl-clin", "mcc"), pair]
    expected = stats.false_discovery_control([t.p for t in family], method="bh")
    assert [t.p_adjusted for t in family] == pytest.approx(expected.tolist(), rel=1e-12)
    assert [t.p_adjusted for t in family] == pytest.approx(_bh_by_hand([t.p for t in family]), rel=1e-12)
    alone = compare(results, "base", ["mcc"], None)  # without the pair the family is two tests
    assert alone.test("nl-clin", "mcc").p_adjusted != comparison.test("nl-clin", "mcc").p_adjusted


def test_comparison_json_csv_markdown_show_the_pair_tests(results: dict) -> None:
    comparison = compare(results, "base", ["mcc", "macro_f1"], None, [("nl-clin", "nl-bio")])
    payload = json.loads(comparison.to_json())
    assert payload["ci_method"] == "t" and payload["tie_tolerance"] == 1e-9
    pair_tests = [t for t in payload["tests"] if t["reference"] == "nl-bio"]
    assert [(t["variant"], t["metric"]) for t in pair_tests] == [("nl-clin", "mcc"), ("nl-clin", "macro_f1")]
    assert all(t["reference"] == "base" for t in payload["tests"] if t not in pair_tests)
    rows = list(csv.DictReader(io.StringIO(comparison.to_csv())))
    row = next(r for r in rows if r["vs"] == "nl-bio" and r["metric"] == "mcc")
    assert row["variant"] == "nl-clin" and row["mean"] == "" and float(row["p"]) == pair_tests[0]["p"]
    assert float(row["p_bh"]) == pair_tests[0]["p_adjusted"]
    markdown = comparison.to_markdown()
    difference = statistics.mean(CLIN) - statistics.mean(BIO)
    assert "| pair A vs B (Δ = A − B) | metric | Δ mean | 95 % CI | p (Wilcoxon) | p (BH) |" in markdown
    assert f"| nl-clin vs nl-bio | mcc | +{difference:.3f} |" in markdown
    assert "Student t-interval of the mean" in markdown
    assert "the variants vs the baseline and the pairs" in markdown
    assert "below 1e-09 in absolute value are ties" in markdown
    again = comparison_from_json(payload)  # what report rebuilds the tables from
    assert again.to_markdown() == markdown


def test_one_fold_comparison_has_no_interval_and_no_traceback() -> None:
    results = {"a": [{"mcc": 0.4}], "b": [{"mcc": 0.5}], "c": [{"mcc": 0.5}]}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        comparison = compare(results, "a", ["mcc"], None, [("b", "c")])
    test = comparison.test("b", "mcc")
    assert (test.ci_low, test.ci_high, test.p) == (None, None, 1.0)
    assert "| b | mcc | +0.100 | – | 1.00 | 1.00 |" in comparison.to_markdown()
    assert "| b vs c | mcc | +0.000 | – | 1.00 | 1.00 |" in comparison.to_markdown()


def test_all_tied_pair_is_reported_as_zero_difference_and_p_one() -> None:
    results = {"a": [{"mcc": 0.1 + 0.2}] * 6, "b": [{"mcc": 0.3}] * 6, "c": [{"mcc": 0.4}] * 6}
    comparison = compare(results, "a", ["mcc"], None)
    test = comparison.test("b", "mcc")
    assert (test.difference, test.ci_low, test.ci_high, test.p) == (0.0, 0.0, 0.0, 1.0)
    assert "| b | mcc | +0.000 | [0.000, 0.000] | 1.00 | 1.00 |" in comparison.to_markdown()


def test_comparison_json_written_before_pairs_and_t_intervals_still_reads() -> None:
    old = json.loads(compare({"a": _folds(BASE, BASE), "b": _folds(BIO, BIO)}, "a", ["mcc"], None).to_json())
    for key in ("ci_method", "tie_tolerance"):
        del old[key]
    for test in old["tests"]:
        del test["reference"]
    comparison = comparison_from_json(old)
    assert comparison.test("b", "mcc").reference == "a" and not comparison.pair_tests()
    markdown = comparison.to_markdown()
    assert "95 % CI: percentile bootstrap of the mean" in markdown and "are ties" not in markdown


def _compare_run(run: Path, results: dict[str, list[dict]]) -> None:
    """A finished compare run's recorded files, as run_compare writes them (no training)."""
    run.mkdir(parents=True)
    (run / "comparison.json").write_text(compare(results, "base", ["mcc", "macro_f1"], None).to_json())
    (run / "command.txt").write_text("adapterkit compare base nl-bio nl-clin --data screening.jsonl\n")
    for variant, per_fold in results.items():
        (run / "cv" / variant).mkdir(parents=True)
        record = {"variant": variant, "folds": len(per_fold), "seed": 42, "per_fold": per_fold}
        (run / "cv" / variant / "cv.json").write_text(json.dumps(record))


def test_report_pairs_recomputes_the_comparison_from_recorded_folds(
    results: dict, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    run = tmp_path / "runs" / "screening"
    _compare_run(run, results)
    assert main(["report", str(run), "--pairs", "nl-clin:nl-bio"]) == 0
    payload = json.loads((run / "comparison.json").read_text())
    expected = compare(results, "base", ["mcc", "macro_f1"], None, [("nl-clin", "nl-bio")])
    assert payload == json.loads(expected.to_json())
    assert (run / "comparison.md").read_text() == expected.to_markdown()
    assert "| nl-clin vs nl-bio | mcc |" in (run / "report.md").read_text()
    assert "nl-clin vs nl-bio" in (run / "report.html").read_text()
    assert (run / "command.txt").read_text().splitlines()[-1].endswith("--pairs nl-clin:nl-bio")
    capsys.readouterr()
    assert main(["report", str(run), "--pairs", "nl-clin:nl-ro"]) == 2
    assert "'nl-ro' not among the compared variants" in capsys.readouterr().err
    assert json.loads((run / "comparison.json").read_text()) == payload  # unchanged by the refused call


def test_report_pairs_needs_a_compare_run(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["report", str(tmp_path), "--pairs", "all"]) == 2
    assert "--pairs" in capsys.readouterr().err


def test_study_a_recipe_pairs_name_its_compared_variants() -> None:
    from adapterkit.recipes import resolve_recipe

    named = []
    for step, argv in resolve_recipe("study-a", [])[2]:
        if argv[0] == "compare" and "--pairs" in argv:
            variants = argv[len(argv) - len(step["args"]["_"]) :]  # positionals come last
            named += parse_pairs(argv[argv.index("--pairs") + 1], variants, variants[0])
    assert named == [
        ("models/mbert-ro-bio", "models/mbert-nl-ro"),
        ("models/mbert-nl-clin", "models/mbert-nl-bio"),
        ("nl-clin", "nl-bio"),
    ]


@pytest.mark.skipif(find_spec("matplotlib") is None, reason="figures need matplotlib")
def test_per_type_figure_names_the_interval_method(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from adapterkit.report import figures as report  # where the figures are drawn and saved

    labels = []
    monkeypatch.setattr(report, "_save", lambda figure, path: labels.append(figure.axes[0].get_ylabel()) or path)
    folds = [{"f1": v, "per_type": {"DISO": {"f1": v}}} for v in (0.6, 0.7, 0.65)]
    payload = json.loads(compare({"a": folds, "b": folds}, "a", ["f1"]).to_json())
    report.per_type_f1_bars(payload, tmp_path / "bars.png")
    del payload["ci_method"]  # a file written before the method was recorded: the percentile bootstrap
    report.per_type_f1_bars(payload, tmp_path / "bars.png")
    assert labels == ["f1 (%), mean ± 95 % CI (t-interval)", "f1 (%), mean ± 95 % CI (percentile bootstrap)"]
