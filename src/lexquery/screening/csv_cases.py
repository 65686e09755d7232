"""Read a screening CSV (docs/screening-csv.md) as case dicts, streamed: the public entry points.

:func:`iter_cases` yields one :class:`CsvCase` per data row, validated with
:func:`lexquery.engine.case.read_case`; it is the entry point other commands (``validate``,
``interview``, caserdf) reuse. :func:`read_rows` and :func:`read_header` give the rows and the
records for the screening (which checks rows in worker processes).

The reader never guesses and never stops on a bad row. Its jobs, one module each:
:mod:`.csv_text` (UTF-8 or Windows-1252 lines, CR/LF/CRLF ends, overlong lines),
:mod:`.csv_header` (separator and columns), :mod:`.csv_records` (quoted cells over several
lines, runaway quotes, unique ids), :mod:`.csv_columns` (the format's columns, problems in
CSV terms), :mod:`.csv_cells` (cells → raw case), :mod:`.csv_compiled` (the row reader
compiled per header, for speed), :mod:`.csv_rows` (record → row → normalised case).
"""
from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import date
from typing import Iterator

from ..errors import CaseError
from .csv_header import Header, parse_header
from .csv_records import Records, split_records
from .csv_rows import Row, RowBuilder, normalise
from .csv_text import open_text


def read_header(stream) -> tuple[Header, Records]:
    """Parse the header, then return an iterator of :class:`Record` (lazy)."""
    header, rest = parse_header(stream)
    return header, split_records(header, stream, rest)


def read_rows(stream) -> tuple[Header, Iterator[Row]]:
    """Parse the header, then return an iterator of :class:`Row` (lazy, one row at a time)."""
    header, records = read_header(stream)
    build = RowBuilder(header).row
    return header, (build(r) for r in records)


@dataclass
class CsvCase:
    """What :func:`iter_cases` yields: the line, the id, and the normalised case or the error."""
    line: int
    id: str | None
    raw: dict | None
    case: dict | None
    error: CaseError | None


def iter_cases(path, default_as_of: date | None = None, validate: bool = True) -> Iterator[CsvCase]:
    """Stream the rows of a screening CSV (path or ``-``) as :class:`CsvCase`, one per data row.

    ``validate=False`` skips ``read_case`` (``raw`` is the case in the JSON format, for
    another validator such as SHACL); CSV-level problems are still reported in ``error``.
    """
    stream, label, _ = open_text(path)
    try:
        _, rows = read_rows(stream)
        for row in rows:
            src = f"{label}:{row.line}"
            if not validate:
                err = CaseError(row.problems, src) if row.problems else None
                yield CsvCase(row.line, row.id, row.raw, None, err)
                continue
            try:
                yield CsvCase(row.line, row.id, row.raw, normalise(row, default_as_of, src), None)
            except CaseError as e:
                yield CsvCase(row.line, row.id, row.raw, None, e)
    finally:
        if stream is not sys.stdin and path not in ("-", None):
            stream.close()
