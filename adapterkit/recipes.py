"""Recipes: one readable TOML file that reruns an experiment with one command.

A recipe has settings (top-level keys and tables, referenced as ``${key}`` or ``${table.key}``)
and an ordered list of steps. Each step is an adapterkit command line written as a table:

    [[steps]]
    id = "pretrain-nl-clin"
    run = "pretrain"                    # the command
    args = { corpus = ["${data}/nl-clin.txt"], name = "nl-clin", max_steps = "${steps}" }

``args`` keys are the command's options (``max_steps`` is ``--max-steps``; lists repeat the
option; ``true`` is a flag; ``_`` holds the positional arguments). So a step does exactly what
the same command typed by hand does, with the same checks and defaults.

``adapterkit run RECIPE key=value ...`` overrides settings by dotted key (``base=./my-mbert
task.folds=5``): unknown keys and values of the wrong type are refused. ``--smoke`` applies
the recipe's ``[smoke]`` table first (the small scale that runs on the embedded model in
minutes). A finished step is recorded in ``runs/<recipe>/steps/<id>.json`` with a hash of its
command line and of the files it reads; a rerun skips it while both are unchanged. Once a step
runs, all later steps run too, since they may read its output.

A step with ``foreach = "bases"`` (a list setting, or a table of names) is repeated for each item,
in order: inside it ``${each}`` is the item, ``${each_value}`` a table's value, ``${each_slug}``
a name safe for files and models (``dmis-lab/biobert-v1.1`` -> ``biobert-v1.1``, ``es=data/es`` ->
``es``), ``${each_path}`` the path of a ``LANG=PATH`` item; the copies' ids are ``<id>-<slug>``.
``foreach = { track = "tracks", part = "data.target" }`` repeats it for every combination with
``${track}``, ``${part_slug}``... Study B runs its variants on each base of ``bases`` this way,
study C each track and language. ``when = "monolingual"`` keeps a step only while that true/false
setting is true (``when = ["parts.spanish", "parts.pharmaconer"]``: all of them). A reference may
name a setting through a bound name: ``${data.stage_one.${track}}``. A setting that is an empty
string, named alone inside a list, adds nothing to it: an optional variant. ``--only``, ``--from``
and ``--skip`` choose steps, and every input is checked before the first runs (``recipe_checks``).

Steps never carry ``force`` (a recipe refuses it): an adapter or model of the same name that
exists already, for instance one trained by hand, is not replaced, and the step fails saying
so. ``adapterkit run RECIPE --force`` reruns every step and passes ``--force`` on to each
command that has it. Without it, a step that this recipe's run folder records as finished
before (so the recipe wrote its output itself) gets ``--force`` when its inputs changed and it
runs again: a recipe replaces its own results, never anything else.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

from . import invocation
from .errors import AdapterkitError, printable
from .manifest import COMMANDS, RECIPE, RECIPE_FIX, STEP_RECORD, read_checked, validate
from .paths import STANDIN_CORPORA_DIR, shared_data_dir
from .recipe_files import RECIPES_DIR, copy_recipe, list_recipes, recipe_path  # noqa: F401 (re-exported)
from .recipe_settings import REFERENCE as REFERENCE
from .recipe_settings import lookup as _lookup
from .recipe_settings import substitute as _substitute
from .registry import check_name, check_writable
from .safety import (
    atomic_write_json,
    atomic_write_text,
    on_interrupt,
    write_marker,
)

RESERVED = ("steps", "smoke", "name", "description", "recovery", "paper", "per_language", "test_set", "stated")
SLUG = re.compile(r"[^a-z0-9._+-]+")


def load_recipe(path: Path) -> dict:
    try:
        recipe = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise AdapterkitError(f"{path}: not valid TOML ({error})") from None
    except UnicodeDecodeError:
        raise AdapterkitError(f"{path}: not UTF-8 text") from None
    steps = recipe.get("steps")
    if not isinstance(steps, list) or not steps:
        raise AdapterkitError(f"{path}: a recipe needs [[steps]]")
    seen = set()
    for number, step in enumerate(steps, start=1):
        where = f"{path}: step {number}"
        if not isinstance(step, dict) or not isinstance(step.get("id"), str) or not step.get("id"):
            raise AdapterkitError(f"{where}: every step needs an id")
        # The id names the step's record file (runs/<recipe>/steps/<id>.json): a name, not a path.
        check_name(step["id"], f"{where}: id")
        if step["id"] in seen:
            raise AdapterkitError(f"{where}: id {step['id']!r} is used twice")
        seen.add(step["id"])
        if step.get("run") not in COMMANDS:
            raise AdapterkitError(
                f"{where} ({step['id']}): run = {step.get('run')!r}; use one of {', '.join(COMMANDS)}"
            )
        unknown = set(step) - {"id", "run", "args", "about", "foreach", "when"}
        if unknown:
            raise AdapterkitError(f"{where} ({step['id']}): unknown key(s) {', '.join(sorted(unknown))}")
        foreach = step.get("foreach", "")
        if (
            not isinstance(foreach, str | dict)
            or isinstance(foreach, dict)
            and not all(isinstance(v, str) for v in foreach.values())
        ):
            raise AdapterkitError(
                f'{where} ({step["id"]}): foreach names a list setting (foreach = "bases") or binds several '
                '(foreach = { track = "tracks", part = "data.target" })'
            )
        if isinstance(step.get("args"), dict) and "force" in step["args"]:
            raise AdapterkitError(
                f"{where} ({step['id']}): remove force from args; a recipe never replaces results by itself "
                "(run it with `adapterkit run RECIPE --force` to replace them)"
            )
    if "name" in recipe:  # names the run folder runs/<name>: a name, not a path
        check_name(recipe["name"], f"{path}: name =")
    validate(recipe, RECIPE, path, RECIPE_FIX)  # every other field's type (args, smoke, recovery, ...)
    return recipe


def run_name(path: Path, recipe: dict) -> str:
    """The recipe's run folder name: its ``name``, else the file's stem (both must be plain names)."""
    if "name" in recipe:
        return check_name(recipe["name"], f"{path}: name =")
    return check_name(path.stem, f'{path}: the file name (set name = "..." in the recipe)')


def _parse_value(text: str):
    """A command-line value as TOML would read it (5, 0.1, true, [..]); otherwise the string."""
    try:
        return tomllib.loads(f"value = {text}")["value"]
    except tomllib.TOMLDecodeError:
        return text


def apply_overrides(recipe: dict, overrides: list[str], source: str = "override") -> None:
    """Set ``key=value`` settings in place; refuse unknown keys and values of another type."""
    for override in overrides:
        key, sep, text = override.partition("=")
        if not sep or not key:
            raise AdapterkitError(f"{source} {override!r}: write key=value, e.g. task.folds=5")
        *parents, leaf = key.split(".")
        table = recipe
        for part in parents:
            table = table.get(part) if isinstance(table, dict) else None
            if not isinstance(table, dict):
                raise AdapterkitError(f"{source} {key}: the recipe has no table {part!r}")
        if parents == [] and leaf in RESERVED or leaf not in table:
            known = ", ".join(sorted(_setting_keys(recipe)))
            raise AdapterkitError(f"{source} {key}: not a setting of this recipe (settings: {known})")
        value = _parse_value(text)
        current = table[leaf]
        if isinstance(current, bool) != isinstance(value, bool) or (
            not isinstance(current, bool) and not _same_type(current, value)
        ):
            raise AdapterkitError(
                f"{source} {key}={text}: expected a {type(current).__name__} like {current!r}, "
                f"got {type(value).__name__}"
            )
        table[leaf] = float(value) if isinstance(current, float) and isinstance(value, int) else value


def _same_type(current, value) -> bool:
    if isinstance(current, float):
        return isinstance(value, int | float) and not isinstance(value, bool)
    return isinstance(value, type(current))


def _setting_keys(recipe: dict, prefix: str = "") -> list[str]:
    keys = []
    for key, value in recipe.items():
        if not prefix and key in RESERVED:
            continue
        if isinstance(value, dict):
            keys += _setting_keys(value, f"{prefix}{key}.")
        else:
            keys.append(prefix + key)
    return keys


def slug(item: str) -> str:
    """A name for file and model names: the part name of ``LANG=PATH``, else the last path part;
    lower-cased, runs of other characters than a-z 0-9 . _ + - as one -."""
    part, sep, _ = item.partition("=")
    name = part if sep and "/" not in part else item.rstrip("/").rsplit("/", 1)[-1]
    name = SLUG.sub("-", name.lower()).strip("-.")
    if not name:
        raise AdapterkitError(f"foreach item {item!r}: gives no name; use a hub id or folder name with letters")
    return name


def _path(item: str) -> str:
    """The path of a ``LANG=PATH`` item (the item itself without a part name)."""
    part, sep, path = item.partition("=")
    return path if sep and "/" not in part else item


def _items(recipe: dict, setting: str, step_id: str) -> list[tuple[str, str]]:
    """(item, value) pairs of a list setting (item = value) or a table of strings (item = key)."""
    found = _lookup(recipe, setting, step_id)
    if isinstance(found, dict) and found and all(isinstance(v, str) and v for v in found.values()):
        return list(found.items())
    if isinstance(found, list) and found and all(isinstance(i, str) and i for i in found):
        return [(item, item) for item in found]
    raise AdapterkitError(
        f"step {step_id}: foreach names {setting!r}, which must be a non-empty list of names "
        f'(e.g. {setting}=\'["bert-base-multilingual-cased"]\') or a table of names (name = "TYPES")'
    )


def switched_off(recipe: dict, step: dict) -> list[str]:
    """The true/false settings of the step's ``when`` (one name or a list: all must be true) that are false."""
    names = step.get("when", [])
    off = []
    for name in [names] if isinstance(names, str) else names:
        flag = _lookup(recipe, name, step["id"])
        if not isinstance(flag, bool):
            raise AdapterkitError(f"step {step['id']}: when = {name!r} must name a true/false setting")
        off += [] if flag else [name]
    return off


def expand_steps(recipe: dict) -> list[dict]:
    """The steps, without those whose ``when`` setting is false, every ``foreach`` step repeated.

    ``foreach = "bases"`` binds ``${each}``, ``${each_slug}`` and ``${each_value}`` (a table's value)
    per item; ``foreach = { track = "tracks", part = "data.target" }`` binds ``${track}``,
    ``${track_slug}``, ``${track_value}``, ``${part}``... for every combination, in order. The copy's
    id is ``<id>-<slug>[-<slug>...]``; ``_each`` holds its bindings.
    """
    steps, seen = [], set()
    for step in recipe["steps"]:
        if switched_off(recipe, step):
            continue
        if "foreach" not in step:
            copies = [step]
        else:
            loops = step["foreach"] if isinstance(step["foreach"], dict) else {"each": step["foreach"]}
            clash = [name for name in loops if name in recipe]
            if clash:
                raise AdapterkitError(f"step {step['id']}: foreach name {clash[0]!r} is also a setting; rename it")
            combinations: list[dict] = [{}]
            for name, setting in loops.items():
                combinations = [
                    {
                        **bound,
                        name: item,
                        f"{name}_slug": slug(item),
                        f"{name}_value": value,
                        f"{name}_path": _path(value),
                    }
                    for bound in combinations
                    for item, value in _items(recipe, setting, step["id"])
                ]
            copies = [
                {
                    **step,
                    "id": "-".join([step["id"], *(bound[f"{name}_slug"] for name in loops)]),
                    "_each": bound,
                    "_template": step["id"],
                }
                for bound in combinations
            ]
        for copy in copies:
            if copy["id"] in seen:
                raise AdapterkitError(f"step {copy['id']}: id used twice (two foreach items with the same name?)")
            seen.add(copy["id"])
        steps += copies
    return steps


def step_arguments(step: dict, recipe: dict) -> dict:
    """A step's ``args`` with every setting substituted (``_``: the positional values)."""
    if "_each" in step:  # a foreach copy: ${each}, ${each_slug} ... name its item(s)
        recipe = {**recipe, **step["_each"]}
    return {key: _substitute(value, recipe, step["id"]) for key, value in step.get("args", {}).items()}


def command_line(step: dict, recipe: dict) -> list[str]:
    """The argv of a step: its command, options from ``args``, then positional ``_`` values."""
    argv = step["run"].split()  # "vocab extend" / "vocab build": a command with a sub-command
    args = step_arguments(step, recipe)
    positional = args.pop("_", [])
    for key, value in args.items():
        option = "--" + key.replace("_", "-")
        if isinstance(value, bool):
            if value:
                argv.append(option)
        elif isinstance(value, list):
            for item in value:
                argv += [option, str(item)]
        else:
            argv += [option, str(value)]
    return argv + [str(item) for item in (positional if isinstance(positional, list) else [positional])]


def _fingerprint(argv: list[str]) -> str:
    """Hash of a command line and of every existing file or folder it names."""
    digest = hashlib.sha256(json.dumps(argv).encode())
    for item in argv:
        path = Path(item)
        if item.startswith("-") or not path.exists():
            continue
        files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
        for file in files[:10000]:
            digest.update(str(file).encode())
            digest.update(hashlib.sha256(file.read_bytes()).digest() if file.stat().st_size < 2**28 else b"large")
    return digest.hexdigest()


def builtin_settings() -> dict:
    """Locations recipes may use: ``${standin}``, ``${tasks}`` (shipped data) and ``${shared}``."""
    return {
        "standin": str(STANDIN_CORPORA_DIR),
        "tasks": str(STANDIN_CORPORA_DIR.parent / "tasks"),
        "shared": str(shared_data_dir()),
    }


def resolve_recipe(name: str, overrides: list[str], smoke: bool = False) -> tuple[Path, dict, list]:
    """The recipe file, its settings after ``[smoke]`` and ``overrides``, and its plan: (step, argv) pairs."""
    path = recipe_path(name)
    recipe = load_recipe(path)
    if smoke:
        smoke_overrides = recipe.get("smoke", {})
        if not smoke_overrides:
            raise AdapterkitError(f"{path}: this recipe has no [smoke] scale")
        flat = _flatten(smoke_overrides)
        settings = [f"{key}={json.dumps(value, default=str)}" for key, value in flat.items()]
        apply_overrides(recipe, settings, f"{path} [smoke]")
    apply_overrides(recipe, overrides)
    for key, value in builtin_settings().items():
        recipe.setdefault(key, value)
    return path, recipe, [(step, command_line(step, recipe)) for step in expand_steps(recipe)]


@dataclass
class RecipeRun:
    """A recipe run: its file, settings (overrides applied), plan of (step, argv) and each step's outcome.

    What the recipe's report is written from (``report.recipe.write_recipe_report``).
    """

    path: Path
    recipe: dict
    plan: list[tuple[dict, list[str]]]
    run_dir: Path
    status: dict[str, str] = field(default_factory=dict)  # step id -> "ran" / "skipped (...)"


def run_recipe(
    name: str,
    overrides: list[str],
    smoke: bool = False,
    force: bool = False,
    dry_run: bool = False,
    *,
    run_step: Callable[[list[str]], int],
    accepts_force: Callable[[list[str]], bool],
    only: list[str] | None = None,
    start: str | None = None,
    skip: list[str] | None = None,
) -> RecipeRun:
    """Run (or, with ``dry_run``, print) every step; skip steps recorded as done with the same inputs.

    ``run_step`` runs one step's command line exactly as typed (the CLI's ``main``: the same
    parsing, one-line errors and summary line) and returns its exit code; ``accepts_force`` says
    whether a command line's command has ``--force``. The CLI passes both, built from its app: a
    recipe needs the commands, and the commands' app needs no recipe.

    ``only``, ``start`` and ``skip`` choose the steps (``recipe_checks.choose``); before the first
    runs, every input of every chosen step is checked and all problems listed (``recipe_checks``).
    """
    from .recipe_checks import check_inputs, choose, show_plan, switched_off_steps

    path, recipe, plan = resolve_recipe(name, overrides, smoke)
    run_dir = Path("runs") / run_name(path, recipe)
    steps_dir = run_dir / "steps"
    done = RecipeRun(path, recipe, plan, run_dir)
    choice = choose(plan, switched_off_steps(recipe, expand_steps, switched_off), only, start, skip)
    done.status.update({step_id: f"not run: {why}" for step_id, why in choice.left})
    if dry_run:
        forced = {step["id"]: " --force" for step, argv in choice.run if force and accepts_force(argv)}
        unchanged = [
            not force and _recorded_inputs(steps_dir / f"{s['id']}.json", s["id"]) == _fingerprint(a)
            for s, a in choice.run
        ]
        show_plan(path.stem, recipe, choice, forced, step_arguments, unchanged)
        return done
    check_inputs(path.stem, choice.run, recipe, step_arguments)
    plan = choice.run
    check_writable(run_dir, "recipe run folder")
    write_marker(run_dir, "recipe-run")
    steps_dir.mkdir(parents=True, exist_ok=True)
    atomic_write_text(run_dir / "recipe.toml", path.read_text(encoding="utf-8"))
    atomic_write_text(run_dir / "command.txt", invocation.command_line() + "\n")
    upstream_ran = False  # once a step runs, every later step runs: it may read what that step wrote
    status = done.status
    for number, (step, argv) in enumerate(plan, start=1):
        record_file = steps_dir / f"{step['id']}.json"
        fingerprint = _fingerprint(argv)
        recorded = _recorded_inputs(record_file, f"[{number}/{len(plan)}] {step['id']}")
        if not force and not upstream_ran and recorded == fingerprint:
            print(f"== [{number}/{len(plan)}] {step['id']}: done earlier with the same inputs, skipped", flush=True)
            status[step["id"]] = "skipped (done earlier, same inputs)"
            continue
        # --force: asked for, or this step's own earlier result (it has a record here, even a damaged
        # one) is what it replaces; the --force guard still refuses anything adapterkit did not write
        forced = (force or record_file.is_file()) and accepts_force(argv)
        command = [*argv, "--force"] if forced else argv
        print(printable(f"== [{number}/{len(plan)}] {step['id']}: adapterkit {' '.join(command)}"), flush=True)
        upstream_ran = True
        # A ctrl-C inside the step propagates (the CLI's main, as run_step, re-raises it when nested):
        # no record is written, so the rerun runs this step again.
        rerun = f"rerunning the recipe runs step {step['id']} ({number}/{len(plan)}) again; earlier steps are skipped"
        with on_interrupt(lambda rerun=rerun: rerun):
            code = run_step(command)
        if code != 0:
            raise AdapterkitError(f"recipe {path.stem}: step {step['id']} failed (exit code {code}); fix and rerun")
        record = {
            "id": step["id"],
            "argv": argv,
            # hashed again after the run: files the step wrote under a path it names (an --out,
            # an --output) count as its inputs next time, so an untouched rerun matches
            "inputs": _fingerprint(argv),  # without --force: a later plain run skips the step
            "forced": forced,
            "template": step.get("_template"),  # the foreach step this one is a copy of (report rebuilds)
            "each": step.get("_each"),
            "finished": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        }
        atomic_write_json(record_file, record)  # a kill while writing leaves the old record or none
        status[step["id"]] = "ran"
    return done


def _recorded_inputs(record_file: Path, label: str) -> str | None:
    """The input hash a step's record holds; None (the step runs again) when absent or unreadable.

    A record is written atomically after its step succeeded, so an unreadable or malformed one comes
    from outside (a copy, an editor, a disk error): running the step again is the safe reading.
    """
    if not record_file.is_file():
        return None
    try:
        record = read_step_record(record_file)
    except AdapterkitError as error:
        print(f"== {label}: {error}, so the step runs again", flush=True)
        return None
    return record.get("inputs")


def read_step_record(file: Path) -> dict:
    """A step record ``runs/<recipe>/steps/<id>.json``, checked (a damaged one is one line, not a traceback)."""
    return read_checked(file, STEP_RECORD, "delete it (the step then runs again) or rerun with --force")


def _flatten(table: dict, prefix: str = "") -> dict:
    flat = {}
    for key, value in table.items():
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{prefix}{key}."))
        else:
            flat[prefix + key] = value
    return flat
