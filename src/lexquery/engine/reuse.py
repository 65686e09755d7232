"""The reevaluations of an answer without explanations reuse what cannot change.

Without explanations (``Engine.ask(..., explain=False)``: ``lexquery screen --engine scalar``,
the columnar program's reference rows), a procedure is evaluated once for the case, then
again by engine/verify.py (a reference fact replaced: does the outcome depend on it?) and by
engine/prove.py (the facts tried given values: can they change the answer?). Three exact
savings, from the static reading of the rule files (:mod:`lexquery.engine.reads`):

- :meth:`Reuse.still_not_applicable`: a procedure that does not apply because one of its own
  conditions (or a precedence entry over it) failed, a condition that cannot read the fact
  replaced, fails again — not evaluated again;
- :meth:`Reuse.rerun_env`: the results of the conditions stored during the procedure's own
  conditions that cannot read the facts replaced are given to the reevaluation;
- :meth:`Reuse.trial_env`: the same for the proof's trials, for the settled results (not
  unknown) of the conditions that cannot read the fact paths tried.

The first evaluation keeps its results (``Env.kept``: set to ``()`` before it, filled by
engine/evaluate.py after the procedure's own conditions; ``Env.top``: its top-level results
when they make it not applicable). Nothing legal lives here; identity with the reevaluations
made from scratch is tested (tests/test_verify_reuse.py).
"""
from __future__ import annotations

from .env import Env
from .evaluate import _opening
from .reads import Reads, fact_key, reads_any


class Reuse:
    """The reuse of a first evaluation's results for one rule book (static parts computed once)."""

    def __init__(self, book):
        self.book = book
        self.reads = Reads(book)

    def rerun_env(self, env: Env, p, overrides: dict, shared) -> Env:
        """The environment in which engine/verify.py evaluates ``p`` again, as in ``env`` (its
        first evaluation, made with ``kept``; ``shared`` the derived values it was given) but
        with the reference facts ``overrides`` replaced. The results that the conditions
        memoised as ``cond.<id>`` stored during the procedure's own conditions are given to
        it when those conditions cannot read any of the facts replaced (their expressions,
        ``when``, children, the conditions and derived values they read, call no function
        that records such a fact: :data:`lexquery.rules.functions.EVIDENCE`): the same
        operations on the same values give the same result. Exact for what engine/verify.py
        compares (status, dates, consent, basis, routes, the dates of notes — evaluated again,
        reading the conditions given as the first evaluation did); only the missing facts listed
        inside a condition that reads a replaced fact may differ (a memoised condition read
        adds none). Results stored later (routes, notes: ``from_date`` known) are not given."""
        e = Env(env.case, env.as_of, env.state, self.book, env.ref, False, shared)
        if env.kept:
            e.results.update(self._seed(p, env.kept, self.reads.unaffected(p, "reads", overrides), False))
        e.overrides = overrides
        return e

    def trial_env(self, env: Env, p, case, shared, touched) -> Env:
        """The environment in which engine/prove.py evaluates ``p`` for ``case``: the case of
        ``env`` (its first evaluation, made with ``kept``) with the fact paths ``touched``
        given values. The results that the conditions memoised as ``cond.<id>`` stored during
        the procedure's own conditions are given to it when they are settled (not unknown:
        such a result adds no missing fact to the condition that reads it, memoised or not)
        and cannot read any path touched (the fact paths of their expressions, children, the
        conditions and derived values they read: ``Compiled.facts``)."""
        e = Env(case, env.as_of, env.state, self.book, env.ref, False, shared)
        if env.kept and touched:
            e.results.update(self._seed(p, env.kept, self.reads.unaffected(p, "facts", touched), True))
        return e

    def still_not_applicable(self, env: Env, p, overrides) -> bool:
        """Whether ``p``, not applicable in ``env`` (its first evaluation, made with ``kept``)
        by its own conditions, stays not applicable — the same outcome for engine/verify.py —
        with the reference facts ``overrides`` replaced: one of its conditions, or a
        precedence entry over it, that failed (not met, no pending date) cannot read those
        facts, so it fails again, and any condition not met makes the procedure not
        applicable (evaluate.settle: no dates, no routes, no consent, no basis) — and the dated
        notes shown all the same (a duty's) cannot read them (Reads.shown_anyway). Not for a
        procedure a route may open in place of its conditions (``replaces``)."""
        if not env.top or _opening(p):
            return False
        anyway = self.reads.shown_anyway(p)   # a duty's date, shown all the same, may change
        if anyway and reads_any(anyway, [fact_key(n) for n in overrides]):
            return False
        free = self.reads.unaffected(p, "reads", overrides, guarded=False)
        return any(r.status == "not_met" and not r.pending and cid in free for cid, r in env.top)

    def _seed(self, p, kept, free, settled: bool) -> dict:
        """The results of ``kept`` (a first evaluation's memoised conditions, in order) to give
        to another evaluation: those of the conditions in ``free`` (and, when ``settled``, not
        unknown), when every condition they evaluated in turn (their children and the
        conditions they read, transitively, that the first evaluation stored) is given too —
        so that none of those is evaluated later, in another context (``from_date`` set,
        missing facts gathered by another condition). A condition whose ``when`` was false
        (result None) is never given, nor any that contains it."""
        good = {cid: r for cid, r in kept
                if r is not None and cid in free and not (settled and r.status == "unknown")}
        if len(good) == len(kept):
            return good
        bad = {cid for cid, _ in kept if cid not in good}
        inner = self.reads.inner(p)
        return {cid: r for cid, r in good.items() if inner[cid].isdisjoint(bad)}
