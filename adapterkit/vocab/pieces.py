"""Mining the pieces of a domain vocabulary: a WordPiece vocabulary trained on the domain corpus
with the base's own normaliser and pre-tokenizer, either the pieces it adds to the base
(``train_domain_pieces``, for an extension) or the whole of it (``train_new_vocabulary``, study B's
new vocabulary), ordered by use so that ids do not depend on the trainer's hash order; and
``tokens_per_word``, the fertility figure that shows what a vocabulary saves. Tokenizer-level
work only (``tokenizers``), no model weights.
"""

from __future__ import annotations

import json
from collections import Counter

from tokenizers import Tokenizer
from tokenizers.models import WordPiece

from ..errors import AdapterkitError

PREFIX = "##"  # WordPiece continuation prefix (BERT)


def require_wordpiece(tokenizer, where: str) -> None:
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
    require_wordpiece(tokenizer, "--base")
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
    extended = extended_vocab(tokenizer, candidates)
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


def extended_vocab(tokenizer, pieces: list[str]) -> dict[str, int]:
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
    require_wordpiece(tokenizer, "--base")
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


def tokens_per_word(lines: list[str], tokenizer) -> float:
    """Subword tokens per whitespace-separated word (fertility; lower: fewer pieces per word)."""
    words = sum(len(line.split()) for line in lines)
    if words == 0:
        raise AdapterkitError("tokens per word: the text has no words")
    encoded = tokenizer(lines, add_special_tokens=False)["input_ids"]
    return sum(len(ids) for ids in encoded) / words
