"""Issue 16, the proof's trials made cheaper (columnar/compile_population.py ``prove``): what each
shortcut gives is what the longer way gave.

- the relevance of each fact tried (``prove._relevant``) computed for every row of a plan at
  once (``_Relevance``) — against the scalar function, on random outcomes;
- the values derived from a case's facts that read no fact tried taken from the first
  evaluation in the trials (``_untouched_derived``, prove.prove's ``keep``) — against trials
  computing every derived value again, on synthetic rows where the proof tries facts that
  derived values read and facts they do not;
- the declared date ranges (``bounds:``) evaluated, date by date, at the rows where that date
  is missing only;
- a field of a removal measure set for the trials on a copy of the column's objects
  (``_measures_with``), and the defaults chosen array by array (``_vwhere``) — against
  ``from_objects`` of the values set row by row.

The screening's bytes on whole exports: the development same-bytes check (docs/columnar.md) and tests/test_columnar_program.py.
"""
from __future__ import annotations

from itertools import product

import numpy as np
import pytest

from columnar_helpers import AS_OF, blank, engine, frame_from_cases, read_cases
from lexquery.columnar import compile_population as CP
from lexquery.columnar.program import compile_book
from lexquery.engine.prove import _relevant
from lexquery.screening.synth import synth_text

_ENG = engine()


@pytest.mark.parametrize("dims", [[2], [3], [2, 2], [2, 3], [3, 2, 2], [2, 2, 2, 2]])
def test_relevance_of_every_row_is_prove_relevant(dims):
    rng = np.random.default_rng(sum(dims) * 7 + len(dims))
    G = 400
    T = int(np.prod(dims))
    # few distinct values per code, so that outcomes often agree (a fact often irrelevant)
    st = rng.integers(0, 2, (T, G)).astype(np.int8)
    fk = rng.choice([5, 9], (T, G)).astype(np.int64)
    du = np.where(rng.random((T, G)) < 0.9, 3, 4).astype(np.int64)
    co = np.where(rng.random((T, G)) < 0.9, -1, 1).astype(np.int8)
    same_row = rng.random(G) < 0.5   # half the rows: one outcome in every combination
    for a in (st, fk, du, co):
        a[:, same_row] = a[0, same_row]
    settled = rng.random((T, G)) < 0.97
    values = list(product(*[range(m) for m in dims]))
    rel = CP._Relevance([st, fk, du, co], settled, dims)
    seen = set()
    for j in range(len(dims)):
        got = rel.of(j)
        for g in range(G):
            outs = [(int(st[t, g]), int(fk[t, g]), int(du[t, g]), int(co[t, g])) if settled[t, g] else None
                    for t in range(T)]
            want = _relevant(j, outs, values)
            assert bool(got[g]) == want, (dims, j, g)
            seen.add(want)
    assert seen == {True, False}   # both answers met: the comparison can fail either way


def test_untouched_derived_reads_none_of_the_facts_tried():
    book = _ENG.book
    u = CP._untouched_derived
    # sentence.final is read by no derived value: all are kept
    assert u(book, frozenset({"sentence.final"})) == frozenset(book.derived)
    # the sentence's end read by the fraction points and the dates before the end
    got = u(book, frozenset({"sentence.expected_end"}))
    for name in ("mid_sentence", "two_thirds", "lc_base_point", "lc_time_date", "six_months_before_end"):
        assert name not in got
    assert "seventy_date" in got and "life_sentence" in got
    # through another derived value: lc_base_point reads legal_recidivism itself, lc_time_date too
    got = u(book, frozenset({"sentence.legal_recidivism"}))
    assert "lc_base_point" not in got and "lc_time_date" not in got and "mid_sentence" in got
    # a field of a measure tried: what reads the list of measures is not kept
    assert "removable_729_2" not in u(book, frozenset({"removal_measures[0].remedies_exhausted"}))
    assert "removable_729_2" in u(book, frozenset({"sentence.final"}))


def _veq(a, b) -> bool:
    """Two columns of values alike: kind, unknown, none, the values where known, the missing
    facts (by path, where some row misses it)."""
    if a.kind != b.kind or not np.array_equal(a.unk, b.unk) or not np.array_equal(a.nil, b.nil):
        return False
    known = ~a.unk & ~a.nil
    for x, y in ((a.v, b.v), (a.d, b.d)):
        if (x is None) != (y is None):
            return False
        if x is not None and not np.array_equal(np.asarray(x)[known], np.asarray(y)[known]):
            return False
    ma = {k: m for k, m in a.miss.items() if m.any()}
    mb = {k: m for k, m in b.miss.items() if m.any()}
    return ma.keys() == mb.keys() and all(np.array_equal(ma[k], mb[k]) for k in ma)


@pytest.mark.parametrize("share", [0.0, 0.25])
def test_trials_take_derived_values_equal_to_those_computed_again(share):
    """In every trial batch of the proof, each derived value taken from the first evaluation
    (it reads no fact tried) is the value computed again on the trial's facts; and derived
    values that read a fact tried do differ in some batch (so a derived value wrongly kept
    would be seen here)."""
    from lexquery.columnar.compile import Ctx
    prog = compile_book(_ENG.book, _ENG.ref)
    text = synth_text(3000, 11, AS_OF)
    if share:
        text = blank(text, share, 12)
    orig = prog.eval_proc
    counts = {"kept": 0, "other": 0, "differ": set()}

    def spy(ctx, pid, outcome_only=False):
        keep = getattr(ctx, "derived_keep", None)
        if keep is not None:
            again = Ctx(ctx.n, ctx.facts, ctx.as_of, ctx.state, prog)
            src = ctx.derived_from
            for name in prog.book.derived:
                fresh = prog.derived(again, name)
                taken = prog.derived(src[0], name).take(src[1])
                if name in keep:
                    assert _veq(fresh, taken), (pid, name)
                    counts["kept"] += 1
                else:
                    counts["other"] += 1
                    if not _veq(fresh, taken):
                        counts["differ"].add(name)
        return orig(ctx, pid, outcome_only)
    prog.eval_proc = spy
    prog.run(frame_from_cases(read_cases(text)))
    assert counts["kept"] > 0 and counts["other"] > 0
    if share:   # facts missing: trials set facts that derived values read, and these change
        assert counts["differ"], counts


@pytest.mark.parametrize("share", [0.0, 0.25])
def test_date_ranges_at_the_rows_tried_as_over_the_whole_batch(share):
    """``bounds:`` evaluated, path by path, at the rows where that date is missing give, at
    those rows, what they give evaluated over every row of the batch (and no range elsewhere);
    and they are asked at every row where a component shown misses that date (the rows a
    plan reads the range of)."""
    prog = compile_book(_ENG.book, _ENG.ref)
    text = synth_text(2000, 17, AS_OF)
    if share:
        text = blank(text, share, 18)
    seen = []
    orig = prog._bounds

    def spy(ctx, rows_of):
        out = orig(ctx, rows_of)
        seen.append((ctx, rows_of, out))
        return out
    prog._bounds = spy
    orig_prove = prog.prove
    asked = []

    def spy_prove(ctx, pv, p, *a):
        comps = [pv] + list(pv.routes)
        shown = [np.ones(ctx.n, dtype=bool)] + [rv.shown for rv in pv.routes]
        need = {f: np.logical_or.reduce([x.missing[f] & sh for x, sh in zip(comps, shown) if f in x.missing]
                                        or [np.zeros(ctx.n, dtype=bool)]) for f in prog.bounds}
        k = len(seen)
        orig_prove(ctx, pv, p, *a)
        if len(seen) > k:   # the proof had rows to try: the ranges asked cover every row missing a date
            for f, m in need.items():
                got = np.zeros(ctx.n, dtype=bool)
                got[seen[k][1][f]] = True
                assert np.array_equal(got, m), (p.id, f)
                asked.append(int(m.sum()))
    prog.prove = spy_prove
    prog.run(frame_from_cases(read_cases(text)))
    known = 0
    for ctx, rows_of, got in seen:
        whole = orig(ctx, {f: np.arange(ctx.n) for f in rows_of})
        for path, (b, ok, lo, hi) in whole.items():
            rows = rows_of[path]
            others = np.ones(ctx.n, dtype=bool)
            others[rows] = False
            g = got[path]
            assert g[0] is b
            assert np.array_equal(g[1][rows], ok[rows])
            assert np.array_equal(g[2][rows][ok[rows]], lo[rows][ok[rows]])
            assert np.array_equal(g[3][rows][ok[rows]], hi[rows][ok[rows]])
            assert not g[1][others].any()
            known += int(ok[rows].sum())
    assert seen
    assert sum(asked) > 0   # some rows miss a date with a range
    assert known > 0   # ranges known at rows tried: the comparison compares dates


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_facts_listed_in_the_order_first_consulted_as_fact_by_fact(seed):
    """verify's list of facts of a row (to_verify, more than one listed): the (row, fact) pairs
    sorted once (``_listed_in_order``) give the order the former fact × row columns gave —
    by the position of the first evidence that consulted the fact, ties in the facts' order."""
    from lexquery.columnar.compile_settle import BIG
    rng = np.random.default_rng(seed)
    n, nk = 600, 40
    keys = [f"party(STE{k},X{k % 7})" for k in range(nk)]
    listed = {k: rng.random(n) < 0.06 for k in keys}
    pos = {k: rng.integers(0, 6, n) for k in keys}   # few positions: many ties
    pos[keys[3]][:] = BIG   # a fact never consulted at these rows: never listed there
    rows = np.flatnonzero(rng.random(n) < 0.7)

    def first(k, r):
        return pos[k][r]
    seq, width = CP._listed_in_order(keys, listed, rows, first)
    got = ["|".join(keys[seq[c][i]] for c in range(width[i])) for i in range(len(rows))]
    F = np.stack([np.where(listed[k][rows], first(k, rows), BIG) for k in keys])
    want = ["|".join(keys[j] for j in np.argsort(F[:, i], kind="stable").tolist() if F[j, i] != BIG)
            for i in range(len(rows))]
    assert got == want
    assert max(width) >= 3 and sum(1 for w in want if w.count("|") >= 1) > 50


@pytest.mark.parametrize("seed", [0, 1])
def test_measures_set_in_trials_as_from_objects_row_by_row(seed):
    """A field of a removal measure set for the trials (``_measures_with``): the column
    ``from_objects`` makes of the rows' measures copied and set one row at a time — the same
    kind, unknown and none rows, lists equal, new lists only at the rows tried (the others the
    rows' own), and no list of the batch changed."""
    import copy
    from datetime import date
    from lexquery.columnar.compile import V, from_objects
    from lexquery.rules.values import UNKNOWN
    rng = np.random.default_rng(seed)
    groups = [UNKNOWN, [], [{"kind": "itf"}], [{"kind": "itf"}, {"kind": "oqtf", "remedies_exhausted": True}],
              [{"kind": "expulsion", "end_date": date(2030, 1, 1)}, {"kind": "itf"}]]
    n = 300
    base = from_objects(groups).take(rng.integers(0, len(groups), n))   # shared lists, as facts_from_frame
    before = copy.deepcopy(groups[1:])   # the lists (UNKNOWN is one object: not copied)
    objs = base.objects()
    k = 0
    rows = [r for r in range(n) if isinstance(objs[r], list) and len(objs[r]) > k]
    # two segments of rows tried (rows of this column, in any order): an enumerated value, dates per row
    a, b = rows[: len(rows) // 2], rows[len(rows) // 2:]
    order = np.array(a + b + [r for r in range(n) if r not in set(rows)])
    col = base.take(order)
    code = rng.integers(0, 2, len(a))
    seg_a = from_objects([bool(c) for c in code])
    days = rng.integers(18000, 20000, len(b))
    seg_b = V("date", days, np.zeros(len(b), dtype=bool), rng.random(len(b)) < 0.2)
    segs = [(0, len(a), seg_a, code), (len(a), len(a) + len(b), seg_b, None)]
    got = CP._measures_with(col, segs, k, "remedies_exhausted")
    want_objs = col.objects()
    for s0, s1, seg, _ in segs:
        for r, v in zip(range(s0, s1), seg.objects()):
            new = [dict(x) for x in want_objs[r]]
            new[k]["remedies_exhausted"] = v
            want_objs[r] = new
    want = from_objects(want_objs)
    assert got.kind == want.kind == "obj"
    assert np.array_equal(got.unk, want.unk) and np.array_equal(got.nil, want.nil)
    assert got.unk.any()   # unknown rows are compared
    assert got.objects() == want.objects()
    kept = col.objects()
    tried = len(a) + len(b)
    assert all(got.v[r] is not kept[r] for r in range(tried))
    assert all(got.v[r] is kept[r] for r in range(tried, n) if isinstance(kept[r], list))
    assert groups[1:] == before   # the batch's lists are not changed


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_defaults_chosen_array_by_array_as_value_by_value(seed):
    """``_vwhere`` (a default set where its fact is unknown, ``apply_defaults``): the column
    ``from_objects`` makes of the values chosen row by row — kind, unknown, none, values —, for
    text, booleans and integers, against a column of none and of another kind."""
    from lexquery.columnar.compile import V, from_objects
    from lexquery.rules.values import UNKNOWN
    rng = np.random.default_rng(seed)
    n = 500
    pools = {"str": ["FR", "MA", "RO"], "bool": [True, False], "int": [0, 3, 7]}

    def column(kind, p_unk, p_nil):
        if kind == "none":
            return V("none", None, rng.random(n) < p_unk, np.zeros(n, dtype=bool))
        vals = [UNKNOWN if r < p_unk else None if r < p_unk + p_nil else pools[kind][rng.integers(len(pools[kind]))]
                for r in rng.random(n)]
        return from_objects(vals)
    seen = set()
    for ka, kb in [("str", "none"), ("str", "str"), ("bool", "none"), ("int", "int"), ("none", "bool"),
                   ("str", "bool"), ("none", "none")]:
        for p_unk, p_nil in [(0.3, 0.2), (1.0, 0.0)]:
            a, b = column(ka, p_unk, p_nil), column(kb, 0.4, 0.1)
            if kb == "none":
                b.unk[rng.random(n) < 0.5] = False   # rows of a column of none: unknown or none
            for x in (a, b):   # what a column holds where unknown or none is not read
                if x.kind in ("bool", "int"):
                    x.v[x.unk | x.nil] = 1
            sel = rng.random(n) < 0.6
            got = CP._vwhere(sel, a, b)
            want = from_objects([x if s else y for x, y, s in zip(a.objects(), b.objects(), sel.tolist())])
            assert got.kind == want.kind, (ka, kb)
            assert np.array_equal(got.unk, want.unk) and np.array_equal(got.nil, want.nil)
            assert got.objects() == want.objects()
            if want.kind != "none":
                assert np.array_equal(got.v[~got.unk & ~got.nil], want.v[~want.unk & ~want.nil])
                if want.kind != "str":
                    assert np.array_equal(got.v, want.v)
            seen.add(want.kind)
    assert {"str", "bool", "int", "none", "obj"} <= seen
