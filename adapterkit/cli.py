"""The ``adapterkit`` command line: parses options and delegates; no logic of its own."""

from __future__ import annotations

import errno
import logging
import os
import sys
from pathlib import Path
from typing import Annotated, Literal

import typer

from . import choices
from .errors import AdapterkitError
from .invocation import elapsed as _elapsed
from .invocation import enter, leave
from .invocation import summarise as _summarise

# peft imports bitsandbytes whenever it is installed, and its CPU backend then warns about an
# optional kernel package on import: not the user's concern.
logging.getLogger("bitsandbytes").setLevel(logging.ERROR)

# Typer >= 0.2x vendors its own click: take its usage-error class from a public exception
# rather than from the separate `click` package, whose classes it no longer raises.
UsageError = next(cls for cls in typer.BadParameter.__mro__ if cls.__name__ == "UsageError")

# -h works like --help everywhere (sub-commands inherit the context settings).
HELP = {"help_option_names": ["-h", "--help"]}
app = typer.Typer(
    name="adapterkit",
    help="Adapt multilingual BERT encoders to medical languages and domains.",
    no_args_is_help=True,
    add_completion=True,  # --install-completion / --show-completion for bash, zsh, fish, PowerShell
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings=HELP,
)
adapters_app = typer.Typer(
    help="List, inspect, verify and remove adapters in the registry.", no_args_is_help=True, context_settings=HELP
)
app.add_typer(adapters_app, name="adapters")
recipes_app = typer.Typer(
    help="The shipped recipes: list them, copy one to start from.", no_args_is_help=True, context_settings=HELP
)
app.add_typer(recipes_app, name="recipes")
vocab_app = typer.Typer(help="Domain vocabulary extension (study B).", no_args_is_help=True, context_settings=HELP)
app.add_typer(vocab_app, name="vocab")
corpus_app = typer.Typer(help="Corpora: clean them as pretrain does, to look at or keep.", no_args_is_help=True)
app.add_typer(corpus_app, name="corpus")


def _print_version(value: bool) -> None:
    if value:
        from . import __version__

        print(f"adapterkit {__version__}")
        raise typer.Exit()


@app.callback()
def _options(
    ctx: typer.Context,
    version: Annotated[
        bool | None,
        typer.Option("--version", callback=_print_version, is_eager=True, help="Print the version and exit."),
    ] = None,
) -> None:
    """Adapt multilingual BERT encoders to medical languages and domains."""
    # Release the adapters this command held against removal when it ends (see locks.py); a recipe
    # step runs inside `adapterkit run`: release only its own holds. (Typer keeps one app callback.)
    from .locks import holds_mark, release_holds

    mark = holds_mark()
    ctx.call_on_close(lambda: release_holds(mark))


RegistryOption = Annotated[
    Path | None,
    typer.Option("--registry", help="Adapter registry folder (default: $ADAPTERKIT_REGISTRY or ./adapters)."),
]
# Choice options are Literal types built from the tuples in choices.py, which the implementing
# modules check against too: --help lists the values (<a|b|c>) and a wrong one is a usage error
# naming the option and the choices; the command receives the plain string.
BlockMode = Literal[choices.BLOCK_MODES]
TrainHead = Literal[choices.TRAIN_HEAD]
Precision = Literal[choices.PRECISIONS]
Quantize = Literal[choices.QUANTIZE_MODES]
Optim = Literal[tuple(choices.OPTIMIZERS)]
ReportTo = Literal[choices.REPORT_TO]
Strategy = Literal[choices.STRATEGIES]
TaskMode = Literal[choices.TASK_MODES]
DataFormat = Literal[choices.DATA_FORMATS]
ScoreFormat = Literal[choices.SCORE_FORMATS]
OutputFormat = Literal[choices.OUTPUT_FORMATS]
Preset = Literal[choices.PRESETS]
VocabTrainMode = Literal[choices.VOCAB_TRAIN_MODES]
VocabMode = Literal[choices.VOCAB_MODES]

# Speed options of pretrain, finetune, cv and compare (see speed.py).
PrecisionOption = Annotated[
    Precision, typer.Option(help="auto: bf16 on GPUs that have it, else fp16 on GPU; fp32 on CPU.")
]
CheckpointingOption = Annotated[
    bool,
    typer.Option("--gradient-checkpointing", help="Recompute activations in the backward: less memory, ~1/3 slower."),
]
# Experiment tracking of pretrain, finetune, cv and compare (see tracking.py).
ReportToOption = Annotated[
    ReportTo,
    typer.Option(
        help="Report the training to nothing, TensorBoard (pip install 'adapterkit[tracking]'), wandb, "
        "or all that are installed."
    ),
]
LoggingDirOption = Annotated[
    Path | None,
    typer.Option(help="Folder of the TensorBoard / wandb files (default: logs in the run's folder under runs/)."),
]
KeepCheckpointsOption = Annotated[
    bool, typer.Option("--keep-checkpoints", help="Keep the training checkpoints after a successful run.")
]




def _quiet_libraries() -> None:
    """Keep library chatter (load reports, weight-loading bars) out of the user's terminal."""
    import warnings

    import datasets
    import transformers

    warnings.filterwarnings("ignore", category=FutureWarning)
    transformers.utils.logging.set_verbosity_error()
    transformers.utils.logging.disable_progress_bar()
    datasets.utils.logging.set_verbosity_error()
    datasets.disable_progress_bars()
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


@app.command()
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
    language: Annotated[
        list[str] | None, typer.Option(help="Language code of the corpus (ISO 639-1); repeat for several.")
    ] = None,
    domain: Annotated[str | None, typer.Option(help="Domain of the corpus, e.g. clinical or biomedical.")] = None,
    max_steps: Annotated[int, typer.Option(help="Stop after this many optimiser steps (-1: run --epochs).")] = -1,
    epochs: Annotated[float, typer.Option(help="Passes over the training blocks.")] = 5.0,
    batch_size: Annotated[int, typer.Option(help="Blocks per device per step.")] = 8,
    grad_accum: Annotated[int, typer.Option(help="Micro-batches accumulated per optimiser step.")] = 4,
    lr: Annotated[
        float | None, typer.Option(help="Peak learning rate, linear decay (default 2e-5 with --full, 3e-4 LoRA).")
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
        str,
        typer.Option(help="Comma list of layers: query,key,value,attention-output,intermediate,output."),
    ] = "query,key,value,attention-output,intermediate,output",
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
    registry: RegistryOption = None,
) -> None:
    """Continued MLM pre-training: a LoRA adapter on the frozen base (default) or all weights (--full).

    Cleans and tokenizes the corpus, measures held-out perplexity of the base, trains with the
    transformers Trainer (checkpoints every --save-steps; --resume continues), measures
    perplexity again and saves the adapter into the registry (or the model into models/NAME).
    """
    from .pretrain import PretrainConfig, run_pretrain

    _quiet_libraries()
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
        lora_targets=[target.strip() for target in lora_targets.split(",") if target.strip()],
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
    )
    result = run_pretrain(config)
    ppl = result.manifest["perplexity"]
    _summarise(f"held-out perplexity {ppl['before']:,.2f} -> {ppl['after']:,.2f}", result.destination)


@app.command()
def compose(
    adapters: Annotated[
        list[str],
        typer.Argument(
            metavar="ADAPTER...", help="Two or more adapters: registry names, adapter folders or hub:USER/NAME."
        ),
    ],
    how: Annotated[
        Strategy,
        typer.Option(
            help="stack (exact, default): all active, W + sum of w_i*dW_i; merge (exact): the same folded into "
            "the base, a plain model in models/NAME; svd, ties, dare: APPROXIMATIONS (rank-truncated sum; "
            "TIES / DARE on the dense updates, then SVD); learned: fit the weights on --on text, then stack."
        ),
    ] = "stack",
    weights: Annotated[str | None, typer.Option(help="One weight per adapter, e.g. 1.0,0.5 (default all 1.0).")] = None,
    name: Annotated[str | None, typer.Option(help="Name of the result (default: the parts joined by +).")] = None,
    rank: Annotated[int | None, typer.Option(help="Rank of svd/ties/dare results (default: sum of ranks).")] = None,
    density: Annotated[float, typer.Option(help="Fraction of entries ties/dare keep.")] = 0.5,
    seed: Annotated[int, typer.Option(help="Seed for dare's drop, and the split/masking of --on (as pretrain).")] = 42,
    on: Annotated[
        list[Path] | None, typer.Option(metavar="PATH", help="--how learned: target-language text to fit weights on.")
    ] = None,
    per_layer: Annotated[
        bool, typer.Option("--per-layer", help="--how learned: one weight per adapter and layer.")
    ] = False,
    steps: Annotated[int, typer.Option(help="--how learned: optimisation steps.")] = 100,
    lr: Annotated[float, typer.Option(help="--how learned: Adam learning rate of the weights.")] = 0.05,
    max_seq_len: Annotated[int, typer.Option(help="--how learned: tokens per block of the --on text.")] = 128,
    output: Annotated[
        Path | None, typer.Option(help="Destination folder instead of the registry / models/NAME.")
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace an existing result of that name (only one adapterkit wrote).")
    ] = False,
    registry: RegistryOption = None,
) -> None:
    """Combine LoRA adapters trained on the same frozen base into one adapter (or a merged model).

    Refuses adapters of different bases (fingerprints), task adapters, unknown names and
    weights that do not match the adapters. The result records its parts and weights.
    """
    from .compose import ComposeRequest, run_compose

    _quiet_libraries()
    request = ComposeRequest(
        adapters=adapters,
        how=how,
        weights=weights,
        name=name,
        rank=rank,
        density=density,
        seed=seed,
        on=on or [],
        per_layer=per_layer,
        steps=steps,
        lr=lr,
        max_seq_len=max_seq_len,
        registry=registry,
        output=output,
        force=force,
    )
    destination, manifest = run_compose(request)
    parts = ", ".join(f"{p['name']} x{p['weight']:.3g}" for p in manifest["composition"]["parts"])
    kind = "exact" if manifest["composition"]["exact"] else manifest["composition"]["approximation"] or "learned"
    print(f"saved {manifest['kind']} {destination} = {parts} ({how}: {kind})")
    _summarise(f"{manifest['kind']} of {len(manifest['composition']['parts'])} adapters ({how}: {kind})", destination)


@app.command("eval-mlm")
def eval_mlm(
    variants: Annotated[
        list[str],
        typer.Argument(
            metavar="VARIANT...",
            help="Variants: base, a model folder, a registry adapter, hub:USER/NAME, or an inline stack a+b.",
        ),
    ],
    corpus: Annotated[
        list[Path], typer.Option("--corpus", metavar="PATH", help="Corpus file or folder; repeat for several.")
    ],
    base: Annotated[str | None, typer.Option(help="Base for 'base' (default: the adapters' base).")] = None,
    max_seq_len: Annotated[int, typer.Option(help="Tokens per held-out block (capped at the model limit).")] = 512,
    heldout: Annotated[float, typer.Option(help="Held-out fraction (as in pretrain).")] = 0.05,
    seed: Annotated[int, typer.Option(help="Split and masking seed (as in pretrain).")] = 42,
    batch_size: Annotated[int, typer.Option(help="Blocks per forward pass.")] = 16,
    out: Annotated[
        list[Path] | None, typer.Option(metavar="FILE", help="Also write the table: .csv, .json or .md; repeatable.")
    ] = None,
    registry: RegistryOption = None,
) -> None:
    """Held-out MLM perplexity of model variants (rows) on corpora (columns); best per column marked."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from .errors import printable
    from .evalmlm import check_outputs, evaluate_matrix, write_outputs
    from .paths import registry_dir
    from .registry import Registry

    _quiet_libraries()
    check_outputs(out or [])
    if not 0 < heldout < 1:
        raise AdapterkitError(f"--heldout {heldout}: expected a fraction between 0 and 1")
    matrix = evaluate_matrix(
        variants, corpus, Registry(registry_dir(registry)), base, max_seq_len, heldout, seed, batch_size
    )
    table = Table(title="held-out MLM perplexity (lower is better, * best per column)")
    table.add_column("variant")
    for name in matrix.corpora:
        table.add_column(Text(printable(name)), justify="right")
    best = [matrix.best(j) for j in range(len(matrix.corpora))]
    for i, variant in enumerate(matrix.variants):
        cells = [  # rows tied within float32 rounding (a stack and its merge) are all marked
            f"{v:,.2f}" + (" *" if i in matrix.tied_best(j) else "  ") for j, v in enumerate(matrix.perplexity[i])
        ]
        table.add_row(Text(printable(variant)), *cells)
    Console(width=None if sys.stdout.isatty() else 200).print(table)
    write_outputs(matrix, out or [])
    lowest = ", ".join(
        f"{name}: {matrix.variants[best[j]]} {matrix.perplexity[best[j]][j]:,.2f}"
        for j, name in enumerate(matrix.corpora)
    )
    _summarise(f"lowest perplexity {lowest}", ", ".join(str(p) for p in out or []) or "the table above")


# Options shared by finetune, cv and compare.
DataOption = Annotated[
    list[Path],
    typer.Option(
        "--data",
        metavar="PATH",
        help="Task data: CoNLL, BRAT folder, JSONL or parquet; repeatable. LANG=PATH marks a part "
        "(pooled training, scored per part too).",
    ),
]
FormatOption = Annotated[DataFormat, typer.Option("--format", help="Format of the data (auto: from the files).")]
PresetOption = Annotated[
    Preset, typer.Option(help="CoNLL columns (conll2, monero, pharmaconer) or BRAT types (mantra: from the notes).")
]
TypesOption = Annotated[
    str | None, typer.Option(help="Keep only these entity types, comma-separated (others become O), e.g. DISO,CHEM.")
]
RepairOption = Annotated[bool, typer.Option("--repair", help="Turn malformed tags into O instead of failing.")]
BaseOption = Annotated[str | None, typer.Option(help="Base for the 'base' variant (default mBERT).")]
ModeOption = Annotated[
    TaskMode,
    typer.Option(help="full: fine-tune every weight (the study's); adapter: task LoRA + head on a frozen stack."),
]
EpochsOption = Annotated[float, typer.Option(help="Passes over the training data (study NER: 15).")]
BatchOption = Annotated[int, typer.Option(help="Examples per device per step (study NER: 16).")]
LrOption = Annotated[float | None, typer.Option(help="Learning rate (default 2e-5 full, 5e-4 adapter).")]
MaxStepsOption = Annotated[int, typer.Option(help="Stop after this many steps (-1: run --epochs).")]
LengthOption = Annotated[int, typer.Option(help="Subword tokens per window (capped at the model limit).")]
StrideOption = Annotated[int, typer.Option(help="Words of context around each window's own words (NER).")]
SeedOption = Annotated[int, typer.Option(help="Seed for folds, initialisation and data order.")]
TaskRankOption = Annotated[int, typer.Option(help="Rank of the task LoRA (--mode adapter).")]
StrictOption = Annotated[
    bool,
    typer.Option("--strict", help="Strict IOB2 entity matching of BIO data (BRAT data is scored on exact spans)."),
]
GroupOption = Annotated[
    bool,
    typer.Option("--group-by-length/--no-group-by-length", help="Batches of similar-length windows (less padding)."),
]


QuantizeOption = Annotated[
    Quantize | None, typer.Option(help="--mode adapter: load the frozen encoder quantized (bitsandbytes).")
]
WarmupRatioOption = Annotated[
    float, typer.Option(help="Fraction of the steps with a linear learning-rate warm-up (default 0: run_ner.py's).")
]
WeightDecayOption = Annotated[float, typer.Option(help="AdamW weight decay (default 0: run_ner.py's).")]


def _settings(
    epochs,
    batch_size,
    lr,
    max_steps,
    max_seq_len,
    stride,
    seed,
    mode,
    task_lora_r,
    quantize=None,
    precision="auto",
    gradient_checkpointing=False,
    group_by_length=True,
    warmup_ratio=0.0,
    weight_decay=0.0,
):
    from .tasks.finetune import TrainSettings

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
        warmup_ratio=warmup_ratio,
        weight_decay=weight_decay,
    )


@app.command()
def finetune(
    data: DataOption,
    name: Annotated[str, typer.Option(help="Name of the task model (models/NAME, or REGISTRY/NAME in adapter mode).")],
    variant: Annotated[
        str, typer.Option(help="base, a model folder, a registry adapter, hub:USER/NAME or a stack a+b to start from.")
    ] = "base",
    base: BaseOption = None,
    mode: ModeOption = "full",
    eval_data: Annotated[
        list[Path] | None, typer.Option(metavar="PATH", help="Evaluate on this data after training.")
    ] = None,
    eval_adapters: Annotated[
        str | None,
        typer.Option(help="Cross-lingual zero-shot: evaluate with these language adapters swapped in (adapter mode)."),
    ] = None,
    fmt: FormatOption = "auto",
    preset: PresetOption = "auto",
    repair: RepairOption = False,
    types: TypesOption = None,
    epochs: EpochsOption = 15.0,
    batch_size: BatchOption = 16,
    lr: LrOption = None,
    max_steps: MaxStepsOption = -1,
    max_seq_len: LengthOption = 512,
    stride: StrideOption = 16,
    seed: SeedOption = 42,
    task_lora_r: TaskRankOption = 16,
    strict: StrictOption = False,
    precision: PrecisionOption = "auto",
    gradient_checkpointing: CheckpointingOption = False,
    group_by_length: GroupOption = True,
    warmup_ratio: WarmupRatioOption = 0.0,
    weight_decay: WeightDecayOption = 0.0,
    quantize: QuantizeOption = None,
    output: Annotated[Path | None, typer.Option(help="Destination folder instead of the default.")] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace an existing result of that name (only one adapterkit wrote).")
    ] = False,
    resume: Annotated[
        bool, typer.Option("--resume", help="Continue from the last checkpoint in runs/finetune/NAME.")
    ] = False,
    report_to: ReportToOption = "none",
    logging_dir: LoggingDirOption = None,
    keep_checkpoints: KeepCheckpointsOption = False,
    registry: RegistryOption = None,
) -> None:
    """Fine-tune NER, classification or regression on a variant; optionally evaluate (also zero-shot).

    The task kind follows the data: tokens + tags is NER, text + label classification,
    text + labels multi-label, text + text_pair + score regression.
    """
    from .tasks.finetune import FinetuneRequest, _headline, run_finetune
    from .tracking import Tracking

    _quiet_libraries()
    settings = _settings(
        epochs, batch_size, lr, max_steps, max_seq_len, stride, seed, mode, task_lora_r,
        quantize, precision, gradient_checkpointing, group_by_length, warmup_ratio, weight_decay,
    )  # fmt: skip
    request = FinetuneRequest(
        data=data,
        name=name,
        variant=variant,
        base=base,
        fmt=fmt,
        preset=preset,
        repair=repair,
        types=_types(types),
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
    destination, manifest = run_finetune(request)
    metrics = manifest["evaluation"]["metrics"]
    evaluation = f"evaluation: {_headline(manifest['task'], metrics)}" if metrics else "no --eval-data"
    _summarise(f"{manifest['task']}, {evaluation}", destination)


def _types(text: str | None) -> list[str] | None:
    return [kind.strip() for kind in text.split(",") if kind.strip()] if text else None


FoldsOption = Annotated[int, typer.Option(help="Number of folds.")]
FoldFileOption = Annotated[
    Path | None, typer.Option(help="Fold assignment file to reuse or create (default: runs/folds/<data hash>...).")
]
ResumeOption = Annotated[bool, typer.Option("--resume", help="Continue at the first unfinished fold.")]
LimitOption = Annotated[
    int | None, typer.Option(help="Use only the first N examples, of each LANG= part (0: all; small-scale runs).")
]
KeepModelOption = Annotated[
    bool, typer.Option("--keep-model", help="Keep the first fold's trained model (for adapterkit analyse).")
]


@app.command()
def cv(
    data: DataOption,
    variant: Annotated[
        str, typer.Option(help="base, a model folder, a registry adapter, hub:USER/NAME or a stack a+b.")
    ] = "base",
    base: BaseOption = None,
    folds: FoldsOption = 10,
    fold_file: FoldFileOption = None,
    mode: ModeOption = "full",
    fmt: FormatOption = "auto",
    preset: PresetOption = "auto",
    repair: RepairOption = False,
    epochs: EpochsOption = 15.0,
    batch_size: BatchOption = 16,
    lr: LrOption = None,
    max_steps: MaxStepsOption = -1,
    max_seq_len: LengthOption = 512,
    stride: StrideOption = 16,
    seed: SeedOption = 42,
    task_lora_r: TaskRankOption = 16,
    strict: StrictOption = False,
    types: TypesOption = None,
    keep_model: KeepModelOption = False,
    precision: PrecisionOption = "auto",
    gradient_checkpointing: CheckpointingOption = False,
    group_by_length: GroupOption = True,
    warmup_ratio: WarmupRatioOption = 0.0,
    weight_decay: WeightDecayOption = 0.0,
    quantize: QuantizeOption = None,
    run_dir: Annotated[Path | None, typer.Option(help="Where folds and results go (default runs/cv/VARIANT).")] = None,
    limit: LimitOption = None,
    resume: ResumeOption = False,
    force: Annotated[
        bool, typer.Option("--force", help="Discard an earlier run in the same folder (only a run adapterkit wrote).")
    ] = False,
    report_to: ReportToOption = "none",
    logging_dir: LoggingDirOption = None,
    keep_checkpoints: KeepCheckpointsOption = False,
    registry: RegistryOption = None,
) -> None:
    """k-fold cross-validation of one variant: per-fold metrics and mean ± sd (fold file reused)."""
    from .cv import CvRequest, run_cv
    from .tracking import Tracking

    _quiet_libraries()
    settings = _settings(
        epochs, batch_size, lr, max_steps, max_seq_len, stride, seed, mode, task_lora_r,
        quantize, precision, gradient_checkpointing, group_by_length, warmup_ratio, weight_decay,
    )  # fmt: skip
    request = CvRequest(
        data=data, variant=variant, base=base, fmt=fmt, preset=preset, repair=repair, folds=folds, seed=seed,
        fold_file=fold_file, strict=strict, limit=limit, types=_types(types), keep_model=keep_model,
        settings=settings, run_dir=run_dir, resume=resume, force=force, registry=registry,
        tracking=Tracking(report_to, logging_dir), keep_checkpoints=keep_checkpoints,
    )  # fmt: skip
    result = run_cv(request)
    figures = ", ".join(f"{k} {m:.4f} ± {sd:.4f}" for k, (m, sd) in list(result.summary().items())[:2])
    _summarise(f"{result.variant}, {len(result.per_fold)} folds: {figures}", result.run_dir / "cv.json")


PairsOption = Annotated[
    str | None,
    typer.Option(
        metavar="all|A:B,C:D",
        help="Also test these pairs of non-baseline variants with each other (Δ = A − B); all: every two.",
    ),
]


@app.command()
def compare(
    variants: Annotated[list[str], typer.Argument(metavar="VARIANT...", help="Variants; the first is the baseline.")],
    data: DataOption,
    base: BaseOption = None,
    folds: FoldsOption = 10,
    fold_file: FoldFileOption = None,
    mode: ModeOption = "full",
    fmt: FormatOption = "auto",
    preset: PresetOption = "auto",
    repair: RepairOption = False,
    epochs: EpochsOption = 15.0,
    batch_size: BatchOption = 16,
    lr: LrOption = None,
    max_steps: MaxStepsOption = -1,
    max_seq_len: LengthOption = 512,
    stride: StrideOption = 16,
    seed: SeedOption = 42,
    task_lora_r: TaskRankOption = 16,
    strict: StrictOption = False,
    types: TypesOption = None,
    keep_model: KeepModelOption = False,
    precision: PrecisionOption = "auto",
    gradient_checkpointing: CheckpointingOption = False,
    group_by_length: GroupOption = True,
    warmup_ratio: WarmupRatioOption = 0.0,
    weight_decay: WeightDecayOption = 0.0,
    quantize: QuantizeOption = None,
    run_id: Annotated[str | None, typer.Option(help="Name of runs/<id>/ (default: compare-<timestamp>).")] = None,
    limit: LimitOption = None,
    resume: ResumeOption = False,
    force: Annotated[
        bool, typer.Option("--force", help="Discard an earlier run of the same --run-id (only a run adapterkit wrote).")
    ] = False,
    report_to: ReportToOption = "none",
    logging_dir: LoggingDirOption = None,
    keep_checkpoints: KeepCheckpointsOption = False,
    registry: RegistryOption = None,
    pairs: PairsOption = None,
) -> None:
    """Cross-validate several variants on identical folds and print the study's comparison table.

    Mean ± sd per metric, per-type F1, and against the baseline (and between --pairs): Wilcoxon
    signed-rank p over folds, Benjamini-Hochberg adjusted p over every test on a metric, 95 %
    t-interval of the mean difference. Written to runs/<id>/ with the exact command, versions and
    fold file.
    """
    from .cv import CompareRequest, CvRequest, run_compare
    from .tracking import Tracking

    _quiet_libraries()
    settings = _settings(
        epochs, batch_size, lr, max_steps, max_seq_len, stride, seed, mode, task_lora_r,
        quantize, precision, gradient_checkpointing, group_by_length, warmup_ratio, weight_decay,
    )  # fmt: skip
    request = CvRequest(
        data=data, base=base, fmt=fmt, preset=preset, repair=repair, folds=folds, seed=seed, fold_file=fold_file,
        strict=strict, limit=limit, types=_types(types), keep_model=keep_model, settings=settings, resume=resume,
        force=force, registry=registry, tracking=Tracking(report_to, logging_dir), keep_checkpoints=keep_checkpoints,
    )  # fmt: skip
    run_dir = run_compare(CompareRequest(variants=variants, cv=request, run_id=run_id, pairs=pairs))
    if os.environ.get("RANK", "0") == "0":  # under torchrun the main process alone writes the comparison
        _summarise(_compare_headline(run_dir), run_dir / "report.html")


def _compare_headline(run_dir: Path) -> str:
    """The primary metric's mean per variant, as the comparison recorded it."""
    from .manifest import read_comparison
    from .metrics import COEFFICIENT_METRICS

    data = read_comparison(run_dir / "comparison.json")
    metric = data["metrics"][0]
    scale, unit = (1, "") if metric in COEFFICIENT_METRICS else (100, " %")
    means = [(v, (data["summary"].get(v, {}).get(metric) or {}).get("mean")) for v in data["variants"]]
    return f"{metric}{unit}: " + ", ".join(f"{v} {m * scale:.2f}" for v, m in means if m is not None)


@app.command()
def predict(
    model: Annotated[str, typer.Argument(help="A task model folder (models/NAME) or a registry task adapter.")],
    inputs: Annotated[
        list[Path],
        typer.Option("--input", metavar="PATH", help="Data to label: .txt notes (file or folder), BRAT, CoNLL, JSONL."),
    ],
    out: Annotated[Path, typer.Option(help="Output folder (outside the input; input files are never replaced).")],
    output_format: Annotated[
        OutputFormat, typer.Option(help="brat: .ann files with exact character offsets.")
    ] = "conll",
    fmt: FormatOption = "auto",
    preset: PresetOption = "auto",
    gold: Annotated[
        bool, typer.Option("--gold", help="Write the input's own tags instead of predictions (checks offsets).")
    ] = False,
    eval_adapters: Annotated[
        str | None, typer.Option(help="Swap in these language adapters under a task adapter (zero-shot).")
    ] = None,
    max_seq_len: LengthOption = 512,
    registry: RegistryOption = None,
) -> None:
    """Label new data with a fine-tuned model; write CoNLL, BRAT .ann (character offsets) or JSONL.

    Text is cut into words and sentences from the text alone: an .ann beside a .txt is never read.
    """
    from .tasks.predict import run_predict

    _quiet_libraries()
    written = run_predict(
        model, inputs, out, output_format, fmt, preset, gold, eval_adapters, registry, max_seq_len=max_seq_len
    )
    print(f"wrote {len(written)} file(s) to {out}")
    _summarise(f"{len(written)} {output_format} file(s)", out)


@app.command()
def score(
    gold: Annotated[Path, typer.Option(help="Gold: a folder of BRAT .ann files or a CoNLL file.")],
    pred: Annotated[Path, typer.Option(help="Predictions: a folder of .ann files (same names) or a CoNLL file.")],
    fmt: Annotated[ScoreFormat, typer.Option("--format", help="auto: brat for folders, conll for files.")] = "auto",
    strict: Annotated[
        bool, typer.Option("--strict", help="CoNLL: seqeval strict IOB2 (an I- after O is no entity) over conlleval.")
    ] = False,
    ignore_type: Annotated[
        bool, typer.Option("--ignore-type", help="BRAT: match offsets only (the CANTEMIST-NER convention).")
    ] = False,
    preset: PresetOption = "auto",
    repair: Annotated[
        bool, typer.Option("--repair", help="CoNLL: score malformed tags as O instead of failing.")
    ] = False,
    json_file: Annotated[
        Path | None, typer.Option("--json", metavar="FILE", help="Also write the scores as JSON.")
    ] = None,
) -> None:
    """Entity precision, recall and F1 of predictions against gold (BRAT exact offsets or conlleval)."""
    from rich.console import Console
    from rich.table import Table

    from .scorer import score_paths, table_rows, write_json

    result = score_paths(gold, pred, fmt, strict, ignore_type, preset, repair)
    units = f"{result['documents']} documents" + (f", {result['sentences']} sentences" if "sentences" in result else "")
    table = Table(title=f"{result['scheme']}{' (types ignored)' if ignore_type else ''}: {units}")
    for column in ("type", "precision", "recall", "F1", "true pos.", "predicted", "gold"):
        table.add_column(column, justify="left" if column == "type" else "right")
    for row in table_rows(result):
        table.add_row(*row)
    Console(width=None if sys.stdout.isatty() else 200).print(table)
    for role, found in (result.get("hygiene") or {}).items():
        if any(found.values()):
            print(
                f"{role}: {found['orphan_i_tags']} orphan I- tags, {found['malformed_to_o']} malformed tags scored as O"
            )
    if json_file is not None:
        write_json(json_file, result)
        print(f"wrote {json_file}")


@app.command()
def report(
    run_dir: Annotated[
        Path, typer.Argument(help="A compare run folder (runs/<id>/) or a recipe run (runs/<recipe>/).")
    ],
    pairs: Annotated[
        str | None,
        typer.Option(
            metavar="all|A:B,C:D",
            help="Compare run: recompute its comparison from the recorded fold results with these pair tests "
            "(no training).",
        ),
    ] = None,
) -> None:
    """(Re)write report.md and a self-contained report.html from a run's recorded results.

    With --pairs, a compare run's comparison.{md,csv,json} are first computed again from its
    recorded fold results (cv/*/cv.json) with the extra pair tests.
    """
    from .recipe_report import rewrite_recipe_report
    from .report import report_for_compare

    _quiet_libraries()
    if pairs is not None:
        if not (run_dir / "comparison.json").is_file():
            raise AdapterkitError(f"--pairs: {run_dir} has no comparison.json; give a compare run folder (runs/<id>/)")
        from .cv import recompare

        recompare(run_dir, pairs)
    if (run_dir / "comparison.json").is_file():
        markdown, html = report_for_compare(run_dir)
    elif (run_dir / "steps").is_dir():
        markdown, html = rewrite_recipe_report(run_dir)
    else:
        raise AdapterkitError(
            f"{run_dir}: neither comparison.json nor steps/; give a folder written by adapterkit compare or run"
        )
    print(f"wrote {markdown} and {html}")
    _summarise("report rewritten from the recorded results", html)


@app.command()
def analyse(
    run_dir: Annotated[Path, typer.Argument(help="A compare run folder (runs/<id>/).")],
    max_entities: Annotated[int, typer.Option(help="NER: embed at most this many gold entities per variant.")] = 1500,
    examples: Annotated[int, typer.Option(help="Classification: explain this many test decisions per variant.")] = 3,
    seed: Annotated[int, typer.Option(help="Seed for the entity sample and t-SNE.")] = 0,
    registry: RegistryOption = None,
) -> None:
    """The study's analyses of a compare run, added to its report.

    NER: t-SNE of last-layer entity embeddings coloured by type and intra-entity cosine similarity
    per type, for every variant's encoder. Classification: gradient x input token importance of a
    few test decisions (needs compare --keep-model). Written to RUN_DIR/analysis/.
    """
    from .analyse import run_analyse

    _quiet_libraries()
    analysis = run_analyse(run_dir, max_entities=max_entities, examples=examples, registry=registry, seed=seed)
    variants = sorted(set(analysis.get("similarity") or {}) | set(analysis.get("importance") or {}))
    _summarise(f"analyses of {len(variants)} variant(s)", run_dir / "report.html")


@app.command()
def run(
    recipe: Annotated[str, typer.Argument(help="A recipe file or the name of a shipped one (see: recipes list).")],
    overrides: Annotated[
        list[str] | None, typer.Argument(metavar="[KEY=VALUE]...", help="Settings to override, e.g. task.folds=5.")
    ] = None,
    smoke: Annotated[bool, typer.Option("--smoke", help="Apply the recipe's small [smoke] scale first.")] = False,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Rerun every step, passing --force on to the commands that have it (replaces existing "
            "results of the same names). Without it, existing results not made by this recipe are kept.",
        ),
    ] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Print the steps' command lines, run nothing.")] = False,
) -> None:
    """Run a recipe: its steps in order, each an adapterkit command; finished steps are skipped."""
    from .recipes import run_recipe

    _quiet_libraries()
    run_dir = run_recipe(recipe, overrides or [], smoke=smoke, force=force, dry_run=dry_run)
    if not dry_run:
        steps = len(list((run_dir / "steps").glob("*.json")))
        _summarise(f"recipe {recipe}: {steps} step(s) recorded as done", run_dir / "report.html")


@recipes_app.command("list")
def recipes_list() -> None:
    """The shipped recipes and what each reproduces."""
    from .recipes import list_recipes

    for name, description in list_recipes():
        print(f"{name:14s} {description}")


@recipes_app.command("cp")
def recipes_cp(
    name: Annotated[str, typer.Argument(help="Shipped recipe name.")],
    destination: Annotated[Path, typer.Argument(help="File or folder to copy it to.")],
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Copy a shipped recipe to start your own from it."""
    from .recipes import copy_recipe

    print(f"copied to {copy_recipe(name, destination, force)}")


@vocab_app.command("extend")
def vocab_extend(
    corpus: Annotated[
        list[Path], typer.Option("--corpus", metavar="PATH", help="Domain text to train the new pieces on.")
    ],
    size: Annotated[int, typer.Option(help="Size of the domain WordPiece vocabulary to train.")],
    out: Annotated[Path, typer.Option(help="Output folder: base/ (extended base), model/ (trained), adapterkit.json.")],
    base: Annotated[
        str, typer.Option(help="Base encoder (hub id, folder or minilm).")
    ] = "bert-base-multilingual-cased",
    other_corpus: Annotated[
        list[Path] | None, typer.Option(metavar="PATH", help="Other-language text for the forgetting check.")
    ] = None,
    mode: Annotated[VocabTrainMode, typer.Option(help="lora: LoRA plus trainable new-token embeddings.")] = "full",
    max_steps: Annotated[int, typer.Option(help="Stop after this many steps (-1: run --epochs).")] = -1,
    epochs: Annotated[float, typer.Option(help="Passes over the corpus.")] = 5.0,
    batch_size: Annotated[int, typer.Option(help="Blocks per device per step.")] = 8,
    grad_accum: Annotated[int, typer.Option(help="Micro-batches per optimiser step.")] = 4,
    lr: Annotated[float | None, typer.Option(help="Learning rate (default as pretrain).")] = None,
    max_seq_len: Annotated[int, typer.Option(help="Tokens per block.")] = 128,
    seed: Annotated[int, typer.Option(help="Seed.")] = 42,
    force: Annotated[
        bool, typer.Option("--force", help="Replace an existing --out (only one adapterkit wrote).")
    ] = False,
) -> None:
    """Train a domain WordPiece vocabulary, add its new pieces, initialise and train their embeddings.

    New rows start as the mean of their old sub-pieces. Reports tokens per word before/after and,
    with --other-corpus, held-out perplexity on the other language before/after (forgetting).
    """
    from .vocab import VocabSettings, extend_vocabulary

    _quiet_libraries()
    result = extend_vocabulary(
        VocabSettings(
            base,
            corpus,
            size,
            out,
            other_corpus=other_corpus or None,
            mode=mode,
            max_steps=max_steps,
            epochs=epochs,
            batch_size=batch_size,
            grad_accum=grad_accum,
            lr=lr,
            max_seq_len=max_seq_len,
            seed=seed,
        ),
        force,
    )
    tpw = result.tokens_per_word
    _summarise(
        f"{len(result.pieces)} new pieces, tokens per word {tpw['before']:.3f} -> {tpw['after']:.3f}, "
        f"perplexity trained {result.perplexity.get('trained', float('nan')):,.2f}",
        result.out,
    )


@vocab_app.command("build")
def vocab_build(
    corpus: Annotated[
        list[Path],
        typer.Option("--corpus", metavar="PATH", help="Domain text (all languages) to train the vocabulary on."),
    ],
    size: Annotated[int, typer.Option(help="Size of the WordPiece vocabulary to train (the study: 45000).")],
    out: Annotated[Path, typer.Option(help="Output folder: base/ (rebuilt base), model/ (trained), adapterkit.json.")],
    mode: Annotated[
        VocabMode,
        typer.Option(
            help="new: replace the base vocabulary by the trained one (study B); extend: append the pieces it lacks."
        ),
    ] = "new",
    base: Annotated[
        str, typer.Option(help="Base encoder (hub id, folder or minilm).")
    ] = "bert-base-multilingual-cased",
    other_corpus: Annotated[
        list[Path] | None, typer.Option(metavar="PATH", help="Other-language text for the forgetting check.")
    ] = None,
    train: Annotated[
        VocabTrainMode, typer.Option(help="lora: LoRA plus trainable embeddings of the initialised pieces.")
    ] = "full",
    max_steps: Annotated[int, typer.Option(help="Stop after this many steps (-1: run --epochs).")] = -1,
    epochs: Annotated[float, typer.Option(help="Passes over the corpus.")] = 5.0,
    batch_size: Annotated[int, typer.Option(help="Blocks per device per step.")] = 8,
    grad_accum: Annotated[int, typer.Option(help="Micro-batches per optimiser step.")] = 4,
    lr: Annotated[float | None, typer.Option(help="Learning rate (default as pretrain).")] = None,
    max_seq_len: Annotated[int, typer.Option(help="Tokens per block.")] = 128,
    seed: Annotated[int, typer.Option(help="Seed.")] = 42,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing --out.")] = False,
) -> None:
    """Train a WordPiece vocabulary on the domain corpora, rebuild the base around it, continue MLM.

    --mode new (the study's path): the base vocabulary is replaced by the new one; rows of pieces
    the base had are copied, the others start as the mean of their old sub-pieces; the MLM decoder
    stays tied. --mode extend is `vocab extend` (whose --mode is this command's --train).
    """
    from .vocab import VocabSettings, build_vocabulary

    _quiet_libraries()
    build_vocabulary(
        VocabSettings(
            base,
            corpus,
            size,
            out,
            vocab_mode=mode,  # type: ignore[arg-type]  # checked when made, with a one-line error
            other_corpus=other_corpus or None,
            mode=train,  # type: ignore[arg-type]
            max_steps=max_steps,
            epochs=epochs,
            batch_size=batch_size,
            grad_accum=grad_accum,
            lr=lr,
            max_seq_len=max_seq_len,
            seed=seed,
            mode_option="--train",
        ),
        force,
    )


@corpus_app.command("clean")
def corpus_clean(
    paths: Annotated[
        list[Path],
        typer.Argument(
            metavar="PATH",
            help="Corpus files (.txt, .txt.gz, .jsonl, .parquet) or folders of them, or hf:NAME[:SPLIT].",
        ),
    ],
    out: Annotated[
        Path, typer.Option("--out", metavar="FILE", help="Where the kept lines go (.txt, .txt.gz, .jsonl, .jsonl.gz).")
    ],
    text_field: Annotated[str, typer.Option(help="Field holding the text in .jsonl files (also written).")] = "text",
    show_changes: Annotated[
        int, typer.Option(metavar="N", min=0, help="Print the first N lines that cleaning changed, before and after.")
    ] = 0,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing --out file.")] = False,
) -> None:
    """Clean corpora exactly as pretrain does and write the kept lines to one file.

    Same reading, cleaning (markup, control characters, whitespace) and de-duplication as
    pretrain --corpus; prints the cleaning report. The file is written whole or not at all, and
    never over an input file. --show-changes N prints N changed lines before (-) and after (+).
    """
    from .corpus import clean_corpus

    report, changes = clean_corpus(paths, out, text_field, show_changes, force)
    print(f"corpus: {report.summary()}")
    print(f"wrote {report.lines_kept} lines to {out}")
    if show_changes and not changes:
        print("no line was changed by cleaning beyond whitespace")
    elif changes:
        print(f"the first {len(changes)} line(s) changed by cleaning, before (-) and after (+):")
        for change in changes:
            print(change.describe())


@app.command()
def push(
    name: Annotated[str, typer.Argument(help="Registry adapter to share.")],
    repo: Annotated[str, typer.Option("--repo", metavar="USER/NAME", help="Hub repository (created if missing).")],
    private: Annotated[
        bool, typer.Option("--private", help="Create the repository private (an existing one keeps its visibility).")
    ] = False,
    out: Annotated[
        Path | None, typer.Option(help="Write the folder that would be uploaded to this new folder; upload nothing.")
    ] = None,
    license: Annotated[
        str | None, typer.Option("--license", help="Licence id for the card, e.g. apache-2.0 (default: unknown).")
    ] = None,
    dataset: Annotated[
        list[str] | None,
        typer.Option("--dataset", metavar="ID", help="Hub dataset id trained on, for the card; repeat for several."),
    ] = None,
    runs: Annotated[Path, typer.Option(help="Folder of recorded runs whose cv metrics go on the card.")] = Path("runs"),
    card_paths: Annotated[
        bool,
        typer.Option(
            "--card-paths",
            help="Name corpus and data files by their path relative to this folder (default: file name and "
            "sha256 only; no folder of this machine is ever shared).",
        ),
    ] = False,
    registry: RegistryOption = None,
) -> None:
    """Upload an adapter to the Hugging Face Hub: PEFT files, manifest and a complete model card.

    The token comes from HF_TOKEN or `hf auth login`. The card's metadata (library_name peft,
    base_model, language, tags, datasets, license) and figures come from the manifest and from
    cv runs under --runs that used the adapter. Corpus and data files are named by file name and
    sha256 (--card-paths: relative path); no absolute path of this machine is uploaded.
    """
    from .hub import PushRequest
    from .hub import push as push_adapter

    request = PushRequest(name, repo, private, registry, out, runs, license, dataset or [], card_paths)
    where = push_adapter(request)
    print(f"wrote the upload folder to {where}" if out is not None else f"pushed {name} to {where}")
    _summarise(f"{name} shared without local paths", where)


@app.command()
def pull(
    repo: Annotated[str, typer.Argument(metavar="USER/NAME", help="Hub repository of a PEFT adapter.")],
    as_name: Annotated[
        str | None, typer.Option("--as", help="Registry name (default: user--name, plus --revision if given).")
    ] = None,
    revision: Annotated[str | None, typer.Option(help="Branch, tag or commit (default: main).")] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace an adapter of that name, and accept a base that does not match.")
    ] = False,
    registry: RegistryOption = None,
) -> None:
    """Download an adapter from the Hub into the registry, after checking it.

    Refuses files other than safetensors/JSON/Markdown (never pickles), names that leave the
    folder, and an adapter whose base does not match (id, and the fingerprint of the local base
    when it is available here) unless --force. A plain PEFT LoRA gets a manifest naming its source.
    `hub:USER/NAME` works as an adapter name in compose, eval-mlm, finetune and cv (pulled once).
    """
    from .errors import printable
    from .hub import pull as pull_adapter

    result = pull_adapter(repo, registry, as_name, revision, force)
    for note in result.notes:
        print(f"note: {printable(note)}")
    print(printable(f"pulled {repo} ({result.commit[:12]}) into {result.path}"))
    _summarise(f"{repo} at {result.commit[:12]}, checked", result.path)


@adapters_app.command("list")
def adapters_list(registry: RegistryOption = None) -> None:
    """Show the adapters in the registry as a table."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from .errors import printable
    from .paths import registry_dir
    from .registry import Registry

    store = Registry(registry_dir(registry))
    table = Table(title=Text(printable(f"adapters in {store.root}")))
    for column in ("name", "kind", "languages", "domain", "base", "rank", "steps", "ppl before", "ppl after"):
        table.add_column(column, justify="right" if column.startswith(("ppl", "steps", "rank")) else "left")
    for name in store.names():
        manifest = store.manifest(name)
        hyper = manifest.get("hyperparameters", {})
        ppl = manifest.get("perplexity", {})
        cells = [
            name,
            manifest.get("kind", "?"),
            ",".join(manifest.get("languages", [])),
            manifest.get("domain") or "",
            manifest.get("base", {}).get("id", "?"),
            str(hyper.get("lora_r", "")),
            str(hyper.get("steps", "")),
            f"{ppl['before']:.2f}" if "before" in ppl else "",
            f"{ppl['after']:.2f}" if "after" in ppl else "",
        ]
        # Text, not str: rich would read "[...]" in a (downloaded) manifest as markup.
        table.add_row(*(Text(printable(cell)) for cell in cells))
    # Piped output has no terminal width: do not squeeze names into 80 columns.
    Console(width=None if sys.stdout.isatty() else 200).print(table)


@adapters_app.command("show")
def adapters_show(name: Annotated[str, typer.Argument(help="Adapter name.")], registry: RegistryOption = None) -> None:
    """Print an adapter's manifest (adapterkit.json) and its folder."""
    import json

    from .errors import printable
    from .paths import registry_dir
    from .registry import Registry

    store = Registry(registry_dir(registry))
    manifest = store.manifest(name)
    print(printable(f"# {store.path(name)}"))
    for line in json.dumps(manifest, indent=2, ensure_ascii=False).splitlines():
        print(printable(line))  # JSON escapes C0 controls but not C1 ones, DEL or bidi overrides


@adapters_app.command("verify")
def adapters_verify(
    name: Annotated[str | None, typer.Argument(help="Adapter name (default: every adapter).")] = None,
    registry: RegistryOption = None,
) -> None:
    """Check the weight files against the sha256 recorded in each manifest; exit code 2 on a mismatch."""
    from .errors import printable
    from .paths import registry_dir
    from .registry import HASHES, Registry

    store = Registry(registry_dir(registry))
    names = [name] if name is not None else store.names()
    failed = []
    for adapter in names:
        try:
            problems = store.verify(adapter)
            recorded = len(store.manifest(adapter).get(HASHES) or {})
        except AdapterkitError as error:  # a damaged manifest: report it and check the others
            if name is not None:
                raise
            problems, recorded = [str(error)], 0
        if problems:
            failed.append(adapter)
            print(f"{adapter}: MISMATCH")
            for problem in problems:
                print(f"  {printable(problem)}")
        elif recorded:
            print(f"{adapter}: ok ({recorded} weight file{'s' if recorded > 1 else ''})")
        else:
            print(f"{adapter}: ok (no sha256 recorded; headers checked only)")
    if failed:
        raise AdapterkitError(f"{len(failed)} of {len(names)} adapter(s) failed verification: {', '.join(failed)}")
    if not names:
        print(f"no adapters in {store.root}")


@adapters_app.command("rm")
def adapters_rm(
    name: Annotated[str, typer.Argument(help="Adapter name.")],
    wait: Annotated[
        float, typer.Option(help="Seconds to wait for processes reading the adapter before refusing.")
    ] = 10.0,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Delete without asking.")] = False,
    registry: RegistryOption = None,
) -> None:
    """Delete an adapter from the registry (asks first in a terminal, unless --yes; waits for commands reading it)."""
    from .paths import registry_dir
    from .registry import MANIFEST, Registry

    store = Registry(registry_dir(registry))
    folder = store.path(name)
    # Scripts and pipes (stdin not a terminal) are not asked: there is nobody to answer.
    if not yes and (folder / MANIFEST).is_file() and sys.stdin.isatty():
        answer = input(f"delete the adapter {name} ({folder})? [y/N] ")
        if answer.strip().lower() not in ("y", "yes"):
            print(f"kept {folder}")
            raise typer.Exit(1)
    store.remove(name, wait=wait)
    print(f"removed {folder}")


_depth = 0  # main() runs nested for the steps of `adapterkit run`


def main(argv: list[str] | None = None) -> int:
    """Console entry point: every outcome is one line on stderr and an exit code, never a traceback.

    Bad input (AdapterkitError, usage errors): exit 2. An operating-system error (full disk,
    unwritable or missing path): one line naming the path, exit 2. Ctrl-C: one line saying what
    continues the work, exit 130. Anything else is a bug: one line pointing to a log file under
    the cache holding the traceback (ADAPTERKIT_DEBUG=1 prints it instead), exit 1. A command that
    worked ends with one summary line: elapsed time, headline figures, where the results are.
    """
    global _depth
    import time

    command = typer.main.get_command(app)
    started = time.perf_counter()
    args = list(argv) if argv is not None else sys.argv[1:]
    enter(args)
    _depth += 1
    try:
        # click returns the code of a typer.Exit raised inside (standalone_mode=False): e.g. a declined rm
        code = command.main(args=args, prog_name="adapterkit", standalone_mode=False)
        if code == 130:  # typer turns KeyboardInterrupt into Exit(130) and, not standalone, returns the code
            raise KeyboardInterrupt
        if isinstance(code, int) and not isinstance(code, bool) and code != 0:
            return code
    except AdapterkitError as error:
        print(f"error: {error}", file=sys.stderr)
        return error.exit_code
    except UsageError as error:
        hint = f" (see: {error.ctx.command_path} --help)" if error.ctx else ""
        # typer checks values with pydantic, whose "Value error, " prefix tells the user nothing
        message = error.format_message().replace(": Value error, ", ": ")
        print(f"error: {message}{hint}", file=sys.stderr)
        return 2
    except typer.Exit as exit_:
        return exit_.exit_code
    except SystemExit as exit_:  # shell completion answers and exits inside click
        return exit_.code if isinstance(exit_.code, int) else 0 if exit_.code is None else 1
    except (typer.Abort, KeyboardInterrupt):
        if _depth > 1:
            raise KeyboardInterrupt from None  # a recipe step: the recipe's main reports it, once
        from .safety import take_interrupt_hint

        hint = take_interrupt_hint()
        print("interrupted" + (f"; {hint}" if hint else ""), file=sys.stderr)
        return 130
    except OSError as error:
        print(f"error: {_os_error_line(error)}", file=sys.stderr)
        return 2
    except Exception as error:
        cause = _os_error_in(error)
        if cause is not None:  # a library wrapped an operating-system error: still the user's to fix
            print(f"error: {_os_error_line(cause)}", file=sys.stderr)
            return 2
        # a bug: one line here, the traceback in a log file
        print(f"internal error: {_internal_error_line(error)}", file=sys.stderr)
        return 1
    finally:
        _depth -= 1
        summary = leave()
    # The last line of every working command: how long, the headline figures, where the results are
    # (under torchrun, once).
    if summary and os.environ.get("RANK", "0") == "0":
        print(
            f"{' '.join(args[:1]) or 'adapterkit'} done in {_elapsed(time.perf_counter() - started)}: "
            f"{summary['figures']}; results: {summary['where']}",
            flush=True,
        )
    return 0


_OS_ADVICE = {
    errno.ENOSPC: "free some space or choose another place",
    errno.EFBIG: "the file is larger than this system allows; choose another place",
    errno.EACCES: "not allowed here; choose a writable place",
    errno.EPERM: "not allowed here; choose a writable place",
    errno.EROFS: "the file system is read-only; choose another place",
    errno.ELOOP: "a symbolic link loop; fix the link",
    errno.ENOTDIR: "a part of the path is a file, not a folder",
    errno.EISDIR: "a folder is where a file goes",
    errno.EEXIST: "something is already there; choose another name",
    errno.ENOENT: "no such file or folder",
}


def _os_error_line(error: OSError) -> str:
    """``PATH: reason (advice)`` for an operating-system error (the path is what the user can act on)."""
    reason = error.strerror or str(error) or type(error).__name__
    advice = _OS_ADVICE.get(error.errno or 0)
    reason = f"{reason} ({advice})" if advice and advice.lower() != reason.lower() else reason
    if error.filename is not None:
        where = str(error.filename) + (f" -> {error.filename2}" if error.filename2 is not None else "")
        return f"{where}: {reason}"
    return reason


def _os_error_in(error: BaseException) -> OSError | None:
    """The OSError a library's exception was raised from, if any."""
    seen = error.__cause__ or error.__context__
    while seen is not None:
        if isinstance(seen, OSError) and seen.errno is not None:
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


def _internal_error_line(error: Exception) -> str:
    """Write the traceback to a log file under the cache (or print it with ADAPTERKIT_DEBUG=1)."""
    import traceback
    from datetime import datetime

    from .paths import cache_dir

    summary = (str(error).splitlines() or [""])[0][:300]
    summary = f"{type(error).__name__}: {summary}" if summary else type(error).__name__
    details = traceback.format_exc()
    if os.environ.get("ADAPTERKIT_DEBUG", "") not in ("", "0"):
        print(details, file=sys.stderr, end="")
        return f"{summary} (traceback above)"
    try:
        logs = cache_dir() / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        log = logs / f"error-{datetime.now().strftime('%Y%m%d-%H%M%S')}-{os.getpid()}.log"
        command = " ".join(["adapterkit", *sys.argv[1:]])
        log.write_text(f"{command}\n\n{details}", encoding="utf-8")
    except OSError:
        print(details, file=sys.stderr, end="")
        return f"{summary} (traceback above: the log folder could not be written)"
    return f"{summary}; details in {log} (please report it; ADAPTERKIT_DEBUG=1 prints the traceback)"


if __name__ == "__main__":
    sys.exit(main())
