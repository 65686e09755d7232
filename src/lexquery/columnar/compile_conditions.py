"""Conditions of the rule files as vectors: status codes per row (issue 16).

The same evaluation as :func:`lexquery.engine.evaluate.eval_condition`, over a batch of rows. A condition's status is
one small code per row — its rank in ``evaluate.RANK``: 0 not met, 1 not met yet (a date to
come: ``pending``), 2 unknown, 3 to assess, 4 met — with ``on`` false where its ``when`` is
false (the condition does not apply and is left out), its date (from / until), and the fact
paths it found missing (only where it is unknown, as in the scalar evaluator).
"""
from __future__ import annotations

import weakref

import numpy as np

from ..rules.values import UNKNOWN as UNKNOWN_V
from .vdates import to_days as vdates_days
from .compile import NotVectorisable, _false, is_false, is_true, merge, restrict, truth

NOT_MET, PENDING, UNKNOWN_, TO_ASSESS, MET = 0, 1, 2, 3, 4
NONE_DATE = np.iinfo(np.int64).min


class CondV:
    """One condition over a batch: ``eff`` (rank code), ``on``, ``date`` (NONE_DATE: none),
    ``miss`` (fact path → rows), ``kind`` and ``id``."""
    __slots__ = ("id", "kind", "eff", "on", "date", "miss")

    def __init__(self, cid, kind, eff, on, date, miss):
        self.id, self.kind, self.eff, self.on, self.date, self.miss = cid, kind, eff, on, date, miss

    def take(self, idx):
        n, m = len(self.eff), len(idx)
        on = shared("on", m) if self.on is shared("on", n) else self.on[idx]
        date = shared("none", m) if self.date is shared("none", n) else self.date[idx]
        return CondV(self.id, self.kind, self.eff[idx], on, date, {k: m[idx] for k, m in self.miss.items()})


_CONST: dict = {}   # (what, n) -> a read-only column shared by the conditions of batches of n rows
_HELD = weakref.WeakValueDictionary()   # the same, for as long as a condition still holds it


def shared(what: str, n: int) -> np.ndarray:
    """A column the same in every row, shared and read-only (written in place, it raises):
    ``"none"`` no date (NONE_DATE), ``"on"`` true, ``"off"`` false. The conditions of a batch
    without a ``when`` or a date give these, not a new column each (issue 16).

    The same (what, n) gives the same object for as long as anything holds it: the callers
    test ``x is shared(...)``. The plain cache is bounded (cleared past 48 sizes); a column
    cleared from it but still held by a condition is found again in ``_HELD``, so clearing
    never makes a held column stop being « the » shared one."""
    key = (what, n)
    a = _CONST.get(key)
    if a is None:
        if len(_CONST) > 48:
            _CONST.clear()
        a = _HELD.get(key)
        if a is None:
            a = np.full(n, NONE_DATE, dtype=np.int64) if what == "none" else np.full(n, what == "on", dtype=bool)
            a.flags.writeable = False
            _HELD[key] = a
        _CONST[key] = a
    return a


# all_of: the order in which a child's status wins (evaluate.combine: not met, then unknown,
# then pending, then to assess, else met), indexed by status + 1 (-1: the child left out)
_ALL_RANK = np.array([0, 5, 3, 4, 2, 1], dtype=np.int8)           # -1, NOT_MET, PENDING, UNKNOWN, TO_ASSESS, MET
_ALL_EFF = np.array([MET, MET, TO_ASSESS, PENDING, UNKNOWN_, NOT_MET], dtype=np.int8)   # by rank (0: none present)


def combine(is_any: bool, kids: list, n: int):
    """``evaluate.combine`` over rows: (eff, date) of an any_of / all_of from its children.
    Child by child (no array of all the children), int8 codes; the dates read only of the
    children that have one (:func:`shared` ``"none"``: none)."""
    if not kids:
        return np.full(n, MET, dtype=np.int8), shared("none", n)
    m1 = np.int8(-1)
    effs = [k.eff if k.on is shared("on", n) else np.where(k.on, k.eff, m1) for k in kids]
    none = shared("none", n)
    dated = [i for i, k in enumerate(kids) if k.date is not none]
    big = np.iinfo(np.int64).max
    if is_any:
        best = effs[0].copy() if len(effs) > 1 else effs[0]
        for e in effs[1:]:
            np.maximum(best, e, out=best)
        eff = np.where(best >= 0, best, np.int8(MET))   # none present: met
        date = None
        for e, kinds in ((PENDING, None), (MET, "from")):
            use = [i for i in dated if kinds is None or kids[i].kind == kinds]
            if not use:
                continue
            sel = best == e
            if not sel.any():
                continue
            m = np.full(n, big, dtype=np.int64)
            for i in use:
                k = kids[i]
                np.minimum(m, np.where((effs[i] == e) & (k.date != NONE_DATE), k.date, big), out=m)
            if date is None:
                date = np.full(n, NONE_DATE, dtype=np.int64)
            date = np.where(sel & (m != big), m, date)
        return eff, none if date is None else date
    # (tables read with take: int8 codes, without indexing's slow path)
    rank = _ALL_RANK.take(effs[0] + 1)
    for e in effs[1:]:
        np.maximum(rank, _ALL_RANK.take(e + 1), out=rank)
    eff = _ALL_EFF.take(rank)
    if not dated:
        return eff, none
    pend = eff == PENDING
    if not pend.any():
        return eff, none
    m = np.full(n, NONE_DATE, dtype=np.int64)
    for i in dated:
        np.maximum(m, np.where(effs[i] == PENDING, kids[i].date, NONE_DATE), out=m)
    return eff, np.where(pend, m, NONE_DATE)


def _restrict(d: dict, mask, full: bool) -> dict:
    """``restrict(d, mask)``, ``full``: ``mask`` known to hold on every row (no pass over it)."""
    if not d:
        return {}
    return dict(d) if full else restrict(d, mask)


def _code2(t, yes: int, unk) -> np.ndarray:
    """The status code: ``yes`` where ``t``, UNKNOWN_ where ``unk``, NOT_MET (0) elsewhere —
    ``t`` and ``unk`` never both hold (``truth`` is false on unknown rows)."""
    eff = t.view(np.int8) * np.int8(yes)
    if unk.any():
        eff += unk.view(np.int8) * np.int8(UNKNOWN_)
    return eff


def _dated_code(kind, reached, m_true, m_unk, unk, nil, never) -> np.ndarray:
    """The status code of a ``from`` / ``until`` condition (evaluate.eval_condition): met where
    its ``met_if`` is met (``m_true``; None: no met_if), else unknown where its date is, else
    met where it is none (unknown where the met_if is), else not met where the day never comes
    (unknown where the met_if is), else met on or after (on or before) the day, else pending
    (not met; unknown where the met_if is). int8 codes set from the weakest case to the
    strongest, each only where some row has it."""
    eff = np.where(reached, np.int8(MET), np.int8(PENDING if kind == "from" else NOT_MET))
    some_unk = m_true is not None and m_unk.any()
    if some_unk:
        eff[m_unk & ~reached] = UNKNOWN_
    if never.any():
        eff[never] = NOT_MET
        if some_unk:
            eff[never & m_unk] = UNKNOWN_
    if nil.any():
        eff[nil] = MET
        if some_unk:
            eff[nil & m_unk] = UNKNOWN_
    if unk.any():
        eff[unk] = UNKNOWN_
    if m_true is not None and m_true.any():
        eff[m_true] = MET
    return eff


class ConditionCompiler:
    """Condition tree → ``f(ctx) -> (CondV, passed, evidence)``: ``passed`` the missing facts the
    evaluation adds to the one around it (its ``when``'s, and its own when it is unknown —
    nothing when it was already evaluated: memoised in ``ctx.conds``), ``evidence`` the
    reference look-ups it consulted, in order."""

    def __init__(self, exprs):
        self.exprs = exprs   # the expression compiler (compile.Compiler)

    def build(self, c):
        when = self.exprs.expr(c.when)
        kind = c.kind
        ex = self.exprs.expr(c.expr) if c.expr is not None else None
        req = self.exprs.expr(c.requires) if c.requires is not None else None
        met_if = self.exprs.expr(c.met_if) if c.met_if is not None else None
        kids = [self.build(x) for x in c.children]
        cid = c.id
        from .vdates import to_days
        v_from = None if c.valid_from is None else to_days(c.valid_from)
        v_until = None if c.valid_until is None else to_days(c.valid_until)

        def f(ctx):
            hit = ctx.conds.get(cid)
            if hit is not None:
                return hit, {}, []
            n = ctx.n
            passed: list = []
            ev: list = []
            if when is not None:
                w = when(ctx)
                on = ~is_false(w)
                passed.append(w.miss)
                ev.append(w.ev)
            else:
                on = shared("on", n)
            gap = None   # outside the period its text is encoded for (None: no row)
            if v_from is not None or v_until is not None:
                gap = _false(n)
                if v_from is not None:
                    gap |= ctx.as_of < v_from
                if v_until is not None:
                    gap |= ctx.as_of > v_until
                if not gap.any():
                    gap = None
            live = on if gap is None else on & ~gap
            full = on is shared("on", n) if gap is None else False   # ``live`` holds on every row
            date = none = shared("none", n)
            ms: list = []
            if kind == "test":
                x = ex(ctx)
                ms.append(x.miss)
                ev.append(_restrict(x.ev, live, full))
                eff = _code2(truth(x), MET, x.unk)
            elif kind == "assess":
                if req is None:
                    eff = np.full(n, TO_ASSESS, dtype=np.int8)
                else:
                    x = req(ctx)
                    ms.append(x.miss)
                    ev.append(_restrict(x.ev, live, full))
                    eff = _code2(truth(x), TO_ASSESS, x.unk)
            elif kind in ("from", "until"):
                if met_if is not None:
                    m = met_if(ctx)
                    m_true, m_unk = is_true(m), m.unk
                    ms.append(m.miss)
                    ev.append(_restrict(m.ev, live, full))
                else:
                    m_true = m_unk = _false(n)
                x = ex(ctx)
                reach = ~m_true
                ms.append(restrict(x.miss, reach))
                ev.append(restrict(x.ev, live & reach))
                never = _false(n)   # a day that never comes on the known facts (``false``)
                if x.kind == "obj":
                    objs = x.objects()
                    never = np.fromiter((o is False for o in objs), bool, n)
                    from datetime import date as _d
                    if not all(o is False or o is None or isinstance(o, _d) or o is UNKNOWN_V for o in objs):
                        raise NotVectorisable(f"{cid}: date attendue")
                    xv = np.array([vdates_days(o) if isinstance(o, _d) else 0 for o in objs], dtype=np.int64)
                elif x.kind == "bool":
                    never = ~x.v & ~x.unk & ~x.nil
                    xv = np.zeros(n, dtype=np.int64)
                else:
                    xv = x.v if x.kind == "date" else np.zeros(n, dtype=np.int64)
                dated = ~x.unk & ~x.nil & reach & ~never
                if x.kind not in ("date", "none", "obj", "bool") and dated.any():
                    raise NotVectorisable(f"{cid}: date attendue, {x.kind} trouvé")
                reached = (ctx.as_of >= xv) if kind == "from" else (ctx.as_of <= xv)
                eff = _dated_code(kind, reached, m_true if met_if is not None else None, m_unk, x.unk, x.nil, never)
                date = np.where(dated, xv, NONE_DATE)
            else:
                ch = []
                for k in kids:
                    r, p, e = k(ctx)
                    ch.append(r)
                    ms.append(_restrict(p, live, full))
                    ev.extend(_restrict(x, live, full) for x in e)
                eff, date = combine(kind == "any_of", ch, n)
            unknown = eff == UNKNOWN_
            # what it found missing, on the rows where it is evaluated (``live``) only
            keep = unknown if full else unknown & live
            if kind in ("any_of", "all_of"):
                # unknown: what it found missing and all its children's; settled: its unknown children's
                on_all = shared("on", n)
                mine = merge(*ms, *[k.miss if k.on is on_all else restrict(k.miss, k.on) for k in ch if k.miss])
                kids_unk = merge(*[restrict(k.miss, k.eff == UNKNOWN_ if k.on is on_all else k.on & (k.eff == UNKNOWN_))
                                   for k in ch if k.miss])
                miss = merge(restrict(mine, keep), restrict(kids_unk, ~unknown if full else ~unknown & live)) \
                    if (mine or kids_unk) else {}
            else:
                miss = restrict(merge(*ms), keep)
            if gap is not None:
                # outside the period its text is encoded for: unknown, nothing missing, no date
                eff = np.where(gap, np.int8(UNKNOWN_), eff)
                date = np.where(gap, NONE_DATE, date)
            if date is not none and not (date != NONE_DATE).any():
                date = none
            r = CondV(cid, kind, eff, on, date, miss)
            ctx.conds[cid] = r
            if miss:   # passed on where it applies and is unknown: ``miss`` lies within ``live`` (the
                # gap's rows are left out, the only ones whose code the gap changed); a test's
                # within its unknown rows already, an any_of's / all_of's also on settled rows
                passed.append(restrict(miss, unknown) if kind in ("any_of", "all_of") else miss)
            return r, merge(*passed), ev
        return f
