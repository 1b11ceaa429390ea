"""What an adapter method is to adapterkit: ``AdapterMethod``, the settings it is built from, the layers.

``LAYERS`` names the linear layers of an encoder block an adapter can wrap (``--lora-targets``);
``layer_pattern`` turns a choice of them into PEFT's ``target_modules`` regex. ``AdapterSettings``
is what a command asks of an adapter (rank, alpha, dropout, layers, trained head modules, new
vocabulary rows, task type); ``AdapterMethod`` turns it into the method's PEFT config and into the
hyper-parameters the manifest records, knows the ``adapter_config.json`` it writes, and says whether
its update is an additive ΔW (then adapters stack and merge exactly) or why not.

Model-free: PEFT is imported only where a config is built.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

LAYERS = {
    "query": r"attention\.self\.query",
    "key": r"attention\.self\.key",
    "value": r"attention\.self\.value",
    "attention-output": r"attention\.output\.dense",
    "intermediate": r"intermediate\.dense",
    "output": r"output\.dense",
}


def layer_pattern(layers: list[str] | tuple[str, ...]) -> str:
    """A PEFT ``target_modules`` regex naming the chosen linear layers of every encoder block."""
    alternatives = "|".join(LAYERS[layer] for layer in layers)
    return rf".*encoder\.layer\.\d+\.({alternatives})"


@dataclass(frozen=True)
class AdapterSettings:
    """What a command asks of an adapter; a method uses the fields that mean something to it."""

    layers: list[str]  # keys of LAYERS
    r: int = 16
    alpha: float = 32
    dropout: float = 0.05
    modules_to_save: list[str] | None = None  # trained in full with the adapter (heads)
    new_token_ids: list[int] = field(default_factory=list)  # embedding rows trained with the adapter
    task_type: str | None = None  # PEFT's TaskType value; None: the wrapped model is used as it is


@dataclass(frozen=True)
class AdapterMethod:
    """One adapter method: its name everywhere, how it is built, recorded, recognised and composed."""

    name: str  # --method, and hyperparameters.mode in adapterkit.json
    title: str  # how cards and messages name it
    layers: tuple[str, ...]  # the layers it wraps unless --lora-targets says otherwise
    learning_rate: float  # pretrain's default peak learning rate
    build: Callable[[AdapterSettings], Any]  # the PEFT config (a peft.PeftConfig)
    hyperparameters: Callable[[AdapterSettings], dict[str, Any]]  # what the manifest records of the settings
    recognises: Callable[[str, bool], bool]  # (adapter_config's peft_type, use_dora): is it one of ours?
    additive: bool  # its update is ΔW = B A added to W: adapters stack (Σ ΔW) and merge exactly
    not_additive: str = ""  # when not additive: why a sum of such adapters is not the adapters together
    uses_rank: bool = True  # --lora-r, --lora-alpha and --lora-dropout mean something to it
    new_rows: bool = True  # it can train new vocabulary rows with the adapter (vocab extend)

    def __post_init__(self) -> None:
        if not self.additive and not self.not_additive:
            raise ValueError(f"adapter method {self.name}: say why it does not compose (not_additive)")
        unknown = [layer for layer in self.layers if layer not in LAYERS]
        if unknown:
            raise ValueError(f"adapter method {self.name}: unknown layers {unknown}")
