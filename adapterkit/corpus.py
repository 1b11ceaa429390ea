"""Domain corpora: read, clean, tokenize and cut into training blocks.

Input: plain-text files (one sentence or coherent chunk per line), ``.txt`` or ``.txt.gz``,
``.jsonl`` / ``.jsonl.gz`` with a text field, ``.parquet`` with a text column, or folders of them
(read recursively, sorted); or ``hf:NAME[:SPLIT]``, a Hugging Face dataset by id (its text column;
split ``train`` by default), loaded from the local cache or the Hub, streamed with ``--streaming``.

Cleaning follows the source study: markup stripped (see ``strip_markup``: real tags, comments,
CDATA wrappers, processing instructions and declarations; entities unescaped), control, format
and private-use characters removed, whitespace collapsed, then empty lines and exact duplicates
(across all files) dropped. The counts of what was changed and dropped are reported. A ``<`` or
``>`` that is not part of real markup is text: clinical notes are full of comparisons
(``glucose <5.6``, ``PSA < 4``, ``a<b>c``) and arrows (``->``, ``<<``, ``=>``).

Blocks (see ``tokenize``):
- ``packed`` (default): each map batch of lines is tokenized, joined with [SEP] after every
  line, and cut into blocks of ``max_seq_len`` that start with [CLS]. The last, shorter block
  of a batch is kept (``run_mlm.py``'s ``group_texts`` drops it), so no token is lost. Lines
  packed into one block attend to each other, as in BERT's own pre-training.
- ``line``: one line per example, dynamically padded; a line longer than ``max_seq_len`` is
  continued in further examples instead of being cut off.
"""

from __future__ import annotations

import glob
import gzip
import hashlib
import html
import html.entities
import json
import os
import random
import re
import tempfile
import unicodedata
import zlib
from array import array
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
from datasets import Dataset, DatasetDict, IterableDataset

from . import __version__
from .choices import BLOCK_MODES
from .errors import AdapterkitError
from .paths import cache_dir

SUFFIXES = (".txt", ".txt.gz", ".jsonl", ".jsonl.gz")  # what a corpus is read from and written to
READ_SUFFIXES = (*SUFFIXES, ".parquet")  # read only: `corpus clean` writes line-oriented text
HUB_PREFIX = "hf:"
PARQUET_BATCH = 10_000  # rows per Parquet read: memory stays bounded for corpora larger than memory
MAX_LINE_BYTES = 8 * 1024 * 1024  # longer "lines" are minified or binary data, not text
SPACE = re.compile(r"\s+")
# Control (Cc), format (Cf: zero-width spaces, BOM), private use (Co), surrogates (Cs), unassigned (Cn).
DROPPED_CATEGORIES = {"Cc", "Cf", "Co", "Cs", "Cn"}


@dataclass
class FileRecord:
    """One corpus source as the manifest records it. ``sha256`` is of the text read (file lines,
    .jsonl/.parquet text fields, hf: dataset rows); for ``hf:NAME:SPLIT`` ``fingerprint`` is the
    datasets fingerprint of the loaded split, when datasets gives one (not when streaming)."""

    path: str
    sha256: str
    lines: int
    fingerprint: str | None = None

    def to_dict(self) -> dict:
        return {key: value for key, value in asdict(self).items() if value is not None}


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


def _named(option: str, path: object) -> str:
    """How an error names a corpus path: after its option, or alone for a positional argument."""
    return f"{option} {path}" if option else str(path)


def corpus_files(paths: list[Path], option: str = "--corpus") -> list[Path]:
    """The corpus files named by ``paths`` (files, or folders searched recursively).

    ``option``: the option the paths came from, for the error messages ("" for arguments).
    """
    if not paths:
        raise AdapterkitError(
            "no corpus given: add --corpus PATH (a file or a folder of .txt/.jsonl/.parquet files, or hf:NAME)"
        )
    files: list[Path] = []
    for path in paths:
        if is_hub(path):
            name, split = hub_spec(path)
            if not name:
                raise AdapterkitError(f"{_named(option, path)}: no dataset id; write hf:NAME or hf:NAME:SPLIT")
            files.append(Path(f"{HUB_PREFIX}{name}:{split}"))  # the split always named, for the manifest
            continue
        if not path.exists() and any(ch in str(path) for ch in "*?["):
            # A quoted glob (launchers and recipes pass it unexpanded): its matches, sorted.
            matches = sorted(Path(p) for p in glob.glob(str(path), recursive=True))
            if not matches:
                raise AdapterkitError(f"{_named(option, path)}: the pattern matches no file")
            files.extend(corpus_files(matches, option))
            continue
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.is_file() and p.name.endswith(READ_SUFFIXES))
            if not found:
                raise AdapterkitError(f"{_named(option, path)}: the folder holds no {', '.join(READ_SUFFIXES)} files")
            files.extend(found)
        elif path.is_file():
            if not path.name.endswith(READ_SUFFIXES):
                raise AdapterkitError(
                    f"{_named(option, path)}: unsupported file type; use {', '.join(READ_SUFFIXES)} or hf:NAME"
                )
            files.append(path)
        else:
            raise AdapterkitError(f"{_named(option, path)}: no such file or folder")
    return files


def is_hub(path: Path | str) -> bool:
    return str(path).startswith(HUB_PREFIX)


def hub_spec(path: Path | str) -> tuple[str, str]:
    """``hf:NAME[:SPLIT]`` as (NAME, SPLIT); the split is ``train`` when not given."""
    name, _, split = str(path).removeprefix(HUB_PREFIX).partition(":")
    return name, split or "train"


def load_hub_dataset(name: str, split: str, streaming: bool):
    """The seam through which every hf: corpus is loaded (tests replace it): a ``Dataset``, or an
    ``IterableDataset`` when streaming (rows read as training reads them, never all in memory)."""
    from datasets import load_dataset

    return load_dataset(name, split=split, streaming=streaming)


def _hub_offline() -> bool:
    from huggingface_hub import constants

    return bool(constants.HF_HUB_OFFLINE)


def _hub_lines(spec: str, text_field: str, streaming: bool, meta: dict | None) -> Iterator[str]:
    name, split = hub_spec(spec)
    try:
        dataset = load_hub_dataset(name, split, streaming)
    except Exception as error:  # offline, unknown id or split, gated: datasets raises many kinds
        if _hub_offline():
            raise AdapterkitError(
                f"{spec}: the Hugging Face Hub is unreachable (HF_HUB_OFFLINE is set) and this dataset "
                "is not in the local cache; load it once online, or export it to a .parquet file and pass that"
            ) from None
        reason = (str(error).splitlines() or [""])[0][:160]
        raise AdapterkitError(
            f"{spec}: cannot load this Hugging Face dataset ({type(error).__name__}: {reason}); "
            "check the id and split, or export it to a .parquet file and pass that"
        ) from None
    columns = dataset.column_names
    if columns is not None and text_field not in columns:
        raise AdapterkitError(
            f"{spec}: no column {text_field!r} (columns: {', '.join(columns)}); "
            "set --text-field to the column that holds the text"
        )
    if meta is not None and getattr(dataset, "_fingerprint", None):
        meta["fingerprint"] = dataset._fingerprint
    for number, row in enumerate(dataset, start=1):
        text = row.get(text_field)
        if not isinstance(text, str):
            if text_field not in row:
                raise AdapterkitError(
                    f"{spec}: no column {text_field!r} (columns: {', '.join(row)}); "
                    "set --text-field to the column that holds the text"
                )
            raise AdapterkitError(f"{spec}: row {number}: {text_field!r} is not a string ({text!r:.40})")
        yield text


def _parquet_lines(path: Path, text_field: str) -> Iterator[str]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(path)
        columns = parquet.schema_arrow.names
        if text_field not in columns:
            raise AdapterkitError(
                f"{path}: no column {text_field!r} (columns: {', '.join(columns)}); "
                "set --text-field to the column that holds the text"
            )
        number = 0
        for batch in parquet.iter_batches(batch_size=PARQUET_BATCH, columns=[text_field]):
            for text in batch.column(0).to_pylist():
                number += 1
                if not isinstance(text, str):
                    raise AdapterkitError(f"{path}: row {number}: {text_field!r} is not a string ({text!r:.40})")
                yield text
    except (OSError, pa.ArrowException) as error:
        reason = (str(error).splitlines() or [""])[0][:160]
        raise AdapterkitError(f"{path}: cannot read as Parquet ({type(error).__name__}: {reason})") from None


def _raw_lines(path: Path, text_field: str, streaming: bool = False, meta: dict | None = None) -> Iterator[str]:
    """The raw text of one source: lines of a text file, the text field of each .jsonl record or
    .parquet row, the text column of each row of an hf: dataset (streamed when ``streaming``).
    ``meta`` receives what identifies the source besides its text (an hf: fingerprint)."""
    if is_hub(path):
        yield from _hub_lines(str(path), text_field, streaming, meta)
        return
    if path.name.endswith(".parquet"):
        yield from _parquet_lines(path, text_field)
        return
    opener = gzip.open if path.name.endswith(".gz") else open
    is_jsonl = ".jsonl" in path.name
    try:
        with opener(path, "rb") as handle:
            # readline with a limit: a file without line breaks is refused without reading it whole
            for number, raw in enumerate(iter(lambda: handle.readline(MAX_LINE_BYTES + 1), b""), start=1):
                if len(raw) > MAX_LINE_BYTES:
                    raise AdapterkitError(
                        f"{path}:{number}: a line of more than {MAX_LINE_BYTES:,} bytes; this is not line-oriented "
                        "text: put one paragraph or sentence per line"
                    )
                if b"\x00" in raw:
                    raise AdapterkitError(f"{path}:{number}: NUL byte: this looks like a binary file, not text")
                try:
                    line = raw.decode("utf-8")
                except UnicodeDecodeError as error:
                    raise AdapterkitError(
                        f"{path}:{number}: not UTF-8 (byte {raw[error.start]:#04x} at column {error.start + 1}); "
                        "convert the file to UTF-8"
                    ) from None
                if not is_jsonl:
                    yield line
                    continue
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                except json.JSONDecodeError as error:
                    raise AdapterkitError(f"{path}:{number}: invalid JSON ({error.msg})") from None
                text = record.get(text_field) if isinstance(record, dict) else None
                if not isinstance(text, str):
                    raise AdapterkitError(
                        f"{path}:{number}: no string field {text_field!r}; "
                        "set --text-field to the field that holds the text"
                    )
                yield text
    except (OSError, EOFError, gzip.BadGzipFile, zlib.error) as error:
        raise AdapterkitError(f"{path}: cannot read ({error})") from None


# Markup ---------------------------------------------------------------------------------------
#
# Only real markup is removed; every other "<" and ">" is text. A tag is a name (a letter, then
# name characters) right after "<" or "</", optional attributes, then ">". That shape alone is
# not enough: "a<b>c" and "if a<b and c>d" have it and are comparisons. So a tag counts as
# markup when its markup nature is evident:
#   - a closing tag "</name>", a self-closing tag "<name .../>", or a tag with at least one
#     attribute that has a value ('<span class="x">', "<font size=2>");
#   - a void element of running text ("<br>", "<hr noshade>"): it never has a closing tag;
#   - any "<name ...>" whose closing "</name>" follows on the same line ("<dx>...</dx>");
#   - a bare "<name>" (no attributes) whose name is an HTML element that marks up running text
#     (TEXT_ELEMENTS: "<p>", "<td>", "<B>"), except a one-letter name right after a letter or
#     digit: "a<b>c", "p<i>q" are read as comparisons, "x <b>..." as bold.
# Everything else stays: a tag with only valueless attributes and no closing tag ("<b and c>" in
# "if a<b and c>d"; an unclosed "<td nowrap>" too), and unknown bare names: "<PATIENT>",
# "<PERSOON-1>" (the placeholders DEDUCE writes into de-identified Dutch notes), "<pH>". The cost
# is asymmetric: a stray "<p>" left in costs one noise token, a dropped comparison loses content.
# Comments, CDATA (its text kept, literally), processing instructions ("<?xml ...?>") and
# declarations ("<!DOCTYPE ...>") are removed when they are complete on the line.

_NAME = r"[A-Za-z][A-Za-z0-9_:.-]*"
_ATTRIBUTE = r"""\s+[A-Za-z_:][A-Za-z0-9_:.-]*(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?"""
# Matched at a "<": a closing tag, or an opening tag (its attributes cannot hold a "<" outside
# quotes, so a failed try stops at the next "<").
TAG = re.compile(rf"</(?P<close>{_NAME})\s*>|<(?P<name>{_NAME})(?P<attributes>(?:{_ATTRIBUTE})*)\s*(?P<slash>/?)>")
DECLARATION = re.compile(r"<!(?:DOCTYPE|ELEMENT|ATTLIST|ENTITY|NOTATION)\b[^<>]*>", re.IGNORECASE)
CLOSING_TAG = re.compile(rf"</({_NAME})\s*>")
# (opener, terminator) of the constructs removed whole, and whether their content is kept as text.
DELIMITED = (("<!--", "-->", False), ("<![CDATA[", "]]>", True), ("<?", "?>", False))
# Entities with their semicolon only: "R&D", "&not" or "5&micro" in prose stay as written
# (html.unescape alone would turn "a&notb" into "a¬b").
ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6}|[A-Za-z][A-Za-z0-9]{0,31});")
# Void elements of running text: never closed, so never "closed on the line". (The other void
# elements, "<meta>", "<link>", "<input>", "<source>"..., carry attributes when they are markup.)
VOID_ELEMENTS = frozenset({"br", "hr", "img", "wbr"})
# Elements that mark up running text in HTML exports (and old upper-case HTML). Left out on
# purpose: elements named like words used as placeholders ("time", "address", "data", "label",
# "title", "code", "source", "input", "section", "summary"), and "<a>" / "<s>" (without an href
# an "<a>" marks nothing; "<s>" is also a sentence-start token). Those count as markup only with
# a valued attribute or when closed on the line.
TEXT_ELEMENTS = VOID_ELEMENTS | frozenset(
    {
        *("b", "big", "blockquote", "body", "center", "dd", "div", "dl", "dt", "em", "font", "head", "html"),
        *("h1", "h2", "h3", "h4", "h5", "h6", "i", "li", "nobr", "ol", "p", "pre", "small", "span", "strike"),
        *("strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "tt", "u", "ul"),
    }
)


def _entity(match: re.Match) -> str:
    text = match.group()
    if text[1] == "#":
        return html.unescape(text)  # numeric: out-of-range code points become U+FFFD
    return html.entities.html5.get(text[1:], text)  # unknown names ("&foo;") stay


def _is_markup(match: re.Match, text: str, closers: dict[str, int]) -> bool:
    """Whether a tag-shaped match is real markup (the rules above)."""
    if match["close"]:
        return True
    name = match["name"].lower()
    if match["slash"] or "=" in match["attributes"] or name in VOID_ELEMENTS:
        return True
    if closers.get(name, -1) >= match.end():
        return True
    if match["attributes"] or name not in TEXT_ELEMENTS:
        return False
    glued = match.start() > 0 and text[match.start() - 1].isalnum()
    return not (len(name) == 1 and glued)


def _find(text: str, terminator: str, start: int, found: dict[str, int]) -> int:
    """``text.find(terminator, start)``, remembered: with many unterminated openers on a long
    line, each search would otherwise rescan to the end (quadratic)."""
    index = found.get(terminator)
    if index is None or (index != -1 and index < start):
        index = found[terminator] = text.find(terminator, start)
    return index


def _markup_at(text: str, start: int, closers: dict[str, int], found: dict[str, int]) -> tuple[int, str] | None:
    """The end of the markup that starts at ``text[start] == "<"`` and what replaces it, or None."""
    for opener, terminator, keeps_content in DELIMITED:
        if text.startswith(opener, start):
            if opener == "<?" and not text[start + 2 : start + 3].isalpha():
                return None  # "<?" not followed by a target name: not a processing instruction
            end = _find(text, terminator, start + len(opener), found)
            if end == -1:
                return None  # not complete on this line: text
            return end + len(terminator), text[start + len(opener) : end] if keeps_content else " "
    if text.startswith("<!", start):
        declaration = DECLARATION.match(text, start)
        return (declaration.end(), " ") if declaration else None
    tag = TAG.match(text, start)
    if tag and _is_markup(tag, text, closers):
        return tag.end(), " "
    return None


def strip_markup(text: str) -> str:
    """``text`` without its markup, entities unescaped; every other ``<`` and ``>`` kept.

    Removed (replaced by a space, so words on either side stay apart): closing tags,
    self-closing tags, tags with valued attributes, void elements, tags closed later on the
    line, bare text-markup elements (``<p>``, ``<td>``; not a one-letter name glued to a
    letter or digit: ``a<b>c`` is a comparison), comments, processing instructions and
    declarations. CDATA keeps its text, literally. Entities with a semicolon are unescaped
    after the tags are removed, outside CDATA, so ``&lt;b&gt;`` ends as the text ``<b>``.
    Kept: comparisons and arrows (``<5.6``, ``< 4``, ``x<y``, ``<-``, ``<<``, ``<=``, ``<>``),
    unknown bare names (``<PATIENT>``), and markup not complete on the line.
    """
    if "<" not in text and "&" not in text:
        return text
    closers: dict[str, int] = {}
    if "</" in text:
        for close in CLOSING_TAG.finditer(text):
            closers[close[1].lower()] = close.start()  # the last one of each name
    found: dict[str, int] = {}
    pieces: list[str] = []
    position = start = 0
    while (start := text.find("<", start)) != -1:
        markup = _markup_at(text, start, closers, found)
        if markup is None:
            start += 1  # this "<" is text
            continue
        end, replacement = markup
        pieces.append(ENTITY.sub(_entity, text[position:start]))
        pieces.append(replacement)
        position = start = end
    pieces.append(ENTITY.sub(_entity, text[position:]))
    return "".join(pieces)


def clean_line(text: str) -> tuple[str, bool, bool]:
    """The cleaned line, and whether markup / special characters were removed from it."""
    stripped = strip_markup(text)
    had_markup = stripped != text
    kept = "".join(
        " " if ch in "\t\n\r\f\v" else ch
        for ch in stripped
        if ch in "\t\n\r\f\v" or unicodedata.category(ch) not in DROPPED_CATEGORIES
    )
    had_special = len(kept) != len(stripped) or "\ufffd" in kept or any(ch in "\f\v" for ch in stripped)
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
        for raw in _raw_lines(path, text_field, meta=meta):
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
        raise AdapterkitError(f"{_named(option, names)}: no text left after cleaning ({report.summary()})")
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
        raise AdapterkitError(f"--out {out}: is a folder; give a file name")
    if not out.name.endswith(SUFFIXES):
        raise AdapterkitError(f"--out {out}: name it .txt, .txt.gz, .jsonl or .jsonl.gz (what a corpus can be)")
    if not out.parent.is_dir():
        raise AdapterkitError(f"--out {out}: the folder {out.parent} does not exist; create it first")
    for source in corpus_files(paths, option=""):
        if is_hub(source):
            continue  # a dataset id, not a file --out could be
        if out.resolve() == source.resolve() or (out.exists() and out.samefile(source)):
            raise AdapterkitError(f"--out {out}: this is an input file ({source}); write the cleaned corpus elsewhere")
    if out.exists() and not force:
        raise AdapterkitError(f"--out {out}: the file exists; add --force to replace it")
    changes: list[Change] = []

    def keep(path: Path, number: int, before: str, after: str) -> None:
        if len(changes) < show_changes:
            changes.append(Change(str(path), number, before, after))

    lines, report = read_corpus(paths, text_field, option="", on_change=keep if show_changes > 0 else None)
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
        raise AdapterkitError(f"--out {out}: cannot write ({error})") from None
    finally:
        if os.path.exists(partial):
            os.unlink(partial)
    return report, changes


def split_heldout(lines: list[str], fraction: float, seed: int) -> tuple[list[str], list[str]]:
    """Seeded split into (train, held-out) lines; at least one line on each side."""
    mask = heldout_mask(len(lines), fraction, seed)
    train = [line for line, out in zip(lines, mask, strict=True) if not out]
    return train, [line for line, out in zip(lines, mask, strict=True) if out]


def heldout_mask(count: int, fraction: float, seed: int) -> bytearray:
    """One byte per kept line, 1 where the line is held out: the split of ``split_heldout``.

    Shuffles an ``array`` of indices (8 bytes a line, not a list of ints), so that the streaming
    path computes the same split for corpora whose lines are never all in memory.
    """
    if count < 2:
        raise AdapterkitError(f"the corpus has {count} line after cleaning; at least 2 are needed (train + held-out)")
    order = array("q", range(count))
    random.Random(seed).shuffle(order)
    mask = bytearray(count)
    for index in order[: min(count - 1, max(1, round(count * fraction)))]:
        mask[index] = 1
    return mask


def _pack(batch: dict, tokenizer, max_seq_len: int) -> dict:
    ids = tokenizer(batch["text"], add_special_tokens=False)["input_ids"]
    stream: list[int] = []
    for piece in ids:
        stream.extend(piece)
        stream.append(tokenizer.sep_token_id)
    body = max_seq_len - 1  # room for [CLS]
    blocks = [[tokenizer.cls_token_id, *stream[start : start + body]] for start in range(0, len(stream), body)]
    return _with_masks(blocks, tokenizer)


def _by_line(batch: dict, tokenizer, max_seq_len: int) -> dict:
    encoded = tokenizer(batch["text"], truncation=True, max_length=max_seq_len, return_overflowing_tokens=True)
    return _with_masks(encoded["input_ids"], tokenizer)


def _with_masks(blocks: list[list[int]], tokenizer) -> dict:
    special = set(tokenizer.all_special_ids)
    masks = [[int(token in special) for token in block] for block in blocks]
    return {
        "input_ids": blocks,
        "attention_mask": [[1] * len(block) for block in blocks],
        "special_tokens_mask": masks,
        "length": [len(mask) - sum(mask) for mask in masks],  # content tokens, specials excluded
    }


def tokenize(
    lines: list[str] | Dataset,
    tokenizer,
    max_seq_len: int,
    mode: str = "packed",
    num_proc: int | None = None,
    cache_key: str | None = None,
) -> Dataset:
    """Tokenized blocks (``input_ids``, ``attention_mask``, ``special_tokens_mask``, ``length``).

    ``lines`` is a list of lines or a ``Dataset`` with a ``text`` column. Runs through
    ``datasets.map`` (batched; ``num_proc`` processes when asked). With
    ``cache_key`` the result is cached under the adapterkit cache and reused on the next run.
    """
    if mode not in BLOCK_MODES:
        raise AdapterkitError(f"--block-mode {mode!r}: choose one of {', '.join(BLOCK_MODES)}")
    function = _pack if mode == "packed" else _by_line
    cache_file = None
    if cache_key is not None:
        folder = cache_dir() / "tokenized"
        folder.mkdir(parents=True, exist_ok=True)
        cache_file = str(folder / f"{cache_key}.arrow")
    dataset = lines if isinstance(lines, Dataset) else Dataset.from_dict({"text": lines})
    return dataset.map(
        function,
        batched=True,
        batch_size=MAP_BATCH,
        num_proc=num_proc if num_proc and num_proc > 1 else None,
        remove_columns=["text"],
        fn_kwargs={"tokenizer": tokenizer, "max_seq_len": max_seq_len},
        cache_file_name=cache_file,
        load_from_cache_file=cache_file is not None,
        desc=f"Tokenizing ({mode})",
    )


def dataset_key(lines: Iterable[str], tokenizer, max_seq_len: int, mode: str, split: str) -> str:
    """A cache key for the tokenized form of ``lines``."""
    digest = hashlib.sha256()
    for line in lines:
        digest.update(line.encode("utf-8") + b"\n")
    vocab = json.dumps(sorted(tokenizer.get_vocab().items()), ensure_ascii=False).encode("utf-8")
    digest.update(hashlib.sha256(vocab).digest())
    digest.update(f"{type(tokenizer).__name__}|{max_seq_len}|{mode}|{split}|{__version__}".encode())
    return digest.hexdigest()[:32]


def prepare(
    paths: list[Path],
    tokenizer,
    max_seq_len: int,
    mode: str = "packed",
    heldout_fraction: float = 0.05,
    seed: int = 42,
    text_field: str = "text",
    num_proc: int | None = None,
) -> tuple[DatasetDict, CleaningReport]:
    """Read, clean, split and tokenize: ``DatasetDict(train=..., heldout=...)`` and the report."""
    lines, report = read_corpus(paths, text_field)
    train_lines, heldout_lines = split_heldout(lines, heldout_fraction, seed)
    splits = {}
    for split, split_lines in (("train", train_lines), ("heldout", heldout_lines)):
        key = dataset_key(split_lines, tokenizer, max_seq_len, mode, split)
        splits[split] = tokenize(split_lines, tokenizer, max_seq_len, mode, num_proc, cache_key=key)
    return DatasetDict(splits), report


# Streaming: corpora larger than memory -------------------------------------------------------

TRAIN, HELDOUT = 1, 2  # StreamPlan.status values; 0 = dropped
MAP_BATCH = 1000  # lines per map batch: packed blocks are cut per batch, so both paths must agree


@dataclass
class StreamPlan:
    """Where every raw line of every file goes, decided in one pass that keeps no text.

    ``status`` holds one byte per line of each file (as ``_raw_lines`` yields them): 0 dropped
    (empty or a duplicate), ``TRAIN`` or ``HELDOUT``. Cleaning, de-duplication (first occurrence
    kept, across files) and the held-out split are exactly those of ``read_corpus`` +
    ``split_heldout``; the lines themselves are re-read from the files when a split is iterated.
    Memory: one status byte and, during the pass, 16 digest bytes per line, not the text.
    """

    files: list[Path]
    status: list[bytes]
    stamps: list[tuple[int, int]]  # (size, mtime_ns) per file: a file changed under a run is an error
    report: CleaningReport
    text_field: str

    def gen_kwargs(self, want: int) -> dict:
        # Lists of equal length are what datasets shards an iterable by: one shard per file.
        return {
            "files": [str(path) for path in self.files],
            "status": self.status,
            "stamps": self.stamps,
            "want": want,
            "text_field": self.text_field,
        }

    def lines(self, want: int) -> Iterator[str]:
        for row in plan_lines(**self.gen_kwargs(want)):
            yield row["text"]


def plan_stream(paths: list[Path], fraction: float, seed: int, text_field: str = "text") -> StreamPlan:
    """Read and clean every file once; decide drops and the held-out split without keeping text."""
    report = CleaningReport()
    files = corpus_files(paths)
    statuses: list[bytearray] = []
    stamps: list[tuple[int, int]] = []
    digests = bytearray()  # 16 bytes per non-empty line, in corpus order (the key read_corpus uses)
    for path in files:
        # An hf: dataset has no file to watch; datasets reads the same cached or Hub revision.
        stat = None if is_hub(path) else path.stat()
        stamps.append((stat.st_size, stat.st_mtime_ns) if stat else (0, 0))
        file_digest = hashlib.sha256()
        status = bytearray()
        meta: dict = {}
        for raw in _raw_lines(path, text_field, streaming=True, meta=meta):
            file_digest.update(raw.encode("utf-8"))
            text, had_markup, had_special = clean_line(raw)
            report.markup_changed += had_markup
            report.lines_with_special_chars += had_special
            if not text:
                report.empty_dropped += 1
                status.append(0)
                continue
            digests += hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()
            status.append(TRAIN)
        report.files.append(FileRecord(str(path), file_digest.hexdigest(), len(status), **meta))
        report.lines_read += len(status)
        statuses.append(status)
    flags = np.frombuffer(b"".join(statuses), dtype=np.uint8).copy()
    del statuses
    nonempty = np.flatnonzero(flags)
    keys = np.frombuffer(digests, dtype=[("high", "<u8"), ("low", "<u8")])
    _, first = np.unique(keys, return_index=True)  # stable sort: the first occurrence of each line
    del keys, digests
    duplicate = np.ones(len(nonempty), dtype=bool)
    duplicate[first] = False
    flags[nonempty[duplicate]] = 0
    report.duplicates_dropped = int(duplicate.sum())
    kept = np.flatnonzero(flags)
    report.lines_kept = len(kept)
    if not len(kept):
        names = ", ".join(record.path for record in report.files)
        raise AdapterkitError(f"--corpus {names}: no text left after cleaning ({report.summary()})")
    held = np.frombuffer(heldout_mask(len(kept), fraction, seed), dtype=np.uint8).astype(bool)
    flags[kept[held]] = HELDOUT
    bounds = np.cumsum([0] + [record.lines for record in report.files])
    status = [flags[start:end].tobytes() for start, end in zip(bounds[:-1], bounds[1:], strict=True)]
    return StreamPlan(files, status, stamps, report, text_field)


def plan_lines(
    files: list[str], status: list[bytes], stamps: list[tuple[int, int]], want: int, text_field: str
) -> Iterator[dict]:
    """``{"text": line}`` for the cleaned lines of one split, in corpus order (a generator for datasets)."""
    for name, flags, stamp in zip(files, status, stamps, strict=True):
        path = Path(name)
        if not is_hub(path):
            stat = path.stat()
            if (stat.st_size, stat.st_mtime_ns) != tuple(stamp):
                raise AdapterkitError(f"--corpus {path}: the file changed while streaming it; restart the run")
        for flag, raw in zip(flags, _raw_lines(path, text_field, streaming=True), strict=False):
            if flag == want:
                yield {"text": clean_line(raw)[0]}


def prepare_streaming(
    paths: list[Path],
    tokenizer,
    max_seq_len: int,
    mode: str = "packed",
    heldout_fraction: float = 0.05,
    seed: int = 42,
    text_field: str = "text",
) -> tuple[dict, CleaningReport]:
    """``prepare`` for corpora larger than memory: ``{"train": IterableDataset, "heldout": Dataset}``.

    The training blocks are made on the fly while training reads them: the same cleaning,
    de-duplication, split and ``packed`` / ``line`` blocks as ``prepare`` (the map runs over the
    same 1,000-line batches in the same order), so the two paths yield identical blocks. The
    held-out split (small) is tokenized into an on-disk dataset, as in ``prepare``. One shard
    per corpus file: under ``torchrun`` each process can read its own files.
    """
    if mode not in BLOCK_MODES:
        raise AdapterkitError(f"--block-mode {mode!r}: choose one of {', '.join(BLOCK_MODES)}")
    plan = plan_stream(paths, heldout_fraction, seed, text_field)
    function = _pack if mode == "packed" else _by_line
    fn_kwargs = {"tokenizer": tokenizer, "max_seq_len": max_seq_len}
    train = IterableDataset.from_generator(plan_lines, gen_kwargs=plan.gen_kwargs(TRAIN)).map(
        function, batched=True, batch_size=MAP_BATCH, remove_columns=["text"], fn_kwargs=fn_kwargs
    )
    folder = cache_dir() / "streaming"
    folder.mkdir(parents=True, exist_ok=True)
    heldout_lines = Dataset.from_generator(plan_lines, gen_kwargs=plan.gen_kwargs(HELDOUT), cache_dir=str(folder))
    key = dataset_key(plan.lines(HELDOUT), tokenizer, max_seq_len, mode, "heldout")
    heldout = tokenize(heldout_lines, tokenizer, max_seq_len, mode, cache_key=key)
    return {"train": train, "heldout": heldout}, plan.report
