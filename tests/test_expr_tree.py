"""The rule expressions' parse trees without lark (rules/expr_tree.py): lark's tree of every
expression of the rules given as nodes and strings, kept so in the rules cache, a cache of another
format parsed again, and a process whose rules come from the cache does not import lark."""
from __future__ import annotations

import pickle

import pytest

from kb_helpers import imported_by_two_loads
from lexquery.rules import expr_parse, loader
from lexquery.rules.expr_tree import Node


@pytest.fixture
def no_trees():
    """:data:`expr_parse.TREES` emptied in place (the loader holds the same dict), then restored."""
    saved = dict(expr_parse.TREES)
    expr_parse.TREES.clear()
    yield expr_parse.TREES
    expr_parse.TREES.clear()
    expr_parse.TREES.update(saved)


def _lark_tree(text):
    """Dig lark's own tree of ``text`` out (the parser the loader uses)."""
    return expr_parse.parser().parse(text)


def _same(lark_t, t) -> bool:
    if not hasattr(lark_t, "children"):
        return type(t) is str and t == str(lark_t)
    return (isinstance(t, Node) and t.data == str(lark_t.data) and len(t.children) == len(lark_t.children)
            and all(_same(a, b) for a, b in zip(lark_t.children, t.children)))


def test_every_rule_expression_is_lark_tree_as_nodes(tmp_path, monkeypatch, no_trees):
    monkeypatch.setenv("LEXQUERY_CACHE", str(tmp_path / "cache"))
    loader.load_rules()
    trees = dict(no_trees)
    assert len(trees) > 100
    for text, t in trees.items():
        assert _same(_lark_tree(text), t), text
        assert pickle.loads(pickle.dumps(t)) == t


def test_a_cache_of_another_format_is_parsed_again(tmp_path, monkeypatch, no_trees):
    monkeypatch.setenv("LEXQUERY_CACHE", str(tmp_path / "cache"))
    first = loader.load_rules()
    files = list((tmp_path / "cache").glob(f"rules{loader.CACHE_FORMAT}-*.pickle"))
    assert len(files) == 1
    data = pickle.loads(files[0].read_bytes())
    assert data["format"] == loader.CACHE_FORMAT
    # the same digest, another format's trees (as a format-1 file held lark's): not read
    data["format"] = loader.CACHE_FORMAT - 1
    data["trees"] = {text: "not a tree" for text in data["trees"]}
    files[0].write_bytes(pickle.dumps(data))
    no_trees.clear()
    again = loader.load_rules()   # the trees parsed again, not the file's
    assert no_trees and all(isinstance(t, Node) for t in no_trees.values())
    assert again.digest == first.digest and list(again.procedures) == list(first.procedures)


def test_a_process_whose_rules_are_cached_does_not_import_lark(tmp_path):
    """The knowledge base and the columnar program loaded with the rules cache filled: ``lark``
    is never imported (≈ 0.03 s of every process's start-up, each screening worker's too)."""
    runs = imported_by_two_loads(tmp_path, ("lark",))
    assert runs == [{"lark": True}, {"lark": False}]   # the first fills the cache
