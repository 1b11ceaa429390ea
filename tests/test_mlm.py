"""The masked-only loss is the standard loss, computed on fewer positions."""

import torch
from transformers import AutoTokenizer, BertForMaskedLM

from adapterkit.mlm import MLMCollator, heldout_perplexity, masked_only_class


def _batch(tiny_bert, seed=0):
    tokenizer = AutoTokenizer.from_pretrained(tiny_bert)
    texts = ["De patiënt kreeg metformine 500 mg.", "Geen koorts, wel hoesten sinds drie dagen en dyspneu."] * 4
    features = [dict(tokenizer(text)) for text in texts]
    return MLMCollator(tokenizer, 0.3, seed=seed)(features)


def test_masked_only_loss_equals_standard_bert_loss(tiny_bert):
    standard = BertForMaskedLM.from_pretrained(tiny_bert).eval()
    masked_only = masked_only_class(BertForMaskedLM).from_pretrained(tiny_bert).eval()
    batch = _batch(tiny_bert)
    expected = standard(**batch).loss
    got = masked_only(**batch).loss
    assert torch.allclose(got, expected, atol=1e-5), (got, expected)


def test_masked_only_gradients_equal_standard_gradients(tiny_bert):
    standard = BertForMaskedLM.from_pretrained(tiny_bert).eval()
    masked_only = masked_only_class(BertForMaskedLM).from_pretrained(tiny_bert).eval()
    batch = _batch(tiny_bert, seed=1)
    standard(**batch).loss.backward()
    masked_only(**batch).loss.backward()
    for (name, p), q in zip(standard.named_parameters(), masked_only.parameters(), strict=True):
        assert torch.allclose(p.grad, q.grad, atol=1e-6), name


def test_num_items_in_batch_turns_the_mean_into_a_token_weighted_sum(tiny_bert):
    model = masked_only_class(BertForMaskedLM).from_pretrained(tiny_bert).eval()
    batch = _batch(tiny_bert)
    masked = int((batch["labels"] != -100).sum())
    mean = model(**batch).loss
    summed = model(**batch, num_items_in_batch=torch.tensor(2 * masked)).loss
    assert torch.allclose(summed * 2, mean, atol=1e-6)


def test_without_labels_the_forward_returns_the_full_logits(tiny_bert):
    standard = BertForMaskedLM.from_pretrained(tiny_bert).eval()
    masked_only = masked_only_class(BertForMaskedLM).from_pretrained(tiny_bert).eval()
    batch = _batch(tiny_bert)
    batch.pop("labels")
    assert torch.equal(standard(**batch).logits, masked_only(**batch).logits)


def test_masked_only_class_keeps_the_standard_name_for_saved_folders(tiny_bert, tmp_path):
    model = masked_only_class(BertForMaskedLM).from_pretrained(tiny_bert)
    model.save_pretrained(tmp_path)
    assert '"BertForMaskedLM"' in (tmp_path / "config.json").read_text()
    assert type(BertForMaskedLM.from_pretrained(tmp_path)) is BertForMaskedLM


def test_heldout_perplexity_masks_the_same_positions_for_every_model(tiny_bert):
    tokenizer = AutoTokenizer.from_pretrained(tiny_bert)
    data = [dict(tokenizer(f"regel {i} met wat tekst over patiënt {i}")) for i in range(20)]
    model = BertForMaskedLM.from_pretrained(tiny_bert)
    first = heldout_perplexity(model, data, MLMCollator(tokenizer, seed=3), batch_size=8)
    torch.manual_seed(123)  # the global generator must not matter
    second = heldout_perplexity(model, data, MLMCollator(tokenizer, seed=3), batch_size=8)
    assert first == second
    assert first[1] > 0 and first[0] > 1.0


def test_masking_depends_on_seed_epoch_and_content_only(tiny_bert):
    tokenizer = AutoTokenizer.from_pretrained(tiny_bert)
    features = [dict(tokenizer(f"de patiënt kreeg {i} mg metformine per dag")) for i in range(16)]
    collator = MLMCollator(tokenizer, seed=5)
    first = collator(features)["labels"]
    torch.manual_seed(99)
    assert torch.equal(collator(features)["labels"], first)
    collator.epoch = 1
    assert not torch.equal(collator(features)["labels"], first), "a new epoch re-masks (dynamic masking)"
    assert not torch.equal(MLMCollator(tokenizer, seed=6)(features)["labels"], first)
    labels = first[first != -100]
    assert 0.05 < labels.numel() / sum(len(f["input_ids"]) for f in features) < 0.3
