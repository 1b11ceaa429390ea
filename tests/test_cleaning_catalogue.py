"""Cleaning never deletes clinical content: a catalogue of clinical-style lines, each with the
exact cleaned text, and ``adapterkit corpus clean``.

Comparisons and arrows are text; only real markup is removed (rules in ``adapterkit.corpus``).
The rows that hold real markup only are checked against the standard library's
``html.parser`` as well (a tokenizer nobody here wrote): the same text must come out.
"""

from __future__ import annotations

import gzip
import json
import time
from html.parser import HTMLParser
from pathlib import Path

import pytest

from adapterkit.cli import main
from adapterkit.corpus import clean_line, plan_stream, read_corpus, strip_markup
from adapterkit.paths import shared_data_dir

# (id, raw line, cleaned line). Unchanged rows are written out in full on purpose: the expected
# text is the contract, not "same as the input".
KEPT = [
    (
        "lab-comparisons-en",
        "glucose <5.6 mmol/L, creatinine >120 umol/L",
        "glucose <5.6 mmol/L, creatinine >120 umol/L",
    ),
    ("lab-spaced-nl", "PSA < 4 ng/ml en Hb > 12", "PSA < 4 ng/ml en Hb > 12"),
    ("temperature-nl", "temp <38,5 en >36", "temp <38,5 en >36"),
    ("if-a-less-b", "if a<b and c>d then", "if a<b and c>d then"),
    ("a-b-c-glued", "a<b>c", "a<b>c"),
    ("p-i-q-glued", "p<i>q", "p<i>q"),
    ("x-y-z", "x<y en y>z", "x<y en y>z"),
    ("nl-hb-arrow", "Hb <7,5 mmol/l -> 2 EC's toegediend", "Hb <7,5 mmol/l -> 2 EC's toegediend"),
    (
        "nl-crp-implies",
        "CRP >100 mg/l, leuko's 15 =>start amoxicilline",
        "CRP >100 mg/l, leuko's 15 =>start amoxicilline",
    ),
    ("es-creatinina", "creatinina >1,2 mg/dl y glucosa <110 mg/dl", "creatinina >1,2 mg/dl y glucosa <110 mg/dl"),
    (
        "es-pcr-arrow",
        "PCR <5 mg/L; T.A. 140/90 -> control en 2 semanas",
        "PCR <5 mg/L; T.A. 140/90 -> control en 2 semanas",
    ),
    ("ro-hemoglobina", "hemoglobina <12 g/dl, leucocite >10.000/mm3", "hemoglobina <12 g/dl, leucocite >10.000/mm3"),
    (
        "ro-glicemie",
        "TA 150/90 mmHg => HTA grad II; glicemie <= 126 mg/dl",
        "TA 150/90 mmHg => HTA grad II; glicemie <= 126 mg/dl",
    ),
    ("arrows-left", "pijn <- val van trap; dyspneu <-> angst", "pijn <- val van trap; dyspneu <-> angst"),
    ("guillemets", "<<dringend>> terugbellen >> huisarts", "<<dringend>> terugbellen >> huisarts"),
    ("not-equal-heart", "INR <> 2,0-3,0; ik <3 de verpleging", "INR <> 2,0-3,0; ik <3 de verpleging"),
    ("dosage", "paracetamol <0.5 mg/kg, max <4 g/dag", "paracetamol <0.5 mg/kg, max <4 g/dag"),
    ("glued-no-space", "PSA<4, eGFR >=60, K<=5", "PSA<4, eGFR >=60, K<=5"),
    (
        "deduce-placeholders",
        "<PATIENT> gezien door <PERSOON-1> op <DATUM-1>",
        "<PATIENT> gezien door <PERSOON-1> op <DATUM-1>",
    ),
    ("word-like-element", "<time> na inname: 2 uur", "<time> na inname: 2 uur"),
    ("unknown-bare-attributes", "<age 65> jaar, <temp high>", "<age 65> jaar, <temp high>"),
    ("unterminated-comment", "<!-- begin sjabloon", "<!-- begin sjabloon"),
    (
        "not-entities",
        "R&D afdeling, AT&T, &not gemeld, a&notb, &foo;",
        "R&D afdeling, AT&T, &not gemeld, a&notb, &foo;",
    ),
]
# Lines with real markup only: also checked against html.parser.
MARKUP = [
    ("html-bold-entity", "<p>Bloeddruk <b>140/85</b> &amp; pols 72</p>", "Bloeddruk 140/85 & pols 72"),
    ("html-attributes", '<span class="lab" style="color:red">K+ 5,9 mmol/l</span>', "K+ 5,9 mmol/l"),
    ("gt-inside-quotes", '<td title="Hb > 12 g/dl" align=center>Hb 13,1</td>', "Hb 13,1"),
    ("self-closing-br", "Anamnese:<br/>koorts sinds 3 dagen<br />hoest", "Anamnese: koorts sinds 3 dagen hoest"),
    ("self-closing-img", '<img src="ecg.png" alt="ECG"/> sinusritme', "sinusritme"),
    ("comment", "<!-- sjabloon v2 --> Diagnose: pneumonie", "Diagnose: pneumonie"),
    ("cdata-keeps-text", "<note><![CDATA[K < 3,5 mmol/l & dalend]]></note>", "K < 3,5 mmol/l & dalend"),
    ("xml-pi-doctype", '<?xml version="1.0" encoding="UTF-8"?><!DOCTYPE html> verslag', "verslag"),
    (
        "entities",
        "creatinine &gt; 120 &amp;&amp; ureum &lt; 8, &#39;s ochtends &#x3E;",
        "creatinine > 120 && ureum < 8, 's ochtends >",
    ),
    ("escaped-tag-is-text", "schrijf &lt;b&gt; niet in het dossier", "schrijf <b> niet in het dossier"),
    ("upper-case-html", "<P>Beleid:<BR>controle <B>over 2 weken</B></P>", "Beleid: controle over 2 weken"),
    ("xml-closed-on-line", "<dx>pneumonie</dx>", "pneumonie"),
    ("bold-not-glued", "x <b>vet gedrukt", "x vet gedrukt"),
    ("glued-but-closed", "p<i>q</i>", "p q"),
    ("es-list-item", "<li>Glucemia &lt;100 mg/dl</li>", "Glucemia <100 mg/dl"),
    ("ro-table-cells", "<td>Creatinină</td><td>&gt;1,3 mg/dl</td>", "Creatinină >1,3 mg/dl"),
    ("closing-tag-glued", "Hb 8,1</td>", "Hb 8,1"),
    ("void-bare-attribute", "---<hr noshade>---", "--- ---"),
    ("word-namespaces", '<o:p></o:p>zie brief<st1:place w:st="on">Utrecht</st1:place>', "zie brief Utrecht"),
]
CATALOGUE = KEPT + MARKUP


@pytest.mark.parametrize(("raw", "expected"), [row[1:] for row in CATALOGUE], ids=[row[0] for row in CATALOGUE])
def test_cleaning_keeps_clinical_content_and_strips_real_markup(raw, expected):
    assert clean_line(raw)[0] == expected


def test_the_catalogue_has_at_least_30_distinct_lines():
    assert len({row[1] for row in CATALOGUE}) == len(CATALOGUE) >= 30


@pytest.mark.parametrize("raw", [row[1] for row in KEPT], ids=[row[0] for row in KEPT])
def test_a_line_without_markup_is_not_counted_as_changed(raw):
    assert clean_line(raw)[1] is False


class _Text(HTMLParser):
    """Text of an HTML fragment as html.parser sees it, a space where each piece of markup was."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)

    def handle_starttag(self, tag, attrs) -> None:
        self.parts.append(" ")

    handle_endtag = handle_startendtag = handle_comment = handle_decl = handle_pi = lambda self, *args: (
        self.parts.append(" ")
    )

    def unknown_decl(self, data: str) -> None:
        self.parts.append(data[len("CDATA[") :] if data.startswith("CDATA[") else " ")


@pytest.mark.parametrize(("raw", "expected"), [row[1:] for row in MARKUP], ids=[row[0] for row in MARKUP])
def test_real_markup_gives_the_text_html_parser_gives(raw, expected):
    parser = _Text()
    parser.feed(raw)
    parser.close()
    assert " ".join("".join(parser.parts).split()) == expected == clean_line(raw)[0]


def test_html_parser_would_delete_the_comparisons_we_keep():
    # Why not html.parser alone: it reads "<b and c>" as a tag and drops it.
    parser = _Text()
    parser.feed("if a<b and c>d then")
    parser.close()
    assert " ".join("".join(parser.parts).split()) == "if a d then"


def test_entities_are_unescaped_after_tags_so_escaped_markup_stays_text():
    assert strip_markup("&lt;br&gt; en &amp;lt;") == "<br> en &lt;"
    assert strip_markup("<![CDATA[&lt;b&gt;]]>") == "&lt;b&gt;"  # CDATA is literal: no unescaping inside


def test_pathological_lines_are_cleaned_in_linear_time():
    # Unterminated openers used to be rescanned to the end of the line at every start.
    lines = ["<!-- x " * 20000, "<![CDATA[ ab " * 10000, "a<b " * 50000, "<?x " * 30000, "<b " + "a " * 50000]
    start = time.perf_counter()
    for line in lines:
        assert clean_line(line)[0]
    assert time.perf_counter() - start < 5  # about 0.3 s; quadratic scanning took over 9 s


def test_report_counts_the_lines_markup_removal_changed_on_both_paths(tmp_path):
    corpus = tmp_path / "notes.txt"
    corpus.write_text("glucose <5.6 mmol/L\n<p>koorts</p>\nAT&amp;T\nPSA < 4 ng/ml\nkoorts\n", encoding="utf-8")
    lines, report = read_corpus([corpus])
    assert lines == ["glucose <5.6 mmol/L", "koorts", "AT&T", "PSA < 4 ng/ml"]
    assert (report.markup_changed, report.duplicates_dropped) == (2, 1)
    assert "markup removed in 2" in report.summary()
    assert report.to_dict()["markup_changed"] == 2  # what pretrain records in the manifest
    assert plan_stream([corpus], 0.25, seed=1).report.markup_changed == 2


CANTEMIST = shared_data_dir() / "cantemist"


@pytest.mark.skipif(not CANTEMIST.is_dir(), reason=f"CANTEMIST not found at {CANTEMIST} (set ADAPTERKIT_DATA)")
def test_real_spanish_clinical_cases_keep_every_comparison():
    # The former "<...>" stripper deleted 988 characters of 12 lines here (between the "<" and
    # ">" of two lab values); the only markup in these case reports is one "&rarr;".
    raw = [line for path in sorted(CANTEMIST.rglob("*.txt")) for line in path.read_text(encoding="utf-8").splitlines()]
    cleaned = [clean_line(line) for line in raw]
    assert sum(changed for _, changed, _ in cleaned) == 1
    for mark in "<>":
        assert sum(text.count(mark) for text, _, _ in cleaned) == sum(line.count(mark) for line in raw) > 100


# adapterkit corpus clean ----------------------------------------------------------------------

NOTES = (
    "<p>glucose &lt;5.6 mmol/L</p>\n"
    "PSA < 4 ng/ml en Hb > 12\n"
    "\x1b[31mkoorts\x1b[0m <br/>\n"
    "PSA < 4 ng/ml en Hb > 12\n"
    "<br>\n"
    "if a<b and c>d then\n"
)
CLEANED = ["glucose <5.6 mmol/L", "PSA < 4 ng/ml en Hb > 12", "koorts", "if a<b and c>d then"]


@pytest.fixture
def notes(tmp_path: Path) -> Path:
    path = tmp_path / "in" / "notes.txt"
    path.parent.mkdir()
    path.write_text(NOTES, encoding="utf-8")
    return path


def test_corpus_clean_writes_the_kept_lines_and_prints_the_report(notes, tmp_path, capsys):
    out = tmp_path / "clean.txt"
    assert main(["corpus", "clean", str(notes), "--output", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == "".join(f"{line}\n" for line in CLEANED)
    printed = capsys.readouterr().out
    assert (
        "6 lines read from 1 file(s); markup removed in 3, special characters removed in 1; "
        "dropped 1 empty and 1 duplicate lines; 4 kept"
    ) in printed
    assert f"wrote 4 lines to {out}" in printed
    assert "changed by cleaning" not in printed  # no --show-changes: no text of the corpus printed
    assert {p.name for p in tmp_path.iterdir()} == {"in", "clean.txt"}  # no temporary file left beside it


def test_corpus_clean_output_is_the_corpus_pretrain_reads(notes, tmp_path):
    for name in ("clean.txt.gz", "clean.jsonl", "clean.jsonl.gz"):
        out = tmp_path / name
        assert main(["corpus", "clean", str(notes), "--output", str(out)]) == 0
        assert read_corpus([out])[0] == CLEANED
    with gzip.open(tmp_path / "clean.jsonl.gz", "rt", encoding="utf-8") as handle:
        assert json.loads(handle.readline()) == {"text": CLEANED[0]}


def test_corpus_clean_reads_jsonl_with_the_text_field_of_pretrain(tmp_path):
    source = tmp_path / "notes.jsonl"
    source.write_text("\n".join(json.dumps({"body": text}) for text in ("a &lt; b", "<i>x</i>")) + "\n")
    out = tmp_path / "clean.jsonl"
    assert main(["corpus", "clean", str(source), "--output", str(out), "--text-field", "body"]) == 0
    assert [json.loads(line) for line in out.read_text().splitlines()] == [{"body": "a < b"}, {"body": "x"}]


def test_show_changes_prints_pairs_with_control_characters_escaped(notes, tmp_path, capsys):
    out = tmp_path / "clean.txt"
    assert main(["corpus", "clean", str(notes), "--output", str(out), "--show-changes", "2"]) == 0
    printed = capsys.readouterr().out
    assert "\x1b" not in printed  # a raw ESC would recolour the user's terminal
    tail = printed[printed.index("the first 2 line(s) changed by cleaning") :].splitlines()[1:]
    assert tail == [
        f"{notes} line 1:",
        "  - <p>glucose &lt;5.6 mmol/L</p>",
        "  + glucose <5.6 mmol/L",
        f"{notes} line 3:",
        "  - \\x1b[31mkoorts\\x1b[0m <br/>",
        "  + koorts",
    ]


def test_show_changes_names_a_line_that_cleaning_emptied(notes, tmp_path, capsys):
    assert main(["corpus", "clean", str(notes), "--output", str(tmp_path / "c.txt"), "--show-changes", "9"]) == 0
    printed = capsys.readouterr().out
    assert "the first 3 line(s)" in printed  # lines 1, 3 and 5; the comparisons are not changes
    assert f"{notes} line 5:\n  - <br>\n  + (nothing left: the line is dropped)" in printed


def test_corpus_clean_refuses_to_overwrite_an_input_file(notes, capsys):
    for argv in (
        ["corpus", "clean", str(notes), "--output", str(notes)],
        ["corpus", "clean", str(notes.parent), "--output", str(notes), "--force"],
    ):
        assert main(argv) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and "an input of this run" in err[0] and str(notes) in err[0]
        assert notes.read_text(encoding="utf-8") == NOTES


def test_corpus_clean_replaces_an_existing_output_only_with_force(notes, tmp_path, capsys):
    out = tmp_path / "clean.txt"
    out.write_text("old\n")
    assert main(["corpus", "clean", str(notes), "--output", str(out)]) == 2
    assert "--force" in capsys.readouterr().err and out.read_text() == "old\n"
    assert main(["corpus", "clean", str(notes), "--output", str(out), "--force"]) == 0
    assert out.read_text(encoding="utf-8").splitlines() == CLEANED


@pytest.mark.parametrize(
    ("out_name", "message"),
    [
        ("clean", "name it .txt"),
        ("in", "it contains"),
        ("in.d", "is a folder"),
    ],
)
def test_corpus_clean_bad_out_is_one_line_and_writes_nothing(notes, tmp_path, capsys, out_name, message):
    if out_name.endswith(".d"):  # a folder of the user's, not the input's
        (tmp_path / out_name).mkdir()
    before = {p.name for p in tmp_path.iterdir()}
    assert main(["corpus", "clean", str(notes), "--output", str(tmp_path / out_name)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: --out") and message in err[0]
    assert {p.name for p in tmp_path.iterdir()} == before


def test_corpus_clean_bad_input_names_file_and_line_and_writes_nothing(tmp_path, capsys):
    bad = tmp_path / "latin1.txt"
    bad.write_bytes("goed\nPatiënt\n".encode("latin-1"))
    out = tmp_path / "clean.txt"
    assert main(["corpus", "clean", str(bad), "--output", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "latin1.txt:2: not UTF-8" in err[0]
    assert not out.exists() and not list(tmp_path.glob(".clean.txt.*"))
    assert main(["corpus", "clean", str(tmp_path / "nope.txt"), "--output", str(out)]) == 2
    assert capsys.readouterr().err.strip() == f"error: {tmp_path / 'nope.txt'}: no such file or folder"
