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
from .compile import Compiler, Ctx, NotVectorisable, V, _false, const, from_objects, merge, restrict
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
        n = ctx.n
        st = ctx.state
        ok = ~st.unk & ~st.nil
        states = st.v if st.kind == "str" else np.array([None] * n, dtype=object)
        val = _false(n)
        unk = np.ones(n, dtype=bool)
        keys: dict = {}
        idx = np.nonzero(ok)[0]
        if len(idx):
            pairs = {}
            for i, s, a in zip(idx.tolist(), states[idx].tolist(), ctx.as_of[idx].tolist()):
                pairs.setdefault((s, a), []).append(i)
            for (s, a), rows in pairs.items():
                v, rec = self._look(name, fn, shape, s, a, ctx.overrides)
                rows = np.array(rows)
                if v is not UNKNOWN:
                    unk[rows] = False
                    val[rows] = bool(v)
                if rec is not None:
                    keys.setdefault(rec[0], []).append(rows)
        ev = {}
        for k, rows in keys.items():
            m = _false(n)
            m[np.concatenate(rows)] = True
            ev[k] = m
        return V("bool", val & ~unk, unk, _false(n), {}, ev)

    def _look(self, name, fn, shape, state, as_of, overrides):
        args = [state if x is None else x for x in shape]
        key = (name, tuple(args), as_of)
        cache = self.__dict__.setdefault("_lookups", {})
        if not overrides and key in cache:
            return cache[key]
        stub = _Stub(self.ref, vdates.from_days(as_of), overrides or None, self.book)
        v = fn(stub, *args)
        out = (v, stub.recorded)
        if stub.recorded is not None:
            self.__dict__.setdefault("_facts", {})[stub.recorded[0], as_of] = stub.recorded[1]
        if not overrides:
            cache[key] = out
        return out

    def fact_of(self, name, as_of):
        return self._facts.get((name, as_of))

    def item_ctx(self, ctx, parent, items, index, coll):
        """The batch of the items of a collection (``exists`` / ``all``): one row per item."""
        sub = Ctx(len(parent), {k: v.take(parent) for k, v in ctx.facts.items()}, ctx.as_of[parent],
                  ctx.state.take(parent), self, ctx.overrides)
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
    """Every fact path an expression of the book reads."""
    out = set()
    for c, _ in book.compiled():
        out |= c.facts
    return sorted(out)


def facts_from_cases(cases: list[dict], paths) -> dict:
    """Fact columns from normalised case dicts (what ``read_case`` gives): one :class:`V` per
    path, UNKNOWN where the case leaves it absent."""
    from ..engine.facts import get_path
    return {p: from_objects([get_path(c, p) for c in cases]) for p in paths}
