"""Statistics over folds equal SciPy and hand computation; the comparison tables hold the numbers."""

from __future__ import annotations

import csv
import io
import json
import statistics

import pytest
from scipy import stats

from adapterkit.errors import AdapterkitError
from adapterkit.stats import benjamini_hochberg, compare, mean_sd, t_interval, wilcoxon_p

A = [0.81, 0.79, 0.84, 0.80, 0.83, 0.78, 0.85, 0.82]
B = [0.80, 0.80, 0.81, 0.77, 0.80, 0.79, 0.81, 0.80]


def test_mean_sd_is_sample_sd() -> None:
    assert mean_sd([1.0, 2.0, 3.0, 4.0]) == pytest.approx((2.5, statistics.stdev([1, 2, 3, 4])))
    assert mean_sd([0.7]) == (0.7, 0.0)


def test_wilcoxon_equals_scipy() -> None:
    assert wilcoxon_p(A, B) == pytest.approx(stats.wilcoxon(A, B).pvalue)


def test_wilcoxon_identical_inputs_give_one() -> None:
    assert wilcoxon_p(A, A) == 1.0


def test_wilcoxon_unpaired_refused() -> None:
    with pytest.raises(AdapterkitError, match="5 vs 4 folds"):
        wilcoxon_p([1, 2, 3, 4, 5], [1, 2, 3, 4])


def test_benjamini_hochberg_hand_computed() -> None:
    # Sorted: 0.005*4/1=0.02, 0.01*4/2=0.02, 0.03*4/3=0.04, 0.04*4/4=0.04 (already monotone).
    assert benjamini_hochberg([0.01, 0.04, 0.03, 0.005]) == pytest.approx([0.02, 0.04, 0.04, 0.02])
    # Monotonicity step: 0.02*3/2=0.03 exceeds 0.025*3/3=0.025, so it takes 0.025.
    assert benjamini_hochberg([0.02, 0.025, 0.001]) == pytest.approx([0.025, 0.025, 0.003])
    assert benjamini_hochberg([]) == []


def test_t_interval_contains_mean_and_widens_with_level() -> None:
    differences = [a - b for a, b in zip(A, B, strict=True)]
    low, high = t_interval(differences)
    assert low < statistics.mean(differences) < high
    assert t_interval(differences) == (low, high)
    wide_low, wide_high = t_interval(differences, level=0.99)
    assert wide_low < low and high < wide_high


def test_t_interval_of_constant_differences_is_the_value_and_of_one_fold_none() -> None:
    assert t_interval([0.02, 0.02, 0.02]) == (0.02, 0.02)
    assert t_interval([0.5]) is None


def _fold(f1: float, mcc: float, **per_type: float) -> dict:
    return {"f1": f1, "mcc": mcc, "per_type": {kind: {"f1": value} for kind, value in per_type.items()}}


BASE_F1 = [0.80, 0.82, 0.78, 0.81, 0.79, 0.80]
GAIN = [0.01, 0.02, 0.015, 0.03, 0.005, 0.025]


@pytest.fixture
def results() -> dict[str, list[dict]]:
    base = [_fold(f, 0.5, DIS=f, DRUG=f - 0.1) for f in BASE_F1]
    better = [_fold(f + g, 0.5 + g, DIS=f + g, DRUG=f - 0.1) for f, g in zip(BASE_F1, GAIN, strict=True)]
    same = [_fold(f, 0.5, DIS=f, DRUG=f - 0.1) for f in BASE_F1]
    return {"mbert": base, "mbert+nl": better, "copy": same}


def test_compare_numbers(results: dict[str, list[dict]]) -> None:
    comparison = compare(results, "mbert", ["f1", "mcc"])
    assert comparison.variants == ["mbert", "mbert+nl", "copy"]
    summary = comparison.summary["mbert+nl"]["f1"]
    expected = [f + g for f, g in zip(BASE_F1, GAIN, strict=True)]
    assert (summary.mean, summary.sd) == pytest.approx((statistics.mean(expected), statistics.stdev(expected)))
    test = comparison.test("mbert+nl", "f1")
    assert test.difference == pytest.approx(statistics.mean(GAIN))
    assert test.p == pytest.approx(stats.wilcoxon(expected, BASE_F1).pvalue) == pytest.approx(2 / 2**6)
    assert test.ci_low < test.difference < test.ci_high
    # BH over the two variants compared on f1: p = [1/32, 1] -> [1/16, 1].
    assert test.p_adjusted == pytest.approx(1 / 16)
    assert comparison.test("copy", "f1").p == 1.0
    assert comparison.test("copy", "f1").p_adjusted == 1.0
    assert comparison.per_type["mbert"]["DRUG"].mean == pytest.approx(statistics.mean(BASE_F1) - 0.1)


def test_markdown_has_paper_style_numbers(results: dict[str, list[dict]]) -> None:
    markdown = compare(results, "mbert", ["f1", "mcc"]).to_markdown()
    mean_f1 = statistics.mean(BASE_F1) * 100
    sd_f1 = statistics.stdev(BASE_F1) * 100
    assert f"| mbert (baseline) | {mean_f1:.2f} ± {sd_f1:.2f} | 0.500 ± 0.000 |" in markdown
    gain = statistics.mean(GAIN)
    assert f"| mbert+nl | f1 (%) | +{gain * 100:.2f} |" in markdown
    assert f"| mbert+nl | mcc | +{gain:.3f} |" in markdown
    assert "| 0.0312* | 0.0625 |" in markdown  # 1/32 significant, BH-adjusted 1/16 not
    assert "| copy | f1 (%) | +0.00 | [0.00, 0.00] | 1.00 | 1.00 |" in markdown
    assert "| type, f1 (%) | mbert | mbert+nl | copy |" in markdown
    assert f"| DRUG | {mean_f1 - 10:.2f} ± {sd_f1:.2f} |" in markdown
    assert "smallest attainable" not in markdown  # 6 folds can reach p < 0.05


def test_markdown_warns_when_folds_cannot_reach_significance(results: dict[str, list[dict]]) -> None:
    five = {variant: folds[:5] for variant, folds in results.items()}
    markdown = compare(five, "mbert", ["f1"]).to_markdown()
    assert "With 5 paired folds the smallest attainable Wilcoxon p is 0.0625" in markdown


def test_csv_and_json_have_full_precision(results: dict[str, list[dict]]) -> None:
    comparison = compare(results, "mbert", ["f1", "mcc"])
    rows = list(csv.DictReader(io.StringIO(comparison.to_csv())))
    row = next(r for r in rows if r["variant"] == "mbert+nl" and r["metric"] == "f1")
    test = comparison.test("mbert+nl", "f1")
    assert float(row["difference"]) == test.difference
    assert float(row["p"]) == test.p and float(row["p_bh"]) == test.p_adjusted
    baseline = next(r for r in rows if r["variant"] == "mbert" and r["metric"] == "f1")
    assert baseline["p"] == "" and float(baseline["mean"]) == comparison.summary["mbert"]["f1"].mean
    assert any(r["metric"] == "per_type.DIS.f1" for r in rows)
    payload = json.loads(comparison.to_json())
    assert payload["baseline"] == "mbert" and payload["n_folds"] == 6
    assert payload["summary"]["mbert"]["f1"]["values"] == BASE_F1
    found = next(t for t in payload["tests"] if t["variant"] == "mbert+nl" and t["metric"] == "mcc")
    assert found["difference"] == comparison.test("mbert+nl", "mcc").difference


def test_undefined_fold_values_are_left_out() -> None:
    base = [{"roc_auc": v} for v in (0.7, None, 0.8, 0.75)]
    other = [{"roc_auc": v} for v in (0.72, 0.9, 0.83, None)]
    comparison = compare({"base": base, "other": other}, "base", ["roc_auc"], per_type_metric=None)
    assert comparison.summary["base"]["roc_auc"].n == 3
    test = comparison.test("other", "roc_auc")
    assert test.n == 2 and test.difference == pytest.approx(0.025)
    assert "| other | roc_auc | +0.025 |" in comparison.to_markdown()


@pytest.mark.parametrize(
    ("baseline", "metrics", "trim", "message"),
    [
        ("bert", ["f1"], False, "baseline 'bert' has no results"),
        ("mbert", ["macro_f1"], False, "metric 'macro_f1' is missing from fold 1 of variant 'mbert'"),
        ("mbert", ["f1"], True, "variant 'copy' has 5 fold results but baseline 'mbert' has 6"),
    ],
)
def test_compare_bad_input_refused(
    results: dict[str, list[dict]], baseline: str, metrics: list[str], trim: bool, message: str
) -> None:
    if trim:
        results["copy"] = results["copy"][:5]
    with pytest.raises(AdapterkitError, match=message):
        compare(results, baseline, metrics)
