"""hypothesis fuzzing of the task readers: any file gives a dataset or an AdapterkitError, nothing else."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapterkit.errors import AdapterkitError
from adapterkit.readers.brat import read_brat, spans_from_bio
from adapterkit.readers.conll import read_conll
from adapterkit.readers.data import NerDataset
from adapterkit.readers.formats import read_task
from adapterkit.readers.jsonl import read_jsonl

FUZZ = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)

# Pieces that real files are made of, so the fuzzer reaches past the first check.
TAGS = ["O", "B-DRUG", "I-DRUG", "B-", "I-X", "b-drug", "", "B-DIS", "-DOCSTART-", "B-DRUG\tO"]
WORDS = ["aspirin", "koorts", "Patiënt", ".", "mg", "\u00a0", "\ufeff", "ñ", "0_5", "5_0", "12_40", "x\ty"]
SEPARATORS = ["\t", " ", "  ", "\t\t"]


@st.composite
def conll_text(draw) -> str:
    lines = []
    for _ in range(draw(st.integers(0, 12))):
        if draw(st.booleans()):
            columns = draw(st.lists(st.sampled_from(WORDS + TAGS), min_size=0, max_size=5))
            lines.append(draw(st.sampled_from(SEPARATORS)).join(columns))
        else:
            lines.append(draw(st.sampled_from(["", "-DOCSTART- -X- O O", "\r", draw(st.text(max_size=20))])))
    return draw(st.sampled_from(["\n", "\r\n"])).join(lines)


@st.composite
def ann_text(draw, length: int) -> str:
    lines = []
    for index in range(draw(st.integers(0, 6))):
        start = draw(st.integers(-3, length + 3))
        end = draw(st.integers(-3, length + 3))
        kind = draw(st.sampled_from(["Drug", "Disease", "", "Drug Disease", "Drug\t"]))
        fragments = f"{start} {end}"
        if draw(st.booleans()):
            fragments += f";{draw(st.integers(-1, length + 2))} {draw(st.integers(-1, length + 2))}"
        prefix = draw(st.sampled_from(["T", "T", "A", "#", "R", "X", ""]))
        line = f"{prefix}{index + 1}\t{kind} {fragments}\t{draw(st.text(max_size=8))}"
        if draw(st.integers(0, 9)) == 0:
            line = draw(st.text(max_size=30))
        lines.append(line)
    return "\n".join(lines)


def _check_ner(data) -> None:
    assert isinstance(data, NerDataset)
    for sentence in data.sentences:
        assert len(sentence.tokens) == len(sentence.tags)
        assert all(tag == "O" or tag[:2] in ("B-", "I-") for tag in sentence.tags)


def _read(reader, path: Path, **options):
    try:
        return reader(path, **options)
    except AdapterkitError as error:
        assert "\n" not in str(error), "errors are one line"
        return None


@FUZZ
@given(text=conll_text(), repair=st.booleans(), preset=st.sampled_from(["auto", "conll2", "monero", "pharmaconer"]))
def test_conll_reader_returns_data_or_adapterkit_error_on_any_text(text, repair, preset):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "data.conll"
        path.write_text(text, encoding="utf-8", newline="")
        data = _read(read_conll, path, preset=preset, repair=repair)
        if data is not None:
            _check_ner(data)


@FUZZ
@given(data=st.binary(max_size=300))
def test_conll_reader_returns_data_or_adapterkit_error_on_any_bytes(data):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "data.conll"
        path.write_bytes(data)
        result = _read(read_conll, path, repair=True)
        if result is not None:
            _check_ner(result)


@FUZZ
@given(
    text=st.text(alphabet=st.sampled_from(list("ab c.\n\r!?é\u00a0-") + ["\ufeff"]), max_size=60),
    data=st.data(),
    repair=st.booleans(),
)
def test_brat_reader_returns_data_or_adapterkit_error_on_any_annotation(text, data, repair):
    ann = data.draw(ann_text(len(text)))
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "doc.txt").write_text(text, encoding="utf-8", newline="")
        (root / "doc.ann").write_text(ann, encoding="utf-8", newline="")
        result = _read(read_brat, [root], repair=repair)
        if result is not None:
            _check_ner(result)
            for sentence in result.sentences:  # offsets point into the document
                assert sentence.offsets is not None
                for start, end in sentence.offsets:
                    assert 0 <= start < end <= len(text)
                for _, start, end in spans_from_bio(sentence, sentence.tags):
                    assert 0 <= start < end <= len(text)


@FUZZ
@given(txt=st.binary(max_size=120), ann=st.binary(max_size=120))
def test_brat_reader_returns_data_or_adapterkit_error_on_any_bytes(txt, ann):
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "doc.txt").write_bytes(txt)
        (root / "doc.ann").write_bytes(ann)
        result = _read(read_brat, [root], repair=True)
        if result is not None:
            _check_ner(result)


@FUZZ
@given(
    lines=st.lists(
        st.one_of(
            st.text(max_size=40),
            st.sampled_from(
                [
                    '{"tokens": ["a", "b"], "tags": ["B-X", "I-X"]}',
                    '{"tokens": ["a"], "tags": ["O", "O"]}',
                    '{"text": "koorts", "label": "pos"}',
                    '{"text": "koorts", "labels": ["a", 1]}',
                    '{"text": "x", "text_pair": "y", "score": "high"}',
                    '{"text": null, "label": []}',
                    "[1, 2]",
                    '{"tokens": "ab", "tags": "O"}',
                    '{"text": "a", "score": NaN}',
                ]
            ),
        ),
        max_size=6,
    )
)
def test_jsonl_and_format_detection_return_data_or_adapterkit_error(lines):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "data.jsonl"
        path.write_text("\n".join(lines), encoding="utf-8")
        _read(read_jsonl, path)
        _read(lambda p: read_task([p]), path)
