"""The computations behind ``adapterkit analyse`` (the job is ``jobs/analyse.py``): the study's qualitative analyses.

They run models and return numbers; nothing here plots or writes (the figures are
``report.figures.tsne_plot``/``importance_figure``, the report section ``report.compare``).

- ``entity_embeddings``: the last-layer representation of every gold entity, the input of the
  study's t-SNE plots and of its intra-entity similarity (e.g. DISO 0.46 for mBERT vs 0.60 for
  mBERT-ro-bio: a domain-adapted encoder places entities of one type closer together).
- ``intra_entity_similarity``: mean pairwise cosine similarity among entities of one type.
- ``token_importance``: gradient × input attribution of a sequence classifier's logit to its
  input tokens (the study used LIME; gradient × input is deterministic, needs no sampling and
  one backward pass, and is what this module computes).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import torch
from seqeval.metrics.sequence_labeling import get_entities
from sklearn.metrics.pairwise import cosine_similarity

from .errors import AdapterkitError
from .readers.data import Sentence


@dataclass
class EntitySpan:
    """One gold entity: words ``[start, end)`` of sentence ``sentence``, of type ``kind``."""

    sentence: int
    kind: str
    start: int
    end: int


@dataclass
class EntityEmbeddings:
    """One row per embedded entity, its type, and the entities that could not be embedded."""

    embeddings: np.ndarray  # (n_entities, hidden), float32
    types: list[str]
    spans: list[EntitySpan]
    skipped_beyond_limit: list[EntitySpan] = field(default_factory=list)  # past max_length subwords
    skipped_no_subwords: list[EntitySpan] = field(default_factory=list)  # the tokenizer drops every word


def entity_spans(sentences: Sequence[Sentence]) -> list[EntitySpan]:
    """Gold BIO entities of every sentence, read as seqeval's conlleval mode reads them."""
    spans = []
    for index, sentence in enumerate(sentences):
        for kind, first, last in get_entities(list(sentence.tags)):
            spans.append(EntitySpan(index, kind, first, last + 1))
    return spans


def _model_limit(model, requested: int) -> int:
    """``requested`` capped by the model's position embeddings (a tiny test BERT has fewer than 512)."""
    config = getattr(model, "config", None)
    positions = getattr(config, "max_position_embeddings", None)
    if positions is None:
        return requested
    offset = 2 if getattr(config, "model_type", "") in ("roberta", "xlm-roberta", "camembert") else 0
    return min(requested, int(positions) - offset)


def _subword_positions(word_ids: list[int | None], start: int, end: int) -> list[int]:
    return [position for position, word in enumerate(word_ids) if word is not None and start <= word < end]


def _last_hidden_state(model, batch: dict[str, torch.Tensor]) -> torch.Tensor:
    """The encoder's last hidden state, for a task model, a masked LM, a bare encoder or a PEFT wrapper."""
    outputs = model(**batch, output_hidden_states=True)
    hidden = getattr(outputs, "hidden_states", None)
    if hidden is None:
        raise AdapterkitError(f"{type(model).__name__} returns no hidden states; give a transformers encoder model")
    return hidden[-1]


def _encode_sentences(tokenizer, sentences: Sequence[Sentence], limit: int) -> tuple[list, list[list[int]]]:
    """Truncated encodings and, per sentence, the subword count of every word without truncation."""
    encodings, lengths = [], []
    for sentence in sentences:
        full = tokenizer(sentence.tokens, is_split_into_words=True, add_special_tokens=False)
        counts = [0] * len(sentence.tokens)
        for word in full.word_ids():
            if word is not None:
                counts[word] += 1
        lengths.append(counts)
        encodings.append(tokenizer(sentence.tokens, is_split_into_words=True, truncation=True, max_length=limit))
    return encodings, lengths


@torch.no_grad()
def collect_entity_embeddings(
    model, tokenizer, sentences: Sequence[Sentence], max_length: int = 512, batch_size: int = 16
) -> EntityEmbeddings:
    """Mean last-layer hidden state over each gold entity's subwords, with what had to be skipped.

    Sentences are encoded once, truncated at ``max_length`` (capped by the model's limit); an
    entity is embedded only when *all* of its subwords fit, so no vector stands for a cut entity.
    Entities past the limit are not embedded but returned in ``skipped_beyond_limit``, so a caller
    can say how many there were (``entity_embeddings`` warns).
    """
    from transformers import DataCollatorWithPadding

    collator = DataCollatorWithPadding(tokenizer, return_tensors="pt")
    limit = _model_limit(model, max_length)
    spans = entity_spans(sentences)
    encodings, word_lengths = _encode_sentences(tokenizer, sentences, limit)
    model.eval()
    device = next(model.parameters()).device
    by_sentence: dict[int, list[EntitySpan]] = {}
    for span in spans:
        by_sentence.setdefault(span.sentence, []).append(span)
    result = EntityEmbeddings(np.zeros((0, 0), dtype=np.float32), [], [])
    rows: list[np.ndarray] = []
    indices = sorted(by_sentence)
    for begin in range(0, len(indices), batch_size):
        chunk = indices[begin : begin + batch_size]
        features = [{k: encodings[i][k] for k in ("input_ids", "attention_mask")} for i in chunk]
        batch = collator(features)
        hidden = _last_hidden_state(model, {k: v.to(device) for k, v in batch.items()}).float().cpu()
        for row, index in enumerate(chunk):
            word_ids = encodings[index].word_ids()
            for span in by_sentence[index]:
                expected = sum(word_lengths[index][span.start : span.end])
                positions = _subword_positions(word_ids, span.start, span.end)
                if expected == 0:
                    result.skipped_no_subwords.append(span)
                elif len(positions) < expected:
                    result.skipped_beyond_limit.append(span)
                else:
                    rows.append(hidden[row, positions].mean(dim=0).numpy())
                    result.types.append(span.kind)
                    result.spans.append(span)
    hidden_size = int(getattr(getattr(model, "config", None), "hidden_size", 0))
    result.embeddings = np.stack(rows).astype(np.float32) if rows else np.zeros((0, hidden_size), dtype=np.float32)
    return result


def entity_embeddings(
    model, tokenizer, sentences: Sequence[Sentence], max_length: int = 512
) -> tuple[np.ndarray, list[str]]:
    """Last-layer hidden state of every gold entity (mean over its subwords) and its type.

    Works for a ``*ForTokenClassification``, a masked LM, a bare encoder or a PEFT model: the last
    of ``output_hidden_states`` is taken, never the task head's logits. Entities whose subwords do
    not all fit in ``max_length`` are skipped, not truncated, and a ``UserWarning`` gives their
    count; ``collect_entity_embeddings`` returns them.
    """
    collected = collect_entity_embeddings(model, tokenizer, sentences, max_length)
    skipped = len(collected.skipped_beyond_limit)
    if skipped:
        warnings.warn(
            f"{skipped} entities lie beyond {max_length} subwords and were skipped", UserWarning, stacklevel=2
        )
    if collected.skipped_no_subwords:
        warnings.warn(
            f"{len(collected.skipped_no_subwords)} entities have no subword (the tokenizer drops them) and "
            "were skipped",
            UserWarning,
            stacklevel=2,
        )
    return collected.embeddings, collected.types


def intra_entity_similarity(embeddings: np.ndarray, types: Sequence[str]) -> dict[str, float]:
    """Mean pairwise cosine similarity among the entities of each type, self-pairs excluded.

    Each unordered pair counts once (the similarity matrix is symmetric, so the mean of its
    off-diagonal entries is the same). A type with fewer than two entities has no pair and is
    left out of the result rather than given an invented value.
    """
    embeddings = np.asarray(embeddings, dtype=np.float64)
    if embeddings.ndim != 2 or len(embeddings) != len(types):
        raise AdapterkitError(
            f"intra_entity_similarity: {len(types)} types for an embedding array of shape {embeddings.shape}; "
            "give one row per entity"
        )
    labels = np.asarray(list(types), dtype=object)
    result = {}
    for kind in sorted(set(types)):
        members = embeddings[labels == kind]
        if len(members) < 2:
            continue
        similarity = cosine_similarity(members)
        upper = np.triu_indices(len(members), k=1)
        result[kind] = float(similarity[upper].mean())
    return result


def token_importance(
    model, tokenizer, text: str, target: int | None = None, max_length: int = 512
) -> list[tuple[str, float]]:
    """Gradient × input attribution of a sequence classifier's logit to each input token.

    This is gradient × input, not LIME: the score of a token is the sum over the hidden dimension
    of (∂ logit / ∂ word embedding) ⊙ word embedding, for the logit of ``target`` or, when it is
    None, of the predicted class. For a model linear in its word embeddings the scores add up to
    the logit minus what does not come from the word embeddings (bias, position and segment
    embeddings). Every token of the model input is scored, special tokens included, in order;
    a text longer than ``max_length`` subwords is truncated for this analysis. Dropout is off
    (eval mode) and the model's parameter gradients are left untouched.
    """
    model.eval()
    device = next(model.parameters()).device
    encoded = tokenizer(text, truncation=True, max_length=_model_limit(model, max_length), return_tensors="pt")
    input_ids = encoded["input_ids"].to(device)
    with torch.enable_grad():
        embeddings = model.get_input_embeddings()(input_ids).detach().requires_grad_(True)
        extra = {k: v.to(device) for k, v in encoded.items() if k != "input_ids"}
        logits = model(inputs_embeds=embeddings, **extra).logits[0]
        if target is None:
            target = int(logits.argmax())
        if not 0 <= target < logits.shape[-1]:
            raise AdapterkitError(f"token_importance: target {target} is not a class of a {logits.shape[-1]}-way model")
        (gradient,) = torch.autograd.grad(logits[target], embeddings)
    scores = (gradient * embeddings).sum(dim=-1)[0].detach().float().cpu().tolist()
    tokens = tokenizer.convert_ids_to_tokens(input_ids[0].tolist())
    return list(zip(tokens, scores, strict=True))
