"""Look at reports the way a reader does: render report.html files in headless Chromium to PNGs.

    python scripts/screenshot_reports.py runs/demo/report.html runs/demo-ro-ner/report.html --out /tmp/shots

Each report becomes one or more PNG pages (``<folder>-<name>-1.png`` …, 1600 px tall each) in
``--out``, which must lie outside the repository: screenshots are for looking, not committing.
The page is loaded from disk (``file://``) with networking off; the reports are self-contained,
so a figure that does not show is a figure the report failed to embed. ``layout_check`` (used by
tests/test_report_reviewer.py where Chromium is installed) reports images that did not load and a
page wider than its window. Needs a Chromium binary
(Debian: ``apt-get install chromium``; or give ``--chromium PATH``).
"""

from __future__ import annotations

import argparse
import html as html_text
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image

REPO = Path(__file__).resolve().parents[1]
PAGE_HEIGHT = 1600
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--hide-scrollbars",
]


def find_chromium(given: str | None) -> str:
    for candidate in [given] if given else ["chromium", "chromium-browser", "google-chrome"]:
        found = shutil.which(candidate) if candidate else None
        if found:
            return found
    sys.exit("error: no Chromium found; install it (apt-get install chromium) or give --chromium PATH")


def render(chromium: str, html: Path, png: Path, width: int, height: int) -> None:
    """One tall screenshot of ``html`` (a fresh profile in a temporary folder, deleted afterwards)."""
    with tempfile.TemporaryDirectory(prefix="adapterkit-chromium-") as profile:
        command = [
            chromium,
            *FLAGS,
            f"--user-data-dir={profile}",
            f"--window-size={width},{height}",
            f"--screenshot={png}",
            html.resolve().as_uri(),
        ]
        result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    if result.returncode != 0 or not png.is_file():
        tail = (result.stderr or result.stdout).strip().splitlines()[-1:] or ["no output"]
        sys.exit(f"error: Chromium could not render {html}: {tail[0]}")


_PROBE = """<script>
window.addEventListener("load", () => {
  const images = [...document.images], root = document.documentElement;
  document.body.setAttribute("data-check", JSON.stringify({
    images: images.length,
    broken: images.filter((image) => !image.complete || image.naturalWidth === 0).map((image) => image.alt),
    overflow: root.scrollWidth > root.clientWidth,
  }));
});
</script>"""


def layout_check(chromium: str, page: Path, width: int = 1280) -> dict:
    """What a reader's browser shows of ``page``: ``{"images": N, "broken": [alt of each image that did not
    load], "overflow": whether the page is wider than a ``width``-pixel window}`` (a copy of the page with
    a probe script added, loaded in headless Chromium; the report itself runs no script)."""
    with tempfile.TemporaryDirectory(prefix="adapterkit-chromium-") as folder:
        probe = Path(folder) / "probe.html"
        probe.write_text(page.read_text(encoding="utf-8").replace("</body>", _PROBE + "</body>"), encoding="utf-8")
        command = [
            chromium,
            *FLAGS,
            f"--user-data-dir={Path(folder) / 'profile'}",
            f"--window-size={width},1000",
            "--virtual-time-budget=10000",
            "--dump-dom",
            probe.as_uri(),
        ]
        result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    found = re.search(r'data-check="([^"]*)"', result.stdout)
    if found is None:
        tail = (result.stderr or result.stdout).strip().splitlines()[-1:] or ["no output"]
        raise RuntimeError(f"Chromium did not run the layout probe on {page}: {tail[0]}")
    return json.loads(html_text.unescape(found.group(1)))


def pages(png: Path) -> list[Path]:
    """Cut the tall screenshot below its last non-white row, then into pages of PAGE_HEIGHT."""
    image = Image.open(png).convert("RGB")
    pixels = np.asarray(image)
    rows = np.flatnonzero((pixels < 250).any(axis=(1, 2)))
    bottom = int(rows[-1]) + 24 if rows.size else image.height
    image = image.crop((0, 0, image.width, min(bottom, image.height)))
    written = []
    for number, top in enumerate(range(0, image.height, PAGE_HEIGHT), start=1):
        page = png.with_name(f"{png.stem}-{number}.png")
        image.crop((0, top, image.width, min(top + PAGE_HEIGHT, image.height))).save(page)
        written.append(page)
    png.unlink()
    return written


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("reports", nargs="+", type=Path, help="report.html files")
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "adapterkit-screenshots")
    parser.add_argument("--width", type=int, default=1280, help="window width in pixels")
    parser.add_argument("--height", type=int, default=16000, help="height rendered before trimming")
    parser.add_argument("--chromium", help="the Chromium binary (default: chromium on PATH)")
    args = parser.parse_args()
    out = args.out.resolve()
    if out.is_relative_to(REPO):
        sys.exit(f"error: --out {args.out} is inside the repository; give a folder outside it (PNGs are not committed)")
    for report in args.reports:
        if not report.is_file() or report.suffix != ".html":
            sys.exit(f"error: {report}: not an HTML file; give report.html files written by adapterkit")
    chromium = find_chromium(args.chromium)
    out.mkdir(parents=True, exist_ok=True)
    for report in args.reports:
        png = out / f"{report.resolve().parent.name}-{report.stem}.png"
        render(chromium, report, png, args.width, args.height)
        for page in pages(png):
            print(page)
    return 0


if __name__ == "__main__":
    sys.exit(main())
