"""Columns of lists read once per batch (columnar/origins.py): what is read from the whole
column for the rows taken equals what reading those rows gives — the items' fields value for
value and kind for kind (a field whose known values are of fewer types in the rows taken gets
the kind of those), the lengths, the items — through nested takes."""
import copy
from datetime import date

import numpy as np

from lexquery.columnar import origins
from lexquery.columnar.compile import TakenFacts, _list_shape, from_objects, v_count
from lexquery.columnar.program import Program
from lexquery.rules.values import UNKNOWN

_ROWS = [[{"kind": "ITF", "end_date": date(2030, 1, 1)}], UNKNOWN, [{"kind": "OQTF", "end_date": 3}], [],
         [{"kind": "ITF"}, {"kind": "IRTF", "definitive": True}], None,
         [{"kind": "EAW", "end_date": None, "destination": "RO"}]]
ROWS = [copy.deepcopy(r) if isinstance(r, list) else r for r in _ROWS * 3]   # distinct lists: read one by one


def _same(a, b):
    assert a.kind == b.kind
    assert a.objects() == b.objects()
    assert (a.unk == b.unk).all() and (a.nil == b.nil).all()


seen = set()   # the shapes of _list_shape met: a few lists, lists one per row


def _check(x):
    """The fields, lengths and items of the taken column ``x``, from the whole column and fresh."""
    lay = origins.layout(x.v)
    assert lay is not None
    items = [it for v in x.objects() if isinstance(v, list) for it in v]
    got = origins.item_fields(x.v, lay[3])
    want = Program.item_fields(items)
    if got is not None:   # None: the caller reads the rows itself
        assert list(got) == list(want)
        for k in want:
            _same(got[k], want[k])
    assert lay[2].tolist() == [len(v) if isinstance(v, list) else 0 for v in x.objects()]
    c = v_count([x], None)
    assert c.v.tolist() == [0 if u else (len(v) if isinstance(v, list) else 0)
                            for v, u in zip(x.v, x.unk.tolist())]
    shape = _list_shape(x.v)
    seen.add(shape[0])
    origins.clear()
    fresh = _list_shape(np.array(list(x.v), dtype=object))   # not registered: read row by row
    assert shape[0] == fresh[0] and shape[6] == fresh[6]
    if not shape[0]:
        assert shape[5].tolist() == fresh[5].tolist() and shape[4].tolist() == fresh[4].tolist()
    return got


def test_the_rows_taken_read_from_the_whole_column():
    col = from_objects(ROWS)
    for rows in ([0, 1, 3, 4, 5], [2, 6, 9, 13], [4], [1, 3, 5], list(range(len(ROWS)))):
        origins.clear()
        x = TakenFacts({"removal_measures": col}, np.array(rows)).get("removal_measures")
        got = _check(x)
        if rows == [0, 1, 3, 4, 5]:   # end_date: a date and an integer in the column, a date here
            assert got[("end_date",)].kind == "date" and col.kind == "obj"
    assert seen == {True, False}


def test_nested_takes_read_from_the_first_column():
    col = from_objects(ROWS)
    origins.clear()
    outer = TakenFacts({"removal_measures": col}, np.arange(2, len(ROWS)))
    inner = TakenFacts(outer, np.array([0, 2, 5, 7, 11]))
    x = inner.get("removal_measures")
    assert origins.origin(x.v)[0] is col    # the whole column, not the intermediate one
    _check(x)
