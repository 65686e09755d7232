"""Codes → texts: the cells of a screening row built once per shape (issue 16).

A row's text cells (sources, missing facts, routes, to verify …) depend on a few codes per
row — which conditions were left out, which precedence entries and notes apply, whether
consent is settled — never on the dates. Each distinct combination (there are few) is turned
into text once, by the same steps as the scalar evaluator (``engine/evaluate.py``
``_sources_of``: the procedure's sources, the precedence entries', every evaluated condition's
depth first, the consent's and the notes', without repeats); the dates are formatted as columns.
"""
from __future__ import annotations

import numpy as np

from ..engine.evaluate import _dedupe


def sources_text(p, prec_over, skipped: frozenset, prec: tuple, consent: bool, note_ids: tuple) -> str:
    """``engine.evaluate._sources_of`` for one shape (the rule tree less the conditions left
    out), joined as the CSV cell."""
    by_id = {pr.id: pr for pr in prec_over.get(p.id, ())}
    notes = {n.id: n for n in p.notes}
    srcs = list(p.sources)
    for pid in prec:
        srcs += by_id[pid].sources
    stack = list(reversed(p.conditions))
    while stack:
        c = stack.pop()
        if c.id in skipped:
            continue
        srcs += c.sources
        stack.extend(reversed(c.children))
    if consent:
        srcs += list(p.consent_sources)
    for nid in note_ids:
        srcs += notes[nid].sources
    return "|".join(_dedupe(srcs))


def group(cols: list) -> tuple:
    """Rows grouped by equal codes: (inverse index per row, one representative row per group)."""
    if not cols:
        return None, None
    M = np.stack([np.asarray(c, dtype=np.int64) + 1 for c in cols], axis=1).astype(np.uint8)   # small codes
    rows = np.ascontiguousarray(M).view(np.dtype((np.void, M.shape[1]))).reshape(-1)
    uniq, first, inv = np.unique(rows, return_index=True, return_inverse=True)
    return inv.reshape(-1), first


def group_wide(cols: list) -> tuple:
    """:func:`group` for codes of any size (dates as day numbers …): (inverse index per row, one
    representative row per group)."""
    M = np.ascontiguousarray(np.stack([np.asarray(c, dtype=np.int64) for c in cols], axis=1))
    rows = M.view(np.dtype((np.void, M.shape[1] * 8))).reshape(-1)
    _, first, inv = np.unique(rows, return_index=True, return_inverse=True)
    return inv.reshape(-1), first


def iso(days: np.ndarray, none: int) -> np.ndarray:
    """Day numbers as ISO 8601 text ('' for none)."""
    days = np.asarray(days, dtype=np.int64)
    if not len(days):
        return np.zeros(0, dtype=object)
    uniq, inv = np.unique(days, return_inverse=True)   # few distinct dates: each formatted once
    text = uniq.astype("datetime64[D]").astype(str).astype(object)
    text[uniq == none] = ""
    return text[inv.reshape(-1)]
