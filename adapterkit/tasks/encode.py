"""From words and texts to model inputs, and from model outputs back to words.

NER uses first-subword labelling: the label of a word sits on its first subword; the other
subwords are ignored (-100) in the loss and in prediction. A sentence longer than the model
limit is never cut: it is covered by overlapping windows of whole words, each window carrying
``stride`` words of context on either side of the words it *owns*. Every word is owned by
exactly one window, which is the only one that trains on and predicts it, so every word gets
exactly one prediction and is scored once.

Classification and regression use the tokenizer's own overflow windows (``stride`` subwords of
overlap); a long text is scored by the mean of its windows' logits.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

IGNORE = -100


@dataclass
class Window:
    """One model input covering words ``[start, end)`` of sentence ``sentence``."""

    sentence: int
    start: int
    end: int
    own_start: int
    own_end: int
    input_ids: list[int]
    first_subword: dict[int, int]  # word index (in the sentence) -> position in input_ids


def _word_lengths(words: list[str], tokenizer) -> list[int]:
    encoded = tokenizer(words, is_split_into_words=True, add_special_tokens=False)
    lengths = [0] * len(words)
    for word in encoded.word_ids():
        if word is not None:
            lengths[word] += 1
    return [max(1, length) for length in lengths]  # a word the tokenizer drops still needs a slot


def _spans(lengths: list[int], budget: int, stride: int) -> list[tuple[int, int, int, int]]:
    """(start, end, own_start, own_end) windows over words with these subword lengths."""
    n = len(lengths)

    def fit(start: int) -> int:  # the end of the longest window from start (at least one word)
        end, used = start, 0
        while end < n and (used + lengths[end] <= budget or end == start):
            used += lengths[end]
            end += 1
        return end

    spans = []
    start = own_start = 0
    while True:
        end = fit(start)
        if end <= own_start:  # the left context leaves no room for a new word: drop context
            start = own_start
            end = fit(start)
        if end >= n:
            spans.append((start, n, own_start, n))
            return spans
        own_end = min(end, max(own_start + 1, end - stride))
        spans.append((start, end, own_start, own_end))
        own_start = own_end
        start = max(start + 1, own_end - stride)


def ner_windows(sentences: list[list[str]], tokenizer, max_length: int, stride: int = 16) -> list[Window]:
    """Windows covering every word of every sentence (see the module docstring)."""
    budget = max_length - tokenizer.num_special_tokens_to_add()
    windows = []
    for index, words in enumerate(sentences):
        if not words:
            continue
        for start, end, own_start, own_end in _spans(_word_lengths(words, tokenizer), budget, stride):
            encoded = tokenizer(words[start:end], is_split_into_words=True, truncation=True, max_length=max_length)
            first: dict[int, int] = {}
            for position, word in enumerate(encoded.word_ids()):
                if word is not None and start + word not in first:
                    first[start + word] = position
            windows.append(Window(index, start, end, own_start, own_end, encoded["input_ids"], first))
    return windows


def window_labels(window: Window, tags: list[int]) -> list[int]:
    """Loss labels of a window: the tag id on the first subword of each owned word, else -100."""
    labels = [IGNORE] * len(window.input_ids)
    for word in range(window.own_start, window.own_end):
        position = window.first_subword.get(word)
        if position is not None:
            labels[position] = tags[word]
    return labels


def item_weights(windows: list[Window], labels: list[list[int]]) -> list[float] | None:
    """The loss weight of each window's labelled words, so that a long item counts as one item.

    Truncation (run_ner.py) trains on one window of every item; windows train on all of a long
    item's words, which would give it as much weight as that many items. So a window of an item
    cut into n gets 1/n, rescaled so the mean weight of a labelled word over the training set stays
    1 (the step size is unchanged). ``None`` when every item fits one window: then the loss is
    exactly the canonical one, with no weights at all."""
    per_item: dict[int, int] = {}
    for window in windows:
        per_item[window.sentence] = per_item.get(window.sentence, 0) + 1
    if all(count == 1 for count in per_item.values()):
        return None
    shares = [1.0 / per_item[window.sentence] for window in windows]
    labelled = [sum(label != IGNORE for label in row) for row in labels]
    weighted = sum(share * count for share, count in zip(shares, labelled, strict=True))
    scale = sum(labelled) / weighted if weighted else 1.0
    return [share * scale for share in shares]


def words_from_windows(
    windows: list[Window], logits: list[np.ndarray], sentence_lengths: list[int], outside: int = 0
) -> list[list[int]]:
    """The predicted label id of every word of every sentence, from each window's logits.

    A word without a subword (the tokenizer drops it) gets ``outside``, the id of ``O``."""
    predictions = [[outside] * length for length in sentence_lengths]
    for window, scores in zip(windows, logits, strict=True):
        for word in range(window.own_start, window.own_end):
            position = window.first_subword.get(word)
            if position is not None and position < len(scores):
                predictions[window.sentence][word] = int(np.argmax(scores[position]))
    return predictions


def text_windows(
    texts: list[str], pairs: list[str] | None, tokenizer, max_length: int, stride: int = 64
) -> tuple[dict[str, list], list[int]]:
    """Tokenized windows of (pairs of) texts and, for each window, the index of its example."""
    encoded = tokenizer(
        texts,
        pairs,
        truncation="only_first" if pairs is not None else True,
        max_length=max_length,
        stride=stride,
        return_overflowing_tokens=True,
    )
    owners = list(encoded.pop("overflow_to_sample_mapping"))
    return dict(encoded), owners


def mean_by_owner(logits: np.ndarray, owners: list[int], count: int) -> np.ndarray:
    """Average the windows' logits per example (a long text counts every part of it)."""
    totals = np.zeros((count, logits.shape[-1]), dtype=np.float64)
    seen = np.zeros(count)
    for row, owner in enumerate(owners):
        totals[owner] += logits[row]
        seen[owner] += 1
    return totals / np.maximum(seen, 1)[:, None]
