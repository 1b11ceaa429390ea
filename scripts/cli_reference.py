"""Write the command-line reference of the docs (docs/reference/cli.md) from the Typer app itself.

Nothing in it is written by hand: every command, argument and option, its value, default and help
come from the app that `adapterkit --help` prints, so the reference cannot fall behind the code.

    python scripts/cli_reference.py          # (re)write docs/reference/cli.md
    python scripts/cli_reference.py --check  # exit 1 if the file is not what the app gives now
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import typer

from adapterkit.cli import build_command

REFERENCE = Path(__file__).resolve().parent.parent / "docs" / "reference" / "cli.md"


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _commands(command, path: tuple[str, ...]):
    yield path, command
    subs = getattr(command, "commands", None) or {}
    for name, sub in subs.items():
        if not getattr(sub, "hidden", False):
            yield from _commands(sub, (*path, name))


def _usage(command, path: tuple[str, ...]) -> str:
    context = typer.Context(command, info_name=" ".join(("adapterkit", *path)))
    return " ".join(command.collect_usage_pieces(context))


def _param_rows(command, context) -> list[str]:
    rows = []
    for param in command.params:
        if getattr(param, "hidden", False) or param.name == "help":
            continue
        record = param.get_help_record(context)
        if record is None:
            continue
        shown, help_text = record
        rows.append(f"| `{_cell(shown)}` | {_cell(help_text)} |")
    return rows


def render() -> str:
    root = build_command()
    lines = [
        "# Command-line reference",
        "",
        "Generated from the command line itself (`python scripts/cli_reference.py`); `adapterkit COMMAND --help`",
        "prints the same. Options with a fixed set of values list them; `-h` is `--help` everywhere.",
        "",
    ]
    for path, command in _commands(root, ()):
        name = " ".join(("adapterkit", *path))
        context = typer.Context(command, info_name=name)
        lines += [f"## `{name}`", ""]
        if command.help:
            lines += [command.help.strip(), ""]
        lines += ["```text", f"{name} {_usage(command, path)}".rstrip(), "```", ""]
        rows = _param_rows(command, context)
        if rows:
            lines += ["| Argument or option | Description |", "|---|---|", *rows, ""]
    return "\n".join(lines).rstrip() + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if the reference is out of date")
    args = parser.parse_args()
    text = render()
    if args.check:
        current = REFERENCE.read_text(encoding="utf-8") if REFERENCE.is_file() else ""
        if current != text:
            print(f"{REFERENCE} is out of date: run python scripts/cli_reference.py", file=sys.stderr)
            return 1
        print(f"ok: {REFERENCE.name} matches the command line")
        return 0
    REFERENCE.parent.mkdir(parents=True, exist_ok=True)
    REFERENCE.write_text(text, encoding="utf-8")
    print(f"wrote {REFERENCE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
