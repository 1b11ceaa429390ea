"""No output ever replaces an input: the one rule every command that writes applies, before any work.

An output (a file or folder an option names: ``--out``, ``--output``, ``--json``, ``--run-dir``,
``--logging-dir``, ``--work-dir``, ``--fold-file``..., or a destination a command derives from a
name) is refused when it *is* an input of the same command, *contains* one (an output folder
holding an input file or folder), or lies *inside* an input folder. Paths are compared after
resolving symbolic links (``..`` and links cannot hide a clash), and existing files also by
identity (device and inode), so a hard link to an input is that input. The command layer declares
which options are inputs and which are outputs (``commands.common.paths``); the modules that derive
a destination from a name call ``refuse_output_over_input`` themselves. Model-free.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from .errors import AdapterkitError

Place = tuple[str, Path]  # (the option or argument as the user writes it, the path it names)


def _resolved(path: Path) -> Path:
    try:
        return Path(path).expanduser().resolve(strict=False)
    except (OSError, RuntimeError):  # a symbolic-link loop: compare the path as written
        return Path(os.path.abspath(Path(path).expanduser()))


def _identity(path: Path) -> tuple[int, int] | None:
    """(device, inode) of what ``path`` names, following links; None when there is nothing."""
    try:
        found = os.stat(path)
    except (OSError, ValueError):
        return None
    return found.st_dev, found.st_ino


def clash(output: Path, source: Path) -> str | None:
    """How ``output`` would replace ``source`` ("is", "contains", "lies inside"), or None when it does not."""
    out, src = _resolved(output), _resolved(source)
    if out == src:
        return "is"
    identity = _identity(output)
    if identity is not None and identity == _identity(source):
        return "is"  # a hard link (or a bind mount) of the input
    if src.is_relative_to(out):
        return "contains"
    if out.is_relative_to(src):
        return "lies inside"
    return None


def _named(option: str, path: Path) -> str:
    return f"{option} {path}" if option.startswith("-") else str(path)  # an argument: its value alone


def refuse_output_over_input(outputs: Iterable[Place], inputs: Iterable[Place]) -> None:
    """Refuse, in one line naming both, an output that is, contains or lies inside an input."""
    sources = [(option, Path(path)) for option, path in inputs]
    for option, output in outputs:
        for source_option, source in sources:
            how = clash(Path(output), source)
            if how is not None:
                raise AdapterkitError(
                    f"{_named(option, Path(output))}: it {how} {_named(source_option, source)}, an input of this run; "
                    "an output never replaces an input: choose another place"
                )
