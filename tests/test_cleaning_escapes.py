"""Terminal escape sequences are removed whole by cleaning; `corpus clean --out` makes its folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapterkit.cli import main
from adapterkit.corpus.cleaning import clean_line

ESCAPED = {
    "colour (CSI SGR)": ("\x1b[1;31mkoorts\x1b[0m 39 graden", "koorts 39 graden"),
    "cursor move": ("regel\x1b[2K\x1b[1Geen", "regeleen"),
    "C1 CSI": ("a\x9b31mb", "ab"),
    "window title (OSC, BEL)": ("\x1b]0;ssh ward-3\x07patiënt stabiel", "patiënt stabiel"),
    "hyperlink (OSC 8, ST)": ("zie \x1b]8;;https://x.example\x1b\\protocol\x1b]8;;\x1b\\ B", "zie protocol B"),
    "two-character escape": ("einde\x1bM regel", "einde regel"),
}


@pytest.mark.parametrize("case", sorted(ESCAPED))
def test_a_terminal_escape_sequence_is_removed_whole_and_counted(case):
    text, expected = ESCAPED[case]
    cleaned, had_markup, had_special = clean_line(text)
    assert cleaned == expected
    assert had_special and not had_markup


def test_bracketed_text_without_escape_character_is_kept():
    assert clean_line("dosis [31m] ongewijzigd")[0] == "dosis [31m] ongewijzigd"


def test_corpus_clean_out_creates_missing_folders_like_other_commands(tmp_path: Path):
    notes = tmp_path / "notes.txt"
    notes.write_text("\x1b[32mgoed\x1b[0m herstel\ntweede regel\n", encoding="utf-8")
    out = tmp_path / "a" / "b" / "clean.txt"
    assert main(["corpus", "clean", str(notes), "--output", str(out)]) == 0
    assert out.read_text(encoding="utf-8").splitlines() == ["goed herstel", "tweede regel"]


def test_corpus_clean_out_under_a_file_is_one_line_and_writes_nothing(tmp_path: Path, capsys):
    notes = tmp_path / "notes.txt"
    notes.write_text("regel\n", encoding="utf-8")
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    assert main(["corpus", "clean", str(notes), "--output", str(blocker / "sub" / "clean.txt")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    out = blocker / "sub" / "clean.txt"
    assert err == [f"error: --output {out}: {blocker} is a file, so not a folder; choose another place"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file", "notes.txt"]
