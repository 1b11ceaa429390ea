"""The one check of every command that resumes (pretrain, finetune, cv): same settings or refuse."""

from __future__ import annotations

import json
from pathlib import Path

from ..errors import AdapterkitError
from ..manifest import read_run_settings

# Settings that came after runs could already be started, with the value that does what a run
# recorded without them did: such a run resumes when the setting has that value now. (Dotted: a
# key inside a recorded section, e.g. the task settings finetune and cv record under "settings".)
ADDED_SETTINGS: dict[str, object] = {
    "settings.warmup_steps": 0,  # finetune/cv --warmup-steps: before it, --warmup-ratio alone
}


# The key of what training computes beyond its options (``tasks.settings.TRAINING_RULES``).
RULES = "training_rules"


def check_same_settings(settings_file: Path, now: dict, start_over: str) -> None:
    """Refuse a ``--resume`` whose settings differ from those ``settings_file`` recorded at the start.

    ``now`` is compared after a JSON round trip (paths and tuples as the file holds them); a key the
    file lacks counts as changed unless ``ADDED_SETTINGS`` gives it the value it has now, and a key
    only the file has (a setting an older version recorded) is ignored. The error names the changed
    settings and ``start_over``: what to do instead.
    """
    saved = read_run_settings(settings_file) if settings_file.is_file() else {}
    now = json.loads(json.dumps(now, default=str))
    changed = sorted(key for key in now if _differs(saved, now, key))
    if RULES in changed:  # not an option: the user cannot repeat it
        raise AdapterkitError(
            f"--resume: {settings_file} was started by an earlier adapterkit, which trains this task "
            f"another way (now: {now[RULES]}); {start_over}"
        )
    if changed:
        raise AdapterkitError(
            f"--resume: {settings_file} was started with other settings ({', '.join(changed)}); "
            f"resume with the same options, or {start_over}"
        )


def _differs(saved: dict, now: dict, key: str, prefix: str = "") -> bool:
    dotted = prefix + key
    if key not in saved:
        return not (dotted in ADDED_SETTINGS and ADDED_SETTINGS[dotted] == now[key])
    if isinstance(saved[key], dict) and isinstance(now[key], dict):
        inner_saved, inner_now = saved[key], now[key]
        return any(_differs(inner_saved, inner_now, inner, dotted + ".") for inner in inner_now)
    return saved[key] != now[key]
