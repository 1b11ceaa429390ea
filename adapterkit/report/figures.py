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
    """``training_curve_figure`` written as a PNG to ``path``."""
    return _save(training_curve_figure(log_history, name), path)


def training_curve_figure(log_history: Sequence[dict], name: str | None = None):
    """Training (and evaluation) loss against the step, from a ``Trainer.state.log_history``.

    A second panel shows the perplexity when the history has one: a ``perplexity`` or
    ``eval_perplexity`` key as logged, else exp(``eval_loss``) (the MLM perplexity is the
    exponential of the mean masked-token loss). Two perplexities only (before and after
    training, as pre-training records them) are two bars: a line between them would suggest a
    trend that was never measured; both bars stay visible whatever their ratio (a log scale from
    a third of the smaller value when one is over ten times the other) and each bar is labelled
    with its value. ``name`` goes into the titles. A run too short to log a loss
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
            # room for the value above the bar; on a log scale the axis starts below the smaller bar, so
            # both bars have a visible height (a log bar from 0 would start wherever matplotlib clips it)
            bottom = min(perplexity) / 3 if wide else 0.0
            ppl_axes.set_ylim(bottom=bottom, top=max(perplexity) * (3.0 if wide else 1.15))
            ppl_axes.set_title(f"Held-out perplexity{of}, before and after", fontsize="medium")
        else:
            ppl_axes.plot(ppl_steps, perplexity, marker="o", color="tab:green")
            ppl_axes.set(
                xlabel="optimisation step", ylabel="perplexity", yscale=scale, title=f"Held-out perplexity{of}"
            )
            ppl_axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    return figure


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


def _error_bars(summary: dict | None, scale: float, proportion: bool) -> tuple[float, float, float, bool, bool]:
    """(height, lower error, upper error, is_ci, clipped): the 95 % CI when recorded, else the sd over folds.

    A proportion's interval is clipped to [0, 1] (a t-interval of a few folds can reach below 0 % or
    above 100 %, which no score can); ``clipped`` says that it was, for the figure to mark it.
    """
    if not summary or summary.get("mean") is None:
        return math.nan, 0.0, 0.0, False, False
    mean = summary["mean"]
    if summary.get("ci_low") is not None and summary.get("ci_high") is not None:
        low, high = summary["ci_low"], summary["ci_high"]
        clipped = proportion and (low < 0.0 or high > 1.0)
        if proportion:
            low, high = max(low, 0.0), min(high, 1.0)
        # max(0, ...): an interval of identical fold scores equals the mean up to float rounding
        return mean * scale, max(0.0, mean - low) * scale, max(0.0, high - mean) * scale, True, clipped
    sd = (summary.get("sd") or 0.0) * scale
    low = min(sd, mean * scale) if proportion else sd  # an sd bar stays within [0, 100] % as well
    high = min(sd, (1.0 - mean) * scale) if proportion else sd
    return mean * scale, low, high, False, proportion and (low < sd or high < sd)


CLIPPED_MARK = "†"


def per_type_f1_bars(comparison_json: dict, path: Path | str) -> Path:
    """``per_type_figure`` written as a PNG to ``path``."""
    return _save(per_type_figure(comparison_json), path)


def per_type_figure(comparison_json: dict):
    """Grouped bars: per entity type, one bar per variant (mean over folds) with error bars.

    Error bars are the sample sd over folds, or the 95 % CI where a per-type entry records
    ``ci_low``/``ci_high``; the axis label says which, and names the comparison's ``ci_method``
    (the percentile bootstrap for files written before it was recorded). Proportions are in %, their
    error bars clipped to [0, 100] % and the clipped ones marked †. A variant whose every per-type
    score is 0 says so in the legend, and a panel where that holds for every variant says "no
    entities predicted correctly" instead of showing an empty axis.
    """
    per_type = comparison_json.get("per_type") or {}
    if not per_type:
        raise AdapterkitError("per_type_f1_bars: the comparison has no per-type scores (not a NER comparison?)")
    variants = [v for v in comparison_json.get("variants", per_type) if v in per_type]
    kinds = sorted({kind for by_type in per_type.values() for kind in by_type})
    metric = comparison_json.get("per_type_metric") or "f1"
    proportion = metric not in COEFFICIENT_METRICS
    scale = 100.0 if proportion else 1.0
    figure = _new_figure(max(5.0, 1.1 * len(kinds) * max(1, len(variants)) / 2 + 2), 3.8)
    axes = figure.subplots()
    width = 0.8 / len(variants)
    positions = np.arange(len(kinds))
    any_ci = any_clipped = False
    nothing_anywhere = True
    for index, (variant, colour) in enumerate(zip(variants, _colours(len(variants)), strict=True)):
        bars = [_error_bars(per_type[variant].get(kind), scale, proportion) for kind in kinds]
        any_ci = any_ci or any(bar[3] for bar in bars)
        heights = [bar[0] for bar in bars]
        nothing = all(math.isnan(h) or h == 0.0 for h in heights)
        nothing_anywhere = nothing_anywhere and nothing
        errors = np.array([[bar[1] for bar in bars], [bar[2] for bar in bars]])
        where = positions + (index - (len(variants) - 1) / 2) * width
        label = f"{variant} (every score 0)" if nothing and proportion else variant
        axes.bar(where, heights, width, yerr=errors, capsize=3, label=label, color=colour)
        for x, (height, _, high, _, clipped) in zip(where, bars, strict=True):
            if clipped:
                any_clipped = True
                axes.text(x, height + high, CLIPPED_MARK, ha="center", va="bottom", fontsize="small")
    unit = " (%)" if proportion else ""
    method = comparison_json.get("ci_method", "percentile bootstrap")
    spread = f"95 % CI ({'t-interval' if method == 't' else method})" if any_ci else "sd over folds"
    title = f"{metric_name(metric)} per entity type, mean over folds"
    axes.set(xticks=positions, ylabel=f"{metric}{unit}, mean ± {spread}", title=title)
    axes.set_xticklabels(kinds)
    if proportion:
        axes.set_ylim(0.0, 105.0)  # the whole range of a proportion: 0 reads as 0, not as an empty axis
    if nothing_anywhere and proportion:
        axes.text(
            0.5, 0.5, f"no entities predicted correctly\n(every per-type {metric} is 0)",
            transform=axes.transAxes, ha="center", va="center", fontsize="large", color="#555555",
        )  # fmt: skip
    if any_clipped:
        axes.text(
            1.0, -0.18, f"{CLIPPED_MARK} error bar clipped to [0, 100] %", transform=axes.transAxes,
            ha="right", va="top", fontsize="small",
        )  # fmt: skip
    axes.legend(fontsize="small")
    return figure


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
