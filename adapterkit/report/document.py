"""A report as a document: sections of text, tables and figures, written as ``report.md`` and ``report.html``.

A report is written twice from one markdown text: ``report.md`` links the images by relative path
(readable on GitHub or next to the run), ``report.html`` embeds them as base64 data URIs so the
single file can be mailed or archived (the conversion is ``markdown.markdown_to_html``). Both
files are checked before either is written, and each is written atomically. Under the title, one
line says when the report was written and with which versions of adapterkit and the packages its
numbers depend on (``versions.versions``), so a reader can tell which code made it.
"""

from __future__ import annotations

import base64
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from ..errors import AdapterkitError
from .markdown import html_document, markdown_to_html


@dataclass
class Section:
    """One part of a report: a heading, markdown text, markdown tables, figure files (PNG)."""

    heading: str
    text: str = ""
    tables: list[str] = field(default_factory=list)
    figures: list[Path] = field(default_factory=list)
    captions: list[str] = field(default_factory=list)  # one per figure, in words (else from the file name)

    def caption(self, index: int) -> str:
        if index < len(self.captions) and self.captions[index]:
            return self.captions[index]
        return re.sub(r"[-_]+", " ", Path(self.figures[index]).stem).strip().capitalize()


def _relative(path: Path, start: Path) -> str:
    return Path(os.path.relpath(Path(path).resolve(), start.resolve())).as_posix()


def _destination(path: str) -> str:
    """A link destination as markdown reads it: in angle brackets when the path holds a space or a bracket."""
    if not re.search(r"[\s()<>]", path):
        return path
    return "<" + path.replace("<", "\\<").replace(">", "\\>") + ">"


def provenance(now: datetime | None = None) -> str:
    """When and with what a report was written: the UTC time and the versions of adapterkit and of the
    packages its numbers depend on (as recorded with every result)."""
    from ..versions import versions

    stamp = (now or datetime.now(timezone.utc)).astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    packages = ", ".join(f"{name} {version}" for name, version in versions().items())
    return f"*Written {stamp} with {packages}.*"


def report_markdown(run_dir: Path, title: str, sections: Sequence[Section], stamp: str | None = None) -> str:
    """The markdown text of a report; figures linked relative to ``run_dir``; ``stamp`` (``provenance``)
    under the title."""
    parts = [f"# {title}"] + ([stamp] if stamp else [])
    for section in sections:
        parts.append(f"## {section.heading}")
        if section.text.strip():
            parts.append(section.text.strip())
        parts += [table.strip() for table in section.tables if table.strip()]
        for index, figure in enumerate(section.figures):
            caption = section.caption(index).replace("]", ")").replace("[", "(").replace("\n", " ")
            parts.append(f"![{caption}]({_destination(_relative(Path(figure), run_dir))})")
    return "\n\n".join(parts) + "\n"


_MIME = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".svg": "image/svg+xml"}


def _data_uri_resolver(run_dir: Path) -> Callable[[str], str | None]:
    """Image source -> data URI for local image files under the report; None for anything else."""

    def resolve(source: str) -> str | None:
        if re.match(r"^[a-z][a-z0-9+.-]*:", source, re.IGNORECASE):  # http:, data:, file:, javascript: ...
            return None
        file = (run_dir / source).resolve()
        mime = _MIME.get(file.suffix.lower())
        if mime is None or not file.is_file():
            return None
        return f"data:{mime};base64," + base64.b64encode(file.read_bytes()).decode("ascii")

    return resolve


def write_report(run_dir: Path, title: str, sections: Sequence[Section]) -> tuple[Path, Path]:
    """Write ``run_dir/report.md`` and a self-contained ``run_dir/report.html`` of the same content.

    The HTML is converted from the very markdown written to ``report.md`` (one source, no drift),
    with every local figure embedded as a base64 data URI.
    """
    run_dir = Path(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    for section in sections:
        for figure in section.figures:
            if not Path(figure).is_file():
                raise AdapterkitError(f"report section {section.heading!r}: figure {figure} does not exist")
    text = report_markdown(run_dir, title, sections, provenance())
    markdown_path = run_dir / "report.md"
    html_path = run_dir / "report.html"
    from ..safety import atomic_write_text, check_destination_file

    for path in (markdown_path, html_path):  # both checked before either is written
        check_destination_file(path, "report")
    page = html_document(title, markdown_to_html(text, _data_uri_resolver(run_dir)))
    atomic_write_text(markdown_path, text)
    atomic_write_text(html_path, page)
    return markdown_path, html_path
