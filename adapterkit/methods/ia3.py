"""IA³: learned vectors that rescale activations, y = l ⊙ (W x) (or W (l ⊙ x) in a feed-forward layer).

PEFT's ``IA3Config``. Defaults of the IA³ paper (Liu et al. 2022, T-Few), in this encoder's names:
the outputs of ``key`` and ``value``, and the input of the feed-forward block's second layer
(``output``: the intermediate activation). A vector per wrapped layer, a few thousand parameters in
all; rank, alpha and dropout mean nothing to it. Its learning rate is 3e-3 (T-Few's): scaling
vectors start at one and need a larger step than LoRA's factors. The update multiplies W, it does
not add to it (W' = diag(l) W), so two IA³ adapters together are a product, not a sum: compose
refuses them; one IA³ adapter is folded exactly into its base (PEFT's merge).
"""

from __future__ import annotations

from typing import Any

from .base import AdapterMethod, AdapterSettings, layer_pattern

FEEDFORWARD = ("output",)  # the layers whose input, not output, IA³ rescales


def ia3_config(settings: AdapterSettings):
    from peft import IA3Config

    if settings.new_token_ids:
        raise ValueError("IA³ cannot train new vocabulary rows with the adapter")  # checked before (new_rows)
    feedforward = [layer for layer in settings.layers if layer in FEEDFORWARD]
    return IA3Config(
        target_modules=layer_pattern(settings.layers),
        feedforward_modules=layer_pattern(feedforward) if feedforward else [],
        modules_to_save=settings.modules_to_save,
        task_type=settings.task_type,
    )


def ia3_hyperparameters(settings: AdapterSettings) -> dict[str, Any]:
    return {
        "ia3_targets": list(settings.layers),
        "ia3_feedforward": [layer for layer in settings.layers if layer in FEEDFORWARD],
    }


METHOD = AdapterMethod(
    name="ia3",
    title="IA³",
    layers=("key", "value", "output"),
    learning_rate=3e-3,
    build=ia3_config,
    hyperparameters=ia3_hyperparameters,
    recognises=lambda peft_type, use_dora: peft_type == "IA3",
    additive=False,
    not_additive="IA³ multiplies activations by learned vectors (W' = diag(l) W), so two IA³ adapters "
    "are a product, not a sum",
    uses_rank=False,
    new_rows=False,
)
