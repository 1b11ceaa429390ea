"""Model cards: the README.md of an adapter or model folder, with Hub metadata.

Every figure on a card comes from the typed manifest (``manifest.AdapterManifest``); the functions
also take a manifest dict, as a command builds it before writing, and validate it first.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import TypeVar

from .manifest import AdapterManifest
from .methods import DEFAULT_METHOD, METHODS, of_manifest
from .privacy.report import privacy_section

Manifest = AdapterManifest | Mapping  # typed, or a dict that is validated into one


def _tags(manifest: AdapterManifest) -> list[str]:
    method = of_manifest(manifest)
    tags = ["adapterkit", "medical", "fill-mask", method.name if method else "domain-adaptive-pretraining"]
    if manifest.domain:
        tags.append(manifest.domain)
    return tags


def card_metadata(manifest: Manifest, tags: list[str], is_adapter: bool, **extra) -> str:
    """The YAML header of a card, written by ``huggingface_hub.ModelCardData`` for local and Hub cards
    alike: no empty ``language`` list, and ``base_model`` only when the base is a Hub model."""
    from huggingface_hub import ModelCardData

    manifest = AdapterManifest.of(manifest)
    data = ModelCardData(
        library_name="peft" if is_adapter else None,
        base_model=hub_base_id(manifest),
        language=manifest.languages or None,
        tags=tags,
        pipeline_tag="fill-mask",
        **extra,
    )
    return f"---\n{data.to_yaml()}\n---\n"


def render_card(manifest: Manifest) -> str:
    """A model card built from the manifest; every figure in it comes from the manifest."""
    manifest = AdapterManifest.of(manifest)
    is_adapter = of_manifest(manifest) is not None
    header = card_metadata(manifest, _tags(manifest), is_adapter)
    usage = _usage(manifest, f"path/to/{manifest.name}")
    privacy = privacy_section(manifest)
    return f"""{header}
{_pretrain_body(manifest)}{"" if not privacy else chr(10) + privacy}
## Usage

{usage}
"""


def _pretrain_body(manifest: AdapterManifest) -> str:
    """Title, what it is, how it was trained and its held-out perplexity (a pretrain manifest)."""
    base = manifest.base
    hyper = _required(manifest.hyperparameters)
    corpus = _required(manifest.corpus)
    ppl, cleaning = _required(manifest.perplexity), _required(corpus.cleaning)
    method = of_manifest(manifest)
    files = "\n".join(
        f"| `{record.path}` | {record.lines:,} | `{_required(record.sha256)[:16]}…` |" for record in corpus.files or []
    )
    naming = (
        f"\nCorpus files are named by {corpus.paths} (no folder of the training machine); "
        "the sha256 identifies each file.\n"
        if corpus.paths
        else ""
    )
    hyper_rows = "\n".join(f"| {key} | {value} |" for key, value in hyper.to_dict().items())
    what = (
        f"{_an(method.title)} adapter ({manifest.kind}) for `{base.id}`"
        if method is not None
        else f"`{base.id}` after continued masked-language-model pre-training of all weights"
    )
    languages = ", ".join(manifest.languages or []) or "unspecified"
    head_note = (
        "\nThe base had no pretrained MLM head: the head transform was initialised with a fixed seed "
        "and trained here (saved with the weights).\n"
        if base.mlm_head == "new"
        else ""
    )
    return f"""# {manifest.name}

{what}, made with adapterkit {_adapterkit_version(manifest)}.
Languages: {languages}. Domain: {manifest.domain or "unspecified"}.
{head_note}
## Training

Masked-language modelling (MLM) on {_training_tokens(manifest)} ({corpus.block_mode} blocks),
{hyper.steps} optimisation steps. Base fingerprint `{base.fingerprint}`.

| corpus file | lines | sha256 |
|---|---|---|
{files}
{naming}
Cleaning: {cleaning.lines_read:,} lines read, {cleaning.empty_dropped:,} empty and
{cleaning.duplicates_dropped:,} duplicate lines dropped, {cleaning.lines_kept:,} kept.

| hyper-parameter | value |
|---|---|
{hyper_rows}

## Evaluation

Held-out MLM perplexity ({corpus.heldout_fraction:.0%} of the cleaned lines, {ppl.heldout_masked_tokens:,}
masked tokens, the same masked positions for both):

| model | perplexity |
|---|---|
| base | {ppl.before:.2f} |
| {manifest.name} | {ppl.after:.2f} |
"""


def _usage(manifest: AdapterManifest, where: str) -> str:
    """How to load the adapter (or model) found at ``where``: a folder or a Hub repo id."""
    base = manifest.base
    if manifest.is_adapter:
        return f"""```python
from transformers import AutoModelForMaskedLM
from peft import PeftModel

base = AutoModelForMaskedLM.from_pretrained({json.dumps(base.peft_base_model or base.id)})
model = PeftModel.from_pretrained(base, {json.dumps(where)})
```

With adapterkit: `adapterkit adapters show {manifest.name}`."""
    return f"""```python
from transformers import AutoModelForMaskedLM, AutoTokenizer

model = AutoModelForMaskedLM.from_pretrained({json.dumps(where)})
tokenizer = AutoTokenizer.from_pretrained({json.dumps(where)})
```"""


def render_composition_card(manifest: Manifest) -> str:
    """The card of a composed adapter or merged composition."""
    manifest = AdapterManifest.of(manifest)
    base = manifest.base
    composition = _required(manifest.composition)
    is_adapter = manifest.kind == "composed"
    tags = ["adapterkit", "medical", "fill-mask", "lora" if is_adapter else "merged-lora", "composition"]
    header = card_metadata(manifest, tags, is_adapter)
    rows = "\n".join(f"| {part.name} | {part.weight:.4g} |" for part in composition.parts or [])
    exactness = (
        "exact: W + Σ wᵢ·ΔWᵢ"
        if composition.exact
        else f"approximation: {composition.approximation}"
        if composition.approximation
        else "learned weights, then exact stack"
    )
    what = "A composed LoRA adapter" if is_adapter else "A plain transformers model with the composition merged in"
    learned = composition.learned
    learned_text = (
        f"\nWeights fitted on target-language text ({learned.steps} steps): held-out perplexity "
        f"{learned.perplexity_start:.2f} with the starting weights, {learned.perplexity_learned:.2f} learned.\n"
        if learned is not None
        else ""
    )
    heads = composition.heads
    if heads is not None:  # trained heads are replaced, not summed: a reader of the card must know which head it has
        learned_text += f"\nHead modules {', '.join(f'`{m}`' for m in heads.modules or [])}: the {heads.rule}.\n"
    privacy = privacy_section(manifest)
    learned_text += f"\n{privacy}" if privacy else ""
    return f"""{header}
# {manifest.name}

{what} for `{base.id}` (fingerprint `{base.fingerprint}`), made with adapterkit
{_adapterkit_version(manifest)} by `--how {composition.how}` ({exactness}).

| part | weight |
|---|---|
{rows}
{learned_text}"""


def render_hub_card(
    manifest: Manifest,
    repo_id: str,
    runs: list[dict] | None = None,
    license: str | None = None,
    datasets: list[str] | None = None,
) -> str:
    """The card pushed with an adapter: Hub metadata, what and how, figures, recorded runs, usage.

    Every figure comes from the manifest or from the recorded ``runs`` (see ``hub.recorded_runs``);
    a section whose facts were not recorded says so instead of being left out silently.
    """
    manifest = AdapterManifest.of(manifest)
    header = card_metadata(
        manifest, _tags(manifest), True, license=license or "unknown", datasets=list(datasets or []) or None
    )
    if manifest.hyperparameters is not None and manifest.corpus is not None:
        body = _pretrain_body(manifest)
    elif manifest.kind == "composed":
        body = render_composition_card(manifest).split("---\n", 2)[2].lstrip("\n")
    else:
        body = _plain_body(manifest)
    privacy = privacy_section(manifest)
    body += f"\n{privacy}" if privacy and "\n## Privacy\n" not in body else ""
    return f"{header}\n{body}\n{_runs_section(runs or [])}\n## Usage\n\n{_hub_usage(manifest, repo_id)}\n"


def hub_base_id(manifest: Manifest) -> str | None:
    """The base as a Hub model id for ``base_model`` metadata; None for a local folder."""
    from huggingface_hub.utils import HFValidationError, validate_repo_id

    base = AdapterManifest.of(manifest).base
    if base.local:  # shared by push: the id is the name of a folder on the trainer's machine
        return None
    for candidate in (base.peft_base_model, base.id):
        if not candidate or candidate.startswith(("/", ".", "~")) or candidate.count("/") > 1:
            continue
        try:
            validate_repo_id(candidate)
        except HFValidationError:
            continue
        if "/" in candidate or candidate != "minilm":  # "minilm" is adapterkit's name, not a Hub id
            return candidate
    return None


def _plain_body(manifest: AdapterManifest) -> str:
    source = manifest.source
    origin = f" pulled from `{source.hub}` at commit `{source.revision}`" if source is not None and source.hub else ""
    return f"""# {manifest.name}

{_an(_method_title(manifest))} adapter ({manifest.kind}) for `{manifest.base.id}`{origin}.
Its training was not recorded by adapterkit, so this card has no training details or perplexity.
"""


def _method_title(manifest: AdapterManifest) -> str:
    """The method of a pulled or composed adapter's card (a merged composition's parts were LoRA)."""
    method = of_manifest(manifest)
    return (method or METHODS[DEFAULT_METHOD]).title


def _an(title: str) -> str:
    """"A LoRA", "An IA³": the article as the method's name is spoken."""
    return f"{'An' if title[:1] in 'AEIOU' else 'A'} {title}"


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


def _hub_usage(manifest: AdapterManifest, repo_id: str) -> str:
    base = manifest.base
    base_id = hub_base_id(manifest) or base.peft_base_model or base.id
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
adapterkit pull {repo_id} --as {manifest.name}
{use}
```"""


def _training_tokens(manifest: AdapterManifest) -> str:
    tokens = _required(manifest.corpus).train_tokens
    if tokens is None:  # --streaming: the training split is never counted as a whole
        training = manifest.training
        seen = training.tokens_seen if training is not None and training.tokens_seen is not None else 0
        return f"a streamed corpus ({seen:,} non-padding tokens seen in training)"
    return f"{tokens:,} training tokens"


def _adapterkit_version(manifest: AdapterManifest) -> str | None:
    return (manifest.versions or {}).get("adapterkit")


T = TypeVar("T")


def _required(section: T | None) -> T:
    """A section the card is written from; ``check_manifest(complete=True)`` makes sure it is there."""
    if section is None:
        raise ValueError("the manifest lacks a section this card is written from (check_manifest complete=True)")
    return section
