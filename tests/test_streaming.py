"""--streaming: the same cleaning, split and blocks as the in-memory path, without holding the corpus."""

from __future__ import annotations

import pytest
from transformers import AutoTokenizer

from adapterkit.corpus import plan_stream, prepare, prepare_streaming, read_corpus, split_heldout
from adapterkit.errors import AdapterkitError
from adapterkit.jobs.pretrain import PretrainConfig, run_pretrain


@pytest.fixture(scope="module")
def tokenizer(embedded_path):
    return AutoTokenizer.from_pretrained(embedded_path)


@pytest.fixture
def two_files(tmp_path, nl_corpus):
    """2,800 lines in two files: several map batches, empty lines, tags, and duplicates across files."""
    lines = nl_corpus.read_text(encoding="utf-8").splitlines()
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "a.txt").write_text("\n".join([*lines[:1500], "", lines[3], "<b>nier</b> &amp; lever"]) + "\n")
    (folder / "b.txt").write_text("\n".join(lines[1400:2700]) + "\n")  # 100 lines repeat a.txt
    return folder


@pytest.mark.parametrize("mode", ["packed", "line"])
def test_streaming_and_in_memory_modes_produce_the_same_blocks(tokenizer, two_files, mode):
    in_memory, report = prepare([two_files], tokenizer, 64, mode, heldout_fraction=0.1, seed=7)
    streamed, streamed_report = prepare_streaming([two_files], tokenizer, 64, mode, heldout_fraction=0.1, seed=7)
    expected = list(in_memory["train"])
    assert len(expected) > 1000  # several 1,000-line map batches, each with its own tail block (packed)
    assert list(streamed["train"]) == expected
    assert streamed["heldout"][:] == in_memory["heldout"][:]
    assert streamed_report.to_dict() == report.to_dict()
    assert report.duplicates_dropped >= 100 and report.empty_dropped >= 1


def test_streaming_plan_makes_the_same_drops_and_heldout_split_as_read_corpus(two_files):
    lines, _ = read_corpus([two_files])
    train, heldout = split_heldout(lines, 0.05, seed=3)
    plan = plan_stream([two_files], 0.05, seed=3)
    assert list(plan.lines(1)) == train
    assert list(plan.lines(2)) == heldout


def test_a_quoted_glob_names_the_matching_files(tmp_path, two_files):
    assert plan_stream([two_files / "*.txt"], 0.05, 3).files == sorted(two_files.glob("*.txt"))
    with pytest.raises(AdapterkitError, match="matches no file"):
        plan_stream([tmp_path / "nothing-*.txt"], 0.05, 3)


def test_a_file_changed_while_streaming_is_an_error(two_files):
    plan = plan_stream([two_files], 0.05, 3)
    with (two_files / "b.txt").open("a") as handle:
        handle.write("een nieuwe regel\n")
    with pytest.raises(AdapterkitError, match="changed while streaming"):
        list(plan.lines(1))


def test_streaming_needs_max_steps(tiny_bert, small_corpus, workdir):
    config = PretrainConfig(corpus=[small_corpus], name="s", base=str(tiny_bert), streaming=True)
    with pytest.raises(AdapterkitError, match="--streaming.*--max-steps"):
        config.validate()


def test_streaming_pretraining_trains_and_saves_an_adapter(tiny_bert, small_corpus, workdir):
    config = PretrainConfig(
        corpus=[small_corpus],
        name="streamed",
        base=str(tiny_bert),
        streaming=True,
        max_steps=6,
        batch_size=4,
        grad_accum=1,
        max_seq_len=64,
        heldout=0.1,
        lr=2e-3,
        logging_steps=3,
    )
    result = run_pretrain(config)
    assert result.manifest["hyperparameters"]["steps"] == 6
    assert result.manifest["corpus"]["streaming"] is True
    assert result.manifest["perplexity"]["after"] < result.manifest["perplexity"]["before"]
    assert (result.destination / "adapter_model.safetensors").is_file()
