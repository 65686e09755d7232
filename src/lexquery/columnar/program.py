"""The columnar program: every procedure of ``rules/*.yaml`` evaluated over a population.

``compile_book(book)`` compiles once the rule book (the same :class:`~lexquery.rules.model.RuleBook`
the scalar engine evaluates) to vector functions (:mod:`.compile`, :mod:`.compile_conditions`);
``Program.run(frame)`` evaluates a typed input frame (one row per case, COLUMNAR-INTERFACE)
and returns the output frame: the screening rows, text for text, that the scalar engine gives
(``lexquery screen``), plus the rows it hands back (``Program.fallback``) when it cannot
evaluate them exactly.

The steps are those of :class:`lexquery.engine.api.Engine` with ``explain=False`` — the facts
the case format defines (``defaults:``), the candidate States (``engine/candidates.py``),
each procedure settled as ``engine/status_only.py`` settles it (precedence, routes and the
paths that stand in for a condition, ``until``, consent, notes), what to verify
(``engine/verify.py``: the procedure evaluated again with a reference fact unknown), the
facts proven irrelevant (``engine/prove.py``: evaluated again for each value a missing fact
can take) — each step over whole columns. The steps that only shape the answer (settlement,
proof, verification) are generic; every condition, date, threshold and citation comes from
the rule files.
"""
from __future__ import annotations

from datetime import date

import numpy as np

from ..dates import Duration, parse_duration
from ..engine.candidates import REASONS
from ..engine.evaluate import _precedence_over, cond_index
from ..rules.values import UNKNOWN
from . import vdates
from .compile import Compiler, Ctx, TakenFacts, vconcat, NotVectorisable, V, _false, const, from_objects, merge, restrict
from .compile_conditions import (MET, NONE_DATE, NOT_MET, PENDING, TO_ASSESS, UNKNOWN_, CondV,
                                 ConditionCompiler)

# procedure status codes
NA, UND, LATER, APP = 0, 1, 2, 3
STATUS = {NA: "not_applicable", UND: "undetermined", LATER: "applicable_later", APP: "applicable"}


class _Stub:
    """What a reference look-up of rules/functions.py reads of its environment."""
    __slots__ = ("ref", "as_of", "overrides", "book", "recorded")

    def __init__(self, ref, as_of, overrides, book):
        self.ref, self.as_of, self.overrides, self.book = ref, as_of, overrides, book
        self.recorded = None

    def record_evidence(self, name, fact):
        self.recorded = (name, fact)


class ProcV:
    """One procedure (or route) over a batch: status code, from / until (NONE_DATE: none),
    consent (-1 none, 0 false, 1 true), missing facts, notes on and their dates, what shapes
    its sources, its routes, its legal basis, and the reference look-ups consulted."""

    def __init__(self, **kw):
        self.__dict__.update(kw)


class Program:
    """The rule book compiled to vector functions (built once, :func:`compile_book`)."""

    def __init__(self, book, ref=None, succession=None):
        if ref is None:
            from ..kb.reference import load_reference
            ref = load_reference()
        self.book, self.ref, self.succession = book, ref, succession
        self.exprs = Compiler(book)
        self.conds_c = ConditionCompiler(self.exprs)
        self.derived_fns = {n: self.exprs.expr(c) for n, c in book.derived.items()}
        self.prec_over = _precedence_over(book)
        self.prec_when = {pr.id: self.exprs.expr(pr.when) for pr in book.precedence}
        self.procs = {}
        for p in book.procedures.values():
            self.procs[p.id] = self._compile_proc(p)
        self.defaults = [(d, self.exprs.expr(d.when), self.exprs.expr(d.value)) for d in book.defaults]
        self.bounds = {b.path: (b, self.exprs.expr(b.min), self.exprs.expr(b.max), self.exprs.expr(b.when))
                       for b in book.bounds}
        self._facts_cache: dict = {}

    # -- compilation ------------------------------------------------------------------------
    def _compile_proc(self, p):
        out = {"p": p}
        index = cond_index(p)
        out["index"] = {cid: self.conds_c.build(c) for cid, c in index.items()}
        out["conds"] = [out["index"][c.id] for c in p.conditions]
        out["notes"] = [(n, self.exprs.expr(n.when), self.exprs.expr(n.date)) for n in p.notes]
        out["consent"] = self.exprs.expr(p.consent_required)
        out["until"] = self.exprs.expr(p.until)
        out["asked"] = self.exprs.expr(p.asked_when)
        out["routes"] = []
        for rt in p.routes:
            out["routes"].append({"p": rt, "conds": [out["index"][c.id] for c in rt.conditions],
                                  "notes": [(n, self.exprs.expr(n.when), None) for n in rt.notes],
                                  "consent": self.exprs.expr(rt.consent_required)})
        return out

    # -- what expressions read ----------------------------------------------------------------
    def derived(self, ctx, name) -> V:
        parent = getattr(ctx, "parent", None)
        if parent is not None:
            x = self.derived(parent[0], name).take(parent[1])
            return V(x.kind, x.v, x.unk, x.nil, x.miss, {}, x.d)
        hit = ctx.derived.get(name)
        if hit is None:
            hit = ctx.derived[name] = self.derived_fns[name](ctx)
            return hit
        return V(hit.kind, hit.v, hit.unk, hit.nil, hit.miss, {}, hit.d)

    def read_cond(self, ctx, cid) -> V:
        f = ctx.cond_fns.get(cid)
        n = ctx.n
        if f is None:
            return const(False, n)
        r, passed, ev = f(ctx)
        val = r.on & (r.eff == MET)
        unk = r.on & (r.eff != MET) & (r.eff != NOT_MET) & (r.eff != PENDING)
        return V("bool", val, unk, _false(n), passed, merge(*ev))

    def lookup(self, ctx, name, fn, shape) -> V:
        """A reference look-up over a batch: the scalar function called once per distinct
        (State, date, override) — ``ctx.overrides``: one dict per row (engine/verify.py) or
        None — and the evidence it records, by name, on the rows that consulted it."""
        key = (name, shape)
        hit = ctx.lookups.get(key)
        if hit is not None:
            return V("bool", hit.v, hit.unk, hit.nil, {}, hit.ev)
        n = ctx.n
        st = ctx.state
        ok = ~st.unk & ~st.nil
        val = _false(n)
        unk = np.ones(n, dtype=bool)
        ev = {}
        idx = np.nonzero(ok)[0]
        if len(idx):
            codes, states = ctx.state_codes()
            k = codes[idx] * 200_000 + (ctx.as_of[idx] + 100_000)
            ovr = ctx.overrides
            if ovr is not None:
                oids = ctx.override_codes()
                oid = oids[idx]
                k = k * (int(oids.max()) + 1) + oid
            uniq, first, inv = np.unique(k, return_index=True, return_inverse=True)
            vals = np.zeros(len(uniq), dtype=bool)
            unks = np.ones(len(uniq), dtype=bool)
            names = []
            for u, f in enumerate(first.tolist()):
                i = int(idx[f])
                o = None if ovr is None else ovr[i]
                v, rec = self._look(name, fn, shape, states[codes[i]], int(ctx.as_of[i]), o)
                if v is not UNKNOWN:
                    unks[u] = False
                    vals[u] = bool(v)
                names.append(None if rec is None else rec[0])
            inv = inv.reshape(-1)
            val[idx] = vals[inv]
            unk[idx] = unks[inv]
            for u, nm in enumerate(names):
                if nm is None:
                    continue
                m = ev.get(nm)
                if m is None:
                    m = ev[nm] = _false(n)
                m[idx[inv == u]] = True
        out = V("bool", val & ~unk, unk, _false(n), {}, ev)
        ctx.lookups[key] = out
        return V("bool", out.v, out.unk, out.nil, {}, out.ev)

    def _look(self, name, fn, shape, state, as_of, overrides):
        args = [state if x is None else x for x in shape]
        key = (name, tuple(args), as_of)
        cache = self.__dict__.setdefault("_lookups", {})
        if not overrides and key in cache:
            return cache[key]
        stub = _Stub(self.ref, vdates.from_days(as_of), overrides or None, self.book)
        v = fn(stub, *args)
        out = (v, stub.recorded)
        if stub.recorded is not None and not overrides:   # the reference's own fact, not one tried in its place
            self.__dict__.setdefault("_facts", {})[stub.recorded[0], as_of] = stub.recorded[1]
        if not overrides:
            cache[key] = out
        return out

    def fact_of(self, name, as_of):
        return self._facts.get((name, as_of))

    def item_ctx(self, ctx, parent, items, index, coll):
        """The batch of the items of a collection (``exists`` / ``all``): one row per item."""
        sub = Ctx(len(parent), TakenFacts(ctx.facts, parent), ctx.as_of[parent],
                  ctx.state.take(parent), self, None if ctx.overrides is None else ctx.overrides[parent])
        sub.parent = (ctx, parent)
        sub.conds, sub.cond_fns = {}, ctx.cond_fns
        sub.from_date = None if ctx.from_date is None else ctx.from_date.take(parent)
        if items and all(isinstance(x, dict) for x in items):
            keys = sorted({k for x in items for k in x})
            fields = {(k,): from_objects([x.get(k, UNKNOWN) for x in items]) for k in keys}
        else:
            fields = {(): from_objects(list(items))}
        sub.items = ctx.items + [(fields, coll)]
        return sub


def fact_paths(book) -> list[str]:
    """Every fact path the program reads: those of the book's expressions, and those that
    name the candidate States (engine/candidates.py)."""
    from ..engine.candidates import CANDIDATE_FACTS
    out = set(CANDIDATE_FACTS) | {"removal_measures", "sentence.convictions", "person.location"}
    for c, _ in book.compiled():
        out |= c.facts
    return sorted(out)


def facts_from_cases(cases: list[dict], paths) -> dict:
    """Fact columns from normalised case dicts (what ``read_case`` gives): one :class:`V` per
    path, UNKNOWN where the case leaves it absent."""
    from ..engine.facts import get_path
    return {p: from_objects([get_path(c, p) for c in cases]) for p in paths}


# --- settlement (engine/evaluate.py: settle, settle_paths; engine/status_only.py) ---------------

BIG = np.iinfo(np.int64).max


def settle(rows: list, n: int):
    """``evaluate.settle`` over a batch: (status code, from, until) from condition results
    ``(eff, on, date, kind)``."""
    not_met = _false(n)
    unknown = _false(n)
    pending = _false(n)
    d_from = np.full(n, NONE_DATE, dtype=np.int64)
    d_until = np.full(n, BIG, dtype=np.int64)
    for eff, on, d, kind in rows:
        pending |= on & (eff == PENDING)
        not_met |= on & (eff == NOT_MET)
        unknown |= on & (eff == UNKNOWN_)
        dated = on & (d != NONE_DATE)
        if kind == "from":
            sel = dated & ((eff == MET) | (eff == NOT_MET) | (eff == PENDING))
            d_from = np.where(sel & (d > d_from), d, d_from)
        elif kind == "until":
            sel = dated & ((eff == MET) | (eff == NOT_MET) | (eff == PENDING))
            d_until = np.where(sel & (d < d_until), d, d_until)
        elif kind in ("any_of", "all_of"):
            d_from = np.where(dated & (d > d_from), d, d_from)
    d_until = np.where(d_until == BIG, NONE_DATE, d_until)
    window_closed = (d_until != NONE_DATE) & (d_from != NONE_DATE) & (d_from > d_until)
    status = np.where(not_met, NA, np.where(unknown, UND, np.where(
        pending, np.where(window_closed, NA, LATER), APP))).astype(np.int8)
    na = status == NA
    return status, np.where(na, NONE_DATE, d_from), np.where(na, NONE_DATE, d_until)


def settle_paths(direct, paths, n):
    """``evaluate.settle_paths`` over a batch. ``direct`` = (status, from, until); ``paths`` the
    routes that stand in for a condition, each (status, from, until, missing). Returns
    (status, from, until, opens_by index: -1 none, 0 direct, k route k-1; route missing;
    direct_missing)."""
    sts = np.stack([direct[0]] + [p[0] for p in paths])
    fr = np.stack([direct[1]] + [p[1] for p in paths])
    un = np.stack([direct[2]] + [p[2] for p in paths])
    P = len(sts)
    rows = np.arange(n)
    # applicable: a path without a date first, else the earliest (the first such path on ties)
    app = sts == APP
    key = np.where(app, np.where(fr == NONE_DATE, np.iinfo(np.int64).min, fr), BIG)
    best_app = key.argmin(axis=0)
    any_app = app.any(axis=0)
    later = sts == LATER
    lkey = np.where(later, fr, BIG)
    best_l = lkey.argmin(axis=0)
    any_later = later.any(axis=0)
    best_from = np.where(any_later, fr[best_l, rows], NONE_DATE)
    could = (sts == UND) & (~any_later | (fr == NONE_DATE) | (fr < best_from))
    any_could = could.any(axis=0)
    status = np.where(any_app, APP, np.where(~any_could, np.where(any_later, LATER, NA), UND)).astype(np.int8)
    d_from = np.where(any_app, fr[best_app, rows], np.where(~any_could, np.where(any_later, best_from, NONE_DATE),
                                                            NONE_DATE))
    d_until = np.where(any_app, un[best_app, rows], np.where(~any_could, np.where(any_later, un[best_l, rows],
                                                                                 NONE_DATE), NONE_DATE))
    opens = np.where(any_app, best_app, np.where(~any_could & any_later, best_l, -1))
    # undetermined: from the earliest of the paths that could open first, none if one has no date
    und = status == UND
    cf = np.where(could, fr, BIG)
    has_none = (could & (fr == NONE_DATE)).any(axis=0) | (any_later & (best_from == NONE_DATE))
    m = np.minimum(cf.min(axis=0), np.where(any_later, best_from, BIG))
    d_from = np.where(und, np.where(has_none | (m == BIG), NONE_DATE, m), d_from)
    first_could = could.argmax(axis=0)
    d_until = np.where(und, np.where(direct[0] != NA, direct[2], un[first_could, rows]), d_until)
    route_missing = merge(*[restrict(p[3], could[k + 1] & und) for k, p in enumerate(paths)])
    direct_missing = und & could[0]
    return status, d_from, d_until, opens, route_missing, direct_missing


def _date_v(d, as_of):
    """``from_date``: the first date of use, or the date of evaluation."""
    n = len(d)
    return V("date", np.where(d == NONE_DATE, as_of, d), _false(n), _false(n))


def _code(v: V):
    """-1 none (unknown), 0 false, 1 true: ``None if v is UNKNOWN else bool(v)``."""
    from .compile import truth
    return np.where(v.unk, -1, truth(v).astype(np.int8)).astype(np.int8)


def _note_values(ctx, notes, on_base, dated):
    out = []
    for n_, w, d in notes:
        on = on_base.copy()
        ev = {}
        if w is not None:
            x = w(ctx)
            from .compile import is_true
            ev = restrict(x.ev, on)
            on &= is_true(x)
        nd = np.full(ctx.n, NONE_DATE, dtype=np.int64)
        if dated and d is not None:
            x = d(ctx)
            ev = merge(ev, restrict(x.ev, on))
            if x.kind == "date":
                nd = np.where(on & ~x.unk & ~x.nil, x.v, NONE_DATE)
        out.append((n_, on, nd, ev))
    return out


def _skipped(conds, ctx):
    """Per condition id of a tree (depth first), the rows where it was left out (``when`` false
    or an ancestor left out): what shapes the list of sources."""
    out = {}
    n = ctx.n

    def walk(cs, parent_off):
        for c in cs:
            r = ctx.conds.get(c.id)
            off = parent_off | (~r.on if r is not None else np.ones(n, dtype=bool))
            out[c.id] = off
            walk(c.children, off)
    walk(conds, _false(n))
    return out


class _Eval:
    """Mixed into Program: one procedure over a batch (status_only.StatusOnly.procedure)."""

    def eval_proc(self, ctx, pid, outcome_only=False):
        cp = self.procs[pid]
        p = cp["p"]
        n = ctx.n
        ctx.conds, ctx.cond_fns = {}, cp["index"]
        evs: list = []
        results = []
        for f in cp["conds"]:
            r, _, ev = f(ctx)
            results.append(r)
            evs += ev
        prec_rows, prec_ids = self._precedence(ctx, pid, evs)
        rows = prec_rows + [(r.eff, r.on, r.date, r.kind, r.miss) for r in results]
        direct = settle([x[:4] for x in rows], n)
        ctx.from_date = _date_v(direct[1], ctx.as_of)
        opening = any(rt.replaces for rt in p.routes)
        run_routes = (direct[0] != NA) | opening
        routes = []
        for rc in cp["routes"]:
            rv = self.eval_route(ctx, rc, outcome_only, evs, run_routes)
            routes.append(rv)
        if opening and p.routes:
            shared = [(f"precedence:{i}", x) for i, x in zip(prec_ids, prec_rows)] + \
                     [(r.id, rw) for r, rw in zip(results, rows[len(prec_rows):])]
            paths = []
            for rc, rv in zip(cp["routes"], routes):
                rt = rc["p"]
                if not rt.replaces:
                    continue
                prow = [x for cid, x in shared if cid not in rt.replaces] + rv.rows
                st, df, du = settle([x[:4] for x in prow], n)
                miss = restrict(merge(*[restrict(x[4], x[1] & (x[0] == UNKNOWN_)) for x in prow]), st == UND)
                paths.append((st, df, du, miss))
            status, d_from, d_until, opens, route_missing, direct_missing = settle_paths(direct, paths, n)
            opens_ids = [p.id] + [rc["p"].id for rc in cp["routes"] if rc["p"].replaces]
        else:
            status, d_from, d_until = direct
            opens = np.where((status == APP) | (status == LATER), 0, -1)
            opens_ids = [p.id]
            route_missing, direct_missing = {}, np.ones(n, dtype=bool)
        applies = status != NA
        until_missing = {}
        if cp["until"] is not None:
            u = cp["until"](ctx)
            evs.append(restrict(u.ev, applies))
            if u.kind == "date":
                ok = applies & ~u.unk & ~u.nil
                d_until = np.where(ok, np.where(d_until == NONE_DATE, u.v, np.minimum(d_until, u.v)), d_until)
            until_missing = restrict(u.miss, applies & u.unk)
        ctx.from_date = _date_v(d_from, ctx.as_of)
        consent = np.full(n, -1, dtype=np.int8)
        missing = merge(until_missing, route_missing,
                        *[restrict(x[4], direct_missing & x[1] & (x[0] == UNKNOWN_)) for x in rows])
        if cp["consent"] is not None:
            v = cp["consent"](ctx)
            evs.append(restrict(v.ev, applies))
            c = np.where(applies, _code(v), -1).astype(np.int8)
            cu = applies & v.unk
            missing = merge(missing, restrict(v.miss, cu), *[restrict(x[4], cu & x[1]) for x in rows])
            consent = c
        missing = restrict(missing, applies)
        notes = []
        if not outcome_only:
            base = [applies | (n_.kind == "duty") for n_, _, _ in cp["notes"]]
            notes = []
            for (n_, w, d), b in zip(cp["notes"], base):
                notes += _note_values(ctx, [(n_, w, d)], b, True)
            for _, _, _, ev in notes:
                evs.append(ev)
        basis = self._basis(ctx, p, status)
        for rv in routes:   # a procedure that does not apply shows no route
            rv.shown = rv.run & applies
        return ProcV(p=p, status=status, d_from=d_from, d_until=d_until, consent=consent, missing=missing,
                     notes=notes, routes=routes, prec_ids=prec_ids, prec_on=[x[1] for x in prec_rows],
                     skipped=None if outcome_only else _skipped(p.conditions, ctx), basis=basis,
                     evs=evs, opens=opens, opens_ids=opens_ids, n=n)

    def eval_route(self, ctx, rc, outcome_only, evs, run):
        rt = rc["p"]
        n = ctx.n
        results = []
        for f in rc["conds"]:
            r, _, ev = f(ctx)
            results.append(r)
            evs += [restrict(e, run) for e in ev]
        prec_rows, prec_ids = self._precedence(ctx, rt.id, evs, run)
        rows = prec_rows + [(r.eff, r.on, r.date, r.kind, r.miss) for r in results]
        gap = _false(n)
        if rt.valid_from is not None:
            gap |= ctx.as_of < vdates.to_days(rt.valid_from)
        if rt.valid_until is not None:
            gap |= ctx.as_of > vdates.to_days(rt.valid_until)
        rows = [(np.full(n, UNKNOWN_, dtype=np.int8), gap, np.full(n, NONE_DATE, dtype=np.int64), "validity", {})] + rows
        status, d_from, d_until = settle([x[:4] for x in rows], n)
        missing = restrict(merge(*[restrict(x[4], x[1] & (x[0] == UNKNOWN_)) for x in rows]), status == UND)
        applies = status != NA
        notes = [] if outcome_only else _note_values(ctx, rc["notes"], applies, False)
        for _, _, _, ev in notes:
            evs.append(restrict(ev, run))
        consent = np.full(n, -1, dtype=np.int8)
        if rc["consent"] is not None:
            v = rc["consent"](ctx)
            evs.append(restrict(v.ev, run & applies))
            consent = np.where(applies, _code(v), -1).astype(np.int8)
        return ProcV(p=rt, status=status, d_from=d_from, d_until=d_until, consent=consent, missing=missing,
                     notes=notes, rows=rows, prec_ids=prec_ids, prec_on=[x[1] for x in prec_rows],
                     skipped=None if outcome_only else _skipped(rt.conditions, ctx), run=run, n=n)

    def _precedence(self, ctx, pid, evs, run=None):
        """Each declared entry over ``pid`` whose ``when`` holds or may hold goes first (not
        met, or unknown with the facts that would settle it) — the last entry first."""
        rows, ids = [], []
        for pr in self.prec_over.get(pid, ()):
            v = self.prec_when[pr.id](ctx)
            evs.append(v.ev if run is None else restrict(v.ev, run))
            from .compile import is_false
            on = ~is_false(v)
            miss = v.miss
            for cid in sorted(pr.when.conds):
                r = ctx.conds.get(cid)
                if r is not None:
                    miss = merge(miss, restrict(r.miss, r.on))
            miss = restrict(miss, v.unk)
            eff = np.where(v.unk, UNKNOWN_, NOT_MET).astype(np.int8)
            rows.insert(0, (eff, on, np.full(ctx.n, NONE_DATE, dtype=np.int64), "precedence", miss))
            ids.insert(0, pr.id)
        return rows, ids

    def _basis(self, ctx, p, status):
        """``evaluate.basis_of``: the alternatives of ``basis:`` with the best status."""
        if p.basis is None:
            return None
        group = cond_index(p)[p.basis]
        n = ctx.n
        effs = []
        for ch in group.children:
            r = ctx.conds.get(ch.id)
            effs.append(np.where(r.on, r.eff, -1) if r is not None else np.full(n, -1))
        E = np.stack(effs)
        best = E.max(axis=0)
        ok = (best > NOT_MET) & (status != NA)
        return {ch.id: ok & (E[i] == best) for i, ch in enumerate(group.children)}


for _name in ("eval_proc", "eval_route", "_precedence", "_basis"):
    setattr(Program, _name, getattr(_Eval, _name))


# --- the population: defaults, States, verification, proof, rows -------------------------------

def _vwhere(sel, a: V, b: V) -> V:
    """``a`` where ``sel``, else ``b`` (values, unknown and none)."""
    vals = [x if s else y for x, y, s in zip(a.objects(), b.objects(), sel.tolist())]
    return from_objects(vals)


def _none_state(n):
    return V("none", None, _false(n), np.ones(n, dtype=bool))


def _outcome_arrays(pv, as_of, verify_style: bool):
    """What must agree between two evaluations (engine/verify.py ``outcome``; engine/prove.py
    ``_outcome`` for ``verify_style`` false)."""
    out = [pv.status, pv.d_from, pv.d_until, pv.consent]
    if verify_style:
        if pv.basis is not None:
            live = (pv.status == APP) | (pv.status == LATER)
            out += [m & live for m in pv.basis.values()]
        for rv in pv.routes:
            out += [rv.shown, np.where(rv.shown, rv.status, -1), np.where(rv.shown, rv.d_from, NONE_DATE)]
    return out


def _differs(a: list, b: list, idx=None):
    n = len(a[0])
    d = _false(n)
    for x, y in zip(a, b):
        d |= (x != (y if idx is None else y[idx]))
    return d


def _missing_rows(miss: dict, n) -> list:
    """Per row, the sorted list of the fact paths missing."""
    out = [[] for _ in range(n)]
    for k in sorted(miss):
        for i in np.nonzero(miss[k])[0].tolist():
            out[i].append(k)
    return out


class _Population:

    def apply_defaults(self, facts, as_of, n):
        """``engine.facts.apply_defaults`` over columns: each default, in order, where its fact
        is unknown and its ``when`` holds."""
        from .compile import is_true
        facts = dict(facts)
        for d, w, v in self.defaults:
            ctx = Ctx(n, facts, as_of, _none_state(n), self)
            W, X = w(ctx), v(ctx)
            cur = facts.get(d.path) or V("none", None, np.ones(n, dtype=bool), _false(n))
            sel = cur.unk & is_true(W) & ~X.unk
            if sel.any():
                facts[d.path] = _vwhere(sel, X, cur)
        return facts

    def verify(self, ctx, pv, p):
        """``engine.verify.collect`` over a batch: per row, the names of the answer's to_verify."""
        n = ctx.n
        from ..kb.reference import Fact
        applies = pv.status != NA
        settled_unknown = (pv.status == UND) & (pv.d_from == NONE_DATE) & (pv.d_until == NONE_DATE) \
            & (pv.consent == -1) & ~np.logical_or.reduce([rv.shown for rv in pv.routes] or [_false(n)])
        first: dict = {}
        for pos, ev in enumerate(pv.evs):
            for k, m in ev.items():
                if k.startswith("law:"):
                    continue
                f = first.get(k)
                if f is None:
                    f = first[k] = np.full(n, BIG, dtype=np.int64)
                np.copyto(f, pos, where=m & (f == BIG))
        # every (fact, value to try) over its rows, evaluated again in one batch
        parts, owners = [], []
        for k, fpos in first.items():
            seen = fpos != BIG
            for a in np.unique(ctx.as_of[seen]).tolist():
                f = self.fact_of(k, a)
                if not isinstance(f, Fact):
                    continue
                rows_a = seen & (ctx.as_of == a)
                if f.value is None:
                    rows, alts = rows_a & applies, (Fact(True, f.evidence, f.note, "U"), Fact(False, f.evidence, f.note, "U"))
                elif f.mark in ("I", "U") or f.verify:
                    rows, alts = rows_a & ~settled_unknown, (Fact(None, f.evidence, f.note, None),)
                else:
                    continue
                idx = np.nonzero(rows)[0]
                if not len(idx):
                    continue
                for alt in alts:
                    parts.append((idx, {k: alt}))
                    owners.append(k)
        listed = {}
        if parts:
            idx = np.concatenate([x for x, _ in parts])
            o = np.empty(len(idx), dtype=object)
            o[:] = [d for x, d in parts for _ in range(len(x))]
            sub = ctx.sub(idx)
            sub.overrides = o
            t = self.eval_proc(sub, p.id, True)
            diff = _differs(_outcome_arrays(t, sub.as_of, True), _outcome_arrays(pv, ctx.as_of, True), idx)
            at = 0
            for (x, _), k in zip(parts, owners):
                d = diff[at:at + len(x)]
                at += len(x)
                if d.any():
                    lst = listed.get(k)
                    if lst is None:
                        lst = listed[k] = _false(n)
                    lst[x[d]] = True
        out = [[] for _ in range(n)]
        for i in np.nonzero(np.logical_or.reduce(list(listed.values())) if listed else _false(n))[0].tolist():
            out[i] = [k for k in sorted((k for k in listed if listed[k][i]), key=lambda k: first[k][i])]
        qs = getattr(self.ref, "questions_for", None)
        states = ctx.state.objects()
        memo = {}
        vids = {nn.id for nn in p.notes if nn.verify}
        for i in range(n):
            if applies[i] and qs:
                st = states[i] if isinstance(states[i], str) else None
                key = (st, int(ctx.as_of[i]))
                q = memo.get(key)
                if q is None:
                    q = memo[key] = [f"question:{x['id']}" for x in qs(p.id, st, vdates.from_days(key[1]))]
                if q:
                    out[i] = out[i] + q
        for nn, on, _, _ in pv.notes:
            if nn.id in vids:
                for i in np.nonzero(on)[0].tolist():
                    out[i] = out[i] + [f"note:{nn.id}"]
        return out

    def prove(self, ctx, pv, p, case_facts_ctx=None):
        """``engine.prove.prove`` over a batch: the rows with missing facts evaluated again for
        every combination of the values those facts can take (at most ``prove.CAP``); modifies
        ``pv`` (status, dates, consent, missing facts of the procedure and of its routes)."""
        from itertools import product
        from ..engine import prove as P
        from ..engine.facts import _spec, _ENUMS, default_reads
        n = ctx.n
        comps_all = [pv] + list(pv.routes)
        for x in comps_all:   # owned here: rows are settled one by one below
            x.missing = {k: m.copy() for k, m in x.missing.items()}
        miss_lists = [_missing_rows(pv.missing, n)] + [_missing_rows(rv.missing, n) for rv in pv.routes]
        shown = [np.ones(n, dtype=bool)] + [rv.shown for rv in pv.routes]
        todo = [i for i in range(n) if any(miss_lists[k][i] and shown[k][i] for k in range(len(comps_all)))]
        if not todo:
            return
        bounds = {}
        for path, (b, lo_f, hi_f, w_f) in self.bounds.items():
            bctx = Ctx(n, ctx.facts, ctx.as_of, _none_state(n), self)
            from .compile import is_true
            ok = is_true(w_f(bctx)) if w_f is not None else np.ones(n, dtype=bool)
            lo, hi = lo_f(bctx), hi_f(bctx)
            if lo.kind != "date" or hi.kind != "date":
                ok = _false(n)
                lo_v = hi_v = np.zeros(n, dtype=np.int64)
            else:
                lo_v, hi_v = lo.v, hi.v
                ok &= ~lo.unk & ~hi.unk & ~lo.nil & ~hi.nil & (hi_v >= lo_v)
            bounds[path] = (b, ok, lo_v, hi_v)
        rm = ctx.facts.get("removal_measures")
        rm_objs = rm.objects() if rm is not None else [UNKNOWN] * n
        reads = default_reads(self.book)
        plans: dict = {}
        for i in todo:
            facts_i = list(miss_lists[0][i])
            for k in range(1, len(comps_all)):
                if shown[k][i]:
                    facts_i += [f for f in miss_lists[k][i] if f not in facts_i]
            doms, total = [], 1
            for f in facts_i:
                spec = _spec(f)
                d = None
                if isinstance(spec, str) and spec in _ENUMS:
                    d = list(_ENUMS[spec])
                elif spec in ("date", "date_or_none") and f in bounds:
                    b, ok, lo_v, hi_v = bounds[f]
                    if ok[i]:
                        lo, hi = vdates.from_days(lo_v[i]), vdates.from_days(hi_v[i])
                        d = [lo] if lo == hi else [lo, hi]
                        if b.none and spec == "date_or_none":
                            d.append(None)
                elif spec in ("date", "date_or_none"):
                    for b in self.book.bounds:   # a bound on this path not compiled: should not happen
                        if b.path == f:
                            raise NotVectorisable(f)
                if not d or total * len(d) > P.CAP:
                    continue
                doms.append((f, d))
                total *= len(d)
            if not doms:
                continue
            names = [f for f, _ in doms]
            comps = [k for k in range(len(comps_all)) if shown[k][i] and set(miss_lists[k][i]) & set(names)]
            if not comps:
                continue
            if not all(_settable(f, rm_objs[i]) for f in names):
                continue   # set_path cannot hold it: prove leaves the answer as it is
            key = tuple((f, len(d)) for f, d in doms)
            plans.setdefault(key, []).append((i, doms, comps))
        if not plans:
            return
        # every combination of every row, evaluated again in one batch
        batches, redo, offsets, at = [], False, [], 0
        for key, items in plans.items():
            names = [f for f, _ in key]
            combos = list(product(*[range(m) for _, m in key]))
            T = len(combos)
            rows = np.array([i for i, _, _ in items])
            idx = np.tile(rows, T)
            sub = ctx.sub(idx)
            facts = sub.facts.materialise()
            for j, f in enumerate(names):
                vals = []
                for combo in combos:
                    vals += [doms[j][1][combo[j]] for _, doms, _ in items]
                facts = _set_fact(facts, f, vals, len(idx))
            redo |= bool(set(names) & reads)
            batches.append((facts, idx))
            offsets.append((at, key, items, names, combos, len(rows), T))
            at += len(idx)
        idx = np.concatenate([x for _, x in batches])
        paths = set().union(*[set(f) for f, _ in batches])
        facts = {k: vconcat([f[k] if k in f else ctx.facts[k].take(x) for f, x in batches]) for k in paths}
        sub = ctx.sub(idx)
        if redo:
            facts = self.apply_defaults(facts, sub.as_of, len(idx))
        sub.facts = facts
        t = self.eval_proc(sub, p.id, True)
        outs = [_prove_outcomes(t, sub.as_of)] + [_prove_outcomes(rv, sub.as_of, route=True) for rv in t.routes]
        for at, key, items, names, combos, G, T in offsets:
            for g, (i, doms, comps) in enumerate(items):
                values = [tuple(doms[j][1][c[j]] for j in range(len(names))) for c in combos]
                for k in comps:
                    sub_outs = [outs[k][at + g + tt * G] for tt in range(T)]
                    if any(o is _ABSENT for o in sub_outs):
                        continue
                    _settle_row(comps_all[k], i, sub_outs, values, names, doms, t, k, g, G, T, ctx.as_of[i])


_ABSENT = object()


def _prove_outcomes(pv, as_of, route=False):
    """Per row of a trial batch: ``prove._outcome`` (None when not settled) — or _ABSENT for a
    route the trial does not show — and the first date of use."""
    n = len(pv.status)
    anymiss = np.logical_or.reduce(list(pv.missing.values())) if pv.missing else _false(n)
    out = []
    shown = pv.shown if route else np.ones(n, dtype=bool)
    for i in range(n):
        if not shown[i]:
            out.append(_ABSENT)
            continue
        st = int(pv.status[i])
        if st == UND or anymiss[i]:
            out.append(None)
            continue
        df = int(pv.d_from[i])
        past = st == APP and (df == NONE_DATE or df <= as_of[i])
        out.append((st, "past" if past else df, int(pv.d_until[i]), int(pv.consent[i]), df))
    return out


def _settle_row(x, i, outs, values, names, doms, t, k, g, G, T, as_of):
    """``prove._settle`` for row ``i`` of component ``x`` (the procedure or a route)."""
    key = [None if o is None else o[:4] for o in outs]
    tried = [f for f in names if x.missing.get(f) is not None and x.missing[f][i]]
    if key[0] is not None and all(o == key[0] for o in key):
        o0 = outs[0]
        x.status[i], x.d_until[i], x.consent[i] = o0[0], o0[2], o0[3]
        froms = [o[4] for o in outs if o[4] != NONE_DATE]
        x.d_from[i] = max(froms) if froms else NONE_DATE
        for f in x.missing:
            x.missing[f][i] = False
        return
    from ..engine.prove import _relevant
    for j, f in enumerate(names):
        if f not in tried:
            continue
        if not _relevant(j, key, values):
            x.missing[f][i] = False


def _settable(path, removal):
    """Can ``facts.set_path`` hold a value at ``path`` (an item of a list must be there)?"""
    if path.startswith("removal_measures["):
        k = int(path[len("removal_measures["):path.index("]")])
        return isinstance(removal, list) and k < len(removal)
    return "[" not in path


def _set_fact(facts, path, vals, n):
    """The fact columns with ``path`` set to ``vals`` (one per row)."""
    facts = dict(facts)
    if path.startswith("removal_measures["):
        k = int(path[len("removal_measures["):path.index("]")])
        field = path.split(".", 1)[1]
        old = facts["removal_measures"].objects()
        new = []
        for lst, v in zip(old, vals):
            lst = [dict(x) for x in lst]
            lst[k][field] = v
            new.append(lst)
        facts["removal_measures"] = from_objects(new)
        return facts
    facts[path] = from_objects(list(vals))
    return facts


for _name in ("apply_defaults", "verify", "prove"):
    setattr(Program, _name, getattr(_Population, _name))


# --- the rows ---------------------------------------------------------------------------------

FIELDS = ["line", "id", "name", "as_of", "procedure", "state", "status", "from", "until",
          "consent_required", "missing_facts", "sources", "routes", "deadlines", "message",
          "basis", "to_verify"]   # docs/screening-csv.md
_CONSENT_TEXT = {-1: "", 0: "false", 1: "true"}


def _candidates(facts, n, only_nationalities):
    """``engine.candidates.candidate_states`` per case, from the fact columns."""
    from ..engine.candidates import candidate_states
    cols = {k: (facts[k].objects() if k in facts else [UNKNOWN] * n)
            for k in ("person.nationalities", "person.habitual_residence", "person.fled_to",
                      "removal_measures", "receiving_state")}
    out = []
    for i in range(n):
        person = {}
        for k in ("nationalities", "habitual_residence", "fled_to"):
            v = cols["person." + k][i]
            if v is not UNKNOWN:
                person[k] = v
        case = {"person": person}
        for k in ("removal_measures", "receiving_state"):
            v = cols[k][i]
            if v is not UNKNOWN:
                case[k] = v
        out.append([s for s, _ in candidate_states(case, only_nationalities)])
    return out


def _unknown_paths(facts, i, paths):
    return [f for f in paths if f not in facts or facts[f].unk[i]]


def _run_procedure(self, facts, as_of, n, p, base_ctx):
    """The rows of one procedure for every case: (case index, state order, cells dict)."""
    from ..engine.candidates import CANDIDATE_FACTS, NATIONALITY_FACTS
    from .compile import is_true
    cp = self.procs[p.id]
    asked = np.ones(n, dtype=bool) if cp["asked"] is None else is_true(cp["asked"](base_ctx))
    case_idx, states, no_cand = [], [], []
    if not p.per_state:
        case_idx = np.nonzero(asked)[0].tolist()
        states = [None] * len(case_idx)
        no_cand = [False] * len(case_idx)
    else:
        cands = _candidates(facts, n, p.per_state == "nationalities")
        for i in np.nonzero(asked)[0].tolist():
            if not cands[i]:
                case_idx.append(i)
                states.append(UNKNOWN)
                no_cand.append(True)
            for s in cands[i]:
                case_idx.append(i)
                states.append(s)
                no_cand.append(False)
    m = len(case_idx)
    if not m:
        return []
    idx = np.array(case_idx, dtype=np.int64)
    st = from_objects(states) if p.per_state else _none_state(m)
    ctx = Ctx(m, {k: v.take(idx) for k, v in facts.items()}, as_of[idx], st, self)
    pv = self.eval_proc(ctx, p.id)
    to_verify = self.verify(ctx, pv, p)
    pv.consent0 = pv.consent.copy()   # the sources list the consent's as evaluated, before the proof
    ctx2 = Ctx(m, ctx.facts, ctx.as_of, st, self)
    self.prove(ctx2, pv, p)
    outside = _false(m)
    if p.valid_from is not None:
        outside |= ctx.as_of < vdates.to_days(p.valid_from)
    if p.valid_until is not None:
        outside |= ctx.as_of > vdates.to_days(p.valid_until)
    return self._cells(p, pv, ctx, idx, states, no_cand, to_verify, outside, facts)


def _encoded_until(self, pv, p, as_of, outside, open_rows):
    """``recodification._flag_dates`` (dates computed beyond what the rules encode): per row,
    how many ``law:encoded_until`` entries the answer gets — one for the procedure and one
    for each route shown whose dates pass the last day encoded (its ``valid.until``; without
    one, the day before the new code when a CPP citation of its sources has no settled
    successor). Rows on or after the new code's entry into force are not evaluated here."""
    n = len(as_of)
    table = self.succession
    out = np.zeros(n, dtype=np.int64)
    if table is None:
        return out
    lim_code = None if table.in_force is None else vdates.to_days(table.in_force) - 1

    def late(x, limit_days, dated_notes):
        ds = [x.d_from, x.d_until] + ([d for _, on, d, _ in x.notes] if dated_notes else [])
        m = _false(n)
        for d in ds:
            m |= (d != NONE_DATE) & (d > limit_days)
        return m

    def flag(x, proc, opened, dated_notes, live):
        if proc.valid_until is not None:
            return live & (x.status != NA) & late(x, vdates.to_days(proc.valid_until), dated_notes)
        if lim_code is None:
            return _false(n)
        return live & (x.status != NA) & (as_of <= lim_code) & opened & late(x, lim_code, dated_notes)
    out += flag(pv, p, open_rows, True, np.ones(n, dtype=bool))
    from .shapes import group, sources_text
    for rv in pv.routes:
        rt = rv.p
        opened = _false(n)
        if rt.valid_until is None and lim_code is not None:
            index = cond_index_tree(rt)
            cols = [rv.skipped[c] for c in index] + list(rv.prec_on) + [on for _, on, _, _ in rv.notes]
            inv, first = group(cols) if cols else (np.zeros(n, dtype=np.int64), np.array([0]))
            opens = []
            for g in first.tolist():
                t = sources_text(rt, self.prec_over, frozenset(c for c in index if rv.skipped[c][g]),
                                 tuple(i for i, on in zip(rv.prec_ids, rv.prec_on) if on[g]), False,
                                 tuple(nn.id for nn, on, _, _ in rv.notes if on[g]))
                opens.append(any(table.concerns(s) and not (table.of(s) and table.of(s).settled)
                                 for s in t.split("|")))
            opened = np.array(opens, dtype=bool)[inv]
        out += flag(rv, rt, opened, False, rv.shown)
    return np.where(outside, 0, out)


def _all_sources(self, p):
    from ..engine.evaluate import _walk
    out = list(p.sources) + list(p.consent_sources)
    stack = list(p.conditions)
    while stack:
        c = stack.pop()
        out += c.sources
        stack += c.children
    for nn in p.notes:
        out += nn.sources
    for pr in self.prec_over.get(p.id, ()):
        out += pr.sources
    return out


for _name in ("_run_procedure", "_encoded_until", "_all_sources"):
    setattr(Program, _name, globals()[_name])


def _cells(self, p, pv, ctx, idx, states, no_cand, to_verify, outside, facts):
    """The text cells of the rows of one procedure (docs/screening-csv.md)."""
    from ..engine.candidates import CANDIDATE_FACTS, NATIONALITY_FACTS
    from .shapes import group, iso, sources_text
    m = ctx.n
    table = self.succession
    # sources: one text per shape (conditions left out, precedence entries, consent, notes)
    index = list(cond_index_tree(p))
    cols = [pv.skipped[c] for c in index] + list(pv.prec_on) + [pv.consent0 != -1] + [on for _, on, _, _ in pv.notes]
    inv, first = group(cols)
    texts, opens = [], []
    for g in first.tolist():
        skipped = frozenset(c for c in index if pv.skipped[c][g])
        prec = tuple(i for i, on in zip(pv.prec_ids, pv.prec_on) if on[g])
        nids = tuple(nn.id for nn, on, _, _ in pv.notes if on[g])
        t = sources_text(p, self.prec_over, skipped, prec, bool(pv.consent0[g] != -1), nids)
        texts.append(t)
        opens.append(table is not None and any(table.concerns(s) and not (table.of(s) and table.of(s).settled)
                                               for s in t.split("|")))
    sources = np.array(texts, dtype=object)[inv]
    open_rows = np.array(opens, dtype=bool)[inv]
    flags = self._encoded_until(pv, p, ctx.as_of, outside, open_rows)
    status = pv.status.copy()
    missing = {}
    d_from, d_until, consent = pv.d_from.copy(), pv.d_until.copy(), pv.consent.copy()
    status[outside] = UND
    d_from[outside] = NONE_DATE
    d_until[outside] = NONE_DATE
    consent[outside] = -1
    sources[outside] = "|".join(p.sources)
    for j in np.nonzero(outside)[0].tolist():
        missing[j] = []
    if any(no_cand):
        miss_rows = _missing_rows(pv.missing, m)
        loc = facts.get("person.location")
        for j, nc in enumerate(no_cand):
            if not nc or status[j] == NA:
                continue
            status[j] = UND
            i = int(idx[j])
            if p.per_state == "nationalities":
                cf = NATIONALITY_FACTS
            elif loc is not None and not loc.unk[i] and not loc.nil[i] and loc.v[i] == "FR":
                cf = [f for f in CANDIDATE_FACTS if f != "person.fled_to"]
            else:
                cf = CANDIDATE_FACTS
            before = missing[j] if j in missing else miss_rows[j]
            missing[j] = sorted(set(before) | set(_unknown_paths(facts, i, cf)) or {cf[-1]})
    st_text = np.array([STATUS[k] for k in range(4)], dtype=object)[status]
    from_t, until_t = iso(d_from, NONE_DATE), iso(d_until, NONE_DATE)
    live = ~outside
    # routes: « id:status[:from] » of each route shown (all of a procedure's, or none)
    routes = np.full(m, "", dtype=object)
    if pv.routes:
        acc = None
        for rv in pv.routes:
            rf = iso(rv.d_from, NONE_DATE)
            piece = (rv.p.id + ":") + np.array([STATUS[k] for k in range(4)], dtype=object)[rv.status] \
                + np.where(rf != "", ":" + rf, "")
            acc = piece if acc is None else acc + "|" + piece
        shown = live & np.logical_or.reduce([rv.shown for rv in pv.routes])
        routes = np.where(shown, acc, "")
    deadlines = np.full(m, "", dtype=object)
    for nn, on, d, _ in pv.notes:
        t = iso(d, NONE_DATE)
        piece = np.where(on & live & (t != ""), nn.id + ":" + t, "")
        deadlines = np.where(deadlines == "", piece, np.where(piece == "", deadlines, deadlines + "|" + piece))
    basis = np.full(m, "", dtype=object)
    if pv.basis:
        keys = list(pv.basis)
        inv, first = group([pv.basis[k] & live for k in keys])
        texts = np.array(["|".join(k for k in keys if pv.basis[k][g] and live[g]) for g in first.tolist()], dtype=object)
        basis = texts[inv]
    # missing facts: one text per combination
    mkeys = sorted(pv.missing)
    if mkeys:
        inv, first = group([pv.missing[k] & live for k in mkeys])
        texts = np.array(["|".join(k for k in mkeys if pv.missing[k][g] and live[g]) for g in first.tolist()],
                         dtype=object)
        miss_t = texts[inv]
    else:
        miss_t = np.full(m, "", dtype=object)
    fixed = [j for j in range(m) if (no_cand[j] and status[j] != NA) or outside[j]]
    for j in fixed:
        miss_t[j] = "|".join(missing.get(j, []))
    tv = np.full(m, "", dtype=object)
    for j in range(m):
        names = to_verify[j]
        if names or flags[j]:
            names = ([] if outside[j] else list(names)) + ["law:encoded_until"] * int(flags[j])
            tv[j] = "|".join(names)
    state_t = [s if isinstance(s, str) else "" for s in states]
    return {"case": idx, "procedure": [p.id] * m, "state": state_t, "status": st_text,
            "from": from_t, "until": until_t,
            "consent_required": np.array(["", "false", "true"], dtype=object)[consent.astype(np.int64) + 1],
            "missing_facts": miss_t, "sources": sources, "routes": routes,
            "deadlines": deadlines, "basis": basis, "to_verify": tv}


def cond_index_tree(p):
    """The ids of a procedure's own condition tree, depth first (not its routes')."""
    out = []
    stack = list(reversed(p.conditions))
    while stack:
        c = stack.pop()
        out.append(c.id)
        stack.extend(reversed(c.children))
    return out


def screen(self, facts, as_of, n):
    """Every procedure for every case: the columns of the output rows (without line / id /
    name / as_of), in the scalar engine's order (case, procedure, State)."""
    facts = self.apply_defaults(facts, as_of, n)
    base = Ctx(n, facts, as_of, _none_state(n), self)
    parts = []
    for order, p in enumerate(self.book.procedures.values()):
        cells = self._run_procedure(facts, as_of, n, p, base)
        if cells:
            cells["order"] = np.full(len(cells["case"]), order)
            cells["rank"] = np.arange(len(cells["case"]))
            parts.append(cells)
    case = np.concatenate([c["case"] for c in parts])
    order = np.concatenate([c["order"] for c in parts])
    rank = np.concatenate([c["rank"] for c in parts])
    perm = np.lexsort((rank, order, case))
    out = {"case": case[perm]}
    for k in ("procedure", "state", "status", "from", "until", "consent_required", "missing_facts", "sources",
              "routes", "deadlines", "basis", "to_verify"):
        col = np.empty(len(case), dtype=object)
        col[:] = [x for c in parts for x in c[k]]
        out[k] = col[perm]
    return out


for _name in ("_cells", "screen"):
    setattr(Program, _name, globals()[_name])


def compile_book(book=None, ref=None, succession=None) -> Program:
    """The rule book (default: ``rules/*.yaml``, as the scalar engine loads it) compiled once
    to its columnar program."""
    if book is None:
        from ..engine.api import load_kb
        eng = load_kb()
        book, ref = eng.book, ref or eng.ref
    if succession is None:
        from ..engine.api import _succession
        succession = _succession()
    return Program(book, ref, succession)


# --- the typed frame (COLUMNAR-INTERFACE.md) ------------------------------------------------------

# the CSV columns and the case-format paths they give (docs/screening-csv.md; the same table as
# screening/csv_cases.py COLUMNS, which this floor may not import — tests/test_columnar_program.py
# checks that they agree)
COLUMN_PATHS = {
    "birth_date": "person.birth_date", "nationalities": "person.nationalities",
    "habitual_residence": "person.habitual_residence", "location": "person.location",
    "protection": "person.protection", "fled_to": "person.fled_to", "protected_adult": "person.protected_adult",
    "incarcerated": "detention.incarcerated", "establishment": "detention.establishment",
    "entry_date": "detention.entry_date", "last_list_date": "detention.last_list_date",
    "next_cap_date": "detention.next_cap_date", "final": "sentence.final", "custodial": "sentence.custodial",
    "total": "sentence.total", "execution_start": "sentence.execution_start",
    "expected_end": "sentence.expected_end", "safety_period_end": "sentence.safety_period_end",
    "legal_recidivism": "sentence.legal_recidivism", "lsc_plein_droit_excluded": "sentence.lsc_plein_droit_excluded",
    "court": "sentence.convictions[0].court", "removal_kinds": "removal_measures[].kind",
    "removal_destination": "removal_measures[].destination", "removal_definitive": "removal_measures[].definitive",
    "removal_enforceable": "removal_measures[].enforceable",
    "removal_remedies_exhausted": "removal_measures[].remedies_exhausted",
    "removal_end_date": "removal_measures[].end_date", "consent_transfer": "consent.transfer",
    "consent_consular_notification": "consent.consular_notification", "dual_criminality": "dual_criminality",
    "receiving_state": "receiving_state", "suspect_hearing": "identification.suspect_hearing",
    "offence_max_penalty": "identification.offence_max_penalty", "refuses_identity": "identification.refuses_identity",
    "false_identity": "identification.false_identity",
    "prosecutor_authorisation": "identification.prosecutor_authorisation",
}
_DURATIONS = {"total", "offence_max_penalty"}


def _column(frame, name, n):
    if name not in frame.columns:
        return [UNKNOWN] * n
    vals = frame.get_column(name).to_list()
    if name in _DURATIONS and name + "__months" in frame.columns:
        months = frame.get_column(name + "__months").to_list()
        days = frame.get_column(name + "__days").to_list()
        return [UNKNOWN if m is None else Duration(m, d) for m, d in zip(months, days)]
    if name in _DURATIONS:
        parsed = {}
        out = []
        for v in vals:
            if v is None:
                out.append(UNKNOWN)
            else:
                d = parsed.get(v)
                if d is None:
                    d = parsed[v] = parse_duration(v)
                out.append(d)
        return out
    if name == "safety_period_end" and "safety_period_end__none" in frame.columns:
        nones = frame.get_column("safety_period_end__none").to_list()
        return [None if z else (UNKNOWN if v is None else v) for v, z in zip(vals, nones)]
    return [UNKNOWN if v is None else v for v in vals]


def facts_from_frame(frame, paths) -> dict:
    """Fact columns from the typed input frame (COLUMNAR-INTERFACE.md): null = unknown, as the
    scalar reader; the ``removal_*`` columns make one measure per kind sharing the other cells;
    ``court`` the one conviction; an ``identification`` object where one of its cells is given."""
    n = frame.height
    cols = {c: _column(frame, c, n) for c in COLUMN_PATHS if c in frame.columns}
    facts = {}
    for c, path in COLUMN_PATHS.items():
        if "[" in path or c not in cols:
            continue
        facts[path] = cols[c]
    kinds = cols.get("removal_kinds")
    if kinds is not None:
        shared = [(COLUMN_PATHS[c].split(".")[1], cols[c]) for c in
                  ("removal_destination", "removal_definitive", "removal_enforceable",
                   "removal_remedies_exhausted", "removal_end_date") if c in cols]
        rm = []
        for i, ks in enumerate(kinds):
            if ks is UNKNOWN:
                rm.append(UNKNOWN)
                continue
            base = {k: v[i] for k, v in shared if v[i] is not UNKNOWN}
            rm.append([dict(base, kind=k) for k in ks])
        facts["removal_measures"] = rm
    if "court" in cols:
        facts["sentence.convictions"] = [UNKNOWN if v is UNKNOWN else [{"court": v}] for v in cols["court"]]
    ident = [c for c in cols if COLUMN_PATHS[c].startswith("identification.")]
    if ident:
        objs = []
        for i in range(n):
            d = {COLUMN_PATHS[c].split(".")[1]: cols[c][i] for c in ident if cols[c][i] is not UNKNOWN}
            objs.append(d if d else UNKNOWN)
        facts["identification"] = objs
    return {p: from_objects(facts[p]) for p in paths if p in facts}


def case_of_row(row: dict) -> dict:
    """The normalised case of one row of the typed frame (what the scalar reader gives)."""
    case: dict = {}
    kinds, removal = None, {}
    for c, path in COLUMN_PATHS.items():
        v = row.get(c)
        if c == "safety_period_end" and row.get(c + "__none"):
            v = None
        elif v is None:
            continue
        elif c in _DURATIONS:
            v = Duration(row[c + "__months"], row[c + "__days"]) if c + "__months" in row else parse_duration(v)
        elif isinstance(v, (list, tuple)):
            v = list(v)
        if c == "removal_kinds":
            kinds = v
        elif path.startswith("removal_measures[]."):
            removal[path.split(".")[1]] = v
        elif c == "court":
            case.setdefault("sentence", {})["convictions"] = [{"court": v}]
        elif "." in path:
            head, tail = path.split(".")
            case.setdefault(head, {})[tail] = v
        else:
            case[path] = v
    if kinds is not None:
        case["removal_measures"] = [dict(removal, kind=k) for k in kinds]
    name = row.get("name")
    if name is not None:
        case.setdefault("person", {})["name"] = name
    case["id"] = row.get("id")
    case["as_of"] = row["as_of"]
    case["__normalised__"] = True
    return case


def _scalar_cells(engine, row: dict) -> list:
    """The rows of one case asked to the scalar engine, as the screening CSV writes their cells
    (screening/screen.py ``_answer_csv``, before neutralisation)."""
    ans = engine.ask(case_of_row(row), None, explain=False)
    out = []

    def iso(d):
        return "" if d is None else d.isoformat()
    for p in ans.procedures:
        out.append([str(row["line"]), row["id"], ans.name or "", iso(ans.as_of), p.procedure, p.state or "",
                    p.status, iso(p.date_from), iso(p.date_until), _CONSENT_TEXT[-1 if p.consent_required is None
                                                                              else int(p.consent_required)],
                    "|".join(p.missing_facts), "|".join(p.sources),
                    "|".join(f"{r.procedure}:{r.status}:{r.date_from.isoformat()}" if r.date_from else
                             f"{r.procedure}:{r.status}" for r in p.routes),
                    "|".join(f"{n.id}:{n.date.isoformat()}" for n in p.notes if n.date is not None), "",
                    "|".join(b["id"] for b in p.basis), "|".join(v["fact"] for v in p.to_verify)])
    return out


def run(self, frame):
    """The output frame of a typed input frame (COLUMNAR-INTERFACE.md): the screening rows in
    the scalar engine's order, cells as text (before formula neutralisation). The rows dated on
    or after the entry into force of the 2029 code (their citations are rewritten,
    engine/recodification.py) are asked to the scalar engine here, in their place;
    ``self.fallback`` gives their positions in ``frame``."""
    import polars as pl
    n = frame.height
    as_of_all = np.array([vdates.to_days(d) for d in frame.get_column("as_of").to_list()], dtype=np.int64)
    keep = np.ones(n, dtype=bool)
    table = self.succession
    if table is not None and table.in_force is not None:
        keep &= as_of_all < vdates.to_days(table.in_force)
    self.fallback = np.nonzero(~keep)[0]
    pos = np.nonzero(keep)[0]
    sub = frame[pos.tolist()] if len(pos) < n else frame
    data = {k: [] for k in FIELDS}
    if len(pos):
        facts = facts_from_frame(sub, fact_paths(self.book))
        res = self.screen(facts, as_of_all[pos], len(pos))
        case = res["case"]
        lines = np.array([str(x) for x in sub.get_column("line").to_list()], dtype=object)
        ids = np.array(sub.get_column("id").to_list(), dtype=object)
        names = np.array([x or "" for x in (sub.get_column("name").to_list() if "name" in sub.columns
                                            else [None] * len(pos))], dtype=object)
        as_of_t = np.array([d.isoformat() for d in sub.get_column("as_of").to_list()], dtype=object)
        data = {"line": lines[case], "id": ids[case], "name": names[case], "as_of": as_of_t[case]}
        for k in FIELDS[4:]:
            data[k] = res[k] if k != "message" else np.full(len(case), "", dtype=object)
    out = pl.DataFrame({k: pl.Series(k, list(v), dtype=pl.Utf8) for k, v in data.items()})
    if len(self.fallback):
        from ..engine.api import load_kb
        eng = load_kb()
        rows = [r for i in self.fallback.tolist() for r in _scalar_cells(eng, frame.row(i, named=True))]
        extra = pl.DataFrame(rows, schema={k: pl.Utf8 for k in FIELDS}, orient="row")
        order = {str(x): i for i, x in enumerate(frame.get_column("line").to_list())}
        out = pl.concat([out, extra]).with_columns(
            pl.col("line").replace_strict(order, return_dtype=pl.Int64).alias("__pos")) \
            .sort("__pos", maintain_order=True).drop("__pos")
    return out


Program.run = run
