"""Words as a person types them, made comparable: case, accents, spacing, apostrophes and
dashes ignored (« Côte d’Ivoire » = « cote d'ivoire »), leading French articles dropped.
The lowest floor (beside :mod:`lexquery.dates` and :mod:`lexquery.errors`): the case
reader's hints, the States' names (:mod:`lexquery.kb.states`), the lexquery language's
words (:mod:`lexquery.dsl.vocab`) and the commands' searches all match text this way.
"""
from __future__ import annotations

import re
import unicodedata


def norm(text: str) -> str:
    """Lower case, no accents, one space, typographic apostrophes and dashes unified."""
    t = unicodedata.normalize("NFKD", text)
    t = "".join(c for c in t if not unicodedata.combining(c)).lower()
    t = t.replace("’", "'").replace("_", " ")
    t = re.sub(r"[ \t]*-[ \t]*", "-", t)
    return re.sub(r"\s+", " ", t).strip()


ARTICLES = ("la ", "le ", "les ", "l'", "en ", "au ", "aux ", "du ", "des ", "de ", "d'", "the ")


def strip_article(t: str) -> str:
    changed = True
    while changed:
        changed = False
        for a in ARTICLES:
            if t.startswith(a) and len(t) > len(a):
                t, changed = t[len(a):], True
    return t


def fold(text: str) -> str:
    """Case- and accent-insensitive key that keeps the spacing (« eloignement » finds
    « éloignement » in a text: `lexquery sources --grep`, `lexquery reference`)."""
    return "".join(c for c in unicodedata.normalize("NFD", text.casefold()) if not unicodedata.combining(c))
