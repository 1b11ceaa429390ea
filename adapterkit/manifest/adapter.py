"""``adapterkit.json``, the manifest in every adapter and model folder: its schema and typed form.

``MANIFEST_SPEC`` is what every field must be; ``check_manifest`` adds what each kind of manifest
must record (the fields a task model is loaded with, or a card is written from), and refuses a
``schema_version`` newer than this adapterkit. ``AdapterManifest`` is the manifest as typed,
frozen dataclasses that validate on ``from_dict`` and give the same JSON back with ``to_dict``.
Manifests from before ``schema_version`` are read as version 1.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import AdapterkitError
from .schema import Any_, Bool, Int, ListOf, MapOf, Name, Num, Obj, Opt, Str, read_json, require, validate

MANIFEST = "adapterkit.json"  # the manifest file in every adapter and model folder
SCHEMA_VERSION = 1  # of adapterkit.json; bump when a field changes meaning

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
