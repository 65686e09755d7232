"""The screening CSV's own problems in English (issue 15: `screen --lang en`, an error row of the
HTML report read in English).

The screening readers (:mod:`~lexquery.screening.csv_cells`, :mod:`~lexquery.screening.csv_rows`,
:mod:`~lexquery.screening.csv_columns`) word their problems in French; each has the shape of one
of the patterns below, whose English says the same. The case reader's problems (a date, a length,
a code) are translated by :mod:`lexquery.engine.case_english`. A text of a shape listed nowhere
keeps its French (never a guess); tests/test_english_report.py checks the common ones.
"""
from __future__ import annotations

import re

from .csv_columns import BOOL_EXPECTED, LIST_EXPECTED

# (French pattern, English template with the pattern's groups)
WHERE = [
    (r"colonne « (.+) » \((.+)\)", "column « {0} » ({1})"),
    (r"colonne « (.+) »", "column « {0} »"),
    (r"ligne (\d+)", "line {0}"),
]
MESSAGES = [
    (r"colonne inconnue « (.+) » \(en-tête, ligne (\d+)\)", "unknown column « {0} » (header, line {1})"),
    (r"colonne « (.+) » répétée dans l'en-tête \(colonnes (\d+) et (\d+), ligne (\d+)\)",
     "column « {0} » repeated in the header (columns {1} and {2}, line {3})"),
    # « ligne illisible : <why> »: <why> read again through this table (NESTED), else kept French
    (r"ligne illisible : (.+)", "unreadable line: {0}"),
    (r"guillemet ouvrant sans guillemet fermant : la ligne est lue seule, sans être répondue, "
     r"et les lignes suivantes pour elles-mêmes",
     "an opening quote without a closing quote: the line is read alone, not answered, and the lines after it "
     "each for itself"),
    (r"ligne trop longue : plus de (\d+) Mo, ses cellules ne sont pas lues", "line too long: over {0} MB, its cells are not read"),
    (r"ligne incomplète \(tronquée \?\) : (\d+) cellule\(s\) pour (\d+) colonne\(s\)",
     "incomplete line (cut short?): {0} cell(s) for {1} column(s)"),
    (r"cellules en trop : (\d+) cellule\(s\) pour (\d+) colonne\(s\)", "too many cells: {0} cell(s) for {1} column(s)"),
    (r"identifiant « (.+) » déjà utilisé ligne (\d+)", "identifier « {0} » already used on line {1}"),
    (r"liste sans valeur « (.+) »", "list without a value « {0} »"),
    (r"mesure « (.+) » répétée dans « (.+) »", "measure « {0} » repeated in « {1} »"),
    (r"renseignée alors que removal_kinds dit « aucune mesure »", "filled in while removal_kinds says « no measure »"),
    (r"renseignée sans removal_kinds : à quelle mesure s'applique-t-elle \?",
     "filled in without removal_kinds: which measure does it apply to?"),
]
EXPECTED = [
    (re.escape(BOOL_EXPECTED), "« oui »/« non », true/false or 1/0 (an empty cell when unknown)"),
    (re.escape(LIST_EXPECTED["nationalities"]),
     "ISO 3166-1 codes separated by | (e.g. RO|MA), or « aucune » (stateless)"),
    (re.escape(LIST_EXPECTED["removal_kinds"]), "kinds of measure separated by | (e.g. ITF|OQTF), or « aucune »"),
    (r"une colonne du format screening-csv \(id, nationalities, total, …\)",
     "a column of the screening-csv format (id, nationalities, total, …)"),
    (r"chaque colonne une seule fois", "each column once"),
    (r"(\d+) cellules séparées par « (.) »", "{0} cells separated by « {1} »"),
    (r"un identifiant unique dans le lot", "an identifier unique in the batch"),
    (r"chaque nature de mesure une seule fois \(ex\. ITF\|OQTF\)", "each kind of measure once (e.g. ITF|OQTF)"),
    (r"removal_kinds non vide \(ex\. ITF\|OQTF\), ou cette cellule vide",
     "removal_kinds not empty (e.g. ITF|OQTF), or this cell empty"),
    (r"removal_kinds renseignée \(ex\. ITF\|OQTF\) dans la même ligne",
     "removal_kinds filled in (e.g. ITF|OQTF) on the same line"),
]
HINTS = [
    (r"vouliez-vous dire « (.+) » \?", "did you mean « {0} »?"),
    (r"retirez-la ou renommez-la", "remove or rename it"),
    (r"retirez l'une des deux : laquelle croire ne se devine pas", "remove one of the two: which to believe cannot be guessed"),
    (r"vérifiez les guillemets et les séparateurs de cette ligne", "check the quotes and separators of this line"),
    (r"les cellules en trop sont vides : si toutes les lignes finissent par « (.) », terminez l'en-tête de même ; "
     r"sinon un séparateur de trop décale les valeurs de cette ligne",
     "the extra cells are empty: if every line ends with « {0} », end the header the same way; otherwise a "
     "separator too many shifts the values of this line"),
    (r"laissez la cellule vide si c'est inconnu", "leave the cell empty if it is unknown"),
    (r"les colonnes removal_\* valent pour toutes les mesures de la ligne : une nature répétée ferait deux "
     r"mesures identiques",
     "the removal_* columns hold for every measure of the line: a kind repeated would make two identical measures"),
    (r"indiquez la nature de la mesure, ou laissez les colonnes removal_\* vides \(inconnu\)",
     "give the kind of measure, or leave the removal_* columns empty (unknown)"),
    (r"écrivez « (.+) »", "write « {0} »"),
]


NESTED = {r"ligne illisible : (.+)"}
"""Patterns whose group is itself a message of the same table (the reader's reason a line is unreadable)."""


def _table(pairs):
    return [(re.compile(rf"^{fr}$", re.S), en, fr in NESTED) for fr, en in pairs]


_WHERE, _MESSAGES, _EXPECTED, _HINTS = _table(WHERE), _table(MESSAGES), _table(EXPECTED), _table(HINTS)


def _tr(text, table, case_en=None):
    if text is None:
        return None
    for rx, en, nested in table:
        m = rx.match(text)
        if m:
            return en.format(*[_tr(g, table) for g in m.groups()] if nested else m.groups())
    if case_en is not None:
        got = case_en(text)
        if got is not None:
            return got
    return text


def english(where: str, message: str, expected: str | None, hint: str | None):
    """``(where, message, expected, hint)`` of one problem in English, each part whose shape is
    known (this module's patterns, then the case reader's: :mod:`lexquery.engine.case_english`)."""
    from ..engine.case_english import expected_en, hint_en, message_en
    return (_tr(where, _WHERE), _tr(message, _MESSAGES, message_en), _tr(expected, _EXPECTED, expected_en),
            _tr(hint, _HINTS, hint_en))
