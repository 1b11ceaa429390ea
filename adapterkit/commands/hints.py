"""What to say when an option is not one of the command's: the name adapterkit uses for it.

Users of the transformers example scripts type their argument names from habit
(``--learning_rate``, ``--output_dir``). Click's own suggestion for those is a string-distance
guess that is often unrelated (``--lr`` is far from ``--learning_rate``); this table knows the
meaning. Only options the command really has are suggested, so the hint is never wrong.
"""

from __future__ import annotations

from collections.abc import Iterable

# Hugging Face argument name -> adapterkit options for the same idea, in order of preference.
# A value with a space is an option and its value (``--precision fp16``).
HF_NAMES: dict[str, tuple[str, ...]] = {
    "--learning_rate": ("--lr",),
    "--num_train_epochs": ("--epochs",),
    "--per_device_train_batch_size": ("--batch-size",),
    "--per_device_eval_batch_size": ("--batch-size",),
    "--gradient_accumulation_steps": ("--grad-accum",),
    "--model_name_or_path": ("--base", "--variant"),
    "--tokenizer_name": ("--base",),
    "--output_dir": ("--output", "--run-id"),
    "--train_file": ("--data", "--corpus"),
    "--validation_file": ("--eval-data",),
    "--test_file": ("--eval-data", "--input"),
    "--fp16": ("--precision fp16",),
    "--bf16": ("--precision bf16",),
    "--max_seq_length": ("--max-seq-len",),
    "--max_length": ("--max-seq-len",),
    "--warmup_ratio": ("--warmup-ratio", "--warmup-steps"),
    "--warmup_steps": ("--warmup-steps", "--warmup-ratio"),
    "--weight_decay": ("--weight-decay",),
    "--seed": ("--seed",),
    "--max_steps": ("--max-steps",),
    "--save_steps": ("--save-steps",),
    "--logging_steps": ("--logging-steps",),
    "--logging_dir": ("--logging-dir",),
    "--report_to": ("--report-to",),
    "--resume_from_checkpoint": ("--resume",),
    "--mlm_probability": ("--mlm-probability",),
    "--gradient_checkpointing": ("--gradient-checkpointing",),
    "--group_by_length": ("--group-by-length",),
    "--save_total_limit": ("--keep-checkpoints",),
    "--preprocessing_num_workers": ("--num-proc",),
    "--overwrite_output_dir": ("--force",),
    "--lora_r": ("--lora-r", "--task-lora-r", "--rank"),
    "--lora_alpha": ("--lora-alpha",),
    "--lora_dropout": ("--lora-dropout",),
    "--target_modules": ("--lora-targets",),
}


def option_hint(option: str, options: Iterable[str]) -> str | None:
    """``adapterkit calls this --lr`` for a Hugging Face name (or ``--a_b`` for ``--a-b``), else None.

    ``options`` are the flags of the command the user typed ``option`` to.
    """
    name = option.split("=", 1)[0]
    have = set(options)
    for candidate in HF_NAMES.get(name, ()):
        if candidate.split(" ", 1)[0] in have:
            return f"adapterkit calls this `{candidate}`"
    dashed = name.replace("_", "-")
    if dashed != name and dashed in have:
        return f"adapterkit calls this `{dashed}`"
    if name in HF_NAMES:  # click's string-distance guess would be unrelated to the meaning
        return "this command has no equivalent of that Hugging Face argument"
    return None
