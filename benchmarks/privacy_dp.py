"""Differential privacy's cost and effect on one stand-in corpus: ε = ∞ (plain LoRA), 8 and 3.

Trains three LoRA adapters on the same corpus, seed and steps (``--block-mode line``, so the DP
unit is a line): without DP (the transformers Trainer), and with ``--dp-epsilon 8`` and ``3``
(Opacus, ``adapterkit.privacy.dp``); then audits each (membership AUC with its interval, canary
exposure; ``--canaries`` planted in all three). Prints one markdown table: held-out perplexity
(base → adapter), AUC [interval], highest canary exposure, seconds per optimiser step and its
ratio to the non-DP run, and the ε spent. Usage (the figures in benchmarks/RESULTS.md):

    python benchmarks/privacy_dp.py [--base minilm] [--corpus PATH] [--lines 600] [--steps 150]
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

from adapterkit.paths import STANDIN_CORPORA_DIR
from adapterkit.pretrain import PretrainConfig, run_pretrain
from adapterkit.privacy.audit import AuditRequest, run_audit


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="minilm")
    parser.add_argument("--corpus", type=Path, default=STANDIN_CORPORA_DIR / "nl-clin.txt")
    parser.add_argument("--lines", type=int, default=600, help="first lines of the corpus used")
    parser.add_argument("--steps", type=int, default=150)
    parser.add_argument("--epsilons", type=float, nargs="+", default=[8.0, 3.0])
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        corpus = root / "corpus.txt"
        lines = args.corpus.read_text(encoding="utf-8").splitlines()[: args.lines]
        corpus.write_text("\n".join(lines) + "\n", encoding="utf-8")
        for epsilon in [None, *args.epsilons]:
            name = "eps-inf" if epsilon is None else f"eps-{epsilon:g}"
            config = PretrainConfig(
                corpus=[corpus], name=name, base=args.base, max_steps=args.steps, batch_size=8, grad_accum=1,
                max_seq_len=64, block_mode="line", heldout=0.2, language=["nl"], canaries=4, canary_repeats=5,
                registry=root / "adapters", work_dir=root / "runs" / name, save_steps=10**6, dp_epsilon=epsilon,
            )  # fmt: skip
            manifest = run_pretrain(config).manifest
            audit = run_audit(AuditRequest(name, registry=root / "adapters", lines=500)).audit
            m, c = audit["membership"], audit["canaries"]
            seconds = manifest["training"]["runtime_s"] / manifest["hyperparameters"]["steps"]
            dp = manifest["privacy"].get("dp")
            rows.append(
                {
                    "epsilon": "∞" if epsilon is None else f"{epsilon:g}",
                    "spent": f"{dp['epsilon']:.2f}" if dp else "—",
                    "ppl": f"{manifest['perplexity']['before']:,.1f} → {manifest['perplexity']['after']:,.1f}",
                    "auc": f"{m['auc']:.3f} [{m['auc_low']:.3f}, {m['auc_high']:.3f}] "
                    f"({m['train_lines']}+{m['heldout_lines']})",
                    "exposure": f"{c['max_exposure']:.1f} / {c['max_possible']:.1f}",
                    "s_per_step": seconds,
                }
            )
            print(json.dumps(rows[-1], ensure_ascii=False), flush=True)
    plain = rows[0]["s_per_step"]
    print(
        "| target ε | ε spent | held-out perplexity | membership AUC [95 %] (lines) | max canary exposure (bits) "
        "| s/step | × non-DP |"
    )
    print("|---|---:|---|---|---:|---:|---:|")
    for row in rows:
        print(
            f"| {row['epsilon']} | {row['spent']} | {row['ppl']} | {row['auc']} | {row['exposure']} | "
            f"{row['s_per_step']:.3f} | {row['s_per_step'] / plain:.2f} |"
        )


if __name__ == "__main__":
    main()
