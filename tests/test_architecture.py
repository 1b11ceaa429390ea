"""The import rules of ARCHITECTURE.md, checked on the source with ``ast`` (nothing is imported).

Every ``import``/``from ... import`` of adapterkit counts, at module level and inside functions
alike: an import inside a function is still a dependency, it only hides a cycle from Python.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE_DIR = Path(__file__).resolve().parent.parent / "adapterkit"

# Cycles that remain, each with why. The test fails when one of them is broken (remove it here)
# and when any other cycle appears.
ALLOWED_CYCLES: dict[frozenset[str], str] = {}

# Who may import adapterkit.cli: the entry point alone. A recipe runs its steps through the CLI's
# main, but the CLI hands it main (and which commands take --force) when it registers `run`.
CLI_IMPORTERS = {"adapterkit.__main__"}
# The commands are the top layer: only the CLI (and the commands package itself) imports them.
COMMANDS = "adapterkit.commands"

MODEL_CODE = ("torch", "transformers", "peft", "accelerate", "bitsandbytes")
READERS = [
    "adapterkit.tasks.brat",
    "adapterkit.tasks.conll",
    "adapterkit.tasks.jsonl",
    "adapterkit.tasks.readers",
    "adapterkit.tasks.hygiene",
    "adapterkit.tasks.data",
    "adapterkit.corpus.reading",
    "adapterkit.corpus.markup",
    "adapterkit.corpus.cleaning",
    "adapterkit.corpus.split",
    "adapterkit.scorer",
]
EVALUATION = [
    "adapterkit.metrics",
    "adapterkit.stats",
    "adapterkit.fold_stats",
    "adapterkit.folds",
    "adapterkit.scorer",
]
TRAINING_CODE = (
    "adapterkit.training",
    "adapterkit.pretrain",
    "adapterkit.pretrain_config",
    "adapterkit.tasks.finetune",
    "adapterkit.tasks.settings",
    "adapterkit.tasks.train",
    "adapterkit.cv",
    "adapterkit.quantize",
    "adapterkit.mlm",
    *MODEL_CODE,
)


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE_DIR.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Every module ``path`` imports, absolute names, wherever the import statement stands."""
    module = _module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                stem = ".".join(base + ([node.module] if node.module else []))
            else:
                stem = node.module or ""
            found.add(stem)
            # ``from . import invocation`` imports a module, not a name of the package
            found.update(f"{stem}.{alias.name}" for alias in node.names)
    return found


def _files() -> dict[str, Path]:
    return {_module_name(path): path for path in PACKAGE_DIR.rglob("*.py")}


def _graph() -> dict[str, set[str]]:
    files = _files()
    graph: dict[str, set[str]] = {}
    for name, path in files.items():
        graph[name] = {target for target in _imports(path) if target in files and target != name}
    return graph


def _external(name: str) -> set[str]:
    return _imports(_files()[name])


def _cycles(graph: dict[str, set[str]]) -> list[frozenset[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[frozenset[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == node:
                    break
            if len(component) > 1:
                components.append(frozenset(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return components


def test_the_graph_sees_imports_inside_functions() -> None:
    # guards the checker itself: the pretrain command imports the pretrain module only inside its function
    assert "adapterkit.pretrain" in _graph()["adapterkit.commands.pretrain"]


def test_there_are_no_import_cycles_but_the_listed_ones() -> None:
    cycles = set(_cycles(_graph()))
    new = [sorted(cycle) for cycle in cycles - set(ALLOWED_CYCLES)]
    assert not new, f"import cycles (move the shared code to a module both can import): {new}"
    broken = [sorted(cycle) for cycle in set(ALLOWED_CYCLES) - cycles]
    assert not broken, f"cycles listed as allowed that no longer exist (remove them from ALLOWED_CYCLES): {broken}"


def test_nothing_imports_the_cli_but_the_entry_point() -> None:
    importers = {name for name, targets in _graph().items() if "adapterkit.cli" in targets}
    assert importers <= CLI_IMPORTERS, f"import adapterkit.invocation or the command's module instead: {importers}"


def test_nothing_imports_the_commands_but_the_cli() -> None:
    def is_command(name: str) -> bool:
        return name == COMMANDS or name.startswith(COMMANDS + ".")

    importers = {name for name, targets in _graph().items() if not is_command(name) and any(map(is_command, targets))}
    assert importers == {"adapterkit.cli"}, f"move what a command and a module share out of commands/: {importers}"


def _reaches(start: str, forbidden: tuple[str, ...]) -> list[str]:
    """Forbidden modules ``start`` imports, directly or through other adapterkit modules."""
    graph = _graph()
    seen, todo, hits = {start}, [start], []
    while todo:
        name = todo.pop()
        for target in _external(name) | graph[name]:
            if any(target == f or target.startswith(f + ".") for f in forbidden):
                hits.append(f"{name} -> {target}")
            elif target in graph and target not in seen:
                seen.add(target)
                todo.append(target)
    return sorted(hits)


@pytest.mark.parametrize("reader", READERS)
def test_readers_import_no_model_code(reader: str) -> None:
    assert not _reaches(reader, MODEL_CODE), _reaches(reader, MODEL_CODE)


@pytest.mark.parametrize("module", EVALUATION)
def test_evaluation_imports_no_training_code(module: str) -> None:
    assert not _reaches(module, TRAINING_CODE), _reaches(module, TRAINING_CODE)


MAX_LINES = 500  # rule 5: a module a reader can hold in their head; split by idea beyond that


def test_no_module_is_over_the_line_limit() -> None:
    sizes = {
        str(path.relative_to(PACKAGE_DIR.parent)): len(path.read_text(encoding="utf-8").splitlines())
        for path in PACKAGE_DIR.rglob("*.py")
    }
    too_long = {path: lines for path, lines in sizes.items() if lines > MAX_LINES}
    assert not too_long, f"modules over {MAX_LINES} lines (split them by idea): {too_long}"


# The seam of adapter methods: one module per method in methods/ builds its PEFT config; nothing else
# does, so a new method is one new module (ARCHITECTURE.md, "How to add… an adapter method").
METHODS_DIR = PACKAGE_DIR / "methods"
SCANNED_DIRS = (PACKAGE_DIR, PACKAGE_DIR.parent / "benchmarks", PACKAGE_DIR.parent / "scripts")


def _peft_configs(path: Path) -> list[str]:
    """Where ``path`` names a PEFT config class (``from peft… import XConfig``, ``peft….XConfig``)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "peft":
            found += [f"{path.name}:{node.lineno} imports {a.name}" for a in node.names if a.name.endswith("Config")]
        elif isinstance(node, ast.Attribute) and node.attr.endswith("Config"):
            root = node.value
            while isinstance(root, ast.Attribute):
                root = root.value
            if isinstance(root, ast.Name) and root.id == "peft":
                found.append(f"{path.name}:{node.lineno} uses peft….{node.attr}")
    return found


def test_only_the_adapter_methods_build_peft_configs() -> None:
    assert _peft_configs(METHODS_DIR / "lora.py") and _peft_configs(METHODS_DIR / "ia3.py")  # the checker sees them
    outside = [
        hit
        for folder in SCANNED_DIRS
        for path in sorted(folder.rglob("*.py"))
        if not path.is_relative_to(METHODS_DIR)
        for hit in _peft_configs(path)
    ]
    assert not outside, f"build PEFT configs through adapterkit.methods (one module per method): {outside}"
