"""Installed as a user installs it: a built wheel in a fresh virtual environment outside the checkout.

The wheel is built from a copy of the package sources (nothing is written into the checkout), and
installed with ``--no-deps`` into a new venv whose only view of the dependencies is a ``.pth`` line
naming this environment's site-packages: the dependencies are reused (no network, seconds instead
of minutes), while this environment's editable adapterkit (a finder that ``.pth`` processing of
that folder would install) is not, because a path line does not run the ``.pth`` files in it.
From an empty folder the installed console script must answer ``--version`` and ``recipes list``
and run a 2-step pre-training of the embedded model, importing adapterkit from the new venv.
"""

from __future__ import annotations

import glob
import os
import shutil
import site
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

import adapterkit

ROOT = Path(__file__).resolve().parents[1]


def _run(args: list[str], cwd: Path, env: dict[str, str], timeout: float = 900) -> str:
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"{args}: exit {done.returncode}\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}"
    return done.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory, embedded_path) -> dict:
    """The wheel in a new venv; the session's cache, where the embedded base is already materialised."""
    root = tmp_path_factory.mktemp("install")
    source = root / "source"  # what an sdist holds: the build never writes into the checkout
    source.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        if (ROOT / name).is_file():
            shutil.copy2(ROOT / name, source / name)
    shutil.copytree(ROOT / "adapterkit", source / "adapterkit", ignore=shutil.ignore_patterns("__pycache__"))
    wheels = root / "wheels"
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--no-input"]
    _run([*pip, "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(wheels), str(source)], root, env)
    (wheel,) = wheels.glob("adapterkit-*.whl")

    venv = root / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], root, env)
    python = venv / "bin" / "python"
    ask = "import sysconfig; print(sysconfig.get_path('purelib'))"
    purelib = Path(_run([str(python), "-c", ask], root, env).strip())
    dependencies = [sysconfig.get_path("purelib"), *site.getsitepackages()]
    (purelib / "dependencies-of-the-test.pth").write_text("\n".join(dict.fromkeys(dependencies)) + "\n")
    _run([*pip, "--python", str(python), "install", "--no-deps", "--no-index", "-q", str(wheel)], root, env)
    work = root / "work"  # an empty folder outside the checkout
    work.mkdir()
    env |= {"HF_HUB_OFFLINE": "1", "VIRTUAL_ENV": str(venv)}
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    return {"venv": venv, "purelib": purelib, "wheel": wheel, "work": work, "env": env}


def test_package_data_names_every_file_under_adapterkit_data():
    """Recipes, stand-in corpora and tasks and their READMEs: each one matched by a package-data glob
    of pyproject.toml, expanded as setuptools expands them (recursive glob in the package folder)."""
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    package = ROOT / "adapterkit"
    matched = set()
    for pattern in config["tool"]["setuptools"]["package-data"]["adapterkit"]:
        matched.update(Path(name).as_posix() for name in glob.glob(pattern, root_dir=package, recursive=True))
    shipped = {p.relative_to(package).as_posix() for p in (package / "data").rglob("*") if p.is_file()}
    assert any(name.endswith(".toml") for name in shipped) and any(name.endswith("README.md") for name in shipped)
    assert shipped - matched == set(), "files under adapterkit/data that the wheel would leave out"


@pytest.mark.e2e
def test_a_wheel_installed_in_a_fresh_venv_runs_from_outside_the_checkout(installed):
    env, work, venv = installed["env"], installed["work"], installed["venv"]
    with zipfile.ZipFile(installed["wheel"]) as wheel:
        in_wheel = {name for name in wheel.namelist() if name.startswith("adapterkit/data/")}
    shipped = {p.relative_to(ROOT).as_posix() for p in (ROOT / "adapterkit" / "data").rglob("*") if p.is_file()}
    assert shipped - in_wheel == set(), "shipped files missing from the wheel"

    python = str(venv / "bin" / "python")
    where = _run([python, "-c", "import adapterkit; print(adapterkit.__file__)"], work, env).strip()
    assert Path(where).is_relative_to(installed["purelib"]), f"adapterkit imported from {where}, not the new venv"
    assert not Path(where).is_relative_to(ROOT)

    cli = str(venv / "bin" / "adapterkit")
    assert _run([cli, "--version"], work, env).strip().endswith(adapterkit.__version__)
    listed = _run([cli, "recipes", "list"], work, env)
    for recipe in ("demo", "study-a", "study-b", "study-c"):
        assert recipe in listed
    corpus = work / "notes.txt"
    lines = (Path(where).parent / "data" / "corpora" / "nl-clin.txt").read_text(encoding="utf-8").splitlines()
    corpus.write_text("\n".join(lines[:100]) + "\n", encoding="utf-8")
    args = ["pretrain", "--base", "minilm", "--corpus", "notes.txt", "--name", "nl", "--max-steps", "2"]
    out = _run([cli, *args, "--max-seq-len", "32", "--batch-size", "4"], work, env)
    assert "saved adapter to adapters/nl" in out
    assert (work / "adapters" / "nl" / "adapter_model.safetensors").is_file()
