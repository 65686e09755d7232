"""Issue 16, the evaluation of procedures made cheaper (branch eval-lean): each fast path gives
what the general code gave — settle's status read from its flags by one table (the nested
``np.where`` of main 81e3d71 kept here as the specification), ``row_key`` reading flag columns
without an int64 copy, the memo of ``x in y`` keyed by the columns' arrays, and the derived
values taken once per batch of rows. The screening's bytes are checked on whole exports by the
development same-bytes check and tests/test_columnar_program.py."""
from __future__ import annotations

import numpy as np

from lexquery.columnar import compile as C
from lexquery.columnar.compile import V, from_objects, member
from lexquery.columnar.compile_conditions import MET, NONE_DATE, NOT_MET, PENDING, TO_ASSESS, UNKNOWN_, shared
from lexquery.columnar.compile_settle import APP, LATER, NA, UND, settle
from lexquery.columnar.shapes import row_key


def settle_status_spec(rows, n):
    """The status of ``settle`` as main 81e3d71 computed it (nested where over the flags)."""
    not_met, pending, unknown = np.zeros(n, bool), np.zeros(n, bool), np.zeros(n, bool)
    d_from = np.full(n, NONE_DATE, dtype=np.int64)
    d_until = np.full(n, np.iinfo(np.int64).max, dtype=np.int64)
    for eff, on, d, kind in rows:
        not_met |= on & (eff == NOT_MET)
        pending |= on & (eff == PENDING)
        unknown |= on & (eff == UNKNOWN_)
        dated = on & (d != NONE_DATE)
        sel = dated & ((eff == MET) | (eff == NOT_MET) | (eff == PENDING))
        if kind == "from":
            d_from = np.where(sel & (d > d_from), d, d_from)
        elif kind == "until":
            d_until = np.where(sel & (d < d_until), d, d_until)
    d_until = np.where(d_until == np.iinfo(np.int64).max, NONE_DATE, d_until)
    closed = (d_until != NONE_DATE) & (d_from != NONE_DATE) & (d_from > d_until)
    return np.where(not_met, NA, np.where(unknown, UND, np.where(pending, np.where(closed, NA, LATER), APP)))


def test_settle_status_by_table_is_the_nested_where():
    rng = np.random.default_rng(7)
    n = 400
    for _ in range(60):
        rows = []
        for _ in range(rng.integers(1, 6)):
            eff = rng.choice([NOT_MET, PENDING, UNKNOWN_, TO_ASSESS, MET], n).astype(np.int8)
            on = shared("on", n) if rng.random() < 0.4 else rng.random(n) < 0.7
            kind = rng.choice(["from", "until", "test"])
            d = rng.integers(100, 140, n).astype(np.int64)
            d[rng.random(n) < 0.3] = NONE_DATE
            rows.append((eff, on, d, str(kind)))
        status = settle(rows, n)[0]
        assert status.dtype == np.int8
        assert (status == settle_status_spec([(e, np.asarray(o, bool), d, k) for e, o, d, k in rows], n)).all()
    # a closed window (from after until) on a row pending only: not applicable
    eff_f = np.array([PENDING, PENDING, MET], dtype=np.int8)
    eff_u = np.array([MET, UNKNOWN_, MET], dtype=np.int8)
    st = settle([(eff_f, shared("on", 3), np.array([200, 200, 200]), "from"),
                 (eff_u, shared("on", 3), np.array([150, 150, 150]), "until")], 3)[0]
    assert st.tolist() == [NA, UND, APP]   # closed but nothing pending (the third): applicable, as before


def test_row_key_flags_as_the_int64_codes():
    """Flag columns (bool) give the keys their int64 codes gave: columns of one value add
    nothing, past 62 bits the key is renumbered, then None when even that does not fit."""
    rng = np.random.default_rng(3)
    for _ in range(200):
        n = int(rng.integers(1, 40))
        cols = []
        for _ in range(int(rng.integers(1, 80))):
            r = rng.random()
            if r < 0.45:
                cols.append(rng.random(n) < rng.random())
            elif r < 0.55:
                cols.append(np.zeros(n, bool) if r < 0.5 else np.ones(n, bool))
            else:
                cols.append(rng.integers(-3, int(rng.integers(1, 5000)), n))
        a, b = row_key(cols), row_key([np.asarray(c, dtype=np.int64) for c in cols])
        assert (a is None) == (b is None)
        if a is not None:
            assert a.tolist() == b.tolist()


def _strs(vals, unk=None):
    x = from_objects(vals)
    if unk is not None:
        x = V(x.kind, x.v, np.asarray(unk, bool), x.nil)
    return x


def test_member_memo_keyed_by_every_array():
    """``x in y`` is read again for the same arrays, recomputed when any of them differs
    (the unknown rows of ``x`` or of ``y``, another column of lists)."""
    C._MEMBERS.clear()
    lists = [["MA", "DZ"], ["TN"], ["MA"], None]
    y = from_objects(lists)
    x = _strs(["MA", "TN", "DZ", "MA"])
    first = member(x, y)
    assert first.tolist() == [True, True, False, False]
    first[:] = False   # the caller's copy: the memo keeps its own
    assert member(x, y).tolist() == [True, True, False, False]
    # the same values, the first row unknown: not the memo's answer
    x2 = V(x.kind, x.v, np.array([True, False, False, False]), x.nil)
    assert member(x2, y).tolist() == [False, True, False, False]
    # the same lists, the second unknown
    y2 = V(y.kind, y.v, np.array([False, True, False, False]), y.nil)
    assert member(x, y2).tolist() == [True, False, False, False]
    # another column of lists (the same values as text: read again)
    y3 = from_objects([["TN"], ["TN"], ["DZ"], ["MA"]])
    assert member(x, y3).tolist() == [False, True, True, True]
    assert member(x, y).tolist() == [True, True, False, False]


def test_derived_taken_once_per_batch_of_rows():
    """A derived value read by the batch of a procedure is taken from the cases' batch once per
    batch of rows (the same index object: the procedures over the same rows); another index
    gives its own rows, and each batch its own column (a new V over the same arrays)."""
    from lexquery.columnar.compile import Ctx
    from lexquery.columnar.compile_population import _none_state
    from lexquery.columnar.program import compile_book, facts_from_frame, fact_paths
    from lexquery.screening.synth import synth_text
    from columnar_helpers import AS_OF, frame_from_cases, read_cases

    prog = compile_book()
    assert prog.book.derived_per_case
    frame = frame_from_cases(read_cases(synth_text(60, 4, AS_OF)))
    n = frame.height
    facts = prog.apply_defaults(facts_from_frame(frame, fact_paths(prog.book)), np.full(n, 20000), n)
    as_of = np.full(n, 20000, dtype=np.int64)
    base = Ctx(n, facts, as_of, _none_state(n), prog)
    name = "foreigner" if "foreigner" in prog.derived_fns else sorted(prog.derived_fns)[0]
    whole = prog.derived(base, name)
    idx1 = np.repeat(np.arange(n), 2)            # per case and State
    idx2 = np.arange(n)[::-1].copy()             # other rows
    got = []
    for idx in (idx1, idx1, idx2):
        ctx = Ctx(len(idx), facts, as_of[idx], _none_state(len(idx)), prog)
        ctx.derived_from = (base, idx)
        x = prog.derived(ctx, name)
        want = whole.take(idx)
        assert x.kind == want.kind
        assert x.unk.tolist() == want.unk.tolist() and x.nil.tolist() == want.nil.tolist()
        if want.v is not None:
            assert x.v.tolist() == want.v.tolist()
        got.append(x)
    assert got[0] is not got[1] and got[0].v is got[1].v   # taken once for idx1, a V each
    assert got[2].v is not got[0].v


def test_text_codes_are_the_sorted_ranks():
    """``program._codes_of`` of a text column: the ranks numpy's sort of the texts gave
    (main 81e3d71: ``np.unique`` of the fixed-width texts), UNKNOWN 0 and none 1 — here each
    distinct text sorted once; a value other than a text read as numpy reads it."""
    from lexquery.columnar.program import _CODES, _codes_of
    rng = np.random.default_rng(5)
    words = ["MA", "DZ", "", "TN", "Ä", "a", "Z", "ma", "TN "]
    for _ in range(40):
        n = int(rng.integers(1, 60))
        vals = np.empty(n, dtype=object)
        vals[:] = [words[i] for i in rng.integers(0, len(words), n)]
        unk, nil = rng.random(n) < 0.2, rng.random(n) < 0.1
        x = V("str", vals, unk, nil & ~unk)
        _CODES.clear()
        text = np.where(x.unk | x.nil, "", x.v).astype(str)
        spec = np.unique(text, return_inverse=True)[1].reshape(-1) * 4 + 2
        spec = np.where(x.unk, 0, np.where(x.nil, 1, spec))
        assert _codes_of(x).tolist() == spec.tolist()
    mixed = np.array(["b", 3, "a"], dtype=object)
    _CODES.clear()
    assert _codes_of(V("str", mixed, np.zeros(3, bool), np.zeros(3, bool))).tolist() == [10, 2, 6]


def test_objwise_groups_by_the_batch_columns_objects():
    """``_objwise`` reads a function once per group of rows: for a column taken from a batch's
    column, the groups are its rows' objects among the whole column's; for a column it made
    itself, its own groups (``latest(field(removal_measures, "end_date"))``). The values are
    those of the function read row by row."""
    from datetime import date
    from lexquery.columnar import origins
    from lexquery.columnar.compile import _arg_codes, _objwise, value_codes
    origins.clear()
    C._OBJWISE.clear()
    rng = np.random.default_rng(11)
    lists = [[{"end_date": date(2027, 1, 1 + i)}, {"end_date": date(2026, 5, 2 + i)}] for i in range(5)] + [[]]
    whole = from_objects([lists[i] for i in rng.integers(0, len(lists), 300)])
    for idx in (rng.integers(0, 300, 200), np.arange(300)[::-1].copy()):
        taken = whole.take(idx)
        origins.register(taken, whole, idx)
        codes, ref = _arg_codes(taken), value_codes(taken)
        # the same partition of the rows as by identity
        assert len(set(zip(codes.tolist(), ref.tolist()))) == len(set(ref.tolist())) == len(set(codes.tolist()))

        def field(env, xs):
            return [m["end_date"] for m in xs]

        def latest(env, ds):
            return max(ds) if ds else None
        f = _objwise(field, [taken])
        assert f.objects() == [field(None, x) for x in taken.objects()]
        got = _objwise(latest, [f])
        assert got.objects() == [latest(None, field(None, x)) for x in taken.objects()]
    origins.clear()
    C._OBJWISE.clear()
