"""The held-out split of the cleaned lines: in memory (``split_heldout``), and as a plan for
corpora larger than memory (``plan_stream``), one pass that reads, cleans and de-duplicates every
source keeping one status byte per line instead of its text, so that ``plan_lines`` can re-read
either split later and yield exactly what ``read_corpus`` + ``split_heldout`` would have.
"""

from __future__ import annotations

import hashlib
import random
from array import array
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import AdapterkitError
from .cleaning import CleaningReport, clean_line
from .reading import FileRecord, corpus_files, is_hub, raw_lines

TRAIN, HELDOUT = 1, 2  # StreamPlan.status values; 0 = dropped


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


@dataclass
class StreamPlan:
    """Where every raw line of every file goes, decided in one pass that keeps no text.

    ``status`` holds one byte per line of each file (as ``raw_lines`` yields them): 0 dropped
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
        for raw in raw_lines(path, text_field, streaming=True, meta=meta):
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
        for flag, raw in zip(flags, raw_lines(path, text_field, streaming=True), strict=False):
            if flag == want:
                yield {"text": clean_line(raw)[0]}
