"""Sharing adapters on the Hugging Face Hub: ``push``, ``pull`` and ``hub:user/repo`` names.

``push`` uploads what ``peft.PeftModel.from_pretrained`` reads (``adapter_config.json``,
``adapter_model.safetensors``), the manifest and a complete model card (``card.render_hub_card``)
with ``huggingface_hub`` (``create_repo`` + ``upload_folder``); the token comes from where
``huggingface_hub`` looks (``HF_TOKEN``, the ``hf auth login`` file) and is never printed.

``pull`` trusts nothing it downloads: the commit, the revision and every file name are checked
(``pull_checks``) before they are used; each listed file is fetched at the pinned commit into a file
adapterkit itself creates in a temporary folder it made (``huggingface_hub.file_download.http_get``
writes into that open file, so no name or header the Hub sends ever becomes a path). Then every
file is checked against the size and digest the Hub lists at that commit and against the sha256
the shared manifest records, and the manifest, the tensors and
the adapter's base are checked. Only then is the folder moved into the registry with the atomic
``Registry.save``, recording the shared digests, so a failed pull leaves the registry as it was. A
plain PEFT adapter (no adapterkit manifest; LoRA, DoRA or IA³) gets a manifest naming its base, its
method and its source (repo and commit), and the digests of its files (checked against the Hub's
listing, which must give them).

``hub:user/repo[@revision]`` works wherever an adapter name does (``compose.resolve_adapter``):
it is pulled once under a derived name (``user--repo``, ``user--repo--revision``) and reused.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path

from .card import render_hub_card
from .errors import AdapterkitError, printable
from .integrity import file_sha256
from .manifest import SCHEMA_VERSION, AdapterConfig, AdapterManifest, Source, read_cv_run, tensor_problems
from .methods import DEFAULT_METHOD
from .privacy.publishing import check_publishing
from .pull_checks import (
    ADAPTER_CONFIG,
    ADAPTER_WEIGHTS,
    METADATA_FILES,
    check_base,
    check_commit,
    check_digests,
    check_download,
    check_file_name,
    check_listed,
    check_listing,
    check_method,
    check_repo_id,
    check_revision,
    listed_files,
    read_json_object,
)
from .registry import MANIFEST, Registry, check_name, write_json
from .sharing import scrub, shareable_manifest

HUB_PREFIX = "hub:"
PUSHED_KINDS = ("language", "domain", "composed")


def _endpoint() -> str:
    """The Hub to talk to: ``HF_ENDPOINT`` as set now (``huggingface_hub`` reads it only at import)."""
    from huggingface_hub import constants

    return os.environ.get("HF_ENDPOINT", constants.ENDPOINT).rstrip("/")


def _offline() -> bool:
    from huggingface_hub import constants

    return constants.is_offline_mode() or os.environ.get("HF_HUB_OFFLINE", "0").lower() in ("1", "true", "yes", "on")


# --------------------------------------------------------------------------- errors


@contextmanager
def hub_errors(action: str, repo_id: str, revision: str | None = None) -> Iterator[None]:
    """Turn what ``huggingface_hub`` raises into one line that says what to do."""
    from huggingface_hub.errors import (
        HfHubHTTPError,
        OfflineModeIsEnabled,
        RemoteEntryNotFoundError,
        RepositoryNotFoundError,
        RevisionNotFoundError,
    )

    endpoint = _endpoint()
    try:
        yield
    except AdapterkitError:
        raise
    except Exception as error:  # classify by the first Hub error in the chain (snapshot_download wraps them)
        chain, cause = [], error
        while cause is not None and len(chain) < 8:
            chain.append(cause)
            cause = cause.__cause__ or cause.__context__
        http = next((e for e in chain if isinstance(e, HfHubHTTPError) and e.response is not None), None)
        status = http.response.status_code if http is not None else None
        login = "set HF_TOKEN or run `hf auth login`"
        if any(isinstance(e, RevisionNotFoundError) for e in chain):
            message = f"revision {revision!r} not found in {repo_id}: give a branch, tag or commit that exists"
        elif status == 401 and action == "push":
            message = f"the Hub refused the token for {repo_id} (401): {login} with a token that can write"
        elif status == 401:
            message = f"{repo_id}: not found, or private and no valid token was sent (401): check the name, or {login}"
        elif status == 403:
            what = "write to" if action == "push" else "read"
            message = f"your token may not {what} {repo_id} (403): {login} with a token that has that permission"
        elif any(isinstance(e, RemoteEntryNotFoundError) for e in chain):
            message = f"{repo_id} changed during the download (a listed file is gone): pull again"
        elif status == 404 or any(isinstance(e, RepositoryNotFoundError) for e in chain):
            message = f"no repository {repo_id} on {endpoint} (404): check the name (user/name)"
        elif any(isinstance(e, OfflineModeIsEnabled) for e in chain):
            message = f"cannot {action} {repo_id}: HF_HUB_OFFLINE is set; unset it to reach the Hub"
        elif status is not None:
            message = f"the Hub answered {status} to {action} {repo_id}: try again later"
        elif isinstance(error, ValueError) and any(type(e).__name__ == "JSONDecodeError" for e in chain):
            message = (
                f"the Hub at {endpoint} answered {action} {repo_id} with something that is not JSON (an HTML "
                "page?): check HF_ENDPOINT and any proxy between you and the Hub"
            )
        elif type(error).__module__.startswith(("httpx", "huggingface_hub")) or isinstance(error, OSError):
            reason = str(error).splitlines()[0][:120] if str(error) else type(error).__name__
            message = f"cannot reach the Hub at {endpoint} to {action} {repo_id} ({reason}): check the network"
        else:
            raise
        raise AdapterkitError(message) from None


# --------------------------------------------------------------------------- push


@dataclass
class PushRequest:
    """Every setting of ``adapterkit push`` (the CLI options, one to one)."""

    name: str
    repo_id: str
    private: bool = True  # a new repository is private unless push --public
    registry: Path | None = None
    out: Path | None = None
    runs: Path = Path("runs")
    license: str | None = None
    datasets: list[str] = field(default_factory=list)
    card_paths: bool = False  # corpus/data paths relative to the current folder instead of file names


def recorded_runs(runs: Path, name: str, card_paths: bool = False) -> list[dict]:
    """The cv runs under ``runs`` (``cv.json``, also inside compare runs) whose variant used ``name``.

    As they go on a shared card: data files by name (or relative path) and sha256, the variant and
    the file with no absolute path (see ``sharing``).
    """
    from .sharing import scrub, shared_data_entry

    found = []
    for file in sorted(runs.rglob("cv.json")) if runs.is_dir() else []:
        try:
            run = read_cv_run(file)  # the schema of cv.json (manifest.records)
            used = name in [_registry_name(part) for part in run["variant"].split("+")]
            if not used or not run.get("summary"):
                continue
            record = {
                "file": file.relative_to(runs).as_posix(),  # under --runs, whose own path is not shared
                "variant": scrub(run["variant"]),
                "data": [shared_data_entry(item, card_paths) for item in run.get("data", [])],
                "folds": run.get("folds"),
                "mode": run.get("settings", {}).get("mode", "?"),
                "summary": run["summary"],
            }
        except (AdapterkitError, OSError):
            continue  # a half-written or foreign file is not a recorded result
        found.append(record)
    return found


def _registry_name(part: str) -> str:
    """The registry name a variant part refers to (``hub:`` names are pulled under a derived one)."""
    if not part.startswith(HUB_PREFIX):
        return part
    repo_id, _, revision = part.removeprefix(HUB_PREFIX).partition("@")
    return derived_name(repo_id, revision or None)


def _dataset_ids(manifest: AdapterManifest, given: list[str]) -> list[str]:
    """``--dataset`` ids, plus corpora read from the Hub (``hf:NAME``) that the manifest records."""
    ids = list(given)
    files = manifest.corpus.files if manifest.corpus is not None else None
    for record in files or []:
        path = str(record.path or "")
        if path.startswith("hf:"):
            ids.append(path.removeprefix("hf:").split(":")[0])
    return list(dict.fromkeys(ids))


def write_upload_folder(request: PushRequest, store: Registry, folder: Path) -> AdapterManifest:
    """Fill ``folder`` with exactly what ``push`` uploads; returns the manifest."""
    source = store.path(request.name)
    # complete: the card is written from it; refuses an adapter folder that is itself a link
    manifest = store.adapter_manifest(request.name, complete=True)
    store.hold(request.name)
    kind = manifest.kind
    if kind not in PUSHED_KINDS or not (source / ADAPTER_CONFIG).is_file():
        raise AdapterkitError(
            f"{request.name} is a {kind} {'adapter' if (source / ADAPTER_CONFIG).is_file() else 'model'}: "
            f"push shares adapters of kind {', '.join(PUSHED_KINDS)}"
        )
    if not (source / ADAPTER_WEIGHTS).is_file():
        raise AdapterkitError(f"{source}: no {ADAPTER_WEIGHTS}; the adapter is incomplete, train or pull it again")
    links = [file for file in sorted(source.rglob("*")) if file.is_symlink()]
    if links:  # a link could make push upload any file this user can read
        raise AdapterkitError(
            f"{links[0]}: a symbolic link in the adapter folder; push uploads regular files inside the folder "
            "only: replace the link by the file itself"
        )
    shared = shareable_manifest(manifest, request.card_paths)
    for file in sorted(source.iterdir()):
        # Only tensors and settings travel; the card is written anew for the Hub. Settings lose every
        # absolute path (a local base folder in adapter_config.json, corpus folders in the manifest).
        if file.is_file() and file.suffix == ".safetensors":
            shutil.copyfile(file, folder / file.name, follow_symlinks=False)
        elif file.is_file() and file.suffix == ".json" and file.name != MANIFEST:
            write_json(folder / file.name, scrub(json.loads(file.read_text(encoding="utf-8"))))
    # The shared manifest records the sha256 of every file that travels but itself and the card:
    # pull checks each arrived file against it (pull_checks.check_digests).
    shared["sha256"] = {file.name: file_sha256(file) for file in sorted(folder.iterdir()) if file.is_file()}
    write_json(folder / MANIFEST, shared)
    datasets = _dataset_ids(manifest, request.datasets)
    runs = recorded_runs(request.runs, request.name, request.card_paths)
    card = render_hub_card(shared, request.repo_id, runs, request.license, datasets)
    (folder / "README.md").write_text(card, encoding="utf-8")
    return manifest


def _visibility(api, repo_id: str) -> bool | None:
    """True: an existing public repository; False: an existing private one; None: no such repository."""
    from huggingface_hub.errors import RepositoryNotFoundError

    try:
        return not api.repo_info(repo_id, repo_type="model").private
    except RepositoryNotFoundError:
        return None


def push(request: PushRequest) -> str:
    """Upload a registry adapter (or, with ``out``, only write the folder); returns where it went."""
    from .paths import registry_dir

    check_repo_id(request.repo_id)
    store = Registry(registry_dir(request.registry))
    if request.out is not None and request.out.exists() and any(request.out.iterdir()):
        raise AdapterkitError(f"--output {request.out}: the folder is not empty; give a new or empty folder")
    with tempfile.TemporaryDirectory(prefix="adapterkit-push-") as tmp:
        staged = Path(tmp) / "upload"
        staged.mkdir()
        manifest = write_upload_folder(request, store, staged)
        if request.out is not None:
            request.out.mkdir(parents=True, exist_ok=True)
            for file in staged.iterdir():
                shutil.copyfile(file, request.out / file.name)
            return str(request.out)
        if _offline():
            raise AdapterkitError(
                f"cannot push to {request.repo_id}: HF_HUB_OFFLINE is set; unset it, "
                "or write the folder with --output DIR"
            )
        from huggingface_hub import HfApi

        api = HfApi(endpoint=_endpoint())
        with hub_errors("push", request.repo_id):
            # who will see it: a sensitive adapter goes public only audited and with --public (privacy/)
            existing_public = _visibility(api, request.repo_id)
            check_publishing(request.name, manifest, store.root, request.repo_id, not request.private, existing_public)
            if existing_public is None:  # an existing repository keeps its visibility
                api.create_repo(request.repo_id, private=request.private, exist_ok=True, repo_type="model")
            commit = api.upload_folder(
                repo_id=request.repo_id,
                folder_path=staged,
                repo_type="model",
                commit_message=f"adapterkit push {manifest.name or request.name}",
            )
    return f"{commit.commit_url} ({commit.oid})" if commit.oid else str(commit.commit_url)


# --------------------------------------------------------------------------- pull


@dataclass
class PullResult:
    name: str
    path: Path
    manifest: AdapterManifest
    commit: str
    notes: list[str]


def _languages(folder: Path) -> list[str]:
    """The ``language`` of a pulled card's metadata, for a manifest-less adapter."""
    card = folder / "README.md"
    if not card.is_file():
        return []
    from huggingface_hub import ModelCard

    try:
        language = ModelCard.load(card).data.language
    except Exception:  # a card with broken metadata is still a card; languages are optional
        return []
    return [language] if isinstance(language, str) else [str(item) for item in language or []]


def derived_name(repo_id: str, revision: str | None = None) -> str:
    """The registry name a ``hub:`` spec is pulled under: ``user--repo`` (``--revision``)."""
    name = repo_id.replace("/", "--")
    if revision:
        name += "--" + re.sub(r"[^A-Za-z0-9._-]", "-", revision)
    return name[:100]


def download(repo_id: str, commit: str, names: list[str], folder: Path, endpoint: str) -> None:
    """Fetch ``names`` at ``commit`` into files this function creates in ``folder`` (nothing else is written).

    Each file is opened here (new, not through a link) and ``http_get`` streams the answer into it:
    no name, commit or ETag the Hub sends becomes a path, unlike ``snapshot_download``'s cache.
    """
    from huggingface_hub.file_download import hf_hub_url, http_get
    from huggingface_hub.utils import build_hf_headers

    headers = build_hf_headers()
    for name in names:
        target = folder / check_file_name(name, repo_id)
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.parent.resolve().is_relative_to(folder.resolve()):
            raise AdapterkitError(f"{repo_id}: {name} would land outside the download folder; refused")
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
        with os.fdopen(os.open(target, flags, 0o600), "wb") as handle:
            url = hf_hub_url(repo_id, name, revision=commit, endpoint=endpoint)
            http_get(url, handle, headers=headers, displayed_filename=name)


def pull(
    repo_id: str,
    registry: Path | None = None,
    as_name: str | None = None,
    revision: str | None = None,
    force: bool = False,
) -> PullResult:
    """Download a Hub adapter, check it and add it to the registry (atomically)."""
    from .paths import registry_dir

    check_repo_id(repo_id, "REPO")
    if revision is not None:
        check_revision(revision)
    store = Registry(registry_dir(registry))
    name = check_name(as_name or derived_name(repo_id, revision), "--as")
    store.ensure_free(name, force)
    if _offline():
        raise AdapterkitError(f"cannot pull {repo_id}: HF_HUB_OFFLINE is set; unset it to reach the Hub")
    from huggingface_hub import HfApi

    endpoint = _endpoint()
    with hub_errors("pull", repo_id, revision):
        try:
            info = HfApi(endpoint=endpoint).model_info(repo_id, revision=revision, files_metadata=True)
        except (KeyError, TypeError, AttributeError):  # huggingface_hub reading an answer of the wrong shape
            raise AdapterkitError(
                f"{repo_id}: the Hub's answer is not a repository listing (malformed); refused"
            ) from None
    names = [getattr(sibling, "rfilename", None) for sibling in info.siblings or []]
    if not all(isinstance(name, str) for name in names):
        raise AdapterkitError(
            f"{repo_id}: the Hub's answer lists files that are not strings (a malformed listing); refused"
        )
    commit = check_commit(info.sha, f"{repo_id}: the Hub's answer")
    top = check_listing(repo_id, names)
    listed = listed_files(repo_id, info.siblings or [])
    with tempfile.TemporaryDirectory(prefix="adapterkit-pull-") as tmp:
        folder = Path(tmp) / "download"
        folder.mkdir()
        with hub_errors("pull", repo_id, revision):
            download(repo_id, commit, top, folder, endpoint)
        check_listed(repo_id, folder, top, listed, required=MANIFEST not in top)
        check_download(repo_id, folder, top, folder)
        config = read_json_object(folder / ADAPTER_CONFIG, repo_id)
        peft_config = AdapterConfig.from_dict(config, f"{repo_id}: {ADAPTER_CONFIG}")
        shared = read_json_object(folder / MANIFEST, repo_id) if MANIFEST in top else None
        manifest = None
        digests = None
        if shared is not None:
            # complete: its card is written from it; it is renamed to `name`
            manifest = AdapterManifest.from_dict({**shared, "name": name}, f"{repo_id}: {MANIFEST}", complete=True)
            digests = check_digests(repo_id, folder, top, manifest.sha256)  # verified, never recomputed
        method = check_method(repo_id, peft_config, manifest)
        problems = tensor_problems(folder, peft_config, label=ADAPTER_WEIGHTS)
        if problems:
            raise AdapterkitError(f"{repo_id}: {problems[0]}; refused")
        base, problems, notes = check_base(repo_id, peft_config, manifest)
        if problems and not force:
            raise AdapterkitError(f"{repo_id}: {problems[0]}; refused (add --force to accept it)")
        notes += [f"accepted with --force: {problem}" for problem in problems]
        if manifest is None:  # a plain PEFT LoRA: the manifest names its base (and below, its source)
            # nothing was shared to check against: the digests of the files as checked against the listing
            digests = {item: file_sha256(folder / item) for item in top if item not in METADATA_FILES}
            from .versions import versions

            plain = {
                "schema_version": SCHEMA_VERSION,
                "name": name,
                "kind": "language",
                "languages": _languages(folder),
                "domain": None,
                "base": base.to_dict(),
                # the method, when not LoRA (a manifest without one is LoRA): see methods/
                **({} if method.name == DEFAULT_METHOD else {"hyperparameters": {"mode": method.name}}),
                "versions": versions(),
                "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            }
            manifest = AdapterManifest.from_dict(plain, f"{repo_id}: {MANIFEST}")
        elif shared is not None and shared.get("name") != name:  # pulled under another name: keep the shared one
            manifest = replace(manifest, origin_name=shared.get("name"))
        source = {"hub": repo_id, "revision": commit, "requested": revision, "endpoint": endpoint}
        manifest = replace(manifest, source=Source.load(source))

        def write(staging: Path) -> None:
            for item in top:
                if item != MANIFEST:
                    shutil.copyfile(folder / item, staging / item, follow_symlinks=False)
            write_json(staging / MANIFEST, manifest.to_dict())

        path = store.save(name, write, force=force, expected_hashes=digests)
    return PullResult(name, path, manifest, commit, notes)


def ensure_pulled(spec: str, store: Registry) -> str:
    """The registry name for ``hub:user/repo[@rev]``: pulled on first use, reused afterwards."""
    repo_id, _, revision = spec.removeprefix(HUB_PREFIX).partition("@")
    check_repo_id(repo_id, f"adapter {spec!r}:")
    name = derived_name(repo_id, revision or None)
    if (store.root / name / MANIFEST).is_file():
        source = store.adapter_manifest(name).source
        if (
            source is None
            or source.hub != repo_id
            or (revision and revision not in (source.requested, source.revision))
        ):
            raise AdapterkitError(
                f"adapter {spec!r}: the registry name {name} holds another adapter; remove it "
                f"(adapterkit adapters rm {name}) or pull with --as"
            )
        return name
    result = pull(repo_id, store.root, as_name=name, revision=revision or None)
    for note in result.notes:
        print(f"note: {printable(note)}")
    print(printable(f"pulled {repo_id} ({result.commit[:12]}) into {result.path}"), flush=True)
    return name
