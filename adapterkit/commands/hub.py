"""`adapterkit push` and `adapterkit pull`: share adapters on the Hugging Face Hub, without local paths."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..invocation import summarise
from .options import RegistryOption, renamed
from .outputs import writes


@renamed(out="output")
@writes(outputs=("output/",), inputs=("name", "runs"), neither=("registry",))
def push(
    name: Annotated[str, typer.Argument(help="Registry adapter to share.")],
    repo: Annotated[str, typer.Option("--repo", metavar="USER/NAME", help="Hub repository (created if missing).")],
    private: Annotated[
        bool,
        typer.Option(
            "--private/--public",
            help="Create the repository private (default) or public; an existing one keeps its visibility. A "
            "clinical adapter, or one trained on a --private-corpus, goes public only with a recorded audit "
            "(adapterkit audit) and --public.",
        ),
    ] = True,
    output: Annotated[
        Path | None, typer.Option(help="Write the folder that would be uploaded to this new folder; upload nothing.")
    ] = None,
    license: Annotated[
        str | None, typer.Option("--license", help="Licence id for the card, e.g. apache-2.0 (default: unknown).")
    ] = None,
    dataset: Annotated[
        list[str] | None,
        typer.Option("--dataset", metavar="ID", help="Hub dataset id trained on, for the card; repeat for several."),
    ] = None,
    runs: Annotated[Path, typer.Option(help="Folder of recorded runs whose cv metrics go on the card.")] = Path("runs"),
    card_paths: Annotated[
        bool,
        typer.Option(
            "--card-paths",
            help="Name corpus and data files by their path relative to this folder (default: file name and "
            "sha256 only; no folder of this machine is ever shared).",
        ),
    ] = False,
    registry: RegistryOption = None,
) -> None:
    """Upload an adapter to the Hugging Face Hub: PEFT files, manifest and a complete model card.

    The token comes from HF_TOKEN or `hf auth login`. The card's metadata (library_name peft,
    base_model, language, tags, datasets, license) and figures come from the manifest and from
    cv runs under --runs that used the adapter. Corpus and data files are named by file name and
    sha256 (--card-paths: relative path); no absolute path of this machine is uploaded.
    """
    from ..hub import PushRequest
    from ..hub import push as push_adapter

    request = PushRequest(name, repo, private, registry, output, runs, license, dataset or [], card_paths)
    where = push_adapter(request)
    print(f"written to {where}, nothing uploaded" if output is not None else f"pushed {name} to {where}")
    summarise(f"{name} shared without local paths", where)


@writes(outputs=(), inputs=(), neither=("registry",))
def pull(
    repo: Annotated[str, typer.Argument(metavar="USER/NAME", help="Hub repository of a PEFT adapter.")],
    as_name: Annotated[
        str | None, typer.Option("--as", help="Registry name (default: user--name, plus --revision if given).")
    ] = None,
    revision: Annotated[str | None, typer.Option(help="Branch, tag or commit (default: main).")] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace an adapter of that name, and accept a base that does not match.")
    ] = False,
    registry: RegistryOption = None,
) -> None:
    """Download an adapter from the Hub into the registry, after checking it.

    Refuses files other than safetensors/JSON/Markdown (never pickles), names that are not plain
    relative names, any file whose sha256 is not the one the shared adapterkit.json records (all
    files but adapterkit.json and README.md must be listed; not even --force accepts one), a
    PEFT config naming another base than the manifest, and a local base with another fingerprint
    unless --force. A plain PEFT LoRA gets a manifest naming its source.
    `hub:USER/NAME` works as an adapter name in compose, eval-mlm, finetune and cv (pulled once).
    """
    from ..errors import printable
    from ..hub import pull as pull_adapter

    result = pull_adapter(repo, registry, as_name, revision, force)
    for note in result.notes:
        print(f"note: {printable(note)}")
    print(printable(f"pulled {repo} ({result.commit[:12]}) into {result.path}"))
    summarise(f"{repo} at {result.commit[:12]}, checked", result.path)
