"""benchmarks/results.py: rows land in a table of their own section, never under prose."""

from __future__ import annotations

import importlib.util
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "results.py"
HEADER = "| a | b |"


def _record():
    spec = importlib.util.spec_from_file_location("benchmark_results", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.record


def test_rows_follow_the_sections_table_and_a_new_section_gets_its_header(tmp_path: Path) -> None:
    record, path = _record(), tmp_path / "RESULTS.md"
    record("## one", HEADER, "| 1 | 2 |", path)
    record("## one", HEADER, "| 3 | 4 |", path)
    assert path.read_text() == "# Benchmark results\n\n## one\n\n| a | b |\n|---|---|\n| 1 | 2 |\n| 3 | 4 |\n"


def test_a_row_after_readings_opens_a_new_table_before_the_next_section(tmp_path: Path) -> None:
    record, path = _record(), tmp_path / "RESULTS.md"
    path.write_text("# R\n\n## one\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\nReadings of the rows.\n\n## two\n\ntext\n")
    record("## one", HEADER, "| 5 | 6 |", path)
    expected = "Readings of the rows.\n\n| a | b |\n|---|---|\n| 5 | 6 |\n\n## two\n\ntext\n"
    assert path.read_text().endswith(expected)
    record("## two", HEADER, "| 7 | 8 |", path)
    assert path.read_text().endswith("## two\n\ntext\n\n| a | b |\n|---|---|\n| 7 | 8 |\n")
