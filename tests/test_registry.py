"""The registry: weight hashes and `adapters verify`, atomic saves under kill -9, name locks."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file, save_file

from adapterkit import registry as registry_module
from adapterkit.cli import main
from adapterkit.errors import AdapterkitError
from adapterkit.integrity import HASHES, file_sha256, verify_weights
from adapterkit.registry import MANIFEST, Registry

ROOT = Path(__file__).resolve().parents[1]


def _writer(value: float, files: int = 1):
    """A ``write`` callback producing a small adapter-like folder whose tensors all hold ``value``."""

    def write(folder: Path) -> None:
        for index in range(files):
            name = "adapter_model.safetensors" if index == 0 else f"extra-{index}.safetensors"
            save_file({"w": torch.full((64, 64), value)}, str(folder / name))
        manifest = {"name": "a", "kind": "language", "base": {"id": "x"}, "value": value}
        (folder / MANIFEST).write_text(json.dumps(manifest))

    return write


def test_save_records_the_sha256_of_every_weight_file(tmp_path):
    store = Registry(tmp_path / "adapters")
    folder = store.save("nl", _writer(1.0, files=3))
    manifest = store.manifest("nl")
    assert sorted(manifest[HASHES]) == ["adapter_model.safetensors", "extra-1.safetensors", "extra-2.safetensors"]
    for name, digest in manifest[HASHES].items():
        assert digest == file_sha256(folder / name)
    assert store.verify("nl") == []


def test_verify_command_reports_ok_and_mismatch_per_adapter_and_exits_2(tmp_path, capsys):
    store = Registry(tmp_path / "adapters")
    store.save("good", _writer(1.0))
    bad = store.save("bad", _writer(2.0))
    blob = bytearray((bad / "adapter_model.safetensors").read_bytes())
    blob[-5] ^= 0xFF  # one flipped byte in the tensor data: the header is still valid
    (bad / "adapter_model.safetensors").write_bytes(bytes(blob))

    assert main(["adapters", "verify", "good", "--registry", str(store.root)]) == 0
    assert "good: ok (1 weight file)" in capsys.readouterr().out

    assert main(["adapters", "verify", "--registry", str(store.root)]) == 2
    captured = capsys.readouterr()
    assert "good: ok" in captured.out and "bad: MISMATCH" in captured.out
    assert "adapter_model.safetensors: sha256 does not match" in captured.out
    err = captured.err.strip().splitlines()
    assert err == ["error: 1 of 2 adapter(s) failed verification: bad"]


def test_truncated_weights_are_named_in_one_line_with_or_without_a_recorded_hash(tmp_path):
    store = Registry(tmp_path / "adapters")
    folder = store.save("nl", _writer(1.0))
    weights = folder / "adapter_model.safetensors"
    weights.write_bytes(weights.read_bytes()[:1000])
    with pytest.raises(AdapterkitError, match=r"adapter_model\.safetensors: sha256 does not match"):
        verify_weights(folder, store.manifest("nl"))
    # An older manifest without hashes: safetensors' own header check still catches the truncation.
    with pytest.raises(AdapterkitError, match=r"adapter_model\.safetensors: not a readable safetensors file"):
        verify_weights(folder, {})


def test_a_manifest_listing_a_file_outside_the_folder_is_refused(tmp_path):
    folder = tmp_path / "adapter"
    folder.mkdir()
    with pytest.raises(AdapterkitError, match="outside the adapter folder"):
        verify_weights(folder, {HASHES: {"../../etc/passwd": "0" * 64}})


def test_staging_folders_are_never_listed_and_are_cleaned_by_the_next_save(tmp_path):
    store = Registry(tmp_path / "adapters")
    store.save("nl", _writer(1.0))
    stale = store.root / ".tmp-nl-0123abcd"
    stale.mkdir()
    _writer(9.0)(stale)  # complete-looking, manifest included: a writer killed just before the rename
    other = store.root / ".tmp-nl-x-89abcdef"  # another name's staging folder is left alone
    other.mkdir()
    assert store.names() == ["nl"]
    store.save("nl", _writer(2.0), force=True)
    assert not stale.exists() and other.exists()
    assert load_file(store.path("nl") / "adapter_model.safetensors")["w"][0, 0] == 2.0


def test_a_crash_between_the_fallback_renames_is_repaired_to_the_old_adapter(tmp_path, monkeypatch):
    # Without renameat2 exchange the old folder is set aside first; a crash then leaves no target.
    store = Registry(tmp_path / "adapters")
    store.save("nl", _writer(1.0))
    monkeypatch.setattr(registry_module, "_exchange", lambda a, b: False)
    real_rename = Path.rename

    def crash_on_second_rename(self, target):
        if self.name.startswith(".tmp-"):
            raise KeyboardInterrupt  # killed after the old folder was moved aside
        return real_rename(self, target)

    monkeypatch.setattr(Path, "rename", crash_on_second_rename)
    with pytest.raises(KeyboardInterrupt):
        store.save("nl", _writer(2.0), force=True)
    monkeypatch.setattr(Path, "rename", real_rename)
    assert not store.path("nl").exists()
    store.save("other", _writer(3.0))  # another name does not touch it
    with pytest.raises(AdapterkitError, match="already exists"):
        store.save("nl", _writer(4.0))  # the next writer of the name puts the old adapter back first
    assert load_file(store.path("nl") / "adapter_model.safetensors")["w"][0, 0] == 1.0
    assert [p.name for p in store.root.iterdir() if p.name.startswith(".old-")] == []


SAVER = textwrap.dedent(
    """
    import json, sys, time
    from pathlib import Path
    import torch
    from safetensors.torch import save_file
    from adapterkit.errors import AdapterkitError
    from adapterkit.registry import Registry

    root, name, value, pause, force = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4]), sys.argv[5]

    def write(folder):
        for index in range(8):  # several files, written slowly: a kill lands in the middle
            save_file({"w": torch.full((256, 256), value)}, str(folder / f"part-{index}.safetensors"))
            Path(root, f".progress-{value}").write_text(str(index))
            while pause < 0 and not Path(root, ".release").exists():  # held until the test releases it
                time.sleep(0.02)
            time.sleep(max(pause, 0))
        manifest = {"name": name, "kind": "language", "base": {"id": "x"}, "value": value}
        (folder / "adapterkit.json").write_text(json.dumps(manifest))

    try:
        Registry(Path(root)).save(name, write, force=force == "force")
    except AdapterkitError as error:
        print(f"error: {error}", file=sys.stderr)
        sys.exit(2)
    """
)


def _saver(root: Path, name: str, value: float, pause: float, force: bool = True) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    args = [sys.executable, "-c", SAVER, str(root), name, str(value), str(pause), "force" if force else "-"]
    return subprocess.Popen(args, env=env, stderr=subprocess.PIPE, text=True)


def _value(store: Registry, name: str) -> float:
    """The adapter's value, after checking every file agrees with its manifest (no mix of two saves)."""
    folder = store.path(name)
    assert store.verify(name) == []
    values = {float(load_file(str(f))["w"][0, 0]) for f in folder.glob("*.safetensors")}
    manifest = store.manifest(name)
    assert values == {manifest["value"]} and len(list(folder.glob("*.safetensors"))) == 8
    return manifest["value"]


def test_kill_9_during_a_save_leaves_the_old_adapter_or_the_new_one(tmp_path):
    store = Registry(tmp_path / "adapters")
    first = _saver(store.root, "nl", 1.0, 0.0)
    assert first.wait(timeout=120) == 0
    rng = random.Random(6)
    outcomes = []
    for attempt in range(4):
        value = 2.0 + attempt
        process = _saver(store.root, "nl", value, 0.1)
        progress = store.root / f".progress-{value}"
        deadline = time.time() + 120
        while not progress.exists() and time.time() < deadline:
            time.sleep(0.01)
        time.sleep(rng.uniform(0.0, 0.6))  # a seeded random moment during the write step
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=60)
        outcomes.append(_value(store, "nl"))
        assert store.names() == ["nl"], "a half-written staging folder must not be listed"
    assert all(v == 1.0 for v in outcomes), outcomes  # killed before the swap: the old adapter survives
    finished = _saver(store.root, "nl", 9.0, 0.0)
    assert finished.wait(timeout=120) == 0
    assert _value(store, "nl") == 9.0
    assert [p.name for p in store.root.iterdir() if p.name.startswith(".tmp-")] == [], "stale folders removed"


def test_two_processes_saving_one_name_one_wins_the_other_gets_one_line(tmp_path):
    store = Registry(tmp_path / "adapters")
    slow = _saver(store.root, "nl", 1.0, -1, force=False)  # writes until the test releases it
    while not (store.root / ".progress-1.0").exists():
        time.sleep(0.01)
    fast = _saver(store.root, "nl", 2.0, 0.0, force=False)
    assert fast.wait(timeout=120) == 2
    err = fast.stderr.read().strip().splitlines()
    assert len(err) == 1 and f"being written by another adapterkit process (pid {slow.pid}" in err[0], err
    (store.root / ".release").touch()
    assert slow.wait(timeout=120) == 0
    assert _value(store, "nl") == 1.0
    late = _saver(store.root, "nl", 3.0, 0.0, force=False)  # after the winner: the name is taken
    assert late.wait(timeout=120) == 2 and "already exists" in late.stderr.read()


def test_a_killed_lock_holder_leaves_no_stale_lock(tmp_path):
    store = Registry(tmp_path / "adapters")
    holder = _saver(store.root, "nl", 1.0, -1)  # holds the lock until killed
    while not (store.root / ".progress-1.0").exists():
        time.sleep(0.01)
    with pytest.raises(AdapterkitError, match="being written by another"):
        store.save("nl", _writer(2.0))
    holder.send_signal(signal.SIGKILL)
    holder.wait(timeout=60)
    assert store.lock_path("nl").exists()  # the file stays, the lock died with the process
    store.save("nl", _writer(2.0))
    assert not store.lock_path("nl").exists()
    assert store.names() == ["nl"] and store.manifest("nl")["value"] == 2.0


def test_the_name_is_reserved_before_work_so_a_second_run_fails_at_once(tmp_path):
    store = Registry(tmp_path / "adapters")
    with store.reserve("nl"):
        # In this process the reservation is re-entrant: the run's own save goes through.
        holder = _saver(store.root, "nl", 1.0, 0.0, force=True)
        assert holder.wait(timeout=120) == 2
        assert "being written by another adapterkit process" in holder.stderr.read()
        store.save("nl", _writer(1.0))
    assert store.names() == ["nl"]


def test_a_reservation_that_saves_nothing_leaves_no_trace(tmp_path):
    root = tmp_path / "adapters"
    with pytest.raises(AdapterkitError, match="corpus"), Registry(root).reserve("nl"):
        raise AdapterkitError("bad corpus")
    assert not root.exists()
