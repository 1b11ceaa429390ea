"""SIGTERM (a cluster's scheduler stopping a job) is handled as ctrl-C, with a checkpoint of the step under way.

A real SIGTERM is sent to the CLI (``python -m adapterkit``) while it trains, with periodic
checkpoints switched off (``--save-steps`` beyond ``--max-steps``): the checkpoint it names can
only be the one written for the SIGTERM. The run is continued with the command that line names
and must end with the weights of an uninterrupted run started at the same time.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from safetensors.torch import load_file

ROOT = Path(__file__).resolve().parents[1]
STEPS = 40


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1", "CUDA_VISIBLE_DEVICES": ""}


class _Run:
    """The CLI in a subprocess, its stderr read as it comes (the progress bar says which step it is at)."""

    def __init__(self, args: list[str], cwd: Path) -> None:
        cwd.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "adapterkit", *args], cwd=cwd, env=_env(),
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )  # fmt: skip
        self.err = b""
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stderr is not None
        while chunk := os.read(self.process.stderr.fileno(), 4096):
            self.err += chunk

    def steps_done(self) -> int:
        found = re.findall(rb"(\d+)/%d \[" % STEPS, self.err)
        return int(found[-1]) if found else 0

    def wait(self, timeout: float = 600) -> tuple[int, str]:
        code = self.process.wait(timeout=timeout)
        self._reader.join(timeout=10)
        return code, self.err.decode("utf-8", "replace")


@pytest.mark.e2e
def test_sigterm_saves_the_step_under_way_exits_143_and_resume_ends_as_an_uninterrupted_run(
    tiny_bert, small_corpus, tmp_path
):
    args = ["pretrain", "--base", str(tiny_bert), "--corpus", str(small_corpus), "--name", "nl"]
    args += ["--max-steps", str(STEPS), "--save-steps", str(10 * STEPS), "--batch-size", "8", "--grad-accum", "1"]
    args += ["--max-seq-len", "32", "--lr", "2e-3", "--heldout", "0.1"]
    reference = _Run(args, tmp_path / "reference")
    stopped = _Run(args, tmp_path / "stopped")
    deadline = time.time() + 600
    while stopped.steps_done() < 3:
        assert stopped.process.poll() is None, stopped.err.decode()[-3000:]
        assert time.time() < deadline
        time.sleep(0.01)
    stopped.process.send_signal(signal.SIGTERM)
    code, err = stopped.wait()
    assert code == 143, err[-3000:]
    last = err.strip().splitlines()[-1]
    match = re.fullmatch(r"terminated; `--resume` continues from step (\d+) \((.+)\): (adapterkit pretrain .+)", last)
    assert match, last
    step, command = int(match.group(1)), match.group(3)
    assert 3 <= step < STEPS, "stopped at the end of the step under way, not at the end of the run"
    checkpoints = tmp_path / "stopped" / "runs" / "pretrain" / "nl" / "checkpoints"
    assert [p.name for p in checkpoints.iterdir() if p.name.startswith("checkpoint-")] == [f"checkpoint-{step}"]
    assert json.loads((checkpoints / f"checkpoint-{step}" / "trainer_state.json").read_text())["global_step"] == step
    assert not (tmp_path / "stopped" / "adapters" / "nl").exists(), "a stopped run saves no result"
    assert not list((tmp_path / "stopped" / "adapters").glob(".tmp-*")), "no half-built adapter folder"

    # the line's command, run as given, continues the run (no lock or marker of the stopped one is in the way)
    argv = shlex.split(command)
    assert argv[:2] == ["adapterkit", "pretrain"] and argv[-1] == "--resume"
    resumed = _Run(argv[1:], tmp_path / "stopped")
    code, err = resumed.wait()
    assert code == 0, err[-3000:]
    code, reference_err = reference.wait()
    assert code == 0, reference_err[-3000:]
    weights = Path("adapters/nl/adapter_model.safetensors")
    expected, got = load_file(tmp_path / "reference" / weights), load_file(tmp_path / "stopped" / weights)
    assert expected.keys() == got.keys()
    for key in expected:
        assert (expected[key] - got[key]).abs().max().item() <= 1e-6, key
    manifests = [
        json.loads((tmp_path / run / "adapters/nl/adapterkit.json").read_text()) for run in ("reference", "stopped")
    ]
    assert manifests[1]["training"]["resumed_from"].endswith(f"checkpoint-{step}")
    assert manifests[0]["perplexity"]["after"] == pytest.approx(manifests[1]["perplexity"]["after"], rel=1e-5)
