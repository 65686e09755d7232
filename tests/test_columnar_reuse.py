"""The columnar reruns take from the first evaluation the conditions that cannot read what
changed, down to the conditions inside a condition (columnar/reuse.py): the verification's
(a reference fact replaced, engine/verify.py) and the proof's (a case fact given each value of
its domain, engine/prove.py).

On synthetic rows (all cells known, and a quarter of the cells emptied: facts missing), for
every procedure: each rerun gives, with the conditions given and evaluated afresh, the same
status, dates, consent, basis and routes (what verify compares) — and for the proof's trials
the same missing facts too (what the proof compares). Also: what the analysis gives is not
empty where it should give (legal_basis of ste_transfer, an any_of whose alternatives read
different reference facts), so the test would see a wrong result given.
"""
from __future__ import annotations

import numpy as np
import pytest

from columnar_helpers import AS_OF, blank, engine, frame_from_cases, read_cases
from lexquery.columnar import reuse
from lexquery.columnar.compile import V, from_objects
from lexquery.columnar.program import compile_book
from lexquery.engine.facts import _ENUMS, _spec
from lexquery.kb.reference import Fact
from lexquery.screening.synth import synth_text

_ENG = engine()


def _captured(n, share):
    """(ctx, first evaluation, procedure) of every procedure over a synthetic export."""
    prog = compile_book(_ENG.book, _ENG.ref)
    text = synth_text(n, 5, AS_OF)
    if share:
        text = blank(text, share, 6)
    out = []
    orig = prog.verify

    def verify(ctx, pv, p):
        out.append((ctx, pv, p))
        return orig(ctx, pv, p)
    prog.verify = verify
    prog.run(frame_from_cases(read_cases(text)))
    return prog, out


def _same(a, b, missing: bool):
    """The parts of two evaluations the reruns compare (and their missing facts)."""
    def miss(x):
        return {k: m for k, m in x.missing.items() if m.any()}

    for comp_a, comp_b in [(a, b)] + list(zip(a.routes, b.routes)):
        for f in ("status", "d_from", "d_until", "consent"):
            assert np.array_equal(getattr(comp_a, f), getattr(comp_b, f)), f
        if comp_a is not a:
            assert np.array_equal(comp_a.shown, comp_b.shown)
        if missing:
            ma, mb = miss(comp_a), miss(comp_b)
            assert set(ma) == set(mb)
            for k in ma:
                assert np.array_equal(ma[k], mb[k]), k
    if a.basis is not None:
        for cid in a.basis:
            assert np.array_equal(a.basis[cid], b.basis[cid]), cid


def _rerun(prog, ctx, pv, p, idx, overrides=None, facts=None, given=None):
    sub = ctx.sub(idx)
    if overrides is not None:
        o = np.empty(len(idx), dtype=object)
        o[:] = [overrides] * len(idx)
        sub.set_overrides(o, np.ones(len(idx), dtype=np.int64))
    if facts is not None:
        for path, col in facts.items():
            sub.facts[path] = col
    sub.seed = None if given is None else {x: pv.conds[x].take(idx) for x in given}
    return prog.eval_proc(sub, p.id, True)


@pytest.mark.parametrize("share", [0.0, 0.25])
def test_verification_reruns_the_same_with_conditions_given(share):
    prog, caught = _captured(1500, share)
    checked = nested = 0
    for ctx, pv, p in caught:
        names = {}
        for ev in pv.evs:
            for k, m in ev.items():
                if not k.startswith("law:"):
                    names[k] = names.get(k, np.zeros(ctx.n, dtype=bool)) | m
        top = {c.id for c in p.conditions}
        for k, seen in names.items():
            idx = np.nonzero(seen)[0]
            f = prog.fact_of(k, int(ctx.as_of[idx[0]])) if len(idx) else None
            if not isinstance(f, Fact):
                continue
            for alt in ((Fact(None, f.evidence, f.note, None),) if f.value is not None else
                        (Fact(False, f.evidence, f.note, "U"), Fact(True, f.evidence, f.note, "U"))):
                given = prog._given_ids(p, pv, "reads", {k})
                nested += len(set(given) - top)
                fresh = _rerun(prog, ctx, pv, p, idx, overrides={k: alt})
                seeded = _rerun(prog, ctx, pv, p, idx, overrides={k: alt}, given=given)
                _same(fresh, seeded, missing=False)
                checked += 1
    assert checked > 50 and nested > 50


@pytest.mark.parametrize("share", [0.0, 0.25])
def test_proof_trials_the_same_with_conditions_given(share):
    prog, caught = _captured(1500, share)
    checked = nested = 0
    for ctx, pv, p in caught:
        top = {c.id for c in p.conditions}
        paths = sorted({f for x in [pv] + list(pv.routes) for f, m in x.missing.items() if m.any()})
        for path in paths:
            spec = _spec(path)
            if "[" in path or not (isinstance(spec, str) and spec in _ENUMS):
                continue
            idx = np.nonzero(np.logical_or.reduce([x.missing[path] for x in [pv] + list(pv.routes)
                                                   if path in x.missing]))[0]
            given = prog._given_ids(p, pv, "facts", {path})
            nested += len(set(given) - top)
            for value in _ENUMS[spec]:
                col = from_objects([value] * len(idx))
                fresh = _rerun(prog, ctx, pv, p, idx, facts={path: col})
                seeded = _rerun(prog, ctx, pv, p, idx, facts={path: col}, given=given)
                _same(fresh, seeded, missing=True)
                checked += 1
    assert checked > 20 and nested > 0


def test_the_analysis_gives_inner_conditions_of_the_rule_book():
    """ste_transfer: with a STE 112 party replaced, the alternatives of legal_basis that read
    no STE 112 party are given, not legal_basis nor the conditions that read it."""
    p = _ENG.book.procedures["ste_transfer"]
    prog = compile_book(_ENG.book, _ENG.ref)
    order, _, _ = reuse.tree(p)
    prog._cond_reads_of(p)
    free = prog._reads_so.unaffected(p, "reads", {"party(STE112,MA)"}, guarded=False)
    given = reuse.given(p, _ENG.book, free, prog._cond_closure(p), set(order), True)
    assert "legal_basis" not in given and "ste112_party" not in given and "no_convention" not in given
    assert "basis_bilateral" in given and "without_consent_167" in given
    assert not reuse.early(p, _ENG.book) & given


class _E:
    def __init__(self, *conds):
        self.conds, self.names = set(conds), set()


class _C:
    def __init__(self, cid, *children, when=None, expr=None):
        self.id, self.children, self.when, self.expr = cid, list(children), when, expr
        self.met_if = self.requires = None


class _P:
    def __init__(self, *conditions):
        self.id, self.conditions, self.routes = "p", list(conditions), []


class _Book:
    derived: dict = {}


def test_early_conditions():
    # a reads b before b's turn: b early; c reads a after it: a not early
    p = _P(_C("a", expr=_E("b")), _C("b"), _C("c", expr=_E("a")))
    assert reuse.early(p, _Book()) == {"b"}
    # a child reads its parent (evaluated in the middle of it): the parent is early
    p = _P(_C("a", _C("a1", expr=_E("a"))))
    assert reuse.early(p, _Book()) == {"a"}
    # d, under b, is evaluated when a reads b — before z's turn: z early too
    p = _P(_C("a", expr=_E("b")), _C("z"), _C("b", _C("d", expr=_E("z"))))
    assert reuse.early(p, _Book()) == {"b", "z"}
    # a condition not among the procedure's own (a route's): early
    p = _P(_C("a", expr=_E("elsewhere")))
    assert reuse.early(p, _Book()) == {"elsewhere"}


def test_given_conditions():
    # b1 has no when, b2 has one: with b changed, b1 is given, b2 is not (its `when` passes
    # missing facts to b, evaluated again), nor b
    b1, b2 = _C("b1"), _C("b2", when=_E())
    p = _P(_C("a"), _C("b", b1, _C("bx"), b2))
    order, _, under = reuse.tree(p)
    closure = {cid: frozenset(under[cid]) for cid in order}
    free = {"a", "b1", "b2"}
    assert reuse.given(p, _Book(), free, closure, set(order), False) == {"a", "b1"}
    # not evaluated by the first evaluation: not given
    assert reuse.given(p, _Book(), free, closure, {"b1"}, False) == {"b1"}
    # early: not given (a read as cond.a by one evaluated before it)
    p = _P(_C("x", expr=_E("a")), _C("a"))
    order, _, under = reuse.tree(p)
    closure = {"x": frozenset({"x", "a"}), "a": frozenset({"a"})}
    assert reuse.given(p, _Book(), {"a"}, closure, set(order), False) == frozenset()
    assert reuse.given(p, _Book(), {"a"}, closure, set(order), True) == {"a"}   # verify: the top level as it was


def test_batches_join_small_ones_only_of_the_same_tag():
    p = _P(_C("a"), _C("b"), _C("c"))
    items = [(frozenset({"a", "b"}), 5000, 0), (frozenset({"a"}), 10, 0), (frozenset({"a", "b"}), 7000, 1),
             (frozenset({"a", "b"}), 3000, 0)]
    out = reuse.batches(p, items)
    by = {tuple(sorted(js)): ids for ids, js in out}
    assert by == {(0, 1, 3): frozenset({"a"}), (2,): frozenset({"a", "b"})}


@pytest.mark.parametrize("share", [0.0, 0.25])
def test_an_outcome_only_evaluation_records_no_evidence_and_settles_the_same(share):
    """The reruns, trials and later days (``eval_proc(..., outcome_only=True)``) record no
    evidence (``Ctx.no_ev``: only the first evaluation's is read, by verify): over the same
    rows they give, for every procedure, the status, dates, consent, basis, routes and missing
    facts of an evaluation that records it — and none of its evidence."""
    prog, caught = _captured(1500, share)
    with_ev = 0
    for ctx, pv, p in caught:
        idx = np.arange(ctx.n)
        full = prog.eval_proc(ctx.sub(idx), p.id, False)
        sub = ctx.sub(idx)
        lean = prog.eval_proc(sub, p.id, True)
        assert sub.no_ev and not any(ev for ev in lean.evs)
        with_ev += sum(bool(ev) for ev in full.evs)
        _same(full, lean, missing=True)
    assert with_ev > 10   # the full evaluations did record evidence: the comparison sees it
