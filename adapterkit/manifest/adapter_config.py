"""``adapter_config.json``, PEFT's adapter settings, and the adapter's tensors checked against them.

``AdapterConfig`` is the validated file (the schema refuses the LoRA variants adapterkit neither
trains nor loads, then PEFT's own config class for its ``peft_type`` checks the settings; which
methods adapterkit uses is ``methods/``' to say); ``tensor_problems`` checks
the safetensors tensors against it (names, LoRA rank and shapes, DoRA magnitudes, IA³ vectors, and the
base's module shapes), so a wrong
adapter is one line naming the file instead of a size-mismatch traceback from PEFT;
``peft_loading`` turns what PEFT still raises while loading into that one line.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import AdapterkitError
from .schema import (
    Any_,
    Bool,
    Either,
    Int,
    ListOf,
    MapOf,
    Num,
    Obj,
    Opt,
    Spec,
    Str,
    read_json,
    require,
    validate,
    wrong,
)

CONFIG_FIX = "the adapter is damaged or not a PEFT adapter: re-create or re-download it"


class _Off(Spec):
    what = "off (null, false or empty): adapterkit loads plain LoRA adapters only"

    def check(self, value: object, at: str) -> None:
        if value not in (None, False, {}, []):
            raise wrong(at, self, value)


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
        "feedforward_modules": Opt(Either(Str(nonempty=True), ListOf(Str(nonempty=True)))),  # IA³
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
    feedforward_modules: str | list[str] | None = None  # IA³: scaled on the input side, not the output

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
        return _names(self.target_modules, module)

    def feedforward(self, module: str) -> bool:
        """Whether IA³'s ``feedforward_modules`` names ``module`` (its vector then scales the layer's input)."""
        return _names(self.feedforward_modules, module)


def _names(modules: str | list[str] | None, module: str) -> bool:
    if isinstance(modules, str):
        return _matches(modules, module, modules, full=True)
    return any(module == t or module.endswith("." + t) for t in modules or [])


def _peft_accepts(data: dict, file: Path | str) -> None:
    """PEFT's own checks of the settings (its config class's ``__post_init__``), as one line instead of a
    traceback. A ``peft_type`` PEFT does not know is left to the caller (``methods.of_config`` names it)."""
    from dataclasses import fields

    from peft import PEFT_TYPE_TO_CONFIG_MAPPING

    config_class = PEFT_TYPE_TO_CONFIG_MAPPING.get(data["peft_type"])
    if config_class is None:
        return
    known = {f.name for f in fields(config_class) if f.init}
    try:
        config_class(**{key: value for key, value in data.items() if key in known and key != "peft_type"})
    except Exception as error:  # PEFT raises ValueError/TypeError/...; the file is foreign data
        reason = str(error).splitlines()[0][:160] if str(error) else type(error).__name__
        raise AdapterkitError(
            f"{file}: PEFT refuses these {data['peft_type']} settings ({reason}); {CONFIG_FIX}"
        ) from None


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
# The tensor names PEFT saves, by what they are: LoRA's A and B (DoRA's too), DoRA's magnitude
# vector (M), IA³'s scaling vector (L); after "<module>."
_TENSOR_SIDES = {
    "lora_A.weight": "A", "lora_A": "A", "lora_embedding_A": "A",
    "lora_B.weight": "B", "lora_B": "B", "lora_embedding_B": "B",
    "lora_magnitude_vector": "M", "lora_magnitude_vector.weight": "M",
    "ia3_l": "L", "ia3_l.weight": "L",
}  # fmt: skip


def _module_and_side(key: str) -> tuple[str, str] | None:
    for suffix, side in _TENSOR_SIDES.items():
        if key.endswith("." + suffix):
            return key[: -len(suffix) - 1].removeprefix(_PEFT_PREFIX), side
    return None


def tensor_problems(folder: Path, config: AdapterConfig, base_model=None, label: str | None = None) -> list[str]:
    """What is wrong with ``adapter_model.safetensors`` against ``config`` (and the base's modules).

    LoRA and DoRA: every tensor pair must be 2-D, A (rank, in) and B (out, rank) with the config's
    rank for its module; DoRA's magnitude vector (out,) is there for every pair exactly when
    ``use_dora`` is. IA³: one vector per module, (out, 1), or (1, in) for a ``feedforward_modules``
    layer. Every module must be one ``target_modules`` names; with ``base_model`` (the model the
    adapter is loaded onto), it must exist there with those in/out sizes. PEFT would otherwise fail
    with a size-mismatch traceback, or load a mismatching tensor silently.
    """
    from safetensors import safe_open

    weights = folder / "adapter_model.safetensors"
    if config.peft_type not in ("LORA", "IA3") or not weights.is_file():
        return []
    shapes: dict[str, dict[str, list[int]]] = {}
    with safe_open(str(weights), "pt") as handle:
        for key in handle.keys():  # noqa: SIM118 - safe_open has no __iter__
            found = _module_and_side(key)
            if found:
                shapes.setdefault(found[0], {})[found[1]] = list(handle.get_slice(key).get_shape())
    problems = []
    where = label or str(weights)
    modules = dict(base_model.named_modules()) if base_model is not None else None
    if modules is not None and config.target_modules and not any(config.targets(name) for name in modules):
        problems.append(
            f"{folder / 'adapter_config.json'}: target_modules {config.target_modules!r} names no module of the base"
        )
    check = _ia3_shapes if config.peft_type == "IA3" else _lora_shapes
    for module, sides in sorted(shapes.items()):
        found = check(module, sides, config, where)
        if isinstance(found, str):
            problems.append(found)
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
        fits = sizes is None or all(mine is None or mine == theirs for mine, theirs in zip(found, sizes, strict=True))
        if not fits and not config.fan_in_fan_out:
            layer = "→".join("?" if size is None else str(size) for size in found)
            problems.append(
                f"{where}: {module}: the tensors are for a {layer} layer, the base's is {sizes[0]}→{sizes[1]}"
            )
    return problems


def _lora_shapes(module: str, sides: dict, config: AdapterConfig, where: str) -> tuple[int, int] | str:
    """A LoRA/DoRA module's (in, out) from its tensors, or what is wrong with them."""
    a, b, magnitude = sides.get("A"), sides.get("B"), sides.get("M")
    if "L" in sides:
        return f"{where}: {module} has an IA³ vector, adapter_config.json says {config.peft_type}"
    if a is None or b is None:
        return f"{where}: {module} has lora_{'A' if a else 'B'} but no lora_{'B' if a else 'A'}"
    if len(a) != 2 or len(b) != 2:
        return f"{where}: {module}: LoRA tensors must be 2-D, got A {a} and B {b}"
    rank = config.rank(module)
    if a[0] != rank or b[1] != rank:
        return f"{where}: {module}: rank {a[0]}/{b[1]} in the tensors, adapter_config.json says r={rank}"
    if (magnitude is not None) != config.use_dora:
        return (
            f"{where}: {module}: a DoRA magnitude vector, but adapter_config.json has use_dora false"
            if magnitude is not None
            else f"{where}: {module}: no DoRA magnitude vector, but adapter_config.json has use_dora true"
        )
    if magnitude is not None and magnitude != [b[0]]:
        return f"{where}: {module}: DoRA magnitude {magnitude}, the layer has {b[0]} outputs"
    return a[1], b[0]


def _ia3_shapes(module: str, sides: dict, config: AdapterConfig, where: str) -> tuple[int | None, int | None] | str:
    """An IA³ module's (in, out) as far as its vector says (the other side: None), or what is wrong."""
    vector = sides.get("L")
    if vector is None:
        return f"{where}: {module} has LoRA tensors, adapter_config.json says IA3"
    feedforward = config.feedforward(module)
    if len(vector) != 2 or (vector[0] if feedforward else vector[1]) != 1:
        shape = "(1, in)" if feedforward else "(out, 1)"
        return f"{where}: {module}: an IA³ vector must be {shape} here, got {vector}"
    return (vector[1], None) if feedforward else (None, vector[0])


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
