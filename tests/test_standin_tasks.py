"""The shipped stand-in task sets: generated deterministically, read by the package's readers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import load_script

from adapterkit.readers.formats import read_task

REPO = Path(__file__).resolve().parent.parent
TASKS = REPO / "adapterkit" / "data" / "tasks"
SCRIPT = REPO / "scripts" / "make_standin_tasks.py"


@pytest.fixture(scope="module")
def generator():
    yield from load_script(SCRIPT)


def _records(name: str) -> list[dict]:
    return [json.loads(line) for line in (TASKS / name).read_text(encoding="utf-8").splitlines()]


@pytest.mark.parametrize("name", ["nl-sts.jsonl", "es-sts.jsonl"])
def test_sts_sets_are_regression_pairs_with_scores_over_the_whole_range(name):
    data = read_task([TASKS / name])
    assert data.task == "regression" and len(data.examples) == 300
    assert all(example.text_pair for example in data.examples)
    scores = [example.label for example in data.examples]
    assert min(scores) >= 0 and max(scores) <= 5
    per_bin = [sum(min(int(s), 4) == b for s in scores) for b in range(5)]
    assert min(per_bin) >= 30, per_bin


def test_sts_paraphrases_share_little_wording_but_score_high(generator):
    pairs = generator.build_sts(generator.NL_STS_FRAMES, generator.NL_STS_SEED, "nl-sts")
    paraphrases = [p for p in pairs if p.kind == "paraphrase"]
    changed = [p for p in pairs if p.kind == "one-change"]
    assert min(p.score for p in paraphrases) > max(p.score for p in changed) - 0.5

    def mean_overlap(group: list) -> float:
        return sum(generator._overlap(p.text, p.text_pair) for p in group) / len(group)

    assert mean_overlap(paraphrases) < mean_overlap(changed)


def test_ct_reports_are_multilabel_with_normal_exactly_when_no_finding():
    data = read_task([TASKS / "nl-ct-reports.jsonl"])
    assert data.task == "multilabel" and len(data.examples) == 300
    assert data.labels == sorted(
        ["pneumonie", "longnodule", "pleuravocht", "longembolie", "fractuur", "geen-afwijkingen"]
    )
    for example in data.examples:
        assert 1 <= len(example.label) <= 3
        assert ("geen-afwijkingen" in example.label) == (example.label == ["geen-afwijkingen"])


def test_negated_ct_mentions_do_not_produce_the_label():
    negated = [r for r in _records("nl-ct-reports.jsonl") if "Geen aanwijzingen voor longembolie." in r["text"]]
    assert negated and all("longembolie" not in r["labels"] for r in negated)
