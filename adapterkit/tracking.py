"""Experiment tracking: the Trainer's own TensorBoard and Weights & Biases integrations.

``--report-to none|tensorboard|wandb|all`` (default none) on pretrain, finetune, cv and compare.
TensorBoard writes event files (loss, learning rate, grad norm per logging step; the evaluation
under ``eval/``, see ``log_evaluation``) into the run's
logging folder (``--logging-dir``; by default ``logs`` inside the run's folder under ``runs/``,
so ``tensorboard --logdir runs`` shows every run); cv and compare write one sub-folder per fold
(``fold-1`` …) and, for compare, per variant. Weights & Biases logs to the project and account
that ``wandb`` is set up with (``WANDB_PROJECT``, ``wandb login``), under the run's name; its
local files go to the logging folder. ``all`` means every one of the two that is installed.

Each training command prints one line saying where its logs went (``Tracking.announcement``).

TensorBoard is the optional extra ``pip install 'adapterkit[tracking]'``; wandb is installed by
the user (``pip install wandb``), as its account is theirs.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path

from .choices import REPORT_TO as CHOICES
from .errors import AdapterkitError

INSTALL = {"tensorboard": "pip install 'adapterkit[tracking]'", "wandb": "pip install wandb"}


def _installed(integration: str) -> bool:
    return find_spec(integration) is not None


@dataclass(frozen=True)
class Tracking:
    """Where a training run reports to (the ``--report-to`` and ``--logging-dir`` options)."""

    report_to: str = "none"
    logging_dir: Path | None = None

    def integrations(self) -> list[str]:
        """The integrations to use, checked: a one-line error names what to install."""
        if self.report_to not in CHOICES:
            raise AdapterkitError(f"--report-to {self.report_to!r}: use one of {', '.join(CHOICES)}")
        if self.report_to == "none":
            return []
        if self.report_to == "all":
            found = [name for name in INSTALL if _installed(name)]
            if not found:
                raise AdapterkitError(
                    "--report-to all: neither tensorboard nor wandb is installed; "
                    f"{INSTALL['tensorboard']} (or {INSTALL['wandb']})"
                )
            return found
        if not _installed(self.report_to):
            raise AdapterkitError(
                f"--report-to {self.report_to}: {self.report_to} is not installed; {INSTALL[self.report_to]}"
            )
        return [self.report_to]

    def check(self) -> None:
        """Fail before any work when an integration is missing."""
        self.integrations()

    def below(self, *parts: str) -> Tracking:
        """The same tracking with a logging folder one level down (a variant, a fold)."""
        return Tracking(self.report_to, self.logging_dir.joinpath(*parts) if self.logging_dir else None)

    def trainer_setup(self, default_dir: Path, run_name: str) -> tuple[dict, list]:
        """(TrainingArguments settings, Trainer callbacks) for this run.

        TensorBoard gets its own callback with the run's folder (transformers 5 takes the folder
        only from the process-wide ``TENSORBOARD_LOGGING_DIR``, which would put the folds of a cv
        run into one folder); wandb goes through ``report_to`` with the run's name.
        """
        integrations = self.integrations()
        folder = self.logging_dir or default_dir
        callbacks = []
        if "tensorboard" in integrations:
            from transformers.integrations import TensorBoardCallback

            callback = TensorBoardCallback()
            callback.logging_dir = str(folder)
            callbacks.append(callback)
        if "wandb" in integrations:
            folder.mkdir(parents=True, exist_ok=True)
            os.environ["WANDB_DIR"] = str(folder)  # wandb's own local files, next to the run
        report_to = ["wandb"] if "wandb" in integrations else []
        return {"report_to": report_to, "run_name": run_name}, callbacks

    def announcement(self, default_dir: Path, run_name: str) -> str | None:
        """The one line a training command prints: where its TensorBoard / W&B logs went (None: not tracked).

        ``default_dir`` is the logging folder when ``--logging-dir`` is not given (for cv and compare,
        the folder above the per-fold ones)."""
        integrations = self.integrations()
        if not integrations:
            return None
        folder = self.logging_dir or default_dir
        parts = []
        if "tensorboard" in integrations:
            top = Path("runs") if not folder.is_absolute() and folder.parts[:1] == ("runs",) else folder
            parts.append(f"TensorBoard logs: {folder} (tensorboard --logdir {top})")
        if "wandb" in integrations:
            project = os.environ.get("WANDB_PROJECT") or "huggingface"  # the Trainer's WandbCallback default
            parts.append(f"W&B: project {project}, run {run_name!r} (local files in {folder})")
        return "; ".join(parts)


def log_evaluation(trainer, metrics: dict, step: int | None = None) -> None:
    """Evaluation figures to the Trainer's own ``log``, so every tracker it reports to receives them as
    the Trainer's evaluation does: ``eval_f1`` becomes ``eval/f1`` in TensorBoard and W&B.

    Only finite numbers are logged (per-type tables, labels and counts of lists stay in the run's
    files). ``step`` logs at another step than the current one (the perplexity before training at
    step 0). The TensorBoard writer the Trainer closed at the end of training is opened again by
    ``on_log``; it is closed here once the figures are written.
    """
    scalars = {
        f"eval_{key}": float(value)
        for key, value in metrics.items()
        if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    }
    if not scalars:
        return
    current = trainer.state.global_step
    if step is not None:
        trainer.state.global_step = step
    try:
        trainer.log(scalars)
    finally:
        trainer.state.global_step = current
    for callback in trainer.callback_handler.callbacks:  # TensorBoard: written to disk, file closed
        if getattr(callback, "tb_writer", None) is not None:
            callback.tb_writer.close()
            callback.tb_writer = None
