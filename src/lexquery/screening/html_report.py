"""The HTML report a parquet would circulate: one self-contained file (inline CSS, JS, SVG).

Counts per procedure and status as a bar chart (inline SVG), the calendar of the next
fifteen days (who becomes eligible for what; deadlines about to pass: STE 112, the six
months of FD 2008/909, the préfecture notice), a filterable table of every output row,
and, for each case, the full text explanation (``lexquery ask`` rendering) behind an
anchor ``#c-<line>``. Nothing is fetched from the network.

Streaming: the table data go to a temporary file as the cases come; explanation lines
are stored once in a string table (most lines repeat from case to case); the page is
assembled at the end, copying the temporary file in blocks.
"""
from __future__ import annotations

import html
import re
import json
import shutil
import tempfile
from datetime import date
from importlib import resources

from .screen import HORIZON

STATUSES = ["applicable", "applicable_later", "undetermined", "not_applicable", "error"]
COLORS = {"applicable": "#2e7d32", "applicable_later": "#1565c0", "undetermined": "#f9a825",
          "not_applicable": "#9e9e9e", "error": "#c62828"}
STATUS_FR = {"applicable": "applicable", "applicable_later": "applicable plus tard",
             "undetermined": "indéterminé", "not_applicable": "non applicable", "error": "ligne rejetée"}
MAX_CALENDAR = 5000
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def procedure_labels() -> dict[str, str]:
    """Each procedure's label (its rule file's ``label.fr``): the report speaks to the parquet
    in words; the ids stay in the CSV and JSON outputs (docs/screening-csv.md)."""
    from ..rules.loader import load_rules
    return {pid: p.label.get("fr") or pid for pid, p in load_rules().procedures.items()}


def _js(v) -> str:
    return json.dumps(v, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")


def _e(s) -> str:
    return html.escape("" if s is None else str(s))


class HtmlWriter:
    wants_explanation = True

    def __init__(self, out, title="Criblage des détenus étrangers — procédures d'éloignement et de transfèrement"):
        self.out = out
        self.title = title
        self.tmp = tempfile.TemporaryFile("w+", encoding="utf-8")
        self.first = True
        self.procs: dict[str, int] = {}
        self.strings: dict[str, int] = {}   # explanation lines (dates taken out)
        self.blocks: dict[tuple, int] = {}   # blocks of lines: tuples of line indexes
        self.events: list[tuple] = []
        self.as_of_seen: set = set()
        self.labels: dict[str, str] = {}

    def _s(self, line: str) -> int:
        i = self.strings.get(line)
        if i is None:
            i = self.strings[line] = len(self.strings)
        return i

    def _explanation(self, lines: list[str]) -> list:
        """Blocks of the text rendering (a top-level line and its indented lines) as
        string-table indexes, the dates taken out as arguments: ``[block, date, date, block, …]``."""
        out: list = []
        block: list[str] = []

        def flush():
            if block:
                key = []
                for ln in block:
                    out_dates = _DATE.findall(ln)
                    dates.extend(out_dates)
                    key.append(self._s(_DATE.sub("\x00", ln) if out_dates else ln))
                key = tuple(key)
                b = self.blocks.get(key)
                if b is None:
                    b = self.blocks[key] = len(self.blocks)
                out.append(b)
                out.extend(dates)
                dates.clear()
                block.clear()
        dates: list[str] = []
        for ln in lines[1:]:  # line 0 (name, id, date) is rebuilt by the page
            if ln and not ln.startswith(" "):
                flush()
            block.append(ln)
        flush()
        return out

    def write(self, r):
        rows = []
        for row in r.rows:
            p = row["procedure"]
            pi = -1 if p is None else self.procs.setdefault(p, len(self.procs))
            missing = ", ".join(row["missing_facts"])
            rows.append([pi, row["state"], STATUSES.index(row["status"]), row["from"], row["until"],
                         row["consent_required"], missing, ", ".join(row.get("basis") or []),
                         " ; ".join(row.get("to_verify") or [])])
        expl = self._explanation(r.explanation or [])
        rec = [r.line, r.id, r.name, r.as_of, r.error, rows, expl]
        self.tmp.write(("" if self.first else ",\n") + _js(rec))
        self.first = False
        if r.as_of and len(self.as_of_seen) < 50:
            self.as_of_seen.add(r.as_of)
        for ev in r.events:
            self.labels.setdefault(ev["procedure"], ev["label"])
            if len(self.events) < MAX_CALENDAR * 4:
                self.events.append((ev["date"], 0 if ev["kind"] == "deadline" else 1, r.line, r.id, r.name, ev))

    # --- page parts ---------------------------------------------------------------
    def _cards(self, s) -> str:
        cards = [("cas lus", s.read, ""), ("répondus", s.answered, ""), ("rejetés", s.rejected, " err" if s.rejected else ""),
                 ("lignes de sortie", s.rows_out, ""),
                 ("éligibles ou échéances sous 15 j", len({e[2] for e in self.events}), "")]
        return "".join(f'<div class="card{c}"><div class="n">{n}</div>{_e(t)}</div>' for t, n, c in cards)

    def _chart(self, s) -> str:
        procs = sorted({p for p, _ in s.by_proc})
        names = procedure_labels()
        data = [(names.get(p, p), [s.by_proc.get((p, st), 0) for st in STATUSES[:4]]) for p in procs]
        if s.rejected:
            data.append(("lignes rejetées", [0, 0, 0, 0, s.rejected]))
        if not data:
            return "<p>Aucune ligne.</p>"
        left = 16 + 7 * max(len(p) for p, _ in data)   # the procedures' labels, in words
        width, bar_h, gap = left + 620, 24, 12
        top = 30
        height = top + len(data) * (bar_h + gap) + 10
        total_max = max(sum(v) for _, v in data) or 1
        scale = (width - left - 70) / total_max
        parts = [f'<svg role="img" aria-label="Lignes par procédure et statut" width="{width}" height="{height}" '
                 f'viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">']
        x = left
        for st in STATUSES:  # legend
            parts.append(f'<rect x="{x}" y="4" width="12" height="12" fill="{COLORS[st]}"/>'
                         f'<text x="{x + 16}" y="14">{_e(STATUS_FR[st])}</text>')
            x += 30 + 7 * len(STATUS_FR[st])
        for i, (p, vals) in enumerate(data):
            y = top + i * (bar_h + gap)
            parts.append(f'<text x="{left - 8}" y="{y + bar_h * 0.68}" text-anchor="end">{_e(p)}</text>')
            x = left
            vals = vals + [0] * (5 - len(vals))
            for st, v in zip(STATUSES, vals):
                if not v:
                    continue
                w = max(1.0, v * scale)
                parts.append(f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="{COLORS[st]}">'
                             f'<title>{_e(p)} — {_e(STATUS_FR[st])} : {v}</title></rect>')
                if w > 28:
                    fill = "#222" if st == "undetermined" else "#fff"
                    parts.append(f'<text x="{x + w / 2:.1f}" y="{y + bar_h * 0.68}" text-anchor="middle" fill="{fill}">{v}</text>')
                x += w
            parts.append(f'<text x="{x + 6:.1f}" y="{y + bar_h * 0.68}">{sum(vals)}</text>')
        parts.append("</svg>")
        return "\n".join(parts)

    def _calendar(self) -> str:
        if not self.events:
            return "<p>Rien dans les quinze prochains jours.</p>"
        evs = sorted(self.events, key=lambda e: (e[0], e[1], e[2]))
        more = len(evs) - MAX_CALENDAR
        rows = []
        for d, _, line, cid, name, ev in evs[:MAX_CALENDAR]:
            kind = "échéance" if ev["kind"] == "deadline" else "devient éligible"
            names = procedure_labels()
            proc = names.get(ev["procedure"], ev["procedure"]) + (f" (voie : {ev['label']})" if ev.get("route") else "")
            rows.append(f'<tr class="ev-{ev["kind"]}"><td>{_e(d)}</td><td>{kind}</td>'
                        f'<td><a href="#c-{line}">{_e(cid) or "ligne " + str(line)}</a></td><td>{_e(name)}</td>'
                        f'<td>{_e(proc)}</td><td>{_e(ev.get("state"))}</td><td>{_e(ev["text"])}</td></tr>')
        tail = f'<p class="small">… et {more} autre(s) événement(s), voir le tableau.</p>' if more > 0 else ""
        return ('<table class="calendar"><thead><tr><th>date</th><th>quoi</th><th>id</th><th>nom</th>'
                '<th>procédure</th><th>État</th><th>détail</th></tr></thead><tbody>'
                + "".join(rows) + "</tbody></table>" + tail)

    def close(self, s):
        from ..engine.api import VERSION
        tmpl = resources.files("lexquery").joinpath("data/report.html.tmpl").read_text(encoding="utf-8")
        head, tail = tmpl.split("/*@@DATA@@*/")
        dates = sorted(self.as_of_seen)
        start = dates[0] if dates else date.today().isoformat()
        end = (date.fromisoformat(dates[-1] if dates else start)).toordinal() + HORIZON
        end = date.fromordinal(end).isoformat()
        as_of_txt = dates[0] if len(dates) == 1 else (f"{dates[0]} … {dates[-1]}" if dates else "—")
        meta = (f"Fichier <b>{_e(s.source)}</b> — évalué au <b>{_e(as_of_txt)}</b> — "
                f"{s.read} cas lus, {s.answered} répondus, {s.rejected} rejetés — "
                f"lexquery {VERSION}, {s.seconds:.1f} s")
        if s.unknown_columns:
            meta += " — colonnes inconnues : " + ", ".join(_e(c) for c, _ in s.unknown_columns)
        if s.encoding_note():
            meta += " — " + _e(s.encoding_note())
        repl = {
            "@@TITLE@@": _e(self.title), "@@META@@": meta, "@@CARDS@@": self._cards(s),
            "@@CHART@@": self._chart(s), "@@CALENDAR@@": self._calendar(),
            "@@FROM@@": _e(start), "@@TO@@": _e(end),
            "@@FOOTER@@": "Réponses de lexquery (règles déclaratives, sources citées) : une aide au repérage, "
                          "à vérifier sur la fiche pénale ; « indéterminé » signale des faits manquants, pas un refus.",
            "@@PROCS@@": _js(list(self.procs)), "@@STATUSES@@": _js(STATUSES),
            "@@PROC_LABELS@@": _js([procedure_labels().get(p, p) for p in self.procs]),
            "@@STATUS_LABELS@@": _js([STATUS_FR.get(st, st) for st in STATUSES]),
        }
        strings_js = _js(list(self.strings)) + ";\nconst BLOCKS = " + _js([list(b) for b in self.blocks])
        for k, v in repl.items():
            head = head.replace(k, v)
        head = head.replace("@@STRINGS@@", strings_js)
        self.out.write(head)
        self.tmp.flush()
        self.tmp.seek(0)
        shutil.copyfileobj(self.tmp, self.out, 1 << 20)
        self.tmp.close()
        self.out.write(tail)
        self.out.flush()
