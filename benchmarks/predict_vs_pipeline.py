"""`adapterkit predict` against transformers' token-classification pipeline on raw .txt notes.

    nice -n 10 .venv/bin/python benchmarks/predict_vs_pipeline.py [--notes 40] [--big-note-mb 1.0]

A NER model is fine-tuned first (the embedded MiniLM, ``--train-docs`` CANTEMIST training
documents; the Spanish stand-in documents when CANTEMIST is absent), for ``--max-steps`` steps:
by default one, on purpose. A model that has barely left its random head writes spans of every
shape (orphan ``I-`` runs, ``B-`` after ``B-``, one-word entities), which is what tests the two
sides' rules from tags to spans; a briefly trained one (40 steps here) still writes ``O``
everywhere on CANTEMIST, and a comparison of no spans shows nothing. Then every side labels the
same notes (CANTEMIST dev documents as bare ``.txt``, no ``.ann`` beside them), each in its own
subprocess, which reports the seconds it takes to load the model, label the notes and write the
result (its imports timed apart: a fixed cost per process), and its peak resident memory
(``ru_maxrss``, the whole process):

- ``adapterkit``: ``adapterkit predict MODEL --input NOTES --out OUT --output-format brat``
  (in the subprocess through ``run_predict``, the function the command calls), no other option;
- ``pipeline``: ``pipeline("token-classification", aggregation_strategy="first", stride=...)`` on
  each whole note, the same model and tokenizer, ``model_max_length`` set to the window the model
  was trained with, ``batch_size`` 32 (adapterkit's);
- ``pipeline-sentences``: the same pipeline on the sentences adapterkit cuts the notes into (the
  offsets shifted back into the note): the like-for-like check of the spans.

Spans are (note, type, start, end). Every difference is classified: ``word rule`` (the two sides cut
the text into different words there: adapterkit's words are ``\\w+|[^\\w\\s]``, BERT's pre-tokenizer
splits on whitespace and punctuation, so a symbol such as ``°`` or ``±`` is a word of its own for
adapterkit and part of a word for BERT, and ``_`` the reverse), ``context`` (whole notes only: the
pipeline's windows run across sentence ends, adapterkit's never do), ``long sentence`` (a sentence
longer than the window: each side cuts it into windows its own way), or ``unexplained``.
Then both sides label one note of about ``--big-note-mb`` MB (the dev notes repeated), for memory.
Figures go to stdout as a markdown table (``--json`` for a file); the timings are the best of
``--repeats`` runs, sides alternating.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MODEL_NAME = "bench-ner"
BATCH = 32  # adapterkit predict's batch of windows; the pipeline gets the same


# ------------------------------------------------------------------------------------------ the sides


def _side_adapterkit(model: Path, notes: Path, out: Path) -> dict:
    from adapterkit.jobs.predict import run_predict
    from adapterkit.quiet import quiet_libraries

    quiet_libraries()
    run_predict(str(model), [notes], out, "brat")  # `adapterkit predict` with no option but the format
    spans = []
    for ann in sorted(out.glob("*.ann")):
        for line in ann.read_text(encoding="utf-8").splitlines():
            if line.startswith("T"):
                kind, start, end = line.split("\t")[1].split(" ")[:3]
                spans.append([ann.stem, kind, int(start), int(end.split(";")[0])])
    return {"spans": spans}


def _pipeline(model: Path):
    from transformers import AutoModelForTokenClassification, AutoTokenizer, pipeline

    settings = json.loads((model / "adapterkit.json").read_text(encoding="utf-8"))["settings"]
    tokenizer = AutoTokenizer.from_pretrained(model)
    tokenizer.model_max_length = settings["max_seq_len"]
    return pipeline(
        "token-classification",
        model=AutoModelForTokenClassification.from_pretrained(model),
        tokenizer=tokenizer,
        aggregation_strategy="first",
        stride=settings["max_seq_len"] // 4,  # overlapping windows for notes longer than one window
        device=-1,
    )


def _side_pipeline(model: Path, notes: Path, sentences: bool) -> dict:
    pipe = _pipeline(model)
    texts, starts, names = [], [], []
    for path in sorted(notes.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        if sentences:
            for start, end in _sentence_spans(path):
                texts.append(text[start:end])
                starts.append(start)
                names.append(path.stem)
        else:
            texts.append(text)
            starts.append(0)
            names.append(path.stem)
    spans = []
    for name, start, entities in zip(names, starts, pipe(texts, batch_size=BATCH), strict=True):
        for entity in entities:
            spans.append([name, entity["entity_group"], start + entity["start"], start + entity["end"]])
    return {"spans": spans}


def _sentence_spans(path: Path) -> list[tuple[int, int]]:
    """Where adapterkit's sentences of the note start and end (its reader, model-free)."""
    from adapterkit.readers.brat import read_raw_text

    data = read_raw_text([path])
    return [(s.offsets[0][0], s.offsets[-1][1]) for s in data.sentences if s.offsets]


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def run_side(side: str, model: Path, notes: Path, out: Path, report: Path) -> None:
    started = time.perf_counter()
    if side == "adapterkit":  # the libraries each side imports, timed apart from the labelling
        import adapterkit.jobs.predict  # noqa: F401
    else:
        import transformers.pipelines  # noqa: F401
    imported, cpu_imported = time.perf_counter(), _cpu_seconds()
    if side == "adapterkit":
        result = _side_adapterkit(model, notes, out)
    else:
        result = _side_pipeline(model, notes, sentences=side == "pipeline-sentences")
    result["seconds"] = time.perf_counter() - imported  # loading the model, labelling, writing
    result["cpu_seconds"] = _cpu_seconds() - cpu_imported  # the same, in CPU time: less hit by other load
    result["import_seconds"] = imported - started
    result["max_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    report.write_text(json.dumps(result), encoding="utf-8")


# ------------------------------------------------------------------------------------------ the driver


def _adapterkit(*args: str, cwd: Path) -> None:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(ROOT)}
    subprocess.run([sys.executable, "-m", "adapterkit", *args], cwd=cwd, env=env, check=True)


def _documents() -> tuple[Path, Path]:
    from adapterkit.paths import PACKAGE_DIR, shared_data_dir

    cantemist = shared_data_dir() / "cantemist"
    if (cantemist / "train-set" / "cantemist-ner").is_dir():
        return cantemist / "train-set" / "cantemist-ner", cantemist / "dev-set1" / "cantemist-ner"
    standin = PACKAGE_DIR / "data" / "tasks" / "es-ner-docs"
    return standin, standin


def _tiny_base(work: Path) -> Path:
    """A 2-layer, hidden-32 BERT (seed 0, random weights) with the embedded model's tokenizer."""
    import torch
    from transformers import AutoTokenizer, BertConfig, BertForMaskedLM

    from adapterkit.models import materialise_embedded

    folder = work / "tiny-bert"
    if not (folder / "config.json").is_file():
        torch.manual_seed(0)
        config = BertConfig(
            vocab_size=30522, hidden_size=32, num_hidden_layers=2, num_attention_heads=2, intermediate_size=64,
            max_position_embeddings=512,
        )  # fmt: skip
        BertForMaskedLM(config).save_pretrained(folder)
        AutoTokenizer.from_pretrained(materialise_embedded()).save_pretrained(folder)
    return folder


def prepare(
    work: Path, train_docs: int, notes: int, big_mb: float, max_steps: int, max_seq_len: int, base: str
) -> dict:
    train_source, dev_source = _documents()
    model = work / "models" / MODEL_NAME
    base = str(_tiny_base(work)) if base == "tiny" else base
    if not (model / "adapterkit.json").is_file():
        train = work / "train"
        shutil.rmtree(train, ignore_errors=True)
        train.mkdir(parents=True)
        for txt in sorted(train_source.glob("*.txt"))[:train_docs]:
            for suffix in (".txt", ".ann"):
                if txt.with_suffix(suffix).is_file():
                    shutil.copyfile(txt.with_suffix(suffix), train / txt.with_suffix(suffix).name)
        data = (
            ["--data", str(train)]
            if any(train.glob("*.ann"))
            else ["--data", str(train_source.parent / "es-ner.conll")]
        )
        _adapterkit(
            "finetune", *data, "--base", base, "--name", MODEL_NAME, "--max-steps", str(max_steps),
            "--max-seq-len", str(max_seq_len), "--lr", "5e-4", "--batch-size", "8", "--force", cwd=work,
        )  # fmt: skip
    folder = work / "notes"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    chosen = sorted(dev_source.glob("*.txt"))[-notes:]  # bare .txt notes: nothing else beside them
    for txt in chosen:
        shutil.copyfile(txt, folder / txt.name)
    big = work / "big-note"
    shutil.rmtree(big, ignore_errors=True)
    big.mkdir()
    texts = [txt.read_text(encoding="utf-8") for txt in chosen]
    pieces, size, index = [], 0, 0
    while size < big_mb * 1_000_000:
        pieces.append(texts[index % len(texts)])
        size += len(pieces[-1].encode("utf-8")) + 2
        index += 1
    (big / "note.txt").write_text("\n\n".join(pieces), encoding="utf-8")
    return {"model": model, "notes": folder, "big": big}


def _run(side: str, model: Path, notes: Path, work: Path) -> dict:
    out, report = work / f"out-{side}", work / f"report-{side}.json"
    shutil.rmtree(out, ignore_errors=True)
    command = [sys.executable, __file__, "--side", side, "--model", str(model), "--notes-dir", str(notes)]
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(ROOT), "TOKENIZERS_PARALLELISM": "false"}
    subprocess.run([*command, "--out", str(out), "--report", str(report)], env=env, check=True)
    return json.loads(report.read_text(encoding="utf-8"))


def _subword_tokens(model: Path, notes: Path) -> int:
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(model)
    return sum(
        len(tokenizer(path.read_text(encoding="utf-8"), add_special_tokens=False)["input_ids"])
        for path in notes.glob("*.txt")
    )


WORD = re.compile(r"\w+|[^\w\s]")


def _boundaries_differ(text: str, start: int, end: int, tokenizer) -> bool:
    """Whether adapterkit's words and the BERT pre-tokenizer's words cut ``text[start:end]`` (and its
    neighbours) differently: then the two sides label different units there."""
    low, high = max(0, start - 1), min(len(text), end + 1)
    ours = {(m.start(), m.end()) for m in WORD.finditer(text) if m.end() > low and m.start() < high}
    encoded = tokenizer(text, add_special_tokens=False, return_offsets_mapping=True)
    words: dict[int, list[int]] = {}
    for word, (a, b) in zip(encoded.word_ids(), encoded["offset_mapping"], strict=True):
        if word is not None:
            words.setdefault(word, [a, b])[1] = b
    theirs = {(a, b) for a, b in words.values() if b > low and a < high}
    return ours != theirs


def compare(ours: list, theirs: list, notes: Path, model: Path, sentences: bool) -> dict:
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(model)
    limit = json.loads((model / "adapterkit.json").read_text(encoding="utf-8"))["settings"]["max_seq_len"] - 2
    a, b = {tuple(s) for s in ours}, {tuple(s) for s in theirs}
    texts = {path.stem: path.read_text(encoding="utf-8") for path in notes.glob("*.txt")}
    sentence_spans = {path.stem: _sentence_spans(path) for path in notes.glob("*.txt")}
    reasons: dict[str, int] = {}
    examples: dict[str, list] = {}
    for side, span in [("adapterkit only", s) for s in a - b] + [("pipeline only", s) for s in b - a]:
        name, _, start, end = span
        text = texts[name]
        inside = [(s, e) for s, e in sentence_spans[name] if s <= start and end <= e] or [(start, end)]
        sentence = inside[0]
        long = len(tokenizer(text[sentence[0] : sentence[1]], add_special_tokens=False)["input_ids"]) > limit
        if _boundaries_differ(text, start, end, tokenizer):
            reason = "word rule"
        elif long:
            reason = "long sentence"
        elif not sentences:
            reason = "context"
        else:
            reason = "unexplained"
        reasons[reason] = reasons.get(reason, 0) + 1
        examples.setdefault(reason, [])
        if len(examples[reason]) < 3:
            examples[reason].append(f"{side}: {name} {span[1]} {start}-{end} {text[start:end]!r}")
    return {"adapterkit": len(a), "pipeline": len(b), "same": len(a & b), "reasons": reasons, "examples": examples}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--work", type=Path, default=Path("/tmp/adapterkit-predict-bench"))
    parser.add_argument("--base", default="minilm", help="minilm, tiny (a random 2-layer BERT) or a base")
    parser.add_argument("--train-docs", type=int, default=40)
    parser.add_argument("--max-steps", type=int, default=1, help="fine-tuning steps (batch 8)")
    parser.add_argument("--max-seq-len", type=int, default=64)
    parser.add_argument("--notes", type=int, default=10)
    parser.add_argument("--big-note-mb", type=float, default=1.0)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--side", choices=["adapterkit", "pipeline", "pipeline-sentences"], help=argparse.SUPPRESS)
    parser.add_argument("--model", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--report", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--notes-dir", dest="notes_dir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.side:
        run_side(args.side, args.model, args.notes_dir, args.out, args.report)
        return
    args.work.mkdir(parents=True, exist_ok=True)
    paths = prepare(
        args.work, args.train_docs, args.notes, args.big_note_mb, args.max_steps, args.max_seq_len, args.base
    )
    model, notes, big = paths["model"], paths["notes"], paths["big"]
    tokens = _subword_tokens(model, notes)
    sides = ["adapterkit", "pipeline", "pipeline-sentences"]
    best: dict[str, dict] = {}
    for _ in range(args.repeats):
        for side in sides:
            result = _run(side, model, notes, args.work)
            if side not in best or result["seconds"] < best[side]["seconds"]:
                best[side] = result
    documents = len(list(notes.glob("*.txt")))
    summary: dict = {
        "notes": documents,
        "subword_tokens": tokens,
        "sides": {
            side: {
                "seconds": round(best[side]["seconds"], 2),
                "import_seconds": round(best[side]["import_seconds"], 2),
                "cpu_seconds": round(best[side]["cpu_seconds"], 2),
                "tokens_per_cpu_s": round(tokens / best[side]["cpu_seconds"]),
                "docs_per_s": round(documents / best[side]["seconds"], 2),
                "tokens_per_s": round(tokens / best[side]["seconds"]),
                "max_rss_mib": round(best[side]["max_rss_mib"]),
            }
            for side in sides
        },
        "spans_whole_notes": compare(best["adapterkit"]["spans"], best["pipeline"]["spans"], notes, model, False),
        "spans_same_sentences": compare(
            best["adapterkit"]["spans"], best["pipeline-sentences"]["spans"], notes, model, True
        ),
    }
    _show(summary, args.json)  # the figures so far, before the long note
    summary["big_note"] = {"bytes": (big / "note.txt").stat().st_size, "subword_tokens": _subword_tokens(model, big)}
    for side in ("adapterkit", "pipeline"):
        result = _run(side, model, big, args.work)
        summary["big_note"][side] = {
            "seconds": round(result["seconds"], 1),
            "cpu_seconds": round(result["cpu_seconds"], 1),
            "max_rss_mib": round(result["max_rss_mib"]),
        }
        _show(summary, args.json)


def _show(summary: dict, json_file: Path | None) -> None:
    if json_file:
        json_file.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(summary, indent=2))
    print("| side | notes/s | tokens/s | load+label s | imports s | peak RSS MiB | long note s | long note RSS MiB |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for side, row in summary["sides"].items():
        long = summary.get("big_note", {}).get(side, {})
        print(
            f"| {side} | {row['docs_per_s']} | {row['tokens_per_s']:,} | {row['seconds']} | {row['import_seconds']} "
            f"| {row['max_rss_mib']} "
            f"| {long.get('seconds', '')} | {long.get('max_rss_mib', '')} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
