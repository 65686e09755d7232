"""Case files for ``lexquery validate``, read as a stream of :class:`~.stream.Item`.

- ``.jsonl``: one JSON case per line, streamed; an unreadable line is a finding of
  that line (``FILE:LINE:COL``), the others are still validated;
- ``.csv``: the screening CSV (docs/screening-csv.md) through
  :func:`lexquery.screening.csv_cases.iter_cases`, streamed; cell problems are findings
  of the row (``FILE:LINE``);
- ``.json`` (or ``-``): one case or an array of cases, read whole (JSON has no record
  boundary to stream on); ``.lq`` through the lexquery language;
- ``.ttl``: RDF case data in Turtle (the terms of ``case-context.jsonld``), parsed whole
  and validated as one graph by :func:`read_turtle`.
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Iterator

from ..errors import InputError, NotFoundError, Problem
from .stream import Item


def kind_of(path: str) -> str:
    """csv | jsonl | turtle | json, from the file name."""
    p = path.lower()
    if p.endswith(".csv"):
        return "csv"
    if p.endswith(".jsonl") or p.endswith(".ndjson"):
        return "jsonl"
    if p.endswith(".ttl"):
        return "turtle"
    return "json"


def read_items(path: str) -> tuple[str, Iterator[Item], bool]:
    """(label, items, single): ``single`` when the input is one JSON object (reported as an object)."""
    kind = kind_of(path)
    if kind in ("csv", "jsonl") and path != "-" and not Path(path).is_file():
        raise NotFoundError(f"fichier introuvable : {path}", hint="vérifiez le chemin")
    if kind == "csv":
        return path, _csv_items(path), False
    if kind == "jsonl":
        return path, _jsonl_items(path), False
    from ..casefiles.load import load_cases
    cases, label = load_cases(path)
    single = len(cases) == 1
    items = (Item(f"{label}[{i}]" if len(cases) > 1 else label, c,
                  case_id=c.get("id") if isinstance(c, dict) else None) for i, c in enumerate(cases))
    return label, items, single


_COLUMN = re.compile(r"^colonne « (.+) »$")


def _csv_items(path: str) -> Iterator[Item]:
    from ..screening.csv_cases import iter_cases
    from ..screening.csv_columns import COLUMNS
    for row in iter_cases(path, validate=False):
        src = f"{path}:{row.line}"
        problems = row.error.problems if row.error is not None else []
        covers = [COLUMNS[m.group(1)][0] for p in problems
                  if (m := _COLUMN.match(p.where)) and m.group(1) in COLUMNS]
        yield Item(src, row.raw, problems, row.id, covers)


def _jsonl_items(path: str) -> Iterator[Item]:
    from ..files import MAX_LINE_BYTES, read_line_bounded
    with open(path, encoding="utf-8-sig") as f:
        i = 0
        while True:
            line, too_long = read_line_bounded(f, MAX_LINE_BYTES)
            if not line:
                return
            i += 1
            if too_long:
                yield Item(f"{path}:{i}", None, [Problem(f"{path}:{i}", "ligne trop longue : plus de 1 Mo",
                                                         "un objet cas JSON par ligne")])
                continue
            if not line.strip():
                continue
            try:
                raw = json.loads(line)
            except json.JSONDecodeError as e:
                yield Item(f"{path}:{i}", None, [Problem(f"{path}:{i}:{e.colno}", f"JSON illisible : {e.msg}",
                                                         "un objet cas JSON par ligne",
                                                         "corriger la ligne (guillemets, virgules, accolades)")])
                continue
            yield Item(f"{path}:{i}", raw, case_id=raw.get("id") if isinstance(raw, dict) else None)


def read_turtle(path: str):
    """Parse a Turtle file of case data: (label, rdflib Graph)."""
    text = None
    if path == "-":
        import sys
        text, label = sys.stdin.read(), "<stdin>"
    else:
        if not Path(path).is_file():
            raise NotFoundError(f"fichier introuvable : {path}", hint="vérifiez le chemin")
        label = path
    return label, parse_turtle(text, label, None if text is not None else path)


def parse_turtle(text: str | None, label: str, location: str | None = None):
    """Turtle case data (``text``, or the file at ``location``) as an rdflib Graph.

    Turtle has no import mechanism: parsing fetches nothing (also used by POST /api/validate)."""
    import logging
    from rdflib import Graph
    g = Graph()
    # an ill-typed literal ("2025-02-30"^^xsd:date) is a SHACL finding with its field and
    # what to do (case-shapes.ttl, sh:datatype); rdflib's own warning is a Python trace on stderr
    term_log = logging.getLogger("rdflib.term")
    level = term_log.level
    term_log.setLevel(logging.ERROR)
    try:
        if location is not None:
            g.parse(location, format="turtle")
        else:
            g.parse(data=text, format="turtle")
    except Exception as e:  # rdflib raises BadSyntax and others, with the line in the text
        text = str(e)
        line = re.search(r"at line (\d+)", text)
        why = re.search(r"Bad syntax \((.*?)\)", text) or re.search(r"(\S.*)", text)
        raise InputError(f"Turtle illisible : {why.group(1) if why else type(e).__name__}",
                         where=f"{label}:{line.group(1)}" if line else label,
                         expected="du Turtle (RDF 1.1) avec les termes de case-context.jsonld",
                         hint="corriger la syntaxe à cette ligne (guillemets, points, préfixes déclarés)") from None
    finally:
        term_log.setLevel(level)
    return g
