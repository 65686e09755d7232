"""The cells of one screening CSV row as a raw case (docs/screening-csv.md → docs/case-format.md).

:func:`row_to_raw` places each non-empty cell at its column's path and reads booleans and
lists; it refuses (with a hint) what the format does not say (``vrai``, ``|`` alone, a measure
named twice, removal_* cells without removal_kinds). Dates, lengths, codes stay text: typed
by :func:`lexquery.engine.case.read_case`.
"""
from __future__ import annotations

from ..errors import Problem
from .csv_columns import BOOL_EXPECTED, COLUMNS, FALSE, LIST_EXPECTED, NONE_LIST, REMOVAL_SHARED, TRUE


def _cell_problem(col, msg, expected=None, hint=None):
    return Problem(f"colonne « {col} »", msg, expected, hint)


BOOLS = {**{t: True for t in TRUE}, **{t: False for t in FALSE}}
# other ways registries write yes and no: refused (the format's words are the contract) with a hint
_BOOL_WRITTEN_OTHERWISE = {"o": "oui", "n": "non", "vrai": "oui", "faux": "non", "yes": "oui", "no": "non",
                           "y": "oui"}


def _placement(col: str, path: str) -> tuple[str, str | None, str | None]:
    """Where a column's value goes in the raw case: (how, head key, tail key)."""
    if col == "removal_kinds":
        return "kinds", None, None
    if col in REMOVAL_SHARED:
        return "removal", None, path.rsplit(".", 1)[1]
    if col == "court":
        return "court", None, None
    if "." in path:
        head, tail = path.split(".", 1)
        return "nested", head, tail
    return "top", path, None


PLACE = {col: (kind,) + _placement(col, path) for col, (path, kind) in COLUMNS.items()}


def row_to_raw(cells: dict[str, str]) -> tuple[dict, list[Problem]]:
    """Turn one row's non-empty cells (column -> text) into a raw case dict (JSON format)."""
    raw: dict = {}
    problems: list[Problem] = []
    removal: dict = {}
    kinds = None
    for col, text in cells.items():
        kind, how, head, tail = PLACE[col]
        if kind == "bool":
            val = BOOLS.get(text.lower())
            if val is None:
                close = _BOOL_WRITTEN_OTHERWISE.get(text.lower())
                problems.append(_cell_problem(col, f"valeur invalide « {text} »", BOOL_EXPECTED,
                                              f"écrivez « {close} »" if close else None))
                continue
        elif kind == "list":
            if text.lower() in NONE_LIST:
                val = []
            else:
                val = [x.strip() for x in text.split("|") if x.strip()]
                if not val:   # « | »: neither a value nor « aucune » — never read as « none »
                    problems.append(_cell_problem(col, f"liste sans valeur « {text} »", LIST_EXPECTED[col],
                                                  "laissez la cellule vide si c'est inconnu"))
                    continue
                if col == "removal_kinds" and len(set(val)) < len(val):
                    twice = next(x for x in val if val.count(x) > 1)
                    problems.append(_cell_problem(col, f"mesure « {twice} » répétée dans « {text} »",
                                                  "chaque nature de mesure une seule fois (ex. ITF|OQTF)",
                                                  "les colonnes removal_* valent pour toutes les mesures "
                                                  "de la ligne : une nature répétée ferait deux mesures identiques"))
                    continue
        elif kind == "safety":
            val = "none" if text.lower() in NONE_LIST else text
        else:
            val = text
        if how == "nested":
            sub = raw.get(head)
            if sub is None:
                sub = raw[head] = {}
            sub[tail] = val
        elif how == "top":
            raw[head] = val
        elif how == "kinds":
            kinds = val
        elif how == "removal":
            removal[tail] = val
        else:  # court
            raw.setdefault("sentence", {})["convictions"] = [{"court": val}]
    if kinds is not None:
        raw["removal_measures"] = [dict(removal, kind=k) for k in kinds]
        if not kinds and removal:
            problems.append(_cell_problem(
                next(c for c in REMOVAL_SHARED if c in cells),
                "renseignée alors que removal_kinds dit « aucune mesure »",
                "removal_kinds non vide (ex. ITF|OQTF), ou cette cellule vide"))
    elif removal:
        problems.append(_cell_problem(
            next(c for c in REMOVAL_SHARED if c in cells),
            "renseignée sans removal_kinds : à quelle mesure s'applique-t-elle ?",
            "removal_kinds renseignée (ex. ITF|OQTF) dans la même ligne",
            "indiquez la nature de la mesure, ou laissez les colonnes removal_* vides (inconnu)"))
    return raw, problems

