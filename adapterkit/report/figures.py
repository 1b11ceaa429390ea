"""The study's figures, drawn with matplotlib: training curves, per-type score bars, t-SNE plots, token importance.

Figures are drawn with matplotlib's object API on the Agg canvas (no pyplot, no display, no
global state), so they can be made from worker processes and tests. matplotlib is imported inside
the functions, so reports without figures (and everything else in adapterkit) work without it.
Every figure is written as a PNG atomically by ``_save`` and its path returned, for a report
section to link (``report.md``) and embed (``report.html``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ..errors import AdapterkitError
from ..metrics import COEFFICIENT_METRICS
from .formatting import metric_name, number

DPI = 120


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

    from ..safety import atomic_write_bytes

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
            ppl_axes.bar_label(bars, labels=[number(value, 1) for value in perplexity])
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
    title = f"{metric_name(metric)} per entity type, mean over folds"
    axes.set(xticks=positions, ylabel=f"{metric}{unit}, mean ± {spread}", title=title)
    axes.set_xticklabels(kinds)
    axes.legend(fontsize="small")
    return _save(figure, path)


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
