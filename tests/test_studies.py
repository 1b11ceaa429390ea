"""The study recipes and what they are built from: parts scored per language, two-stage fine-tuning,
the Mantra preset, analyses, recipe reports with the recovery ratio; each study end to end."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import torch
import typer.main

from adapterkit.cli import app, main
from adapterkit.errors import AdapterkitError
from adapterkit.jobs.cv import limited
from adapterkit.paths import shared_data_dir
from adapterkit.readers.data import Sentence
from adapterkit.readers.formats import read_task
from adapterkit.recipes import RECIPES_DIR, command_line, load_recipe, resolve_recipe
from adapterkit.report.recipe import recovery_rows

STUDIES = ("study-a", "study-b", "study-c")
SHIPPED = sorted(path.stem for path in RECIPES_DIR.glob("*.toml"))


def _parse(argv: list[str]) -> None:
    """Parse ``argv`` as the CLI would (option names, types, arguments) without running it."""
    command = typer.main.get_command(app)
    words = list(argv)
    while hasattr(command, "get_command") and words and command.get_command(None, words[0]) is not None:
        command = command.get_command(None, words.pop(0))
    command.make_context("adapterkit", words)


@pytest.mark.parametrize("smoke", [False, True], ids=["study-scale", "smoke"])
@pytest.mark.parametrize("name", SHIPPED)
def test_every_step_of_every_shipped_recipe_is_a_valid_command_line(name, smoke):
    if smoke and "smoke" not in load_recipe(RECIPES_DIR / f"{name}.toml"):
        pytest.skip("no smoke scale")
    for _, argv in resolve_recipe(name, [], smoke)[2]:
        _parse(argv)


def test_a_list_setting_named_inside_a_list_is_spliced(tmp_path):
    path = tmp_path / "r.toml"
    path.write_text(
        'a = ["x", "y"]\nb = "z"\n[[steps]]\nid = "s"\nrun = "eval-mlm"\n'
        'args = { _ = ["base"], corpus = ["${a}", "${b}"] }\n'
    )
    recipe = load_recipe(path)
    assert command_line(recipe["steps"][0], recipe) == [
        "eval-mlm", "--corpus", "x", "--corpus", "y", "--corpus", "z", "base"
    ]  # fmt: skip


def _sentence(group: str, number: int) -> Sentence:
    return Sentence(["w"], ["O"], f"{group}/d{number}", f"f:{number}", group=group)


def test_limit_takes_the_first_examples_of_each_part():
    items = [_sentence("en", i) for i in range(5)] + [_sentence("es", i) for i in range(5)]
    kept = limited(items, 2)
    assert [(s.group, s.doc_id) for s in kept] == [("en", "en/d0"), ("en", "en/d1"), ("es", "es/d0"), ("es", "es/d1")]
    assert limited(items[:5], 3) == items[:3]


def _brat(folder: Path, name: str, text: str, ann: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.txt").write_text(text)
    (folder / f"{name}.ann").write_text(ann)


MANTRA_ANN = (
    "T1\tC0011849 0 8\tdiabetes\n"
    '#1\tAnnotatorNotes T1\t"C0011849", "diabetes mellitus", "Disease or Syndrome" ,"DISO"\n'
    "T2\tC0021641 20 27\tinsulin\n"
    '#2\tAnnotatorNotes T2\t"C0021641", "insulin", "Hormone" ,"CHEM|PHEN"\n'
    "T3\tC0005767 32 37\tblood\n"
    '#3\tAnnotatorNotes T3\t"C0005767", "blood", "Body Substance" ,"ANAT"\n'
)


def test_mantra_preset_takes_types_from_the_annotator_notes_and_types_keeps_the_named_ones(tmp_path):
    _brat(tmp_path / "en", "0001", "diabetes treated by insulin and blood\n", MANTRA_ANN)
    data = read_task([tmp_path / "en"], preset="mantra")
    assert data.types == ["ANAT", "CHEM", "DISO"]
    assert data.sentences[0].tags == ["B-DISO", "O", "O", "B-CHEM", "O", "B-ANAT"]
    kept = read_task([tmp_path / "en"], preset="mantra", types=["DISO", "CHEM"])
    assert kept.types == ["CHEM", "DISO"] and kept.sentences[0].tags[-1] == "O"
    assert read_task([tmp_path / "en"]).types == ["C0005767", "C0011849", "C0021641"]  # the T lines' own types
    with pytest.raises(AdapterkitError, match="--types PROC: not in the data"):
        read_task([tmp_path / "en"], preset="mantra", types=["PROC"])


def test_mantra_entity_without_a_group_is_refused_naming_the_line(tmp_path):
    _brat(tmp_path / "en", "0001", "diabetes\n", "T1\tC0011849 0 8\tdiabetes\n")
    with pytest.raises(AdapterkitError, match=r"0001\.ann:1: entity T1 has no AnnotatorNotes group"):
        read_task([tmp_path / "en"], preset="mantra")
    assert read_task([tmp_path / "en"], preset="mantra", repair=True).sentences[0].tags == ["O"]


def test_parts_get_their_group_and_may_reuse_document_names(tmp_path):
    _brat(tmp_path / "en", "0001", "diabetes\n", MANTRA_ANN.splitlines()[0] + "\n")
    _brat(tmp_path / "es", "0001", "diabetes\n", MANTRA_ANN.splitlines()[0] + "\n")
    data = read_task([Path(f"en={tmp_path / 'en'}"), Path(f"es={tmp_path / 'es'}")])
    assert [(s.group, s.doc_id) for s in data.sentences] == [("en", "en/0001"), ("es", "es/0001")]
    assert set(data.documents) == {"en/0001", "es/0001"}
    with pytest.raises(AdapterkitError, match="name the part of every path"):
        read_task([Path(f"en={tmp_path / 'en'}"), tmp_path / "es"])
    with pytest.raises(AdapterkitError, match="a second document named"):  # without parts the names clash
        read_task([tmp_path / "en", tmp_path / "es"])


def test_scores_are_given_per_part_as_well_as_pooled():
    from adapterkit.tasks.scoring import score

    items = [
        Sentence(["a", "b"], ["B-X", "O"], "en/1", "f:1", group="en"),
        Sentence(["c", "d"], ["B-X", "O"], "es/1", "f:2", group="es"),
    ]
    predictions = [["B-X", "O"], ["O", "O"]]
    metrics = score("ner", items, predictions, None, ["O", "B-X", "I-X"])
    assert metrics["groups"]["en"]["f1"] == 1.0 and metrics["groups"]["es"]["f1"] == 0.0
    assert metrics["f1"] == pytest.approx(2 / 3) and metrics["groups"]["en"]["n_test"] == 1


def test_two_stage_fine_tuning_keeps_the_head_rows_of_shared_labels(workdir, tiny_bert):
    from adapterkit.registry import Registry
    from adapterkit.tasks.model import build_model
    from adapterkit.variants import task_start

    stage_one = workdir / "stage-one.conll"
    stage_one.write_text("aspirin\tB-CHEM\nhelps\tO\n\nibuprofen\tB-CHEM\nforte\tI-CHEM\ntoo\tO\n")
    code = main(
        ["finetune", "--data", str(stage_one), "--name", "one", "--base", str(tiny_bert), "--max-steps", "2"]
        + ["--batch-size", "2", "--max-seq-len", "32"]
    )
    assert code == 0
    variant = task_start("models/one", Registry(workdir / "adapters"))
    assert variant.task.labels == ["B-CHEM", "I-CHEM", "O"]  # run_ner.py's label list: the tags present, sorted
    labels = ["O", "B-CHEM", "I-CHEM", "B-DISO", "I-DISO"]
    model = build_model(variant, "ner", labels)
    from transformers import AutoModelForTokenClassification

    first = AutoModelForTokenClassification.from_pretrained(workdir / "models" / "one")
    # rows are carried by label name: stage one's B-CHEM, I-CHEM, O (rows 0-2) land on rows 1, 2, 0
    assert torch.equal(model.classifier.weight[[1, 2, 0]], first.classifier.weight)
    assert torch.equal(model.bert.encoder.layer[0].output.dense.weight, first.bert.encoder.layer[0].output.dense.weight)
    assert model.classifier.weight.shape[0] == 5 and model.config.id2label[3] == "B-DISO"
    with pytest.raises(AdapterkitError, match="a ner model; this task is classification"):
        build_model(variant, "classification", ["a", "b"])


def _comparison(folder: Path, summary: dict, metric: str = "f1") -> Path:
    folder.mkdir(parents=True)
    data = {  # the fields comparison.json always has (manifest.COMPARISON); recovery reads the means
        "baseline": "base",
        "variants": list(summary),
        "metrics": [metric],
        "n_folds": 1,
        "summary": {v: {metric: {"mean": m, "sd": None, "n": 1, "values": [m]}} for v, m in summary.items()},
        "tests": [],
    }
    (folder / "comparison.json").write_text(json.dumps(data))
    return folder


def test_recovery_ratio_is_the_lora_gain_over_the_full_gain(tmp_path):
    ner = _comparison(tmp_path / "ner", {"base": 0.70, "models/full": 0.80, "lora": 0.76, "models/x": 0.9})
    flat = _comparison(tmp_path / "flat", {"base": 0.5, "models/full": 0.5, "lora": 0.6}, "mcc")
    none = _comparison(tmp_path / "none", {"base": 0.5, "lora": 0.6})
    rows = recovery_rows([["lora", "models/full"]], [("ner", ner), ("flat", flat), ("none", none)])
    assert len(rows) == 2
    assert rows[0][0] == "ner" and rows[0][-1] == "0.60"  # (0.76 - 0.70) / (0.80 - 0.70)
    assert rows[1][1] == "mcc" and rows[1][-1].startswith("– (full adaptation did not change")


def _figures_of(markdown: str, folder: Path) -> list[Path]:
    found = [folder / link for link in re.findall(r"!\[[^\]]*\]\(([^)]+)\)", markdown)]
    assert found and all(path.is_file() and path.stat().st_size > 1000 for path in found), found
    return found


def _check_html(folder: Path, figures: int) -> None:
    html = (folder / "report.html").read_text()
    assert html.count("data:image/png;base64,") == figures


def _pairs(comparison: dict) -> set[tuple[str, str]]:
    """The model-vs-model tests (compare --pairs) of a comparison.json: (variant, reference) pairs."""
    return {(t["variant"], t["reference"]) for t in comparison["tests"] if t["reference"] != comparison["baseline"]}


@pytest.mark.e2e
def test_study_a_recipe_runs_end_to_end_with_its_tables_figures_and_recovery_ratio(workdir, tiny_bert):
    assert main(["run", "study-a", "--smoke", f"base={tiny_bert}"]) == 0
    report = (workdir / "runs" / "study-a" / "report.md").read_text()
    for heading in ("## Pre-training: full-nl-clin", "## Pre-training: lora-ro-bio", "## Comparison: compare-ro-ner"):
        assert heading in report
    assert "## LoRA vs full: recovery ratio" in report
    recovery = report.split("## LoRA vs full: recovery ratio", 1)[1].split("\n## ", 1)[0]
    # nl-clin is compared on all four tasks, nl-bio on screening, ro-bio on Romanian NER
    assert len(re.findall(r"^\| compare-", recovery, flags=re.M)) == 6
    # results first, then what the study states, then the settings (data, steps)
    headings = re.findall(r"^## (.+)$", report, flags=re.M)
    first_setting = min(headings.index("Data"), headings.index("Steps"))
    assert headings.index("Comparison: compare-ro-ner") < headings.index("LoRA vs full: recovery ratio")
    assert headings.index("LoRA vs full: recovery ratio") < headings.index("The study's tables and figures")
    assert headings.index("The study's tables and figures") < first_setting
    assert "## Comparison: compare-es-pharmaconer" in report
    # the data each comparison read (MoNERo's size stated), and the settings the study does not state
    assert re.search(
        r"^\| compare-ro-ner \| ro-ner.conll \(first 24 of each part\) \| 24 sentences \| \d+ \|", report, re.M
    )
    assert "| `task.warmup_ratio` | `0.0` | not stated in the study; adapterkit's choice |" in report
    assert (
        "| compare-nl-screening | nl-screening.jsonl (first 24 of each part) | 24 examples | – | inclusion |" in report
    )
    figures = _figures_of(report, workdir / "runs" / "study-a")
    assert len(figures) == 7  # one training curve per pre-training step
    _check_html(workdir / "runs" / "study-a", len(figures))
    (workdir / "runs" / "study-a" / "report.md").unlink()
    assert main(["report", "runs/study-a"]) == 0  # rebuilt from the recorded steps alone
    rebuilt = (workdir / "runs" / "study-a" / "report.md").read_text()
    assert re.findall(r"^## .*", rebuilt, flags=re.M) == re.findall(r"^## .*", report, flags=re.M)

    ner = (workdir / "runs" / "study-a-ro-ner" / "report.md").read_text()
    for heading in (
        "## Per-type f1",
        "## Training curves",
        "## Analysis",
        "| type (cosine similarity) | base | models/mbert-ro-bio",
    ):
        assert heading in ner
    tsne = [path for path in _figures_of(ner, workdir / "runs" / "study-a-ro-ner") if path.name.startswith("tsne-")]
    assert len(tsne) == 7
    pharmaconer = json.loads((workdir / "runs" / "study-a-es-pharmaconer" / "comparison.json").read_text())
    assert pharmaconer["variants"] == ["base", "models/mbert-nl-clin", "nl-clin"]  # models.es_domain unset
    assert "| PROTEINAS |" in (workdir / "runs" / "study-a-es-pharmaconer" / "report.md").read_text()  # per type
    screening_data = json.loads((workdir / "runs" / "study-a-nl-screening" / "comparison.json").read_text())
    assert screening_data["metrics"][:2] == ["mcc", "macro_f1"]
    # the study's model tests, full and LoRA
    assert _pairs(screening_data) == {("models/mbert-nl-clin", "models/mbert-nl-bio"), ("nl-clin", "nl-bio")}
    ro = json.loads((workdir / "runs" / "study-a-ro-ner" / "comparison.json").read_text())
    assert _pairs(ro) == {("models/mbert-ro-bio", "models/mbert-nl-ro")}
    screening = (workdir / "runs" / "study-a-nl-screening" / "report.md").read_text()
    assert "Token importance: gradient × input" in screening
    importance = [
        p for p in _figures_of(screening, workdir / "runs" / "study-a-nl-screening") if "importance" in p.name
    ]
    assert len(importance) == 5 * 2  # two decisions explained per variant


@pytest.mark.e2e
def test_study_b_recipe_runs_the_new_vocabulary_per_base_forgetting_and_external_validation(workdir, tiny_bert):
    from adapterkit.recipes import slug

    name = slug(str(tiny_bert))
    assert main(["run", "study-b", "--smoke", f'bases=["{tiny_bert}"]']) == 0
    report = (workdir / "runs" / "study-b" / "report.md").read_text()
    assert report.index("## The study's tables and figures") < report.index("## Steps")
    assert f"## New vocabulary: vocab-new-{name}" in report and "rows copied from the base" in report
    assert "forgetting check, other text" in report and f"## Held-out perplexity: forgetting-{name}" in report
    vocab = json.loads((workdir / "models" / f"study-b-new-{name}" / "adapterkit.json").read_text())
    assert vocab["vocabulary"]["mode"] == "new" and vocab["vocabulary"]["vocab_size"] <= 3000
    assert vocab["vocabulary"]["copied"] + vocab["vocabulary"]["initialised"] == vocab["vocabulary"]["vocab_size"]
    sts = json.loads((workdir / "runs" / f"study-b-sts-{name}" / "comparison.json").read_text())
    assert sts["metrics"][0] == "pearson" and len(sts["variants"]) == 3
    assert "## Per part (language)" in (workdir / "runs" / f"study-b-sts-{name}" / "report.md").read_text()
    first = json.loads((workdir / "runs" / f"study-b-sts-first-{name}" / "comparison.json").read_text())
    assert first["metrics"][0] == "pearson" and f"models/study-b-new-{name}/model" in first["variants"]
    ct = json.loads((workdir / "runs" / f"study-b-ct-reports-{name}" / "comparison.json").read_text())
    assert ct["metrics"][0] == "macro_f1"
    external = report.split("## External validation", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(
        r"^\| external-(base|dapt|new)-.*\| macro_f1 \| (\d\.\d{4}) ± \d\.\d{4} \| (\d\.\d{4}) \|$", external, re.M
    )
    assert [row[0] for row in rows] == ["base", "dapt", "new"], external
    manifest = json.loads((workdir / "models" / f"study-b-ct-new-{name}" / "adapterkit.json").read_text())
    assert manifest["evaluation"]["metrics"]["macro_f1"] == pytest.approx(float(rows[2][2]), abs=1e-4)
    ct_report = (workdir / "runs" / f"study-b-ct-reports-{name}" / "report.md").read_text()
    figures = _figures_of(ct_report, workdir / "runs" / f"study-b-ct-reports-{name}")
    assert len([p for p in figures if "importance" in p.name]) == 9  # 3 decisions x 3 variants
    (workdir / "runs" / "study-b" / "report.md").unlink()
    assert main(["report", "runs/study-b"]) == 0  # rebuilt from the recorded (foreach) steps alone
    rebuilt = (workdir / "runs" / "study-b" / "report.md").read_text()
    assert re.findall(r"^## .*", rebuilt, flags=re.M) == re.findall(r"^## .*", report, flags=re.M)


@pytest.mark.e2e
def test_study_c_recipe_runs_each_track_pooled_and_monolingual_with_brat_output(workdir, tiny_bert):
    mantra = shared_data_dir() / "mantra-gsc"
    if not mantra.is_dir():
        pytest.skip(f"{mantra} is absent (set ADAPTERKIT_DATA to the shared corpora)")
    assert main(["run", "study-c", "--smoke", f"base={tiny_bert}", "task.epochs=1.0"]) == 0
    report = (workdir / "runs" / "study-c" / "report.md").read_text()
    assert report.index("## The study's tables and figures") < report.index("## Steps")
    for track, kind in (("disease", "DISO"), ("medication", "CHEM")):
        pooled = (workdir / "runs" / f"study-c-pooled-{track}" / "report.md").read_text()
        per_part = pooled.split("## Per part (language)", 1)[1].split("##", 1)[0]
        assert "| variant | en: f1 (%) | es: f1 (%) | nl: f1 (%) |" in per_part
        assert f"models/study-c-stage-one-{track}" in per_part
        manifest = json.loads((workdir / "models" / f"study-c-final-{track}" / "adapterkit.json").read_text())
        assert manifest["variant"] == f"models/study-c-stage-one-{track}" and manifest["types"] == [kind]
        stage_one = json.loads((workdir / "models" / f"study-c-stage-one-{track}" / "adapterkit.json").read_text())
        languages = [part.split("=")[0] for part in stage_one["data"]]  # stage one per track, its own set
        assert languages == (["en", "es", "nl"] if track == "disease" else ["en", "fr", "de"])
        for language in ("en", "es", "nl"):  # monolingual runs: one language's data alone
            mono = json.loads((workdir / "runs" / f"study-c-mono-{track}-{language}" / "comparison.json").read_text())
            assert mono["variants"] == ["base", f"models/study-c-stage-one-{track}"]
        documents = sorted((mantra / "English" / "Patents_ec22-cui-best_man").glob("*.txt"))
        for model in ("one-stage", "two-stage"):  # labelled from the test text alone, BRAT, exact offsets
            predictions = sorted((workdir / "runs" / "study-c" / "test" / track / model / "en").rglob("*.ann"))
            assert len(predictions) == len(documents)
            spans = set()
            for ann in predictions:
                text = (mantra / "English" / "Patents_ec22-cui-best_man" / ann.with_suffix(".txt").name).read_text()
                for line in ann.read_text().splitlines():
                    _, kind_span, surface = line.split("\t")
                    found, start, end = kind_span.split(" ")
                    assert found == kind and text[int(start) : int(end)] == surface
                    spans.add((ann.name, start, end))
            scored = json.loads((workdir / "runs" / "study-c" / "test" / track / f"{model}-en.json").read_text())
            assert scored["micro"]["pred"] == len(spans)  # the score step read exactly these predictions
        assert f"## Comparison: compare-pooled-{track}" in report
    table = report.split("## Per language: multilingual vs monolingual training", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(
        r"^\| (disease|medication) \| (en|es|nl) \| `([^`]+)` \| f1 \| (\d\.\d{4}) \| (\d\.\d{4}) \|$", table, re.M
    )
    assert [row[:3] for row in rows] == [
        (track, language, variant)
        for track in ("disease", "medication")
        for language in ("en", "es", "nl")
        for variant in ("base", f"models/study-c-stage-one-{track}")
    ], table
    alone = json.loads((workdir / "runs" / "study-c-mono-medication-es" / "comparison.json").read_text())
    stage_one = alone["summary"]["models/study-c-stage-one-medication"]["f1"]["mean"]
    assert float(rows[9][4]) == pytest.approx(stage_one, abs=1e-4)  # medication, es, two-stage, monolingual
    test = report.split("## Test set: exact-span scores", 1)[1].split("\n## ", 1)[0]
    scored = re.findall(
        r"^\| (disease|medication) \| (one-stage|two-stage) \| (en|de|\*\*pooled\*\*) \|.*\| (\d+) / (\d+) / (\d+) \|$",
        test,
        re.M,
    )
    assert len(scored) == 2 * 2 * 3, test  # per track and model: en, de and pooled
    by_key = {(t, m, part): tuple(int(n) for n in counts) for t, m, part, *counts in scored}
    for (track, model, part), counts in by_key.items():
        if part == "**pooled**":  # micro over languages: the counts summed
            parts = [by_key[(track, model, language)] for language in ("en", "de")]
            assert counts == tuple(map(sum, zip(*parts, strict=True)))
    english = json.loads((workdir / "runs" / "study-c" / "test" / "disease" / "two-stage-en.json").read_text())
    assert by_key[("disease", "two-stage", "en")] == tuple(
        english["per_type"]["DISO"][k] for k in ("tp", "pred", "gold")
    )
    gold_diso = set()  # distinct (document, offsets) of the gold DISO entities, read here without the scorer
    for ann in (mantra / "English" / "Patents_ec22-cui-best_man").glob("*.ann"):
        lines = ann.read_text().splitlines()
        spans = {line.split("\t")[0]: line.split("\t")[1].split(" ", 1)[1] for line in lines if line.startswith("T")}
        for line in lines:
            if line.startswith("#") and line.rstrip().endswith('"DISO"'):
                gold_diso.add((ann.name, spans[line.split("\t")[1].split()[1]]))
    assert by_key[("disease", "two-stage", "en")][2] == len(gold_diso)  # every gold DISO entity of the test text
