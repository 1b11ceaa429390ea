"""``VocabSettings``: the settings of `vocab extend` / `vocab build` as one value that checks itself
when made (the command line's one-line errors) and round-trips through JSON; the commands fill it
from every option."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from adapterkit import vocab
from adapterkit.cli import main
from adapterkit.errors import AdapterkitError
from adapterkit.vocab import ExtendResult, VocabSettings, extend_vocabulary
from adapterkit.vocab import build as vocab_build


def _settings(tmp_path: Path, **changes) -> VocabSettings:
    required = {"base": "minilm", "corpus": [tmp_path / "notes.txt"], "size": 8000, "out": tmp_path / "vocab"}
    return VocabSettings(**{**required, **changes})


def test_settings_round_trip_through_json_and_leave_the_option_name_out(tmp_path):
    settings = _settings(
        tmp_path,
        vocab_mode="new",
        other_corpus=[tmp_path / "ro.txt", "hf:org/notes:train"],
        mode="lora",
        max_steps=7,
        epochs=2.5,
        batch_size=4,
        grad_accum=2,
        lr=1e-4,
        max_seq_len=64,
        seed=3,
        mode_option="--train",
    )
    values = json.loads(json.dumps(settings.to_dict()))
    assert "mode_option" not in values
    assert values["corpus"] == [str(tmp_path / "notes.txt")] and values["other_corpus"][1] == "hf:org/notes:train"
    again = VocabSettings.from_dict(values)
    assert again == settings and again.to_dict() == settings.to_dict()
    assert again.corpus == [tmp_path / "notes.txt"] and again.out == tmp_path / "vocab"


def test_settings_defaults_are_the_command_lines(tmp_path):
    values = _settings(tmp_path).to_dict()
    assert {key: values[key] for key in values if key not in ("base", "corpus", "size", "out")} == {
        "vocab_mode": "extend",
        "other_corpus": None,
        "mode": "full",
        "max_steps": -1,
        "epochs": 5.0,
        "batch_size": 8,
        "grad_accum": 4,
        "lr": None,
        "max_seq_len": 128,
        "seed": 42,
    }
    assert _settings(tmp_path, other_corpus=[]).other_corpus is None  # an empty --other-corpus is none


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"vocab_mode": "replace"}, "--mode 'replace': choose new (replace the vocabulary) or extend (append to it)"),
        ({"mode": "half"}, "--mode 'half': choose full or lora"),
        ({"mode": "half", "mode_option": "--train"}, "--train 'half': choose full or lora"),
        ({"size": 0}, "--size 0: expected a positive vocabulary size such as 8000"),
        ({"size": -5}, "--size -5: expected a positive vocabulary size such as 8000"),
        ({"epochs": 0}, "--epochs 0: expected a positive number of epochs"),
        ({"batch_size": 0}, "--batch-size 0: expected a positive batch size"),
        ({"max_seq_len": 4}, "--max-seq-len 4: expected a length of at least 8 tokens"),
        ({"lr": -1.0}, "--lr -1.0: expected a positive learning rate such as 2e-5"),
    ],
)
def test_settings_refuse_a_bad_value_when_made_with_one_line(tmp_path, changes, message):
    with pytest.raises(AdapterkitError) as caught:
        _settings(tmp_path, **changes)
    assert str(caught.value) == message
    assert not any(tmp_path.iterdir()), "nothing is written for bad settings"


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"size": "8000"}, "run.json: size '8000': expected a whole number"),
        ({"size": True}, "run.json: size True: expected a whole number"),
        ({"corpus": "notes.txt"}, "run.json: corpus 'notes.txt': expected a list of corpus paths"),
        ({"corpus": [3]}, "run.json: corpus [3]: expected a list of corpus paths"),
        ({"epochs": None}, "run.json: epochs None: expected a number"),
        ({"learning_rate": 1e-4}, "run.json: unknown setting(s) learning_rate; known: base, corpus, size, out,"),
        ({"mode_option": "--train"}, "run.json: unknown setting(s) mode_option"),
    ],
)
def test_from_dict_names_the_setting_it_cannot_take(tmp_path, values, message):
    written = _settings(tmp_path).to_dict()
    with pytest.raises(AdapterkitError) as caught:
        VocabSettings.from_dict({**written, **values}, source="run.json")
    assert str(caught.value).startswith(message) and "\n" not in str(caught.value)


def test_from_dict_names_missing_settings_and_checks_the_values_too(tmp_path):
    with pytest.raises(AdapterkitError, match=r"^vocab settings: missing setting\(s\) size, out$"):
        VocabSettings.from_dict({"base": "minilm", "corpus": ["notes.txt"]})
    with pytest.raises(AdapterkitError, match="^--size 0: expected a positive"):
        VocabSettings.from_dict({**_settings(tmp_path).to_dict(), "size": 0})


def test_extend_vocabulary_refuses_settings_for_a_new_vocabulary(tmp_path):
    with pytest.raises(ValueError, match="use build_vocabulary"):
        extend_vocabulary(_settings(tmp_path, vocab_mode="new"))
    assert not any(tmp_path.iterdir())


@pytest.fixture
def recorded(monkeypatch):
    """``build_vocabulary`` replaced by a recorder: what the commands hand over, nothing run."""
    calls: list[tuple[VocabSettings, bool]] = []

    def record(settings: VocabSettings, force: bool = False) -> ExtendResult:
        calls.append((settings, force))
        figures = {"base": 9.0, "extended": 8.0, "trained": 7.0}
        fertility = {"before": 2.0, "after": 1.5}
        return ExtendResult(
            settings.out, settings.out / "base", settings.out / "model", settings.mode, ["x"], 10, fertility, figures
        )

    # Where extend_vocabulary finds it, and where the vocab build command imports it from.
    monkeypatch.setattr(vocab_build, "build_vocabulary", record)
    monkeypatch.setattr(vocab, "build_vocabulary", record)
    return calls


def test_vocab_extend_hands_every_option_to_the_settings(tmp_path, recorded):
    corpus, other, out = tmp_path / "nl.txt", tmp_path / "ro.txt", tmp_path / "v"
    argv = ["vocab", "extend", "--corpus", str(corpus), "--size", "900", "--output", str(out), "--base", "minilm"]
    argv += ["--other-corpus", str(other), "--train", "lora", "--max-steps", "5", "--epochs", "2", "--batch-size", "3"]
    argv += ["--grad-accum", "2", "--lr", "0.001", "--max-seq-len", "64", "--seed", "7", "--force"]
    assert main(argv) == 0
    [(settings, force)] = recorded
    assert force is True
    assert settings.to_dict() == {
        "base": "minilm",
        "corpus": [str(corpus)],
        "size": 900,
        "out": str(out),
        "vocab_mode": "extend",
        "other_corpus": [str(other)],
        "mode": "lora",
        "max_steps": 5,
        "epochs": 2.0,
        "batch_size": 3,
        "grad_accum": 2,
        "lr": 0.001,
        "max_seq_len": 64,
        "seed": 7,
    }
    assert settings.mode_option == "--train"  # as on vocab build (--mode is its old name here)


def test_vocab_build_hands_its_train_option_as_the_mode_and_names_it_in_errors(tmp_path, recorded, capsys):
    corpus, out = tmp_path / "nl.txt", tmp_path / "v"
    argv = ["vocab", "build", "--corpus", str(corpus), "--size", "900", "--output", str(out), "--train", "lora"]
    assert main(argv) == 0
    [(settings, force)] = recorded
    assert (settings.vocab_mode, settings.mode, settings.mode_option, settings.other_corpus, force) == (
        "new",
        "lora",
        "--train",
        None,
        False,
    )
    assert settings.to_dict() == _settings(tmp_path, vocab_mode="new", mode="lora").to_dict() | {
        "base": "bert-base-multilingual-cased",
        "corpus": [str(corpus)],
        "size": 900,
        "out": str(out),
    }
    capsys.readouterr()
    assert main([*argv, "--batch-size", "0"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--batch-size 0: expected a positive batch size" in err[0], err
    assert len(recorded) == 1, "refused before the run"
