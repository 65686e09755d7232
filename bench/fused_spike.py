"""Measurement spike (issue 16, docs/columnar.md « Fused kernels: a spike »): would fusing a procedure's
compiled conditions into one generated numba kernel pay? Not a change of the program: nothing in src/
is edited, numba is not a dependency of the project (installed apart, e.g. /tmp/numba-site).

Run:  PYTHONPATH=src:/tmp/numba-site .venv/bin/python bench/fused_spike.py [N] [--blank 0.25] [--pid lc_expulsion]
      [--reps 3] [--cache] [--style flat|branchy] [--split] [--only K] [--compile-only] [--check-dates]
      [--gen-only] [--show] [--calls] [--reruns]

What it does:
1. Generates, from the parse trees the columnar compiler reads (``rules.expr_parse.TREES`` of the
   conditions' ``when`` / test / ``from`` / ``until`` / ``met_if`` / ``requires`` and of the derived
   values they read), the Python source of ONE numba function for the procedure's first evaluation:
   one loop over the rows computing, per row and condition, its rank code (``CondV.eff``), ``on``,
   its date and its missing facts as a uint64 bitset (a bit per fact path; item paths
   ``coll[k].field`` a bit per index k < ITEM_SLOTS). Nothing of a rule is written here: only the
   generic operations of compile.py / compile_conditions.py / vdates.py (Kleene logic, comparisons,
   membership, month arithmetic date to date, fraction points, min / max, if, exists, known,
   latest / field). Two styles: ``flat`` (default: every operand evaluated on every row, as the
   numpy closures evaluate every operand over the batch; select instead of branches) and
   ``branchy`` (short-circuits and ``if`` as Python branches: 4-5x the JIT compile time).
   The source is written to $FUSED_SPIKE_DIR (default /tmp/fused_spike_gen), a file: numba caches
   only functions of a file (``--cache``: in its __pycache__, or $NUMBA_CACHE_DIR).
2. Runs ``Program.run`` on ``lexquery synth N`` (plain, or ``--blank`` share of cells emptied), keeps the
   inputs of each first evaluation of the procedure (``_run_procedure_on``, wrapped here), and on
   each batch evaluates the procedure's conditions (its own and its routes') with the numpy closures
   on a fresh batch (``Ctx``, derived values not yet computed — as the first evaluation does) and
   with the kernel (inputs prepared from the same fact columns: codes of texts, lists as offsets +
   flat arrays); compares eff / on / date / missing facts row for row; times both (CPU, alternated
   rounds), and the missing bits made into today's ``{path: mask}`` form.
3. Prints the JIT compile time (the kernel's first call), the import time of numba, the fixed cost
   of a call (0 and 100 rows) against the numpy closures on 100 rows, the lists read as offsets from
   the frame's list columns; ``--check-dates`` checks the kernel's month arithmetic against vdates;
   ``--calls`` counts the evaluations of procedures by caller (rows, CPU); ``--reruns`` compares the
   kernel on the procedure's verify reruns, proof trials and in-time reruns as the program made them.

Conditions the generator cannot compile (an operation or kind it has no form for) are left out and
listed (``--gen-only --pid P``: what it covers of procedure P); the comparison covers the others.
"""
from __future__ import annotations

import argparse
import os
import re
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "tests"))

PT = time.process_time
NOT_MET, PENDING, UNKNOWN_, TO_ASSESS, MET = 0, 1, 2, 3, 4
NONE_DATE = np.iinfo(np.int64).min
BIG = np.iinfo(np.int64).max
LIST_TIME = [0.0]   # CPU of prepare() spent on the columns of lists (offsets, items' codes)
PART_TIME = {"texts": 0.0, "lookups": 0.0}   # CPU of prepare() on text columns' codes, on look-ups
ITEM_SLOTS = 4   # item paths coll[k].field: a bit per k < ITEM_SLOTS (more items: flagged)


class Unsupported(Exception):
    pass


# --- date arithmetic as scalar numba functions (the generated kernel calls them) -----------------

DATE_HELPERS = '''
@njit(cache=CACHE)
def civil(z):
    # days since 1970-01-01 -> (y, m, d), proleptic Gregorian (H. Hinnant's algorithm)
    z = z + 719468
    era = (z if z >= 0 else z - 146096) // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    y = yoe + era * 400
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d = doy - (153 * mp + 2) // 5 + 1
    m = mp + 3 if mp < 10 else mp - 9
    if m <= 2:
        y += 1
    return y, m, d

@njit(cache=CACHE)
def days_from_civil(y, m, d):
    if m <= 2:
        y -= 1
    era = (y if y >= 0 else y - 399) // 400
    yoe = y - era * 400
    mm = m - 3 if m > 2 else m + 9
    doy = (153 * mm + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468

@njit(cache=CACHE)
def month_len(y, m):
    if m == 2:
        return 29 if (y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)) else 28
    if m == 4 or m == 6 or m == 9 or m == 11:
        return 30
    return 31

@njit(cache=CACHE)
def add_months(days, months):
    y, m, d = civil(days)
    t = y * 12 + (m - 1) + months
    ty = t // 12
    tm = t - ty * 12 + 1
    ml = month_len(ty, tm)
    return days_from_civil(ty, tm, d if d < ml else ml)

@njit(cache=CACHE)
def fraction_point(s, e, num, den):
    p = (e - s) * num
    q = p // den
    r = p - q * den
    return s + q + (1 if r != 0 else 0)
'''


# --- the generator ------------------------------------------------------------------------------

class Val:
    """A generated value: its kind and the names of its variables (``v``, ``d`` for durations,
    ``u`` unknown, ``z`` none, ``m`` missing bits). ``coll`` / ``strlist`` / ``field`` / ``set``
    name arrays or a table index."""

    def __init__(self, kind, v="0", u="False", z="False", m="ZERO", d="0", extra=None):
        self.kind, self.v, self.u, self.z, self.m, self.d, self.extra = kind, v, u, z, m, d, extra


class Gen:
    def __init__(self, book):
        from lexquery.rules.expr_parse import TREES
        self.TREES = TREES
        self.book = book
        self.scope = book.scope
        self.lines = []          # the current block
        self.indent = 2
        self.n = 0
        self.facts = {}          # fact path -> (kind, arg names)
        self.bits = {}           # missing path (item paths with {k}) -> bit
        self.strings = {}        # text -> code
        self.sets = []           # tuples of codes (membership tables)
        self.derived_done = {}   # name -> Val (row level)
        self.prelude = []        # row-level lines of the derived values
        self.colls = {}          # collection path -> (fields used)
        self.strlists = {}       # path of a list of texts
        self.items = []          # stack of (coll path, item var, index var)
        self.dreads = []         # stack: the derived values read by the blocks being generated
        self.blocks = []         # ("derived", name, lines, derived read) / ("cond", id, lines, derived read, result)
        self.cond_done = {}      # condition id -> (eff, on, date, miss) generated (FlatGen)
        self.passed = {}         # condition id -> what its first evaluation passes on (FlatGen)
        self.cond_by_id = {}
        self.lookups = {}        # (function, shape) -> argument name (FlatGen)
        self.uses_state = False

    # helpers
    def fresh(self, p="t"):
        self.n += 1
        return f"{p}{self.n}"

    def emit(self, line):
        self.lines.append("    " * self.indent + line)

    def bit(self, path):
        if path not in self.bits:
            if len(self.bits) >= 64:
                raise Unsupported("more than 64 missing paths")
            self.bits[path] = len(self.bits)
        return self.bits[path]

    def code(self, s):
        if s not in self.strings:
            self.strings[s] = len(self.strings)
        return self.strings[s]

    def set_of(self, vals):
        if not all(isinstance(x, str) for x in vals):
            raise Unsupported("list of non-texts")
        key = tuple(self.code(x) for x in vals)
        if key not in self.sets:
            self.sets.append(key)
        return self.sets.index(key)

    def tree(self, compiled):
        t = self.TREES.get(compiled.text)
        if t is None:   # a literal true / false
            v = compiled.fn(None)
            if not isinstance(v, bool):
                raise Unsupported("literal")
            return None, v
        return t, None

    def expr_c(self, compiled):
        t, lit = self.tree(compiled)
        if t is None:
            return Val("bool", "True" if lit else "False")
        return self.node(t)

    def node(self, t):
        meth = getattr(self, "t_" + t.data.rstrip("_"), None)
        if meth is None:
            raise Unsupported(t.data)
        return meth(t)

    # literals / constants
    def const(self, value):
        from datetime import date
        from lexquery.columnar.vdates import to_days
        from lexquery.dates import Duration
        if value is None:
            return Val("none", z="True")
        if isinstance(value, bool):
            return Val("bool", "True" if value else "False")
        if isinstance(value, int):
            return Val("int", str(value))
        if isinstance(value, date):
            return Val("date", str(to_days(value)))
        if isinstance(value, Duration):
            return Val("dur", str(value.months), d=str(value.days))
        if isinstance(value, str):
            return Val("str", str(self.code(value)))
        if isinstance(value, list):
            return Val("set", str(self.set_of(value)))
        raise Unsupported(f"constant {type(value)}")

    def t_date(self, t):
        from lexquery.dates import parse_date
        return self.const(parse_date(str(t.children[0])))

    def t_duration(self, t):
        from lexquery.dates import parse_duration
        return self.const(parse_duration(str(t.children[0])))

    def t_int(self, t):
        return self.const(int(t.children[0]))

    def t_string(self, t):
        return self.const(str(t.children[0])[1:-1])

    def t_true(self, t):
        return self.const(True)

    def t_false(self, t):
        return self.const(False)

    def t_none(self, t):
        return self.const(None)

    def t_list(self, t):
        vals = []
        for c in t.children:
            if c.data != "string":
                raise Unsupported("list of non-literals")
            vals.append(str(c.children[0])[1:-1])
        return Val("set", str(self.set_of(vals)))

    # three-valued helpers (names of expressions)
    def truth(self, x):
        if x.kind == "bool":
            return f"({x.v} and not {x.u} and not {x.z})"
        if x.kind == "int":
            return f"({x.v} != 0 and not {x.u} and not {x.z})"
        if x.kind in ("date", "dur"):
            return f"(not {x.u} and not {x.z})"
        if x.kind == "none":
            return "False"
        raise Unsupported(f"truth of {x.kind}")

    def boolv(self, val_expr, unk_expr, miss_expr):
        v, u, m = self.fresh("b"), self.fresh("u"), self.fresh("m")
        self.emit(f"{u} = {unk_expr}")
        self.emit(f"{v} = ({val_expr}) and not {u}")
        self.emit(f"{m} = {miss_expr}")
        return Val("bool", v, u, "False", m)

    # logic
    def t_or(self, t):
        return self._logic(t.children, True)

    def t_and(self, t):
        return self._logic(t.children, False)

    def _logic(self, kids, is_or):
        x = self.node(kids[0])
        s, un, m = self.fresh("s"), self.fresh("un"), self.fresh("lm")
        tv = self.truth(x)
        self.emit(f"{s} = {tv}" if is_or else f"{s} = not {tv} and not {x.u}")
        self.emit(f"{un} = {x.u}")
        self.emit(f"{m} = {x.m}")
        for k in kids[1:]:
            self.emit(f"if not {s}:")
            self.indent += 1
            y = self.node(k)
            ty = self.truth(y)
            self.emit(f"{un} = {un} or {y.u}")
            self.emit(f"{s} = {ty}" if is_or else f"{s} = not {ty} and not {y.u}")
            self.emit(f"{m} = {m} | {y.m}")
            self.indent -= 1
        u, v, mo = self.fresh("u"), self.fresh("b"), self.fresh("m")
        self.emit(f"{u} = {un} and not {s}")
        self.emit(f"{v} = {s}" if is_or else f"{v} = not {s} and not {u}")
        self.emit(f"{mo} = {m} if {u} else ZERO")
        return Val("bool", v, u, "False", mo)

    def t_not(self, t):
        x = self.node(t.children[0])
        return self.boolv(f"not {self.truth(x)}", x.u, x.m)

    def t_compare(self, t):
        x, op, y = self.node(t.children[0]), str(t.children[1]), self.node(t.children[2])
        unk = f"({x.u} or {y.u})"
        miss = f"({x.m} | {y.m})"
        if op in ("==", "!="):
            if x.kind == "none" or y.kind == "none":
                eq = f"({x.z} and {y.z})"
            elif x.kind == y.kind and x.kind in ("bool", "int", "date", "str") or \
                    {x.kind, y.kind} <= {"bool", "int"}:
                eq = f"(({x.z} and {y.z}) or (not {x.z} and not {y.z} and {x.v} == {y.v}))"
            elif x.kind == y.kind == "dur":
                eq = f"(({x.z} and {y.z}) or (not {x.z} and not {y.z} and {x.v} == {y.v} and {x.d} == {y.d}))"
            else:
                raise Unsupported(f"== {x.kind} {y.kind}")
            val = eq if op == "==" else f"not {eq}"
            return self.boolv(val, unk, miss)
        if x.kind == "none" or y.kind == "none":
            return self.boolv("False", unk, miss)
        if x.kind == y.kind and x.kind in ("int", "date"):
            cmp = f"{x.v} {op} {y.v}"
        elif x.kind == y.kind == "dur":
            lt = f"({x.v} < {y.v} or ({x.v} == {y.v} and {x.d} < {y.d}))"
            eq = f"({x.v} == {y.v} and {x.d} == {y.d})"
            cmp = {"<": lt, "<=": f"({lt} or {eq})", ">": f"(not {lt} and not {eq})", ">=": f"not {lt}"}[op]
        else:
            raise Unsupported(f"{op} {x.kind} {y.kind}")
        return self.boolv(f"({cmp}) and not {x.z} and not {y.z}", unk, miss)

    def t_in(self, t):
        x, y = self.node(t.children[0]), self.node(t.children[1])
        unk = f"({x.u} or {y.u})"
        miss = f"({x.m} | {y.m})"
        ok = f"(not {x.u} and not {y.u} and not {y.z})"
        if y.kind == "none":
            return self.boolv("False", unk, miss)
        if x.kind != "str":
            raise Unsupported(f"in: {x.kind}")
        if y.kind == "set":
            val = f"{ok} and not {x.z} and {x.v} >= 0 and {x.v} < NCODES and SETS[{y.v}, {x.v}]"
            return self.boolv(val, unk, miss)
        if y.kind == "strlist":
            off, flat = y.extra
            h = self.fresh("h")
            self.emit(f"{h} = False")
            self.emit(f"if {ok}:")
            self.emit(f"    for q in range({off}[i], {off}[i + 1]):")
            self.emit(f"        if {flat}[q] == {x.v}:")
            self.emit(f"            {h} = True")
            return self.boolv(h, unk, miss)
        raise Unsupported(f"in {y.kind}")

    def t_not_in(self, t):
        x = self.t_in(t)
        return self.boolv(f"not {x.v}", x.u, x.m)

    def t_add(self, t):
        return self._arith(t, 1)

    def t_sub(self, t):
        return self._arith(t, -1)

    def _arith(self, t, sign):
        x, y = self.node(t.children[0]), self.node(t.children[1])
        u, z, v = self.fresh("u"), self.fresh("z"), self.fresh("v")
        self.emit(f"{u} = {x.u} or {y.u}")
        self.emit(f"{z} = ({x.z} or {y.z}) and not {u}")
        if x.kind == "date" and y.kind == "dur":
            self.emit(f"{v} = add_months(0 if ({z} or {u}) else {x.v}, {sign} * {y.v}) + {sign} * {y.d}")
            return Val("date", v, u, z, f"({x.m} | {y.m})")
        if x.kind == y.kind == "int":
            self.emit(f"{v} = {x.v} + {sign} * {y.v}")
            return Val("int", v, u, z, f"({x.m} | {y.m})")
        raise Unsupported(f"arith {x.kind} {y.kind}")

    # names
    def t_path(self, t):
        names = [str(n) for n in t.children]
        root = names[0]
        from lexquery.rules.expr_scope import CASE_ROOTS
        if root in CASE_ROOTS:
            return self.fact(".".join(names))
        if root == "it":
            return self.item(tuple(names[1:]))
        if root == "as_of":
            return Val("date", "as_of[i]")
        if root in self.scope.constants:
            return self.const(self.scope.constants[root])
        if root in self.scope.derived:
            return self.derived(root)
        raise Unsupported(root)   # cond.<id>, state, from_date: not in this spike

    def fact(self, path):
        kind = KINDS.get(path)
        if kind is None:
            raise Unsupported(f"fact {path}")
        name = "F_" + re.sub(r"\W", "_", path)
        self.facts[path] = (kind, name)
        b = self.bit(path)
        if kind == "coll":
            self.colls.setdefault(path, set())
            return Val("coll", u=f"{name}_u[i]", z=f"{name}_z[i]", m=f"(B{b} if {name}_u[i] else ZERO)",
                       extra=(path, name))
        if kind == "strlist":
            return Val("strlist", u=f"{name}_u[i]", z=f"{name}_z[i]", m=f"(B{b} if {name}_u[i] else ZERO)",
                       extra=(f"{name}_off", f"{name}_flat"))
        d = f"{name}_d[i]" if kind == "dur" else "0"
        return Val(kind, f"{name}_v[i]", f"{name}_u[i]", f"{name}_z[i]", f"(B{b} if {name}_u[i] else ZERO)", d)

    def item(self, keys):
        if not self.items:
            raise Unsupported("it outside exists")
        coll, name, j, k = self.items[-1]
        if len(keys) != 1:
            raise Unsupported("it itself / nested keys")
        key = keys[0]
        kind = ITEM_KINDS.get((coll, key))
        if kind is None:
            raise Unsupported(f"item field {coll}.{key}")
        self.colls[coll].add(key)
        arr = f"{name}__{key}"
        bits = [self.bit(f"{coll}[{s}].{key}") for s in range(ITEM_SLOTS)]
        base = bits[0]
        assert bits == list(range(base, base + ITEM_SLOTS))
        m = self.fresh("m")
        self.emit(f"{m} = (ONE << np.uint64({base} + {k})) if {arr}_u[{j}] else ZERO")
        return Val(kind, f"{arr}_v[{j}]", f"{arr}_u[{j}]", "False", m)

    def derived(self, name):
        if self.dreads:
            self.dreads[-1].add(name)   # read by the block being generated
        hit = self.derived_done.get(name)
        if hit is not None:
            return hit
        # generated into a block of its own, added to the row-level prelude once complete (a
        # derived value it reads completes, and is added, before it); computed at row level
        # even when first read inside an item loop (its values are the row's)
        saved, ind, items = self.lines, self.indent, self.items
        self.lines, self.indent, self.items = [], 2, []
        self.dreads.append(set())
        try:
            x = self.expr_c(self.book.derived[name])
            if x.kind in ("coll", "strlist"):
                raise Unsupported(f"derived {x.kind}")
            names = tuple(f"DV_{name}_{p}" for p in "vduzm")
            for nm, e in zip(names, (x.v, x.d, x.u, x.z, x.m)):
                self.emit(f"{nm} = {e}")
            self.prelude.extend(self.lines)
            self.blocks.append(("derived", name, self.lines, sorted(self.dreads[-1])))
        finally:
            self.dreads.pop()
            self.lines, self.indent, self.items = saved, ind, items
        out = self.derived_done[name] = Val(x.kind if x.kind != "gap" else "gap", *names[:1], u=names[2],
                                            z=names[3], m=names[4], d=names[1])
        return out

    def t_call(self, t):
        name = str(t.children[0])
        args = t.children[1:]
        if name in ("exists", "all"):
            return self.quantifier(name == "exists", args)
        if name == "if":
            return self.if_(args)
        if name == "known":
            x = self.node(args[0])
            v = self.fresh("b")
            self.emit(f"{v} = not {x.u}")
            return Val("bool", v, "False", "False", "ZERO")
        if name == "law_gap":
            return Val("gap", u="True")
        if name == "latest" and args[0].data == "call" and str(args[0].children[0]) == "field":
            return self.latest_field(args[0].children[1:])
        xs = [self.node(a) for a in args]
        miss = "(" + " | ".join(x.m for x in xs) + ")"
        fn = getattr(self, "f_" + name, None)
        if fn is None:
            raise Unsupported(f"function {name}")
        return fn(xs, miss)

    def f_is_life(self, xs, miss):
        from lexquery.dates import LIFE_MONTHS
        x = xs[0]
        v = self.fresh("b")
        if x.kind == "none":
            self.emit(f"{v} = False")
        elif x.kind == "dur":
            self.emit(f"{v} = {x.v} >= {LIFE_MONTHS} and not {x.u} and not {x.z}")
        else:
            raise Unsupported("is_life")
        return Val("bool", v, x.u, "False", miss)

    def _shift(self, xs, miss, months=None, days=None, sign=1):
        d, n = xs
        if d.kind != "date" or n.kind != "int":
            raise Unsupported("date shift")
        u, z, v = self.fresh("u"), self.fresh("z"), self.fresh("v")
        self.emit(f"{u} = {d.u} or {n.u}")
        self.emit(f"{z} = {d.z} and not {u}")
        base = f"(0 if ({z} or {u}) else {d.v})"
        if months is not None:
            self.emit(f"{v} = add_months({base}, {sign} * {months.format(n.v)})")
        else:
            self.emit(f"{v} = {base} + {sign} * {n.v}")
        return Val("date", v, u, z, miss)

    def f_add_months(self, xs, miss):
        return self._shift(xs, miss, months="{}")

    def f_add_years(self, xs, miss):
        return self._shift(xs, miss, months="12 * {}")

    def f_add_days(self, xs, miss):
        return self._shift(xs, miss)

    def _plus(self, xs, miss, sign):
        d, dur = xs
        if d.kind not in ("date", "none") or dur.kind not in ("dur", "none"):
            raise Unsupported("plus")
        u, z, v = self.fresh("u"), self.fresh("z"), self.fresh("v")
        self.emit(f"{u} = {d.u} or {dur.u}")
        self.emit(f"{z} = ({d.z} or {dur.z}) and not {u}")
        if d.kind == "none" or dur.kind == "none":
            self.emit(f"{v} = 0")
            return Val("date", v, u, z, miss)
        self.emit(f"{v} = add_months({d.v}, {sign} * {dur.v}) + {sign} * {dur.d} if not ({u} or {z}) else 0")
        return Val("date", v, u, z, miss)

    def f_plus(self, xs, miss):
        return self._plus(xs, miss, 1)

    def f_minus(self, xs, miss):
        return self._plus(xs, miss, -1)

    def f_fraction_point(self, xs, miss):
        s, e, num, den = xs
        if s.kind != "date" or e.kind != "date" or num.kind not in ("int", "gap") or den.kind not in ("int", "gap"):
            raise Unsupported("fraction_point kinds")
        u, v = self.fresh("u"), self.fresh("v")
        self.emit(f"{u} = {s.u} or {e.u} or {num.u} or {den.u}")
        # a known row with a none argument: the vector form declines (the scalar function): flagged
        self.emit(f"if not {u} and ({s.z} or {e.z}):")
        self.emit("    flags[0] += 1")
        self.emit(f"{v} = fraction_point({s.v}, {e.v}, {num.v}, {den.v}) if not {u} else 0")
        return Val("date", v, u, "False", miss)

    def _extreme(self, xs, miss, is_min):
        kinds = {x.kind for x in xs} - {"none"}
        if not kinds <= {"date", "int"} or len(kinds) > 1:
            raise Unsupported("min/max kinds")
        kind = kinds.pop() if kinds else "none"
        u, z, v = self.fresh("u"), self.fresh("z"), self.fresh("v")
        big = "BIG" if is_min else "SMALL"
        self.emit(f"{u} = " + " or ".join(x.u for x in xs))
        self.emit(f"{v} = {big}")
        for x in xs:
            if x.kind == "none":
                continue
            op = "<" if is_min else ">"
            self.emit(f"if not ({x.u} or {x.z}) and {x.v} {op} {v}:")
            self.emit(f"    {v} = {x.v}")
        self.emit(f"{z} = {v} == {big} and not {u}")
        self.emit(f"if {z} or {u}:")
        self.emit(f"    {v} = 0")
        return Val(kind if kind != "none" else "date", v, u, z, miss)

    def f_min(self, xs, miss):
        return self._extreme(xs, miss, True)

    def f_max(self, xs, miss):
        return self._extreme(xs, miss, False)

    def latest_field(self, fargs):
        coll = self.node(fargs[0])
        if coll.kind != "coll" or fargs[1].data != "string":
            raise Unsupported("field")
        key = str(fargs[1].children[0])[1:-1]
        path, name = coll.extra
        if ITEM_KINDS.get((path, key)) != "date":
            raise Unsupported("latest of non-dates")
        self.colls[path].add(key)
        arr = f"{name}__{key}"
        v, z = self.fresh("v"), self.fresh("z")
        self.emit(f"{v} = SMALL")
        self.emit(f"for q in range({name}_off[i], {name}_off[i + 1]):")
        self.emit(f"    if not {arr}_u[q] and {arr}_v[q] > {v}:")
        self.emit(f"        {v} = {arr}_v[q]")
        self.emit(f"{z} = {v} == SMALL and not {coll.u}")
        self.emit(f"if {z} or {coll.u}:")
        self.emit(f"    {v} = 0")
        return Val("date", v, coll.u, z, coll.m)

    def if_(self, args):
        c = self.node(args[0])
        tv, fv = self.fresh("tv"), self.fresh("fv")
        self.emit(f"{tv} = {self.truth(c)}")
        self.emit(f"{fv} = not {tv} and not {c.u}")
        v, d, u, z, m = (self.fresh(p) for p in ("v", "d", "u", "z", "m"))
        # the result's kind: the branches' (law_gap and none: any kind)
        saved = self.lines
        probe_a, probe_b = [], []
        self.lines = probe_a
        self.indent += 1
        a = self.node(args[1])
        self.lines = probe_b
        b = self.node(args[2])
        self.indent -= 1
        self.lines = saved
        kinds = {a.kind, b.kind} - {"gap", "none"}
        if len(kinds) > 1:
            raise Unsupported(f"if of {kinds}")
        kind = kinds.pop() if kinds else "none"
        self.emit(f"{v} = False" if kind == "bool" else f"{v} = 0")
        self.emit(f"{d} = 0")
        self.emit(f"{u} = {c.u}")
        self.emit(f"{z} = False")
        self.emit(f"{m} = {c.m}")
        for flag, x, block in ((tv, a, probe_a), (fv, b, probe_b)):
            self.emit(f"if {flag}:")
            self.lines.extend(block)
            self.indent += 1
            if x.kind not in ("gap", "none"):
                self.emit(f"{v} = {x.v}")
                if kind == "dur":
                    self.emit(f"{d} = {x.d}")
            self.emit(f"{u} = {x.u}")
            self.emit(f"{z} = {x.z}")
            self.emit(f"{m} = {m} | {x.m}")
            self.indent -= 1
        return Val(kind, v, u, z, m, d)

    def quantifier(self, want_any, args):
        coll = self.node(args[0])
        if coll.kind != "coll":
            raise Unsupported("exists over a non-collection")
        path, name = coll.extra
        ht, hu, hf, bm = (self.fresh(p) for p in ("ht", "hu", "hf", "bm"))
        j, k = self.fresh("j"), self.fresh("k")
        self.emit(f"{ht} = False")
        self.emit(f"{hu} = False")
        self.emit(f"{hf} = False")
        self.emit(f"{bm} = ZERO")
        self.emit(f"for {j} in range({name}_off[i], {name}_off[i + 1]):")
        self.indent += 1
        self.emit(f"{k} = {j} - {name}_off[i]")
        self.emit(f"if {k} >= {ITEM_SLOTS}:")
        self.emit("    flags[1] += 1")
        self.items.append((path, name, j, k))
        b = self.node(args[1])
        self.items.pop()
        tb = self.truth(b)
        self.emit(f"if {tb}:")
        self.emit(f"    {ht} = True")
        self.emit(f"elif {b.u}:")
        self.emit(f"    {hu} = True")
        self.emit("else:")
        self.emit(f"    {hf} = True")
        self.emit(f"{bm} = {bm} | {b.m}")
        self.indent -= 1
        v, u, m = self.fresh("b"), self.fresh("u"), self.fresh("m")
        if want_any:
            self.emit(f"{v} = {ht} and not {coll.u}")
            self.emit(f"{u} = not {ht} and {hu} and not {coll.u}")
        else:
            self.emit(f"{v} = not {hf} and not {hu} and not {coll.u}")
            self.emit(f"{u} = not {hf} and {hu} and not {coll.u}")
        self.emit(f"{m} = {coll.m} | ({bm} if {u} else ZERO)")
        self.emit(f"{u} = {u} or {coll.u}")
        return Val("bool", v, u, "False", m)

    # conditions (compile_conditions.ConditionCompiler.build, per row)
    def condition(self, c, slot):
        from lexquery.columnar.vdates import to_days
        if c.children:
            raise Unsupported("any_of / all_of (not in this spike)")
        self.emit(f"# condition {c.id} ({c.kind})")
        on = self.fresh("on")
        if c.when is not None:
            w = self.expr_c(c.when)
            isf = f"({w.v} == False and not {w.u} and not {w.z})" if w.kind == "bool" else "False"
            self.emit(f"{on} = not {isf}")
        else:
            self.emit(f"{on} = True")
        gap = []
        if c.valid_from is not None:
            gap.append(f"as_of[i] < {to_days(c.valid_from)}")
        if c.valid_until is not None:
            gap.append(f"as_of[i] > {to_days(c.valid_until)}")
        g = self.fresh("gap")
        self.emit(f"{g} = " + (" or ".join(gap) if gap else "False"))
        eff, date, miss = self.fresh("eff"), self.fresh("date"), self.fresh("cm")
        self.emit(f"{date} = NONE_DATE")
        if c.kind == "test":
            x = self.expr_c(c.expr)
            self.emit(f"{eff} = {MET} if {self.truth(x)} else ({UNKNOWN_} if {x.u} else {NOT_MET})")
            self.emit(f"{miss} = {x.m}")
        elif c.kind == "assess":
            if c.requires is None:
                self.emit(f"{eff} = {TO_ASSESS}")
                self.emit(f"{miss} = ZERO")
            else:
                x = self.expr_c(c.requires)
                self.emit(f"{eff} = {TO_ASSESS} if {self.truth(x)} else ({UNKNOWN_} if {x.u} else {NOT_MET})")
                self.emit(f"{miss} = {x.m}")
        elif c.kind in ("from", "until"):
            if c.met_if is not None:
                mi = self.expr_c(c.met_if)
                mt, mu = self.fresh("mt"), self.fresh("mu")
                self.emit(f"{mt} = {mi.v} and not {mi.u} and not {mi.z}" if mi.kind == "bool" else f"{mt} = False")
                self.emit(f"{mu} = {mi.u}")
                mm = mi.m
            else:
                mt = mu = "False"
                mm = "ZERO"
            x = self.expr_c(c.expr)
            if x.kind not in ("date", "none"):
                raise Unsupported(f"{c.id}: date expected, {x.kind}")
            xv = x.v if x.kind == "date" else "0"
            r = self.fresh("reached")
            self.emit(f"{r} = as_of[i] >= {xv}" if c.kind == "from" else f"{r} = as_of[i] <= {xv}")
            self.emit(f"{eff} = {MET} if {r} else {PENDING if c.kind == 'from' else NOT_MET}")
            if c.met_if is not None:
                self.emit(f"if {mu} and not {r}:")
                self.emit(f"    {eff} = {UNKNOWN_}")
            self.emit(f"if {x.z}:")
            self.emit(f"    {eff} = {UNKNOWN_} if {mu} else {MET}")
            self.emit(f"if {x.u}:")
            self.emit(f"    {eff} = {UNKNOWN_}")
            self.emit(f"if {mt}:")
            self.emit(f"    {eff} = {MET}")
            self.emit(f"if not {x.u} and not {x.z} and not {mt}:")
            self.emit(f"    {date} = {xv}")
            self.emit(f"{miss} = {mm} | (ZERO if {mt} else {x.m})")
        else:
            raise Unsupported(c.kind)
        # missing facts where it applies and is unknown; outside its period: unknown, none missing
        self.emit(f"if {eff} != {UNKNOWN_} or not {on} or {g}:")
        self.emit(f"    {miss} = ZERO")
        self.emit(f"if {g}:")
        self.emit(f"    {eff} = {UNKNOWN_}")
        self.emit(f"    {date} = NONE_DATE")
        return eff, on, date, miss

    def kernel(self, conds, cache, split=False):
        """(source, condition ids compiled, left out {id: why}, kernel arguments). ``split``: each
        derived value and each condition its own numba function, called per row by the kernel's
        loop (still one pass over the rows; smaller functions to compile)."""
        body, ok, left, cblocks = [], [], {}, []
        self.cond_by_id = {c.id: c for c in conds}
        for c in conds:
            mark = (len(self.prelude), dict(self.derived_done), dict(self.bits), len(self.blocks),
                    dict(self.cond_done), dict(self.passed), dict(self.lookups), self.uses_state)
            self.lines, self.indent = [], 2
            self.dreads.append(set())
            try:
                res = self.condition(c, len(ok))
            except Unsupported as e:
                del self.prelude[mark[0]:]
                del self.blocks[mark[3]:]
                self.derived_done, self.bits = mark[1], mark[2]
                self.cond_done, self.passed, self.lookups, self.uses_state = mark[4], mark[5], mark[6], mark[7]
                left[c.id] = str(e)
                continue
            finally:
                reads = self.dreads.pop()
            slot = len(ok)
            cblocks.append((c.id, self.lines, sorted(reads), res))
            body.extend(self.lines)
            for arr, r in zip(("out_eff", "out_on", "out_date", "out_miss"), res):
                body.append(f"        {arr}[i, {slot}] = {r}")
            ok.append(c.id)
        facts = []
        for path, (kind, name) in sorted(self.facts.items()):
            if kind == "coll":
                facts += [f"{name}_u", f"{name}_z", f"{name}_off"]
                for key in sorted(self.colls[path]):
                    facts += [f"{name}__{key}_v", f"{name}__{key}_u"]
            elif kind == "strlist":
                facts += [f"{name}_u", f"{name}_z", f"{name}_off", f"{name}_flat"]
            elif kind == "dur":
                facts += [f"{name}_v", f"{name}_d", f"{name}_u", f"{name}_z"]
            else:
                facts += [f"{name}_v", f"{name}_u", f"{name}_z"]
        if self.uses_state:
            facts += ["ST_v", "ST_u", "ST_z"]
        for nm in self.lookups.values():
            facts += [f"{nm}_v", f"{nm}_u"]
        self.n_literals = len(self.strings)
        args = ["n", "as_of"] + facts + ["SETS", "out_eff", "out_on", "out_date", "out_miss", "flags"]
        src = ["import numpy as np", "from numba import njit", f"CACHE = {cache}", DATE_HELPERS,
               "ZERO = np.uint64(0)", "ONE = np.uint64(1)", f"NONE_DATE = {NONE_DATE}", f"BIG = {BIG}",
               f"SMALL = {-BIG - 1}", f"NCODES = {len(self.strings)}"]
        src += [f"B{b} = np.uint64({1 << b})" for b in range(len(self.bits))]
        if not split:
            src += ["", "@njit(cache=CACHE, nogil=True)", f"def kernel({', '.join(args)}):",
                    "    for i in range(n):"]
            src += self.prelude + body
            return "\n".join(src) + "\n", ok, left, args
        common = ["i", "as_of"] + facts + ["SETS", "flags"]

        def fn(fname, lines, reads, result):
            out = ["", "@njit(cache=CACHE)", f"def {fname}({', '.join(common + [f'D_{d}' for d in reads])}):"]
            for d in reads:
                out.append("    " + ", ".join(f"DV_{d}_{p}" for p in "vduzm") + f" = D_{d}")
            out += [ln[4:] for ln in lines]
            out.append(f"    return ({', '.join(result)})")
            return out
        loop = []
        for _, name, lines, reads in self.blocks:
            src += fn(f"d_{name}", lines, reads, [f"DV_{name}_{p}" for p in "vduzm"])
            loop.append(f"        D_{name} = d_{name}({', '.join(common + [f'D_{d}' for d in reads])})")
        for slot, (cid, lines, reads, res) in enumerate(cblocks):
            src += fn(f"c_{slot}", lines, reads, res)
            loop.append(f"        r = c_{slot}({', '.join(common + [f'D_{d}' for d in reads])})")
            for k, arr in enumerate(("out_eff", "out_on", "out_date", "out_miss")):
                loop.append(f"        {arr}[i, {slot}] = r[{k}]")
        src += ["", "@njit(cache=CACHE, nogil=True)", f"def kernel({', '.join(args)}):", "    for i in range(n):"]
        src += loop
        return "\n".join(src) + "\n", ok, left, args


# --- the same, flat: no Python short-circuit nor branch per operation --------------------------

FLAT_HELPERS = """
@njit(cache=CACHE, error_model="numpy")
def sel(c, a, b):
    return a if c else b

@njit(cache=CACHE)
def mk(c, m):
    return m if c else ZERO

@njit(cache=CACHE)
def all_rank(e):
    # compile_conditions._ALL_RANK: the order in which a child's status wins an all_of (-1: left out)
    if e == -1:
        return 0
    if e == 0:
        return 5
    if e == 1:
        return 3
    if e == 2:
        return 4
    if e == 3:
        return 2
    return 1

@njit(cache=CACHE)
def all_eff(r):
    # compile_conditions._ALL_EFF
    if r <= 1:
        return 4
    if r == 2:
        return 3
    if r == 3:
        return 1
    if r == 4:
        return 2
    return 0
"""


def AND(*xs):
    xs = [x for x in xs if x != "True"]
    if "False" in xs:
        return "False"
    if not xs:
        return "True"
    return xs[0] if len(xs) == 1 else "(" + " & ".join(f"({x})" if " " in x else x for x in xs) + ")"


def OR(*xs):
    xs = [x for x in xs if x != "False"]
    if "True" in xs:
        return "True"
    if not xs:
        return "False"
    return xs[0] if len(xs) == 1 else "(" + " | ".join(f"({x})" if " " in x else x for x in xs) + ")"


def NOT(x):
    if x == "True":
        return "False"
    if x == "False":
        return "True"
    return f"(not {x})" if " " not in x else f"(not ({x}))"


def MOR(*ms):
    ms = [m for m in ms if m != "ZERO"]
    if not ms:
        return "ZERO"
    return ms[0] if len(ms) == 1 else "(" + " | ".join(ms) + ")"


def MK(c, m):
    if m == "ZERO" or c == "False":
        return "ZERO"
    if c == "True":
        return m
    return f"mk({c}, {m})"


class FlatGen(Gen):
    """Every operand evaluated on every row (as the numpy closures evaluate every operand over the
    batch), each variable assigned once; three-valued and / or, if, comparisons as & | and select
    (``sel``, ``mk``): few basic blocks, what numba's SSA pass and type inference cost grows with.
    Loops (items, lists) keep their accumulators."""

    def fact(self, path):
        x = super().fact(path)
        if x.m.startswith("(B"):
            b = x.m[2:x.m.index(" ")]
            x.m = f"mk({x.u}, B{b})"
        return x

    def truth(self, x):
        if x.kind == "bool":
            return AND(x.v, NOT(x.u), NOT(x.z))
        if x.kind == "int":
            return AND(f"{x.v} != 0", NOT(x.u), NOT(x.z))
        if x.kind in ("date", "dur"):
            return AND(NOT(x.u), NOT(x.z))
        if x.kind == "none":
            return "False"
        raise Unsupported(f"truth of {x.kind}")

    def var(self, p, e):
        if re.fullmatch(r"[A-Za-z_]\w*(\[\w+\])?|-?\d+|True|False|ZERO", e):
            return e
        v = self.fresh(p)
        self.emit(f"{v} = {e}")
        return v

    def boolv(self, val_expr, unk_expr, miss_expr):
        u = self.var("u", unk_expr)
        v = self.var("b", AND(val_expr, NOT(u)))
        m = self.var("m", miss_expr)
        return Val("bool", v, u, "False", m)

    def _logic(self, kids, is_or):
        xs = [self.node(k) for k in kids]
        x = xs[0]
        tv = self.truth(x)
        s = self.var("s", tv if is_or else AND(NOT(tv), NOT(x.u)))
        un = x.u
        ms = [x.m]
        for y in xs[1:]:
            ty = self.truth(y)
            r = NOT(s)
            un = self.var("un", OR(un, AND(y.u, r)))
            s = self.var("s", OR(s, AND(ty if is_or else AND(NOT(ty), NOT(y.u)), r)))
            ms.append(y.m)
        u = self.var("u", AND(un, NOT(s)))
        v = self.var("b", s if is_or else AND(NOT(s), NOT(u)))
        m = self.var("m", MK(u, MOR(*ms)))
        return Val("bool", v, u, "False", m)

    def t_not(self, t):
        x = self.node(t.children[0])
        return self.boolv(NOT(self.truth(x)), x.u, x.m)

    def t_compare(self, t):
        x, op, y = self.node(t.children[0]), str(t.children[1]), self.node(t.children[2])
        unk, miss = OR(x.u, y.u), MOR(x.m, y.m)
        if op in ("==", "!="):
            if x.kind == "none" or y.kind == "none":
                eq = AND(x.z, y.z)
            elif x.kind == y.kind and x.kind in ("bool", "int", "date", "str") or {x.kind, y.kind} <= {"bool", "int"}:
                eq = OR(AND(x.z, y.z), AND(NOT(x.z), NOT(y.z), f"{x.v} == {y.v}"))
            elif x.kind == y.kind == "dur":
                eq = OR(AND(x.z, y.z), AND(NOT(x.z), NOT(y.z), f"{x.v} == {y.v}", f"{x.d} == {y.d}"))
            else:
                raise Unsupported(f"== {x.kind} {y.kind}")
            return self.boolv(eq if op == "==" else NOT(eq), unk, miss)
        if x.kind == "none" or y.kind == "none":
            return self.boolv("False", unk, miss)
        if x.kind == y.kind and x.kind in ("int", "date"):
            cmp = f"{x.v} {op} {y.v}"
        elif x.kind == y.kind == "dur":
            lt = OR(f"{x.v} < {y.v}", AND(f"{x.v} == {y.v}", f"{x.d} < {y.d}"))
            eq = AND(f"{x.v} == {y.v}", f"{x.d} == {y.d}")
            cmp = {"<": lt, "<=": OR(lt, eq), ">": AND(NOT(lt), NOT(eq)), ">=": NOT(lt)}[op]
        else:
            raise Unsupported(f"{op} {x.kind} {y.kind}")
        return self.boolv(AND(cmp, NOT(x.z), NOT(y.z)), unk, miss)

    def t_not_in(self, t):
        x = self.t_in(t)
        return self.boolv(NOT(x.v), x.u, x.m)

    def _arith(self, t, sign):
        x, y = self.node(t.children[0]), self.node(t.children[1])
        u = self.var("u", OR(x.u, y.u))
        z = self.var("z", AND(OR(x.z, y.z), NOT(u)))
        if x.kind == "date" and y.kind == "dur":
            v = self.var("v", f"add_months({x.v}, {sign} * {y.v}) + {sign} * {y.d}")
            return Val("date", v, u, z, MOR(x.m, y.m))
        if x.kind == y.kind == "int":
            v = self.var("v", f"{x.v} + {sign} * {y.v}")
            return Val("int", v, u, z, MOR(x.m, y.m))
        raise Unsupported(f"arith {x.kind} {y.kind}")

    def item(self, keys):
        if not self.items:
            raise Unsupported("it outside exists")
        coll, name, j, k = self.items[-1]
        if len(keys) != 1:
            raise Unsupported("it itself / nested keys")
        key = keys[0]
        kind = ITEM_KINDS.get((coll, key))
        if kind is None:
            raise Unsupported(f"item field {coll}.{key}")
        self.colls[coll].add(key)
        arr = f"{name}__{key}"
        bits = [self.bit(f"{coll}[{s}].{key}") for s in range(ITEM_SLOTS)]
        m = self.var("m", f"mk({arr}_u[{j}], ONE << np.uint64({bits[0]} + {k}))")
        return Val(kind, f"{arr}_v[{j}]", f"{arr}_u[{j}]", "False", m)

    def f_is_life(self, xs, miss):
        from lexquery.dates import LIFE_MONTHS
        x = xs[0]
        if x.kind == "none":
            v = "False"
        elif x.kind == "dur":
            v = self.var("b", AND(f"{x.v} >= {LIFE_MONTHS}", NOT(x.u), NOT(x.z)))
        else:
            raise Unsupported("is_life")
        return Val("bool", v, x.u, "False", miss)

    def _shift(self, xs, miss, months=None, days=None, sign=1):
        d, n = xs
        if d.kind != "date" or n.kind != "int":
            raise Unsupported("date shift")
        u = self.var("u", OR(d.u, n.u))
        z = self.var("z", AND(d.z, NOT(u)))
        if months is not None:
            v = self.var("v", f"add_months({d.v}, {sign} * {months.format(n.v)})")
        else:
            v = self.var("v", f"{d.v} + {sign} * {n.v}")
        return Val("date", v, u, z, miss)

    def _plus(self, xs, miss, sign):
        d, dur = xs
        if d.kind not in ("date", "none") or dur.kind not in ("dur", "none"):
            raise Unsupported("plus")
        u = self.var("u", OR(d.u, dur.u))
        z = self.var("z", AND(OR(d.z, dur.z), NOT(u)))
        if d.kind == "none" or dur.kind == "none":
            return Val("date", "0", u, z, miss)
        v = self.var("v", f"add_months({d.v}, {sign} * {dur.v}) + {sign} * {dur.d}")
        return Val("date", v, u, z, miss)

    def f_fraction_point(self, xs, miss):
        s, e, num, den = xs
        if s.kind != "date" or e.kind != "date" or num.kind not in ("int", "gap") or den.kind not in ("int", "gap"):
            raise Unsupported("fraction_point kinds")
        u = self.var("u", OR(s.u, e.u, num.u, den.u))
        bad = AND(NOT(u), OR(s.z, e.z))
        if bad != "False":   # a known row with a none argument: the vector form declines: flagged
            self.emit(f"flags[0] += {bad}")
        v = self.var("v", f"fraction_point({s.v}, {e.v}, {num.v}, {den.v})")
        return Val("date", v, u, "False", miss)

    def _extreme(self, xs, miss, is_min):
        kinds = {x.kind for x in xs} - {"none"}
        if not kinds <= {"date", "int"} or len(kinds) > 1:
            raise Unsupported("min/max kinds")
        kind = kinds.pop() if kinds else "none"
        big = "BIG" if is_min else "SMALL"
        u = self.var("u", OR(*[x.u for x in xs]))
        v = big
        f = "min" if is_min else "max"
        for x in xs:
            if x.kind == "none":
                continue
            v = self.var("v", f"{f}({v}, sel({OR(x.u, x.z)}, {big}, {x.v}))")
        z = self.var("z", AND(f"{v} == {big}", NOT(u)))
        v = self.var("v", f"sel({OR(z, u)}, 0, {v})")
        return Val(kind if kind != "none" else "date", v, u, z, miss)

    def latest_field(self, fargs):
        coll = self.node(fargs[0])
        if coll.kind != "coll" or fargs[1].data != "string":
            raise Unsupported("field")
        key = str(fargs[1].children[0])[1:-1]
        path, name = coll.extra
        if ITEM_KINDS.get((path, key)) != "date":
            raise Unsupported("latest of non-dates")
        self.colls[path].add(key)
        arr = f"{name}__{key}"
        v = self.fresh("v")
        self.emit(f"{v} = SMALL")
        self.emit(f"for q in range({name}_off[i], {name}_off[i + 1]):")
        self.emit(f"    {v} = max({v}, sel({arr}_u[q], SMALL, {arr}_v[q]))")
        z = self.var("z", AND(f"{v} == SMALL", NOT(coll.u)))
        v2 = self.var("v", f"sel({OR(z, coll.u)}, 0, {v})")
        return Val("date", v2, coll.u, z, coll.m)

    def if_(self, args):
        c = self.node(args[0])
        a = self.node(args[1])
        b = self.node(args[2])
        tv = self.var("tv", self.truth(c))
        fv = self.var("fv", AND(NOT(tv), NOT(c.u)))
        kinds = {a.kind, b.kind} - {"gap", "none"}
        if len(kinds) > 1:
            raise Unsupported(f"if of {kinds}")
        kind = kinds.pop() if kinds else "none"
        dflt = "False" if kind == "bool" else "0"
        av = a.v if a.kind not in ("gap", "none") else dflt
        bv = b.v if b.kind not in ("gap", "none") else dflt
        u = self.var("u", OR(c.u, AND(tv, a.u), AND(fv, b.u)))
        z = self.var("z", AND(NOT(c.u), OR(AND(tv, a.z), AND(fv, b.z))))
        v = self.var("v", av if av == bv else f"sel({tv}, {av}, {bv})")
        d = "0"
        if kind == "dur":
            d = self.var("d", a.d if a.d == b.d else f"sel({tv}, {a.d}, {b.d})")
        m = self.var("m", MOR(c.m, MK(tv, a.m), MK(fv, b.m)))
        return Val(kind, v, u, z, m, d)

    def quantifier(self, want_any, args):
        coll = self.node(args[0])
        if coll.kind != "coll":
            raise Unsupported("exists over a non-collection")
        path, name = coll.extra
        ht, hu, hf, bm = (self.fresh(p) for p in ("ht", "hu", "hf", "bm"))
        j, k = self.fresh("j"), self.fresh("k")
        for x, e in ((ht, "False"), (hu, "False"), (hf, "False"), (bm, "ZERO")):
            self.emit(f"{x} = {e}")
        self.emit(f"for {j} in range({name}_off[i], {name}_off[i + 1]):")
        self.indent += 1
        self.emit(f"{k} = {j} - {name}_off[i]")
        self.emit(f"flags[1] += {k} >= {ITEM_SLOTS}")
        self.items.append((path, name, j, k))
        b = self.node(args[1])
        self.items.pop()
        tb = self.truth(b)
        self.emit(f"{ht} = {OR(ht, tb)}")
        self.emit(f"{hu} = {OR(hu, b.u)}")
        self.emit(f"{hf} = {OR(hf, AND(NOT(tb), NOT(b.u)))}")
        self.emit(f"{bm} = {MOR(bm, b.m)}")
        self.indent -= 1
        if want_any:
            v = self.var("b", AND(ht, NOT(coll.u)))
            u0 = self.var("u", AND(NOT(ht), hu, NOT(coll.u)))
        else:
            v = self.var("b", AND(NOT(hf), NOT(hu), NOT(coll.u)))
            u0 = self.var("u", AND(NOT(hf), hu, NOT(coll.u)))
        m = self.var("m", MOR(coll.m, MK(u0, bm)))
        u = self.var("u", OR(u0, coll.u))
        return Val("bool", v, u, "False", m)

    def condition(self, c, slot=None):
        """(eff, on, date, miss) of condition ``c``, generated once (``cond_done``: the memo of
        ``ctx.conds``); ``self.passed[c.id]``: what its first evaluation passes on (its ``when``'s
        missing facts, and its own where it is unknown)."""
        from lexquery.columnar.vdates import to_days
        hit = self.cond_done.get(c.id)
        if hit is not None:
            return hit
        self.emit(f"# condition {c.id} ({c.kind})")
        wm = "ZERO"
        if c.when is not None:
            w = self.expr_c(c.when)
            isf = AND(NOT(w.v), NOT(w.u), NOT(w.z)) if w.kind == "bool" else "False"
            on = self.var("on", NOT(isf))
            wm = w.m
        else:
            on = "True"
        gap = []
        if c.valid_from is not None:
            gap.append(f"as_of[i] < {to_days(c.valid_from)}")
        if c.valid_until is not None:
            gap.append(f"as_of[i] > {to_days(c.valid_until)}")
        g = self.var("gap", OR(*gap))
        live = AND(on, NOT(g))
        date = "NONE_DATE"
        if c.kind == "test" or (c.kind == "assess" and c.requires is not None):
            x = self.expr_c(c.expr if c.kind == "test" else c.requires)
            yes = MET if c.kind == "test" else TO_ASSESS
            eff = self.var("eff", f"sel({self.truth(x)}, {yes}, sel({x.u}, {UNKNOWN_}, {NOT_MET}))")
            miss = x.m
        elif c.kind == "assess":
            eff, miss = str(TO_ASSESS), "ZERO"
        elif c.kind in ("from", "until"):
            if c.met_if is not None:
                mi = self.expr_c(c.met_if)
                mt = self.var("mt", AND(mi.v, NOT(mi.u), NOT(mi.z)) if mi.kind == "bool" else "False")
                mu, mm = mi.u, mi.m
            else:
                mt = mu = "False"
                mm = "ZERO"
            x = self.expr_c(c.expr)
            if x.kind not in ("date", "none"):
                raise Unsupported(f"{c.id}: date expected, {x.kind}")
            xv = x.v if x.kind == "date" else "0"
            r = self.var("reached", f"as_of[i] >= {xv}" if c.kind == "from" else f"as_of[i] <= {xv}")
            e = self.var("eff", f"sel({r}, {MET}, {PENDING if c.kind == 'from' else NOT_MET})")
            if c.met_if is not None:
                e = self.var("eff", f"sel({AND(mu, NOT(r))}, {UNKNOWN_}, {e})")
            e = self.var("eff", f"sel({x.z}, sel({mu}, {UNKNOWN_}, {MET}), {e})") if x.z != "False" else e
            e = self.var("eff", f"sel({x.u}, {UNKNOWN_}, {e})") if x.u != "False" else e
            eff = self.var("eff", f"sel({mt}, {MET}, {e})") if mt != "False" else e
            date = self.var("date", f"sel({AND(NOT(x.u), NOT(x.z), NOT(mt))}, {xv}, NONE_DATE)")
            miss = MOR(mm, MK(NOT(mt), x.m))
        elif c.kind in ("any_of", "all_of"):
            kids = []
            for k in c.children:
                fresh = k.id not in self.cond_done
                r = self.condition(k)
                kids.append((k, r, self.passed[k.id] if fresh else "ZERO"))
            if any(k.kind in ("from", "until") or k.children for k, _, _ in kids):
                raise Unsupported("any_of / all_of of dated or nested children (not in this spike)")
            effs = [f"sel({ko}, {ke}, -1)" if ko != "True" else ke for _, (ke, ko, _, _), _ in kids]
            if c.kind == "any_of":
                best = effs[0]
                for e in effs[1:]:
                    best = self.var("best", f"max({best}, {e})")
                eff = self.var("eff", f"sel({best} >= 0, {best}, {MET})")
            else:
                rank = f"all_rank({effs[0]})"
                for e in effs[1:]:
                    rank = self.var("rank", f"max({rank}, all_rank({e}))")
                eff = self.var("eff", f"all_eff({rank})")
            unknown = f"({eff} == {UNKNOWN_})"
            mine = MOR(*[MK(live, p) for _, _, p in kids], *[MK(ko, km) for _, (_, ko, _, km), _ in kids])
            kids_unk = MOR(*[MK(AND(ko, f"{ke} == {UNKNOWN_}"), km) for _, (ke, ko, _, km), _ in kids])
            miss = self.var("cm", MOR(MK(AND(unknown, live), mine), MK(AND(NOT(unknown), live), kids_unk)))
            if g != "False":
                eff = self.var("eff", f"sel({g}, {UNKNOWN_}, {eff})")
            res = (eff, on, "NONE_DATE", miss)
            self.cond_done[c.id] = res
            self.passed[c.id] = self.var("pm", MOR(wm, MK(unknown, miss)))
            return res
        else:
            raise Unsupported(c.kind)
        # missing facts where it applies and is unknown; outside its period: unknown, none missing
        miss = self.var("cm", MK(AND(f"{eff} == {UNKNOWN_}", live), miss))
        if g != "False":
            eff = self.var("eff", f"sel({g}, {UNKNOWN_}, {eff})")
            date = self.var("date", f"sel({g}, NONE_DATE, {date})")
        res = (eff, on, date, miss)
        self.cond_done[c.id] = res
        self.passed[c.id] = MOR(wm, miss)
        return res

    def read_cond(self, cid):
        """``cond.<id>`` (Program.read_cond): met / unknown (or to assess) where it applies; what it
        passes on only on its first evaluation (a memo hit passes nothing)."""
        c = self.cond_by_id.get(cid)
        if c is None:
            return Val("bool", "False")
        fresh = cid not in self.cond_done
        eff, on, _, _ = self.condition(c)
        m = self.passed[cid] if fresh else "ZERO"
        v = self.var("b", AND(f"{eff} == {MET}", on))
        u = self.var("u", AND(OR(f"{eff} == {UNKNOWN_}", f"{eff} == {TO_ASSESS}"), on))
        return Val("bool", v, u, "False", m)

    def t_path(self, t):
        names = [str(n) for n in t.children]
        if names[0] == "cond":
            return self.read_cond(names[1])
        if names[0] == "state":
            self.uses_state = True
            return Val("str", "ST_v[i]", "ST_u[i]", "ST_z[i]")
        return super().t_path(t)

    def t_call(self, t):
        from lexquery.columnar.compile import LOOKUPS
        name = str(t.children[0])
        args = t.children[1:]
        if name in LOOKUPS:
            shape = []
            for a in args:
                if a.data == "string":
                    shape.append(str(a.children[0])[1:-1])
                elif a.data == "path" and [str(x) for x in a.children] == ["state"]:
                    shape.append(None)
                    self.uses_state = True
                else:
                    raise Unsupported(f"{name}: argument other than a literal or state")
            key = (name, tuple(shape))
            if key not in self.lookups:
                self.lookups[key] = f"L{len(self.lookups)}"
            nm = self.lookups[key]
            return Val("bool", f"{nm}_v[i]", f"{nm}_u[i]", "False", "ZERO")
        return super().t_call(t)

    def kernel(self, conds, cache, split=False):
        src, ok, left, args = super().kernel(conds, cache, split)
        src = src.replace("@njit(cache=CACHE)", '@njit(cache=CACHE, error_model="numpy")')
        src = src.replace("@njit(cache=CACHE, nogil=True)", '@njit(cache=CACHE, nogil=True, error_model="numpy")')
        src = src.replace("B0 = np.uint64(1)", FLAT_HELPERS + "\nB0 = np.uint64(1)", 1)
        return src, ok, left, args


# the kinds of the case's fact columns (docs/case-format.md): what the generated code reads
KINDS = {
    "person.nationalities": "strlist", "removal_measures": "coll", "sentence.total": "dur",
    "sentence.custodial": "bool", "sentence.final": "bool", "sentence.legal_recidivism": "bool",
    "sentence.lsc_plein_droit_excluded": "bool", "sentence.expected_end": "date",
    "sentence.execution_start": "date", "sentence.safety_period_end": "date", "person.birth_date": "date",
    "detention.incarcerated": "bool", "consent.transfer": "bool",
    "person.location": "str", "person.fled_to": "str", "person.habitual_residence": "str",
    "person.protection": "str",
}
ITEM_KINDS = {("removal_measures", "kind"): "str", ("removal_measures", "end_date"): "date",
              ("removal_measures", "enforceable"): "bool", ("removal_measures", "definitive"): "bool",
              ("removal_measures", "destination"): "str", ("removal_measures", "remedies_exhausted"): "bool"}


# --- inputs of the kernel from the batch's fact columns -------------------------------------------

def text_codes(gen, vals, unk, nil):
    """Codes of a column of texts: a literal's code, NCODES (no literal) for an unknown or none
    cell, then a code per other text met (the same across the columns compared together)."""
    nl = gen.n_literals
    dc = gen.__dict__.setdefault("data_codes", dict(gen.strings))

    def code(s):
        c = dc.get(s)
        if c is None:
            c = dc[s] = len(dc) + 1   # past NCODES (the literals', then the column of no set)
        return c
    out = np.fromiter((code(s) if isinstance(s, str) else nl for s in vals), np.int64, len(vals))
    out[unk | nil] = nl
    return out


def prepare(gen, args, ctx_facts, as_of, n, ctx=None, prog=None):
    """The kernel's arguments from a batch's fact columns (``TakenFacts``): plain columns as they
    are; texts as codes; lists (of texts, of measures) as offsets + flat arrays, each distinct
    list object read once (the rows of equal cells share their list: facts_from_frame)."""
    from datetime import date
    from lexquery.columnar.vdates import to_days
    from lexquery.rules.values import UNKNOWN
    out = {"n": n, "as_of": as_of}
    codes = gen.__dict__.setdefault("data_codes", dict(gen.strings))
    nc = gen.n_literals   # the code of a text no literal has (and of an unknown cell): a column of no set
    for path, (kind, name) in gen.facts.items():
        x = ctx_facts.get(path)
        if x is None:
            raise Unsupported(f"no column {path}")
        unk = np.ascontiguousarray(x.unk)
        nil = np.ascontiguousarray(x.nil)
        if kind in ("bool", "date", "int"):
            if x.kind == "none":
                v = np.zeros(n, dtype=bool if kind == "bool" else np.int64)
            else:
                v = x.v
            out[f"{name}_v"], out[f"{name}_u"], out[f"{name}_z"] = v, unk, nil
        elif kind == "str":
            t_txt = PT()
            v = text_codes(gen, x.v, unk, nil) if x.kind == "str" else np.full(n, nc, dtype=np.int64)
            PART_TIME["texts"] += PT() - t_txt
            out[f"{name}_v"], out[f"{name}_u"], out[f"{name}_z"] = v, unk, nil
        elif kind == "dur":
            v, dd = (x.v, x.d) if x.kind == "dur" else (np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int64))
            out[f"{name}_v"], out[f"{name}_d"], out[f"{name}_u"], out[f"{name}_z"] = v, dd, unk, nil
        elif kind in ("strlist", "coll"):
            t_list = PT()
            vals = x.v
            ids = np.fromiter(map(id, vals), np.int64, n)
            uniq, first, inv = np.unique(ids, return_index=True, return_inverse=True)
            reps = vals[first]
            lens = np.array([len(r) if isinstance(r, list) else 0 for r in reps], dtype=np.int64)
            lengths = lens[inv]
            off = np.zeros(n + 1, dtype=np.int64)
            np.cumsum(lengths, out=off[1:])
            roff = np.zeros(len(reps) + 1, dtype=np.int64)
            np.cumsum(lens, out=roff[1:])
            # each row's items: its list's items, gathered (one flat index per item)
            starts = np.repeat(roff[:-1][inv] - off[:-1], lengths) + np.arange(off[-1])
            out[f"{name}_u"], out[f"{name}_z"], out[f"{name}_off"] = unk, nil, off
            items = [it for r in reps if isinstance(r, list) for it in r]
            if kind == "strlist":
                flat = text_codes(gen, np.array(items, dtype=object), np.zeros(len(items), bool),
                                  np.zeros(len(items), bool))
                out[f"{name}_flat"] = flat[starts] if len(starts) else np.zeros(0, dtype=np.int64)
            else:
                for key in gen.colls[path]:
                    ik = ITEM_KINDS[(path, key)]
                    raw = [it.get(key, UNKNOWN) if isinstance(it, dict) else UNKNOWN for it in items]
                    u = np.array([r is UNKNOWN or r is None for r in raw], dtype=bool)
                    if ik == "str":
                        arr = np.empty(len(raw), dtype=object)
                        arr[:] = raw
                        v = text_codes(gen, arr, u, np.zeros(len(raw), bool))
                    elif ik == "date":
                        v = np.array([to_days(r) if isinstance(r, date) else 0 for r in raw], dtype=np.int64)
                    else:
                        v = np.array([bool(r) if isinstance(r, bool) else False for r in raw], dtype=bool)
                    out[f"{name}__{key}_v"] = v[starts] if len(starts) else v[:0]
                    out[f"{name}__{key}_u"] = u[starts] if len(starts) else u[:0]
            LIST_TIME[0] += PT() - t_list
    t_txt = PT()
    if gen.uses_state:
        st = ctx.state
        su, sz = np.ascontiguousarray(st.unk), np.ascontiguousarray(st.nil)
        out["ST_v"] = text_codes(gen, st.v, su, sz) if st.kind == "str" else np.full(n, nc, dtype=np.int64)
        out["ST_u"], out["ST_z"] = su, sz
    t_look = PT()
    PART_TIME["texts"] += t_look - t_txt
    for (fname, shape), nm in gen.lookups.items():
        x = prog.lookup(ctx, fname, prog.book.scope.functions[fname], shape)
        out[f"{nm}_v"], out[f"{nm}_u"] = x.v, x.unk
    PART_TIME["lookups"] += PT() - t_look
    sets = np.zeros((max(1, len(gen.sets)), nc + 1), dtype=bool)
    for s, members in enumerate(gen.sets):
        sets[s, list(members)] = True
    out["SETS"] = sets
    return out


def run_kernel(kernel, gen, args, ncond, ctx, prog):
    n = ctx.n
    a = prepare(gen, args, ctx.facts, ctx.as_of, n, ctx, prog)
    a["out_eff"] = np.empty((n, ncond), dtype=np.int8)
    a["out_on"] = np.empty((n, ncond), dtype=bool)
    a["out_date"] = np.empty((n, ncond), dtype=np.int64)
    a["out_miss"] = np.empty((n, ncond), dtype=np.uint64)
    a["flags"] = np.zeros(2, dtype=np.int64)
    kernel(*[a[k] for k in args])
    return a


# --- the numpy path over the same batch ---------------------------------------------------------

def batch_ctx(prog, cap):
    """A fresh batch of the procedure's rows (as _run_procedure_on makes it)."""
    from lexquery.columnar.compile import Ctx, TakenFacts
    from lexquery.columnar.compile_rows import _none_state
    facts, as_of_all, nb, idx, as_of_rows, st, codes = cap
    base = Ctx(nb, facts, as_of_all, _none_state(nb), prog)
    ctx = Ctx(len(idx), TakenFacts(facts, idx), as_of_rows, st, prog)
    ctx._codes = codes
    ctx.derived_from = (base, idx)
    return ctx


def numpy_conds(prog, cap, pid, clear=True):
    """The procedure's conditions (its own, then its routes') by the numpy closures over a fresh
    batch: derived values computed here (as the first evaluation does), memos of the batch cleared."""
    from lexquery.columnar import origins
    from lexquery.columnar.compile import Ctx, TakenFacts, clear_batch_memos
    from lexquery.columnar.compile_rows import _none_state
    facts, as_of_all, nb, idx, as_of_rows, st, codes = cap
    if clear:
        origins.clear()
        clear_batch_memos()
    base = Ctx(nb, facts, as_of_all, _none_state(nb), prog)
    ctx = Ctx(len(idx), TakenFacts(facts, idx), as_of_rows, st, prog)
    ctx._codes = codes
    ctx.derived_from = (base, idx)
    cp = prog.procs[pid]
    ctx.conds, ctx.cond_fns = {}, cp["index"]
    for f in cp["conds"] + [f for rc in cp["routes"] for f in rc["conds"]]:
        f(ctx)
    return ctx


def compare(ctx, a, ok, gen):
    """Row-for-row differences: {cid: {what: rows}}."""
    from lexquery.columnar.compile_conditions import shared
    n = ctx.n
    diffs = {}
    for s, cid in enumerate(ok):
        c = ctx.conds.get(cid)
        if c is None:   # not evaluated by this batch
            continue
        d = {}
        e = np.asarray(c.eff) != a["out_eff"][:, s]
        if e.any():
            d["eff"] = int(e.sum())
        on = np.broadcast_to(np.asarray(c.on), (n,))
        o = on != a["out_on"][:, s]
        if o.any():
            d["on"] = int(o.sum())
        dt = np.broadcast_to(np.asarray(c.date), (n,)) != a["out_date"][:, s]
        if dt.any():
            d["date"] = int(dt.sum())
        bits = a["out_miss"][:, s]
        for path, b in gen.bits.items():
            mine = ((bits >> np.uint64(b)) & np.uint64(1)).astype(bool)
            theirs = c.miss.get(path)
            theirs = np.zeros(n, dtype=bool) if theirs is None else np.broadcast_to(theirs, (n,))
            x = mine != theirs
            if x.any():
                d[f"miss:{path}"] = int(x.sum())
        extra = set(c.miss) - set(gen.bits)
        for path in extra:
            if np.asarray(c.miss[path]).any():
                d[f"miss (no bit): {path}"] = int(np.asarray(c.miss[path]).sum())
        if d:
            diffs[cid] = d
    return diffs


def bits_to_dicts(a, ok, gen):
    """What a real implementation would hand on: per condition a dict path -> mask (the
    ``CondV.miss`` form), from the bitsets (timed apart: the cost of keeping today's interface)."""
    out = []
    m = a["out_miss"]
    for s in range(len(ok)):
        col = m[:, s]
        any_bits = np.bitwise_or.reduce(col) if len(col) else np.uint64(0)
        d = {}
        if any_bits:
            for path, b in gen.bits.items():
                if int(any_bits) >> b & 1:
                    d[path] = ((col >> np.uint64(b)) & np.uint64(1)).astype(bool)
        out.append(d)
    return out


def calls_by_site(prog, frame):
    """How many evaluations of a procedure a run makes, by caller, over how many rows, and their CPU
    (``eval_on`` whole: conditions and settling): the reruns' and trials' batches are many and small,
    where a call's fixed cost counts."""
    from collections import defaultdict
    from lexquery.columnar.program import Program
    orig = Program.eval_on
    stats = defaultdict(lambda: [0, 0, 0.0, []])
    depth = [0]
    site_of = {"_run_procedure_on": "first evaluation", "_settle_in_time": "in time (a later day)",
               "rerun": "verify's reruns", "_trial_batch": "the proof's trials"}

    def eval_on(self, ctx, pid, outcome_only=False):
        f = sys._getframe(2)   # eval_on <- eval_proc <- the caller
        site = site_of.get(f.f_code.co_name, f.f_code.co_name)
        depth[0] += 1
        c = PT()
        try:
            return orig(self, ctx, pid, outcome_only)
        finally:
            dt = PT() - c
            depth[0] -= 1
            st = stats[site]
            st[0] += 1
            st[1] += ctx.n
            st[2] += dt   # nested calls (in time inside a rerun) counted in both
            st[3].append(ctx.n)
    Program.eval_on = eval_on
    c = PT()
    try:
        prog.run(frame)
    finally:
        Program.eval_on = orig
    print(f"Program.run {frame.height} cases, eval_on wrapped: {PT() - c:.2f} s CPU; load {os.getloadavg()}")
    for site, (k, rows, t, sizes) in stats.items():
        sz = np.array(sizes)
        print(f"  {site}: {k} calls, {rows} rows (median {int(np.median(sz))}, "
              f"{int((sz < 1000).sum())} calls under 1,000 rows), {t:.2f} s CPU ({t / k * 1e3:.1f} ms a call)")


def reruns_compared(prog, frame, pid, kernel, gen, args, ok):
    """The kernel on every other evaluation of the procedure in a run — verify's reruns (per-row
    overrides of reference facts: the look-ups read them), the proof's trials (facts set to the
    values tried), the in-time reruns (a later day) — against the conditions the numpy closures left
    in that batch (given ones included: ``ctx.seed``, taken from the first evaluation)."""
    from lexquery.columnar.program import Program
    orig = Program.eval_on
    seen = []

    def eval_on(self, ctx, p_id, outcome_only=False):
        out = orig(self, ctx, p_id, outcome_only)
        if p_id == pid:
            site = sys._getframe(2).f_code.co_name
            if site != "_run_procedure_on":
                seen.append((site, ctx))
        return out
    Program.eval_on = eval_on
    try:
        prog.run(frame)
    finally:
        Program.eval_on = orig
    tot, rows, by = {}, {}, {}
    for site, ctx in seen:
        k = run_kernel(kernel, gen, args, len(ok), ctx, prog)
        rows[site] = rows.get(site, 0) + ctx.n
        by[site] = by.get(site, 0) + 1
        for cid, d in compare(ctx, k, ok, gen).items():
            for what, cnt in d.items():
                tot[(site, cid, what)] = tot.get((site, cid, what), 0) + cnt
    print(f"{pid}'s other evaluations: {by} calls, {rows} rows; differences: {tot or 'none'}")


def check_dates(mod):
    """The generated module's scalar date helpers against lexquery.columnar.vdates (itself checked
    exhaustively against lexquery.dates): every day of 1900-01-01 .. 2199-12-31, every shift of
    -600 .. +600 months; fraction points on random spans."""
    from datetime import date
    from numba import njit
    from lexquery.columnar import vdates
    add = mod.add_months
    fp = mod.fraction_point

    @njit
    def shift_all(days, m, out):
        for i in range(len(days)):
            out[i] = add(days[i], m)

    @njit
    def fp_all(s, e, num, den, out):
        for i in range(len(s)):
            out[i] = fp(s[i], e[i], num[i], den[i])
    days = np.arange(vdates.to_days(date(1900, 1, 1)), vdates.to_days(date(2200, 1, 1)), dtype=np.int64)
    out = np.empty_like(days)
    bad = 0
    c = PT()
    for m in range(-600, 601):
        shift_all(days, m, out)
        bad += int((out != vdates.add_months(days, m)).sum())
    rng = np.random.default_rng(0)
    s = rng.integers(-25000, 80000, 2_000_000)
    e = s + rng.integers(-400, 20000, len(s))
    num = rng.integers(1, 5, len(s))
    den = num + rng.integers(0, 4, len(s))
    o = np.empty_like(s)
    fp_all(s, e, num, den, o)
    bad_fp = int((o != vdates.fraction_point(s, e, num, den)).sum())
    print(f"date helpers: add_months over {len(days)} days x 1201 shifts: {bad} differences; fraction_point "
          f"over {len(s)} random spans: {bad_fp} differences ({PT() - c:.1f} s)")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("n", type=int, nargs="?", default=100_000)
    ap.add_argument("--blank", type=float, default=0.0)
    ap.add_argument("--pid", default="lc_expulsion")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--cache", action="store_true", help="numba cache=True (NUMBA_CACHE_DIR or __pycache__ by the source)")
    ap.add_argument("--compile-only", action="store_true", help="generate and compile the kernel, time it, stop")
    ap.add_argument("--check-dates", action="store_true",
                    help="the kernel's add_months / fraction_point against vdates, every day 1900-2199 x -600..600 months")
    ap.add_argument("--calls", action="store_true",
                    help="count Program.eval_on's calls by caller (first evaluation, in-time, verify, prove): rows, CPU")
    ap.add_argument("--reruns", action="store_true",
                    help="also compare the kernel on the procedure's other evaluations (verify's reruns, the "
                         "proof's trials, in-time reruns): their batches as the program made them")
    ap.add_argument("--gen-only", action="store_true", help="generate the source, say what it covers, stop")
    ap.add_argument("--show", action="store_true", help="print the generated source")
    ap.add_argument("--style", choices=("flat", "branchy"), default="flat",
                    help="flat: every operand evaluated, select instead of branches (default); branchy: "
                         "short-circuits and if as Python branches")
    ap.add_argument("--split", action="store_true", help="a numba function per derived value and condition")
    ap.add_argument("--only", type=int, default=0, help="the first K conditions only (compile time against size)")
    a = ap.parse_args()

    t0 = time.perf_counter()
    c0 = PT()
    import numba  # noqa: F401
    imp = (time.perf_counter() - t0, PT() - c0)
    print(f"import numba {numba.__version__}: {imp[0]:.2f} s wall, {imp[1]:.2f} s CPU; numpy {np.__version__}; "
          f"load {os.getloadavg()}")

    from columnar_helpers import engine, frame_from_cases, synth_cases
    from lexquery.columnar.program import Program, compile_book
    from lexquery.engine.evaluate import cond_index

    eng = engine()
    p = eng.book.procedures[a.pid]
    conds = list(cond_index(p).values())
    if a.only:
        conds = conds[:a.only]
    gen = (FlatGen if a.style == "flat" else Gen)(eng.book)
    src, ok, left, args = gen.kernel(conds, a.cache, a.split)
    print(f"{a.pid}: {len(conds)} conditions, {len(ok)} compiled into one kernel, left out: {left}; "
          f"{len(gen.bits)} missing-fact bits, {len(src.splitlines())} generated lines")
    if a.show:
        print(src)
    if a.gen_only:
        return
    # the generated module: a file (numba's cache keys on the file of the source)
    gdir = Path(os.environ.get("FUSED_SPIKE_DIR", "/tmp/fused_spike_gen"))
    gdir.mkdir(parents=True, exist_ok=True)
    stem = f"kernel_{a.pid}" + (f"_{a.only}" if a.only else "") + ("_split" if a.split else "") + f"_{a.style}" + ("_cache" if a.cache else "")
    mod_path = gdir / f"{stem}.py"
    if not mod_path.exists() or mod_path.read_text() != src:
        mod_path.write_text(src)
    sys.path.insert(0, str(gdir))
    import importlib
    c0, t0 = PT(), time.perf_counter()
    mod = importlib.import_module(stem)
    # compile with the argument types of a batch: a batch of 2 rows
    small = frame_from_cases(synth_cases(200, 0))
    prog = compile_book(eng.book, eng.ref)
    caps = []
    orig = Program._run_procedure_on

    def hook(self, facts, pp, base_ctx, idx, taken, as_of_rows, st, codes, states, no_cand):
        if pp.id == a.pid:
            caps.append((facts, base_ctx.as_of, base_ctx.n, idx, as_of_rows, st, codes))
        return orig(self, facts, pp, base_ctx, idx, taken, as_of_rows, st, codes, states, no_cand)
    Program._run_procedure_on = hook
    prog.run(small)
    cap = caps.pop()
    ctx = numpy_conds(prog, cap, a.pid)
    c1, t1 = PT(), time.perf_counter()
    run_kernel(mod.kernel, gen, args, len(ok), ctx, prog)
    print(f"kernel import + first call (JIT compile{', cache=True' if a.cache else ', no cache'}): "
          f"{PT() - c0:.2f} s CPU, {time.perf_counter() - t0:.2f} s wall (of which the first call "
          f"{PT() - c1:.2f} s CPU); NUMBA_CACHE_DIR={os.environ.get('NUMBA_CACHE_DIR')}; load {os.getloadavg()}")
    if a.check_dates:
        check_dates(mod)
    if a.compile_only:
        return

    frame = frame_from_cases(synth_cases(a.n, 0, a.blank))
    if a.calls:
        calls_by_site(prog, frame)
    if a.reruns:
        reruns_compared(prog, frame, a.pid, mod.kernel, gen, args, ok)
    caps.clear()
    t = PT()
    prog.run(frame)
    print(f"Program.run {frame.height} cases: {PT() - t:.2f} s CPU; {len(caps)} first evaluations of {a.pid} "
          f"({sum(len(c[3]) for c in caps)} rows); load {os.getloadavg()}")
    Program._run_procedure_on = orig

    # the lists as a reader could give them: offsets and codes from the frame's list columns
    # (polars), not from the Python lists of facts_from_frame
    import polars as pl
    codes = dict(gen.strings)
    nc = len(codes)
    for r in range(3):
        c = PT()
        for start in range(0, frame.height, 10_000):
            sub = frame[start:start + 10_000]
            for col in ("nationalities", "removal_kinds"):
                ser = sub.get_column(col)
                lens = ser.list.len().fill_null(0).to_numpy().astype(np.int64)
                off = np.zeros(len(lens) + 1, np.int64)
                np.cumsum(lens, out=off[1:])
                ser.explode(empty_as_null=True).drop_nulls().replace_strict(codes, default=nc, return_dtype=pl.Int64).to_numpy()
        print(f"lists as offsets + codes from the frame's list columns (nationalities, removal_kinds), "
              f"batches of 10,000: {PT() - c:.3f} s CPU")

    # correctness, batch by batch
    total = {}
    rows = 0
    flags = np.zeros(2, dtype=np.int64)
    for cap in caps:
        ctx = numpy_conds(prog, cap, a.pid)
        k = run_kernel(mod.kernel, gen, args, len(ok), ctx, prog)
        flags += k["flags"]
        rows += ctx.n
        for cid, d in compare(ctx, k, ok, gen).items():
            for what, cnt in d.items():
                total[(cid, what)] = total.get((cid, what), 0) + cnt
    print(f"compared {rows} rows × {len(ok)} conditions (eff, on, date, missing bits): "
          f"{'no difference' if not total else total}; flags (fraction_point of none, items past "
          f"{ITEM_SLOTS}): {flags.tolist()}")

    # timing, alternated
    from lexquery.columnar import origins
    from lexquery.columnar.compile import TakenFacts
    res = {"numpy": [], "prep": [], "kernel": [], "bits->dicts": []}
    for r in range(a.reps):
        tn = 0.0
        for cap in caps:
            c = PT()
            numpy_conds(prog, cap, a.pid)
            tn += PT() - c
        res["numpy"].append(tn)
        tp = tk = tb = 0.0
        LIST_TIME[0] = 0.0
        PART_TIME.update(texts=0.0, lookups=0.0)
        for cap in caps:
            facts, as_of_all, nb, idx, as_of_rows, st, codes = cap
            origins.clear()
            c = PT()
            bctx = batch_ctx(prog, cap)
            pre = prepare(gen, args, bctx.facts, bctx.as_of, bctx.n, bctx, prog)
            tp += PT() - c
            m = len(idx)
            pre["out_eff"] = np.empty((m, len(ok)), dtype=np.int8)
            pre["out_on"] = np.empty((m, len(ok)), dtype=bool)
            pre["out_date"] = np.empty((m, len(ok)), dtype=np.int64)
            pre["out_miss"] = np.empty((m, len(ok)), dtype=np.uint64)
            pre["flags"] = np.zeros(2, dtype=np.int64)
            c = PT()
            mod.kernel(*[pre[k] for k in args])
            tk += PT() - c
            c = PT()
            bits_to_dicts(pre, ok, gen)
            tb += PT() - c
        res["prep"].append(tp)
        res["kernel"].append(tk)
        res["bits->dicts"].append(tb)
        print(f"round {r + 1}: numpy {tn:.3f} s | kernel: inputs {tp:.3f} (lists {LIST_TIME[0]:.3f}, texts {PART_TIME['texts']:.3f}, look-ups {PART_TIME['lookups']:.3f}) + kernel {tk:.3f} + bits->dicts {tb:.3f} "
              f"= {tp + tk + tb:.3f} s CPU; load {os.getloadavg()}")
    # the fixed cost of a call (verify's reruns and the proof's trials are many small batches):
    # the kernel on 0 and on 100 rows of the last batch, the inputs of 100 rows
    f_, a_, nb_, idx_, ar_, st_, cd_ = caps[-1]
    small_cap = (f_, a_, nb_, idx_[:100], ar_[:100], st_.take(np.arange(100)), (cd_[0][:100], cd_[1]))
    sctx = batch_ctx(prog, small_cap)
    pre = prepare(gen, args, sctx.facts, sctx.as_of, 100, sctx, prog)
    for nn in (0, 100):
        pre["n"] = nn
        for k, shape in (("out_eff", np.int8), ("out_on", bool), ("out_date", np.int64), ("out_miss", np.uint64)):
            pre[k] = np.empty((100, len(ok)), dtype=shape)
        pre["flags"] = np.zeros(2, dtype=np.int64)
        call = [pre[k] for k in args]
        c = PT()
        for _ in range(2000):
            mod.kernel(*call)
        print(f"a call of the kernel on {nn} rows ({len(args)} arguments): {(PT() - c) / 2000 * 1e6:.1f} µs CPU")
    c = PT()
    for _ in range(200):
        origins.clear()
        sctx = batch_ctx(prog, small_cap)
        prepare(gen, args, sctx.facts, sctx.as_of, 100, sctx, prog)
    print(f"the inputs of 100 rows (prepare): {(PT() - c) / 200 * 1e6:.0f} µs CPU")
    c = PT()
    for _ in range(50):
        numpy_conds(prog, small_cap, a.pid)
    print(f"the numpy closures on 100 rows (the same conditions), the batch's memos cleared: "
          f"{(PT() - c) / 50 * 1e6:.0f} µs CPU")
    numpy_conds(prog, small_cap, a.pid, clear=False)
    c = PT()
    for _ in range(50):
        numpy_conds(prog, small_cap, a.pid, clear=False)
    print(f"the same, the memos of the batch's columns kept (lists' layouts, memberships): "
          f"{(PT() - c) / 50 * 1e6:.0f} µs CPU; load {os.getloadavg()}")
    best = {k: min(v) for k, v in res.items()}
    fused = best["prep"] + best["kernel"] + best["bits->dicts"]
    print(f"best of {a.reps}: numpy {best['numpy']:.3f} s, fused {fused:.3f} s "
          f"(kernel alone {best['kernel']:.4f}) for {rows} rows: {best['numpy'] / fused:.1f}x "
          f"({best['numpy'] / max(best['kernel'], 1e-9):.0f}x on the kernel alone)")


if __name__ == "__main__":
    main()
