"""Training a task model with the transformers Trainer: rows in, trained model out.

``train`` encodes the items (``inputs.encode``), sets up the Trainer from ``TrainSettings``
(``training.training_arguments``: precision, checkpoints every epoch, tracking) and runs it through
``training.train_with_checkpoints`` (resume, ctrl-C). The loss (``task_loss``) is summed over the
labelled items of the whole step and divided by their number, so gradient accumulation and several
processes give the loss of one large batch; an NER item longer than one window counts as one item
(its windows share its weight, ``encode.item_weights``); batches are shuffled as in run_ner.py, or with
``group_by_length`` grouped by length in a shuffled order (``speed.ShuffledLengthGroups``).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path

import torch
import torch.nn.functional as F
from torch.utils.data import Dataset
from transformers import Trainer, set_seed

from ..readers.kinds import kind_of
from ..safety import atomic_write_json
from ..speed import ShuffledLengthGroups
from ..tracking import Tracking
from ..training import ProgressBar, last_complete_checkpoint, train_with_checkpoints, training_arguments
from .inputs import WINDOW_WEIGHT, collator, encode
from .settings import TrainSettings


class _Rows(Dataset):
    def __init__(self, rows: list[dict]):
        self.rows = rows

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, index: int) -> dict:
        return self.rows[index]


def _cross_entropy(logits, labels):
    flat = logits.view(-1, logits.shape[-1])
    return F.cross_entropy(flat, labels.view(-1), ignore_index=-100, reduction="sum")


def _binary_cross_entropy(logits, labels):
    return F.binary_cross_entropy_with_logits(logits, labels.float(), reduction="sum")


def _mse(logits, labels):
    return F.mse_loss(logits.squeeze(-1), labels.float(), reduction="sum")


# Each kind's loss (``TaskKind.loss``), summed over the labelled items (-100: not labelled).
LOSSES = {"cross_entropy": _cross_entropy, "binary_cross_entropy": _binary_cross_entropy, "mse": _mse}


def _weighted_cross_entropy(logits, labels, window_weight):
    """``_cross_entropy`` with each row's labelled tokens weighted by its window's weight."""
    per_token = F.cross_entropy(
        logits.view(-1, logits.shape[-1]), labels.view(-1), ignore_index=-100, reduction="none"
    ).view(labels.shape)  # ignored positions are 0
    return (per_token * window_weight.to(per_token.dtype).unsqueeze(-1)).sum()


def task_loss(kind: str):
    """The Trainer's loss for ``kind``: summed over labelled items, divided by their number in the step.

    ``num_items_in_batch`` counts the labelled tokens (NER) or examples of every micro-batch of
    the step and, under torchrun, of every process; so the loss of N processes × batch b is the
    loss of one process × batch N·b (the models' own losses average per process, and the
    Trainer would also scale them by N, believing they use the count). NER rows of an item
    longer than one window carry ``window_weight`` (``encode.item_weights``: the item counts once);
    without it the loss is run_ner.py's arithmetic exactly.
    """

    summed = LOSSES[kind_of(kind).loss]

    def loss(outputs, labels, num_items_in_batch=None, window_weight=None):
        logits = outputs.logits.float()
        if window_weight is None:
            total = summed(logits, labels)
        else:
            total = _weighted_cross_entropy(logits, labels, window_weight)
        count = num_items_in_batch if num_items_in_batch is not None else labels.ne(-100).sum()
        return total / count

    return loss


def train(model, *args, **kwargs):
    """``train_task``, returning the trained model."""
    return train_task(model, *args, **kwargs).model


def train_task(
    model,
    tokenizer,
    items,
    kind: str,
    labels: list[str],
    settings: TrainSettings,
    work_dir: Path,
    resume: bool,
    log_file: Path | None = None,
    interrupt_hint: Callable[[], str] | None = None,
    tracking: Tracking | None = None,
    logging_dir: Path | None = None,
    run_name: str | None = None,
):
    """Train ``model`` on ``items`` with the transformers Trainer (checkpoints in ``work_dir``); returns
    the Trainer (its ``model`` is the trained model; ``tracking.log_evaluation`` reports scores through it).

    ``log_file`` receives the Trainer's log history (loss, learning rate per logging step) as JSON:
    the training curve of the report. ``interrupt_hint`` says, on ctrl-C, what continues the work
    (default: where ``--resume`` continues in ``work_dir``). ``tracking`` reports the run to TensorBoard / wandb, into
    ``logging_dir`` unless it names its own folder."""
    from transformers.trainer_callback import PrinterCallback

    set_seed(settings.seed)
    encoded = encode(items, kind, labels, tokenizer, settings.max_seq_len, settings.stride, with_labels=True)
    tracked, tracking_callbacks = (tracking or Tracking()).trainer_setup(
        logging_dir or work_dir / "logs", run_name or work_dir.parent.name
    )
    args = training_arguments(
        work_dir,
        settings.seed,
        precision=settings.precision,
        gradient_checkpointing=settings.gradient_checkpointing,
        group_by_length=settings.group_by_length,
        per_device_train_batch_size=settings.batch_size,
        gradient_accumulation_steps=settings.grad_accum,
        learning_rate=settings.learning_rate,
        num_train_epochs=settings.epochs,
        max_steps=settings.max_steps,
        warmup_ratio=settings.warmup_ratio,
        warmup_steps=settings.warmup_steps,
        weight_decay=settings.weight_decay,
        logging_steps=_logging_steps(len(encoded.rows), settings),
        save_strategy="epoch",
        save_total_limit=1,
        **tracked,
    )
    trainer = _TaskTrainer(
        model=model,
        args=args,
        train_dataset=_Rows(encoded.rows),
        data_collator=collator(kind, tokenizer),
        callbacks=[ProgressBar(run_name), *tracking_callbacks],
        compute_loss_func=task_loss(kind),
    )
    trainer.split_by_length = settings.split_by_length
    trainer.remove_callback(PrinterCallback)
    last = last_complete_checkpoint(work_dir) if resume else None
    if last is not None:
        print(f"resuming from {last}", flush=True)
    train_with_checkpoints(trainer, work_dir, last, interrupt_hint)
    if log_file is not None and trainer.is_world_process_zero():
        atomic_write_json(log_file, trainer.state.log_history)
    return trainer


class _TaskTrainer(Trainer):
    """The Trainer; with ``group_by_length``, length-grouped batches in a shuffled order (``ShuffledLengthGroups``);
    rows' ``window_weight`` goes to the loss, not to the model."""

    split_by_length = False  # set per run from TrainSettings.split_by_length

    def _set_signature_columns_if_needed(self) -> None:
        super()._set_signature_columns_if_needed()
        if WINDOW_WEIGHT not in self._signature_columns:  # kept by the Trainer's column filter
            self._signature_columns.append(WINDOW_WEIGHT)

    def training_step(self, model, inputs, num_items_in_batch=None):
        """With ``split_by_length``: the batch as sub-batches of similar length, each padded to its
        own longest row. The loss of each divides by the whole step's labelled-token count, so their
        gradients add up to the batch's; only the padding (and the dropout draws) differ."""
        parts = length_parts(inputs) if self.split_by_length and num_items_in_batch is not None else None
        if parts is None:
            return super().training_step(model, inputs, num_items_in_batch)
        # super() with its arguments: the zero-argument form does not work inside a generator expression
        return sum(super(_TaskTrainer, self).training_step(model, part, num_items_in_batch) for part in parts)

    def compute_loss(self, model, inputs, return_outputs=False, num_items_in_batch=None):
        weight = inputs.pop(WINDOW_WEIGHT, None)
        if weight is None:
            return super().compute_loss(model, inputs, return_outputs, num_items_in_batch)
        plain = self.compute_loss_func
        self.compute_loss_func = partial(plain, window_weight=weight)
        try:
            return super().compute_loss(model, inputs, return_outputs, num_items_in_batch)
        finally:
            self.compute_loss_func = plain

    def _get_train_sampler(self, train_dataset=None):
        dataset = train_dataset if train_dataset is not None else self.train_dataset
        if self.args.train_sampling_strategy != "group_by_length" or dataset is None:
            return super()._get_train_sampler(train_dataset)
        lengths = [len(dataset[i]["input_ids"]) for i in range(len(dataset))]
        seed = self.args.data_seed if self.args.data_seed is not None else self.args.seed
        # Grouped by the global batch (all processes): the data loader hands each process its slice
        # of every global batch, so N processes see the same batches as one with N times the batch.
        return ShuffledLengthGroups(lengths, self.args.train_batch_size * max(1, self.args.world_size), seed)


# What one more forward pass costs beyond its arithmetic, in padded subwords: a split pays only
# where it saves more padding than that (a batch of short sentences is cheaper whole).
PART_OVERHEAD = 128


def length_parts(batch: dict) -> list[dict] | None:
    """A right-padded batch as sub-batches of rows of similar length, each cut to its longest row,
    cut where the subwords computed (rows x width, plus ``PART_OVERHEAD`` a part) are fewest;
    ``None`` when that is the whole batch (or the padding is not on the right)."""
    mask = batch.get("attention_mask")
    if mask is None or mask.dim() != 2:
        return None
    counts = mask.sum(dim=1)
    if not torch.equal(mask.bool(), torch.arange(mask.shape[1], device=mask.device) < counts[:, None]):
        return None  # not right-padded: cutting columns would cut words
    lengths = counts.tolist()
    order = sorted(range(len(lengths)), key=lambda row: -lengths[row])
    groups = [order[start:end] for start, end in _cheapest_cuts([lengths[row] for row in order])]
    if len(groups) == 1:
        return None
    parts = []
    for rows in groups:
        index = torch.tensor(rows, device=mask.device)
        parts.append({key: _rows(value, index, lengths[rows[0]]) for key, value in batch.items()})
    return parts


def _cheapest_cuts(widths: list[int]) -> list[tuple[int, int]]:
    """Ranges of rows (longest first) whose sum of rows x first width + overhead is least."""
    best, cut = [0.0] + [float("inf")] * len(widths), [0] * (len(widths) + 1)
    for end in range(1, len(widths) + 1):
        for start in range(end):
            cost = best[start] + (end - start) * widths[start] + PART_OVERHEAD
            if cost < best[end]:
                best[end], cut[end] = cost, start
    ranges, end = [], len(widths)
    while end:
        ranges.append((cut[end], end))
        end = cut[end]
    return ranges[::-1]


def _rows(value, index, width: int):
    """Rows ``index`` of a batch entry, cut to ``width`` columns where it has columns."""
    if not torch.is_tensor(value):
        return value
    picked = value[index]
    return picked[:, :width].contiguous() if picked.dim() >= 2 else picked


def _logging_steps(rows: int, settings: TrainSettings) -> int:
    """About 25 points on the training curve, whatever the run's length."""
    per_epoch = max(1, -(-rows // (settings.batch_size * settings.grad_accum)))
    steps = settings.max_steps if settings.max_steps > 0 else int(per_epoch * settings.epochs)
    return max(1, min(50, steps // 25))
