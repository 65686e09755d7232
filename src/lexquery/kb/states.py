"""The names of States (reference/states.yaml, French and English), read as a person writes
them, and written back with their French article (« la Roumanie », « le Maroc »).

A knowledge-base floor module: the case reader's hints (:mod:`lexquery.engine.case`), the
note for the file, the commands and the lexquery language (:mod:`lexquery.dsl.vocab`
re-exports these names) use the same list.
"""
from __future__ import annotations

import re
from functools import lru_cache

from .. import yaml12
from ..iso3166 import CODES
from ..paths import home
from ..words import norm, strip_article


@lru_cache(maxsize=1)
def states() -> dict[str, dict]:
    import yaml
    try:   # the project's YAML (lexquery.yaml12): the key NO (Norway) stays "NO"
        data = yaml12.load((home() / "reference" / "states.yaml").read_text(encoding="utf-8"))
        return {str(k): v for k, v in (data.get("states") or {}).items()}
    except (OSError, yaml.YAMLError, AttributeError):
        return {"FR": {"fr": "France", "en": "France"}}


@lru_cache(maxsize=1)
def state_index() -> dict[str, str]:
    idx = {}
    for code, names in states().items():
        for lang in ("fr", "en"):
            if names.get(lang):
                idx.setdefault(strip_article(norm(names[lang])), code)
    return idx


def state_of(text: str) -> str | None:
    """ISO code of a State written as a name or an upper-case ISO code, else None."""
    t = text.strip()
    if re.fullmatch(r"[A-Z]{2}", t):
        return t if t in CODES else None
    return state_index().get(strip_article(norm(t)))


def state_choices() -> dict[str, str]:
    return {strip_article(norm(n["fr"])): n["fr"] for n in states().values() if n.get("fr")}


def state_name(code: str) -> str:
    return states().get(code, {}).get("fr") or code


NO_ARTICLE = {"chypre", "cuba", "malte", "israel", "monaco", "singapour", "hong kong", "djibouti",
              "kiribati", "madagascar", "maurice", "bahrein", "oman", "sao tome-et-principe"}
MASCULINE_E = {"mexique", "cambodge", "mozambique", "zimbabwe", "belize", "suriname", "royaume-uni"}


def state_phrase(code: str) -> str:
    """« la Roumanie », « le Maroc », « l'Italie », « les États-Unis » — after `vers`."""
    name = state_name(code)
    if name == code:
        return code
    n = norm(name)
    if n in NO_ARTICLE:
        return name
    if n[0] in "aeiouy":
        return f"l'{name}"
    if n in ("etats-unis", "pays-bas", "bahamas", "emirats arabes unis", "philippines", "comores", "seychelles"):
        return f"les {name}"
    if n.endswith("e") and n not in MASCULINE_E:
        return f"la {name}"
    return f"le {name}"


