"""Domain corpora: read, clean, tokenize and cut into training blocks.

Input: plain-text files (one sentence or coherent chunk per line), ``.txt`` or ``.txt.gz``,
``.jsonl`` / ``.jsonl.gz`` with a text field, or folders of them (read recursively, sorted).

Cleaning follows the source study: XML/HTML tags stripped (entities unescaped), control,
format and private-use characters removed, whitespace collapsed, then empty lines and exact
duplicates (across all files) dropped. The counts of what was dropped are reported.

Blocks (see ``tokenize``):
- ``packed`` (default): each map batch of lines is tokenized, joined with [SEP] after every
  line, and cut into blocks of ``max_seq_len`` that start with [CLS]. The last, shorter block
  of a batch is kept (``run_mlm.py``'s ``group_texts`` drops it), so no token is lost. Lines
  packed into one block attend to each other, as in BERT's own pre-training.
- ``line``: one line per example, dynamically padded; a line longer than ``max_seq_len`` is
  continued in further examples instead of being cut off.
"""

from __future__ import annotations

import gzip
import hashlib
import html
import json
import random
import re
import unicodedata
import zlib
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

from datasets import Dataset, DatasetDict

from . import __version__
from .errors import AdapterkitError
from .paths import cache_dir

SUFFIXES = (".txt", ".txt.gz", ".jsonl", ".jsonl.gz")
BLOCK_MODES = ("packed", "line")
MAX_LINE_BYTES = 8 * 1024 * 1024  # longer "lines" are minified or binary data, not text
TAG = re.compile(r"<[^<>]{0,500}>")
SPACE = re.compile(r"\s+")
# Control (Cc), format (Cf: zero-width spaces, BOM), private use (Co), surrogates (Cs), unassigned (Cn).
DROPPED_CATEGORIES = {"Cc", "Cf", "Co", "Cs", "Cn"}


@dataclass
class FileRecord:
    path: str
    sha256: str
    lines: int


@dataclass
class CleaningReport:
    """What reading and cleaning did, for the console and the manifest."""

    files: list[FileRecord] = field(default_factory=list)
    lines_read: int = 0
    lines_with_tags: int = 0
    lines_with_special_chars: int = 0
    empty_dropped: int = 0
    duplicates_dropped: int = 0
    lines_kept: int = 0

    def summary(self) -> str:
        return (
            f"{self.lines_read} lines read from {len(self.files)} file(s); tags stripped in {self.lines_with_tags}, "
            f"special characters removed in {self.lines_with_special_chars}; dropped {self.empty_dropped} empty "
            f"and {self.duplicates_dropped} duplicate lines; {self.lines_kept} kept"
        )

    def to_dict(self) -> dict:
        return asdict(self)


def corpus_files(paths: list[Path]) -> list[Path]:
    """The corpus files named by ``paths`` (files, or folders searched recursively)."""
    if not paths:
        raise AdapterkitError("no corpus given: add --corpus PATH (a file or a folder of .txt/.jsonl files)")
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.is_file() and p.name.endswith(SUFFIXES))
            if not found:
                raise AdapterkitError(f"--corpus {path}: the folder holds no {', '.join(SUFFIXES)} files")
            files.extend(found)
        elif path.is_file():
            if not path.name.endswith(SUFFIXES):
                raise AdapterkitError(f"--corpus {path}: unsupported file type; use {', '.join(SUFFIXES)}")
            files.append(path)
        else:
            raise AdapterkitError(f"--corpus {path}: no such file or folder")
    return files


def _raw_lines(path: Path, text_field: str) -> Iterator[str]:
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


def clean_line(text: str) -> tuple[str, bool, bool]:
    """The cleaned line, and whether tags / special characters were removed from it."""
    stripped = TAG.sub(" ", text)
    had_tags = stripped != text
    stripped = html.unescape(stripped)
    kept = "".join(
        " " if ch in "\t\n\r\f\v" else ch
        for ch in stripped
        if ch in "\t\n\r\f\v" or unicodedata.category(ch) not in DROPPED_CATEGORIES
    )
    had_special = len(kept) != len(stripped) or "\ufffd" in kept or any(ch in "\f\v" for ch in stripped)
    kept = kept.replace("\ufffd", " ")
    return SPACE.sub(" ", kept).strip(), had_tags, had_special


def read_corpus(paths: list[Path], text_field: str = "text") -> tuple[list[str], CleaningReport]:
    """Cleaned, de-duplicated lines of every corpus file, in file order, and what was dropped."""
    report = CleaningReport()
    seen: set[bytes] = set()
    lines: list[str] = []
    for path in corpus_files(paths):
        digest = hashlib.sha256()
        count = 0
        for raw in _raw_lines(path, text_field):
            count += 1
            digest.update(raw.encode("utf-8"))
            text, had_tags, had_special = clean_line(raw)
            report.lines_with_tags += had_tags
            report.lines_with_special_chars += had_special
            if not text:
                report.empty_dropped += 1
                continue
            key = hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()
            if key in seen:
                report.duplicates_dropped += 1
                continue
            seen.add(key)
            lines.append(text)
        report.files.append(FileRecord(str(path), digest.hexdigest(), count))
        report.lines_read += count
    report.lines_kept = len(lines)
    if not lines:
        names = ", ".join(record.path for record in report.files)
        raise AdapterkitError(f"--corpus {names}: no text left after cleaning ({report.summary()})")
    return lines, report


def split_heldout(lines: list[str], fraction: float, seed: int) -> tuple[list[str], list[str]]:
    """Seeded split into (train, held-out) lines; at least one line on each side."""
    if len(lines) < 2:
        raise AdapterkitError(
            f"the corpus has {len(lines)} line after cleaning; at least 2 are needed (train + held-out)"
        )
    order = list(range(len(lines)))
    random.Random(seed).shuffle(order)
    count = min(len(lines) - 1, max(1, round(len(lines) * fraction)))
    heldout = sorted(order[:count])
    heldout_set = set(heldout)
    return [line for i, line in enumerate(lines) if i not in heldout_set], [lines[i] for i in heldout]


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
    lines: list[str],
    tokenizer,
    max_seq_len: int,
    mode: str = "packed",
    num_proc: int | None = None,
    cache_key: str | None = None,
) -> Dataset:
    """Tokenized blocks (``input_ids``, ``attention_mask``, ``special_tokens_mask``, ``length``).

    Runs through ``datasets.map`` (batched; ``num_proc`` processes when asked). With
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
    dataset = Dataset.from_dict({"text": lines})
    return dataset.map(
        function,
        batched=True,
        batch_size=1000,
        num_proc=num_proc if num_proc and num_proc > 1 else None,
        remove_columns=["text"],
        fn_kwargs={"tokenizer": tokenizer, "max_seq_len": max_seq_len},
        cache_file_name=cache_file,
        load_from_cache_file=cache_file is not None,
        desc=f"Tokenizing ({mode})",
    )


def dataset_key(lines: list[str], tokenizer, max_seq_len: int, mode: str, split: str) -> str:
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
