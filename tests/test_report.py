"""Analyses equal hand computation; figures are real PNGs; reports hold the recorded numbers, self-contained."""

from __future__ import annotations

import json
import math
import warnings
from importlib.util import find_spec
from pathlib import Path

import numpy as np
import pytest
import torch

from adapterkit.errors import AdapterkitError
from adapterkit.qualitative import (
    collect_entity_embeddings,
    entity_embeddings,
    intra_entity_similarity,
    token_importance,
)
from adapterkit.readers.data import Sentence
from adapterkit.report import (
    Section,
    importance_figure,
    markdown_to_html,
    per_type_f1_bars,
    report_for_compare,
    similarity_table,
    training_curve,
    tsne_plot,
    write_report,
)
from adapterkit.stats import compare

needs_matplotlib = pytest.mark.skipif(find_spec("matplotlib") is None, reason="figures need matplotlib")

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
VOCAB = [
    "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "the", "patient", "has", "acute", "bron", "##chi", "##tis",
    "and", "fever", "aspirin", "was", "given", "lung", "pain", "in", "a", "good", "bad", "very",
]  # fmt: skip


def assert_png(path: Path) -> None:
    data = Path(path).read_bytes()
    assert data[:8] == PNG_SIGNATURE
    assert len(data) > 2000  # a drawn figure, not an empty canvas


@pytest.fixture(scope="module")
def tokenizer():
    from transformers import BertTokenizer

    return BertTokenizer(vocab={piece: index for index, piece in enumerate(VOCAB)}, do_lower_case=True)


def tiny_config(**extra):
    from transformers import BertConfig

    return BertConfig(
        vocab_size=len(VOCAB),
        hidden_size=16,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=32,
        max_position_embeddings=64,
        **extra,
    )


@pytest.fixture(scope="module")
def ner_model():
    from transformers import BertForTokenClassification

    torch.manual_seed(0)
    return BertForTokenClassification(tiny_config(num_labels=5)).eval()


def sentence(text: str, tags: str, doc: str) -> Sentence:
    return Sentence(text.split(" "), tags.split(" "), doc, f"{doc}:1")


SENTENCES = [
    sentence("the patient has acute bronchitis and fever", "O O O B-DISO I-DISO O B-DISO", "d1"),
    sentence("aspirin was given", "B-CHEM O O", "d1"),
    sentence("lung pain in the lung", "B-ANAT B-DISO O O B-ANAT", "d2"),
    sentence("the patient has fever", "O O O O", "d2"),
]


# --- analysis ------------------------------------------------------------------------------------


def test_intra_entity_similarity_hand_computed() -> None:
    embeddings = np.array([[1, 0], [0, 1], [1, 1], [1, 0], [2, 0], [3, 4]], dtype=float)
    types = ["A", "A", "A", "B", "B", "C"]
    # A: cos = 0, 1/√2, 1/√2 -> mean √2/3; B: parallel -> 1; C: one entity, no pair -> absent
    result = intra_entity_similarity(embeddings, types)
    assert result == pytest.approx({"A": math.sqrt(2) / 3, "B": 1.0})


def test_intra_entity_similarity_refuses_mismatch() -> None:
    with pytest.raises(AdapterkitError, match="one row per entity"):
        intra_entity_similarity(np.zeros((3, 2)), ["A", "B"])


def test_entity_embeddings_one_row_per_gold_entity(ner_model, tokenizer) -> None:
    embeddings, types = entity_embeddings(ner_model, tokenizer, SENTENCES)
    assert types == ["DISO", "DISO", "CHEM", "ANAT", "DISO", "ANAT"]
    assert embeddings.shape == (6, 16)
    # "acute bronchitis": subwords acute, bron, ##chi, ##tis at positions 4..7 of [CLS] the patient has ...
    encoded = tokenizer(SENTENCES[0].tokens, is_split_into_words=True, return_tensors="pt")
    assert tokenizer.convert_ids_to_tokens(encoded["input_ids"][0, 4:8].tolist()) == ["acute", "bron", "##chi", "##tis"]
    with torch.no_grad():
        hidden = ner_model(**encoded, output_hidden_states=True).hidden_states[-1][0]
    np.testing.assert_allclose(embeddings[0], hidden[4:8].mean(dim=0).numpy(), atol=1e-5)


def test_entity_embeddings_of_the_bare_encoder_equal_the_task_models(ner_model, tokenizer) -> None:
    from_task, _ = entity_embeddings(ner_model, tokenizer, SENTENCES)
    from_encoder, types = entity_embeddings(ner_model.bert, tokenizer, SENTENCES)
    assert len(types) == 6
    np.testing.assert_allclose(from_task, from_encoder, atol=1e-6)


def test_entities_beyond_the_limit_are_skipped_and_counted(ner_model, tokenizer) -> None:
    # limit 6: [CLS] the patient has acute bron [SEP] ... "acute bronchitis" and "fever" are cut off
    collected = collect_entity_embeddings(ner_model, tokenizer, SENTENCES[:1], max_length=6)
    assert len(collected.types) == 0
    assert len(collected.skipped_beyond_limit) == 2
    with pytest.warns(UserWarning, match="2 entities lie beyond 6 subwords"):
        embeddings, types = entity_embeddings(ner_model, tokenizer, SENTENCES[:2], max_length=6)
    assert types == ["CHEM"] and embeddings.shape == (1, 16)


class LinearClassifier(torch.nn.Module):
    """logits = W · Σ embeddings + b: gradient × input adds up exactly to logit − b."""

    def __init__(self) -> None:
        super().__init__()
        torch.manual_seed(1)
        self.embeddings = torch.nn.Embedding(len(VOCAB), 8)
        self.head = torch.nn.Linear(8, 3)

    def get_input_embeddings(self) -> torch.nn.Embedding:
        return self.embeddings

    def forward(self, inputs_embeds, attention_mask=None, token_type_ids=None):
        return type("Output", (), {"logits": self.head(inputs_embeds.sum(dim=1))})


def test_token_importance_completeness_on_a_linear_model(tokenizer) -> None:
    model = LinearClassifier()
    scores = token_importance(model, tokenizer, "the patient has fever", target=2)
    assert [token for token, _ in scores] == ["[CLS]", "the", "patient", "has", "fever", "[SEP]"]
    ids = tokenizer("the patient has fever", return_tensors="pt")["input_ids"]
    with torch.no_grad():
        embedded = model.embeddings(ids)[0]
        logit = model.head(embedded.sum(dim=0))[2]
        expected = embedded @ model.head.weight[2]
    assert sum(score for _, score in scores) == pytest.approx(float((logit - model.head.bias[2]).detach()), abs=1e-5)
    np.testing.assert_allclose([score for _, score in scores], expected.numpy(), atol=1e-6)
    assert model.head.weight.grad is None  # the model's own gradients stay untouched


def test_token_importance_is_zero_for_a_constant_model(tokenizer) -> None:
    from transformers import BertForSequenceClassification

    torch.manual_seed(0)
    model = BertForSequenceClassification(tiny_config(num_labels=2))
    scores = token_importance(model, tokenizer, "acute bronchitis and fever")
    assert len(scores) == len(tokenizer("acute bronchitis and fever")["input_ids"])  # one per token
    assert any(score != 0 for _, score in scores)
    with torch.no_grad():
        model.classifier.weight.zero_()  # logits = bias, whatever the input
    assert all(score == 0 for _, score in token_importance(model, tokenizer, "acute bronchitis and fever"))


# --- figures -------------------------------------------------------------------------------------


@needs_matplotlib
def test_training_curve_with_perplexity(tmp_path: Path) -> None:
    history = [{"loss": 3.0 - 0.1 * s, "step": s} for s in range(1, 20)]
    history += [{"eval_loss": 2.5, "step": 10}, {"eval_loss": 2.1, "step": 19}]
    assert_png(training_curve(history, tmp_path / "curve.png"))
    with pytest.raises(AdapterkitError, match="no 'loss'"):
        training_curve([{"learning_rate": 1e-5, "step": 1}], tmp_path / "none.png")


@needs_matplotlib
def test_tsne_and_importance_figures(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    embeddings = np.vstack([rng.normal(0, 1, (6, 16)), rng.normal(4, 1, (5, 16))])
    assert_png(tsne_plot(embeddings, ["DISO"] * 6 + ["CHEM"] * 5, tmp_path / "tsne.png"))
    assert_png(importance_figure([("[CLS]", 0.0), ("fever", 1.2), ("aspirin", -0.4)], tmp_path / "imp.png"))


def test_similarity_table_bolds_the_tighter_variant() -> None:
    table = similarity_table({"mBERT": {"DISO": 0.46, "CHEM": 0.5}, "mBERT-ro-bio": {"DISO": 0.60}})
    assert "| type (cosine similarity) | mBERT | mBERT-ro-bio |" in table
    assert "| DISO | 0.46 | **0.60** |" in table
    assert "| CHEM | **0.50** | – |" in table


# --- documents -----------------------------------------------------------------------------------


@needs_matplotlib
def test_write_report_markdown_links_and_html_embeds(tmp_path: Path) -> None:
    figure = importance_figure([("fever", 1.0), ("aspirin", -0.5)], tmp_path / "figures" / "imp.png")
    section = Section(
        "Importance",
        "Scores <script>alert(1)</script> & **bold** [external](https://example.org)",
        tables=["| a | b |\n|---|---:|\n| x | 1.5 |"],
        figures=[figure],
    )
    markdown_path, html_path = write_report(tmp_path, "A & B", [section])
    text = markdown_path.read_text()
    assert "![Imp](figures/imp.png)" in text  # no caption given: the file name in words
    page = html_path.read_text()
    assert 'src="data:image/png;base64,' in page
    assert 'src="http' not in page and "<link" not in page and "<script" not in page
    assert "&lt;script&gt;" in page and "<strong>bold</strong>" in page
    assert '<td class="right">1.5</td>' in page
    assert "<title>A &amp; B</title>" in page


def test_markdown_to_html_never_loads_external_images() -> None:
    page = markdown_to_html("![x](https://example.org/a.png)\n\n![y](javascript:alert(1))")
    assert "<img" not in page
    assert '<a href="https://example.org/a.png">' in page  # a link, never a load
    assert 'href="javascript' not in page


def _fold(f1: float, diso: float, chem: float) -> dict:
    return {
        "f1": f1,
        "precision": f1 + 0.01,
        "recall": f1 - 0.01,
        "macro_f1": (diso + chem) / 2,
        "per_type": {"DISO": {"f1": diso, "support": 10}, "CHEM": {"f1": chem, "support": 7}},
        "n_test": 40,
    }


@needs_matplotlib
def test_report_for_compare_holds_the_recorded_numbers(tmp_path: Path) -> None:
    results = {
        "base": [_fold(0.70, 0.60, 0.80), _fold(0.72, 0.62, 0.82), _fold(0.74, 0.64, 0.84)],
        "ro-bio": [_fold(0.80, 0.75, 0.85), _fold(0.81, 0.77, 0.85), _fold(0.86, 0.79, 0.93)],
    }
    comparison = compare(results, "base", ["f1", "precision", "recall", "macro_f1"])
    run = tmp_path / "runs" / "monero"
    run.mkdir(parents=True)
    (run / "comparison.json").write_text(comparison.to_json())
    (run / "command.txt").write_text("adapterkit compare base ro-bio --data MoNERo.txt\n")
    for variant, per_fold in results.items():
        cv = run / "cv" / variant
        cv.mkdir(parents=True)
        record = {"variant": variant, "folds": 3, "seed": 42, "data": ["MoNERo.txt"], "per_fold": per_fold}
        (cv / "cv.json").write_text(json.dumps(record))

    markdown_path, html_path = report_for_compare(run)
    text = markdown_path.read_text()
    assert comparison.to_markdown().strip() in text  # the study's tables, as compare printed them
    assert "72.00 ± 2.00" in text  # base f1 mean ± sd
    assert "| 3 | 86.00 | 87.00 | 85.00 | 86.00 | 40 |" in text  # ro-bio, fold 3, as recorded
    assert "| DISO | 75.00 (n=10) | 77.00 (n=10) | 79.00 (n=10) |" in text  # with the gold count (support)
    assert "![F1 per entity type and variant, mean over 3 folds](figures/per_type_f1.png)" in text
    assert_png(run / "figures" / "per_type_f1.png")
    page = html_path.read_text()
    assert page.count('src="data:image/png;base64,') == 1 and 'src="http' not in page
    assert "72.00 ± 2.00" in page and "adapterkit compare base ro-bio" in page


def test_report_for_compare_needs_a_comparison(tmp_path: Path) -> None:
    with pytest.raises(AdapterkitError, match="comparison.json is missing"):
        report_for_compare(tmp_path)


@needs_matplotlib
def test_per_type_bars_refuse_a_comparison_without_types(tmp_path: Path) -> None:
    comparison = compare({"a": [{"mcc": 0.1}, {"mcc": 0.2}], "b": [{"mcc": 0.3}, {"mcc": 0.1}]}, "a", ["mcc"])
    with pytest.raises(AdapterkitError, match="no per-type scores"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        per_type_f1_bars(json.loads(comparison.to_json()), tmp_path / "x.png")
