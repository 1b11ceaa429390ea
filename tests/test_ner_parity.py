"""NER fine-tuning computes what run_ner.py computes: at the same seed, on sentences that fit the
subword limit, with shuffled batches, ``finetune`` trains the very model the canonical recipe
trains (labels in run_ner.py's sorted order, so the seed draws the same head)."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
import torch
from transformers import (
    AutoModelForTokenClassification,
    AutoTokenizer,
    DataCollatorForTokenClassification,
    Trainer,
    TrainingArguments,
    set_seed,
)

from adapterkit.jobs.finetune import FinetuneRequest, run_finetune
from adapterkit.readers.conll import read_conll
from adapterkit.tasks.encode import Window, words_from_windows
from adapterkit.tasks.settings import TrainSettings

WORDS = ["de", "patiënt", "kreeg", "voor", "gisteren", "opname", "controle", "dosis", "en", "met"]
CHEM = ["metformine", "insuline", "amoxicilline", "paracetamol"]
DISO = ["diabetes", "pneumonie", "hartfalen", "astma"]


def _conll(path: Path, count: int = 24, seed: int = 0, one_word_diso: bool = False) -> Path:
    rng = random.Random(seed)
    sentences = []
    for _ in range(count):
        words = [(w, "O") for w in rng.sample(WORDS, rng.randint(1, 6))]
        if rng.random() < 0.6:
            words.append((rng.choice(CHEM), "B-CHEM"))
            words += [("500", "I-CHEM"), ("mg", "I-CHEM")][: rng.randint(0, 2)]
        if rng.random() < 0.4:
            words += [(rng.choice(DISO), "B-DISO"), ("chronisch", "I-DISO")][: 1 if one_word_diso else 2]
        sentences.append("\n".join(f"{w}\t{t}" for w, t in words))
    path.write_text("\n\n".join(sentences) + "\n", encoding="utf-8")
    return path


def _run_ner_recipe(model_path: Path, train_file: Path, out: Path, seed: int, steps: int) -> torch.nn.Module:
    """run_ner.py, minimal: sorted label list, first-subword labels, truncation, shuffled Trainer batches."""
    set_seed(seed)
    sentences = read_conll(train_file).sentences
    label_list = sorted({tag for s in sentences for tag in s.tags})
    label_to_id = {label: i for i, label in enumerate(label_list)}
    tokenizer = AutoTokenizer.from_pretrained(model_path)
    model = AutoModelForTokenClassification.from_pretrained(
        model_path, num_labels=len(label_list), id2label=dict(enumerate(label_list)), label2id=label_to_id
    )
    rows = []
    for sentence in sentences:
        encoded = tokenizer(sentence.tokens, truncation=True, max_length=64, is_split_into_words=True)
        previous, labels = None, []
        for word in encoded.word_ids():
            labels.append(-100 if word is None or word == previous else label_to_id[sentence.tags[word]])
            previous = word
        rows.append({"input_ids": encoded["input_ids"], "attention_mask": encoded["attention_mask"], "labels": labels})
    args = TrainingArguments(
        output_dir=str(out), per_device_train_batch_size=4, learning_rate=5e-4, max_steps=steps, seed=seed,
        save_strategy="no", report_to=[], disable_tqdm=True, use_cpu=True,
    )  # fmt: skip
    trainer = Trainer(
        model=model, args=args, train_dataset=rows, data_collator=DataCollatorForTokenClassification(tokenizer)
    )
    trainer.train()
    return trainer.model


@pytest.mark.e2e
@pytest.mark.parametrize("one_word_diso", [False, True], ids=["every-tag-occurs", "a-tag-never-occurs"])
def test_finetune_trains_the_same_model_as_run_ner_at_the_same_seed(
    tiny_bert: Path, workdir: Path, one_word_diso: bool
) -> None:
    # With one-word DISO entities I-DISO never occurs: run_ner.py's head has no row for it, nor has ours.
    train_file = _conll(workdir / "train.conll", one_word_diso=one_word_diso)
    settings = TrainSettings(
        max_steps=4, batch_size=4, lr=5e-4, max_seq_len=64, seed=3, group_by_length=False, precision="fp32"
    )
    folder, manifest = run_finetune(
        FinetuneRequest(data=[train_file], name="parity", base=str(tiny_bert), settings=settings, force=True)
    )
    ours = AutoModelForTokenClassification.from_pretrained(folder)
    theirs = _run_ner_recipe(tiny_bert, train_file, workdir / "canonical", seed=3, steps=4)
    assert manifest["labels"] == sorted(theirs.config.label2id)
    assert ("I-DISO" in manifest["labels"]) is not one_word_diso
    assert [entry["step"] for entry in manifest["training_log"]][-1] == 4  # the same number of optimiser steps
    for (name, mine), (_, reference) in zip(ours.state_dict().items(), theirs.state_dict().items(), strict=True):
        assert torch.allclose(mine, reference, atol=1e-6), f"{name} differs from run_ner.py's model"
    untrained = AutoModelForTokenClassification.from_pretrained(tiny_bert, num_labels=len(manifest["labels"]))
    assert not torch.allclose(ours.classifier.weight, untrained.classifier.weight), "the models did train"


def test_a_word_without_subwords_is_predicted_outside_whatever_the_label_order() -> None:
    """Sorted labels put O last: a word the tokenizer drops must still come out as O, not label 0."""
    window = Window(sentence=0, start=0, end=2, own_start=0, own_end=2, input_ids=[1, 5, 2], first_subword={0: 1})
    logits = [torch.tensor([[0.0, 0.0, 0.0], [5.0, 0.0, 0.0], [0.0, 0.0, 0.0]]).numpy()]
    labels = ["B-X", "I-X", "O"]
    [predicted] = words_from_windows([window], logits, [2], outside=labels.index("O"))
    assert [labels[i] for i in predicted] == ["B-X", "O"]
