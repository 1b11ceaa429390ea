"""Domain corpora: read, clean, tokenize and cut into training blocks.

Input: plain-text files (one sentence or coherent chunk per line), ``.txt`` or ``.txt.gz``,
``.jsonl`` / ``.jsonl.gz`` with a text field, ``.parquet`` with a text column, or folders of them
(read recursively, sorted); or ``hf:NAME[:SPLIT]``, a Hugging Face dataset by id (its text column;
split ``train`` by default), loaded from the local cache or the Hub, streamed with ``--streaming``.

Cleaning follows the source study: markup stripped (see ``strip_markup``: real tags, comments,
CDATA wrappers, processing instructions and declarations; entities unescaped), control, format
and private-use characters removed, whitespace collapsed, then empty lines and exact duplicates
(across all files) dropped. The counts of what was changed and dropped are reported. A ``<`` or
``>`` that is not part of real markup is text: clinical notes are full of comparisons
(``glucose <5.6``, ``PSA < 4``, ``a<b>c``) and arrows (``->``, ``<<``, ``=>``).

Blocks (see ``tokenize``):
- ``packed`` (default): each map batch of lines is tokenized, joined with [SEP] after every
  line, and cut into blocks of ``max_seq_len`` that start with [CLS]. The last, shorter block
  of a batch is kept (``run_mlm.py``'s ``group_texts`` drops it), so no token is lost. Lines
  packed into one block attend to each other, as in BERT's own pre-training.
- ``line``: one line per example, dynamically padded; a line longer than ``max_seq_len`` is
  continued in further examples instead of being cut off.

The modules, one idea each: ``reading`` (sources and their raw lines, hf: datasets), ``markup``
(what is markup and what is text), ``cleaning`` (normalisation, de-duplication, the cleaning
report, ``corpus clean``), ``split`` (the held-out split, and its one-pass plan for streaming) and
``blocks`` (tokenizing and packing). All but ``blocks`` are readers: they reach no model code.
Every public name is re-exported here, so ``from adapterkit.corpus import read_corpus`` works; the
names of ``blocks`` on first use (it imports ``datasets``: reading a path must not cost that).
"""

from __future__ import annotations

from .cleaning import (
    DROPPED_CATEGORIES,
    SPACE,
    Change,
    CleaningReport,
    clean_corpus,
    clean_line,
    printable,
    read_corpus,
)
from .markup import (
    CLOSING_TAG,
    DECLARATION,
    DELIMITED,
    ENTITY,
    TAG,
    TEXT_ELEMENTS,
    VOID_ELEMENTS,
    strip_markup,
)
from .reading import (
    HUB_PREFIX,
    MAX_LINE_BYTES,
    PARQUET_BATCH,
    READ_SUFFIXES,
    SUFFIXES,
    FileRecord,
    corpus_files,
    hub_spec,
    is_hub,
    load_hub_dataset,
)
from .split import HELDOUT, TRAIN, StreamPlan, heldout_mask, plan_lines, plan_stream, split_heldout

__all__ = [
    "BLOCK_MODES",
    "CLOSING_TAG",
    "DECLARATION",
    "DELIMITED",
    "DROPPED_CATEGORIES",
    "ENTITY",
    "HELDOUT",
    "HUB_PREFIX",
    "MAP_BATCH",
    "MAX_LINE_BYTES",
    "PARQUET_BATCH",
    "READ_SUFFIXES",
    "SPACE",
    "SUFFIXES",
    "TAG",
    "TEXT_ELEMENTS",
    "TRAIN",
    "VOID_ELEMENTS",
    "Change",
    "CleaningReport",
    "FileRecord",
    "StreamPlan",
    "clean_corpus",
    "clean_line",
    "corpus_files",
    "dataset_key",
    "heldout_mask",
    "hub_spec",
    "is_hub",
    "load_hub_dataset",
    "plan_lines",
    "plan_stream",
    "prepare",
    "prepare_streaming",
    "printable",
    "read_corpus",
    "split_heldout",
    "strip_markup",
    "tokenize",
]

_BLOCKS = ("BLOCK_MODES", "MAP_BATCH", "dataset_key", "prepare", "prepare_streaming", "tokenize")


def __getattr__(name: str):
    if name in _BLOCKS:
        from . import blocks

        return getattr(blocks, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
