"""BRAT standoff: ``<doc>.txt`` with ``<doc>.ann`` entity lines, turned into BIO sentences and back.

Only text-bound annotations (``T`` lines) are entities; other lines (``#`` notes, ``A``/``R``/``E``/
``N``...) are ignored, except with the ``mantra`` preset: the Mantra GSC writes a UMLS CUI as the
entity type and the semantic group (DISO, CHEM, ANAT, ...) as the last quoted field of the entity's
``AnnotatorNotes`` line, and that group becomes the type. BIO holds one entity per word, so:

- a discontinuous entity (``start end;start end``) is tagged as one entity per fragment and counted;
- of overlapping or nested entities the earlier-starting (on ties the longer) one is kept and the
  others are counted and noted as dropped.

Every entity is kept in ``NerDataset.gold`` as written (``in_bio`` says whether the BIO labels hold
it exactly), so evaluation scores against all of them (``scoring.py``).

Words keep their character offsets in the document: the text is cut into ``\\w+`` runs and single
punctuation marks; sentences end at line breaks and after ``.``/``!``/``?`` followed by whitespace.
Two segmentations exist:

- ``text`` (prediction and evaluation): from the text alone, so what a model is asked to label never
  depends on the gold (a ``.txt`` gives the same words and sentences with or without its ``.ann``);
- ``gold`` (training labels): words are also cut at every kept entity's start and end, and sentences
  never end inside an entity, so every entity boundary is a word boundary and ``spans_from_bio``
  gives back exactly the annotated offsets.

Sentences are never cut to a tokenizer's length: long ones are windowed at encoding
(``encode.py``), so the items (and folds) are the same for every tokenizer.
"""

from __future__ import annotations

import bisect
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from ..choices import BRAT_PRESETS as PRESETS
from ..errors import AdapterkitError, printable
from .data import Entity, HygieneReport, NerDataset, Sentence
from .hygiene import add_note, decode_text, numbered_lines

WORD = re.compile(r"\w+|[^\w\s]")
FRAGMENT = re.compile(r"(-?\d+) (-?\d+)")
QUOTED = re.compile(r'"([^"]*)"')
SEGMENTATIONS = ("gold", "text")  # gold: for training labels; text: for prediction and evaluation
SENTENCE_END = {".", "!", "?", "…"}
__all__ = ["Entity", "ann_text", "parse_ann", "read_brat", "read_raw_text", "spans_from_bio", "write_ann"]


@dataclass
class _Span:
    kind: str
    start: int
    end: int
    source: str
    entity: Entity


def _parse_t_line(line: str, source: str) -> tuple[str, list[tuple[int, int]]]:
    fields = line.split("\t")
    kind, _, positions = fields[1].partition(" ") if len(fields) >= 2 else ("", "", "")
    fragments = [FRAGMENT.fullmatch(part.strip()) for part in positions.split(";")]
    if not kind or not all(fragments):
        raise AdapterkitError(
            f"{source}: not a BRAT entity line (expected 'T1<TAB>TYPE start end[;start end]<TAB>text'); fix the line"
        )
    return kind, [(int(match[1]), int(match[2])) for match in fragments if match]


def _bad_fragment(start: int, end: int, length: int) -> str | None:
    if start < 0 or end < 0:
        return "a negative offset"
    if start >= end:
        return "start not before end"
    if end > length:
        return f"an offset past the end of the text ({length} characters)"
    return None


def warn_duplicate_ids(path: Path, lines: list[tuple[int, str]]) -> list[str]:
    """Print one warning line (stderr) naming ``path`` when an entity id (``T3``) is used on several lines.

    BRAT tools key entities by id: a second ``T3`` overwrites the first in brat itself, and notes
    (``AnnotatorNotes T3``) then point at one of them. Both entities are kept here; the warning says so.
    Returns the ids used more than once.
    """
    seen: dict[str, int] = {}
    twice: dict[str, tuple[int, int]] = {}
    for number, line in lines:
        if line.startswith("T"):
            entity_id = line.split("\t", 1)[0].strip()
            if entity_id in seen and entity_id not in twice:
                twice[entity_id] = (seen[entity_id], number)
            seen.setdefault(entity_id, number)
    if twice:
        first, (a, b) = next(iter(twice.items()))
        more = f" and {len(twice) - 1} more id(s)" if len(twice) > 1 else ""
        print(
            printable(
                f"warning: {path}: entity id {first} is used twice (lines {a} and {b}){more}; both entities are "
                "kept, but BRAT tools and AnnotatorNotes see one: give each entity its own id"
            ),
            file=sys.stderr,
        )
    return list(twice)


def _note_groups(lines: list[tuple[int, str]]) -> dict[str, str]:
    """``T`` id -> the last quoted field of its ``AnnotatorNotes`` line (``CHEM|PHEN``: the first group)."""
    groups = {}
    for _, line in lines:
        fields = line.split("\t")
        if line.startswith("#") and len(fields) >= 3 and fields[1].startswith("AnnotatorNotes "):
            quoted = QUOTED.findall(fields[2])
            if quoted and quoted[-1].strip():
                groups[fields[1].split(" ", 1)[1].strip()] = quoted[-1].split("|")[0].strip()
    return groups


def parse_ann(
    path: Path, text: str, report: HygieneReport | None = None, repair: bool = False, preset: str = "auto"
) -> list[Entity]:
    """The entities of an ``.ann`` file, their offsets checked against ``text``.

    An impossible fragment raises ``AdapterkitError``; with ``repair`` its entity is dropped instead
    and counted in ``report.malformed_repaired`` (its words become ``O``). With ``preset="mantra"``
    the type is the group in the entity's ``AnnotatorNotes`` line (an entity without one is an error,
    or dropped with ``repair``).
    """
    report = report if report is not None else HygieneReport()
    lines = list(numbered_lines(path))
    warn_duplicate_ids(path, lines)
    groups = _note_groups(lines) if preset == "mantra" else {}
    entities = []
    for number, line in lines:
        if not line.startswith("T"):
            continue
        source = f"{path}:{number}"
        kind, fragments = _parse_t_line(line, source)
        if preset == "mantra":
            entity_id = line.split("\t", 1)[0]
            if entity_id not in groups:
                if not repair:
                    raise AdapterkitError(
                        f"{source}: entity {entity_id} has no AnnotatorNotes group (--preset mantra); "
                        "add the note or pass --repair to drop it"
                    )
                report.malformed_repaired += 1
                add_note(report, report.malformed_repaired, f"{source}: {entity_id} without a group dropped")
                continue
            kind = groups[entity_id]
        problems = [problem for start, end in fragments if (problem := _bad_fragment(start, end, len(text)))]
        if problems and not repair:
            raise AdapterkitError(f"{source}: entity {kind} has {problems[0]}; fix the offsets or pass --repair")
        if problems:
            report.malformed_repaired += 1
            add_note(report, report.malformed_repaired, f"{source}: entity {kind} with {problems[0]} dropped")
            continue
        entities.append(Entity(kind, fragments, source))
    return entities


def _kept_spans(entities: list[Entity], report: HygieneReport) -> list[_Span]:
    """One span per fragment, overlaps resolved: earlier start wins, then the longer span.

    An entity the kept spans cannot hold exactly (several fragments, or a fragment dropped) gets
    ``in_bio = False``.
    """
    spans = []
    for entity in entities:
        if len(entity.fragments) > 1:
            entity.in_bio = False
            report.discontinuous_spans += 1
            add_note(
                report,
                report.discontinuous_spans,
                f"{entity.source}: discontinuous {entity.kind} tagged as {len(entity.fragments)} entities",
            )
        spans.extend(_Span(entity.kind, start, end, entity.source, entity) for start, end in entity.fragments)
    kept: list[_Span] = []
    for span in sorted(spans, key=lambda s: (s.start, -(s.end - s.start))):
        if kept and span.start < kept[-1].end:
            span.entity.in_bio = False
            report.overlapping_dropped += 1
            add_note(
                report,
                report.overlapping_dropped,
                f"{span.source}: {span.kind} {span.start}-{span.end} overlaps {kept[-1].kind} "
                f"{kept[-1].start}-{kept[-1].end}; dropped (BIO holds one entity per word)",
            )
            continue
        kept.append(span)
    return kept


def words_with_offsets(text: str, cuts: list[int]) -> list[tuple[int, int]]:
    """Word spans of ``text``: ``\\w+`` runs and punctuation marks, also cut at every offset in ``cuts``."""
    boundaries = sorted(set(cuts))
    words = []
    for match in WORD.finditer(text):
        start, end = match.span()
        inner = boundaries[bisect.bisect_right(boundaries, start) : bisect.bisect_left(boundaries, end)]
        for cut in [*inner, end]:
            words.append((start, cut))
            start = cut
    return words


def _tags(words: list[tuple[int, int]], spans: list[_Span], report: HygieneReport) -> list[str]:
    """BIO tags for words whose boundaries include every span boundary."""
    starts = [start for start, _ in words]
    tags = ["O"] * len(words)
    for span in spans:
        first, last = bisect.bisect_left(starts, span.start), bisect.bisect_left(starts, span.end)
        if first == last:  # only whitespace inside: no word to tag
            span.entity.in_bio = False
            add_note(report, 0, f"{span.source}: {span.kind} {span.start}-{span.end} covers no word; not tagged")
            continue
        tags[first:last] = [f"B-{span.kind}"] + [f"I-{span.kind}"] * (last - first - 1)
    return tags


def _overlap_tags(words: list[tuple[int, int]], spans: list[_Span]) -> list[str]:
    """BIO tags on the gold-free words: a word takes the type of a kept span it overlaps.

    They only show the gold on the words a model sees; evaluation of documents scores character
    spans against ``NerDataset.gold``, not these tags.
    """
    ends = [end for _, end in words]
    tags = ["O"] * len(words)
    for span in spans:
        first = last = bisect.bisect_right(ends, span.start)
        while last < len(words) and words[last][0] < span.end:
            last += 1
        if last > first:
            tags[first:last] = [f"B-{span.kind}"] + [f"I-{span.kind}"] * (last - first - 1)
    return tags


def _sentence_bounds(text: str, words: list[tuple[int, int]], tags: list[str] | None) -> list[tuple[int, int]]:
    """(first, last + 1) word indices of each sentence: cut at line breaks and sentence-final punctuation.

    With ``tags`` (the gold segmentation) no sentence starts inside an entity.
    """
    bounds, first = [], 0
    for index in range(1, len(words)):
        previous_start, previous_end = words[index - 1]
        gap = text[previous_end : words[index][0]]
        ends = "\n" in gap or "\r" in gap or (text[previous_start:previous_end] in SENTENCE_END and gap.isspace())
        if ends and (tags is None or not tags[index].startswith("I-")):
            bounds.append((first, index))
            first = index
    if words:
        bounds.append((first, len(words)))
    return bounds


def _read_text(txt: Path) -> str:
    try:
        return decode_text(txt.read_bytes(), txt)
    except OSError as error:
        raise AdapterkitError(f"{txt}: cannot read ({error})") from None


def _sentences(
    txt: Path, text: str, words: list[tuple[int, int]], tags: list[str], inside_entities: bool
) -> list[Sentence]:
    """The sentences of one document; ``inside_entities`` False: never end a sentence inside an entity."""
    line_starts = [0] + [match.end() for match in re.finditer(r"\n", text)]
    sentences = []
    for first, last in _sentence_bounds(text, words, None if inside_entities else tags):
        offsets = words[first:last]
        line = bisect.bisect_right(line_starts, offsets[0][0])
        tokens = [text[start:end] for start, end in offsets]
        sentences.append(Sentence(tokens, tags[first:last], txt.stem, f"{txt}:{line}", offsets))
    return sentences


def _document(
    txt: Path, ann: Path, report: HygieneReport, repair: bool, preset: str = "auto", segmentation: str = "gold"
) -> tuple[str, list[Sentence], list[Entity]]:
    """The text, sentences and entities (all of them, as annotated) of one BRAT document."""
    text = _read_text(txt)
    entities = parse_ann(ann, text, report, repair, preset)
    spans = _kept_spans(entities, report)
    gold_words = words_with_offsets(text, [offset for span in spans for offset in (span.start, span.end)])
    gold_tags = _tags(gold_words, spans, report)  # also marks the entities that cover no word
    if segmentation == "gold":
        return text, _sentences(txt, text, gold_words, gold_tags, inside_entities=False), entities
    words = words_with_offsets(text, [])
    return text, _sentences(txt, text, words, _overlap_tags(words, spans), inside_entities=True), entities


def brat_documents(paths: list[Path]) -> list[tuple[Path, Path]]:
    """(``.txt``, ``.ann``) pairs named by ``paths``: folders (searched recursively) or either file of a pair."""
    anns: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            found = sorted(path.rglob("*.ann"))
            if not found:
                raise AdapterkitError(f"{path}: the folder holds no .ann files; BRAT data is <doc>.txt + <doc>.ann")
            anns.extend(found)
        elif path.is_file() and path.suffix in (".ann", ".txt"):
            anns.append(path.with_suffix(".ann"))
        else:
            raise AdapterkitError(f"{path}: no such BRAT folder or .ann/.txt file")
    pairs = []
    for ann in dict.fromkeys(anns):  # a document named twice (by its .txt and its .ann) is read once
        txt = ann.with_suffix(".txt")
        if not (ann.is_file() and txt.is_file()):
            raise AdapterkitError(
                f"{ann.with_suffix('')}: BRAT needs both {txt.name} and {ann.name}; add the missing one"
            )
        pairs.append((txt, ann))
    return pairs


def read_brat(paths: list[Path], repair: bool = False, preset: str = "auto", segmentation: str = "gold") -> NerDataset:
    """BRAT documents as BIO sentences with document-relative offsets; ``documents`` holds each text
    and ``gold`` every entity as annotated.

    ``preset`` is ``auto`` (types from the ``T`` lines) or ``mantra`` (types from the notes);
    ``segmentation`` is ``gold`` (training labels) or ``text`` (evaluation; see the module docstring).
    """
    if preset not in PRESETS:
        raise AdapterkitError(f"--preset {preset!r} does not apply to BRAT data; use one of {', '.join(PRESETS)}")
    if segmentation not in SEGMENTATIONS:
        raise ValueError(f"segmentation {segmentation!r}: one of {', '.join(SEGMENTATIONS)}")
    report = HygieneReport()
    documents: dict[str, str] = {}
    gold: dict[str, list[Entity]] = {}
    sentences: list[Sentence] = []
    for txt, ann in brat_documents(paths):
        if txt.stem in documents:
            raise AdapterkitError(f"{txt}: a second document named {txt.stem!r}; document names must be unique")
        text, document_sentences, entities = _document(txt, ann, report, repair, preset, segmentation)
        documents[txt.stem] = text
        gold[txt.stem] = entities
        sentences.extend(document_sentences)
    types = sorted({entity.kind for entities in gold.values() for entity in entities})
    return NerDataset(sentences, types, documents, report, gold)


def text_files(paths: list[Path]) -> list[Path]:
    """The ``.txt`` files named by ``paths``: folders (searched recursively, sorted), ``.txt`` or ``.ann`` files."""
    files: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            found = sorted(path.rglob("*.txt"))
            if not found:
                raise AdapterkitError(f"{path}: the folder holds no .txt files to label")
            odd = next((file for file in found if not file.is_file() and not file.is_dir()), None)
            if odd is not None:  # reading a named pipe would wait forever
                raise AdapterkitError(f"{odd}: not a regular file (a named pipe or a device); remove it")
            files.extend(file for file in found if file.is_file())
        else:
            txt = path.with_suffix(".txt") if path.suffix == ".ann" else path
            if not txt.is_file():
                raise AdapterkitError(f"{txt}: no such text file; name a .txt file or a folder of them")
            files.append(txt)
    return list(dict.fromkeys(files))


def read_raw_text(paths: list[Path]) -> NerDataset:
    """Plain text documents (``.txt``; any ``.ann`` beside them is ignored) as unlabelled sentences.

    Words and sentences are exactly those of ``read_brat(..., segmentation="text")`` on the same
    text, so predictions on a ``.txt`` never depend on whether its ``.ann`` is beside it.
    """
    documents: dict[str, str] = {}
    sentences: list[Sentence] = []
    for txt in text_files(paths):
        if txt.stem in documents:
            raise AdapterkitError(f"{txt}: a second document named {txt.stem!r}; document names must be unique")
        text = _read_text(txt)
        words = words_with_offsets(text, [])
        documents[txt.stem] = text
        sentences.extend(_sentences(txt, text, words, ["O"] * len(words), inside_entities=True))
    return NerDataset(sentences, [], documents)


def spans_from_bio(sentence: Sentence, tags: list[str]) -> list[tuple[str, int, int]]:
    """(type, start, end) character spans of the entities in ``tags`` over ``sentence``'s words.

    An entity runs from its first word's start to its last word's end, in document offsets.
    """
    from seqeval.metrics.sequence_labeling import get_entities  # here: seqeval imports scikit-learn (0.6 s)

    if sentence.offsets is None:
        raise ValueError(f"{sentence.source}: the sentence has no character offsets")
    if len(tags) != len(sentence.offsets):
        raise ValueError(f"{sentence.source}: {len(tags)} tags for {len(sentence.offsets)} words")
    return [
        (kind, sentence.offsets[first][0], sentence.offsets[last][1]) for kind, first, last in get_entities(list(tags))
    ]


def ann_text(text: str, spans: list[tuple[str, int, int]]) -> str:
    """``T`` lines for ``spans`` in offset order; line breaks in the covered text are written as spaces."""
    lines = [
        f"T{number}\t{kind} {start} {end}\t{' '.join(text[start:end].splitlines())}"
        for number, (kind, start, end) in enumerate(sorted(spans, key=lambda s: (s[1], s[2], s[0])), start=1)
    ]
    return "".join(line + "\n" for line in lines)


def write_ann(path: Path, text: str, spans: list[tuple[str, int, int]]) -> None:
    """An ``.ann`` file of ``spans`` over ``text`` (``ann_text``)."""
    Path(path).write_text(ann_text(text, spans), encoding="utf-8")
