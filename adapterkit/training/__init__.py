"""Trainer plumbing shared by every command that trains (pretrain, finetune, cv, quantize).

Split by idea: ``arguments`` (the shared ``TrainingArguments``), ``progress`` (the bar),
``checkpoints`` (resume and interrupt-safe training), ``resume`` (the
same-settings check of every ``--resume``), ``distributed`` (this process's place under
torchrun). Nothing here imports a command; which layers an adapter wraps is ``methods/``'.
"""

from .arguments import training_arguments
from .checkpoints import last_complete_checkpoint, train_with_checkpoints
from .distributed import process_state
from .progress import ProgressBar
from .resume import check_same_settings

__all__ = [
    "ProgressBar",
    "check_same_settings",
    "last_complete_checkpoint",
    "process_state",
    "train_with_checkpoints",
    "training_arguments",
]
