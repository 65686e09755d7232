"""Writers of the screening output: CSV, JSON Lines, JSON and the HTML report.

Each writer takes :class:`~lexquery.screening.screen.CaseResult` objects one at a time
(``write``) and is closed with the summary (``close``); none keeps the rows in memory
(the HTML writer streams the table data to a temporary file and assembles the page at
the end).
"""
from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

from .screen import FIELDS

FORMATS = ("csv", "jsonl", "json", "html")


def format_of(path: str | None, explicit: str | None = None) -> str:
    if explicit:
        return explicit
    if path and path != "-":
        ext = Path(path).suffix.lower().lstrip(".")
        if ext in FORMATS:
            return ext
    return "csv"


def _cell(v):
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, list):
        return "|".join(v)
    return v


class _Base:
    wants_explanation = False

    def __init__(self, out):
        self.out = out


class CsvWriter(_Base):
    """One CSV row per case × procedure × State (lists joined with ``|``), ``,``-separated.

    The screening can also hand it rows already formatted by
    :func:`lexquery.screening.screen.answer_csv` (``write_text``): same cells, fewer steps.
    """
    accepts_csv_text = True

    def __init__(self, out):
        super().__init__(out)
        self.w = csv.writer(out, lineterminator="\n")
        self.w.writerow(FIELDS)

    def write(self, r):
        for row in r.rows:
            self.w.writerow([_cell(row[k]) for k in FIELDS])

    def write_text(self, text: str):
        self.out.write(text)

    def close(self, summary):
        self.out.flush()


class JsonlWriter(_Base):
    """One JSON object a line per case × procedure × State."""

    def write(self, r):
        for row in r.rows:
            self.out.write(json.dumps(row, ensure_ascii=False) + "\n")

    def close(self, summary):
        self.out.flush()


class JsonWriter(_Base):
    """``{"rows": [...], "summary": {...}}``, written as the rows come."""

    def __init__(self, out):
        super().__init__(out)
        self.first = True
        out.write('{"rows": [\n')

    def write(self, r):
        for row in r.rows:
            if not self.first:
                self.out.write(",\n")
            self.first = False
            self.out.write(json.dumps(row, ensure_ascii=False))

    def close(self, summary):
        self.out.write('\n],\n"summary": ' + json.dumps(summary.to_dict(), ensure_ascii=False) + "}\n")
        self.out.flush()


def make_writer(fmt: str, out):
    if fmt == "html":
        from .html_report import HtmlWriter
        return HtmlWriter(out)
    return {"csv": CsvWriter, "jsonl": JsonlWriter, "json": JsonWriter}[fmt](out)


def open_output(path: str | None):
    if not path or path == "-":
        return sys.stdout
    return open(path, "w", encoding="utf-8", newline="")
