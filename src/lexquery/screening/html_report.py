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

from .screen import HORIZON, procedure_names, status_words

STATUSES = ["applicable", "applicable_later", "undetermined", "not_applicable", "error"]
COLORS = {"applicable": "#2e7d32", "applicable_later": "#1565c0", "undetermined": "#f9a825",
          "not_applicable": "#9e9e9e", "error": "#c62828"}
STATUS_FR = status_words("fr")   # the statuses in words (render.status_line.STATUS, lower case)
MAX_CALENDAR = 5000
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_WORD = re.compile(r"@@w\.([a-z_]+)@@")

# the report's own words (its template's @@w.<key>@@ and its script's W.<key>), French and English
WORDS = {
    "fr": {
        "title": "Criblage des détenus étrangers — procédures d'éloignement et de transfèrement",
        "read": "cas lus", "answered": "répondus", "rejected": "rejetés", "rows_out": "lignes de sortie",
        "soon": "éligibles ou échéances sous 15 j", "rejected_rows": "lignes rejetées", "no_rows": "Aucune ligne.",
        "chart_label": "Lignes par procédure et statut", "nothing_soon": "Rien dans les quinze prochains jours.",
        "deadline": "échéance", "eligible": "devient éligible", "route": "voie", "line": "ligne",
        "more_events": "… et {n} autre(s) événement(s), voir le tableau.",
        "c_date": "date", "c_what": "quoi", "c_id": "id", "c_name": "nom", "c_procedure": "procédure",
        "c_state": "État", "c_detail": "détail",
        "file": "Fichier", "as_of": "évalué au", "unknown_columns": "colonnes inconnues",
        "footer": "Réponses de lexquery (règles déclaratives, sources citées) : une aide au repérage, "
                  "à vérifier sur la fiche pénale ; « indéterminé » signale des faits manquants, pas un refus.",
        "close": "fermer", "h_chart": "Procédures et statuts",
        "chart_note": "Lignes de sortie (une par cas, procédure et État) par procédure et statut.",
        "h_calendar": "Calendrier des quinze prochains jours",
        "calendar_note": "Qui devient éligible à quoi, et les délais qui vont expirer (STE 112, six mois de la "
                         "décision-cadre 2008/909, avis à la préfecture…), du",
        "to": "au", "calendar_links": "Chaque ligne renvoie au raisonnement complet du cas.",
        "h_table": "Tableau des réponses", "search": "Recherche (identifiant, nom, État, faits manquants)",
        "search_example": "ex. RO, dupont, date de fin de peine", "f_procedure": "Procédure", "all_f": "toutes",
        "f_status": "Statut", "all_m": "tous", "f_state": "État", "state_example": "ex. MA",
        "prev": "‹ précédent", "next": "suivant ›",
        "t_line": "ligne", "t_id": "id", "t_name": "nom", "t_procedure": "procédure", "t_state": "État",
        "t_status": "statut", "t_from": "à partir du", "t_until": "jusqu'au", "t_consent": "consentement",
        "t_missing": "faits manquants / message", "t_basis": "fondement", "t_verify": "à vérifier",
        "noscript": "Le tableau filtrable et les explications demandent JavaScript (intégré à ce fichier, "
                    "sans accès au réseau).",
        # the script's words
        "rows_count": "ligne(s)", "page": "page", "yes": "oui", "no": "non", "Line": "Ligne",
        "no_id": "(sans identifiant)", "rejected_line": "Ligne rejetée : ", "at": "au",
    },
    "en": {
        "title": "Screening of foreign detainees — removal and transfer procedures",
        "read": "cases read", "answered": "answered", "rejected": "rejected", "rows_out": "output rows",
        "soon": "eligible or deadlines within 15 days", "rejected_rows": "rejected rows", "no_rows": "No row.",
        "chart_label": "Rows by procedure and status", "nothing_soon": "Nothing in the next fifteen days.",
        "deadline": "deadline", "eligible": "becomes eligible", "route": "route", "line": "line",
        "more_events": "… and {n} more event(s), see the table.",
        "c_date": "date", "c_what": "what", "c_id": "id", "c_name": "name", "c_procedure": "procedure",
        "c_state": "State", "c_detail": "detail",
        "file": "File", "as_of": "evaluated as of", "unknown_columns": "unknown columns",
        "footer": "Answers of lexquery (declarative rules, sources cited): an aid to spotting cases, to be "
                  "checked against the prison record (fiche pénale); « undetermined » flags missing facts, not a refusal.",
        "close": "close", "h_chart": "Procedures and statuses",
        "chart_note": "Output rows (one per case, procedure and State) by procedure and status.",
        "h_calendar": "Calendar of the next fifteen days",
        "calendar_note": "Who becomes eligible for what, and the time limits about to expire (ETS 112, six months "
                         "of framework decision 2008/909, notice to the préfecture…), from",
        "to": "to", "calendar_links": "Each line links to the full reasoning of the case.",
        "h_table": "Table of answers", "search": "Search (identifier, name, State, missing facts)",
        "search_example": "e.g. RO, dupont, expected end of sentence", "f_procedure": "Procedure", "all_f": "all",
        "f_status": "Status", "all_m": "all", "f_state": "State", "state_example": "e.g. MA",
        "prev": "‹ previous", "next": "next ›",
        "t_line": "line", "t_id": "id", "t_name": "name", "t_procedure": "procedure", "t_state": "State",
        "t_status": "status", "t_from": "from", "t_until": "until", "t_consent": "consent",
        "t_missing": "missing facts / message", "t_basis": "basis", "t_verify": "to verify",
        "noscript": "The filterable table and the explanations need JavaScript (inside this file, "
                    "without network access).",
        "rows_count": "row(s)", "page": "page", "yes": "yes", "no": "no", "Line": "Line",
        "no_id": "(no identifier)", "rejected_line": "Rejected row: ", "at": "as of",
    },
}
_SCRIPT_WORDS = ("rows_count", "page", "yes", "no", "Line", "no_id", "rejected_line", "at")


def procedure_labels(lang: str = "fr") -> dict[str, str]:
    """Each procedure's label (its rule file's ``label``, in ``lang``): the report speaks to the
    parquet in words; the ids stay in the CSV and JSON outputs (docs/screening-csv.md)."""
    names = procedure_names(lang)
    return {k: v for k, v in names.items() if "/" not in k}


def _js(v) -> str:
    return json.dumps(v, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")


def _e(s) -> str:
    return html.escape("" if s is None else str(s))


class HtmlWriter:
    wants_explanation = True

    def __init__(self, out, title: str | None = None, lang: str = "fr"):
        self.out = out
        self.lang = lang   # read by screening.screen: the answers, notes and explanations in this language
        self.w = WORDS[lang]
        self.status_words = status_words(lang)
        self.names = procedure_names(lang)
        self.title = title or self.w["title"]
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
        words = r.words or [None] * len(r.rows)
        for row, said in zip(r.rows, words):
            p = row["procedure"]
            pi = -1 if p is None else self.procs.setdefault(p, len(self.procs))
            # what a person reads: the missing facts, the basis and what to verify in words
            # (screen.row_words), never their ids or JSON paths (those stay in the CSV)
            said = said or {"missing_facts": row["missing_facts"], "basis": row.get("basis") or [],
                            "to_verify": row.get("to_verify") or []}
            rows.append([pi, row["state"], STATUSES.index(row["status"]), row["from"], row["until"],
                         row["consent_required"], ", ".join(said["missing_facts"]), " ; ".join(said["basis"]),
                         " ; ".join(said["to_verify"])])
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
        w = self.w
        cards = [(w["read"], s.read, ""), (w["answered"], s.answered, ""),
                 (w["rejected"], s.rejected, " err" if s.rejected else ""), (w["rows_out"], s.rows_out, ""),
                 (w["soon"], len({e[2] for e in self.events}), "")]
        return "".join(f'<div class="card{c}"><div class="n">{n}</div>{_e(t)}</div>' for t, n, c in cards)

    def _chart(self, s) -> str:
        procs = sorted({p for p, _ in s.by_proc})
        names, w, sw = self.names, self.w, self.status_words
        data = [(names.get(p, p), [s.by_proc.get((p, st), 0) for st in STATUSES[:4]]) for p in procs]
        if s.rejected:
            data.append((w["rejected_rows"], [0, 0, 0, 0, s.rejected]))
        if not data:
            return f"<p>{_e(w['no_rows'])}</p>"
        left = 16 + 7 * max(len(p) for p, _ in data)   # the procedures' labels, in words
        width, bar_h, gap = left + 620, 24, 12
        top = 30
        height = top + len(data) * (bar_h + gap) + 10
        total_max = max(sum(v) for _, v in data) or 1
        scale = (width - left - 70) / total_max
        parts = [f'<svg role="img" aria-label="{_e(w["chart_label"])}" width="{width}" height="{height}" '
                 f'viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">']
        x = left
        colon = " : " if self.lang == "fr" else ": "
        for st in STATUSES:  # legend
            parts.append(f'<rect x="{x}" y="4" width="12" height="12" fill="{COLORS[st]}"/>'
                         f'<text x="{x + 16}" y="14">{_e(sw[st])}</text>')
            x += 30 + 7 * len(sw[st])
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
                             f'<title>{_e(p)} — {_e(sw[st])}{colon}{v}</title></rect>')
                if w > 28:
                    fill = "#222" if st == "undetermined" else "#fff"
                    parts.append(f'<text x="{x + w / 2:.1f}" y="{y + bar_h * 0.68}" text-anchor="middle" fill="{fill}">{v}</text>')
                x += w
            parts.append(f'<text x="{x + 6:.1f}" y="{y + bar_h * 0.68}">{sum(vals)}</text>')
        parts.append("</svg>")
        return "\n".join(parts)

    def _calendar(self) -> str:
        w = self.w
        if not self.events:
            return f"<p>{_e(w['nothing_soon'])}</p>"
        evs = sorted(self.events, key=lambda e: (e[0], e[1], e[2]))
        more = len(evs) - MAX_CALENDAR
        rows = []
        for d, _, line, cid, name, ev in evs[:MAX_CALENDAR]:
            kind = w["deadline"] if ev["kind"] == "deadline" else w["eligible"]
            colon = " : " if self.lang == "fr" else ": "
            proc = (self.names.get(ev["procedure"], ev["procedure"])
                    + (f" ({w['route']}{colon}{ev['label']})" if ev.get("route") else ""))
            rows.append(f'<tr class="ev-{ev["kind"]}"><td>{_e(d)}</td><td>{kind}</td>'
                        f'<td><a href="#c-{line}">{_e(cid) or w["line"] + " " + str(line)}</a></td><td>{_e(name)}</td>'
                        f'<td>{_e(proc)}</td><td>{_e(ev.get("state"))}</td><td>{_e(ev["text"])}</td></tr>')
        tail = f'<p class="small">{_e(w["more_events"].format(n=more))}</p>' if more > 0 else ""
        head = "".join(f"<th>{_e(w[k])}</th>" for k in ("c_date", "c_what", "c_id", "c_name", "c_procedure",
                                                          "c_state", "c_detail"))
        return (f'<table class="calendar"><thead><tr>{head}</tr></thead><tbody>'
                + "".join(rows) + "</tbody></table>" + tail)

    def close(self, s):
        from ..engine.api import VERSION
        tmpl = resources.files("lexquery").joinpath("data/report.html.tmpl").read_text(encoding="utf-8")
        # the template's own words first (before any text of the file is put in it)
        tmpl = _WORD.sub(lambda m: _e(WORDS[self.lang][m.group(1)]), tmpl)
        head, tail = tmpl.split("/*@@DATA@@*/")
        dates = sorted(self.as_of_seen)
        start = dates[0] if dates else date.today().isoformat()
        end = (date.fromisoformat(dates[-1] if dates else start)).toordinal() + HORIZON
        end = date.fromordinal(end).isoformat()
        as_of_txt = dates[0] if len(dates) == 1 else (f"{dates[0]} … {dates[-1]}" if dates else "—")
        w = self.w
        colon = " : " if self.lang == "fr" else ": "
        meta = (f"{_e(w['file'])} <b>{_e(s.source)}</b> — {_e(w['as_of'])} <b>{_e(as_of_txt)}</b> — "
                f"{s.read} {_e(w['read'])}, {s.answered} {_e(w['answered'])}, {s.rejected} {_e(w['rejected'])} — "
                f"lexquery {VERSION}, {s.seconds:.1f} s")
        if s.unknown_columns:
            meta += f" — {_e(w['unknown_columns'])}{colon}" + ", ".join(_e(c) for c, _ in s.unknown_columns)
        if s.encoding_note():
            meta += " — " + _e(s.encoding_note(self.lang))
        repl = {
            "@@LANG@@": self.lang,
            "@@TITLE@@": _e(self.title), "@@META@@": meta, "@@CARDS@@": self._cards(s),
            "@@CHART@@": self._chart(s), "@@CALENDAR@@": self._calendar(),
            "@@FROM@@": _e(start), "@@TO@@": _e(end),
            "@@FOOTER@@": _e(w["footer"]),
            "@@PROCS@@": _js(list(self.procs)), "@@STATUSES@@": _js(STATUSES),
            "@@PROC_LABELS@@": _js([self.names.get(p, p) for p in self.procs]),
            "@@STATUS_LABELS@@": _js([self.status_words.get(st, st) for st in STATUSES]),
            "@@WORDS@@": _js({k: w[k] for k in _SCRIPT_WORDS}),
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
