"""The studies as published, or saying where not: study C's stage one per track, the MoNERo size study A
runs, and the report marking every setting the study does not state."""

from __future__ import annotations

import json
import re

import pytest

from adapterkit.errors import AdapterkitError
from adapterkit.paths import shared_data_dir
from adapterkit.recipes import resolve_recipe
from adapterkit.report.recipe import paper_section
from adapterkit.report.recipe_tables import NOT_STATED, data_rows, settings_rows


def _argv(plan, step_id: str) -> list[str]:
    return next(argv for step, argv in plan if step["id"] == step_id)


def _data(argv: list[str]) -> list[str]:
    return [argv[i + 1] for i, item in enumerate(argv[:-1]) if item == "--data"]


def test_study_c_trains_stage_one_per_track_on_that_tracks_own_set():
    _, _, plan = resolve_recipe("study-c", [])
    assert _data(_argv(plan, "stage-one-disease")) == ["es=data/distemist/train"]
    assert _data(_argv(plan, "stage-one-medication")) == ["es=data/drugtemist/train"]
    _, _, plan = resolve_recipe("study-c", ['data.stage_one.medication=["es=/data/drugtemist/train"]'])
    assert _data(_argv(plan, "stage-one-medication")) == ["es=/data/drugtemist/train"]
    _, _, smoke = resolve_recipe("study-c", [], smoke=True)  # the smoke scale: other Medline sets per track
    disease, medication = _data(_argv(smoke, "stage-one-disease")), _data(_argv(smoke, "stage-one-medication"))
    assert [part.split("=")[0] for part in disease] == ["en", "es", "nl"]
    assert [part.split("=")[0] for part in medication] == ["en", "fr", "de"] and not set(disease) & set(medication)
    assert "--types CHEM" in " ".join(_argv(smoke, "stage-one-medication"))


def test_a_track_without_a_stage_one_set_is_refused_naming_the_setting():
    with pytest.raises(AdapterkitError, match=r"step stage-one-symptom: \$\{data.stage_one.symptom\} is not a setting"):
        resolve_recipe("study-c", ['tracks={ disease = "ENFERMEDAD", symptom = "SINTOMA" }'])


def test_study_a_runs_the_whole_monero_unless_the_subset_of_the_studys_size_is_asked_for():
    _, recipe, plan = resolve_recipe("study-a", [])
    assert "--limit 0" in " ".join(_argv(plan, "compare-ro-ner"))
    assert "497 sentences / 1,175 entities" in json.dumps(recipe["paper"])
    _, _, plan = resolve_recipe("study-a", ["task.monero_sentences=497"])
    assert "--limit 497" in " ".join(_argv(plan, "compare-ro-ner"))


@pytest.mark.skipif(not (shared_data_dir() / "monero").is_dir(), reason="../shared/data/monero is absent")
@pytest.mark.parametrize(("sentences", "size", "entities"), [(0, "4,984 sentences", "14,542"), (497, "497", None)])
def test_the_report_states_the_monero_size_each_comparison_read(workdir, sentences, size, entities):
    _, _, plan = resolve_recipe("study-a", [f"task.monero_sentences={sentences}"])
    step, argv = next((step, argv) for step, argv in plan if step["id"] == "compare-ro-ner")
    (workdir / "runs" / "study-a-ro-ner").mkdir(parents=True)
    finished = {"baseline": "base", "variants": ["base"], "metrics": ["f1"], "n_folds": 2, "summary": {}, "tests": []}
    (workdir / "runs" / "study-a-ro-ner" / "comparison.json").write_text(json.dumps(finished))
    [row] = data_rows([(step, argv)])
    assert row[0] == "compare-ro-ner" and row[1].startswith("MoNERo.txt") and row[2].startswith(size)
    if entities:  # the corpus's own count (its README: 4,984 sentences, 14,542 entities)
        assert row[3] == entities
    else:  # the first 497 sentences, counted here from the file without adapterkit's reader
        text = (shared_data_dir() / "monero" / "MoNERo.txt").read_text(encoding="utf-8")
        starts = 0
        for block in [b for b in re.split(r"\n\s*\n", text) if b.strip()][:497]:
            previous = "O"  # an I- tag after another type (or none) starts an entity, as the reader repairs it
            for line in block.splitlines():
                tag = line.split("\t")[2]
                kind = tag[2:] if re.fullmatch(r"[BI]-\S+", tag) else None
                starts += kind is not None and (tag[0] == "B" or kind != previous)
                previous = kind or "O"
        assert row[3] == f"{starts:,}" and "(first 497 of each part)" in row[1]


def test_the_report_marks_each_setting_the_study_does_not_state():
    _, study_b, _ = resolve_recipe("study-b", [])
    rows = {row[0]: row[2] for row in settings_rows(study_b)}
    assert rows["`vocab.size`"].startswith("the study: a new bilingual WordPiece vocabulary of 45,000")
    assert rows["`bases`"].startswith("the study: three bases")
    others = [key for key in rows if key not in ("`vocab.size`", "`bases`")]
    assert "`task.lr`" in others and "`task.folds`" in others and "`pretrain.epochs`" in others
    assert all(rows[key] == NOT_STATED for key in others)
    _, study_a, _ = resolve_recipe("study-a", ["task.lr=3e-5"])
    rows_a = {row[0]: row[1:] for row in settings_rows(study_a)}
    assert rows_a["`task.lr`"] == ["`3e-05`", "the study: learning rate 2e-5"]  # this run's value beside it
    assert rows_a["`task.warmup_ratio`"][1] == NOT_STATED and rows_a["`task.max_seq_len`"][1] == NOT_STATED
    assert not any("monero" in key and "sentences" not in key for key in rows_a)  # data locations are not settings
    section = paper_section(study_a)
    assert section is not None and "| setting | this run | source |" in section.tables[1]
    assert "| `task.weight_decay` | `0.0` | not stated in the study; adapterkit's choice |" in section.tables[1]


def test_every_shipped_study_names_what_its_study_states():
    for name in ("study-a", "study-b", "study-c"):
        _, recipe, _ = resolve_recipe(name, [])
        stated = recipe["stated"]
        for key in stated:  # each names a real setting
            value = recipe
            for part in key.split("."):
                value = value[part]
        assert any(row[2] == NOT_STATED for row in settings_rows(recipe)), name
