"""Stack and merge of the same parts and weights are the same model: same logits, same held-out
perplexity on the same masked positions, with and without heads the parts train in full."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from conftest import train_adapter
from peft import PeftModel
from peft.tuners.lora import LoraLayer
from safetensors.torch import load_file
from transformers import AutoModelForMaskedLM, BertForMaskedLM

from adapterkit.compose import ComposeRequest, run_compose
from adapterkit.factors import HEAD_RULE
from adapterkit.jobs.evalmlm import evaluate_matrix
from adapterkit.registry import Registry

INPUT = {"input_ids": torch.tensor([[101, 7592, 2088, 2003, 1037, 3231, 2005, 1996, 5776, 102]])}
HEAD = "cls.predictions.transform"
PAIRS = {"heads": ("ha", "hb"), "no-heads": ("na", "nb")}


@pytest.fixture(scope="module")
def registry(tmp_path_factory, tiny_bert, nl_corpus) -> Path:
    """Two pairs of adapters on the tiny BERT: one pair also trains the MLM head transform, one does not."""
    root = tmp_path_factory.mktemp("stack-merge")
    lines = nl_corpus.read_text(encoding="utf-8").splitlines()
    (root / "a.txt").write_text("\n".join(lines[:200]) + "\n", encoding="utf-8")
    (root / "b.txt").write_text("\n".join(lines[200:400]) + "\n", encoding="utf-8")
    for train_head, (first, second) in (("yes", PAIRS["heads"]), ("no", PAIRS["no-heads"])):
        for name, corpus, extra in (
            (first, "a.txt", dict(lora_r=4, lora_alpha=8, lora_targets=["query", "value"])),
            (second, "b.txt", dict(lora_r=8, lora_alpha=32, seed=7)),
        ):
            train_adapter(
                tiny_bert, root / corpus, root, name,
                language=["nl"], max_steps=2, max_seq_len=32, save_steps=2,
                lr=5e-2,  # large on purpose: parts and heads far from the base and from each other
                train_head=train_head, **extra,
            )  # fmt: skip
    return root / "adapters"


@pytest.fixture
def in_root(registry, monkeypatch) -> Path:
    monkeypatch.chdir(registry.parent)
    monkeypatch.setenv("ADAPTERKIT_REGISTRY", str(registry))
    return registry.parent


def _logits(model) -> torch.Tensor:
    model.eval()
    with torch.no_grad():
        return model(**INPUT).logits


def _stack_and_merge(parts: tuple[str, str], weights: str, tag: str) -> tuple[Path, dict, Path, dict]:
    stack, stack_manifest = run_compose(ComposeRequest(adapters=list(parts), weights=weights, name=f"stack-{tag}"))
    merged, merged_manifest = run_compose(
        ComposeRequest(adapters=list(parts), weights=weights, how="merge", name=f"merged-{tag}")
    )
    return stack, stack_manifest, merged, merged_manifest


def _by_hand(tiny_bert: Path, registry: Path, weights: dict[str, float], head_from: str | None = None) -> torch.Tensor:
    """W + Σ w_i s_i B_i A_i, head = Σ w_i H_i / Σ w_i (or ``head_from``'s head alone), from the saved
    files, without PEFT or adapterkit."""
    model = BertForMaskedLM.from_pretrained(tiny_bert)
    heads: dict[str, torch.Tensor] = {}
    total = 0.0
    for name, weight in weights.items():
        config = json.loads((registry / name / "adapter_config.json").read_text())
        tensors = load_file(registry / name / "adapter_model.safetensors")
        for key, a in tensors.items():
            if key.endswith("lora_A.weight"):
                module = key.removeprefix("base_model.model.").removesuffix(".lora_A.weight")
                b = tensors[key.replace("lora_A", "lora_B")]
                with torch.no_grad():
                    model.get_submodule(module).weight += weight * config["lora_alpha"] / config["r"] * (b @ a)
            elif f"{HEAD}." in key and head_from in (None, name):
                local = key.removeprefix("base_model.model.")
                heads[local] = heads.get(local, 0) + weight * tensors[key]
        total += weight if head_from in (None, name) else 0.0
    state = model.state_dict()
    assert not heads or set(heads) <= set(state), sorted(heads)
    with torch.no_grad():
        for key, value in heads.items():
            state[key].copy_(value / total)
    return _logits(model)


@pytest.mark.parametrize("case", ["heads", "no-heads"])
def test_stack_and_merge_give_the_same_logits_as_the_sum_computed_by_hand(case, in_root, tiny_bert):
    registry = in_root / "adapters"
    parts = PAIRS[case]
    heads_trained = bool(json.loads((registry / parts[0] / "adapter_config.json").read_text()).get("modules_to_save"))
    assert heads_trained == (case == "heads")
    stack, stack_manifest, merged, merged_manifest = _stack_and_merge(parts, "1.0,0.5", f"logits-{case}")
    stacked = _logits(PeftModel.from_pretrained(BertForMaskedLM.from_pretrained(tiny_bert), stack))
    folded = _logits(AutoModelForMaskedLM.from_pretrained(merged))
    expected = _by_hand(tiny_bert, registry, {parts[0]: 1.0, parts[1]: 0.5})
    assert (stacked - folded).abs().max() < 1e-5
    assert (stacked - expected).abs().max() < 1e-5
    assert (folded - expected).abs().max() < 1e-5
    base = _logits(BertForMaskedLM.from_pretrained(tiny_bert))
    assert (expected - base).abs().max() > 1e-2, "the parts must change the model, or equality says nothing"
    for folder, manifest in ((stack, stack_manifest), (merged, merged_manifest)):  # both record the one head rule
        recorded = manifest["composition"].get("heads")
        assert recorded == ({"modules": [HEAD], "rule": HEAD_RULE} if heads_trained else None)
        assert (HEAD_RULE in (folder / "README.md").read_text()) == heads_trained


def test_with_two_trained_heads_the_composition_uses_their_mean_not_either_head(in_root, tiny_bert):
    registry = in_root / "adapters"
    first, second = PAIRS["heads"]
    stack, _, merged, _ = _stack_and_merge(PAIRS["heads"], "1.0,1.0", "mean")
    stacked = _logits(PeftModel.from_pretrained(BertForMaskedLM.from_pretrained(tiny_bert), stack))
    assert (stacked - _logits(AutoModelForMaskedLM.from_pretrained(merged))).abs().max() < 1e-5
    assert (stacked - _by_hand(tiny_bert, registry, {first: 1.0, second: 1.0})).abs().max() < 1e-5
    for only in (first, second):  # the same LoRA sum with one part's head alone is another model
        one_head = _by_hand(tiny_bert, registry, {first: 1.0, second: 1.0}, head_from=only)
        assert (stacked - one_head).abs().max() > 1e-3


def test_without_trained_heads_stack_and_merge_equal_peft_with_both_adapters_active(in_root, tiny_bert):
    registry = in_root / "adapters"
    first, second = PAIRS["no-heads"]
    stack, _, merged, _ = _stack_and_merge(PAIRS["no-heads"], "1.0,0.5", "peft")
    both = PeftModel.from_pretrained(BertForMaskedLM.from_pretrained(tiny_bert), registry / first, "a")
    both.load_adapter(registry / second, adapter_name="b")
    both.base_model.set_adapter(["a", "b"])
    for module in both.modules():
        if isinstance(module, LoraLayer) and "b" in module.scaling:
            module.scaling["b"] *= 0.5  # the weight of the second part
    peft_logits = _logits(both)
    stacked = _logits(PeftModel.from_pretrained(BertForMaskedLM.from_pretrained(tiny_bert), stack))
    assert (stacked - peft_logits).abs().max() < 1e-5
    assert (_logits(AutoModelForMaskedLM.from_pretrained(merged)) - peft_logits).abs().max() < 1e-5


def test_peft_refuses_several_active_trained_heads_which_is_why_the_mean_is_the_rule(in_root, tiny_bert):
    registry = in_root / "adapters"
    first, second = PAIRS["heads"]
    both = PeftModel.from_pretrained(BertForMaskedLM.from_pretrained(tiny_bert), registry / first, "a")
    both.load_adapter(registry / second, adapter_name="b")
    with pytest.raises(ValueError, match="modules_to_save"):
        both.base_model.set_adapter(["a", "b"])


@pytest.mark.parametrize("case", ["heads", "no-heads"])
def test_heldout_perplexity_of_stack_merge_and_inline_stack_is_the_same(case, in_root):
    parts = PAIRS[case]
    _stack_and_merge(parts, "1.0,1.0", f"ppl-{case}")
    variants = [f"stack-ppl-{case}", f"models/merged-ppl-{case}", "+".join(parts), parts[0]]
    matrix = evaluate_matrix(variants, [in_root / "a.txt"], Registry(in_root / "adapters"), max_seq_len=32, heldout=0.1)
    assert matrix.masked_tokens[0] > 0  # every row scored on these same masked positions
    stack, merged, inline, single = (row[0] for row in matrix.perplexity)
    assert merged == pytest.approx(stack, rel=1e-5)
    assert inline == pytest.approx(stack, rel=1e-5)
    assert abs(single - stack) / stack > 1e-4, "one part alone is another model: the comparison can fail"
    notes = "\n".join(matrix.notes)
    assert "agree to float32 rounding" in notes and all(spec in matrix.notes[0] for spec in variants[:3])
    assert (HEAD_RULE in notes) == (case == "heads")
    if case == "heads":
        assert all(any(note.startswith(f"{spec}:") for note in matrix.notes) for spec in variants[:3])
    assert all(note in matrix.to_markdown() for note in matrix.notes)
    assert json.loads(matrix.to_json())["notes"] == matrix.notes


def test_the_matrix_does_not_crown_a_stack_or_its_merge_by_rounding_noise():
    from adapterkit.jobs.evalmlm import Matrix

    # the demo's es-clin column: stack and merge differ by 2.4e-7 relative, the merge was bold alone
    matrix = Matrix(["nl-clin", "stack", "merged"], ["es"], [[8735.92], [6514.222974], [6514.221408]], [100])
    assert matrix.best(0) == 1, "the first listed of the tied rows"
    assert matrix.tied_best(0) == [1, 2]
    rows = matrix.to_markdown().splitlines()
    assert rows[3] == "| stack | **6,514.22** |" and rows[4] == "| merged | **6,514.22** |"
    assert rows[2] == "| nl-clin | 8,735.92 |"
    assert json.loads(matrix.to_json())["best"] == {"es": "stack"}
    apart = Matrix(["x", "y"], ["es"], [[100.0], [100.01]], [100])  # 1e-4 apart: a real difference
    assert apart.tied_best(0) == [0]
