"""The task model: built on a variant, with a new or carried-over head; a task LoRA; saved and loaded.

``build_model`` puts a task head on the weights a variant starts from (``variants.task_start``:
language/domain adapters folded into the base, exact), optionally with the encoder quantized;
a full task model as the variant (two-stage fine-tuning) keeps the head rows of the labels both
tasks share. ``add_task_adapter`` freezes it all and adds a trainable task LoRA and head (MAD-X
style). ``save_task_model`` / ``load_task_model`` write and read a task model folder or registry
task adapter with its manifest; ``zero_shot_model`` puts a task adapter on another language's
adapters (``--eval-adapters``).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import torch
from transformers import AutoModelForSequenceClassification, AutoModelForTokenClassification, PreTrainedModel

from ..atomic import atomic_write_json
from ..errors import AdapterkitError
from ..factors import merge_into
from ..integrity import verify_weights
from ..manifest import SCHEMA_VERSION, AdapterManifest, check_tensors, peft_loading
from ..methods import METHODS, AdapterSettings
from ..models import has_module, load_config, load_tokenizer, max_length, resolve_base
from ..readers.kinds import kind_of
from ..registry import MANIFEST, Registry, read_manifest
from ..variants import Variant, task_start


def build_model(variant: Variant, kind: str, labels: list[str], quantize: str | None = None) -> PreTrainedModel:
    """The task model on the variant's weights, with a new head for ``labels``.

    ``quantize`` (8bit, 4bit; adapter mode): the encoder's linear layers are loaded quantized.
    A variant with language/domain adapters is folded into the float weights first, saved to
    a temporary folder and loaded quantized from there (int8/NF4 weights cannot take the fold).
    """
    spec = kind_of(kind)
    model_class = _model_class(kind)
    extra: dict = {"num_labels": len(labels) if spec.labelled else 1}
    if spec.problem_type is not None:
        extra["problem_type"] = spec.problem_type
    if spec.labelled:
        extra["id2label"] = dict(enumerate(labels))
        extra["label2id"] = {label: i for i, label in enumerate(labels)}
    if variant.task is not None:
        return _from_task_model(variant, model_class, kind, labels, extra)
    if quantize is not None:
        from ..quantize import load_kwargs, prepare_for_training

        with tempfile.TemporaryDirectory() as folder:
            source = variant.base.path
            if variant.deltas or variant.folded:
                build_model(variant, kind, labels).save_pretrained(folder)
                source = folder
            model = model_class.from_pretrained(source, use_safetensors=True, **extra, **load_kwargs(quantize))
        return prepare_for_training(model)  # before any forward pass
    model = model_class.from_pretrained(variant.base.path, use_safetensors=True, **extra)
    if variant.deltas or variant.folded:
        merge_into(model, variant.deltas, variant.folded)
    return model


def _model_class(kind: str):
    """The transformers class of ``kind``'s head: a tag per token or an output per example."""
    return AutoModelForTokenClassification if kind_of(kind).token_level else AutoModelForSequenceClassification


def _from_task_model(variant: Variant, model_class, kind: str, labels: list[str], extra: dict) -> PreTrainedModel:
    """Stage two: the stage-one task model with its head re-indexed to ``labels`` (shared rows kept)."""
    first = variant.task
    assert first is not None  # build_model comes here for a two-stage variant only
    if first.task != kind:
        raise AdapterkitError(f"variant {variant.label!r}: a {first.task} model; this task is {kind}")
    old = model_class.from_pretrained(variant.base.path)
    model = model_class.from_pretrained(variant.base.path, ignore_mismatched_sizes=True, **extra)
    old_head, new_head = old.classifier, model.classifier
    old_index = {label: i for i, label in enumerate(first.labels or [])}
    shared = [(i, old_index[label]) for i, label in enumerate(labels) if label in old_index]
    if not kind_of(kind).labelled:
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
    from peft import TaskType, get_peft_model

    for parameter in model.parameters():
        parameter.requires_grad_(False)
    token_level = kind_of(kind).token_level
    head = ["classifier"] + (["pooler"] if not token_level and has_module(model, "bert.pooler") else [])
    lora = METHODS["lora"]
    settings = AdapterSettings(
        layers=list(lora.layers),
        r=r,
        alpha=alpha,
        dropout=dropout,
        modules_to_save=head,
        task_type=TaskType.TOKEN_CLS if token_level else TaskType.SEQ_CLS,
    )
    return get_peft_model(model, lora.build(settings))


def model_limit(variant: Variant, requested: int) -> int:
    return min(requested, max_length(load_config(variant.base)))


def save_task_model(model, tokenizer, folder: Path, manifest: dict) -> None:
    """A full task model (transformers folder) or a task adapter (PEFT folder), with a manifest.

    The manifest is checked against its schema before anything is written and carries
    ``schema_version`` also where no registry stamps it (cv's kept fold models)."""
    manifest = {**manifest, "schema_version": manifest.get("schema_version", SCHEMA_VERSION)}
    typed = AdapterManifest.of(manifest, folder / MANIFEST)
    model.save_pretrained(folder)
    if not typed.adapter:
        tokenizer.save_pretrained(folder)
    atomic_write_json(folder / MANIFEST, manifest)


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
    raw = read_manifest(folder / MANIFEST)
    verify_weights(folder, raw)
    if raw["kind"] != "task":
        raise AdapterkitError(f"{spec}: a {raw['kind']} model, not a fine-tuned task model")
    # labels, task, variant: what loading needs
    manifest = AdapterManifest.from_dict(raw, folder / MANIFEST, complete=True)
    labels = manifest.labels or []
    kind = manifest.task
    if not manifest.adapter:
        if eval_adapters:
            raise AdapterkitError("--eval-adapters needs a task adapter (finetune --mode adapter)")
        model_class = _model_class(kind)
        return (
            model_class.from_pretrained(folder, use_safetensors=True),
            load_tokenizer(resolve_base(str(folder))),
            manifest,
        )
    variant_spec = eval_adapters or manifest.variant
    assert variant_spec is not None  # a task adapter's manifest records its variant (complete=True)
    variant = task_start(variant_spec, store, manifest.base.id)
    if variant.fingerprint and manifest.base.fingerprint and variant.fingerprint != manifest.base.fingerprint:
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
