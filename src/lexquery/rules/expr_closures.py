"""Compile rule expressions (grammar: ``expr.lark``) into Python closures.

A rule file is parsed and compiled once; each compiled expression is a function
``f(env) -> value`` over a case environment (:class:`lexquery.engine.env.Env`).
Python supplies only generic operations here — comparison, membership, date
arithmetic (CPP 716-1), three-valued logic — never a legal quantity: fractions,
thresholds, lists of measures and States live in the rule files with their
citations (see rules/README.md).
"""
from __future__ import annotations

from ..dates import parse_date, parse_duration
from ..errors import RuleError
from .expr_parse import parse_expr
from .expr_scope import CASE_ROOTS, CONTEXT_ROOTS, Compiled, Scope
from .expr_tree import Node
from .values import UNKNOWN, and3, arith3, not3, or3


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


def compile_expr(text, scope: Scope, where: str) -> Compiled:
    """Parse and compile ``text``; errors name the rule file/condition in ``where``."""
    if isinstance(text, bool):
        v = text
        return Compiled(lambda env: v, str(text).lower())
    if not isinstance(text, str):
        raise RuleError(f"expression attendue, trouvé {type(text).__name__}", where=where)
    tree = parse_expr(text, where)
    c = Compiled(None, text)
    c.fn = _Compiler(scope, where, c).build(tree)
    return c


class _Compiler:
    def __init__(self, scope: Scope, where: str, out: Compiled):
        self.scope, self.where, self.out = scope, where, out

    def err(self, msg, hint=None):
        raise RuleError(msg, where=f"{self.where}: {self.out.text}", hint=hint)

    def build(self, t):
        if isinstance(t, str):   # a token (expr_tree: its text)
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
    def _logic(self, t, settle: bool):
        """``or`` (``settle`` True) / ``and`` (False), Kleene's: an operand equal to ``settle``
        settles the result, and the facts the unknown operands read are then not missing."""
        parts = [self.build(c) for c in t.children]

        def f(env):
            saved = env.missing
            env.missing = cur = set()
            unknown = False
            for p in parts:
                v = p(env)
                if v is UNKNOWN:
                    unknown = True
                elif (not v) is not settle:
                    env.missing = saved  # settled: the unknown operands cannot change it
                    return settle
            env.missing = saved
            if unknown:
                saved |= cur
                return UNKNOWN
            return not settle
        return f

    def t_or(self, t):
        return self._logic(t, True)

    def t_and(self, t):
        return self._logic(t, False)

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
        where = self.where
        return lambda env: arith3(a(env), b(env), sign, where)

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
            coll_name = ".".join(str(n) for n in args[0].children) if isinstance(args[0], Node) and args[0].data == "path" else "it"

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

