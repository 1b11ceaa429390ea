"""Trainer plumbing shared by every command that trains (pretrain, finetune, cv, quantize).

Split by idea: ``lora`` (which layers an adapter wraps), ``arguments`` (the shared
``TrainingArguments``), ``progress`` (the bar), ``checkpoints`` (resume and interrupt-safe
training), ``distributed`` (this process's place under torchrun). Nothing here imports a command.
"""

from .arguments import training_arguments
from .checkpoints import last_complete_checkpoint, train_with_checkpoints
from .distributed import process_state
from .lora import LORA_TARGETS, lora_target_pattern
from .progress import ProgressBar

__all__ = [
    "LORA_TARGETS",
    "ProgressBar",
    "last_complete_checkpoint",
    "lora_target_pattern",
    "process_state",
    "train_with_checkpoints",
    "training_arguments",
]
