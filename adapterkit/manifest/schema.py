"""The small schema language every file adapterkit reads back is checked with.

A schema is a tree of small ``Spec`` objects (``Obj``, ``Str``, ``Num``, ``ListOf``, …);
``validate`` walks the data with it and turns the first wrong field into one ``AdapterkitError``
line naming the file and the field and saying what to do (exit code 2), never a
``TypeError``/``KeyError`` traceback from deep inside. ``read_json`` and ``read_checked`` read a
JSON file and validate it. ``Record`` turns a validated JSON object into a frozen dataclass whose
fields are typed attributes and back (``load``/``to_dict``). The schemas themselves live beside this module: ``adapter``
(adapterkit.json), ``adapter_config`` (PEFT's adapter_config.json), ``records`` (recipes, step
records, run files).
"""

from __future__ import annotations

import copy
import json
import math
import re
import types
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any, TypeVar, Union, get_args, get_origin, get_type_hints

from ..errors import AdapterkitError

# A name used as a file name (adapters, models, recipes, steps); whole-string match (fullmatch).
# Defined here, where manifests are checked; registry.check_name uses it too.
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._+-]{0,99}")

# --------------------------------------------------------------------------------------------- schema engine


class Spec:
    """What a value must be; ``check`` raises ``Wrong`` with the path of the first bad field."""

    what = "a value"

    def check(self, value: object, at: str) -> None:
        raise NotImplementedError


class Wrong(Exception):
    """A value that does not fit its ``Spec``: where (a dotted path) and what is wrong."""

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


def wrong(at: str, spec: Spec, value: object) -> Wrong:
    """The ``Wrong`` a ``Spec.check`` raises for ``value`` (what was expected, what came)."""
    return Wrong(at, f"expected {spec.what}, got {_show(value)}")


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
            raise wrong(at, self, value)
        if self.choices is not None and value not in self.choices:
            raise wrong(at, self, value)
        if self.pattern is not None and not self.pattern.fullmatch(value):
            raise wrong(at, self, value)


class Name(Spec):
    what = "a name (letters, digits and . _ + -, at most 100 characters, not starting with a symbol)"

    def check(self, value: object, at: str) -> None:
        if not isinstance(value, str) or not NAME.fullmatch(value) or ".." in value:
            raise wrong(at, self, value)


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
            raise wrong(at, self, value)
        if (self.finite or self.lo is not None or self.hi is not None) and not math.isfinite(value):
            raise wrong(at, self, value)
        if (self.lo is not None and value < self.lo) or (self.hi is not None and value > self.hi):
            raise wrong(at, self, value)


def Int(lo: float | None = None, hi: float | None = None) -> Num:  # noqa: N802 - reads like the other specs
    return Num(lo, hi, integer=True)


class Bool(Spec):
    what = "true or false"

    def check(self, value: object, at: str) -> None:
        if not isinstance(value, bool):
            raise wrong(at, self, value)


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
            except Wrong:
                continue
        raise wrong(at, self, value)


class ListOf(Spec):
    def __init__(self, item: Spec, min_len: int = 0, max_len: int | None = None):
        self.item, self.min_len, self.max_len = item, min_len, max_len
        size = f" of {min_len} to {max_len}" if max_len is not None else " of at least 1" if min_len else ""
        self.what = f"a list{size} ({item.what} each)"

    def check(self, value: object, at: str) -> None:
        if not isinstance(value, list | tuple):
            raise wrong(at, self, value)
        if len(value) < self.min_len or (self.max_len is not None and len(value) > self.max_len):
            raise wrong(at, self, value)
        for index, item in enumerate(value):
            self.item.check(item, f"{at}[{index}]")


class MapOf(Spec):
    def __init__(self, value: Spec, key: Spec | None = None):
        self.value, self.key = value, key or Str()
        self.what = f"a table/object of {self.value.what}"

    def check(self, value: object, at: str) -> None:
        if not isinstance(value, Mapping):
            raise wrong(at, self, value)
        for key, item in value.items():
            where = f"{at}.{key}" if at else str(key)
            self.key.check(key, where)
            self.value.check(item, where)


class Obj(Spec):
    """A table/object with known fields; ``required`` must be present; ``closed`` refuses others;
    ``others`` is what every other field must be (unchecked when None)."""

    def __init__(
        self, fields: dict[str, Spec], required: tuple[str, ...] = (), closed: bool = False, others: Spec | None = None
    ):
        self.fields, self.required, self.closed, self.others = fields, required, closed, others
        self.what = "a table/object"

    def check(self, value: object, at: str) -> None:
        if not isinstance(value, Mapping):
            raise wrong(at, self, value)
        for name in self.required:
            if name not in value:
                raise Wrong(f"{at}.{name}" if at else name, "missing")
        for name, item in value.items():
            where = f"{at}.{name}" if at else str(name)
            spec = self.fields.get(name)
            if spec is None:
                if self.closed:
                    known = ", ".join(self.fields)
                    raise Wrong(where, f"unknown field (known: {known})")
                if self.others is not None:
                    self.others.check(item, where)
                continue
            spec.check(item, where)


def validate(data: object, spec: Spec, file: Path | str, fix: str) -> None:
    """Raise a one-line ``AdapterkitError`` naming ``file`` and the first bad field, and what to do."""
    try:
        spec.check(data, "")
    except Wrong as wrong:
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


def read_checked(file: Path, spec: Spec, fix: str, check: Callable[[dict], None] | None = None) -> dict:
    """A JSON file validated against ``spec`` (and ``check``)."""
    data = read_json(file, fix)
    validate(data, spec, file, fix)
    assert isinstance(data, dict)
    if check is not None:
        check(data)
    return data


# --------------------------------------------------------------------------------------------- typed records


@dataclass(frozen=True, kw_only=True)
class Record:
    """A validated JSON object as a frozen dataclass: the fields adapterkit reads are typed attributes.

    A field absent from the object is ``None``. Every key a subclass does not type is kept in
    ``extra``, and ``keys`` remembers the keys as read, in order, explicit nulls included, so that
    ``to_dict`` gives the object back as it was read: a file rewritten from it, or a card that lists
    a section's entries, does not change. ``keys`` is not part of equality (two records with the same
    values are equal whatever order their files had); fields set in code and not read (``replace``)
    follow the keys as read, in the order the fields are declared.
    """

    extra: dict[str, Any] = field(default_factory=dict)  # the keys this adapterkit does not type, as read
    keys: tuple[str, ...] = field(default=(), compare=False, repr=False)  # as read, in order

    @classmethod
    def load(cls: type[R], data: Mapping) -> R:
        """``data``, already validated against this record's ``Spec``, as the record (a deep copy)."""
        hints = _field_types(cls)
        values = {name: _load(hint, data[name]) for name, hint in hints.items() if name in data}
        extra = {key: copy.deepcopy(value) for key, value in data.items() if key not in hints}
        return cls(**values, extra=extra, keys=tuple(data))

    def without(self: R, *names: str) -> R:
        """This record with the typed fields ``names`` absent (not null) in ``to_dict``."""
        cleared = replace(self, **dict.fromkeys(names))  # type: ignore[arg-type]
        return replace(cleared, keys=tuple(key for key in self.keys if key not in names))

    def to_dict(self) -> dict:
        """The JSON object: the keys as read in their order, then fields set since, then ``extra``."""
        hints = _field_types(type(self))
        out: dict = {}
        for key in (*self.keys, *hints, *self.extra):
            if key in out:
                continue
            if key in hints:
                value = getattr(self, key)
                if value is not None or key in self.keys:  # an absent field stays absent, a null stays null
                    out[key] = _dump(value)
            elif key in self.extra:
                out[key] = copy.deepcopy(self.extra[key])
        return out


R = TypeVar("R", bound=Record)


@cache
def _field_types(cls: type) -> dict[str, Any]:
    """The typed fields of a ``Record`` class (name -> type), without ``extra`` and ``keys``."""
    return {name: hint for name, hint in get_type_hints(cls).items() if name not in ("extra", "keys")}


def _load(hint: Any, value: object) -> Any:
    """``value`` as the type ``hint`` says: records (also in lists and ``X | None``) become ``Record``s."""
    if value is None:
        return None
    origin = get_origin(hint)
    if origin in (Union, types.UnionType):
        options = [option for option in get_args(hint) if option is not type(None)]
        records = [option for option in options if _is_record(option)]
        if records and isinstance(value, Mapping):
            return _load(records[0], value)
        lists = [option for option in options if get_origin(option) is list]
        if lists and isinstance(value, list | tuple):
            return _load(lists[0], value)
        return copy.deepcopy(value)
    if origin is list and isinstance(value, list | tuple):
        (item,) = get_args(hint)
        return [_load(item, element) for element in value]
    if _is_record(hint) and isinstance(value, Mapping):
        return hint.load(value)
    return copy.deepcopy(value)


def _is_record(hint: Any) -> bool:
    return get_origin(hint) is None and isinstance(hint, type) and issubclass(hint, Record)


def _dump(value: object) -> object:
    if isinstance(value, Record):
        return value.to_dict()
    if isinstance(value, list | tuple):
        return [_dump(item) for item in value]
    if isinstance(value, Mapping):
        return {key: _dump(item) for key, item in value.items()}
    return copy.deepcopy(value)
