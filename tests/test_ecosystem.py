"""Habits of Hugging Face users: private shared cards, recipes that respect --force, experiment
tracking, and the terminal (version, help, completion, confirmations, summary lines)."""

from __future__ import annotations

import io
import json
import shlex
import shutil
from importlib.metadata import version
from importlib.util import find_spec
from pathlib import Path

import pytest
from conftest import train_adapter
from huggingface_hub import ModelCard

from adapterkit.cli import main
from adapterkit.registry import MANIFEST

# --------------------------------------------------------------------------- privacy of shared cards


@pytest.fixture(scope="module")
def private_adapter(tmp_path_factory, tiny_bert, nl_corpus) -> tuple[Path, Path, Path]:
    """An adapter trained on a corpus in a telling folder, with a cv run on data in another one.

    Returns (root, registry, corpus file)."""
    root = tmp_path_factory.mktemp("cardiology-ward-7")
    notes = root / "patients-jdoe" / "notes-2024.txt"
    notes.parent.mkdir()
    notes.write_text("\n".join(nl_corpus.read_text(encoding="utf-8").splitlines()[:200]) + "\n", encoding="utf-8")
    train_adapter(
        tiny_bert, notes, root, "nl-private", runs="runs-train",
        language=["nl"], domain="clinical", max_steps=2, batch_size=4, max_seq_len=32, save_steps=2, heldout=0.1,
    )  # fmt: skip
    data = root / "patients-jdoe" / "ner-gold.conll"
    data.write_text("Koorts B-SYMPTOM\n\n", encoding="utf-8")
    cv = root / "runs" / "cmp" / "cv" / "nl-private"
    cv.mkdir(parents=True)
    run = {"variant": "nl-private", "data": [f"nl={data}"], "folds": 3, "settings": {"mode": "full"}}
    (cv / "cv.json").write_text(json.dumps({**run, "summary": {"f1": [0.71, 0.02]}}))
    return root, root / "adapters", notes


def _telling(root: Path, corpus: Path) -> list[str]:
    """Strings that would give away the trainer's machine: its folders, by full path or by name."""
    return [str(root), root.name, corpus.parent.name, str(Path.home()), str(Path(root.anchor) / "tmp")]


def test_push_out_shares_no_absolute_path_nor_folder_name(private_adapter, tmp_path, monkeypatch, tiny_bert):
    root, registry, corpus = private_adapter
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "upload"
    argv = ["push", "nl-private", "--repo", "team/nl", "--output", str(out), "--runs", str(root / "runs")]
    assert main([*argv, "--registry", str(registry)]) == 0
    files = sorted(out.iterdir())
    assert [f.name for f in files] == ["README.md", "adapter_config.json", "adapter_model.safetensors", MANIFEST]
    for file in files:
        text = file.read_bytes().decode("utf-8", errors="replace")
        for secret in _telling(root, corpus) + [str(tiny_bert)]:
            assert secret not in text, f"{file.name} holds {secret}"
    manifest = json.loads((out / MANIFEST).read_text())
    digest = json.loads((registry / "nl-private" / MANIFEST).read_text())["corpus"]["files"][0]["sha256"]
    assert manifest["corpus"]["files"] == [{"path": "notes-2024.txt", "sha256": digest, "lines": 200}]
    assert manifest["base"]["local"] is True and manifest["base"]["id"] == tiny_bert.name
    card = ModelCard.load(out / "README.md")
    assert "`notes-2024.txt`" in card.text and "`nl=ner-gold.conll`" in card.text  # the names stay, with sha256
    assert (
        "(sha256 `" in card.text and "named by file names only" in card.text and "base_model" not in card.data.to_dict()
    )
    # the registry keeps its own full record
    assert json.loads((registry / "nl-private" / MANIFEST).read_text())["corpus"]["files"][0]["path"] == str(corpus)


def test_card_paths_opts_in_to_paths_relative_to_the_current_folder(private_adapter, tmp_path, monkeypatch):
    root, registry, corpus = private_adapter
    monkeypatch.chdir(root)
    out = tmp_path / "upload"
    argv = [
        "push",
        "nl-private",
        "--repo",
        "team/nl",
        "--output",
        str(out),
        "--card-paths",
        "--registry",
        str(registry),
    ]
    assert main(argv) == 0
    manifest = json.loads((out / MANIFEST).read_text())
    assert manifest["corpus"]["files"][0]["path"] == "patients-jdoe/notes-2024.txt"
    for file in out.iterdir():
        assert str(root) not in file.read_bytes().decode("utf-8", errors="replace")


@pytest.mark.parametrize(
    ("path", "shared"),
    [
        ("/home/jdoe/patients/notes.txt", "notes.txt"),
        ("C:\\Users\\jdoe\\notes.txt", "notes.txt"),
        ("~/ward-7/notes.jsonl", "notes.jsonl"),
        ("nl=/srv/cardio/brat", "nl=brat"),
        ("hf:team/ro-ner:train", "hf:team/ro-ner:train"),
        ("data/ro.conll", "ro.conll"),
    ],
)
def test_shared_paths_keep_the_name_only(path, shared):
    from adapterkit.sharing import scrub, shared_path

    assert shared_path(path) == shared
    if not path.startswith(("hf:", "nl=", "data/")):
        assert scrub({"resumed_from": path, "n": 3}) == {"resumed_from": shared, "n": 3}


def test_local_card_metadata_comes_from_model_card_data(private_adapter):
    _, registry, _ = private_adapter
    card = ModelCard.load(registry / "nl-private" / "README.md")
    data = card.data.to_dict()
    assert data["language"] == ["nl"] and data["library_name"] == "peft" and "clinical" in data["tags"]
    assert "base_model" not in data  # a local folder is no Hub model id


def test_a_local_card_without_languages_has_no_empty_language_list(private_adapter, tmp_path):
    from adapterkit.card import render_card

    _, registry, _ = private_adapter
    manifest = json.loads((registry / "nl-private" / MANIFEST).read_text())
    text = render_card({**manifest, "languages": []})
    header = text.split("---\n")[1]
    assert "language" not in header and "pipeline_tag: fill-mask" in header


# --------------------------------------------------------------------------- recipes and --force

RECIPE = """
name = "own"
base = "{base}"
[[steps]]
id = "adapter"
run = "pretrain"
[steps.args]
name = "nl-a"
corpus = ["{corpus}"]
base = "${{base}}"
max_steps = 1
max_seq_len = 32
batch_size = 4
grad_accum = 1
save_steps = 1

[[steps]]
id = "matrix"
run = "eval-mlm"
args = {{ _ = ["base", "nl-a"], corpus = ["{corpus}"], max_seq_len = 32, out = ["m.json"] }}
"""


@pytest.fixture
def own_recipe(workdir, tiny_bert, small_corpus) -> Path:
    path = workdir / "own.toml"
    path.write_text(RECIPE.format(base=tiny_bert, corpus=small_corpus))
    return path


def _hand_trained(workdir: Path, tiny_adapters: Path) -> bytes:
    """The user's own adapter nl-a (trained by hand earlier), in ./adapters."""
    shutil.copytree(tiny_adapters / "a", workdir / "adapters" / "nl-a")
    return (workdir / "adapters" / "nl-a" / MANIFEST).read_bytes()


def test_shipped_recipes_pass_no_force(workdir):
    from adapterkit.recipes import list_recipes, resolve_recipe

    for name, _ in list_recipes():
        _, _, plan = resolve_recipe(name, [], smoke=True)
        assert all("--force" not in argv for _, argv in plan), name


def test_a_recipe_does_not_replace_an_adapter_trained_by_hand(own_recipe, workdir, tiny_adapters, capsys):
    before = _hand_trained(workdir, tiny_adapters)
    assert main(["run", str(own_recipe)]) == 2
    err = capsys.readouterr().err
    assert "already exists" in err and "--force" in err
    assert (workdir / "adapters" / "nl-a" / MANIFEST).read_bytes() == before


def test_run_force_passes_force_on_and_a_plain_rerun_still_skips(own_recipe, workdir, tiny_adapters, capsys):
    before = _hand_trained(workdir, tiny_adapters)
    assert main(["run", str(own_recipe), "--force"]) == 0
    out = capsys.readouterr().out
    assert (
        "adapter: adapterkit pretrain" in out
        and "--force" in out.split("adapter: adapterkit pretrain")[1].split("\n")[0]
    )
    assert "matrix: adapterkit eval-mlm" in out  # eval-mlm has no --force: none is added
    assert "--force" not in out.split("matrix: adapterkit eval-mlm")[1].split("\n")[0]
    assert (workdir / "adapters" / "nl-a" / MANIFEST).read_bytes() != before
    record = json.loads((workdir / "runs" / "own" / "steps" / "adapter.json").read_text())
    assert record["forced"] is True and "--force" not in record["argv"]
    assert main(["run", str(own_recipe)]) == 0
    assert capsys.readouterr().out.count("done earlier with the same inputs, skipped") == 2


def test_force_in_a_step_of_a_recipe_is_refused(workdir, tiny_bert, small_corpus, capsys):
    path = workdir / "forced.toml"
    path.write_text(
        RECIPE.format(base=tiny_bert, corpus=small_corpus).replace("save_steps = 1", "save_steps = 1\nforce = true")
    )
    assert main(["run", str(path)]) == 2
    assert "remove force from args" in capsys.readouterr().err


# --------------------------------------------------------------------------- experiment tracking

needs_tensorboard = pytest.mark.skipif(
    find_spec("tensorboard") is None, reason="tensorboard is not installed (pip install 'adapterkit[tracking]')"
)


def _scalars(folder: Path, tag: str) -> list[tuple[int, float]]:
    """(step, value) of a scalar in the TensorBoard event files under ``folder``, read by TensorBoard itself."""
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    events = sorted(folder.rglob("events.out.tfevents.*"))
    assert events, f"no TensorBoard event file under {folder}"
    values = []
    for file in events:
        accumulator = EventAccumulator(str(file))
        accumulator.Reload()
        if tag in accumulator.Tags()["scalars"]:
            values += [(event.step, event.value) for event in accumulator.Scalars(tag)]
    return values


TASK = Path(__file__).resolve().parents[1] / "adapterkit" / "data" / "tasks" / "ro-ner.conll"
PRETRAIN = ["--max-steps", "3", "--batch-size", "4", "--grad-accum", "1", "--max-seq-len", "32", "--save-steps", "1"]


@needs_tensorboard
def test_tensorboard_event_file_holds_the_logged_loss(workdir, tiny_bert, small_corpus, capsys):
    argv = ["pretrain", "--corpus", str(small_corpus), "--name", "nl-tb", "--base", str(tiny_bert), *PRETRAIN]
    assert main([*argv, "--logging-steps", "1", "--report-to", "tensorboard"]) == 0
    manifest = json.loads((workdir / "adapters" / "nl-tb" / MANIFEST).read_text())
    logged = [(entry["step"], entry["loss"]) for entry in manifest["training"]["log"] if "loss" in entry]
    assert len(logged) == 3
    written = _scalars(workdir / "runs" / "pretrain" / "nl-tb" / "logs", "train/loss")
    assert [step for step, _ in written] == [step for step, _ in logged]
    assert [value for _, value in written] == pytest.approx([value for _, value in logged], rel=1e-6)
    # the held-out perplexity goes there too, under the Trainer's eval/ prefix: before (step 0) and after
    ppl = manifest["perplexity"]
    evaluated = _scalars(workdir / "runs" / "pretrain" / "nl-tb" / "logs", "eval/perplexity")
    assert [step for step, _ in evaluated] == [0, 3]
    assert [value for _, value in evaluated] == pytest.approx([ppl["before"], ppl["after"]], rel=1e-6)
    # the finished run took its checkpoints with it and said so in one last line
    assert not (workdir / "runs" / "pretrain" / "nl-tb" / "checkpoints").exists()
    out = capsys.readouterr().out
    assert "TensorBoard logs: runs/pretrain/nl-tb/logs (tensorboard --logdir runs)\n" in out
    last = out.strip().splitlines()[-1]
    assert last.startswith("pretrain done in ")
    assert f"held-out perplexity {ppl['before']:,.2f} -> {ppl['after']:,.2f}; results: adapters/nl-tb" in last


@needs_tensorboard
def test_compare_reports_every_variant_and_fold_to_its_own_folder(workdir, tiny_bert, tiny_adapters, capsys):
    argv = ["compare", "base", "a", "--data", str(TASK), "--base", str(tiny_bert), "--folds", "2", "--limit", "16"]
    argv += ["--epochs", "1", "--batch-size", "8", "--max-seq-len", "32", "--run-id", "tb"]
    argv += ["--registry", str(tiny_adapters), "--report-to", "tensorboard", "--logging-dir", str(workdir / "tb")]
    assert main(argv) == 0
    for variant in ("base", "a"):
        for fold in ("fold-1", "fold-2"):
            history = json.loads(
                (workdir / "runs" / "tb" / "cv" / variant / "folds" / fold[-1] / "log.json").read_text()
            )
            logged = [entry["loss"] for entry in history if "loss" in entry]
            written = [value for _, value in _scalars(workdir / "tb" / variant / fold, "train/loss")]
            assert written == pytest.approx(logged, rel=1e-6) and written
    # each fold's evaluation goes there too, under the Trainer's eval/ prefix, as cv.json records it
    for variant in ("base", "a"):
        record = json.loads((workdir / "runs" / "tb" / "cv" / variant / "cv.json").read_text())
        for fold, scores in enumerate(record["per_fold"], start=1):
            for metric in ("f1", "precision", "recall"):
                written = [value for _, value in _scalars(workdir / "tb" / variant / f"fold-{fold}", f"eval/{metric}")]
                assert written == pytest.approx([scores[metric]], rel=1e-6), (variant, fold, metric)
    # the run records its own command (also when a recipe runs it), and numbers folds 1..K on disk
    assert (workdir / "runs" / "tb" / "command.txt").read_text() == shlex.join(["adapterkit", *argv]) + "\n"
    assert sorted(p.name for p in (workdir / "runs" / "tb" / "cv" / "a" / "folds").iterdir()) == ["1", "2"]
    captured = capsys.readouterr()
    tb = workdir / "tb"
    assert captured.out.count(f"TensorBoard logs: {tb} (tensorboard --logdir {tb})") == 1  # once, not per variant
    for bar in ("base fold 1/2", "base fold 2/2", "a fold 1/2", "a fold 2/2"):  # each bar names its variant and fold
        assert bar in captured.err
    data = json.loads((workdir / "runs" / "tb" / "comparison.json").read_text())
    means = [data["summary"][v]["f1"]["mean"] * 100 for v in ("base", "a")]
    last = captured.out.strip().splitlines()[-1]
    assert last.startswith("compare done in ") and last.endswith("results: runs/tb/report.html")
    assert f"f1 %: base {means[0]:.2f}, a {means[1]:.2f}" in last


def test_report_to_refuses_unknown_and_missing_integrations(workdir, tiny_bert, small_corpus, capsys):
    argv = ["pretrain", "--corpus", str(small_corpus), "--name", "x", "--base", str(tiny_bert), *PRETRAIN]
    assert main([*argv, "--report-to", "mlflow-or-so"]) == 2
    err = capsys.readouterr().err
    assert "'--report-to': 'mlflow-or-so' is not one of 'none', 'tensorboard', 'wandb', 'all'" in err
    assert err.count("\n") == 1
    if find_spec("wandb") is None:
        assert main([*argv, "--report-to", "wandb"]) == 2
        assert "wandb is not installed; pip install wandb" in capsys.readouterr().err
    assert not (workdir / "adapters" / "x").exists() and not (workdir / "runs").exists()


def test_recipes_have_a_report_to_setting_passed_to_their_training_steps(workdir):
    from adapterkit.recipes import list_recipes, resolve_recipe

    for name, _ in list_recipes():
        _, _, plan = resolve_recipe(name, ["report_to=tensorboard"], smoke=True)
        training = [argv for _, argv in plan if argv[0] in ("pretrain", "finetune", "cv", "compare")]
        assert training, name
        for argv in training:
            assert argv[argv.index("--report-to") + 1] == "tensorboard", (name, argv[0])


# --------------------------------------------------------------------------- the terminal


def test_version_short_help_and_completion(capsys, monkeypatch):
    from adapterkit import __version__

    assert main(["--version"]) == 0 and capsys.readouterr().out == f"adapterkit {__version__}\n"
    assert main(["-h"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Usage: adapterkit") and "--install-completion" in out and "--version" in out
    assert main(["pretrain", "-h"]) == 0 and "--report-to" in capsys.readouterr().out
    assert main(["adapters", "rm", "-h"]) == 0 and "--yes" in capsys.readouterr().out
    # typer detects the shell that started the process (sh under make): answer as from bash
    monkeypatch.setattr("typer.completion._get_shell_name", lambda: "bash")
    assert main(["--show-completion"]) == 0
    assert "_ADAPTERKIT_COMPLETE=complete_bash" in capsys.readouterr().out
    # what the installed script asks the program when the user presses TAB after "adapterkit pre"
    monkeypatch.setenv("_ADAPTERKIT_COMPLETE", "complete_bash")
    monkeypatch.setenv("COMP_WORDS", "adapterkit pre")
    monkeypatch.setenv("COMP_CWORD", "1")
    assert main([]) == 0 and capsys.readouterr().out.split() == ["pretrain", "predict"]


class _Terminal(io.StringIO):
    """stdin of a person at a terminal, who answers ``answer``."""

    def isatty(self) -> bool:
        return True


@pytest.fixture
def own_registry(tmp_path, tiny_adapters) -> Path:
    registry = tmp_path / "adapters"
    shutil.copytree(tiny_adapters, registry)
    return registry


def test_adapters_rm_asks_at_a_terminal_and_keeps_on_no(own_registry, monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", _Terminal("n\n"))
    assert main(["adapters", "rm", "a", "--registry", str(own_registry)]) == 1
    out = capsys.readouterr().out
    assert "delete the adapter a" in out and "[y/N]" in out and "kept" in out
    assert (own_registry / "a" / MANIFEST).is_file()
    monkeypatch.setattr("sys.stdin", _Terminal("y\n"))
    assert main(["adapters", "rm", "a", "--registry", str(own_registry)]) == 0
    assert not (own_registry / "a").exists()


def test_adapters_rm_does_not_ask_with_yes_or_without_a_terminal(own_registry, monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", _Terminal(""))  # nothing to read: asking would fail
    assert main(["adapters", "rm", "a", "--yes", "--registry", str(own_registry)]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO(""))  # a pipe or a script
    assert main(["adapters", "rm", "b", "--registry", str(own_registry)]) == 0
    assert "[y/N]" not in capsys.readouterr().out
    assert not (own_registry / "a").exists() and not (own_registry / "b").exists()


def test_keep_checkpoints_keeps_them(workdir, tiny_bert, small_corpus):
    # (that a finished run deletes them by default: test_tensorboard_event_file_holds_the_logged_loss)
    argv = ["pretrain", "--corpus", str(small_corpus), "--base", str(tiny_bert), *PRETRAIN]
    assert main([*argv, "--name", "kept", "--keep-checkpoints"]) == 0
    assert sorted(p.name for p in (workdir / "runs" / "pretrain" / "kept" / "checkpoints").iterdir()) == [
        "checkpoint-2",
        "checkpoint-3",
    ]


def test_recorded_versions_include_the_statistics_packages():
    import scipy
    import sklearn

    from adapterkit.versions import versions

    recorded = versions()
    assert recorded["scipy"] == scipy.__version__ and recorded["scikit-learn"] == sklearn.__version__
    assert recorded["seqeval"] == version("seqeval")


def test_an_hf_corpus_read_from_a_local_folder_shares_no_folder_but_hub_ids_stay():
    from adapterkit.sharing import shared_data_entry, shared_path

    assert shared_path("hf:/home/ward7/patients/notes:train") == "hf:notes:train"
    assert shared_data_entry("hf:/home/ward7/patients/notes")["name"] == "hf:notes"
    assert shared_path("hf:PlanTL-GOB-ES/cantemist-ner:train") == "hf:PlanTL-GOB-ES/cantemist-ner:train"
