"""Differential privacy's cost and effect on one stand-in corpus: ε = ∞ (plain LoRA), 8 and 3.

Trains three LoRA adapters on the same corpus, seed and steps (``--block-mode line``, so the DP
unit is a line): without DP (the transformers Trainer), and with ``--dp-epsilon 8`` and ``3``
(Opacus, ``adapterkit.privacy.dp``); then audits each (membership AUC with its interval, canary
exposure; ``--canaries`` planted in all three). Prints one markdown table: held-out perplexity
(base → adapter), AUC [interval], highest canary exposure, seconds per optimiser step and its
ratio to the non-DP run, and the ε spent. The ε each DP run recorded is checked against a fresh
Opacus RDP accountant given the recorded noise multiplier, sample rate, steps and δ (the run
stops if they differ). Usage (the figures in benchmarks/RESULTS.md):

    python benchmarks/privacy_dp.py [--base minilm] [--corpus PATH] [--lines 600] [--steps 150]
        [--audit-lines 500] [--threads 1] [--record]
"""

from __future__ import annotations

import argparse
import json
import platform
import tempfile
import time
from pathlib import Path

import torch
from results import record

from adapterkit.jobs.pretrain import PretrainConfig, run_pretrain
from adapterkit.paths import STANDIN_CORPORA_DIR
from adapterkit.privacy.audit import AuditRequest, run_audit
from adapterkit.privacy.dp import epsilon_of

HEADING = "## privacy_dp.py: DP-SGD's cost and effect (LoRA, ε = ∞, 8, 3)"
BATCH, MAX_LEN, HELDOUT, CANARIES, REPEATS = 8, 64, 0.2, 4, 5


def train_and_audit(root: Path, corpus: Path, epsilon: float | None, args: argparse.Namespace) -> dict:
    """One adapter at target ``epsilon`` (None: no DP), audited; its row of the table."""
    name = "eps-inf" if epsilon is None else f"eps-{epsilon:g}"
    config = PretrainConfig(
        corpus=[corpus], name=name, base=args.base, max_steps=args.steps, batch_size=BATCH, grad_accum=1,
        max_seq_len=MAX_LEN, block_mode="line", heldout=HELDOUT, language=["nl"], canaries=CANARIES,
        canary_repeats=REPEATS, registry=root / "adapters", work_dir=root / "runs" / name, save_steps=10**6,
        dp_epsilon=epsilon,
    )  # fmt: skip
    manifest = run_pretrain(config).manifest
    started = time.perf_counter()
    audit = run_audit(AuditRequest(name, registry=root / "adapters", lines=args.audit_lines)).audit
    audit_s = time.perf_counter() - started
    m, c = audit["membership"], audit["canaries"]
    dp = manifest["privacy"].get("dp")
    if dp is not None:  # the recorded ε against Opacus' accountant, recomputed from the recorded figures
        again = epsilon_of(dp["noise_multiplier"], dp["sample_rate"], dp["steps"], dp["delta"])
        if abs(again - dp["epsilon"]) > 1e-9 * max(1.0, again):
            raise SystemExit(f"{name}: recorded ε {dp['epsilon']} but Opacus' accountant gives {again}")
    perplexity = manifest["perplexity"]
    return {
        "epsilon": "∞" if epsilon is None else f"{epsilon:g}",
        "spent": f"{dp['epsilon']:.2f} (δ {dp['delta']:.1e}, σ {dp['noise_multiplier']:.3f}, q {dp['sample_rate']:.4f})"
        if dp
        else "—",
        "ppl": f"{perplexity['before']:,.1f} → {perplexity['after']:,.1f}",
        "auc": f"{m['auc']:.3f} [{m['auc_low']:.3f}, {m['auc_high']:.3f}]",
        "lines": f"{m['train_lines']}+{m['heldout_lines']}",
        "tpr": f"{m['tpr_at_1pct_fpr']:.2f}",
        "exposure": f"{c['max_exposure']:.1f} / {c['max_possible']:.1f}",
        "s_per_step": manifest["training"]["runtime_s"] / manifest["hyperparameters"]["steps"],
        "audit_s": audit_s,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="minilm")
    parser.add_argument("--corpus", type=Path, default=STANDIN_CORPORA_DIR / "nl-clin.txt")
    parser.add_argument("--lines", type=int, default=600, help="first lines of the corpus used")
    parser.add_argument("--steps", type=int, default=150)
    parser.add_argument("--audit-lines", type=int, default=500, help="audit --lines (training and held-out each)")
    parser.add_argument("--epsilons", type=float, nargs="+", default=[8.0, 3.0])
    parser.add_argument("--threads", type=int, default=1, help="torch threads")
    parser.add_argument("--record", action="store_true", help="add the rows to benchmarks/RESULTS.md")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        corpus = root / "corpus.txt"
        lines = args.corpus.read_text(encoding="utf-8").splitlines()[: args.lines]
        corpus.write_text("\n".join(lines) + "\n", encoding="utf-8")
        for epsilon in [None, *args.epsilons]:
            rows.append(train_and_audit(root, corpus, epsilon, args))
            print(json.dumps(rows[-1], ensure_ascii=False), flush=True)
    plain = rows[0]["s_per_step"]
    settings = (
        f"{args.base} LoRA (defaults), {args.corpus.name} first {args.lines} lines (held-out {HELDOUT}), line blocks "
        f"≤ {MAX_LEN} tokens, batch {BATCH}, {args.steps} steps, {CANARIES} canaries × {REPEATS}"
    )
    header = (
        "| date | machine | settings | target ε | ε spent (δ, noise σ, sample rate q) | held-out perplexity "
        "| membership AUC [95 %] | lines | TPR @1 % FPR | max canary exposure (bits) | s/step | × non-DP |"
    )
    print(f"\n{settings}\n{header}\n|{'---|' * (header.count('|') - 1)}")
    machine = f"{platform.machine()} CPU, {args.threads} thread{'s' * (args.threads > 1)}"
    for row in rows:
        line = (
            f"| {time.strftime('%Y-%m-%d')} | {machine} | {settings} | {row['epsilon']} | {row['spent']} "
            f"| {row['ppl']} | {row['auc']} | {row['lines']} | {row['tpr']} | {row['exposure']} "
            f"| {row['s_per_step']:.3f} | {row['s_per_step'] / plain:.2f} |"
        )
        print(line)
        if args.record:
            record(HEADING, header, line)
    if args.record:
        print("recorded in benchmarks/RESULTS.md")


if __name__ == "__main__":
    main()
