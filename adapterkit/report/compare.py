"""The report of a ``compare`` run: comparison tables, per-type bars, per-part and per-fold tables, curves, analyses.

``report_for_compare`` builds the report only from what the run recorded (``comparison.json``,
``cv/*/cv.json``, the folds' ``log.json``, ``command.txt`` and what ``adapterkit analyse`` wrote to
``analysis/``): no number in it is computed anew except formatting and the means of per-part
scores and of training curves over folds. The results come first, then the settings that applied
(variants, data, ``--limit``, training settings) and the command. The tables are markdown (``formatting``), the figures
come from ``figures``, and ``document.write_report`` writes ``report.md`` and ``report.html``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from ..errors import AdapterkitError
from ..manifest import read_cv_run, read_training_log
from ..paths import folder_name  # the folder name compare gave each variant
from ..stats import Comparison, PairedTest, Summary
from .document import Section, write_report
from .figures import mean_curve, per_type_f1_bars, training_curves
from .formatting import (
    markdown_table,
    mean_sd_cell,
    metric_heading,
    metric_name,
    metric_value,
    number,
    wrap_command,
)


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


def per_fold_table(per_fold: Sequence[dict], metrics: Sequence[str]) -> str:
    """One row per fold: the headline metrics as recorded in ``cv.json`` and the test size."""
    header = ["fold", *(metric_heading(m) for m in metrics), "test examples (count)"]
    rows = [
        [str(k + 1), *(metric_value(fold.get(m), m) for m in metrics), metric_value(fold.get("n_test"), "n_test")]
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
            cells.append(("–" if scores is None else metric_value(scores.get(metric), metric)) + count)
        rows.append([kind, *cells])
    header = [f"type, {metric_heading(metric)} (n = gold entities)", *(f"fold {k + 1}" for k in range(len(per_fold)))]
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
    return markdown_table(["type", "gold entities, all folds (count)", "per fold (count)"], rows)


def _read_json(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise AdapterkitError(f"{path} is missing: give the folder of a finished compare run") from None
    except json.JSONDecodeError as error:
        raise AdapterkitError(f"{path}: not valid JSON ({error.msg}, line {error.lineno})") from None


def recorded_cv_runs(run_dir: Path, order: Sequence[str]) -> list[dict]:
    """The recorded cv.json of every variant, in the comparison's variant order (others after)."""
    runs = [read_cv_run(path) for path in sorted((run_dir / "cv").glob("*/cv.json"))]  # schema: manifest.records
    rank = {variant: i for i, variant in enumerate(order)}
    return sorted(runs, key=lambda run: (rank.get(run.get("variant"), len(rank)), str(run.get("variant"))))


def applicable_settings(settings: dict) -> list[tuple[str, object]]:
    """The training settings of a cv run that had an effect, as (name, value): the task adapter's
    rank, alpha and dropout only in adapter mode, quantization only when used, the step limit or the
    epochs (``max_steps`` overrides ``epochs``), the learning rate as chosen when not given."""
    adapter = settings.get("mode") == "adapter"
    max_steps = settings.get("max_steps")
    rows = []
    for key, value in settings.items():
        if key.startswith("task_lora_") and not adapter:
            continue
        if key == "quantize" and not value:
            continue
        if key == "max_steps" and (max_steps is None or max_steps <= 0):
            continue
        if key == "epochs" and max_steps is not None and max_steps > 0:
            continue
        if key == "lr" and value is None:
            value = "the task's default"
        rows.append((key, value))
    return rows


def _settings_section(run_dir: Path, cv_runs: Sequence[dict], comparison: Comparison) -> Section:
    """How the run was made, after the results: the variants, the data and the settings that applied,
    and the command line (wrapped at spaces only)."""
    variants = ", ".join(f"`{v}`" + (" (baseline)" if v == comparison.baseline else "") for v in comparison.variants)
    rows: list[list[object]] = [["variants", variants]]
    if cv_runs:
        first = cv_runs[0]
        limit = first.get("limit")
        parts = any(fold.get("groups") for fold in first.get("per_fold", []))
        of_each = " of each part (--data LANG=PATH)" if parts else ""
        rows += [
            ["data", ", ".join(f"`{path}`" for path in first.get("data", []))],
            ["--limit", f"first {limit} examples{of_each}" if limit else "none: every example"],
            ["folds", first.get("folds", "–")],
            ["seed", first.get("seed", "–")],
            ["fold file", first.get("fold_file", "–")],
        ]
        rows += [[f"--{key}", value] for key in ("types", "preset", "format") if (value := first.get(key))]
        if first.get("strict"):
            rows.append(["--strict", "entities scored in strict IOB2 mode"])
        rows += [[f"settings.{key}", value] for key, value in applicable_settings(first.get("settings") or {})]
    parts = []
    command = run_dir / "command.txt"
    if command.is_file():
        parts.append("```\n" + wrap_command(command.read_text(encoding="utf-8")) + "\n```")
    return Section("Settings", "\n\n".join(parts), [markdown_table(["setting", "value"], rows, align="ll")])


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
            cells.append(mean_sd_cell(values, metric) if values else "–")
        rows.append([run.get("variant", "?"), *cells])
    return markdown_table(["variant", *(f"{group}: {metric_heading(metric)}" for group in groups)], rows)


def _fold_curves(run_dir: Path, cv_runs: Sequence[dict]) -> dict[str, tuple[list[float], list[float]]]:

    curves = {}
    for run in cv_runs:
        variant = run.get("variant", "?")
        folder = run_dir / "cv" / folder_name(variant) / "folds"
        histories = [read_training_log(path) for path in sorted(folder.glob("*/log.json"))]
        if histories:
            curves[variant] = mean_curve(histories)
    return {variant: curve for variant, curve in curves.items() if curve[0]}


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
            f"**{number(v, digits)}**" if v is not None and v == top and len(variants) > 1 else number(v, digits)
            for v in values
        ]
        rows.append([kind, *cells])
    return markdown_table(["type (cosine similarity)", *variants], rows)


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
        tables.append(
            markdown_table(["variant", "entities embedded (count)", "skipped past the length limit (count)"], counts)
        )
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
        tables.append(
            f"**{variant}**\n\n"
            + markdown_table(["example", "gold", "explained", "top tokens (gradient × input)"], rows, "llll")
        )
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
    from ..manifest import read_comparison

    run_dir = Path(run_dir)
    if not (run_dir / "comparison.json").is_file():
        raise AdapterkitError(f"{run_dir / 'comparison.json'} is missing: give the folder of a finished compare run")
    data = read_comparison(run_dir / "comparison.json")
    comparison = comparison_from_json(data)
    cv_runs = recorded_cv_runs(run_dir, comparison.variants)
    sections = [  # results first; how the run was made comes last (Settings)
        Section(
            "Comparison",
            f"Baseline **{comparison.baseline}**; {comparison.n_folds} folds, identical for every variant."
            + (
                f" Positive class: **{data['positive_label']}** (f1, precision, recall, specificity and roc_auc are "
                "of this class; macro_f1 and mcc of both)."
                if data.get("positive_label")
                else ""
            )
            + "\n\n"
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
                captions=[f"{metric_name(metric)} per entity type and variant, mean over {comparison.n_folds} folds"],
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
    sections.append(_settings_section(run_dir, cv_runs, comparison))
    return write_report(run_dir, title or f"Comparison {run_dir.name}", sections)
