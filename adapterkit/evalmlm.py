"""Held-out MLM perplexity of model variants on corpora: the cross-lingual matrix.

A variant is ``base`` (the base encoder), a full model folder, a registry adapter (single or
composed), or an inline stack ``a+b`` of registry adapters (composed exactly on the fly).
Each corpus is cleaned and split exactly as ``adapterkit pretrain`` does (same ``--heldout``
and ``--seed`` defaults), so the held-out lines of a corpus an adapter was trained on are the
lines it never saw. Masks depend only on the text (see ``mlm.MLMCollator``): every variant is
scored on the same masked positions.

Compositions get a note under the matrix: exact ones (stack, merge, inline ``a+b``) are the same
model and agree to float32 rounding only; one whose parts trained their MLM head transform
(``modules_to_save``) uses the weighted mean of those heads (``factors.HEAD_RULE``), and says so.
"""

from __future__ import annotations

import csv
import io
import json
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from peft import PeftModel

from .compose import Part, load_parts, parse_variant, resolve_adapter, write_adapter
from .corpus import prepare
from .errors import AdapterkitError, printable
from .factors import HEAD_RULE, compose_factors, extract_factors
from .hub import HUB_PREFIX
from .manifest import check_tensors, peft_loading
from .mlm import MLMCollator, heldout_perplexity
from .models import (
    DEFAULT_BASE,
    Base,
    base_of,
    fingerprint,
    load_config,
    load_masked_lm,
    load_tokenizer,
    max_length,
    resolve_base,
)
from .registry import MANIFEST, Registry
from .safety import atomic_write_text, check_destination_file

OUTPUT_SUFFIXES = (".csv", ".json", ".md")
TIE = 1e-5  # relative: perplexities this close are the same model up to float32 rounding


@dataclass
class Matrix:
    variants: list[str]
    corpora: list[str]
    perplexity: list[list[float]]  # [variant][corpus]
    masked_tokens: list[int]  # per corpus
    notes: list[str] = field(default_factory=list)  # what a reader must know about some rows

    def tied_best(self, column: int) -> list[int]:
        """The rows within float32 rounding (TIE, relative) of the lowest perplexity of the column.

        Why: a stack and its merge are the same model whose perplexities differ by ~1e-7 relative;
        a strict minimum would crown one of them by rounding noise.
        """
        values = [self.perplexity[row][column] for row in range(len(self.variants))]
        lowest = min(values)
        return [row for row, value in enumerate(values) if value <= lowest * (1 + TIE)]

    def best(self, column: int) -> int:
        """The first listed of the tied best rows."""
        return self.tied_best(column)[0]

    def to_json(self) -> str:
        rows = [
            {"variant": v, **{c: self.perplexity[i][j] for j, c in enumerate(self.corpora)}}
            for i, v in enumerate(self.variants)
        ]
        best = {c: self.variants[self.best(j)] for j, c in enumerate(self.corpora)}
        masked = dict(zip(self.corpora, self.masked_tokens, strict=True))
        result = {"perplexity": rows, "best": best, "masked_tokens": masked, "notes": self.notes}
        return json.dumps(result, indent=2, ensure_ascii=False) + "\n"

    def to_csv(self) -> str:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(["variant", *self.corpora])
        for i, variant in enumerate(self.variants):
            writer.writerow([variant, *(f"{value:.4f}" for value in self.perplexity[i])])
        return buffer.getvalue()

    def to_markdown(self) -> str:
        lines = [
            "| variant | " + " | ".join(self.corpora) + " |",
            "|---|" + "---:|" * len(self.corpora),
        ]
        best = [self.tied_best(j) for j in range(len(self.corpora))]
        for i, variant in enumerate(self.variants):
            cells = [f"**{v:,.2f}**" if i in best[j] else f"{v:,.2f}" for j, v in enumerate(self.perplexity[i])]
            lines.append(f"| {variant} | " + " | ".join(cells) + " |")
        lines.append("")
        lines.append(
            "Held-out MLM perplexity (lower is better; best per column in bold, "
            f"every row within {TIE:g} relative of it: float32 rounding)."
        )
        lines += [f"\n{note}" for note in self.notes]
        return "\n".join(lines) + "\n"


@dataclass
class Loaded:
    """A variant's model, and what its row means when it is a composition."""

    model: object
    exact_composition: bool = False
    heads: list[str] | None = None  # head modules composed by HEAD_RULE


def _composition_of(folder: Path) -> dict | None:
    manifest = folder / MANIFEST
    if not manifest.is_file():
        return None
    try:
        return json.loads(manifest.read_text(encoding="utf-8")).get("composition")
    except (OSError, ValueError, AttributeError):  # not adapterkit's manifest: a plain model, no note
        return None


def _composed_heads(composition: dict, folder: Path) -> list[str] | None:
    """The head modules a saved composition took the mean of (older manifests: from its PEFT config)."""
    if composition.get("heads"):
        return list(composition["heads"]["modules"])
    config = folder / "adapter_config.json"
    if config.is_file():
        return json.loads(config.read_text(encoding="utf-8")).get("modules_to_save") or None
    return None


def _load_variant(spec: str, store: Registry, base: Base) -> Loaded:
    """The model of one variant, ready for ``heldout_perplexity``."""
    kind, what = parse_variant(spec, store)
    if kind == "base":
        return Loaded(load_masked_lm(base)[0])
    if kind == "model":
        model = load_masked_lm(resolve_base(str(what)))[0]
        composition = _composition_of(Path(str(what)))
        if composition is None:
            return Loaded(model)
        return Loaded(model, bool(composition.get("exact")), _composed_heads(composition, Path(str(what))))
    if len(what) == 1:  # a registry adapter, single or composed: evaluate the saved folder itself
        part = what[0]
        model, _ = load_masked_lm(base_of(part.manifest))
        if fingerprint(model) != part.fingerprint:
            raise AdapterkitError(f"variant {spec}: it was trained on another base than {base.name}")
        check_tensors(part.path, model)  # tensors that do not fit: one line, not PEFT's traceback
        with peft_loading(part.path):
            loaded = PeftModel.from_pretrained(model, part.path)
        composition = part.manifest.get("composition")
        if not isinstance(composition, dict):
            return Loaded(loaded)
        return Loaded(loaded, bool(composition.get("exact")), _composed_heads(composition, part.path))
    parts: list[Part] = what
    peft_model = load_parts(parts)  # an inline stack a+b: compose it exactly, load it as PEFT would
    composed, heads = compose_factors(extract_factors(peft_model), [1.0] * len(parts), "stack")
    model = peft_model.unload()
    with tempfile.TemporaryDirectory() as folder:
        write_adapter(Path(folder), composed, heads, "inline")
        return Loaded(PeftModel.from_pretrained(model, folder), True, sorted(heads) or None)


def composition_notes(loaded: dict[str, Loaded]) -> list[str]:
    """The notes under the matrix: how its composed rows relate, and which head they use."""
    notes = []
    exact = [spec for spec, variant in loaded.items() if variant.exact_composition]
    if exact:
        notes.append(
            f"Exact compositions ({', '.join(exact)}): the stack and the merge of the same parts and weights "
            "are the same model; their perplexities agree to float32 rounding (about 1e-6 relative: the merge "
            "computes (W + BA)x, the stack Wx + B(Ax)), which can show in the last printed digit."
        )
    for spec, variant in loaded.items():
        if variant.heads:
            notes.append(
                f"{spec}: its parts trained their own MLM head ({', '.join(variant.heads)}); trained heads are "
                f"not LoRA updates and have no sum, so it uses the {HEAD_RULE}."
            )
    return notes


def _base_for(variants: list[str], store: Registry, base: str | None) -> Base:
    """``--base``, else the base of the first adapter among the variants, else mBERT."""
    if base is not None:
        return resolve_base(base)
    for spec in variants:
        for name in (spec, *spec.split("+")):
            if (
                name.startswith(HUB_PREFIX)
                or (store.root / name / MANIFEST).is_file()
                or (Path(name) / "adapter_config.json").is_file()
            ):
                return base_of(resolve_adapter(name, store).manifest)
    return resolve_base(DEFAULT_BASE)


def evaluate_matrix(
    variants: list[str],
    corpora: list[Path],
    store: Registry,
    base: str | None = None,
    max_seq_len: int = 512,
    heldout: float = 0.05,
    seed: int = 42,
    batch_size: int = 16,
) -> Matrix:
    """Perplexity of every variant on the held-out split of every corpus."""
    if not variants:
        raise AdapterkitError("no variant given: name some, e.g. base nl-clin ro-bio nl-clin+ro-bio")
    if not corpora:
        raise AdapterkitError("no corpus given: add --corpus PATH (repeat for several)")
    if batch_size <= 0:
        raise AdapterkitError(f"--batch-size {batch_size}: expected a positive number of blocks")
    if max_seq_len < 8:
        raise AdapterkitError(f"--max-seq-len {max_seq_len}: expected at least 8 tokens")
    for spec in variants:  # a typo is reported before any base or corpus is loaded
        parse_variant(spec, store)
    resolved_base = _base_for(variants, store, base)
    tokenizer = load_tokenizer(resolved_base)
    length = min(max_seq_len, max_length(load_config(resolved_base)))
    heldout_sets = []
    for corpus in corpora:
        data, _ = prepare([corpus], tokenizer, length, heldout_fraction=heldout, seed=seed)
        heldout_sets.append(data["heldout"].remove_columns("length"))
    collator = MLMCollator(tokenizer, seed=seed)
    table: list[list[float]] = []
    masked: list[int] = [0] * len(corpora)
    loaded: dict[str, Loaded] = {}
    for spec in variants:
        variant = _load_variant(spec, store, resolved_base)
        model = variant.model
        loaded[spec] = Loaded(None, variant.exact_composition, variant.heads)  # the note, not the weights
        row = []
        for column, dataset in enumerate(heldout_sets):
            ppl, masked[column] = heldout_perplexity(model, dataset, collator, batch_size)
            row.append(ppl)
        table.append(row)
        line = f"{spec}: " + ", ".join(f"{c.stem} {p:,.2f}" for c, p in zip(corpora, row, strict=True))
        print(printable(line), flush=True)
    notes = composition_notes(loaded)
    for note in notes:
        print(printable(note), flush=True)
    return Matrix(variants, [corpus.stem for corpus in corpora], table, masked, notes)


def check_outputs(outputs: list[Path]) -> None:
    """Every --out is checked before any work: its kind, and that a file can be written there."""
    for path in outputs:
        if path.suffix not in OUTPUT_SUFFIXES:
            raise AdapterkitError(f"--out {path}: use a .csv, .json or .md file name")
        check_destination_file(path, "--out")


def write_outputs(matrix: Matrix, outputs: list[Path]) -> None:
    check_outputs(outputs)
    for path in outputs:
        text = {".csv": matrix.to_csv, ".json": matrix.to_json, ".md": matrix.to_markdown}[path.suffix]()
        atomic_write_text(path, text)
