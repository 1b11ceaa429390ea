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

import glob
import gzip
import hashlib
import html
import json
import random
import re
import unicodedata
import zlib
from array import array
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
from datasets import Dataset, DatasetDict, IterableDataset

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
        if not path.exists() and any(ch in str(path) for ch in "*?["):
            # A quoted glob (launchers and recipes pass it unexpanded): its matches, sorted.
            matches = sorted(Path(p) for p in glob.glob(str(path), recursive=True))
            if not matches:
                raise AdapterkitError(f"--corpus {path}: the pattern matches no file")
            files.extend(corpus_files(matches))
            continue
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
        stat = path.stat()
        stamps.append((stat.st_size, stat.st_mtime_ns))
        file_digest = hashlib.sha256()
        status = bytearray()
        for raw in _raw_lines(path, text_field):
            file_digest.update(raw.encode("utf-8"))
            text, had_tags, had_special = clean_line(raw)
            report.lines_with_tags += had_tags
            report.lines_with_special_chars += had_special
            if not text:
                report.empty_dropped += 1
                status.append(0)
                continue
            digests += hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()
            status.append(TRAIN)
        report.files.append(FileRecord(str(path), file_digest.hexdigest(), len(status)))
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
        stat = path.stat()
        if (stat.st_size, stat.st_mtime_ns) != tuple(stamp):
            raise AdapterkitError(f"--corpus {path}: the file changed while streaming it; restart the run")
        for flag, raw in zip(flags, _raw_lines(path, text_field), strict=False):
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
