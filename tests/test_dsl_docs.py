"""The examples of docs/language.md are themselves tested (STYLE.md §7).

A block ```lq followed by ```sortie must print exactly that output; followed by ```erreur
it must fail with exactly that message; any other ```lq block must load. Re-record with
LEXQUERY_REGEN=1 (the blocks are rewritten in place; review the diff).
"""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from lexquery import dsl
from lexquery.dsl import LqErrors
from test_dsl_examples import normalise

DOC = Path(__file__).resolve().parents[1] / "docs" / "language.md"
BLOCK = re.compile(r"```lq\n(.*?)```\n(?:\n```(sortie|erreur)\n(.*?)```\n)?", re.S)


def blocks():
    return BLOCK.findall(DOC.read_text(encoding="utf-8"))


def actual(code: str) -> tuple[str, str]:
    try:
        return "sortie", normalise(dsl.run(dsl.load(code, "guide.lq")))
    except LqErrors as e:
        return "erreur", e.render() + "\n"


def test_the_guide_has_examples():
    kinds = [b[1] for b in blocks()]
    assert kinds.count("sortie") >= 4 and kinds.count("erreur") >= 3


@pytest.mark.parametrize("i", range(len(blocks())))
def test_guide_example(i):
    code, kind, expected = blocks()[i]
    got_kind, got = actual(code)
    if not kind:
        assert got_kind == "sortie", got
        return
    assert (got_kind, got) == (kind, expected)


def test_regen():
    if not os.environ.get("LEXQUERY_REGEN"):
        pytest.skip("set LEXQUERY_REGEN=1 to rewrite the outputs of docs/language.md")
    text = DOC.read_text(encoding="utf-8")

    def fill(m):
        code = m.group(1)
        kind, out = actual(code)
        return f"```lq\n{code}```\n\n```{kind}\n{out}```\n"
    DOC.write_text(BLOCK.sub(fill, text), encoding="utf-8")
