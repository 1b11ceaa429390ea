"""`adapterkit audit`: measure how much an adapter memorised of its training lines, and record it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..invocation import summarise
from .common import quiet_libraries
from .options import RegistryOption
from .outputs import writes


@writes(outputs=(), inputs=("corpus",), neither=("registry",))  # the audit is written into the adapter's manifest
def audit(
    name: Annotated[str, typer.Argument(help="Registry adapter (LoRA or composed), or a model folder (--full).")],
    corpus: Annotated[
        list[Path] | None,
        typer.Option(
            "--corpus",
            metavar="PATH",
            help="The training corpus files, in their order, if they moved since training (checked by sha256).",
        ),
    ] = None,
    lines: Annotated[
        int, typer.Option(help="Held-out lines to use at most, and as many training lines (a seeded sample).")
    ] = 500,
    masks: Annotated[int, typer.Option(help="Fixed mask draws per line (more: less noisy losses).")] = 4,
    candidates: Annotated[
        int,
        typer.Option(help="Random patient numbers each canary's own is ranked among, in its sentence (≥ 10,000)."),
    ] = 10_000,
    seed: Annotated[
        int, typer.Option(help="Seed of the line sample, the masks, the candidates and the bootstrap.")
    ] = 0,
    batch_size: Annotated[int, typer.Option(help="Lines per forward pass.")] = 32,
    record: Annotated[
        bool,
        typer.Option("--record/--no-record", help="Write the audit into the manifest and the card (push reads it)."),
    ] = True,
    registry: RegistryOption = None,
) -> None:
    """Memorisation audit: membership inference on training vs held-out lines, and canary exposure.

    Scores a sample of the lines the adapter was trained on and the held-out lines pretrain kept
    aside by their masked-LM loss under the adapter minus that under the frozen base (the same
    fixed masked positions), and reports the ROC AUC with a 95 % bootstrap interval and the
    true-positive rate at 1 % and 0.1 % false positives (AUC 0.5: the attack does no better than
    chance). With canaries planted by `pretrain --canaries`, ranks each canary's patient number
    among --candidates random numbers in the same sentence (exposure in bits). The training files
    must be here (paths recorded in the manifest, or --corpus). Records the result in the
    manifest and on the card; prints no line of the corpus.
    """
    from ..privacy.audit import AuditRequest, run_audit

    quiet_libraries()
    request = AuditRequest(name, registry, corpus or None, lines, masks, candidates, seed, record, batch_size)
    result = run_audit(request)
    membership = result.audit["membership"]
    print(
        f"membership inference: AUC {membership['auc']:.3f} "
        f"(95 % interval {membership['auc_low']:.3f}-{membership['auc_high']:.3f}), "
        f"TPR {100 * membership['tpr_at_1pct_fpr']:.1f} % at 1 % FPR, "
        f"{100 * membership['tpr_at_0.1pct_fpr']:.1f} % at 0.1 % FPR; "
        f"{membership['train_lines']} training and {membership['heldout_lines']} held-out lines"
    )
    canaries = result.audit.get("canaries")
    if canaries:
        print(
            f"canaries: {canaries['count']} ranked among {canaries['candidates']:,} candidates: exposure mean "
            f"{canaries['mean_exposure']:.1f}, highest {canaries['max_exposure']:.1f} "
            f"of {canaries['max_possible']:.1f} bits"
        )
    where = "recorded in the manifest and card" if record else "not recorded (--no-record)"
    print(f"audit of {name}: {where}")
    summarise(f"membership AUC {membership['auc']:.3f}", result.folder)
