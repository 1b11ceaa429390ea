"""The task kinds, in one table: what each kind's head, loss, decoding, metrics and reports are.

A task kind is the kind of target a task's data has: ``ner`` (one BIO tag per word),
``classification`` (one label per example), ``multilabel`` (a set of labels per example),
``regression`` (a number per example). Every module that treats the kinds differently reads the
difference from ``KINDS[kind]`` here, never from the kind's name (``tests/test_architecture.py``
checks it): a new kind is one new row of this table, plus a loss, decoder or metric function
where it needs one the others do not have.

The table is model-free (strings, booleans, tuples): the readers read it too, and rule 3 keeps
them away from the model libraries. The names it holds (``loss``, ``decoding``, ``target``,
``metrics``) are keys of the small tables of functions in ``train``, ``inference``, ``inputs``
and ``scoring``.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import AdapterkitError


@dataclass(frozen=True)
class TaskKind:
    """One task kind: its head, loss, decoding, metrics, headline metric and report columns."""

    name: str
    # head: a tag per token (token classification) or an output per example (sequence classification)
    token_level: bool
    # transformers' ``problem_type`` of a sequence head (None: the token head has none)
    problem_type: str | None
    # the head has one output row per label (False: one output, a number, and no label names)
    labelled: bool
    # the training loss (a key of ``train.LOSSES``)
    loss: str
    # outputs to predictions (a key of ``inference.DECODERS``)
    decoding: str
    # a gold label to the model's target (a key of ``inputs.TARGETS``); also how the data's
    # class names are found (``jsonl``) and which record field holds the target
    target: str
    # the metric function of ``scoring`` (a key of ``scoring.METRICS``)
    metrics: str
    # cv's headline metrics, in order: the first three are printed per fold, those the baseline's
    # folds hold are compared (a multi-class classification has no positive class, hence no f1...)
    headline_metrics: tuple[str, ...]
    # the one metric a recipe report names for a fine-tuned model
    headline: str
    # the metrics finetune prints after its evaluation
    report_columns: tuple[str, ...]
    # the metric compare reports per entity type (None: the kind has no types)
    per_type_metric: str | None = None
    # a binary task of this kind has a positive class (recall, F1, ROC AUC of that class)
    has_positive_class: bool = False
    # folds are stratified by the label
    stratified: bool = False
    # qualitative analysis (``analyse``): "entities", "importance" or None (scores only)
    analysis: str | None = None


NER = TaskKind(
    name="ner",
    token_level=True,
    problem_type=None,
    labelled=True,
    loss="cross_entropy",
    decoding="tags",
    target="tags",
    metrics="tags",
    headline_metrics=("f1", "precision", "recall", "macro_f1"),
    headline="f1",
    report_columns=("f1", "precision", "recall"),
    per_type_metric="f1",
    analysis="entities",
)
CLASSIFICATION = TaskKind(
    name="classification",
    token_level=False,
    problem_type="single_label_classification",
    labelled=True,
    loss="cross_entropy",
    decoding="argmax",
    target="index",
    metrics="single_label",
    # macro_f1 is what the study calls F1; f1 is the positive class's (binary tasks). A multi-class
    # task has mcc, accuracy and macro_f1 only (cv's compared_metrics keeps those it has).
    headline_metrics=("mcc", "macro_f1", "f1", "precision", "recall", "specificity", "roc_auc"),
    headline="mcc",
    report_columns=("mcc", "f1", "recall"),
    has_positive_class=True,
    stratified=True,
    analysis="importance",
)
MULTILABEL = TaskKind(
    name="multilabel",
    token_level=False,
    problem_type="multi_label_classification",
    labelled=True,
    loss="binary_cross_entropy",
    decoding="threshold",
    target="multi_hot",
    metrics="label_sets",
    headline_metrics=("macro_f1", "micro_f1"),
    headline="macro_f1",
    report_columns=("macro_f1", "micro_f1"),
    analysis="importance",
)
REGRESSION = TaskKind(
    name="regression",
    token_level=False,
    problem_type="regression",
    labelled=False,
    loss="mse",
    decoding="score",
    target="float",
    metrics="scores",
    headline_metrics=("pearson", "spearman"),
    headline="pearson",
    report_columns=("pearson", "spearman"),
)

KINDS: dict[str, TaskKind] = {kind.name: kind for kind in (NER, CLASSIFICATION, MULTILABEL, REGRESSION)}
KIND_NAMES: tuple[str, ...] = tuple(KINDS)


def kind_of(name: str) -> TaskKind:
    """The task kind named ``name``; an unknown name is a one-line error naming the known ones."""
    try:
        return KINDS[name]
    except KeyError:
        raise AdapterkitError(f"task kind {name!r}: not one of {', '.join(KIND_NAMES)}") from None
