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

``--mode new`` (``build_vocabulary(..., vocab_mode="new")``) is study B as published: the base's
vocabulary is *replaced* by a new WordPiece vocabulary of ``size`` pieces trained on the domain
corpora. The special tokens keep their embeddings and come first; every other piece the base
already had gets its row (and output bias) copied from the base, every piece it lacked starts as
the mean of its old sub-pieces (the initialisation above). The MLM decoder stays tied to the
rebuilt embedding matrix. With ``lora`` training the initialised rows are the trainable ones.
"""

from __future__ import annotations

import json
import shutil
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Literal

import torch
from tokenizers import Tokenizer
from tokenizers.models import WordPiece
from transformers import AutoTokenizer, BertTokenizer, PreTrainedModel

from .choices import VOCAB_MODES
from .choices import VOCAB_TRAIN_MODES as MODES
from .corpus import CleaningReport, read_corpus, split_heldout, tokenize
from .errors import AdapterkitError
from .manifest import SCHEMA_VERSION
from .mlm import MLMCollator, heldout_perplexity
from .models import (
    BASE_INFO_FILE,
    Base,
    fingerprint,
    load_config,
    load_masked_lm,
    load_tokenizer,
    max_length,
    resolve_base,
)
from .pretrain import PretrainConfig, PretrainResult, run_pretrain
from .registry import MANIFEST, check_name, check_writable, write_json
from .safety import check_replaceable, write_marker
from .versions import versions

PREFIX = "##"  # WordPiece continuation prefix (BERT)
Mode = Literal["full", "lora"]
VocabMode = Literal["new", "extend"]


# --- pieces and tokenizers ------------------------------------------------------------------


def _require_wordpiece(tokenizer, where: str) -> None:
    """Extension rewrites a BERT WordPiece vocabulary; other tokenizer kinds would be corrupted."""
    backend = getattr(tokenizer, "backend_tokenizer", None)
    model_type = type(backend.model).__name__ if backend is not None else type(tokenizer).__name__
    normalizer = type(backend.normalizer).__name__ if backend is not None else None
    if model_type != "WordPiece" or normalizer != "BertNormalizer":
        raise AdapterkitError(
            f"{where}: vocabulary extension needs a BERT WordPiece tokenizer (fast); this base uses "
            f"{model_type} with {normalizer}; choose a BERT base such as bert-base-multilingual-cased"
        )


def train_domain_pieces(lines: list[str], tokenizer, size: int) -> list[str]:
    """WordPiece pieces of a ``size``-piece vocabulary trained on ``lines`` that the base lacks.

    ``train_new_from_iterator`` keeps the base's normaliser and pre-tokenizer, so the pieces live
    in the same text space as the base vocabulary (lower-cased and accent-stripped for an uncased
    base, untouched for a cased one). ``size`` is the size of the trained vocabulary, so at most
    ``size`` pieces are returned. Continuation pieces (``##…``) are kept; special tokens are
    dropped, and so are pieces that the extended tokenizer (base + pieces) never uses on
    ``lines``, such as "##." (punctuation is always split off) or a piece that longer base
    pieces always cover: rows that would never see a gradient. Dropping them changes no
    segmentation (greedy longest match never picked them).

    Order: most used first by the extended tokenizer on ``lines``, ties by the piece. Not the
    trainer's order: it breaks ties between equally frequent merges in hash order, which changes
    from run to run, and the order fixes the new ids.
    """
    if size <= 0:
        raise AdapterkitError(f"--size {size}: expected a positive vocabulary size such as 8000")
    _require_wordpiece(tokenizer, "--base")
    trained = tokenizer.train_new_from_iterator(lines, vocab_size=size, show_progress=False)
    vocab = trained.get_vocab()
    if len(vocab) > size:
        # WordPiece always keeps every character of the corpus (word-initial and ## forms).
        raise AdapterkitError(
            f"--size {size}: smaller than the corpus alphabet, which WordPiece always keeps "
            f"({len(vocab)} pieces with the special tokens); use a size well above {len(vocab)}"
        )
    known = tokenizer.get_vocab()
    special = set(trained.all_special_tokens) | set(tokenizer.all_special_tokens)
    candidates = sorted(piece for piece in vocab if piece not in known and piece not in special)
    extended = _extended_vocab(tokenizer, candidates)
    uses = _piece_uses(lines, tokenizer, extended)
    new = [piece for piece in candidates if uses[extended[piece]]]
    if not new:
        raise AdapterkitError(
            f"--size {size}: no trained piece would be used beside the base vocabulary; "
            "raise --size or use a larger domain corpus"
        )
    return sorted(new, key=lambda piece: (-uses[extended[piece]], piece))


def _piece_uses(lines: list[str], tokenizer, vocab: dict[str, int]) -> Counter[int]:
    """How often each id is produced on ``lines`` by the base tokenizer with ``vocab`` as its WordPiece."""
    backend = Tokenizer.from_str(tokenizer.backend_tokenizer.to_str())
    settings = json.loads(backend.to_str())["model"]
    backend.model = WordPiece(
        vocab,
        unk_token=settings["unk_token"],
        continuing_subword_prefix=settings["continuing_subword_prefix"],
        max_input_chars_per_word=settings["max_input_chars_per_word"],
    )
    encodings = backend.encode_batch(lines, add_special_tokens=False)
    return Counter(token for encoding in encodings for token in encoding.ids)


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


def _extended_vocab(tokenizer, pieces: list[str]) -> dict[str, int]:
    """The base WordPiece vocabulary with ``pieces`` appended: old ids unchanged, new ids after them."""
    vocab = tokenizer.backend_tokenizer.get_vocab(with_added_tokens=False)
    if len(tokenizer) != len(vocab) or sorted(vocab.values()) != list(range(len(vocab))):
        raise AdapterkitError(
            f"--base: its tokenizer has {len(tokenizer) - len(vocab)} added token(s) outside the WordPiece "
            "vocabulary; appending pieces would move their ids; extend a base without extra added tokens"
        )
    duplicates = [piece for piece in pieces if piece in vocab]
    if duplicates or len(set(pieces)) != len(pieces):
        raise ValueError(f"pieces must be new and distinct; already present or repeated: {duplicates[:5]}")
    return {**vocab, **{piece: len(vocab) + offset for offset, piece in enumerate(pieces)}}


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
    _require_wordpiece(tokenizer, "--base")
    vocab = _extended_vocab(tokenizer, pieces)
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


def train_new_vocabulary(lines: list[str], tokenizer, size: int) -> list[str]:
    """A new WordPiece vocabulary of at most ``size`` pieces trained on ``lines``, in id order.

    Trained as ``train_domain_pieces`` trains (the base's normaliser and pre-tokenizer), but kept
    whole: it replaces the base vocabulary (study B's new bilingual vocabulary), so every
    character piece stays even where the corpus never needs it alone. The base's special tokens
    come first, in the base's id order; then the pieces, most used first on ``lines``, ties by
    the piece (not the trainer's order, which breaks ties in hash order and would move ids).
    """
    if size <= 0:
        raise AdapterkitError(f"--size {size}: expected a positive vocabulary size such as 45000")
    _require_wordpiece(tokenizer, "--base")
    trained = tokenizer.train_new_from_iterator(lines, vocab_size=size, show_progress=False)
    vocab = trained.get_vocab()
    base_vocab = tokenizer.get_vocab()
    special = sorted(set(tokenizer.all_special_tokens), key=lambda token: base_vocab.get(token, len(base_vocab)))
    pieces = sorted(set(vocab) - set(special) - set(trained.all_special_tokens))
    if len(special) + len(pieces) > size:
        raise AdapterkitError(
            f"--size {size}: smaller than the corpus alphabet, which WordPiece always keeps "
            f"({len(special) + len(pieces)} pieces with the special tokens); use a size well above that"
        )
    ordered = {piece: index for index, piece in enumerate(special + pieces)}
    uses = _piece_uses(lines, tokenizer, ordered)
    return special + sorted(pieces, key=lambda piece: (-uses[ordered[piece]], piece))


def replace_tokenizer(tokenizer, pieces: list[str], out_dir: Path):
    """A BERT tokenizer whose WordPiece vocabulary is ``pieces`` (in id order), saved to ``out_dir``.

    The base's normalisation settings and special tokens, as ``extend_tokenizer``; returned as
    loaded back from ``out_dir``, after checking that every piece has its id and that nothing
    was added beside the vocabulary.
    """
    _require_wordpiece(tokenizer, "--base")
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


def tokens_per_word(lines: list[str], tokenizer) -> float:
    """Subword tokens per whitespace-separated word (fertility; lower: fewer pieces per word)."""
    words = sum(len(line.split()) for line in lines)
    if words == 0:
        raise AdapterkitError("tokens per word: the text has no words")
    encoded = tokenizer(lines, add_special_tokens=False)["input_ids"]
    return sum(len(ids) for ids in encoded) / words


# --- the run --------------------------------------------------------------------------------


@dataclass
class ExtendResult:
    """Where the extended base and the trained result are, and the study's figures."""

    out: Path
    base_dir: Path  # the extended, initialised, untrained base: a complete model folder
    model_dir: Path  # the trained result: a model folder (full) or a PEFT adapter on base_dir (lora)
    mode: str
    pieces: list[str]  # pieces the base lacked: appended (extend) or initialised in the new vocabulary (new)
    first_new_id: int | None  # extend: the id of the first appended piece; new: None (ids are all new)
    tokens_per_word: dict[str, float]  # on the corpus: before (base) / after (extended)
    perplexity: dict[str, float]  # held-out corpus: base / extended (untrained) / trained
    other_tokens_per_word: dict[str, float] | None = None
    other_perplexity: dict[str, float] | None = None  # the forgetting check, same keys
    manifest: dict = field(default_factory=dict)
    vocab_mode: str = "extend"
    copied: int = 0  # rows taken over from the base unchanged (the whole base vocabulary for extend)

    def summary(self) -> str:
        """A few lines for the console."""
        if self.first_new_id is None:
            what = (
                f"new vocabulary of {self.copied + len(self.pieces)} pieces: {self.copied} copied from the base, "
                f"{len(self.pieces)} initialised from their old sub-pieces"
            )
        else:
            last = self.first_new_id + len(self.pieces) - 1
            what = f"added {len(self.pieces)} pieces (ids {self.first_new_id}..{last})"
        text = [
            what,
            f"tokens per word: {self.tokens_per_word['before']:.3f} -> {self.tokens_per_word['after']:.3f}",
            "held-out perplexity: " + _figures(self.perplexity),
        ]
        if self.other_perplexity is not None and self.other_tokens_per_word is not None:
            text.append(
                f"other corpus: tokens per word {self.other_tokens_per_word['before']:.3f} -> "
                f"{self.other_tokens_per_word['after']:.3f}; perplexity " + _figures(self.other_perplexity)
            )
        text.append(f"saved: rebuilt base {self.base_dir}, trained {self.mode} result {self.model_dir}")
        return "\n".join(text)


def _figures(perplexity: dict[str, float]) -> str:
    return ", ".join(f"{name} {value:,.2f}" for name, value in perplexity.items())


def _say(message: str) -> None:
    print(message, flush=True)


@contextmanager
def _fresh_folder(out: Path, force: bool, inputs: list[Path | str]) -> Iterator[Path]:
    """``out`` as a new empty folder; a replaced one is kept aside until the new one is complete.

    On failure the partial folder is removed and the old one (with ``force``) put back.
    """
    _check_out(out, force, inputs)
    retired = out.with_name(f".old-{out.name}-{uuid.uuid4().hex[:8]}") if out.exists() else None
    if retired is not None:
        out.rename(retired)
    out.mkdir(parents=True)
    write_marker(out, "vocab")
    try:
        yield out
    except BaseException:
        shutil.rmtree(out, ignore_errors=True)
        if retired is not None:
            retired.rename(out)
        raise
    if retired is not None:
        shutil.rmtree(retired, ignore_errors=True)


def _check_out(out: Path, force: bool, inputs: list[Path | str]) -> None:
    check_writable(out, "--out")
    if out.exists() and not out.is_dir():
        raise AdapterkitError(f"--out {out} is a file: give a folder name")
    if out.exists() and not force:
        raise AdapterkitError(f"--out {out} already exists: choose another folder, or add --force to replace it")
    if force:
        check_replaceable(out, "vocab", inputs)


def _heldout_perplexity(model, lines: list[str], tokenizer, config: PretrainConfig) -> tuple[float, int]:
    """Perplexity on the held-out lines of ``lines``, split and packed exactly as ``pretrain`` does."""
    _, heldout = split_heldout(lines, config.heldout, config.seed)
    blocks = tokenize(heldout, tokenizer, config.max_seq_len, config.block_mode).remove_columns("length")
    return heldout_perplexity(model, blocks, MLMCollator(tokenizer, config.mlm_probability, seed=config.seed))


def _run_name(out: Path) -> str:
    try:
        return check_name(out.name)
    except AdapterkitError:
        return "extended-vocab"


@dataclass
class _Extension:
    """What extending the base produced, before training."""

    tokenizer: object  # the extended (or new) tokenizer, as saved in out/base
    sources: dict[str, list[int]]  # each piece the base lacked: its old segmentation
    copied: list[str]  # pieces whose rows were taken over from the base (new mode; extend: all old ones)
    head_is_new: bool
    base_fingerprint: str
    extended_fingerprint: str
    perplexity_base: float  # held-out corpus, base model and tokenizer
    other_perplexity: dict[str, float] | None  # base / extended, before training


def _extend_base(
    resolved: Base,
    tokenizer,
    pieces: list[str],
    lines: list[str],
    other: list[str] | None,
    config: PretrainConfig,
    vocab_mode: VocabMode = "extend",
) -> _Extension:
    """Write the rebuilt base into ``config.base``; score the base first, and the rebuilt base on ``other``.

    ``extend``: ``pieces`` are appended to the base vocabulary; ``new``: ``pieces`` are the whole
    new vocabulary, in id order.
    """
    folder = Path(config.base)
    if vocab_mode == "new":
        new_tokenizer = replace_tokenizer(tokenizer, pieces, folder)
    else:
        new_tokenizer = extend_tokenizer(tokenizer, pieces, folder)
    model, head_is_new = load_masked_lm(resolved)
    base_fingerprint = fingerprint(model)
    perplexity_base = _heldout_perplexity(model, lines, tokenizer, config)[0]
    other_ppl = {"base": _heldout_perplexity(model, other, tokenizer, config)[0]} if other else None
    if vocab_mode == "new":
        replacement = init_replaced_embeddings(model, tokenizer, new_tokenizer)
        sources, copied = replacement.initialised, replacement.copied
    else:
        sources, copied = init_new_embeddings(model, tokenizer, new_tokenizer, pieces), list(tokenizer.get_vocab())
    model.save_pretrained(folder)
    if head_is_new:  # still untrained: keep it marked, so that training treats it as new
        info = {"mlm_head": "new", "extended_from": resolved.name}
        (folder / BASE_INFO_FILE).write_text(json.dumps(info, indent=2) + "\n")
    if other_ppl is not None and other is not None:
        other_ppl["extended"] = _heldout_perplexity(model, other, new_tokenizer, config)[0]
    return _Extension(
        new_tokenizer, sources, copied, head_is_new, base_fingerprint, fingerprint(model), perplexity_base, other_ppl
    )


def _validated_config(
    out: Path, corpus: list[Path], mode: str, size: int, mode_option: str = "--mode", **settings
) -> PretrainConfig:
    """The pre-training run on ``out/base``, every option checked before any work."""
    if mode not in MODES:
        raise AdapterkitError(f"{mode_option} {mode!r}: choose full or lora")
    if size <= 0:
        raise AdapterkitError(f"--size {size}: expected a positive vocabulary size such as 8000")
    config = PretrainConfig(
        corpus=list(corpus),
        name=_run_name(out),
        base=str(out / "base"),
        full=mode == "full",
        output=out / "model",
        work_dir=out / "run",
        **settings,
    )
    config.validate()
    return config


def _wordpiece_base(base: str, max_seq_len: int) -> tuple[Base, object]:
    resolved = resolve_base(base)
    tokenizer = load_tokenizer(resolved)
    _require_wordpiece(tokenizer, f"--base {base}")
    limit = max_length(load_config(resolved))
    if max_seq_len > limit:
        raise AdapterkitError(f"--max-seq-len {max_seq_len}: {base} accepts at most {limit} tokens")
    return resolved, tokenizer


def extend_vocabulary(
    base: str,
    corpus: list[Path],
    size: int,
    out: Path,
    other_corpus: list[Path] | None = None,
    mode: Mode = "full",
    max_steps: int = -1,
    epochs: float = 5.0,
    batch_size: int = 8,
    grad_accum: int = 4,
    lr: float | None = None,
    max_seq_len: int = 128,
    seed: int = 42,
    force: bool = False,
) -> ExtendResult:
    """``build_vocabulary`` with ``vocab_mode="extend"``: the base keeps its vocabulary, new pieces are appended."""
    return build_vocabulary(
        base, corpus, size, out, "extend", other_corpus, mode, max_steps, epochs, batch_size, grad_accum, lr,
        max_seq_len, seed, force,
    )  # fmt: skip


def build_vocabulary(
    base: str,
    corpus: list[Path],
    size: int,
    out: Path,
    vocab_mode: VocabMode = "new",
    other_corpus: list[Path] | None = None,
    mode: Mode = "full",
    max_steps: int = -1,
    epochs: float = 5.0,
    batch_size: int = 8,
    grad_accum: int = 4,
    lr: float | None = None,
    max_seq_len: int = 128,
    seed: int = 42,
    force: bool = False,
    mode_option: str = "--mode",
) -> ExtendResult:
    """Study B end to end: train a vocabulary, rebuild tokenizer and embeddings, continue MLM, report.

    ``vocab_mode="new"`` replaces the base vocabulary by the trained one (the study's new bilingual
    vocabulary); ``"extend"`` appends the trained pieces the base lacks.

    Writes ``out/base`` (the extended base, a complete model folder: ``adapterkit pretrain
    --base out/base`` works), ``out/model`` (the trained result: a model folder for ``full``, a
    PEFT adapter on ``out/base`` for ``lora``), ``out/run`` (the training run's settings; its
    checkpoints are removed at the end) and ``out/adapterkit.json`` (pieces, figures,
    settings). Perplexities on the held-out lines (the same split as ``pretrain``): ``base``
    with the base tokenizer, ``extended`` and ``trained`` with the extended one; only the last
    two share masked positions (the tokenizations differ), so ``base`` is comparable to them
    only roughly. With ``other_corpus`` the same three figures are the forgetting check.
    Nothing is written before the options, corpora, base and size have been accepted.
    """
    out = Path(out)
    settings = dict(max_steps=max_steps, epochs=epochs, batch_size=batch_size, grad_accum=grad_accum, lr=lr, seed=seed)
    if vocab_mode not in VOCAB_MODES:
        raise AdapterkitError(f"--mode {vocab_mode!r}: choose new (replace the vocabulary) or extend (append to it)")
    config = _validated_config(out, corpus, mode, size, mode_option, max_seq_len=max_seq_len, **settings)
    inputs: list[Path | str] = [*corpus, *(other_corpus or []), base]
    _check_out(out, force, inputs)
    lines, cleaning = read_corpus(config.corpus)
    other_lines = read_corpus(list(other_corpus))[0] if other_corpus else None
    resolved, tokenizer = _wordpiece_base(base, max_seq_len)
    _say(f"corpus: {cleaning.summary()}")
    if vocab_mode == "new":
        pieces = train_new_vocabulary(lines, tokenizer, size)
    else:
        pieces = train_domain_pieces(lines, tokenizer, size)

    with _fresh_folder(out, force, inputs):
        extension = _extend_base(resolved, tokenizer, pieces, lines, other_lines, config, vocab_mode)
        new_tokenizer = extension.tokenizer
        fertility = {"before": tokens_per_word(lines, tokenizer), "after": tokens_per_word(lines, new_tokenizer)}
        if vocab_mode == "new":
            _say(
                f"vocabulary: new {len(pieces)}-piece vocabulary, {len(extension.copied)} rows copied from the "
                f"base, {len(extension.sources)} initialised; tokens per word "
                f"{fertility['before']:.3f} -> {fertility['after']:.3f}"
            )
            new_ids = new_tokenizer.convert_tokens_to_ids(list(extension.sources))
        else:
            _say(
                f"vocabulary: {len(pieces)} new pieces from a {size}-piece domain vocabulary; tokens per word "
                f"{fertility['before']:.3f} -> {fertility['after']:.3f}"
            )
            new_ids = list(range(len(tokenizer), len(new_tokenizer)))
        if not config.full:
            config.new_token_ids = new_ids
        trained = run_pretrain(config)
        shutil.rmtree(config.run_dir / "checkpoints", ignore_errors=True)  # no resume here: only space taken
        result = ExtendResult(
            out=out,
            base_dir=Path(config.base),
            model_dir=config.destination,
            mode=mode,
            pieces=pieces if vocab_mode == "extend" else list(extension.sources),
            first_new_id=len(tokenizer) if vocab_mode == "extend" else None,
            tokens_per_word=fertility,
            perplexity={
                "base": extension.perplexity_base,
                "extended": trained.manifest["perplexity"]["before"],
                "trained": trained.manifest["perplexity"]["after"],
            },
            vocab_mode=vocab_mode,
            copied=len(extension.copied),
        )
        if other_lines is not None and extension.other_perplexity is not None:
            result.other_tokens_per_word = {
                "before": tokens_per_word(other_lines, tokenizer),
                "after": tokens_per_word(other_lines, new_tokenizer),
            }
            trained_model = _load_trained(config)
            result.other_perplexity = {
                **extension.other_perplexity,
                "trained": _heldout_perplexity(trained_model, other_lines, new_tokenizer, config)[0],
            }
        result.manifest = _manifest(result, base, extension, cleaning, other_corpus, size, trained, settings, config)
        write_json(out / MANIFEST, result.manifest)
    _say(result.summary())
    return result


def _manifest(
    result: ExtendResult,
    base: str,
    extension: _Extension,
    cleaning: CleaningReport,
    other_corpus: list[Path] | None,
    size: int,
    trained: PretrainResult,
    settings: dict,
    config: PretrainConfig,
) -> dict:
    """``out/adapterkit.json``: what was added, how it was initialised, the figures, the settings."""
    return {
        "schema_version": SCHEMA_VERSION,
        "kind": "vocabulary-extension" if result.vocab_mode == "extend" else "new-vocabulary",
        "base": {
            "id": base,
            "fingerprint": extension.base_fingerprint,
            "mlm_head": "new" if extension.head_is_new else "pretrained",
        },
        "extended_base": {"path": str(result.base_dir), "fingerprint": extension.extended_fingerprint},
        "result": {"path": str(result.model_dir), "mode": result.mode},
        "vocabulary": {
            "mode": result.vocab_mode,
            "size": size,
            "added": len(result.pieces),
            "first_new_id": result.first_new_id,
            "vocab_size": len(extension.tokenizer),
            "copied": result.copied,
            "initialised": len(result.pieces),
            "pieces": result.pieces,
            "initialisation": "mean of the base embedding rows (and output biases) of each piece's old segmentation"
            + ("; pieces the base had (special tokens included): rows copied" if result.vocab_mode == "new" else ""),
            "old_segmentation": extension.sources,
        },
        "corpus": {
            "files": [record.to_dict() for record in cleaning.files],
            "tokens_per_word": result.tokens_per_word,
        },
        "perplexity": result.perplexity,
        "other_corpus": None
        if other_corpus is None
        else {
            "files": [str(path) for path in other_corpus],
            "tokens_per_word": result.other_tokens_per_word,
            "perplexity": result.other_perplexity,
        },
        "settings": {
            "mode": result.mode,
            **settings,
            "learning_rate": config.learning_rate,
            "max_seq_len": config.max_seq_len,
            "heldout_fraction": config.heldout,
        },
        "training": trained.manifest["training"],
        "versions": versions(),
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }


def _load_trained(config: PretrainConfig):
    """The trained result as saved: a model folder, or the adapter on the extended base."""
    if config.full:
        return load_masked_lm(resolve_base(str(config.destination)))[0]
    from peft import PeftModel

    model, _ = load_masked_lm(resolve_base(config.base))
    return PeftModel.from_pretrained(model, config.destination)
