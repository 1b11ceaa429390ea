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
  example once per epoch, in a seeded random order of mega-batches. Task training (finetune, cv,
  compare; off by default there: its batch order moves F1 as much as a seed) then shuffles the
  order of those batches too (``ShuffledLengthGroups``), as plain shuffling would have it, instead
  of sweeping each mega-batch from long to short.
"""

from __future__ import annotations

import torch

from .choices import PRECISIONS
from .errors import AdapterkitError


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


class ShuffledLengthGroups(torch.utils.data.Sampler):
    """Length-grouped batches in a random order: the padding saving of ``group_by_length`` with
    the batch order of plain shuffling.

    transformers' ``LengthGroupedSampler`` sorts each mega-batch (~50 batches) by length, longest
    first, and the batches follow in that order: every epoch runs through a few long-to-short
    sweeps, a fixed curriculum that plain shuffling (run_ner.py's order) does not have. Here the
    same length-sorted batches are drawn, then their order is shuffled; the batch holding the
    longest window still goes first, so a batch that does not fit in memory fails at once. Each
    epoch has its own seeded order (``set_epoch``, called by the Trainer), so a resumed run
    continues with the same batches as an uninterrupted one. An incomplete batch stays last: the
    data loader cuts the index stream into batches of ``batch_size`` in order.
    """

    def __init__(self, lengths: list[int], batch_size: int, seed: int):
        self.lengths = list(lengths)
        self.batch_size = batch_size
        self.seed = seed
        self.epoch = 0

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch

    def __len__(self) -> int:
        return len(self.lengths)

    def batches(self) -> list[list[int]]:
        """This epoch's batches, in the order they are drawn."""
        from transformers.trainer_pt_utils import get_length_grouped_indices

        generator = torch.Generator().manual_seed(self.seed * 1_000_003 + self.epoch)
        indices = get_length_grouped_indices(self.lengths, self.batch_size, generator=generator)
        batches = [indices[i : i + self.batch_size] for i in range(0, len(indices), self.batch_size)]
        tail = [batches.pop()] if batches and len(batches[-1]) < self.batch_size else []
        batches = [batches[i] for i in torch.randperm(len(batches), generator=generator).tolist()]
        if batches:
            longest = max(range(len(batches)), key=lambda b: max(self.lengths[i] for i in batches[b]))
            batches[0], batches[longest] = batches[longest], batches[0]
        return batches + tail

    def __iter__(self):
        return iter([index for batch in self.batches() for index in batch])
