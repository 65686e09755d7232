"""Helpers for tests that change one fact of a case: a deep copy with values set by path."""
from __future__ import annotations

import copy


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
