"""Procedures settled over a batch (issue 16): the steps of :mod:`lexquery.engine.evaluate`
(without explanations) over arrays — ``settle`` (any hard not met → not applicable;
else unknown → undetermined; else a date to come → applicable later), ``settle_paths`` (the
routes that stand in for a condition), precedence entries, routes and their ``valid:``, ``until``,
consent, notes and the legal basis. Status codes per row: 0 not applicable, 1 undetermined,
2 applicable later, 3 applicable."""
from __future__ import annotations

import numpy as np

from . import vdates
from .compile import V, _false, is_false, is_true, merge, restrict, truth
from .compile_conditions import MET, NONE_DATE, NOT_MET, PENDING, UNKNOWN_, shared
from ..engine.evaluate import cond_index

# procedure status codes
NA, UND, LATER, APP = 0, 1, 2, 3
STATUS = {NA: "not_applicable", UND: "undetermined", LATER: "applicable_later", APP: "applicable"}


class ProcV:
    """One procedure (or route) over a batch: status code, from / until (NONE_DATE: none),
    consent (-1 none, 0 false, 1 true), missing facts, notes on and their dates, what shapes
    its sources, its routes, its legal basis, and the reference look-ups consulted."""

    def __init__(self, **kw):
        self.__dict__.update(kw)



# --- settlement (engine/evaluate.py: settle, settle_paths, _evaluate_on) ------------------------

BIG = np.iinfo(np.int64).max


# a condition's code (compile_conditions: 0 not met, 1 pending, 2 unknown, 3 to assess, 4 met)
# as the flags settle reads of it: 1 not met, 2 pending, 4 unknown
_SETTLE_BITS = np.array([1, 2, 4, 0, 0], dtype=np.uint8)
# the status by those flags (0 … 7): not met → not applicable, else unknown → undetermined, else
# pending → applicable later (not applicable where the window closed: set after), else applicable
_STATUS_OF_BITS = np.array([APP, NA, LATER, NA, UND, NA, UND, NA], dtype=np.int8)


def settle(rows: list, n: int):
    """``evaluate.settle`` over a batch: (status code, from, until) from condition results
    ``(eff, on, date, kind)``."""
    acc = np.zeros(n, dtype=np.uint8)   # per row: 1 a condition not met, 2 pending, 4 unknown
    d_from = np.full(n, NONE_DATE, dtype=np.int64)
    d_until = np.full(n, BIG, dtype=np.int64)
    on_all, none = shared("on", n), shared("none", n)
    for eff, on, d, kind in rows:
        bits = _SETTLE_BITS.take(eff)   # take: a table read by int8 codes without indexing's slow path
        if on is not on_all:   # left out where its when is false
            np.multiply(bits, on, out=bits)
        acc |= bits
        if d is none or kind not in ("from", "until", "any_of", "all_of", "precedence"):
            continue   # no date (compile_conditions.shared), or none read of this kind
        dated = (d != NONE_DATE) if on is on_all else on & (d != NONE_DATE)
        if kind == "from" or kind == "precedence":   # a precedence with a known end: from the day after
            sel = dated & ((eff == MET) | (eff == NOT_MET) | (eff == PENDING))
            d_from = np.where(sel & (d > d_from), d, d_from)
        elif kind == "until":
            sel = dated & ((eff == MET) | (eff == NOT_MET) | (eff == PENDING))
            d_until = np.where(sel & (d < d_until), d, d_until)
        else:
            d_from = np.where(dated & (d > d_from), d, d_from)
    d_until = np.where(d_until == BIG, NONE_DATE, d_until)
    status = _STATUS_OF_BITS.take(acc)
    # pending only (neither not met nor unknown) and the window closed: not applicable
    closed = (acc == 2) & (d_until != NONE_DATE) & (d_from != NONE_DATE) & (d_from > d_until)
    if closed.any():
        status[closed] = NA
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
        nd = shared("none", ctx.n)   # no date (read only)
        if dated and d is not None:
            x = d(ctx)
            ev = merge(ev, restrict(x.ev, on))
            if x.kind == "date":
                nd = np.where(on & ~x.unk & ~x.nil, x.v, NONE_DATE)
        out.append((n_, on, nd, ev))
    return out


def _skipped(conds, ctx):
    """Per condition id of a tree (depth first), the rows where it was left out (``when`` false,
    an ancestor left out, or an ancestor outside the period its text is encoded for — unknown,
    its children not evaluated: engine.evaluate.eval_condition): what shapes the list of sources
    (engine.evaluate.shape_sources)."""
    out = {}
    n = ctx.n
    on_all = shared("on", n)

    def walk(cs, parent_off):
        for c in cs:
            r = ctx.conds.get(c.id)
            if r is None:
                off = np.ones(n, dtype=bool)
            elif r.on is on_all:   # applies on every row: left out where its parent is (read only)
                off = parent_off
            else:
                off = parent_off | ~r.on
            out[c.id] = off
            if c.children and (c.valid_from is not None or c.valid_until is not None):
                off = off | vdates.outside(c, ctx.as_of)
            walk(c.children, off)
    walk(conds, _false(n))
    return out


class _Eval:
    """Mixed into Program: one procedure over a batch (engine.evaluate.evaluate_procedure)."""

    def eval_on(self, ctx, pid, outcome_only=False):
        """The procedure over the batch under the law in force on each row's ``as_of`` only
        (``eval_proc``, compile_in_time.py, settles its pending dates in time)."""
        cp = self.procs[pid]
        p = cp["p"]
        n = ctx.n
        seed = getattr(ctx, "seed", None)   # conditions given (verify's reruns: _Population.verify)
        if outcome_only:   # the evidence (verify's) is read of the first evaluation only: none recorded
            ctx.no_ev = True
        ctx.conds, ctx.cond_fns = (dict(seed) if seed else {}), cp["index"]
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
                miss = restrict(merge(*[restrict(x[4], x[1] & (x[0] == UNKNOWN_)) for x in prow if x[4]]), st == UND)
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
            # the last day of use before the first: not applicable (evaluate._evaluate_on, settle)
            closed = (status == LATER) & (d_until != NONE_DATE) & (d_from != NONE_DATE) & (d_from > d_until)
            if closed.any():
                status = np.where(closed, NA, status).astype(np.int8)
                d_from = np.where(closed, NONE_DATE, d_from)
                d_until = np.where(closed, NONE_DATE, d_until)
                opens = np.where(closed, -1, opens)
                applies = status != NA
                until_missing = restrict(until_missing, applies)
        ctx.from_date = _date_v(d_from, ctx.as_of)
        consent = np.full(n, -1, dtype=np.int8)
        missing = merge(until_missing, route_missing,
                        *[restrict(x[4], direct_missing & x[1] & (x[0] == UNKNOWN_)) for x in rows if x[4]])
        if cp["consent"] is not None:
            v = cp["consent"](ctx)
            evs.append(restrict(v.ev, applies))
            c = np.where(applies, _code(v), -1).astype(np.int8)
            cu = applies & v.unk
            missing = merge(missing, restrict(v.miss, cu), *[restrict(x[4], cu & x[1]) for x in rows if x[4]])
            consent = c
        missing = restrict(missing, applies)
        notes = []
        # the reruns of verify (``outcome_only`` "dated"): the dated notes, whose dates it compares
        # (engine/verify.changed); the other evaluations for the outcome only: none
        cnotes = cp["notes"] if not outcome_only else \
            [x for x in cp["notes"] if x[2] is not None] if outcome_only == "dated" else ()
        if cnotes:
            # evaluate._notes: a note on where the procedure applies, one shown ``always`` also
            # where it does not unless another procedure sets it aside (a precedence entry
            # settled over it) — that mask made only for a procedure that has such notes
            shown = applies
            if any(n_.always for n_, _, _ in cnotes):
                own = ~np.logical_or.reduce([x[1] & (x[0] != UNKNOWN_) for x in prec_rows]) if prec_rows else True
                shown = applies | own
            for n_, w, d in cnotes:
                notes += _note_values(ctx, [(n_, w, d)], shown if n_.always else applies, True)
            if not outcome_only:
                for _, _, _, ev in notes:
                    evs.append(ev)
        basis = self._basis(ctx, p, status)
        for rv in routes:   # a procedure that does not apply shows no route
            rv.shown = rv.run & applies
        # the procedure's own conditions and the precedence entries over it, as they settled it
        # (the reruns of verify: ``_Population.verify``, engine.reuse.Reuse.still_not_applicable)
        tops = [(f"precedence:{i}", x[0], x[1]) for i, x in zip(prec_ids, prec_rows)] + \
               [(r.id, r.eff, r.on) for r in results]
        return ProcV(p=p, status=status, d_from=d_from, d_until=d_until, consent=consent, missing=missing,
                     tops=tops, opening=opening, conds=ctx.conds,
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
        gap = vdates.outside(rt, ctx.as_of)
        rows = [(np.full(n, UNKNOWN_, dtype=np.int8), gap, shared("none", n), "validity", {})] + rows
        status, d_from, d_until = settle([x[:4] for x in rows], n)
        # evaluate.route_status: outside its period a route its other conditions close is
        # undetermined all the same (the law of that day is not encoded), without missing facts
        gap_na = gap & (status == NA)
        status = np.where(gap_na, UND, status).astype(np.int8)
        d_from = np.where(gap_na, NONE_DATE, d_from)
        d_until = np.where(gap_na, NONE_DATE, d_until)
        missing = restrict(merge(*[restrict(x[4], x[1] & (x[0] == UNKNOWN_)) for x in rows if x[4]]),
                           (status == UND) & ~gap_na)
        applies = (status != NA) & ~gap_na
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
        met, or unknown with the facts that would settle it) — the last entry first.
        ``evaluate._precedence``: where its ``until`` gives a day on or after ``as_of``, a date
        to come (pending from the day after); before it, the entry no longer holds; unknown,
        the entry is unknown with the facts of ``until``."""
        rows, ids = [], []
        for pr in self.prec_over.get(pid, ()):
            v = self.prec_when[pr.id](ctx)
            evs.append(v.ev if run is None else restrict(v.ev, run))
            on = ~is_false(v)
            unk = v.unk
            miss = v.miss
            date = shared("none", ctx.n)
            eff = None
            uf = self.prec_until.get(pr.id)
            holds = is_true(v) if uf is not None else None
            if holds is not None and holds.any():   # its end read only where it holds (most rows: never)
                u = uf(ctx)
                evs.append(restrict(u.ev, holds if run is None else holds & run))
                u_unk = holds & u.unk
                if u.kind == "date":
                    dated = holds & ~u.unk & ~u.nil
                    on = on & ~(dated & (u.v < ctx.as_of))   # it held up to a day already past
                    pending = dated & (u.v >= ctx.as_of)
                    if pending.any():
                        date = np.where(pending, u.v + 1, NONE_DATE)
                        eff = np.where(pending, PENDING, NOT_MET)
                if u_unk.any():
                    unk = unk | u_unk
                    miss = merge(miss, restrict(u.miss, u_unk))
            for cid in sorted(pr.when.conds):
                r = ctx.conds.get(cid)
                if r is not None:
                    miss = merge(miss, restrict(r.miss, r.on))
            miss = restrict(miss, unk)
            eff = np.where(unk, UNKNOWN_, NOT_MET if eff is None else eff).astype(np.int8)
            rows.insert(0, (eff, on, date, "precedence", miss))
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




