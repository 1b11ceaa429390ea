"""`adapterkit report` (rewrite a run's report from its records) and `adapterkit analyse` (the study's analyses)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..errors import AdapterkitError
from ..invocation import summarise
from .common import quiet_libraries
from .options import RegistryOption
from .outputs import writes


@writes(outputs=(), inputs=(), neither=("run_dir",))
def report(
    run_dir: Annotated[
        Path, typer.Argument(help="A compare run folder (runs/<id>/) or a recipe run (runs/<recipe>/).")
    ],
    pairs: Annotated[
        str | None,
        typer.Option(
            metavar="all|A:B,C:D",
            help="Compare run: recompute its comparison from the recorded fold results with these pair tests "
            "(no training).",
        ),
    ] = None,
) -> None:
    """(Re)write report.md and a self-contained report.html from a run's recorded results.

    With --pairs, a compare run's comparison.{md,csv,json} are first computed again from its
    recorded fold results (cv/*/cv.json) with the extra pair tests.
    """
    from ..report import report_for_compare
    from ..report.recipe import rewrite_recipe_report

    quiet_libraries()
    if pairs is not None:
        if not (run_dir / "comparison.json").is_file():
            raise AdapterkitError(f"--pairs: {run_dir} has no comparison.json; give a compare run folder (runs/<id>/)")
        from ..jobs.cv import recompare

        recompare(run_dir, pairs)
    if (run_dir / "comparison.json").is_file():
        markdown, html = report_for_compare(run_dir)
    elif (run_dir / "steps").is_dir():
        markdown, html = rewrite_recipe_report(run_dir)
    else:
        raise AdapterkitError(
            f"{run_dir}: neither comparison.json nor steps/; give a folder written by adapterkit compare or run"
        )
    print(f"wrote {markdown} and {html}")
    summarise("report rewritten from the recorded results", html)


@writes(outputs=(), inputs=(), neither=("run_dir", "registry"))
def analyse(
    run_dir: Annotated[Path, typer.Argument(help="A compare run folder (runs/<id>/).")],
    max_entities: Annotated[int, typer.Option(help="NER: embed at most this many gold entities per variant.")] = 1500,
    examples: Annotated[int, typer.Option(help="Classification: explain this many test decisions per variant.")] = 3,
    seed: Annotated[int, typer.Option(help="Seed for the entity sample and t-SNE.")] = 0,
    registry: RegistryOption = None,
) -> None:
    """The study's analyses of a compare run, added to its report.

    NER: t-SNE of last-layer entity embeddings coloured by type and intra-entity cosine similarity
    per type, for every variant's encoder. Classification: gradient x input token importance of a
    few test decisions (needs compare --keep-model). Written to RUN_DIR/analysis/.
    """
    from ..jobs.analyse import run_analyse

    quiet_libraries()
    analysis = run_analyse(run_dir, max_entities=max_entities, examples=examples, registry=registry, seed=seed)
    variants = sorted(set(analysis.get("similarity") or {}) | set(analysis.get("importance") or {}))
    summarise(f"analyses of {len(variants)} variant(s)", run_dir / "report.html")
