"""``adapterkit audit NAME``: how much did an adapter (or a full model) memorise of its training lines?

Two measurements, recorded in the manifest's ``privacy.audit`` and on the card:

- membership inference (``membership``): can a calibrated loss attack tell a sample of the
  training lines from the held-out lines ``pretrain`` kept aside? ROC AUC with a bootstrap
  interval, true-positive rates at 1 % and 0.1 % false positives, the number of lines;
- canary exposure (``canaries``), when ``pretrain --canaries`` planted some: the rank of each
  canary among ``candidates`` random lines of its shape, in bits.

A composed adapter is audited against the union of its parts' training and held-out lines (and
their canaries); every part must have been trained here. Nothing of the corpus is printed or
recorded: only counts and figures.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import torch

from ..atomic import atomic_write_json, atomic_write_text
from ..card import render_card, render_composition_card
from ..errors import AdapterkitError
from ..locks import NameLock
from ..manifest import MANIFEST, AdapterManifest, read_adapter_manifest, read_manifest
from ..models import base_of, load_masked_lm, load_tokenizer
from ..registry import Registry
from ..variants import load_mlm, parse_variant
from . import canaries as canary_lib
from .membership import Split, attack_figures, recover_split, sample_lines
from .scoring import line_losses

DEFAULT_LINES = 500


@dataclass
class AuditRequest:
    """Every setting of ``adapterkit audit`` (the CLI options, one to one)."""

    name: str  # registry adapter, or a folder holding an adapterkit.json (a full model)
    registry: Path | None = None
    corpus: list[Path] | None = None  # the training files, if they moved since training
    lines: int = DEFAULT_LINES  # at most this many held-out lines, and as many training lines
    masks: int = 4
    candidates: int = canary_lib.MIN_CANDIDATES
    seed: int = 0
    record: bool = True
    batch_size: int = 32

    def validate(self) -> None:
        checks = [
            (self.lines >= 2, "--lines", "at least 2 lines"),
            (self.masks >= 1, "--masks", "at least 1 mask draw per line"),
            (self.candidates >= canary_lib.MIN_CANDIDATES, "--candidates", f"at least {canary_lib.MIN_CANDIDATES:,}"),
            (self.batch_size >= 1, "--batch-size", "a positive batch size"),
        ]
        for ok, option, expected in checks:
            if not ok:
                value = getattr(self, option.lstrip("-").replace("-", "_"))
                raise AdapterkitError(f"{option} {value!r}: expected {expected}")


@dataclass
class Audited:
    """What ``audit`` found and where it went."""

    folder: Path
    manifest: AdapterManifest
    audit: dict


def _locate(request: AuditRequest, store: Registry) -> tuple[Path, bool]:
    """The folder audited and whether it is a registry adapter (else a model folder)."""
    folder = Path(request.name)
    if "/" not in request.name and (store.root / request.name / MANIFEST).is_file():
        store.check_not_link(request.name)
        return store.path(request.name), True
    if folder.is_dir() and (folder / MANIFEST).is_file():
        return folder, False
    raise AdapterkitError(
        f"audit {request.name}: neither an adapter in the registry {store.root} nor a folder with {MANIFEST} "
        "(see: adapterkit adapters list)"
    )


def _members(manifest: AdapterManifest, store: Registry, request: AuditRequest) -> tuple[Split, list[str], list]:
    """The training/held-out split, the canary lines and the manifests they came from (parts of a composition)."""
    sources = [manifest]
    if manifest.composition is not None:
        sources = []
        for part in manifest.composition.parts or []:
            folder = store.root / part.name
            if not (folder / MANIFEST).is_file():
                raise AdapterkitError(
                    f"audit {request.name}: part {part.name} of the composition is not in the registry {store.root}; "
                    "a composition is audited against its parts' training lines"
                )
            sources.append(read_adapter_manifest(folder / MANIFEST))
    train: list[str] = []
    heldout: list[str] = []
    planted: list[str] = []
    for source in sources:
        split = recover_split(source, request.corpus if len(sources) == 1 else None, source.name or "")
        train += split.train
        heldout += split.heldout
        if source.private is not None:
            planted += source.private.canaries or []
    return Split(train, heldout), planted, sources


def _canary_figures(model, tokenizer, planted: list[str], sources: list, request: AuditRequest) -> dict:
    languages = next((m.languages for m in sources if m.languages), []) or []
    sentence = canary_lib.template(languages)
    exposures = [
        canary_lib.canary_exposure(model, tokenizer, line, sentence, request.candidates, request.seed, planted)
        for line in planted
    ]
    exposures = [round(value, 3) for value in exposures]
    recorded = [m.privacy.canaries for m in sources if m.privacy is not None and m.privacy.canaries]
    repeats = {entry.get("repeats") for entry in recorded}
    return {
        "count": len(planted),
        **({"repeats": repeats.pop()} if len(repeats) == 1 else {}),
        "candidates": request.candidates,
        "exposures": exposures,
        "mean_exposure": round(float(np.mean(exposures)), 3),
        "max_exposure": round(float(np.max(exposures)), 3),
        "max_possible": round(math.log2(request.candidates + 1), 3),
    }


def run_audit(request: AuditRequest) -> Audited:
    """Measure, then (``record``) write the audit into the manifest and the card of the folder."""
    from ..paths import registry_dir

    request.validate()
    store = Registry(registry_dir(request.registry))
    folder, in_registry = _locate(request, store)
    manifest = AdapterManifest.of(read_manifest(folder / MANIFEST), folder / MANIFEST)
    if manifest.kind in ("task", "vocabulary-extension", "new-vocabulary"):
        raise AdapterkitError(f"audit {request.name}: a {manifest.kind} model; audit pretrained or composed adapters")
    if in_registry:
        store.hold(folder.name)
    split, planted, sources = _members(manifest, store, request)
    members, others = sample_lines(split, request.lines, request.seed)
    base = base_of(manifest)
    tokenizer = load_tokenizer(base)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    hyper = sources[0].hyperparameters
    max_len = int(hyper.max_seq_len or 512) if hyper is not None else 512
    probability = float((hyper.extra.get("mlm_probability") if hyper is not None else None) or 0.15)
    scored = members + others

    def losses(model) -> np.ndarray:
        model.to(device)
        found = line_losses(
            model, tokenizer, scored, max_len, probability, request.seed, request.masks, request.batch_size
        )
        model.to("cpu")
        return found

    frozen = load_masked_lm(base)[0]
    base_losses = losses(frozen)
    del frozen
    variant = str(folder) if not in_registry else folder.name
    audited = load_mlm(parse_variant(variant, store), store, base).model
    adapter_losses = losses(audited)
    score = base_losses - adapter_losses
    membership = attack_figures(score[: len(members)], score[len(members) :], request.seed)
    membership |= {"masks_per_line": request.masks, "method": "loss, calibrated by the frozen base"}
    audit: dict = {"created": datetime.now(timezone.utc).isoformat(timespec="seconds"), "membership": membership}
    if planted:
        audited.to(device)
        audit["canaries"] = _canary_figures(audited, tokenizer, planted, sources, request)
    if request.record:
        manifest = record_audit(folder, store if in_registry else None, audit)
    return Audited(folder, manifest, audit)


def record_audit(folder: Path, store: Registry | None, audit: dict) -> AdapterManifest:
    """Write ``audit`` into the folder's manifest (``privacy.audit``) and card, under the name's lock."""
    lock = NameLock.acquire(store.lock_path(folder.name), str(folder)) if store is not None else None
    try:
        data = read_manifest(folder / MANIFEST)
        data["privacy"] = {**data.get("privacy", {}), "audit": audit}
        manifest = AdapterManifest.from_dict(data, folder / MANIFEST)
        atomic_write_json(folder / MANIFEST, manifest.to_dict())
        if manifest.composition is not None:
            atomic_write_text(folder / "README.md", render_composition_card(manifest))
        elif manifest.hyperparameters is not None and manifest.corpus is not None:
            atomic_write_text(folder / "README.md", render_card(manifest))
        return manifest
    finally:
        if lock is not None:
            lock.release()
