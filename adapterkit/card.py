"""Model cards: the README.md of an adapter or model folder, with Hub metadata."""

from __future__ import annotations

import json


def _yaml_list(values: list[str]) -> str:
    return "".join(f"\n- {json.dumps(value, ensure_ascii=False)}" for value in values) if values else " []"


def render_card(manifest: dict) -> str:
    """A model card built from the manifest; every figure in it comes from the manifest."""
    base = manifest["base"]
    hyper = manifest["hyperparameters"]
    corpus = manifest["corpus"]
    ppl = manifest["perplexity"]
    is_adapter = hyper["mode"] == "lora"
    tags = ["adapterkit", "medical", "fill-mask", "lora" if is_adapter else "domain-adaptive-pretraining"]
    if manifest.get("domain"):
        tags.append(manifest["domain"])
    header = "---\n"
    if is_adapter:
        header += "library_name: peft\n"
    header += f"base_model: {json.dumps(base['peft_base_model'])}\n"
    header += f"language:{_yaml_list(manifest['languages'])}\n"
    header += f"tags:{_yaml_list(tags)}\n"
    header += "pipeline_tag: fill-mask\n---\n"
    files = "\n".join(
        f"| `{record['path']}` | {record['lines']:,} | `{record['sha256'][:16]}…` |" for record in corpus["files"]
    )
    cleaning = corpus["cleaning"]
    hyper_rows = "\n".join(f"| {key} | {value} |" for key, value in hyper.items())
    what = (
        f"A LoRA adapter ({manifest['kind']}) for `{base['id']}`"
        if is_adapter
        else f"`{base['id']}` after continued masked-language-model pre-training of all weights"
    )
    languages = ", ".join(manifest["languages"]) or "unspecified"
    usage = (
        f"""```python
from transformers import AutoModelForMaskedLM
from peft import PeftModel

base = AutoModelForMaskedLM.from_pretrained({json.dumps(base["peft_base_model"])})
model = PeftModel.from_pretrained(base, "path/to/{manifest["name"]}")
```

With adapterkit: `adapterkit adapters show {manifest["name"]}`."""
        if is_adapter
        else f"""```python
from transformers import AutoModelForMaskedLM, AutoTokenizer

model = AutoModelForMaskedLM.from_pretrained("path/to/{manifest["name"]}")
tokenizer = AutoTokenizer.from_pretrained("path/to/{manifest["name"]}")
```"""
    )
    head_note = (
        "\nThe base had no pretrained MLM head: the head transform was initialised with a fixed seed "
        "and trained here (saved with the weights).\n"
        if base["mlm_head"] == "new"
        else ""
    )
    return f"""{header}
# {manifest["name"]}

{what}, made with adapterkit {manifest["versions"]["adapterkit"]}.
Languages: {languages}. Domain: {manifest.get("domain") or "unspecified"}.
{head_note}
## Training

Masked-language modelling (MLM) on {_training_tokens(manifest)} ({corpus["block_mode"]} blocks),
{hyper["steps"]} optimisation steps. Base fingerprint `{base["fingerprint"]}`.

| corpus file | lines | sha256 |
|---|---|---|
{files}

Cleaning: {cleaning["lines_read"]:,} lines read, {cleaning["empty_dropped"]:,} empty and
{cleaning["duplicates_dropped"]:,} duplicate lines dropped, {cleaning["lines_kept"]:,} kept.

| hyper-parameter | value |
|---|---|
{hyper_rows}

## Evaluation

Held-out MLM perplexity ({corpus["heldout_fraction"]:.0%} of the cleaned lines, {ppl["heldout_masked_tokens"]:,}
masked tokens, the same masked positions for both):

| model | perplexity |
|---|---|
| base | {ppl["before"]:.2f} |
| {manifest["name"]} | {ppl["after"]:.2f} |

## Usage

{usage}
"""


def render_composition_card(manifest: dict) -> str:
    """The card of a composed adapter or merged composition."""
    base = manifest["base"]
    composition = manifest["composition"]
    is_adapter = manifest["kind"] == "composed"
    tags = ["adapterkit", "medical", "fill-mask", "lora" if is_adapter else "merged-lora", "composition"]
    header = "---\n" + ("library_name: peft\n" if is_adapter else "")
    header += f"base_model: {json.dumps(base['peft_base_model'])}\n"
    header += f"language:{_yaml_list(manifest['languages'])}\n"
    header += f"tags:{_yaml_list(tags)}\npipeline_tag: fill-mask\n---\n"
    rows = "\n".join(f"| {part['name']} | {part['weight']:.4g} |" for part in composition["parts"])
    exactness = (
        "exact: W + Σ wᵢ·ΔWᵢ"
        if composition["exact"]
        else f"approximation: {composition['approximation']}"
        if composition["approximation"]
        else "learned weights, then exact stack"
    )
    what = "A composed LoRA adapter" if is_adapter else "A plain transformers model with the composition merged in"
    learned = composition.get("learned")
    learned_text = (
        f"\nWeights fitted on target-language text ({learned['steps']} steps): held-out perplexity "
        f"{learned['perplexity_start']:.2f} with the starting weights, {learned['perplexity_learned']:.2f} learned.\n"
        if learned
        else ""
    )
    return f"""{header}
# {manifest["name"]}

{what} for `{base["id"]}` (fingerprint `{base["fingerprint"]}`), made with adapterkit
{manifest["versions"]["adapterkit"]} by `--how {composition["how"]}` ({exactness}).

| part | weight |
|---|---|
{rows}
{learned_text}"""


def _training_tokens(manifest: dict) -> str:
    tokens = manifest["corpus"]["train_tokens"]
    if tokens is None:  # --streaming: the training split is never counted as a whole
        seen = manifest.get("training", {}).get("tokens_seen", 0)
        return f"a streamed corpus ({seen:,} non-padding tokens seen in training)"
    return f"{tokens:,} training tokens"
