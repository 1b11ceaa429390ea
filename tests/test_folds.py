"""Folds: reproducible, shared through a fold file, documents and class proportions respected."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from sklearn.model_selection import GroupKFold

from adapterkit.errors import AdapterkitError
from adapterkit.folds import (
    _shuffled_group_splits,
    folds_for,
    make_folds,
    read_fold_file,
    split,
    write_fold_file,
)

IDS = [f"s{i}" for i in range(30)]
GROUPS = [f"doc{i // 3}" for i in range(30)]  # 10 documents of 3 sentences
STRATA = ["a"] * 20 + ["b"] * 10


def test_same_seed_same_folds_other_seed_other_folds() -> None:
    first = make_folds(IDS, 5, seed=42)
    assert first == make_folds(IDS, 5, seed=42)
    assert first != make_folds(IDS, 5, seed=43)
    assert sorted(Counter(first).values()) == [6] * 5


def test_groups_never_straddle_folds() -> None:
    folds = make_folds(IDS, 5, seed=1, groups=GROUPS)
    by_group: dict[str, set[int]] = {}
    for group, fold in zip(GROUPS, folds, strict=True):
        by_group.setdefault(group, set()).add(fold)
    assert all(len(found) == 1 for found in by_group.values())
    assert set(folds) == set(range(5))


def test_shuffled_group_fallback_equals_sklearn() -> None:
    groups = np.asarray(GROUPS)
    ours = [sorted(test.tolist()) for test in _shuffled_group_splits(groups, 4, seed=7)]
    splitter = GroupKFold(n_splits=4, shuffle=True, random_state=7)
    theirs = [sorted(test.tolist()) for _, test in splitter.split(np.zeros(len(groups)), groups=groups)]
    assert ours == theirs


def test_stratification_keeps_class_proportions() -> None:
    folds = make_folds(IDS, 5, seed=3, strata=STRATA)
    for fold in range(5):
        counts = Counter(label for label, f in zip(STRATA, folds, strict=True) if f == fold)
        assert counts == {"a": 4, "b": 2}


def test_groups_with_strata_keep_documents_whole() -> None:
    strata = [("a" if i < 6 else "b") for i in range(10) for _ in range(3)]
    folds = make_folds(IDS, 3, seed=0, groups=GROUPS, strata=strata)
    assert all(len({folds[i] for i in range(d * 3, d * 3 + 3)}) == 1 for d in range(10))


@pytest.mark.parametrize(
    ("k", "groups", "message"),
    [
        (1, None, "--folds 1: must be between 2 and the number of items \\(30\\)"),
        (31, None, "--folds 31"),
        (11, GROUPS, "--folds 11: must be between 2 and the number of documents \\(10\\)"),
    ],
)
def test_k_out_of_range_refused(k: int, groups: list[str] | None, message: str) -> None:
    with pytest.raises(AdapterkitError, match=message):
        make_folds(IDS, k, seed=0, groups=groups)


def test_duplicate_ids_refused() -> None:
    with pytest.raises(AdapterkitError, match="not unique"):
        make_folds(["a", "a", "b"], 2, seed=0)


def test_fold_file_reproduces_the_split(tmp_path: Path) -> None:
    path = tmp_path / "folds.json"
    folds = folds_for(path, IDS, 5, 42, groups=GROUPS)
    payload = json.loads(path.read_text())
    assert payload["k"] == 5 and payload["seed"] == 42 and payload["meta"]["mode"] == "grouped"
    assert payload["assignment"][0] == {"id": "s0", "fold": folds[0]}
    assert read_fold_file(path, IDS) == folds
    # The file wins over recomputation: an assignment no splitter would make is reused as it is.
    custom = [i % 5 for i in range(30)]
    write_fold_file(path, IDS, custom, {"mode": "custom"}, seed=42)
    assert folds_for(path, IDS, 5, 42, groups=GROUPS) == custom
    # Folds are stored by id, so another order of the same items gets the same folds.
    assert read_fold_file(path, IDS[::-1]) == custom[::-1]


def test_fold_file_of_another_dataset_refused(tmp_path: Path) -> None:
    path = tmp_path / "folds.json"
    folds_for(path, IDS, 5, 42)
    changed = [*IDS[:-1], "new"]
    with pytest.raises(AdapterkitError, match="was made for another dataset \\(2 ids differ\\); delete it"):
        folds_for(path, changed, 5, 42)


@pytest.mark.parametrize(("k", "seed", "option"), [(10, 42, "--folds"), (5, 1, "--seed")])
def test_fold_file_with_other_k_or_seed_refused(tmp_path: Path, k: int, seed: int, option: str) -> None:
    path = tmp_path / "folds.json"
    folds_for(path, IDS, 5, 42)
    with pytest.raises(AdapterkitError, match=f"made with {option}"):
        folds_for(path, IDS, k, seed)


def test_unreadable_fold_file_refused(tmp_path: Path) -> None:
    path = tmp_path / "folds.json"
    path.write_text("{not json")
    with pytest.raises(AdapterkitError, match="not a readable fold file.*--fold-file"):
        read_fold_file(path, IDS)


def test_split_gives_complementary_sides() -> None:
    folds = make_folds(IDS, 5, seed=0)
    train, test = split(folds, 2)
    assert sorted(train + test) == list(range(30))
    assert all(folds[i] == 2 for i in test) and all(folds[i] != 2 for i in train)
    with pytest.raises(AdapterkitError, match="fold 5: there are 5 folds"):
        split(folds, 5)
