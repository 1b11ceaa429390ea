"""CoNLL-style column files: one word per line, a blank line between sentences.

Columns are separated by tabs when the file's first data line has one (then every tab counts, so
empty columns such as MoNERo's empty tags are kept and a lemma may hold a space), else by runs of
whitespace. ``-DOCSTART-`` lines start a new document. Presets name the layouts of the study's
corpora; ``auto`` picks one from the first data line:

- ``conll2``: token first, tag last (2 columns; also right for CoNLL-2003's 4 columns when asked);
- ``monero``: token, lemma, tag, POS;
- ``pharmaconer``: token, document id, ``start_end`` character span in that document, tag.

Every sentence keeps the ``file:line`` of its first word, so errors and notes point at the file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..choices import CONLL_PRESETS as PRESETS
from ..errors import AdapterkitError
from .data import HygieneReport, NerDataset, Sentence
from .hygiene import check_tags, entity_types, numbered_lines

SPAN = re.compile(r"(\d+)_(\d+)")
DOCSTART = "-DOCSTART-"


@dataclass
class Layout:
    """Which column holds what (indices as in Python: -1 is the last column)."""

    token: int
    tag: int
    doc: int | None = None
    span: int | None = None


PRESET_LAYOUTS = {
    "conll2": Layout(token=0, tag=-1),
    "monero": Layout(token=0, tag=2),
    "pharmaconer": Layout(token=0, tag=3, doc=1, span=2),
}


@dataclass
class _Word:
    line: int
    columns: list[str]


def _split(line: str, tabbed: bool) -> list[str]:
    return line.split("\t") if tabbed else line.split()


def _auto_preset(columns: list[str]) -> str:
    """The preset that fits a first data line: by column count, PharmaCoNER by its span column."""
    if len(columns) == 4:
        return "pharmaconer" if SPAN.fullmatch(columns[2]) else "monero"
    return "conll2"  # 2 columns, or any other count: the CoNLL convention of token first, tag last


def _layout(preset: str, columns: list[str], overrides: dict[str, int | None], where: str) -> Layout:
    """The layout for this file: the preset's, with any column given explicitly taking precedence."""
    if preset not in PRESETS:
        raise AdapterkitError(f"--preset {preset!r}: choose one of {', '.join(PRESETS)}")
    base = PRESET_LAYOUTS[_auto_preset(columns) if preset == "auto" else preset]
    chosen = {name: getattr(base, name) for name in ("token", "tag", "doc", "span")}
    chosen.update({name: value for name, value in overrides.items() if value is not None})
    for name, index in chosen.items():
        if index is not None and not -len(columns) <= index < len(columns):
            raise AdapterkitError(
                f"{where}: the {name} column is {index} but the line has {len(columns)} columns; "
                f"pick another --preset or column"
            )
    return Layout(**chosen)


def _sentence_words(path: Path) -> list[tuple[str, list[_Word]]]:
    """The sentences of a file as (document named by -DOCSTART- lines, words), column counts checked."""
    sentences: list[tuple[str, list[_Word]]] = []
    current: list[_Word] = []
    document, documents_seen = path.stem, 0
    tabbed: bool | None = None
    width = 0
    for number, line in numbered_lines(path):
        if not line.strip() or line.split()[0] == DOCSTART:
            if current:
                sentences.append((document, current))
                current = []
            if line.strip():
                documents_seen += 1
                document = f"{path.stem}-{documents_seen}"
            continue
        if tabbed is None:
            tabbed = "\t" in line
            width = len(_split(line, tabbed))
        columns = _split(line, tabbed)
        if len(columns) != width:
            raise AdapterkitError(
                f"{path}:{number}: {len(columns)} columns where the file's first data line has {width}; "
                "fix the line (columns are tab-separated when the first line has tabs)"
            )
        current.append(_Word(number, columns))
    if current:
        sentences.append((document, current))
    return sentences


def _offsets(words: list[_Word], layout: Layout, path: Path) -> list[tuple[int, int]] | None:
    if layout.span is None:
        return None
    offsets = []
    for word in words:
        match = SPAN.fullmatch(word.columns[layout.span])
        if not match or int(match[1]) >= int(match[2]):
            raise AdapterkitError(
                f"{path}:{word.line}: span {word.columns[layout.span]!r} is not start_end with start < end; "
                "fix the line or pick another --preset"
            )
        offsets.append((int(match[1]), int(match[2])))
    return offsets


def _sentence(
    document: str, words: list[_Word], layout: Layout, path: Path, report: HygieneReport, repair: bool
) -> Sentence:
    sources = [f"{path}:{word.line}" for word in words]
    tokens = [word.columns[layout.token] for word in words]
    for token, source in zip(tokens, sources, strict=True):
        if not token.strip():
            raise AdapterkitError(f"{source}: empty token; fix the line or pick another --preset or token column")
    tags = check_tags([word.columns[layout.tag] for word in words], sources, report, repair)
    doc_id = words[0].columns[layout.doc] if layout.doc is not None else document
    return Sentence(tokens, tags, doc_id, sources[0], _offsets(words, layout, path))


def read_conll(
    path: Path,
    preset: str = "auto",
    token_col: int | None = None,
    tag_col: int | None = None,
    doc_col: int | None = None,
    span_col: int | None = None,
    repair: bool = False,
) -> NerDataset:
    """A CoNLL-style file as NER sentences, with tag hygiene applied (see ``hygiene.check_tags``).

    ``preset`` names the column layout (``auto`` guesses it from the first data line); explicit
    ``*_col`` indices override the preset's. Documents come from the document column where there
    is one, else from ``-DOCSTART-`` lines, else the whole file is one document.
    """
    path = Path(path)
    grouped = _sentence_words(path)
    if not grouped:
        raise AdapterkitError(f"{path}: no sentences found; a CoNLL file has one word per line")
    first = grouped[0][1][0]
    overrides = {"token": token_col, "tag": tag_col, "doc": doc_col, "span": span_col}
    layout = _layout(preset, first.columns, overrides, f"{path}:{first.line}")
    report = HygieneReport()
    sentences = [_sentence(document, words, layout, path, report, repair) for document, words in grouped]
    return NerDataset(sentences, entity_types([s.tags for s in sentences]), report=report)


def tagged_sentences(path: Path, preset: str = "auto") -> list[tuple[str, list[tuple[int, str, str]]]]:
    """Every sentence of a CoNLL file as (document, [(line, token, tag as written), ...]).

    Unlike ``read_conll`` nothing is checked or repaired: scoring needs the tags as they stand,
    because strict IOB2 scoring and conlleval read an orphan ``I-`` tag differently.
    """
    path = Path(path)
    grouped = _sentence_words(path)
    if not grouped:
        raise AdapterkitError(f"{path}: no sentences found; a CoNLL file has one word per line")
    first = grouped[0][1][0]
    layout = _layout(preset, first.columns, {}, f"{path}:{first.line}")
    return [
        (
            words[0].columns[layout.doc] if layout.doc is not None else document,
            [(word.line, word.columns[layout.token], word.columns[layout.tag]) for word in words],
        )
        for document, words in grouped
    ]


def write_conll(sentences: list[Sentence], path: Path, tags: list[list[str]] | None = None) -> None:
    """Token and tag columns, tab-separated, a blank line after each sentence.

    ``tags`` (one list per sentence, e.g. predictions) replaces the sentences' own tags, so gold and
    predicted files line up word for word.
    """
    tag_lists = tags if tags is not None else [sentence.tags for sentence in sentences]
    if len(tag_lists) != len(sentences):
        raise ValueError(f"{len(tag_lists)} tag lists for {len(sentences)} sentences")
    lines: list[str] = []
    for sentence, sentence_tags in zip(sentences, tag_lists, strict=True):
        if len(sentence_tags) != len(sentence.tokens):
            raise ValueError(f"{sentence.source}: {len(sentence_tags)} tags for {len(sentence.tokens)} words")
        lines.extend(f"{token}\t{tag}" for token, tag in zip(sentence.tokens, sentence_tags, strict=True))
        lines.append("")
    Path(path).write_text("\n".join(lines) + ("\n" if lines else ""), encoding="utf-8")
