"""Composition of LoRA adapters trained on the same frozen base.

Only methods whose update is an additive ΔW compose (``methods/``: LoRA); a DoRA or IA³ adapter
is refused in one line saying why, here and in an inline stack ``a+b`` of any command.

For parts i with updates ΔW_i = s_i · B_i A_i (s_i PEFT's scaling, alpha/r or alpha/√r) and
weights w_i, every strategy produces one plain LoRA adapter (or a merged model):

- ``stack`` (exact): W + Σ w_i ΔW_i, written as the concatenation A = [A_1; A_2; …],
  B = [w_1 s_1 B_1, w_2 s_2 B_2, …] with scaling 1 (alpha = rank = Σ r_i). The product B A
  is exactly Σ w_i s_i B_i A_i: the same model as PEFT with all parts active at once, in any
  order. (PEFT's ``add_weighted_adapter(combination_type="linear")`` averages A and B
  separately, which creates cross terms B_i A_j: not a sum, never used here.)
- ``merge`` (exact): the stack folded into the base weights; a plain transformers model.
- ``svd`` (approximation): the dense sum truncated to ``--rank`` singular values.
- ``ties`` / ``dare`` (approximations): PEFT's TIES (trim to ``--density``, elect signs,
  disjoint mean) and DARE (random drop to ``--density``, rescale) on the dense updates
  ΔW_i, then truncated to ``--rank`` by SVD.

Modules that some parts do not adapt contribute nothing for those parts. A head module the
parts train in full (``modules_to_save``, e.g. the new MLM head of the embedded model) is not
an update but a replacement: two trained heads have no sum of LoRA updates, and PEFT refuses
several active adapters on such a module. The rule, the same in ``stack``, ``merge`` and the
inline stacks of eval-mlm: the result takes the weighted mean of the parts' heads
(Σ w_i H_i / Σ w_i; with a single head, that head), recorded in the manifest
(``composition.heads``). Stack and merge then give the same outputs up to float32 rounding
(W x + B (A x) against (W + B A) x: ~1e-6 relative on logits and perplexity).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import torch
from peft import PeftModel
from safetensors.torch import save_file

from .choices import STRATEGIES
from .errors import AdapterkitError
from .factors import Factors, compose_factors, extract_factors, head_record, merge_into
from .hub import HUB_PREFIX, ensure_pulled
from .integrity import verify_weights
from .manifest import AdapterManifest, check_tensors, peft_loading, read_adapter_config
from .methods import AdapterMethod, check_stackable, of_config
from .methods.lora import stacked_config
from .models import base_of, fingerprint, load_masked_lm
from .privacy.publishing import check_dp_mix
from .pull_checks import base_disagreement
from .registry import MANIFEST, Registry, read_manifest

EXACT = ("stack", "merge")
COMPOSABLE_KINDS = ("language", "domain", "composed")


@dataclass
class Part:
    """One adapter of a composition."""

    name: str
    path: Path
    manifest: AdapterManifest
    weight: float = 1.0

    @property
    def fingerprint(self) -> str:
        return self.manifest.base.fingerprint or ""

    @property
    def method(self) -> AdapterMethod:
        """The adapter method, as its adapter_config.json says (pull checked it against the manifest)."""
        config = self.path / "adapter_config.json"
        return of_config(read_adapter_config(config), config)


def resolve_adapter(spec: str, store: Registry) -> Part:
    """A registry name, a folder holding a PEFT adapter and an adapterkit manifest, or ``hub:user/repo[@rev]``.

    A ``hub:`` name is pulled into the registry on first use (checked like ``adapterkit pull``) and reused.
    """
    if spec.startswith(HUB_PREFIX):
        spec = ensure_pulled(spec, store)
    in_registry = "/" not in spec and (store.root / spec / MANIFEST).is_file()
    folder = store.root / spec if in_registry else Path(spec)
    if in_registry:
        store.check_not_link(spec)
        store.hold(spec)  # before reading: `adapters rm` now waits for this command
    if not (folder / "adapter_config.json").is_file():
        raise AdapterkitError(
            f"adapter {spec!r} is neither in the registry {store.root} nor a folder with adapter_config.json "
            "(see: adapterkit adapters list)"
        )
    manifest_file = folder / MANIFEST
    if not manifest_file.is_file():
        raise AdapterkitError(f"{folder}: no {MANIFEST}, so its base cannot be checked; compose registry adapters")
    manifest = AdapterManifest.of(read_manifest(manifest_file), manifest_file)
    if not (folder / "adapter_model.safetensors").is_file():
        raise AdapterkitError(f"{folder}: no adapter_model.safetensors (adapterkit loads safetensors weights only)")
    verify_weights(folder, manifest)  # corrupted or truncated files: one line naming the file, before any work
    disagreement = base_disagreement(read_adapter_config(folder / "adapter_config.json"), manifest)
    if disagreement is not None:  # PEFT would load the config's base, adapterkit checks the manifest's
        raise AdapterkitError(
            f"adapter {spec!r}: {disagreement}; they must name the same base: re-create or pull it again"
        )
    return Part(name=manifest.name or folder.name, path=folder, manifest=manifest)


def parse_weights(text: str | None, count: int) -> list[float]:
    if text is None:
        return [1.0] * count
    try:
        weights = [float(value) for value in text.split(",")]
    except ValueError:
        raise AdapterkitError(f"--weights {text!r}: give numbers separated by commas, such as 1.0,0.5") from None
    if not all(math.isfinite(weight) for weight in weights):
        raise AdapterkitError(f"--weights {text!r}: every weight must be a finite number")
    if len(weights) != count:
        raise AdapterkitError(
            f"--weights {text!r}: {len(weights)} weight(s) for {count} adapters; give one per adapter"
        )
    return weights


def check_parts(parts: list[Part], how: str) -> None:
    """Refuse compositions that have no defined meaning, with the reason in one line."""
    if len(parts) < 2:
        raise AdapterkitError("compose needs at least two adapters")
    names = [part.name for part in parts]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise AdapterkitError(f"adapter {repeated[0]!r} is named twice: name it once and set its weight with --weights")
    for part in parts:
        kind = part.manifest.kind
        if kind not in COMPOSABLE_KINDS:
            raise AdapterkitError(
                f"{part.name} is a {kind} adapter: compose takes language/domain adapters "
                f"({', '.join(COMPOSABLE_KINDS)})"
            )
        check_stackable(part.name, part.method, f"compose --how {how}")
    first = parts[0]
    for part in parts[1:]:
        if part.fingerprint != first.fingerprint:
            raise AdapterkitError(
                f"{first.name} and {part.name} were trained on different bases "
                f"({first.manifest.base.id} {first.fingerprint[:19]}… vs "
                f"{part.manifest.base.id} {part.fingerprint[:19]}…): "
                "adapters compose only on the same frozen base"
            )
    if how in ("ties", "dare"):
        module_sets = [_adapted_modules(part) for part in parts]
        for part, modules in zip(parts[1:], module_sets[1:], strict=True):
            if modules != module_sets[0]:
                raise AdapterkitError(
                    f"--how {how} elects and drops entries across adapters, so they must adapt the same modules: "
                    f"{first.name} and {part.name} differ in {len(modules ^ module_sets[0])} modules; use --how stack"
                )


def _adapted_modules(part: Part) -> set[str]:
    from safetensors import safe_open

    with safe_open(part.path / "adapter_model.safetensors", "pt") as handle:
        return {key.split(".lora_")[0] for key in handle.keys() if ".lora_" in key}  # noqa: SIM118


def load_parts(parts: list[Part], masked_only: bool = True) -> PeftModel:
    """The base with every part loaded as a named adapter (``p0``, ``p1``, …), none merged.

    Several parts are summed by every caller: each must be of a method whose update is additive."""
    if len(parts) > 1:
        for part in parts:
            check_stackable(part.name, part.method, "a stack of adapters")
    base = base_of(parts[0].manifest)
    model, _ = load_masked_lm(base, masked_only=masked_only)
    if fingerprint(model) != parts[0].fingerprint:
        raise AdapterkitError(
            f"the base {base.name} at {base.path} no longer has the fingerprint {parts[0].name} was trained on"
        )
    for part in parts:  # tensors that do not fit the base: one line, not PEFT's size-mismatch traceback
        check_tensors(part.path, model)
    with peft_loading(parts[0].path):
        peft_model = PeftModel.from_pretrained(model, parts[0].path, adapter_name="p0")
    for index, part in enumerate(parts[1:], start=1):
        with peft_loading(part.path):
            peft_model.load_adapter(part.path, adapter_name=f"p{index}")
    peft_model.eval()
    return peft_model


def write_adapter(
    folder: Path,
    composed: dict[str, tuple[torch.Tensor, torch.Tensor]],
    heads: dict[str, dict[str, torch.Tensor]],
    base_model_name: str,
) -> None:
    """Save the composition as a plain PEFT LoRA folder (scaling 1: alpha = rank per module)."""
    config = stacked_config({name: a.shape[0] for name, (a, _) in composed.items()}, list(heads), base_model_name)
    config.save_pretrained(str(folder))
    tensors = {}
    for name, (a, b) in composed.items():
        tensors[f"base_model.model.{name}.lora_A.weight"] = a.contiguous()
        tensors[f"base_model.model.{name}.lora_B.weight"] = b.contiguous()
    for name, state in heads.items():
        for key, value in state.items():
            tensors[f"base_model.model.{name}.{key}"] = value.contiguous()
    save_file(tensors, str(folder / "adapter_model.safetensors"), metadata={"format": "pt"})


def composition_manifest(
    name: str,
    parts: list[Part],
    how: str,
    rank: int | None,
    density: float | None,
    extra: dict | None = None,
) -> dict:
    from . import __version__

    languages: list[str] = []
    for part in parts:
        languages += [lang for lang in part.manifest.languages or [] if lang not in languages]
    domains = [part.manifest.domain for part in parts if part.manifest.domain]
    return {
        "name": name,
        "kind": "composed" if how != "merge" else "model",
        "languages": languages,
        "domain": "+".join(dict.fromkeys(domains)) or None,
        "base": parts[0].manifest.base.to_dict(),
        "composition": {
            "how": how,
            "exact": how in EXACT,
            "approximation": None if how in EXACT or how == "learned" else _APPROXIMATIONS[how],
            "parts": [{"name": p.name, "weight": p.weight, "path": str(p.path)} for p in parts],
            "rank": rank,
            "density": density,
            **(extra or {}),
        },
        "versions": {"adapterkit": __version__},
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }


_APPROXIMATIONS = {
    "svd": "rank-truncated SVD of the weighted sum of the updates",
    "ties": "TIES merge (trim, elect sign, disjoint mean) of the dense updates, then rank-truncated SVD",
    "dare": "DARE (random drop and rescale) of the dense updates, then rank-truncated SVD",
}


@dataclass
class ComposeRequest:
    """Every setting of ``adapterkit compose`` (the CLI options, one to one)."""

    adapters: list[str]
    how: str = "stack"
    weights: str | None = None
    name: str | None = None
    rank: int | None = None
    density: float = 0.5
    seed: int = 42  # as pretrain: the --on text is split into the same held-out lines as eval-mlm's
    on: list[Path] = field(default_factory=list)
    per_layer: bool = False
    steps: int = 100
    lr: float = 0.05
    max_seq_len: int = 128
    registry: Path | None = None
    output: Path | None = None
    force: bool = False
    accept_weaker_privacy: bool = False  # a DP adapter composed with one trained without DP


def run_compose(request: ComposeRequest) -> tuple[Path, dict]:
    """Check, compose and save; returns the destination and its manifest."""
    from .paths import registry_dir
    from .registry import check_name

    how = request.how
    if how not in STRATEGIES:
        raise AdapterkitError(f"--how {how!r}: choose one of {', '.join(STRATEGIES)}")
    if request.rank is not None and request.rank <= 0:
        raise AdapterkitError(f"--rank {request.rank}: expected a positive rank")
    if not 0 < request.density <= 1:
        raise AdapterkitError(f"--density {request.density}: expected a fraction in (0, 1]")
    if how == "learned" and not request.on:
        raise AdapterkitError("--how learned needs --on FILE: a sample of target-language text to fit the weights on")
    if how == "learned":
        for ok, option, value in (
            (request.steps > 0, "--steps", request.steps),
            (request.lr > 0 and math.isfinite(request.lr), "--lr", request.lr),
            (request.max_seq_len >= 8, "--max-seq-len", request.max_seq_len),
        ):
            if not ok:
                raise AdapterkitError(f"{option} {value}: expected a positive value (--max-seq-len: at least 8)")
    store = Registry(registry_dir(request.registry))
    parts = [resolve_adapter(spec, store) for spec in request.adapters]
    for part, weight in zip(parts, parse_weights(request.weights, len(parts)), strict=True):
        part.weight = weight
    check_parts(parts, how)
    check_dp_mix(parts, request.accept_weaker_privacy)
    name = check_name(request.name or "+".join(part.name for part in parts))
    destination = request.output or (Path("models") / name if how == "merge" else store.root / name)
    if destination.exists() and not request.force:
        raise AdapterkitError(f"{destination} already exists: choose another --name, or add --force to replace it")

    with Registry(destination.parent).reserve(destination.name, request.force, _inputs(request, parts)):
        return _compose_and_save(request, parts, destination)


def _inputs(request: ComposeRequest, parts: list[Part]) -> list[Path]:
    """What the composition reads: a folder holding any of it is never replaced by --force."""
    return [part.path for part in parts] + list(request.on)


def _compose_and_save(request: ComposeRequest, parts: list[Part], destination: Path) -> tuple[Path, dict]:
    how = request.how
    peft_model = load_parts(parts)
    factors = extract_factors(peft_model)
    base_model = peft_model.unload()  # the frozen base, adapters removed (weights untouched)
    weights = [part.weight for part in parts]
    extra: dict = {}
    layer_weights = None
    if how == "learned":
        fitted = _fit(request, parts, factors, base_model, weights)
        extra["learned"] = fitted.__dict__
        extra["start_weights"] = weights
        head_weights, weights, layer_weights = weights, fitted.weights, fitted.per_layer
        for part, weight in zip(parts, weights, strict=True):
            part.weight = weight
    else:
        head_weights = None
    composed, heads = compose_factors(
        factors, weights, how, request.rank, request.density, request.seed, head_weights, layer_weights
    )
    if heads:
        extra["heads"] = head_record(heads)
    manifest = composition_manifest(
        destination.name, parts, how, request.rank, request.density if how in ("ties", "dare") else None, extra
    )
    recorded = parts[0].manifest.base
    base_name = recorded.peft_base_model if recorded.peft_base_model is not None else recorded.id

    for layer, (a, b) in composed.items():  # learned weights that diverged: refuse before writing
        if not (torch.isfinite(a).all() and torch.isfinite(b).all()):
            raise AdapterkitError(f"composition {destination.name}: {layer} holds nan or inf; nothing was saved")

    def write(folder: Path) -> None:
        from .card import render_composition_card

        if how == "merge":
            merged = merge_into(base_model, composed, heads)
            merged.save_pretrained(folder)
            from .models import load_tokenizer

            load_tokenizer(base_of(parts[0].manifest)).save_pretrained(folder)
        else:
            write_adapter(folder, composed, heads, base_name)
        (folder / "README.md").write_text(render_composition_card(manifest))
        (folder / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")

    Registry(destination.parent).save(destination.name, write, force=request.force, inputs=_inputs(request, parts))
    return destination, manifest


def _fit(request: ComposeRequest, parts: list[Part], factors: Factors, base_model, weights: list[float]):
    from .corpus import prepare
    from .learned import fit_weights
    from .mlm import MLMCollator
    from .models import load_tokenizer

    tokenizer = load_tokenizer(base_of(parts[0].manifest))
    data, report = prepare(request.on, tokenizer, request.max_seq_len, seed=request.seed)
    train_set, heldout_set = (data[split].remove_columns("length") for split in ("train", "heldout"))
    collator = MLMCollator(tokenizer, seed=request.seed)
    fitted = fit_weights(
        base_model,
        factors,
        weights,
        train_set,
        heldout_set,
        collator,
        per_layer=request.per_layer,
        steps=request.steps,
        lr=request.lr,
        seed=request.seed,
    )
    print(
        f"learned weights on {report.lines_kept} lines: "
        + ", ".join(f"{part.name} {weight:.3f}" for part, weight in zip(parts, fitted.weights, strict=True))
    )
    print(
        f"held-out perplexity: start weights {fitted.perplexity_start:,.2f} -> learned {fitted.perplexity_learned:,.2f}"
    )
    return fitted
