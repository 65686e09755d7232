"""The ids seen so far in a screening file, and the line each was first seen on — compactly,
so that the memory of a screening does not grow by a Python string and dict entry per row
(≈ 135 bytes a row: 135 MB for a million rows; docs/screening-csv.md: an id already seen is
a duplicate, reported with the line of the first).

What the scalar reader (``screening/csv_records.py``: ``seen_ids.get`` / ``seen_ids[id] = line``)
and the columnar reader (``columnar_frame.Reader``: a whole block of new ids at once) ask of a
dict, kept as sorted runs of (hash, line, id) — ids as one polars text column (bytes and
offsets), merged as they grow (runs of comparable sizes merged, so a million ids make about
log₂ of the blocks runs) — and a small dict of the ids added one by one. A hash equal to
one of the runs' is compared with the id itself: two ids are the same only when their text is.
"""
from __future__ import annotations

import numpy as np
import polars as pl

_hash = hash   # Python's own hash of a text: the same within the process (the runs live no longer)

SPILL = 20_000
"""Ids added one by one (the scalar reader's) kept in a dict until there are this many."""


class SeenIds:
    """A mapping id → first line, for ``get``, ``in``, ``[id] = line``, :meth:`isdisjoint` and
    :meth:`add_block`."""

    def __init__(self):
        self.recent: dict[str, int] = {}
        self.runs: list[tuple[np.ndarray, np.ndarray, pl.Series]] = []   # hashes sorted, lines, ids

    def __len__(self):
        return len(self.recent) + sum(len(h) for h, _, _ in self.runs)

    def _find(self, rid: str, h: int | None = None):
        if h is None:
            h = _hash(rid)
        for hs, lines, ids in self.runs:
            i = int(np.searchsorted(hs, h))
            while i < len(hs) and hs[i] == h:
                if ids[i] == rid:
                    return int(lines[i])
                i += 1
        return None

    def get(self, rid: str, default=None):
        v = self.recent.get(rid)
        if v is None and self.runs:
            v = self._find(rid)
        return default if v is None else v

    def __contains__(self, rid) -> bool:
        return self.get(rid) is not None

    def __setitem__(self, rid: str, line: int):
        self.recent[rid] = line
        if len(self.recent) >= SPILL:
            ids = list(self.recent)
            self._push(ids, np.fromiter(self.recent.values(), np.int64, len(ids)))
            self.recent = {}

    def isdisjoint(self, ids: list) -> bool:
        """No id of ``ids`` seen before."""
        if not self.recent.keys().isdisjoint(ids):
            return False
        if not self.runs or not ids:
            return True
        hs = np.fromiter(map(_hash, ids), np.int64, len(ids))
        for run, _, _ in self.runs:
            pos = np.minimum(np.searchsorted(run, hs), len(run) - 1)
            for j in np.nonzero(run[pos] == hs)[0].tolist():   # the same hash: the text decides
                if self._find(ids[j], int(hs[j])) is not None:
                    return False
        return True

    def add_block(self, ids: list, lines) -> None:
        """New ids (unique, none seen before: :meth:`isdisjoint`) and their lines."""
        if ids:
            self._push(ids, np.asarray(lines, dtype=np.int64))

    def _push(self, ids: list, lines: np.ndarray):
        hs = np.fromiter(map(_hash, ids), np.int64, len(ids))
        order = np.argsort(hs, kind="stable")
        self.runs.append((hs[order], lines[order], pl.Series(ids, dtype=pl.Utf8).gather(order)))
        while len(self.runs) >= 2 and len(self.runs[-2][0]) <= 2 * len(self.runs[-1][0]):
            (h1, l1, i1), (h2, l2, i2) = self.runs[-2], self.runs[-1]
            hs, lines = np.concatenate([h1, h2]), np.concatenate([l1, l2])
            order = np.argsort(hs, kind="stable")
            self.runs[-2:] = [(hs[order], lines[order], pl.concat([i1, i2]).gather(order))]
