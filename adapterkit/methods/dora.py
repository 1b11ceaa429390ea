"""DoRA (weight-decomposed LoRA): W' = m · (W + ΔW) / ‖W + ΔW‖, ΔW a LoRA update, m a learned magnitude.

PEFT's ``LoraConfig(use_dora=True)``: the same rank, alpha, dropout and layers as LoRA, plus one
magnitude per output row of every wrapped layer. The result is not W + ΔW: each row is rescaled by
a magnitude over a norm that depends on ΔW itself, so the sum of two DoRA updates is not the two
adapters together and compose refuses DoRA adapters. One DoRA adapter is still folded exactly into
its base (PEFT's merge), which is how a task model starts from it.
"""

from __future__ import annotations

from .base import LAYERS, AdapterMethod, AdapterSettings
from .lora import lora_config, lora_hyperparameters


def dora_config(settings: AdapterSettings):
    return lora_config(settings, use_dora=True)


METHOD = AdapterMethod(
    name="dora",
    title="DoRA",
    layers=tuple(LAYERS),
    learning_rate=3e-4,
    build=dora_config,
    hyperparameters=lora_hyperparameters,
    recognises=lambda peft_type, use_dora: peft_type == "LORA" and use_dora,
    additive=False,
    not_additive="DoRA rescales every row of W + ΔW by a learned magnitude over its norm, so two DoRA updates "
    "do not add up",
)
