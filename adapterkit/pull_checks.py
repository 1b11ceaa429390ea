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

Every identifier that comes from the Hub or from a manifest is checked here, in one place, before
it is used (``check_commit``, ``check_revision``, ``check_file_name``, ``check_repo_id``): a commit is
40 lowercase hex digits; a file name is a plain relative POSIX name (no ``..`` or ``.`` part, no
leading ``/``, no backslash, no ``:`` so no drive, no control character, no empty part).

What was shared is verified, never adopted (``check_digests``): the shared manifest's ``sha256``
must list every downloaded file except the two metadata files ``adapterkit.json`` (the manifest
itself) and ``README.md`` (the card, rendered from the manifest), each with the digest of what
arrived; any other file, or any mismatch, is refused. Every file must also have the size and
digest the Hub's listing gives it at the pinned commit (``check_listed``; required for a plain
PEFT LoRA, which has no shared manifest). The registry then records those shared
digests (``Registry.save(expected_hashes=...)`` checks the copied files against them again).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath

from .errors import AdapterkitError
from .integrity import file_sha256
from .manifest import MANIFEST, AdapterConfig, AdapterManifest, BaseRecord
from .methods import AdapterMethod, check_agrees, of_config

ADAPTER_CONFIG = "adapter_config.json"
ADAPTER_WEIGHTS = "adapter_model.safetensors"
# What a shared adapter may contain: tensors in safetensors, settings in JSON, cards in Markdown,
# and the .gitattributes every Hub repository has. Anything else is refused, pickles above all.
SAFE_SUFFIXES = (".safetensors", ".json", ".md")
GIT_FILES = (".gitattributes",)
PICKLE_SUFFIXES = (".bin", ".pt", ".pth", ".pkl", ".pickle", ".ckpt", ".joblib", ".npy", ".npz", ".h5", ".msgpack")
# Downloaded files whose sha256 a shared manifest does not list: the manifest and the card.
METADATA_FILES = (MANIFEST, "README.md")

_COMMIT = re.compile(r"[0-9a-f]{40}")
_SHA256 = re.compile(r"[0-9a-f]{64}")
_REVISION = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]{0,199}")
_NAME_MAX = 255


# --------------------------------------------------------------------------- identifiers


def _has_control(text: str) -> bool:
    """Control, format, separator (but the plain space), surrogate or unassigned characters."""
    return not text.isprintable()


def check_repo_id(repo_id: object, option: str = "--repo") -> str:
    """A Hub repository as ``user/name`` (huggingface_hub's own rule, and exactly one ``/``)."""
    from huggingface_hub.utils import HFValidationError, validate_repo_id

    valid = isinstance(repo_id, str) and repo_id.count("/") == 1 and not _has_control(repo_id)
    if valid:
        try:
            validate_repo_id(repo_id)
        except HFValidationError:
            valid = False
    if not valid:
        raise AdapterkitError(f"{option}: give a Hub repository as user/name (letters, digits, - _ .)")
    return str(repo_id)


def check_commit(commit: object, where: str) -> str:
    """A commit sha as the Hub sends it: exactly 40 lowercase hexadecimal digits."""
    if not isinstance(commit, str) or not _COMMIT.fullmatch(commit):
        shown = repr(commit)[:60]
        raise AdapterkitError(f"{where}: the commit {shown} is not 40 hexadecimal digits; refused")
    return commit


def check_revision(revision: object, option: str = "--revision") -> str:
    """A branch, tag or commit: letters, digits and ``. _ - /``, no ``..``, ``//`` or ``.lock`` end (git's rules)."""
    text = revision if isinstance(revision, str) else ""
    parts = text.split("/")
    if (
        not _REVISION.fullmatch(text)
        or ".." in text
        or any(not part or part.startswith(".") or part.endswith(".lock") for part in parts)
    ):
        raise AdapterkitError(
            f"{option} {str(revision)[:60]!r}: give a branch, tag or commit (letters, digits and . _ - /, no '..')"
        )
    return text


def check_file_name(name: object, where: str) -> str:
    """A file name from the Hub or a manifest: a plain relative POSIX name that stays inside its folder."""
    text = name if isinstance(name, str) else ""
    parts = text.split("/")
    if (
        not text
        or len(text) > _NAME_MAX
        or "\\" in text
        or ":" in text
        or _has_control(text)
        or text.startswith("/")
        or any(part in ("", ".", "..") for part in parts)
        or any(part != part.strip() for part in parts)
    ):
        raise AdapterkitError(
            f"{where}: the file name {str(name)[:80]!r} is not a plain relative name inside the adapter folder; refused"
        )
    return text


def inside(folder: Path, name: str, where: str) -> Path:
    """``folder / name`` for a checked name, refusing anything that resolves outside ``folder`` (a link)."""
    path = folder / check_file_name(name, where)
    if not path.resolve().is_relative_to(folder.resolve()):
        raise AdapterkitError(f"{where}: {name} resolves outside the download folder; refused")
    return path


# --------------------------------------------------------------------------- what was shared


@dataclass(frozen=True)
class Listed:
    """What the Hub's listing (``model_info(files_metadata=True)``) says of one file at the pinned commit."""

    size: int | None = None
    sha256: str | None = None  # of an LFS file's content
    blob_id: str | None = None  # git's blob id of a regular file (sha1 of "blob SIZE" NUL content)


def listed_files(repo_id: str, siblings: list) -> dict[str, Listed]:
    """The listing's size and digest of every file, each value checked for its form."""
    listed = {}
    for sibling in siblings:
        name = check_file_name(getattr(sibling, "rfilename", None), repo_id)
        size, blob_id, lfs = getattr(sibling, "size", None), getattr(sibling, "blob_id", None), sibling.lfs
        sha256 = lfs.get("sha256") if isinstance(lfs, Mapping) else None
        if (
            (size is not None and (not isinstance(size, int) or isinstance(size, bool) or size < 0))
            or (blob_id is not None and not (isinstance(blob_id, str) and _COMMIT.fullmatch(blob_id)))
            or (sha256 is not None and not (isinstance(sha256, str) and _SHA256.fullmatch(sha256)))
            or (lfs is not None and sha256 is None)
        ):
            raise AdapterkitError(f"{repo_id}: the Hub's listing gives {name} a malformed size or digest; refused")
        listed[name] = Listed(size, sha256, blob_id)
    return listed


def git_blob_id(path: Path) -> str:
    """git's id of a file's content, as the Hub lists it for files not stored with LFS."""
    digest = hashlib.sha1(b"blob %d\0" % path.stat().st_size)
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def check_listed(repo_id: str, folder: Path, files: list[str], listed: Mapping[str, Listed], required: bool) -> None:
    """Every downloaded file has the size and digest the Hub lists for it at the commit.

    ``required`` (a plain PEFT LoRA, with no shared manifest to check against): a file the listing
    gives no digest for is refused; otherwise the shared manifest's digests are the check that counts.
    """
    for name in files:
        entry, path = listed.get(name, Listed()), inside(folder, name, repo_id)
        if entry.size is not None and path.stat().st_size != entry.size:
            raise AdapterkitError(f"{repo_id}: {name} arrived with another size than the Hub lists; refused")
        if entry.sha256 is not None:
            matches = file_sha256(path) == entry.sha256
        elif entry.blob_id is not None:
            matches = git_blob_id(path) == entry.blob_id
        elif required:
            raise AdapterkitError(
                f"{repo_id}: the Hub lists no digest for {name} and there is no {MANIFEST} recording one, "
                "so what arrived cannot be checked; refused"
            )
        else:
            continue
        if not matches:
            raise AdapterkitError(
                f"{repo_id}: {name} does not have the digest the Hub lists for it at this commit "
                "(altered on the way); refused"
            )


def check_digests(repo_id: str, folder: Path, files: list[str], shared: Mapping | None) -> dict[str, str]:
    """The shared digests of every downloaded file but the metadata files, each checked; returns them.

    ``shared`` is the ``sha256`` of the shared manifest: ``{file name: hex digest}``.
    """
    if not isinstance(shared, Mapping) or not shared:
        raise AdapterkitError(
            f"{repo_id}: {MANIFEST} records no sha256 of the shared files, so what arrived cannot be checked; "
            "refused (ask the owner to push it again with this adapterkit)"
        )
    for name in shared:
        check_file_name(name, f"{repo_id}: {MANIFEST} sha256")
    for name in sorted(files):
        if name in METADATA_FILES:
            continue
        if name not in shared:
            raise AdapterkitError(
                f"{repo_id}: {name} is not listed in the sha256 of {MANIFEST}, so it was not shared with it; refused"
            )
        if file_sha256(inside(folder, name, repo_id)) != shared[name]:
            raise AdapterkitError(
                f"{repo_id}: {name} does not have the sha256 {MANIFEST} records (tampered or corrupted on the way); "
                "refused"
            )
    missing = sorted(set(shared) - set(files))
    if missing:
        raise AdapterkitError(
            f"{repo_id}: {MANIFEST} records {missing[0]}, which the repository does not hold; refused"
        )
    return {name: shared[name] for name in sorted(shared)}


def base_disagreement(config: AdapterConfig, manifest: AdapterManifest) -> str | None:
    """Where an adapter's PEFT config and its manifest disagree on the base, in words; None when they agree.

    The one check behind pull, compose and finetune: ``base_model_name_or_path`` must be one of the
    names the manifest records for its base (id, the name PEFT loads, the folder it was trained from).
    """
    declared = config.base_model_name_or_path
    record = manifest.base
    known = {record.id, record.peft_base_model, record.path} - {None}
    if declared in known:
        return None
    recorded = record.peft_base_model or record.id
    return f"{ADAPTER_CONFIG} names the base {declared!r} but {MANIFEST} records {recorded!r}"


def check_listing(repo_id: str, names: list[str]) -> list[str]:
    """Refuse names that escape the folder or files that are not safetensors/JSON/Markdown.

    Returns the top-level files (the adapter folder is flat; files in sub-folders are not taken).
    """
    top = []
    for name in names:
        path = PurePosixPath(check_file_name(name, repo_id))
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
    links = sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_symlink())
    if links:
        raise AdapterkitError(f"{repo_id}: the download holds a symbolic link, {links[0]}; refused")
    present = sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())
    unexpected = sorted(set(present) - set(files))
    if unexpected:
        raise AdapterkitError(f"{repo_id}: the download holds {unexpected[0]}, which was not in the listing; refused")
    for name in files:
        real = (root / name).resolve()
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
    disagreement = base_disagreement(config, manifest)
    if disagreement is not None:  # not even --force: compose and finetune would refuse it
        raise AdapterkitError(f"{repo_id}: {disagreement}; refused")
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
