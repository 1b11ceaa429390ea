"""k-fold assignments that every model variant shares.

Paired tests across variants (``stats.compare``) are only valid when every variant is trained
and tested on the same folds. The assignment is therefore made once, from the item ids and a
seed, written to a fold file, and read back by every later run instead of being recomputed.
Items of one document (``groups``) always stay in one fold, so no document leaks between the
training and test side; class labels (``strata``) keep their proportions in every fold.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
from sklearn.model_selection import GroupKFold, KFold, StratifiedGroupKFold, StratifiedKFold
from sklearn.utils import check_random_state

from .atomic import atomic_write_text
from .errors import AdapterkitError

FORMAT_NOTE = "fold assignment of adapterkit: same ids, k and seed give the same folds for every variant"


def _check_inputs(ids: list[str], k: int, groups: list[str] | None, strata: list[str] | None) -> None:
    """Refuse what no k-fold split can satisfy, naming the option to change."""
    if len(set(ids)) != len(ids):
        raise AdapterkitError("item ids are not unique; folds are stored by id, so every item needs its own id")
    for name, values in (("groups", groups), ("strata", strata)):
        if values is not None and len(values) != len(ids):
            raise AdapterkitError(f"{name}: {len(values)} values for {len(ids)} items; give one per item")
    units, what = (len(set(groups)), "documents") if groups is not None else (len(ids), "items")
    if k < 2 or k > units:
        raise AdapterkitError(f"--folds {k}: must be between 2 and the number of {what} ({units})")


def _shuffled_group_splits(groups: np.ndarray, k: int, seed: int) -> Iterator[np.ndarray]:
    """GroupKFold(shuffle=True) of scikit-learn >= 1.6, for older versions: permuted groups, k chunks."""
    unique = check_random_state(seed).permutation(np.unique(groups))
    for chunk in np.array_split(unique, k):
        yield np.flatnonzero(np.isin(groups, chunk))


def _group_splits(groups: np.ndarray, k: int, seed: int) -> Iterator[np.ndarray]:
    """Test indices of grouped folds: whole documents, assigned at random (seeded)."""
    if "shuffle" not in inspect.signature(GroupKFold).parameters:
        yield from _shuffled_group_splits(groups, k, seed)
        return
    splitter = GroupKFold(n_splits=k, shuffle=True, random_state=seed)
    for _, test in splitter.split(np.zeros(len(groups)), groups=groups):
        yield test


def _test_splits(n: int, k: int, seed: int, groups: list[str] | None, strata: list[str] | None) -> Iterator[np.ndarray]:
    """The test indices of each fold, from the splitter that fits what is known about the items."""
    placeholder = np.zeros(n)
    if groups is not None and strata is not None:
        splitter = StratifiedGroupKFold(n_splits=k, shuffle=True, random_state=seed)
        splits = splitter.split(placeholder, np.asarray(strata), groups=np.asarray(groups))
    elif groups is not None:
        yield from _group_splits(np.asarray(groups), k, seed)
        return
    elif strata is not None:
        splits = StratifiedKFold(n_splits=k, shuffle=True, random_state=seed).split(placeholder, np.asarray(strata))
    else:
        splits = KFold(n_splits=k, shuffle=True, random_state=seed).split(placeholder)
    for _, test in splits:
        yield test


def make_folds(
    ids: list[str], k: int, seed: int, groups: list[str] | None = None, strata: list[str] | None = None
) -> list[int]:
    """The fold index (0..k-1) of every item, in the order of ``ids``.

    ``groups`` (document ids) → grouped k-fold: each document lies in one fold; with ``strata`` as
    well → stratified grouped k-fold. ``strata`` alone (class labels) → stratified k-fold. Neither →
    shuffled k-fold. Every splitter is seeded, so the same inputs give the same folds.
    """
    _check_inputs(ids, k, groups, strata)
    folds = [-1] * len(ids)
    try:
        for fold, test in enumerate(_test_splits(len(ids), k, seed, groups, strata)):
            for index in test:
                folds[int(index)] = fold
    except ValueError as error:  # e.g. every class smaller than k under stratification
        raise AdapterkitError(f"--folds {k}: {error}") from error
    return folds


def _mode(groups: list[str] | None, strata: list[str] | None) -> str:
    return {(True, True): "stratified-grouped", (True, False): "grouped", (False, True): "stratified"}.get(
        (groups is not None, strata is not None), "plain"
    )


def write_fold_file(path: Path, ids: list[str], folds: list[int], meta: dict, seed: int | None = None) -> None:
    """Write ``{"k", "seed", "meta", "assignment": [{"id", "fold"}, ...]}`` as JSON.

    The file is written to a temporary name and renamed, so a variant started at the same time
    never reads half a file. ``seed`` defaults to ``meta["seed"]`` when present.
    """
    if len(ids) != len(folds):
        raise AdapterkitError(f"fold file {path}: {len(folds)} folds for {len(ids)} ids; give one fold per id")
    path = Path(path)
    payload = {
        "note": FORMAT_NOTE,
        "k": max(folds) + 1 if folds else 0,
        "seed": seed if seed is not None else meta.get("seed"),
        "meta": meta,
        "assignment": [{"id": item, "fold": int(fold)} for item, fold in zip(ids, folds, strict=True)],
    }
    # atomic.py, not safety: this module stays free of model code (ARCHITECTURE.md, rule 4).
    atomic_write_text(path, json.dumps(payload, indent=1, ensure_ascii=False) + "\n")


def _load(path: Path) -> dict:
    """The fold file's JSON, checked (``_assignment``), or a one-line error saying how to get a usable one."""
    try:
        payload = json.loads(Path(path).read_text(encoding="utf-8"))
        rows = [(str(row["id"]), row["fold"]) for row in payload["assignment"]]
        k = payload["k"]
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
        raise AdapterkitError(
            f"fold file {path} is not a readable fold file ({error}); delete it or pass another --fold-file"
        ) from error
    payload["assignment"] = _assignment(path, rows, k)
    return payload


def _assignment(path: Path, rows: list[tuple[str, object]], k: object) -> dict[str, int]:
    """id -> fold, once every fold is a whole number from 0 to k - 1, every item is listed once and
    every fold has an item (an empty test fold would score nothing): checked before any fold trains."""
    fix = "delete it or pass another --fold-file"
    if isinstance(k, bool) or not isinstance(k, int) or k < 2:
        raise AdapterkitError(f"fold file {path}: k = {k!r}; expected a whole number of folds, at least 2; {fix}")
    assignment: dict[str, int] = {}
    for item, fold in rows:
        if isinstance(fold, bool) or not isinstance(fold, int) or not 0 <= fold < k:
            raise AdapterkitError(f"fold file {path}: item {item!r} is in fold {fold!r}; folds are 0 to {k - 1}; {fix}")
        if item in assignment:
            raise AdapterkitError(f"fold file {path}: item {item!r} is listed twice; an item has one fold; {fix}")
        assignment[item] = fold
    empty = sorted(set(range(k)) - set(assignment.values()))
    if empty:
        raise AdapterkitError(f"fold file {path}: fold {empty[0]} has no item (an empty test fold) of k = {k}; {fix}")
    return assignment


def read_fold_file(path: Path, ids: list[str]) -> list[int]:
    """The folds stored in ``path``, in the order of ``ids``; the file must hold exactly these ids."""
    return _folds_of(path, _load(path), ids)


def _folds_of(path: Path, payload: dict, ids: list[str]) -> list[int]:
    assignment = payload["assignment"]
    differing = len(set(assignment) ^ set(ids))
    if differing:
        raise AdapterkitError(
            f"fold file {path} was made for another dataset ({differing} ids differ); "
            "delete it or pass another --fold-file"
        )
    return [assignment[item] for item in ids]


def _check_agrees(path: Path, payload: dict, k: int, seed: int) -> None:
    """A reused file must have been made with the requested --folds and --seed."""
    for option, wanted, stored in (("--folds", k, payload.get("k")), ("--seed", seed, payload.get("seed"))):
        if stored != wanted:
            raise AdapterkitError(
                f"fold file {path} was made with {option} {stored}, not {wanted}; "
                f"pass {option} {stored}, delete the file, or pass another --fold-file"
            )


def folds_for(
    path: Path,
    ids: list[str],
    k: int,
    seed: int,
    groups: list[str] | None = None,
    strata: list[str] | None = None,
    meta: dict | None = None,
) -> list[int]:
    """The folds of this dataset: read from ``path`` when it exists, else made and written there.

    Reusing the file is what makes every model variant see identical folds, even if a later
    scikit-learn version would split differently. A file for other ids, another k or another
    seed is refused rather than silently replaced.
    """
    path = Path(path)
    if path.exists():
        payload = _load(path)
        _check_agrees(path, payload, k, seed)
        return _folds_of(path, payload, ids)
    folds = make_folds(ids, k, seed, groups=groups, strata=strata)
    info = {"mode": _mode(groups, strata), "items": len(ids), **(meta or {})}
    write_fold_file(path, ids, folds, info, seed=seed)
    return folds


def split(folds: list[int], fold: int) -> tuple[list[int], list[int]]:
    """``(train_indices, test_indices)`` of one fold: its items are the test side, the rest train."""
    k = max(folds) + 1 if folds else 0
    if not 0 <= fold < k:
        raise AdapterkitError(f"fold {fold}: there are {k} folds, numbered 0 to {k - 1}")
    train = [index for index, value in enumerate(folds) if value != fold]
    test = [index for index, value in enumerate(folds) if value == fold]
    return train, test
