"""Reports that tell the truth at a glance: the title asked for, headers with words, before/after
perplexity as two bars, captions in words, per-type scores with their gold counts, one fold
numbering, and the untrained-head note."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from adapterkit.registry import MANIFEST
from adapterkit.report import figures as report_module
from adapterkit.report import gold_counts_table, per_fold_type_table, report_for_compare, training_curve
from adapterkit.report.recipe import _pretrain_section
from adapterkit.stats import compare


def _fold(f1: float, diso: float, chem: float | None, diso_n: int = 12, chem_n: int = 3) -> dict:
    per_type = {"DISO": {"f1": diso, "support": diso_n}}
    if chem is not None:
        per_type["CHEM"] = {"f1": chem, "support": chem_n}
    return {"f1": f1, "precision": f1, "recall": f1, "macro_f1": f1, "per_type": per_type, "n_test": 30}


@pytest.fixture
def compare_run(tmp_path: Path) -> Path:
    """A recorded compare run with per-type scores, fold logs (so the curves section is drawn)."""
    results = {
        "base": [_fold(0.70, 0.80, 0.0), _fold(0.72, 0.82, 0.0), _fold(0.74, 0.84, None)],
        "nl-clin": [_fold(0.80, 0.85, 0.0), _fold(0.81, 0.86, 0.5), _fold(0.86, 0.90, None)],
    }
    comparison = compare(results, "base", ["f1", "precision", "recall", "macro_f1"])
    run = tmp_path / "runs" / "ro-ner"
    run.mkdir(parents=True)
    (run / "comparison.json").write_text(comparison.to_json())
    (run / "command.txt").write_text("adapterkit compare base nl-clin --data ro.conll\n")
    for variant, per_fold in results.items():
        cv = run / "cv" / variant
        for fold in range(1, 4):
            (cv / "folds" / str(fold)).mkdir(parents=True)
            log = [{"loss": 2.0 - 0.1 * step, "step": step} for step in range(1, 6)]
            (cv / "folds" / str(fold) / "log.json").write_text(json.dumps(log))
        record = {"variant": variant, "folds": 3, "seed": 42, "data": ["ro.conll"], "per_fold": per_fold}
        (cv / "cv.json").write_text(json.dumps(record))
    return run


def test_the_compare_report_keeps_the_title_it_is_given(compare_run):
    markdown, html = report_for_compare(compare_run, title="Romanian NER: base vs nl-clin")
    assert markdown.read_text().startswith("# Romanian NER: base vs nl-clin\n")
    assert "<title>Romanian NER: base vs nl-clin</title>" in html.read_text()
    markdown, _ = report_for_compare(compare_run)  # the default names the run, even with training curves drawn
    assert markdown.read_text().startswith("# Comparison ro-ner\n")


def test_per_type_scores_show_their_gold_counts(compare_run):
    text = report_for_compare(compare_run)[0].read_text()
    # CHEM: 3 gold entities in folds 1 and 2, none in fold 3's test part; 0.00 there is "none of 3 found"
    assert "| CHEM | 0.00 (n=3) | 0.00 (n=3) | – (n=0) |" in text
    assert "| DISO | 80.00 (n=12) | 82.00 (n=12) | 84.00 (n=12) |" in text
    assert "| type | gold entities, all folds (count) | per fold (count) |" in text
    assert "| CHEM | 6 | 0–3 |" in text and "| DISO | 36 | 12 |" in text


def test_gold_counts_need_recorded_support():
    assert gold_counts_table([{"per_type": {"DISO": {"f1": 0.5}}}]) is None
    assert "(n=" not in (per_fold_type_table([{"per_type": {"DISO": {"f1": 0.5}}}]) or "")


def test_figures_have_captions_in_words_not_file_names(compare_run):
    text = report_for_compare(compare_run)[0].read_text()
    assert "![F1 per entity type and variant, mean over 3 folds](figures/per_type_f1.png)" in text
    assert (
        "![Fine-tuning loss per logging step of 2 variant(s), mean over the folds](figures/training_loss.png)" in text
    )
    assert "![per_type_f1]" not in text and "![training_loss]" not in text


def test_folds_are_numbered_from_one_in_the_report_as_on_disk(compare_run):
    text = report_for_compare(compare_run)[0].read_text()
    assert "| fold 1 | fold 2 | fold 3 |" in text and "fold 0" not in text
    assert sorted(p.name for p in (compare_run / "cv" / "base" / "folds").iterdir()) == ["1", "2", "3"]


def _figure_of(monkeypatch) -> list:
    """Capture the matplotlib figures the report draws (to look at what is on the axes)."""
    drawn: list = []
    original = report_module._save

    def keep(figure, path):
        drawn.append(figure)
        return original(figure, path)

    monkeypatch.setattr(report_module, "_save", keep)
    return drawn


def test_before_and_after_perplexity_are_two_bars_not_a_line(tmp_path, monkeypatch):
    drawn = _figure_of(monkeypatch)
    log = [{"step": s, "loss": 9.0 - s} for s in (1, 2, 3)] + [
        {"step": 0, "perplexity": 44012.5},
        {"step": 3, "perplexity": 41.2},
    ]
    training_curve(log, tmp_path / "curve.png", "nl-clin")
    loss_axes, ppl_axes = drawn[0].axes
    assert loss_axes.get_title() == "Training loss of nl-clin"
    assert len(ppl_axes.patches) == 2 and not ppl_axes.lines  # two bars, nothing joining them
    assert [round(bar.get_height(), 1) for bar in ppl_axes.patches] == [44012.5, 41.2]
    assert ppl_axes.get_yscale() == "log" and "before and after" in ppl_axes.get_title()
    # a measured series (an evaluation every few steps) stays a line
    training_curve(
        [{"step": 1, "loss": 2.0}, *({"step": s, "eval_loss": 2.0 / s} for s in (1, 2, 3))], tmp_path / "e.png"
    )
    assert len(drawn[1].axes[1].lines) == 1


def _pretrain_manifest(registry: Path, head: str) -> None:
    folder = registry / "demo-nl"
    folder.mkdir(parents=True)
    manifest = {
        "name": "demo-nl",
        "kind": "language",
        "base": {"id": "minilm", "fingerprint": "0" * 64, "mlm_head": head},
        "corpus": {"train_tokens": 1000, "heldout_tokens": 100},
        "hyperparameters": {"mode": "lora", "steps": 3},
        "perplexity": {"before": 44012.5, "after": 41.2},
        "training": {
            "final_loss": 3.2,
            "tokens_per_s": 120.0,
            "log": [{"step": s, "loss": 9.0 - s} for s in (1, 2, 3)]
            + [{"step": 0, "perplexity": 44012.5}, {"step": 3, "perplexity": 41.2}],
        },
    }
    (folder / MANIFEST).write_text(json.dumps(manifest))


def test_pretraining_section_has_a_header_with_words_a_caption_and_the_untrained_head_note(tmp_path):
    registry = tmp_path / "adapters"
    _pretrain_manifest(registry, "new")
    argv = ["pretrain", "--name", "demo-nl", "--registry", str(registry)]
    section = _pretrain_section({"id": "lora-nl"}, argv, tmp_path / "figures")
    assert section.tables[0].splitlines()[0] == "| figure | value |"
    assert "|  |  |" not in section.tables[0]
    assert section.captions == [
        "Training loss of demo-nl per logging step, and its held-out perplexity before and after training"
    ]
    assert "no pretrained MLM head" in section.text and "44,012.50" in section.text
    assert "freshly initialised" in section.text


def test_a_pretrained_head_gets_no_untrained_head_note(tmp_path):
    registry = tmp_path / "adapters"
    _pretrain_manifest(registry, "pretrained")
    section = _pretrain_section({"id": "x"}, ["pretrain", "--name", "demo-nl", "--registry", str(registry)], tmp_path)
    assert "MLM head" not in section.text


def test_a_run_too_short_to_log_a_loss_still_shows_its_perplexity_bars(tmp_path, monkeypatch):
    drawn = _figure_of(monkeypatch)
    training_curve([{"step": 0, "perplexity": 44012.5}, {"step": 4, "perplexity": 15601.7}], tmp_path / "p.png", "x")
    (only,) = drawn[0].axes
    assert len(only.patches) == 2 and "Held-out perplexity of x" in only.get_title()
