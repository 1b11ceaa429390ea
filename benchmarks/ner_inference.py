"""NER inference throughput (words/s) of a task model on the base, on a merged composition and on
unmerged adapter stacks, through adapterkit's own prediction path, measured side by side.

The same sentences (the Spanish NER stand-in, ``es-ner.conll``), the same task head, the same
``adapterkit.tasks.inference.predict`` (whole-word windows, batches of 32, first-subword
labels back to words), in eval mode under ``torch.no_grad()``; a seeded, randomly initialised
BertForTokenClassification of mBERT's shape (``--shape small`` for quick checks) with the
embedded MiniLM tokenizer (mBERT's own is not available offline). Variants:

- base:        the task model on the plain base (``build_model`` of the ``base`` variant);
- merged:      two language/domain adapters folded into the weights, as ``finetune`` builds a
               task model on a composition ``a+b`` (``build_model`` of a variant with deltas);
               should cost what base costs;
- stack:       the same two adapters as one exact stacked LoRA (``compose --how stack``, rank
               r1 + r2), unmerged, loaded with ``PeftModel.from_pretrained``;
- task-adapter: MAD-X style (``finetune --mode adapter``): the two adapters merged, a task
               LoRA (rank 16) unmerged on top, as ``load_task_model`` returns it;
- base-unsorted: base, with the windows batched in input order (``predict(...,
               sort_by_length=False)``) instead of by length: what length-sorted batches pay.

The adapters use adapterkit's LoRA defaults (rank 16, alpha 32, every linear layer of every
encoder block) with random non-zero B factors; merged and stack are checked to give the same
logits before timing. The variants are interleaved within every repetition (rotating order);
the table gives the median seconds per pass over the sentences, words/s and the median ratio to
base. The 1-minute load average is printed and recorded (above ``--threads``: other work
shared the cores, and the ratios are less reliable). Usage:

    python benchmarks/ner_inference.py [--shape mbert|small] [--sentences 128] [--reps 3] [--record]
"""

from __future__ import annotations

import argparse
import copy
import gc
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

VARIANTS = ("base", "merged", "stack", "task-adapter", "base-unsorted")
SHAPES = {
    "mbert": dict(vocab_size=119547),  # BertConfig's defaults: 12 layers, hidden 768, 12 heads
    "small": dict(hidden_size=256, num_hidden_layers=4, num_attention_heads=4, intermediate_size=1024),
}
HEADING = "## ner_inference.py"
TOLERANCE = 1e-3  # max |Δ logit| between merged and stack
DATA = "es-ner.conll"


def build(folder: Path, shape: str, labels: list[str], seed: int) -> dict:
    """Every variant's task model, in eval mode, built with adapterkit's own functions."""
    import torch
    from peft import PeftModel, get_peft_model
    from transformers import AutoTokenizer, BertConfig, BertForMaskedLM

    from adapterkit.compose import compose_factors, extract_factors, write_adapter
    from adapterkit.methods import METHODS, AdapterSettings
    from adapterkit.models import materialise_embedded, resolve_base
    from adapterkit.tasks.model import add_task_adapter, build_model
    from adapterkit.variants import Variant

    tokenizer = AutoTokenizer.from_pretrained(materialise_embedded())
    torch.manual_seed(seed)
    base_folder = folder / "base"
    BertForMaskedLM(BertConfig(**{"vocab_size": len(tokenizer), **SHAPES[shape]})).save_pretrained(base_folder)
    tokenizer.save_pretrained(base_folder)
    base = resolve_base(str(base_folder))

    # Two language/domain adapters on the masked LM, as pretrain makes them, with non-zero updates.
    lora = METHODS["lora"]
    config = lora.build(AdapterSettings(layers=list(lora.layers), r=16, alpha=32, dropout=0.0))
    masked_lm = BertForMaskedLM.from_pretrained(base_folder)
    paths = []
    for index in range(2):
        torch.manual_seed(seed + 1 + index)
        adapter = get_peft_model(copy.deepcopy(masked_lm), config)
        with torch.no_grad():
            for name, parameter in adapter.named_parameters():
                if "lora_B" in name:
                    parameter.normal_(0.0, 0.02)
        paths.append(folder / f"adapter-{index}")
        adapter.save_pretrained(str(paths[-1]))
        del adapter
    parts = PeftModel.from_pretrained(copy.deepcopy(masked_lm), str(paths[0]), adapter_name="p0")
    parts.load_adapter(str(paths[1]), adapter_name="p1")
    composed, heads = compose_factors(extract_factors(parts), [1.0, 1.0], "stack")
    del parts, masked_lm
    gc.collect()

    torch.manual_seed(seed + 10)  # the same task head for every variant
    models = {"base": build_model(Variant("base", base), "ner", labels)}
    head = {k: v for k, v in models["base"].state_dict().items() if k.startswith("classifier.")}
    models["merged"] = build_model(Variant("a+b", base, composed, ["a", "b"]), "ner", labels)
    write_adapter(folder / "stack", composed, heads, str(base_folder))
    plain = build_model(Variant("base", base), "ner", labels)
    plain.load_state_dict(head, strict=False)
    models["stack"] = PeftModel.from_pretrained(plain, str(folder / "stack"))
    models["merged"].load_state_dict(head, strict=False)
    torch.manual_seed(seed + 20)
    task = add_task_adapter(copy.deepcopy(models["merged"]), "ner", 16, 32, 0.1)
    with torch.no_grad():
        for name, parameter in task.named_parameters():
            if "lora_B" in name:
                parameter.normal_(0.0, 0.02)
    models["task-adapter"] = task
    models["base-unsorted"] = models["base"]
    return {variant: models[variant].eval() for variant in VARIANTS}, tokenizer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shape", choices=SHAPES, default="mbert")
    parser.add_argument("--sentences", type=int, default=128, help="sentences per pass (0: all)")
    parser.add_argument("--reps", type=int, default=3, help="timed passes per variant (interleaved)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--record", action="store_true", help="add a row to benchmarks/RESULTS.md")
    args = parser.parse_args()

    import torch

    from adapterkit.paths import PACKAGE_DIR
    from adapterkit.quiet import quiet_libraries
    from adapterkit.readers.formats import read_task
    from adapterkit.tasks.inference import predict
    from adapterkit.tasks.settings import TrainSettings

    quiet_libraries()
    torch.set_num_threads(args.threads)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    data = read_task([PACKAGE_DIR / "data" / "tasks" / DATA])
    items = data.sentences[: args.sentences or None]
    words = sum(len(sentence.tokens) for sentence in items)
    with tempfile.TemporaryDirectory(prefix="ner-inference-") as folder:
        os.environ["ADAPTERKIT_CACHE"] = str(Path(folder) / "cache")
        models, tokenizer = build(Path(folder), args.shape, data.labels, args.seed)
    models = {variant: model.to(device) for variant, model in models.items()}
    settings = TrainSettings(max_seq_len=512)

    with torch.no_grad():
        batch = tokenizer([s.tokens for s in items[:8]], is_split_into_words=True, padding=True, return_tensors="pt")
        batch = {key: value.to(device) for key, value in batch.items()}
        reference = models["merged"](**batch).logits
        difference = float((models["stack"](**batch).logits - reference).abs().max())
    print(f"max |Δ logit| stack vs merged: {difference:.2e} (tolerance {TOLERANCE:g})", flush=True)
    if difference > TOLERANCE:
        raise SystemExit("stack and merged differ: the comparison would be unfair")

    def one_pass(variant: str) -> float:
        if device == "cuda":
            torch.cuda.synchronize()
        started = time.perf_counter()
        sort = variant != "base-unsorted"
        predict(models[variant], tokenizer, items, "ner", data.labels, settings, sort_by_length=sort)
        if device == "cuda":
            torch.cuda.synchronize()
        return time.perf_counter() - started

    for variant in VARIANTS:  # warm-up
        one_pass(variant)
    times: dict[str, list[float]] = {variant: [] for variant in VARIANTS}
    loads = []
    for rep in range(args.reps):
        shift = rep % len(VARIANTS)
        for variant in VARIANTS[shift:] + VARIANTS[:shift]:
            times[variant].append(one_pass(variant))
        loads.append(os.getloadavg()[0])
        print(f"  rep {rep + 1}/{args.reps}: " + " ".join(f"{v} {times[v][-1]:.2f} s" for v in VARIANTS), flush=True)
    load = statistics.mean(loads)
    print(f"\n{len(items)} sentences, {words} words, {args.shape} shape, {device}, {args.threads} threads")
    print(f"{'variant':13s} {'s/pass':>7s} {'words/s':>8s} {'vs base':>8s}")
    summary = {}
    for variant in VARIANTS:
        seconds = statistics.median(times[variant])
        ratio = statistics.median(t / b for t, b in zip(times[variant], times["base"], strict=True))
        summary[variant] = (words / seconds, ratio)
        print(f"{variant:13s} {seconds:7.2f} {words / seconds:8.0f} {'x' + format(ratio, '.3f'):>8s}")
    print(f"mean 1-minute load average {load:.2f} ({args.threads} threads here; more: other work shared the cores)")
    if args.record:
        from results import record

        machine = f"{platform.machine()}, {device}, {args.threads} threads"
        header = "| date | machine | shape | sentences (words) | reps | " + " | ".join(VARIANTS) + " | load |"
        cells = " | ".join(
            f"{summary[v][0]:.0f} words/s" + ("" if v == "base" else f" (time x{summary[v][1]:.3f})") for v in VARIANTS
        )
        row = (
            f"| {time.strftime('%Y-%m-%d')} | {machine} | {args.shape} | {len(items)} ({words}) | {args.reps} | "
            f"{cells} | {load:.1f} |"
        )
        record(HEADING, header, row)
        print("recorded in benchmarks/RESULTS.md")


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    main()
