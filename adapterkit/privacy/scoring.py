"""Per-line masked-LM losses with fixed masks: the numbers the membership audit compares.

Both models of an audit (the adapter, the frozen base) score every line on the same masked
positions: the masks come from ``MLMCollator`` (``mlm.py``), whose draws depend only on the seed
and the line's own token ids. Each line is masked ``masks`` times with different seeds (more
positions, less noise); its loss is the mean cross-entropy over all its masked positions.
The head runs on the masked positions only, as in training (``mlm.MaskedOnlyLoss``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from torch import nn

from ..mlm import IGNORE_INDEX, MLMCollator, mlm_head


def encoder_and_head(model: nn.Module) -> tuple[nn.Module, nn.Module]:
    """The encoder and the MLM head of a masked LM, a PEFT model around one, or an Opacus wrapper.

    PEFT injects the LoRA layers into the wrapped model's modules, so running these two runs the
    adapter (and a head trained with it, through PEFT's ``modules_to_save`` wrapper).
    """
    inner = model
    for _ in range(4):
        if hasattr(inner, "get_base_model"):
            inner = inner.get_base_model()
        elif hasattr(inner, "_module"):  # opacus GradSampleModule
            inner = inner._module
        else:
            break
    return getattr(inner, inner.base_model_prefix), mlm_head(inner)


def encoded_batch(model: nn.Module, batch: dict) -> tuple[nn.Module, torch.Tensor, torch.Tensor]:
    """The MLM head, the encoder's hidden states of ``batch`` and its masked positions (with grad)."""
    encoder, head = encoder_and_head(model)
    hidden = encoder(
        input_ids=batch["input_ids"],
        attention_mask=batch.get("attention_mask"),
        token_type_ids=batch.get("token_type_ids"),
        return_dict=True,
    ).last_hidden_state
    return head, hidden, batch["labels"] != IGNORE_INDEX


def masked_token_losses(model: nn.Module, batch: dict) -> tuple[torch.Tensor, torch.Tensor]:
    """Cross-entropy of every masked position of ``batch`` and the row it belongs to (with grad)."""
    head, hidden, selected = encoded_batch(model, batch)
    labels = batch["labels"]
    scores = head(hidden[selected]).float()
    losses = nn.functional.cross_entropy(scores, labels[selected], reduction="none")
    return losses, selected.nonzero()[:, 0]


@torch.no_grad()
def line_losses(
    model: nn.Module,
    tokenizer,
    lines: Sequence[str],
    max_length: int,
    probability: float = 0.15,
    seed: int = 0,
    masks: int = 4,
    batch_size: int = 32,
) -> np.ndarray:
    """Mean masked-LM loss of each line over ``masks`` fixed mask draws; NaN for a line with no masked token."""
    was_training = model.training
    model.eval()
    device = next(model.parameters()).device
    encoded = tokenizer(list(lines), truncation=True, max_length=max_length)["input_ids"]
    total = np.zeros(len(lines))
    count = np.zeros(len(lines))
    for draw in range(masks):
        collator = MLMCollator(tokenizer, probability, seed=seed * 1_000 + draw)
        for start in range(0, len(encoded), batch_size):
            rows = range(start, min(start + batch_size, len(encoded)))
            batch = collator([{"input_ids": encoded[row]} for row in rows])
            batch = {key: value.to(device) for key, value in batch.items()}
            if not (batch["labels"] != IGNORE_INDEX).any():
                continue
            losses, owners = masked_token_losses(model, batch)
            owners = owners.cpu().numpy() + start
            np.add.at(total, owners, losses.double().cpu().numpy())
            np.add.at(count, owners, 1)
    model.train(was_training)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / np.maximum(count, 1), np.nan)
