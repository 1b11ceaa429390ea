"""`adapterkit corpus clean`: clean corpora exactly as pretrain does and keep the result."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .options import renamed
from .outputs import writes


@renamed(out="output")
@writes(outputs=("output",), inputs=("paths",))
def corpus_clean(
    paths: Annotated[
        list[Path],
        typer.Argument(
            metavar="PATH",
            help="Corpus files (.txt, .txt.gz, .jsonl, .parquet) or folders of them, or hf:NAME[:SPLIT].",
        ),
    ],
    output: Annotated[
        Path,
        typer.Option("--output", metavar="FILE", help="Where the kept lines go (.txt, .txt.gz, .jsonl, .jsonl.gz)."),
    ],
    text_field: Annotated[str, typer.Option(help="Field holding the text in .jsonl files (also written).")] = "text",
    show_changes: Annotated[
        int, typer.Option(metavar="N", min=0, help="Print the first N lines that cleaning changed, before and after.")
    ] = 0,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing --output file.")] = False,
) -> None:
    """Clean corpora exactly as pretrain does and write the kept lines to one file.

    Same reading, cleaning (markup, control characters, whitespace) and de-duplication as
    pretrain --corpus; prints the cleaning report. The file is written whole or not at all, and
    never over an input file. --show-changes N prints N changed lines before (-) and after (+).
    """
    from ..corpus import clean_corpus

    report, changes = clean_corpus(paths, output, text_field, show_changes, force)
    print(f"corpus: {report.summary()}")
    print(f"wrote {report.lines_kept} lines to {output}")
    if show_changes and not changes:
        print("no line was changed by cleaning beyond whitespace")
    elif changes:
        print(f"the first {len(changes)} line(s) changed by cleaning, before (-) and after (+):")
        for change in changes:
            print(change.describe())
