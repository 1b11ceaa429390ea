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
    if following is None:
        text = text.rstrip("\n") + f"\n{row}\n"
    else:
        cut = start + following.start()
        text = text[:cut].rstrip("\n") + f"\n{row}\n\n" + text[cut:]
    path.write_text(text)
