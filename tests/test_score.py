"""The scorer: exact-offset BRAT scores counted as the official shared-task libraries count them."""

from __future__ import annotations

import importlib
import os
import random
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from adapterkit.errors import AdapterkitError
from adapterkit.paths import shared_data_dir
from adapterkit.readers.hygiene import VALID_TAG
from adapterkit.readers.scorer import Mention, read_ann_mentions, score_brat_folders, score_mentions


def m(kind: str, *fragments: tuple[int, int]) -> Mention:
    return Mention.of(kind, fragments)


def micro(result: dict) -> tuple[int, int, int]:
    return result["micro"]["tp"], result["micro"]["pred"], result["micro"]["gold"]


# --- score_mentions -------------------------------------------------------------------------------


def test_exact_offsets_and_type_make_a_true_positive_and_nothing_less():
    gold = {"d": [m("DIS", (0, 5)), m("DIS", (10, 15)), m("DRUG", (20, 25))]}
    pred = {"d": [m("DIS", (0, 5)), m("DIS", (10, 16)), m("DIS", (20, 25))]}  # exact, shifted end, retyped
    result = score_mentions(gold, pred)
    assert result["scheme"] == "brat-exact"
    assert micro(result) == (1, 3, 3)
    assert result["micro"]["precision"] == pytest.approx(1 / 3)
    assert result["micro"]["recall"] == pytest.approx(1 / 3)
    assert result["micro"]["f1"] == pytest.approx(1 / 3)
    assert result["per_type"]["DIS"] == {"precision": 1 / 3, "recall": 1 / 2, "f1": pytest.approx(0.4), "tp": 1,
                                         "pred": 3, "gold": 2}  # fmt: skip
    assert result["per_type"]["DRUG"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "tp": 0, "pred": 0, "gold": 1}
    assert result["documents"] == 1


def test_ignore_type_matches_offsets_only_and_reports_no_types():
    gold = {"d": [m("DIS", (0, 5)), m("DRUG", (20, 25))]}
    pred = {"d": [m("X", (0, 5)), m("DIS", (20, 25)), m("DIS", (30, 35))]}
    result = score_mentions(gold, pred, ignore_type=True)
    assert micro(result) == (2, 3, 2)
    assert result["per_type"] == {}
    assert result["ignore_type"] is True


def test_duplicates_count_once_on_either_side_as_the_official_libraries_drop_them():
    gold = {"d": [m("DIS", (0, 5)), m("DIS", (0, 5)), m("DIS", (7, 9))]}
    pred = {"d": [m("DIS", (0, 5)), m("DIS", (0, 5)), m("DIS", (0, 5))]}
    assert micro(score_mentions(gold, pred)) == (1, 1, 2)


def test_two_types_on_the_same_offsets_are_two_mentions_but_one_span_without_types():
    gold = {"d": [m("A", (0, 5)), m("B", (0, 5))]}
    pred = {"d": [m("A", (0, 5))]}
    assert micro(score_mentions(gold, pred)) == (1, 1, 2)
    assert micro(score_mentions(gold, pred, ignore_type=True)) == (1, 1, 1)


def test_overlapping_and_nested_gold_entities_all_count():
    # BIO training keeps one of these; the score must still count all three as gold.
    gold = {"d": [m("DIS", (0, 20)), m("ANAT", (5, 10)), m("DIS", (15, 30))]}
    pred = {"d": [m("DIS", (0, 20))]}
    result = score_mentions(gold, pred)
    assert micro(result) == (1, 1, 3)
    assert result["micro"]["recall"] == pytest.approx(1 / 3)


def test_a_discontinuous_entity_matches_only_its_full_set_of_fragments_in_any_order():
    assert Mention("DIS", [(10, 15), (0, 4)]) == Mention("DIS", ((0, 4), (10, 15)))  # type: ignore[arg-type]
    gold = {"d": [m("DIS", (0, 4), (10, 15))]}
    assert micro(score_mentions(gold, {"d": [Mention.of("DIS", [(10, 15), (0, 4)])]})) == (1, 1, 1)
    assert micro(score_mentions(gold, {"d": [m("DIS", (0, 4)), m("DIS", (10, 15))]})) == (0, 2, 1)
    assert micro(score_mentions(gold, {"d": [m("DIS", (0, 15))]})) == (0, 1, 1)


def test_a_gold_document_without_predictions_counts_its_entities_as_missed():
    gold = {"a": [m("DIS", (0, 5))], "b": [m("DIS", (0, 5)), m("DIS", (6, 9))], "c": []}
    result = score_mentions(gold, {"a": [m("DIS", (0, 5))]})
    assert micro(result) == (1, 1, 3)
    assert result["documents"] == 3


def test_predictions_for_a_document_with_no_gold_are_an_error():
    with pytest.raises(AdapterkitError, match="no gold.*'z'"):
        score_mentions({"a": []}, {"a": [], "z": [m("DIS", (0, 1))]})


def test_nothing_to_divide_by_gives_zero_scores():
    result = score_mentions({"a": []}, {"a": []})
    assert result["micro"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "tp": 0, "pred": 0, "gold": 0}


def test_the_same_offsets_in_two_documents_are_two_mentions():
    gold = {"a": [m("DIS", (0, 5))], "b": [m("DIS", (0, 5))]}
    assert micro(score_mentions(gold, {"a": [m("DIS", (0, 5))]})) == (1, 1, 2)
    assert micro(score_mentions(gold, {"b": [m("DIS", (0, 5))], "a": []})) == (1, 1, 2)


# --- reading .ann files ----------------------------------------------------------------------------


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_read_ann_mentions_takes_t_lines_with_all_fragments_and_ignores_the_rest(tmp_path: Path):
    ann = write(
        tmp_path / "d.ann",
        "T1\tDIS 0 5\tfiebre\n"
        "T2\tDIS 20 25;10 14\ttos seca\n"
        "#1\tAnnotatorNotes T1\tnote\n"
        "R1\tRel Arg1:T1 Arg2:T2\t\n"
        "A1\tNeg T1\n",
    )
    assert read_ann_mentions(ann) == [m("DIS", (0, 5)), m("DIS", (10, 14), (20, 25))]


@pytest.mark.parametrize(
    ("line", "problem"),
    [("T1\tDIS zero 5\tx", "not a BRAT entity line"), ("T1\tDIS 5 5\tx", "start not before end"),
     ("T1\tDIS -2 5\tx", "negative offset"), ("T1 DIS 0 5 x", "not a BRAT entity line")],
)  # fmt: skip
def test_a_bad_t_line_is_an_error_naming_file_and_line(tmp_path: Path, line: str, problem: str):
    ann = write(tmp_path / "d.ann", f"T9\tDIS 0 1\tok\n{line}\n")
    with pytest.raises(AdapterkitError, match=rf"d\.ann:2: .*{problem}"):
        read_ann_mentions(ann)


def test_mantra_preset_types_gold_by_the_annotator_notes_group(tmp_path: Path):
    ann = write(
        tmp_path / "d.ann",
        'T1\tC0015967 0 5\tfever\n#1\tAnnotatorNotes T1\tfever "C0015967" "DISO"\n'
        'T2\tC0011849 6 14\tdiabetes\n#2\tAnnotatorNotes T2\t"CHEM|PHEN"\n',
    )
    assert read_ann_mentions(ann, preset="mantra") == [m("DISO", (0, 5)), m("CHEM", (6, 14))]
    assert read_ann_mentions(ann) == [m("C0015967", (0, 5)), m("C0011849", (6, 14))]
    lacking = write(tmp_path / "e.ann", "T1\tC0015967 0 5\tfever\n")
    with pytest.raises(AdapterkitError, match=r"e\.ann:1: .*no AnnotatorNotes group"):
        read_ann_mentions(lacking, preset="mantra")
    assert read_ann_mentions(lacking, preset="mantra", require_group=False) == [m("C0015967", (0, 5))]


def test_an_unknown_preset_is_an_error(tmp_path: Path):
    with pytest.raises(AdapterkitError, match="--preset 'monero'"):
        read_ann_mentions(write(tmp_path / "d.ann", ""), preset="monero")


# --- folders ---------------------------------------------------------------------------------------


def test_score_brat_folders_pairs_documents_by_relative_path(tmp_path: Path):
    write(tmp_path / "gold/a.ann", "T1\tDIS 0 5\tx\nT2\tDIS 6 9\ty\n")
    write(tmp_path / "gold/sub/b.ann", "T1\tDIS 0 5\tx\n")
    write(tmp_path / "gold/c.ann", "T1\tDRUG 0 5\tx\n")  # no prediction file: missed
    write(tmp_path / "gold/c.txt", "ignored")
    write(tmp_path / "pred/a.ann", "T1\tDIS 0 5\tx\nT2\tDIS 6 10\ty\n")
    write(tmp_path / "pred/sub/b.ann", "T7\tDIS 0 5\tx\n")
    result = score_brat_folders(tmp_path / "gold", tmp_path / "pred")
    assert micro(result) == (2, 3, 4)
    assert result["documents"] == 3
    assert result["per_type"]["DRUG"]["gold"] == 1


def test_a_prediction_file_with_no_gold_document_is_an_error_naming_it(tmp_path: Path):
    write(tmp_path / "gold/a.ann", "T1\tDIS 0 5\tx\n")
    write(tmp_path / "pred/a.ann", "T1\tDIS 0 5\tx\n")
    write(tmp_path / "pred/zz.ann", "T1\tDIS 0 5\tx\n")
    with pytest.raises(AdapterkitError, match=r"pred/zz\.ann: no gold document zz\.ann"):
        score_brat_folders(tmp_path / "gold", tmp_path / "pred")


def test_missing_or_empty_folders_are_errors(tmp_path: Path):
    write(tmp_path / "gold/a.ann", "")
    (tmp_path / "empty").mkdir()
    with pytest.raises(AdapterkitError, match=r"nowhere: no such folder \(--pred\)"):
        score_brat_folders(tmp_path / "gold", tmp_path / "nowhere")
    with pytest.raises(AdapterkitError, match="holds no .ann files"):
        score_brat_folders(tmp_path / "empty", tmp_path / "gold")


def test_mantra_predictions_may_carry_the_group_as_their_type(tmp_path: Path):
    write(tmp_path / "gold/a.ann", 'T1\tC0015967 0 5\tfever\n#1\tAnnotatorNotes T1\t"DISO"\n')
    write(tmp_path / "pred/a.ann", "T1\tDISO 0 5\tfever\n")
    assert micro(score_brat_folders(tmp_path / "gold", tmp_path / "pred", preset="mantra")) == (1, 1, 1)


# --- CoNLL ------------------------------------------------------------------------------------------


def conll(path: Path, sentences: list[list[tuple[str, str]]], columns: int = 2) -> Path:
    """A CoNLL file; 4 columns are MoNERo's layout (token, lemma, tag, POS)."""
    lines = []
    for sentence in sentences:
        for token, tag in sentence:
            lines.append(f"{token}\t{tag}" if columns == 2 else f"{token}\t{token.lower()}\t{tag}\tNOUN")
        lines.append("")
    return write(path, "\n".join(lines) + "\n")


GOLD_SENTENCES = [
    [("Pacient", "O"), ("cu", "O"), ("diabet", "B-DISO"), ("zaharat", "I-DISO"), ("tip", "I-DISO"), ("2", "I-DISO")],
    [("insulina", "B-CHEM"), ("si", "O"), ("rinichi", "B-ANAT"), ("stang", "I-ANAT"), (".", "O")],
    [("durere", "I-DISO"), ("toracica", "I-DISO"), ("acuta", "O")],  # orphan I-: an entity for conlleval only
]


def with_tags(sentences: list[list[tuple[str, str]]], tags: list[list[str]]) -> list[list[tuple[str, str]]]:
    return [[(token, tag) for (token, _), tag in zip(s, t, strict=True)] for s, t in zip(sentences, tags, strict=True)]


PRED_TAGS = [
    ["O", "O", "B-DISO", "I-DISO", "O", "O"],  # DISO cut short: a false positive and a miss
    ["B-CHEM", "O", "B-ANAT", "I-ANAT", "O"],  # both right
    ["B-DISO", "I-DISO", "O"],  # right in conlleval, a false positive in strict mode
]


def test_conll_scores_count_entities_the_conlleval_way_by_default(tmp_path: Path):
    from adapterkit.readers.scorer import score_conll_files

    gold = conll(tmp_path / "gold.conll", GOLD_SENTENCES, columns=4)
    pred = conll(tmp_path / "pred.conll", with_tags(GOLD_SENTENCES, PRED_TAGS))
    result = score_conll_files(gold, pred)
    # Worked by hand: gold DISO x2, CHEM, ANAT; predicted DISO x2 (one right), CHEM, ANAT.
    assert result["scheme"] == "conlleval"
    assert micro(result) == (3, 4, 4)
    assert result["micro"]["f1"] == pytest.approx(0.75)
    assert result["per_type"]["DISO"] == {"precision": 0.5, "recall": 0.5, "f1": 0.5, "tp": 1, "pred": 2, "gold": 2}
    assert (result["documents"], result["sentences"], result["tokens"]) == (1, 3, 14)
    assert result["hygiene"]["gold"] == {"orphan_i_tags": 1, "malformed_to_o": 0}


def test_strict_mode_does_not_count_an_entity_that_starts_with_i(tmp_path: Path):
    from adapterkit.readers.scorer import score_conll_files

    gold = conll(tmp_path / "gold.conll", GOLD_SENTENCES, columns=4)
    pred = conll(tmp_path / "pred.conll", with_tags(GOLD_SENTENCES, PRED_TAGS))
    result = score_conll_files(gold, pred, strict=True)
    assert result["scheme"] == "strict"
    assert micro(result) == (2, 4, 3)
    assert result["per_type"]["DISO"]["gold"] == 1


def test_conll_counts_reproduce_the_seqeval_rates_in_both_modes(tmp_path: Path):
    from adapterkit.readers.scorer import score_conll_tags

    gold = [[t for _, t in s] for s in GOLD_SENTENCES]
    for strict in (False, True):
        result = score_conll_tags(gold, PRED_TAGS, strict)
        for scores in (result["micro"], *result["per_type"].values()):
            assert scores["precision"] == pytest.approx(scores["tp"] / scores["pred"] if scores["pred"] else 0)
            assert scores["recall"] == pytest.approx(scores["tp"] / scores["gold"] if scores["gold"] else 0)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda s: [s[0], s[1][:-1], s[2]], r"pred\.conll:11: the sentence ends after 4 words .*gold\.conll:12"),
        (lambda s: [s[0], [*s[1], ("extra", "O")], s[2]], r"pred\.conll:13: a word beyond the gold sentence"),
        (lambda s: [s[0], [("insulin", "B-CHEM"), *s[1][1:]], s[2]], r"pred\.conll:8: token 'insulin' where"),
        (lambda s: s[:2], r"gold\.conll:14: 3 gold sentences but 2 predicted"),
    ],
)
def test_conll_predictions_must_hold_the_gold_tokens(tmp_path: Path, edit, message: str):
    from adapterkit.readers.scorer import score_conll_files

    gold = conll(tmp_path / "gold.conll", GOLD_SENTENCES, columns=4)
    pred = conll(tmp_path / "pred.conll", edit(GOLD_SENTENCES))
    with pytest.raises(AdapterkitError, match=message):
        score_conll_files(gold, pred)


def test_a_malformed_tag_stops_conll_scoring_unless_repaired(tmp_path: Path):
    from adapterkit.readers.scorer import score_conll_files

    gold = conll(tmp_path / "gold.conll", GOLD_SENTENCES)
    pred = conll(tmp_path / "pred.conll", with_tags(GOLD_SENTENCES, [["o"] * 6, ["O"] * 5, ["O"] * 3]))
    with pytest.raises(AdapterkitError, match=r"pred\.conll:1: malformed tag 'o'"):
        score_conll_files(gold, pred)
    result = score_conll_files(gold, pred, repair=True)
    assert micro(result) == (0, 0, 4)
    assert result["hygiene"]["pred"]["malformed_to_o"] == 6


# --- the command -----------------------------------------------------------------------------------


def test_score_command_prints_the_table_and_writes_the_same_as_json(tmp_path: Path, capsys):
    import json

    from adapterkit.cli import main

    write(tmp_path / "gold/a.ann", "T1\tDIS 0 5\tx\nT2\tDRUG 6 9\ty\n")
    write(tmp_path / "pred/a.ann", "T1\tDIS 0 5\tx\nT2\tDRUG 6 10\ty\n")
    out = tmp_path / "scores.json"
    assert (
        main(["score", "--gold", str(tmp_path / "gold"), "--pred", str(tmp_path / "pred"), "--output", str(out)]) == 0
    )
    printed = capsys.readouterr().out
    assert "brat-exact: 1 documents" in printed
    assert "DRUG" in printed and "micro" in printed and "0.5000" in printed
    recorded = json.loads(out.read_text(encoding="utf-8"))
    assert recorded["format"] == "brat" and recorded["scheme"] == "brat-exact"
    assert recorded["micro"] == {"precision": 0.5, "recall": 0.5, "f1": 0.5, "tp": 1, "pred": 2, "gold": 2}
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temporary file left
    assert printed.splitlines()[-1] == (
        f"score done in {printed.splitlines()[-1].split(' in ')[1].split(':')[0]}: micro F1 0.5000 (P 0.5000, "
        f"R 0.5000; 1 of 2 gold entities found, 2 predicted); results: {out}"
    )


def test_score_command_detects_conll_files_and_honours_strict(tmp_path: Path, capsys):
    import json

    from adapterkit.cli import main

    gold = conll(tmp_path / "gold.conll", GOLD_SENTENCES, columns=4)
    pred = conll(tmp_path / "pred.conll", with_tags(GOLD_SENTENCES, PRED_TAGS))
    out = tmp_path / "s.json"
    assert main(["score", "--gold", str(gold), "--pred", str(pred), "--strict", "--output", str(out)]) == 0
    assert "strict: 1 documents, 3 sentences" in capsys.readouterr().out
    assert json.loads(out.read_text(encoding="utf-8"))["micro"]["tp"] == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--gold", "{gold_dir}", "--pred", "{missing}"], "nowhere: no such file or folder (--pred)"),
        (["--gold", "{gold_dir}", "--pred", "{gold_file}"], "is a folder but --pred"),
        (["--gold", "{gold_dir}", "--pred", "{bad_pred}"], "bad/a.ann:2: not a BRAT entity line"),
        (["--gold", "{gold_dir}", "--pred", "{gold_dir}", "--strict"], "--strict applies to CoNLL"),
        (["--gold", "{gold_file}", "--pred", "{gold_file}", "--ignore-type"], "--ignore-type applies to BRAT"),
        (
            ["--gold", "{gold_dir}", "--pred", "{gold_dir}", "--format", "xml"],
            "'--format': 'xml' is not one of 'auto', 'brat', 'conll'",
        ),
        (["--gold", "{gold_file}", "--pred", "{gold_file}", "--format", "brat"], "not a folder (--gold)"),
        (["--gold", "{gold_dir}", "--pred", "{gold_dir}", "--format", "conll"], "a folder (--gold); give a CoNLL"),
        (["--gold", "{gold_dir}", "--pred", "{gold_dir}", "--output", "{missing}/s.json"], "does not exist"),
    ],
)
def test_score_command_bad_input_is_one_line_and_exit_2(tmp_path: Path, capsys, args: list[str], message: str):
    from adapterkit.cli import main

    paths = {
        "gold_dir": write(tmp_path / "gold/a.ann", "T1\tDIS 0 5\tx\n").parent,
        "bad_pred": write(tmp_path / "bad/a.ann", "T1\tDIS 0 5\tx\nT2\tDIS 0-5\tx\n").parent,
        "gold_file": conll(tmp_path / "gold.conll", GOLD_SENTENCES),
        "missing": tmp_path / "nowhere",
    }
    before = {p for p in tmp_path.rglob("*")}
    assert main(["score", *(arg.format(**paths) for arg in args)]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
    assert {p for p in tmp_path.rglob("*")} == before  # nothing written


def test_ner_metrics_records_its_scheme():
    from adapterkit.metrics import ner_metrics

    assert ner_metrics([["B-A", "O"]], [["B-A", "O"]])["scheme"] == "conlleval"
    assert ner_metrics([["B-A", "O"]], [["B-A", "O"]], strict=True)["scheme"] == "strict"


# --- against the official scorers, on CANTEMIST --------------------------------------------------
#
# The official evaluation libraries are not dependencies: fetch them beside the project (see the
# docs/scoring.md) into $ADAPTERKIT_EXT (default ../ext). Without them these tests skip; the
# independent count below needs only the CANTEMIST data.

CANTEMIST_DEV = shared_data_dir() / "cantemist" / "dev-set1" / "cantemist-ner"
EXT = Path(os.environ.get("ADAPTERKIT_EXT", Path(__file__).resolve().parents[2] / "ext"))
SUBSET = 60  # documents: ~800 entities, enough for every perturbation to occur many times
NEOPLASM = "MORFOLOGIA_NEOPLASIA"


def needs(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"{path} is absent (fetch the official scorer, see docs/scoring.md)")
    return path


def t_lines(path: Path) -> list[tuple[str, str]]:
    """(type, offsets as written) of each T line: parsed here, independently of adapterkit."""
    rows = [line.split("\t") for line in path.read_text(encoding="utf-8").splitlines() if line.startswith("T")]
    return [tuple(fields[1].split(" ", 1)) for fields in rows]  # type: ignore[misc]


@pytest.fixture(scope="module")
def cantemist_gold(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The first documents of CANTEMIST dev1 plus its one document without entities."""
    if not CANTEMIST_DEV.is_dir():
        pytest.skip(f"CANTEMIST is absent from {shared_data_dir()} (see the data README)")
    anns = sorted(CANTEMIST_DEV.glob("*.ann"))
    chosen = anns[:SUBSET] + [ann for ann in anns[SUBSET:] if not t_lines(ann)][:1]
    gold = tmp_path_factory.mktemp("cantemist-gold")
    for ann in chosen:
        shutil.copy(ann, gold / ann.name)
        shutil.copy(ann.with_suffix(".txt"), gold / ann.with_suffix(".txt").name)
    return gold


def perturbed(gold: Path, pred: Path, retype: str | None, duplicates: bool, into_empty: bool, seed: int = 11) -> Path:
    """Synthetic predictions: gold entities kept, dropped, shifted, retyped or doubled, plus spurious ones.

    Every tenth document gets no prediction file (its gold is all missed); ``into_empty`` puts a
    spurious entity into the gold document that has none.
    """
    from adapterkit.readers.brat import write_ann

    rng = random.Random(seed)
    pred.mkdir()
    for index, ann in enumerate(sorted(gold.glob("*.ann"))):
        entities = t_lines(ann)
        if index % 10 == 3 or (not entities and not into_empty):
            continue
        text = ann.with_suffix(".txt").read_text(encoding="utf-8")
        spans = []
        for kind, offsets in entities:
            start, end = map(int, offsets.split())
            draw = rng.random()
            if draw < 0.1:
                continue
            if draw < 0.2:
                start, end = (start + 1, end) if end - start > 1 else (start, end + 1)
            elif draw < 0.3 and retype:
                kind = retype
            spans.append((kind, start, end))
            if duplicates and draw > 0.9:
                spans.append((kind, start, end))
        start = rng.randrange(0, max(1, len(text) - 20))
        spans.append((NEOPLASM, start, start + rng.randint(3, 15)))
        write_ann(pred / ann.name, text, spans)
    return pred


def independent_counts(gold: Path, pred: Path, typed: bool) -> tuple[int, int, int]:
    """tp, predicted, gold: distinct (type, offsets) per document, a missing prediction file counting empty."""
    tp = predicted = expected = 0
    for ann in gold.glob("*.ann"):
        truth = {(kind if typed else "", offsets) for kind, offsets in t_lines(ann)}
        guess = {(kind if typed else "", offsets) for kind, offsets in t_lines(pred / ann.name)} if (
            pred / ann.name).exists() else set()  # fmt: skip
        tp, predicted, expected = tp + len(truth & guess), predicted + len(guess), expected + len(truth)
    return tp, predicted, expected


def test_cantemist_scores_equal_an_independent_exact_span_count(cantemist_gold: Path, tmp_path: Path):
    pred = perturbed(cantemist_gold, tmp_path / "pred", retype="OTRO", duplicates=True, into_empty=True)
    for typed in (True, False):
        result = score_brat_folders(cantemist_gold, pred, ignore_type=not typed)
        tp, predicted, expected = independent_counts(cantemist_gold, pred, typed)
        assert micro(result) == (tp, predicted, expected)
        assert 0 < tp < predicted and tp < expected  # every kind of error occurred
        assert result["micro"]["f1"] == pytest.approx(2 * tp / (predicted + expected))


@pytest.fixture
def official_modules(monkeypatch: pytest.MonkeyPatch):
    """Import an official library from its folder, then forget it (two of them name a module ann_parsing).

    They were written for pandas 1, whose DataFrame.drop took the axis positionally; pandas 2 made
    it keyword-only, so that one call is adapted here rather than their code edited.
    """
    pd = pytest.importorskip("pandas")
    original = pd.DataFrame.drop

    def drop(self, labels=None, *args, **kwargs):
        return original(self, labels, **({"axis": args[0]} if args else {}), **kwargs)

    monkeypatch.setattr(pd.DataFrame, "drop", drop)
    loaded: list[str] = []

    def load(folder: Path, *names: str):
        monkeypatch.syspath_prepend(str(needs(folder)))
        for name in names:
            sys.modules.pop(name, None)
            loaded.append(name)
        return [importlib.import_module(name) for name in names]

    yield load
    for name in loaded:
        sys.modules.pop(name, None)


def test_cantemist_ner_official_scorer_agrees_with_ignore_type(cantemist_gold: Path, tmp_path: Path, official_modules):
    # CANTEMIST-NER ignores the label: it accepts MORFOLOGIA-NEOPLASIA (hyphen) predictions as
    # neoplasms. Duplicated predictions are left out: its true-positive merge would count them twice.
    ann_parsing, ner = official_modules(
        EXT / "cantemist-evaluation-library" / "src", "ann_parsing", "cantemist_ner_norm"
    )
    pred = perturbed(cantemist_gold, tmp_path / "pred", retype="MORFOLOGIA-NEOPLASIA", duplicates=False,
                     into_empty=True)  # fmt: skip
    # Their main(), without its printing: parse both folders, keep predictions of gold documents, count.
    gs = ann_parsing.main(str(cantemist_gold), [NEOPLASM], with_notes=False)
    guess = ann_parsing.main(str(pred), [NEOPLASM, "MORFOLOGIA-NEOPLASIA"], with_notes=False)
    columns = ["clinical_case", "mark", "label", "offset", "span"]
    gs.columns, guess.columns = [*columns, "start_pos_gs", "end_pos_gs"], [*columns, "start_pos_pred", "end_pos_pred"]
    guess = guess.loc[guess["clinical_case"].isin([p.name for p in cantemist_gold.glob("*.ann")]), :]
    _, precision, _, recall, _, f1 = ner.calculate_metrics(gs, guess, subtask="ner")

    ours = score_brat_folders(cantemist_gold, pred, ignore_type=True)["micro"]
    assert (ours["precision"], ours["recall"], ours["f1"]) == pytest.approx((precision, recall, f1), abs=1e-12)
    typed = score_brat_folders(cantemist_gold, pred)["micro"]
    assert typed["tp"] < ours["tp"]  # with types compared, the hyphenated label is a miss


def tsv_rows(folder: Path, documents: list[str]) -> list[dict]:
    """One row per T line, in the shape of the official TSVs (text with its whitespace collapsed)."""
    rows = []
    for document in documents:
        ann = folder / f"{document}.ann"
        if not ann.exists():
            continue
        for number, (kind, offsets) in enumerate(t_lines(ann), start=1):
            start, end = map(int, offsets.split())
            text = (folder.parent / "gold" / f"{document}.txt").read_text(encoding="utf-8")[start:end]
            rows.append({"filename": document, "mark": f"T{number}", "label": kind, "start": start, "end": end,
                         "text": " ".join(text.split())})  # fmt: skip
    return rows


@pytest.fixture
def typed_case(cantemist_gold: Path, tmp_path: Path) -> tuple[list[str], list[dict], list[dict], dict]:
    """Gold and typed perturbed predictions as TSV rows, and adapterkit's typed scores of them.

    The TSV-based scorers only see documents through their entity rows, so a document without gold
    entities does not exist for them (a prediction there would be dropped); none is predicted here.
    """
    shutil.copytree(cantemist_gold, tmp_path / "gold")
    pred = perturbed(tmp_path / "gold", tmp_path / "pred", retype="OTRO", duplicates=True, into_empty=False)
    documents = sorted(ann.stem for ann in (tmp_path / "gold").glob("*.ann"))
    ours = score_brat_folders(tmp_path / "gold", pred)
    return documents, tsv_rows(tmp_path / "gold", documents), tsv_rows(pred, documents), ours


def test_distemist_official_scorer_agrees(typed_case, tmp_path: Path, official_modules):
    ann_parsing, linking = official_modules(
        EXT / "distemist_evaluation_library" / "src", "ann_parsing", "distemist_entities_linking"
    )
    documents, gold_rows, pred_rows, ours = typed_case
    (tmp_path / "codes.tsv").write_text("", encoding="utf-8")
    files = {}
    for name, rows, columns in (("gs", gold_rows, ["filename", "mark"]), ("pred", pred_rows, ["filename"])):
        lines = ["\t".join([*columns, "label", "off0", "off1", "span"])]
        lines += ["\t".join(str(r[c]) for c in [*columns, "label", "start", "end", "text"]) for r in rows]
        files[name] = write(tmp_path / f"{name}.tsv", "\n".join(lines) + "\n")
    # Their main(), without its printing, for our two labels (theirs hard-codes ENFERMEDAD).
    labels = [NEOPLASM, "OTRO"]
    with pytest.warns(UserWarning, match="duplicated entries"):  # they drop duplicate predictions too
        guess = ann_parsing.main(str(files["pred"]), labels, str(tmp_path / "codes.tsv"))
    gs = ann_parsing.main(str(files["gs"]), labels, str(tmp_path / "codes.tsv"))
    guess = guess.loc[guess["filename"].isin(set(gs["filename"])), :]
    _, precision, _, recall, _, f1 = linking.calculate_metrics(gs, guess, subtask="ner")
    scores = ours["micro"]
    assert (scores["precision"], scores["recall"], scores["f1"]) == pytest.approx((precision, recall, f1), abs=1e-12)


def test_multicardioner_official_scorer_agrees(typed_case, official_modules):
    # Their calculate_ner() groups rows with a pandas idiom that pandas 3 rejects, so the grouping
    # and their duplicate removal (first of each filename, label, start, end) are done here, and
    # their calculate_fscore() does the matching and counting.
    (utils,) = official_modules(EXT / "multicardioner_evaluation_library", "utils")
    documents, gold_rows, pred_rows, ours = typed_case
    unique = list({(r["filename"], r["label"], r["start"], r["end"]): r for r in reversed(pred_rows)}.values())[::-1]

    def per_document(rows: list[dict]) -> list[list[list]]:
        grouped = {d: [[r["filename"], r["start"], r["end"], r["text"], r["label"]] for r in rows if r["filename"] == d]
                   for d in documents}  # fmt: skip
        return [rows for rows in grouped.values() if rows]

    total = utils.calculate_fscore(per_document(gold_rows), per_document(unique), "track1")["total"]
    scores = ours["micro"]
    # They round to 4 decimals.
    assert (round(scores["precision"], 4), round(scores["recall"], 4), round(scores["f1"], 4)) == (
        total["precision"], total["recall"], total["f_score"])  # fmt: skip


# --- against conlleval.pl, on MoNERo ---------------------------------------------------------------

MONERO = shared_data_dir() / "monero" / "MoNERo.txt"
CONLLEVAL = EXT / "conlleval" / "conlleval.pl"  # the CoNLL-2000 script, version 2004-01-26
CONLLEVAL_TOTAL = re.compile(r"processed (\d+) tokens with (\d+) phrases; found: (\d+) phrases; correct: (\d+)\.")
CONLLEVAL_TYPE = re.compile(r"^\s*(\S+): precision:\s*([\d.]+)%; recall:\s*([\d.]+)%; FB1:\s*([\d.]+)\s+(\d+)$", re.M)


def perturbed_tags(tags: list[str], rng: random.Random, kinds: list[str]) -> list[str]:
    """Tag-level noise: entities erased, retyped, started with I- (orphans), spurious ones begun."""
    noisy = []
    for tag in tags:
        draw = rng.random()
        if tag != "O" and draw < 0.04:
            tag = "O"
        elif tag != "O" and draw < 0.08:
            tag = f"{tag[:2]}{rng.choice(kinds)}"
        elif tag != "O" and draw < 0.12:
            tag = ("I-" if tag.startswith("B-") else "B-") + tag[2:]
        elif tag == "O" and draw < 0.02:
            tag = f"{rng.choice('BI')}-{rng.choice(kinds)}"
        noisy.append(tag)
    return noisy


def test_monero_conlleval_scores_equal_conlleval_pl(tmp_path: Path):
    if not MONERO.is_file():
        pytest.skip(f"MoNERo is absent from {shared_data_dir()} (see the data README)")
    if shutil.which("perl") is None:
        pytest.skip("perl is not installed; conlleval.pl needs it")
    needs(CONLLEVAL)
    from adapterkit.readers.conll import tagged_sentences
    from adapterkit.readers.scorer import score_conll_files

    # The first 1,000 sentences (a fifth, to keep the test quick). MoNERo's few malformed tags
    # (empty, 'o') become O here; its orphan I- tags stay as they are.
    head = write(tmp_path / "head.txt", "\n\n".join(MONERO.read_text(encoding="utf-8").split("\n\n")[:1000]) + "\n")
    sentences = [
        [(token, tag if VALID_TAG.fullmatch(tag) else "O") for _, token, tag in s] for _, s in tagged_sentences(head)
    ]
    rng = random.Random(5)
    kinds = ["ANAT", "CHEM", "DISO", "PROC"]
    pred_tags = [perturbed_tags([tag for _, tag in sentence], rng, kinds) for sentence in sentences]
    gold = conll(tmp_path / "gold.conll", sentences, columns=4)
    pred = conll(tmp_path / "pred.conll", with_tags(sentences, pred_tags))
    joined = "\n\n".join(
        "\n".join(f"{token}\t{gold_tag}\t{pred_tag}" for (token, gold_tag), pred_tag in zip(s, p, strict=True))
        for s, p in zip(sentences, pred_tags, strict=True)
    )
    output = subprocess.run(
        ["perl", str(CONLLEVAL), "-d", "\t"], input=joined + "\n", capture_output=True, text=True, check=True
    ).stdout

    ours = score_conll_files(gold, pred)
    tokens, gold_count, found, correct = map(int, CONLLEVAL_TOTAL.search(output).groups())
    assert (ours["tokens"], ours["micro"]["gold"], ours["micro"]["pred"], ours["micro"]["tp"]) == (
        tokens, gold_count, found, correct)  # fmt: skip
    assert ours["hygiene"]["pred"]["orphan_i_tags"] > 50  # the conventions differ on these: they occur
    per_type = {m[1]: m for m in CONLLEVAL_TYPE.finditer(output)}
    assert sorted(per_type) == sorted(ours["per_type"])
    for kind, scores in ours["per_type"].items():
        _, precision, recall, f1, predicted = per_type[kind].groups()
        assert scores["pred"] == int(predicted)
        for value, printed in ((scores["precision"], precision), (scores["recall"], recall), (scores["f1"], f1)):
            assert abs(100 * value - float(printed)) <= 0.005 + 1e-9  # conlleval prints 2 decimals
