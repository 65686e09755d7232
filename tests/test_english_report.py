"""The screening's faces in French and in English, each whole (issue 15): ``screen --lang en``
(the summary on the terminal, the HTML report, the calendar), the impact of a simulated reform
(``screen --reform``: text and HTML) and ``ask --reform``, the reform files' own words, and
``POST /api/screen?lang=``.

The English has no French word (tests/lang_check.py: what may stay French — names of French
institutions, citations, law text quoted « as published », the registry's own data — is set
aside there); the French a magistrate reads has no internal id (``lc_expulsion``,
``not_applicable``, ``fd_applies(RO)``, ``question:<id>``, a JSON path). The CSV and JSON outputs
keep their ids: they are the interface (docs/screening-csv.md), checked to be the same whatever
the language.
"""
from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from lang_check import french_lines, internal_lines
from lexquery.screening.synth import synth_text

ROOT = Path(__file__).resolve().parents[1]
CLI = [sys.executable, "-c", "import sys; from lexquery.cli import main; sys.exit(main())"]
BROKEN = ROOT / "tests" / "fixtures" / "screening" / "broken.csv"
REFORMS = sorted((ROOT / "examples" / "reforms").glob("*.yaml"))
AS_OF = "2026-12-01"


def run(*args):
    return subprocess.run(CLI + [str(a) for a in args], capture_output=True, text=True, cwd=ROOT)


def visible(page: str) -> str:
    """The words of a page outside its scripts and styles, a tag a line break."""
    text = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", page, flags=re.S)
    return re.sub(r"<[^>]+>", "\n", text)


def shown_strings(page: str) -> list[str]:
    """Every text the report's script shows a person: the explanation lines (string table), the
    table's cells in words (missing facts, basis, what to verify), the messages of rejected rows,
    the labels of procedures and statuses and the script's own words. Not the filter values
    (``PROCS``, ``STATUSES``: ids the page never prints) nor the registry's own ids, names, dates."""
    def const(name):
        i = page.index(f"const {name} = ") + len(f"const {name} = ")
        return json.JSONDecoder().raw_decode(page, i)[0]
    out = const("STR") + const("PROC_LABELS") + const("STATUS_LABELS") + list(const("W").values())
    cases = json.loads(page[page.index("const CASES = [") + 14:page.index("];\n</script>") + 1])
    for c in cases:
        if c[4]:
            out.append(c[4])                       # a rejected row's message
        for r in c[5]:
            out += [x for x in (r[6], r[7], r[8]) if x]
    return out


def names_of(path: Path) -> list[str]:
    """The registry's own words (names, courts): they stay as the export gives them."""
    text = path.read_text(encoding="utf-8-sig")
    rows = csv.DictReader(io.StringIO(text), delimiter=";")
    return [v for row in rows for k, v in row.items() if k in ("name", "court") and v]


@pytest.fixture(scope="module")
def lot(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("en-report")
    src = d / "lot.csv"
    src.write_text(synth_text(60, seed=3, ref=date(2026, 12, 1)), encoding="utf-8")
    return src


@pytest.fixture(scope="module")
def reports(lot, tmp_path_factory) -> dict:
    """The report and the summary of the same registry (and of a broken export), in each language."""
    d = tmp_path_factory.mktemp("en-report-out")
    out = {}
    for lang in ("fr", "en"):
        for name, src in (("lot", lot), ("broken", BROKEN)):
            html = d / f"{name}-{lang}.html"
            r = run("screen", src, "--as-of", AS_OF, "--lang", lang, "-o", html, "--no-progress")
            assert r.returncode == (0 if name == "lot" else 3), r.stderr
            out[(name, lang)] = {"html": html.read_text(encoding="utf-8"), "summary": r.stderr}
    return out


# ---------------------------------------------------------------- screen --lang en
@pytest.mark.parametrize("name", ["lot", "broken"])
def test_english_report_has_no_french_word(reports, lot, name):
    page = reports[(name, "en")]["html"]
    allowed = names_of(lot if name == "lot" else BROKEN)
    bad = french_lines(visible(page), allowed)
    assert bad == [], "\n".join(bad[:20])
    bad = french_lines("\n".join(shown_strings(page)), allowed)
    assert bad == [], "\n".join(bad[:20])


def test_english_report_says_it_in_english(reports):
    page = reports[("lot", "en")]["html"]
    assert '<html lang="en">' in page and "<h1>Screening of foreign detainees" in page
    assert '"applicable later"' in page and '"not applicable"' in page   # the statuses, as the answer says them
    assert "Conditional release subject to removal" in page               # the rule file's label.en
    assert "Calendar of the next fifteen days" in page and "missing facts / message" in page
    cells = shown_strings(page)
    # missing facts as a person reads them (engine.fields.fact_label), not JSON paths
    assert any("consent to transfer" in c for c in cells)
    assert not any(re.search(r"\b(?:person|sentence|consent|detention)\.[a-z_]+", c) for c in cells)
    # the « à vérifier » column: the notes in words, never the entries' names
    assert not any(re.search(r"fd_applies\(|party\(STE|question:[a-z_]+|note:[a-z_]+", c) for c in cells)
    assert any("[I]" in c and "to verify" in c for c in cells)


def test_english_rejected_rows_are_in_english(reports):
    page = reports[("broken", "en")]["html"]
    msgs = [c for c in shown_strings(page) if c.startswith(("column «", "line "))]
    assert len(msgs) == 8, msgs
    assert any("invalid value « peut-être » (expected: « oui »/« non », true/false or 1/0" in m for m in msgs)
    assert any("identifier « ok-1 » already used on line 2" in m for m in msgs)
    assert any("too many cells: 16 cell(s) for 15 column(s)" in m for m in msgs)
    assert "rejected rows" in page and "11 cases read, 3 answered, 8 rejected" in page


@pytest.mark.parametrize("name", ["lot", "broken"])
def test_english_summary_has_no_french_word(reports, name):
    summary = reports[(name, "en")]["summary"]
    assert "cases read" in summary and "applicable later" in summary and "procedure" in summary
    bad = french_lines(summary)
    assert bad == [], "\n".join(bad)


@pytest.mark.parametrize("name", ["lot", "broken"])
def test_french_summary_has_no_internal_id(reports, name):
    summary = reports[(name, "fr")]["summary"]
    assert "cas lus" in summary and "applicable plus tard" in summary and "indéterminé" in summary
    bad = internal_lines(summary)
    assert bad == [], "\n".join(bad)


@pytest.mark.parametrize("name", ["lot", "broken"])
def test_french_report_has_no_internal_id(reports, name):
    """The French report (the default): its words and every text its script shows. A rejected
    row names the column of the export (its header: the registry's own words), not the
    case-format path behind it (that stays in the CSV's ``message``)."""
    page = reports[(name, "fr")]["html"]
    assert '<html lang="fr">' in page and "Criblage des détenus étrangers" in page
    texts = [re.sub(r"colonnes? « [a-z_]+ »|« [a-z_]+ »", " ", t) for t in shown_strings(page)]
    bad = internal_lines(visible(page)) + internal_lines("\n".join(texts))
    assert bad == [], "\n".join(bad[:20])
    if name == "broken":
        assert "colonne « execution_start » : valeur invalide" in page and "(sentence.execution_start)" not in page
        assert "une date postérieure à « execution_start »" in page


def test_csv_and_json_keep_their_ids_whatever_the_language(lot, tmp_path):
    """The machine outputs are the interface (docs/screening-csv.md): the same bytes in English."""
    for ext in ("csv", "jsonl"):
        fr, en = tmp_path / f"fr.{ext}", tmp_path / f"en.{ext}"
        assert run("screen", lot, "--as-of", AS_OF, "-o", fr, "-q").returncode == 0
        assert run("screen", lot, "--as-of", AS_OF, "--lang", "en", "-o", en, "-q").returncode == 0
        assert fr.read_bytes() == en.read_bytes()
        assert b"lc_expulsion" in fr.read_bytes() and b"not_applicable" in fr.read_bytes()


def test_english_calendar(lot, tmp_path):
    ics = tmp_path / "x.ics"
    assert run("screen", lot, "--as-of", AS_OF, "--lang", "en", "-o", ics, "-q").returncode == 0
    text = ics.read_text(encoding="utf-8").replace("\r\n ", "")
    assert "SUMMARY:" in text and ("opens: " in text or "last day: " in text)
    assert "statut" not in text and "status: " in text and "applicable_later" not in text


# ---------------------------------------------------------------- reforms
@pytest.mark.parametrize("path", REFORMS, ids=lambda p: p.stem)
def test_example_reforms_speak_english(path):
    """Every text of an example reform file has its English (the rule files' convention)."""
    from lexquery.engine.reform import load_reform
    r = load_reform(path)
    assert r.untranslated == []
    meta = r.meta()
    assert meta["label_en"].startswith("simulated reform: ") and meta["label"].startswith("réforme simulée : ")
    assert len(meta["changes_en"]) == len(meta["changes"])
    english = "\n".join([meta["label_en"], meta["text_en"], r.description_en] + meta["changes_en"])
    assert french_lines(english) == [], french_lines(english)
    # the changes in words in French too: no rule id or constant name
    assert internal_lines("\n".join(meta["changes"])) == []


def test_a_reform_without_english_says_so(tmp_path):
    from lexquery.engine.reform import load_reform
    p = tmp_path / "r.yaml"
    p.write_text('reform: x\nname: "Plafonds"\ntext: "Hypothèse"\nfrom: 2027-07-01\nconstants:\n'
                 '  lc_time_cap: {value: P12Y, sources: ["CPP 729 al. 8"], note: "plafond abaissé"}\n', encoding="utf-8")
    r = load_reform(p)
    assert r.untranslated == ["name", "text", "constants.lc_time_cap.note"]
    assert r.meta()["untranslated"] == r.untranslated and r.label_en == "simulated reform: Plafonds"
    en = run("ask", ROOT / "examples" / "ionescu.json", "--reform", p, "--as-of", "2027-07-01", "--lang", "en")
    assert en.returncode == 0, en.stderr
    assert "(given in French only by the reform file: name, text, constants.lc_time_cap.note)" in en.stdout


@pytest.fixture(scope="module")
def registry(tmp_path_factory) -> Path:
    p = tmp_path_factory.mktemp("en-reform") / "registre.csv"
    p.write_text(synth_text(400, seed=3, ref=date(2026, 12, 1)), encoding="utf-8")
    return p


@pytest.fixture(scope="module")
def impacts(registry, tmp_path_factory) -> dict:
    from lexquery.engine.reform import load_reform
    d = tmp_path_factory.mktemp("en-impact")
    out = {}
    for path in REFORMS:
        start = load_reform(path).start.isoformat()
        for lang in ("fr", "en"):
            html = d / f"{path.stem}-{lang}.html"
            r = run("screen", registry, "--reform", path, "--as-of", start, "--lang", lang, "-o", html, "--no-progress")
            assert r.returncode == 0, r.stderr
            out[(path.stem, lang)] = {"html": html.read_text(encoding="utf-8"), "text": r.stderr}
    return out


@pytest.mark.parametrize("path", REFORMS, ids=lambda p: p.stem)
def test_english_impact_has_no_french_word(impacts, registry, path):
    got = impacts[(path.stem, "en")]
    assert got["text"].startswith("⚠ simulated reform: ") and "(a simulation: not the law in force)" in got["text"]
    assert "<html lang='en'>" in got["html"] and "Impact of the reform on" in got["html"]
    allowed = names_of(registry)
    for face in (got["text"], visible(got["html"])):
        bad = french_lines(face, allowed)
        assert bad == [], "\n".join(bad[:20])


@pytest.mark.parametrize("path", REFORMS, ids=lambda p: p.stem)
def test_french_impact_has_no_internal_id(impacts, path):
    got = impacts[(path.stem, "fr")]
    assert got["text"].startswith("⚠ réforme simulée : ")
    for face in (got["text"], visible(got["html"])):
        bad = internal_lines(face)
        assert bad == [], "\n".join(bad[:20])


def test_the_lsc_reform_impact_names_what_changes_in_both_languages(impacts):
    fr, en = impacts[("lsc-plein-droit-trois-ans", "fr")], impacts[("lsc-plein-droit-trois-ans", "en")]
    assert "non applicable → " in fr["text"] and "Libération conditionnelle « expulsion » › " in fr["text"]
    assert "not applicable → " in en["text"] and "Conditional release subject to removal" in en["text"]


@pytest.fixture(scope="module")
def benali(tmp_path_factory) -> Path:
    case = json.loads((ROOT / "examples" / "benali-maroc.json").read_text(encoding="utf-8"))
    case["consent"]["transfer"] = False
    p = tmp_path_factory.mktemp("en-ask") / "benali.json"
    p.write_text(json.dumps(case), encoding="utf-8")
    return p


@pytest.mark.parametrize("path", REFORMS, ids=lambda p: p.stem)
def test_ask_reform_in_english_and_french(benali, path):
    from lexquery.engine.reform import load_reform
    start = load_reform(path).start.isoformat()
    en = run("ask", benali, "--reform", path, "--as-of", start, "--lang", "en")
    assert en.returncode == 0, en.stderr
    assert "═══ Law in force ═══" in en.stdout and "═══ What the reform changes (simulated reform: " in en.stdout
    bad = french_lines(en.stdout)
    assert bad == [], "\n".join(bad[:20])
    fr = run("ask", benali, "--reform", path, "--as-of", start)
    assert fr.returncode == 0, fr.stderr
    assert "═══ Ce qui change sous la réforme (réforme simulée : " in fr.stdout
    bad = internal_lines(fr.stdout)
    assert bad == [], "\n".join(bad[:20])


def test_ask_reform_maroc_says_what_changes_in_words(benali):
    path = ROOT / "examples" / "reforms" / "maroc-ste167.yaml"
    en = run("ask", benali, "--reform", path, "--as-of", "2027-03-01", "--lang", "en").stdout
    assert ("Transfer to the State of nationality (ETS 112 / ETS 167 / bilateral convention) — MA — "
            "status: not applicable → applicable") in en
    assert "consent required: — → no" in en
    js = json.loads(run("ask", benali, "--reform", path, "--as-of", "2027-03-01", "--lang", "en", "-f", "json").stdout)
    meta = js["reformed"]["knowledge_base"]["reform"]
    assert meta["label_en"] == "simulated reform: Morocco joins ETS 112 and ETS 167 on 1 March 2027"
    cond = [d for d in js["differences"] if d["condition"]]
    assert cond and all(d["label_en"] and d["label"] for d in cond)


# ---------------------------------------------------------------- the API
def test_api_screen_follows_lang():
    from starlette.testclient import TestClient
    from lexquery.web.app import create_app
    body = BROKEN.read_bytes()
    with TestClient(base_url="http://127.0.0.1", app=create_app()) as client:
        en = client.post("/api/screen?lang=en&as_of=2026-12-01", content=body, headers={"Content-Type": "text/csv"})
        fr = client.post("/api/screen?as_of=2026-12-01", content=body, headers={"Content-Type": "text/csv"})
        bad = client.post("/api/screen?lang=de", content=body, headers={"Content-Type": "text/csv"})
    assert en.status_code == 200 and fr.status_code == 200, (en.text, fr.text)
    assert '<html lang="en">' in en.text and "rejected rows" in en.text
    assert '<html lang="fr">' in fr.text and "lignes rejetées" in fr.text
    assert en.headers["X-Lexquery-Rejected"] == fr.headers["X-Lexquery-Rejected"] == "8"
    assert bad.status_code == 400
