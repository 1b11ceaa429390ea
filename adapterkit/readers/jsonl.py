"""JSON Lines task data: one record per line; the fields present say the task.

- ``tokens`` + ``tags`` (lists of strings): NER, with the same tag hygiene as CoNLL;
- ``text`` + ``label`` (string): classification;
- ``text`` + ``labels`` (list of strings): multi-label classification;
- ``text`` + ``score`` (number), or ``text`` + ``text_pair`` + ``label`` (number): regression.

``text_pair`` may go with any text task. A number ``label`` without ``text_pair`` is refused rather
than guessed: class ids would silently become a regression target. All records of a file must be of
one kind. ``doc_id`` (or ``id``) groups records into documents for folds; without it every record is
its own document. The same rules serve Parquet rows (``records_to_dataset``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from pathlib import Path

from ..errors import AdapterkitError
from .data import HygieneReport, NerDataset, Sentence, TextDataset, TextExample
from .hygiene import check_tags, entity_types, numbered_lines
from .kinds import kind_of


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_strings(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def record_task(record: dict, source: str) -> str:
    """The task a record belongs to (``ner``, ``classification``, ``multilabel``, ``regression``)."""
    if "tokens" in record or "tags" in record:
        if not (_is_strings(record.get("tokens")) and _is_strings(record.get("tags"))):
            raise AdapterkitError(f"{source}: NER records need 'tokens' and 'tags', both lists of strings")
        return "ner"
    if not isinstance(record.get("text"), str):
        raise AdapterkitError(
            f"{source}: no 'tokens'+'tags' (NER) and no string 'text' (classification/regression); fix the record"
        )
    if "text_pair" in record and not isinstance(record["text_pair"], str):
        raise AdapterkitError(f"{source}: 'text_pair' must be a string")
    if "labels" in record:
        if not _is_strings(record["labels"]):
            raise AdapterkitError(f"{source}: 'labels' must be a list of strings (multi-label classification)")
        return "multilabel"
    if "score" in record:
        if not _is_number(record["score"]):
            raise AdapterkitError(f"{source}: 'score' must be a number (regression)")
        return "regression"
    label = record.get("label")
    if isinstance(label, str):
        return "classification"
    if _is_number(label) and "text_pair" in record:
        return "regression"
    if _is_number(label):
        raise AdapterkitError(
            f"{source}: number 'label' without 'text_pair': write class labels as strings, "
            "or name a regression target 'score'"
        )
    raise AdapterkitError(f"{source}: no 'label', 'labels' or 'score' beside 'text'; add the target field")


def _doc_id(record: dict, source: str) -> str:
    for name in ("doc_id", "id"):
        if record.get(name) is not None:
            return str(record[name])
    return source


def _sentence(record: dict, source: str, report: HygieneReport, repair: bool) -> Sentence:
    tokens, tags = record["tokens"], record["tags"]
    if not tokens or len(tokens) != len(tags):
        raise AdapterkitError(
            f"{source}: {len(tokens)} tokens and {len(tags)} tags; a NER record needs one tag per token (at least one)"
        )
    checked = check_tags(tags, [source] * len(tags), report, repair)
    return Sentence(list(tokens), checked, _doc_id(record, source), source)


def _example(record: dict, task: str, source: str) -> TextExample:
    target = TARGET_FIELDS[kind_of(task).target](record)
    return TextExample(record["text"], target, _doc_id(record, source), source, record.get("text_pair"))


def records_to_dataset(
    records: Iterable[tuple[str, object]], name: str, repair: bool = False
) -> NerDataset | TextDataset:
    """A dataset from ``(source, record)`` pairs (``source`` = ``file:line``); ``name`` is for messages."""
    report = HygieneReport()
    sentences: list[Sentence] = []
    examples: list[TextExample] = []
    task, first_source = None, None
    for source, record in records:
        if not isinstance(record, dict):
            raise AdapterkitError(f"{source}: a record must be a JSON object, not {type(record).__name__}")
        kind = record_task(record, source)
        if task is None:
            task, first_source = kind, source
        elif kind != task:
            raise AdapterkitError(
                f"{source}: a {kind} record in a file of {task} records (first at {first_source}); one task per file"
            )
        if kind_of(kind).token_level:
            sentences.append(_sentence(record, source, report, repair))
        else:
            examples.append(_example(record, kind, source))
    if task is None:
        raise AdapterkitError(f"{name}: no records; write one JSON object per line")
    if kind_of(task).token_level:
        return NerDataset(sentences, entity_types([s.tags for s in sentences]), report=report)
    return TextDataset(examples, task, _class_names(examples, task))


def _class_names(examples: list[TextExample], task: str) -> list[str]:
    return CLASS_NAMES[kind_of(task).target](examples)


# A text record's target, by how the kind reads its gold (``TaskKind.target``).
TARGET_FIELDS: dict[str, Callable[[dict], str | list[str] | float]] = {
    "index": lambda record: record["label"],
    "multi_hot": lambda record: record["labels"],
    "float": lambda record: float(record["score"] if "score" in record else record["label"]),
}
# The class names of a text data set (sorted), by the same key: none for a number target.
CLASS_NAMES: dict[str, Callable[[list[TextExample]], list[str]]] = {
    "index": lambda examples: sorted({example.label for example in examples}),  # type: ignore[misc]
    "multi_hot": lambda examples: sorted({label for example in examples for label in example.label}),  # type: ignore[union-attr]
    "float": lambda examples: [],
}


def _json_records(path: Path) -> Iterable[tuple[str, object]]:
    for number, line in numbered_lines(path):
        if not line.strip():
            continue
        source = f"{path}:{number}"
        try:
            yield source, json.loads(line)
        except json.JSONDecodeError as error:
            raise AdapterkitError(f"{source}: invalid JSON ({error.msg} at column {error.colno})") from None


def read_jsonl(path: Path, repair: bool = False) -> NerDataset | TextDataset:
    """A JSON Lines file as NER sentences or text examples, by the fields its records have."""
    path = Path(path)
    return records_to_dataset(_json_records(path), str(path), repair)
