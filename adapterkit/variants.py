"""The variant: what a model to evaluate or fine-tune starts from, parsed once for every command.

``eval-mlm``, ``finetune``, ``cv``, ``compare`` and ``analyse`` take the same texts, and read them
with the one parser here (``parse_variant``), in this order — the first rule that fits wins:

1. ``base``: the base encoder (``--base``, else the base of the adapters named, else mBERT);
2. a local folder holding ``config.json``: a full model (``models/NAME``, a merge, a full task
   model written by ``finetune``: two-stage fine-tuning), whatever its name looks like;
3. one adapter: ``hub:user/repo[@rev]``, a registry name (registry names never hold a ``/``) or
   a folder holding ``adapter_config.json`` — a registry composition named ``a+b`` is found here,
   before rule 4 splits the text;
4. ``a+b``: an inline stack of adapters, each part read as in rule 3 (``hub:`` parts too);
5. ``owner/name`` whose ``owner`` is not a local folder: a full model on the Hugging Face Hub
   (e.g. ``PlanTL-GOB-ES/bsc-bio-ehr-es``). When ``owner`` is a local folder (``models/typo``) the
   text meant a local model, and it is not looked up on the Hub;
6. anything else is refused with one line saying what a variant may be.

Parsing looks at the file system only (which folders and manifests exist): it never loads a
model, reads weights or contacts the Hub. The loaders built on it do: ``task_start`` (the weights
a task model starts from, for finetune/cv/analyse), ``load_mlm`` (the masked LM of an ``eval-mlm``
row) and ``base_for`` (the base encoder of a list of variants). A task adapter is never a variant
(it is what ``finetune --mode adapter`` produces; ``predict`` takes it).
"""

from __future__ import annotations

import json
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from peft import PeftModel

from . import models
from .compose import Part, load_parts, resolve_adapter, write_adapter
from .errors import AdapterkitError
from .factors import compose_factors, extract_factors, fold_adapter
from .hub import HUB_PREFIX
from .manifest import AdapterManifest, check_tensors, peft_loading, read_adapter_config
from .models import DEFAULT_BASE, Base, base_of, fingerprint, load_masked_lm
from .registry import MANIFEST, Registry, read_manifest

Kind = Literal["base", "model", "hub-model", "adapters"]

# A Hub model id: owner/name, each starting with a letter or digit (what the Hub accepts)
HUB_MODEL = re.compile(r"[A-Za-z0-9][\w.-]*/[A-Za-z0-9][\w.-]*")


@dataclass(frozen=True)
class VariantSpec:
    """What a variant text names (rules in the module docstring); nothing is loaded yet."""

    text: str  # as given: the label of the variant in tables, manifests and messages
    kind: Kind
    folder: Path | None = None  # kind "model": the local model folder
    parts: tuple[str, ...] = ()  # kind "adapters": each adapter as given (registry name, folder, hub:…)

    @property
    def model_id(self) -> str | None:
        """The Hugging Face model id (kind ``hub-model``)."""
        return self.text if self.kind == "hub-model" else None


def _is_adapter(text: str, store: Registry) -> bool:
    """Rule 3: ``hub:user/repo[@rev]``, a registry name, or a folder holding a PEFT adapter."""
    if text.startswith(HUB_PREFIX):
        return "+" not in text
    if "/" not in text and (store.root / text / MANIFEST).is_file():
        return True
    return (Path(text) / "adapter_config.json").is_file()


def parse_variant(text: str, store: Registry) -> VariantSpec:
    """The one reading of a variant text, in the order of the module docstring."""
    if text == "base":
        return VariantSpec(text, "base")
    folder = Path(text)
    if folder.is_dir() and (folder / "config.json").is_file():
        return VariantSpec(text, "model", folder=folder)
    if _is_adapter(text, store):
        return VariantSpec(text, "adapters", parts=(text,))
    if "+" in text:
        parts = tuple(text.split("+"))
        for part in parts:
            if not part or not _is_adapter(part, store):
                raise AdapterkitError(
                    f"variant {text!r}: adapter {part!r} is neither in the registry {store.root} nor a folder with "
                    f"adapter_config.json{store.did_you_mean(part)} (see: adapterkit adapters list)"
                )
        return VariantSpec(text, "adapters", parts=parts)
    if HUB_MODEL.fullmatch(text) and not Path(text.split("/")[0]).exists():
        return VariantSpec(text, "hub-model")
    raise AdapterkitError(
        f"variant {text!r}: not 'base', a model folder, a registry adapter, a Hub model id, or an inline stack like a+b"
        f"{store.did_you_mean(text)}"
    )


def _spec(variant: str | VariantSpec, store: Registry) -> VariantSpec:
    return variant if isinstance(variant, VariantSpec) else parse_variant(variant, store)


def adapter_parts(spec: VariantSpec, store: Registry) -> list[Part]:
    """The adapters of a variant, found, checked (sha256) and pulled (``hub:``); task adapters refused."""
    parts = [resolve_adapter(name, store) for name in spec.parts]
    for part in parts:
        if part.manifest.kind == "task":
            raise AdapterkitError(
                f"variant {spec.text!r}: {part.name} is a task adapter; give language/domain adapters"
            )
    return parts


def _model_base(spec: VariantSpec) -> Base:
    """The encoder of a ``model`` or ``hub-model`` variant (a Hub id keeps its id as the base's name)."""
    return models.resolve_base(spec.model_id or str(spec.folder))


# ----------------------------------------------------------------------------------- task models


@dataclass
class Variant:
    """The weights a task model starts from: a base folder plus folded-in adapter updates."""

    label: str
    base: Base
    deltas: dict = field(default_factory=dict)  # module name -> (A, B) of the exact stack
    parts: list[str] = field(default_factory=list)  # names of the language/domain adapters
    fingerprint: str | None = None
    task: AdapterManifest | None = None  # the manifest of a task model to start from (two-stage fine-tuning)
    folded: dict = field(default_factory=dict)  # module name -> merged state: one DoRA/IA³ adapter folded in


def task_start(variant: str | VariantSpec, store: Registry, base: str | None = None) -> Variant:
    """What a task model (finetune, cv, analyse) starts from; ``base`` is ``--base`` for ``base``.

    A model folder or hub id is another encoder with its own tokenizer: a variant like any other
    (items and folds never depend on a tokenizer)."""
    spec = _spec(variant, store)
    if spec.kind == "base":
        return Variant("base", models.resolve_base(base or DEFAULT_BASE))
    if spec.kind == "hub-model":
        return Variant(spec.text, _model_base(spec))
    if spec.kind == "model":
        manifest_file = Path(spec.folder) / MANIFEST
        manifest = AdapterManifest.of(read_manifest(manifest_file), manifest_file) if manifest_file.is_file() else None
        if manifest is not None and manifest.kind == "task":
            if manifest.adapter:
                raise AdapterkitError(
                    f"variant {spec.text!r}: a task adapter; two-stage fine-tuning starts from a full task model "
                    "(finetune --mode full)"
                )
            return Variant(spec.text, _model_base(spec), task=manifest)
        return Variant(spec.text, _model_base(spec))
    parts = adapter_parts(spec, store)
    peft_model = load_parts(parts)  # several parts: additive methods only (refused in one line otherwise)
    base, names, first = base_of(parts[0].manifest), [p.name for p in parts], parts[0].fingerprint
    if not parts[0].method.additive:  # one DoRA/IA³ adapter: PEFT's merge folds it exactly
        return Variant(spec.text, base, parts=names, fingerprint=first, folded=fold_adapter(peft_model))
    composed, _ = compose_factors(extract_factors(peft_model), [1.0] * len(parts), "stack")
    return Variant(spec.text, base, composed, names, first)


# ----------------------------------------------------------------------------------- masked LMs


@dataclass
class Loaded:
    """A variant's model, and what its row means when it is a composition."""

    model: object
    exact_composition: bool = False
    heads: list[str] | None = None  # head modules composed by HEAD_RULE


def _composition_of(folder: Path) -> dict | None:
    manifest = folder / MANIFEST
    if not manifest.is_file():
        return None
    try:
        return json.loads(manifest.read_text(encoding="utf-8")).get("composition")
    except (OSError, ValueError, AttributeError):  # not adapterkit's manifest: a plain model, no note
        return None


def _composed_heads(composition: dict, folder: Path) -> list[str] | None:
    """The head modules a saved composition took the mean of (older manifests: from its PEFT config)."""
    if composition.get("heads"):
        return list(composition["heads"]["modules"])
    config = folder / "adapter_config.json"
    if config.is_file():
        return read_adapter_config(config).modules_to_save or None
    return None


def load_mlm(variant: str | VariantSpec, store: Registry, base: Base) -> Loaded:
    """The masked LM of one variant (``base``: ``base``), ready for ``heldout_perplexity``."""
    spec = _spec(variant, store)
    if spec.kind == "base":
        return Loaded(load_masked_lm(base)[0])
    if spec.kind in ("model", "hub-model"):
        encoder = _model_base(spec)
        model = load_masked_lm(encoder)[0]
        composition = _composition_of(encoder.path)
        if composition is None:
            return Loaded(model)
        return Loaded(model, bool(composition.get("exact")), _composed_heads(composition, encoder.path))
    parts = adapter_parts(spec, store)
    if len(parts) == 1:  # a registry adapter, single or composed: evaluate the saved folder itself
        part = parts[0]
        model, _ = load_masked_lm(base_of(part.manifest))
        if fingerprint(model) != part.fingerprint:
            raise AdapterkitError(f"variant {spec.text}: it was trained on another base than {base.name}")
        check_tensors(part.path, model)  # tensors that do not fit: one line, not PEFT's traceback
        with peft_loading(part.path):
            loaded = PeftModel.from_pretrained(model, part.path)
        recorded = part.manifest.composition
        if recorded is None:
            return Loaded(loaded)
        composition = recorded.to_dict()
        return Loaded(loaded, bool(composition.get("exact")), _composed_heads(composition, part.path))
    peft_model = load_parts(parts)  # an inline stack a+b: compose it exactly, load it as PEFT would
    composed, heads = compose_factors(extract_factors(peft_model), [1.0] * len(parts), "stack")
    model = peft_model.unload()
    with tempfile.TemporaryDirectory() as folder:
        write_adapter(Path(folder), composed, heads, "inline")
        return Loaded(PeftModel.from_pretrained(model, folder), True, sorted(heads) or None)


def base_for(variants: list[str] | list[VariantSpec], store: Registry, base: str | None = None) -> Base:
    """``--base``, else the base of the first adapter among the variants, else mBERT."""
    if base is not None:
        return models.resolve_base(base)
    for variant in variants:
        spec = _spec(variant, store)
        if spec.kind == "adapters":
            return base_of(resolve_adapter(spec.parts[0], store).manifest)
    return models.resolve_base(DEFAULT_BASE)
