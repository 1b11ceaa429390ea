"""The run files adapterkit reads back: recipe TOML, a recipe's step records, ``comparison.json``,
a cv run's ``cv.json``, per-fold ``metrics.json`` and ``log.json``, and the ``adapterkit_base.json``
of a base folder adapterkit made (the embedded MiniLM with its new MLM head).

Each is a ``Spec`` tree (``schema``); recipe steps refuse unknown fields (a typo there would
silently do nothing), the others allow them (later versions add some). The ``read_*`` functions
give a wrong file as one line naming the file and the field (exit code 2).
"""

from __future__ import annotations

from pathlib import Path

from ..errors import AdapterkitError
from .schema import Any_, Bool, Either, Int, ListOf, MapOf, Name, Num, Obj, Opt, Str, read_checked, read_json, validate

RECIPE_FIX = "fix the recipe"
COMMANDS = (
    "pretrain", "compose", "eval-mlm", "finetune", "cv", "compare", "predict", "analyse", "score", "vocab extend",
    "vocab build", "audit",
)  # fmt: skip
_SCALAR = Either(Str(), Num(finite=True), Bool())
ARG_VALUE = Either(_SCALAR, ListOf(_SCALAR))
STEP = Obj(
    {
        "id": Name(),
        "run": Str(choices=COMMANDS),
        "args": MapOf(ARG_VALUE),
        "about": Str(),
        "foreach": Either(Str(), MapOf(Str())),  # a list setting, or several bound by name
        "when": Either(Str(), ListOf(Str())),  # true/false setting(s) that keep the step (all true)
    },
    required=("id", "run"),
    closed=True,
)
RECIPE = Obj(
    {
        "name": Name(),
        "description": Str(),
        "steps": ListOf(STEP, min_len=1),
        "smoke": MapOf(Any_()),
        "recovery": ListOf(ListOf(Str(nonempty=True), 2, 2)),
    },
    required=("steps",),
)
# A recipe's step record, runs/<recipe>/steps/<id>.json
STEP_RECORD = Obj(
    {
        "id": Str(),
        "argv": ListOf(Str()),
        "inputs": Str(),
        "finished": Str(),
        "template": Opt(Str()),  # the foreach step this one is a copy of
        "each": Opt(Obj({})),  # the item(s) of that copy
    },
    required=("argv",),
)

# --------------------------------------------------------------------------------------------- comparison.json

_OPT_NUM = Opt(Num())
SUMMARY = Obj(
    {
        "mean": _OPT_NUM,
        "sd": _OPT_NUM,
        "n": Int(0),
        "values": ListOf(_OPT_NUM),
        "ci_low": _OPT_NUM,
        "ci_high": _OPT_NUM,
    },
    required=("mean", "sd", "n", "values"),
    closed=True,
)
PAIRED_TEST = Obj(
    {
        "variant": Str(),
        "metric": Str(),
        "n": Int(0),
        **{key: _OPT_NUM for key in ("difference", "ci_low", "ci_high", "p", "p_adjusted")},
        "reference": Opt(Str()),  # the other side; files written before --pairs lack it (the baseline)
    },
    required=("variant", "metric", "n", "difference", "ci_low", "ci_high", "p", "p_adjusted"),
    closed=True,
)
COMPARISON = Obj(
    {
        "baseline": Str(),
        "variants": ListOf(Str(), min_len=1),
        "metrics": ListOf(Str(), min_len=1),
        "n_folds": Int(1),
        "summary": MapOf(MapOf(SUMMARY)),
        "tests": ListOf(PAIRED_TEST),
        "per_type_metric": Opt(Str()),
        "per_type": Opt(MapOf(MapOf(SUMMARY))),
        "ci_method": Opt(Str()),
        "tie_tolerance": _OPT_NUM,
    },
    required=("baseline", "variants", "metrics", "n_folds", "summary", "tests"),
)
COMPARISON_FIX = "the run's comparison.json is damaged: rerun adapterkit compare"


def read_comparison(file: Path) -> dict:
    data = read_json(file, COMPARISON_FIX)
    validate(data, COMPARISON, file, COMPARISON_FIX)
    assert isinstance(data, dict)
    if data["baseline"] not in data["variants"]:
        raise AdapterkitError(
            f"{file}: field 'baseline': {data['baseline']!r} is not one of the variants; {COMPARISON_FIX}"
        )
    return data


# --------------------------------------------------------------------------------------------- cv run files

RUN_FIX = "the cv run's files are damaged: run adapterkit cv (or compare) again with --force"
# One evaluation's metrics (``tasks.finetune.score``): figures (null when undefined), the NER scheme,
# per-type and per-label tables; with --data LANG=PATH the same per part under "groups".
_SCORES = {
    "n_test": Int(0),
    "scheme": Str(),
    "per_type": MapOf(MapOf(Opt(Num()))),
    "per_label": MapOf(Opt(Num())),
}
GROUP_METRICS = Obj(_SCORES, others=Opt(Num()))
FOLD_METRICS = Obj({**_SCORES, "groups": MapOf(GROUP_METRICS)}, others=Opt(Num()))  # folds/<k>/metrics.json
CV_RUN = Obj(  # <run>/cv.json: the settings the run was made with, every fold's metrics, mean and sd
    {
        "variant": Str(nonempty=True),
        "data": ListOf(Str()),
        "folds": Int(1),
        "seed": Int(),
        "base": Str(),
        "format": Str(),
        "preset": Str(),
        "repair": Bool(),
        "fold_file": Str(),
        "strict": Bool(),
        "limit": Opt(Int(0)),
        "types": Opt(ListOf(Str())),
        "settings": MapOf(Any_()),
        "per_fold": ListOf(FOLD_METRICS),
        "summary": MapOf(Either(ListOf(Num(), 2, 2), Num())),  # metric -> [mean, sd]
        "scoring": MapOf(Any_()),
    },
    required=("variant",),
)
# folds/<k>/log.json: the Trainer's log history, one entry per logging step (and the final summary)
LOG_ENTRY = Obj(
    {"step": Int(0), "epoch": Num(0), "loss": Num(), "learning_rate": Num(), "grad_norm": Opt(Num())},
    required=("step",),
)
TRAINING_LOG = ListOf(LOG_ENTRY)


def read_cv_run(file: Path) -> dict:
    """A run's ``cv.json``, validated."""
    return read_checked(file, CV_RUN, RUN_FIX)


def read_fold_metrics(file: Path) -> dict:
    """A fold's ``metrics.json``, validated."""
    return read_checked(file, FOLD_METRICS, RUN_FIX)


def read_training_log(file: Path) -> list[dict]:
    """A fold's (or a task model's) ``log.json``, validated."""
    data = read_json(file, RUN_FIX)
    validate(data, TRAINING_LOG, file, RUN_FIX)
    assert isinstance(data, list)
    return data


# --------------------------------------------------------------------------------------------- base folders

BASE_INFO_FIX = "the base folder's adapterkit_base.json is damaged: delete the folder, adapterkit makes it again"
BASE_INFO = Obj({"source": Str(), "mlm_head": Str(choices=("new", "pretrained")), "head_seed": Int()})


def read_base_info(file: Path) -> dict:
    """A base folder's ``adapterkit_base.json`` (what adapterkit did to the base), validated."""
    return read_checked(file, BASE_INFO, BASE_INFO_FIX)


# --------------------------------------------------------------------------------------------- run settings

# The settings a run was started with (pretrain's run.json, finetune-settings.json, cv-settings.json):
# a JSON object whatever its keys; ``training.resume.check_same_settings`` compares it with the
# settings of a ``--resume``.
RUN_SETTINGS = MapOf(Any_())
RUN_SETTINGS_FIX = "the run folder's settings file is damaged: start over without --resume (add --force)"


def read_run_settings(file: Path) -> dict:
    """A run folder's settings file (``run.json``, ``finetune-settings.json``, ``cv-settings.json``), validated."""
    return read_checked(file, RUN_SETTINGS, RUN_SETTINGS_FIX)


# --------------------------------------------------------------------------------------------- score results

SCORE_FIX = "the scores file is damaged: run adapterkit score --output FILE again"
_COUNTS = {"precision": Num(0, 1), "recall": Num(0, 1), "f1": Num(0, 1), "tp": Int(0), "pred": Int(0), "gold": Int(0)}
_SCORES_ROW = Obj(_COUNTS, required=("tp", "pred", "gold"))  # the counts the recipe report sums
SCORE_RESULT = Obj(  # what `adapterkit score --output FILE` writes
    {"scheme": Str(), "micro": _SCORES_ROW, "per_type": MapOf(_SCORES_ROW)}, required=("micro", "per_type")
)


def read_score_result(file: Path) -> dict:
    """A ``score --output`` result, validated (what the recipe report sums per track)."""
    return read_checked(file, SCORE_RESULT, SCORE_FIX)
