"""Reports a reviewer would accept: results before settings (only those that applied, with the variants
and --limit), the date and package versions, commands wrapped only at spaces, confidence intervals of
proportions clipped to [0, 100] % and marked, a panel with nothing found that says so, units in every
table header, both perplexity bars visible, no link to an analysis that was not run, and a page that
fits its width with every image loading."""

from __future__ import annotations

import base64
import io
import json
import re
import shlex
import shutil
from html.parser import HTMLParser
from importlib.metadata import version
from pathlib import Path

import numpy as np
import pytest
from scipy import stats as scipy_stats

from adapterkit.report import report_for_compare
from adapterkit.report.formatting import COMMAND_WIDTH, wrap_command
from adapterkit.stats import compare

pytest.importorskip("matplotlib")

LONG_PATH = "/data/very/long/folder/name/that/goes/on/and/on/without/a/single/space/in/it/ro-ner-train-split.conll"
COMMAND = (
    f"adapterkit compare base nl-clin 'nl clin+ro bio' --data {LONG_PATH} --folds 3 --limit 16 --epochs 2 "
    "--batch-size 8 --max-seq-len 64 --run-id ro-ner --report-to tensorboard --seed 42"
)
SETTINGS = {"epochs": 2.0, "batch_size": 8, "lr": None, "max_steps": -1, "mode": "full", "task_lora_r": 16}
SETTINGS |= {"task_lora_alpha": 32, "task_lora_dropout": 0.1, "quantize": None, "max_seq_len": 64}


def _fold(f1: float, diso: float, chem: float) -> dict:
    per_type = {"DISO": {"f1": diso, "support": 12}, "CHEM": {"f1": chem, "support": 3}}
    return {"f1": f1, "precision": f1, "recall": f1, "macro_f1": f1, "per_type": per_type, "n_test": 30}


def _compare_run(root: Path, results: dict[str, list[dict]], settings: dict = SETTINGS) -> Path:
    comparison = compare(results, next(iter(results)), ["f1", "precision", "recall", "macro_f1"], "f1")
    run = root / "runs" / "ro-ner"
    run.mkdir(parents=True)
    (run / "comparison.json").write_text(comparison.to_json())
    (run / "comparison.md").write_text(comparison.to_markdown())
    (run / "command.txt").write_text(COMMAND + "\n")
    for variant, per_fold in results.items():
        cv = run / "cv" / variant
        cv.mkdir(parents=True)
        record = {"variant": variant, "folds": 3, "seed": 42, "data": [LONG_PATH], "limit": 16}
        (cv / "cv.json").write_text(json.dumps({**record, "settings": settings, "per_fold": per_fold}))
    return run


# CHEM of nl-clin: 0, 0 and 40 % over three folds: its t-interval reaches below 0 %
RESULTS = {
    "base": [_fold(0.70, 0.80, 0.0), _fold(0.72, 0.82, 0.0), _fold(0.74, 0.84, 0.0)],
    "nl-clin": [_fold(0.80, 0.85, 0.0), _fold(0.81, 0.86, 0.0), _fold(0.86, 0.90, 0.4)],
}


@pytest.fixture
def report(tmp_path: Path) -> tuple[Path, str]:
    run = _compare_run(tmp_path, RESULTS)
    markdown, _ = report_for_compare(run)
    return run, markdown.read_text()


def test_results_come_first_and_the_settings_that_applied_last(report) -> None:
    _, text = report
    headings = re.findall(r"^## (.*)", text, flags=re.M)
    assert headings[0] == "Comparison" and headings[-1] == "Settings"
    settings = text.split("## Settings", 1)[1]
    assert "| variants | `base` (baseline), `nl-clin` |" in settings
    assert "| --limit | first 16 examples |" in settings
    assert "| settings.epochs | 2.0 |" in settings and "| settings.lr | the task's default |" in settings
    for not_applied in ("task_lora", "quantize", "max_steps"):  # full fine-tuning, no quantization, by epochs
        assert not_applied not in settings


def test_adapter_settings_appear_when_the_task_adapter_trained(tmp_path: Path) -> None:
    settings = {**SETTINGS, "mode": "adapter", "max_steps": 40, "quantize": "8bit"}
    text = report_for_compare(_compare_run(tmp_path, RESULTS, settings))[0].read_text().split("## Settings", 1)[1]
    for applied in ("| settings.task_lora_r | 16 |", "| settings.quantize | 8bit |", "| settings.max_steps | 40 |"):
        assert applied in text
    assert "settings.epochs" not in text  # max_steps overrides the epochs


def test_each_report_names_its_date_and_package_versions(report) -> None:
    run, text = report
    stamp = text.splitlines()[2]
    assert re.fullmatch(r"\*Written \d{4}-\d\d-\d\d \d\d:\d\d UTC with adapterkit .*\.\*", stamp)
    for package in ("transformers", "peft", "torch", "scipy", "seqeval"):
        assert f"{package} {version(package)}" in stamp
    assert stamp.strip("*") in (run / "report.html").read_text()


def test_commands_are_wrapped_only_at_spaces() -> None:
    wrapped = wrap_command(COMMAND)
    lines = wrapped.splitlines()
    assert len(lines) > 1
    for line in lines:  # short enough, except a single argument longer than the width, never cut
        assert len(line) <= COMMAND_WIDTH or " " not in line.strip().removesuffix(" \\")
    assert shlex.split(wrapped.replace("\\\n", " ")) == shlex.split(COMMAND)  # a shell reads the same command
    assert any(line.strip().startswith(LONG_PATH) or LONG_PATH in line for line in lines)  # the path whole
    assert wrap_command("adapterkit report 'unclosed") == "adapterkit report 'unclosed"  # not shell: as written


def test_the_report_wraps_its_command_and_the_page_never_breaks_words(report) -> None:
    run, text = report
    block = text.split("## Settings", 1)[1].split("```", 2)[1]
    assert block.strip() == wrap_command(COMMAND)
    css = (run / "report.html").read_text().split("<style>", 1)[1].split("</style>", 1)[0]
    assert "anywhere" not in css and "break-all" not in css
    assert re.search(r"pre \{[^}]*white-space: pre-wrap;[^}]*word-break: normal", css)


def _per_type_figure(results: dict[str, list[dict]]):
    from adapterkit.report.figures import per_type_figure

    return per_type_figure(json.loads(compare(results, "base", ["f1"], "f1").to_json()))


def test_confidence_intervals_of_proportions_are_clipped_to_0_100_and_marked() -> None:
    chem = [0.0, 0.0, 0.4]  # the reference: scipy's t-interval of the mean reaches below 0
    low, high = scipy_stats.t.interval(0.95, len(chem) - 1, loc=np.mean(chem), scale=scipy_stats.sem(chem))
    assert low < 0 < high < 1
    figure = _per_type_figure(RESULTS)
    axes = figure.axes[0]
    bars = [container for container in axes.containers if getattr(container, "errorbar", None) is not None]
    ends = [segment[:, 1] for bar in bars for segment in bar.errorbar.lines[2][0].get_segments()]
    assert ends and all(0.0 <= value <= 100.0 for pair in ends for value in pair)
    assert any(pair.min() == 0.0 for pair in ends)  # CHEM of nl-clin: clipped at 0 %, not below
    texts = [t.get_text() for t in axes.texts]
    assert texts.count("†") == 1 and any("clipped to [0, 100] %" in t for t in texts)
    unclipped = _per_type_figure({v: [_fold(0.7, 0.8, 0.5)] * 3 for v in RESULTS})
    assert not [t for t in unclipped.axes[0].texts if "clipped" in t.get_text() or t.get_text() == "†"]


def test_a_panel_with_nothing_predicted_says_so() -> None:
    nothing = {variant: [_fold(0.0, 0.0, 0.0)] * 3 for variant in RESULTS}
    axes = _per_type_figure(nothing).axes[0]
    assert any(t.get_text().startswith("no entities predicted") for t in axes.texts)
    assert axes.get_ylim() == (0.0, 105.0)  # the whole range, not an empty autoscaled axis
    found = _per_type_figure(RESULTS).axes[0]
    assert not any("no entities predicted" in t.get_text() for t in found.texts)


UNIT = re.compile(r"\((%|count|cosine similarity|gradient × input|n = gold entities)\)|%\)")


def _tables(text: str) -> list[list[str]]:
    """Every pipe table of a markdown text, as its lines."""
    tables, current = [], []
    for line in [*text.splitlines(), ""]:
        if line.startswith("|"):
            current.append(line)
        elif current:
            tables.append(current)
            current = []
    return tables


def test_every_table_of_numbers_names_its_unit(report) -> None:
    _, text = report
    tables = _tables(text)
    assert len(tables) >= 8
    for table in tables:
        header, rule = table[0], table[1]
        if "---:" not in rule:  # words only (settings)
            continue
        cells = [cell.strip() for cell in header.strip("|").split("|")]
        if "metric" in cells:  # the tests' tables: each row names its metric with its unit
            column = cells.index("metric")
            assert all(UNIT.search(row.strip("|").split("|")[column]) for row in table[2:]), table
        else:
            assert UNIT.search(header), header


def test_perplexity_bars_are_both_visible_and_labelled() -> None:
    from adapterkit.report.figures import training_curve_figure
    from adapterkit.report.formatting import number

    for before, after in [(52_000.0, 3.2), (120.0, 95.0), (15.0, 1.4), (1.2e6, 1.05)]:
        log = [{"step": 0, "perplexity": before}, {"step": 40, "perplexity": after}]
        figure = training_curve_figure(log, "x")
        figure.canvas.draw()
        axes = figure.axes[-1]
        box = axes.get_window_extent()
        bars = [patch.get_window_extent() for patch in axes.patches]
        assert len(bars) == 2
        for bar in bars:  # each at least 5 % of the panel's height, inside it
            visible = min(bar.y1, box.y1) - max(bar.y0, box.y0)
            assert visible >= 0.05 * box.height, (before, after)
        labels = {text.get_text() for text in axes.texts}
        assert {number(before, 1), number(after, 1)} <= labels


def test_the_recipe_report_links_only_to_analyses_that_were_run(tmp_path: Path, monkeypatch) -> None:
    from adapterkit.report.recipe import _compare_section

    monkeypatch.chdir(tmp_path)
    run = _compare_run(tmp_path, RESULTS)
    argv = ["compare", "base", "nl-clin", "--run-id", "ro-ner"]
    assert _compare_section({"id": "c"}, argv, tmp_path / "runs" / "recipe").text == ""  # no report.html yet
    report_for_compare(run)
    text = _compare_section({"id": "c"}, argv, tmp_path / "runs" / "recipe").text
    assert "per-type bars" in text and "analyses" not in text and "training curves" not in text
    (run / "analysis").mkdir()
    (run / "analysis" / "analysis.json").write_text("{}")
    assert "and analyses" in _compare_section({"id": "c"}, argv, tmp_path / "runs" / "recipe").text


class _Page(HTMLParser):
    """The images, code blocks and table rows of a report page."""

    def __init__(self) -> None:
        super().__init__()
        self.images: list[str] = []
        self.pre: list[str] = []
        self.rows: list[list[str]] = []
        self._in: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            self.images.append(dict(attrs).get("src") or "")
        elif tag == "pre":
            self.pre.append("")
        elif tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th") and self.rows:
            self.rows[-1].append("")
        self._in.append(tag)

    def handle_endtag(self, tag):
        if tag in self._in:
            del self._in[len(self._in) - 1 - self._in[::-1].index(tag) :]

    def handle_data(self, data):
        if "pre" in self._in:
            self.pre[-1] += data
        if ("td" in self._in or "th" in self._in) and self.rows and self.rows[-1]:
            self.rows[-1][-1] += data


PAGE_PX = 960 - 32  # the page's 60rem text column less its padding, at 16 px per rem
CHAR_PX = 8.6  # an upper bound of a character's width at the tables' 0.9rem (system-ui) and in code blocks
CELL_PX = 2 * 0.6 * 16 + 1  # a cell's padding and border


def _image_loads(source: str, page_dir: Path) -> bool:
    from PIL import Image

    if source.startswith("data:image/png;base64,"):
        data = base64.b64decode(source.split(",", 1)[1], validate=True)
    elif not re.match(r"^[a-z]+:", source) and (page_dir / source).is_file():
        data = (page_dir / source).read_bytes()
    else:
        return False
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        return image.width > 0 and image.height > 0


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


def test_the_rendered_page_fits_its_width_and_every_image_loads(report) -> None:
    """What a headless Chromium shows (``scripts/screenshot_reports.py``) where one is installed; else
    the same checks on the HTML: every image loads, no code line or table row is wider than the page."""
    run, _ = report
    page_file = run / "report.html"
    if CHROMIUM is not None:
        from importlib.util import module_from_spec, spec_from_file_location

        spec = spec_from_file_location("screenshots", Path(__file__).parents[1] / "scripts" / "screenshot_reports.py")
        assert spec is not None and spec.loader is not None
        screenshots = module_from_spec(spec)
        spec.loader.exec_module(screenshots)
        found = screenshots.layout_check(CHROMIUM, page_file, width=1280)
        assert found["images"] >= 1 and found["broken"] == [] and found["overflow"] is False, found
    page = _Page()
    page.feed(page_file.read_text())
    assert page.images and all(_image_loads(source, run) for source in page.images)
    for block in page.pre:
        for line in block.splitlines():
            alone = " " not in line.strip().removesuffix(" \\")  # one argument longer than a line, whole
            assert len(line) * CHAR_PX <= PAGE_PX - 20 or alone, line
    for row in page.rows:  # the narrowest a row can be: its longest unbreakable word per cell
        narrowest = sum(max((len(word) for word in cell.split()), default=0) * CHAR_PX + CELL_PX for cell in row)
        assert narrowest <= PAGE_PX or len(row) == 2 and LONG_PATH in "".join(row), row
