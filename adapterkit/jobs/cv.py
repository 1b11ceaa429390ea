"""The study's evaluation protocol: k-fold cross-validation and the comparison of variants.

Folds are assigned once per dataset and written to a fold file (by default
``runs/folds/<dataset hash>-k<K>-s<seed>.json``); every later run on the same data — any
variant, any session, any tokenizer — reads the same file, so all variants see identical folds.
Folds are by document where the data has documents (BRAT, PharmaCoNER, ``-DOCSTART-``),
stratified by label for single-label classification, plain shuffled K-fold otherwise.

BRAT data is document data defined on its text: the fold file's items are the documents
themselves. A fold trains on the gold-segmented sentences of its training documents and is
scored on the text-segmented sentences of its test documents, as exact character spans against
every gold entity of those documents (``tasks/scoring.py``). Nothing depends on a tokenizer:
long sentences are windowed at encoding, so a variant on another base shares the fold file.

Each fold's metrics are written to ``<run>/folds/<k>/metrics.json`` (k = 1..K, as on screen and
in reports) as soon as the fold is
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
import shlex
import shutil
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from ..errors import AdapterkitError
from ..invocation import command_line
from ..manifest import read_comparison, read_cv_run, read_fold_metrics
from ..paths import folder_name, registry_dir
from ..readers.kinds import NER, kind_of
from ..registry import Registry, check_writable
from ..safety import (
    atomic_write_bytes,
    atomic_write_json,
    atomic_write_text,
    check_replaceable,
    checkpoint_step,
    write_marker,
)
from ..tasks.inputs import read_data, task_kind
from ..tasks.model import save_task_model
from ..tasks.pipeline import fit_and_score, prepare_task
from ..tasks.scoring import document_gold, scheme_note, scoring_summary
from ..tasks.settings import TRAINING_RULES, TrainSettings
from ..training import check_same_settings, process_state
from ..variants import adapter_parts, parse_variant
from .requests import CompareRequest, CvRequest


@dataclass
class CvResult:
    variant: str
    kind: str
    per_fold: list[dict]
    fold_file: Path
    run_dir: Path
    positive: str | None = None  # a binary classification's positive class

    def summary(self) -> dict:
        from ..stats import mean_sd

        out = {}
        for key in kind_of(self.kind).headline_metrics:
            values = [fold[key] for fold in self.per_fold if fold.get(key) is not None]
            if values:
                out[key] = mean_sd(values)
        return out


def limited(items: list, limit: int, whole_documents: bool = False) -> list:
    """The first ``limit`` examples; of each part when the data has parts (``--data LANG=PATH``).

    With ``whole_documents`` (document data) every document those examples touch is kept whole,
    so its gold entities are all scored."""
    parts = list(dict.fromkeys(item.group for item in items))
    if len(parts) < 2:
        kept = items[:limit]
    else:
        taken: dict[str, int] = dict.fromkeys(parts, 0)
        kept = []
        for item in items:
            if taken[item.group] < limit:
                taken[item.group] += 1
                kept.append(item)
    if whole_documents:
        documents = {item.doc_id for item in kept}
        kept = [item for item in items if item.doc_id in documents]
    return kept


def _ids_and_groups(data, items) -> tuple[list[str], list[str] | None, list[str] | None]:
    if document_gold(data) is not None:  # BRAT: the documents are the items of the fold file
        documents = list(dict.fromkeys(item.doc_id for item in items))
        return documents, documents, None
    ids = [item.source for item in items]
    if len(set(ids)) != len(ids):  # sources repeat (e.g. one line holds several records): make them unique
        ids = [f"{item.source}#{index}" for index, item in enumerate(items)]
    doc_ids = [item.doc_id for item in items]
    # Folds by document when the data has several (PharmaCoNER, -DOCSTART-); a file that is
    # one document (plain CoNLL, MoNERo) is split by sentence.
    has_documents = 1 < len(set(doc_ids)) < len(doc_ids)
    groups = doc_ids if has_documents else None
    strata = [item.label for item in items] if kind_of(task_kind(data)).stratified else None
    return ids, groups, strata


def default_fold_file(ids: list[str], k: int, seed: int) -> Path:
    digest = hashlib.sha256("\n".join(ids).encode("utf-8")).hexdigest()[:16]
    return Path("runs") / "folds" / f"{digest}-k{k}-s{seed}.json"


def _write_json(path: Path, data: dict) -> None:
    """Write through a temporary file and rename: a reader never sees half a file."""
    atomic_write_json(path, data)


def _inputs(request: CvRequest) -> list[Path | str]:
    """What a cv run reads: a folder holding any of it is never cleared by --force."""
    inputs: list[Path | str] = [*request.data, request.variant, *request.variant.split("+")]
    return inputs + ([request.fold_file] if request.fold_file else [])


def run_cv(request: CvRequest) -> CvResult:
    """Cross-validate one variant on one task; per-fold metrics and mean ± sd."""
    from ..folds import folds_for, split

    settings = request.settings
    settings.validate()
    request.tracking.check()
    if request.folds < 2:
        raise AdapterkitError(f"--folds {request.folds}: expected at least 2")
    check_writable(request.run_dir or Path("runs"), "--output")
    run_dir = request.run_dir or Path("runs") / "cv" / folder_name(request.variant)
    if request.force:  # refused now, before any work, if --force would delete what adapterkit did not write
        check_replaceable(run_dir, "cv-run", _inputs(request))
    store = Registry(registry_dir(request.registry))
    task = prepare_task(
        request.variant, store, request.base, request.data, request.fmt, request.preset, request.repair,
        request.types, settings,
    )  # fmt: skip
    data, items, kind, labels, positive = task.data, task.items, task.kind, task.labels, task.positive
    gold = document_gold(data)
    if request.limit:
        if request.limit < 2:
            raise AdapterkitError(f"--limit {request.limit}: expected at least 2 examples")
        items = limited(items, request.limit, whole_documents=gold is not None)
    if gold is not None:  # test documents are segmented from their text alone, and scored on every gold entity
        _, test_view = read_data(
            request.data, request.fmt, request.preset, request.repair, request.types, segmentation="text"
        )
    ids, groups, strata = _ids_and_groups(data, items)
    fold_file = request.fold_file or default_fold_file(ids, request.folds, request.seed)
    state = process_state()
    with state.main_process_first():  # the main process writes a new fold file; the others read it
        unit = {"unit": "document"} if gold is not None else None  # the fold file says what its ids are
        assignment = folds_for(fold_file, ids, request.folds, request.seed, groups, strata, unit)
    say = print if state.is_main_process else _silent

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
        "positive_label": positive,
        "training_rules": TRAINING_RULES,
    }
    if settings_file.is_file() and not request.force:
        if not request.resume:
            raise AdapterkitError(f"{run_dir} holds an earlier cv run: add --resume to continue it, or --force to redo")
        check_same_settings(settings_file, recorded, "redo it with --force")
    state.wait_for_everyone()  # every process has checked the folder before the main one changes it
    if state.is_main_process:
        if request.force and run_dir.exists():
            check_replaceable(run_dir, "cv-run", _inputs(request))
            shutil.rmtree(run_dir)
        write_marker(run_dir, "cv-run")
        _write_json(settings_file, recorded)
    state.wait_for_everyone()

    per_fold = []
    say(f"cv: {request.variant} on {len(items)} {kind} examples, {request.folds} folds ({fold_file})", flush=True)
    logs = request.tracking.announcement(run_dir / "logs", request.variant) if request.announce_logs else None
    if logs:
        say(logs, flush=True)
    for fold in range(request.folds):
        fold_dir = run_dir / "folds" / str(fold + 1)  # folds are numbered 1..K on screen, on disk and in reports
        result_file = fold_dir / "metrics.json"
        if result_file.is_file():
            per_fold.append(read_fold_metrics(result_file))
            say(f"  fold {fold + 1}/{request.folds}: done earlier", flush=True)
            continue
        train_index, test_index = split(assignment, fold)
        fold_gold = None
        if gold is not None:
            test_documents = {ids[i] for i in test_index}
            train_items = [item for item in items if item.doc_id not in test_documents]
            test_items = [item for item in test_view if item.doc_id in test_documents]
            fold_gold = {doc: gold[doc] for doc in ids if doc in test_documents}
        else:
            train_items, test_items = [items[i] for i in train_index], [items[i] for i in test_index]
        # The new head is seeded per fold (the same in every process): a resumed run that starts at
        # this fold initialises it the same.
        checkpoints = fold_dir / "checkpoints"
        fitted = fit_and_score(
            task, settings, train_items, checkpoints, seed=settings.seed + fold, resume=request.resume,
            log_file=fold_dir / "log.json", tracking=request.tracking.below(f"fold-{fold + 1}"),
            logging_dir=run_dir / "logs" / f"fold-{fold + 1}", test_items=test_items, gold=fold_gold,
            run_name=f"{request.variant} fold {fold + 1}/{request.folds}", strict=request.strict,
            interrupt_hint=lambda: _resume_hint(run_dir, request.folds),  # ctrl-C: which fold --resume redoes
        )  # fmt: skip
        model, metrics = fitted.model, fitted.metrics
        if state.is_main_process:
            if request.keep_model and fold == 0:
                manifest = _fold_manifest(request, task.start, kind, labels, positive)
                save_task_model(model, task.tokenizer, fold_dir / "model", manifest)
            _write_json(result_file, metrics)
            if not request.keep_checkpoints:
                shutil.rmtree(checkpoints, ignore_errors=True)
        per_fold.append(metrics)
        shown = kind_of(kind).headline_metrics[:3]
        headline = ", ".join(f"{k} {metrics[k]:.4f}" for k in shown if metrics.get(k) is not None)
        say(f"  fold {fold + 1}/{request.folds}: {headline}", flush=True)
        if kind_of(kind).token_level:
            say(f"    {scheme_note(metrics, request.strict)}", flush=True)
    result = CvResult(request.variant, kind, per_fold, fold_file, run_dir, positive)
    if state.is_main_process:
        record = {**recorded, "per_fold": per_fold, "summary": result.summary()}
        if kind_of(kind).token_level:
            record["scoring"] = scoring_summary(per_fold)
        _write_json(run_dir / "cv.json", record)
    summary = result.summary()
    say("cv: " + ", ".join(f"{k} {m:.4f} ± {s:.4f}" for k, (m, s) in summary.items()), flush=True)
    return result


def _resume_hint(run_dir: Path, folds: int) -> str:
    """Where ``--resume`` continues an interrupted cv run: the first fold without results."""
    for fold in range(folds):
        fold_dir = run_dir / "folds" / str(fold + 1)  # 1..K on disk, as on screen
        if not (fold_dir / "metrics.json").is_file():
            found = checkpoint_step(fold_dir / "checkpoints")
            at = f", step {found[0]}" if found else ""
            return f"`--resume` continues from fold {fold + 1}/{folds}{at} ({run_dir})"
    return f"all folds are done: `--resume` writes the summary ({run_dir})"


def _fold_manifest(request: CvRequest, variant, kind: str, labels: list[str], positive: str | None) -> dict:
    """What ``load_task_model`` needs to reload a kept fold model (and what it was trained on)."""
    return {
        "name": f"{folder_name(request.variant)}-fold1",
        "kind": "task",
        "task": kind,
        "labels": labels,
        **({"positive_label": positive} if positive is not None else {}),
        "adapter": request.settings.mode == "adapter",
        "variant": request.variant,
        "language_adapters": variant.parts,
        "base": {"id": variant.base.name, "fingerprint": variant.fingerprint, "path": str(variant.base.path)},
        "data": [str(path) for path in request.data],
        "types": request.types,
        "fold": 1,
        "settings": dict(request.settings.__dict__),
    }


def _silent(*args, **kwargs) -> None:
    """``print`` for the processes other than the main one under torchrun."""


def compared_metrics(kind: str, baseline_folds: list[dict]) -> list[str]:
    """The headline metrics of ``kind`` that the baseline's folds hold: a multi-class classification
    has no positive class, hence no f1/precision/recall/specificity/roc_auc to compare."""
    return [m for m in kind_of(kind).headline_metrics if all(m in fold for fold in baseline_folds)]


def write_comparison(run_dir: Path, comparison, scoring: dict | None = None, positive: str | None = None) -> None:
    """comparison.{md,csv,json}, each written whole (through a temporary file). ``scoring`` (NER: how
    each variant's entities were counted) and ``positive`` (a binary classification's positive class)
    go into the JSON; without them an earlier file's are kept."""
    data = json.loads(comparison.to_json())
    earlier = run_dir / "comparison.json"
    if (scoring is None or positive is None) and earlier.is_file():
        before = read_comparison(earlier)
        scoring, positive = scoring or before.get("scoring"), positive or before.get("positive_label")
    if scoring:
        data["scoring"] = scoring
    if positive:
        data["positive_label"] = positive
    for name, text in (
        ("comparison.md", comparison.to_markdown()),
        ("comparison.csv", comparison.to_csv()),
        ("comparison.json", json.dumps(data, indent=2) + "\n"),
    ):
        atomic_write_text(run_dir / name, text)


def run_compare(request: CompareRequest) -> Path:
    """``cv`` for every variant on identical folds, then the study's comparison table."""
    from ..stats import compare, parse_pairs

    if len(request.variants) < 2:
        raise AdapterkitError("compare needs at least two variants (the first is the baseline)")
    if len(set(request.variants)) != len(request.variants):
        raise AdapterkitError("compare: a variant is named twice")
    pairs = parse_pairs(request.pairs, request.variants, request.variants[0])  # before any training
    store = Registry(registry_dir(request.cv.registry))
    for variant in request.variants:  # a typo or a task adapter is reported before any variant trains
        spec = parse_variant(variant, store)
        if spec.kind == "adapters":
            adapter_parts(spec, store)
    run_id = request.run_id or datetime.now(timezone.utc).strftime("compare-%Y%m%d-%H%M%S")
    run_dir = Path("runs") / folder_name(run_id)
    check_writable(run_dir, "--run-id")
    if request.cv.force:
        check_replaceable(run_dir, "compare-run", _inputs(request.cv) + list(request.variants))
    if process_state().is_main_process:
        write_marker(run_dir, "compare-run")
    logs = request.cv.tracking.announcement(run_dir / "cv", run_id)
    if logs and process_state().is_main_process:
        print(logs + " (one folder per variant and fold)", flush=True)
    results: dict[str, list[dict]] = {}
    scoring: dict[str, dict] = {}
    kind = NER.name
    fold_file, positive = None, None
    for variant in request.variants:
        cv_request = CvRequest(
            **{**request.cv.__dict__, "variant": variant, "run_dir": run_dir / "cv" / folder_name(variant)}
        )
        cv_request.settings = TrainSettings(**request.cv.settings.__dict__)
        cv_request.tracking = request.cv.tracking.below(folder_name(variant))
        cv_request.announce_logs = False  # said once above
        if fold_file is not None:
            cv_request.fold_file = fold_file
        result = run_cv(cv_request)
        fold_file = result.fold_file
        kind, positive = result.kind, result.positive
        results[variant] = result.per_fold
        if kind_of(kind).token_level:
            scoring[variant] = scoring_summary(result.per_fold)
    baseline = request.variants[0]
    metrics = compared_metrics(kind, results[baseline])
    comparison = compare(results, baseline, metrics, kind_of(kind).per_type_metric, pairs)
    if not process_state().is_main_process:  # under torchrun the main process writes the comparison
        return run_dir
    # scoring: how each variant's entities were counted (scheme, gold, lost, not in BIO)
    write_comparison(run_dir, comparison, scoring or None, positive)
    atomic_write_text(run_dir / "command.txt", command_line() + "\n")  # this compare's own, also as a recipe step
    from ..versions import versions

    _write_json(run_dir / "versions.json", versions())
    atomic_write_bytes(run_dir / "folds.json", Path(fold_file).read_bytes())
    from ..report import report_for_compare

    report_md, report_html = report_for_compare(run_dir)
    print(comparison.to_markdown())
    print(f"written to {run_dir}/comparison.{{md,csv,json}}, {report_md.name} and {report_html.name}")
    return run_dir


def recompare(run_dir: Path, pairs_spec: str | None) -> Path:
    """The comparison of a finished ``compare`` run computed again from its recorded fold results
    (``cv/<variant>/cv.json``), with ``pairs_spec`` (``--pairs``) as the extra pair tests: pairs
    are added without training again. Baseline, variants and metrics are the recorded ones; the
    statistics are this version's. Rewrites comparison.{md,csv,json} and notes the command in
    command.txt; the caller rewrites the report."""
    from ..stats import compare, parse_pairs

    recorded_file = run_dir / "comparison.json"
    if not recorded_file.is_file():
        raise AdapterkitError(f"{recorded_file} is missing: give the folder of a finished compare run")
    recorded = read_comparison(recorded_file)
    baseline, variants = recorded["baseline"], list(recorded["variants"])
    pairs = parse_pairs(pairs_spec, variants, baseline)
    results: dict[str, list[dict]] = {}
    for variant in variants:
        path = run_dir / "cv" / folder_name(variant) / "cv.json"
        if not path.is_file():
            raise AdapterkitError(f"{path} is missing: recomputing needs the fold results of {variant!r}")
        record = read_cv_run(path)
        results[variant] = record.get("per_fold") or []
    comparison = compare(results, baseline, list(recorded["metrics"]), recorded.get("per_type_metric"), pairs)
    write_comparison(run_dir, comparison, recorded.get("scoring"))
    with (run_dir / "command.txt").open("a", encoding="utf-8") as command:  # how the tables were made
        command.write(f"adapterkit report {shlex.quote(str(run_dir))} --pairs {shlex.quote(pairs_spec or '')}\n")
    return run_dir
