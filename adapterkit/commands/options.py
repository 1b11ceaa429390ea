"""Options that more than one command has, each declared once as an ``Annotated`` type.

A command writes ``epochs: EpochsOption = 15.0``: the option's name, help text and value type
come from here, so finetune, cv and compare (and the two vocab commands, and every command with
``--registry``) cannot drift apart; the default stays in the command's signature, where Typer
reads it. An option only one command has is declared in that command. Choice options are
``Literal`` types built from the tuples in ``choices.py`` (``--method``: from the registry of
``methods/``, one name per method module), which the implementing modules check against too:
``--help`` lists the values (``<a|b|c>``) and a wrong one is a usage error naming the option and
the choices; the command receives the plain string.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import typer

from .. import choices
from ..methods import METHOD_NAMES
from ..tasks.settings import TrainSettings

BlockMode = Literal[choices.BLOCK_MODES]
TrainHead = Literal[choices.TRAIN_HEAD]
AdapterMethodName = Literal[METHOD_NAMES]  # pretrain --method: one per module of methods/ (lora first)
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

RegistryOption = Annotated[
    Path | None,
    typer.Option("--registry", help="Adapter registry folder (default: $ADAPTERKIT_REGISTRY or ./adapters)."),
]
AdapterNameArgument = Annotated[str, typer.Argument(help="Adapter name.")]
# compose and finetune: a result named by --name
ForceOption = Annotated[
    bool, typer.Option("--force", help="Replace an existing result of that name (only one adapterkit wrote).")
]

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

# Options shared by finetune, cv and compare (--format and --preset: predict too; --max-steps: vocab too).
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
    typer.Option(
        "--group-by-length/--no-group-by-length",
        help="Batches of similar-length windows: less padding, faster (default: shuffled, as run_ner.py).",
    ),
]
QuantizeOption = Annotated[
    Quantize | None, typer.Option(help="--mode adapter: load the frozen encoder quantized (bitsandbytes).")
]
WarmupRatioOption = Annotated[
    float,
    typer.Option(
        help="Fraction of the steps with a linear learning-rate warm-up "
        f"(default {TrainSettings.warmup_ratio:g}: run_ner.py's)."
    ),
]
WeightDecayOption = Annotated[
    float, typer.Option(help=f"AdamW weight decay (default {TrainSettings.weight_decay:g}: run_ner.py's).")
]
PositiveLabelOption = Annotated[
    str | None,
    typer.Option(
        metavar="LABEL",
        help="Binary classification: the positive class (its recall, F1, ROC AUC). Needed unless the labels are an "
        "obvious pair (yes/no, 1/0, true/false, inclusion/exclusion, positive/negative, ja/nee, da/nu, sí/no).",
    ),
]

# Options shared by cv and compare.
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

# Options shared by vocab extend and vocab build (--batch-size: pretrain too).
VocabBaseOption = Annotated[str, typer.Option(help="Base encoder (hub id, folder or minilm).")]
OtherCorpusOption = Annotated[
    list[Path] | None, typer.Option(metavar="PATH", help="Other-language text for the forgetting check.")
]
CorpusEpochsOption = Annotated[float, typer.Option(help="Passes over the corpus.")]
BlocksPerStepOption = Annotated[int, typer.Option(help="Blocks per device per step.")]
VocabGradAccumOption = Annotated[int, typer.Option(help="Micro-batches per optimiser step.")]
VocabLrOption = Annotated[float | None, typer.Option(help="Learning rate (default as pretrain).")]
BlockLengthOption = Annotated[int, typer.Option(help="Tokens per block.")]
VocabSeedOption = Annotated[int, typer.Option(help="Seed.")]
