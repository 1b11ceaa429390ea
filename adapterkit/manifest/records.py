"""The run files adapterkit reads back: recipe TOML, a recipe's step records, ``comparison.json``.

Each is a ``Spec`` tree (``schema``); recipe steps refuse unknown fields (a typo there would
silently do nothing), the others allow them (later versions add some).
"""

from __future__ import annotations

from pathlib import Path

from ..errors import AdapterkitError
from .schema import Any_, Bool, Either, Int, ListOf, MapOf, Name, Num, Obj, Opt, Str, read_json, validate

RECIPE_FIX = "fix the recipe"
COMMANDS = (
    "pretrain", "compose", "eval-mlm", "finetune", "cv", "compare", "predict", "analyse", "score", "vocab extend",
    "vocab build",
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
        "when": Str(),  # a true/false setting that keeps the step
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
