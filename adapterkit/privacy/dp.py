"""Differentially private LoRA pre-training (DP-SGD, Abadi et al. 2016) with Opacus.

``pretrain --dp-epsilon E`` trains the adapter in this small loop instead of the transformers
``Trainer``: Opacus needs its own optimizer (per-example clipping and noise), its own sampling
(Poisson) and its accountant, which the Trainer's optimizer, sampler and gradient accumulation
would bypass. What it does, step by step:

- the privacy unit is one training example (a block: with ``--block-mode line``, one line; with
  ``packed`` blocks, the lines packed together); the sample rate is q = batch × accumulation / N
  blocks, and every step draws its batch by Poisson sampling (each block independently with
  probability q, from a generator seeded by ``--seed``), so a batch may be empty;
- per-example gradients of the trainable parameters only (LoRA matrices, and the MLM head
  transform when it trains) come from Opacus' ``GradSampleModule``; the frozen base and the
  tied decoder need none. Each example's loss is the mean over its masked positions; the head
  transform runs on the whole (batch, length, hidden) tensor so that each row is one example;
- ``DPOptimizer`` clips each example's gradient to ``--dp-max-grad-norm`` (default 1.0), adds
  Gaussian noise of standard deviation noise multiplier × norm and divides by the expected batch;
  a drawn batch larger than ``--batch-size`` runs in physical chunks whose clipped gradients are
  summed before the one noisy step (``signal_skip_step``, as Opacus' BatchMemoryManager does);
- the noise multiplier is the one Opacus' ``get_noise_multiplier`` finds for E at δ (default
  1/N) over the planned steps with the RDP accountant; the RDP accountant attached to the
  optimizer counts the steps actually taken, and its ε is what the manifest records.

AdamW with the run's learning rate, weight decay and linear warm-up/decay. Not resumable (no
checkpoints), one process, fp32. A canary repeated r times, or a line repeated in the corpus,
is protected only at the group level (about r·ε).
"""

from __future__ import annotations

import math
import time
from types import SimpleNamespace
from typing import Any

import torch
from torch import nn
from transformers import TrainerState, get_linear_schedule_with_warmup
from transformers.trainer_utils import TrainOutput

from ..errors import AdapterkitError
from ..training.arguments import warmup_steps_for
from .options import DEFAULT_MAX_GRAD_NORM
from .scoring import encoded_batch

ACCOUNTANT = "rdp"


def per_example_loss(model: nn.Module, batch: dict) -> torch.Tensor:
    """Mean over the examples of each example's mean masked-token loss (rows stay examples throughout)."""
    head, hidden, selected = encoded_batch(model, batch)
    labels = batch["labels"]
    predictions = getattr(head, "predictions", None)
    if predictions is not None and hasattr(predictions, "transform") and hasattr(predictions, "decoder"):
        # BERT: the (trainable) transform per example, then the frozen tied decoder on masked positions only
        logits = predictions.decoder(predictions.transform(hidden)[selected]).float()
    else:
        logits = head(hidden)[selected].float()
    losses = nn.functional.cross_entropy(logits, labels[selected], reduction="none")
    rows = selected.nonzero()[:, 0]
    count = len(labels)
    sums = torch.zeros(count, device=losses.device, dtype=losses.dtype).index_add(0, rows, losses)
    masked = torch.zeros(count, device=losses.device, dtype=losses.dtype).index_add(0, rows, torch.ones_like(losses))
    return (sums / masked.clamp(min=1)).mean()


def epsilon_of(noise_multiplier: float, sample_rate: float, steps: int, delta: float) -> float:
    """ε spent after ``steps`` Poisson-sampled steps: Opacus' RDP accountant from its history."""
    from opacus.accountants import RDPAccountant

    accountant = RDPAccountant()
    accountant.history = [(noise_multiplier, sample_rate, steps)] if steps else []
    return float(accountant.get_epsilon(delta)) if steps else 0.0


class DPTrainer:
    """What ``pretrain`` uses of a ``Trainer`` (``train``, ``state``, ``is_world_process_zero``), with DP-SGD."""

    def __init__(self, model: nn.Module, train_set, collator, config: Any, progress, say) -> None:
        try:
            import opacus  # noqa: F401
        except ImportError:
            raise AdapterkitError(
                "--dp-epsilon needs Opacus: pip install 'adapterkit[dp]' (or pip install opacus)"
            ) from None
        if torch.distributed.is_available() and torch.distributed.is_initialized():
            raise AdapterkitError("--dp-epsilon: run in one process (not under torchrun)")
        self.model, self.train_set, self.collator, self.config = model, train_set, collator, config
        self.progress, self.say = progress, say
        self.state = TrainerState()
        self.callback_handler = SimpleNamespace(callbacks=[progress])
        self.dp_record: dict | None = None

    def is_world_process_zero(self) -> bool:
        return True

    def add_callback(self, callback) -> None:
        """Kept for ``train_with_checkpoints``; the DP loop calls no Trainer callback. It writes no
        checkpoint (``--resume`` is refused with DP), so a SIGTERM ends it like a ctrl-C: exit 143, no
        ``--resume`` line to follow."""
        self.callback_handler.callbacks.append(callback)

    def log(self, logs: dict[str, float]) -> None:
        """Evaluation figures (``tracking.log_evaluation``): into the run's log history, as the Trainer's
        ``log`` does; the DP loop reports to no tracker."""
        self.state.log_history.append({**logs, "step": self.state.global_step})

    def remove_callback(self, callback) -> None:
        if callback in self.callback_handler.callbacks:
            self.callback_handler.callbacks.remove(callback)

    def plan(self) -> tuple[int, float, int, float, float]:
        """Training blocks N, sample rate q, steps, δ and the noise multiplier for the target ε."""
        from opacus.accountants.utils import get_noise_multiplier

        config = self.config
        blocks = len(self.train_set)
        expected = config.batch_size * config.grad_accum
        if blocks < 2:
            raise AdapterkitError(f"--dp-epsilon: {blocks} training block; DP training needs a corpus of many lines")
        rate = min(1.0, expected / blocks)
        steps = config.max_steps if config.max_steps > 0 else max(1, math.ceil(config.epochs / rate))
        delta = config.dp_delta if config.dp_delta is not None else 1.0 / blocks
        try:
            noise = get_noise_multiplier(
                target_epsilon=config.dp_epsilon,
                target_delta=delta,
                sample_rate=rate,
                steps=steps,
                accountant=ACCOUNTANT,
            )
        except ValueError as error:
            raise AdapterkitError(
                f"--dp-epsilon {config.dp_epsilon}: Opacus finds no noise level for it ({error}); "
                "give a larger --dp-epsilon or fewer steps"
            ) from None
        return blocks, rate, steps, delta, float(noise)

    def train(self, resume_from_checkpoint: str | None = None) -> TrainOutput:
        from opacus import GradSampleModule
        from opacus.accountants import RDPAccountant
        from opacus.optimizers import DPOptimizer

        config = self.config
        blocks, rate, steps, delta, noise = self.plan()
        norm = config.dp_max_grad_norm if config.dp_max_grad_norm is not None else DEFAULT_MAX_GRAD_NORM
        expected = config.batch_size * config.grad_accum
        self.say(
            f"DP-SGD (Opacus): target ε {config.dp_epsilon} at δ {delta:.3g}, {blocks} blocks, sample rate {rate:.4g}, "
            f"{steps} steps, noise multiplier {noise:.4f}, clipping norm {norm}"
        )
        device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
        model = self.model.to(device)
        model.train()
        wrapped = GradSampleModule(model, batch_first=True, loss_reduction="mean")
        trainable = [p for p in model.parameters() if p.requires_grad]
        optimizer = DPOptimizer(
            torch.optim.AdamW(trainable, lr=config.learning_rate, weight_decay=config.weight_decay),
            noise_multiplier=noise,
            max_grad_norm=norm,
            expected_batch_size=expected,
            loss_reduction="mean",
            generator=torch.Generator(device=device).manual_seed(config.seed + 1),
        )
        accountant = RDPAccountant()
        optimizer.attach_step_hook(accountant.get_optimizer_hook_fn(sample_rate=rate))
        schedule = get_linear_schedule_with_warmup(
            optimizer.original_optimizer, warmup_steps_for(config.warmup_ratio, config.warmup_steps, steps), steps
        )
        sampler = torch.Generator().manual_seed(config.seed)
        self.progress._started, self.progress._tokens_at_start = time.perf_counter(), 0
        state, total, logged = self.state, 0.0, 0.0
        state.max_steps = steps
        try:
            for step in range(1, steps + 1):
                self.collator.epoch = int((step - 1) * rate)
                drawn = torch.nonzero(torch.rand(blocks, generator=sampler) < rate)[:, 0].tolist()
                loss = self._step(wrapped, optimizer, drawn, trainable, device)
                schedule.step()
                total += loss
                logged += loss
                state.global_step = step
                if step % config.logging_steps == 0 or step == steps:
                    since = step % config.logging_steps or config.logging_steps
                    entry = {"step": step, "loss": round(logged / since, 4), "learning_rate": schedule.get_last_lr()[0]}
                    state.log_history.append(entry)
                    logged = 0.0
        finally:
            wrapped._close()  # removes the hooks; the PEFT model is saved as usual
            for parameter in trainable:
                parameter.grad_sample = None
                parameter.summed_grad = None
            model.to("cpu")
        spent = float(accountant.get_epsilon(delta))
        self.dp_record = {
            "epsilon": spent,
            "target_epsilon": float(config.dp_epsilon),
            "delta": delta,
            "max_grad_norm": float(norm),
            "noise_multiplier": noise,
            "sample_rate": rate,
            "steps": steps,
            "accountant": ACCOUNTANT,
            "unit": "training line" if config.block_mode == "line" else "training block (lines packed together)",
        }
        self.say(f"DP-SGD: spent ε = {spent:.3f} at δ = {delta:.3g} ({ACCOUNTANT} accountant, {steps} steps)")
        return TrainOutput(steps, total / steps, {})

    def _step(self, wrapped, optimizer, drawn: list[int], trainable: list, device) -> float:
        """One noisy optimiser step on the Poisson batch ``drawn`` (chunks of --batch-size); its mean loss."""
        optimizer.zero_grad(set_to_none=True)
        chunks = [drawn[i : i + self.config.batch_size] for i in range(0, len(drawn), self.config.batch_size)]
        if not chunks:  # an empty Poisson batch: still a step, of noise only (the accountant counts it)
            for parameter in trainable:
                parameter.grad_sample = torch.zeros((0, *parameter.shape), device=device, dtype=parameter.dtype)
            optimizer.step()
            return 0.0
        total = 0.0
        for k, chunk in enumerate(chunks):
            batch = self.collator([self.train_set[i] for i in chunk])
            self.state.num_input_tokens_seen += int(batch["attention_mask"].sum()) if "attention_mask" in batch else 0
            batch = {key: value.to(device) for key, value in batch.items()}
            loss = per_example_loss(wrapped, batch)
            loss.backward()
            total += loss.detach().item() * len(chunk)
            if k < len(chunks) - 1:
                optimizer.signal_skip_step(do_skip=True)
                optimizer.step()  # clips and sums this chunk's per-example gradients; no noise, no update yet
                optimizer.zero_grad(set_to_none=True)
        optimizer.step()
        return total / len(drawn)
