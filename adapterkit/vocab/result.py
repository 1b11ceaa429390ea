"""What a ``vocab`` run produced and how it is recorded: ``Extension`` (the rebuilt base before
training), ``ExtendResult`` (where the results are, the study's figures, the console summary) and
``vocab_manifest``, the ``adapterkit.json`` written beside them (what was added, how it was
initialised, the figures, the settings).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from ..corpus import CleaningReport
from ..jobs.pretrain import PretrainConfig, PretrainResult
from ..manifest import MANIFEST, SCHEMA_VERSION, AdapterManifest
from ..versions import versions


@dataclass
class ExtendResult:
    """Where the extended base and the trained result are, and the study's figures."""

    out: Path
    base_dir: Path  # the extended, initialised, untrained base: a complete model folder
    model_dir: Path  # the trained result: a model folder (full) or a PEFT adapter on base_dir (lora)
    mode: str
    pieces: list[str]  # pieces the base lacked: appended (extend) or initialised in the new vocabulary (new)
    first_new_id: int | None  # extend: the id of the first appended piece; new: None (ids are all new)
    tokens_per_word: dict[str, float]  # on the corpus: before (base) / after (extended)
    perplexity: dict[str, float]  # held-out corpus: base / extended (untrained) / trained
    other_tokens_per_word: dict[str, float] | None = None
    other_perplexity: dict[str, float] | None = None  # the forgetting check, same keys
    manifest: dict = field(default_factory=dict)
    vocab_mode: str = "extend"
    copied: int = 0  # rows taken over from the base unchanged (the whole base vocabulary for extend)

    def summary(self) -> str:
        """A few lines for the console."""
        if self.first_new_id is None:
            what = (
                f"new vocabulary of {self.copied + len(self.pieces)} pieces: {self.copied} copied from the base, "
                f"{len(self.pieces)} initialised from their old sub-pieces"
            )
        else:
            last = self.first_new_id + len(self.pieces) - 1
            what = f"added {len(self.pieces)} pieces (ids {self.first_new_id}..{last})"
        text = [
            what,
            f"tokens per word: {self.tokens_per_word['before']:.3f} -> {self.tokens_per_word['after']:.3f}",
            "held-out perplexity: " + _figures(self.perplexity),
        ]
        if self.other_perplexity is not None and self.other_tokens_per_word is not None:
            text.append(
                f"other corpus: tokens per word {self.other_tokens_per_word['before']:.3f} -> "
                f"{self.other_tokens_per_word['after']:.3f}; perplexity " + _figures(self.other_perplexity)
            )
        text.append(f"saved: rebuilt base {self.base_dir}, trained {self.mode} result {self.model_dir}")
        return "\n".join(text)


def _figures(perplexity: dict[str, float]) -> str:
    return ", ".join(f"{name} {value:,.2f}" for name, value in perplexity.items())


@dataclass
class Extension:
    """What extending the base produced, before training."""

    tokenizer: object  # the extended (or new) tokenizer, as saved in out/base
    sources: dict[str, list[int]]  # each piece the base lacked: its old segmentation
    copied: list[str]  # pieces whose rows were taken over from the base (new mode; extend: all old ones)
    head_is_new: bool
    base_fingerprint: str
    extended_fingerprint: str
    perplexity_base: float  # held-out corpus, base model and tokenizer
    other_perplexity: dict[str, float] | None  # base / extended, before training


def vocab_manifest(
    result: ExtendResult,
    base: str,
    extension: Extension,
    cleaning: CleaningReport,
    other_corpus: list[Path] | None,
    size: int,
    trained: PretrainResult,
    settings: dict,
    config: PretrainConfig,
) -> dict:
    """``out/adapterkit.json``: what was added, how it was initialised, the figures, the settings."""
    training = AdapterManifest.of(trained.manifest, trained.destination / MANIFEST).training
    assert training is not None  # run_pretrain records its training curve
    return {
        "schema_version": SCHEMA_VERSION,
        "kind": "vocabulary-extension" if result.vocab_mode == "extend" else "new-vocabulary",
        "base": {
            "id": base,
            "fingerprint": extension.base_fingerprint,
            "mlm_head": "new" if extension.head_is_new else "pretrained",
        },
        "extended_base": {"path": str(result.base_dir), "fingerprint": extension.extended_fingerprint},
        "result": {"path": str(result.model_dir), "mode": result.mode},
        "vocabulary": {
            "mode": result.vocab_mode,
            "size": size,
            "added": len(result.pieces),
            "first_new_id": result.first_new_id,
            "vocab_size": len(extension.tokenizer),
            "copied": result.copied,
            "initialised": len(result.pieces),
            "pieces": result.pieces,
            "initialisation": "mean of the base embedding rows (and output biases) of each piece's old segmentation"
            + ("; pieces the base had (special tokens included): rows copied" if result.vocab_mode == "new" else ""),
            "old_segmentation": extension.sources,
        },
        "corpus": {
            "files": [record.to_dict() for record in cleaning.files],
            "tokens_per_word": result.tokens_per_word,
        },
        "perplexity": result.perplexity,
        "other_corpus": None
        if other_corpus is None
        else {
            "files": [str(path) for path in other_corpus],
            "tokens_per_word": result.other_tokens_per_word,
            "perplexity": result.other_perplexity,
        },
        "settings": {
            "mode": result.mode,
            **settings,
            "learning_rate": config.learning_rate,
            "max_seq_len": config.max_seq_len,
            "heldout_fraction": config.heldout,
        },
        "training": training.to_dict(),
        "versions": versions(),
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }
