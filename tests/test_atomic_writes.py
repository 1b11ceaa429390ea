"""The one atomic writer (adapterkit.atomic), through each of the three places that used to write on their own.

``safety.atomic_write_json``, the registry's ``write_json`` (manifests) and ``folds.write_fold_file``
all go through ``atomic.atomic_write_bytes`` now: a failure at any point leaves the old file as it
was and no temporary file beside it, a symlink at the destination is refused, and a rewritten file
keeps its permission bits.
"""

from __future__ import annotations

import errno
import json
import os
import stat
from collections.abc import Callable
from pathlib import Path

import pytest

from adapterkit import registry
from adapterkit.errors import AdapterkitError
from adapterkit.folds import write_fold_file
from adapterkit.safety import atomic_write_json

Writer = Callable[[Path, str], None]

WRITERS: dict[str, Writer] = {
    "safety.atomic_write_json": lambda path, value: atomic_write_json(path, {"value": value}),
    "registry.write_json": lambda path, value: registry.write_json(path, {"value": value}),
    "folds.write_fold_file": lambda path, value: write_fold_file(path, ["a", "b"], [0, 1], {"value": value}),
}


@pytest.fixture(params=sorted(WRITERS))
def writer(request) -> Writer:
    return WRITERS[request.param]


def _value(path: Path) -> str:
    data = json.loads(path.read_text(encoding="utf-8"))
    return data["meta"]["value"] if "meta" in data else data["value"]


def _names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def _fails(*args, **kwargs):
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


@pytest.mark.parametrize("step", ["fsync", "replace"])
def test_a_write_that_fails_leaves_the_old_file_and_no_temporary_file(writer, tmp_path, monkeypatch, step):
    target = tmp_path / "out.json"
    writer(target, "old")
    monkeypatch.setattr(os, step, _fails)
    with pytest.raises(OSError) as raised:
        writer(target, "new")
    monkeypatch.undo()
    assert raised.value.errno == errno.ENOSPC
    assert raised.value.filename == str(target)  # the user's path, not the temporary one
    assert _value(target) == "old"
    assert _names(tmp_path) == ["out.json"]


def test_a_ctrl_c_during_the_write_leaves_the_old_file_and_no_temporary_file(writer, tmp_path, monkeypatch):
    target = tmp_path / "out.json"
    writer(target, "old")

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        writer(target, "new")
    monkeypatch.undo()
    assert _value(target) == "old"
    assert _names(tmp_path) == ["out.json"]


def test_a_failed_first_write_leaves_nothing(writer, tmp_path, monkeypatch):
    monkeypatch.setattr(os, "replace", _fails)
    with pytest.raises(OSError):
        writer(tmp_path / "out.json", "new")
    monkeypatch.undo()
    assert _names(tmp_path) == []


def test_a_symlink_at_the_destination_is_refused_and_its_target_untouched(writer, tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    os.symlink(victim, tmp_path / "out.json")
    with pytest.raises(AdapterkitError, match="symbolic link"):
        writer(tmp_path / "out.json", "new")
    assert victim.read_text() == "precious\n"
    assert (tmp_path / "out.json").is_symlink()
    assert _names(tmp_path) == ["out.json", "victim.txt"]


def test_a_rewritten_file_keeps_its_permission_bits_and_a_new_one_gets_the_umask_default(writer, tmp_path):
    kept = tmp_path / "kept.json"
    writer(kept, "old")
    kept.chmod(0o600)
    writer(kept, "new")
    assert _value(kept) == "new"
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    umask = os.umask(0)
    os.umask(umask)
    fresh = tmp_path / "sub" / "fresh.json"  # the folder is created too
    writer(fresh, "new")
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o666 & ~umask


def test_the_writers_write_the_same_bytes_as_before(tmp_path):
    """The move changed how, not what: safety and the registry write indent-2 JSON, the fold file indent 1."""
    data = {"name": "a", "kind": "language", "ü": [1, 2]}
    atomic_write_json(tmp_path / "safety.json", data)
    registry.write_json(tmp_path / "registry.json", data)
    expected = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    assert (tmp_path / "safety.json").read_text(encoding="utf-8") == expected
    assert (tmp_path / "registry.json").read_text(encoding="utf-8") == expected
    write_fold_file(tmp_path / "folds.json", ["x", "y"], [0, 1], {"seed": 3})
    text = (tmp_path / "folds.json").read_text(encoding="utf-8")
    assert text == json.dumps(json.loads(text), indent=1, ensure_ascii=False) + "\n"
    assert json.loads(text)["seed"] == 3
