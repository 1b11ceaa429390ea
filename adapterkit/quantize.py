"""Quantized frozen base (bitsandbytes) for LoRA training, and the 8-bit AdamW for full training.

``--quantize 8bit|4bit`` loads the base's encoder linear layers as bitsandbytes int8 (LLM.int8)
or NF4 weights; only the LoRA factors (and the heads, kept in full precision) train, so the
frozen base costs a quarter (8-bit) or an eighth (4-bit) of its float32 memory. The model goes
through ``peft.prepare_model_for_kbit_training`` right after loading, before any forward pass
(it casts the remaining small weights to float32 and lets gradients reach the adapters through
the frozen embeddings). Adapters trained this way are ordinary PEFT adapters: they load on the
unquantized base. ``--optim adamw8bit`` keeps AdamW's two moments in 8 bits (bitsandbytes), the
largest memory item of full training after the weights.

bitsandbytes is an optional dependency (``pip install 'adapterkit[quant]'``), imported only here.
"""

from __future__ import annotations

import torch

from .choices import OPTIMIZERS, QUANTIZE_MODES
from .errors import AdapterkitError
from .training.distributed import process_state

# Heads stay in full precision: the MLM head is trained (when new) or tied to the embeddings,
# task heads are trained.
KEEP_FULL_PRECISION = ["cls", "lm_head", "classifier", "pooler"]


def require_bitsandbytes(option: str):
    try:
        import bitsandbytes
    except ImportError:
        raise AdapterkitError(f"{option} needs bitsandbytes: pip install 'adapterkit[quant]'") from None
    return bitsandbytes


def check_options(quantize: str | None, optim: str, full: bool) -> None:
    """One-line errors for impossible combinations, before anything is loaded."""
    if quantize is not None:
        if quantize not in QUANTIZE_MODES:
            raise AdapterkitError(f"--quantize {quantize!r}: choose one of {', '.join(QUANTIZE_MODES)}")
        if full:
            raise AdapterkitError(
                "--quantize trains LoRA adapters on a frozen quantized base: quantized weights cannot be trained "
                "with --full (use --optim adamw8bit to save memory in full training)"
            )
        require_bitsandbytes(f"--quantize {quantize}")
    if optim not in OPTIMIZERS:
        raise AdapterkitError(f"--optim {optim!r}: choose one of {', '.join(OPTIMIZERS)}")
    if optim == "adamw8bit":
        require_bitsandbytes("--optim adamw8bit")


def quantization_config(mode: str):
    """The ``BitsAndBytesConfig`` of ``--quantize mode``."""
    require_bitsandbytes(f"--quantize {mode}")
    from transformers import BitsAndBytesConfig

    if mode == "8bit":
        return BitsAndBytesConfig(load_in_8bit=True, llm_int8_skip_modules=KEEP_FULL_PRECISION)
    compute = torch.bfloat16 if torch.cuda.is_available() and torch.cuda.is_bf16_supported() else torch.float32
    return BitsAndBytesConfig(
        load_in_4bit=True,
        bnb_4bit_quant_type="nf4",
        bnb_4bit_use_double_quant=True,
        bnb_4bit_compute_dtype=compute,
        llm_int8_skip_modules=KEEP_FULL_PRECISION,
    )


def load_kwargs(mode: str) -> dict:
    """``from_pretrained`` arguments that load the base quantized onto this process's device."""
    kwargs = {"quantization_config": quantization_config(mode)}
    if torch.cuda.is_available():
        kwargs["device_map"] = {"": process_state().device}  # under torchrun: this process's GPU
    return kwargs


def prepare_for_training(model):
    """``peft.prepare_model_for_kbit_training``; gradient checkpointing stays a separate choice."""
    from peft import prepare_model_for_kbit_training

    model = prepare_model_for_kbit_training(model, use_gradient_checkpointing=False)
    for module in model.modules():
        if getattr(module, "support_avx512bf16_for_cpu", False):
            # On CPUs with AVX512-BF16, bitsandbytes repacks 4-bit weights into an inference-only
            # layout at the first eval-mode forward (the held-out perplexity before training); the
            # training forward then fails. A model that trains keeps the trainable layout.
            module.support_avx512bf16_for_cpu = False
    return model
