"""Scores of predictions as finetune and cv record them, with the scheme that counted.

``score`` gives the study's metrics of one evaluation for every task (``metrics.py``), pooled and
per part (``--data LANG=PATH``); ``finite`` makes them JSON-safe. NER is scored by one of:

- ``brat-exact`` (document data: BRAT): the predicted tags over the gold-free segmentation become
  character spans exactly as ``predict`` writes them to ``.ann`` (``brat.spans_from_bio``: an
  ``I-`` run without ``B-`` is a span too, with or without ``--strict``), and are matched with
  ``scorer.score_mentions`` against *every* gold entity of the documents — overlapping, nested and
  discontinuous ones included. So the F1 reported here is the F1 of ``adapterkit score`` on the
  ``.ann`` files ``predict`` writes for the same model and documents. No gold entity is lost from
  scoring; the record also says how many of them the BIO training labels cannot hold (the model can
  never predict those exactly: ``gold_not_in_bio``).
- ``conlleval`` / ``strict`` (BIO data: CoNLL, JSONL): seqeval over the tags (``metrics.ner_metrics``).
  The gold is the tags themselves, so nothing is lost.

Every record holds ``scheme``, ``gold`` (the gold entities scored), ``gold_lost`` (gold entities
left out of scoring) and ``gold_not_in_bio``; ``brat-exact`` also ``gold_inside_words`` (entities
with a boundary inside a word of the text's segmentation, which no prediction can match).
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from ..errors import AdapterkitError
from ..readers.brat import spans_from_bio
from ..readers.data import Entity, NerDataset, Sentence
from ..readers.kinds import kind_of
from ..readers.scorer import Mention, score_mentions


def predicted_mentions(items: list[Sentence], predictions: list[list[str]]) -> dict[str, list[Mention]]:
    """Document id -> the spans ``predict`` would write for these tags (``spans_from_bio``)."""
    mentions: dict[str, list[Mention]] = defaultdict(list)
    for sentence, tags in zip(items, predictions, strict=True):
        spans = spans_from_bio(sentence, tags)
        mentions[sentence.doc_id].extend(Mention.of(kind, [(start, end)]) for kind, start, end in spans)
    return dict(mentions)


def gold_mentions(gold: dict[str, list[Entity]]) -> dict[str, list[Mention]]:
    return {doc_id: [Mention.of(e.kind, e.fragments) for e in entities] for doc_id, entities in gold.items()}


def brat_metrics(items: list[Sentence], predictions: list[list[str]], gold: dict[str, list[Entity]]) -> dict:
    """Exact character-span scores of the predictions against all ``gold`` entities of its documents."""
    stray = sorted({sentence.doc_id for sentence in items} - set(gold))
    if stray:
        raise AdapterkitError(
            f"evaluation data mixes BRAT documents with data without character offsets (e.g. {stray[0]}); "
            "score BRAT and CoNLL/JSONL evaluation data in separate runs"
        )
    result = score_mentions(gold_mentions(gold), predicted_mentions(items, predictions))
    micro = result["micro"]
    per_type = {
        kind: {
            "precision": row["precision"],
            "recall": row["recall"],
            "f1": row["f1"],
            "support": row["gold"],
            "tp": row["tp"],
            "pred": row["pred"],
        }
        for kind, row in result["per_type"].items()
    }
    # seqeval's macro average: the mean F1 over the types in gold or prediction
    macro = sum(row["f1"] for row in per_type.values()) / len(per_type) if per_type else 0.0
    return {
        "scheme": result["scheme"],
        "precision": micro["precision"],
        "recall": micro["recall"],
        "f1": micro["f1"],
        "macro_f1": macro,
        "per_type": per_type,
        "tp": micro["tp"],
        "pred": micro["pred"],
        "gold": micro["gold"],
        "gold_lost": 0,
        "gold_not_in_bio": sum(not entity.in_bio for entities in gold.values() for entity in entities),
        "gold_inside_words": _inside_words(items, gold),
        "documents": result["documents"],
    }


def _inside_words(items: list[Sentence], gold: dict[str, list[Entity]]) -> int:
    """Gold entities with a boundary inside a word the model labelled: no prediction can match them."""
    starts: dict[str, set[int]] = defaultdict(set)
    ends: dict[str, set[int]] = defaultdict(set)
    for sentence in items:
        for start, end in sentence.offsets or []:
            starts[sentence.doc_id].add(start)
            ends[sentence.doc_id].add(end)
    return sum(
        any(start not in starts[doc] or end not in ends[doc] for start, end in entity.fragments)
        for doc, entities in gold.items()
        for entity in entities
    )


def tag_metrics(items: list[Sentence], predictions: list[list[str]], strict: bool) -> dict:
    """seqeval scores of BIO data (conlleval or strict), with the gold count."""
    from .. import metrics

    scores = metrics.ner_metrics([s.tags for s in items], predictions, strict=strict)
    gold = sum(row["support"] for row in scores["per_type"].values())
    return {**scores, "gold": gold, "gold_lost": 0, "gold_not_in_bio": 0}


def scheme_note(metrics: dict, strict: bool = False) -> str:
    """One console line saying what was counted."""
    if metrics.get("scheme") == "brat-exact":
        note = (
            f"brat-exact: exact character spans (as predict writes them) against all {metrics['gold']} gold entities "
            f"of {metrics['documents']} documents; 0 lost from scoring, {metrics['gold_not_in_bio']} not representable "
            "in the BIO training labels (discontinuous, overlapping or nested), "
            f"{metrics['gold_inside_words']} with a boundary inside a word"
        )
        return note + ("; --strict does not apply to character spans" if strict else "")
    return f"{metrics.get('scheme')}: BIO tags as read, {metrics.get('gold')} gold entities, 0 lost"


def scoring_summary(per_fold: list[dict]) -> dict:
    """How the folds' entities were counted, summed over the folds (each gold entity is tested once)."""
    schemes = sorted({fold.get("scheme") for fold in per_fold if fold.get("scheme")})
    summary: dict = {"scheme": schemes[0] if len(schemes) == 1 else schemes}
    for key in ("gold", "gold_lost", "gold_not_in_bio", "gold_inside_words", "documents"):
        values = [fold[key] for fold in per_fold if fold.get(key) is not None]
        if values:
            summary[key] = sum(values)
    return summary


def score(
    kind: str,
    items,
    predictions,
    probabilities,
    labels: list[str],
    strict: bool = False,
    gold: dict | None = None,
    positive: str | None = None,
) -> dict:
    """The study's metrics for one evaluation; with several groups (``--data LANG=PATH``) also per
    group under ``"groups"`` (pooled training, per-language evaluation).

    ``gold`` (document id -> every gold entity; BRAT evaluation data) scores NER predictions as
    exact character spans against all of them (``scoring.py``); else NER is scored on the tags.
    ``positive``: a binary classification's positive class (``positive_class``)."""
    if positive is None:
        positive = positive_class(kind, labels)
    overall = _score(kind, items, predictions, probabilities, labels, strict, gold, positive)
    groups = sorted({item.group for item in items if item.group})
    if len(groups) > 1:
        overall["groups"] = {}
        for group in groups:
            index = [i for i, item in enumerate(items) if item.group == group]
            part_gold = None
            if gold is not None:
                owners = {item.doc_id: item.group for item in items}
                part_gold = {
                    doc: entities for doc, entities in gold.items() if owners.get(doc, doc.split("/", 1)[0]) == group
                }
            overall["groups"][group] = _score(
                kind,
                [items[i] for i in index],
                [predictions[i] for i in index],
                None if probabilities is None else probabilities[index],
                labels,
                strict,
                part_gold,
                positive,
            )
            overall["groups"][group]["n_test"] = len(index)
    return overall


def _score(
    kind: str,
    items,
    predictions,
    probabilities,
    labels: list[str],
    strict: bool = False,
    gold: dict | None = None,
    positive: str | None = None,
) -> dict:
    return METRICS[kind_of(kind).metrics](items, predictions, probabilities, labels, strict, gold, positive)


def _tag_scores(items, predictions, probabilities, labels, strict, gold, positive) -> dict:
    return brat_metrics(items, predictions, gold) if gold is not None else tag_metrics(items, predictions, strict)


def _classification_scores(items, predictions, probabilities, labels, strict, gold, positive) -> dict:
    from .. import metrics

    gold_labels = [example.label for example in items]
    if len(labels) != 2 or positive is None:
        return metrics.classification_metrics(gold_labels, predictions, labels=labels)
    scores = probabilities[:, labels.index(positive)].tolist()
    return metrics.classification_metrics(gold_labels, predictions, scores, positive, labels=labels)


def _multilabel_scores(items, predictions, probabilities, labels, strict, gold, positive) -> dict:
    from .. import metrics

    return metrics.multilabel_metrics([example.label for example in items], predictions, labels)


def _regression_scores(items, predictions, probabilities, labels, strict, gold, positive) -> dict:
    from .. import metrics

    return metrics.regression_metrics([example.label for example in items], predictions)


# Each kind's metrics (``TaskKind.metrics``): items, predictions, probabilities, labels, strict, gold,
# positive in; the metrics dict out.
METRICS = {
    "tags": _tag_scores,
    "single_label": _classification_scores,
    "label_sets": _multilabel_scores,
    "scores": _regression_scores,
}


def document_gold(data) -> dict | None:
    """Every gold entity per document when the data is document data with character offsets (BRAT).

    BRAT parts mixed with BIO parts (CoNLL, JSONL) are refused: no one scheme scores both."""
    if not (isinstance(data, NerDataset) and data.gold):
        return None
    other = next((s for s in data.sentences if s.doc_id not in data.gold), None)
    if other is not None:
        raise AdapterkitError(
            f"{other.source}: BRAT documents mixed with BIO data (CoNLL/JSONL) in one evaluation; BRAT is scored "
            "on exact character spans, BIO on tags: evaluate them in separate runs"
        )
    return data.gold


# Label pairs whose positive class goes without saying (compared lower-case): the first of each pair.
OBVIOUS_PAIRS = (
    ("yes", "no"), ("1", "0"), ("true", "false"), ("inclusion", "exclusion"), ("positive", "negative"),
    ("pos", "neg"), ("ja", "nee"), ("da", "nu"), ("sí", "no"), ("si", "no"),
)  # fmt: skip


def positive_class(kind: str, labels: list[str], option: str | None = None) -> str | None:
    """The positive class of a binary classification (its recall, F1, ROC AUC): ``--positive-label``,
    else the positive member of an obvious pair (yes/no, 1/0, inclusion/exclusion...); None for other
    tasks. Two other labels without the option are refused: never a guess from their order."""
    has_positive = kind_of(kind).has_positive_class
    if not has_positive or len(labels) != 2:
        if option is None:
            return None
        what = f"{len(labels)} classes ({', '.join(labels)})" if has_positive else f"a {kind} task"
        raise AdapterkitError(
            f"--positive-label {option}: the data is {what}; the option names one class of two, leave it out"
        )
    if option is not None:
        if option not in labels:
            raise AdapterkitError(
                f"--positive-label {option}: not a label of the data (its labels: {', '.join(labels)})"
            )
        return option
    lowered = {label.lower(): label for label in labels}
    for positive, negative in OBVIOUS_PAIRS:
        if set(lowered) == {positive, negative}:
            return lowered[positive]
    raise AdapterkitError(
        f"labels {labels[0]!r} and {labels[1]!r}: which is the positive class (its recall and F1 are reported)? "
        f"add --positive-label {labels[0]} or --positive-label {labels[1]}"
    )


def finite(metrics: dict) -> dict:
    """JSON-safe metrics: NaN becomes None."""

    def clean(value):
        if isinstance(value, dict):
            return {key: clean(item) for key, item in value.items()}
        if isinstance(value, float | np.floating):
            return None if np.isnan(value) else float(value)
        if isinstance(value, np.integer):
            return int(value)
        return value

    return clean(metrics)
