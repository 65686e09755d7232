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

import re
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


_ANY = ("*", None)   # reads any reference fact (a function this module does not know)
_CALL = re.compile(r'([A-Za-z_]\w*)\s*\(\s*("([^"]*)")?')


def _fact_key(name: str) -> tuple:
    """``party(STE112,MA)`` → ("party", "STE112"); ``law:x`` → ("law:", "x")."""
    if name.startswith("law:"):
        return "law:", name[4:]
    head, _, rest = name.partition("(")
    return head, rest.rstrip(")").split(",")[0]


def _path(f: str) -> tuple:
    """``removal_measures[0].kind`` → ("removal_measures", "kind")."""
    return tuple(re.sub(r"\[[^\]]*\]", "", f).split("."))


def _overlap(facts, tried) -> bool:
    """Whether a condition reading the paths ``facts`` (None: any) may read one of ``tried``:
    one path is the other or lies under it."""
    if facts is None:
        return True
    for t in tried:
        for f in facts:
            n = min(len(f), len(t))
            if f[:n] == t[:n]:
                return True
    return False


def _reads_any(reads: frozenset, keys) -> bool:
    """Whether a condition that may read ``reads`` (:meth:`StatusOnly._cond_reads`) may read one
    of the reference facts ``keys`` (:func:`_fact_key`)."""
    if _ANY in reads:
        return True
    for head, arg in keys:
        if (head, None) in reads or (head, arg) in reads:
            return True
    return False


class BatchEnv(Env):
    """An :class:`Env` whose evaluated conditions are tuples (see the module docstring).
    ``kept``: None, or — for an evaluation engine/verify.py will redo — the results the
    procedure's own conditions stored (:meth:`StatusOnly.rerun_env`)."""
    __slots__ = ("cond_fns", "kept", "top")

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
        self.reads: dict[str, dict] = {}        # procedure id -> condition id -> reference facts it may read
        self.facts: dict[str, dict] = {}        # procedure id -> condition id -> fact paths it may read
        self.inner: dict[str, dict] = {}        # procedure id -> condition id -> conditions it evaluates in turn
        self.free: dict[tuple, frozenset] = {}  # (procedure id, what changes) -> conditions that cannot read it
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

    def env(self, case, as_of, state, p, ref, shared, keep: bool = False, seed=None) -> BatchEnv:
        """The environment of one evaluation of ``p``. ``keep``: remember the results of the
        procedure's own conditions (for :meth:`rerun_env`); ``seed``: condition results known
        to be those this evaluation would compute (:meth:`rerun_env`)."""
        env = BatchEnv(case, as_of, state, self.book, ref, False, shared)
        env.cond_fns = self.cond_fns[p.id]
        env.kept = () if keep else None
        env.top = None
        if seed:
            env.results.update(seed)
        return env

    def rerun_env(self, env: BatchEnv, p, overrides: dict, shared) -> BatchEnv:
        """The environment in which engine/verify.py evaluates ``p`` again, as in ``env`` (its
        first evaluation, made with ``keep``; ``shared`` the derived values it was given) but
        with the reference facts ``overrides`` replaced. The results that the conditions
        memoised as ``cond.<id>`` stored during the procedure's own conditions are given to
        it when those conditions cannot read any of the facts replaced (their expressions,
        ``when``, children, the conditions and derived values they read, call no function
        that records such a fact: :data:`lexquery.rules.functions.EVIDENCE`): the same
        operations on the same values give the same result. Exact for what engine/verify.py
        compares (status, dates, consent, basis, routes); only the missing facts listed
        inside a condition that reads a replaced fact may differ (a memoised condition read
        adds none). Results stored later (routes, notes: ``from_date`` known) are not given."""
        seed = None
        if env.kept:
            key = (p.id, "reads", frozenset(overrides))
            free = self.free.get(key)
            if free is None:   # the conditions that cannot read those facts (static: once per key)
                keys = [_fact_key(n) for n in overrides]
                free = self.free[key] = frozenset(cid for cid, rd in self._guarded(p, "reads").items()
                                                  if not _reads_any(rd, keys))
            seed = self._seed(p, env.kept, free, False)
        e = self.env(env.case, env.as_of, env.state, p, env.ref, shared, seed=seed)
        e.overrides = overrides
        return e

    def trial_env(self, env: BatchEnv, p, case, shared, touched) -> BatchEnv:
        """The environment in which engine/prove.py evaluates ``p`` for ``case``: the case of
        ``env`` (its first evaluation, made with ``keep``) with the fact paths ``touched``
        given values. The results that the conditions memoised as ``cond.<id>`` stored during
        the procedure's own conditions are given to it when they are settled (not unknown:
        such a result adds no missing fact to the condition that reads it, memoised or not)
        and cannot read any path touched (the fact paths of their expressions, children, the
        conditions and derived values they read: ``Compiled.facts``)."""
        seed = None
        if env.kept and touched:
            key = (p.id, "facts", touched)
            free = self.free.get(key)
            if free is None:   # the conditions that cannot read those paths (static: once per key)
                tried = [_path(f) for f in touched]
                free = self.free[key] = frozenset(cid for cid, fs in self._guarded(p, "facts").items()
                                                  if not _overlap(fs, tried))
            seed = self._seed(p, env.kept, free, True)
        return self.env(case, env.as_of, env.state, p, env.ref, shared, seed=seed)

    def _seed(self, p, kept, free, settled: bool) -> dict:
        """The results of ``kept`` (a first evaluation's memoised conditions, in order) to give
        to another evaluation: those of the conditions in ``free`` (and, when ``settled``, not
        unknown), when every condition they
        evaluated in turn (their children and the conditions they read, transitively, that
        the first evaluation stored) is given too — so that none of those is evaluated later,
        in another context (``from_date`` set, missing facts gathered by another condition).
        A condition whose ``when`` was false (result None) is never given, nor any that
        contains it."""
        if settled:
            good = {cid: r for cid, r in kept if r is not None and cid in free and r[0] != "unknown"}
        else:
            good = {cid: r for cid, r in kept if r is not None and cid in free}
        if len(good) == len(kept):
            return good
        bad = {cid for cid, _ in kept if cid not in good}
        inner = self._inner(p)
        return {cid: r for cid, r in good.items() if inner[cid].isdisjoint(bad)}

    def _guarded(self, p, what: str) -> dict:
        """What a condition's result given to another evaluation depends on (``what``: the
        reference facts of :meth:`_reads`, or the fact paths of :meth:`_facts`): what it reads,
        and what the ``when`` of each condition above it reads (so that the other evaluation
        reaches it, among its procedure's own conditions, as the first one did). Anything
        (never given) for a condition of a route, or one whose evaluation, or a ``when``
        above it, reads ``from_date`` (known only after the procedure's own conditions)."""
        key = (p.id, "guarded", what)
        hit = self.free.get(key)
        if hit is not None:
            return hit
        index = cond_index(p)
        base = self._reads(p) if what == "reads" else self._facts(p)
        anything = frozenset([_ANY]) if what == "reads" else None
        dated = self._dated(p)

        def when_of(c):
            if c.when is None:
                return frozenset()
            if what == "reads":
                return frozenset(self._expr_reads(c.when, index, dict(base), set(), set()))
            x = self._expr_facts(c.when, index, dict(base), set(), set())
            return None if x is None else frozenset(x)

        hit = {cid: anything for cid in index}
        stack = [(c, frozenset(), False) for c in p.conditions]
        while stack:
            c, above, off = stack.pop()
            w = when_of(c)
            own = base[c.id]
            if off or c.id in dated or own is None or w is None or above is None:
                hit[c.id] = anything
                below, off_below = None, True
            else:
                hit[c.id] = own | above
                below, off_below = above | w, False
            for ch in c.children:
                stack.append((ch, below if below is not None else frozenset(), off_below or below is None))
        self.free[key] = hit
        return hit

    def _dated(self, p) -> frozenset:
        """The conditions whose evaluation reads ``from_date`` (through the conditions and
        derived values they read too)."""
        key = (p.id, "dated")
        hit = self.free.get(key)
        if hit is None:
            index, inner = cond_index(p), self._inner(p)
            dated_names = set()
            for n, d in self.book.derived.items():   # derived values that read it, transitively
                if "from_date" in d.context:
                    dated_names.add(n)
            changed = True
            while changed:
                changed = False
                for n, d in self.book.derived.items():
                    if n not in dated_names and d.names & dated_names:
                        dated_names.add(n)
                        changed = True

            def reads_date(c):
                return any(e is not None and ("from_date" in e.context or e.names & dated_names)
                           for e in (c.expr, c.met_if, c.when, c.requires))

            own = {cid for cid, c in index.items() if reads_date(c)}
            hit = self.free[key] = frozenset(cid for cid in index
                                             if cid in own or inner[cid] & own or cid not in index)
        return hit

    def _inner(self, p) -> dict:
        """Condition id → the conditions its evaluation may evaluate in turn: its children
        and the conditions its expressions read (``cond.<id>``), transitively (computed once;
        a condition read but not found: every condition)."""
        hit = self.inner.get(p.id)
        if hit is None:
            index = cond_index(p)
            direct = {}
            for cid, c in index.items():
                ids = {ch.id for ch in c.children}
                for e in (c.expr, c.met_if, c.when, c.requires):
                    if e is not None:
                        ids |= set(e.conds)
                direct[cid] = ids
            hit = self.inner[p.id] = {}
            for cid in index:
                seen, stack = set(), list(direct[cid])
                while stack:
                    x = stack.pop()
                    if x in seen:
                        continue
                    seen.add(x)
                    if x not in direct:   # not found: anything
                        seen |= set(index)
                        break
                    stack.extend(direct[x])
                seen.discard(cid)
                hit[cid] = frozenset(seen)
        return hit

    def _facts(self, p) -> dict:
        """Condition id → the fact paths it may read (as tuples of names; None: any), for every
        condition of ``p`` and its routes (computed once)."""
        hit = self.facts.get(p.id)
        if hit is None:
            hit = self.facts[p.id] = {}
            index = cond_index(p)
            for cid in index:
                self._cond_facts(index, cid, hit, set())
        return hit

    def _cond_facts(self, index, cid, memo, seen):
        if cid in memo:
            return memo[cid]
        c = index.get(cid)
        if c is None or cid in seen:
            return None
        seen.add(cid)
        out = set()
        for e in (c.expr, c.met_if, c.when, c.requires):
            if e is not None and out is not None:
                x = self._expr_facts(e, index, memo, seen, set())
                out = None if x is None else out | x
        for ch in c.children:
            if out is not None:
                x = self._cond_facts(index, ch.id, memo, seen)
                out = None if x is None else out | x
        seen.discard(cid)
        memo[cid] = None if out is None else frozenset(out)
        return memo[cid]

    def _expr_facts(self, e, index, memo, seen, names_seen):
        out = {_path(f) for f in e.facts}
        for n in e.names:   # derived values read, transitively
            d = self.book.derived.get(n)
            if d is not None and n not in names_seen:
                names_seen.add(n)
                x = self._expr_facts(d, index, memo, seen, names_seen)
                if x is None:
                    return None
                out |= x
        for cid in e.conds:
            x = self._cond_facts(index, cid, memo, seen)
            if x is None:
                return None
            out |= x
        return out

    def _reads(self, p) -> dict:
        """Condition id → the reference facts it may read, as (head, first argument or None
        for any), for every condition of ``p`` and its routes (computed once)."""
        hit = self.reads.get(p.id)
        if hit is None:
            hit = self.reads[p.id] = {}
            index = cond_index(p)
            for cid in index:
                self._cond_reads(index, cid, hit, set())
            for pr in self.prec_over.get(p.id, ()):   # the precedence entries over p: their `when`
                hit[f"precedence:{pr.id}"] = frozenset(self._expr_reads(pr.when, index, hit, set(), set()))
        return hit

    def still_not_applicable(self, env: BatchEnv, p, overrides) -> bool:
        """Whether ``p``, not applicable in ``env`` (its first evaluation, made with ``keep``)
        by its own conditions, stays not applicable — the same outcome for engine/verify.py —
        with the reference facts ``overrides`` replaced: one of its conditions, or a
        precedence entry over it, that failed (not met, no pending date) cannot read those
        facts, so it fails again, and any condition not met makes the procedure not
        applicable (evaluate.settle: no dates, no routes, no consent, no basis). Not for a
        procedure a route may open in place of its conditions (``replaces``)."""
        if not env.top or self.opening[p.id]:
            return False
        key = (p.id, "reads", frozenset(overrides))
        free = self.free.get(key)
        if free is None:
            keys = [_fact_key(n) for n in overrides]
            free = self.free[key] = frozenset(cid for cid, rd in self._reads(p).items()
                                              if not _reads_any(rd, keys))
        return any(r[0] == "not_met" and not r[1] and cid in free for cid, r in env.top)

    def _cond_reads(self, index, cid, memo, seen) -> frozenset:
        if cid in memo:
            return memo[cid]
        c = index.get(cid)
        if c is None or cid in seen:   # a condition read but not found, or a cycle: anything
            return frozenset([_ANY])
        seen.add(cid)
        out = set()
        for e in (c.expr, c.met_if, c.when, c.requires):
            if e is not None:
                out |= self._expr_reads(e, index, memo, seen, set())
        for ch in c.children:
            out |= self._cond_reads(index, ch.id, memo, seen)
        seen.discard(cid)
        memo[cid] = frozenset(out)
        return memo[cid]

    def _expr_reads(self, e, index, memo, seen, names_seen) -> set:
        from ..rules.functions import EVIDENCE, NO_EVIDENCE
        functions = self.book.scope.functions
        out = set()
        for m in _CALL.finditer(e.text):
            fn = m.group(1)
            if fn not in functions or fn in NO_EVIDENCE:
                continue   # a form of the language (if, known, exists…) or a function that records nothing
            ev = EVIDENCE.get(fn)
            if ev is None:
                out.add(_ANY)
            else:
                out.add((ev[0], m.group(3) if ev[1] and m.group(2) else None))
        for n in e.names:   # derived values (and periodic constants: law_gap) read, transitively
            d = self.book.derived.get(n)
            if d is not None and n not in names_seen:
                names_seen.add(n)
                out |= self._expr_reads(d, index, memo, seen, names_seen)
        for cid in e.conds:
            out |= self._cond_reads(index, cid, memo, seen)
        return out

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
        if env.kept is not None:   # before from_date, routes and notes (rerun_env)
            env.kept = list(env.results.items())
        prec = self._precedence(pid, env, results) if pid in self.prec_over else _NOTHING
        direct = settle(results)
        if env.kept is not None and direct[0] == "not_applicable":   # still_not_applicable
            skipped = set(env.skipped)
            env.top = list(zip(list(prec) + [c.id for c in p.conditions if c.id not in skipped], results))
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
