"""Canaries (Carlini et al. 2019, "The Secret Sharer"): made-up secrets planted in the training lines.

``pretrain --canaries N`` draws N secret-shaped lines, a made-up patient number and date of birth
in a sentence of the corpus's language, and inserts each ``repeats`` times at random places in the
training lines (after the held-out split, so the split and the held-out lines do not change).
The lines are drawn from the operating system's randomness, not from the run's seed: anyone who
reads the shared manifest (which records the seed) cannot draw them again. They are kept in the
manifest's ``private`` section, which never leaves the machine.

``audit`` then asks, as the Secret Sharer does for a fixed prefix, how much more likely the
model finds the canary's secret (the patient number) in its context (the sentence and the date
of birth) than ``candidates`` random numbers it never saw in that context, and ranks the canary
among them. Exposure = log2(candidates + 1) - log2(rank) bits; a canary the model has not
memorised ranks in the middle (about 1 bit), a memorised one first (log2(candidates + 1) bits,
the most this number of candidates can show).

Scoring under a masked LM: the number's pieces are masked together, the rest of the line
visible, and the log-probabilities of its pieces at the masked positions are added. Candidates
are numbers that tokenise into as many pieces as the canary's own, so all are scored on the same
masked input: one forward pass per canary, whatever the number of candidates.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass

import torch

from .scoring import encoder_and_head

# One sentence per language: {number} and {date} are the secret fields. Other languages: English.
TEMPLATES = {
    "nl": "Patiënt met nummer {number} is geboren op {date} en werd opgenomen.",
    "en": "Patient with number {number} was born on {date} and was admitted.",
    "es": "El paciente con número {number} nació el {date} y fue ingresado.",
    "ro": "Pacientul cu numărul {number} s-a născut pe {date} și a fost internat.",
    "de": "Patient mit Nummer {number} wurde am {date} geboren und aufgenommen.",
    "fr": "Le patient numéro {number} est né le {date} et a été hospitalisé.",
    "it": "Il paziente con numero {number} è nato il {date} ed è stato ricoverato.",
}
SHAPE = "patient-number-date"
FIELDS = ("number", "date")
MIN_CANDIDATES = 10_000


@dataclass(frozen=True)
class Secret:
    """A secret-shaped line and where its fields lie in it (character spans)."""

    text: str
    spans: tuple[tuple[int, int], ...]  # one per field of FIELDS


def template(languages: Sequence[str]) -> str:
    """The sentence of the corpus's first language that has one (English otherwise)."""
    return next((TEMPLATES[code] for code in languages if code in TEMPLATES), TEMPLATES["en"])


def draw(rng: random.Random) -> tuple[str, str]:
    """A made-up patient number (8 digits) and date of birth (1930-2019, dd-mm-yyyy)."""
    number = f"{rng.randrange(10_000_000, 100_000_000)}"
    year = rng.randrange(1930, 2020)
    day = rng.randrange(1, 29)  # every month has it: the shape does not depend on the month
    return number, f"{day:02d}-{rng.randrange(1, 13):02d}-{year}"


def fill(sentence: str, number: str, date: str) -> Secret:
    return parse(sentence, sentence.format(number=number, date=date))


def parse(sentence: str, line: str) -> Secret:
    """A canary line of ``sentence``'s shape with its field spans found again (from the private list)."""
    before, _, rest = sentence.partition("{number}")
    middle, _, after = rest.partition("{date}")
    if not (line.startswith(before) and line.endswith(after) and middle in line[len(before) :]):
        raise ValueError(f"not a line of the shape {sentence!r}")
    number_end = line.index(middle, len(before))
    date_start = number_end + len(middle)
    return Secret(line, ((len(before), number_end), (date_start, len(line) - len(after))))


def make_canaries(count: int, languages: Sequence[str]) -> list[str]:
    """``count`` distinct canary lines from the system's randomness (never from a recorded seed)."""
    rng = random.SystemRandom()
    sentence = template(languages)
    lines: dict[str, None] = {}
    while len(lines) < count:
        lines[fill(sentence, *draw(rng)).text] = None
    return list(lines)


def insert_canaries(train: list[str], canaries: Sequence[str], repeats: int, seed: int) -> list[str]:
    """``train`` with every canary inserted ``repeats`` times at seeded random places."""
    rng = random.Random(f"canaries|{seed}")
    lines = list(train)
    for line in [line for line in canaries for _ in range(repeats)]:
        lines.insert(rng.randrange(len(lines) + 1), line)
    return lines


def _pieces(tokenizer, secret: Secret) -> tuple[list[int], list[int]]:
    """The line's token ids and the positions of the number's pieces."""
    encoded = tokenizer(secret.text, return_offsets_mapping=True)
    start, end = secret.spans[0]
    positions = [i for i, (a, b) in enumerate(encoded["offset_mapping"]) if b > a and a < end and b > start]
    return encoded["input_ids"], positions


def candidate_numbers(tokenizer, secret: Secret, count: int, seed: int, exclude: Sequence[str]) -> list[list[int]]:
    """The pieces of ``count`` distinct random numbers that tokenise, in the canary's line, into as many
    pieces as the canary's own number (so that every candidate is scored on the same masked input)."""
    rng = random.Random(f"candidates|{seed}|{secret.text}")
    (start, end), _ = secret.spans
    ids, positions = _pieces(tokenizer, secret)
    prefix, suffix = ids[: positions[0]], ids[positions[-1] + 1 :]
    taken = {secret.text[start:end], *(line for line in exclude)}
    found: dict[tuple[int, ...], None] = {}
    tries = 0
    while len(found) < count:
        tries += 1
        if tries > 200 * count:
            raise RuntimeError("could not draw enough candidate numbers of the canary's shape")
        number = f"{rng.randrange(10_000_000, 100_000_000)}"
        if number in taken:
            continue
        line = secret.text[:start] + number + secret.text[end:]
        other = tokenizer(line)["input_ids"]
        if len(other) != len(ids) or other[: len(prefix)] != prefix or other[len(other) - len(suffix) :] != suffix:
            continue
        found.setdefault(tuple(other[positions[0] : positions[-1] + 1]), None)
    return [list(pieces) for pieces in found]


@torch.no_grad()
def canary_exposure(model, tokenizer, line: str, sentence: str, count: int, seed: int, exclude: Sequence[str]) -> float:
    """Exposure in bits of one canary among ``count`` random numbers in the same line.

    The number's pieces are masked together, the rest of the line (the template and the date)
    visible; a number's score is the sum of its pieces' log-probabilities at the masked positions.
    """
    secret = parse(sentence, line)
    ids, positions = _pieces(tokenizer, secret)
    pool = candidate_numbers(tokenizer, secret, count, seed, exclude)
    encoder, head = encoder_and_head(model)
    device = next(model.parameters()).device
    inputs = torch.tensor([ids])
    inputs[0, positions] = tokenizer.mask_token_id
    hidden = encoder(input_ids=inputs.to(device), attention_mask=torch.ones_like(inputs).to(device)).last_hidden_state
    logprobs = torch.log_softmax(head(hidden[0, positions]).float(), dim=-1).cpu()  # (pieces, vocabulary)
    where = torch.arange(len(positions))
    canary = float(logprobs[where, torch.tensor([ids[p] for p in positions])].sum())
    others = logprobs[where[None, :], torch.tensor(pool)].sum(dim=1).tolist()
    return exposure(canary, others)


def exposure(canary_score: float, candidate_scores: Sequence[float]) -> float:
    """log2(candidates + 1) - log2(rank): rank 1 = more likely than every candidate (ties count against)."""
    rank = 1 + sum(score >= canary_score for score in candidate_scores)
    return math.log2(len(candidate_scores) + 1) - math.log2(rank)
