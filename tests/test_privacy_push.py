"""push is private by default; a clinical adapter, or one trained on a private corpus, goes public only
with a recorded audit and --public; nothing uploaded holds a line of the training corpus (local fake Hub)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import train_adapter
from test_hub import FakeHub, hub  # noqa: F401 - the local Hub fixture

from adapterkit.cli import main
from adapterkit.manifest import MANIFEST
from adapterkit.privacy.audit import record_audit
from adapterkit.registry import Registry

AUDIT = {
    "created": "2026-01-01T00:00:00+00:00",
    "membership": {
        "auc": 0.512, "auc_low": 0.47, "auc_high": 0.55, "confidence": 0.95, "tpr_at_1pct_fpr": 0.012,
        "tpr_at_0.1pct_fpr": 0.0, "train_lines": 500, "heldout_lines": 500, "masks_per_line": 4, "method": "loss",
    },
    "canaries": {
        "count": 2, "repeats": 3, "candidates": 10000, "exposures": [1.2, 0.8], "mean_exposure": 1.0,
        "max_exposure": 1.2, "max_possible": 13.288,
    },
}  # fmt: skip


@pytest.fixture(scope="module")
def trained(tmp_path_factory, tiny_bert, nl_corpus) -> Path:
    """A clinical adapter (canaries planted), a private-corpus one, and a general one, on the tiny BERT."""
    root = tmp_path_factory.mktemp("private-push")
    lines = nl_corpus.read_text(encoding="utf-8").splitlines()
    (root / "notes.txt").write_text("\n".join(lines[:150]) + "\n", encoding="utf-8")
    (root / "general.txt").write_text("\n".join(lines[150:300]) + "\n", encoding="utf-8")
    settings = dict(max_steps=2, save_steps=2, max_seq_len=32, language=["nl"])
    clinical = dict(domain="clinical", canaries=2, canary_repeats=3)
    train_adapter(tiny_bert, root / "notes.txt", root, "clin", **clinical, **settings)
    train_adapter(tiny_bert, root / "general.txt", root, "secret", private_corpus=True, **settings)
    train_adapter(tiny_bert, root / "general.txt", root, "general", domain="biomedical", **settings)
    return root


@pytest.fixture
def registry(trained, tmp_path, monkeypatch) -> Path:
    target = tmp_path / "adapters"
    shutil.copytree(trained / "adapters", target)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ADAPTERKIT_REGISTRY", str(target))
    return target


def _error(capsys) -> str:
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and "\n" not in err, err
    return err


def test_a_new_repository_is_private_unless_public_is_given(hub: FakeHub, registry):  # noqa: F811
    assert main(["push", "general", "--repo", "team/general"]) == 0
    assert hub.repos["team/general"]["private"] is True
    assert main(["push", "general", "--repo", "team/general-open", "--public"]) == 0
    assert hub.repos["team/general-open"]["private"] is False


SENSITIVE = [("clin", "is a clinical-domain adapter"), ("secret", "corpus marked private")]


@pytest.mark.parametrize(("name", "why"), SENSITIVE)
def test_a_sensitive_adapter_goes_public_only_with_a_recorded_audit(
    hub: FakeHub, registry, capsys, name, why  # noqa: F811
):
    assert main(["push", name, "--repo", f"team/{name}", "--public"]) == 2
    err = _error(capsys)
    assert why in err and f"adapterkit audit {name}" in err
    assert f"team/{name}" not in hub.repos  # nothing created, nothing uploaded
    assert main(["push", name, "--repo", f"team/{name}-private"]) == 0  # private: no audit needed
    assert hub.repos[f"team/{name}-private"]["private"] is True

    record_audit(registry / name, Registry(registry), AUDIT)
    assert main(["push", name, "--repo", f"team/{name}", "--public"]) == 0
    assert hub.repos[f"team/{name}"]["private"] is False
    card = hub.tree(f"team/{name}")["README.md"].decode()
    assert "ROC AUC 0.512 (95.0 % bootstrap interval 0.470–0.550)" in card
    assert "0.5 lies inside the interval" in card and "Limits:" in card


def test_an_existing_public_repository_receiving_a_clinical_adapter_follows_the_same_rule(
    hub: FakeHub, registry, capsys  # noqa: F811
):
    hub.commit("team/open", {"README.md": b"# an older public model\n"})  # public, made elsewhere
    before = dict(hub.tree("team/open"))
    assert main(["push", "clin", "--repo", "team/open"]) == 2
    assert "existing public repository team/open" in _error(capsys)
    record_audit(registry / "clin", Registry(registry), AUDIT)
    assert main(["push", "clin", "--repo", "team/open"]) == 2  # audited, but --public not given
    assert "add --public" in _error(capsys)
    assert hub.tree("team/open") == before
    assert main(["push", "clin", "--repo", "team/open", "--public"]) == 0
    assert main(["push", "general", "--repo", "team/open"]) == 0  # not sensitive: the rule does not apply


def test_no_uploaded_file_holds_a_line_of_the_training_corpus_or_a_canary(hub: FakeHub, registry, trained):  # noqa: F811
    record_audit(registry / "clin", Registry(registry), AUDIT)
    assert main(["push", "clin", "--repo", "team/clin", "--public"]) == 0
    uploaded = hub.tree("team/clin")
    manifest = json.loads((registry / "clin" / MANIFEST).read_text())
    planted = manifest["private"]["canaries"]
    lines = [line.strip() for line in (trained / "notes.txt").read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(planted) == 2 and len(lines) > 100
    texts = {name: content.decode("utf-8", errors="replace") for name, content in uploaded.items()}
    for line in [*lines, *planted]:
        for name, text in texts.items():
            assert line not in text, f"{name} holds a training line"
    assert "private" not in json.loads(texts[MANIFEST])
    assert json.loads(texts[MANIFEST])["privacy"]["canaries"]["count"] == 2
