"""``adapterkit analyse RUN_DIR``: the study's qualitative analyses of a finished ``compare`` run.

What is analysed follows the task of the run:

- NER: every variant's *encoder* (the pre-trained variant, before fine-tuning, as in the study)
  embeds the gold entities of the run's data (last layer, mean over an entity's subwords); the
  report gets one t-SNE plot per variant coloured by type, and a table of intra-entity cosine
  similarity per type and variant (a domain-adapted encoder groups entities of one type closer).
- classification / multi-label: gradient × input token importance of a few test decisions of the
  first fold, made with the first fold's model that ``compare --keep-model`` kept (the study used
  LIME; see ``qualitative.token_importance`` for why gradient × input). Without a kept model the
  report says so instead of explaining anything.

Everything goes to ``RUN_DIR/analysis/`` (``analysis.json`` and the figures), and the run's
report is rewritten with an "Analysis" section.
"""

from __future__ import annotations

import random
from pathlib import Path

import torch

from ..errors import AdapterkitError
from ..manifest import read_comparison, read_run_settings
from ..paths import registry_dir
from ..registry import Registry, check_writable
from ..safety import atomic_write_json

ANALYSIS_DIR = "analysis"


def _cv_settings(run_dir: Path) -> list[dict]:
    files = sorted((run_dir / "cv").glob("*/cv-settings.json"))
    if not (run_dir / "comparison.json").is_file() or not files:
        raise AdapterkitError(f"{run_dir}: not a finished compare run (no comparison.json and cv/*/cv-settings.json)")
    return [{**read_run_settings(file), "_dir": str(file.parent)} for file in files]


def _read(recorded: dict):
    from ..tasks.inputs import read_data

    data, items = read_data(
        [Path(p) for p in recorded["data"]],
        recorded.get("format", "auto"),
        recorded.get("preset", "auto"),
        recorded.get("repair", False),
        types=recorded.get("types"),
    )
    from .cv import limited

    limit = recorded.get("limit")
    return data, limited(items, limit, whole_documents=bool(getattr(data, "gold", None))) if limit else items


def run_analyse(
    run_dir: Path, max_entities: int = 1500, examples: int = 3, registry: Path | None = None, seed: int = 0
) -> dict:
    """Analyse every variant of the compare run in ``run_dir``; returns what ``analysis.json`` holds."""
    from ..models import load_tokenizer
    from ..readers.kinds import kind_of
    from ..report import report_for_compare
    from ..tasks.inputs import task_kind
    from ..variants import task_start

    if max_entities < 3:
        raise AdapterkitError(f"--max-entities {max_entities}: expected at least 3 (t-SNE needs three points)")
    if examples < 1:
        raise AdapterkitError(f"--examples {examples}: expected at least 1")
    run_dir = Path(run_dir)
    check_writable(run_dir / ANALYSIS_DIR, "analyse")  # before any model is loaded
    runs = _cv_settings(run_dir)
    order = read_comparison(run_dir / "comparison.json")["variants"]
    runs.sort(key=lambda run: order.index(run["variant"]) if run["variant"] in order else len(order))
    store = Registry(registry_dir(registry))
    out = run_dir / ANALYSIS_DIR
    out.mkdir(parents=True, exist_ok=True)
    result: dict = {"variants": [run["variant"] for run in runs]}
    for run in runs:
        variant = task_start(run["variant"], store, run.get("base"))
        tokenizer = load_tokenizer(variant.base)
        data, items = _read(run)
        kind = task_kind(data)
        result["task"] = kind
        print(f"analyse: {run['variant']} ({kind}, {len(items)} examples)", flush=True)
        analysis = kind_of(kind).analysis
        if analysis == "entities":
            _entities(result, out, run, variant, data, items, tokenizer, max_entities, seed)
        elif analysis == "importance":
            _importance(result, out, run, data, items, store, examples)
        else:
            result.setdefault("notes", []).append(
                f"{kind}: no qualitative analysis is defined for this task (scores only)"
            )
            break
    atomic_write_json(out / "analysis.json", result)
    markdown, _ = report_for_compare(run_dir)
    print(f"analysis written to {out}; report: {markdown}")
    return result


def _sample_sentences(items, max_entities: int, seed: int):
    """Sentences holding at most ``max_entities`` gold entities, drawn in a seeded order."""
    from seqeval.metrics.sequence_labeling import get_entities

    order = list(range(len(items)))
    random.Random(seed).shuffle(order)
    chosen, total = [], 0
    for index in order:
        count = len(get_entities(list(items[index].tags)))
        if count and total + count <= max_entities:
            chosen.append(items[index])
            total += count
    return chosen


def _entities(result, out: Path, run: dict, variant, data, items, tokenizer, max_entities: int, seed: int) -> None:
    from ..qualitative import collect_entity_embeddings, intra_entity_similarity
    from ..report import tsne_plot
    from ..tasks.model import build_model

    sentences = _sample_sentences(items, max_entities, seed)
    model = build_model(variant, "ner", data.labels)  # the head is not used: last-layer states only
    with torch.no_grad():
        collected = collect_entity_embeddings(model, tokenizer, sentences, run["settings"]["max_seq_len"])
    label = run["variant"]
    similarity = intra_entity_similarity(collected.embeddings, collected.types)
    result.setdefault("similarity", {})[label] = similarity
    result.setdefault("entities", {})[label] = {
        "embedded": len(collected.types),
        "skipped_beyond_limit": len(collected.skipped_beyond_limit),
        "sentences": len(sentences),
    }
    if len(collected.types) >= 3:
        path = out / f"tsne-{_file_name(label)}.png"
        figure = tsne_plot(collected.embeddings, collected.types, path, seed=seed, name=label)
        result.setdefault("figures", {})[label] = figure.name


def _importance(result, out: Path, run: dict, data, items, store: Registry, examples: int) -> None:
    from ..folds import folds_for, split
    from ..qualitative import token_importance
    from ..report import importance_figure
    from ..tasks.model import load_task_model
    from .cv import _ids_and_groups

    label = run["variant"]
    kept = Path(run["_dir"]) / "folds" / "1" / "model"  # the first fold's
    if not kept.is_dir():
        result.setdefault("notes", []).append(
            f"{label}: no kept model; rerun compare with --keep-model to explain its decisions"
        )
        return
    model, tokenizer, manifest = load_task_model(str(kept), store)
    ids, _, _ = _ids_and_groups(data, items)
    assignment = folds_for(Path(run["fold_file"]), ids, run["folds"], run["seed"])  # refuses changed data
    _, test = split(assignment, 0)
    explained = []
    for number, index in enumerate(test[:examples]):
        example = items[index]
        scores = token_importance(model, tokenizer, example.text, max_length=run["settings"]["max_seq_len"])
        limit = run["settings"]["max_seq_len"]
        with torch.no_grad():
            encoded = tokenizer(example.text, truncation=True, max_length=limit, return_tensors="pt")
            logits = model(**encoded).logits[0]
        predicted = (manifest.labels or [])[int(logits.argmax())]  # the class whose logit is explained
        title = f"Token importance for '{predicted}', {label}"
        figure = importance_figure(scores[:40], out / f"importance-{_file_name(label)}-{number}.png", title)
        special = set(tokenizer.all_special_tokens)
        top = sorted(((token, s) for token, s in scores if token not in special), key=lambda pair: -abs(pair[1]))
        explained.append(
            {
                "source": example.source,
                "gold": example.label,
                "explained_label": predicted,
                "top_tokens": [[token, round(value, 4)] for token, value in top[:8]],
                "figure": figure.name,
            }
        )
    result.setdefault("importance", {})[label] = explained


def _file_name(label: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in label).strip("._") or "variant"
