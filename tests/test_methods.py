"""Adapter methods behind one seam: LoRA, DoRA and IA³ pass the same end-to-end checks.

Each method pre-trains on the tiny BERT; plain PEFT loads the saved folder and gives the logits the
trained model gave; the registry lists the method, the card names it; ``push --out`` and ``pull``
carry it (pull refuses a manifest that names another method than ``adapter_config.json``); a task
adapter fine-tunes on top of it (a DoRA/IA³ adapter folded into the base exactly, as plain PEFT
computes it unmerged); compose refuses DoRA and IA³ in one line saying why.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import torch
from conftest import pretrain_config
from peft import PeftModel
from test_hub import FakeHub, hub  # noqa: F401 - the local Hub fixture of the sharing tests
from transformers import AutoModelForMaskedLM, TrainerCallback

from adapterkit import methods
from adapterkit.cli import main
from adapterkit.errors import AdapterkitError
from adapterkit.jobs.pretrain import run_pretrain
from adapterkit.manifest import AdapterConfig, AdapterManifest
from adapterkit.registry import MANIFEST, Registry

METHODS = ("lora", "dora", "ia3")
INPUT = {"input_ids": torch.tensor([[101, 7592, 2088, 2003, 1037, 3231, 2005, 1996, 5776, 102]])}
PEFT_TYPES = {"lora": ("LORA", False), "dora": ("LORA", True), "ia3": ("IA3", None)}


def _logits(model) -> torch.Tensor:
    model.eval()
    with torch.no_grad():
        return model(**INPUT).logits


# --------------------------------------------------------------------------------------------- the registry


def test_every_module_of_methods_is_a_registered_method_with_lora_first():
    modules = {p.stem for p in Path(methods.__file__).parent.glob("*.py")} - {"__init__", "base"}
    assert set(methods.METHOD_NAMES) == modules and methods.METHOD_NAMES[0] == "lora"
    assert [m.name for m in methods.METHODS.values() if m.additive] == ["lora"]
    assert all(m.not_additive for m in methods.METHODS.values() if not m.additive)


@pytest.mark.parametrize("name", METHODS)
def test_each_method_builds_a_peft_config_it_recognises_again(name, tmp_path):
    method = methods.get(name)
    config = method.build(methods.AdapterSettings(layers=list(method.layers), r=4, alpha=8))
    config.save_pretrained(tmp_path)  # what PEFT writes as adapter_config.json
    written = json.loads((tmp_path / "adapter_config.json").read_text())
    assert (written["peft_type"], written.get("use_dora")) == PEFT_TYPES[name]
    assert methods.of_config(AdapterConfig.from_dict(written, "adapter_config.json")) is method


def test_a_manifest_without_a_method_is_lora_and_an_unknown_one_is_a_one_line_error():
    old = {"name": "a", "kind": "language", "base": {"id": "x"}}
    assert methods.of_manifest(AdapterManifest.from_dict(old)).name == "lora"
    full = AdapterManifest.from_dict({**old, "kind": "model", "hyperparameters": {"mode": "full"}})
    assert methods.of_manifest(full) is None
    future = AdapterManifest.from_dict({**old, "hyperparameters": {"mode": "vera"}})
    with pytest.raises(AdapterkitError, match="'vera' is an adapter method this adapterkit does not know"):
        methods.of_manifest(future, "a/adapterkit.json")


def test_pretrain_refuses_an_unknown_method_and_a_method_with_full(capsys, tmp_path):
    corpus = tmp_path / "c.txt"
    corpus.write_text("een zin\n")
    assert main(["pretrain", "--corpus", str(corpus), "--name", "x", "--method", "vera"]) == 2
    assert "lora|dora|ia3" in capsys.readouterr().err.replace("'", "").replace(", ", "|")
    assert main(["pretrain", "--corpus", str(corpus), "--name", "x", "--method", "ia3", "--lora-r", "8"]) == 2
    assert "--lora-r: IA³ adapters have no rank" in capsys.readouterr().err  # --method reaches the run's settings
    config = pretrain_config("minilm", corpus, "x", full=True, method="dora")
    with pytest.raises(AdapterkitError, match="--method dora: --full trains all weights"):
        config.validate()
    with pytest.raises(AdapterkitError, match="--lora-alpha: IA³ adapters have no rank, alpha or dropout"):
        pretrain_config("minilm", corpus, "x", method="ia3", lora_alpha=8).validate()
    pretrain_config("minilm", corpus, "x", method="dora", lora_r=4, lora_alpha=8).validate()
    assert "method" not in pretrain_config("minilm", corpus, "x").fingerprint_of_run()  # resumes runs from before


# --------------------------------------------------------------------------------------------- end to end


@pytest.fixture(scope="module")
def trained(tmp_path_factory, tiny_bert, nl_corpus) -> tuple[Path, dict[str, torch.Tensor]]:
    """An adapter of each method on the tiny BERT (3 steps) and the logits its trained model gave."""
    root = tmp_path_factory.mktemp("methods")
    lines = nl_corpus.read_text(encoding="utf-8").split("\n")
    (root / "nl.txt").write_text("\n".join(lines[:200]), encoding="utf-8")
    captured: dict[str, torch.Tensor] = {}

    class Keep(TrainerCallback):
        def __init__(self, name: str) -> None:
            self.name = name

        def on_train_end(self, args, state, control, model=None, **kwargs):
            captured[self.name] = _logits(model)

    for name in METHODS:
        config = pretrain_config(
            tiny_bert, root / "nl.txt", f"nl-{name}", method=name, language=["nl"], max_steps=3, save_steps=3,
            lr=2e-2, heldout=0.1, registry=root / "adapters", work_dir=root / "runs" / name,
        )  # fmt: skip
        run_pretrain(config, callbacks=[Keep(name)])
    return root, captured


@pytest.fixture
def registry(trained, tmp_path, monkeypatch) -> Path:
    target = tmp_path / "adapters"
    shutil.copytree(trained[0] / "adapters", target)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ADAPTERKIT_REGISTRY", str(target))
    return target


@pytest.mark.e2e
@pytest.mark.parametrize("name", METHODS)
def test_plain_peft_loads_each_methods_folder_and_gives_the_trained_logits(name, trained, tiny_bert):
    root, captured = trained
    folder = root / "adapters" / f"nl-{name}"
    config = json.loads((folder / "adapter_config.json").read_text())
    assert (config["peft_type"], config.get("use_dora")) == PEFT_TYPES[name]
    manifest = json.loads((folder / MANIFEST).read_text())
    assert manifest["hyperparameters"]["mode"] == name
    assert manifest["hyperparameters"]["learning_rate"] == 2e-2
    plain = PeftModel.from_pretrained(AutoModelForMaskedLM.from_pretrained(tiny_bert), folder)
    assert torch.equal(_logits(plain), captured[name])
    assert not torch.allclose(captured[name], _logits(AutoModelForMaskedLM.from_pretrained(tiny_bert)))


@pytest.mark.e2e
def test_the_registry_lists_the_method_and_the_card_names_it(registry, capsys):
    assert main(["adapters", "list"]) == 0
    rows = [[cell.strip() for cell in line.split("│")[1:-1]] for line in capsys.readouterr().out.splitlines()]
    methods_of = {row[0]: row[2] for row in rows if row and row[0].startswith("nl-")}
    assert methods_of == {f"nl-{name}": name for name in METHODS}
    assert "A DoRA adapter (language)" in (registry / "nl-dora" / "README.md").read_text()
    card = (registry / "nl-ia3" / "README.md").read_text()
    assert "An IA³ adapter (language)" in card and "- ia3\n" in card and "| ia3_targets |" in card


@pytest.mark.e2e
@pytest.mark.parametrize("name", ["dora", "ia3"])
def test_push_and_pull_carry_the_method_and_pull_refuses_a_manifest_naming_another(
    name,
    registry,
    tiny_bert,
    hub: FakeHub,  # noqa: F811 - the local Hub fixture imported above
    tmp_path,
    capsys,
):
    out = tmp_path / "upload"
    assert main(["push", f"nl-{name}", "--repo", f"team/nl-{name}", "--output", str(out)]) == 0
    files = {p.name: p.read_bytes() for p in out.iterdir()}
    assert json.loads(files[MANIFEST])["hyperparameters"]["mode"] == name
    hub.commit(f"team/nl-{name}", files)
    assert main(["pull", f"team/nl-{name}", "--as", f"copy-{name}"]) == 0
    pulled = registry / f"copy-{name}"
    assert json.loads((pulled / MANIFEST).read_text())["hyperparameters"]["mode"] == name
    original = PeftModel.from_pretrained(AutoModelForMaskedLM.from_pretrained(tiny_bert), registry / f"nl-{name}")
    again = PeftModel.from_pretrained(AutoModelForMaskedLM.from_pretrained(tiny_bert), pulled)
    assert torch.equal(_logits(original), _logits(again))

    lying = json.loads(files[MANIFEST])
    lying["hyperparameters"]["mode"] = "lora"
    hub.commit("team/lying", {**files, MANIFEST: json.dumps(lying).encode()})
    capsys.readouterr()
    assert main(["pull", "team/lying"]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "records method lora; refused" in err, err
    assert not (registry / "team--lying").exists()

    plain = {key: value for key, value in files.items() if key in ("adapter_config.json", "adapter_model.safetensors")}
    hub.commit(f"someone/plain-{name}", plain)
    assert main(["pull", f"someone/plain-{name}"]) == 0
    manifest = json.loads((registry / f"someone--plain-{name}" / MANIFEST).read_text())
    assert manifest["hyperparameters"] == {"mode": name}


@pytest.mark.e2e
@pytest.mark.parametrize("name", METHODS)
def test_a_task_model_starts_from_each_method_exactly_and_a_task_adapter_trains_on_top(name, registry, tiny_bert):
    from adapterkit.jobs.finetune import FinetuneRequest, run_finetune
    from adapterkit.jobs.predict import run_predict
    from adapterkit.tasks.model import build_model
    from adapterkit.tasks.settings import TrainSettings
    from adapterkit.variants import task_start

    # The encoder a task model starts from is the adapter as plain PEFT computes it, unmerged.
    variant = task_start(f"nl-{name}", Registry(registry))
    assert variant.parts == [f"nl-{name}"] and bool(variant.deltas) == (name == "lora")
    task_model = build_model(variant, "ner", ["O", "B-X", "I-X"]).eval()
    plain = PeftModel.from_pretrained(AutoModelForMaskedLM.from_pretrained(tiny_bert), registry / f"nl-{name}").eval()
    with torch.no_grad():
        expected = plain(**INPUT, output_hidden_states=True).hidden_states[-1]
        got = task_model(**INPUT, output_hidden_states=True).hidden_states[-1]
    torch.testing.assert_close(got, expected, rtol=1e-5, atol=1e-5)

    sentences = ["de\tO\npatiënt\tO\nkreeg\tO\nmetformine\tB-X\n500\tI-X\nmg\tI-X\n.\tO"] * 12
    data = registry.parent / "ner.conll"
    data.write_text("\n\n".join(sentences) + "\n", encoding="utf-8")
    settings = TrainSettings(max_steps=2, batch_size=4, lr=5e-3, max_seq_len=32, seed=1, mode="adapter", task_lora_r=2)
    folder, manifest = run_finetune(
        FinetuneRequest(data=[data], name=f"ner-{name}", variant=f"nl-{name}", eval_data=[data], settings=settings)
    )
    assert manifest["adapter"] and manifest["language_adapters"] == [f"nl-{name}"]
    assert json.loads((folder / "adapter_config.json").read_text())["peft_type"] == "LORA"  # the task LoRA
    [written] = run_predict(f"ner-{name}", [data], registry.parent / "pred", "conll", max_seq_len=32)
    assert len([line for line in written.read_text().splitlines() if line.strip()]) == 7 * 12


@pytest.mark.e2e
@pytest.mark.parametrize("name", ["dora", "ia3"])
def test_compose_and_inline_stacks_refuse_dora_and_ia3_in_one_line_saying_why(name, registry, capsys):
    title = methods.get(name).title
    for how in ("stack", "merge", "svd"):
        before = sorted(p.name for p in registry.iterdir())
        assert main(["compose", "nl-lora", f"nl-{name}", "--how", how, "--name", "mix"]) == 2
        err = capsys.readouterr().err.strip()
        assert "\n" not in err and f"nl-{name} is a {title} adapter and compose --how {how} sums additive" in err
        assert ("magnitude" if name == "dora" else "multiplies activations") in err
        assert sorted(p.name for p in registry.iterdir()) == before
    from adapterkit.variants import task_start

    with pytest.raises(AdapterkitError, match=f"nl-{name} is a {title} adapter and a stack of adapters sums"):
        task_start(f"nl-lora+nl-{name}", Registry(registry))


# --------------------------------------------------------------------------------------------- tensor checks


def _tampered(folder: Path, target: Path, change) -> Path:
    """A copy of the adapter ``folder`` whose tensors ``change`` (name -> tensor, in place) rewrote."""
    from safetensors.torch import load_file, save_file

    shutil.copytree(folder, target)
    tensors = load_file(str(target / "adapter_model.safetensors"))
    change(tensors)
    save_file(tensors, str(target / "adapter_model.safetensors"))
    return target


def _first(tensors: dict, suffix: str) -> str:
    return next(key for key in sorted(tensors) if key.endswith(suffix))


DORA_AND_IA3_DAMAGE = {
    "dora magnitude of another size": (
        "dora",
        lambda t: t.__setitem__(_first(t, "lora_magnitude_vector"), torch.ones(5)),
        "DoRA magnitude [5]",
    ),
    "dora without its magnitude": (
        "dora",
        lambda t: t.pop(_first(t, "lora_magnitude_vector")),
        "no DoRA magnitude vector",
    ),
    "ia3 vector transposed": (
        "ia3",
        lambda t: t.__setitem__(_first(t, "ia3_l"), t[_first(t, "ia3_l")].T.contiguous()),
        "an IA³ vector must be",
    ),
    "ia3 vector for a wider layer": (
        "ia3",
        lambda t: t.__setitem__(_first(t, "value.ia3_l"), torch.ones(64, 1)),
        "the tensors are for a ?→64 layer",
    ),
}


@pytest.mark.e2e
@pytest.mark.parametrize("name", METHODS)
def test_each_methods_saved_tensors_fit_its_config_and_the_base(name, trained, tiny_bert):
    from adapterkit.manifest import check_tensors

    base = AutoModelForMaskedLM.from_pretrained(tiny_bert)
    config = check_tensors(trained[0] / "adapters" / f"nl-{name}", base)
    assert (config.peft_type, config.use_dora if name != "ia3" else None) == PEFT_TYPES[name]


@pytest.mark.e2e
@pytest.mark.parametrize("case", sorted(DORA_AND_IA3_DAMAGE))
def test_a_dora_or_ia3_tensor_that_does_not_fit_is_one_line_naming_the_module(case, trained, tiny_bert, tmp_path):
    from adapterkit.manifest import check_tensors

    name, change, expected = DORA_AND_IA3_DAMAGE[case]
    folder = _tampered(trained[0] / "adapters" / f"nl-{name}", tmp_path / "damaged", change)
    base = AutoModelForMaskedLM.from_pretrained(tiny_bert)
    with pytest.raises(AdapterkitError) as error:
        check_tensors(folder, base)
    message = str(error.value)
    assert expected in message and "encoder.layer." in message and "\n" not in message, message
