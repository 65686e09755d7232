"""Where a column of lists came from, so that what is read of its rows one by one in Python
(their lengths, their items, the items' fields) is read once per batch (issue 16).

A procedure is evaluated over a batch of (case, State) rows, then again over sub-batches — the
verification's and the proof's trials, the later days of engine/in_time.py, the items of a
collection: each takes its fact columns from the batch's (:class:`~.compile.TakenFacts`). A
column of lists (removal measures, convictions, nationalities) taken so is registered here with
the batch column it was taken from and the rows taken; :func:`items` then gives the items of
its rows from those of the whole column, computed once. Only the batch column is read: the
results are the same, value for value and kind for kind, as reading the taken rows themselves
(``from_objects`` of the same values — a field whose known values are of other types in the
taken rows is read from its values). Cleared with every batch (:func:`clear`).
"""
from __future__ import annotations

import numpy as np

_ORIGIN: dict = {}   # id of a taken column's values -> (those values, the whole column, the rows)
_MEMO: dict = {}     # (id of a whole column, what) -> (the column, the result)


def clear() -> None:
    _ORIGIN.clear()
    _MEMO.clear()


def register(taken, src, idx) -> None:
    """``taken`` (a V of lists or objects) is ``src.take(idx)``."""
    hit = _ORIGIN.get(id(src.v))
    if hit is not None and hit[0] is src.v:   # src itself taken: from the whole column
        src, idx = hit[1], hit[2][idx]
    _ORIGIN[id(taken.v)] = (taken.v, src, idx)


def origin(values):
    """(the whole column, the rows) a column's values were taken from, or None."""
    hit = _ORIGIN.get(id(values)) if values is not None else None
    if hit is None or hit[0] is not values:
        return None
    return hit[1], hit[2]


def memo(col, what, fn):
    """``fn(col)``, computed once per column of the batch."""
    key = (id(col), what)
    hit = _MEMO.get(key)
    if hit is None or hit[0] is not col:
        hit = _MEMO[key] = (col, fn(col))
    return hit[1]


def _layout(col, raw=False):
    """Per row of the whole column: the length of its list (0: not a list), where its items
    start among all items, whether it is a list / UNKNOWN / none, the items as an object array,
    the id of each row's value. ``raw``: read the column's array as it is, else its values as
    the scalar evaluator holds them (``objects()``: UNKNOWN and none where so marked)."""
    from ..rules.values import UNKNOWN
    vals = list(col.v) if raw else col.objects()
    n = len(vals)
    lengths = np.fromiter((len(v) if isinstance(v, list) else 0 for v in vals), np.int64, n)
    starts = np.cumsum(lengths) - lengths
    items = np.empty(int(lengths.sum()), dtype=object)
    items[:] = [x for v in vals if isinstance(v, list) for x in v] if len(items) else []
    raw = col.v
    listish = np.fromiter((isinstance(v, list) or v is UNKNOWN or v is None for v in raw), bool, n)
    ids = np.fromiter(map(id, raw), np.int64, n)
    return lengths, starts, items, listish, ids


def layout(values, raw=False):
    """:func:`_layout` of the rows of a taken column (None: not registered), and the rows'
    item positions in the whole column's items."""
    o = origin(values)
    if o is None:
        return None
    col, idx = o
    lengths, starts, items, listish, ids = memo(col, ("layout", raw), lambda c: _layout(c, raw))
    ln = lengths[idx]
    total = int(ln.sum())
    pos = np.repeat(starts[idx], ln) + (np.arange(total) - np.repeat(np.cumsum(ln) - ln, ln))
    return col, idx, ln, pos, items, listish[idx], ids[idx]


def _fields(col):
    """The items' fields of the whole column, when its items are all dicts: per key (sorted),
    the column of its values (UNKNOWN where absent), the items that have the key, and the type
    of each known value as a small integer (-1 unknown or none)."""
    from ..rules.values import UNKNOWN
    from .compile import from_objects
    _, _, items, _, _ = memo(col, ("layout", False), _layout)
    its = items.tolist()
    if not its or not all(isinstance(x, dict) for x in its):
        return None
    out = {}
    for k in sorted({k for x in its for k in x}):
        vals = [x.get(k, UNKNOWN) for x in its]
        v = from_objects(vals)
        has = np.fromiter((k in x for x in its), bool, len(its))
        types: dict = {}
        tcode = np.fromiter((-1 if (u or z) else types.setdefault(type(x), len(types))
                             for x, u, z in zip(vals, v.unk.tolist(), v.nil.tolist())), np.int64, len(its))
        out[k] = (v, has, tcode, frozenset(types.values()))
    return out


def item_fields(values, pos):
    """``Program.item_fields`` of the items at ``pos`` of the whole column ``values`` was
    taken from (None: not known here — the caller reads the items)."""
    o = origin(values)
    if o is None:
        return None
    from .compile import V, from_objects
    fields = memo(o[0], "fields", _fields)
    if fields is None or not len(pos):
        return None
    out = {}
    for k, (v, has, tcode, all_types) in fields.items():
        if not has[pos].any():
            continue   # no item of these rows has that field
        t = tcode[pos]
        seen = set(np.unique(t[t >= 0]).tolist())
        if not seen:
            out[(k,)] = V("none", None, v.unk[pos], v.nil[pos])
        elif seen == set(all_types):
            out[(k,)] = v.take(pos)
        else:   # known values of fewer types here: the kind read from them
            out[(k,)] = from_objects(v.take(pos).objects())
    return out
