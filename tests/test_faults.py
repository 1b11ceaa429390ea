"""Faults: kill -9 during training then --resume; corrupted weights on load; no pickles from outside.

Each resume test starts the real CLI (``python -m adapterkit``) twice at once on the tiny BERT:
an uninterrupted reference run and a run that is killed with SIGKILL at a seeded random moment
after its first checkpoint exists; the killed run is then continued with ``--resume`` and its
final weights must equal the reference's (CPU, same seed).
"""

from __future__ import annotations

import json
import os
import random
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file

from adapterkit.cli import main
from adapterkit.paths import PACKAGE_DIR

ROOT = Path(__file__).resolve().parents[1]


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1", "CUDA_VISIBLE_DEVICES": ""}


def _start(args: list[str], cwd: Path, log: Path) -> subprocess.Popen:
    cwd.mkdir(parents=True, exist_ok=True)
    handle = open(log, "a")  # noqa: SIM115 - closed with the process by the caller
    return subprocess.Popen(
        [sys.executable, "-m", "adapterkit", *args], cwd=cwd, env=_env(), stdout=handle, stderr=subprocess.STDOUT
    )


def _finish(process: subprocess.Popen, log: Path, timeout: float = 600) -> None:
    assert process.wait(timeout=timeout) == 0, log.read_text()[-3000:]


def _kill_after(process: subprocess.Popen, exists, seed: int, log: Path, spread: float = 1.0) -> float:
    """SIGKILL ``process`` at a seeded random moment after ``exists()`` first holds; returns the delay."""
    deadline = time.time() + 600
    while not exists():
        assert process.poll() is None, f"the run ended before its first checkpoint:\n{log.read_text()[-3000:]}"
        assert time.time() < deadline
        time.sleep(0.02)
    delay = random.Random(seed).uniform(0.0, spread)
    time.sleep(delay)
    assert process.poll() is None, f"the run finished before the kill (delay {delay:.2f} s): use more steps"
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=60)
    return delay


def _checkpoint_in(folder: Path):
    """A *complete* checkpoint is in ``folder`` (the Trainer writes trainer_state.json last): a kill
    before that point rightly restarts the run, and on a loaded machine it can land there."""
    return lambda: (
        folder.is_dir()
        and any(
            re.fullmatch(r"checkpoint-\d+", p.name) and (p / "trainer_state.json").is_file() for p in folder.iterdir()
        )
    )


def _assert_same_tensors(expected_file: Path, got_file: Path) -> None:
    expected, got = load_file(expected_file), load_file(got_file)
    assert expected.keys() == got.keys()
    for key in expected:
        difference = (expected[key].float() - got[key].float()).abs().max().item() if expected[key].numel() else 0.0
        assert difference <= 1e-6, f"{key}: max difference {difference}"


def _pretrain_args(tiny_bert: Path, corpus: Path, full: bool) -> list[str]:
    args = ["pretrain", "--base", str(tiny_bert), "--corpus", str(corpus), "--name", "nl", "--max-steps", "24"]
    args += ["--save-steps", "4", "--batch-size", "8", "--grad-accum", "1", "--max-seq-len", "32", "--lr", "2e-3"]
    args += ["--heldout", "0.1", "--logging-steps", "5"]
    return args + (["--full"] if full else [])


@pytest.mark.e2e
@pytest.mark.parametrize("full", [False, True], ids=["lora", "full"])
def test_pretrain_killed_at_random_resumes_to_the_uninterrupted_weights(tiny_bert, small_corpus, tmp_path, full):
    args = _pretrain_args(tiny_bert, small_corpus, full)
    reference = _start(args, tmp_path / "reference", tmp_path / "reference.log")
    killed = _start(args, tmp_path / "killed", tmp_path / "killed.log")
    _kill_after(
        killed, _checkpoint_in(tmp_path / "killed" / "runs/pretrain/nl/checkpoints"), 5 + full, tmp_path / "killed.log"
    )
    result = Path("models/nl/model.safetensors") if full else Path("adapters/nl/adapter_model.safetensors")
    assert not (tmp_path / "killed" / result).exists(), "a killed run saves nothing"
    resumed = _start([*args, "--resume"], tmp_path / "killed", tmp_path / "resumed.log")
    _finish(resumed, tmp_path / "resumed.log")
    _finish(reference, tmp_path / "reference.log")
    _assert_same_tensors(tmp_path / "reference" / result, tmp_path / "killed" / result)
    manifest = json.loads((tmp_path / "killed" / result.parent / "adapterkit.json").read_text())
    assert re.search(r"checkpoint-\d+$", manifest["training"]["resumed_from"])
    assert manifest["sha256"][result.name]  # the resumed result's hash is recorded like any other


def _ner_data(tmp_path: Path, sentences: int) -> Path:
    """The first ``sentences`` sentences of the Romanian stand-in NER data (MoNERo layout)."""
    blocks = (PACKAGE_DIR / "data" / "tasks" / "ro-ner.conll").read_text(encoding="utf-8").split("\n\n")
    path = tmp_path / "ro-small.conll"
    path.write_text("\n\n".join(blocks[:sentences]) + "\n", encoding="utf-8")
    return path


def _task_args(tiny_bert: Path, data: Path, epochs: int) -> list[str]:
    args = ["--data", str(data), "--base", str(tiny_bert), "--epochs", str(epochs), "--batch-size", "8"]
    return args + ["--max-seq-len", "64", "--lr", "1e-3"]


@pytest.mark.e2e
def test_finetune_killed_at_random_resumes_to_the_uninterrupted_weights(tiny_bert, tmp_path):
    args = ["finetune", "--name", "ro-ner", *_task_args(tiny_bert, _ner_data(tmp_path, 32), epochs=6)]
    reference = _start(args, tmp_path / "reference", tmp_path / "reference.log")
    killed = _start(args, tmp_path / "killed", tmp_path / "killed.log")
    _kill_after(killed, _checkpoint_in(tmp_path / "killed" / "runs/finetune/ro-ner"), 7, tmp_path / "killed.log")
    resumed = _start([*args, "--resume"], tmp_path / "killed", tmp_path / "resumed.log")
    _finish(resumed, tmp_path / "resumed.log")
    _finish(reference, tmp_path / "reference.log")
    assert "resuming from " in (tmp_path / "resumed.log").read_text(), "continued, not restarted"
    weights = Path("models/ro-ner/model.safetensors")
    _assert_same_tensors(tmp_path / "reference" / weights, tmp_path / "killed" / weights)
    assert not (tmp_path / "killed" / "runs/finetune/ro-ner").exists(), "the checkpoints go once the model is saved"


@pytest.mark.e2e
def test_cv_killed_at_random_resumes_at_the_first_unfinished_fold(tiny_bert, tmp_path):
    args = ["cv", "--folds", "3", "--output", "runs/cv/ro", *_task_args(tiny_bert, _ner_data(tmp_path, 30), epochs=4)]
    reference = _start(args, tmp_path / "reference", tmp_path / "reference.log")
    killed = _start(args, tmp_path / "killed", tmp_path / "killed.log")
    folds = tmp_path / "killed" / "runs/cv/ro/folds"
    first_done = folds / "1" / "metrics.json"
    _kill_after(
        killed,
        lambda: first_done.is_file() and _checkpoint_in(folds / "2" / "checkpoints")(),
        8,
        tmp_path / "killed.log",
        spread=0.1,  # inside fold 2: on a quiet machine a whole fold takes about a second
    )
    assert not (folds / "3" / "metrics.json").exists()
    finished = {p.parent.name: p.stat().st_mtime_ns for p in folds.glob("*/metrics.json")}
    resumed = _start([*args, "--resume"], tmp_path / "killed", tmp_path / "resumed.log")
    _finish(resumed, tmp_path / "resumed.log")
    _finish(reference, tmp_path / "reference.log")
    log = (tmp_path / "resumed.log").read_text()
    assert re.search(r"resuming from \S+/folds/2/checkpoints/checkpoint-\d+", log), "fold 2 continues its checkpoint"
    for fold in finished:
        assert f"fold {fold}/3: done earlier" in log  # one numbering: folds/1 is fold 1/3
        assert (folds / fold / "metrics.json").stat().st_mtime_ns == finished[fold], "a finished fold was retrained"
    for fold in range(1, 4):
        expected = json.loads((tmp_path / "reference/runs/cv/ro/folds" / str(fold) / "metrics.json").read_text())
        got = json.loads((folds / str(fold) / "metrics.json").read_text())
        assert got == expected, f"fold {fold}"


def test_half_written_checkpoints_are_skipped_when_resuming(tmp_path):
    from adapterkit.training import last_complete_checkpoint

    folder = tmp_path / "checkpoints"
    for step, complete in ((4, True), (8, True), (12, False)):
        checkpoint = folder / f"checkpoint-{step}"
        checkpoint.mkdir(parents=True)
        (checkpoint / "model.safetensors").write_bytes(b"...")
        if complete:
            (checkpoint / "trainer_state.json").write_text(json.dumps({"global_step": step}))
    (folder / "checkpoint-16").mkdir()
    (folder / "checkpoint-16" / "trainer_state.json").write_text('{"global_step": 1')  # killed mid-write
    assert last_complete_checkpoint(folder) == folder / "checkpoint-8"
    assert sorted(p.name for p in folder.iterdir()) == ["checkpoint-4", "checkpoint-8"]


# ------------------------------------------------------------------------------ corrupted weights


def _one_line_error(capsys) -> str:
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: "), err
    return err[0]


@pytest.mark.parametrize("damage", ["flip", "truncate"])
def test_corrupted_adapter_weights_stop_compose_and_eval_mlm_with_the_file_named(
    tiny_adapters, tmp_path, small_corpus, capsys, damage, monkeypatch
):
    import shutil

    monkeypatch.chdir(tmp_path)
    registry = tmp_path / "adapters"
    shutil.copytree(tiny_adapters, registry)
    weights = registry / "b" / "adapter_model.safetensors"
    blob = bytearray(weights.read_bytes())
    if damage == "flip":
        blob[-3] ^= 0x01
    else:
        blob = blob[: len(blob) // 2]
    weights.write_bytes(bytes(blob))
    before = sorted((str(p), p.stat().st_mtime_ns) for p in tmp_path.rglob("*") if p.is_file())
    commands = [
        ["compose", "a", "b", "--name", "ab", "--registry", str(registry)],
        ["eval-mlm", "b", "--corpus", str(small_corpus), "--registry", str(registry)],
        ["adapters", "verify", "b", "--registry", str(registry)],
    ]
    for command in commands:
        assert main(command) == 2, command
        message = _one_line_error(capsys)
        assert "b/adapter_model.safetensors" in message or "failed verification: b" in message, message
    after = sorted((str(p), p.stat().st_mtime_ns) for p in tmp_path.rglob("*") if p.is_file())
    assert after == before


def test_a_base_folder_with_pickled_weights_only_is_refused(tmp_path, tiny_bert, small_corpus, capsys, monkeypatch):
    import shutil

    monkeypatch.chdir(tmp_path)
    base = tmp_path / "pickled-base"
    shutil.copytree(tiny_bert, base)
    state = load_file(base / "model.safetensors")
    (base / "model.safetensors").unlink()
    torch.save(state, base / "pytorch_model.bin")
    assert main(["eval-mlm", "base", "--base", str(base), "--corpus", str(small_corpus)]) == 2
    assert "no .safetensors weights" in _one_line_error(capsys)


def test_no_remote_code_and_no_unrestricted_unpickling_in_the_package():
    # An audit that stays true: the package never asks transformers to run a repo's code, and every
    # torch.load (none today; the Trainer's own resume loads use weights_only=True) is restricted.
    for file in (ROOT / "adapterkit").rglob("*.py"):
        text = file.read_text(encoding="utf-8")
        assert "trust_remote_code=True" not in text, file
        assert not re.search(r"^\s*(import pickle|from pickle|import dill)", text, re.M), file
        for call in re.findall(r"torch\.load\([^)]*\)", text):
            assert "weights_only=True" in call, f"{file}: {call}"
