"""Fine-tuning and prediction for NER, classification and regression on any model variant.

A variant is what ``eval-mlm`` takes: ``base``, a full model folder, a registry adapter or a
composition ``a+b`` — or a full task model written by ``finetune`` (two-stage fine-tuning: train
first on a larger related set, then start the target task from that model; the head rows of labels
both sets share are kept, the others start new). Language/domain adapters enter the task model folded into the base
weights (exact: W + Σ wᵢ·ΔWᵢ, see ``compose.py``), then:

- ``--mode full`` (the study's): every weight is fine-tuned, with a new task head;
- ``--mode adapter`` (MAD-X style): the encoder and the language/domain adapters stay frozen;
  a task LoRA and the head are trained. The result is a task adapter whose manifest names the
  language adapters it sits on, so they can be swapped for another language at evaluation
  (``--eval-adapters``: cross-lingual zero-shot).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch.utils.data import Dataset
from transformers import (
    AutoModelForSequenceClassification,
    AutoModelForTokenClassification,
    DataCollatorForTokenClassification,
    DataCollatorWithPadding,
    PreTrainedModel,
    Trainer,
    set_seed,
)

from ..choices import TASK_MODES as MODES
from ..errors import AdapterkitError, printable
from ..factors import merge_into
from ..integrity import verify_weights
from ..manifest import check_manifest, check_tensors, peft_loading
from ..models import has_module, load_config, load_tokenizer, max_length, resolve_base
from ..registry import MANIFEST, Registry, read_manifest
from ..safety import atomic_write_json, check_finite_options, check_finite_weights, check_replaceable, write_marker
from ..speed import ShuffledLengthGroups, resolve_precision
from ..tracking import Tracking
from ..training import (
    LORA_TARGETS,
    ProgressBar,
    last_complete_checkpoint,
    lora_target_pattern,
    process_state,
    train_with_checkpoints,
    training_arguments,
)
from ..variants import Variant, task_start
from .data import NerDataset, TextDataset
from .encode import mean_by_owner, ner_windows, text_windows, window_labels, words_from_windows

FULL_LR = 2e-5
ADAPTER_LR = 5e-4


def task_kind(data: NerDataset | TextDataset) -> str:
    return "ner" if isinstance(data, NerDataset) else data.task


def build_model(variant: Variant, kind: str, labels: list[str], quantize: str | None = None) -> PreTrainedModel:
    """The task model on the variant's weights, with a new head for ``labels``.

    ``quantize`` (8bit, 4bit; adapter mode): the encoder's linear layers are loaded quantized.
    A variant with language/domain adapters is folded into the float weights first, saved to
    a temporary folder and loaded quantized from there (int8/NF4 weights cannot take the fold).
    """
    if kind == "ner":
        model_class = AutoModelForTokenClassification
        extra = {"num_labels": len(labels)}
    else:
        model_class = AutoModelForSequenceClassification
        problem = {"classification": "single_label_classification", "multilabel": "multi_label_classification"}
        extra = {"num_labels": 1 if kind == "regression" else len(labels)}
        extra["problem_type"] = problem.get(kind, "regression")
    if kind != "regression":
        extra["id2label"] = dict(enumerate(labels))
        extra["label2id"] = {label: i for i, label in enumerate(labels)}
    if variant.task is not None:
        return _from_task_model(variant, model_class, kind, labels, extra)
    if quantize is not None:
        from ..quantize import load_kwargs, prepare_for_training

        with tempfile.TemporaryDirectory() as folder:
            source = variant.base.path
            if variant.deltas:
                build_model(variant, kind, labels).save_pretrained(folder)
                source = folder
            model = model_class.from_pretrained(source, use_safetensors=True, **extra, **load_kwargs(quantize))
        return prepare_for_training(model)  # before any forward pass
    model = model_class.from_pretrained(variant.base.path, use_safetensors=True, **extra)
    if variant.deltas:
        merge_into(model, variant.deltas, {})
    return model


def _from_task_model(variant: Variant, model_class, kind: str, labels: list[str], extra: dict) -> PreTrainedModel:
    """Stage two: the stage-one task model with its head re-indexed to ``labels`` (shared rows kept)."""
    first = variant.task or {}
    if first.get("task") != kind:
        raise AdapterkitError(f"variant {variant.label!r}: a {first.get('task')} model; this task is {kind}")
    old = model_class.from_pretrained(variant.base.path)
    model = model_class.from_pretrained(variant.base.path, ignore_mismatched_sizes=True, **extra)
    old_head, new_head = old.classifier, model.classifier
    old_index = {label: i for i, label in enumerate(first.get("labels") or [])}
    shared = [(i, old_index[label]) for i, label in enumerate(labels) if label in old_index]
    if kind == "regression":
        shared = [(0, 0)]
    with torch.no_grad():
        for new_row, old_row in shared:
            new_head.weight[new_row] = old_head.weight[old_row]
            new_head.bias[new_row] = old_head.bias[old_row]
    rows = max(len(labels), 1)  # regression: one output row
    print(f"two-stage: starting from task model {variant.label} ({len(shared)} of {rows} head rows carried over)")
    return model


def add_task_adapter(model: PreTrainedModel, kind: str, r: int, alpha: int, dropout: float):
    """Freeze everything, then add a trainable task LoRA and head (MAD-X style)."""
    from peft import LoraConfig, TaskType, get_peft_model

    for parameter in model.parameters():
        parameter.requires_grad_(False)
    head = ["classifier"] + (["pooler"] if kind != "ner" and has_module(model, "bert.pooler") else [])
    config = LoraConfig(
        r=r,
        lora_alpha=alpha,
        lora_dropout=dropout,
        target_modules=lora_target_pattern(list(LORA_TARGETS)),
        modules_to_save=head,
        task_type=TaskType.TOKEN_CLS if kind == "ner" else TaskType.SEQ_CLS,
    )
    return get_peft_model(model, config)


class _Rows(Dataset):
    def __init__(self, rows: list[dict]):
        self.rows = rows

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, index: int) -> dict:
        return self.rows[index]


@dataclass
class Encoded:
    """Model inputs for a list of items, and how to map predictions back to them."""

    rows: list[dict]
    windows: list | None = None  # NER windows
    owners: list[int] | None = None  # text windows -> example index


def encode(items, kind: str, labels: list[str], tokenizer, max_len: int, stride: int, with_labels: bool) -> Encoded:
    if kind == "ner":
        windows = ner_windows([s.tokens for s in items], tokenizer, max_len, stride)
        index = {label: i for i, label in enumerate(labels)}
        rows = []
        for window in windows:
            row = {"input_ids": window.input_ids, "attention_mask": [1] * len(window.input_ids)}
            if with_labels:
                row["labels"] = window_labels(window, [index[tag] for tag in items[window.sentence].tags])
            rows.append(row)
        return Encoded(rows, windows=windows)
    texts = [example.text for example in items]
    pairs = (
        [example.text_pair or "" for example in items]
        if any(example.text_pair for example in items)  # sentence pairs (e.g. similarity), any text task
        else None
    )
    # overlap of long texts' windows: a quarter of a window at most (the tokenizer needs stride < length)
    encoded, owners = text_windows(texts, pairs, tokenizer, max_len, stride=min(stride * 4, max_len // 4))
    rows = [{key: encoded[key][i] for key in encoded} for i in range(len(owners))]
    if with_labels:
        for row, owner in zip(rows, owners, strict=True):
            row["labels"] = _target(items[owner].label, kind, labels)
    return Encoded(rows, owners=owners)


def _target(label, kind: str, labels: list[str]):
    if kind == "classification":
        return labels.index(label)
    if kind == "multilabel":
        return [1.0 if name in label else 0.0 for name in labels]
    return float(label)


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
    group_by_length: bool = True  # batches of similar-length windows: less padding (speed.py)
    quantize: str | None = None  # 8bit | 4bit: the frozen encoder quantized (adapter mode)

    def validate(self) -> None:
        check_finite_options(lr=self.lr, epochs=self.epochs)
        checks = [
            (self.epochs > 0, "--epochs", "a positive number"),
            (self.batch_size > 0, "--batch-size", "a positive number"),
            (self.lr is None or self.lr > 0, "--lr", "a positive learning rate"),
            (self.grad_accum > 0, "--grad-accum", "a positive number"),
            (self.max_steps == -1 or self.max_steps > 0, "--max-steps", "a positive number (or -1)"),
            (0 <= self.warmup_ratio < 1, "--warmup-ratio", "a fraction of the steps, 0 or more and below 1"),
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
        resolve_precision(self.precision)  # fp16 without a GPU: fail before anything is loaded
        if self.quantize is not None:
            from ..quantize import check_options

            if self.mode != "adapter":
                raise AdapterkitError("--quantize freezes a quantized encoder: use it with --mode adapter")
            check_options(self.quantize, "adamw", full=False)

    @property
    def learning_rate(self) -> float:
        return self.lr if self.lr is not None else (FULL_LR if self.mode == "full" else ADAPTER_LR)


def _collator(kind: str, tokenizer):
    if kind == "ner":
        return DataCollatorForTokenClassification(tokenizer)
    return DataCollatorWithPadding(tokenizer)


def task_loss(kind: str):
    """The Trainer's loss for ``kind``: summed over labelled items, divided by their number in the step.

    ``num_items_in_batch`` counts the labelled tokens (NER) or examples of every micro-batch of
    the step and, under torchrun, of every process; so the loss of N processes × batch b is the
    loss of one process × batch N·b (the models' own losses average per process, and the
    Trainer would also scale them by N, believing they use the count).
    """

    def loss(outputs, labels, num_items_in_batch=None):
        logits = outputs.logits.float()
        if kind == "multilabel":
            total = F.binary_cross_entropy_with_logits(logits, labels.float(), reduction="sum")
        elif kind == "regression":
            total = F.mse_loss(logits.squeeze(-1), labels.float(), reduction="sum")
        else:
            flat = logits.view(-1, logits.shape[-1])
            total = F.cross_entropy(flat, labels.view(-1), ignore_index=-100, reduction="sum")
        count = num_items_in_batch if num_items_in_batch is not None else labels.ne(-100).sum()
        return total / count

    return loss


def train(
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
    """Train ``model`` on ``items`` with the transformers Trainer (checkpoints in ``work_dir``).

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
        warmup_steps=settings.warmup_ratio,
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
        data_collator=_collator(kind, tokenizer),
        callbacks=[ProgressBar(run_name), *tracking_callbacks],
        compute_loss_func=task_loss(kind),
    )
    trainer.remove_callback(PrinterCallback)
    last = last_complete_checkpoint(work_dir) if resume else None
    if last is not None:
        print(f"resuming from {last}", flush=True)
    train_with_checkpoints(trainer, work_dir, last, interrupt_hint)
    if log_file is not None and trainer.is_world_process_zero():
        atomic_write_json(log_file, trainer.state.log_history)
    return trainer.model


class _TaskTrainer(Trainer):
    """The Trainer with length-grouped batches in a shuffled order (``speed.ShuffledLengthGroups``)."""

    def _get_train_sampler(self, train_dataset=None):
        dataset = train_dataset if train_dataset is not None else self.train_dataset
        if self.args.train_sampling_strategy != "group_by_length" or dataset is None:
            return super()._get_train_sampler(train_dataset)
        lengths = [len(dataset[i]["input_ids"]) for i in range(len(dataset))]
        seed = self.args.data_seed if self.args.data_seed is not None else self.args.seed
        # Grouped by the global batch (all processes): the data loader hands each process its slice
        # of every global batch, so N processes see the same batches as one with N times the batch.
        return ShuffledLengthGroups(lengths, self.args.train_batch_size * max(1, self.args.world_size), seed)


def _logging_steps(rows: int, settings: TrainSettings) -> int:
    """About 25 points on the training curve, whatever the run's length."""
    per_epoch = max(1, -(-rows // (settings.batch_size * settings.grad_accum)))
    steps = settings.max_steps if settings.max_steps > 0 else int(per_epoch * settings.epochs)
    return max(1, min(50, steps // 25))


@torch.no_grad()
def predict(
    model,
    tokenizer,
    items,
    kind: str,
    labels: list[str],
    settings: TrainSettings,
    batch_size: int = 32,
    sort_by_length: bool = True,
):
    """Predictions per item: tag lists (NER), labels, label sets or scores; plus class scores.

    With ``sort_by_length`` the windows are batched in order of length (and the outputs put
    back in input order), so a batch pads to a length close to its own windows'.
    """
    model.eval()
    device = next(model.parameters()).device
    encoded = encode(items, kind, labels, tokenizer, settings.max_seq_len, settings.stride, with_labels=False)
    collator = _collator(kind, tokenizer)
    order = list(range(len(encoded.rows)))
    if sort_by_length:
        order.sort(key=lambda row: len(encoded.rows[row]["input_ids"]))
    outputs: list = [None] * len(order)
    for start in range(0, len(order), batch_size):
        chunk = order[start : start + batch_size]
        batch = collator([encoded.rows[row] for row in chunk])
        logits = model(**{key: value.to(device) for key, value in batch.items()}).logits.float().cpu().numpy()
        for row, row_logits in zip(chunk, logits, strict=True):
            outputs[row] = row_logits
    if kind == "ner":
        ids = words_from_windows(encoded.windows, outputs, [len(s.tokens) for s in items])
        return [[labels[i] for i in sentence] for sentence in ids], None
    logits = mean_by_owner(np.stack(outputs), encoded.owners, len(items))
    if kind == "classification":
        probabilities = torch.softmax(torch.from_numpy(logits), dim=-1).numpy()
        return [labels[i] for i in logits.argmax(axis=-1)], probabilities
    if kind == "multilabel":
        probabilities = 1 / (1 + np.exp(-logits))
        return [[labels[i] for i in np.flatnonzero(row >= 0.5)] for row in probabilities], probabilities
    return logits[:, 0].tolist(), None


def score(
    kind: str, items, predictions, probabilities, labels: list[str], strict: bool = False, gold: dict | None = None
) -> dict:
    """The study's metrics for one evaluation; with several groups (``--data LANG=PATH``) also per
    group under ``"groups"`` (pooled training, per-language evaluation).

    ``gold`` (document id -> every gold entity; BRAT evaluation data) scores NER predictions as
    exact character spans against all of them (``scoring.py``); else NER is scored on the tags."""
    overall = _score(kind, items, predictions, probabilities, labels, strict, gold)
    groups = sorted({item.group for item in items if item.group})
    if len(groups) > 1:
        overall["groups"] = {}
        for group in groups:
            index = [i for i, item in enumerate(items) if item.group == group]
            part_gold = None
            if gold is not None:
                owners = {item.doc_id: item.group for item in items}
                part_gold = {
                    doc: entities for doc, entities in gold.items() if owners.get(doc, doc.split("/", 1)[0]) == group
                }
            overall["groups"][group] = _score(
                kind,
                [items[i] for i in index],
                [predictions[i] for i in index],
                None if probabilities is None else probabilities[index],
                labels,
                strict,
                part_gold,
            )
            overall["groups"][group]["n_test"] = len(index)
    return overall


def _score(
    kind: str, items, predictions, probabilities, labels: list[str], strict: bool = False, gold: dict | None = None
) -> dict:
    from .. import metrics
    from .scoring import brat_metrics, tag_metrics

    if kind == "ner":
        return brat_metrics(items, predictions, gold) if gold is not None else tag_metrics(items, predictions, strict)
    gold_labels = [example.label for example in items]
    if kind == "classification":
        if len(labels) != 2:
            return metrics.classification_metrics(gold_labels, predictions, labels=labels)
        positive = _positive(labels)
        scores = probabilities[:, labels.index(positive)].tolist()
        return metrics.classification_metrics(gold_labels, predictions, scores, positive, labels=labels)
    if kind == "multilabel":
        return metrics.multilabel_metrics(gold_labels, predictions, labels)
    return metrics.regression_metrics(gold_labels, predictions)


def document_gold(data) -> dict | None:
    """Every gold entity per document when the data is document data with character offsets (BRAT).

    BRAT parts mixed with BIO parts (CoNLL, JSONL) are refused: no one scheme scores both."""
    if not (isinstance(data, NerDataset) and data.gold):
        return None
    other = next((s for s in data.sentences if s.doc_id not in data.gold), None)
    if other is not None:
        raise AdapterkitError(
            f"{other.source}: BRAT documents mixed with BIO data (CoNLL/JSONL) in one evaluation; BRAT is scored "
            "on exact character spans, BIO on tags: evaluate them in separate runs"
        )
    return data.gold


def _positive(labels: list[str]) -> str:
    """The positive class of a binary task: a conventional name if present, else the second label."""
    for name in ("inclusion", "positive", "yes", "true", "1"):
        if name in labels:
            return name
    return labels[-1]


def model_limit(variant: Variant, requested: int) -> int:
    return min(requested, max_length(load_config(variant.base)))


def save_task_model(model, tokenizer, folder: Path, manifest: dict) -> None:
    """A full task model (transformers folder) or a task adapter (PEFT folder), with a manifest."""
    model.save_pretrained(folder)
    if not manifest.get("adapter"):
        tokenizer.save_pretrained(folder)
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")


def load_task_model(spec: str, store: Registry, eval_adapters: str | None = None):
    """A saved task model (``models/NAME`` folder or registry task adapter) and its manifest."""
    from peft import PeftModel

    folder = Path(spec)
    if not (folder / MANIFEST).is_file():
        folder = store.root / spec
        if (folder / MANIFEST).is_file():
            store.check_not_link(spec)
            store.hold(spec)  # before reading: `adapters rm` now waits for this command
    if not (folder / MANIFEST).is_file():
        raise AdapterkitError(f"task model {spec!r}: no such folder with {MANIFEST}, nor a registry task adapter")
    manifest = read_manifest(folder / MANIFEST)
    verify_weights(folder, manifest)
    if manifest.get("kind") != "task":
        raise AdapterkitError(f"{spec}: a {manifest.get('kind')} model, not a fine-tuned task model")
    check_manifest(manifest, folder / MANIFEST, complete=True)  # labels, task, variant: what loading needs
    labels = manifest["labels"]
    kind = manifest["task"]
    if not manifest.get("adapter"):
        if eval_adapters:
            raise AdapterkitError("--eval-adapters needs a task adapter (finetune --mode adapter)")
        model_class = AutoModelForTokenClassification if kind == "ner" else AutoModelForSequenceClassification
        return (
            model_class.from_pretrained(folder, use_safetensors=True),
            load_tokenizer(resolve_base(str(folder))),
            manifest,
        )
    variant_spec = eval_adapters or manifest["variant"]
    variant = task_start(variant_spec, store, manifest["base"]["id"])
    if (
        variant.fingerprint
        and manifest["base"].get("fingerprint")
        and variant.fingerprint != manifest["base"]["fingerprint"]
    ):
        raise AdapterkitError(f"--eval-adapters {variant_spec}: trained on another base than the task adapter")
    model = build_model(variant, kind, labels)
    check_tensors(folder, model)  # tensors that do not fit: one line, not PEFT's size-mismatch traceback
    with peft_loading(folder):
        model = PeftModel.from_pretrained(model, folder)
    return model, load_tokenizer(variant.base), manifest


def zero_shot_model(task_model, variant_b: Variant, kind: str, labels: list[str]):
    """The trained task adapter and head on another language's adapters (cross-lingual zero-shot)."""
    from peft import PeftModel

    with tempfile.TemporaryDirectory() as folder:
        task_model.save_pretrained(folder)
        return PeftModel.from_pretrained(build_model(variant_b, kind, labels), folder)


@dataclass
class FinetuneRequest:
    """Every setting of ``adapterkit finetune`` (the CLI options, one to one)."""

    data: list[Path]
    name: str
    variant: str = "base"
    base: str | None = None
    fmt: str = "auto"
    preset: str = "auto"
    repair: bool = False
    types: list[str] | None = None
    eval_data: list[Path] = field(default_factory=list)
    eval_adapters: str | None = None
    strict: bool = False
    settings: TrainSettings = field(default_factory=TrainSettings)
    registry: Path | None = None
    output: Path | None = None
    force: bool = False
    resume: bool = False  # continue from the last checkpoint in runs/finetune/NAME
    tracking: Tracking = field(default_factory=Tracking)
    keep_checkpoints: bool = False  # keep runs/finetune/NAME/checkpoints after the model is saved

    @property
    def work_dir(self) -> Path:
        return Path("runs") / "finetune" / self.name

    def recorded(self) -> dict:
        """The settings a ``--resume`` must repeat (JSON-normalised)."""
        keep = ("data", "variant", "base", "fmt", "preset", "repair", "types", "eval_adapters")
        settings = {key: getattr(self, key) for key in keep} | {"settings": dict(self.settings.__dict__)}
        return json.loads(json.dumps(settings, default=str))


RUN_SETTINGS = "finetune-settings.json"


def read_data(
    paths: list[Path],
    fmt: str,
    preset: str,
    repair: bool,
    types: list[str] | None = None,
    segmentation: str = "gold",
    labelled: bool = True,
):
    """The data and its items (sentences or examples); see ``readers.read_task`` for the options.

    Training reads BRAT with ``segmentation="gold"`` (labels aligned to the entities), evaluation
    with ``"text"`` (what the model sees never depends on the gold)."""
    from .readers import read_task

    data = read_task(
        paths, fmt=fmt, repair=repair, preset=preset, types=types, segmentation=segmentation, labelled=labelled
    )
    items = data.sentences if isinstance(data, NerDataset) else data.examples
    if not items:
        raise AdapterkitError(f"{', '.join(map(str, paths))}: no examples found")
    return data, items


def run_finetune(request: FinetuneRequest) -> tuple[Path, dict]:
    """Train a task model on a variant; evaluate on --eval-data (optionally zero-shot)."""
    from ..paths import registry_dir
    from ..registry import check_name

    settings = request.settings
    settings.validate()
    request.tracking.check()
    check_name(request.name)
    if request.eval_adapters and settings.mode != "adapter":
        raise AdapterkitError(
            "--eval-adapters swaps language adapters under a task adapter: use it with --mode adapter"
        )
    store = Registry(registry_dir(request.registry))
    adapter_mode = settings.mode == "adapter"
    destination = request.output or ((store.root if adapter_mode else Path("models")) / request.name)
    if destination.exists() and not request.force:
        raise AdapterkitError(f"{destination} already exists: choose another --name, or add --force to replace it")
    if request.resume:
        work = request.work_dir
        if last_complete_checkpoint(work) is None:
            raise AdapterkitError(f"--resume: no checkpoint in {work}; run without --resume to start")
        saved = json.loads((work / RUN_SETTINGS).read_text()) if (work / RUN_SETTINGS).is_file() else {}
        changed = sorted(key for key, value in request.recorded().items() if saved.get(key) != value)
        if changed:
            raise AdapterkitError(
                f"--resume: {work} was started with other settings ({', '.join(changed)}); "
                "resume with the same options, or start over without --resume"
            )
    # A new run clears the work folder of an earlier one: only if adapterkit wrote it. Under torchrun
    # the main process checks (and later clears); the others would race with its clearing.
    if not request.resume and os.environ.get("RANK", "0") == "0":
        check_replaceable(request.work_dir, "finetune-run", _inputs(request), "finetune will not clear its work folder")
    # The name is reserved (registry lock) before training: a clash is reported now, not at save time.
    with Registry(destination.parent).reserve(destination.name, request.force, _inputs(request)):
        return _train_and_save(request, store, destination)


def _inputs(request: FinetuneRequest) -> list[Path | str]:
    """What the run reads: a folder holding any of it is never cleared or replaced."""
    return [*request.data, *request.eval_data, request.variant, *(request.variant.split("+"))]


def _train_and_save(request: FinetuneRequest, store: Registry, destination: Path) -> tuple[Path, dict]:
    from ..versions import versions

    settings = request.settings
    adapter_mode = settings.mode == "adapter"
    variant = task_start(request.variant, store, request.base)
    eval_variant = task_start(request.eval_adapters, store, request.base) if request.eval_adapters else None
    if eval_variant is not None and eval_variant.fingerprint != variant.fingerprint:
        raise AdapterkitError(f"--eval-adapters {request.eval_adapters}: trained on another base than {variant.label}")
    tokenizer = load_tokenizer(variant.base)
    settings.max_seq_len = model_limit(variant, settings.max_seq_len)
    data, items = read_data(request.data, request.fmt, request.preset, request.repair, types=request.types)
    kind = task_kind(data)
    labels = data.labels
    print(printable(f"task: {kind}, {len(items)} examples, labels: {', '.join(labels) or '(score)'}"))
    if isinstance(data, NerDataset):
        print(f"tags: {data.report.summary()}")
    eval_items, eval_gold = None, None
    if request.eval_data:
        eval_data, eval_items = read_data(
            request.eval_data, request.fmt, request.preset, request.repair, request.types, segmentation="text"
        )
        if task_kind(eval_data) != kind:
            raise AdapterkitError(f"--eval-data is a {task_kind(eval_data)} set, the training data {kind}")
        eval_gold = document_gold(eval_data)
        unknown = sorted(set(eval_data.labels) - set(labels))
        if unknown:
            raise AdapterkitError(f"--eval-data has labels the training data lacks: {', '.join(unknown)}")

    set_seed(settings.seed)  # the new head's initialisation: the same in a resumed run and in every process
    model = build_model(variant, kind, labels, settings.quantize)
    if adapter_mode:
        model = add_task_adapter(
            model, kind, settings.task_lora_r, settings.task_lora_alpha, settings.task_lora_dropout
        )
    work = request.work_dir
    state = process_state()  # under torchrun: every process trains (DDP), the main one writes
    if state.is_main_process and not request.resume:
        clear(work, _inputs(request))
        write_marker(work, "finetune-run")
        atomic_write_json(work / RUN_SETTINGS, request.recorded())
    state.wait_for_everyone()
    model = train(
        model, tokenizer, items, kind, labels, settings, work, resume=request.resume, log_file=work / "log.json",
        tracking=request.tracking, logging_dir=work.parent / f"{work.name}-logs", run_name=request.name,
    )  # fmt: skip
    history = json.loads((work / "log.json").read_text()) if state.is_main_process else []
    metrics = None
    if eval_items is not None:
        scored = zero_shot_model(model, eval_variant, kind, labels) if eval_variant else model
        predictions, probabilities = predict(scored, tokenizer, eval_items, kind, labels, settings)
        metrics = finite(score(kind, eval_items, predictions, probabilities, labels, request.strict, eval_gold))
        where = f" with {request.eval_adapters} swapped in" if eval_variant else ""
        print(f"evaluation on {len(eval_items)} examples{where}: " + _headline(kind, metrics))
        if kind == "ner":
            from .scoring import scheme_note

            print(scheme_note(metrics, request.strict))
    manifest = {
        "name": destination.name,
        "kind": "task",
        "task": kind,
        "labels": labels,
        "adapter": adapter_mode,
        "variant": request.variant,
        "language_adapters": variant.parts,
        "base": {"id": variant.base.name, "fingerprint": variant.fingerprint, "path": str(variant.base.path)},
        "data": [str(path) for path in request.data],
        "types": request.types,
        "settings": {k: v for k, v in settings.__dict__.items()},
        "training_log": history,
        "evaluation": {
            "data": [str(p) for p in request.eval_data],
            "adapters": request.eval_adapters,
            "metrics": metrics,
        },
        "versions": versions(),
    }
    if not state.is_main_process:
        return destination, manifest
    check_finite_weights(model, f"task model {request.name}")  # a diverged run saves nothing
    Registry(destination.parent).save(
        destination.name,
        lambda folder: save_task_model(model, tokenizer, folder, manifest),
        force=request.force,
        inputs=_inputs(request),
    )
    if not request.keep_checkpoints:
        clear(work, _inputs(request))
    print(f"saved task {'adapter' if adapter_mode else 'model'} to {destination}")
    return destination, manifest


def _headline(kind: str, metrics: dict) -> str:
    keys = {
        "ner": ("f1", "precision", "recall"),
        "classification": ("mcc", "f1", "recall"),
        "multilabel": ("macro_f1", "micro_f1"),
        "regression": ("pearson", "spearman"),
    }[kind]
    return ", ".join(f"{key} {metrics[key]:.4f}" for key in keys if metrics.get(key) is not None)


def clear(folder: Path, inputs: list[Path | str]) -> None:
    """Remove a finetune work folder; only one adapterkit wrote (``safety.check_replaceable``)."""
    check_replaceable(folder, "finetune-run", inputs, "finetune will not clear its work folder")
    if folder.exists():
        shutil.rmtree(folder)


def finite(metrics: dict) -> dict:
    """JSON-safe metrics: NaN becomes None."""

    def clean(value):
        if isinstance(value, dict):
            return {key: clean(item) for key, item in value.items()}
        if isinstance(value, float | np.floating):
            return None if np.isnan(value) else float(value)
        if isinstance(value, np.integer):
            return int(value)
        return value

    return clean(metrics)
