"""The ``finetune`` command: train a task model (NER, classification, regression) on a variant.

A variant is what every command takes (``variants.py``): ``base``, a full model folder or Hub
model id, a registry adapter or a composition ``a+b`` — or a full task model written by
``finetune`` (two-stage fine-tuning: train first on a larger related set, then start the target
task from that model; the head rows of labels both sets share are kept, the others start new).
Language/domain adapters enter the task model folded into the base weights (exact:
W + Σ wᵢ·ΔWᵢ, see ``compose.py``), then:

- ``--mode full`` (the study's): every weight is fine-tuned, with a new task head;
- ``--mode adapter`` (MAD-X style): the encoder and the language/domain adapters stay frozen;
  a task LoRA and the head are trained. The result is a task adapter whose manifest names the
  language adapters it sits on, so they can be swapped for another language at evaluation
  (``--eval-adapters``: cross-lingual zero-shot).

This module is the command (checks, resume, evaluation set, saving with its manifest); the training
itself is ``pipeline`` (the same for every cv fold), whose parts are beside it: ``settings``
(options), ``inputs`` (items to model inputs), ``model`` (task model building and I/O), ``train``
(the Trainer), ``inference`` (predict) and ``scoring``.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from ..errors import AdapterkitError, printable
from ..manifest import read_training_log
from ..readers.data import NerDataset
from ..readers.kinds import kind_of
from ..registry import Registry
from ..safety import atomic_write_json, check_finite_weights, check_replaceable, write_marker
from ..tasks.inputs import read_data, task_kind
from ..tasks.model import save_task_model
from ..tasks.pipeline import fit_and_score, prepare_task
from ..tasks.scoring import document_gold
from ..training import check_same_settings, last_complete_checkpoint, process_state
from ..variants import task_start
from .requests import FinetuneRequest

RUN_SETTINGS = "finetune-settings.json"


def run_finetune(request: FinetuneRequest) -> tuple[Path, dict]:
    """Train a task model on a variant; evaluate on --eval-data (optionally zero-shot)."""
    from ..paths import registry_dir
    from ..registry import check_name

    settings = request.settings
    settings.validate()
    request.tracking.check()
    check_name(request.name)
    if request.eval_adapters and settings.mode != "adapter":
        raise AdapterkitError(
            "--eval-adapters swaps language adapters under a task adapter: use it with --mode adapter"
        )
    store = Registry(registry_dir(request.registry))
    adapter_mode = settings.mode == "adapter"
    destination = request.output or ((store.root if adapter_mode else Path("models")) / request.name)
    if destination.exists() and not request.force:
        raise AdapterkitError(f"{destination} already exists: choose another --name, or add --force to replace it")
    if request.resume:
        work = request.work_dir
        if last_complete_checkpoint(work) is None:
            raise AdapterkitError(f"--resume: no checkpoint in {work}; run without --resume to start")
        check_same_settings(work / RUN_SETTINGS, request.recorded(), "start over without --resume")
    # A new run clears the work folder of an earlier one: only if adapterkit wrote it. Under torchrun
    # the main process checks (and later clears); the others would race with its clearing.
    if not request.resume and os.environ.get("RANK", "0") == "0":
        check_replaceable(request.work_dir, "finetune-run", _inputs(request), "finetune will not clear its work folder")
    # The name is reserved (registry lock) before training: a clash is reported now, not at save time.
    with Registry(destination.parent).reserve(destination.name, request.force, _inputs(request)):
        return _train_and_save(request, store, destination)


def _inputs(request: FinetuneRequest) -> list[Path | str]:
    """What the run reads: a folder holding any of it is never cleared or replaced (a registry variant: its folder)."""
    from ..paths import registry_dir

    names = [request.variant, *request.variant.split("+")]
    store = registry_dir(request.registry)
    adapters = [store / name for name in names if name and "/" not in name and (store / name).is_dir()]
    return [*request.data, *request.eval_data, *names, *adapters]


def _train_and_save(request: FinetuneRequest, store: Registry, destination: Path) -> tuple[Path, dict]:
    from ..versions import versions

    settings = request.settings
    adapter_mode = settings.mode == "adapter"
    task = prepare_task(
        request.variant, store, request.base, request.data, request.fmt, request.preset, request.repair,
        request.types, settings,
    )  # fmt: skip
    variant, kind, labels, positive = task.start, task.kind, task.labels, task.positive
    eval_variant = task_start(request.eval_adapters, store, request.base) if request.eval_adapters else None
    if eval_variant is not None and eval_variant.fingerprint != variant.fingerprint:
        raise AdapterkitError(f"--eval-adapters {request.eval_adapters}: trained on another base than {variant.label}")
    named = f" (positive class: {positive})" if positive else ""
    print(printable(f"task: {kind}, {len(task.items)} examples, labels: {', '.join(labels) or '(score)'}{named}"))
    if isinstance(task.data, NerDataset):
        print(f"tags: {task.data.report.summary()}")
    eval_items, eval_gold = None, None
    if request.eval_data:
        eval_data, eval_items = read_data(
            request.eval_data, request.fmt, request.preset, request.repair, request.types, segmentation="text"
        )
        if task_kind(eval_data) != kind:
            raise AdapterkitError(f"--eval-data is a {task_kind(eval_data)} set, the training data {kind}")
        eval_gold = document_gold(eval_data)
        # NER: a tag the head lacks (I-X where training has only one-word X) is still scored as
        # type X; a type training never saw cannot be predicted at all.
        if isinstance(eval_data, NerDataset) and isinstance(task.data, NerDataset):
            unknown = sorted(set(eval_data.types) - set(task.data.types))
            what = "entity types"
        else:
            unknown, what = sorted(set(eval_data.labels) - set(labels)), "labels"
        if unknown:
            raise AdapterkitError(f"--eval-data has {what} the training data lacks: {', '.join(unknown)}")

    work = request.work_dir
    state = process_state()  # under torchrun: every process trains (DDP), the main one writes
    if state.is_main_process and not request.resume:
        clear(work, _inputs(request))
        write_marker(work, "finetune-run")
        atomic_write_json(work / RUN_SETTINGS, request.recorded())
    state.wait_for_everyone()
    logs = request.tracking.announcement(work.parent / f"{work.name}-logs", request.name)
    if logs and state.is_main_process:
        print(logs, flush=True)
    fitted = fit_and_score(
        task, settings, task.items, work, seed=settings.seed, resume=request.resume, log_file=work / "log.json",
        tracking=request.tracking, logging_dir=work.parent / f"{work.name}-logs", run_name=request.name,
        test_items=eval_items, gold=eval_gold, strict=request.strict, swap_in=eval_variant,
    )  # fmt: skip
    model, metrics = fitted.model, fitted.metrics
    history = read_training_log(work / "log.json") if state.is_main_process else []
    if metrics is not None:
        where = f" with {request.eval_adapters} swapped in" if eval_variant else ""
        print(f"evaluation on {len(eval_items)} examples{where}: " + _headline(kind, metrics))
        if kind_of(kind).token_level:
            from ..tasks.scoring import scheme_note

            print(scheme_note(metrics, request.strict))
    manifest = {
        "name": destination.name,
        "kind": "task",
        "task": kind,
        "labels": labels,
        **({"positive_label": positive} if positive is not None else {}),
        "adapter": adapter_mode,
        "variant": request.variant,
        "language_adapters": variant.parts,
        "base": {"id": variant.base.name, "fingerprint": variant.fingerprint, "path": str(variant.base.path)},
        "data": [str(path) for path in request.data],
        "types": request.types,
        "settings": {k: v for k, v in settings.__dict__.items()},
        "training_log": history,
        "evaluation": {
            "data": [str(p) for p in request.eval_data],
            "adapters": request.eval_adapters,
            "metrics": metrics,
        },
        "versions": versions(),
    }
    if not state.is_main_process:
        return destination, manifest
    check_finite_weights(model, f"task model {request.name}")  # a diverged run saves nothing
    Registry(destination.parent).save(
        destination.name,
        lambda folder: save_task_model(model, task.tokenizer, folder, manifest),
        force=request.force,
        inputs=_inputs(request),
    )
    if not request.keep_checkpoints:
        clear(work, _inputs(request))
    print(f"saved task {'adapter' if adapter_mode else 'model'} to {destination}")
    return destination, manifest


def _headline(kind: str, metrics: dict) -> str:
    columns = kind_of(kind).report_columns
    return ", ".join(f"{key} {metrics[key]:.4f}" for key in columns if metrics.get(key) is not None)


def clear(folder: Path, inputs: list[Path | str]) -> None:
    """Remove a finetune work folder; only one adapterkit wrote (``safety.check_replaceable``)."""
    check_replaceable(folder, "finetune-run", inputs, "finetune will not clear its work folder")
    if folder.exists():
        shutil.rmtree(folder)
