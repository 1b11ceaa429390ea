"""Speed settings shared by pre-training and task training: precision, activation checkpointing,
length-grouped batches. Each becomes a transformers ``TrainingArguments`` field.

- ``--precision auto|fp32|bf16|fp16``: mixed precision through the Trainer's autocast (weights
  and optimizer state stay fp32). ``auto`` is bf16 on GPUs that support it, fp16 on older
  GPUs, fp32 on the CPU. fp16 needs a GPU; bf16 runs on the CPU too (autocast), which pays only
  on CPUs with bf16 matrix units.
- ``--gradient-checkpointing``: keep only each layer's input in the forward and recompute the
  rest in the backward: one more forward of compute (LoRA at the mBERT shape: step time x1.44)
  for a much smaller activation memory (long blocks, big batches on a small GPU). The loss and
  gradients are those of the normal run.
- length grouping: batches drawn from mega-batches of ~50 batches sorted by length
  (``train_sampling_strategy="group_by_length"``), so dynamic padding pads little; still every
  example once per epoch, in a seeded random order of mega-batches.
"""

from __future__ import annotations

import torch

from .errors import AdapterkitError

PRECISIONS = ("auto", "fp32", "bf16", "fp16")


def resolve_precision(precision: str) -> str:
    """``precision`` made concrete for this machine (fp32, bf16 or fp16); one-line error if it cannot run."""
    if precision not in PRECISIONS:
        raise AdapterkitError(f"--precision {precision!r}: choose one of {', '.join(PRECISIONS)}")
    cuda = torch.cuda.is_available()
    if precision == "auto":
        if not cuda:
            return "fp32"
        return "bf16" if torch.cuda.is_bf16_supported() else "fp16"
    if precision == "fp16" and not cuda:
        raise AdapterkitError("--precision fp16 needs a CUDA GPU; on the CPU use fp32 (or bf16)")
    if precision == "bf16" and cuda and not torch.cuda.is_bf16_supported():
        raise AdapterkitError("--precision bf16: this GPU has no bf16 support; use fp16 (or auto)")
    return precision


def speed_arguments(
    precision: str = "auto", gradient_checkpointing: bool = False, group_by_length: bool = False
) -> dict:
    """The ``TrainingArguments`` fields for these settings."""
    resolved = resolve_precision(precision)
    return {
        "bf16": resolved == "bf16",
        "fp16": resolved == "fp16",
        "activation_checkpointing": gradient_checkpointing,
        "train_sampling_strategy": "group_by_length" if group_by_length else "random",
    }
