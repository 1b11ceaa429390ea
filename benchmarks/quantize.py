"""Quantized frozen base: memory saved and loss difference vs float32 over the same LoRA steps.

The embedded MiniLM (6 layers, hidden 384; the adapterkit base available offline) with
adapterkit's LoRA defaults (rank 16 on every encoder linear layer, the new MLM head transform
trained) is trained for ``--steps`` steps on the same batches (``--batch`` blocks of 128
packed tokens from the Dutch clinical stand-in corpus, masks from ``MLMCollator``: identical
in every run) with AdamW (lr 3e-4), three times: float32 base, ``--quantize 8bit`` and
``--quantize 4bit``, each in a fresh subprocess (peak resident memory is that process's). Also
full training with ``--optim adamw`` vs ``adamw8bit`` (AdamW's two moments in 8 bits).

Reported: the bytes of the model's weights (parameters and buffers as stored: int8 / packed
4-bit for the quantized linear layers), the optimizer state bytes, peak RSS, seconds per step,
and the MLM loss per step: the mean and final absolute difference from the float32 run.
bitsandbytes is built for GPUs; on CPU its kernels are slower than float32 (the time column
says how much), so the memory and loss columns are the point here. Usage:

    python benchmarks/quantize.py [--steps 20] [--batch 8] [--threads 2] [--record]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
HEADING = "## quantize.py"
VARIANTS = ("lora-fp32", "lora-8bit", "lora-4bit", "full-adamw", "full-adamw8bit")


def _bytes(tensors) -> int:
    return sum(t.numel() * t.element_size() for t in tensors)


def child(variant: str, steps: int, batch: int, threads: int) -> dict:
    import torch

    torch.set_num_threads(threads)
    import datasets

    datasets.disable_progress_bars()
    from adapterkit.corpus import prepare
    from adapterkit.jobs.pretrain import PretrainConfig, _wrap_adapter
    from adapterkit.mlm import MLMCollator
    from adapterkit.models import load_masked_lm, load_tokenizer, resolve_base
    from adapterkit.paths import STANDIN_CORPORA_DIR

    base = resolve_base("minilm")
    tokenizer = load_tokenizer(base)
    splits, _ = prepare([STANDIN_CORPORA_DIR / "nl-clin.txt"], tokenizer, 128, "packed", 0.05, 42)
    blocks = splits["train"].remove_columns("length")
    collator = MLMCollator(tokenizer, 0.15, seed=42)
    batches = [collator([blocks[i] for i in range(s * batch, (s + 1) * batch)]) for s in range(steps)]

    torch.manual_seed(0)  # the new MLM head starts the same in every run
    mode = variant.split("-")[1]
    model, head_is_new = load_masked_lm(base, quantize=mode if mode in ("8bit", "4bit") else None)
    if variant.startswith("lora"):
        torch.manual_seed(1)  # the same LoRA initialisation in every run
        model, _ = _wrap_adapter(model, PretrainConfig(corpus=[], name="b", base="minilm"), head_is_new)
        lr = 3e-4
    else:
        lr = 5e-5
    trainable = [p for p in model.parameters() if p.requires_grad]
    if variant == "full-adamw8bit":
        import bitsandbytes as bnb

        optimizer = bnb.optim.AdamW8bit(trainable, lr=lr)
    else:
        optimizer = torch.optim.AdamW(trainable, lr=lr)
    model.train()
    losses, started = [], time.perf_counter()
    for step_batch in batches:
        loss = model(**step_batch).loss
        loss.backward()
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        losses.append(float(loss))
    seconds = (time.perf_counter() - started) / steps
    state = [v for s in optimizer.state.values() for v in s.values() if torch.is_tensor(v)]
    return {
        "weights_mb": _bytes([*model.parameters(), *model.buffers()]) / 1e6,
        "optimizer_mb": _bytes(state) / 1e6,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "seconds_per_step": seconds,
        "losses": losses,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--record", action="store_true", help="Add a row to benchmarks/RESULTS.md.")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.steps, args.batch, args.threads)))
        return
    results = {}
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1"}
    for variant in VARIANTS:
        command = [sys.executable, __file__, "--child", variant, "--steps", str(args.steps), "--batch", str(args.batch)]
        command += ["--threads", str(args.threads)]
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        if done.returncode:
            raise SystemExit(f"{variant} failed:\n{done.stderr[-3000:]}")
        results[variant] = json.loads(done.stdout.strip().splitlines()[-1])
    cells = {}
    for variant in VARIANTS:
        r = results[variant]
        reference = results["lora-fp32" if variant.startswith("lora") else "full-adamw"]
        gaps = [abs(a - b) for a, b in zip(r["losses"], reference["losses"], strict=True)]
        r["mean_gap"], r["final_gap"] = sum(gaps) / len(gaps), gaps[-1]
        cells[variant] = r
        print(
            f"{variant:15s} weights {r['weights_mb']:7.1f} MB (x{r['weights_mb'] / reference['weights_mb']:.2f}), "
            f"optimizer {r['optimizer_mb']:6.1f} MB, peak RSS {r['peak_mb']:6.0f} MB, "
            f"{r['seconds_per_step']:.2f} s/step, loss {r['losses'][0]:.3f} -> {r['losses'][-1]:.3f}, "
            f"|Δloss| vs fp32 mean {r['mean_gap']:.4f} final {r['final_gap']:.4f}"
        )
    if args.record:
        from benchmarks.results import record

        machine = f"{platform.machine()}, cpu, {args.threads} threads, load {os.getloadavg()[0]:.1f}"
        header = (
            "| date | machine | model | steps x batch | weights MB fp32 / 8bit / 4bit | "
            "peak RSS MB fp32 / 8bit / 4bit | "
            "mean / final abs Δloss 8bit | 4bit | s/step fp32 / 8bit / 4bit | full: optimizer MB adamw / 8bit | "
            "full 8bit mean / final abs Δloss |"
        )
        lora = [cells[v] for v in VARIANTS[:3]]
        full, full8 = cells["full-adamw"], cells["full-adamw8bit"]
        row = (
            f"| {time.strftime('%Y-%m-%d')} | {machine} | MiniLM-L6 (embedded), LoRA r16 | "
            f"{args.steps} x {args.batch}x128 | "
            + " / ".join(f"{c['weights_mb']:.1f}" for c in lora)
            + " | "
            + " / ".join(f"{c['peak_mb']:.0f}" for c in lora)
            + f" | {lora[1]['mean_gap']:.4f} / {lora[1]['final_gap']:.4f} | {lora[2]['mean_gap']:.4f} / "
            f"{lora[2]['final_gap']:.4f} | "
            + " / ".join(f"{c['seconds_per_step']:.2f}" for c in lora)
            + f" | {full['optimizer_mb']:.1f} / {full8['optimizer_mb']:.1f} | {full8['mean_gap']:.4f} / "
            f"{full8['final_gap']:.4f} |"
        )
        record(HEADING, header, row)
        print("recorded in benchmarks/RESULTS.md")


if __name__ == "__main__":
    main()
