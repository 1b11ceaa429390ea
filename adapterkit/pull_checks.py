"""What ``pull`` checks before a downloaded adapter enters the registry: ``pull`` trusts nothing.

Before any file is fetched, the repository's listing is checked (``check_listing``): every name
stays inside the folder, every file is safetensors, JSON or Markdown (weights that can hold pickles,
such as ``.bin``/``.pt``/``.pkl``, are refused: adapterkit never unpickles files from outside), and
``adapter_config.json`` and ``adapter_model.safetensors`` are there. After the download, the files
on disk are checked again (``check_download``): exactly the listed ones, inside the download
folder, safetensors headers and JSON files that parse. The adapter's method must be one adapterkit
uses, and the one its manifest records (``check_method``: ``adapter_config.json``'s ``peft_type``
against ``hyperparameters.mode``). Then the adapter's base must match (``check_base``): the base
named in ``adapter_config.json`` is the manifest's, and when the manifest records a fingerprint and
the base is available here without a download, the local base has it.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path, PurePosixPath

from .errors import AdapterkitError
from .manifest import MANIFEST, AdapterConfig, AdapterManifest, BaseRecord
from .methods import AdapterMethod, check_agrees, of_config

ADAPTER_CONFIG = "adapter_config.json"
ADAPTER_WEIGHTS = "adapter_model.safetensors"
# What a shared adapter may contain: tensors in safetensors, settings in JSON, cards in Markdown,
# and the .gitattributes every Hub repository has. Anything else is refused, pickles above all.
SAFE_SUFFIXES = (".safetensors", ".json", ".md")
GIT_FILES = (".gitattributes",)
PICKLE_SUFFIXES = (".bin", ".pt", ".pth", ".pkl", ".pickle", ".ckpt", ".joblib", ".npy", ".npz", ".h5", ".msgpack")


def check_listing(repo_id: str, names: list[str]) -> list[str]:
    """Refuse names that escape the folder or files that are not safetensors/JSON/Markdown.

    Returns the top-level files (the adapter folder is flat; files in sub-folders are not taken).
    """
    top = []
    for name in names:
        path = PurePosixPath(name)
        if not name or "\\" in name or path.is_absolute() or ".." in path.parts or name != str(path):
            raise AdapterkitError(f"{repo_id}: the file name {name!r} would land outside the adapter folder; refused")
        lowered = name.lower()
        if lowered.endswith(PICKLE_SUFFIXES):
            raise AdapterkitError(
                f"{repo_id}: {name} can hold pickled code and adapterkit never loads such files; "
                "ask the owner for a safetensors-only repository"
            )
        if not (lowered.endswith(SAFE_SUFFIXES) or path.name in GIT_FILES):
            raise AdapterkitError(
                f"{repo_id}: {name} is not safetensors, JSON or Markdown; adapterkit pulls only those (refused)"
            )
        if len(path.parts) == 1 and path.name not in GIT_FILES:
            top.append(name)
    for required in (ADAPTER_CONFIG, ADAPTER_WEIGHTS):
        if required not in top:
            raise AdapterkitError(f"{repo_id}: no {required} at the top of the repository; it is not a PEFT adapter")
    return top


def read_json_object(file: Path, repo_id: str) -> dict:
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise AdapterkitError(f"{repo_id}: {file.name} is not valid JSON ({error}); refused") from None
    if not isinstance(data, dict):
        raise AdapterkitError(f"{repo_id}: {file.name} is not a JSON object; refused")
    return data


def check_download(repo_id: str, root: Path, files: list[str], download: Path) -> None:
    """The downloaded files (``root``): exactly the listed ones, inside ``download``, parseable."""
    from safetensors import safe_open

    download = download.resolve()
    present = sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())
    unexpected = sorted(set(present) - set(files))
    if unexpected:
        raise AdapterkitError(f"{repo_id}: the download holds {unexpected[0]}, which was not in the listing; refused")
    for name in files:
        real = (root / name).resolve()  # snapshot files are links into the download's blob store
        if not real.is_relative_to(download) or not real.is_file():
            raise AdapterkitError(f"{repo_id}: {name} resolves outside the download folder; refused")
        if name.endswith(".safetensors"):
            try:
                with safe_open(real, "pt") as handle:
                    handle.keys()
            except Exception as error:
                reason = str(error).splitlines()[0][:100]
                raise AdapterkitError(f"{repo_id}: {name} is not a valid safetensors file ({reason})") from None
        elif name.endswith(".json"):
            read_json_object(real, repo_id)


def _local_fingerprint(manifest: AdapterManifest) -> tuple[str, str] | None:
    """(where, fingerprint) of the adapter's base as available here without a download, else None."""
    from .models import base_of, fingerprint, load_masked_lm

    try:
        base = base_of(manifest, local_only=True)
        model, _ = load_masked_lm(base)
    except AdapterkitError:
        return None
    return str(base.path), fingerprint(model)


def check_method(repo_id: str, config: AdapterConfig, manifest: AdapterManifest | None) -> AdapterMethod:
    """The adapter's method: one adapterkit uses, and the one the manifest (if any) records."""
    if manifest is None:
        return of_config(config, f"{repo_id}: {ADAPTER_CONFIG}")
    return check_agrees(manifest, config, repo_id)


def check_base(
    repo_id: str, config: AdapterConfig, manifest: AdapterManifest | None
) -> tuple[BaseRecord, list[str], list[str]]:
    """The base record for the manifest, the problems (refused without --force) and notes."""
    declared = config.base_model_name_or_path
    problems: list[str] = []
    notes: list[str] = []
    if manifest is None:
        if not isinstance(declared, str) or not declared:
            raise AdapterkitError(f"{repo_id}: {ADAPTER_CONFIG} names no base_model_name_or_path; cannot use it")
        record = BaseRecord.load({"id": declared, "peft_base_model": declared, "revision": None, "fingerprint": None})
        local = _local_fingerprint(AdapterManifest(kind="language", base=record))
        if local is None:
            notes.append(
                f"its base {declared} is not available here without a download, so no fingerprint was recorded; "
                "get the base, then pull again with --force to record it"
            )
        else:
            record = replace(record, fingerprint=local[1])
        return record, problems, notes
    record = manifest.base  # validated: every manifest records its base and the base's id
    known = {record.id, record.peft_base_model, record.path} - {None}
    if declared not in known:
        problems.append(
            f"{ADAPTER_CONFIG} names the base {declared!r} but {MANIFEST} records {record.peft_base_model!r}"
        )
    recorded = record.fingerprint
    if recorded:
        local = _local_fingerprint(manifest)
        if local is None:
            notes.append(
                f"its base {record.id} is not available here without a download: the fingerprint is checked "
                "when the adapter is first loaded"
            )
        elif local[1] != recorded:
            problems.append(
                f"the local base {record.id} ({local[0]}) has fingerprint {local[1][:19]}…, the adapter was "
                f"trained on {recorded[:19]}…"
            )
    return record, problems, notes
