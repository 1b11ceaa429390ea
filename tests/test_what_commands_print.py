"""What a command says it made: `adapters list` numbers as every table prints them, composed rows
with their rank; `push --out` says nothing was uploaded."""

from __future__ import annotations

import pytest
from test_compose import _compose, in_root, trained  # noqa: F401  (fixtures: two trained adapters)

from adapterkit.cli import main


def _rows(text: str) -> dict[str, dict[str, str]]:
    """The table's rows by adapter name, each a mapping column -> cell."""
    header, rows = None, {}
    for line in text.splitlines():
        cells = [cell.strip() for cell in line.replace("┃", "│").split("│")[1:-1]]
        if not cells or not cells[0]:
            continue
        if cells[0] == "name":
            header = cells
        elif header is not None:
            rows[cells[0]] = dict(zip(header, cells, strict=True))
    return rows


@pytest.mark.usefixtures("in_root")
def test_a_stack_row_shows_the_rank_it_wrote_and_dashes_for_what_was_not_measured(capsys):
    _compose(adapters=["nl-a", "nl-b"], name="ab-stack")
    capsys.readouterr()
    assert main(["adapters", "list"]) == 0
    rows = _rows(capsys.readouterr().out)
    assert rows["nl-a"]["rank"] == "4" and rows["nl-b"]["rank"] == "8"
    assert rows["ab-stack"]["kind"] == "composed"
    # a stack's rank per module is the sum of its parts' ranks: 4 + 8 on query/value, 8 where only nl-b adapts
    assert rows["ab-stack"]["rank"] == "8–12"
    stack, lora = rows["ab-stack"], rows["nl-a"]
    assert (stack["ppl before"], stack["ppl after"]) == ("–", "–")  # a stack measures no perplexity: a dash
    before, after = (float(lora[column].replace(",", "")) for column in ("ppl before", "ppl after"))
    assert lora["ppl before"] == f"{before:,.2f}" and after > 0


@pytest.mark.usefixtures("in_root")
def test_push_out_says_it_wrote_a_folder_and_uploaded_nothing(tmp_path, capsys):
    out = tmp_path / "upload"
    assert main(["push", "nl-a", "--repo", "someone/nl-a", "--output", str(out)]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert f"written to {out}, nothing uploaded" in printed
    assert (out / "adapter_model.safetensors").is_file()


def test_predict_counts_the_entities_of_each_file_it_wrote(tmp_path):
    from adapterkit.commands.predict import _entities_in

    ann = tmp_path / "note.ann"
    ann.write_text("T1\tDISO 0 6\tkoorts\n#1\tAnnotatorNotes T1\tx\nT2\tCHEM 10 13\tasa\n", encoding="utf-8")
    conll = tmp_path / "predictions.conll"
    conll.write_text("a\tB-DISO\nb\tI-DISO\nc\tO\n\nd\tI-CHEM\ne\tB-ANAT\n", encoding="utf-8")
    jsonl = tmp_path / "predictions.jsonl"
    jsonl.write_text('{"id": "1", "tokens": ["a", "b"], "tags": ["B-X", "O"]}\n', encoding="utf-8")
    labels = tmp_path / "labels.jsonl"
    labels.write_text('{"id": "1", "text": "a", "prediction": "yes"}\n', encoding="utf-8")
    # seqeval's reading of the tags: an I- after O starts an entity, as conlleval counts it
    assert [_entities_in(p) for p in (ann, conll, jsonl, labels)] == [2, 3, 1, None]
