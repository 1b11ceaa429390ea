#!/usr/bin/env python3
"""Generate the synthetic stand-in domain corpora shipped in ``adapterkit/data/corpora/``.

The study adapts multilingual BERT encoders to medical languages and domains with continued
masked-language-model pre-training on real clinical and biomedical corpora that cannot be
redistributed. This script writes four small *synthetic* stand-ins, one sentence (or a short
run of sentences from the same note or document) per line, UTF-8, ``\\n`` line endings:

- ``nl-clin.txt``: Dutch clinical notes (anamnesis, "VG:", vital signs such as "RR 140/85
  mmHg", medication with doses in "1dd"/"2dd" notation, lab values, "Conclusie:", "Beleid:",
  abbreviations such as "pt.", "i.v.m.", "i.o.m.", "cb", "z.n.").
- ``nl-bio.txt``: Dutch biomedical text: package-leaflet sentences ("Dit geneesmiddel bevat
  ..."), pharmacology and structured study abstracts ("Doel:", "Methoden:", "Resultaten:").
- ``ro-bio.txt``: Romanian biomedical text (leaflet and literature style, with the comma-below
  diacritics ș and ț, plus ă, â, î): "Pacienții cu insuficiență renală ...".
- ``es-clin.txt``: Spanish oncology case reports ("Mujer de 58 años con antecedentes de ...
  se diagnostica un carcinoma ductal infiltrante ...").

Every line is built from compositional templates (about 30 to 50 per corpus) whose slots are
filled from large lists of diagnoses, drugs with plausible doses, anatomy, procedures, ages,
lab values and time expressions. Slots can nest, and a per-line context keeps a line
consistent (the patient's sex and age, the drug and its dose and mechanism, the tumour and its
regimen). The text therefore has real, repeated domain structure that an MLM learns within a
few hundred steps, while the lines stay mostly distinct (clean lines are generated without
repeats). The content is invented: no patient data, no copied leaflet or article text.

Data files
----------
The templates and word lists are data, one TOML file per corpus in ``scripts/standin/corpora/``
(with ``README.template.md``, the README written beside the corpora): ``templates``
(``{slot}`` is a value, ``{Slot}`` the same value capitalised), ``[fillers]`` (a list gives one
of its items, not the same one twice in a line; an inline table makes a value, see ``KINDS``),
``[sex]`` (``[female, male]`` word pairs; ``[side]``: ``[right, left]``), ``[choices]`` (drawn
once per line) and ``[[drugs]]`` or ``[[tumors]]`` (one per line). Items are drawn by position:
an edit changes the output.

Deliberate noise
----------------
Each file carries a small, fixed amount of noise that a corpus cleaner has to remove (see
``adapterkit/corpus.py``). For ``N`` lines (default 3000) it contains exactly:

- ``round(0.02 * N)`` lines with XML/HTML markup: wrapped in ``<p>``, ``<li>``, ``<td>`` or
  ``<div class="...">``, a word in ``<b>``/``<i>``/``<em>``/``<strong>``, a leading label in
  ``<span style="...">``, a ``<br/>``, or (entities only, no tag) the conjunction replaced by
  ``&amp;``, ``&nbsp;`` for a space, or non-ASCII letters written as numeric character
  references (``&#235;``);
- ``round(0.01 * N)`` exact duplicates of other (clean) lines, half of them right after the
  original, half further down;
- ``round(0.01 * N)`` empty or whitespace-only lines (``""``, spaces, tabs, a lone no-break
  space U+00A0);
- ``max(1, round(0.003 * N))`` lines (for ``N >= 50``) with one stray control or format
  character: BEL ``\\x07``, backspace ``\\x08``, ESC ``\\x1b``, zero-width space ``\\u200b``,
  BOM ``\\ufeff`` (inside the line) or a form feed ``\\x0c`` (at the start of the line, like a
  page break from PDF extraction). There is never a NUL byte. Note that ``str.splitlines()``
  treats ``\\x0c`` as a line boundary; read the files line by line on ``\\n``.

The noisy lines and their positions are the same on every run.

Determinism
-----------
Each corpus has its own fixed seed (``random.Random(seed)`` for the text and
``random.Random(seed + 1)`` for the noise); only ``choice``, ``randint``, ``randrange``,
``random``, ``uniform``, ``triangular`` and ``shuffle`` are used, whose streams are stable
across Python versions (the output is byte-identical on 3.10 to 3.13). Sets are used for
membership tests only, never iterated into the output, so ``PYTHONHASHSEED`` has no effect.
Running the script twice gives byte-identical files.

Usage (from the repository root; stdlib only, plus ``tomli`` on Python 3.10)::

    python scripts/make_standin_corpora.py                 # (re)write adapterkit/data/corpora/
    python scripts/make_standin_corpora.py --check         # exit 1 if the committed files differ
    python scripts/make_standin_corpora.py --out /tmp/c --lines 500

The script also writes ``README.md`` beside the corpora (with the per-file statistics);
``--check`` compares it too. A malformed data file stops it with one line naming the file
(exit code 2).
"""

from __future__ import annotations

import argparse
import filecmp
import random
import re
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: the backport adapterkit depends on there
    import tomli as tomllib

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = REPO_ROOT / "adapterkit" / "data" / "corpora"
DEFAULT_DATA = Path(__file__).resolve().parent / "standin" / "corpora"
CORPUS_FILES = ("nl-clin.toml", "nl-bio.toml", "ro-bio.toml", "es-clin.toml")  # the README's order
DEFAULT_LINES = 3000

Context = dict[str, str]
FillFn = Callable[[random.Random, Context], str]
Filler = tuple[str, ...] | FillFn

SLOT = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
ABBREV_END = re.compile(r"\.\.$")


class DataError(Exception):
    """A data file that cannot be used; the message names the file."""


class _Skip(Exception):
    """A template needs a context value that does not apply to this line (e.g. no surgery)."""


# --- Fillers that make a value ---


def _group(number: int, sep: str = ".") -> str:
    """Thousands grouping with ``sep`` (1240 -> 1.240)."""
    return f"{number:,}".replace(",", sep)


def _ro_count(number: int, noun: str) -> str:
    """Romanian numeral + noun: 20 and above (ending in 00 or 20-99) take "de" (124 de pacienți)."""
    rest = number % 100
    needs_de = number >= 20 and (rest == 0 or rest >= 20)
    return f"{_group(number)} de {noun}" if needs_de else f"{_group(number)} {noun}"


def _age(rng: random.Random) -> int:
    return int(rng.triangular(19, 96, 71))


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _int(lo: int, hi: int, group: bool = False, noun: str = "") -> FillFn:
    def fill(rng: random.Random, ctx: Context) -> str:
        number = rng.randint(lo, hi)
        if noun:
            return _ro_count(number, noun)
        return _group(number) if group else str(number)

    return fill


def _dec(lo: float, hi: float, digits: int = 1) -> FillFn:
    """A decimal number with a decimal comma (all three languages use one)."""
    return lambda rng, ctx: f"{rng.uniform(lo, hi):.{digits}f}".replace(".", ",")


def _hazard_ratio(template: str) -> FillFn:
    def fill(rng: random.Random, ctx: Context) -> str:
        ratio = rng.uniform(0.42, 1.08)
        low = ratio * rng.uniform(0.68, 0.92)
        high = ratio * rng.uniform(1.08, 1.4)
        return template.format(*(f"{v:.2f}".replace(".", ",") for v in (ratio, low, high)))

    return fill


def _span(first: list[int], second: list[int]) -> FillFn:
    return lambda rng, ctx: f"{rng.randint(*first)}-{rng.randint(*second)}"


def _period(text: str, start: list[int], years: list[int], months: Sequence[str] = ()) -> FillFn:
    def fill(rng: random.Random, ctx: Context) -> str:
        first = rng.randint(*start)
        text_ = text.replace("{start}", str(first)).replace("{end}", str(first + rng.randint(*years)))
        while "{month}" in text_:
            text_ = text_.replace("{month}", rng.choice(months), 1)
        return text_

    return fill


def _completion(text: str, noun: str = "") -> FillFn:
    def fill(rng: random.Random, ctx: Context) -> str:
        total = rng.randint(60, 1800)
        stopped = rng.randint(2, total // 6)
        first = _ro_count(total, noun) if noun else _group(total)
        return (
            text.replace("{total}", first)
            .replace("{done}", _group(total - stopped))
            .replace("{stopped}", _group(stopped))
        )

    return fill


def _meds(rows: list[str]) -> FillFn:
    """Rows "name | dose; dose | frequency; frequency" ("-": none); [0][0] is the drug's name."""
    table = [[[item.strip() for item in col.split(";") if item.strip()] for col in row.split("|")] for row in rows]

    def fill(rng: random.Random, ctx: Context) -> str:
        """One home medication with dose and frequency; no drug twice in a line."""
        used = ctx.get("_meds", "").split("|")
        name, doses, freqs = rng.choice([row for row in table if row[0][0] not in used])
        ctx["_meds"] = ctx.get("_meds", "") + "|" + name[0]
        freq = rng.choice(freqs)
        return f"{name[0]} {rng.choice(doses)}" + ("" if freq == "-" else f" {freq}")

    return fill


def _blood_pressure(rng: random.Random, ctx: Context) -> str:
    systolic = rng.randint(88, 205)
    diastolic = rng.randint(max(40, systolic // 2 - 10), min(120, systolic - 25))
    return f"{systolic}/{diastolic}"


def _tnm(rng: random.Random, ctx: Context) -> str:
    return f"cT{rng.randint(1, 4)}N{rng.randint(0, 3)}M{rng.choice('0001')}"


def _pathology(rng: random.Random, ctx: Context) -> str:
    """A pathological stage with a matching lymph-node count (N0: none, N1: 1-3, N2: 4-9, N3: 10 or more)."""
    total = rng.randint(10, 32)
    if rng.random() < 0.08:
        return f"ypT0N0 (respuesta patológica completa), sin afectación de los {total} ganglios aislados"
    t_stage = rng.choice(("pT1b", "pT1c", "pT2", "pT3", "pT4a", "ypT1c", "ypT2", "ypT3"))
    n_stage = rng.choice((0, 0, 1, 1, 2, 3))
    positive = (0, rng.randint(1, 3), rng.randint(4, 9), rng.randint(10, total))[n_stage]
    nodes = (
        f"ausencia de afectación ganglionar (0 de {total} ganglios)"
        if positive == 0
        else f"{positive} de {total} ganglios linfáticos aislados con metástasis"
    )
    return f"{t_stage}N{n_stage} con márgenes {{margins}} y {nodes}"


# The fillers that make a value: { kind = main, other = ... } calls KINDS[kind](main, other=...),
# { fn = "name" } is FUNCTIONS[name].
KINDS: dict[str, Callable[..., FillFn]] = {
    "int": lambda bounds, **kw: _int(*bounds, **kw),  # [lo, hi]; group = true: 1.240; noun: 124 de pacienți
    "dec": lambda bounds, **kw: _dec(*bounds, **kw),  # [lo, hi], decimal comma; digits = 1
    "hazard_ratio": _hazard_ratio,  # "{} (95%-BI: {}-{})": a ratio and its interval
    "span": lambda spans: _span(*spans),  # [[lo, hi], [lo, hi]]: "18-87"
    "period": _period,  # "{month} {start} - {month} {end}", start = [lo, hi], years = [lo, hi], months
    "completion": _completion,  # "... {total} ... {done} ... {stopped} ..."; noun: Romanian count of {total}
    "meds": _meds,  # rows "name | doses | frequencies", no drug twice in a line
}
FUNCTIONS: dict[str, FillFn] = {"blood_pressure": _blood_pressure, "tnm": _tnm, "pathology": _pathology}


def _filler(name: str, value: Any, where: str) -> Filler:
    if isinstance(value, list) and value and all(isinstance(item, str) for item in value):
        return tuple(value)
    if isinstance(value, dict) and list(value) == ["fn"] and value["fn"] in FUNCTIONS:
        return FUNCTIONS[value["fn"]]
    kinds = [key for key in value if key in KINDS] if isinstance(value, dict) else []
    if len(kinds) != 1:
        raise DataError(
            f"{where}: filler {name!r} must be a non-empty list of strings, a table with one of "
            f"{', '.join(KINDS)}, or {{ fn = ... }} with one of {', '.join(FUNCTIONS)}"
        )
    params = dict(value)
    try:
        fill = KINDS[kinds[0]](params.pop(kinds[0]), **params)
        fill(random.Random(0), {})  # bad bounds or an empty month list fail here, not halfway
    except (TypeError, ValueError, IndexError) as error:
        raise DataError(f"{where}: filler {name!r}: {error}") from None
    return fill


# --- Per-line contexts ---


def _pick(pairs: dict[str, list[str]], first: bool) -> Context:
    """One word of each pair: ``[female, male]`` (or ``[right, left]``)."""
    return {key: pair[0] if first else pair[1] for key, pair in pairs.items()}


def _drug_context(data: dict[str, Any], rng: random.Random) -> Context:
    drugs = data["drugs"]
    drug = rng.choice(drugs)
    others = [d["name"] for d in drugs if d["name"] != drug["name"]]
    second = rng.choice(others)
    third = rng.choice([name for name in others if name != second])
    ctx = {"drug": drug["name"], "drug_def": drug.get("definite") or drug["name"]}
    ctx |= {"drug_gen": drug.get("genitive") or drug["name"], "drug_cls": drug["cls"], "drug_mech": drug["mech"]}
    for key in ("ind", "strength", "dose", "freq", "outcome", "form"):
        ctx[f"drug_{key}"] = rng.choice(drug[key])
    return ctx | {"drug_route": drug["route"], "drug_comp": rng.choice(drug["comp"]), "drug2": second, "drug3": third}


def _nl_clin_context(data: dict[str, Any], rng: random.Random) -> Context:
    ctx = _pick(data["sex"], rng.random() < 0.5)
    return ctx | {"naaste": rng.choice(data["choices"]["naaste"]), "age": str(_age(rng))}


def _ro_bio_context(data: dict[str, Any], rng: random.Random) -> Context:
    ctx = _drug_context(data, rng) | _pick(data["sex"], rng.random() < 0.5)
    return ctx | {"age_ani": _ro_count(_age(rng), "ani")}


TUMOR_SLOTS = {"tumor": "names", "tumor_test": "dxtest", "tumor_regimen": "regimens", "tumor_surgery": "surgery"}


def _es_clin_context(data: dict[str, Any], rng: random.Random) -> Context:
    female = rng.random() < 0.5
    tumor = rng.choice([t for t in data["tumors"] if t["sex"] in ("", "f" if female else "m")])
    mutation, target = "", ""
    if tumor["molecular"]:
        mutation, target = (part.strip() for part in rng.choice(tumor["molecular"]).split("=>"))
    ctx = _pick(data["sex"], female) | _pick(data["side"], rng.random() < 0.5) | {"age": str(_age(rng))}
    for key, field in TUMOR_SLOTS.items():
        ctx[key] = rng.choice(tumor[field]) if tumor[field] else ""
    ctx |= {"tumor_mut": mutation, "tumor_target": target, "tumor_marker": tumor["marker"]}
    ctx["tumor_ihq"] = tumor.get("ihq", "")
    for key, words in data["choices"].items():  # e.g. menopausal status, for breast tumours only
        ctx[key] = rng.choice(words) if key in tumor.get("extra_slots", ()) else ""
    return ctx


CONTEXTS = {"nl_clin": _nl_clin_context, "drug": _drug_context, "ro_bio": _ro_bio_context, "es_clin": _es_clin_context}
RECORDS = {
    "drugs": "name cls mech ind strength dose freq outcome form route comp",
    "tumors": "names sex dxtest regimens surgery molecular marker",
}


@dataclass(frozen=True)
class CorpusSpec:
    path: Path  # the data file
    templates: tuple[str, ...]
    fillers: dict[str, Filler]
    data: dict[str, Any]  # the whole file, for the per-line context
    filename: str
    description: str
    seed: int
    join_prob: float  # chance that a line carries a second sentence (same context)
    conjunction: str  # replaced by "&amp;" in some markup noise

    def context(self, rng: random.Random) -> Context:
        return CONTEXTS[self.data["context"]](self.data, rng)


def _need(table: dict[str, Any], keys: str, where: str) -> None:
    missing = [key for key in keys.split() if key not in table]
    if missing:
        raise DataError(f"{where}: missing {', '.join(missing)}")


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    for item in value.values() if isinstance(value, dict) else value if isinstance(value, list) else ():
        yield from _strings(item)


def load_corpus(path: Path) -> CorpusSpec:
    """Read and check one data file; a problem raises :class:`DataError` naming the file."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise DataError(f"{path}: {error}") from None
    _need(data, "filename description seed context join_prob conjunction templates fillers", str(path))
    if data["context"] not in CONTEXTS:
        raise DataError(f"{path}: context must be one of {', '.join(CONTEXTS)}, not {data['context']!r}")
    for records, keys in RECORDS.items():
        for number, record in enumerate(data.get(records, ()), 1):
            _need(record, keys, f"{path}: [[{records}]] number {number}")
    fillers = {name: _filler(name, value, str(path)) for name, value in data["fillers"].items()}
    keys = ("filename", "description", "seed", "join_prob", "conjunction")
    spec = CorpusSpec(path, tuple(data["templates"]), fillers, data, **{key: data[key] for key in keys})
    # Fail early on a slot that names nothing (a typo); filler tables are skipped, their own
    # placeholders ({start}, {total}) are not slots.
    try:
        known = set(spec.context(random.Random(0))) | set(fillers)
    except (KeyError, IndexError) as error:  # e.g. no [sex] table, fewer than three [[drugs]]
        raise DataError(f"{path}: context {data['context']!r} needs {error!s} (a table, key or more records)") from None
    lists = [value for value in data["fillers"].values() if isinstance(value, list)]
    texts = [*_strings({k: v for k, v in data.items() if k != "fillers"}), *_strings(lists)]
    for text in texts:
        for name in SLOT.findall(text):
            if name not in known and name[:1].lower() + name[1:] not in known:
                raise DataError(f"{path}: unknown slot {{{name}}} in {text!r}")
    return spec


# --- Rendering ---


class _Renderer:
    """Expands ``{slot}`` templates; ``{Slot}`` gives the capitalised value of ``slot``."""

    def __init__(self, spec: CorpusSpec, rng: random.Random) -> None:
        self.spec = spec
        self.rng = rng

    def line(self) -> str:
        ctx = self.spec.context(self.rng)
        count = 2 if self.rng.random() < self.spec.join_prob else 1
        sentences: list[str] = []
        templates: set[str] = set()
        for _ in range(50):
            template = self.rng.choice(self.spec.templates)
            if template in templates:  # no "Anamnese: ... Anamnese: ..." within one line
                continue
            try:
                sentence = self._expand(template, ctx, {}, 0)
            except _Skip:
                continue
            templates.add(template)
            sentences.append(ABBREV_END.sub(".", sentence))  # "... z.n.." -> "... z.n."
            if len(sentences) == count:
                break
        return " ".join(sentences)

    def _expand(self, text: str, ctx: Context, used: dict[str, set[str]], depth: int) -> str:
        if depth > 6:
            raise DataError(f"{self.spec.path}: slots nested too deeply in {text!r}")
        return SLOT.sub(lambda match: self._resolve(match.group(1), ctx, used, depth), text)

    def _resolve(self, name: str, ctx: Context, used: dict[str, set[str]], depth: int) -> str:
        if name in ctx:
            value = ctx[name]
            if not value:
                raise _Skip(name)
        elif name in self.spec.fillers:
            value = self._draw(name, ctx, used)
        else:
            lower = name[:1].lower() + name[1:]
            if lower == name:
                raise DataError(f"{self.spec.path}: unknown slot {{{name}}}")
            return _cap(self._resolve(lower, ctx, used, depth))
        return self._expand(value, ctx, used, depth + 1) if "{" in value else value

    def _draw(self, name: str, ctx: Context, used: dict[str, set[str]]) -> str:
        filler = self.spec.fillers[name]
        if callable(filler):
            return filler(self.rng, ctx)
        seen = used.setdefault(name, set())
        value = self.rng.choice(filler)
        for _ in range(12):  # avoid the same item twice in one line ("hypertensie, hypertensie")
            if value not in seen:
                break
            value = self.rng.choice(filler)
        seen.add(value)
        return value


def clean_lines(spec: CorpusSpec, count: int) -> list[str]:
    """``count`` distinct, clean lines for one corpus."""
    rng = random.Random(spec.seed)
    renderer = _Renderer(spec, rng)
    lines: list[str] = []
    seen: set[str] = set()
    attempts = 0
    while len(lines) < count:
        attempts += 1
        if attempts > 50 * count + 1000:
            raise DataError(f"{spec.path}: not enough variety for {count} distinct lines")
        line = renderer.line()
        if line and line not in seen:
            seen.add(line)
            lines.append(line)
    return lines


# --- Noise ---


@dataclass
class NoiseCounts:
    markup: int = 0
    duplicates: int = 0
    blank: int = 0
    control: int = 0


def _markup(line: str, rng: random.Random, conjunction: str) -> str:
    """The line with some XML/HTML markup or character references (text recoverable by a cleaner)."""
    words = line.split(" ")
    kind = rng.randint(0, 8)
    if kind == 0:
        return f"<p>{line}</p>"
    if kind == 1:
        i = rng.randrange(len(words))
        tag = rng.choice(("b", "i", "em", "strong"))
        words[i] = f"<{tag}>{words[i]}</{tag}>"
        return " ".join(words)
    if kind == 2:
        cut = line.find(". ")
        return f"{line[: cut + 1]}<br/>{line[cut + 1 :]}" if cut > 0 else f"{line}<br/>"
    if kind == 3 and f" {conjunction} " in line:
        return line.replace(f" {conjunction} ", " &amp; ", 1)
    if kind == 4 and any(ord(ch) > 127 for ch in line):
        return "".join(f"&#{ord(ch)};" if ord(ch) > 127 and ch.isalpha() else ch for ch in line)
    if kind == 5:
        return f'<div class="{rng.choice(("note", "text", "abstract", "section"))}">{line}</div>'
    if kind == 6:
        return f"<li>{line}</li>"
    if kind == 7 and len(words) > 3:
        i = rng.randrange(1, len(words) - 1)
        return " ".join(words[:i]) + "&nbsp;" + " ".join(words[i:])
    if kind == 8 and len(words) > 2:
        return f'<span style="font-weight:bold">{words[0]}</span> ' + " ".join(words[1:])
    return f"<td>{line}</td>"


def _control(line: str, rng: random.Random) -> str:
    """The line with one stray control or format character."""
    char = rng.choice(("\x07", "\x08", "\x1b", "\u200b", "\ufeff", "\x0c"))
    if char == "\x0c":
        return char + line
    if char == "\u200b":  # usually found inside a word
        i = rng.randrange(1, len(line))
        return line[:i] + char + line[i:]
    spaces = [i for i, ch in enumerate(line) if ch == " "]
    i = rng.choice(spaces) if spaces else len(line)
    return line[:i] + char + line[i:]


def build_corpus(spec: CorpusSpec, total: int) -> tuple[list[str], NoiseCounts]:
    """All lines of one corpus file (clean lines plus the deliberate noise) and the noise counts."""
    counts = NoiseCounts(
        markup=round(0.02 * total),
        duplicates=round(0.01 * total),
        blank=round(0.01 * total),
        control=max(1, round(0.003 * total)) if total >= 50 else 0,
    )
    base = total - counts.duplicates - counts.blank
    if base < counts.markup + counts.control + 1:
        raise ValueError(f"--lines {total} is too small")
    lines = clean_lines(spec, base)
    rng = random.Random(spec.seed + 1)

    noisy = set()
    order = list(range(base))
    rng.shuffle(order)
    for i in order[: counts.markup]:
        lines[i] = _markup(lines[i], rng, spec.conjunction)
        noisy.add(i)
    for i in order[counts.markup : counts.markup + counts.control]:
        lines[i] = _control(lines[i], rng)
        noisy.add(i)

    clean = [i for i in range(base) if i not in noisy]
    entries = [(line, i in noisy) for i, line in enumerate(lines)]
    for n in range(counts.duplicates):
        source = lines[rng.choice(clean)]
        position = next(k for k, (text, _) in enumerate(entries) if text == source)
        offset = 1 if n % 2 == 0 else rng.randint(2, 400)
        entries.insert(min(len(entries), position + offset), (source, True))
    for _ in range(counts.blank):
        blank = rng.choice(("", "", "", " ", "  ", "\t", " \t", "\u00a0"))
        entries.insert(rng.randint(0, len(entries)), (blank, True))
    return [text for text, _ in entries], counts


# --- Output ---


@dataclass
class FileStats:
    spec: CorpusSpec
    lines: int
    size: int
    distinct: int
    noise: NoiseCounts


def _readme(template: str, stats: list[FileStats], total: int) -> str:
    rows = "\n".join(
        f"| `{s.spec.filename}` | {s.spec.description} | {s.lines} | {s.size / 1024:.0f} KiB | {s.distinct} "
        f"| {s.noise.markup} | {s.noise.duplicates} | {s.noise.blank} | {s.noise.control} |"
        for s in stats
    )
    return template.replace("{rows}", rows).replace("{total}", str(total))


def write_corpora(out: Path, total: int, data_dir: Path = DEFAULT_DATA) -> list[FileStats]:
    """Write the four corpora and the README into ``out``; return their statistics."""
    specs = [load_corpus(data_dir / name) for name in CORPUS_FILES]  # all read before anything is written
    try:
        readme = (data_dir / "README.template.md").read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise DataError(f"{data_dir / 'README.template.md'}: {error}") from None
    corpora = [(spec, *build_corpus(spec, total)) for spec in specs]
    out.mkdir(parents=True, exist_ok=True)
    stats: list[FileStats] = []
    for spec, lines, noise in corpora:
        data = ("\n".join(lines) + "\n").encode("utf-8")
        (out / spec.filename).write_bytes(data)
        stats.append(FileStats(spec, len(lines), len(data), len(set(lines)), noise))
    (out / "README.md").write_bytes(_readme(readme, stats, total).encode("utf-8"))
    return stats


def _check(out: Path, total: int, data_dir: Path) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        names = [s.spec.filename for s in write_corpora(Path(tmp), total, data_dir)] + ["README.md"]
        bad = []
        for name in names:
            committed = out / name
            if not committed.is_file():
                bad.append(f"missing: {committed}")
            elif not filecmp.cmp(committed, Path(tmp) / name, shallow=False):
                bad.append(f"differs: {committed}")
    for message in bad:
        print(message, file=sys.stderr)
    if bad:
        print("run `python scripts/make_standin_corpora.py` to regenerate", file=sys.stderr)
        return 1
    print(f"ok: {len(names)} files in {out} match a fresh generation")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"output folder (default: {DEFAULT_OUT})")
    parser.add_argument("--lines", type=int, default=DEFAULT_LINES, help="lines per corpus (default: %(default)s)")
    parser.add_argument(
        "--data", type=Path, default=DEFAULT_DATA, help=f"folder of the data files (default: {DEFAULT_DATA})"
    )
    parser.add_argument(
        "--check", action="store_true", help="regenerate into a temporary folder; exit 1 if the files in --out differ"
    )
    args = parser.parse_args(argv)
    if args.lines < 20:
        parser.error("--lines must be at least 20")
    try:
        if args.check:
            return _check(args.out, args.lines, args.data)
        stats = write_corpora(args.out, args.lines, args.data)
    except (DataError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    for s in stats:
        print(
            f"{args.out / s.spec.filename}: {s.lines} lines, {s.size} bytes, "
            f"{s.distinct} distinct ({s.distinct / s.lines:.1%}); noise: {s.noise.markup} markup, "
            f"{s.noise.duplicates} duplicates, {s.noise.blank} blank, {s.noise.control} control"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
