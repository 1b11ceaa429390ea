"""adapterkit ``finetune`` vs the canonical transformers NER recipe (run_ner.py's), side by side.

The same open data (one of the data sets of ``ner_shapes.py``: read once with adapterkit's readers
and its tag repair, items shuffled once, then written to two CoNLL files that every recipe reads),
the same base (the embedded MiniLM folder that ``--base minilm`` resolves to), the same epochs,
learning rate, batch size, subword limit and seeds:

- adapterkit: ``python -m adapterkit finetune --data train --eval-data test --base minilm ...``
  with its defaults otherwise (shuffled batches, run_ner.py's label list: the tags present in
  training, sorted; windows of whole words past the subword limit, the windows of a long item
  sharing one item's weight in the loss; first-subword labels);
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

    python benchmarks/ner_vs_canonical.py [--data monero,cantemist,cantemist-short,cantemist-docs,mantra]
        [--train N] [--test N] [--seeds 3] [--epochs 2] [--lr 5e-5] [--batch 16] [--max-len 256]
        [--threads 2] [--ablate adapterkit-split,adapterkit-grouped,adapterkit-shuffled,canonical-grouped,
        canonical-old-labels,canonical-windows,canonical-windows-all-labels]
        [--record]

The data sets (``ner_shapes.py``) are of different shapes: sentences, short pieces, mostly empty
items, long documents, many rare types. Per data set the script prints each recipe's F1 and the
paired difference to the canonical recipe (same seed) with its 95 % t interval over the seeds, and
the optimiser steps each recipe took. ``--ablate`` adds recipes that change one thing at a time:

- ``adapterkit-split``: adapterkit with ``--split-by-length`` (each shuffled batch run as sub-batches
  of similar length: the same batches and loss, less padding; the dropout draws differ);
- ``adapterkit-grouped``: adapterkit with ``--group-by-length`` (length-grouped batches in a
  shuffled order: less padding, faster);
- ``adapterkit-shuffled``: adapterkit with ``--no-group-by-length`` (run_ner.py's batch order; the
  default since the data shapes showed grouping can cost F1; before, grouping was the default);
- ``canonical-grouped``: the canonical recipe with adapterkit's length-grouped batches in a
  shuffled order (``speed.ShuffledLengthGroups``);
- ``canonical-old-labels``: the canonical recipe with adapterkit's former label order (O, then
  B-/I- type by type) instead of run_ner.py's sorted list: the same seed draws another head;
- ``canonical-windows``: the canonical recipe trained and scored on adapterkit's windows of
  whole words (``encode.ner_windows``) instead of truncating at the subword limit, every window
  weighing as much as a whole item (adapterkit without its window weights);
- ``canonical-windows-all-labels``: as ``canonical-windows``, with adapterkit's former label set (B-
  and I- of every type, sorted) instead of the tags present in the training file.

With shuffled batches (adapterkit's default now) both recipes do the same arithmetic on items within
the subword limit; a speed-up comes from ``--group-by-length`` (``adapterkit-grouped``): shuffled
batches pad each batch to its longest item, so the more item lengths vary, the more is computed on
padding (the script prints that ratio, measured with the base's tokenizer, before training).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

SHAPES_HEADING = "## ner_vs_canonical.py: data shapes, paired differences, ablations"
RECIPES = ("canonical", "adapterkit")
ABLATIONS = (
    "adapterkit-split",
    "adapterkit-grouped",
    "adapterkit-shuffled",
    "canonical-grouped",
    "canonical-old-labels",
    "canonical-windows",
    "canonical-windows-all-labels",
)


def prepare_data(name: str, corpus: Path, train: int, test: int, folder: Path) -> tuple[Path, Path, list[list[str]]]:
    """Data set ``name`` read by adapterkit (``ner_shapes``), split once and written as ``train.conll``
    and ``test.conll``: every recipe reads these exact files."""
    from ner_shapes import describe, read_shape, split

    from adapterkit.readers.conll import write_conll

    train_part, test_part = split(read_shape(name, corpus), train, test, name)
    seen = {tag[2:] for s in train_part for tag in s.tags if tag != "O"}
    unseen = sorted({tag[2:] for s in test_part for tag in s.tags if tag != "O"} - seen)
    if unseen:  # a type no recipe can learn (adapterkit refuses such test data): scored as O by both
        print(f"  test types absent from training, their words scored as O: {', '.join(unseen)}")
        test_part = [replace(s, tags=[t if t == "O" or t[2:] in seen else "O" for t in s.tags]) for s in test_part]
    print(f"  training: {describe(train_part)}\n  test: {describe(test_part)}", flush=True)
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
    """run_ner.py's recipe, minimal; writes the test predictions (one tag list per sentence) and the
    optimiser steps taken as JSON. ``options["change"]`` names one ablation (see the module docstring)."""
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

    change = options.get("change")
    set_seed(options["seed"])  # before the model, as run_ner.py: the head's initialisation
    train_words, train_tags = read_conll(Path(options["train"]))
    test_words, _ = read_conll(Path(options["test"]))
    label_list = sorted({tag for sentence in train_tags for tag in sentence})  # run_ner.py's get_label_list
    if change == "canonical-old-labels":  # adapterkit's former order: O, then B-/I- type by type
        types = sorted({tag[2:] for tag in label_list if tag != "O"})
        label_list = ["O"] + [f"{prefix}-{kind}" for kind in types for prefix in ("B", "I")]
    if change == "canonical-windows-all-labels":  # adapterkit's: B-/I- of every type, sorted
        types = sorted({tag[2:] for tag in label_list if tag != "O"})
        label_list = sorted(["O"] + [f"{prefix}-{kind}" for kind in types for prefix in ("B", "I")])
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

    windows = None
    if change in ("canonical-windows", "canonical-windows-all-labels"):  # adapterkit's windows, not truncation
        from adapterkit.tasks.encode import ner_windows, window_labels

        def window_rows(words, tags):
            found = ner_windows(words, tokenizer, options["max_len"])
            rows = {"input_ids": [w.input_ids for w in found]}
            rows["attention_mask"] = [[1] * len(w.input_ids) for w in found]
            rows["labels"] = [window_labels(w, [label_to_id[t] for t in tags[w.sentence]]) for w in found]
            return Dataset.from_dict(rows), found

        train_set, _ = window_rows(train_words, train_tags)
        test_set, windows = window_rows(test_words, [["O"] * len(w) for w in test_words])
    else:
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
    trainer_class = Trainer
    if change == "canonical-grouped":  # adapterkit's batches: length-grouped, in a shuffled order
        from adapterkit.speed import ShuffledLengthGroups

        class GroupedTrainer(Trainer):
            def _get_train_sampler(self, train_dataset=None):
                lengths = [len(ids) for ids in self.train_dataset["input_ids"]]
                return ShuffledLengthGroups(lengths, self.args.train_batch_size, self.args.seed)

        trainer_class = GroupedTrainer
    trainer = trainer_class(
        model=model,
        args=args,
        train_dataset=train_set,
        processing_class=tokenizer,
        data_collator=DataCollatorForTokenClassification(tokenizer),
    )
    trainer.train()
    output = trainer.predict(test_set)
    predictions = []
    if windows is not None:
        from adapterkit.tasks.encode import words_from_windows

        logits = [row[: len(w.input_ids)] for row, w in zip(output.predictions, windows, strict=True)]
        ids = words_from_windows(windows, logits, [len(w) for w in test_words], label_to_id["O"])
        predictions = [[label_list[i] for i in sentence] for sentence in ids]
    else:
        ids = np.argmax(output.predictions, axis=2)
        for sentence, row, labels in zip(test_words, ids, output.label_ids, strict=True):
            tags = [label_list[p] for p, gold in zip(row, labels, strict=True) if gold != -100]
            predictions.append(tags + ["O"] * (len(sentence) - len(tags)))  # words cut off by the truncation
    Path(options["out"]).write_text(json.dumps({"predictions": predictions, "steps": trainer.state.global_step}))


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
    if recipe.startswith("adapterkit"):
        command = [sys.executable, "-m", "adapterkit", "finetune", "--data", str(files["train"])]
        command += ["--eval-data", str(files["test"]), "--name", "bench", "--base", "minilm"]
        command += ["--epochs", str(args.epochs), "--lr", str(args.lr), "--batch-size", str(args.batch)]
        command += ["--max-seq-len", str(args.max_len), "--seed", str(seed), "--output", str(work / "model")]
        if recipe == "adapterkit-split":
            command.append("--split-by-length")
        elif recipe != "adapterkit":
            command.append("--group-by-length" if recipe == "adapterkit-grouped" else "--no-group-by-length")
        seconds = timed(command, env, work)
        manifest = json.loads((work / "model" / "adapterkit.json").read_text())
        f1 = manifest["evaluation"]["metrics"]["f1"]
        steps = max(entry["step"] for entry in manifest["training_log"])
    else:
        options = dict(
            seed=seed, train=str(files["train"]), test=str(files["test"]), model=str(files["model"]),
            max_len=args.max_len, batch=args.batch, lr=args.lr, epochs=args.epochs,
            work=str(work / "run"), out=str(work / "predictions.json"),
            change=None if recipe == "canonical" else recipe,
        )  # fmt: skip
        command = [sys.executable, __file__, "--run-canonical", json.dumps(options)]
        seconds = timed(command, env, work)
        written = json.loads((work / "predictions.json").read_text())
        predictions, steps = written["predictions"], written["steps"]
        f1 = float(f1_score(gold, predictions))  # seqeval's default (conlleval-compatible) mode
        same = ner_metrics(gold, predictions)["f1"]
        if abs(same - f1) > 1e-12:
            raise SystemExit(f"scoring differs: seqeval {f1} vs adapterkit.metrics {same}")
    return {"recipe": recipe, "seed": seed, "f1": f1, "seconds": seconds, "steps": steps, "load": os.getloadavg()[0]}


def paired(runs: list[dict], recipe: str) -> tuple[float, float, float, int]:
    """Mean of ``recipe``'s F1 minus the canonical F1 at the same seed, its 95 % t interval, the pairs."""
    import numpy as np
    from scipy import stats

    theirs = {r["seed"]: r["f1"] for r in runs if r["recipe"] == "canonical"}
    diffs = np.array([r["f1"] - theirs[r["seed"]] for r in runs if r["recipe"] == recipe and r["seed"] in theirs])
    if len(diffs) < 2:
        value = float(diffs.mean()) if len(diffs) else float("nan")
        return value, float("nan"), float("nan"), len(diffs)
    low, high = stats.t.interval(0.95, len(diffs) - 1, loc=diffs.mean(), scale=stats.sem(diffs))
    if not np.isfinite(low):  # identical differences: no spread
        low = high = float(diffs.mean())
    return float(diffs.mean()), float(low), float(high), len(diffs)


def run_data_set(name: str, args, recipes: list[str]) -> None:
    from ner_shapes import SHAPES

    from adapterkit.models import resolve_base
    from adapterkit.paths import shared_data_dir

    where, default_train, default_test, display = SHAPES[name]
    train = args.train or default_train
    test = args.test or default_test
    corpus = args.corpus or shared_data_dir() / where
    if not corpus.exists():
        raise SystemExit(f"{corpus}: not found; give --corpus PATH")
    with tempfile.TemporaryDirectory(prefix="ner-vs-canonical-") as folder:
        scratch = Path(folder)
        env = os.environ | {
            "ADAPTERKIT_CACHE": str(scratch / "cache"),
            "HF_HUB_OFFLINE": "1",
            "OMP_NUM_THREADS": str(args.threads),
            "MKL_NUM_THREADS": str(args.threads),
            "TOKENIZERS_PARALLELISM": "false",
            "PYTHONPATH": os.pathsep.join([str(Path(__file__).resolve().parents[1]), os.environ.get("PYTHONPATH", "")]),
        }
        os.environ["ADAPTERKIT_CACHE"] = env["ADAPTERKIT_CACHE"]  # the base is materialised once, before timing
        print(f"{display}:", flush=True)
        train_file, test_file, gold = prepare_data(name, corpus, train, test, scratch)
        files = {"train": train_file, "test": test_file, "model": resolve_base("minilm").path}
        waste = padding_ratio(train_file, files["model"], args.batch, args.max_len)
        print(
            f"  {train} training / {test} test items, embedded MiniLM, {args.epochs:g} epochs, lr {args.lr:g}, "
            f"batch {args.batch}, {args.max_len} subwords, {args.threads} threads; subwords computed per real "
            f"subword: shuffled batches x{waste['shuffled']:.2f}, length-grouped x{waste['grouped']:.2f}",
            flush=True,
        )
        runs = []
        for seed in range(args.seeds):
            order = recipes if seed % 2 == 0 else recipes[::-1]
            for recipe in order:
                result = run_one(recipe, seed, args, files, gold, env, scratch)
                runs.append(result)
                print(
                    f"  seed {seed}: {recipe:22s} F1 {result['f1']:.4f}  {result['steps']:5d} steps  "
                    f"{result['seconds']:7.1f} s  load {result['load']:.1f}",
                    flush=True,
                )
    report(name, display, f"{train}/{test}", args, recipes, runs)


def report(name: str, display: str, sizes: str, args, recipes: list[str], runs: list[dict]) -> None:
    summary = {}
    for recipe in recipes:
        mine = [r for r in runs if r["recipe"] == recipe]
        f1s = [r["f1"] for r in mine]
        sd = statistics.stdev(f1s) if len(f1s) > 1 else 0.0
        summary[recipe] = (statistics.mean(f1s), sd, statistics.mean(r["seconds"] for r in mine))
        steps = sorted({r["steps"] for r in mine})
        line = f"  {recipe:22s} F1 {summary[recipe][0]:.4f} ± {sd:.4f} (sd, {len(f1s)} seeds)  "
        line += f"{summary[recipe][2]:.1f} s  steps {'/'.join(map(str, steps))}"
        if recipe != "canonical" and "canonical" in recipes:
            diff, low, high, pairs = paired(runs, recipe)
            interval = f"[{low:+.4f}, {high:+.4f}] (95 % t, {pairs} seeds)" if pairs > 1 else "(1 seed: no interval)"
            line += f"  paired Δ vs canonical {diff:+.4f} {interval}"
        print(line, flush=True)
    load = statistics.mean(r["load"] for r in runs)
    print(f"  mean 1-minute load average {load:.1f} (2 cores; above {args.threads}, other work shared them)")
    if "adapterkit" in summary and "canonical" in summary:
        ours, theirs = summary["adapterkit"], summary["canonical"]
        speedup = theirs[2] / ours[2]
        checks = {"F1 >= canonical - 0.01": ours[0] >= theirs[0] - 0.01, "spread <= canonical's": ours[1] <= theirs[1]}
        print(f"  adapterkit: F1 {ours[0] - theirs[0]:+.4f} vs canonical, x{speedup:.2f} faster")
        print("  targets: " + ", ".join(f"{key}: {'met' if ok else 'NOT met'}" for key, ok in checks.items()))
    if args.record:
        from results import record

        header = (
            "| date | data | items train/test | settings | seeds | recipe | F1 mean ± sd | paired Δ vs canonical "
            "[95 % t] | optimiser steps | s per run | load |"
        )
        for recipe in recipes:
            mine = [r for r in runs if r["recipe"] == recipe]
            diff, low, high, pairs = paired(runs, recipe) if recipe != "canonical" else (0.0, 0.0, 0.0, 0)
            interval = f"[{low:+.4f}, {high:+.4f}]" if pairs > 1 else "(1 seed: no interval)"
            delta = "—" if recipe == "canonical" else f"{diff:+.4f} {interval}"
            steps = "/".join(map(str, sorted({r["steps"] for r in mine})))
            row = (
                f"| {time.strftime('%Y-%m-%d')} | {display} | {sizes} | MiniLM, {args.epochs:g} ep, lr {args.lr:g}, "
                f"batch {args.batch}, {args.max_len}, {args.threads} thr | {len(mine)} | {recipe} | "
                f"{summary[recipe][0]:.4f} ± {summary[recipe][1]:.4f} | {delta} | {steps} | {summary[recipe][2]:.0f} | "
                f"{statistics.mean(r['load'] for r in mine):.1f} |"
            )
            record(SHAPES_HEADING, header, row)
        print("  recorded in benchmarks/RESULTS.md")


def main() -> None:
    from ner_shapes import SHAPES

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default="monero", help=f"comma list of data sets: {', '.join(SHAPES)}")
    parser.add_argument("--corpus", type=Path, help="its file or folder (default: the shared data folder's)")
    parser.add_argument("--train", type=int, help="training items (default per data set, see ner_shapes.py)")
    parser.add_argument("--test", type=int, help="test items (default per data set)")
    parser.add_argument("--seeds", type=int, default=3, help="seeds 0..N-1 for each recipe")
    parser.add_argument("--epochs", type=float, default=2.0)
    parser.add_argument("--lr", type=float, default=5e-5)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--max-len", type=int, default=256, help="subwords per input")
    parser.add_argument("--threads", type=int, default=2, help="torch threads of every run")
    parser.add_argument("--recipes", default=",".join(RECIPES), help=f"comma list of {', '.join(RECIPES)}")
    parser.add_argument("--ablate", default="", help=f"comma list of recipes to add: {', '.join(ABLATIONS)}")
    parser.add_argument("--record", action="store_true", help="add rows to benchmarks/RESULTS.md")
    parser.add_argument("--run-canonical", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run_canonical:
        run_canonical(json.loads(args.run_canonical))
        return
    from adapterkit.quiet import quiet_libraries

    quiet_libraries()
    recipes = [r.strip() for r in f"{args.recipes},{args.ablate}".split(",") if r.strip()]
    if not recipes or set(recipes) - set(RECIPES + ABLATIONS):
        raise SystemExit(f"--recipes/--ablate: choose from {', '.join(RECIPES + ABLATIONS)}")
    names = [n.strip() for n in args.data.split(",") if n.strip()]
    if not names or set(names) - set(SHAPES):
        raise SystemExit(f"--data: choose from {', '.join(SHAPES)}")
    if args.corpus and len(names) > 1:
        raise SystemExit("--corpus names the file of one data set: give one --data with it")
    for name in names:
        run_data_set(name, args, recipes)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    main()
