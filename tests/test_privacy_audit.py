"""`adapterkit audit` end to end: a model over-trained on a few lines is caught (membership AUC and
canary exposure clearly high), a normally trained one is not (0.5 inside the AUC interval); the
audit is recorded in the manifest and on the card; compositions are audited against their parts."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import train_adapter

from adapterkit.cli import main
from adapterkit.manifest import MANIFEST, read_adapter_manifest
from adapterkit.privacy.audit import AuditRequest, run_audit
from adapterkit.privacy.membership import recover_split

pytestmark = pytest.mark.e2e


def _corpus(nl_corpus: Path, folder: Path, name: str, first: int, last: int) -> Path:
    path = folder / name
    lines = nl_corpus.read_text(encoding="utf-8").splitlines()[first:last]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def adapters(tmp_path_factory, tiny_bert, nl_corpus) -> Path:
    """``over``: the tiny BERT trained (--full) for many epochs on 20 lines (and 2 canaries ×10);
    ``lora-over``: a rank-32 LoRA adapter on every linear layer (and the head transform) over-trained
    on the same lines and canaries; ``normal`` and ``other``: LoRA adapters on it, one pass over a few
    hundred lines (1 canary, once).

    A LoRA adapter on the tiny BERT (hidden 32, frozen random embeddings and tied decoder) does not
    lower its lines' loss in a test's time (benchmarks/RESULTS.md), so the membership attack is tested
    on the model that trains all its weights; the over-trained LoRA adapter's canaries are memorised.
    """
    root = tmp_path_factory.mktemp("audit")
    few = _corpus(nl_corpus, root, "few.txt", 0, 40)
    train_adapter(
        tiny_bert, few, root, "over", full=True, output=root / "models" / "over", max_steps=150, lr=5e-3,
        heldout=0.5, block_mode="line", max_seq_len=32, mlm_probability=0.3, canaries=2, canary_repeats=10,
        language=["nl"], domain="clinical", save_steps=1000,
    )  # fmt: skip
    train_adapter(
        tiny_bert, few, root, "lora-over", max_steps=150, lr=1e-2, heldout=0.5, block_mode="line", max_seq_len=32,
        mlm_probability=0.3, canaries=2, canary_repeats=10, language=["nl"], domain="clinical", save_steps=1000,
        lora_r=32, lora_alpha=32, lora_dropout=0.0, train_head="yes",
        lora_targets=["query", "key", "value", "attention-output", "intermediate", "output"],
    )  # fmt: skip
    many = _corpus(nl_corpus, root, "many.txt", 100, 500)
    settings = dict(epochs=1, heldout=0.25, block_mode="line", max_seq_len=32, language=["nl"], save_steps=1000)
    train_adapter(tiny_bert, many, root, "normal", canaries=1, canary_repeats=1, **settings)
    train_adapter(tiny_bert, _corpus(nl_corpus, root, "more.txt", 600, 800), root, "other", seed=3, **settings)
    return root


@pytest.fixture
def registry(adapters, tmp_path, monkeypatch) -> Path:
    target = tmp_path / "adapters"
    shutil.copytree(adapters / "adapters", target)
    shutil.copytree(adapters / "models", tmp_path / "models")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ADAPTERKIT_REGISTRY", str(target))
    return target


def test_a_model_over_trained_on_a_few_lines_is_caught_and_the_audit_is_recorded(registry, capsys):
    folder = registry.parent / "models" / "over"
    assert main(["audit", str(folder), "--lines", "100"]) == 0
    out = capsys.readouterr().out
    assert "membership inference: AUC" in out and "canaries: 2 ranked among 10,000 candidates" in out
    manifest = json.loads((folder / MANIFEST).read_text())
    audit = manifest["privacy"]["audit"]
    membership, canaries = audit["membership"], audit["canaries"]
    assert membership["auc"] > 0.8 and membership["auc_low"] > 0.6, membership
    assert canaries["max_exposure"] > 8 and canaries["max_possible"] == pytest.approx(13.288, abs=1e-3), canaries
    assert membership["train_lines"] == membership["heldout_lines"] >= 15
    card = (folder / "README.md").read_text()
    assert f"ROC AUC {membership['auc']:.3f}" in card and "excludes 0.5" in card
    assert f"highest {canaries['max_exposure']:.1f} bits" in card
    for line in manifest["private"]["canaries"]:
        assert line not in card and line not in out


def test_the_canaries_of_a_lora_adapter_over_trained_on_a_few_lines_are_exposed(registry, capsys):
    assert main(["audit", "lora-over", "--lines", "100"]) == 0
    out = capsys.readouterr().out
    manifest = json.loads((registry / "lora-over" / MANIFEST).read_text())
    assert manifest["hyperparameters"]["mode"] == "lora" and manifest["hyperparameters"]["lora_r"] == 32
    canaries = manifest["privacy"]["audit"]["canaries"]
    # ranked first or nearly among 10,000 numbers (13.3 bits: first); not memorised is about 1 bit
    assert canaries["max_exposure"] > 8 and canaries["mean_exposure"] > 6, canaries
    assert f"highest {canaries['max_exposure']:.1f}" in out
    card = (registry / "lora-over" / "README.md").read_text()
    assert f"highest {canaries['max_exposure']:.1f} bits" in card
    for line in manifest["private"]["canaries"]:
        assert line not in card and line not in out


def test_a_normally_trained_adapter_is_not_told_apart_from_chance(registry):
    audit = run_audit(AuditRequest("normal", lines=100)).audit
    membership = audit["membership"]
    assert membership["auc_low"] <= 0.5 <= membership["auc_high"], membership
    heldout = len(recover_split(read_adapter_manifest(registry / "normal" / MANIFEST)).heldout)
    assert membership["train_lines"] == membership["heldout_lines"] == min(100, heldout) >= 80
    assert audit["canaries"]["max_exposure"] < 8, audit["canaries"]


def test_a_composition_is_audited_against_its_parts_lines_and_a_missing_corpus_is_one_line(registry, capsys):
    assert main(["compose", "normal", "other", "--name", "both"]) == 0
    result = run_audit(AuditRequest("both", lines=200, record=False))
    parts = [recover_split(read_adapter_manifest(registry / name / MANIFEST)) for name in ("normal", "other")]
    union = sum(len(split.heldout) for split in parts)
    assert result.audit["membership"]["heldout_lines"] == min(200, union) > len(parts[0].heldout)
    assert "canaries" in result.audit  # normal's canary
    (registry.parent / "gone").mkdir()
    moved = json.loads((registry / "other" / MANIFEST).read_text())
    moved["corpus"]["files"][0]["path"] = str(registry.parent / "gone" / "more.txt")
    (registry / "other" / MANIFEST).write_text(json.dumps(moved))
    assert main(["audit", "other"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: other: training corpus file") and "--corpus" in err and "\n" not in err
