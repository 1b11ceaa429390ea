"""Inference latency of composed LoRA adapters at the mBERT shape, measured side by side.

Variants, all on the same batches (8 x 128 tokens) of one randomly initialised, seeded
BertForMaskedLM with mBERT's configuration (12 layers, hidden 768, 119,547-piece vocabulary),
in eval mode under ``torch.no_grad()``:

- base:          the plain model;
- merged:        a composition of 2 adapters folded into the weights (``compose --how merge``);
                 a plain transformers model, so it should cost what base costs;
- stack-2/4:     the exact composed stack of 2 / 4 adapters (``compose --how stack``: one LoRA
                 adapter of rank sum r_i) loaded with ``PeftModel.from_pretrained``, unmerged;
- peft-active-2/4: the same 2 / 4 adapters loaded into PEFT as separate named adapters, all
                 active at once (``set_adapter([...])``, PEFT's own multi-adapter path), unmerged.

The adapters use adapterkit's LoRA defaults (rank 16, alpha 32, every linear layer of every
encoder block) with random non-zero B factors. Before timing, merged, stack-2 and
peft-active-2 are checked to give the same logits (the benchmark compares equal models).
After warm-up, the variants are interleaved within every repetition (in a rotating order) to
cancel drift; the table gives the median seconds per batch, tokens/s, the median of the
per-repetition ratios to base, and for the unmerged stacks the overhead per adapter,
(ratio - 1) / adapters. Other work on the machine only adds time, and distorts the ratios (the
many small LoRA matmuls suffer most when a thread is descheduled): a repetition in which any
forward took more than 1.3 x its variant's fastest is dropped as busy (``--keep-busy`` keeps
them), and the count kept is printed and recorded with their mean 1-minute load average. With
fewer than 3 quiet repetitions (all are then kept), or a load above ``--threads`` + 1 (other
work throughout), a warning is printed and ``--record`` records nothing (unless
``--keep-busy``). All variants live in one process (about 0.7 GB per model copy). Usage:

    python benchmarks/compose_latency.py [--reps 15] [--threads 2] [--keep-busy] [--record]
"""

from __future__ import annotations

import argparse
import copy
import gc
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path

from results import record

VARIANTS = ("base", "merged", "stack-2", "stack-4", "peft-active-2", "peft-active-4")
ADAPTERS = {"merged": 2, "stack-2": 2, "stack-4": 4, "peft-active-2": 2, "peft-active-4": 4}
MBERT = dict(vocab_size=119547, hidden_size=768, num_hidden_layers=12, num_attention_heads=12, intermediate_size=3072)
HEADING = "## compose_latency.py"
TOLERANCE = 1e-3  # max |Δ logit| between the equal models
MERGED_TARGET = 0.02  # merged must cost what base costs, within 2 %
BUSY_SPREAD = 1.3  # a forward above this x its variant's fastest: the machine was busy in that repetition
MIN_CLEAN = 3  # fewer quiet repetitions than this: keep them all, and warn
BUSY_LOAD = 1.0  # mean load average over the kept repetitions above --threads + this: the machine was busy


def build_models(folder: Path, device: str, seed: int) -> dict:
    """Every variant's model, in eval mode on ``device``; the base and the adapters seeded."""
    import torch
    from peft import PeftModel, get_peft_model
    from transformers import BertConfig, BertForMaskedLM

    from adapterkit.compose import write_adapter
    from adapterkit.factors import Factors, compose_factors, extract_factors, merge_into
    from adapterkit.methods import METHODS, AdapterSettings

    torch.manual_seed(seed)
    base = BertForMaskedLM(BertConfig(**MBERT)).eval()
    lora = METHODS["lora"]
    config = lora.build(AdapterSettings(layers=list(lora.layers), r=16, alpha=32, dropout=0.05))
    paths = []
    for index in range(4):
        torch.manual_seed(seed + 1 + index)  # lora_A's initialisation, then lora_B
        adapter = get_peft_model(copy.deepcopy(base), config)
        with torch.no_grad():
            for name, parameter in adapter.named_parameters():
                if "lora_B" in name:
                    parameter.normal_(0.0, 0.02)  # PEFT starts B at zero: make the update non-zero
        paths.append(folder / f"adapter-{index}")
        adapter.save_pretrained(str(paths[-1]))
        del adapter
        gc.collect()

    def with_parts(count: int) -> PeftModel:
        """The base with the first ``count`` adapters as named adapters p0, p1, … (as load_parts does)."""
        model = PeftModel.from_pretrained(copy.deepcopy(base), str(paths[0]), adapter_name="p0")
        for index in range(1, count):
            model.load_adapter(str(paths[index]), adapter_name=f"p{index}")
        model.base_model.set_adapter([f"p{index}" for index in range(count)], inference_mode=True)
        return model.eval()

    models = {"base": base}
    models["peft-active-4"] = with_parts(4)
    factors = extract_factors(models["peft-active-4"])
    models["peft-active-2"] = with_parts(2)
    for count in (2, 4):
        subset = Factors(lora={name: [e for e in entries if e[0] < count] for name, entries in factors.lora.items()})
        composed, heads = compose_factors(subset, [1.0] * count, how="stack")
        if count == 2:
            models["merged"] = merge_into(copy.deepcopy(base), composed, heads).eval()
        stack = folder / f"stack-{count}"
        write_adapter(stack, composed, heads, "mbert-shape-random")
        models[f"stack-{count}"] = PeftModel.from_pretrained(copy.deepcopy(base), str(stack)).eval()
    del factors
    gc.collect()
    return {variant: models[variant].to(device) for variant in VARIANTS}


def check_equal(models: dict, inputs: dict) -> dict[str, float]:
    """Max |Δ logit| of stack-2 and peft-active-2 against merged (and merged against base, for scale)."""
    import torch

    with torch.no_grad():
        reference = models["merged"](**inputs).logits
        differences = {}
        for variant in ("stack-2", "peft-active-2", "base"):
            differences[variant] = float((models[variant](**inputs).logits - reference).abs().max())
    del reference
    gc.collect()
    return differences


def measure(models: dict, batches: list[dict], reps: int, warmup: int, device: str) -> tuple[dict, float]:
    """Seconds per forward of every variant, interleaved (one forward of each per repetition); the load after each."""
    import torch

    def forward(model, inputs: dict) -> float:
        if device == "cuda":
            torch.cuda.synchronize()
        started = time.perf_counter()
        model(**inputs)
        if device == "cuda":
            torch.cuda.synchronize()
        return time.perf_counter() - started

    times: dict[str, list[float]] = {variant: [] for variant in VARIANTS}
    loads = []
    with torch.no_grad():
        for rep in range(warmup):
            for variant in VARIANTS:
                forward(models[variant], batches[rep % len(batches)])
        for rep in range(reps):
            shift = rep % len(VARIANTS)
            for variant in VARIANTS[shift:] + VARIANTS[:shift]:  # rotate the order: no variant always first
                times[variant].append(forward(models[variant], batches[rep % len(batches)]))
            loads.append(os.getloadavg()[0])
            print(
                f"  rep {rep + 1}/{reps}: "
                + " ".join(f"{v} {times[v][-1]:.3f}" for v in VARIANTS)
                + f" load {loads[-1]:.1f}",
                flush=True,
            )
    return times, loads


def quiet_reps(times: dict[str, list[float]]) -> list[int]:
    """The repetitions in which every variant's forward took at most BUSY_SPREAD x that variant's fastest."""
    fastest = {variant: min(seconds) for variant, seconds in times.items()}
    count = len(times["base"])
    return [r for r in range(count) if all(times[v][r] <= BUSY_SPREAD * fastest[v] for v in times)]


def summarise(times: dict[str, list[float]], tokens: int, kept: list[int]) -> dict[str, dict]:
    """Medians and ratios to base over the repetitions ``kept``; min..max over all of them."""
    summary = {}
    for variant in VARIANTS:
        median = statistics.median(times[variant][r] for r in kept)
        ratio = statistics.median(times[variant][r] / times["base"][r] for r in kept)
        adapters = ADAPTERS.get(variant, 0)
        summary[variant] = {
            "seconds": median,
            "tokens_per_s": tokens / median,
            "ratio": ratio,
            "spread": (min(times[variant]), max(times[variant])),
            "per_adapter": (ratio - 1) / adapters if adapters and variant != "merged" else None,
        }
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reps", type=int, default=15, help="timed forwards per variant (interleaved)")
    parser.add_argument("--warmup", type=int, default=1, help="untimed forwards per variant first")
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--length", type=int, default=128)
    parser.add_argument("--batches", type=int, default=3, help="distinct batches, cycled over the repetitions")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--keep-busy", action="store_true", help="keep the repetitions slowed by other work")
    parser.add_argument("--record", action="store_true", help="append a row to benchmarks/RESULTS.md")
    args = parser.parse_args()

    import torch

    torch.set_num_threads(args.threads)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="compose-latency-") as folder:
        models = build_models(Path(folder), device, args.seed)
    print(f"built {len(models)} models in {time.perf_counter() - started:.0f} s ({device}, {args.threads} threads)")

    generator = torch.Generator().manual_seed(args.seed + 100)
    batches = []
    for _ in range(args.batches):
        ids = torch.randint(1000, MBERT["vocab_size"], (args.batch, args.length), generator=generator)
        batches.append({"input_ids": ids.to(device), "attention_mask": torch.ones_like(ids).to(device)})

    differences = check_equal(models, batches[0])
    worst = max(differences["stack-2"], differences["peft-active-2"])
    print(
        f"max |Δ logit| vs merged: stack-2 {differences['stack-2']:.2e}, peft-active-2 "
        f"{differences['peft-active-2']:.2e} ({'OK' if worst <= TOLERANCE else 'NOT EQUAL'}, tolerance {TOLERANCE:g}); "
        f"base {differences['base']:.2e} (the adapters' own effect)",
        flush=True,
    )
    if worst > TOLERANCE:
        raise SystemExit(f"the composed models differ by {worst:.2e} > {TOLERANCE:g}: the comparison would be unfair")

    times, loads = measure(models, batches, args.reps, args.warmup, device)
    tokens = args.batch * args.length
    kept = list(range(args.reps)) if args.keep_busy else quiet_reps(times)
    quiet = len(kept) >= MIN_CLEAN
    if not quiet:
        kept = list(range(args.reps))
    load = statistics.mean(loads[r] for r in kept)
    busy = not quiet or load > args.threads + BUSY_LOAD
    summary = summarise(times, tokens, kept)
    print(
        f"\n{args.batch}x{args.length} tokens, {len(kept)} of {args.reps} interleaved reps kept "
        f"({f'{args.reps - len(kept)} dropped as busy' if quiet else 'too few quiet'}), median seconds per batch:\n"
    )
    print(f"{'variant':15s} {'s/batch':>8s} {'min..max':>15s} {'tokens/s':>9s} {'vs base':>8s} {'per adapter':>12s}")
    for variant, s in summary.items():
        per_adapter = f"{s['per_adapter'] * 100:+11.1f}%" if s["per_adapter"] is not None else f"{'':>12s}"
        low, high = s["spread"]
        print(
            f"{variant:15s} {s['seconds']:8.3f} {low:7.3f}..{high:6.3f} {s['tokens_per_s']:9.0f} "
            f"{'x' + format(s['ratio'], '.3f'):>8s} {per_adapter}"
        )
    print(f"\nmean 1-minute load average over the reps kept {load:.2f} ({args.threads} threads here)")
    if not quiet:
        print(f"WARNING: fewer than {MIN_CLEAN} quiet repetitions, so all kept: the machine was busy")
    if busy:
        print(
            f"WARNING: other work shared the cores (load above {args.threads} + {BUSY_LOAD:g}): "
            "the ratios are unreliable"
        )
    merged_gap = summary["merged"]["ratio"] - 1
    within = abs(merged_gap) <= MERGED_TARGET
    print(
        f"merged vs base: {merged_gap * 100:+.1f}% ({'within' if within else 'OUTSIDE'} the "
        f"{MERGED_TARGET * 100:.0f}% target)"
    )

    if args.record and busy and not args.keep_busy:
        print("not recorded: the machine was busy (rerun on a quiet machine, or add --keep-busy to record anyway)")
    elif args.record:
        machine = f"{platform.machine()}, {device}, {args.threads} threads"
        cells = [f"x{summary['merged']['ratio']:.3f}"]
        for variant in VARIANTS[2:]:
            s = summary[variant]
            cells.append(f"x{s['ratio']:.3f} ({s['per_adapter'] * 100:+.1f}%/adapter)")
        header = (
            "| date | machine | shape | reps kept | base s/batch | merged | stack-2 | stack-4 | peft-active-2 | "
            "peft-active-4 | max Δlogit | load |"
        )
        row = (
            f"| {time.strftime('%Y-%m-%d')} | {machine} | {args.batch}x{args.length} | {len(kept)}/{args.reps} | "
            f"{summary['base']['seconds']:.3f} | {' | '.join(cells)} | {worst:.1e} | {load:.1f} |"
        )
        record(HEADING, header, row)
        print("recorded in benchmarks/RESULTS.md")


if __name__ == "__main__":
    main()
