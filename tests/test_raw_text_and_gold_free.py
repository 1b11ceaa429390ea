"""Prediction labels the text alone; evaluation of document data scores exact character spans.

A model trained on a few CANTEMIST documents (tiny BERT, one epoch) is used throughout: its
predictions on the dev documents must not change when the gold ``.ann`` files lie beside the text,
and the F1 that ``finetune --eval-data`` reports must be the F1 of the ``.ann`` files ``predict``
writes, counted independently here.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from adapterkit.cli import main
from adapterkit.errors import AdapterkitError
from adapterkit.paths import shared_data_dir
from adapterkit.tasks.finetune import FinetuneRequest, TrainSettings, run_finetune
from adapterkit.tasks.predict import run_predict

CANTEMIST = shared_data_dir() / "cantemist"
TRAIN_DOCS, DEV_DOCS = 20, 6


def _copy_documents(source: Path, target: Path, count: int, annotations: bool = True) -> Path:
    target.mkdir(parents=True)
    for txt in sorted(source.glob("*.txt"))[:count]:
        shutil.copyfile(txt, target / txt.name)
        if annotations:
            shutil.copyfile(txt.with_suffix(".ann"), target / f"{txt.stem}.ann")
    return target


@pytest.fixture(scope="module")
def cantemist(tmp_path_factory, tiny_bert) -> dict[str, Path]:
    """A tiny NER model trained on CANTEMIST train documents, and dev documents with and without .ann."""
    if not (CANTEMIST / "train-set").is_dir():
        pytest.skip(f"CANTEMIST is absent at {CANTEMIST} (set ADAPTERKIT_DATA to the shared corpora)")
    root = tmp_path_factory.mktemp("cantemist")
    train = _copy_documents(CANTEMIST / "train-set" / "cantemist-ner", root / "train", TRAIN_DOCS)
    dev_source = CANTEMIST / "dev-set1" / "cantemist-ner"
    dev = _copy_documents(dev_source, root / "dev", DEV_DOCS)
    notes = _copy_documents(dev_source, root / "notes", DEV_DOCS, annotations=False)
    settings = TrainSettings(epochs=1, batch_size=8, lr=5e-3, max_seq_len=128, seed=1)
    request = FinetuneRequest(
        data=[train], name="cantemist-tiny", base=str(tiny_bert), eval_data=[dev], settings=settings,
        output=root / "model",
    )  # fmt: skip
    model, manifest = run_finetune(request)
    return {"root": root, "model": model, "dev": dev, "notes": notes, "metrics": manifest["evaluation"]["metrics"]}


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
    args = ["predict", str(cantemist["model"]), "--input", str(note), "--out", str(out), "--output-format", "brat"]
    assert main([*args, "--max-seq-len", "128"]) == 0
    assert "wrote 1 file(s)" in capsys.readouterr().out
    assert (out / f"{note.stem}.ann").is_file() and (out / note.name).read_bytes() == note.read_bytes()


def test_plain_text_cannot_be_training_data(tmp_path, tiny_bert):
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "n1.txt").write_text("Carcinoma ductal infiltrante de mama.\n", encoding="utf-8")
    with pytest.raises(AdapterkitError, match=r"n1\.txt: plain text without annotations"):
        run_finetune(FinetuneRequest(data=[tmp_path / "notes"], name="x", base=str(tiny_bert), output=tmp_path / "m"))


@pytest.mark.parametrize(
    ("out", "message"),
    [
        ("{dev}", "it is the input folder"),
        ("{dev}/pred", "inside it"),
        ("{root}", "would replace an input file"),
    ],
)
def test_out_that_would_touch_the_input_is_refused_before_any_work(cantemist, capsys, out, message):
    dev = cantemist["dev"]
    before = {p.name: p.read_bytes() for p in dev.iterdir()}
    target = out.format(dev=dev, root=dev.parent)
    inputs = ["--input", str(dev)] if "{root}" not in out else ["--input", str(dev / sorted(before)[0])]
    args = ["predict", str(cantemist["model"]), *inputs, "--out", target, "--output-format", "brat"]
    assert main(args) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0] and "--out" in err[0]
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
