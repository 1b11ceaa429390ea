"""Who may see a pushed adapter: the rule ``push`` applies before anything is uploaded.

New repositories are private unless ``push --public``. An adapter is *sensitive* when its domain
is clinical or it was trained on a corpus marked private (``pretrain --private-corpus``); for a
composition, when any of its parts in the registry is. A sensitive adapter goes to a public
repository (a new one made public, or an existing public one) only when a memorisation audit is
recorded in its manifest (``adapterkit audit``) and ``--public`` is given.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import AdapterkitError
from ..manifest import MANIFEST, AdapterManifest, read_adapter_manifest


def _own_reason(manifest: AdapterManifest) -> str | None:
    if manifest.privacy is not None and manifest.privacy.private_corpus:
        return "was trained on a corpus marked private"
    if (manifest.domain or "").strip().lower() == "clinical":
        return "is a clinical-domain adapter"
    return None


def sensitive_reason(manifest: AdapterManifest, registry: Path) -> str | None:
    """Why the adapter may hold patients' text (None: it is not sensitive by the rule)."""
    reason = _own_reason(manifest)
    if reason is not None or manifest.composition is None:
        return reason
    for part in manifest.composition.parts or []:
        file = registry / part.name / MANIFEST
        if file.is_file():
            part_reason = _own_reason(read_adapter_manifest(file))
            if part_reason is not None:
                return f"has a part ({part.name}) that {part_reason.removeprefix('is ').removeprefix('was ')}".replace(
                    "that clinical", "that is clinical"
                )
    return None


def audited(manifest: AdapterManifest) -> bool:
    return manifest.privacy is not None and bool(manifest.privacy.audit)


def check_publishing(
    name: str, manifest: AdapterManifest, registry: Path, repo_id: str, public: bool, existing_public: bool | None
) -> None:
    """Refuse (one line) a sensitive adapter going public without a recorded audit and ``--public``.

    ``existing_public``: the repository's visibility when it exists (None: it does not).
    """
    reason = sensitive_reason(manifest, registry)
    if reason is None:
        return
    goes_public = existing_public if existing_public is not None else public
    if not goes_public:
        return
    if not audited(manifest):
        where = f"the existing public repository {repo_id}" if existing_public else f"a public repository {repo_id}"
        raise AdapterkitError(
            f"push {name}: it {reason} and no memorisation audit is recorded; run `adapterkit audit {name}` "
            f"before pushing it to {where} (or push to a private repository)"
        )
    if not public:
        raise AdapterkitError(
            f"push {name}: {repo_id} is a public repository and {name} {reason}; add --public to publish it "
            "(its card shows the recorded audit), or push to a private repository"
        )


def check_dp_mix(parts: list, accept_weaker: bool) -> None:
    """Refuse (one line) composing a differentially private adapter with one that is not, unless accepted.

    ``parts``: the composition's parts (``name`` and typed ``manifest``). The composition is only as
    private as its least private part: the DP part's ε says nothing about the other's lines.
    """
    private = [part.name for part in parts if part.manifest.privacy is not None and part.manifest.privacy.dp]
    plain = [part.name for part in parts if part.name not in private]
    if private and plain and not accept_weaker:
        raise AdapterkitError(
            f"compose: {', '.join(private)} trained with differential privacy, {', '.join(plain)} without; the "
            "composition has no DP guarantee for the latter's lines: add --accept-weaker-privacy to compose anyway"
        )
