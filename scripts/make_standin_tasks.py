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

Usage (from the repository root; stdlib only)::

    python scripts/make_standin_tasks.py                # (re)write adapterkit/data/tasks/
    python scripts/make_standin_tasks.py --check        # exit 1 if the committed files differ
    python scripts/make_standin_tasks.py --out /tmp/t

The script also writes ``README.md`` beside the task files (with their statistics); ``--check``
compares it and the document texts too.
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
RO_FUNCTION = {"de": ("de", "ADP"), "cu": ("cu", "ADP"), "ai": ("al", "DET"), "a": ("al", "DET"), "și": ("și", "CCONJ")}

RO_ADJ_IRREGULAR = {
    "dreaptă": "drept",
    "drepte": "drept",
    "stângă": "stâng",
    "stângi": "stâng",
    "subțire": "subțire",
    "seacă": "sec",
    "tiroidă": "tiroid",
    "tiroide": "tiroid",
    "portă": "port",
    "porte": "port",
    "osoasă": "osos",
    "osoase": "osos",
    "respiratorie": "respiratoriu",
}
RO_ADJ_SUFFIXES = (
    ("ioasă", "ios"),
    ("ioase", "ios"),
    ("oasă", "os"),
    ("oase", "os"),
    ("ioară", "ior"),
    ("ioare", "ior"),
    ("ple", "plu"),
    ("ică", "ic"),
    ("ice", "ic"),
    ("ici", "ic"),
    ("ală", "al"),
    ("ale", "al"),
    ("ali", "al"),
    ("ară", "ar"),
    ("are", "ar"),
    ("ari", "ar"),
    ("ată", "at"),
    ("ate", "at"),
    ("ați", "at"),
    ("ivă", "iv"),
    ("ive", "iv"),
    ("ivi", "iv"),
    ("ă", ""),
    ("e", ""),
    ("i", ""),
)


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
    """
    # antidiabetic
    metformină = 500 mg; 850 mg; 1.000 mg
    gliclazidă = 30 mg; 60 mg
    sitagliptină = 50 mg; 100 mg
    empagliflozină = 10 mg; 25 mg
    insulină glargin||NOUN = 10 UI; 14 UI; 20 UI
    # antiplatelet
    acid acetilsalicilic = 75 mg; 100 mg
    clopidogrel = 75 mg
    ticagrelor = 90 mg
    # statin
    atorvastatină = 10 mg; 20 mg; 40 mg; 80 mg
    rosuvastatină = 10 mg; 20 mg
    simvastatină = 20 mg; 40 mg
    ezetimib = 10 mg
    # antihypertensive
    perindopril = 5 mg; 10 mg
    ramipril = 2,5 mg; 5 mg; 10 mg
    enalapril = 10 mg; 20 mg
    lisinopril = 10 mg; 20 mg
    candesartan = 8 mg; 16 mg
    valsartan = 80 mg; 160 mg
    amlodipină = 5 mg; 10 mg
    nifedipină = 30 mg; 60 mg
    bisoprolol = 2,5 mg; 5 mg; 10 mg
    metoprolol = 50 mg; 100 mg
    carvedilol = 6,25 mg; 12,5 mg; 25 mg
    nebivolol = 5 mg
    # diuretic
    furosemid = 20 mg; 40 mg; 80 mg
    spironolactonă = 25 mg; 50 mg
    torasemid = 5 mg; 10 mg
    indapamidă = 1,5 mg
    hidroclorotiazidă = 12,5 mg; 25 mg
    # anticoagulant
    acenocumarol = 2 mg; 4 mg
    warfarină = 3 mg; 5 mg
    enoxaparină = 40 mg; 60 mg; 80 mg
    heparină = 5.000 UI
    dabigatran = 110 mg; 150 mg
    rivaroxaban = 15 mg; 20 mg
    apixaban = 2,5 mg; 5 mg
    # antiarrhythmic
    digoxină = 0,125 mg; 0,25 mg
    amiodaronă = 200 mg
    # antianginal
    nitroglicerină = 0,5 mg
    trimetazidină = 35 mg
    # gastric
    omeprazol = 20 mg; 40 mg
    pantoprazol = 20 mg; 40 mg
    esomeprazol = 20 mg; 40 mg
    famotidină = 20 mg; 40 mg
    # antiemetic
    metoclopramid = 10 mg
    ondansetron = 4 mg; 8 mg
    # laxative
    lactuloză = 10 ml; 15 ml
    # analgesic
    paracetamol = 500 mg; 1 g
    ibuprofen = 200 mg; 400 mg; 600 mg
    diclofenac = 50 mg; 75 mg
    ketoprofen = 100 mg
    metamizol = 500 mg; 1 g
    tramadol = 50 mg; 100 mg
    morfină = 5 mg; 10 mg
    # antibiotic
    amoxicilină = 500 mg; 1 g
    amoxicilină cu acid clavulanic = 625 mg; 1 g
    ceftriaxonă = 1 g; 2 g
    cefuroximă = 500 mg; 1,5 g
    cefazolină = 1 g; 2 g
    ciprofloxacină = 250 mg; 500 mg
    levofloxacină = 500 mg; 750 mg
    claritromicină = 250 mg; 500 mg
    azitromicină = 250 mg; 500 mg
    vancomicină = 1 g
    meropenem = 1 g
    gentamicină = 80 mg; 240 mg
    metronidazol = 250 mg; 500 mg
    # antiinfective
    fluconazol = 150 mg; 200 mg
    aciclovir = 400 mg; 800 mg
    oseltamivir = 75 mg
    # corticoid
    prednison = 5 mg; 20 mg; 40 mg
    metilprednisolon = 16 mg; 32 mg; 125 mg
    dexametazonă = 4 mg; 8 mg
    hidrocortizon = 100 mg; 200 mg
    # hypothyroid
    levotiroxină = 50 mcg; 75 mcg; 100 mcg
    # hyperthyroid
    tiamazol = 10 mg; 20 mg
    # gout
    alopurinol = 100 mg; 300 mg
    febuxostat = 80 mg
    colchicină = 0,5 mg; 1 mg
    # immuno
    metotrexat = 7,5 mg; 15 mg
    hidroxiclorochină = 200 mg
    azatioprină = 50 mg
    ciclosporină = 50 mg; 100 mg
    tacrolimus = 1 mg; 2 mg
    micofenolat mofetil||NOUN = 500 mg; 1 g
    # psych
    sertralină = 50 mg; 100 mg
    escitalopram = 10 mg; 20 mg
    alprazolam = 0,25 mg; 0,5 mg
    diazepam = 5 mg; 10 mg
    haloperidol = 2 mg; 5 mg
    quetiapină = 25 mg; 100 mg
    # parkinson
    levodopa = 100 mg; 250 mg
    # antiepileptic
    gabapentin = 300 mg
    pregabalină = 75 mg; 150 mg
    carbamazepină = 200 mg
    acid valproic = 300 mg; 500 mg
    levetiracetam = 500 mg; 1.000 mg
    # respiratory
    salbutamol = 100 mcg
    budesonid = 200 mcg; 400 mcg
    montelukast = 10 mg
    teofilină = 200 mg
    # urologic
    tamsulosin = 0,4 mg
    finasteridă = 5 mg
    # chemo
    cisplatină = 75 mg/m2
    carboplatină = 300 mg/m2
    paclitaxel = 175 mg/m2
    docetaxel = 75 mg/m2
    doxorubicină = 60 mg/m2
    ciclofosfamidă = 600 mg/m2
    gemcitabină = 1.000 mg/m2
    oxaliplatină = 85 mg/m2
    capecitabină = 1.000 mg/m2
    # hormonal
    tamoxifen = 20 mg
    letrozol = 2,5 mg
    anastrozol = 1 mg
    # supplement
    acid folic = 5 mg
    sulfat feros = 325 mg
    vitamina|vitamină B12||NOUN = 1.000 mcg
    colecalciferol = 1.000 UI; 2.000 UI
    clorură de potasiu = 1 g; 2 g
    sulfat de magneziu = 1 g; 2 g
    """,
    _ro_words,
)

RO_CLASSES = _ro_ents(
    "CHEM",
    """
    inhibitori|inhibitor ai pompei|pompă de protoni|proton
    antiinflamatoare|antiinflamator nesteroidiene
    betablocante|betablocant
    anticoagulante|anticoagulant orale
    statine|statină
    corticosteroizi|corticosteroid
    antibiotice|antibiotic
    diuretice|diuretic de ansă
    citostatice|citostatic
    antivirale|antiviral
    imunosupresoare|imunosupresor
    inhibitori|inhibitor ai enzimei|enzimă de conversie a angiotensinei|angiotensină
    sartani|sartan
    antidepresive|antidepresiv triciclice
    antiagregante|antiagregant plachetare
    benzodiazepine|benzodiazepină
    opioide|opioid
    antihistaminice|antihistaminic
    bronhodilatatoare|bronhodilatator
    antidiabetice|antidiabetic orale
    bifosfonați|bifosfonat
    """,
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
    """
    creatinină = mg/dl 0.6 4.8 2
    uree = mg/dl 18 160 0
    acid uric = mg/dl 3.5 11.5 1
    glucoză = mg/dl 60 420 0
    colesterol = mg/dl 140 320 0
    trigliceride|trigliceridă = mg/dl 80 540 0
    potasiu = mmol/l 2.8 6.6 1
    sodiu = mmol/l 122 149 0
    calciu = mg/dl 7.2 12.4 1
    magneziu = mg/dl 1.2 2.9 1
    fosfor = mg/dl 2.1 6.8 1
    bilirubină = mg/dl 0.4 9.6 1
    bilirubină directă = mg/dl 0.1 6.2 1
    fier = mcg/dl 18 190 0
    albumină = g/dl 2.1 5.0 1
    lactat = mmol/l 0.8 7.5 1
    amoniac = mcg/dl 30 210 0
    acid folic = ng/ml 1.8 18.5 1
    vitamina|vitamină D||NOUN = ng/ml 6 62 0
    homocisteină = mcmol/l 6 42 0
    cortizol = mcg/dl 2 32 1
    bicarbonat = mmol/l 12 31 0
    """,
    _ro_words,
)

RO_SOLUTIONS = _ro_ents(
    "CHEM",
    """
    clorură de sodiu
    glucoză
    bicarbonat de sodiu
    clorură de potasiu
    soluție Ringer|Ringer|PROPN
    albumină umană
    manitol
    sulfat de magneziu
    gluconat de calciu
    """,
)

RO_LIFESTYLE = _ro_ents(
    "CHEM",
    """
    alcool
    tutun
    cafeină
    nicotină
    """,
)

RO_DISEASES = _ro_ents(
    "DISO",
    """
    insuficiență renală cronică
    insuficiență renală acută
    insuficiență cardiacă congestivă
    insuficiență cardiacă cronică
    insuficiență hepatică
    insuficiență respiratorie acută
    hipertensiune arterială
    hipertensiune arterială esențială
    hipertensiune pulmonară
    diabet zaharat de tip 2
    diabet zaharat de tip 1
    fibrilație atrială
    fibrilație atrială permanentă
    flutter atrial
    infarct miocardic acut
    infarct de miocard
    cardiopatie ischemică
    angină pectorală
    angină pectorală instabilă
    accident vascular cerebral
    accident vascular cerebral ischemic
    accident ischemic tranzitoriu
    tromboză venoasă profundă
    embolie pulmonară
    pneumonie comunitară
    bronhopneumonie
    bronhopneumopatie obstructivă cronică
    astm bronșic
    fibroză pulmonară
    tuberculoză pulmonară
    ciroză hepatică
    hepatită cronică
    hepatită virală B||NOUN
    hepatită virală C||NOUN
    steatoză hepatică
    pancreatită acută
    pancreatită cronică
    colecistită acută
    litiază biliară
    ulcer gastric
    ulcer duodenal
    boală de reflux gastroesofagian
    gastrită cronică
    boală Crohn|Crohn|PROPN
    rectocolită ulcerohemoragică
    anemie feriprivă
    anemie megaloblastică
    leucemie limfocitară cronică
    mielom multiplu
    cancer pulmonar
    cancer de sân
    cancer de colon
    cancer gastric
    carcinom hepatocelular
    adenocarcinom de prostată
    hipotiroidism
    hipertiroidism
    tiroidită autoimună
    obezitate
    dislipidemie
    hipercolesterolemie
    gută
    artrită reumatoidă
    spondilită anchilozantă
    osteoporoză
    lupus eritematos sistemic
    infecție urinară
    pielonefrită acută
    sepsis
    șoc septic
    meningită bacteriană
    epilepsie
    boală Parkinson|Parkinson|PROPN
    demență
    tulburare depresivă majoră
    tulburare anxioasă
    migrenă
    neuropatie diabetică
    retinopatie diabetică
    nefropatie diabetică
    sindrom nefrotic
    glomerulonefrită
    boală cronică de rinichi
    endocardită infecțioasă
    pericardită
    """,
)

RO_SYMPTOMS = _ro_ents(
    "DISO",
    """
    febră
    dispnee
    dispnee de efort
    tuse
    tuse productivă
    greață
    vărsături|vărsătură
    durere abdominală
    durere toracică
    durere lombară
    cefalee
    amețeli|amețeală
    palpitații|palpitație
    edeme|edem gambiere
    icter
    hematurie
    proteinurie
    astenie
    fatigabilitate
    inapetență
    scădere ponderală
    transpirații|transpirație nocturne
    prurit
    erupție cutanată
    diaree
    constipație
    hemoptizie
    sincopă
    confuzie
    insomnie
    artralgii|artralgie
    mialgii|mialgie
    disfagie
    pirozis
    epistaxis
    poliurie
    polidipsie
    oligurie
    hipotensiune arterială
    tahicardie
    bradicardie
    convulsii|convulsie
    parestezii|parestezie
    scaune|scaun melenice
    """,
)

RO_ADVERSE = _ro_ents(
    "DISO",
    """
    hipoglicemie
    hiperkaliemie
    hiponatremie
    hipotensiune ortostatică
    bradicardie
    tuse seacă
    angioedem
    hemoragie digestivă
    sângerări|sângerare
    reacții|reacție alergice
    erupție cutanată
    greață
    diaree
    cefalee
    amețeli|amețeală
    toxicitate hepatică
    nefrotoxicitate
    mialgii|mialgie
    rabdomioliză
    neutropenie febrilă
    trombocitopenie
    fotosensibilitate
    edeme|edem gambiere
    constipație
    somnolență
    acidoză lactică
    pancreatită acută
    ototoxicitate
    alopecie
    mucozită
    neuropatie periferică
    """,
)

RO_LAB_DISORDERS = _ro_ents(
    "DISO",
    """
    anemie
    leucocitoză
    leucopenie
    trombocitopenie
    trombocitoză
    neutropenie
    limfopenie
    eozinofilie
    hiperglicemie
    hiponatremie
    hiperkaliemie
    hipopotasemie
    hipoalbuminemie
    hipercalcemie
    sindrom inflamator
    """,
)

#: findings that fit any organ ("la nivelul ficatului se observă noduli hipoecogeni")
RO_FINDINGS_LOCAL = _ro_ents(
    "DISO",
    """
    metastaze|metastază multiple
    noduli|nodul hipoecogeni
    chisturi|chist simple
    calcificări|calcificare
    hematom
    abces
    infiltrat inflamator
    formațiuni|formațiune tumorale
    îngroșare parietală
    stenoză semnificativă
    edem
    """,
)

RO_FINDINGS = RO_FINDINGS_LOCAL + _ro_ents(
    "DISO",
    """
    ascită
    revărsat pleural
    hidronefroză
    steatoză hepatică
    litiază biliară
    cardiomegalie
    hepatomegalie
    splenomegalie
    adenopatii|adenopatie mediastinale
    pneumotorax
    condensare pulmonară
    hipertrofie ventriculară
    """,
)


@dataclass(frozen=True)
class Anat:
    nom: Ent  # definite nominative: "rinichiul drept"
    gen: Ent  # definite genitive: "rinichiului drept"


RO_ANAT = tuple(
    Anat(Ent("ANAT", _ro_words(nom.strip())), Ent("ANAT", _ro_words(gen.strip())))
    for nom, gen in (
        line.split("/")
        for line in _items(
            """
            ficatul|ficat / ficatului|ficat
            rinichiul|rinichi drept / rinichiului|rinichi drept
            rinichiul|rinichi stâng / rinichiului|rinichi stâng
            plămânul|plămân drept / plămânului|plămân drept
            plămânul|plămân stâng / plămânului|plămân stâng
            lobul|lob superior drept / lobului|lob superior drept
            inima|inimă / inimii|inimă
            ventriculul|ventricul stâng / ventriculului|ventricul stâng
            atriul|atriu stâng / atriului|atriu stâng
            valva|valvă mitrală / valvei|valvă mitrale
            aorta|aortă abdominală / aortei|aortă abdominale
            aorta|aortă toracică / aortei|aortă toracice
            artera|arteră carotidă internă / arterei|arteră carotide interne
            artera|arteră coronară dreaptă / arterei|arteră coronare drepte
            vena|venă portă / venei|venă porte
            vena|venă femurală / venei|venă femurale
            splina|splină / splinei|splină
            pancreasul|pancreas / pancreasului|pancreas
            stomacul|stomac / stomacului|stomac
            esofagul|esofag / esofagului|esofag
            duodenul|duoden / duodenului|duoden
            colonul|colon sigmoid / colonului|colon sigmoid
            colonul|colon ascendent / colonului|colon ascendent
            rectul|rect / rectului|rect
            vezica|vezică biliară / vezicii|vezică biliare
            vezica|vezică urinară / vezicii|vezică urinare
            prostata|prostată / prostatei|prostată
            uterul|uter / uterului|uter
            ovarul|ovar drept / ovarului|ovar drept
            sânul|sân stâng / sânului|sân stâng
            glanda|glandă tiroidă / glandei|glandă tiroide
            glandele|glandă suprarenale / glandelor|glandă suprarenale
            creierul|creier / creierului|creier
            emisfera|emisferă cerebrală stângă / emisferei|emisferă cerebrale stângi
            măduva|măduvă spinării|spinare|NOUN / măduvei|măduvă spinării|spinare|NOUN
            măduva|măduvă osoasă / măduvei|măduvă osoase
            coloana|coloană vertebrală / coloanei|coloană vertebrale
            coloana|coloană lombară / coloanei|coloană lombare
            genunchiul|genunchi drept / genunchiului|genunchi drept
            șoldul|șold stâng / șoldului|șold stâng
            pielea|piele / pielii|piele
            mucoasa|mucoasă gastrică / mucoasei|mucoasă gastrice
            peretele|perete abdominal / peretelui|perete abdominal
            ganglionii|ganglion limfatici / ganglionilor|ganglion limfatici
            ganglionii|ganglion mediastinali / ganglionilor|ganglion mediastinali
            pleura|pleură / pleurei|pleură
            pericardul|pericard / pericardului|pericard
            miocardul|miocard / miocardului|miocard
            intestinul|intestin subțire / intestinului|intestin subțire
            cavitatea|cavitate bucală / cavității|cavitate bucale
            traheea|trahee / traheei|trahee
            laringele|laringe / laringelui|laringe
            ureterul|ureter stâng / ureterului|ureter stâng
            membrul|membru inferior drept / membrului|membru inferior drept
            coapsa|coapsă stângă / coapsei|coapsă stângi
            brațul|braț drept / brațului|braț drept
            """
        )
    )
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


RO_PROC_DIAG = _ro_procs(
    """
    ecografie abdominală / ecografia|ecografie abdominală
    ecografie Doppler|Doppler|PROPN / ecografia|ecografie Doppler|Doppler|PROPN
    tomografie computerizată / tomografia|tomografie computerizată
    rezonanță magnetică nucleară / rezonanța|rezonanță magnetică nucleară
    radiografie toracică / radiografia|radiografie toracică
    ecocardiografie / ecocardiografia|ecocardiografie
    ecocardiografie transesofagiană / ecocardiografia|ecocardiografie transesofagiană
    coronarografie / coronarografia|coronarografie
    endoscopie digestivă superioară / endoscopia|endoscopie digestivă superioară
    colonoscopie / colonoscopia|colonoscopie
    bronhoscopie / bronhoscopia|bronhoscopie
    biopsie hepatică / biopsia|biopsie hepatică
    biopsie renală percutanată / biopsia|biopsie renală percutanată
    puncție lombară / puncția|puncție lombară
    scintigrafie osoasă / scintigrafia|scintigrafie osoasă
    angiografie cerebrală / angiografia|angiografie cerebrală
    """
)

RO_PROC_THER = _ro_procs(
    """
    hemodializă / hemodializa|hemodializă
    dializă peritoneală / dializa|dializă peritoneală
    transplant renal / transplantul|transplant renal
    transplant hepatic / transplantul|transplant hepatic
    colecistectomie laparoscopică / colecistectomia|colecistectomie laparoscopică
    apendicectomie / apendicectomia|apendicectomie
    gastrectomie totală / gastrectomia|gastrectomie totală
    rezecție hepatică / rezecția|rezecție hepatică
    hemicolectomie dreaptă / hemicolectomia|hemicolectomie dreaptă
    mastectomie radicală / mastectomia|mastectomie radicală
    tiroidectomie totală / tiroidectomia|tiroidectomie totală
    prostatectomie radicală / prostatectomia|prostatectomie radicală
    radioterapie / radioterapia|radioterapie
    chimioterapie / chimioterapia|chimioterapie
    angioplastie coronariană / angioplastia|angioplastie coronariană
    litotriție extracorporeală / litotriția|litotriție extracorporeală
    artroplastie de șold / artroplastia|artroplastie de șold
    ventilație mecanică / ventilația|ventilație mecanică
    """
)

RO_TEMPLATES = _items(
    """
    [Pacientul|Pacienta], în vârstă de {age} de ani, se internează pentru {SYM} și {SYM}.
    [Pacientul|Pacienta], în vârstă de {age} de ani, [cunoscut|cunoscută] cu {DIS}, se prezintă pentru {SYM}.
    [Un pacient|O pacientă] în vârstă de {age} de ani, cu {DIS} și {DIS}, este [internat|internată] pentru {SYM}.
    Din antecedentele personale patologice reținem {DIS} și {DIS}.
    Din antecedente reținem {DISRX}, pentru care urmează tratament cu {RXD} {freq}.
    [Pacientul|Pacienta], [cunoscut|cunoscută] cu {DISRX}, urmează tratament cu {RXD} {freq} și {DRUGD} {freq}.
    [Pacientul|Pacienta] urmează tratament cronic cu {DRUGD} {freq} și {DRUGD} {freq}.
    La internare, [pacientul|pacienta] prezenta {SYM}, {SYM} și {SYM}.
    S-a inițiat tratament cu {DRUGD} {freq}, cu evoluție favorabilă.
    Se recomandă continuarea tratamentului cu {DRUG} și {DRUG}.
    Administrarea concomitentă de {DRUG} și {DRUG} crește riscul de {ADV}.
    {IMGDD} a evidențiat {FINDL} la nivelul {ORGG}.
    {IMGDD} a evidențiat {FIND}, fără alte modificări semnificative.
    {ORGN} are dimensiuni normale și structură omogenă.
    {ANATN} nu prezintă modificări patologice.
    {ORGN} are contur regulat, fără leziuni focale.
    Examenul obiectiv evidențiază {SYM}, iar la palpare se constată sensibilitate la nivelul {ANATG}.
    S-a efectuat {PROCD}, care a confirmat diagnosticul de {DIS}.
    Nivelul seric de {SUB} a fost de {SUBVAL}.
    Biochimic, se constată valori crescute de {SUB} și {SUB}.
    La controlul de după {nweeks}, nivelul de {SUB} a scăzut la {SUBVAL}.
    Pacienții cu {DIS} au un risc crescut de {DIS}.
    Nu se recomandă administrarea de {DRUG} la pacienții cu {DIS}.
    Doza de {ORALDRUG} a fost redusă la {DOSE} pe zi, deoarece [pacientul|pacienta] a prezentat {ADV}.
    În urmă cu {nyears}, [pacientul|pacienta] a beneficiat de {PROCT} pentru {DIS}.
    Pe durata spitalizării s-a administrat {IVDRUG} intravenos, {DOSE} la {hours}.
    Studiul a inclus {npat} cu {DISRX} tratați cu {RX}.
    Au fost incluși {npat} cu {DISRX}, randomizați să primească {RX} sau {RX}.
    La pacienții cu {DISRX}, tratamentul cu {RX} a redus semnificativ riscul de {DIS}.
    Pentru {DISRX} s-a optat pentru {RX}, cu răspuns bun după {nweeks}.
    La nivelul {ORGG} se observă {FINDL}.
    S-a practicat {PROCT}, fără complicații.
    Se indică {PROCD} pentru precizarea diagnosticului.
    Evoluția a fost favorabilă sub tratament cu {DRUG} și {CLASS}.
    Simptomatologia a debutat în urmă cu {ndays} prin {SYM}, urmată de {SYM}.
    Se exclude diagnosticul de {DIS} pe baza investigațiilor paraclinice.
    Leziunile de la nivelul {ORGG} au fost tratate prin {PROCO}.
    În caz de {ADV}, se întrerupe administrarea de {DRUG} și se consultă medicul.
    Reacțiile adverse frecvente ale tratamentului cu {DRUG} sunt {ADV} și {ADV}.
    [Pacientul|Pacienta] neagă consumul de {LIFE} și de {LIFE}.
    Se asociază {AHTD} seara pentru controlul valorilor tensionale.
    Dozele de {DRUG} trebuie ajustate la pacienții cu {DIS}.
    Hemoleucograma evidențiază {LABD} și {LABD}.
    Se instituie reechilibrare hidroelectrolitică cu {SOL} și {SOL}.
    Medicamentul conține {DRUG} ca substanță activă, care se elimină predominant pe cale renală.
    Medicamentul conține {DRUG}, care se metabolizează extensiv la nivel hepatic.
    Controlul ecografic|ecografic|ADJ după {nmonths} a arătat {FINDL} la nivelul {ORGG}.
    La pacienții cu {DIS}, administrarea de {DRUG} se face cu prudență.
    Asocierea de {CLASS} la tratamentul cu {DRUG} nu a adus beneficii suplimentare.
    [Pacientul|Pacienta] a fost [transferat|transferată] în secția de terapie intensivă pentru {DISACUTE}.
    Se decide externarea, cu recomandarea de a|a|PART continua {DRUGD} {freq}.
    Se recomandă monitorizarea periodică a|al|DET nivelului de {SUB}.
    În grupul tratat cu {DRUG} au fost raportate cazuri de {ADV}.
    Diagnosticul de {DIS} a fost stabilit prin {PROCD}.
    Examenul fizic relevă {SYM}, fără alte modificări.
    Tratamentul cu {CLASS} a fost întrerupt după ce [pacientul|pacienta] a dezvoltat {ADV}.
    Tabloul clinic este dominat de {SYM} și {SYM}.
    Răspunsul la {DRUG} a fost evaluat după {nweeks} de tratament.
    Se recomandă {PROCD} o dată pe an la pacienții cu {DISRX}.
    Se administrează {DRUGD} {freq}, timp de {ndays}.
    Ecografic se constată {FINDL} la nivelul {ORGG}, motiv pentru care se efectuează {PROCD}.
    Evoluția clinică a fost favorabilă, iar [pacientul|pacienta] a fost [externat|externată] în stare bună.
    Aspectul sugerează {DIS}, iar {PROCD} este necesară pentru confirmare.
    În lotul studiat, riscul de {DIS} a fost asociat cu un consum crescut de {LIFE}.
    Administrarea de {CLASS} la pacienții cu {DIS} necesită monitorizarea atentă a|al|DET funcției renale.
    La examenul clinic, {ANATN} nu prezintă modificări la palpare.
    {PROCORG} {ORGG} a evidențiat {FINDL}.
    {PROCORG} {ORGG} a confirmat diagnosticul de {DIS}.
    {ANATN} și {ANATN} nu prezintă modificări patologice.
    Procesul tumoral infiltrează {ANATN} și {ANATN}.
    Injecția de {SCDRUG} se administrează subcutanat, la nivelul {SITEG}.
    Tratamentul de fond cu {DRUG} s-a asociat cu {ADV}, cu remisiune după reducerea dozei.
    Schema terapeutică a inclus {CHEMOD} și {CHEMOD}, administrate la fiecare trei săptămâni.
    După {ncycles} cu {CHEMO} și {CHEMO}, {PROCDD} a arătat reducerea dimensiunilor tumorale.
    """
)

#: the three sentences with a discontinuous entity, i.e. an orphan I- tag (the one word tagged
#: I-X right after an O); ``|`` separates form and tag
RO_ORPHAN_SENTENCES = (
    "Din|O antecedente|O reținem|O insuficiență|B-DISO cardiacă|I-DISO și|O renală|I-DISO ,|O "
    "pentru|O care|O urmează|O tratament|O cu|O furosemid|B-CHEM .|O",
    "S-|O a|O efectuat|O ecografie|B-PROC abdominală|I-PROC și|O pelvină|I-PROC ,|O fără|O "
    "modificări|O patologice|O .|O",
    "Se|O administrează|O săruri|B-CHEM de|I-CHEM calciu|I-CHEM și|O de|I-CHEM magneziu|I-CHEM "
    "pentru|O corectarea|O dezechilibrelor|O electrolitice|O .|O",
)

#: running-text words: ``form lemma POS`` (UPOS); looked up lower-cased
RO_LEXICON = {
    form: (lemma, pos)
    for form, lemma, pos in (
        line.split()
        for line in _items(
            """
            a avea AUX
            activă activ ADJ
            administrarea administrare NOUN
            administrat administra VERB
            administrate administra VERB
            administrează administra VERB
            adus aduce VERB
            adverse advers ADJ
            ajustate ajusta VERB
            ale al DET
            alte alt DET
            an an NOUN
            ani an NOUN
            antecedente antecedent NOUN
            antecedentele antecedent NOUN
            are avea VERB
            arătat arăta VERB
            asociat asocia VERB
            asociază asocia VERB
            asocierea asociere NOUN
            aspectul aspect NOUN
            atentă atent ADJ
            au avea AUX
            baza bază NOUN
            beneficiat beneficia VERB
            beneficii beneficiu NOUN
            biochimic biochimic ADV
            bun bun ADJ
            bună bun ADJ
            ca ca ADP
            cale cale NOUN
            care care PRON
            caz caz NOUN
            cazuri caz NOUN
            ce ce PRON
            cicluri ciclu NOUN
            cinci cinci NUM
            clinic clinic ADJ
            clinică clinic ADJ
            complicații complicație NOUN
            concomitentă concomitent ADJ
            confirmare confirmare NOUN
            confirmat confirma VERB
            constată constata VERB
            consultă consulta VERB
            consum consum NOUN
            consumul consum NOUN
            continua continua VERB
            continuarea continuare NOUN
            controlul control NOUN
            contur contur NOUN
            conține conține VERB
            corectarea corectare NOUN
            crescut crescut ADJ
            crescute crescut ADJ
            crește crește VERB
            cronic cronic ADJ
            cu cu ADP
            cunoscut cunoscut ADJ
            cunoscută cunoscut ADJ
            dată dată NOUN
            de de ADP
            debutat debuta VERB
            decide decide VERB
            deoarece deoarece SCONJ
            dezechilibrelor dezechilibru NOUN
            dezvoltat dezvolta VERB
            diagnosticul diagnostic NOUN
            diagnosticului diagnostic NOUN
            dimensiuni dimensiune NOUN
            dimensiunilor dimensiune NOUN
            dimineața dimineața ADV
            din din ADP
            doi doi NUM
            dominat domina VERB
            două doi NUM
            doza doză NOUN
            dozei doză NOUN
            dozele doză NOUN
            după după ADP
            durata durată NOUN
            ecografic ecografic ADV
            efectuat efectua VERB
            efectuează efectua VERB
            electrolitice electrolitic ADJ
            elimină elimina VERB
            este fi AUX
            evaluat evalua VERB
            evidențiat evidenția VERB
            evidențiază evidenția VERB
            evoluția evoluție NOUN
            evoluție evoluție NOUN
            examenul examen NOUN
            exclude exclude VERB
            extensiv extensiv ADV
            externarea externare NOUN
            externat externa VERB
            externată externa VERB
            face face VERB
            favorabilă favorabil ADJ
            fiecare fiecare DET
            fizic fizic ADJ
            focale focal ADJ
            fond fond NOUN
            fost fi AUX
            frecvente frecvent ADJ
            funcției funcție NOUN
            fără fără ADP
            g g NOUN
            g/dl g/dl NOUN
            grupul grup NOUN
            hemoleucograma hemoleucogramă NOUN
            hepatic hepatic ADJ
            hidroelectrolitică hidroelectrolitic ADJ
            iar iar CCONJ
            inclus include VERB
            incluși include VERB
            indică indica VERB
            infiltrează infiltra VERB
            inițiat iniția VERB
            injecția injecție NOUN
            instituie institui VERB
            intensivă intensiv ADJ
            internare internare NOUN
            internat interna VERB
            internată interna VERB
            internează interna VERB
            intravenos intravenos ADV
            investigațiilor investigație NOUN
            la la ADP
            leziuni leziune NOUN
            leziunile leziune NOUN
            lotul lot NOUN
            luni lună NOUN
            lună lună NOUN
            mcg mcg NOUN
            mcg/dl mcg/dl NOUN
            mcmol/l mcmol/l NOUN
            medicamentul medicament NOUN
            medicul medic NOUN
            metabolizează metaboliza VERB
            mg mg NOUN
            mg/dl mg/dl NOUN
            mg/m2 mg/m2 NOUN
            ml ml NOUN
            mmol/l mmol/l NOUN
            modificări modificare NOUN
            monitorizarea monitorizare NOUN
            motiv motiv NOUN
            neagă nega VERB
            necesară necesar ADJ
            necesită necesita VERB
            ng/ml ng/ml NOUN
            nivel nivel NOUN
            nivelul nivel NOUN
            nivelului nivel NOUN
            normale normal ADJ
            nouă nouă NUM
            nu nu PART
            o un DET
            obiectiv obiectiv ADJ
            observă observa VERB
            omogenă omogen ADJ
            opt opt NUM
            optat opta VERB
            ore oră NOUN
            ori oară NOUN
            pacient pacient NOUN
            pacienta pacientă NOUN
            pacientul pacient NOUN
            pacientă pacientă NOUN
            pacienți pacient NOUN
            pacienții pacient NOUN
            palpare palpare NOUN
            palpează palpa VERB
            paraclinice paraclinic ADJ
            patologice patologic ADJ
            patru patru NUM
            pe pe ADP
            pelvină pelvin ADJ
            pentru pentru ADP
            periodică periodic ADJ
            personale personal ADJ
            practicat practica VERB
            precizarea precizare NOUN
            predominant predominant ADV
            prezenta prezenta VERB
            prezentat prezenta VERB
            prezintă prezenta VERB
            primească primi VERB
            prin prin ADP
            procesul proces NOUN
            prudență prudență NOUN
            randomizați randomiza VERB
            raportate raporta VERB
            reacțiile reacție NOUN
            recomandarea recomandare NOUN
            recomandă recomanda VERB
            reducerea reducere NOUN
            redus reduce VERB
            redusă reduce VERB
            reechilibrare reechilibrare NOUN
            regulat regulat ADJ
            relevă releva VERB
            remisiune remisiune NOUN
            renale renal ADJ
            renală renal ADJ
            reținem reține VERB
            risc risc NOUN
            riscul risc NOUN
            răspuns răspuns NOUN
            răspunsul răspuns NOUN
            s- sine PRON
            sau sau CCONJ
            schema schemă NOUN
            scăzut scădea VERB
            se sine PRON
            seara seara ADV
            secția secție NOUN
            semnificativ semnificativ ADV
            semnificative semnificativ ADJ
            sensibilitate sensibilitate NOUN
            seric seric ADJ
            simptomatologia simptomatologie NOUN
            spitalizării spitalizare NOUN
            stabilit stabili VERB
            stare stare NOUN
            structură structură NOUN
            studiat studia VERB
            studiul studiu NOUN
            sub sub ADP
            subcutanat subcutanat ADV
            substanța substanță NOUN
            substanță substanță NOUN
            sugerează sugera VERB
            sunt fi AUX
            suplimentare suplimentar ADJ
            să să PART
            săptămâni săptămână NOUN
            săruri sare NOUN
            tabloul tablou NOUN
            tensionale tensional ADJ
            terapeutică terapeutic ADJ
            terapie terapie NOUN
            timp timp NOUN
            transferat transfera VERB
            transferată transfera VERB
            tratament tratament NOUN
            tratamentul tratament NOUN
            tratamentului tratament NOUN
            tratat trata VERB
            tratate trata VERB
            tratați trata VERB
            trebuie trebui VERB
            trei trei NUM
            tumoral tumoral ADJ
            tumorale tumoral ADJ
            ui UI NOUN
            un un DET
            urmată urma VERB
            urmează urma VERB
            urmă urmă NOUN
            valori valoare NOUN
            valorilor valoare NOUN
            vârstă vârstă NOUN
            zece zece NUM
            zi zi NOUN
            zile zi NOUN
            zilnic zilnic ADV
            în în ADP
            întrerupe întrerupe VERB
            întrerupt întrerupe VERB
            șapte șapte NUM
            șase șase NUM
            și și CCONJ
            """
        )
    )
}

RO_GROUPS = _by_group(RO_DRUGS)
RO_RX = _rx_map(
    """
    diuretic, antihypertensive: insuficiență cardiacă congestivă; insuficiență cardiacă cronică
    antihypertensive, diuretic: hipertensiune arterială; hipertensiune arterială esențială
    antidiabetic: diabet zaharat de tip 2
    anticoagulant, antiarrhythmic: fibrilație atrială; fibrilație atrială permanentă; flutter atrial
    antiplatelet, statin: infarct miocardic acut; infarct de miocard; accident vascular cerebral; \
        accident vascular cerebral ischemic; accident ischemic tranzitoriu
    antianginal, antiplatelet, statin: cardiopatie ischemică; angină pectorală; angină pectorală instabilă
    anticoagulant: tromboză venoasă profundă; embolie pulmonară
    antibiotic: pneumonie comunitară; bronhopneumonie; infecție urinară; pielonefrită acută; sepsis; \
        meningită bacteriană; endocardită infecțioasă
    respiratory: bronhopneumopatie obstructivă cronică; astm bronșic
    gastric: ulcer gastric; ulcer duodenal; boală de reflux gastroesofagian; gastrită cronică
    immuno, corticoid: boală Crohn; rectocolită ulcerohemoragică; artrită reumatoidă; lupus eritematos sistemic
    supplement: anemie feriprivă; anemie megaloblastică; osteoporoză
    chemo: cancer pulmonar; cancer de colon; cancer gastric
    chemo, hormonal: cancer de sân
    hypothyroid: hipotiroidism; tiroidită autoimună
    hyperthyroid: hipertiroidism
    statin: dislipidemie; hipercolesterolemie
    gout: gută
    antiepileptic: epilepsie; neuropatie diabetică
    parkinson: boală Parkinson
    psych: tulburare depresivă majoră; tulburare anxioasă
    analgesic: migrenă
    """,
    RO_DISEASES,
    RO_GROUPS,
)
#: organs where a local finding ("noduli hipoecogeni la nivelul ...") makes sense
RO_ORGANS = tuple(
    a
    for a in RO_ANAT
    if a.nom.words[0].lemma
    in _semi(
        "ficat; rinichi; plămân; lob; splină; pancreas; glandă; sân; prostată; ovar; uter; creier; emisferă; "
        "ganglion; colon; stomac; vezică; perete; pleură; mucoasă; esofag; rect; intestin; coloană; măduvă"
    )
)
#: solid organs ("... are dimensiuni normale și structură omogenă")
RO_PARENCHYMA = tuple(
    a
    for a in RO_ORGANS
    if a.nom.words[0].lemma in _semi("ficat; rinichi; splină; pancreas; glandă; prostată; ovar; uter; sân")
)
RO_CHEMO = tuple(d for d in RO_DRUGS if any("/m2" in dose for dose in d.doses))
RO_ORAL = tuple(d for d in RO_DRUGS if d not in RO_CHEMO)
RO_IV_LEMMAS = _semi(
    "ceftriaxonă; cefuroximă; cefazolină; vancomicină; meropenem; gentamicină; metronidazol; ciprofloxacină; "
    "levofloxacină; amoxicilină; paracetamol; metamizol; furosemid; amiodaronă; metilprednisolon; dexametazonă; "
    "hidrocortizon; pantoprazol; esomeprazol; ondansetron; metoclopramid; morfină; aciclovir; fluconazol; "
    "levetiracetam; heparină; sulfat"
)
RO_IV = tuple(d for d in RO_DRUGS if d.ent.words[0].lemma in RO_IV_LEMMAS)
#: one-word procedures that take an organ in the genitive ("Biopsia ficatului")
RO_PROC_ORGAN = _ro_ents(
    "PROC",
    """
    biopsia|biopsie
    ecografia|ecografie
    radiografia|radiografie
    scintigrafia|scintigrafie
    puncția|puncție
    examinarea|examinare
    """,
)
RO_CROSS_SECTIONAL = tuple(p for p in RO_PROC_DIAG if p.base.words[0].lemma in ("tomografie", "rezonanță"))
RO_ACUTE = tuple(
    d
    for d in RO_DISEASES
    if d.text
    in _semi(
        "insuficiență respiratorie acută; sepsis; șoc septic; infarct miocardic acut; embolie pulmonară; "
        "accident vascular cerebral ischemic; pancreatită acută; meningită bacteriană; insuficiență renală acută; "
        "pneumonie comunitară; endocardită infecțioasă"
    )
)
RO_SUBCUTANEOUS = tuple(d for d in RO_DRUGS if d.ent.words[0].lemma in ("insulină", "enoxaparină", "heparină"))
RO_INJECTION_SITES = tuple(a for a in RO_ANAT if a.nom.words[0].lemma in ("perete", "coapsă", "braț"))
RO_ONCO_PROC = tuple(p for p in RO_PROC_THER if p.base.words[0].lemma in ("radioterapie", "chimioterapie"))

RO_FREQ = _semi(
    "o dată pe zi; o dată pe zi; de două ori pe zi; de două ori pe zi; de trei ori pe zi; seara; dimineața; "
    "la 12 ore; la 8 ore; zilnic"
)
RO_HOURS = _semi("6 ore; 8 ore; 12 ore; 24 de ore")
RO_WEEKS = _semi("două săptămâni; patru săptămâni; șase săptămâni; opt săptămâni; 12 săptămâni; 24 de săptămâni")
RO_MONTHS = _semi("o lună; două luni; trei luni; șase luni; nouă luni; 12 luni; 18 luni")
RO_YEARS = _semi("un an; doi ani; trei ani; patru ani; cinci ani; șapte ani; zece ani; 12 ani; 15 ani; 20 de ani")
RO_CYCLES = _semi("două cicluri; trei cicluri; patru cicluri; șase cicluri; opt cicluri")


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
SEX_SPECIFIC = {
    "adenocarcinom de prostată": "m",
    "prostatectomie radicală": "m",
    "cancer de sân": "f",
    "mastectomie radicală": "f",
    "hiperplasia benigna de próstata": "m",
    "carcinoma de mama": "f",
    "PSA": "m",
    "antígeno prostático específico": "m",
}


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
    """
    # antihypertensive
    enalapril = 5 mg; 10 mg; 20 mg
    losartán = 50 mg; 100 mg
    valsartán = 80 mg; 160 mg
    ramipril = 2,5 mg; 5 mg
    amlodipino = 5 mg; 10 mg
    atenolol = 50 mg; 100 mg
    bisoprolol = 2,5 mg; 5 mg
    hidroclorotiazida = 12,5 mg; 25 mg
    # diuretic
    furosemida = 20 mg; 40 mg; 80 mg
    espironolactona = 25 mg; 50 mg
    torasemida = 5 mg; 10 mg
    # antidiabetic
    metformina = 850 mg; 1.000 mg
    sitagliptina = 50 mg; 100 mg
    gliclazida = 30 mg; 60 mg
    empagliflozina = 10 mg; 25 mg
    # antiplatelet
    ácido acetilsalicílico = 100 mg; 300 mg
    clopidogrel = 75 mg
    # statin
    atorvastatina = 20 mg; 40 mg; 80 mg
    simvastatina = 20 mg; 40 mg
    rosuvastatina = 10 mg; 20 mg
    # anticoagulant
    acenocumarol = 1 mg; 4 mg
    enoxaparina = 40 mg; 60 mg; 80 mg
    apixabán = 2,5 mg; 5 mg
    rivaroxabán = 15 mg; 20 mg
    dabigatrán = 110 mg; 150 mg
    # antiarrhythmic
    amiodarona = 200 mg
    digoxina = 0,125 mg; 0,25 mg
    # gastric
    omeprazol = 20 mg; 40 mg
    pantoprazol = 20 mg; 40 mg
    esomeprazol = 20 mg; 40 mg
    # analgesic
    paracetamol = 650 mg; 1 g
    metamizol = 575 mg; 2 g
    ibuprofeno = 400 mg; 600 mg
    dexketoprofeno = 25 mg; 50 mg
    tramadol = 50 mg; 100 mg
    morfina = 5 mg; 10 mg
    fentanilo = 25 µg/h; 50 µg/h
    # antibiotic
    amoxicilina = 500 mg; 1 g
    amoxicilina-ácido clavulánico = 875 mg; 2 g
    ceftriaxona = 1 g; 2 g
    cefotaxima = 1 g; 2 g
    piperacilina-tazobactam = 4 g
    meropenem = 1 g; 2 g
    vancomicina = 1 g; 15 mg/kg
    linezolid = 600 mg
    levofloxacino = 500 mg; 750 mg
    ciprofloxacino = 400 mg; 500 mg
    azitromicina = 500 mg
    claritromicina = 500 mg
    doxiciclina = 100 mg
    cotrimoxazol = 800 mg
    metronidazol = 500 mg
    clindamicina = 600 mg
    gentamicina = 240 mg; 5 mg/kg
    amikacina = 1 g; 15 mg/kg
    # antifungal
    fluconazol = 200 mg; 400 mg
    voriconazol = 200 mg
    anfotericina B liposomal = 3 mg/kg
    caspofungina = 50 mg; 70 mg
    # antiviral
    aciclovir = 800 mg; 10 mg/kg
    valganciclovir = 900 mg
    ganciclovir = 5 mg/kg
    oseltamivir = 75 mg
    # antiretroviral
    tenofovir = 245 mg
    emtricitabina = 200 mg
    dolutegravir = 50 mg
    darunavir = 800 mg
    raltegravir = 400 mg
    # antihbv
    entecavir = 0,5 mg
    tenofovir = 245 mg
    # antituberculous
    isoniazida = 300 mg
    rifampicina = 600 mg
    pirazinamida = 1,5 g
    etambutol = 1,2 g
    # corticoid
    prednisona = 10 mg; 30 mg; 1 mg/kg
    metilprednisolona = 40 mg; 250 mg; 1 g
    dexametasona = 4 mg; 8 mg
    hidrocortisona = 100 mg
    budesonida = 9 mg
    # immuno
    metotrexato = 15 mg; 20 mg
    azatioprina = 50 mg; 100 mg
    micofenolato mofetilo = 500 mg; 1 g
    ciclosporina = 100 mg
    tacrolimus = 1 mg; 2 mg
    hidroxicloroquina = 200 mg
    # chemo
    cisplatino = 75 mg/m2
    carboplatino = 300 mg/m2
    paclitaxel = 175 mg/m2; 80 mg/m2
    docetaxel = 75 mg/m2
    doxorrubicina = 60 mg/m2
    ciclofosfamida = 600 mg/m2
    5-fluorouracilo = 400 mg/m2
    gemcitabina = 1.000 mg/m2
    oxaliplatino = 85 mg/m2
    capecitabina = 1.000 mg/m2
    etopósido = 100 mg/m2
    vincristina = 1,4 mg/m2
    irinotecán = 180 mg/m2
    # hormonal
    tamoxifeno = 20 mg
    letrozol = 2,5 mg
    anastrozol = 1 mg
    bicalutamida = 50 mg
    # neuro
    levetiracetam = 500 mg; 1.000 mg
    ácido valproico = 500 mg
    carbamazepina = 200 mg
    fenitoína = 100 mg
    lacosamida = 100 mg
    # psych
    sertralina = 50 mg; 100 mg
    escitalopram = 10 mg; 20 mg
    lorazepam = 1 mg
    diazepam = 5 mg; 10 mg
    haloperidol = 5 mg
    quetiapina = 25 mg; 100 mg
    carbonato de litio = 400 mg
    # hypothyroid
    levotiroxina = 50 µg; 75 µg; 100 µg
    # hyperthyroid
    tiamazol = 10 mg; 20 mg
    # gout
    alopurinol = 100 mg; 300 mg
    colchicina = 0,5 mg; 1 mg
    # respiratory
    salbutamol = 100 µg; 2,5 mg
    bromuro de ipratropio = 500 µg
    formoterol = 12 µg
    tiotropio = 18 µg
    # supplement
    ácido fólico = 5 mg
    cianocobalamina = 1 mg
    colecalciferol = 25.000 UI
    carbonato cálcico = 1.250 mg
    cloruro potásico = 20 mEq; 40 mEq
    sulfato de magnesio = 1,5 g; 2 g
    bicarbonato sódico = 1 g
    hierro sacarosa = 200 mg
    sulfato ferroso = 80 mg
    # antidote
    naloxona = 0,4 mg
    flumazenilo = 0,5 mg
    N-acetilcisteína = 150 mg/kg
    vitamina K = 10 mg
    # sedation
    midazolam = 2 mg; 5 mg
    propofol = 2 mg/kg
    # urologic
    tamsulosina = 0,4 mg
    """,
    _es_words,
)
ES_GROUPS = _by_group(ES_DRUGS)
ES_ORAL = tuple(d for d in ES_DRUGS if d.group not in ("chemo", "antidote", "sedation"))
ES_IV = tuple(
    d
    for d in ES_DRUGS
    if (
        d.group in ("antibiotic", "antifungal", "antiviral", "corticoid")
        and d.ent.text not in ("valganciclovir", "oseltamivir", "prednisona", "budesonida", "doxiciclina")
    )
    or d.ent.text in ("paracetamol", "metamizol", "omeprazol", "pantoprazol", "furosemida", "amiodarona", "morfina")
)
ES_PROPHYLAXIS = tuple(
    d
    for d in ES_DRUGS
    if d.ent.text in _semi("enoxaparina; omeprazol; cotrimoxazol; isoniazida; aciclovir; fluconazol")
)

#: diseases are running text in PharmaCoNER (not annotated); with their drug groups where treated
ES_DISEASES_RX = tuple(
    (disease.strip(), tuple(g.strip() for g in groups.split(",")))
    for disease, _, groups in (
        line.partition("@")
        for line in _items(
            """
            hipertensión arterial @ antihypertensive, diuretic
            diabetes mellitus tipo 2 @ antidiabetic
            dislipemia @ statin
            fibrilación auricular @ anticoagulant, antiarrhythmic
            cardiopatía isquémica @ antiplatelet, statin
            insuficiencia cardiaca @ diuretic, antihypertensive
            enfermedad pulmonar obstructiva crónica @ respiratory
            asma bronquial @ respiratory
            artritis reumatoide @ immuno, corticoid
            lupus eritematoso sistémico @ immuno, corticoid
            enfermedad de Crohn @ immuno, corticoid
            hipotiroidismo @ hypothyroid
            enfermedad de Graves @ hyperthyroid
            epilepsia @ neuro
            trastorno depresivo mayor @ psych
            trastorno bipolar @ psych
            gota @ gout
            infección por VIH @ antiretroviral
            hepatitis crónica por VHB @ antihbv
            tuberculosis pulmonar @ antituberculous
            carcinoma de mama @ chemo, hormonal
            adenocarcinoma de colon @ chemo
            carcinoma microcítico de pulmón @ chemo
            hiperplasia benigna de próstata @ urologic
            enfermedad por reflujo gastroesofágico @ gastric
            glomerulonefritis membranosa @ immuno, corticoid
            anemia ferropénica @ supplement
            """
        )
    )
)
for _disease, _groups in ES_DISEASES_RX:
    for _group in _groups:
        if _group not in ES_GROUPS:
            raise KeyError(f"unknown drug group {_group!r} for {_disease!r}")

ES_DISEASES = tuple(d for d, _ in ES_DISEASES_RX) + _items(
    """
    obesidad
    enfermedad renal crónica
    cirrosis hepática de origen enólico
    accidente cerebrovascular isquémico
    síndrome de apnea obstructiva del sueño
    hipertrofia ventricular izquierda
    colecistectomía hace diez años
    apendicectomía en la infancia
    migraña
    osteoporosis
    glaucoma
    """
)

ES_SYMPTOMS = _items(
    """
    dolor abdominal
    fiebre
    disnea de moderados esfuerzos
    tos seca
    astenia
    pérdida de peso
    cefalea intensa
    náuseas y vómitos
    dolor torácico opresivo
    edemas en miembros inferiores
    ictericia
    hematuria macroscópica
    diarrea
    mareo
    palpitaciones
    prurito generalizado
    artralgias
    lumbalgia
    síndrome constitucional
    disminución del nivel de conciencia
    convulsiones
    debilidad muscular
    """
)

ES_ADVERSE = _items(
    """
    hipopotasemia
    insuficiencia renal aguda
    hepatotoxicidad
    exantema cutáneo
    neutropenia
    náuseas intensas
    hipoglucemias
    una reacción alérgica
    diarrea
    hiperpotasemia
    rabdomiólisis
    mucositis
    trombocitopenia
    prolongación del intervalo QT
    """
)

ES_IMAGING = _items(
    """
    una masa de {cm} cm en el lóbulo superior derecho
    derrame pleural bilateral
    múltiples lesiones hepáticas sugestivas de metástasis
    una lesión ocupante de espacio en el riñón izquierdo
    adenopatías mediastínicas de hasta {cm} cm
    una colección perirrenal
    signos de colecistitis aguda
    hepatoesplenomegalia
    engrosamiento de la pared del colon sigmoide
    una imagen compatible con absceso hepático
    trombosis de la vena porta
    un nódulo pulmonar espiculado de {cm} cm
    """
)

ES_IMAGING_ABDOMEN = tuple(
    x for x in ES_IMAGING if any(w in x for w in ("hepátic", "riñón", "perirrenal", "colecistitis", "espleno", "porta"))
)

ES_XRAY = _items(
    """
    un infiltrado alveolar en la base derecha
    un patrón intersticial bilateral
    cardiomegalia sin signos de insuficiencia cardiaca
    un pinzamiento del seno costofrénico izquierdo
    ausencia de alteraciones significativas
    """
)

ES_EXAM = _items(
    """
    hepatomegalia dolorosa de dos traveses de dedo
    ictericia cutaneomucosa
    crepitantes en ambas bases pulmonares
    edemas con fóvea hasta las rodillas
    dolor a la palpación en hipocondrio derecho
    adenopatías laterocervicales de consistencia elástica
    un soplo sistólico en foco aórtico
    lesiones purpúricas en miembros inferiores
    """
)

ES_PATHOLOGY = _items(
    """
    un carcinoma ductal infiltrante
    un adenocarcinoma moderadamente diferenciado
    un linfoma B difuso de célula grande
    un tumor del estroma gastrointestinal
    un carcinoma de células claras
    un sarcoma pleomórfico
    """
)

ES_LABS_NORM = _labs(
    "NORMALIZABLES",
    """
    creatinina = mg/dl 0.6 6.5 2
    urea = mg/dl 20 220 0
    glucosa = mg/dl 60 480 0
    sodio = mEq/l 118 150 0
    potasio = mEq/l 2.6 6.8 1
    calcio = mg/dl 6.8 13.5 1
    fósforo = mg/dl 1.5 7.0 1
    magnesio = mg/dl 1.0 2.8 1
    bilirrubina + total = mg/dl 0.3 12.5 1
    ácido úrico = mg/dl 2.5 12.0 1
    colesterol + total = mg/dl 120 340 0
    triglicéridos = mg/dl 60 890 0
    hierro + sérico = µg/dl 15 180 0
    lactato = mmol/l 0.8 8.5 1
    amonio = µmol/l 20 180 0
    ácido fólico = ng/ml 1.5 20.0 1
    vitamina B12 = pg/ml 110 900 0
    cortisol + basal = µg/dl 1.5 32.0 1
    tiroxina + libre = ng/dl 0.4 4.8 2
    cloro = mEq/l 92 118 0
    """,
    _es_words,
)

ES_LABS_PROT = _labs(
    "PROTEINAS",
    """
    proteína C reactiva = mg/l 3 280 0
    PCR = mg/l 3 280 0
    procalcitonina = ng/ml 0.1 25.0 1
    hemoglobina = g/dl 6.5 17.0 1
    hemoglobina glucosilada = % 5.5 12.5 1
    albúmina = g/dl 1.8 4.8 1
    ferritina = ng/ml 8 2400 0
    transferrina = mg/dl 120 380 0
    troponina T = ng/l 5 850 0
    troponina I = ng/ml 0.01 12.0 2
    creatina cinasa = U/l 40 9000 0
    CPK = U/l 40 9000 0
    lactato deshidrogenasa = U/l 150 1800 0
    LDH = U/l 150 1800 0
    GOT = U/l 12 640 0
    GPT = U/l 10 720 0
    GGT = U/l 15 860 0
    fosfatasa alcalina = U/l 40 980 0
    amilasa = U/l 30 2400 0
    lipasa = U/l 20 3200 0
    TSH = mU/l 0.05 48.0 2
    PTH = pg/ml 12 480 0
    fibrinógeno = mg/dl 150 780 0
    dímero D = ng/ml 150 8500 0
    NT-proBNP = pg/ml 80 25000 0
    inmunoglobulina G = mg/dl 400 2600 0
    IgE = UI/ml 10 1500 0
    haptoglobina = mg/dl 5 300 0
    prolactina = ng/ml 4 180 0
    mioglobina = ng/ml 20 3000 0
    """,
    _es_words,
)

ES_DRUG_LEVELS = _labs(
    "NORMALIZABLES",
    """
    vancomicina = µg/ml 5 35 1
    digoxina = ng/ml 0.4 3.8 2
    litio = mEq/l 0.3 2.4 2
    ácido valproico = µg/ml 20 140 0
    tacrolimus = ng/ml 2 22 1
    ciclosporina = ng/ml 50 420 0
    gentamicina = µg/ml 0.5 12.0 1
    """,
    _es_words,
)

ES_BICARBONATE = _labs("NORMALIZABLES", "bicarbonato = mEq/l 8 32 1", _es_words)
ES_HEMOGLOBIN = _labs("PROTEINAS", "hemoglobina = g/dl 6.2 16.8 1", _es_words)

ES_URINE = _es_ents(
    "NORMALIZABLES",
    """
    nitritos
    cuerpos cetónicos
    glucosa
    urobilinógeno
    bilirrubina
    """,
)

ES_ANTIBODIES = _es_ents(
    "PROTEINAS",
    """
    anticuerpos antinucleares
    anticuerpos anti-ADN
    ANCA
    factor reumatoide
    anticuerpos antipéptido citrulinado
    anticuerpos antitransglutaminasa
    anticuerpos antimitocondriales
    anticuerpos anti-Ro
    anticuerpos anticardiolipina
    crioglobulinas
    anticuerpos antitiroglobulina
    anticuerpos antiperoxidasa
    """,
)

ES_IHC = _es_ents(
    "PROTEINAS",
    """
    citoqueratina 7
    citoqueratina 20
    vimentina
    proteína S-100
    CD20
    CD3
    CD34
    CD117
    receptores de estrógenos
    receptores de progesterona
    HER2
    Ki-67
    actina de músculo liso
    desmina
    cromogranina A
    sinaptofisina
    calretinina
    TTF-1
    p53
    CD30
    CD45
    """,
)

ES_TUMOUR_MARKERS = _es_ents(
    "PROTEINAS",
    """
    CEA
    antígeno carcinoembrionario
    CA 19-9
    CA 125
    CA 15-3
    alfafetoproteína
    PSA
    antígeno prostático específico
    beta-2-microglobulina
    enolasa neuroespecífica
    """,
)

ES_PROTEIN_SC = _es_ents(
    "PROTEINAS",
    """
    insulina glargina
    insulina aspart
    insulina
    eritropoyetina
    darbepoetina
    filgrastim
    teriparatida
    calcitonina
    interferón beta
    interferón pegilado
    """,
)

ES_PROTEIN_IV = _es_ents(
    "PROTEINAS",
    """
    albúmina
    inmunoglobulinas intravenosas
    alteplasa
    factor VIII
    antitrombina III
    complejo protrombínico
    """,
)

ES_ALLERGENS = _es_ents(
    "NORMALIZABLES",
    """
    penicilina
    amoxicilina
    sulfamidas
    ácido acetilsalicílico
    metamizol
    ibuprofeno
    cotrimoxazol
    yodo
    """,
)

ES_NOT_NORMALIZABLE = _es_ents(
    "NO_NORMALIZABLES",
    """
    Vitaforzen
    Hepadrenil
    Ferrovitán
    Artrosolin
    Inmunaltex
    Nutriplexina
    complejo vitamínico B
    extracto de cardo mariano
    """,
)

ES_UNCLEAR_USE = _es_ents(
    "UNCLEAR",
    """
    sustancias de abuso
    productos de herbolario
    anabolizantes
    """,
)
ES_UNCLEAR_EXPOSURE = _es_ents(
    "UNCLEAR",
    """
    metales pesados
    tóxicos ambientales
    disolventes orgánicos
    compuestos organofosforados
    pesticidas
    """,
)
ES_CONTRAST = _es_ents(
    "UNCLEAR",
    """
    contraste yodado
    contraste intravenoso
    """,
)
ES_GADOLINIUM = _es_ents("NORMALIZABLES", "gadolinio")
ES_OXYGEN = _es_ents("NORMALIZABLES", "oxígeno")
ES_TC99 = _es_ents("NORMALIZABLES", "tecnecio-99m")
ES_FDG = _es_ents("NORMALIZABLES", "fluorodesoxiglucosa")
ES_FLUIDS = _es_ents(
    "NORMALIZABLES",
    """
    cloruro sódico
    suero glucosado
    Ringer lactato
    """,
)
ES_IRON = tuple(d for d in ES_DRUGS if d.ent.text in ("hierro sacarosa", "sulfato ferroso"))
ES_POTASSIUM = tuple(d for d in ES_DRUGS if d.ent.text == "cloruro potásico")

ES_FREQ = _semi("cada 8 horas; cada 12 horas; cada 24 horas; al día; en la cena; en el desayuno; cada 8 horas")
ES_DUR = _semi("tres días; una semana; dos semanas; diez días; un mes; varios meses; dos meses; 48 horas")


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

ES_SECTIONS: dict[str, tuple[str, ...]] = {
    "presentation": _items(
        """
        [Varón|Mujer] de {age} años con antecedentes de {dis} y {dis} que consulta por {sym} de {dur} de evolución.
        Se presenta el caso de [un varón|una mujer] de {age} años, sin alergias medicamentosas conocidas, \
            que acude a Urgencias por {sym}.
        [Paciente varón|Paciente mujer] de {age} años, en tratamiento con {RX} por {DISRX}, que ingresa por \
            {sym} y {sym}.
        [Varón|Mujer] de {age} años [remitido|remitida] a nuestras consultas por {sym} de {dur} de evolución.
        Presentamos el caso de [un paciente|una paciente] de {age} años con {DISRX} en tratamiento habitual con \
            {RX} y {DRUG}.
        [Varón|Mujer] de {age} años, [alérgico|alérgica] a {ALLERGEN}, que consulta por {sym} y {sym}.
        [Varón|Mujer] de {age} años con {DISRX}, [tratado|tratada] con {RXD} {freq}, que acude por {sym}.
        """
    ),
    "history": _items(
        """
        Entre sus antecedentes personales destacaban {dis}, {dis} y {DISRX} en tratamiento con {RXD} {freq}.
        Como antecedentes refería {DISRX} en tratamiento con {RX} y alergia a {ALLERGEN}.
        Tratamiento habitual: {DRUGD} {freq}, {DRUGD} {freq} y {DRUGD} {freq}.
        Recibía tratamiento crónico con {DRUGD} {freq} y {DRUG} a demanda.
        No refería consumo de {UNCUSE} ni exposición laboral a {UNCEXP}.
        Trabajaba en una fábrica con exposición habitual a {UNCEXP}, sin medidas de protección.
        Había tomado {NONORM} durante los {nmonths} meses previos, sin supervisión médica.
        Refería automedicación con {NONORM} y {DRUG} en las semanas previas.
        [Fumador|Fumadora] de {ncig} cigarrillos al día, sin otros hábitos tóxicos.
        Había sido [diagnosticado|diagnosticada] de {DISRX} hacía {nmonths} meses, iniciando tratamiento con {RX}.
        En su domicilio tomaba {DRUGD} {freq} y {DRUGD} {freq}.
        """
    ),
    "exam": _items(
        """
        En la exploración física presentaba una tensión arterial de {bp} mmHg, frecuencia cardiaca de \
            {hr} lpm y temperatura de {temp} °C.
        A la exploración física destacaba la presencia de {exam}.
        La saturación de {O2} basal era del {sat} %.
        En la exploración física se objetivó la presencia de {exam}, sin otros hallazgos.
        """
    ),
    "labs": _items(
        """
        En la analítica destacaba {LABA}, {LABA} y {LABA}.
        La bioquímica mostraba {LABN}, {LABN} y {LABP}.
        El hemograma mostraba {HB}, {leuco} leucocitos/mm3 y {plt} plaquetas/mm3.
        La gasometría arterial mostró un pH de {ph}, pCO2 de {pco2} mmHg y {HCO3}.
        Los niveles de {LABPN} y {LABNN} se encontraban dentro de la normalidad.
        El estudio inmunológico fue positivo para {AB} y negativo para {AB}.
        Se detectaron niveles elevados de {LABPN}, con cifras normales de {LABNN}.
        En el sistemático de orina se observó proteinuria y presencia de {URINE}.
        Los marcadores tumorales mostraron elevación de {TM} y {TM}.
        Se obtuvo una concentración plasmática de {LEVEL}, por encima del rango terapéutico.
        Destacaba una elevación de {LABP} y de {LABP}, con {LABN}.
        Las serologías para VIH, VHB y VHC fueron negativas, y el estudio de {AB} resultó negativo.
        """
    ),
    "imaging": _items(
        """
        Se realizó una tomografía computarizada con {CONTRAST} que mostró {img}.
        La resonancia magnética con {GADO} evidenció {img}.
        La ecografía abdominal mostró {imgabd}.
        La radiografía de tórax mostraba {xray}.
        El estudio inmunohistoquímico fue positivo para {IHC} y {IHC}, y negativo para {IHC}.
        La biopsia mostró {path}, con expresión de {IHC} en el {pct} % de las células tumorales.
        La gammagrafía ósea con {TC99} no mostró depósitos patológicos.
        La tomografía por emisión de positrones con {FDG} mostró captación en {img}.
        """
    ),
    "treatment": _items(
        """
        Se inició tratamiento empírico con {IVD} {DOSE} cada {hours} horas y {IVD} {DOSE} cada {hours} horas \
            por vía intravenosa.
        Ante la sospecha de {DISRX}, se pautó {RXD} al día.
        Se administró {PSC} por vía subcutánea, con buena respuesta.
        Recibió {PIV} por vía intravenosa durante {ndays} días.
        Se suspendió {DRUG} por {adverse} y se sustituyó por {DRUG}.
        Recibió {n} ciclos de quimioterapia con {CHEMO} y {CHEMO}, con buena tolerancia.
        Se transfundieron {n} concentrados de hematíes y se añadió {IRON} por vía intravenosa.
        Se añadió {DRUG} al tratamiento, con mejoría progresiva de {sym}.
        Se instauró profilaxis con {PROPH} {DOSE} {freq}.
        Se pautó fluidoterapia con {FLUID} y {FLUID}, y se corrigió la hipopotasemia con {KCL}.
        Ante la sospecha de intoxicación se administró {ANTIDOTE} ({DOSE}), con recuperación rápida.
        Dada la mala evolución, se asoció {DRUG} y se retiró {DRUG}.
        Se inició tratamiento con {IVD} ({DOSE} cada {hours} horas) y {PSC} por vía subcutánea.
        Se ajustó la dosis de {RX} según la función renal.
        """
    ),
    "evolution": _items(
        """
        La evolución fue favorable y [el paciente|la paciente] fue [dado|dada] de alta con {DRUG} y {DRUG}.
        En el control realizado a los {nmonths} meses, los niveles de {LABPN} se habían normalizado.
        A los {ndays} días se observó un descenso de {LABPN} y {LABNN}.
        Actualmente se encuentra [asintomático|asintomática] y en tratamiento de mantenimiento con {DRUG}.
        Tras la retirada de {DRUG} se observó la normalización de {LABPN}.
        [El paciente|La paciente] falleció a los {ndays} días del ingreso por fracaso multiorgánico.
        En la revisión de los {nmonths} meses permanece sin signos de recidiva.
        Al alta se recomendó continuar con {DRUGD} {freq} y controlar los niveles de {LABNN}.
        """
    ),
}

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

NL_WORDS: dict[str, tuple[str, ...]] = {
    "count": _semi("twee; drie; vier"),
    "side": _semi("linker; rechter"),
    "lr": _semi("links; rechts"),
    "alcohol": _semi("sociaal; alleen in het weekend; {days} eenheden per week; niet"),
    "job": _semi(
        "monteur; verpleegkundige; leraar; kok; chauffeur; student; kapper; administratief medewerker; bouwvakker"
    ),
    "living": _semi("woont samen; woont alleen; getrouwd, twee kinderen; woont bij de ouders; gescheiden"),
    "strain": _semi(
        "het tillen van een kast; tuinwerk; een verhuizing; het optillen van een kleinkind; lang autorijden"
    ),
    "sport": _semi(
        "een val tijdens het voetballen; een draaibeweging bij het korfballen; het skiën; "
        "een sprong bij het volleyballen"
    ),
    "meniscus": _semi("mediale; laterale"),
    "bpnote": _semi("geen klachten; af en toe hoofdpijn; geen duizeligheid; zoutgebruik verminderd"),
    "antihypertensive": _semi("de amlodipine; de losartan; de hydrochloorthiazide; de perindopril"),
    "activity": _semi("het hardlopen; een wandeling in het bos; het traplopen; een tenniswedstrijd"),
    "skinsite": _semi("de elleboogsplooien; de knieholtes; de polsen; de nek; beide handen"),
    "eczematrigger": _semi("de kou; een nieuwe zeep; stress; het vele handen wassen op het werk"),
    "headachetrigger": _semi(
        "vooral bij stress op het werk; na lang beeldschermwerk; bij weinig slaap; vooral op doordeweekse dagen"
    ),
    "stressor": _semi(
        "een reorganisatie op het werk; de mantelzorg voor een ouder; een verhuizing; de geboorte van een kind; "
        "financiële zorgen"
    ),
    "hba1ctrend": _semi("iets hoger; iets lager; vergelijkbaar"),
    "eyeadvice": _semi("hygiëneadvies gegeven; kunsttranen geadviseerd; spontaan herstel verwacht"),
    "wheeze": _semi("wat piepen; verspreid piepen; lichte rhonchi"),
    "mouthsite": _semi("tong en wangslijmvlies; het verhemelte; de tong; wangslijmvlies en tandvlees"),
    "since": _semi("enkele dagen; een week; twee weken; een maand; het voorjaar; de zomervakantie; de jaarwisseling"),
    "season": _semi("de zomer; het voorjaar; januari; de kerstdagen; de herfst"),
    "history": _items(
        """
        hypertensie
        DM type 2, tabletten
        astma
        appendectomie ({year})
        depressie, in remissie
        migraine
        hypercholesterolemie
        geen bijzonderheden
        COPD GOLD II
        hypothyreoïdie
        nierstenen ({year})
        status na knie-arthroscopie
        """
    ),
    "meds": _items(
        """
        geen
        omeprazol 20 mg 1dd
        metformine 500 mg 2dd
        salbutamol z.n.
        levothyroxine 75 mcg 1dd
        amlodipine 5 mg 1dd
        simvastatine 40 mg 1dd
        paracetamol z.n.
        sertraline 50 mg 1dd
        """
    ),
    "plan": _items(
        """
        Beleid: {action}, {follow}.
        Plan: {action}; {follow}.
        Afspraak: {action}, {follow}.
        {Action}, {follow}.
        """
    ),
    "action": _items(
        """
        aanvullend bloedonderzoek
        lab aangevraagd
        verwijzing naar de internist
        overleg met de internist over verdere diagnostiek
        voorlopig geen medicatie
        paracetamol zo nodig
        uitleg gegeven over het beloop
        afwachtend beleid
        röntgenfoto van de thorax aangevraagd
        bloedonderzoek en urineonderzoek ingezet
        medicatie ongewijzigd voortgezet
        """
    ),
    "follow": _items(
        """
        terugbellen voor de uitslag
        controle over {weeks} weken
        controle over twee weken, eerder bij verergering
        terugkomen over een week met de uitslagen
        bij aanhoudende klachten opnieuw contact
        pt. neemt zelf contact op indien nodig
        vervolgconsult ingepland
        evaluatie na het lab
        telefonische evaluatie over {days} dagen
        """
    ),
    "lo": _items(
        """
        pulm. schoon
        cor s1s2 zonder souffles
        buik soepel en niet drukpijnlijk
        geen oedeem aan de enkels
        huid zonder afwijkingen
        keel rustig
        trommelvliezen intact
        normale peristaltiek
        geen meningeale prikkeling
        algemeen niet ziek
        """
    ),
}

#: complaints that open notes of both labels; for an exclusion note, a harmless explanation
NL_SHARED_COMPLAINTS: tuple[tuple[str, tuple[str, ...]], ...] = tuple(
    (complaint.strip(), _semi(explanations))
    for complaint, _, explanations in (
        line.partition(":")
        for line in _items(
            """
            moeheid: Moeheid sinds {stressor}, slaapt onrustig.; Werkt veel over en heeft weinig ontspanning. ; \
                Moe sinds een griepachtig beeld {weeks} weken geleden, knapt langzaam op.
            algehele malaise: Malaise sinds een griepachtig beeld {days} dagen geleden, huisgenoten ook ziek.; \
                Spierpijn en lichte verhoging, inmiddels herstellende.
            aanhoudende hoestklachten: Hoest sinds een verkoudheid {weeks} weken geleden, wordt geleidelijk minder.; \
                Prikkelhoest, vooral 's nachts, rookt al jaren.
            koorts: Koorts sinds {days} dagen met keelpijn, huisgenoten hebben hetzelfde.; \
                Griepachtig beeld, de temperatuur daalt inmiddels.
            keelpijn en pijn bij het slikken: Keel rood met gezwollen tonsillen, Centor-score {centor}.; \
                Keelpijn sinds {days} dagen na een verkoudheid.
            huiduitslag: Rode uitslag op de armen na het gebruik van een nieuw wasmiddel.; \
                Netelroos na het eten van noten, inmiddels afgenomen.
            diarree: Diarree sinds {days} dagen na een etentje, meerdere familieleden ziek.; \
                Waterdunne ontlasting na een vakantie in Spanje, inmiddels minder.
            hoofdpijn: Hoofdpijn bij een verkoudheid, drukkend achter de ogen.; \
                Hoofdpijn na lange dagen beeldschermwerk, geen neurologische uitval.
            minder energie dan normaal: Sinds {stressor} minder energie, verder geen klachten.; \
                Sport minder door een drukke periode, voelt zich verder goed.
            een zwelling in de hals: Pijnlijke zwelling onder de kaak bij een ontstoken kies.; \
                Zwelling onder de kaak, tandarts stelde een wortelkanaalontsteking vast.
            """
        )
    )
)

NL_OPENINGS = _items(
    """
    Pt., {age} jaar, komt op het spreekuur i.v.m. {complaint}.
    {age}-jarige [man|vrouw] meldt zich op de huisartsenpost met {complaint}.
    [Dhr.|Mevr.], {age} jr, verwezen door de huisarts wegens {complaint}.
    Consult i.v.m. {complaint}, bestaand sinds {since}.
    Vervolgconsult i.v.m. {complaint}.
    Reden van komst: {complaint} sinds {since}.
    Telefonisch consult, daarna op het spreekuur gezien vanwege {complaint}.
    [Patiënt|Patiënte] ({age} jr) bezoekt de poli met {complaint}.
    """
)

NL_CONTEXT = _items(
    """
    VG: {history}.
    VG: {history}; verder blanco.
    Medicatie: {meds}.
    Voorgeschiedenis: {history}. Med: {meds}.
    Rookt niet, alcohol {alcohol}.
    Rookt {days} sigaretten per dag, geen drugsgebruik.
    Werkt als {job}, {living}.
    """
)

#: examination lines in groups; a note takes at most one line per group
NL_EXAM: tuple[tuple[str, ...], ...] = (
    _semi("RR {bp} mmHg, pols {hr}/min, temp {temp} °C.; Temp {temp} °C, verder vitaal stabiel."),
    _semi("Bij LO: {lo}, {lo2}.; LO: {lo}; {lo2}.; Lichamelijk onderzoek: {lo}, {lo2} en {lo3}."),
    _semi("Sat {sat}% zonder O2, ademfrequentie {rr}/min."),
    _semi(
        "Lab: Hb {hb} mmol/l, CRP {crp} mg/l, nierfunctie normaal.; Lab: Hb {hb} mmol/l, leuko's en trombo's normaal."
    ),
)

#: exclusion complaints and what the note says about them
NL_OTHER_COMPLAINTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "lage rugpijn",
        _items(
            """
            Pijn laag in de rug sinds {days} dagen na {strain}, zonder uitstraling naar de benen.
            Lasègue negatief, geen neurologische uitval, spierspanning paravertebraal {lr}.
            Paravertebraal drukpijnlijk, flexie beperkt door pijn.
            """
        ),
    ),
    (
        "knieklachten na het sporten",
        _items(
            """
            {Side}knie gezwollen na {sport}, geen slotklachten.
            Hydrops {side}knie, {meniscus} gewrichtsspleet drukpijnlijk.
            Voorste schuifla negatief, wel pijn bij volledige flexie.
            """
        ),
    ),
    (
        "hoge bloeddruk bij thuismetingen",
        _items(
            """
            Thuismetingen gemiddeld {bp} mmHg, {bpnote}.
            Gebruikt {antihypertensive} trouw, geen bijwerkingen.
            Leefstijladvies besproken: minder zout, meer bewegen.
            """
        ),
    ),
    (
        "klachten bij het plassen",
        _items(
            """
            Sinds {days} dagen branderig gevoel bij het plassen en vaak aandrang.
            Eerste keer dergelijke klachten, geen mictieklachten in de voorgeschiedenis.
            Urinestick: nitriet positief, leukocyten positief.
            Geen koorts, geen flankpijn.
            """
        ),
    ),
    (
        "een verstuikte enkel",
        _items(
            """
            Inversietrauma van de {side}enkel tijdens {activity}, kon daarna nog lopen.
            Drukpijn ventraal van de laterale malleolus, geen botpijn.
            Ottawa-regels negatief, geen foto nodig.
            """
        ),
    ),
    (
        "jeukende huidplekken",
        _items(
            """
            Rode, schilferende plekken in {skinsite} met veel jeuk, sinds {weeks} weken.
            Bekend met eczeem sinds de kindertijd, nu verergerd door {eczematrigger}.
            Geen tekenen van secundaire infectie van de huid.
            """
        ),
    ),
    (
        "spanningshoofdpijn",
        _items(
            """
            Drukkende hoofdpijn aan het eind van de dag, {headachetrigger}.
            Geen misselijkheid, geen visusklachten, geen neurologische uitval.
            Slaapt slecht sinds {stressor}.
            """
        ),
    ),
    (
        "wisselende bloedsuikers",
        _items(
            """
            HbA1c {hba1c} mmol/mol, {hba1ctrend} dan bij de vorige controle.
            Voetonderzoek zonder afwijkingen, laatste funduscontrole in {year}.
            Dieetadvies herhaald, metformine verhoogd.
            """
        ),
    ),
    (
        "rode, prikkende ogen",
        _items(
            """
            Sinds {days} dagen beide ogen rood met wat waterige afscheiding, visus normaal.
            Geen fotofobie, geen pijn bij oogbewegingen.
            Vermoedelijk virale conjunctivitis, {eyeadvice}.
            """
        ),
    ),
    (
        "toename van kortademigheid",
        _items(
            """
            Bekend met COPD, sinds {days} dagen meer sputum en benauwdheid.
            Verlengd exspirium met {wheeze} over beide longvelden.
            Prednisolonkuur en verhoogd gebruik van de luchtwegverwijder afgesproken.
            """
        ),
    ),
    (
        "slapeloosheid",
        _items(
            """
            Ligt 's nachts {hours} uur wakker en piekert veel.
            Geen somberheid, wel spanning door {stressor}.
            Slaaphygiëne besproken, geen slaapmiddel voorgeschreven.
            """
        ),
    ),
    (
        "schouderpijn",
        _items(
            """
            Pijn in de {side}schouder bij het optillen van de arm, vooral 's nachts, sinds {weeks} weken.
            Pijnlijke boog tussen {arc} graden, kracht intact.
            Oefeningen meegegeven, zo nodig fysiotherapie.
            """
        ),
    ),
    (
        "duizeligheid",
        _items(
            """
            Draaiduizeligheid bij het omdraaien in bed, enkele seconden durend, sinds {days} dagen.
            Dix-Hallpike {lr} positief, geen gehoorverlies.
            Epley-manoeuvre uitgevoerd met direct effect.
            """
        ),
    ),
)

#: risk indicators (inclusion), by kind; a note draws one to three kinds
NL_INDICATORS: dict[str, tuple[str, ...]] = {
    "weight": _items(
        """
        Onbedoeld {kg} kg afgevallen in de afgelopen {months} maanden.
        [Hij|Zij] is zonder duidelijke oorzaak {kg} kilo afgevallen.
        Ongewild gewichtsverlies van {kg} kg sinds {season}, eetlust matig.
        Kleding zit ruimer; weegt nu {kg} kg minder dan een half jaar geleden.
        Fors afgevallen ({pct}% van het lichaamsgewicht) zonder dieet of verandering van leefstijl.
        Weegschaal wijst {kg} kg minder aan dan bij het vorige bezoek, verklaring ontbreekt.
        """
    ),
    "infections": _items(
        """
        Dit jaar al {count} keer behandeld voor een longontsteking.
        Recidiverende pneumonieën in de afgelopen {years} jaar, telkens met antibiotica behandeld.
        Herhaaldelijk antibiotica gekregen voor sinusitis en bronchitis, klachten steeds snel terug.
        Op {age2}-jarige leeftijd gordelroos doorgemaakt, recent opnieuw herpes zoster.
        Steeds terugkerende huidinfecties en furunkels sinds {season}.
        Vaker ziek dan vroeger: {count} luchtweginfecties sinds {season}.
        """
    ),
    "candida": _items(
        """
        Bij inspectie van de mond wit beslag op {mouthsite}, passend bij orale candidiasis.
        Spruw in de mond sinds {since}, reageerde slecht op nystatine.
        Orale candida, dit jaar al {count} keer behandeld.
        Pijn bij het slikken en witte plaques in de keelholte, verdenking candida-oesofagitis.
        Hardnekkige schimmelinfectie van het mondslijmvlies ondanks {weeks} weken miconazol-gel.
        """
    ),
    "lymph": _items(
        """
        Vergrote, pijnloze lymfeklieren in de hals en in beide oksels, de grootste ca. {cm} cm.
        Bij LO gegeneraliseerde lymfadenopathie, klieren tot {cm} cm.
        Sinds enkele weken pijnloze zwellingen in beide liezen.
        Palpabele klieren cervicaal en axillair, elastisch en niet pijnlijk.
        Klierzwelling in de nek die al {weeks} weken niet overgaat.
        """
    ),
    "sti": _items(
        """
        In de voorgeschiedenis syfilis, behandeld in {year}.
        Eerder gonorroe ({year}) en chlamydia doorgemaakt.
        [Man die seks heeft met mannen|Wisselende seksuele partners], condoomgebruik niet consequent.
        Meldt onbeschermd seksueel contact met een wisselende partner, {months} maanden geleden.
        Recent bij de GGD behandeld voor een soa.
        In {year} een genitaal ulcus, destijds niet verder onderzocht.
        """
    ),
    "lab": _items(
        """
        Lab: onverklaarde trombocytopenie ({plt} x10^9/l).
        Bij bloedonderzoek lymfopenie en lichte anemie (Hb {hblow} mmol/l) zonder duidelijke oorzaak.
        Verhoogd totaal eiwit met een brede gammaglobulinefractie.
        Herhaaldelijk leukopenie gemeten ({leu} x10^9/l).
        BSE verhoogd tot {bse} mm/u zonder aanwijsbare focus.
        Licht verhoogde transaminasen (ALAT {alat} U/l) en een positieve hepatitis B-serologie.
        """
    ),
    "other": _items(
        """
        Nachtzweten sinds {months} maanden, moet 's nachts van shirt wisselen.
        Chronische diarree sinds {weeks} weken, feceskweek negatief.
        Aanhoudende koorts zonder duidelijke focus, al {weeks} weken.
        Seborroïsch eczeem in het gelaat, de laatste {weeks} weken sterk verergerd.
        Sinds {months} maanden recidiverende koortsperiodes en nachtzweten.
        """
    ),
}

#: misleading cues: an indicator that is negated or explained
NL_NEGATED: tuple[tuple[str, str], ...] = tuple(
    (kind.strip(), sentence.strip())
    for kind, _, sentence in (
        line.partition(":")
        for line in _items(
            """
            candida: Geen aanwijzingen voor candida bij inspectie van de mond.
            candida: Mondholte zonder beslag, geen spruw.
            weight: Geen gewichtsverlies, eetlust goed.
            weight: Bewust {kg} kg afgevallen door een dieet en meer sporten.
            weight: Gewicht stabiel ({weight} kg) sinds het vorige consult.
            lymph: Geen palpabele lymfeklieren in hals, oksels of liezen.
            lymph: Lymfeklier in de hals bij een recente keelontsteking, inmiddels verdwenen.
            lymph: Geen lymfadenopathie, geen hepatosplenomegalie.
            other: Geen nachtzweten, geen koorts.
            sti: Soa-screening vorige maand negatief, vaste partner sinds jaren.
            infections: Geen recidiverende infecties in de voorgeschiedenis.
            infections: Eenmalig een pneumonie doorgemaakt, meer dan twintig jaar geleden.
            lab: Trombocyten en leukocyten binnen de norm.
            """
        )
    )
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

NL_STS_SIDE = "links = aan de linkerzijde; rechts = aan de rechterzijde"

NL_STS_FRAMES = (
    _med_frame(
        "medicatie",
        (
            ("hypertensie = hoge bloeddruk", "metoprolol 50 100; amlodipine 5 10; losartan 50 100; enalapril 10 20"),
            (
                "diabetes mellitus type 2 = suikerziekte type 2",
                "metformine 500 850; gliclazide 30 80; sitagliptine 100",
            ),
            ("depressie = een depressieve stoornis", "sertraline 50 100; citalopram 20 40; escitalopram 10 20"),
            ("refluxklachten = brandend maagzuur", "omeprazol 20 40; pantoprazol 20 40; esomeprazol 20 40"),
            ("een verhoogd cholesterol = hypercholesterolemie", "atorvastatine 20 40; simvastatine 20 40"),
            ("atriumfibrilleren = boezemfibrilleren", "apixaban 5; rivaroxaban 15 20; dabigatran 110 150"),
        ),
        "eenmaal daags = één keer per dag = 1 dd; tweemaal daags = twee keer per dag = 2 dd; "
        "driemaal daags = drie keer per dag = 3 dd",
        "sinds twee weken = sinds veertien dagen; sinds drie maanden = sinds een kwartaal; "
        "sinds gisteren = sinds de vorige dag; sinds een jaar = sinds twaalf maanden; "
        "sinds een week = sinds zeven dagen",
        (
            "Patiënt gebruikt {since} {drug} {dose} {freq} wegens {ind}.",
            "{Since} gebruikt patiënt {drug} {dose}, {freq}, in verband met {ind}.",
            "Voor {ind} neemt patiënt {since} {drug} in, {dose} {freq}.",
            "{Drug} {dose} {freq} wegens {ind}, {since} in gebruik.",
            "De medicatie bestaat {since} uit {drug} {dose} {freq} vanwege {ind}.",
        ),
        {
            "since": (0.6, ("Patiënt gebruikt {drug} {dose} {freq} wegens {ind}.", "{Drug} {dose} {freq} voor {ind}.")),
            "freq": (0.7, ("{Since} gebruikt patiënt {drug} {dose} wegens {ind}.",)),
            "dose": (0.6, ("Wegens {ind} gebruikt patiënt {since} {drug}, {freq}.",)),
        },
        ("mg", "milligram"),
    ),
    _plain_frame(
        "klacht",
        {
            "symptom": (
                2.2,
                "hoofdpijn = pijn in het hoofd; kortademigheid = benauwdheid = dyspneu; buikpijn = pijn in de buik; "
                "misselijkheid = nausea; hartkloppingen = palpitaties; duizeligheid = een duizelig gevoel; "
                "pijn op de borst = thoracale pijn; rugpijn = pijn in de rug; hoestklachten = prikkelhoest",
            ),
            "pattern": (
                1.1,
                "'s nachts = in de nacht = gedurende de nacht; na het eten = na de maaltijd; "
                "bij inspanning = tijdens inspanning; in rust = in rusttoestand; 's ochtends = in de ochtend; "
                "bij het liggen = in liggende houding",
            ),
            "duration": (
                1.0,
                "sinds drie dagen = sinds 72 uur; sinds een week = sinds zeven dagen; "
                "sinds twee weken = sinds veertien dagen; sinds gisteren = sinds de vorige dag; "
                "sinds een maand = sinds vier weken; sinds vanochtend = sinds vanmorgen",
            ),
        },
        (
            "Patiënt heeft {duration} last van {symptom}, vooral {pattern}.",
            "{Duration} klaagt patiënt over {symptom}, met name {pattern}.",
            "{Symptom} {pattern}, aanwezig {duration}.",
            "Patiënt meldt {duration} {symptom}, voornamelijk {pattern}.",
            "Anamnese: {symptom} {pattern}, {duration}.",
        ),
        {
            "pattern": (
                0.6,
                ("Patiënt heeft {duration} last van {symptom}.", "{Duration} klaagt patiënt over {symptom}."),
            ),
            "duration": (0.6, ("Patiënt meldt {symptom}, vooral {pattern}.", "{Symptom}, met name {pattern}.")),
        },
    ),
    _plain_frame(
        "beeldvorming",
        {
            "finding": (
                2.2,
                "pleuravocht {side} = een pleurale effusie {side}; een pneumothorax {side} = een klaplong {side}; "
                "een pneumonie in de onderkwab {side} = een longontsteking in de onderkwab {side}; "
                "een polsfractuur {side} = een breuk van de pols {side}; "
                "een niersteen {side} = een steen in de nier {side}; "
                "een meniscusscheur in de knie {side} = een gescheurde meniscus in de knie {side}; "
                "een vergrote lymfeklier in de oksel {side} = lymfadenopathie in de oksel {side}; "
                "een diepe veneuze trombose in het been {side} = een trombosebeen {side}; "
                "een longnodule in de bovenkwab {side} = een rondhaard in de bovenkwab {side}",
            ),
            "side": (1.6, NL_STS_SIDE),
            "modality": (0.8, "CT = CT-scan; MRI = MRI-scan; echo = echografie; röntgenfoto = röntgenopname"),
        },
        (
            "Op de {modality} is {finding} zichtbaar.",
            "De {modality} toont {finding}.",
            "{Finding}, gezien op de {modality}.",
            "Bij de {modality} werd {finding} vastgesteld.",
            "{Finding} is op de {modality} aangetoond.",
        ),
        {"modality": (0.5, ("Er is sprake van {finding}.", "Bij onderzoek wordt {finding} gevonden."))},
        # finding -> modalities that show it (CT 0, MRI 1, echo 2, X-ray 3)
        (
            "modality",
            "finding",
            {0: (0, 2, 3), 1: (0, 3), 2: (0, 3), 3: (3, 0), 4: (0, 2), 5: (1,), 6: (2, 0), 7: (2,), 8: (0, 3)},
        ),
    ),
    _plain_frame(
        "laboratorium",
        {
            "test": (
                2.2,
                "het hemoglobine = het Hb; het kalium = de kaliumwaarde; het CRP = het C-reactief proteïne; "
                "het creatinine = de serumcreatinine; het natrium = de natriumwaarde; "
                "de bloedsuiker = de glucosewaarde; het TSH = de TSH-waarde; "
                "het leukocytenaantal = het aantal witte bloedcellen",
            ),
            "direction": (
                1.8,
                "verhoogd = te hoog = boven de normaalwaarde; verlaagd = te laag = onder de normaalwaarde",
            ),
            "time": (
                1.0,
                "bij opname = op de dag van opname; na drie dagen = drie dagen later; "
                "bij de controle = tijdens de controle; vanochtend = vanmorgen; gisteren = een dag eerder",
            ),
        },
        (
            "{Test} was {time} {direction}.",
            "{Time} bleek {test} {direction}.",
            "Laboratorium {time}: {test} {direction}.",
            "{Test} werd {time} {direction} gemeten.",
        ),
        {"time": (0.6, ("{Test} is {direction}.", "Het laboratorium toont dat {test} {direction} is."))},
    ),
    _plain_frame(
        "ingreep",
        {
            "proc": (
                2.2,
                "appendectomie = blindedarmoperatie; coloscopie = endoscopie van de dikke darm; "
                "cholecystectomie = galblaasverwijdering; totale knieartroplastiek = knievervangende operatie; "
                "cataractoperatie = staaroperatie; liesbreukoperatie = liesbreukcorrectie; "
                "gastroscopie = maagscopie; hartkatheterisatie = coronaire angiografie",
            ),
            "when": (
                0.9,
                "gisteren = de dag ervoor; vorige week = een week geleden; twee dagen geleden = eergisteren; "
                "vanochtend = vanmorgen; vorige maand = een maand geleden",
            ),
            "outcome": (
                1.4,
                "zonder complicaties = ongecompliceerd = zonder bijzonderheden; "
                "gecompliceerd door een nabloeding = gecompliceerd door postoperatief bloedverlies; "
                "gecompliceerd door een wondinfectie = gecompliceerd door een infectie van de wond; "
                "gecompliceerd door koorts = gecompliceerd door postoperatieve koorts",
            ),
        },
        (
            "Patiënt onderging {when} een {proc}; de ingreep verliep {outcome}.",
            "De {proc} werd {when} uitgevoerd en verliep {outcome}.",
            "{When} werd een {proc} verricht; het beloop was {outcome}.",
            "Status na een {proc} {when}, beloop {outcome}.",
        ),
        {
            "outcome": (0.7, ("Patiënt onderging {when} een {proc}.", "{When} werd een {proc} verricht.")),
            "when": (0.5, ("De {proc} verliep {outcome}.", "Na de {proc} was het beloop {outcome}.")),
        },
    ),
)

# Spanish --------------------------------------------------------------------------------------

ES_STS_SIDE = "[izquierdo|izquierda] = del lado izquierdo; [derecho|derecha] = del lado derecho"

ES_STS_FRAMES = (
    _med_frame(
        "medicación",
        (
            (
                "hipertensión arterial = HTA = tensión arterial elevada",
                "enalapril 10 20; amlodipino 5 10; losartán 50 100; bisoprolol 2,5 5",
            ),
            (
                "diabetes mellitus tipo 2 = DM2 = diabetes tipo 2",
                "metformina 850 1000; gliclazida 30 60; sitagliptina 100",
            ),
            ("depresión = trastorno depresivo", "sertralina 50 100; citalopram 20 40; escitalopram 10 20"),
            ("reflujo gastroesofágico = ERGE", "omeprazol 20 40; pantoprazol 20 40; esomeprazol 20 40"),
            ("hipercolesterolemia = colesterol elevado", "atorvastatina 20 40 80; simvastatina 20 40"),
            ("fibrilación auricular = FA", "apixabán 2,5 5; rivaroxabán 15 20; edoxabán 30 60"),
        ),
        "cada 24 horas = una vez al día; cada 12 horas = dos veces al día; cada 8 horas = tres veces al día",
        "desde hace dos semanas = desde hace catorce días; desde hace tres meses = desde hace un trimestre; "
        "desde ayer = desde el día anterior; desde hace un año = desde hace doce meses; "
        "desde hace una semana = desde hace siete días",
        (
            "En tratamiento con {drug} {dose} {freq} {since} por {ind}.",
            "{Since} recibe {drug} {dose}, {freq}, con diagnóstico de {ind}.",
            "Por {ind} se pautó {drug} {dose} {freq}, que toma {since}.",
            "{Drug} {dose} {freq} por {ind}, {since}.",
            "Toma {drug} {dose} {freq} {since} como tratamiento de su {ind}.",
        ),
        {
            "since": (0.6, ("En tratamiento con {drug} {dose} {freq} por {ind}.", "{Drug} {dose} {freq} por {ind}.")),
            "freq": (0.7, ("{Since} recibe {drug} {dose} por {ind}.",)),
            "dose": (0.6, ("Por {ind} toma {drug} {freq} {since}.",)),
        },
        ("mg", "miligramos"),
    ),
    _plain_frame(
        "síntoma",
        {
            "symptom": (
                2.2,
                "cefalea = dolor de cabeza; disnea = dificultad respiratoria = falta de aire; "
                "dolor abdominal = dolor en el abdomen; náuseas = ganas de vomitar; "
                "palpitaciones = sensación de latidos rápidos; mareo = sensación de inestabilidad; "
                "dolor torácico = dolor en el pecho; lumbalgia = dolor lumbar; tos seca = tos irritativa",
            ),
            "pattern": (
                1.1,
                "por la noche = durante la noche; tras las comidas = después de comer; "
                "con el esfuerzo = al realizar esfuerzos; en reposo = sin realizar esfuerzos; "
                "por la mañana = al despertar; al tumbarse = en decúbito",
            ),
            "duration": (
                1.0,
                "desde hace tres días = desde hace 72 horas; desde hace una semana = desde hace siete días; "
                "desde hace dos semanas = desde hace catorce días; desde ayer = desde el día anterior; "
                "desde hace un mes = desde hace cuatro semanas; desde esta mañana = desde primera hora de hoy",
            ),
        },
        (
            "Refiere {symptom} {pattern} {duration}.",
            "{Duration} presenta {symptom}, sobre todo {pattern}.",
            "Cuadro de {symptom} {pattern}, presente {duration}.",
            "Acude por {symptom} {duration}, especialmente {pattern}.",
            "Motivo de consulta: {symptom} {pattern} {duration}.",
        ),
        {
            "pattern": (0.6, ("Refiere {symptom} {duration}.", "Acude por {symptom} {duration}.")),
            "duration": (0.6, ("Presenta {symptom}, sobre todo {pattern}.", "Cuadro de {symptom} {pattern}.")),
        },
    ),
    _plain_frame(
        "imagen",
        {
            "finding": (
                2.2,
                "un derrame pleural {side}@m = un derrame en el espacio pleural {side}@m; "
                "un neumotórax {side}@m = aire en el espacio pleural {side}@m; "
                "una neumonía en el lóbulo inferior {side}@m = "
                "una consolidación neumónica en el lóbulo inferior {side}@m; "
                "una fractura de la muñeca {side}@f = una rotura ósea en la muñeca {side}@f; "
                "un cálculo en el riñón {side}@m = una litiasis renal {side}@f; "
                "una rotura del menisco de la rodilla {side}@f = una lesión meniscal en la rodilla {side}@f; "
                "una adenopatía axilar {side}@f = un ganglio aumentado de tamaño en la axila {side}@f; "
                "una trombosis venosa profunda en la pierna {side}@f = una TVP en la pierna {side}@f; "
                "un nódulo pulmonar en el lóbulo superior {side}@m = una lesión nodular en el lóbulo superior {side}@m",
            ),
            "side": (1.6, ES_STS_SIDE),
            "modality": (
                0.8,
                "TC = tomografía computarizada; resonancia magnética = RM; ecografía = exploración ecográfica; "
                "radiografía = Rx",
            ),
        },
        (
            "En la {modality} se observa {finding}.",
            "La {modality} muestra {finding}.",
            "Se identifica {finding} en la {modality}.",
            "La {modality} pone de manifiesto {finding}.",
        ),
        {"modality": (0.5, ("Se aprecia {finding}.", "Presenta {finding}."))},
        (
            "modality",
            "finding",
            {0: (0, 2, 3), 1: (0, 3), 2: (0, 3), 3: (3, 0), 4: (0, 2), 5: (1,), 6: (2, 0), 7: (2,), 8: (0, 3)},
        ),
    ),
    _plain_frame(
        "laboratorio",
        {
            "test": (
                2.2,
                "la hemoglobina@f = la Hb@f; el potasio@m = el potasio sérico@m; "
                "la proteína C reactiva@f = la PCR@f; la creatinina@f = la creatinina sérica@f; "
                "el sodio@m = la natremia@f; la glucemia@f = la glucosa en sangre@f; la TSH@f = la tirotropina@f; "
                "el recuento de leucocitos@m = la cifra de leucocitos@f",
            ),
            "direction": (
                1.8,
                "[elevado|elevada] = [aumentado|aumentada] = por encima del rango normal; "
                "[disminuido|disminuida] = [bajo|baja] = por debajo del rango normal",
            ),
            "time": (
                1.0,
                "al ingreso = en el momento del ingreso; a los tres días = tres días después; "
                "en el control = en la revisión; esta mañana = a primera hora de hoy; ayer = el día anterior",
            ),
        },
        (
            "{Test} estaba {direction} {time}.",
            "{Time}, {test} resultó {direction}.",
            "Se comprobó {time} que {test} estaba {direction}.",
            "En la analítica, {test} aparecía {direction} {time}.",
        ),
        {"time": (0.6, ("{Test} está {direction}.", "En la analítica, {test} aparece {direction}."))},
    ),
    _plain_frame(
        "intervención",
        {
            "proc": (
                2.2,
                "una apendicectomía = una extirpación del apéndice; una colonoscopia = una endoscopia del colon; "
                "una colecistectomía = una extirpación de la vesícula biliar; "
                "una artroplastia total de rodilla = una sustitución protésica de la rodilla; "
                "una cirugía de cataratas = una facoemulsificación; "
                "una herniorrafia inguinal = una reparación de la hernia inguinal; "
                "una gastroscopia = una endoscopia digestiva alta; "
                "una angioplastia coronaria = una dilatación de la arteria coronaria",
            ),
            "when": (
                0.9,
                "ayer = el día anterior; hace una semana = siete días antes; hace dos días = anteayer; "
                "esta mañana = a primera hora de hoy; el mes pasado = hace un mes",
            ),
            "outcome": (
                1.4,
                "sin complicaciones = sin incidencias; "
                "con una hemorragia como complicación = con sangrado posoperatorio; "
                "con infección de la herida quirúrgica = con una infección de la herida como complicación; "
                "con fiebre posoperatoria = con fiebre tras la cirugía",
            ),
        },
        (
            "Se le realizó {when} {proc}, {outcome}.",
            "{When} se practicó {proc}; la intervención transcurrió {outcome}.",
            "Tras {proc} {when}, evolución {outcome}.",
            "{When} se sometió a {proc}, que cursó {outcome}.",
        ),
        {
            "outcome": (0.7, ("Se le realizó {when} {proc}.", "{When} se sometió a {proc}.")),
            "when": (0.5, ("La intervención, {proc}, transcurrió {outcome}.", "Tras {proc}, evolución {outcome}.")),
        },
    ),
)

#: pair kinds and their shares: the second sentence restates the fact (paraphrase), leaves a minor
#: slot out, changes one or two slots, states another fact of the same kind, or another kind of fact
STS_KINDS = (
    ("paraphrase", 0.22),
    ("omission", 0.10),
    ("one-change", 0.30),
    ("two-changes", 0.13),
    ("same-topic", 0.12),
    ("unrelated", 0.13),
)
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
CT_WORDS: dict[str, tuple[str, ...]] = {
    "lobe": _semi("rechter bovenkwab; rechter middenkwab; rechter onderkwab; linker bovenkwab; linker onderkwab"),
    "lr": _semi("links; rechts"),
    "lrb": _semi("links; rechts; beiderzijds"),
    "side": _semi("linker; rechter"),
    "amount": _semi("Kleine hoeveelheid; Matig; Fors; Beperkt"),
}

CT_SENTENCES: dict[str, tuple[str, ...]] = {
    "pneumonie": _items(
        """
        Consolidatie in de {lobe} met luchtbronchogram, passend bij pneumonie.
        Infiltratieve afwijking in de {lobe}, verdacht voor een pneumonie.
        Beeld van een lobaire pneumonie van de {lobe}.
        Peribronchiale consolidaties {lrb}, passend bij een bronchopneumonie.
        Matglasafwijkingen en consolidaties in de {lobe}, meest waarschijnlijk infectieus.
        Nieuw infiltraat in de {lobe}, passend bij een longontsteking.
        Aspiratiepneumonie in de {lobe}.
        """
    ),
    "longnodule": _items(
        """
        Solide nodule van {mm} mm in de {lobe}; controle-CT over {months} maanden geadviseerd.
        Kleine longnodus in de {lobe} ({mm} mm), waarschijnlijk benigne.
        Subsolide nodule van {mm} mm in de {lobe}, follow-up volgens de Fleischner-richtlijn.
        Nieuwe pulmonale nodule van {mm} mm in de {lobe}, nadere analyse aanbevolen.
        Scherp begrensde rondhaard van {mm} mm in de {lobe}.
        Spiculaire longnodule in de {lobe} ({mm} mm), verdacht voor maligniteit.
        """
    ),
    "pleuravocht": _items(
        """
        Pleuravocht {lr}, met compressieatelectase van de aangrenzende long.
        {Amount} pleuravocht {lrb}.
        Pleurale effusie {lrb}, toegenomen ten opzichte van het vorige onderzoek.
        Vochtcollectie in de pleuraholte {lr}.
        Ingekapseld pleuravocht {lr}, verdacht voor een empyeem.
        """
    ),
    "longembolie": _items(
        """
        Vullingsdefecten in de segmentale takken van de {lobe}, passend bij longembolie.
        Centrale longembolie {lr}, zonder tekenen van rechtsventrikelbelasting.
        Bilaterale longembolieën in de lobaire en segmentale arteriën.
        Embolus in de {side} arteria pulmonalis.
        Subsegmentale longembolie in de {lobe}.
        """
    ),
    "fractuur": _items(
        """
        Recente fractuur van de {rib}e rib {lr}.
        Niet-gedisloceerde ribfractuur {lr} (rib {rib}).
        Compressiefractuur van wervellichaam Th{vert} met circa {pct}% hoogteverlies.
        Fractuur van de {side} clavicula.
        Meerdere ribfracturen {lr}, zonder pneumothorax.
        """
    ),
}
#: negated mentions: they name a finding but must not produce its label
CT_NEGATIONS: dict[str, tuple[str, ...]] = {
    "pneumonie": _items(
        """
        Geen consolidaties die op een pneumonie wijzen.
        Geen aanwijzingen voor pneumonie.
        """
    ),
    "longnodule": _items(
        """
        Geen longnodules.
        Geen verdachte nodulaire afwijkingen.
        """
    ),
    "pleuravocht": _items(
        """
        Geen pleuravocht.
        Geen pleurale effusie.
        """
    ),
    "longembolie": _items(
        """
        Geen aanwijzingen voor longembolie.
        Geen vullingsdefecten in de longarteriën; geen longembolie.
        """
    ),
    "fractuur": _items(
        """
        Geen fracturen.
        Geen aanwijzingen voor een ribfractuur.
        """
    ),
}
CT_NORMAL_SENTENCES = _items(
    """
    Geen afwijkingen aan longparenchym, pleura en mediastinum.
    Normaal CT-onderzoek van de thorax.
    Geen acute intrathoracale pathologie.
    Vrije longvelden; geen pathologisch vergrote lymfeklieren.
    Geen verklaring voor de klachten gevonden.
    Onderzoek zonder bijzonderheden.
    """
)
#: incidental remarks that carry no label (in normal and abnormal reports alike)
CT_INCIDENTAL = _items(
    """
    Lichte atherosclerose van de aorta.
    Leeftijdsadequate degeneratieve veranderingen van de thoracale wervelkolom.
    Kleine hiatushernia.
    Coronairkalk.
    Status na cholecystectomie.
    Normale hartgrootte.
    """
)
CT_OPENINGS = _items(
    """
    CT-thorax met contrast.
    CT-thorax zonder intraveneus contrast.
    CT-angiografie van de longvaten.
    Low-dose CT-thorax.
    CT-thorax en bovenbuik.
    """
)


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
CT_CUES = {
    "pneumonie": ("pneumonie", "consolidatie", "infiltra", "longontsteking", "infectieus"),
    "longnodule": ("nodule", "nodus", "nodulair", "rondhaard"),
    "pleuravocht": ("pleuravocht", "pleurale effusie", "pleuraholte"),
    "longembolie": ("embol", "vullingsdefect"),
    "fractuur": ("fractu",),
}


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
    return f"""# Stand-in downstream task sets

Small **synthetic** task sets in the formats of the studies' downstream tasks, so that the
task readers, tag hygiene, fine-tuning and evaluation can be run and tested end to end without the
real data (which cannot be redistributed). UTF-8, `\\n` line endings. They are learnable (the
labels follow from the text) but the content is invented: do not use it for anything medical.

| file | task | format | size | counts |
|---|---|---|---:|---|
{table}

## `{RO_FILE}`: Romanian biomedical NER

MoNERo's layout: one token per line, `token<TAB>lemma<TAB>tag<TAB>POS`, a blank line after every
sentence (the file ends with one). Lemmas are dictionary forms (`pacienții` -> `pacient`, `renală` -> `renal`,
`s-` -> `sine`); POS tags are UPOS (NOUN, ADJ, VERB, AUX, ADP, DET, PRON, NUM, PUNCT, ...), not
MoNERo's MSD tags. Romanian is written with the comma-below letters ș and ț (never the cedilla
forms ş ţ); the clitic in `s-a` is split into `s-` and `a`, as in MoNERo.

Entity types, in about the study's proportions (CHEM 44 %, DISO 34 %, ANAT 16 %, PROC 6 %):

| type | entities | share |
|---|---:|---:|
{_entity_rows(ro)}

CHEM: drugs (with doses), drug classes, substances measured in the lab, infusions; DISO:
diseases, symptoms, adverse effects, lab abnormalities and imaging findings; ANAT: organs and
body parts (nominative or genitive with the article: `ficatul`, `rinichiului drept`); PROC:
diagnostic and therapeutic procedures. Multi-word entities: {ro.multiword}
(`insuficiență renală cronică` = `B-DISO I-DISO I-DISO`). Distinct sentences: {ro.distinct} of
{ro.sentences}.

### Deliberate orphan `I-` tags

Exactly {ro.orphans} tags are orphan `I-` tags, an `I-X` whose previous token is not `B-X`/`I-X`,
as MoNERo has where an entity is discontinuous (its second fragment continues after an `O`). They
test the tag-hygiene repair, which turns an orphan `I-X` into `B-X`. Every other tag is valid BIO,
and there are {ro.malformed} malformed tags.

Sentence numbers and (1-based) file line numbers of the three:

| sentence | line | token | tag |
|---:|---:|---|---|
{orphan_rows}

(`insuficiență cardiacă și renală`, `ecografie abdominală și pelvină`, `săruri de calciu și de
magneziu`: the part after `și` continues the entity.)

## `{ES_FILE}`: Spanish clinical-case NER

PharmaCoNER's CoNLL layout: `token<TAB>document id<TAB>start_end<TAB>tag`, a blank line after
every sentence, the sentences of a document in order. The span is the token's character offsets
in its document's text, end exclusive. The {es_docs} document texts are in
`{ES_DOCS_DIR}/<document id>.txt` (the text plus a final `\\n`); for every token
`text[start:end] == token`. A document is its sentences joined by single spaces; within a
sentence tokens are separated by single spaces, except that `.` `,` `;` `:` `)` `%` attach to the
previous token and the token after `(` attaches to it. Document ids look like PharmaCoNER's file
names but use a prefix no real case has (`S9999-SYN0001-1`, ...). Each document is a short
clinical case (presentation, history, examination, lab results, imaging or pathology, treatment,
evolution), {es.sentences / es_docs:.1f} sentences on average.

| type | entities | share |
|---|---:|---:|
{_entity_rows(es)}

NORMALIZABLES: drugs and chemicals with a standard name (`paracetamol`, `ácido acetilsalicílico`,
`creatinina`, `potasio`); PROTEINAS: proteins, enzymes, antibodies, receptors, peptide hormones
and tumour markers (`proteína C reactiva`, `GOT`, `TSH`, `receptores de estrógenos`, `CA 19-9`);
NO_NORMALIZABLES: products without a standard name (invented brand names such as `Vitaforzen`,
unstandardised preparations such as `extracto de cardo mariano`); UNCLEAR: vague chemical
mentions (`contraste yodado`, `metales pesados`, `sustancias de abuso`). Diseases, procedures and
anatomy are not annotated, as in PharmaCoNER. Multi-word entities: {es.multiword}. Distinct sentences: {es.distinct} of
{es.sentences}. All tags are valid BIO ({es.orphans} orphan `I-`, {es.malformed} malformed).

## `{NL_FILE}`: Dutch screening notes

One JSON object per line: `{{"id": "nl-scr-0001", "text": "...", "label": "inclusion"}}`, in
random label order. Labels: {nl.labels["inclusion"]} `inclusion`, {nl.labels["exclusion"]}
`exclusion`. Sentences per note: {nl.sentences_min} to {nl.sentences_max}, mean
{nl.sentences_mean:.1f}. Distinct sentences: {nl.distinct_sentences} of {nl.sentences}.

- `inclusion` notes mention one to three risk indicators, in varied wording: unexplained weight
  loss, recurrent infections (pneumonia, herpes zoster), oral candidiasis, lymphadenopathy, a
  history of sexually transmitted infections or risk contacts, suggestive lab findings
  (unexplained thrombocytopenia, lymphopenia, leukopenia, high total protein), night sweats,
  chronic diarrhoea or persistent fever. About 30 % of them also have an everyday complaint.
- `exclusion` notes are about other complaints (back pain, a sprained ankle, cystitis, eczema,
  blood pressure, diabetes, conjunctivitis, COPD, insomnia, ...); about a quarter open with a
  complaint that inclusion notes open with too (fatigue, fever, diarrhoea, a swelling in the neck)
  and explain it harmlessly. Openings, history, vital signs, lab lines and plans come from pools
  shared by both labels.
- Misleading cues: {nl.misleading["exclusion"] + nl.misleading["inclusion"]} notes
  ({(nl.misleading["exclusion"] + nl.misleading["inclusion"]) / nl.notes:.0%}). Of them,
  {nl.misleading["exclusion"]} `exclusion` notes mention an indicator negated or explained ("Geen
  aanwijzingen voor candida bij inspectie van de mond.", "Bewust 8 kg afgevallen door een dieet
  ...", "Geen palpabele lymfeklieren ..."), and {nl.misleading["inclusion"]} `inclusion` notes have
  a single real indicator next to two negated ones (never of the same kind). A bag-of-words
  baseline is therefore good but not perfect.

## Study B stand-ins: sentence similarity and CT reports

Study B (bilingual clinical BERT) measured semantic textual similarity by Pearson correlation and
multi-label classification of CT reports by macro F1, in Korean and English. The stand-ins below
are in Dutch and Spanish, the languages of the shipped stand-in corpora.

{_sts_section(NL_STS_FILE, "Dutch", nl_sts)}
{_sts_section(ES_STS_FILE, "Spanish", es_sts)}
Both files: one JSON object per line, `{{"id": "nl-sts-0001", "text": "...", "text_pair": "...",
"score": 3.27}}`, scores on the STS-B scale (5 = same meaning, 0 = unrelated) with two decimals. Each
pair is built from one clinical fact with slots: a medication (indication, drug, dose, frequency,
since when), a complaint (symptom, when it occurs, how long), an imaging finding (finding, side,
modality), a lab result (test, high or low, when) or a procedure (procedure, when, outcome). Every
slot value has synonymous forms (`hypertensie` = `hoge bloeddruk`, `2 dd` = `tweemaal daags`,
`la Hb` = `la hemoglobina`), and each kind of fact has four or five sentence templates with different
clause orders. The score follows from what the second sentence keeps:

- paraphrase: the same fact in another template with other synonyms: {STS_PARAPHRASE};
- omission: a minor slot (dose, frequency, duration, modality, ...) left out: {STS_PARAPHRASE} minus
  0.5 to 0.7;
- one or two slots changed (another drug of the same indication, the other side, high instead of
  low, another time): {STS_PARAPHRASE} minus the slots' weights (key slots 1.6 to 2.2, minor ones 0.8
  to 1.4; a dose re-drawn with its drug counts only through the drug), at least {STS_TOPIC_FLOOR};
- same topic: another fact of the same kind, every slot different: {STS_TOPIC_FLOOR};
- unrelated: a fact of another kind: 0 to 0.5;

plus a uniform jitter of ±{STS_JITTER} (not for unrelated pairs), clipped to [0, 5]. Half of the
changed pairs keep the first sentence's template and half of their unchanged slots keep its wording,
while paraphrases never keep the template, so surface overlap alone does not give the score (see the
token-overlap column and r above). The two sentences are in random order.

## `{CT_FILE}`: Dutch CT report impressions

One JSON object per line: `{{"id": "nl-ct-0001", "text": "...", "labels": ["pneumonie", "pleuravocht"]}}`.
Each text is the impression of a chest CT ({ct.sentences_mean:.1f} sentences on average, half of
them opened by the kind of scan): one sentence per finding, in varied wording (`Consolidatie in de
rechter onderkwab met luchtbronchogram, passend bij pneumonie.`, `Solide nodule van 8 mm ...`,
`Embolus in de linker arteria pulmonalis.`), sometimes an incidental remark that carries no label
(`Coronairkalk.`, `Kleine hiatushernia.`). `{CT_NORMAL}` is the label exactly when no finding is
present; normal reports say so in their own words (`Geen acute intrathoracale pathologie.`). Reports
by number of findings (0 = `{CT_NORMAL}`): {ct_per_report}.

| label | reports | share | keyword-baseline F1 |
|---|---:|---:|---:|
{ct_label_rows}

Negated mentions: {sum(ct.negated.values())} reports ({sum(ct.negated.values()) / ct.reports:.0%}) mention a finding
they do not have, negated (`Geen aanwijzingen voor longembolie.`, `Geen pleuravocht.`): {ct_negated}.
They do not produce the label. A keyword baseline that predicts a label whenever one of its cue
words occurs (negated or not, `{CT_NORMAL}` when none does) reaches macro F1
{ct.keyword_f1:.3f}: a bag-of-words model is good but not perfect.

## `{CT_EXTERNAL_FILE}`: the external validation set

{ct_external.reports} more reports from the same generator with its own seed and no text that occurs in
`{CT_FILE}` (study B scores the model fine-tuned on the internal set on an external one): ids
`nl-ct-ext-0001` on, {sum(ct_external.negated.values())} with a negated mention; labels
{", ".join(f"`{name}` {count}" for name, count in ct_external.labels.items())}; keyword-baseline
macro F1 {ct_external.keyword_f1:.3f}.

## Regenerate / check

The files are generated, deterministically (fixed seeds, stdlib only), by
`scripts/make_standin_tasks.py`; do not edit them (or this README) by hand. From the repository
root:

```bash
python scripts/make_standin_tasks.py            # rewrite the files in this folder
python scripts/make_standin_tasks.py --check    # exit 1 if they differ from a fresh generation
```

## Licence

MIT, the same licence as the adapterkit project. The data is entirely synthetic: it was written by
the generator script, contains no patient data and no text copied from real records, leaflets,
articles or annotated corpora; the brand names tagged NO_NORMALIZABLES are invented. Any
resemblance to real persons or cases is coincidental.
"""


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
