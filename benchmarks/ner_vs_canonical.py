"""adapterkit ``finetune`` vs the canonical transformers NER recipe (run_ner.py's), side by side.

The same open data (MoNERo, Romanian biomedical NER, or the CANTEMIST training documents, Spanish
oncology notes in BRAT: read once with adapterkit's reader and its tag repair, sentences shuffled
once, then written to two CoNLL files that both recipes read), the same base (the embedded
MiniLM folder that ``--base minilm`` resolves to), the same epochs, learning rate, batch size,
subword limit and seeds:

- adapterkit: ``python -m adapterkit finetune --data train --eval-data test --base minilm ...``
  with its defaults otherwise (length-grouped batches in a shuffled order, windows of whole
  words, first-subword labels);
- canonical:  a minimal run_ner.py written here: ``AutoModelForTokenClassification``,
  first-subword labels (-100 elsewhere, [CLS]/[SEP] included), truncation at the subword
  limit, ``DataCollatorForTokenClassification``, the Trainer with shuffled batches and
  ``TrainingArguments``' defaults (no warm-up, no weight decay, linear decay), predictions taken
  on each word's first subword. Words cut off by the truncation are predicted ``O`` so both
  recipes are scored on every word of the same test sentences.

Each run is one fresh process, timed from start to exit (imports, reading, training, predicting
the test set: "whole process"). Both recipes are scored the same way: entity-level micro F1 of
seqeval's default (conlleval-compatible) mode on the same test sentences; adapterkit's F1 comes
from its own evaluation (``adapterkit.metrics.ner_metrics``, seqeval's default mode), and the
canonical predictions are scored here with seqeval directly and cross-checked through
``ner_metrics``. Seeds run interleaved (the order of the two recipes alternates) so the drift of
other work on the machine falls on both; the 1-minute load average is printed and recorded.

Target (issue 11 §6): adapterkit's mean F1 >= the canonical mean - 0.01, a spread no wider, at
>= 2x its speed (mean whole-process time).

    python benchmarks/ner_vs_canonical.py [--data monero|cantemist] [--train N] [--test N] [--seeds 3]
        [--epochs 2] [--lr 5e-5] [--batch 16] [--max-len 256] [--threads 2] [--record]

The speed-up depends on the data: the canonical recipe's shuffled batches pad each batch to its
longest sentence, so the more sentence lengths vary, the more it computes on padding (the script
prints that ratio, measured with the base's tokenizer, before training).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HEADING = "## ner_vs_canonical.py"
SPLIT_SEED = 42  # the train/test sentences are the same for every seed and recipe
RECIPES = ("canonical", "adapterkit")
# name -> (path under the shared data folder, default training / test sentences)
CORPORA = {
    "monero": ("monero/MoNERo.txt", 1500, 400),
    "cantemist": ("cantemist/train-set/cantemist-ner", 3000, 800),
}


def prepare_data(corpus: Path, train: int, test: int, folder: Path) -> tuple[Path, Path, list[list[str]]]:
    """The corpus read by adapterkit (orphan I- repaired to B-, malformed tags to O; BRAT documents
    as BIO sentences), shuffled once and written as ``train.conll`` and ``test.conll``: both
    recipes read these exact files."""
    from adapterkit.tasks.conll import write_conll
    from adapterkit.tasks.readers import read_task

    data = read_task([corpus], repair=True)
    sentences = list(data.sentences)
    random.Random(SPLIT_SEED).shuffle(sentences)
    if len(sentences) < train + test:
        raise SystemExit(f"--train {train} + --test {test}: {corpus.name} has only {len(sentences)} sentences")
    test_part, train_part = sentences[:test], sentences[test : test + train]
    train_file, test_file = folder / "train.conll", folder / "test.conll"
    write_conll(train_part, train_file)
    write_conll(test_part, test_file)
    return train_file, test_file, [s.tags for s in test_part]


def read_conll(path: Path) -> tuple[list[list[str]], list[list[str]]]:
    """Words and tags of a two-column CoNLL file (the canonical recipe's own reading)."""
    words: list[list[str]] = []
    tags: list[list[str]] = []
    current: tuple[list[str], list[str]] = ([], [])
    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        if not line.strip():
            if current[0]:
                words.append(current[0])
                tags.append(current[1])
            current = ([], [])
            continue
        word, tag = line.split("\t")
        current[0].append(word)
        current[1].append(tag)
    return words, tags


def run_canonical(options: dict) -> None:
    """run_ner.py's recipe, minimal; writes the test predictions (one tag list per sentence) as JSON."""
    import numpy as np
    from datasets import Dataset
    from transformers import (
        AutoModelForTokenClassification,
        AutoTokenizer,
        DataCollatorForTokenClassification,
        Trainer,
        TrainingArguments,
        set_seed,
    )

    set_seed(options["seed"])  # before the model, as run_ner.py: the head's initialisation
    train_words, train_tags = read_conll(Path(options["train"]))
    test_words, _ = read_conll(Path(options["test"]))
    label_list = sorted({tag for sentence in train_tags for tag in sentence})
    label_to_id = {label: i for i, label in enumerate(label_list)}
    tokenizer = AutoTokenizer.from_pretrained(options["model"])
    model = AutoModelForTokenClassification.from_pretrained(
        options["model"],
        num_labels=len(label_list),
        id2label=dict(enumerate(label_list)),
        label2id=label_to_id,
    )

    def tokenize_and_align_labels(examples):
        encoded = tokenizer(
            examples["tokens"], truncation=True, max_length=options["max_len"], is_split_into_words=True
        )
        labels = []
        for i, sentence_tags in enumerate(examples["tags"]):
            previous = None
            row = []
            for word in encoded.word_ids(batch_index=i):
                row.append(-100 if word is None or word == previous else label_to_id[sentence_tags[word]])
                previous = word
            labels.append(row)
        encoded["labels"] = labels
        return encoded

    train_set = Dataset.from_dict({"tokens": train_words, "tags": train_tags}).map(
        tokenize_and_align_labels, batched=True, remove_columns=["tokens", "tags"]
    )
    # The test labels only mark first subwords (run_ner.py's -100 mask); their values are not used.
    test_set = Dataset.from_dict({"tokens": test_words, "tags": [["O"] * len(w) for w in test_words]}).map(
        tokenize_and_align_labels, batched=True, remove_columns=["tokens", "tags"]
    )
    args = TrainingArguments(
        output_dir=options["work"],
        per_device_train_batch_size=options["batch"],
        per_device_eval_batch_size=32,
        learning_rate=options["lr"],
        num_train_epochs=options["epochs"],
        seed=options["seed"],
        save_strategy="no",
        report_to=[],
        disable_tqdm=True,
        logging_steps=10**9,
    )
    trainer = Trainer(
        model=model,
        args=args,
        train_dataset=train_set,
        processing_class=tokenizer,
        data_collator=DataCollatorForTokenClassification(tokenizer),
    )
    trainer.train()
    output = trainer.predict(test_set)
    ids = np.argmax(output.predictions, axis=2)
    predictions = []
    for sentence, row, labels in zip(test_words, ids, output.label_ids, strict=True):
        tags = [label_list[p] for p, gold in zip(row, labels, strict=True) if gold != -100]
        predictions.append(tags + ["O"] * (len(sentence) - len(tags)))  # words cut off by the truncation
    Path(options["out"]).write_text(json.dumps(predictions))


def padding_ratio(train_file: Path, model: Path, batch: int, max_len: int) -> dict[str, float]:
    """Padded subwords per real subword of the training set in batches of ``batch``: shuffled (the
    canonical order, seed 0) and sorted by length (what length grouping reaches)."""
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(model)
    words, _ = read_conll(train_file)
    lengths = [
        len(ids) for ids in tokenizer(words, is_split_into_words=True, truncation=True, max_length=max_len)["input_ids"]
    ]
    shuffled = list(range(len(lengths)))
    random.Random(0).shuffle(shuffled)

    def padded(order: list[int]) -> int:
        return sum(
            max(lengths[i] for i in order[k : k + batch]) * len(order[k : k + batch])
            for k in range(0, len(order), batch)
        )

    return {
        "shuffled": padded(shuffled) / sum(lengths),
        "grouped": padded(sorted(shuffled, key=lengths.__getitem__)) / sum(lengths),
    }


def timed(command: list[str], env: dict, cwd: Path) -> float:
    started = time.perf_counter()
    completed = subprocess.run(command, capture_output=True, text=True, env=env, cwd=cwd)
    seconds = time.perf_counter() - started
    if completed.returncode != 0:
        raise SystemExit(f"{' '.join(command[:4])} ... failed:\n{completed.stderr[-3000:]}")
    return seconds


def run_one(recipe: str, seed: int, args, files: dict, gold: list[list[str]], env: dict, scratch: Path) -> dict:
    from seqeval.metrics import f1_score

    from adapterkit.metrics import ner_metrics

    work = scratch / f"{recipe}-{seed}"
    work.mkdir()
    if recipe == "adapterkit":
        command = [sys.executable, "-m", "adapterkit", "finetune", "--data", str(files["train"])]
        command += ["--eval-data", str(files["test"]), "--name", "bench", "--base", "minilm"]
        command += ["--epochs", str(args.epochs), "--lr", str(args.lr), "--batch-size", str(args.batch)]
        command += ["--max-seq-len", str(args.max_len), "--seed", str(seed), "--output", str(work / "model")]
        seconds = timed(command, env, work)
        manifest = json.loads((work / "model" / "adapterkit.json").read_text())
        f1 = manifest["evaluation"]["metrics"]["f1"]
    else:
        options = dict(
            seed=seed, train=str(files["train"]), test=str(files["test"]), model=str(files["model"]),
            max_len=args.max_len, batch=args.batch, lr=args.lr, epochs=args.epochs,
            work=str(work / "run"), out=str(work / "predictions.json"),
        )  # fmt: skip
        command = [sys.executable, __file__, "--run-canonical", json.dumps(options)]
        seconds = timed(command, env, work)
        predictions = json.loads((work / "predictions.json").read_text())
        f1 = float(f1_score(gold, predictions))  # seqeval's default (conlleval-compatible) mode
        same = ner_metrics(gold, predictions)["f1"]
        if abs(same - f1) > 1e-12:
            raise SystemExit(f"scoring differs: seqeval {f1} vs adapterkit.metrics {same}")
    return {"recipe": recipe, "seed": seed, "f1": f1, "seconds": seconds, "load": os.getloadavg()[0]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", choices=sorted(CORPORA), default="monero", help="which open corpus")
    parser.add_argument("--corpus", type=Path, help="its file or folder (default: the shared data folder's)")
    parser.add_argument("--train", type=int, help="training sentences (monero 1500, cantemist 3000)")
    parser.add_argument("--test", type=int, help="test sentences (monero 400, cantemist 800)")
    parser.add_argument("--seeds", type=int, default=3, help="seeds 0..N-1 for each recipe")
    parser.add_argument("--epochs", type=float, default=2.0)
    parser.add_argument("--lr", type=float, default=5e-5)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--max-len", type=int, default=256, help="subwords per input")
    parser.add_argument("--threads", type=int, default=2, help="torch threads of every run")
    parser.add_argument("--recipes", default=",".join(RECIPES), help="comma list (both for --record)")
    parser.add_argument("--record", action="store_true", help="add a row to benchmarks/RESULTS.md")
    parser.add_argument("--run-canonical", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run_canonical:
        run_canonical(json.loads(args.run_canonical))
        return
    from adapterkit.commands.common import quiet_libraries
    from adapterkit.models import resolve_base
    from adapterkit.paths import shared_data_dir

    quiet_libraries()
    recipes = [r.strip() for r in args.recipes.split(",") if r.strip()]
    if not recipes or set(recipes) - set(RECIPES) or (args.record and len(recipes) != 2):
        raise SystemExit(f"--recipes: choose from {', '.join(RECIPES)} (both with --record)")
    where, default_train, default_test = CORPORA[args.data]
    args.train = args.train or default_train
    args.test = args.test or default_test
    corpus = args.corpus or shared_data_dir() / where
    if not corpus.exists():
        raise SystemExit(f"{corpus}: not found; give --corpus PATH")
    data_name = {"monero": "MoNERo", "cantemist": "CANTEMIST"}[args.data]
    with tempfile.TemporaryDirectory(prefix="ner-vs-canonical-") as name:
        scratch = Path(name)
        env = os.environ | {
            "ADAPTERKIT_CACHE": str(scratch / "cache"),
            "HF_HUB_OFFLINE": "1",
            "OMP_NUM_THREADS": str(args.threads),
            "MKL_NUM_THREADS": str(args.threads),
            "TOKENIZERS_PARALLELISM": "false",
            "PYTHONPATH": os.pathsep.join([str(Path(__file__).resolve().parents[1]), os.environ.get("PYTHONPATH", "")]),
        }
        os.environ["ADAPTERKIT_CACHE"] = env["ADAPTERKIT_CACHE"]  # the base is materialised once, before timing
        train_file, test_file, gold = prepare_data(corpus, args.train, args.test, scratch)
        files = {"train": train_file, "test": test_file, "model": resolve_base("minilm").path}
        waste = padding_ratio(train_file, files["model"], args.batch, args.max_len)
        print(
            f"{data_name}: {args.train} training / {args.test} test sentences, embedded MiniLM, "
            f"{args.epochs:g} epochs, lr {args.lr:g}, batch {args.batch}, {args.max_len} subwords, "
            f"{args.threads} threads; subwords computed per real subword: shuffled batches "
            f"x{waste['shuffled']:.2f}, length-grouped x{waste['grouped']:.2f}",
            flush=True,
        )
        runs = []
        for seed in range(args.seeds):
            order = recipes if seed % 2 == 0 else recipes[::-1]
            for recipe in order:
                result = run_one(recipe, seed, args, files, gold, env, scratch)
                runs.append(result)
                print(
                    f"  seed {seed}: {recipe:10s} F1 {result['f1']:.4f}  {result['seconds']:7.1f} s  "
                    f"load {result['load']:.1f}",
                    flush=True,
                )

    summary = {}
    for recipe in recipes:
        f1s = [r["f1"] for r in runs if r["recipe"] == recipe]
        seconds = [r["seconds"] for r in runs if r["recipe"] == recipe]
        sd = statistics.stdev(f1s) if len(f1s) > 1 else 0.0
        summary[recipe] = (statistics.mean(f1s), sd, statistics.mean(seconds))
        mean_f1, _, mean_seconds = summary[recipe]
        print(f"{recipe:10s} F1 {mean_f1:.4f} ± {sd:.4f} (sd over {len(f1s)} seeds)  {mean_seconds:.1f} s")
    load = statistics.mean(r["load"] for r in runs)
    print(f"mean 1-minute load average {load:.1f} (2 cores; above {args.threads}, other work shared them)")
    if len(recipes) == 2:
        ours, theirs = summary["adapterkit"], summary["canonical"]
        speedup = theirs[2] / ours[2]
        checks = {
            "F1 >= canonical - 0.01": ours[0] >= theirs[0] - 0.01,
            "spread <= canonical's": ours[1] <= theirs[1],
            "speed >= 2x": speedup >= 2.0,
        }
        print(f"adapterkit: F1 {ours[0] - theirs[0]:+.4f} vs canonical, x{speedup:.2f} faster")
        print("targets: " + ", ".join(f"{name}: {'met' if ok else 'NOT met'}" for name, ok in checks.items()))
        if args.record:
            from results import record

            header = (
                "| date | machine | data | settings | seeds | adapterkit F1 | canonical F1 | adapterkit s | "
                "canonical s | speed-up | targets | load |"
            )
            machine = f"{platform.machine()}, cpu, {args.threads} threads"
            row = (
                f"| {time.strftime('%Y-%m-%d')} | {machine} | {data_name} {args.train}/{args.test} | "
                f"MiniLM, {args.epochs:g} ep, lr {args.lr:g}, batch {args.batch}, {args.max_len} | {args.seeds} | "
                f"{ours[0]:.4f} ± {ours[1]:.4f} | {theirs[0]:.4f} ± {theirs[1]:.4f} | {ours[2]:.0f} | "
                f"{theirs[2]:.0f} | x{speedup:.2f} | "
                + ", ".join(f"{name} {'met' if ok else 'NOT met'}" for name, ok in checks.items())
                + f" | {load:.1f} |"
            )
            record(HEADING, header, row)
            print("recorded in benchmarks/RESULTS.md")


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    main()
