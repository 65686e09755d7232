"""engine/verify.py's re-evaluations on the status-only path (``screen``) reuse the conditions
that cannot read the reference fact replaced (engine/status_only.py ``rerun_env``).

Two properties, on synthetic rows (all cells known, and a third of the cells emptied):

- the static reading of each memoised condition (``StatusOnly._reads``: the functions its
  expressions, children, the conditions and derived values it reads call) covers every
  reference fact its evaluation actually records;
- ``to_verify`` (and the whole row) is the same with the reuse and without it.
"""
from __future__ import annotations

from datetime import date

import pytest

from columnar_helpers import blank, read_cases
from lexquery.engine.api import Engine
from lexquery.engine.candidates import candidate_states
from lexquery.engine.facts import apply_defaults
from lexquery.engine.status_only import _fact_key, _reads_any
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
    so = eng.status_only
    checked = 0
    for case in _cases(300, share):
        c, _ = apply_defaults(case, eng.book, eng.ref)
        states = [s for s, _ in candidate_states(c)] or [UNKNOWN]
        for p in eng.book.procedures.values():
            reads = so._reads(p)
            for state in states:
                for cid, fn in so.cond_fns[p.id].items():
                    env = so.env(c, AS_OF, state, p, eng.ref, {})
                    fn(env)   # the condition alone: everything it reads is evaluated (and recorded) now
                    for name in env.evidence:
                        assert _reads_any(reads[cid], [_fact_key(name)]), (p.id, cid, name, reads[cid])
                        checked += 1
    assert checked > 1000   # the conditions do read reference facts


@pytest.mark.parametrize("share", [0.0, 0.33])
def test_to_verify_same_with_and_without_reuse(share, monkeypatch):
    cases = _cases(400, share)
    eng = _ENGINE

    def rows():
        out = []
        for c in cases:
            a = eng.ask(c, AS_OF, explain=False)
            out.append([(r.procedure, r.state, r.status, r.date_from, r.date_until, r.to_verify,
                         r.missing_facts, r.basis, [(x.procedure, x.status, x.date_from) for x in r.routes])
                        for r in a.procedures])
        return out

    reused = rows()
    so = eng.status_only
    calls = []
    original = so.rerun_env

    def no_reuse(env, p, overrides, shared):   # the first evaluation's results forgotten
        calls.append(1)
        kept, env.kept = env.kept, None
        try:
            return original(env, p, overrides, shared)
        finally:
            env.kept = kept

    monkeypatch.setattr(so, "rerun_env", no_reuse)
    assert rows() == reused
    assert len(calls) > 100   # re-evaluations did happen
