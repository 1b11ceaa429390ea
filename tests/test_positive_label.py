"""The positive class of a binary classification: named by --positive-label or an obvious pair, never
guessed from the labels' order; its recall/F1 are what the study reports; manifests and reports name it."""

from __future__ import annotations

import json
import random

import pytest
from sklearn.metrics import f1_score, recall_score

from adapterkit.cli import main
from adapterkit.errors import AdapterkitError
from adapterkit.readers.data import TextExample
from adapterkit.tasks.scoring import positive_class, score


@pytest.mark.parametrize(
    ("labels", "positive"),
    [
        (["exclusion", "inclusion"], "inclusion"),
        (["No", "Yes"], "Yes"),
        (["0", "1"], "1"),
        (["negative", "positive"], "positive"),
        (["ja", "nee"], "ja"),
        (["da", "nu"], "da"),
        (["no", "sí"], "sí"),
        (["false", "true"], "true"),
    ],
)
def test_an_obvious_pair_names_its_positive_class(labels, positive):
    assert positive_class("classification", labels) == positive


def test_other_labels_need_the_option_and_are_never_guessed_from_their_order():
    with pytest.raises(AdapterkitError) as refused:
        positive_class("classification", ["benign", "malignant"])
    message = str(refused.value)
    assert "\n" not in message and "add --positive-label benign or --positive-label malignant" in message
    assert positive_class("classification", ["benign", "malignant"], "benign") == "benign"
    assert positive_class("classification", ["exclusion", "inclusion"], "exclusion") == "exclusion"  # the option wins
    with pytest.raises(AdapterkitError, match=r"--positive-label cancer: not a label of the data \(its labels: b, m\)"):
        positive_class("classification", ["b", "m"], "cancer")
    with pytest.raises(AdapterkitError, match="the data is 3 classes"):
        positive_class("classification", ["a", "b", "c"], "a")
    with pytest.raises(AdapterkitError, match="the data is a ner task"):
        positive_class("ner", ["DISO"], "DISO")
    assert positive_class("classification", ["a", "b", "c"]) is None and positive_class("ner", ["DISO"]) is None


def test_recall_and_f1_are_those_of_the_named_class_as_scikit_learn_computes_them():
    import numpy as np

    rng = random.Random(3)
    gold = [rng.choice(["benign", "malignant"]) for _ in range(40)]
    pred = [label if rng.random() < 0.7 else rng.choice(["benign", "malignant"]) for label in gold]
    items = [TextExample("t", label, f"d{i}", f"f:{i}") for i, label in enumerate(gold)]
    probabilities = np.array([[0.8, 0.2] if p == "benign" else [0.3, 0.7] for p in pred])
    for positive in ("benign", "malignant"):
        metrics = score("classification", items, pred, probabilities, ["benign", "malignant"], positive=positive)
        assert metrics["recall"] == pytest.approx(recall_score(gold, pred, pos_label=positive))
        assert metrics["f1"] == pytest.approx(f1_score(gold, pred, pos_label=positive))


def _notes(path, labels=("benign", "malignant"), n=16):
    cues = {labels[0]: "een goedaardige cyste", labels[1]: "een kwaadaardige tumor met uitzaaiingen"}
    rows = [{"id": f"n{i}", "text": f"Patiënt {i}: {cues[labels[i % 2]]}.", "label": labels[i % 2]} for i in range(n)]
    path.write_text("\n".join(json.dumps(row, ensure_ascii=False) for row in rows) + "\n", encoding="utf-8")
    return path


def test_finetune_refuses_unclear_labels_in_one_line_before_training(workdir, tiny_bert, capsys):
    notes = _notes(workdir / "notes.jsonl")
    args = ["finetune", "--data", str(notes), "--name", "m", "--base", str(tiny_bert), "--max-steps", "1"]
    assert main(args) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "add --positive-label benign or --positive-label malignant" in err[0], err
    assert not (workdir / "models" / "m").exists()
    assert main([*args, "--positive-label", "malignant", "--eval-data", str(notes)]) == 0
    assert "(positive class: malignant)" in capsys.readouterr().out
    manifest = json.loads((workdir / "models" / "m" / "adapterkit.json").read_text())
    assert manifest["positive_label"] == "malignant" and manifest["settings"]["positive_label"] == "malignant"


def test_compare_records_and_reports_the_positive_class(workdir, tiny_bert):
    notes = _notes(workdir / "notes.jsonl", labels=("exclusion", "inclusion"))
    args = ["compare", "base", str(tiny_bert), "--data", str(notes), "--base", str(tiny_bert), "--folds", "2"]
    assert main([*args, "--max-steps", "1", "--batch-size", "4", "--run-id", "pos"]) == 0
    comparison = json.loads((workdir / "runs" / "pos" / "comparison.json").read_text())
    assert comparison["positive_label"] == "inclusion"  # an obvious pair
    assert "Positive class: **inclusion**" in (workdir / "runs" / "pos" / "report.md").read_text()
    cv = json.loads((workdir / "runs" / "pos" / "cv" / "base" / "cv.json").read_text())
    assert cv["positive_label"] == "inclusion"


def test_a_recipe_with_unclear_labels_is_refused_before_its_first_step(workdir, tiny_bert, small_corpus, capsys):
    notes = _notes(workdir / "notes.jsonl")
    recipe = workdir / "r.toml"
    recipe.write_text(
        f'[[steps]]\nid = "lm"\nrun = "pretrain"\nargs = {{ name = "a", corpus = ["{small_corpus}"], '
        f'base = "{tiny_bert}", max_steps = 1 }}\n'
        f'[[steps]]\nid = "cls"\nrun = "cv"\nargs = {{ data = ["{notes}"], base = "{tiny_bert}", folds = 2 }}\n'
    )
    assert main(["run", str(recipe)]) == 2
    err = capsys.readouterr().err
    assert "add --positive-label benign or --positive-label malignant (step cls)" in err
    assert not (workdir / "adapters" / "a").exists()  # the pre-training before it did not run
