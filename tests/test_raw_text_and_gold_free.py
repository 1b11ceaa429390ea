"""Prediction labels the text alone; evaluation of document data scores exact character spans.

A tiny BERT given four training steps on 20 CANTEMIST train documents is used throughout. It is
barely trained on purpose: it writes many spans (orphan ``I-`` runs included), a few of them right,
which is what the checks need: its predictions on dev documents must not change when the gold
``.ann`` files lie beside the text, and the F1 that ``finetune --eval-data`` reports must be the F1
of ``adapterkit score`` on the ``.ann`` files ``predict`` writes, and of an exact-span count here.
"""

from __future__ import annotations

import contextlib
import io
import json
import shutil
from pathlib import Path

import pytest

from adapterkit.cli import main
from adapterkit.errors import AdapterkitError
from adapterkit.jobs.finetune import FinetuneRequest, run_finetune
from adapterkit.jobs.predict import run_predict
from adapterkit.paths import shared_data_dir
from adapterkit.tasks.settings import TrainSettings

CANTEMIST = shared_data_dir() / "cantemist"
TRAIN_DOCS = 20
# dev-set1 documents; cc_onco137 and cc_onco170 hold overlapping entities the BIO labels cannot hold
DEV = ["cc_onco100", "cc_onco101", "cc_onco106", "cc_onco11", "cc_onco137", "cc_onco170"]


def _copy_documents(source: Path, target: Path, names: list[str], annotations: bool = True) -> Path:
    target.mkdir(parents=True)
    for name in names:
        shutil.copyfile(source / f"{name}.txt", target / f"{name}.txt")
        if annotations:
            shutil.copyfile(source / f"{name}.ann", target / f"{name}.ann")
    return target


@pytest.fixture(scope="module")
def cantemist(tmp_path_factory, tiny_bert) -> dict:
    """A tiny NER model trained on CANTEMIST train documents (evaluated with --strict, which must not
    change what is scored), and dev documents with and without .ann."""
    if not (CANTEMIST / "train-set").is_dir():
        pytest.skip(f"CANTEMIST is absent at {CANTEMIST} (set ADAPTERKIT_DATA to the shared corpora)")
    root = tmp_path_factory.mktemp("cantemist")
    train_source = CANTEMIST / "train-set" / "cantemist-ner"
    train_names = [txt.stem for txt in sorted(train_source.glob("*.txt"))[:TRAIN_DOCS]]
    train = _copy_documents(train_source, root / "train", train_names)
    dev_source = CANTEMIST / "dev-set1" / "cantemist-ner"
    dev = _copy_documents(dev_source, root / "dev", DEV)
    notes = _copy_documents(dev_source, root / "notes", DEV, annotations=False)
    settings = TrainSettings(max_steps=4, batch_size=8, lr=1e-4, max_seq_len=128, seed=1)
    request = FinetuneRequest(
        data=[train], name="cantemist-tiny", base=str(tiny_bert), eval_data=[dev], settings=settings,
        output=root / "model", strict=True,
    )  # fmt: skip
    console = io.StringIO()
    with contextlib.redirect_stdout(console):
        model, manifest = run_finetune(request)
    metrics = manifest["evaluation"]["metrics"]
    return {"root": root, "model": model, "dev": dev, "notes": notes, "metrics": metrics, "console": console.getvalue()}


def _ann_spans(path: Path) -> list[tuple[str, int, int, str]]:
    spans = []
    for line in path.read_text(encoding="utf-8").splitlines():
        _, kind_span, surface = line.split("\t")
        kind, start, end = kind_span.split(" ")
        spans.append((kind, int(start), int(end), surface))
    return spans


# --- A: plain text is first-class, and the gold never shapes a prediction --------------------------------


def test_a_folder_of_plain_text_notes_gets_ann_files_with_exact_offsets(cantemist):
    out = cantemist["root"] / "pred-notes"
    written = run_predict(str(cantemist["model"]), [cantemist["notes"]], out, "brat", max_seq_len=128)
    assert sorted(p.name for p in written) == sorted(f"{p.stem}.ann" for p in cantemist["notes"].glob("*.txt"))
    found = 0
    for ann in written:
        text = (cantemist["notes"] / f"{ann.stem}.txt").read_text(encoding="utf-8")
        assert (out / f"{ann.stem}.txt").read_text(encoding="utf-8") == text
        for kind, start, end, surface in _ann_spans(ann):
            assert kind == "MORFOLOGIA_NEOPLASIA" and text[start:end] == " ".join(text[start:end].splitlines())
            assert surface == " ".join(text[start:end].splitlines())
            found += 1
    assert found > 0, "the tiny model finds no entity at all: the offsets were not checked"


@pytest.mark.parametrize("output_format", ["brat", "conll", "jsonl"])
def test_predictions_are_byte_identical_with_and_without_gold_beside_the_text(cantemist, output_format):
    outputs = []
    for name in ("notes", "dev"):
        out = cantemist["root"] / f"same-{output_format}-{name}"
        run_predict(str(cantemist["model"]), [cantemist[name]], out, output_format, max_seq_len=128)
        outputs.append({p.name: p.read_bytes() for p in sorted(out.iterdir())})
    assert outputs[0] == outputs[1]


def test_cli_predicts_a_single_plain_text_file(cantemist, capsys):
    note = sorted(cantemist["notes"].glob("*.txt"))[0]
    out = cantemist["root"] / "one-note"
    args = ["predict", str(cantemist["model"]), "--input", str(note), "--output", str(out), "--output-format", "brat"]
    assert main([*args, "--max-seq-len", "128"]) == 0
    printed = capsys.readouterr().out
    ann = out / f"{note.stem}.ann"
    assert ann.is_file() and (out / note.name).read_bytes() == note.read_bytes()
    entities = sum(1 for line in ann.read_text(encoding="utf-8").splitlines() if line.startswith("T"))
    assert f"wrote {ann}: {entities:,} entit" in printed  # the file it wrote, and what is in it
    assert f"1 brat file(s), {entities:,} entities" in printed


def test_plain_text_cannot_be_training_data(tmp_path, tiny_bert):
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "n1.txt").write_text("Carcinoma ductal infiltrante de mama.\n", encoding="utf-8")
    with pytest.raises(AdapterkitError, match=r"n1\.txt: plain text without annotations"):
        run_finetune(FinetuneRequest(data=[tmp_path / "notes"], name="x", base=str(tiny_bert), output=tmp_path / "m"))


@pytest.mark.parametrize(
    ("out", "message"),
    [
        ("{dev}", "it is --input"),
        ("{dev}/pred", "it lies inside --input"),
        ("{dev} (input: one .txt in it)", "it contains --input"),  # its gold .ann would be replaced
    ],
)
def test_out_that_would_touch_the_input_is_refused_before_any_work(cantemist, capsys, out, message):
    dev = cantemist["dev"]
    before = {p.name: p.read_bytes() for p in dev.iterdir()}
    target = out.format(dev=dev).split(" ")[0]
    inputs = ["--input", str(dev / f"{DEV[0]}.txt") if "input:" in out else str(dev)]
    args = ["predict", str(cantemist["model"]), *inputs, "--output", target, "--output-format", "brat"]
    assert main(args) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0] and "--output" in err[0]
    assert {p.name: p.read_bytes() for p in dev.iterdir()} == before
    assert not (dev / "pred").exists()


def test_pharmaconer_columns_give_ann_files_with_the_span_column_offsets(cantemist, tmp_path):
    conll = tmp_path / "pharma.conll"
    rows = [
        ("Varón", "S1", "0_5", "O"), ("con", "S1", "6_9", "O"), ("carcinoma", "S1", "10_19", "B-MORFOLOGIA_NEOPLASIA"),
        ("ductal", "S1", "20_26", "I-MORFOLOGIA_NEOPLASIA"), (".", "S1", "26_27", "O"),
        ("Adenocarcinoma", "S2", "3_17", "B-MORFOLOGIA_NEOPLASIA"), ("gástrico", "S2", "18_26", "O"),
    ]  # fmt: skip
    conll.write_text("\n".join("\t".join(row) for row in rows[:5]) + "\n\n" + "\n".join("\t".join(r) for r in rows[5:]))
    out = tmp_path / "pred"
    written = run_predict(str(cantemist["model"]), [conll], out, "brat", gold=True, max_seq_len=128)
    assert sorted(p.name for p in written) == ["S1.ann", "S2.ann"] and not list(out.glob("*.txt"))
    assert _ann_spans(out / "S1.ann") == [("MORFOLOGIA_NEOPLASIA", 10, 26, "carcinoma ductal")]
    assert _ann_spans(out / "S2.ann") == [("MORFOLOGIA_NEOPLASIA", 3, 17, "Adenocarcinoma")]
    predicted = run_predict(str(cantemist["model"]), [conll], tmp_path / "pred2", "brat", max_seq_len=128)
    assert len(predicted) == 2


def test_text_segmentation_ignores_the_gold_that_training_labels_are_cut_to(tmp_path):
    from adapterkit.readers.brat import read_brat, read_raw_text

    text = "Tumor T2N0 de tipo Dr. Smith.\nSin metástasis.\n"
    n0, dr = text.index("N0"), text.index("Dr. Smith")
    (tmp_path / "d.txt").write_text(text, encoding="utf-8")
    (tmp_path / "d.ann").write_text(f"T1\tSTAGE {n0} {n0 + 2}\tN0\nT2\tMORF {dr} {dr + 9}\tDr. Smith\n")
    training = read_brat([tmp_path], segmentation="gold")
    evaluation = read_brat([tmp_path], segmentation="text")
    raw = read_raw_text([tmp_path / "d.txt"])
    assert "N0" in training.sentences[0].tokens and len(training.sentences) == 2  # cut at the gold, kept whole
    words = [[*s.tokens] for s in evaluation.sentences]
    assert words == [["Tumor", "T2N0", "de", "tipo", "Dr", "."], ["Smith", "."], ["Sin", "metástasis", "."]]
    assert words == [[*s.tokens] for s in raw.sentences]
    assert [s.offsets for s in evaluation.sentences] == [s.offsets for s in raw.sentences]
    assert [s.source for s in evaluation.sentences] == [s.source for s in raw.sentences]
    gold = [(e.kind, e.fragments) for e in evaluation.gold["d"]]
    assert gold == [("STAGE", [(n0, n0 + 2)]), ("MORF", [(dr, dr + 9)])]


# --- B: BRAT evaluation is the exact-span score of what predict writes ------------------------------


def _independent_count(gold_dir: Path, pred_dir: Path) -> tuple[int, int, int]:
    """(true positives, predicted, gold) of exact (document, type, fragments) matches, read here."""

    def mentions(folder: Path) -> set[tuple[str, str, frozenset]]:
        found = set()
        for ann in folder.glob("*.ann"):
            for line in ann.read_text(encoding="utf-8").splitlines():
                if line.startswith("T"):
                    kind, _, positions = line.split("\t")[1].partition(" ")
                    fragments = frozenset(tuple(map(int, part.split())) for part in positions.split(";"))
                    found.add((ann.stem, kind, fragments))
        return found

    gold, pred = mentions(gold_dir), mentions(pred_dir)
    return len(gold & pred), len(pred), len(gold)


def test_finetune_f1_equals_the_score_of_the_ann_files_predict_writes(cantemist, capsys):
    """With no option beyond the output format: predict windows the text as the model was fine-tuned
    (the fixture's --max-seq-len 128, recorded in the model), not with a default of its own."""
    metrics = cantemist["metrics"]
    out = cantemist["root"] / "pred-for-score"
    args = ["predict", str(cantemist["model"]), "--input", str(cantemist["dev"]), "--output", str(out)]
    assert main([*args, "--output-format", "brat"]) == 0
    report = cantemist["root"] / "score.json"
    assert main(["score", "--gold", str(cantemist["dev"]), "--pred", str(out), "--output", str(report)]) == 0
    scored = json.loads(report.read_text())
    tp, pred, gold = _independent_count(cantemist["dev"], out)
    assert tp > 0 and pred > tp, "the model must find some entities and miss others for the check to mean much"
    assert (metrics["tp"], metrics["pred"], metrics["gold"]) == (tp, pred, gold)
    assert (scored["micro"]["tp"], scored["micro"]["pred"], scored["micro"]["gold"]) == (tp, pred, gold)
    assert metrics["f1"] == pytest.approx(2 * tp / (pred + gold), rel=1e-12)
    assert scored["micro"]["f1"] == pytest.approx(metrics["f1"], rel=1e-12)
    # every gold entity is scored, the overlapping ones the BIO labels drop included
    assert metrics["scheme"] == "brat-exact" and metrics["gold_lost"] == 0 and metrics["gold_not_in_bio"] > 0
    assert metrics["per_type"]["MORFOLOGIA_NEOPLASIA"]["support"] == gold


def test_finetune_console_states_the_scheme_and_what_bio_cannot_hold(cantemist):
    out, metrics = cantemist["console"], cantemist["metrics"]
    assert f"against all {metrics['gold']} gold entities of {len(DEV)} documents; 0 lost from scoring" in out
    assert f"{metrics['gold_not_in_bio']} not representable in the BIO training labels" in out
    assert "--strict does not apply" in out  # the fixture's finetune passed --strict


# --- C: folds of document data do not depend on the tokenizer ----------------------------------------


@pytest.fixture(scope="module")
def other_vocabulary_bert(tmp_path_factory, nl_corpus) -> Path:
    """A tiny BERT with its own WordPiece vocabulary (trained here on the Dutch stand-in corpus)."""
    import torch
    from tokenizers import BertWordPieceTokenizer
    from transformers import BertConfig, BertForMaskedLM, BertTokenizerFast

    folder = tmp_path_factory.mktemp("other-bert")
    wordpiece = BertWordPieceTokenizer(lowercase=False)
    wordpiece.train([str(nl_corpus)], vocab_size=2000, min_frequency=2)
    wordpiece.save_model(str(folder))
    tokenizer = BertTokenizerFast(vocab_file=str(folder / "vocab.txt"), do_lower_case=False)
    tokenizer.save_pretrained(folder)
    torch.manual_seed(1)
    config = BertConfig(
        vocab_size=len(tokenizer), hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
        intermediate_size=64, max_position_embeddings=128,
    )  # fmt: skip
    BertForMaskedLM(config).save_pretrained(folder)
    return folder


def _as_cached_hub_model(folder: Path, cache: Path, repo_id: str) -> None:
    """Lay ``folder`` out as the Hugging Face cache holds a downloaded ``repo_id`` (offline test of a hub id)."""
    revision = "0" * 40
    repo = cache / f"models--{repo_id.replace('/', '--')}"
    shutil.copytree(folder, repo / "snapshots" / revision)
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text(revision)


def test_variants_with_other_tokenizers_share_one_fold_file_of_documents(
    cantemist, tiny_bert, other_vocabulary_bert, workdir, monkeypatch
):
    import huggingface_hub.constants
    from transformers import AutoTokenizer

    from adapterkit.jobs.cv import CompareRequest, CvRequest, run_compare

    first, second = AutoTokenizer.from_pretrained(tiny_bert), AutoTokenizer.from_pretrained(other_vocabulary_bert)
    words = ["Carcinoma", "ductal", "infiltrante", "de", "mama"]
    assert first(words, is_split_into_words=True)["input_ids"] != second(words, is_split_into_words=True)["input_ids"]
    # the other encoder is named by a Hugging Face model id, found in the (local) hub cache
    _as_cached_hub_model(other_vocabulary_bert, workdir / "hub", "tiny-test/other-vocabulary-bert")
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(workdir / "hub"))
    settings = TrainSettings(max_steps=1, batch_size=8, max_seq_len=128)
    request = CvRequest(data=[cantemist["dev"]], base=str(tiny_bert), folds=2, settings=settings)
    variants = ["base", "tiny-test/other-vocabulary-bert"]
    run_dir = run_compare(CompareRequest(variants, request, run_id="two-tokenizers"))
    folds = json.loads((run_dir / "folds.json").read_text())
    assert sorted(row["id"] for row in folds["assignment"]) == sorted(DEV)  # documents, not subword-cut pieces
    runs = [json.loads(path.read_text()) for path in sorted((run_dir / "cv").glob("*/cv.json"))]
    assert len(runs) == 2 and runs[0]["fold_file"] == runs[1]["fold_file"]
    for run in runs:
        assert sum(fold["documents"] for fold in run["per_fold"]) == len(DEV)
        assert run["scoring"]["scheme"] == "brat-exact" and run["scoring"]["gold_lost"] == 0
    comparison = json.loads((run_dir / "comparison.json").read_text())
    assert set(comparison["scoring"]) == set(variants)
