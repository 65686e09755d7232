"""Codes → texts: the cells of a screening row built once per shape (issue 16).

A row's text cells (sources, missing facts, routes, to verify …) depend on a few codes per
row — which conditions were left out, which precedence entries and notes apply, whether
consent is settled — never on the dates. Each distinct combination (there are few) is turned
into text once, by the scalar evaluator's own function (``engine/evaluate.py``
``shape_sources``: the procedure's sources, the precedence entries', every evaluated condition's
depth first, the consent's and the notes', without repeats); the dates are formatted as columns.
The cells stay codes into those texts (:class:`Coded`) until the output frame is made: polars
gathers each text by code (:meth:`Coded.series`), no Python string per row.
"""
from __future__ import annotations

import numpy as np

from ..engine.evaluate import shape_sources
from .day_texts import day_texts


def sources_text(p, prec_over, skipped: frozenset, prec: tuple, consent: bool, note_ids: tuple) -> str:
    """The sources cell of one shape (:func:`lexquery.engine.evaluate.shape_sources`, the scalar
    engine's): ``skipped`` holds every condition left out on the shape's rows, including those
    under a condition outside its period (compile_settle._skipped)."""
    by_id = {pr.id: pr for pr in prec_over.get(p.id, ())}
    notes = {n.id: n for n in p.notes}
    return "|".join(shape_sources(p, [by_id[pid].sources for pid in prec], skipped, (),
                                  p.consent_sources if consent else (), [notes[nid] for nid in note_ids]))


def group(cols: list) -> tuple:
    """Rows grouped by equal codes: (inverse index per row, one representative row per group),
    the groups in the order of their codes, column by column."""
    if not cols:
        return None, None
    key = row_key(cols)
    if key is None:
        M = np.stack([np.asarray(c, dtype=np.int64) + 1 for c in cols], axis=1).astype(np.uint8)   # small codes
        rows = np.ascontiguousarray(M).view(np.dtype((np.void, M.shape[1]))).reshape(-1)
        uniq, first, inv = np.unique(rows, return_index=True, return_inverse=True)
        return inv.reshape(-1), first
    _, first, inv = unique_ints(key)
    return inv, first


def row_key(cols: list):
    """One integer per row, equal where the rows' codes are equal and ordered as the rows'
    codes column by column (mixed radix, renumbered densely when it would overflow; columns of
    one value add nothing); None when even that does not fit in 62 bits."""
    n = len(cols[0])
    key, radix = np.zeros(n, dtype=np.int64), 1
    if not n:
        return key
    for c in cols:
        if getattr(c, "dtype", None) == bool:   # flags: their range read by any / all, no int64 copy
            if not c.any() or c.all():
                continue   # one value
            if radix * 2 >= 2 ** 62:
                key = unique_ints(key)[2]
                radix = int(key.max()) + 1
                if radix * 2 >= 2 ** 62:
                    return None
            key = key * 2 + c
            radix *= 2
            continue
        c = np.asarray(c, dtype=np.int64)
        lo = int(c.min())
        span = int(c.max()) - lo + 1
        if span == 1:
            continue
        if radix * span >= 2 ** 62:   # renumbered densely (order kept), then on
            key = unique_ints(key)[2]
            radix = int(key.max()) + 1
            if radix * span >= 2 ** 62:
                return None
        key = key * span + (c - lo)
        radix *= span
    return key


def unique_ints(a: np.ndarray):
    """``np.unique(a, return_index=True, return_inverse=True)`` of an int64 array: by a table
    over its range when the range is small (no sort), else numpy's (the same three arrays).
    Also what the program uses for ``np.unique(a)`` alone: numpy's plain form asks
    ``np.ma.is_masked`` and so imports ``numpy.ma`` (≈ 0.013 s CPU per process)."""
    n = len(a)
    if n:
        lo = int(a.min())
        span = int(a.max()) - lo + 1
        if span <= max(8 * n, 1 << 16):
            off = a - lo
            present = np.zeros(span, dtype=bool)
            present[off] = True
            at = np.flatnonzero(present)
            first = np.full(span, n, dtype=np.int64)
            np.minimum.at(first, off, np.arange(n, dtype=np.int64))   # the first row of each value
            code = np.empty(span, dtype=np.int64)
            code[at] = np.arange(len(at), dtype=np.int64)
            return at + lo, first[at], code[off]
    uniq, first, inv = np.unique(a, return_index=True, return_inverse=True)
    return uniq, first, inv.reshape(-1)


def group_wide(cols: list) -> tuple:
    """:func:`group` for codes of any size (dates as day numbers, the sentinel of none …):
    (inverse index per row, one representative row — the first — per group). A column of a
    wide range is first renumbered densely (:func:`unique_ints`), then the columns make one
    integer per row (:func:`row_key`): no sort of the rows as bytes. The groups' order is
    not the codes' (the callers build a text per group and spread it)."""
    dense = []
    for c in cols:
        c = np.asarray(c, dtype=np.int64)
        if len(c) and int(c.max()) - int(c.min()) >= 1 << 31:
            c = unique_ints(c)[2]
        dense.append(c)
    key = row_key(dense) if dense else None
    if key is None:
        M = np.ascontiguousarray(np.stack([np.asarray(c, dtype=np.int64) for c in cols], axis=1))
        rows = M.view(np.dtype((np.void, M.shape[1] * 8))).reshape(-1)
        _, first, inv = np.unique(rows, return_index=True, return_inverse=True)
        return inv.reshape(-1), first
    _, first, inv = unique_ints(key)
    return inv, first


def iso(days: np.ndarray, none: int) -> np.ndarray:
    """Day numbers as ISO 8601 text ('' for none): each distinct date formatted once."""
    days = np.asarray(days, dtype=np.int64)
    if not len(days):
        return np.zeros(0, dtype=object)
    nil = days == none
    d = np.where(nil, days[np.argmin(nil)], days)   # none read as another row's date, then emptied
    uniq, _, inv = unique_ints(d)
    text = day_texts(uniq)
    out = text[inv]
    out[nil] = ""
    return out


class Coded:
    """A column of text cells as a code per row into a few texts: the rows' cells are
    ``texts[codes]`` (the texts need not be distinct). The cells are built once per shape
    (above) and stay integers per row until the output frame is made (polars gathers the
    texts by code: no Python string per row — :meth:`series`). A column whose cells differ
    from row to row (dates joined) is a polars Series instead (:func:`cells_concat`)."""
    __slots__ = ("texts", "codes")

    def __init__(self, texts, codes):
        if not (isinstance(texts, np.ndarray) and texts.dtype == object):
            arr = np.empty(len(texts), dtype=object)
            arr[:] = list(texts)
            texts = arr
        self.texts = texts
        self.codes = np.asarray(codes, dtype=np.int64).reshape(-1)

    @classmethod
    def const(cls, text: str, n: int) -> "Coded":
        """The same text in every row."""
        return cls([text], np.zeros(n, dtype=np.int64))

    def __len__(self):
        return len(self.codes)

    def objects(self) -> np.ndarray:
        """The cells as an object array (one text per row)."""
        return self.texts[self.codes]

    def put(self, mask, other) -> "Coded":
        """These cells, with those of ``other`` (a text, or a :class:`Coded` over the rows of
        ``mask`` in order) where ``mask``."""
        mask = np.asarray(mask, dtype=bool)
        if not mask.any():
            return self
        k = len(self.texts)
        codes = self.codes.copy()
        if isinstance(other, str):
            codes[mask] = k
            return Coded(np.concatenate([self.texts, Coded([other], []).texts]), codes)
        codes[mask] = other.codes + k
        return Coded(np.concatenate([self.texts, other.texts]), codes)

    def combine(self, other, fn) -> "Coded":
        """``fn`` of the cells of two columns (object arrays, element by element), computed
        once per distinct pair of texts then spread."""
        key = self.codes * len(other.texts) + other.codes
        _, first, inv = unique_ints(key)
        return Coded(fn(self.texts[self.codes[first]], other.texts[other.codes[first]]), inv)

    @staticmethod
    def concat(cols: list) -> "Coded":
        """Columns one after the other."""
        if not cols:
            return Coded([], np.zeros(0, dtype=np.int64))
        off = np.cumsum([0] + [len(c.texts) for c in cols[:-1]])
        return Coded(np.concatenate([c.texts for c in cols]),
                     np.concatenate([c.codes + o for c, o in zip(cols, off.tolist())]))

    def take(self, idx) -> "Coded":
        return Coded(self.texts, self.codes[idx])

    def series(self, name: str):
        """The cells as a polars text Series: each text made once, gathered by code."""
        import polars as pl
        texts = pl.Series(name, self.texts.tolist(), dtype=pl.Utf8)   # None: null
        if not len(self.codes):
            return texts.clear()
        return texts.gather(pl.Series(self.codes.astype(np.uint32), dtype=pl.UInt32))


def iso_coded(days: np.ndarray, none: int) -> Coded:
    """:func:`iso` as a :class:`Coded` column: each distinct date formatted once, '' for none."""
    days = np.asarray(days, dtype=np.int64)
    n = len(days)
    nil = days == none
    if nil.all():
        return Coded.const("", n)
    d = np.where(nil, days[np.argmin(nil)], days)   # none read as another row's date (a small range)
    lo = int(d.min())
    span = int(d.max()) - lo + 1
    if span <= max(8 * n, 1 << 16):   # unique_ints' table, without the first row of each day (not read)
        off = d - lo
        present = np.zeros(span, dtype=bool)
        present[off] = True
        at = np.flatnonzero(present)
        code = np.empty(span, dtype=np.int64)
        code[at] = np.arange(len(at), dtype=np.int64)
        uniq, inv = at + lo, code[off]
    else:
        uniq, _, inv = unique_ints(d)
    text = day_texts(uniq)   # each day formatted once per process
    inv[nil] = len(text)   # none: '' (inv is this call's own array)
    return Coded(np.concatenate([text, _EMPTY]), inv)


_EMPTY = np.array([""], dtype=object)


def as_series(x, name: str):
    """A column of cells (:class:`Coded`, a polars Series, or a pair — a polars Series of texts,
    the index of each row's text in it: :func:`cells_concat`) as a polars text Series."""
    import polars as pl
    if isinstance(x, Coded):
        return x.series(name)
    if isinstance(x, tuple):
        return x[0].cast(pl.Utf8).gather(pl.Series(np.asarray(x[1]).astype(np.uint32), dtype=pl.UInt32)).alias(name)
    return x.alias(name)


def frame_of(cols: dict, height: int):
    """A polars frame of ``height`` rows of text columns — name -> a :class:`Coded` column, a
    pair (polars Series of texts, the index of each row's text in it), or a polars Series of
    ``height`` cells — what ``pl.DataFrame({k: as_series(x, k)})`` gives, made in one polars
    query: the codes as integer columns, each column's texts gathered by them in the same
    ``select`` (not a query per column: a query costs ≈ 0.05 ms and more whatever its rows)."""
    import polars as pl
    data, exprs = {}, []
    for j, (k, x) in enumerate(cols.items()):
        c = f"__c{j}"
        if isinstance(x, Coded):
            data[c] = x.codes.astype(np.uint32)
            texts = pl.Series(k, x.texts.tolist(), dtype=pl.Utf8)   # None: null
            exprs.append(pl.lit(texts).gather(pl.col(c)).alias(k))
        elif isinstance(x, tuple):
            data[c] = np.asarray(x[1]).astype(np.uint32)
            exprs.append(pl.lit(x[0].cast(pl.Utf8)).gather(pl.col(c)).alias(k))
        else:
            data[c] = x
            exprs.append(pl.col(c).cast(pl.Utf8).alias(k))
    return pl.DataFrame(data, height=height).select(exprs)


def cells_concat(cols: list, name: str, perm):
    """Columns of cells one after the other, then the rows ``perm``: a :class:`Coded` when
    all are, else a pair (a polars Series of texts, the index of each row's text in it) — the
    texts of the :class:`Coded` columns and the cells of the polars Series one after the other,
    gathered by :func:`frame_of` in its one query: not a query per :class:`Coded` column (its
    texts gathered over its rows), nor one to gather the rows ``perm``."""
    if all(isinstance(c, Coded) for c in cols):
        return Coded.concat(cols).take(perm)
    import polars as pl
    texts, codes, off = [], [], 0
    for c in cols:
        if isinstance(c, Coded):
            texts.append(pl.Series(name, c.texts.tolist(), dtype=pl.Utf8))   # None: null
            codes.append(c.codes + off)
            off += len(c.texts)
        else:
            texts.append(c.cast(pl.Utf8).alias(name))
            codes.append(np.arange(off, off + len(c), dtype=np.int64))
            off += len(c)
    return pl.concat(texts), np.concatenate(codes)[np.asarray(perm, dtype=np.int64)]


MANY = 256
"""Above this many possible combinations of the pieces' texts, :func:`joined` joins its texts
with polars row by row (a Python string per combination costs more than polars' columns)."""


def joined(pieces: list, n: int):
    """Per row, the texts of ``pieces`` (:class:`Coded` columns; a text None: nothing from
    that piece) « | »-joined in order, '' where none gives a text: one piece — its own codes,
    its texts with None as '' (a :class:`Coded`); pieces of few combinations of texts at most
    (the product of their numbers of texts, :data:`MANY` or less) — one text per distinct
    combination of the pieces' codes (a :class:`Coded`); else — cells of dates, about as many
    combinations as rows — joined by polars row by row (a polars Series: grouping the rows
    first cost more than it saved, a sort of the wide keys and a gather)."""
    if not pieces:
        return Coded.const("", n)
    if len(pieces) == 1:
        c = pieces[0]
        return Coded(["" if t is None else t for t in c.texts.tolist()], c.codes)
    combos = 1
    for c in pieces:
        combos *= len(c.texts)
    if combos <= MANY:
        inv, first = group_wide([c.codes for c in pieces])
        cols = [c.texts[c.codes[first]].tolist() for c in pieces]
        return Coded(["|".join(t for t in ts if t is not None) for ts in zip(*cols)], inv)
    import polars as pl
    # each piece's texts gathered by its codes and joined, in one query (None: null, left
    # out) — not a query per piece
    data = {f"p{j}": c.codes.astype(np.uint32) for j, c in enumerate(pieces)}
    cols = [pl.lit(pl.Series(f"t{j}", c.texts.tolist(), dtype=pl.Utf8)).gather(pl.col(f"p{j}"))
            for j, c in enumerate(pieces)]
    return pl.DataFrame(data, height=n).select(
        pl.concat_str(cols, separator="|", ignore_nulls=True).alias("p0")).to_series()
