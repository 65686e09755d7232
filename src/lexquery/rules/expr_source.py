"""Rule expressions compiled once more, to Python source (batches: ``lexquery screen``).

The closures of :mod:`.expr_closures` evaluate one node per call. For batches the same
parse tree is also translated into the source of one Python function per expression and
compiled with ``compile()``: the same operations in the same order (so the same missing
facts and the same evidence), without a call per node. Generated from the rule files,
never written by hand; tests/test_screen_fast.py compares both forms.
"""
from __future__ import annotations

from ..dates import parse_date, parse_duration
from .expr_parse import TREES
from .expr_scope import CASE_ROOTS, Compiled, Scope
from .expr_tree import Node
from .values import UNKNOWN, and3, arith3, or3

_CMP = {"==": "==", "!=": "!=", "<=": "<=", ">=": ">=", "<": "<", ">": ">"}


class Source:
    """Translate one parse tree into the statements of ``def _expr(env)``."""

    def __init__(self, scope: Scope, where: str):
        self.scope, self.where = scope, where
        self.ns = {"UNKNOWN": UNKNOWN, "_or3": or3, "_and3": and3, "_arith": arith3,
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
                if isinstance(args[0], Node) and args[0].data == "path" else "it"
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
    g = Source(scope, where)
    g.emit(1, "pass")
    result = g.node(tree, 1)
    g.emit(1, f"return {result}")
    src = "def _expr(env):\n" + "\n".join(g.lines) + "\n"
    code = compile(src, f"<rule {where}: {c.text}>", "exec")
    exec(code, g.ns)
    fn = g.ns["_expr"]
    fn.source = src
    return fn
