"""How a report writes numbers and tables: metric values, their headings, plain numbers, pipe tables.

A metric's display rule (proportions in % with 2 decimals, coefficients such as MCC or Pearson as
they are with 3) belongs to ``stats``, which prints the comparison tables; the reports use the very
same functions, so a score reads the same in ``comparison.md`` and in every report table. What the
reports add is defined here once: "–" for a missing value, counts as integers, mean ± sd cells of
per-part scores, numbers as recorded with fixed decimals (perplexities, raw scores), and the
markdown pipe table every report section is made of.
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence

# stats' display rule, not a copy of it (private there; the one place that defines it)
from ..stats import _header, _number, mean_sd

MISSING = "–"  # a value that was not recorded or is undefined (one fold, no gold entity, ...)


def metric_heading(metric: str) -> str:
    """A metric's column heading: ``f1 (%)`` for proportions, ``mcc`` for coefficients (as in stats' tables)."""
    return _header(metric)


def metric_value(value: object, metric: str) -> str:
    """stats' display rule: proportions in % with 2 decimals, coefficients as is with 3; counts as integers."""
    if value is None:
        return MISSING
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return _number(float(value), metric)  # type: ignore[arg-type]  # value: a recorded score (float)


def mean_sd_cell(values: Sequence[float], metric: str) -> str:
    """Mean ± sample sd of ``values`` (``stats.mean_sd``), each in the metric's display rule."""
    mean, sd = mean_sd(values)
    return f"{metric_value(mean, metric)} ± {metric_value(sd, metric)}"


def metric_name(metric: str) -> str:
    """f1 -> F1, mcc -> MCC: a metric's name as a heading or caption starts a sentence."""
    return metric.upper() if len(metric) <= 3 else metric.replace("_", " ").capitalize()


def number(value: float | None, digits: int = 2) -> str:
    """A number as recorded, ``digits`` decimals and thousands separators (perplexities, losses, tokens/s,
    raw scores such as 0.8123 beside a recipe's steps); "–" when not recorded."""
    return MISSING if value is None else f"{value:,.{digits}f}"


def _cell(text: object) -> str:
    """A markdown table cell: pipes escaped, newlines flattened."""
    return str(text).replace("|", "\\|").replace("\n", " ")


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[object]], align: str | None = None) -> str:
    """A pipe table; ``align`` holds one of ``l``/``r`` per column (default: first left, the rest right)."""
    align = align or "l" + "r" * (len(header) - 1)
    rule = ["---:" if a == "r" else "---" for a in align]
    lines = ["| " + " | ".join(_cell(h) for h in header) + " |", "|" + "|".join(rule) + "|"]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


COMMAND_WIDTH = 88  # characters per line of a command in a report (fits the page's code block)


def wrap_command(command: str, width: int = COMMAND_WIDTH) -> str:
    """A shell command on lines of at most ``width`` characters, broken only at the spaces between
    its arguments (shell line continuations, so the text still runs when pasted); an argument
    longer than the width keeps a line of its own, unbroken. Several commands: one per line."""
    lines = []
    for single in command.strip().splitlines():
        try:
            words = [shlex.quote(word) for word in shlex.split(single)]
        except ValueError:  # not shell syntax (an unclosed quote): left as written
            lines.append(single)
            continue
        current = ""
        for word in words:
            if current and len(current) + 1 + len(word) + 2 > width:
                lines.append(current + " \\")
                current = "    " + word
            else:
                current = f"{current} {word}" if current else word
        lines.append(current)
    return "\n".join(lines)
