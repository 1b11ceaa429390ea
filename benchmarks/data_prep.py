"""Data preparation: cleaning + tokenizing + packing throughput, --num-proc scaling, and memory of --streaming.

A corpus of ``--size-mb`` (default 200) MB is generated into a temporary folder from the
shipped stand-in corpora: every line joins two randomly drawn stand-in lines and a record
number, so the lines are distinct (de-duplication keeps them, as it would keep real notes). A
``--small-mb`` (default 50) MB prefix of it is the smaller corpus. Every measurement runs in a
fresh subprocess (``ru_maxrss`` is that process's peak resident memory):

- in-memory ``prepare`` path on the large corpus: read + clean MB/s, then tokenize + pack
  (``packed`` blocks of 128) MB/s with ``--num-proc`` 1 and 2 (``datasets.map`` processes; the
  reading and cleaning are one pass in the main process either way);
- peak memory of the in-memory path (read, clean, split, tokenize with one process) vs the
  ``--streaming`` path (plan pass, then every training block iterated, as training would) on
  the small and the large corpus: the in-memory peak grows with the corpus, the streaming one
  by the plan's few bytes a line.

MB are of corpus text (UTF-8 bytes read). The tokenizer is the embedded MiniLM's WordPiece
(30,522 pieces; mBERT's is not available offline), a fast (Rust) tokenizer like mBERT's. Usage:

    python benchmarks/data_prep.py [--size-mb 200] [--small-mb 50] [--record]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
HEADING = "## data_prep.py"
MAX_SEQ_LEN = 128


def generate(folder: Path, size_mb: int, small_mb: int, seed: int = 0) -> tuple[Path, Path]:
    """Two corpora (small, large) of distinct lines drawn from the stand-in corpora."""
    from adapterkit.paths import STANDIN_CORPORA_DIR

    pool = [
        line
        for path in sorted(STANDIN_CORPORA_DIR.glob("*.txt"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    rng = random.Random(seed)
    large, small = folder / f"corpus-{size_mb}mb.txt", folder / f"corpus-{small_mb}mb.txt"
    written = 0
    with large.open("w", encoding="utf-8") as out, small.open("w", encoding="utf-8") as prefix:
        record = 0
        while written < size_mb * 1_000_000:
            record += 1
            line = f"{rng.choice(pool)} {rng.choice(pool)} (rec {record})\n"
            out.write(line)
            if written < small_mb * 1_000_000:
                prefix.write(line)
            written += len(line.encode("utf-8"))
    return small, large


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _tokenizer():
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(os.environ["DATAPREP_TOKENIZER"])  # saved once by the parent


def child(task: str, corpus: Path) -> dict:
    """One measurement, in this (fresh) process."""
    import datasets

    datasets.disable_progress_bars()
    from adapterkit.corpus import prepare_streaming, read_corpus, split_heldout, tokenize

    tokenizer = _tokenizer()
    megabytes = corpus.stat().st_size / 1_000_000
    baseline = _peak_mb()
    result: dict = {"mb": megabytes, "baseline_mb": baseline}
    if task == "throughput":
        started = time.perf_counter()
        lines, _ = read_corpus([corpus])
        result["clean_s"] = time.perf_counter() - started
        for processes in (1, 2):
            started = time.perf_counter()
            blocks = tokenize(lines, tokenizer, MAX_SEQ_LEN, "packed", num_proc=processes)
            result[f"tokenize_s_{processes}"] = time.perf_counter() - started
            result["blocks"] = len(blocks)
            del blocks
    elif task == "memory-in-memory":
        started = time.perf_counter()
        lines, _ = read_corpus([corpus])
        train, heldout = split_heldout(lines, 0.05, 42)
        del lines
        blocks = tokenize(train, tokenizer, MAX_SEQ_LEN, "packed")
        result["blocks"] = len(blocks)
        result["seconds"] = time.perf_counter() - started
    elif task == "memory-streaming":
        started = time.perf_counter()
        splits, _ = prepare_streaming([corpus], tokenizer, MAX_SEQ_LEN, "packed", 0.05, 42)
        result["blocks"] = sum(1 for _ in splits["train"])
        result["seconds"] = time.perf_counter() - started
    result["peak_mb"] = _peak_mb()
    return result


def run_child(task: str, corpus: Path, cache: Path) -> dict:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "ADAPTERKIT_CACHE": str(cache), "HF_DATASETS_CACHE": str(cache)}
    done = subprocess.run(
        [sys.executable, __file__, "--child", task, str(corpus)], env=env, capture_output=True, text=True, check=False
    )
    if done.returncode:
        raise SystemExit(f"{task} on {corpus.name} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size-mb", type=int, default=200)
    parser.add_argument("--small-mb", type=int, default=50)
    parser.add_argument("--record", action="store_true", help="Add a row to benchmarks/RESULTS.md.")
    parser.add_argument("--child", nargs=2, metavar=("TASK", "CORPUS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child[0], Path(args.child[1]))))
        return

    with tempfile.TemporaryDirectory(prefix="adapterkit-dataprep-") as folder:
        work = Path(folder)
        small, large = generate(work, args.size_mb, args.small_mb)
        from transformers import AutoTokenizer

        from adapterkit.models import materialise_embedded

        os.environ["DATAPREP_TOKENIZER"] = str(work / "tokenizer")
        AutoTokenizer.from_pretrained(materialise_embedded()).save_pretrained(work / "tokenizer")
        print(f"corpora: {small.stat().st_size / 1e6:.0f} MB and {large.stat().st_size / 1e6:.0f} MB in {work}")
        speed = run_child("throughput", large, work / "cache-throughput")
        mb = speed["mb"]
        clean, tok1, tok2 = speed["clean_s"], speed["tokenize_s_1"], speed["tokenize_s_2"]
        print(f"read + clean: {mb / clean:.2f} MB/s ({clean:.0f} s)")
        print(f"tokenize + pack, --num-proc 1: {mb / tok1:.2f} MB/s; --num-proc 2: {mb / tok2:.2f} MB/s")
        print(f"--num-proc 2 vs 1: x{tok1 / tok2:.2f}")
        print(f"end to end, --num-proc 1: {mb / (clean + tok1):.2f} MB/s; --num-proc 2: {mb / (clean + tok2):.2f} MB/s")
        memory = {}
        for mode in ("in-memory", "streaming"):
            for corpus in (small, large):
                memory[mode, corpus] = run_child(f"memory-{mode}", corpus, work / f"cache-{mode}-{corpus.stem}")
                m = memory[mode, corpus]
                blocks, seconds = f"{m['blocks']:,} blocks", f"{m['seconds']:.0f} s"
                print(f"{mode:9s} {m['mb']:5.0f} MB: peak {m['peak_mb']:,.0f} MB ({blocks}, {seconds})")
        growth = {
            mode: memory[mode, large]["peak_mb"] - memory[mode, small]["peak_mb"] for mode in ("in-memory", "streaming")
        }
        added_mb = memory["in-memory", large]["mb"] - memory["in-memory", small]["mb"]
        print(
            f"peak memory growth for +{added_mb:.0f} MB of corpus: in-memory +{growth['in-memory']:,.0f} MB, "
            f"streaming +{growth['streaming']:,.0f} MB "
            f"(streaming peak x{memory['streaming', large]['peak_mb'] / memory['in-memory', large]['peak_mb']:.2f} "
            "of in-memory at the large size)"
        )
        if args.record:
            from benchmarks.results import record

            machine = f"{platform.machine()}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}"
            header = (
                "| date | machine | corpus | read+clean MB/s | tokenize+pack MB/s np1 | np2 | np2/np1 | "
                "peak MB in-memory small / large | streaming small / large | growth in-memory / streaming |"
            )
            small_mb, large_mb = memory["in-memory", small]["mb"], mb
            row = (
                f"| {time.strftime('%Y-%m-%d')} | {machine} | {small_mb:.0f} / {large_mb:.0f} MB | {mb / clean:.2f} | "
                f"{mb / tok1:.2f} | {mb / tok2:.2f} | x{tok1 / tok2:.2f} | "
                f"{memory['in-memory', small]['peak_mb']:,.0f} / {memory['in-memory', large]['peak_mb']:,.0f} | "
                f"{memory['streaming', small]['peak_mb']:,.0f} / {memory['streaming', large]['peak_mb']:,.0f} | "
                f"+{growth['in-memory']:,.0f} / +{growth['streaming']:,.0f} |"
            )
            record(HEADING, header, row)
            print("recorded in benchmarks/RESULTS.md")


if __name__ == "__main__":
    main()
