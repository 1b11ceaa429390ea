"""Input hygiene shared by the task readers: decoding text files and checking BIO tags.

Real corpora are not clean: MoNERo has ``I-`` tags with no ``B-`` before them (its way of writing
discontinuous entities) and a few empty or lower-case tags. Orphan ``I-X`` tags have one safe reading
(a new entity starts there), so they are always repaired and counted. A malformed tag has no safe
reading, so it stops the run unless the user asks for ``--repair`` (the tag becomes ``O``). Either
way the counts end up in the ``HygieneReport`` recorded with every run.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from ..errors import AdapterkitError
from .data import HygieneReport, NerDataset

VALID_TAG = re.compile(r"O|[BI]-\S+")
MAX_NOTES = 20  # notes kept per kind of repair: enough to find the pattern, not a copy of the file


def decode_line(raw: bytes, source: str) -> str:
    """``raw`` as UTF-8, or an error naming ``source`` (file:line) and the first bad byte."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise AdapterkitError(
            f"{source}: not UTF-8 (byte {raw[error.start]:#04x} at column {error.start + 1}); convert the file to UTF-8"
        ) from None


def decode_text(data: bytes, path: Path) -> str:
    """A whole file as UTF-8 with line endings untouched (character offsets count ``\\r``)."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise AdapterkitError(
            f"{path}:{line}: not UTF-8 (byte {data[error.start]:#04x}); convert the file to UTF-8"
        ) from None


def numbered_lines(path: Path) -> Iterator[tuple[int, str]]:
    """``(line number, line without its line ending)`` for every line of a UTF-8 text file."""
    try:
        with open(path, "rb") as handle:
            for number, raw in enumerate(handle, start=1):
                line = decode_line(raw, f"{path}:{number}").rstrip("\r\n")
                yield number, line.removeprefix("\ufeff") if number == 1 else line
    except OSError as error:
        raise AdapterkitError(f"{path}: cannot read ({error})") from None


def add_note(report: HygieneReport, count: int, note: str) -> None:
    """Keep ``note`` if it is one of the first ``MAX_NOTES`` of its kind (``count`` includes it)."""
    if count <= MAX_NOTES:
        report.notes.append(note)


def check_tags(tags: list[str], sources: list[str], report: HygieneReport, repair: bool) -> list[str]:
    """The BIO tags of one sentence, checked and repaired.

    ``sources`` names each tag's place (``file:line``) for messages. Malformed tags raise
    ``AdapterkitError`` unless ``repair`` (then they become ``O``); an ``I-X`` not preceded by
    ``B-X``/``I-X`` becomes ``B-X``. Both repairs are counted in ``report``.
    """
    checked: list[str] = []
    previous = "O"
    for tag, source in zip(tags, sources, strict=True):
        if not VALID_TAG.fullmatch(tag):
            if not repair:
                raise AdapterkitError(
                    f"{source}: malformed tag {tag!r} (expected O, B-TYPE or I-TYPE); fix the file or pass --repair"
                )
            report.malformed_repaired += 1
            add_note(report, report.malformed_repaired, f"{source}: malformed tag {tag!r} repaired to 'O'")
            tag = "O"
        elif tag.startswith("I-") and previous[2:] != tag[2:]:
            report.orphan_i_repaired += 1
            add_note(report, report.orphan_i_repaired, f"{source}: orphan {tag!r} after {previous!r} repaired to B-")
            tag = "B-" + tag[2:]
        checked.append(tag)
        previous = tag
    return checked


def entity_types(tag_lists: list[list[str]]) -> list[str]:
    """The sorted entity types used by some BIO tags."""
    return sorted({tag[2:] for tags in tag_lists for tag in tags if tag != "O"})


def validate_types(dataset: NerDataset, allowed: set[str] | None) -> None:
    """Stop on an entity type outside ``allowed`` (a model's or a task's label set); ``None`` allows all.

    A type the model was not trained on would otherwise be silently scored as a miss.
    """
    if allowed is None:
        return
    for sentence in dataset.sentences:
        for position, (token, tag) in enumerate(zip(sentence.tokens, sentence.tags, strict=True), start=1):
            kind = tag[2:]
            if tag != "O" and kind not in allowed:
                raise AdapterkitError(
                    f"{sentence.source}: unknown entity type {kind!r} (word {position}, {token!r}); "
                    f"expected one of {', '.join(sorted(allowed)) or '(none)'}: fix the data or the label set"
                )


def merge_reports(reports: list[HygieneReport]) -> HygieneReport:
    """One report for several files read together."""
    merged = HygieneReport()
    for report in reports:
        merged.orphan_i_repaired += report.orphan_i_repaired
        merged.malformed_repaired += report.malformed_repaired
        merged.discontinuous_spans += report.discontinuous_spans
        merged.overlapping_dropped += report.overlapping_dropped
        merged.notes.extend(report.notes)
    return merged
