"""The ``vocab extend`` / ``vocab build`` run (study B end to end): the settings checked, the corpora
read, a vocabulary trained, the base rebuilt around it in ``out/base``, MLM continued with
``run_pretrain``, the figures measured before and after, and the manifest written; ``--out`` is
replaced only when the new folder is complete.
"""

from __future__ import annotations

import json
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..atomic import share_as_umask
from ..corpus import read_corpus, split_heldout, tokenize
from ..errors import AdapterkitError
from ..jobs.pretrain import PretrainConfig, run_pretrain
from ..manifest import AdapterManifest
from ..mlm import MLMCollator, heldout_perplexity
from ..models import (
    BASE_INFO_FILE,
    Base,
    fingerprint,
    load_config,
    load_masked_lm,
    load_tokenizer,
    max_length,
    resolve_base,
)
from ..registry import MANIFEST, check_writable, write_json
from ..safety import check_replaceable, write_marker
from .pieces import require_wordpiece, tokens_per_word, train_domain_pieces, train_new_vocabulary
from .rebuild import extend_tokenizer, init_new_embeddings, init_replaced_embeddings, replace_tokenizer
from .result import ExtendResult, Extension, vocab_manifest
from .settings import VocabMode, VocabSettings


def _say(message: str) -> None:
    print(message, flush=True)


@contextmanager
def _fresh_folder(out: Path, force: bool, inputs: list[Path | str]) -> Iterator[Path]:
    """``out`` as a new empty folder; a replaced one is kept aside until the new one is complete.

    On failure the partial folder is removed and the old one (with ``force``) put back.
    """
    _check_out(out, force, inputs)
    retired = out.with_name(f".old-{out.name}-{uuid.uuid4().hex[:8]}") if out.exists() else None
    if retired is not None:
        out.rename(retired)
    out.mkdir(parents=True)
    write_marker(out, "vocab")
    try:
        yield out
    except BaseException:
        shutil.rmtree(out, ignore_errors=True)
        if retired is not None:
            retired.rename(out)
        raise
    share_as_umask(out)  # safetensors writes weights -rw------- whatever the umask
    if retired is not None:
        shutil.rmtree(retired, ignore_errors=True)


def _check_out(out: Path, force: bool, inputs: list[Path | str]) -> None:
    check_writable(out, "--output")
    if out.exists() and not out.is_dir():
        raise AdapterkitError(f"--output {out} is a file: give a folder name")
    if out.exists() and not force:
        raise AdapterkitError(f"--output {out} already exists: choose another folder, or add --force to replace it")
    if force:
        check_replaceable(out, "vocab", inputs)


def _heldout_perplexity(model, lines: list[str], tokenizer, config: PretrainConfig) -> tuple[float, int]:
    """Perplexity on the held-out lines of ``lines``, split and packed exactly as ``pretrain`` does."""
    _, heldout = split_heldout(lines, config.heldout, config.seed)
    blocks = tokenize(heldout, tokenizer, config.max_seq_len, config.block_mode).remove_columns("length")
    return heldout_perplexity(model, blocks, MLMCollator(tokenizer, config.mlm_probability, seed=config.seed))


def _extend_base(
    resolved: Base,
    tokenizer,
    pieces: list[str],
    lines: list[str],
    other: list[str] | None,
    config: PretrainConfig,
    vocab_mode: VocabMode = "extend",
) -> Extension:
    """Write the rebuilt base into ``config.base``; score the base first, and the rebuilt base on ``other``.

    ``extend``: ``pieces`` are appended to the base vocabulary; ``new``: ``pieces`` are the whole
    new vocabulary, in id order.
    """
    folder = Path(config.base)
    if vocab_mode == "new":
        new_tokenizer = replace_tokenizer(tokenizer, pieces, folder)
    else:
        new_tokenizer = extend_tokenizer(tokenizer, pieces, folder)
    model, head_is_new = load_masked_lm(resolved)
    base_fingerprint = fingerprint(model)
    perplexity_base = _heldout_perplexity(model, lines, tokenizer, config)[0]
    other_ppl = {"base": _heldout_perplexity(model, other, tokenizer, config)[0]} if other else None
    if vocab_mode == "new":
        replacement = init_replaced_embeddings(model, tokenizer, new_tokenizer)
        sources, copied = replacement.initialised, replacement.copied
    else:
        sources, copied = init_new_embeddings(model, tokenizer, new_tokenizer, pieces), list(tokenizer.get_vocab())
    model.save_pretrained(folder)
    if head_is_new:  # still untrained: keep it marked, so that training treats it as new
        info = {"mlm_head": "new", "extended_from": resolved.name}
        (folder / BASE_INFO_FILE).write_text(json.dumps(info, indent=2) + "\n")
    if other_ppl is not None and other is not None:
        other_ppl["extended"] = _heldout_perplexity(model, other, new_tokenizer, config)[0]
    return Extension(
        new_tokenizer, sources, copied, head_is_new, base_fingerprint, fingerprint(model), perplexity_base, other_ppl
    )


def _wordpiece_base(base: str, max_seq_len: int) -> tuple[Base, object]:
    resolved = resolve_base(base)
    tokenizer = load_tokenizer(resolved)
    require_wordpiece(tokenizer, f"--base {base}")
    limit = max_length(load_config(resolved))
    if max_seq_len > limit:
        raise AdapterkitError(f"--max-seq-len {max_seq_len}: {base} accepts at most {limit} tokens")
    return resolved, tokenizer


def extend_vocabulary(settings: VocabSettings, force: bool = False) -> ExtendResult:
    """``build_vocabulary`` for ``settings.vocab_mode == "extend"`` (the default): the base keeps its
    vocabulary, new pieces are appended. ``force`` replaces an existing ``settings.out``."""
    if settings.vocab_mode != "extend":
        raise ValueError(
            f"extend_vocabulary needs vocab_mode='extend', not {settings.vocab_mode!r}: use build_vocabulary"
        )
    return build_vocabulary(settings, force)


def build_vocabulary(settings: VocabSettings, force: bool = False) -> ExtendResult:
    """Study B end to end: train a vocabulary, rebuild tokenizer and embeddings, continue MLM, report.

    ``settings.vocab_mode``: ``"new"`` replaces the base vocabulary by the trained one (the study's
    new bilingual vocabulary); ``"extend"`` appends the trained pieces the base lacks. ``force``
    replaces an existing ``settings.out`` (one that ``vocab`` wrote).

    Writes ``out/base`` (the extended base, a complete model folder: ``adapterkit pretrain
    --base out/base`` works), ``out/model`` (the trained result: a model folder for ``full``, a
    PEFT adapter on ``out/base`` for ``lora``), ``out/run`` (the training run's settings; its
    checkpoints are removed at the end) and ``out/adapterkit.json`` (pieces, figures,
    settings). Perplexities on the held-out lines (the same split as ``pretrain``): ``base``
    with the base tokenizer, ``extended`` and ``trained`` with the extended one; only the last
    two share masked positions (the tokenizations differ), so ``base`` is comparable to them
    only roughly. With ``other_corpus`` the same three figures are the forgetting check.
    Nothing is written before the settings (checked when made), corpora and base have been accepted.
    """
    out, base, size, vocab_mode, mode = settings.out, settings.base, settings.size, settings.vocab_mode, settings.mode
    other_corpus = settings.other_corpus
    config = settings.pretrain_config()  # the run's own copy (training sets its new_token_ids)
    inputs: list[Path | str] = [*settings.corpus, *(other_corpus or []), base]
    _check_out(out, force, inputs)
    lines, cleaning = read_corpus(config.corpus)
    other_lines = read_corpus(list(other_corpus))[0] if other_corpus else None
    resolved, tokenizer = _wordpiece_base(base, settings.max_seq_len)
    _say(f"corpus: {cleaning.summary()}")
    if vocab_mode == "new":
        pieces = train_new_vocabulary(lines, tokenizer, size)
    else:
        pieces = train_domain_pieces(lines, tokenizer, size)

    with _fresh_folder(out, force, inputs):
        extension = _extend_base(resolved, tokenizer, pieces, lines, other_lines, config, vocab_mode)
        new_tokenizer = extension.tokenizer
        fertility = {"before": tokens_per_word(lines, tokenizer), "after": tokens_per_word(lines, new_tokenizer)}
        if vocab_mode == "new":
            _say(
                f"vocabulary: new {len(pieces)}-piece vocabulary, {len(extension.copied)} rows copied from the "
                f"base, {len(extension.sources)} initialised; tokens per word "
                f"{fertility['before']:.3f} -> {fertility['after']:.3f}"
            )
            new_ids = new_tokenizer.convert_tokens_to_ids(list(extension.sources))
        else:
            _say(
                f"vocabulary: {len(pieces)} new pieces from a {size}-piece domain vocabulary; tokens per word "
                f"{fertility['before']:.3f} -> {fertility['after']:.3f}"
            )
            new_ids = list(range(len(tokenizer), len(new_tokenizer)))
        if not config.full:
            config.new_token_ids = new_ids
        trained = run_pretrain(config)
        perplexity = AdapterManifest.of(trained.manifest, config.destination / MANIFEST).perplexity
        assert perplexity is not None  # run_pretrain measures it before and after training
        shutil.rmtree(config.run_dir / "checkpoints", ignore_errors=True)  # no resume here: only space taken
        result = ExtendResult(
            out=out,
            base_dir=Path(config.base),
            model_dir=config.destination,
            mode=mode,
            pieces=pieces if vocab_mode == "extend" else list(extension.sources),
            first_new_id=len(tokenizer) if vocab_mode == "extend" else None,
            tokens_per_word=fertility,
            perplexity={
                "base": extension.perplexity_base,
                "extended": perplexity.before,
                "trained": perplexity.after,
            },
            vocab_mode=vocab_mode,
            copied=len(extension.copied),
        )
        if other_lines is not None and extension.other_perplexity is not None:
            result.other_tokens_per_word = {
                "before": tokens_per_word(other_lines, tokenizer),
                "after": tokens_per_word(other_lines, new_tokenizer),
            }
            trained_model = _load_trained(config)
            result.other_perplexity = {
                **extension.other_perplexity,
                "trained": _heldout_perplexity(trained_model, other_lines, new_tokenizer, config)[0],
            }
        result.manifest = vocab_manifest(
            result, base, extension, cleaning, other_corpus, size, trained, settings.training(), config
        )
        write_json(out / MANIFEST, result.manifest)
    _say(result.summary())
    return result


def _load_trained(config: PretrainConfig):
    """The trained result as saved: a model folder, or the adapter on the extended base."""
    if config.full:
        return load_masked_lm(resolve_base(str(config.destination)))[0]
    from peft import PeftModel

    model, _ = load_masked_lm(resolve_base(config.base))
    return PeftModel.from_pretrained(model, config.destination)
