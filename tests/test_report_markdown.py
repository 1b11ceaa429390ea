"""report.html's markdown reads as markdown-it-py's CommonMark with tables and as Python-Markdown reads the
same text; names a user chose (variants, run ids, recipes) show as text and can never inject HTML."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from importlib.util import find_spec
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from adapterkit.paths import folder_name
from adapterkit.report import Section, markdown_table, markdown_to_html, report_for_compare, write_report
from adapterkit.stats import compare

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64  # enough for a file the report embeds (it reads bytes, never decodes)

# Markdown as the reports write it: headings, text with bold/code/emphasis and a soft break, a
# command in a code block, notes as a list, links to other reports, and tables from markdown_table.
SAMPLES = {
    "headings": "# Recipe study-a\n\n## Per-type f1\n\n### Per-fold results: base",
    "paragraph": "Baseline **base**; 5 folds, identical for every variant.\nThen `--pairs` and *multilingual*.",
    "code": "```\nadapterkit compare base nl-clin --data ro.conll --pairs 'a:b'\n```",
    "list": "- base: no kept model; rerun compare with --keep-model\n- nl-clin: `scores only`",
    "links": "Full report: [runs/ro-ner/report.html](../ro-ner/report.html), the study: [paper](https://example.org/p)",
    "table": markdown_table(
        ["variant", "f1 (%)", "mcc", "note"],
        [["base", "80.00 ± 1.00", "0.512", "–"], ["a|b", "85.00", "0.600", "`x`"]],
        align="lrrl",
    ),
}


class Events(HTMLParser):
    """The structure of an HTML fragment: tags with their alignment and link target, and the text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.events: list[tuple] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        self.tags.append((tag, found))
        align = re.search(r"left|right|center", f"{found.get('class') or ''} {found.get('style') or ''}")
        self.events.append(("<", tag, align.group(0) if align else None, found.get("href")))

    def handle_endtag(self, tag: str) -> None:
        self.events.append(("/", tag))

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if data.strip():
            self.events.append(("text", " ".join(data.split())))


def parsed(page: str) -> Events:
    events = Events()
    events.feed(page)
    events.close()
    return events


@pytest.mark.parametrize("name", [name for name in SAMPLES if name != "table"])
def test_report_markdown_renders_exactly_as_markdown_it_commonmark(name: str) -> None:
    reference = MarkdownIt("commonmark", {"html": False}).enable("table")
    assert markdown_to_html(SAMPLES[name]) == reference.render(SAMPLES[name])


def test_table_alignment_is_markdown_its_written_as_classes() -> None:
    reference = MarkdownIt("commonmark").enable("table").render(SAMPLES["table"])
    ours = markdown_to_html(SAMPLES["table"])
    assert parsed(ours).events == parsed(reference).events  # same cells, text and alignment
    assert 'style="' not in ours  # the page's CSS aligns by class (tabular figures for numbers)
    assert '<th class="right">f1 (%)</th>' in ours and '<td class="right">80.00 ± 1.00</td>' in ours
    assert "<td>a|b</td>" in ours  # markdown_table's escaped pipe is one cell, not two
    assert "<td><code>x</code></td>" in ours


@pytest.mark.skipif(find_spec("markdown") is None, reason="Python-Markdown (installed with tensorboard) is absent")
@pytest.mark.parametrize("name", list(SAMPLES))
def test_report_markdown_reads_as_python_markdown_reads_it(name: str) -> None:
    import markdown

    other = markdown.markdown(SAMPLES[name], extensions=["tables", "fenced_code"])
    assert parsed(markdown_to_html(SAMPLES[name])).events == parsed(other).events


INJECTIONS = [
    "<img src=x onerror=alert(1)>",
    "<script>alert(1)</script>",
    '<a href="javascript:alert(1)">x</a>',
    "<svg onload=alert(1)>",
]
# The report's own markup; anything else (script, svg, iframe, ...) would have come from a name.
ALLOWED_TAGS = {
    "h1", "h2", "h3", "h4", "p", "strong", "em", "code", "pre", "ul", "ol", "li", "a", "span", "br", "hr",
    "blockquote", "table", "thead", "tbody", "tr", "th", "td", "figure", "img", "figcaption",
}  # fmt: skip


def assert_inert(page: str, names: list[str]) -> None:
    """No tag but the report's own, no event handler, no image but an embedded one, no script
    link; each name shows as the text it is."""
    events = parsed(page)
    assert {tag for tag, _ in events.tags} <= ALLOWED_TAGS | {"html", "head", "meta", "title", "style", "body"}
    for tag, attributes in events.tags:
        assert not [name for name in attributes if name.startswith("on")], (tag, attributes)
        if tag == "img":
            assert str(attributes["src"]).startswith("data:image/png;base64,")
        if tag == "a":
            assert not str(attributes.get("href")).lower().startswith(("javascript:", "data:", "file:"))
    text = "".join(events.text)
    for name in names:
        assert name in text


@pytest.mark.parametrize("name", INJECTIONS)
def test_html_in_a_name_shows_as_text_wherever_it_stands(name: str) -> None:
    text = "\n\n".join(
        [
            f"# Recipe {name}",
            f"Baseline **{name}**; `{name}` in code, [{name}](../x/report.html)",
            markdown_table(["variant", "f1 (%)"], [[name, "80.00"]]),
            f"- note on {name}",
            f"```\nadapterkit compare {name}\n```",
        ]
    )
    page = markdown_to_html(text)
    assert_inert(page, [name])
    assert page.count(name.replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")) >= 5


def test_links_go_to_http_pages_or_relative_paths_only() -> None:
    text = (
        "[a](javascript:alert(1)) [b](JaVaScRiPt:alert(1)) [c](data:text/html,<b>x</b>) [d](file:///etc/passwd) "
        "[e](vbscript:x) <javascript:alert(1)> [i](data:image/png;base64,AAAA) [k](ftp://example.org/x) "
        "[f](https://example.org/p) [g](../ro-ner/report.html) [h](#steps)"
    )
    hrefs = [attributes.get("href") for tag, attributes in parsed(markdown_to_html(text)).tags if tag == "a"]
    assert hrefs == ["https://example.org/p", "../ro-ner/report.html", "#steps"]


def test_an_image_that_cannot_be_embedded_is_a_link_never_a_load() -> None:
    text = "![remote](https://example.org/track.png)\n\nText with ![inline](http://example.org/a.png) in it."
    page = markdown_to_html(text, lambda source: None)
    assert "<img" not in page
    assert '<p class="missing">[image: remote — <a href="https://example.org/track.png">' in page
    assert '<span class="missing">[image: inline — <a href="http://example.org/a.png">' in page


def test_figures_with_a_space_or_an_accent_in_their_path_are_linked_and_embedded(tmp_path: Path) -> None:
    figure = tmp_path / "my figures" / "tsne-ré (1).png"
    figure.parent.mkdir()
    figure.write_bytes(PNG)
    inline = tmp_path / "figures" / "inline.png"
    inline.parent.mkdir()
    inline.write_bytes(PNG)
    section = Section("t-SNE", "Small ![inline](figures/inline.png) in text.", figures=[figure], captions=["t-SNE"])
    markdown_path, html_path = write_report(tmp_path, "Figures", [section])
    assert "![t-SNE](<my figures/tsne-ré (1).png>)" in markdown_path.read_text()
    page = html_path.read_text()
    assert page.count('src="data:image/png;base64,') == 2
    assert '<figure><img src="data:image/png;base64,' in page and "<figcaption>t-SNE</figcaption>" in page
    assert '<p>Small <img src="data:image/png;base64,' in page  # inline: an image in the text, not a figure


def test_a_recipe_name_cannot_inject_html_into_its_report(tmp_path: Path) -> None:
    name = "<script>alert(1)</script>"
    _, html_path = write_report(tmp_path, f"Recipe {name}", [Section("Steps", f"Recipe {name}")])
    page = html_path.read_text()
    assert "<script" not in page
    assert "<title>Recipe &lt;script&gt;alert(1)&lt;/script&gt;</title>" in page
    assert "<h1>Recipe &lt;script&gt;alert(1)&lt;/script&gt;</h1>" in page


@pytest.mark.skipif(find_spec("matplotlib") is None, reason="figures need matplotlib")
def test_a_variant_named_like_an_img_tag_cannot_inject_html_into_the_compare_report(tmp_path: Path) -> None:
    variant = "<img src=x onerror=alert(1)>"
    results = {
        name: [{"f1": f1, "per_type": {"DISO": {"f1": f1, "support": 4}}, "n_test": 10} for f1 in scores]
        for name, scores in (("base", (0.5, 0.6, 0.7)), (variant, (0.6, 0.7, 0.9)))
    }
    run = tmp_path / "runs" / "<svg onload=alert(1)>"  # the run id names the report
    run.mkdir(parents=True)
    (run / "comparison.json").write_text(compare(results, "base", ["f1"]).to_json())
    (run / "command.txt").write_text(f"adapterkit compare base '{variant}' --data ro.conll\n")
    for name, per_fold in results.items():
        (run / "cv" / folder_name(name)).mkdir(parents=True)
        record = {"variant": name, "folds": 3, "seed": 42, "data": ["ro.conll"], "per_fold": per_fold}
        (run / "cv" / folder_name(name) / "cv.json").write_text(json.dumps(record))

    markdown_path, html_path = report_for_compare(run)
    assert f"## Per-fold results: {variant}" in markdown_path.read_text()  # the report is about that variant
    page = html_path.read_text()
    assert_inert(page, [variant, "Comparison <svg onload=alert(1)>", f"Per-fold results: {variant}"])
    assert page.count('src="data:image/png;base64,') == 1  # the per-type figure, embedded
    assert "<title>Comparison &lt;svg onload=alert(1)&gt;</title>" in page
