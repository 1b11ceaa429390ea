"""Reading, cleaning and packing corpora."""

import gzip
import json

import pytest
from transformers import AutoTokenizer

from adapterkit.corpus import clean_line, read_corpus, split_heldout, tokenize
from adapterkit.errors import AdapterkitError


def test_cleaning_strips_tags_entities_and_control_characters():
    assert clean_line("<p>Bloeddruk <b>140/85</b> &amp; pols 72</p>") == ("Bloeddruk 140/85 & pols 72", True, False)
    assert clean_line("koorts\x07 sinds\u200b gisteren\x0c") == ("koorts sinds gisteren", False, True)
    assert clean_line("   \t ")[0] == ""


def test_read_corpus_drops_empty_and_duplicate_lines_and_reports_them(tmp_path):
    (tmp_path / "a.txt").write_text("een\n\n<br/>\ntwee\neen\n", encoding="utf-8")
    with gzip.open(tmp_path / "b.txt.gz", "wt", encoding="utf-8") as handle:
        handle.write("twee\ndrie\n")
    (tmp_path / "c.jsonl").write_text(json.dumps({"text": "vier"}) + "\n" + json.dumps({"text": "een"}) + "\n")
    lines, report = read_corpus([tmp_path])
    assert lines == ["een", "twee", "drie", "vier"]
    assert (report.lines_read, report.empty_dropped, report.duplicates_dropped) == (9, 2, 3)
    assert report.markup_changed == 1
    assert [record.lines for record in report.files] == [5, 2, 2]


def test_non_utf8_file_is_an_error_naming_file_and_line(tmp_path):
    path = tmp_path / "latin1.txt"
    path.write_bytes("goed\nPatiënt\n".encode("latin-1"))
    with pytest.raises(AdapterkitError, match=r"latin1.txt:2: not UTF-8"):
        read_corpus([path])


def test_jsonl_without_the_text_field_names_the_option(tmp_path):
    path = tmp_path / "x.jsonl"
    path.write_text('{"body": "tekst"}\n')
    with pytest.raises(AdapterkitError, match="--text-field"):
        read_corpus([path])


def test_heldout_split_is_seeded_and_disjoint():
    lines = [f"zin {i}" for i in range(100)]
    train, heldout = split_heldout(lines, 0.05, seed=7)
    assert len(heldout) == 5 and not set(train) & set(heldout)
    assert split_heldout(lines, 0.05, seed=7) == (train, heldout)
    assert split_heldout(lines, 0.05, seed=8)[1] != heldout


@pytest.fixture(scope="module")
def tokenizer(embedded_path):
    return AutoTokenizer.from_pretrained(embedded_path)


def _content_tokens(dataset, tokenizer):
    special = set(tokenizer.all_special_ids)
    return [token for row in dataset["input_ids"] for token in row if token not in special]


def test_packed_mode_loses_no_tokens(tokenizer, nl_corpus):
    lines = nl_corpus.read_text(encoding="utf-8").splitlines()[:2500]
    lines = [line for line in lines if line.strip()]
    expected = [t for line in lines for t in tokenizer(line, add_special_tokens=False)["input_ids"]]
    packed = tokenize(lines, tokenizer, max_seq_len=64, mode="packed")
    assert _content_tokens(packed, tokenizer) == expected  # same tokens, same order
    assert sum(packed["length"]) == len(expected)
    assert max(len(row) for row in packed["input_ids"]) == 64
    # 2,500 lines make three map batches: each may end in a short tail block, kept, never dropped
    assert 1 <= sum(len(row) < 64 for row in packed["input_ids"]) <= 3


def test_line_mode_continues_long_lines_instead_of_cutting_them(tokenizer):
    lines = ["kort", " ".join(["hypertensie"] * 40)]
    expected = [t for line in lines for t in tokenizer(line, add_special_tokens=False)["input_ids"]]
    by_line = tokenize(lines, tokenizer, max_seq_len=16, mode="line")
    assert _content_tokens(by_line, tokenizer) == expected
    assert len(by_line) > 2 and all(len(row) <= 16 for row in by_line["input_ids"])
