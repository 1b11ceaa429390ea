"""Figures and reports: what a run recorded, written as ``report.md`` and a self-contained ``report.html``.

- ``figures``: the study's plots (matplotlib, Agg canvas, PNG files).
- ``formatting``: how numbers and tables are written (stats' display rule for metrics).
- ``markdown``: markdown to one HTML page (markdown-it-py; raw HTML off, nothing fetched).
- ``document``: a report's sections written as ``report.md`` and ``report.html``.
- ``compare``: the report of a ``compare`` run; ``recipe``: the report of a recipe run
  (``adapterkit run``), not imported here (it reads recipes, which run the CLI).

The names below are the ones other modules and tests import from ``adapterkit.report``.
"""

from __future__ import annotations

from .compare import (
    comparison_from_json,
    gold_counts_table,
    per_fold_table,
    per_fold_type_table,
    per_group_table,
    report_for_compare,
    similarity_table,
)
from .document import Section, report_markdown, write_report
from .figures import (
    importance_figure,
    mean_curve,
    per_type_f1_bars,
    training_curve,
    training_curves,
    tsne_perplexity,
    tsne_plot,
)
from .formatting import markdown_table
from .markdown import html_document, markdown_to_html

__all__ = [
    "Section",
    "comparison_from_json",
    "gold_counts_table",
    "html_document",
    "importance_figure",
    "markdown_table",
    "markdown_to_html",
    "mean_curve",
    "per_fold_table",
    "per_fold_type_table",
    "per_group_table",
    "per_type_f1_bars",
    "report_for_compare",
    "report_markdown",
    "similarity_table",
    "training_curve",
    "training_curves",
    "tsne_perplexity",
    "tsne_plot",
    "write_report",
]
