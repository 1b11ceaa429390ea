"""The report of a recipe run, kept importable under its old name: the code is ``report/recipe.py``.

``cli`` and ``recipes`` import ``adapterkit.recipe_report``; they are being moved into the
``commands/`` package in parallel, and will import ``adapterkit.report.recipe`` directly once
that move lands. Then this module goes.
"""

from __future__ import annotations

from .report.recipe import (
    PRIMARY,
    external_rows,
    heldout_rows,
    paper_section,
    per_language_rows,
    recovery_rows,
    rewrite_recipe_report,
    write_recipe_report,
)

__all__ = [
    "PRIMARY",
    "external_rows",
    "heldout_rows",
    "paper_section",
    "per_language_rows",
    "recovery_rows",
    "rewrite_recipe_report",
    "write_recipe_report",
]
