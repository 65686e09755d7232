"""The words of the lexquery language: fact names, States, procedures, enumerations.

Each field of the JSON case format (docs/case-format.md) has French names
(the first one is how ``convert`` writes it) and English aliases (its JSON key among
them); States are written by their French or English name (reference/states.yaml) or
their ISO 3166-1 alpha-2 code in capitals. Matching ignores case, accents, articles and
spacing; a word that matches nothing gets the closest known words as a hint.
"""
from __future__ import annotations

import difflib
import re
import unicodedata
from functools import lru_cache

from ..engine.case import PROTECTION, REMOVAL_KINDS
from ..iso3166 import CODES  # noqa: F401  (the language reads a State written as its code)
from ..kb.states import (MASCULINE_E, NO_ARTICLE, state_choices, state_index, state_name,  # noqa: F401
                         state_of, state_phrase, states)
from ..paths import home
from ..words import ARTICLES, norm, strip_article  # noqa: F401  (the language's words are matched this way)


# ---- fields ----------------------------------------------------------------------------
from ..engine.fields import FIELDS  # noqa: E402  (the case format's fields and their names, fr/en)
FIELD_ORDER = list(FIELDS)
LIST_FIELDS = {"sentence.convictions", "removal_measures"}

WHAT = {  # what a type of field expects, in words
    "id": "un identifiant, ex. ionescu-2026",
    "date": "une date, ex. « 1er décembre 2026 » ou « 2026-12-01 », ou « inconnu »",
    "date_or_none": "une date, « aucune » (pas de période de sûreté) ou « inconnu »",
    "duration": "une durée, ex. « 3 ans », « 18 mois », « 2 ans 6 mois », « perpétuité », ou « inconnu »",
    "bool": "« oui », « non » ou « inconnu »",
    "str": "un texte, ex. \"Centre pénitentiaire de Lyon-Corbas\", ou « inconnu »",
    "state": "un État, par son nom (« Roumanie ») ou son code ISO (« RO »), ou « inconnu »",
    "states": "un ou plusieurs États séparés par des virgules (« Roumanie, Italie »), « aucune » (apatride) ou « inconnu »",
    "protection": "« aucune », « réfugié », « protection subsidiaire », « demande d'asile en cours » ou « inconnu »",
    "measure": "une mesure, ex. « ITF définitive vers la Roumanie, exécutoire, recours épuisés » (une mesure temporaire : « …, fin 1er mars 2027 »), « aucune » ou « inconnu »",
    "conviction": "une condamnation, ex. « \"tribunal correctionnel de Lyon\", 20 mai 2025, définitive, 3 ans »",
    "json": "un objet JSON sur une ligne, ex. {\"clé\": \"valeur\"}",
    "section": "{} (la rubrique est donnée, vide : rien n'y est connu)",
}
# the same in English (`interview --lang en`); the answers are still typed in the words of the
# lexquery language, which is French: its words stay quoted as they are typed
WHAT_EN = {
    "id": "an identifier, e.g. ionescu-2026",
    "date": "a date, e.g. « 1er décembre 2026 » or « 2026-12-01 », or « inconnu » (unknown)",
    "date_or_none": "a date, « aucune » (no safety period) or « inconnu » (unknown)",
    "duration": "a length, e.g. « 3 ans », « 18 mois », « 2 ans 6 mois », « perpétuité » (life), or « inconnu » (unknown)",
    "bool": "« oui » (yes), « non » (no) or « inconnu » (unknown)",
    "str": "a text, e.g. \"Centre pénitentiaire de Lyon-Corbas\", or « inconnu » (unknown)",
    "state": "a State, by its French name (« Roumanie ») or its ISO code (« RO »), or « inconnu » (unknown)",
    "states": "one or more States separated by commas (« Roumanie, Italie »), « aucune » (stateless) or « inconnu » (unknown)",
    "protection": "« aucune » (none), « réfugié » (refugee), « protection subsidiaire » (subsidiary protection), "
                  "« demande d'asile en cours » (asylum claim pending) or « inconnu » (unknown)",
    "measure": "a measure, e.g. « ITF définitive vers la Roumanie, exécutoire, recours épuisés » (a temporary one: "
               "« …, fin 1er mars 2027 »), « aucune » (none) or « inconnu » (unknown)",
    "conviction": "a conviction, e.g. « \"tribunal correctionnel de Lyon\", 20 mai 2025, définitive, 3 ans »",
    "json": "a JSON object on one line, e.g. {\"key\": \"value\"}",
    "section": "{} (the section is given, empty: nothing in it is known)",
}


@lru_cache(maxsize=1)
def field_index() -> dict[str, str]:
    idx = {}
    for path, (_t, fr, en) in FIELDS.items():
        for name in fr + en + [path]:
            idx.setdefault(norm(name), path)
    return idx


def field_of(key: str) -> str | None:
    return field_index().get(norm(key))


SECTIONS = {p for p, (t, _fr, _en) in FIELDS.items() if t == "section"}


def field_name(path: str) -> str:
    return FIELDS[path][1][0]


def closest(word: str, choices: dict[str, str], n: int = 1, cutoff: float = 0.6) -> list[str]:
    """Closest display words to ``word``; ``choices`` maps normalised → display."""
    found = difflib.get_close_matches(norm(word), list(choices), n=n, cutoff=cutoff)
    out = []
    for f in found:
        if choices[f] not in out:
            out.append(choices[f])
    return out


def field_choices() -> dict[str, str]:
    """Normalised → display names of every fact (a copy: the caller may add to it)."""
    return dict(_field_choices())


@lru_cache(maxsize=1)
def _field_choices() -> dict[str, str]:
    d = {}
    for path, (_t, fr, en) in FIELDS.items():
        for name in fr:
            d.setdefault(norm(name), name)
        for name in en:
            d.setdefault(norm(name), name)
    return d


# ---- enumerations -------------------------------------------------------------------------
YES_WORDS = ("oui", "vrai", "yes", "true")
NONE_WORDS = {"aucune", "aucun", "none", "apatride", "stateless", "neant", "pas de periode de surete", "sans"}
PROTECTION_WORDS = {
    "none": ["aucune", "aucun", "none", "sans"],
    "refugee": ["réfugié", "réfugiée", "refugee", "statut de réfugié"],
    "subsidiary_protection": ["protection subsidiaire", "subsidiaire", "subsidiary protection"],
    "asylum_pending": ["demande d'asile en cours", "asile en cours", "demandeur d'asile", "demandeuse d'asile",
                       "asylum pending"],
}
PROTECTION_INDEX = {norm(w): k for k, ws in PROTECTION_WORDS.items() for w in ws + [k]}
PROTECTION_WRITE = {k: ws[0] for k, ws in PROTECTION_WORDS.items()}
assert set(PROTECTION_WORDS) == set(PROTECTION)

MEASURE_KINDS = {norm(k): k for k in REMOVAL_KINDS}
MEASURE_KINDS.update({"expulsion": "expulsion", "arrete d'expulsion": "expulsion", "extradition": "extradition",
                      "mae": "EAW", "mandat d'arret europeen": "EAW", "remise": "EAW"})
MEASURE_WRITE = {"EAW": "MAE"}
assert set(MEASURE_KINDS.values()) == set(REMOVAL_KINDS)

# ---- procedures ---------------------------------------------------------------------------
PROCEDURE_ALIASES = {
    "eu_recognition": ["reconnaissance", "reconnaissance et exécution", "reconnaissance européenne",
                       "décision-cadre", "DC 2008/909", "eu recognition", "recognition"],
    "lc_expulsion": ["libération conditionnelle expulsion", "libération conditionnelle", "LC expulsion",
                     "lc-expulsion", "conditional release"],
    "ste_transfer": ["transfèrement", "transfert", "STE 112", "transfer"],
    "consular_notification": ["information consulaire", "information des autorités consulaires",
                              "consulat", "consular notification"],
    "prefecture_notice": ["avis à la préfecture", "préfecture", "prefecture notice", "prefecture"],
    "forced_identification": ["relevés signalétiques", "relevés sous contrainte", "signalisation",
                              "forced identification", "identification records"],
}


@lru_cache(maxsize=1)
def procedure_index() -> dict[str, str]:
    idx = {}
    for pid, names in PROCEDURE_ALIASES.items():
        for n in [pid] + names:
            idx[strip_article(norm(n))] = pid
    return idx


def procedure_of(text: str) -> str | None:
    return procedure_index().get(strip_article(norm(text)))


def procedure_choices() -> dict[str, str]:
    d = {}
    for pid, names in PROCEDURE_ALIASES.items():
        for n in [pid] + names:
            d[strip_article(norm(n))] = n
    return d


KEYWORDS = ["cas", "au", "quelles procédures ?", "pourquoi", "que manque-t-il ?", "à partir de quand",
            "et si", "qu'est-ce qui changerait", "article", "quelles règles citent", "inconnu", "oui", "non",
            "aucune", "perpétuité", "case", "as of", "which procedures?", "why", "what is missing?",
            "from when", "what if", "what would change", "which rules cite", "unknown", "yes", "no"]
