"""End to end through the installed console script, on the embedded MiniLM."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e


def _adapterkit(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "adapterkit", *args]
    # stdin is no terminal, as in scripts: nothing may wait for an answer (adapters rm asks only at a terminal)
    return subprocess.run(
        command, cwd=cwd, capture_output=True, text=True, env=os.environ.copy(), timeout=600, stdin=subprocess.DEVNULL
    )


def test_lora_and_full_pretraining_on_the_embedded_model(workdir, nl_corpus):
    common = ["--base", "minilm", "--corpus", str(nl_corpus), "--max-seq-len", "64", "--max-steps", "8"]
    common += ["--batch-size", "8", "--grad-accum", "1", "--language", "nl", "--domain", "clinical"]
    lora = _adapterkit("pretrain", "--name", "nl-clin", *common, cwd=workdir)
    assert lora.returncode == 0, lora.stderr
    assert "no pretrained MLM head; the head is new" in lora.stdout
    assert "held-out perplexity: base" in lora.stdout
    manifest = json.loads((workdir / "adapters" / "nl-clin" / "adapterkit.json").read_text())
    assert manifest["base"]["id"] == "minilm" and manifest["base"]["mlm_head"] == "new"
    assert manifest["hyperparameters"]["trained_head_modules"] == ["cls.predictions.transform"]
    assert manifest["perplexity"]["after"] < manifest["perplexity"]["before"]

    full = _adapterkit("pretrain", "--full", "--name", "nl-clin-full", *common, cwd=workdir)
    assert full.returncode == 0, full.stderr
    assert (workdir / "models" / "nl-clin-full" / "model.safetensors").is_file()

    listing = _adapterkit("adapters", "list", cwd=workdir)
    assert listing.returncode == 0 and "nl-clin" in listing.stdout and "clinical" in listing.stdout
    shown = _adapterkit("adapters", "show", "nl-clin", cwd=workdir)
    assert json.loads(shown.stdout.split("\n", 1)[1])["name"] == "nl-clin"
    removed = _adapterkit("adapters", "rm", "nl-clin", cwd=workdir)
    assert removed.returncode == 0 and not (workdir / "adapters" / "nl-clin").exists()


def test_every_command_has_help_text(workdir):
    for command in (["--help"], ["pretrain", "--help"], ["adapters", "--help"], ["adapters", "list", "--help"]):
        result = _adapterkit(*command, cwd=workdir)
        assert result.returncode == 0 and "Usage:" in result.stdout
