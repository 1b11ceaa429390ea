"""Where corpus text comes from: the sources a ``--corpus`` names, and their raw lines.

A source is a text file (``.txt``, ``.txt.gz``), a ``.jsonl`` / ``.jsonl.gz`` file with a text
field, a ``.parquet`` file with a text column, a folder of them (read recursively, sorted), a
quoted glob, or ``hf:NAME[:SPLIT]`` (a Hugging Face dataset, loaded through ``load_hub_dataset``
and streamed when asked). ``raw_lines`` yields each source's text as written and refuses binary,
non-UTF-8 and over-long lines with one-line errors naming the file and line; what is kept of that
text is ``cleaning``'s business.
"""

from __future__ import annotations

import glob
import gzip
import json
import zlib
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from ..errors import AdapterkitError

SUFFIXES = (".txt", ".txt.gz", ".jsonl", ".jsonl.gz")  # what a corpus is read from and written to
READ_SUFFIXES = (*SUFFIXES, ".parquet")  # read only: `corpus clean` writes line-oriented text
HUB_PREFIX = "hf:"
PARQUET_BATCH = 10_000  # rows per Parquet read: memory stays bounded for corpora larger than memory
MAX_LINE_BYTES = 8 * 1024 * 1024  # longer "lines" are minified or binary data, not text


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


def named(option: str, path: object) -> str:
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
                raise AdapterkitError(f"{named(option, path)}: no dataset id; write hf:NAME or hf:NAME:SPLIT")
            files.append(Path(f"{HUB_PREFIX}{name}:{split}"))  # the split always named, for the manifest
            continue
        if not path.exists() and any(ch in str(path) for ch in "*?["):
            # A quoted glob (launchers and recipes pass it unexpanded): its matches, sorted.
            matches = sorted(Path(p) for p in glob.glob(str(path), recursive=True))
            if not matches:
                raise AdapterkitError(f"{named(option, path)}: the pattern matches no file")
            files.extend(corpus_files(matches, option))
            continue
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.is_file() and p.name.endswith(READ_SUFFIXES))
            if not found:
                raise AdapterkitError(f"{named(option, path)}: the folder holds no {', '.join(READ_SUFFIXES)} files")
            files.extend(found)
        elif path.is_file():
            if not path.name.endswith(READ_SUFFIXES):
                raise AdapterkitError(
                    f"{named(option, path)}: unsupported file type; use {', '.join(READ_SUFFIXES)} or hf:NAME"
                )
            files.append(path)
        else:
            raise AdapterkitError(f"{named(option, path)}: no such file or folder")
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


def raw_lines(path: Path, text_field: str, streaming: bool = False, meta: dict | None = None) -> Iterator[str]:
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
