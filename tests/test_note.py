"""The note for the file (issue 17): DOCX, PDF and iCalendar renderings of real answers.

Each rendering must hold every status, every date and every citation of the JSON answer
(docs/answer-format.md), so that nothing a magistrate acts on is lost between `ask
--format json` and the document put in the file. The DOCX is read back with python-docx,
the PDF with pypdf, the calendar with icalendar.
"""
from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from lexquery.render.deadlines import answer_dates, long_date
from lexquery.render.status_line import STATUS

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("*.json"))
CLI = [sys.executable, "-c", "import sys; from lexquery.cli import main; sys.exit(main())"]
ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@pytest.fixture(scope="module")
def engine():
    from lexquery.engine import load_kb
    return load_kb()


@pytest.fixture(scope="module")
def law():
    from lexquery.kb.provisions import load_kb
    return load_kb()


def _case(path):
    return json.loads(path.read_text(encoding="utf-8"))


def _walk(d, dates, cites, statuses, key=None):
    if isinstance(d, dict):
        for k, v in d.items():
            if k == "knowledge_base":
                continue
            _walk(v, dates, cites, statuses, k)
    elif isinstance(d, list):
        for v in d:
            _walk(v, dates, cites, statuses, key)
    elif isinstance(d, str):
        if ISO.match(d):
            dates.add(d)
        elif key == "sources":
            cites.add(d)
        elif key == "status":
            statuses.add(d)


def expectations(answer):
    """(dates, citations, procedure statuses) of the JSON answer."""
    dates, cites, statuses = set(), set(), set()
    _walk(answer.to_dict(), dates, cites, statuses)
    pst = {p.status for p in answer.procedures} | {r.status for p in answer.procedures for r in p.routes}
    return dates, cites, pst


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("-\n", "-"))


def missing_from(text: str, answer, lang="fr") -> list[str]:
    text = flat(text)
    dates, cites, pst = expectations(answer)
    out = [f"date {d}" for d in sorted(dates)
           if d not in text and long_date(date.fromisoformat(d), lang) not in text]
    out += [f"citation {c}" for c in sorted(cites) if c not in text]
    out += [f"status {s}" for s in sorted(pst) if STATUS[lang][s] not in text]
    return out


def docx_text(data: bytes) -> str:
    from docx import Document
    doc = Document(io.BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    for t in doc.tables:
        for row in t.rows:
            parts += [c.text for c in row.cells]
    return "\n".join(parts)


def pdf_text(data: bytes) -> str:
    from pypdf import PdfReader
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_docx_holds_every_status_date_and_citation(path, engine, law):
    from lexquery.render.note import build_note, render_docx
    case = _case(path)
    ans = engine.ask(case)
    data = render_docx([build_note(ans, case, "fr", law)])
    text = docx_text(data)
    dates, cites, _ = expectations(ans)
    assert len(cites) >= 5 and dates       # the comparison below is not vacuous
    assert missing_from(text, ans) == []
    # a judicial note's layout: header, parties, « Vu », reasons, conclusion, receipt
    for heading in ("FICHE D'ÉLIGIBILITÉ", "Personne concernée", "Vu le code de procédure pénale",
                    "Motifs", "Par ces motifs", "Récépissé", ans.knowledge_base["version"]):
        assert heading in text, heading


def test_pdf_holds_every_status_date_and_citation(engine, law):
    from lexquery.render.note import build_note, render_pdf
    path = ROOT / "examples" / "ionescu.json"
    case = _case(path)
    ans = engine.ask(case, as_of="2026-12-01")
    data = render_pdf([build_note(ans, case, "fr", law)])
    assert data.startswith(b"%PDF-")
    text = pdf_text(data)
    assert missing_from(text, ans) == []
    assert "tribunal correctionnel de Lyon" in text            # the court of conviction, in the header
    assert "Vu le code de procédure pénale" in flat(text)


def test_note_quotes_the_cited_alineas_in_force_on_the_date(engine, law):
    """« the conditions with their articles quoted »: CPP 729-2 al. 1 as stored for that date."""
    from lexquery.render.note import build_note
    case = _case(ROOT / "examples" / "ionescu.json")
    ans = engine.ask(case, as_of="2026-12-01")
    note = build_note(ans, case, "fr", law)
    quoted = dict((c, q) for c, q, _r in note.texts)
    node = law.resolve("CPP 729-2 al. 1", date(2026, 12, 1))
    assert quoted["CPP 729-2 al. 1"] == node.paragraph.text
    assert "étranger" in quoted["CPP 729-2 al. 1"]


def test_english_note(engine, law):
    from lexquery.render.note import build_note, render_docx
    case = _case(ROOT / "examples" / "kowalski-pologne.json")
    ans = engine.ask(case)
    text = docx_text(render_docx([build_note(ans, case, "en", law)]))
    assert "ELIGIBILITY NOTE" in text and "Having regard to" in text
    assert missing_from(text, ans, "en") == []


def test_court_of_the_highest_quantum():
    """Circ. 2025 §2.1 n. 4: with several convictions, the parquet of the place of the
    conviction with the highest quantum transmits; the note names that court."""
    from lexquery.render.note import _court_of
    convs = [{"court": "tribunal correctionnel de Lyon", "total": "P18M"},
             {"court": "cour d'assises du Rhône", "total": "P10Y"},
             {"court": "tribunal correctionnel de Paris", "total": "P2Y6M"}]
    assert _court_of(convs) == "cour d'assises du Rhône"
    assert _court_of([{"court": "A", "total": "P2Y"}, {"court": "B", "total": "life"}]) == "B"


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_ics_validates_and_holds_every_date(path, engine):
    from icalendar import Calendar
    from lexquery.render.ics import render_ics
    ans = engine.ask(_case(path))
    cal = Calendar.from_ical(render_ics(ans))
    starts = {ev.decoded("dtstart").isoformat() for ev in cal.walk("VEVENT")}
    want = {d.date.isoformat() for d in answer_dates(ans)}
    assert want <= starts
    dates, _c, _s = expectations(ans)
    dates.discard(ans.as_of.isoformat())
    # every date of the JSON answer (outside as_of, and the date a former law would have given,
    # law_change.computed, which does not count) is an event — the day the law changes is one
    lcs = [x.law_change for p in ans.procedures for x in [p, *p.routes] if getattr(x, "law_change", None)]
    dates -= {lc["computed"].isoformat() for lc in lcs if lc.get("computed")} - {lc["on"].isoformat() for lc in lcs}
    lost = [d for d in dates if d not in starts]
    assert lost == []
    uids = [str(ev["uid"]) for ev in cal.walk("VEVENT")]
    assert len(uids) == len(set(uids))


def test_ics_is_reproducible(engine):
    from lexquery.render.ics import render_ics
    ans = engine.ask(_case(ROOT / "examples" / "ionescu.json"), as_of="2026-12-01")
    assert render_ics(ans) == render_ics(ans)


def test_cli_writes_pdf_docx_ics(tmp_path):
    case = ROOT / "examples" / "benali-maroc.json"
    for fmt in ("docx", "pdf", "ics"):
        out = tmp_path / f"fiche.{fmt}"
        r = subprocess.run(CLI + ["ask", str(case), "--format", fmt, "-o", str(out)],
                           capture_output=True, text=True, cwd=tmp_path)
        assert r.returncode == 0, r.stderr
        assert out.stat().st_size > 500
        assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    assert (tmp_path / "fiche.pdf").read_bytes().startswith(b"%PDF-")
    assert (tmp_path / "fiche.docx").read_bytes().startswith(b"PK")


def test_cli_refuses_binary_to_terminal_and_overwriting_the_case(tmp_path):
    case = tmp_path / "c.json"
    case.write_text((ROOT / "examples" / "ionescu.json").read_text(encoding="utf-8"), encoding="utf-8")
    r = subprocess.run(CLI + ["ask", str(case), "--format", "pdf"], capture_output=True, text=True)
    assert r.returncode == 2 and "-o" in r.stderr
    before = case.read_bytes()
    r = subprocess.run(CLI + ["ask", str(case), "--format", "ics", "-o", str(case)], capture_output=True, text=True)
    assert r.returncode == 2 and "écrasé" in r.stderr
    assert case.read_bytes() == before


def test_screen_writes_the_registry_calendar(tmp_path):
    """`screen FILE -o x.ics`: the dates of every procedure that applies or will apply."""
    from icalendar import Calendar
    src = ROOT / "tests" / "fixtures" / "screening" / "comma.csv"
    out = tmp_path / "greffe.ics"
    r = subprocess.run(CLI + ["screen", str(src), "--as-of", "2026-12-01", "-o", str(out), "-q"],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    cal = Calendar.from_ical(out.read_text(encoding="utf-8"))
    events = list(cal.walk("VEVENT"))
    # the same rows as CSV: every from/until of an applicable(-later) row is an event
    r = subprocess.run(CLI + ["screen", str(src), "--as-of", "2026-12-01", "-f", "jsonl", "-q"],
                       capture_output=True, text=True)
    rows = [json.loads(l) for l in r.stdout.splitlines() if l.strip()]
    want = {(row["from"]) for row in rows if row["status"] in ("applicable", "applicable_later") and row["from"]}
    want |= {(row["until"]) for row in rows if row["status"] in ("applicable", "applicable_later") and row["until"]}
    got = {ev.decoded("dtstart").isoformat() for ev in events}
    assert want and want <= got
    assert all("Libération conditionnelle" in str(ev["summary"]) or "—" in str(ev["summary"]) for ev in events)
