"""Does ``torch.compile`` pay for pre-training on the CPU? The same Trainer run with and without it.

adapterkit's shared Trainer settings (``pretrain.training_arguments``), the masked-only model
class, a seeded random BERT (``--shape small``: 4 layers, hidden 256; or mbert), packed blocks of
the Dutch clinical stand-in corpus, batch 8 x 128, ``--steps`` timed optimiser steps after
``--warmup`` untimed ones (compilation happens in those). Each setting runs in its own process,
eager first. Prints tokens/s of both, the ratio, and how long the warm-up (compilation) took.

    python benchmarks/compile_cpu.py [--shape small] [--steps 10] [--warmup 3] [--threads 2]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def run(compiled: bool, options: dict) -> dict:
    import torch
    from pretrain_vs_canonical import SHAPES
    from transformers import AutoTokenizer, BertConfig, BertForMaskedLM, Trainer, TrainerCallback

    from adapterkit.corpus import read_corpus, tokenize
    from adapterkit.mlm import MLMCollator, masked_only_class
    from adapterkit.models import materialise_embedded
    from adapterkit.paths import STANDIN_CORPORA_DIR
    from adapterkit.quiet import quiet_libraries
    from adapterkit.training import training_arguments

    quiet_libraries()
    torch.set_num_threads(options["threads"])
    tokenizer = AutoTokenizer.from_pretrained(materialise_embedded())
    torch.manual_seed(0)
    config = BertConfig(**{"vocab_size": len(tokenizer), **SHAPES[options["shape"]]})
    model = masked_only_class(BertForMaskedLM)(config)
    lines, _ = read_corpus([STANDIN_CORPORA_DIR / "nl-clin.txt"])
    blocks = tokenize(lines, tokenizer, 128, "packed").remove_columns("length")
    marks: dict[int, float] = {}

    class Clock(TrainerCallback):
        def on_train_begin(self, args, state, control, **kwargs):
            marks[0] = time.perf_counter()

        def on_step_end(self, args, state, control, **kwargs):
            marks[state.global_step] = time.perf_counter()

    warmup, steps = options["warmup"], options["steps"]
    with tempfile.TemporaryDirectory() as folder:
        args = training_arguments(
            Path(folder),
            0,
            per_device_train_batch_size=8,
            max_steps=warmup + steps,
            save_strategy="no",
            logging_steps=10**9,
            torch_compile=compiled,
        )
        collator = MLMCollator(tokenizer, 0.15, seed=0)
        Trainer(model=model, args=args, train_dataset=blocks, data_collator=collator, callbacks=[Clock()]).train()
    timed = marks[warmup + steps] - marks[warmup]
    return {
        "seconds_per_step": timed / steps,
        "tokens_per_s": 8 * 128 * steps / timed,
        "warmup_s": marks[warmup] - marks[0],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shape", choices=("small", "mbert"), default="small")
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--compiled", choices=("yes", "no"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    options = {"shape": args.shape, "steps": args.steps, "warmup": args.warmup, "threads": args.threads}
    if args.compiled:
        print(json.dumps(run(args.compiled == "yes", options)))
        return
    results = {}
    for compiled in ("no", "yes"):
        command = [sys.executable, __file__, "--compiled", compiled, "--shape", args.shape, "--steps", str(args.steps)]
        command += ["--warmup", str(args.warmup), "--threads", str(args.threads)]
        done = subprocess.run(command, capture_output=True, text=True, env=os.environ.copy())
        if done.returncode != 0:
            raise SystemExit(f"torch_compile={compiled} failed:\n{done.stderr[-3000:]}")
        results[compiled] = json.loads(done.stdout.strip().splitlines()[-1])
        r = results[compiled]
        print(
            f"torch_compile={compiled:3s} {r['seconds_per_step']:6.3f} s/step {r['tokens_per_s']:7.0f} tok/s "
            f"(warm-up of {args.warmup} steps {r['warmup_s']:.1f} s)  load {os.getloadavg()[0]:.1f}",
            flush=True,
        )
    ratio = results["yes"]["tokens_per_s"] / results["no"]["tokens_per_s"]
    print(f"compiled vs eager: x{ratio:.2f} tokens/s ({args.shape} shape, {args.threads} threads)")


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    main()
