"""One entry point for task data: pick the reader for each path, read, and put the parts together.

With ``fmt="auto"`` the format comes from the path: a folder holding ``.ann`` files (or an
``.ann`` file, or a ``.txt`` with an ``.ann`` beside it) is BRAT; ``.conll``/``.tsv``/``.bio`` are
CoNLL; a ``.txt`` without an ``.ann`` is CoNLL when its lines are columns with a BIO tag column, else
plain text (unlabelled documents, for ``predict``); ``.jsonl`` is JSON Lines; ``.parquet`` is a
local Parquet file whose rows follow the JSON Lines field rules, and so does ``hf:NAME[:SPLIT]``,
a Hugging Face dataset by id. Other folders are read file by file in sorted order. Several files
are concatenated when they hold the same kind of task (entity types and class names are united).

``LANG=PATH`` (e.g. ``es=data/es``) names the part a path is: its examples carry that group, are
scored apart as well as together (pooled multilingual training, per-language evaluation), and
their document names are prefixed with it, so parts may reuse file names.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from ..choices import DATA_FORMATS as FORMATS
from ..errors import AdapterkitError
from ..paths import cache_dir
from .brat import PRESETS as BRAT_PRESETS
from .brat import read_brat, read_raw_text
from .conll import PRESETS as CONLL_PRESETS
from .conll import read_conll
from .data import NerDataset, TextDataset
from .hygiene import merge_reports
from .jsonl import read_jsonl, records_to_dataset

SUFFIX_FORMATS = {".conll": "conll", ".txt": "conll", ".tsv": "conll", ".bio": "conll", ".jsonl": "jsonl"}
SUFFIX_FORMATS[".parquet"] = "parquet"

Data = NerDataset | TextDataset
GROUP = re.compile(r"^([A-Za-z][A-Za-z0-9_-]{0,31})=(.+)$")


def split_group(path: Path | str) -> tuple[str, str]:
    """``("es", "data/es")`` for ``es=data/es``; ``("", path)`` for a path without a group."""
    match = GROUP.match(str(path))
    return (match[1], match[2]) if match else ("", str(path))


TAG = re.compile(r"O|[BIES]-\S+")
SNIFF_LINES = 50


def looks_like_conll(path: Path) -> bool:
    """Whether a ``.txt`` file is a CoNLL column file rather than plain text: its first non-blank
    lines (two at least) all have the same number (2 to 12) of columns, and one column holds BIO
    tags in nearly all of them. (A one-line note such as "Klasse I-Alloantigene" is text.)"""
    rows: list[list[str]] = []
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            for line in handle:
                if line.strip() and not line.startswith("-DOCSTART-"):
                    rows.append(line.rstrip("\r\n").split("\t") if "\t" in line else line.split())
                if len(rows) >= SNIFF_LINES:
                    break
    except OSError as error:
        raise AdapterkitError(f"{path}: cannot read ({error})") from None
    width = len(rows[0]) if rows else 0
    if len(rows) < 2 or not 2 <= width <= 12 or any(len(row) != width for row in rows):
        return False
    return any(sum(bool(TAG.fullmatch(row[column])) for row in rows) >= 0.9 * len(rows) for column in range(width))


def _file_format(path: Path, fmt: str) -> str | None:
    """The format of one file: ``fmt`` when given, else from its suffix (None: not task data)."""
    if fmt != "auto":
        return fmt
    if path.suffix == ".ann" or (path.suffix == ".txt" and path.with_suffix(".ann").is_file()):
        return "brat"
    if path.suffix == ".txt":
        return "conll" if looks_like_conll(path) else "text"
    return SUFFIX_FORMATS.get(path.suffix)


def _resolve(path: Path, fmt: str) -> list[tuple[str, Path]]:
    """``(format, path)`` for what ``path`` names: itself, a BRAT folder, or the data files in a folder."""
    if not path.exists():
        raise AdapterkitError(f"{path}: no such file or folder")
    if path.is_dir():
        if fmt == "brat" or (fmt == "auto" and any(path.rglob("*.ann"))):
            return [("brat", path)]
        if fmt == "text":
            return [("text", path)]
        found = [
            (kind, file)
            for file in sorted(p for p in path.rglob("*") if p.is_file())
            if (kind := _file_format(file, "auto")) is not None and fmt in ("auto", kind)
        ]
        if not found:
            raise AdapterkitError(
                f"{path}: the folder holds no task data ({', '.join(SUFFIX_FORMATS)} files or BRAT .ann/.txt pairs)"
            )
        return found
    kind = _file_format(path, fmt)
    if kind is None:
        raise AdapterkitError(
            f"{path}: unknown data format; use a {', '.join(SUFFIX_FORMATS)} file or a BRAT folder, or pass --format"
        )
    return [(kind, path)]


def read_parquet(path: Path, repair: bool = False) -> Data:
    """A local Parquet file, rows read with the JSON Lines field rules (class-id columns become names)."""
    from datasets import load_dataset

    try:
        table = load_dataset("parquet", data_files=str(path), split="train", cache_dir=str(cache_dir() / "datasets"))
    except Exception as error:  # pyarrow, fsspec and datasets each raise their own kinds
        reason = (str(error).splitlines() or [""])[0]
        raise AdapterkitError(f"{path}: cannot read as Parquet ({type(error).__name__}: {reason})") from None
    return _read_table(table, str(path), repair)


def read_hub(spec: str, repair: bool = False) -> Data:
    """``hf:NAME[:SPLIT]``: a Hugging Face dataset by id (from the local cache, or the Hub when reachable)."""
    from datasets import load_dataset

    name, _, split = spec.removeprefix("hf:").partition(":")
    try:
        table = load_dataset(name, split=split or "train")
    except Exception as error:  # offline, unknown id, gated: datasets raises many kinds
        reason = (str(error).splitlines() or [""])[0][:160]
        raise AdapterkitError(
            f"--data {spec}: cannot load this Hugging Face dataset ({type(error).__name__}: {reason}); "
            "offline, export it to a local .parquet file and pass that"
        ) from None
    return _read_table(table, spec, repair)


def _read_table(table, name: str, repair: bool) -> Data:
    from datasets import ClassLabel

    path = name
    class_names = {name: feature for name, feature in table.features.items() if isinstance(feature, ClassLabel)}

    def rows():
        for number, row in enumerate(table, start=1):
            record = {key: value for key, value in row.items() if value is not None}
            for name, feature in class_names.items():
                if name in record:
                    record[name] = feature.int2str(record[name])
            yield f"{path}:{number}", record

    return records_to_dataset(rows(), str(path), repair)


def _concatenate(parts: list[tuple[Path, Data]]) -> Data:
    """One dataset from several of the same kind (NER, or text data of one task)."""
    first_path, first = parts[0]
    for path, part in parts[1:]:
        if type(part) is not type(first) or (isinstance(part, TextDataset) and part.task != first.task):
            raise AdapterkitError(
                f"{path}: holds {_kind(part)} data but {first_path} holds {_kind(first)}; read them separately"
            )
    if len(parts) == 1:
        return first
    if isinstance(first, TextDataset):
        texts: list[TextDataset] = [part for _, part in parts]  # type: ignore[misc]
        labels = sorted({label for part in texts for label in part.labels})
        return TextDataset([example for part in texts for example in part.examples], first.task, labels)
    ners: list[NerDataset] = [part for _, part in parts]  # type: ignore[misc]
    return NerDataset(
        [sentence for part in ners for sentence in part.sentences],
        sorted({kind for part in ners for kind in part.types}),
        {doc_id: text for part in ners for doc_id, text in part.documents.items()},
        merge_reports([part.report for part in ners]),
        {doc_id: entities for part in ners for doc_id, entities in part.gold.items()},
    )


def _kind(data: Data) -> str:
    return "NER" if isinstance(data, NerDataset) else data.task


def read_task(
    paths: list[Path],
    fmt: str = "auto",
    repair: bool = False,
    preset: str = "auto",
    types: list[str] | None = None,
    segmentation: str = "gold",
    labelled: bool = True,
) -> Data:
    """The task data in ``paths`` (files or folders, each optionally ``LANG=PATH``), read with the
    reader for each format.

    ``repair`` turns malformed tags into ``O`` instead of stopping; ``preset`` names the CoNLL column
    layout or the BRAT type source (``mantra``); ``types`` keeps only these entity types (the others'
    words become ``O``). ``segmentation`` is how BRAT text is cut into words and sentences: ``gold``
    for training labels, ``text`` (from the text alone) for evaluation. ``labelled=False`` (prediction)
    reads BRAT documents as plain text, their annotations unread; plain text is refused otherwise.
    """
    if fmt not in FORMATS:
        raise AdapterkitError(f"--format {fmt!r}: choose one of {', '.join(FORMATS)}")
    if preset not in CONLL_PRESETS + BRAT_PRESETS:
        known = ", ".join(dict.fromkeys(CONLL_PRESETS + BRAT_PRESETS))
        raise AdapterkitError(f"--preset {preset!r}: choose one of {known}")
    if not paths:
        raise AdapterkitError("no task data given: name a file or folder (CoNLL, BRAT, JSON Lines or Parquet)")
    split = [split_group(path) for path in paths]
    grouped = [group for group, _ in split if group]
    if grouped and len(grouped) != len(split):
        raise AdapterkitError("--data: name the part of every path (LANG=PATH) or of none")
    if not grouped:
        data = _read_part([Path(path) for _, path in split], fmt, repair, preset, segmentation, labelled)
    else:
        parts = []
        for group in dict.fromkeys(grouped):
            part = _read_part(
                [Path(path) for name, path in split if name == group], fmt, repair, preset, segmentation, labelled
            )
            parts.append((Path(f"{group}="), _with_group(part, group)))
        data = _concatenate(parts)
    return _keep_types(data, types) if types else data


def _with_group(data: Data, group: str) -> Data:
    """Every example marked with ``group``, document names prefixed ``group/`` (unique across parts)."""
    if isinstance(data, TextDataset):
        examples = [replace(e, group=group, doc_id=f"{group}/{e.doc_id}") for e in data.examples]
        return TextDataset(examples, data.task, data.labels)
    sentences = [replace(s, group=group, doc_id=f"{group}/{s.doc_id}") for s in data.sentences]
    documents = {f"{group}/{doc_id}": text for doc_id, text in data.documents.items()}
    gold = {f"{group}/{doc_id}": entities for doc_id, entities in data.gold.items()}
    return NerDataset(sentences, data.types, documents, data.report, gold)


def _keep_types(data: Data, types: list[str]) -> Data:
    if not isinstance(data, NerDataset):
        raise AdapterkitError("--types selects entity types: it applies to NER data only")
    unknown = sorted(set(types) - set(data.types))
    if unknown:
        raise AdapterkitError(
            f"--types {','.join(unknown)}: not in the data (its types: {', '.join(data.types) or 'none'})"
        )
    keep = set(types)
    sentences = [
        replace(s, tags=[tag if tag == "O" or tag[2:] in keep else "O" for tag in s.tags]) for s in data.sentences
    ]
    gold = {doc_id: [e for e in entities if e.kind in keep] for doc_id, entities in data.gold.items()}
    return NerDataset(sentences, sorted(keep), data.documents, data.report, gold)


def _read_part(paths: list[Path], fmt: str, repair: bool, preset: str, segmentation: str, labelled: bool) -> Data:
    conll_preset = preset if preset in CONLL_PRESETS else "auto"
    brat_preset = preset if preset in BRAT_PRESETS else "auto"
    hub = [str(path) for path in paths if str(path).startswith("hf:")]
    resolved = [item for path in paths if not str(path).startswith("hf:") for item in _resolve(Path(path), fmt)]
    documents = [path for kind, path in resolved if kind in ("brat", "text")]
    parts: list[tuple[Path, Data]] = []
    if labelled:
        plain = [path for kind, path in resolved if kind == "text"]
        if plain:
            raise AdapterkitError(
                f"{plain[0]}: plain text without annotations (no .ann beside it): nothing to train or score; "
                "add the BRAT .ann files, or label it with adapterkit predict"
            )
        if documents:  # read together: document names must be unique across folders
            dataset = read_brat(documents, repair=repair, preset=brat_preset, segmentation=segmentation)
            parts.append((documents[0], dataset))
    elif documents:  # prediction: the text alone, whether or not annotations lie beside it
        parts.append((documents[0], read_raw_text(documents)))
    for kind, path in resolved:
        if kind == "conll":
            parts.append((path, read_conll(path, preset=conll_preset, repair=repair)))
        elif kind == "jsonl":
            parts.append((path, read_jsonl(path, repair=repair)))
        elif kind == "parquet":
            parts.append((path, read_parquet(path, repair=repair)))
    parts += [(Path(spec), read_hub(spec, repair=repair)) for spec in hub]
    return _concatenate(parts)
