"""Rows of benchmarks/RESULTS.md: one section per benchmark script, rows appended to their own section."""

from __future__ import annotations

import re
from pathlib import Path

RESULTS = Path(__file__).with_name("RESULTS.md")


def record(heading: str, header: str, row: str, path: Path = RESULTS) -> None:
    """Add ``row`` at the end of ``heading``'s section, creating the file or the section when missing."""
    columns = header.count("|") - 1
    text = path.read_text() if path.exists() else "# Benchmark results\n"
    if not re.search(rf"^{re.escape(heading)}$", text, flags=re.M):
        text = text.rstrip("\n") + f"\n\n{heading}\n\n{header}\n|{'---|' * columns}\n"
    start = re.search(rf"^{re.escape(heading)}$", text, flags=re.M).end()
    following = re.search(r"^## ", text[start:], flags=re.M)
    cut = len(text) if following is None else start + following.start()
    section = text[start:cut].rstrip("\n")
    if not section.splitlines()[-1:] or not section.splitlines()[-1].startswith("|"):
        # the section ends in prose (readings of earlier rows): the new rows open a table of their own
        row = f"\n{header}\n|{'---|' * columns}\n{row}"
    text = text[:start] + section + f"\n{row}\n" + ("\n" + text[cut:] if following is not None else "")
    path.write_text(text)
