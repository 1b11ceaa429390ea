"""The documentation users read: the README is a front door, the CLI reference is generated and
complete, and no page holds development material."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import typer

from adapterkit.cli import app

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
REFERENCE = DOCS / "reference" / "cli.md"


def _load_generator():
    spec = importlib.util.spec_from_file_location("cli_reference", ROOT / "scripts" / "cli_reference.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _commands(command, path=()):
    yield path, command
    for name, sub in (getattr(command, "commands", None) or {}).items():
        yield from _commands(sub, (*path, name))


def test_the_cli_reference_is_what_the_command_line_gives_now():
    assert REFERENCE.read_text(encoding="utf-8") == _load_generator().render(), (
        "docs/reference/cli.md is out of date: run python scripts/cli_reference.py"
    )


def test_every_command_and_option_appears_in_the_cli_reference():
    text = REFERENCE.read_text(encoding="utf-8")
    for path, command in _commands(typer.main.get_command(app)):
        assert f"## `{' '.join(('adapterkit', *path))}`" in text, path
        for param in command.params:
            if getattr(param, "hidden", False):
                continue  # an old name kept working (commands.options.renamed), absent from --help on purpose
            for flag in [*param.opts, *param.secondary_opts]:
                if flag.startswith("-") and flag not in ("--help", "-h"):
                    assert re.search(rf"`[^`]*{re.escape(flag)}\b", text), (path, flag)


def test_the_readme_is_a_front_door_of_at_most_about_200_lines():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) <= 210
    for must in ("make demo", "make test", "--base minilm", "adapterkit pretrain", "adapterkit compose",
                 "adapterkit finetune", "adapterkit predict", "adapterkit score", "--out"):
        assert must in readme, must


DEVELOPMENT_MATERIAL = {
    "an issue number": re.compile(r"\bissues? \d+|(?<![&\w])#\d{1,4}\b(?!;)"),
    "session talk": re.compile(r"\b(this|in (this|the) )session\b", re.I),
    "the development data path": re.compile(r"\.\./shared"),
    "a test count": re.compile(r"\b\d+ tests? (pass|passed|fail)", re.I),
}


def test_user_docs_hold_no_development_material():
    pages = [ROOT / "README.md", *sorted(DOCS.rglob("*.md"))]
    assert len(pages) > 10
    for page in pages:
        text = page.read_text(encoding="utf-8")
        for what, pattern in DEVELOPMENT_MATERIAL.items():
            found = pattern.search(text)
            assert found is None, f"{page.relative_to(ROOT)}: {what}: {found.group(0)!r}"


def _example_lines() -> list[tuple[str, str]]:
    """(page, command line) for every `adapterkit ...` line in a code block of the README or docs."""
    examples = []
    for page in [ROOT / "README.md", *sorted(DOCS.rglob("*.md"))]:
        if page == REFERENCE:
            continue
        in_code = False
        for line in page.read_text(encoding="utf-8").splitlines():
            if line.startswith("```"):
                in_code = not in_code
                continue
            text = line.strip()
            if in_code and text.startswith("adapterkit "):
                examples.append((str(page.relative_to(ROOT)), text.split("  #", 1)[0].split(" # ", 1)[0]))
    return examples


def test_every_example_in_the_docs_names_a_real_command_and_real_options():
    import shlex

    root = typer.main.get_command(app)
    examples = _example_lines()
    assert len(examples) > 40
    for page, line in examples:
        try:
            words = shlex.split(line.replace("$(", "(").replace("\\", ""))[1:]
        except ValueError:
            continue  # a line continued on the next one
        command = root
        while words and getattr(command, "commands", None) and words[0] in command.commands:
            command = command.commands[words.pop(0)]
        assert not getattr(command, "commands", None), (page, line)  # a group without its command
        flags = {flag for param in command.params for flag in (*param.opts, *param.secondary_opts)}
        flags |= {"--help", "-h"}
        for word in words:
            if word.startswith("--"):
                assert word.split("=", 1)[0] in flags, f"{page}: {line}: {word} is no option of this command"
