"""The values of the command line's choice options, in one place.

The implementing modules check these values (API callers pass plain strings) and the command
line declares its choice options from the same tuples, so ``--help`` lists exactly what the code
accepts. Kept free of heavy imports: the command line reads it before any command runs.
"""

from __future__ import annotations

DEFAULT_BASE = "bert-base-multilingual-cased"  # --base when none is given (models.py)
BLOCK_MODES = ("packed", "line")  # pretrain --block-mode (corpus/blocks.py)
TRAIN_HEAD = ("auto", "yes", "no")  # pretrain --train-head (jobs/pretrain.py)
PRECISIONS = ("auto", "fp32", "bf16", "fp16")  # --precision (speed.py)
QUANTIZE_MODES = ("8bit", "4bit")  # --quantize (quantize.py)
# --optim: our name -> the transformers optimiser it selects (quantize.py)
OPTIMIZERS = {"adamw": "adamw_torch", "adamw8bit": "adamw_bnb_8bit"}
REPORT_TO = ("none", "tensorboard", "wandb", "all")  # --report-to (tracking.py)
STRATEGIES = ("stack", "merge", "svd", "ties", "dare", "learned")  # compose --how (compose.py)
TASK_MODES = ("full", "adapter")  # finetune/cv/compare --mode (jobs/finetune.py)
DATA_FORMATS = ("auto", "conll", "brat", "text", "jsonl", "parquet")  # --format of task data (readers/formats.py)
SCORE_FORMATS = ("auto", "brat", "conll")  # score --format (scorer.py)
OUTPUT_FORMATS = ("conll", "brat", "jsonl")  # predict --output-format (jobs/predict.py)
CONLL_PRESETS = ("auto", "conll2", "monero", "pharmaconer")  # readers/conll.py
BRAT_PRESETS = ("auto", "mantra")  # auto: the T line's type; mantra: the group in the AnnotatorNotes line
PRESETS = tuple(dict.fromkeys(CONLL_PRESETS + BRAT_PRESETS))  # --preset: CoNLL columns or BRAT types
VOCAB_TRAIN_MODES = ("full", "lora")  # vocab extend --mode, vocab build --train (vocab/settings.py)
VOCAB_MODES = ("new", "extend")  # vocab build --mode (vocab/settings.py)
