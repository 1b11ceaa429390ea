"""Scale-out: the same commands under torchrun (2 gloo CPU processes) equal one process with twice the batch.

Why they can be equal: the Trainer's seeded sampler gives process k the k-th slice of every
global batch, masks are keyed per example (``MLMCollator``), the loss is normalised by the
masked / labelled tokens of all processes (``num_items_in_batch``), and DDP averages the
gradients. What is left is the order of floating-point sums; the tolerance below covers that.
The tiny BERT here has no dropout, whose draws would differ per process.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from conftest import save_tiny_bert
from safetensors.torch import load_file
from transformers import AutoTokenizer

from adapterkit.mlm import MLMCollator

ROOT = Path(__file__).resolve().parents[1]
# Float32 sums in another order: a few ulps per step, kept small by Adam's normalised steps.
WEIGHT_TOLERANCE = 1e-5


@pytest.fixture(scope="module")
def tiny_bert_no_dropout(tmp_path_factory, embedded_path) -> Path:
    folder = tmp_path_factory.mktemp("tiny-bert-no-dropout")
    return save_tiny_bert(folder, embedded_path, hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0)


def test_an_example_gets_the_same_mask_however_it_is_batched(tiny_bert):
    tokenizer = AutoTokenizer.from_pretrained(tiny_bert)
    features = [dict(tokenizer(f"de patiënt kreeg {i} mg metformine, {'ook ' * i}per dag")) for i in range(8)]
    collator = MLMCollator(tokenizer, seed=5)
    whole = collator(features)
    for part in (features[:4], features[4:], features[3:5]):
        split = collator(part)
        for row, feature in enumerate(part):
            index = features.index(feature)
            length = len(feature["input_ids"])
            assert torch.equal(split["labels"][row, :length], whole["labels"][index, :length])
            assert torch.equal(split["input_ids"][row, :length], whole["input_ids"][index, :length])


def _cli(args: list[str], cwd: Path, processes: int = 1) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1", "HF_HUB_OFFLINE": "1"}
    launcher = [sys.executable, "-m", "torch.distributed.run", "--standalone", f"--nproc_per_node={processes}"]
    command = [*(launcher if processes > 1 else [sys.executable]), "-m", "adapterkit", *args]
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]


def _assert_close(one: dict, two: dict) -> float:
    assert one.keys() == two.keys()
    worst = max(float((one[key].float() - two[key].float()).abs().max()) for key in one)
    assert worst <= WEIGHT_TOLERANCE, f"largest weight difference {worst:.2e}"
    return worst


@pytest.mark.e2e
def test_pretrain_on_two_processes_equals_one_process_with_twice_the_batch(tiny_bert_no_dropout, small_corpus, workdir):
    common = [
        "pretrain", "--full", "--corpus", str(small_corpus), "--base", str(tiny_bert_no_dropout),
        "--max-steps", "4", "--grad-accum", "1", "--max-seq-len", "32", "--lr", "1e-3", "--heldout", "0.1",
        "--save-steps", "100",
    ]  # fmt: skip
    _cli([*common, "--name", "one", "--batch-size", "8"], workdir)
    _cli([*common, "--name", "two", "--batch-size", "4"], workdir, processes=2)
    one, two = (workdir / "models" / name for name in ("one", "two"))
    before = load_file(tiny_bert_no_dropout / "model.safetensors")
    after = load_file(one / "model.safetensors")
    assert any(not torch.equal(before[key], after[key]) for key in before), "training changed the weights"
    _assert_close(after, load_file(two / "model.safetensors"))
    ppl = [json.loads((folder / "adapterkit.json").read_text())["perplexity"]["after"] for folder in (one, two)]
    assert ppl[0] == pytest.approx(ppl[1], rel=1e-4)


@pytest.mark.e2e
def test_finetune_on_two_processes_equals_one_process_with_twice_the_batch(tiny_bert_no_dropout, workdir):
    from adapterkit.paths import PACKAGE_DIR

    sentences = (PACKAGE_DIR / "data" / "tasks" / "ro-ner.conll").read_text(encoding="utf-8").split("\n\n")[:64]
    data = workdir / "ner.conll"
    data.write_text("\n\n".join(sentences) + "\n", encoding="utf-8")
    common = [
        "finetune", "--data", str(data), "--base", str(tiny_bert_no_dropout), "--max-steps", "4",
        "--max-seq-len", "64", "--lr", "1e-3",
    ]  # fmt: skip
    _cli([*common, "--name", "one", "--batch-size", "8"], workdir)
    _cli([*common, "--name", "two", "--batch-size", "4"], workdir, processes=2)
    _assert_close(*(load_file(workdir / "models" / name / "model.safetensors") for name in ("one", "two")))


@pytest.mark.parametrize("kind", ["ner", "classification"])
def test_task_loss_equals_the_models_own_loss_in_one_process(tiny_bert, kind):
    from transformers import AutoModelForSequenceClassification, AutoModelForTokenClassification

    from adapterkit.tasks.train import task_loss

    torch.manual_seed(0)
    model_class = AutoModelForTokenClassification if kind == "ner" else AutoModelForSequenceClassification
    model = model_class.from_pretrained(tiny_bert, num_labels=3).eval()
    input_ids = torch.randint(1000, 2000, (4, 10))
    labels = torch.randint(0, 3, (4, 10) if kind == "ner" else (4,))
    if kind == "ner":
        labels[:, 7:] = -100
    outputs = model(input_ids=input_ids, labels=labels)
    assert torch.allclose(task_loss(kind)(outputs, labels), outputs.loss, atol=1e-6)
