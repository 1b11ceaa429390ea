"""Package versions, recorded with every result so a run can be reproduced."""

from __future__ import annotations

# What the results depend on: training (torch, transformers, peft, datasets) and the statistics
# and metrics (scipy: Wilcoxon and bootstrap; seqeval: entity scores; scikit-learn: classification
# metrics, stratified folds, t-SNE).
PACKAGES = ("torch", "transformers", "peft", "datasets", "scipy", "seqeval", "scikit-learn")


def versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    from . import __version__

    recorded = {"adapterkit": __version__}
    for package in PACKAGES:
        try:
            recorded[package] = version(package)
        except PackageNotFoundError:  # an optional one absent here is recorded as such, not guessed
            recorded[package] = "not installed"
    return recorded
