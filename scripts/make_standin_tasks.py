#!/usr/bin/env python3
"""Generate the synthetic stand-in downstream task sets shipped in ``adapterkit/data/tasks/``.

The studies evaluate the adapted encoders on real downstream tasks whose data cannot be
redistributed or is not openly available (MoNERo, PharmaCoNER, a Dutch clinical screening set;
study B's Korean-English sentence similarity and CT reports). This script writes small
*synthetic*, learnable stand-ins in the same file formats, so that the task readers, tag hygiene,
fine-tuning and evaluation can be run and tested end to end:

- ``ro-ner.conll``: Romanian biomedical NER in MoNERo's format: four TAB-separated columns per
  token (token, lemma, BIO tag, UPOS-like POS tag), a blank line after every sentence. Entity
  types CHEM, DISO, ANAT and PROC in roughly the study's proportions (44/34/16/6 %), many of them
  multi-word ("insuficiență renală cronică" = B-DISO I-DISO I-DISO). Correct Romanian with the
  comma-below letters ș and ț.
- ``es-ner.conll``: Spanish clinical-case NER in PharmaCoNER's four-column CoNLL format: token,
  document id, ``start_end`` character span of the token in its document's text (end exclusive),
  BIO tag; types NORMALIZABLES, PROTEINAS, NO_NORMALIZABLES and UNCLEAR (about 60/37/1/2 %). The
  document texts are written beside it as ``es-ner-docs/<docid>.txt``; ``text[start:end]`` is the
  token for every token.
- ``nl-screening.jsonl``: Dutch clinical notes for a binary screening task (like the study's
  HIV-test screening), one JSON object per line ``{"id", "text", "label"}`` with the label
  ``inclusion`` (the note mentions risk indicators such as unexplained weight loss, recurrent
  infections, oral candidiasis, lymphadenopathy, a history of sexually transmitted infections or
  suggestive lab findings) or ``exclusion`` (other complaints), balanced.
- ``nl-sts.jsonl`` and ``es-sts.jsonl`` (study B's semantic textual similarity, in our stand-in
  languages Dutch and Spanish): 300 clinical sentence pairs each, one JSON object per line
  ``{"id", "text", "text_pair", "score"}`` with a score in [0, 5] (STS-B scale). Both sentences
  come from one clinical fact with slots (medication: indication, drug, dose, frequency, since
  when; complaint; imaging finding; lab result; procedure), every slot value with synonymous
  forms. The score follows from what the second sentence keeps: a paraphrase (other template,
  other synonyms) 4.8, a minor slot left out 4.1 to 4.3, one or two slots changed 4.8 minus their
  weights (at least 1.7), another fact of the same kind 1.7, a fact of another kind 0 to 0.5, plus
  a small jitter. Changed pairs keep the first sentence's wording half of the time and paraphrases
  never keep the template, so surface overlap alone does not give the score.
- ``nl-ct-reports.jsonl`` (study B's multi-label CT report classification): 300 Dutch chest-CT
  impressions ``{"id", "text", "labels"}``, labels ``pneumonie``, ``longnodule``, ``pleuravocht``,
  ``longembolie``, ``fractuur`` (0 to 3 per report, unequal frequencies, the last two rare) and
  ``geen-afwijkingen`` exactly when none of them applies.

Every sentence is built from compositional templates with large slot-filler lists (drugs with
plausible doses, diseases, symptoms, anatomy, procedures, lab values, ages and durations) and a
per-sentence or per-document context (the patient's sex, so that participles and pronouns agree).
The content is invented: no patient data, no text copied from real records, leaflets or articles.

Data files
----------
The word lists, entity phrases, templates and STS frames are data, one TOML file per task set in
``scripts/standin/tasks/`` (``ro-ner``, ``es-ner``, ``nl-screening``, ``sts``, ``ct-reports``; the
README's prose is ``README.template.md`` there, filled in with the statistics); this
script holds the grammar that combines them (Romanian lemmas and POS, BIO tagging, character
offsets, label logic, scores) and reads each key into the constant of the same name (``RO["drugs"]``
-> ``RO_DRUGS``). Arrays are read as tuples. Some values keep a small line format that the reading
function parses: ``name = dose; dose`` under ``# group`` lines (``_drugs``), ``form|lemma|POS``
overrides (``_ro_words``), ``value = synonym; value`` (``_syns``). Items are drawn by position: an
edit changes the output; regenerate and commit both.

Deliberate irregularities
-------------------------
- ``ro-ner.conll`` contains exactly three orphan ``I-`` tags (an ``I-X`` whose previous token is
  not tagged ``B-X``/``I-X``), as MoNERo has where an entity is discontinuous ("insuficiență
  cardiacă și renală" = B-DISO I-DISO O I-DISO). They test the tag-hygiene repair (orphan ``I-`` to
  ``B-``). Every other tag is valid BIO; there are no malformed tags. The README lists where the
  three are.
- About 10 % of the screening notes carry misleading cues: exclusion notes with a negated or
  explained indicator ("geen aanwijzingen voor candida", "bewust afgevallen door een dieet") and
  inclusion notes whose one real indicator sits among negated ones, so that a bag-of-words
  baseline is good but not perfect.
- 30 CT reports (10 %) mention a finding they do not have, negated ("Geen aanwijzingen voor
  longembolie.", "Geen fracturen."); the mention does not produce the label.

Determinism
-----------
Each task set has its own fixed seed (``random.Random(seed)``); only ``choice``, ``randint``,
``random``, ``uniform`` and ``shuffle`` are used, whose streams are stable across Python
versions. Sets are used for membership tests only, never iterated into the output, so
``PYTHONHASHSEED`` has no effect. Running the script twice gives byte-identical files.

Usage (from the repository root; stdlib only, plus ``tomli`` on Python 3.10)::

    python scripts/make_standin_tasks.py                # (re)write adapterkit/data/tasks/
    python scripts/make_standin_tasks.py --check        # exit 1 if the committed files differ
    python scripts/make_standin_tasks.py --out /tmp/t

The script also writes ``README.md`` beside the task files (with their statistics); ``--check``
compares it and the document texts too. A malformed data file stops it with one line naming the
file (exit code 2).
"""

from __future__ import annotations

import argparse
import filecmp
import json
import random
import re
import statistics
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: the backport adapterkit depends on there
    import tomli as tomllib

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = REPO_ROOT / "adapterkit" / "data" / "tasks"

RO_SEED = 4101
ES_SEED = 4202
NL_SEED = 4303

RO_SENTENCES = 500
ES_DOCUMENTS = 40
NL_NOTES = 300

RO_TARGET = {"CHEM": 0.44, "DISO": 0.34, "ANAT": 0.16, "PROC": 0.06}
ES_TARGET = {"NORMALIZABLES": 0.60, "PROTEINAS": 0.37, "NO_NORMALIZABLES": 0.01, "UNCLEAR": 0.02}

RO_FILE = "ro-ner.conll"
ES_FILE = "es-ner.conll"
ES_DOCS_DIR = "es-ner-docs"
NL_FILE = "nl-screening.jsonl"

DEFAULT_DATA = Path(__file__).resolve().parent / "standin" / "tasks"
README_TEMPLATE = DEFAULT_DATA / "README.template.md"  # the README written beside the task files


def _frozen(value: object) -> object:
    """TOML arrays as tuples: the word lists are never changed, and tuples join with ``+``."""
    if isinstance(value, list):
        return tuple(_frozen(item) for item in value)
    if isinstance(value, dict):
        return {key: _frozen(item) for key, item in value.items()}
    return value


def _load(name: str) -> dict:
    """One data file of word lists and templates; a problem stops the script with one line naming it."""
    path = DEFAULT_DATA / name
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        print(f"{path}: {error}", file=sys.stderr)
        raise SystemExit(2) from None
    return _frozen(data)


RO = _load("ro-ner.toml")
ES = _load("es-ner.toml")
NL = _load("nl-screening.toml")
STS = _load("sts.toml")
CT = _load("ct-reports.toml")

# ---------------------------------------------------------------------------------------------
# Shared machinery
# ---------------------------------------------------------------------------------------------


def _items(block: str) -> tuple[str, ...]:
    """One item per non-empty line of ``block``, whitespace runs collapsed."""
    return tuple(" ".join(line.split()) for line in block.splitlines() if line.strip())


def _semi(text: str) -> tuple[str, ...]:
    """Items separated by ``;``."""
    return tuple(part.strip() for part in text.split(";") if part.strip())


@dataclass(frozen=True)
class Word:
    """One token of an entity or of the running text (lemma and POS only for Romanian)."""

    form: str
    lemma: str = ""
    pos: str = ""


@dataclass(frozen=True)
class Ent:
    """An entity mention: its type and its words."""

    kind: str
    words: tuple[Word, ...]

    @property
    def text(self) -> str:
        return " ".join(w.form for w in self.words)


@dataclass
class Tok:
    form: str
    tag: str
    lemma: str = ""
    pos: str = ""


Piece = str | Ent  # what a slot filler returns: running text (tagged O) or an entity
Fill = Callable[[random.Random, "Ctx"], list[Piece]]


@dataclass
class Ctx:
    """Per-sentence (Romanian) or per-document (Spanish) context."""

    female: bool
    used: set[str] = field(default_factory=set)  # entity texts already drawn in this sentence
    values: dict[str, str] = field(default_factory=dict)


class _Skip(Exception):
    """A template cannot be filled in this context."""


#: template tokens: a slot, a masculine|feminine alternation, an annotated word (form|lemma|POS),
#: a Romanian clitic ("s-a" -> "s-" "a"), a number (1.000 / 2,5), a unit ("mg/dl"), a word, a sign
TEMPLATE_TOKEN = re.compile(
    r"\{[A-Za-z_]\w*\}"
    r"|\[[^\]]*\]"
    r"|[^\s\[\]{}|]+\|[^\s\[\]{}|]*\|[A-Z]+"
    r"|(?:[sS]|[nN]|[îÎ]ntr|[dD]intr)-(?=\w)"
    r"|°C"
    r"|\d+/\d+"
    r"|\d+(?:[.,]\d+)*"
    r"|\w+(?:/\w+)+"
    r"|\w+(?:-\w+)*"
    r"|[^\w\s]"
)
NUMBER = re.compile(r"\d+(?:[.,]\d+)*$")


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _expand(template: str, rng: random.Random, ctx: Ctx, slots: dict[str, Fill], depth: int = 0) -> list[Piece]:
    """Template -> pieces: plain-text tokens (str) and entities, in order."""
    if depth > 5:
        raise RuntimeError(f"alternations/slots nested too deeply: {template!r}")
    pieces: list[Piece] = []
    for token in TEMPLATE_TOKEN.findall(template):
        if token.startswith("{"):
            name = token[1:-1]
            if name not in slots:
                raise KeyError(f"unknown slot {token} in {template!r}")
            for piece in slots[name](rng, ctx):
                if isinstance(piece, Ent):
                    pieces.append(piece)
                else:
                    pieces.extend(_expand(piece, rng, ctx, slots, depth + 1))
        elif token.startswith("["):
            options = token[1:-1].split("|")
            if len(options) != 2:
                raise ValueError(f"an alternation needs [masculine|feminine]: {token!r} in {template!r}")
            pieces.extend(_expand(options[ctx.female], rng, ctx, slots, depth + 1))
        else:
            pieces.append(token)
    return pieces


def _steer(candidates: Sequence[list[Tok]], counts: dict[str, int], target: dict[str, float]) -> int:
    """Index of the candidate sentence that keeps the entity-type proportions closest to ``target``."""
    best, best_error = 0, float("inf")
    for index, tokens in enumerate(candidates):
        new = dict(counts)
        for tok in tokens:
            if tok.tag.startswith("B-"):
                new[tok.tag[2:]] += 1
        total = sum(new.values())
        error = sum(abs(new[kind] - share * total) for kind, share in target.items())
        if error < best_error:
            best, best_error = index, error
    return best


def _bio_problems(tags: Sequence[str], types: Sequence[str]) -> tuple[list[int], list[int]]:
    """(positions of orphan I- tags, positions of malformed tags) in one sentence."""
    valid = {"O"} | {f"{p}-{t}" for t in types for p in "BI"}
    orphans, malformed = [], []
    previous = "O"
    for i, tag in enumerate(tags):
        if tag not in valid:
            malformed.append(i)
        elif tag.startswith("I-") and previous[2:] != tag[2:]:
            orphans.append(i)
        previous = tag
    return orphans, malformed


# ---------------------------------------------------------------------------------------------
# Romanian biomedical NER (MoNERo format)
# ---------------------------------------------------------------------------------------------

#: function words inside entity phrases
RO_FUNCTION = RO["function"]

RO_ADJ_IRREGULAR = RO["adj_irregular"]
RO_ADJ_SUFFIXES = RO["adj_suffixes"]


def _ro_adj_lemma(form: str) -> str:
    """Masculine singular of a Romanian adjective form (renală -> renal, cronice -> cronic)."""
    form = form.lower()
    if form in RO_ADJ_IRREGULAR:
        return RO_ADJ_IRREGULAR[form]
    for suffix, replacement in RO_ADJ_SUFFIXES:
        if form.endswith(suffix) and len(form) > len(suffix) + 2:
            return form[: -len(suffix)] + replacement
    return form


def _ro_words(phrase: str) -> tuple[Word, ...]:
    """Words of an entity phrase; ``form|lemma|POS`` overrides (lemma or POS may be left empty).

    Without an override the first word is a NOUN, a word after a preposition or an article is a
    NOUN, a number is NUM, anything else an ADJ; nouns keep their (lower-case) form as lemma and
    adjectives get their masculine singular.
    """
    words: list[Word] = []
    previous = ""
    for i, raw in enumerate(phrase.split()):
        form, _, rest = raw.partition("|")
        lemma, _, pos = rest.partition("|")
        if form in RO_FUNCTION and not pos:
            lemma, pos = lemma or RO_FUNCTION[form][0], RO_FUNCTION[form][1]
        if not pos:
            if NUMBER.match(form):
                pos = "NUM"
            elif i == 0 or previous in ("ADP", "DET"):
                pos = "NOUN"
            else:
                pos = "ADJ"
        if not lemma:
            if pos == "ADJ":
                lemma = _ro_adj_lemma(form)
            elif pos in ("PROPN", "NUM") or any(c.isupper() for c in form):
                lemma = form
            else:
                lemma = form.lower()
        words.append(Word(form, lemma, pos))
        previous = pos
    return tuple(words)


def _ro_ents(kind: str, block: str) -> tuple[Ent, ...]:
    return tuple(Ent(kind, _ro_words(line)) for line in _items(block))


@dataclass(frozen=True)
class Drug:
    ent: Ent
    doses: tuple[str, ...]
    group: str  # therapeutic group, for drug-disease pairs that make sense


def _drugs(kind: str, block: str, words: Callable[[str], tuple[Word, ...]]) -> tuple[Drug, ...]:
    """``name = dose; dose`` per line, under ``# group`` headers."""
    drugs = []
    group = ""
    for line in _items(block):
        if line.startswith("#"):
            group = line[1:].strip()
            continue
        name, _, doses = line.partition("=")
        drugs.append(Drug(Ent(kind, words(name.strip())), _semi(doses), group))
    return tuple(drugs)


def _by_group(drugs: Sequence[Drug]) -> dict[str, tuple[Drug, ...]]:
    groups: dict[str, list[Drug]] = {}
    for drug in drugs:
        groups.setdefault(drug.group, []).append(drug)
    return {name: tuple(items) for name, items in groups.items()}


def _rx_map(
    block: str, diseases: Sequence[Ent], groups: dict[str, tuple[Drug, ...]]
) -> tuple[tuple[Ent, tuple[str, ...]], ...]:
    """``group, group: disease; disease`` per line -> (disease, its drug groups), in disease order."""
    by_text = {d.text: d for d in diseases}
    found: dict[str, list[str]] = {}
    for line in _items(block):
        names, _, items = line.partition(":")
        for text in _semi(items):
            if text not in by_text:
                raise KeyError(f"unknown disease {text!r} in a treatment map")
            for name in names.split(","):
                if name.strip() not in groups:
                    raise KeyError(f"unknown drug group {name.strip()!r}")
                found.setdefault(text, []).append(name.strip())
    return tuple((d, tuple(found[d.text])) for d in diseases if d.text in found)


RO_DRUGS = _drugs(
    "CHEM",
    RO["drugs"],
    _ro_words,
)

RO_CLASSES = _ro_ents(
    "CHEM",
    RO["classes"],
)


@dataclass(frozen=True)
class Lab:
    ent: Ent
    unit: str
    low: float
    high: float
    digits: int
    suffix: str = ""  # running text after the name ("bilirrubina total de 3,2 mg/dl")


def _labs(kind: str, block: str, words: Callable[[str], tuple[Word, ...]]) -> tuple[Lab, ...]:
    """``name [+ suffix] = unit low high digits`` per line."""
    labs = []
    for line in _items(block):
        name, _, spec = line.partition("=")
        name, _, suffix = name.partition("+")
        unit, low, high, digits = spec.split()
        labs.append(Lab(Ent(kind, words(name.strip())), unit, float(low), float(high), int(digits), suffix.strip()))
    return tuple(labs)


RO_SUBSTANCES = _labs(
    "CHEM",
    RO["substances"],
    _ro_words,
)

RO_SOLUTIONS = _ro_ents(
    "CHEM",
    RO["solutions"],
)

RO_LIFESTYLE = _ro_ents(
    "CHEM",
    RO["lifestyle"],
)

RO_DISEASES = _ro_ents(
    "DISO",
    RO["diseases"],
)

RO_SYMPTOMS = _ro_ents(
    "DISO",
    RO["symptoms"],
)

RO_ADVERSE = _ro_ents(
    "DISO",
    RO["adverse"],
)

RO_LAB_DISORDERS = _ro_ents(
    "DISO",
    RO["lab_disorders"],
)

#: findings that fit any organ ("la nivelul ficatului se observă noduli hipoecogeni")
RO_FINDINGS_LOCAL = _ro_ents(
    "DISO",
    RO["findings_local"],
)

RO_FINDINGS = RO_FINDINGS_LOCAL + _ro_ents(
    "DISO",
    RO["findings"],
)


@dataclass(frozen=True)
class Anat:
    nom: Ent  # definite nominative: "rinichiul drept"
    gen: Ent  # definite genitive: "rinichiului drept"


RO_ANAT = tuple(
    Anat(Ent("ANAT", _ro_words(nom.strip())), Ent("ANAT", _ro_words(gen.strip())))
    for nom, gen in (line.split("/") for line in RO["anat"])
)


@dataclass(frozen=True)
class Proc:
    base: Ent  # indefinite: "ecografie abdominală"
    defi: Ent  # definite: "ecografia abdominală"


def _ro_procs(block: str) -> tuple[Proc, ...]:
    return tuple(
        Proc(Ent("PROC", _ro_words(base.strip())), Ent("PROC", _ro_words(defi.strip())))
        for base, defi in (line.split("/") for line in _items(block))
    )


RO_PROC_DIAG = _ro_procs(RO["proc_diag"])

RO_PROC_THER = _ro_procs(RO["proc_ther"])

RO_TEMPLATES = RO["templates"]

#: the three sentences with a discontinuous entity, i.e. an orphan I- tag (the one word tagged
#: I-X right after an O); ``|`` separates form and tag
RO_ORPHAN_SENTENCES = RO["orphan_sentences"]

#: running-text words: ``form lemma POS`` (UPOS); looked up lower-cased
RO_LEXICON = {form: (lemma, pos) for form, lemma, pos in (line.split() for line in RO["lexicon"])}

RO_GROUPS = _by_group(RO_DRUGS)
RO_RX = _rx_map(
    RO["rx"],
    RO_DISEASES,
    RO_GROUPS,
)
#: organs where a local finding ("noduli hipoecogeni la nivelul ...") makes sense
RO_ORGANS = tuple(a for a in RO_ANAT if a.nom.words[0].lemma in RO["organs"])
#: solid organs ("... are dimensiuni normale și structură omogenă")
RO_PARENCHYMA = tuple(a for a in RO_ORGANS if a.nom.words[0].lemma in RO["parenchyma"])
RO_CHEMO = tuple(d for d in RO_DRUGS if any("/m2" in dose for dose in d.doses))
RO_ORAL = tuple(d for d in RO_DRUGS if d not in RO_CHEMO)
RO_IV_LEMMAS = RO["iv_lemmas"]
RO_IV = tuple(d for d in RO_DRUGS if d.ent.words[0].lemma in RO_IV_LEMMAS)
#: one-word procedures that take an organ in the genitive ("Biopsia ficatului")
RO_PROC_ORGAN = _ro_ents(
    "PROC",
    RO["proc_organ"],
)
RO_CROSS_SECTIONAL = tuple(p for p in RO_PROC_DIAG if p.base.words[0].lemma in ("tomografie", "rezonanță"))
RO_ACUTE = tuple(d for d in RO_DISEASES if d.text in RO["acute"])
RO_SUBCUTANEOUS = tuple(d for d in RO_DRUGS if d.ent.words[0].lemma in ("insulină", "enoxaparină", "heparină"))
RO_INJECTION_SITES = tuple(a for a in RO_ANAT if a.nom.words[0].lemma in ("perete", "coapsă", "braț"))
RO_ONCO_PROC = tuple(p for p in RO_PROC_THER if p.base.words[0].lemma in ("radioterapie", "chimioterapie"))

RO_FREQ = RO["freq"]
RO_HOURS = RO["hours"]
RO_WEEKS = RO["weeks"]
RO_MONTHS = RO["months"]
RO_YEARS = RO["years"]
RO_CYCLES = RO["cycles"]


def _ro_count(number: int, noun: str) -> str:
    """Romanian numeral + noun: 20 and above (ending in 00 or 20-99) take "de" (124 de pacienți)."""
    rest = number % 100
    needs_de = number >= 20 and (rest == 0 or rest >= 20)
    return f"{number} de {noun}" if needs_de else f"{number} {noun}"


def _number(value: float, digits: int) -> str:
    """A decimal number with a decimal comma (Romanian and Spanish); 10.000 and above grouped with "."."""
    if digits == 0 and value >= 10000:
        return f"{round(value):,}".replace(",", ".")
    return f"{value:.{digits}f}".replace(".", ",")


#: mentions that fit only one sex ("m" or "f"), whatever the language
SEX_SPECIFIC = RO["sex_specific"]


def _fits_sex(text: str, ctx: Ctx) -> bool:
    return SEX_SPECIFIC.get(text, "f" if ctx.female else "m") == ("f" if ctx.female else "m")


def _pick(rng: random.Random, items: Sequence, ctx: Ctx, ent: Callable[[object], Ent]) -> object:
    """An item whose entity is not yet used in this sentence/document part (and fits the patient's sex)."""
    for _ in range(30):
        item = rng.choice(items)
        if ent(item).text not in ctx.used and _fits_sex(ent(item).text, ctx):
            ctx.used.add(ent(item).text)
            return item
    raise _Skip("no unused item")


def _ents(items: Sequence[Ent]) -> Fill:
    return lambda rng, ctx: [_pick(rng, items, ctx, lambda e: e)]


def _attr(items: Sequence, name: str) -> Fill:
    return lambda rng, ctx: [getattr(_pick(rng, items, ctx, lambda x: getattr(x, name)), name)]


def _drug(drugs: Sequence[Drug], with_dose: bool) -> Fill:
    def fill(rng: random.Random, ctx: Ctx) -> list[Piece]:
        drug = _pick(rng, drugs, ctx, lambda d: d.ent)
        dose = rng.choice(drug.doses)
        ctx.values["dose"] = dose
        return [drug.ent, dose] if with_dose else [drug.ent]

    return fill


def _disease_rx(pairs: Sequence[tuple[Ent, tuple[str, ...]]]) -> Fill:
    """A disease with known treatments; remembers one of its drug groups for ``{RX}``."""

    def fill(rng: random.Random, ctx: Ctx) -> list[Piece]:
        disease, groups = _pick(rng, pairs, ctx, lambda pair: pair[0])
        ctx.values["rx"] = rng.choice(groups)
        return [disease]

    return fill


def _rx(groups: dict[str, tuple[Drug, ...]], with_dose: bool) -> Fill:
    """A drug of the group that the disease drawn by ``{DISRX}`` is treated with."""

    def fill(rng: random.Random, ctx: Ctx) -> list[Piece]:
        group = ctx.values.get("rx")
        if group is None:
            raise _Skip("{RX} needs a disease drawn by {DISRX} first")
        if with_dose and group == "chemo":
            raise _Skip("chemotherapy doses are per m2, not per day")
        return _drug(groups[group], with_dose)(rng, ctx)

    return fill


def _lab(labs: Sequence[Lab]) -> Fill:
    def fill(rng: random.Random, ctx: Ctx) -> list[Piece]:
        lab = _pick(rng, labs, ctx, lambda x: x.ent)
        ctx.values["labval"] = f"{_number(rng.uniform(lab.low, lab.high), lab.digits)} {lab.unit}"
        return [lab.ent]

    return fill


def _value(name: str) -> Fill:
    def fill(rng: random.Random, ctx: Ctx) -> list[Piece]:
        if name not in ctx.values:
            raise RuntimeError(f"{{{name}}} used before the slot that sets it")
        return [ctx.values[name]]

    return fill


def _text(fn: Callable[[random.Random], str]) -> Fill:
    return lambda rng, ctx: [fn(rng)]


def _one_of(options: Sequence[str]) -> Fill:
    return lambda rng, ctx: [rng.choice(options)]


RO_SLOTS: dict[str, Fill] = {
    "DRUG": _drug(RO_DRUGS, False),
    "DRUGD": _drug(RO_ORAL, True),
    "ORALDRUG": _drug(RO_ORAL, False),
    "IVDRUG": _drug(RO_IV, False),
    "CHEMO": _drug(RO_CHEMO, False),
    "CHEMOD": _drug(RO_CHEMO, True),
    "DOSE": _value("dose"),
    "DISRX": _disease_rx(RO_RX),
    "RX": _rx(RO_GROUPS, False),
    "RXD": _rx(RO_GROUPS, True),
    "AHTD": _drug(RO_GROUPS["antihypertensive"], True),
    "CLASS": _ents(RO_CLASSES),
    "SUB": _lab(RO_SUBSTANCES),
    "SUBVAL": _value("labval"),
    "SOL": _ents(RO_SOLUTIONS),
    "LIFE": _ents(RO_LIFESTYLE),
    "DIS": _ents(RO_DISEASES),
    "SYM": _ents(RO_SYMPTOMS),
    "ADV": _ents(RO_ADVERSE),
    "LABD": _ents(RO_LAB_DISORDERS),
    "FIND": _ents(RO_FINDINGS),
    "FINDL": _ents(RO_FINDINGS_LOCAL),
    "ANATN": _attr(RO_ANAT, "nom"),
    "ANATG": _attr(RO_ANAT, "gen"),
    "ORGN": _attr(RO_PARENCHYMA, "nom"),
    "ORGG": _attr(RO_ORGANS, "gen"),
    "PROCD": _attr(RO_PROC_DIAG, "base"),
    "PROCDD": _attr(RO_PROC_DIAG, "defi"),
    "PROCT": _attr(RO_PROC_THER, "base"),
    "PROCO": _attr(RO_ONCO_PROC, "base"),
    "PROCORG": _ents(RO_PROC_ORGAN),
    "IMGDD": _attr(RO_CROSS_SECTIONAL, "defi"),
    "DISACUTE": _ents(RO_ACUTE),
    "SCDRUG": _drug(RO_SUBCUTANEOUS, False),
    "SITEG": _attr(RO_INJECTION_SITES, "gen"),
    "age": _text(lambda rng: str(rng.randint(20, 89))),
    "npat": _text(lambda rng: _ro_count(rng.randint(12, 640), "pacienți")),
    "ndays": _text(lambda rng: _ro_count(rng.randint(2, 30), "zile")),
    "nweeks": _one_of(RO_WEEKS),
    "nmonths": _one_of(RO_MONTHS),
    "nyears": _one_of(RO_YEARS),
    "ncycles": _one_of(RO_CYCLES),
    "freq": _one_of(RO_FREQ),
    "hours": _one_of(RO_HOURS),
}


class UnknownWords(Exception):
    pass


def _ro_word(token: str, missing: set[str]) -> Word:
    """Lemma and POS of a running-text token."""
    if "|" in token:
        form, lemma, pos = token.split("|")
        return Word(form, lemma or form.lower(), pos)
    if NUMBER.match(token):
        return Word(token, token, "NUM")
    if not any(c.isalnum() for c in token):
        return Word(token, token, "SYM" if token == "%" else "PUNCT")
    entry = RO_LEXICON.get(token.lower())
    if entry is None:
        missing.add(token.lower())
        return Word(token, token.lower(), "X")
    return Word(token, entry[0], entry[1])


def _tokens(pieces: Sequence[Piece], word: Callable[[str], Word]) -> list[Tok]:
    """Pieces -> tagged tokens (entities B-/I-, the rest O); the first letter capitalised."""
    tokens: list[Tok] = []
    for piece in pieces:
        if isinstance(piece, Ent):
            for i, w in enumerate(piece.words):
                tokens.append(Tok(w.form, f"{'I' if i else 'B'}-{piece.kind}", w.lemma, w.pos))
        else:
            w = word(piece)
            tokens.append(Tok(w.form, "O", w.lemma, w.pos))
    if tokens:
        tokens[0].form = _cap(tokens[0].form)
    return tokens


def _ro_sentence(template: str, rng: random.Random, missing: set[str]) -> list[Tok]:
    ctx = Ctx(female=rng.random() < 0.5)
    pieces = _expand(template, rng, ctx, RO_SLOTS)
    return _tokens(pieces, lambda token: _ro_word(token, missing))


def _ro_orphans(missing: set[str]) -> list[list[Tok]]:
    sentences = []
    for line in RO_ORPHAN_SENTENCES:
        tokens = []
        for item in line.split():
            form, tag = item.rsplit("|", 1)
            if tag == "O":
                w = _ro_word(form, missing)
            else:
                w = next((w for e in RO_ALL_ENTS for w in e.words if w.form == form), None) or _ro_word(form, missing)
            tokens.append(Tok(w.form, tag, w.lemma, w.pos))
        sentences.append(tokens)
    return sentences


RO_ALL_ENTS: tuple[Ent, ...] = (
    tuple(d.ent for d in RO_DRUGS)
    + RO_CLASSES
    + tuple(x.ent for x in RO_SUBSTANCES)
    + RO_SOLUTIONS
    + RO_LIFESTYLE
    + RO_DISEASES
    + RO_SYMPTOMS
    + RO_ADVERSE
    + RO_LAB_DISORDERS
    + RO_FINDINGS
    + tuple(e for a in RO_ANAT for e in (a.nom, a.gen))
    + tuple(e for p in RO_PROC_DIAG + RO_PROC_THER for e in (p.base, p.defi))
    + RO_PROC_ORGAN
)


@dataclass
class NerResult:
    sentences: list[list[Tok]]
    orphan_lines: list[tuple[int, int, str]] = field(default_factory=list)  # (sentence no., line no., tag)


def build_ro(count: int = RO_SENTENCES) -> NerResult:
    """``count`` distinct Romanian sentences, three of them with an orphan I- tag."""
    rng = random.Random(RO_SEED)
    missing: set[str] = set()
    counts = dict.fromkeys(RO_TARGET, 0)
    seen: set[str] = set()
    sentences: list[list[Tok]] = []
    orphans = _ro_orphans(missing)
    while len(sentences) < count - len(orphans):
        candidates = []
        while len(candidates) < 4:
            try:
                tokens = _ro_sentence(rng.choice(RO_TEMPLATES), rng, missing)
            except _Skip:
                continue
            key = " ".join(t.form for t in tokens)
            if key not in seen:
                candidates.append(tokens)
        chosen = candidates[_steer(candidates, counts, RO_TARGET)]
        seen.add(" ".join(t.form for t in chosen))
        for tok in chosen:
            if tok.tag.startswith("B-"):
                counts[tok.tag[2:]] += 1
        sentences.append(chosen)
    if missing:
        raise UnknownWords("Romanian words missing from RO_LEXICON: " + " ".join(sorted(missing)))
    # the orphan sentences go at fixed, spread-out positions
    for k, tokens in enumerate(orphans):
        position = (k + 1) * len(sentences) // (len(orphans) + 1) + rng.randint(-20, 20)
        sentences.insert(position, tokens)
    result = NerResult(sentences)
    line = 1
    for number, tokens in enumerate(sentences, 1):
        orphan_positions, _ = _bio_problems([t.tag for t in tokens], list(RO_TARGET))
        for i in orphan_positions:
            result.orphan_lines.append((number, line + i, f"{tokens[i].form} {tokens[i].tag}"))
        line += len(tokens) + 1
    return result


def ro_conll(result: NerResult) -> str:
    return "".join(
        "".join(f"{t.form}\t{t.lemma}\t{t.tag}\t{t.pos}\n" for t in tokens) + "\n" for tokens in result.sentences
    )


# ---------------------------------------------------------------------------------------------
# Spanish clinical-case NER (PharmaCoNER format)
# ---------------------------------------------------------------------------------------------


def _es_words(text: str) -> tuple[Word, ...]:
    return tuple(Word(form) for form in text.split())


def _es_ents(kind: str, block: str) -> tuple[Ent, ...]:
    return tuple(Ent(kind, _es_words(line)) for line in _items(block))


ES_DRUGS = _drugs(
    "NORMALIZABLES",
    ES["drugs"],
    _es_words,
)
ES_GROUPS = _by_group(ES_DRUGS)
ES_ORAL = tuple(d for d in ES_DRUGS if d.group not in ("chemo", "antidote", "sedation"))
ES_IV = tuple(
    d
    for d in ES_DRUGS
    if (d.group in ("antibiotic", "antifungal", "antiviral", "corticoid") and d.ent.text not in ES["iv_not"])
    or d.ent.text in ES["iv_also"]
)
ES_PROPHYLAXIS = tuple(d for d in ES_DRUGS if d.ent.text in ES["prophylaxis"])

#: diseases are running text in PharmaCoNER (not annotated); with their drug groups where treated
ES_DISEASES_RX = tuple(
    (disease.strip(), tuple(g.strip() for g in groups.split(",")))
    for disease, _, groups in (line.partition("@") for line in ES["diseases_rx"])
)
for _disease, _groups in ES_DISEASES_RX:
    for _group in _groups:
        if _group not in ES_GROUPS:
            raise KeyError(f"unknown drug group {_group!r} for {_disease!r}")

ES_DISEASES = tuple(d for d, _ in ES_DISEASES_RX) + ES["diseases"]

ES_SYMPTOMS = ES["symptoms"]

ES_ADVERSE = ES["adverse"]

ES_IMAGING = ES["imaging"]

ES_IMAGING_ABDOMEN = tuple(x for x in ES_IMAGING if any(w in x for w in ES["abdomen_cues"]))

ES_XRAY = ES["xray"]

ES_EXAM = ES["exam"]

ES_PATHOLOGY = ES["pathology"]

ES_LABS_NORM = _labs(
    "NORMALIZABLES",
    ES["labs_norm"],
    _es_words,
)

ES_LABS_PROT = _labs(
    "PROTEINAS",
    ES["labs_prot"],
    _es_words,
)

ES_DRUG_LEVELS = _labs(
    "NORMALIZABLES",
    ES["drug_levels"],
    _es_words,
)

ES_BICARBONATE = _labs("NORMALIZABLES", ES["bicarbonate"], _es_words)
ES_HEMOGLOBIN = _labs("PROTEINAS", ES["hemoglobin"], _es_words)

ES_URINE = _es_ents(
    "NORMALIZABLES",
    ES["urine"],
)

ES_ANTIBODIES = _es_ents(
    "PROTEINAS",
    ES["antibodies"],
)

ES_IHC = _es_ents(
    "PROTEINAS",
    ES["ihc"],
)

ES_TUMOUR_MARKERS = _es_ents(
    "PROTEINAS",
    ES["tumour_markers"],
)

ES_PROTEIN_SC = _es_ents(
    "PROTEINAS",
    ES["protein_sc"],
)

ES_PROTEIN_IV = _es_ents(
    "PROTEINAS",
    ES["protein_iv"],
)

ES_ALLERGENS = _es_ents(
    "NORMALIZABLES",
    ES["allergens"],
)

ES_NOT_NORMALIZABLE = _es_ents(
    "NO_NORMALIZABLES",
    ES["not_normalizable"],
)

ES_UNCLEAR_USE = _es_ents(
    "UNCLEAR",
    ES["unclear_use"],
)
ES_UNCLEAR_EXPOSURE = _es_ents(
    "UNCLEAR",
    ES["unclear_exposure"],
)
ES_CONTRAST = _es_ents(
    "UNCLEAR",
    ES["contrast"],
)
ES_GADOLINIUM = _es_ents("NORMALIZABLES", "gadolinio")
ES_OXYGEN = _es_ents("NORMALIZABLES", "oxígeno")
ES_TC99 = _es_ents("NORMALIZABLES", "tecnecio-99m")
ES_FDG = _es_ents("NORMALIZABLES", "fluorodesoxiglucosa")
ES_FLUIDS = _es_ents(
    "NORMALIZABLES",
    ES["fluids"],
)
ES_IRON = tuple(d for d in ES_DRUGS if d.ent.text in ("hierro sacarosa", "sulfato ferroso"))
ES_POTASSIUM = tuple(d for d in ES_DRUGS if d.ent.text == "cloruro potásico")

ES_FREQ = ES["freq"]
ES_DUR = ES["dur"]


def _es_disease_rx(rng: random.Random, ctx: Ctx) -> list[Piece]:
    disease, groups = rng.choice(ES_DISEASES_RX)
    if not _fits_sex(disease, ctx):
        raise _Skip("sex-specific disease")
    ctx.values["rx"] = rng.choice(groups)
    if "chemo" in groups:
        ctx.values["onco"] = "yes"
    if disease in ctx.used:
        raise _Skip("disease twice")
    ctx.used.add(disease)
    return [disease]


def _plain(options: Sequence[str]) -> Fill:
    """Running text drawn without repeats in one sentence; may contain slots."""

    def fill(rng: random.Random, ctx: Ctx) -> list[Piece]:
        for _ in range(20):
            text = rng.choice(options)
            if text not in ctx.used and _fits_sex(text, ctx):
                ctx.used.add(text)
                return [text]
        raise _Skip("no unused option")

    return fill


def _oncologic(fill: Fill) -> Fill:
    """Only in a document about a tumour (chemotherapy after a chemo-treated disease, a biopsy or markers)."""

    def wrapped(rng: random.Random, ctx: Ctx) -> list[Piece]:
        if "onco" not in ctx.values:
            raise _Skip("not an oncology case")
        return fill(rng, ctx)

    return wrapped


def _marks_oncologic(fill: Fill) -> Fill:
    def wrapped(rng: random.Random, ctx: Ctx) -> list[Piece]:
        ctx.values["onco"] = "yes"
        return fill(rng, ctx)

    return wrapped


def _lab_value(labs: Sequence[Lab]) -> Fill:
    """``<name> [suffix] de <value> <unit>``."""

    def fill(rng: random.Random, ctx: Ctx) -> list[Piece]:
        lab = _pick(rng, labs, ctx, lambda x: x.ent)
        value = f"de {_number(rng.uniform(lab.low, lab.high), lab.digits)} {lab.unit}"
        return [lab.ent, f"{lab.suffix} {value}" if lab.suffix else value]

    return fill


def _lab_name(labs: Sequence[Lab]) -> Fill:
    def fill(rng: random.Random, ctx: Ctx) -> list[Piece]:
        lab = _pick(rng, labs, ctx, lambda x: x.ent)
        return [lab.ent, lab.suffix] if lab.suffix else [lab.ent]

    return fill


ES_SLOTS: dict[str, Fill] = {
    "DRUG": _drug(ES_ORAL, False),
    "DRUGD": _drug(ES_ORAL, True),
    "IVD": _drug(ES_IV, False),
    "CHEMO": _oncologic(_drug(ES_GROUPS["chemo"], False)),
    "PROPH": _drug(ES_PROPHYLAXIS, False),
    "IRON": _drug(ES_IRON, False),
    "KCL": _drug(ES_POTASSIUM, False),
    "ANTIDOTE": _drug(ES_GROUPS["antidote"], False),
    "DOSE": _value("dose"),
    "DISRX": _es_disease_rx,
    "RX": _rx(ES_GROUPS, False),
    "RXD": _rx(ES_GROUPS, True),
    "LABN": _lab_value(ES_LABS_NORM),
    "LABP": _lab_value(ES_LABS_PROT),
    "LABA": _lab_value(ES_LABS_NORM + ES_LABS_PROT),
    "LABNN": _lab_name(ES_LABS_NORM),
    "LABPN": _lab_name(ES_LABS_PROT),
    "LEVEL": _lab_value(ES_DRUG_LEVELS),
    "HCO3": _lab_value(ES_BICARBONATE),
    "HB": _lab_value(ES_HEMOGLOBIN),
    "URINE": _ents(ES_URINE),
    "AB": _ents(ES_ANTIBODIES),
    "IHC": _ents(ES_IHC),
    "TM": _marks_oncologic(_ents(ES_TUMOUR_MARKERS)),
    "PSC": _ents(ES_PROTEIN_SC),
    "PIV": _ents(ES_PROTEIN_IV),
    "ALLERGEN": _ents(ES_ALLERGENS),
    "NONORM": _ents(ES_NOT_NORMALIZABLE),
    "UNCUSE": _ents(ES_UNCLEAR_USE),
    "UNCEXP": _ents(ES_UNCLEAR_EXPOSURE),
    "CONTRAST": _ents(ES_CONTRAST),
    "GADO": _ents(ES_GADOLINIUM),
    "O2": _ents(ES_OXYGEN),
    "TC99": _ents(ES_TC99),
    "FDG": _ents(ES_FDG),
    "FLUID": _ents(ES_FLUIDS),
    "dis": _plain(ES_DISEASES),
    "sym": _plain(ES_SYMPTOMS),
    "adverse": _plain(ES_ADVERSE),
    "img": _plain(ES_IMAGING),
    "imgabd": _plain(ES_IMAGING_ABDOMEN),
    "xray": _plain(ES_XRAY),
    "exam": _plain(ES_EXAM),
    "path": _marks_oncologic(_plain(ES_PATHOLOGY)),
    "freq": _one_of(ES_FREQ),
    "dur": _one_of(ES_DUR),
    "age": _text(lambda rng: str(rng.randint(18, 88))),
    "n": _text(lambda rng: str(rng.randint(2, 9))),
    "ncig": _text(lambda rng: str(rng.choice((5, 10, 15, 20, 30, 40)))),
    "ndays": _text(lambda rng: str(rng.randint(2, 21))),
    "nmonths": _text(lambda rng: str(rng.choice((2, 3, 4, 6, 9, 12, 18, 24)))),
    "cm": _text(lambda rng: _number(rng.uniform(1.2, 7.5), 1)),
    "pct": _text(lambda rng: str(rng.randint(5, 90))),
    "hours": _text(lambda rng: str(rng.choice((6, 8, 12, 24)))),
    "bp": _text(lambda rng: f"{rng.randint(90, 185)}/{rng.randint(50, 105)}"),
    "hr": _text(lambda rng: str(rng.randint(52, 135))),
    "temp": _text(lambda rng: _number(rng.uniform(35.8, 39.6), 1)),
    "sat": _text(lambda rng: str(rng.randint(84, 99))),
    "ph": _text(lambda rng: _number(rng.uniform(7.12, 7.52), 2)),
    "pco2": _text(lambda rng: str(rng.randint(24, 68))),
    "leuco": _text(lambda rng: _number(rng.uniform(1800, 24500), 0)),
    "plt": _text(lambda rng: _number(rng.uniform(35000, 520000), 0)),
}

ES_SECTIONS: dict[str, tuple[str, ...]] = ES["sections"]

#: ATTACH_PREV tokens follow the previous token without a space, a token after OPEN follows it directly
ATTACH_PREV = frozenset(".,;:)%")
OPEN = frozenset("(")


def _es_doc_id(number: int) -> str:
    """PharmaCoNER-style file name, in a range no real SciELO case uses (S9999-...)."""
    return f"S9999-SYN{number:04d}-1"


@dataclass
class EsDoc:
    doc_id: str
    text: str
    sentences: list[list[tuple[str, int, int, str]]]  # (token, start, end, tag)


def _es_layout(sentences: Sequence[list[Tok]]) -> tuple[str, list[list[tuple[str, int, int, str]]]]:
    """The document text and every token's span in it."""
    parts: list[str] = []
    position = 0
    out = []
    for s_index, tokens in enumerate(sentences):
        spans = []
        for t_index, tok in enumerate(tokens):
            first = t_index == 0
            glue = (
                ""
                if (s_index == 0 and first)
                or (not first and (tok.form in ATTACH_PREV or tokens[t_index - 1].form in OPEN))
                else " "
            )
            parts.append(glue)
            position += len(glue)
            spans.append((tok.form, position, position + len(tok.form), tok.tag))
            parts.append(tok.form)
            position += len(tok.form)
        out.append(spans)
    return "".join(parts), out


def _es_sentence(template: str, rng: random.Random, ctx: Ctx) -> list[Tok]:
    ctx.used = set()
    pieces = _expand(template, rng, ctx, ES_SLOTS)
    return _tokens(pieces, lambda token: Word(token))


def build_es(documents: int = ES_DOCUMENTS) -> list[EsDoc]:
    rng = random.Random(ES_SEED)
    counts = dict.fromkeys(ES_TARGET, 0)
    seen: set[str] = set()
    docs = []
    for number in range(1, documents + 1):
        ctx = Ctx(female=rng.random() < 0.5)
        plan = (
            ["presentation"]
            + ["history"] * rng.randint(1, 2)
            + ["exam"] * rng.randint(0, 1)
            + ["labs"] * rng.randint(2, 3)
            + ["imaging"]
            + ["treatment"] * rng.randint(2, 3)
            + ["evolution"] * rng.randint(1, 2)
        )
        sentences: list[list[Tok]] = []
        used_templates: set[str] = set()
        for section in plan:
            # candidates: (template, tokens, the document context after it)
            candidates: list[tuple[str, list[Tok], dict[str, str]]] = []
            before = dict(ctx.values)
            for _ in range(200):
                template = rng.choice(ES_SECTIONS[section])
                if template in used_templates:
                    continue
                ctx.values = dict(before)
                try:
                    tokens = _es_sentence(template, rng, ctx)
                except _Skip:
                    continue
                key = " ".join(t.form for t in tokens)
                if key in seen:
                    continue
                candidates.append((template, tokens, dict(ctx.values)))
                if len(candidates) == 3:
                    break
            if not candidates:
                raise RuntimeError(f"no sentence for section {section!r}")
            template, chosen, ctx.values = candidates[_steer([c[1] for c in candidates], counts, ES_TARGET)]
            used_templates.add(template)
            seen.add(" ".join(t.form for t in chosen))
            for tok in chosen:
                if tok.tag.startswith("B-"):
                    counts[tok.tag[2:]] += 1
            sentences.append(chosen)
        text, spans = _es_layout(sentences)
        docs.append(EsDoc(_es_doc_id(number), text, spans))
    return docs


def es_conll(docs: Sequence[EsDoc]) -> str:
    return "".join(
        "".join(f"{form}\t{doc.doc_id}\t{start}_{end}\t{tag}\n" for form, start, end, tag in sentence) + "\n"
        for doc in docs
        for sentence in doc.sentences
    )


# ---------------------------------------------------------------------------------------------
# Dutch screening notes (binary classification)
# ---------------------------------------------------------------------------------------------

NL_SLOT = re.compile(r"\{(\w+)\}")
NL_ALTERNATION = re.compile(r"\[([^\]|]*)\|([^\]|]*)\]")
NL_DOUBLE_STOP = re.compile(r"\.\.$")  # "z.n." at the end of a sentence

NL_NUMBERS: dict[str, Callable[[random.Random], str]] = {
    "age": lambda rng: str(rng.randint(19, 78)),
    "age2": lambda rng: str(rng.randint(24, 42)),
    "kg": lambda rng: str(rng.randint(5, 14)),
    "months": lambda rng: str(rng.randint(2, 6)),
    "weeks": lambda rng: str(rng.randint(3, 12)),
    "days": lambda rng: str(rng.randint(2, 10)),
    "pct": lambda rng: str(rng.randint(6, 15)),
    "plt": lambda rng: str(rng.randint(48, 128)),
    "leu": lambda rng: _number(rng.uniform(1.9, 3.6), 1),
    "bse": lambda rng: str(rng.randint(42, 115)),
    "cm": lambda rng: _number(rng.uniform(1.5, 3.5), 1),
    "year": lambda rng: str(rng.randint(2012, 2023)),
    "bp": lambda rng: f"{rng.randint(112, 168)}/{rng.randint(66, 98)}",
    "hr": lambda rng: str(rng.randint(58, 104)),
    "temp": lambda rng: _number(rng.uniform(36.4, 38.6), 1),
    "hb": lambda rng: _number(rng.uniform(7.6, 9.4), 1),
    "crp": lambda rng: str(rng.randint(1, 38)),
    "hba1c": lambda rng: str(rng.randint(44, 78)),
    "sat": lambda rng: str(rng.randint(93, 99)),
    "rr": lambda rng: str(rng.randint(12, 20)),
    "centor": lambda rng: str(rng.randint(1, 4)),
    "years": lambda rng: str(rng.randint(2, 4)),
    "hours": lambda rng: str(rng.randint(2, 4)),
    "alat": lambda rng: str(rng.randint(52, 140)),
    "hblow": lambda rng: _number(rng.uniform(6.6, 7.8), 1),
    "weight": lambda rng: str(rng.randint(58, 104)),
    "arc": lambda rng: f"{rng.choice((50, 60, 70))} en {rng.choice((110, 120, 130))}",
}

NL_WORDS: dict[str, tuple[str, ...]] = NL["words"]

#: complaints that open notes of both labels; for an exclusion note, a harmless explanation
NL_SHARED_COMPLAINTS: tuple[tuple[str, tuple[str, ...]], ...] = tuple(
    (complaint.strip(), _semi(explanations))
    for complaint, _, explanations in (line.partition(":") for line in NL["shared_complaints"])
)

NL_OPENINGS = NL["openings"]

NL_CONTEXT = NL["context"]

#: examination lines in groups; a note takes at most one line per group
NL_EXAM: tuple[tuple[str, ...], ...] = NL["exam"]

#: exclusion complaints and what the note says about them
NL_OTHER_COMPLAINTS: tuple[tuple[str, tuple[str, ...]], ...] = NL["other_complaints"]

#: risk indicators (inclusion), by kind; a note draws one to three kinds
NL_INDICATORS: dict[str, tuple[str, ...]] = NL["indicators"]

#: misleading cues: an indicator that is negated or explained
NL_NEGATED: tuple[tuple[str, str], ...] = tuple(
    (kind.strip(), sentence.strip()) for kind, _, sentence in (line.partition(":") for line in NL["negated"])
)

NL_MISLEADING_EXCLUSION = 20
NL_MISLEADING_INCLUSION = 10


def _nl_fill(template: str, rng: random.Random, female: bool, values: dict[str, str], top: bool = True) -> str:
    text = NL_ALTERNATION.sub(lambda m: m.group(2 if female else 1), template)

    used: set[str] = set()

    def slot(match: re.Match[str]) -> str:
        """``{lo2}`` draws from ``lo`` without repeating ``{lo}``; ``{Action}`` is ``{action}`` capitalised."""
        name = match.group(1)
        if name in values:
            return values[name]
        base = name.rstrip("0123456789")
        lower = base[:1].lower() + base[1:]
        if lower in NL_NUMBERS:
            return NL_NUMBERS[lower](rng)
        if lower not in NL_WORDS:
            raise KeyError(f"unknown slot {{{name}}} in {template!r}")
        for _ in range(20):
            choice = rng.choice(NL_WORDS[lower])
            if choice not in used:
                break
        used.add(choice)
        text = _nl_fill(choice, rng, female, values, top=False)
        return _cap(text) if base != lower else text

    text = NL_SLOT.sub(slot, text)
    return _cap(NL_DOUBLE_STOP.sub(".", text)) if top else text


@dataclass
class NlNote:
    id: str
    text: str
    label: str
    misleading: bool
    sentences: int


def _nl_note(rng: random.Random, inclusion: bool, misleading: bool) -> list[str]:
    """The sentences of one note."""
    female = rng.random() < 0.5
    values: dict[str, str] = {}
    other, other_sentences = rng.choice(NL_OTHER_COMPLAINTS)
    shared, shared_sentences = rng.choice(NL_SHARED_COMPLAINTS)
    kinds: list[str] = []
    if inclusion:
        kinds = list(NL_INDICATORS)
        rng.shuffle(kinds)
        kinds = kinds[: 1 if misleading else rng.choice((1, 1, 2, 2, 2, 3))]
        core = [rng.choice(NL_INDICATORS[kind]) for kind in kinds]
        if rng.random() < 0.3:  # an everyday complaint besides the indicators
            values["complaint"] = other
            core.append(rng.choice(other_sentences))
        else:
            values["complaint"] = shared
    elif rng.random() < 0.25:  # a complaint that inclusion notes open with too, harmlessly explained
        values["complaint"] = shared
        core = [rng.choice(shared_sentences)]
    else:
        values["complaint"] = other
        pool = list(other_sentences)
        rng.shuffle(pool)
        core = pool[: rng.randint(1, 2)]
    if misleading:  # negated or explained indicators, never of a kind the note really has
        negated = [sentence for kind, sentence in NL_NEGATED if kind not in kinds]
        rng.shuffle(negated)
        core.extend(negated[: 2 if inclusion else rng.randint(1, 2)])
    rng.shuffle(core)
    optional = rng.randint(max(0, 1 - len(core)), max(0, min(8 - 2 - len(core), 3)))
    context = [rng.choice(NL_CONTEXT)] if optional and rng.random() < 0.6 else []
    groups = list(NL_EXAM)
    rng.shuffle(groups)
    exam = [rng.choice(group) for group in groups[: optional - len(context)]]
    templates = [rng.choice(NL_OPENINGS), *context, *core, *exam, rng.choice(NL_WORDS["plan"])]
    return [_nl_fill(t, rng, female, values) for t in templates]


def build_nl(count: int = NL_NOTES) -> list[NlNote]:
    rng = random.Random(NL_SEED)
    half = count // 2
    kinds = [(True, i < NL_MISLEADING_INCLUSION) for i in range(half)] + [
        (False, i < NL_MISLEADING_EXCLUSION) for i in range(count - half)
    ]
    rng.shuffle(kinds)
    notes = []
    seen: set[str] = set()
    for number, (inclusion, misleading) in enumerate(kinds, 1):
        while True:
            sentences = _nl_note(rng, inclusion, misleading)
            text = " ".join(sentences)
            if text not in seen and 3 <= _nl_sentence_count(text) <= 8:
                break
        seen.add(text)
        notes.append(
            NlNote(
                f"nl-scr-{number:04d}",
                text,
                "inclusion" if inclusion else "exclusion",
                misleading,
                _nl_sentence_count(text),
            )
        )
    return notes


NL_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9])")


def _nl_sentence_count(text: str) -> int:
    """Sentences as a reader splits them (on ". " before a capital; "Pt." and "LO:" count as written)."""
    return len(NL_SENTENCE_END.split(text))


def nl_jsonl(notes: Sequence[NlNote]) -> str:
    return "".join(json.dumps({"id": n.id, "text": n.text, "label": n.label}, ensure_ascii=False) + "\n" for n in notes)


# ---------------------------------------------------------------------------------------------
# Dutch and Spanish clinical sentence similarity (STS, regression)
# ---------------------------------------------------------------------------------------------

Forms = tuple[str, ...]  # one slot value: its synonymous surface forms


def _syns(text: str) -> tuple[Forms, ...]:
    """Slot values separated by ``;``, the synonymous forms of one value by ``=``."""
    return tuple(tuple(form.strip() for form in value.split("=")) for value in _semi(text))


@dataclass(frozen=True)
class StsFrame:
    """A kind of clinical fact: its slots, their values and the sentence templates that state it.

    ``options(slot, fact)`` gives the values a slot can take next to the slots drawn before it (the
    dose depends on the drug, the drug on the indication, the imaging modality on the finding).
    ``weights`` is the meaning lost when the second sentence states another value of a slot (a
    dependent slot re-drawn with its parent counts only through its parent); ``omissions`` the
    meaning lost when a minor slot is left out, with the templates that leave it out.
    """

    name: str
    slots: tuple[str, ...]  # in drawing order
    weights: dict[str, float]
    parents: dict[str, str]  # slot -> the slot whose change re-draws it
    options: Callable[[str, dict[str, Forms]], Sequence[Forms]]
    templates: tuple[str, ...]  # state every slot
    omissions: dict[str, tuple[float, tuple[str, ...]]]


def _table_options(tables: dict[str, Callable[[dict[str, Forms]], Sequence[Forms]]]):
    def options(slot: str, fact: dict[str, Forms]) -> Sequence[Forms]:
        return tables[slot](fact)

    return options


def _fixed(values: Sequence[Forms]) -> Callable[[dict[str, Forms]], Sequence[Forms]]:
    return lambda fact: values


def _keyed(mapping: dict[Forms, Sequence[Forms]], key: str) -> Callable[[dict[str, Forms]], Sequence[Forms]]:
    return lambda fact: mapping[fact[key]]


def _med_frame(
    name: str,
    groups: Sequence[tuple[str, str]],
    freq: str,
    since: str,
    templates: Sequence[str],
    omissions: dict[str, tuple[float, Sequence[str]]],
    unit: tuple[str, str],
) -> StsFrame:
    """Medication: indication -> drug of that indication -> dose of that drug; frequency; since when.

    ``groups``: (indication synonyms, "drug dose dose; drug dose ..."); a dose is written "50 mg"
    or "50 milligram"/"50 miligramos" (``unit``).
    """
    indications: list[Forms] = []
    drugs: dict[Forms, list[Forms]] = {}
    doses: dict[Forms, list[Forms]] = {}
    for indication, block in groups:
        ind = _syns(indication)[0]
        indications.append(ind)
        drugs[ind] = []
        for entry in _semi(block):
            drug, *amounts = entry.split()
            drugs[ind].append((drug,))
            doses[(drug,)] = [(f"{a} {unit[0]}", f"{a} {unit[1]}") for a in amounts]
    tables = {
        "ind": _fixed(indications),
        "drug": _keyed(drugs, "ind"),
        "dose": _keyed(doses, "drug"),
        "freq": _fixed(_syns(freq)),
        "since": _fixed(_syns(since)),
    }
    return StsFrame(
        name,
        ("ind", "drug", "dose", "freq", "since"),
        {"ind": 3.2, "drug": 2.0, "dose": 1.0, "freq": 1.0, "since": 0.9},
        {"drug": "ind", "dose": "drug"},
        _table_options(tables),
        tuple(templates),
        {slot: (weight, tuple(ts)) for slot, (weight, ts) in omissions.items()},
    )


def _plain_frame(
    name: str,
    slots: dict[str, tuple[float, str]],
    templates: Sequence[str],
    omissions: dict[str, tuple[float, Sequence[str]]],
    allowed: tuple[str, str, dict[int, Sequence[int]]] | None = None,
) -> StsFrame:
    """Independent slots (``name: (weight, "value = synonym; ...")``); ``allowed`` = (slot, parent,
    {parent value index: allowed value indices}) restricts one slot by another (modality by finding).
    """
    values = {slot: _syns(block) for slot, (_, block) in slots.items()}
    tables: dict[str, Callable[[dict[str, Forms]], Sequence[Forms]]] = {s: _fixed(v) for s, v in values.items()}
    parents: dict[str, str] = {}
    if allowed:
        slot, parent, table = allowed
        mapping = {values[parent][i]: [values[slot][j] for j in js] for i, js in table.items()}
        tables[slot] = _keyed(mapping, parent)
        parents[slot] = parent
    return StsFrame(
        name,
        tuple(slots),
        {slot: weight for slot, (weight, _) in slots.items()},
        parents,
        _table_options(tables),
        tuple(templates),
        {slot: (weight, tuple(ts)) for slot, (weight, ts) in omissions.items()},
    )


# Dutch ----------------------------------------------------------------------------------------

NL_STS_SIDE = STS["nl_side"]

NL_STS_FRAMES = (
    _med_frame("medicatie", unit=("mg", "milligram"), **STS["nl_frames"]["medicatie"]),
    _plain_frame("klacht", **STS["nl_frames"]["klacht"]),
    _plain_frame(
        "beeldvorming",
        {
            "finding": STS["nl_frames"]["beeldvorming"]["slots"]["finding"],
            "side": (1.6, NL_STS_SIDE),
            "modality": STS["nl_frames"]["beeldvorming"]["slots"]["modality"],
        },
        STS["nl_frames"]["beeldvorming"]["templates"],
        STS["nl_frames"]["beeldvorming"]["omissions"],
        # finding -> modalities that show it (CT 0, MRI 1, echo 2, X-ray 3)
        (
            "modality",
            "finding",
            {0: (0, 2, 3), 1: (0, 3), 2: (0, 3), 3: (3, 0), 4: (0, 2), 5: (1,), 6: (2, 0), 7: (2,), 8: (0, 3)},
        ),
    ),
    _plain_frame("laboratorium", **STS["nl_frames"]["laboratorium"]),
    _plain_frame("ingreep", **STS["nl_frames"]["ingreep"]),
)

# Spanish --------------------------------------------------------------------------------------

ES_STS_SIDE = STS["es_side"]

ES_STS_FRAMES = (
    _med_frame("medicación", unit=("mg", "miligramos"), **STS["es_frames"]["medicación"]),
    _plain_frame("síntoma", **STS["es_frames"]["síntoma"]),
    _plain_frame(
        "imagen",
        {
            "finding": STS["es_frames"]["imagen"]["slots"]["finding"],
            "side": (1.6, ES_STS_SIDE),
            "modality": STS["es_frames"]["imagen"]["slots"]["modality"],
        },
        STS["es_frames"]["imagen"]["templates"],
        STS["es_frames"]["imagen"]["omissions"],
        (
            "modality",
            "finding",
            {0: (0, 2, 3), 1: (0, 3), 2: (0, 3), 3: (3, 0), 4: (0, 2), 5: (1,), 6: (2, 0), 7: (2,), 8: (0, 3)},
        ),
    ),
    _plain_frame("laboratorio", **STS["es_frames"]["laboratorio"]),
    _plain_frame("intervención", **STS["es_frames"]["intervención"]),
)

#: pair kinds and their shares: the second sentence restates the fact (paraphrase), leaves a minor
#: slot out, changes one or two slots, states another fact of the same kind, or another kind of fact
STS_KINDS = STS["kinds"]
STS_PARAPHRASE = 4.8  # a restatement in other words; 5 minus a little for the different wording
STS_TOPIC_FLOOR = 1.7  # same kind of fact, nothing in common
STS_JITTER = 0.2
STS_PAIRS = 300
NL_STS_SEED = 4404
ES_STS_SEED = 4505
NL_STS_FILE = "nl-sts.jsonl"
ES_STS_FILE = "es-sts.jsonl"

STS_SLOT = re.compile(r"\{(\w+)\}")
STS_ALTERNATION = re.compile(r"\[([^\]|]*)\|([^\]|]*)\]")
STS_GENDER = re.compile(r"@([mf])")


def _sts_draw(rng: random.Random, frame: StsFrame) -> dict[str, Forms]:
    fact: dict[str, Forms] = {}
    for slot in frame.slots:
        fact[slot] = rng.choice(frame.options(slot, fact))
    return fact


def _sts_change(rng: random.Random, frame: StsFrame, fact: dict[str, Forms], slot: str) -> dict[str, Forms] | None:
    """``fact`` with another value of ``slot`` (its dependents re-drawn to fit); None if it has no other."""
    others = [v for v in frame.options(slot, fact) if v != fact[slot]]
    if not others:
        return None
    new = dict(fact)
    new[slot] = rng.choice(others)
    redraw = {slot}
    for s in frame.slots:  # drawing order: parents before their dependents
        if frame.parents.get(s) in redraw:
            choices = frame.options(s, new)
            new[s] = fact[s] if fact[s] in choices else rng.choice(choices)
            redraw.add(s)
    return new


def _sts_penalty(frame: StsFrame, a: dict[str, Forms], b: dict[str, Forms]) -> float:
    """Meaning lost between two facts of one frame: the weights of the changed slots whose parent is unchanged."""
    return sum(
        frame.weights[s]
        for s in frame.slots
        if a[s] != b[s] and not (s in frame.parents and a[frame.parents[s]] != b[frame.parents[s]])
    )


def _sts_render(
    template: str, fact: dict[str, Forms], rng: random.Random, avoid: dict[str, str] | None = None, keep: float = 0.0
) -> tuple[str, dict[str, str]]:
    """Fill a template; each slot takes one of its value's forms (with probability ``keep`` the form in
    ``avoid``, otherwise another one where the value has another). Returns the text and the forms used.
    """
    chosen: dict[str, str] = {}

    def form(slot: str) -> str:
        if slot not in chosen:
            forms = fact[slot]
            previous = (avoid or {}).get(slot)
            if previous in forms and rng.random() < keep:
                chosen[slot] = previous
            else:
                fresh = [f for f in forms if f != previous] or list(forms)
                chosen[slot] = rng.choice(fresh)
        return chosen[slot]

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        lower = name[:1].lower() + name[1:]
        text = STS_SLOT.sub(fill, form(lower))
        return _cap(text) if name != lower else text

    text = STS_SLOT.sub(fill, template)
    genders = STS_GENDER.findall(text)
    female = bool(genders) and genders[0] == "f"
    text = STS_GENDER.sub("", text)
    text = STS_ALTERNATION.sub(lambda m: m.group(2 if female else 1), text)
    return _cap(text), chosen


@dataclass
class StsPair:
    id: str
    text: str
    text_pair: str
    score: float
    kind: str
    frame: str


def _sts_pair(rng: random.Random, frames: Sequence[StsFrame], kind: str) -> tuple[str, str, float, str]:
    frame = rng.choice(frames)
    fact = _sts_draw(rng, frame)
    template = rng.choice(frame.templates)
    first, forms = _sts_render(template, fact, rng)
    other_templates = [t for t in frame.templates if t != template]
    if kind == "unrelated":
        other = rng.choice([f for f in frames if f is not frame])
        second, _ = _sts_render(rng.choice(other.templates), _sts_draw(rng, other), rng)
        return first, second, rng.uniform(0.0, 0.5), frame.name
    if kind == "paraphrase":
        second, _ = _sts_render(rng.choice(other_templates), fact, rng, forms, keep=0.15)
        return first, second, STS_PARAPHRASE, frame.name
    if kind == "omission":
        slot = rng.choice(list(frame.omissions))
        weight, templates = frame.omissions[slot]
        second, _ = _sts_render(rng.choice(templates), fact, rng, forms, keep=0.3)
        return first, second, STS_PARAPHRASE - weight, frame.name
    if kind == "same-topic":
        for _ in range(50):
            new = _sts_draw(rng, frame)
            if all(new[s] != fact[s] for s in frame.slots if s not in frame.parents):
                break
        changed = new
    else:
        changed = dict(fact)
        slots = [s for s in frame.slots if frame.weights[s] < 3]  # the indication goes with a new drug
        rng.shuffle(slots)
        done = 0
        for slot in slots:
            candidate = _sts_change(rng, frame, changed, slot)
            if candidate is not None:
                changed = candidate
                done += 1
            if done == (1 if kind == "one-change" else 2):
                break
    # the second sentence keeps the first one's wording half of the time: overlap alone is not the answer
    second_template = template if rng.random() < 0.5 else rng.choice(other_templates)
    second, _ = _sts_render(second_template, changed, rng, forms, keep=0.5)
    score = max(STS_PARAPHRASE - _sts_penalty(frame, fact, changed), STS_TOPIC_FLOOR)
    return first, second, score, frame.name


def build_sts(frames: Sequence[StsFrame], seed: int, prefix: str, count: int = STS_PAIRS) -> list[StsPair]:
    rng = random.Random(seed)
    kinds: list[str] = []
    for kind, share in STS_KINDS:
        kinds.extend([kind] * round(share * count))
    kinds = (kinds + ["one-change"] * count)[:count]
    rng.shuffle(kinds)
    pairs: list[StsPair] = []
    seen: set[tuple[str, str]] = set()
    for number, kind in enumerate(kinds, 1):
        while True:
            first, second, base, frame = _sts_pair(rng, frames, kind)
            if rng.random() < 0.5:  # similarity is symmetric; the shorter sentence is not always second
                first, second = second, first
            if first != second and (first, second) not in seen and (second, first) not in seen:
                break
        seen.add((first, second))
        jitter = 0.0 if kind == "unrelated" else rng.uniform(-STS_JITTER, STS_JITTER)
        score = round(min(5.0, max(0.0, base + jitter)), 2)
        pairs.append(StsPair(f"{prefix}-{number:04d}", first, second, score, kind, frame))
    return pairs


def sts_jsonl(pairs: Sequence[StsPair]) -> str:
    return "".join(
        json.dumps({"id": p.id, "text": p.text, "text_pair": p.text_pair, "score": p.score}, ensure_ascii=False) + "\n"
        for p in pairs
    )


# ---------------------------------------------------------------------------------------------
# Dutch CT report impressions (multi-label classification)
# ---------------------------------------------------------------------------------------------

CT_SEED = 4606
CT_REPORTS = 300
CT_FILE = "nl-ct-reports.jsonl"
CT_NORMAL = "geen-afwijkingen"
#: finding labels with their drawing weights: unequal on purpose (embolism and fractures are rare)
CT_LABELS = {"pneumonie": 0.33, "longnodule": 0.27, "pleuravocht": 0.24, "longembolie": 0.09, "fractuur": 0.07}
CT_FINDINGS_PER_REPORT = ((0, 0.28), (1, 0.40), (2, 0.22), (3, 0.10))
CT_NEGATED = 30  # reports with a negated mention of a finding they do not have (~10 %)
# Study B's external validation set: reports from "another site", scored with the model fine-tuned
# on the internal set. Same generator, its own seed, no text shared with the internal set.
CT_EXTERNAL_SEED = 4707
CT_EXTERNAL_REPORTS = 100
CT_EXTERNAL_FILE = "nl-ct-reports-external.jsonl"

CT_NUMBERS: dict[str, Callable[[random.Random], str]] = {
    "mm": lambda rng: str(rng.randint(4, 18)),
    "months": lambda rng: rng.choice(("3", "6", "12")),
    "rib": lambda rng: str(rng.randint(3, 9)),
    "vert": lambda rng: str(rng.randint(6, 12)),
    "pct": lambda rng: str(rng.choice((10, 15, 20, 25, 30))),
}
CT_WORDS: dict[str, tuple[str, ...]] = CT["words"]

CT_SENTENCES: dict[str, tuple[str, ...]] = CT["sentences"]
#: negated mentions: they name a finding but must not produce its label
CT_NEGATIONS: dict[str, tuple[str, ...]] = CT["negations"]
CT_NORMAL_SENTENCES = CT["normal_sentences"]
#: incidental remarks that carry no label (in normal and abnormal reports alike)
CT_INCIDENTAL = CT["incidental"]
CT_OPENINGS = CT["openings"]


def _ct_fill(template: str, rng: random.Random) -> str:
    def slot(match: re.Match[str]) -> str:
        name = match.group(1)
        lower = name[:1].lower() + name[1:]
        if lower in CT_NUMBERS:
            return CT_NUMBERS[lower](rng)
        text = rng.choice(CT_WORDS[lower])
        return _cap(text) if name != lower else text

    return NL_SLOT.sub(slot, template)


@dataclass
class CtReport:
    id: str
    text: str
    labels: list[str]
    negated: str  # the finding mentioned negated, or ""


def _ct_weighted(rng: random.Random, weights: Sequence[tuple[object, float]]) -> object:
    point, total = rng.random() * sum(w for _, w in weights), 0.0
    for item, weight in weights:
        total += weight
        if point < total:
            return item
    return weights[-1][0]


def build_ct(
    count: int = CT_REPORTS,
    seed: int = CT_SEED,
    negated_count: int = CT_NEGATED,
    prefix: str = "nl-ct",
    exclude: frozenset[str] = frozenset(),
) -> list[CtReport]:
    """``count`` reports; ``exclude``: texts that must not recur (the internal set, for the external one)."""
    rng = random.Random(seed)
    negated_flags = [i < negated_count for i in range(count)]
    rng.shuffle(negated_flags)
    reports: list[CtReport] = []
    seen: set[str] = set(exclude)
    for number, negated in enumerate(negated_flags, 1):
        while True:
            wanted = _ct_weighted(rng, CT_FINDINGS_PER_REPORT)
            findings: list[str] = []
            while len(findings) < wanted:
                label = _ct_weighted(rng, [(k, w) for k, w in CT_LABELS.items() if k not in findings])
                findings.append(label)
            sentences = [_ct_fill(rng.choice(CT_SENTENCES[label]), rng) for label in findings]
            if not findings:
                sentences.append(rng.choice(CT_NORMAL_SENTENCES))
            absent = ""
            if negated:  # the negated findings take turns, so that each is negated about equally often
                turn = sum(bool(r.negated) for r in reports)
                order = [*CT_LABELS][turn % len(CT_LABELS) :] + [*CT_LABELS][: turn % len(CT_LABELS)]
                absent = next(k for k in order if k not in findings)
                sentences.append(rng.choice(CT_NEGATIONS[absent]))
            if rng.random() < 0.25:
                sentences.append(rng.choice(CT_INCIDENTAL))
            rng.shuffle(sentences)
            if not findings and rng.random() < 0.3:  # "normaal" often closes a normal report
                sentences.append("Verder geen afwijkingen.")
            if rng.random() < 0.5:
                sentences.insert(0, rng.choice(CT_OPENINGS))
            text = " ".join(sentences)
            if text not in seen:
                break
        seen.add(text)
        labels = [k for k in CT_LABELS if k in findings] or [CT_NORMAL]
        reports.append(CtReport(f"{prefix}-{number:04d}", text, labels, absent))
    return reports


def ct_jsonl(reports: Sequence[CtReport]) -> str:
    return "".join(
        json.dumps({"id": r.id, "text": r.text, "labels": r.labels}, ensure_ascii=False) + "\n" for r in reports
    )


# ---------------------------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------------------------


@dataclass
class NerStats:
    sentences: int
    tokens: int
    entities: dict[str, int]
    multiword: int
    distinct: int
    size: int
    orphans: int
    malformed: int


def _ner_stats(sentences: Sequence[Sequence[str]], tags: Sequence[Sequence[str]], types: Sequence[str], size: int):
    entities = dict.fromkeys(types, 0)
    multiword = orphans = malformed = 0
    for sentence_tags in tags:
        for i, tag in enumerate(sentence_tags):
            if tag.startswith("B-"):
                entities[tag[2:]] += 1
                if i + 1 < len(sentence_tags) and sentence_tags[i + 1] == f"I-{tag[2:]}":
                    multiword += 1
        found_orphans, found_malformed = _bio_problems(sentence_tags, types)
        orphans += len(found_orphans)
        malformed += len(found_malformed)
    return NerStats(
        sentences=len(sentences),
        tokens=sum(len(s) for s in sentences),
        entities=entities,
        multiword=multiword,
        distinct=len({" ".join(s) for s in sentences}),
        size=size,
        orphans=orphans,
        malformed=malformed,
    )


@dataclass
class NlStats:
    notes: int
    labels: dict[str, int]
    misleading: dict[str, int]
    sentences_min: int
    sentences_max: int
    sentences_mean: float
    sentences: int
    distinct_sentences: int
    size: int


def _nl_stats(notes: Sequence[NlNote], size: int) -> NlStats:
    all_sentences = [s for n in notes for s in NL_SENTENCE_END.split(n.text)]
    counts = [n.sentences for n in notes]
    return NlStats(
        notes=len(notes),
        labels={label: sum(n.label == label for n in notes) for label in ("inclusion", "exclusion")},
        misleading={
            label: sum(n.misleading and n.label == label for n in notes) for label in ("inclusion", "exclusion")
        },
        sentences_min=min(counts),
        sentences_max=max(counts),
        sentences_mean=sum(counts) / len(counts),
        sentences=len(all_sentences),
        distinct_sentences=len(set(all_sentences)),
        size=size,
    )


@dataclass
class StsStats:
    pairs: int
    kinds: dict[str, tuple[int, float, float, float]]  # kind -> (pairs, lowest, highest score, mean token overlap)
    histogram: list[int]  # pairs with a score in [0, 1), [1, 2), [2, 3), [3, 4), [4, 5]
    mean: float
    frames: dict[str, int]
    sentences: int
    distinct_sentences: int
    overlap_r: float  # Pearson r of token overlap (Jaccard) with the score
    size: int


STS_WORD = re.compile(r"\w+")


def _overlap(a: str, b: str) -> float:
    """Jaccard overlap of the two sentences' lower-cased word sets (the surface baseline)."""
    x, y = set(STS_WORD.findall(a.lower())), set(STS_WORD.findall(b.lower()))
    return len(x & y) / len(x | y)


def _sts_stats(pairs: Sequence[StsPair], frames: Sequence[StsFrame], size: int) -> StsStats:
    overlaps = [_overlap(p.text, p.text_pair) for p in pairs]
    kinds = {}
    for kind, _ in STS_KINDS:
        scores = [p.score for p in pairs if p.kind == kind]
        kind_overlaps = [o for p, o in zip(pairs, overlaps, strict=True) if p.kind == kind]
        kinds[kind] = (len(scores), min(scores), max(scores), sum(kind_overlaps) / len(kind_overlaps))
    histogram = [0] * 5
    for p in pairs:
        histogram[min(int(p.score), 4)] += 1
    sentences = [s for p in pairs for s in (p.text, p.text_pair)]
    return StsStats(
        pairs=len(pairs),
        kinds=kinds,
        histogram=histogram,
        mean=sum(p.score for p in pairs) / len(pairs),
        frames={f.name: sum(p.frame == f.name for p in pairs) for f in frames},
        sentences=len(sentences),
        distinct_sentences=len(set(sentences)),
        overlap_r=statistics.correlation(overlaps, [p.score for p in pairs]),
        size=size,
    )


#: cue words of the keyword baseline (a label when one of them occurs, negated or not)
CT_CUES = CT["cues"]


def _ct_keyword_baseline(reports: Sequence[CtReport]) -> tuple[float, dict[str, float]]:
    """Macro F1 (and F1 per label) of predicting a label whenever one of its cue words occurs."""
    names = [*CT_LABELS, CT_NORMAL]
    f1: dict[str, float] = {}
    predicted = []
    for r in reports:
        text = r.text.lower()
        found = [k for k, cues in CT_CUES.items() if any(c in text for c in cues)]
        predicted.append(found or [CT_NORMAL])
    for name in names:
        tp = sum(name in p and name in r.labels for p, r in zip(predicted, reports, strict=True))
        fp = sum(name in p and name not in r.labels for p, r in zip(predicted, reports, strict=True))
        fn = sum(name not in p and name in r.labels for p, r in zip(predicted, reports, strict=True))
        f1[name] = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
    return sum(f1.values()) / len(f1), f1


@dataclass
class CtStats:
    reports: int
    labels: dict[str, int]
    per_report: dict[int, int]  # number of findings -> reports
    negated: dict[str, int]  # negated finding -> reports
    keyword_f1: float
    keyword_per_label: dict[str, float]
    sentences_mean: float
    size: int


def _ct_stats(reports: Sequence[CtReport], size: int) -> CtStats:
    names = [*CT_LABELS, CT_NORMAL]
    per_report = dict.fromkeys([n for n, _ in CT_FINDINGS_PER_REPORT], 0)
    for r in reports:
        per_report[0 if r.labels == [CT_NORMAL] else len(r.labels)] += 1
    macro, per_label = _ct_keyword_baseline(reports)
    return CtStats(
        reports=len(reports),
        labels={name: sum(name in r.labels for r in reports) for name in names},
        per_report=per_report,
        negated={k: sum(r.negated == k for r in reports) for k in CT_LABELS},
        keyword_f1=macro,
        keyword_per_label=per_label,
        sentences_mean=sum(_nl_sentence_count(r.text) for r in reports) / len(reports),
        size=size,
    )


def _entity_rows(stats: NerStats) -> str:
    total = sum(stats.entities.values())
    return (
        "\n".join(f"| {kind} | {count} | {count / total:.1%} |" for kind, count in stats.entities.items())
        + f"\n| all | {total} | 100% |"
    )


def _sts_rows(stats: StsStats) -> str:
    return "\n".join(
        f"| {kind} | {count} | {low:.2f} to {high:.2f} | {overlap:.2f} |"
        for kind, (count, low, high, overlap) in stats.kinds.items()
    )


def _histogram(stats: StsStats) -> str:
    bins = ("0 to <1", "1 to <2", "2 to <3", "3 to <4", "4 to 5")
    return " | ".join(bins) + " |\n" + "|---:" * 5 + "|\n| " + " | ".join(str(n) for n in stats.histogram) + " |"


def _sts_section(name: str, language: str, stats: StsStats) -> str:
    frames = ", ".join(f"{frame} {count}" for frame, count in stats.frames.items())
    return f"""## `{name}`: {language} clinical sentence similarity

{stats.pairs} pairs, mean score {stats.mean:.2f}; kinds of fact: {frames}. Distinct sentences:
{stats.distinct_sentences} of {stats.sentences}.

| kind of pair | pairs | scores | mean token overlap |
|---|---:|---|---:|
{_sts_rows(stats)}

Scores:

| {_histogram(stats)}

Token overlap (Jaccard of the word sets) correlates with the score at Pearson r = {stats.overlap_r:.3f}.
"""


def _readme(
    ro: NerStats,
    ro_orphans: Sequence[tuple[int, int, str]],
    es: NerStats,
    es_docs: int,
    nl: NlStats,
    nl_sts: StsStats,
    es_sts: StsStats,
    ct: CtStats,
    ct_external: CtStats,
) -> str:
    orphan_rows = "\n".join(
        f"| {number} | {line} | `{what.split()[0]}` | `{what.split()[1]}` |" for number, line, what in ro_orphans
    )
    table = "\n".join(
        (
            f"| `{RO_FILE}` | Romanian biomedical NER (stands in for MoNERo) "
            f"| 4 TAB-separated columns: token, lemma, BIO tag, POS | {ro.size / 1024:.0f} KiB "
            f"| {ro.sentences} sentences, {ro.tokens} tokens, {sum(ro.entities.values())} entities |",
            f"| `{ES_FILE}` + `{ES_DOCS_DIR}/` | Spanish clinical-case NER (stands in for PharmaCoNER) "
            f"| 4 TAB-separated columns: token, document id, `start_end`, BIO tag | {es.size / 1024:.0f} KiB "
            f"| {es_docs} documents, {es.sentences} sentences, {es.tokens} tokens, "
            f"{sum(es.entities.values())} entities |",
            f"| `{NL_FILE}` | Dutch clinical-note screening, binary (stands in for the HIV-test screening task) "
            f'| JSON lines `{{"id", "text", "label"}}` | {nl.size / 1024:.0f} KiB '
            f"| {nl.notes} notes: {nl.labels['inclusion']} inclusion, {nl.labels['exclusion']} exclusion |",
            f"| `{NL_STS_FILE}` | Dutch clinical sentence similarity, regression 0-5 (stands in for the study's STS) "
            f'| JSON lines `{{"id", "text", "text_pair", "score"}}` | {nl_sts.size / 1024:.0f} KiB '
            f"| {nl_sts.pairs} pairs |",
            f"| `{ES_STS_FILE}` | Spanish clinical sentence similarity, regression 0-5 (as above) "
            f'| JSON lines `{{"id", "text", "text_pair", "score"}}` | {es_sts.size / 1024:.0f} KiB '
            f"| {es_sts.pairs} pairs |",
            f"| `{CT_FILE}` | Dutch CT report impressions, multi-label (stands in for the study's CT reports) "
            f'| JSON lines `{{"id", "text", "labels"}}` | {ct.size / 1024:.0f} KiB '
            f"| {ct.reports} reports, {len(ct.labels)} labels |",
            f"| `{CT_EXTERNAL_FILE}` | Dutch CT report impressions from a second site: study B's external validation "
            f'set | JSON lines `{{"id", "text", "labels"}}` | {ct_external.size / 1024:.0f} KiB '
            f"| {ct_external.reports} reports, {len(ct_external.labels)} labels |",
        )
    )
    ct_label_rows = "\n".join(
        f"| `{name}` | {count} | {count / ct.reports:.0%} | {ct.keyword_per_label[name]:.3f} |"
        for name, count in ct.labels.items()
    )
    ct_per_report = ", ".join(f"{n}: {count}" for n, count in ct.per_report.items())
    ct_negated = ", ".join(f"{name} {count}" for name, count in ct.negated.items())
    # The prose is README.template.md's (``{field}`` below, ``{{``/``}}`` for a brace); these are its fields.
    return README_TEMPLATE.read_text(encoding="utf-8").format(
        table=table,
        ro_file=RO_FILE,
        entity_rows_ro=_entity_rows(ro),
        ro_multiword=ro.multiword,
        ro_distinct=ro.distinct,
        ro_sentences=ro.sentences,
        ro_orphans=ro.orphans,
        ro_malformed=ro.malformed,
        orphan_rows=orphan_rows,
        es_file=ES_FILE,
        es_docs=es_docs,
        es_docs_dir=ES_DOCS_DIR,
        es_sentences_per_doc=es.sentences / es_docs,
        entity_rows_es=_entity_rows(es),
        es_multiword=es.multiword,
        es_distinct=es.distinct,
        es_sentences=es.sentences,
        es_orphans=es.orphans,
        es_malformed=es.malformed,
        nl_file=NL_FILE,
        nl_labels_inclusion=nl.labels["inclusion"],
        nl_labels_exclusion=nl.labels["exclusion"],
        nl_sentences_min=nl.sentences_min,
        nl_sentences_max=nl.sentences_max,
        nl_sentences_mean=nl.sentences_mean,
        nl_distinct_sentences=nl.distinct_sentences,
        nl_sentences=nl.sentences,
        nl_misleading=nl.misleading["exclusion"] + nl.misleading["inclusion"],
        nl_misleading_share=(nl.misleading["exclusion"] + nl.misleading["inclusion"]) / nl.notes,
        nl_misleading_exclusion=nl.misleading["exclusion"],
        nl_misleading_inclusion=nl.misleading["inclusion"],
        nl_sts_section=_sts_section(NL_STS_FILE, "Dutch", nl_sts),
        es_sts_section=_sts_section(ES_STS_FILE, "Spanish", es_sts),
        sts_paraphrase=STS_PARAPHRASE,
        sts_topic_floor=STS_TOPIC_FLOOR,
        sts_jitter=STS_JITTER,
        ct_file=CT_FILE,
        ct_sentences_mean=ct.sentences_mean,
        ct_normal=CT_NORMAL,
        ct_per_report=ct_per_report,
        ct_label_rows=ct_label_rows,
        ct_negated_reports=sum(ct.negated.values()),
        ct_negated_share=sum(ct.negated.values()) / ct.reports,
        ct_negated=ct_negated,
        ct_keyword_f1=ct.keyword_f1,
        ct_external_file=CT_EXTERNAL_FILE,
        ct_external_reports=ct_external.reports,
        ct_external_negated_reports=sum(ct_external.negated.values()),
        ct_external_labels=", ".join((f"`{name}` {count}" for name, count in ct_external.labels.items())),
        ct_external_keyword_f1=ct_external.keyword_f1,
    )


@dataclass
class Written:
    files: list[str]  # paths relative to the output folder
    ro: NerStats
    es: NerStats
    nl: NlStats
    nl_sts: StsStats
    es_sts: StsStats
    ct: CtStats
    ct_external: CtStats


def write_tasks(out: Path) -> Written:
    """Write the task sets, the Spanish document texts and the README into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    files: list[str] = []

    ro = build_ro()
    data = ro_conll(ro).encode("utf-8")
    (out / RO_FILE).write_bytes(data)
    files.append(RO_FILE)
    ro_stats = _ner_stats(
        [[t.form for t in s] for s in ro.sentences],
        [[t.tag for t in s] for s in ro.sentences],
        list(RO_TARGET),
        len(data),
    )

    docs = build_es()
    data = es_conll(docs).encode("utf-8")
    (out / ES_FILE).write_bytes(data)
    files.append(ES_FILE)
    docs_dir = out / ES_DOCS_DIR
    docs_dir.mkdir(exist_ok=True)
    for doc in docs:
        (docs_dir / f"{doc.doc_id}.txt").write_bytes((doc.text + "\n").encode("utf-8"))
        files.append(f"{ES_DOCS_DIR}/{doc.doc_id}.txt")
    sentences = [s for d in docs for s in d.sentences]
    es_stats = _ner_stats(
        [[t[0] for t in s] for s in sentences], [[t[3] for t in s] for s in sentences], list(ES_TARGET), len(data)
    )

    notes = build_nl()
    data = nl_jsonl(notes).encode("utf-8")
    (out / NL_FILE).write_bytes(data)
    files.append(NL_FILE)
    nl_stats = _nl_stats(notes, len(data))

    sts_stats = []
    for frames, seed, name, prefix in (
        (NL_STS_FRAMES, NL_STS_SEED, NL_STS_FILE, "nl-sts"),
        (ES_STS_FRAMES, ES_STS_SEED, ES_STS_FILE, "es-sts"),
    ):
        pairs = build_sts(frames, seed, prefix)
        data = sts_jsonl(pairs).encode("utf-8")
        (out / name).write_bytes(data)
        files.append(name)
        sts_stats.append(_sts_stats(pairs, frames, len(data)))

    reports = build_ct()
    data = ct_jsonl(reports).encode("utf-8")
    (out / CT_FILE).write_bytes(data)
    files.append(CT_FILE)
    ct_stats = _ct_stats(reports, len(data))
    external = build_ct(
        CT_EXTERNAL_REPORTS,
        CT_EXTERNAL_SEED,
        CT_EXTERNAL_REPORTS // 10,
        "nl-ct-ext",
        frozenset(r.text for r in reports),
    )
    data = ct_jsonl(external).encode("utf-8")
    (out / CT_EXTERNAL_FILE).write_bytes(data)
    files.append(CT_EXTERNAL_FILE)
    ct_external = _ct_stats(external, len(data))

    readme = _readme(ro_stats, ro.orphan_lines, es_stats, len(docs), nl_stats, *sts_stats, ct_stats, ct_external)
    (out / "README.md").write_bytes(readme.encode("utf-8"))
    files.append("README.md")
    return Written(files, ro_stats, es_stats, nl_stats, *sts_stats, ct_stats, ct_external)


def _check(out: Path) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        fresh = write_tasks(Path(tmp))
        bad = []
        for name in fresh.files:
            committed = out / name
            if not committed.is_file():
                bad.append(f"missing: {committed}")
            elif not filecmp.cmp(committed, Path(tmp) / name, shallow=False):
                bad.append(f"differs: {committed}")
        docs_dir = out / ES_DOCS_DIR
        if docs_dir.is_dir():
            expected = {Path(name).name for name in fresh.files if name.startswith(f"{ES_DOCS_DIR}/")}
            bad.extend(f"unexpected: {p}" for p in sorted(docs_dir.iterdir()) if p.name not in expected)
    for message in bad:
        print(message, file=sys.stderr)
    if bad:
        print("run `python scripts/make_standin_tasks.py` to regenerate", file=sys.stderr)
        return 1
    print(f"ok: {len(fresh.files)} files in {out} match a fresh generation")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"output folder (default: {DEFAULT_OUT})")
    parser.add_argument(
        "--check", action="store_true", help="regenerate into a temporary folder; exit 1 if the files in --out differ"
    )
    args = parser.parse_args(argv)
    if args.check:
        return _check(args.out)
    written = write_tasks(args.out)
    for name, stats in (("ro", written.ro), ("es", written.es)):
        entities = ", ".join(f"{kind} {count}" for kind, count in stats.entities.items())
        print(
            f"{name}: {stats.sentences} sentences, {stats.tokens} tokens, {stats.size} bytes, entities: {entities}; "
            f"{stats.orphans} orphan I-, {stats.malformed} malformed, {stats.distinct} distinct sentences"
        )
    nl = written.nl
    print(
        f"nl: {nl.notes} notes ({nl.labels['inclusion']} inclusion, {nl.labels['exclusion']} exclusion), "
        f"{nl.size} bytes, {nl.misleading['inclusion'] + nl.misleading['exclusion']} with misleading cues, "
        f"{nl.sentences_min}-{nl.sentences_max} sentences per note"
    )
    for name, sts in (("nl-sts", written.nl_sts), ("es-sts", written.es_sts)):
        print(
            f"{name}: {sts.pairs} pairs, {sts.size} bytes, mean score {sts.mean:.2f}, "
            f"scores per unit bin {sts.histogram}, token-overlap r {sts.overlap_r:.3f}"
        )
    ct = written.ct
    labels = ", ".join(f"{name} {count}" for name, count in ct.labels.items())
    print(
        f"nl-ct: {ct.reports} reports, {ct.size} bytes, labels: {labels}; "
        f"{sum(ct.negated.values())} with a negated mention, keyword-baseline macro F1 {ct.keyword_f1:.3f}"
    )
    print(f"wrote {len(written.files)} files to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
