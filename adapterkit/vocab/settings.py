"""The settings of a ``vocab extend`` / ``vocab build`` run as one value, in the manner of PEFT's
``LoraConfig``: a dataclass that checks itself when made (``__post_init__``, with the one-line
errors the command line gives, so nothing is read or written for a bad value), round-trips
through JSON (``to_dict`` / ``from_dict``, paths as strings) and makes the ``PretrainConfig`` of
the training run on the rebuilt base. The CLI fills it from its options; API callers build it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Literal

from ..choices import VOCAB_MODES
from ..choices import VOCAB_TRAIN_MODES as MODES
from ..errors import AdapterkitError
from ..jobs.pretrain import PretrainConfig
from ..registry import check_name

Mode = Literal["full", "lora"]
VocabMode = Literal["new", "extend"]

# What from_dict accepts for each setting (bool is refused where a number is expected).
_NUMBER = (int, float)
_EXPECTED: dict[str, tuple[tuple[type, ...], str]] = {
    "base": ((str,), "a base (hub id, folder or minilm)"),
    "corpus": ((list,), "a list of corpus paths"),
    "size": ((int,), "a whole number"),
    "out": ((str,), "a folder path"),
    "vocab_mode": ((str,), f"one of {', '.join(VOCAB_MODES)}"),
    "other_corpus": ((list, type(None)), "a list of corpus paths or null"),
    "mode": ((str,), f"one of {', '.join(MODES)}"),
    "max_steps": ((int,), "a whole number"),
    "epochs": (_NUMBER, "a number"),
    "batch_size": ((int,), "a whole number"),
    "grad_accum": ((int,), "a whole number"),
    "lr": ((*_NUMBER, type(None)), "a number or null"),
    "max_seq_len": ((int,), "a whole number"),
    "seed": ((int,), "a whole number"),
}


@dataclass
class VocabSettings:
    """Every setting of a vocabulary run (the CLI options, one to one; ``--force`` is not one:
    it is permission to replace ``out``, given to the run, not recorded with its settings).

    ``vocab_mode``: ``extend`` appends the pieces the base lacks (``vocab extend``), ``new``
    replaces the vocabulary (``vocab build``'s default). ``mode``: how the rebuilt base is
    trained, ``full`` or ``lora``. ``mode_option`` is how errors name ``mode``: ``--mode`` for
    ``vocab extend``, ``--train`` for ``vocab build``; it is not a setting, so ``to_dict`` leaves
    it out and equality ignores it.
    """

    base: str
    corpus: list[Path]
    size: int
    out: Path
    vocab_mode: VocabMode = "extend"
    other_corpus: list[Path] | None = None
    mode: Mode = "full"
    max_steps: int = -1
    epochs: float = 5.0
    batch_size: int = 8
    grad_accum: int = 4
    lr: float | None = None
    max_seq_len: int = 128
    seed: int = 42
    mode_option: str = field(default="--mode", repr=False, compare=False)

    def __post_init__(self) -> None:
        self.corpus = [Path(path) for path in self.corpus]
        self.out = Path(self.out)
        # An empty --other-corpus list is no other corpus (as the CLI passes it).
        self.other_corpus = [Path(path) for path in self.other_corpus] if self.other_corpus else None
        if self.vocab_mode not in VOCAB_MODES:
            raise AdapterkitError(
                f"--mode {self.vocab_mode!r}: choose new (replace the vocabulary) or extend (append to it)"
            )
        self.pretrain_config()  # mode, size and every training setting, checked now

    def training(self) -> dict[str, Any]:
        """The training settings passed to ``PretrainConfig`` and recorded in the manifest."""
        return dict(
            max_steps=self.max_steps,
            epochs=self.epochs,
            batch_size=self.batch_size,
            grad_accum=self.grad_accum,
            lr=self.lr,
            seed=self.seed,
        )

    def pretrain_config(self) -> PretrainConfig:
        """The pre-training run on ``out/base``, every option checked before any work."""
        if self.mode not in MODES:
            raise AdapterkitError(f"{self.mode_option} {self.mode!r}: choose full or lora")
        if self.size <= 0:
            raise AdapterkitError(f"--size {self.size}: expected a positive vocabulary size such as 8000")
        config = PretrainConfig(
            corpus=list(self.corpus),
            name=_run_name(self.out),
            base=str(self.out / "base"),
            full=self.mode == "full",
            output=self.out / "model",
            work_dir=self.out / "run",
            max_seq_len=self.max_seq_len,
            **self.training(),
        )
        config.validate()
        return config

    def to_dict(self) -> dict[str, Any]:
        """The settings as JSON values, paths as strings: ``from_dict(to_dict())`` gives them back."""
        values = {item.name: getattr(self, item.name) for item in fields(self) if item.name != "mode_option"}
        values["corpus"] = [str(path) for path in self.corpus]
        values["out"] = str(self.out)
        values["other_corpus"] = None if self.other_corpus is None else [str(path) for path in self.other_corpus]
        return values

    @classmethod
    def from_dict(cls, values: dict[str, Any], source: str = "vocab settings") -> VocabSettings:
        """Settings read back from ``to_dict``'s form; ``source`` names where they came from in errors."""
        if not isinstance(values, dict):
            raise AdapterkitError(f"{source}: expected a table of settings, not {type(values).__name__}")
        unknown = sorted(set(values) - set(_EXPECTED))
        if unknown:
            raise AdapterkitError(f"{source}: unknown setting(s) {', '.join(unknown)}; known: {', '.join(_EXPECTED)}")
        missing = [name for name in ("base", "corpus", "size", "out") if name not in values]
        if missing:
            raise AdapterkitError(f"{source}: missing setting(s) {', '.join(missing)}")
        for name, value in values.items():
            kinds, expected = _EXPECTED[name]
            paths = name in ("corpus", "other_corpus") and isinstance(value, list)
            if (isinstance(value, bool) or not isinstance(value, kinds)) or (
                paths and not all(isinstance(path, str) for path in value)
            ):
                raise AdapterkitError(f"{source}: {name} {value!r}: expected {expected}")
        return cls(**values)


def _run_name(out: Path) -> str:
    try:
        return check_name(out.name)
    except AdapterkitError:
        return "extended-vocab"
