"""Conditions of the rule files as vectors: status codes per row (issue 16).

The same evaluation as :func:`lexquery.engine.evaluate.eval_condition`, over a batch of rows. A condition's status is
one small code per row — its rank in ``evaluate.RANK``: 0 not met, 1 not met yet (a date to
come: ``pending``), 2 unknown, 3 to assess, 4 met — with ``on`` false where its ``when`` is
false (the condition does not apply and is left out), its date (from / until), and the fact
paths it found missing (only where it is unknown, as in the scalar evaluator).
"""
from __future__ import annotations

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
        return CondV(self.id, self.kind, self.eff[idx], self.on[idx], self.date[idx],
                     {k: m[idx] for k, m in self.miss.items()})


def combine(is_any: bool, kids: list, n: int):
    """``evaluate.combine`` over rows: (eff, date) of an any_of / all_of from its children."""
    if not kids:
        return np.full(n, MET, dtype=np.int8), np.full(n, NONE_DATE, dtype=np.int64)
    effs = np.stack([np.where(k.on, k.eff, -1) for k in kids])
    present = (effs >= 0).any(axis=0)
    date = np.full(n, NONE_DATE, dtype=np.int64)
    big = np.iinfo(np.int64).max
    if is_any:
        best = effs.max(axis=0)
        eff = best.astype(np.int8)
        for e, kinds in ((PENDING, None), (MET, "from")):
            sel = best == e
            if not sel.any():
                continue
            cands = np.stack([np.where((effs[i] == e) & (k.date != NONE_DATE)
                                       & (kinds is None or k.kind == kinds), k.date, big)
                              for i, k in enumerate(kids)])
            m = cands.min(axis=0)
            date = np.where(sel & (m != big), m, date)
    else:
        has = lambda e: (effs == e).any(axis=0)   # noqa: E731
        eff = np.where(has(NOT_MET), NOT_MET, np.where(has(UNKNOWN_), UNKNOWN_, np.where(
            has(PENDING), PENDING, np.where(has(TO_ASSESS), TO_ASSESS, MET)))).astype(np.int8)
        cands = np.stack([np.where((effs[i] == PENDING), k.date, NONE_DATE) for i, k in enumerate(kids)])
        date = np.where(eff == PENDING, cands.max(axis=0), NONE_DATE)
    eff = np.where(present, eff, MET).astype(np.int8)
    date = np.where(present, date, NONE_DATE)
    return eff, date


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
            on = np.ones(n, dtype=bool)
            passed: list = []
            ev: list = []
            if when is not None:
                w = when(ctx)
                on = ~is_false(w)
                passed.append(w.miss)
                ev.append(w.ev)
            gap = _false(n)
            if v_from is not None:
                gap |= ctx.as_of < v_from
            if v_until is not None:
                gap |= ctx.as_of > v_until
            live = on & ~gap
            date = np.full(n, NONE_DATE, dtype=np.int64)
            ms: list = []
            if kind == "test":
                x = ex(ctx)
                ms.append(x.miss)
                ev.append(restrict(x.ev, live))
                eff = np.where(x.unk, UNKNOWN_, np.where(truth(x), MET, NOT_MET)).astype(np.int8)
            elif kind == "assess":
                if req is None:
                    eff = np.full(n, TO_ASSESS, dtype=np.int8)
                else:
                    x = req(ctx)
                    ms.append(x.miss)
                    ev.append(restrict(x.ev, live))
                    eff = np.where(x.unk, UNKNOWN_, np.where(truth(x), TO_ASSESS, NOT_MET)).astype(np.int8)
            elif kind in ("from", "until"):
                if met_if is not None:
                    m = met_if(ctx)
                    m_true, m_unk = is_true(m), m.unk
                    ms.append(m.miss)
                    ev.append(restrict(m.ev, live))
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
                if kind == "from":
                    st = np.where(ctx.as_of >= xv, MET, PENDING)
                else:
                    st = np.where(ctx.as_of <= xv, MET, NOT_MET)
                st = np.where(m_unk & (st != MET), UNKNOWN_, st)
                eff = np.where(m_true, MET, np.where(x.unk, UNKNOWN_, np.where(
                    x.nil, np.where(m_unk, UNKNOWN_, MET), np.where(
                        never, np.where(m_unk, UNKNOWN_, NOT_MET), st)))).astype(np.int8)
                date = np.where(dated, xv, NONE_DATE)
            else:
                ch = []
                for k in kids:
                    r, p, e = k(ctx)
                    ch.append(r)
                    ms.append(restrict(p, live))
                    ev.extend(restrict(x, live) for x in e)
                eff, date = combine(kind == "any_of", ch, n)
            unknown = eff == UNKNOWN_
            if kind in ("any_of", "all_of"):
                # unknown: what it found missing and all its children's; settled: its unknown children's
                miss = merge(restrict(merge(*ms, *[restrict(k.miss, k.on) for k in ch]), unknown),
                             restrict(merge(*[restrict(k.miss, k.on & (k.eff == UNKNOWN_)) for k in ch]), ~unknown))
            else:
                miss = restrict(merge(*ms), unknown)
            # outside the period its text is encoded for: unknown, nothing missing, no date
            eff = np.where(gap, UNKNOWN_, eff).astype(np.int8)
            date = np.where(gap, NONE_DATE, date)
            miss = restrict(miss, live)
            r = CondV(cid, kind, eff, on, date, miss)
            ctx.conds[cid] = r
            passed.append(restrict(miss, on & (eff == UNKNOWN_)))
            return r, merge(*passed), ev
        return f
