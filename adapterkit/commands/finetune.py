"""`adapterkit finetune`, and the training settings that finetune, cv and compare build alike."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..invocation import summarise
from ..jobs.requests import FinetuneRequest  # the defaults of the options (model-free)
from ..tasks.settings import TrainSettings  # the defaults of the training options (model-free)
from .common import quiet_libraries, require_inputs
from .options import (
    BaseOption,
    BatchOption,
    CheckpointingOption,
    DataOption,
    EpochsOption,
    ForceOption,
    FormatOption,
    GroupOption,
    KeepCheckpointsOption,
    LengthOption,
    LoggingDirOption,
    LrOption,
    MaxStepsOption,
    ModeOption,
    PositiveLabelOption,
    PrecisionOption,
    PresetOption,
    QuantizeOption,
    RegistryOption,
    RepairOption,
    ReportToOption,
    SeedOption,
    SplitOption,
    StrictOption,
    StrideOption,
    TaskRankOption,
    TypesOption,
    WarmupRatioOption,
    WarmupStepsOption,
    WeightDecayOption,
)
from .outputs import writes


def train_settings(
    *,
    epochs: float,
    batch_size: int,
    lr: float | None,
    max_steps: int,
    max_seq_len: int,
    stride: int,
    seed: int,
    mode: str,
    task_lora_r: int,
    quantize: str | None = TrainSettings.quantize,
    precision: str = TrainSettings.precision,
    gradient_checkpointing: bool = TrainSettings.gradient_checkpointing,
    group_by_length: bool,
    split_by_length: bool = TrainSettings.split_by_length,
    warmup_ratio: float,
    warmup_steps: int,
    weight_decay: float,
    positive_label: str | None = TrainSettings.positive_label,
) -> TrainSettings:
    """The training settings of finetune, cv and compare, from their (shared) options."""
    return TrainSettings(
        epochs=epochs,
        batch_size=batch_size,
        lr=lr,
        max_steps=max_steps,
        max_seq_len=max_seq_len,
        stride=stride,
        seed=seed,
        mode=mode,
        task_lora_r=task_lora_r,
        task_lora_alpha=2 * task_lora_r,
        quantize=quantize,
        precision=precision,
        gradient_checkpointing=gradient_checkpointing,
        group_by_length=group_by_length,
        split_by_length=split_by_length,
        warmup_ratio=warmup_ratio,
        warmup_steps=warmup_steps,
        weight_decay=weight_decay,
        positive_label=positive_label,
    )


@writes(outputs=("output/", "logging_dir/"), inputs=("data", "eval_data", "variant", "base"), neither=("registry",))
def finetune(
    data: DataOption,
    name: Annotated[str, typer.Option(help="Name of the task model (models/NAME, or REGISTRY/NAME in adapter mode).")],
    variant: Annotated[
        str, typer.Option(help="base, a model folder, a registry adapter, hub:USER/NAME or a stack a+b to start from.")
    ] = FinetuneRequest.variant,
    base: BaseOption = None,
    mode: ModeOption = TrainSettings.mode,
    eval_data: Annotated[
        list[Path] | None, typer.Option(metavar="PATH", help="Evaluate on this data after training.")
    ] = None,
    eval_adapters: Annotated[
        str | None,
        typer.Option(help="Cross-lingual zero-shot: evaluate with these language adapters swapped in (adapter mode)."),
    ] = None,
    fmt: FormatOption = FinetuneRequest.fmt,
    preset: PresetOption = FinetuneRequest.preset,
    repair: RepairOption = FinetuneRequest.repair,
    types: TypesOption = None,
    epochs: EpochsOption = TrainSettings.epochs,
    batch_size: BatchOption = TrainSettings.batch_size,
    lr: LrOption = TrainSettings.lr,
    max_steps: MaxStepsOption = TrainSettings.max_steps,
    max_seq_len: LengthOption = TrainSettings.max_seq_len,
    stride: StrideOption = TrainSettings.stride,
    seed: SeedOption = TrainSettings.seed,
    task_lora_r: TaskRankOption = TrainSettings.task_lora_r,
    strict: StrictOption = FinetuneRequest.strict,
    precision: PrecisionOption = TrainSettings.precision,
    gradient_checkpointing: CheckpointingOption = TrainSettings.gradient_checkpointing,
    group_by_length: GroupOption = TrainSettings.group_by_length,
    split_by_length: SplitOption = TrainSettings.split_by_length,
    warmup_ratio: WarmupRatioOption = TrainSettings.warmup_ratio,
    warmup_steps: WarmupStepsOption = TrainSettings.warmup_steps,
    weight_decay: WeightDecayOption = TrainSettings.weight_decay,
    positive_label: PositiveLabelOption = TrainSettings.positive_label,
    quantize: QuantizeOption = TrainSettings.quantize,
    output: Annotated[Path | None, typer.Option(help="Destination folder instead of the default.")] = None,
    force: ForceOption = FinetuneRequest.force,
    resume: Annotated[
        bool, typer.Option("--resume", help="Continue from the last checkpoint in runs/finetune/NAME.")
    ] = FinetuneRequest.resume,
    report_to: ReportToOption = "none",
    logging_dir: LoggingDirOption = None,
    keep_checkpoints: KeepCheckpointsOption = FinetuneRequest.keep_checkpoints,
    registry: RegistryOption = None,
) -> None:
    """Fine-tune NER, classification or regression on a variant; optionally evaluate (also zero-shot).

    The task kind follows the data: tokens + tags is NER, text + label classification,
    text + labels multi-label, text + text_pair + score regression.
    """
    require_inputs([*data, *(eval_data or [])])  # before torch: a mistyped path costs well under a second
    from ..jobs.finetune import _headline, run_finetune
    from ..manifest import MANIFEST, AdapterManifest
    from ..tracking import Tracking

    quiet_libraries()
    settings = train_settings(
        epochs=epochs, batch_size=batch_size, lr=lr, max_steps=max_steps, max_seq_len=max_seq_len, stride=stride,
        seed=seed, mode=mode, task_lora_r=task_lora_r, quantize=quantize, precision=precision,
        gradient_checkpointing=gradient_checkpointing, group_by_length=group_by_length,
        split_by_length=split_by_length, warmup_ratio=warmup_ratio, warmup_steps=warmup_steps,
        weight_decay=weight_decay, positive_label=positive_label,
    )  # fmt: skip
    request = FinetuneRequest(
        data=data,
        name=name,
        variant=variant,
        base=base,
        fmt=fmt,
        preset=preset,
        repair=repair,
        types=types_list(types),
        eval_data=eval_data or [],
        eval_adapters=eval_adapters,
        strict=strict,
        settings=settings,
        registry=registry,
        output=output,
        force=force,
        resume=resume,
        tracking=Tracking(report_to, logging_dir),
        keep_checkpoints=keep_checkpoints,
    )
    destination, written = run_finetune(request)
    manifest = AdapterManifest.of(written, destination / MANIFEST)
    metrics = manifest.evaluation.metrics if manifest.evaluation is not None else None
    evaluation = f"evaluation: {_headline(manifest.task, metrics)}" if metrics else "no --eval-data"
    summarise(f"{manifest.task}, {evaluation}", destination)


def types_list(text: str | None) -> list[str] | None:
    """--types DISO,CHEM as a list (None: keep every type)."""
    return [kind.strip() for kind in text.split(",") if kind.strip()] if text else None
