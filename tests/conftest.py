"""Shared fixtures: an isolated cache, a tiny BERT folder, and small corpora; shared factories.

The factories are plain functions (``from conftest import pretrain_config``), so that module- and
session-scoped fixtures can use them as well as tests.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

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
    return save_tiny_bert(tmp_path_factory.mktemp("tiny-bert"), embedded_path)


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
    root = tmp_path_factory.mktemp("tiny-adapters")
    corpus = root / "nl.txt"
    corpus.write_text("\n".join(nl_corpus.read_text(encoding="utf-8").splitlines()[:200]) + "\n", encoding="utf-8")
    for name in ("a", "b"):
        train_adapter(
            tiny_bert, corpus, root, name,
            max_steps=2, batch_size=4, max_seq_len=32, save_steps=2, heldout=0.1, seed=len(name) + ord(name),
        )  # fmt: skip
    return root / "adapters"


# --------------------------------------------------------------------------------------------- factories


def save_tiny_bert(folder: Path, tokenizer_from: Path, **config: Any) -> Path:
    """A 2-layer, hidden-32 BERT (seed 0) with ``tokenizer_from``'s tokenizer saved in ``folder``;
    ``config`` adds ``BertConfig`` settings (no dropout, ...)."""
    import torch
    from transformers import AutoTokenizer, BertConfig, BertForMaskedLM

    torch.manual_seed(0)
    config = BertConfig(
        vocab_size=30522,
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=128,
        **config,
    )
    BertForMaskedLM(config).save_pretrained(folder)
    AutoTokenizer.from_pretrained(tokenizer_from).save_pretrained(folder)
    return folder


def pretrain_config(base: Path | str, corpus: Path | list[Path], name: str, **settings: Any):
    """A ``PretrainConfig`` for a run of a few steps on a tiny BERT.

    What the tests' runs share: batch 8, no gradient accumulation, 64-token blocks; ``settings``
    set the rest (steps, learning rate, folders, ...) and override these.
    """
    from adapterkit.jobs.pretrain import PretrainConfig

    corpora = list(corpus) if isinstance(corpus, list | tuple) else [corpus]
    shared: dict[str, Any] = dict(corpus=corpora, name=name, base=str(base), batch_size=8, grad_accum=1, max_seq_len=64)
    return PretrainConfig(**(shared | settings))


def train_adapter(
    base: Path | str, corpus: Path | list[Path], root: Path, name: str, runs: str = "runs", **settings: Any
) -> Path:
    """Pre-train an adapter (``pretrain_config``) into ROOT/adapters/NAME, its run in ROOT/RUNS/NAME; its folder."""
    from adapterkit.jobs.pretrain import run_pretrain

    config = pretrain_config(base, corpus, name, registry=root / "adapters", work_dir=root / runs / name, **settings)
    return run_pretrain(config).destination


def load_script(path: Path) -> Iterator[Any]:
    """Import a script of scripts/ as a module (for a module-scoped fixture: yields it, then forgets it)."""
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    yield module
    sys.modules.pop(spec.name, None)
