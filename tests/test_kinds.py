"""The task kinds' table: every name it holds is a function the code has, and each kind's head and
loss agree with what transformers does with the same ``problem_type`` (its own loss)."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from adapterkit.errors import AdapterkitError
from adapterkit.manifest.adapter import TASKS
from adapterkit.readers import jsonl
from adapterkit.readers.kinds import KIND_NAMES, KINDS, kind_of
from adapterkit.tasks import inference, inputs, scoring, train


@pytest.mark.parametrize("name", KIND_NAMES)
def test_every_name_a_kind_holds_is_a_function_of_the_code(name: str) -> None:
    kind = KINDS[name]
    assert kind.name == name
    assert kind.loss in train.LOSSES
    assert kind.metrics in scoring.METRICS
    assert kind.headline in kind.headline_metrics
    if kind.token_level:  # tags per word: decoded from windows, scored by entity
        assert kind.decoding == "tags" and kind.target == "tags" and kind.problem_type is None
    else:
        assert kind.decoding in inference.DECODERS
        assert kind.target in inputs.TARGETS and kind.target in jsonl.TARGET_FIELDS and kind.target in jsonl.CLASS_NAMES


def test_the_manifest_accepts_exactly_the_kinds_of_the_table() -> None:
    assert TASKS == KIND_NAMES


def test_an_unknown_kind_is_one_line_naming_the_known_ones() -> None:
    with pytest.raises(AdapterkitError, match="task kind 'relation': not one of ner, classification, multilabel"):
        kind_of("relation")


def _labels(name: str) -> torch.Tensor:
    generator = torch.Generator().manual_seed(1)
    if name == "ner":
        labels = torch.randint(0, 3, (4, 10), generator=generator)
        labels[:, 7:] = -100  # padding and sub-word pieces carry no label
        return labels
    if name == "multilabel":
        return torch.randint(0, 2, (4, 3), generator=generator).float()
    if name == "regression":
        return torch.rand(4, generator=generator)
    return torch.randint(0, 3, (4,), generator=generator)


@pytest.mark.parametrize("name", KIND_NAMES)
def test_each_kinds_head_and_loss_are_transformers_own_for_its_problem_type(tiny_bert: Path, name: str) -> None:
    from transformers import AutoModelForSequenceClassification, AutoModelForTokenClassification

    kind = KINDS[name]
    model_class = AutoModelForTokenClassification if kind.token_level else AutoModelForSequenceClassification
    extra = {"problem_type": kind.problem_type} if kind.problem_type else {}
    torch.manual_seed(0)
    model = model_class.from_pretrained(tiny_bert, num_labels=3 if kind.labelled else 1, **extra).eval()
    labels = _labels(name)
    outputs = model(input_ids=torch.randint(1000, 2000, (4, 10)), labels=labels)
    assert torch.allclose(train.task_loss(name)(outputs, labels), outputs.loss, atol=1e-6)
