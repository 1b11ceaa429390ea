"""Everything read from outside is validated: a wrong adapterkit.json, adapter_config.json, safetensors
file, recipe, comparison.json, step record or Hub answer is one line naming the file and the field
(exit code 2), never a traceback.

The catalogue (``CASES``) breaks one thing per case in a registry of two tiny adapters and runs the
command that reads it; the hypothesis tests throw random wrong types and values at the same files
and accept only exit code 0 or 2 with nothing escaping ``main``.
"""

from __future__ import annotations

import copy
import hashlib
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from safetensors.torch import load_file, save_file
from test_hub import TOKEN, FakeHub

from adapterkit.cli import main
from adapterkit.manifest import SCHEMA_VERSION, AdapterConfig, AdapterManifest, check_manifest
from adapterkit.registry import MANIFEST, file_sha256

WEIGHTS = "adapter_model.safetensors"
CONFIG = "adapter_config.json"
QUERY_A = "base_model.model.bert.encoder.layer.0.attention.self.query.lora_A.weight"
QUERY_B = "base_model.model.bert.encoder.layer.0.attention.self.query.lora_B.weight"

# --------------------------------------------------------------------------------------------- helpers


def _set(data: dict, dotted: str, value) -> None:
    *parents, leaf = dotted.split(".")
    for part in parents:
        data = data[int(part)] if isinstance(data, list) else data.setdefault(part, {})
    if value is _DELETE:
        data.pop(leaf, None)
    else:
        data[int(leaf) if isinstance(data, list) else leaf] = value


_DELETE = object()


def _edit_json(file: Path, changes: dict) -> None:
    data = json.loads(file.read_text())
    for dotted, value in changes.items():
        _set(data, dotted, value)
    file.write_text(json.dumps(data))


def manifest(**changes) -> Callable[[Path], None]:
    """Change fields of adapters/a/adapterkit.json (dotted keys; _DELETE removes)."""
    return lambda root: _edit_json(
        root / "adapters" / "a" / MANIFEST, {k.replace("__", "."): v for k, v in changes.items()}
    )


def config(**changes) -> Callable[[Path], None]:
    return lambda root: _edit_json(root / "adapters" / "a" / CONFIG, changes)


def raw(relative: str, content: bytes) -> Callable[[Path], None]:
    def write(root: Path) -> None:
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_bytes(content)

    return write


def tensors(change: Callable[[dict], None]) -> Callable[[Path], None]:
    """Rewrite adapters/a's safetensors and record the new sha256: consistent hashes, tensors that do not fit."""

    def apply(root: Path) -> None:
        folder = root / "adapters" / "a"
        state = load_file(folder / WEIGHTS)
        change(state)
        save_file(state, str(folder / WEIGHTS))
        _edit_json(folder / MANIFEST, {"sha256": {WEIGHTS: file_sha256(folder / WEIGHTS)}})

    return apply


def _widen(state: dict) -> None:
    state[QUERY_A] = torch.zeros(16, 64)  # the base's query layer is 32 -> 32


def _rename(state: dict) -> None:
    state[QUERY_A.replace("layer.0", "layer.7")] = state.pop(QUERY_A)
    state[QUERY_B.replace("layer.0", "layer.7")] = state.pop(QUERY_B)


def _orphan(state: dict) -> None:
    del state[QUERY_B]


def _three_d(state: dict) -> None:
    state[QUERY_A] = torch.zeros(16, 32, 1)


def _rank(state: dict) -> None:
    state[QUERY_A] = torch.zeros(8, 32)
    state[QUERY_B] = torch.zeros(32, 8)


RECIPE_OK = '[task]\nfolds = 2\n\n[[steps]]\nid = "a"\nrun = "cv"\nargs = { folds = "${task.folds}" }\n'


def recipe(text: str, name: str = "r.toml") -> Callable[[Path], None]:
    return raw(name, text.encode())


def _comparison() -> dict:
    summary = {"mean": 0.5, "sd": 0.1, "n": 2, "values": [0.4, 0.6], "ci_low": None, "ci_high": None}
    test = {"variant": "a", "metric": "f1", "n": 2, "difference": 0.1, "ci_low": 0.0, "ci_high": 0.2}
    return {
        "baseline": "base",
        "variants": ["base", "a"],
        "metrics": ["f1"],
        "n_folds": 2,
        "summary": {"base": {"f1": summary}, "a": {"f1": dict(summary)}},
        "tests": [{**test, "p": 0.5, "p_adjusted": 0.5}],
        "per_type_metric": None,
        "per_type": {},
    }


def comparison(**changes) -> Callable[[Path], None]:
    def write(root: Path) -> None:
        data = _comparison()
        for dotted, value in changes.items():
            _set(data, dotted.replace("__", "."), value)
        (root / "cmp").mkdir(exist_ok=True)
        (root / "cmp" / "comparison.json").write_text(json.dumps(data))

    return write


def step_record(data) -> Callable[[Path], None]:
    def write(root: Path) -> None:
        (root / "rec" / "steps").mkdir(parents=True, exist_ok=True)
        (root / "rec" / "recipe.toml").write_text(RECIPE_OK)
        text = data if isinstance(data, str) else json.dumps(data)
        (root / "rec" / "steps" / "a.json").write_text(text)

    return write


PUSH = "push a --repo me/a --output up"

# id: (change, command line, substring of the one-line message)
CASES: dict[str, tuple[Callable[[Path], None], str, str]] = {
    # --- adapterkit.json: types
    "manifest: languages is a number": (manifest(languages=3), "compose a b", "field 'languages': expected a list"),
    "manifest: a language is a number": (manifest(languages=[1]), "adapters list", "field 'languages[0]'"),
    "manifest: base is a string": (manifest(base="bert"), "compose a b", "field 'base': expected a table/object"),
    "manifest: base missing": (manifest(base=_DELETE), "adapters show a", "field 'base': missing"),
    "manifest: base id a number": (manifest(base__id=5), "eval-mlm a --corpus c.txt", "field 'base.id'"),
    "manifest: base id empty": (manifest(base__id=""), "compose a b", "field 'base.id': expected a non-empty"),
    "manifest: fingerprint a list": (manifest(base__fingerprint=[1]), "compose a b", "field 'base.fingerprint'"),
    "manifest: mlm_head unknown": (manifest(base__mlm_head="maybe"), "adapters list", "field 'base.mlm_head'"),
    "manifest: sha256 a list": (manifest(sha256=["x"]), "adapters verify a", "field 'sha256'"),
    "manifest: sha256 digest a number": (manifest(sha256={WEIGHTS: 5}), "adapters verify a", "field 'sha256."),
    "manifest: sha256 not hex": (manifest(sha256={WEIGHTS: "zz"}), "compose a b", "field 'sha256."),
    "manifest: kind a number": (manifest(kind=7), "adapters list", "field 'kind': expected one of"),
    "manifest: kind unknown": (manifest(kind="weird"), "adapters show a", "field 'kind'"),
    "manifest: kind missing": (manifest(kind=_DELETE), "adapters show a", "field 'kind': missing"),
    "manifest: name a number": (manifest(name=5), "adapters show a", "field 'name': expected a name"),
    "manifest: name a path": (manifest(name="../../x"), "adapters list", "field 'name'"),
    "manifest: name with a newline": (manifest(name="a\n"), "compose a b", "field 'name'"),
    "manifest: name missing": (manifest(name=_DELETE), "adapters show a", "field 'name': missing"),
    "manifest: domain a list": (manifest(domain=["x"]), "adapters list", "field 'domain'"),
    "manifest: hyperparameters a string": (manifest(hyperparameters="x"), "adapters list", "field 'hyperparameters'"),
    "manifest: lora_r a string": (
        manifest(hyperparameters__lora_r="16"),
        "adapters list",
        "field 'hyperparameters.lora_r': expected an integer",
    ),
    "manifest: lora_r 0": (manifest(hyperparameters__lora_r=0), "adapters list", "an integer >= 1"),
    "manifest: steps negative": (manifest(hyperparameters__steps=-1), "adapters list", "hyperparameters.steps"),
    "manifest: perplexity a string": (
        manifest(perplexity__before="low"),
        "adapters list",
        "field 'perplexity.before': expected a number",
    ),
    "manifest: perplexity a list": (manifest(perplexity=[]), "adapters list", "field 'perplexity'"),
    "manifest: corpus files a table": (manifest(corpus__files={}), PUSH, "field 'corpus.files'"),
    "manifest: cleaning count negative": (
        manifest(corpus__cleaning__lines_read=-1),
        PUSH,
        "field 'corpus.cleaning.lines_read'",
    ),
    "manifest: heldout fraction 2": (manifest(corpus__heldout_fraction=2), PUSH, "corpus.heldout_fraction"),
    "manifest: composition a number": (manifest(composition=3), "compose a b", "field 'composition'"),
    "manifest: schema_version newer": (manifest(schema_version=99), "adapters show a", "newer than this adapterkit"),
    "manifest: schema_version a string": (manifest(schema_version="1"), "adapters show a", "'schema_version'"),
    "manifest: schema_version a boolean": (manifest(schema_version=True), "adapters list", "'schema_version'"),
    "manifest: source a string": (manifest(source="hub"), "adapters show a", "field 'source'"),
    "manifest: versions not strings": (manifest(versions={"adapterkit": 1}), PUSH, "field 'versions.adapterkit'"),
    "manifest: created a number": (manifest(created=5), "adapters list", "field 'created'"),
    "manifest: a list, not an object": (raw("adapters/a/" + MANIFEST, b"[]"), "adapters show a", "a table/object"),
    "manifest: null": (raw("adapters/a/" + MANIFEST, b"null"), "compose a b", "expected a table/object"),
    "manifest: not JSON": (raw("adapters/a/" + MANIFEST, b"{oops"), "adapters show a", "not valid JSON"),
    "manifest: not UTF-8": (raw("adapters/a/" + MANIFEST, b"\xff\xfe{}"), "adapters list", "not UTF-8"),
    # --- adapterkit.json: complete records where a card is written from them
    "push: perplexity missing": (manifest(perplexity__after=_DELETE), PUSH, "field 'perplexity.after': missing"),
    "push: versions missing": (manifest(versions=_DELETE), PUSH, "field 'versions.adapterkit': missing"),
    "push: corpus cleaning missing": (manifest(corpus__cleaning=_DELETE), PUSH, "corpus.cleaning.lines_read"),
    # --- adapter_config.json
    "config: not JSON": (raw("adapters/a/" + CONFIG, b"{r: 16"), "compose a b", "adapter_config.json: not valid JSON"),
    "config: a list": (raw("adapters/a/" + CONFIG, b"[16]"), "compose a b", "adapter_config.json: expected"),
    "config: r a string": (config(r="16"), "compose a b", "field 'r': expected an integer"),
    "config: r 0": (config(r=0), "eval-mlm a --corpus c.txt", "field 'r'"),
    "config: r missing": (config(r=_DELETE), "compose a b", "field 'r': missing"),
    "config: target_modules a number": (config(target_modules=5), "compose a b", "field 'target_modules'"),
    "config: target_modules the base lacks": (
        config(target_modules=["nothing_here"]),
        "compose a b",
        "target_modules ['nothing_here'] names no module of the base",
    ),
    "config: peft_type missing": (config(peft_type=_DELETE), "compose a b", "field 'peft_type': missing"),
    "config: lora_alpha a string": (config(lora_alpha="x"), "compose a b", "field 'lora_alpha'"),
    "config: rank_pattern a list": (config(rank_pattern=[]), "compose a b", "field 'rank_pattern'"),
    "config: use_dora a string": (config(use_dora="yes"), "compose a b", "field 'use_dora'"),
    "config: modules_to_save a string": (config(modules_to_save="cls"), "compose a b", "field 'modules_to_save'"),
    "config: dropout 2": (config(lora_dropout=2), "compose a b", "field 'lora_dropout'"),
    "config: r does not match the tensors": (config(r=8), "compose a b", "adapter_config.json says r=8"),
    "verify: r does not match the tensors": (config(r=8), "adapters verify a", "1 of 1 adapter(s) failed"),
    # --- safetensors against adapter_config.json and the base
    "tensors: reshaped for another layer": (tensors(_widen), "compose a b", "a 64→32 layer, the base's is 32→32"),
    "tensors: reshaped, verify": (tensors(_widen), "adapters verify a", "failed verification"),
    "tensors: reshaped, eval-mlm": (tensors(_widen), "eval-mlm a --corpus c.txt", "the base's is 32→32"),
    "tensors: a module the base lacks": (tensors(_rename), "compose a b", "a module the base does not have"),
    "tensors: A without B": (tensors(_orphan), "compose a b", "has lora_A but no lora_B"),
    "tensors: 3-D": (tensors(_three_d), "compose a b", "must be 2-D"),
    "tensors: another rank": (tensors(_rank), "compose a b", "rank 8/8 in the tensors"),
    # --- recipes
    "recipe: smoke a number": (recipe("smoke = 3\n" + RECIPE_OK), "run r.toml --smoke", "field 'smoke'"),
    "recipe: name a number": (recipe("name = 5\n" + RECIPE_OK), "run r.toml --dry-run", "name = 5: use letters"),
    "recipe: name a path": (recipe('name = "../../x"\n' + RECIPE_OK), "run r.toml", "name = '../../x': use letters"),
    "recipe: name absolute": (recipe('name = "/tmp/x"\n' + RECIPE_OK), "run r.toml", "use letters, digits"),
    "recipe: name with a newline": (recipe('name = "x\\n"\n' + RECIPE_OK), "run r.toml", "use letters, digits"),
    "recipe: step id a path": (
        recipe(RECIPE_OK.replace('id = "a"', 'id = "../../x"')),
        "run r.toml",
        "step 1: id '../../x': use letters",
    ),
    "recipe: step id a number": (recipe(RECIPE_OK.replace('id = "a"', "id = 5")), "run r.toml", "needs an id"),
    "recipe: args a list": (
        recipe(RECIPE_OK.replace('args = { folds = "${task.folds}" }', 'args = ["--help"]')),
        "run r.toml",
        "field 'steps[0].args': expected a table/object",
    ),
    "recipe: args value a table": (
        recipe(RECIPE_OK.replace('args = { folds = "${task.folds}" }', "args = { x = { y = 1 } }")),
        "run r.toml",
        "field 'steps[0].args.x'",
    ),
    "recipe: description a number": (recipe("description = 5\n" + RECIPE_OK), "run r.toml", "field 'description'"),
    "recipe: recovery not pairs": (recipe('recovery = [["a"]]\n' + RECIPE_OK), "run r.toml", "field 'recovery[0]'"),
    "recipe: steps a number": (recipe("steps = 3\n"), "run r.toml", "needs [[steps]]"),
    "recipe: about a number": (
        recipe(RECIPE_OK.replace('run = "cv"', 'run = "cv"\nabout = 5')),
        "run r.toml",
        "field 'steps[0].about'",
    ),
    "recipe: run a number": (recipe(RECIPE_OK.replace('run = "cv"', "run = 5")), "run r.toml", "run = 5"),
    "recipe: file name not a name": (recipe(RECIPE_OK, "my recipe.toml"), "run my?recipe.toml", "the file name"),
    # --- comparison.json
    "comparison: empty object": (raw("cmp/comparison.json", b"{}"), "report cmp", "field 'baseline': missing"),
    "comparison: baseline a number": (comparison(baseline=5), "report cmp", "field 'baseline'"),
    "comparison: variants a string": (comparison(variants="a"), "report cmp", "field 'variants'"),
    "comparison: summary not tables": (comparison(summary__a=3), "report cmp", "field 'summary.a'"),
    "comparison: p a string": (comparison(tests__0__p="x"), "report cmp", "field 'tests[0].p'"),
    "comparison: n_folds 0": (comparison(n_folds=0), "report cmp", "field 'n_folds'"),
    "comparison: baseline not a variant": (comparison(baseline="ghost"), "report cmp", "not one of the variants"),
    "comparison: not JSON": (raw("cmp/comparison.json", b"nope"), "report cmp", "not valid JSON"),
    "comparison: unknown summary field": (
        comparison(summary__a__f1__median=0.5),
        "report cmp",
        "field 'summary.a.f1.median': unknown field",
    ),
    "comparison: per_type a list": (comparison(per_type=[]), "report cmp", "field 'per_type'"),
    "comparison: tests missing": (comparison(tests=_DELETE), "report cmp", "field 'tests': missing"),
    # --- recipe step records
    "step record: not JSON": (step_record("{"), "report rec", "a.json: not valid JSON"),
    "step record: argv a string": (step_record({"argv": "cv"}), "report rec", "field 'argv'"),
    "step record: argv missing": (step_record({"id": "a"}), "report rec", "field 'argv': missing"),
    "step record: a list": (step_record([1]), "report rec", "expected a table/object"),
}


@pytest.fixture(scope="module")
def pristine(tiny_adapters, tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("schema")
    shutil.copytree(tiny_adapters, root / "adapters")
    (root / "c.txt").write_text("De patiënt heeft koorts.\nGeen klachten.\n" * 20, encoding="utf-8")
    return root


@pytest.fixture
def world(pristine, workdir) -> Path:
    shutil.copytree(pristine, workdir, dirs_exist_ok=True)
    return workdir


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_a_wrong_file_is_one_line_naming_the_file_and_field(case, world, capsys):
    change, command, expected = CASES[case]
    change(world)
    argv = [part.replace("?", " ") for part in command.split()]
    capsys.readouterr()
    code = main(argv)
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2, err
    assert len(err) == 1 and err[0].startswith("error: "), err
    assert expected in err[0], err[0]


def test_the_unchanged_files_work(world, capsys):
    """The control: every command of the catalogue succeeds on the files before they are broken."""
    comparison()(world)
    step_record({"id": "a", "argv": ["cv", "--folds", "2"], "inputs": "x", "finished": "now"})(world)
    for command in ("adapters list", "adapters show a", "adapters verify a", PUSH, "report cmp", "report rec"):
        assert main(command.split()) == 0, (command, capsys.readouterr().err)


def test_the_catalogues_reach_120_cases():
    from test_bad_input import CASES as BAD_INPUT

    assert len(CASES) >= 60
    assert len(CASES) + len(BAD_INPUT) >= 120


# --------------------------------------------------------------------------------------------- the Hub


@pytest.fixture
def hub(monkeypatch) -> FakeHub:
    """test_hub's local Hub on 127.0.0.1; huggingface_hub talks to it online."""
    from huggingface_hub import constants

    server = FakeHub()
    monkeypatch.setenv("HF_ENDPOINT", server.url)
    monkeypatch.setenv("HF_TOKEN", TOKEN)
    monkeypatch.setenv("HF_HUB_OFFLINE", "0")
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
    monkeypatch.setattr(constants, "HF_HUB_DISABLE_XET", True)
    yield server
    server.close()


def _hub_repo(world: Path, hub, repo: str, manifest_change=None, config_change=None) -> None:
    files = {name: (world / "adapters" / "a" / name).read_bytes() for name in (CONFIG, WEIGHTS, MANIFEST)}
    if config_change is not None:
        data = json.loads(files[CONFIG])
        config_change(data)
        files[CONFIG] = json.dumps(data).encode()
    data = json.loads(files[MANIFEST])
    # as push shares it: the sha256 of every file but the manifest and card (so only the field under test is wrong)
    data["sha256"] = {name: hashlib.sha256(files[name]).hexdigest() for name in (CONFIG, WEIGHTS)}
    if manifest_change is not None:
        manifest_change(data)
    files[MANIFEST] = json.dumps(data).encode()
    hub.commit(repo, files)


PULL_CASES = {
    "pulled manifest: languages a number": (lambda m: m.update(languages=3), None, "field 'languages'"),
    "pulled manifest: base a string": (lambda m: m.update(base="x"), None, "field 'base'"),
    "pulled manifest: sha256 a list": (lambda m: m.update(sha256=[1]), None, "field 'sha256'"),
    "pulled manifest: perplexity missing": (lambda m: m.pop("perplexity"), None, "field 'perplexity.before': missing"),
    "pulled config: r a string": (None, lambda c: c.update(r="x"), "adapter_config.json: field 'r'"),
    "pulled config: target_modules a number": (None, lambda c: c.update(target_modules=5), "'target_modules'"),
    "pulled config: r does not match the tensors": (None, lambda c: c.update(r=4), "adapter_config.json says r=4"),
}


@pytest.mark.parametrize("case", PULL_CASES, ids=list(PULL_CASES))
def test_a_pulled_repo_with_wrong_fields_is_refused_in_one_line(case, world, hub, capsys):
    change_manifest, change_config, expected = PULL_CASES[case]
    _hub_repo(world, hub, "team/bad", change_manifest, change_config)
    before = sorted(p.name for p in (world / "adapters").iterdir())
    assert main(["pull", "team/bad", "--registry", str(world / "adapters")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and expected in err[0], err
    assert sorted(p.name for p in (world / "adapters").iterdir()) == before


def test_a_hub_answering_html_is_one_line(world, monkeypatch, capsys):
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from huggingface_hub import constants

    class Portal(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # a captive portal or proxy login page
            body = b"<html><body>Please log in</body></html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Portal)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{server.server_address[1]}")
        monkeypatch.setenv("HF_HUB_OFFLINE", "0")
        monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
        assert main(["pull", "team/x", "--registry", str(world / "adapters")]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and "not JSON (an HTML page?)" in err[0], err
    finally:
        server.shutdown()
        server.server_close()


# --------------------------------------------------------------------------------------------- schema_version


def test_manifests_written_now_carry_the_schema_version_and_old_ones_still_read(world, capsys):
    data = json.loads((world / "adapters" / "a" / MANIFEST).read_text())
    assert data["schema_version"] == SCHEMA_VERSION
    del data["schema_version"]
    (world / "adapters" / "a" / MANIFEST).write_text(json.dumps(data))
    assert main(["adapters", "show", "a"]) == 0
    parsed = AdapterManifest.from_dict(data, "x")
    assert parsed.schema_version == 1 and parsed.base.id == data["base"]["id"]
    assert AdapterManifest.from_dict(parsed.to_dict(), "x") == parsed


def test_adapter_config_round_trips_and_knows_peft_rank_and_target_rules():
    rank_pattern = {"layer.1.attention.self.query": 4}
    config = AdapterConfig.from_dict(
        {"peft_type": "LORA", "r": 8, "target_modules": ["query", "value"], "rank_pattern": rank_pattern}, "c"
    )
    assert config.rank("bert.encoder.layer.0.attention.self.query") == 8
    assert config.rank("bert.encoder.layer.1.attention.self.query") == 4
    assert config.targets("bert.encoder.layer.0.attention.self.value")
    assert not config.targets("bert.encoder.layer.0.attention.self.key")
    assert AdapterConfig.from_dict(config.to_dict(), "c") == config


# --------------------------------------------------------------------------------------------- hypothesis

FUZZ = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
WRONG = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 10**6),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(["", "../x", "a\n", "\x1b[31m", "LORA", "lora", "query", "new"]),
    st.lists(st.one_of(st.integers(-1, 3), st.text(max_size=4)), max_size=3),
    st.dictionaries(st.text(max_size=4), st.one_of(st.integers(), st.text(max_size=4)), max_size=3),
)


def _paths(data, prefix: str = "") -> list[str]:
    """Every dotted path into the JSON (tables only; list items by index)."""
    found = []
    items = data.items() if isinstance(data, dict) else enumerate(data) if isinstance(data, list) else []
    for key, value in items:
        path = f"{prefix}{key}"
        found.append(path)
        if isinstance(value, dict | list) and len(found) < 400:
            found += _paths(value, path + ".")
    return found


@st.composite
def mutations(draw, original: dict) -> list[tuple[str, object]]:
    paths = _paths(original)
    count = draw(st.integers(1, 3))
    return [(draw(st.sampled_from(paths)), draw(WRONG | st.just(_DELETE))) for _ in range(count)]


def _mutate(data: dict, changes) -> dict:
    data = copy.deepcopy(data)
    for dotted, value in changes:
        try:
            _set(data, dotted, value)
        except (KeyError, IndexError, TypeError, ValueError):
            continue  # an earlier change replaced a parent: nothing left to change there
    return data


def _run_all(commands: list[list[str]], capsys) -> None:
    for argv in commands:
        capsys.readouterr()
        code = main(argv)  # an exception escaping here fails the test with its traceback
        err = capsys.readouterr().err.strip().splitlines()
        assert code in (0, 2), (argv, code, err)
        if code == 2:
            assert len(err) == 1 and err[0].startswith("error: "), (argv, err)


def test_random_wrong_manifests_end_in_one_line_or_work(world, capsys):
    file = world / "adapters" / "a" / MANIFEST
    original = json.loads(file.read_text())

    @FUZZ
    @given(mutations(original))
    def check(changes) -> None:
        file.write_text(json.dumps(_mutate(original, changes)))
        shutil.rmtree(world / "up", ignore_errors=True)
        _run_all([["adapters", "list"], ["adapters", "show", "a"], ["adapters", "verify", "a"], PUSH.split()], capsys)

    check()


def test_random_wrong_manifests_do_not_crash_compose(world, capsys):
    file = world / "adapters" / "a" / MANIFEST
    original = json.loads(file.read_text())

    @settings(FUZZ, max_examples=10)
    @given(mutations(original))
    def check(changes) -> None:
        file.write_text(json.dumps(_mutate(original, changes)))
        _run_all([["compose", "a", "b", "--name", "ab", "--force"]], capsys)

    check()


def test_random_wrong_adapter_configs_end_in_one_line_or_work(world, capsys):
    file = world / "adapters" / "a" / CONFIG
    original = json.loads(file.read_text())

    @settings(FUZZ, max_examples=15)
    @given(mutations(original))
    def check(changes) -> None:
        file.write_text(json.dumps(_mutate(original, changes)))
        _run_all([["adapters", "verify", "a"], ["compose", "a", "b", "--name", "ab", "--force"]], capsys)

    check()


RECIPE_KEYS = ["name", "description", "smoke", "recovery", "steps", "x", "task"]
STEP_KEYS = ["id", "run", "args", "about", "argz"]


def _toml_value(value) -> str:
    return (
        json.dumps(value, ensure_ascii=False)
        if not isinstance(value, dict)
        else ("{ " + ", ".join(f"{json.dumps(str(k))} = {_toml_value(v)}" for k, v in value.items()) + " }")
    )


TOML_WRONG = st.one_of(
    st.booleans(),
    st.integers(-3, 100),
    st.floats(-1e3, 1e3, allow_nan=False),
    st.text(max_size=10),
    st.sampled_from(["../x", "/tmp/x", "a\n", "cv", "pretrain", "--help", "${task.folds}", "${nope}"]),
    st.lists(st.one_of(st.integers(0, 3), st.text(max_size=4)), max_size=3),
    st.dictionaries(st.sampled_from(["folds", "_", "x", "help"]), st.one_of(st.integers(0, 3), st.text(max_size=4))),
)


@st.composite
def recipe_texts(draw) -> str:
    top = {"task": {"folds": 2}}
    for key in draw(st.lists(st.sampled_from(RECIPE_KEYS[:4] + ["x"]), max_size=2, unique=True)):
        top[key] = draw(TOML_WRONG)
    step = {"id": "a", "run": "cv", "args": {"folds": "${task.folds}"}}
    for key in draw(st.lists(st.sampled_from(STEP_KEYS), max_size=2, unique=True)):
        step[key] = draw(TOML_WRONG)
    lines = [f"{json.dumps(str(k))} = {_toml_value(v)}" for k, v in top.items() if not isinstance(v, dict)]
    for key, value in top.items():
        if isinstance(value, dict):
            lines += [f"[{json.dumps(str(key))}]"] + [
                f"{json.dumps(str(k))} = {_toml_value(v)}" for k, v in value.items()
            ]
    lines += ["[[steps]]"] + [f"{json.dumps(str(k))} = {_toml_value(v)}" for k, v in step.items()]
    return "\n".join(lines) + "\n"


def test_random_wrong_recipes_end_in_one_line_or_work(world, capsys):
    file = world / "r.toml"

    @settings(FUZZ, max_examples=40)
    @given(recipe_texts(), st.booleans())
    def check(text, smoke) -> None:
        file.write_text(text, encoding="utf-8")
        _run_all([["run", str(file), "--dry-run", *(["--smoke"] if smoke else [])]], capsys)

    check()


def test_check_manifest_accepts_what_adapterkit_writes(world):
    for name in ("a", "b"):
        data = json.loads((world / "adapters" / name / MANIFEST).read_text())
        assert check_manifest(data, name, complete=True) is data
