"""Entity-level scores of BRAT annotations, counted as the official shared-task scorers count them.

The reference is the evaluation code of the BSC shared tasks on Spanish clinical text
(CANTEMIST, DisTEMIST, MultiCardioNER; github.com/TeMU-BSC, github.com/nlp4bia-bsc). All three
count an entity as found only when a prediction has exactly its character offsets (and, except
CANTEMIST-NER, its type) in the same document, and micro-average over all documents. In detail:

- **Set semantics per document.** CANTEMIST and DisTEMIST count gold and predicted positives over
  distinct (document, offsets) rows; DisTEMIST's reader and MultiCardioNER drop duplicate
  predictions (same document, label, offsets) before matching. So a mention written twice counts
  once, on either side. (Left aside: CANTEMIST's true-positive join counts a doubled correct
  prediction twice, which its own check flags as a bug; MultiCardioNER keeps doubled gold rows.)
- **Every gold entity counts**, overlapping and nested ones included (no BIO flattening here).
  A discontinuous entity (``start end;start end``) is one mention matched on its full set of
  fragments; the official libraries cannot express it (TSV start/end columns; CANTEMIST skips a
  file holding one), so this is our extension, the strictest reading of "exact".
- **A gold document without predictions** counts its gold entities as missed.
- **Predictions for a document with no gold** are silently dropped by the official libraries;
  here they are an error, because they mean the gold and prediction folders do not match. A
  document whose gold ``.ann`` is empty is a document: predictions there are false positives, as
  in CANTEMIST (the TSV-based DisTEMIST and MultiCardioNER scripts never see such a document).
- ``ignore_type`` matches offsets only: the CANTEMIST-NER convention (one entity type, the
  predicted label not compared).

Pure: no model code, no torch; safe to call from training, evaluation and the ``score`` command.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from ..atomic import atomic_write_text
from ..choices import SCORE_FORMATS as FORMATS
from ..errors import AdapterkitError
from .brat import PRESETS, _note_groups, _parse_t_line, warn_duplicate_ids
from .conll import DOCSTART, tagged_sentences
from .data import HygieneReport
from .hygiene import VALID_TAG, check_tags, numbered_lines

SCHEME = "brat-exact"
ANY_TYPE = "*"  # the type every mention gets when types are ignored


@dataclass(frozen=True)
class Mention:
    """One entity: its type and its fragments, matched on the full set of fragments."""

    kind: str
    fragments: tuple[tuple[int, int], ...]  # sorted (start, end) character offsets

    def __post_init__(self) -> None:
        # Sorted and made a tuple whatever the caller passed, so fragment order never decides a match.
        object.__setattr__(self, "fragments", tuple(sorted((int(start), int(end)) for start, end in self.fragments)))

    @classmethod
    def of(cls, kind: str, fragments) -> Mention:
        """A mention of ``fragments`` in any order and any sequence type."""
        return cls(kind, tuple(fragments))


def _rates(tp: int, pred: int, gold: int) -> dict:
    """Precision, recall and F1 of counts; 0 where there is nothing to divide by."""
    precision = tp / pred if pred else 0.0
    recall = tp / gold if gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "tp": tp, "pred": pred, "gold": gold}


def _keyed(mentions: list[Mention], ignore_type: bool) -> set[tuple[str, tuple[tuple[int, int], ...]]]:
    """The distinct (type, fragments) of a document's mentions: a duplicate counts once."""
    return {(ANY_TYPE if ignore_type else mention.kind, mention.fragments) for mention in mentions}


def score_mentions(gold: dict[str, list[Mention]], pred: dict[str, list[Mention]], ignore_type: bool = False) -> dict:
    """Micro and per-type precision, recall and F1 of exact-offset matches, per document.

    ``gold`` and ``pred`` map document ids to mentions. Returns ``{"scheme": "brat-exact",
    "ignore_type", "micro": {"precision", "recall", "f1", "tp", "pred", "gold"}, "per_type":
    {TYPE: {same keys}}, "documents": n}`` where ``documents`` counts the gold documents.
    Duplicates count once (set semantics, as the official scorers do). With ``ignore_type`` only
    offsets are compared and ``per_type`` is empty. A predicted document absent from ``gold``
    raises ``AdapterkitError``.
    """
    stray = sorted(set(pred) - set(gold))
    if stray:
        raise AdapterkitError(
            f"predictions for {len(stray)} document(s) with no gold (first: {stray[0]!r}); "
            "score against the gold of the same documents"
        )
    counts = {"tp": Counter(), "pred": Counter(), "gold": Counter()}
    for document, gold_mentions in gold.items():
        gold_set, pred_set = _keyed(gold_mentions, ignore_type), _keyed(pred.get(document, []), ignore_type)
        for name, found in (("gold", gold_set), ("pred", pred_set), ("tp", gold_set & pred_set)):
            counts[name].update(kind for kind, _ in found)
    kinds = sorted(set(counts["gold"]) | set(counts["pred"]))
    per_type = {kind: _rates(counts["tp"][kind], counts["pred"][kind], counts["gold"][kind]) for kind in kinds}
    micro = _rates(*(sum(counts[name].values()) for name in ("tp", "pred", "gold")))
    return {
        "scheme": SCHEME,
        "ignore_type": ignore_type,
        "micro": micro,
        "per_type": {} if ignore_type else per_type,
        "documents": len(gold),
    }


def read_ann_mentions(path: Path, preset: str = "auto", require_group: bool = True) -> list[Mention]:
    """The ``T`` lines of an ``.ann`` file as mentions; other lines are ignored.

    With ``preset="mantra"`` the type is the group in the entity's ``AnnotatorNotes`` line, as the
    BRAT reader does; ``require_group=False`` keeps the ``T`` line's type for an entity without a
    note (predictions written by ``adapterkit predict`` carry the group as their type). A malformed
    ``T`` line, an impossible fragment (negative, or start not before end) or a mantra entity
    without a group (when required) raises ``AdapterkitError`` naming ``file:line``.
    Offsets are not checked against the text: a prediction past the end simply matches nothing.
    """
    if preset not in PRESETS:
        raise AdapterkitError(f"--preset {preset!r} does not apply to BRAT data; use one of {', '.join(PRESETS)}")
    path = Path(path)
    lines = list(numbered_lines(path))
    warn_duplicate_ids(path, lines)
    groups = _note_groups(lines) if preset == "mantra" else {}
    mentions = []
    for number, line in lines:
        if not line.startswith("T"):
            continue
        source = f"{path}:{number}"
        kind, fragments = _parse_t_line(line, source)
        if any(start < 0 or start >= end for start, end in fragments):
            raise AdapterkitError(f"{source}: a fragment with a negative offset or start not before end; fix the line")
        if preset == "mantra":
            entity_id = line.split("\t", 1)[0]
            if entity_id not in groups and require_group:
                raise AdapterkitError(
                    f"{source}: entity {entity_id} has no AnnotatorNotes group (--preset mantra); add the note"
                )
            kind = groups.get(entity_id, kind)
        mentions.append(Mention.of(kind, fragments))
    return mentions


def _ann_files(folder: Path, role: str) -> dict[str, Path]:
    """Document id (file name without ``.ann``, relative to ``folder``) -> ``.ann`` file, recursively."""
    if not folder.is_dir():
        what = "not a folder" if folder.exists() else "no such folder"
        raise AdapterkitError(f"{folder}: {what} (--{role}); give a folder of BRAT .ann files")
    return {path.relative_to(folder).with_suffix("").as_posix(): path for path in sorted(folder.rglob("*.ann"))}


def score_brat_folders(gold_dir: Path, pred_dir: Path, ignore_type: bool = False, preset: str = "auto") -> dict:
    """``score_mentions`` over two folders of ``.ann`` files, paired by relative path.

    Every gold ``.ann`` is a document (an empty one has no entities); a gold document with no
    predicted ``.ann`` counts its entities as missed; a predicted ``.ann`` with no gold one is an
    error naming it. With ``preset="mantra"`` gold types are the AnnotatorNotes groups; a predicted
    entity takes its note's group when it has one, else its own type (what ``predict`` writes).
    """
    gold_dir, pred_dir = Path(gold_dir), Path(pred_dir)
    gold_files, pred_files = _ann_files(gold_dir, "gold"), _ann_files(pred_dir, "pred")
    if not gold_files:
        raise AdapterkitError(f"{gold_dir}: the gold folder holds no .ann files; BRAT gold is <doc>.ann")
    stray = sorted(set(pred_files) - set(gold_files))
    if stray:
        raise AdapterkitError(
            f"{pred_files[stray[0]]}: no gold document {stray[0]}.ann in {gold_dir} "
            f"({len(stray)} such prediction file(s)); score against the gold folder of the same documents"
        )
    gold = {document: read_ann_mentions(path, preset) for document, path in gold_files.items()}
    pred = {document: read_ann_mentions(path, preset, require_group=False) for document, path in pred_files.items()}
    return score_mentions(gold, pred, ignore_type)


# --- CoNLL ----------------------------------------------------------------------------------------

CONLL_SCHEMES = {False: "conlleval", True: "strict"}


def _width(path: Path) -> int:
    """Columns of a CoNLL file's first data line (tab-separated when it has a tab, as the reader does)."""
    for _, line in numbered_lines(path):
        if line.strip() and line.split()[0] != DOCSTART:
            return len(line.split("\t") if "\t" in line else line.split())
    return 0


def _aligned(gold_path: Path, gold: list, pred_path: Path, pred: list) -> None:
    """Gold and prediction must hold the same tokens in the same sentences, or scores pair the wrong words."""
    for (_, gold_words), (_, pred_words) in zip(gold, pred, strict=False):  # lengths are compared below
        for (gold_line, gold_token, _), (pred_line, pred_token, _) in zip(gold_words, pred_words, strict=False):
            if gold_token != pred_token:
                raise AdapterkitError(
                    f"{pred_path}:{pred_line}: token {pred_token!r} where {gold_path}:{gold_line} has {gold_token!r}; "
                    "predict the gold file's tokens"
                )
        if len(pred_words) < len(gold_words):
            raise AdapterkitError(
                f"{pred_path}:{pred_words[-1][0]}: the sentence ends after {len(pred_words)} words but the gold one "
                f"goes on at {gold_path}:{gold_words[len(pred_words)][0]}; predict the gold file's tokens and sentences"
            )
        if len(pred_words) > len(gold_words):
            raise AdapterkitError(
                f"{pred_path}:{pred_words[len(gold_words)][0]}: a word beyond the gold sentence, which ends at "
                f"{gold_path}:{gold_words[-1][0]}; predict the gold file's tokens and sentences"
            )
    if len(gold) != len(pred):
        longer, path = (gold, gold_path) if len(gold) > len(pred) else (pred, pred_path)
        raise AdapterkitError(
            f"{path}:{longer[min(len(gold), len(pred))][1][0][0]}: {len(gold)} gold sentences but {len(pred)} "
            "predicted ones; predict the gold file's sentences"
        )


def _checked_tags(path: Path, sentences: list, report: HygieneReport, repair: bool) -> list[list[str]]:
    """The tags as written, malformed ones refused (or ``O`` with ``repair``); orphan ``I-`` tags kept.

    ``check_tags`` validates and counts, but its orphan repair (``I-X`` to ``B-X``) would make
    strict scoring equal conlleval's, so its output is only used for the malformed-tag repair.
    """
    tag_lists = []
    for _, words in sentences:
        raw = [tag for _, _, tag in words]
        repaired = check_tags(raw, [f"{path}:{line}" for line, _, _ in words], report, repair)
        tag_lists.append([tag if VALID_TAG.fullmatch(tag) else fixed for tag, fixed in zip(raw, repaired, strict=True)])
    return tag_lists


def _entities(tags: list[list[str]], strict: bool) -> set[tuple[int, str, int, int]]:
    """(sentence, type, first word, last word) of every entity, as seqeval reads them in each mode."""
    from seqeval.metrics.sequence_labeling import get_entities
    from seqeval.scheme import IOB2, Entities

    if strict:
        return {(e.sent_id, e.tag, e.start, e.end) for sentence in Entities(tags, IOB2).entities for e in sentence}
    return {(index, kind, first, last) for index, row in enumerate(tags) for kind, first, last in get_entities(row)}


def score_conll_tags(gold: list[list[str]], pred: list[list[str]], strict: bool = False) -> dict:
    """Entity scores of BIO tag sequences: ``metrics.ner_metrics`` with the counts behind them.

    ``strict=False`` is the conlleval convention (an ``I-X`` after ``O`` or another type starts an
    entity), ``strict=True`` seqeval's strict IOB2 mode. Returns the ``score_mentions`` layout
    (``scheme``, ``micro`` and ``per_type`` with precision, recall, F1, tp, pred, gold) plus
    ``macro_f1``.
    """
    from ..metrics import ner_metrics

    scores = ner_metrics(gold, pred, strict=strict)
    gold_entities, pred_entities = _entities(gold, strict), _entities(pred, strict)
    sets = {"tp": gold_entities & pred_entities, "pred": pred_entities, "gold": gold_entities}

    def counts(kind: str | None) -> dict:
        return {name: sum(kind is None or e[1] == kind for e in entities) for name, entities in sets.items()}

    rates = ("precision", "recall", "f1")
    return {
        "scheme": scores["scheme"],
        "micro": {**{name: scores[name] for name in rates}, **counts(None)},
        "macro_f1": scores["macro_f1"],
        "per_type": {
            kind: {**{name: row[name] for name in rates}, **counts(kind)} for kind, row in scores["per_type"].items()
        },
    }


def score_conll_files(
    gold_path: Path, pred_path: Path, strict: bool = False, preset: str = "auto", repair: bool = False
) -> dict:
    """``score_conll_tags`` of two CoNLL files holding the same tokens in the same sentences.

    ``preset`` names the gold file's columns; the prediction file is read with it too when it has
    as many columns, else by its own shape (a 2-column file, as ``predict`` writes: token, tag).
    Malformed tags stop the scoring unless ``repair`` (then ``O``, counted in ``hygiene``).
    """
    gold_path, pred_path = Path(gold_path), Path(pred_path)
    for path, role in ((gold_path, "gold"), (pred_path, "pred")):
        if not path.is_file():
            what = "a folder" if path.is_dir() else "no such file"
            raise AdapterkitError(f"{path}: {what} (--{role}); give a CoNLL file")
    gold = tagged_sentences(gold_path, preset)
    pred = tagged_sentences(pred_path, preset if _width(pred_path) == _width(gold_path) else "auto")
    _aligned(gold_path, gold, pred_path, pred)
    reports = {"gold": HygieneReport(), "pred": HygieneReport()}
    gold_tags = _checked_tags(gold_path, gold, reports["gold"], repair)
    pred_tags = _checked_tags(pred_path, pred, reports["pred"], repair)
    result = score_conll_tags(gold_tags, pred_tags, strict)
    return {
        **result,
        "documents": len(dict.fromkeys(document for document, _ in gold)),
        "sentences": len(gold),
        "tokens": sum(len(words) for _, words in gold),
        # Orphan I- tags are kept as written: conlleval starts an entity there, --strict drops it.
        "hygiene": {
            role: {"orphan_i_tags": report.orphan_i_repaired, "malformed_to_o": report.malformed_repaired}
            for role, report in reports.items()
        },
    }


# --- the score command ----------------------------------------------------------------------------


def detect_format(gold: Path, pred: Path) -> str:
    """``brat`` for two folders, ``conll`` for two files; anything else is a one-line error."""
    for path, role in ((gold, "gold"), (pred, "pred")):
        if not path.exists():
            raise AdapterkitError(f"{path}: no such file or folder (--{role})")
    if gold.is_dir() and pred.is_dir():
        return "brat"
    if gold.is_file() and pred.is_file():
        return "conll"
    raise AdapterkitError(
        f"--gold {gold} is a {'folder' if gold.is_dir() else 'file'} but --pred {pred} is a "
        f"{'folder' if pred.is_dir() else 'file'}; give two BRAT folders or two CoNLL files"
    )


def score_paths(
    gold: Path,
    pred: Path,
    fmt: str = "auto",
    strict: bool = False,
    ignore_type: bool = False,
    preset: str = "auto",
    repair: bool = False,
) -> dict:
    """What ``adapterkit score`` computes: BRAT folders or CoNLL files, the format found from the paths.

    Options that do not apply to the format (``--strict``/``--repair`` with BRAT, ``--ignore-type``
    with CoNLL) are errors rather than silently ignored, so a recorded score always means what the
    command line says.
    """
    gold, pred = Path(gold), Path(pred)
    if fmt not in FORMATS:
        raise AdapterkitError(f"--format {fmt!r}: choose one of {', '.join(FORMATS)}")
    fmt = detect_format(gold, pred) if fmt == "auto" else fmt
    if fmt == "brat":
        if strict or repair:
            raise AdapterkitError(
                f"--{'strict' if strict else 'repair'} applies to CoNLL tags; BRAT scoring compares exact offsets"
            )
        return {"format": "brat", **score_brat_folders(gold, pred, ignore_type, preset)}
    if ignore_type:
        raise AdapterkitError("--ignore-type applies to BRAT folders; CoNLL scoring compares typed entities")
    return {"format": "conll", **score_conll_files(gold, pred, strict, preset, repair)}


def write_json(path: Path, result: dict) -> None:
    """``result`` as JSON, written atomically (``atomic.py``: a temporary file beside ``path``, removed on failure)."""
    path = Path(path)
    if not path.parent.is_dir():
        raise AdapterkitError(f"--output {path}: the folder {path.parent} does not exist; create it first")
    try:
        atomic_write_text(path, json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    except OSError as error:
        raise AdapterkitError(f"--output {path}: cannot write ({error.strerror})") from None


def table_rows(result: dict) -> list[list[str]]:
    """Rows of the score table: one per type, then the micro average over all of them."""

    def row(name: str, scores: dict) -> list[str]:
        rates = [f"{scores[key]:.4f}" for key in ("precision", "recall", "f1")]
        return [name, *rates, *(str(scores[key]) for key in ("tp", "pred", "gold"))]

    return [*(row(kind, scores) for kind, scores in result["per_type"].items()), row("micro", result["micro"])]
