"""``adapterkit.json``, the manifest in every adapter and model folder: its schema and typed form.

``MANIFEST_SPEC`` is what every field must be; ``check_manifest`` adds what each kind of manifest
must record (the fields a task model is loaded with, or a card is written from), and refuses a
``schema_version`` newer than this adapterkit. ``AdapterManifest`` is the manifest as typed,
frozen dataclasses that validate on ``from_dict`` and give the same JSON back with ``to_dict``.
Manifests from before ``schema_version`` are read as version 1.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ..errors import AdapterkitError
from .privacy import PRIVACY, PRIVATE, Privacy, Private
from .schema import Any_, Bool, Int, ListOf, MapOf, Name, Num, Obj, Opt, Record, Str, read_json, require, validate

MANIFEST = "adapterkit.json"  # the manifest file in every adapter and model folder
SCHEMA_VERSION = 3  # of adapterkit.json; bump when a field changes meaning (2: privacy, private;
# 3: training.final_loss is the last logged loss, the mean over the run moved to training.mean_loss)

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
        "local": Bool(),  # push: the id names a folder of the trainer's machine
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
        # "full", or the adapter method (methods/: lora, dora, ia3; checked where it is used); absent: lora
        "mode": Str(pattern="[a-z][a-z0-9_-]{0,31}"),
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
        "learned": Opt(
            Obj(
                {"steps": Int(0), "perplexity_start": Num(0), "perplexity_learned": Num(0)},
                required=("steps", "perplexity_start", "perplexity_learned"),  # the card prints all three
            )
        ),
        "heads": Opt(Obj({"modules": ListOf(Str()), "rule": Str()}, required=("modules", "rule"))),
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
        "positive_label": Str(),  # a binary classification's positive class
        "adapter": Bool(),
        "variant": Opt(Str()),
        "language_adapters": ListOf(Str()),
        "data": ListOf(Str()),
        "types": Opt(ListOf(Str())),
        "settings": MapOf(Any_()),
        "evaluation": Obj({"data": ListOf(Str()), "adapters": Opt(Str()), "metrics": Opt(MapOf(Any_()))}),
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
        "privacy": PRIVACY,
        "private": PRIVATE,
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


# --------------------------------------------------------------------------------------------- typed


@dataclass(frozen=True, kw_only=True)
class BaseRecord(Record):
    """The frozen base an adapter was trained on."""

    id: str
    peft_base_model: str | None = None  # what plain PEFT loads: a Hub id, or the folder it was trained from
    revision: str | None = None
    fingerprint: str | None = None
    path: str | None = None
    mlm_head: str | None = None  # "new": the base had no pretrained MLM head
    local: bool | None = None  # set by push: ``id`` names a folder of the trainer's machine, not a Hub model


@dataclass(frozen=True, kw_only=True)
class FileRecord(Record):
    """A corpus file: where it was read, how many lines it had, its sha256."""

    path: str | None = None
    lines: int | None = None
    sha256: str | None = None


@dataclass(frozen=True, kw_only=True)
class Cleaning(Record):
    """What corpus cleaning counted (more counts in ``extra``)."""

    lines_read: int | None = None
    empty_dropped: int | None = None
    duplicates_dropped: int | None = None
    lines_kept: int | None = None


@dataclass(frozen=True, kw_only=True)
class TokensPerWord(Record):
    before: float | None = None
    after: float | None = None


@dataclass(frozen=True, kw_only=True)
class Corpus(Record):
    """The training corpus of a pretrained adapter or model, or of a vocabulary."""

    files: list[FileRecord] | None = None
    cleaning: Cleaning | None = None
    train_tokens: int | None = None  # None: streamed, never counted as a whole
    heldout_tokens: int | None = None
    heldout_fraction: float | None = None
    block_mode: str | None = None
    streaming: bool | None = None
    tokens_per_word: TokensPerWord | None = None
    paths: str | None = None  # set by push: how the files are named (see ``sharing``)


@dataclass(frozen=True, kw_only=True)
class Hyperparameters(Record):
    """The training settings; every one recorded (typed or in ``extra``) is listed on the card."""

    mode: str | None = None  # "full", or the adapter method: "lora" (also when absent), "dora", "ia3"
    steps: int | None = None
    max_steps: int | None = None
    epochs: float | None = None
    batch_size: int | None = None
    grad_accum: int | None = None
    learning_rate: float | None = None
    max_seq_len: int | None = None
    seed: int | None = None
    lora_r: int | None = None
    lora_alpha: float | None = None
    lora_dropout: float | None = None
    lora_targets: list[str] | None = None
    trained_head_modules: list[str] | None = None


@dataclass(frozen=True, kw_only=True)
class Perplexity(Record):
    """Held-out MLM perplexity: before/after training, or base/extended/trained for a vocabulary."""

    before: float | None = None
    after: float | None = None
    heldout_masked_tokens: int | None = None
    base: float | None = None
    extended: float | None = None
    trained: float | None = None


@dataclass(frozen=True, kw_only=True)
class Training(Record):
    log: list[dict[str, Any]] | None = None  # the training curve: loss per logging step, perplexities
    tokens_seen: int | None = None
    final_loss: float | None = None  # the last logged training loss (schema 3; before: the mean)
    mean_loss: float | None = None  # the mean training loss over the run (the Trainer's training_loss)
    tokens_per_s: float | None = None


@dataclass(frozen=True, kw_only=True)
class Part(Record):
    """One adapter of a composition and its weight."""

    name: str
    weight: float
    path: str | None = None


@dataclass(frozen=True, kw_only=True)
class Learned(Record):
    """Composition weights fitted on target-language text."""

    steps: int | None = None
    perplexity_start: float | None = None
    perplexity_learned: float | None = None


@dataclass(frozen=True, kw_only=True)
class Heads(Record):
    """The trained head modules of a composition and how they were combined."""

    modules: list[str] | None = None
    rule: str | None = None


@dataclass(frozen=True, kw_only=True)
class Composition(Record):
    """How a composed adapter or merged model was made from its parts."""

    how: str | None = None
    exact: bool | None = None
    approximation: str | None = None
    parts: list[Part] | None = None
    rank: int | None = None
    density: float | None = None
    learned: Learned | None = None
    heads: Heads | None = None


@dataclass(frozen=True, kw_only=True)
class Evaluation(Record):
    """A task model's evaluation at the end of ``finetune``."""

    data: list[str] | None = None
    adapters: str | None = None
    metrics: dict[str, Any] | None = None


@dataclass(frozen=True, kw_only=True)
class Source(Record):
    """Where a pulled adapter came from."""

    hub: str | None = None
    revision: str | None = None  # the commit pulled
    requested: str | None = None  # the revision asked for (branch, tag or commit)
    endpoint: str | None = None


@dataclass(frozen=True, kw_only=True)
class OtherCorpus(Record):
    """A vocabulary's second corpus (the language it is compared on)."""

    files: list[str] | None = None
    tokens_per_word: TokensPerWord | None = None
    perplexity: dict[str, float | None] | None = None


@dataclass(frozen=True, kw_only=True)
class Vocabulary(Record):
    size: int | None = None
    added: int | None = None
    first_new_id: int | None = None
    pieces: list[str] | None = None
    # vocab build records these too (the recipe report prints them)
    mode: str | None = None  # "extend" or "new"
    vocab_size: int | None = None
    copied: int | None = None
    initialised: int | None = None


@dataclass(frozen=True, kw_only=True)
class AdapterManifest(Record):
    """``adapterkit.json`` typed: every field adapterkit reads is an attribute (None when absent).

    ``from_dict`` validates (``check_manifest``); ``to_dict`` gives the JSON object back, key for key
    as it was read, with ``schema_version`` (a manifest from before the field reads as version 1).
    """

    schema_version: int = SCHEMA_VERSION
    name: str | None = None
    origin_name: str | None = None  # the name it was shared under, when pulled under another one
    kind: str
    languages: list[str] | None = None
    domain: str | None = None
    base: BaseRecord
    corpus: Corpus | None = None
    hyperparameters: Hyperparameters | None = None
    perplexity: Perplexity | None = None
    training: Training | None = None
    composition: Composition | None = None
    # a task model (finetune, cv --keep-model)
    task: str | None = None
    labels: list[str] | None = None
    positive_label: str | None = None  # a binary classification's positive class (its recall, F1)
    adapter: bool | None = None  # a task adapter on ``variant``, not a full task model
    variant: str | None = None
    language_adapters: list[str] | None = None
    data: list[str] | None = None
    types: list[str] | None = None
    settings: dict[str, Any] | None = None
    evaluation: Evaluation | None = None
    # pulled, vocabulary, provenance
    source: Source | None = None
    other_corpus: OtherCorpus | None = None
    vocabulary: Vocabulary | None = None
    privacy: Privacy | None = None
    private: Private | None = None  # never shared
    versions: dict[str, str | None] | None = None
    created: str | None = None
    sha256: dict[str, str] | None = None  # weight file (relative path) -> sha256, recorded by the registry

    @classmethod
    def from_dict(cls, data: object, file: Path | str = MANIFEST, complete: bool = False) -> AdapterManifest:
        """``data`` checked with ``check_manifest`` (a one-line error naming ``file``), typed."""
        checked = check_manifest(data, file, complete)
        manifest = cls.load(checked)
        if "schema_version" not in checked:  # from before the field: version 1, whatever this version is
            manifest = replace(manifest, schema_version=1)
        return _migrated(manifest)

    @classmethod
    def of(cls, manifest: AdapterManifest | Mapping, file: Path | str = MANIFEST) -> AdapterManifest:
        """``manifest`` typed: itself, or a manifest dict (written by a command, or read) validated."""
        return manifest if isinstance(manifest, AdapterManifest) else cls.from_dict(manifest, file)

    @property
    def is_adapter(self) -> bool:
        """An adapter (trained or pulled; LoRA or another method), not a model with all its weights."""
        mode = self.hyperparameters.mode if self.hyperparameters is not None else None
        return mode != "full" and self.kind != "model"


def _migrated(manifest: AdapterManifest) -> AdapterManifest:
    """An older manifest read with today's meanings (the file itself is left as it was).

    Before schema 3, ``training.final_loss`` was the mean loss over the run: it becomes
    ``mean_loss``, and ``final_loss`` the last loss of the recorded training curve (None without one).
    """
    training = manifest.training
    if manifest.schema_version >= 3 or training is None or training.mean_loss is not None:
        return manifest
    if training.final_loss is None:
        return manifest
    losses = [entry["loss"] for entry in training.log or [] if isinstance(entry.get("loss"), (int, float))]
    migrated = replace(training, mean_loss=training.final_loss, final_loss=float(losses[-1]) if losses else None)
    return replace(manifest, training=migrated)


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


def read_adapter_manifest(file: Path, complete: bool = False) -> AdapterManifest:
    """A validated ``adapterkit.json``, typed."""
    return AdapterManifest.from_dict(read_json(file, MANIFEST_FIX), file, complete)
