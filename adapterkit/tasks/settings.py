"""The settings of task training (``finetune``, ``cv``, ``compare``), and their one validation.

``TrainSettings`` holds every training option of the three commands with its default (the commands
read the defaults from here: the module stays free of model code); ``validate`` refuses, with one
line naming the option, a value that has no meaning (before anything is loaded).
The learning rate defaults by ``--mode``: 2e-5 for full fine-tuning (the study's), 5e-4 for a task
adapter.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..choices import TASK_MODES as MODES
from ..errors import AdapterkitError
from ..methods import FULL_LR
from ..safety import check_finite_options

ADAPTER_LR = 5e-4

# What training computes beyond its options, recorded with every finetune/cv run: a run started
# under other rules (an earlier adapterkit) cannot resume, since its checkpoint holds another head
# or was trained on another loss. Change it whenever that computation changes.
TRAINING_RULES = "ner: head rows of the tags present; a long item's windows share its weight"


@dataclass
class TrainSettings:
    epochs: float = 15.0
    batch_size: int = 16
    lr: float | None = None
    grad_accum: int = 1
    max_steps: int = -1
    # No warm-up and no weight decay: run_ner.py's (TrainingArguments' defaults); the source studies state
    # neither (they give epochs, batch size and learning rate only). A fixed 10 % warm-up and 0.01 decay
    # cost 0.05-0.19 F1 on a 2-epoch run against run_ner.py (issue 11 §6).
    warmup_ratio: float = 0.0
    warmup_steps: int = 0  # above 0 it wins over warmup_ratio, as in transformers (training.arguments.warmup)
    weight_decay: float = 0.0
    max_seq_len: int = 512
    stride: int = 16
    seed: int = 42
    mode: str = "full"
    task_lora_r: int = 16
    task_lora_alpha: int = 32
    task_lora_dropout: float = 0.1
    precision: str = "auto"  # auto | fp32 | bf16 | fp16 (speed.py)
    gradient_checkpointing: bool = False
    # Shuffled batches by default (run_ner.py's order): with them a seed trains run_ner.py's very model.
    # Length-grouped batches (speed.py) pad less, but their batch order moves F1 by as much as a seed
    # does (CANTEMIST short pieces, 2 epochs: -0.30 and +0.17 at seeds 0 and 1), so they are an option.
    group_by_length: bool = False
    # Each (shuffled) batch run as sub-batches of similar length (tasks/train.length_parts): the same
    # batches and loss with less padding; the dropout draws differ, so not run_ner.py's model at a seed.
    split_by_length: bool = False
    quantize: str | None = None  # 8bit | 4bit: the frozen encoder quantized (adapter mode)
    positive_label: str | None = None  # binary classification: the positive class (scoring.positive_class)

    def validate(self) -> None:
        check_finite_options(lr=self.lr, epochs=self.epochs)
        checks = [
            (self.epochs > 0, "--epochs", "a positive number"),
            (self.batch_size > 0, "--batch-size", "a positive number"),
            (self.lr is None or self.lr > 0, "--lr", "a positive learning rate"),
            (self.grad_accum > 0, "--grad-accum", "a positive number"),
            (self.max_steps == -1 or self.max_steps > 0, "--max-steps", "a positive number (or -1)"),
            (0 <= self.warmup_ratio < 1, "--warmup-ratio", "a fraction of the steps, 0 or more and below 1"),
            (self.warmup_steps >= 0, "--warmup-steps", "zero or a positive number of steps"),
            (self.weight_decay >= 0, "--weight-decay", "zero or a positive value"),
            (self.max_seq_len >= 16, "--max-seq-len", "at least 16"),
            (self.stride >= 0, "--stride", "zero or more"),
            (self.mode in MODES, "--mode", f"one of {', '.join(MODES)}"),
            (self.task_lora_r > 0, "--task-lora-r", "a positive rank"),
        ]
        for ok, option, expected in checks:
            if not ok:
                value = getattr(self, option.lstrip("-").replace("-", "_"))
                raise AdapterkitError(f"{option} {value!r}: expected {expected}")
        from ..speed import resolve_precision

        resolve_precision(self.precision)  # fp16 without a GPU: fail before anything is loaded
        if self.quantize is not None:
            from ..quantize import check_options

            if self.mode != "adapter":
                raise AdapterkitError("--quantize freezes a quantized encoder: use it with --mode adapter")
            check_options(self.quantize, "adamw", full=False)

    @property
    def learning_rate(self) -> float:
        return self.lr if self.lr is not None else (FULL_LR if self.mode == "full" else ADAPTER_LR)
