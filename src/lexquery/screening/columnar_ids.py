"""The ids seen so far in a screening file, and the line each was first seen on — compactly,
so that the memory of a screening does not grow by a Python string and dict entry per row
(≈ 135 bytes a row: 135 MB for a million rows; docs/screening-csv.md: an id already seen is
a duplicate, reported with the line of the first).

What the scalar reader (``screening/csv_records.py``: ``seen_ids.get`` / ``seen_ids[id] = line``)
and the columnar reader (``columnar_frame.Reader``: a whole block of new ids at once) ask of a
dict, kept as:

- the ids' text, once, in the order they came: one UTF-8 buffer (``bytearray``), with, for each
  block of ids added, the offsets of its ids in the buffer and their lines (numpy arrays);
- sorted runs of (hash, index of the id in that order), merged as they grow (runs of comparable
  sizes merged, so a million ids make about log₂ of the blocks runs; a merge moves 16 bytes an
  id, never the text);
- a small dict of the ids added one by one, until :data:`SPILL` of them.

≈ 40 bytes an id of 15 characters (8 the hash, 4 its index, 8 the offset, 8 the line, the text),
against ≈ 82 when the runs held the ids as polars text columns (1,000,000 synthetic ids:
82 → 40 MB). A hash equal to one of the runs' is compared with the id itself: two ids are the
same only when their text is.
"""
from __future__ import annotations

import numpy as np

_hash = hash   # Python's own hash of a text: the same within the process (the runs live no longer)


def _hashes(ids: list) -> np.ndarray:
    """The low 32 bits of each id's :func:`_hash` (two's complement, as :func:`_fold`)."""
    return np.fromiter(map(_hash, ids), np.int64, len(ids)).astype(np.int32)


def _fold(h: int) -> int:
    """The low 32 bits of ``h``, signed (what numpy's cast to int32 keeps)."""
    return ((h + 2**31) & 0xFFFFFFFF) - 2**31

SPILL = 20_000
"""Ids added one by one (the scalar reader's) kept in a dict until there are this many."""


class SeenIds:
    """A mapping id → first line, for ``get``, ``in``, ``[id] = line``, :meth:`isdisjoint` and
    :meth:`add_block`."""

    def __init__(self):
        self.recent: dict[str, int] = {}
        self.runs: list[tuple[np.ndarray, np.ndarray]] = []   # hashes sorted, index of each id
        self.text = bytearray()            # every id's UTF-8 bytes, in the order they were added
        self.firsts: list[int] = []        # each block: index of its first id
        self.bases: list[int] = []         # each block: where its text begins in ``text``
        self.offsets: list[np.ndarray] = []   # each block: n + 1 offsets of its ids from its base
        self.lines: list = []              # each block: the line of each id, or the first if they follow
        self.count = 0                     # ids in the blocks

    def __len__(self):
        return len(self.recent) + self.count

    def _at(self, i: int) -> tuple[bytes, int]:
        """The text (UTF-8) and line of the id of index ``i``."""
        b = len(self.firsts) - 1
        if self.firsts[b] > i:
            b = int(np.searchsorted(self.firsts, i, side="right")) - 1
        j = i - self.firsts[b]
        offs, base, lines = self.offsets[b], self.bases[b], self.lines[b]
        line = lines + j if isinstance(lines, int) else int(lines[j])
        return bytes(self.text[base + int(offs[j]):base + int(offs[j + 1])]), line

    def _find(self, rid: str, h: int | None = None):
        h = _fold(_hash(rid) if h is None else h)
        raw = None
        for hs, idx in self.runs:
            i = int(np.searchsorted(hs, h))
            while i < len(hs) and hs[i] == h:
                if raw is None:
                    raw = rid.encode("utf-8", "surrogatepass")
                text, line = self._at(int(idx[i]))
                if text == raw:
                    return line
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
        return self._disjoint(ids)[0]

    def _disjoint(self, ids: list):
        """(no id of ``ids`` seen before, their hashes and the order sorting them if they were
        computed, else None). The runs are searched with the hashes sorted (a binary search per
        id in increasing order walks each run once: ≈ 3× faster than in the ids' order on
        100,000 ids), the order kept for :meth:`_push`."""
        if not self.recent.keys().isdisjoint(ids):
            return False, None
        if not self.runs or not ids:
            return True, None
        hs = _hashes(ids)
        order = np.argsort(hs, kind="stable")
        sh = hs[order]
        for run, _ in self.runs:
            pos = np.minimum(np.searchsorted(run, sh), len(run) - 1)
            for j in order[np.nonzero(run[pos] == sh)[0]].tolist():   # the same hash: the text decides
                if self._find(ids[j], int(hs[j])) is not None:
                    return False, (hs, order)
        return True, (hs, order)

    def add_block(self, ids: list, lines) -> None:
        """New ids (unique, none seen before: :meth:`isdisjoint`) and their lines."""
        if ids:
            self._push(ids, np.asarray(lines, dtype=np.int64))

    def add_if_new(self, ids: list, lines) -> bool:
        """:meth:`add_block` of ``ids`` (unique) if none was seen before (:meth:`isdisjoint`,
        the ids hashed once for both); False, and nothing added, otherwise."""
        new, hashed = self._disjoint(ids)
        if new and ids:
            self._push(ids, np.asarray(lines, dtype=np.int64), hashed)
        return new

    def _push(self, ids: list, lines: np.ndarray, hashed=None):
        """Add ``ids`` (new) and their ``lines``: text, offsets, a sorted run; ``hashed``: their
        hashes and the order sorting them (:meth:`_disjoint`), if computed."""
        n = len(ids)
        whole = "".join(ids).encode("utf-8", "surrogatepass")
        if len(whole) == sum(map(len, ids)):   # ASCII: a character a byte
            sizes = np.fromiter(map(len, ids), np.int64, n)
        else:
            sizes = np.fromiter((len(x.encode("utf-8", "surrogatepass")) for x in ids), np.int64, n)
        offs = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(sizes, out=offs[1:])
        self.bases.append(len(self.text))
        self.offsets.append(offs.astype(np.uint32) if len(whole) < 2**32 else offs)
        self.text += whole
        self.firsts.append(self.count)
        first = int(lines[0])
        self.lines.append(first if int(lines[-1]) - first == n - 1 and (n < 3 or bool((np.diff(lines) == 1).all()))
                          else lines)
        if hashed is None:
            hs = _hashes(ids)
            order = np.argsort(hs, kind="stable")
        else:
            hs, order = hashed
        idx = order + self.count
        self.runs.append((hs[order], idx.astype(np.int32) if self.count + n < 2**31 else idx))
        self.count += n
        while len(self.runs) >= 2 and len(self.runs[-2][0]) <= 2 * len(self.runs[-1][0]):
            (h1, i1), (h2, i2) = self.runs[-2], self.runs[-1]
            hs = np.concatenate([h1, h2])
            order = np.argsort(hs, kind="stable")
            self.runs[-2:] = [(hs[order], np.concatenate([i1, i2])[order])]
