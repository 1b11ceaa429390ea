"""The command under way: its command line as typed and the summary line it ends with.

``cli.main`` enters a command here and leaves it when it returns; a recipe runs its steps'
commands inside its own ``main``, so the slots form a stack, innermost last. Modules that record
what they were run with (``cv``'s compare, ``recipes``) read ``command_line`` here instead of
importing the CLI, and commands record their headline figures with ``summarise``.
"""

from __future__ import annotations

import shlex
import sys

# One slot per main() under way: the command's headline figures and where its results are, for
# the summary line main() prints last.
_SUMMARIES: list[dict[str, str]] = []
_COMMANDS: list[list[str]] = []  # the argv of each main() under way, innermost last


def enter(args: list[str]) -> None:
    """A command starts: its argv and an empty summary go on the stack."""
    _SUMMARIES.append({})
    _COMMANDS.append(args)


def leave() -> dict[str, str]:
    """The command ends: its slot leaves the stack; returns its summary (empty when none was recorded)."""
    _COMMANDS.pop()
    return _SUMMARIES.pop()


def command_line() -> str:
    """The command being run, as typed (a recipe step's own command, not ``adapterkit run``)."""
    return shlex.join(["adapterkit", *(_COMMANDS[-1] if _COMMANDS else sys.argv[1:])])


def summarise(figures: str, where: object) -> None:
    """Record the command's summary (printed by ``main`` with the elapsed time once it succeeded)."""
    if _SUMMARIES:
        _SUMMARIES[-1].update(figures=figures, where=str(where))


def elapsed(seconds: float) -> str:
    minutes, secs = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min" if hours else f"{minutes} min {secs:02d} s" if minutes else f"{seconds:.1f} s"
