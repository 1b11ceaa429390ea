"""adapterkit `pretrain --full` vs the canonical transformers MLM recipe, measured side by side.

The same corpus of short clinical lines (the Dutch clinical stand-in, ``nl-clin.txt``), the
same randomly initialised BERT (saved once to a folder every variant loads), the same tokenizer
(the embedded MiniLM WordPiece; mBERT's own tokenizer is not available offline, and the
throughput only depends on how many tokens there are), the same batch size, learning rate and
number of optimiser steps, the same Trainer:

- adapterkit-packed: ``adapterkit.jobs.pretrain.run_pretrain`` with ``full=True`` (its Trainer
  settings, packing with every line's tokens kept, masked-only loss), ``block_mode="packed"``;
- adapterkit-line:   the same with ``block_mode="line"`` (one line per example, dynamic
  padding, length-grouped batches);
- canonical-group:   ``run_mlm.py``'s recipe: ``Trainer`` + ``DataCollatorForLanguageModeling``
  + ``BertForMaskedLM`` on ``group_texts`` blocks (each line with [CLS]/[SEP], concatenated,
  cut into blocks of ``--length``, the remainder dropped);
- canonical-line:    ``run_mlm.py --line_by_line --pad_to_max_length``: one line per example,
  padded to ``--length``.

Throughput is non-padding tokens per second (the Trainer's ``num_input_tokens_seen`` with
``include_num_input_tokens_seen="non_padding"``: the attention mask's sum) over the optimiser
steps after ``--warmup`` untimed ones; each step is forward + backward + AdamW update, batch
loading and masking included. Peak memory: the process's peak resident set (or CUDA's max
allocated) at the end of training; every variant runs in its own process, one after another
(``--rounds`` repeats the sequence and keeps each variant's fastest round, which cancels some of
the drift from other work on the machine; the 1-minute load average is printed and recorded).

Quality: every variant is then trained for ``--loss-epochs`` epoch(s) (the same text; a padded
line-by-line step carries fewer tokens, so it takes more steps) at ``--loss-shape`` (default
small: at the mBERT shape an epoch takes hours on a CPU), with ``--loss-seeds`` seeds each, and
the final held-out MLM loss is measured on the same held-out lines, masked the same way (seeded
content-keyed masks), both as packed blocks and one line per example. The spread over seeds is
the noise level. The training lines are identical for every variant of a seed.

    python benchmarks/pretrain_vs_canonical.py [--shape mbert|small] [--steps 3] [--warmup 1]
        [--rounds 1] [--loss-shape small] [--loss-seeds 2] [--no-loss] [--record]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

VARIANTS = ("adapterkit-packed", "adapterkit-line", "canonical-group", "canonical-line")
SHAPES = {
    # BertConfig's defaults are bert-base: 12 layers, hidden 768, 12 heads, intermediate 3072.
    "mbert": dict(vocab_size=119547),
    "small": dict(hidden_size=256, num_hidden_layers=4, num_attention_heads=4, intermediate_size=1024),
}
TARGETS = {"canonical-group": 1.3, "canonical-line": 3.0}  # adapterkit-packed tokens/s must be >= this x
HEADING = "## pretrain_vs_canonical.py"
CORPUS = "nl-clin.txt"
HELDOUT = 0.05  # of the corpus lines, fixed (seed 42) for every variant and seed
SPLIT_SEED = 42
EVAL_MASK_SEED = 1234


def make_model(folder: Path, shape: str) -> None:
    """A seeded, randomly initialised BertForMaskedLM of ``shape`` with the embedded tokenizer, saved."""
    import torch
    from transformers import AutoTokenizer, BertConfig, BertForMaskedLM

    from adapterkit.models import materialise_embedded

    tokenizer = AutoTokenizer.from_pretrained(materialise_embedded())
    settings = {"vocab_size": len(tokenizer), **SHAPES[shape]}
    torch.manual_seed(0)
    BertForMaskedLM(BertConfig(**settings)).save_pretrained(folder)
    tokenizer.save_pretrained(folder)


def split_lines(seed: int) -> tuple[list[str], list[str], list[str]]:
    """(the corpus minus the fixed held-out lines, the training lines of ``seed``, the fixed held-out lines).

    run_pretrain makes its own held-out split of what it is given (at least one line): it gets
    the first list with ``heldout=0.001`` and ``seed``, and trains on the second, exactly what
    the canonical variants train on.
    """
    from adapterkit.corpus import read_corpus, split_heldout
    from adapterkit.paths import STANDIN_CORPORA_DIR

    lines, _ = read_corpus([STANDIN_CORPORA_DIR / CORPUS])
    train, heldout = split_heldout(lines, HELDOUT, SPLIT_SEED)
    kept, _ = split_heldout(train, 0.001, seed)
    return train, kept, heldout


def group_texts_dataset(lines: list[str], tokenizer, length: int):
    """run_mlm.py's ``tokenize_function`` + ``group_texts`` (remainder dropped)."""
    from itertools import chain

    from datasets import Dataset

    def tokenize_function(examples):
        return tokenizer(examples["text"], return_special_tokens_mask=True)

    def group_texts(examples):
        concatenated = {k: list(chain(*examples[k])) for k in examples}
        total = (len(concatenated["input_ids"]) // length) * length
        return {k: [t[i : i + length] for i in range(0, total, length)] for k, t in concatenated.items()}

    tokenized = Dataset.from_dict({"text": lines}).map(tokenize_function, batched=True, remove_columns=["text"])
    return tokenized.map(group_texts, batched=True)


def line_by_line_dataset(lines: list[str], tokenizer, length: int):
    """run_mlm.py's ``--line_by_line --pad_to_max_length`` tokenization."""
    from datasets import Dataset

    def tokenize_function(examples):
        texts = [line for line in examples["text"] if len(line) > 0 and not line.isspace()]
        return tokenizer(
            texts, padding="max_length", truncation=True, max_length=length, return_special_tokens_mask=True
        )

    return Dataset.from_dict({"text": lines}).map(tokenize_function, batched=True, remove_columns=["text"])


class StepTimer:
    """Trainer callback: seconds and non-padding tokens between the end of step ``warmup`` and the last step."""

    def __new__(cls, warmup: int, cuda: bool):
        from transformers import TrainerCallback

        class _Timer(TrainerCallback):
            def __init__(self) -> None:
                self.started = self.stopped = None
                self.tokens_start = self.tokens_stop = 0
                self.steps = 0
                self.peak_mb = 0.0

            def _now(self) -> float:
                if cuda:
                    import torch

                    torch.cuda.synchronize()
                return time.perf_counter()

            def on_step_end(self, args, state, control, **kwargs):
                if state.global_step == warmup:
                    self.started, self.tokens_start = self._now(), state.num_input_tokens_seen
                if state.global_step > warmup:
                    self.stopped, self.tokens_stop = self._now(), state.num_input_tokens_seen
                    self.steps = state.global_step - warmup

            def on_train_end(self, args, state, control, **kwargs):
                self.peak_mb = peak_memory_mb(cuda)

            def result(self) -> dict:
                seconds = self.stopped - self.started
                tokens = self.tokens_stop - self.tokens_start
                return {
                    "steps": self.steps,
                    "seconds": seconds,
                    "tokens": tokens,
                    "tokens_per_s": tokens / seconds,
                    "seconds_per_step": seconds / self.steps,
                    "peak_mb": self.peak_mb,
                }

        return _Timer()


def peak_memory_mb(cuda: bool) -> float:
    if cuda:
        import torch

        return torch.cuda.max_memory_allocated() / 2**20
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def heldout_losses(model, tokenizer, heldout: list[str], length: int) -> dict[str, float]:
    """Mean held-out MLM loss (cross-entropy per masked token) on packed blocks and on single lines."""
    import math

    from adapterkit.corpus import tokenize
    from adapterkit.mlm import MLMCollator, heldout_perplexity

    losses = {}
    for mode in ("packed", "line"):
        blocks = tokenize(heldout, tokenizer, length, mode).remove_columns("length")
        collator = MLMCollator(tokenizer, 0.15, seed=EVAL_MASK_SEED)  # the same masks for every model
        perplexity, _ = heldout_perplexity(model, blocks, collator)
        losses[mode] = math.log(perplexity)
    return losses


def run_variant(variant: str, folder: Path, work: Path, options: dict) -> dict:
    """Train ``variant`` on the model in ``folder``; timing, memory and (loss mode) held-out losses."""
    import torch
    from transformers import (
        AutoTokenizer,
        BertForMaskedLM,
        DataCollatorForLanguageModeling,
        Trainer,
        TrainingArguments,
    )

    from adapterkit.jobs.pretrain import PretrainConfig, run_pretrain
    from adapterkit.speed import resolve_precision

    torch.set_num_threads(options["threads"])
    cuda = torch.cuda.is_available()
    seed, length, batch = options["seed"], options["length"], options["batch"]
    given, train_lines, heldout = split_lines(seed)
    timer = StepTimer(options["warmup"], cuda)
    tokenizer = AutoTokenizer.from_pretrained(folder)
    max_steps = options["max_steps"]
    epochs = options["epochs"]
    if variant.startswith("adapterkit"):
        corpus = work / "train.txt"
        corpus.write_text("\n".join(given) + "\n", encoding="utf-8")
        config = PretrainConfig(
            corpus=[corpus],
            name="bench",
            base=str(folder),
            full=True,
            max_steps=max_steps,
            epochs=epochs,
            batch_size=batch,
            grad_accum=1,
            lr=options["lr"],
            max_seq_len=length,
            block_mode=variant.split("-")[1],
            heldout=0.001,
            seed=seed,
            save_steps=10**9,
            logging_steps=10**9,
            output=work / "model",
            work_dir=work / "run",
            force=True,
        )
        run_pretrain(config, callbacks=[timer])
        model = BertForMaskedLM.from_pretrained(work / "model") if options["loss"] else None
    else:
        if variant == "canonical-group":
            dataset = group_texts_dataset(train_lines, tokenizer, length)
        else:
            dataset = line_by_line_dataset(train_lines, tokenizer, length)
        precision = resolve_precision("auto")
        args = TrainingArguments(
            output_dir=str(work / "run"),
            per_device_train_batch_size=batch,
            learning_rate=options["lr"],
            max_steps=max_steps,
            num_train_epochs=epochs,
            seed=seed,
            save_strategy="no",
            logging_steps=10**9,
            report_to=[],
            disable_tqdm=True,
            include_num_input_tokens_seen="non_padding",
            bf16=precision == "bf16",
            fp16=precision == "fp16",
            use_cpu=not cuda,
        )
        model = BertForMaskedLM.from_pretrained(folder)
        collator = DataCollatorForLanguageModeling(tokenizer=tokenizer, mlm_probability=0.15)
        trainer = Trainer(model=model, args=args, train_dataset=dataset, data_collator=collator, callbacks=[timer])
        trainer.train()
    result = {"variant": variant, "device": "cuda" if cuda else "cpu", **timer.result()}
    if options["loss"]:
        model.to("cuda" if cuda else "cpu")
        result["losses"] = heldout_losses(model, tokenizer, heldout, length)
    return result


def spawn(variant: str, folder: Path, options: dict) -> dict:
    """``run_variant`` in a fresh process (its own peak memory)."""
    with tempfile.TemporaryDirectory(prefix=f"bench-{variant}-") as work:
        command = [sys.executable, __file__, "--run-variant", variant, "--model-dir", str(folder)]
        command += ["--work-dir", work, "--options", json.dumps(options)]
        completed = subprocess.run(command, capture_output=True, text=True, env=os.environ.copy())
    if completed.returncode != 0:
        raise SystemExit(f"{variant} failed:\n{completed.stderr[-3000:]}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def speed_table(args, folder: Path) -> tuple[dict, float]:
    options = dict(
        threads=args.threads,
        seed=SPLIT_SEED,
        length=args.length,
        batch=args.batch,
        warmup=args.warmup,
        max_steps=args.warmup + args.steps,
        epochs=1.0,
        lr=2e-5,
        loss=False,
    )
    best: dict[str, dict] = {}
    loads = []
    for round_ in range(args.rounds):
        for variant in args.variants:
            result = spawn(variant, folder, options)
            loads.append(os.getloadavg()[0])
            if variant not in best or result["tokens_per_s"] > best[variant]["tokens_per_s"]:
                best[variant] = result
            print(
                f"  round {round_ + 1}: {variant:18s} {result['seconds_per_step']:7.2f} s/step "
                f"{result['tokens_per_s']:8.0f} tok/s  peak {result['peak_mb']:7.0f} MB  load {loads[-1]:.1f}",
                flush=True,
            )
    return best, statistics.mean(loads)


def loss_table(args, folder: Path) -> dict[str, list[dict]]:
    results: dict[str, list[dict]] = {variant: [] for variant in args.variants}
    for seed in range(args.loss_seeds):
        options = dict(
            threads=args.threads,
            seed=SPLIT_SEED + seed,
            length=args.length,
            batch=args.batch,
            warmup=1,
            max_steps=-1,
            epochs=args.loss_epochs,
            lr=args.loss_lr,
            loss=True,
        )
        for variant in args.variants:
            result = spawn(variant, folder, options)
            results[variant].append(result)
            losses = result["losses"]
            print(
                f"  seed {seed}: {variant:18s} {result['steps'] + 1:5d} steps "
                f"{result['tokens'] / result['seconds']:8.0f} tok/s  held-out loss packed {losses['packed']:.4f} "
                f"line {losses['line']:.4f}",
                flush=True,
            )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shape", choices=SHAPES, default="mbert", help="model shape of the throughput runs")
    parser.add_argument("--steps", type=int, default=3, help="timed optimiser steps per variant")
    parser.add_argument("--warmup", type=int, default=1, help="untimed optimiser steps first")
    parser.add_argument("--rounds", type=int, default=1, help="repeat the variants; keep each one's fastest")
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--length", type=int, default=128)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--variants", default=",".join(VARIANTS), help="comma list of variants")
    parser.add_argument("--loss-shape", choices=SHAPES, default="small", help="model shape of the loss comparison")
    parser.add_argument("--loss-epochs", type=float, default=1.0)
    parser.add_argument("--loss-seeds", type=int, default=2)
    parser.add_argument("--loss-lr", type=float, default=5e-4)
    parser.add_argument("--no-loss", action="store_true", help="skip the held-out loss comparison")
    parser.add_argument("--record", action="store_true", help="add a row to benchmarks/RESULTS.md")
    parser.add_argument("--run-variant", choices=VARIANTS, help=argparse.SUPPRESS)
    parser.add_argument("--model-dir", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--work-dir", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--options", help=argparse.SUPPRESS)
    args = parser.parse_args()
    from adapterkit.quiet import quiet_libraries

    quiet_libraries()
    if args.run_variant:
        result = run_variant(args.run_variant, args.model_dir, args.work_dir, json.loads(args.options))
        print(json.dumps(result))
        return
    args.variants = [v.strip() for v in args.variants.split(",") if v.strip()]
    unknown = sorted(set(args.variants) - set(VARIANTS))
    if unknown or "adapterkit-packed" not in args.variants:
        raise SystemExit(f"--variants: choose from {', '.join(VARIANTS)} (adapterkit-packed included)")

    with tempfile.TemporaryDirectory(prefix="pretrain-vs-canonical-") as scratch:
        # Tokenized corpora and the embedded tokenizer go to a private cache: nothing is reused from earlier runs.
        os.environ["ADAPTERKIT_CACHE"] = str(Path(scratch) / "cache")
        folder = Path(scratch) / f"model-{args.shape}"
        make_model(folder, args.shape)
        print(f"throughput at the {args.shape} shape, {args.batch}x{args.length}, {args.threads} threads:", flush=True)
        speed, load = speed_table(args, folder)
        losses = None
        if not args.no_loss:
            loss_folder = Path(scratch) / f"model-{args.loss_shape}"
            if args.loss_shape != args.shape:
                make_model(loss_folder, args.loss_shape)
            else:
                loss_folder = folder
            print(
                f"\nheld-out loss after {args.loss_epochs:g} epoch(s) at the {args.loss_shape} shape"
                + (
                    " (the mBERT shape is too slow on this machine for a loss comparison)"
                    if args.loss_shape != "mbert"
                    else ""
                )
                + f", lr {args.loss_lr:g}, {args.loss_seeds} seed(s):",
                flush=True,
            )
            losses = loss_table(args, folder=loss_folder)

    ours = speed["adapterkit-packed"]
    print(f"\n{'variant':18s} {'s/step':>7s} {'tok/s':>8s} {'peak MB':>8s} {'adapterkit-packed is':>22s}")
    ratios = {}
    for variant, result in speed.items():
        faster = ours["tokens_per_s"] / result["tokens_per_s"]
        memory = ours["peak_mb"] / result["peak_mb"]
        ratios[variant] = (faster, memory)
        target = TARGETS.get(variant)
        verdict = "" if target is None else f" (target >= {target:g}x: {'met' if faster >= target else 'NOT met'})"
        print(
            f"{variant:18s} {result['seconds_per_step']:7.2f} {result['tokens_per_s']:8.0f} {result['peak_mb']:8.0f} "
            f"{'x' + format(faster, '.2f') + ' faster, mem x' + format(memory, '.2f'):>22s}{verdict}"
        )
    print(
        f"mean 1-minute load average {load:.2f} ({args.threads} threads here; above that, other work shared the cores)"
    )
    loss_cells = {}
    if losses:
        print(f"\n{'variant':18s} {'steps':>6s} {'packed loss':>16s} {'line loss':>16s}   (mean ± spread over seeds)")
        for variant, runs in losses.items():
            cells = []
            for mode in ("packed", "line"):
                values = [run["losses"][mode] for run in runs]
                spread = (max(values) - min(values)) / 2
                cells.append(f"{statistics.mean(values):.3f}±{spread:.3f}")
            loss_cells[variant] = cells
            steps = statistics.mean(run["steps"] + 1 for run in runs)
            print(f"{variant:18s} {steps:6.0f} {cells[0]:>16s} {cells[1]:>16s}")

    if args.record:
        from results import record

        machine = f"{platform.machine()}, {ours['device']}, {args.threads} threads"
        header = (
            "| date | machine | shape | steps | adapterkit-packed tok/s | vs canonical-group | vs canonical-line | "
            "vs adapterkit-line | held-out loss packed (ak / group / line) | load |"
        )

        def cell(variant: str) -> str:
            if variant not in ratios:
                return "-"
            faster, memory = ratios[variant]
            return f"x{faster:.2f} / mem x{memory:.2f}"

        loss_text = "-"
        if loss_cells:
            loss_text = f"{args.loss_shape}: " + " / ".join(
                loss_cells[v][0] for v in ("adapterkit-packed", "canonical-group", "canonical-line") if v in loss_cells
            )
        row = (
            f"| {time.strftime('%Y-%m-%d')} | {machine} | {args.shape} {args.batch}x{args.length} | "
            f"{args.warmup}+{args.steps} | {ours['tokens_per_s']:.0f} | {cell('canonical-group')} | "
            f"{cell('canonical-line')} | {cell('adapterkit-line')} | {loss_text} | {load:.1f} |"
        )
        record(HEADING, header, row)
        print("recorded in benchmarks/RESULTS.md")


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    main()
