"""Markup removal: which ``<``, ``>`` and ``&`` of a line are real markup (removed) and which are
text (kept), with the rules and their reasons in the comment below. Pure string work, no I/O:
``cleaning.clean_line`` runs ``strip_markup`` on every line, and
``tests/test_cleaning_catalogue.py`` pins the rules down case by case.
"""

from __future__ import annotations

import html
import html.entities
import re

# Markup ---------------------------------------------------------------------------------------
#
# Only real markup is removed; every other "<" and ">" is text. A tag is a name (a letter, then
# name characters) right after "<" or "</", optional attributes, then ">". That shape alone is
# not enough: "a<b>c" and "if a<b and c>d" have it and are comparisons. So a tag counts as
# markup when its markup nature is evident:
#   - a closing tag "</name>", a self-closing tag "<name .../>", or a tag with at least one
#     attribute that has a value ('<span class="x">', "<font size=2>");
#   - a void element of running text ("<br>", "<hr noshade>"): it never has a closing tag;
#   - any "<name ...>" whose closing "</name>" follows on the same line ("<dx>...</dx>");
#   - a bare "<name>" (no attributes) whose name is an HTML element that marks up running text
#     (TEXT_ELEMENTS: "<p>", "<td>", "<B>"), except a one-letter name right after a letter or
#     digit: "a<b>c", "p<i>q" are read as comparisons, "x <b>..." as bold.
# Everything else stays: a tag with only valueless attributes and no closing tag ("<b and c>" in
# "if a<b and c>d"; an unclosed "<td nowrap>" too), and unknown bare names: "<PATIENT>",
# "<PERSOON-1>" (the placeholders DEDUCE writes into de-identified Dutch notes), "<pH>". The cost
# is asymmetric: a stray "<p>" left in costs one noise token, a dropped comparison loses content.
# Comments, CDATA (its text kept, literally), processing instructions ("<?xml ...?>") and
# declarations ("<!DOCTYPE ...>") are removed when they are complete on the line.

_NAME = r"[A-Za-z][A-Za-z0-9_:.-]*"
_ATTRIBUTE = r"""\s+[A-Za-z_:][A-Za-z0-9_:.-]*(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?"""
# Matched at a "<": a closing tag, or an opening tag (its attributes cannot hold a "<" outside
# quotes, so a failed try stops at the next "<").
TAG = re.compile(rf"</(?P<close>{_NAME})\s*>|<(?P<name>{_NAME})(?P<attributes>(?:{_ATTRIBUTE})*)\s*(?P<slash>/?)>")
DECLARATION = re.compile(r"<!(?:DOCTYPE|ELEMENT|ATTLIST|ENTITY|NOTATION)\b[^<>]*>", re.IGNORECASE)
CLOSING_TAG = re.compile(rf"</({_NAME})\s*>")
# (opener, terminator) of the constructs removed whole, and whether their content is kept as text.
DELIMITED = (("<!--", "-->", False), ("<![CDATA[", "]]>", True), ("<?", "?>", False))
# Entities with their semicolon only: "R&D", "&not" or "5&micro" in prose stay as written
# (html.unescape alone would turn "a&notb" into "a¬b").
ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6}|[A-Za-z][A-Za-z0-9]{0,31});")
# Void elements of running text: never closed, so never "closed on the line". (The other void
# elements, "<meta>", "<link>", "<input>", "<source>"..., carry attributes when they are markup.)
VOID_ELEMENTS = frozenset({"br", "hr", "img", "wbr"})
# Elements that mark up running text in HTML exports (and old upper-case HTML). Left out on
# purpose: elements named like words used as placeholders ("time", "address", "data", "label",
# "title", "code", "source", "input", "section", "summary"), and "<a>" / "<s>" (without an href
# an "<a>" marks nothing; "<s>" is also a sentence-start token). Those count as markup only with
# a valued attribute or when closed on the line.
TEXT_ELEMENTS = VOID_ELEMENTS | frozenset(
    {
        *("b", "big", "blockquote", "body", "center", "dd", "div", "dl", "dt", "em", "font", "head", "html"),
        *("h1", "h2", "h3", "h4", "h5", "h6", "i", "li", "nobr", "ol", "p", "pre", "small", "span", "strike"),
        *("strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "tt", "u", "ul"),
    }
)


def _entity(match: re.Match) -> str:
    text = match.group()
    if text[1] == "#":
        return html.unescape(text)  # numeric: out-of-range code points become U+FFFD
    return html.entities.html5.get(text[1:], text)  # unknown names ("&foo;") stay


def _is_markup(match: re.Match, text: str, closers: dict[str, int]) -> bool:
    """Whether a tag-shaped match is real markup (the rules above)."""
    if match["close"]:
        return True
    name = match["name"].lower()
    if match["slash"] or "=" in match["attributes"] or name in VOID_ELEMENTS:
        return True
    if closers.get(name, -1) >= match.end():
        return True
    if match["attributes"] or name not in TEXT_ELEMENTS:
        return False
    glued = match.start() > 0 and text[match.start() - 1].isalnum()
    return not (len(name) == 1 and glued)


def _find(text: str, terminator: str, start: int, found: dict[str, int]) -> int:
    """``text.find(terminator, start)``, remembered: with many unterminated openers on a long
    line, each search would otherwise rescan to the end (quadratic)."""
    index = found.get(terminator)
    if index is None or (index != -1 and index < start):
        index = found[terminator] = text.find(terminator, start)
    return index


def _markup_at(text: str, start: int, closers: dict[str, int], found: dict[str, int]) -> tuple[int, str] | None:
    """The end of the markup that starts at ``text[start] == "<"`` and what replaces it, or None."""
    for opener, terminator, keeps_content in DELIMITED:
        if text.startswith(opener, start):
            if opener == "<?" and not text[start + 2 : start + 3].isalpha():
                return None  # "<?" not followed by a target name: not a processing instruction
            end = _find(text, terminator, start + len(opener), found)
            if end == -1:
                return None  # not complete on this line: text
            return end + len(terminator), text[start + len(opener) : end] if keeps_content else " "
    if text.startswith("<!", start):
        declaration = DECLARATION.match(text, start)
        return (declaration.end(), " ") if declaration else None
    tag = TAG.match(text, start)
    if tag and _is_markup(tag, text, closers):
        return tag.end(), " "
    return None


def strip_markup(text: str) -> str:
    """``text`` without its markup, entities unescaped; every other ``<`` and ``>`` kept.

    Removed (replaced by a space, so words on either side stay apart): closing tags,
    self-closing tags, tags with valued attributes, void elements, tags closed later on the
    line, bare text-markup elements (``<p>``, ``<td>``; not a one-letter name glued to a
    letter or digit: ``a<b>c`` is a comparison), comments, processing instructions and
    declarations. CDATA keeps its text, literally. Entities with a semicolon are unescaped
    after the tags are removed, outside CDATA, so ``&lt;b&gt;`` ends as the text ``<b>``.
    Kept: comparisons and arrows (``<5.6``, ``< 4``, ``x<y``, ``<-``, ``<<``, ``<=``, ``<>``),
    unknown bare names (``<PATIENT>``), and markup not complete on the line.
    """
    if "<" not in text and "&" not in text:
        return text
    closers: dict[str, int] = {}
    if "</" in text:
        for close in CLOSING_TAG.finditer(text):
            closers[close[1].lower()] = close.start()  # the last one of each name
    found: dict[str, int] = {}
    pieces: list[str] = []
    position = start = 0
    while (start := text.find("<", start)) != -1:
        markup = _markup_at(text, start, closers, found)
        if markup is None:
            start += 1  # this "<" is text
            continue
        end, replacement = markup
        pieces.append(ENTITY.sub(_entity, text[position:start]))
        pieces.append(replacement)
        position = start = end
    pieces.append(ENTITY.sub(_entity, text[position:]))
    return "".join(pieces)
