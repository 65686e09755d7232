"""The guided interview and the note button in a real headless Chromium (issue 17).

On each example case the interview on the page starts from the case's id and date only,
answers each question with the example's own fact as a person types it (« je ne sais pas »
for a fact the example leaves unknown), and must end on the same answer as `lexquery ask`
on the whole example, having asked fewer questions than the form has fields. The number
asked is reported (printed, and written to docs/interview.md by hand from this output).
Skipped without /usr/bin/chromium unless LEXQUERY_REQUIRE_BROWSER=1 (CI), then failed.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from browser_support import browser, require_chromium  # noqa: F401  (browser: a fixture)
from test_interview import typed
from test_web_browser import cli_answer, page, server, statuses  # noqa: F401  (fixtures)

from lexquery.interview import form_field_count, get_fact

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("*.json"))

require_chromium()


def shown_answer(page):
    return json.loads(page.text_content("#answer-json"))


def signature(answer):
    return [(p["procedure"], p["state"], p["status"], p["from"], p["until"], p["consent_required"],
             [(r["procedure"], r["status"], r["from"], r["until"]) for r in p.get("routes", [])])
            for p in answer["procedures"]]


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_interview_on_the_page_reaches_the_answer_of_ask(page, path, tmp_path):
    example = json.loads(path.read_text(encoding="utf-8"))
    # start from the form's case: only the id and the date of the example
    page.click("#tab-form")
    page.fill("#f-id", example["id"])
    page.fill("#f-as_of", example["as_of"])
    page.click("#tab-interview")
    page.click("#iv-from-form")
    asked = []
    for _ in range(40):
        page.wait_for_selector("[data-iv-path], [data-iv=done]")
        q = page.query_selector("[data-iv-path]")
        if q is None:
            break
        fact = q.get_attribute("data-iv-path")
        assert fact not in asked, f"{fact} asked twice"
        asked.append(fact)
        text = typed(fact, get_fact(example, fact))
        before = len(asked)
        if text == "je ne sais pas":
            page.click("#iv-dontknow")
        else:
            page.fill("#iv-text", text)
            page.click("#iv-reply")
        page.wait_for_function("n => document.querySelectorAll('#iv-history li').length >= n", arg=before)
    else:
        pytest.fail(f"the interview did not end: {asked}")
    assert page.is_visible("[data-iv=done]")
    want = cli_answer(path)
    assert signature(shown_answer(page)) == signature(want)
    n_fields = form_field_count()
    assert len(asked) < n_fields
    assert f"{len(asked)} question" in page.text_content("#iv-count")
    print(f"{path.stem}: {len(asked)} questions asked, the form has {n_fields} fields")


def test_revise_an_answer_and_take_it_back(page):
    page.click("#tab-interview")
    page.click("#iv-start")
    page.wait_for_selector("[data-iv-path='person.nationalities']")
    page.fill("#iv-text", "Maroc")
    page.click("#iv-reply")
    page.wait_for_selector("#iv-history li")
    assert "MA" in page.text_content("#answer-json") or "Maroc" in page.text_content("#iv-history")
    # a wrong answer is refused with what is expected, the question stays
    q = page.get_attribute("[data-iv-path]", "data-iv-path")
    page.fill("#iv-text", "n'importe quoi 42")
    page.click("#iv-reply")
    page.wait_for_selector("#errors .error")
    assert page.get_attribute("[data-iv-path]", "data-iv-path") == q
    # revise the nationality: the question comes back with the previous text
    page.click("[data-iv-revise='person.nationalities']")
    assert page.get_attribute("[data-iv-path]", "data-iv-path") == "person.nationalities"
    page.fill("#iv-text", "Roumanie")
    page.click("#iv-reply")
    page.wait_for_function("() => document.querySelector('#answer-json').textContent.includes('\"RO\"')")
    page.click("#iv-back")
    page.wait_for_function("() => !document.querySelector('#answer-json').textContent.includes('\"RO\"')")


def test_note_buttons_download_pdf_docx_ics(page):
    page.click("#tab-paste")
    page.fill("#paste-text", (ROOT / "examples" / "ionescu.json").read_text(encoding="utf-8"))
    page.click("#paste-submit")
    page.wait_for_selector("#note-actions:not([hidden])")
    for fmt, magic in (("pdf", b"%PDF-"), ("docx", b"PK"), ("ics", b"BEGIN:VCALENDAR")):
        with page.expect_download(timeout=120_000) as d:   # a PDF is laid out server-side
            page.click(f"#note-{fmt}")
        data = Path(d.value.path()).read_bytes()
        assert data.startswith(magic), fmt
        assert d.value.suggested_filename.endswith(f"ionescu-2026.{fmt}")
