"""Manifests of every kind a card is written from, and what adapterkit writes from each.

``snapshot()`` renders every card (local, composition, Hub), the shared manifest ``push`` uploads and
the Hub metadata for each case. ``tests/data/card_snapshots.json`` holds its output as written by
adapterkit before manifests were read through the typed ``AdapterManifest`` (commit 70aa221);
``test_typed_manifest.py`` checks that the output has not changed by a byte. Regenerate it only when
a card is meant to change: ``python tests/card_cases.py > tests/data/card_snapshots.json``.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

SNAPSHOTS = Path(__file__).parent / "data" / "card_snapshots.json"
FINGERPRINT = "sha256:b5db04a61491064d1705bcb89b438fd0c237acb5262b1cf4200d6ae3d86176f8"
VERSIONS = {"adapterkit": "0.1.0", "torch": "2.13.0+cpu", "transformers": "5.23.0", "peft": "0.21.2"}
STUDY = Path("/work/study")  # the folder push runs in, for --card-paths


def _pretrain(**changes) -> dict:
    """A LoRA domain adapter as ``pretrain`` records it (the demo's nl-clin)."""
    manifest = {
        "name": "nl-clin",
        "kind": "domain",
        "languages": ["nl"],
        "domain": "clinical",
        "base": {
            "id": "minilm",
            "peft_base_model": "sentence-transformers/all-MiniLM-L6-v2",
            "revision": None,
            "fingerprint": FINGERPRINT,
            "mlm_head": "new",
        },
        "corpus": {
            "files": [
                {"path": str(STUDY / "corpora" / "nl-clin.txt"), "sha256": "b7" * 32, "lines": 3000},
                {"path": "/home/jdoe/cardiology/notes-2024.txt", "sha256": "c4" * 32, "lines": 1234567},
                {"path": "hf:team/nl-notes:train", "sha256": "d1" * 32, "lines": 50, "fingerprint": "f00d"},
            ],
            "cleaning": {
                "lines_read": 1237617,
                "markup_changed": 60,
                "lines_with_special_chars": 9,
                "empty_dropped": 30,
                "duplicates_dropped": 1030,
                "lines_kept": 1236557,
            },
            "train_tokens": 132351,
            "heldout_tokens": 6827,
            "heldout_fraction": 0.05,
            "block_mode": "packed",
            "streaming": False,
        },
        "hyperparameters": {
            "mode": "lora",
            "epochs": 5.0,
            "max_steps": 100,
            "steps": 100,
            "batch_size": 8,
            "grad_accum": 1,
            "learning_rate": 0.0003,
            "weight_decay": 0.0,
            "warmup_steps": 0,
            "max_seq_len": 128,
            "mlm_probability": 0.15,
            "masking": "80% [MASK] / 10% random / 10% unchanged",
            "seed": 42,
            "precision": "fp32",
            "group_by_length": False,
            "optim": "adamw",
            "quantize": None,
            "lora_r": 16,
            "lora_alpha": 32,
            "lora_dropout": 0.05,
            "lora_targets": ["query", "key", "value", "attention-output", "intermediate", "output"],
            "trained_head_modules": ["cls.predictions.transform"],
        },
        "perplexity": {"before": 44733.64730064809, "after": 869.1061915506538, "heldout_masked_tokens": 1041},
        "training": {
            "final_loss": 7.166848526000977,
            "runtime_s": 58.61,
            "tokens_seen": 102289,
            "tokens_per_s": 1720.6,
            "resumed_from": None,
            "log": [{"step": 10, "loss": 8.5364, "learning_rate": 0.000273}, {"step": 0, "perplexity": 44733.6}],
        },
        "versions": VERSIONS,
        "created": "2026-12-01T17:07:18+00:00",
        "schema_version": 1,
        "sha256": {"adapter_model.safetensors": "e6" * 32},
    }
    for dotted, value in changes.items():
        *parents, leaf = dotted.split("__")
        target = manifest
        for part in parents:
            target = target[part]
        if value is _DROP:
            target.pop(leaf, None)
        else:
            target[leaf] = value
    return manifest


_DROP = object()


def _composed(**changes) -> dict:
    """A stack of two adapters as ``compose`` records it (the demo's nl-clin+ro-bio)."""
    manifest = {
        "name": "nl-clin+ro-bio",
        "kind": "composed",
        "languages": ["nl", "ro"],
        "domain": "clinical+biomedical",
        "base": _pretrain()["base"],
        "composition": {
            "how": "stack",
            "exact": True,
            "approximation": None,
            "parts": [
                {"name": "nl-clin", "weight": 1.0, "path": "adapters/nl-clin"},
                {"name": "ro-bio", "weight": 0.123456, "path": "/home/jdoe/adapters/ro-bio"},
            ],
            "rank": None,
            "density": None,
            "heads": {
                "modules": ["cls.predictions.transform"],
                "rule": "weighted mean of the parts' trained heads (sum w_i H_i / sum w_i), "
                "the same in stack and merge",
            },
        },
        "versions": {"adapterkit": "0.1.0"},
        "created": "2026-12-01T17:08:18+00:00",
        "schema_version": 1,
        "sha256": {"adapter_model.safetensors": "f6" * 32},
    }
    for key, value in changes.items():
        section, _, leaf = key.partition("__")
        if leaf:
            manifest[section][leaf] = value
        else:
            manifest[key] = value
    return manifest


def cases() -> dict[str, dict]:
    """Every branch of the cards: kinds, bases (embedded, Hub id, local folder), streaming, learned weights."""
    mbert = "bert-base-multilingual-cased"
    return {
        "domain-lora-embedded-base": _pretrain(),
        "language-lora-hub-base-streamed": _pretrain(
            name="ro-lang",
            kind="language",
            languages=["ro", "nl"],
            domain=None,
            base={
                "id": mbert,
                "peft_base_model": mbert,
                "revision": "abc123",
                "fingerprint": FINGERPRINT,
                "mlm_head": "pretrained",
            },  # fmt: skip
            corpus__train_tokens=None,
            corpus__heldout_tokens=None,
            corpus__streaming=True,
            corpus__block_mode="line",
            hyperparameters__trainable_token_ids="119547..119600",
        ),
        "full-model-local-base": _pretrain(
            name="demo-nl-clin-full",
            kind="model",
            languages=[],
            base={
                "id": "/data/bases/clin-bert",
                "peft_base_model": "/data/bases/clin-bert",
                "revision": None,
                "fingerprint": FINGERPRINT,
                "mlm_head": "pretrained",
                "path": "/data/bases/clin-bert",
            },  # fmt: skip
            hyperparameters={"mode": "full", "epochs": 1.0, "max_steps": 2, "steps": 2, "seed": 0},
            sha256={"model.safetensors": "01" * 32},
        ),
        "pulled-renamed-domain": _pretrain(
            name="team--nl-a",
            origin_name="nl-a",
            source={"hub": "team/nl-a", "revision": "0" * 40, "requested": None, "endpoint": "https://hf.co"},
            base={**_pretrain()["base"], "local": True},
        ),
        "old-manifest-without-schema-version": _pretrain(schema_version=_DROP, sha256=_DROP, domain=_DROP),
        "composed-stack": _composed(),
        "composed-learned": _composed(
            name="learned-mix",
            composition__exact=False,
            composition__learned={"steps": 50, "perplexity_start": 812.3456, "perplexity_learned": 640.1},
            composition__heads=None,
        ),
        "merged-svd": _composed(
            name="merged-svd",
            kind="model",
            domain=None,
            composition__how="svd",
            composition__exact=False,
            composition__approximation="rank-8 SVD of the summed update",
            composition__rank=8,
            sha256={"model.safetensors": "02" * 32},
        ),
        "pulled-plain-lora": {
            "schema_version": 1,
            "name": "someone--plain-lora",
            "kind": "language",
            "languages": [],
            "domain": None,
            "base": {"id": mbert, "peft_base_model": mbert, "revision": None, "fingerprint": None},
            "versions": {"adapterkit": "0.1.0"},
            "created": "2026-12-01T17:00:00+00:00",
            "source": {"hub": "someone/plain-lora", "revision": "1" * 40, "requested": "main", "endpoint": "x"},
            "sha256": {"adapter_model.safetensors": "03" * 32},
        },
    }


RUNS = [
    {
        "file": "cmp/cv/nl-clin/cv.json",
        "variant": "nl-clin+hub:team/x@v1",
        "data": ["nl=ner.conll", {"name": "ro.conll", "sha256": "ab" * 32}, {"name": "hf:team/ner", "sha256": None}],
        "folds": 5,
        "mode": "adapter",
        "summary": {"f1": [0.8123, 0.0101], "macro_f1": 0.5, "n": 3},
    }
]


def snapshot() -> dict[str, dict[str, str]]:
    """What adapterkit writes from each case, as text."""
    from adapterkit.card import hub_base_id, render_card, render_composition_card, render_hub_card
    from adapterkit.hub import _dataset_ids
    from adapterkit.manifest import AdapterManifest
    from adapterkit.sharing import shareable_manifest

    out: dict[str, dict[str, str]] = {}
    for name, manifest in cases().items():
        given = copy.deepcopy(manifest)
        texts: dict[str, str] = {}
        if "hyperparameters" in manifest and "corpus" in manifest:
            texts["card"] = render_card(manifest)
        if "composition" in manifest:
            texts["composition card"] = render_composition_card(manifest)
        texts["hub card, no runs"] = render_hub_card(manifest, "team/x")
        texts["hub card"] = render_hub_card(manifest, "team/x", RUNS, "apache-2.0", ["team/d"])
        for label, shared in (
            ("shared", shareable_manifest(manifest)),
            ("shared with card paths", shareable_manifest(manifest, True, STUDY)),
        ):
            texts[label] = json.dumps(shared, indent=2, ensure_ascii=False)
            texts[f"{label}: hub card"] = render_hub_card(shared, "team/x", RUNS, None, [])
        texts["hub base id"] = str(hub_base_id(manifest))
        texts["datasets"] = json.dumps(_dataset_ids(AdapterManifest.from_dict(manifest), ["team/d"]))
        assert manifest == given, f"{name}: rendering changed the manifest"
        out[name] = texts
    return out


if __name__ == "__main__":
    print(json.dumps(snapshot(), indent=1, ensure_ascii=False))
