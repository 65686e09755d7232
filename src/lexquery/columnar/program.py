"""The columnar program: every procedure of ``rules/*.yaml`` evaluated over a population.

``compile_book(book)`` compiles once the rule book (the same :class:`~lexquery.rules.model.RuleBook`
the scalar engine evaluates) to vector functions (:mod:`.compile`, :mod:`.compile_conditions`);
``Program.run(frame)`` evaluates a typed input frame (one row per case, :mod:`lexquery.screening.columnar_frame`)
and returns the output frame: the screening rows, text for text, that the scalar engine gives
(``lexquery screen``); the rows it does not evaluate as vectors (dated from the 2029 code, or a
chunk the vector code does not take) are asked to the scalar engine in their place and listed
in ``Program.fallback``.

The steps are those of :class:`lexquery.engine.api.Engine` with ``explain=False`` — the facts
the case format defines (``defaults:``), the candidate States (``engine/candidates.py``),
each procedure settled as ``engine/evaluate.py`` settles it (precedence, routes and the
paths that stand in for a condition, ``until``, consent, notes, a pending date settled under
the law in force on it — ``engine/in_time.py``), what to verify
(``engine/verify.py``: the procedure evaluated again with a reference fact unknown), the
facts proven irrelevant (``engine/prove.py``: evaluated again for each value a missing fact
can take) — each step over whole columns. The steps that only shape the answer (settlement,
proof, verification) are generic; every condition, date, threshold and citation comes from
the rule files.

Modules: :mod:`.compile` (expressions), :mod:`.compile_conditions` (conditions),
:mod:`.compile_settle` (a procedure over a batch), :mod:`.compile_in_time` (its pending dates
under the law in force on them, engine/in_time.py), :mod:`.compile_population` (defaults, what
to verify, the proof), :mod:`.compile_rows` (States, rows, text cells), :mod:`.origins`
(columns of lists read once per batch), :mod:`.shapes`, :mod:`.vdates`; this one holds the
compiled program, the reference look-ups and the typed frame.
"""
from __future__ import annotations

import numpy as np

from ..dates import Duration, parse_duration
from ..engine.evaluate import _precedence_over, cond_index
from ..rules import functions as F
from ..rules.values import UNKNOWN
from . import origins, vdates
from .shapes import Coded, frame_of, row_key, unique_ints
from .compile import (_CONSTS, Compiler, Ctx, NotVectorisable, TakenFacts, V, _false, const, from_objects, merge,
                      spread_objects)
from .compile_conditions import MET, TO_ASSESS, UNKNOWN_, ConditionCompiler, shared
from .compile_in_time import _InTime
from .compile_population import _Population
from .compile_rows import _Rows
from ..engine.screen_row import FIELDS, procedure_cells
from .compile_settle import APP, LATER, NA, STATUS, UND, ProcV, _Eval  # noqa: F401  (the codes, read from here)


class _Stub:
    """What a reference look-up of rules/functions.py reads of its environment."""
    __slots__ = ("ref", "as_of", "overrides", "book", "recorded")

    def __init__(self, ref, as_of, overrides, book):
        self.ref, self.as_of, self.overrides, self.book = ref, as_of, overrides, book
        self.recorded = None

    def record_evidence(self, name, fact):
        if isinstance(self.recorded, list):   # env_call: every look-up, in order
            self.recorded.append((name, fact))
        else:
            self.recorded = (name, fact)



class Program(_InTime, _Eval, _Population, _Rows):
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
        self.prec_until = {pr.id: self.exprs.expr(pr.until) for pr in book.precedence if pr.until is not None}
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
            out = V(x.kind, x.v, x.unk, x.nil, x.miss, x.ev, x.d)   # its evidence (law:month_end) on each read, as the scalar Env.derived
            out.clean = x.clean
            return out
        hit = ctx.derived.get(name)
        if hit is None:
            src = getattr(ctx, "derived_from", None)
            keep = getattr(ctx, "derived_keep", None)   # a trial of the proof: those reading no fact tried
            if src is not None and self.book.derived_per_case and (keep is None or name in keep):
                # the values derived from a case's facts, computed once per case (not per State),
                # and taken once per batch of rows (the procedures over the same rows: the same
                # ``idx`` object, compile_rows._run_procedure)
                taken = src[0].__dict__.setdefault("_derived_taken", {})
                t = taken.get((name, id(src[1])))
                if t is None or t[0] is not src[1]:
                    t = taken[(name, id(src[1]))] = (src[1], self.derived(src[0], name).take(src[1]))
                x = t[1]
                hit = ctx.derived[name] = V(x.kind, x.v, x.unk, x.nil, x.miss, x.ev, x.d)
                hit.clean = x.clean
            else:
                hit = ctx.derived[name] = self.derived_fns[name](ctx)
            return hit
        out = V(hit.kind, hit.v, hit.unk, hit.nil, hit.miss, hit.ev, hit.d)
        out.clean = hit.clean
        return out

    def read_cond(self, ctx, cid) -> V:
        f = ctx.cond_fns.get(cid)
        n = ctx.n
        if f is None:
            return const(False, n)
        r, passed, ev = f(ctx)
        eff = r.eff
        val = eff == MET
        unk = (eff == UNKNOWN_) | (eff == TO_ASSESS)   # neither met, not met nor pending
        if r.on is not shared("on", n):   # left out where its when is false
            val &= r.on
            unk &= r.on
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
        val = _false(n)
        unk = np.ones(n, dtype=bool)
        ev = {}
        g = self._look_groups(ctx)
        if g is not None:
            idx, inv, args = g
            vals = np.zeros(len(args), dtype=bool)
            unks = np.ones(len(args), dtype=bool)
            names = []
            for u, (state, day, o) in enumerate(args):
                v, rec = self._look(name, fn, shape, state, day, o)
                if v is not UNKNOWN:
                    unks[u] = False
                    vals[u] = bool(v)
                names.append(None if rec is None else rec[0])
            val[idx] = vals[inv]
            unk[idx] = unks[inv]
            if ctx.no_ev:   # an evaluation of the outcome only (Ctx.no_ev): no evidence
                names = ()
            by: dict = {}   # the groups that recorded each name (in the order first recorded)
            for u, nm in enumerate(names):
                if nm is not None:
                    by.setdefault(nm, []).append(u)
            if by:   # the rows of each group, by one sort of the groups (not a pass over the rows per name)
                order, bounds = self._look_order(ctx, g)
                for nm, us in by.items():
                    m = ev[nm] = _false(n)
                    for u in us:
                        m[order[bounds[u]:bounds[u + 1]]] = True
        out = V("bool", val & ~unk, unk, _false(n), {}, ev)
        ctx.lookups[key] = out
        return V("bool", out.v, out.unk, out.nil, {}, out.ev)

    @staticmethod
    def _look_groups(ctx):
        """The rows of a batch with a State grouped by (State, date, override), the groups in
        that order, as the look-ups read them: (those rows, each one's group, per group its
        (State, day, override)) — None: no row has a State. Computed once per batch (its
        State, dates and overrides: every look-up of the batch groups its rows so), not per
        look-up (issue 16)."""
        hit = getattr(ctx, "_lgroups", None)
        if hit is not None and hit[0] is ctx.state and hit[1] is ctx.as_of and hit[2] is ctx.overrides:
            return hit[3]
        st = ctx.state
        idx = np.nonzero(~st.unk & ~st.nil)[0]
        out = None
        if len(idx):
            codes, states = ctx.state_codes()
            ovr = ctx.overrides
            # groups in the order of (State, date, override), as one integer key per row
            k = row_key([codes[idx], ctx.as_of[idx]] + ([] if ovr is None else [ctx.override_codes()[idx]]))
            uniq, first, inv = unique_ints(k)
            args = []
            for f in first.tolist():
                i = int(idx[f])
                args.append((states[codes[i]], int(ctx.as_of[i]), None if ovr is None else ovr[i]))
            out = (idx, inv.reshape(-1), args)
        ctx._lgroups = (ctx.state, ctx.as_of, ctx.overrides, out)
        return out

    @staticmethod
    def _look_order(ctx, g):
        """The rows of the groups of :meth:`_look_groups` one group after the other, and where
        each group's begin (computed once per batch)."""
        hit = getattr(ctx, "_lorder", None)
        if hit is not None and hit[0] is g:
            return hit[1]
        idx, inv, args = g
        out = (idx[np.argsort(inv, kind="stable")], np.searchsorted(np.sort(inv), np.arange(len(args) + 1)).tolist())
        ctx._lorder = (g, out)
        return out

    def env_call(self, ctx, name, fn, xs, hints=None) -> V:
        """A function that reads the reference data, over a batch: called once per distinct
        arguments, date and override; the evidence it records, by name, on the rows.
        ``hints`` (compile._arg_hints): the arguments that are a literal or the row's State,
        whose codes are known without reading the rows."""
        vals, inv, ev = self.env_groups(ctx, name, fn, xs, hints)
        out = from_objects(list(vals)).take(inv) if ctx.n else from_objects([])   # a value per group, spread
        out.ev = ev
        return out

    @staticmethod
    def _env_grouping(ctx, xs, hints):
        """The rows of a batch grouped by the codes of the arguments (program._codes_of), date
        and override: [distinct keys, first row of each, group of each row, (rows group after
        group, where each begins) or None]. Kept per batch for the same argument columns (a
        literal counts as one value whatever it is: its code is the same): the look-ups of a
        batch (``party_from`` of each treaty, ``bilateral_terms`` …) group its rows once."""
        n = ctx.n
        hints = hints or (None,) * len(xs)
        sig, keep = [id(ctx.as_of), id(ctx.overrides)], [ctx.as_of, ctx.overrides]
        for x, h in zip(xs, hints):
            if x.kind == "str" and (h == "const" or (n and _CONSTS.get(id(x.v)) is x.v)) \
                    and not x.unk.any() and not x.nil.any():
                sig.append("literal")   # _codes_of: one code in every row
            else:
                sig.append((x.kind, h, id(x.v), id(x.unk), id(x.nil), id(x.d)))
                keep.append(x)   # kept with the grouping: their ids stay theirs
        sig = tuple(sig)
        memo = ctx.__dict__.setdefault("_envg", {})
        hit = memo.get(sig)
        if hit is not None:
            return hit[1]
        codes = [_codes_of(x, ctx, h) for x, h in zip(xs, hints)] + [ctx.as_of]
        if ctx.overrides is not None:
            codes.append(ctx.override_codes())
        key = np.zeros(n, dtype=np.int64)
        radix = 1
        for c in codes:   # one integer per row when the codes allow it, else rows compared whole
            lo = int(c.min()) if n else 0
            span = (int(c.max()) - lo + 1) if n else 1
            if radix * span >= 2 ** 62:
                key = None
                break
            key = key * span + (c - lo)
            radix *= span
        if key is not None:
            uniq, first, inv = unique_ints(key)
        else:
            M = np.stack(codes, axis=1) if n else np.zeros((0, len(codes)), dtype=np.int64)
            uniq, first, inv = np.unique(M, axis=0, return_index=True, return_inverse=True)
        out = [uniq, first, inv.reshape(-1), None]
        memo[sig] = (keep, out)
        return out

    def env_groups(self, ctx, name, fn, xs, hints=None):
        """:meth:`env_call` before its values are spread: (the value of each group, the group
        of each row, the evidence by name)."""
        n = ctx.n
        grp = self._env_grouping(ctx, xs, hints)
        uniq, first, inv = grp[0], grp[1], grp[2]
        vals = np.empty(len(uniq), dtype=object)
        ev: dict = {}
        no_ev = ctx.no_ev   # an evaluation of the outcome only (Ctx.no_ev): no evidence
        if not no_ev:
            if grp[3] is None:   # the rows group after group, once per grouping
                order = np.argsort(inv, kind="stable")
                grp[3] = (order, np.searchsorted(inv[order], np.arange(len(uniq) + 1)))
            order, bounds = grp[3]
        reps = [x.take(first).objects() for x in xs]   # the arguments of each group, once
        # the value and the facts recorded, kept per (function, arguments, date) across batches
        # when no fact is overridden and the arguments hash (typed: True is not 1), as _look's
        cache = self.__dict__.setdefault("_lookups", {})
        known = self.__dict__.setdefault("_facts", {})
        # each group's first row: its date and override read at once, not element by element
        firsts = first.tolist()
        days = ctx.as_of[first].tolist() if len(firsts) else []
        ovr = [None] * len(firsts) if ctx.overrides is None else [ctx.overrides[f0] for f0 in firsts]
        for g, args in enumerate(zip(*reps) if reps else [()] * len(firsts)):
            o = ovr[g]
            a = days[g]
            ck = hit = None
            try:
                ck = ("env", name, tuple([(type(x), x) for x in args]), a) + (self._override_part(o) if o else ())
                hit = cache.get(ck)
            except TypeError:   # a list among the arguments
                ck = None
            if hit is None:
                stub = _Stub(self.ref, vdates.from_days(a), o or None, self.book)
                stub.recorded = []
                hit = (fn(stub, *args), stub.recorded)
                if ck is not None:
                    cache[ck] = hit
            vals[g] = hit[0]
            if not o:
                for nm, fact in hit[1]:
                    known[nm, a] = fact
            if no_ev:
                continue
            rows = order[bounds[g]:bounds[g + 1]]
            for nm, fact in hit[1]:
                m = ev.get(nm)
                if m is None:
                    m = ev[nm] = _false(n)
                m[rows] = True
        return vals, inv, ev

    def _look(self, name, fn, shape, state, as_of, overrides):
        """A reference look-up of one (State, date, override): kept per (look-up, arguments,
        date, and the facts the override replaces — :func:`_override_key`), across batches."""
        args = [state if x is None else x for x in shape]
        key = (name, tuple(args), as_of)
        if overrides:   # the verification's reruns: the same facts tried batch after batch
            try:
                key += self._override_part(overrides)
            except TypeError:   # a fact that does not hash: not kept
                key = None
        cache = self.__dict__.setdefault("_lookups", {})
        hit = None if key is None else cache.get(key)
        if hit is not None:
            return hit
        stub = _Stub(self.ref, vdates.from_days(as_of), overrides or None, self.book)
        v = fn(stub, *args)
        out = (v, stub.recorded)
        if stub.recorded is not None and not overrides:   # the reference's own fact, not one tried in its place
            self.__dict__.setdefault("_facts", {})[stub.recorded[0], as_of] = stub.recorded[1]
        if key is not None:
            cache[key] = out
        return out

    def _override_part(self, overrides: dict) -> tuple:
        """The part of a look-up's key that stands for an override: ("override", a number per
        distinct :func:`_override_key`, never given to another), read once per override object
        (the rows of a rerun share their part's dict) — not its facts hashed and compared at
        every look-up. Raises TypeError for an override that does not hash."""
        seen = self.__dict__.setdefault("_ovr_seen", {})   # id -> (the override, its part), kept alive
        hit = seen.get(id(overrides))
        if hit is not None and hit[0] is overrides:
            return hit[1]
        codes = self.__dict__.setdefault("_ovr_codes", {})   # _override_key -> its part
        key = _override_key(overrides)
        part = codes.get(key)
        if part is None:
            if len(codes) >= 100_000:   # bounded: the numbers go on (a number never stands for two)
                codes.clear()
            self._ovr_next = self.__dict__.get("_ovr_next", 0) + 1
            part = codes[key] = ("override", self._ovr_next)
        if len(seen) >= 4096:   # the overrides of a batch or so (cleared per chunk: run_chunk)
            seen.clear()
        seen[id(overrides)] = (overrides, part)
        return part

    def fact_of(self, name, as_of):
        if name == F.MONTH_END:   # a month count resting on the month's-last-day convention: one fact
            return F.month_end_fact()
        return self._facts.get((name, as_of))

    @staticmethod
    def item_fields(items):
        """The fields of a collection's items (a list or an object array) as columns (``it.kind``
        …, or ``it`` itself): each distinct item (by identity: the lists of a batch share their
        dicts, facts_from_frame) read once, the columns then spread over the items (the kind of
        a column is read from its known values: the same over the distinct items)."""
        its, inv, _ = origins.distinct(items)
        if its and all(isinstance(x, dict) for x in its):
            keys = sorted({k for x in its for k in x})
            # each field made when first read (a body reads few of them: origins.LazyFields)
            return origins.LazyFields({(k,): (lambda k=k: from_objects([x.get(k, UNKNOWN) for x in its]).take(inv))
                                       for k in keys})
        return {(): from_objects(list(its)).take(inv)}

    def item_ctx(self, ctx, parent, fields, index, coll):
        """The batch of the items of a collection (``exists`` / ``all``): one row per item."""
        sub = ctx.take_overrides(Ctx(len(parent), TakenFacts(ctx.facts, parent), ctx.as_of[parent],
                                     ctx.state.take(parent), self,
                                     None if ctx.overrides is None else ctx.overrides[parent]), parent)
        ctx.take_state_codes(sub, parent)
        sub.parent = (ctx, parent)
        sub.conds, sub.cond_fns = {}, ctx.cond_fns
        sub.from_date = None if ctx.from_date is None else ctx.from_date.take(parent)
        sub.items = ctx.items + [(fields, coll)]
        sub.no_ev = ctx.no_ev
        return sub


def _override_key(overrides: dict) -> tuple:
    """What a reference look-up reads of an override (engine/verify.py: ``{evidence name:
    Fact}``, read by ``rules.functions._ref`` as ``name in ov`` / ``ov[name]``): its entries, by
    value — two overrides with equal entries give the same answer and the same evidence. A key
    part that no look-up without override has (it starts with the marker "override")."""
    return ("override",) + tuple(overrides.items())


_CODES: dict = {}   # id of a text column -> (the column, its codes, its rows unknown or none), while it lives


def _codes_of(x: V, ctx=None, hint=None) -> np.ndarray:
    """A column as integers equal where the values are equal (UNKNOWN and none apart), in the
    order of the values. ``hint`` "const": a literal (one value); "state": the row's State
    (its codes kept by the batch)."""
    n = len(x)
    if hint == "const" and x.kind == "str" and not x.unk.any() and not x.nil.any():
        return np.full(n, 2, dtype=np.int64)
    if x.kind == "str" and n and _CONSTS.get(id(x.v)) is x.v and not x.unk.any() and not x.nil.any():
        return np.full(n, 2, dtype=np.int64)   # a literal's column (compile.const): one value
    if hint == "state" and x.kind == "str" and ctx is not None and x.v is ctx.state.v:
        v = ctx.state_codes()[0].astype(np.int64) * 4 + 2
        return np.where(x.unk, 0, np.where(x.nil, 1, v))
    if x.kind in ("date", "int", "bool"):
        v = x.v.astype(np.int64) * 4 + 2
    elif x.kind == "dur":
        v = (x.v * 100_000 + x.d) * 4 + 2
    elif x.kind == "none":
        v = np.zeros(n, dtype=np.int64)
    elif x.kind == "str":
        # codes kept by the values' array and the rows unknown or none (read as "" below): another
        # column on the same array, unknown in other rows, has other codes
        off = x.unk | x.nil
        hit = _CODES.get(id(x.v))
        if hit is not None and hit[0] is x.v and np.array_equal(hit[2], off):
            v = hit[1]
        elif origins.gathered(x.v):
            v = _gathered_text_codes(x, off)
            if len(_CODES) > 16:
                _CODES.clear()
            _CODES[id(x.v)] = (x.v, v, off)
        else:
            # the texts' ranks in sorted order (what np.unique of the texts gave), each distinct
            # text sorted once — not a fixed-width copy of every row sorted
            text = np.where(x.unk | x.nil, "", x.v).tolist()
            uniq = set(text)
            if all(type(t) is str for t in uniq):
                rank = {t: i for i, t in enumerate(sorted(uniq))}
                v = np.fromiter(map(rank.__getitem__, text), np.int64, n) * 4 + 2
            else:   # a value other than a text: as numpy reads it as text
                v = np.unique(np.array(text, dtype=object).astype(str), return_inverse=True)[1].reshape(-1) \
                    .astype(np.int64) * 4 + 2
            if len(_CODES) > 16:
                _CODES.clear()
            _CODES[id(x.v)] = (x.v, v, off)
    else:
        objs = x.objects()
        keys: dict = {}
        v = np.fromiter((keys.setdefault(o if isinstance(o, (str, int, float, tuple)) else repr(o), len(keys))
                         for o in objs), np.int64, n) * 4 + 2
    return np.where(x.unk, 0, np.where(x.nil, 1, v))


def _gathered_text_codes(x: V, off: np.ndarray) -> np.ndarray:
    """The codes ``_codes_of`` gives a text column (before unknown and none are set apart: ""
    there, the rows ``off``: ``x.unk | x.nil``), when its texts were gathered from a column's
    distinct texts (``origins.spread``): the texts present ranked once, then gathered — not a
    text read per row."""
    base, at = origins._gathered(x.v)
    present = np.zeros(len(base), dtype=bool)
    present[at[~off]] = True
    names = base[present].tolist()   # the known rows' texts (str: a column of kind "str")
    uniq = set(names) | ({""} if off.any() else set())
    rank = {t: i for i, t in enumerate(sorted(uniq))}
    code = np.zeros(len(base), dtype=np.int64)
    code[present] = [rank[t] for t in names]
    v = code[at]
    if off.any():
        v[off] = rank[""]
    return v * 4 + 2


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


# --- the typed frame (lexquery.screening.columnar_frame) -----------------------------------------

# the CSV columns and the case-format paths they give (docs/screening-csv.md; the same table as
# screening/csv_columns.py COLUMNS, which this floor may not import — tests/test_columnar_program.py
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
    import polars as pl
    if name not in frame.columns:
        return [UNKNOWN] * n
    col = frame.get_column(name)
    vals = col.to_list()
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
    if col.dtype == pl.List:   # one list object per distinct list, shared by its rows (as the
        shared: dict = {}               # removal measures): what is read of a list is read once per list
        return [UNKNOWN if v is None else shared.setdefault(tuple(v), v) for v in vals]
    return [UNKNOWN if v is None else v for v in vals]


def _groupings(frame, sets: dict) -> dict:
    """The rows of ``frame`` grouped by equal cells of each column list of ``sets`` (key ->
    columns; null equal to null), the groups in the order they first appear — key -> (the first
    row of each group, the group of each row) —, all in one polars query
    (a query costs ≈ 0.2 ms whatever its rows: one per batch, not five per grouping): per row,
    the first row of its group (a window ``min`` over the columns, null equal to null); the
    groups, in the order they first appear, numbered from those first rows."""
    import polars as pl
    n = frame.height
    if not sets:
        return {}
    row = "__lexquery_row"
    got = frame.with_row_index(row).select([pl.col(row).min().over(cols).alias(f"g{j}")
                                            for j, cols in enumerate(sets.values())])
    out = {}
    for j, key in enumerate(sets):
        f = got.get_column(f"g{j}").to_numpy().astype(np.int64)
        first = np.zeros(n, dtype=bool)
        first[f] = True   # the rows that begin a group
        number = np.cumsum(first) - 1   # a group's number: how many groups begin before it, at its first row
        out[key] = (np.flatnonzero(first), number[f])
    return out


def _rows_of(frame, cols, rows):
    """The rows ``rows`` (an index array) of the columns ``cols`` of ``frame`` and of those
    :func:`_column` reads with them (``__months`` / ``__days`` / ``__none``): a frame of these
    columns alone, gathered — not every column of the input (≈ 40, lists among them) gathered
    to read one or a few."""
    import polars as pl
    have = set(frame.columns)
    keep = [x for c in cols for x in (c, c + "__months", c + "__days", c + "__none") if x in have]
    return pl.DataFrame([frame.get_column(x) for x in dict.fromkeys(keep)])[np.asarray(rows, dtype=np.int64)]


def facts_from_frame(frame, paths) -> dict:
    """Fact columns from the typed input frame (lexquery.screening.columnar_frame): null = unknown, as the
    scalar reader; the ``removal_*`` columns make one measure per kind sharing the other cells;
    ``court`` the one conviction; an ``identification`` object where one of its cells is given.
    The objects (measures, identification) are built once per distinct combination of their
    cells (:func:`_groupings`) and shared by its rows; the columns of dates, booleans, text and
    lengths straight from polars in one query (:func:`.frame_columns.plain_columns`), a list once
    per distinct list (:func:`_lists`)."""
    import polars as pl
    from .frame_columns import plain_columns
    n = frame.height
    objects = {c for c, path in COLUMN_PATHS.items() if "[" in path or path.startswith("identification.")}
    facts, direct = {}, {}
    have = set(frame.columns)
    wanted = [(c, path) for c, path in COLUMN_PATHS.items()
              if c in have and "[" not in path and not (c in objects and path not in paths)]
    plain = plain_columns(frame, [c for c, _ in wanted if c not in _DURATIONS],
                          [c for c, _ in wanted if c in _DURATIONS])
    schema = frame.schema
    rest = [(c, path) for c, path in wanted if plain.get(c) is None]
    # every grouping of the batch's rows (by one cell, or a combination) in one polars query
    sets = {}
    for c, _ in rest:
        if c in _DURATIONS:
            sets[c] = [x for x in (c, c + "__months", c + "__days") if x in have]
        elif schema[c] == pl.List:
            sets[c] = [c]
    removal = [c for c in ("removal_destination", "removal_definitive", "removal_enforceable",
                           "removal_remedies_exhausted", "removal_end_date") if c in have]
    if "removal_kinds" in have:
        sets["removal_measures"] = ["removal_kinds"] + removal
    if "court" in have:
        sets["court"] = ["court"]
    ident = [c for c in COLUMN_PATHS if c in have and COLUMN_PATHS[c].startswith("identification.")]
    if ident and "identification" in paths:
        sets["identification"] = ident
    grouped = _groupings(frame, sets)
    for c, path in wanted:
        v = plain.get(c)
        if v is None and c in _DURATIONS:
            v = _distinct_column(frame, c, n, grouped[c])
        if v is not None:
            direct[path] = v
        elif schema[c] == pl.List:
            facts[path] = _lists(frame, c, grouped[c])
        else:
            facts[path] = _column(frame, c, n)
    if "removal_kinds" in have:
        shared = removal
        # one list per distinct combination of cells, shared by its rows (the code copies a
        # row's measures before setting a field: prove, verify): few combinations, and what is
        # read per object (field, candidate States) is read once per distinct list
        first, inv = grouped["removal_measures"]
        reps = _rows_of(frame, ["removal_kinds"] + shared, first)
        k = len(first)
        kinds = _column(reps, "removal_kinds", k)
        cells = [(COLUMN_PATHS[c].split(".")[1], _column(reps, c, k)) for c in shared]
        objs = []
        for g in range(k):
            if kinds[g] is UNKNOWN:
                objs.append(UNKNOWN)
                continue
            base = {nm: v[g] for nm, v in cells if v[g] is not UNKNOWN}
            objs.append([dict(base, kind=x) for x in kinds[g]])
        facts["removal_measures"] = spread_objects(objs, inv)
    if "court" in have:   # one list a distinct court, shared by its rows
        first, inv = grouped["court"]
        facts["sentence.convictions"] = spread_objects([UNKNOWN if v is UNKNOWN else [{"court": v}]
                                                        for v in _column(_rows_of(frame, ["court"], first), "court", len(first))], inv)
    if ident and "identification" in paths:
        first, inv = grouped["identification"]
        reps = _rows_of(frame, ident, first)
        k = len(first)
        cells = [(COLUMN_PATHS[c].split(".")[1], _column(reps, c, k)) for c in ident]
        objs = []
        for g in range(k):
            d = {nm: v[g] for nm, v in cells if v[g] is not UNKNOWN}
            objs.append(d if d else UNKNOWN)
        facts["identification"] = spread_objects(objs, inv)
    out = {p: facts[p] if isinstance(facts[p], V) else from_objects(facts[p]) for p in paths if p in facts}
    out.update({p: v for p, v in direct.items() if p in paths})
    return out


def _lists(frame, c, grouped) -> V:
    """A column of lists, one list object per distinct list (UNKNOWN for null), shared by its
    rows: what is read of a list is read once per list (as the removal measures). ``grouped``:
    its rows grouped by the list (:func:`_groupings`)."""
    first, inv = grouped
    reps = frame.get_column(c).gather(first).to_list()
    return spread_objects([UNKNOWN if v is None else v for v in reps], inv)


def _distinct_column(frame, c, n, grouped):
    """A column read once per distinct cell (durations: each text parsed once), spread.
    ``grouped``: its rows grouped by the cell (:func:`_groupings`)."""
    first, inv = grouped
    return spread_objects(_column(_rows_of(frame, [c], first), c, len(first)), inv)


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
    (:func:`lexquery.engine.screen_row.procedure_cells`, the scalar screening's; before neutralisation)."""
    try:
        ans = engine.ask(case_of_row(row), None, explain=False)
    except Exception as e:   # as the scalar path: an error row, and the batch goes on
        return [[str(row["line"]), row["id"], "", row["as_of"].isoformat(), "", "", "error", "", "", "", "", "",
                 "", "", f"erreur interne : {type(e).__name__}: {e}", "", ""]]
    a_of = "" if ans.as_of is None else ans.as_of.isoformat()
    # the scalar screening's cells (engine/screen_row.py), an empty cell as "" (the id as read)
    return [[str(row["line"]), row["id"], *("" if c is None else c for c in
                                            procedure_cells(None, None, ans.name or "", a_of, p)[2:])]
            for p in ans.procedures]


CHUNK = 20_000
"""Cases evaluated together: the batch of one procedure has one row per case and State, the
proof's a row per combination tried — memory grows with the chunk, not with the file. The
screening's blocks decide the batches below it: ≈ 10,000 rows on several processes
(:data:`lexquery.screening.columnar_frame.BLOCK_BYTES`), ≈ 20,000 on one
(:data:`~lexquery.screening.columnar_frame.ONE_PROCESS_BLOCK_BYTES`): one chunk each."""
SLACK = 1.1
"""A frame of up to ``CHUNK * SLACK`` cases is one chunk; a larger one is cut in equal chunks
(a 2 MB block of 10,380 rows: one chunk, not 10,000 then 380)."""


def run(self, frame):
    """The output frame of a typed input frame, evaluated in chunks of at most :data:`CHUNK` × :data:`SLACK` cases
    (:func:`run_chunk`). Python's cyclic garbage collector is paused meanwhile (and restored as
    it was): the program allocates arrays and small objects by the hundred thousand, none in
    cycles it needs collected, and each collection of the oldest generation walks every object
    of the process (the frame's, the reader's) — ≈ 10 % of the CPU of a 20,000-row frame. The
    few cycles a chunk leaves (≈ 1,100 objects, holding some of its arrays) are collected after
    each chunk, the youngest generation only, else a frame of several chunks keeps them all."""
    import gc
    was = gc.isenabled()
    gc.disable()
    try:
        return self._run(frame)
    finally:
        if was:
            gc.enable()


def _run(self, frame):
    import polars as pl
    h = frame.height
    parts = -(-h // int(CHUNK * SLACK))   # chunks of equal size: no small remainder paying a batch's fixed costs
    if parts <= 1:
        return self.run_chunk(frame)
    size = -(-h // parts)
    outs, fallback = [], []
    import gc
    for start in range(0, h, size):
        outs.append(self.run_chunk(frame[start:start + size]))
        fallback.append(self.fallback + start)
        gc.collect(0)   # the chunk's few cycles (they hold its arrays): the young objects only
    self.fallback = np.concatenate(fallback)
    return pl.concat(outs)


def run_chunk(self, frame):
    """The output frame of a typed input frame (lexquery.screening.columnar_frame): the screening rows in
    the scalar engine's order, cells as text (before formula neutralisation). The rows dated on
    or after the entry into force of the 2029 code (their citations are rewritten,
    engine/recodification.py) are asked to the scalar engine here, in their place;
    ``self.fallback`` gives their positions in ``frame``."""
    import polars as pl
    n = frame.height
    if len(self.__dict__.get("_lookups", ())) > 100_000:   # one date per row: bounded all the same
        self._lookups.clear()
        self.__dict__.get("_facts", {}).clear()
    self.__dict__.get("_ovr_seen", {}).clear()   # the last chunk's override objects: not kept past it
    col = frame.get_column("as_of")
    if col.dtype == pl.Date and not col.null_count():   # day numbers since 1970-01-01, as vdates.to_days
        as_of_all = col.cast(pl.Int32).to_numpy().astype(np.int64)
    else:
        as_of_all = np.array([vdates.to_days(d) for d in col.to_list()], dtype=np.int64)
    keep = np.ones(n, dtype=bool)
    table = self.succession
    if table is not None and table.in_force is not None:
        keep &= as_of_all < vdates.to_days(table.in_force)
    self.fallback = np.nonzero(~keep)[0]
    pos = np.nonzero(keep)[0]
    sub = frame[pos.tolist()] if len(pos) < n else frame
    res = None
    if len(pos):
        try:
            facts = facts_from_frame(sub, self.fact_paths())
            res = self.screen(facts, as_of_all[pos], len(pos))
        except NotVectorisable as e:
            # a value the vector code does not take (a rule file using an operation on kinds it
            # has no vector form for): the whole chunk is asked to the scalar engine, and said
            self.not_vectorised = getattr(self, "not_vectorised", []) + [str(e)]
            self.fallback = np.arange(n)
            pos = np.zeros(0, dtype=np.int64)
    if len(pos):
        case = res["case"]
        # the cells of the case, spread over its rows by polars (no Python string per row)
        names = sub.get_column("name").fill_null("") if "name" in sub.columns \
            else pl.Series([""] * len(pos), dtype=pl.Utf8)
        days, at = np.unique(as_of_all[pos], return_inverse=True)   # one date of evaluation or a few
        as_of_t = pl.Series([vdates.from_days(d).isoformat() for d in days.tolist()], dtype=pl.Utf8)
        # every cell as codes: the case's line, id and name by its row, as_of by its day, the
        # others shapes.Coded (each text made once) — gathered by polars in one query (frame_of)
        data = {"line": (sub.get_column("line"), case), "id": (sub.get_column("id"), case),
                "name": (names, case), "as_of": (as_of_t, at.reshape(-1)[case])}
        for k in FIELDS[4:]:
            data[k] = res[k] if k != "message" else Coded.const("", len(case))
        out = frame_of(data, len(case))
    else:
        out = pl.DataFrame({k: pl.Series(k, [], dtype=pl.Utf8) for k in FIELDS})
    if len(self.fallback):
        eng = self.scalar_engine()
        rows = [r for i in self.fallback.tolist() for r in _scalar_cells(eng, frame.row(i, named=True))]
        extra = pl.DataFrame(rows, schema={k: pl.Utf8 for k in FIELDS}, orient="row")
        order = {str(x): i for i, x in enumerate(frame.get_column("line").to_list())}
        out = pl.concat([out, extra]).with_columns(
            pl.col("line").replace_strict(order, return_dtype=pl.Int64).alias("__pos")) \
            .sort("__pos", maintain_order=True).drop("__pos")
    return out


def program_fact_paths(self) -> list[str]:
    """:func:`fact_paths` of this program's rule book, computed once (the book does not change:
    not a walk of its expressions per batch)."""
    paths = self.__dict__.get("_fact_paths")
    if paths is None or paths[0] is not self.book:
        paths = self._fact_paths = (self.book, fact_paths(self.book))
    return paths[1]


def scalar_engine(self):
    """The scalar engine of this program's rule book and reference data — the rows handed back
    are answered under the same law as the others (a reform's program: the reform's, not the
    law in force; engine/reform.py)."""
    eng = self.__dict__.get("_engine")
    if eng is None:
        from ..engine.api import Engine, load_kb
        base = load_kb()
        eng = base if (base.book is self.book and base.ref is self.ref) else Engine(self.book, self.ref)
        self._engine = eng.prepare_batch()
    return eng


Program.run = run
Program._run = _run
Program.run_chunk = run_chunk
Program.scalar_engine = scalar_engine
Program.fact_paths = program_fact_paths
