"""Run a fine-tuned task model on new data and write CoNLL, BRAT or JSONL.

BRAT output needs character offsets, so the input must have them (BRAT ``.txt``/``.ann``
folders, or PharmaCoNER's span column); entity spans run from the first character of an
entity's first word to the last character of its last word, exactly as in the input text.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

from ..errors import AdapterkitError
from ..paths import registry_dir
from ..registry import Registry
from .data import NerDataset
from .finetune import TrainSettings, load_task_model, predict, read_data

OUTPUT_FORMATS = ("conll", "brat", "jsonl")


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
    max_seq_len: int = 512,
    stride: int = 16,
) -> list[Path]:
    """Predict and write one output file per input document (BRAT) or one file (CoNLL/JSONL)."""
    from .brat import spans_from_bio, write_ann
    from .conll import write_conll

    if output_format not in OUTPUT_FORMATS:
        raise AdapterkitError(f"--output-format {output_format!r}: choose one of {', '.join(OUTPUT_FORMATS)}")
    store = Registry(registry_dir(registry))
    model, tokenizer, manifest = load_task_model(model_spec, store, eval_adapters)
    kind, labels = manifest["task"], manifest["labels"]
    data, items = read_data(inputs, fmt, preset, repair=True, tokenizer=tokenizer)
    is_ner = isinstance(data, NerDataset)
    if (kind == "ner") != is_ner:
        raise AdapterkitError(f"{model_spec} is a {kind} model; the input is {'NER' if is_ner else 'text'} data")
    if output_format == "brat" and (not is_ner or any(s.offsets is None for s in items)):
        raise AdapterkitError("--output-format brat needs NER input with character offsets (BRAT or PharmaCoNER)")
    if output_format in ("conll", "brat") and not is_ner:
        raise AdapterkitError(f"--output-format {output_format} is for NER models; use jsonl")
    settings = TrainSettings(max_seq_len=max_seq_len, stride=stride)
    if gold:
        predictions = [s.tags for s in items] if is_ner else [e.label for e in items]
    else:
        predictions, _ = predict(model, tokenizer, items, kind, labels, settings)
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    if output_format == "brat":
        spans_by_doc: dict[str, list[tuple[str, int, int]]] = defaultdict(list)
        for sentence, tags in zip(items, predictions, strict=True):
            spans_by_doc[sentence.doc_id].extend(spans_from_bio(sentence, tags))
        for doc_id, text in data.documents.items():
            target = out / f"{doc_id}.ann"
            write_ann(target, text, sorted(spans_by_doc.get(doc_id, []), key=lambda span: (span[1], span[2])))
            (out / f"{doc_id}.txt").write_text(text, encoding="utf-8")
            written.append(target)
    elif output_format == "conll":
        target = out / "predictions.conll"
        write_conll(items, target, tags=predictions)
        written.append(target)
    else:
        target = out / "predictions.jsonl"
        with target.open("w", encoding="utf-8") as handle:
            for item, prediction in zip(items, predictions, strict=True):
                if is_ner:
                    record = {"id": item.doc_id, "tokens": item.tokens, "tags": prediction}
                else:
                    record = {"id": item.doc_id, "text": item.text, "prediction": prediction}
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")
        written.append(target)
    return written
