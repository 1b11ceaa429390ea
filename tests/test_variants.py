"""The one variant parser (``adapterkit/variants.py``): its precedence, the same for every command.

No test here reaches the Hub: ``adapterkit.models.resolve_base`` is replaced by one that resolves
local folders as before and records any other name it is asked for (answering with the tiny BERT,
as if it were the snapshot), and ``hub:`` adapters are "pulled" from the local registry.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import torch

import adapterkit.compose
import adapterkit.models
from adapterkit.cli import main
from adapterkit.errors import AdapterkitError
from adapterkit.models import DEFAULT_BASE, Base
from adapterkit.registry import MANIFEST, Registry
from adapterkit.variants import adapter_parts, base_for, load_mlm, parse_variant, task_start

HUB_LIKE = "PlanTL-GOB-ES/bsc-bio-ehr-es"  # a Hub model id; in the project below also a local folder
TYPO = "variant {!r}: not 'base', a model folder, a registry adapter, a Hub model id, or an inline stack like a+b"
TASK_ADAPTER = "variant 'task-a': task-a is a task adapter; give language/domain adapters"


@pytest.fixture
def hub_asked(monkeypatch: pytest.MonkeyPatch, tiny_bert: Path) -> list[str]:
    """The names ``resolve_base`` was asked that are not local folders: what would go to the Hub."""
    asked: list[str] = []
    local = adapterkit.models.resolve_base

    def resolve(name: str, local_only: bool = False) -> Base:
        if Path(name).is_dir():
            return local(name, local_only)
        asked.append(name)
        return Base(name, tiny_bert, name, "abc", head_is_new=False)

    monkeypatch.setattr(adapterkit.models, "resolve_base", resolve)
    return asked


def _copy_adapter(registry: Path, source: str, name: str, **fields) -> None:
    shutil.copytree(registry / source, registry / name)
    manifest = json.loads((registry / name / MANIFEST).read_text())
    (registry / name / MANIFEST).write_text(json.dumps({**manifest, "name": name, **fields}))


@pytest.fixture
def project(workdir: Path, tiny_adapters: Path, tiny_bert: Path, hub_asked: list[str]) -> Path:
    """A working folder: the registry ``adapters/`` (a, b; a composition named ``x+y``; a task adapter
    ``task-a``; a folder ``team/x`` inside it), ``models/one``, a local model folder named like a Hub
    id, a corpus and a NER file."""
    registry = workdir / "adapters"
    shutil.copytree(tiny_adapters, registry)
    _copy_adapter(registry, "a", "x+y")
    task = {"kind": "task", "task": "ner", "labels": ["O", "B-X", "I-X"], "adapter": True, "variant": "a"}
    _copy_adapter(registry, "a", "task-a", **task)
    (registry / "team").mkdir()
    _copy_adapter(registry, "a", "team/x")
    shutil.copytree(tiny_bert, workdir / "models" / "one")
    shutil.copytree(tiny_bert, workdir / HUB_LIKE)
    (workdir / "corpus.txt").write_text("de patiënt kreeg metformine voor diabetes.\n" * 40, encoding="utf-8")
    (workdir / "ner.conll").write_text("Pacient\tO\ncu\tO\nfebră\tB-DIS\n\nIa\tO\naspirină\tB-DIS\n", encoding="utf-8")
    return workdir


@pytest.mark.parametrize(
    ("text", "kind", "folder", "parts"),
    [
        ("base", "base", None, ()),
        ("models/one", "model", "models/one", ()),
        (HUB_LIKE, "model", HUB_LIKE, ()),  # a local folder named like a Hub id is that folder
        ("someone/encoder", "hub-model", None, ()),
        ("team/x", "hub-model", None, ()),  # registry names hold no slash: adapters/team/x is not read
        ("a", "adapters", None, ("a",)),
        ("adapters/b", "adapters", None, ("adapters/b",)),  # an adapter folder given by its path
        ("x+y", "adapters", None, ("x+y",)),  # a registry composition named like a stack: found first
        ("a+b", "adapters", None, ("a", "b")),
        ("hub:team/nl-a@v1", "adapters", None, ("hub:team/nl-a@v1",)),
        ("a+hub:team/nl-b", "adapters", None, ("a", "hub:team/nl-b")),
        ("hub:team/nl-a+hub:team/nl-b", "adapters", None, ("hub:team/nl-a", "hub:team/nl-b")),
    ],
)
def test_the_parser_reads_each_form_by_one_precedence_and_never_asks_the_hub(
    project: Path, hub_asked: list[str], text: str, kind: str, folder: str | None, parts: tuple[str, ...]
) -> None:
    spec = parse_variant(text, Registry(project / "adapters"))
    assert (spec.text, spec.kind, spec.folder, spec.parts) == (text, kind, folder and Path(folder), parts)
    assert spec.model_id == (text if kind == "hub-model" else None)
    assert hub_asked == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("models/typo", TYPO.format("models/typo")),  # models/ is a local folder: not tried on the Hub
        ("ghost", TYPO.format("ghost")),  # a name without a slash is no Hub id
        ("a+ghost", "variant 'a+ghost': adapter 'ghost' is neither in the registry"),
        ("a+models/one", "variant 'a+models/one': adapter 'models/one' is neither in the registry"),
        ("a+", "variant 'a+': adapter '' is neither in the registry"),
    ],
)
def test_a_typo_is_one_line_naming_the_variant_and_nothing_is_looked_up(
    project: Path, hub_asked: list[str], text: str, message: str
) -> None:
    store = Registry(project / "adapters")
    for read in (parse_variant, task_start, base_for_one, load_mlm_on_tiny):
        with pytest.raises(AdapterkitError) as error:
            read(text, store)
        assert str(error.value).startswith(message), (read.__name__, str(error.value))
    assert hub_asked == []


def base_for_one(text: str, store: Registry) -> Base:
    return base_for([text], store)


def load_mlm_on_tiny(text: str, store: Registry):
    return load_mlm(text, store, adapterkit.models.resolve_base(str(Path("models/one"))))


def _one_line_error(capsys: pytest.CaptureFixture) -> str:
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: "), err
    return err[0]


COMMANDS = {
    "eval-mlm": ["eval-mlm", "{v}", "--corpus", "corpus.txt"],
    "finetune": ["finetune", "--data", "ner.conll", "--name", "m", "--variant", "{v}"],
    "cv": ["cv", "--data", "ner.conll", "--variant", "{v}"],
    "compare": ["compare", "base", "{v}", "--data", "ner.conll"],
}


@pytest.mark.parametrize("command", list(COMMANDS))
@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("models/typo", TYPO.format("models/typo")),
        ("a+ghost", "variant 'a+ghost': adapter 'ghost' is neither in the registry"),
        ("task-a", TASK_ADAPTER),
    ],
)
def test_every_command_refuses_the_same_variant_with_the_same_line_and_writes_nothing(
    project: Path, hub_asked: list[str], capsys: pytest.CaptureFixture, command: str, text: str, message: str
) -> None:
    before = sorted(str(path.relative_to(project)) for path in project.rglob("*"))
    argv = [arg.replace("{v}", text) for arg in COMMANDS[command]]
    assert main(argv) == 2
    assert message in _one_line_error(capsys)
    assert sorted(str(path.relative_to(project)) for path in project.rglob("*")) == before
    assert hub_asked == []


def test_a_task_adapter_is_refused_alone_and_inside_a_stack(project: Path) -> None:
    store = Registry(project / "adapters")
    with pytest.raises(AdapterkitError, match=TASK_ADAPTER):
        task_start("task-a", store)
    with pytest.raises(AdapterkitError, match="variant 'a\\+task-a': task-a is a task adapter"):
        task_start("a+task-a", store)
    with pytest.raises(AdapterkitError, match=TASK_ADAPTER):
        load_mlm("task-a", store, base_for(["a"], store))
    with pytest.raises(AdapterkitError, match=TASK_ADAPTER):
        adapter_parts(parse_variant("task-a", store), store)


def test_a_model_folder_holding_a_task_adapter_manifest_is_no_two_stage_start(project: Path) -> None:
    folder = project / "models" / "one"
    manifest = json.loads((project / "adapters" / "task-a" / MANIFEST).read_text())
    manifest.pop("sha256", None)  # the adapter's weight hashes: this folder holds the model's weights
    (folder / MANIFEST).write_text(json.dumps({**manifest, "name": "one"}))
    store = Registry(project / "adapters")
    with pytest.raises(AdapterkitError, match="two-stage fine-tuning starts from a full task model"):
        task_start("models/one", store)
    (folder / MANIFEST).write_text(json.dumps({**manifest, "name": "one", "adapter": False}))
    assert task_start("models/one", store).task.labels == ["O", "B-X", "I-X"]


def test_a_hub_model_id_is_asked_of_the_hub_by_every_loader_a_local_look_alike_never(
    project: Path, hub_asked: list[str], tiny_bert: Path
) -> None:
    store = Registry(project / "adapters")
    start = task_start("someone/encoder", store)
    assert (start.label, start.base.name, start.base.path) == ("someone/encoder", "someone/encoder", tiny_bert)
    assert load_mlm("someone/encoder", store, start.base).model is not None
    assert hub_asked == ["someone/encoder", "someone/encoder"]
    hub_asked.clear()
    local = task_start(HUB_LIKE, store)
    assert local.base.path.resolve() == (project / HUB_LIKE).resolve() and local.task is None and not local.deltas
    assert load_mlm(HUB_LIKE, store, local.base).model is not None
    assert hub_asked == []


def test_base_for_takes_the_first_adapters_base_else_the_default(project: Path, hub_asked, tiny_bert: Path) -> None:
    store = Registry(project / "adapters")
    assert base_for(["base", "models/one", "b+a"], store).path.resolve() == tiny_bert.resolve()
    assert hub_asked == []
    base_for(["base", "someone/encoder", "models/one"], store)
    assert hub_asked == [DEFAULT_BASE]  # a model variant has its own encoder; the base row is mBERT's
    assert base_for(["a"], store, base=str(tiny_bert)).name == str(tiny_bert)  # --base wins


def test_a_hub_part_of_an_inline_stack_is_pulled_like_a_single_hub_adapter(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pulled: list[str] = []

    def ensure_pulled(spec: str, store: Registry) -> str:  # hub:team/b is already in the registry as b
        pulled.append(spec)
        return spec.removeprefix("hub:team/")

    monkeypatch.setattr(adapterkit.compose, "ensure_pulled", ensure_pulled)
    store = Registry(project / "adapters")
    with_hub, local = task_start("a+hub:team/b", store), task_start("a+b", store)
    assert pulled == ["hub:team/b"]
    assert with_hub.parts == local.parts == ["a", "b"] and with_hub.fingerprint == local.fingerprint
    assert with_hub.deltas.keys() == local.deltas.keys()
    for name, (a, b) in local.deltas.items():
        assert torch.equal(with_hub.deltas[name][0], a) and torch.equal(with_hub.deltas[name][1], b)
    assert base_for(["base", "hub:team/b"], store).path == local.base.path
