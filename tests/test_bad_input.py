"""The bad-input catalogue: every command, many kinds of bad input, one behaviour.

Each case runs the CLI in-process (``adapterkit.cli.main``) in a folder holding a registry with
adapters, task data and corpora, and must give exit code 2, exactly one line on stderr naming the
problem (a key substring per case), and leave every file and folder as it was (names, sizes and
modification times). ``test_cli_errors.py`` holds the original pretrain cases; these extend them.
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
from pathlib import Path

import pytest

from adapterkit.cli import main

# id: (command line with {placeholders}, substring the one-line message must contain)
CASES: dict[str, tuple[str, str]] = {
    # --- pretrain: corpora and absurd hyper-parameters
    "pretrain: huge line": ("pretrain --corpus {huge} {pt}", "huge.txt:1: a line of more than 8,388,608 bytes"),
    "pretrain: corrupt gzip": ("pretrain --corpus {badgz} {pt}", "bad.txt.gz: cannot read"),
    "pretrain: jsonl without the text field": ("pretrain --corpus {jsonl} {pt}", "no string field 'text'"),
    "pretrain: epochs 0": ("pretrain --corpus {corpus} {pt} --epochs 0", "--epochs 0"),
    "pretrain: batch 0": ("pretrain --corpus {corpus} {pt} --batch-size 0", "--batch-size 0"),
    "pretrain: mlm probability 1.5": ("pretrain --corpus {corpus} {pt} --mlm-probability 1.5", "--mlm-probability"),
    "pretrain: registry is a file": (
        "pretrain --corpus {corpus} {pt} --registry {corpus}",
        "it is not a folder",
    ),
    "pretrain: work dir under a file": (
        "pretrain --corpus {corpus} {pt} --work-dir {corpus}/run",
        "--work-dir",
    ),
    # --- compose
    "compose: adapters of another base": ("compose a other-base", "trained on different bases"),
    "compose: unknown adapter": ("compose a ghost", "adapter 'ghost' is neither in the registry"),
    "compose: one adapter": ("compose a", "at least two adapters"),
    "compose: weights do not match": ("compose a b --weights 1,2,3", "3 weight(s) for 2 adapters"),
    "compose: rank 0": ("compose a b --how svd --rank 0", "--rank 0"),
    "compose: density 0": ("compose a b --how ties --density 0", "--density 0"),
    "compose: unknown strategy": ("compose a b --how average", "'--how': 'average' is not one of 'stack'"),
    "compose: learned steps 0": ("compose a b --how learned --on {corpus} --steps 0", "--steps 0"),
    "compose: learned lr < 0": ("compose a b --how learned --on {corpus} --lr -0.1", "--lr -0.1"),
    "compose: task adapter as a part": ("compose a task-adapter", "task adapter"),
    # --- eval-mlm
    "eval-mlm: binary corpus": ("eval-mlm a --corpus {binary_txt}", "binary file"),
    "eval-mlm: empty corpus": ("eval-mlm a --corpus {empty}", "no text left after cleaning"),
    "eval-mlm: batch 0": ("eval-mlm a --corpus {corpus} --batch-size 0", "--batch-size 0"),
    "eval-mlm: max length 0": ("eval-mlm a --corpus {corpus} --max-seq-len 0", "--max-seq-len 0"),
    "eval-mlm: unknown variant": ("eval-mlm nope --corpus {corpus}", "variant 'nope'"),
    "eval-mlm: table to a .txt file": ("eval-mlm a --corpus {corpus} --output table.txt", "--output table.txt"),
    # --- finetune: task data
    "finetune: CoNLL wrong column count": ("finetune --data {columns} {ft}", "columns.conll:3: 3 columns"),
    "finetune: BRAT offset past the end": ("finetune --data {brat_past} {ft}", "past the end of the text"),
    "finetune: BRAT inverted span": ("finetune --data {brat_inverted} {ft}", "start not before end"),
    "finetune: CoNLL inverted span column": ("finetune --data {spans} {ft}", "is not start_end with start < end"),
    "finetune: malformed tag": ("finetune --data {badtag} {ft}", "--repair"),
    "finetune: unknown labels in --eval-data": (
        "finetune --data {conll} --eval-data {conll_other} {ft}",
        "entity types the training data lacks: DRUG",
    ),
    "finetune: binary data": ("finetune --data {binary_conll} {ft}", "not UTF-8"),
    "finetune: empty data": ("finetune --data {empty_conll} {ft}", "no sentences found"),
    "finetune: NER and classification mixed": ("finetune --data {conll} --data {classes} {ft}", "read them separately"),
    "finetune: lr < 0": ("finetune --data {conll} {ft} --lr -1e-5", "--lr -1e-05"),
    "finetune: epochs 0": ("finetune --data {conll} {ft} --epochs 0", "--epochs 0"),
    "finetune: batch 0": ("finetune --data {conll} {ft} --batch-size 0", "--batch-size 0"),
    "finetune: task rank 0": ("finetune --data {conll} {ft} --mode adapter --task-lora-r 0", "--task-lora-r 0"),
    "finetune: max length 4": ("finetune --data {conll} {ft} --max-seq-len 4", "--max-seq-len 4"),
    "finetune: unknown mode": (
        "finetune --data {conll} {ft} --mode lora",
        "'--mode': 'lora' is not one of 'full', 'adapter'",
    ),
    "finetune: unknown format": ("finetune --data {conll} {ft} --format csv", "'--format': 'csv' is not one of 'auto'"),
    "finetune: output under a file": ("finetune --data {conll} {ft} --output {corpus}/model", "not a writable folder"),
    "finetune: resume without checkpoint": ("finetune --data {conll} {ft} --resume", "--resume: no checkpoint"),
    # --- cv / compare
    "cv: one fold": ("cv --data {conll} {task} --folds 1", "--folds 1"),
    "cv: limit 1": ("cv --data {conll} {task} --limit 1", "--limit 1"),
    "cv: fold file of another dataset": (
        "cv --data {conll} {task} --folds 2 --fold-file {foreign_folds}",
        "made for another dataset",
    ),
    "cv: run dir under a file": ("cv --data {conll} {task} --folds 2 --output {corpus}/cv", "--output"),
    "compare: one variant": ("compare base --data {conll} {task}", "at least two variants"),
    "compare: a variant twice": ("compare base base --data {conll} {task}", "named twice"),
    # --- predict
    "predict: not a task model": ("predict a --input {conll} --output pred", "not a fine-tuned task model"),
    "predict: unknown output format": (
        "predict a --input {conll} --output pred --output-format xml",
        "'--output-format': 'xml' is not one of",
    ),
    "predict: corrupted task model": ("predict task-damaged --input {conll} --output pred", "sha256 does not match"),
    # --- recipes
    "run: unknown key in a step": ("run {recipe_unknown_key}", "unknown key(s) argz"),
    "run: wrong type in an override": ("run {recipe_ok} task.folds=many", "expected a int like 2"),
    "run: unknown setting": ("run {recipe_ok} task.fold=3", "task.fold: not a setting"),
    "run: not TOML": ("run {binary}", "not UTF-8 text"),
    # --- vocab, adapters, report
    "vocab extend: size 0": ("vocab extend --corpus {corpus} --size 0 --output vocab --base {tiny}", "--size 0"),
    "vocab extend: unknown mode": (
        "vocab extend --corpus {corpus} --size 100 --output vocab --base {tiny} --train dora",
        "'--train': 'dora' is not one of 'full', 'lora'",
    ),
    "adapters verify: unknown name": ("adapters verify ghost", "no adapter named 'ghost'"),
    "adapters show: name with a path": ("adapters show ../a", "use letters, digits"),
    "report: not a run folder": ("report adapters", "neither comparison.json nor steps/"),
}


def _snapshot(root: Path) -> dict[str, tuple[int, int] | None]:
    """Every file (size, mtime) and folder (None) under ``root``: what a failed command must not change."""
    return {
        str(p.relative_to(root)): None if p.is_dir() else (p.stat().st_size, p.stat().st_mtime_ns)
        for p in root.rglob("*")
    }


@pytest.fixture(scope="module")
def trained(tiny_adapters, tmp_path_factory) -> Path:
    """A registry with two tiny LoRA adapters (conftest's) and a tiny task adapter."""
    from adapterkit.jobs.finetune import FinetuneRequest, run_finetune
    from adapterkit.tasks.settings import TrainSettings

    root = tmp_path_factory.mktemp("bad-input-registry")
    shutil.copytree(tiny_adapters, root / "adapters")
    conll = root / "ner.conll"
    conll.write_text("Pacient\tO\ncu\tO\nfebră\tB-DIS\n\nIa\tO\naspirină\tB-DIS\n", encoding="utf-8")
    settings = TrainSettings(max_steps=1, batch_size=2, max_seq_len=32, mode="adapter", task_lora_r=2)
    request = FinetuneRequest(
        data=[conll], name="task-adapter", variant="a", settings=settings, registry=root / "adapters"
    )
    cwd = Path.cwd()
    try:
        os.chdir(root)  # the task run's checkpoints go to ./runs
        run_finetune(request)
    finally:
        os.chdir(cwd)
    return root / "adapters"


@pytest.fixture
def placeholders(trained: Path, tiny_bert: Path, small_corpus: Path, workdir: Path) -> dict[str, str]:
    """The files the cases name, written into the working folder."""
    registry = workdir / "adapters"
    shutil.copytree(trained, registry)
    shutil.copytree(registry / "a", registry / "other-base")
    manifest_file = registry / "other-base" / "adapterkit.json"
    manifest = json.loads(manifest_file.read_text())
    manifest["name"] = "other-base"
    manifest["base"] = {**manifest["base"], "fingerprint": "sha256:" + "0" * 64}
    manifest_file.write_text(json.dumps(manifest))
    # A task adapter whose weights were damaged after saving.
    shutil.copytree(registry / "task-adapter", registry / "task-damaged")
    weights = registry / "task-damaged" / "adapter_model.safetensors"
    weights.write_bytes(weights.read_bytes()[:-8] + b"\x00" * 8)
    data = workdir / "data"
    data.mkdir()

    def write(name: str, text: str) -> str:
        path = data / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return str(path)

    paths = {
        "tiny": str(tiny_bert),
        "corpus": str(small_corpus),
        "empty": write("empty.txt", "\n \n<p></p>\n"),
        "huge": write("huge.txt", "x" * (9 * 1024 * 1024) + "\n"),
        "jsonl": write("notes.jsonl", '{"body": "koorts"}\n'),
        "conll": write("ner.conll", "Pacient\tO\ncu\tO\nfebră\tB-DIS\n\nIa\tO\naspirină\tB-DIS\n"),
        "conll_other": write("other.conll", "Ia\tO\naspirină\tB-DRUG\n"),
        "columns": write("columns.conll", "Pacient\tO\ncu\tO\nfebră\tX\tB-DIS\n"),
        "spans": write("spans.conll", "Pacient\tdoc1\t0_7\tO\nfebră\tdoc1\t12_8\tB-DIS\n"),
        "badtag": write("badtag.conll", "Pacient\tO\nfebră\tDIS\n"),
        "classes": write("classes.jsonl", '{"text": "febră", "label": "yes"}\n'),
        "empty_conll": write("empty.conll", "\n\n"),
        "recipe_unknown_key": write("unknown.toml", '[[steps]]\nid = "a"\nrun = "cv"\nargz = ["x"]\n'),
        "recipe_ok": write(
            "ok.toml", '[task]\nfolds = 2\n\n[[steps]]\nid = "a"\nrun = "cv"\nargs = { folds = "${task.folds}" }\n'
        ),
    }
    write("brat-past/doc.txt", "Pacient cu febră.")
    write("brat-past/doc.ann", "T1\tDIS 11 40\tfebră\n")
    write("brat-inverted/doc.txt", "Pacient cu febră.")
    write("brat-inverted/doc.ann", "T1\tDIS 16 11\tfebră\n")
    paths["brat_past"] = str(data / "brat-past")
    paths["brat_inverted"] = str(data / "brat-inverted")
    (data / "binary.conll").write_bytes(b"\xff\xfe\x00\x01" * 64)
    paths["binary_conll"] = str(data / "binary.conll")
    (data / "binary.bin").write_bytes(bytes(range(256)) * 8)
    (data / "binary.txt").write_bytes(bytes(range(256)) * 8)
    paths["binary_txt"] = str(data / "binary.txt")
    paths["binary"] = str(data / "binary.bin")
    (data / "bad.txt.gz").write_bytes(b"\x1f\x8b\x08\x00garbage" + gzip.compress(b"x")[10:20])
    paths["badgz"] = str(data / "bad.txt.gz")
    folds = {"k": 2, "seed": 42, "meta": {}, "assignment": [{"id": "elsewhere:1", "fold": 0}, {"id": "x:2", "fold": 1}]}
    paths["foreign_folds"] = write("folds.json", json.dumps(folds))
    paths["pt"] = f"--base {tiny_bert} --name nl --max-steps 2 --max-seq-len 32"
    paths["ft"] = f"--base {tiny_bert} --name ner --max-steps 1 --max-seq-len 32"
    paths["task"] = f"--base {tiny_bert} --max-steps 1 --max-seq-len 32"
    return paths


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_bad_input_exits_2_with_one_line_and_changes_nothing(case, placeholders, workdir, capsys):
    template, expected = CASES[case]
    argv = template.format(**placeholders).split()  # the test's paths hold no spaces
    before = _snapshot(workdir)
    capsys.readouterr()
    code = main(argv)
    captured = capsys.readouterr()
    err = captured.err.strip().splitlines()
    assert code == 2, f"exit {code}; stderr: {captured.err[-2000:]}"
    assert len(err) == 1 and err[0].startswith("error: "), err
    assert expected in err[0], err[0]
    assert _snapshot(workdir) == before, "a failed command must leave the registry and run folders unchanged"


def test_the_catalogue_has_at_least_30_cases_across_all_commands():
    commands = {template.split()[0] for template, _ in CASES.values()}
    assert len(CASES) >= 30
    expected = {"pretrain", "compose", "eval-mlm", "finetune", "cv", "compare", "predict", "run", "vocab"}
    assert expected | {"adapters", "report"} <= commands
