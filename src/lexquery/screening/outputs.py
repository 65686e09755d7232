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

from ..csvsafe import neutral
from ..engine.screen_row import FIELDS

FORMATS = ("csv", "jsonl", "json", "html", "ics")


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
    """One CSV row per case × procedure × State (lists joined with ``|``); a cell that a
    spreadsheet would run as a formula gets a leading ``'`` (OWASP, :mod:`lexquery.csvsafe`).

    The separator is the input's (``;`` in, ``;`` out: a spreadsheet that opened the export
    opens the answer the same way), told by :func:`lexquery.screening.screen.screen` through
    :meth:`begin` once it has read the header; ``separator=`` fixes it instead (``screen
    --separator``); ``,`` when nothing says otherwise. The screening can also hand it rows already
    formatted by :func:`lexquery.screening.screen.answer_csv` (``write_text``): same cells,
    fewer steps.
    """
    accepts_csv_text = True

    def __init__(self, out, separator: str | None = None):
        super().__init__(out)
        self.fixed = separator
        self.separator = separator or ","
        self.w = None

    def begin(self, input_separator: str | None = None):
        """Write the header row, with the fixed separator or else the input's."""
        if self.w is None:
            self.separator = self.fixed or input_separator or ","
            self.w = csv.writer(self.out, delimiter=self.separator, lineterminator="\n")
            self.w.writerow(FIELDS)

    def write(self, r):
        self.begin()
        for row in r.rows:
            self.w.writerow([neutral(_cell(row[k])) for k in FIELDS])

    def write_text(self, text: str):
        self.begin()
        self.out.write(text)

    def close(self, summary):
        self.begin()   # an input without a single row still gets its header
        self.out.flush()


class JsonlWriter(_Base):
    """One JSON object a line per case × procedure × State. The columnar screening hands it the
    objects already written as JSON text (``write_objects``: the same bytes)."""
    accepts_json_objects = True

    def write(self, r):
        for row in r.rows:
            self.out.write(json.dumps(row, ensure_ascii=False) + "\n")

    def write_objects(self, objs: list[str]):
        if objs:
            self.out.write("\n".join(objs) + "\n")

    def close(self, summary):
        self.out.flush()


class JsonWriter(_Base):
    """``{"rows": [...], "summary": {...}}``, written as the rows come (or as JSON text already
    written: ``write_objects``, from the columnar screening)."""
    accepts_json_objects = True

    def __init__(self, out):
        super().__init__(out)
        self.first = True
        self.started = False

    def write(self, r):
        if not self.started:
            self.started = True
            self.out.write('{"rows": [\n')
        for row in r.rows:
            if not self.first:
                self.out.write(",\n")
            self.first = False
            self.out.write(json.dumps(row, ensure_ascii=False))

    def write_objects(self, objs: list[str]):
        if not objs:
            return
        if not self.started:
            self.started = True
            self.out.write('{"rows": [\n')
        self.out.write(("" if self.first else ",\n") + ",\n".join(objs))
        self.first = False

    def close(self, summary):
        if not self.started:
            self.out.write('{"rows": [\n')
        self.out.write('\n],\n"summary": ' + json.dumps(summary.to_dict(), ensure_ascii=False) + "}\n")
        self.out.flush()


class IcsWriter(_Base):
    """The registry's dates as one iCalendar file (RFC 5545; issue 17), streamed: for each
    procedure that applies or will apply, the day it opens (``from``), its last day or
    deadline (``until``) and its dated notes (column ``deadlines``: the refusal grounds'
    deadlines, CPP 728-33 2°, STE 112 art. 3.1.c…). Error rows and procedures that do not
    apply give no event; the summary line of the screening still counts them."""

    def __init__(self, out, lang: str = "fr"):
        super().__init__(out)
        from ..render.deadlines import KIND
        from ..render.ics import calendar_head
        from .screen import procedure_names, status_words
        self.lang = lang
        self.what = KIND[lang]
        self.labels = procedure_names(lang)
        self.statuses = status_words(lang)
        out.write(calendar_head(lang))

    def write(self, r):
        from datetime import date
        from ..render.ics import event, stamp_of
        for row in r.rows:
            if row.get("status") not in ("applicable", "applicable_later"):
                continue
            try:
                stamp = stamp_of(date.fromisoformat(row["as_of"]))
            except (TypeError, ValueError):
                continue
            fr = self.lang == "fr"
            who = row.get("name") or row.get("id") or f"{'ligne' if fr else 'line'} {row.get('line')}"
            where = f" — {row['state']}" if row.get("state") else ""
            dated = []
            if row.get("from"):
                dated.append(("from", row["from"], self.what["from"]))
            if row.get("until"):
                dated.append(("until", row["until"], self.what["until"]))
            for d in row.get("deadlines") or []:
                note, _, day = d.rpartition(":")
                dated.append(("deadline", day, f"{self.what['deadline']} ({note})"))
            for kind, day, what in dated:
                try:
                    when = date.fromisoformat(day)
                except ValueError:
                    continue
                key = "|".join(str(x) for x in (row.get("line"), row.get("id"), row["procedure"],
                                                row.get("state"), kind, what, day))
                status = self.statuses.get(row["status"], row["status"])
                desc = (f"cas : {row.get('id')} (ligne {row.get('line')})\nstatut : {status}"
                        f"\nsources : {', '.join(row.get('sources') or [])}" if fr else
                        f"case: {row.get('id')} (line {row.get('line')})\nstatus: {status}"
                        f"\nsources: {', '.join(row.get('sources') or [])}")
                colon = " : " if fr else ": "
                ev = event(key, when, f"{who} — {what}{colon}{self.labels.get(row['procedure'], row['procedure'])}{where}",
                           desc, row["procedure"], stamp)
                self.out.write(ev.to_ical().decode("utf-8"))

    def close(self, summary):
        self.out.write("END:VCALENDAR\r\n")
        self.out.flush()


def make_writer(fmt: str, out, separator: str | None = None, lang: str = "fr"):
    """The writer of ``fmt``; ``separator`` fixes the CSV's (default: the input's); ``lang``: the
    language of the HTML report and the calendar (the CSV and JSON keep their ids and cells)."""
    if fmt == "ics":
        return IcsWriter(out, lang)
    if fmt == "html":
        from .html_report import HtmlWriter
        return HtmlWriter(out, lang=lang)
    if fmt == "csv":
        return CsvWriter(out, separator)
    return {"jsonl": JsonlWriter, "json": JsonWriter}[fmt](out)


def open_output(path: str | None):
    """Standard output for ``None`` / ``-``, else the file ``path`` written atomically (a context
    manager: :func:`lexquery.files.atomic_output`)."""
    if not path or path == "-":
        return sys.stdout
    from ..files import atomic_output
    return atomic_output(path)
