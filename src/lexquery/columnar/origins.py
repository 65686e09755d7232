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

import weakref

import numpy as np

_ORIGIN: dict = {}   # id of a taken column's values -> (those values, the whole column, the rows)
_MEMO: dict = {}     # (id of a whole column, what) -> (the column, the result)


_FIELD: dict = {}    # id of the values of a field of items taken -> (those values, the batch's field column, the items)


def clear() -> None:
    _ORIGIN.clear()
    _MEMO.clear()
    _FIELD.clear()


def field_origin(values):
    """(the batch's column of a field of items, the items taken) a field's values were taken
    from (:func:`_item_field`), or None."""
    hit = _FIELD.get(id(values)) if values is not None else None
    if hit is None or hit[0] is not values:
        return None
    return hit[1], hit[2]


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
    """``fn(col)``, computed once per column of the batch: a column is its values and their
    masks (the same arrays under another :class:`~.compile.V` — a fact as ``ctx.fact`` gives
    it, the batch's own — are the same column)."""
    v, unk, nil = col.v, col.unk, col.nil
    key = (id(v), id(unk), id(nil), what)
    hit = _MEMO.get(key)
    if hit is None or hit[0] is not v or hit[1] is not unk or hit[2] is not nil:
        hit = _MEMO[key] = (v, unk, nil, fn(col))
    return hit[3]


_SPREAD: dict = {}   # id of an object array -> (a weak reference to it, the array it was gathered from, the rows)


def _forget(ref, key) -> None:
    """An array of :data:`_SPREAD` is gone: its entry (not another's under the same id) with it.
    The table may have been cleared meanwhile (:func:`spread` past its limit): nothing to do."""
    hit = _SPREAD.get(key)
    if hit is not None and hit[0] is ref:
        _SPREAD.pop(key, None)


def spread(base: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """``base[idx]`` (an object array gathered), remembered so: :func:`distinct` of it then
    reads ``base`` (few objects: a batch's distinct lists, their items, a column's distinct
    texts) and ``idx``, not an object per row; so do :func:`compile.V.take` (the rows taken of
    such a column are gathered from ``base`` too), ``_member`` and ``program._codes_of``.
    Held weakly (an entry goes with its array, and one whose array is gone is never read: its
    id may be another's), at most 4,096 entries; neither array is written in place once
    gathered."""
    out = base[idx]
    if len(_SPREAD) >= 4096:
        _SPREAD.clear()
    key = id(out)
    _SPREAD[key] = (weakref.ref(out, lambda r, k=key: _forget(r, k)), base, idx)
    return out


def gathered(values) -> bool:
    """Whether ``values`` was made by :func:`spread` (and is still that array)."""
    return _gathered(values) is not None


def _gathered(values):
    """(the array, the rows) ``values`` was gathered from by :func:`spread`, or None."""
    if values is None:
        return None
    hit = _SPREAD.get(id(values))
    if hit is None or hit[0]() is not values:
        return None
    return hit[1], hit[2]


def distinct(values, ids=None):
    """The distinct objects of an object array (by identity), in the order they first appear,
    and the position of each row's among them: what is read of a row's value in Python is
    then read once per object — the columns of lists share their lists (facts_from_frame),
    and the lists their items. An array made by :func:`spread`: from its source's distinct
    objects and the rows gathered (the same three results, no pass over its objects)."""
    src = _gathered(values) if ids is None else None
    if src is not None:
        return _distinct_gathered(*src)
    n = len(values)
    if ids is None:
        ids = np.fromiter(map(id, values), np.int64, n)
    if not n:
        return [], np.zeros(0, dtype=np.int64), ids
    _, first, inv = np.unique(ids, return_index=True, return_inverse=True)
    order = np.argsort(first, kind="stable")          # distinct objects by first appearance
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order), dtype=np.int64)
    reps = [values[i] for i in first[order].tolist()]
    return reps, rank[inv.reshape(-1)], ids


def _distinct_gathered(base, idx):
    """:func:`distinct` of ``base[idx]``: the source's distinct objects (``base``: few), then
    the rows' codes among them grouped by a table (integers of a small range: no sort)."""
    from .shapes import unique_ints
    breps, brank, bids = distinct(base)
    if not len(idx):
        return [], np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    code = brank[idx]                        # per row: its object among the source's distinct ones
    uniq, first, inv = unique_ints(code)     # the codes present (sorted), the first row of each
    order = np.argsort(first, kind="stable")          # by first appearance among the rows
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order), dtype=np.int64)
    reps = [breps[c] for c in uniq[order].tolist()]
    return reps, rank[inv], bids[idx]


def gather_items(lengths, starts, at):
    """Positions, among items laid out list after list (``starts``: where each list's begin),
    of the items of the lists ``at`` (each ``lengths[at]`` long), one list after the other."""
    ln = lengths[at]
    total = int(ln.sum())
    return np.repeat(starts[at], ln) + (np.arange(total, dtype=np.int64) - np.repeat(np.cumsum(ln) - ln, ln))


def _layout(col, raw=False):
    """Per row of the whole column: the length of its list (0: not a list), where its items
    start among all items, whether it is a list / UNKNOWN / none, the items as an object array,
    the id of each row's value. ``raw``: read the column's array as it is, else its values as
    the scalar evaluator holds them (``objects()``: UNKNOWN and none where so marked — never
    a list). Each distinct object is read once (:func:`distinct`), then spread over its rows."""
    from ..rules.values import UNKNOWN
    reps, inv, ids = memo(col, "distinct", lambda c: distinct(c.v))
    ulen = np.array([len(v) if isinstance(v, list) else 0 for v in reps], dtype=np.int64)
    ulistish = np.array([isinstance(v, list) or v is UNKNOWN or v is None for v in reps], dtype=bool)
    uitems = np.empty(int(ulen.sum()), dtype=object)
    uitems[:] = [x for v in reps if isinstance(v, list) for x in v] if len(uitems) else []
    lengths = ulen[inv]
    if not raw:
        lengths = np.where(col.unk | col.nil, 0, lengths)
    starts = np.cumsum(lengths) - lengths
    items = spread(uitems, gather_items(ulen, np.cumsum(ulen) - ulen, inv[lengths > 0])) if len(uitems) else \
        np.empty(0, dtype=object)
    return lengths, starts, items, ulistish[inv], ids


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


_ONE_TYPE = ("bool", "int", "date", "dur", "str")   # the kinds from_objects gives values of one type only


def _fields(col):
    """The items' fields of the whole column, when its items are all dicts: per key (sorted),
    the column of its values (UNKNOWN where absent), the items that have the key, and the type
    of each known value as a small integer (-1 unknown or none). Each distinct item (the rows
    share their lists' dicts) is read once, then spread over the items."""
    from ..rules.values import UNKNOWN
    from .compile import from_objects
    _, _, items, _, _ = memo(col, ("layout", False), _layout)
    its, inv, _ = distinct(items)
    if not its or not all(isinstance(x, dict) for x in its):
        return None
    out = {}
    for k in sorted({k for x in its for k in x}):
        vals = [x.get(k, UNKNOWN) for x in its]
        v = from_objects(vals)   # the kind read from the known values: the same over the distinct items
        has = np.array([k in x for x in its], dtype=bool)
        if v.kind in _ONE_TYPE:   # its known values all of one type (from_objects): code 0
            tcode = np.where(v.unk | v.nil, -1, 0)
            tset = frozenset((0,))
        elif v.kind == "none":   # no known value
            tcode = np.full(len(vals), -1, dtype=np.int64)
            tset = frozenset()
        else:
            types: dict = {}
            tcode = np.array([-1 if (u or z) else types.setdefault(type(x), len(types))
                              for x, u, z in zip(vals, v.unk.tolist(), v.nil.tolist())], dtype=np.int64)
            tset = frozenset(types.values())
        out[k] = (v.take(inv), has[inv], tcode[inv], tset)
    return out


class LazyFields:
    """The fields of a collection's items (``it.kind`` …) as :meth:`Program.item_fields` gives
    them, each made when first read (``makers``: key -> a function giving its column, or None
    when no item of these rows has the field): a body reads two or three fields of the items,
    not every field (issue 16). Read only through ``get`` / ``[]`` (compile._item)."""
    __slots__ = ("_makers", "_made")

    def __init__(self, makers: dict):
        self._makers, self._made = makers, {}

    def get(self, key, default=None):
        made = self._made
        if key in made:
            x = made[key]
        else:
            mk = self._makers.get(key)
            x = made[key] = None if mk is None else mk()
        return default if x is None else x

    def __getitem__(self, key):
        x = self.get(key)
        if x is None:
            raise KeyError(key)
        return x

    def __contains__(self, key):
        return self.get(key) is not None

    def keys(self):
        """The fields some item of these rows has (each made: to compare, not to evaluate)."""
        return [k for k in self._makers if self.get(k) is not None]

    def __iter__(self):
        return iter(self.keys())


def item_fields(values, pos):
    """``Program.item_fields`` of the items at ``pos`` of the whole column ``values`` was
    taken from (None: not known here — the caller reads the items), each field made when
    first read (:class:`LazyFields`)."""
    o = origin(values)
    if o is None:
        return None
    fields = memo(o[0], "fields", _fields)
    if fields is None or not len(pos):
        return None
    return LazyFields({(k,): (lambda f=f: _item_field(f, pos)) for k, f in fields.items()})


def whole(col):
    """The lengths of the lists of a column read whole (not taken from another: the batch's
    own) and its items' fields (:func:`item_fields`; None: the caller reads the items) —
    computed once per column of the batch (:func:`memo`), shared with the columns taken
    from it."""
    lengths, _, items, _, _ = memo(col, ("layout", False), _layout)
    fields = memo(col, "fields", _fields)
    if fields is None or not len(items):
        return lengths, None
    pos = np.arange(len(items))
    return lengths, LazyFields({(k,): (lambda f=f: _item_field(f, pos)) for k, f in fields.items()})


def _item_field(field, pos):
    """One field of the items at ``pos`` (None: no item of them has it)."""
    from .compile import V, from_objects
    v, has, tcode, all_types = field
    if not has[pos].any():
        return None   # no item of these rows has that field
    t = tcode[pos]
    t = t[t >= 0]
    seen = set(np.flatnonzero(np.bincount(t)).tolist()) if len(t) else set()   # the types of its known values
    if not seen:
        return V("none", None, v.unk[pos], v.nil[pos])
    if seen == set(all_types):
        out = v.take(pos)
        if out.kind == "str":   # kept: a membership test reads the batch's column (compile._member_whole)
            _FIELD[id(out.v)] = (out.v, v, pos)
        return out
    return from_objects(v.take(pos).objects())   # known values of fewer types here: the kind read from them
