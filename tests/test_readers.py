"""Task data readers: CoNLL, BRAT, JSON Lines and Parquet, tag hygiene, and the BRAT round trip."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from seqeval.metrics.sequence_labeling import get_entities

from adapterkit.errors import AdapterkitError
from adapterkit.paths import shared_data_dir
from adapterkit.readers.brat import parse_ann, read_brat, spans_from_bio, words_with_offsets, write_ann
from adapterkit.readers.conll import read_conll, write_conll
from adapterkit.readers.data import HygieneReport, NerDataset, Sentence, TextDataset
from adapterkit.readers.formats import read_task
from adapterkit.readers.hygiene import MAX_NOTES, check_tags, validate_types
from adapterkit.readers.jsonl import read_jsonl

MONERO = shared_data_dir() / "monero" / "MoNERo.txt"
CANTEMIST_DEV = shared_data_dir() / "cantemist" / "dev-set1" / "cantemist-ner"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def write_jsonl(path: Path, records: list[dict]) -> Path:
    return write(path, "".join(json.dumps(record, ensure_ascii=False) + "\n" for record in records))


def entities(tags: list[str]) -> list[tuple[str, int, int]]:
    return get_entities(list(tags))


def gold_spans(dataset: NerDataset) -> dict[str, set[tuple[str, int, int]]]:
    """(type, start, end) of every entity per document, from the sentences' own tags."""
    spans: dict[str, set[tuple[str, int, int]]] = {doc_id: set() for doc_id in dataset.documents}
    for sentence in dataset.sentences:
        spans[sentence.doc_id].update(spans_from_bio(sentence, sentence.tags))
    return spans


# --- tag hygiene -------------------------------------------------------------------------------


def test_check_tags_keeps_valid_bio_unchanged() -> None:
    tags = ["O", "B-DISO", "I-DISO", "B-CHEM", "B-CHEM", "I-CHEM", "O"]
    report = HygieneReport()
    assert check_tags(tags, ["f:1"] * len(tags), report, repair=False) == tags
    assert report == HygieneReport()


@pytest.mark.parametrize("tag", ["", "o", "b-x", "X-Y", "B-", "I-", "B-A B", "B_X", "DISO"])
def test_malformed_tag_raises_naming_the_line_without_repair(tag: str) -> None:
    with pytest.raises(AdapterkitError, match=r"^f\.conll:7: malformed tag .*pass --repair$"):
        check_tags(["O", tag], ["f.conll:6", "f.conll:7"], HygieneReport(), repair=False)


def test_malformed_tag_becomes_o_and_is_counted_with_repair() -> None:
    report = HygieneReport()
    assert check_tags(["o", "B-X", ""], ["f:1", "f:2", "f:3"], report, repair=True) == ["O", "B-X", "O"]
    assert report.malformed_repaired == 2
    assert report.notes == ["f:1: malformed tag 'o' repaired to 'O'", "f:3: malformed tag '' repaired to 'O'"]


def test_orphan_i_becomes_b_and_is_counted_even_without_repair() -> None:
    report = HygieneReport()
    tags = ["I-X", "I-X", "O", "I-X", "B-Y", "I-X", "I-X"]
    fixed = check_tags(tags, [f"f:{n}" for n in range(1, 8)], report, repair=False)
    assert fixed == ["B-X", "I-X", "O", "B-X", "B-Y", "B-X", "I-X"]
    assert report.orphan_i_repaired == 3
    assert report.notes[0] == "f:1: orphan 'I-X' after 'O' repaired to B-"


def test_malformed_tag_repaired_to_o_makes_the_next_i_an_orphan() -> None:
    report = HygieneReport()
    assert check_tags(["B-X", "x", "I-X"], ["f:1", "f:2", "f:3"], report, repair=True) == ["B-X", "O", "B-X"]
    assert (report.malformed_repaired, report.orphan_i_repaired) == (1, 1)


def test_notes_are_capped_but_counts_are_not() -> None:
    report = HygieneReport()
    check_tags(["I-X", "O"] * 50, ["f:1"] * 100, report, repair=False)
    assert report.orphan_i_repaired == 50
    assert len(report.notes) == MAX_NOTES


def test_validate_types_names_the_line_and_the_unknown_type() -> None:
    dataset = NerDataset([Sentence(["a", "b"], ["B-CHEM", "B-GENE"], "d", "f.conll:3")], ["CHEM", "GENE"])
    validate_types(dataset, None)
    validate_types(dataset, {"CHEM", "GENE"})
    with pytest.raises(AdapterkitError, match=r"^f\.conll:3: unknown entity type 'GENE' \(word 2, 'b'\)"):
        validate_types(dataset, {"CHEM", "DISO"})


# --- CoNLL -------------------------------------------------------------------------------------


def test_conll2_reads_sentences_with_sources_types_and_one_document(tmp_path: Path) -> None:
    path = write(tmp_path / "train.conll", "Aspirin B-CHEM\nhelps O\n\n\nHeart B-ANAT\nattack O\n")
    data = read_conll(path)
    assert [s.tokens for s in data.sentences] == [["Aspirin", "helps"], ["Heart", "attack"]]
    assert [s.tags for s in data.sentences] == [["B-CHEM", "O"], ["B-ANAT", "O"]]
    assert [s.source for s in data.sentences] == [f"{path}:1", f"{path}:5"]
    assert {s.doc_id for s in data.sentences} == {"train"}
    assert data.types == ["ANAT", "CHEM"]
    assert data.labels == ["B-ANAT", "B-CHEM", "O"]  # the tags present, sorted: run_ner.py's label list
    assert data.sentences[0].offsets is None


def test_docstart_lines_start_new_documents(tmp_path: Path) -> None:
    text = "-DOCSTART- O\n\na O\n\nb O\n-DOCSTART- O\nc O\n"
    data = read_conll(write(tmp_path / "news.txt", text))
    assert [(s.tokens, s.doc_id) for s in data.sentences] == [(["a"], "news-1"), (["b"], "news-1"), (["c"], "news-2")]


def test_monero_layout_is_picked_for_four_tab_columns_keeping_empty_columns_and_spaces(tmp_path: Path) -> None:
    text = "infarct\tinfarct\tB-DISO\tNcms-n\nș.a.\tși alții\tO\tY\n-\t-\t\t\n"
    with pytest.raises(AdapterkitError, match=r"ro\.txt:3: malformed tag ''"):
        read_conll(write(tmp_path / "ro.txt", text))
    data = read_conll(tmp_path / "ro.txt", repair=True)
    assert data.sentences[0].tokens == ["infarct", "ș.a.", "-"]
    assert data.sentences[0].tags == ["B-DISO", "O", "O"]
    assert data.report.malformed_repaired == 1


def test_pharmaconer_layout_fills_document_offsets_and_doc_ids(tmp_path: Path) -> None:
    text = "Paciente S0001 0_8 O\ncon S0001 9_12 O\nácido S0001 13_18 B-NORMALIZABLES\n\nDosis S0002 0_5 O\n"
    data = read_conll(write(tmp_path / "pharma.conll", text))
    assert [s.doc_id for s in data.sentences] == ["S0001", "S0002"]
    assert data.sentences[0].offsets == [(0, 8), (9, 12), (13, 18)]
    assert data.types == ["NORMALIZABLES"]


def test_explicit_columns_override_the_preset(tmp_path: Path) -> None:
    path = write(tmp_path / "odd.tsv", "B-X\tNN\tword\n")
    data = read_conll(path, token_col=2, tag_col=0)
    assert (data.sentences[0].tokens, data.sentences[0].tags) == (["word"], ["B-X"])
    with pytest.raises(AdapterkitError, match=r"odd\.tsv:1: the tag column is 5 but the line has 3 columns"):
        read_conll(path, tag_col=5)


def test_unknown_preset_is_refused(tmp_path: Path) -> None:
    with pytest.raises(AdapterkitError, match=r"--preset 'conll3'"):
        read_conll(write(tmp_path / "a.conll", "a O\n"), preset="conll3")


def test_wrong_column_count_names_the_line_and_both_counts(tmp_path: Path) -> None:
    path = write(tmp_path / "bad.conll", "a O\nb O\n\nc d O\n")
    with pytest.raises(AdapterkitError, match=r"bad\.conll:4: 3 columns where the file's first data line has 2"):
        read_conll(path)


def test_bad_utf8_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "latin1.conll"
    path.write_bytes(b"a O\n\nc" + "afé O\n".encode("latin-1"))
    with pytest.raises(AdapterkitError, match=r"latin1\.conll:3: not UTF-8 \(byte 0xe9"):
        read_conll(path)


def test_write_conll_then_read_gives_the_same_sentences_and_can_take_other_tags(tmp_path: Path) -> None:
    data = read_conll(write(tmp_path / "in.conll", "Aspirin B-CHEM\nhelps O\n\nHeart B-ANAT\nattack I-ANAT\n"))
    write_conll(data.sentences, tmp_path / "out.conll")
    again = read_conll(tmp_path / "out.conll")
    assert [(s.tokens, s.tags) for s in again.sentences] == [(s.tokens, s.tags) for s in data.sentences]
    write_conll(data.sentences, tmp_path / "pred.conll", tags=[["O", "O"], ["B-DISO", "I-DISO"]])
    assert [s.tags for s in read_conll(tmp_path / "pred.conll").sentences] == [["O", "O"], ["B-DISO", "I-DISO"]]


def test_monero_loads_with_repair_and_counts_its_known_defects() -> None:
    if not MONERO.is_file():
        pytest.skip(f"MoNERo not found at {MONERO} (set ADAPTERKIT_DATA to the shared data folder)")
    with pytest.raises(AdapterkitError, match=r"MoNERo\.txt:10318: malformed tag ''"):
        read_conll(MONERO)
    data = read_conll(MONERO, repair=True)
    assert len(data.sentences) == 4984
    assert sum(len(s.tokens) for s in data.sentences) == 154829
    assert data.types == ["ANAT", "CHEM", "DISO", "PROC"]
    assert data.report.orphan_i_repaired == 409
    assert data.report.malformed_repaired == 5
    counts = Counter(kind for s in data.sentences for kind, _, _ in entities(s.tags))
    assert counts == {"DISO": 6835, "CHEM": 4225, "ANAT": 2031, "PROC": 1451}


# --- BRAT --------------------------------------------------------------------------------------

DOC_TEXT = "Varón de 74 años con carcinoma de vejiga. Sin metástasis.\nTumor T2N0 en 2013.\n"


def brat_doc(folder: Path, ann: str, text: str = DOC_TEXT, name: str = "doc1") -> Path:
    write(folder / f"{name}.txt", text)
    write(folder / f"{name}.ann", ann)
    return folder


def span(text: str, part: str, kind: str = "MORF") -> str:
    start = text.index(part)
    return f"{kind} {start} {start + len(part)}\t{part}"


def test_brat_reads_words_with_offsets_sentences_and_documents(tmp_path: Path) -> None:
    ann = f"T1\t{span(DOC_TEXT, 'carcinoma de vejiga')}\n#1\tAnnotatorNotes T1\tnote\nA1\tNegated T1\n"
    data = read_brat([brat_doc(tmp_path, ann)])
    assert data.documents == {"doc1": DOC_TEXT}
    assert [s.tokens for s in data.sentences] == [
        ["Varón", "de", "74", "años", "con", "carcinoma", "de", "vejiga", "."],
        ["Sin", "metástasis", "."],
        ["Tumor", "T2N0", "en", "2013", "."],
    ]
    first = data.sentences[0]
    assert first.tags == ["O"] * 5 + ["B-MORF", "I-MORF", "I-MORF", "O"]
    assert all(DOC_TEXT[start:end] == token for token, (start, end) in zip(first.tokens, first.offsets, strict=True))
    assert [s.source for s in data.sentences] == [f"{tmp_path / 'doc1.txt'}:{n}" for n in (1, 1, 2)]
    assert {s.doc_id for s in data.sentences} == {"doc1"}
    assert data.types == ["MORF"]


def test_entity_boundaries_inside_words_become_word_boundaries() -> None:
    assert words_with_offsets("T2N0 ok", [2]) == [(0, 2), (2, 4), (5, 7)]


def test_brat_does_not_end_a_sentence_inside_an_entity(tmp_path: Path) -> None:
    text = "Tumor de tipo Dr. Smith encontrado.\n"
    data = read_brat([brat_doc(tmp_path, f"T1\t{span(text, 'tipo Dr. Smith')}\n", text)])
    assert len(data.sentences) == 1


@pytest.mark.parametrize(
    ("offsets", "problem"),
    [("10 500", "past the end of the text"), ("20 10", "start not before end"), ("-3 4", "a negative offset")],
)
def test_impossible_brat_offsets_name_the_ann_line(tmp_path: Path, offsets: str, problem: str) -> None:
    folder = brat_doc(tmp_path, f"T1\t{span(DOC_TEXT, 'vejiga')}\nT2\tMORF {offsets}\tx\n")
    with pytest.raises(AdapterkitError, match=rf"doc1\.ann:2: entity MORF has .*{problem}.*pass --repair$"):
        read_brat([folder])


def test_impossible_brat_offsets_are_dropped_and_counted_with_repair(tmp_path: Path) -> None:
    data = read_brat([brat_doc(tmp_path, f"T1\t{span(DOC_TEXT, 'vejiga')}\nT2\tMORF 10 500\tx\n")], repair=True)
    assert data.report.malformed_repaired == 1
    assert sum(len(entities(s.tags)) for s in data.sentences) == 1


def test_unparseable_ann_line_is_refused(tmp_path: Path) -> None:
    with pytest.raises(AdapterkitError, match=r"doc1\.ann:1: not a BRAT entity line"):
        read_brat([brat_doc(tmp_path, "T1\tMORF ten 20\tx\n")])


def test_discontinuous_entity_tags_each_fragment_and_is_reported(tmp_path: Path) -> None:
    carcinoma, vejiga = DOC_TEXT.index("carcinoma"), DOC_TEXT.index("vejiga")
    ann = f"T1\tMORF {carcinoma} {carcinoma + 9};{vejiga} {vejiga + 6}\tcarcinoma vejiga\n"
    data = read_brat([brat_doc(tmp_path, ann)])
    assert data.report.discontinuous_spans == 1
    assert "discontinuous MORF tagged as 2 entities" in data.report.notes[0]
    assert gold_spans(data)["doc1"] == {("MORF", carcinoma, carcinoma + 9), ("MORF", vejiga, vejiga + 6)}


def test_overlapping_entities_keep_the_earlier_then_longer_one_and_count_the_rest(tmp_path: Path) -> None:
    ann = (
        f"T1\t{span(DOC_TEXT, 'carcinoma')}\n"  # nested in T2, same start: the longer T2 wins
        f"T2\t{span(DOC_TEXT, 'carcinoma de vejiga')}\n"
        f"T3\t{span(DOC_TEXT, 'vejiga. Sin', 'OTHER')}\n"  # starts inside T2: dropped
        f"T4\t{span(DOC_TEXT, 'metástasis')}\n"
    )
    data = read_brat([brat_doc(tmp_path, ann)])
    assert data.report.overlapping_dropped == 2
    assert sum("dropped (BIO holds one entity per word)" in note for note in data.report.notes) == 2
    kept = {DOC_TEXT[start:end] for _, start, end in gold_spans(data)["doc1"]}
    assert kept == {"carcinoma de vejiga", "metástasis"}
    assert data.types == ["MORF", "OTHER"]  # the type exists even if its only entity could not be tagged


def test_brat_needs_both_files_of_a_pair(tmp_path: Path) -> None:
    write(tmp_path / "lonely.ann", "")
    with pytest.raises(AdapterkitError, match=r"BRAT needs both lonely\.txt and lonely\.ann"):
        read_brat([tmp_path])


def test_brat_round_trip_gives_back_the_annotated_offsets(tmp_path: Path) -> None:
    text = "Carcinoma urotelial (CUV) en vejiga.\r\nSe ve un adenoma-like mass y T2N0.\n\nSin más."
    parts = [("MORF", "Carcinoma urotelial"), ("MORF", "CUV"), ("MORF", "adenoma"), ("STAGE", "N0")]
    ann = "".join(f"T{n}\t{span(text, part, kind)}\n" for n, (kind, part) in enumerate(parts, start=1))
    data = read_brat([brat_doc(tmp_path / "in", ann, text)])
    write_ann(tmp_path / "out.ann", text, sorted(gold_spans(data)["doc1"]))
    again = {(e.kind, *e.fragments[0]) for e in parse_ann(tmp_path / "out.ann", text)}
    original = {(e.kind, *e.fragments[0]) for e in parse_ann(tmp_path / "in" / "doc1.ann", text)}
    assert again == original
    assert (tmp_path / "out.ann").read_text(encoding="utf-8").splitlines()[0] == "T1\tMORF 0 19\tCarcinoma urotelial"


def test_long_brat_sentences_stay_whole_for_the_encoder_to_window(tmp_path: Path) -> None:
    # Items must not depend on a tokenizer (folds are shared across variants); encode.py windows them.
    text = " ".join(["el paciente presenta un carcinoma ductal infiltrante de mama izquierda"] * 60) + "\n"
    starts = [i for i in range(len(text)) if text.startswith("carcinoma ductal infiltrante", i)]
    ann = "".join(f"T{n}\tMORF {s} {s + len('carcinoma ductal infiltrante')}\tx\n" for n, s in enumerate(starts, 1))
    data = read_brat([brat_doc(tmp_path, ann, text)])
    assert len(data.sentences) == 1 and len(data.sentences[0].tokens) == 600
    assert len(gold_spans(data)["doc1"]) == 60


def test_cantemist_round_trip_on_twenty_documents(tmp_path: Path) -> None:
    if not CANTEMIST_DEV.is_dir():
        pytest.skip(f"CANTEMIST not found at {CANTEMIST_DEV} (set ADAPTERKIT_DATA to the shared data folder)")
    anns = sorted(CANTEMIST_DEV.glob("*.ann"))[:20]
    data = read_brat(anns)
    assert len(data.documents) == 20 and data.types == ["MORFOLOGIA_NEOPLASIA"]
    for doc_id, spans in gold_spans(data).items():
        text = data.documents[doc_id]
        write_ann(tmp_path / f"{doc_id}.ann", text, sorted(spans))
        again = {(e.kind, *e.fragments[0]) for e in parse_ann(tmp_path / f"{doc_id}.ann", text)}
        original = [(e.kind, *e.fragments[0]) for e in parse_ann(CANTEMIST_DEV / f"{doc_id}.ann", text)]
        alone = {a for a in original if not any(a != b and a[1] < b[2] and b[1] < a[2] for b in original)}
        assert alone <= again <= set(original), doc_id  # every entity no other overlaps comes back exactly


# --- JSON Lines --------------------------------------------------------------------------------


def test_jsonl_ner_records_get_tag_hygiene_and_doc_ids(tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "ner.jsonl",
        [{"tokens": ["a", "b"], "tags": ["I-X", "I-X"], "doc_id": 7}, {"tokens": ["c"], "tags": ["O"]}],
    )
    data = read_jsonl(path)
    assert isinstance(data, NerDataset)
    assert data.sentences[0].tags == ["B-X", "I-X"] and data.report.orphan_i_repaired == 1
    assert [s.doc_id for s in data.sentences] == ["7", f"{path}:2"]
    write_jsonl(path, [{"tokens": ["a"], "tags": ["x"]}])
    with pytest.raises(AdapterkitError, match=r"ner\.jsonl:1: malformed tag 'x'"):
        read_jsonl(path)


@pytest.mark.parametrize(
    ("records", "task", "labels", "target"),
    [
        (
            [{"text": "a", "label": "pos"}, {"text": "b", "label": "neg", "id": "d2"}],
            "classification",
            ["neg", "pos"],
            "pos",
        ),
        (
            [{"text": "a", "labels": ["C50", "C34"]}, {"text": "b", "labels": []}],
            "multilabel",
            ["C34", "C50"],
            ["C50", "C34"],
        ),
        ([{"text": "a", "text_pair": "b", "label": 3}], "regression", [], 3.0),
        ([{"text": "a", "score": 0.5}], "regression", [], 0.5),
    ],
)
def test_jsonl_text_records_are_read_by_their_fields(
    tmp_path: Path, records: list[dict], task: str, labels: list[str], target: object
) -> None:
    data = read_jsonl(write_jsonl(tmp_path / "t.jsonl", records))
    assert isinstance(data, TextDataset)
    assert (data.task, data.labels, data.examples[0].label) == (task, labels, target)


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        (
            [{"text": "a", "label": "x"}, {"tokens": ["a"], "tags": ["O"]}],
            r":2: a ner record in a file of classification",
        ),
        ([{"text": "a"}], r":1: no 'label', 'labels' or 'score'"),
        ([{"tokens": ["a"]}], r":1: NER records need 'tokens' and 'tags'"),
        ([{"label": "x"}], r":1: no 'tokens'\+'tags' \(NER\) and no string 'text'"),
        ([{"text": "a", "label": 1}], r":1: number 'label' without 'text_pair'"),
        ([{"tokens": ["a", "b"], "tags": ["O"]}], r":1: 2 tokens and 1 tags"),
    ],
)
def test_jsonl_bad_records_name_the_line(tmp_path: Path, lines: list[dict], message: str) -> None:
    with pytest.raises(AdapterkitError, match=r"bad\.jsonl" + message):
        read_jsonl(write_jsonl(tmp_path / "bad.jsonl", lines))


def test_jsonl_invalid_json_and_empty_files_are_refused(tmp_path: Path) -> None:
    with pytest.raises(AdapterkitError, match=r"x\.jsonl:2: invalid JSON"):
        read_jsonl(write(tmp_path / "x.jsonl", '{"text": "a", "label": "b"}\n{oops\n'))
    with pytest.raises(AdapterkitError, match=r"empty\.jsonl: no records"):
        read_jsonl(write(tmp_path / "empty.jsonl", "\n"))


# --- read_task ---------------------------------------------------------------------------------


def test_read_task_picks_the_reader_by_suffix_and_folder_content(tmp_path: Path) -> None:
    conll = write(tmp_path / "a.bio", "x B-A\n")
    jsonl = write_jsonl(tmp_path / "b.jsonl", [{"text": "t", "label": "l"}])
    folder = brat_doc(tmp_path / "brat", f"T1\t{span(DOC_TEXT, 'vejiga')}\n")
    assert isinstance(read_task([conll]), NerDataset)
    assert isinstance(read_task([jsonl]), TextDataset)
    assert read_task([folder]).documents == {"doc1": DOC_TEXT}
    assert read_task([folder / "doc1.txt"]).documents == {"doc1": DOC_TEXT}  # a .txt with its .ann is BRAT
    assert read_task([conll], fmt="conll").sentences[0].tags == ["B-A"]


def test_read_task_concatenates_files_and_unites_types(tmp_path: Path) -> None:
    first = write(tmp_path / "one.conll", "x B-A\n")
    second = write(tmp_path / "two.tsv", "y\tB-B\n\nz\tI-C\n")
    data = read_task([first, second])
    assert [s.tokens for s in data.sentences] == [["x"], ["y"], ["z"]]
    assert data.types == ["A", "B", "C"] and data.report.orphan_i_repaired == 1
    assert len(read_task([tmp_path]).sentences) == 3  # a folder of CoNLL files, read in sorted order


def test_read_task_reads_local_parquet_with_jsonl_rules(tmp_path: Path) -> None:
    from datasets import ClassLabel, Dataset, Features, Value

    features = Features({"text": Value("string"), "label": ClassLabel(names=["neg", "pos"])})
    Dataset.from_dict({"text": ["a", "b"], "label": [1, 0]}, features=features).to_parquet(tmp_path / "c.parquet")
    data = read_task([tmp_path / "c.parquet"])
    assert isinstance(data, TextDataset)
    assert (data.task, [e.label for e in data.examples], data.labels) == (
        "classification",
        ["pos", "neg"],
        ["neg", "pos"],
    )
    Dataset.from_dict({"tokens": [["a"]], "tags": [["b-x"]]}).to_parquet(tmp_path / "n.parquet")
    with pytest.raises(AdapterkitError, match=r"n\.parquet:1: malformed tag 'b-x'"):
        read_task([tmp_path / "n.parquet"])
    assert read_task([tmp_path / "n.parquet"], repair=True).report.malformed_repaired == 1


def test_read_task_refuses_missing_paths_unknown_formats_and_mixed_tasks(tmp_path: Path) -> None:
    with pytest.raises(AdapterkitError, match=r"nowhere\.conll: no such file or folder"):
        read_task([tmp_path / "nowhere.conll"])
    with pytest.raises(AdapterkitError, match=r"no task data given"):
        read_task([])
    with pytest.raises(AdapterkitError, match=r"--format 'xml'"):
        read_task([tmp_path], fmt="xml")
    with pytest.raises(AdapterkitError, match=r"data\.xml: unknown data format"):
        read_task([write(tmp_path / "data.xml", "<a/>")])
    ner = write(tmp_path / "n.conll", "x O\n")
    text = write_jsonl(tmp_path / "t.jsonl", [{"text": "t", "label": "l"}])
    with pytest.raises(AdapterkitError, match=r"t\.jsonl: holds classification data but .*n\.conll holds NER"):
        read_task([ner, text])


def test_a_hub_dataset_id_offline_is_a_one_line_error_suggesting_parquet(monkeypatch):
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    with pytest.raises(AdapterkitError, match="export it to a local .parquet") as caught:
        read_task([Path("hf:nobody/no-such-dataset:train")])
    assert "\n" not in str(caught.value)
