"""Issue 16, per-row work done once per distinct value (branch lean-marks): each fast path gives
what the general code gives — ``origins.distinct`` of an array gathered by ``origins.spread``
(a batch's lists spread over its rows, their items laid out) read from the source's distinct
objects and the rows gathered, not object by object; ``_list_shape`` of such a column. The
screening's bytes are checked on whole exports by bench/same_bytes.py and
tests/test_columnar_program.py."""
from __future__ import annotations

import gc

import numpy as np

from lexquery.columnar import compile as C, origins
from lexquery.columnar.program import _spread_v
from lexquery.rules.values import UNKNOWN


def _plain_distinct(values):
    """``origins.distinct`` of a copy that was never gathered: the general code."""
    copy = np.empty(len(values), dtype=object)
    copy[:] = list(values)
    assert not origins.gathered(copy)
    return origins.distinct(copy)


def _same_distinct(a, b):
    assert len(a[0]) == len(b[0]) and all(x is y for x, y in zip(a[0], b[0]))
    assert np.array_equal(a[1], b[1]) and np.array_equal(a[2], b[2])


def _bases(rng):
    lists = [[{"k": i}] for i in range(40)]
    for k in (1, 3, 40):
        objs = [lists[int(i)] for i in rng.integers(0, 40, k)]
        objs += [UNKNOWN, None, UNKNOWN]   # the same object more than once in the source
        rng.shuffle(objs)
        base = np.empty(len(objs), dtype=object)
        base[:] = objs
        yield base


def test_distinct_of_a_gathered_array_is_the_general_one():
    rng = np.random.default_rng(3)
    for base in _bases(rng):
        for n in (0, 1, 7, 500):
            idx = rng.integers(0, len(base), n)
            got = origins.spread(base, idx)
            assert origins.gathered(got)
            _same_distinct(origins.distinct(got), _plain_distinct(got))
            # gathered from a gathered array
            idx2 = rng.integers(0, max(n, 1), 300) if n else np.zeros(0, dtype=np.int64)
            got2 = origins.spread(got, idx2)
            _same_distinct(origins.distinct(got2), _plain_distinct(got2))


def test_a_gathered_array_gone_is_not_read_again():
    base = np.empty(2, dtype=object)
    base[:] = [[1], [2]]
    got = origins.spread(base, np.array([0, 1, 1]))
    key = id(got)
    del got
    gc.collect()
    other = np.empty(3, dtype=object)   # may take the same id: never the dead array's rows
    other[:] = [[3], [4], [5]]
    if id(other) == key:
        assert not origins.gathered(other)
    assert len(origins.distinct(other)[0]) == 3


def test_spread_columns_of_the_frame_are_gathered():
    objs = [[{"destination": "DZ"}], UNKNOWN, [{"destination": "MA"}], None]
    inv = np.array([0, 1, 2, 0, 3, 2, 1], dtype=np.int64)
    x = _spread_v(objs, inv)
    assert origins.gathered(x.v)
    assert x.v.tolist() == [objs[i] for i in inv.tolist()]
    y = C.from_objects([objs[i] for i in inv.tolist()])
    assert np.array_equal(x.unk, y.unk) and np.array_equal(x.nil, y.nil) and x.kind == y.kind


def test_list_shape_of_a_gathered_column_is_the_general_one():
    rng = np.random.default_rng(5)
    lists = [[f"S{i}", f"S{i + 1}"] for i in range(30)]
    for k in (3, 30):   # few lists (at most 8: a set each) and many (items one per row)
        base = np.empty(k, dtype=object)
        base[:] = lists[:k]
        got = origins.spread(base, rng.integers(0, k, 400))
        copy = np.empty(len(got), dtype=object)
        copy[:] = list(got)
        a, b = C._list_shape(got), C._list_shape(copy)
        assert a[0] == b[0] and a[6] == b[6]
        for x, y in zip(a[1:6], b[1:6]):
            if x is None or y is None:
                assert x is None and y is None
            elif x.dtype == object:
                assert all(p is q for p, q in zip(x, y)) and len(x) == len(y)
            else:
                assert np.array_equal(x, y)


def _texts_gathered(rng, n, unk_share=0.2):
    """A text column as frame_columns.plain_columns makes it: the distinct texts (None last, for
    the unknown cells) gathered by code (origins.spread), and the same values never gathered."""
    texts = np.empty(6, dtype=object)
    texts[:] = ["FR", "DZ", "", "MA", "TN", None]
    unk = rng.random(n) < unk_share
    codes = np.where(unk, 5, rng.integers(0, 5, n))
    got = origins.spread(texts, codes)
    copy = np.empty(n, dtype=object)
    copy[:] = list(got)
    nil = np.zeros(n, dtype=bool)
    unk = unk | (rng.random(n) < unk_share / 2)   # and rows holding a text marked unknown
    return C.V("str", got, unk, nil), C.V("str", copy, unk.copy(), nil)


def test_taken_rows_of_a_gathered_column_stay_gathered():
    rng = np.random.default_rng(11)
    x, _ = _texts_gathered(rng, 200)
    idx = rng.integers(0, 200, 90)
    t = x.take(idx)
    assert origins.gathered(t.v)
    assert all(a is b for a, b in zip(t.v, x.v[idx]))
    assert origins.gathered(C.take_values(x.v, idx))


def test_membership_of_gathered_texts_is_the_general_one():
    rng = np.random.default_rng(13)
    for share in (0.0, 0.3, 1.0):
        x, plain = _texts_gathered(rng, 300, share)
        for lst in (["DZ", "MA"], ["", "TN"], ["XX"], []):
            y = C.const(lst, 300)
            assert np.array_equal(C._member(x, y), C._member(plain, y))


def test_codes_of_gathered_texts_are_the_general_ones():
    from lexquery.columnar import program as P
    rng = np.random.default_rng(17)
    for share in (0.0, 0.3, 1.0):
        x, plain = _texts_gathered(rng, 300, share)
        a, b = P._codes_of(x), P._codes_of(plain)
        assert np.array_equal(a, b)
        # the memo of the codes (kept by values): the same before unknown and none are set apart
        assert np.array_equal(P._CODES[id(x.v)][1], P._CODES[id(plain.v)][1])
