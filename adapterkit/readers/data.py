"""The in-memory form every task reader returns.

NER data is a list of ``Sentence`` (words with BIO tags, the document they come from and,
when the format has them, the character span of every word in that document's text).
Classification and regression data is a list of ``TextExample``.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Sentence:
    """One sequence of words with one BIO tag per word."""

    tokens: list[str]
    tags: list[str]
    doc_id: str  # the document it belongs to: folds are made by document where documents exist
    source: str  # "file:line" of its first word, for messages
    offsets: list[tuple[int, int]] | None = None  # character span of each word in the document text
    group: str = ""  # the language (or other part) it came from with ``--data LANG=PATH``: scored apart


@dataclass
class Entity:
    """One annotated entity as written (a BRAT ``T`` line): type, fragments (start, end), where written."""

    kind: str
    fragments: list[tuple[int, int]]
    source: str  # "file.ann:line"
    in_bio: bool = True  # False: the BIO training labels cannot hold it (discontinuous, overlapped, no word)


@dataclass
class HygieneReport:
    """What tag hygiene found and did (printed and recorded with every run)."""

    orphan_i_repaired: int = 0  # I-X with no B-X/I-X before it, turned into B-X
    malformed_repaired: int = 0  # with --repair: malformed tags turned into O
    discontinuous_spans: int = 0  # BRAT entities with several fragments (each fragment tagged)
    overlapping_dropped: int = 0  # BRAT entities overlapping an earlier one (BIO cannot hold both)
    notes: list[str] = field(default_factory=list)  # one line per repaired/dropped item (first ones)

    def summary(self) -> str:
        return (
            f"{self.orphan_i_repaired} orphan I- tags repaired to B-, {self.malformed_repaired} malformed tags "
            f"repaired to O, {self.discontinuous_spans} discontinuous and {self.overlapping_dropped} overlapping "
            "entities"
        )


@dataclass
class NerDataset:
    sentences: list[Sentence]
    types: list[str]  # entity types, sorted
    documents: dict[str, str] = field(default_factory=dict)  # doc_id -> text (BRAT: for offsets and writing)
    report: HygieneReport = field(default_factory=HygieneReport)
    # doc_id -> every gold entity of the document as annotated (BRAT; raw text: none). Evaluation of
    # document data scores character spans against these, not against the BIO tags.
    gold: dict[str, list[Entity]] = field(default_factory=dict)

    @property
    def labels(self) -> list[str]:
        """The BIO label set: the tags present in the sentences, and O, sorted: run_ner.py's label list.

        The set decides the head's size and the order which row each label gets, so with run_ner.py's
        list a seed draws the same head as the canonical recipe (the same model, step for step, on
        the same batches). A tag that never occurs (I-X of a type whose entities are all one word)
        gets no row: a row never trained is another random head at the same seed, and it measurably
        cost F1 on such data (``benchmarks/ner_vs_canonical.py``)."""
        return sorted({tag for sentence in self.sentences for tag in sentence.tags} | {"O"})


@dataclass
class TextExample:
    """A text (or text pair) with a class label, a set of labels, or a score."""

    text: str
    label: str | list[str] | float
    doc_id: str
    source: str
    text_pair: str | None = None
    group: str = ""  # the language (or other part) it came from with ``--data LANG=PATH``: scored apart


@dataclass
class TextDataset:
    examples: list[TextExample]
    task: str  # a text kind of readers/kinds.py: "classification" | "multilabel" | "regression"
    labels: list[str]  # class names, sorted (empty for regression)
