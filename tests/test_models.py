"""Base encoders: the embedded default, fingerprints, offline failures."""

from __future__ import annotations

import pytest
import torch
from transformers import AutoModelForMaskedLM, BertForMaskedLM

from adapterkit.errors import AdapterkitError
from adapterkit.models import fingerprint, load_masked_lm, materialise_embedded, resolve_base


def test_embedded_default_is_a_complete_masked_lm_with_a_new_head(embedded_path):
    model, info = AutoModelForMaskedLM.from_pretrained(embedded_path, output_loading_info=True)
    assert type(model) is BertForMaskedLM and not info["missing_keys"]
    assert model.config.num_hidden_layers == 6 and model.config.hidden_size == 384
    base = resolve_base("minilm")
    assert base.head_is_new and base.path == embedded_path


def test_embedded_default_fingerprint_is_the_same_when_materialised_again(embedded_path, tmp_path, monkeypatch):
    first = fingerprint(load_masked_lm(resolve_base("minilm"))[0])
    monkeypatch.setenv("ADAPTERKIT_CACHE", str(tmp_path))
    again = materialise_embedded()
    assert again != embedded_path
    assert fingerprint(BertForMaskedLM.from_pretrained(again)) == first


def test_fingerprint_changes_when_any_weight_changes(tiny_bert):
    model = BertForMaskedLM.from_pretrained(tiny_bert)
    original = fingerprint(model)
    assert fingerprint(BertForMaskedLM.from_pretrained(tiny_bert)) == original
    with torch.no_grad():
        model.bert.encoder.layer[1].output.dense.bias[3] += 1e-6
    assert fingerprint(model) != original


def test_local_folder_without_a_head_is_reported_as_new(tmp_path, tiny_bert):
    from transformers import AutoTokenizer, BertModel

    BertModel.from_pretrained(tiny_bert).save_pretrained(tmp_path)
    AutoTokenizer.from_pretrained(tiny_bert).save_pretrained(tmp_path)
    _, head_is_new = load_masked_lm(resolve_base(str(tmp_path)))
    assert head_is_new
    _, head_is_new = load_masked_lm(resolve_base(str(tiny_bert)))
    assert not head_is_new


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("some-org/some-model", "not in the local Hugging Face cache"),
        ("./no/such/folder", "no such folder"),
        ("bad id with spaces", "neither a folder nor a valid Hugging Face model id"),
    ],
)
def test_unusable_base_names_give_one_line_errors_that_suggest_the_embedded_default(name, message):
    with pytest.raises(AdapterkitError, match=message) as caught:
        resolve_base(name)
    assert "\n" not in str(caught.value)
    if "cache" in message:
        assert "--base minilm" in str(caught.value)
