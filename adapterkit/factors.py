"""LoRA composition maths: the factors of loaded adapters, their weighted combination, merging.

Pure tensor code on PEFT models: no files, no registry. ``compose`` (the command), ``learned``
(fitted weights) and ``variants`` (composed variants) share it. ``fold_adapter`` folds one adapter
of any method (DoRA, IA³: not a sum of factors) into its base layers with PEFT's own merge.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import torch
from peft import PeftModel
from peft.tuners.lora import LoraLayer
from peft.utils import ModulesToSaveWrapper
from peft.utils.merge_utils import dare_linear, ties

from .errors import AdapterkitError


@dataclass
class Factors:
    """Per module, each part's (A, B, scaling); per head module, each part's state dict."""

    lora: dict[str, list[tuple[int, torch.Tensor, torch.Tensor, float]]] = field(default_factory=dict)
    heads: dict[str, list[tuple[int, dict[str, torch.Tensor]]]] = field(default_factory=dict)


def extract_factors(peft_model: PeftModel) -> Factors:
    """Read every part's LoRA factors and scalings exactly as PEFT holds them."""
    factors = Factors()
    for name, module in peft_model.get_base_model().named_modules():
        if isinstance(module, LoraLayer):
            for adapter in module.lora_A:
                index = int(adapter[1:])
                a = module.lora_A[adapter].weight.detach().clone()
                b = module.lora_B[adapter].weight.detach().clone()
                factors.lora.setdefault(name, []).append((index, a, b, float(module.scaling[adapter])))
        elif isinstance(module, ModulesToSaveWrapper):
            for adapter, copy in module.modules_to_save.items():
                state = {key: value.detach().clone() for key, value in copy.state_dict().items()}
                factors.heads.setdefault(name, []).append((int(adapter[1:]), state))
    return factors


def _truncate(delta: torch.Tensor, rank: int) -> tuple[torch.Tensor, torch.Tensor]:
    u, s, vh = torch.linalg.svd(delta.double(), full_matrices=False)
    k = min(rank, int((s > 0).sum()) or 1)
    root = s[:k].sqrt()
    return (vh[:k] * root[:, None]).to(delta.dtype), (u[:, :k] * root).to(delta.dtype)


def compose_factors(
    factors: Factors,
    weights: list[float],
    how: str,
    rank: int | None = None,
    density: float = 0.5,
    seed: int = 0,
    head_weights: list[float] | None = None,
    layer_weights: list[list[float]] | None = None,
) -> tuple[dict[str, tuple[torch.Tensor, torch.Tensor]], dict[str, dict[str, torch.Tensor]]]:
    """The composed (A, B) per module (scaling 1) and the composed head modules.

    ``layer_weights[i][l]``, when given, replaces ``weights[i]`` in encoder layer ``l``
    (learned per-layer weights); ``head_weights`` (default ``weights``) weight the mean of the
    parts' head modules.
    """

    def weight(i: int, module: str) -> float:
        if layer_weights is None:
            return weights[i]
        match = re.search(r"\.layer\.(\d+)\.", module)
        return layer_weights[i][int(match.group(1)) if match else 0]

    composed: dict[str, tuple[torch.Tensor, torch.Tensor]] = {}
    generator_state = torch.random.get_rng_state()
    torch.manual_seed(seed)  # DARE's random drop
    try:
        for name, entries in factors.lora.items():
            if how in ("stack", "merge", "learned"):
                a = torch.cat([a for _, a, _, _ in entries], dim=0)
                b = torch.cat([b * (weight(i, name) * s) for i, _, b, s in entries], dim=1)
                composed[name] = (a, b)
                continue
            deltas = [(b @ a) * s for _, a, b, s in entries]
            part_weights = torch.tensor([weights[i] for i, _, _, _ in entries], dtype=deltas[0].dtype)
            if how == "svd":
                delta = sum(w * d for w, d in zip(part_weights, deltas, strict=True))
            elif how == "ties":
                delta = ties(deltas, part_weights, density, majority_sign_method="total")
            else:
                delta = dare_linear(deltas, part_weights, density)
            composed[name] = _truncate(delta, rank or sum(a.shape[0] for _, a, _, _ in entries))
    finally:
        torch.random.set_rng_state(generator_state)
    return composed, mean_heads(factors, head_weights or weights)


HEAD_RULE = "weighted mean of the parts' trained heads (sum w_i H_i / sum w_i), the same in stack and merge"


def head_record(heads: dict[str, dict[str, torch.Tensor]]) -> dict | None:
    """What the manifest says about the composed heads: which modules, and by which rule."""
    return {"modules": sorted(heads), "rule": HEAD_RULE} if heads else None


def mean_heads(factors: Factors, weights: list[float]) -> dict[str, dict[str, torch.Tensor]]:
    """Σ w_i H_i / Σ w_i for every head module the parts train in full."""
    heads = {}
    for name, entries in factors.heads.items():
        total = sum(weights[i] for i, _ in entries)
        if total == 0:
            raise AdapterkitError(f"the weights of the adapters that train {name} sum to 0: their head is undefined")
        heads[name] = {key: sum(weights[i] * state[key] for i, state in entries) / total for key in entries[0][1]}
    return heads


def fold_adapter(peft_model: PeftModel) -> dict[str, dict[str, torch.Tensor]]:
    """One adapter folded into the layers it wraps by PEFT's merge (exact for a single adapter, any
    method): adapted module name -> its merged state, for ``merge_into``'s ``heads``. Head modules
    the adapter trains in full are left out, as ``compose_factors``' heads are by a task start."""
    from peft.tuners.tuners_utils import BaseTunerLayer

    adapted = [
        name for name, module in peft_model.get_base_model().named_modules() if isinstance(module, BaseTunerLayer)
    ]
    merged = peft_model.merge_and_unload()
    return {
        name: {k: v.detach().clone() for k, v in merged.get_submodule(name).state_dict().items()} for name in adapted
    }


def merge_into(model: torch.nn.Module, composed: dict, heads: dict) -> torch.nn.Module:
    """Fold W += B A into every adapted linear layer and load the composed heads (exact).

    ``heads`` is module name -> state dict: composed heads, or the layers ``fold_adapter`` merged."""
    with torch.no_grad():
        for name, (a, b) in composed.items():
            module = model.get_submodule(name)
            module.weight += (b @ a).to(module.weight.dtype)
        for name, state in heads.items():
            model.get_submodule(name).load_state_dict(state)
    return model
