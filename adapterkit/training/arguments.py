"""The Trainer settings every adapterkit run shares."""

from __future__ import annotations

import math
from pathlib import Path

import torch
from transformers import TrainingArguments

from ..speed import speed_arguments


def training_arguments(
    output_dir: Path,
    seed: int,
    precision: str = "auto",
    gradient_checkpointing: bool = False,
    group_by_length: bool = False,
    report_to: list[str] | None = None,
    warmup_ratio: float = 0.0,
    warmup_steps: int = 0,
    **settings,
) -> TrainingArguments:
    """The Trainer settings every adapterkit run shares, plus the run's own ``settings``.

    Seeded initialisation and data order, our ProgressBar instead of the Trainer's bar and log
    printer (remove ``PrinterCallback``), reporting integrations only as asked (``tracking.py``),
    linear decay after ``warmup`` (``--warmup-steps``, else ``--warmup-ratio``), the CPU when there
    is no GPU; precision, activation checkpointing and length grouping as in ``speed.py``.
    """
    use_cuda = torch.cuda.is_available()
    return TrainingArguments(
        output_dir=str(output_dir),
        seed=seed,
        data_seed=seed,
        lr_scheduler_type="linear",
        warmup_steps=warmup(warmup_ratio, warmup_steps),
        report_to=report_to or [],
        disable_tqdm=True,
        include_num_input_tokens_seen="non_padding",
        dataloader_num_workers=0,
        remove_unused_columns=False,
        use_cpu=not use_cuda,
        **speed_arguments(precision, gradient_checkpointing, group_by_length),
        **settings,
    )


def warmup(ratio: float, steps: int) -> float:
    """``TrainingArguments.warmup_steps`` for ``--warmup-ratio`` and ``--warmup-steps``.

    The steps when above 0 (they win over the ratio, as ``warmup_steps`` did over ``warmup_ratio``
    in transformers 4), else the ratio: transformers 5 has one field, and reads a value below 1 as
    a fraction of the training steps.
    """
    return steps if steps > 0 else ratio


def warmup_steps_for(ratio: float, steps: int, total: int) -> int:
    """The warm-up steps of a run of ``total`` steps: ``TrainingArguments.get_warmup_steps``' rule (DP's own loop)."""
    value = warmup(ratio, steps)
    return int(value) if value >= 1 else math.ceil(total * value)
