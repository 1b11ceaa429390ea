"""Rebuilding a base around a new vocabulary: tokenizer surgery (``extend_tokenizer`` appends
pieces to the base's WordPiece vocabulary, ``replace_tokenizer`` replaces it, both with the base's
normalisation and special tokens, saved and checked as reloaded) and embedding initialisation
(``init_new_embeddings``, ``init_replaced_embeddings``: each row the base lacked starts as the mean
of the rows of its old segmentation, known rows are kept or copied, the MLM decoder stays tied).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import torch
from transformers import AutoTokenizer, BertTokenizer, PreTrainedModel

from .pieces import PREFIX, extended_vocab, require_wordpiece


def _bert_settings(tokenizer) -> dict:
    """The constructor settings of a BERT tokenizer, read from its normaliser (what it really does)."""
    state = json.loads(tokenizer.backend_tokenizer.normalizer.__getstate__())
    special = {
        name: str(getattr(tokenizer, name))
        for name in ("unk_token", "sep_token", "pad_token", "cls_token", "mask_token")
        if getattr(tokenizer, name, None) is not None
    }
    return {
        "do_lower_case": state["lowercase"],
        "strip_accents": state["strip_accents"],
        "tokenize_chinese_chars": state["handle_chinese_chars"],
        "model_max_length": tokenizer.model_max_length,
        **special,
    }


def _check_extension(old, new, pieces: list[str]) -> None:
    """Old ids unchanged, new pieces at the end, and segmentation really uses them."""
    old_vocab, new_vocab = old.get_vocab(), new.get_vocab()
    if any(new_vocab.get(piece) != index for piece, index in old_vocab.items()):
        raise RuntimeError("extending the vocabulary moved ids of the base vocabulary")
    if new.convert_tokens_to_ids(pieces) != list(range(len(old), len(old) + len(pieces))):
        raise RuntimeError("the new pieces did not get the ids after the base vocabulary")
    words = [piece for piece in pieces if not piece.startswith(PREFIX)]
    if words and new.tokenize(words[-1]) != [words[-1]]:
        raise RuntimeError(f"the extended tokenizer does not segment {words[-1]!r} with its new piece")


def extend_tokenizer(tokenizer, pieces: list[str], out_dir: Path):
    """A BERT tokenizer whose WordPiece vocabulary is the base's plus ``pieces``, saved to ``out_dir``.

    Built from the extended vocabulary with the base's normalisation settings (lower-casing,
    accent stripping, Chinese characters) and special tokens, saved (``tokenizer.json``,
    ``tokenizer_config.json`` and a ``vocab.txt`` for tools that read BERT vocabularies), and
    returned as loaded back from ``out_dir``: what every later step and user will get.
    """
    require_wordpiece(tokenizer, "--base")
    vocab = extended_vocab(tokenizer, pieces)
    extended = BertTokenizer(vocab=vocab, **_bert_settings(tokenizer))
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    extended.save_pretrained(out_dir)
    (out_dir / "vocab.txt").write_text("".join(f"{piece}\n" for piece in sorted(vocab, key=vocab.__getitem__)))
    reloaded = AutoTokenizer.from_pretrained(out_dir, use_fast=True)
    _check_extension(tokenizer, reloaded, pieces)
    return reloaded


def old_segmentation(piece: str, tokenizer) -> list[int]:
    """Ids of ``piece`` as the base WordPiece model segments it; a ``##`` piece as a word continuation.

    The WordPiece model is called directly (the piece is already normalised and is one word).
    It looks the first sub-piece up verbatim and prefixes the following ones with ``##``, so
    "##atie" segments as "atie" does inside a word (##ati ##e with MiniLM's vocabulary), not as
    a word start would (at ##ie).
    Should that give anything but continuation pieces (no ``##`` piece for its first
    character), the bare string is segmented as a word instead. [UNK] only if nothing matches.
    """
    model = tokenizer.backend_tokenizer.model
    tokens = model.tokenize(piece)
    bare = piece.removeprefix(PREFIX)
    if bare and bare != piece and not all(token.value.startswith(PREFIX) for token in tokens):
        tokens = model.tokenize(bare)
    return [token.id for token in tokens] or [tokenizer.unk_token_id]


def init_new_embeddings(
    model: PreTrainedModel, old_tokenizer, new_tokenizer, pieces: list[str]
) -> dict[str, list[int]]:
    """Resize the embeddings to the new vocabulary and set each new row to the mean of its old pieces.

    Mean-of-subwords starts each new piece where the base already "reads" that string, so MLM
    continues from a sensible point instead of from noise. The output bias of a new piece is set
    the same way (mean of its pieces' biases). The MLM decoder shares its weight with the
    embeddings; that tie is checked. Returns each piece's old segmentation (ids), for the record.
    """
    first = len(old_tokenizer)
    new_ids = new_tokenizer.convert_tokens_to_ids(pieces)
    if new_ids != list(range(first, first + len(pieces))) or len(new_tokenizer) != first + len(pieces):
        raise ValueError("new_tokenizer must be old_tokenizer's vocabulary with exactly `pieces` appended")
    # The new rows are all overwritten below: skip transformers' mean/covariance initialisation.
    model.resize_token_embeddings(len(new_tokenizer), mean_resizing=False)
    weight = model.get_input_embeddings().weight
    bias = getattr(model.get_output_embeddings(), "bias", None)
    sources = {piece: old_segmentation(piece, old_tokenizer) for piece in pieces}
    with torch.no_grad():
        for piece, new_id in zip(pieces, new_ids, strict=True):
            rows = torch.tensor(sources[piece])
            weight[new_id] = weight[rows].mean(dim=0)
            if bias is not None:
                bias[new_id] = bias[rows].mean()
    _check_tied(model, len(new_tokenizer))
    return sources


def replace_tokenizer(tokenizer, pieces: list[str], out_dir: Path):
    """A BERT tokenizer whose WordPiece vocabulary is ``pieces`` (in id order), saved to ``out_dir``.

    The base's normalisation settings and special tokens, as ``extend_tokenizer``; returned as
    loaded back from ``out_dir``, after checking that every piece has its id and that nothing
    was added beside the vocabulary.
    """
    require_wordpiece(tokenizer, "--base")
    if len(set(pieces)) != len(pieces):
        raise ValueError("the new vocabulary repeats pieces")
    missing = [token for token in tokenizer.all_special_tokens if token not in pieces]
    if missing:
        raise ValueError(f"the new vocabulary lacks the base's special tokens {missing}")
    vocab = {piece: index for index, piece in enumerate(pieces)}
    replaced = BertTokenizer(vocab=vocab, **_bert_settings(tokenizer))
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    replaced.save_pretrained(out_dir)
    (out_dir / "vocab.txt").write_text("".join(f"{piece}\n" for piece in pieces))
    reloaded = AutoTokenizer.from_pretrained(out_dir, use_fast=True)
    if reloaded.get_vocab() != vocab or len(reloaded) != len(pieces):
        raise RuntimeError("the saved tokenizer does not hold exactly the new vocabulary")
    return reloaded


@dataclass
class Replacement:
    """How each row of a replaced vocabulary was made."""

    copied: list[str]  # pieces the base had: row and output bias copied (special tokens included)
    initialised: dict[str, list[int]]  # pieces it lacked: their old segmentation (mean of those rows)


def init_replaced_embeddings(model: PreTrainedModel, old_tokenizer, new_tokenizer) -> Replacement:
    """Rebuild the embedding matrix (and tied decoder, output bias) for ``new_tokenizer``'s vocabulary.

    Row ``i`` of the result belongs to the new vocabulary's piece ``i``: the base's own row where
    the base had the piece (copied exactly, so what the base knew is kept), otherwise the mean of
    the rows of the piece's old segmentation, as for an extension. Output biases likewise. The
    config's special-token ids follow their tokens to their new ids.
    """
    old_vocab = old_tokenizer.get_vocab()
    new_vocab = new_tokenizer.get_vocab()
    pieces = sorted(new_vocab, key=new_vocab.__getitem__)
    if [new_vocab[piece] for piece in pieces] != list(range(len(pieces))) or len(new_tokenizer) != len(pieces):
        raise ValueError("new_tokenizer must hold a plain vocabulary with ids 0..n-1 and no added tokens")
    old_rows = model.get_input_embeddings().weight.detach().clone()
    old_decoder = model.get_output_embeddings()
    old_bias = old_decoder.bias.detach().clone() if getattr(old_decoder, "bias", None) is not None else None
    copied = [piece for piece in pieces if piece in old_vocab]
    initialised = {piece: old_segmentation(piece, old_tokenizer) for piece in pieces if piece not in old_vocab}
    # Every row is overwritten below: skip transformers' mean/covariance initialisation.
    model.resize_token_embeddings(len(pieces), mean_resizing=False)
    weight = model.get_input_embeddings().weight
    bias = getattr(model.get_output_embeddings(), "bias", None)
    with torch.no_grad():
        new_ids = torch.tensor([new_vocab[piece] for piece in copied], dtype=torch.long)
        old_ids = torch.tensor([old_vocab[piece] for piece in copied], dtype=torch.long)
        weight[new_ids] = old_rows[old_ids]
        if bias is not None and old_bias is not None:
            bias[new_ids] = old_bias[old_ids]
        for piece, sources in initialised.items():
            rows = torch.tensor(sources)
            weight[new_vocab[piece]] = old_rows[rows].mean(dim=0)
            if bias is not None and old_bias is not None:
                bias[new_vocab[piece]] = old_bias[rows].mean()
    old_names = {index: piece for piece, index in old_vocab.items()}
    for name in ("pad_token_id", "bos_token_id", "eos_token_id", "sep_token_id", "cls_token_id", "mask_token_id"):
        old_id = getattr(model.config, name, None)
        if isinstance(old_id, int) and old_names.get(old_id) in new_vocab:
            setattr(model.config, name, new_vocab[old_names[old_id]])
    _check_tied(model, len(pieces))
    return Replacement(copied, initialised)


def _check_tied(model: PreTrainedModel, vocab_size: int) -> None:
    decoder = model.get_output_embeddings()
    embeddings = model.get_input_embeddings().weight
    tied = decoder.weight is embeddings or torch.equal(decoder.weight, embeddings)
    if not tied or decoder.weight.shape[0] != vocab_size:
        raise RuntimeError("after resizing, the MLM decoder is no longer tied to the word embeddings")
    if getattr(decoder, "bias", None) is not None and decoder.bias.shape[0] != vocab_size:
        raise RuntimeError(f"after resizing, the output bias has {decoder.bias.shape[0]} entries, not {vocab_size}")
