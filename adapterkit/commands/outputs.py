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

from ..bounds import check_bounds
from ..errors import AdapterkitError
from ..overlap import Place, refuse_output_over_input
from ..safety import check_destination_file, check_destination_folder

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
    from ..readers.formats import split_group

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


def _check_input_kind(option: str, path: Path) -> None:
    """An input must be a regular file or a folder: a pipe or a device would block or never end."""
    import stat

    try:
        mode = path.stat().st_mode
    except OSError:
        return  # missing: the module reading it says so, with its own advice
    if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
        kind = "a named pipe (FIFO)" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode) else "a device"
        where = f"{option} {path}" if option.startswith("-") else str(path)
        raise AdapterkitError(f"{where}: it is {kind}, not a file or folder; give a regular file")


def _check_registry(option: Path | None) -> None:
    """The registry (``--registry``, ``ADAPTERKIT_REGISTRY`` or ./adapters) must be a folder, or not exist yet."""
    from ..paths import registry_dir

    store = registry_dir(option)
    if store.exists() and not store.is_dir():
        where = f"--registry {store}" if option is not None else f"the registry {store}"
        raise AdapterkitError(f"{where}: it is not a folder (a file, a pipe); give a registry folder (or a new name)")
    _check_input_kind("--registry" if option is not None else "the registry", store)


def writes(*, outputs: tuple[str, ...], inputs: tuple[str, ...], neither: tuple[str, ...] = ()) -> Callable[[F], F]:
    """Declare a command's output and input parameters; check them before the body runs.

    ``outputs``: names ending in ``/`` are folders (``"output/"``), in ``?`` either (a file or a
    folder to copy into; a fold file to reuse or create), the others files. ``neither``:
    parameters holding paths that are neither (a registry: a store that outputs go into; a
    report's run folder, read and written in place by design). Before the command's body (before
    any model, corpus or registry is loaded): every number within its documented bound
    (``bounds.py``), no input a pipe or device, every output writable as the kind it is, and no
    output over an input (``overlap.py``). A refusal is one line and leaves nothing behind.
    """
    folders = {name.rstrip("/") for name in outputs if name.endswith("/")}
    either = {name.rstrip("?") for name in outputs if name.endswith("?")}
    output_names = tuple(name.rstrip("/?") for name in outputs)

    def wrap(command: F) -> F:
        @functools.wraps(command)
        def checked(**kwargs: Any) -> Any:
            names = option_names(command)
            check_bounds(kwargs, names)
            registry = kwargs.get("registry")
            if "registry" in kwargs or "registry" in neither:
                _check_registry(registry)
            sources: list[Place] = [
                (names.get(name, name), path)
                for name in inputs
                for value in _values(kwargs.get(name))
                for path in _input_path(value, registry)
            ]
            for option, path in sources:
                _check_input_kind(option, path)
            targets: list[Place] = [
                (names.get(name, name), Path(str(value)))
                for name in output_names
                for value in _values(kwargs.get(name))
            ]
            refuse_output_over_input(targets, sources)
            for name in output_names:
                for value in _values(kwargs.get(name)):
                    if name in either:
                        continue
                    if name in folders:
                        check_destination_folder(Path(str(value)), names.get(name, name))
                    else:
                        check_destination_file(Path(str(value)), names.get(name, name))
            return command(**kwargs)

        roles = {"outputs": output_names, "folders": tuple(folders), "inputs": inputs, "neither": neither}
        setattr(checked, ROLES, roles)
        return checked  # type: ignore[return-value]

    return wrap
