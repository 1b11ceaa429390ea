"""Each default once: a command's default is its request's, and a help text that states a default states it.

The request dataclasses (``PretrainConfig``, ``TrainSettings``, ``FinetuneRequest``, ``CvRequest``,
``CompareRequest``, ``VocabSettings``, ``Tracking``) own the defaults; the commands read them from there
where the request is model-free (a command module must not import torch). The CLI is walked: every
option of a command that maps to a request field must have that field's default, and every number a
help text gives as a default ("(default 0: ...)", "(default 2e-5 full, 5e-4 adapter)") must be the
option's default or one the request derives (the learning rate by mode and method).
"""

from __future__ import annotations

import dataclasses
import re

import pytest

from adapterkit.cli import build_command
from adapterkit.jobs.requests import CompareRequest, CvRequest, FinetuneRequest
from adapterkit.methods import FULL_LR, METHODS
from adapterkit.pretrain_config import PretrainConfig
from adapterkit.privacy.options import DEFAULT_MAX_GRAD_NORM
from adapterkit.tasks.settings import ADAPTER_LR, TrainSettings
from adapterkit.tracking import Tracking
from adapterkit.vocab import VocabSettings

# command -> the dataclasses whose fields its options are (searched in order), and renamed fields
REQUESTS: dict[str, tuple[tuple[type, ...], dict[str, str]]] = {
    "pretrain": ((PretrainConfig,), {}),
    "finetune": ((FinetuneRequest, TrainSettings, Tracking), {}),
    "cv": ((CvRequest, TrainSettings, Tracking), {"output": "run_dir"}),
    "compare": ((CompareRequest, CvRequest, TrainSettings, Tracking), {"variants": "variants"}),
    "vocab extend": ((VocabSettings,), {"output": "out", "train": "mode"}),
    "vocab build": ((VocabSettings,), {"output": "out", "train": "mode", "mode": "vocab_mode"}),
    "eval-mlm": ((PretrainConfig,), {}),  # its held-out split and seed are pretrain's ("as in pretrain")
}
# options that have a request field of the same name but on purpose not its default
NOT_THE_REQUESTS = {
    ("vocab build", "mode"),  # VocabSettings.vocab_mode defaults to extend (vocab extend's); vocab build's is new
    ("eval-mlm", "max_seq_len"),  # eval-mlm's own block length, not pretrain's option
    ("eval-mlm", "batch_size"),  # blocks per forward pass, not pretrain's blocks per training step
    ("eval-mlm", "base"),  # the adapters' own base when none is given, not pretrain's default base
    ("eval-mlm", "corpus"),
    ("eval-mlm", "registry"),
}
# options of a mapped command that are no request field (each looked at: none holds a default to keep)
NO_FIELD = {
    "vocab extend": {"force"},  # permission to replace --output, given to the run, not a setting
    "vocab build": {"force"},
    "eval-mlm": {"variants", "output"},
}
# numbers a help text may state as a default besides the option's own: what the request derives
DERIVED: dict[str, set[float]] = {
    "lr": {FULL_LR, ADAPTER_LR, *(method.learning_rate for method in METHODS.values())},
    "dp_max_grad_norm": {DEFAULT_MAX_GRAD_NORM},
    "dp_delta": {1.0},  # "(default: 1 / training blocks)"
}


APP = build_command()


def _command(path: str):
    found = APP
    for word in path.split():
        found = found.commands[word]
    return found


def _field_default(field: dataclasses.Field) -> object:
    if field.default is not dataclasses.MISSING:
        return field.default
    if field.default_factory is not dataclasses.MISSING:
        return field.default_factory()
    return dataclasses.MISSING


def _compared(path: str) -> list[tuple[str, object, object]]:
    """(option, the command's default, the request's) for every option of ``path`` with a request default."""
    requests, renamed = REQUESTS[path]
    rows = []
    for param in _command(path).params:
        if getattr(param, "hidden", False) or (path, param.name) in NOT_THE_REQUESTS:
            continue  # an old name (options.renamed) has no default of its own
        name = renamed.get(param.name, param.name)
        field = next((f for r in requests for f in dataclasses.fields(r) if f.name == name), None)
        if field is None:
            continue
        expected = _field_default(field)
        if expected is not dataclasses.MISSING:
            rows.append((param.name, param.default, expected))
    return rows


def _same(command_default: object, request_default: object) -> bool:
    if command_default is None and request_default in ([], ()):
        return True  # a repeatable option's "none given": the request's empty list
    numbers = [isinstance(v, (int, float)) and not isinstance(v, bool) for v in (command_default, request_default)]
    if type(command_default) is not type(request_default) and not all(numbers):
        return False  # 0 is no False, and None no 0
    return command_default == request_default


@pytest.mark.parametrize("path", sorted(REQUESTS))
def test_every_option_default_is_its_requests_default(path):
    rows = _compared(path)
    assert len(rows) >= (2 if path == "eval-mlm" else 8), f"{path}: options were not matched to the request"
    wrong = [(name, got, want) for name, got, want in rows if not _same(got, want)]
    assert not wrong, f"{path}: option defaults differ from the request's: {wrong}"


@pytest.mark.parametrize("path", sorted(REQUESTS))
def test_every_option_is_a_request_field_or_known_not_to_be(path):
    requests, renamed = REQUESTS[path]
    names = {f.name for r in requests for f in dataclasses.fields(r)}
    unmatched = {
        p.name
        for p in _command(path).params
        if not getattr(p, "hidden", False) and renamed.get(p.name, p.name) not in names and p.name != "help"
    }
    allowed = NO_FIELD.get(path, set()) | {name for command, name in NOT_THE_REQUESTS if command == path}
    assert unmatched <= allowed, f"{path}: options that are no field of its request: {unmatched - allowed}"


NUMBER = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?(?:e-?\d+)?(?![\w.])")


def _stated_defaults(help_text: str) -> list[float]:
    """The numbers inside "(default ...)" of a help text."""
    return [float(n) for part in re.findall(r"\(default:?([^)]*)\)", help_text) for n in NUMBER.findall(part)]


@pytest.mark.parametrize("path", sorted(REQUESTS))
def test_a_default_a_help_text_states_is_the_true_one(path):
    for param in _command(path).params:
        stated = _stated_defaults(getattr(param, "help", None) or "")
        true = {param.default, *DERIVED.get(param.name, ())} - {None}
        for number in stated:
            assert any(isinstance(t, (int, float)) and abs(number - t) < 1e-12 for t in true), (
                f"{path} --{param.name.replace('_', '-')}: help says default {number:g}, "
                f"the option's is {param.default!r}"
            )


def test_the_help_check_reads_the_numbers_the_help_texts_give():
    assert _stated_defaults("Learning rate (default 2e-5 full, 5e-4 adapter).") == [2e-5, 5e-4]
    assert _stated_defaults("Fraction (default 0: run_ner.py's; --warmup-steps wins when above 0).") == [0, 0]
    assert _stated_defaults("Clipping norm (default 1.0).") == [1.0]
    assert _stated_defaults("Learning rate (study NER: 15).") == []
    finetune_lr = next(p for p in _command("finetune").params if p.name == "lr")
    assert set(_stated_defaults(finetune_lr.help)) == {FULL_LR, ADAPTER_LR}


def test_a_wrong_default_is_found():
    """The comparison is no formality: a command default off by one is reported."""
    rows = _compared("cv")
    name, got, want = next(row for row in rows if row[0] == "folds")
    assert _same(got, want) and not _same(got + 1, want)
    assert not _same(None, 0) and not _same(False, 0) and _same(None, [])
