"""Inference with a task model: predictions per item, from windows back to words and examples.

``predict`` encodes the items as training did (``inputs.encode``, without labels), runs the model
in batches of similar length and maps the windows' outputs back: one tag per word (NER, from the
window that owns the word), one label, label set or score per example (the mean of its windows'
logits), with class probabilities where the task has them.
"""

from __future__ import annotations

import numpy as np
import torch

from ..readers.kinds import kind_of
from .encode import mean_by_owner, words_from_windows
from .inputs import collator, encode
from .settings import TrainSettings


@torch.no_grad()
def predict(
    model,
    tokenizer,
    items,
    kind: str,
    labels: list[str],
    settings: TrainSettings,
    batch_size: int = 32,
    sort_by_length: bool = True,
):
    """Predictions per item: tag lists (NER), labels, label sets or scores; plus class scores.

    With ``sort_by_length`` the windows are batched in order of length (and the outputs put
    back in input order), so a batch pads to a length close to its own windows'.
    """
    model.eval()
    device = next(model.parameters()).device
    encoded = encode(items, kind, labels, tokenizer, settings.max_seq_len, settings.stride, with_labels=False)
    pad = collator(kind, tokenizer)
    order = list(range(len(encoded.rows)))
    if sort_by_length:
        order.sort(key=lambda row: len(encoded.rows[row]["input_ids"]))
    outputs: list = [None] * len(order)
    for start in range(0, len(order), batch_size):
        chunk = order[start : start + batch_size]
        batch = pad([encoded.rows[row] for row in chunk])
        logits = model(**{key: value.to(device) for key, value in batch.items()}).logits.float().cpu().numpy()
        for row, row_logits in zip(chunk, logits, strict=True):
            outputs[row] = row_logits
    decoding = kind_of(kind).decoding
    if decoding == "tags":
        outside = labels.index("O") if "O" in labels else 0  # O's place depends on the model's label order
        ids = words_from_windows(encoded.windows, outputs, [len(s.tokens) for s in items], outside)
        return [[labels[i] for i in sentence] for sentence in ids], None
    logits = mean_by_owner(np.stack(outputs), encoded.owners, len(items))
    return DECODERS[decoding](logits, labels)


def _argmax(logits: np.ndarray, labels: list[str]):
    """One label per example (the most likely), and the class probabilities (softmax)."""
    probabilities = torch.softmax(torch.from_numpy(logits), dim=-1).numpy()
    return [labels[i] for i in logits.argmax(axis=-1)], probabilities


def _threshold(logits: np.ndarray, labels: list[str]):
    """A label set per example (every label of probability ≥ 0.5), and the probabilities (sigmoid)."""
    probabilities = 1 / (1 + np.exp(-logits))
    return [[labels[i] for i in np.flatnonzero(row >= 0.5)] for row in probabilities], probabilities


def _score(logits: np.ndarray, labels: list[str]):
    """A number per example (the one output), no probabilities."""
    return logits[:, 0].tolist(), None


# A text task's decoding (``TaskKind.decoding``): its examples' mean logits to predictions, probabilities.
DECODERS = {"argmax": _argmax, "threshold": _threshold, "score": _score}
