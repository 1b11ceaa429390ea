"""LoRA: ΔW = (alpha / r) · B A on the chosen linear layers; the method adapterkit composes.

Defaults, chosen for MLM domain adaptation: rank 16, alpha 32 (scaling 2), dropout 0.05, on every
linear layer of every encoder block; learning rate 3e-4 (LoRA needs a larger step than the 2e-5 of
full training). The update is additive, so adapters stack and merge exactly (``compose.py``).
``stacked_config`` is the config of a composed adapter: per-module ranks, scaling 1.
"""

from __future__ import annotations

import re
from typing import Any

from .base import LAYERS, AdapterMethod, AdapterSettings, layer_pattern


def lora_config(settings: AdapterSettings, **more: Any):
    """PEFT's ``LoraConfig`` for ``settings`` (``more``: further LoraConfig fields, e.g. ``use_dora``)."""
    from peft import LoraConfig

    return LoraConfig(
        r=settings.r,
        lora_alpha=settings.alpha,
        lora_dropout=settings.dropout,
        target_modules=layer_pattern(settings.layers),
        modules_to_save=settings.modules_to_save,
        # New vocabulary rows (vocab extend) train with the adapter; the tied decoder shares them.
        trainable_token_indices={"word_embeddings": settings.new_token_ids} if settings.new_token_ids else None,
        task_type=settings.task_type,  # None for MLM: PEFT has no MLM task type, the *ForMaskedLM is wrapped itself
        **more,
    )


def lora_hyperparameters(settings: AdapterSettings) -> dict[str, Any]:
    return {
        "lora_r": settings.r,
        "lora_alpha": settings.alpha,
        "lora_dropout": settings.dropout,
        "lora_targets": list(settings.layers),
    }


def stacked_config(ranks: dict[str, int], heads: list[str], base_model_name: str):
    """The ``LoraConfig`` of a composed adapter: module -> rank, scaling 1 (alpha = rank per module)."""
    from peft import LoraConfig

    common = max(set(ranks.values()), key=list(ranks.values()).count)
    pattern = {name: r for name, r in ranks.items() if r != common}
    return LoraConfig(
        r=common,
        lora_alpha=common,
        lora_dropout=0.0,
        target_modules=sorted(ranks),
        rank_pattern={re.escape(name): r for name, r in pattern.items()},
        alpha_pattern={re.escape(name): r for name, r in pattern.items()},
        modules_to_save=sorted(heads) or None,
        base_model_name_or_path=base_model_name,
        task_type=None,
        inference_mode=True,
    )


METHOD = AdapterMethod(
    name="lora",
    title="LoRA",
    layers=tuple(LAYERS),
    learning_rate=3e-4,
    build=lora_config,
    hyperparameters=lora_hyperparameters,
    recognises=lambda peft_type, use_dora: peft_type == "LORA" and not use_dora,
    additive=True,
)
