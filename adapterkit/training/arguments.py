"""The Trainer settings every adapterkit run shares."""

from __future__ import annotations

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
    **settings,
) -> TrainingArguments:
    """The Trainer settings every adapterkit run shares, plus the run's own ``settings``.

    Seeded initialisation and data order, our ProgressBar instead of the Trainer's bar and log
    printer (remove ``PrinterCallback``), reporting integrations only as asked (``tracking.py``),
    linear decay, the CPU when there is no GPU; precision, activation checkpointing and length
    grouping as in ``speed.py``.
    """
    use_cuda = torch.cuda.is_available()
    return TrainingArguments(
        output_dir=str(output_dir),
        seed=seed,
        data_seed=seed,
        lr_scheduler_type="linear",
        report_to=report_to or [],
        disable_tqdm=True,
        include_num_input_tokens_seen="non_padding",
        dataloader_num_workers=0,
        remove_unused_columns=False,
        use_cpu=not use_cuda,
        **speed_arguments(precision, gradient_checkpointing, group_by_length),
        **settings,
    )
