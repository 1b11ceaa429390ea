"""Figures and documents: the study's plots and a markdown + self-contained HTML report of a run.

Figures are drawn with matplotlib's object API on the Agg canvas (no pyplot, no display, no
global state), so they can be made from worker processes and tests. A report is written twice
from one markdown text: ``report.md`` links the images by relative path (readable on GitHub or
next to the run), ``report.html`` embeds them as base64 data URIs so the single file can be
mailed or archived. The markdown-to-HTML step is a small built-in converter (headings,
paragraphs, lists, code blocks, pipe tables, images, bold/code/links) that escapes all text:
the output is the same on every machine and never passes raw HTML through.

``report_for_compare`` builds the report of a ``compare`` run only from what the run recorded
(``comparison.json``, ``cv/*/cv.json``, ``command.txt``): no number in it is computed anew
except formatting.
"""

from __future__ import annotations

import base64
import html
import json
import math
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .errors import AdapterkitError
from .metrics import COEFFICIENT_METRICS
from .paths import folder_name  # the folder name compare gave each variant
from .stats import Comparison, PairedTest, Summary

DPI = 120


# --- figures -------------------------------------------------------------------------------------


def _new_figure(width: float, height: float):
    """A matplotlib Figure on an Agg canvas; matplotlib is imported here so the rest works without it."""
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        raise AdapterkitError("figures need matplotlib, which is not installed: pip install matplotlib") from None
    figure = Figure(figsize=(width, height), dpi=DPI)
    FigureCanvasAgg(figure)
    return figure


def _save(figure, path: Path | str) -> Path:
    import io

    from .safety import atomic_write_bytes

    path = Path(path)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    atomic_write_bytes(path, buffer.getvalue())  # a full disk leaves the old figure, never half a PNG
    return path


def _colours(count: int) -> list:
    """Distinct colours from a qualitative colormap (tab10, tab20 beyond ten)."""
    from matplotlib import colormaps

    cmap = colormaps["tab10" if count <= 10 else "tab20"]
    return [cmap(i % cmap.N) for i in range(count)]


def _series(log_history: Sequence[dict], key: str) -> tuple[list[float], list[float]]:
    points = [(entry["step"], entry[key]) for entry in log_history if key in entry and "step" in entry]
    return [float(s) for s, _ in points], [float(v) for _, v in points]


def training_curve(log_history: Sequence[dict], path: Path | str, name: str | None = None) -> Path:
    """Training (and evaluation) loss against the step, from a ``Trainer.state.log_history``.

    A second panel shows the perplexity when the history has one: a ``perplexity`` or
    ``eval_perplexity`` key as logged, else exp(``eval_loss``) (the MLM perplexity is the
    exponential of the mean masked-token loss). Two perplexities only (before and after
    training, as pre-training records them) are two bars: a line between them would suggest a
    trend that was never measured. ``name`` goes into the titles. A run too short to log a loss
    (fewer steps than ``--logging-steps``) gets the perplexity panel alone.
    """
    from matplotlib.ticker import MaxNLocator

    train_steps, train_loss = _series(log_history, "loss")
    eval_steps, eval_loss = _series(log_history, "eval_loss")
    ppl_steps, perplexity = _series(log_history, "perplexity")
    if not perplexity:
        ppl_steps, perplexity = _series(log_history, "eval_perplexity")
    if not perplexity and eval_loss:
        ppl_steps, perplexity = eval_steps, [math.exp(v) for v in eval_loss]
    has_loss = bool(train_loss or eval_loss)
    if not has_loss and not perplexity:
        raise AdapterkitError(
            "training_curve: the log history has no 'loss', 'eval_loss' or 'perplexity' entry with a 'step'"
        )
    panels = int(has_loss) + int(bool(perplexity))
    figure = _new_figure(5.0 * panels, 3.6)
    axes = figure.subplots(1, panels, squeeze=False)[0]
    of = f" of {name}" if name else ""
    if has_loss:
        if train_loss:
            axes[0].plot(train_steps, train_loss, label="training loss")
        if eval_loss:
            axes[0].plot(eval_steps, eval_loss, marker="o", label="evaluation loss")
        axes[0].set(xlabel="optimisation step", ylabel="loss (masked-token cross-entropy)", title=f"Training loss{of}")
        axes[0].xaxis.set_major_locator(MaxNLocator(integer=True))  # steps are whole numbers
        axes[0].legend()
    if perplexity:
        ppl_axes = axes[-1]  # the last panel (the only one when no loss was logged)
        wide = min(perplexity) > 0 and max(perplexity) / min(perplexity) > 10  # early MLM perplexity is huge
        scale = "log" if wide else "linear"
        if len(perplexity) == 2:
            labels = [f"before training\n(step {ppl_steps[0]:.0f})", f"after training\n(step {ppl_steps[1]:.0f})"]
            bars = ppl_axes.bar(labels, perplexity, color=["tab:grey", "tab:green"], width=0.5)
            ppl_axes.bar_label(bars, labels=[f"{value:,.1f}" for value in perplexity])
            ppl_axes.set(ylabel="perplexity" + (" (log scale)" if wide else ""), yscale=scale)
            ppl_axes.set_ylim(top=max(perplexity) * (3.0 if wide else 1.15))  # room for the value above the bar
            ppl_axes.set_title(f"Held-out perplexity{of}, before and after", fontsize="medium")
        else:
            ppl_axes.plot(ppl_steps, perplexity, marker="o", color="tab:green")
            ppl_axes.set(
                xlabel="optimisation step", ylabel="perplexity", yscale=scale, title=f"Held-out perplexity{of}"
            )
            ppl_axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    return _save(figure, path)


def mean_curve(histories: Sequence[Sequence[dict]], key: str = "loss") -> tuple[list[float], list[float]]:
    """Mean of ``key`` over several log histories (folds) at the steps all of them logged.

    Folds of one run differ a little in size, so their logged steps may differ at the end; where
    no step is common to all, the first history is returned as it is.
    """
    series = [dict(zip(*_series(history, key), strict=True)) for history in histories]
    series = [points for points in series if points]
    if not series:
        return [], []
    common = sorted(set.intersection(*(set(points) for points in series)))
    if not common:
        steps = sorted(series[0])
        return steps, [series[0][step] for step in steps]
    return common, [float(np.mean([points[step] for points in series])) for step in common]


def training_curves(curves: dict[str, tuple[list[float], list[float]]], path: Path | str, title: str) -> Path:
    """One training-loss line per variant (each already a mean over folds, see ``mean_curve``)."""
    drawn = {label: curve for label, curve in curves.items() if curve[0]}
    if not drawn:
        raise AdapterkitError("training_curves: no variant has a logged training loss")
    figure = _new_figure(6.0, 3.8)
    axes = figure.subplots()
    for (label, (steps, values)), colour in zip(drawn.items(), _colours(len(drawn)), strict=True):
        axes.plot(steps, values, label=label, color=colour, marker="o" if len(steps) < 8 else None)
    from matplotlib.ticker import MaxNLocator

    axes.set(xlabel="optimisation step", ylabel="training loss", title=title)
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))  # steps are whole numbers
    axes.legend(fontsize="small")
    return _save(figure, path)


def _error_bars(summary: dict | None, scale: float) -> tuple[float, float, float, bool]:
    """(height, lower error, upper error, is_ci): the 95 % CI when recorded, else the sd over folds."""
    if not summary or summary.get("mean") is None:
        return math.nan, 0.0, 0.0, False
    mean = summary["mean"] * scale
    if summary.get("ci_low") is not None and summary.get("ci_high") is not None:
        return mean, mean - summary["ci_low"] * scale, summary["ci_high"] * scale - mean, True
    sd = (summary.get("sd") or 0.0) * scale
    return mean, sd, sd, False


def per_type_f1_bars(comparison_json: dict, path: Path | str) -> Path:
    """Grouped bars: per entity type, one bar per variant (mean over folds) with error bars.

    Error bars are the sample sd over folds, or the 95 % CI where a per-type entry records
    ``ci_low``/``ci_high``; the axis label says which, and names the comparison's ``ci_method``
    (the percentile bootstrap for files written before it was recorded). Proportions are in %.
    """
    per_type = comparison_json.get("per_type") or {}
    if not per_type:
        raise AdapterkitError("per_type_f1_bars: the comparison has no per-type scores (not a NER comparison?)")
    variants = [v for v in comparison_json.get("variants", per_type) if v in per_type]
    kinds = sorted({kind for by_type in per_type.values() for kind in by_type})
    metric = comparison_json.get("per_type_metric") or "f1"
    scale = 1.0 if metric in COEFFICIENT_METRICS else 100.0
    figure = _new_figure(max(5.0, 1.1 * len(kinds) * max(1, len(variants)) / 2 + 2), 3.8)
    axes = figure.subplots()
    width = 0.8 / len(variants)
    positions = np.arange(len(kinds))
    any_ci = False
    for index, (variant, colour) in enumerate(zip(variants, _colours(len(variants)), strict=True)):
        bars = [_error_bars(per_type[variant].get(kind), scale) for kind in kinds]
        any_ci = any_ci or any(is_ci for *_, is_ci in bars)
        errors = np.array([[low for _, low, _, _ in bars], [high for _, _, high, _ in bars]])
        axes.bar(
            positions + (index - (len(variants) - 1) / 2) * width,
            [height for height, *_ in bars],
            width,
            yerr=errors,
            capsize=3,
            label=variant,
            color=colour,
        )
    unit = "" if scale == 1.0 else " (%)"
    method = comparison_json.get("ci_method", "percentile bootstrap")
    spread = f"95 % CI ({'t-interval' if method == 't' else method})" if any_ci else "sd over folds"
    title = f"{_metric_name(metric)} per entity type, mean over folds"
    axes.set(xticks=positions, ylabel=f"{metric}{unit}, mean ± {spread}", title=title)
    axes.set_xticklabels(kinds)
    axes.legend(fontsize="small")
    return _save(figure, path)


def _metric_name(metric: str) -> str:
    """f1 -> F1, mcc -> MCC: a metric's name as a heading or caption starts a sentence."""
    return metric.upper() if len(metric) <= 3 else metric.replace("_", " ").capitalize()


def tsne_perplexity(n: int) -> float:
    """t-SNE perplexity for ``n`` points: sklearn's default 30, lowered for small sets (it must stay below n)."""
    return float(min(30.0, max(1.0, (n - 1) / 3)))


def tsne_plot(
    embeddings: np.ndarray, types: Sequence[str], path: Path | str, seed: int = 0, name: str | None = None
) -> Path:
    """2-D t-SNE (scikit-learn, PCA initialisation, seeded) of entity embeddings, coloured by type."""
    from sklearn.manifold import TSNE

    embeddings = np.asarray(embeddings, dtype=np.float64)
    if len(embeddings) != len(types):
        raise AdapterkitError(f"tsne_plot: {len(types)} types for {len(embeddings)} embeddings")
    if len(embeddings) < 3:
        raise AdapterkitError(f"tsne_plot: {len(embeddings)} points; t-SNE needs at least 3")
    points = TSNE(
        n_components=2, perplexity=tsne_perplexity(len(embeddings)), init="pca", random_state=seed
    ).fit_transform(embeddings)
    labels = np.asarray(list(types), dtype=object)
    kinds = sorted(set(types))
    figure = _new_figure(5.5, 4.5)
    axes = figure.subplots()
    for kind, colour in zip(kinds, _colours(len(kinds)), strict=True):
        chosen = points[labels == kind]
        axes.scatter(chosen[:, 0], chosen[:, 1], s=12, color=colour, label=f"{kind} ({len(chosen)})")
    axes.set(title="t-SNE of gold entity embeddings" + (f": {name}" if name else ""), xticks=[], yticks=[])
    axes.legend(fontsize="small", markerscale=1.5)
    return _save(figure, path)


def importance_figure(tokens_scores: Sequence[tuple[str, float]], path: Path | str, title: str | None = None) -> Path:
    """Horizontal bars of token attributions, in text order from the top; red raises the logit, blue lowers it."""
    if not tokens_scores:
        raise AdapterkitError("importance_figure: no tokens to draw")
    tokens = [token for token, _ in tokens_scores]
    scores = [float(score) for _, score in tokens_scores]
    figure = _new_figure(5.5, max(2.0, 0.25 * len(tokens) + 1.0))
    axes = figure.subplots()
    axes.barh(range(len(tokens)), scores, color=["tab:red" if s >= 0 else "tab:blue" for s in scores])
    axes.set_yticks(range(len(tokens)))
    axes.set_yticklabels(tokens, fontsize="small")
    axes.invert_yaxis()
    axes.axvline(0.0, color="black", linewidth=0.8)
    axes.set(xlabel="gradient × input", title=title or "Token importance")
    return _save(figure, path)


# --- tables --------------------------------------------------------------------------------------


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


def similarity_table(similarities: dict[str, dict[str, float]], digits: int = 2) -> str:
    """Markdown table of ``intra_entity_similarity`` per variant: types as rows, variants as columns.

    The highest similarity of each row is bold (tighter clusters of one type: the study's reading).
    """
    variants = list(similarities)
    kinds = sorted({kind for by_type in similarities.values() for kind in by_type})
    rows = []
    for kind in kinds:
        values = [similarities[v].get(kind) for v in variants]
        top = max((v for v in values if v is not None), default=None)
        cells = [
            "–" if v is None else (f"**{v:.{digits}f}**" if v == top and len(variants) > 1 else f"{v:.{digits}f}")
            for v in values
        ]
        rows.append([kind, *cells])
    return markdown_table(["type", *variants], rows)


# --- documents -----------------------------------------------------------------------------------


@dataclass
class Section:
    """One part of a report: a heading, markdown text, markdown tables, figure files (PNG)."""

    heading: str
    text: str = ""
    tables: list[str] = field(default_factory=list)
    figures: list[Path] = field(default_factory=list)
    captions: list[str] = field(default_factory=list)  # one per figure, in words (else from the file name)

    def caption(self, index: int) -> str:
        if index < len(self.captions) and self.captions[index]:
            return self.captions[index]
        return re.sub(r"[-_]+", " ", Path(self.figures[index]).stem).strip().capitalize()


def _relative(path: Path, start: Path) -> str:
    return Path(os.path.relpath(Path(path).resolve(), start.resolve())).as_posix()


def report_markdown(run_dir: Path, title: str, sections: Sequence[Section]) -> str:
    """The markdown text of a report; figures linked relative to ``run_dir``."""
    parts = [f"# {title}"]
    for section in sections:
        parts.append(f"## {section.heading}")
        if section.text.strip():
            parts.append(section.text.strip())
        parts += [table.strip() for table in section.tables if table.strip()]
        for index, figure in enumerate(section.figures):
            caption = section.caption(index).replace("]", ")").replace("[", "(").replace("\n", " ")
            parts.append(f"![{caption}]({_relative(Path(figure), run_dir)})")
    return "\n\n".join(parts) + "\n"


_MIME = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".svg": "image/svg+xml"}


def _data_uri_resolver(run_dir: Path) -> Callable[[str], str | None]:
    """Image source -> data URI for local image files under the report; None for anything else."""

    def resolve(source: str) -> str | None:
        if re.match(r"^[a-z][a-z0-9+.-]*:", source, re.IGNORECASE):  # http:, data:, file:, javascript: ...
            return None
        file = (run_dir / source).resolve()
        mime = _MIME.get(file.suffix.lower())
        if mime is None or not file.is_file():
            return None
        return f"data:{mime};base64," + base64.b64encode(file.read_bytes()).decode("ascii")

    return resolve


def _safe_href(target: str) -> bool:
    """Links may go to http(s) pages or relative paths; no other scheme (javascript:, data:, file:)."""
    return bool(re.match(r"^(https?://|[^:]*$)", target, re.IGNORECASE))


_INLINE = re.compile(r"`([^`]+)`|\*\*(.+?)\*\*|\[([^\]]+)\]\(([^)\s]+)\)")


def _inline(text: str) -> str:
    """Escaped text with `code`, **bold** and [links](url) (http(s) or relative targets only)."""
    out, last = [], 0
    for match in _INLINE.finditer(text):
        out.append(html.escape(text[last : match.start()]))
        code, bold, label, target = match.groups()
        if code is not None:
            out.append(f"<code>{html.escape(code)}</code>")
        elif bold is not None:
            out.append(f"<strong>{_inline(bold)}</strong>")
        elif _safe_href(target):
            out.append(f'<a href="{html.escape(target)}">{_inline(label)}</a>')
        else:
            out.append(html.escape(match.group(0)))
        last = match.end()
    out.append(html.escape(text[last:]))
    return "".join(out)


_RULE = re.compile(r"^\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")
_IMAGE = re.compile(r"^!\[([^\]]*)\]\(([^)\s]+)\)\s*$")
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_ITEM = re.compile(r"^[-*]\s+(.*)$")


def _split_row(line: str) -> list[str]:
    line = line.strip()
    line = line[1:] if line.startswith("|") else line
    line = line[:-1] if line.endswith("|") and not line.endswith("\\|") else line
    return [cell.strip().replace("\\|", "|") for cell in re.split(r"(?<!\\)\|", line)]


def _table_html(lines: list[str]) -> str:
    header, rule, body = _split_row(lines[0]), _split_row(lines[1]), [_split_row(line) for line in lines[2:]]
    align = ["right" if r.endswith(":") and not r.startswith(":") else "left" for r in rule]
    align = (align + ["left"] * len(header))[: len(header)]

    def row(cells: list[str], tag: str) -> str:
        cells = (cells + [""] * len(header))[: len(header)]
        return (
            "<tr>"
            + "".join(f'<{tag} class="{a}">{_inline(c)}</{tag}>' for c, a in zip(cells, align, strict=True))
            + "</tr>"
        )

    rows = "\n".join(row(cells, "td") for cells in body)
    return f"<table>\n<thead>{row(header, 'th')}</thead>\n<tbody>\n{rows}\n</tbody>\n</table>"


def _image_html(alt: str, source: str, resolve: Callable[[str], str | None]) -> str:
    uri = resolve(source)
    if uri is None:  # never load anything from outside the file: keep a link instead
        link = html.escape(source)
        target = f'<a href="{link}">{link}</a>' if _safe_href(source) else link
        return f'<p class="missing">[image: {html.escape(alt)} — {target}]</p>'
    return f'<figure><img src="{uri}" alt="{html.escape(alt)}"><figcaption>{html.escape(alt)}</figcaption></figure>'


def markdown_to_html(text: str, resolve_image: Callable[[str], str | None] = lambda source: None) -> str:
    """HTML body of simple markdown: headings, paragraphs, lists, fenced code, pipe tables, images.

    All text is escaped; raw HTML in the input shows as text. ``resolve_image`` turns an image
    source into the ``src`` to use (a data URI) or None, in which case a link is written instead
    of an ``<img>``, so the output never fetches an external resource.
    """
    lines = text.splitlines()
    blocks: list[str] = []
    paragraph: list[str] = []

    def flush() -> None:
        if paragraph:
            blocks.append("<p>" + _inline(" ".join(s.strip() for s in paragraph)) + "</p>")
            paragraph.clear()

    index = 0
    while index < len(lines):
        line = lines[index]
        if not line.strip():
            flush()
            index += 1
        elif line.startswith("```"):
            flush()
            end = next((j for j in range(index + 1, len(lines)) if lines[j].startswith("```")), len(lines))
            blocks.append("<pre><code>" + html.escape("\n".join(lines[index + 1 : end])) + "</code></pre>")
            index = end + 1
        elif heading := _HEADING.match(line):
            flush()
            level = len(heading.group(1))
            blocks.append(f"<h{level}>{_inline(heading.group(2))}</h{level}>")
            index += 1
        elif line.lstrip().startswith("|") and index + 1 < len(lines) and _RULE.match(lines[index + 1]):
            flush()
            end = index + 2
            while end < len(lines) and lines[end].lstrip().startswith("|"):
                end += 1
            blocks.append(_table_html(lines[index:end]))
            index = end
        elif image := _IMAGE.match(line.strip()):
            flush()
            blocks.append(_image_html(image.group(1), image.group(2), resolve_image))
            index += 1
        elif _ITEM.match(line):
            flush()
            items = []
            while index < len(lines) and (item := _ITEM.match(lines[index])):
                items.append(f"<li>{_inline(item.group(1))}</li>")
                index += 1
            blocks.append("<ul>" + "".join(items) + "</ul>")
        else:
            paragraph.append(line)
            index += 1
    flush()
    return "\n".join(blocks) + "\n"


_CSS = """
body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; color: #222;
       line-height: 1.45; }
table { border-collapse: collapse; margin: 1rem 0; font-size: 0.9rem; }
th, td { border: 1px solid #ccc; padding: 0.25rem 0.6rem; }
th { background: #f3f3f3; }
td.right, th.right { text-align: right; font-variant-numeric: tabular-nums; }
td.left, th.left { text-align: left; }
figure { margin: 1rem 0; }
figure img { max-width: 100%; }
figcaption { font-size: 0.85rem; color: #555; }
pre { background: #f6f6f6; padding: 0.6rem; white-space: pre-wrap; overflow-wrap: anywhere; }
code { font-size: 0.9em; }
""".strip()


def html_document(title: str, body: str) -> str:
    """A complete HTML page with inline CSS and nothing else to load."""
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html.escape(title)}</title>\n<style>\n{_CSS}\n</style>\n</head>\n<body>\n{body}</body>\n</html>\n"
    )


def write_report(run_dir: Path, title: str, sections: Sequence[Section]) -> tuple[Path, Path]:
    """Write ``run_dir/report.md`` and a self-contained ``run_dir/report.html`` of the same content.

    The HTML is converted from the very markdown written to ``report.md`` (one source, no drift),
    with every local figure embedded as a base64 data URI.
    """
    run_dir = Path(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    for section in sections:
        for figure in section.figures:
            if not Path(figure).is_file():
                raise AdapterkitError(f"report section {section.heading!r}: figure {figure} does not exist")
    text = report_markdown(run_dir, title, sections)
    markdown_path = run_dir / "report.md"
    html_path = run_dir / "report.html"
    from .safety import atomic_write_text, check_destination_file

    for path in (markdown_path, html_path):  # both checked before either is written
        check_destination_file(path, "report")
    page = html_document(title, markdown_to_html(text, _data_uri_resolver(run_dir)))
    atomic_write_text(markdown_path, text)
    atomic_write_text(html_path, page)
    return markdown_path, html_path


# --- the report of a compare run -----------------------------------------------------------------


def comparison_from_json(data: dict) -> Comparison:
    """The ``Comparison`` that ``Comparison.to_json`` wrote, so its own tables can be printed again."""

    def summaries(by_key: dict) -> dict[str, Summary]:
        return {key: Summary(**value) for key, value in by_key.items()}

    return Comparison(
        baseline=data["baseline"],
        variants=list(data["variants"]),
        metrics=list(data["metrics"]),
        n_folds=int(data["n_folds"]),
        summary={variant: summaries(by_metric) for variant, by_metric in data["summary"].items()},
        # Files written before --pairs hold baseline tests only, without "reference".
        tests=[PairedTest(**{"reference": data["baseline"], **test}) for test in data["tests"]],
        per_type_metric=data.get("per_type_metric"),
        per_type={variant: summaries(by_type) for variant, by_type in (data.get("per_type") or {}).items()},
        # Files written before ci_method was recorded used the percentile bootstrap and no tie tolerance.
        ci_method=data.get("ci_method", "percentile bootstrap"),
        tie_tolerance=data.get("tie_tolerance"),
    )


def _format(value: object, metric: str) -> str:
    """stats' display rule: proportions in % with 2 decimals, coefficients as is with 3; counts as integers."""
    if value is None:
        return "–"
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if metric in COEFFICIENT_METRICS:
        return f"{float(value):.3f}"
    return f"{float(value) * 100:.2f}"


def _heading(metric: str) -> str:
    return metric if metric in COEFFICIENT_METRICS else f"{metric} (%)"


def per_fold_table(per_fold: Sequence[dict], metrics: Sequence[str]) -> str:
    """One row per fold: the headline metrics as recorded in ``cv.json`` and the test size."""
    header = ["fold", *(_heading(m) for m in metrics), "n_test"]
    rows = [
        [str(k + 1), *(_format(fold.get(m), m) for m in metrics), _format(fold.get("n_test"), "n_test")]
        for k, fold in enumerate(per_fold)
    ]
    return markdown_table(header, rows)


def per_fold_type_table(per_fold: Sequence[dict], metric: str = "f1") -> str | None:
    """Per-type ``metric`` (%) per fold with the fold's gold count, types as rows; None when the folds
    hold no per-type scores. "0.00 (n=3)" is a type with 3 gold entities none of which was found; a
    type absent from a fold's test part shows "– (n=0)"."""
    kinds = sorted({kind for fold in per_fold for kind in fold.get("per_type", {})})
    if not kinds:
        return None
    rows = []
    for kind in kinds:
        cells = []
        for fold in per_fold:
            scores = fold.get("per_type", {}).get(kind)
            support = (scores or {}).get("support")
            count = f" (n={support})" if support is not None else " (n=0)" if scores is None else ""
            cells.append(("–" if scores is None else _format(scores.get(metric), metric)) + count)
        rows.append([kind, *cells])
    header = [f"type, {_heading(metric)} (n = gold entities)", *(f"fold {k + 1}" for k in range(len(per_fold)))]
    return markdown_table(header, rows)


def gold_counts_table(per_fold: Sequence[dict]) -> str | None:
    """Gold entities per type in the test parts of the folds (the same for every variant: identical
    folds): the support behind each per-type score. None when the folds record no support."""
    counts: dict[str, list[int]] = {}
    for fold in per_fold:
        for kind, scores in (fold.get("per_type") or {}).items():
            if scores.get("support") is not None:
                counts.setdefault(kind, []).append(int(scores["support"]))
    if not counts:
        return None
    rows = []
    for kind in sorted(counts):
        values = counts[kind] + [0] * (len(per_fold) - len(counts[kind]))  # absent from a fold: none there
        rows.append([kind, sum(values), f"{min(values)}–{max(values)}" if min(values) != max(values) else min(values)])
    return markdown_table(["type", "gold entities, all folds", "per fold"], rows)


def _read_json(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise AdapterkitError(f"{path} is missing: give the folder of a finished compare run") from None
    except json.JSONDecodeError as error:
        raise AdapterkitError(f"{path}: not valid JSON ({error.msg}, line {error.lineno})") from None


def _cv_runs(run_dir: Path, order: Sequence[str]) -> list[dict]:
    """The recorded cv.json of every variant, in the comparison's variant order (others after)."""
    runs = [_read_json(path) for path in sorted((run_dir / "cv").glob("*/cv.json"))]
    rank = {variant: i for i, variant in enumerate(order)}
    return sorted(runs, key=lambda run: (rank.get(run.get("variant"), len(rank)), str(run.get("variant"))))


def _run_section(run_dir: Path, cv_runs: Sequence[dict]) -> Section:
    """How the run was made: the command line and the recorded settings."""
    parts = []
    command = run_dir / "command.txt"
    if command.is_file():
        parts.append("```\n" + command.read_text(encoding="utf-8").strip() + "\n```")
    tables = []
    if cv_runs:
        first = cv_runs[0]
        rows = [
            ["data", ", ".join(first.get("data", []))],
            ["folds", first.get("folds", "–")],
            ["seed", first.get("seed", "–")],
            ["fold file", first.get("fold_file", "–")],
        ]
        rows += [[f"settings.{key}", value] for key, value in (first.get("settings") or {}).items()]
        tables.append(markdown_table(["setting", "value"], rows, align="ll"))
    return Section("Run", "\n\n".join(parts), tables)


def per_group_table(cv_runs: Sequence[dict], metric: str) -> str | None:
    """Variants as rows, parts (``--data LANG=PATH``) as columns: mean ± sd of ``metric`` over folds."""
    groups = sorted({g for run in cv_runs for fold in run.get("per_fold", []) for g in (fold.get("groups") or {})})
    if not groups:
        return None
    rows = []
    for run in cv_runs:
        cells = []
        for group in groups:
            values = [
                fold["groups"][group][metric]
                for fold in run.get("per_fold", [])
                if (fold.get("groups") or {}).get(group, {}).get(metric) is not None
            ]
            cells.append(_format_mean_sd(values, metric) if values else "–")
        rows.append([run.get("variant", "?"), *cells])
    return markdown_table(["variant", *groups], rows)


def _format_mean_sd(values: list[float], metric: str) -> str:
    from .stats import mean_sd

    mean, sd = mean_sd(values)
    return f"{_format(mean, metric)} ± {_format(sd, metric)}"


def _fold_curves(run_dir: Path, cv_runs: Sequence[dict]) -> dict[str, tuple[list[float], list[float]]]:

    curves = {}
    for run in cv_runs:
        variant = run.get("variant", "?")
        folder = run_dir / "cv" / folder_name(variant) / "folds"
        histories = [json.loads(path.read_text()) for path in sorted(folder.glob("*/log.json"))]
        if histories:
            curves[variant] = mean_curve(histories)
    return {variant: curve for variant, curve in curves.items() if curve[0]}


def _analysis_section(run_dir: Path) -> Section | None:
    """What ``adapterkit analyse`` wrote: similarity table, t-SNE plots, token importance."""
    path = run_dir / "analysis" / "analysis.json"
    if not path.is_file():
        return None
    analysis = _read_json(path)
    text, tables, figures, captions = [], [], [], []
    if analysis.get("similarity"):
        text.append(
            "Gold entities embedded by each variant's encoder before fine-tuning (last layer, mean over "
            "subwords). Intra-entity similarity: mean pairwise cosine similarity among entities of one "
            "type (higher: the type forms a tighter cluster; bold: highest per type). t-SNE: scikit-learn, "
            "PCA initialisation, seeded."
        )
        tables.append(similarity_table(analysis["similarity"], digits=3))
        counts = [[v, c["embedded"], c["skipped_beyond_limit"]] for v, c in analysis.get("entities", {}).items()]
        tables.append(markdown_table(["variant", "entities embedded", "skipped (past the length limit)"], counts))
        for variant, name in analysis.get("figures", {}).items():
            figures.append(run_dir / "analysis" / name)
            captions.append(f"t-SNE of gold entity embeddings by the encoder of {variant}, coloured by entity type")
    for variant, decisions in (analysis.get("importance") or {}).items():
        if not text:
            text.append(
                "Token importance: gradient × input of the explained class's logit (not LIME), first "
                "fold's model, first test examples of that fold; red raises the logit, blue lowers it."
            )
        rows = [
            [d["source"], d["gold"], d["explained_label"], ", ".join(f"{t} {v:+.3f}" for t, v in d["top_tokens"])]
            for d in decisions
        ]
        tables.append(f"**{variant}**\n\n" + markdown_table(["example", "gold", "explained", "top tokens"], rows))
        for d in decisions:
            figures.append(run_dir / "analysis" / d["figure"])
            captions.append(
                f"Token importance, {variant}: test example {d['source']} (gold {d['gold']}, "
                f"explained class {d['explained_label']})"
            )
    for note in analysis.get("notes", []):
        text.append(f"- {note}")
    return Section("Analysis", "\n\n".join(text), tables, figures, captions)


def report_for_compare(run_dir: Path, title: str | None = None) -> tuple[Path, Path]:
    """Report of a ``compare`` run from its recorded files: comparison tables, per-type figure, per-fold tables.

    ``comparison.json`` gives the tables (printed by ``Comparison.to_markdown``, the same as
    ``comparison.md``) and the per-type figure (written to ``run_dir/figures/``); each
    ``cv/<variant>/cv.json`` gives that variant's per-fold table. Returns (report.md, report.html).
    """
    from .manifest import read_comparison

    run_dir = Path(run_dir)
    if not (run_dir / "comparison.json").is_file():
        raise AdapterkitError(f"{run_dir / 'comparison.json'} is missing: give the folder of a finished compare run")
    data = read_comparison(run_dir / "comparison.json")
    comparison = comparison_from_json(data)
    cv_runs = _cv_runs(run_dir, comparison.variants)
    sections = [
        _run_section(run_dir, cv_runs),
        Section(
            "Comparison",
            f"Baseline **{comparison.baseline}**; {comparison.n_folds} folds, identical for every variant.\n\n"
            + comparison.to_markdown(),
        ),
    ]
    if comparison.per_type:
        metric = comparison.per_type_metric
        figure = per_type_f1_bars(data, run_dir / "figures" / "per_type_f1.png")
        counts = gold_counts_table(cv_runs[0].get("per_fold", [])) if cv_runs else None
        sections.append(
            Section(
                f"Per-type {metric}",
                "Mean over folds per entity type and variant; the axis label says what the error bars are. "
                "A type with few gold entities has a score that says little: 0.00 with 3 gold entities per "
                "fold means none of the 3 was found."
                + (" Gold entities per type in the test folds (the same for every variant):" if counts else ""),
                [counts] if counts else [],
                figures=[figure],
                captions=[f"{_metric_name(metric)} per entity type and variant, mean over {comparison.n_folds} folds"],
            )
        )
    groups = per_group_table(cv_runs, comparison.metrics[0])
    if groups is not None:
        sections.append(
            Section(
                "Per part (language)",
                f"Pooled training on every part; {comparison.metrics[0]} on each part's test examples, "
                "mean ± sd over folds.",
                [groups],
            )
        )
    curves = _fold_curves(run_dir, cv_runs)
    if curves:
        plot_title = "Fine-tuning loss per variant (mean over folds)"
        figure = training_curves(curves, run_dir / "figures" / "training_loss.png", plot_title)
        text = "Training loss per logging step, mean over the folds."
        caption = f"Fine-tuning loss per logging step of {len(curves)} variant(s), mean over the folds"
        sections.append(Section("Training curves", text, [], [figure], [caption]))
    analysis = _analysis_section(run_dir)
    if analysis is not None:
        sections.append(analysis)
    for run in cv_runs:
        per_fold = run.get("per_fold", [])
        tables = [per_fold_table(per_fold, comparison.metrics)]
        by_type = per_fold_type_table(per_fold, comparison.per_type_metric or "f1")
        if by_type is not None:
            tables.append(by_type)
        sections.append(Section(f"Per-fold results: {run.get('variant', '?')}", "", tables))
    return write_report(run_dir, title or f"Comparison {run_dir.name}", sections)
