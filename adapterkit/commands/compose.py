"""`adapterkit compose`: combine LoRA adapters of one base into one adapter or a merged model."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..invocation import summarise
from .common import quiet_libraries
from .options import ForceOption, RegistryOption, Strategy
from .outputs import writes


@writes(outputs=("output/",), inputs=("adapters", "on"), neither=("registry",))
def compose(
    adapters: Annotated[
        list[str],
        typer.Argument(
            metavar="ADAPTER...", help="Two or more adapters: registry names, adapter folders or hub:USER/NAME."
        ),
    ],
    how: Annotated[
        Strategy,
        typer.Option(
            help="stack (exact, default): all active, W + sum of w_i*dW_i; merge (exact): the same folded into "
            "the base, a plain model in models/NAME; svd, ties, dare: APPROXIMATIONS (rank-truncated sum; "
            "TIES / DARE on the dense updates, then SVD); learned: fit the weights on --on text, then stack."
        ),
    ] = "stack",
    weights: Annotated[str | None, typer.Option(help="One weight per adapter, e.g. 1.0,0.5 (default all 1.0).")] = None,
    name: Annotated[str | None, typer.Option(help="Name of the result (default: the parts joined by +).")] = None,
    rank: Annotated[int | None, typer.Option(help="Rank of svd/ties/dare results (default: sum of ranks).")] = None,
    density: Annotated[float, typer.Option(help="Fraction of entries ties/dare keep.")] = 0.5,
    seed: Annotated[int, typer.Option(help="Seed for dare's drop, and the split/masking of --on (as pretrain).")] = 42,
    on: Annotated[
        list[Path] | None, typer.Option(metavar="PATH", help="--how learned: target-language text to fit weights on.")
    ] = None,
    per_layer: Annotated[
        bool, typer.Option("--per-layer", help="--how learned: one weight per adapter and layer.")
    ] = False,
    steps: Annotated[int, typer.Option(help="--how learned: optimisation steps.")] = 100,
    lr: Annotated[float, typer.Option(help="--how learned: Adam learning rate of the weights.")] = 0.05,
    max_seq_len: Annotated[int, typer.Option(help="--how learned: tokens per block of the --on text.")] = 128,
    output: Annotated[
        Path | None, typer.Option(help="Destination folder instead of the registry / models/NAME.")
    ] = None,
    force: ForceOption = False,
    accept_weaker_privacy: Annotated[
        bool,
        typer.Option(
            "--accept-weaker-privacy",
            help="Compose a differentially private adapter with one trained without DP (no DP guarantee then).",
        ),
    ] = False,
    registry: RegistryOption = None,
) -> None:
    """Combine LoRA adapters trained on the same frozen base into one adapter (or a merged model).

    Refuses adapters of different bases (fingerprints), task adapters, unknown names and
    weights that do not match the adapters. The result records its parts and weights.
    """
    from ..compose import ComposeRequest, run_compose
    from ..manifest import MANIFEST, AdapterManifest

    quiet_libraries()
    request = ComposeRequest(
        adapters=adapters,
        how=how,
        weights=weights,
        name=name,
        rank=rank,
        density=density,
        seed=seed,
        on=on or [],
        per_layer=per_layer,
        steps=steps,
        lr=lr,
        max_seq_len=max_seq_len,
        registry=registry,
        output=output,
        force=force,
        accept_weaker_privacy=accept_weaker_privacy,
    )
    destination, written = run_compose(request)
    manifest = AdapterManifest.of(written, destination / MANIFEST)
    composition = manifest.composition
    assert composition is not None and composition.parts is not None  # run_compose records both
    parts = ", ".join(f"{part.name} x{part.weight:.3g}" for part in composition.parts)
    kind = "exact" if composition.exact else composition.approximation or "learned"
    print(f"saved {manifest.kind} {destination} = {parts} ({how}: {kind})")
    summarise(f"{manifest.kind} of {len(composition.parts)} adapters ({how}: {kind})", destination)
