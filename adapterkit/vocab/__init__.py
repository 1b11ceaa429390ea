"""Vocabulary extension (study B): domain WordPiece pieces added to a BERT base, then MLM.

A multilingual WordPiece vocabulary cuts clinical words of a small language into many short
pieces ("hypertensie" -> hyper ##tens ##ie): long sequences, and pieces whose embeddings carry
little of the word. Study B trains a WordPiece vocabulary on the domain corpus with the base's
own normalisation, appends the pieces the base lacks to the base vocabulary itself, initialises
each new embedding row as the mean of the rows of its old segmentation, and continues MLM
pre-training so the new rows (and the model) learn their use.

Why the pieces go into the WordPiece vocabulary and not into ``added_tokens``: added tokens are
matched before WordPiece runs, as whole strings, so "##ie" would never be produced inside a
word and "hypertensie" would only match standing alone. Appending to the vocabulary keeps
greedy longest-match segmentation, which then prefers the new, longer pieces. Old ids do not
move, so every old row of the embedding matrix keeps its meaning.

Training (``extend_vocabulary``) is the ordinary ``run_pretrain`` on the extended base:
``mode="full"`` trains every weight, the new rows included; ``mode="lora"`` passes the new ids as
``PretrainConfig.new_token_ids``, so the LoRA adapter is built with PEFT's
``trainable_token_indices`` (only the new rows of the word embedding are trainable; the decoder is
tied to them, so PEFT ties its token adapter too). The adapter folder is plain PEFT on the extended
base.

``--mode new`` (``build_vocabulary`` with ``VocabSettings(vocab_mode="new")``) is study B as
published: the base's vocabulary is *replaced* by a new WordPiece vocabulary of ``size`` pieces
trained on the domain corpora. The special tokens keep their embeddings and come first; every
other piece the base already had gets its row (and output bias) copied from the base, every piece
it lacked starts as the mean of its old sub-pieces (the initialisation above). The MLM decoder
stays tied to the rebuilt embedding matrix. With ``lora`` training the initialised rows are the
trainable ones.

The modules, one idea each: ``pieces`` (mining the new pieces, tokens per word), ``rebuild``
(tokenizer surgery, embedding initialisation), ``settings`` (``VocabSettings``, checked when made),
``build`` (the run: ``extend_vocabulary``, ``build_vocabulary``) and ``result`` (the result, its
summary and manifest). Every public name is re-exported here.
"""

from __future__ import annotations

from .build import build_vocabulary, extend_vocabulary
from .pieces import PREFIX, tokens_per_word, train_domain_pieces, train_new_vocabulary
from .rebuild import (
    Replacement,
    extend_tokenizer,
    init_new_embeddings,
    init_replaced_embeddings,
    old_segmentation,
    replace_tokenizer,
)
from .result import ExtendResult
from .settings import MODES, VOCAB_MODES, Mode, VocabMode, VocabSettings

__all__ = [
    "MODES",
    "PREFIX",
    "VOCAB_MODES",
    "ExtendResult",
    "Mode",
    "Replacement",
    "VocabMode",
    "VocabSettings",
    "build_vocabulary",
    "extend_tokenizer",
    "extend_vocabulary",
    "init_new_embeddings",
    "init_replaced_embeddings",
    "old_segmentation",
    "replace_tokenizer",
    "tokens_per_word",
    "train_domain_pieces",
    "train_new_vocabulary",
]
