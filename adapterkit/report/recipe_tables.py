"""Two tables of a recipe's report that say what was run: the settings beside what the study states
(every other one marked "not stated in the study; adapterkit's choice"), and the data each comparison
or fine-tuning read (examples and entities after ``--limit`` and ``--types``, the positive class).
"""

from __future__ import annotations

from pathlib import Path

from ..errors import AdapterkitError
from ..manifest import read_comparison, read_manifest
from ..paths import folder_name

SETTING_TABLES = ("pretrain", "task", "vocab", "analysis")
NOT_STATED = "not stated in the study; adapterkit's choice"
DATA_SUFFIXES = (".txt", ".jsonl", ".conll", ".parquet", ".tsv")


def _is_location(value: object) -> bool:
    """A path or data location (shown in the Data table, not here)."""
    return isinstance(value, str) and ("/" in value or "${" in value or value.endswith(DATA_SUFFIXES))


def _value(recipe: dict, dotted: str):
    value = recipe
    for part in dotted.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def settings_rows(recipe: dict) -> list[list[str]]:
    """[setting, value in this run, source] for the bases and every setting of [pretrain], [task], [vocab]
    and [analysis]: the study's own statement where ``stated`` has one, else "not stated in the study"."""
    stated = recipe.get("stated") or {}
    keys = [key for key in ("base", "bases", "monolingual") if key in recipe]
    for table in SETTING_TABLES:
        for key, value in (recipe.get(table) or {}).items():
            if not isinstance(value, dict) and not _is_location(value):
                keys.append(f"{table}.{key}")
    keys += [key for key in stated if key not in keys]
    rows = []
    for key in keys:
        value = _value(recipe, key)
        shown = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
        rows.append([f"`{key}`", f"`{shown}`", f"the study: {stated[key]}" if key in stated else NOT_STATED])
    return rows


def _option(argv: list[str], name: str) -> str | None:
    return argv[argv.index(name) + 1] if name in argv and argv.index(name) + 1 < len(argv) else None


def _short(location: str) -> str:
    """``es=.../train`` as ``es=train``: a data location by its last part (no absolute path in a report)."""
    part, sep, path = location.partition("=")
    if not sep or "/" in part:
        part, path = "", location
    return (f"{part}=" if part else "") + (Path(path).name or path)


def data_rows(plan: list[tuple[dict, list[str]]]) -> list[list[str]]:
    """One row per compare / cv / finetune step that has run: its data as read (``--limit`` and ``--types``
    applied), examples, entities (NER) and the positive class (binary classification)."""
    from ..readers.data import NerDataset
    from ..readers.formats import read_task

    rows, seen = [], set()
    for step, argv in plan:
        if argv[0] not in ("compare", "cv", "finetune"):
            continue
        run_id = _option(argv, "--run-id")
        comparison = Path("runs") / folder_name(run_id) / "comparison.json" if run_id else None
        name = _option(argv, "--name")
        manifest = Path(_option(argv, "--output") or f"models/{name}") / "adapterkit.json" if name else None
        done = next((f for f in (comparison, manifest) if f is not None and f.is_file()), None)
        data = [argv[i + 1] for i, item in enumerate(argv[:-1]) if item == "--data"]
        types = [t for t in (_option(argv, "--types") or "").split(",") if t]
        limit = int(_option(argv, "--limit") or 0)
        key = (tuple(data), tuple(types), limit)
        if done is None or not data or key in seen:
            continue
        seen.add(key)
        try:
            read = read_task(
                [Path(d) for d in data],
                _option(argv, "--format") or "auto",
                "--repair" in argv,
                _option(argv, "--preset") or "auto",
                types or None,
            )
        except (AdapterkitError, OSError):
            continue
        items = read.sentences if isinstance(read, NerDataset) else read.examples
        if limit:  # what cv and compare trained and scored on
            from ..jobs.cv import limited

            items = limited(items, limit, whole_documents=isinstance(read, NerDataset) and bool(read.gold))
        entities = (
            f"{sum(tag.startswith('B-') for s in items for tag in s.tags):,}" if isinstance(read, NerDataset) else "–"
        )
        record = read_comparison(done) if done == comparison else read_manifest(done)
        positive = record.get("positive_label") or "–"
        unit = "sentences" if isinstance(read, NerDataset) else "examples"
        shown = ", ".join(_short(d) for d in data) + (f" (first {limit} of each part)" if limit else "")
        rows.append([step["id"], shown, f"{len(items):,} {unit}", entities, positive])
    return rows
