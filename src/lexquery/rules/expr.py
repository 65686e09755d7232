"""Compile rule expressions (grammar: ``expr.lark``) into Python closures.

A rule file is parsed and compiled once; each compiled expression is a function
``f(env) -> value`` over a case environment (:class:`lexquery.engine.env.Env`).
Python supplies only generic operations here — comparison, membership, date
arithmetic (CPP 716-1), three-valued logic — never a legal quantity: fractions,
thresholds, lists of measures and States live in the rule files with their
citations (see rules/README.md).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from typing import Callable

from lark import Lark, Token, Tree
from lark.exceptions import LarkError, UnexpectedInput

from ..dates import Duration, add_duration, add_months, fraction_point, parse_date, parse_duration
from ..errors import RuleError
from .values import UNKNOWN, and3, not3, or3

_PARSER = None
TREES: dict = {}   # expression text → parse tree; persisted by the loader's cache


def parser() -> Lark:
    global _PARSER
    if _PARSER is None:
        grammar = resources.files(__package__).joinpath("expr.lark").read_text(encoding="utf-8")
        opts = dict(parser="lalr", propagate_positions=True, maybe_placeholders=False)
        cache = _parser_cache_file()
        try:  # lark stores the built tables keyed by the grammar's hash: ~100 ms saved per process
            _PARSER = Lark(grammar, cache=str(cache) if cache else False, **opts)
        except OSError:  # read-only or broken cache: build in memory
            _PARSER = Lark(grammar, **opts)
    return _PARSER


def _parser_cache_file():
    from ..paths import cache_dir
    d = cache_dir()
    try:
        d.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return d / "expr-lalr.cache"


# Roots a path may start with: the case's facts and the evaluation context.
CASE_ROOTS = {"person", "detention", "sentence", "removal_measures", "consent",
              "dual_criminality", "receiving_state", "identification", "extensions"}
CONTEXT_ROOTS = {"state", "as_of", "it", "cond", "from_date"}


@dataclass
class Compiled:
    """A compiled expression: the closure, its source text and the fact paths it reads."""
    fn: Callable
    text: str
    facts: set[str] = field(default_factory=set)
    names: set[str] = field(default_factory=set)      # constants / derived names used
    conds: set[str] = field(default_factory=set)      # condition ids referenced (cond.x)
    context: set[str] = field(default_factory=set)    # evaluation context read (state, as_of, from_date)

    def __call__(self, env):
        return self.fn(env)


def _fact_getter(keys: tuple, dotted: str):
    """A closure reading one fact path of the case (what ``Env.fact`` does, without its frame):
    an absent key is UNKNOWN and the path is recorded as missing."""
    if len(keys) == 1:
        k0, = keys

        def f(env):
            v = env.case.get(k0, UNKNOWN)
            if v is UNKNOWN:
                env.missing.add(dotted)
            return v
        return f
    if len(keys) == 2:
        k0, k1 = keys

        def f(env):
            v = env.case.get(k0)
            if isinstance(v, dict) and k1 in v:
                return v[k1]
            env.missing.add(dotted)
            return UNKNOWN
        return f
    return lambda env: env.fact(keys, dotted)


class Scope:
    """What names an expression may use: constants, derived values, functions."""

    def __init__(self, constants: dict, derived: set[str], functions: dict[str, Callable]):
        self.constants = constants
        self.derived = derived
        self.functions = functions


def compile_expr(text, scope: Scope, where: str) -> Compiled:
    """Parse and compile ``text``; errors name the rule file/condition in ``where``."""
    if isinstance(text, bool):
        v = text
        return Compiled(lambda env: v, str(text).lower())
    if not isinstance(text, str):
        raise RuleError(f"expression attendue, trouvé {type(text).__name__}", where=where)
    tree = TREES.get(text)
    try:
        if tree is None:
            tree = TREES[text] = parser().parse(text)
    except UnexpectedInput as e:
        col = getattr(e, "column", -1)
        pointer = f"\n      {text}\n      {' ' * max(col - 1, 0)}^" if col and col > 0 else ""
        raise RuleError(f"expression illisible : {text!r}{pointer}", where=where,
                        expected="une expression du langage des règles (rules/README.md)") from None
    except LarkError as e:  # pragma: no cover - defensive
        raise RuleError(f"expression illisible : {text!r} ({e})", where=where) from None
    c = Compiled(None, text)
    c.fn = _Compiler(scope, where, c).build(tree)
    return c


class _Compiler:
    def __init__(self, scope: Scope, where: str, out: Compiled):
        self.scope, self.where, self.out = scope, where, out

    def err(self, msg, hint=None):
        raise RuleError(msg, where=f"{self.where}: {self.out.text}", hint=hint)

    def build(self, t):
        if isinstance(t, Token):
            raise RuleError(f"jeton inattendu {t!r}", where=self.where)
        meth = getattr(self, "t_" + t.data.rstrip("_"), None)
        if meth is None:  # pragma: no cover
            self.err(f"construction non prise en charge : {t.data}")
        return meth(t)

    # -- literals
    def t_date(self, t):
        v = parse_date(str(t.children[0]))
        return lambda env: v

    def t_duration(self, t):
        v = parse_duration(str(t.children[0]))
        return lambda env: v

    def t_int(self, t):
        v = int(t.children[0])
        return lambda env: v

    def t_string(self, t):
        v = str(t.children[0])[1:-1]
        return lambda env: v

    def t_true(self, t):
        return lambda env: True

    def t_false(self, t):
        return lambda env: False

    def t_none(self, t):
        return lambda env: None

    def t_list(self, t):
        items = [self.build(c) for c in t.children]
        return lambda env: [f(env) for f in items]

    # -- logic
    def t_or(self, t):
        parts = [self.build(c) for c in t.children]

        def f(env):
            saved = env.missing
            env.missing = cur = set()
            unknown = False
            for p in parts:
                v = p(env)
                if v is UNKNOWN:
                    unknown = True
                elif v:
                    env.missing = saved  # settled: the unknown operands cannot change it
                    return True
            env.missing = saved
            if unknown:
                saved |= cur
                return UNKNOWN
            return False
        return f

    def t_and(self, t):
        parts = [self.build(c) for c in t.children]

        def f(env):
            saved = env.missing
            env.missing = cur = set()
            unknown = False
            for p in parts:
                v = p(env)
                if v is UNKNOWN:
                    unknown = True
                elif not v:
                    env.missing = saved  # settled: the unknown operands cannot change it
                    return False
            env.missing = saved
            if unknown:
                saved |= cur
                return UNKNOWN
            return True
        return f

    def t_not(self, t):
        inner = self.build(t.children[0])
        return lambda env: not3(inner(env))

    def t_compare(self, t):
        a, op, b = self.build(t.children[0]), str(t.children[1]), self.build(t.children[2])
        import operator
        o = {"==": operator.eq, "!=": operator.ne, "<=": operator.le,
             ">=": operator.ge, "<": operator.lt, ">": operator.gt}[op]
        ordering = op not in ("==", "!=")

        def f(env):
            x, y = a(env), b(env)
            if x is UNKNOWN or y is UNKNOWN:
                return UNKNOWN
            if ordering and (x is None or y is None):
                return False
            return o(x, y)
        return f

    def t_in(self, t):
        a, b = self.build(t.children[0]), self.build(t.children[1])

        def f(env):
            x, y = a(env), b(env)
            if x is UNKNOWN or y is UNKNOWN:
                return UNKNOWN
            if y is None:
                return False
            return x in y
        return f

    def t_not_in(self, t):
        f_in = self.t_in(t)
        return lambda env: not3(f_in(env))

    def t_add(self, t):
        return self._arith(t, 1)

    def t_sub(self, t):
        return self._arith(t, -1)

    def _arith(self, t, sign):
        a, b = self.build(t.children[0]), self.build(t.children[1])

        def f(env):
            x, y = a(env), b(env)
            if x is UNKNOWN or y is UNKNOWN:
                return UNKNOWN
            if x is None or y is None:
                return None
            if isinstance(x, date) and isinstance(y, Duration):
                return add_duration(x, y, sign)
            if isinstance(x, int) and isinstance(y, int):
                return x + sign * y
            raise RuleError(f"opération impossible entre {x!r} et {y!r}", where=self.where)
        return f

    # -- names
    def t_path(self, t):
        names = [str(n) for n in t.children]
        root = names[0]
        if root in CASE_ROOTS:
            dotted = ".".join(names)
            self.out.facts.add(dotted)
            keys = tuple(names)
            return _fact_getter(keys, dotted)
        if root == "it":
            keys = tuple(names[1:])
            return lambda env: env.item(keys)
        if root == "cond":
            if len(names) != 2:
                self.err("cond.<id> attendu")
            cid = names[1]
            self.out.conds.add(cid)
            return lambda env: env.cond(cid)
        if root in ("state", "as_of", "from_date"):
            if len(names) != 1:
                self.err(f"{root} n'a pas de champ")
            self.out.context.add(root)
            return lambda env: getattr(env, root)
        if root in self.scope.constants:
            if len(names) != 1:
                self.err(f"la constante {root} n'a pas de champ")
            self.out.names.add(root)
            v = self.scope.constants[root]
            return lambda env: v
        if root in self.scope.derived:
            self.out.names.add(root)
            return lambda env: env.derived(root)
        import difflib
        known = sorted(CASE_ROOTS | CONTEXT_ROOTS | set(self.scope.constants) | set(self.scope.derived))
        close = difflib.get_close_matches(root, known, n=1)
        self.err(f"nom inconnu « {root} »",
                 hint=f"vouliez-vous dire « {close[0]} » ?" if close else "déclarez-le dans constants: ou derived:")

    def t_call(self, t):
        name = str(t.children[0])
        args = t.children[1:]
        if name in ("exists", "all"):
            if len(args) != 2:
                self.err(f"{name}(collection, condition) attend deux arguments")
            coll, body = self.build(args[0]), self.build(args[1])
            want_any = name == "exists"
            coll_name = ".".join(str(n) for n in args[0].children) if isinstance(args[0], Tree) and args[0].data == "path" else "it"

            def f(env):
                items = coll(env)
                if items is UNKNOWN:
                    return UNKNOWN
                results = []
                saved = env.missing
                env.missing = cur = set()
                for i, item in enumerate(items or []):
                    env.push_item(item, i, coll_name)
                    try:
                        results.append(body(env))
                    finally:
                        env.pop_item()
                env.missing = saved
                v = or3(results) if want_any else and3(results)
                if v is UNKNOWN:  # else settled: the unknown items cannot change it
                    saved |= cur
                return v
            return f
        if name == "if":
            if len(args) != 3:
                self.err("if(condition, alors, sinon) attend trois arguments")
            c, a, b = (self.build(x) for x in args)

            def f(env):
                v = c(env)
                if v is UNKNOWN:
                    return UNKNOWN
                return a(env) if v else b(env)
            return f
        if name == "known":
            inner = self.build(args[0])

            def f(env):  # true or false, never unknown: what it reads is not missing
                saved = env.missing
                env.missing = set()
                v = inner(env)
                env.missing = saved
                return v is not UNKNOWN
            return f
        fn = self.scope.functions.get(name)
        if fn is None:
            import difflib
            close = difflib.get_close_matches(name, list(self.scope.functions) + ["exists", "all", "if", "known"], n=1)
            self.err(f"fonction inconnue « {name} »", hint=f"vouliez-vous dire « {close[0]} » ?" if close else None)
        parts = [self.build(a) for a in args]
        if len(parts) == 1:
            p0, = parts
            return lambda env: fn(env, p0(env))
        if len(parts) == 2:
            p0, p1 = parts
            return lambda env: fn(env, p0(env), p1(env))
        return lambda env: fn(env, *[p(env) for p in parts])


# --- compiled once more, to Python source --------------------------------------------------
# The closures above evaluate one node per call. For batches (``lexquery screen``) the same
# parse tree is also translated into the source of one Python function per expression and
# compiled with ``compile()``: the same operations in the same order (so the same missing
# facts and the same evidence), without a call per node. Generated from the rule files,
# never written by hand; tests/test_screen_fast.py compares both forms.

def _arith_op(x, y, sign, where):
    if x is UNKNOWN or y is UNKNOWN:
        return UNKNOWN
    if x is None or y is None:
        return None
    if isinstance(x, date) and isinstance(y, Duration):
        return add_duration(x, y, sign)
    if isinstance(x, int) and isinstance(y, int):
        return x + sign * y
    raise RuleError(f"opération impossible entre {x!r} et {y!r}", where=where)


_CMP = {"==": "==", "!=": "!=", "<=": "<=", ">=": ">=", "<": "<", ">": ">"}


class _Source:
    """Translate one parse tree into the statements of ``def _expr(env)``."""

    def __init__(self, scope: Scope, where: str):
        self.scope, self.where = scope, where
        self.ns = {"UNKNOWN": UNKNOWN, "_or3": or3, "_and3": and3, "_arith": _arith_op,
                   "isinstance": isinstance, "dict": dict, "enumerate": enumerate}
        self.lines: list[str] = []
        self.n = 0

    def var(self):
        self.n += 1
        return f"v{self.n}"

    @staticmethod
    def unk(x):
        """``x is UNKNOWN`` — statically false for a literal or a constant."""
        return f"{x} is UNKNOWN" if x.startswith("v") else "False"

    @staticmethod
    def known(x):
        return f"{x} is not UNKNOWN" if x.startswith("v") else "True"

    @staticmethod
    def none(x):
        return f"{x} is None" if x.startswith(("v", "k")) else str(x == "None")

    def const(self, value):
        if value is None or type(value) in (bool, int, str):
            return repr(value)
        name = f"k{len(self.ns)}"
        self.ns[name] = value
        return name

    def emit(self, ind, line):
        self.lines.append("    " * ind + line)

    def node(self, t, ind) -> str:
        """Emit the statements computing ``t`` at indentation ``ind``; return the variable."""
        kind = t.data.rstrip("_")
        meth = getattr(self, "g_" + kind, None)
        if meth is None:
            raise NotImplementedError(kind)
        return meth(t, ind)

    # literals
    def g_date(self, t, ind):
        return self.const(parse_date(str(t.children[0])))

    def g_duration(self, t, ind):
        return self.const(parse_duration(str(t.children[0])))

    def g_int(self, t, ind):
        return repr(int(t.children[0]))

    def g_string(self, t, ind):
        return repr(str(t.children[0])[1:-1])

    def g_true(self, t, ind):
        return "True"

    def g_false(self, t, ind):
        return "False"

    def g_none(self, t, ind):
        return "None"

    def g_list(self, t, ind):
        items = [self.node(c, ind) for c in t.children]
        v = self.var()
        self.emit(ind, f"{v} = [{', '.join(items)}]")
        return v

    # logic (Kleene, short-circuit exactly like the closures)
    def _logic(self, t, ind, settle):
        v, u = self.var(), self.var()
        sv, ms = self.var(), self.var()
        self.emit(ind, f"{sv} = env.missing")
        self.emit(ind, f"{ms} = env.missing = set()")
        self.emit(ind, f"{u} = False")
        parts = t.children
        depth = ind
        for p in parts:
            a = self.node(p, depth)
            test = f"{self.known(a)} and {a}" if settle else f"{self.known(a)} and not {a}"
            self.emit(depth, f"if {test}:")
            self.emit(depth + 1, f"{v} = {settle}")
            self.emit(depth, "else:")
            depth += 1
            self.emit(depth, f"if {self.unk(a)}:")
            self.emit(depth + 1, f"{u} = True")
        self.emit(depth, f"{v} = UNKNOWN if {u} else {not settle}")
        self.emit(ind, f"env.missing = {sv}")   # a settled result: the unknown operands cannot change it
        self.emit(ind, f"if {v} is UNKNOWN and {ms}:")
        self.emit(ind + 1, f"{sv} |= {ms}")
        return v

    def g_or(self, t, ind):
        return self._logic(t, ind, True)

    def g_and(self, t, ind):
        return self._logic(t, ind, False)

    def g_not(self, t, ind):
        a = self.node(t.children[0], ind)
        v = self.var()
        self.emit(ind, f"{v} = UNKNOWN if {self.unk(a)} else (not {a})")
        return v

    def g_compare(self, t, ind):
        x = self.node(t.children[0], ind)
        op = _CMP[str(t.children[1])]
        y = self.node(t.children[2], ind)
        v = self.var()
        self.emit(ind, f"if {self.unk(x)} or {self.unk(y)}:")
        self.emit(ind + 1, f"{v} = UNKNOWN")
        if op not in ("==", "!="):
            self.emit(ind, f"elif {self.none(x)} or {self.none(y)}:")
            self.emit(ind + 1, f"{v} = False")
        self.emit(ind, "else:")
        self.emit(ind + 1, f"{v} = {x} {op} {y}")
        return v

    def _in(self, t, ind):
        x = self.node(t.children[0], ind)
        y = self.node(t.children[1], ind)
        v = self.var()
        self.emit(ind, f"if {self.unk(x)} or {self.unk(y)}:")
        self.emit(ind + 1, f"{v} = UNKNOWN")
        self.emit(ind, "else:")
        self.emit(ind + 1, f"{v} = False if {self.none(y)} else ({x} in {y})")
        return v

    def g_in(self, t, ind):
        return self._in(t, ind)

    def g_not_in(self, t, ind):
        a = self._in(t, ind)
        v = self.var()
        self.emit(ind, f"{v} = UNKNOWN if {self.unk(a)} else (not {a})")
        return v

    def _arith(self, t, ind, sign):
        x = self.node(t.children[0], ind)
        y = self.node(t.children[1], ind)
        v = self.var()
        self.ns.setdefault("_where", self.where)
        self.emit(ind, f"{v} = _arith({x}, {y}, {sign}, _where)")
        return v

    def g_add(self, t, ind):
        return self._arith(t, ind, 1)

    def g_sub(self, t, ind):
        return self._arith(t, ind, -1)

    # names
    def g_path(self, t, ind):
        names = [str(n) for n in t.children]
        root = names[0]
        v = self.var()
        if root in CASE_ROOTS:
            dotted = repr(".".join(names))
            if len(names) == 1:
                self.emit(ind, f"{v} = env.case.get({names[0]!r}, UNKNOWN)")
                self.emit(ind, f"if {v} is UNKNOWN:")
                self.emit(ind + 1, f"env.missing.add({dotted})")
            elif len(names) == 2:
                self.emit(ind, f"{v} = env.case.get({names[0]!r})")
                self.emit(ind, f"if isinstance({v}, dict) and {names[1]!r} in {v}:")
                self.emit(ind + 1, f"{v} = {v}[{names[1]!r}]")
                self.emit(ind, "else:")
                self.emit(ind + 1, f"env.missing.add({dotted})")
                self.emit(ind + 1, f"{v} = UNKNOWN")
            else:
                self.emit(ind, f"{v} = env.fact({tuple(names)!r}, {dotted})")
        elif root == "it":
            self.emit(ind, f"{v} = env.item({tuple(names[1:])!r})")
        elif root == "cond":
            self.emit(ind, f"{v} = env.cond({names[1]!r})")
        elif root in ("state", "as_of", "from_date"):
            self.emit(ind, f"{v} = env.{root}")
        elif root in self.scope.constants:
            return self.const(self.scope.constants[root])
        elif root in self.scope.derived:
            self.emit(ind, f"{v} = env.derived({root!r})")
        else:  # pragma: no cover - the closure compiler has refused it already
            raise NotImplementedError(root)
        return v

    def g_call(self, t, ind):
        name = str(t.children[0])
        args = t.children[1:]
        v = self.var()
        if name in ("exists", "all"):
            coll = self.node(args[0], ind)
            coll_name = ".".join(str(n) for n in args[0].children) \
                if isinstance(args[0], Tree) and args[0].data == "path" else "it"
            rs, i, item = self.var(), self.var(), self.var()
            sv, ms = self.var(), self.var()
            self.emit(ind, f"if {self.unk(coll)}:")
            self.emit(ind + 1, f"{v} = UNKNOWN")
            self.emit(ind, "else:")
            self.emit(ind + 1, f"{rs} = []")
            self.emit(ind + 1, f"{sv} = env.missing")
            self.emit(ind + 1, f"{ms} = env.missing = set()")
            self.emit(ind + 1, f"for {i}, {item} in enumerate({coll} or []):")
            self.emit(ind + 2, f"env.push_item({item}, {i}, {coll_name!r})")
            self.emit(ind + 2, "try:")
            b = self.node(args[1], ind + 3)
            self.emit(ind + 3, f"{rs}.append({b})")
            self.emit(ind + 2, "finally:")
            self.emit(ind + 3, "env.pop_item()")
            self.emit(ind + 1, f"env.missing = {sv}")
            self.emit(ind + 1, f"{v} = {'_or3' if name == 'exists' else '_and3'}({rs})")
            self.emit(ind + 1, f"if {v} is UNKNOWN and {ms}:")
            self.emit(ind + 2, f"{sv} |= {ms}")
            return v
        if name == "if":
            c = self.node(args[0], ind)
            self.emit(ind, f"if {self.unk(c)}:")
            self.emit(ind + 1, f"{v} = UNKNOWN")
            self.emit(ind, f"elif {c}:")
            a = self.node(args[1], ind + 1)
            self.emit(ind + 1, f"{v} = {a}")
            self.emit(ind, "else:")
            b = self.node(args[2], ind + 1)
            self.emit(ind + 1, f"{v} = {b}")
            return v
        if name == "known":
            sv = self.var()
            self.emit(ind, f"{sv} = env.missing")
            self.emit(ind, "env.missing = set()")
            a = self.node(args[0], ind)
            self.emit(ind, f"env.missing = {sv}")
            self.emit(ind, f"{v} = {self.known(a)}")
            return v
        fn = f"f_{name}"
        self.ns[fn] = self.scope.functions[name]
        vals = [self.node(a, ind) for a in args]
        self.emit(ind, f"{v} = {fn}(env{''.join(', ' + x for x in vals)})")
        return v


def to_source(c: Compiled, scope: Scope, where: str):
    """The function ``env -> value`` of ``c`` compiled from generated Python source, or None
    when the expression has no parse tree (literal booleans)."""
    tree = TREES.get(c.text)
    if tree is None:
        return None
    g = _Source(scope, where)
    g.emit(1, "pass")
    result = g.node(tree, 1)
    g.emit(1, f"return {result}")
    src = "def _expr(env):\n" + "\n".join(g.lines) + "\n"
    code = compile(src, f"<rule {where}: {c.text}>", "exec")
    exec(code, g.ns)
    fn = g.ns["_expr"]
    fn.source = src
    return fn
