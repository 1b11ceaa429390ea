"""The training progress bar every adapterkit run shows."""

from __future__ import annotations

import time

from transformers.trainer_callback import ProgressCallback


class ProgressBar(ProgressCallback):
    """transformers' progress bar, with the running loss and non-padding tokens per second.

    ``label`` names the run on the bar (a cv fold: "nl-clin fold 2/10"), so that a terminal full of
    bars says which variant and fold each one was."""

    def __init__(self, label: str | None = None) -> None:
        super().__init__()
        self.label = label
        self._started = 0.0
        self._tokens_at_start = 0
        self._postfix: dict[str, str] = {}

    def on_train_begin(self, args, state, control, **kwargs):
        super().on_train_begin(args, state, control, **kwargs)
        if self.training_bar is not None and self.label:
            self.training_bar.set_description(self.label, refresh=False)
        self._started = time.perf_counter()
        self._tokens_at_start = state.num_input_tokens_seen
        if self.training_bar is not None and state.global_step:
            self.training_bar.update(state.global_step)  # resumed: start where the checkpoint was

    def on_log(self, args, state, control, logs=None, **kwargs):
        if not state.is_world_process_zero or self.training_bar is None or not logs:
            return
        if "loss" in logs:
            self._postfix["loss"] = f"{logs['loss']:.3f}"
        self._postfix["tok/s"] = f"{self.tokens_per_second(state):,.0f}"
        self.training_bar.set_postfix(self._postfix, refresh=False)

    def tokens_per_second(self, state) -> float:
        """Non-padding tokens per second since this process started training."""
        elapsed = time.perf_counter() - self._started
        return (state.num_input_tokens_seen - self._tokens_at_start) / elapsed if elapsed > 0 else 0.0
