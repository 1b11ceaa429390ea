"""The study's evaluation protocol: k-fold cross-validation and the comparison of variants.

Folds are assigned once per dataset and written to a fold file (by default
``runs/folds/<dataset hash>-k<K>-s<seed>.json``); every later run on the same data — any
variant, any session — reads the same file, so all variants see identical folds. Folds are
by document where the data has documents (BRAT, PharmaCoNER, ``-DOCSTART-``), stratified by
label for single-label classification, plain shuffled K-fold otherwise.

Each fold's metrics are written to ``<run>/folds/<k>/metrics.json`` as soon as the fold is
done; ``--resume`` continues at the first unfinished fold (inside a fold, from the Trainer's
last checkpoint).

Under ``torchrun`` / ``accelerate launch`` every process runs the same folds in the same order
and each fold's training is data-parallel (DDP through the Trainer); the main process alone
writes files. (Spreading whole folds over processes would need each process to train without
DDP, which the Trainer decides from the launcher's environment: DDP per fold is the simpler
correct choice, and it also serves a single long fold.)
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sys
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from transformers import set_seed

from .errors import AdapterkitError
from .paths import registry_dir
from .pretrain import process_state
from .registry import Registry, check_writable, write_text
from .tasks.data import NerDataset
from .tasks.finetune import (
    TrainSettings,
    add_task_adapter,
    build_model,
    finite,
    model_limit,
    predict,
    read_data,
    resolve_variant,
    save_task_model,
    score,
    task_kind,
    train,
)

HEADLINE = {
    "ner": ["f1", "precision", "recall", "macro_f1"],
    "classification": ["mcc", "f1", "precision", "recall", "specificity", "roc_auc"],
    "multilabel": ["macro_f1", "micro_f1"],
    "regression": ["pearson", "spearman"],
}


@dataclass
class CvRequest:
    """Every setting of ``adapterkit cv`` (the CLI options, one to one)."""

    data: list[Path]
    variant: str = "base"
    base: str | None = None
    fmt: str = "auto"
    preset: str = "auto"
    repair: bool = False
    folds: int = 10
    seed: int = 42
    fold_file: Path | None = None
    strict: bool = False
    limit: int | None = None  # use only the first N examples (small-scale runs); None or 0: all
    types: list[str] | None = None  # keep only these entity types
    keep_model: bool = False  # keep the first fold's trained model (for ``adapterkit analyse``)
    settings: TrainSettings = field(default_factory=TrainSettings)
    run_dir: Path | None = None
    resume: bool = False
    force: bool = False
    registry: Path | None = None


@dataclass
class CvResult:
    variant: str
    kind: str
    per_fold: list[dict]
    fold_file: Path
    run_dir: Path

    def summary(self) -> dict:
        from .stats import mean_sd

        out = {}
        for key in HEADLINE[self.kind]:
            values = [fold[key] for fold in self.per_fold if fold.get(key) is not None]
            if values:
                out[key] = mean_sd(values)
        return out


def limited(items: list, limit: int) -> list:
    """The first ``limit`` examples; of each part when the data has parts (``--data LANG=PATH``)."""
    parts = list(dict.fromkeys(item.group for item in items))
    if len(parts) < 2:
        return items[:limit]
    taken: dict[str, int] = dict.fromkeys(parts, 0)
    kept = []
    for item in items:
        if taken[item.group] < limit:
            taken[item.group] += 1
            kept.append(item)
    return kept


def _ids_and_groups(data, items) -> tuple[list[str], list[str] | None, list[str] | None]:
    ids = [item.source for item in items]
    if len(set(ids)) != len(ids):  # sources repeat (e.g. one line holds several records): make them unique
        ids = [f"{item.source}#{index}" for index, item in enumerate(items)]
    doc_ids = [item.doc_id for item in items]
    # Folds by document when the data has several (BRAT, PharmaCoNER, -DOCSTART-); a file that is
    # one document (plain CoNLL, MoNERo) is split by sentence.
    has_documents = 1 < len(set(doc_ids)) < len(doc_ids)
    groups = doc_ids if has_documents else None
    strata = (
        [item.label for item in items] if not isinstance(data, NerDataset) and data.task == "classification" else None
    )
    return ids, groups, strata


def default_fold_file(ids: list[str], k: int, seed: int) -> Path:
    digest = hashlib.sha256("\n".join(ids).encode("utf-8")).hexdigest()[:16]
    return Path("runs") / "folds" / f"{digest}-k{k}-s{seed}.json"


def _write_json(path: Path, data: dict) -> None:
    """Write through a temporary file and rename: a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(path.suffix + ".tmp")
    write_text(temporary, json.dumps(data, indent=2, ensure_ascii=False) + "\n")  # never through a symlink
    temporary.replace(path)


def run_cv(request: CvRequest) -> CvResult:
    """Cross-validate one variant on one task; per-fold metrics and mean ± sd."""
    from .folds import folds_for, split

    settings = request.settings
    settings.validate()
    if request.folds < 2:
        raise AdapterkitError(f"--folds {request.folds}: expected at least 2")
    check_writable(request.run_dir or Path("runs"), "--run-dir")
    store = Registry(registry_dir(request.registry))
    variant = resolve_variant(request.variant, store, request.base)
    from .models import load_tokenizer

    tokenizer = load_tokenizer(variant.base)
    settings.max_seq_len = model_limit(variant, settings.max_seq_len)
    data, items = read_data(request.data, request.fmt, request.preset, request.repair, tokenizer, types=request.types)
    if request.limit:
        if request.limit < 2:
            raise AdapterkitError(f"--limit {request.limit}: expected at least 2 examples")
        items = limited(items, request.limit)
    kind = task_kind(data)
    labels = data.labels
    ids, groups, strata = _ids_and_groups(data, items)
    fold_file = request.fold_file or default_fold_file(ids, request.folds, request.seed)
    state = process_state()
    with state.main_process_first():  # the main process writes a new fold file; the others read it
        assignment = folds_for(fold_file, ids, request.folds, request.seed, groups, strata)
    say = print if state.is_main_process else _silent

    run_dir = request.run_dir or Path("runs") / "cv" / _safe(request.variant)
    settings_file = run_dir / "cv-settings.json"
    recorded = {
        "data": [str(p) for p in request.data],
        "format": request.fmt,
        "preset": request.preset,
        "repair": request.repair,
        "base": request.base,
        "variant": request.variant,
        "folds": request.folds,
        "seed": request.seed,
        "fold_file": str(fold_file),
        "strict": request.strict,
        "limit": request.limit,
        "types": request.types,
        "settings": dict(settings.__dict__),
    }
    if settings_file.is_file() and not request.force:
        if not request.resume:
            raise AdapterkitError(f"{run_dir} holds an earlier cv run: add --resume to continue it, or --force to redo")
        if json.loads(settings_file.read_text()) != json.loads(json.dumps(recorded)):
            raise AdapterkitError(f"--resume: {run_dir} was run with other settings; use the same options or --force")
    state.wait_for_everyone()  # every process has checked the folder before the main one changes it
    if state.is_main_process:
        if request.force and run_dir.exists():
            shutil.rmtree(run_dir)
        _write_json(settings_file, recorded)
    state.wait_for_everyone()

    per_fold = []
    say(f"cv: {request.variant} on {len(items)} {kind} examples, {request.folds} folds ({fold_file})", flush=True)
    for fold in range(request.folds):
        fold_dir = run_dir / "folds" / str(fold)
        result_file = fold_dir / "metrics.json"
        if result_file.is_file():
            per_fold.append(json.loads(result_file.read_text()))
            say(f"  fold {fold + 1}/{request.folds}: done earlier", flush=True)
            continue
        train_index, test_index = split(assignment, fold)
        # Seed the new head per fold (the same in every process): a resumed run that starts at this
        # fold initialises it the same.
        set_seed(settings.seed + fold)
        model = build_model(variant, kind, labels, settings.quantize)
        if settings.mode == "adapter":
            model = add_task_adapter(
                model, kind, settings.task_lora_r, settings.task_lora_alpha, settings.task_lora_dropout
            )
        checkpoints = fold_dir / "checkpoints"
        model = train(
            model,
            tokenizer,
            [items[i] for i in train_index],
            kind,
            labels,
            settings,
            checkpoints,
            resume=request.resume,
            log_file=fold_dir / "log.json",
        )
        test_items = [items[i] for i in test_index]
        predictions, probabilities = predict(model, tokenizer, test_items, kind, labels, settings)
        metrics = finite(score(kind, test_items, predictions, probabilities, labels, request.strict))
        metrics["n_test"] = len(test_items)
        if state.is_main_process:
            if request.keep_model and fold == 0:
                save_task_model(model, tokenizer, fold_dir / "model", _fold_manifest(request, variant, kind, labels))
            _write_json(result_file, metrics)
            shutil.rmtree(checkpoints, ignore_errors=True)
        per_fold.append(metrics)
        headline = ", ".join(f"{k} {metrics[k]:.4f}" for k in HEADLINE[kind][:3] if metrics.get(k) is not None)
        say(f"  fold {fold + 1}/{request.folds}: {headline}", flush=True)
    result = CvResult(request.variant, kind, per_fold, fold_file, run_dir)
    if state.is_main_process:
        _write_json(run_dir / "cv.json", {**recorded, "per_fold": per_fold, "summary": result.summary()})
    summary = result.summary()
    say("cv: " + ", ".join(f"{k} {m:.4f} ± {s:.4f}" for k, (m, s) in summary.items()), flush=True)
    return result


def _fold_manifest(request: CvRequest, variant, kind: str, labels: list[str]) -> dict:
    """What ``load_task_model`` needs to reload a kept fold model (and what it was trained on)."""
    return {
        "name": f"{_safe(request.variant)}-fold0",
        "kind": "task",
        "task": kind,
        "labels": labels,
        "adapter": request.settings.mode == "adapter",
        "variant": request.variant,
        "language_adapters": variant.parts,
        "base": {"id": variant.base.name, "fingerprint": variant.fingerprint, "path": str(variant.base.path)},
        "data": [str(path) for path in request.data],
        "types": request.types,
        "fold": 0,
        "settings": dict(request.settings.__dict__),
    }


def _silent(*args, **kwargs) -> None:
    """``print`` for the processes other than the main one under torchrun."""


def _safe(label: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_.+" else "_" for ch in label).strip("._") or "variant"


@dataclass
class CompareRequest:
    variants: list[str]
    cv: CvRequest
    run_id: str | None = None


def run_compare(request: CompareRequest) -> Path:
    """``cv`` for every variant on identical folds, then the study's comparison table."""
    from .stats import compare

    if len(request.variants) < 2:
        raise AdapterkitError("compare needs at least two variants (the first is the baseline)")
    if len(set(request.variants)) != len(request.variants):
        raise AdapterkitError("compare: a variant is named twice")
    run_id = request.run_id or datetime.now(timezone.utc).strftime("compare-%Y%m%d-%H%M%S")
    run_dir = Path("runs") / _safe(run_id)
    results: dict[str, list[dict]] = {}
    kind = "ner"
    fold_file = None
    for variant in request.variants:
        cv_request = CvRequest(
            **{**request.cv.__dict__, "variant": variant, "run_dir": run_dir / "cv" / _safe(variant)}
        )
        cv_request.settings = TrainSettings(**request.cv.settings.__dict__)
        if fold_file is not None:
            cv_request.fold_file = fold_file
        result = run_cv(cv_request)
        fold_file = result.fold_file
        kind = result.kind
        results[variant] = result.per_fold
    comparison = compare(results, request.variants[0], HEADLINE[kind], "f1" if kind == "ner" else None)
    if not process_state().is_main_process:  # under torchrun the main process writes the comparison
        return run_dir
    (run_dir / "comparison.md").write_text(comparison.to_markdown())
    (run_dir / "comparison.csv").write_text(comparison.to_csv())
    (run_dir / "comparison.json").write_text(comparison.to_json())
    (run_dir / "command.txt").write_text(" ".join(["adapterkit", *sys.argv[1:]]) + "\n")
    from .versions import versions

    _write_json(run_dir / "versions.json", versions())
    shutil.copyfile(fold_file, run_dir / "folds.json")
    from .report import report_for_compare

    report_md, report_html = report_for_compare(run_dir)
    print(comparison.to_markdown())
    print(f"written to {run_dir}/comparison.{{md,csv,json}}, {report_md.name} and {report_html.name}")
    return run_dir
