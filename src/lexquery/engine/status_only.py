"""Status-only evaluation for batches (``lexquery screen``), compiled once from the rule files.

:mod:`lexquery.engine.evaluate` builds, for every condition, a :class:`CondResult` with
its label, sources and children — what an explanation shows. A screening row needs less:
each procedure's status, dates, consent, missing facts, sources, routes and dated notes.
Here the conditions of each procedure and route of ``rules/*.yaml`` are generated as one
Python function (:mod:`lexquery.engine.status_source`) whose results are plain tuples
``(status, pending, date, missing, kind)``; the procedure is then settled
exactly as :func:`lexquery.engine.evaluate.evaluate_procedure` settles it (three-valued:
any hard ``not_met`` → not_applicable; else any ``unknown`` → undetermined; else a pending
date → applicable_later; else applicable), precedence entries, routes' ``valid:`` periods,
the paths of routes that stand in for a condition (``settle_paths``) and the settlement of a
pending date under the law in force on it (:mod:`lexquery.engine.in_time`) included.

Nothing legal lives here: the conditions, their expressions, dates and citations are the
rule files'; this module only changes how the same evaluation is carried out. Identity
with the full evaluation is tested row for row (tests/test_screen_fast.py).
"""
from __future__ import annotations

from datetime import date

from ..rules.model import Procedure
from ..rules.values import UNKNOWN
from .answer import NoteResult, ProcedureResult
from .env import Env
from .evaluate import _dedupe, _precedence_over, basis_of, cond_index, outside_validity, route_status, settle, settle_paths
from .in_time import in_time, law_boundaries
from .status_source import condition_function, conditions_function

_TRUTH = {"met": True, "not_met": False}
_NOTHING = ()
_OUT_OF_PERIOD = ("unknown", False, None, (), "validity")  # a route outside its ``valid:`` period


_NO = object()


class _Reads(dict):
    """``env.evidence`` of a first evaluation that engine/verify.py will redo: also logs, in
    order, every reading of a reference fact (``Env.record_evidence`` stores the fact at
    each reading: rules/functions.py)."""
    __slots__ = ("log",)

    def __init__(self):
        super().__init__()
        self.log: list[str] = []

    def __setitem__(self, name, fact):
        dict.__setitem__(self, name, fact)
        self.log.append(name)


class StampedResults(dict):
    """``env.results`` of a procedure's first evaluation when engine/verify.py will evaluate
    it again with one reference fact replaced: for each condition memoised as ``cond.<id>``,
    the reference facts its evaluation read — its own readings, logged between the moment
    it was looked up and not found and the moment its result was stored, and those of the
    memoised conditions it read (replayed into the log when it reads them)."""
    __slots__ = ("log", "start", "reads", "kept")

    def __init__(self, log: list):
        super().__init__()
        self.log = log
        self.start: dict[str, int] = {}
        self.reads: dict[str, frozenset] = {}
        self.kept = None   # (condition id, result, facts read) as the procedure's own conditions left them

    def get(self, cid, default=None):
        r = dict.get(self, cid, _NO)
        if r is _NO:
            self.start[cid] = len(self.log)
            return default
        done = self.reads.get(cid)
        if done:
            self.log.extend(done)
        return r

    def __setitem__(self, cid, r):
        dict.__setitem__(self, cid, r)
        i = self.start.pop(cid, None)
        self.reads[cid] = frozenset(self.log if i is None else self.log[i:])

    def keep(self):
        """Remember the results stored by the procedure's own conditions (before ``from_date``,
        the routes and the notes are evaluated: ``from_date`` is unknown then, as in every
        evaluation of the same procedure)."""
        reads = self.reads
        self.kept = [(cid, r, reads[cid]) for cid, r in self.items() if r is not None]

    def unread(self, names) -> dict:
        """The results kept above whose evaluation read none of the reference facts ``names``."""
        if not self.kept:
            return {}
        return {cid: r for cid, r, read in self.kept if read.isdisjoint(names)}


class BatchEnv(Env):
    """An :class:`Env` whose evaluated conditions are tuples (see the module docstring)."""
    __slots__ = ("cond_fns",)

    def cond(self, cid):
        """Truth of a condition read as ``cond.<id>``: met → true, not met → false, else UNKNOWN;
        a condition not evaluated yet is evaluated now, one that does not apply is false."""
        r = self.results.get(cid)
        if r is None:
            f = self.cond_fns.get(cid)
            if f is not None:
                r = f(self)
            if r is None:
                return False
        return _TRUTH.get(r[0], UNKNOWN)


# --- procedures ------------------------------------------------------------------------------

class StatusOnly:
    """The compiled status-only form of every procedure of a rule book (built once)."""

    def __init__(self, book):
        self.book = book
        self.prec_over = _precedence_over(book)
        self.conds: dict[str, object] = {}      # procedure or route id -> its conditions, one function
        self.cond_fns: dict[str, dict] = {}     # procedure id -> {condition id read as cond.<id>: function}
        lazy = {cid for c, _ in book.compiled() for cid in c.conds}
        for p in book.procedures.values():  # the alternatives of `basis:` are read after evaluation
            if p.basis is not None:
                lazy |= {ch.id for ch in cond_index(p)[p.basis].children}
        for p in book.procedures.values():
            for q in [p, *p.routes]:
                self.conds[q.id] = conditions_function(q.conditions, book.scope, q.id, lazy)
            self.cond_fns[p.id] = {cid: condition_function(c, book.scope, p.id, lazy)
                                   for cid, c in cond_index(p).items() if cid in lazy}
        # notes with neither `when` nor a date to compute: one shared result each (never mutated)
        self.notes = {q.id: [(n, NoteResult(n.id, n.kind, "", n.sources, None, n.verify)
                              if n.when is None and (n.date is None or q is not p) else None)
                             for n in q.notes]
                      for p in book.procedures.values() for q in [p, *p.routes]}
        # procedures with a route that stands in for one of their conditions (``replaces``)
        self.opening = {p.id: any(rt.replaces for rt in p.routes) for p in book.procedures.values()}
        # what a procedure that does not apply still lists: its duties (routes: nothing)
        self.duties = {pid: [(n, c) for n, c in entries if n.kind == "duty"] for pid, entries in self.notes.items()}

    def env(self, case, as_of, state, p, ref, shared, stamped: bool = False, seed=None) -> BatchEnv:
        """The environment of one evaluation of ``p``. ``stamped``: its results are stamped
        (:class:`StampedResults`) for :meth:`rerun_env`; ``seed``: condition results known
        to be those this evaluation would compute (:meth:`rerun_env`)."""
        env = BatchEnv(case, as_of, state, self.book, ref, False, shared)
        env.cond_fns = self.cond_fns[p.id]
        if stamped:
            env.evidence = _Reads()
            env.results = StampedResults(env.evidence.log)
        elif seed:
            env.results.update(seed)
        return env

    def rerun_env(self, env: BatchEnv, p, overrides: dict, shared) -> BatchEnv:
        """The environment in which engine/verify.py evaluates ``p`` again, as in ``env`` (its
        first evaluation, stamped; ``shared`` the derived values it was given) but with the
        reference facts ``overrides`` replaced. The
        results of the conditions memoised as ``cond.<id>`` that were stored, during the
        procedure's own conditions, and whose evaluation read none of those facts, are given to it:
        the same operations on the same values give the same result (exact; only the missing
        facts listed inside a condition that reads one of them may differ, which no outcome
        compared by engine/verify.py reads)."""
        res = env.results
        seed = None
        if isinstance(res, StampedResults):
            seed = res.unread(overrides)
        e = self.env(env.case, env.as_of, env.state, p, env.ref, shared, seed=seed)
        e.overrides = overrides
        return e

    def procedure(self, p: Procedure, env: BatchEnv, outcome_only: bool = False) -> ProcedureResult:
        """As evaluate.evaluate_procedure with ``env.explain`` false (same steps, same order).
        ``outcome_only`` (the proof of engine/prove.py): no notes and no sources. A pending
        date is settled under the law in force on it (engine/in_time.py), as there."""
        r = self._procedure_on(p, env, outcome_only)
        bounds = law_boundaries(self.book, p)
        if bounds:
            def on(day):
                e = self.env(env.case, day, env.state, p, env.ref, None)
                e.overrides = env.overrides
                out = outside_validity(p, e)
                return out if out is not None else self.procedure(p, e, True)
            r = in_time(r, env.as_of, bounds, on)
        return r

    def _procedure_on(self, p: Procedure, env: BatchEnv, outcome_only: bool = False) -> ProcedureResult:
        """The procedure under the law in force on ``env.as_of`` only."""
        pid = p.id
        results = self.conds[pid](env)
        if type(env.results) is StampedResults:
            env.results.keep()
        prec = self._precedence(pid, env, results) if pid in self.prec_over else _NOTHING
        direct = settle(results)
        env.from_date = direct[1] if direct[1] is not None else env.as_of
        routes, rows = [], []
        opening = self.opening[pid]
        if direct[0] != "not_applicable" or opening:
            for rt in p.routes:
                res, r_rows = self._route(rt, env, outcome_only)
                routes.append(res)
                rows.append(r_rows)
        if opening:
            skipped = set(env.skipped)
            ids = list(prec) + [c.id for c in p.conditions if c.id not in skipped]
            status, date_from, date_until, opens_by, route_missing, direct_missing = settle_paths(
                pid, direct, list(zip(ids, results)),
                [(rt.id, rt.replaces, rr) for rt, rr in zip(p.routes, rows) if rt.replaces])
        else:
            status, date_from, date_until = direct
            opens_by = pid if status in ("applicable", "applicable_later") else None
            route_missing, direct_missing = (), True
        applies = status != "not_applicable"
        until_missing = ()
        if applies and p.until is not None:
            saved, env.missing = env.missing, set()
            u = p.until.fn(env)
            um, env.missing = env.missing, saved
            if u is not UNKNOWN and u is not None:
                date_until = u if date_until is None else min(date_until, u)
            elif u is UNKNOWN:
                until_missing = um
        env.from_date = date_from if date_from is not None else env.as_of
        consent = None
        if applies:
            missing = set(until_missing) | set(route_missing)
            if direct_missing:
                for r in results:
                    if r[0] == "unknown":
                        missing.update(r[3])
            if p.consent_required is not None:
                saved, env.missing = env.missing, set()
                v = p.consent_required.fn(env)
                cm, env.missing = env.missing, saved
                if v is UNKNOWN:
                    missing |= cm
                    for r in results:
                        missing.update(r[3])
                else:
                    consent = bool(v)
            missing = sorted(missing)
            notes = [] if outcome_only else self._notes(pid, env, True, True, True)
        else:  # a necessary condition fails: no unknown fact can change that, no route is shown
            missing = []
            notes = [] if outcome_only else self._notes(pid, env, False, True, True)
            routes = []
        sources = [] if outcome_only else \
            self._sources(p, env, prec, p.consent_sources if consent is not None else (), notes)
        return ProcedureResult(pid, p.label, env.state if env.state is not UNKNOWN else None, status,
                               date_from, date_until, consent, [], missing, sources,
                               notes=notes, routes=routes, consent_defined=p.consent_required is not None,
                               basis=basis_of(p, env, status), basis_defined=p.basis is not None,
                               opens_by=opens_by if p.routes else None)

    def route(self, rt: Procedure, env: BatchEnv, outcome_only: bool = False) -> ProcedureResult:
        """As evaluate.evaluate_route with ``env.explain`` false."""
        return self._route(rt, env, outcome_only)[0]

    def _route(self, rt: Procedure, env: BatchEnv, outcome_only: bool = False) -> tuple:
        """The route's result and its conditions' result tuples (read by settle_paths)."""
        results = self.conds[rt.id](env)
        prec = self._precedence(rt.id, env, results)
        status, date_from, date_until, gap = route_status(rt, env.as_of, results, settle, _OUT_OF_PERIOD)
        missing = sorted({m for r in results if r[0] == "unknown" for m in r[3]}) \
            if status == "undetermined" and not gap else []
        open_ = status != "not_applicable" and not gap   # as evaluate.evaluate_route
        notes = [] if outcome_only else self._notes(rt.id, env, open_, False, False)
        consent = None
        if rt.consent_required is not None and open_:
            v = rt.consent_required.fn(env)
            consent = None if v is UNKNOWN else bool(v)
        sources = [] if outcome_only else self._sources(rt, env, prec, (), notes)
        return ProcedureResult(rt.id, rt.label, None, status, date_from, date_until, consent, [],
                               missing, sources, notes=notes, is_route=True), results

    def _notes(self, pid, env, applies, keep_duties, dated) -> list:
        """As evaluate._notes without texts: the notes that apply (all when the procedure
        ``applies``, else its duties if ``keep_duties`` — what evaluate._notes keeps with
        ``kinds_always=("duty",)``), with their dates when ``dated``."""
        if applies:
            entries = self.notes[pid]
        elif keep_duties:
            entries = self.duties[pid]
        else:
            return []
        out = []
        for n, const in entries:
            if const is not None:
                out.append(const)
                continue
            if n.when is not None and n.when.fn(env) is not True:
                continue
            d = n.date.fn(env) if (dated and n.date is not None) else None
            out.append(NoteResult(n.id, n.kind, "", n.sources, d if isinstance(d, date) else None, n.verify))
        return out

    def _precedence(self, pid, env, results) -> tuple:
        """As evaluate._precedence: each declared entry over ``pid`` whose ``when`` holds, or
        may hold, goes first among ``results`` (not met, or unknown); returns their ids."""
        entries = self.prec_over.get(pid)
        if not entries:
            return _NOTHING
        ids = []
        for pr in entries:
            saved, env.missing = env.missing, set()
            v = pr.when.fn(env)
            miss, env.missing = env.missing, saved
            if v is False:
                continue
            if v is UNKNOWN:
                for cid in sorted(pr.when.conds):
                    r = env.results.get(cid)
                    if r is not None:
                        miss |= set(r[3])
                r = ("unknown", False, None, tuple(sorted(miss)), "precedence")
            else:
                r = ("not_met", False, None, _NOTHING, "precedence")
            results.insert(0, r)
            ids.insert(0, f"precedence:{pr.id}")
        return tuple(ids)

    def _sources(self, p: Procedure, env, prec: tuple, consent_sources, notes) -> list:
        """As evaluate._sources_of: the procedure's sources, then those of the precedence
        entries and of every evaluated condition (depth first), the consent's and the notes',
        deduplicated — computed once per shape of the evaluated tree."""
        key = (tuple(env.skipped), prec, bool(consent_sources), tuple([n.id for n in notes]))
        memo = p.__dict__.get("_status_only_sources")
        if memo is None:
            memo = p.__dict__["_status_only_sources"] = {}
        hit = memo.get(key)
        if hit is None:
            skipped = set(env.skipped)
            by_id = {f"precedence:{pr.id}": pr for pr in self.prec_over.get(p.id, ())}
            srcs = list(p.sources)
            for pid in prec:
                srcs += by_id[pid].sources
            stack = list(reversed(p.conditions))
            while stack:
                c = stack.pop()
                if c.id in skipped:
                    continue
                srcs += c.sources
                stack.extend(reversed(c.children))
            srcs += list(consent_sources)
            for n in notes:
                srcs += n.sources
            hit = memo[key] = _dedupe(srcs)
        return list(hit)
