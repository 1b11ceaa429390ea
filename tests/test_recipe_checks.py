"""Before a recipe's first step: every input of every step that will run is checked and all problems are
listed at once; --only/--from/--skip choose steps (foreach copies by id); settings switch parts off;
--dry-run says what runs, what does not and why, with a time and disk estimate."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from adapterkit.cli import main
from adapterkit.errors import AdapterkitError
from adapterkit.recipes import run_recipe

RECIPE = """
name = "checks"
bases = ["minilm", "{tiny}"]
corpus = "{corpus}"
ner = "{ner}"
screening = "{screening}"
types = "DISO"
ner_part = true

[[steps]]
id = "dapt"
foreach = "bases"
run = "pretrain"
[steps.args]
name = "dapt-${{each_slug}}"
base = "${{each}}"
corpus = ["${{corpus}}"]
max_steps = 2
batch_size = 4
grad_accum = 1
max_seq_len = 64

[[steps]]
id = "ppl"
foreach = "bases"
run = "eval-mlm"
args = {{ _ = ["base", "dapt-${{each_slug}}"], base = "${{each}}", corpus = ["${{corpus}}"], max_seq_len = 64 }}

[[steps]]
id = "ner"
when = "ner_part"
run = "compare"
[steps.args]
_ = ["base", "dapt-minilm"]
data = ["${{ner}}"]
types = "${{types}}"
base = "minilm"
folds = 2
run_id = "checks-ner"

[[steps]]
id = "screening"
run = "cv"
args = {{ data = ["${{screening}}"], base = "minilm", folds = 2 }}
"""


@pytest.fixture
def recipe(workdir, tiny_bert, small_corpus) -> Path:
    from adapterkit.paths import STANDIN_CORPORA_DIR

    tasks = STANDIN_CORPORA_DIR.parent / "tasks"
    path = workdir / "checks.toml"
    text = RECIPE.format(
        tiny=tiny_bert, corpus=small_corpus, ner=tasks / "ro-ner.conll", screening=tasks / "nl-screening.jsonl"
    )
    path.write_text(text)
    return path


def _never(argv: list[str]) -> int:
    raise AssertionError(f"a step ran: {argv}")


def _status(recipe: Path, **choose) -> dict[str, str]:
    ran: list[list[str]] = []
    done = run_recipe(
        str(recipe), [], force=True, run_step=lambda argv: ran.append(argv) or 0, accepts_force=lambda _: True, **choose
    )
    assert len(ran) == sum(status == "ran" for status in done.status.values())
    return done.status


def test_every_missing_input_is_listed_before_any_step_runs(recipe, workdir, capsys):
    overrides = ["corpus=missing/notes.txt", "ner=missing/monero.conll", 'bases=["minilm", "no/such-base/here"]']
    with pytest.raises(AdapterkitError, match=r"recipe checks: 3 input problems above, found before any step ran"):
        run_recipe(str(recipe), overrides, run_step=_never, accepts_force=lambda _: True)
    # one line per problem, naming every step it stops; the adapters dapt-* that ppl-* evaluate are made
    # by earlier steps of the run, so they are not problems
    assert capsys.readouterr().err.splitlines() == [
        "error: --corpus missing/notes.txt: no such file or folder "
        "(steps dapt-minilm, dapt-here, ppl-minilm, ppl-here)",
        "error: --base no/such-base/here: no such folder (steps dapt-here, ppl-here)",
        "error: --data missing/monero.conll: no such file or folder (step ner)",
    ]
    assert not (workdir / "runs").exists() and not (workdir / "adapters").exists()
    assert main(["run", str(recipe), *overrides]) == 2  # the command: the same list, exit code 2
    assert capsys.readouterr().err.count("no such file or folder") == 2


def test_types_absent_from_the_data_and_an_uncached_hub_id_are_input_problems(recipe, capsys, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    overrides = ["types=NOSUCHTYPE", 'bases=["minilm", "nobody-has/this-model"]']
    assert main(["run", str(recipe), *overrides]) == 2
    err = capsys.readouterr().err
    assert re.search(r"--data \S+ro-ner.conll: --types NOSUCHTYPE: not in the data \(its types: ANAT, CHEM", err)
    assert "--base nobody-has/this-model: not in the local Hugging Face cache and HF_HUB_OFFLINE is set" in err
    assert "(steps dapt-this-model, ppl-this-model)" in err


def test_an_input_made_by_a_step_that_does_not_run_must_be_there(recipe, capsys):
    # --only ppl: the adapters dapt-* are made by steps that do not run this time, and are not there
    with pytest.raises(AdapterkitError, match="2 input problems"):
        run_recipe(str(recipe), [], run_step=_never, accepts_force=lambda _: True, only=["ppl"])
    err = capsys.readouterr().err
    assert (
        "error: argument dapt-minilm: no such adapter in the registry adapters, and no earlier step of this run "
        "makes it (step ppl-minilm)" in err
    )


def test_only_from_and_skip_take_foreach_copies_and_templates(recipe):
    copies = ["dapt-minilm", "dapt-tiny-bert0", "ppl-minilm", "ppl-tiny-bert0", "ner", "screening"]
    status = _status(recipe, only=["dapt-minilm,dapt-tiny-bert0"])
    assert [step for step in copies if status[step] == "ran"] == ["dapt-minilm", "dapt-tiny-bert0"]
    assert status["screening"] == "not run: not named by --only"
    status = _status(recipe, start="dapt-tiny-bert0", skip=["ppl", "ner"])
    assert status["dapt-minilm"] == "not run: before --from dapt-tiny-bert0"
    assert [step for step in copies if status[step] == "ran"] == ["dapt-tiny-bert0", "screening"]
    assert status["ppl-minilm"] == status["ppl-tiny-bert0"] == "not run: --skip"


@pytest.mark.parametrize(
    ("choose", "message"),
    [
        ({"skip": ["dapt-minlm"]}, "--skip dapt-minlm: no step of this recipe has that id; did you mean dapt-minilm"),
        ({"start": "nothing"}, "--from nothing: no step of this recipe has that id"),
        ({"only": ["dapt"], "skip": ["dapt"]}, "leave no step to run"),
    ],
)
def test_an_unknown_or_empty_selection_is_refused_before_anything_runs(recipe, choose, message):
    with pytest.raises(AdapterkitError, match=re.escape(message)):
        run_recipe(str(recipe), [], run_step=_never, accepts_force=lambda _: True, **choose)


def test_a_setting_switches_a_part_off_and_only_says_which(recipe, capsys):
    with pytest.raises(
        AdapterkitError, match="--only ner: that step is switched off: ner_part = false; set ner_part=true"
    ):
        run_recipe(str(recipe), ["ner_part=false"], run_step=_never, accepts_force=lambda _: True, only=["ner"])
    assert main(["run", str(recipe), "--dry-run", "ner_part=false", "--skip", "dapt,ppl"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("recipe checks: 1 step(s) run, 5 do not\n[screening] adapterkit cv --data ")
    left = out.split("not run:\n", 1)[1]
    assert "  [dapt-minilm] --skip\n" in left and "  [ner] switched off: ner_part = false\n" in left
    assert "inputs: every input of the steps that run is there" in out


def test_the_studies_switch_whole_parts_off(workdir, capsys):
    assert main(["run", "study-a", "--smoke", "--dry-run", "parts.spanish=false", "parts.romanian=false"]) == 0
    out = capsys.readouterr().out
    runs = re.findall(r"^\[([^\]]+)\]", out, re.M)
    assert runs == ["full-nl-clin", "full-nl-bio", "lora-nl-clin", "lora-nl-bio", "compare-nl-screening",
                    "analyse-nl-screening"]  # fmt: skip
    assert "  [compare-es-pharmaconer] switched off: parts.spanish = false" in out
    assert "  [full-nl-ro] switched off: parts.romanian = false" in out
    assert main(["run", "study-b", "--smoke", "--dry-run", "parts.ct_reports=false"]) == 0
    out = capsys.readouterr().out
    assert "[compare-sts-minilm]" in out and "\n[compare-ct-reports" not in out and "\n[external-" not in out
    assert "  [external-new-minilm] switched off: parts.ct_reports = false" in out


def test_dry_run_estimates_tokens_from_the_steps_and_disk_from_the_model_shapes(recipe, capsys):
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForMaskedLM

    from adapterkit.methods.base import LAYERS, layer_pattern
    from adapterkit.models import materialise_embedded
    from adapterkit.recipe_estimate import Estimator

    assert main(["run", str(recipe), "--dry-run", "--only", "dapt-minilm"]) == 0
    line = capsys.readouterr().out.split("[dapt-minilm]", 1)[1].splitlines()[1]
    # --max-steps 2 x --batch-size 4 x --grad-accum 1 x --max-seq-len 64 tokens; LoRA kept: r=16 float32
    model = AutoModelForMaskedLM.from_pretrained(materialise_embedded())
    assert sum(p.numel() for p in model.parameters()) == Estimator().shape("minilm").params
    peft = get_peft_model(model, LoraConfig(r=16, target_modules=layer_pattern(list(LAYERS))))
    lora = sum(p.numel() for name, p in peft.named_parameters() if "lora_" in name)
    assert Estimator().shape("minilm").lora == lora
    assert line.startswith(f"    estimate: 512 tokens trained, ~0 s, disk ~{lora * 4 / 1e6:.1f} MB kept")


def test_dry_run_says_which_steps_a_rerun_skips(recipe, capsys):
    _status(recipe, only=["screening"])  # recorded as finished with these inputs
    assert main(["run", str(recipe), "--dry-run", "--only", "screening"]) == 0
    out = capsys.readouterr().out
    assert (
        out.split("[screening] adapterkit cv", 1)[1].splitlines()[1] == "    done earlier with the same inputs: skipped"
    )
    assert main(["run", str(recipe), "--dry-run", "--only", "dapt-minilm,screening"]) == 0
    out = capsys.readouterr().out  # a step before it runs (it may change what it reads): it runs again
    assert "skipped" not in out and "[dapt-minilm]" in out
    assert main(["run", str(recipe), "--dry-run", "--only", "screening", "--force"]) == 0
    assert "skipped" not in capsys.readouterr().out  # --force reruns it
