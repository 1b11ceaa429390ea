"""Entity-level scores of BRAT annotations, counted as the official shared-task scorers count them.

The reference is the evaluation code of the BSC shared tasks on Spanish clinical text
(CANTEMIST, DisTEMIST, MultiCardioNER; github.com/TeMU-BSC, github.com/nlp4bia-bsc). All three
count an entity as found only when a prediction has exactly its character offsets (and, except
CANTEMIST-NER, its type) in the same document, and micro-average over all documents. In detail:

- **Set semantics per document.** CANTEMIST and DisTEMIST drop duplicate rows (same document and
  offsets, DisTEMIST also same label) from gold and predictions before counting; MultiCardioNER
  drops duplicate predictions. So a mention written twice counts once, on either side.
- **Every gold entity counts**, overlapping and nested ones included (no BIO flattening here).
  A discontinuous entity (``start end;start end``) is one mention matched on its full set of
  fragments; the official libraries cannot express it (TSV start/end columns; CANTEMIST skips a
  file holding one), so this is our extension, the strictest reading of "exact".
- **A gold document without predictions** counts its gold entities as missed.
- **Predictions for a document with no gold** are silently dropped by the official libraries;
  here they are an error, because they mean the gold and prediction folders do not match.
- ``ignore_type`` matches offsets only: the CANTEMIST-NER convention (one entity type, the
  predicted label not compared).

Pure: no model code, no torch; safe to call from training, evaluation and the ``score`` command.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from .errors import AdapterkitError
from .tasks.brat import PRESETS, _note_groups, _parse_t_line
from .tasks.hygiene import numbered_lines

SCHEME = "brat-exact"
ANY_TYPE = "*"  # the type every mention gets when types are ignored


@dataclass(frozen=True)
class Mention:
    """One entity: its type and its fragments, matched on the full set of fragments."""

    kind: str
    fragments: tuple[tuple[int, int], ...]  # sorted (start, end) character offsets

    @classmethod
    def of(cls, kind: str, fragments) -> Mention:
        """A mention with its fragments sorted, so fragment order in a file does not matter."""
        return cls(kind, tuple(sorted((int(start), int(end)) for start, end in fragments)))


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
        raise AdapterkitError(f"{folder}: no such folder (--{role}); give a folder of BRAT .ann files")
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
