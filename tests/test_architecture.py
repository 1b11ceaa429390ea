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
# Rule 3: the readers/ folder (task data and the scorer) and the corpus readers reach no model code.
READERS_DIR = PACKAGE_DIR / "readers"
READERS = sorted(f"adapterkit.readers.{path.stem}" for path in READERS_DIR.glob("*.py") if path.stem != "__init__") + [
    "adapterkit.corpus.reading",
    "adapterkit.corpus.markup",
    "adapterkit.corpus.cleaning",
    "adapterkit.corpus.split",
]
# ... and of adapterkit itself, only these small modules besides its own floor
READERS_MAY_IMPORT = {
    "adapterkit.errors",
    "adapterkit.choices",
    "adapterkit.paths",
    "adapterkit.atomic",
    "adapterkit.metrics",
}
EVALUATION = [
    "adapterkit.metrics",
    "adapterkit.stats",
    "adapterkit.fold_stats",
    "adapterkit.folds",
    "adapterkit.readers.scorer",
]
TRAINING_CODE = (
    "adapterkit.training",
    "adapterkit.jobs.pretrain",
    "adapterkit.pretrain_config",
    "adapterkit.jobs.finetune",
    "adapterkit.tasks.settings",
    "adapterkit.tasks.train",
    "adapterkit.jobs.cv",
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
    assert "adapterkit.jobs.pretrain" in _graph()["adapterkit.commands.pretrain"]


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


def test_the_readers_floor_imports_only_itself_and_the_small_modules() -> None:
    graph = _graph()
    outside = {
        f"{name} -> {target}"
        for name in graph
        if name.startswith("adapterkit.readers")
        for target in graph[name]
        if not target.startswith("adapterkit.readers") and target not in READERS_MAY_IMPORT
    }
    assert not outside, f"adapterkit/readers/ is the bottom floor: move what it needs down, or the code up: {outside}"


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


# The seam of task kinds: adapterkit/readers/kinds.py is the one table of what differs between kinds
# (head, loss, decoding, metrics, headline, report columns); no other module branches on a kind's
# name (ARCHITECTURE.md, "How to add… a task kind").
KINDS_FILE = PACKAGE_DIR / "readers" / "kinds.py"
# Modules still branching on a kind's name, each with why; empty: every branch reads the table.
KIND_BRANCH_EXCEPTIONS: dict[str, str] = {}


def _kind_names() -> list[str]:
    """The ``name=`` of every ``TaskKind(...)`` of kinds.py, in their order there, read from its source."""
    return [
        keyword.value.value
        for statement in ast.parse(KINDS_FILE.read_text(encoding="utf-8")).body
        for node in ast.walk(statement)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "TaskKind"
        for keyword in node.keywords
        if keyword.arg == "name" and isinstance(keyword.value, ast.Constant)
    ]


def _kind_branches(source: str, where: str, names: set[str]) -> list[str]:
    """Where ``source`` branches on a kind's name: compares something with it (``==``, ``in (...)``),
    matches it in a ``case``, or looks it up in a dict literal keyed by kind names."""

    def named(node: ast.AST) -> bool:
        if isinstance(node, ast.Constant):
            return node.value in names
        if isinstance(node, ast.Tuple | ast.List | ast.Set):
            return any(named(item) for item in node.elts)
        return False

    found = []
    for node in ast.walk(ast.parse(source, where)):
        if isinstance(node, ast.Compare) and any(named(side) for side in [node.left, *node.comparators]):
            found.append(f"{where}:{node.lineno} compares with a kind's name")
        elif isinstance(node, ast.MatchValue) and named(node.value):
            found.append(f"{where}:{node.lineno} matches a kind's name")
        elif isinstance(node, ast.Dict) and any(key is not None and named(key) for key in node.keys):
            found.append(f"{where}:{node.lineno} keys a table by kind names")
    return found


def test_the_kind_checker_sees_every_form_of_branch() -> None:
    names = set(_kind_names())
    assert names == {"ner", "classification", "multilabel", "regression"}
    source = (
        'if kind == "ner":\n    pass\n'
        'ok = task in ("classification", "multilabel")\n'
        'match kind:\n    case "regression":\n        pass\n'
        'metric = {"ner": "f1"}[kind]\n'
        'fine = build(variant, "ner", labels)\n'  # naming a kind is not branching on it
    )
    hits = _kind_branches(source, "x.py", names)
    assert sorted(hit.split(" ", 1)[0] for hit in hits) == ["x.py:1", "x.py:3", "x.py:5", "x.py:7"], hits


def test_only_the_task_kinds_table_branches_on_a_kind() -> None:
    names = set(_kind_names())
    root = PACKAGE_DIR.parent
    hits: dict[str, list[str]] = {}
    for folder in SCANNED_DIRS:
        for path in sorted(folder.rglob("*.py")):
            if path == KINDS_FILE:
                continue
            where = str(path.relative_to(root))
            found = _kind_branches(path.read_text(encoding="utf-8"), where, names)
            if found:
                hits[where] = found
    new = {where: found for where, found in hits.items() if where not in KIND_BRANCH_EXCEPTIONS}
    assert not new, f"read what differs between task kinds from adapterkit/readers/kinds.py (KINDS): {new}"
    mended = sorted(set(KIND_BRANCH_EXCEPTIONS) - set(hits))
    assert not mended, f"no longer branches on a kind: remove from KIND_BRANCH_EXCEPTIONS: {mended}"


def test_the_manifest_knows_every_task_kind() -> None:
    """manifest/ imports nothing of adapterkit but errors, so it keeps its own tuple of the kinds: the same."""
    tree = ast.parse((PACKAGE_DIR / "manifest" / "adapter.py").read_text(encoding="utf-8"))
    (tasks,) = [
        node.value
        for node in tree.body
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "TASKS" for t in node.targets)
    ]
    assert isinstance(tasks, ast.Tuple)
    assert [item.value for item in tasks.elts if isinstance(item, ast.Constant)] == _kind_names()


# The benchmarks and scripts sit outside the package, above it: they use it as a user's code would,
# through its modules, never through the commands (rule 2 holds for them too). The one exception
# documents the command line itself.
OUTSIDE_DIRS = (PACKAGE_DIR.parent / "benchmarks", PACKAGE_DIR.parent / "scripts")
CLI_USERS_OUTSIDE = {"scripts/cli_reference.py": "generates the CLI reference from the Typer app"}


def test_benchmarks_and_scripts_import_no_command() -> None:
    root = PACKAGE_DIR.parent
    hits = []
    for folder in OUTSIDE_DIRS:
        for path in sorted(folder.rglob("*.py")):
            where = str(path.relative_to(root))
            if where in CLI_USERS_OUTSIDE:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), where)):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
                if isinstance(node, ast.ImportFrom) and not node.level:
                    names = [node.module or ""] + [f"{node.module}.{a.name}" for a in node.names]
                hits += [
                    f"{where}:{node.lineno} {n}"
                    for n in names
                    if n.split(".")[:2] in (["adapterkit", "commands"], ["adapterkit", "cli"])
                ]
    assert not hits, f"import the module the command uses, not the command: {hits}"


# One task pipeline: finetune and every cv fold train through tasks/pipeline.fit_and_score, and every
# command that resumes compares its settings through training/resume.check_same_settings.
PIPELINE_STEPS = {"train_task": "adapterkit/tasks/pipeline.py", "add_task_adapter": "adapterkit/tasks/pipeline.py"}


def _calls(name: str) -> set[str]:
    root = PACKAGE_DIR.parent
    found = set()
    for path in PACKAGE_DIR.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                func = node.func
                called = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
                if called == name:
                    found.add(str(path.relative_to(root)))
    return found


@pytest.mark.parametrize("step", sorted(PIPELINE_STEPS))
def test_task_models_train_through_the_one_pipeline(step: str) -> None:
    # tasks/train.py's own ``train`` wraps train_task for the unit tests of the Trainer set-up
    callers = _calls(step) - {"adapterkit/tasks/train.py"}
    assert callers == {PIPELINE_STEPS[step]}, f"train a task model through tasks.pipeline.fit_and_score: {callers}"


def test_every_resume_checks_its_settings_the_one_way() -> None:
    assert _calls("check_same_settings") == {
        "adapterkit/jobs/pretrain.py",
        "adapterkit/jobs/finetune.py",
        "adapterkit/jobs/cv.py",
    }
    assert _calls("read_run_settings") <= {"adapterkit/training/resume.py", "adapterkit/jobs/analyse.py"}
