"""The columns of a screening CSV (docs/screening-csv.md) and the words of their cells.

Each column names a key of the case format (docs/case-format.md) and the kind of its cells:
``str``, ``bool`` (``oui/non``, ``true/false``, ``1/0``), ``list`` (separated by ``|``;
``aucun`` / ``aucune`` / ``none`` / ``[]`` = known to be none), ``safety`` (a date or none),
``raw`` (kept as text, typed by :func:`lexquery.engine.case.read_case`). An empty cell is
*unknown*. :func:`column_of` and :func:`describe` say a problem of the case in CSV terms.
"""
from __future__ import annotations

import re

from ..errors import Problem

# column -> (case-format path, kind); kinds: str, bool, list, raw (kept as text for read_case)
COLUMNS: dict[str, tuple[str, str]] = {
    "id": ("id", "str"),
    "as_of": ("as_of", "raw"),
    "name": ("person.name", "str"),
    "birth_date": ("person.birth_date", "raw"),
    "nationalities": ("person.nationalities", "list"),
    "habitual_residence": ("person.habitual_residence", "raw"),
    "location": ("person.location", "raw"),
    "protection": ("person.protection", "raw"),
    "fled_to": ("person.fled_to", "raw"),
    "protected_adult": ("person.protected_adult", "bool"),
    "incarcerated": ("detention.incarcerated", "bool"),
    "establishment": ("detention.establishment", "str"),
    "entry_date": ("detention.entry_date", "raw"),
    "last_list_date": ("detention.last_list_date", "raw"),
    "next_cap_date": ("detention.next_cap_date", "raw"),
    "final": ("sentence.final", "bool"),
    "custodial": ("sentence.custodial", "bool"),
    "total": ("sentence.total", "raw"),
    "execution_start": ("sentence.execution_start", "raw"),
    "expected_end": ("sentence.expected_end", "raw"),
    "safety_period_end": ("sentence.safety_period_end", "safety"),
    "legal_recidivism": ("sentence.legal_recidivism", "bool"),
    "lsc_plein_droit_excluded": ("sentence.lsc_plein_droit_excluded", "bool"),
    "court": ("sentence.convictions[0].court", "str"),
    "removal_kinds": ("removal_measures[].kind", "list"),
    "removal_destination": ("removal_measures[].destination", "raw"),
    "removal_definitive": ("removal_measures[].definitive", "bool"),
    "removal_enforceable": ("removal_measures[].enforceable", "bool"),
    "removal_remedies_exhausted": ("removal_measures[].remedies_exhausted", "bool"),
    "removal_end_date": ("removal_measures[].end_date", "raw"),
    "consent_transfer": ("consent.transfer", "bool"),
    "consent_consular_notification": ("consent.consular_notification", "bool"),
    "dual_criminality": ("dual_criminality", "bool"),
    "receiving_state": ("receiving_state", "raw"),
    "suspect_hearing": ("identification.suspect_hearing", "bool"),
    "offence_max_penalty": ("identification.offence_max_penalty", "raw"),
    "refuses_identity": ("identification.refuses_identity", "bool"),
    "false_identity": ("identification.false_identity", "bool"),
    "prosecutor_authorisation": ("identification.prosecutor_authorisation", "bool"),
}
REMOVAL_SHARED = ("removal_destination", "removal_definitive", "removal_enforceable",
                   "removal_remedies_exhausted", "removal_end_date")
TRUE = frozenset({"oui", "true", "1"})
FALSE = frozenset({"non", "false", "0"})
NONE_LIST = frozenset({"aucun", "aucune", "none", "[]"})
BOOL_EXPECTED = "oui/non, true/false ou 1/0 (cellule vide si inconnu)"
LIST_EXPECTED = {"nationalities": "des codes ISO 3166-1 séparés par | (ex. RO|MA), ou « aucune » (apatride)",
                 "removal_kinds": "des natures de mesure séparées par | (ex. ITF|OQTF), ou « aucune »"}


_PATH = re.compile(r"\b(?:person|sentence|detention|consent|identification|removal_measures)(?:\[\d+\])?\.[a-z_]+")


def column_of(path: str) -> str | None:
    """The CSV column a JSON path of the case comes from (``person.nationalities[1]`` → nationalities)."""
    if path.startswith("removal_measures"):
        tail = path.split(".", 1)[1] if "." in path else ""
        return {"kind": "removal_kinds", "destination": "removal_destination",
                "definitive": "removal_definitive", "enforceable": "removal_enforceable",
                "remedies_exhausted": "removal_remedies_exhausted",
                "end_date": "removal_end_date"}.get(tail, "removal_kinds")
    if path.startswith("sentence.convictions"):
        return "court"
    base = path.split("[", 1)[0]
    for col, (p, _) in COLUMNS.items():
        if p == base:
            return col
    return None


def describe(problems: list[Problem], lang: str = "fr", paths: bool = True) -> str:
    """One line for an error row: every problem, CSV columns rather than JSON paths; in English
    with ``lang="en"`` (:mod:`lexquery.screening.csv_english`: each message, expectation and hint
    whose shape is known; one that is not keeps its French). ``paths``: the case-format path
    after the column (the CSV's ``message``); the HTML report, read by a person, names the
    column only."""
    out = []
    for p in problems:
        where = p.where
        if not where.startswith(("colonne", "ligne")):
            col = column_of(where)
            where = (f"colonne « {col} » ({p.where})" if paths else f"colonne « {col} »") if col else p.where
        elif paths and where.startswith("colonne « ") and where.endswith(" »"):
            # a cell's own problem (a boolean, a list, a repeated id) names its path too, when the
            # column feeds one of its own (review 29 D9: « colonne « final » (sentence.final) »)
            col = where[len("colonne « "):-2]
            path = COLUMNS.get(col, (None,))[0]
            if path and column_of(path) == col:
                where = f"{where} ({path})"
        expected = p.expected
        if expected and expected.startswith("true ou false"):
            expected = BOOL_EXPECTED
        message, hint = p.message, p.hint
        if lang == "en":
            from .csv_english import english
            where, message, expected, hint = english(where, message, expected, hint)
        if expected and not paths:   # « une date postérieure à sentence.execution_start »: its column
            expected = _PATH.sub(lambda m: f"« {column_of(m.group(0)) or m.group(0)} »", expected)
        colon, exp = (" : ", "attendu : ") if lang == "fr" else (": ", "expected: ")
        s = f"{where}{colon}{message}"
        if expected:
            s += f" ({exp}{expected})"
        if hint:
            s += f" — {hint}"
        out.append(s)
    return " ; ".join(out)

