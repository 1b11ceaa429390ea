"""Which linear layers of an encoder block a LoRA adapter wraps (pretrain, finetune, benchmarks share them)."""

from __future__ import annotations

LORA_TARGETS = {
    "query": r"attention\.self\.query",
    "key": r"attention\.self\.key",
    "value": r"attention\.self\.value",
    "attention-output": r"attention\.output\.dense",
    "intermediate": r"intermediate\.dense",
    "output": r"output\.dense",
}


def lora_target_pattern(targets: list[str]) -> str:
    """A PEFT ``target_modules`` regex naming the chosen linear layers of every encoder block."""
    alternatives = "|".join(LORA_TARGETS[target] for target in targets)
    return rf".*encoder\.layer\.\d+\.({alternatives})"
