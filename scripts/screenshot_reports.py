"""Look at reports the way a reader does: render report.html files in headless Chromium to PNGs.

    python scripts/screenshot_reports.py runs/demo/report.html runs/demo-ro-ner/report.html --out /tmp/shots

Each report becomes one or more PNG pages (``<folder>-<name>-1.png`` …, 1600 px tall each) in
``--out``, which must lie outside the repository: screenshots are for looking, not committing.
The page is loaded from disk (``file://``) with networking off; the reports are self-contained,
so a figure that does not show is a figure the report failed to embed. Needs a Chromium binary
(Debian: ``apt-get install chromium``; or give ``--chromium PATH``).
"""

from __future__ import annotations

import argparse
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
