"""`adapterkit cv` (k-fold cross-validation of one variant) and `adapterkit compare` (several, same folds)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from ..invocation import summarise
from ..jobs.requests import CompareRequest, CvRequest  # the defaults of the cv options (model-free)
from ..tasks.settings import TrainSettings  # the defaults of the training options (model-free)
from .common import quiet_libraries, require_inputs
from .finetune import train_settings, types_list
from .options import (
    BaseOption,
    BatchOption,
    CheckpointingOption,
    DataOption,
    EpochsOption,
    FoldFileOption,
    FoldsOption,
    FormatOption,
    GroupOption,
    KeepCheckpointsOption,
    KeepModelOption,
    LengthOption,
    LimitOption,
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
    ResumeOption,
    SeedOption,
    SplitOption,
    StrictOption,
    StrideOption,
    TaskRankOption,
    TypesOption,
    WarmupRatioOption,
    WarmupStepsOption,
    WeightDecayOption,
    renamed,
)
from .outputs import writes


@renamed(run_dir="output")
@writes(outputs=("output/", "logging_dir/", "fold_file?"), inputs=("data", "variant", "base"), neither=("registry",))
def cv(
    data: DataOption,
    variant: Annotated[
        str, typer.Option(help="base, a model folder, a registry adapter, hub:USER/NAME or a stack a+b.")
    ] = CvRequest.variant,
    base: BaseOption = None,
    folds: FoldsOption = CvRequest.folds,
    fold_file: FoldFileOption = None,
    mode: ModeOption = TrainSettings.mode,
    fmt: FormatOption = CvRequest.fmt,
    preset: PresetOption = CvRequest.preset,
    repair: RepairOption = CvRequest.repair,
    epochs: EpochsOption = TrainSettings.epochs,
    batch_size: BatchOption = TrainSettings.batch_size,
    lr: LrOption = TrainSettings.lr,
    max_steps: MaxStepsOption = TrainSettings.max_steps,
    max_seq_len: LengthOption = TrainSettings.max_seq_len,
    stride: StrideOption = TrainSettings.stride,
    seed: SeedOption = TrainSettings.seed,
    task_lora_r: TaskRankOption = TrainSettings.task_lora_r,
    strict: StrictOption = CvRequest.strict,
    types: TypesOption = None,
    keep_model: KeepModelOption = CvRequest.keep_model,
    precision: PrecisionOption = TrainSettings.precision,
    gradient_checkpointing: CheckpointingOption = TrainSettings.gradient_checkpointing,
    group_by_length: GroupOption = TrainSettings.group_by_length,
    split_by_length: SplitOption = TrainSettings.split_by_length,
    warmup_ratio: WarmupRatioOption = TrainSettings.warmup_ratio,
    warmup_steps: WarmupStepsOption = TrainSettings.warmup_steps,
    weight_decay: WeightDecayOption = TrainSettings.weight_decay,
    positive_label: PositiveLabelOption = TrainSettings.positive_label,
    quantize: QuantizeOption = TrainSettings.quantize,
    output: Annotated[Path | None, typer.Option(help="Where folds and results go (default runs/cv/VARIANT).")] = None,
    limit: LimitOption = None,
    resume: ResumeOption = CvRequest.resume,
    force: Annotated[
        bool, typer.Option("--force", help="Discard an earlier run in the same folder (only a run adapterkit wrote).")
    ] = CvRequest.force,
    report_to: ReportToOption = "none",
    logging_dir: LoggingDirOption = None,
    keep_checkpoints: KeepCheckpointsOption = CvRequest.keep_checkpoints,
    registry: RegistryOption = None,
) -> None:
    """k-fold cross-validation of one variant: per-fold metrics and mean ± sd (fold file reused)."""
    require_inputs(data)  # before torch: a mistyped path costs well under a second
    from ..jobs.cv import run_cv
    from ..tracking import Tracking

    quiet_libraries()
    settings = train_settings(
        epochs=epochs, batch_size=batch_size, lr=lr, max_steps=max_steps, max_seq_len=max_seq_len, stride=stride,
        seed=seed, mode=mode, task_lora_r=task_lora_r, quantize=quantize, precision=precision,
        gradient_checkpointing=gradient_checkpointing, group_by_length=group_by_length,
        split_by_length=split_by_length, warmup_ratio=warmup_ratio, warmup_steps=warmup_steps,
        weight_decay=weight_decay, positive_label=positive_label,
    )  # fmt: skip
    request = CvRequest(
        data=data, variant=variant, base=base, fmt=fmt, preset=preset, repair=repair, folds=folds, seed=seed,
        fold_file=fold_file, strict=strict, limit=limit, types=types_list(types), keep_model=keep_model,
        settings=settings, run_dir=output, resume=resume, force=force, registry=registry,
        tracking=Tracking(report_to, logging_dir), keep_checkpoints=keep_checkpoints,
    )  # fmt: skip
    result = run_cv(request)
    figures = ", ".join(f"{k} {m:.4f} ± {sd:.4f}" for k, (m, sd) in list(result.summary().items())[:2])
    summarise(f"{result.variant}, {len(result.per_fold)} folds: {figures}", result.run_dir / "cv.json")


PairsOption = Annotated[
    str | None,
    typer.Option(
        metavar="all|A:B,C:D",
        help="Also test these pairs of non-baseline variants with each other (Δ = A − B); all: every two.",
    ),
]


@writes(outputs=("logging_dir/", "fold_file?"), inputs=("variants", "data", "base"), neither=("registry",))
def compare(
    variants: Annotated[list[str], typer.Argument(metavar="VARIANT...", help="Variants; the first is the baseline.")],
    data: DataOption,
    base: BaseOption = None,
    folds: FoldsOption = CvRequest.folds,
    fold_file: FoldFileOption = None,
    mode: ModeOption = TrainSettings.mode,
    fmt: FormatOption = CvRequest.fmt,
    preset: PresetOption = CvRequest.preset,
    repair: RepairOption = CvRequest.repair,
    epochs: EpochsOption = TrainSettings.epochs,
    batch_size: BatchOption = TrainSettings.batch_size,
    lr: LrOption = TrainSettings.lr,
    max_steps: MaxStepsOption = TrainSettings.max_steps,
    max_seq_len: LengthOption = TrainSettings.max_seq_len,
    stride: StrideOption = TrainSettings.stride,
    seed: SeedOption = TrainSettings.seed,
    task_lora_r: TaskRankOption = TrainSettings.task_lora_r,
    strict: StrictOption = CvRequest.strict,
    types: TypesOption = None,
    keep_model: KeepModelOption = CvRequest.keep_model,
    precision: PrecisionOption = TrainSettings.precision,
    gradient_checkpointing: CheckpointingOption = TrainSettings.gradient_checkpointing,
    group_by_length: GroupOption = TrainSettings.group_by_length,
    split_by_length: SplitOption = TrainSettings.split_by_length,
    warmup_ratio: WarmupRatioOption = TrainSettings.warmup_ratio,
    warmup_steps: WarmupStepsOption = TrainSettings.warmup_steps,
    weight_decay: WeightDecayOption = TrainSettings.weight_decay,
    positive_label: PositiveLabelOption = TrainSettings.positive_label,
    quantize: QuantizeOption = TrainSettings.quantize,
    run_id: Annotated[str | None, typer.Option(help="Name of runs/<id>/ (default: compare-<timestamp>).")] = None,
    limit: LimitOption = None,
    resume: ResumeOption = CvRequest.resume,
    force: Annotated[
        bool, typer.Option("--force", help="Discard an earlier run of the same --run-id (only a run adapterkit wrote).")
    ] = CvRequest.force,
    report_to: ReportToOption = "none",
    logging_dir: LoggingDirOption = None,
    keep_checkpoints: KeepCheckpointsOption = CvRequest.keep_checkpoints,
    registry: RegistryOption = None,
    pairs: PairsOption = None,
) -> None:
    """Cross-validate several variants on identical folds and print the study's comparison table.

    Mean ± sd per metric, per-type F1, and against the baseline (and between --pairs): Wilcoxon
    signed-rank p over folds, Benjamini-Hochberg adjusted p over every test on a metric, 95 %
    t-interval of the mean difference. Written to runs/<id>/ with the exact command, versions and
    fold file.
    """
    from ..stats import parse_pairs

    parse_pairs(pairs, variants, variants[0])  # the options first, then the files, then torch
    require_inputs(data)  # before torch: a mistyped path costs well under a second
    from ..jobs.cv import run_compare
    from ..tracking import Tracking

    quiet_libraries()
    settings = train_settings(
        epochs=epochs, batch_size=batch_size, lr=lr, max_steps=max_steps, max_seq_len=max_seq_len, stride=stride,
        seed=seed, mode=mode, task_lora_r=task_lora_r, quantize=quantize, precision=precision,
        gradient_checkpointing=gradient_checkpointing, group_by_length=group_by_length,
        split_by_length=split_by_length, warmup_ratio=warmup_ratio, warmup_steps=warmup_steps,
        weight_decay=weight_decay, positive_label=positive_label,
    )  # fmt: skip
    request = CvRequest(
        data=data, base=base, fmt=fmt, preset=preset, repair=repair, folds=folds, seed=seed, fold_file=fold_file,
        strict=strict, limit=limit, types=types_list(types), keep_model=keep_model, settings=settings, resume=resume,
        force=force, registry=registry, tracking=Tracking(report_to, logging_dir), keep_checkpoints=keep_checkpoints,
    )  # fmt: skip
    run_dir = run_compare(CompareRequest(variants=variants, cv=request, run_id=run_id, pairs=pairs))
    if os.environ.get("RANK", "0") == "0":  # under torchrun the main process alone writes the comparison
        summarise(_compare_headline(run_dir), run_dir / "report.html")


def _compare_headline(run_dir: Path) -> str:
    """The primary metric's mean per variant, as the comparison recorded it."""
    from ..manifest import read_comparison
    from ..metrics import COEFFICIENT_METRICS

    data = read_comparison(run_dir / "comparison.json")
    metric = data["metrics"][0]
    scale, unit = (1, "") if metric in COEFFICIENT_METRICS else (100, " %")
    means = [(v, (data["summary"].get(v, {}).get(metric) or {}).get("mean")) for v in data["variants"]]
    return f"{metric}{unit}: " + ", ".join(f"{v} {m * scale:.2f}" for v, m in means if m is not None)
