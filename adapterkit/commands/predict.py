"""`adapterkit predict` (label new data with a task model) and `adapterkit score` (against gold)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..invocation import summarise
from .common import print_table, quiet_libraries, require_inputs
from .options import FormatOption, OutputFormat, PresetOption, RegistryOption, ScoreFormat, renamed
from .outputs import writes


@renamed(out="output")
@writes(outputs=("output/",), inputs=("inputs", "model"), neither=("registry",))
def predict(
    model: Annotated[str, typer.Argument(help="A task model folder (models/NAME) or a registry task adapter.")],
    inputs: Annotated[
        list[Path],
        typer.Option("--input", metavar="PATH", help="Data to label: .txt notes (file or folder), BRAT, CoNLL, JSONL."),
    ],
    output: Annotated[Path, typer.Option(help="Output folder (outside the input; input files are never replaced).")],
    output_format: Annotated[
        OutputFormat, typer.Option(help="brat: .ann files with exact character offsets.")
    ] = "conll",
    fmt: FormatOption = "auto",
    preset: PresetOption = "auto",
    gold: Annotated[
        bool, typer.Option("--gold", help="Write the input's own tags instead of predictions (checks offsets).")
    ] = False,
    eval_adapters: Annotated[
        str | None, typer.Option(help="Swap in these language adapters under a task adapter (zero-shot).")
    ] = None,
    max_seq_len: Annotated[
        int | None,
        typer.Option(help="Subword tokens per window. Default: the window the model was fine-tuned with."),
    ] = None,
    registry: RegistryOption = None,
) -> None:
    """Label new data with a fine-tuned model; write CoNLL, BRAT .ann (character offsets) or JSONL.

    Text is cut into words and sentences from the text alone: an .ann beside a .txt is never read.
    """
    require_inputs(inputs)  # before torch: a mistyped path costs well under a second
    from ..jobs.predict import run_predict

    quiet_libraries()
    written = run_predict(
        model, inputs, output, output_format, fmt, preset, gold, eval_adapters, registry, max_seq_len=max_seq_len
    )
    counts = {path: _entities_in(path) for path in written}
    for path in list(counts)[:SHOWN_FILES]:
        found = counts[path]
        print(f"wrote {path}" + ("" if found is None else f": {found:,} entit{'y' if found == 1 else 'ies'}"))
    if len(counts) > SHOWN_FILES:
        print(f"... and {len(counts) - SHOWN_FILES:,} more file(s) in {output}")
    entities = [found for found in counts.values() if found is not None]
    if entities and not any(entities):
        print("no entities found in the input (every word labelled O)")
    total = f", {sum(entities):,} entities" if entities else ""
    summarise(f"{len(written):,} {output_format} file(s){total}", output)


SHOWN_FILES = 10  # a labelled archive has thousands of notes: the first files, then a count


def _entities_in(path: Path) -> int | None:
    """The entities in a file predict wrote (its own formats); None for a classification output."""
    import json

    from seqeval.metrics.sequence_labeling import get_entities

    text = path.read_text(encoding="utf-8")
    if path.suffix == ".ann":
        return sum(1 for line in text.splitlines() if line.startswith("T"))
    if path.suffix == ".conll":
        sentences = [[line.rsplit("\t", 1)[-1] for line in block.splitlines()] for block in text.split("\n\n")]
        return sum(len(get_entities(tags)) for tags in sentences if tags)
    records = [json.loads(line) for line in text.splitlines() if line.strip()]
    if records and "tags" not in records[0]:
        return None
    return sum(len(get_entities(record["tags"])) for record in records)


@renamed(json="output")
@writes(outputs=("output",), inputs=("gold", "pred"))
def score(
    gold: Annotated[Path, typer.Option(help="Gold: a folder of BRAT .ann files or a CoNLL file.")],
    pred: Annotated[Path, typer.Option(help="Predictions: a folder of .ann files (same names) or a CoNLL file.")],
    fmt: Annotated[ScoreFormat, typer.Option("--format", help="auto: brat for folders, conll for files.")] = "auto",
    strict: Annotated[
        bool, typer.Option("--strict", help="CoNLL: seqeval strict IOB2 (an I- after O is no entity) over conlleval.")
    ] = False,
    ignore_type: Annotated[
        bool, typer.Option("--ignore-type", help="BRAT: match offsets only (the CANTEMIST-NER convention).")
    ] = False,
    preset: PresetOption = "auto",
    repair: Annotated[
        bool, typer.Option("--repair", help="CoNLL: score malformed tags as O instead of failing.")
    ] = False,
    output: Annotated[
        Path | None, typer.Option("--output", metavar="FILE", help="Also write the scores to this JSON file.")
    ] = None,
) -> None:
    """Entity precision, recall and F1 of predictions against gold (BRAT exact offsets or conlleval)."""
    from rich.table import Table

    from ..readers.scorer import score_paths, table_rows, write_json

    result = score_paths(gold, pred, fmt, strict, ignore_type, preset, repair)
    units = f"{result['documents']} documents" + (f", {result['sentences']} sentences" if "sentences" in result else "")
    table = Table(title=f"{result['scheme']}{' (types ignored)' if ignore_type else ''}: {units}")
    for column in ("type", "precision", "recall", "F1", "true pos.", "predicted", "gold"):
        table.add_column(column, justify="left" if column == "type" else "right")
    for row in table_rows(result):
        table.add_row(*row)
    print_table(table)
    for role, found in (result.get("hygiene") or {}).items():
        if any(found.values()):
            print(
                f"{role}: {found['orphan_i_tags']} orphan I- tags, {found['malformed_to_o']} malformed tags scored as O"
            )
    if output is not None:
        write_json(output, result)
        print(f"wrote {output}")
    micro = result["micro"]
    summarise(
        f"micro F1 {micro['f1']:.4f} (P {micro['precision']:.4f}, R {micro['recall']:.4f}; "
        f"{micro['tp']} of {micro['gold']} gold entities found, {micro['pred']} predicted)",
        output if output is not None else pred,
    )
