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

Every line is built from compositional templates (about 30 to 40 per corpus) whose slots are
filled from large lists of diagnoses, drugs with plausible doses, anatomy, procedures, ages,
lab values and time expressions. Slots can nest, and a per-line context keeps a line
consistent (the patient's sex and age, the drug and its dose and mechanism, the tumour and its
regimen). The text therefore has real, repeated domain structure that an MLM learns within a
few hundred steps, while the lines stay mostly distinct (clean lines are generated without
repeats). The content is invented: no patient data, no copied leaflet or article text.

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

Usage (from the repository root; stdlib only)::

    python scripts/make_standin_corpora.py                 # (re)write adapterkit/data/corpora/
    python scripts/make_standin_corpora.py --check         # exit 1 if the committed files differ
    python scripts/make_standin_corpora.py --out /tmp/c --lines 500

The script also writes ``README.md`` beside the corpora (with the per-file statistics);
``--check`` compares it too.
"""

from __future__ import annotations

import argparse
import filecmp
import random
import re
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = REPO_ROOT / "adapterkit" / "data" / "corpora"
DEFAULT_LINES = 3000

Context = dict[str, str]
FillFn = Callable[[random.Random, Context], str]
Filler = tuple[str, ...] | FillFn

SLOT = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
ABBREV_END = re.compile(r"\.\.$")


class _Skip(Exception):
    """A template needs a context value that does not apply to this line (e.g. no surgery)."""


# ---------------------------------------------------------------------------------------------
# Small helpers for writing the fillers compactly
# ---------------------------------------------------------------------------------------------


def _items(block: str) -> tuple[str, ...]:
    """One item per non-empty line of ``block``, whitespace runs collapsed.

    A backslash at a line end (a string-literal line continuation) continues the item, so long
    templates can be wrapped; the indentation of the continued line collapses into one space.
    """
    return tuple(" ".join(line.split()) for line in block.splitlines() if line.strip())


def _semi(text: str) -> tuple[str, ...]:
    """Items separated by ``;``."""
    return tuple(part.strip() for part in text.split(";") if part.strip())


def _group(number: int, sep: str = ".") -> str:
    """Thousands grouping with ``sep`` (1240 -> 1.240)."""
    return f"{number:,}".replace(",", sep)


def _int(lo: int, hi: int, group: bool = False) -> FillFn:
    def fill(rng: random.Random, ctx: Context) -> str:
        number = rng.randint(lo, hi)
        return _group(number) if group else str(number)

    return fill


def _dec(lo: float, hi: float, digits: int = 1) -> FillFn:
    """A decimal number with a decimal comma (all three languages use one)."""

    def fill(rng: random.Random, ctx: Context) -> str:
        return f"{rng.uniform(lo, hi):.{digits}f}".replace(".", ",")

    return fill


def _ro_count(number: int, noun: str) -> str:
    """Romanian numeral + noun: 20 and above (ending in 00 or 20-99) take "de" (124 de pacienți)."""
    rest = number % 100
    needs_de = number >= 20 and (rest == 0 or rest >= 20)
    return f"{_group(number)} de {noun}" if needs_de else f"{_group(number)} {noun}"


def _ro_int(lo: int, hi: int, noun: str) -> FillFn:
    def fill(rng: random.Random, ctx: Context) -> str:
        return _ro_count(rng.randint(lo, hi), noun)

    return fill


def _blood_pressure(rng: random.Random, ctx: Context) -> str:
    systolic = rng.randint(88, 205)
    diastolic = rng.randint(max(40, systolic // 2 - 10), min(120, systolic - 25))
    return f"{systolic}/{diastolic}"


def _period_nl(rng: random.Random, ctx: Context) -> str:
    start = rng.randint(2006, 2019)
    return f"tussen {start} en {start + rng.randint(2, 6)}"


RO_MONTHS = _semi(
    "ianuarie; februarie; martie; aprilie; mai; iunie; iulie; august; septembrie; octombrie; noiembrie; decembrie"
)


def _period_ro(rng: random.Random, ctx: Context) -> str:
    start = rng.randint(2008, 2019)
    end = start + rng.randint(1, 6)
    return f"{rng.choice(RO_MONTHS)} {start} – {rng.choice(RO_MONTHS)} {end}"


def _hazard_ratio(template: str) -> FillFn:
    def fill(rng: random.Random, ctx: Context) -> str:
        ratio = rng.uniform(0.42, 1.08)
        low = ratio * rng.uniform(0.68, 0.92)
        high = ratio * rng.uniform(1.08, 1.4)
        values = (f"{v:.2f}".replace(".", ",") for v in (ratio, low, high))
        return template.format(*values)

    return fill


def _age(rng: random.Random) -> int:
    return int(rng.triangular(19, 96, 71))


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


# ---------------------------------------------------------------------------------------------
# Records that keep one line consistent
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Drug:
    """A drug with its facts in one language; multi-valued fields are ``;``-separated."""

    name: str
    cls: str
    mech: str
    ind: str
    strength: str
    dose: str
    freq: str
    outcome: str
    form: str
    route: str
    comp: str
    definite: str = ""  # Romanian: articulated form ("metformina")
    genitive: str = ""  # Romanian: genitive ("metforminei")


@dataclass(frozen=True)
class Tumor:
    """A tumour type for the Spanish case reports; empty fields make dependent templates skip."""

    names: str
    sex: str  # "", "f" or "m"
    dxtest: str
    regimens: str
    surgery: str
    molecular: str  # "alteration => targeted therapy; ..."
    marker: str
    ihq: str = ""


def _drug_context(drugs: Sequence[Drug], rng: random.Random) -> Context:
    drug = rng.choice(drugs)
    others = [d.name for d in drugs if d.name != drug.name]
    second = rng.choice(others)
    third = rng.choice([name for name in others if name != second])
    return {
        "drug": drug.name,
        "drug_def": drug.definite or drug.name,
        "drug_gen": drug.genitive or drug.name,
        "drug_cls": drug.cls,
        "drug_mech": drug.mech,
        "drug_ind": rng.choice(_semi(drug.ind)),
        "drug_strength": rng.choice(_semi(drug.strength)),
        "drug_dose": rng.choice(_semi(drug.dose)),
        "drug_freq": rng.choice(_semi(drug.freq)),
        "drug_outcome": rng.choice(_semi(drug.outcome)),
        "drug_form": rng.choice(_semi(drug.form)),
        "drug_route": drug.route,
        "drug_comp": rng.choice(_semi(drug.comp)),
        "drug2": second,
        "drug3": third,
    }


@dataclass(frozen=True)
class CorpusSpec:
    filename: str
    description: str
    seed: int
    templates: tuple[str, ...]
    fillers: dict[str, Filler]
    context: Callable[[random.Random], Context]
    join_prob: float  # chance that a line carries a second sentence (same context)
    conjunction: str  # replaced by "&amp;" in some markup noise


# =============================================================================================
# nl-clin: Dutch clinical notes
# =============================================================================================


def _nl_clin_context(rng: random.Random) -> Context:
    female = rng.random() < 0.5
    naaste = rng.choice(("dochter", "zoon", "echtgenoot" if female else "echtgenote", "partner"))
    return {
        "pt": "patiënte" if female else "patiënt",
        "hij": "zij" if female else "hij",
        "zijn": "haar" if female else "zijn",
        "hem": "haar" if female else "hem",
        "man": "vrouw" if female else "man",
        "dhr": "mevr." if female else "dhr.",
        "partner": "echtgenoot" if female else "echtgenote",
        "naaste": naaste,
        "age": str(_age(rng)),
    }


NL_MEDS = tuple(
    tuple(_semi(col) for col in row.split("|"))
    for row in _items(
        """
        metoprolol | 25 mg; 50 mg; 100 mg | 1dd; 2dd
        metformine | 500 mg; 850 mg; 1000 mg | 2dd; 3dd
        paracetamol | 500 mg; 1000 mg | 3dd; 4dd; z.n.
        pantoprazol | 20 mg; 40 mg | 1dd
        omeprazol | 20 mg; 40 mg | 1dd
        simvastatine | 20 mg; 40 mg | 1dd a.n.
        atorvastatine | 20 mg; 40 mg; 80 mg | 1dd
        acetylsalicylzuur | 80 mg | 1dd
        clopidogrel | 75 mg | 1dd
        furosemide | 20 mg; 40 mg; 80 mg | 1dd; 2dd
        lisinopril | 5 mg; 10 mg; 20 mg | 1dd
        perindopril | 4 mg; 8 mg | 1dd
        amlodipine | 5 mg; 10 mg | 1dd
        apixaban | 2,5 mg; 5 mg | 2dd
        rivaroxaban | 15 mg; 20 mg | 1dd
        insuline glargine | 12 E; 20 E; 28 E; 36 E | 1dd s.c. a.n.
        insuline aspart | 4 E; 6 E; 8 E | 3dd s.c. bij de maaltijd
        levothyroxine | 50 µg; 75 µg; 100 µg; 125 µg | 1dd nuchter
        prednison | 5 mg; 10 mg; 30 mg | 1dd
        tiotropium | 18 µg | 1dd inh.
        salbutamol | 100 µg | z.n. inh.
        oxazepam | 10 mg | a.n. z.n.
        temazepam | 10 mg; 20 mg | a.n.
        tramadol | 50 mg | 3dd z.n.
        oxycodon | 5 mg; 10 mg | 4dd z.n.
        macrogol/elektrolyten | 1 sachet | 1dd; 2dd
        hydrochloorthiazide | 12,5 mg; 25 mg | 1dd
        spironolacton | 12,5 mg; 25 mg | 1dd
        bisoprolol | 2,5 mg; 5 mg; 10 mg | 1dd
        alendroninezuur | 70 mg | 1x per week
        calciumcarbonaat/colecalciferol | 1,25 g/880 IE | 1dd
        allopurinol | 100 mg; 300 mg | 1dd
        haloperidol | 0,5 mg; 1 mg | 2dd
        tamsulosine | 0,4 mg | 1dd
        metoclopramide | 10 mg | 3dd z.n.
        gliclazide | 30 mg; 80 mg | 1dd; 2dd
        digoxine | 0,125 mg; 0,25 mg | 1dd
        acenocoumarol | volgens schema trombosedienst | -
        """
    )
)


def _nl_med(rng: random.Random, ctx: Context) -> str:
    """One home medication with dose and frequency; no drug twice in a line."""
    used = ctx.get("_meds", "").split("|")
    name, doses, freqs = rng.choice([row for row in NL_MEDS if row[0][0] not in used])
    ctx["_meds"] = ctx.get("_meds", "") + "|" + name[0]
    freq = rng.choice(freqs)
    return f"{name[0]} {rng.choice(doses)}" + ("" if freq == "-" else f" {freq}")


NL_CLIN_TEMPLATES = _items(
    """
    {Pt}, {age} jaar, bekend met {hist}, meldt zich {setting} met {complaint} {duration}.
    {Pt}, {age} jaar, wordt door de huisarts ingestuurd i.v.m. {complaint} {duration}.
    Betreft een {age}-jarige {man} met in de VG {hist} en {hist}, die zich presenteert met {complaint}.
    {Dhr}, {age} jaar, VG: {hist}; komt {setting} i.v.m. {complaint}, {assoc}.
    VG: {hist}, {hist} en {hist}.
    VG: {year} {vg_event}, {year} {vg_event}, {hist}.
    Medicatie: {med}, {med} en {med}.
    Thuismedicatie: {med}, {med}, {med}, {med}.
    Anamnese: {pt} heeft {duration} last van {complaint}, {assoc}, {assoc}.
    Anamnese: pt. meldt {complaint} na {trigger}; {assoc}, {assoc}.
    Hetero-anamnese ({naaste}): {hetero}, {assoc}.
    Allergieën: {allergy}. Intoxicaties: {smoke}, {alcohol}.
    SA: {sa}, {adl}. FA: {fam}.
    LO: {ziek} {man}, {alert}. RR {bp} mmHg, pols {hr}/min {ritme}, temp {temp} °C, sat {sat}% {o2}.
    RR {bp} mmHg, pols {hr}/min, AH {af}/min, temp {temp} °C, SpO2 {sat}% {o2}, EMV {emv}.
    Cor: {cor}. Pulm: {pulm}. Abd: {abd}.
    Extr: {extr}. Neuro: {neuro}. Huid: {huid}.
    Lab: Hb {hb} mmol/L, leuko {leuko} x10^9/L, CRP {crp} mg/L, kreatinine {kreat} µmol/L, eGFR {egfr} ml/min.
    Lab: natrium {na} mmol/L, kalium {k} mmol/L, glucose {gluc} mmol/L, troponine {trop} ng/L.
    Bloedgas: pH {ph}, pCO2 {pco2} kPa, pO2 {po2} kPa, bicarbonaat {bic} mmol/L, lactaat {lact} mmol/L.
    ECG: {ecg}. X-thorax: {xthorax}.
    Echo abdomen: {echo}.
    CT-cerebrum: {ct}.
    Conclusie: {age}-jarige {man} met {dx}, DD {dd}.
    Conclusie: {dx} bij een {age}-jarige {man} met {hist}.
    Beleid: {plan}, {plan} en {plan}.
    Beleid: opname {afdeling} i.v.m. {dx}, start {drug_iv}.
    I.o.m. {specialist} besloten tot {procedure}.
    Dag {dag} van opname: {status}, {status}; beleid: {plan}.
    Overdracht: {dhr} {age} jaar, opgenomen i.v.m. {dx}, {status}, {plan}.
    Gesprek met pt. en {naaste}: {discuss}.
    Ontslag naar {dest} met {med}; {followup}.
    Verpleging meldt {nurse}, {nurse_action}.
    Pijnscore NRS {nrs}, {pain_action}.
    Telefonisch consult: {pt} belt i.v.m. {tel_reason}, advies: {advice}.
    Uitslag {uitslag}, {impact}.
    Poli {spec}: {pt} komt voor controle {ctrl_reason}, {ctrl_status}.
    """
)

NL_CLIN_FILLERS: dict[str, Filler] = {
    "hist": _items(
        """
        diabetes mellitus type 2
        diabetes mellitus type 1
        hypertensie
        hypercholesterolemie
        atriumfibrilleren
        paroxismaal atriumfibrilleren
        COPD GOLD {gold}
        astma
        hartfalen met verminderde ejectiefractie
        een myocardinfarct in {year}
        een CVA in {year}
        een TIA in {year}
        een CABG in {year}
        een PCI van de RCA in {year}
        chronische nierschade
        obesitas
        jicht
        hypothyreoïdie
        reumatoïde artritis
        een depressie
        de ziekte van Parkinson
        dementie
        een colonresectie wegens coloncarcinoom in {year}
        een longembolie in {year}
        een diep veneuze trombose van het {lr}been
        osteoporose
        perifeer arterieel vaatlijden
        een abdominaal aorta-aneurysma van {aaa} cm
        levercirrose op basis van alcoholabusus
        een ulcus duodeni in {year}
        epilepsie
        een aortaklepvervanging in {year}
        een pacemaker sinds {year}
        slaapapneu, behandeld met CPAP
        """
    ),
    "gold": _semi("I; II; III; IV"),
    "year": _int(1986, 2023),
    "lr": _semi("linker; rechter"),
    "lrs": _semi("links; rechts"),
    "aaa": _dec(3.2, 5.4),
    "setting": _items(
        """
        op de SEH
        op de Spoedeisende Hulp
        op de huisartsenpost
        op de polikliniek
        bij de huisarts
        op de EHH
        """
    ),
    "complaint": _items(
        """
        retrosternale pijn
        drukkende pijn op de borst
        pijn op de borst met uitstraling naar de linkerarm
        dyspneu bij inspanning
        toenemende dyspneu
        koorts en koude rillingen
        pijn in de rechter onderbuik
        diffuse buikpijn
        misselijkheid en braken
        toenemende verwardheid
        hoofdpijn en visusklachten
        hoesten met opgeven van groen sputum
        een pijnlijk, gezwollen {lr}been
        palpitaties
        duizeligheid en collapsneigingen
        melaena
        hematemesis
        pijnloze hematurie
        acuut krachtsverlies van de {lr}arm
        afasie en een afhangende mondhoek {lrs}
        pijnlijke mictie en frequente aandrang
        lage rugpijn met uitstraling naar het {lr}been
        een wegraking
        gewichtsverlies van {kg} kg
        algehele malaise
        jeukende huiduitslag
        een rode, warme zwelling van het {lr}onderbeen
        progressieve oedemen van beide benen
        pijn in de {lr}flank
        """
    ),
    "kg": _int(3, 14),
    "nw": _semi("twee; drie; vier; vijf; zes; zeven; acht; tien; 2; 3; 4; 5; 6"),
    "duration": _items(
        """
        sinds twee uur
        sinds {nw} uur
        sinds {nw} dagen
        sinds gisteravond
        sinds vanochtend
        sinds vannacht
        sinds een week
        sinds {nw} weken
        sinds enkele maanden
        sinds het weekend
        """
    ),
    "assoc": _items(
        """
        geen koorts
        geen dyspneu
        geen pijn op de borst
        wel misselijk, niet gebraakt
        eetlust verminderd
        geen gewichtsverlies
        defecatie zonder bijzonderheden
        mictie zonder bijzonderheden
        geen dysurie
        niet uitstralend
        toenemend bij inspanning
        afnemend in rust
        geen trauma
        geen hoofdpijn
        niet suf
        goed aanspreekbaar volgens de {partner}
        sinds {nw} dagen minder mobiel
        valt vaker thuis
        slaapt slecht door de pijn
        nachtzweten
        """
    ),
    "med": _nl_med,
    "trigger": _items(
        """
        inspanning
        een val van de trap
        een maaltijd
        het tillen van een zware doos
        een lange vliegreis
        een griepvaccinatie
        het starten van {drugname}
        een operatie {nw} weken geleden
        """
    ),
    "drugname": _semi("metoprolol; amlodipine; furosemide; tramadol; prednison; metformine; lisinopril; oxazepam"),
    "hetero": _items(
        """
        de {naaste} vertelt dat {hij} sinds {nw} dagen verward is
        volgens de {naaste} is {hij} vanochtend gevallen
        de {naaste} merkt dat {hij} minder eet en drinkt
        {hij} was gisteren nog helder volgens de {naaste}
        de {naaste} zag {hem} plotseling wegzakken
        de {naaste} vond {hem} op de grond naast het bed
        """
    ),
    "allergy": _items(
        """
        geen bekende allergieën
        penicilline (huiduitslag)
        jodiumhoudend contrast (urticaria)
        NSAID's (bronchospasme)
        pleister
        codeïne (misselijkheid)
        """
    ),
    "smoke": _items(
        """
        rookt {sig} sigaretten per dag
        gestopt met roken in {year}
        nooit gerookt
        {pj} pakjaren
        """
    ),
    "sig": _int(5, 30),
    "pj": _int(10, 60),
    "alcohol": _items(
        """
        {eh} eenheden alcohol per week
        geen alcohol
        alcohol sporadisch
        geen drugs
        """
    ),
    "eh": _int(2, 40),
    "sa": _items(
        """
        woont zelfstandig met {partner}
        woont alleen in een seniorenwoning
        woont in een verzorgingshuis
        woont met {partner} in een eengezinswoning
        thuiszorg {tz}x per dag
        mantelzorg door de dochter
        """
    ),
    "tz": _int(1, 4),
    "adl": _items(
        """
        ADL-zelfstandig
        loopt met een rollator
        loopt met een stok
        rolstoelgebonden
        hulp bij het douchen
        fietst nog dagelijks
        """
    ),
    "fam": _items(
        """
        vader overleden aan een myocardinfarct op {fa_age}-jarige leeftijd
        moeder bekend met diabetes mellitus type 2
        broer met coloncarcinoom op {fa_age}-jarige leeftijd
        zus met mammacarcinoom op {fa_age}-jarige leeftijd
        geen hart- en vaatziekten in de familie
        moeder overleden aan een CVA
        vader bekend met hypertensie
        blanco
        """
    ),
    "fa_age": _int(38, 79),
    "ziek": _semi(
        "niet-zieke; matig zieke; zieke; benauwde; bleke; klamme; pijnlijke; verwarde; slaperige; magere; adipeuze"
    ),
    "alert": _items(
        """
        alert en georiënteerd
        goed aanspreekbaar
        gedesoriënteerd in tijd
        suf maar wekbaar
        helder
        onrustig
        """
    ),
    "bp": _blood_pressure,
    "hr": _int(46, 138),
    "ritme": _semi("regulair; irregulair; regulair, equaal"),
    "temp": _dec(35.8, 40.1),
    "sat": _int(85, 100),
    "o2": _items(
        """
        bij kamerlucht
        zonder extra zuurstof
        met {o2l} L O2 via neusbril
        met 15 L O2 via een masker met reservoir
        """
    ),
    "o2l": _int(1, 5),
    "af": _int(12, 34),
    "emv": _semi("E4M6V5; E4M6V5; E3M6V4; E2M5V2; E4M6V4; E3M5V3"),
    "cor": _items(
        """
        s1 s2, geen souffles
        irregulair, geen souffles
        systolische souffle graad {gr}/6 over de aortaklep
        zachte harttonen, geen wrijfgeruis
        """
    ),
    "gr": _int(1, 4),
    "pulm": _items(
        """
        VAG beiderzijds, geen bijgeluiden
        crepitaties basaal {lrs}
        verlengd exspirium met piepende rhonchi
        verminderd ademgeruis basaal beiderzijds
        demping basaal {lrs}
        """
    ),
    "abd": _items(
        """
        soepel, geen drukpijn, normale peristaltiek
        drukpijn {quad}, geen défense
        drukpijn en loslaatpijn {quad}, défense musculaire
        bolle buik, tympanie, weinig peristaltiek
        lever 2 vingers onder de ribbenboog palpabel
        """
    ),
    "quad": _semi("rechtsonder; linksonder; rechtsboven; epigastrisch; suprapubisch; diffuus"),
    "extr": _items(
        """
        geen oedeem
        pitting oedeem tot de knieën
        {lr}onderbeen warm, rood en gezwollen
        koude voeten, pulsaties niet palpabel
        """
    ),
    "neuro": _items(
        """
        geen lateralisatie, pupillen isocoor en lichtreactief
        parese {lr}arm MRC {mrc}/5
        nekstijfheid
        dysartrie, geen afasie
        """
    ),
    "mrc": _int(1, 4),
    "huid": _semi("geen afwijkingen; ikterisch; bleek; petechiën op de onderbenen; decubitus graad 2 op het sacrum"),
    "hb": _dec(4.9, 10.3),
    "leuko": _dec(2.1, 27.9),
    "crp": _int(1, 340),
    "kreat": _int(45, 420),
    "egfr": _int(8, 90),
    "na": _int(121, 147),
    "k": _dec(2.9, 6.3),
    "gluc": _dec(3.2, 27.5),
    "trop": _int(3, 2400),
    "ph": _dec(7.12, 7.52, 2),
    "pco2": _dec(3.1, 9.8),
    "po2": _dec(6.5, 14.8),
    "bic": _int(14, 34),
    "lact": _dec(0.6, 6.8),
    "ecg": _items(
        """
        sinusritme {hr}/min, normale as, geen ST-T-afwijkingen
        atriumfibrilleren met snelle ventrikelrespons van {hr_fast}/min
        ST-elevatie in II, III en aVF
        linkerbundeltakblok, niet nieuw
        ST-depressie in V4-V6
        sinusritme met eerstegraads AV-blok
        """
    ),
    "hr_fast": _int(110, 170),
    "xthorax": _items(
        """
        geen infiltraat, geen pleuravocht
        infiltraat in de {lr} onderkwab
        consolidatie rechter bovenkwab
        pleuravocht {lrs}, geen pneumothorax
        tekenen van overvulling met Kerley-B-lijnen
        cardiomegalie zonder stuwing
        geen afwijkingen
        """
    ),
    "echo": _items(
        """
        galblaas met sludge en stenen, wandverdikking van {wd} mm, positief echografisch Murphy-teken
        geen vrij vocht, normale lever en galwegen
        hydronefrose graad {gr3} {lrs}
        appendix niet-comprimeerbaar, diameter {app} mm, met omgevende infiltratie
        levercirrose met milde ascites
        """
    ),
    "wd": _int(4, 9),
    "gr3": _int(1, 3),
    "app": _int(7, 14),
    "ct": _items(
        """
        geen aanwijzingen voor een bloeding of een recent infarct
        hypodens gebied in het stroomgebied van de {lr} arteria cerebri media
        subduraal hematoom {lrs} van {sdh} mm zonder midlijnverschuiving
        matige globale atrofie en wittestofafwijkingen
        geen fractuur, geen intracraniële afwijkingen
        """
    ),
    "sdh": _int(4, 18),
    "dx": _items(
        """
        een pneumonie van de {lr} onderkwab
        een acuut coronair syndroom
        een NSTEMI
        een inferieur STEMI
        een exacerbatie COPD
        gedecompenseerd hartfalen
        een urosepsis
        een appendicitis acuta
        een diep veneuze trombose van het {lr}been
        een longembolie
        een acute cholecystitis
        een delier bij een urineweginfectie
        een TIA
        een herseninfarct in het stroomgebied van de {lr} arteria cerebri media
        een hypoglykemie bij insulinegebruik
        een ontregelde diabetes mellitus
        acute nierschade, waarschijnlijk prerenaal
        een erysipelas van het {lr}onderbeen
        een bovenste tractus digestivus bloeding
        atriumfibrilleren met snelle ventrikelrespons
        een symptomatische hyponatriëmie
        een pyelonefritis
        een collumfractuur {lrs} na een val
        een diverticulitis
        """
    ),
    "dd": _semi(
        "longembolie; pneumonie; pericarditis; cholecystitis; pancreatitis; aortadissectie; urineweginfectie; "
        "medicatiebijwerking; maligniteit; virale infectie; ulcuslijden; hartfalen"
    ),
    "plan": _items(
        """
        opname interne geneeskunde
        bloedkweken afnemen
        urinekweek afnemen
        herhalen lab morgen
        CT-abdomen met contrast
        CT-angiografie van de longen
        echo-doppler {lr}been
        consult cardiologie
        consult chirurgie
        vochtbeperking {vb} liter
        dagelijks wegen
        start {drug_iv}
        start {med}
        stop {drugname}
        thuis laten uitzieken
        cb poli over {nw} weken
        cb HA over {nw} dagen
        telefonisch contact met uitslagen
        nuchter houden
        mobiliseren onder begeleiding van de fysiotherapeut
        diëtist in consult i.v.m. slechte intake
        """
    ),
    "vb": _semi("1,5; 2"),
    "drug_iv": _items(
        """
        ceftriaxon 2 g i.v. 1dd
        amoxicilline/clavulaanzuur 1200 mg i.v. 4dd
        cefuroxim 1500 mg i.v. 3dd
        flucloxacilline 1 g i.v. 6dd
        piperacilline/tazobactam 4/0,5 g i.v. 4dd
        furosemide 40 mg i.v. 2dd
        nadroparine 2850 IE s.c. 1dd
        morfine 2,5 mg s.c. z.n.
        paracetamol 1 g i.v. 4dd
        pantoprazol 80 mg i.v. bolus, daarna 8 mg/uur
        NaCl 0,9% 1500 ml/24 uur
        prednisolon 40 mg i.v. 1dd
        ciprofloxacine 400 mg i.v. 2dd
        """
    ),
    "afdeling": _semi(
        "interne geneeskunde; cardiologie; longziekten; MDL; neurologie; chirurgie; geriatrie; op de CCU; "
        "op de hartbewaking"
    ),
    "specialist": _semi(
        "de cardioloog; de dienstdoende chirurg; de intensivist; de neuroloog; de MDL-arts; de uroloog; de supervisor"
    ),
    "procedure": _items(
        """
        een CAG
        een spoed-CAG
        conservatief beleid
        een diagnostische laparoscopie
        een appendectomie
        een gastroscopie binnen 24 uur
        trombolyse met alteplase
        een pleuradrain {lrs}
        plaatsing van een nefrostomiekatheter {lrs}
        overplaatsing naar de IC
        elektrische cardioversie
        """
    ),
    "status": _items(
        """
        koorts afgenomen
        afebriel sinds {nw} dagen
        CRP dalend naar {crp} mg/L
        pt. mobiliseert zelfstandig
        goede intake
        nog zuurstofbehoeftig met {o2l} L/min
        diurese op gang met {diur} ml per 24 uur
        gewicht {kgd} kg gedaald
        minder verward
        pijn goed onder controle
        ontlasting op gang
        wond rustig
        tolereert vloeibare voeding
        nog matig mobiel
        hemodynamisch stabiel
        """
    ),
    "diur": _int(900, 4200),
    "kgd": _dec(0.5, 4.5),
    "dag": _int(1, 14),
    "discuss": _items(
        """
        uitleg gegeven over de diagnose en het beleid
        besproken dat reanimatie niet zinvol wordt geacht, niet-reanimeren-beleid afgesproken
        vragen beantwoord, pt. akkoord met het voorgestelde beleid
        wensen t.a.v. de behandeling besproken, geen IC-opname
        prognose besproken, pt. wil eerst bedenktijd
        afgesproken om de behandeling te beperken tot comfortzorg
        """
    ),
    "dest": _semi("huis; het verpleeghuis; een revalidatiecentrum; een hospice; het verzorgingshuis"),
    "followup": _items(
        """
        cb poli {spec} over {nw} weken
        lab herhalen via de HA over een week
        nacontrole op de poli over {nw} weken
        HA informeren over de wijzigingen in de medicatie
        thuiszorg voor wondverzorging
        """
    ),
    "spec": _semi("interne; cardiologie; longziekten; MDL; chirurgie; neurologie; geriatrie; urologie"),
    "nurse": _items(
        """
        temp {temp} °C
        RR {bp} mmHg
        desaturatie tot {lowsat}%
        onrust in de nacht
        pt. is uit bed gevallen
        urineproductie {urine} ml in 8 uur
        pt. weigert medicatie
        toegenomen pijn
        braken na de maaltijd
        """
    ),
    "lowsat": _int(78, 91),
    "urine": _int(60, 900),
    "nurse_action": _items(
        """
        bloedkweken afgenomen
        arts-assistent ingelicht
        zuurstof opgehoogd naar {o2l} L/min
        haloperidol 0,5 mg gegeven
        blaasscan verricht, {bs} ml residu
        paracetamol 1 g gegeven
        vitale functies herhaald na een uur
        valrisico-interventies ingezet
        """
    ),
    "bs": _int(40, 900),
    "nrs": _int(0, 10),
    "pain_action": _items(
        """
        paracetamol opgehoogd naar 1 g 4dd
        oxycodon 5 mg z.n. toegevoegd
        geen aanvullend beleid
        morfine 2,5 mg s.c. gegeven
        consult pijnteam aangevraagd
        herbeoordeling over een uur
        """
    ),
    "tel_reason": _items(
        """
        toegenomen kortademigheid
        koorts na de chemokuur
        vragen over de medicatie
        een nabloeding uit de wond
        aanhoudende diarree
        duizeligheid na start van {drugname}
        """
    ),
    "advice": _items(
        """
        kom langs op de SEH
        contact met HA morgen
        stoppen met {drugname} en terugbellen bij aanhoudende klachten
        paracetamol z.n. en controle over {nw} dagen
        laat de wond beoordelen door de HA
        ruim drinken en terugbellen bij koorts boven 38,5 °C
        """
    ),
    "uitslag": _items(
        """
        bloedkweken: groei van E. coli, gevoelig voor amoxicilline
        bloedkweken: geen groei na 5 dagen
        bloedkweken: groei van Staphylococcus aureus in beide sets
        urinekweek: meer dan 10^5 kve/ml E. coli
        urinekweek: gemengde flora, waarschijnlijk contaminatie
        sputumkweek: Haemophilus influenzae, gevoelig voor amoxicilline
        echocardiografie: LVEF {ef}%, matige mitralisklepinsufficiëntie
        echocardiografie: goede LV-functie, geen klepafwijkingen
        CT-thorax: longembolieën in beide onderkwabben
        CT-thorax: geen longembolie, wel consolidatie in de {lr} onderkwab
        coloscopie: poliep van {pol} mm in het sigmoïd, verwijderd
        histologie: adenocarcinoom, verdere stadiëring volgt
        MRI-cerebrum: geen afwijkingen
        MRI-cerebrum: recent infarct in het stroomgebied van de {lr} arteria cerebri media
        """
    ),
    "ef": _int(20, 65),
    "pol": _int(4, 30),
    "impact": _items(
        """
        antibiotica omgezet naar {oral_ab}
        antibiotica gecontinueerd
        geen consequenties voor het beleid
        besproken in het MDO
        pt. telefonisch geïnformeerd
        start therapeutisch {anticoag}
        """
    ),
    "oral_ab": _semi(
        "amoxicilline 500 mg 3dd; nitrofurantoïne 100 mg 2dd; ciprofloxacine 500 mg 2dd; doxycycline 100 mg 1dd; "
        "flucloxacilline 500 mg 4dd"
    ),
    "anticoag": _semi("nadroparine; apixaban; rivaroxaban"),
    "ctrl_reason": _items(
        """
        na opname i.v.m. {dx}
        i.v.m. {chronic}
        na {procedure_done}
        """
    ),
    "chronic": _semi(
        "diabetes mellitus type 2; hypertensie; hartfalen; COPD; atriumfibrilleren; chronische nierschade; astma"
    ),
    "procedure_done": _semi(
        "een PCI; een appendectomie; een heupoperatie; het plaatsen van een pacemaker; een cholecystectomie"
    ),
    "ctrl_status": _items(
        """
        klachtenvrij
        nog wat dyspnoïsch bij traplopen
        lichte enkeloedemen
        af en toe duizelig
        RR thuis gemiddeld {bp} mmHg
        HbA1c {hba1c} mmol/mol
        gewicht stabiel
        nog vermoeid maar wel toenemend actief
        """
    ),
    "hba1c": _int(38, 96),
    "vg_event": _items(
        """
        CABG
        PCI RCX
        appendectomie
        cholecystectomie
        TIA
        heupfractuur {lrs}, DHS
        TURP
        totale knieprothese {lrs}
        hemicolectomie rechts wegens coloncarcinoom
        pneumonie
        staaroperatie beiderzijds
        """
    ),
}


# =============================================================================================
# nl-bio: Dutch leaflets, pharmacology and abstracts
# =============================================================================================

NL_DRUGS = (
    Drug(
        name="metformine",
        cls="een biguanide",
        mech="remming van de glucoseproductie in de lever en verbetering van de insulinegevoeligheid",
        ind="diabetes mellitus type 2",
        strength="500 mg; 850 mg; 1000 mg",
        dose="500 mg; 850 mg; 1000 mg",
        freq="tweemaal daags; driemaal daags bij de maaltijd",
        outcome="het HbA1c; de nuchtere glucosewaarde; het lichaamsgewicht",
        form="filmomhulde tablet; tablet met verlengde afgifte",
        route="orale",
        comp="sitagliptine; gliclazide",
    ),
    Drug(
        name="atorvastatine",
        cls="een HMG-CoA-reductaseremmer",
        mech="remming van het enzym HMG-CoA-reductase, waardoor de cholesterolsynthese in de lever afneemt",
        ind="hypercholesterolemie; coronaire hartziekte",
        strength="10 mg; 20 mg; 40 mg; 80 mg",
        dose="10 mg; 20 mg; 40 mg; 80 mg",
        freq="eenmaal daags",
        outcome="het LDL-cholesterol; het risico op een myocardinfarct",
        form="filmomhulde tablet",
        route="orale",
        comp="rosuvastatine; simvastatine",
    ),
    Drug(
        name="rivaroxaban",
        cls="een directe factor Xa-remmer",
        mech="selectieve, directe remming van factor Xa",
        ind="atriumfibrilleren; diep veneuze trombose; longembolie",
        strength="10 mg; 15 mg; 20 mg",
        dose="15 mg; 20 mg",
        freq="eenmaal daags bij de maaltijd",
        outcome="het risico op een beroerte; het aantal recidieven van veneuze trombo-embolie",
        form="filmomhulde tablet",
        route="orale",
        comp="warfarine; acenocoumarol",
    ),
    Drug(
        name="apixaban",
        cls="een directe factor Xa-remmer",
        mech="selectieve remming van vrij en stolselgebonden factor Xa",
        ind="atriumfibrilleren; diep veneuze trombose",
        strength="2,5 mg; 5 mg",
        dose="2,5 mg; 5 mg",
        freq="tweemaal daags",
        outcome="het risico op een beroerte; het aantal ernstige bloedingen",
        form="filmomhulde tablet",
        route="orale",
        comp="warfarine; enoxaparine",
    ),
    Drug(
        name="empagliflozine",
        cls="een SGLT2-remmer",
        mech="remming van de natrium-glucose-cotransporter 2 in de proximale tubulus van de nier",
        ind="diabetes mellitus type 2; chronisch hartfalen; chronische nierschade",
        strength="10 mg; 25 mg",
        dose="10 mg; 25 mg",
        freq="eenmaal daags",
        outcome="het HbA1c; het aantal ziekenhuisopnames wegens hartfalen; de daling van de eGFR",
        form="filmomhulde tablet",
        route="orale",
        comp="dapagliflozine; sitagliptine",
    ),
    Drug(
        name="semaglutide",
        cls="een GLP-1-receptoragonist",
        mech="stimulatie van de GLP-1-receptor, waardoor de insulinesecretie glucoseafhankelijk toeneemt",
        ind="diabetes mellitus type 2; obesitas",
        strength="0,25 mg; 0,5 mg; 1 mg",
        dose="0,25 mg; 0,5 mg; 1 mg",
        freq="eenmaal per week subcutaan",
        outcome="het HbA1c; het lichaamsgewicht",
        form="voorgevulde pen",
        route="subcutane",
        comp="dulaglutide; insuline glargine",
    ),
    Drug(
        name="pembrolizumab",
        cls="een monoklonaal antilichaam tegen PD-1",
        mech="blokkade van de PD-1-receptor, waardoor de antitumorale T-celrespons wordt hersteld",
        ind="niet-kleincellig longcarcinoom; gemetastaseerd melanoom; urotheelcelcarcinoom",
        strength="100 mg",
        dose="200 mg",
        freq="elke drie weken als intraveneuze infusie",
        outcome="de progressievrije overleving; de algehele overleving; het objectieve responspercentage",
        form="injectieflacon",
        route="intraveneuze",
        comp="platinabevattende chemotherapie; docetaxel",
    ),
    Drug(
        name="trastuzumab",
        cls="een monoklonaal antilichaam tegen HER2",
        mech="binding aan het extracellulaire domein van de HER2-receptor",
        ind="HER2-positief mammacarcinoom; HER2-positief maagcarcinoom",
        strength="150 mg; 420 mg",
        dose="6 mg/kg",
        freq="elke drie weken, na een oplaaddosis van 8 mg/kg",
        outcome="de ziektevrije overleving; de algehele overleving",
        form="injectieflacon",
        route="intraveneuze",
        comp="lapatinib",
    ),
    Drug(
        name="adalimumab",
        cls="een TNF-alfaremmer",
        mech="binding aan TNF-alfa, waardoor de ontstekingsreactie wordt geremd",
        ind="reumatoïde artritis; de ziekte van Crohn; colitis ulcerosa; psoriasis",
        strength="40 mg",
        dose="40 mg",
        freq="eenmaal per twee weken subcutaan",
        outcome="de ziekteactiviteit; het aantal patiënten in remissie",
        form="voorgevulde spuit; voorgevulde pen",
        route="subcutane",
        comp="etanercept; infliximab",
    ),
    Drug(
        name="methotrexaat",
        cls="een foliumzuurantagonist",
        mech="remming van het enzym dihydrofolaatreductase",
        ind="reumatoïde artritis; psoriasis",
        strength="2,5 mg; 10 mg",
        dose="7,5 mg; 10 mg; 15 mg",
        freq="eenmaal per week",
        outcome="de ziekteactiviteit; het aantal gezwollen gewrichten",
        form="tablet",
        route="orale",
        comp="leflunomide",
    ),
    Drug(
        name="levetiracetam",
        cls="een anti-epilepticum",
        mech="binding aan het synaptische vesikeleiwit SV2A",
        ind="epilepsie",
        strength="250 mg; 500 mg; 1000 mg",
        dose="250 mg; 500 mg; 1000 mg",
        freq="tweemaal daags",
        outcome="de aanvalsfrequentie",
        form="filmomhulde tablet",
        route="orale",
        comp="lamotrigine; carbamazepine",
    ),
    Drug(
        name="sertraline",
        cls="een selectieve serotonineheropnameremmer",
        mech="selectieve remming van de heropname van serotonine in de hersenen",
        ind="depressie; paniekstoornis; obsessieve-compulsieve stoornis",
        strength="50 mg; 100 mg",
        dose="50 mg; 100 mg",
        freq="eenmaal daags",
        outcome="de ernst van de depressieve klachten; het aantal terugvallen",
        form="filmomhulde tablet",
        route="orale",
        comp="escitalopram; venlafaxine",
    ),
    Drug(
        name="omeprazol",
        cls="een protonpompremmer",
        mech="remming van de protonpomp in de pariëtale cellen van het maagslijmvlies",
        ind="refluxoesofagitis; een maagzweer; een zweer in de twaalfvingerige darm",
        strength="20 mg; 40 mg",
        dose="20 mg; 40 mg",
        freq="eenmaal daags voor het ontbijt",
        outcome="het percentage genezen oesofagitis; het aantal recidieven",
        form="maagsapresistente capsule",
        route="orale",
        comp="ranitidine; pantoprazol",
    ),
    Drug(
        name="ticagrelor",
        cls="een P2Y12-remmer",
        mech="reversibele remming van de P2Y12-receptor op bloedplaatjes",
        ind="een acuut coronair syndroom",
        strength="60 mg; 90 mg",
        dose="90 mg",
        freq="tweemaal daags",
        outcome="het aantal cardiovasculaire gebeurtenissen; de cardiovasculaire mortaliteit",
        form="filmomhulde tablet",
        route="orale",
        comp="clopidogrel",
    ),
    Drug(
        name="tacrolimus",
        cls="een calcineurineremmer",
        mech="remming van calcineurine, waardoor de activering van T-lymfocyten wordt onderdrukt",
        ind="een niertransplantatie; een levertransplantatie",
        strength="0,5 mg; 1 mg; 5 mg",
        dose="0,1 mg/kg per dag",
        freq="verdeeld over twee giften",
        outcome="het aantal acute afstotingsreacties; de transplantaatoverleving",
        form="harde capsule",
        route="orale",
        comp="ciclosporine",
    ),
    Drug(
        name="denosumab",
        cls="een monoklonaal antilichaam tegen RANKL",
        mech="remming van RANKL, waardoor de botafbraak door osteoclasten afneemt",
        ind="postmenopauzale osteoporose",
        strength="60 mg",
        dose="60 mg",
        freq="eenmaal per zes maanden subcutaan",
        outcome="het aantal wervelfracturen; de botmineraaldichtheid",
        form="voorgevulde spuit",
        route="subcutane",
        comp="zoledroninezuur; alendroninezuur",
    ),
    Drug(
        name="osimertinib",
        cls="een tyrosinekinaseremmer",
        mech="irreversibele remming van EGFR met activerende mutaties en de T790M-resistentiemutatie",
        ind="EGFR-gemuteerd niet-kleincellig longcarcinoom",
        strength="40 mg; 80 mg",
        dose="80 mg",
        freq="eenmaal daags",
        outcome="de progressievrije overleving; de algehele overleving",
        form="filmomhulde tablet",
        route="orale",
        comp="gefitinib; erlotinib",
    ),
    Drug(
        name="imatinib",
        cls="een tyrosinekinaseremmer",
        mech="remming van de BCR-ABL-tyrosinekinase",
        ind="chronische myeloïde leukemie; gastro-intestinale stromaceltumoren",
        strength="100 mg; 400 mg",
        dose="400 mg; 600 mg",
        freq="eenmaal daags bij de maaltijd",
        outcome="het percentage complete cytogenetische respons; de progressievrije overleving",
        form="filmomhulde tablet",
        route="orale",
        comp="nilotinib; dasatinib",
    ),
    Drug(
        name="sacubitril/valsartan",
        cls="een angiotensinereceptor-neprilysineremmer",
        mech="gelijktijdige remming van neprilysine en blokkade van de angiotensine II-type 1-receptor",
        ind="chronisch hartfalen met verminderde ejectiefractie",
        strength="24 mg/26 mg; 49 mg/51 mg; 97 mg/103 mg",
        dose="49 mg/51 mg; 97 mg/103 mg",
        freq="tweemaal daags",
        outcome="het aantal ziekenhuisopnames wegens hartfalen; de cardiovasculaire mortaliteit",
        form="filmomhulde tablet",
        route="orale",
        comp="enalapril",
    ),
    Drug(
        name="enoxaparine",
        cls="een heparine met een laag molecuulgewicht",
        mech="versterking van de remmende werking van antitrombine op factor Xa en trombine",
        ind="diep veneuze trombose; longembolie",
        strength="40 mg/0,4 ml; 60 mg/0,6 ml; 80 mg/0,8 ml",
        dose="1 mg/kg",
        freq="tweemaal daags subcutaan",
        outcome="het aantal veneuze trombo-embolieën; het aantal ernstige bloedingen",
        form="voorgevulde spuit",
        route="subcutane",
        comp="ongefractioneerde heparine; fondaparinux",
    ),
    Drug(
        name="levothyroxine",
        cls="een synthetisch schildklierhormoon",
        mech="vervanging van het ontbrekende lichaamseigen thyroxine",
        ind="hypothyreoïdie",
        strength="25 µg; 50 µg; 100 µg",
        dose="50 µg; 100 µg",
        freq="eenmaal daags op een nuchtere maag",
        outcome="de TSH-waarde",
        form="tablet",
        route="orale",
        comp="liothyronine",
    ),
    Drug(
        name="amoxicilline",
        cls="een bètalactamantibioticum",
        mech="remming van de celwandsynthese van gevoelige bacteriën",
        ind="een pneumonie; acute otitis media; een urineweginfectie",
        strength="500 mg; 750 mg",
        dose="500 mg; 750 mg",
        freq="driemaal daags",
        outcome="het percentage klinische genezing",
        form="harde capsule; dispergeerbare tablet",
        route="orale",
        comp="claritromycine; cefuroxim",
    ),
)

NL_BIO_TEMPLATES = _items(
    """
    Dit geneesmiddel bevat {exc_amt} mg {excipient} per {drug_form}.
    Elke {drug_form} bevat {drug_strength} {drug}.
    Gebruik {drug} niet als u allergisch bent voor een van de stoffen in dit geneesmiddel of als u {contra}.
    Neem contact op met uw arts of apotheker voordat u dit middel gebruikt als u {warning} of als u {warning}.
    Zeer vaak voorkomende bijwerkingen (kunnen voorkomen bij meer dan 1 op de 10 gebruikers): {ae}, {ae} en {ae}.
    Vaak voorkomende bijwerkingen (kunnen voorkomen bij maximaal 1 op de 10 gebruikers): {ae}, {ae}, {ae} en {ae}.
    Soms voorkomende bijwerkingen (kunnen voorkomen bij maximaal 1 op de 100 gebruikers): {ae}, {ae} en {ae_rare}.
    Zelden voorkomende bijwerkingen (kunnen voorkomen bij maximaal 1 op de 1.000 gebruikers): {ae_rare} en {ae_rare}.
    De aanbevolen dosering voor volwassenen met {drug_ind} is {drug_dose} {drug_freq}.
    Bij patiënten met {organ_imp} is {adjust}.
    Gebruikt u naast {drug} nog andere geneesmiddelen, zoals {drug2} of {drug3}? Vertel dat dan uw arts of apotheker.
    {Storage}; bewaren in de oorspronkelijke verpakking ter bescherming tegen {protect}.
    Heeft u te veel van {drug} gebruikt? Neem dan direct contact op met uw arts; mogelijke verschijnselen zijn \
        {overdose} en {overdose}.
    Zwangerschap en borstvoeding: {preg}.
    Rijvaardigheid en het gebruik van machines: {drug} {driving}.
    {Drug} is {drug_cls} en wordt gebruikt voor de behandeling van volwassenen met {drug_ind}.
    {Drug} wordt {drug_freq} toegediend.
    De gemiddelde leeftijd van de met {drug} behandelde patiënten was {med_age} jaar.
    Het HbA1c daalde na {n_weeks} weken met gemiddeld {hba1c_drop} mmol/mol.
    Er werden {n_pat} patiënten geïncludeerd uit {n_centres} ziekenhuizen.
    Bij {n_ev} patiënten werd de behandeling met {drug} gestaakt vanwege {stop_reason}.
    Doel: het onderzoeken van {aim} bij patiënten met {drug_ind}.
    Methoden: in deze {design} werden {n_pat} patiënten met {drug_ind} gerandomiseerd naar {drug} {drug_dose} \
        {drug_freq} of placebo gedurende {n_weeks} weken.
    Methoden: retrospectief werden de gegevens geanalyseerd van {n_pat} patiënten met {drug_ind} die {period} in \
        {setting_nl} met {drug} werden behandeld.
    Resultaten: de mediane leeftijd was {med_age} jaar (spreiding {age_range}) en {pct}% van de deelnemers was vrouw.
    Resultaten: na {n_weeks} weken was {drug_outcome} in de groep die {drug} kreeg significant gunstiger dan in de \
        placebogroep (p {p}).
    Conclusie: {drug} {concl_verb} {drug_outcome} bij patiënten met {drug_ind}; {caveat}.
    De mediane observatieduur bedroeg {months} maanden; in die periode {event_sent}.
    Bij {pct}% van de met {drug} behandelde patiënten kwam {ae_sg} voor, meestal van graad 1 of 2.
    De meest gemelde bijwerkingen van {drug} waren {ae}, {ae} en {ae}.
    De incidentie van {dx_epi} in Nederland wordt geschat op {inc} per 100.000 inwoners per jaar.
    {gene}-mutaties werden aangetoond in {pct}% van de onderzochte {tumor_pl}.
    Het werkingsmechanisme van {drug} berust op {drug_mech}.
    Na {drug_route} toediening worden maximale plasmaconcentraties van {drug} na ongeveer {tmax} uur bereikt.
    De eliminatiehalfwaardetijd van {drug} bedraagt ongeveer {thalf} uur, zodat {thalf_conseq}.
    {Drug} wordt voornamelijk {metab} en uitgescheiden via {excretion}.
    De hazardratio voor {hr_outcome} was {hrci}.
    Volgens de huidige richtlijn wordt {drug} bij {drug_ind} aanbevolen als {line}.
    In een {design_ni} met {n_pat} deelnemers was {drug} non-inferieur aan {drug_comp} wat betreft {drug_outcome}.
    Gelijktijdig gebruik van {drug} met {interaction}.
    {completion}
    Subgroepanalyses lieten een vergelijkbaar effect zien bij {subgroup} en bij {subgroup}.
    {dxdef} De prevalentie bedraagt naar schatting {prev} per 1.000 inwoners.
    """
)


def _completion_nl(rng: random.Random, ctx: Context) -> str:
    total = rng.randint(60, 1800)
    stopped = rng.randint(2, total // 6)
    return (
        f"Van de {_group(total)} geïncludeerde patiënten voltooiden er {_group(total - stopped)} de studie; "
        f"{_group(stopped)} patiënten stopten voortijdig vanwege {{stop_reason}}."
    )


NL_BIO_FILLERS: dict[str, Filler] = {
    "exc_amt": _int(2, 240),
    "excipient": _semi(
        "lactose; lactosemonohydraat; natrium; sorbitol (E420); sucrose; aspartaam (E951); polysorbaat 80; "
        "benzylalcohol; propyleenglycol; tarwezetmeel; methylparahydroxybenzoaat (E218)"
    ),
    "contra": _items(
        """
        ernstige leverproblemen heeft
        zwanger bent of borstvoeding geeft
        op dit moment een actieve bloeding heeft
        ernstige nierproblemen heeft
        ooit een ernstige allergische reactie op een vergelijkbaar middel heeft gehad
        een ernstige, actieve infectie heeft
        jonger bent dan 18 jaar
        """
    ),
    "warning": _items(
        """
        problemen met uw nieren heeft
        een leveraandoening heeft
        ouder bent dan 75 jaar
        een hartaandoening heeft of heeft gehad
        suikerziekte heeft
        binnenkort een operatie moet ondergaan
        bloedverdunners gebruikt
        ooit een ernstige huidreactie heeft gehad
        een verminderde weerstand heeft
        een lage bloeddruk heeft
        """
    ),
    "ae": _semi(
        "hoofdpijn; misselijkheid; diarree; duizeligheid; vermoeidheid; huiduitslag; jeuk; buikpijn; obstipatie; "
        "slapeloosheid; gewrichtspijn; spierpijn; verminderde eetlust; droge mond; hoesten; "
        "infecties van de bovenste luchtwegen; bloedarmoede; verhoogde leverenzymen; perifeer oedeem; haaruitval; "
        "braken; koorts"
    ),
    "ae_sg": _semi(
        "hoofdpijn; misselijkheid; diarree; duizeligheid; vermoeidheid; huiduitslag; jeuk; buikpijn; obstipatie; "
        "slapeloosheid; gewrichtspijn; bloedarmoede; haaruitval; koorts"
    ),
    "ae_rare": _semi(
        "ernstige allergische reacties (anafylaxie); leverontsteking (hepatitis); het syndroom van Stevens-Johnson; "
        "ontsteking van de alvleesklier (pancreatitis); interstitiële longziekte; angio-oedeem; agranulocytose; "
        "bloedingen in het maag-darmkanaal"
    ),
    "organ_imp": _items(
        """
        een lichte nierfunctiestoornis
        een matige nierfunctiestoornis (creatinineklaring 30-49 ml/min)
        een ernstige nierfunctiestoornis (creatinineklaring lager dan 30 ml/min)
        een lichte leverfunctiestoornis (Child-Pugh A)
        een ernstige leverfunctiestoornis (Child-Pugh C)
        """
    ),
    "adjust": _items(
        """
        geen dosisaanpassing nodig
        een dosisverlaging tot {drug_dose} {drug_freq} aanbevolen
        het gebruik van {drug} niet aanbevolen
        voorzichtigheid geboden en is regelmatige controle van de nierfunctie noodzakelijk
        """
    ),
    "storage": _items(
        """
        bewaren beneden {store_t} °C
        niet bewaren boven {store_t} °C
        bewaren in de koelkast (2 °C - 8 °C) en niet in de vriezer bewaren
        voor dit geneesmiddel zijn er geen speciale bewaarcondities wat betreft de temperatuur
        na opening binnen {days} dagen gebruiken
        """
    ),
    "store_t": _semi("25; 30"),
    "days": _semi("7; 14; 28; 30; 60"),
    "protect": _semi("licht; vocht; licht en vocht"),
    "overdose": _semi(
        "misselijkheid; sufheid; een trage hartslag; een lage bloeddruk; bloedingen; verwardheid; "
        "epileptische aanvallen; een te lage bloedsuikerspiegel"
    ),
    "preg": _items(
        """
        gebruik {drug} niet tijdens de zwangerschap, tenzij uw arts dit uitdrukkelijk adviseert
        het is niet bekend of {drug} in de moedermelk terechtkomt
        vrouwen die zwanger kunnen worden, moeten tijdens de behandeling en tot {wk} weken daarna effectieve \
            anticonceptie gebruiken
        vraag uw arts of apotheker om advies voordat u {drug} gebruikt als u zwanger bent of borstvoeding geeft
        """
    ),
    "wk": _semi("vier; zes; acht; twaalf"),
    "driving": _items(
        """
        heeft geen of een verwaarloosbare invloed op de rijvaardigheid
        kan duizeligheid en vermoeidheid veroorzaken; bestuur geen voertuig als u hier last van heeft
        kan uw reactievermogen verminderen, vooral aan het begin van de behandeling
        kan {ae} veroorzaken, wat de rijvaardigheid kan beïnvloeden
        """
    ),
    "aim": _items(
        """
        de werkzaamheid en veiligheid van {drug}
        de farmacokinetiek van {drug}
        het effect van {drug} op {drug_outcome}
        de kosteneffectiviteit van {drug}
        de therapietrouw bij gebruik van {drug}
        de veiligheid van {drug} op lange termijn
        """
    ),
    "design": _semi(
        "gerandomiseerde, dubbelblinde, placebogecontroleerde studie; multicentrische fase III-studie; "
        "gerandomiseerde fase II-studie; dubbelblinde studie in {n_centres} Nederlandse ziekenhuizen"
    ),
    "design_ni": _semi("gerandomiseerde fase III-studie; multicentrische, gerandomiseerde studie; pragmatische studie"),
    "n_centres": _int(3, 24),
    "hba1c_drop": _int(3, 18),
    "n_pat": _int(40, 2400, group=True),
    "n_weeks": _semi("12; 16; 24; 26; 48; 52"),
    "period": _period_nl,
    "setting_nl": _semi(
        "een academisch ziekenhuis; drie perifere ziekenhuizen; de huisartsenpraktijk; een topklinisch ziekenhuis; "
        "{n_centres} Nederlandse ziekenhuizen"
    ),
    "med_age": _int(42, 74),
    "age_range": lambda rng, ctx: f"{rng.randint(18, 40)}-{rng.randint(78, 96)}",
    "pct": _int(3, 88),
    "p": _semi("< 0,001; = 0,002; = 0,01; = 0,02; = 0,03; = 0,04"),
    "concl_verb": _semi(
        "verbeterde; had een gunstig effect op; had geen significant effect op; verbeterde op klinisch relevante wijze"
    ),
    "caveat": _items(
        """
        onderzoek met een langere observatieduur is nodig
        de resultaten moeten in een grotere populatie worden bevestigd
        de kosteneffectiviteit is nog onduidelijk
        het effect op de overleving is nog onbekend
        bijwerkingen kwamen vaker voor dan verwacht
        """
    ),
    "months": _int(6, 84),
    "event_sent": _items(
        """
        overleden {n_ev} patiënten
        kregen {n_ev} patiënten een recidief
        werden {n_ev} patiënten opnieuw opgenomen
        trad bij {n_ev} patiënten ziekteprogressie op
        """
    ),
    "n_ev": _int(3, 180),
    "dx_epi": _semi(
        "de ziekte van Crohn; colitis ulcerosa; reumatoïde artritis; multipele sclerose; het pancreascarcinoom; "
        "acute myeloïde leukemie; sarcoïdose; tuberculose; de ziekte van Lyme; het melanoom; diep veneuze trombose; "
        "hiv-infectie; longembolie; het hepatocellulair carcinoom"
    ),
    "inc": _int(1, 160),
    "gene": _semi("KRAS; EGFR; BRAF V600E; BRCA1; BRCA2; TP53; PIK3CA; IDH1"),
    "tumor_pl": _semi(
        "colorectale carcinomen; longadenocarcinomen; melanomen; pancreascarcinomen; mammacarcinomen; ovariumcarcinomen"
    ),
    "tmax": _semi("0,5; 1; 1 tot 2; 2; 2 tot 4; 3; 4; 6"),
    "thalf": _int(2, 140),
    "thalf_conseq": _items(
        """
        eenmaal daagse dosering mogelijk is
        een stabiele plasmaconcentratie na ongeveer vijf dagen wordt bereikt
        bij een verminderde nierfunctie stapeling kan optreden
        het effect na het stoppen nog enkele dagen aanhoudt
        """
    ),
    "metab": _semi(
        "in de lever gemetaboliseerd door CYP3A4; via CYP2C9 en CYP2C19 gemetaboliseerd; "
        "afgebroken tot kleine peptiden en aminozuren; geglucuronideerd; nauwelijks gemetaboliseerd"
    ),
    "excretion": _semi("de urine; de feces; de gal en de feces; de nieren"),
    "hr_outcome": _semi(
        "overlijden; ziekteprogressie of overlijden; ziekenhuisopname wegens hartfalen; "
        "een beroerte of systemische embolie"
    ),
    "hrci": _hazard_ratio("{} (95%-BI: {}-{})"),
    "line": _semi(
        "eerste keus; tweede keus na falen of intolerantie van de standaardbehandeling; onderhoudsbehandeling"
    ),
    "interaction": _items(
        """
        sterke CYP3A4-remmers zoals ketoconazol wordt afgeraden, omdat dit de plasmaconcentratie kan verhogen
        sint-janskruid wordt afgeraden, omdat dit de werkzaamheid kan verminderen
        bloedverdunners wordt afgeraden, omdat dit het risico op bloedingen vergroot
        NSAID's vergroot het risico op maag-darmbloedingen en nierfunctiestoornissen
        alcohol wordt afgeraden, omdat dit het risico op bijwerkingen verhoogt
        grapefruitsap wordt afgeraden, omdat dit de plasmaconcentratie kan verhogen
        levende vaccins wordt afgeraden, omdat een ernstige infectie kan optreden
        """
    ),
    "completion": _completion_nl,
    "stop_reason": _semi("bijwerkingen; ziekteprogressie; intrekking van toestemming; onvoldoende effect"),
    "subgroup": _semi(
        "mannen; vrouwen; patiënten ouder dan 65 jaar; patiënten met een verminderde nierfunctie; "
        "patiënten met diabetes; eerder behandelde patiënten; patiënten van Aziatische afkomst; rokers"
    ),
    "prev": _int(1, 60),
    "dxdef": _items(
        """
        De ziekte van Crohn is een chronische ontstekingsziekte die elk deel van het maag-darmkanaal kan aantasten.
        Reumatoïde artritis is een chronische auto-immuunziekte die vooral de kleine gewrichten van handen en \
            voeten aantast.
        Hartfalen is een klinisch syndroom waarbij het hart onvoldoende bloed rondpompt om aan de behoefte van het \
            lichaam te voldoen.
        Atriumfibrilleren is de meest voorkomende hartritmestoornis en gaat gepaard met een verhoogd risico op een \
            herseninfarct.
        Diabetes mellitus type 2 wordt gekenmerkt door insulineresistentie en een relatief tekort aan insuline.
        Psoriasis is een chronische ontstekingsziekte van de huid met scherp begrensde, schilferende plaques.
        Osteoporose is een skeletaandoening die wordt gekenmerkt door een lage botmassa en een verhoogd fractuurrisico.
        Epilepsie is een neurologische aandoening met herhaalde, niet-uitgelokte epileptische aanvallen.
        Chronische nierschade wordt gedefinieerd als een verminderde nierfunctie of albuminurie gedurende ten \
            minste drie maanden.
        Colitis ulcerosa is een chronische ontsteking van het slijmvlies van het colon en het rectum.
        Multipele sclerose is een chronische demyeliniserende aandoening van het centrale zenuwstelsel.
        COPD is een chronische longziekte die wordt gekenmerkt door een niet volledig reversibele luchtwegobstructie.
        Depressie is een stemmingsstoornis die gepaard gaat met somberheid en verlies van interesse.
        Hypothyreoïdie ontstaat door een tekort aan schildklierhormoon en veroorzaakt onder meer vermoeidheid en \
            gewichtstoename.
        """
    ),
}


# =============================================================================================
# ro-bio: Romanian leaflets, literature and short case reports
# =============================================================================================

RO_DRUGS = (
    Drug(
        name="metformină",
        definite="metformina",
        genitive="metforminei",
        cls="un antidiabetic oral din clasa biguanidelor",
        mech="inhibarea producției hepatice de glucoză și creșterea sensibilității periferice la insulină",
        ind="diabet zaharat de tip 2",
        strength="500 mg; 850 mg; 1000 mg",
        dose="500 mg; 850 mg; 1000 mg",
        freq="de două ori pe zi, în timpul meselor; de trei ori pe zi, în timpul meselor",
        outcome="valoarea HbA1c; glicemia bazală; greutatea corporală",
        form="comprimat filmat; comprimat cu eliberare prelungită",
        route="orală",
        comp="sitagliptină; gliclazidă",
    ),
    Drug(
        name="atorvastatină",
        definite="atorvastatina",
        genitive="atorvastatinei",
        cls="un inhibitor al HMG-CoA reductazei",
        mech="inhibarea selectivă și competitivă a HMG-CoA reductazei, enzima care limitează sinteza colesterolului",
        ind="hipercolesterolemie; boală coronariană",
        strength="10 mg; 20 mg; 40 mg; 80 mg",
        dose="10 mg; 20 mg; 40 mg; 80 mg",
        freq="o dată pe zi",
        outcome="concentrația LDL-colesterolului; rata evenimentelor cardiovasculare majore",
        form="comprimat filmat",
        route="orală",
        comp="rosuvastatină; simvastatină",
    ),
    Drug(
        name="rivaroxaban",
        definite="rivaroxabanul",
        genitive="rivaroxabanului",
        cls="un inhibitor direct al factorului Xa",
        mech="inhibarea directă, înalt selectivă, a factorului Xa",
        ind="fibrilație atrială non-valvulară; tromboză venoasă profundă; embolie pulmonară",
        strength="10 mg; 15 mg; 20 mg",
        dose="15 mg; 20 mg",
        freq="o dată pe zi, în timpul mesei",
        outcome="incidența accidentului vascular cerebral; rata recurenței tromboembolismului venos",
        form="comprimat filmat",
        route="orală",
        comp="warfarină; acenocumarol",
    ),
    Drug(
        name="apixaban",
        definite="apixabanul",
        genitive="apixabanului",
        cls="un inhibitor direct al factorului Xa",
        mech="inhibarea reversibilă și selectivă a factorului Xa liber și legat de cheag",
        ind="fibrilație atrială non-valvulară; tromboză venoasă profundă",
        strength="2,5 mg; 5 mg",
        dose="2,5 mg; 5 mg",
        freq="de două ori pe zi",
        outcome="incidența accidentului vascular cerebral; rata sângerărilor majore",
        form="comprimat filmat",
        route="orală",
        comp="warfarină; enoxaparină",
    ),
    Drug(
        name="empagliflozină",
        definite="empagliflozina",
        genitive="empagliflozinei",
        cls="un inhibitor al cotransportorului sodiu-glucoză de tip 2 (SGLT2)",
        mech="inhibarea reversibilă a SGLT2 la nivelul tubului contort proximal, cu creșterea excreției urinare de "
        "glucoză",
        ind="diabet zaharat de tip 2; insuficiență cardiacă cronică; boală cronică de rinichi",
        strength="10 mg; 25 mg",
        dose="10 mg; 25 mg",
        freq="o dată pe zi",
        outcome="valoarea HbA1c; rata spitalizărilor pentru insuficiență cardiacă; rata declinului funcției renale",
        form="comprimat filmat",
        route="orală",
        comp="dapagliflozină; sitagliptină",
    ),
    Drug(
        name="semaglutidă",
        definite="semaglutida",
        genitive="semaglutidei",
        cls="un agonist al receptorului GLP-1",
        mech="activarea receptorului GLP-1, cu stimularea secreției de insulină dependente de glucoză",
        ind="diabet zaharat de tip 2; obezitate",
        strength="0,25 mg; 0,5 mg; 1 mg",
        dose="0,25 mg; 0,5 mg; 1 mg",
        freq="o dată pe săptămână, subcutanat",
        outcome="valoarea HbA1c; greutatea corporală",
        form="stilou injector (pen) preumplut",
        route="subcutanată",
        comp="dulaglutidă; insulină glargin",
    ),
    Drug(
        name="pembrolizumab",
        definite="pembrolizumabul",
        genitive="pembrolizumabului",
        cls="un anticorp monoclonal umanizat anti-PD-1",
        mech="blocarea receptorului PD-1 de pe limfocitele T, cu restabilirea răspunsului imun antitumoral",
        ind="cancer pulmonar fără celule mici; melanom avansat; carcinom urotelial",
        strength="100 mg",
        dose="200 mg",
        freq="la interval de trei săptămâni, în perfuzie intravenoasă",
        outcome="supraviețuirea fără progresie; supraviețuirea globală; rata de răspuns obiectiv",
        form="flacon",
        route="intravenoasă",
        comp="chimioterapia pe bază de platină; docetaxel",
    ),
    Drug(
        name="trastuzumab",
        definite="trastuzumabul",
        genitive="trastuzumabului",
        cls="un anticorp monoclonal anti-HER2",
        mech="legarea de domeniul extracelular al receptorului HER2",
        ind="cancer mamar HER2-pozitiv; cancer gastric HER2-pozitiv",
        strength="150 mg; 420 mg",
        dose="6 mg/kg",
        freq="la interval de trei săptămâni, după o doză de încărcare de 8 mg/kg",
        outcome="supraviețuirea fără boală; supraviețuirea globală",
        form="flacon",
        route="intravenoasă",
        comp="lapatinib",
    ),
    Drug(
        name="adalimumab",
        definite="adalimumabul",
        genitive="adalimumabului",
        cls="un inhibitor al TNF-alfa",
        mech="legarea specifică de TNF-alfa și neutralizarea funcției biologice a acestuia",
        ind="poliartrită reumatoidă; boală Crohn; colită ulcerativă; psoriazis în plăci",
        strength="40 mg",
        dose="40 mg",
        freq="la interval de două săptămâni, subcutanat",
        outcome="activitatea bolii; rata remisiunii clinice",
        form="seringă preumplută; stilou injector (pen) preumplut",
        route="subcutanată",
        comp="etanercept; infliximab",
    ),
    Drug(
        name="metotrexat",
        definite="metotrexatul",
        genitive="metotrexatului",
        cls="un antimetabolit antagonist al acidului folic",
        mech="inhibarea competitivă a enzimei dihidrofolat reductază",
        ind="poliartrită reumatoidă; psoriazis sever",
        strength="2,5 mg; 10 mg",
        dose="7,5 mg; 10 mg; 15 mg",
        freq="o dată pe săptămână",
        outcome="activitatea bolii; tumefacția articulară",
        form="comprimat",
        route="orală",
        comp="leflunomidă",
    ),
    Drug(
        name="levetiracetam",
        definite="levetiracetamul",
        genitive="levetiracetamului",
        cls="un medicament antiepileptic",
        mech="legarea de proteina veziculelor sinaptice SV2A",
        ind="epilepsie",
        strength="250 mg; 500 mg; 1000 mg",
        dose="250 mg; 500 mg; 1000 mg",
        freq="de două ori pe zi",
        outcome="frecvența crizelor",
        form="comprimat filmat",
        route="orală",
        comp="lamotrigină; carbamazepină",
    ),
    Drug(
        name="sertralină",
        definite="sertralina",
        genitive="sertralinei",
        cls="un inhibitor selectiv al recaptării serotoninei",
        mech="inhibarea selectivă a recaptării serotoninei la nivelul neuronilor cerebrali",
        ind="depresie majoră; tulburare de panică; tulburare obsesiv-compulsivă",
        strength="50 mg; 100 mg",
        dose="50 mg; 100 mg",
        freq="o dată pe zi",
        outcome="severitatea simptomelor depresive; rata recăderilor",
        form="comprimat filmat",
        route="orală",
        comp="escitalopram; venlafaxină",
    ),
    Drug(
        name="omeprazol",
        definite="omeprazolul",
        genitive="omeprazolului",
        cls="un inhibitor al pompei de protoni",
        mech="inhibarea pompei de protoni din celulele parietale gastrice",
        ind="esofagită de reflux; ulcer gastric; ulcer duodenal",
        strength="20 mg; 40 mg",
        dose="20 mg; 40 mg",
        freq="o dată pe zi, înainte de micul dejun",
        outcome="rata vindecării endoscopice; rata recurențelor",
        form="capsulă gastrorezistentă",
        route="orală",
        comp="ranitidină; pantoprazol",
    ),
    Drug(
        name="ticagrelor",
        definite="ticagrelorul",
        genitive="ticagrelorului",
        cls="un antagonist al receptorului P2Y12",
        mech="blocarea directă și reversibilă a receptorului plachetar P2Y12",
        ind="sindrom coronarian acut",
        strength="60 mg; 90 mg",
        dose="90 mg",
        freq="de două ori pe zi",
        outcome="rata evenimentelor cardiovasculare majore; mortalitatea de cauză cardiovasculară",
        form="comprimat filmat",
        route="orală",
        comp="clopidogrel",
    ),
    Drug(
        name="tacrolimus",
        definite="tacrolimusul",
        genitive="tacrolimusului",
        cls="un inhibitor de calcineurină",
        mech="inhibarea calcineurinei, cu suprimarea activării limfocitelor T",
        ind="transplant renal; transplant hepatic",
        strength="0,5 mg; 1 mg; 5 mg",
        dose="0,1 mg/kg pe zi",
        freq="divizată în două prize",
        outcome="incidența episoadelor de rejet acut; supraviețuirea grefei",
        form="capsulă",
        route="orală",
        comp="ciclosporină",
    ),
    Drug(
        name="denosumab",
        definite="denosumabul",
        genitive="denosumabului",
        cls="un anticorp monoclonal anti-RANKL",
        mech="inhibarea RANKL, cu reducerea formării, funcției și supraviețuirii osteoclastelor",
        ind="osteoporoză postmenopauzală",
        strength="60 mg",
        dose="60 mg",
        freq="o dată la șase luni, subcutanat",
        outcome="incidența fracturilor vertebrale; densitatea minerală osoasă",
        form="seringă preumplută",
        route="subcutanată",
        comp="acid zoledronic; alendronat",
    ),
    Drug(
        name="osimertinib",
        definite="osimertinibul",
        genitive="osimertinibului",
        cls="un inhibitor de tirozin-kinază",
        mech="inhibarea ireversibilă a EGFR cu mutații activatoare și cu mutația de rezistență T790M",
        ind="cancer pulmonar fără celule mici cu mutații EGFR",
        strength="40 mg; 80 mg",
        dose="80 mg",
        freq="o dată pe zi",
        outcome="supraviețuirea fără progresie; supraviețuirea globală",
        form="comprimat filmat",
        route="orală",
        comp="gefitinib; erlotinib",
    ),
    Drug(
        name="imatinib",
        definite="imatinibul",
        genitive="imatinibului",
        cls="un inhibitor de tirozin-kinază",
        mech="inhibarea tirozin-kinazei BCR-ABL",
        ind="leucemie mieloidă cronică; tumori stromale gastro-intestinale",
        strength="100 mg; 400 mg",
        dose="400 mg; 600 mg",
        freq="o dată pe zi, în timpul mesei",
        outcome="rata răspunsului citogenetic complet; supraviețuirea fără progresie",
        form="comprimat filmat",
        route="orală",
        comp="nilotinib; dasatinib",
    ),
    Drug(
        name="sacubitril/valsartan",
        definite="asocierea sacubitril/valsartan",
        genitive="asocierii sacubitril/valsartan",
        cls="un inhibitor al receptorului angiotensinei și al neprilizinei",
        mech="inhibarea neprilizinei și blocarea receptorului de tip 1 al angiotensinei II",
        ind="insuficiență cardiacă cronică cu fracție de ejecție redusă",
        strength="24 mg/26 mg; 49 mg/51 mg; 97 mg/103 mg",
        dose="49 mg/51 mg; 97 mg/103 mg",
        freq="de două ori pe zi",
        outcome="rata spitalizărilor pentru insuficiență cardiacă; mortalitatea de cauză cardiovasculară",
        form="comprimat filmat",
        route="orală",
        comp="enalapril",
    ),
    Drug(
        name="enoxaparină",
        definite="enoxaparina",
        genitive="enoxaparinei",
        cls="un anticoagulant din clasa heparinelor cu greutate moleculară mică",
        mech="potențarea acțiunii antitrombinei asupra factorului Xa și a trombinei",
        ind="tromboză venoasă profundă; embolie pulmonară",
        strength="40 mg/0,4 ml; 60 mg/0,6 ml; 80 mg/0,8 ml",
        dose="1 mg/kg",
        freq="de două ori pe zi, subcutanat",
        outcome="incidența tromboembolismului venos; rata sângerărilor majore",
        form="seringă preumplută",
        route="subcutanată",
        comp="heparină nefracționată; fondaparinux",
    ),
    Drug(
        name="levotiroxină",
        definite="levotiroxina",
        genitive="levotiroxinei",
        cls="un hormon tiroidian sintetic",
        mech="înlocuirea hormonului tiroidian endogen deficitar",
        ind="hipotiroidism",
        strength="25 µg; 50 µg; 100 µg",
        dose="50 µg; 100 µg",
        freq="o dată pe zi, dimineața, pe nemâncate",
        outcome="valoarea TSH",
        form="comprimat",
        route="orală",
        comp="liotironină",
    ),
    Drug(
        name="amoxicilină",
        definite="amoxicilina",
        genitive="amoxicilinei",
        cls="un antibiotic betalactamic din clasa penicilinelor",
        mech="inhibarea sintezei peretelui celular bacterian",
        ind="pneumonie comunitară; otită medie acută; infecții ale tractului urinar",
        strength="500 mg; 1000 mg",
        dose="500 mg; 1000 mg",
        freq="de trei ori pe zi",
        outcome="rata vindecării clinice",
        form="capsulă; comprimat dispersabil",
        route="orală",
        comp="claritromicină; cefuroximă",
    ),
)


def _ro_bio_context(rng: random.Random) -> Context:
    ctx = _drug_context(RO_DRUGS, rng)
    female = rng.random() < 0.5
    ctx.update(
        {
            "unui_pac": "unei paciente" if female else "unui pacient",
            "pac_def": "pacienta" if female else "pacientul",
            "a_f": "ă" if female else "",
            "age_ani": _ro_count(_age(rng), "ani"),
        }
    )
    return ctx


RO_BIO_TEMPLATES = _items(
    """
    Acest medicament conține {exc_amt} mg {excipient} în fiecare {drug_form}.
    Fiecare {drug_form} conține {drug_strength} {drug}.
    Nu luați {drug} dacă sunteți alergic la substanța activă sau la oricare dintre celelalte componente ale acestui \
        medicament ori dacă {contra}.
    Înainte să luați {drug}, adresați-vă medicului dumneavoastră sau farmacistului dacă {warning} sau dacă {warning}.
    Reacții adverse foarte frecvente (pot afecta mai mult de 1 din 10 persoane): {ae}, {ae} și {ae}.
    Reacții adverse frecvente (pot afecta până la 1 din 10 persoane): {ae}, {ae}, {ae} și {ae}.
    Reacții adverse mai puțin frecvente (pot afecta până la 1 din 100 persoane): {ae}, {ae} și {ae_rare}.
    Reacții adverse rare (pot afecta până la 1 din 1000 persoane): {ae_rare} și {ae_rare}.
    Doza recomandată la adulții cu {drug_ind} este de {drug_dose} {drug_freq}.
    La pacienții cu {organ_imp}, {adjust}.
    Pacienții cu {organ_imp} trebuie monitorizați atent în timpul tratamentului cu {drug}, deoarece {mon_reason}.
    Spuneți medicului sau farmacistului dacă luați sau ați luat recent alte medicamente, în special {drug2} sau \
        {drug3}.
    {Storage}. A se păstra în ambalajul original, pentru a fi protejat de {protect}.
    Dacă luați o doză de {drug} mai mare decât trebuie, adresați-vă imediat medicului; pot apărea {overdose} și \
        {overdose}.
    Sarcina și alăptarea: {preg}.
    Conducerea vehiculelor și folosirea utilajelor: {Drug_def} {driving}.
    Obiectiv: evaluarea {aim} la pacienții cu {drug_ind}.
    Metode: Am inclus {n_pat} cu {drug_ind}, internați {clinic} în perioada {period}.
    Metode: Într-un studiu {design}, {n_pat} cu {drug_ind} au fost randomizați să primească {drug} {drug_dose} \
        {drug_freq} sau placebo, timp de {n_weeks}.
    Rezultate: Vârsta medie a fost de {mean_age} ± {sd} ani, iar {pct}% dintre pacienți au fost de sex masculin.
    Rezultate: După {n_weeks}, {drug_outcome} a fost semnificativ mai favorabilă în grupul tratat cu {drug} \
        comparativ cu grupul placebo (p {p}).
    Concluzii: Tratamentul cu {drug} {concl} {drug_outcome} la pacienții cu {drug_ind}, însă {caveat}.
    Durata mediană de urmărire a fost de {months}, perioadă în care {event}.
    Reacțiile adverse raportate cel mai frecvent în timpul tratamentului cu {drug} au fost {ae}, {ae} și {ae}.
    Incidența {dx_gen} în România este estimată la {inc} la 100.000 de locuitori pe an.
    Mutațiile {gene} au fost identificate în {pct}% dintre {tumor_pl}.
    Mecanismul de acțiune al {drug_gen} constă în {drug_mech}.
    {Drug_def} este {drug_cls}, indicat pentru tratamentul pacienților cu {drug_ind}.
    {Drug_def} se administrează {drug_freq}.
    Vârsta medie a pacienților tratați cu {drug} a fost de {age_ani}.
    Rata de răspuns a fost de {pct}% în grupul tratat cu {drug}.
    Durata mediană a tratamentului cu {drug} a fost de {months}.
    Valoarea HbA1c a scăzut cu {hba1c_drop} puncte procentuale după {n_weeks}.
    Au fost înrolați {n_pat} din {n_centres} centre.
    Tensiunea arterială la internare a fost de {bp} mmHg, iar frecvența cardiacă de {hr}.
    {Pac_def} a fost externat{a_f} după {zile}, cu recomandarea de a continua tratamentul cu {drug}.
    Tratamentul cu {drug} a fost întrerupt la {n_ev} din cauza {stop_reason}.
    După administrarea {drug_route}, concentrațiile plasmatice maxime ale {drug_gen} sunt atinse în aproximativ {tmax}.
    Timpul de înjumătățire plasmatică prin eliminare al {drug_gen} este de aproximativ {thalf}, ceea ce {thalf_conseq}.
    Metabolizarea {drug_gen} are loc în principal {metab}, iar eliminarea se face predominant pe cale {excretion}.
    Raportul riscurilor instantanee (HR) pentru {hr_outcome} a fost de {hrci}.
    Conform ghidurilor actuale, tratamentul cu {drug} este recomandat la pacienții cu {drug_ind} ca {line}.
    Într-un studiu {design_ni}, care a inclus {n_pat}, a fost demonstrată noninferioritatea {drug_gen} față de \
        {drug_comp} în ceea ce privește {drug_outcome}.
    Utilizarea concomitentă a {drug_gen} cu {interaction}.
    {completion}
    Analizele pe subgrupuri au evidențiat un efect similar la {subgroup} și la {subgroup}.
    {dxdef} Prevalența este estimată la {prev} la 1.000 de locuitori.
    Prezentăm cazul {unui_pac} în vârstă de {age_ani}, cu antecedente de {hist} și {hist}, internat{a_f} pentru \
        {symptom}.
    Examenul clinic a evidențiat {finding} și {finding}, iar investigațiile paraclinice au arătat {labs}.
    {Pac_def} a fost tratat{a_f} cu {drug} {drug_dose} {drug_freq}, cu evoluție {evol}.
    """
)


def _completion_ro(rng: random.Random, ctx: Context) -> str:
    total = rng.randint(60, 1800)
    stopped = rng.randint(2, total // 6)
    return (
        f"Dintre cei {_ro_count(total, 'pacienți')} incluși, {_group(total - stopped)} au încheiat studiul, "
        f"iar {_group(stopped)} au întrerupt tratamentul din cauza {{stop_reason}}."
    )


RO_BIO_FILLERS: dict[str, Filler] = {
    "exc_amt": _int(2, 240),
    "excipient": _semi(
        "lactoză; lactoză monohidrat; sodiu; sorbitol (E 420); zahăr; aspartam (E 951); polisorbat 80; "
        "alcool benzilic; propilenglicol; amidon de grâu; parahidroxibenzoat de metil (E 218)"
    ),
    "contra": _items(
        """
        aveți o boală severă a ficatului
        sunteți gravidă sau alăptați
        aveți o sângerare activă
        aveți insuficiență renală severă
        aveți o infecție severă activă
        ați avut vreodată o reacție alergică gravă la un medicament similar
        aveți vârsta sub 18 ani
        """
    ),
    "warning": _items(
        """
        aveți probleme cu rinichii
        aveți o boală de ficat
        aveți peste 75 de ani
        aveți sau ați avut o boală de inimă
        aveți diabet zaharat
        urmează să fiți operat
        luați medicamente anticoagulante
        ați avut vreodată o reacție gravă pe piele
        aveți un sistem imunitar slăbit
        aveți tensiune arterială mică
        """
    ),
    "ae": _semi(
        "durere de cap; greață; diaree; amețeli; oboseală; erupție trecătoare pe piele; mâncărime; "
        "durere abdominală; constipație; insomnie; dureri articulare; dureri musculare; scăderea poftei de mâncare; "
        "gură uscată; tuse; infecții ale căilor respiratorii superioare; anemie; "
        "creșterea valorilor enzimelor hepatice; edeme periferice; căderea părului; vărsături; febră"
    ),
    "ae_rare": _semi(
        "reacții alergice grave (anafilaxie); inflamație a ficatului (hepatită); sindrom Stevens-Johnson; "
        "inflamație a pancreasului (pancreatită); boală pulmonară interstițială; angioedem; agranulocitoză; "
        "sângerări gastro-intestinale"
    ),
    "organ_imp": _items(
        """
        insuficiență renală ușoară
        insuficiență renală moderată (clearance al creatininei între 30 și 49 ml/min)
        insuficiență renală severă (clearance al creatininei sub 30 ml/min)
        insuficiență hepatică ușoară (clasa Child-Pugh A)
        insuficiență hepatică severă (clasa Child-Pugh C)
        """
    ),
    "adjust": _items(
        """
        nu este necesară ajustarea dozei
        se recomandă reducerea dozei la {drug_dose} {drug_freq}
        nu se recomandă tratamentul cu {drug}
        este necesară prudență și monitorizarea periodică a funcției renale
        """
    ),
    "mon_reason": _items(
        """
        expunerea la substanța activă poate fi crescută
        riscul de reacții adverse este mai mare
        datele clinice disponibile sunt limitate
        poate fi necesară ajustarea dozei
        """
    ),
    "storage": _items(
        """
        a nu se păstra la temperaturi peste {store_t} °C
        a se păstra la frigider (2 °C – 8 °C); a nu se congela
        acest medicament nu necesită condiții speciale de temperatură pentru păstrare
        după prima deschidere, medicamentul poate fi utilizat timp de {days}
        """
    ),
    "store_t": _semi("25; 30"),
    "days": _semi("7 zile; 14 zile; 28 de zile; 30 de zile; 60 de zile"),
    "protect": _semi("lumină; umiditate; lumină și umiditate"),
    "overdose": _semi(
        "greață; somnolență; bătăi rare ale inimii; tensiune arterială scăzută; sângerări; confuzie; convulsii; "
        "scăderea glicemiei"
    ),
    "preg": _items(
        """
        nu utilizați {drug} în timpul sarcinii decât dacă medicul vă recomandă acest lucru
        nu se cunoaște dacă {drug_def} se excretă în laptele uman
        femeile aflate la vârsta fertilă trebuie să utilizeze măsuri contraceptive eficace în timpul tratamentului \
            și timp de {wk} după oprirea acestuia
        adresați-vă medicului sau farmacistului pentru recomandări înainte de a lua {drug}
        """
    ),
    "wk": _semi("patru săptămâni; șase săptămâni; două luni; șase luni"),
    "driving": _items(
        """
        nu are influență sau are influență neglijabilă asupra capacității de a conduce vehicule
        poate provoca amețeli și oboseală; nu conduceți vehicule dacă aveți aceste simptome
        poate reduce capacitatea de reacție, mai ales la începutul tratamentului
        poate provoca {ae}, ceea ce poate afecta capacitatea de a conduce vehicule
        """
    ),
    "aim": _items(
        """
        eficacității și siguranței tratamentului cu {drug}
        profilului farmacocinetic al {drug_gen}
        aderenței la tratamentul cu {drug}
        raportului cost-eficacitate al tratamentului cu {drug}
        siguranței pe termen lung a tratamentului cu {drug}
        factorilor predictivi pentru răspunsul la tratamentul cu {drug}
        """
    ),
    "n_pat": _ro_int(40, 2400, "pacienți"),
    "clinic": _items(
        """
        în Clinica Medicală I a Spitalului Clinic Județean de Urgență Cluj-Napoca
        la Institutul Oncologic „Prof. Dr. Ion Chiricuță” din Cluj-Napoca
        în Spitalul Universitar de Urgență București
        la Institutul de Boli Cardiovasculare Timișoara
        la Institutul Clinic Fundeni
        în Spitalul Clinic Județean de Urgență „Sf. Spiridon” Iași
        la Institutul Regional de Oncologie Iași
        în secția de Medicină Internă a unui spital județean
        în {n_centres} centre universitare din România
        """
    ),
    "n_centres": _semi("trei; patru; cinci; șase; opt"),
    "period": _period_ro,
    "design": _semi(
        "randomizat, dublu-orb, controlat cu placebo; multicentric de fază III; randomizat de fază II; "
        "dublu-orb, multicentric"
    ),
    "design_ni": _semi("randomizat de fază III; multicentric, randomizat; pragmatic, deschis"),
    "n_weeks": _semi("12 săptămâni; 16 săptămâni; 24 de săptămâni; 26 de săptămâni; 48 de săptămâni; 52 de săptămâni"),
    "mean_age": _dec(44, 74),
    "sd": _dec(6, 15),
    "pct": _int(3, 88),
    "p": _semi("< 0,001; = 0,002; = 0,01; = 0,02; = 0,03; = 0,04"),
    "concl": _semi("a ameliorat semnificativ; a îmbunătățit; nu a influențat semnificativ; a îmbunătățit constant"),
    "caveat": _items(
        """
        sunt necesare studii pe loturi mai mari
        rezultatele trebuie confirmate prin studii prospective
        costul tratamentului rămâne o limită importantă
        efectul asupra supraviețuirii nu este încă cunoscut
        reacțiile adverse au fost mai frecvente decât se anticipase
        """
    ),
    "months": _ro_int(6, 84, "luni"),
    "event": _items(
        """
        au decedat {n_ev}
        {n_ev} au prezentat recidivă
        {n_ev} au fost reinternați
        s-a înregistrat progresia bolii la {n_ev}
        """
    ),
    "n_ev": _ro_int(3, 180, "pacienți"),
    "dx_gen": _semi(
        "bolii Crohn; colitei ulcerative; poliartritei reumatoide; sclerozei multiple; cancerului pancreatic; "
        "leucemiei acute mieloide; tuberculozei; bolii Lyme; melanomului malign; trombozei venoase profunde; "
        "hepatitei virale C; cancerului de col uterin; infarctului miocardic acut; accidentului vascular cerebral"
    ),
    "inc": _ro_int(2, 160, "cazuri"),
    "gene": _semi("KRAS; EGFR; BRAF V600E; BRCA1; BRCA2; TP53; PIK3CA; IDH1"),
    "tumor_pl": _semi(
        "tumorile colorectale analizate; adenocarcinoamele pulmonare analizate; melanoamele analizate; "
        "carcinoamele pancreatice analizate; carcinoamele mamare analizate; carcinoamele ovariene analizate"
    ),
    "tmax": _semi("30 de minute; o oră; 1–2 ore; 2 ore; 2–4 ore; 3 ore; 4 ore; 6 ore"),
    "thalf": _ro_int(2, 140, "ore"),
    "thalf_conseq": _items(
        """
        permite administrarea o dată pe zi
        face ca starea de echilibru să fie atinsă după aproximativ cinci zile
        poate duce la acumulare la pacienții cu funcție renală redusă
        explică persistența efectului timp de câteva zile după oprirea tratamentului
        """
    ),
    "metab": _semi(
        "la nivel hepatic, prin intermediul izoenzimei CYP3A4; la nivel hepatic, prin CYP2C9 și CYP2C19; "
        "prin glucuronoconjugare; prin degradare proteolitică în peptide mici și aminoacizi; prin hidroliză enzimatică"
    ),
    "excretion": _semi("renală; biliară; fecală; renală și biliară"),
    "hr_outcome": _semi(
        "deces; progresia bolii sau deces; spitalizare pentru insuficiență cardiacă; "
        "accident vascular cerebral sau embolie sistemică"
    ),
    "hrci": _hazard_ratio("{} (IÎ 95%: {}–{})"),
    "line": _semi(
        "terapie de primă linie; terapie de linia a doua, după eșecul tratamentului standard; tratament de întreținere"
    ),
    "interaction": _items(
        """
        inhibitori puternici ai CYP3A4 (de exemplu ketoconazol) nu este recomandată, deoarece poate crește \
            concentrațiile plasmatice ale substanței active
        sunătoare (Hypericum perforatum) nu este recomandată, deoarece poate reduce eficacitatea tratamentului
        anticoagulante nu este recomandată, deoarece crește riscul de sângerare
        antiinflamatoare nesteroidiene crește riscul de sângerare gastro-intestinală și de afectare renală
        alcool nu este recomandată, deoarece crește riscul de reacții adverse
        suc de grepfrut nu este recomandată, deoarece poate crește concentrațiile plasmatice ale substanței active
        vaccinuri vii nu este recomandată, din cauza riscului de infecții severe
        """
    ),
    "completion": _completion_ro,
    "stop_reason": _semi("reacțiilor adverse; progresiei bolii; retragerii consimțământului; lipsei de eficacitate"),
    "subgroup": _semi(
        "bărbați; femei; pacienții cu vârsta peste 65 de ani; pacienții cu funcție renală redusă; "
        "pacienții cu diabet zaharat; pacienții tratați anterior; fumători"
    ),
    "prev": _int(1, 60),
    "dxdef": _items(
        """
        Boala Crohn este o afecțiune inflamatorie cronică ce poate afecta orice segment al tubului digestiv.
        Poliartrita reumatoidă este o boală autoimună cronică ce afectează în special articulațiile mici ale \
            mâinilor și picioarelor.
        Insuficiența cardiacă este un sindrom clinic în care inima nu poate pompa suficient sânge pentru nevoile \
            organismului.
        Fibrilația atrială este cea mai frecventă aritmie susținută și se asociază cu un risc crescut de accident \
            vascular cerebral.
        Diabetul zaharat de tip 2 se caracterizează prin rezistență la insulină și deficit relativ de insulină.
        Psoriazisul este o boală inflamatorie cronică a pielii, cu plăci eritemato-scuamoase bine delimitate.
        Osteoporoza este o boală a scheletului caracterizată prin masă osoasă scăzută și risc crescut de fractură.
        Epilepsia este o afecțiune neurologică definită prin crize epileptice recurente, neprovocate.
        Boala cronică de rinichi este definită prin scăderea funcției renale sau albuminurie timp de cel puțin trei \
            luni.
        Colita ulcerativă este o inflamație cronică a mucoasei colonului și rectului.
        Scleroza multiplă este o boală cronică demielinizantă a sistemului nervos central.
        Bronhopneumopatia obstructivă cronică se caracterizează printr-o obstrucție a căilor aeriene incomplet \
            reversibilă.
        Depresia majoră este o tulburare afectivă asociată cu dispoziție depresivă și pierderea interesului.
        Hipotiroidismul este determinat de deficitul de hormoni tiroidieni și se manifestă prin oboseală și \
            creștere în greutate.
        """
    ),
    "hist": _items(
        """
        hipertensiune arterială esențială
        diabet zaharat de tip 2
        fibrilație atrială permanentă
        boală cronică de rinichi stadiul 3
        ciroză hepatică de etiologie virală C
        bronhopneumopatie obstructivă cronică
        cardiopatie ischemică
        obezitate de grad II
        hipotiroidism
        accident vascular cerebral ischemic în {year}
        infarct miocardic acut în {year}
        dislipidemie mixtă
        """
    ),
    "year": _int(1995, 2022),
    "symptom": _items(
        """
        dispnee progresivă
        durere toracică retrosternală
        febră și tuse productivă
        edeme ale membrelor inferioare
        icter sclero-tegumentar
        hemoragie digestivă superioară
        scădere ponderală de {kg} kg în ultimele {luni}
        astenie fizică marcată
        palpitații
        cefalee intensă
        durere abdominală difuză
        sindrom confuzional acut
        """
    ),
    "kg": _int(3, 15),
    "luni": _semi("două luni; trei luni; patru luni; șase luni"),
    "finding": _items(
        """
        stare generală alterată
        tahicardie de {hr}
        tensiune arterială de {bp} mmHg
        raluri crepitante bazal bilateral
        hepatomegalie
        edeme gambiere bilaterale
        sensibilitate abdominală difuză la palpare
        paloare tegumentară
        """
    ),
    "hr": _ro_int(96, 148, "bătăi/minut"),
    "bp": _blood_pressure,
    "labs": _items(
        """
        hemoglobină {hb} g/dl, leucocite {leu}/mm³ și proteina C reactivă {crp} mg/l
        creatinină serică {cr} mg/dl și uree {uree} mg/dl
        glicemie {glic} mg/dl și HbA1c {hba1c}%
        NT-proBNP {bnp} pg/ml
        transaminaze crescute (ALT {alt} U/l, AST {ast} U/l)
        """
    ),
    "hb": _dec(7.2, 15.8),
    "leu": _int(2100, 24800, group=True),
    "crp": _dec(1.2, 280),
    "cr": _dec(0.6, 4.8, 2),
    "uree": _int(22, 190),
    "glic": _int(62, 480),
    "hba1c": _dec(5.4, 12.8),
    "hba1c_drop": _dec(0.3, 1.9),
    "zile": _ro_int(3, 24, "zile"),
    "bnp": _int(120, 14500, group=True),
    "alt": _int(35, 940),
    "ast": _int(32, 860),
    "evol": _items(
        """
        favorabilă
        lent favorabilă
        favorabilă, fără reacții adverse
        staționară
        nefavorabilă, cu necesitatea ajustării tratamentului
        """
    ),
}


# =============================================================================================
# es-clin: Spanish oncology case reports
# =============================================================================================

ES_TUMORS = (
    Tumor(
        names="carcinoma ductal infiltrante de mama {lado_f}; carcinoma lobulillar infiltrante de mama {lado_f}; "
        "carcinoma ductal infiltrante de mama {lado_f} de grado histológico {grado_h}",
        sex="f",
        dxtest="biopsia con aguja gruesa guiada por ecografía; biopsia asistida por vacío guiada por mamografía",
        regimens="doxorrubicina y ciclofosfamida seguidas de paclitaxel semanal; "
        "docetaxel, carboplatino, trastuzumab y pertuzumab; letrozol y palbociclib; capecitabina; "
        "trastuzumab deruxtecán",
        surgery="tumorectomía con biopsia selectiva del ganglio centinela; mastectomía radical modificada; "
        "mastectomía con linfadenectomía axilar",
        molecular="una mutación de PIK3CA => alpelisib y fulvestrant; "
        "una variante patogénica germinal en BRCA2 => olaparib; una amplificación de HER2 => trastuzumab y pertuzumab",
        marker="CA 15-3 de {ca153} U/ml",
        ihq="receptores de estrógenos positivos ({pct} %), receptores de progesterona {rp} y HER2 {her2}, "
        "con un Ki-67 del {pct} %",
    ),
    Tumor(
        names="adenocarcinoma de colon sigmoide {dif}; adenocarcinoma de colon ascendente {dif}; "
        "adenocarcinoma de recto medio {dif}; adenocarcinoma de ángulo hepático {dif}",
        sex="",
        dxtest="colonoscopia con toma de biopsias",
        regimens="FOLFOX; CAPOX; FOLFIRI y bevacizumab; FOLFOX y panitumumab; capecitabina en monoterapia",
        surgery="sigmoidectomía laparoscópica; hemicolectomía derecha laparoscópica; "
        "resección anterior baja con escisión total del mesorrecto",
        molecular="una mutación de KRAS G12D => FOLFIRI y bevacizumab; "
        "un perfil RAS y BRAF nativo => FOLFOX y panitumumab; una mutación BRAF V600E => encorafenib y cetuximab; "
        "inestabilidad de microsatélites => pembrolizumab",
        marker="CEA de {cea} ng/ml y CA 19-9 de {ca199} U/ml",
    ),
    Tumor(
        names="adenocarcinoma de pulmón; carcinoma epidermoide de pulmón; adenocarcinoma de lóbulo superior derecho; "
        "carcinoma epidermoide de lóbulo inferior izquierdo",
        sex="",
        dxtest="broncoscopia con biopsia bronquial; biopsia con aguja gruesa guiada por TC; "
        "ecobroncoscopia con punción de adenopatías mediastínicas",
        regimens="carboplatino, pemetrexed y pembrolizumab; carboplatino, paclitaxel y pembrolizumab; "
        "cisplatino y vinorelbina; docetaxel",
        surgery="lobectomía superior derecha por videotoracoscopia; "
        "lobectomía inferior izquierda con linfadenectomía mediastínica; neumonectomía izquierda",
        molecular="una deleción del exón 19 de EGFR => osimertinib; un reordenamiento de ALK => alectinib; "
        "una mutación KRAS G12C => sotorasib; una expresión de PD-L1 del {pct_hi} % => pembrolizumab en monoterapia; "
        "un reordenamiento de ROS1 => crizotinib",
        marker="CEA de {cea} ng/ml y CYFRA 21-1 de {cyfra} ng/ml",
    ),
    Tumor(
        names="adenocarcinoma de próstata Gleason {gleason}; adenocarcinoma acinar de próstata Gleason {gleason}",
        sex="m",
        dxtest="biopsia transrectal ecodirigida; biopsia de fusión guiada por RM multiparamétrica",
        regimens="deprivación androgénica y docetaxel; deprivación androgénica y enzalutamida; "
        "abiraterona y prednisona; deprivación androgénica y apalutamida",
        surgery="prostatectomía radical asistida por robot; "
        "prostatectomía radical laparoscópica con linfadenectomía pélvica",
        molecular="una variante patogénica en BRCA2 => olaparib; una mutación somática en ATM => olaparib",
        marker="PSA de {psa} ng/ml",
    ),
    Tumor(
        names="carcinoma seroso de alto grado de ovario; carcinoma endometrioide de ovario; "
        "carcinoma de células claras de ovario",
        sex="f",
        dxtest="biopsia guiada por ecografía de un implante peritoneal; laparoscopia exploradora con toma de biopsias",
        regimens="carboplatino y paclitaxel; carboplatino, paclitaxel y bevacizumab; "
        "carboplatino y doxorrubicina liposomal pegilada",
        surgery="cirugía citorreductora con histerectomía, doble anexectomía y omentectomía; "
        "cirugía de intervalo con citorreducción completa",
        molecular="una variante patogénica germinal en BRCA1 => olaparib de mantenimiento; "
        "un déficit de recombinación homóloga => niraparib de mantenimiento",
        marker="CA 125 de {ca125} U/ml",
    ),
    Tumor(
        names="adenocarcinoma de cabeza de páncreas; adenocarcinoma de cola de páncreas; adenocarcinoma ductal de "
        "páncreas",
        sex="",
        dxtest="ecoendoscopia con punción-aspiración con aguja fina; "
        "biopsia con aguja gruesa de una lesión hepática guiada por ecografía",
        regimens="FOLFIRINOX modificado; gemcitabina y nab-paclitaxel; gemcitabina en monoterapia; NALIRIFOX",
        surgery="duodenopancreatectomía cefálica; pancreatectomía corporocaudal con esplenectomía",
        molecular="una variante patogénica germinal en BRCA2 => olaparib de mantenimiento; "
        "una fusión de NTRK => larotrectinib",
        marker="CA 19-9 de {ca199} U/ml",
    ),
    Tumor(
        names="adenocarcinoma gástrico de tipo intestinal; "
        "adenocarcinoma gástrico de tipo difuso con células en anillo de sello; "
        "adenocarcinoma de la unión gastroesofágica",
        sex="",
        dxtest="gastroscopia con toma de biopsias",
        regimens="FLOT perioperatorio; FOLFOX y nivolumab; cisplatino, capecitabina y trastuzumab; "
        "paclitaxel y ramucirumab",
        surgery="gastrectomía total con linfadenectomía D2; gastrectomía subtotal con linfadenectomía D2; "
        "esofagectomía de Ivor Lewis",
        molecular="una sobreexpresión de HER2 (3+) => trastuzumab asociado a quimioterapia; "
        "una expresión de PD-L1 con CPS de {cps} => FOLFOX y nivolumab; inestabilidad de microsatélites => "
        "pembrolizumab",
        marker="CEA de {cea} ng/ml y CA 72-4 de {ca724} U/ml",
    ),
    Tumor(
        names="melanoma cutáneo de extensión superficial en la espalda; melanoma nodular en el muslo {lado_m}; "
        "melanoma lentiginoso acral en el talón {lado_m}",
        sex="",
        dxtest="biopsia escisional de la lesión cutánea",
        regimens="nivolumab e ipilimumab; pembrolizumab; nivolumab; dabrafenib y trametinib",
        surgery="ampliación de márgenes con biopsia selectiva del ganglio centinela; linfadenectomía inguinal {lado_f}",
        molecular="una mutación BRAF V600E => dabrafenib y trametinib; "
        "una mutación BRAF V600K => encorafenib y binimetinib; un perfil BRAF nativo => nivolumab e ipilimumab",
        marker="LDH de {ldh} U/l",
    ),
    Tumor(
        names="carcinoma de células claras del riñón {lado_m}; carcinoma renal papilar del riñón {lado_m}",
        sex="",
        dxtest="biopsia percutánea de la masa renal guiada por TC",
        regimens="nivolumab e ipilimumab; pembrolizumab y axitinib; cabozantinib; sunitinib",
        surgery="nefrectomía radical laparoscópica; nefrectomía parcial asistida por robot",
        molecular="una alteración de VHL => belzutifán",
        marker="LDH de {ldh} U/l y calcio corregido de {calcio} mg/dl",
    ),
    Tumor(
        names="linfoma B difuso de células grandes; linfoma folicular de grado 3A",
        sex="",
        dxtest="biopsia escisional de una adenopatía cervical; biopsia con aguja gruesa de una adenopatía axilar",
        regimens="R-CHOP; Pola-R-CHP; rituximab y bendamustina",
        surgery="",
        molecular="un reordenamiento de MYC y BCL2 => DA-EPOCH-R",
        marker="LDH de {ldh} U/l y beta-2-microglobulina de {b2m} mg/l",
    ),
    Tumor(
        names="linfoma de Hodgkin clásico de tipo esclerosis nodular; linfoma de Hodgkin clásico de celularidad mixta",
        sex="",
        dxtest="biopsia escisional de una adenopatía supraclavicular; biopsia con aguja gruesa de una masa "
        "mediastínica",
        regimens="ABVD; brentuximab vedotina y AVD; BEACOPP escalado",
        surgery="",
        molecular="una expresión intensa de CD30 => brentuximab vedotina",
        marker="LDH de {ldh} U/l y VSG de {vsg} mm/h",
    ),
    Tumor(
        names="carcinoma urotelial de vejiga músculo-infiltrante; carcinoma urotelial de alto grado de vejiga",
        sex="",
        dxtest="resección transuretral de la lesión vesical",
        regimens="cisplatino y gemcitabina; enfortumab vedotina y pembrolizumab; "
        "carboplatino y gemcitabina seguidos de avelumab de mantenimiento",
        surgery="cistectomía radical con derivación urinaria tipo Bricker",
        molecular="una alteración de FGFR3 => erdafitinib",
        marker="",
    ),
    Tumor(
        names="carcinoma epidermoide de cérvix; adenocarcinoma de cérvix",
        sex="f",
        dxtest="biopsia cervical dirigida por colposcopia",
        regimens="quimiorradioterapia con cisplatino semanal; carboplatino, paclitaxel, bevacizumab y pembrolizumab",
        surgery="histerectomía radical con linfadenectomía pélvica",
        molecular="una expresión de PD-L1 con CPS de {cps} => pembrolizumab asociado a quimioterapia",
        marker="SCC de {scc} ng/ml",
    ),
    Tumor(
        names="hepatocarcinoma sobre hígado cirrótico; hepatocarcinoma multifocal",
        sex="",
        dxtest="RM hepática con contraste, con criterios radiológicos LI-RADS 5; biopsia hepática guiada por ecografía",
        regimens="atezolizumab y bevacizumab; durvalumab y tremelimumab; sorafenib; lenvatinib",
        surgery="hepatectomía segmentaria; resección de los segmentos VI y VII",
        molecular="",
        marker="alfafetoproteína de {afp} ng/ml",
    ),
    Tumor(
        names="glioblastoma IDH nativo frontal {lado_m}; glioblastoma IDH nativo temporal {lado_m}",
        sex="",
        dxtest="RM cerebral con contraste seguida de biopsia estereotáctica",
        regimens="radioterapia con temozolomida concomitante y adyuvante; temozolomida adyuvante; lomustina",
        surgery="resección macroscópicamente completa guiada por neuronavegación; "
        "resección subtotal mediante craneotomía con el paciente despierto",
        molecular="una metilación del promotor de MGMT => temozolomida",
        marker="",
    ),
    Tumor(
        names="tumor germinal no seminomatoso de testículo {lado_m}; seminoma puro de testículo {lado_m}",
        sex="m",
        dxtest="ecografía testicular seguida de orquiectomía radical inguinal",
        regimens="BEP; EP; TIP",
        surgery="orquiectomía radical inguinal; linfadenectomía retroperitoneal de masas residuales",
        molecular="",
        marker="alfafetoproteína de {afp} ng/ml y beta-HCG de {bhcg} UI/l",
    ),
)


def _es_clin_context(rng: random.Random) -> Context:
    female = rng.random() < 0.5
    tumor = rng.choice([t for t in ES_TUMORS if t.sex in ("", "f" if female else "m")])
    mutation, target = "", ""
    if tumor.molecular:
        mutation, target = (part.strip() for part in rng.choice(_semi(tumor.molecular)).split("=>"))
    right = rng.random() < 0.5
    is_breast = "mama" in tumor.names
    is_prostate = "próstata" in tumor.names
    return {
        "sexo": "mujer" if female else "varón",
        "un_pac": "una mujer" if female else "un varón",
        "el_pac": "la paciente" if female else "el paciente",
        "al_que": "a la que" if female else "al que",
        "o": "a" if female else "o",
        "fumador": "fumadora" if female else "fumador",
        "age": str(_age(rng)),
        "lado_f": "derecha" if right else "izquierda",
        "lado_m": "derecho" if right else "izquierdo",
        "tumor": rng.choice(_semi(tumor.names)),
        "tumor_test": rng.choice(_semi(tumor.dxtest)),
        "tumor_regimen": rng.choice(_semi(tumor.regimens)),
        "tumor_surgery": rng.choice(_semi(tumor.surgery)) if tumor.surgery else "",
        "tumor_mut": mutation,
        "tumor_target": target,
        "tumor_marker": tumor.marker,
        "tumor_ihq": tumor.ihq,
        "meno": rng.choice(_semi("premenopáusica; posmenopáusica desde los {meno_age} años; perimenopáusica"))
        if is_breast
        else "",
        "prostate_test": rng.choice(
            _semi(
                "una biopsia transrectal ecodirigida; una RM multiparamétrica de próstata; "
                "una biopsia de fusión guiada por RM"
            )
        )
        if is_prostate
        else "",
    }


ES_CLIN_TEMPLATES = _items(
    """
    {Sexo} de {age} años con antecedentes de {hist}, {hist} y {hist}, que consulta por {symptom} de {evol} de evolución.
    {Sexo} de {age} años con antecedentes de {hist} en quien se diagnostica un {tumor} {stage_txt}.
    Se trata de {un_pac} de {age} años, {smoking}, {fam_hist}, remitid{o} a nuestro servicio por {symptom}.
    {El_pac} refiere {symptom} desde hace {evol}, junto con {symptom}.
    Antecedentes personales: {hist}, {hist} y {hist_surg}.
    Tratamiento habitual: {med}, {med} y {med}.
    En la exploración física destaca {finding}.
    Exploración: ECOG {ecog}, consciente y orientad{o}, {exp}, {exp}.
    La analítica muestra hemoglobina de {hb} g/dl, {leuk} leucocitos/µl, {plq} plaquetas/µl y creatinina de {cr} mg/dl.
    Los marcadores tumorales mostraban {tumor_marker}.
    La TC toracoabdominopélvica muestra {ct_finding}.
    En la PET-TC se observa {pet}.
    Se realiza {tumor_test}, con resultado de {tumor}.
    Se diagnostica un {tumor} {stage_txt}.
    El estudio inmunohistoquímico mostró {tumor_ihq}.
    El estudio molecular detectó {tumor_mut}, por lo que se inicia tratamiento con {tumor_target}.
    Inicia tratamiento {tx_line} con {tumor_regimen}, con {response}.
    Tras {n_ciclos} ciclos de {tumor_regimen}, la TC de reevaluación muestra {reeval}.
    Como toxicidad presenta {tox} grado {grade}, que obliga a {tox_action}.
    Se presenta el caso en el comité multidisciplinar de tumores y se decide {decision}.
    Se realiza {tumor_surgery} sin complicaciones; la anatomía patológica informa de {pathology}.
    Actualmente {status} tras {months} meses de seguimiento.
    Ante la sospecha de {suspicion_test}, que {confirm}.
    Ingresa en {servicio} por {ingreso}.
    A los {months} meses del final del tratamiento, {relapse}.
    Se inicia radioterapia {rt}, con {rt_tol}.
    Dada {situation}, se decide {plan} de forma consensuada con {el_pac} y su familia.
    Tras {months} meses de tratamiento con {tumor_target}, presenta progresión {recid_site}.
    Se solicita estudio genético {gen_reason}, que detecta {germ}.
    Durante el seguimiento desarrolla {complication}.
    Se inicia tratamiento de soporte con {support} y {support}.
    Es dad{o} de alta a los {dias} días con {alta_tx}.
    Se solicita valoración por {servicio_cons} antes de iniciar {tumor_regimen}.
    Presentamos el caso de {un_pac} de {age} años con un {tumor}, que ilustra {teaching}.
    {Sexo} de {age} años, {meno}, que acude a la Unidad de Mama por un nódulo palpable en la mama {lado_f} de {cm} cm.
    {Sexo} de {age} años con un PSA de {psa} ng/ml en una analítica de control, {al_que} se realiza {prostate_test}.
    """
)


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


def _tnm(rng: random.Random, ctx: Context) -> str:
    return f"cT{rng.randint(1, 4)}N{rng.randint(0, 3)}M{rng.choice('0001')}"


ES_CLIN_FILLERS: dict[str, Filler] = {
    "hist": _items(
        """
        hipertensión arterial
        diabetes mellitus tipo 2
        dislipemia
        EPOC
        cardiopatía isquémica
        fibrilación auricular anticoagulada
        hipotiroidismo
        obesidad
        insuficiencia renal crónica
        hepatopatía crónica por virus C
        tabaquismo activo
        enolismo crónico
        asma bronquial
        síndrome depresivo
        artrosis
        infarto agudo de miocardio en {year}
        """
    ),
    "year": _int(1995, 2022),
    "symptom": _items(
        """
        dolor abdominal difuso
        astenia y anorexia
        tos seca persistente
        disnea de moderados esfuerzos
        rectorragia
        hematuria macroscópica
        dolor lumbar de características mecánicas
        cefalea holocraneal
        pérdida de peso no intencionada
        disfagia progresiva para sólidos
        ictericia indolora
        alteración del ritmo intestinal
        sudoración nocturna y fiebre
        dolor torácico de características pleuríticas
        epigastralgia
        dolor óseo generalizado
        distensión abdominal
        hemoptisis
        una adenopatía cervical indolora
        debilidad en el miembro inferior {lado_m}
        """
    ),
    "evol": _items(
        """
        {n_sem} semanas
        {n_mes} meses
        varios días
        un mes
        un año
        unas semanas
        """
    ),
    "n_sem": _semi("dos; tres; cuatro; seis; ocho"),
    "n_mes": _semi("dos; tres; cuatro; seis; 2; 3; 5"),
    "stage_txt": _items(
        """
        en estadio {stage}
        (estadio {stage}, {tnm})
        con metástasis {met_sites}
        localmente avanzado
        {tnm}
        """
    ),
    "stage": _semi("IA; IB; IIA; IIB; IIIA; IIIB; IIIC; IV; IVA; IVB"),
    "tnm": _tnm,
    "met_sites": _semi(
        "hepáticas; pulmonares; óseas; peritoneales; cerebrales; hepáticas y óseas; ganglionares a distancia"
    ),
    "smoking": _items(
        """
        {fumador} de {paq} paquetes-año
        ex{fumador} desde hace {nanos} años
        no {fumador}
        {fumador} activ{o} de {cig} cigarrillos al día
        """
    ),
    "paq": _int(10, 80),
    "nanos": _int(2, 30),
    "cig": _int(5, 40),
    "fam_hist": _items(
        """
        sin antecedentes familiares de interés
        con antecedentes familiares de cáncer de {fam_ca}
        con una hermana diagnosticada de cáncer de mama a los {fam_age} años
        con padre fallecido por cáncer de {fam_ca}
        """
    ),
    "fam_ca": _semi("colon; mama; próstata; páncreas; pulmón; ovario; estómago"),
    "fam_age": _int(32, 70),
    "hist_surg": _items(
        """
        apendicectomía en la infancia
        colecistectomía laparoscópica en {year}
        hernioplastia inguinal {lado_f}
        sin antecedentes quirúrgicos de interés
        cirugía de cataratas bilateral
        artroplastia de rodilla {lado_f}
        amigdalectomía en la infancia
        """
    ),
    "med": _items(
        """
        enalapril 10 mg cada 12 horas
        metformina 850 mg cada 12 horas
        atorvastatina 20 mg al día
        omeprazol 20 mg al día
        ácido acetilsalicílico 100 mg al día
        levotiroxina 50 µg al día
        bisoprolol 2,5 mg al día
        amlodipino 5 mg al día
        lorazepam 1 mg por la noche
        furosemida 40 mg al día
        apixabán 5 mg cada 12 horas
        insulina glargina {ui} UI por la noche
        tamsulosina 0,4 mg al día
        paracetamol 1 g cada 8 horas si dolor
        losartán 50 mg al día
        sertralina 50 mg al día
        alopurinol 100 mg al día
        salbutamol inhalado a demanda
        """
    ),
    "ui": _int(10, 40),
    "finding": _items(
        """
        hepatomegalia dolorosa de {cm} cm bajo el reborde costal
        una adenopatía supraclavicular {lado_f} de {cm} cm, pétrea y adherida a planos profundos
        palidez cutaneomucosa
        ictericia cutaneomucosa
        una masa palpable en la fosa ilíaca {lado_f}
        hipoventilación en la base pulmonar {lado_f}
        ascitis moderada
        edemas con fóvea en ambos miembros inferiores
        dolor a la palpación de las apófisis espinosas lumbares
        caquexia marcada
        """
    ),
    "cm": _dec(0.8, 9.5),
    "ecog": _int(0, 3),
    "exp": _items(
        """
        normocoloread{o} y normohidratad{o}
        auscultación cardiopulmonar sin alteraciones
        abdomen blando y depresible, no doloroso a la palpación
        sin edemas en miembros inferiores
        hepatomegalia de {cm} cm
        hipoventilación en la base pulmonar {lado_f}
        sin adenopatías periféricas palpables
        eupneic{o} en reposo
        """
    ),
    "hb": _dec(7.1, 15.9),
    "leuk": _int(1200, 24800, group=True),
    "plq": _int(45000, 620000, group=True),
    "cr": _dec(0.5, 3.4, 2),
    "ca153": _dec(12, 480),
    "cea": _dec(0.8, 320),
    "ca199": _int(4, 12800, group=True),
    "cyfra": _dec(1.1, 48),
    "psa": _dec(0.4, 980),
    "ca125": _int(12, 4200, group=True),
    "cps": _int(1, 60),
    "ca724": _dec(0.6, 140),
    "ldh": _int(160, 2400, group=True),
    "calcio": _dec(8.6, 14.2),
    "b2m": _dec(1.2, 9.8),
    "vsg": _int(8, 110),
    "scc": _dec(0.4, 38),
    "afp": _int(3, 24000, group=True),
    "bhcg": _int(2, 48000, group=True),
    "pct": _int(1, 95),
    "pct_hi": _int(50, 95),
    "rp": _semi("positivos (10 %); positivos (60 %); negativos; positivos débiles (5 %)"),
    "her2": _semi("negativo (0); negativo (1+); dudoso (2+) no amplificado por ISH; positivo (3+)"),
    "grado_h": _semi("1; 2; 3"),
    "dif": _semi("bien diferenciado; moderadamente diferenciado; poco diferenciado"),
    "gleason": _semi("6 (3+3); 7 (3+4); 7 (4+3); 8 (4+4); 9 (4+5)"),
    "ct_finding": _items(
        """
        múltiples lesiones hepáticas hipodensas sugestivas de metástasis, la mayor de {cm} cm
        una masa de {cm} cm en el lóbulo {lobulo} con adenopatías mediastínicas
        derrame pleural {lado_m} de cuantía moderada
        implantes peritoneales y ascitis
        lesiones óseas líticas en {hueso}
        ausencia de enfermedad a distancia
        engrosamiento parietal de {cm} cm en {segmento} con adenopatías locorregionales
        nódulos pulmonares bilaterales sugestivos de metástasis
        """
    ),
    "lobulo": _semi("superior derecho; inferior izquierdo; medio; superior izquierdo"),
    "hueso": _semi("el cuerpo vertebral de L3; la pala ilíaca {lado_f}; varios arcos costales; el fémur {lado_m}"),
    "segmento": _semi("el colon sigmoide; el antro gástrico; la unión rectosigmoidea; el ciego"),
    "pet": _items(
        """
        captación patológica en {pet_site} con un SUVmax de {suv}
        ausencia de captaciones patológicas a distancia
        respuesta metabólica completa de todas las lesiones
        nuevas captaciones óseas sugestivas de progresión
        """
    ),
    "pet_site": _semi(
        "la lesión primaria; adenopatías mediastínicas; el lóbulo hepático derecho; adenopatías retroperitoneales; "
        "la glándula suprarrenal {lado_f}"
    ),
    "suv": _dec(2.5, 24),
    "tx_line": _semi("de primera línea; neoadyuvante; adyuvante; de segunda línea; con intención paliativa"),
    "response": _items(
        """
        buena tolerancia
        respuesta parcial tras {n_ciclos} ciclos
        estabilización de la enfermedad
        respuesta completa radiológica
        mejoría clínica del dolor
        descenso de los marcadores tumorales
        """
    ),
    "n_ciclos": _semi("tres; cuatro; seis; ocho; doce; 4; 6"),
    "reeval": _items(
        """
        respuesta parcial con disminución del {pct} % de las lesiones diana
        estabilidad de la enfermedad
        progresión ganglionar
        aparición de nuevas lesiones hepáticas
        respuesta completa de las lesiones hepáticas
        """
    ),
    "tox": _semi(
        "neutropenia; diarrea; mucositis; neuropatía periférica; astenia; síndrome mano-pie; trombocitopenia; "
        "hipotiroidismo; neumonitis; hepatitis inmunomediada; anemia; colitis inmunomediada"
    ),
    "grade": _int(1, 4),
    "tox_action": _items(
        """
        reducir la dosis un {red} %
        retrasar el siguiente ciclo una semana
        suspender el tratamiento
        iniciar corticoterapia a dosis de 1 mg/kg/día
        añadir factor estimulante de colonias
        ingreso hospitalario
        """
    ),
    "red": _semi("20; 25; 50"),
    "decision": _items(
        """
        cirugía de inicio
        tratamiento neoadyuvante seguido de cirugía
        radioterapia estereotáctica sobre la lesión {lesion_site}
        tratamiento sistémico con intención paliativa
        seguimiento estrecho
        control sintomático exclusivo
        inclusión en un ensayo clínico
        {tumor_surgery}
        """
    ),
    "margins": _semi("libres; afectos; próximos (< 1 mm); libres, el más próximo a {mm} mm"),
    "mm": _int(2, 25),
    "pathology": _pathology,
    "status": _items(
        """
        se encuentra libre de enfermedad
        mantiene la respuesta completa
        presenta enfermedad estable
        continúa asintomátic{o}
        continúa en seguimiento en consultas externas
        persiste la respuesta parcial
        """
    ),
    "months": _int(2, 96),
    "suspicion_test": _items(
        """
        metástasis cerebrales, se solicita una RM cerebral con contraste
        progresión de la enfermedad, se solicita una PET-TC
        tromboembolismo pulmonar, se solicita una angio-TC de arterias pulmonares
        compresión medular, se solicita una RM de columna completa
        hipercalcemia tumoral, se solicita una analítica con calcio iónico
        neumonitis inmunomediada, se solicita una TC de tórax de alta resolución
        metástasis óseas, se solicita una gammagrafía ósea
        obstrucción intestinal, se solicita una TC abdominal urgente
        infección respiratoria, se solicitan una radiografía de tórax y hemocultivos
        """
    ),
    "confirm": _semi(
        "confirma el diagnóstico; resulta normal; muestra hallazgos no concluyentes; descarta la sospecha inicial"
    ),
    "servicio": _semi(
        "Oncología Médica; la planta de Oncología; la Unidad de Cuidados Intensivos; Medicina Interna; "
        "la Unidad de Cuidados Paliativos"
    ),
    "ingreso": _semi(
        "neutropenia febril; dolor mal controlado; insuficiencia respiratoria; hemorragia digestiva alta; "
        "deterioro del estado general; hipercalcemia; obstrucción intestinal; síndrome de vena cava superior; "
        "derrame pleural sintomático"
    ),
    "relapse": _items(
        """
        presenta recidiva {recid_site}
        se objetiva una elevación progresiva de los marcadores tumorales
        consulta por {symptom}
        se detecta en la TC de control {ct_finding}
        """
    ),
    "recid_site": _semi("locorregional; hepática; pulmonar; ósea; peritoneal; ganglionar retroperitoneal; cerebral"),
    "rt": _items(
        """
        paliativa sobre la lesión ósea de L3 a dosis de 8 Gy en fracción única
        paliativa sobre la lesión ósea de L3 a dosis de 20 Gy en 5 fracciones
        holocraneal a dosis de 30 Gy en 10 fracciones
        adyuvante sobre el lecho quirúrgico a dosis de 50 Gy en 25 fracciones
        radical sobre la pelvis a dosis de 45 Gy en 25 fracciones
        estereotáctica sobre la lesión {lesion_site} a dosis de {sbrt}
        radical sobre el tumor primario y las adenopatías mediastínicas a dosis de 60 Gy en 30 fracciones
        de consolidación sobre la masa residual a dosis de 30 Gy en 15 fracciones
        paliativa hemostática a dosis de 20 Gy en 5 fracciones
        """
    ),
    "lesion_site": _semi("hepática; pulmonar; ósea; cerebral; suprarrenal"),
    "sbrt": _semi("24 Gy en 3 fracciones; 50 Gy en 5 fracciones; 18 Gy en fracción única; 35 Gy en 5 fracciones"),
    "rt_tol": _semi(
        "buena tolerancia; radiodermitis grado 1; esofagitis grado 2; astenia leve; "
        "control del dolor a las dos semanas; diarrea grado 1"
    ),
    "alta_tx": _semi(
        "analgesia de tercer escalón; dexametasona en pauta descendente; heparina de bajo peso molecular profiláctica; "
        "seguimiento por el equipo de soporte domiciliario; cita en consultas externas de Oncología"
    ),
    "situation": _semi(
        "la progresión tumoral y el deterioro funcional; la mala tolerancia al tratamiento; "
        "la buena respuesta obtenida; la edad avanzada; la toxicidad acumulada"
    ),
    "plan": _semi(
        "suspender el tratamiento activo; priorizar el control sintomático; continuar con el mismo esquema; "
        "espaciar los ciclos; reducir la intensidad del tratamiento"
    ),
    "gen_reason": _semi(
        "por la edad de presentación; por antecedentes familiares de cáncer de {fam_ca}; según los criterios vigentes"
    ),
    "germ": _semi(
        "una variante patogénica en BRCA1; una variante patogénica en BRCA2; "
        "una variante de significado incierto en ATM; ausencia de variantes patogénicas; "
        "una variante patogénica en MLH1 compatible con síndrome de Lynch"
    ),
    "complication": _items(
        """
        una trombosis venosa profunda en el miembro inferior {lado_m}, que se trata con heparina de bajo peso molecular
        una neumonitis grado {grade}, que obliga a suspender la inmunoterapia e iniciar corticoides
        una neutropenia febril, que requiere ingreso y antibioterapia empírica con piperacilina-tazobactam
        un tromboembolismo pulmonar bilateral, que se trata con enoxaparina a dosis de 1 mg/kg cada 12 horas
        una hipercalcemia grave, que se corrige con sueroterapia, furosemida y ácido zoledrónico
        una colitis inmunomediada grado {grade}, con buena respuesta a metilprednisolona
        un hipotiroidismo primario, que se controla con levotiroxina
        una fractura patológica del fémur {lado_m}, que requiere enclavado intramedular
        una obstrucción intestinal, que se resuelve con tratamiento conservador
        """
    ),
    "support": _semi(
        "dexametasona 4 mg cada 8 horas; morfina de liberación prolongada 30 mg cada 12 horas; "
        "ácido zoledrónico 4 mg cada 4 semanas; denosumab 120 mg cada 4 semanas; "
        "transfusión de dos concentrados de hematíes; filgrastim; ondansetrón 8 mg cada 8 horas; "
        "fentanilo transdérmico 25 µg/h"
    ),
    "teaching": _semi(
        "la importancia del estudio molecular en el momento del diagnóstico; "
        "la necesidad de un abordaje multidisciplinar; el manejo de la toxicidad inmunomediada; "
        "el valor de la PET-TC en la estadificación; la relevancia del consejo genético en pacientes jóvenes"
    ),
    "meno_age": _int(44, 56),
    "dias": _int(3, 21),
    "servicio_cons": _semi(
        "Cardiología; Nutrición; la Unidad del Dolor; Psicooncología; Radioterapia Oncológica; Cirugía General"
    ),
}


CORPORA: tuple[CorpusSpec, ...] = (
    CorpusSpec(
        filename="nl-clin.txt",
        description="Dutch clinical notes (anamnesis, VG, vital signs, medication, lab, Conclusie/Beleid)",
        seed=1101,
        templates=NL_CLIN_TEMPLATES,
        fillers=NL_CLIN_FILLERS,
        context=_nl_clin_context,
        join_prob=0.15,
        conjunction="en",
    ),
    CorpusSpec(
        filename="nl-bio.txt",
        description="Dutch biomedical text (package leaflets, pharmacology, study abstracts)",
        seed=1202,
        templates=NL_BIO_TEMPLATES,
        fillers=NL_BIO_FILLERS,
        context=lambda rng: _drug_context(NL_DRUGS, rng),
        join_prob=0.0,
        conjunction="en",
    ),
    CorpusSpec(
        filename="ro-bio.txt",
        description="Romanian biomedical text (package leaflets, literature, short case reports)",
        seed=1303,
        templates=RO_BIO_TEMPLATES,
        fillers=RO_BIO_FILLERS,
        context=_ro_bio_context,
        join_prob=0.0,
        conjunction="și",
    ),
    CorpusSpec(
        filename="es-clin.txt",
        description="Spanish oncology case reports",
        seed=1404,
        templates=ES_CLIN_TEMPLATES,
        fillers=ES_CLIN_FILLERS,
        context=_es_clin_context,
        join_prob=0.05,
        conjunction="y",
    ),
)


# ---------------------------------------------------------------------------------------------
# Rendering
# ---------------------------------------------------------------------------------------------


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
            raise RuntimeError(f"slots nested too deeply in {text!r}")
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
                raise KeyError(f"{self.spec.filename}: unknown slot {{{name}}}")
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


def _validate(spec: CorpusSpec) -> None:
    """Fail early on a slot that names nothing (a typo in a template or filler)."""
    ctx_keys = set(spec.context(random.Random(0)))
    texts: list[str] = list(spec.templates)
    for filler in spec.fillers.values():
        if not callable(filler):
            texts.extend(filler)
    if spec.context is _es_clin_context:
        texts.extend(t.names + t.marker + t.ihq + t.molecular + t.surgery for t in ES_TUMORS)
    texts.extend(v for v in spec.context(random.Random(1)).values() if "{" in v)
    known = ctx_keys | set(spec.fillers)
    for text in texts:
        for name in SLOT.findall(text):
            if name not in known and name[:1].lower() + name[1:] not in known:
                raise KeyError(f"{spec.filename}: unknown slot {{{name}}} in {text!r}")


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
            raise RuntimeError(f"{spec.filename}: not enough variety for {count} distinct lines")
        line = renderer.line()
        if line and line not in seen:
            seen.add(line)
            lines.append(line)
    return lines


# ---------------------------------------------------------------------------------------------
# Noise
# ---------------------------------------------------------------------------------------------


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


# ---------------------------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------------------------


@dataclass
class FileStats:
    spec: CorpusSpec
    lines: int
    size: int
    distinct: int
    noise: NoiseCounts


def _readme(stats: list[FileStats], total: int) -> str:
    rows = "\n".join(
        f"| `{s.spec.filename}` | {s.spec.description} | {s.lines} | {s.size / 1024:.0f} KiB | {s.distinct} "
        f"| {s.noise.markup} | {s.noise.duplicates} | {s.noise.blank} | {s.noise.control} |"
        for s in stats
    )
    return f"""# Stand-in domain corpora

Four small **synthetic** corpora, one sentence (or a short run of sentences from one note or
document) per line, UTF-8 with `\\n` line endings. They stand in for the real clinical and
biomedical corpora of the study, which cannot be redistributed, so that the pipeline (cleaning,
tokenization, continued MLM pre-training, evaluation) can be run and tested end to end.

| file | content | lines | size | distinct lines | markup | duplicates | blank | control chars |
|---|---|---:|---:|---:|---:|---:|---:|---:|
{rows}

- `nl-clin.txt`: Dutch clinical-note style: "Patiënt, 67 jaar, bekend met ..., meldt zich op de
  SEH met ...", `VG:`, vital signs (`RR 140/85 mmHg`), medication with doses (`metoprolol 50 mg
  1dd`), lab values, `Conclusie:` / `Beleid:`, abbreviations such as `pt.`, `i.v.m.`, `i.o.m.`,
  `cb`, `z.n.`.
- `nl-bio.txt`: Dutch biomedical style: package-leaflet sentences ("Dit geneesmiddel bevat ..."),
  pharmacology, structured study abstracts (`Doel:`, `Methoden:`, `Resultaten:`, `Conclusie:`).
- `ro-bio.txt`: Romanian biomedical style (leaflets, literature, short case reports) with correct
  diacritics (ă â î ș ț, comma-below): "Pacienții cu insuficiență renală ...".
- `es-clin.txt`: Spanish oncology case reports: "Mujer de 58 años con antecedentes de ... en quien
  se diagnostica un carcinoma ductal infiltrante ...".

The lines come from compositional templates with large slot-filler lists and a per-line context
(patient, drug, tumour), so the text has repeated domain structure an MLM picks up within a few
hundred steps (held-out perplexity drops), while clean lines never repeat. The facts (doses,
values, study results) are invented and must not be used for anything medical.

## Deliberate noise

For `N` lines per file ({total} here) each file contains exactly:

- `round(0.02 N)` lines with XML/HTML markup: wrapped in `<p>`, `<li>`, `<td>` or
  `<div class="...">`, a word in `<b>`/`<i>`/`<em>`/`<strong>`, a leading label in
  `<span style="...">`, a `<br/>`, or (entities only, no tag; a few per file) the conjunction
  replaced by `&amp;`, `&nbsp;` for a space, or non-ASCII letters as numeric character
  references (`&#235;`);
- `round(0.01 N)` exact duplicates of other clean lines (half right after the original);
- `round(0.01 N)` empty or whitespace-only lines (spaces, tabs, a lone U+00A0);
- `max(1, round(0.003 N))` lines with one stray control/format character: `\\x07`, `\\x08`,
  `\\x1b`, U+200B, U+FEFF inside the line, or `\\x0c` (form feed) at its start. No NUL bytes.
  `str.splitlines()` treats `\\x0c` as a line break: split on `\\n` only.

`adapterkit`'s corpus cleaner strips the markup (unescaping entities), removes control and
format characters, and drops the blank and duplicate lines.

## Regenerate / check

The files are generated, deterministically (fixed seeds, stdlib only), by
`scripts/make_standin_corpora.py`; do not edit them (or this README) by hand. From the repository
root:

```bash
python scripts/make_standin_corpora.py            # rewrite the files in this folder
python scripts/make_standin_corpora.py --check    # exit 1 if they differ from a fresh generation
```

## Licence

MIT, the same licence as the adapterkit project. The text is entirely synthetic: it was written
by the generator script, contains no patient data and no text copied from real records,
leaflets or articles; any resemblance to real persons or cases is coincidental.
"""


def write_corpora(out: Path, total: int) -> list[FileStats]:
    """Write the four corpora and the README into ``out``; return their statistics."""
    out.mkdir(parents=True, exist_ok=True)
    stats: list[FileStats] = []
    for spec in CORPORA:
        _validate(spec)
        lines, noise = build_corpus(spec, total)
        data = ("\n".join(lines) + "\n").encode("utf-8")
        (out / spec.filename).write_bytes(data)
        stats.append(FileStats(spec, len(lines), len(data), len(set(lines)), noise))
    (out / "README.md").write_bytes(_readme(stats, total).encode("utf-8"))
    return stats


def _check(out: Path, total: int) -> int:
    names = [spec.filename for spec in CORPORA] + ["README.md"]
    with tempfile.TemporaryDirectory() as tmp:
        write_corpora(Path(tmp), total)
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
        "--check", action="store_true", help="regenerate into a temporary folder; exit 1 if the files in --out differ"
    )
    args = parser.parse_args(argv)
    if args.lines < 20:
        parser.error("--lines must be at least 20")
    if args.check:
        return _check(args.out, args.lines)
    for s in write_corpora(args.out, args.lines):
        print(
            f"{args.out / s.spec.filename}: {s.lines} lines, {s.size} bytes, "
            f"{s.distinct} distinct ({s.distinct / s.lines:.1%}); noise: {s.noise.markup} markup, "
            f"{s.noise.duplicates} duplicates, {s.noise.blank} blank, {s.noise.control} control"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
