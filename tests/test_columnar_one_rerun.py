"""Issue 16, the reruns of the verification and the trials of the proof stacked into evaluations
(columnar/compile_population.py ``_Population.verify``'s ``rerun``, ``_trials``,
``_trial_batch``): how the reruns are grouped into calls (:func:`lexquery.columnar.reuse.batches`)
changes what is evaluated together, never a result.

Each rerun (a reference fact replaced, engine/verify.py) and each trial (case facts given
values, engine/prove.py) is a segment of rows with its own changed facts; a call evaluates
the segments stacked and splits the results back by segment. The screening's rows are the
same whether every rerun and trial is evaluated alone (one call each, with its own conditions
given), all those of a call site stacked into one call (the conditions given: those given to
every segment), or grouped as the program groups them — with facts known and with a quarter
of the cells blank (unknown facts: more reruns, more trials).
"""
from __future__ import annotations

import pytest

from columnar_helpers import AS_OF, blank, engine, frame_from_cases, read_cases
from lexquery.columnar import compile_population as CP
from lexquery.columnar.program import compile_book
from lexquery.screening.synth import synth_text

_ENG = engine()


def _apart(p, items, fixed=None):
    """Every rerun alone: one call each, with its own conditions given."""
    return [(item[0], [j]) for j, item in enumerate(items)]


def _stacked(p, items, fixed=None):
    """Every rerun of a call site with the same tag in one call: the conditions given are those
    given to each (None: none given)."""
    by: dict = {}
    for j, item in enumerate(items):
        ids, tag = item[0], item[2]
        g = by.get(tag)
        if g is None:
            by[tag] = [ids, [j]]
        else:
            g[0] = None if g[0] is None or ids is None else g[0] & ids
            g[1].append(j)
    return [tuple(g) for g in by.values()]


def _run(monkeypatch, frame, grouping):
    """The program's rows over ``frame`` with the reruns grouped by ``grouping`` (None: the
    program's own), and the number of evaluations of a procedure called by the verification's
    reruns and by the proof's trials."""
    if grouping is not None:
        monkeypatch.setattr(CP, "batches", grouping)
    prog = compile_book(_ENG.book, _ENG.ref)
    calls = {"verify": 0, "prove": 0}
    where = []

    def within(name, fn):   # fn, noting while it runs whose calls are counted
        def call(*a, **k):
            where.append(name)
            try:
                return fn(*a, **k)
            finally:
                where.pop()
        return call
    orig = prog.eval_proc
    depth = []

    def spy(ctx, pid, outcome_only=False):
        if where and not depth:   # a rerun's or trial's own call (not one in time inside it)
            calls[where[-1]] += 1
        depth.append(1)
        try:
            return orig(ctx, pid, outcome_only)
        finally:
            depth.pop()
    prog.verify, prog._trial_batch, prog.eval_proc = within("verify", prog.verify), within("prove", prog._trial_batch), spy
    out = prog.run(frame)
    monkeypatch.undo()
    return out, calls


@pytest.mark.parametrize("share", [0.0, 0.25])
def test_rows_the_same_however_the_reruns_are_stacked(monkeypatch, share):
    text = synth_text(1500, 23, AS_OF)
    if share:
        text = blank(text, share, 24)
    frame = frame_from_cases(read_cases(text))
    own, c_own = _run(monkeypatch, frame, None)
    apart, c_apart = _run(monkeypatch, frame, _apart)
    stacked, c_stacked = _run(monkeypatch, frame, _stacked)
    # the groupings differ: more calls apart, fewer stacked (else nothing would be compared)
    for w in ("verify", "prove"):
        assert c_apart[w] > c_own[w] >= c_stacked[w] > 0, (w, c_apart, c_own, c_stacked)
    assert c_own["verify"] > c_stacked["verify"] or c_own["prove"] > c_stacked["prove"]
    assert own.columns == apart.columns == stacked.columns
    assert own.height == apart.height == stacked.height > 0
    for name in own.columns:   # column by column: the first that differs is named
        assert own[name].to_list() == apart[name].to_list(), ("apart", name)
        assert own[name].to_list() == stacked[name].to_list(), ("stacked", name)
    assert any(v for v in own["to_verify"].to_list())   # the verification lists facts here


def test_batches_weigh_one_more_call_by_the_cost_given():
    """``reuse.batches`` joins two groups when one call less (``fixed``) is worth the conditions
    no longer given to both: never with 0, always with a cost beyond any row count, and as
    :data:`reuse.FIXED` when none is given — tags never joined."""
    from lexquery.columnar import reuse
    p = _ENG.book.procedures["ste_transfer"]
    order = reuse.tree(p)[0]
    a, b = frozenset(order[:3]), frozenset(order[1:4])
    items = [(a, 1000, None), (b, 1000, None), (a, 500, True)]
    assert sorted(len(js) for _, js in reuse.batches(p, items, 0)) == [1, 1, 1]
    joined = reuse.batches(p, items, 10**9)
    assert sorted(len(js) for _, js in joined) == [1, 2]
    ids = next(i for i, js in joined if len(js) == 2)
    assert ids == a & b   # given to both only
    # 2,000 rows losing one condition each: 2,000 × 0.2 = 400 — joined above that cost only
    assert len(reuse.batches(p, items[:2], 399)) == 2 and len(reuse.batches(p, items[:2], 401)) == 1
    assert reuse.batches(p, items[:2]) == reuse.batches(p, items[:2], reuse.FIXED)


def test_a_call_costs_twice_when_the_first_evaluation_went_on_to_a_later_day():
    """``eval_proc`` records on its result the rows it evaluated again on a later day (the law
    changing: compile_in_time), and the reruns and trials of such a procedure count one more call
    twice (``_call_cost``); the others as reuse.FIXED."""
    from lexquery.columnar import reuse
    prog = compile_book(_ENG.book, _ENG.ref)
    seen = {}
    orig = prog.prove

    def spy(ctx, pv, p, *a):
        seen[p.id] = (pv.in_time, CP._call_cost(pv))
        return orig(ctx, pv, p, *a)
    prog.prove = spy
    prog.run(frame_from_cases(read_cases(synth_text(1500, 23, AS_OF))))
    assert seen["lc_expulsion"][0] > 0 and seen["lc_expulsion"][1] == 2 * reuse.FIXED
    assert seen["prefecture_notice"] == (0, reuse.FIXED)
