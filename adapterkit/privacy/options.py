"""Pretrain's privacy options (``--private-corpus``, ``--canaries``, ``--dp-*``): checks and manifest sections.

Model-free: ``PretrainConfig.validate`` calls ``check_privacy_options`` before anything is loaded,
and ``pretrain`` adds ``privacy_sections`` to the manifest it writes.
"""

from __future__ import annotations

import math
from typing import Any

from ..errors import AdapterkitError

DEFAULT_CANARY_REPEATS = 10
DEFAULT_MAX_GRAD_NORM = 1.0


def check_privacy_options(config: Any) -> None:
    """One line naming the option for every privacy setting that cannot run (``config``: a PretrainConfig)."""
    if config.canaries < 0:
        raise AdapterkitError(f"--canaries {config.canaries}: expected zero or a positive number of canary lines")
    if config.canaries and config.canary_repeats < 1:
        raise AdapterkitError(f"--canary-repeats {config.canary_repeats}: expected a positive number of repeats")
    if config.canaries and config.streaming:
        raise AdapterkitError(
            "--canaries: not with --streaming (canaries are inserted into the in-memory training lines)"
        )
    dp = config.dp_epsilon is not None
    if not dp:
        if config.dp_delta is not None or config.dp_max_grad_norm is not None:
            raise AdapterkitError(
                "--dp-delta / --dp-max-grad-norm: give --dp-epsilon E to train with differential privacy"
            )
        return
    if not (math.isfinite(config.dp_epsilon) and config.dp_epsilon > 0):
        raise AdapterkitError(f"--dp-epsilon {config.dp_epsilon}: expected a positive privacy budget such as 8")
    if config.dp_delta is not None and not 0 < config.dp_delta < 1:
        raise AdapterkitError(f"--dp-delta {config.dp_delta}: expected a probability in (0, 1) such as 1e-5")
    if config.dp_max_grad_norm is not None and not config.dp_max_grad_norm > 0:
        raise AdapterkitError(f"--dp-max-grad-norm {config.dp_max_grad_norm}: expected a positive clipping norm")
    refused = [
        (config.full, "--full: per-example gradients of every weight need too much memory; train a LoRA adapter"),
        (config.streaming, "--streaming: the accounting needs the number of training blocks; drop --streaming"),
        (config.resume, "--resume: a differentially private run is not resumable; start again without --resume"),
        (config.quantize is not None, "--quantize: per-example gradients need a full-precision base"),
        (config.precision not in ("auto", "fp32"), f"--precision {config.precision}: DP training runs in fp32"),
        (bool(config.new_token_ids), "new vocabulary rows (vocab extend): not supported"),
    ]
    for bad, message in refused:
        if bad:
            raise AdapterkitError(f"--dp-epsilon with {message}")


def privacy_sections(config: Any, canaries: list[str], dp: dict | None) -> dict:
    """The manifest's ``privacy`` section (shared) and ``private`` one (never pushed) of a pretrain run."""
    privacy: dict = {"private_corpus": bool(config.private_corpus)}
    if canaries:
        from .canaries import SHAPE  # torch: only for a run that planted canaries

        privacy["canaries"] = {"count": len(canaries), "repeats": config.canary_repeats, "shape": SHAPE}
    if dp is not None:
        privacy["dp"] = dp
    sections: dict = {"privacy": privacy}
    if canaries:
        sections["private"] = {"canaries": list(canaries)}
    return sections


def planted_canaries(config: Any) -> list[str]:
    """The canary lines of this run: drawn now, or (``--resume``) those the run folder kept.

    They are written to RUN_DIR/canaries.json (a local folder, never shared) so that a resumed run
    trains on the same lines; the manifest's ``private`` section keeps them with the adapter.
    """
    import json

    from ..atomic import atomic_write_json
    from .canaries import make_canaries

    if not config.canaries:
        return []
    kept = config.run_dir / "canaries.json"
    if config.resume and kept.is_file():
        lines = json.loads(kept.read_text(encoding="utf-8"))
        if isinstance(lines, list) and len(lines) == config.canaries and all(isinstance(x, str) for x in lines):
            return lines
    lines = make_canaries(config.canaries, config.language)
    config.run_dir.mkdir(parents=True, exist_ok=True)
    atomic_write_json(kept, lines)
    return lines
