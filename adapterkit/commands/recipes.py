"""`adapterkit run` (a recipe's steps, each an adapterkit command) and `adapterkit recipes list/cp`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

from ..invocation import summarise
from .common import quiet_libraries
from .outputs import writes

# How a recipe runs a step: its command line as typed, returning the exit code (the CLI's main); and
# whether a command line's command has --force. The CLI builds both from its app and passes them in,
# so that neither recipes nor this module import adapterkit.cli.
StepRunner = Callable[[list[str]], int]
ForceCheck = Callable[[list[str]], bool]


def run_command(run_step: StepRunner, accepts_force: ForceCheck) -> Callable[..., None]:
    """The ``run`` command, running each recipe step with ``run_step``."""

    def run(
        recipe: Annotated[str, typer.Argument(help="A recipe file or the name of a shipped one (see: recipes list).")],
        overrides: Annotated[
            list[str] | None,
            typer.Argument(metavar="[KEY=VALUE]...", help="Settings to override, e.g. task.folds=5."),
        ] = None,
        smoke: Annotated[bool, typer.Option("--smoke", help="Apply the recipe's small [smoke] scale first.")] = False,
        force: Annotated[
            bool,
            typer.Option(
                "--force",
                help="Rerun every step, passing --force on to the commands that have it (replaces existing "
                "results of the same names). Without it, existing results not made by this recipe are kept.",
            ),
        ] = False,
        dry_run: Annotated[
            bool,
            typer.Option(
                "--dry-run",
                help="Run nothing: print the steps that would run (command lines, a time and disk estimate of the "
                "training steps), those that would not and why, and check every input (exit code 2 on a problem).",
            ),
        ] = False,
        only: Annotated[
            list[str] | None,
            typer.Option(
                "--only",
                metavar="ID[,ID...]",
                help="Run only these steps: ids as --dry-run prints them, or a foreach step's id for all its copies.",
            ),
        ] = None,
        start: Annotated[
            str | None, typer.Option("--from", metavar="ID", help="Start at this step; the steps before it do not run.")
        ] = None,
        skip: Annotated[
            list[str] | None, typer.Option("--skip", metavar="ID[,ID...]", help="Leave these steps out.")
        ] = None,
    ) -> None:
        """Run a recipe: its steps in order, each an adapterkit command; finished steps are skipped.

        Before the first step runs, every input of every step that will run is checked (files, formats,
        entity types, bases and Hub ids) and all problems are listed at once.
        """
        from ..recipes import run_recipe

        quiet_libraries()
        done = run_recipe(
            recipe,
            overrides or [],
            smoke=smoke,
            force=force,
            dry_run=dry_run,
            run_step=run_step,
            accepts_force=accepts_force,
            only=only,
            start=start,
            skip=skip,
        )
        if dry_run:
            return
        from ..report.recipe import write_recipe_report

        # the report of the whole run, also when every step was skipped
        report_md, report_html = write_recipe_report(done.run_dir, done.recipe, done.plan, done.status)
        steps_dir = done.run_dir / "steps"
        left = sum(1 for step, _ in done.plan if done.status.get(step["id"], "").startswith("not run"))
        ran = (
            f"{len(done.plan) - left} of {len(done.plan)} steps done ({left} not run)"
            if left
            else (f"all {len(done.plan)} steps done")
        )
        print(f"recipe {done.path.stem}: {ran}; records in {steps_dir}; report: {report_md}, {report_html}")
        steps = len(list(steps_dir.glob("*.json")))
        summarise(f"recipe {recipe}: {steps} step(s) recorded as done", done.run_dir / "report.html")

    return run


def recipes_list() -> None:
    """The shipped recipes and what each reproduces."""
    from ..recipe_files import list_recipes

    for name, description in list_recipes():
        print(f"{name:14s} {description}")


@writes(outputs=("destination?",), inputs=("name",))
def recipes_cp(
    name: Annotated[str, typer.Argument(help="Shipped recipe name.")],
    destination: Annotated[Path, typer.Argument(help="File or folder to copy it to.")],
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Copy a shipped recipe to start your own from it."""
    from ..recipe_files import copy_recipe

    print(f"copied to {copy_recipe(name, destination, force)}")
