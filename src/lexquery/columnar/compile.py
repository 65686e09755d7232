"""Rule expressions compiled to vector code (issue 16): one numpy function per expression.

The parse trees are those of :mod:`lexquery.rules.expr_parse` (the rule files, read once by the
loader); each node becomes a function over a :class:`Ctx` — a batch of rows (one per case, or
per case and State) — returning a :class:`V`: a column of values with

- ``unk``: the rows where the value is UNKNOWN (three-valued logic, Kleene: ``and`` is the
  minimum, ``or`` the maximum of false < unknown < true);
- ``nil``: the rows where it is ``none`` (an explicit « no such date »);
- ``miss``: for each fact path, the rows where evaluating the node recorded it as missing —
  the same sets as the scalar evaluator's ``env.missing`` (a settled ``and`` / ``or`` /
  ``exists`` / ``all`` / ``known`` passes none on);
- ``ev``: for each reference look-up (``party("STE112", state)`` …), the rows where it was
  consulted (short-circuits respected), for ``to_verify`` — read of the first evaluation
  only: a batch evaluated again for its outcome (``Ctx.no_ev``: the verification's reruns,
  the proof's trials, a later day) records none (no value depends on the evidence).

Python supplies only the generic operations, the same as :mod:`lexquery.rules.functions`:
date arithmetic date to date (:mod:`lexquery.columnar.vdates`, CPP 716-1), comparison,
membership, min / max. The reference look-ups call the scalar functions themselves, once per
distinct (State, date). An operation this module has no vector form for is evaluated row by
row with the scalar function (:func:`_objwise`): the same result, slower — never a rule
written by hand. An expression it cannot compile at all raises :class:`NotVectorisable`.
"""
from __future__ import annotations

from datetime import date

import numpy as np

from ..dates import LIFE_MONTHS, Duration, parse_date, parse_duration
from ..rules import functions as F
from ..rules.expr_parse import TREES
from ..rules.expr_scope import CASE_ROOTS
from ..rules.values import UNKNOWN
from . import origins, vdates
from .shapes import row_key, unique_ints


class NotVectorisable(Exception):
    """An expression or a value the columnar back-end does not evaluate (the scalar engine does)."""


# --- values -----------------------------------------------------------------------------------

class V:
    """A column of values of one kind: ``bool``, ``int``, ``date`` (int64 day numbers),
    ``dur`` (``v`` months, ``d`` days), ``str`` / ``obj`` (object arrays), ``none``."""
    __slots__ = ("kind", "v", "d", "unk", "nil", "miss", "ev", "clean")

    def __init__(self, kind, v, unk, nil, miss=None, ev=None, d=None):
        self.kind, self.v, self.d = kind, v, d
        self.unk, self.nil = unk, nil
        self.clean = False   # a bool column false where unknown and never none (boolv): truth is v
        self.miss = miss if miss is not None else {}
        self.ev = ev if ev is not None else {}

    def __len__(self):
        return len(self.unk)

    def take(self, idx):
        """The rows ``idx`` (an index array), missing and evidence included. Values gathered from
        a column's distinct objects (``origins.spread``) are gathered from them again."""
        out = V(self.kind, take_values(self.v, idx), self.unk[idx], self.nil[idx],
                {k: m[idx] for k, m in self.miss.items()}, {k: m[idx] for k, m in self.ev.items()},
                self.d[idx] if self.d is not None else None)
        out.clean = self.clean
        return out

    def objects(self) -> list:
        """The values as the scalar evaluator holds them (UNKNOWN, None, date, Duration …)."""
        n = len(self.unk)
        if self.kind == "date":
            o = np.where(self.unk | self.nil, 0, self.v).astype("datetime64[D]").astype(object)
        elif self.kind == "dur":
            o = np.empty(n, dtype=object)
            o[:] = [Duration(int(m), int(d)) for m, d in zip(self.v.tolist(), self.d.tolist())]
        elif self.kind == "none":
            o = np.full(n, None, dtype=object)
        elif self.kind in ("bool", "int"):
            o = self.v.astype(object)   # Python bools and ints, as tolist()
        else:
            o = self.v.copy()
        # UNKNOWN where unknown, else None where none (object arrays: no Python loop per row)
        if self.unk.any():
            o[self.unk] = UNKNOWN
        nil = self.nil & ~self.unk
        if nil.any():
            o[nil] = None
        return o.tolist()


def take_values(v, idx):
    """``v[idx]`` (None: None); values gathered from a column's distinct objects
    (``origins.spread``) gathered from them again, and remembered so."""
    if v is None:
        return None
    src = origins._gathered(v) if v.dtype == object else None
    return v[idx] if src is None else origins.spread(src[0], src[1][idx])


def _false(n):
    return np.zeros(n, dtype=bool)


class _One:
    """A batch of one row (to read a literal's value at compile time)."""
    n = 1


def const(value, n) -> V:
    """A literal or a constant of the rule files, the same in every row."""
    f = _false(n)
    if value is None:
        return V("none", None, f, np.ones(n, dtype=bool))
    if isinstance(value, bool):
        return V("bool", np.full(n, value), f, f)
    if isinstance(value, int):
        return V("int", np.full(n, value, dtype=np.int64), f, f)
    if isinstance(value, date):
        return V("date", np.full(n, vdates.to_days(value), dtype=np.int64), f, f)
    if isinstance(value, Duration):
        return V("dur", np.full(n, value.months, dtype=np.int64), f, f, d=np.full(n, value.days, dtype=np.int64))
    key = (id(value), n)
    hit = _CONST_COLS.get(key)
    if hit is not None and hit[0] is value:   # the same literal over as many rows: its column again
        arr = hit[1]
    else:
        arr = np.empty(n, dtype=object)
        arr.fill(value)   # the same object in every row (a list is not spread over a second axis)
        arr.flags.writeable = False   # shared by the evaluations that read the literal
        if len(_CONSTS) > 256:   # known to hold one object: _list_shape, program._codes_of read no row
            _CONSTS.clear()
            _CONST_COLS.clear()
        _CONSTS[id(arr)] = arr
        _CONST_COLS[key] = (value, arr)
    return V("str" if isinstance(value, str) else "obj", arr, f, f)


_CONSTS: dict = {}   # id of a column of a literal (one object in every row) -> the column, while kept
_CONST_COLS: dict = {}   # (id of a literal's value, rows) -> (the value, its column), while kept (_CONSTS)


def from_objects(vals: list, miss=None, ev=None) -> V:
    """A column from the scalar evaluator's values (the kind read from the known values)."""
    n = len(vals)
    arr = np.fromiter(vals, dtype=object, count=n)
    # UNKNOWN and None by identity (what ``== UNKNOWN`` / ``== None`` find: no value of a case
    # claims equality with either), without a Python ``__eq__`` per row
    ids = np.fromiter(map(id, arr), np.int64, n)
    unk = ids == id(UNKNOWN)
    nil = ids == id(None)
    known = ~unk & ~nil
    kv = arr[known]
    if not len(kv):
        return V("none", None, unk, nil, miss, ev)
    types = set(map(type, kv))
    if types == {bool}:
        v = np.zeros(n, dtype=bool)
        v[known] = kv.astype(bool)
        return V("bool", v, unk, nil, miss, ev)
    if types == {int}:
        v = np.zeros(n, dtype=np.int64)
        v[known] = kv.astype(np.int64)
        return V("int", v, unk, nil, miss, ev)
    if types == {date}:
        v = np.zeros(n, dtype=np.int64)
        v[known] = np.array(list(kv), dtype="datetime64[D]").astype(np.int64)
        return V("date", v, unk, nil, miss, ev)
    if types == {Duration}:
        m = np.zeros(n, dtype=np.int64)
        d = np.zeros(n, dtype=np.int64)
        m[known] = [x.months for x in kv]
        d[known] = [x.days for x in kv]
        return V("dur", m, unk, nil, miss, ev, d=d)
    return V("str" if types == {str} else "obj", arr, unk, nil, miss, ev)


def spread_objects(objs: list, idx) -> V:
    """One object per group (a combination of cells, a distinct list, the candidate States of a
    combination …) given to the rows ``idx`` (the group of each row): the column
    :func:`from_objects` makes of the rows' objects, made of the groups' and taken over the rows
    (every group has a row: the same kind). Texts and objects are gathered with
    :func:`.origins.spread`, so that what is read of them later (distinct values, codes) is read
    once per group, not per row."""
    x = from_objects(objs)
    if x.v is None or x.v.dtype != object:
        return x.take(idx)
    return V(x.kind, origins.spread(x.v, idx), x.unk[idx], x.nil[idx])


def vconcat(vs: list) -> V:
    """Columns one after the other (fact columns: no missing facts, no evidence)."""
    kinds = {x.kind for x in vs} - {"none"}
    if len(kinds) == 1 and kinds != {"str"} and kinds != {"obj"}:
        k = kinds.pop()
        vs = [x if x.kind != "none" else V(k, np.zeros(len(x), dtype=bool if k == "bool" else np.int64), x.unk, x.nil,
                                           d=np.zeros(len(x), dtype=np.int64)) for x in vs]
        return V(k, np.concatenate([x.v for x in vs]), np.concatenate([x.unk for x in vs]),
                 np.concatenate([x.nil for x in vs]), d=np.concatenate([x.d for x in vs]) if k == "dur" else None)
    if len(kinds) == 1:   # text or objects: object arrays
        k = kinds.pop()
        parts = []
        for x in vs:
            if x.kind == "none":
                a = np.empty(len(x), dtype=object)
                parts.append(a)
            else:
                parts.append(x.v)
        return V(k, np.concatenate(parts), np.concatenate([x.unk for x in vs]), np.concatenate([x.nil for x in vs]))
    if not kinds:
        return V("none", None, np.concatenate([x.unk for x in vs]), np.concatenate([x.nil for x in vs]))
    return from_objects([o for x in vs for o in x.objects()])


def merge(*dicts, masks=None) -> dict:
    """The union of several missing (or evidence) maps, each restricted to ``masks[i]``."""
    if masks is None:   # most maps are empty: those left out, one map copied as it is
        ds = [d for d in dicts if d]
        if not ds:
            return {}
        out = dict(ds[0])
        for d in ds[1:]:
            for k, x in d.items():
                y = out.get(k)
                out[k] = x if y is None else (y | x)
        return out
    out: dict = {}
    for i, d in enumerate(dicts):
        m = None if masks is None else masks[i]
        for k, x in d.items():
            x = x if m is None else (x & m)
            if k in out:
                out[k] = out[k] | x
            else:
                out[k] = x
    return out


def restrict(d: dict, mask) -> dict:
    """A missing (or evidence) map restricted to the rows ``mask``. Where ``mask`` holds on
    every row, the same masks (a new dict): the masks of these maps are never modified in
    place — shared already (``Ctx.fact`` gives a fact column's own ``unk``), copied before
    they are set row by row (``_Population.prove``)."""
    if not d:
        return {}
    if mask.all():
        return dict(d)
    return {k: x & mask for k, x in d.items()}


def truth(x: V):
    """The rows where a known value is true (Python truthiness, as ``if v`` in the scalar code)."""
    if x.kind == "bool":
        if x.clean:   # boolv's: already false where unknown, never none (a copy: callers may set it)
            return x.v.copy()
        return x.v & ~x.unk & ~x.nil
    if x.kind == "int":
        return (x.v != 0) & ~x.unk & ~x.nil
    if x.kind == "none":
        return _false(len(x))
    if x.kind in ("date", "dur"):
        return ~x.unk & ~x.nil
    return np.fromiter((bool(o) if not (u or z) else False for o, u, z in zip(x.v, x.unk, x.nil)), bool, len(x))


def is_false(x: V):
    """Rows where the value ``is False`` (the identity test of ``when``)."""
    if x.kind == "bool":
        if x.clean:
            return ~x.v & ~x.unk
        return ~x.v & ~x.unk & ~x.nil
    return _false(len(x))


def is_true(x: V):
    if x.kind == "bool":
        if x.clean:
            return x.v.copy()
        return x.v & ~x.unk & ~x.nil
    return _false(len(x))


def boolv(val, unk, miss=None, ev=None) -> V:
    val = val & ~unk
    out = V("bool", val, unk, _false(len(unk)), miss, ev)
    out.clean = True
    return out


# --- the batch ----------------------------------------------------------------------------------

class Ctx:
    """A batch of rows: the facts (one :class:`V` per fact path), the date of evaluation,
    the State of each row, the values derived from the facts (computed once), the
    conditions already evaluated, and the reference look-ups."""

    def __init__(self, n, facts: dict, as_of: np.ndarray, state: V, program, overrides=None):
        self.n = n
        self.facts = facts            # dotted path -> V (absent: unknown everywhere)
        self.as_of = as_of            # int64 day numbers
        self.state = state
        self.program = program
        self.derived: dict = {}
        self.items: list = []         # the `it` of exists / all: (item facts, collection name)
        self.from_date = None         # V date, set while settling a procedure
        self.conds: dict = {}         # condition id -> CondV (memo), per procedure
        self.cond_fns: dict = {}      # condition id -> function (read as cond.<id> before its turn)
        self.overrides = overrides    # None, or per row a dict {evidence name: Fact} (engine/verify.py)
        self.lookups: dict = {}       # reference look-ups already made over this batch
        self.exploded: dict = {}      # collections made into one row per item (exists / all)
        self._codes = None
        self._ovr = None              # (overrides, their codes) once computed
        self.no_ev = False            # an evaluation of the outcome only: no evidence recorded (below)

    def state_codes(self):
        """The State of each row as a small integer, and the States by code."""
        if self._codes is None:
            st = self.state
            vals = st.v if st.kind == "str" else np.array([""] * self.n, dtype=object)
            vals = np.where(st.unk | st.nil, "", vals)
            uniq, inv = np.unique(vals.astype(str), return_inverse=True)
            self._codes = (inv.reshape(-1), [str(x) for x in uniq])
        return self._codes

    def override_codes(self):
        """The override of each row as a small integer (0: none; the others numbered in the
        order they first appear), computed once per batch and overrides."""
        hit = self._ovr
        if hit is not None and hit[0] is self.overrides:
            return hit[1]
        o = self.overrides
        raw = np.fromiter(map(id, o), np.int64, len(o))
        codes = renumber(np.where(raw == id(None), 0, raw))
        self._ovr = (o, codes)
        return codes

    def set_overrides(self, overrides, raw=None, numbered=False):
        """Set the rows' overrides; ``raw``: integers equal where the override objects are the
        same (0: none), when the caller knows them (``numbered``: already 1, 2 … in the order
        they first appear, what :func:`renumber` gives)."""
        self.overrides = overrides
        self._ovr = None if raw is None or overrides is None else (overrides, raw if numbered else renumber(raw))

    def take_overrides(self, child, idx):
        """``child`` (rows ``idx`` of this batch) gets its overrides' codes from these."""
        hit = self._ovr
        if child.overrides is not None and hit is not None and hit[0] is self.overrides:
            child._ovr = (child.overrides, renumber(hit[1][idx]))
        return child

    def fact(self, dotted) -> V:
        x = self.facts.get(dotted)
        if x is None:
            n = self.n
            t = np.ones(n, dtype=bool)
            return V("none", None, t, _false(n), {dotted: t})
        return V(x.kind, x.v, x.unk, x.nil, {dotted: x.unk} if x.unk.any() else {}, None, x.d)

    def sub(self, idx) -> "Ctx":
        """The rows ``idx`` of this batch (derived values and conditions not carried over)."""
        c = Ctx(len(idx), TakenFacts(self.facts, idx), self.as_of[idx],
                self.state.take(idx), self.program, None if self.overrides is None else self.overrides[idx])
        self.take_state_codes(c, idx)
        return self.take_overrides(c, idx)

    def take_state_codes(self, child, idx):
        """``child`` (rows ``idx``, its State taken from this batch's) gets its States' codes
        from these, when computed: the same order of names (a code of a State absent from its
        rows is never read), not a sort of its rows' names again."""
        if self._codes is not None:
            child._codes = (self._codes[0][idx], self._codes[1])


def _arg_hints(args) -> tuple:
    """What the arguments of a call are known to be before any row is read: ``"const"`` (a
    string literal: the same value in every row), ``"state"`` (the row's State), else None."""
    out = []
    for a in args:
        if a.data == "string":
            out.append("const")
        elif a.data == "path" and [str(x) for x in a.children] == ["state"]:
            out.append("state")
        else:
            out.append(None)
    return tuple(out)


def renumber(raw: np.ndarray) -> np.ndarray:
    """Integers equal where ``raw`` is equal, 0 where it is 0, the others 1, 2 … in the order
    they first appear (what numbering the objects one by one would give)."""
    out = np.zeros(len(raw), dtype=np.int64)
    nz = raw != 0
    if nz.any():
        uniq, first, inv = np.unique(raw[nz], return_index=True, return_inverse=True)
        rank = np.empty(len(uniq), dtype=np.int64)
        rank[np.argsort(first, kind="stable")] = np.arange(1, len(uniq) + 1)
        out[nz] = rank[inv.reshape(-1)]
    return out


class TakenFacts(dict):
    """The fact columns of some rows of a batch, taken when first read."""

    def __init__(self, facts, idx):
        super().__init__()
        self.src, self.idx = facts, idx
        # collections made into one row per item (exists / all), kept with the columns they are
        # read from: shared by the batches over these facts (a procedure's first evaluation and
        # its proof's, compile_rows._run_procedure), not made again by each
        self.exploded: dict = {}

    def get(self, k, default=None):
        if dict.__contains__(self, k):
            return dict.__getitem__(self, k)
        x = self.src.get(k)
        if x is None:
            return default
        taken = x.take(self.idx)
        if taken.kind == "obj":   # lists and objects: read once per batch (origins.py)
            origins.register(taken, x, self.idx)
        self[k] = taken
        return taken

    def __getitem__(self, k):
        x = self.get(k)
        if x is None:
            raise KeyError(k)
        return x

    def __contains__(self, k):
        return dict.__contains__(self, k) or k in self.src

    def materialise(self) -> dict:
        return {k: self[k] for k in self.src}


# --- the compiler -------------------------------------------------------------------------------

class Compiler:
    """Parse tree → ``f(ctx) -> V``. ``scope`` is the rule book's (constants, derived, functions)."""

    def __init__(self, book):
        self.book = book
        self.scope = book.scope

    def expr(self, c):
        """The vector function of a compiled expression (``rules.expr_scope.Compiled``)."""
        if c is None:
            return None
        tree = TREES.get(c.text)
        if tree is None:   # a literal true / false
            v = c.fn(None)
            return lambda ctx: const(v, ctx.n)
        return self.node(tree)

    def node(self, t):
        meth = getattr(self, "t_" + t.data.rstrip("_"), None)
        if meth is None:
            raise NotVectorisable(t.data)
        return meth(t)

    # literals
    def t_date(self, t):
        v = parse_date(str(t.children[0]))
        return lambda ctx: const(v, ctx.n)

    def t_duration(self, t):
        v = parse_duration(str(t.children[0]))
        return lambda ctx: const(v, ctx.n)

    def t_int(self, t):
        v = int(t.children[0])
        return lambda ctx: const(v, ctx.n)

    def t_string(self, t):
        v = str(t.children[0])[1:-1]
        return lambda ctx: const(v, ctx.n)

    def t_true(self, t):
        return lambda ctx: const(True, ctx.n)

    def t_false(self, t):
        return lambda ctx: const(False, ctx.n)

    def t_none(self, t):
        return lambda ctx: const(None, ctx.n)

    def t_list(self, t):
        if all(c.data in ("string", "int", "date", "duration", "true", "false", "none") for c in t.children):
            vals = []
            for c in t.children:
                f = self.node(c)
                vals.append(f(_One).objects()[0])
            return lambda ctx: const(list(vals), ctx.n)
        parts = [self.node(c) for c in t.children]

        def f(ctx):
            xs = [p(ctx) for p in parts]
            cols = [x.objects() for x in xs]
            vals = [list(row) for row in zip(*cols)] if cols else [[] for _ in range(ctx.n)]
            out = from_objects(vals, merge(*[x.miss for x in xs]), merge(*[x.ev for x in xs]))
            return out
        return f

    # logic
    def t_or(self, t):
        return self._logic([self.node(c) for c in t.children], True)

    def t_and(self, t):
        return self._logic([self.node(c) for c in t.children], False)

    def _logic(self, parts, is_or):
        first, rest = parts[0], parts[1:]

        def f(ctx):
            if not ctx.n:   # no row: nothing read (every row is settled)
                return boolv(_false(0), _false(0), {}, {})
            # the first operand is read on every row (no mask: reach None); each next one on
            # the rows the previous ones left open (Kleene, short-circuits as the scalar code)
            x = first(ctx)
            misses, evs, reach = [x.miss], [x.ev], [None]
            tv = truth(x)
            settled = tv if is_or else (~tv & ~x.unk)
            unknown = x.unk
            for p in rest:
                if settled.all():   # every row settled: the scalar evaluator reads no further
                    break
                x = p(ctx)
                r = ~settled
                reach.append(r)
                evs.append(x.ev)
                misses.append(x.miss)
                tv = truth(x)
                hit = (tv if is_or else (~tv & ~x.unk)) & r
                unknown = unknown | (x.unk & r)
                settled = settled | hit
            unk = unknown & ~settled
            val = settled if is_or else (~settled & ~unk)
            return boolv(val, unk, restrict(merge(*misses), unk), merge(*evs, masks=reach))
        return f

    def t_not(self, t):
        inner = self.node(t.children[0])

        def f(ctx):
            x = inner(ctx)
            return boolv(~truth(x), x.unk.copy(), x.miss, x.ev)
        return f

    def t_compare(self, t):
        a, op, b = self.node(t.children[0]), str(t.children[1]), self.node(t.children[2])

        def f(ctx):
            x, y = a(ctx), b(ctx)
            unk = x.unk | y.unk
            miss, ev = merge(x.miss, y.miss), merge(x.ev, y.ev)
            if op in ("==", "!="):
                eq = _equal(x, y)
                val = eq if op == "==" else ~eq
            else:
                val = _order(x, y, op) & ~x.nil & ~y.nil
            return boolv(val, unk, miss, ev)
        return f

    def t_in(self, t):
        a, b = self.node(t.children[0]), self.node(t.children[1])

        def f(ctx):
            x, y = a(ctx), b(ctx)
            return boolv(member(x, y), x.unk | y.unk, merge(x.miss, y.miss), merge(x.ev, y.ev))
        return f

    def t_not_in(self, t):
        f_in = self.t_in(t)

        def f(ctx):
            x = f_in(ctx)
            return boolv(~x.v, x.unk, x.miss, x.ev)
        return f

    def t_add(self, t):
        return self._arith(t, 1)

    def t_sub(self, t):
        return self._arith(t, -1)

    def _arith(self, t, sign):
        a, b = self.node(t.children[0]), self.node(t.children[1])

        def f(ctx):
            x, y = a(ctx), b(ctx)
            unk = x.unk | y.unk
            nil = (x.nil | y.nil) & ~unk
            miss, ev = merge(x.miss, y.miss), merge(x.ev, y.ev)
            if x.kind == "date" and y.kind == "dur":
                v = vdates.add_duration(np.where(nil | unk, 0, x.v), y.v, y.d, sign)
                return V("date", v, unk, nil, miss, ev)
            if x.kind == "int" and y.kind == "int":
                return V("int", x.v + sign * y.v, unk, nil, miss, ev)
            if (x.nil | x.unk | y.nil | y.unk).all():
                return V("none", None, unk, nil, miss, ev)
            raise NotVectorisable(f"arithmétique {x.kind} {y.kind}")
        return f

    # names
    def t_path(self, t):
        names = [str(n) for n in t.children]
        root = names[0]
        if root in CASE_ROOTS:
            dotted = ".".join(names)
            return lambda ctx: ctx.fact(dotted)
        if root == "it":
            keys = tuple(names[1:])
            return lambda ctx: _item(ctx, keys)
        if root == "cond":
            cid = names[1]
            return lambda ctx: ctx.program.read_cond(ctx, cid)
        if root == "as_of":
            return lambda ctx: V("date", ctx.as_of, _false(ctx.n), _false(ctx.n))
        if root == "state":
            return lambda ctx: V(ctx.state.kind, ctx.state.v, ctx.state.unk, ctx.state.nil)
        if root == "from_date":
            return lambda ctx: _plain(ctx.from_date)
        if root in self.scope.constants:
            v = self.scope.constants[root]
            return lambda ctx: const(v, ctx.n)
        if root in self.scope.derived:
            return lambda ctx: ctx.program.derived(ctx, root)
        raise NotVectorisable(root)

    def t_call(self, t):
        name = str(t.children[0])
        args = t.children[1:]
        if name in ("exists", "all"):
            return self._quantifier(name == "exists", args)
        if name == "if":
            c, a, b = (self.node(x) for x in args)
            return lambda ctx: _if(c(ctx), a, b, ctx)
        if name == "known":
            inner = self.node(args[0])

            def f_known(ctx):
                x = inner(ctx)
                return V("bool", ~x.unk, _false(ctx.n), _false(ctx.n), {}, x.ev)
            return f_known
        if name in LOOKUPS and all(a.data == "string" or (a.data == "path" and [str(x) for x in a.children] == ["state"])
                                   for a in args):
            return self._lookup(name, args)
        if name == "in_force_by" and "party_from" in self.scope.functions:
            # rules/functions.f_in_force_by over a batch: party_from once per treaty, State and
            # date (not per row's day), then compared with each row's day
            parts = [self.node(a) for a in args]
            pf_fn = self.scope.functions["party_from"]

            pf_hints = _arg_hints(args[:2])

            def f_in_force(ctx):
                t, st, day = (p(ctx) for p in parts)
                vals, inv, pf_ev = ctx.program.env_groups(ctx, "party_from", pf_fn, [t, st], pf_hints)
                n = ctx.n
                objs = list(vals)   # one value per group, read once, then spread over the rows
                never = np.fromiter((o is False for o in objs), bool, len(objs))[inv]
                now = np.fromiter((o is None for o in objs), bool, len(objs))[inv]
                dated = np.fromiter((isinstance(o, date) for o in objs), bool, len(objs))[inv]
                d = np.array([vdates.to_days(o) if isinstance(o, date) else 0 for o in objs], dtype=np.int64)[inv]
                pf_unk = from_objects(objs).unk[inv] if n else _false(0)
                unk = day.unk | (~day.unk & pf_unk)
                dv = day.v if day.kind == "date" else np.zeros(n, dtype=np.int64)
                val = now | (dated & ~day.nil & (d <= dv))
                val &= ~never & ~unk
                return V("bool", val, unk, _false(n), merge(t.miss, st.miss, day.miss),
                         merge(t.ev, st.ev, day.ev, restrict(pf_ev, ~day.unk)))
            return f_in_force
        if name not in PURE and name != "law_gap":
            # a function that reads the reference data (its environment): the scalar function,
            # once per distinct arguments, date and override, its evidence recorded by row
            parts = [self.node(a) for a in args]
            fn = self.scope.functions[name]
            hints = _arg_hints(args)

            def f_env(ctx):
                xs = [p(ctx) for p in parts]
                out = ctx.program.env_call(ctx, name, fn, xs, hints)
                out.miss = merge(*[x.miss for x in xs])
                out.ev = merge(*[x.ev for x in xs], out.ev)
                return out
            return f_env
        if name == "law_gap":
            return lambda ctx: V("none", None, np.ones(ctx.n, dtype=bool), _false(ctx.n))
        parts = [self.node(a) for a in args]
        vec = VECTOR.get(name)
        fn = self.scope.functions[name]
        if name in MONTH_COUNTS:
            def f_months(ctx):
                xs = [p(ctx) for p in parts]
                miss, ev = merge(*[x.miss for x in xs]), merge(*[x.ev for x in xs])
                got = vec(xs, ctx) if vec is not None else None
                out, relies, alt = got if got is not None else _objwise_months(fn, xs, ctx)
                out.miss, out.ev = miss, ev
                return month_end(ctx, out, relies, alt)
            return f_months

        def f(ctx):
            xs = [p(ctx) for p in parts]
            miss, ev = merge(*[x.miss for x in xs]), merge(*[x.ev for x in xs])
            out = vec(xs, ctx) if vec is not None else None
            if out is None:
                out = _objwise(fn, xs)
            out.miss, out.ev = miss, ev
            return out
        return f

    def _lookup(self, name, args):
        """A reference look-up: its arguments must be literals or ``state`` (the evidence's
        name then reads the row's State)."""
        shape = []
        for a in args:
            if a.data == "string":
                shape.append(str(a.children[0])[1:-1])
            elif a.data == "path" and [str(x) for x in a.children] == ["state"]:
                shape.append(None)
            else:
                raise NotVectorisable(f"{name}: argument autre qu'un littéral ou state")
        fn = self.scope.functions[name]

        def f(ctx):
            return ctx.program.lookup(ctx, name, fn, tuple(shape))
        return f

    def _quantifier(self, want_any, args):
        coll = self.node(args[0])
        body = self.node(args[1])
        coll_name = ".".join(str(n) for n in args[0].children) if args[0].data == "path" else "it"

        def f(ctx):
            xs = coll(ctx)
            n = ctx.n
            key = (coll_name, id(xs.v))
            memo = getattr(ctx.facts, "exploded", None)
            if memo is None:
                memo = ctx.exploded
            hit = memo.get(key) if xs.v is not None else None
            if hit is None and xs.kind == "obj":
                lay = origins.layout(xs.v)
                if lay is not None:   # taken from a batch's column: its items read there
                    lengths, fields = lay[2], origins.item_fields(xs.v, lay[3])
                else:   # a batch's own column: read whole once, with the columns taken from it
                    lengths, fields = origins.whole(xs)
                if fields is not None:
                    parent = np.repeat(np.arange(n), lengths)
                    index = np.arange(len(parent)) - np.repeat(np.cumsum(lengths) - lengths, lengths)
                    hit = memo[key] = (parent, index, fields, xs.v)
            if hit is None:   # the items of the collection, one row each (once per batch and collection)
                if xs.kind == "obj":   # each distinct list read once (origins._layout)
                    lengths, _, items, _, _ = origins.memo(xs, ("layout", False), origins._layout)
                else:
                    vals = xs.objects()
                    lengths = np.fromiter((len(v) if isinstance(v, list) else 0 for v in vals), np.int64, n)
                    items = [x for v in vals if isinstance(v, list) for x in v]
                fields = ctx.program.item_fields(items)   # each distinct item read once
                parent = np.repeat(np.arange(n), lengths)
                index = np.arange(len(parent)) - np.repeat(np.cumsum(lengths) - lengths, lengths)
                hit = (parent, index, fields, xs.v)
                if xs.v is not None:
                    memo[key] = hit
            parent, index, fields, _ = hit
            sub = ctx.program.item_ctx(ctx, parent, fields, index, coll_name)
            b = body(sub)
            tv = truth(b)
            # three-valued or / and per row over its items (no item: false for exists, true for all)
            has_true = _any_by(parent, tv, n)
            has_unk = _any_by(parent, b.unk, n)
            has_false = _any_by(parent, ~tv & ~b.unk, n)
            if want_any:
                val, unk = has_true, ~has_true & has_unk
            else:
                val, unk = ~has_false & ~has_unk, ~has_false & has_unk
            unk = unk & ~xs.unk
            val = val & ~xs.unk
            # what the items found unknown, by item: passed on only when the result is unknown
            miss = dict(xs.miss)
            for k, m in b.miss.items():
                for path, rows in _item_paths(k, m, parent, index, n):
                    miss[path] = (miss[path] | (rows & unk)) if path in miss else (rows & unk)
            ev = dict(xs.ev)
            for k, m in b.ev.items():
                rows = _any_by(parent, m, n)
                ev[k] = (ev[k] | rows) if k in ev else rows
            return V("bool", val, unk | xs.unk, _false(n), miss, ev)
        return f


def _any_by(parent, mask, n):
    """Per row, whether one of its items (``parent``: the row of each item) is in ``mask``
    (what ``np.bincount(parent, weights=mask, minlength=n) > 0`` gives, without the floats)."""
    out = _false(n)
    out[parent[mask]] = True
    return out


def _plain(x: V) -> V:
    return V(x.kind, x.v, x.unk, x.nil, {}, {}, x.d)


def _item_paths(key, mask, parent, index, n):
    """An item path recorded missing (``removal_measures[{}].end_date``) for each item index."""
    if "{}" not in key:
        rows = _any_by(parent, mask, n)
        yield key, rows
        return
    idx = np.nonzero(mask)[0]
    for i in unique_ints(np.asarray(index[idx], dtype=np.int64))[0]:   # np.unique's values, numpy.ma not imported
        sel = idx[index[idx] == i]
        rows = _false(n)
        rows[parent[sel]] = True
        yield key.format(int(i)), rows


def _item(ctx, keys) -> V:
    """``it.<keys>``: a field of the current item (missing as ``coll[i].key`` when absent)."""
    facts, coll = ctx.items[-1]
    if not keys:
        x = facts[()]
        return V(x.kind, x.v, x.unk, x.nil, {}, {}, x.d)
    x = facts.get(keys)
    dotted = f"{coll}[{{}}]." + ".".join(keys)
    if x is None:
        t = np.ones(ctx.n, dtype=bool)
        return V("none", None, t, _false(ctx.n), {dotted: t})
    return V(x.kind, x.v, x.unk, x.nil, {dotted: x.unk} if x.unk.any() else {}, {}, x.d)


def _if(c: V, a, b, ctx) -> V:
    tv = truth(c)
    fv = ~tv & ~c.unk
    skipped = None
    if not tv.any() or not fv.any():
        skipped = V("none", None, np.ones(ctx.n, dtype=bool), _false(ctx.n))
    x = a(ctx) if tv.any() else skipped      # a branch no row takes is not evaluated
    y = b(ctx) if fv.any() else skipped
    unk = c.unk | (tv & x.unk) | (fv & y.unk)
    nil = ~c.unk & ((tv & x.nil) | (fv & y.nil))
    miss = merge(c.miss, x.miss, y.miss, masks=[None, tv, fv])
    ev = merge(c.ev, x.ev, y.ev, masks=[None, tv, fv])
    kinds = {k for k, m in ((x.kind, tv & ~x.unk & ~x.nil), (y.kind, fv & ~y.unk & ~y.nil)) if m.any()}
    if not kinds:
        kind = x.kind if x.kind != "none" else y.kind
    elif len(kinds) == 1:
        kind = kinds.pop()
    else:
        vals = [xv if t else yv for xv, yv, t in zip(x.objects(), y.objects(), tv.tolist())]
        out = from_objects([UNKNOWN if u else v for v, u in zip(vals, unk.tolist())], miss, ev)
        return out
    if kind == "none":
        return V("none", None, unk, nil, miss, ev)
    # every row takes the same branch: its column as it is (a literal's stays one, _list_shape)
    if x.kind == kind and tv.all():
        return V(kind, x.v, unk, nil, miss, ev, x.d if kind == "dur" else None)
    if y.kind == kind and fv.all():
        return V(kind, y.v, unk, nil, miss, ev, y.d if kind == "dur" else None)
    xv = x.v if x.kind == kind else None
    yv = y.v if y.kind == kind else None
    if xv is None:
        xv = np.zeros_like(yv) if yv.dtype != object else np.empty(len(yv), dtype=object)
    if yv is None:
        yv = np.zeros_like(xv) if xv.dtype != object else np.empty(len(xv), dtype=object)
    v = np.where(tv, xv, yv)
    d = None
    if kind == "dur":
        xd = x.d if x.kind == "dur" else np.zeros_like(yv)
        yd = y.d if y.kind == "dur" else np.zeros_like(xv)
        d = np.where(tv, xd, yd)
    return V(kind, v, unk, nil, miss, ev, d)


def _equal(x: V, y: V):
    """``x == y`` on known rows (none equals none only)."""
    n = len(x)
    both = ~x.nil & ~y.nil
    eq = x.nil & y.nil
    if x.kind == "none" or y.kind == "none":
        return eq
    if x.kind == y.kind and x.kind in ("bool", "int", "date"):
        return eq | (both & (x.v == y.v))
    if x.kind == y.kind == "dur":
        return eq | (both & (x.v == y.v) & (x.d == y.d))
    if x.kind in ("bool", "int") and y.kind in ("bool", "int"):
        return eq | (both & (x.v == y.v))
    if x.kind == y.kind == "str":
        return eq | (both & ~x.unk & ~y.unk & np.equal(x.v, y.v).astype(bool))
    if x.kind in ("str", "obj") or y.kind in ("str", "obj"):
        xo, yo = x.objects(), y.objects()
        return np.fromiter((a == b for a, b in zip(xo, yo)), bool, n) & ~x.unk & ~y.unk
    return eq   # a date and a number are never equal


def _order(x: V, y: V, op):
    import operator
    o = {"<=": operator.le, ">=": operator.ge, "<": operator.lt, ">": operator.gt}[op]
    if x.kind == y.kind and x.kind in ("int", "date"):
        return o(x.v, y.v)
    if x.kind == y.kind == "dur":
        lt = (x.v < y.v) | ((x.v == y.v) & (x.d < y.d))
        eq = (x.v == y.v) & (x.d == y.d)
        return {"<": lt, "<=": lt | eq, ">": ~lt & ~eq, ">=": ~lt}[op]
    if x.kind == "none" or y.kind == "none" or (x.unk | x.nil | y.unk | y.nil).all():
        return _false(len(x))
    raise NotVectorisable(f"comparaison {x.kind} {op} {y.kind}")


_LISTS: dict = {}   # id of a column of lists -> (the column, its shape): reused while the column lives


def _list_shape(vals):
    """(few distinct list objects?, their ids, items one per row) of a column of lists."""
    hit = _LISTS.get(id(vals))
    if hit is not None and hit[0] is vals:
        return hit[1]
    n = len(vals)
    if n and _CONSTS.get(id(vals)) is vals:   # a literal list of the rule files: one object, every row
        one = id(vals[0])
        return (True, np.full(n, one, dtype=np.int64), np.array([one], dtype=np.int64),
                np.zeros(1, dtype=np.int64), None, None, False)
    lay = origins.layout(vals, raw=True)
    if lay is not None:   # taken from a batch's column: its lists read there
        col, idx, lengths, pos, items, listish, ids = lay
        # its distinct lists from their ranks in the whole column (small integers: no sort of
        # the rows' ids), then in the order of their ids, as np.unique(ids) gives them
        _, rank, _ = origins.memo(col, "distinct", lambda c: origins.distinct(c.v))
        first = unique_ints(rank[idx])[1]
        uniq = ids[first]
        o = np.argsort(uniq, kind="stable")
        uniq, first = uniq[o], first[o]
        if len(uniq) <= 8:
            return (True, ids, uniq, first, None, None, False)
        return (False, ids, uniq, first, np.repeat(np.arange(n), lengths), items[pos], bool(listish.all()))
    reps = None
    if origins.gathered(vals):
        # gathered from a batch's lists (origins.spread): its distinct lists found there, then
        # in the order of their ids with the first row of each, as np.unique(ids) gives them
        reps, inv, ids = origins.distinct(vals)
        by_rank = unique_ints(inv)[1] if n else np.zeros(0, dtype=np.int64)
        first = by_rank[np.argsort(ids[by_rank], kind="stable")]
        uniq = ids[first]
    else:
        ids = np.fromiter(map(id, vals), np.int64, n)
        uniq, first = np.unique(ids, return_index=True)
    if len(uniq) <= 8:   # lists of the rule files: no need of their items one per row
        shape = (True, ids, uniq, first, None, None, False)
    else:   # each distinct list read once, its items then spread over the rows
        if reps is None:
            reps, inv, _ = origins.distinct(vals, ids)
        ulen = np.array([len(v) if isinstance(v, list) else 0 for v in reps], dtype=np.int64)
        lengths = ulen[inv]
        parent = np.repeat(np.arange(n), lengths)
        uitems = np.empty(int(ulen.sum()), dtype=object)
        uitems[:] = [a for v in reps if isinstance(v, list) for a in v] if len(uitems) else []
        flat = uitems[origins.gather_items(ulen, np.cumsum(ulen) - ulen, inv)]
        lists = all(isinstance(v, list) or v is UNKNOWN or v is None for v in reps)
        shape = (False, ids, uniq, first, parent, flat, lists)
    if len(_LISTS) > 8:
        _LISTS.clear()
    _LISTS[id(vals)] = (vals, shape)
    return shape


def _member_whole(x: V, lst):
    """``x in lst`` per row, when ``x`` is a text field of items taken from a batch's column
    (origins.field_origin): membership read once per batch column and list (its known rows),
    then taken — the items' ``it.kind in removal_measures_…`` of every procedure and rerun
    over the batch. None: not known so (the caller reads the rows)."""
    if x.kind != "str":
        return None
    src = origins.field_origin(x.v)
    if src is None:
        return None
    col, pos = src
    try:
        key = ("in", tuple(lst))
        hash(key)
    except TypeError:
        return None

    def read(c):
        known = ~c.unk & ~c.nil
        m = _false(len(c.v))
        vals = c.v[known]
        m[known] = np.fromiter(map(set(lst).__contains__, vals), bool, len(vals))
        return m
    return origins.memo(col, key, read)[pos]


_MEMBERS: dict = {}   # the arrays of (x, y) by id -> (those arrays, x in y), while kept (member)


def member(x: V, y: V):
    """``x in y`` per row (:func:`_member`), computed once for the same columns: a value's
    membership reads only the arrays of ``x`` and ``y`` (values, unknown, none), and the same
    arrays come back when a batch reads the same expression again (``state in
    person.nationalities`` of a condition, its ``when``, its procedure's consent …). The arrays
    are held by the entry (an id is not reused while it lives); at most 32 entries kept."""
    arrs = (x.v, x.unk, x.nil, y.v, y.unk, y.nil)
    key = (x.kind, y.kind) + tuple(map(id, arrs))
    hit = _MEMBERS.get(key)
    if hit is not None and all(a is b for a, b in zip(hit[0], arrs)):
        return hit[1].copy()
    out = _member(x, y)
    if len(_MEMBERS) >= 32:
        _MEMBERS.clear()
    _MEMBERS[key] = (arrs, out.copy())
    return out


def _member(x: V, y: V):
    n = len(x)
    if y.kind == "none":
        return _false(n)
    few = lists = False
    if y.kind == "obj" and n:
        few, ids, uniq, first, parent, flat, lists = _list_shape(y.v)
    ok = ~x.unk & ~y.unk & ~y.nil
    if few:   # a list of the rule files, the same in (almost) every row: a set each
        out = _false(n)
        xv = x.v if x.kind == "str" else np.array(x.objects(), dtype=object)
        # a text column gathered from distinct texts (origins.spread): its known rows' texts
        src = origins._gathered(xv) if x.kind == "str" else None
        for u, f0 in zip(uniq.tolist(), first.tolist()):
            rows = ok & (ids == u)
            if not rows.any():
                continue
            lst = y.v[f0]
            if not isinstance(lst, (list, tuple)):
                break
            whole = _member_whole(x, lst)
            if whole is not None:   # a field of items: read on the batch's column, once per list
                out[rows] = whole[rows]
                continue
            if src is not None:   # texts gathered from a column's distinct texts: each read once
                base, at = src
                s = set(lst)
                hit = np.fromiter((type(t) is str and t in s for t in base.tolist()), bool, len(base))
                out[rows] = hit[at[rows]]
                continue
            vals = xv[rows]
            out[rows] = np.fromiter(map(set(lst).__contains__, vals), bool, len(vals))
        else:
            return out
    if x.kind == "str" and lists:
        # each row's own list (``state in person.nationalities``): its items one per row, compared
        hit = np.equal(flat, x.v[parent]).astype(bool) if len(flat) else np.zeros(0, dtype=bool)
        return _any_by(parent, hit, n) & ok
    xo = x.objects() if x.kind != "str" else x.v
    out = np.fromiter(((a in b) if k else False for a, b, k in zip(xo, y.v, ok.tolist())), bool, n)
    return out


def _objwise(fn, xs) -> V:
    """A function applied row by row, as the scalar evaluator applies it (``fn(env, *args)``):
    a function of its arguments alone (rules/functions.py, PURE), so called once per distinct
    combination of arguments (:func:`value_codes`), its values spread over the rows."""
    n = len(xs[0]) if xs else 0
    if n >= 64:
        key = row_key([_arg_codes(x) for x in xs])   # None: codes too wide for one integer
        _, first, inv = unique_ints(key) if key is not None else (None, np.arange(n), None)
        if len(first) <= n // 2:
            cols = [x.take(first).objects() for x in xs]
            out = from_objects([fn(None, *args) for args in zip(*cols)]).take(inv)
            if out.kind == "obj":   # the rows of a group share its value: their codes known
                if len(_OBJWISE) > 16:
                    _OBJWISE.clear()
                _OBJWISE[id(out.v)] = (out.v, inv)
            return out
    cols = [x.objects() for x in xs]
    return from_objects([fn(None, *args) for args in zip(*cols)])


_OBJWISE: dict = {}   # id of an object column made by _objwise -> (the column, the group of each row)


class _MonthEnv:
    """What a month count of rules/functions.py reads of its environment, for one row: the
    row's overrides (engine/verify.py), and whether it recorded ``law:month_end``."""
    __slots__ = ("overrides", "relies")

    def __init__(self, overrides):
        self.overrides, self.relies = overrides, False

    def record_evidence(self, name, fact):
        self.relies = True


def _objwise_months(fn, xs, ctx):
    """A month count (``MONTH_COUNTS``) row by row with the scalar function, when its vector form
    does not take these values: its values, and the rows whose count rested on the month's-last-
    day convention (it recorded ``law:month_end``; where overridden, already the other reading's day)."""
    ovr = ctx.overrides
    vals, relies = [], []
    for i, args in enumerate(zip(*[x.objects() for x in xs])):
        e = _MonthEnv(None if ovr is None else ovr[i])
        vals.append(fn(e, *args))
        relies.append(e.relies)
    return from_objects(vals), np.array(relies, dtype=bool), False


def _overridden(ctx, name) -> np.ndarray | None:
    """The rows whose overrides (engine/verify.py) replace the evidence ``name``; None: none."""
    o = ctx.overrides
    if o is None:
        return None
    codes = ctx.override_codes()
    uniq, first = np.unique(codes, return_index=True)
    hit = [int(c) for c, i in zip(uniq.tolist(), first.tolist()) if c and o[i] is not None and name in o[i]]
    return np.isin(codes, hit) if hit else None


def month_end(ctx, out: V, relies, alt=False) -> V:
    """``rules.functions.month_end`` over a batch: the rows of ``out`` (a month count's result)
    whose count rests on the month's-last-day convention (``relies``, the known rows) record
    ``law:month_end`` (``Ctx.no_ev``: none), and take the other reading's value — a day that
    does not exist is the next month's first day — where engine/verify.py has replaced the
    convention (``ctx.overrides``): ``alt`` (the clamped day + 1 for a count,
    ``vdates.first_day_within_overflow`` / ``last_day_within_overflow`` /
    ``months_midpoint_overflow``); False: a value computed row by row, already so."""
    relies = relies & ~out.unk & ~out.nil
    if not relies.any():
        return out
    over = _overridden(ctx, F.MONTH_END)
    if over is not None and alt is not False:
        gone = relies & over
        if gone.any():
            out = V(out.kind, np.where(gone, alt, out.v), out.unk, out.nil, out.miss, out.ev, out.d)
    if not ctx.no_ev:
        out.ev = merge(out.ev, {F.MONTH_END: relies})
    return out


def clear_batch_memos() -> None:
    """Forget what :func:`member` and :func:`_objwise` kept of a batch (its columns are not kept
    past it: ``compile_rows.screen``, at the end of each batch)."""
    _MEMBERS.clear()
    _OBJWISE.clear()


def _arg_codes(x: V) -> np.ndarray:
    """The codes :func:`_objwise` groups an argument's rows by: integers equal where the values
    are the same object (:func:`value_codes`) — for a column taken from a batch's column, its
    rows' ranks among that column's distinct objects (``origins.memo``: found once per batch
    column, not per evaluation); for a column :func:`_objwise` made, its groups (the rows of a
    group share one value: a finer grouping at most, the function read once per group all the
    same)."""
    if x.kind == "obj" and len(x):
        hit = _OBJWISE.get(id(x.v))
        if hit is not None and hit[0] is x.v:
            inv = hit[1]
        else:
            o = origins.origin(x.v)
            if o is None:
                return value_codes(x)
            col, idx = o
            _, rank, _ = origins.memo(col, "distinct", lambda c: origins.distinct(c.v))
            inv = rank[idx]
        return np.where(x.unk, 0, np.where(x.nil, 1, inv + 2))
    return value_codes(x)


def value_codes(x: V, memo: bool = False) -> np.ndarray:
    """A column as integers equal where its values are (0 unknown, 1 none): objects by identity
    (a row's list is shared with the rows of equal cells, facts_from_frame), the others by value
    (``program._codes_of``). ``memo``: the column is a batch's fact column, its distinct objects
    kept for the batch (``origins.memo``, shared with ``origins._layout``)."""
    if x.kind == "obj":
        _, inv, _ = origins.memo(x, "distinct", lambda c: origins.distinct(c.v)) if memo else origins.distinct(x.v)
        return np.where(x.unk, 0, np.where(x.nil, 1, inv + 2))
    from .program import _codes_of
    return _codes_of(x)


# --- vector forms of the generic functions (rules/functions.py) ---------------------------------

def _dates_shift(xs, months=None, days=None, sign=1):
    d = xs[0]
    unk = d.unk | xs[1].unk
    nil = d.nil & ~unk
    base = np.where(nil | unk, 0, d.v)
    if d.kind not in ("date", "none"):
        return None
    if d.kind == "none":
        return V("none", None, unk, nil)
    out = base
    if months is not None:
        out = vdates.add_months(out, sign * months)
    if days is not None:
        out = out + sign * days
    return V("date", out, unk, nil)


def _months_shift(xs, months):
    """``add_months`` / ``add_years``: the column and the rows whose count rests on the month's-
    last-day convention (``vdates.add_months_relies``); None when the vector form does not take
    these values."""
    out = _dates_shift(xs, months=months)
    if out is None:
        return None
    if out.kind == "none":
        return out, _false(len(out)), False
    ok = ~out.unk & ~out.nil
    rel = ok & vdates.add_months_relies(np.where(ok, xs[0].v, 0), np.where(ok, months, 0))
    return out, rel, out.v + rel   # the overflow day: the clamped one + 1


def v_add_months(xs, ctx):
    if xs[1].kind != "int" or xs[1].nil.any():
        return None
    return _months_shift(xs, xs[1].v)


def v_add_years(xs, ctx):
    if xs[1].kind != "int" or xs[1].nil.any():
        return None
    return _months_shift(xs, 12 * xs[1].v)


def v_add_days(xs, ctx):
    if xs[1].kind != "int" or xs[1].nil.any():
        return None
    return _dates_shift(xs, days=xs[1].v)


def _date_and_duration(vector, relies=None):
    """A rule function of a date and a duration over columns (``plus``, ``minus``,
    ``first_day_within``, ``last_day_within``: rules/functions.py): ``vector(days, months, ddays)``
    over the rows where both are known and not ``none``; unknown where either is unknown, ``none``
    where either is ``none``. ``relies(result, days, months, ddays)``: the rows whose month count
    rests on the month's-last-day convention — then the function gives (column, those rows)
    (``MONTH_COUNTS``: :func:`month_end`)."""
    def v(xs, ctx):
        d, dur = xs
        if d.kind not in ("date", "none") or dur.kind not in ("dur", "none"):
            return None
        unk = d.unk | dur.unk
        nil = (d.nil | dur.nil) & ~unk
        if d.kind == "none" or dur.kind == "none":
            out = V("none", None, unk, nil)
            return out if relies is None else (out, _false(len(unk)), False)
        ok = ~unk & ~nil
        a, m, dd = np.where(ok, d.v, 0), np.where(ok, dur.v, 0), np.where(ok, dur.d, 0)
        r = vector(a, m, dd)
        out = V("date", r, unk, nil)
        if relies is None:
            return out
        rel, alt = relies(r, a, m, dd)
        return out, ok & rel, alt
    return v


def _last_day_relies(r, d, m, dd):
    alt = vdates.last_day_within_overflow(r, m)
    return alt != r, alt


def _first_day_relies(r, d, m, dd):
    alt = vdates.first_day_within_overflow(d, m, dd, r)
    return alt != r, alt


def _count_relies(sign):
    def relies(r, d, m, dd):   # the overflow day: the clamped one + 1 (then the days)
        rel = vdates.add_months_relies(d, sign * m)
        return rel, r + rel
    return relies


v_plus = _date_and_duration(lambda d, m, dd: vdates.add_duration(d, m, dd, 1), _count_relies(1))


def _minus_relies(r, d, m, dd):
    """rules.functions.f_minus: a count back of whole months rests on nothing (the greatest day
    at least that many months before, under either reading); with days, as ``plus`` back."""
    rel = vdates.add_months_relies(d, -m) & (dd != 0)
    return rel, r + rel


v_minus = _date_and_duration(lambda d, m, dd: vdates.add_duration(d, m, dd, -1), _minus_relies)
v_first_day_within = _date_and_duration(vdates.first_day_within, _first_day_relies)   # at most a duration left (CPP 720, 730)
v_last_day_within = _date_and_duration(vdates.last_day_within, _last_day_relies)   # at least a duration left (STE 112 art. 3.1.c)


def _earliest_day(d, m, dd):   # rules.functions.f_earliest_day_within: the first day under either reading
    first = vdates.first_day_within(d, m, dd)
    return np.minimum(first, vdates.first_day_within_overflow(d, m, dd, first))


v_earliest_day_within = _date_and_duration(_earliest_day)   # CPP D147-20's duty, counted from a safe day


def v_fraction_point(xs, ctx):
    s, e, num, den = xs
    if s.kind not in ("date", "none") or e.kind not in ("date", "none") or num.kind not in ("int", "none") \
            or den.kind not in ("int", "none"):
        return None
    unk = s.unk | e.unk | num.unk | den.unk
    if (~unk & (s.nil | e.nil | num.nil | den.nil)).any():
        return None   # the scalar function fails on none: let it say so
    n = len(s)
    if s.kind == "none" or e.kind == "none" or num.kind == "none" or den.kind == "none":
        return V("none", None, unk, _false(n))
    ok = ~unk
    v = vdates.fraction_point(np.where(ok, s.v, 0), np.where(ok, e.v, 0), np.where(ok, num.v, 1),
                              np.where(ok, den.v, 1))
    return V("date", v, unk, _false(n))


def _extreme(xs, is_min):
    kinds = {x.kind for x in xs} - {"none"}
    if not kinds:
        n = len(xs[0])
        return V("none", None, np.logical_or.reduce([x.unk for x in xs]), np.ones(n, dtype=bool))
    if kinds not in ({"date"}, {"int"}):
        return None
    kind = kinds.pop()
    n = len(xs[0])
    unk = np.logical_or.reduce([x.unk for x in xs])
    big = np.iinfo(np.int64).max if is_min else np.iinfo(np.int64).min
    vals = [np.where(x.nil | x.unk, big, x.v) if x.kind != "none" else np.full(n, big) for x in xs]
    v = np.minimum.reduce(vals) if is_min else np.maximum.reduce(vals)
    nil = (v == big) & ~unk
    return V(kind, np.where(nil | unk, 0, v), unk, nil)


def v_min(xs, ctx):
    return _extreme(xs, True)


def v_max(xs, ctx):
    return _extreme(xs, False)


def v_is_life(xs, ctx):
    d = xs[0]
    n = len(d)
    if d.kind == "dur":
        return V("bool", (d.v >= LIFE_MONTHS) & ~d.unk & ~d.nil, d.unk, _false(n))
    if d.kind == "none":
        return V("bool", _false(n), d.unk, _false(n))
    return None


def v_count(xs, ctx):
    x = xs[0]
    if x.kind not in ("obj", "none"):
        return None
    n = len(x)
    if x.kind == "none":
        return V("int", np.zeros(n, dtype=np.int64), x.unk, _false(n))
    lay = origins.layout(x.v, raw=True)
    v = lay[2] if lay is not None else origins._layout(x, raw=True)[0]
    return V("int", np.where(x.unk, 0, v), x.unk, _false(n))


def v_months_midpoint(xs, ctx):
    s, e = xs
    if s.kind not in ("date", "none") or e.kind not in ("date", "none"):
        return None
    n = len(s)
    unk = s.unk | e.unk
    nil = (s.nil | e.nil) & ~unk
    if s.kind == "none" or e.kind == "none":
        return V("none", None, unk, nil), _false(n), False
    ok = ~unk & ~nil
    if (ok & (e.v < s.v)).any():
        return None   # an end before the start: the scalar function says what it does
    a, b = np.where(ok, s.v, 0), np.where(ok, e.v, 0)
    v = vdates.months_midpoint(a, b)
    alt = vdates.months_midpoint_overflow(a, b, v)
    return V("date", np.where(ok, v, 0), unk, nil), ok & (alt != v), alt


VECTOR = {"add_months": v_add_months, "months_midpoint": v_months_midpoint, "add_years": v_add_years, "add_days": v_add_days, "plus": v_plus,
          "minus": v_minus, "first_day_within": v_first_day_within, "last_day_within": v_last_day_within, "fraction_point": v_fraction_point, "min": v_min, "max": v_max,
          "earliest_day_within": v_earliest_day_within,
          "is_life": v_is_life, "count": v_count}
# the month counts whose result may rest on the month's-last-day convention: their vector form
# gives (column, rows relying) and they record ``law:month_end`` (rules/functions.month_end)
MONTH_COUNTS = {"add_months", "add_years", "plus", "minus", "first_day_within", "last_day_within", "months_midpoint"}
LOOKUPS = {"eu_member", "fd_applies", "party", "bilateral", "consular_mandatory", "declared_national"}
# functions of rules/functions.py that do not read their environment (the others read the reference)
PURE = {"add_months", "add_years", "add_days", "plus", "minus", "first_day_within", "last_day_within", "earliest_day_within",
        "fraction_point", "months_midpoint", "min",
        "max", "is_life", "count", "field", "join", "heaviest", "latest"}
assert LOOKUPS <= set(F.FUNCTIONS)
