"""The one same-settings check every ``--resume`` goes through (pretrain, finetune, cv)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from adapterkit.errors import AdapterkitError
from adapterkit.training import check_same_settings


def _saved(tmp_path: Path, data: object) -> Path:
    file = tmp_path / "run.json"
    file.write_text(json.dumps(data), encoding="utf-8")
    return file


def test_the_same_settings_resume(tmp_path: Path) -> None:
    file = _saved(tmp_path, {"lr": 0.0003, "data": ["a.txt"], "settings": {"epochs": 2.0}})
    check_same_settings(file, {"lr": 3e-4, "data": [Path("a.txt")], "settings": {"epochs": 2.0}}, "start over")


def test_a_changed_setting_is_named_with_what_to_do(tmp_path: Path) -> None:
    file = _saved(tmp_path, {"lr": 0.0003, "seed": 1, "settings": {"epochs": 2.0}})
    with pytest.raises(AdapterkitError) as error:
        check_same_settings(file, {"lr": 0.0003, "seed": 2, "settings": {"epochs": 3.0}}, "redo it with --force")
    message = str(error.value)
    assert "(seed, settings)" in message and "redo it with --force" in message and str(file) in message
    assert "\n" not in message


def test_a_setting_the_file_lacks_counts_as_changed_and_an_older_extra_key_does_not(tmp_path: Path) -> None:
    file = _saved(tmp_path, {"lr": 0.0003, "removed_option": True})
    with pytest.raises(AdapterkitError, match=r"\(warmup_steps\)"):
        check_same_settings(file, {"lr": 0.0003, "warmup_steps": 0}, "start over")
    check_same_settings(file, {"lr": 0.0003}, "start over")


@pytest.mark.parametrize("content", ["{not json", "[1, 2]", '"text"'])
def test_a_damaged_settings_file_is_one_line_naming_it(tmp_path: Path, content: str) -> None:
    file = tmp_path / "cv-settings.json"
    file.write_text(content, encoding="utf-8")
    with pytest.raises(AdapterkitError) as error:
        check_same_settings(file, {"lr": 0.0003}, "start over")
    assert str(file) in str(error.value) and "\n" not in str(error.value)


def test_a_run_recorded_before_warmup_steps_existed_resumes_with_none_and_not_with_some(tmp_path: Path) -> None:
    file = _saved(tmp_path, {"data": ["a.conll"], "settings": {"epochs": 2.0, "warmup_ratio": 0.0}})
    check_same_settings(
        file, {"data": ["a.conll"], "settings": {"epochs": 2.0, "warmup_ratio": 0.0, "warmup_steps": 0}}, "x"
    )
    with pytest.raises(AdapterkitError, match=r"\(settings\)"):
        check_same_settings(
            file, {"data": ["a.conll"], "settings": {"epochs": 2.0, "warmup_ratio": 0.0, "warmup_steps": 5}}, "x"
        )
    with pytest.raises(AdapterkitError, match=r"\(settings\)"):  # a nested key older versions did record
        check_same_settings(file, {"data": ["a.conll"], "settings": {"epochs": 3.0, "warmup_ratio": 0.0}}, "x")


def test_a_run_started_under_other_training_rules_is_refused_saying_why_not_which_option(tmp_path: Path) -> None:
    """An earlier adapterkit's checkpoint holds another head or loss: no option can make it resume."""
    from adapterkit.jobs.requests import FinetuneRequest
    from adapterkit.tasks.settings import TRAINING_RULES

    now = FinetuneRequest(data=[tmp_path / "x.conll"], name="m").recorded()
    assert now["training_rules"] == TRAINING_RULES
    check_same_settings(_saved(tmp_path, now), now, "start over without --resume")
    earlier = {key: value for key, value in now.items() if key != "training_rules"}
    with pytest.raises(AdapterkitError) as error:
        check_same_settings(_saved(tmp_path, earlier), now, "start over without --resume")
    message = str(error.value)
    assert "earlier adapterkit" in message and "start over without --resume" in message and "\n" not in message
