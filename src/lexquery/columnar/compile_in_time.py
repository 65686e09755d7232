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
again on the eve of the last such change, that eve's answer settled the same way (the eve of the
change before, and so on: the recursion of the scalar engine) — every eve a row is expected to
need in one batch (:class:`_Eves`), then settled bottom-up; only their ``from`` changes, and the
opening path (``opens``) where the eve gives it. The batch of a later day above settles its
dates to come only. The rows of a later day and the first eves of the same evaluation are
evaluated in one batch (:meth:`_InTime._both_days`: an evaluation on another day costs mostly
per call), the eves' rows left out of the settlement in time of that batch.
Generic: no rule, date or threshold is written here.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import vdates
from .compile_conditions import NONE_DATE
from .compile_settle import APP, LATER, NA, UND
from .reuse import carry_derived

WAYS = ("pending", "past")


@dataclass
class _Pending:
    """The rows with a date to come under another law (``_InTime._pending_plan``)."""
    b: np.ndarray            # the day of the next law change, per row
    pend_p: np.ndarray       # the procedure's rows with a date to come
    pend_r: list             # each route's
    inside: np.ndarray | None   # the rows to evaluate on their later day, within the procedure's
                                # ``valid:`` (None: none)
    y: object = None         # their outcome once evaluated (``_both_days`` may give it)   # engine.in_time.WAYS: the dates to come, the dates already past


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


def _published_ahead(pv, rows) -> None:
    """engine.evaluate.published_ahead on the rows ``rows`` of ``pv`` (from the publication of
    the text that opens the procedure's period to the eve of its ``from``): undetermined with
    the date ``from`` to come, nothing else — no consent, missing fact, legal basis, route,
    note, nor reference fact consulted (the evaluation on the day is not the law's); that date
    is then settled under the law in force on it (``_settle_in_time``)."""
    keep = ~rows
    pv.status = np.where(rows, UND, pv.status).astype(np.int8)
    pv.d_from = np.where(rows, vdates.to_days(pv.p.valid_from), pv.d_from)
    pv.d_until = np.where(rows, NONE_DATE, pv.d_until)
    pv.consent = np.where(rows, -1, pv.consent).astype(np.int8)
    pv.missing = {k: m & keep for k, m in pv.missing.items() if (m & keep).any()}
    if pv.basis is not None:
        pv.basis = {cid: m & keep for cid, m in pv.basis.items()}
    for rv in pv.routes:
        rv.shown = rv.shown & keep
    if pv.opens is not None and pv.p.routes:
        pv.opens = np.where(rows, -1, pv.opens)
    pv.notes = [(nn, on & keep, d if d is None else np.where(rows, NONE_DATE, d), ev) for nn, on, d, ev in pv.notes]
    pv.evs = [{k: m & keep for k, m in ev.items()} for ev in pv.evs]
    pv.tops = [(cid, eff, on & keep) for cid, eff, on in pv.tops]
    pv.ahead = rows


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
        ahead = vdates.before_period(pv.p, ctx.as_of)
        if ahead.any():
            _published_ahead(pv, ahead)
        pv.consent_src, pv.notes_src = (pv.consent if outcome_only else pv.consent.copy()), pv.notes
        pv.in_time = 0   # the rows evaluated again on another day (below)
        days = self.law_days(pv.p)
        if len(days):
            ways = getattr(ctx, "ways", WAYS)   # a batch of another day: one direction (evaluate_procedure)
            plan = self._pending_plan(ctx, pv, days) if "pending" in ways else None
            if plan is None:   # nothing settled in time: the eves as found
                if "past" in ways:
                    self._settle_past(ctx, pv, days, self._eves_plan(ctx, pv, days))
                return pv
            pre = None
            if plan.inside is not None and "past" in ways:   # the later days and the eves: one batch
                eves = self._eves_plan(ctx, pv, days)
                if eves is not None and len(eves[1]):
                    pre = self._both_days(ctx, pv, plan, eves)
            self._settle_in_time(ctx, pv, days, plan)
            if "past" in ways:   # the eves of the outcome settled in time
                self._settle_past(ctx, pv, days, self._eves_plan(ctx, pv, days), pre)
        return pv

    def _both_days(self, ctx, pv, plan, eves):
        """The rows of a later day (``_settle_in_time``) and the first eves of a ``from`` already
        past (``_settle_past``) evaluated in one batch — each evaluation of another day costs
        mostly per call —, the later days' rows first and settled in time themselves (the
        eves' rows are not: ``Ctx.in_time_rows``), as two separate batches would give them: a
        row's outcome is its own (every step of an evaluation is row by row). Returns the eves'
        (rows, levels, days, outcome) for ``_settle_past``, which takes it only if it asks
        those very rows (it reads them again from the procedure once settled in time)."""
        ev, org, lev = eves
        b, inside = plan.b, plan.inside
        k = len(inside)
        eve_days = ev.eve(org, lev)
        both = np.concatenate([inside, org])
        sub = ctx.sub(both)
        carry_derived(self.book, ctx, sub, both)
        sub.as_of = np.concatenate([b[inside], eve_days])
        sub.ways = ("pending",)
        only = np.zeros(sub.n, dtype=bool)
        only[:k] = True
        sub.in_time_rows = only
        y = self.eval_proc(sub, pv.p.id, True)
        plan.y = y
        return org, lev, eve_days, _Part(y, k)

    def _pending_plan(self, ctx, pv, days):
        """The rows with a date to come under another law (``_settle_in_time``), a
        :class:`_Pending` — None when no row has one."""
        p = pv.p
        n = ctx.n
        as_of = ctx.as_of
        k = np.searchsorted(days, as_of, side="right")
        # outside its valid: the undetermined answer stays — but from the publication of the text
        # that opens it, its date to come (_published_ahead) is settled as any other
        live = (k < len(days)) & (~vdates.outside(p, as_of) | vdates.before_period(p, as_of))
        only = getattr(ctx, "in_time_rows", None)   # a batch of later days and eves: the former only
        if only is not None:
            live &= only
        if not live.any():
            return None
        b = np.where(k < len(days), days[np.minimum(k, len(days) - 1)], NONE_DATE)

        def pending(x, shown):   # applicable later, or undetermined, with a date to come (in_time._pending_boundary)
            return shown & live & ((x.status == LATER) | (x.status == UND)) & (x.d_from != NONE_DATE) & (x.d_from > as_of) \
                & (b <= x.d_from)
        pend_p = pending(pv, np.ones(n, dtype=bool))
        pend_r = [pending(rv, rv.shown) for rv in pv.routes]
        need = pend_p | np.logical_or.reduce(pend_r) if pend_r else pend_p
        if not need.any():
            return None
        rows = np.nonzero(need)[0]
        inside = rows[~vdates.outside(p, b[rows])]        # the later day within the procedure's valid:
        return _Pending(b, pend_p, pend_r, inside if len(inside) else None)

    def _settle_in_time(self, ctx, pv, days, plan):
        p = pv.p
        n = ctx.n
        b, pend_p, pend_r, inside, y = plan.b, plan.pend_p, plan.pend_r, plan.inside, plan.y
        pos = np.full(n, -1, dtype=np.int64)
        if inside is not None:
            pos[inside] = np.arange(len(inside))
            if y is None:
                sub = ctx.sub(inside)
                carry_derived(self.book, ctx, sub, inside)
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
            pv.notes = [(nn, on if nn.always else on & ~na, d, ev) for nn, on, d, ev in pv.notes]


    def _eves_plan(self, ctx, pv, days):
        """The eves of a ``from`` already past (``_settle_past``): (the :class:`_Eves` of the
        batch, the rows and levels of its first batch of eves) — None when no row needs one."""
        p = pv.p
        k0 = np.searchsorted(days, ctx.as_of, side="right") - 1
        live = (k0 >= 0) & ~vdates.outside(p, ctx.as_of)
        if not live.any():
            return None
        # the rows applicable (procedure, or a route shown) from before the last law change up
        # to as_of (_Eves.add's level 0), looked for before the table of eves is made
        b = days[np.maximum(k0, 0)]

        def past(st, f):
            return (st == APP) & (f != NONE_DATE) & (f < b)
        some = past(pv.status, pv.d_from)
        for rv in pv.routes:
            some = some | (rv.shown & past(rv.status, rv.d_from))
        if not (some & live).any():
            return None
        ev = _Eves(p, days, k0, len(pv.routes))
        ev.add(np.arange(ctx.n), 0, ctx.as_of, pv)
        if not ev.NEED.any():
            return None
        org, lev = ev.missing()
        return ev, org, lev

    def _settle_past(self, ctx, pv, days, found, pre=None):
        """engine.in_time._settle_past over the batch: the rows whose procedure (or a route
        shown) is applicable from a day before ``as_of`` with a law change ``b`` in (from,
        as_of] — ``b`` the last — read on ``b`` − 1 day, itself settled for its dates past
        (on the eve of the change before ``b``, and so on); their ``from`` only changes
        (:func:`_past_from`), and with it the path that opens the procedure (``opens``) where the
        eve gives that ``from``. The eves of a row are those of the law's changes, one after the
        other going back: all the eves a row is expected to need (while its earliest ``from``
        already past falls before the next change) are evaluated in one batch (:class:`_Eves`),
        the ones found missing after it in another — not one batch per eve, whose fixed cost
        made most of this reading's; the result is the recursive reading's. ``found``: the
        batch's table of eves and its first rows to evaluate (``_eves_plan``; None: no row
        needs one); ``pre``: those rows already evaluated with the rows of a later day
        (``_both_days``), taken if they are the same."""
        if found is None:
            return
        p = pv.p
        ev, org, lev = found
        first = True
        while len(org):
            eve_days = ev.eve(org, lev)
            if first and pre is not None and np.array_equal(pre[0], org) and np.array_equal(pre[1], lev) \
                    and np.array_equal(pre[2], eve_days):
                y = pre[3]
            else:
                sub = ctx.sub(org)
                carry_derived(self.book, ctx, sub, org)
                sub.as_of = eve_days
                y = self.eval_on(sub, p.id, True)
            if first:
                pv.in_time += int((lev == 1).sum())   # the rows read on another day (_call_cost)
                first = False
            ev.add(org, lev, eve_days, y)
            org, lev = ev.missing()
        ev.settle()
        top = ev.level0
        for j, rv in enumerate(pv.routes):
            rv.d_from = ev.RF[j][top]
        pv.d_from = ev.F[top]
        if p.routes:
            pv.opens = ev.OP[top]


class _Part:
    """The rows from ``k`` on of an evaluation (a :class:`~.compile_settle.ProcV`): what
    :meth:`_Eves.add` reads of them — status, from, opening path, each route's status, from
    and whether it is shown."""

    def __init__(self, y, k):
        self.status, self.d_from, self.opens = y.status[k:], y.d_from[k:], y.opens[k:]
        self.routes = [_Route(rv, k) for rv in y.routes]


class _Route:
    """The rows from ``k`` on of a route's evaluation: status, from, shown."""

    def __init__(self, rv, k):
        self.status, self.d_from, self.shown = rv.status[k:], rv.d_from[k:], rv.shown[k:]


class _Eves:
    """The evaluations of one batch's rows on the eves of the law's changes (``_settle_past``):
    pairs (row, level) — level 0 the batch on its ``as_of``, level m its rows on the eve of the
    m-th change going back from it (``days[k0 - m + 1] - 1``) —, their outcome as evaluated that
    day (status, from, opening path; per route shown, status, from), then settled bottom-up.
    ``guess`` false: no eve asked before it is known to be needed — one batch per eve, as the
    recursive reading (tests/test_columnar_in_time.py: the same rows either way)."""

    guess = True

    def __init__(self, p, days, k0, nr):
        self.p, self.days, self.k0, self.nr = p, days, k0, nr
        self.at = np.full((len(days) + 2, len(k0)), -1, dtype=np.int64)   # (level, row) → pair
        self.cols = {"org": [], "lev": [], "st": [], "f": [], "op": [], "b": [], "need": [], "pp": [], "dmin": []}
        for j in range(nr):
            for c in ("rst", "rf", "rsh", "pr"):
                self.cols[f"{c}{j}"] = []
        self.size = 0
        self.level0 = None

    def eve(self, org, lev):
        """The day of level ``lev`` of the rows ``org``: the eve of the lev-th change back."""
        return self.days[self.k0[org] - lev + 1] - 1

    def add(self, org, lev, as_of, x):
        """The pairs (``org``, ``lev``) evaluated (``x``) on ``as_of``."""
        n = len(org)
        lev = np.broadcast_to(np.asarray(lev, dtype=np.int64), (n,))
        k = self.k0[org] - lev
        live = (k >= 0) & ~vdates.outside(self.p, as_of)
        b = np.where(k >= 0, self.days[np.maximum(k, 0)], NONE_DATE)

        def past(st, f, shown):   # applicable from a day before the last law change (in_time._past_boundary)
            return shown & live & (st == APP) & (f != NONE_DATE) & (f < as_of) & (f < b)
        pp = past(x.status, x.d_from, True)
        need = pp.copy()
        dmin = np.where(pp, x.d_from, np.iinfo(np.int64).max)
        c = self.cols
        for j, rv in enumerate(x.routes):
            pr = past(rv.status, rv.d_from, rv.shown)
            need |= pr
            dmin = np.where(pr, np.minimum(dmin, rv.d_from), dmin)
            c[f"rst{j}"].append(rv.status)
            c[f"rf{j}"].append(rv.d_from)
            c[f"rsh{j}"].append(rv.shown)
            c[f"pr{j}"].append(pr)
        idx = np.arange(self.size, self.size + n)
        self.at[lev, org] = idx
        if self.level0 is None:
            self.level0 = idx
        for name, v in (("org", org), ("lev", lev), ("st", x.status), ("f", x.d_from),
                        ("op", getattr(x, "opens", np.full(n, -1))), ("b", b), ("need", need), ("pp", pp),
                        ("dmin", dmin)):
            c[name].append(np.asarray(v))
        self.size += n
        self._flat()

    def _flat(self):
        """Each column one array (ORG, LEV, ST, F, …: the upper-case attributes)."""
        c = self.cols
        for name in c:
            if len(c[name]) > 1:
                c[name] = [np.concatenate(c[name])]
        for name in c:
            setattr(self, name.upper(), c[name][0])

    def missing(self):
        """The pairs the recursive reading asks and not evaluated yet, each with the further eves
        it is expected to ask (while its earliest from already past falls before the next change)."""
        cur = self.level0[self.NEED[self.level0]]
        want_org, want_lev, want_dmin = [], [], []
        while len(cur):
            org, lev = self.ORG[cur], self.LEV[cur]
            child = self.at[lev + 1, org]
            eve = self.days[self.k0[org] - lev] - 1
            inside = ~vdates.outside(self.p, eve)
            ask = (child < 0) & inside
            if ask.any():
                want_org.append(org[ask])
                want_lev.append(lev[ask] + 1)
                want_dmin.append(self.DMIN[cur[ask]])
            got = child[child >= 0]
            cur = got[self.NEED[got]]
        if not want_org:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        org, lev, dmin = np.concatenate(want_org), np.concatenate(want_lev), np.concatenate(want_dmin)
        outs_o, outs_l = [org], [lev]
        go = np.full(len(org), self.guess)
        while True:   # the guess: on to the eve of the change before, while dmin falls before it
            k = self.k0[org] - lev   # this level is on the eve of days[k + 1]; the change before: days[k]
            go &= (k >= 0) & (dmin < np.where(k >= 0, self.days[np.maximum(k, 0)], NONE_DATE))
            lev = lev + 1
            if not go.any():
                break
            eve = self.days[np.maximum(self.k0[org] - lev + 1, 0)] - 1
            go &= ~vdates.outside(self.p, eve) & (self.at[np.minimum(lev, len(self.at) - 1), org] < 0)
            outs_o.append(org[go])
            outs_l.append(lev[go])
        return np.concatenate(outs_o), np.concatenate(outs_l)

    def settle(self):
        """Bottom-up, the deepest level first: each pair's from (procedure, routes) and opening
        path from its eve's, settled (in_time._adopt_past, :func:`_past_from`)."""
        F, OP = self.F.copy(), self.OP.copy()
        RF = [getattr(self, f"RF{j}").copy() for j in range(self.nr)]
        for m in range(int(self.LEV.max()), -1, -1):
            cur = np.nonzero((self.LEV == m) & self.NEED)[0]
            if not len(cur):
                continue
            org, b = self.ORG[cur], self.B[cur]
            c = self.at[m + 1, org]
            has = c >= 0
            cc = np.maximum(c, 0)

            def of(arr, fill):
                return np.where(has, arr[cc], fill)
            for j in range(self.nr):
                pr = getattr(self, f"PR{j}")[cur]
                if pr.any():
                    RF[j][cur] = _past_from(RF[j][cur], pr, b, of(getattr(self, f"RSH{j}"), False),
                                            of(getattr(self, f"RST{j}"), UND), of(RF[j], NONE_DATE))
            pp = self.PP[cur]
            if pp.any():
                st, f = of(self.ST, UND), of(F, NONE_DATE)
                F[cur] = _past_from(F[cur], pp, b, has, st, f)
                gives = pp & has & (st == APP) & (f != NONE_DATE) & (f < b)
                OP[cur] = np.where(gives, of(OP, -1), OP[cur])
        self.F, self.OP, self.RF = F, OP, RF


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
