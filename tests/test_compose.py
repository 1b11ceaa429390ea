"""Composition: exact semantics of stack and merge, approximations, refusals, learned weights."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import torch
from conftest import train_adapter
from peft import PeftModel
from peft.tuners.lora import LoraLayer
from safetensors.torch import load_file, save_file
from transformers import AutoModelForMaskedLM, AutoTokenizer, BertConfig, BertForMaskedLM

from adapterkit.cli import main
from adapterkit.compose import ComposeRequest, run_compose
from adapterkit.registry import record_hashes

INPUT = {"input_ids": torch.tensor([[101, 7592, 2088, 2003, 1037, 3231, 2005, 1996, 5776, 102]])}


def _train(tiny_bert: Path, corpus: Path, root: Path, name: str, **overrides) -> Path:
    settings = dict(language=["nl"], domain="clinical", max_steps=4, save_steps=4, lr=5e-3)
    return train_adapter(tiny_bert, corpus, root, name, **(settings | overrides))


@pytest.fixture(scope="module")
def trained(tmp_path_factory, tiny_bert, nl_corpus) -> Path:
    """Two adapters on the tiny BERT with different ranks and different target modules."""
    root = tmp_path_factory.mktemp("compose")
    lines = nl_corpus.read_text(encoding="utf-8").split("\n")
    (root / "a.txt").write_text("\n".join(lines[:300]), encoding="utf-8")
    (root / "b.txt").write_text("\n".join(lines[300:600]), encoding="utf-8")
    _train(tiny_bert, root / "a.txt", root, "nl-a", lora_r=4, lora_alpha=8, lora_targets=["query", "value"])
    _train(tiny_bert, root / "b.txt", root, "nl-b", lora_r=8, lora_alpha=32, seed=7)
    return root


@pytest.fixture
def in_root(trained, monkeypatch):
    monkeypatch.chdir(trained)
    monkeypatch.setenv("ADAPTERKIT_REGISTRY", str(trained / "adapters"))
    return trained


def _logits(model) -> torch.Tensor:
    model.eval()
    with torch.no_grad():
        return model(**INPUT).logits


def _by_hand(tiny_bert: Path, registry: Path, weights: dict[str, float]) -> torch.Tensor:
    """W + Σ w_i s_i B_i A_i from the saved matrices and configs, without PEFT."""
    model = BertForMaskedLM.from_pretrained(tiny_bert)
    for name, weight in weights.items():
        config = json.loads((registry / name / "adapter_config.json").read_text())
        scaling = config["lora_alpha"] / config["r"]
        tensors = load_file(registry / name / "adapter_model.safetensors")
        for key, a in tensors.items():
            if key.endswith("lora_A.weight"):
                module = key.removeprefix("base_model.model.").removesuffix(".lora_A.weight")
                b = tensors[key.replace("lora_A", "lora_B")]
                with torch.no_grad():
                    model.get_submodule(module).weight += weight * scaling * (b @ a)
    return _logits(model)


def _compose(**settings) -> tuple[Path, dict]:
    return run_compose(ComposeRequest(**settings))


def test_stack_equals_the_sum_of_the_updates_computed_by_hand(in_root, tiny_bert):
    folder, manifest = _compose(adapters=["nl-a", "nl-b"], weights="1.0,0.5", name="ab")
    composed = PeftModel.from_pretrained(AutoModelForMaskedLM.from_pretrained(tiny_bert), folder)
    expected = _by_hand(tiny_bert, in_root / "adapters", {"nl-a": 1.0, "nl-b": 0.5})
    assert torch.allclose(_logits(composed), expected, atol=1e-5)
    assert not torch.allclose(expected, _logits(BertForMaskedLM.from_pretrained(tiny_bert)), atol=1e-3)
    assert manifest["kind"] == "composed" and manifest["composition"]["exact"]
    assert [(p["name"], p["weight"]) for p in manifest["composition"]["parts"]] == [("nl-a", 1.0), ("nl-b", 0.5)]


def test_stack_equals_peft_with_both_adapters_active(in_root, tiny_bert):
    folder, _ = _compose(adapters=["nl-a", "nl-b"], weights="1.0,0.5", name="ab-peft")
    both = PeftModel.from_pretrained(BertForMaskedLM.from_pretrained(tiny_bert), in_root / "adapters" / "nl-a", "a")
    both.load_adapter(in_root / "adapters" / "nl-b", adapter_name="b")
    both.base_model.set_adapter(["a", "b"])
    for module in both.modules():
        if isinstance(module, LoraLayer) and "b" in module.scaling:
            module.scaling["b"] *= 0.5  # the weight of nl-b
    composed = PeftModel.from_pretrained(BertForMaskedLM.from_pretrained(tiny_bert), folder)
    assert torch.allclose(_logits(composed), _logits(both), atol=1e-5)


def test_stack_is_independent_of_order_and_equals_the_merged_model(in_root, tiny_bert):
    ab, _ = _compose(adapters=["nl-a", "nl-b"], name="order-ab")
    ba, _ = _compose(adapters=["nl-b", "nl-a"], name="order-ba")
    merged, manifest = _compose(adapters=["nl-a", "nl-b"], how="merge", name="merged-ab")
    assert merged == Path("models") / "merged-ab" and manifest["kind"] == "model"
    first = _logits(PeftModel.from_pretrained(BertForMaskedLM.from_pretrained(tiny_bert), ab))
    second = _logits(PeftModel.from_pretrained(BertForMaskedLM.from_pretrained(tiny_bert), ba))
    plain = AutoModelForMaskedLM.from_pretrained(merged)
    assert type(plain) is BertForMaskedLM, "merge gives a plain transformers model"
    assert torch.allclose(first, second, atol=1e-5)
    assert torch.allclose(first, _logits(plain), atol=1e-5)


def test_svd_with_full_rank_is_exact_and_truncation_is_an_approximation(in_root, tiny_bert):
    stack, _ = _compose(adapters=["nl-a", "nl-b"], name="svd-stack")
    full, manifest = _compose(adapters=["nl-a", "nl-b"], how="svd", name="svd-full")
    low, _ = _compose(adapters=["nl-a", "nl-b"], how="svd", rank=1, name="svd-1")
    assert not manifest["composition"]["exact"] and "SVD" in manifest["composition"]["approximation"]

    def logits(folder):
        return _logits(PeftModel.from_pretrained(BertForMaskedLM.from_pretrained(tiny_bert), folder))

    reference = logits(stack)
    assert torch.allclose(logits(full), reference, atol=1e-4)
    assert not torch.allclose(logits(low), reference, atol=1e-4)
    config = json.loads((low / "adapter_config.json").read_text())
    assert config["r"] == 1


def test_ties_and_dare_are_recorded_as_approximations(in_root, tiny_bert, tmp_path):
    # TIES and DARE need the same modules on every part: nl-a+nl-b adapts exactly nl-b's modules.
    _compose(adapters=["nl-a", "nl-b"], name="ties-part", force=True)
    registry = in_root / "adapters"
    for how in ("ties", "dare"):
        folder, manifest = _compose(adapters=["nl-b", "ties-part"], how=how, density=0.3, name=f"{how}-b", force=True)
        assert manifest["composition"]["approximation"].startswith(how.upper())
        assert manifest["composition"]["density"] == 0.3
        PeftModel.from_pretrained(BertForMaskedLM.from_pretrained(tiny_bert), folder)  # loads with plain PEFT
    assert (registry / "ties-b" / "README.md").read_text().count("approximation") == 1


REFUSALS = {
    "unknown adapter": (["nl-a", "ghost"], "neither in the registry"),
    "weights count": (["nl-a", "nl-b", "--weights", "1,2,3"], "3 weight(s) for 2 adapters"),
    "weights not numbers": (["nl-a", "nl-b", "--weights", "one,two"], "--weights 'one,two'"),
    "task adapter": (["nl-a", "task-x"], "is a task adapter"),
    "different base": (["nl-a", "other-base"], "different bases"),
    "different modules for ties": (["nl-a", "nl-b", "--how", "ties"], "must adapt the same modules"),
    "one adapter": (["nl-a"], "at least two adapters"),
    "named twice": (["nl-a", "nl-a"], "named twice"),
    "unknown strategy": (["nl-a", "nl-b", "--how", "average"], "'--how': 'average' is not one of 'stack'"),
    "learned without text": (["nl-a", "nl-b", "--how", "learned"], "--how learned needs --on"),
    "existing name": (["nl-a", "nl-b", "--name", "nl-b"], "already exists"),
    "bad density": (["nl-a", "nl-b", "--how", "dare", "--density", "0"], "--density 0.0"),
}


@pytest.fixture
def refusal_registry(in_root, tiny_bert, tmp_path_factory):
    registry = in_root / "adapters"
    if not (registry / "task-x").exists():
        shutil.copytree(registry / "nl-a", registry / "task-x")
        manifest = json.loads((registry / "task-x" / "adapterkit.json").read_text())
        manifest.update(name="task-x", kind="task")
        (registry / "task-x" / "adapterkit.json").write_text(json.dumps(manifest))
    if not (registry / "other-base").exists():
        other = tmp_path_factory.mktemp("other-bert")
        torch.manual_seed(1)
        config = BertConfig.from_pretrained(tiny_bert)
        BertForMaskedLM(config).save_pretrained(other)
        AutoTokenizer.from_pretrained(tiny_bert).save_pretrained(other)
        _train(other, in_root / "a.txt", in_root, "other-base", max_steps=1, save_steps=1)
    return registry


@pytest.mark.parametrize("case", REFUSALS, ids=list(REFUSALS))
def test_compose_refusals_exit_2_with_one_line(case, refusal_registry, capsys):
    args, expected = REFUSALS[case]
    before = sorted(p.name for p in refusal_registry.iterdir())
    assert main(["compose", *args]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: ") and expected in err[0], err
    assert sorted(p.name for p in refusal_registry.iterdir()) == before


@pytest.mark.e2e
def test_learned_weights_beat_equal_weights_when_the_case_needs_unequal_ones(tmp_path, nl_corpus):
    # On the embedded MiniLM: "good" is a short Dutch adapter (with its new head), "noise" is
    # good with random B matrices: a part that can only hurt. Equal weights keep the noise in
    # full; the best weights are unequal (noise near 0).
    lines = nl_corpus.read_text(encoding="utf-8").split("\n")
    (tmp_path / "target.txt").write_text("\n".join(lines[:800]), encoding="utf-8")
    registry = tmp_path / "adapters"
    _train("minilm", tmp_path / "target.txt", tmp_path, "good", max_steps=30, save_steps=30, lr=1e-3)
    shutil.copytree(registry / "good", registry / "noise")
    tensors = load_file(registry / "noise" / "adapter_model.safetensors")
    generator = torch.Generator().manual_seed(0)
    noisy = {k: torch.randn(v.shape, generator=generator) * 0.15 if "lora_B" in k else v for k, v in tensors.items()}
    save_file(noisy, registry / "noise" / "adapter_model.safetensors")
    manifest = json.loads((registry / "noise" / "adapterkit.json").read_text())
    (registry / "noise" / "adapterkit.json").write_text(json.dumps({**manifest, "name": "noise"}))
    record_hashes(registry / "noise")  # the weights were changed on purpose: record their new sha256

    _, manifest = _compose(
        adapters=["good", "noise"],
        how="learned",
        on=[tmp_path / "target.txt"],
        steps=30,
        lr=0.1,
        max_seq_len=64,
        registry=registry,
        name="learned",
    )
    learned = manifest["composition"]["learned"]
    assert learned["perplexity_learned"] < 0.9 * learned["perplexity_start"], learned
    good, noise = (part["weight"] for part in manifest["composition"]["parts"])
    assert abs(noise) < 0.5 and good > 0.5, (good, noise)


def test_eval_mlm_writes_the_matrix_with_the_best_variant_per_corpus(in_root, capsys):
    _compose(adapters=["nl-a", "nl-b"], name="nl-a+nl-b", force=True)
    args = ["eval-mlm", "base", "nl-a", "nl-b", "nl-a+nl-b", "nl-b+nl-a"]
    args += ["--corpus", str(in_root / "a.txt"), "--corpus", str(in_root / "b.txt"), "--max-seq-len", "64"]
    args += ["--output", "m.csv", "--output", "m.json", "--output", "m.md"]
    assert main(args) == 0
    result = json.loads(Path("m.json").read_text())
    rows = {row["variant"]: row for row in result["perplexity"]}
    assert set(rows) == {"base", "nl-a", "nl-b", "nl-a+nl-b", "nl-b+nl-a"}
    # the registry composition and the inline stack in the other order are the same model
    assert rows["nl-a+nl-b"]["a"] == pytest.approx(rows["nl-b+nl-a"]["a"], rel=1e-4)
    for corpus in ("a", "b"):
        lowest = min(row[corpus] for row in rows.values())  # the two stacks tie up to float32 rounding
        assert rows[result["best"][corpus]][corpus] == pytest.approx(lowest, rel=1e-5)
        assert rows[result["best"][corpus]][corpus] < rows["base"][corpus]
    assert Path("m.csv").read_text().startswith("variant,a,b\n")
    assert "**" in Path("m.md").read_text()
    assert "*" in capsys.readouterr().out


def test_eval_mlm_rejects_an_unknown_output_format_before_any_work(in_root, capsys):
    assert main(["eval-mlm", "base", "--corpus", str(in_root / "a.txt"), "--output", "m.xlsx"]) == 2
    assert "--output m.xlsx" in capsys.readouterr().err
