"""The one task pipeline: what ``finetune`` and every ``cv`` fold run, from a variant to scores.

``prepare_task`` does what a run does once: the variant's task start, its tokenizer, the subword
limit the model allows, the data read and checked, its task kind, labels and positive class.
``fit_and_score`` does what a run does per model: seed the new head, build the model (and the task
adapter in adapter mode), train with the Trainer, predict the test items and score them. The
callers keep only what is theirs: finetune its evaluation set and saving, cv its folds and files.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from transformers import set_seed

from ..models import load_tokenizer
from ..readers.data import NerDataset, TextDataset
from ..registry import Registry
from ..tracking import Tracking, log_evaluation
from ..variants import Variant, task_start
from .inference import predict
from .inputs import read_data, task_kind
from .model import add_task_adapter, build_model, model_limit, zero_shot_model
from .scoring import finite, positive_class, score
from .settings import TrainSettings
from .train import train_task


@dataclass
class Task:
    """What a task run reads once: the start, its tokenizer, the data and what it is."""

    start: Variant
    tokenizer: object
    data: NerDataset | TextDataset
    items: list
    kind: str
    labels: list[str]
    positive: str | None  # a binary classification's positive class


@dataclass
class Fitted:
    """One trained model, the Trainer that trained it, and its scores on the test items (if any)."""

    model: object
    trainer: object
    metrics: dict | None


def prepare_task(
    variant: str,
    store: Registry,
    base: str | None,
    data: list[Path],
    fmt: str,
    preset: str,
    repair: bool,
    types: list[str] | None,
    settings: TrainSettings,
) -> Task:
    """Resolve ``variant`` and read ``data``; ``settings.max_seq_len`` is capped at what the model allows.

    A wrong positive label is refused here, before any training."""
    start = task_start(variant, store, base)
    tokenizer = load_tokenizer(start.base)
    settings.max_seq_len = model_limit(start, settings.max_seq_len)
    dataset, items = read_data(data, fmt, preset, repair, types=types)
    kind = task_kind(dataset)
    positive = positive_class(kind, dataset.labels, settings.positive_label)
    return Task(start, tokenizer, dataset, items, kind, dataset.labels, positive)


def fit_and_score(
    task: Task,
    settings: TrainSettings,
    train_items: list,
    work_dir: Path,
    *,
    seed: int,
    resume: bool,
    log_file: Path,
    tracking: Tracking,
    logging_dir: Path,
    run_name: str,
    test_items: list | None = None,
    gold: dict | None = None,
    strict: bool = False,
    swap_in: Variant | None = None,
    interrupt_hint: Callable[[], str] | None = None,
) -> Fitted:
    """Train one task model on ``train_items`` (checkpoints in ``work_dir``) and score ``test_items``.

    ``seed`` seeds the new head (the same in a resumed run and in every process under torchrun);
    ``gold`` holds document data's gold entities (scored as exact character spans); ``swap_in``
    puts other language adapters under a task adapter for the scoring (cross-lingual zero-shot).
    The scores also go to the tracker, under ``eval/``."""
    set_seed(seed)
    model = build_model(task.start, task.kind, task.labels, settings.quantize)
    if settings.mode == "adapter":
        model = add_task_adapter(
            model, task.kind, settings.task_lora_r, settings.task_lora_alpha, settings.task_lora_dropout
        )
    trainer = train_task(
        model, task.tokenizer, train_items, task.kind, task.labels, settings, work_dir, resume=resume,
        log_file=log_file, interrupt_hint=interrupt_hint, tracking=tracking, logging_dir=logging_dir, run_name=run_name,
    )  # fmt: skip
    model = trainer.model
    if test_items is None:
        return Fitted(model, trainer, None)
    scored = zero_shot_model(model, swap_in, task.kind, task.labels) if swap_in is not None else model
    predictions, probabilities = predict(scored, task.tokenizer, test_items, task.kind, task.labels, settings)
    metrics = finite(score(task.kind, test_items, predictions, probabilities, task.labels, strict, gold, task.positive))
    metrics["n_test"] = len(test_items)
    log_evaluation(trainer, metrics)  # to TensorBoard / W&B too, as eval/f1, eval/precision, ...
    return Fitted(model, trainer, metrics)
