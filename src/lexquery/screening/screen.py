"""Screen a registry export: every row of a screening CSV answered, nothing lost.

One output row per case × procedure (× State); a row that cannot be read gives one
error row (``status`` = ``error``, its line number and message) and the batch goes on,
so as many cases come out as went in. Input is streamed: rows are read, answered in
chunks (in worker processes with ``jobs > 1``, order preserved, a bounded number of
chunks in flight; a lost worker's rows answered again or reported, :mod:`lexquery.workers`) and
written as they come; memory does not grow with the file (except the set of ids already
seen, to refuse duplicates, and the HTML report's calendar and string table).
"""
from __future__ import annotations

import csv
import gc
import io
import sys
import time
from collections import Counter
from contextlib import closing
from dataclasses import dataclass, field
from datetime import date, timedelta

from ..budget import check as check_budget
from ..csvsafe import neutral
from ..errors import CaseError
from .csv_cases import read_header
from .csv_columns import describe
from .csv_rows import Row, RowBuilder, normalise
from .csv_text import open_text
from ..workers import in_order
from ..engine.screen_row import FIELDS, procedure_cells


def status_words(lang: str = "fr") -> dict[str, str]:
    """The statuses in words, lower case, as the answer says them (render.status_line.STATUS:
    one table for the answer, the summary and the reports), and ``error`` (a rejected row)."""
    from ..render.status_line import STATUS
    words = {k: v.lower() for k, v in STATUS[lang].items()}
    words["error"] = "ligne rejetée" if lang == "fr" else "rejected row"
    return words


def procedure_names(lang: str = "fr") -> dict[str, str]:
    """Each procedure's label in ``lang`` (its rule file's ``label``, French when the rule gives no
    English), each route's as ``procedure/route`` « procedure › route »: the summaries and reports
    speak to the parquet in words; the ids stay in the CSV and JSON outputs (docs/screening-csv.md)."""
    from ..rules.loader import load_rules
    out = {}
    for pid, p in load_rules().procedures.items():
        out[pid] = p.label.get(lang) or p.label.get("fr") or pid
        for rt in p.routes:
            out[f"{pid}/{rt.id}"] = f"{out[pid]} › {rt.label.get(lang) or rt.label.get('fr') or rt.id}"
    return out


# the words of the screening's own lines (the summary, the calendar of the report), French and English
WORDS = {
    "fr": {"read": "cas lus", "answered": "répondus", "rejected": "rejetés", "error_status": "(statut error)",
           "rows_out": "lignes de sortie", "per_second": "cas/s", "procedure": "procédure",
           "unknown_column": "colonne inconnue", "did_you_mean": "vouliez-vous dire",
           "every_row_rejected": "chaque ligne est rejetée", "becomes": "devient applicable",
           "last_day": "dernier jour", "internal": "erreur interne"},
    "en": {"read": "cases read", "answered": "answered", "rejected": "rejected", "error_status": "(status error)",
           "rows_out": "output rows", "per_second": "cases/s", "procedure": "procedure",
           "unknown_column": "unknown column", "did_you_mean": "did you mean",
           "every_row_rejected": "every row is rejected", "becomes": "becomes applicable",
           "last_day": "last day", "internal": "internal error"},
}
HORIZON = 15  # days: the registry sends its list at least every fifteen days (Circ. 2025 §1.2)


@dataclass
class CaseResult:
    """What one input row gives: its output rows, calendar events and (for HTML) explanation."""
    line: int
    id: str | None
    name: str | None
    as_of: str | None
    rows: list[dict]
    error: str | None = None
    events: list[dict] = field(default_factory=list)
    explanation: list[str] | None = None
    words: list[dict] | None = None     # per row, what it says to a person (row_words; HTML report)


_COLON = {"fr": " : ", "en": ": "}


def _iso(d):
    return d.isoformat() if isinstance(d, date) else d


def _events(p, as_of: date, route_of=None, lang: str = "fr") -> list[dict]:
    """Calendar events of one procedure result within the horizon after as_of (their words in
    ``lang``; the notes' texts are the answer's, asked in that language)."""
    end = as_of + timedelta(days=HORIZON)
    out = []
    w = WORDS[lang]
    label = p.label.get(lang) or p.label.get("fr")
    base = {"procedure": route_of or p.procedure, "route": p.procedure if route_of else None,
            "state": p.state, "label": label, "status": p.status}
    if p.status == "applicable_later" and p.date_from and as_of < p.date_from <= end:
        out.append(dict(base, kind="eligible", date=p.date_from.isoformat(),
                        text=f"{w['becomes']}{_COLON[lang]}{label}" + (f" — {p.state}" if p.state else "")))
    if p.status != "not_applicable":
        noted = set()
        for n in p.notes:
            if n.date is not None and as_of <= n.date <= end and n.kind in ("warning", "step", "duty", "info"):
                noted.add(n.date)
                out.append(dict(base, kind="deadline", date=n.date.isoformat(), text=n.text, note=n.id))
        if p.date_until and as_of <= p.date_until <= end and p.date_until not in noted:
            out.append(dict(base, kind="deadline", date=p.date_until.isoformat(),
                            text=f"{w['last_day']}{_COLON[lang]}{label}" + (f" — {p.state}" if p.state else "")))
    for r in p.routes:
        out += _events(r, as_of, route_of=p.procedure, lang=lang)
    return out


def answer_rows(answer, line: int, cid, events: bool = True, lang: str = "fr") -> tuple[list[dict], list[dict]]:
    """Flatten an Answer into output rows (one per procedure and State) and calendar events
    (their words in ``lang``; the rows' cells are ids and dates whatever the language)."""
    want_events = events
    rows, events = [], []
    as_of = answer.as_of
    for p in answer.procedures:
        rows.append({
            "line": line, "id": cid, "name": answer.name, "as_of": _iso(as_of),
            "procedure": p.procedure, "state": p.state, "status": p.status,
            "from": _iso(p.date_from), "until": _iso(p.date_until),
            "consent_required": p.consent_required,
            "missing_facts": list(p.missing_facts), "sources": list(p.sources),
            "routes": [f"{r.procedure}:{r.status}" + (f":{_iso(r.date_from)}" if r.date_from else "")
                       for r in p.routes],
            "deadlines": [f"{n.id}:{_iso(n.date)}" for n in p.notes if n.date is not None],
            "message": None,
            "basis": [b["id"] for b in p.basis],
            "to_verify": [v["fact"] for v in p.to_verify],
        })
        if want_events:
            events += _events(p, as_of, lang=lang)
    return rows, events


def row_words(answer, lang: str = "fr") -> list[dict]:
    """What the rows of ``answer`` (:func:`answer_rows`, same order) say to a person, in ``lang``:
    the missing facts as labels (engine.fields.fact_label), the legal basis as its label, what
    to verify as the entry's note (docs/answer-format.md, ``to_verify``) — the HTML report's
    table; the ids stay in the CSV and JSON outputs."""
    from ..engine.fields import fact_label
    from ..render.text import _unprefixed
    out = []
    for p in answer.procedures:
        out.append({
            "missing_facts": [fact_label(f, lang) for f in p.missing_facts],
            "basis": [(b.get("label") or {}).get(lang) or (b.get("label") or {}).get("fr") or b["id"]
                      if isinstance(b.get("label"), dict) else (b.get("label") or b["id"]) for b in p.basis],
            "to_verify": [_unprefixed(v.get("note") or v["fact"]) for v in p.to_verify],
        })
    return out


def error_result(line: int, cid, message: str, as_of=None) -> CaseResult:
    row = {k: None for k in FIELDS}
    row.update(line=line, id=cid, status="error", message=message, as_of=_iso(as_of),
               missing_facts=[], sources=[], routes=[], deadlines=[], basis=[], to_verify=[])
    return CaseResult(line, cid, None, _iso(as_of), [row], error=message)


def answer_one(engine, row: Row, as_of: date | None, label: str, explain: bool = False,
               lang: str = "fr") -> CaseResult:
    """Answer one CSV row; never raises (an unreadable row or an engine failure is an error row).

    Without ``explain`` the engine builds no explanation (the columns of the output are
    the same, tests/test_screen_fast.py) and no calendar events are computed (only the HTML
    report, which explains, shows them). ``lang``: the language of what the report shows a
    person (explanation, calendar, notes, an error row's message); the rows' ids do not change."""
    try:
        case = normalise(row, as_of, f"{label}:{row.line}")
    except CaseError as e:
        # explained (the HTML report): said to a person, the column without the case-format path
        return error_result(row.line, row.id, describe(e.problems, lang, paths=not explain), as_of)
    try:
        ans = engine.ask(case, None, explain=explain, lang=lang)
    except Exception as e:  # a defect must not stop the batch: say so on that row
        return error_result(row.line, row.id, f"{WORDS[lang]['internal']}{_COLON[lang]}{type(e).__name__}: {e}", as_of)
    rows, events = answer_rows(ans, row.line, row.id, events=explain, lang=lang)
    expl = words = None
    if explain:
        from ..render.text import render_text
        expl = render_text(ans, lang=lang).split("\n")
        words = row_words(ans, lang)
    return CaseResult(row.line, row.id, ans.name, _iso(ans.as_of), rows, None, events, expl, words)


def _csv_cell(v):
    if v is None:
        return ""
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, list):
        return "|".join(v)
    return v


def answer_csv(engine, builder: RowBuilder, records, as_of: date | None, label: str, sep: str = ","):
    """Answer a chunk of records straight to CSV lines (the columns of ``FIELDS``).

    Cells a spreadsheet would run as a formula are neutralised (:func:`lexquery.csvsafe.neutral`).
    Returns ``(text, counts)``: the rows as CSV text (same cells as
    :class:`~lexquery.screening.outputs.CsvWriter` writes from :func:`answer_rows`) and
    ``(read, answered, rejected, rows_out, {(procedure, status): n})`` for the summary.
    """
    gc_was = gc.isenabled()
    gc.disable()  # an answer makes no reference cycle: the collector would only walk live objects
    try:
        return _answer_csv(engine, builder, records, as_of, label, sep)
    finally:
        if gc_was:
            gc.enable()


def _answer_csv(engine, builder, records, as_of, label, sep=","):
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=sep, lineterminator="\n")
    writerow = w.writerow
    by_proc: dict = {}
    answered = rejected = rows_out = 0
    for rec in records:
        row = builder.row(rec)
        ans = None
        try:
            case = normalise(row, as_of, f"{label}:{row.line}")
        except CaseError as e:
            err = error_result(row.line, row.id, describe(e.problems), as_of)
        else:
            try:
                ans = engine.ask(case, None, explain=False)
            except Exception as e:  # a defect must not stop the batch: say so on that row
                err = error_result(row.line, row.id, f"erreur interne : {type(e).__name__}: {e}", as_of)
        if ans is not None:
            answered += 1
            line, cid, name, a_of = row.line, neutral(row.id), neutral(ans.name), _iso(ans.as_of)
            for p in ans.procedures:
                key = (p.procedure, p.status)
                by_proc[key] = by_proc.get(key, 0) + 1
                writerow(procedure_cells(line, cid, name, a_of, p))
            rows_out += len(ans.procedures)
            continue
        rejected += 1
        rows_out += 1
        w.writerow([neutral(_csv_cell(err.rows[0][k])) for k in FIELDS])
    return buf.getvalue(), (len(records), answered, rejected, rows_out, by_proc)


def lost_rows(builder: RowBuilder, records, as_of, reason: str, as_text: bool, sep: str = ",",
              lang: str = "fr"):
    """The rows of a chunk no worker could answer (:func:`lexquery.workers.in_order`:
    its workers died or stalled): one error row each, saying so, in the chunk's shape — CSV text
    and counts (:func:`answer_csv`) or :class:`CaseResult` s. Never lost, never guessed. The CSV
    text's message is French, as every message of the machine outputs (docs/screening-csv.md)."""
    if as_text:
        lang = "fr"
    message = (f"{WORDS[lang]['internal']}{_COLON[lang]}"
               + (f"processus de calcul perdu ({reason}) — ligne non répondue, criblez-la à nouveau"
                  if lang == "fr" else f"worker process lost ({reason}) — line not answered, screen it again"))
    results = []
    for rec in records:
        row = builder.row(rec)
        results.append(error_result(row.line, row.id, message, as_of))
    if not as_text:
        return results
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=sep, lineterminator="\n")
    for err in results:
        w.writerow([neutral(_csv_cell(err.rows[0][k])) for k in FIELDS])
    n = len(results)
    return buf.getvalue(), (n, 0, n, n, {})


def _chunks(it, size):
    buf = []
    for x in it:
        buf.append(x)
        if len(buf) >= size:
            yield buf
            buf = []
    if buf:
        yield buf


@dataclass
class Summary:
    read: int = 0
    answered: int = 0
    rejected: int = 0
    rows_out: int = 0
    by_proc: Counter = field(default_factory=Counter)     # (procedure, status) -> output rows
    seconds: float = 0.0
    unknown_columns: list = field(default_factory=list)
    separator: str = ","
    source: str = ""
    ansi_lines: int = 0                  # lines that were not UTF-8, read as Windows-1252
    first_ansi_line: int | None = None
    lines: int = 0                       # non-blank data lines: lines == read + spanning_lines
    spanning: int = 0                    # cases whose quoted cell spans several lines
    spanning_lines: int = 0              # their lines after the first
    split: int = 0                       # stray quotes: the line read alone (an error row)

    def encoding_note(self, lang: str = "fr") -> str | None:
        """What the reader of the summary must know when some lines were not UTF-8."""
        if not self.ansi_lines:
            return None
        if lang == "en":
            return (f"{self.ansi_lines} non-UTF-8 line(s) read as Windows-1252 (« ANSI »), the first one "
                    f"line {self.first_ansi_line}: check the accents of the names; the codes, dates and "
                    "identifiers the rules read do not depend on them — save the export as UTF-8")
        return (f"{self.ansi_lines} ligne(s) non UTF-8 lue(s) comme Windows-1252 (« ANSI »), la première "
                f"ligne {self.first_ansi_line} : vérifiez les accents des noms ; les codes, dates et "
                "identifiants que lisent les règles n'en dépendent pas — enregistrez l'export en UTF-8")

    def add(self, r: CaseResult):
        self.read += 1
        if r.error is not None:
            self.rejected += 1
        else:
            self.answered += 1
            for row in r.rows:
                self.by_proc[(row["procedure"], row["status"])] += 1
        self.rows_out += len(r.rows)

    def add_counts(self, counts):
        """Add what :func:`answer_csv` counted over a chunk."""
        read, answered, rejected, rows_out, by_proc = counts
        self.read += read
        self.answered += answered
        self.rejected += rejected
        self.rows_out += rows_out
        self.by_proc.update(by_proc)

    def to_dict(self) -> dict:
        procs: dict = {}
        for (p, s), n in sorted(self.by_proc.items()):
            procs.setdefault(p, {})[s] = n
        return {"source": self.source, "read": self.read, "answered": self.answered,
                "rejected": self.rejected, "output_rows": self.rows_out,
                "by_procedure": procs, "seconds": round(self.seconds, 3),
                "cases_per_second": round(self.read / self.seconds, 1) if self.seconds else None,
                "unknown_columns": [c for c, _ in self.unknown_columns], "separator": self.separator,
                "non_utf8_lines": self.ansi_lines, "data_lines": self.lines,
                "multiline_cases": self.spanning, "unclosed_quotes": self.split}

    def render(self, lang: str = "fr") -> str:
        """The summary a person reads on the terminal, in ``lang``: the procedures' labels and the
        statuses in words (:func:`procedure_names`, :func:`status_words`), not their ids."""
        w, words = WORDS[lang], status_words(lang)
        c = _COLON[lang]
        statuses = ["applicable", "applicable_later", "undetermined", "not_applicable"]
        rate = ""
        if self.seconds:
            n = f"{self.read / self.seconds:,.0f}"
            rate = f", {n.replace(',', ' ') if lang == 'fr' else n} {w['per_second']}"
        lines = [f"{self.source}{c}{self.read} {w['read']}, {self.answered} {w['answered']}, {self.rejected} "
                 f"{w['rejected']} {w['error_status']} — {self.rows_out} {w['rows_out']}, {self.seconds:.1f} s" + rate]
        procs = sorted({p for p, _ in self.by_proc})
        if procs:   # in words for the parquet: the rules' labels, not the procedures' ids
            names = procedure_names(lang)
            names = {p: names.get(p, p) for p in procs}
            wd = max(len(n) for n in names.values())
            col = max(16, 2 + max(len(words[s]) for s in statuses))
            lines.append("  " + w["procedure"].ljust(wd) + "".join(f"{words[s]:>{col}}" for s in statuses))
            for p in procs:
                lines.append("  " + names[p].ljust(wd) + "".join(f"{self.by_proc.get((p, s), 0):>{col}}" for s in statuses))
        for col_name, close in self.unknown_columns:
            lines.append(f"  ! {w['unknown_column']} « {col_name} »"
                         + (f" ({w['did_you_mean']} « {close} » ?)" if close and lang == "fr" else
                            f" ({w['did_you_mean']} « {close} »?)" if close else "")
                         + f"{c}{w['every_row_rejected']}")
        if self.encoding_note():
            lines.append("  ! " + self.encoding_note(lang))
        if self.spanning:
            lines.append(f"  ! {self.lines} lignes de données pour {self.read} cas : {self.spanning} cas ont une "
                         f"cellule entre guillemets sur plusieurs lignes ({self.spanning_lines} ligne(s) de plus)"
                         if lang == "fr" else
                         f"  ! {self.lines} data lines for {self.read} cases: {self.spanning} case(s) have a quoted "
                         f"cell over several lines ({self.spanning_lines} more line(s))")
        if self.split:
            lines.append(f"  ! {self.split} ligne(s) avec un guillemet ouvrant jamais refermé : chacune est une "
                         "ligne « error », les suivantes sont lues pour elles-mêmes" if lang == "fr" else
                         f"  ! {self.split} line(s) with an opening quote never closed: each is an « error » "
                         "row, the lines after it are read on their own")
        return "\n".join(lines)


class Progress:
    """A one-line progress bar on stderr, only when stderr is a terminal."""

    def __init__(self, total_bytes, stream, enabled=None, lang: str = "fr"):
        self.lang = lang
        self.total = total_bytes
        self.stream = stream
        self.enabled = sys.stderr.isatty() if enabled is None else enabled
        self.t0 = self.last = time.perf_counter()

    def update(self, n, force=False):
        if not self.enabled:
            return
        now = time.perf_counter()
        if not force and now - self.last < 0.2:
            return
        self.last = now
        rate = n / (now - self.t0) if now > self.t0 else 0
        pct = ""
        if self.total:
            try:
                done = min(1.0, self.stream.buffer.tell() / self.total)
                bar = "█" * int(done * 30) + "·" * (30 - int(done * 30))
                pct = f"[{bar}] {done * 100:5.1f} % "
            except (OSError, ValueError, AttributeError):
                pass
        if self.lang == "en":
            sys.stderr.write(f"\r  {pct}{n} cases, {rate:,.0f} cases/s ")
        else:
            sys.stderr.write(f"\r  {pct}{n} cas, {rate:,.0f} cas/s ".replace(",", " "))
        sys.stderr.flush()

    def done(self):
        if self.enabled:
            sys.stderr.write("\r" + " " * 79 + "\r")
            sys.stderr.flush()


def screen(path, writer, as_of: date | None = None, jobs: int = 1, chunk: int = 200,
           engine=None, progress: bool | None = None, label: str | None = None,
           lang: str | None = None) -> Summary:
    """Screen the CSV at ``path`` (``-`` = stdin) into ``writer``; return the summary.

    ``label`` names the input in messages and the report instead of ``path`` (an upload);
    ``lang``: the progress bar's language (default: the writer's, French for the machine outputs,
    whose rows do not change with the language)."""
    from ..engine.api import load_kb
    engine = engine or load_kb()
    if hasattr(engine, "prepare_batch"):
        engine.prepare_batch()
    stream, opened_as, size = open_text(path)
    label = label or opened_as
    t0 = time.perf_counter()
    summary = Summary(source=label)
    explain = getattr(writer, "wants_explanation", False)
    lang = getattr(writer, "lang", "fr")   # the HTML report's language (machine outputs: ids, whatever it is)
    try:
        header, records = read_header(stream)
        summary.unknown_columns, summary.separator = header.unknown, header.separator
        builder = RowBuilder(header)
        bar = Progress(size, stream, progress, lang or getattr(writer, "lang", "fr"))
        as_text = getattr(writer, "accepts_csv_text", False) and not explain
        if hasattr(writer, "begin"):   # a CSV answer takes the input's separator (or its fixed one)
            writer.begin(header.separator)
        sep = getattr(writer, "separator", ",")

        def emit(results):
            if as_text:
                text, counts = results
                summary.add_counts(counts)
                writer.write_text(text)
            else:
                for r in results:
                    summary.add(r)
                    writer.write(r)
            bar.update(summary.read)

        def parts():
            for part in _chunks(records, chunk):
                check_budget()   # a server request past its time stops here (lexquery.budget)
                yield part

        if as_text:
            def work(part):
                return answer_csv(engine, builder, part, as_of, label, sep)
        else:
            def work(part):
                return [answer_one(engine, builder.row(r), as_of, label, explain, lang) for r in part]

        def lost(part, reason):   # a chunk whose workers were lost: every row out, as an error row
            return lost_rows(builder, part, as_of, reason, as_text, sep, lang)

        # in worker processes with jobs > 1 (forked, the engine inherited), in order, none lost
        with closing(in_order(parts(), work, jobs, lost)) as results:
            for r in results:
                emit(r)
        bar.update(summary.read, force=True)
        bar.done()
        summary.lines, summary.spanning = records.lines, records.spanning
        summary.spanning_lines, summary.split = records.extra_lines, records.split
        summary.ansi_lines = getattr(stream, "ansi_lines", 0)
        summary.first_ansi_line = getattr(stream, "first_ansi_line", None)
    finally:
        if path not in ("-", None):
            stream.close()
    summary.seconds = time.perf_counter() - t0
    writer.close(summary)
    return summary
