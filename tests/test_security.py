"""Security: lock and temporary files never followed through symlinks, names that stay names, readers
holding adapters against removal, push uploading regular files only, control characters escaped."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from adapterkit import locks
from adapterkit.cli import main
from adapterkit.errors import AdapterkitError, printable
from adapterkit.registry import MANIFEST, Registry, check_name, write_json

ROOT = Path(__file__).resolve().parents[1]


def _tiny_writer(name: str = "a"):
    def write(folder: Path) -> None:
        import torch
        from safetensors.torch import save_file

        save_file({"w": torch.zeros(2, 2)}, str(folder / "adapter_model.safetensors"))
        write_json(folder / MANIFEST, {"name": name, "kind": "language", "base": {"id": "x"}})

    return write


def _one_error_line(capsys) -> str:
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: "), err
    return err[0]


# ------------------------------------------------------------------------------------------ symlinks


def test_rm_refuses_a_lock_file_that_is_a_symlink_and_leaves_its_target_untouched(tmp_path, capsys):
    store = Registry(tmp_path / "adapters")
    store.save("a", _tiny_writer())
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    os.symlink("../victim.txt", store.root / ".a.lock")
    assert main(["adapters", "rm", "a", "--registry", str(store.root)]) == 2
    assert "a symbolic link where adapterkit keeps a lock" in _one_error_line(capsys)
    assert victim.read_text() == "precious\n"
    assert (store.root / "a" / MANIFEST).is_file()


def test_save_refuses_a_symlinked_lock_even_when_it_dangles(tmp_path):
    store = Registry(tmp_path / "adapters")
    store.root.mkdir()
    os.symlink(tmp_path / "created-by-the-attack", store.root / ".a.lock")
    with pytest.raises(AdapterkitError, match="symbolic link"):
        store.save("a", _tiny_writer())
    assert not (tmp_path / "created-by-the-attack").exists()
    assert not (store.root / "a").exists()


def test_a_lock_path_that_is_a_fifo_is_refused_not_blocked_on(tmp_path):
    store = Registry(tmp_path / "adapters")
    store.root.mkdir()
    os.mkfifo(store.root / ".a.lock")
    with pytest.raises(AdapterkitError, match="not a regular file"):
        store.save("a", _tiny_writer())


def test_write_json_does_not_write_through_a_symlink(tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    os.symlink(victim, tmp_path / "out.json")
    with pytest.raises(AdapterkitError, match="symbolic link"):
        write_json(tmp_path / "out.json", {"x": 1})
    assert victim.read_text() == "precious\n"


def test_an_adapter_folder_that_is_a_symlink_is_not_listed_read_or_followed_by_rm(tmp_path, capsys):
    outside = Registry(tmp_path / "elsewhere")
    outside.save("real", _tiny_writer("real"))
    store = Registry(tmp_path / "adapters")
    store.save("a", _tiny_writer())
    os.symlink(outside.root / "real", store.root / "linked")
    assert store.names() == ["a"]
    assert main(["adapters", "show", "linked", "--registry", str(store.root)]) == 2
    assert "is a symbolic link" in _one_error_line(capsys)
    assert main(["adapters", "rm", "linked", "--registry", str(store.root)]) == 0
    assert not (store.root / "linked").is_symlink()
    assert (outside.root / "real" / MANIFEST).is_file()  # the target is untouched


def test_a_symlink_inside_an_adapter_folder_fails_verify_with_one_line(tmp_path, capsys):
    store = Registry(tmp_path / "adapters")
    folder = store.save("a", _tiny_writer())
    secret = tmp_path / "secret.safetensors"
    shutil.copyfile(folder / "adapter_model.safetensors", secret)
    os.symlink(secret, folder / "extra.safetensors")
    assert main(["adapters", "verify", "a", "--registry", str(store.root)]) == 2
    out = capsys.readouterr()
    assert "a symbolic link inside the adapter folder" in out.out
    assert out.err.strip().count("\n") == 0


# ------------------------------------------------------------------------------------------ names


@pytest.mark.parametrize(
    "name",
    ["a\n", "a\nb", "../x", "/abs", "a/b", "..", "a..b", ".hidden", "a\x1b[31m", "a\x00", "a\u202eb", "", "x" * 101],
)
def test_names_that_are_not_plain_names_are_refused(name):
    with pytest.raises(AdapterkitError, match="use letters, digits"):
        check_name(name)


@pytest.mark.parametrize("name", [5, None, ["a"], {"a": 1}, 1.5, True])
def test_names_of_another_type_are_refused_not_crashed_on(name):
    with pytest.raises(AdapterkitError, match="use letters, digits"):
        check_name(name)


def test_plain_names_pass():
    for name in ("nl-clin", "a+b", "mBERT_v1.2", "x" * 100, "9"):
        assert check_name(name) == name


def test_a_name_with_a_trailing_newline_is_refused_by_the_cli(tmp_path, capsys):
    assert main(["adapters", "show", "a\n", "--registry", str(tmp_path)]) == 2
    assert "use letters, digits" in _one_error_line(capsys)


# ------------------------------------------------------------------------------------------ printable


def test_printable_escapes_terminal_controls_and_keeps_every_script():
    assert printable("koorts é ñ ş Ω 中") == "koorts é ñ ş Ω 中"
    assert printable("a\x1b[2Jb") == "a\\x1b[2Jb"
    assert printable("line\nforged: ok") == "line\\nforged: ok"
    assert printable("\u202etxt.exe") == "\\u202etxt.exe"
    assert printable("\x9b31m\x7f\r") == "\\x9b31m\\x7f\\r"


def test_an_error_quoting_outside_text_is_one_printable_line():
    error = AdapterkitError("corpus.txt:3: bad line 'x\x1b]0;owned\x07\ny'")
    assert "\x1b" not in str(error) and "\n" not in str(error) and "\x07" not in str(error)
    assert "\\x1b]0;owned\\x07\\ny" in str(error)


def test_a_file_name_with_control_characters_reaches_the_terminal_escaped(tmp_path, capsys):
    evil = tmp_path / "corpus\x1b[31m\n.txt"
    evil.write_bytes(b"\xff\xfe" * 100)
    assert main(["pretrain", "--corpus", str(evil), "--name", "x", "--base", "minilm"]) == 2
    line = _one_error_line(capsys)
    assert "\x1b" not in line and "corpus\\x1b[31m\\n.txt" in line


# ------------------------------------------------------------------------------------------ readers


def test_a_reader_holds_the_adapter_and_rm_refuses_after_the_bounded_wait(tmp_path, capsys):
    store = Registry(tmp_path / "adapters")
    store.save("a", _tiny_writer())
    reader = _reader(store.root, "a")
    try:
        started = time.monotonic()
        assert main(["adapters", "rm", "a", "--wait", "0.5", "--registry", str(store.root)]) == 2
        assert time.monotonic() - started >= 0.5
        assert f"in use by adapterkit process(es) {reader.pid}" in _one_error_line(capsys)
        assert (store.root / "a" / MANIFEST).is_file()
    finally:
        (store.root / ".go").touch()
        reader.wait(timeout=60)
    assert main(["adapters", "rm", "a", "--registry", str(store.root)]) == 0
    assert not (store.root / "a").exists() and not (store.root / locks.READERS_DIR).exists()


def test_rm_waits_for_a_reader_that_finishes_within_the_wait(tmp_path):
    store = Registry(tmp_path / "adapters")
    store.save("a", _tiny_writer())
    reader = _reader(store.root, "a", seconds=1.0)
    started = time.monotonic()
    assert main(["adapters", "rm", "a", "--wait", "60", "--registry", str(store.root)]) == 0
    assert reader.wait(timeout=60) == 0
    assert 0.2 < time.monotonic() - started < 30
    assert not (store.root / "a").exists()


def test_a_killed_reader_does_not_block_removal(tmp_path):
    store = Registry(tmp_path / "adapters")
    store.save("a", _tiny_writer())
    reader = _reader(store.root, "a")
    reader.kill()
    reader.wait(timeout=60)
    marker = next((store.root / locks.READERS_DIR).iterdir())
    old = time.time() - 60
    os.utime(marker, (old, old))  # older than the set-up grace period
    assert main(["adapters", "rm", "a", "--wait", "0", "--registry", str(store.root)]) == 0
    assert not marker.exists()


def test_a_command_reading_an_adapter_releases_its_hold_when_it_ends(tiny_adapters, workdir, capsys):
    registry = workdir / "adapters"
    shutil.copytree(tiny_adapters, registry)
    assert main(["compose", "a", "b", "--name", "ab"]) == 0
    assert not (registry / locks.READERS_DIR).exists()
    assert main(["adapters", "rm", "a", "--wait", "0"]) == 0


def test_hold_is_taken_while_the_command_reads(tiny_adapters, workdir, monkeypatch):
    registry = workdir / "adapters"
    shutil.copytree(tiny_adapters, registry)
    seen: list[list[str]] = []
    from adapterkit import compose

    real = compose.load_parts

    def spy(parts, masked_only=True):
        seen.append(sorted(locks.live_readers(registry, "a") + locks.live_readers(registry, "b")))
        return real(parts, masked_only)

    monkeypatch.setattr(compose, "load_parts", spy)
    assert main(["compose", "a", "b", "--name", "ab"]) == 0
    assert seen == [[str(os.getpid())] * 2]


def _reader(root: Path, name: str, seconds: float | None = None) -> subprocess.Popen:
    """A process holding adapter ``name``: until ``root/.go`` appears, or for ``seconds``."""
    wait = f"time.sleep({seconds})" if seconds is not None else "while not (root / '.go').exists(): time.sleep(0.02)"
    code = textwrap.dedent(
        f"""
        import sys, time
        from pathlib import Path
        from adapterkit.registry import Registry
        root = Path({str(root)!r})
        Registry(root).hold({name!r})
        (root / ".held").touch()
        {wait}
        """
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen([sys.executable, "-c", code], env=env)
    while not (root / ".held").exists():
        assert process.poll() is None, "the reader died before holding"
        time.sleep(0.01)
    (root / ".held").unlink()
    return process


# ------------------------------------------------------------------------------------------ push


def test_push_refuses_an_adapter_folder_holding_a_symlink(tiny_adapters, workdir, capsys):
    registry = workdir / "adapters"
    shutil.copytree(tiny_adapters, registry)
    secret = workdir / "id_rsa.json"
    secret.write_text('{"key": "secret"}')
    os.symlink(secret, registry / "a" / "notes.json")
    assert main(["push", "a", "--repo", "me/a", "--output", str(workdir / "up")]) == 2
    assert "a symbolic link in the adapter folder; push uploads regular files" in _one_error_line(capsys)
    assert not (workdir / "up").exists()


def test_push_uploads_the_regular_files_of_the_folder(tiny_adapters, workdir, capsys):
    registry = workdir / "adapters"
    shutil.copytree(tiny_adapters, registry)
    assert main(["push", "a", "--repo", "me/a", "--output", str(workdir / "up")]) == 0
    names = sorted(p.name for p in (workdir / "up").iterdir())
    assert names == ["README.md", "adapter_config.json", "adapter_model.safetensors", MANIFEST]
    assert json.loads((workdir / "up" / MANIFEST).read_text())["name"] == "a"


# ------------------------------------------------------------------------------------------ recipes and platforms


@pytest.mark.parametrize("field", ['name = "../../escaped"', 'name = "/tmp/escaped-adapterkit"', "id"])
def test_a_recipe_cannot_write_outside_runs(field, workdir, capsys):
    step_id = '"../../escaped"' if field == "id" else '"a"'
    top = "" if field == "id" else field + "\n"
    (workdir / "r.toml").write_text(f'{top}[[steps]]\nid = {step_id}\nrun = "cv"\nargs = {{ folds = 2 }}\n')
    before = sorted(p.name for p in workdir.parent.iterdir())
    assert main(["run", "r.toml"]) == 2
    assert "use letters, digits" in _one_error_line(capsys)
    assert sorted(p.name for p in workdir.parent.iterdir()) == before
    assert not (workdir / "runs").exists() and not Path("/tmp/escaped-adapterkit").exists()


def test_adapterkit_imports_without_fcntl_as_on_windows():
    code = (
        "import sys; sys.modules['fcntl'] = None\n"  # what `import fcntl` does on Windows: ImportError
        "import adapterkit.cli, adapterkit.registry, adapterkit.locks, adapterkit.manifest, adapterkit.hub\n"
        "print('ok')"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0 and result.stdout.strip() == "ok", result.stderr[-2000:]


def test_a_registry_the_user_may_only_read_can_still_be_read(tiny_adapters, workdir, monkeypatch, capsys):
    registry = workdir / "adapters"
    shutil.copytree(tiny_adapters, registry)

    def read_only(root, name):  # what creating .readers/ raises in a folder this user cannot write
        raise PermissionError(13, "Permission denied", str(root / locks.READERS_DIR))

    monkeypatch.setattr(locks, "hold", read_only)
    assert main(["compose", "a", "b", "--output", str(workdir / "ab")]) == 0, capsys.readouterr().err


def test_verify_of_every_adapter_reports_a_damaged_manifest_and_checks_the_others(tmp_path, capsys):
    store = Registry(tmp_path / "adapters")
    store.save("a", _tiny_writer("a"))
    store.save("b", _tiny_writer("b"))
    (store.root / "a" / MANIFEST).write_text('{"name": "a", "kind": 3, "base": {"id": "x"}}')
    assert main(["adapters", "verify", "--registry", str(store.root)]) == 2
    out = capsys.readouterr()
    assert "a: MISMATCH" in out.out and "field 'kind'" in out.out and "b: ok (1 weight file)" in out.out
    assert out.err.strip() == "error: 1 of 2 adapter(s) failed verification: a"
