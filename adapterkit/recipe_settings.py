"""A recipe's ``${setting}`` references, replaced by their values; a cycle of references is one line naming it.

A setting may name others (``corpus = "${data}/nl.txt"``, ``data = "${shared}/corpora"``); a chain
that comes back to a setting it started from (``a = "${b}"``, ``b = "${a}"``, or ``a = "${a}"``)
would never end, and is refused as ``step S: the settings refer to each other in a cycle: a -> b -> a``.
"""

from __future__ import annotations

import re

from .errors import AdapterkitError

REFERENCE = re.compile(r"\$\{([A-Za-z0-9_.\-]+)\}")
INNER = re.compile(r"\$\{([A-Za-z0-9_.\-]*)\$\{([A-Za-z0-9_.\-]+)\}")  # ${data.stage_one.${track}}


def lookup(recipe: dict, dotted: str, step_id: str):
    value = recipe
    for part in dotted.split("."):
        if not isinstance(value, dict) or part not in value:
            raise AdapterkitError(f"step {step_id}: ${{{dotted}}} is not a setting of this recipe")
        value = value[part]
    return value


def _expand(dotted: str, recipe: dict, step_id: str, chain: tuple[str, ...]):
    if dotted in chain:
        loop = [*chain[chain.index(dotted) :], dotted]
        if len(loop) == 2:
            itself = f"${{{dotted}}}"
            raise AdapterkitError(f"step {step_id}: the setting {dotted} refers to itself ({itself}); give it a value")
        cycle = " -> ".join(loop)
        raise AdapterkitError(f"step {step_id}: the settings refer to each other in a cycle: {cycle}; give one a value")
    return substitute(lookup(recipe, dotted, step_id), recipe, step_id, (*chain, dotted))


def substitute(value, recipe: dict, step_id: str, chain: tuple[str, ...] = ()):
    """``value`` with every ``${setting}`` replaced (recursively); ``chain``: the settings being expanded."""
    if isinstance(value, list):  # a list setting named inside a list is spliced into it
        spliced = []
        for item in value:
            result = substitute(item, recipe, step_id, chain)
            if result == "" and isinstance(item, str) and REFERENCE.fullmatch(item):
                continue  # an empty optional setting named alone in a list adds nothing (models.es_domain = "")
            spliced += result if isinstance(result, list) and not isinstance(item, list) else [result]
        return spliced
    if not isinstance(value, str):
        return value
    while inner := INNER.search(value):  # a reference inside a name: ${data.stage_one.${track}}
        name = _expand(inner.group(2), recipe, step_id, chain)
        value = f"{value[: inner.start()]}${{{inner.group(1)}{name}{value[inner.end() :]}"
    whole = REFERENCE.fullmatch(value)
    if whole:  # "${x}" alone keeps x's type (a number stays a number)
        return _expand(whole.group(1), recipe, step_id, chain)
    return REFERENCE.sub(lambda m: str(_expand(m.group(1), recipe, step_id, chain)), value)
