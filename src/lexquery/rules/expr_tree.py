"""The parse tree of a rule expression as the compilers read it, without lark.

:func:`lexquery.rules.expr_parse.parse_expr` parses with lark and gives the tree in this form: a
:class:`Node` per rule of the grammar (``data``: the rule's name, ``children``: its nodes and
tokens), a token as the plain ``str`` of its text. The compilers (:mod:`.expr_closures`,
:mod:`.expr_source`, :mod:`lexquery.columnar.compile`) read only ``data``, ``children`` and a
token's text, which is all this keeps (no positions, no token types).

Why not lark's ``Tree``: the parse trees are kept in the rules cache (:mod:`.loader`), and
unpickling lark trees imports lark (≈ 0.03 s of CPU) and rebuilds a ``Token`` and a ``Meta`` per
leaf and node, in every process that loads the rules — each worker of a screening among them —
though the process parses nothing. A :class:`Node` unpickles as one call of its class, and
a token as a string.
"""
from __future__ import annotations


class Node:
    """One node of a parse tree: ``data`` (the grammar rule or alias, e.g. ``"compare"``) and
    ``children`` (nodes, and tokens as strings), equal and hashed as lark's ``Tree`` is."""

    __slots__ = ("data", "children")

    def __init__(self, data: str, children: list):
        self.data = data
        self.children = children

    def __reduce__(self):
        return Node, (self.data, self.children)

    def __eq__(self, other):
        return isinstance(other, Node) and self.data == other.data and self.children == other.children

    def __hash__(self):
        return hash((self.data, tuple(self.children)))

    def __repr__(self):
        return f"Node({self.data!r}, {self.children!r})"


def from_lark(t) -> "Node | str":
    """lark's tree (``Tree`` / ``Token``) of an expression as :class:`Node`s and strings."""
    children = getattr(t, "children", None)
    if children is None:   # a Token: a str of its text
        return str(t)
    return Node(str(t.data), [from_lark(c) for c in children])
