"""The open NER data sets of ``ner_vs_canonical.py``, each a different shape of data.

Every set is read once with adapterkit's readers (orphan ``I-`` repaired to ``B-``, malformed tags to
``O``; BRAT documents as BIO sentences), cut into items as its shape says, shuffled once with a
fixed seed and split into training and test items. Both recipes then read the same two CoNLL files.

- ``monero``: MoNERo (Romanian biomedical), sentences of ~30 words, 4 frequent types, a few
  sentences over the 256-subword limit.
- ``cantemist``: the CANTEMIST training documents (Spanish oncology notes) as sentences of ~20
  words, one type, 4 in 5 sentences without an entity (mostly empty).
- ``cantemist-short``: the same sentences cut into pieces of at most 8 words (never inside an
  entity): very short items, mostly empty; 4x as many items, so many more optimiser steps per epoch.
- ``cantemist-docs``: whole CANTEMIST documents, one item each (hundreds of words): long documents,
  where a recipe that truncates at the subword limit never sees most words.
- ``mantra``: the Mantra GSC in all five languages (Medline titles, drug-leaflet sentences,
  patent claims), short items, UMLS semantic groups as types: 10+ types, most of them rare.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import replace
from pathlib import Path

SPLIT_SEED = 42  # the train/test items are the same for every seed and recipe
SHORT_WORDS = 8
MANTRA_LANGUAGES = ("Dutch", "English", "French", "German", "Spanish")

# name -> (path under the shared data folder, default training / test items, display name)
SHAPES = {
    "monero": ("monero/MoNERo.txt", 1500, 400, "MoNERo"),
    "cantemist": ("cantemist/train-set/cantemist-ner", 3000, 800, "CANTEMIST sentences"),
    "cantemist-short": ("cantemist/train-set/cantemist-ner", 3000, 800, "CANTEMIST short pieces"),
    "cantemist-docs": ("cantemist/train-set/cantemist-ner", 150, 50, "CANTEMIST documents"),
    "mantra": ("mantra-gsc", 1200, 400, "Mantra GSC (5 languages)"),
}


def read_shape(name: str, corpus: Path) -> list:
    """The items (adapterkit ``Sentence``s) of data set ``name`` read from ``corpus``, in file order."""
    from adapterkit.readers.formats import read_task

    if name == "mantra":
        groups = [f"{language}={corpus / language}" for language in MANTRA_LANGUAGES if (corpus / language).is_dir()]
        data = read_task([Path(group) for group in groups], repair=True, preset="mantra")
        # a few groups are written out in words ("Manufactured Object"): no space inside a CoNLL tag
        return [replace(s, tags=[tag.replace(" ", "_") for tag in s.tags]) for s in data.sentences]
    sentences = read_task([corpus], repair=True).sentences
    if name == "cantemist-short":
        return [piece for sentence in sentences for piece in _pieces(sentence, SHORT_WORDS)]
    if name == "cantemist-docs":
        documents: dict[str, list] = {}
        for sentence in sentences:
            documents.setdefault(sentence.doc_id, []).append(sentence)
        return [
            replace(parts[0], tokens=[w for s in parts for w in s.tokens], tags=[t for s in parts for t in s.tags])
            for parts in documents.values()
        ]
    return list(sentences)


def _pieces(sentence, most: int) -> list:
    """``sentence`` cut into pieces of at most ``most`` words, never before an ``I-`` tag."""
    pieces, start = [], 0
    while start < len(sentence.tokens):
        end = min(start + most, len(sentence.tokens))
        while end < len(sentence.tokens) and sentence.tags[end].startswith("I-") and end > start + 1:
            end -= 1
        while end < len(sentence.tokens) and sentence.tags[end].startswith("I-"):  # an entity longer than `most`
            end += 1
        pieces.append(replace(sentence, tokens=sentence.tokens[start:end], tags=sentence.tags[start:end]))
        start = end
    return pieces


def split(items: list, train: int, test: int, what: str) -> tuple[list, list]:
    """The items shuffled once (``SPLIT_SEED``): the first ``test`` are the test set, the next ``train``
    the training set."""
    items = list(items)
    random.Random(SPLIT_SEED).shuffle(items)
    if len(items) < train + test:
        raise SystemExit(f"--train {train} + --test {test}: {what} has only {len(items)} items")
    return items[test : test + train], items[:test]


def describe(items: list) -> str:
    """Words per item, share of items without an entity, entities per type (most frequent first)."""
    words = sorted(len(s.tokens) for s in items)
    empty = sum(all(tag == "O" for tag in s.tags) for s in items)
    types = Counter(tag[2:] for s in items for tag in s.tags if tag.startswith("B-"))
    listed = ", ".join(f"{kind} {count}" for kind, count in types.most_common(6))
    more = f" and {len(types) - 6} more types" if len(types) > 6 else ""
    return (
        f"{len(items)} items, words per item median {words[len(words) // 2]} (max {words[-1]}), "
        f"{empty / len(items):.0%} without an entity; {listed}{more}"
    )
