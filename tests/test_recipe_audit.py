"""A recipe's ``audit`` steps: the demo audits every adapter it trains, and the recipe's report shows each
audit's figures as the audited manifest records them (``privacy.audit``), not as the step printed them."""

from __future__ import annotations

import json

import pytest

from adapterkit.cli import main
from adapterkit.manifest import MANIFEST
from adapterkit.recipes import resolve_recipe
from adapterkit.report.recipe import rewrite_recipe_report

RECIPE = """
name = "audited"
description = "one adapter, audited"
base = "{base}"

[[steps]]
id = "adapter"
run = "pretrain"
[steps.args]
name = "nl-a"
corpus = ["{corpus}"]
base = "${{base}}"
max_steps = 3
max_seq_len = 32
batch_size = 4
grad_accum = 1
save_steps = 10
block_mode = "line"
heldout = 0.25
language = ["nl"]
domain = "clinical"
canaries = 1
canary_repeats = 2

[[steps]]
id = "audit-a"
run = "audit"
args = {{ _ = "nl-a", lines = 30 }}
"""


def _pct(value: float) -> str:
    return f"{100 * value:.1f} %"


@pytest.mark.e2e
def test_the_recipe_report_shows_each_audit_as_its_manifest_records_it(workdir, tiny_bert, small_corpus):
    recipe = workdir / "audited.toml"
    recipe.write_text(RECIPE.format(base=tiny_bert, corpus=small_corpus))
    assert main(["run", str(recipe)]) == 0
    manifest_file = workdir / "adapters" / "nl-a" / MANIFEST
    manifest = json.loads(manifest_file.read_text())
    audit = manifest["privacy"]["audit"]
    membership, canaries = audit["membership"], audit["canaries"]
    report = (workdir / "runs" / "audited" / "report.md").read_text()
    section = report[report.index("## Memorisation audit") :]
    row = next(line for line in section.splitlines() if line.startswith("| audit-a "))
    assert f"{membership['auc']:.3f} [{membership['auc_low']:.3f}, {membership['auc_high']:.3f}]" in row
    assert f"{membership['train_lines']:,} + {membership['heldout_lines']:,}" in row
    assert membership["train_lines"] == membership["heldout_lines"] == 30
    assert _pct(membership["tpr_at_1pct_fpr"]) in row and _pct(membership["tpr_at_0.1pct_fpr"]) in row
    assert f"{canaries['max_exposure']:.1f} / {canaries['max_possible']:.1f} (1 canary)" in row
    assert manifest["private"]["canaries"][0] not in report
    # the report reads the manifest: other recorded figures, another row (and another reading)
    audit["membership"] |= {"auc": 0.9137, "auc_low": 0.8021, "auc_high": 0.9874, "tpr_at_1pct_fpr": 0.4321}
    manifest_file.write_text(json.dumps(manifest))
    markdown, _ = rewrite_recipe_report(workdir / "runs" / "audited")
    section = markdown.read_text().split("## Memorisation audit")[1]
    row = next(line for line in section.splitlines() if line.startswith("| audit-a "))
    assert "0.914 [0.802, 0.987]" in row and "43.2 %" in row and "told apart: memorised" in row
    audit["membership"] |= {"auc": 0.3, "auc_low": 0.2, "auc_high": 0.4}
    manifest_file.write_text(json.dumps(manifest))
    markdown, _ = rewrite_recipe_report(workdir / "runs" / "audited")
    assert "0.300 [0.200, 0.400]" in markdown.read_text() and "below chance" in markdown.read_text()


def test_the_demo_audits_every_adapter_it_pretrains_after_the_last_step_that_reads_it():
    _, _, plan = resolve_recipe("demo", [], smoke=False)
    commands = [argv[0] for _, argv in plan]
    trained = [argv for _, argv in plan if argv[0] == "pretrain" and "--full" not in argv]
    adapters = [argv[argv.index("--name") + 1] for argv in trained]
    audited = [argv[-1] for _, argv in plan if argv[0] == "audit"]
    assert adapters and sorted(audited) == sorted(adapters)
    # the audits come last: writing into a manifest does not change the inputs of a later step
    assert commands[-len(audited) :] == ["audit"] * len(audited)
    for _, argv in plan:
        if argv[0] == "audit":
            lines = int(argv[argv.index("--lines") + 1])
            assert 20 <= lines <= 100, "a sample: seconds, not minutes"


def test_an_audit_step_of_a_missing_adapter_is_found_before_the_first_step(workdir, capsys):
    recipe = workdir / "r.toml"
    recipe.write_text('name = "r"\n[[steps]]\nid = "a"\nrun = "audit"\nargs = { _ = "nowhere" }\n')
    assert main(["run", str(recipe)]) == 2
    err = capsys.readouterr().err
    assert "argument nowhere: no such adapter" in err and "(step a)" in err
