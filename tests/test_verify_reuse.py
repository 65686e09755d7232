"""engine/verify.py's re-evaluations and engine/prove.py's trials without explanations
(``ask(explain=False)``: ``screen``) reuse the results of the conditions that cannot read the
reference fact replaced, or the case facts given values (engine/reuse.py ``rerun_env``,
``trial_env``, from the static reading of engine/reads.py).

Two properties, on synthetic rows (all cells known, and a third of the cells emptied):

- the static reading of each condition (``Reads.reads``: the functions its expressions,
  children, the conditions and derived values it reads call) covers every reference fact its
  evaluation actually records;
- every re-evaluation and trial gives the same result with the reuse and without it (status,
  dates, consent, missing facts, basis, routes); a re-evaluation spared because a failed
  condition cannot read the fact replaced (``still_not_applicable``) is indeed not
  applicable; and the answers are the same with all of it and without.
"""
from __future__ import annotations

from datetime import date

import pytest

from columnar_helpers import blank, read_cases
from lexquery.engine.api import Engine
from lexquery.engine.candidates import candidate_states
from lexquery.engine.env import Env
from lexquery.engine.evaluate import cond_index, eval_condition, evaluate_procedure
from lexquery.engine.facts import apply_defaults
from lexquery.engine.reads import ANY, Reads, fact_key, reads_any
from lexquery.rules.values import UNKNOWN
from lexquery.screening.synth import synth_text

AS_OF = date(2026, 12, 1)
_ENGINE = Engine().prepare_batch()


def _cases(n, share):
    text = synth_text(n, 3, AS_OF)
    if share:
        text = blank(text, share, 4)
    return [c for _, _, c in read_cases(text, AS_OF)]


@pytest.mark.parametrize("share", [0.0, 0.33])
def test_static_reads_cover_what_each_condition_records(share):
    eng = _ENGINE
    rd = eng.reuse.reads
    checked = 0
    for case in _cases(300, share):
        c, _ = apply_defaults(case, eng.book, eng.ref)
        states = [s for s, _ in candidate_states(c)] or [UNKNOWN]
        for p in eng.book.procedures.values():
            reads, index = rd.reads(p), cond_index(p)
            for state in states:
                for cid, cond in index.items():   # every condition: any may be given (engine/reuse.py)
                    env = Env(c, AS_OF, state, eng.book, eng.ref, False, {})
                    env._cond_index, env._eval_cond = index, eval_condition
                    eval_condition(cond, env)   # the condition alone: everything it reads is evaluated (and recorded) now
                    for name in env.evidence:
                        assert reads_any(reads[cid], [fact_key(name)]), (p.id, cid, name, reads[cid])
                        checked += 1
    assert checked > 1000   # the conditions do read reference facts


def _outcome(r):
    return (r.status, r.date_from, r.date_until, r.consent_required, r.missing_facts, r.basis,
            [(x.procedure, x.status, x.date_from, x.date_until, x.missing_facts) for x in r.routes])


@pytest.mark.parametrize("share", [0.0, 0.33])
def test_each_reevaluation_same_with_and_without_reuse(share, monkeypatch):
    eng = _ENGINE
    so = eng.reuse
    seen = {"rerun": 0, "trial": 0, "seeded": 0}

    def outcome_of(p, env):   # as engine/api.py evaluates a reevaluation
        return _outcome(evaluate_procedure(p, env, eng.book, outcome_only=True))

    def compare(name, make):
        def wrapped(env, p, *args):
            shared = args[-2] if name == "trial" else args[-1]
            fresh = (lambda: dict(shared)) if shared is not None else (lambda: None)
            a = make(env, p, *args[:-2], fresh(), args[-1]) if name == "trial" else make(env, p, args[0], fresh())
            seen["seeded"] += bool(a.results)
            kept, env.kept = env.kept, None       # the first evaluation's results forgotten
            try:
                b = make(env, p, *args[:-2], fresh(), args[-1]) if name == "trial" else make(env, p, args[0], fresh())
            finally:
                env.kept = kept
            if name == "rerun":
                a.overrides = b.overrides = args[0]
            assert outcome_of(p, a) == outcome_of(p, b), (name, p.id, args)
            seen[name] += 1
            return make(env, p, *args)
        return wrapped

    still = so.still_not_applicable

    def checked_still(env, p, overrides):   # the re-evaluation it spares: not applicable indeed
        yes = still(env, p, overrides)
        if yes:
            kept, env.kept = env.kept, None
            try:
                e = so.rerun_env(env, p, overrides, env._derived)
            finally:
                env.kept = kept
            r = evaluate_procedure(p, e, eng.book, outcome_only=True)
            assert (r.status, r.date_from, r.date_until, r.consent_required, r.basis, r.routes) == \
                ("not_applicable", None, None, None, [], []), (p.id, overrides)
            seen["spared"] += 1
        return yes

    seen["spared"] = 0
    monkeypatch.setattr(so, "rerun_env", compare("rerun", so.rerun_env))
    monkeypatch.setattr(so, "trial_env", compare("trial", so.trial_env))
    monkeypatch.setattr(so, "still_not_applicable", checked_still)
    for c in _cases(300, share):
        eng.ask(c, AS_OF, explain=False)
    assert seen["rerun"] > 100 and seen["trial"] > 100 and seen["seeded"] > 100 and seen["spared"] > 50


@pytest.mark.parametrize("share", [0.0, 0.33])
def test_answers_same_with_and_without_reuse(share, monkeypatch):
    cases = _cases(400, share)
    eng = _ENGINE

    def rows():
        out = []
        for c in cases:
            a = eng.ask(c, AS_OF, explain=False)
            out.append([(r.procedure, r.state, r.to_verify, r.irrelevant_facts, _outcome(r)) for r in a.procedures])
        return out

    reused = rows()
    so = eng.reuse
    calls = []

    def forget(make):
        def wrapped(env, p, *args):
            calls.append(1)
            kept, env.kept = env.kept, None
            try:
                return make(env, p, *args)
            finally:
                env.kept = kept
        return wrapped

    monkeypatch.setattr(so, "rerun_env", forget(so.rerun_env))
    monkeypatch.setattr(so, "trial_env", forget(so.trial_env))
    monkeypatch.setattr(so, "still_not_applicable", lambda env, p, overrides: False)
    assert rows() == reused
    assert len(calls) > 100   # re-evaluations and trials did happen


def test_a_condition_is_given_only_where_the_other_evaluation_reaches_it():
    """What a given result depends on includes the ``when`` above it (the other evaluation
    must reach it as the first did); a route's condition, and one that reads ``from_date``,
    are never given. A procedure built for the test from real compiled expressions."""
    from types import SimpleNamespace as NS

    from lexquery.rules.expr_closures import compile_expr

    book = _ENGINE.book
    so = Reads(book)   # only the static analysis

    def cond(cid, expr=None, when=None, children=()):
        def x(text):
            return compile_expr(text, book.scope, f"test/{cid}") if text else None
        return NS(id=cid, expr=x(expr), when=x(when), met_if=None, requires=None, children=list(children))

    a = cond("a", 'party_from("STE112", state)')
    b = cond("b", "sentence.final")
    g = cond("g", when='party("STE167", state)', children=[a, b])
    d = cond("d", "from_date > as_of")
    e = cond("e", "sentence.custodial")
    p = NS(id="test_proc", conditions=[g, d], routes=[NS(conditions=[e])])
    reads, facts = so.guarded(p, "reads"), so.guarded(p, "facts")
    assert reads["b"] == {("party", "STE167")} and facts["b"] == {("sentence", "final")}
    assert reads["a"] == {("party", "STE112"), ("party", "STE167")}
    assert reads["d"] == {ANY} and facts["d"] is None           # reads from_date
    assert reads["e"] == {ANY} and facts["e"] is None           # a route's condition
    assert so.reads(p)["b"] == frozenset()                       # its own reading: nothing
