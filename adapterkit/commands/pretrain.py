"""`adapterkit pretrain`: continued MLM pre-training of an adapter (LoRA, DoRA, IA³) or of all weights (study A)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..invocation import summarise
from ..pretrain_config import PretrainConfig  # the defaults of every option (model-free)
from .common import quiet_libraries, require_inputs
from .options import (
    DP_NORM_HELP,
    PRETRAIN_LR_HELP,
    AdapterMethodName,
    BlockMode,
    BlocksPerStepOption,
    CheckpointingOption,
    KeepCheckpointsOption,
    LoggingDirOption,
    Optim,
    PrecisionOption,
    Quantize,
    RegistryOption,
    ReportToOption,
    TrainHead,
    WarmupRatioOption,
    WarmupStepsOption,
)
from .outputs import writes


@writes(outputs=("output/", "work_dir/", "logging_dir/"), inputs=("corpus", "base"), neither=("registry",))
def pretrain(
    corpus: Annotated[
        list[Path],
        typer.Option(
            "--corpus",
            metavar="PATH",
            help="Corpus file (.txt, .txt.gz, .jsonl, .parquet) or folder of them, or hf:NAME[:SPLIT] (a Hugging "
            "Face dataset, streamed with --streaming); repeat for several.",
        ),
    ],
    name: Annotated[str, typer.Option(help="Name of the adapter (or of the model folder with --full).")],
    base: Annotated[
        str, typer.Option(help="Base encoder: a Hugging Face model id, a local folder, or 'minilm' (embedded).")
    ] = PretrainConfig.base,
    full: Annotated[
        bool, typer.Option("--full", help="Train all weights (the study's reference path).")
    ] = PretrainConfig.full,
    method: Annotated[
        AdapterMethodName,
        typer.Option(
            help="Adapter method: lora; dora (LoRA with learned magnitudes); ia3 (learned scaling vectors). "
            "Only LoRA adapters compose."
        ),
    ] = PretrainConfig.method,
    language: Annotated[
        list[str] | None, typer.Option(help="Language code of the corpus (ISO 639-1); repeat for several.")
    ] = None,
    domain: Annotated[
        str | None, typer.Option(help="Domain of the corpus, e.g. clinical or biomedical.")
    ] = PretrainConfig.domain,
    max_steps: Annotated[
        int, typer.Option(help="Stop after this many optimiser steps (-1: run --epochs).")
    ] = PretrainConfig.max_steps,
    epochs: Annotated[float, typer.Option(help="Passes over the training blocks.")] = PretrainConfig.epochs,
    batch_size: BlocksPerStepOption = PretrainConfig.batch_size,
    grad_accum: Annotated[
        int, typer.Option(help="Micro-batches accumulated per optimiser step.")
    ] = PretrainConfig.grad_accum,
    lr: Annotated[
        float | None,
        typer.Option(help=PRETRAIN_LR_HELP),
    ] = PretrainConfig.lr,
    max_seq_len: Annotated[
        int, typer.Option(help="Tokens per block, at most the model's limit.")
    ] = PretrainConfig.max_seq_len,
    mlm_probability: Annotated[
        float, typer.Option(help="Fraction of tokens chosen for masking (80/10/10).")
    ] = PretrainConfig.mlm_probability,
    block_mode: Annotated[
        BlockMode, typer.Option(help="packed: lines joined and cut into full blocks; line: one line per example.")
    ] = PretrainConfig.block_mode,
    heldout: Annotated[float, typer.Option(help="Fraction of lines held out for perplexity.")] = PretrainConfig.heldout,
    text_field: Annotated[
        str, typer.Option(help="Field (column) holding the text in .jsonl and .parquet files and hf: datasets.")
    ] = PretrainConfig.text_field,
    num_proc: Annotated[
        int | None, typer.Option(help="Processes for tokenizing (default: one).")
    ] = PretrainConfig.num_proc,
    streaming: Annotated[
        bool,
        typer.Option(
            "--streaming",
            help="Corpora larger than memory: make the blocks on the fly while training (needs --max-steps).",
        ),
    ] = PretrainConfig.streaming,
    seed: Annotated[
        int, typer.Option(help="Seed for the split, masking, data order and initialisation.")
    ] = PretrainConfig.seed,
    save_steps: Annotated[
        int, typer.Option(help="Write a checkpoint every this many steps.")
    ] = PretrainConfig.save_steps,
    logging_steps: Annotated[
        int, typer.Option(help="Update the logged loss every this many steps.")
    ] = PretrainConfig.logging_steps,
    weight_decay: Annotated[float, typer.Option(help="AdamW weight decay.")] = PretrainConfig.weight_decay,
    warmup_ratio: WarmupRatioOption = PretrainConfig.warmup_ratio,
    warmup_steps: WarmupStepsOption = PretrainConfig.warmup_steps,
    output: Annotated[
        Path | None,
        typer.Option(help="Destination folder (default: models/NAME with --full, else REGISTRY/NAME)."),
    ] = PretrainConfig.output,
    work_dir: Annotated[
        Path | None, typer.Option(help="Checkpoints and run settings (default: runs/pretrain/NAME).")
    ] = PretrainConfig.work_dir,
    resume: Annotated[
        bool, typer.Option("--resume", help="Continue from the last checkpoint in the work dir.")
    ] = PretrainConfig.resume,
    force: Annotated[
        bool, typer.Option("--force", help="Replace an existing result / restart a run (only what adapterkit wrote).")
    ] = PretrainConfig.force,
    lora_r: Annotated[int, typer.Option(help="LoRA rank.")] = PretrainConfig.lora_r,
    lora_alpha: Annotated[int, typer.Option(help="LoRA alpha (scaling = alpha / rank).")] = PretrainConfig.lora_alpha,
    lora_dropout: Annotated[float, typer.Option(help="Dropout on the LoRA input.")] = PretrainConfig.lora_dropout,
    lora_targets: Annotated[
        str | None,
        typer.Option(
            help="Comma list of layers: query,key,value,attention-output,intermediate,output "
            "(default: all of them; key,value,output with --method ia3).",
            show_default=False,
        ),
    ] = PretrainConfig.lora_targets,
    train_head: Annotated[
        TrainHead, typer.Option(help="Train the MLM head transform with the adapter (auto: if the head is new).")
    ] = PretrainConfig.train_head,
    precision: PrecisionOption = PretrainConfig.precision,
    gradient_checkpointing: CheckpointingOption = PretrainConfig.gradient_checkpointing,
    group_by_length: Annotated[
        bool | None,
        typer.Option(
            "--group-by-length/--no-group-by-length",
            help="Batches of similar-length examples (default: on with --block-mode line).",
            show_default=False,
        ),
    ] = PretrainConfig.group_by_length,
    quantize: Annotated[
        Quantize | None,
        typer.Option(help="LoRA on a quantized frozen base (bitsandbytes; not with --full)."),
    ] = PretrainConfig.quantize,
    optim: Annotated[
        Optim, typer.Option(help="adamw8bit: bitsandbytes 8-bit moments; saves memory with --full.")
    ] = PretrainConfig.optim,
    report_to: ReportToOption = PretrainConfig.report_to,
    logging_dir: LoggingDirOption = PretrainConfig.logging_dir,
    keep_checkpoints: KeepCheckpointsOption = PretrainConfig.keep_checkpoints,
    private_corpus: Annotated[
        bool,
        typer.Option(
            "--private-corpus", help="The corpus is private (patients' notes): push then needs an audit to go public."
        ),
    ] = PretrainConfig.private_corpus,
    canaries: Annotated[
        int, typer.Option(help="Plant this many made-up patient records in the training lines, for `audit`.")
    ] = PretrainConfig.canaries,
    canary_repeats: Annotated[int, typer.Option(help="Times each canary is inserted.")] = PretrainConfig.canary_repeats,
    dp_epsilon: Annotated[
        float | None,
        typer.Option(help="Train the LoRA adapter with differential privacy (DP-SGD, Opacus) at this ε."),
    ] = PretrainConfig.dp_epsilon,
    dp_delta: Annotated[
        float | None, typer.Option(help="δ of the DP guarantee (default: 1 / training blocks).")
    ] = PretrainConfig.dp_delta,
    dp_max_grad_norm: Annotated[float | None, typer.Option(help=DP_NORM_HELP)] = PretrainConfig.dp_max_grad_norm,
    registry: RegistryOption = PretrainConfig.registry,
) -> None:
    """Continued MLM pre-training: a LoRA adapter on the frozen base (default) or all weights (--full).

    Cleans and tokenizes the corpus, measures held-out perplexity of the base, trains with the
    transformers Trainer (checkpoints every --save-steps; --resume continues), measures
    perplexity again and saves the adapter into the registry (or the model into models/NAME).
    --dp-epsilon trains with DP-SGD in Opacus' own loop (pip install 'adapterkit[dp]'; LoRA only,
    not resumable); --canaries plants secret-shaped lines that `adapterkit audit` looks for.
    """
    require_inputs(corpus)  # before torch: a mistyped path costs well under a second
    from ..jobs.pretrain import run_pretrain
    from ..manifest import MANIFEST, AdapterManifest

    quiet_libraries()
    config = PretrainConfig(
        corpus=corpus,
        name=name,
        base=base,
        full=full,
        language=language or [],
        domain=domain,
        max_steps=max_steps,
        epochs=epochs,
        batch_size=batch_size,
        grad_accum=grad_accum,
        lr=lr,
        weight_decay=weight_decay,
        warmup_ratio=warmup_ratio,
        warmup_steps=warmup_steps,
        max_seq_len=max_seq_len,
        mlm_probability=mlm_probability,
        block_mode=block_mode,
        heldout=heldout,
        text_field=text_field,
        num_proc=num_proc,
        seed=seed,
        save_steps=save_steps,
        logging_steps=logging_steps,
        output=output,
        registry=registry,
        work_dir=work_dir,
        resume=resume,
        force=force,
        lora_r=lora_r,
        lora_alpha=lora_alpha,
        lora_dropout=lora_dropout,
        lora_targets=None if lora_targets is None else [t.strip() for t in lora_targets.split(",") if t.strip()],
        method=method,
        train_head=train_head,
        precision=precision,
        gradient_checkpointing=gradient_checkpointing,
        group_by_length=group_by_length,
        streaming=streaming,
        quantize=quantize,
        optim=optim,
        report_to=report_to,
        logging_dir=logging_dir,
        keep_checkpoints=keep_checkpoints,
        private_corpus=private_corpus,
        canaries=canaries,
        canary_repeats=canary_repeats,
        dp_epsilon=dp_epsilon,
        dp_delta=dp_delta,
        dp_max_grad_norm=dp_max_grad_norm,
    )
    result = run_pretrain(config)
    ppl = AdapterManifest.of(result.manifest, result.destination / MANIFEST).perplexity
    assert ppl is not None and ppl.before is not None and ppl.after is not None  # run_pretrain measures both
    summarise(f"held-out perplexity {ppl.before:,.2f} -> {ppl.after:,.2f}", result.destination)
