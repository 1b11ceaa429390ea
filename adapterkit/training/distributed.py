"""This process's place under torchrun / accelerate launch."""

from __future__ import annotations

import torch
from accelerate import PartialState


def process_state() -> PartialState:
    """This process's place under torchrun / accelerate launch (one process otherwise).

    Without CUDA, accelerate sets up the CPU process group only when asked (``cpu=True``); a plain
    ``PartialState()`` would make every process believe it is the main one, so two processes would
    write (and clear) the same folders. The state is shared by the process: the first call decides.
    """
    return PartialState(cpu=not torch.cuda.is_available())
