"""The case reader's (and the case shapes' expectations') messages in English (issue 15 item 7: `validate --lang en`, JSON
``message_en`` / ``expected_en`` / ``hint_en`` for format errors).

:mod:`lexquery.engine.case` words its problems in French; each one has the shape of one of
the patterns below, whose English says the same. A message of a shape not listed gets
no English (``None``), and ``tests/test_case_english.py`` fails on it, so a new message is
never left untranslated.
"""
from __future__ import annotations

import re

from .case import EXPECTED

_EXPECTED_EN_BY_KEY = {
    "str": "a string", "bool": "true or false (or null when unknown)",
    "date": "an ISO 8601 date, e.g. \"2026-12-01\"",
    "date_range": "a date between 1900-01-01 and 2199-12-31",
    "duration_range": "a length of at most 200 years (P200Y, a month counted as thirty days under CPP 716-1), "
                      "or \"life\" for a life sentence",
    "duration_nonzero": "a non-zero length (\"P3Y\", \"P18M\", \"P10D\") or \"life\": a custodial sentence has a length",
    "duration": "an ISO 8601 length (\"P3Y\", \"P18M\", \"P2Y6M\") or \"life\"",
    "date_or_none": "an ISO 8601 date, \"none\" (no safety period) or null (unknown)",
    "state": "an ISO 3166-1 alpha-2 code in capitals, e.g. \"RO\"",
}
# (French pattern, English template with the pattern's groups; literal braces doubled)
MESSAGES = [
    (r"liste attendue, trouvé (.+)", "list expected, found {0}"),
    (r"« (.+) » répété \(déjà en \[(\d+)\]\)", "« {0} » repeated (already at [{1}])"),
    (r"objet attendu, trouvé (.+)", "object expected, found {0}"),
    (r"valeur invalide (.+)", "invalid value {0}"),
    (r"clé inconnue « (.+) »", "unknown key « {0} »"),
    (r"identifiant du cas manquant", "the case's identifier is missing"),
    (r"identifiant vide (.+)", "empty identifier {0}"),
    (r"État de réception « FR » : la France est ici l'État de condamnation",
     "receiving State « FR »: France is the sentencing State here"),
    (r"fin de peine (\S+) antérieure au début d'exécution (\S+)",
     "expected end of sentence {0} before the start of execution {1}"),
    (r"date hors de la plage admise (.+)", "date outside the accepted range {0}"),
    (r"durée trop longue (.+)", "length too long {0}"),
    (r"durée nulle (.+)", "zero length {0}"),
]
EXPECTED_MORE = [
    (r"une liste JSON \[\.\.\.\] \(\[\] = aucun\)", "a JSON list [...] ([] = none)"),
    (r"chaque État une seule fois", "each State once"),
    (r"un objet JSON \{\.\.\.\} \(\{\} = aucun ajout\)", "a JSON object {{...}} ({{}} = no addition)"),
    (r"un objet JSON \{\.\.\.\}", "a JSON object {{...}}"),
    (r"une des clés : (.+)", "one of the keys: {0}"),
    (r"une chaîne unique dans le lot, ex\. \"ionescu-2026\"", "a string unique in the batch, e.g. \"ionescu-2026\""),
    (r"une chaîne non vide, unique dans le lot, ex\. \"ionescu-2026\"",
     "a non-empty string, unique in the batch, e.g. \"ionescu-2026\""),
    (r"le code d'un autre État, celui de l'exécution ou du transfèrement \(ex\. \"RO\"\)",
     "the code of another State, the one of execution or transfer (e.g. \"RO\")"),
    (r"une date postérieure à (\S+)", "a date after {0}"),
    (r"une date antérieure à (\S+)", "a date before {0}"),
    (r"une valeur connue \(absent ou null = inconnu\)", "a known value (absent or null = unknown)"),
    (r"une seule valeur", "a single value"),
    (r"une valeur entre (\S+) et (\S+)", "a value between {0} and {1}"),
    (r"une date le (\S+) ou après", "a date on or after {0}"),
    (r"une date le (\S+) ou avant", "a date on or before {0}"),
    (r"une valeur supérieure ou égale à (\S+)", "a value greater than or equal to {0}"),
    (r"une valeur inférieure ou égale à (\S+)", "a value less than or equal to {0}"),
    (r"une date entre (\S+) et (\S+)", "a date between {0} and {1}"),
    (r"((?:[A-Za-z_]+ \| )+[A-Za-z_]+)", "{0}"),   # an enumeration: the codes themselves
]
HINTS = [
    (r"retirez le doublon", "remove the repeat"),
    (r"les ajouts propres au projet s'écrivent \"extensions\": \{\"clé\": valeur\}",
     "the project's own additions are written \"extensions\": {{\"key\": value}}"),
    (r"écrivez « (.+) » \(peine perpétuelle\)", "write « {0} » (life sentence)"),
    (r"si « (.+) » est jour/mois/année, écrivez « (.+) » \(année-mois-jour\)",
     "if « {0} » is day/month/year, write « {1} » (year-month-day)"),
    (r"écrivez le code « (.+) »", "write the code « {0} »"),
    (r"écrivez « (.+) »", "write « {0} »"),
    (r"vouliez-vous dire « (.+) » \?", "did you mean « {0} »?"),
    (r"les ajouts propres au projet vont sous \"extensions\"", "the project's own additions go under \"extensions\""),
    (r"donnez au cas un identifiant \(nom, numéro d'écrou…\)", "give the case an identifier (name, prison number…)"),
    (r"une durée inconnue s'écrit null", "an unknown length is written null"),
    (r"vérifiez le nombre d'années \(une peine perpétuelle s'écrit \"life\"\)",
     "check the number of years (a life sentence is written \"life\")"),
    (r"vérifiez l'année \(une date inconnue s'écrit null, pas une date fictive\)",
     "check the year (an unknown date is written null, not a made-up date)"),
    (r"laissez receiving_state à null pour examiner chaque État que désignent les faits",
     "leave receiving_state null to examine every State the facts point to"),
]


def _table(pairs):
    return [(re.compile(rf"^{fr}$", re.S), en) for fr, en in pairs]


_MESSAGES, _EXPECTED, _HINTS = _table(MESSAGES), _table(EXPECTED_MORE), _table(HINTS)
_EXPECTED_EN = {EXPECTED[k]: v for k, v in _EXPECTED_EN_BY_KEY.items() if k in EXPECTED}


def _translate(text: str | None, table, exact: dict | None = None) -> str | None:
    if text is None:
        return None
    if exact and text in exact:
        return exact[text]
    for rx, en in table:
        m = rx.match(text)
        if m:
            return en.format(*m.groups())
    return None


def message_en(text: str) -> str | None:
    return _translate(text, _MESSAGES)


def expected_en(text: str | None) -> str | None:
    return _translate(text, _EXPECTED, _EXPECTED_EN)


def hint_en(text: str | None) -> str | None:
    return _translate(text, _HINTS)


def problem_en(p) -> tuple[str | None, str | None, str | None]:
    """(message, expected, hint) of one :class:`lexquery.errors.Problem` in English."""
    return message_en(p.message), expected_en(p.expected), hint_en(p.hint)


def with_english(err):
    """``err`` with its English filled where it is missing: a :class:`~lexquery.errors.CaseError`
    gets each problem's (``problems_en``) and its own (its first problem's, as its French is);
    another error is returned as it is. For ``--lang en`` and the API's ``message_en``."""
    from ..errors import CaseError
    if isinstance(err, CaseError) and err.problems_en is None:
        err.problems_en = [problem_en(p) for p in err.problems]
        if err.problems_en and not err.message_en:
            err.message_en, err.expected_en, err.hint_en = err.problems_en[0]
    return err
