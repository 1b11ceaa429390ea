"""`adapterkit vocab extend` and `adapterkit vocab build`: domain vocabularies (study B)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..choices import DEFAULT_BASE
from ..invocation import summarise
from .common import quiet_libraries
from .options import (
    BlockLengthOption,
    BlocksPerStepOption,
    CorpusEpochsOption,
    MaxStepsOption,
    OtherCorpusOption,
    VocabBaseOption,
    VocabGradAccumOption,
    VocabLrOption,
    VocabMode,
    VocabSeedOption,
    VocabTrainMode,
    renamed,
)
from .outputs import writes


@renamed(out="output", mode="train")
@writes(outputs=("output/",), inputs=("corpus", "other_corpus", "base"))
def vocab_extend(
    corpus: Annotated[
        list[Path], typer.Option("--corpus", metavar="PATH", help="Domain text to train the new pieces on.")
    ],
    size: Annotated[int, typer.Option(help="Size of the domain WordPiece vocabulary to train.")],
    output: Annotated[
        Path, typer.Option(help="Output folder: base/ (extended base), model/ (trained), adapterkit.json.")
    ],
    base: VocabBaseOption = DEFAULT_BASE,
    other_corpus: OtherCorpusOption = None,
    train: Annotated[VocabTrainMode, typer.Option(help="lora: LoRA plus trainable new-token embeddings.")] = "full",
    max_steps: MaxStepsOption = -1,
    epochs: CorpusEpochsOption = 5.0,
    batch_size: BlocksPerStepOption = 8,
    grad_accum: VocabGradAccumOption = 4,
    lr: VocabLrOption = None,
    max_seq_len: BlockLengthOption = 128,
    seed: VocabSeedOption = 42,
    force: Annotated[
        bool, typer.Option("--force", help="Replace an existing --output (only one adapterkit wrote).")
    ] = False,
) -> None:
    """Train a domain WordPiece vocabulary, add its new pieces, initialise and train their embeddings.

    New rows start as the mean of their old sub-pieces. Reports tokens per word before/after and,
    with --other-corpus, held-out perplexity on the other language before/after (forgetting).
    """
    from ..vocab import VocabSettings, extend_vocabulary

    quiet_libraries()
    result = extend_vocabulary(
        VocabSettings(
            base,
            corpus,
            size,
            output,
            other_corpus=other_corpus or None,
            mode=train,
            mode_option="--train",
            max_steps=max_steps,
            epochs=epochs,
            batch_size=batch_size,
            grad_accum=grad_accum,
            lr=lr,
            max_seq_len=max_seq_len,
            seed=seed,
        ),
        force,
    )
    tpw = result.tokens_per_word
    summarise(
        f"{len(result.pieces)} new pieces, tokens per word {tpw['before']:.3f} -> {tpw['after']:.3f}, "
        f"perplexity trained {result.perplexity.get('trained', float('nan')):,.2f}",
        result.out,
    )


@renamed(out="output")
@writes(outputs=("output/",), inputs=("corpus", "other_corpus", "base"))
def vocab_build(
    corpus: Annotated[
        list[Path],
        typer.Option("--corpus", metavar="PATH", help="Domain text (all languages) to train the vocabulary on."),
    ],
    size: Annotated[int, typer.Option(help="Size of the WordPiece vocabulary to train (the study: 45000).")],
    output: Annotated[
        Path, typer.Option(help="Output folder: base/ (rebuilt base), model/ (trained), adapterkit.json.")
    ],
    mode: Annotated[
        VocabMode,
        typer.Option(
            help="new: replace the base vocabulary by the trained one (study B); extend: append the pieces it lacks."
        ),
    ] = "new",
    base: VocabBaseOption = DEFAULT_BASE,
    other_corpus: OtherCorpusOption = None,
    train: Annotated[
        VocabTrainMode, typer.Option(help="lora: LoRA plus trainable embeddings of the initialised pieces.")
    ] = "full",
    max_steps: MaxStepsOption = -1,
    epochs: CorpusEpochsOption = 5.0,
    batch_size: BlocksPerStepOption = 8,
    grad_accum: VocabGradAccumOption = 4,
    lr: VocabLrOption = None,
    max_seq_len: BlockLengthOption = 128,
    seed: VocabSeedOption = 42,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing --output.")] = False,
) -> None:
    """Train a WordPiece vocabulary on the domain corpora, rebuild the base around it, continue MLM.

    --mode new (the study's path): the base vocabulary is replaced by the new one; rows of pieces
    the base had are copied, the others start as the mean of their old sub-pieces; the MLM decoder
    stays tied. --mode extend is `vocab extend`; --train is the same option there.
    """
    from ..vocab import VocabSettings, build_vocabulary

    quiet_libraries()
    build_vocabulary(
        VocabSettings(
            base,
            corpus,
            size,
            output,
            vocab_mode=mode,  # type: ignore[arg-type]  # checked when made, with a one-line error
            other_corpus=other_corpus or None,
            mode=train,  # type: ignore[arg-type]
            max_steps=max_steps,
            epochs=epochs,
            batch_size=batch_size,
            grad_accum=grad_accum,
            lr=lr,
            max_seq_len=max_seq_len,
            seed=seed,
            mode_option="--train",
        ),
        force,
    )
