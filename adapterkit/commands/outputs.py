"""Which options of a command are inputs and which are outputs; the output-over-input rule applied to them.

Every command that writes is wrapped by ``writes(outputs=..., inputs=...)``, naming its parameters:
before the command body runs (before any model, corpus or registry is touched) every output it
was given is checked against every input by ``overlap.refuse_output_over_input``. Inputs given as
names (a variant, an adapter, a task model) count by the folder they name: a path, or a registry
adapter (``a+b``: both). ``tests/test_output_over_input.py`` walks the CLI: every parameter holding
a path, and every parameter whose name says it is an output, must be declared here, so a new output
option is covered as soon as it exists.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from ..overlap import Place, refuse_output_over_input

F = TypeVar("F", bound=Callable[..., Any])

# What an output parameter is called; a parameter named like this must be declared an output.
OUTPUT_NAME = re.compile(r"^(out|output|outputs|json|json_file|destination|.*_dir|.*_file)$")
ROLES = "__adapterkit_paths__"  # the attribute the declaration is kept in, for the test that walks the CLI


def option_names(command: Callable[..., Any]) -> dict[str, str]:
    """Parameter name -> the option as the user writes it (``--json``, ``--input``, ``RUN_DIR``)."""
    import typing

    from typer.models import ArgumentInfo, OptionInfo

    names: dict[str, str] = {}
    for name, hint in typing.get_type_hints(command, include_extras=True).items():
        info = next((m for m in getattr(hint, "__metadata__", ()) if isinstance(m, (OptionInfo, ArgumentInfo))), None)
        if isinstance(info, ArgumentInfo):
            names[name] = info.metavar or name.upper()
        else:
            decls = []
            if isinstance(info, OptionInfo):  # Annotated[..., typer.Option("--json")] keeps "--json" as its default
                given = [info.default] if isinstance(info.default, str) else []
                decls = [d for d in [*given, *(info.param_decls or ())] if d.startswith("--")]
            names[name] = decls[0].split("/")[0] if decls else "--" + name.replace("_", "-")
    return names


def _values(value: object) -> list[object]:
    if value is None or isinstance(value, bool):
        return []
    if isinstance(value, (list, tuple)):
        return [item for item in value if item is not None]
    return [value]


def _input_path(value: object, registry: Path | None) -> list[Path]:
    """The local files or folders an input value names (none for a Hub dataset or model id)."""
    from ..corpus.reading import is_hub
    from ..tasks.readers import split_group

    text = str(value)
    if is_hub(text) or text.startswith("hub:"):
        return []
    path = Path(text)
    if isinstance(value, Path):
        if not path.exists() and split_group(text)[0]:
            path = Path(split_group(text)[1])  # LANG=PATH
        return [path]
    if path.exists():
        return [path]
    from ..paths import registry_dir

    store = registry_dir(registry)
    parts = text.split("+") if "+" in text else [text]
    found = []
    for part in parts:
        if Path(part).exists():
            found.append(Path(part))
        elif part and "/" not in part and (store / part).is_dir():
            found.append(store / part)
    return found


def writes(*, outputs: tuple[str, ...], inputs: tuple[str, ...], neither: tuple[str, ...] = ()) -> Callable[[F], F]:
    """Declare a command's output and input parameters; refuse an output over an input before the body runs.

    ``neither``: parameters holding paths that are neither (a registry: a store that outputs go
    into; a report's run folder, read and written in place by design).
    """

    def wrap(command: F) -> F:
        @functools.wraps(command)
        def checked(**kwargs: Any) -> Any:
            names = option_names(command)
            registry = kwargs.get("registry")
            sources: list[Place] = [
                (names.get(name, name), path)
                for name in inputs
                for value in _values(kwargs.get(name))
                for path in _input_path(value, registry)
            ]
            targets: list[Place] = [
                (names.get(name, name), Path(str(value))) for name in outputs for value in _values(kwargs.get(name))
            ]
            refuse_output_over_input(targets, sources)
            return command(**kwargs)

        setattr(checked, ROLES, {"outputs": outputs, "inputs": inputs, "neither": neither})
        return checked  # type: ignore[return-value]

    return wrap
