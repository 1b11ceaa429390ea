"""The requests of the jobs that train task models: every setting of ``finetune``, ``cv`` and
``compare``, with its default.

Model-free on purpose: the commands read their defaults from these dataclasses (each default is
written once, here or in ``TrainSettings``) without importing torch, so a mistyped option costs a
fraction of a second.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from ..tasks.settings import TRAINING_RULES, TrainSettings
from ..tracking import Tracking


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
        settings["training_rules"] = TRAINING_RULES
        return json.loads(json.dumps(settings, default=str))


@dataclass
class CvRequest:
    """Every setting of ``adapterkit cv`` (the CLI options, one to one)."""

    data: list[Path]
    variant: str = "base"
    base: str | None = None
    fmt: str = "auto"
    preset: str = "auto"
    repair: bool = False
    folds: int = 10
    seed: int = 42
    fold_file: Path | None = None
    strict: bool = False
    limit: int | None = None  # use only the first N examples (small-scale runs); None or 0: all
    types: list[str] | None = None  # keep only these entity types
    keep_model: bool = False  # keep the first fold's trained model (for ``adapterkit analyse``)
    settings: TrainSettings = field(default_factory=TrainSettings)
    run_dir: Path | None = None
    resume: bool = False
    force: bool = False
    registry: Path | None = None
    tracking: Tracking = field(default_factory=Tracking)  # logging folder: one sub-folder per fold
    announce_logs: bool = True  # print where the logs go (compare prints it once for every variant)
    keep_checkpoints: bool = False  # keep each fold's checkpoints after its metrics are written


@dataclass
class CompareRequest:
    variants: list[str]
    cv: CvRequest
    run_id: str | None = None
    pairs: str | None = None  # --pairs: "all" or "a:b,c:d", tests between non-baseline variants
