"""The conditions of each procedure generated as one Python function (status-only, batches).

:mod:`lexquery.engine.status_only` evaluates a condition by calling its function, which
calls its expression's function. For ``lexquery screen`` the condition list of each
procedure and route is also translated into the source of one function that evaluates
every condition in order, the expressions written inline by
:class:`lexquery.rules.expr_source.Source` — the same operations in the same order, the same
missing facts (``env.missing`` swapped around each condition, merged into the enclosing
one), the same memo for the conditions read as ``cond.<id>``, and the same result tuples
``(status, pending, date, missing, kind)``. Generated from the rule files at run time,
never written by hand; tests/test_screen_fast.py compares the rows with the full answer.
"""
from __future__ import annotations

from ..rules.expr_parse import TREES
from ..rules.expr_scope import CASE_ROOTS, CONTEXT_ROOTS, Compiled
from ..rules.expr_source import Source
from ..rules.model import Condition
from .evaluate import combine

_ABSENT = object()


def _group_missing(status: str, miss: set, ch: list) -> tuple:
    """Missing facts of an ``any_of`` / ``all_of``: when unknown, every fact it and its
    children found unknown; when settled, those of its unknown children (they may still
    change consent or routes)."""
    if status == "unknown":
        miss = set(miss)
        for x in ch:
            if x[3]:
                miss.update(x[3])
        return tuple(sorted(miss))
    u = set()
    for x in ch:
        if x[0] == "unknown" and x[3]:
            u.update(x[3])
    return tuple(sorted(u))


class _ConditionsSource(Source):
    """Translate a list of conditions into the statements of ``def _conds(env)``."""

    def __init__(self, scope, where: str, lazy: set[str]):
        super().__init__(scope, where)
        self.ns.update(ABSENT=_ABSENT, _combine=combine, _group_missing=_group_missing,
                       _sorted=sorted, _tuple=tuple)
        self.lazy = lazy      # condition ids read as cond.<id>: memoised in env.results
        self.k = 0

    def _arith(self, t, ind, sign):  # the rule's own place in error messages
        x = self.node(t.children[0], ind)
        y = self.node(t.children[1], ind)
        v = self.var()
        self.emit(ind, f"{v} = _arith({x}, {y}, {sign}, {self.const(self.where)})")
        return v

    def g_path(self, t, ind):
        """A derived value read from the per-case cache without a call when it is there
        (what ``Env.derived`` does on a hit: its missing facts join the current ones)."""
        root = str(t.children[0])
        if root in CASE_ROOTS or root in CONTEXT_ROOTS or root in self.scope.constants \
                or root not in self.scope.derived:  # the order of Source.g_path
            return super().g_path(t, ind)
        v = self.var()
        self.emit(ind, f"{v} = derived_cache.get({root!r})")
        self.emit(ind, f"if {v} is None:")
        self.emit(ind + 1, f"{v} = env.derived({root!r})")
        self.emit(ind, "else:")
        self.emit(ind + 1, f"if {v}[1]:")
        self.emit(ind + 2, f"env.missing |= {v}[1]")
        self.emit(ind + 1, f"{v} = {v}[0]")
        return v

    def expr(self, c: Compiled, ind: int, where: str) -> str:
        tree = TREES.get(c.text)
        if tree is None:  # a literal true / false
            return repr(c.fn(None))
        self.where = f"{where}: {c.text}"
        return self.node(tree, ind)

    def condition(self, c: Condition, ind: int, where: str) -> str:
        """Emit the evaluation of ``c``; return the variable holding its tuple (or None when
        its ``when`` is false)."""
        self.k += 1
        i = self.k
        r, sv, ms = f"r_{i}", f"sv_{i}", f"ms_{i}"
        cid = repr(c.id)
        w = f"{where}/{c.id}"
        lazy = c.id in self.lazy
        if lazy:
            self.emit(ind, f"{r} = results.get({cid}, ABSENT)")
            self.emit(ind, f"if {r} is ABSENT:")
            ind += 1
        if c.when is not None:
            x = self.expr(c.when, ind, w + "/when")
            self.emit(ind, f"if {x} is False:")
            self.emit(ind + 1, f"{r} = None")
            if lazy:
                self.emit(ind + 1, f"results[{cid}] = None")
            self.emit(ind + 1, f"env.skipped.append({cid})")
            self.emit(ind, "else:")
            ind += 1
        if c.valid_from is not None or c.valid_until is not None:  # as evaluate.out_of_period
            tests = ([f"env.as_of < {self.const(c.valid_from)}"] if c.valid_from is not None else []) + \
                    ([f"env.as_of > {self.const(c.valid_until)}"] if c.valid_until is not None else [])
            self.emit(ind, f"if {' or '.join(tests)}:")
            self.emit(ind + 1, f"{r} = ('unknown', False, None, (), {c.kind!r})")
            if lazy:
                self.emit(ind + 1, f"results[{cid}] = {r}")
            self.emit(ind, "else:")
            ind += 1
        self.emit(ind, f"{sv} = env.missing")
        self.emit(ind, f"{ms} = env.missing = set()")
        kind = c.kind
        if kind == "test":
            v = self.expr(c.expr, ind, w)
            self.emit(ind, f"env.missing = {sv}")
            self.emit(ind, f"if {v} is UNKNOWN:")
            self.emit(ind + 1, f"if {ms}:")
            self.emit(ind + 2, f"{sv} |= {ms}")
            self.emit(ind + 1, f"{r} = ('unknown', False, None, _tuple(_sorted({ms})), 'test')")
            self.emit(ind, "else:")
            self.emit(ind + 1, f"{r} = ('met' if {v} else 'not_met', False, None, (), 'test')")
        else:
            st, pend, d = f"st_{i}", f"pend_{i}", f"d_{i}"
            if kind == "assess":
                v = "True" if c.requires is None else self.expr(c.requires, ind, w + "/requires")
                self.emit(ind, f"{st} = 'unknown' if {v} is UNKNOWN else ('to_assess' if {v} else 'not_met')")
                self.emit(ind, f"{pend} = False")
                self.emit(ind, f"{d} = None")
            elif kind in ("from", "until"):
                self._date(c, ind, w, st, pend, d)
            else:
                kids = [self.condition(x, ind, w) for x in c.children]
                ch = f"ch_{i}"
                self.emit(ind, f"{ch} = [x for x in ({', '.join(kids)},) if x is not None]")
                self.emit(ind, f"{st}, {pend}, {d} = _combine({kind == 'any_of'}, {ch})")
            self.emit(ind, f"env.missing = {sv}")
            self.emit(ind, f"if {st} == 'unknown' and {ms}:")   # a settled condition: not missing
            self.emit(ind + 1, f"{sv} |= {ms}")
            if kind in ("any_of", "all_of"):
                m = f"_group_missing({st}, {ms}, ch_{i})"
            else:
                m = f"_tuple(_sorted({ms})) if {st} == 'unknown' else ()"
            self.emit(ind, f"{r} = ({st}, {pend}, {d}, {m}, {kind!r})")
        if lazy:
            self.emit(ind, f"results[{cid}] = {r}")
        return r

    def _date(self, c: Condition, ind: int, w: str, st: str, pend: str, d: str):
        """``from`` / ``until``, as evaluate._date_condition."""
        m = "False" if c.met_if is None else self.expr(c.met_if, ind, w + "/met_if")
        self.emit(ind, f"{pend} = False")
        self.emit(ind, f"{d} = None")
        self.emit(ind, f"if {m} is True:")
        self.emit(ind + 1, f"{st} = 'met'")
        self.emit(ind, "else:")
        x = self.expr(c.expr, ind + 1, w)
        self.emit(ind + 1, f"if {x} is UNKNOWN:")
        self.emit(ind + 2, f"{st} = 'unknown'")
        self.emit(ind + 1, f"elif {x} is None:")
        self.emit(ind + 2, f"{st} = 'met' if {m} is not UNKNOWN else 'unknown'")
        self.emit(ind + 1, f"elif {x} is False:")
        self.emit(ind + 2, f"{st} = 'not_met' if {m} is not UNKNOWN else 'unknown'")
        self.emit(ind + 1, "else:")
        self.emit(ind + 2, f"{d} = {x}")
        if c.kind == "from":
            self.emit(ind + 2, f"if env.as_of >= {x}:")
            self.emit(ind + 3, f"{st} = 'met'")
            self.emit(ind + 2, "else:")
            self.emit(ind + 3, f"{st}, {pend} = 'not_met', True")
        else:
            self.emit(ind + 2, f"{st} = 'met' if env.as_of <= {x} else 'not_met'")
        self.emit(ind + 2, f"if {m} is UNKNOWN and {st} != 'met':")
        self.emit(ind + 3, f"{st}, {pend} = 'unknown', False")


def conditions_function(conditions: list[Condition], scope, where: str, lazy: set[str]):
    """``env -> [result tuple, …]``: the conditions evaluated in order (those whose ``when``
    is false left out), generated as one function."""
    g = _ConditionsSource(scope, where, lazy)
    g.emit(1, "results, derived_cache = env.results, env._derived")
    names = [g.condition(c, 1, where) for c in conditions]
    g.emit(1, f"return [x for x in ({''.join(n + ', ' for n in names)}) if x is not None]")
    return _define(g, "_conds", f"<conditions {where}>")


def condition_function(c: Condition, scope, where: str, lazy: set[str]):
    """``env -> result tuple or None``: one condition (read as ``cond.<id>`` before its turn)."""
    g = _ConditionsSource(scope, where, lazy)
    g.emit(1, "results, derived_cache = env.results, env._derived")
    g.emit(1, f"return {g.condition(c, 1, where)}")
    return _define(g, "_cond", f"<condition {where}/{c.id}>")


def _define(g: _ConditionsSource, name: str, filename: str):
    src = f"def {name}(env):\n" + "\n".join(g.lines) + "\n"
    exec(compile(src, filename, "exec"), g.ns)
    fn = g.ns[name]
    fn.source = src
    return fn
