"""Shared fixtures: an isolated cache, a tiny BERT folder, and small corpora."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# Nothing in the tests may reach a model hub.
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


@pytest.fixture(scope="session", autouse=True)
def isolated_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Materialised bases and tokenized corpora go to a per-session folder."""
    cache = tmp_path_factory.mktemp("adapterkit-cache")
    os.environ["ADAPTERKIT_CACHE"] = str(cache)
    from adapterkit.commands.common import quiet_libraries

    quiet_libraries()
    return cache


@pytest.fixture(scope="session")
def embedded_path(isolated_cache: Path) -> Path:
    from adapterkit.models import materialise_embedded

    return materialise_embedded()


@pytest.fixture(scope="session")
def tiny_bert(tmp_path_factory: pytest.TempPathFactory, embedded_path: Path) -> Path:
    """A 2-layer, hidden-32 BERT with the embedded model's tokenizer, as a local model folder."""
    import torch
    from transformers import AutoTokenizer, BertConfig, BertForMaskedLM

    folder = tmp_path_factory.mktemp("tiny-bert")
    torch.manual_seed(0)
    config = BertConfig(
        vocab_size=30522,
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=128,
    )
    BertForMaskedLM(config).save_pretrained(folder)
    AutoTokenizer.from_pretrained(embedded_path).save_pretrained(folder)
    return folder


@pytest.fixture(scope="session")
def nl_corpus() -> Path:
    from adapterkit.paths import STANDIN_CORPORA_DIR

    return STANDIN_CORPORA_DIR / "nl-clin.txt"


@pytest.fixture
def small_corpus(tmp_path: Path, nl_corpus: Path) -> Path:
    """The first 400 lines of the Dutch clinical stand-in corpus."""
    lines = nl_corpus.read_text(encoding="utf-8").splitlines()[:400]
    path = tmp_path / "nl-small.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run in an empty folder: ./adapters, ./models and ./runs land there."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ADAPTERKIT_REGISTRY", raising=False)
    return tmp_path


@pytest.fixture(scope="session")
def tiny_adapters(tiny_bert: Path, tmp_path_factory: pytest.TempPathFactory, nl_corpus: Path) -> Path:
    """A registry with two LoRA adapters ``a`` and ``b`` on the tiny BERT (2 steps each, other seeds).

    Shared by the session: copy it before changing anything in it.
    """
    from adapterkit.pretrain import PretrainConfig, run_pretrain

    root = tmp_path_factory.mktemp("tiny-adapters")
    corpus = root / "nl.txt"
    corpus.write_text("\n".join(nl_corpus.read_text(encoding="utf-8").splitlines()[:200]) + "\n", encoding="utf-8")
    for name in ("a", "b"):
        config = PretrainConfig(
            corpus=[corpus],
            name=name,
            base=str(tiny_bert),
            max_steps=2,
            batch_size=4,
            grad_accum=1,
            max_seq_len=32,
            save_steps=2,
            heldout=0.1,
            registry=root / "adapters",
            work_dir=root / "runs" / name,
            seed=len(name) + ord(name),
        )
        run_pretrain(config)
    return root / "adapters"
