"""Checkpoints a run can resume from, and training that never leaves a half-written one."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path

from transformers import Trainer
from transformers.trainer_callback import ProgressCallback

from ..safety import on_interrupt, resume_hint, write_failure


def last_complete_checkpoint(folder: Path) -> Path | None:
    """The newest checkpoint the Trainer finished writing; half-written newer ones are removed.

    The Trainer writes a checkpoint folder file by file and ``trainer_state.json`` last, so a run
    killed while saving leaves a ``checkpoint-N`` without it (or with half of it). transformers'
    ``get_last_checkpoint`` would pick that folder and the resume would fail; the previous
    checkpoint is still there (old ones are rotated out only after the new one is complete).
    """

    if not folder.is_dir():
        return None
    candidates = sorted(
        (p for p in folder.iterdir() if p.is_dir() and re.fullmatch(r"checkpoint-\d+", p.name)),
        key=lambda p: int(p.name.split("-")[1]),
        reverse=True,
    )
    for checkpoint in candidates:
        try:
            json.loads((checkpoint / "trainer_state.json").read_text())
            return checkpoint
        except (OSError, ValueError):
            shutil.rmtree(checkpoint, ignore_errors=True)  # incomplete: a kill while saving
    return None


def train_with_checkpoints(
    trainer: Trainer, checkpoints: Path, resume_from: Path | None, hint: Callable[[], str] | None = None
):
    """``trainer.train``; on ctrl-C the CLI's line says where ``--resume`` continues (``hint``), and
    a run stopped while writing a checkpoint (ctrl-C, full disk) leaves no half-written checkpoint."""
    with on_interrupt(hint or (lambda: resume_hint(checkpoints))):
        try:
            return trainer.train(resume_from_checkpoint=str(resume_from) if resume_from else None)
        except BaseException as error:
            for callback in trainer.callback_handler.callbacks:  # end the bar's line before the error's
                if isinstance(callback, ProgressCallback) and callback.training_bar is not None:
                    callback.training_bar.close()
                    callback.training_bar = None
            if trainer.is_world_process_zero():
                last_complete_checkpoint(checkpoints)  # removes the incomplete newer ones
            failure = write_failure(error, checkpoints / f"checkpoint-{trainer.state.global_step}")
            if isinstance(error, Exception) and failure is not None:
                raise failure from error  # a full disk while checkpointing: one line naming the folder
            raise
