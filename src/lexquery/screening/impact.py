"""The impact of a simulated reform on a registry (``lexquery screen FILE --reform R.yaml``).

The registry is screened twice through the ordinary screening path
(:func:`lexquery.screening.screen.screen`): under the law as it is, and under the rule book
and reference data of the reform (:mod:`lexquery.engine.reform`). Both outputs are spooled
to temporary CSV files (the columns of docs/screening-csv.md), then read side by side, case
by case (both keep the order of the input): every case × procedure × State — and every
route of a procedure, as ``procedure/route`` — whose status, ``from`` or ``until`` differs is
a change. The impact gives, per procedure, the count of changes by transition
(``not_applicable → applicable``; ``applicable → applicable`` when only a date moves), the
list of the changed rows with their before/after columns, in text, CSV, JSON Lines, JSON and
an HTML page with a side-by-side view. Memory holds the changed rows only.
"""
from __future__ import annotations

import csv
import html
import json
import os
import shutil
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from itertools import groupby

from ..csvsafe import neutral
from ..engine.reform import effective_from

IMPACT_FIELDS = ["line", "id", "name", "as_of", "procedure", "route", "state", "change",
                 "status_before", "status_after", "from_before", "from_after",
                 "until_before", "until_after", "reform"]
STATUS_FR = {"applicable": "applicable", "applicable_later": "applicable plus tard",
             "undetermined": "indéterminé", "not_applicable": "non applicable", "error": "erreur",
             None: "absent"}


@dataclass
class Impact:
    """What a reform changes on one registry."""
    reform: dict                      # Reform.meta()
    source: str = ""
    as_of: str | None = None          # the evaluation date given (None: each row's own, or today)
    as_of_note: str | None = None
    cases: int = 0                    # cases read (both screenings read the same)
    changed_cases: int = 0
    rows_before: int = 0
    rows_after: int = 0
    rejected: int = 0
    counts: Counter = field(default_factory=Counter)   # (procedure, transition) -> n
    cases_by_procedure: Counter = field(default_factory=Counter)   # procedure (or procedure/route) -> changed cases
    changes: list[dict] = field(default_factory=list)
    seconds: dict = field(default_factory=dict)        # current, reformed, compare

    def by_procedure(self) -> dict:
        out: dict = {}
        for (p, t), n in sorted(self.counts.items()):
            out.setdefault(p, {})[t] = n
        return out

    def to_dict(self) -> dict:
        return {"reform": self.reform, "source": self.source, "as_of": self.as_of, "as_of_note": self.as_of_note,
                "cases": self.cases, "changed_cases": self.changed_cases, "changed_rows": len(self.changes),
                "rejected": self.rejected, "by_procedure": self.by_procedure(),
                "cases_by_procedure": dict(sorted(self.cases_by_procedure.items())),
                "seconds": {k: round(v, 3) for k, v in self.seconds.items()}, "changes": self.changes}


def transition(before: str | None, after: str | None) -> str:
    """``not_applicable → applicable`` (a status changes) or ``applicable → applicable`` (a date)."""
    return f"{before or 'absent'} → {after or 'absent'}"


def _routes(cell: str) -> dict[str, tuple[str, str | None]]:
    """The ``routes`` cell of docs/screening-csv.md: ``id:status[:from]|…``."""
    out = {}
    for part in (cell or "").split("|"):
        if part:
            bits = part.split(":")
            out[bits[0]] = (bits[1] if len(bits) > 1 else None, bits[2] if len(bits) > 2 else None)
    return out


_KEEP = ("line", "id", "name", "as_of", "procedure", "state", "status", "from", "until", "routes")


def _compare_case(before: list[tuple], after: list[tuple], reform_label: str, start: str | None = None) -> list[dict]:
    """The changed rows of one case (same input line), procedures then their routes. Rows are
    tuples of the columns ``_KEEP``. ``start``: the reform's date (ISO); a ``from`` under the
    reform earlier than it is read by :func:`lexquery.engine.reform.effective_from`."""
    if before == after:
        return []
    b = {(r[4], r[5]): r for r in before}
    a = {(r[4], r[5]): r for r in after}
    head = (after or before)[0]
    out = []
    none = (None,) * len(_KEEP)
    for k in list(b) + [k for k in a if k not in b]:
        rb, ra = b.get(k, none), a.get(k, none)
        if rb == ra:
            continue
        sb, sa, fb, fa, ub, ua = rb[6] or None, ra[6] or None, rb[7] or None, ra[7] or None, rb[8] or None, ra[8] or None
        if start and fa and fa < start and (ra[3] or "") >= start:   # a date before the reform: read from it
            fa = effective_from(fb, fa, start)
        base = {"line": head[0], "id": head[1], "name": head[2], "as_of": head[3], "procedure": k[0],
                "route": None, "state": k[1] or None}
        if (sb, fb, ub) != (sa, fa, ua):
            out.append({**base, "change": "status" if sb != sa else "date",
                        "status_before": sb, "status_after": sa, "from_before": fb, "from_after": fa,
                        "until_before": ub, "until_after": ua, "reform": reform_label})
        if rb[9] != ra[9]:
            rtb, rta = _routes(rb[9]), _routes(ra[9])
            for rid in list(rtb) + [x for x in rta if x not in rtb]:
                (s1, f1), (s2, f2) = rtb.get(rid, (None, None)), rta.get(rid, (None, None))
                if start and f2 and f2 < start and (ra[3] or "") >= start:
                    f2 = effective_from(f1, f2, start)
                if (s1, f1) != (s2, f2):
                    out.append({**base, "route": rid, "change": "status" if s1 != s2 else "date",
                                "status_before": s1, "status_after": s2, "from_before": f1, "from_after": f2,
                                "until_before": None, "until_after": None, "reform": reform_label})
    return [{k: r[k] for k in IMPACT_FIELDS} for r in out]


def compare_files(before_path: str, after_path: str, impact: Impact) -> Impact:
    """Read two screening CSVs of the same input side by side and fill ``impact``."""
    with open(before_path, newline="", encoding="utf-8") as fb, open(after_path, newline="", encoding="utf-8") as fa:
        rb, ra = csv.reader(fb), csv.reader(fa)
        hb, ha = next(rb, None), next(ra, None)
        if hb is None or ha is None:
            return impact
        ib, ia = [hb.index(c) for c in _KEEP], [ha.index(c) for c in _KEEP]
        tb = (tuple(r[i] for i in ib) for r in rb)
        ta = (tuple(r[i] for i in ia) for r in ra)
        gb, ga = groupby(tb, key=lambda r: r[0]), groupby(ta, key=lambda r: r[0])
        label = impact.reform.get("label", "")
        for (lb, rows_b), (la, rows_a) in zip(gb, ga):
            rows_b, rows_a = list(rows_b), list(rows_a)
            if lb != la:   # both screenings read the same input in the same order
                raise RuntimeError(f"screenings out of step: line {lb} vs {la}")
            impact.cases += 1
            impact.rows_before += len(rows_b)
            impact.rows_after += len(rows_a)
            if rows_b[0][6] == "error":
                impact.rejected += 1
            ch = _compare_case(rows_b, rows_a, label, impact.reform.get("from"))
            if ch:
                impact.changed_cases += 1
                procs = set()
                for c in ch:
                    p = c["procedure"] + (f"/{c['route']}" if c["route"] else "")
                    impact.counts[(p, transition(c["status_before"], c["status_after"]))] += 1
                    procs.add(p)
                impact.cases_by_procedure.update(procs)
                impact.changes += ch
    return impact


def _spool_input(path: str) -> tuple[str, bool]:
    """A path that can be read twice: the file itself, or standard input / a pipe copied to a
    temporary file (removed by the caller)."""
    if path not in ("-", None) and os.path.isfile(path):
        return path, False
    src = sys.stdin.buffer if path in ("-", None) else open(path, "rb")
    fd, tmp = tempfile.mkstemp(prefix="lexquery-reform-", suffix=".csv")
    with os.fdopen(fd, "wb") as out:
        shutil.copyfileobj(src, out)
    if src is not sys.stdin.buffer:
        src.close()
    return tmp, True


def screen_impact(path: str, reform, *, base=None, as_of: date | None = None, jobs: int = 1,
                  chunk: int = 200, progress: bool | None = None, label: str | None = None,
                  engine: str = "scalar") -> tuple[Impact, object, object]:
    """Screen ``path`` under the law and under ``reform`` (:class:`lexquery.engine.reform.Reform`);
    return the impact and both screenings' summaries. ``engine="columnar"``: both screenings over
    columns (``screening/columnar_pipeline.py``), each with the program compiled from its own rule
    book and reference data — the same bytes as the scalar engine's, so the same impact."""
    from ..engine.api import load_kb
    from .outputs import CsvWriter
    from .screen import screen
    base = base or load_kb()
    reformed = reform.engine(base)
    src, spooled = _spool_input(path)
    label = label or ("<stdin>" if path in ("-", None) else str(path))
    impact = Impact(reform=reform.meta(), source=label, as_of=as_of.isoformat() if as_of else None)
    tmps = []
    try:
        summaries = []
        for name, eng in (("current", base), ("reformed", reformed)):
            fd, tmp = tempfile.mkstemp(prefix=f"lexquery-{name}-", suffix=".csv")
            os.close(fd)
            tmps.append(tmp)
            t = time.perf_counter()
            with open(tmp, "w", encoding="utf-8", newline="") as out:
                if engine == "columnar":
                    from ..columnar.program import compile_book
                    from .columnar_pipeline import screen_columnar
                    summaries.append(screen_columnar(src, CsvWriter(out, ","), as_of=as_of, engine=eng,
                                                     program=compile_book(eng.book, eng.ref),
                                                     progress=progress, label=label))
                else:
                    summaries.append(screen(src, CsvWriter(out, ","), as_of=as_of, jobs=jobs, chunk=chunk,
                                            engine=eng, progress=progress, label=label))
            impact.seconds[name] = time.perf_counter() - t
        t = time.perf_counter()
        compare_files(tmps[0], tmps[1], impact)
        impact.seconds["compare"] = time.perf_counter() - t
    finally:
        for tmp in tmps + ([src] if spooled else []):
            try:
                os.unlink(tmp)
            except OSError:
                pass
    return impact, summaries[0], summaries[1]


# --- outputs -------------------------------------------------------------------------------

def _labels() -> dict:
    from ..rules.loader import load_rules
    out = {}
    for pid, p in load_rules().procedures.items():
        out[pid] = p.label.get("fr") or pid
        for rt in p.routes:
            out[f"{pid}/{rt.id}"] = f"{out[pid]} › {rt.label.get('fr') or rt.id}"
    return out


def render_text(imp: Impact, list_limit: int | None = None) -> str:
    r = imp.reform
    lines = [f"⚠ {r['label']} — {r['text']}",
             f"  à compter du {r['from']} ; modifie : " + "; ".join(r["changes"]),
             f"  (simulation : ce n'est pas le droit en vigueur)",
             f"{imp.source} : {imp.cases} cas lus, {imp.changed_cases} changent sous la réforme "
             f"({len(imp.changes)} lignes cas × procédure ou voie)"
             + (f", date d'évaluation {imp.as_of}" if imp.as_of else "")]
    if imp.as_of_note:
        lines.append(f"  note : {imp.as_of_note}")
    labels = _labels()
    by = imp.by_procedure()
    if by:
        lines.append("Changements par procédure (statut avant → après ; même statut : une date change) :")
        for p, ts in by.items():
            lines.append(f"  {labels.get(p, p)} [{p}] — {imp.cases_by_procedure.get(p, 0)} cas")
            for t, n in sorted(ts.items(), key=lambda kv: -kv[1]):
                lines.append(f"    {t:<45} {n:>7}")
        lines.append("Cas qui changent :")
        shown = imp.changes if list_limit is None else imp.changes[:list_limit]
        for c in shown:
            what = c["procedure"] + (f"/{c['route']}" if c["route"] else "") + (f" [{c['state']}]" if c["state"] else "")
            lines.append(f"  ligne {c['line']} {c['id'] or ''} {c['name'] or ''} — {what} : "
                         f"{_st(c, 'before')} → {_st(c, 'after')}")
        if list_limit is not None and len(imp.changes) > list_limit:
            lines.append(f"  … et {len(imp.changes) - list_limit} autres (-o impact.csv pour la liste entière)")
    else:
        lines.append("Aucun cas ne change sous la réforme à cette date.")
    return "\n".join(lines)


def _st(c, side) -> str:
    s = STATUS_FR.get(c[f"status_{side}"], c[f"status_{side}"])
    if c[f"from_{side}"]:
        s += f" du {c[f'from_{side}']}"
    if c[f"until_{side}"]:
        s += f" jusqu'au {c[f'until_{side}']}"
    return s


def write_csv(imp: Impact, out, sep: str = ",") -> None:
    w = csv.writer(out, delimiter=sep, lineterminator="\n")
    w.writerow(IMPACT_FIELDS)
    for c in imp.changes:
        w.writerow([neutral("" if c[k] is None else str(c[k])) for k in IMPACT_FIELDS])


def write_jsonl(imp: Impact, out) -> None:
    for c in imp.changes:
        out.write(json.dumps(c, ensure_ascii=False) + "\n")


def write_json(imp: Impact, out) -> None:
    out.write(json.dumps(imp.to_dict(), ensure_ascii=False, indent=1) + "\n")


_CSS = """body{font-family:system-ui,sans-serif;margin:1.5em;color:#222}
.banner{background:#fff3e0;border:2px solid #e65100;padding:.8em 1em;margin-bottom:1em}
table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;padding:.25em .5em;vertical-align:top}
th{background:#f5f5f5}.side td.b{background:#fafafa}.side td.a{background:#e8f5e9}
.applicable{color:#2e7d32;font-weight:600}.applicable_later{color:#1565c0}.undetermined{color:#f9a825}
.not_applicable{color:#757575}.num{text-align:right}input{margin:.5em 0;padding:.3em;width:24em}"""


def _e(v) -> str:
    return html.escape("" if v is None else str(v))


def write_html(imp: Impact, out) -> None:
    """One self-contained page: the reform's banner, the counts by procedure and transition, and
    every changed row side by side (law in force | reform), filterable."""
    r = imp.reform
    labels = _labels()
    parts = ["<!doctype html><html lang='fr'><head><meta charset='utf-8'>",
             f"<title>Impact — {_e(r['label'])}</title><style>{_CSS}</style></head><body>",
             f"<div class='banner'><strong>⚠ {_e(r['label'])}</strong> — simulation, pas le droit en vigueur<br>"
             f"Texte modélisé : {_e(r['text'])}<br>À compter du <strong>{_e(r['from'])}</strong> ; "
             f"modifie : {_e('; '.join(r['changes']))}</div>",
             f"<h1>Impact de la réforme sur {_e(imp.source)}</h1>",
             f"<p>{imp.cases} cas lus ; <strong>{imp.changed_cases}</strong> changent "
             f"({len(imp.changes)} lignes cas × procédure ou voie)"
             + (f" ; date d'évaluation {_e(imp.as_of)}" if imp.as_of else "") + ".</p>"]
    if imp.as_of_note:
        parts.append(f"<p><em>{_e(imp.as_of_note)}</em></p>")
    parts.append("<h2>Par procédure</h2><table><tr><th>procédure / voie</th><th>avant → après</th><th>lignes</th></tr>")
    for p, ts in imp.by_procedure().items():
        for i, (t, n) in enumerate(sorted(ts.items(), key=lambda kv: -kv[1])):
            first = (f"<td rowspan='{len(ts)}'>{_e(labels.get(p, p))}<br><code>{_e(p)}</code> — "
                     f"{imp.cases_by_procedure.get(p, 0)} cas</td>") if i == 0 else ""
            parts.append(f"<tr>{first}<td>{_e(t)}</td><td class='num'>{n}</td></tr>")
    parts.append("</table><h2>Cas qui changent — côte à côte</h2>"
                 "<input id='q' placeholder='filtrer (nom, id, procédure, statut)…' oninput='f()'>"
                 "<table class='side' id='t'><tr><th>ligne</th><th>cas</th><th>procédure / voie</th><th>État</th>"
                 "<th>droit en vigueur</th><th>réforme simulée</th></tr>")
    for c in imp.changes:
        p = c["procedure"] + (f"/{c['route']}" if c["route"] else "")
        cells = []
        for side, cls in (("before", "b"), ("after", "a")):
            st = c[f"status_{side}"]
            dates = " ".join(x for x in (f"du {c[f'from_{side}']}" if c[f"from_{side}"] else "",
                                         f"jusqu'au {c[f'until_{side}']}" if c[f"until_{side}"] else "") if x)
            cells.append(f"<td class='{cls}'><span class='{_e(st)}'>{_e(STATUS_FR.get(st, st))}</span> {_e(dates)}</td>")
        parts.append(f"<tr><td>{_e(c['line'])}</td><td>{_e(c['name'])} <code>{_e(c['id'])}</code></td>"
                     f"<td>{_e(labels.get(p, p))}</td><td>{_e(c['state'])}</td>{''.join(cells)}</tr>")
    parts.append("</table><script>function f(){var q=document.getElementById('q').value.toLowerCase();"
                 "var rows=document.getElementById('t').rows;for(var i=1;i<rows.length;i++){"
                 "rows[i].style.display=rows[i].textContent.toLowerCase().indexOf(q)<0?'none':''}}</script>"
                 "</body></html>\n")
    out.write("".join(parts))


WRITERS = {"csv": write_csv, "jsonl": write_jsonl, "json": write_json, "html": write_html}
