"""The rules compiled to vectors (columnar/compile*.py) give, row for row, the conditions the
scalar evaluator (engine/evaluate.py, without explanations) gives: status and pending date as a rank code, the condition's
date, and the fact paths it lists as missing — on synthetic registry exports, whole and with a
quarter of their cells blanked (unknown facts), for every procedure and a candidate State."""
import numpy as np
import pytest

from lexquery.columnar.compile import Ctx, from_objects
from lexquery.columnar.compile_conditions import NONE_DATE
from lexquery.columnar.program import Program, fact_paths, facts_from_cases
from lexquery.columnar import vdates
from lexquery.engine.candidates import candidate_states
from lexquery.engine.env import Env
from lexquery.engine.evaluate import _evaluate_on, cond_index, eval_condition, evaluate_procedure
from lexquery.rules.values import UNKNOWN

from columnar_helpers import engine, synth_cases, with_defaults

def _env(eng, c, state, p):
    """The scalar evaluator's environment for procedure ``p``, without explanations."""
    env = Env(c, c["as_of"], state, eng.book, eng.ref, False, None)
    env._cond_index, env._eval_cond = cond_index(p), eval_condition
    return env


EFF = {("met", False): 4, ("to_assess", False): 3, ("unknown", False): 2, ("not_met", True): 1,
       ("not_met", False): 0}


@pytest.mark.parametrize("n,seed,share", [(1500, 0, 0.0), (1500, 3, 0.25), (800, 5, 0.5)])
def test_conditions_as_vectors(n, seed, share):
    eng = engine()
    book = eng.book
    cases = with_defaults([c for _, _, c in synth_cases(n, seed, share)], eng)
    prog = Program(book, eng.ref)
    states = []
    for c in cases:   # the last candidate: a State other than the nationality, sometimes
        cs = candidate_states(c)
        states.append(cs[-1][0] if cs else UNKNOWN)
    facts = facts_from_cases(cases, fact_paths(book))
    as_of = np.array([vdates.to_days(c["as_of"]) for c in cases], dtype=np.int64)
    checked = 0
    for p in book.procedures.values():
        ctx = Ctx(len(cases), facts, as_of, from_objects(states), prog)
        cp = prog.procs[p.id]
        ctx.cond_fns = cp["index"]
        res = [f(ctx)[0] for f in cp["conds"]]
        for i, c in enumerate(cases):
            env = _env(eng, c, states[i], p)
            conds = [r for r in (eval_condition(x, env) for x in p.conditions) if r is not None]
            want = [(EFF[r.status, r.pending], r.date, tuple(r.missing)) for r in conds]
            got = [(int(r.eff[i]), None if r.date[i] == NONE_DATE else vdates.from_days(r.date[i]),
                    tuple(sorted(k for k, m in r.miss.items() if m[i]))) for r in res if r.on[i]]
            assert got == want, (p.id, i, states[i], c)
            checked += 1
    assert checked == len(cases) * len(book.procedures)


@pytest.mark.parametrize("in_time", [False, True])
@pytest.mark.parametrize("n,seed,share", [(1500, 0, 0.0), (1500, 4, 0.25)])
def test_procedures_settled_as_vectors(n, seed, share, in_time):
    """Each procedure settled over the batch (precedence, routes, the paths that stand in for a
    condition, until, consent, notes, legal basis, the opening path) as the scalar evaluator
    settles it, row for row: under the law of ``as_of`` only (``eval_on``), and with its dates
    settled under the law in force on them (``eval_proc``, engine/in_time.py)."""
    from lexquery.columnar.compile_conditions import NONE_DATE as ND
    from lexquery.columnar.program import STATUS
    eng = engine()
    book = eng.book
    cases = with_defaults([c for _, _, c in synth_cases(n, seed, share)], eng)
    prog = Program(book, eng.ref)
    states = []
    for c in cases:
        cs = candidate_states(c)
        states.append(cs[-1][0] if cs else UNKNOWN)
    facts = facts_from_cases(cases, fact_paths(book))
    as_of = np.array([vdates.to_days(c["as_of"]) for c in cases], dtype=np.int64)

    def d(x):
        return None if x == ND else vdates.from_days(x)
    for p in book.procedures.values():
        ev = prog.eval_proc if in_time else prog.eval_on
        pv = ev(Ctx(len(cases), facts, as_of, from_objects(states), prog), p.id)
        for i, c in enumerate(cases):
            ev_one = evaluate_procedure if in_time else _evaluate_on   # with or before engine/in_time
            r = ev_one(p, _env(eng, c, states[i], p), book)
            want = (r.status, r.date_from, r.date_until, r.consent_required, list(r.missing_facts),
                    [(x.procedure, x.status, x.date_from) for x in r.routes],
                    [(x.id, x.date) for x in r.notes], [b["id"] for b in r.basis], r.opens_by)
            got = (STATUS[int(pv.status[i])], d(pv.d_from[i]), d(pv.d_until[i]),
                   {-1: None, 0: False, 1: True}[int(pv.consent[i])],
                   sorted(k for k, m in pv.missing.items() if m[i]),
                   [(rv.p.id, STATUS[int(rv.status[i])], d(rv.d_from[i])) for rv in pv.routes if rv.shown[i]],
                   [(nn.id, d(x[i])) for nn, on, x, _ in pv.notes if on[i]],
                   [k for k, m in (pv.basis or {}).items() if m[i]],
                   pv.opens_ids[int(pv.opens[i])] if p.routes and pv.opens[i] >= 0 else None)
            assert got == want, (p.id, i, states[i], c)
