"""The scorer: exact-offset BRAT scores counted as the official shared-task libraries count them."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapterkit.errors import AdapterkitError
from adapterkit.scorer import Mention, read_ann_mentions, score_brat_folders, score_mentions


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
