"""The report of a whole recipe run: ``runs/<recipe>/report.md`` and a self-contained ``report.html``.

Built only from what the steps recorded, after the last step (and again by ``adapterkit run``
when every step was skipped): the step list; per pre-training step its training curve (loss and
held-out perplexity before/after, from the manifest) and figures; per vocabulary extension its
tokens per word and forgetting check; per ``eval-mlm`` its perplexity matrix; per ``compare`` its
comparison tables (its own report.html has the per-type bars, curves and analyses); and the
LoRA-vs-full recovery ratio of the recipe's ``recovery`` pairs:

    recovery = (score with LoRA adaptation − base) / (score with full adaptation − base)

on the comparison's primary metric (entity F1 for NER, MCC for classification, macro F1 for
multi-label, Pearson for similarity), one row per compare step that holds both members of a pair.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from .paths import registry_dir
from .registry import MANIFEST
from .report import Section, markdown_table, training_curve, write_report


def _option(argv: list[str], name: str) -> str | None:
    return argv[argv.index(name) + 1] if name in argv and argv.index(name) + 1 < len(argv) else None


def _options(argv: list[str], name: str) -> list[str]:
    return [argv[i + 1] for i, item in enumerate(argv[:-1]) if item == name]


def _pretrain_manifest(argv: list[str]) -> tuple[Path, dict] | None:
    name = _option(argv, "--name")
    if name is None:
        return None
    folder = Path(_option(argv, "--output") or "")
    if not _option(argv, "--output"):
        folder = Path("models") / name if "--full" in argv else registry_dir(_path_or_none(argv, "--registry")) / name
    manifest = folder / MANIFEST
    return (folder, json.loads(manifest.read_text())) if manifest.is_file() else None


def _path_or_none(argv: list[str], name: str) -> Path | None:
    value = _option(argv, name)
    return Path(value) if value else None


def _number(value, digits: int = 2) -> str:
    return "–" if value is None else f"{value:,.{digits}f}"


def _pretrain_section(step: dict, argv: list[str], figures_dir: Path) -> Section | None:
    found = _pretrain_manifest(argv)
    if found is None:
        return None
    folder, manifest = found
    hyper, training, perplexity = manifest["hyperparameters"], manifest["training"], manifest["perplexity"]
    rows = [
        ["result", f"`{folder}` ({hyper['mode']})"],
        [
            "corpus tokens (train / held-out)",
            f"{manifest['corpus']['train_tokens']:,} / {manifest['corpus']['heldout_tokens']:,}",
        ],
        ["steps", hyper["steps"]],
        ["held-out perplexity before → after", f"{_number(perplexity['before'])} → {_number(perplexity['after'])}"],
        ["final training loss", _number(training.get("final_loss"), 4)],
        ["tokens/s", _number(training.get("tokens_per_s"), 1)],
    ]
    figures, captions = [], []
    log = training.get("log") or []
    name = manifest.get("name", folder.name)
    logged_loss = any("loss" in entry for entry in log)
    if logged_loss or any("perplexity" in entry for entry in log):
        figures.append(training_curve(log, figures_dir / f"pretrain-{step['id']}.png", name))
        captions.append(
            f"Training loss of {name} per logging step, and its held-out perplexity before and after training"
            if logged_loss
            else f"Held-out perplexity of {name} before and after training"
        )
    notes = [] if logged_loss else ["No training loss was logged (fewer steps than --logging-steps)."]
    if manifest["base"].get("mlm_head") == "new":
        notes.append(
            f"The base {manifest['base']['id']} has no pretrained MLM head: the 'before' perplexity "
            f"({_number(perplexity['before'])}) is that of a freshly initialised (seeded) head, not of a trained "
            "language model, and the drop after training includes the head learning to predict at all."
        )
    table = markdown_table(["figure", "value"], rows, align="ll")
    return Section(f"Pre-training: {step['id']}", "\n\n".join(notes), [table], figures, captions)


def _vocab_section(step: dict, argv: list[str]) -> Section | None:
    out = _option(argv, "--out")
    manifest_file = Path(out) / MANIFEST if out else None
    if manifest_file is None or not manifest_file.is_file():
        return None
    manifest = json.loads(manifest_file.read_text())
    vocabulary, corpus = manifest["vocabulary"], manifest["corpus"]
    ppl = manifest["perplexity"]
    rows = [
        ["new pieces", f"{vocabulary['added']:,} (domain vocabulary of {vocabulary['size']:,})"],
        [
            "tokens per word, domain text",
            f"{corpus['tokens_per_word']['before']:.3f} → {corpus['tokens_per_word']['after']:.3f}",
        ],
        [
            "held-out perplexity: base / extended / trained",
            f"{_number(ppl['base'])} / {_number(ppl['extended'])} / {_number(ppl['trained'])}",
        ],
    ]
    other = manifest.get("other_corpus")
    if other and other.get("perplexity"):
        other_ppl = other["perplexity"]
        rows.append(
            [
                "forgetting check, other text: perplexity base / extended / trained",
                " / ".join(_number(other_ppl.get(key)) for key in ("base", "extended", "trained")),
            ]
        )
        if other.get("tokens_per_word"):
            tpw = other["tokens_per_word"]
            rows.append(["tokens per word, other text", f"{tpw['before']:.3f} → {tpw['after']:.3f}"])
    text = (
        "Base perplexity uses the base tokenizer; extended and trained use the extended one on the same "
        "masked positions, so only those two compare exactly."
    )
    return Section(f"Vocabulary extension: {step['id']}", text, [markdown_table(["figure", "value"], rows, align="ll")])


def _eval_mlm_section(step: dict, argv: list[str]) -> Section | None:
    tables = [Path(out).read_text() for out in _options(argv, "--out") if out.endswith(".md") and Path(out).is_file()]
    # the step's own note (the demo's: the embedded base's MLM head is untrained) goes with its table
    return Section(f"Held-out perplexity: {step['id']}", step.get("about", ""), tables) if tables else None


def _compare_dir(argv: list[str]) -> Path | None:
    run_id = _option(argv, "--run-id")
    folder = Path("runs") / run_id if run_id else None
    return folder if folder is not None and (folder / "comparison.json").is_file() else None


def _compare_section(step: dict, argv: list[str], report_dir: Path) -> Section | None:
    folder = _compare_dir(argv)
    if folder is None:
        return None
    link = Path(os.path.relpath(folder.resolve() / "report.html", report_dir.resolve())).as_posix()
    text = (step.get("about", "") + "\n\n" if step.get("about") else "") + (
        f"Full report with per-type bars, training curves and analyses: [{folder}/report.html]({link})"
    )
    return Section(f"Comparison: {step['id']}", text, [(folder / "comparison.md").read_text()])


def recovery_rows(pairs: list[list[str]], compare_dirs: list[tuple[str, Path]]) -> list[list[str]]:
    """One row per (compare step, pair) where the comparison has both the LoRA and the full variant."""
    rows = []
    for step_id, folder in compare_dirs:
        data = json.loads((folder / "comparison.json").read_text())
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
                else f"{(lora_score - base) / gain:.2f}"
            )
            rows.append([step_id, metric, f"{base:.4f}", f"{full} {full_score:.4f}", f"{lora} {lora_score:.4f}", ratio])
    return rows


def write_recipe_report(run_dir: Path, recipe: dict, plan: list[tuple[dict, list[str]]], status: dict[str, str]):
    """``run_dir/report.md`` and ``report.html`` for the recipe's steps as they stand now."""
    figures_dir = run_dir / "figures"
    overview = [[step["id"], status.get(step["id"], "–"), "`adapterkit " + " ".join(argv) + "`"] for step, argv in plan]
    sections = [
        Section(
            "Steps",
            recipe.get("description", ""),
            [markdown_table(["step", "this run", "command"], overview, align="lll")],
        )
    ]
    compare_dirs = []
    for step, argv in plan:
        command = " ".join(argv[:2]) if argv[:2] == ["vocab", "extend"] else argv[0]
        if command == "pretrain":
            section = _pretrain_section(step, argv, figures_dir)
        elif command == "vocab extend":
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
    return write_report(run_dir, f"Recipe {recipe.get('name') or run_dir.name}", sections)


def rewrite_recipe_report(run_dir: Path):
    """The report of an earlier ``adapterkit run`` from what it recorded: the recipe file copied into
    ``run_dir`` and each finished step's command line in ``run_dir/steps`` (overrides included)."""
    from .errors import AdapterkitError
    from .recipes import load_recipe

    recipe_file = run_dir / "recipe.toml"
    if not recipe_file.is_file():
        raise AdapterkitError(f"{run_dir}: no recipe.toml; give a folder written by adapterkit run")
    recipe = load_recipe(recipe_file)
    plan, status = [], {}
    for step in recipe["steps"]:
        record = run_dir / "steps" / f"{step['id']}.json"
        if record.is_file():
            data = json.loads(record.read_text())
            plan.append((step, data["argv"]))
            status[step["id"]] = f"finished {data.get('finished', '')}".strip()
    return write_recipe_report(run_dir, recipe, plan, status)
