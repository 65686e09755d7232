"""Every examples/*.lq runs and matches its stored output (STYLE.md §7).

Re-record after a deliberate change with ``LEXQUERY_REGEN=1 .venv/bin/python -m pytest
tests/test_dsl_examples.py`` and review the diff of examples/expected/*.lq.out.
The version digest of the rules is masked so that an unrelated rule edit only shows
where an answer really changed.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from lexquery import dsl
from lexquery.cli import main

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("*.lq"))
EXPECTED = ROOT / "examples" / "expected"


def normalise(text: str) -> str:
    return re.sub(r"rules\.[0-9a-f]{12}", "rules.<empreinte>", text).rstrip() + "\n"


def run_example(path: Path) -> str:
    return normalise(dsl.run(dsl.load_file(path.relative_to(ROOT))))


def test_there_are_examples():
    assert any(p.name == "ionescu.lq" for p in EXAMPLES)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example_matches_stored_output(path, monkeypatch):
    monkeypatch.chdir(ROOT)
    out = run_example(path)
    stored = EXPECTED / (path.name + ".out")
    if os.environ.get("LEXQUERY_REGEN"):
        stored.write_text(out, encoding="utf-8")
    assert stored.exists(), f"no stored output for {path.name}: run with LEXQUERY_REGEN=1"
    assert out == stored.read_text(encoding="utf-8")


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example_passes_check(path, capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    assert main(["check", str(path.relative_to(ROOT))]) == 0
    assert "correct" in capsys.readouterr().out


def test_cli_ask_prints_the_stored_output(capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    assert main(["ask", "examples/ionescu.lq"]) == 0
    assert normalise(capsys.readouterr().out) == (EXPECTED / "ionescu.lq.out").read_text(encoding="utf-8")


def test_cli_ask_reads_lq_from_stdin(capsys, monkeypatch):
    import io
    monkeypatch.chdir(ROOT)
    monkeypatch.setattr("sys.stdin", io.StringIO((ROOT / "examples" / "ionescu.lq").read_text(encoding="utf-8")))
    assert main(["ask", "-"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("» quelles procédures ?\nIonescu — au 2026-12-01  [ionescu-2026]")
