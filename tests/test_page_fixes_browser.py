"""The page's fixes of issue 15 (item 8), each in a real headless Chromium:

- after a paste error, the previous case's answer is marked as the previous case's;
- the questions of a pasted .lq text are answered (as `lexquery ask FILE.lq` answers them);
- the article panel says « en vigueur … » in a sentence, never « du date inconnue au à ce jour »;
- /favicon.ico is served (no 404 in the console).
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from browser_support import browser, require_chromium  # noqa: F401  (browser: a fixture)
from test_web_browser import page, server  # noqa: F401  (fixtures)

ROOT = Path(__file__).resolve().parents[1]
CLI = [sys.executable, "-c", "import sys; from lexquery.cli import main; sys.exit(main())"]

require_chromium()


def paste(page, text):
    page.click("#tab-paste")
    page.fill("#paste-text", text)
    page.click("#paste-submit")


def test_paste_error_marks_the_previous_answer_stale(page):
    paste(page, (ROOT / "examples" / "ionescu.json").read_text(encoding="utf-8"))
    page.wait_for_selector(".card")
    assert page.query_selector("[data-stale=true]") is None
    paste(page, "cas x\nnationalités : Atlantide\n")
    page.wait_for_selector("#errors .error")
    note = page.wait_for_selector("#answer .stale-note")
    assert "précédent" in note.text_content()
    assert page.get_attribute("#answer", "data-stale") == "true"
    # a good case again: the mark goes
    paste(page, (ROOT / "examples" / "benali-maroc.json").read_text(encoding="utf-8"))
    page.wait_for_function("() => !document.querySelector('#answer .stale-note')")
    assert page.get_attribute("#answer", "data-stale") is None


def test_pasted_lq_questions_are_answered_like_the_cli(page):
    text = (ROOT / "examples" / "ionescu.lq").read_text(encoding="utf-8")
    paste(page, text)
    page.wait_for_selector("#lq-answers:not([hidden]) .lq-answer")
    shown = page.eval_on_selector_all("#lq-answers .lq-answer h4", "hs => hs.map(h => h.textContent)")
    cli = subprocess.run(CLI + ["ask", "examples/ionescu.lq"], capture_output=True, text=True, cwd=ROOT).stdout
    asked = [l for l in cli.splitlines() if l.startswith("» ")]
    assert shown == asked and len(asked) >= 5
    first = page.text_content("#lq-answers .lq-answer pre")
    block = cli.split(asked[0], 1)[1].split("\n» ", 1)[0].strip()
    assert first.strip() == block


def test_article_panel_never_reads_date_inconnue_au_a_ce_jour(page):
    for citation in ("CPP 729-2", "CPP 712-16-3", "Circ. 2025 §2.2", "STE 112 art. 3"):
        page.evaluate("c => { location.hash = 'article=' + encodeURIComponent(c); location.reload(); }", citation)
        page.wait_for_selector("body[data-ready=true]")
        page.wait_for_selector("#article-dialog[open] .version")
        line = page.text_content("#article-dialog .version")
        assert "du date inconnue" not in line and "au à ce jour" not in line, (citation, line)
        assert "en vigueur" in line


def test_favicon(page, server):
    r = page.request.get(server + "/favicon.ico")
    assert r.status == 200 and "svg" in r.headers["content-type"]
