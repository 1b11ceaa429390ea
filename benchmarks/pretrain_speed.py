"""Pre-training step speed and peak memory at the mBERT shape, measured side by side.

Variants, all on the same batches (8 x 128 tokens, 15 % of them masked) of a randomly
initialised BERT with mBERT's configuration (12 layers, hidden 768, 119,547-piece vocabulary):

- full-standard: all weights trained, the standard BertForMaskedLM head over every position;
- full-masked:   all weights trained, adapterkit's masked-only loss;
- lora-standard: adapterkit's default LoRA on the frozen base, standard head;
- lora-masked:   adapterkit's default LoRA, masked-only loss (what `adapterkit pretrain` runs);
- lora-masked-gc: the same with activation checkpointing (``--gradient-checkpointing``).

The LoRA model is made by adapterkit's own ``pretrain._wrap_adapter`` (rank 16, alpha 32, dropout
0.05 on every linear layer of every encoder block; the base, its embeddings and the tied
119,547 x 768 decoder frozen: the script checks that only LoRA weights require gradients).
Each variant runs in its own process so that its peak resident memory (or peak CUDA memory)
is its own. A step is forward + backward + AdamW update. Each variant also times a forward
alone (no gradients): step / forward says what bounds LoRA. Its backward skips the weight
gradients and the optimizer update of the frozen base, but still computes the activation
gradients through every frozen layer (about one forward's cost) to reach the adapters in the
lower layers, so a LoRA step costs at least ~2 forwards where a full step costs ~3 forwards plus
an AdamW update of 178M parameters: LoRA can be at most ~1.5x faster per step than full from
the backward alone, and the rest comes from the optimizer and the masked-only head. Targets
(issue 7): LoRA >= 2x full, >= 2.5x the canonical full step, at <= 0.5x its peak memory.
Usage:

    python benchmarks/pretrain_speed.py [--steps 3] [--threads 2] [--record]
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
import time

VARIANTS = ("full-standard", "full-masked", "lora-standard", "lora-masked", "lora-masked-gc")
MBERT = dict(vocab_size=119547, hidden_size=768, num_hidden_layers=12, num_attention_heads=12, intermediate_size=3072)


def run_variant(variant: str, steps: int, batch: int, length: int, threads: int) -> dict:
    import torch
    from transformers import BertConfig, BertForMaskedLM

    from adapterkit.jobs.pretrain import PretrainConfig, _wrap_adapter
    from adapterkit.mlm import masked_only_class

    torch.set_num_threads(threads)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    mode, head, *extra = variant.split("-")
    torch.manual_seed(0)
    model_class = masked_only_class(BertForMaskedLM) if head == "masked" else BertForMaskedLM
    model = model_class(BertConfig(**MBERT))
    if mode == "lora":
        model, _ = _wrap_adapter(model, PretrainConfig(corpus=[], name="bench"), head_is_new=False)
        frozen_but_trainable = [n for n, p in model.named_parameters() if p.requires_grad and "lora_" not in n]
        if frozen_but_trainable:
            raise SystemExit(f"LoRA trains base weights: {frozen_but_trainable[:3]}")
    if "gc" in extra:
        model.activation_checkpointing_enable()
    model.to(device).train()
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-4)

    generator = torch.Generator().manual_seed(1)
    batches = []
    for _ in range(steps + 1):
        ids = torch.randint(1000, MBERT["vocab_size"], (batch, length), generator=generator)
        chosen = torch.rand(batch, length, generator=generator) < 0.15
        labels = torch.where(chosen, ids, torch.full_like(ids, -100))
        inputs = torch.where(chosen, torch.full_like(ids, 103), ids)
        batches.append({"input_ids": inputs.to(device), "labels": labels.to(device)})

    def step(inputs: dict) -> float:
        loss = model(**inputs).loss
        loss.backward()
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        return float(loss)

    step(batches[0])  # warm-up: allocator, optimizer state
    with torch.no_grad():
        model(**batches[0])  # warm-up of the forward alone
        if device == "cuda":
            torch.cuda.synchronize()
        started = time.perf_counter()
        for inputs in batches[1:]:
            model(**inputs)
        if device == "cuda":
            torch.cuda.synchronize()
        forward_seconds = (time.perf_counter() - started) / steps
    if device == "cuda":
        torch.cuda.synchronize()
    started = time.perf_counter()
    losses = [step(inputs) for inputs in batches[1:]]
    if device == "cuda":
        torch.cuda.synchronize()
    seconds = (time.perf_counter() - started) / steps
    if device == "cuda":
        peak_mb = torch.cuda.max_memory_allocated() / 2**20
    else:
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB
    return {
        "variant": variant,
        "device": device,
        "seconds_per_step": seconds,
        "forward_seconds": forward_seconds,
        "tokens_per_s": batch * length / seconds,
        "peak_mb": peak_mb,
        "first_loss": losses[0],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=3)
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--length", type=int, default=128)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--record", action="store_true", help="append a row to benchmarks/RESULTS.md")
    parser.add_argument("--variant", choices=VARIANTS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.variant:
        print(json.dumps(run_variant(args.variant, args.steps, args.batch, args.length, args.threads)))
        return

    results = {}
    loads = []
    for variant in VARIANTS:
        command = [sys.executable, __file__, "--variant", variant, "--steps", str(args.steps)]
        command += ["--batch", str(args.batch), "--length", str(args.length), "--threads", str(args.threads)]
        output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
        loads.append(os.getloadavg()[0])
        results[variant] = json.loads(output.strip().splitlines()[-1])
        r = results[variant]
        print(
            f"{variant:15s} {r['seconds_per_step']:7.2f} s/step {r['tokens_per_s']:9.0f} tok/s "
            f"peak {r['peak_mb']:8.0f} MB  step = {r['seconds_per_step'] / r['forward_seconds']:4.2f} forwards "
            f"({r['device']}, load {loads[-1]:.1f})",
            flush=True,
        )

    def speed(a: str, b: str) -> float:
        return results[a]["tokens_per_s"] / results[b]["tokens_per_s"]

    def memory(a: str, b: str) -> float:
        return results[a]["peak_mb"] / results[b]["peak_mb"]

    ratios = {
        "masked-only vs standard head (full)": (
            speed("full-masked", "full-standard"),
            memory("full-masked", "full-standard"),
        ),
        "masked-only vs standard head (LoRA)": (
            speed("lora-masked", "lora-standard"),
            memory("lora-masked", "lora-standard"),
        ),
        "LoRA vs full (both masked-only)": (speed("lora-masked", "full-masked"), memory("lora-masked", "full-masked")),
        "adapterkit LoRA vs standard full": (
            speed("lora-masked", "full-standard"),
            memory("lora-masked", "full-standard"),
        ),
        "LoRA + checkpointing vs standard full": (
            speed("lora-masked-gc", "full-standard"),
            memory("lora-masked-gc", "full-standard"),
        ),
    }
    print()
    for label, (faster, mem) in ratios.items():
        print(f"{label:38s} speed x{faster:5.2f}   peak memory x{mem:5.2f}")
    print("\ntargets (issue 7):")
    checks = [
        ("LoRA >= 2x adapterkit full", speed("lora-masked", "full-masked"), 2.0, True),
        ("LoRA >= 2.5x canonical full", speed("lora-masked", "full-standard"), 2.5, True),
        ("LoRA peak memory <= 0.5x canonical full", memory("lora-masked", "full-standard"), 0.5, False),
        ("  with --gradient-checkpointing", memory("lora-masked-gc", "full-standard"), 0.5, False),
    ]
    for label, value, target, higher in checks:
        met = value >= target if higher else value <= target
        print(f"  {label:42s} x{value:5.2f}  {'met' if met else 'NOT met'}")
    lora, full = results["lora-masked"], results["full-masked"]
    print(
        f"bound: a LoRA step costs {lora['seconds_per_step'] / lora['forward_seconds']:.2f} forwards, a full step "
        f"{full['seconds_per_step'] / full['forward_seconds']:.2f}; the forward and the activation gradients "
        "through the frozen base (~1 forward) remain, so LoRA's step cannot fall below ~2 forwards"
    )
    load = statistics.mean(loads)
    print(f"mean 1-minute load average {load:.2f} ({args.threads} threads here; more: other work shared the cores)")
    if args.record:
        from results import record

        machine = f"{platform.machine()}, {results['full-standard']['device']}, {args.threads} threads"
        cells = " | ".join(f"x{faster:.2f} / mem x{mem:.2f}" for faster, mem in ratios.values())
        header = f"| date | machine | shape | {' | '.join(ratios)} | LoRA step in forwards | load |"
        record(
            "## pretrain_speed.py",
            header,
            f"| {time.strftime('%Y-%m-%d')} | {machine} | {args.batch}x{args.length} | {cells} | "
            f"{lora['seconds_per_step'] / lora['forward_seconds']:.2f} | {load:.1f} |",
        )


if __name__ == "__main__":
    main()
