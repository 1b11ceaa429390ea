"""The rules catalogue: nothing a user gives is trusted, each case named after the rule it pins.

Rules: no output replaces an input (``overlap.py``; every option, generated from the CLI in
``test_output_over_input.py``, named cases here); every number has a documented bound checked
before any work (``bounds.py``); recipe settings in a cycle are one line naming it; a fold file is
validated against k and the data before the first fold trains; a registry that is not a folder, a
pipe given as input, a folder output where a file is, a full disk: one line naming the path, nothing
left behind. Each case runs the CLI in-process and must give exit 2, exactly one line on stderr
holding a key substring, and leave every file and folder as it was. Property tests (hypothesis)
pin each rule on inputs nobody listed.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adapterkit.bounds import BOUNDS, check_bounds
from adapterkit.cli import main
from adapterkit.errors import AdapterkitError

BIG = "1" + "0" * 30  # 10^30: beyond any C integer

# id (the rule: the case): (command line with {placeholders}, substring the one line must contain)
CASES: dict[str, tuple[str, str]] = {
    # --- no output replaces an input (named cases; every option is covered in test_output_over_input.py)
    "output over input: score --output over --pred (it overwrote the predictions)": (
        "score --gold {gold} --pred {conll} --output {conll}",
        "it is --pred",
    ),
    "output over input: score --output over --gold": (
        "score --gold {gold} --pred {conll} --output {gold}",
        "it is --gold",
    ),
    "output over input: score --output inside a BRAT --gold folder": (
        "score --gold {brat} --pred {brat} --output {brat}/scores.json",
        "lies inside --gold",
    ),
    "output over input: corpus clean --output inside the input folder": (
        "corpus clean {data} --output {data}/clean.txt",
        "lies inside",
    ),
    "output over input: eval-mlm --output inside the corpus folder": (
        "eval-mlm base --base {tiny} --corpus {data} --output {data}/table.md",
        "lies inside --corpus",
    ),
    "output over input: cv --fold-file is the data file": (
        "cv --data {conll} {task} --fold-file {conll}",
        "it is --data",
    ),
    "output over input: compare --fold-file is the data file": (
        "compare base a --data {conll} {task} --fold-file {conll}",
        "it is --data",
    ),
    "output over input: finetune --logging-dir is the data folder": (
        "finetune --data {conll} {ft} --logging-dir {data}",
        "it contains --data",
    ),
    "output over input: finetune --output is the variant adapter": (
        "finetune --data {conll} {ft} --variant a --output adapters/a",
        "it is --variant",
    ),
    "output over input: finetune --mode adapter --name is its registry --variant": (
        "finetune --data {conll} {task} --variant a --name a --mode adapter --force",
        "it is adapters/a, an input of this run",
    ),
    "output over input: pretrain --work-dir is the base folder": (
        "pretrain --corpus {corpus} {pt} --work-dir {tiny}",
        "it is --base",
    ),
    "output over input: vocab build --output is the corpus folder": (
        "vocab build --corpus {data} --size 50 --base {tiny} --output {data}",
        "it is --corpus",
    ),
    "output over input: predict --output is the task model": (
        "predict adapters/a --input {conll} --output adapters/a",
        "it is",
    ),
    "output over input: push --output is the --runs folder": (
        "push a --repo u/x --runs {data} --output {data}",
        "it is --runs",
    ),
    "output over input: recipes cp over its own source": ("recipes cp {recipe} {recipe} --force", "it is"),
    "output over input: compose --output is a part (a+b)": ("compose a b --output adapters/b --force", "it is"),
    "output over input: --json a hard link of --pred": (
        "score --gold {gold} --pred {conll} --output {hardlink}",
        "it is",
    ),
    "output over input: --json a symbolic link to --gold": (
        "score --gold {gold} --pred {conll} --output {symlink}",
        "it is",
    ),
    # --- bounds: sizes
    "bound: vocab extend --size 10^12": (
        f"vocab extend --corpus {{corpus}} --size {10**12} --output v {{vb}}",
        "at most",
    ),
    "bound: vocab extend --size 10^30": (
        f"vocab extend --corpus {{corpus}} --size {BIG} --output v {{vb}}",
        "--size 1000",
    ),
    "bound: vocab build --size 10^12": (
        f"vocab build --corpus {{corpus}} --size {10**12} --output v {{vb}}",
        "at most",
    ),
    "bound: pretrain --batch-size 10^6": ("pretrain --corpus {corpus} {pt} --batch-size 1000000", "--batch-size"),
    "bound: pretrain --grad-accum 10^6": ("pretrain --corpus {corpus} {pt} --grad-accum 1000000", "--grad-accum"),
    "bound: pretrain --num-proc 10^5": ("pretrain --corpus {corpus} {pt} --num-proc 100000", "--num-proc"),
    "bound: cv --folds 10^4": ("cv --data {conll} {task} --folds 10000", "--folds 10000: at most 1,000"),
    "bound: compare --folds 10^30": (f"compare base a --data {{conll}} {{task}} --folds {BIG}", "--folds"),
    "bound: cv --limit 10^12": (f"cv --data {{conll}} {{task}} --limit {10**12}", "--limit"),
    "bound: eval-mlm --batch-size 10^30": (f"eval-mlm a --corpus {{corpus}} --batch-size {BIG}", "--batch-size"),
    "bound: analyse --max-entities 10^9": ("analyse {data} --max-entities 1000000000", "--max-entities"),
    "bound: analyse --examples 10^9": ("analyse {data} --examples 1000000000", "--examples"),
    "bound: corpus clean --show-changes 10^9": (
        "corpus clean {corpus} --output c.txt --show-changes 1000000000",
        "at most",
    ),
    # --- bounds: steps and passes
    "bound: pretrain --max-steps 10^12": (f"pretrain --corpus {{corpus}} {{pt}} --max-steps {10**12}", "--max-steps"),
    "bound: pretrain --epochs 10^6": ("pretrain --corpus {corpus} {pt} --epochs 1000000", "--epochs"),
    "bound: pretrain --save-steps 10^12": (
        f"pretrain --corpus {{corpus}} {{pt}} --save-steps {10**12}",
        "--save-steps",
    ),
    "bound: pretrain --logging-steps 10^30": (f"pretrain --corpus {{corpus}} {{pt}} --logging-steps {BIG}", "logging"),
    "bound: pretrain --warmup-steps 10^12": (f"pretrain --corpus {{corpus}} {{pt}} --warmup-steps {10**12}", "warmup"),
    "bound: finetune --epochs 1e9": ("finetune --data {conll} {ft} --epochs 1e9", "--epochs"),
    "bound: vocab extend --epochs 10^6": (
        "vocab extend --corpus {corpus} --size 50 --output v {vb} --epochs 1e6",
        "epochs",
    ),
    "bound: compose --steps 10^12": (f"compose a b --how learned --on {{corpus}} --steps {10**12}", "--steps"),
    # --- bounds: ranks
    "bound: pretrain --lora-r 10^6": ("pretrain --corpus {corpus} {pt} --lora-r 1000000", "--lora-r 1000000: at most"),
    "bound: pretrain --lora-alpha 10^30": (f"pretrain --corpus {{corpus}} {{pt}} --lora-alpha {BIG}", "--lora-alpha"),
    "bound: finetune --task-lora-r 10^5": ("finetune --data {conll} {ft} --mode adapter --task-lora-r 100000", "task"),
    "bound: compose --rank 10^5": ("compose a b --how svd --rank 100000", "--rank 100000: at most 4,096"),
    # --- bounds: lengths
    "bound: pretrain --max-seq-len 10^30": (f"pretrain --corpus {{corpus}} {{pt}} --max-seq-len {BIG}", "max-seq-len"),
    "bound: finetune --stride 10^9": ("finetune --data {conll} {ft} --stride 1000000000", "--stride"),
    "bound: predict --max-seq-len 10^9": (
        "predict a --input {conll} --output p --max-seq-len 1000000000",
        "max-seq-len",
    ),
    "bound: compose --max-seq-len 10^9": (
        "compose a b --how learned --on {corpus} --max-seq-len 1000000000",
        "max-seq",
    ),
    # --- bounds: rates, seeds, waits
    "bound: finetune --lr 1e6": ("finetune --data {conll} {ft} --lr 1e6", "--lr 1000000.0: at most 10"),
    "bound: cv --weight-decay 1e3": ("cv --data {conll} {task} --weight-decay 1000", "--weight-decay"),
    "bound: cv --warmup-ratio 2": ("cv --data {conll} {task} --warmup-ratio 2", "--warmup-ratio"),
    "bound: pretrain --seed -1 (numpy takes 0 to 2^32-1)": ("pretrain --corpus {corpus} {pt} --seed -1", "at least 0"),
    "bound: cv --seed 2^32": (f"cv --data {{conll}} {{task}} --seed {2**32}", "--seed 4294967296: at most"),
    "bound: adapters rm --wait 10^9": ("adapters rm a --yes --wait 1e9", "--wait"),
    "bound: eval-mlm --heldout inf": ("eval-mlm a --corpus {corpus} --heldout inf", "expected a finite number"),
    # --- recipe settings in a cycle
    "cycle: a setting naming itself": ("run {cycle_self} --dry-run", "the setting a refers to itself (${a})"),
    "cycle: two settings naming each other": ("run {cycle_two} --dry-run", "cycle: a -> b -> a"),
    "cycle: three settings through tables": ("run {cycle_three} --dry-run", "cycle: x.p -> y.q -> z -> x.p"),
    "cycle: inside a list setting": ("run {cycle_list} --dry-run", "cycle: c -> d -> c"),
    "cycle: brought in by an override": ("run {cycle_ok} b=${{a}} --dry-run", "cycle: a -> b -> a"),
    # --- fold files, validated before the first fold trains
    "fold file: a fold number past k": ("cv --data {conll} {task} --folds 2 --fold-file {folds_past}", "in fold 2"),
    "fold file: a negative fold number": ("cv --data {conll} {task} --folds 2 --fold-file {folds_negative}", "fold -1"),
    "fold file: a fold that is not a whole number": (
        "cv --data {conll} {task} --folds 2 --fold-file {folds_float}",
        "0.5",
    ),
    "fold file: a fold given as text": ("cv --data {conll} {task} --folds 2 --fold-file {folds_text}", "'1'"),
    "fold file: an item listed twice": ("cv --data {conll} {task} --folds 2 --fold-file {folds_twice}", "listed twice"),
    "fold file: an empty test fold": ("cv --data {conll} {task} --folds 3 --fold-file {folds_empty}", "fold 2 has no"),
    "fold file: k below 2": ("cv --data {conll} {task} --folds 2 --fold-file {folds_k1}", "k = 1"),
    "fold file: k missing": ("cv --data {conll} {task} --folds 2 --fold-file {folds_nok}", "not a readable fold file"),
    # --- paths: registry, pipes, destinations before loading
    "path: --registry is a file (adapters list)": ("adapters list --registry {corpus}", "not a folder"),
    "path: --registry is a file (compose)": ("compose a b --registry {corpus}", "--registry"),
    "path: --registry is a file (finetune)": ("finetune --data {conll} {ft} --registry {corpus}", "not a folder"),
    "path: --registry is a named pipe (eval-mlm)": ("eval-mlm a --corpus {corpus} --registry {fifo}", "--registry"),
    "path: a named pipe as --corpus": ("pretrain --corpus {fifo} {pt}", "named pipe (FIFO)"),
    "path: a named pipe as --data": ("finetune --data {fifo} {ft}", "named pipe"),
    "path: a named pipe as score --gold": ("score --gold {fifo} --pred {conll}", "named pipe"),
    "path: a named pipe as corpus clean input": ("corpus clean {fifo} --output c.txt", "named pipe"),
    "path: a named pipe as --eval-data": ("finetune --data {conll} --eval-data {fifo} {ft}", "--eval-data"),
    "path: finetune --logging-dir is a file (before loading)": (
        "finetune --data {conll} {ft} --logging-dir {corpus}",
        "is a file, not a folder",
    ),
    "path: cv --logging-dir is a file (before loading)": (
        "cv --data {conll} {task} --logging-dir {corpus}",
        "--logging",
    ),
    "path: pretrain --logging-dir under a file": (
        "pretrain --corpus {corpus} {pt} --logging-dir {gold}/logs",
        "file",
    ),
    "path: compare --logging-dir is a file": ("compare base a --data {conll} {task} --logging-dir {gold}", "a file"),
    "path: predict --output is a file": ("predict a --input {conll} --output {gold}", "is a file, not a folder"),
    "path: vocab extend --output under a file": (
        "vocab extend --corpus {corpus} --size 50 {vb} --output {gold}/v",
        "a file",
    ),
    "path: score --output is a folder": ("score --gold {gold} --pred {conll} --output adapters", "a folder"),
    "path: push --output under a file": ("push a --repo u/x --output {gold}/upload", "is a file"),
}


def _snapshot(root: Path) -> dict[str, tuple[int, int] | None]:
    return {
        str(p.relative_to(root)): None if p.is_dir() else (p.lstat().st_size, p.lstat().st_mtime_ns)
        for p in root.rglob("*")
    }


def _recipe(settings: str) -> str:
    return settings + '\n[[steps]]\nid = "s"\nrun = "cv"\nargs = { data = "${a}" }\n'


def _folds(k, rows) -> str:
    return json.dumps({"k": k, "seed": 42, "meta": {}, "assignment": [{"id": i, "fold": f} for i, f in rows]})


@pytest.fixture
def placeholders(workdir: Path, tiny_adapters: Path, tiny_bert: Path, small_corpus: Path) -> dict[str, str]:
    shutil.copytree(tiny_adapters, workdir / "adapters")
    data = workdir / "data"
    data.mkdir()

    def write(name: str, text: str) -> str:
        (data / name).parent.mkdir(parents=True, exist_ok=True)
        (data / name).write_text(text, encoding="utf-8")
        return str(data / name)

    conll = write("ner.conll", "Pacient\tO\nfebră\tB-DIS\n\nIa\tO\naspirină\tB-DIS\n\nTuse\tB-DIS\n")
    from adapterkit.tasks.inputs import read_data

    ids = [item.source for item in read_data([Path(conll)], "auto", "auto", False)[1]]  # what cv's folds are of
    assert len(ids) == 3
    write("brat/d.txt", "Pacient cu febră.")
    write("brat/d.ann", "T1\tDIS 11 16\tfebră\n")
    os.mkfifo(workdir / "fifo")
    (workdir / "notes").mkdir()
    (workdir / "notes" / "a.txt").write_text("Pacient cu febră.", encoding="utf-8")
    os.mkfifo(workdir / "notes" / "b.txt")
    os.link(conll, workdir / "hardlink.json")
    (workdir / "symlink.json").symlink_to(data / "gold.conll")
    return {
        "tiny": str(tiny_bert),
        "corpus": str(small_corpus),
        "conll": conll,
        "gold": write("gold.conll", "Pacient\tO\nfebră\tB-DIS\n"),
        "brat": str(data / "brat"),
        "data": str(data),
        "fifo": str(workdir / "fifo"),
        "fifo_folder": str(workdir / "notes"),
        "hardlink": str(workdir / "hardlink.json"),
        "symlink": str(workdir / "symlink.json"),
        "recipe": write("mine.toml", _recipe('a = "x"')),
        "cycle_self": write("self.toml", _recipe('a = "${a}"')),
        "cycle_two": write("two.toml", _recipe('a = "${b}"\nb = "x-${a}"')),
        "cycle_three": write(
            "three.toml", 'a = "${x.p}"\nz = "${x.p}"\n' + _recipe('[x]\np = "${y.q}"\n[y]\nq = "${z}"')
        ),
        "cycle_list": write("list.toml", _recipe('a = ["${c}"]\nc = ["${d}"]\nd = ["x", "${c}"]')),
        "cycle_ok": write("ok.toml", _recipe('a = "${b}"\nb = "x"')),
        "folds_past": write("f-past.json", _folds(2, [(ids[0], 0), (ids[1], 1), (ids[2], 2)])),
        "folds_negative": write("f-neg.json", _folds(2, [(ids[0], 0), (ids[1], 1), (ids[2], -1)])),
        "folds_float": write("f-float.json", _folds(2, [(ids[0], 0), (ids[1], 1), (ids[2], 0.5)])),
        "folds_text": write("f-text.json", _folds(2, [(ids[0], 0), (ids[1], "1"), (ids[2], 0)])),
        "folds_twice": write("f-twice.json", _folds(2, [(ids[0], 0), (ids[1], 1), (ids[2], 0), (ids[2], 1)])),
        "folds_empty": write("f-empty.json", _folds(3, [(ids[0], 0), (ids[1], 1), (ids[2], 1)])),
        "folds_k1": write("f-k1.json", _folds(1, [(ids[0], 0), (ids[1], 0), (ids[2], 0)])),
        "folds_nok": write("f-nok.json", json.dumps({"seed": 42, "assignment": [{"id": ids[0], "fold": 0}]})),
        "pt": f"--base {tiny_bert} --name nl --max-steps 2 --max-seq-len 32",
        "ft": f"--base {tiny_bert} --name ner --max-steps 1 --max-seq-len 32",
        "task": f"--base {tiny_bert} --max-steps 1 --max-seq-len 32",
        "vb": f"--base {tiny_bert}",
    }


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_each_rule_is_one_line_exit_2_and_changes_nothing(case, placeholders, workdir, capsys):
    template, expected = CASES[case]
    argv = template.format(**placeholders).split()
    before = _snapshot(workdir)
    capsys.readouterr()
    code = main(argv)
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2, err
    assert len(err) == 1 and err[0].startswith("error: "), err
    assert expected in err[0], err[0]
    assert _snapshot(workdir) == before, "a refused command must leave every file and folder as it was"
    assert not (workdir / "runs").exists(), "a refusal leaves no run folder behind"


def test_the_catalogue_has_at_least_60_cases_in_every_class():
    classes = {case.split(":")[0] for case in CASES}
    assert classes == {"output over input", "bound", "cycle", "fold file", "path"}
    assert len(CASES) >= 60


# ------------------------------------------------------------------------------- a full disk


def _enospc(*args, **kwargs):
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


FULL_DISK = {
    "score --output": ("score --gold {conll} --pred {conll} --output out/scores.json", "out/scores.json"),
    "corpus clean --out": ("corpus clean {corpus} --output out/clean.txt", "out/clean.txt"),
    "recipes cp": ("recipes cp demo out/demo.toml", "out/demo.toml"),
    "cv --fold-file (written before training)": (
        "cv --data {conll} {task} --folds 2 --fold-file out/folds.json",
        "folds.json",
    ),
}


@pytest.mark.parametrize("case", FULL_DISK, ids=list(FULL_DISK))
def test_a_full_disk_is_one_line_naming_the_destination_and_leaves_no_temporary_file(
    case, placeholders, workdir, monkeypatch, capsys
):
    template, expected = FULL_DISK[case]
    (workdir / "out").mkdir()
    monkeypatch.setattr(os, "replace", _enospc)  # every atomic write ends with os.replace: the disk is full there
    capsys.readouterr()
    code = main(template.format(**placeholders).split())
    err = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert code == 2, err
    assert len(err) == 1 and expected in err[0] and "No space left" in err[0], err
    assert ".tmp" not in err[0] and ".partial" not in err[0], "the line names the destination, not a temporary file"
    assert list((workdir / "out").iterdir()) == [], "no temporary file is left behind"


def test_a_full_disk_while_saving_to_the_registry_names_the_registry_not_a_staging_folder(
    placeholders, workdir, monkeypatch, capsys
):
    monkeypatch.setattr(os, "replace", _enospc)  # the manifest, written last into the staging folder, fails
    capsys.readouterr()
    code = main(["compose", "a", "b"])
    err = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert code == 2 and len(err) == 1, err
    assert "adapters/a+b" in err[0] and "staging" not in err[0] and "No space left" in err[0], err
    assert sorted(p.name for p in (workdir / "adapters").iterdir() if not p.name.endswith(".lock")) == ["a", "b"]


def test_a_named_pipe_inside_a_folder_of_notes_is_refused_not_read_forever(placeholders):
    from adapterkit.readers.brat import text_files

    with pytest.raises(AdapterkitError, match=r"notes/b\.txt: not a regular file"):
        text_files([Path(placeholders["fifo_folder"])])


def test_duplicated_entity_ids_in_an_ann_file_are_one_warning_naming_the_file(placeholders, capsys):
    brat = Path(placeholders["brat"])
    (brat / "d.ann").write_text("T1\tDIS 11 16\tfebră\nT1\tDIS 0 7\tPacient\nT2\tDIS 8 10\tcu\n", encoding="utf-8")
    capsys.readouterr()
    assert main(["score", "--gold", str(brat), "--pred", str(brat)]) == 0
    warnings = [line for line in capsys.readouterr().err.splitlines() if line.startswith("warning:")]
    assert warnings and all(
        str(brat / "d.ann") in line and "T1 is used twice (lines 1 and 2)" in line for line in warnings
    )


def test_a_dry_run_line_pasted_into_a_shell_runs_nothing_it_holds(workdir, capsys):
    import shlex
    import subprocess

    marker = workdir / "pwned"
    recipe = workdir / "inject.toml"
    (workdir / "d.conll").write_text("koorts B-DIS\n\n", encoding="utf-8")  # inputs are checked, even in a dry run
    value = f"$(touch {marker}) `touch {marker}` ; touch {marker}"
    recipe.write_text(
        f'a = "{value}"\n[[steps]]\nid = "s"\nrun = "cv"\nargs = {{ data = "d.conll", run_dir = "${{a}}" }}\n',
        encoding="utf-8",
    )
    assert main(["run", str(recipe), "--dry-run"]) == 0
    (line,) = [line for line in capsys.readouterr().out.splitlines() if line.startswith("[s] ")]
    command = line.split("] ", 1)[1]
    assert shlex.split(command)[-1] == f"$(touch {marker}) `touch {marker}` ; touch {marker}"
    subprocess.run(["bash", "-c", f"printf '%s\\n' {command}"], check=True, capture_output=True)
    assert not marker.exists(), "the pasted line ran a command held in a value"


# ------------------------------------------------------------------------------- the rules, as properties


@settings(max_examples=300, deadline=None)
@given(name=st.sampled_from(sorted(BOUNDS)), value=st.one_of(st.integers(-(10**40), 10**40), st.floats()))
def test_a_number_is_refused_exactly_when_it_is_outside_its_bound_or_not_finite(name, value):
    low, high = BOUNDS[name]
    import math

    refused = (
        (isinstance(value, float) and not math.isfinite(value)) or value > high or (low is not None and value < low)
    )
    if refused:
        with pytest.raises(AdapterkitError, match="--" + name.replace("_", "-")):
            check_bounds({name: value}, {})
    else:
        check_bounds({name: value}, {})


@settings(max_examples=300, deadline=None)
@given(refs=st.lists(st.one_of(st.none(), st.integers(0, 5)), min_size=6, max_size=6))
def test_recipe_settings_expand_or_name_a_cycle_that_exists(refs):
    """Settings s0..s5, each naming another or a plain value: expanding s0 ends, or names a real cycle."""
    from adapterkit.recipe_settings import substitute

    recipe = {f"s{i}": (f"v{i}" if ref is None else f"<${{s{ref}}}>") for i, ref in enumerate(refs)}
    chain, at = [], 0
    while at is not None and at not in chain:
        chain.append(at)
        at = refs[at]
    if at is None:  # the chain ends at a plain value
        expected = "<" * (len(chain) - 1) + f"v{chain[-1]}" + ">" * (len(chain) - 1)
        assert substitute("${s0}", recipe, "s") == expected
    else:
        loop = chain[chain.index(at) :] + [at]
        with pytest.raises(AdapterkitError) as raised:
            substitute("${s0}", recipe, "s")
        message = str(raised.value)
        if len(loop) == 2:
            assert f"the setting s{at} refers to itself" in message
        else:
            assert "cycle: " + " -> ".join(f"s{i}" for i in loop) in message


@settings(max_examples=300, deadline=None)
@given(
    k=st.one_of(st.integers(-1, 5), st.just(2.0), st.just("2")),
    rows=st.lists(
        st.tuples(st.sampled_from("abcdef"), st.one_of(st.integers(-1, 5), st.just(1.5), st.just(True))), max_size=8
    ),
)
def test_a_fold_assignment_is_accepted_exactly_when_it_is_a_partition_into_k_non_empty_folds(k, rows):
    from adapterkit.folds import _assignment

    valid_k = isinstance(k, int) and not isinstance(k, bool) and k >= 2
    ids = [item for item, _ in rows]
    valid = (
        valid_k
        and all(isinstance(f, int) and not isinstance(f, bool) and 0 <= f < k for _, f in rows)
        and len(set(ids)) == len(ids)
        and {f for _, f in rows} == set(range(k))
    )
    if valid:
        assert _assignment(Path("f.json"), rows, k) == dict(rows)
    else:
        with pytest.raises(AdapterkitError, match="fold file f.json"):
            _assignment(Path("f.json"), rows, k)


@settings(max_examples=60, deadline=None)
@given(
    old=st.binary(max_size=64),
    new=st.binary(max_size=4096),
    where=st.sampled_from(["write", "fsync", "replace"]),
)
def test_a_full_disk_anywhere_in_a_write_keeps_the_old_file_and_no_temporary_one(old, new, where, tmp_path_factory):
    from unittest import mock

    from adapterkit.atomic import atomic_write_bytes

    folder = tmp_path_factory.mktemp("full")
    target = folder / "file.json"
    target.write_bytes(old)
    patches = {"fsync": "os.fsync", "replace": "os.replace"}
    if where == "write":
        import builtins

        real_open = builtins.open

        class Full:
            def __init__(self, *args, **kwargs):
                self.handle = real_open(*args, **kwargs)

            def __enter__(self):
                return self

            def __exit__(self, *exc):
                self.handle.close()

            def write(self, data):
                _enospc()

            def __getattr__(self, name):
                return getattr(self.handle, name)

        patcher = mock.patch("adapterkit.atomic.open", Full, create=True)
    else:
        patcher = mock.patch(patches[where], _enospc)
    with patcher, pytest.raises(OSError) as raised:
        atomic_write_bytes(target, new)
    assert raised.value.errno == errno.ENOSPC and raised.value.filename == str(target)
    assert target.read_bytes() == old and [p.name for p in folder.iterdir()] == ["file.json"]


@settings(max_examples=100, deadline=None)
@given(parts=st.lists(st.sampled_from(["d", "f", "new"]), min_size=1, max_size=4))
def test_an_output_folder_is_refused_before_any_work_exactly_when_a_file_is_on_its_path(parts, tmp_path_factory):
    from adapterkit.safety import check_destination_folder

    root = tmp_path_factory.mktemp("dest")
    (root / "d").mkdir()
    (root / "f").write_text("x")
    (root / "d" / "d").mkdir()
    (root / "d" / "f").write_text("x")
    path = root.joinpath(*parts)
    probe, blocked = root, False
    for part in parts:
        probe = probe / part
        if probe.is_file():
            blocked = True
            break
        if not probe.exists():
            break
    if blocked:
        with pytest.raises(AdapterkitError, match="--logging-dir"):
            check_destination_folder(path, "--logging-dir")
    else:
        check_destination_folder(path, "--logging-dir")
