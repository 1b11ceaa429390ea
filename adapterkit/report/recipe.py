"""The report of a whole recipe run: ``runs/<recipe>/report.md`` and a self-contained ``report.html``.

Built only from what the steps recorded, after the last step (and again by ``adapterkit run``
when every step was skipped): the step list; per pre-training step its training curve (loss and
held-out perplexity before/after, from the manifest) and figures; per vocabulary extension its
tokens per word and forgetting check; per ``eval-mlm`` its perplexity matrix; per ``compare`` its
comparison tables (its own report.html has the per-type bars, curves and analyses); and the
LoRA-vs-full recovery ratio of the recipe's ``recovery`` pairs (and, per ``audit`` step, the
memorisation audit recorded in the audited manifest: ``recipe_privacy``):

    recovery = (score with LoRA adaptation − base) / (score with full adaptation − base)

on the comparison's primary metric (entity F1 for NER, MCC for classification, macro F1 for
multi-label, Pearson for similarity), one row per compare step that holds both members of a pair.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..manifest import AdapterManifest, read_adapter_manifest, read_comparison, read_score_result
from ..paths import folder_name, registry_dir
from ..readers.kinds import KINDS
from ..registry import MANIFEST
from .compare import recorded_cv_runs
from .document import Section, write_report
from .figures import training_curve
from .formatting import markdown_table, number
from .recipe_privacy import audit_section
from .recipe_tables import data_rows, settings_rows


def _option(argv: list[str], name: str) -> str | None:
    return argv[argv.index(name) + 1] if name in argv and argv.index(name) + 1 < len(argv) else None


def _options(argv: list[str], name: str) -> list[str]:
    return [argv[i + 1] for i, item in enumerate(argv[:-1]) if item == name]


def _pretrain_manifest(argv: list[str]) -> tuple[Path, AdapterManifest] | None:
    name = _option(argv, "--name")
    if name is None:
        return None
    folder = Path(_option(argv, "--output") or "")
    if not _option(argv, "--output"):
        folder = Path("models") / name if "--full" in argv else registry_dir(_path_or_none(argv, "--registry")) / name
    manifest = folder / MANIFEST
    return (folder, read_adapter_manifest(manifest)) if manifest.is_file() else None


def _path_or_none(argv: list[str], name: str) -> Path | None:
    value = _option(argv, name)
    return Path(value) if value else None


def _pretrain_section(step: dict, argv: list[str], figures_dir: Path) -> Section | None:
    found = _pretrain_manifest(argv)
    if found is None:
        return None
    folder, manifest = found
    hyper, training = manifest.hyperparameters, manifest.training
    perplexity, corpus = manifest.perplexity, manifest.corpus
    # pretrain records all four (as before, a manifest without them fails here)
    assert hyper is not None and training is not None and perplexity is not None and corpus is not None
    rows = [
        ["result", f"`{folder}` ({hyper.mode})"],
        ["corpus tokens (train / held-out)", f"{corpus.train_tokens:,} / {corpus.heldout_tokens:,}"],
        ["steps", hyper.steps],
        ["held-out perplexity before → after", f"{number(perplexity.before)} → {number(perplexity.after)}"],
        [
            "training loss: last logged / mean over the run",
            f"{number(training.final_loss, 4)} / {number(training.mean_loss, 4)}",
        ],
        ["tokens/s", number(training.tokens_per_s, 1)],
    ]
    figures, captions = [], []
    log = training.log or []
    name = manifest.name if manifest.name is not None else folder.name
    logged_loss = any("loss" in entry for entry in log)
    if logged_loss or any("perplexity" in entry for entry in log):
        figures.append(training_curve(log, figures_dir / f"pretrain-{step['id']}.png", name))
        captions.append(
            f"Training loss of {name} per logging step, and its held-out perplexity before and after training"
            if logged_loss
            else f"Held-out perplexity of {name} before and after training"
        )
    notes = [] if logged_loss else ["No training loss was logged (fewer steps than --logging-steps)."]
    if manifest.base.mlm_head == "new":
        notes.append(
            f"The base {manifest.base.id} has no pretrained MLM head: the 'before' perplexity "
            f"({number(perplexity.before)}) is that of a freshly initialised (seeded) head, not of a trained "
            "language model, and the drop after training includes the head learning to predict at all."
        )
    table = markdown_table(["figure", "value"], rows, align="ll")
    return Section(f"Pre-training: {step['id']}", "\n\n".join(notes), [table], figures, captions)


def _vocab_section(step: dict, argv: list[str]) -> Section | None:
    out = _option(argv, "--output") or _option(argv, "--out")  # --out: its old name, still accepted
    manifest_file = Path(out) / MANIFEST if out else None
    if manifest_file is None or not manifest_file.is_file():
        return None
    manifest = read_adapter_manifest(manifest_file)
    vocabulary, corpus, ppl = manifest.vocabulary, manifest.corpus, manifest.perplexity
    # vocab build records all three (as before, a manifest without them fails here)
    assert vocabulary is not None and corpus is not None and corpus.tokens_per_word is not None and ppl is not None
    if vocabulary.mode == "new":
        first = [
            "new vocabulary (replaces the base's)",
            f"{vocabulary.vocab_size:,} pieces: {vocabulary.copied:,} rows copied from the base, "
            f"{vocabulary.initialised:,} initialised from their old sub-pieces",
        ]
    else:
        first = ["new pieces", f"{vocabulary.added:,} (domain vocabulary of {vocabulary.size:,})"]
    rows = [
        first,
        [
            "tokens per word, domain text",
            f"{number(corpus.tokens_per_word.before, 3)} → {number(corpus.tokens_per_word.after, 3)}",
        ],
        [
            "held-out perplexity: base / extended / trained",
            f"{number(ppl.base)} / {number(ppl.extended)} / {number(ppl.trained)}",
        ],
    ]
    other = manifest.other_corpus
    if other is not None and other.perplexity:
        other_ppl = other.perplexity
        rows.append(
            [
                "forgetting check, other text: perplexity base / extended / trained",
                " / ".join(number(other_ppl.get(key)) for key in ("base", "extended", "trained")),
            ]
        )
        if other.tokens_per_word is not None:
            tpw = other.tokens_per_word
            rows.append(["tokens per word, other text", f"{number(tpw.before, 3)} → {number(tpw.after, 3)}"])
    text = (
        "Base perplexity uses the base tokenizer; extended and trained use the extended one on the same "
        "masked positions, so only those two compare exactly."
    )
    if vocabulary.mode == "new":  # another vocabulary: another softmax, so another perplexity scale
        text = (
            "Base perplexity uses the base tokenizer and vocabulary; extended (the rebuilt, untrained model) "
            "and trained use the new vocabulary on the same masked positions, so only those two compare "
            "exactly: a smaller vocabulary alone lowers perplexity."
        )
    title = "New vocabulary" if vocabulary.mode == "new" else "Vocabulary extension"
    return Section(f"{title}: {step['id']}", text, [markdown_table(["figure", "value"], rows, align="ll")])


def _eval_mlm_section(step: dict, argv: list[str]) -> Section | None:
    written = _options(argv, "--output") + _options(argv, "--out")  # --out: its old name, still accepted
    tables = [Path(out).read_text() for out in written if out.endswith(".md") and Path(out).is_file()]
    # the step's own note (the demo's: the embedded base's MLM head is untrained) goes with its table
    return Section(f"Held-out perplexity: {step['id']}", step.get("about", ""), tables) if tables else None


def _compare_dir(argv: list[str]) -> Path | None:
    run_id = _option(argv, "--run-id")
    folder = Path("runs") / folder_name(run_id) if run_id else None  # the folder compare wrote (cv.run_compare)
    return folder if folder is not None and (folder / "comparison.json").is_file() else None


def _compare_section(step: dict, argv: list[str], report_dir: Path) -> Section | None:
    folder = _compare_dir(argv)
    if folder is None:
        return None
    text = step.get("about", "") + "\n\n" if step.get("about") else ""
    if (folder / "report.html").is_file():  # a link only to what was made: analyses only when analyse ran
        link = Path(os.path.relpath(folder.resolve() / "report.html", report_dir.resolve())).as_posix()
        found = [
            ("per-type bars", folder / "figures" / "per_type_f1.png"),
            ("training curves", folder / "figures" / "training_loss.png"),
            ("analyses", folder / "analysis" / "analysis.json"),
        ]
        holds = " and ".join(what for what, path in found if path.is_file()) or "per-fold tables"
        text += f"Full report with {holds}: [{folder}/report.html]({link})"
    return Section(f"Comparison: {step['id']}", text, [(folder / "comparison.md").read_text()])


def _finetune_manifest(argv: list[str]) -> AdapterManifest | None:
    folder = _option(argv, "--output") or (f"models/{_option(argv, '--name')}" if _option(argv, "--name") else None)
    manifest = Path(folder) / MANIFEST if folder else None
    return read_adapter_manifest(manifest) if manifest is not None and manifest.is_file() else None


def external_rows(plan: list[tuple[dict, list[str]]]) -> list[list[str]]:
    """One row per fine-tuning step evaluated on other data (``--eval-data``): the external score beside
    the internal one, the cross-validated mean of the same variant on the same data from a compare step
    of the plan (when there is one)."""
    internal: dict[tuple[tuple[str, ...], str], dict] = {}
    for _, argv in plan:
        folder = _compare_dir(argv) if argv[0] == "compare" else None
        if folder is not None:
            data = read_comparison(folder / "comparison.json")
            for variant, figures in data["summary"].items():
                internal[(tuple(_options(argv, "--data")), variant)] = figures
    rows = []
    for step, argv in plan:
        manifest = _finetune_manifest(argv) if argv[0] == "finetune" and "--eval-data" in argv else None
        metrics = manifest.evaluation.metrics if manifest is not None and manifest.evaluation is not None else None
        if not metrics or manifest is None:
            continue
        metric = KINDS[manifest.task].headline if manifest.task in KINDS else "f1"
        variant = _option(argv, "--variant") or "base"
        cv = internal.get((tuple(_options(argv, "--data")), variant), {}).get(metric) or {}
        rows.append(
            [
                step["id"],
                f"`{variant}`",
                metric,
                number(cv.get("mean"), 4) + (f" ± {number(cv['sd'], 4)}" if cv.get("sd") is not None else ""),
                number(metrics.get(metric), 4),
            ]
        )
    return rows


def _group_means(folder: Path, metric: str) -> dict[str, dict[str, float]]:
    """variant -> part (``--data LANG=PATH``) -> mean of ``metric`` over folds, from a compare run's cv.json files."""
    means: dict[str, dict[str, float]] = {}
    for run in recorded_cv_runs(folder, []):
        by_group: dict[str, list[float]] = {}
        for fold in run.get("per_fold", []):
            for group, figures in (fold.get("groups") or {}).items():
                if figures.get(metric) is not None:
                    by_group.setdefault(group, []).append(figures[metric])
        means[run.get("variant", "?")] = {g: sum(v) / len(v) for g, v in by_group.items()}
    return means


def per_language_rows(recipe: dict, plan: list[tuple[dict, list[str]]]) -> tuple[list[str], list[list[str]]] | None:
    """The recipe's ``per_language`` table: per track and language, each variant trained on the languages
    pooled (that language's part of the pooled comparison) beside trained on that language alone."""
    names = recipe.get("per_language") or {}
    pooled_id, mono_id = names.get("pooled"), names.get("monolingual")
    pooled, mono = {}, {}
    for step, argv in plan:
        folder = _compare_dir(argv) if argv[0] == "compare" else None
        if folder is None:
            continue
        track = (step.get("_each") or {}).get("track", "")
        if step.get("_template", step["id"]) == pooled_id:
            pooled[track] = folder
        elif step.get("_template", step["id"]) == mono_id:
            mono[(track, (step.get("_each") or {}).get("part_slug", ""))] = folder
    if not pooled:
        return None
    rows = []
    for track, folder in pooled.items():
        data = read_comparison(folder / "comparison.json")
        metric = data["metrics"][0]
        together = _group_means(folder, metric)
        for language in sorted({g for by_group in together.values() for g in by_group}):
            alone_dir = mono.get((track, language))
            alone = read_comparison(alone_dir / "comparison.json")["summary"] if alone_dir else {}
            for variant in data["variants"]:
                rows.append(
                    [
                        track or "–",
                        language,
                        f"`{variant}`",
                        metric,
                        number(together.get(variant, {}).get(language), 4),
                        number((alone.get(variant, {}).get(metric) or {}).get("mean"), 4),
                    ]
                )
    return ["track", "language", "variant", "metric", "multilingual", "monolingual"], rows


def _counts(result: dict, types: list[str]) -> tuple[int, int, int]:
    """(true positives, predicted, gold) of ``types`` in an ``adapterkit score --json`` result."""
    rows = [result.get("per_type", {}).get(kind, {}) for kind in types]
    return tuple(sum(row.get(name, 0) for row in rows) for name in ("tp", "pred", "gold"))  # type: ignore[return-value]


def _prf(tp: int, pred: int, gold: int) -> list[str]:
    precision = tp / pred if pred else 0.0
    recall = tp / gold if gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return [number(precision, 4), number(recall, 4), number(f1, 4), f"{tp} / {pred} / {gold}"]


def heldout_rows(recipe: dict, plan: list[tuple[dict, list[str]]]) -> list[list[str]]:
    """The recipe's ``test_set`` table: each ``score`` copy of that step (bound to a track, a model and a
    test part) on the track's entity types, per part and pooled over parts (counts summed: micro F1)."""
    template = recipe.get("test_set")
    found: dict[tuple[str, str], dict[str, tuple[int, int, int]]] = {}
    tracks: dict[str, None] = {}
    for step, argv in plan:
        if not template or step.get("_template", step["id"]) != template or argv[0] != "score":
            continue
        result_file = Path(_option(argv, "--output") or _option(argv, "--json") or "")  # --json: its old name
        if not result_file.is_file():
            continue
        bound = step.get("_each") or {}
        types = [kind.strip() for kind in str(bound.get("track_value", "")).split(",") if kind.strip()]
        result = read_score_result(result_file)
        counts = _counts(result, types) if types else tuple(result["micro"][k] for k in ("tp", "pred", "gold"))
        track = bound.get("track", "")
        tracks[track] = None
        found.setdefault((track, bound.get("stage", "")), {})[bound.get("part_slug", "")] = counts
    rows = []
    for (track, stage), parts in found.items():
        for part, counts in parts.items():
            rows.append([track or "–", stage or "–", part or "–", *_prf(*counts)])
        if len(parts) > 1:
            pooled = tuple(sum(counts[i] for counts in parts.values()) for i in range(3))
            rows.append([track or "–", stage or "–", "**pooled**", *_prf(*pooled)])  # type: ignore[arg-type]
    return rows


def paper_section(recipe: dict) -> Section | None:
    """The study's own tables and figures and, for each, the recipe step that reproduces it (or why not);
    then every setting of this run beside what the study states of it ("not stated in the study; adapterkit's
    choice" where it states nothing)."""
    rows = recipe.get("paper") or []
    if not rows:
        return None
    text = (
        "Each table and figure of the study, and the step of this recipe that reproduces it on your data; then "
        "each setting of this run and whether the study states it."
    )
    tables = [markdown_table(["in the study", "here"], rows, "ll")]
    settings = settings_rows(recipe)
    if settings:
        tables.append(markdown_table(["setting", "this run", "source"], settings, "lll"))
    return Section("The study's tables and figures", text, tables)


def recovery_rows(pairs: list[list[str]], compare_dirs: list[tuple[str, Path]]) -> list[list[str]]:
    """One row per (compare step, pair) where the comparison has both the LoRA and the full variant."""
    rows = []
    for step_id, folder in compare_dirs:
        data = read_comparison(folder / "comparison.json")
        metric, summary, baseline = data["metrics"][0], data["summary"], data["baseline"]
        base = (summary.get(baseline, {}).get(metric) or {}).get("mean")
        for lora, full in pairs:
            lora_score = (summary.get(lora, {}).get(metric) or {}).get("mean")
            full_score = (summary.get(full, {}).get(metric) or {}).get("mean")
            if base is None or lora_score is None or full_score is None:
                continue
            gain = full_score - base
            ratio = (
                "– (full adaptation did not change the score)"
                if abs(gain) < 1e-12
                else number((lora_score - base) / gain, 2)
            )
            full_cell, lora_cell = f"{full} {number(full_score, 4)}", f"{lora} {number(lora_score, 4)}"
            rows.append([step_id, metric, number(base, 4), full_cell, lora_cell, ratio])
    return rows


def write_recipe_report(run_dir: Path, recipe: dict, plan: list[tuple[dict, list[str]]], status: dict[str, str]):
    """``run_dir/report.md`` and ``report.html`` for the recipe's steps as they stand now."""
    figures_dir = run_dir / "figures"
    overview = [[step["id"], status.get(step["id"], "–"), "`adapterkit " + " ".join(argv) + "`"] for step, argv in plan]
    # Results first, then what the study states to read them against, then the data and the steps
    # (the settings), as a reviewer reads a report.
    sections: list[Section] = []
    compare_dirs = []
    for step, argv in plan:
        command = " ".join(argv[:2]) if argv[0] == "vocab" else argv[0]
        if command == "pretrain":
            section = _pretrain_section(step, argv, figures_dir)
        elif command in ("vocab extend", "vocab build"):
            section = _vocab_section(step, argv)
        elif command == "eval-mlm":
            section = _eval_mlm_section(step, argv)
        elif command == "compare":
            section = _compare_section(step, argv, run_dir)
            if section is not None:
                compare_dirs.append((step["id"], _compare_dir(argv)))
        else:
            section = None
        if section is not None:
            sections.append(section)
    external = external_rows(plan)
    if external:
        text = (
            "Each model fine-tuned on the whole internal set and scored on the external set "
            "(`finetune --eval-data`), beside the same variant's cross-validated score on the internal set."
        )
        header = ["step", "variant", "metric", "internal (CV mean ± sd)", "external"]
        sections.append(Section("External validation", text, [markdown_table(header, external, "lllrr")]))
    per_language = per_language_rows(recipe, plan)
    if per_language is not None:
        header, rows = per_language
        text = (
            "Mean over folds of each language: *multilingual* = trained on every language pooled (that "
            "language's part of the pooled comparison), *monolingual* = trained on that language alone "
            "(– where no monolingual run was made). The folds differ between the two, so the columns are "
            "set side by side, not tested against each other."
        )
        table = markdown_table(header, rows, "llllrr")
        sections.append(Section("Per language: multilingual vs monolingual training", text, [table]))
    test_rows = heldout_rows(recipe, plan)
    if test_rows:
        text = (
            "The final models' `.ann` predictions on the held-out test set (made from the test text alone), "
            "scored by `adapterkit score` (exact character offsets and type, micro-averaged) on each track's "
            "entity types: per language and pooled over languages (counts summed)."
        )
        header = ["track", "model", "language", "precision", "recall", "F1", "TP / predicted / gold"]
        sections.append(Section("Test set: exact-span scores", text, [markdown_table(header, test_rows, "lllrrrr")]))
    audits = audit_section(plan)
    if audits is not None:
        sections.append(audits)
    pairs = recipe.get("recovery") or []
    if pairs:
        rows = recovery_rows(pairs, compare_dirs)
        text = (
            "recovery = (LoRA − base) / (full − base) on each comparison's primary metric (mean over folds): "
            "the share of full continued pre-training's effect that the LoRA adapter recovers. "
            "Undefined where full adaptation left the score unchanged."
        )
        tables = [markdown_table(["comparison", "metric", "base", "full", "LoRA", "recovery"], rows)] if rows else []
        sections.append(
            Section("LoRA vs full: recovery ratio", text if rows else "No comparison holds a pair.", tables)
        )
    paper = paper_section(recipe)
    if paper is not None:
        sections.append(paper)
    data = data_rows(plan)
    if data:
        text = (
            "The data each comparison or fine-tuning read, as it read it (`--limit` and `--types` applied): "
            "sentences or examples, entities (NER), the positive class (binary classification)."
        )
        header = ["step", "data", "size", "entities", "positive class"]
        sections.append(Section("Data", text, [markdown_table(header, data, "llrrl")]))
    sections.append(
        Section(
            "Steps",
            recipe.get("description", ""),
            [markdown_table(["step", "this run", "command"], overview, align="lll")],
        )
    )
    return write_report(run_dir, f"Recipe {recipe.get('name') or run_dir.name}", sections)


def rewrite_recipe_report(run_dir: Path):
    """The report of an earlier ``adapterkit run`` from what it recorded: the recipe file copied into
    ``run_dir`` and each finished step's command line in ``run_dir/steps`` (overrides included)."""
    from ..errors import AdapterkitError
    from ..recipes import load_recipe, read_step_record

    recipe_file = run_dir / "recipe.toml"
    if not recipe_file.is_file():
        raise AdapterkitError(f"{run_dir}: no recipe.toml; give a folder written by adapterkit run")
    recipe = load_recipe(recipe_file)
    plan, status = [], {}
    for template in recipe["steps"]:
        if "foreach" in template:  # its copies, one per item the run had (overrides included)
            records = sorted((run_dir / "steps").glob(f"{template['id']}-*.json"), key=lambda p: p.stat().st_mtime)
            found = [(read_step_record(r), r) for r in records]
            found = [(data, r) for data, r in found if data.get("template") == template["id"]]
        else:
            record = run_dir / "steps" / f"{template['id']}.json"
            found = [(read_step_record(record), record)] if record.is_file() else []
        for data, _ in found:
            step = {**template, "id": data["id"], "_template": template["id"], "_each": data.get("each") or {}}
            plan.append((step, data["argv"]))
            status[step["id"]] = f"finished {data.get('finished', '')}".strip()
    return write_recipe_report(run_dir, recipe, plan, status)
