"""Shipped recipes: where they are, finding one by name, listing and copying them (``recipes list/cp``)."""

from __future__ import annotations

from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

from .errors import AdapterkitError
from .overlap import refuse_output_over_input
from .paths import PACKAGE_DIR
from .safety import atomic_write_bytes, check_destination_file

RECIPES_DIR = PACKAGE_DIR / "data" / "recipes"  # shipped in the package; ./recipes in a checkout links here


def recipe_path(name: str) -> Path:
    """A recipe file, or the name of one shipped in ``recipes/``."""
    path = Path(name)
    if path.is_file():
        return path
    shipped = RECIPES_DIR / f"{name}.toml"
    if shipped.is_file():
        return shipped
    known = ", ".join(sorted(p.stem for p in RECIPES_DIR.glob("*.toml")))
    raise AdapterkitError(f"recipe {name!r}: no such file nor shipped recipe (shipped: {known})")


def list_recipes() -> list[tuple[str, str]]:
    return [
        (path.stem, tomllib.loads(path.read_text(encoding="utf-8")).get("description", ""))
        for path in sorted(RECIPES_DIR.glob("*.toml"))
    ]


def copy_recipe(name: str, destination: Path, force: bool = False) -> Path:
    source = recipe_path(name)
    target = destination / source.name if destination.is_dir() else destination
    refuse_output_over_input([("DESTINATION", target)], [("NAME", source)])  # a shipped recipe stays as shipped
    if target.exists() and not force:
        raise AdapterkitError(f"{target} already exists: choose another destination or add --force")
    check_destination_file(target, "recipes cp")
    atomic_write_bytes(target, source.read_bytes())
    return target
