"""`adapterkit pretrain`: continued MLM pre-training of an adapter (LoRA, DoRA, IA³) or of all weights (study A)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..invocation import summarise
from .common import quiet_libraries, require_inputs
from .options import (
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
    ] = "bert-base-multilingual-cased",
    full: Annotated[bool, typer.Option("--full", help="Train all weights (the study's reference path).")] = False,
    method: Annotated[
        AdapterMethodName,
        typer.Option(
            help="Adapter method: lora; dora (LoRA with learned magnitudes); ia3 (learned scaling vectors). "
            "Only LoRA adapters compose."
        ),
    ] = "lora",
    language: Annotated[
        list[str] | None, typer.Option(help="Language code of the corpus (ISO 639-1); repeat for several.")
    ] = None,
    domain: Annotated[str | None, typer.Option(help="Domain of the corpus, e.g. clinical or biomedical.")] = None,
    max_steps: Annotated[int, typer.Option(help="Stop after this many optimiser steps (-1: run --epochs).")] = -1,
    epochs: Annotated[float, typer.Option(help="Passes over the training blocks.")] = 5.0,
    batch_size: BlocksPerStepOption = 8,
    grad_accum: Annotated[int, typer.Option(help="Micro-batches accumulated per optimiser step.")] = 4,
    lr: Annotated[
        float | None,
        typer.Option(help="Peak learning rate, linear decay (default 2e-5 with --full, 3e-4 LoRA/DoRA, 3e-3 IA³)."),
    ] = None,
    max_seq_len: Annotated[int, typer.Option(help="Tokens per block, at most the model's limit.")] = 512,
    mlm_probability: Annotated[float, typer.Option(help="Fraction of tokens chosen for masking (80/10/10).")] = 0.15,
    block_mode: Annotated[
        BlockMode, typer.Option(help="packed: lines joined and cut into full blocks; line: one line per example.")
    ] = "packed",
    heldout: Annotated[float, typer.Option(help="Fraction of lines held out for perplexity.")] = 0.05,
    text_field: Annotated[
        str, typer.Option(help="Field (column) holding the text in .jsonl and .parquet files and hf: datasets.")
    ] = "text",
    num_proc: Annotated[int | None, typer.Option(help="Processes for tokenizing (default: one).")] = None,
    streaming: Annotated[
        bool,
        typer.Option(
            "--streaming",
            help="Corpora larger than memory: make the blocks on the fly while training (needs --max-steps).",
        ),
    ] = False,
    seed: Annotated[int, typer.Option(help="Seed for the split, masking, data order and initialisation.")] = 42,
    save_steps: Annotated[int, typer.Option(help="Write a checkpoint every this many steps.")] = 500,
    logging_steps: Annotated[int, typer.Option(help="Update the logged loss every this many steps.")] = 10,
    weight_decay: Annotated[float, typer.Option(help="AdamW weight decay.")] = 0.0,
    warmup_steps: Annotated[int, typer.Option(help="Linear warm-up steps.")] = 0,
    output: Annotated[
        Path | None,
        typer.Option(help="Destination folder (default: models/NAME with --full, else REGISTRY/NAME)."),
    ] = None,
    work_dir: Annotated[
        Path | None, typer.Option(help="Checkpoints and run settings (default: runs/pretrain/NAME).")
    ] = None,
    resume: Annotated[
        bool, typer.Option("--resume", help="Continue from the last checkpoint in the work dir.")
    ] = False,
    force: Annotated[
        bool, typer.Option("--force", help="Replace an existing result / restart a run (only what adapterkit wrote).")
    ] = False,
    lora_r: Annotated[int, typer.Option(help="LoRA rank.")] = 16,
    lora_alpha: Annotated[int, typer.Option(help="LoRA alpha (scaling = alpha / rank).")] = 32,
    lora_dropout: Annotated[float, typer.Option(help="Dropout on the LoRA input.")] = 0.05,
    lora_targets: Annotated[
        str | None,
        typer.Option(
            help="Comma list of layers: query,key,value,attention-output,intermediate,output "
            "(default: all of them; key,value,output with --method ia3).",
            show_default=False,
        ),
    ] = None,
    train_head: Annotated[
        TrainHead, typer.Option(help="Train the MLM head transform with the adapter (auto: if the head is new).")
    ] = "auto",
    precision: PrecisionOption = "auto",
    gradient_checkpointing: CheckpointingOption = False,
    group_by_length: Annotated[
        bool | None,
        typer.Option(
            "--group-by-length/--no-group-by-length",
            help="Batches of similar-length examples (default: on with --block-mode line).",
            show_default=False,
        ),
    ] = None,
    quantize: Annotated[
        Quantize | None,
        typer.Option(help="LoRA on a quantized frozen base (bitsandbytes; not with --full)."),
    ] = None,
    optim: Annotated[
        Optim, typer.Option(help="adamw8bit: bitsandbytes 8-bit moments; saves memory with --full.")
    ] = "adamw",
    report_to: ReportToOption = "none",
    logging_dir: LoggingDirOption = None,
    keep_checkpoints: KeepCheckpointsOption = False,
    private_corpus: Annotated[
        bool,
        typer.Option(
            "--private-corpus", help="The corpus is private (patients' notes): push then needs an audit to go public."
        ),
    ] = False,
    canaries: Annotated[
        int, typer.Option(help="Plant this many made-up patient records in the training lines, for `audit`.")
    ] = 0,
    canary_repeats: Annotated[int, typer.Option(help="Times each canary is inserted.")] = 10,
    dp_epsilon: Annotated[
        float | None,
        typer.Option(help="Train the LoRA adapter with differential privacy (DP-SGD, Opacus) at this ε."),
    ] = None,
    dp_delta: Annotated[
        float | None, typer.Option(help="δ of the DP guarantee (default: 1 / training blocks).")
    ] = None,
    dp_max_grad_norm: Annotated[
        float | None, typer.Option(help="Per-example gradient clipping norm of DP training (default 1.0).")
    ] = None,
    registry: RegistryOption = None,
) -> None:
    """Continued MLM pre-training: a LoRA adapter on the frozen base (default) or all weights (--full).

    Cleans and tokenizes the corpus, measures held-out perplexity of the base, trains with the
    transformers Trainer (checkpoints every --save-steps; --resume continues), measures
    perplexity again and saves the adapter into the registry (or the model into models/NAME).
    --dp-epsilon trains with DP-SGD in Opacus' own loop (pip install 'adapterkit[dp]'; LoRA only,
    not resumable); --canaries plants secret-shaped lines that `adapterkit audit` looks for.
    """
    require_inputs(corpus)  # before torch: a mistyped path costs well under a second
    from ..manifest import MANIFEST, AdapterManifest
    from ..pretrain import PretrainConfig, run_pretrain

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
