"""Written weights, manifests, checkpoints and reports get the permissions the user's umask asks for.

safetensors writes its files ``-rw-------`` whatever the umask: on a shared cluster colleagues could
list an adapter but not load it. Under umask 022 every file adapterkit writes must be 0644 and
every folder 0755; under 077, 0600 and 0700 (the umask is the user's choice in both directions).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from adapterkit.atomic import current_umask, share_as_umask
from adapterkit.cli import main
from adapterkit.paths import PACKAGE_DIR


@pytest.fixture(params=[0o022, 0o077], ids=["umask022", "umask077"])
def umask(request):
    before = os.umask(request.param)
    yield request.param
    os.umask(before)


def _modes(folder: Path) -> dict[str, int]:
    return {str(p.relative_to(folder)): stat.S_IMODE(p.lstat().st_mode) for p in [folder, *folder.rglob("*")]}


def _wrong(folder: Path, mask: int) -> dict[str, str]:
    """Paths under ``folder`` whose bits are not those open()/mkdir() give under ``mask``."""
    wrong = {}
    for path, mode in _modes(folder).items():
        expected = 0o777 & ~mask if (folder / path).is_dir() else 0o666 & ~mask
        if mode != expected:
            wrong[path] = f"{mode:o} (expected {expected:o})"
    return wrong


def test_results_checkpoints_and_reports_follow_the_umask(umask, tiny_bert, small_corpus, workdir):
    assert current_umask() == umask
    pretrain = ["pretrain", "--base", str(tiny_bert), "--corpus", str(small_corpus), "--name", "nl"]
    pretrain += ["--max-steps", "2", "--save-steps", "1", "--max-seq-len", "32", "--keep-checkpoints"]
    assert main(pretrain) == 0
    blocks = (PACKAGE_DIR / "data" / "tasks" / "ro-ner.conll").read_text(encoding="utf-8").split("\n\n")
    data = workdir / "ner.conll"
    data.write_text("\n\n".join(blocks[:8]) + "\n", encoding="utf-8")
    finetune = ["finetune", "--data", str(data), "--base", str(tiny_bert), "--variant", "nl", "--name", "ner"]
    assert main([*finetune, "--max-steps", "1", "--max-seq-len", "32", "--keep-checkpoints"]) == 0
    assert main(["predict", "models/ner", "--input", str(data), "--output", "predicted"]) == 0

    adapter = workdir / "adapters" / "nl"
    assert (adapter / "adapter_model.safetensors").is_file()
    assert list((workdir / "runs" / "pretrain" / "nl" / "checkpoints").glob("checkpoint-*/*.safetensors"))
    assert list((workdir / "models" / "ner").glob("*.safetensors"))
    for folder in ("adapters/nl", "runs/pretrain", "models/ner", "runs/finetune", "predicted"):
        assert _wrong(workdir / folder, umask) == {}, folder


def test_share_as_umask_never_follows_a_link(tmp_path, umask):
    outside = tmp_path / "outside.txt"
    outside.write_text("x")
    outside.chmod(0o600)
    folder = tmp_path / "result"
    folder.mkdir()
    (folder / "weights.safetensors").write_bytes(b"0")
    (folder / "weights.safetensors").chmod(0o600)
    (folder / "link").symlink_to(outside)
    share_as_umask(folder)
    assert stat.S_IMODE(outside.stat().st_mode) == 0o600, "a link's target is not the folder's to change"
    assert stat.S_IMODE((folder / "weights.safetensors").stat().st_mode) == 0o666 & ~umask
