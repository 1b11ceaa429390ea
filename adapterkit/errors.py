"""The one error type users see: a single line on stderr and exit code 2; and ``printable``."""

from __future__ import annotations

import unicodedata

# Characters that change what a terminal shows rather than being shown: C0/C1 controls (escape
# sequences start with ESC or CSI), DEL, line and paragraph separators, and the bidirectional
# overrides and isolates that make text display in another order than it is stored.
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _unsafe(char: str) -> bool:
    return char in _BIDI or unicodedata.category(char) in ("Cc", "Zl", "Zp")


def printable(text: object) -> str:
    """``text`` with terminal control characters written as Python escapes (``\\x1b``, ``\\n``, ``\\u202e``).

    Text that comes from outside (file names, corpus lines, manifests and cards from the Hub)
    goes through this before it reaches a terminal: an ESC in a file name must not move the
    cursor or recolour the screen, and a newline must not forge a second line of output.
    Printable characters of any script (é, ñ, ş, Ω) are kept as they are.
    """
    text = str(text)
    if not any(_unsafe(char) for char in text):
        return text
    return "".join(char.encode("unicode_escape").decode("ascii") if _unsafe(char) else char for char in text)


class AdapterkitError(Exception):
    """Bad input or an unusable environment, explained in one line.

    The message must name the file, line or option at fault and say what to do;
    the CLI prints it as ``error: <message>`` and exits with code 2. Control characters in it
    (from a file name, a corpus line, a downloaded manifest) are escaped here, so every raise is
    one printable line whatever text it quotes.
    """

    exit_code = 2

    def __init__(self, message: object = "", *args: object):
        super().__init__(printable(message), *args)
