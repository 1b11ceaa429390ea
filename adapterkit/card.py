"""Model cards: the README.md of an adapter or model folder, with Hub metadata."""

from __future__ import annotations

import json
from pathlib import Path


def _tags(manifest: dict) -> list[str]:
    is_adapter = manifest.get("hyperparameters", {}).get("mode", "lora") == "lora" and manifest.get("kind") != "model"
    tags = ["adapterkit", "medical", "fill-mask", "lora" if is_adapter else "domain-adaptive-pretraining"]
    if manifest.get("domain"):
        tags.append(manifest["domain"])
    return tags


def card_metadata(manifest: dict, tags: list[str], is_adapter: bool, **extra) -> str:
    """The YAML header of a card, written by ``huggingface_hub.ModelCardData`` for local and Hub cards
    alike: no empty ``language`` list, and ``base_model`` only when the base is a Hub model."""
    from huggingface_hub import ModelCardData

    data = ModelCardData(
        library_name="peft" if is_adapter else None,
        base_model=hub_base_id(manifest),
        language=manifest.get("languages") or None,
        tags=tags,
        pipeline_tag="fill-mask",
        **extra,
    )
    return f"---\n{data.to_yaml()}\n---\n"


def render_card(manifest: dict) -> str:
    """A model card built from the manifest; every figure in it comes from the manifest."""
    is_adapter = manifest["hyperparameters"]["mode"] == "lora"
    header = card_metadata(manifest, _tags(manifest), is_adapter)
    usage = _usage(manifest, f"path/to/{manifest['name']}")
    return f"""{header}
{_pretrain_body(manifest)}
## Usage

{usage}
"""


def _pretrain_body(manifest: dict) -> str:
    """Title, what it is, how it was trained and its held-out perplexity (a pretrain manifest)."""
    base = manifest["base"]
    hyper = manifest["hyperparameters"]
    corpus = manifest["corpus"]
    ppl = manifest["perplexity"]
    is_adapter = hyper["mode"] == "lora"
    files = "\n".join(
        f"| `{record['path']}` | {record['lines']:,} | `{record['sha256'][:16]}…` |" for record in corpus["files"]
    )
    cleaning = corpus["cleaning"]
    naming = (
        f"\nCorpus files are named by {corpus['paths']} (no folder of the training machine); "
        "the sha256 identifies each file.\n"
        if corpus.get("paths")
        else ""
    )
    hyper_rows = "\n".join(f"| {key} | {value} |" for key, value in hyper.items())
    what = (
        f"A LoRA adapter ({manifest['kind']}) for `{base['id']}`"
        if is_adapter
        else f"`{base['id']}` after continued masked-language-model pre-training of all weights"
    )
    languages = ", ".join(manifest["languages"]) or "unspecified"
    head_note = (
        "\nThe base had no pretrained MLM head: the head transform was initialised with a fixed seed "
        "and trained here (saved with the weights).\n"
        if base["mlm_head"] == "new"
        else ""
    )
    return f"""# {manifest["name"]}

{what}, made with adapterkit {manifest["versions"]["adapterkit"]}.
Languages: {languages}. Domain: {manifest.get("domain") or "unspecified"}.
{head_note}
## Training

Masked-language modelling (MLM) on {_training_tokens(manifest)} ({corpus["block_mode"]} blocks),
{hyper["steps"]} optimisation steps. Base fingerprint `{base["fingerprint"]}`.

| corpus file | lines | sha256 |
|---|---|---|
{files}
{naming}
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
"""


def _usage(manifest: dict, where: str) -> str:
    """How to load the adapter (or model) found at ``where``: a folder or a Hub repo id."""
    base = manifest["base"]
    if manifest.get("hyperparameters", {}).get("mode", "lora") == "lora" and manifest.get("kind") != "model":
        return f"""```python
from transformers import AutoModelForMaskedLM
from peft import PeftModel

base = AutoModelForMaskedLM.from_pretrained({json.dumps(base.get("peft_base_model") or base["id"])})
model = PeftModel.from_pretrained(base, {json.dumps(where)})
```

With adapterkit: `adapterkit adapters show {manifest["name"]}`."""
    return f"""```python
from transformers import AutoModelForMaskedLM, AutoTokenizer

model = AutoModelForMaskedLM.from_pretrained({json.dumps(where)})
tokenizer = AutoTokenizer.from_pretrained({json.dumps(where)})
```"""


def render_composition_card(manifest: dict) -> str:
    """The card of a composed adapter or merged composition."""
    base = manifest["base"]
    composition = manifest["composition"]
    is_adapter = manifest["kind"] == "composed"
    tags = ["adapterkit", "medical", "fill-mask", "lora" if is_adapter else "merged-lora", "composition"]
    header = card_metadata(manifest, tags, is_adapter)
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
    heads = composition.get("heads")
    if heads:  # trained heads are replaced, not summed: a reader of the card must know which head it has
        learned_text += f"\nHead modules {', '.join(f'`{m}`' for m in heads['modules'])}: the {heads['rule']}.\n"
    return f"""{header}
# {manifest["name"]}

{what} for `{base["id"]}` (fingerprint `{base["fingerprint"]}`), made with adapterkit
{manifest["versions"]["adapterkit"]} by `--how {composition["how"]}` ({exactness}).

| part | weight |
|---|---|
{rows}
{learned_text}"""


def render_hub_card(
    manifest: dict,
    repo_id: str,
    runs: list[dict] | None = None,
    license: str | None = None,
    datasets: list[str] | None = None,
) -> str:
    """The card pushed with an adapter: Hub metadata, what and how, figures, recorded runs, usage.

    Every figure comes from the manifest or from the recorded ``runs`` (see ``hub.recorded_runs``);
    a section whose facts were not recorded says so instead of being left out silently.
    """
    kind = manifest.get("kind")
    header = card_metadata(
        manifest, _tags(manifest), True, license=license or "unknown", datasets=list(datasets or []) or None
    )
    if "hyperparameters" in manifest and "corpus" in manifest:
        body = _pretrain_body(manifest)
    elif kind == "composed":
        body = render_composition_card(manifest).split("---\n", 2)[2].lstrip("\n")
    else:
        body = _plain_body(manifest)
    return f"{header}\n{body}\n{_runs_section(runs or [])}\n## Usage\n\n{_hub_usage(manifest, repo_id)}\n"


def hub_base_id(manifest: dict) -> str | None:
    """The base as a Hub model id for ``base_model`` metadata; None for a local folder."""
    from huggingface_hub.utils import HFValidationError, validate_repo_id

    base = manifest.get("base", {})
    if base.get("local"):  # shared by push: the id is the name of a folder on the trainer's machine
        return None
    for candidate in (base.get("peft_base_model"), base.get("id")):
        if not candidate or candidate.startswith(("/", ".", "~")) or candidate.count("/") > 1:
            continue
        try:
            validate_repo_id(candidate)
        except HFValidationError:
            continue
        if "/" in candidate or candidate != "minilm":  # "minilm" is adapterkit's name, not a Hub id
            return candidate
    return None


def _plain_body(manifest: dict) -> str:
    source = manifest.get("source", {})
    origin = f" pulled from `{source['hub']}` at commit `{source.get('revision')}`" if source.get("hub") else ""
    return f"""# {manifest["name"]}

A LoRA adapter ({manifest.get("kind")}) for `{manifest["base"]["id"]}`{origin}.
Its training was not recorded by adapterkit, so this card has no training details or perplexity.
"""


def _fmt(value) -> str:
    if isinstance(value, list | tuple) and len(value) == 2:
        return f"{value[0]:.4f} ± {value[1]:.4f}"
    return f"{value:.4f}" if isinstance(value, float) else str(value)


def _runs_section(runs: list[dict]) -> str:
    """Downstream metrics: every recorded cv run (``runs/**/cv.json``) whose variant used the adapter."""
    lines = ["## Downstream results", ""]
    if runs:
        lines += [
            "Cross-validation runs recorded with this adapter (mean ± sd over folds):",
            "",
            "| run (under --runs) | variant | data | folds | mode | metrics |",
            "|---|---|---|---|---|---|",
        ]
        for run in runs:
            metrics = ", ".join(f"{key} {_fmt(value)}" for key, value in run["summary"].items())
            data = ", ".join(_data_cell(item) for item in run["data"])
            lines.append(
                f"| `{run['file']}` | `{run['variant']}` | {data} | {run['folds']} | {run['mode']} | {metrics} |"
            )
        lines.append("")
    else:
        lines += ["No downstream runs were recorded with this adapter.", ""]
    return "\n".join(lines)


def _data_cell(item: dict | str) -> str:
    """A shared data entry (``sharing.shared_data_entry``): its name and the start of its sha256."""
    if isinstance(item, str):
        return f"`{Path(item).name}`"
    digest = f" (sha256 `{item['sha256'][:16]}…`)" if item.get("sha256") else ""
    return f"`{item['name']}`{digest}"


def _hub_usage(manifest: dict, repo_id: str) -> str:
    base = manifest["base"]
    base_id = hub_base_id(manifest) or base.get("peft_base_model") or base["id"]
    head = "AutoModelForMaskedLM"
    local = "" if hub_base_id(manifest) else f"\n(`{base_id}` is a local folder: use the same base weights.)\n"
    use = f"adapterkit eval-mlm hub:{repo_id} --corpus TEXT   # or compose / finetune / cv with hub:{repo_id}"
    return f"""With plain PEFT:

```python
from transformers import {head}
from peft import PeftModel

base = {head}.from_pretrained({json.dumps(base_id)})
model = PeftModel.from_pretrained(base, {json.dumps(repo_id)})
```
{local}
With adapterkit (checks the files and the base fingerprint, then adds it to the registry):

```bash
adapterkit pull {repo_id} --as {manifest["name"]}
{use}
```"""


def _training_tokens(manifest: dict) -> str:
    tokens = manifest["corpus"]["train_tokens"]
    if tokens is None:  # --streaming: the training split is never counted as a whole
        seen = manifest.get("training", {}).get("tokens_seen", 0)
        return f"a streamed corpus ({seen:,} non-padding tokens seen in training)"
    return f"{tokens:,} training tokens"
