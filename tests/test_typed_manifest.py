"""Manifests are read through the typed ``AdapterManifest``; run files through their schemas.

- Cards, shared manifests and Hub metadata come out byte for byte as before the typed manifest
  (``card_cases.py``, snapshot from the code before it).
- Any valid manifest (generated from ``MANIFEST_SPEC`` itself) reads typed and writes back key for
  key; what ``to_dict`` writes validates; what is built or changed in code validates too.
- ``cv.json``, ``metrics.json``, ``log.json`` and ``adapterkit_base.json`` that are wrong are one line
  naming the file and the field.
"""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from card_cases import SNAPSHOTS, STUDY, cases, snapshot
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapterkit.errors import AdapterkitError
from adapterkit.manifest import (
    MANIFEST,
    MANIFEST_SPEC,
    NAME,
    SCHEMA_VERSION,
    AdapterManifest,
    Any_,
    BaseRecord,
    Bool,
    Either,
    ListOf,
    MapOf,
    Name,
    Num,
    Obj,
    Opt,
    Part,
    Spec,
    Str,
    check_manifest,
    read_base_info,
    read_cv_run,
    read_fold_metrics,
    read_run_settings,
    read_score_result,
    read_training_log,
)

# --------------------------------------------------------------------------------------------- cards


@pytest.fixture(scope="module")
def rendered() -> dict[str, dict[str, str]]:
    return snapshot()


@pytest.mark.parametrize("case", sorted(cases()))
def test_cards_are_byte_identical_to_those_written_before_the_typed_manifest(case, rendered):
    before = json.loads(SNAPSHOTS.read_text(encoding="utf-8"))[case]
    now = rendered[case]
    assert sorted(now) == sorted(before)
    for label, text in before.items():
        if label in ("shared", "shared with card paths"):
            assert json.loads(now[label]) == _intended(json.loads(text), cases()[case]), label
        else:
            assert now[label] == text, f"{case}: {label} changed"


def _intended(shared: dict, case: dict) -> dict:
    """The intended changes since the snapshot: every manifest written carries schema_version (1: from
    before it), and an older manifest's training.final_loss (then the mean) is read as mean_loss, its
    final_loss being the last loss of its curve (schema 3)."""
    if "schema_version" not in case:
        shared = {**shared, "schema_version": 1}
    training = shared.get("training")
    if training and training.get("final_loss") is not None and "mean_loss" not in training:
        losses = [entry["loss"] for entry in training.get("log") or [] if "loss" in entry]
        training = {**training, "mean_loss": training["final_loss"], "final_loss": losses[-1] if losses else None}
        shared = {**shared, "training": training}
    return shared


def test_a_card_names_the_shared_corpus_files_relative_to_the_push_folder():
    manifest = AdapterManifest.from_dict(cases()["domain-lora-embedded-base"])
    from adapterkit.sharing import shareable_manifest

    shared = AdapterManifest.from_dict(shareable_manifest(manifest, True, STUDY))
    assert [record.path for record in shared.corpus.files] == [
        "corpora/nl-clin.txt",
        "notes-2024.txt",  # outside the folder: its name only
        "hf:team/nl-notes:train",
    ]
    assert shared.base.path is None and "path" not in shared.to_dict()["base"]


# --------------------------------------------------------------------------------------------- round trip


def _valid(spec: Spec) -> st.SearchStrategy:
    """Data that ``spec`` accepts (every field of an object optional unless required, plus unknown ones)."""
    if isinstance(spec, Obj):
        required = {name: _valid(spec.fields[name]) for name in spec.required}
        optional = {name: _valid(item) for name, item in spec.fields.items() if name not in spec.required}
        known = st.fixed_dictionaries(required, optional=optional)
        if spec.closed:
            return known
        unknown = st.dictionaries(
            st.sampled_from(["x_note", "later_field", "keys", "extra"]), _valid(Any_()), max_size=2
        )
        return st.tuples(known, unknown).map(lambda pair: {**pair[0], **pair[1]})
    if isinstance(spec, Name):
        return st.from_regex(NAME, fullmatch=True).filter(lambda name: ".." not in name)
    if isinstance(spec, Str):
        if spec.choices:
            return st.sampled_from(spec.choices)
        if spec.pattern is not None:
            return st.from_regex(spec.pattern, fullmatch=True)
        return st.text(min_size=1 if spec.nonempty else 0, max_size=12)
    if isinstance(spec, Num):
        low = spec.lo if spec.lo is not None else -1e6
        high = spec.hi if spec.hi is not None else 1e6
        integers = st.integers(int(low), int(high))
        return integers if spec.integer else st.one_of(integers, st.floats(low, high, allow_nan=False))
    if isinstance(spec, Bool):
        return st.booleans()
    if isinstance(spec, Opt):
        return st.one_of(st.none(), _valid(spec.inner))
    if isinstance(spec, Either):
        return st.one_of(*[_valid(option) for option in spec.options])
    if isinstance(spec, ListOf):
        return st.lists(_valid(spec.item), min_size=spec.min_len, max_size=spec.max_len or 3)
    if isinstance(spec, MapOf):
        return st.dictionaries(_valid(spec.key), _valid(spec.value), max_size=3)
    if isinstance(spec, Any_):
        return st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=5), st.lists(st.integers()))
    raise AssertionError(f"no strategy for {type(spec).__name__}")


def _readable(data: dict) -> dict:
    """What every manifest has besides its types: a name (but a vocabulary), a version this reads."""
    data = dict(data)
    if "schema_version" in data:
        data["schema_version"] = min(data["schema_version"], SCHEMA_VERSION)
    data.setdefault("name", "generated")
    return data


MANIFESTS = _valid(MANIFEST_SPEC).map(_readable)
ROUND_TRIP = settings(max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])


@ROUND_TRIP
@given(MANIFESTS)
def test_any_valid_manifest_reads_typed_and_writes_back_key_for_key(data):
    manifest = AdapterManifest.from_dict(data, "generated.json")
    written = manifest.to_dict()
    expected = data if "schema_version" in data else {**data, "schema_version": 1}  # from before the field
    assert json.dumps(written) == json.dumps(expected)  # same keys, same order, same values, same nulls
    check_manifest(written, "written.json")
    assert AdapterManifest.from_dict(written, "written.json") == manifest


@ROUND_TRIP
@given(MANIFESTS, st.dictionaries(st.from_regex(r"[a-z]{1,8}\.safetensors", fullmatch=True), st.just("ab" * 32)))
def test_a_manifest_changed_in_code_still_validates_and_round_trips(data, hashes):
    manifest = AdapterManifest.from_dict(data, "generated.json")
    changed = replace(manifest, sha256=hashes, schema_version=SCHEMA_VERSION, base=manifest.base.without("path"))
    written = changed.to_dict()
    check_manifest(written, "written.json")
    assert "path" not in written["base"] and written["schema_version"] == SCHEMA_VERSION
    assert AdapterManifest.from_dict(written, "written.json") == changed


def test_a_manifest_built_in_code_carries_the_schema_version():
    manifest = AdapterManifest(name="x", kind="composed", base=BaseRecord(id="minilm"))
    composed = replace(manifest, composition=replace(_composition(), parts=[Part(name="a", weight=0.5)]))
    written = composed.to_dict()
    assert written["schema_version"] == SCHEMA_VERSION and written["base"] == {"id": "minilm"}
    assert written["composition"]["parts"] == [{"name": "a", "weight": 0.5}]
    assert AdapterManifest.from_dict(written) == composed


def _composition():
    return AdapterManifest.from_dict(cases()["composed-stack"]).composition


def test_a_wrong_manifest_is_refused_by_from_dict_in_one_line():
    data = {**cases()["composed-stack"], "composition": {"how": "stack", "parts": [{"name": "a", "weight": "1"}]}}
    with pytest.raises(AdapterkitError) as error:
        AdapterManifest.from_dict(data, "adapters/x/adapterkit.json")
    message = str(error.value)
    assert message.startswith("adapters/x/adapterkit.json: field 'composition.parts[0].weight': expected a finite")
    assert "\n" not in message


# --------------------------------------------------------------------------------------------- writers


def test_the_registry_stamps_the_schema_version_and_refuses_a_manifest_it_could_not_read(tmp_path):
    from adapterkit.registry import Registry

    store = Registry(tmp_path / "adapters")
    written = {"name": "a", "kind": "language", "languages": ["nl"], "base": {"id": "minilm", "revision": None}}

    def write(manifest: dict):
        return lambda folder: (folder / MANIFEST).write_text(json.dumps(manifest))

    folder = store.save("a", write(written))
    saved = json.loads((folder / MANIFEST).read_text())
    assert saved == {**written, "schema_version": SCHEMA_VERSION, "sha256": {}}  # the null revision stays
    assert store.adapter_manifest("a").base.revision is None and store.manifest("a") == saved

    with pytest.raises(AdapterkitError, match=r"field 'languages': expected a list"):
        store.save("b", write({**written, "name": "b", "languages": "nl"}))
    assert store.names() == ["a"]  # nothing half-written


def test_a_base_without_a_recorded_folder_is_its_id_not_the_current_folder(monkeypatch, tmp_path):
    from adapterkit import models

    asked = []
    monkeypatch.setattr(models, "resolve_base", lambda name, local_only=False: asked.append(name))
    monkeypatch.chdir(tmp_path)
    models.base_of({"name": "t", "kind": "task", "base": {"id": "team/bert", "fingerprint": None}})
    (tmp_path / "clin-bert").mkdir()
    models.base_of({"name": "l", "kind": "language", "base": {"id": "clin", "peft_base_model": "clin-bert"}})
    assert asked == ["team/bert", "clin-bert"]


# --------------------------------------------------------------------------------------------- run files

CV_RUN = {
    "data": ["ro.conll"],
    "format": "auto",
    "preset": "auto",
    "repair": False,
    "base": "minilm",
    "variant": "ro-bio",
    "folds": 2,
    "seed": 42,
    "fold_file": "runs/folds/00cc-k2-s42.json",
    "strict": False,
    "limit": None,
    "types": None,
    "settings": {"epochs": 1.0, "mode": "full", "quantize": None},
    "per_fold": [
        {"scheme": "conlleval", "f1": 0.5, "roc_auc": None, "per_type": {"DISO": {"f1": 0.5, "support": 3}}},
        {"macro_f1": 0.4, "groups": {"nl": {"f1": 0.3, "n_test": 2}, "ro": {"f1": None, "n_test": 1}}, "n_test": 3},
    ],
    "summary": {"f1": [0.5, 0.0]},
    "scoring": {"scheme": "conlleval", "documents": 4},
}


SCORES = {"precision": 0.5, "recall": 0.5, "f1": 0.5, "tp": 1, "pred": 2, "gold": 2}


@pytest.mark.parametrize(
    ("name", "content", "reader", "field"),
    [
        ("cv.json", {**CV_RUN, "folds": "two"}, read_cv_run, "folds"),
        ("cv.json", {k: v for k, v in CV_RUN.items() if k != "variant"}, read_cv_run, "variant"),
        ("cv.json", {**CV_RUN, "summary": {"f1": [0.5]}}, read_cv_run, "summary.f1"),
        ("cv.json", {**CV_RUN, "per_fold": [{"f1": "high"}]}, read_cv_run, "per_fold[0].f1"),
        ("metrics.json", {"f1": 0.5, "per_type": {"DISO": {"f1": "x"}}}, read_fold_metrics, "per_type.DISO.f1"),
        ("metrics.json", {"groups": {"nl": {"n_test": -1}}}, read_fold_metrics, "groups.nl.n_test"),
        ("log.json", [{"step": 1, "loss": 2.0}, {"loss": 1.0}], read_training_log, "[1].step"),
        ("log.json", {"step": 1}, read_training_log, ""),
        ("adapterkit_base.json", {"mlm_head": "old"}, read_base_info, "mlm_head"),
        ("scores.json", {"micro": {**SCORES, "tp": -1}, "per_type": {}}, read_score_result, "micro.tp"),
        ("scores.json", {"micro": SCORES, "per_type": {"X": {**SCORES, "f1": 2}}}, read_score_result, "per_type.X.f1"),
        ("scores.json", {"per_type": {}}, read_score_result, "micro"),
        ("cv-settings.json", ["data"], read_run_settings, ""),
    ],
)
def test_a_wrong_run_file_is_one_line_naming_the_file_and_field(tmp_path, name, content, reader, field):
    file = tmp_path / name
    file.write_text(json.dumps(content))
    with pytest.raises(AdapterkitError) as error:
        reader(file)
    message = str(error.value)
    assert message.startswith(f"{file}: " + (f"field {field!r}: " if field else "")) and "\n" not in message


def test_run_files_as_adapterkit_writes_them_are_read(tmp_path):
    (tmp_path / "cv.json").write_text(json.dumps(CV_RUN))
    assert read_cv_run(tmp_path / "cv.json") == CV_RUN
    (tmp_path / "metrics.json").write_text(json.dumps(CV_RUN["per_fold"][1]))
    assert read_fold_metrics(tmp_path / "metrics.json")["groups"]["ro"]["f1"] is None
    log = [
        {"loss": 2.2, "grad_norm": 3.5, "learning_rate": 0.0, "epoch": 0.5, "step": 1},
        {"train_loss": 2.2, "step": 2},
    ]
    (tmp_path / "log.json").write_text(json.dumps(log))
    assert read_training_log(tmp_path / "log.json") == log
    (tmp_path / "broken.json").write_text('{"variant": "x", ')
    with pytest.raises(AdapterkitError, match=r"broken.json: not valid JSON"):
        read_cv_run(tmp_path / "broken.json")


def test_a_push_card_lists_only_the_valid_cv_runs_that_used_the_adapter(tmp_path, monkeypatch):
    from adapterkit.hub import recorded_runs

    monkeypatch.chdir(tmp_path)
    runs = tmp_path / "runs"
    for folder, record in {
        "cmp/cv/nl-a+nl-b": {**CV_RUN, "variant": "nl-a+nl-b", "summary": {"f1": [0.81, 0.01]}},
        "cmp/cv/base": {**CV_RUN, "variant": "base"},
        "damaged/cv/nl-a": {**CV_RUN, "variant": "nl-a", "folds": "five"},
        "unfinished/cv/nl-a": {**CV_RUN, "variant": "nl-a", "summary": {}},
    }.items():
        (runs / folder).mkdir(parents=True)
        (runs / folder / "cv.json").write_text(json.dumps(record))
    found = recorded_runs(runs, "nl-a")
    assert [(run["file"], run["variant"], run["folds"], run["mode"]) for run in found] == [
        ("cmp/cv/nl-a+nl-b/cv.json", "nl-a+nl-b", 2, "full")
    ]
    assert found[0]["data"] == [{"name": "ro.conll", "sha256": None}]  # not here: no digest


def test_the_typed_manifest_is_what_the_spec_describes():
    """Every field the schema names is a typed attribute (so no read site needs a dict)."""
    typed = set(AdapterManifest.__dataclass_fields__) - {"extra", "keys"}
    assert typed == set(MANIFEST_SPEC.fields)
