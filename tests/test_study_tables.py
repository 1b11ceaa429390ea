"""The study reports' tables built from recorded results: the paper table, external validation,
multilingual vs monolingual per language, and test-set scores per language and pooled."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from adapterkit.report.recipe import external_rows, heldout_rows, paper_section, per_language_rows


def _comparison(folder: Path, summary: dict, metric: str, groups: dict | None = None) -> None:
    """A compare run folder: comparison.json and, with ``groups``, each variant's per-fold part scores."""
    folder.mkdir(parents=True)
    data = {
        "baseline": next(iter(summary)),
        "variants": list(summary),
        "metrics": [metric],
        "n_folds": 3,
        "summary": {v: {metric: {"mean": m, "sd": 0.01, "n": 3, "values": [m] * 3}} for v, m in summary.items()},
        "tests": [],
    }
    (folder / "comparison.json").write_text(json.dumps(data))
    for number, (variant, by_fold) in enumerate((groups or {}).items()):
        (folder / "cv" / str(number)).mkdir(parents=True)
        per_fold = [{"groups": {g: {metric: v} for g, v in fold.items()}} for fold in by_fold]
        (folder / "cv" / str(number) / "cv.json").write_text(json.dumps({"variant": variant, "per_fold": per_fold}))


def test_external_validation_sets_the_external_score_beside_the_internal_cross_validated_one(workdir):
    _comparison(workdir / "runs" / "ct", {"base": 0.80, "models/new": 0.90}, "macro_f1")
    for name, score in (("ct-base", 0.70), ("ct-new", 0.85)):
        (workdir / "models" / name).mkdir(parents=True)
        manifest = {
            "name": name,
            "kind": "task",
            "base": {"id": "tiny", "fingerprint": "0" * 64},
            "task": "multilabel",
            "evaluation": {"metrics": {"macro_f1": score, "micro_f1": 0.9}},
        }
        (workdir / "models" / name / "adapterkit.json").write_text(json.dumps(manifest))
    plan = [
        ({"id": "compare"}, ["compare", "--data", "ct.jsonl", "--run-id", "ct", "base", "models/new"]),
        ({"id": "ext-base"}, ["finetune", "--data", "ct.jsonl", "--eval-data", "ext.jsonl", "--name", "ct-base"]),
        ({"id": "ext-new"}, ["finetune", "--data", "ct.jsonl", "--eval-data", "x", "--name", "ct-new",
                             "--variant", "models/new"]),
        ({"id": "no-eval"}, ["finetune", "--data", "ct.jsonl", "--name", "ct-new"]),
    ]  # fmt: skip
    assert external_rows(plan) == [
        ["ext-base", "`base`", "macro_f1", "0.8000 ± 0.0100", "0.7000"],
        ["ext-new", "`models/new`", "macro_f1", "0.9000 ± 0.0100", "0.8500"],
    ]


def test_per_language_table_puts_each_languages_pooled_part_beside_its_monolingual_run(workdir):
    folds = {"base": [{"en": 0.5, "es": 0.6}, {"en": 0.7, "es": 0.8}], "models/s1": [{"en": 0.9, "es": 0.9}]}
    _comparison(workdir / "runs" / "pooled", {"base": 0.6, "models/s1": 0.9}, "f1", folds)
    _comparison(workdir / "runs" / "mono-en", {"base": 0.55, "models/s1": 0.75}, "f1")
    recipe = {"per_language": {"pooled": "compare-pooled", "monolingual": "compare-mono"}}
    plan = [
        (
            {"id": "compare-pooled-disease", "_template": "compare-pooled", "_each": {"track": "disease"}},
            ["compare", "--run-id", "pooled"],
        ),
        (
            {"id": "compare-mono-disease-en", "_template": "compare-mono",
             "_each": {"track": "disease", "part_slug": "en"}},
            ["compare", "--run-id", "mono-en"],
        ),
    ]  # fmt: skip
    header, rows = per_language_rows(recipe, plan)
    assert header == ["track", "language", "variant", "metric", "multilingual", "monolingual"]
    assert rows == [
        ["disease", "en", "`base`", "f1", "0.6000", "0.5500"],  # 0.6 = mean of the folds' en parts
        ["disease", "en", "`models/s1`", "f1", "0.9000", "0.7500"],
        ["disease", "es", "`base`", "f1", "0.7000", "–"],  # no monolingual run for es
        ["disease", "es", "`models/s1`", "f1", "0.9000", "–"],
    ]
    assert per_language_rows({}, plan) is None


def _score(folder: Path, name: str, per_type: dict) -> str:
    path = folder / f"{name}.json"
    path.write_text(json.dumps({"micro": {"tp": 0, "pred": 0, "gold": 0}, "per_type": per_type}))
    return str(path)


def test_test_set_scores_count_only_the_tracks_types_and_pool_languages_by_summed_counts(tmp_path):
    en = _score(tmp_path, "en", {"DISO": {"tp": 8, "pred": 10, "gold": 16}, "CHEM": {"tp": 5, "pred": 5, "gold": 5}})
    de = _score(tmp_path, "de", {"DISO": {"tp": 2, "pred": 10, "gold": 4}})
    bound = {"track": "disease", "track_value": "DISO", "stage": "two-stage"}
    plan = [
        ({"id": "s-en", "_template": "score-test", "_each": {**bound, "part_slug": "en"}}, ["score", "--json", en]),
        ({"id": "s-de", "_template": "score-test", "_each": {**bound, "part_slug": "de"}}, ["score", "--json", de]),
    ]
    rows = heldout_rows({"test_set": "score-test"}, plan)
    assert rows[0] == ["disease", "two-stage", "en", "0.8000", "0.5000", "0.6154", "8 / 10 / 16"]
    assert rows[1][2:] == ["de", "0.2000", "0.5000", "0.2857", "2 / 10 / 4"]
    pooled = rows[2]  # micro over languages: 10 / 20 / 20
    assert pooled[2:] == ["**pooled**", "0.5000", "0.5000", "0.5000", "10 / 20 / 20"]
    assert heldout_rows({}, plan) == []


@pytest.mark.parametrize("name", ["study-a", "study-b", "study-c"])
def test_every_study_names_the_papers_tables_and_where_the_recipe_reproduces_them(name):
    from adapterkit.recipes import RECIPES_DIR, load_recipe

    recipe = load_recipe(RECIPES_DIR / f"{name}.toml")
    section = paper_section(recipe)
    assert section is not None and len(recipe["paper"]) >= 5
    assert all(len(row) == 2 and all(isinstance(cell, str) and cell for cell in row) for row in recipe["paper"])
    steps = {step["id"] for step in recipe["steps"]}
    named = {part.split("`")[0].split("-<")[0] for row in recipe["paper"] for part in row[1].split("`")[1::2]}
    assert named & steps, named  # the table points at real steps of the recipe


def test_the_external_ct_report_set_shares_no_text_with_the_internal_one_and_uses_its_labels():
    from adapterkit.paths import STANDIN_CORPORA_DIR

    tasks = STANDIN_CORPORA_DIR.parent / "tasks"
    internal = [json.loads(line) for line in (tasks / "nl-ct-reports.jsonl").read_text().splitlines()]
    external = [json.loads(line) for line in (tasks / "nl-ct-reports-external.jsonl").read_text().splitlines()]
    assert len(external) == 100 and not {r["text"] for r in internal} & {r["text"] for r in external}
    labels = {label for r in internal for label in r["labels"]}
    assert {label for r in external for label in r["labels"]} == labels  # every label, none unknown to training
