"""Adapter methods behind one seam: one module per method, this registry maps a name to it.

Every module of this package that defines ``METHOD`` (an ``AdapterMethod``, see ``base``) is a
method: ``lora``, ``dora``, ``ia3``. The registry gives, for a method name, its PEFT config builder,
its default layers, its default learning rate, the hyper-parameters its manifest records, and
whether adapters of it stack and merge exactly (an additive ΔW) or why not. Nothing outside this
package builds a PEFT config (``tests/test_architecture.py`` checks it).

A manifest records its adapter's method as ``hyperparameters.mode`` (``full`` for a model with all
its weights); a manifest without it (before methods, composed or pulled LoRA adapters) is LoRA.
``of_config`` names the method an ``adapter_config.json`` describes, so pull can check that the
two agree and compose can refuse, in one line saying why, what does not stack exactly.
"""

from __future__ import annotations

import importlib
import pkgutil

from ..errors import AdapterkitError
from ..manifest import MANIFEST, AdapterConfig, AdapterManifest
from .base import LAYERS, AdapterMethod, AdapterSettings, layer_pattern


def _discover() -> dict[str, AdapterMethod]:
    found: dict[str, AdapterMethod] = {}
    for info in pkgutil.iter_modules(__path__):
        method = getattr(importlib.import_module(f"{__name__}.{info.name}"), "METHOD", None)
        if isinstance(method, AdapterMethod):
            found[method.name] = method
    return found


DEFAULT_METHOD = "lora"
_FOUND = _discover()
# The default first, then by name: the order --help lists them in.
METHODS: dict[str, AdapterMethod] = {
    name: _FOUND[name] for name in sorted(_FOUND, key=lambda name: (name != DEFAULT_METHOD, name))
}
METHOD_NAMES = tuple(METHODS)
FULL = "full"  # hyperparameters.mode of a model trained with all its weights
# The learning rate of training all weights (pretrain --full, finetune --mode full): the studies' 2e-5.
FULL_LR = 2e-5


def get(name: str, option: str = "--method") -> AdapterMethod:
    """The method called ``name``; an unknown one is a one-line error naming ``option``."""
    method = METHODS.get(name)
    if method is None:
        raise AdapterkitError(f"{option} {name!r}: not an adapter method; choose one of {', '.join(METHOD_NAMES)}")
    return method


def titles() -> str:
    return ", ".join(method.title for method in METHODS.values())


def of_manifest(manifest: AdapterManifest, file: object = MANIFEST) -> AdapterMethod | None:
    """The method of the adapter a manifest describes; None for a model with all its weights."""
    hyper = manifest.hyperparameters
    mode = hyper.mode if hyper is not None and hyper.mode is not None else DEFAULT_METHOD
    if mode == FULL or manifest.kind == "model":
        return None
    method = METHODS.get(mode)
    if method is None:
        raise AdapterkitError(
            f"{file}: field 'hyperparameters.mode': {mode!r} is an adapter method this adapterkit does not know "
            f"({', '.join(METHOD_NAMES)}); upgrade adapterkit"
        )
    return method


def of_config(config: AdapterConfig, file: object = "adapter_config.json") -> AdapterMethod:
    """The method ``adapter_config.json`` describes (peft_type, use_dora); others are refused in one line."""
    for method in METHODS.values():
        if method.recognises(config.peft_type, config.use_dora):
            return method
    what = f"{config.peft_type}{' (DoRA)' if config.use_dora else ''}"
    raise AdapterkitError(f"{file}: a {what} adapter; adapterkit uses {titles()} adapters")


def check_agrees(manifest: AdapterManifest, config: AdapterConfig, where: str) -> AdapterMethod:
    """The adapter's method, when its manifest and its ``adapter_config.json`` name the same one."""
    recorded = of_manifest(manifest, f"{where}: {MANIFEST}")
    actual = of_config(config, f"{where}: adapter_config.json")
    if recorded is not None and recorded is not actual:
        raise AdapterkitError(
            f"{where}: adapter_config.json holds a {actual.title} adapter (peft_type {config.peft_type}) but "
            f"{MANIFEST} records method {recorded.name}; refused"
        )
    return actual


def check_stackable(name: str, method: AdapterMethod, what: str) -> None:
    """Refuse, in one line saying why, an adapter whose update is not an additive ΔW where ``what`` sums them."""
    if not method.additive:
        additive = ", ".join(m.title for m in METHODS.values() if m.additive)
        raise AdapterkitError(
            f"{name} is a {method.title} adapter and {what} sums additive updates ΔW ({additive} adapters only): "
            f"{method.not_additive}"
        )


__all__ = [
    "DEFAULT_METHOD",
    "FULL",
    "FULL_LR",
    "LAYERS",
    "METHODS",
    "METHOD_NAMES",
    "AdapterMethod",
    "AdapterSettings",
    "check_agrees",
    "check_stackable",
    "get",
    "layer_pattern",
    "of_config",
    "of_manifest",
    "titles",
]
