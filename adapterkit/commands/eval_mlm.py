"""`adapterkit eval-mlm`: held-out MLM perplexity of variants (rows) on corpora (columns)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..errors import AdapterkitError
from ..invocation import summarise
from ..pretrain_config import PretrainConfig  # the held-out split and seed are pretrain's (model-free)
from .common import print_table, quiet_libraries
from .options import RegistryOption, renamed
from .outputs import writes


@renamed(out="output")
@writes(outputs=("output",), inputs=("variants", "corpus", "base"), neither=("registry",))
def eval_mlm(
    variants: Annotated[
        list[str],
        typer.Argument(
            metavar="VARIANT...",
            help="Variants: base, a model folder, a registry adapter, hub:USER/NAME, or an inline stack a+b.",
        ),
    ],
    corpus: Annotated[
        list[Path], typer.Option("--corpus", metavar="PATH", help="Corpus file or folder; repeat for several.")
    ],
    base: Annotated[str | None, typer.Option(help="Base for 'base' (default: the adapters' base).")] = None,
    max_seq_len: Annotated[int, typer.Option(help="Tokens per held-out block (capped at the model limit).")] = 512,
    heldout: Annotated[float, typer.Option(help="Held-out fraction (as in pretrain).")] = PretrainConfig.heldout,
    seed: Annotated[int, typer.Option(help="Split and masking seed (as in pretrain).")] = PretrainConfig.seed,
    batch_size: Annotated[int, typer.Option(help="Blocks per forward pass.")] = 16,
    output: Annotated[
        list[Path] | None, typer.Option(metavar="FILE", help="Also write the table: .csv, .json or .md; repeatable.")
    ] = None,
    registry: RegistryOption = None,
) -> None:
    """Held-out MLM perplexity of model variants (rows) on corpora (columns); best per column marked."""
    from rich.table import Table
    from rich.text import Text

    from ..errors import printable
    from ..jobs.evalmlm import check_outputs, evaluate_matrix, write_outputs
    from ..paths import registry_dir
    from ..registry import Registry

    quiet_libraries()
    check_outputs(output or [])
    if not 0 < heldout < 1:
        raise AdapterkitError(f"--heldout {heldout}: expected a fraction between 0 and 1")
    matrix = evaluate_matrix(
        variants, corpus, Registry(registry_dir(registry)), base, max_seq_len, heldout, seed, batch_size
    )
    table = Table(title="held-out MLM perplexity (lower is better, * best per column)")
    table.add_column("variant")
    for name in matrix.corpora:
        table.add_column(Text(printable(name)), justify="right")
    best = [matrix.best(j) for j in range(len(matrix.corpora))]
    for i, variant in enumerate(matrix.variants):
        cells = [  # rows tied within float32 rounding (a stack and its merge) are all marked
            f"{v:,.2f}" + (" *" if i in matrix.tied_best(j) else "  ") for j, v in enumerate(matrix.perplexity[i])
        ]
        table.add_row(Text(printable(variant)), *cells)
    print_table(table)
    write_outputs(matrix, output or [])
    lowest = ", ".join(
        f"{name}: {matrix.variants[best[j]]} {matrix.perplexity[best[j]][j]:,.2f}"
        for j, name in enumerate(matrix.corpora)
    )
    summarise(f"lowest perplexity {lowest}", ", ".join(str(p) for p in output or []) or "the table above")
