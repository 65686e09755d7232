"""Parse rule expressions: the grammar ``expr.lark`` (rules/README.md, « Expressions »).

:func:`parse_expr` gives the parse tree of an expression's text (:mod:`.expr_tree`'s nodes,
not lark's), or a :class:`RuleError` pointing at the column where it stops being readable. Trees
are kept in :data:`TREES` (persisted by the loader's cache); the LALR tables are cached on disk by
lark. ``lark`` (and ``importlib.resources``, for the grammar) is imported only when a text is
parsed: a process whose rules come from the cache, every text's tree in :data:`TREES`, never
imports it (≈ 0.03 s of CPU a process; tests/test_expr_tree.py).
"""
from __future__ import annotations

from ..errors import RuleError
from .expr_tree import from_lark

_PARSER = None
TREES: dict = {}   # expression text → parse tree; persisted by the loader's cache


def parser():
    """The lark parser of ``expr.lark`` (built once a process, its tables cached on disk)."""
    global _PARSER
    if _PARSER is None:
        from importlib import resources
        from lark import Lark
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



def parse_expr(text: str, where: str):
    """The parse tree of ``text`` (kept in :data:`TREES`); errors name ``where``."""
    tree = TREES.get(text)
    if tree is not None:
        return tree
    from lark.exceptions import LarkError, UnexpectedInput
    try:
        tree = TREES[text] = from_lark(parser().parse(text))
    except UnexpectedInput as e:
        col = getattr(e, "column", -1)
        pointer = f"\n      {text}\n      {' ' * max(col - 1, 0)}^" if col and col > 0 else ""
        raise RuleError(f"expression illisible : {text!r}{pointer}", where=where,
                        expected="une expression du langage des règles (rules/README.md)") from None
    except LarkError as e:  # pragma: no cover - defensive
        raise RuleError(f"expression illisible : {text!r} ({e})", where=where) from None
    return tree
