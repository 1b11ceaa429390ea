"""Downstream tasks on a tiny BERT: finetune, MAD-X task adapters, cv, compare, predict."""

from __future__ import annotations

import json
import random
from importlib.util import find_spec
from pathlib import Path

import pytest
import torch
from conftest import train_adapter

from adapterkit.cli import main
from adapterkit.jobs.cv import CompareRequest, CvRequest, run_compare, run_cv
from adapterkit.jobs.finetune import FinetuneRequest, run_finetune
from adapterkit.jobs.predict import run_predict
from adapterkit.registry import Registry
from adapterkit.tasks.inputs import read_data
from adapterkit.tasks.model import add_task_adapter, build_model
from adapterkit.tasks.settings import TrainSettings
from adapterkit.tasks.train import train
from adapterkit.tracking import Tracking
from adapterkit.variants import task_start

DRUGS = ["metformine", "insuline", "amoxicilline", "paracetamol", "furosemide", "heparine"]
DISEASES = ["diabetes", "pneumonie", "hartfalen", "astma", "sepsis", "anemie"]
FILLER = ["de", "patiënt", "kreeg", "voor", "wegens", "sinds", "gisteren", "opname", "controle", "dosis"]


def _sentence(rng: random.Random) -> list[tuple[str, str]]:
    words = [(w, "O") for w in rng.sample(FILLER, 3)]
    words += [(rng.choice(DRUGS), "B-CHEM")]
    if rng.random() < 0.5:
        words += [("500", "I-CHEM"), ("mg", "I-CHEM")]
    words += [("voor", "O"), (rng.choice(DISEASES), "B-DISO"), (".", "O")]
    return words


def _write_conll(path: Path, sentences: list[list[tuple[str, str]]]) -> Path:
    path.write_text("\n\n".join("\n".join(f"{w}\t{t}" for w, t in s) for s in sentences) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def task_root(tmp_path_factory, tiny_bert, nl_corpus) -> Path:
    """NER data, a long sentence, screening notes and two language adapters on the tiny BERT."""
    root = tmp_path_factory.mktemp("tasks")
    rng = random.Random(0)
    _write_conll(root / "ner.conll", [_sentence(rng) for _ in range(60)])
    long = [item for _ in range(45) for item in _sentence(rng)]  # ~350 words: longer than 128 positions
    _write_conll(root / "long.conll", [long])
    notes = []
    for i in range(40):
        label = "inclusion" if i % 2 else "exclusion"
        cue = "candida in de mond en gewichtsverlies" if label == "inclusion" else "enkelfractuur na val"
        notes.append({"id": f"n{i}", "text": f"Patiënt {i} meldt {cue}. {rng.choice(FILLER)}.", "label": label})
    (root / "notes.jsonl").write_text("\n".join(json.dumps(n, ensure_ascii=False) for n in notes) + "\n")
    lines = nl_corpus.read_text(encoding="utf-8").split("\n")
    for name, chunk in (("nl-a", lines[:300]), ("nl-b", lines[300:600])):
        (root / f"{name}.txt").write_text("\n".join(chunk), encoding="utf-8")
        train_adapter(tiny_bert, root / f"{name}.txt", root, name, max_steps=3, save_steps=3)
    return root


@pytest.fixture
def in_tasks(task_root, monkeypatch):
    monkeypatch.chdir(task_root)
    monkeypatch.setenv("ADAPTERKIT_REGISTRY", str(task_root / "adapters"))
    return task_root


def _settings(**overrides) -> TrainSettings:
    values = dict(epochs=2, batch_size=8, lr=5e-3, max_seq_len=64, seed=1)
    values.update(overrides)
    return TrainSettings(**values)


def test_full_finetuning_saves_a_model_that_predicts_every_word_of_a_long_sentence(in_tasks, tiny_bert):
    folder, manifest = run_finetune(
        FinetuneRequest(
            data=[in_tasks / "ner.conll"],
            name="ner-full",
            base=str(tiny_bert),
            eval_data=[in_tasks / "ner.conll"],
            settings=_settings(),
            force=True,
        )
    )
    # the tags present in the data, sorted (run_ner.py's list): no DISO entity there spans two words
    assert manifest["task"] == "ner" and manifest["labels"] == ["B-CHEM", "B-DISO", "I-CHEM", "O"]
    assert 0.0 <= manifest["evaluation"]["metrics"]["f1"] <= 1.0
    assert "per_type" in manifest["evaluation"]["metrics"]
    out = in_tasks / "pred-long"
    [written] = run_predict(str(folder), [in_tasks / "long.conll"], out, "conll", max_seq_len=128)
    rows = [line.split("\t") for line in written.read_text().splitlines() if line.strip()]
    words = [line for line in (in_tasks / "long.conll").read_text().splitlines() if line.strip()]
    assert len(words) > 300 and len(rows) == len(words), "one prediction per word, however long the sentence"
    assert all(row[-1] in manifest["labels"] for row in rows)


def test_task_lora_on_a_frozen_stack_trains_only_the_task_adapter_and_head(in_tasks):
    store = Registry(in_tasks / "adapters")
    variant = task_start("nl-a+nl-b", store)
    assert variant.parts == ["nl-a", "nl-b"] and variant.deltas
    data, items = read_data([in_tasks / "ner.conll"], "auto", "auto", False, None)
    model = build_model(variant, "ner", data.labels)
    before = {name: tensor.clone() for name, tensor in model.state_dict().items()}
    peft_model = add_task_adapter(model, "ner", r=4, alpha=8, dropout=0.0)
    from adapterkit.models import load_tokenizer

    train(
        peft_model,
        load_tokenizer(variant.base),
        items,
        "ner",
        data.labels,
        _settings(max_steps=4),
        in_tasks / "w",
        resume=False,
    )
    trained_task = 0
    for name, tensor in peft_model.get_base_model().state_dict().items():
        if "lora_" in name or "modules_to_save" in name:
            trained_task += bool(tensor.abs().sum() > 0)
            continue
        original = name.replace(".base_layer", "").replace(".original_module", "")
        assert torch.equal(tensor, before[original]), f"{original} changed"
    assert trained_task > 0
    trainable = {n for n, p in peft_model.named_parameters() if p.requires_grad}
    assert trainable and all("lora_" in n or "modules_to_save" in n for n in trainable)


def test_cross_lingual_zero_shot_swaps_the_language_adapters_under_the_task_adapter(in_tasks, capsys):
    tracked = find_spec("tensorboard") is not None  # the dev extra installs it: the evaluation is tracked too
    folder, manifest = run_finetune(
        FinetuneRequest(
            data=[in_tasks / "ner.conll"],
            name="ner-task",
            variant="nl-a",
            eval_data=[in_tasks / "ner.conll"],
            eval_adapters="nl-b",
            settings=_settings(mode="adapter"),
            force=True,
            tracking=Tracking("tensorboard", in_tasks / "tb") if tracked else Tracking(),
        )
    )
    assert manifest["adapter"] and manifest["language_adapters"] == ["nl-a"]
    assert manifest["evaluation"]["adapters"] == "nl-b" and "f1" in manifest["evaluation"]["metrics"]
    if tracked:  # the --eval-data scores under the Trainer's eval/ prefix (read by TensorBoard), and where
        from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

        metrics, written = manifest["evaluation"]["metrics"], {}
        for file in sorted((in_tasks / "tb").rglob("events.out.tfevents.*")):
            accumulator = EventAccumulator(str(file))
            accumulator.Reload()
            for tag in accumulator.Tags()["scalars"]:
                written.setdefault(tag, []).extend(event.value for event in accumulator.Scalars(tag))
        for metric in ("f1", "precision", "recall"):
            assert written[f"eval/{metric}"] == pytest.approx([metrics[metric]])
        tb = in_tasks / "tb"
        assert f"TensorBoard logs: {tb} (tensorboard --logdir {tb})" in capsys.readouterr().out
    assert json.loads((folder / "adapterkit.json").read_text())["kind"] == "task"
    out = in_tasks / "pred-zero-shot"
    run_predict("ner-task", [in_tasks / "ner.conll"], out, "jsonl", eval_adapters="nl-b")
    assert len((out / "predictions.jsonl").read_text().splitlines()) == 60


def test_classification_reports_mcc_and_the_study_metrics(in_tasks, tiny_bert):
    _, manifest = run_finetune(
        FinetuneRequest(
            data=[in_tasks / "notes.jsonl"],
            name="screening",
            base=str(tiny_bert),
            eval_data=[in_tasks / "notes.jsonl"],
            settings=_settings(epochs=3),
            force=True,
        )
    )
    metrics = manifest["evaluation"]["metrics"]
    assert manifest["task"] == "classification" and manifest["labels"] == ["exclusion", "inclusion"]
    assert {"mcc", "f1", "precision", "recall", "specificity", "roc_auc"} <= set(metrics)


def test_cv_uses_identical_folds_for_every_variant_and_resumes_at_the_unfinished_fold(in_tasks, tiny_bert):
    request = CvRequest(data=[in_tasks / "ner.conll"], base=str(tiny_bert), folds=3, settings=_settings(epochs=1))
    first = run_cv(CvRequest(**{**request.__dict__, "run_dir": in_tasks / "cv-base", "force": True}))
    second = run_cv(CvRequest(**{**request.__dict__, "variant": "nl-a", "run_dir": in_tasks / "cv-a", "force": True}))
    assert first.fold_file == second.fold_file
    assignment = json.loads(first.fold_file.read_text())["assignment"]
    assert sorted({row["fold"] for row in assignment}) == [0, 1, 2] and len(assignment) == 60
    assert [fold["n_test"] for fold in first.per_fold] == [fold["n_test"] for fold in second.per_fold]
    (in_tasks / "cv-base" / "folds" / "2" / "metrics.json").unlink()
    resumed = run_cv(CvRequest(**{**request.__dict__, "run_dir": in_tasks / "cv-base", "resume": True}))
    assert resumed.per_fold == first.per_fold, "the redone fold gives the same result; the others are reused"


def test_compare_writes_the_study_table_with_paired_tests(in_tasks, tiny_bert):
    request = CvRequest(data=[in_tasks / "ner.conll"], base=str(tiny_bert), folds=3, settings=_settings(epochs=1))
    run_dir = run_compare(CompareRequest(variants=["base", "nl-a"], cv=request, run_id="cmp"))
    result = json.loads((run_dir / "comparison.json").read_text())
    assert result["baseline"] == "base"
    assert {"comparison.md", "comparison.csv", "command.txt", "versions.json", "folds.json", "report.html"} <= {
        p.name for p in run_dir.iterdir()
    }
    assert "data:image/png;base64," in (run_dir / "report.html").read_text()
    markdown = (run_dir / "comparison.md").read_text()
    assert "Wilcoxon" in markdown and "BH" in markdown and "95 % CI" in markdown
    assert "CHEM" in markdown and "DISO" in markdown


def test_compare_refuses_an_earlier_run_id_unless_forced(in_tasks, tiny_bert, capsys):
    args = ["compare", "base", "nl-a", "--data", str(in_tasks / "ner.conll"), "--base", str(tiny_bert)]
    args += ["--folds", "3", "--max-steps", "1", "--max-seq-len", "64", "--run-id", "cmp-again"]
    assert main(args) == 0
    capsys.readouterr()
    assert main(args) == 2
    assert "--resume" in capsys.readouterr().err
    assert main([*args, "--force"]) == 0


def test_brat_round_trip_through_predict_keeps_every_character_offset(in_tasks):
    brat = in_tasks / "brat"
    brat.mkdir(exist_ok=True)
    text = "Patiënt kreeg metformine 500 mg voor diabetes.\nGeen pneumonie; wel hartfalen sinds 2019.\n"
    spans = [("CHEM", 14, 31), ("DISO", 37, 45), ("DISO", 52, 61), ("DISO", 67, 76)]
    (brat / "doc1.txt").write_text(text, encoding="utf-8")
    ann = "".join(f"T{i}\t{t} {s} {e}\t{text[s:e]}\n" for i, (t, s, e) in enumerate(spans, start=1))
    (brat / "doc1.ann").write_text(ann, encoding="utf-8")
    out = in_tasks / "brat-out"
    run_predict("models/ner-full", [brat], out, "brat", gold=True)
    written = (out / "doc1.ann").read_text(encoding="utf-8").splitlines()
    got = sorted((line.split("\t")[1].split()[0], *map(int, line.split("\t")[1].split()[1:])) for line in written)
    assert got == sorted(spans)
    assert all(line.split("\t")[2] == text[int(line.split()[2]) : int(line.split()[3])] for line in written)


def test_malformed_tags_exit_2_naming_file_and_line(in_tasks, tiny_bert, capsys):
    bad = in_tasks / "bad.conll"
    bad.write_text("De\tO\npatiënt\to\n", encoding="utf-8")
    args = ["finetune", "--data", str(bad), "--name", "bad", "--base", str(tiny_bert), "--max-steps", "1"]
    assert main(args) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "bad.conll:2" in err[0] and "--repair" in err[0]
    assert main(["finetune", "--data", str(in_tasks / "ner.conll"), "--name", "x", "--eval-adapters", "nl-b"]) == 2
    assert "--mode adapter" in capsys.readouterr().err
