"""training.final_loss is the last logged loss (schema 3); older manifests are read with that meaning."""

from __future__ import annotations

import json

from conftest import train_adapter

from adapterkit.manifest import SCHEMA_VERSION, AdapterManifest


def _manifest(version: int | None, training: dict) -> dict:
    data = {
        "name": "nl-clin",
        "kind": "language",
        "base": {"id": "minilm", "fingerprint": "0" * 64},
        "training": training,
    }
    return data if version is None else {**data, "schema_version": version}


LOG = [{"step": 1, "loss": 9.5}, {"step": 2, "loss": 8.25}, {"step": 0, "perplexity": 40.0}]


def test_an_older_manifest_reads_its_mean_as_mean_loss_and_the_curves_last_loss_as_final():
    for version in (None, 1, 2):
        read = AdapterManifest.from_dict(_manifest(version, {"final_loss": 8.9, "log": LOG}))
        assert (read.training.final_loss, read.training.mean_loss) == (8.25, 8.9), version


def test_an_older_manifest_without_a_curve_keeps_only_the_mean():
    read = AdapterManifest.from_dict(_manifest(2, {"final_loss": 8.9}))
    assert (read.training.final_loss, read.training.mean_loss) == (None, 8.9)


def test_a_current_manifest_is_read_as_written():
    assert SCHEMA_VERSION == 3
    read = AdapterManifest.from_dict(_manifest(3, {"final_loss": 8.25, "mean_loss": 8.9, "log": LOG}))
    assert (read.training.final_loss, read.training.mean_loss) == (8.25, 8.9)


def test_pretrain_records_the_last_logged_loss_and_the_mean(tmp_path, tiny_bert, small_corpus):
    folder = train_adapter(tiny_bert, small_corpus, tmp_path, "nl-loss", max_steps=3, save_steps=3, logging_steps=1)
    training = json.loads((folder / "adapterkit.json").read_text(encoding="utf-8"))["training"]
    losses = [entry["loss"] for entry in training["log"] if "loss" in entry]
    assert len(losses) == 3
    assert training["final_loss"] == losses[-1]
    assert abs(training["mean_loss"] - sum(losses) / 3) < 0.05 * training["mean_loss"]
