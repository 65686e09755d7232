"""Every command's `--help` is in French with examples (README: « Every command has `--help`
(French, with examples) »), and the examples that are cheap to run do run.

The parser tree is the one `lexquery` builds (:func:`lexquery.cli.build_parser`), walked through
the sub-parser actions, so a command added later is checked without touching this file.
An example is a line of the « exemples : » block: two spaces, the command, then (after two
spaces or more) an optional comment; a comment that ends with « code N » gives the exit code
the example expects (0 otherwise). Lines with a pipe or reading standard input are not run;
« > FILE » is.
"""
from __future__ import annotations

import argparse
import contextlib
import glob
import re
import shlex
from pathlib import Path

import pytest

from lexquery.cli import build_parser, main

ROOT = Path(__file__).resolve().parents[1]


def walk(parser: argparse.ArgumentParser, seen=None):
    """The parser and every sub-parser below it, once each (aliases share a parser)."""
    seen = set() if seen is None else seen
    if id(parser) in seen:
        return
    seen.add(id(parser))
    yield parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                yield from walk(sub, seen)


PARSERS = {p.prog: p for p in walk(build_parser()) if p.prog != "lexquery"}

# the commands the README promises; a new one is found by walk() all the same
EXPECTED = {"ask", "convert", "article", "check", "kb", "kb check", "kb query", "kb export",
            "kb coverage", "reference", "repl", "screen", "serve", "sources", "synth", "validate"}

# the helps whose examples are run (cheap, no network, no server, no terminal)
RUN = ["lexquery ask", "lexquery article", "lexquery sources", "lexquery reference", "lexquery check",
       "lexquery validate", "lexquery synth", "lexquery screen", "lexquery convert",
       "lexquery kb query", "lexquery kb export", "lexquery kb coverage"]

# example lines not run, and why
NOT_RUN = {
    "lexquery kb coverage": "réécrit docs/coverage.md dans le dépôt",
}


def example_lines(text: str) -> list[str]:
    """The indented lines right after « exemples : »."""
    lines = text.splitlines()
    if "exemples :" not in lines:
        return []
    out = []
    for line in lines[lines.index("exemples :") + 1:]:
        if not line.startswith("  "):
            break
        out.append(line)
    return out


def split_example(line: str) -> tuple[str, str]:
    """(command, comment): the comment follows two spaces or more."""
    parts = re.split(r"\s{2,}", line.strip(), maxsplit=1)
    return parts[0], (parts[1] if len(parts) > 1 else "")


def starts_with(tokens: list[str], prog: str) -> bool:
    words = prog.split()
    return tokens[:len(words)] == words


def test_every_command_is_walked():
    assert {p.removeprefix("lexquery ") for p in PARSERS} >= EXPECTED


@pytest.mark.parametrize("prog", sorted(PARSERS))
def test_help_has_a_description_and_examples(prog):
    parser = PARSERS[prog]
    text = parser.format_help()
    assert parser.description, f"{prog} : pas de description"
    assert "exemples :" in text, f"{prog} --help : pas de bloc « exemples : »"
    commands = [shlex.split(split_example(l)[0]) for l in example_lines(text)]
    assert any(starts_with(c, prog) for c in commands), \
        f"{prog} --help : aucun exemple ne commence par « {prog} »\n{text}"
    for line in example_lines(text):   # every example parses as a shell line
        shlex.split(split_example(line)[0])


def _main(argv: list[str]) -> int:
    try:
        return int(main(argv) or 0)
    except SystemExit as e:   # argparse: usage errors (2), --help (0)
        return e.code if isinstance(e.code, int) else 1


@pytest.mark.parametrize("prog", RUN)
def test_examples_run(prog, tmp_path, monkeypatch, capsys):
    """Each help's examples in order, in an empty folder that sees the repository's examples/
    and checks/: a file an example writes (-o, > FILE) is read by the next ones."""
    for name in ("examples", "checks"):
        (tmp_path / name).symlink_to(ROOT / name, target_is_directory=True)
    monkeypatch.chdir(tmp_path)
    ran = 0
    for line in example_lines(PARSERS[prog].format_help()):
        command, comment = split_example(line)
        tokens = shlex.split(command)
        stdin = any(t == "-" and not tokens[i - 1].startswith("-") for i, t in enumerate(tokens))
        if tokens[0] != "lexquery" or "|" in tokens or "<" in tokens or stdin:
            continue
        if command in NOT_RUN:
            continue
        target = None
        if ">" in tokens:
            i = tokens.index(">")
            tokens, target = tokens[:i], tokens[i + 1]
        argv = []
        for t in tokens[1:]:   # the shell's globbing
            argv += (sorted(glob.glob(t)) or [t]) if "*" in t else [t]
        expected = int(m.group(1)) if (m := re.search(r"\bcode (\d+)$", comment)) else 0
        if target:
            with open(target, "w", encoding="utf-8", newline="") as f, contextlib.redirect_stdout(f):
                code = _main(argv)
        else:
            code = _main(argv)
        _out, err = capsys.readouterr()
        assert code == expected, f"« {command} » : code {code}, attendu {expected}\n{err[-2000:]}"
        ran += 1
    assert ran, f"aucun exemple de {prog} n'a été lancé"
