"""The recipe report finds a compare step's run where compare wrote it: ``runs/<folder-safe run id>``."""

from __future__ import annotations

from pathlib import Path

from adapterkit.paths import folder_name
from adapterkit.report.recipe import write_recipe_report
from adapterkit.stats import compare


def test_a_run_id_with_a_space_and_a_slash_is_found_under_its_folder_safe_name(workdir: Path):
    run_id = "ro ner/lora vs full"
    folder = workdir / "runs" / folder_name(run_id)  # what run_compare names the folder
    assert folder.name == "ro_ner_lora_vs_full"
    folder.mkdir(parents=True)
    results = {
        variant: [{"f1": score + 0.01 * fold} for fold in range(3)]
        for variant, score in (("base", 0.70), ("nl-lora", 0.76), ("models/nl-full", 0.80))
    }
    (folder / "comparison.json").write_text(compare(results, "base", ["f1"]).to_json())
    (folder / "comparison.md").write_text("| variant | f1 |\n|---|---|\n| nl-lora | 0.77 |\n")
    (folder / "report.html").write_text("<!DOCTYPE html>\n")  # compare's own report: linked, as it exists
    recipe = {"name": "demo", "recovery": [["nl-lora", "models/nl-full"]]}
    argv = ["compare", "--data", "ro.conll", "--run-id", run_id, "base", "nl-lora", "models/nl-full"]
    markdown, _ = write_recipe_report(workdir / "runs" / "demo", recipe, [({"id": "cmp"}, argv)], {"cmp": "finished"})
    text = markdown.read_text()
    assert "## Comparison: cmp" in text
    assert "| nl-lora | 0.77 |" in text  # the comparison's own table, read from that folder
    assert f"[runs/{folder.name}/report.html]" in text
    # the recovery ratio reads the same folder: (0.76 - 0.70) / (0.80 - 0.70) = 0.60
    assert "| cmp | f1 | 0.7100 | models/nl-full 0.8100 | nl-lora 0.7700 | 0.60 |" in text
