"""The files adapterkit reads back, each defined once: types, required fields, ranges.

Every JSON or TOML file adapterkit reads after it left the process that wrote it (or came from
elsewhere: a Hub download, a hand-edited recipe) is checked against its schema here before any
field is used, so a wrong file is one line naming the file and the field — exit code 2 — never
a ``TypeError``/``KeyError`` traceback from deep inside:

- ``adapterkit.json``, the adapter/model manifest (``AdapterManifest``; ``schema_version`` 1,
  manifests from before the field are read as version 1);
- ``adapter_config.json``, PEFT's LoRA settings (``AdapterConfig``), and the safetensors tensors
  against it (``tensor_problems``: names, rank, shapes, and the base's module shapes);
- recipe TOML (``RECIPE``, ``STEP``), ``comparison.json`` (``COMPARISON``) and a recipe's step
  records (``STEP_RECORD``).

A schema is a tree of small ``Spec`` objects; ``validate`` walks the data with it. Unknown fields
are allowed in manifests and configs (other tools and later versions add some) and refused in
recipe steps (a typo there would silently do nothing).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from .errors import AdapterkitError

MANIFEST = "adapterkit.json"  # the manifest file in every adapter and model folder
SCHEMA_VERSION = 1  # of adapterkit.json; bump when a field changes meaning
# A name used as a file name (adapters, models, recipes, steps); whole-string match (fullmatch).
# Defined here, where manifests are checked; registry.check_name uses it too.
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._+-]{0,99}")

# --------------------------------------------------------------------------------------------- schema engine


class Spec:
    """What a value must be; ``check`` raises ``_Wrong`` with the path of the first bad field."""

    what = "a value"

    def check(self, value: object, at: str) -> None:
        raise NotImplementedError


class _Wrong(Exception):
    def __init__(self, at: str, message: str):
        super().__init__(message)
        self.at = at
        self.message = message


def _kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, Mapping):
        return "a table/object"
    return type(value).__name__


def _show(value: object) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str) if not isinstance(value, Mapping) else "{…}"
    if isinstance(value, list | tuple) and len(text) > 40:
        text = "[…]"
    return f"{_kind(value)} {text[:40]}{'…' if len(text) > 40 else ''}"


def _wrong(at: str, spec: Spec, value: object) -> _Wrong:
    return _Wrong(at, f"expected {spec.what}, got {_show(value)}")


class Any_(Spec):
    what = "any value"

    def check(self, value: object, at: str) -> None:
        return None


class Str(Spec):
    def __init__(self, nonempty: bool = False, choices: tuple[str, ...] | None = None, pattern: str | None = None):
        self.nonempty, self.choices = nonempty, choices
        self.pattern = re.compile(pattern) if pattern else None
        self.what = (
            "one of " + ", ".join(repr(c) for c in choices)
            if choices
            else "a non-empty string"
            if nonempty
            else "a string"
        )

    def check(self, value: object, at: str) -> None:
        if not isinstance(value, str) or (self.nonempty and not value):
            raise _wrong(at, self, value)
        if self.choices is not None and value not in self.choices:
            raise _wrong(at, self, value)
        if self.pattern is not None and not self.pattern.fullmatch(value):
            raise _wrong(at, self, value)


class Name(Spec):
    what = "a name (letters, digits and . _ + -, at most 100 characters, not starting with a symbol)"

    def check(self, value: object, at: str) -> None:
        if not isinstance(value, str) or not NAME.fullmatch(value) or ".." in value:
            raise _wrong(at, self, value)


class Num(Spec):
    """A number (an integer is a number; a boolean is not); ``integer`` for whole numbers only."""

    def __init__(self, lo: float | None = None, hi: float | None = None, integer: bool = False, finite: bool = False):
        self.lo, self.hi, self.integer, self.finite = lo, hi, integer, finite
        noun = "an integer" if integer else "a finite number" if finite else "a number"
        bounds = [f">= {lo:g}"] if lo is not None else []
        bounds += [f"<= {hi:g}"] if hi is not None else []
        self.what = noun + (f" {' and '.join(bounds)}" if bounds else "")

    def check(self, value: object, at: str) -> None:
        ok = isinstance(value, int) if self.integer else isinstance(value, int | float)
        if not ok or isinstance(value, bool):
            raise _wrong(at, self, value)
        if (self.finite or self.lo is not None or self.hi is not None) and not math.isfinite(value):
            raise _wrong(at, self, value)
        if (self.lo is not None and value < self.lo) or (self.hi is not None and value > self.hi):
            raise _wrong(at, self, value)


def Int(lo: float | None = None, hi: float | None = None) -> Num:  # noqa: N802 - reads like the other specs
    return Num(lo, hi, integer=True)


class Bool(Spec):
    what = "true or false"

    def check(self, value: object, at: str) -> None:
        if not isinstance(value, bool):
            raise _wrong(at, self, value)


class Opt(Spec):
    def __init__(self, inner: Spec):
        self.inner = inner
        self.what = f"{inner.what} or null"

    def check(self, value: object, at: str) -> None:
        if value is not None:
            self.inner.check(value, at)


class Either(Spec):
    def __init__(self, *options: Spec):
        self.options = options
        self.what = " or ".join(option.what for option in options)

    def check(self, value: object, at: str) -> None:
        for option in self.options:
            try:
                option.check(value, at)
                return
            except _Wrong:
                continue
        raise _wrong(at, self, value)


class ListOf(Spec):
    def __init__(self, item: Spec, min_len: int = 0, max_len: int | None = None):
        self.item, self.min_len, self.max_len = item, min_len, max_len
        size = f" of {min_len} to {max_len}" if max_len is not None else " of at least 1" if min_len else ""
        self.what = f"a list{size} ({item.what} each)"

    def check(self, value: object, at: str) -> None:
        if not isinstance(value, list | tuple):
            raise _wrong(at, self, value)
        if len(value) < self.min_len or (self.max_len is not None and len(value) > self.max_len):
            raise _wrong(at, self, value)
        for index, item in enumerate(value):
            self.item.check(item, f"{at}[{index}]")


class MapOf(Spec):
    def __init__(self, value: Spec, key: Spec | None = None):
        self.value, self.key = value, key or Str()
        self.what = f"a table/object of {self.value.what}"

    def check(self, value: object, at: str) -> None:
        if not isinstance(value, Mapping):
            raise _wrong(at, self, value)
        for key, item in value.items():
            where = f"{at}.{key}" if at else str(key)
            self.key.check(key, where)
            self.value.check(item, where)


class Obj(Spec):
    """A table/object with known fields; ``required`` must be present; ``closed`` refuses others."""

    def __init__(self, fields: dict[str, Spec], required: tuple[str, ...] = (), closed: bool = False):
        self.fields, self.required, self.closed = fields, required, closed
        self.what = "a table/object"

    def check(self, value: object, at: str) -> None:
        if not isinstance(value, Mapping):
            raise _wrong(at, self, value)
        for name in self.required:
            if name not in value:
                raise _Wrong(f"{at}.{name}" if at else name, "missing")
        for name, item in value.items():
            where = f"{at}.{name}" if at else str(name)
            spec = self.fields.get(name)
            if spec is None:
                if self.closed:
                    known = ", ".join(self.fields)
                    raise _Wrong(where, f"unknown field (known: {known})")
                continue
            spec.check(item, where)


def validate(data: object, spec: Spec, file: Path | str, fix: str) -> None:
    """Raise a one-line ``AdapterkitError`` naming ``file`` and the first bad field, and what to do."""
    try:
        spec.check(data, "")
    except _Wrong as wrong:
        where = f"field {wrong.at!r}: " if wrong.at else ""
        raise AdapterkitError(f"{file}: {where}{wrong.message}; {fix}") from None


def require(data: Mapping, dotted: str, file: Path | str, why: str, fix: str) -> None:
    """Raise unless the nested field ``dotted`` is present (its type was validated before)."""
    value: object = data
    for part in dotted.split("."):
        if not isinstance(value, Mapping) or part not in value:
            raise AdapterkitError(f"{file}: field {dotted!r}: missing ({why}); {fix}")
        value = value[part]


def read_json(file: Path, fix: str) -> object:
    """A JSON file's data, or a one-line error (not valid JSON, not UTF-8, unreadable)."""
    try:
        return json.loads(Path(file).read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise AdapterkitError(f"{file}: not UTF-8 text, so not JSON; {fix}") from None
    except json.JSONDecodeError as error:
        raise AdapterkitError(f"{file}: not valid JSON ({error.msg}, line {error.lineno}); {fix}") from None
    except RecursionError:
        raise AdapterkitError(f"{file}: JSON nested too deeply; {fix}") from None


# --------------------------------------------------------------------------------------------- adapterkit.json

KINDS = ("language", "domain", "composed", "model", "task", "vocabulary-extension", "new-vocabulary")
VOCABULARY_KINDS = ("vocabulary-extension", "new-vocabulary")  # vocab extend / vocab build --mode new
TASKS = ("ner", "classification", "multilabel", "regression")
MANIFEST_FIX = "the manifest is damaged or not adapterkit's: re-create or re-download the folder"

BASE = Obj(
    {
        "id": Str(nonempty=True),
        "peft_base_model": Opt(Str()),
        "revision": Opt(Str()),
        "fingerprint": Opt(Str()),
        "path": Opt(Str()),
        "mlm_head": Opt(Str(choices=("new", "pretrained"))),
    },
    required=("id",),
)
FILE_RECORD = Obj({"path": Str(), "lines": Int(0), "sha256": Str()})
CORPUS = Obj(
    {
        "files": ListOf(FILE_RECORD),
        "cleaning": Obj({key: Int(0) for key in ("lines_read", "empty_dropped", "duplicates_dropped", "lines_kept")}),
        "train_tokens": Opt(Int(0)),
        "heldout_tokens": Opt(Int(0)),
        "heldout_fraction": Num(0, 1),
        "block_mode": Str(),
        "streaming": Bool(),
        "tokens_per_word": Obj({"before": Num(0), "after": Num(0)}),
    }
)
HYPERPARAMETERS = Obj(
    {
        "mode": Str(choices=("lora", "full")),
        "steps": Int(0),
        "max_steps": Int(),
        "epochs": Num(0),
        "batch_size": Int(1),
        "grad_accum": Int(1),
        "learning_rate": Num(0),
        "max_seq_len": Int(1),
        "seed": Int(),
        "lora_r": Int(1),
        "lora_alpha": Num(),
        "lora_dropout": Num(0, 1),
        "lora_targets": ListOf(Str()),
        "trained_head_modules": ListOf(Str()),
    }
)
PERPLEXITY = Obj(
    {
        "before": Num(0),
        "after": Num(0),
        "heldout_masked_tokens": Int(0),
        **{key: Opt(Num(0)) for key in ("base", "extended", "trained")},  # vocabulary extension
    }
)
COMPOSITION = Obj(
    {
        "how": Str(nonempty=True),
        "exact": Bool(),
        "approximation": Opt(Str()),
        "parts": ListOf(
            Obj({"name": Str(nonempty=True), "weight": Num(finite=True), "path": Str()}, ("name", "weight"))
        ),
        "rank": Opt(Int(1)),
        "density": Opt(Num(0, 1)),
        "learned": Opt(Obj({"steps": Int(0), "perplexity_start": Num(0), "perplexity_learned": Num(0)})),
        "heads": Opt(Obj({"modules": ListOf(Str()), "rule": Str()})),
    }
)
MANIFEST_SPEC = Obj(
    {
        "schema_version": Int(1),
        "name": Name(),
        "origin_name": Opt(Str()),
        "kind": Str(choices=KINDS),
        "languages": ListOf(Str()),
        "domain": Opt(Str()),
        "base": BASE,
        "sha256": MapOf(Str(pattern="[0-9a-f]{64}")),
        "corpus": CORPUS,
        "hyperparameters": HYPERPARAMETERS,
        "perplexity": PERPLEXITY,
        "training": Obj({"log": ListOf(MapOf(Any_())), "tokens_seen": Opt(Int(0))}),
        "composition": COMPOSITION,
        "task": Str(choices=TASKS),
        "labels": ListOf(Str()),
        "adapter": Bool(),
        "variant": Opt(Str()),
        "language_adapters": ListOf(Str()),
        "data": ListOf(Str()),
        "types": Opt(ListOf(Str())),
        "settings": MapOf(Any_()),
        "evaluation": MapOf(Any_()),
        "source": Obj({"hub": Str(), "revision": Opt(Str()), "requested": Opt(Str()), "endpoint": Opt(Str())}),
        "other_corpus": Opt(
            Obj(
                {
                    "files": ListOf(Str()),
                    "tokens_per_word": Opt(Obj({"before": Num(0), "after": Num(0)}, ("before", "after"))),
                    "perplexity": Opt(MapOf(Opt(Num(0)))),
                }
            )
        ),
        "vocabulary": Obj({"size": Int(1), "added": Int(0), "first_new_id": Opt(Int(0)), "pieces": ListOf(Str())}),
        "versions": MapOf(Opt(Str())),
        "created": Str(),
    },
    required=("kind", "base"),
)
# What each kind of manifest needs beyond the types: the fields adapterkit indexes or prints (cards).
_PRETRAIN_FIELDS = (
    "name",
    "languages",
    "base.fingerprint",
    "base.peft_base_model",
    "base.mlm_head",
    "corpus.files",
    "corpus.cleaning.lines_read",
    "corpus.cleaning.empty_dropped",
    "corpus.cleaning.duplicates_dropped",
    "corpus.cleaning.lines_kept",
    "corpus.train_tokens",
    "corpus.heldout_fraction",
    "corpus.block_mode",
    "hyperparameters.mode",
    "hyperparameters.steps",
    "perplexity.before",
    "perplexity.after",
    "perplexity.heldout_masked_tokens",
    "versions.adapterkit",
)
_COMPOSED_FIELDS = (
    "name",
    "languages",
    "base.fingerprint",
    "base.peft_base_model",
    "composition.how",
    "composition.exact",
    "composition.approximation",
    "composition.parts",
    "versions.adapterkit",
)
_TASK_FIELDS = ("name", "task", "labels", "adapter")
_VOCABULARY_FIELDS = (
    "vocabulary.size",
    "vocabulary.added",
    "corpus.tokens_per_word.before",
    "corpus.tokens_per_word.after",
    "perplexity.base",
    "perplexity.extended",
    "perplexity.trained",
)


@dataclass(frozen=True)
class BaseRecord:
    """The frozen base an adapter was trained on."""

    id: str
    peft_base_model: str | None = None
    revision: str | None = None
    fingerprint: str | None = None
    path: str | None = None
    mlm_head: str | None = None


@dataclass
class AdapterManifest:
    """``adapterkit.json``: the typed core fields; every other (validated) field is kept in ``extra``."""

    kind: str
    base: BaseRecord
    name: str | None = None
    languages: list[str] = field(default_factory=list)
    domain: str | None = None
    sha256: dict[str, str] = field(default_factory=dict)
    schema_version: int = SCHEMA_VERSION
    extra: dict = field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: object, file: Path | str) -> AdapterManifest:
        check_manifest(data, file)
        assert isinstance(data, dict)
        core = ("kind", "base", "name", "languages", "domain", "sha256", "schema_version")
        return cls(
            kind=data["kind"],
            base=BaseRecord(**{key: data["base"].get(key) for key in BaseRecord.__dataclass_fields__}),
            name=data.get("name"),
            languages=list(data.get("languages") or []),
            domain=data.get("domain"),
            sha256=dict(data.get("sha256") or {}),
            schema_version=data.get("schema_version", 1),  # manifests from before the field: version 1
            extra={key: value for key, value in data.items() if key not in core},
        )

    def to_dict(self) -> dict:
        base = {key: value for key, value in self.base.__dict__.items() if value is not None or key == "fingerprint"}
        data = {"schema_version": self.schema_version, "name": self.name, "kind": self.kind}
        data |= {"languages": self.languages, "domain": self.domain, "base": base, **self.extra}
        if self.sha256:
            data["sha256"] = self.sha256
        return data if self.name is not None else {k: v for k, v in data.items() if k != "name"}


def check_manifest(data: object, file: Path | str, complete: bool = False) -> dict:
    """``data`` if it is a valid ``adapterkit.json``, else a one-line error naming the file and field.

    Every read checks the types of all fields and the ones every manifest has (kind, base, name);
    ``complete`` also requires what its kind records in full — the fields a task model is loaded
    with, or that a card is written from (``predict``, ``push``, ``pull``).
    """
    version = data.get("schema_version") if isinstance(data, Mapping) else None
    if isinstance(version, int) and not isinstance(version, bool) and version > SCHEMA_VERSION:
        raise AdapterkitError(
            f"{file}: schema_version {version} is newer than this adapterkit reads ({SCHEMA_VERSION}): "
            "upgrade adapterkit"
        )
    validate(data, MANIFEST_SPEC, file, MANIFEST_FIX)
    assert isinstance(data, dict)
    kind = data["kind"]
    needed: tuple[str, ...] = ()
    if not complete:
        needed = ("name",) if kind not in VOCABULARY_KINDS else ()
    elif kind == "task":
        needed = _TASK_FIELDS + (("variant",) if data.get("adapter") else ())
    elif kind == "composed" or "composition" in data:
        needed = _COMPOSED_FIELDS
    elif "hyperparameters" in data and "corpus" in data and kind not in VOCABULARY_KINDS:
        needed = _PRETRAIN_FIELDS
    elif kind in VOCABULARY_KINDS:
        needed = _VOCABULARY_FIELDS
    else:
        needed = ("name",)
    for dotted in needed:
        require(data, dotted, file, f"a {kind} manifest records it", MANIFEST_FIX)
    return data


def read_manifest(file: Path, complete: bool = False) -> dict:
    """A validated ``adapterkit.json`` as a dict (what the rest of adapterkit indexes)."""
    return check_manifest(read_json(file, MANIFEST_FIX), file, complete)


# --------------------------------------------------------------------------------------------- adapter_config.json

CONFIG_FIX = "the adapter is damaged or not a PEFT LoRA adapter: re-create or re-download it"


class _Off(Spec):
    what = "off (null, false or empty): adapterkit loads plain LoRA adapters only"

    def check(self, value: object, at: str) -> None:
        if value not in (None, False, {}, []):
            raise _wrong(at, self, value)


_OFF = _Off()
_VARIANTS = (
    "alora_invocation_tokens",
    "arrow_config",
    "corda_config",
    "eva_config",
    "kasa_config",
    "layer_replication",
    "loftq_config",
    "lora_ga_config",
    "megatron_config",
    "monteclora_config",
    "target_parameters",
    "use_bdlora",
    "use_qalora",
    "velora_config",
)
ADAPTER_CONFIG_SPEC = Obj(
    {
        "peft_type": Str(nonempty=True),
        "base_model_name_or_path": Opt(Str()),
        "r": Int(1, 1 << 16),
        "lora_alpha": Num(finite=True),
        "lora_dropout": Num(0, 1),
        "target_modules": Opt(Either(Str(nonempty=True), ListOf(Str(nonempty=True)))),
        "modules_to_save": Opt(ListOf(Str(nonempty=True))),
        "rank_pattern": Opt(MapOf(Int(1, 1 << 16))),
        "alpha_pattern": Opt(MapOf(Num(finite=True))),
        "use_dora": Bool(),
        "use_rslora": Bool(),
        "fan_in_fan_out": Bool(),
        "inference_mode": Bool(),
        "bias": Str(choices=("none", "all", "lora_only")),
        "task_type": Opt(Str()),
        "layers_to_transform": Opt(Either(Int(0), ListOf(Int(0)))),
        "layers_pattern": Opt(Either(Str(), ListOf(Str()))),
        "exclude_modules": Opt(Either(Str(), ListOf(Str()))),
        "init_lora_weights": Either(Bool(), Str(nonempty=True)),
        "lora_bias": Bool(),
        "ensure_weight_tying": Bool(),
        "trainable_token_indices": Opt(Either(ListOf(Int(0)), MapOf(ListOf(Int(0))))),
        "revision": Opt(Str()),
        "peft_version": Opt(Str()),
        "auto_mapping": Opt(MapOf(Any_())),
        "megatron_core": Opt(Str()),
        "qalora_group_size": Int(1),
        # LoRA variants adapterkit neither trains nor loads: they must be off (absent, null, false or empty)
        **{key: _OFF for key in _VARIANTS},
    },
    required=("peft_type",),
)


@dataclass
class AdapterConfig:
    """The fields of PEFT's ``adapter_config.json`` adapterkit relies on (the file keeps all of them)."""

    peft_type: str
    r: int = 8
    lora_alpha: float = 8
    target_modules: str | list[str] | None = None
    rank_pattern: dict[str, int] = field(default_factory=dict)
    modules_to_save: list[str] | None = None
    base_model_name_or_path: str | None = None
    use_dora: bool = False
    fan_in_fan_out: bool = False

    @classmethod
    def from_dict(cls, data: object, file: Path | str) -> AdapterConfig:
        validate(data, ADAPTER_CONFIG_SPEC, file, CONFIG_FIX)
        assert isinstance(data, dict)
        if data["peft_type"] == "LORA":
            for needed in ("r", "target_modules"):
                require(data, needed, file, "a LoRA adapter needs it", CONFIG_FIX)
            _peft_accepts(data, file)
        return cls(**{key: data[key] for key in cls.__dataclass_fields__ if data.get(key) is not None})

    def to_dict(self) -> dict:
        return dict(self.__dict__)

    def rank(self, module: str) -> int:
        """PEFT's rule: the first ``rank_pattern`` key matching the end of the module name, else ``r``."""
        for pattern, rank in self.rank_pattern.items():
            if _matches(rf"(.*\.)?(?:{pattern})$", module, pattern):
                return rank
        return self.r

    def targets(self, module: str) -> bool:
        """Whether ``target_modules`` names ``module`` (PEFT: a string is a regex, a list a name suffix)."""
        if isinstance(self.target_modules, str):
            return _matches(self.target_modules, module, self.target_modules, full=True)
        return any(module == t or module.endswith("." + t) for t in self.target_modules or [])


def _peft_accepts(data: dict, file: Path | str) -> None:
    """PEFT's own checks of the settings (``LoraConfig.__post_init__``), as one line instead of a traceback."""
    from dataclasses import fields

    from peft import LoraConfig

    known = {f.name for f in fields(LoraConfig) if f.init}
    try:
        LoraConfig(**{key: value for key, value in data.items() if key in known and key != "peft_type"})
    except Exception as error:  # PEFT raises ValueError/TypeError/...; the file is foreign data
        reason = str(error).splitlines()[0][:160] if str(error) else type(error).__name__
        raise AdapterkitError(f"{file}: PEFT refuses these LoRA settings ({reason}); {CONFIG_FIX}") from None


@contextmanager
def peft_loading(folder: Path) -> Iterator[None]:
    """Whatever PEFT raises while loading a checked adapter folder becomes one line naming the folder.

    The schema and ``tensor_problems`` catch the known ways an adapter can be wrong first; this is
    the net for the settings PEFT adds faster than any schema can follow.
    """
    try:
        yield
    except AdapterkitError:
        raise
    except (ValueError, TypeError, KeyError, AttributeError, RuntimeError, IndexError) as error:
        reason = str(error).splitlines()[0][:160] if str(error) else type(error).__name__
        raise AdapterkitError(
            f"{folder}: PEFT cannot load this adapter ({type(error).__name__}: {reason}); {CONFIG_FIX}"
        ) from None


def _matches(regex: str, text: str, literal: str, full: bool = False) -> bool:
    try:
        return bool(re.fullmatch(regex, text) if full else re.match(regex, text))
    except re.error:
        return text == literal or text.endswith("." + literal)


def read_adapter_config(file: Path) -> AdapterConfig:
    return AdapterConfig.from_dict(read_json(file, CONFIG_FIX), file)


_PEFT_PREFIX = "base_model.model."
_LORA_KEY = re.compile(r"(?P<module>.+)\.lora_(?:embedding_)?(?P<side>[AB])(?:\.weight)?")


def tensor_problems(folder: Path, config: AdapterConfig, base_model=None, label: str | None = None) -> list[str]:
    """What is wrong with ``adapter_model.safetensors`` against ``config`` (and the base's modules).

    Every LoRA tensor pair must be 2-D, A (rank, in) and B (out, rank) with the config's rank for
    its module, for a module that ``target_modules`` names; with ``base_model`` (the model the
    adapter is loaded onto), the module must exist there with those in/out sizes. PEFT would
    otherwise fail with a size-mismatch traceback, or load a mismatching tensor silently.
    """
    from safetensors import safe_open

    weights = folder / "adapter_model.safetensors"
    if config.peft_type != "LORA" or not weights.is_file():
        return []
    shapes: dict[str, dict[str, list[int]]] = {}
    with safe_open(str(weights), "pt") as handle:
        for key in handle.keys():  # noqa: SIM118 - safe_open has no __iter__
            match = _LORA_KEY.fullmatch(key)
            if match:
                module = match["module"].removeprefix(_PEFT_PREFIX)
                shapes.setdefault(module, {})[match["side"]] = list(handle.get_slice(key).get_shape())
    problems = []
    where = label or str(weights)
    modules = dict(base_model.named_modules()) if base_model is not None else None
    if modules is not None and config.target_modules and not any(config.targets(name) for name in modules):
        problems.append(
            f"{folder / 'adapter_config.json'}: target_modules {config.target_modules!r} names no module of the base"
        )
    for module, sides in sorted(shapes.items()):
        a, b = sides.get("A"), sides.get("B")
        if a is None or b is None:
            problems.append(f"{where}: {module} has lora_{'A' if a else 'B'} but no lora_{'B' if a else 'A'}")
            continue
        if len(a) != 2 or len(b) != 2:
            problems.append(f"{where}: {module}: LoRA tensors must be 2-D, got A {a} and B {b}")
            continue
        rank = config.rank(module)
        if a[0] != rank or b[1] != rank:
            problems.append(f"{where}: {module}: rank {a[0]}/{b[1]} in the tensors, adapter_config.json says r={rank}")
            continue
        if config.target_modules is not None and not config.targets(module):
            problems.append(f"{where}: tensors for {module}, which adapter_config.json's target_modules does not name")
            continue
        if modules is None:
            continue
        target = modules.get(module)
        if target is None:
            problems.append(f"{where}: tensors for {module}, a module the base does not have")
            continue
        sizes = _in_out(target)
        if sizes is not None and (a[1], b[0]) != sizes and not config.fan_in_fan_out:
            problems.append(
                f"{where}: {module}: the tensors are for a {a[1]}→{b[0]} layer, the base's is {sizes[0]}→{sizes[1]}"
            )
    return problems


def _in_out(module) -> tuple[int, int] | None:
    """(in, out) sizes of a layer a LoRA adapts (the base layer inside a PEFT wrapper)."""
    module = getattr(module, "base_layer", module)
    if hasattr(module, "in_features") and hasattr(module, "out_features"):
        return int(module.in_features), int(module.out_features)
    if hasattr(module, "num_embeddings") and hasattr(module, "embedding_dim"):
        return int(module.num_embeddings), int(module.embedding_dim)
    return None


def check_tensors(folder: Path, base_model=None) -> AdapterConfig:
    """Read ``folder``'s adapter_config.json and raise the first tensor problem in one line."""
    config = read_adapter_config(folder / "adapter_config.json")
    problems = tensor_problems(folder, config, base_model)
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise AdapterkitError(f"{problems[0]}{more}; the adapter does not fit: re-create or re-download it")
    return config


# --------------------------------------------------------------------------------------------- recipes

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


def read_checked(file: Path, spec: Spec, fix: str, check: Callable[[dict], None] | None = None) -> dict:
    """A JSON file validated against ``spec`` (and ``check``)."""
    data = read_json(file, fix)
    validate(data, spec, file, fix)
    assert isinstance(data, dict)
    if check is not None:
        check(data)
    return data
