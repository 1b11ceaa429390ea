"""Windowing: long sentences are covered, every word is predicted exactly once."""

from __future__ import annotations

import numpy as np
import pytest
from transformers import AutoTokenizer

from adapterkit.tasks.encode import (
    _spans,
    item_weights,
    mean_by_owner,
    ner_windows,
    window_labels,
    words_from_windows,
)


@pytest.fixture(scope="module")
def tokenizer(embedded_path):
    return AutoTokenizer.from_pretrained(embedded_path)


def test_window_spans_own_every_word_exactly_once_for_any_lengths():
    rng = np.random.default_rng(0)
    for _ in range(500):
        lengths = rng.integers(1, 7, size=rng.integers(1, 80)).tolist()
        budget, stride = int(rng.integers(1, 40)), int(rng.integers(0, 12))
        owned = []
        for start, end, own_start, own_end in _spans(lengths, budget, stride):
            assert start <= own_start < own_end <= end
            owned += range(own_start, own_end)
        assert owned == list(range(len(lengths)))


def test_a_sentence_longer_than_the_model_limit_gets_a_prediction_for_every_word(tokenizer):
    words = [f"metformine{i % 7}" if i % 3 else "hypertensie" for i in range(300)]
    windows = ner_windows([words, ["kort", "zinnetje"]], tokenizer, max_length=32, stride=4)
    assert all(len(window.input_ids) <= 32 for window in windows)
    assert len([w for w in windows if w.sentence == 0]) > 10
    # fake logits: the label of each position is the word index it stands for (mod 5)
    logits = []
    for window in windows:
        scores = np.zeros((len(window.input_ids), 5))
        for word, position in window.first_subword.items():
            scores[position, word % 5] = 1.0
        logits.append(scores)
    predicted = words_from_windows(windows, logits, [300, 2])
    assert predicted[0] == [i % 5 for i in range(300)]
    assert predicted[1] == [0, 1]


def test_only_owned_words_carry_training_labels(tokenizer):
    words = ["woord"] * 100
    windows = ner_windows([words], tokenizer, max_length=24, stride=3)
    labelled = 0
    for window in windows:
        labels = window_labels(window, list(range(100)))
        targets = [label for label in labels if label != -100]
        assert targets == list(range(window.own_start, window.own_end))
        labelled += len(targets)
    assert labelled == 100


def test_a_long_items_windows_share_one_items_weight_and_a_words_mean_weight_stays_one(tokenizer):
    sentences = [["woord"] * 100, ["kort", "zinnetje"], ["nog", "een", "zin"]]
    windows = ner_windows(sentences, tokenizer, max_length=24, stride=3)
    labels = [window_labels(w, [0] * len(sentences[w.sentence])) for w in windows]
    weights = item_weights(windows, labels)
    pieces = len([w for w in windows if w.sentence == 0])
    assert pieces > 3 and weights is not None
    labelled = [sum(label != -100 for label in row) for row in labels]
    # every window of the long sentence weighs 1/pieces of a short sentence's window
    short = {weight for w, weight in zip(windows, weights, strict=True) if w.sentence != 0}
    long = {round(weight * pieces, 12) for w, weight in zip(windows, weights, strict=True) if w.sentence == 0}
    assert len(short) == 1 and long == {round(short.pop(), 12)}
    # the mean weight of a labelled word is 1: the learning rate means what it meant
    assert sum(w * n for w, n in zip(weights, labelled, strict=True)) == pytest.approx(sum(labelled))


def test_items_that_fit_one_window_get_no_weights_at_all(tokenizer):
    windows = ner_windows([["kort", "zinnetje"], ["nog", "een", "zin"]], tokenizer, max_length=24, stride=3)
    assert item_weights(windows, [window_labels(w, [0, 0, 0]) for w in windows]) is None


def test_long_texts_are_scored_by_the_mean_of_their_windows():
    logits = np.array([[1.0, 0.0], [3.0, 2.0], [0.0, 5.0]])
    assert mean_by_owner(logits, [0, 0, 1], 2).tolist() == [[2.0, 1.0], [0.0, 5.0]]
