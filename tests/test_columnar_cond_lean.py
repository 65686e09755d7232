"""Issue 16, condition vectors made cheaper: the fast paths of compile_conditions (children
combined one by one in int8, shared read-only columns for « no date » and « applies », the
status code by arithmetic) give what the general code gave. The general code is kept here as
the specification (``combine`` of main cf82a95: every child stacked, ``np.where`` chains);
the screening's bytes are checked on whole exports by the development same-bytes check (docs/columnar.md) and
tests/test_columnar_program.py."""
from __future__ import annotations

import numpy as np
import pytest

from lexquery.columnar.compile import V, truth
from lexquery.columnar.compile_conditions import (MET, NONE_DATE, NOT_MET, PENDING, TO_ASSESS, UNKNOWN_, CondV,
                                                   _code2, combine, shared)


def combine_spec(is_any, kids, n):
    """``evaluate.combine`` over rows, as main cf82a95 computed it (every child stacked)."""
    if not kids:
        return np.full(n, MET, dtype=np.int8), np.full(n, NONE_DATE, dtype=np.int64)
    effs = np.stack([np.where(k.on, k.eff, -1) for k in kids])
    present = (effs >= 0).any(axis=0)
    date = np.full(n, NONE_DATE, dtype=np.int64)
    big = np.iinfo(np.int64).max
    if is_any:
        best = effs.max(axis=0)
        eff = best.astype(np.int8)
        for e, kinds in ((PENDING, None), (MET, "from")):
            sel = best == e
            if not sel.any():
                continue
            cands = np.stack([np.where((effs[i] == e) & (k.date != NONE_DATE)
                                       & (kinds is None or k.kind == kinds), k.date, big)
                              for i, k in enumerate(kids)])
            m = cands.min(axis=0)
            date = np.where(sel & (m != big), m, date)
    else:
        def has(e):
            return (effs == e).any(axis=0)
        eff = np.where(has(NOT_MET), NOT_MET, np.where(has(UNKNOWN_), UNKNOWN_, np.where(
            has(PENDING), PENDING, np.where(has(TO_ASSESS), TO_ASSESS, MET)))).astype(np.int8)
        cands = np.stack([np.where((effs[i] == PENDING), k.date, NONE_DATE) for i, k in enumerate(kids)])
        date = np.where(eff == PENDING, cands.max(axis=0), NONE_DATE)
    eff = np.where(present, eff, MET).astype(np.int8)
    date = np.where(present, date, NONE_DATE)
    return eff, date


def _kid(rng, n, i):
    kind = ["test", "from", "until", "any_of", "all_of", "assess"][rng.integers(6)]
    eff = rng.choice(np.array([NOT_MET, PENDING, UNKNOWN_, TO_ASSESS, MET], dtype=np.int8), n)
    shape = rng.integers(3)
    on = shared("on", n) if shape == 0 else rng.random(n) < 0.7
    if rng.integers(3) == 0:
        date = shared("none", n)   # a child without a date (test, assess)
    else:
        date = np.where(rng.random(n) < 0.6, rng.integers(18_000, 19_000, n), NONE_DATE).astype(np.int64)
    return CondV(f"c{i}", kind, eff, on, date, {})


@pytest.mark.parametrize("seed", range(40))
def test_combine_child_by_child_is_the_stacked_combine(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 60))
    kids = [_kid(rng, n, i) for i in range(int(rng.integers(0, 5)))]
    for is_any in (True, False):
        eff, date = combine(is_any, kids, n)
        want_eff, want_date = combine_spec(is_any, kids, n)
        assert eff.dtype == np.int8
        assert eff.tolist() == want_eff.tolist(), (is_any, seed)
        assert date.tolist() == want_date.tolist(), (is_any, seed)


def test_combine_all_of_order_of_statuses_row_by_row():
    # not met wins over unknown, unknown over pending, pending over to assess, to assess over met;
    # a row where no child applies is met
    n = 6
    a = CondV("a", "test", np.array([NOT_MET, UNKNOWN_, PENDING, TO_ASSESS, MET, NOT_MET], dtype=np.int8),
              np.array([True, True, True, True, True, False]), shared("none", n), {})
    b = CondV("b", "from", np.array([UNKNOWN_, PENDING, TO_ASSESS, MET, MET, MET], dtype=np.int8),
              np.array([True, True, True, True, True, False]),
              np.array([NONE_DATE, 20_000, NONE_DATE, NONE_DATE, NONE_DATE, NONE_DATE], dtype=np.int64), {})
    eff, date = combine(False, [a, b], n)
    assert eff.tolist() == [NOT_MET, UNKNOWN_, PENDING, TO_ASSESS, MET, MET]
    assert date.tolist() == [NONE_DATE] * n   # the pending child of row 1 is outweighed by unknown
    eff, date = combine(True, [a, b], n)
    assert eff.tolist() == [UNKNOWN_, UNKNOWN_, TO_ASSESS, MET, MET, MET]
    assert date.tolist() == [NONE_DATE] * n


def test_shared_columns_are_read_only_and_kept_through_take():
    n = 5
    on, none = shared("on", n), shared("none", n)
    with pytest.raises(ValueError):
        on[0] = False
    with pytest.raises(ValueError):
        none[0] = 0
    r = CondV("x", "test", np.array([0, 2, 4, 4, 2], dtype=np.int8), on, none, {"a.b": np.array([0, 1, 0, 0, 1], bool)})
    t = r.take(np.array([1, 3]))
    assert t.on is shared("on", 2) and t.date is shared("none", 2)
    assert t.eff.tolist() == [2, 4] and t.miss["a.b"].tolist() == [True, False]
    t = CondV("x", "test", r.eff, np.array([1, 0, 1, 0, 1], bool), r.date, {}).take(np.array([0, 1]))
    assert t.on.tolist() == [True, False]


@pytest.mark.parametrize("start", [0, 1, 7, 48])
def test_a_held_shared_column_keeps_its_identity_when_the_cache_is_cleared(start):
    """CI failure of 2026-12-05 (stop 24): in the whole suite the bounded cache of
    ``shared`` was cleared between making a condition's column and testing ``is``, so
    ``take`` copied it and the test above failed by order. Whatever the cache holds before,
    a column still held stays the shared one."""
    for k in range(start):
        shared("on", 1000 + k)
    on, none = shared("on", 5), shared("none", 5)
    r = CondV("x", "test", np.zeros(5, np.int8), on, none, {})
    for k in range(60):   # more sizes than the cache keeps: it is cleared at least once
        shared("none", 2000 + k)
    assert on is shared("on", 5) and none is shared("none", 5)
    for k in range(60):
        shared("on", 3000 + k)
        t = r.take(np.array([0, 2]))
        assert t.on is shared("on", 2) and t.date is shared("none", 2)


@pytest.mark.parametrize("kind", ["bool", "int", "date", "none", "str"])
def test_status_code_by_arithmetic_is_the_where_chain(kind):
    rng = np.random.default_rng(7)
    n = 200
    unk = rng.random(n) < 0.2
    nil = ~unk & (rng.random(n) < 0.2)
    if kind == "bool":
        x = V("bool", rng.random(n) < 0.5, unk, nil)
    elif kind == "int":
        x = V("int", rng.integers(0, 3, n), unk, nil)
    elif kind == "date":
        x = V("date", rng.integers(0, 3, n), unk, nil)
    elif kind == "none":
        x = V("none", None, unk, ~unk)
    else:
        x = V("str", np.array(rng.choice(["", "a"], n), dtype=object), unk, nil)
    for yes in (MET, TO_ASSESS):
        want = np.where(x.unk, UNKNOWN_, np.where(truth(x), yes, NOT_MET)).astype(np.int8)
        got = _code2(truth(x), yes, x.unk)
        assert got.dtype == np.int8 and got.tolist() == want.tolist()


# --- the items of a collection, their fields made when read; the distinct lists of a column ----

def test_lazy_fields_each_made_once_and_absent_fields_absent():
    from lexquery.columnar.origins import LazyFields
    made = []

    def mk(k, absent=False):
        def f():
            made.append(k)
            return None if absent else V("int", np.array([1, 2]), np.zeros(2, bool), np.zeros(2, bool))
        return f
    lf = LazyFields({("a",): mk("a"), ("b",): mk("b", absent=True), ("c",): mk("c")})
    assert made == []   # nothing made before it is read
    x = lf.get(("a",))
    assert made == ["a"] and lf.get(("a",)) is x and lf[("a",)] is x and made == ["a"]
    assert lf.get(("b",)) is None and lf.get(("zz",)) is None and lf.get(("b",), 5) == 5
    with pytest.raises(KeyError):
        lf[("b",)]
    assert list(lf) == [("a",), ("c",)] and made == ["a", "b", "c"]


def _measures(rng, n, distinct):
    from datetime import date
    pool = [[{"kind": k, "end_date": date(2030, 1, 1 + i % 27)}] + ([{"kind": "ITF", "definitive": True}] if i % 3 else [])
            for i, k in enumerate(["ITF", "OQTF", "IRTF", "EAW", "expulsion"] * 4)][:distinct]
    from lexquery.rules.values import UNKNOWN
    pool += [UNKNOWN, None, []]
    return [pool[i] for i in rng.integers(0, len(pool), n)]


@pytest.mark.parametrize("distinct", [1, 3, 9, 20])
def test_fields_and_list_shape_of_rows_taken_are_those_read_row_by_row(distinct):
    """origins.item_fields (lazy) and compile._list_shape of a column taken from a batch's give
    what reading the rows taken gives (Program.item_fields; np.unique of the rows' ids)."""
    from lexquery.columnar import origins
    from lexquery.columnar.compile import TakenFacts, _list_shape, from_objects
    from lexquery.columnar.program import Program
    rng = np.random.default_rng(distinct)
    col = from_objects(_measures(rng, 400, distinct))
    for rows in (np.arange(400), rng.choice(400, 150, replace=False), np.array([7])):
        origins.clear()
        x = TakenFacts({"removal_measures": col}, rows).get("removal_measures")
        lay = origins.layout(x.v)
        got = origins.item_fields(x.v, lay[3])
        items = [it for v in x.objects() if isinstance(v, list) for it in v]
        want = Program.item_fields(items)
        if got is not None:
            assert list(got) == list(want)
            for k in want:
                a, b = got[k], want[k]
                assert a.kind == b.kind and a.objects() == b.objects()
        few, ids, uniq, first, parent, flat, lists = _list_shape(x.v)
        u, f = np.unique(np.fromiter(map(id, x.v), np.int64, len(x.v)), return_index=True)
        assert np.array_equal(ids, np.fromiter(map(id, x.v), np.int64, len(x.v)))
        assert uniq.tolist() == u.tolist() and first.tolist() == f.tolist()
        assert few == (len(u) <= 8)


@pytest.mark.parametrize("distinct", [1, 9])
def test_a_batch_own_column_read_whole_gives_its_rows_items(distinct):
    """origins.whole (a column not taken from another, read once per batch) gives the lengths
    and the fields that reading its rows gives; its memo is shared by another V over the same
    arrays (ctx.fact's) and not by a column with other masks."""
    from lexquery.columnar import origins
    from lexquery.columnar.compile import from_objects
    from lexquery.columnar.program import Program
    rng = np.random.default_rng(distinct + 100)
    origins.clear()
    col = from_objects(_measures(rng, 300, distinct))
    lengths, got = origins.whole(col)
    objs = col.objects()
    assert lengths.tolist() == [len(v) if isinstance(v, list) else 0 for v in objs]
    want = Program.item_fields([it for v in objs if isinstance(v, list) for it in v])
    assert list(got) == list(want)
    for k in want:
        assert got[k].kind == want[k].kind and got[k].objects() == want[k].objects()
    same = V(col.kind, col.v, col.unk, col.nil)
    assert origins.whole(same)[0] is lengths   # the same arrays: the same column, read once
    unk = col.unk.copy()
    unk[:50] = True
    other = V(col.kind, col.v, unk, col.nil)
    ln2 = origins.whole(other)[0]
    assert ln2 is not lengths and ln2[:50].tolist() == [0] * 50 and ln2[50:].tolist() == lengths[50:].tolist()
    origins.clear()


def test_membership_of_an_item_field_read_on_the_batch_column_is_row_by_row():
    """compile._member of ``it.kind in <a list of the rule files>``, read once per batch column
    and list (compile._member_whole), gives what reading the rows gives; a list of other
    contents is not taken for the first (memo by contents)."""
    from lexquery.columnar import origins
    from lexquery.columnar.compile import TakenFacts, _member, const, from_objects
    rng = np.random.default_rng(11)
    col = from_objects(_measures(rng, 500, 9))
    for rows in (np.arange(500), rng.choice(500, 200, replace=False)):
        origins.clear()
        x = TakenFacts({"removal_measures": col}, rows).get("removal_measures")
        lay = origins.layout(x.v)
        kind = origins.item_fields(x.v, lay[3])[("kind",)]
        assert origins.field_origin(kind.v) is not None
        plain = V(kind.kind, np.array(list(kind.v), dtype=object), kind.unk, kind.nil)
        assert origins.field_origin(plain.v) is None
        for lst in (["ITF", "OQTF"], ["EAW"], ["ITF", "OQTF", "IRTF", "EAW", "expulsion"], []):
            y = const(lst, len(kind))
            got, want = _member(kind, y), _member(plain, y)
            assert got.tolist() == want.tolist(), lst
            assert want.any() or not lst or lst == ["EAW"]
    origins.clear()


@pytest.mark.parametrize("seed", range(12))
def test_from_until_code_is_the_where_chain(seed):
    from lexquery.columnar.compile_conditions import _dated_code
    rng = np.random.default_rng(seed)
    n = 300
    as_of = rng.integers(100, 110, n)
    xv = rng.integers(100, 110, n)
    unk = rng.random(n) < 0.15
    nil = ~unk & (rng.random(n) < 0.15)
    never = rng.random(n) < 0.1
    has_met_if = seed % 3 != 0
    m_true = (rng.random(n) < 0.2) if has_met_if else np.zeros(n, bool)
    m_unk = ~m_true & (rng.random(n) < 0.2) if has_met_if else np.zeros(n, bool)
    for kind in ("from", "until"):
        if kind == "from":
            st = np.where(as_of >= xv, MET, PENDING)
        else:
            st = np.where(as_of <= xv, MET, NOT_MET)
        st = np.where(m_unk & (st != MET), UNKNOWN_, st)
        want = np.where(m_true, MET, np.where(unk, UNKNOWN_, np.where(
            nil, np.where(m_unk, UNKNOWN_, MET), np.where(
                never, np.where(m_unk, UNKNOWN_, NOT_MET), st)))).astype(np.int8)
        reached = (as_of >= xv) if kind == "from" else (as_of <= xv)
        got = _dated_code(kind, reached, m_true if has_met_if else None, m_unk, unk, nil, never)
        assert got.dtype == np.int8 and got.tolist() == want.tolist()


def test_truth_of_a_clean_bool_column_is_the_masked_one_and_its_own():
    """boolv marks its column clean (false where unknown, never none): truth / is_true /
    is_false then read it without the masks — the same rows — and give a column of their own
    (set in place by callers: compile_population's ``ok &=``); a taken column stays clean."""
    from lexquery.columnar.compile import boolv, is_false, is_true
    rng = np.random.default_rng(5)
    val, unk = rng.random(100) < 0.5, rng.random(100) < 0.3
    x = boolv(val, unk)
    raw = V("bool", x.v, x.unk, x.nil)   # the same arrays, not known clean
    assert x.clean and not raw.clean and x.take(np.arange(10)).clean
    for fn in (truth, is_true, is_false):
        got, want = fn(x), fn(raw)
        assert got.tolist() == want.tolist()
        assert got is not x.v
        got[:] = True   # its own: the column is untouched
    assert x.v.tolist() == (val & ~unk).tolist()


# --- what a condition passes on to the one around it, against main's formula -----------------

class _Exprs:
    """An expression compiler whose « expressions » are the functions given (ctx -> V)."""
    def expr(self, c):
        return c


class _Ctx:
    def __init__(self, n, as_of):
        self.n, self.as_of, self.conds = n, as_of, {}


def _bool_expr(rng, n, path):
    val, unk = rng.random(n) < 0.5, rng.random(n) < 0.3
    miss = {path: unk.copy()} if unk.any() else {}
    from lexquery.columnar.compile import boolv
    x = boolv(val, unk, miss, {})
    return lambda ctx: x


@pytest.mark.parametrize("seed", range(16))
def test_condition_passes_on_what_main_passed_on(seed):
    """compile_conditions' condition (test, any_of, all_of; with a when or not; inside or partly
    outside its valid period): the missing facts it passes on are main's — its when's, then
    ``restrict(miss, on & (eff == unknown))`` of its final result — and its own missing facts
    lie within the rows where it is evaluated."""
    from datetime import date
    from lexquery.columnar.compile import restrict
    from lexquery.columnar.compile_conditions import ConditionCompiler
    from lexquery.columnar.vdates import to_days
    from lexquery.rules.model import Condition
    rng = np.random.default_rng(seed)
    n = 120
    as_of = rng.integers(to_days(date(2020, 1, 1)), to_days(date(2022, 1, 1)), n)
    kids = [Condition(id=f"k{i}", label={}, sources=[], kind="test", expr=_bool_expr(rng, n, f"f.k{i}"),
                      when=_bool_expr(rng, n, f"w.k{i}") if rng.random() < 0.5 else None) for i in range(3)]
    kind = ["test", "any_of", "all_of"][seed % 3]
    c = Condition(id="top", label={}, sources=[], kind=kind,
                  expr=_bool_expr(rng, n, "f.top") if kind == "test" else None,
                  children=kids if kind != "test" else [],
                  when=_bool_expr(rng, n, "w.top") if seed % 2 else None,
                  valid_from=date(2021, 1, 1) if seed % 4 >= 2 else None)
    f = ConditionCompiler(_Exprs()).build(c)
    ctx = _Ctx(n, as_of)
    r, passed, _ = f(ctx)
    from lexquery.columnar.compile import merge
    want = merge(c.when(ctx).miss if c.when is not None else {}, restrict(r.miss, r.on & (r.eff == UNKNOWN_)))
    assert list(passed) == list(want)
    for k in want:
        assert passed[k].tolist() == want[k].tolist(), k
    live = r.on & (as_of >= to_days(date(2021, 1, 1)) if c.valid_from else r.on)
    for k, m in r.miss.items():
        assert not (m & ~live).any(), k


def test_any_by_is_the_bincount_test():
    from lexquery.columnar.compile import _any_by
    rng = np.random.default_rng(2)
    for n in (0, 1, 40):
        lengths = rng.integers(0, 4, n)
        parent = np.repeat(np.arange(n), lengths)
        mask = rng.random(len(parent)) < 0.4
        want = np.bincount(parent, weights=mask, minlength=n) > 0
        assert _any_by(parent, mask, n).tolist() == want.tolist()


def settle_spec(rows, n):
    """compile_settle.settle as main cf82a95 computed it, and since 2026-12-06 a precedence entry
    with a date (one that ends on a known day: pending from the day after) read as a ``from``."""
    from lexquery.columnar.compile_settle import APP, BIG, LATER, NA, UND
    not_met = np.zeros(n, bool)
    unknown = np.zeros(n, bool)
    pending = np.zeros(n, bool)
    d_from = np.full(n, NONE_DATE, dtype=np.int64)
    d_until = np.full(n, BIG, dtype=np.int64)
    for eff, on, d, kind in rows:
        pending |= on & (eff == PENDING)
        not_met |= on & (eff == NOT_MET)
        unknown |= on & (eff == UNKNOWN_)
        dated = on & (d != NONE_DATE)
        if kind == "from" or kind == "precedence":
            sel = dated & ((eff == MET) | (eff == NOT_MET) | (eff == PENDING))
            d_from = np.where(sel & (d > d_from), d, d_from)
        elif kind == "until":
            sel = dated & ((eff == MET) | (eff == NOT_MET) | (eff == PENDING))
            d_until = np.where(sel & (d < d_until), d, d_until)
        elif kind in ("any_of", "all_of"):
            d_from = np.where(dated & (d > d_from), d, d_from)
    d_until = np.where(d_until == BIG, NONE_DATE, d_until)
    window_closed = (d_until != NONE_DATE) & (d_from != NONE_DATE) & (d_from > d_until)
    status = np.where(not_met, NA, np.where(unknown, UND, np.where(
        pending, np.where(window_closed, NA, LATER), APP))).astype(np.int8)
    na = status == NA
    return status, np.where(na, NONE_DATE, d_from), np.where(na, NONE_DATE, d_until)


@pytest.mark.parametrize("seed", range(30))
def test_settle_with_flags_and_shared_columns_is_main_settle(seed):
    from lexquery.columnar.compile_settle import settle
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 80))
    rows = []
    for k in range(int(rng.integers(0, 7))):
        c = _kid(rng, n, k)
        kind = ["test", "from", "until", "any_of", "all_of", "precedence", "validity"][rng.integers(7)]
        rows.append((c.eff, c.on, c.date, kind))
    got, want = settle(rows, n), settle_spec(rows, n)
    for g, w in zip(got, want):
        assert g.tolist() == w.tolist(), seed


@pytest.mark.parametrize("side", [True, False])
def test_if_with_every_row_on_one_side_gives_that_branch_column(side):
    """compile._if where every row takes the same branch: that branch's values (its column as
    it is: a literal list stays recognised by _list_shape), the same as np.where gave."""
    from lexquery.columnar.compile import _if, _list_shape, boolv, const
    n = 50
    c = boolv(np.full(n, side), np.zeros(n, bool))
    a, b = const(["ITF", "OQTF"], n), const(["EAW"], n)
    out = _if(c, lambda ctx: a, lambda ctx: b, _Ctx(n, np.zeros(n, np.int64)))
    want = a if side else b
    assert out.kind == "obj" and out.objects() == want.objects() and out.v is want.v
    assert _list_shape(out.v)[0]
    mixed = boolv(np.arange(n) % 2 == 0, np.zeros(n, bool))
    out = _if(mixed, lambda ctx: a, lambda ctx: b, _Ctx(n, np.zeros(n, np.int64)))
    assert out.objects() == [["ITF", "OQTF"] if i % 2 == 0 else ["EAW"] for i in range(n)]
