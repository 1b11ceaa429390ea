"""Learned composition weights: fit w_i (per adapter, or per adapter and layer) by MLM loss.

The idea of LoRAHub and AdapterFusion, for encoders: the adapters stay frozen, the base stays
frozen, only the scalar weights move. The stacked update of a module is
B_cat · diag(g) · A_cat with g = w_i repeated over part i's rank, so the model is exactly the
``stack`` composition at the current weights, and the gradient reaches the weights alone.
The parts' head modules (if any) are fixed at their mean under the starting weights.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from .factors import Factors, mean_heads
from .mlm import MLMCollator, heldout_perplexity

LAYER = re.compile(r"\.layer\.(\d+)\.")


@dataclass
class LearnedWeights:
    weights: list[float]  # per adapter (the mean over layers when per layer)
    per_layer: list[list[float]] | None  # [adapter][layer]
    perplexity_start: float
    perplexity_learned: float
    masked_tokens: int
    steps: int


def _layer_of(name: str) -> int:
    match = LAYER.search(name)
    return int(match.group(1)) if match else 0


@contextmanager
def stacked_lora(model: nn.Module, factors: Factors, weights: torch.Tensor):
    """Hooks that add Σ_i w_i s_i B_i A_i x to every adapted linear layer of ``model``.

    ``weights`` has shape (parts,) or (parts, layers); it is read on every forward, so it can
    be a parameter being optimised.
    """
    handles = []
    for name, entries in factors.lora.items():
        module = model.get_submodule(name)
        a = torch.cat([a for _, a, _, _ in entries], dim=0)
        b = torch.cat([b * s for _, _, b, s in entries], dim=1)
        parts = torch.tensor([i for i, _, _, _ in entries])
        ranks = torch.tensor([a_i.shape[0] for _, a_i, _, _ in entries])
        layer = _layer_of(name)

        def hook(_module, inputs, output, a=a, b=b, parts=parts, ranks=ranks, layer=layer):
            selected = weights[parts] if weights.dim() == 1 else weights[parts, layer]
            gate = torch.repeat_interleave(selected, ranks)
            return output + F.linear(F.linear(inputs[0], a) * gate, b)

        handles.append(module.register_forward_hook(hook))
    try:
        yield
    finally:
        for handle in handles:
            handle.remove()


def fit_weights(
    model: nn.Module,
    factors: Factors,
    start: list[float],
    train_set,
    heldout_set,
    collator: MLMCollator,
    per_layer: bool = False,
    steps: int = 100,
    lr: float = 0.05,
    batch_size: int = 8,
    seed: int = 0,
) -> LearnedWeights:
    """Minimise the MLM loss on ``train_set`` over the composition weights only."""
    for parameter in model.parameters():
        parameter.requires_grad_(False)
    for name, state in mean_heads(factors, start).items():
        model.get_submodule(name).load_state_dict(state)
    layers = 1 + max((_layer_of(name) for name in factors.lora), default=0)
    initial = torch.tensor(start, dtype=torch.float32)
    if per_layer:
        initial = initial[:, None].repeat(1, layers)
    weights = nn.Parameter(initial.clone())
    optimizer = torch.optim.Adam([weights], lr=lr)
    generator = torch.Generator().manual_seed(seed)
    model.eval()  # no dropout: the weights are fitted to the deterministic model
    with stacked_lora(model, factors, weights):
        with torch.no_grad():
            ppl_start, masked = heldout_perplexity(model, heldout_set, collator)
        for _ in range(steps):
            rows = torch.randint(len(train_set), (batch_size,), generator=generator).tolist()
            batch = collator([train_set[row] for row in rows])
            loss = model(**batch).loss
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        with torch.no_grad():
            ppl_learned, _ = heldout_perplexity(model, heldout_set, collator)
    learned = weights.detach()
    return LearnedWeights(
        weights=(learned.mean(dim=1) if per_layer else learned).tolist(),
        per_layer=learned.tolist() if per_layer else None,
        perplexity_start=ppl_start,
        perplexity_learned=ppl_learned,
        masked_tokens=masked,
        steps=steps,
    )
