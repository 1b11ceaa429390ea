"""A task model's manifest is checked before anything is written and carries schema_version, also
where no registry stamps it (cv --keep-model's fold models)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from adapterkit.errors import AdapterkitError
from adapterkit.manifest import MANIFEST, SCHEMA_VERSION, AdapterManifest
from adapterkit.tasks.model import save_task_model


class _Saves:
    """Stands for a model or tokenizer: ``save_pretrained`` leaves one file."""

    def __init__(self, name: str):
        self.name = name

    def save_pretrained(self, folder) -> None:
        Path(folder, self.name).write_text("weights", encoding="utf-8")


def _task_manifest(**changes) -> dict:
    manifest = {
        "name": "ro-ner-fold1",
        "kind": "task",
        "task": "ner",
        "labels": ["O", "B-CHEM", "I-CHEM"],
        "adapter": False,
        "variant": "base",
        "base": {"id": "tiny", "fingerprint": None},
    }
    return manifest | changes


def test_a_saved_task_model_manifest_carries_schema_version_and_reads_back_complete(tmp_path):
    given = _task_manifest()
    save_task_model(_Saves("model.safetensors"), _Saves("tokenizer.json"), tmp_path, given)
    written = json.loads((tmp_path / MANIFEST).read_text(encoding="utf-8"))
    assert written["schema_version"] == SCHEMA_VERSION
    assert {key: value for key, value in written.items() if key != "schema_version"} == given
    assert "schema_version" not in given  # the caller's dict is not changed
    typed = AdapterManifest.from_dict(written, tmp_path / MANIFEST, complete=True)
    assert typed.labels == ["O", "B-CHEM", "I-CHEM"]
    assert (tmp_path / "tokenizer.json").is_file()


def test_a_task_adapter_saves_no_tokenizer(tmp_path):
    manifest = _task_manifest(adapter=True)
    save_task_model(_Saves("adapter_model.safetensors"), _Saves("tokenizer.json"), tmp_path, manifest)
    assert not (tmp_path / "tokenizer.json").exists()


def test_a_task_manifest_of_the_wrong_type_is_refused_before_anything_is_written(tmp_path):
    with pytest.raises(AdapterkitError, match="labels"):
        save_task_model(_Saves("model.safetensors"), _Saves("tokenizer.json"), tmp_path, _task_manifest(labels="O"))
    assert list(tmp_path.iterdir()) == []
