"""From task files to model inputs: the items a task trains and predicts on, encoded for the model.

``read_data`` reads the data (``readers.read_task``) and returns its items (sentences or examples);
``task_kind`` names the task; ``encode`` turns items into the rows the Trainer and ``predict`` feed
the model (NER: windows of whole words, ``encode.py``; text tasks: the tokenizer's overflow windows),
with labels when training; ``collator`` pads a batch of those rows. Training and inference share
all of it, so a model is always scored on inputs built exactly as it was trained on.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from transformers import DataCollatorForTokenClassification, DataCollatorWithPadding

from ..errors import AdapterkitError
from ..readers.data import NerDataset, TextDataset
from ..readers.kinds import NER, kind_of
from .encode import item_weights, ner_windows, text_windows, window_labels

# A training row's loss weight (``encode.item_weights``); present only where some item spans windows.
WINDOW_WEIGHT = "window_weight"


def read_data(
    paths: list[Path],
    fmt: str,
    preset: str,
    repair: bool,
    types: list[str] | None = None,
    segmentation: str = "gold",
    labelled: bool = True,
):
    """The data and its items (sentences or examples); see ``readers.read_task`` for the options.

    Training reads BRAT with ``segmentation="gold"`` (labels aligned to the entities), evaluation
    with ``"text"`` (what the model sees never depends on the gold)."""
    from ..readers.formats import read_task

    data = read_task(
        paths, fmt=fmt, repair=repair, preset=preset, types=types, segmentation=segmentation, labelled=labelled
    )
    items = data.sentences if isinstance(data, NerDataset) else data.examples
    if not items:
        raise AdapterkitError(f"{', '.join(map(str, paths))}: no examples found")
    return data, items


def task_kind(data: NerDataset | TextDataset) -> str:
    return NER.name if isinstance(data, NerDataset) else data.task


@dataclass
class Encoded:
    """Model inputs for a list of items, and how to map predictions back to them."""

    rows: list[dict]
    windows: list | None = None  # NER windows
    owners: list[int] | None = None  # text windows -> example index


def encode(items, kind: str, labels: list[str], tokenizer, max_len: int, stride: int, with_labels: bool) -> Encoded:
    spec = kind_of(kind)
    if spec.token_level:
        windows = ner_windows([s.tokens for s in items], tokenizer, max_len, stride)
        index = {label: i for i, label in enumerate(labels)}
        rows = []
        for window in windows:
            row = {"input_ids": window.input_ids, "attention_mask": [1] * len(window.input_ids)}
            if with_labels:
                row["labels"] = window_labels(window, [index[tag] for tag in items[window.sentence].tags])
            rows.append(row)
        weights = item_weights(windows, [row["labels"] for row in rows]) if with_labels else None
        if weights is not None:
            for row, weight in zip(rows, weights, strict=True):
                row[WINDOW_WEIGHT] = weight
        return Encoded(rows, windows=windows)
    texts = [example.text for example in items]
    pairs = (
        [example.text_pair or "" for example in items]
        if any(example.text_pair for example in items)  # sentence pairs (e.g. similarity), any text task
        else None
    )
    # overlap of long texts' windows: a quarter of a window at most (the tokenizer needs stride < length)
    encoded, owners = text_windows(texts, pairs, tokenizer, max_len, stride=min(stride * 4, max_len // 4))
    rows = [{key: encoded[key][i] for key in encoded} for i in range(len(owners))]
    if with_labels:
        for row, owner in zip(rows, owners, strict=True):
            row["labels"] = TARGETS[spec.target](items[owner].label, labels)
    return Encoded(rows, owners=owners)


def _index(label, labels: list[str]):
    return labels.index(label)


def _multi_hot(label, labels: list[str]):
    return [1.0 if name in label else 0.0 for name in labels]


def _float(label, labels: list[str]):
    return float(label)


# A text example's gold label to the model's target (``TaskKind.target``).
TARGETS = {"index": _index, "multi_hot": _multi_hot, "float": _float}


def collator(kind: str, tokenizer):
    if kind_of(kind).token_level:
        return DataCollatorForTokenClassification(tokenizer)
    return DataCollatorWithPadding(tokenizer)
