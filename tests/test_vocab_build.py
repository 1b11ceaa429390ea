"""`vocab build --mode new`: study B's new bilingual WordPiece vocabulary replacing the base's."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
import torch
from transformers import AutoModelForMaskedLM, AutoTokenizer, BertForMaskedLM

from adapterkit.cli import main
from adapterkit.corpus import read_corpus
from adapterkit.paths import STANDIN_CORPORA_DIR
from adapterkit.vocab import init_replaced_embeddings, old_segmentation, replace_tokenizer, train_new_vocabulary

SIZE = 900


@pytest.fixture(scope="module")
def bilingual_lines(nl_corpus: Path) -> list[str]:
    """Dutch and Spanish clinical stand-in text: the two languages of a bilingual vocabulary."""
    spanish = STANDIN_CORPORA_DIR / "es-clin.txt"
    return read_corpus([nl_corpus])[0][:600] + read_corpus([spanish])[0][:600]


@pytest.fixture(scope="module")
def base_tokenizer(tiny_bert: Path):
    return AutoTokenizer.from_pretrained(tiny_bert)


@pytest.fixture(scope="module")
def new_vocab(bilingual_lines, base_tokenizer) -> list[str]:
    return train_new_vocabulary(bilingual_lines, base_tokenizer, SIZE)


@pytest.fixture(scope="module")
def new_tokenizer(base_tokenizer, new_vocab, tmp_path_factory: pytest.TempPathFactory):
    return replace_tokenizer(base_tokenizer, new_vocab, tmp_path_factory.mktemp("new-tokenizer"))


def test_new_vocabulary_has_the_asked_size_and_the_special_tokens_first(new_vocab, new_tokenizer, base_tokenizer):
    assert len(new_vocab) == len(set(new_vocab)) == SIZE == len(new_tokenizer)
    special = sorted(base_tokenizer.all_special_tokens, key=base_tokenizer.convert_tokens_to_ids)
    assert new_vocab[: len(special)] == special
    base_vocab = base_tokenizer.get_vocab()
    assert any(piece not in base_vocab for piece in new_vocab) and any(piece in base_vocab for piece in new_vocab[5:])
    assert "[unused0]" in base_vocab and "[unused0]" not in new_tokenizer.get_vocab()  # replaced, not extended
    assert new_tokenizer.tokenize("Kreatinine.") == ["kreatinine", "."]  # the base's normalisation (uncased)
    assert len(base_tokenizer.tokenize("kreatinine")) > 1


def _check_rebuilt(model, old_rows, old_bias, base_tokenizer, new_tokenizer) -> None:
    rows = model.get_input_embeddings().weight.detach()
    bias = model.cls.predictions.bias.detach()
    base_vocab, new_vocab = base_tokenizer.get_vocab(), new_tokenizer.get_vocab()
    assert rows.shape[0] == bias.shape[0] == model.config.vocab_size == len(new_tokenizer)
    copied = initialised = 0
    for piece, new_id in new_vocab.items():
        if piece in base_vocab:  # the base's own row, bit for bit
            assert torch.equal(rows[new_id], old_rows[base_vocab[piece]]), piece
            assert torch.equal(bias[new_id], old_bias[base_vocab[piece]]), piece
            copied += 1
        else:
            sources = old_segmentation(piece, base_tokenizer)
            assert len(sources) > 1 or sources == [base_tokenizer.unk_token_id], piece
            assert torch.equal(rows[new_id], old_rows[sources].mean(dim=0)), piece
            assert torch.equal(bias[new_id], old_bias[sources].mean()), piece
            initialised += 1
    assert copied > 5 and initialised > 100
    assert model.get_output_embeddings().weight is model.get_input_embeddings().weight
    assert model.cls.predictions.decoder.bias is model.cls.predictions.bias
    assert model.config.pad_token_id == new_tokenizer.pad_token_id
    batch = new_tokenizer(["Kreatinine verhoogd.", "Paciente con disnea."], padding=True, return_tensors="pt")
    with torch.no_grad():
        loss = model(**batch, labels=batch["input_ids"]).loss
    assert math.isfinite(loss.item())


def test_replaced_rows_are_copied_or_the_mean_of_their_old_pieces_and_the_decoder_follows(
    tiny_bert, base_tokenizer, new_tokenizer
):
    model = BertForMaskedLM.from_pretrained(tiny_bert)
    with torch.no_grad():
        model.cls.predictions.bias.normal_()  # the tiny model's bias is zero: make the check mean something
    old_rows = model.get_input_embeddings().weight.detach().clone()
    old_bias = model.cls.predictions.bias.detach().clone()
    replacement = init_replaced_embeddings(model, base_tokenizer, new_tokenizer)
    assert len(replacement.copied) + len(replacement.initialised) == SIZE
    _check_rebuilt(model, old_rows, old_bias, base_tokenizer, new_tokenizer)


def test_the_embedded_minilm_is_rebuilt_the_same_way(embedded_path, base_tokenizer, new_tokenizer):
    model = BertForMaskedLM.from_pretrained(embedded_path)  # same tokenizer as the tiny BERT, real rows
    old_rows = model.get_input_embeddings().weight.detach().clone()
    old_bias = model.cls.predictions.bias.detach().clone()
    init_replaced_embeddings(model, base_tokenizer, new_tokenizer)
    _check_rebuilt(model, old_rows, old_bias, base_tokenizer, new_tokenizer)


def test_vocab_build_new_trains_the_rebuilt_base_and_records_what_was_copied(workdir, tiny_bert, small_corpus):
    spanish = workdir / "es-small.txt"
    spanish.write_text("\n".join((STANDIN_CORPORA_DIR / "es-clin.txt").read_text().splitlines()[:400]) + "\n")
    argv = ["vocab", "build", "--mode", "new", "--size", "700", "--corpus", str(small_corpus), "--corpus", str(spanish)]
    argv += ["--output", "models/bilingual", "--base", str(tiny_bert), "--max-steps", "3", "--batch-size", "4"]
    assert main([*argv, "--grad-accum", "1", "--max-seq-len", "32", "--lr", "5e-3"]) == 0
    manifest = json.loads((workdir / "models" / "bilingual" / "adapterkit.json").read_text())
    vocabulary = manifest["vocabulary"]
    assert manifest["kind"] == "new-vocabulary" and vocabulary["mode"] == "new" and vocabulary["size"] == 700
    assert vocabulary["vocab_size"] == vocabulary["copied"] + vocabulary["initialised"] == 700
    assert vocabulary["initialised"] == len(vocabulary["pieces"]) == len(vocabulary["old_segmentation"])
    tokenizer = AutoTokenizer.from_pretrained(workdir / "models" / "bilingual" / "model")
    model = AutoModelForMaskedLM.from_pretrained(workdir / "models" / "bilingual" / "model")
    assert len(tokenizer) == model.config.vocab_size == 700
    assert all(math.isfinite(value) for value in manifest["perplexity"].values())
    base = AutoModelForMaskedLM.from_pretrained(workdir / "models" / "bilingual" / "base")
    assert not torch.equal(base.get_input_embeddings().weight, model.get_input_embeddings().weight)  # trained


def test_vocab_build_refuses_an_unknown_mode_with_one_line_and_writes_nothing(workdir, tiny_bert, small_corpus, capsys):
    argv = ["vocab", "build", "--mode", "replace", "--size", "700", "--corpus", str(small_corpus), "--output", "v"]
    assert main([*argv, "--base", str(tiny_bert)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "'--mode': 'replace' is not one of 'new', 'extend'" in err[0]
    assert main([*argv[:3], "new", *argv[4:], "--base", str(tiny_bert), "--train", "half"]) == 2
    assert "'--train': 'half' is not one of 'full', 'lora'" in capsys.readouterr().err
    assert not (workdir / "v").exists()
