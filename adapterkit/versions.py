"""Package versions, recorded with every result so a run can be reproduced."""

from __future__ import annotations


def versions() -> dict[str, str]:
    import datasets
    import peft
    import torch
    import transformers

    from . import __version__

    return {
        "adapterkit": __version__,
        "torch": torch.__version__,
        "transformers": transformers.__version__,
        "peft": peft.__version__,
        "datasets": datasets.__version__,
    }
