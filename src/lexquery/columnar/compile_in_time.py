"""A pending date settled under the law in force on it (engine/in_time.py), over a batch.

A procedure evaluated on ``as_of`` gives a first date of use computed with the thresholds in
force on ``as_of`` (CP 112-2: the law applied to a measure of execution is the one in force
when it is taken). When the law the procedure applies changes between ``as_of`` and that date
(:func:`lexquery.engine.in_time.law_boundaries`: the days read from the rule files — a period
of a constant, the ``valid:`` of the procedure, a route or a condition), the date counts only
inside that law's period; otherwise the answer is the procedure's on the first day of the
following period, itself settled the same way, by the table of :func:`engine.in_time._adopt`:

- applicable that day → applicable later, from that day;
- applicable later from d' → from d' (undetermined from a day before: from that day);
- not applicable → not applicable (no route shown; of the notes, the duties only);
- undetermined (the period is not encoded — outside the procedure's ``valid:`` — or facts
  are missing) → undetermined;

and the same for each route shown (a route the later evaluation does not show: not
applicable). Nothing changes when the later law gives the same status, dates, consent,
missing facts and opening path. The sources and the evidence stay those of the evaluation on
``as_of`` (as the scalar engine's, which settles the result it already built).

Here every row with such a date is evaluated again in one batch, each on its own next day
the law changes (the first after its ``as_of``: the same for the procedure and its routes),
recursively — the batch of the later day is itself settled in time. Since the verification
(engine/verify.py) and the proof (engine/prove.py) evaluate the procedure again through
:meth:`_InTime.eval_proc`, their reruns are settled in time too, as the scalar engine's are.
A ``from`` already past (engine/in_time.py ``_settle_past``): the rows applicable (procedure or
route shown) from a day before their ``as_of`` with a law change in (from, as_of] are evaluated
again in one batch, each on the eve of its last such change, for their dates past only (the
batch of a later day above settles its dates to come only); only their ``from`` changes, and the
opening path (``opens``) where the eve gives it.
Generic: no rule, date or threshold is written here.
"""
from __future__ import annotations

import numpy as np

from . import vdates
from .compile_conditions import NONE_DATE
from .compile_settle import APP, LATER, NA, UND

WAYS = ("pending", "past")   # engine.in_time.WAYS: the dates to come, the dates already past


def _spread(arr, pos, fill):
    """``arr`` (rows of the later batch) placed on the rows of the batch (``pos``: -1 none)."""
    if arr is None:
        return np.full(len(pos), fill)
    out = np.full(len(pos), fill, dtype=arr.dtype)
    ok = pos >= 0
    out[ok] = arr[pos[ok]]
    return out


def _adopt(x, pend, b, st, f, u, consent, missing, opens=None, x_opens=None):
    """engine.in_time._adopt on the rows ``pend`` of ``x``: the outcome of the later day
    (``st, f, u, consent, missing`` and, for a procedure with routes, the opening path)
    where it differs from ``x``'s. Returns the rows changed."""
    app = st == APP
    st = np.where(app, LATER, st).astype(np.int8)
    f = np.where(app, b, f)
    f = np.where((st == UND) & (f != NONE_DATE) & (f < b), b, f)   # undetermined from a day before
    keys = sorted(set(x.missing) | set(missing))
    n = len(pend)
    no = np.zeros(n, dtype=bool)
    same = (st == x.status) & (f == x.d_from) & (u == x.d_until) & (consent == x.consent)
    for k in keys:
        same &= x.missing.get(k, no) == missing.get(k, no)
    if opens is not None:
        same &= opens == x_opens
    ch = pend & ~same
    if not ch.any():
        return ch
    x.status = np.where(ch, st, x.status).astype(np.int8)
    x.d_from = np.where(ch, f, x.d_from)
    x.d_until = np.where(ch, u, x.d_until)
    x.consent = np.where(ch, consent, x.consent).astype(np.int8)
    x.missing = {k: np.where(ch, missing.get(k, no), x.missing.get(k, no)) for k in keys}
    x.missing = {k: m for k, m in x.missing.items() if m.any()}
    return ch


class _InTime:
    """Mixed into Program (before :class:`~.compile_settle._Eval`): every evaluation of a
    procedure over a batch settled in time."""

    def law_days(self, p) -> np.ndarray:
        """The days the law procedure ``p`` applies changes (in_time.law_boundaries), sorted,
        as day numbers."""
        memo = self.__dict__.setdefault("_law_days", {})
        hit = memo.get(p.id)
        if hit is None:
            from ..engine.in_time import law_boundaries
            hit = memo[p.id] = np.array(sorted(vdates.to_days(d) for d in law_boundaries(self.book, p)),
                                        dtype=np.int64)
        return hit

    def eval_proc(self, ctx, pid, outcome_only=False):
        """The procedure over the batch (``eval_on``), each pending date settled under the law
        in force on it (module docstring). ``consent_src`` and ``notes_src`` keep the consent
        and the notes as evaluated on ``as_of``: what the list of sources reads."""
        pv = self.eval_on(ctx, pid, outcome_only)
        pv.consent_src, pv.notes_src = (pv.consent if outcome_only else pv.consent.copy()), pv.notes
        pv.in_time = 0   # the rows evaluated again on another day (below)
        days = self.law_days(pv.p)
        if len(days):
            ways = getattr(ctx, "ways", WAYS)   # a batch of another day: one direction (evaluate_procedure)
            if "pending" in ways:
                self._settle_in_time(ctx, pv, days)
            if "past" in ways:
                self._settle_past(ctx, pv, days)
        return pv

    def _settle_in_time(self, ctx, pv, days):
        p = pv.p
        n = ctx.n
        as_of = ctx.as_of
        k = np.searchsorted(days, as_of, side="right")
        live = (k < len(days)) & ~vdates.outside(p, as_of)   # outside its valid: the undetermined answer stays
        if not live.any():
            return
        b = np.where(k < len(days), days[np.minimum(k, len(days) - 1)], NONE_DATE)

        def pending(x, shown):   # applicable later, or undetermined, with a date to come (in_time._pending_boundary)
            return shown & live & ((x.status == LATER) | (x.status == UND)) & (x.d_from != NONE_DATE) & (x.d_from > as_of) \
                & (b <= x.d_from)
        pend_p = pending(pv, np.ones(n, dtype=bool))
        pend_r = [pending(rv, rv.shown) for rv in pv.routes]
        need = pend_p | np.logical_or.reduce(pend_r) if pend_r else pend_p
        if not need.any():
            return
        rows = np.nonzero(need)[0]
        inside = rows[~vdates.outside(p, b[rows])]        # the later day within the procedure's valid:
        pos = np.full(n, -1, dtype=np.int64)
        y = None
        if len(inside):
            pos[inside] = np.arange(len(inside))
            sub = ctx.sub(inside)
            sub.as_of = b[inside]
            sub.ways = ("pending",)
            y = self.eval_proc(sub, p.id, True)
            pv.in_time += len(inside)

        def later(attr, comp, fill):
            return _spread(None if comp is None else getattr(comp, attr), pos, fill)

        def missing_of(comp, present):
            if comp is None:
                return {}
            out = {}
            for key, m in comp.missing.items():
                full = _spread(m, pos, False) & present
                if full.any():
                    out[key] = full
            return out
        # the routes first (in_time.in_time), each from the route of the same id shown that day
        for j, rv in enumerate(pv.routes):
            if not pend_r[j].any():
                continue
            yr = None if y is None else y.routes[j]
            present = later("shown", yr, False)
            st = np.where(present, later("status", yr, NA), NA)
            f = np.where(present, later("d_from", yr, NONE_DATE), NONE_DATE)
            u = np.where(present, later("d_until", yr, NONE_DATE), NONE_DATE)
            c = np.where(present, later("consent", yr, -1), -1)
            _adopt(rv, pend_r[j], b, st, f, u, c, missing_of(yr, present))
        if not pend_p.any():
            return
        # the procedure: outside its valid: on the later day, undetermined with nothing else
        has = pos >= 0
        st = later("status", y, UND)
        f = later("d_from", y, NONE_DATE)
        u = later("d_until", y, NONE_DATE)
        c = later("consent", y, -1)
        opens = x_opens = None
        if p.routes:   # the path that opens it (a procedure without routes has none)
            opens, x_opens = later("opens", y, -1), pv.opens
        ch = _adopt(pv, pend_p, b, st, f, u, c, missing_of(y, has), opens, x_opens)
        if not ch.any():
            return
        if opens is not None:
            pv.opens = np.where(ch, opens, pv.opens)
        if pv.basis is not None:
            pv.basis = {cid: np.where(ch, later_mask(y, cid, pos), m) for cid, m in pv.basis.items()}
        na = ch & (pv.status == NA)
        if na.any():   # no route shown; of the notes, the duties only
            for rv in pv.routes:
                rv.shown = rv.shown & ~na
            pv.notes = [(nn, on if nn.kind == "duty" else on & ~na, d, ev) for nn, on, d, ev in pv.notes]


    def _settle_past(self, ctx, pv, days):
        """engine.in_time._settle_past over the batch: the rows whose procedure (or a route
        shown) is applicable from a day before ``as_of`` with a law change ``b`` in (from,
        as_of] — ``b`` the last — evaluated again in one batch, each on its own ``b`` − 1 day
        (itself settled for its dates past only); their ``from`` only changes
        (:func:`_past_from`), and with it the path that opens the procedure (``opens``) where the
        eve gives that ``from``."""
        p = pv.p
        n = ctx.n
        as_of = ctx.as_of
        k = np.searchsorted(days, as_of, side="right") - 1
        live = (k >= 0) & ~vdates.outside(p, as_of)
        if not live.any():
            return
        b = np.where(k >= 0, days[np.maximum(k, 0)], NONE_DATE)

        def past(x, shown):   # applicable from a day before the last law change (in_time._past_boundary)
            return shown & live & (x.status == APP) & (x.d_from != NONE_DATE) & (x.d_from < as_of) & (x.d_from < b)
        past_p = past(pv, np.ones(n, dtype=bool))
        past_r = [past(rv, rv.shown) for rv in pv.routes]
        need = past_p | np.logical_or.reduce(past_r) if past_r else past_p
        if not need.any():
            return
        rows = np.nonzero(need)[0]
        eve = b - 1
        inside = rows[~vdates.outside(p, eve[rows])]       # the eve within the procedure's valid:
        pos = np.full(n, -1, dtype=np.int64)
        y = None
        if len(inside):
            pos[inside] = np.arange(len(inside))
            sub = ctx.sub(inside)
            sub.as_of = eve[inside]
            sub.ways = ("past",)
            y = self.eval_proc(sub, p.id, True)
            pv.in_time += len(inside)
        for j, rv in enumerate(pv.routes):   # the routes first, each from the route of the same id shown on the eve
            if past_r[j].any():
                yr = None if y is None else y.routes[j]
                present = _spread(None if yr is None else yr.shown, pos, False)
                rv.d_from = _past_from(rv.d_from, past_r[j], b, present,
                                       _spread(None if yr is None else yr.status, pos, UND),
                                       _spread(None if yr is None else yr.d_from, pos, NONE_DATE))
        if past_p.any():
            st = _spread(None if y is None else y.status, pos, UND)
            f = _spread(None if y is None else y.d_from, pos, NONE_DATE)
            pv.d_from = _past_from(pv.d_from, past_p, b, pos >= 0, st, f)
            if p.routes:   # the eve's path where the eve gives the from (in_time._adopt_past)
                gives = past_p & (pos >= 0) & (st == APP) & (f != NONE_DATE) & (f < b)
                if gives.any():
                    pv.opens = np.where(gives, _spread(y.opens, pos, -1), pv.opens)


def _past_from(d_from, rows, b, present, st, f):
    """engine.in_time._adopt_past on the rows ``rows``: the ``from`` of the eve of ``b``
    (``present`` rows applicable from it or before — none: the ``from`` stays), else ``b``."""
    ok = present & (st == APP) & ((f == NONE_DATE) | (f < b))
    new = np.where(ok, np.where(f == NONE_DATE, d_from, f), b)
    return np.where(rows, new, d_from)


def later_mask(y, cid, pos):
    if y is None or y.basis is None:
        return np.zeros(len(pos), dtype=bool)
    return _spread(y.basis[cid], pos, False)
