"""What a reader of one language must not find in the other (issue 15 item 7), shared by
tests/test_english.py: French words in an English text, internal ids and JSON paths in a
French one.

An English text may keep in French what is French by nature: the names of French courts and
institutions (``KEPT``), citations (« CPP 729-2 al. 1 »), quoted law text between « » (the
texts stay as published: quoted, not translated), web addresses and file paths. Anything else
that is one of the telltale French words below is a French word left in English output.
"""
from __future__ import annotations

import re

# telltale French words (whole words, case-insensitive): none is an English word
FRENCH = [
    "selon", "l'article", "de l'article", "à vérifier", "vérifier", "peine", "peines", "mesure", "mesures", "libération",
    "nationalité", "résidence", "habituelle", "faits", "établir", "compétent", "motif", "consentement",
    "jusqu'au", "à partir", "États", "État", "considérés", "applicable plus tard", "non applicable",
    "indéterminé", "oui", "non", "inconnu", "inconnue", "aucune", "aucun", "présumé", "inchangé",
    "déclaration", "contenu", "retrouvé", "liste", "statut", "en vigueur", "depuis", "sauf", "avec",
    "sans", "pour", "dans", "une", "des", "du", "et", "est", "sont", "ou", "le", "la", "les", "au",
    "aux", "à", "de la", "voie", "fondement", "écartée", "remplie", "apprécier", "juridiction",
    "personne", "condamné", "détenu", "transfèrement", "éloignement", "loi du", "date inconnue",
    "jours", "mois", "ans", "année", "fiche", "aide", "attendu", "valeur", "chemin",
    "fichier", "erreur", "ligne", "colonne", "réponse", "trouvé", "manquant",
]
# names of French courts, institutions and terms of art kept in French in an English text
KEPT = ["juge de l'application des peines", "tribunal de l'application des peines",
        "chambre de l'application des peines", "tribunal correctionnel", "tribunal judiciaire",
        "cour d'assises", "cour d'appel", "libération sous contrainte", "préfet", "préfecture",
        "LC-expulsion", "Centre pénitentiaire", "Maison d'arrêt", "centre de détention", "fiche pénale",
        "loi n°", "décret n°", "reconduite à la frontière", "sous écrou", "Légifrance", "Verdragenbank",
        "commission des lois", "police aux frontières"]
CITATION = re.compile(r"\b(?:CPP|CP|CESEDA|STE|ETS|CETS|DC|FD|Circ\.|CVRC)(?:-2029)?\s+[\w§.\-/°]+"
                      r"(?:\s+(?:al\.|art\.|§)\s*[\w.\-°]+)*(?:\s+[0-9]+°|\s+[IVX]+\b)?")
# « … » (innermost first: quotes nest), “ … ”, " … " (a value as typed), and ' … ' opened after a space (an apostrophe
# inside, as in l'article, is not its end)
QUOTED = re.compile(r"«[^«»]*»|“[^“”]*”|\"[^\"\n]*\"|(?<=[\s(:])'(?:[^']|'(?=\w))*'(?!\w)")
# titles of French texts, as published: « loi n° 2019-222 du 23 mars 2019 », « JORF n° 0272 du … »
TITLES = re.compile(r"\b(?:loi|LOI|décret|ordonnance|JORF)\s+(?:organique\s+)?n\s?°\s*[\d-]+"
                    r"(?:\s+du\s+\d+(?:er)?\s+\w+\s+\d{4})?")
URL = re.compile(r"(?:https?://|file:|urn:)\S+")
PATH = re.compile(r"\b(?:sources|law|rules|reference|examples|shapes|checks|ontology|tests)/[\w./§()\-]+")


def _strip(text: str, kept=KEPT) -> str:
    text = URL.sub(" ", text)
    text = PATH.sub(" ", text)
    while True:                              # quoted law text, as published
        stripped = QUOTED.sub(" ", text)
        if stripped == text:
            break
        text = stripped
    text = TITLES.sub(" ", text)
    for k in sorted(kept, key=len, reverse=True):   # the case's « cour d'assises des Bouches-du-Rhône » first
        text = re.sub(re.escape(k), " ", text, flags=re.IGNORECASE)
    return CITATION.sub(" ", text)


# « selon l'article 712-6 » is caught by « selon » and « l'article »; « article » alone is also an
# English word (« pursuant to article 717-1 » in an English translation of the law)
FRENCH_PATTERNS: list = []


def french_words(text: str, allowed=()) -> list[str]:
    """The telltale French words of ``text`` outside what may stay French (each once)."""
    t = _strip(text, KEPT + list(allowed))
    found = [w for w in FRENCH if re.search(rf"(?<![\w'\-]){re.escape(w)}(?![\w'\-])", t, re.IGNORECASE)]
    return found + [rx.pattern for rx in FRENCH_PATTERNS if rx.search(t)]


def french_lines(text: str, allowed=()) -> list[str]:
    """The lines of ``text`` with a telltale French word, the word first (for a failure message)."""
    return [f"{', '.join(ws)} | {line.strip()}" for line in text.splitlines()
            if (ws := french_words(line, allowed))]


# internal ids a French reader must not see: procedures, statuses, reference functions,
# and any snake_case name (a fact path, a rule or question id)
INTERNAL = ["lc_expulsion", "eu_recognition", "ste_transfer", "consular_notification", "prefecture_notice",
            "forced_identification", "not_applicable", "applicable_later", "undetermined", "to_assess",
            "not_met", "fd_applies", "eu_member", "consular_mandatory", "declared_national"]
SNAKE = re.compile(r"(?<![\w/.\-])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w/.\-])")
JSON_PATH = re.compile(r"(?<![\w/.])(?:person|sentence|detention|consent|removal_measures|receiving_state)"
                       r"(?:\[\d+\])?\.[a-z_]+")
CODE_CALL = re.compile(r"\b(?:party|bilateral|fd_applies|eu_member|consular_mandatory|declared_national)\(")


def internal_ids(text: str) -> list[str]:
    """The internal ids, snake_case names and JSON paths of ``text`` shown outside a web
    address or a file path (each once)."""
    t = URL.sub(" ", text)
    t = PATH.sub(" ", t)
    found = [w for w in INTERNAL if re.search(rf"\b{w}\b", t)]
    found += SNAKE.findall(t) + JSON_PATH.findall(t) + CODE_CALL.findall(t)
    return list(dict.fromkeys(found))


def internal_lines(text: str) -> list[str]:
    return [f"{', '.join(ws)} | {line.strip()}" for line in text.splitlines() if (ws := internal_ids(line))]
