"""Run a fine-tuned task model on new data and write CoNLL, BRAT or JSONL.

Input: plain text (a ``.txt`` file or a folder of them), BRAT folders, CoNLL, JSONL or Parquet.
Text and BRAT documents are cut into words and sentences from the text alone, exactly as the
BRAT reader does for evaluation (``brat.py``): an ``.ann`` beside a ``.txt`` is never read, so
predictions are the same with or without it (``--gold`` writes the input's own annotation instead).

BRAT output: ``<doc>.ann`` (and a copy of ``<doc>.txt``) per document; an entity runs from the
first character of its first word to the last character of its last word, in the document's
offsets. An ``I-`` run without ``B-`` is an entity too (``spans_from_bio``), and evaluation scores
the same spans (``scoring.py``). PharmaCoNER-style CoNLL (span column) gives ``.ann`` files whose
offsets are those of the span column; its text is not in the input, so no ``.txt`` is written and
the ``.ann`` text field shows the entity's words joined by the characters between them as spaces.

Every output file is written through a temporary file and renamed; an ``--out`` that is an input
folder, lies inside one, or would replace an input file is refused before anything is read.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

from ..choices import OUTPUT_FORMATS
from ..errors import AdapterkitError
from ..paths import registry_dir
from ..readers.data import NerDataset, Sentence
from ..readers.kinds import kind_of
from ..registry import Registry
from ..tasks.inference import predict
from ..tasks.inputs import read_data
from ..tasks.model import load_task_model
from ..tasks.settings import TrainSettings


def _input_paths(inputs: list[Path]) -> list[Path]:
    """The local paths named by ``--input`` (``LANG=`` prefixes removed, ``hf:`` datasets left out)."""
    from ..readers.formats import split_group

    paths = [Path(split_group(path)[1]) for path in inputs]
    return [path.resolve() for path in paths if not str(path).startswith("hf:")]


def check_out(inputs: list[Path], out: Path) -> set[Path]:
    """Refuse an ``--out`` that is an input folder or lies inside one; the input files, resolved."""
    target = out.resolve()
    files: set[Path] = set()
    for path in _input_paths(inputs):
        if path.is_dir():
            if target == path or path in target.parents:
                raise AdapterkitError(
                    f"--output {out}: it is the input folder {path.name} or inside it; predictions would mix with "
                    "(or replace) the input: choose a folder outside the input"
                )
            files.update(file.resolve() for file in path.rglob("*") if file.is_file())
        else:
            if target == path:
                raise AdapterkitError(f"--output {out}: it is an input file; choose an output folder")
            files.update({path, path.with_suffix(".ann").resolve(), path.with_suffix(".txt").resolve()})
    return files


def _refuse_overwrite(targets: list[Path], input_files: set[Path], out: Path) -> None:
    clash = next((target for target in targets if target.resolve() in input_files), None)
    if clash is not None:
        raise AdapterkitError(
            f"--output {out}: writing {clash.name} would replace an input file; choose another folder"
        )


def _write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file and a rename (``atomic.py``: removed on failure)."""
    from ..atomic import atomic_write_text

    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(path, text)


def _reconstructed_text(doc_id: str, sentences: list[Sentence]) -> str:
    """A document's text rebuilt from its words at their offsets (span column), the rest spaces.

    Only used for the ``.ann`` text field of CoNLL input, whose documents are not in the input."""
    ends = [end for sentence in sentences for _, end in sentence.offsets or []]
    characters = [" "] * (max(ends) if ends else 0)
    for sentence in sentences:
        for token, (start, end) in zip(sentence.tokens, sentence.offsets or [], strict=True):
            clashes = end - start != len(token) or any(
                c not in (" ", t) for c, t in zip(characters[start:end], token, strict=True)
            )
            if clashes:
                raise AdapterkitError(
                    f"{sentence.source}: word {token!r} does not fit its span {start}_{end} in document {doc_id}; "
                    "BRAT output needs spans that match the words: use --output-format conll or jsonl"
                )
            characters[start:end] = token
    return "".join(characters)


def _brat_files(data: NerDataset, items: list[Sentence], predictions: list[list[str]], out: Path) -> dict[Path, str]:
    from ..readers.brat import ann_text, spans_from_bio

    missing = [sentence for sentence in items if sentence.offsets is None]
    if missing:
        raise AdapterkitError(
            f"{missing[0].source}: --output-format brat needs character offsets, and this input has none "
            "(CoNLL without a span column, JSONL); use --output-format conll or jsonl"
        )
    spans: dict[str, list[tuple[str, int, int]]] = defaultdict(list)
    sentences: dict[str, list[Sentence]] = defaultdict(list)
    for sentence, tags in zip(items, predictions, strict=True):
        spans[sentence.doc_id].extend(spans_from_bio(sentence, tags))
        sentences[sentence.doc_id].append(sentence)
    files: dict[Path, str] = {}
    for doc_id, text in data.documents.items():
        files[out / f"{doc_id}.ann"] = ann_text(text, spans.get(doc_id, []))
        files[out / f"{doc_id}.txt"] = text
    for doc_id in sentences:
        if doc_id not in data.documents:  # CoNLL with a span column: offsets, but no text
            text = _reconstructed_text(doc_id, sentences[doc_id])
            files[out / f"{doc_id}.ann"] = ann_text(text, spans[doc_id])
    return files


def _conll_text(items: list[Sentence], predictions: list[list[str]]) -> str:
    lines: list[str] = []
    for sentence, tags in zip(items, predictions, strict=True):
        lines.extend(f"{token}\t{tag}" for token, tag in zip(sentence.tokens, tags, strict=True))
        lines.append("")
    return "\n".join(lines) + ("\n" if lines else "")


def _jsonl_text(items, predictions, is_ner: bool) -> str:
    records = []
    for item, prediction in zip(items, predictions, strict=True):
        if is_ner:
            record = {"id": item.doc_id, "tokens": item.tokens, "tags": prediction}
        else:
            record = {"id": item.doc_id, "text": item.text, "prediction": prediction}
        records.append(json.dumps(record, ensure_ascii=False) + "\n")
    return "".join(records)


def run_predict(
    model_spec: str,
    inputs: list[Path],
    out: Path,
    output_format: str = "conll",
    fmt: str = "auto",
    preset: str = "auto",
    gold: bool = False,
    eval_adapters: str | None = None,
    registry: Path | None = None,
    max_seq_len: int | None = None,
    stride: int | None = None,
) -> list[Path]:
    """Predict and write one output file per input document (BRAT) or one file (CoNLL/JSONL).

    ``max_seq_len`` and ``stride`` default to the window the model was fine-tuned and evaluated
    with (its manifest's settings), so that predictions and their scores are finetune's.
    """
    from ..models import max_length

    if output_format not in OUTPUT_FORMATS:
        raise AdapterkitError(f"--output-format {output_format!r}: choose one of {', '.join(OUTPUT_FORMATS)}")
    input_files = check_out(inputs, out)
    # --gold writes the annotation as the BIO labels hold it (gold segmentation); predictions see the text alone
    data, items = read_data(inputs, fmt, preset, repair=True, segmentation="gold", labelled=gold)
    is_ner = isinstance(data, NerDataset)
    if output_format in ("conll", "brat") and not is_ner:
        raise AdapterkitError(f"--output-format {output_format} is for NER models; use jsonl")
    if output_format == "brat":
        targets = [out / f"{doc_id}{suffix}" for doc_id in data.documents for suffix in (".ann", ".txt")]
    else:
        targets = [out / f"predictions.{output_format}"]
    _refuse_overwrite(targets, input_files, out)

    store = Registry(registry_dir(registry))
    model, tokenizer, manifest = load_task_model(model_spec, store, eval_adapters)
    kind, labels = manifest.task, manifest.labels or []
    if kind_of(kind).token_level != is_ner:
        raise AdapterkitError(f"{model_spec} is a {kind} model; the input is {'NER' if is_ner else 'text'} data")
    trained = manifest.settings or {}
    max_seq_len = max_seq_len or int(trained.get("max_seq_len") or TrainSettings.max_seq_len)
    stride = int(trained.get("stride", TrainSettings.stride)) if stride is None else stride
    settings = TrainSettings(max_seq_len=min(max_seq_len, max_length(model.config)), stride=stride)
    if gold:
        predictions = [s.tags for s in items] if is_ner else [e.label for e in items]
    else:
        predictions, _ = predict(model, tokenizer, items, kind, labels, settings)
    if output_format == "brat":
        files = _brat_files(data, items, predictions, out)
    elif output_format == "conll":
        files = {out / "predictions.conll": _conll_text(items, predictions)}
    else:
        files = {out / "predictions.jsonl": _jsonl_text(items, predictions, is_ner)}
    _refuse_overwrite(list(files), input_files, out)  # CoNLL documents are named only now
    for path, text in files.items():
        _write_atomic(path, text)
    written = [path for path in files if not (output_format == "brat" and path.suffix == ".txt")]
    if any(path.suffix == ".ann" and path.with_suffix(".txt") not in files for path in written):
        print("note: CoNLL input holds no document text: the .ann offsets are its span column's; no .txt written")
    return written
