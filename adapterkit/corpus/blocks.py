"""Corpus lines as MLM training blocks: tokenized with the base's tokenizer (passed in) and cut
into ``packed`` or ``line`` blocks (see the package docstring) through ``datasets.map``, cached
under the adapterkit cache. ``prepare`` and ``prepare_streaming`` chain reading, cleaning, the
held-out split and blocking for ``pretrain``, ``eval-mlm`` and ``compose``. The one module of the
package that tokenizes; the reading and cleaning modules stay free of model code.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from pathlib import Path

from datasets import Dataset, DatasetDict, IterableDataset

from .. import __version__
from ..choices import BLOCK_MODES
from ..errors import AdapterkitError
from ..paths import cache_dir
from .cleaning import CleaningReport, read_corpus
from .split import HELDOUT, TRAIN, plan_lines, plan_stream, split_heldout

MAP_BATCH = 1000  # lines per map batch: packed blocks are cut per batch, so both paths must agree


def _pack(batch: dict, tokenizer, max_seq_len: int) -> dict:
    ids = tokenizer(batch["text"], add_special_tokens=False)["input_ids"]
    stream: list[int] = []
    for piece in ids:
        stream.extend(piece)
        stream.append(tokenizer.sep_token_id)
    body = max_seq_len - 1  # room for [CLS]
    blocks = [[tokenizer.cls_token_id, *stream[start : start + body]] for start in range(0, len(stream), body)]
    return _with_masks(blocks, tokenizer)


def _by_line(batch: dict, tokenizer, max_seq_len: int) -> dict:
    encoded = tokenizer(batch["text"], truncation=True, max_length=max_seq_len, return_overflowing_tokens=True)
    return _with_masks(encoded["input_ids"], tokenizer)


def _with_masks(blocks: list[list[int]], tokenizer) -> dict:
    special = set(tokenizer.all_special_ids)
    masks = [[int(token in special) for token in block] for block in blocks]
    return {
        "input_ids": blocks,
        "attention_mask": [[1] * len(block) for block in blocks],
        "special_tokens_mask": masks,
        "length": [len(mask) - sum(mask) for mask in masks],  # content tokens, specials excluded
    }


def tokenize(
    lines: list[str] | Dataset,
    tokenizer,
    max_seq_len: int,
    mode: str = "packed",
    num_proc: int | None = None,
    cache_key: str | None = None,
) -> Dataset:
    """Tokenized blocks (``input_ids``, ``attention_mask``, ``special_tokens_mask``, ``length``).

    ``lines`` is a list of lines or a ``Dataset`` with a ``text`` column. Runs through
    ``datasets.map`` (batched; ``num_proc`` processes when asked). With
    ``cache_key`` the result is cached under the adapterkit cache and reused on the next run.
    """
    if mode not in BLOCK_MODES:
        raise AdapterkitError(f"--block-mode {mode!r}: choose one of {', '.join(BLOCK_MODES)}")
    function = _pack if mode == "packed" else _by_line
    cache_file = None
    if cache_key is not None:
        folder = cache_dir() / "tokenized"
        folder.mkdir(parents=True, exist_ok=True)
        cache_file = str(folder / f"{cache_key}.arrow")
    dataset = lines if isinstance(lines, Dataset) else Dataset.from_dict({"text": lines})
    return dataset.map(
        function,
        batched=True,
        batch_size=MAP_BATCH,
        num_proc=num_proc if num_proc and num_proc > 1 else None,
        remove_columns=["text"],
        fn_kwargs={"tokenizer": tokenizer, "max_seq_len": max_seq_len},
        cache_file_name=cache_file,
        load_from_cache_file=cache_file is not None,
        desc=f"Tokenizing ({mode})",
    )


def dataset_key(lines: Iterable[str], tokenizer, max_seq_len: int, mode: str, split: str) -> str:
    """A cache key for the tokenized form of ``lines``."""
    digest = hashlib.sha256()
    for line in lines:
        digest.update(line.encode("utf-8") + b"\n")
    vocab = json.dumps(sorted(tokenizer.get_vocab().items()), ensure_ascii=False).encode("utf-8")
    digest.update(hashlib.sha256(vocab).digest())
    digest.update(f"{type(tokenizer).__name__}|{max_seq_len}|{mode}|{split}|{__version__}".encode())
    return digest.hexdigest()[:32]


def prepare(
    paths: list[Path],
    tokenizer,
    max_seq_len: int,
    mode: str = "packed",
    heldout_fraction: float = 0.05,
    seed: int = 42,
    text_field: str = "text",
    num_proc: int | None = None,
    add_to_train: Callable[[list[str]], list[str]] | None = None,
) -> tuple[DatasetDict, CleaningReport]:
    """Read, clean, split and tokenize: ``DatasetDict(train=..., heldout=...)`` and the report.

    ``add_to_train``: changes the training lines after the split (``pretrain --canaries``)."""
    lines, report = read_corpus(paths, text_field)
    train_lines, heldout_lines = split_heldout(lines, heldout_fraction, seed)
    if add_to_train is not None:
        train_lines = add_to_train(train_lines)
    splits = {}
    for split, split_lines in (("train", train_lines), ("heldout", heldout_lines)):
        key = dataset_key(split_lines, tokenizer, max_seq_len, mode, split)
        splits[split] = tokenize(split_lines, tokenizer, max_seq_len, mode, num_proc, cache_key=key)
    return DatasetDict(splits), report


def prepare_streaming(
    paths: list[Path],
    tokenizer,
    max_seq_len: int,
    mode: str = "packed",
    heldout_fraction: float = 0.05,
    seed: int = 42,
    text_field: str = "text",
) -> tuple[dict, CleaningReport]:
    """``prepare`` for corpora larger than memory: ``{"train": IterableDataset, "heldout": Dataset}``.

    The training blocks are made on the fly while training reads them: the same cleaning,
    de-duplication, split and ``packed`` / ``line`` blocks as ``prepare`` (the map runs over the
    same 1,000-line batches in the same order), so the two paths yield identical blocks. The
    held-out split (small) is tokenized into an on-disk dataset, as in ``prepare``. One shard
    per corpus file: under ``torchrun`` each process can read its own files.
    """
    if mode not in BLOCK_MODES:
        raise AdapterkitError(f"--block-mode {mode!r}: choose one of {', '.join(BLOCK_MODES)}")
    plan = plan_stream(paths, heldout_fraction, seed, text_field)
    function = _pack if mode == "packed" else _by_line
    fn_kwargs = {"tokenizer": tokenizer, "max_seq_len": max_seq_len}
    train = IterableDataset.from_generator(plan_lines, gen_kwargs=plan.gen_kwargs(TRAIN)).map(
        function, batched=True, batch_size=MAP_BATCH, remove_columns=["text"], fn_kwargs=fn_kwargs
    )
    folder = cache_dir() / "streaming"
    folder.mkdir(parents=True, exist_ok=True)
    heldout_lines = Dataset.from_generator(plan_lines, gen_kwargs=plan.gen_kwargs(HELDOUT), cache_dir=str(folder))
    key = dataset_key(plan.lines(HELDOUT), tokenizer, max_seq_len, mode, "heldout")
    heldout = tokenize(heldout_lines, tokenizer, max_seq_len, mode, cache_key=key)
    return {"train": train, "heldout": heldout}, plan.report
