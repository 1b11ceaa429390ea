"""`adapterkit adapters list/show/verify/rm`: the registry of adapters, seen and kept by hand."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from ..errors import AdapterkitError
from .common import print_table
from .options import AdapterNameArgument, RegistryOption
from .outputs import writes


@writes(outputs=(), inputs=(), neither=("registry",))
def adapters_list(registry: RegistryOption = None) -> None:
    """Show the adapters in the registry as a table."""
    from rich.table import Table
    from rich.text import Text

    from ..errors import printable
    from ..manifest import Hyperparameters, Perplexity
    from ..methods import DEFAULT_METHOD
    from ..paths import registry_dir
    from ..registry import Registry
    from ..report.formatting import MISSING, number

    store = Registry(registry_dir(registry))
    table = Table(title=Text(printable(f"adapters in {store.root}")))
    columns = ("name", "kind", "method", "languages", "domain", "base", "rank", "steps", "ppl before", "ppl after")
    for column in columns:
        table.add_column(column, justify="right" if column.startswith(("ppl", "steps", "rank")) else "left")
    for name in store.names():
        manifest = store.adapter_manifest(name)
        hyper = manifest.hyperparameters or Hyperparameters()
        ppl = manifest.perplexity or Perplexity()
        rank, before, after = hyper.lora_r, ppl.before, ppl.after
        if manifest.composition is not None:  # a composition's rank is what it wrote; learned weights measured ppl
            rank = manifest.composition.rank or _written_ranks(store.path(name))
            learned = manifest.composition.learned
            if learned is not None:
                before, after = learned.perplexity_start, learned.perplexity_learned
        cells = [
            name,
            manifest.kind,
            hyper.mode or DEFAULT_METHOD,  # a manifest without one is LoRA (methods/)
            ",".join(manifest.languages or []),
            manifest.domain or "",
            manifest.base.id,
            MISSING if rank is None else rank if isinstance(rank, str) else f"{rank:,}",
            MISSING if hyper.steps is None else f"{hyper.steps:,}",
            number(before),
            number(after),
        ]
        # Text, not str: rich would read "[...]" in a (downloaded) manifest as markup.
        table.add_row(*(Text(printable(cell)) for cell in cells))
    print_table(table)


def _written_ranks(folder) -> str | None:
    """The ranks in a composed adapter's PEFT config: ``12``, or ``8–12`` where modules differ (a stack's
    rank per module is the sum of the ranks of the parts that adapt it)."""
    from ..manifest import read_adapter_config

    config_file = folder / "adapter_config.json"
    if not config_file.is_file():
        return None  # a merged model: no adapter, no rank
    try:
        config = read_adapter_config(config_file)
    except AdapterkitError:
        return None
    ranks = {config.r, *config.rank_pattern.values()}
    return f"{min(ranks):,}" if len(ranks) == 1 else f"{min(ranks):,}–{max(ranks):,}"


@writes(outputs=(), inputs=(), neither=("registry",))
def adapters_show(name: AdapterNameArgument, registry: RegistryOption = None) -> None:
    """Print an adapter's manifest (adapterkit.json) and its folder."""
    import json

    from ..errors import printable
    from ..paths import registry_dir
    from ..registry import Registry

    store = Registry(registry_dir(registry))
    manifest = store.manifest(name)
    print(printable(f"# {store.path(name)}"))
    for line in json.dumps(manifest, indent=2, ensure_ascii=False).splitlines():
        print(printable(line))  # JSON escapes C0 controls but not C1 ones, DEL or bidi overrides


@writes(outputs=(), inputs=(), neither=("registry",))
def adapters_verify(
    name: Annotated[str | None, typer.Argument(help="Adapter name (default: every adapter).")] = None,
    registry: RegistryOption = None,
) -> None:
    """Check the weight files against the sha256 recorded in each manifest; exit code 2 on a mismatch."""
    from ..errors import printable
    from ..paths import registry_dir
    from ..registry import HASHES, Registry

    store = Registry(registry_dir(registry))
    names = [name] if name is not None else store.names()
    failed = []
    for adapter in names:
        try:
            problems = store.verify(adapter)
            recorded = len(store.manifest(adapter).get(HASHES) or {})
        except AdapterkitError as error:  # a damaged manifest: report it and check the others
            if name is not None:
                raise
            problems, recorded = [str(error)], 0
        if problems:
            failed.append(adapter)
            print(f"{adapter}: MISMATCH")
            for problem in problems:
                print(f"  {printable(problem)}")
        elif recorded:
            print(f"{adapter}: ok ({recorded} weight file{'s' if recorded > 1 else ''})")
        else:
            print(f"{adapter}: ok (no sha256 recorded; headers checked only)")
    if failed:
        raise AdapterkitError(f"{len(failed)} of {len(names)} adapter(s) failed verification: {', '.join(failed)}")
    if not names:
        print(f"no adapters in {store.root}")


@writes(outputs=(), inputs=(), neither=("registry",))
def adapters_rm(
    name: AdapterNameArgument,
    wait: Annotated[
        float, typer.Option(help="Seconds to wait for processes reading the adapter before refusing.")
    ] = 10.0,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Delete without asking.")] = False,
    registry: RegistryOption = None,
) -> None:
    """Delete an adapter from the registry (asks first in a terminal, unless --yes; waits for commands reading it)."""
    from ..paths import registry_dir
    from ..registry import MANIFEST, Registry

    store = Registry(registry_dir(registry))
    folder = store.path(name)
    # Scripts and pipes (stdin not a terminal) are not asked: there is nobody to answer.
    if not yes and (folder / MANIFEST).is_file() and sys.stdin.isatty():
        answer = input(f"delete the adapter {name} ({folder})? [y/N] ")
        if answer.strip().lower() not in ("y", "yes"):
            print(f"kept {folder}")
            raise typer.Exit(1)
    store.remove(name, wait=wait)
    print(f"removed {folder}")
