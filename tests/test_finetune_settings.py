"""Fine-tuning settings against run_ner.py's recipe: warm-up and weight decay, the loss, the data order."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
import torch
import typer
from transformers import AutoModelForTokenClassification, AutoTokenizer, TrainingArguments
from transformers.trainer_pt_utils import LengthGroupedSampler

from adapterkit.cli import main
from adapterkit.errors import AdapterkitError
from adapterkit.jobs import finetune as ft
from adapterkit.models import resolve_base
from adapterkit.readers.data import Sentence
from adapterkit.speed import ShuffledLengthGroups
from adapterkit.tasks import train as task_train
from adapterkit.tasks.model import build_model
from adapterkit.tasks.settings import TrainSettings
from adapterkit.variants import Variant


def test_warmup_and_weight_decay_default_to_run_ner_values(tmp_path: Path) -> None:
    """run_ner.py passes TrainingArguments' own defaults: no warm-up, no weight decay."""
    reference = TrainingArguments(output_dir=str(tmp_path), report_to=[])
    settings = TrainSettings()
    assert settings.warmup_ratio == 0.0 == reference.get_warmup_steps(1000)
    assert settings.weight_decay == 0.0 == reference.weight_decay


@pytest.mark.parametrize(
    ("field", "value", "option"),
    [
        ("warmup_ratio", 1.0, "--warmup-ratio"),
        ("warmup_ratio", -0.1, "--warmup-ratio"),
        ("weight_decay", -1.0, "--weight-decay"),
    ],
)
def test_out_of_range_warmup_or_decay_is_refused_naming_the_option(field: str, value: float, option: str) -> None:
    with pytest.raises(AdapterkitError, match=option):
        TrainSettings(**{field: value}).validate()


@pytest.mark.parametrize("command", ["finetune", "cv", "compare"])
def test_warmup_and_decay_options_reach_the_settings(
    command: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import adapterkit.jobs.cv as cv_module

    monkeypatch.chdir(tmp_path)
    Path("x.conll").write_text("w O\n", encoding="utf-8")  # inputs are checked to exist before any work
    seen = {}

    def record(settings):  # what the command built; stop there (no training, no summary to print)
        seen["settings"] = settings
        raise typer.Exit(0)

    if command == "finetune":
        monkeypatch.setattr(ft, "run_finetune", lambda request: record(request.settings))
        argv = ["finetune", "--data", "x.conll", "--name", "m"]
    elif command == "cv":
        monkeypatch.setattr(cv_module, "run_cv", lambda request: record(request.settings))
        argv = ["cv", "--data", "x.conll"]
    else:
        monkeypatch.setattr(cv_module, "run_compare", lambda request: record(request.cv.settings))
        argv = ["compare", "base", "--data", "x.conll"]
    assert main(argv + ["--warmup-ratio", "0.25", "--weight-decay", "0.05"]) in (0, None)
    assert (seen["settings"].warmup_ratio, seen["settings"].weight_decay) == (0.25, 0.05)
    seen.clear()
    assert main(argv) in (0, None)
    assert (seen["settings"].warmup_ratio, seen["settings"].weight_decay) == (0.0, 0.0)
    assert seen["settings"].group_by_length is False  # run_ner.py's shuffled batches unless asked
    seen.clear()
    assert main(argv + ["--group-by-length"]) in (0, None)
    assert seen["settings"].group_by_length is True
    assert seen["settings"].split_by_length is False  # whole batches unless asked: run_ner.py's model
    seen.clear()
    assert main(argv + ["--split-by-length"]) in (0, None)
    assert seen["settings"].split_by_length is True


def test_bad_warmup_ratio_on_the_command_line_exits_2(
    capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("x.conll").write_text("w O\n", encoding="utf-8")
    assert main(["finetune", "--data", "x.conll", "--name", "m", "--warmup-ratio", "1.5"]) == 2
    assert "--warmup-ratio" in capsys.readouterr().err


def _sentences(count: int, seed: int = 0) -> list[Sentence]:
    rng = random.Random(seed)
    sentences = []
    for i in range(count):
        words = [
            rng.choice(["de", "patiënt", "kreeg", "metformine", "astma", "dosis"]) for _ in range(rng.randint(2, 20))
        ]
        tags = [rng.choice(["O", "O", "B-CHEM", "I-CHEM"]) for _ in words]
        sentences.append(Sentence(words, tags, f"d{i}", f"x:{i}"))
    return sentences


@pytest.fixture
def spy_trainer(monkeypatch: pytest.MonkeyPatch) -> dict:
    """The finetune Trainer, recorded when ``train`` builds it."""
    seen: dict = {}

    class Spy(task_train._TaskTrainer):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            seen["trainer"] = self

    monkeypatch.setattr(task_train, "_TaskTrainer", Spy)
    return seen


@pytest.mark.parametrize("grouped", [True, False])
def test_training_arguments_carry_warmup_decay_and_the_data_order(
    grouped: bool, tiny_bert: Path, tmp_path: Path, spy_trainer: dict
) -> None:
    labels = ["O", "B-CHEM", "I-CHEM"]
    settings = TrainSettings(
        max_steps=1, batch_size=4, max_seq_len=32, warmup_ratio=0.2, weight_decay=0.05, group_by_length=grouped
    )
    model = build_model(Variant("base", resolve_base(str(tiny_bert))), "ner", labels)
    tokenizer = AutoTokenizer.from_pretrained(tiny_bert)
    task_train.train(model, tokenizer, _sentences(12), "ner", labels, settings, tmp_path / "run", resume=False)
    trainer = spy_trainer["trainer"]
    assert trainer.args.weight_decay == 0.05
    assert trainer.args.get_warmup_steps(100) == 20  # a ratio of the steps, not 0.2 steps
    sampler = trainer._get_train_sampler()
    assert isinstance(sampler, ShuffledLengthGroups) is grouped
    assert grouped or isinstance(sampler, torch.utils.data.RandomSampler)


def test_task_loss_equals_the_models_own_loss_and_spans_accumulated_batches(tiny_bert: Path) -> None:
    """One batch: the model's CrossEntropy mean over labelled tokens (run_ner.py's loss). Two
    accumulated micro-batches: each normalised by the step's labelled-token count, so their sum is
    the model's mean loss over the two batches joined (not the mean of the two means)."""
    torch.manual_seed(0)
    model = AutoModelForTokenClassification.from_pretrained(tiny_bert, num_labels=3).eval()
    ids = torch.randint(1000, 2000, (4, 9))
    labels = torch.randint(0, 3, (4, 9))
    labels[:, 0] = labels[:, -1] = -100  # [CLS], [SEP]
    labels[0, 3:] = -100  # a short sentence: padding
    labels[2, 2::2] = -100  # later subwords of words
    loss = task_train.task_loss("ner")
    outputs = model(input_ids=ids)
    own = model(input_ids=ids, labels=labels).loss
    assert torch.allclose(loss(outputs, labels), own, atol=1e-6)
    count = labels.ne(-100).sum()
    first, second = model(input_ids=ids[:1]), model(input_ids=ids[1:])
    accumulated = loss(first, labels[:1], count) + loss(second, labels[1:], count)
    assert torch.allclose(accumulated, own, atol=1e-6)
    means = model(input_ids=ids[:1], labels=labels[:1]).loss + model(input_ids=ids[1:], labels=labels[1:]).loss
    assert not torch.allclose(accumulated, means / 2, atol=1e-3)  # the two normalisations do differ here


def test_weighted_task_loss_weighs_each_rows_own_loss_by_its_window_weight(tiny_bert: Path) -> None:
    """Rows of a long item (window weights below 1) count less: the loss is the sum over rows of
    weight x the model's own mean loss x labelled tokens of the row, over the labelled tokens."""
    torch.manual_seed(0)
    model = AutoModelForTokenClassification.from_pretrained(tiny_bert, num_labels=3).eval()
    ids = torch.randint(1000, 2000, (3, 9))
    labels = torch.randint(0, 3, (3, 9))
    labels[:, 0] = labels[:, -1] = -100
    labels[1, 4:] = -100
    weights = torch.tensor([0.25, 0.25, 1.5])
    outputs = model(input_ids=ids)
    rows = [model(input_ids=ids[i : i + 1], labels=labels[i : i + 1]).loss for i in range(3)]
    counts = labels.ne(-100).sum(dim=1)
    expected = sum(w * loss * n for w, loss, n in zip(weights, rows, counts, strict=True)) / counts.sum()
    weighted = task_train.task_loss("ner")(outputs, labels, window_weight=weights)
    assert torch.allclose(weighted, expected, atol=1e-6)
    assert not torch.allclose(weighted, task_train.task_loss("ner")(outputs, labels), atol=1e-3)


def test_the_windows_of_a_long_item_reach_the_loss_with_their_weights(
    tiny_bert: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The Trainer drops columns its model does not take: the window weight must pass that filter."""
    seen: list[torch.Tensor] = []
    weighted = task_train._weighted_cross_entropy

    def recording(logits, labels, window_weight):
        seen.append(window_weight.detach().clone())
        return weighted(logits, labels, window_weight)

    monkeypatch.setattr(task_train, "_weighted_cross_entropy", recording)
    labels = ["B-CHEM", "I-CHEM", "O"]
    long = Sentence(["metformine"] * 120, ["B-CHEM"] + ["O"] * 119, "long", "x:0")
    settings = TrainSettings(max_steps=3, batch_size=4, max_seq_len=24, group_by_length=False)
    model = build_model(Variant("base", resolve_base(str(tiny_bert))), "ner", labels)
    tokenizer = AutoTokenizer.from_pretrained(tiny_bert)
    items = [long, *_sentences(6)]
    task_train.train(model, tokenizer, items, "ner", labels, settings, tmp_path / "run", resume=False)
    assert len(seen) == 3  # every step
    weights = torch.cat(seen)
    assert weights.min() < 0.5 < weights.max()  # the long item's windows, and whole short items


def _lengths(count: int = 800, seed: int = 0) -> list[int]:
    rng = random.Random(seed)
    return [rng.randint(3, 200) for _ in range(count)]


def test_length_grouped_batches_cover_every_example_once_with_little_padding() -> None:
    lengths = _lengths()
    sampler = ShuffledLengthGroups(lengths, batch_size=8, seed=0)
    batches = sampler.batches()
    assert sorted(i for batch in batches for i in batch) == list(range(len(lengths)))
    assert list(sampler) == [i for batch in batches for i in batch]
    padded = sum(len(b) * max(lengths[i] for i in b) for b in batches)
    assert padded < 1.1 * sum(lengths)  # random batches of 8 pad to ~1.8x here
    assert max(lengths[i] for i in batches[0]) == max(lengths)  # the longest first: memory fails at once


def test_length_grouped_batches_are_shuffled_not_swept_long_to_short() -> None:
    """transformers' LengthGroupedSampler runs each mega-batch from its longest batch to its shortest;
    ours draws the same kind of batches in a random order."""
    lengths = _lengths()

    def rises(order: list[int]) -> int:
        tops = [max(lengths[i] for i in order[k : k + 8]) for k in range(0, len(order), 8)]
        return sum(b > a for a, b in zip(tops, tops[1:], strict=False))

    torch.manual_seed(0)
    swept = rises(list(LengthGroupedSampler(8, lengths=lengths)))
    shuffled = rises(list(ShuffledLengthGroups(lengths, 8, seed=0)))
    assert swept <= 4  # 4 mega-batches: a rise only where one starts
    assert shuffled > 30  # of 99 steps between batches


def test_length_grouped_order_changes_per_epoch_and_repeats_with_the_seed() -> None:
    lengths = _lengths()

    def order(seed: int, epoch: int) -> list[int]:
        sampler = ShuffledLengthGroups(lengths, 8, seed)
        sampler.set_epoch(epoch)
        return list(sampler)

    assert order(0, 0) == order(0, 0)
    assert order(0, 1) == order(0, 1)  # a resumed run (the Trainer calls set_epoch) sees the same batches
    assert order(0, 0) != order(0, 1)
    assert order(0, 0) != order(1, 0)


def test_incomplete_batch_stays_last_so_the_loader_cuts_whole_batches() -> None:
    lengths = _lengths(50)
    batches = ShuffledLengthGroups(lengths, 8, seed=3).batches()
    assert [len(b) for b in batches] == [8] * 6 + [2]
    stream = [i for batch in batches for i in batch]
    assert [stream[k : k + 8] for k in range(0, len(stream), 8)] == batches


def test_training_draws_new_length_grouped_batches_each_epoch(
    tiny_bert: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In a real run the Trainer moves the sampler to the next epoch: the two epochs' batches differ,
    each epoch holds every window once, and the same seed gives the same run."""
    seen: list[int] = []
    rows_get = task_train._Rows.__getitem__

    def get(self, index: int) -> dict:
        seen.append(index)
        return rows_get(self, index)

    monkeypatch.setattr(task_train._Rows, "__getitem__", get)
    labels = ["O", "B-CHEM", "I-CHEM"]
    tokenizer = AutoTokenizer.from_pretrained(tiny_bert)

    def epochs(seed: int) -> tuple[list[int], list[int]]:
        seen.clear()
        settings = TrainSettings(epochs=2, batch_size=4, max_seq_len=128, seed=seed, group_by_length=True)
        model = build_model(Variant("base", resolve_base(str(tiny_bert))), "ner", labels)
        task_train.train(
            model, tokenizer, _sentences(24), "ner", labels, settings, tmp_path / f"run{seed}", resume=False
        )
        order = seen[-48:]  # the sampler reads every length first; then two epochs of 24 windows
        return order[:24], order[24:]

    first, second = epochs(0)
    assert sorted(first) == sorted(second) == list(range(24))
    assert first != second
    assert epochs(0) == (first, second)


def test_a_batch_split_by_length_pads_less_and_adds_up_to_the_batchs_loss_and_gradient(tiny_bert: Path) -> None:
    """Sub-batches of similar length, each loss over the whole batch's labelled tokens: without
    dropout their summed loss and gradients are the batch's own (padding computes nothing)."""
    torch.manual_seed(0)
    model = AutoModelForTokenClassification.from_pretrained(tiny_bert, num_labels=3).eval()
    lengths = [120, 24, 112, 36, 16, 124, 48, 20]
    width = max(lengths)
    mask = (torch.arange(width) < torch.tensor(lengths)[:, None]).long()
    ids = torch.randint(1000, 2000, (len(lengths), width)) * mask
    labels = torch.randint(0, 3, (len(lengths), width)).masked_fill(mask == 0, -100)
    labels[:, 0] = -100
    batch = {"input_ids": ids, "attention_mask": mask, "labels": labels, "window_weight": torch.rand(len(lengths))}
    parts = task_train.length_parts(batch)
    assert parts is not None and len(parts) > 1
    assert sum(len(part["input_ids"]) for part in parts) == len(lengths)  # every row in exactly one part
    padded = sum(part["input_ids"].numel() for part in parts)
    assert padded < 0.7 * ids.numel()  # the point: 8 x 124 subwords computed before
    for part in parts:  # every part is cut to its own longest row, and keeps its rows' weights
        assert part["attention_mask"][:, -1].any() and part["window_weight"].shape == (len(part["input_ids"]),)
    loss, count = task_train.task_loss("ner"), labels.ne(-100).sum()

    def run(rows: dict) -> torch.Tensor:
        outputs = model(input_ids=rows["input_ids"], attention_mask=rows["attention_mask"])
        return loss(outputs, rows["labels"], count, window_weight=rows["window_weight"])

    whole = run(batch)
    whole.backward()
    expected = [p.grad.clone() for p in model.parameters()]
    model.zero_grad()
    total = sum(run(part) for part in parts)
    total.backward()
    assert torch.allclose(total, whole, atol=1e-5)
    for mine, theirs in zip((p.grad for p in model.parameters()), expected, strict=True):
        assert torch.allclose(mine, theirs, atol=1e-5)


def test_split_by_length_trains_through_the_trainer_on_sub_batches(
    tiny_bert: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []
    parts = task_train.length_parts
    monkeypatch.setattr(task_train, "length_parts", lambda batch: calls.append(1) or parts(batch))
    labels = ["B-CHEM", "I-CHEM", "O"]
    tokenizer = AutoTokenizer.from_pretrained(tiny_bert)
    seen_widths: list[int] = []
    model = build_model(Variant("base", resolve_base(str(tiny_bert))), "ner", labels)
    model.register_forward_pre_hook(lambda module, args, kwargs: seen_widths.append(kwargs["input_ids"].shape[1]),
                                    with_kwargs=True)  # fmt: skip
    settings = TrainSettings(max_steps=2, batch_size=8, max_seq_len=128, split_by_length=True)
    items = [Sentence(s.tokens * (1 + 4 * (i % 2)), s.tags * (1 + 4 * (i % 2)), s.doc_id, s.source)
             for i, s in enumerate(_sentences(16))]  # fmt: skip
    task_train.train(model, tokenizer, items, "ner", labels, settings, tmp_path / "run", resume=False)
    assert len(calls) == 2 and len(seen_widths) > 2  # two steps, each run as several sub-batches


def test_a_batch_of_short_rows_stays_whole_since_another_pass_costs_more_than_its_padding() -> None:
    lengths = torch.tensor([9, 4, 7, 12, 5, 6, 10, 3])
    mask = (torch.arange(12) < lengths[:, None]).long()
    assert task_train.length_parts({"input_ids": mask, "attention_mask": mask}) is None


def test_a_left_padded_or_even_batch_is_not_split() -> None:
    mask = torch.tensor([[0, 1, 1], [1, 1, 1]])  # left padding: cutting columns would cut words
    assert task_train.length_parts({"input_ids": mask, "attention_mask": mask}) is None
    even = torch.ones(4, 5, dtype=torch.long)
    assert task_train.length_parts({"input_ids": even, "attention_mask": even}) is None
