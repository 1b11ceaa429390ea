"""The one check of every command that resumes (pretrain, finetune, cv): same settings or refuse."""

from __future__ import annotations

import json
from pathlib import Path

from ..errors import AdapterkitError
from ..manifest import read_run_settings


def check_same_settings(settings_file: Path, now: dict, start_over: str) -> None:
    """Refuse a ``--resume`` whose settings differ from those ``settings_file`` recorded at the start.

    ``now`` is compared after a JSON round trip (paths and tuples as the file holds them); a key the
    file lacks counts as changed, and a key only the file has (a setting an older version recorded)
    is ignored. The error names the changed settings and ``start_over``: what to do instead.
    """
    saved = read_run_settings(settings_file) if settings_file.is_file() else {}
    now = json.loads(json.dumps(now, default=str))
    changed = sorted(key for key in now if saved.get(key) != now[key])
    if changed:
        raise AdapterkitError(
            f"--resume: {settings_file} was started with other settings ({', '.join(changed)}); "
            f"resume with the same options, or {start_over}"
        )
