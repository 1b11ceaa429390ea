"""Markdown to one self-contained HTML page, with markdown-it-py (CommonMark and GFM pipe tables).

A report is written once as markdown; this module turns that text into the body of ``report.html``
and wraps it in a page with inline CSS and nothing to load. Code blocks (commands) wrap only at
spaces, never inside a word or path; a table or line wider than the page scrolls inside its box. The
parser is markdown-it-py's CommonMark preset with its table rule enabled, configured for text that
holds user-controlled names (run ids, variant and recipe names): raw HTML is off, so ``<script>`` or
an ``<img onerror>`` in a name shows as text; links may only go to http(s) pages or relative paths;
an image is embedded through ``resolve_image`` (a data URI for a local figure) or, failing that,
shown as a link, so the page never fetches anything. An image alone in its paragraph becomes a
``<figure>`` with its alt text as caption; table alignment becomes a ``left``/``right``/``center``
class for the page's CSS.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any
from urllib.parse import unquote

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

ImageResolver = Callable[[str], "str | None"]

_ALIGN = re.compile(r"text-align:\s*(left|right|center)")


def _safe_href(target: str) -> bool:
    """Links may go to http(s) pages or relative paths; no other scheme (javascript:, data:, file:)."""
    return bool(re.match(r"^(https?://|[^:]*$)", target, re.IGNORECASE))


def _report_blocks(state: StateCore) -> None:
    """Core rule after parsing: alignment as classes, and a paragraph holding one image as a figure."""
    tokens = state.tokens
    for index, token in enumerate(tokens):
        if token.type in ("th_open", "td_open"):
            style = token.attrGet("style")
            found = _ALIGN.search(str(style)) if style else None
            if found:
                token.attrs.pop("style")
                token.attrSet("class", found.group(1))  # the CSS keeps numbers aligned (tabular figures)
        elif token.type == "paragraph_open" and index + 2 < len(tokens):
            inline = tokens[index + 1]
            children = [child for child in inline.children or [] if not _blank(child)]
            if inline.type == "inline" and len(children) == 1 and children[0].type == "image":
                token.hidden = tokens[index + 2].hidden = True  # no <p> around the <figure>
                children[0].meta["figure"] = True


def _blank(token: Token) -> bool:
    return token.type in ("softbreak", "hardbreak") or (token.type == "text" and not token.content.strip())


def _render_image(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: dict) -> str:
    """An image embedded as ``resolve_image`` says, or a link to it (never an ``<img>`` loading it)."""
    token = tokens[idx]
    alt = html.escape(self.renderInlineAsText(token.children or [], options, env))
    source = unquote(str(token.attrGet("src") or ""))  # markdown-it percent-encodes; the file has the plain name
    uri = env.get("resolve_image", _nothing)(source)
    figure = bool(token.meta.get("figure"))
    if uri is None:
        link = html.escape(source)
        target = f'<a href="{html.escape(str(token.attrGet("src")))}">{link}</a>' if _safe_href(source) else link
        tag = "p" if figure else "span"
        return f'<{tag} class="missing">[image: {alt} — {target}]</{tag}>' + ("\n" if figure else "")
    image = f'<img src="{html.escape(uri)}" alt="{alt}">'
    return f"<figure>{image}<figcaption>{alt}</figcaption></figure>\n" if figure else image


def _nothing(source: str) -> None:
    return None


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    parser = MarkdownIt("commonmark", {"html": False}).enable("table")
    parser.validateLink = _safe_href  # type: ignore[method-assign]  # stricter than markdown-it's own list
    parser.core.ruler.push("report_blocks", _report_blocks)
    parser.add_render_rule("image", _render_image)
    return parser


def markdown_to_html(text: str, resolve_image: ImageResolver = _nothing) -> str:
    """HTML body of ``text`` (CommonMark with pipe tables), as markdown-it-py renders it.

    Raw HTML in the input shows as text. ``resolve_image`` turns an image source into the ``src``
    to use (a data URI) or None, in which case a link is written instead of an ``<img>``, so the
    output never fetches an external resource.
    """
    return _parser().render(text, {"resolve_image": resolve_image})


_CSS = """
body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; color: #222;
       line-height: 1.45; }
table { border-collapse: collapse; margin: 1rem 0; font-size: 0.9rem; display: block; max-width: 100%;
        overflow-x: auto; }
th, td { border: 1px solid #ccc; padding: 0.25rem 0.6rem; text-align: left; }
th { background: #f3f3f3; }
td.right, th.right { text-align: right; font-variant-numeric: tabular-nums; }
td.center, th.center { text-align: center; }
figure { margin: 1rem 0; }
figure img { max-width: 100%; }
figcaption { font-size: 0.85rem; color: #555; }
pre { background: #f6f6f6; padding: 0.6rem; white-space: pre-wrap; overflow-wrap: normal; word-break: normal;
      overflow-x: auto; }
code { font-size: 0.9em; }
""".strip()


def html_document(title: str, body: str) -> str:
    """A complete HTML page with inline CSS and nothing else to load."""
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html.escape(title)}</title>\n<style>\n{_CSS}\n</style>\n</head>\n<body>\n{body}</body>\n</html>\n"
    )
