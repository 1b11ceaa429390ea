"""Corpora read from Parquet files and from Hugging Face datasets (hf:NAME[:SPLIT]), offline.

The hf: path is tested through ``corpus.reading.load_hub_dataset``, the one function that calls
``datasets.load_dataset``: replaced here by small in-memory datasets, so nothing reaches the Hub.
"""

from __future__ import annotations

import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from datasets import Dataset
from transformers import AutoTokenizer

from adapterkit.cli import main
from adapterkit.corpus import prepare, prepare_streaming, read_corpus, reading
from adapterkit.errors import AdapterkitError

# Markup, an entity, a control character, an empty line and a duplicate: every cleaning rule counts.
ROWS = ["De patiënt <b>klaagt</b> over pijn.", "Glucose <5.6 mmol/l.", "", "Geen\x07 koorts.", "Glucose <5.6 mmol/l."]


@pytest.fixture
def jsonl_and_parquet(tmp_path):
    jsonl = tmp_path / "notes.jsonl"
    jsonl.write_text("".join(json.dumps({"body": row, "id": n}) + "\n" for n, row in enumerate(ROWS)))
    parquet = tmp_path / "notes.parquet"
    # Small row groups: the reader goes through several batches.
    pq.write_table(pa.table({"id": list(range(len(ROWS))), "body": ROWS}), parquet, row_group_size=2)
    return jsonl, parquet


@pytest.fixture
def fake_hub(monkeypatch):
    """``hf:`` ids served from memory; records every (name, split, streaming) asked for."""
    datasets = {"org/notes": Dataset.from_dict({"id": list(range(len(ROWS))), "body": ROWS})}
    calls: list[tuple[str, str, bool]] = []

    def load(name: str, split: str, streaming: bool):
        calls.append((name, split, streaming))
        if name not in datasets or split != "train":
            raise FileNotFoundError(f"Dataset {name!r} doesn't exist on the Hub or cannot be accessed.")
        return datasets[name].to_iterable_dataset() if streaming else datasets[name]

    monkeypatch.setattr(reading, "load_hub_dataset", load)
    return calls


def test_parquet_corpus_is_cleaned_and_counted_like_the_same_jsonl(jsonl_and_parquet):
    jsonl, parquet = jsonl_and_parquet
    lines, report = read_corpus([parquet], text_field="body")
    assert lines == ["De patiënt klaagt over pijn.", "Glucose <5.6 mmol/l.", "Geen koorts."]
    expected_lines, expected = read_corpus([jsonl], text_field="body")
    assert lines == expected_lines
    counts = {key: value for key, value in report.to_dict().items() if key != "files"}
    assert counts == {key: value for key, value in expected.to_dict().items() if key != "files"}
    assert (report.empty_dropped, report.duplicates_dropped, report.markup_changed) == (1, 1, 1)
    # The sha256 is of the text read, so the same rows give the same digest in either format.
    assert report.files[0].sha256 == expected.files[0].sha256
    assert report.files[0].to_dict() == {"path": str(parquet), "sha256": expected.files[0].sha256, "lines": 5}


def test_a_folder_with_a_parquet_file_reads_it(jsonl_and_parquet):
    _, parquet = jsonl_and_parquet
    parquet.with_suffix(".jsonl").unlink()
    _, report = read_corpus([parquet.parent], text_field="body")
    assert [record.path for record in report.files] == [str(parquet)]


def test_parquet_without_the_text_column_names_the_columns_there_are(jsonl_and_parquet, tmp_path, capsys):
    _, parquet = jsonl_and_parquet
    assert main(["corpus", "clean", str(parquet), "--output", str(tmp_path / "out.txt")]) == 2
    message = capsys.readouterr().err.strip()
    assert len(message.splitlines()) == 1
    assert "no column 'text' (columns: id, body)" in message and "--text-field" in message
    assert not (tmp_path / "out.txt").exists()


def test_a_file_that_is_not_parquet_is_refused_in_one_line(tmp_path):
    bad = tmp_path / "broken.parquet"
    bad.write_text("not parquet at all\n")
    with pytest.raises(AdapterkitError, match=r"broken.parquet: cannot read as Parquet"):
        read_corpus([bad])


def test_corpus_clean_writes_the_kept_rows_of_a_parquet_file(jsonl_and_parquet, tmp_path, capsys):
    _, parquet = jsonl_and_parquet
    out = tmp_path / "clean.txt"
    assert main(["corpus", "clean", str(parquet), "--output", str(out), "--text-field", "body"]) == 0
    printed = capsys.readouterr().out
    assert "5 lines read from 1 file(s)" in printed and "3 kept" in printed
    assert out.read_text().splitlines() == ["De patiënt klaagt over pijn.", "Glucose <5.6 mmol/l.", "Geen koorts."]


def test_hf_corpus_reads_the_train_split_and_records_id_split_and_fingerprint(fake_hub, jsonl_and_parquet):
    jsonl, _ = jsonl_and_parquet
    lines, report = read_corpus(["hf:org/notes"], text_field="body")
    assert fake_hub == [("org/notes", "train", False)]
    assert lines == read_corpus([jsonl], text_field="body")[0]
    record = report.files[0].to_dict()
    assert record["path"] == "hf:org/notes:train" and record["lines"] == 5
    assert record["fingerprint"] == Dataset.from_dict({"id": list(range(5)), "body": ROWS})._fingerprint


def test_hf_corpus_without_the_text_column_names_the_columns(fake_hub):
    with pytest.raises(AdapterkitError, match=r"^hf:org/notes:train: no column 'text' \(columns: id, body\)"):
        read_corpus(["hf:org/notes"])


def test_hf_corpus_with_an_unknown_split_says_it_cannot_be_loaded(fake_hub, monkeypatch):
    monkeypatch.setattr(reading, "_hub_offline", lambda: False)
    with pytest.raises(AdapterkitError, match=r"hf:org/notes:test: cannot load this Hugging Face dataset"):
        read_corpus(["hf:org/notes:test"], text_field="body")
    assert fake_hub == [("org/notes", "test", False)]


@pytest.mark.parametrize("mode", ["packed", "line"])
def test_streamed_hf_corpus_gives_the_blocks_of_the_in_memory_path(fake_hub, embedded_path, mode):
    tokenizer = AutoTokenizer.from_pretrained(embedded_path)
    spec = ["hf:org/notes:train"]
    in_memory, report = prepare(spec, tokenizer, 16, mode, heldout_fraction=0.34, seed=1, text_field="body")
    streamed, streamed_report = prepare_streaming(
        spec, tokenizer, 16, mode, heldout_fraction=0.34, seed=1, text_field="body"
    )
    assert ("org/notes", "train", True) in fake_hub  # the streaming path asks datasets for a stream
    assert list(streamed["train"]) == list(in_memory["train"])
    assert streamed["heldout"][:] == in_memory["heldout"][:]
    counts = {key: value for key, value in report.to_dict().items() if key != "files"}
    assert counts == {key: value for key, value in streamed_report.to_dict().items() if key != "files"}
    assert [r.sha256 for r in streamed_report.files] == [r.sha256 for r in report.files]


def test_an_hf_corpus_not_cached_offline_says_the_hub_is_unreachable(tmp_path, capsys):
    out = tmp_path / "out.txt"
    assert main(["corpus", "clean", "hf:adapterkit-tests/no-such-corpus", "--output", str(out)]) == 2
    message = capsys.readouterr().err.strip()
    assert len(message.splitlines()) == 1, message
    assert "hf:adapterkit-tests/no-such-corpus:train: the Hugging Face Hub is unreachable" in message
    assert "not in the local cache" in message
    assert not out.exists()
