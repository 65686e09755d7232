"""Helpers for tests that change one fact of a case: a deep copy with values set by path."""
from __future__ import annotations

import copy
from datetime import date, timedelta


def changed(case: dict, changes: dict, sep: str = ".") -> dict:
    """A deep copy of ``case`` with each ``{path: value}`` set, the path's keys joined by
    ``sep`` and list items by their index (``"sentence.convictions.0.date"``)."""
    out = copy.deepcopy(case)
    for path, value in changes.items():
        *parents, last = path.split(sep)
        node = out
        for p in parents:
            node = node[int(p)] if p.isdigit() else node[p]
        node[last] = value
    return out


def detained(state: str, *, as_of, start: str, end: str, consent=True, case_id: str | None = None,
             name: str = "X", removal_measures=()) -> dict:
    """A detained national of ``state`` who lives there, serving three years from ``start`` (the
    écrou that day, the conviction twelve days before by the TC Lyon) to ``end``, consenting to a
    transfer (``consent``), dual criminality met: the case several tests vary one fact of."""
    conviction = (date.fromisoformat(start) - timedelta(days=12)).isoformat()
    return {"id": case_id or f"{state}-{end}", "as_of": str(as_of),
            "person": {"name": name, "nationalities": [state], "habitual_residence": state, "location": "FR",
                       "protection": "none", "fled_to": None, "protected_adult": False},
            "detention": {"incarcerated": True, "entry_date": start},
            "sentence": {"final": True, "custodial": True, "total": "P3Y", "execution_start": start,
                         "expected_end": end, "safety_period_end": "none",
                         "convictions": [{"court": "TC Lyon", "date": conviction, "final": True, "total": "P3Y"}]},
            "removal_measures": list(removal_measures), "consent": {"transfer": consent}, "dual_criminality": True}
