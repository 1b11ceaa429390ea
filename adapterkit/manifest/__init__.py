"""The files adapterkit reads back, each defined once: types, required fields, ranges.

Every JSON or TOML file adapterkit reads after it left the process that wrote it (or came from
elsewhere: a Hub download, a hand-edited recipe) is checked against its schema before any field
is used, so a wrong file is one line naming the file and the field — exit code 2 — never a
``TypeError``/``KeyError`` traceback from deep inside. One module per idea:

- ``schema``: the small schema language (``Spec``, ``Obj``, ``Str``, … ``validate``, ``read_json``);
- ``adapter``: ``adapterkit.json``, the adapter/model manifest (``MANIFEST_SPEC``, the typed
  ``AdapterManifest``; ``schema_version`` 1, manifests from before the field are read as version 1);
- ``adapter_config``: ``adapter_config.json``, PEFT's LoRA settings (``AdapterConfig``), and the
  safetensors tensors against it (``tensor_problems``);
- ``records``: recipe TOML (``RECIPE``, ``STEP``), a recipe's step records (``STEP_RECORD``),
  ``comparison.json`` (``COMPARISON``).

This package re-exports their public names, so ``from adapterkit.manifest import X`` keeps working.
"""

from .adapter import (
    BASE,
    COMPOSITION,
    CORPUS,
    FILE_RECORD,
    HYPERPARAMETERS,
    KINDS,
    MANIFEST,
    MANIFEST_FIX,
    MANIFEST_SPEC,
    PERPLEXITY,
    SCHEMA_VERSION,
    TASKS,
    VOCABULARY_KINDS,
    AdapterManifest,
    BaseRecord,
    check_manifest,
    read_manifest,
)
from .adapter_config import (
    ADAPTER_CONFIG_SPEC,
    CONFIG_FIX,
    AdapterConfig,
    check_tensors,
    peft_loading,
    read_adapter_config,
    tensor_problems,
)
from .records import (
    ARG_VALUE,
    COMMANDS,
    COMPARISON,
    COMPARISON_FIX,
    PAIRED_TEST,
    RECIPE,
    RECIPE_FIX,
    STEP,
    STEP_RECORD,
    SUMMARY,
    read_comparison,
)
from .schema import (
    NAME,
    Any_,
    Bool,
    Either,
    Int,
    ListOf,
    MapOf,
    Name,
    Num,
    Obj,
    Opt,
    Spec,
    Str,
    Wrong,
    read_checked,
    read_json,
    require,
    validate,
)

__all__ = [
    "ADAPTER_CONFIG_SPEC",
    "ARG_VALUE",
    "BASE",
    "COMMANDS",
    "COMPARISON",
    "COMPARISON_FIX",
    "COMPOSITION",
    "CONFIG_FIX",
    "CORPUS",
    "FILE_RECORD",
    "HYPERPARAMETERS",
    "KINDS",
    "MANIFEST",
    "MANIFEST_FIX",
    "MANIFEST_SPEC",
    "NAME",
    "PAIRED_TEST",
    "PERPLEXITY",
    "RECIPE",
    "RECIPE_FIX",
    "SCHEMA_VERSION",
    "STEP",
    "STEP_RECORD",
    "SUMMARY",
    "TASKS",
    "VOCABULARY_KINDS",
    "AdapterConfig",
    "AdapterManifest",
    "Any_",
    "BaseRecord",
    "Bool",
    "Either",
    "Int",
    "ListOf",
    "MapOf",
    "Name",
    "Num",
    "Obj",
    "Opt",
    "Spec",
    "Str",
    "Wrong",
    "check_manifest",
    "check_tensors",
    "peft_loading",
    "read_adapter_config",
    "read_checked",
    "read_comparison",
    "read_json",
    "read_manifest",
    "require",
    "tensor_problems",
    "validate",
]
