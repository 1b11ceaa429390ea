"""Per-fold scores: equal to the reference libraries, and to hand-computed values."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats
from seqeval import metrics as seqeval_metrics
from seqeval.scheme import IOB2
from sklearn import metrics as sk

from adapterkit.errors import AdapterkitError
from adapterkit.metrics import classification_metrics, multilabel_metrics, ner_metrics, regression_metrics

# The second sentence starts its DIS entity with I-: conlleval counts it, strict IOB2 does not.
NER_GOLD = [["B-DIS", "I-DIS", "O", "B-DRUG"], ["I-DIS", "I-DIS", "O", "B-DRUG", "I-DRUG"]]
NER_PRED = [["B-DIS", "I-DIS", "O", "O"], ["I-DIS", "I-DIS", "O", "B-DRUG", "O"]]


@pytest.mark.parametrize("strict", [False, True])
def test_ner_metrics_equal_seqeval(strict: bool) -> None:
    options = {"mode": "strict", "scheme": IOB2} if strict else {}
    scores = ner_metrics(NER_GOLD, NER_PRED, strict=strict)
    assert scores["precision"] == pytest.approx(seqeval_metrics.precision_score(NER_GOLD, NER_PRED, **options))
    assert scores["recall"] == pytest.approx(seqeval_metrics.recall_score(NER_GOLD, NER_PRED, **options))
    assert scores["f1"] == pytest.approx(seqeval_metrics.f1_score(NER_GOLD, NER_PRED, **options))
    report = seqeval_metrics.classification_report(NER_GOLD, NER_PRED, output_dict=True, **options)
    assert scores["macro_f1"] == pytest.approx(report["macro avg"]["f1-score"])
    for kind in ("DIS", "DRUG"):
        assert scores["per_type"][kind]["f1"] == pytest.approx(report[kind]["f1-score"])
        assert scores["per_type"][kind]["support"] == report[kind]["support"]


def test_ner_default_and_strict_differ_on_an_entity_opened_by_i() -> None:
    default = ner_metrics(NER_GOLD, NER_PRED)
    strict = ner_metrics(NER_GOLD, NER_PRED, strict=True)
    # conlleval: gold DIS x2, DRUG x2; predicted DIS x2 (both right), DRUG x1 (wrong span).
    assert (default["precision"], default["recall"], default["f1"]) == pytest.approx((2 / 3, 1 / 2, 4 / 7))
    assert default["per_type"]["DIS"]["support"] == 2
    # strict: the I-DIS spans are no entities; gold DIS x1, DRUG x2; predicted DIS x1 (right), DRUG x1.
    assert (strict["precision"], strict["recall"], strict["f1"]) == pytest.approx((1 / 2, 1 / 3, 2 / 5))
    assert strict["per_type"]["DIS"]["support"] == 1


def test_ner_per_type_hand_computed() -> None:
    gold = [["B-A", "O", "B-A", "O", "B-B", "I-B"]]
    pred = [["B-A", "O", "O", "B-A", "B-B", "I-B"]]
    scores = ner_metrics(gold, pred)
    # A: gold at 0 and 2, predicted at 0 and 3 -> 1 of 2 right on each side.
    assert scores["per_type"]["A"] == {"precision": 0.5, "recall": 0.5, "f1": 0.5, "support": 2}
    assert scores["per_type"]["B"] == {"precision": 1.0, "recall": 1.0, "f1": 1.0, "support": 1}
    assert scores["f1"] == pytest.approx(2 / 3)
    assert scores["macro_f1"] == pytest.approx(0.75)


def test_ner_without_entities_is_zero_not_nan() -> None:
    assert ner_metrics([["O", "O"]], [["O", "O"]]) == {
        "scheme": "conlleval",
        "precision": 0.0,
        "recall": 0.0,
        "f1": 0.0,
        "macro_f1": 0.0,
        "per_type": {},
    }


@pytest.mark.parametrize(
    ("gold", "pred", "message"),
    [
        ([["B-A", "O"]], [["B-A"]], "sentence 0 has 2 gold tags but 1 predicted"),
        ([["B-A"]], [["X-A"]], "tag 'X-A'"),
        ([["B-A"]], [], "1 gold items but 0 predictions"),
    ],
)
def test_ner_bad_input_refused(gold: list, pred: list, message: str) -> None:
    with pytest.raises(AdapterkitError, match=message):
        ner_metrics(gold, pred)


BIN_GOLD = ["pos", "neg", "pos", "pos", "neg", "neg", "pos", "neg"]
BIN_PRED = ["pos", "neg", "neg", "pos", "pos", "neg", "pos", "neg"]
BIN_SCORES = [0.9, 0.2, 0.4, 0.8, 0.6, 0.1, 0.7, 0.3]


def test_binary_classification_equals_sklearn_and_hand_counts() -> None:
    scores = classification_metrics(BIN_GOLD, BIN_PRED, BIN_SCORES, "pos")
    truth = [g == "pos" for g in BIN_GOLD]
    assert scores["mcc"] == pytest.approx(sk.matthews_corrcoef(BIN_GOLD, BIN_PRED))
    assert scores["roc_auc"] == pytest.approx(sk.roc_auc_score(truth, BIN_SCORES))
    assert scores["f1"] == pytest.approx(sk.f1_score(BIN_GOLD, BIN_PRED, pos_label="pos"))
    # TP 3, FN 1, FP 1, TN 3.
    assert scores["mcc"] == pytest.approx((3 * 3 - 1 * 1) / 16)
    assert scores["roc_auc"] == pytest.approx(15 / 16)
    assert scores["precision"] == pytest.approx(3 / 4)
    assert scores["recall"] == pytest.approx(3 / 4)
    assert scores["specificity"] == pytest.approx(3 / 4)
    assert scores["accuracy"] == pytest.approx(6 / 8)


def test_specificity_hand_computed_when_unbalanced() -> None:
    gold = ["y", "n", "n", "n", "n", "y"]
    pred = ["y", "y", "n", "y", "n", "n"]  # TN 2, FP 2 -> specificity 0.5
    assert classification_metrics(gold, pred, None, "y")["specificity"] == pytest.approx(0.5)


def test_roc_auc_undefined_without_scores_or_with_one_class() -> None:
    assert classification_metrics(BIN_GOLD, BIN_PRED, None, "pos")["roc_auc"] is None
    assert classification_metrics(["pos", "pos"], ["pos", "neg"], [0.9, 0.1], "pos")["roc_auc"] is None


def test_multiclass_equals_sklearn() -> None:
    gold = ["a", "b", "c", "a", "b", "c", "a"]
    pred = ["a", "b", "b", "a", "c", "c", "b"]
    scores = classification_metrics(gold, pred, labels=["a", "b", "c", "d"])
    assert set(scores) == {"mcc", "accuracy", "macro_f1"}
    assert scores["mcc"] == pytest.approx(sk.matthews_corrcoef(gold, pred))
    assert scores["accuracy"] == pytest.approx(sk.accuracy_score(gold, pred))
    expected = sk.f1_score(gold, pred, average="macro", labels=["a", "b", "c", "d"], zero_division=0)
    assert scores["macro_f1"] == pytest.approx(expected)


@pytest.mark.parametrize(
    ("gold", "pred", "message"),
    [
        (["a", "b", "c"], ["a", "b", "c"], "3 labels occur"),
        (["a", "b"], ["a", "b"], "neither of the labels"),
    ],
)
def test_binary_with_wrong_labels_refused(gold: list[str], pred: list[str], message: str) -> None:
    with pytest.raises(AdapterkitError, match=message):
        classification_metrics(gold, pred, None, "pos")


def test_multilabel_equals_sklearn() -> None:
    labels = ["a", "b", "c"]
    gold = [["a"], ["a", "b"], ["c"], []]
    pred = [["a"], ["b"], ["c", "a"], ["b"]]
    truth = np.array([[1, 0, 0], [1, 1, 0], [0, 0, 1], [0, 0, 0]])
    guess = np.array([[1, 0, 0], [0, 1, 0], [1, 0, 1], [0, 1, 0]])
    scores = multilabel_metrics(gold, pred, labels)
    assert scores["macro_f1"] == pytest.approx(sk.f1_score(truth, guess, average="macro"))
    assert scores["micro_f1"] == pytest.approx(sk.f1_score(truth, guess, average="micro"))
    assert scores["macro_f1"] == pytest.approx((1 / 2 + 2 / 3 + 1) / 3)
    assert scores["micro_f1"] == pytest.approx(2 / 3)
    assert scores["per_label"] == pytest.approx({"a": 0.5, "b": 2 / 3, "c": 1.0})


def test_multilabel_unknown_label_refused() -> None:
    with pytest.raises(AdapterkitError, match="label\\(s\\) z not in the label set"):
        multilabel_metrics([["a"]], [["z"]], ["a", "b"])


def test_regression_equals_scipy() -> None:
    gold = [0.0, 1.5, 2.0, 3.5, 4.0, 5.0]
    pred = [0.2, 1.0, 2.5, 3.0, 4.5, 4.4]
    scores = regression_metrics(gold, pred)
    assert scores["pearson"] == pytest.approx(stats.pearsonr(gold, pred).statistic)
    assert scores["spearman"] == pytest.approx(stats.spearmanr(gold, pred).statistic)


def test_regression_constant_prediction_is_undefined() -> None:
    assert regression_metrics([1.0, 2.0, 3.0], [2.0, 2.0, 2.0]) == {"pearson": None, "spearman": None}
