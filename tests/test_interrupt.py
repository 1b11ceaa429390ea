"""Ctrl-C: one line saying what continues the work, exit code 130, and nothing recorded as done.

The pretrain case sends a real SIGINT to the CLI (``python -m adapterkit``) once its first
checkpoint exists, as tests/test_faults.py does with SIGKILL. The recipe cases run ``adapterkit
run`` in-process with a step whose command is interrupted (its function raises KeyboardInterrupt,
which is what Python's SIGINT handler raises) and check what the step records hold afterwards.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import typer

from adapterkit.cli import main

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.e2e
def test_sigint_during_pretrain_exits_130_with_the_step_resume_continues_from(tiny_bert, small_corpus, tmp_path):
    args = ["pretrain", "--base", str(tiny_bert), "--corpus", str(small_corpus), "--name", "nl"]
    args += ["--max-steps", "100000", "--save-steps", "3", "--batch-size", "4", "--grad-accum", "1"]
    args += ["--max-seq-len", "32", "--heldout", "0.1"]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1", "CUDA_VISIBLE_DEVICES": ""}
    process = subprocess.Popen(
        [sys.executable, "-m", "adapterkit", *args],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # a shell's background job (`make test &`) ignores SIGINT and children inherit that: undo it
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    checkpoints = tmp_path / "runs" / "pretrain" / "nl" / "checkpoints"
    deadline = time.time() + 300
    while not (checkpoints.is_dir() and any((p / "trainer_state.json").is_file() for p in checkpoints.iterdir())):
        assert process.poll() is None, process.communicate()[1][-3000:]
        assert time.time() < deadline
        time.sleep(0.05)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=120)
    assert process.returncode == 130, err[-3000:]
    last = err.strip().splitlines()[-1]
    match = re.fullmatch(r"interrupted; `--resume` continues from step (\d+) \((.+)\)", last)
    assert match, last
    step = int(match.group(1))
    assert step > 0 and step % 3 == 0
    assert (checkpoints / f"checkpoint-{step}" / "trainer_state.json").is_file()
    assert not (tmp_path / "adapters" / "nl").exists(), "an interrupted run saves no result"
    # no checkpoint without its trainer_state.json is left behind (a ctrl-C while one was written)
    assert all((p / "trainer_state.json").is_file() for p in checkpoints.iterdir() if p.name.startswith("checkpoint"))


RECIPE = """
name = "two-steps"

[[steps]]
id = "compose"
run = "compose"
args = { _ = ["a", "b"] }

[[steps]]
id = "pretrain"
run = "pretrain"
args = { corpus = ["{corpus}"], name = "nl", base = "{base}", max_steps = 1 }
"""


@pytest.fixture
def recipe(tiny_adapters, tiny_bert, small_corpus, workdir) -> Path:
    shutil.copytree(tiny_adapters, workdir / "adapters")
    path = workdir / "two-steps.toml"
    path.write_text(RECIPE.replace("{corpus}", str(small_corpus)).replace("{base}", str(tiny_bert)))
    return path


def _interrupted(config, callbacks=None):
    raise KeyboardInterrupt


def _succeeded(config, callbacks=None):
    raise typer.Exit(0)  # a finished step, without training (and so without a summary to print)


def test_an_interrupted_recipe_step_is_not_recorded_and_runs_again(recipe, workdir, monkeypatch, capsys):
    steps = workdir / "runs" / "two-steps" / "steps"
    monkeypatch.setattr("adapterkit.jobs.pretrain.run_pretrain", _interrupted)
    capsys.readouterr()
    assert main(["run", str(recipe)]) == 130
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["interrupted; rerunning the recipe runs step pretrain (2/2) again; earlier steps are skipped"]
    assert (steps / "compose.json").is_file()
    assert not (steps / "pretrain.json").exists(), "an interrupted step is not recorded as done"

    monkeypatch.setattr("adapterkit.jobs.pretrain.run_pretrain", _succeeded)
    assert main(["run", str(recipe)]) == 0
    out = capsys.readouterr().out
    assert "compose: done earlier with the same inputs, skipped" in out
    assert "[2/2] pretrain: adapterkit pretrain" in out
    assert json.loads((steps / "pretrain.json").read_text())["id"] == "pretrain"


def test_a_truncated_step_record_means_the_step_runs_again_with_one_line(recipe, workdir, monkeypatch, capsys):
    monkeypatch.setattr("adapterkit.jobs.pretrain.run_pretrain", _succeeded)
    assert main(["run", str(recipe)]) == 0
    record = workdir / "runs" / "two-steps" / "steps" / "compose.json"
    record.write_text(record.read_text()[:25])  # cut short, as by a disk error or a copy
    capsys.readouterr()
    assert main(["run", str(recipe)]) == 0
    captured = capsys.readouterr()
    notes = [line for line in captured.out.splitlines() if "so the step runs again" in line]
    assert len(notes) == 1 and "compose.json" in notes[0] and "so the step runs again" in notes[0]
    assert "[1/2] compose: adapterkit compose" in captured.out
    assert "Traceback" not in captured.out + captured.err
    assert json.loads(record.read_text())["id"] == "compose"  # written whole again


def test_ctrl_c_during_cv_names_the_fold_and_step_and_drops_a_half_written_checkpoint(
    tiny_bert, workdir, monkeypatch, capsys
):
    from adapterkit.paths import PACKAGE_DIR

    blocks = (PACKAGE_DIR / "data" / "tasks" / "ro-ner.conll").read_text(encoding="utf-8").split("\n\n")
    data = workdir / "ner.conll"
    data.write_text("\n\n".join(blocks[:12]) + "\n", encoding="utf-8")

    def interrupted_training(self, resume_from_checkpoint=None, **kwargs):
        """The Trainer wrote checkpoint-3, then ctrl-C came while it wrote checkpoint-6."""
        output = Path(self.args.output_dir)
        (output / "checkpoint-3").mkdir(parents=True)
        (output / "checkpoint-3" / "trainer_state.json").write_text("{}")
        (output / "checkpoint-6").mkdir()
        (output / "checkpoint-6" / "model.safetensors").write_bytes(b"half")
        raise KeyboardInterrupt

    monkeypatch.setattr("transformers.Trainer.train", interrupted_training)
    argv = ["cv", "--data", str(data), "--base", str(tiny_bert), "--folds", "2", "--max-steps", "1"]
    capsys.readouterr()
    assert main([*argv, "--max-seq-len", "32"]) == 130
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["interrupted; `--resume` continues from fold 1/2, step 3 (runs/cv/base)"]
    checkpoints = workdir / "runs" / "cv" / "base" / "folds" / "1" / "checkpoints"
    assert sorted(p.name for p in checkpoints.iterdir()) == ["checkpoint-3"]
