"""The screening report (issue 5) in a real headless Chromium: the file `lexquery screen -o
report.html` writes, opened from disk like a parquet would open it — the chart drawn, the
table filtered by procedure, status, State and text, the calendar's links opening the
explanation that `lexquery ask` gives for the same row, nothing fetched from the network.

Skipped when /usr/bin/chromium is missing, unless LEXQUERY_REQUIRE_BROWSER=1 (CI), then failed.
"""
from __future__ import annotations

import csv
import io
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from browser_support import browser, require_chromium  # noqa: F401  (browser: a fixture)
from lexquery.cli import main
from lexquery.screening.csv_cases import iter_cases
from lexquery.screening.synth import synth_text

AS_OF = date(2026, 12, 1)
BROKEN = Path(__file__).parent / "fixtures" / "screening" / "broken.csv"

require_chromium()


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    """A 300-row synthetic export screened to HTML and to CSV; the fixture of broken rows to HTML."""
    d = tmp_path_factory.mktemp("report")
    src = d / "registre.csv"
    src.write_text(synth_text(300, seed=5, ref=AS_OF), encoding="utf-8")
    html, rows = d / "rapport.html", d / "reponses.csv"
    assert main(["screen", str(src), "--as-of", "2026-12-01", "-o", str(html), "-q"]) == 0
    assert main(["screen", str(src), "--as-of", "2026-12-01", "-o", str(rows), "-q"]) == 0
    bad_html = d / "rejets.html"
    assert main(["screen", str(BROKEN), "--as-of", "2026-12-01", "-o", str(bad_html), "-q"]) == 3
    out = list(csv.DictReader(io.StringIO(rows.read_text(encoding="utf-8")), delimiter=";"))   # « ; » in, « ; » out
    return {"src": src, "html": html, "rows": out, "bad_html": bad_html}


@pytest.fixture
def page_of(browser):
    """Open a report file; fail the test on a script error or on any request leaving the file."""
    opened = []

    def open_file(path: Path, fragment: str = ""):
        ctx = browser.new_context(viewport={"width": 1280, "height": 900})
        pg = ctx.new_page()
        errors, outside = [], []
        pg.on("pageerror", lambda e: errors.append(str(e)))
        pg.on("request", lambda r: outside.append(r.url) if not r.url.startswith("file://") else None)
        pg.goto(path.as_uri() + fragment)
        pg.wait_for_selector("#rows tbody tr")
        opened.append((ctx, errors, outside))
        return pg

    yield open_file
    for ctx, errors, outside in opened:
        ctx.close()
        assert errors == [], errors
        assert outside == [], f"the report fetched {outside}"


def _count(pg) -> int:
    return int(pg.text_content("#f-count").split()[0])


def test_the_chart_draws_one_bar_segment_per_procedure_and_status(report, page_of):
    pg = page_of(report["html"])
    expected = Counter((r["procedure"], r["status"]) for r in report["rows"])
    titles = pg.eval_on_selector_all("svg rect title", "ts => ts.map(t => t.textContent)")
    status_fr = {"applicable": "applicable", "applicable_later": "applicable plus tard",
                 "undetermined": "indéterminé", "not_applicable": "non applicable"}
    shown = {t for t in titles}
    from lexquery.screening.html_report import procedure_labels
    names = procedure_labels()   # the chart speaks in words: the rules' labels, not the ids
    assert shown == {f"{names[p]} — {status_fr[s]} : {n}" for (p, s), n in expected.items()}
    assert not any(p in " ".join(titles) for p in names)
    box = pg.locator("svg[aria-label]").bounding_box()
    assert box and box["width"] > 300 and box["height"] > 100


def test_the_table_filters_like_the_csv_answer(report, page_of):
    rows = report["rows"]
    pg = page_of(report["html"])
    assert _count(pg) == len(rows)
    assert pg.locator("#rows tbody tr").count() == min(100, len(rows))
    pg.select_option("#f-proc", "lc_expulsion")
    assert _count(pg) == sum(r["procedure"] == "lc_expulsion" for r in rows)
    pg.select_option("#f-status", "applicable")
    want = [r for r in rows if r["procedure"] == "lc_expulsion" and r["status"] == "applicable"]
    assert want, "the synthetic export should hold applicable LC « expulsion » rows"
    assert _count(pg) == len(want)
    shown = pg.eval_on_selector_all("#rows tbody tr", "trs => trs.map(tr => tr.cells[1].textContent)")
    assert shown == [r["id"] for r in want][:100]
    pg.select_option("#f-proc", "")
    pg.select_option("#f-status", "")
    pg.fill("#f-state", "MA")
    assert _count(pg) == sum(r["state"] == "MA" for r in rows)
    pg.fill("#f-state", "")
    one = rows[40]["id"]
    pg.fill("#f-text", one)
    needle = one.lower()
    assert _count(pg) == sum(any(needle in (r[k] or "").lower() for k in ("id", "name", "state", "missing_facts"))
                             for r in rows)
    assert _count(pg) >= 1


def test_a_calendar_link_opens_the_explanation_of_ask(report, page_of):
    from lexquery.engine.api import load_kb
    from lexquery.render.text import render_text
    pg = page_of(report["html"])
    links = pg.locator("table.calendar a")
    assert links.count() > 0, "the synthetic export should have events in the next fifteen days"
    href = links.first.get_attribute("href")
    line = int(href.removeprefix("#c-"))
    links.first.click()
    pg.wait_for_selector("#explain.on")
    case = next(c for c in iter_cases(report["src"], AS_OF) if c.line == line)
    assert pg.text_content("#explain-text") == render_text(load_kb().ask(case.case))
    assert pg.locator("#explain").is_visible()
    pg.click("#explain-close")
    assert not pg.locator("#explain").is_visible()


def test_rejected_rows_are_in_the_report_with_their_message(report, page_of):
    pg = page_of(report["bad_html"])
    pg.select_option("#f-status", "error")
    errors = pg.eval_on_selector_all("#rows tbody tr", "trs => trs.map(tr => tr.cells[9].textContent)")
    assert len(errors) == 8 and all(e.strip() for e in errors)
    first = pg.eval_on_selector("#rows tbody tr a", "a => a.getAttribute('href')")
    pg.click(f"#rows tbody tr a[href='{first}']")
    pg.wait_for_selector("#explain.on")
    assert pg.text_content("#explain-text").startswith("Ligne rejetée : ")


def test_table_and_filters_speak_in_words(report, page_of):
    """The parquet reads the procedures' labels and the statuses in French, never the ids."""
    from lexquery.screening.html_report import procedure_labels
    pg = page_of(report["html"])
    cells = pg.eval_on_selector_all("#rows tbody tr", "rs => rs.map(r => [r.cells[3].textContent, r.cells[5].textContent])")
    assert cells
    ids = set(procedure_labels())
    assert not any(c[0] in ids for c in cells)
    assert not any(c[1] in ("not_applicable", "applicable_later", "undetermined") for c in cells)
    options = pg.eval_on_selector_all("#f-proc option, #f-status option", "os => os.map(o => o.textContent)")
    assert not any(o in ids or o in ("not_applicable", "applicable_later") for o in options)
