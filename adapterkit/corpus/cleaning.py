"""Cleaning a corpus: each line normalised (markup stripped, control, format and private-use
characters removed, whitespace collapsed), then empty lines and exact duplicates across all sources
dropped, with the counts of all of it in a ``CleaningReport`` for the console and the manifest.
``read_corpus`` is the in-memory path every command shares; ``clean_corpus`` (``adapterkit corpus
clean``) writes its result to one file, whole or not at all, and shows what changed (``Change``).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
import tempfile
import unicodedata
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..errors import AdapterkitError
from ..overlap import refuse_output_over_input
from .markup import strip_markup
from .reading import SUFFIXES, FileRecord, corpus_files, is_hub, named, raw_lines

SPACE = re.compile(r"\s+")
# Terminal escape sequences (colours, cursor moves, window titles) pasted from a terminal or a log:
# removed whole. Dropping only the ESC character would leave "[31m" in the text.
ANSI_ESCAPE = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]"  # CSI: ESC [ (or C1 CSI) parameters, intermediates, final byte
    r"|(?:\x1b\]|\x9d)[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"  # OSC: ESC ] ... BEL or ST (titles, links)
    r"|\x1b[@-Z\\-_]"  # other two-character escapes
)
# Control (Cc), format (Cf: zero-width spaces, BOM), private use (Co), surrogates (Cs), unassigned (Cn).
DROPPED_CATEGORIES = {"Cc", "Cf", "Co", "Cs", "Cn"}


@dataclass
class CleaningReport:
    """What reading and cleaning did, for the console and the manifest."""

    files: list[FileRecord] = field(default_factory=list)
    lines_read: int = 0
    markup_changed: int = 0  # lines that markup removal (tags, comments, entities...) changed
    lines_with_special_chars: int = 0
    empty_dropped: int = 0
    duplicates_dropped: int = 0
    lines_kept: int = 0

    def summary(self) -> str:
        return (
            f"{self.lines_read} lines read from {len(self.files)} file(s); markup removed in {self.markup_changed}, "
            f"special characters removed in {self.lines_with_special_chars}; dropped {self.empty_dropped} empty "
            f"and {self.duplicates_dropped} duplicate lines; {self.lines_kept} kept"
        )

    def to_dict(self) -> dict:
        return asdict(self)


def clean_line(text: str) -> tuple[str, bool, bool]:
    """The cleaned line, and whether markup / special characters were removed from it."""
    unescaped = ANSI_ESCAPE.sub("", text)
    stripped = strip_markup(unescaped)
    had_markup = stripped != unescaped
    kept = "".join(
        " " if ch in "\t\n\r\f\v" else ch
        for ch in stripped
        if ch in "\t\n\r\f\v" or unicodedata.category(ch) not in DROPPED_CATEGORIES
    )
    had_special = (
        unescaped != text or len(kept) != len(stripped) or "\ufffd" in kept or any(ch in "\f\v" for ch in stripped)
    )
    kept = kept.replace("\ufffd", " ")
    return SPACE.sub(" ", kept).strip(), had_markup, had_special


def read_corpus(
    paths: list[Path],
    text_field: str = "text",
    option: str = "--corpus",
    on_change: Callable[[Path, int, str, str], None] | None = None,
) -> tuple[list[str], CleaningReport]:
    """Cleaned, de-duplicated lines of every corpus file, in file order, and what was dropped.

    ``on_change(path, number, raw, cleaned)`` is called for every line that cleaning changed
    beyond whitespace (``number``: line of a text file, record of a .jsonl file), kept or not.
    """
    report = CleaningReport()
    seen: set[bytes] = set()
    lines: list[str] = []
    for path in corpus_files(paths, option):
        digest = hashlib.sha256()
        count = 0
        meta: dict = {}
        for raw in raw_lines(path, text_field, meta=meta):
            count += 1
            digest.update(raw.encode("utf-8"))
            text, had_markup, had_special = clean_line(raw)
            report.markup_changed += had_markup
            report.lines_with_special_chars += had_special
            if on_change is not None and (had_markup or had_special) and text != SPACE.sub(" ", raw).strip():
                on_change(path, count, raw, text)
            if not text:
                report.empty_dropped += 1
                continue
            key = hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()
            if key in seen:
                report.duplicates_dropped += 1
                continue
            seen.add(key)
            lines.append(text)
        report.files.append(FileRecord(str(path), digest.hexdigest(), count, **meta))
        report.lines_read += count
    report.lines_kept = len(lines)
    if not lines:
        names = ", ".join(record.path for record in report.files)
        raise AdapterkitError(f"{named(option, names)}: no text left after cleaning ({report.summary()})")
    return lines, report


@dataclass
class Change:
    """A line that cleaning changed beyond whitespace, and where it was."""

    path: str
    number: int  # 1-based: the line of a text file, the record of a .jsonl file, the row of .parquet / hf:
    before: str
    after: str

    def describe(self, limit: int = 300) -> str:
        """Three lines for a terminal: where, before (-) and after (+), control characters escaped."""
        name = Path(self.path).name
        unit = "record" if ".jsonl" in name else "row" if is_hub(self.path) or name.endswith(".parquet") else "line"
        before = printable(self.before.rstrip("\r\n"), limit)
        after = printable(self.after, limit) if self.after else "(nothing left: the line is dropped)"
        return f"{self.path} {unit} {self.number}:\n  - {before}\n  + {after}"


def printable(text: str, limit: int = 300) -> str:
    """``text`` safe to print on one terminal line: control, format, private-use, surrogate,
    unassigned and line-separator characters as escapes (``\\x1b``, ``\\u202e``), cut at ``limit``."""
    cut = text[:limit]
    shown = "".join(
        ch.encode("unicode_escape").decode("ascii")
        if ch != " " and (ch.isspace() or unicodedata.category(ch) in DROPPED_CATEGORIES)
        else ch
        for ch in cut
    )
    return shown + (f" … ({len(text) - limit:,} more characters)" if len(text) > limit else "")


def clean_corpus(
    paths: list[Path], out: Path, text_field: str = "text", show_changes: int = 0, force: bool = False
) -> tuple[CleaningReport, list[Change]]:
    """Read and clean ``paths`` exactly as ``pretrain`` does (``read_corpus``) and write the kept
    lines to ``out``; the report, and the first ``show_changes`` lines that cleaning changed.

    ``out`` is written in the format its name says (text lines, or ``{text_field: line}`` records
    for .jsonl; gzip for .gz), so it can be given back as a corpus. It is written to a temporary
    file beside it and renamed into place: an interrupted run leaves no half-written corpus.
    """
    if out.is_dir():
        raise AdapterkitError(f"--output {out}: is a folder; give a file name")
    if not out.name.endswith(SUFFIXES):
        raise AdapterkitError(f"--output {out}: name it .txt, .txt.gz, .jsonl or .jsonl.gz (what a corpus can be)")
    local = [Path(path) for path in paths if not is_hub(path)]  # a dataset id is not a file --out could be
    sources = corpus_files(local, option="") if local else []
    refuse_output_over_input([("--output", out)], [("PATH", source) for source in [*local, *sources]])
    if out.exists() and not force:
        raise AdapterkitError(f"--output {out}: the file exists; add --force to replace it")
    changes: list[Change] = []

    def keep(path: Path, number: int, before: str, after: str) -> None:
        if len(changes) < show_changes:
            changes.append(Change(str(path), number, before, after))

    lines, report = read_corpus(paths, text_field, option="", on_change=keep if show_changes > 0 else None)
    out.parent.mkdir(parents=True, exist_ok=True)  # as every other command makes its output folder
    handle, partial = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".partial")
    try:
        with open(handle, "wb") as raw:
            # mtime=0 and no file name in the gzip header: the same corpus gives the same bytes
            zipped = gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") if out.name.endswith(".gz") else None
            stream = zipped or raw
            for line in lines:
                record = json.dumps({text_field: line}, ensure_ascii=False) if ".jsonl" in out.name else line
                stream.write(record.encode("utf-8") + b"\n")
            if zipped is not None:
                zipped.close()  # writes the gzip trailer; leaves raw open
            raw.flush()
            os.fsync(raw.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(partial, 0o666 & ~umask)  # as a plain open() would create it (mkstemp makes it 0600)
        os.replace(partial, out)
    except OSError as error:
        raise AdapterkitError(f"--output {out}: cannot write ({error})") from None
    finally:
        if os.path.exists(partial):
            os.unlink(partial)
    return report, changes
