"""The web page in a real headless Chromium (issue 6): Debian's /usr/bin/chromium driven by
Playwright against the real `lexquery serve`. Every answer the page shows is compared with
what `lexquery ask --format json` prints for the same case.

Skipped when /usr/bin/chromium is missing, unless LEXQUERY_REQUIRE_BROWSER=1 (CI), then failed.
LEXQUERY_TEST_URL=http://host:port/ tests an already running server instead of starting one.
"""
from __future__ import annotations

import importlib.util
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from browser_support import browser, cannot_run, require_chromium  # noqa: F401  (browser: a fixture)

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
CLI = [sys.executable, "-c", "import sys; from lexquery.cli import main; sys.exit(main())"]
IONESCU = json.loads((EXAMPLES / "ionescu.json").read_text(encoding="utf-8"))


require_chromium()
if not os.environ.get("LEXQUERY_TEST_URL") and importlib.util.find_spec("lexquery.web.app") is None:
    cannot_run("the server side (lexquery.web.app, `lexquery serve`) is not there yet")


# ---- the CLI, the reference --------------------------------------------------------------------
_cli_cache: dict[str, object] = {}


def cli_answer(case_or_path, tmp_path=None):
    """What `lexquery ask FILE --format json` prints, parsed (FILE: a path or a case written out)."""
    if isinstance(case_or_path, (str, Path)):
        path = str(case_or_path)
    else:
        path = str(tmp_path / f"case-{len(list(tmp_path.iterdir()))}.json")
        Path(path).write_text(json.dumps(case_or_path, ensure_ascii=False), encoding="utf-8")
    if path not in _cli_cache or not isinstance(case_or_path, (str, Path)):
        r = subprocess.run(CLI + ["ask", path, "--format", "json"], capture_output=True, text=True, cwd=ROOT)
        assert r.returncode == 0, r.stderr
        _cli_cache[path] = json.loads(r.stdout)
    return _cli_cache[path]


def statuses(answer) -> list[tuple]:
    answers = answer if isinstance(answer, list) else [answer]
    return [(a["case"], p["procedure"], p["state"] or "", p["status"], p["from"], p["until"], p["consent_required"])
            for a in answers for p in a["procedures"]]


def page_statuses(page) -> list[tuple]:
    """The answer as the page shows it: one card per case × procedure × State."""
    return page.eval_on_selector_all(".card", """cards => cards.map(c => [
        c.dataset.case, c.dataset.procedure, c.dataset.state, c.dataset.status,
        c.querySelector('[data-field=from] time')?.getAttribute('datetime') ?? null,
        c.querySelector('[data-field=until] time')?.getAttribute('datetime') ?? null,
        JSON.parse(c.querySelector('[data-field=consent_required]').dataset.value)])""")


def shown_answer(page):
    return json.loads(page.text_content("#answer-json"))


def assert_matches_cli(page, expected):
    assert [tuple(x) for x in page_statuses(page)] == statuses(expected)
    assert shown_answer(page) == expected


# ---- fixtures ---------------------------------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server():
    if os.environ.get("LEXQUERY_TEST_URL"):
        yield os.environ["LEXQUERY_TEST_URL"].rstrip("/")
        return
    port = _free_port()
    proc = subprocess.Popen(CLI + ["serve", "--port", str(port)], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(url + "/", timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"`lexquery serve --port {port}` did not start:\n{proc.stdout.read()}")
        time.sleep(0.2)
    yield url
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture
def page(browser, server):
    """A fresh page on the server; fails the test on a script error or any request leaving the server."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    pg = ctx.new_page()
    errors, outside = [], []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" and "favicon" not in m.text and "status of 4" not in m.text else None)

    def route(r):
        if r.request.url.startswith(server):
            r.continue_()
        else:
            outside.append(r.request.url)
            r.abort()
    pg.route("**/*", route)
    pg.set_default_timeout(20000)
    pg.goto(server + "/")
    pg.wait_for_selector("body[data-ready=true]")
    yield pg
    ctx.close()
    assert not errors, errors
    assert not outside, f"the page fetched outside the server: {outside}"


def paste(page, text, syntax="auto"):
    page.click("#tab-paste")
    page.fill("#paste-text", text)
    page.select_option("#paste-syntax", syntax)
    before = page.evaluate("document.querySelector('#answer-json')?.textContent ?? ''")
    page.click("#paste-submit")
    page.wait_for_function("b => (document.querySelector('#answer-json')?.textContent ?? '') !== b", arg=before)


# ---- the form ---------------------------------------------------------------------------------
def fill_duration(page, fid, iso):
    years = iso[1:-1] if iso.endswith("Y") else ""
    page.fill(f"#{fid}-y", years)


def test_form_ionescu_matches_cli(page, tmp_path):
    """Fill the Ionescu case in the form field by field; the answer equals the CLI's for examples/ionescu.json."""
    c = IONESCU
    page.fill("#f-id", c["id"])
    page.fill("#f-as_of", c["as_of"])
    p = c["person"]
    page.fill("#f-person-name", p["name"])
    page.fill("#f-person-birth_date", p["birth_date"])
    page.click("#f-person-nationalities-add")
    page.select_option("#f-person-nationalities-rows select", p["nationalities"][0])
    page.select_option("#f-person-habitual_residence", p["habitual_residence"])
    page.select_option("#f-person-location", p["location"])
    page.select_option("#f-person-protection", p["protection"])
    page.select_option("#f-person-protected_adult", "false")
    d = c["detention"]
    page.select_option("#f-detention-incarcerated", "true")
    page.fill("#f-detention-establishment", d["establishment"])
    page.fill("#f-detention-entry_date", d["entry_date"])
    s = c["sentence"]
    page.select_option("#f-sentence-final", "true")
    page.select_option("#f-sentence-custodial", "true")
    fill_duration(page, "f-sentence-total", s["total"])
    page.fill("#f-sentence-execution_start", s["execution_start"])
    page.fill("#f-sentence-expected_end", s["expected_end"])
    page.select_option("#f-sentence-legal_recidivism", "false")
    page.click("#f-sentence-convictions-add")
    row = "#f-sentence-convictions-rows [data-row]"
    conv = s["convictions"][0]
    page.fill(f"{row} [data-key=court] input", conv["court"])
    page.fill(f"{row} [data-key=date] input", conv["date"])
    page.select_option(f"{row} [data-key=final] select", "true")
    page.fill(f"{row} [data-key=total] input[id$='-y']", "3")
    page.click("#f-removal_measures-add")
    row = "#f-removal_measures-rows [data-row]"
    m = c["removal_measures"][0]
    page.select_option(f"{row} [data-key=kind] select", m["kind"])
    for k in ("definitive", "enforceable", "remedies_exhausted"):
        page.select_option(f"{row} [data-key={k}] select", "true")
    page.select_option(f"{row} [data-key=destination] select", m["destination"])
    page.click("#ask")
    page.wait_for_selector(".card")
    sent = json.loads(page.text_content("#case-json"))
    assert sent["person"]["nationalities"] == ["RO"] and sent["sentence"]["total"] == "P3Y"
    assert sent["removal_measures"] == [m]
    assert "consent" not in sent  # left « inconnu »: absent, not false
    expected = cli_answer(EXAMPLES / "ionescu.json")
    assert_matches_cli(page, expected)
    assert page.get_attribute(".card[data-procedure=ste_transfer]", "data-status") == "not_applicable"
    # the live region announced the answer
    assert "ionescu-2026" in page.text_content("#status-line")


def test_unknown_everywhere_is_a_valid_question(page, tmp_path):
    """Only an id: every other field « inconnu »; the page answers what the CLI answers."""
    page.fill("#f-id", "rien-de-connu")
    page.fill("#f-as_of", "2026-12-01")
    page.click("#ask")
    page.wait_for_selector(".card")
    sent = json.loads(page.text_content("#case-json"))
    assert sent == {"id": "rien-de-connu", "as_of": "2026-12-01"}
    assert_matches_cli(page, cli_answer(sent, tmp_path))


# ---- pasting ----------------------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(p.name for p in EXAMPLES.glob("*.json")))
def test_paste_json_example_matches_cli(page, name):
    paste(page, (EXAMPLES / name).read_text(encoding="utf-8"))
    assert_matches_cli(page, cli_answer(EXAMPLES / name))


@pytest.mark.parametrize("name", ["ionescu.lq", "plusieurs-cas.lq"])
def test_paste_lq_example_matches_cli(page, name):
    paste(page, (EXAMPLES / name).read_text(encoding="utf-8"))
    assert_matches_cli(page, cli_answer(EXAMPLES / name))


def test_paste_json_fills_the_form(page):
    paste(page, (EXAMPLES / "ionescu.json").read_text(encoding="utf-8"))
    page.click("#tab-form")
    assert page.input_value("#f-id") == "ionescu-2026"
    assert page.input_value("#f-person-habitual_residence") == "RO"
    assert page.input_value("#f-sentence-total-y") == "3"
    assert page.input_value("#f-removal_measures-rows [data-key=kind] select") == "ITF"


def test_paste_error_says_where(page):
    paste_text = "cas x\nnationalités : Roumanie\ndurée totale : trois lunes\n"
    page.click("#tab-paste")
    page.fill("#paste-text", paste_text)
    page.click("#paste-submit")
    page.wait_for_selector("#errors .error")
    text = page.text_content("#errors")
    assert "3:" in text, text  # line 3, with its column
    assert page.locator(".card").count() == 0


# ---- citations --------------------------------------------------------------------------------
def test_open_a_citation_and_its_cross_references(page):
    paste(page, (EXAMPLES / "ionescu.json").read_text(encoding="utf-8"))
    link = page.locator(".card[data-procedure=eu_recognition] ul.conditions a.cite[data-citation='CPP 728-11 al. 1']").first
    link.click()
    dlg = page.locator("#article-dialog")
    page.wait_for_selector("#article-dialog[open] .paragraphs li")
    assert "728-11" in page.text_content("#article-title")
    hl = dlg.locator(".paragraphs li.highlight")
    assert hl.count() == 1 and "Une décision de condamnation" in hl.text_content()
    assert "2015-10-01" in dlg.locator(".version time").first.get_attribute("datetime")
    assert dlg.locator(".source a").get_attribute("href").startswith("https://")
    # a cross-reference opens the article citing it; Back returns
    ref = dlg.locator(".cited-by-list button.cite").first
    target = ref.get_attribute("data-citation")
    assert target.startswith("CPP 728-")
    ref.click()
    page.wait_for_function("c => document.querySelector('#article-title').textContent.startsWith(c.split(' ').slice(0, 2).join(' ')) "
                           "&& document.querySelector('#article-dialog .paragraphs li.highlight')", arg=target)
    assert "728-11" not in page.text_content("#article-title")
    dlg.locator("button.back").click()
    page.wait_for_function("() => document.querySelector('#article-title').textContent.includes('728-11')")
    # Escape closes and gives the focus back to the citation
    page.keyboard.press("Escape")
    page.wait_for_selector("#article-dialog:not([open])", state="attached")
    assert page.evaluate("document.activeElement.dataset.citation") == "CPP 728-11 al. 1"


def test_every_citation_of_an_answer_opens(page):
    """Each distinct citation shown for Ionescu resolves to an article (no error panel)."""
    paste(page, (EXAMPLES / "ionescu.json").read_text(encoding="utf-8"))
    cites = page.eval_on_selector_all("#answer a.cite", "as => [...new Set(as.map(a => a.dataset.citation))]")
    assert len(cites) > 10
    for c in cites:
        page.locator(f"#answer a.cite[data-citation='{c}']").first.evaluate("a => a.click()")
        page.wait_for_function("c => document.querySelector('#article-dialog').dataset.citation === c && "
                               "!document.querySelector('#article-dialog .loading')", arg=c)
        assert page.locator("#article-dialog .error").count() == 0, c
        page.keyboard.press("Escape")


# ---- et si ------------------------------------------------------------------------------------
def test_what_if_shows_what_changes(page, tmp_path):
    """Mansouri: et s'il refusait le transfèrement ? (by reciprocity with Algeria, consent is
    required: Circ. 2025 §2.3 al. 3) — the changes equal the CLI's answers."""
    case = json.loads((EXAMPLES / "mansouri-algerie.json").read_text(encoding="utf-8"))
    paste(page, json.dumps(case))
    assert page.locator("#wi-consent\\.transfer").count() == 1  # offered for every case
    page.click("#wi-consent\\.transfer button[data-value=false]")
    page.wait_for_selector(".whatif-result[data-changes]")
    changed = json.loads(json.dumps(case))
    changed["consent"]["transfer"] = False
    before, after = cli_answer(EXAMPLES / "mansouri-algerie.json"), cli_answer(changed, tmp_path)
    want = {(p["procedure"], p["state"] or "", p["status"]) for p in after["procedures"]} - \
           {(p["procedure"], p["state"] or "", p["status"]) for p in before["procedures"]}
    shown = page.eval_on_selector_all(".whatif-result li[data-procedure]",
                                      "ls => ls.map(l => [l.dataset.procedure, l.dataset.state, l.dataset.after])")
    assert want, "the chosen what-if must change something"
    assert {tuple(x) for x in shown} == want
    for proc, state, status in want:
        card = page.locator(f".card[data-procedure={proc}][data-state='{state}']")
        assert "changed" in card.get_attribute("class") and card.get_attribute("data-whatif") == status
    # keep the change: it goes into the case and the answer is the CLI's for the changed case
    page.click(".whatif-result button.keep")
    page.wait_for_function("() => JSON.parse(document.querySelector('#case-json').textContent).consent.transfer === false")
    assert_matches_cli(page, after)


# ---- screening --------------------------------------------------------------------------------
def test_upload_csv_gives_the_html_report(page, tmp_path):
    csv = tmp_path / "greffe.csv"
    r = subprocess.run(CLI + ["synth", "50", "--seed", "1", "-o", str(csv)], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    ids = [line.split(";")[0] for line in csv.read_text(encoding="utf-8").splitlines()[1:]]
    assert len(ids) == 50
    page.set_input_files("#screen-file", str(csv))
    page.select_option("#screen-format", "html")
    page.click("#screen-submit")
    page.wait_for_selector("#screen-download")
    with page.expect_download() as dl:
        page.click("#screen-download")
    path = dl.value.path()
    html = Path(path).read_text(encoding="utf-8")
    assert dl.value.suggested_filename.endswith(".html")
    assert "<html" in html.lower()
    missing = [i for i in ids if i not in html]
    assert not missing, missing[:5]


def test_the_report_follows_the_page_language(page, tmp_path):
    """The page in English asks /api/screen?lang=en: the report it offers is in English (issue 15)."""
    csv = tmp_path / "greffe.csv"
    r = subprocess.run(CLI + ["synth", "20", "--seed", "2", "-o", str(csv)], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    page.click("#lang-switch")
    assert page.get_attribute("html", "lang") == "en"
    page.set_input_files("#screen-file", str(csv))
    page.select_option("#screen-format", "html")
    page.click("#screen-submit")
    page.wait_for_selector("#screen-download")
    with page.expect_download() as dl:
        page.click("#screen-download")
    html = Path(dl.value.path()).read_text(encoding="utf-8")
    assert '<html lang="en">' in html and "Screening of foreign detainees" in html and "cas lus" not in html


# ---- keyboard, language, trainer, print ---------------------------------------------------------
def test_keyboard_only(page, tmp_path):
    """Tab through the controls (focus visible), fill a case with keys only, Enter asks."""
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    seen = []
    for _ in range(12):
        page.keyboard.press("Tab")
        seen.append(page.evaluate("document.activeElement.id"))
        if seen[-1] == "f-id":
            break
    assert seen[-1] == "f-id", seen
    assert {"lang-switch", "trainer", "print", "tab-form"} <= set(seen)
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"
    page.keyboard.type("clavier-1")
    # nationality: Enter on the add button creates a State select and focuses it; type-ahead picks the State
    page.focus("#f-person-nationalities-add")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.tagName") == "SELECT"
    page.keyboard.type("Roumanie (RO)")
    assert page.evaluate("document.activeElement.value") == "RO"
    page.focus("#ask")
    page.keyboard.press("Enter")
    page.wait_for_selector(".card")
    sent = json.loads(page.text_content("#case-json"))
    assert sent["id"] == "clavier-1" and sent["person"]["nationalities"] == ["RO"]
    assert_matches_cli(page, cli_answer(sent, tmp_path))
    # tabs: arrow keys switch the panel
    page.focus("#tab-form")
    page.keyboard.press("ArrowRight")
    assert page.is_visible("#paste-text") and not page.is_visible("#f-id")
    # citations are links: reachable and opened with Enter
    page.locator("#answer ul.conditions a.cite").first.focus()
    page.keyboard.press("Enter")
    page.wait_for_selector("#article-dialog[open] .article-body :is(.paragraphs, .error)")


def test_every_input_has_a_label(page):
    paste(page, (EXAMPLES / "ionescu.json").read_text(encoding="utf-8"))
    page.click("#tab-form")
    unlabelled = page.evaluate("""() => [...document.querySelectorAll('input, select, textarea')]
        .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label'))
        .map(e => e.id || e.outerHTML)""")
    assert unlabelled == []


def test_a_deadline_reads_as_a_deadline(page):
    """The préfecture notice's `until` is the avis d'écrou's deadline, not the end of the duty."""
    paste(page, (EXAMPLES / "ionescu.json").read_text(encoding="utf-8"))
    assert page.text_content(".card[data-procedure=prefecture_notice] .when div:nth-child(2) dt") == \
        "Avis d'écrou au plus tard le"
    assert page.text_content(".card[data-procedure=lc_expulsion] .when div:nth-child(2) dt") == "Jusqu'au"


def test_consent_reads_sans_objet_where_the_rules_know_no_consent(page):
    """A duty of the greffe (préfecture notice) has no consent: « sans objet », not « indéterminé »
    (which would send the reader looking for a missing fact); the JSON value stays null."""
    paste(page, (EXAMPLES / "ionescu.json").read_text(encoding="utf-8"))
    dd = ".card[data-procedure={}] [data-field=consent_required]"
    assert page.text_content(dd.format("prefecture_notice")) == "sans objet"
    assert page.get_attribute(dd.format("prefecture_notice"), "data-value") == "null"
    assert page.text_content(dd.format("lc_expulsion")) == "non requis"
    assert page.text_content(dd.format("ste_transfer")) in ("requis", "non requis", "indéterminé")


def test_english(page, server):
    page.click("#lang-switch")
    assert page.get_attribute("html", "lang") == "en"
    assert "lang=en" in page.url
    assert page.text_content("#tab-form") == "Form"
    assert page.text_content("label[for=f-person-habitual_residence]").strip().lower() != "résidence habituelle"
    paste(page, (EXAMPLES / "petrenko-ukraine.json").read_text(encoding="utf-8"))
    assert "applicable later" in page.text_content(".card[data-procedure=lc_expulsion] .badge")
    # the URL opens the page in English
    page.goto(server + "/?lang=en")
    page.wait_for_selector("body[data-ready=true]")
    assert page.get_attribute("html", "lang") == "en"
    assert page.text_content("#ask") == "Ask"


def test_trainer_tree_and_instruments_set_aside(page):
    paste(page, (EXAMPLES / "ionescu.json").read_text(encoding="utf-8"))
    assert not page.is_visible(".trainer-tree")
    page.check("#trainer")
    tree = page.locator(".card[data-procedure=eu_recognition] .trainer-tree")
    assert tree.is_visible()
    # the nested conditions of CPP 728-11: case_728_11 holds case_1, case_2, case_3
    nested = tree.locator("[data-condition=case_728_11] [data-condition]")
    assert sorted(nested.evaluate_all("ns => ns.map(n => n.dataset.condition)")) == ["case_1", "case_2", "case_3"]
    aside = page.locator(".set-aside-all")
    assert aside.is_visible() and "2008/909" in aside.text_content()
    assert page.locator(".set-aside-all [data-set-aside-by=eu_recognition]").count() == 1
    # collapsible with the keyboard
    summary = tree.locator("[data-condition=case_728_11] > details > summary")
    summary.focus()
    page.keyboard.press("Enter")
    assert tree.locator("[data-condition=case_728_11] > details").get_attribute("open") is None


def test_print_shows_the_answer_with_its_sources_and_hides_the_form(page):
    paste(page, (EXAMPLES / "ionescu.json").read_text(encoding="utf-8"))
    page.emulate_media(media="print")
    assert not page.is_visible("#input") and not page.is_visible("#whatif") and not page.is_visible("#screen")
    assert page.is_visible(".card[data-procedure=eu_recognition] .all-sources")
    assert "CPP 728-11 1°" in page.text_content(".card[data-procedure=eu_recognition] .all-sources")
    page.emulate_media(media="screen")
    assert page.is_visible("#input")


def test_english_trainer_tree_gives_the_evidence_in_english(page):
    """Issue 15 item 7: the reference evidence under the trainer tree in the page's language."""
    page.click("#lang-switch")
    assert page.get_attribute("html", "lang") == "en"
    paste(page, (EXAMPLES / "ionescu.json").read_text(encoding="utf-8"))
    page.check("#trainer")
    tree = page.locator(".card[data-procedure=eu_recognition] .trainer-tree")
    evidence = " ".join(tree.locator(".evidence li").all_text_contents())
    assert "[S] EU member from 2007-01-01" in evidence and "[I] applied at least on 2016-07-04" in evidence
    assert "membre de l'UE" not in evidence and "appliquée au moins" not in evidence
