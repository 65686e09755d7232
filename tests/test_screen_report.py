"""The HTML report: self-contained, with the chart, the filterable table, the calendar and
an explanation behind every row; and `lexquery synth`: realistic and reproducible."""
from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest

from lexquery.cli import main
from lexquery.screening.csv_cases import iter_cases
from lexquery.screening.synth import HEADER, synth_text

FIX = Path(__file__).parent / "fixtures" / "screening"
AS_OF = date(2026, 12, 1)


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    d = tmp_path_factory.mktemp("rep")
    src = d / "s.csv"
    src.write_text(synth_text(400, seed=11, ref=AS_OF), encoding="utf-8")
    out = d / "r.html"
    rc = main(["screen", str(src), "--as-of", "2026-12-01", "-o", str(out), "-q"])
    assert rc == 0
    return out.read_text(encoding="utf-8"), src


def test_report_has_chart_table_calendar(report):
    html, _ = report
    assert "<svg" in html and "<rect" in html and 'aria-label="Lignes par procédure et statut"' in html
    assert 'id="rows"' in html and 'id="f-proc"' in html and 'id="f-status"' in html and 'id="f-text"' in html
    assert 'id="calendar"' in html and '<table class="calendar">' in html
    cal = html[html.index('<table class="calendar">'):html.index('id="table"')]
    assert "devient éligible" in cal and "échéance" in cal
    assert re.search(r'href="#c-\d+"', cal)
    # every calendar date is within the fifteen days after as_of
    for d in re.findall(r"<tr class=\"ev-\w+\"><td>(\d{4}-\d{2}-\d{2})</td>", cal):
        assert "2026-12-01" <= d <= "2026-12-16"


def test_report_is_self_contained(report):
    html, _ = report
    assert "<link" not in html and "<script src" not in html and "<img" not in html
    assert not re.search(r"(src|href)=\"https?://", html) and "url(" not in html
    assert "@import" not in html and "fetch(" not in html


def test_report_counts_match_every_case(report):
    html, src = report
    data = html[html.index("const CASES = [") + 14:html.index("];\n</script>") + 1]
    cases = json.loads(data)
    n_rows = sum(1 for _ in csv.reader(io.StringIO(src.read_text(encoding="utf-8")), delimiter=";")) - 1
    assert len(cases) == n_rows == 400
    assert "400 cas lus, 400 répondus, 0 rejetés" in html


@pytest.mark.skipif(not shutil.which("node"), reason="node not installed")
def test_report_explanation_is_the_text_rendering(report, tmp_path):
    """Run the page's own script (node, a tiny DOM stub) and compare one explanation with `lexquery ask`."""
    from lexquery.engine.api import load_kb
    from lexquery.render.text import render_text
    html, src = report
    target = next(c for c in iter_cases(src, AS_OF) if c.line == 17)
    expected = render_text(load_kb().ask(target.case))
    page = tmp_path / "p.html"
    page.write_text(html, encoding="utf-8")
    js = tmp_path / "run.js"
    js.write_text(r"""
const fs = require("fs"), vm = require("vm");
const s = fs.readFileSync(process.argv[2], "utf8");
const scripts = [...s.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]);
const el = {};
const mk = (id) => el[id] || (el[id] = {value: "", textContent: "", innerHTML: "", className: "",
  add() {}, addEventListener() {}, scrollIntoView() {}});
global.document = {getElementById: mk, querySelector: mk};
global.location = {hash: process.argv[3]}; global.window = {addEventListener() {}};
global.history = {replaceState() {}}; global.Option = function () {};
vm.runInThisContext(scripts[0]); vm.runInThisContext(scripts[1]);
process.stdout.write(JSON.stringify({text: el["explain-text"].textContent, count: el["f-count"].textContent,
  rows: el["#rows tbody"].innerHTML}));
""", encoding="utf-8")
    res = json.loads(subprocess.run(["node", str(js), str(page), "#c-17"], check=True,
                                    capture_output=True, text=True).stdout)
    assert res["text"] == expected
    assert res["count"].endswith("ligne(s)") and res["rows"].count("<tr>") == 100


def test_report_with_error_rows(tmp_path):
    out = tmp_path / "b.html"
    rc = main(["screen", str(FIX / "broken.csv"), "--as-of", "2026-12-01", "-o", str(out), "-q"])
    assert rc == 3
    html = out.read_text(encoding="utf-8")
    assert "lignes rejetées" in html and "11 cas lus, 3 répondus, 8 rejetés" in html
    data = json.loads(html[html.index("const CASES = [") + 14:html.index("];\n</script>") + 1])
    assert [c[0] for c in data] == [2, 3, 4, 5, 6, 8, 9, 11, 12, 13, 14]
    assert sum(1 for c in data if c[4]) == 8


def test_synth_reproducible_and_realistic(capsys):
    a = synth_text(500, seed=5, ref=AS_OF)
    assert a == synth_text(500, seed=5, ref=AS_OF)
    assert a != synth_text(500, seed=6, ref=AS_OF)
    rows = list(csv.DictReader(io.StringIO(a), delimiter=";"))
    assert len(rows) == 500 and list(rows[0]) == HEADER
    nats = [r["nationalities"] for r in rows]
    assert any(n in ("RO", "PL", "IT", "PT") for n in nats)          # EU
    assert any(n in ("DZ", "MA", "TN") for n in nats)                # Maghreb
    assert any(n in ("SN", "AL", "GE", "TR", "ML") for n in nats)    # others
    assert any(n.startswith("FR|") for n in nats) and "aucune" in nats and "" in nats
    assert any(r["total"] == "life" for r in rows)
    assert any(r["safety_period_end"] not in ("", "none") for r in rows)
    assert {"ITF", "OQTF", "aucune", ""} <= {r["removal_kinds"] for r in rows}
    assert sum(r["consent_transfer"] == "" for r in rows) > 300      # unknown cells
    # every synthetic row is readable
    assert all(c.error is None for c in iter_cases(_tmp(a), AS_OF))
    rc = main(["synth", "3", "--seed", "5", "--as-of", "2026-12-01"])
    assert rc == 0 and capsys.readouterr().out == synth_text(3, seed=5, ref=AS_OF)


def _tmp(text):
    import tempfile
    f = tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False, encoding="utf-8")
    f.write(text)
    f.close()
    return f.name
