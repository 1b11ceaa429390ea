"""The settings of a pre-training run: every option of ``adapterkit pretrain``, its default and its check.

``PretrainConfig`` is what the CLI, ``vocab extend`` and recipes fill in and what ``run_pretrain``
(``jobs/pretrain.py``) consumes: the defaults live here once, ``validate`` rejects nonsense before
anything is loaded or written (one line naming the option and what is expected), and
``fingerprint_of_run`` is what a ``--resume`` must find unchanged. The learning-rate defaults
differ by mode: 2e-5 for full training, the adapter method's otherwise (3e-4 LoRA and DoRA, 3e-3
IA³: ``methods/``), and so do the layers an adapter wraps.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .choices import BLOCK_MODES, DEFAULT_BASE, TRAIN_HEAD
from .errors import AdapterkitError
from .methods import DEFAULT_METHOD, FULL_LR, LAYERS, AdapterMethod, AdapterSettings
from .methods import get as get_method
from .paths import registry_dir
from .privacy.options import DEFAULT_CANARY_REPEATS, check_privacy_options
from .registry import check_name
from .safety import check_finite_options


@dataclass
class PretrainConfig:
    """Every setting of a pre-training run (the CLI options, one to one)."""

    corpus: list[Path]
    name: str
    base: str = DEFAULT_BASE
    full: bool = False
    language: list[str] = field(default_factory=list)
    domain: str | None = None
    max_steps: int = -1
    epochs: float = 5.0
    batch_size: int = 8
    grad_accum: int = 4
    lr: float | None = None  # None: 2e-5 full, else the adapter method's
    weight_decay: float = 0.0
    warmup_ratio: float = 0.0
    warmup_steps: int = 0  # above 0 it wins over warmup_ratio, as in transformers (training.arguments.warmup)
    max_seq_len: int = 512
    mlm_probability: float = 0.15
    block_mode: str = "packed"
    heldout: float = 0.05
    text_field: str = "text"
    num_proc: int | None = None
    seed: int = 42
    save_steps: int = 500
    logging_steps: int = 10
    output: Path | None = None
    registry: Path | None = None
    work_dir: Path | None = None
    resume: bool = False
    force: bool = False
    lora_r: int = 16
    lora_alpha: int = 32
    lora_dropout: float = 0.05
    lora_targets: list[str] | None = None  # None: the adapter method's layers
    method: str = DEFAULT_METHOD  # the adapter method (methods/): lora | dora | ia3
    train_head: str = "auto"  # auto | yes | no
    new_token_ids: list[int] = field(default_factory=list)  # embedding rows trained with the adapter (vocab extend)
    precision: str = "auto"  # auto | fp32 | bf16 | fp16 (speed.py)
    gradient_checkpointing: bool = False
    group_by_length: bool | None = None  # None: on in line mode (blocks of packed mode are all full)
    streaming: bool = False  # blocks made on the fly from the files (corpora larger than memory)
    quantize: str | None = None  # 8bit | 4bit: LoRA on a bitsandbytes-quantized frozen base
    optim: str = "adamw"  # adamw | adamw8bit (bitsandbytes)
    report_to: str = "none"  # none | tensorboard | wandb | all (tracking.py)
    logging_dir: Path | None = None  # default: RUN_DIR/logs
    keep_checkpoints: bool = False  # a finished run deletes its checkpoints unless asked to keep them
    # privacy (adapterkit.privacy): a private corpus, canaries for the audit, DP-SGD training
    private_corpus: bool = False
    canaries: int = 0
    canary_repeats: int = DEFAULT_CANARY_REPEATS
    dp_epsilon: float | None = None
    dp_delta: float | None = None  # None: 1 / training blocks
    dp_max_grad_norm: float | None = None  # None: DEFAULT_MAX_GRAD_NORM

    @property
    def learning_rate(self) -> float:
        return self.lr if self.lr is not None else (FULL_LR if self.full else self.adapter_method.learning_rate)

    @property
    def adapter_method(self) -> AdapterMethod:
        return get_method(self.method)

    @property
    def targets(self) -> list[str]:
        """The layers the adapter wraps: ``--lora-targets``, else the method's."""
        return list(self.adapter_method.layers) if self.lora_targets is None else list(self.lora_targets)

    def adapter_settings(self, head_modules: list[str] | None = None) -> AdapterSettings:
        """What the adapter method builds the adapter from (``head_modules``: trained in full with it)."""
        return AdapterSettings(
            layers=self.targets,
            r=self.lora_r,
            alpha=self.lora_alpha,
            dropout=self.lora_dropout,
            modules_to_save=head_modules,
            new_token_ids=list(self.new_token_ids),
        )

    @property
    def length_grouped(self) -> bool:
        return self.block_mode == "line" if self.group_by_length is None else self.group_by_length

    @property
    def destination(self) -> Path:
        if self.output is not None:
            return self.output
        return (Path("models") if self.full else registry_dir(self.registry)) / self.name

    @property
    def run_dir(self) -> Path:
        return self.work_dir or Path("runs") / "pretrain" / self.name

    def validate(self) -> None:
        """Reject nonsense before anything is loaded or written."""
        check_name(self.name)
        check_finite_options(
            lr=self.lr,
            epochs=self.epochs,
            weight_decay=self.weight_decay,
            warmup_ratio=self.warmup_ratio,
            mlm_probability=self.mlm_probability,
            heldout=self.heldout,
            lora_dropout=self.lora_dropout,
        )
        checks = [
            (self.lr is None or self.lr > 0, "--lr", "a positive learning rate such as 2e-5"),
            (self.epochs > 0, "--epochs", "a positive number of epochs"),
            (
                self.max_steps == -1 or self.max_steps > 0,
                "--max-steps",
                "a positive number of steps (or -1: use --epochs)",
            ),
            (self.batch_size > 0, "--batch-size", "a positive batch size"),
            (self.grad_accum > 0, "--grad-accum", "a positive number of accumulation steps"),
            (self.max_seq_len >= 8, "--max-seq-len", "a length of at least 8 tokens"),
            (0 < self.mlm_probability < 1, "--mlm-probability", "a fraction between 0 and 1, such as 0.15"),
            (0 < self.heldout < 1, "--heldout", "a fraction between 0 and 1, such as 0.05"),
            (self.weight_decay >= 0, "--weight-decay", "zero or a positive value"),
            (0 <= self.warmup_ratio < 1, "--warmup-ratio", "a fraction of the steps, 0 or more and below 1"),
            (self.warmup_steps >= 0, "--warmup-steps", "zero or a positive number of steps"),
            (self.save_steps > 0, "--save-steps", "a positive number of steps"),
            (self.logging_steps > 0, "--logging-steps", "a positive number of steps"),
            (self.block_mode in BLOCK_MODES, "--block-mode", f"one of {', '.join(BLOCK_MODES)}"),
            (self.num_proc is None or self.num_proc > 0, "--num-proc", "a positive number of processes"),
            (self.train_head in TRAIN_HEAD, "--train-head", f"one of {', '.join(TRAIN_HEAD)}"),
        ]
        if self.full and self.method != DEFAULT_METHOD:
            raise AdapterkitError(f"--method {self.method}: --full trains all weights, no adapter; give one of the two")
        if not self.full:
            checks.append((bool(self.targets), "--lora-targets", f"some of {','.join(LAYERS)}"))  # --method checked
        if not self.full and self.adapter_method.uses_rank:
            checks += [
                (self.lora_r > 0, "--lora-r", "a positive rank such as 16"),
                (self.lora_alpha > 0, "--lora-alpha", "a positive alpha such as 32"),
                (0 <= self.lora_dropout < 1, "--lora-dropout", "a probability in [0, 1)"),
            ]
        for ok, option, expected in checks:
            if not ok:
                raise AdapterkitError(f"{option} {getattr(self, _attribute(option))!r}: expected {expected}")
        from .quantize import check_options
        from .speed import resolve_precision  # torch: read only when a run is checked

        resolve_precision(self.precision)  # fp16 without a GPU: fail before anything is loaded

        check_options(self.quantize, self.optim, self.full)
        check_privacy_options(self)
        if self.streaming and self.max_steps == -1:
            raise AdapterkitError("--streaming: a stream has no length, so --epochs cannot end it; set --max-steps N")
        unknown = [target for target in self.targets if target not in LAYERS]
        if unknown and not self.full:
            raise AdapterkitError(f"--lora-targets {','.join(unknown)}: unknown; choose from {','.join(LAYERS)}")
        if not self.full and not self.adapter_method.uses_rank:
            given = [f"--{name.replace('_', '-')}" for name in RANK_OPTIONS if getattr(self, name) != _default(name)]
            if given:
                raise AdapterkitError(
                    f"{given[0]}: {self.adapter_method.title} adapters have no rank, alpha or dropout; "
                    "drop the option, or use --method lora or dora"
                )
        if self.new_token_ids and not self.full and not self.adapter_method.new_rows:
            raise AdapterkitError(
                f"--method {self.method}: {self.adapter_method.title} cannot train new vocabulary rows with the "
                "adapter; use lora or dora"
            )

    def fingerprint_of_run(self) -> dict:
        """The settings that must not change between a run and its ``--resume``."""
        settings = asdict(self)
        for volatile in (
            "resume", "force", "num_proc", "logging_steps", "registry", "output", "work_dir",
            "report_to", "logging_dir", "keep_checkpoints",
        ):  # fmt: skip
            settings.pop(volatile)
        settings.pop("gradient_checkpointing")  # the same loss and gradients either way
        settings["lora_targets"] = self.targets
        if settings["method"] == DEFAULT_METHOD:
            settings.pop("method")  # runs from before --method record none: they were LoRA
        if settings["warmup_ratio"] == 0.0:
            settings.pop("warmup_ratio")  # runs from before --warmup-ratio record none: they had none
        return json.loads(json.dumps(settings, default=str))


RANK_OPTIONS = ("lora_r", "lora_alpha", "lora_dropout")  # what only methods with a rank (uses_rank) take


def _default(name: str):
    return PretrainConfig.__dataclass_fields__[name].default


def _attribute(option: str) -> str:
    return option.lstrip("-").replace("-", "_")
