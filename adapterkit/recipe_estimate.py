"""``adapterkit run --dry-run``: the time and disk a recipe's training steps will take, as an estimate.

- **Tokens** from the data: a corpus's size in subword tokens is its size in bytes times the tokens
  per byte of a sample (the first 256 kB of each file) cut by the base's own tokenizer; task data is
  read and its words counted, times the tokens per word of a sample. Then times the epochs, or
  ``max_steps`` × batch × gradient accumulation × window length when the step sets ``--max-steps``;
  a comparison trains every variant on every fold ((k−1)/k of the data) and scores the held-out fold.
- **Compute** (Kaplan et al., 2020): 6 × N × tokens for training all weights, 4 × N for a frozen base
  with LoRA (no gradients of frozen weights), 2 × N to score; N counts the parameters a token goes
  through (not the embedding tables) plus 2 × layers × window × hidden for attention; the MLM
  decoder only on the 15 % masked positions. Time at :data:`RATE` sustained: a stated assumption
  about the machine, the main uncertainty (a CPU is about 100 times slower).
- **Disk** from the model's shapes (its config, built on PyTorch's meta device: no weights read):
  float32 weights; what stays (the model, the adapter, a comparison's kept models) and the peak while
  training (checkpoints hold weights and Adam's two moments: three times the trained weights).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

RATE = 100e12  # FLOP/s sustained: about one A100 in mixed precision at 30 % of its peak
RATE_TEXT = "100 TFLOP/s sustained (about one current data-centre GPU in mixed precision)"
SAMPLE_BYTES = 256 * 1024
BYTES_PER_TOKEN = 3.5  # only without the base's tokenizer (said so beside the figure)
WORD_TOKENS = 1.5  # subword tokens per word, only without the base's tokenizer (said so)
NO_TOKENIZER_WORDS = f"tokens assumed at {WORD_TOKENS} per word (the base's tokenizer is not here)"
MASKED = 0.15


@dataclass
class Shape:
    params: int  # every parameter (tied weights once)
    body: int  # the parameters a token goes through: all but the embedding tables
    vocab: int
    hidden: int
    layers: int
    lora: int  # parameters of a LoRA adapter of rank 16 on the default layers
    note: str = ""


@dataclass
class Estimate:
    tokens: float  # tokens trained on (epochs included)
    flops: float
    kept: float  # bytes left after the step
    peak: float  # bytes while it runs
    note: str = ""

    @property
    def seconds(self) -> float:
        return self.flops / RATE


def _config_folder(base: str) -> Path | None:
    from .models import EMBEDDED, _embedded_source

    if base == EMBEDDED:
        return _embedded_source()
    if Path(base).is_dir():
        return Path(base)
    try:
        from huggingface_hub import try_to_load_from_cache

        found = try_to_load_from_cache(base, "config.json")
    except Exception:
        return None
    return Path(found).parent if isinstance(found, str) else None


class Estimator:
    """Estimates per step; shapes, tokenizers and data read once per base and data set."""

    def __init__(self) -> None:
        self._shapes: dict[tuple[str, int | None], Shape | None] = {}
        self._ratios: dict[tuple[str, str], float | None] = {}
        self._words: dict[tuple, tuple[int, float, list[int], str]] = {}

    def shape(self, base: str, vocab: int | None = None) -> Shape | None:
        key = (base, vocab)
        if key not in self._shapes:
            self._shapes[key] = self._shape(base, vocab)
        return self._shapes[key]

    def _shape(self, base: str, vocab: int | None) -> Shape | None:
        import torch
        from transformers import AutoConfig, AutoModelForMaskedLM

        from .methods.base import LAYERS, layer_pattern
        from .models import DEFAULT_BASE

        folder, note = _config_folder(base), ""
        if folder is not None:
            config = AutoConfig.from_pretrained(folder)
        elif base == DEFAULT_BASE:  # its published shape: BERT-base with a 119,547-piece vocabulary
            from transformers import BertConfig

            config, note = BertConfig(vocab_size=119547), f"{base}'s published shape (not in the cache here)"
        else:
            return None
        if vocab:
            config.vocab_size = vocab
        with torch.device("meta"):
            model = AutoModelForMaskedLM.from_config(config)
        params = sum(p.numel() for p in model.parameters())
        tables = sum(m.weight.numel() for m in model.modules() if isinstance(m, torch.nn.Embedding))
        pattern = re.compile(layer_pattern(list(LAYERS)))
        lora = sum(
            16 * (m.in_features + m.out_features)
            for name, m in model.named_modules()
            if isinstance(m, torch.nn.Linear) and pattern.search(name)
        )
        hidden, layers = int(config.hidden_size), int(config.num_hidden_layers)
        return Shape(params, params - tables, int(config.vocab_size), hidden, layers, lora, note)

    def _tokenizer(self, base: str):
        from transformers import AutoTokenizer

        folder = _config_folder(base)
        try:
            return AutoTokenizer.from_pretrained(folder, use_fast=True) if folder else None
        except Exception:
            return None

    def tokens_per_byte(self, base: str, files: list[Path]) -> float | None:
        key = (base, "|".join(map(str, files[:20])))
        if key not in self._ratios:
            tokenizer, sample = self._tokenizer(base), ""
            for file in files[:20]:
                with open(file, encoding="utf-8", errors="replace") as handle:
                    sample += handle.read(SAMPLE_BYTES // min(len(files), 20))
            lines = [line for line in sample.splitlines() if line.strip()]
            size = len("\n".join(lines).encode())
            counted = (
                sum(len(ids) for ids in tokenizer(lines, add_special_tokens=False)["input_ids"]) if tokenizer else 0
            )
            self._ratios[key] = counted / size if tokenizer and size else None
        return self._ratios[key]

    def corpus_tokens(self, base: str, corpora: list[str]) -> tuple[float, str] | None:
        from .corpus.reading import corpus_files, is_hub

        if any(is_hub(c) for c in corpora):
            return None
        files = corpus_files([Path(c) for c in corpora], "--corpus")
        size = sum(file.stat().st_size for file in files)
        ratio = self.tokens_per_byte(base, [f for f in files if f.suffix == ".txt"] or files)
        if ratio is None:
            return (
                size / BYTES_PER_TOKEN,
                f"tokens assumed at {BYTES_PER_TOKEN} bytes each (the base's tokenizer is not here)",
            )
        return size * ratio, ""

    def task_tokens(self, base: str, args: dict) -> tuple[float, int, str] | None:
        """Tokens of the task data (``--limit`` applied) and its number of examples."""
        from .readers.data import NerDataset
        from .readers.formats import read_task

        data = [str(d) for d in (args.get("data") if isinstance(args.get("data"), list) else [args.get("data")])]
        if not data or any("hf:" in d for d in data):
            return None
        types = [t.strip() for t in str(args.get("types") or "").split(",") if t.strip()] or None
        key = (tuple(data), args.get("format", "auto"), args.get("preset", "auto"), str(types), args.get("limit"))
        if key not in self._words:
            read = read_task(
                [Path(d) for d in data],
                args.get("format", "auto"),
                bool(args.get("repair")),
                args.get("preset", "auto"),
                types,
            )
            items = read.sentences if isinstance(read, NerDataset) else read.examples
            limit = int(args.get("limit") or 0)
            if limit:  # what cv and compare train on
                from .jobs.cv import limited

                items = limited(items, limit, whole_documents=isinstance(read, NerDataset) and bool(read.gold))
            words = [
                len(i.tokens)
                if isinstance(read, NerDataset)
                else len(f"{i.text} {getattr(i, 'text_pair', '') or ''}".split())
                for i in items
            ]
            sample = [w for i in items[:300] for w in (i.tokens if isinstance(read, NerDataset) else i.text.split())]
            tokenizer = self._tokenizer(base)
            if tokenizer and sample:
                pieces = len(tokenizer(sample, is_split_into_words=True, add_special_tokens=False)["input_ids"])
                ratio = pieces / len(sample)
            else:
                ratio = WORD_TOKENS
            self._words[key] = (len(items), ratio, words, "" if tokenizer else NO_TOKENIZER_WORDS)
        count, ratio, words, note = self._words[key]
        window = int(args.get("max_seq_len") or 512)
        per_example = [min(w * ratio + 2, window) for w in words]
        return float(sum(per_example)), count, note

    def estimate(self, command: str, args: dict, fallback_base: str) -> Estimate | None:
        base = str(args.get("base") or fallback_base)
        base = base if self.shape(base) is not None else fallback_base
        if command in ("pretrain", "vocab build", "vocab extend"):
            return self._pretrain(command, args, base)
        if command in ("finetune", "cv", "compare"):
            return self._task(command, args, base)
        return None

    def _pretrain(self, command: str, args: dict, base: str) -> Estimate | None:
        vocab = int(args["size"]) if command == "vocab build" and args.get("size") else None
        shape = self.shape(base, vocab)
        corpora = args.get("corpus") if isinstance(args.get("corpus"), list) else [args.get("corpus")]
        counted = self.corpus_tokens(base, [str(c) for c in corpora if c])
        if shape is None or counted is None:
            return None
        corpus, note = counted
        window = int(args.get("max_seq_len") or 512)
        steps = int(args.get("max_steps") or -1)
        batch = int(args.get("batch_size") or 8) * int(args.get("grad_accum") or 4)
        tokens = steps * batch * window if steps > 0 else corpus * float(args.get("epochs") or 5.0)
        full = command != "pretrain" or bool(args.get("full")) or args.get("train") == "full"
        factor = 6 if full else 4
        per_token = (
            factor * (shape.body + 2 * shape.layers * window * shape.hidden)
            + factor * MASKED * shape.vocab * shape.hidden
        )
        trained = shape.params if full else shape.lora
        kept = 4 * (shape.params if full else shape.lora)
        peak = kept + 2 * 3 * 4 * trained  # save_total_limit=2: two checkpoints of weights + Adam moments
        return Estimate(tokens, per_token * tokens, kept, peak, "; ".join(n for n in (note, shape.note) if n))

    def _task(self, command: str, args: dict, base: str) -> Estimate | None:
        shape = self.shape(base)
        counted = self.task_tokens(base, args)
        if shape is None or counted is None:
            return None
        total, _, _ = counted
        window = int(args.get("max_seq_len") or 512)
        full = args.get("mode", "full") == "full"
        per_token = shape.body + 2 * shape.layers * window * shape.hidden
        epochs = float(args.get("epochs") or 15.0)
        variants = len(args.get("_") or []) if command == "compare" else 1
        folds = int(args.get("folds") or 10) if command in ("cv", "compare") else 1
        train_share = (folds - 1) / folds if folds > 1 else 1.0
        steps = int(args.get("max_steps") or -1)
        per_run = (
            steps * int(args.get("batch_size") or 16) * total / max(counted[1], 1)
            if steps > 0
            else total * train_share * epochs
        )
        scored = total / folds if folds > 1 else 0.0
        runs = variants * folds
        flops = runs * ((6 if full else 4) * per_token * per_run + 2 * per_token * scored)
        weights = 4 * (shape.params if full else shape.lora)
        kept = weights * (variants if args.get("keep_model") or command == "finetune" else 0)
        peak = kept + weights + 3 * 4 * (shape.params if full else shape.lora)
        return Estimate(runs * per_run, flops, kept, peak, "; ".join(n for n in (counted[2], shape.note) if n))


def human_time(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def human_bytes(size: float) -> str:
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if size >= scale:
            return f"{size / scale:.1f} {unit}"
    return f"{size:.0f} B"


def human_tokens(tokens: float) -> str:
    return f"{tokens / 1e9:.2f}B" if tokens >= 1e9 else f"{tokens / 1e6:.1f}M" if tokens >= 1e5 else f"{tokens:,.0f}"
