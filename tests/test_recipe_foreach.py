"""Recipe steps repeated per item (foreach), kept on a flag (when), optional list entries, and the
study recipes' new steps as --dry-run lists them."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapterkit.cli import main
from adapterkit.errors import AdapterkitError
from adapterkit.recipes import expand_steps, load_recipe, resolve_recipe, slug


def _recipe(tmp_path, text: str) -> str:
    path = tmp_path / "r.toml"
    path.write_text(text)
    return str(path)


FOREACH = """
bases = ["bert-base-multilingual-cased", "dmis-lab/biobert-base-cased-v1.2"]
langs = ["es=data/es", "en=data/en"]
extra = ""
mono = false
[tracks]
disease = "ENFERMEDAD"
medication = "FARMACO"

[[steps]]
id = "dapt"
foreach = "bases"
run = "pretrain"
args = { name = "dapt-${each_slug}", base = "${each}", corpus = ["c.txt"] }

[[steps]]
id = "mono"
foreach = { track = "tracks", part = "langs" }
when = "mono"
run = "compare"
args = { _ = ["base", "${extra}"], data = ["${part}"], types = "${track_value}", run_id = "m-${track}-${part_slug}" }
"""


def test_foreach_repeats_a_step_per_item_and_names_it_after_the_item(tmp_path):
    _, _, plan = resolve_recipe(_recipe(tmp_path, FOREACH), [])
    assert [step["id"] for step, _ in plan] == ["dapt-bert-base-multilingual-cased", "dapt-biobert-base-cased-v1.2"]
    assert plan[1][1] == [
        "pretrain", "--name", "dapt-biobert-base-cased-v1.2", "--base", "dmis-lab/biobert-base-cased-v1.2",
        "--corpus", "c.txt",
    ]  # fmt: skip


def test_foreach_over_two_settings_runs_every_combination_and_when_keeps_it_on_a_flag(tmp_path):
    _, _, plan = resolve_recipe(_recipe(tmp_path, FOREACH), ["mono=true"])
    mono = [(step["id"], argv) for step, argv in plan if step["id"].startswith("mono")]
    assert [step_id for step_id, _ in mono] == [
        "mono-disease-es", "mono-disease-en", "mono-medication-es", "mono-medication-en"
    ]  # fmt: skip
    assert mono[3][1] == [
        "compare", "--data", "en=data/en", "--types", "FARMACO", "--run-id", "m-medication-en", "base"
    ]  # an empty setting named alone in a list adds nothing  # fmt: skip
    _, _, plan = resolve_recipe(_recipe(tmp_path, FOREACH), ["mono=true", "extra=models/x"])
    assert plan[-1][1][-2:] == ["base", "models/x"]


def test_slug_takes_the_part_name_or_the_last_path_part():
    assert slug("es=/data/multicardioner/es") == "es"
    assert slug("/models/KM-BERT/") == "km-bert"
    assert slug("dmis-lab/biobert-base-cased-v1.2") == "biobert-base-cased-v1.2"
    with pytest.raises(AdapterkitError, match="gives no name"):
        slug("/")


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (['bases=["a", "A"]'], "dapt-a: id used twice"),
        (["bases=[]"], "must be a non-empty list of names"),
    ],
)
def test_foreach_refuses_what_cannot_expand(tmp_path, overrides, message):
    with pytest.raises(AdapterkitError, match=message):
        resolve_recipe(_recipe(tmp_path, FOREACH), overrides)


def test_when_names_a_true_false_setting_and_foreach_names_may_not_shadow_settings(tmp_path):
    with pytest.raises(AdapterkitError, match="when = 'extra' must name a true/false setting"):
        resolve_recipe(_recipe(tmp_path, FOREACH.replace('when = "mono"', 'when = "extra"')), [])
    shadowing = FOREACH.replace('foreach = { track = "tracks"', 'foreach = { extra = "tracks"')
    with pytest.raises(AdapterkitError, match="foreach name 'extra' is also a setting"):
        expand_steps({**load_recipe(Path(_recipe(tmp_path, shadowing))), "mono": True})


@pytest.mark.parametrize(
    ("recipe", "overrides", "expected"),
    [
        (
            "study-b",
            [],
            [
                "[vocab-new-bert-base-multilingual-cased] adapterkit vocab build --mode new",
                "--size 45000",
                "[dapt-bert-base-multilingual-cased] adapterkit pretrain --full",
                "[forgetting-sts-bert-base-multilingual-cased] adapterkit compare --data ko=data/sts-ko.jsonl",
                "--eval-data data/ct-reports-external.jsonl --name study-b-ct-new-bert-base-multilingual-cased",
            ],
        ),
        (
            "study-a",
            ["models.es_domain=/models/bsc-bio-ehr-es"],
            [
                "[compare-es-pharmaconer] adapterkit compare --data data/pharmaconer/train.conll --preset pharmaconer",
                "nl-clin /models/bsc-bio-ehr-es",
                "--pairs models/mbert-nl-clin:models/mbert-nl-bio",
                "--pairs models/mbert-ro-bio:models/mbert-nl-ro",
            ],
        ),
        (
            "study-c",
            ["monolingual=true"],
            [
                "[stage-one-disease] adapterkit finetune",
                "--types FARMACO",
                "[compare-mono-medication-it] adapterkit compare --data it=data/multicardioner/it",
                "--epochs 10.0 --batch-size 8 --lr 9e-06 --warmup-ratio 0.0 --weight-decay 0.0",
                "--weight-decay 0.0 --max-seq-len 256",
                "[final-one-stage-disease] adapterkit finetune",
                "[predict-test-disease-two-stage] adapterkit predict --input es=data/multicardioner/test/es",
                "[score-test-medication-one-stage-it] adapterkit score --gold data/multicardioner/test/it",
            ],
        ),
    ],
)
def test_dry_run_lists_the_studies_new_steps(workdir, capsys, recipe, overrides, expected):
    # the study-scale data (data/...) is not here: the plan is printed, then every missing input (exit 2)
    assert main(["run", recipe, "--dry-run", *overrides]) == 2
    printed = capsys.readouterr()
    for text in expected:
        assert text in printed.out, text
    assert "no such file or folder" in printed.err and "input problems above" in printed.err
    assert not (workdir / "runs").exists()


def test_study_c_without_monolingual_has_no_monolingual_steps(workdir, capsys):
    assert main(["run", "study-c", "--dry-run"]) == 2  # its data is not here
    printed = capsys.readouterr().out
    assert "\n[compare-mono" not in printed  # not among the steps that run; listed as switched off, and why
    assert "  [compare-mono-medication-it] switched off: monolingual = false" in printed.split("not run:")[1]


def test_a_hub_model_id_is_a_variant_but_a_mistyped_local_model_is_not_looked_up_there(workdir, tiny_bert, monkeypatch):
    import adapterkit.models
    from adapterkit.models import Base
    from adapterkit.registry import Registry
    from adapterkit.variants import parse_variant, task_start

    asked = []

    def snapshot(name: str, local_only: bool = False) -> Base:  # the Hub, as far as this test goes
        asked.append(name)
        return Base(name, tiny_bert, name, "abc", head_is_new=False)

    monkeypatch.setattr(adapterkit.models, "resolve_base", snapshot)
    store = Registry(workdir / "adapters")
    assert parse_variant("PlanTL-GOB-ES/bsc-bio-ehr-es", store).kind == "hub-model"
    assert task_start("PlanTL-GOB-ES/bsc-bio-ehr-es", store).base.path == tiny_bert
    assert asked == ["PlanTL-GOB-ES/bsc-bio-ehr-es"]
    (workdir / "models").mkdir()
    with pytest.raises(AdapterkitError, match="variant 'models/mbert-nl-clni': not 'base', a model folder"):
        parse_variant("models/mbert-nl-clni", store)
    assert asked == ["PlanTL-GOB-ES/bsc-bio-ehr-es"]
