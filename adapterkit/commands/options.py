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

import functools
import inspect
import sys
import typing
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

import typer
import typer.models

from .. import choices
from ..methods import FULL_LR, METHOD_NAMES, METHODS
from ..privacy.options import DEFAULT_MAX_GRAD_NORM
from ..tasks.settings import ADAPTER_LR, TrainSettings
from .outputs import ROLES, option_names

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


def number(value: float) -> str:
    """A default as help texts write it: 2e-5, 0.05, 1.0 (the defaults themselves, never a copy of them)."""
    if value and abs(value) < 0.01:
        mantissa, exponent = f"{value:e}".split("e")
        return f"{mantissa.rstrip('0').rstrip('.')}e{int(exponent)}"
    text = f"{value:g}"
    return f"{text}.0" if text.isdigit() else text


LrOption = Annotated[
    float | None, typer.Option(help=f"Learning rate (default {number(FULL_LR)} full, {number(ADAPTER_LR)} adapter).")
]
# pretrain: the learning rate by what it trains (all weights, or the adapter method's own)
PRETRAIN_LR_HELP = (
    f"Peak learning rate, linear decay (default {number(FULL_LR)} with --full, "
    f"{number(METHODS['lora'].learning_rate)} LoRA/DoRA, {number(METHODS['ia3'].learning_rate)} IA³)."
)
DP_NORM_HELP = f"Per-example gradient clipping norm of DP training (default {number(DEFAULT_MAX_GRAD_NORM)})."
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
        help="Batches of similar-length windows: less padding, faster, but another batch order that can cost F1 "
        "(default: shuffled, as run_ner.py).",
    ),
]
SplitOption = Annotated[
    bool,
    typer.Option(
        "--split-by-length/--no-split-by-length",
        help="Run each batch as sub-batches of similar length: the same batches and loss, less padding, "
        "faster where lengths vary (dropout draws differ, so not run_ner.py's model at a seed).",
    ),
]
QuantizeOption = Annotated[
    Quantize | None, typer.Option(help="--mode adapter: load the frozen encoder quantized (bitsandbytes).")
]
# Warm-up as TrainingArguments offers it (pretrain, finetune, cv, compare): --warmup-steps wins when above 0.
WarmupRatioOption = Annotated[
    float,
    typer.Option(
        help="Fraction of the steps with a linear learning-rate warm-up "
        f"(default {TrainSettings.warmup_ratio:g}: run_ner.py's; --warmup-steps wins when above 0)."
    ),
]
WarmupStepsOption = Annotated[
    int,
    typer.Option(help="Linear learning-rate warm-up over this many steps (0: --warmup-ratio decides)."),
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


# ------------------------------------------------------------------ old option names, kept working

F = TypeVar("F", bound=Callable[..., Any])
RENAMED = "__adapterkit_renamed__"  # old flag -> new flag, kept on the command for the tests that walk the CLI
_CONTEXT = "alias_context"  # the click context the merge reads, handed in by Typer and removed before the command


def renamed(**aliases: str) -> Callable[[F], F]:
    """Keep old option names working: ``@renamed(out="output")`` (outermost, above ``@writes``).

    Each old name becomes a hidden option (``--out``, absent from --help) with the new option's
    type. Given, it prints one line on stderr (``adapterkit: --out is deprecated; use --output``)
    and its value becomes the new option's, as if typed: Typer's own checks (a required option,
    the choices) and ``@writes``' checks then apply to the new option. Both given is a usage
    error. ``@writes``' declaration gains each old name in its new name's role, so the walk of
    every option (tests/test_output_over_input.py) still finds every path parameter declared.
    """

    def wrap(command: F) -> F:
        signature = inspect.signature(command, eval_str=True)
        flags = option_names(command)
        parameters = list(signature.parameters.values())
        for old, new in aliases.items():
            hint = signature.parameters[new].annotation
            value_type = typing.get_args(hint)[0] if typing.get_origin(hint) is Annotated else hint
            option = typer.Option(
                "--" + old.replace("_", "-"),
                hidden=True,
                is_eager=True,  # before the new option is read, so that it can read this value
                callback=_forward(new, flags[new]),
                metavar=getattr(_info(hint), "metavar", None),
            )
            parameters.append(inspect.Parameter(old, inspect.Parameter.KEYWORD_ONLY, default=None,
                                                annotation=Annotated[value_type | None, option]))  # fmt: skip
        parameters.append(inspect.Parameter(_CONTEXT, inspect.Parameter.KEYWORD_ONLY, annotation=typer.Context))

        @functools.wraps(command)
        def merged(**kwargs: Any) -> Any:
            context = kwargs.pop(_CONTEXT)
            for old, new in aliases.items():
                given = kwargs.pop(old)
                if given not in (None, [], ()) and context.get_parameter_source(new).name == "COMMANDLINE":
                    raise typer.BadParameter(
                        f"give {flags[new]} only (--{old.replace('_', '-')} is its old name)", param_hint=flags[new]
                    )
            return command(**kwargs)

        setattr(merged, RENAMED, {"--" + old.replace("_", "-"): flags[new] for old, new in aliases.items()})
        merged.__signature__ = signature.replace(parameters=parameters)  # type: ignore[attr-defined]
        merged.__annotations__ = {p.name: p.annotation for p in parameters} | {"return": signature.return_annotation}
        roles = getattr(command, ROLES, None)
        if roles is not None:  # the old name is declared as what the new one is (an output, a folder, an input)
            roles = {role: names + tuple(old for old, new in aliases.items() if new in names)
                     for role, names in roles.items()}  # fmt: skip
            setattr(merged, ROLES, roles)
        return merged  # type: ignore[return-value]

    return wrap


def _info(hint: Any) -> Any:
    return next((m for m in getattr(hint, "__metadata__", ()) if isinstance(m, typer.models.OptionInfo)), None)


def _forward(new: str, new_flag: str) -> Callable[[typer.Context, Any, Any], Any]:
    """The old option's callback: one deprecation line, and its value handed to the new option."""

    def forward(context: typer.Context, parameter: Any, value: Any) -> Any:
        if value in (None, [], ()) or context.resilient_parsing:
            return value
        print(f"adapterkit: {parameter.opts[0]} is deprecated; use {new_flag}", file=sys.stderr)
        # The new option reads it as a default given by the caller (click's default map): a
        # required one is satisfied, and its type and choices are checked as for a typed value.
        context.default_map = {**(context.default_map or {}), new: value}
        return value

    return forward
