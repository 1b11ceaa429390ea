"""Masked-language-model pieces shared by training and evaluation.

The masked-only loss: a standard ``*ForMaskedLM`` runs its vocabulary projection over every
position of every sequence, although only the ~15 % masked positions enter the loss. At mBERT's
119,547-piece vocabulary that projection is a large share of each step. ``masked_only_class``
derives a model class whose forward gathers the masked positions first and runs the head on
those alone; the loss is the same number (the same cross-entropy over the same positions).
"""

from __future__ import annotations

import hashlib
import math
from functools import cache

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from transformers import DataCollatorForLanguageModeling, PreTrainedModel, PreTrainedTokenizerBase, TrainerCallback
from transformers.modeling_outputs import MaskedLMOutput

IGNORE_INDEX = -100


def mlm_head(model: PreTrainedModel) -> nn.Module:
    """The position-wise prediction head of a BERT- or RoBERTa-style masked LM."""
    for attribute in ("cls", "lm_head"):
        head = getattr(model, attribute, None)
        if isinstance(head, nn.Module):
            return head
    raise TypeError(f"{type(model).__name__} has no 'cls' or 'lm_head' module to compute a masked-only loss")


class MaskedOnlyLoss:
    """Mixin for a ``*ForMaskedLM`` class: with ``labels``, score only the labelled positions.

    Returns ``MaskedLMOutput(loss=..., logits=None)``: the logits of the masked positions are
    not a (batch, length, vocab) tensor, and nothing in training needs them. Without labels the
    forward is the parent's, unchanged (full logits). ``num_items_in_batch`` (passed by the
    Trainer under gradient accumulation) turns the mean into a sum divided by the number of
    masked tokens across the accumulated micro-batches, exactly as transformers' own losses do.
    """

    def forward(  # type: ignore[override]
        self,
        input_ids: torch.Tensor | None = None,
        attention_mask: torch.Tensor | None = None,
        token_type_ids: torch.Tensor | None = None,
        labels: torch.Tensor | None = None,
        num_items_in_batch: torch.Tensor | int | None = None,
        **kwargs,
    ) -> MaskedLMOutput:
        if labels is None:
            return super().forward(  # type: ignore[misc]
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids, **kwargs
            )
        encoder = getattr(self, self.base_model_prefix)  # type: ignore[attr-defined]
        hidden = encoder(
            input_ids=input_ids,
            attention_mask=attention_mask,
            token_type_ids=token_type_ids,
            return_dict=True,
            **kwargs,
        ).last_hidden_state
        selected = labels != IGNORE_INDEX
        scores = mlm_head(self)(hidden[selected]).float()  # type: ignore[arg-type]
        targets = labels[selected]
        if num_items_in_batch is None:
            # An all-unmasked batch would give NaN (mean of nothing); keep the graph, contribute 0.
            loss = F.cross_entropy(scores, targets) if targets.numel() else scores.sum() * 0.0
        else:
            loss = F.cross_entropy(scores, targets, reduction="sum") / num_items_in_batch
        return MaskedLMOutput(loss=loss, logits=None)


@cache
def masked_only_class(model_class: type[PreTrainedModel]) -> type[PreTrainedModel]:
    """``model_class`` with the masked-only loss.

    The derived class keeps the parent's ``__name__`` and ``__module__`` on purpose: saved
    folders record them (``config.architectures``, PEFT's ``auto_mapping``), and must name the
    standard class (``transformers...BertForMaskedLM``) so that plain transformers and PEFT
    load them without adapterkit.
    """
    namespace = {"__module__": model_class.__module__, "__qualname__": model_class.__qualname__}
    return type(model_class.__name__, (MaskedOnlyLoss, model_class), namespace)


class MLMCollator(DataCollatorForLanguageModeling):
    """BERT masking whose random draws depend only on (seed, epoch, the example's own tokens).

    ``probability`` of the tokens are chosen; of those 80 % become [MASK], 10 % a random
    token, 10 % stay. Every example draws from its own generator, seeded from a hash of the
    seed, the epoch and its token ids, never from torch's global generator. Why: on
    ``--resume`` the Trainer fetches the first batches *before* it restores the global RNG
    state, so a collator on the global generator masks those batches differently from an
    uninterrupted run. Per-example keys also make the masks independent of how examples are
    batched: under ``torchrun`` with N processes × batch b an example gets the same mask as in
    one process × batch N·b, and held-out masks do not depend on the evaluation batch size.
    A block is still re-masked differently in every epoch (dynamic masking); ``MaskingEpoch``
    tells the collator the epoch.
    """

    def __init__(self, tokenizer: PreTrainedTokenizerBase, probability: float = 0.15, seed: int = 0) -> None:
        super().__init__(
            tokenizer, mlm_probability=probability, mask_replace_prob=0.8, random_replace_prob=0.1, seed=seed
        )
        self.epoch = 0
        self._rows: list[tuple[int, int]] = []  # (generator seed, unpadded length) per example of the batch

    def __call__(self, features, return_tensors=None):
        # A "length" column (kept for the length-grouped sampler) is no model input.
        features = [{key: value for key, value in feature.items() if key != "length"} for feature in features]
        self._rows = []
        for feature in features:
            ids = np.asarray(feature["input_ids"], dtype=np.int64)
            digest = hashlib.blake2b(f"{self.seed}|{self.epoch}|".encode() + ids.tobytes(), digest_size=8)
            self._rows.append((int.from_bytes(digest.digest(), "little") >> 1, len(ids)))
        return super().__call__(features, return_tensors)

    def torch_mask_tokens(self, inputs, special_tokens_mask=None, offset_mapping=None):
        """The parent's 80/10/10 masking, drawn row by row from each example's own generator."""
        labels = inputs.clone()
        if special_tokens_mask is None:
            special_tokens_mask = [
                self.tokenizer.get_special_tokens_mask(row, already_has_special_tokens=True) for row in labels.tolist()
            ]
        special = torch.as_tensor(special_tokens_mask, dtype=torch.bool)
        masked = torch.zeros_like(special)
        replaced = torch.zeros_like(special)
        randomized = torch.zeros_like(special)
        random_words = torch.zeros_like(labels)
        random_share = self.random_replace_prob / (1 - self.mask_replace_prob)  # of the non-[MASK] remainder
        width = labels.shape[1]
        for row, (seed, length) in enumerate(self._rows):
            generator = torch.Generator().manual_seed(seed)
            span = slice(width - length, width) if self.tokenizer.padding_side == "left" else slice(0, length)
            chosen = torch.bernoulli(torch.full((length,), self.mlm_probability), generator=generator).bool()
            chosen &= ~special[row, span]
            to_mask = torch.bernoulli(torch.full((length,), self.mask_replace_prob), generator=generator).bool()
            to_random = torch.bernoulli(torch.full((length,), random_share), generator=generator).bool()
            masked[row, span] = chosen
            replaced[row, span] = chosen & to_mask
            randomized[row, span] = chosen & ~to_mask & to_random
            random_words[row, span] = torch.randint(len(self.tokenizer), (length,), generator=generator)
        labels[~masked] = IGNORE_INDEX
        inputs[replaced] = self.tokenizer.convert_tokens_to_ids(self.tokenizer.mask_token)
        inputs[randomized] = random_words[randomized]
        return inputs, labels


class MaskingEpoch(TrainerCallback):
    """Keeps ``MLMCollator.epoch`` equal to the Trainer's epoch (also after a resume)."""

    def __init__(self, collator: MLMCollator) -> None:
        self.collator = collator

    def on_epoch_begin(self, args, state, control, **kwargs):
        self.collator.epoch = int(state.epoch or 0)


@torch.no_grad()
def heldout_perplexity(model: nn.Module, dataset, collator: MLMCollator, batch_size: int = 16) -> tuple[float, int]:
    """Held-out MLM perplexity and the number of masked tokens it was computed on.

    The collator's masks depend on each example's content only, so every model is scored on
    the same masked positions. Perplexity = exp(total cross-entropy / masked tokens).
    """
    was_training = model.training
    model.eval()
    device = next(model.parameters()).device
    total_loss, total_masked = 0.0, 0
    for start in range(0, len(dataset), batch_size):
        batch = collator([dataset[row] for row in range(start, min(start + batch_size, len(dataset)))])
        masked = int((batch["labels"] != IGNORE_INDEX).sum())
        if masked == 0:
            continue
        batch = {key: value.to(device) for key, value in batch.items()}
        loss = model(**batch).loss
        total_loss += float(loss) * masked
        total_masked += masked
    model.train(was_training)
    if total_masked == 0:
        return float("nan"), 0
    return math.exp(total_loss / total_masked), total_masked
