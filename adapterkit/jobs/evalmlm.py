"""Held-out MLM perplexity of model variants on corpora: the cross-lingual matrix.

A variant is ``base`` (the base encoder), a full model folder or Hub model id, a registry adapter
(single or composed), or an inline stack ``a+b`` of registry adapters (composed exactly on the fly):
read and loaded by ``variants.py``, as for every command.
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
from dataclasses import dataclass, field
from pathlib import Path

from ..corpus import prepare
from ..errors import AdapterkitError, printable
from ..factors import HEAD_RULE
from ..mlm import MLMCollator, heldout_perplexity
from ..models import load_config, load_tokenizer, max_length
from ..registry import Registry
from ..safety import atomic_write_text, check_destination_file
from ..variants import Loaded, adapter_parts, base_for, load_mlm, parse_variant

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
    specs = [parse_variant(spec, store) for spec in variants]  # a typo: before any base or corpus is loaded
    for spec in specs:  # every adapter found, checked (sha256) and pulled (hub:) before any work
        if spec.kind == "adapters":
            adapter_parts(spec, store)
    resolved_base = base_for(specs, store, base)
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
    for spec in specs:
        variant = load_mlm(spec, store, resolved_base)
        model = variant.model
        loaded[spec.text] = Loaded(None, variant.exact_composition, variant.heads)  # the note, not the weights
        row = []
        for column, dataset in enumerate(heldout_sets):
            ppl, masked[column] = heldout_perplexity(model, dataset, collator, batch_size)
            row.append(ppl)
        table.append(row)
        line = f"{spec.text}: " + ", ".join(f"{c.stem} {p:,.2f}" for c, p in zip(corpora, row, strict=True))
        print(printable(line), flush=True)
    notes = composition_notes(loaded)
    for note in notes:
        print(printable(note), flush=True)
    return Matrix(variants, [corpus.stem for corpus in corpora], table, masked, notes)


def check_outputs(outputs: list[Path]) -> None:
    """Every --output is checked before any work: its kind, and that a file can be written there."""
    for path in outputs:
        if path.suffix not in OUTPUT_SUFFIXES:
            raise AdapterkitError(f"--output {path}: use a .csv, .json or .md file name")
        check_destination_file(path, "--output")


def write_outputs(matrix: Matrix, outputs: list[Path]) -> None:
    check_outputs(outputs)
    for path in outputs:
        text = {".csv": matrix.to_csv, ".json": matrix.to_json, ".md": matrix.to_markdown}[path.suffix]()
        atomic_write_text(path, text)
