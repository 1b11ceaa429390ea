"""Bad input: exit code 2, one line on stderr that names the problem, nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapterkit.cli import main


def _tree(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")} if root.exists() else set()


@pytest.fixture
def files(tmp_path: Path, small_corpus: Path) -> dict[str, Path]:
    empty = tmp_path / "empty.txt"
    empty.write_text("\n  \n<p></p>\n\x07\n", encoding="utf-8")
    binary = tmp_path / "weights.txt"
    binary.write_bytes(bytes(range(256)) * 4)
    latin = tmp_path / "latin1.txt"
    latin.write_bytes("Patiënt met koorts\n".encode("latin-1"))
    return {"corpus": small_corpus, "empty": empty, "binary": binary, "latin": latin}


CASES = {
    "missing corpus path": (["--corpus", "{missing}"], "no such file or folder"),
    "empty corpus after cleaning": (["--corpus", "{empty}"], "no text left after cleaning"),
    "binary file": (["--corpus", "{binary}"], "binary file"),
    "non-UTF-8 file": (["--corpus", "{latin}"], "latin1.txt:1: not UTF-8"),
    "unknown base offline": (["--base", "no-such-org/no-such-model"], "not in the local Hugging Face cache"),
    "negative learning rate": (["--lr", "-1e-4"], "--lr -0.0001"),
    "LoRA rank 0": (["--lora-r", "0"], "--lora-r 0"),
    "max length above the model's limit": (["--max-seq-len", "4096"], "accepts at most 128 tokens"),
    "unknown LoRA target": (["--lora-targets", "query,gate_proj"], "--lora-targets gate_proj"),
    "unknown block mode": (["--block-mode", "sentences"], "'--block-mode': 'sentences' is not one of 'packed', 'line'"),
    "held-out fraction of 1": (["--heldout", "1"], "--heldout"),
    "resume without a checkpoint": (["--resume"], "no checkpoint"),
    "invalid adapter name": (["--name", "../escape"], "--name '../escape'"),
    "non-numeric option": (["--epochs", "many"], "'--epochs'"),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_bad_pretrain_input_exits_2_with_one_line(case, files, tiny_bert, workdir, capsys):
    extra, expected = CASES[case]
    extra = [arg.format(missing=workdir / "nope.txt", **files) for arg in extra]
    corpus = [] if "--corpus" in extra else ["--corpus", str(files["corpus"])]
    args = ["pretrain", "--base", str(tiny_bert), "--name", "nl-clin", *corpus]
    args += ["--max-steps", "2", "--max-seq-len", "64", *extra]
    before = _tree(workdir)
    assert main(args) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: "), err
    assert expected in err[0], err[0]
    assert _tree(workdir) == before, "nothing may be written"


def test_existing_adapter_name_is_refused_without_force(files, tiny_bert, workdir, capsys):
    args = ["pretrain", "--base", str(tiny_bert), "--name", "nl-clin", "--corpus", str(files["corpus"])]
    args += ["--max-steps", "2", "--max-seq-len", "64", "--save-steps", "2"]
    assert main(args) == 0
    saved = (workdir / "adapters" / "nl-clin" / "adapterkit.json").read_bytes()
    capsys.readouterr()
    assert main(args) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "already exists" in err[0] and "--force" in err[0]
    assert (workdir / "adapters" / "nl-clin" / "adapterkit.json").read_bytes() == saved
    assert main([*args, "--force"]) == 0


def test_unknown_adapter_in_show_and_rm_is_one_line(workdir, capsys):
    for command in (["adapters", "show", "ghost"], ["adapters", "rm", "ghost"]):
        assert main(command) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and "no adapter named 'ghost'" in err[0]
