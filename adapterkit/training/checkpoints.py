"""Checkpoints a run can resume from, and training that never leaves a half-written one.

A SIGTERM during training (a cluster's scheduler stopping the job, also at its time limit) lets
the step under way finish, writes a checkpoint of it and then stops the run as ctrl-C does
(``safety.Terminated``, exit code 143): ``--resume`` continues from that step.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path

from transformers import Trainer, TrainerCallback
from transformers.trainer_callback import ProgressCallback

from ..atomic import share_as_umask
from ..safety import Terminated, deferring_termination, on_interrupt, resume_hint, termination_requested, write_failure


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
    stop, shared = _StopOnTermination(), _SharedCheckpoints()
    trainer.add_callback(stop)
    trainer.add_callback(shared)
    with on_interrupt(hint or (lambda: resume_hint(checkpoints))):
        try:
            with deferring_termination():
                output = trainer.train(resume_from_checkpoint=str(resume_from) if resume_from else None)
            if termination_requested():  # the loop stopped after a checkpoint of its last step
                raise Terminated
            return output
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
        finally:
            trainer.remove_callback(stop)
            trainer.remove_callback(shared)


class _StopOnTermination(TrainerCallback):
    """After a SIGTERM: save a checkpoint of the step just finished and end the training loop."""

    def on_step_end(self, args, state, control, **kwargs):
        if termination_requested():
            control.should_save = True
            control.should_training_stop = True
        return control


class _SharedCheckpoints(TrainerCallback):
    """Checkpoints as readable as the user's umask allows (safetensors writes them -rw-------)."""

    def on_save(self, args, state, control, **kwargs):
        if state.is_world_process_zero:
            checkpoint = Path(args.output_dir) / f"checkpoint-{state.global_step}"
            if checkpoint.is_dir():
                share_as_umask(checkpoint)
        return control
