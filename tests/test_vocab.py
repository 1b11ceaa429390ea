"""Vocabulary extension on a tiny BERT with the embedded (uncased English) tokenizer and Dutch text."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
import torch
from transformers import AutoModelForMaskedLM, AutoTokenizer, BertForMaskedLM

from adapterkit.corpus import read_corpus
from adapterkit.errors import AdapterkitError
from adapterkit.paths import STANDIN_CORPORA_DIR
from adapterkit.safety import write_marker
from adapterkit.vocab import (
    PREFIX,
    VocabSettings,
    extend_tokenizer,
    extend_vocabulary,
    init_new_embeddings,
    old_segmentation,
    tokens_per_word,
    train_domain_pieces,
)

SIZE = 600
RO_CORPUS = STANDIN_CORPORA_DIR / "ro-bio.txt"


@pytest.fixture(scope="module")
def nl_lines(nl_corpus: Path) -> list[str]:
    return read_corpus([nl_corpus])[0]


@pytest.fixture(scope="module")
def old_tokenizer(tiny_bert: Path):
    return AutoTokenizer.from_pretrained(tiny_bert)


@pytest.fixture(scope="module")
def pieces(nl_lines, old_tokenizer) -> list[str]:
    return train_domain_pieces(nl_lines, old_tokenizer, SIZE)


@pytest.fixture(scope="module")
def new_tokenizer(old_tokenizer, pieces, tmp_path_factory: pytest.TempPathFactory):
    return extend_tokenizer(old_tokenizer, pieces, tmp_path_factory.mktemp("extended-tokenizer"))


def test_new_pieces_are_new_distinct_and_include_continuations(pieces, old_tokenizer):
    base_vocab = old_tokenizer.get_vocab()
    assert 0 < len(pieces) <= SIZE
    assert len(set(pieces)) == len(pieces)
    assert not [piece for piece in pieces if piece in base_vocab]
    assert not set(pieces) & set(old_tokenizer.all_special_tokens)
    assert any(piece.startswith(PREFIX) for piece in pieces) and any(not p.startswith(PREFIX) for p in pieces)


def test_extended_tokenizer_segments_with_new_pieces_and_keeps_old_ids(old_tokenizer, new_tokenizer, pieces, nl_lines):
    old_vocab, new_vocab = old_tokenizer.get_vocab(), new_tokenizer.get_vocab()
    assert all(new_vocab[piece] == index for piece, index in old_vocab.items())
    assert [new_vocab[piece] for piece in pieces] == list(range(len(old_vocab), len(old_vocab) + len(pieces)))
    # In the WordPiece vocabulary itself, not added tokens (which would bypass segmentation).
    assert new_tokenizer.added_tokens_decoder.keys() == old_tokenizer.added_tokens_decoder.keys()
    assert "kreatinine" in pieces
    assert len(old_tokenizer.tokenize("kreatinine")) > 1
    assert new_tokenizer.tokenize("Kreatinine.") == ["kreatinine", "."]  # same normalisation as the base
    used = {token for line in nl_lines[:300] for token in new_tokenizer.tokenize(line)} & set(pieces)
    assert any(piece.startswith(PREFIX) for piece in used), "continuation pieces are used inside words"
    text = "Pijnscore NRS 4, consult pijnteam aangevraagd."
    assert new_tokenizer(text)["input_ids"][0] == old_tokenizer(text)["input_ids"][0] == old_tokenizer.cls_token_id


def test_tokens_per_word_drops_on_domain_text(old_tokenizer, new_tokenizer, nl_lines):
    before, after = tokens_per_word(nl_lines, old_tokenizer), tokens_per_word(nl_lines, new_tokenizer)
    assert after < 0.85 * before, (before, after)


def test_new_rows_are_the_mean_of_their_old_pieces_and_the_decoder_stays_tied(
    tiny_bert, old_tokenizer, new_tokenizer, pieces
):
    model = BertForMaskedLM.from_pretrained(tiny_bert)
    with torch.no_grad():
        model.cls.predictions.bias.normal_()  # the tiny model's bias is zero: make the check mean something
    old_rows = model.get_input_embeddings().weight.detach().clone()
    old_bias = model.cls.predictions.bias.detach().clone()
    init_new_embeddings(model, old_tokenizer, new_tokenizer, pieces)

    rows = model.get_input_embeddings().weight.detach()
    assert rows.shape[0] == len(new_tokenizer) == model.config.vocab_size
    assert torch.equal(rows[: len(old_tokenizer)], old_rows)
    for piece in pieces:
        if piece.startswith(PREFIX):
            sources = old_segmentation(piece, old_tokenizer)
            names = old_tokenizer.convert_ids_to_tokens(sources)
            assert "".join(name.removeprefix(PREFIX) for name in names) == piece.removeprefix(PREFIX), names
            assert all(name.startswith(PREFIX) for name in names), f"{piece} is a continuation: {names}"
        else:  # a word-initial piece: what the base tokenizer makes of it as a word
            sources = old_tokenizer(piece, add_special_tokens=False)["input_ids"]
        new_id = new_tokenizer.convert_tokens_to_ids(piece)
        assert torch.equal(rows[new_id], old_rows[sources].mean(dim=0)), piece
        assert torch.equal(model.cls.predictions.bias[new_id], old_bias[sources].mean()), piece

    assert model.get_output_embeddings().weight is model.get_input_embeddings().weight
    assert model.cls.predictions.bias.shape[0] == len(new_tokenizer)
    assert model.cls.predictions.decoder.bias is model.cls.predictions.bias


@pytest.fixture
def ro_small(tmp_path: Path) -> Path:
    """The first 300 lines of the Romanian biomedical stand-in corpus: the other language."""
    path = tmp_path / "ro-small.txt"
    path.write_text("\n".join(RO_CORPUS.read_text(encoding="utf-8").splitlines()[:300]) + "\n", encoding="utf-8")
    return path


def test_extend_vocabulary_full_writes_loadable_models_and_reports_the_figures(
    tiny_bert, small_corpus, ro_small, tmp_path
):
    out = tmp_path / "nl-vocab"
    result = extend_vocabulary(
        VocabSettings(str(tiny_bert), [small_corpus], 400, out, other_corpus=[ro_small], **_quick(mode="full"))
    )
    tokenizer = AutoTokenizer.from_pretrained(out / "base")
    for folder in (out / "base", out / "model"):
        model = AutoModelForMaskedLM.from_pretrained(folder)
        assert model.config.vocab_size == len(tokenizer) == result.first_new_id + len(result.pieces)
        assert model.get_output_embeddings().weight is model.get_input_embeddings().weight
    word = next(piece for piece in result.pieces if len(piece) > 6 and not piece.startswith(PREFIX))
    assert tokenizer.tokenize(word) == [word]
    assert result.tokens_per_word["after"] < result.tokens_per_word["before"]
    assert set(result.perplexity) == set(result.other_perplexity) == {"base", "extended", "trained"}
    assert all(math.isfinite(value) for value in [*result.perplexity.values(), *result.other_perplexity.values()])
    assert result.perplexity["trained"] < result.perplexity["extended"], result.perplexity  # it learned
    assert set(result.other_tokens_per_word) == {"before", "after"}
    manifest = json.loads((out / "adapterkit.json").read_text())
    assert manifest["vocabulary"]["pieces"] == result.pieces
    assert manifest["other_corpus"]["perplexity"] == result.other_perplexity
    assert not (out / "run" / "checkpoints").exists()
    assert f"added {len(result.pieces)} pieces" in result.summary()


def test_extend_vocabulary_lora_trains_the_new_rows_and_keeps_the_old_ones(tiny_bert, small_corpus, tmp_path):
    from peft import PeftModel

    out = tmp_path / "nl-vocab-lora"
    result = extend_vocabulary(VocabSettings(str(tiny_bert), [small_corpus], 300, out, **_quick(mode="lora", lr=1e-2)))
    config = json.loads((out / "model" / "adapter_config.json").read_text())
    new_ids = list(range(result.first_new_id, result.first_new_id + len(result.pieces)))
    assert config["trainable_token_indices"] == {"word_embeddings": new_ids}
    base = AutoModelForMaskedLM.from_pretrained(out / "base")
    base_rows = base.get_input_embeddings().weight.detach().clone()
    merged = PeftModel.from_pretrained(base, out / "model").merge_and_unload()
    rows = merged.get_input_embeddings().weight.detach()
    assert torch.equal(rows[: result.first_new_id], base_rows[: result.first_new_id])
    assert not torch.equal(rows[result.first_new_id :], base_rows[result.first_new_id :]), "new rows trained"
    assert merged.get_output_embeddings().weight is merged.get_input_embeddings().weight
    assert result.other_perplexity is None and math.isfinite(result.perplexity["trained"])


def _quick(**overrides) -> dict:
    settings = dict(max_steps=4, batch_size=8, grad_accum=1, lr=5e-3, max_seq_len=64)
    return {**settings, **overrides}


@pytest.mark.parametrize(
    ("size", "message"),
    [(0, "--size 0: expected a positive"), (-5, "--size -5"), (20, "smaller than the corpus alphabet")],
)
def test_nonsense_sizes_are_rejected(tiny_bert, small_corpus, tmp_path, size, message):
    with pytest.raises(AdapterkitError, match=message):
        extend_vocabulary(VocabSettings(str(tiny_bert), [small_corpus], size, tmp_path / "out"))
    assert not (tmp_path / "out").exists(), "a failed run leaves nothing behind"


def test_bad_requests_are_rejected_before_any_work(tiny_bert, small_corpus, tmp_path):
    with pytest.raises(AdapterkitError, match="no such file"):
        extend_vocabulary(VocabSettings(str(tiny_bert), [tmp_path / "missing.txt"], SIZE, tmp_path / "out"))
    with pytest.raises(AdapterkitError, match="no such file"):
        extend_vocabulary(
            VocabSettings(str(tiny_bert), [small_corpus], SIZE, tmp_path / "out", other_corpus=[tmp_path / "x.txt"])
        )
    with pytest.raises(AdapterkitError, match="--mode 'half'"):
        extend_vocabulary(VocabSettings(str(tiny_bert), [small_corpus], SIZE, tmp_path / "out", mode="half"))  # type: ignore[arg-type]
    with pytest.raises(AdapterkitError, match="--max-seq-len 4096"):
        extend_vocabulary(VocabSettings(str(tiny_bert), [small_corpus], SIZE, tmp_path / "out", max_seq_len=4096))
    existing = tmp_path / "taken"
    write_marker(existing, "vocab")  # an earlier vocab extend output: what --force may replace
    (existing / "keep").mkdir(parents=True)
    with pytest.raises(AdapterkitError, match="already exists.*--force"):
        extend_vocabulary(VocabSettings(str(tiny_bert), [small_corpus], SIZE, existing))
    with pytest.raises(AdapterkitError, match="smaller than the corpus alphabet"):
        extend_vocabulary(VocabSettings(str(tiny_bert), [small_corpus], 20, existing), force=True)
    assert (existing / "keep").is_dir(), "a failed --force run puts the old folder back"


def test_vocab_extend_command_refuses_a_nonpositive_size_with_one_line(tmp_path, capsys, nl_corpus):
    from adapterkit.cli import main

    assert main(["vocab", "extend", "--corpus", str(nl_corpus), "--size", "0", "--output", str(tmp_path / "v")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--size" in err[0]
    assert not (tmp_path / "v").exists()
