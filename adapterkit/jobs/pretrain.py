"""Continued MLM pre-training: full weights, or an adapter (LoRA, DoRA, IA³) on the frozen base.

One path for both modes, built on the transformers ``Trainer`` so that the same command runs
under ``torchrun`` / ``accelerate launch``. The model class computes the masked-only loss
(``mlm.py``); checkpoints every ``save_steps`` make a run resumable (``--resume``); held-out
perplexity is measured before and after on the same masked positions.

The adapter is built by its method (``methods/``: LoRA's defaults are rank 16, alpha 32, dropout
0.05 on every linear layer of every encoder block, learning rate 3e-4 against the 2e-5 of full
training). When the base's MLM head is new (the embedded default), its transform is trained
with the adapter and saved in the adapter folder; the decoder stays tied to the frozen
embeddings and the output bias stays as the base has it.
"""

from __future__ import annotations

import math
import shutil
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import partial
from pathlib import Path

import torch
from transformers import Trainer, TrainerCallback, set_seed
from transformers.trainer_callback import PrinterCallback

from ..card import render_card

# Re-exported: the shared choices PretrainConfig checks (tests/test_cli_choices.py asserts they are one object).
from ..choices import TRAIN_HEAD as TRAIN_HEAD
from ..corpus import BLOCK_MODES as BLOCK_MODES
from ..corpus import prepare, prepare_streaming
from ..errors import AdapterkitError
from ..mlm import MaskingEpoch, MLMCollator, heldout_perplexity
from ..models import (
    fingerprint,
    has_module,
    load_config,
    load_masked_lm,
    load_tokenizer,
    max_length,
    resolve_base,
)
from ..pretrain_config import PretrainConfig  # its settings, defaults and checks; importers name it from here
from ..privacy.canaries import insert_canaries
from ..privacy.options import planted_canaries, privacy_sections
from ..quantize import OPTIMIZERS
from ..registry import MANIFEST, Registry, check_name, check_writable, write_json
from ..safety import (
    atomic_write_json,
    check_finite_weights,
    check_replaceable,
    write_marker,
)
from ..speed import resolve_precision
from ..tracking import Tracking, log_evaluation
from ..training import (
    ProgressBar,
    check_same_settings,
    last_complete_checkpoint,
    process_state,
    train_with_checkpoints,
    training_arguments,
)
from ..versions import versions

HEAD_TRANSFORMS = ("cls.predictions.transform", "lm_head.dense", "lm_head.layer_norm")
# --streaming: blocks are shuffled in a buffer of this many (the in-memory path shuffles them all).
STREAM_SHUFFLE_BUFFER = 10_000


@dataclass
class PretrainResult:
    destination: Path
    manifest: dict


def _say(message: str) -> None:
    if torch.distributed.is_available() and torch.distributed.is_initialized() and torch.distributed.get_rank() != 0:
        return
    print(message, flush=True)


def _check_destination(config: PretrainConfig) -> Registry:
    destination = config.destination
    store = Registry(destination.parent)
    check_name(destination.name, "--output" if config.output else "--name")
    if destination.exists() and not config.force:
        what = "model folder" if config.full else "adapter"
        raise AdapterkitError(
            f"{what} {destination} already exists: choose another --name, or add --force to replace it"
        )
    return store


def _check_run_dir(config: PretrainConfig) -> Path | None:
    """The checkpoint to resume from, after checking the run folder agrees with the request."""
    check_writable(config.run_dir, "--work-dir")
    checkpoints = config.run_dir / "checkpoints"
    last = last_complete_checkpoint(checkpoints)
    settings_file = config.run_dir / "run.json"
    if config.resume:
        if last is None:
            raise AdapterkitError(f"--resume: no checkpoint in {checkpoints}; run without --resume to start")
        check_same_settings(settings_file, config.fingerprint_of_run(), "start over without --resume")
        return Path(last)
    if last is not None and not config.force:
        raise AdapterkitError(
            f"{config.run_dir} holds checkpoints of an earlier run: "
            "add --resume to continue it, or --force to start over"
        )
    if checkpoints.exists():
        # --force starts over: the earlier checkpoints go, or a later --resume (and the Trainer's
        # rotation of old checkpoints) could pick up a step of the earlier run.
        check_replaceable(config.run_dir, "pretrain-run", [*config.corpus, config.base])
        state = process_state()
        if state.is_main_process:
            shutil.rmtree(checkpoints)
        state.wait_for_everyone()
    return None


def _wrap_adapter(model, config: PretrainConfig, head_is_new: bool):
    from peft import get_peft_model

    train_head = config.train_head == "yes" or (config.train_head == "auto" and head_is_new)
    head_modules = [name for name in HEAD_TRANSFORMS if has_module(model, name)] if train_head else None
    adapter = config.adapter_method.build(config.adapter_settings(head_modules))
    return get_peft_model(model, adapter), head_modules or []


def _stream_sharding(config: PretrainConfig, files: int) -> dict:
    """Under torchrun, a stream of at least as many files as processes is read file-sharded.

    accelerate then gives each process its own files (``IterableDataset.shard``, the split of
    ``datasets.distributed.split_dataset_by_node``): every process cleans and tokenizes only its
    part. With fewer files, accelerate's default holds: the main process reads the stream and
    sends every process its slice of each batch (the blocks are then those of one process).
    """
    world = process_state().num_processes
    if not config.streaming or world < 2 or files < world:
        return {}
    return {"accelerator_config": {"dispatch_batches": False}}


def run_pretrain(config: PretrainConfig, callbacks: list[TrainerCallback] | None = None) -> PretrainResult:
    """Train, evaluate and save; returns where the result went and its manifest.

    The destination name is reserved (registry lock) before any work, so a second run with the
    same name is refused at once rather than after its training.
    """
    config.validate()
    Tracking(config.report_to, config.logging_dir).check()
    store = _check_destination(config)
    with store.reserve(config.destination.name, config.force, [*config.corpus, config.base]):
        return _train_and_save(config, store, callbacks)


def _train_and_save(config: PretrainConfig, store: Registry, callbacks: list[TrainerCallback] | None):
    resume_from = _check_run_dir(config)

    base = resolve_base(config.base)
    model_config = load_config(base)
    limit = max_length(model_config)
    if config.max_seq_len > limit:
        raise AdapterkitError(f"--max-seq-len {config.max_seq_len}: {config.base} accepts at most {limit} tokens")
    tokenizer = load_tokenizer(base)
    planted = planted_canaries(config)  # pretrain --canaries: secret-shaped lines for the audit (privacy/)
    # Under torchrun the main process tokenizes and fills the cache; the others then read it.
    with process_state().main_process_first():
        common = (
            config.corpus, tokenizer, config.max_seq_len, config.block_mode, config.heldout, config.seed,
            config.text_field,
        )  # fmt: skip
        if config.streaming:
            datasets, cleaning = prepare_streaming(*common)
        else:
            plant = (
                partial(insert_canaries, canaries=planted, repeats=config.canary_repeats, seed=config.seed)
                if planted
                else None
            )
            datasets, cleaning = prepare(*common, config.num_proc, plant)
    _say(f"corpus: {cleaning.summary()}")
    heldout_tokens = int(sum(datasets["heldout"]["length"]))
    if config.streaming:
        train_tokens = None  # unknown until read: the stream is tokenized while training consumes it
        _say(
            f"corpus: training blocks streamed from {len(cleaning.files)} file(s), "
            f"{len(datasets['heldout'])} held-out blocks ({heldout_tokens:,} tokens), mode {config.block_mode}"
        )
    else:
        train_tokens = int(sum(datasets["train"]["length"]))
        _say(
            f"corpus: {len(datasets['train'])} training blocks ({train_tokens:,} tokens), "
            f"{len(datasets['heldout'])} held-out blocks ({heldout_tokens:,} tokens), mode {config.block_mode}"
        )
    # The length column stays for the length-grouped sampler (the collator drops it); a stream has no
    # lengths to group by.
    grouped = config.length_grouped and not config.streaming
    train_set = datasets["train"] if grouped else datasets["train"].remove_columns("length")
    if config.streaming:
        train_set = train_set.shuffle(seed=config.seed, buffer_size=STREAM_SHUFFLE_BUFFER)
    heldout_set = datasets["heldout"].remove_columns("length")

    model, head_is_new = load_masked_lm(base)
    base_fingerprint = fingerprint(model)  # of the unquantized weights: adapters stay composable
    if config.quantize:
        del model
        model, head_is_new = load_masked_lm(base, quantize=config.quantize)
        _say(f"base: loaded {config.quantize}-quantized (bitsandbytes); only the adapter trains")
    if head_is_new:
        _say(
            f"base: {config.base} has no pretrained MLM head; the head is new "
            f"({'trained with the adapter' if not config.full else 'trained with the model'} unless --train-head no)"
        )
    collator = MLMCollator(tokenizer, config.mlm_probability, seed=config.seed)
    # Its own collator: the training one follows the epoch, and before/after must share masks.
    heldout_collator = MLMCollator(tokenizer, config.mlm_probability, seed=config.seed)
    ppl_before, masked_tokens = heldout_perplexity(model, heldout_set, heldout_collator)
    _say(
        f"held-out perplexity of the base: {ppl_before:,.2f} ({masked_tokens} masked tokens)"
        + (" (MLM head untrained)" if head_is_new else "")
    )

    set_seed(config.seed)
    head_modules: list[str] = []
    if not config.full:
        model, head_modules = _wrap_adapter(model, config, head_is_new)
        trainable, total = model.get_nb_trainable_parameters()
        share = f"{100 * trainable / total:.2f} %"
        _say(f"{config.adapter_method.title}: {trainable:,} trainable of {total:,} parameters ({share})")

    config.run_dir.mkdir(parents=True, exist_ok=True)
    if process_state().is_main_process:  # under torchrun: one writer
        write_marker(config.run_dir, "pretrain-run")
        atomic_write_json(config.run_dir / "run.json", config.fingerprint_of_run())
    tracking = Tracking(config.report_to, config.logging_dir)
    tracked, tracking_callbacks = tracking.trainer_setup(config.run_dir / "logs", config.name)
    logs = tracking.announcement(config.run_dir / "logs", config.name)
    if logs:
        _say(logs)
    args = training_arguments(
        config.run_dir / "checkpoints",
        config.seed,
        precision=config.precision,
        gradient_checkpointing=config.gradient_checkpointing,
        group_by_length=config.length_grouped,
        per_device_train_batch_size=config.batch_size,
        gradient_accumulation_steps=config.grad_accum,
        learning_rate=config.learning_rate,
        weight_decay=config.weight_decay,
        warmup_ratio=config.warmup_ratio,
        warmup_steps=config.warmup_steps,
        num_train_epochs=config.epochs,
        max_steps=config.max_steps,
        logging_steps=config.logging_steps,
        save_strategy="steps",
        save_steps=config.save_steps,
        save_total_limit=2,
        ddp_find_unused_parameters=False,  # every trainable weight takes part in every step
        optim=OPTIMIZERS[config.optim],
        **_stream_sharding(config, len(cleaning.files)),
        **tracked,
    )
    progress = ProgressBar(config.name)
    if config.dp_epsilon is not None:  # DP-SGD: Opacus in its own small loop (privacy/dp.py), not the Trainer
        from ..privacy.dp import DPTrainer

        trainer = DPTrainer(model, train_set, collator, config, progress, _say)
    else:
        trainer = Trainer(
            model=model,
            args=args,
            train_dataset=train_set,
            data_collator=collator,
            callbacks=[progress, MaskingEpoch(collator), *tracking_callbacks, *(callbacks or [])],
        )
        trainer.remove_callback(PrinterCallback)
    started = time.perf_counter()
    output = train_with_checkpoints(trainer, config.run_dir / "checkpoints", resume_from)
    runtime = time.perf_counter() - started
    check_finite_weights(model, f"{config.name} after {output.global_step} steps")  # a diverged run saves nothing

    ppl_after, _ = heldout_perplexity(model, heldout_set, heldout_collator)
    # the held-out perplexity to TensorBoard / W&B too (eval/perplexity): before training at step 0, after at the end
    log_evaluation(trainer, {"perplexity": ppl_before}, step=0)
    log_evaluation(trainer, {"perplexity": ppl_after})
    _say(f"held-out perplexity: base {ppl_before:,.2f} -> {config.name} {ppl_after:,.2f}")

    manifest = {
        "name": config.destination.name,
        "kind": "model" if config.full else ("domain" if config.domain else "language"),
        "languages": config.language,
        "domain": config.domain,
        "base": {
            "id": config.base,
            "peft_base_model": base.peft_base_name,
            "revision": base.revision,
            "fingerprint": base_fingerprint,
            "mlm_head": "new" if head_is_new else "pretrained",
        },
        "corpus": {
            "files": [record.to_dict() for record in cleaning.files],
            "cleaning": {k: v for k, v in cleaning.to_dict().items() if k != "files"},
            "train_tokens": train_tokens,
            "heldout_tokens": heldout_tokens,
            "heldout_fraction": config.heldout,
            "block_mode": config.block_mode,
            "streaming": config.streaming,
            "text_field": config.text_field,  # audit re-reads the split from the files
        },
        "hyperparameters": {
            "mode": "full" if config.full else config.method,
            "epochs": config.epochs,
            "max_steps": config.max_steps,
            "steps": output.global_step,
            "batch_size": config.batch_size,
            "grad_accum": config.grad_accum,
            "learning_rate": config.learning_rate,
            "weight_decay": config.weight_decay,
            "warmup_ratio": config.warmup_ratio,
            "warmup_steps": config.warmup_steps,
            "max_seq_len": config.max_seq_len,
            "mlm_probability": config.mlm_probability,
            "masking": "80% [MASK] / 10% random / 10% unchanged",
            "seed": config.seed,
            "precision": resolve_precision(config.precision),
            "group_by_length": config.length_grouped,
            "optim": config.optim,
            "quantize": config.quantize,
            **(
                {}
                if config.full
                else {
                    **config.adapter_method.hyperparameters(config.adapter_settings()),
                    "trained_head_modules": head_modules,
                    **(
                        {"trainable_token_ids": f"{config.new_token_ids[0]}..{config.new_token_ids[-1]}"}
                        if config.new_token_ids
                        else {}
                    ),
                }
            ),
        },
        "perplexity": {"before": ppl_before, "after": ppl_after, "heldout_masked_tokens": masked_tokens},
        "training": {
            # the last logged loss (what the curve ends at) and the mean over the run (the Trainer's)
            "final_loss": next(
                (entry["loss"] for entry in reversed(trainer.state.log_history) if "loss" in entry), None
            ),
            "mean_loss": output.training_loss,
            "runtime_s": round(runtime, 2),
            "tokens_seen": trainer.state.num_input_tokens_seen,
            "tokens_per_s": round(progress.tokens_per_second(trainer.state), 1),
            "resumed_from": str(resume_from) if resume_from else None,
            # the training curve of reports: loss per logging step, held-out perplexity before and after
            "log": [
                {key: entry[key] for key in ("step", "loss", "learning_rate") if key in entry}
                for entry in trainer.state.log_history
                if "loss" in entry
            ]
            + [{"step": 0, "perplexity": ppl_before}, {"step": output.global_step, "perplexity": ppl_after}],
        },
        **privacy_sections(config, planted, getattr(trainer, "dp_record", None)),
        "versions": versions(),
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }
    for value in (ppl_before, ppl_after):
        if not math.isfinite(value):
            raise AdapterkitError("held-out perplexity is not finite: the held-out split has no masked tokens")

    def write(folder: Path) -> None:
        if config.full:
            model.save_pretrained(folder)
            tokenizer.save_pretrained(folder)
        else:
            model.peft_config["default"].base_model_name_or_path = base.peft_base_name
            # The embedding layer is frozen and never saved: skip PEFT's hub lookup that checks it.
            model.save_pretrained(folder, save_embedding_layers=False)
        (folder / "README.md").write_text(render_card(manifest))
        write_json(folder / MANIFEST, manifest)

    if trainer.is_world_process_zero():
        destination = store.save(
            config.destination.name, write, force=config.force, inputs=[*config.corpus, config.base]
        )
        _say(f"saved {'model' if config.full else 'adapter'} to {destination}")
        if not config.keep_checkpoints:  # the result is saved: checkpoints only served a resume
            shutil.rmtree(config.run_dir / "checkpoints", ignore_errors=True)
    return PretrainResult(config.destination, manifest)
