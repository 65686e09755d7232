"""Simulated reforms (docs/reforms.md, issue 16 item 4): a reform file derives a rule book and
reference data; ``screen --reform`` and ``ask --reform``. The legal effect of each example
reform on real cases is asserted in tests/cases/reforms.yaml; here: the law before the
reform's date is unchanged, a bad reform file gives a message (exit 2, no traceback), and the
impact's counts equal a direct comparison of two screenings."""
from __future__ import annotations

import io
import json
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from lexquery.cli import main
from lexquery.engine.api import load_kb
from lexquery.engine.reform import load_reform
from lexquery.errors import ReformError
from lexquery.screening.impact import screen_impact
from lexquery.screening.outputs import make_writer
from lexquery.screening.screen import screen
from lexquery.screening.synth import synth_text

ROOT = Path(__file__).resolve().parent.parent
REFORMS = ROOT / "examples" / "reforms"
LSC = REFORMS / "lsc-plein-droit-trois-ans.yaml"
CAPS = REFORMS / "plafonds-729.yaml"
MAROC = REFORMS / "maroc-ste167.yaml"


@pytest.fixture(scope="module")
def base():
    return load_kb()


@pytest.fixture(scope="module")
def registry(tmp_path_factory):
    p = tmp_path_factory.mktemp("reform") / "registre.csv"
    p.write_text(synth_text(400, seed=3, ref=date(2026, 12, 1)), encoding="utf-8")
    return p


def _rows(path, engine, as_of):
    out = io.StringIO()
    screen(str(path), make_writer("jsonl", out), as_of=as_of, engine=engine, progress=False)
    return [json.loads(x) for x in out.getvalue().splitlines()]


def _direct_counts(before, after, start: str):
    """The transitions counted straight from two screenings' rows (procedure and routes); a
    ``from`` under the reform before its date ``start`` reads as the date under the law in
    force when that one is earlier, else as ``start`` (docs/reforms.md)."""
    def index(rows):
        out = {}
        for r in rows:
            out[(r["line"], r["procedure"], r["state"])] = r
            for rt in r["routes"]:
                bits = rt.split(":")
                out[(r["line"], f"{r['procedure']}/{bits[0]}", r["state"])] = {
                    "status": bits[1], "from": bits[2] if len(bits) > 2 else None, "until": None}
        return out
    b, a = index(before), index(after)
    counts = Counter()
    for k in set(b) | set(a):
        x, y = b.get(k, {}), dict(a.get(k, {}))
        if y.get("from") and y["from"] < start:
            y["from"] = x["from"] if x.get("from") and x["from"] < start else start
        if (x.get("status"), x.get("from"), x.get("until")) != (y.get("status"), y.get("from"), y.get("until")):
            counts[(k[1], f"{x.get('status') or 'absent'} → {y.get('status') or 'absent'}")] += 1
    return counts


@pytest.mark.parametrize("path", [LSC, CAPS, MAROC], ids=lambda p: p.stem)
def test_example_reforms_load_and_are_labelled(path, base):
    r = load_reform(path, base.book, base.ref)
    assert r.label.startswith("réforme simulée : ") and r.name in r.label
    assert r.changes, "a reform changes something"
    eng = r.engine(base)
    assert eng.kb_meta["reform"]["label"] == r.label
    ans = eng.ask(json.loads((ROOT / "examples" / "benali-maroc.json").read_text()), r.start)
    assert ans.to_dict()["knowledge_base"]["reform"]["from"] == r.start.isoformat()
    from lexquery.render.text import render_text
    assert f"⚠ {r.label}" in render_text(ans)
    # the base book is untouched by the reform (the reform works on a copy of the parsed files)
    assert "reform" not in base.kb_meta


@pytest.mark.parametrize("path", [LSC, CAPS, MAROC], ids=lambda p: p.stem)
def test_before_the_reform_date_the_registry_is_unchanged(path, base, registry):
    r = load_reform(path, base.book, base.ref)
    imp, _, _ = screen_impact(str(registry), r, base=base, as_of=r.start - (date(2000, 1, 2) - date(2000, 1, 1)),
                              progress=False)
    assert imp.cases == 400 and imp.changes == []


@pytest.mark.parametrize("path", [LSC, CAPS, MAROC], ids=lambda p: p.stem)
def test_impact_counts_equal_a_direct_comparison_of_two_screenings(path, base, registry):
    r = load_reform(path, base.book, base.ref)
    when = date(2027, 7, 1)
    imp, _, _ = screen_impact(str(registry), r, base=base, as_of=when, progress=False)
    direct = _direct_counts(_rows(registry, base, when), _rows(registry, r.engine(base), when), r.start.isoformat())
    assert imp.counts == direct
    assert sum(direct.values()) == len(imp.changes)
    if path != CAPS:   # the lowered caps reach few synthetic sentences after the reform's date
        assert imp.changes, "the reform changes some synthetic case"


def test_lsc_reform_on_the_registry_only_opens_the_plein_droit_route(base, registry):
    r = load_reform(LSC, base.book, base.ref)
    imp, _, _ = screen_impact(str(registry), r, base=base, as_of=date(2027, 7, 1), progress=False)
    for c in imp.changes:
        assert c["procedure"] == "lc_expulsion" and c["route"] in ("lsc_plein_droit", "lsc_720_i"), c
        if c["route"] == "lsc_plein_droit":
            assert c["status_before"] == "not_applicable", c


def _bad(tmp_path, text):
    p = tmp_path / "bad.yaml"
    p.write_text(text, encoding="utf-8")
    return p


HEAD = 'reform: x\nname: "essai"\ntext: "hypothèse"\nfrom: 2027-01-01\n'


@pytest.mark.parametrize("body, where, words", [
    ("constants:\n  lsc_pd_total_maxi: {value: P3Y, sources: [\"CPP 720 II\"]}\n", "constants.lsc_pd_total_maxi",
     "lsc_pd_total_max"),
    ("constants:\n  lsc_pd_total_max: {value: P3Y}\n", "constants.lsc_pd_total_max", "sources"),
    ("constants:\n  lsc_pd_total_max: {value: P3Y, sources: [\"CPP 999 II\"]}\n", "constants.lsc_pd_total_max",
     "citation introuvable"),
    ("conditions:\n  - {procedure: lc_expulsionn, replace: foreigner, with: {id: y, sources: [\"CPP 720 II\"], test: \"true\"}}\n",
     "conditions[0].procedure", "lc_expulsion"),
    ("conditions:\n  - {procedure: lc_expulsion, route: lsc_plein_droit, replace: lsc_pd_totale, with: {id: y, sources: [\"CPP 720 II\"], test: \"true\"}}\n",
     "conditions[0].replace", "lsc_pd_total"),
    ("conditions:\n  - {procedure: lc_expulsion, route: lsc_plein_droit, replace: lsc_pd_total, with: {id: y, sources: [\"CPP 720 II\"], test: \"life_sentenc or sentence.total <= P3Y\"}}\n",
     "lsc_plein_droit", "life_sentence"),
    ("parties:\n  - {treaty: STE168, state: MA, join: true}\n", "parties[0].treaty", "STE167"),
    ("parties:\n  - {treaty: STE167, state: XX, join: true}\n", "parties[0].state", "ISO 3166"),
    ("parties:\n  - {treaty: STE167, state: MA, join: true, from: 2026-01-01}\n", "parties[0].from", "antérieure"),
    ("constantes:\n  x: 1\n", "constantes", "constants"),
])
def test_a_bad_reform_names_the_file_the_key_and_what_to_do(tmp_path, base, body, where, words):
    p = _bad(tmp_path, HEAD + body)
    with pytest.raises(ReformError) as e:
        load_reform(p, base.book, base.ref)
    err = e.value
    assert str(p) in err.where and where in err.where, err.render()
    assert words in err.render(), err.render()
    assert err.exit_code == 2


def test_a_reform_without_date_or_with_bad_yaml(tmp_path, base):
    with pytest.raises(ReformError, match="from"):
        load_reform(_bad(tmp_path, 'reform: x\nname: n\ntext: t\nconstants: {}\n'), base.book, base.ref)
    with pytest.raises(ReformError, match="YAML"):
        load_reform(_bad(tmp_path, 'reform: [x\n'), base.book, base.ref)
    with pytest.raises(ReformError, match="date invalide"):
        load_reform(_bad(tmp_path, HEAD.replace("2027-01-01", "2027-13-01")
                         + 'constants:\n  lc_time_cap: {value: P12Y, sources: ["CPP 729 al. 8"]}\n'), base.book, base.ref)


def test_cli_bad_reform_exit_2_message_no_traceback(tmp_path, registry, capsys):
    p = _bad(tmp_path, HEAD + "constants:\n  lc_time_capp: {value: P12Y, sources: [\"CPP 729 al. 8\"]}\n")
    assert main(["screen", str(registry), "--reform", str(p), "-q"]) == 2
    err = capsys.readouterr().err
    assert "constante inconnue « lc_time_capp »" in err and "lc_time_cap" in err and "Traceback" not in err
    assert main(["ask", str(ROOT / "examples" / "benali-maroc.json"), "--reform", str(tmp_path / "absent.yaml")]) == 2
    assert "introuvable" in capsys.readouterr().err


def test_cli_screen_reform_outputs(tmp_path, registry, capsys):
    for ext in ("csv", "jsonl", "html", "json"):
        out = tmp_path / f"impact.{ext}"
        assert main(["screen", str(registry), "--reform", str(MAROC), "--as-of", "2027-03-01", "-q",
                     "--no-progress", "-o", str(out)]) == 0
        text = out.read_text(encoding="utf-8")
        assert "réforme simulée : " in text or ext == "jsonl" and text == "" or "réforme simulée" in text
    head = (tmp_path / "impact.csv").read_text(encoding="utf-8").splitlines()[0]
    assert head.startswith("line,id,name,as_of,procedure,route,state,change,status_before,status_after")
    page = (tmp_path / "impact.html").read_text(encoding="utf-8")
    assert "côte à côte" in page and "droit en vigueur" in page
    assert main(["screen", str(registry), "--reform", str(MAROC), "--as-of", "2027-03-01", "-q", "--no-progress"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("⚠ réforme simulée : Adhésion du Maroc")
    # in words for a magistrate (issue 15): the procedure's label, not its id (kept in the CSV)
    assert "Transfèrement vers l'État de nationalité" in text and "ste_transfer" not in text


def test_cli_ask_reform_shows_both_and_what_differs(tmp_path, capsys):
    case = json.loads((ROOT / "examples" / "benali-maroc.json").read_text())
    case["consent"]["transfer"] = False
    p = tmp_path / "benali.json"
    p.write_text(json.dumps(case), encoding="utf-8")
    assert main(["ask", str(p), "--reform", str(MAROC), "--as-of", "2027-03-01"]) == 0
    out = capsys.readouterr().out
    assert "═══ Droit en vigueur ═══" in out and "═══ réforme simulée : Adhésion du Maroc" in out
    assert ("Transfèrement vers l'État de nationalité (STE 112 / STE 167 / convention bilatérale) — MA — "
            "statut : non applicable → applicable") in out and "not_applicable" not in out
    assert main(["ask", str(p), "--reform", str(MAROC), "--as-of", "2027-03-01", "-f", "json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["current"]["knowledge_base"].get("reform") is None
    assert d["reformed"]["knowledge_base"]["reform"]["label"].startswith("réforme simulée : ")
    assert {"procedure": "ste_transfer", "state": "MA", "route": None, "condition": None, "what": "statut",
            "before": "not_applicable", "after": "applicable"} in d["differences"]
    assert main(["ask", str(p), "--reform", str(MAROC), "-f", "pdf", "-o", str(tmp_path / "x.pdf")]) == 2


def test_derived_remove_and_add_as_in_the_documentation(tmp_path, base):
    """docs/reforms.md's examples of `derived:`, `remove:` and `add: … in:` load and act from the
    reform's date only: three quarters instead of two thirds for CPP 720 I."""
    p = _bad(tmp_path, HEAD + """derived:
  two_thirds:
    expr: "fraction_point(sentence.execution_start, sentence.expected_end, 3, 4)"
    sources: ["CPP 720 I"]
conditions:
  - procedure: eu_recognition
    remove: rehabilitation
  - procedure: ste_transfer
    in: legal_basis
    add: {id: basis_test, label: "essai", sources: ["Circ. 2025 §2.3"], test: "false"}
""")
    r = load_reform(p, base.book, base.ref)
    eng = r.engine(base)
    case = json.loads((ROOT / "examples" / "ionescu.json").read_text())
    case["sentence"].update(total="P2Y6M", execution_start="2025-01-01", expected_end="2027-07-01")

    def lsc(e, d):
        rt = [x for x in e.ask(case, d).procedure("lc_expulsion").routes if x.procedure == "lsc_720_i"][0]
        return rt.date_from

    assert lsc(base, "2026-12-31") == lsc(eng, "2026-12-31") == date(2026, 9, 1)   # two thirds (CPP 716-1)
    assert lsc(eng, "2027-01-01") == date(2026, 11, 16)                             # three quarters
    conds = [c.id for c in eng.ask(case, "2027-01-01").procedure("eu_recognition", "RO").conditions]
    assert "rehabilitation" not in conds and "rehabilitation" in [
        c.id for c in eng.ask(case, "2026-12-31").procedure("eu_recognition", "RO").conditions]


@pytest.mark.parametrize("start, before, after", [
    ("2012-01-01", "2027-01-01", None),              # open under the law in force before the reform: unchanged
    ("2014-01-01", "2029-01-01", "2027-07-01"),      # the 12-year cap reached in 2026: open from the reform's date
    ("2016-01-01", "2031-01-01", "2028-01-01"),      # reached after the reform's date: that date
])
def test_a_date_before_the_reform_reads_from_the_reform(tmp_path, base, start, before, after, capsys):
    """CPP 729 al. 8 caps lowered from 2027-07-01 (examples/reforms/plafonds-729.yaml): a thirty-year
    sentence whose twelve years fell before that date is open from the reform's entry into force,
    not from a past date (the law changes on its date only); one already open stays as it was."""
    case = json.loads((ROOT / "examples" / "benali-maroc.json").read_text())
    y = int(start[:4])
    case["sentence"].update(total="P30Y", execution_start=start, expected_end=f"{y + 30}{start[4:]}")
    case["sentence"]["convictions"][0]["total"] = "P30Y"
    p = tmp_path / "long.json"
    p.write_text(json.dumps(case), encoding="utf-8")
    assert main(["ask", str(p), "--reform", str(CAPS), "--as-of", "2027-07-01", "-f", "json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["current"]["procedures"][[x["procedure"] for x in d["current"]["procedures"]].index("lc_expulsion")]["from"] == before
    moved = [x for x in d["differences"] if x["procedure"] == "lc_expulsion" and x["route"] is None
             and x["what"] == "à partir du"]
    assert (moved[0]["after"] if moved else None) == after


def test_stdin_and_two_workers_give_the_same_impact(registry, base, monkeypatch):
    """Standard input is spooled to be read twice; two worker processes (fork) give the same
    changes as one."""
    r = load_reform(MAROC, base.book, base.ref)
    one, _, _ = screen_impact(str(registry), r, base=base, as_of=date(2027, 3, 1), progress=False)
    two, _, _ = screen_impact(str(registry), r, base=base, as_of=date(2027, 3, 1), jobs=2, chunk=50, progress=False)

    class _In:
        buffer = io.BytesIO(registry.read_bytes())
    monkeypatch.setattr("sys.stdin", _In)
    piped, _, _ = screen_impact("-", r, base=base, as_of=date(2027, 3, 1), progress=False)
    assert one.changes and one.changes == two.changes == piped.changes
    assert piped.source == "<stdin>" and piped.cases == one.cases == 400


def test_replacing_a_condition_that_routes_stand_in_for(tmp_path, base):
    """Replacing lc_expulsion's time_condition (CPP 729 al. 8) by a one-third point: the routes
    that stand in for it (``replaces: [time_condition]``) stand in for its successor too, so the
    LSC routes still open the procedure; before the date, the law in force — but for a date it
    would give on or after the reform's date, settled under the reform (docs/reforms.md)."""
    p = _bad(tmp_path, HEAD + """conditions:
  - procedure: lc_expulsion
    replace: time_condition
    with:
      id: time_condition_third
      label: {fr: "temps d'épreuve : un tiers de la peine (réforme simulée)"}
      sources: ["CPP 729 al. 8"]
      from: "fraction_point(sentence.execution_start, sentence.expected_end, 1, 3)"
""")
    r = load_reform(p, base.book, base.ref)
    routes = {rt.id: rt.replaces for rt in r.book.procedures["lc_expulsion"].routes}
    assert all(set(v) == {"time_condition", "time_condition_third"} for v in routes.values()), routes
    case = json.loads((ROOT / "examples" / "ionescu.json").read_text())
    case["sentence"].update(total="P3Y", execution_start="2026-07-01", expected_end="2029-07-01")
    eng = r.engine(base)
    before = base.ask(case, "2026-12-31").procedure("lc_expulsion")
    assert before.date_from == date(2027, 12, 31)
    # on the eve, the mid-sentence the law in force gives (2027-12-31) falls after the reform's
    # date: a date counts only within the period of the text that gives it, so it is settled under
    # the reform, which replaces the condition from 2027-01-01 (its ``valid:`` period; review 26,
    # R26-10): the one-third point, 2027-07-02, and the answer says why (law_change)
    pending = eng.ask(case, "2026-12-31").procedure("lc_expulsion")
    assert (pending.status, pending.date_from) == ("applicable_later", date(2027, 7, 2))
    assert pending.law_change["on"] == date(2027, 1, 1) and "time_condition_third" in pending.law_change["changes"]
    # one third of 1,096 days, rounded up (CPP 716-1 counts days served): 366 days → 2027-07-02
    eve = eng.ask(case, "2027-07-01").procedure("lc_expulsion")
    assert (eve.status, eve.date_from) == ("applicable_later", date(2027, 7, 2))
    day = eng.ask(case, "2027-07-02").procedure("lc_expulsion")
    assert (day.status, day.date_from) == ("applicable", date(2027, 7, 2))
    assert base.ask(case, "2027-07-02").procedure("lc_expulsion").status == "applicable_later"


@pytest.mark.parametrize("path", [LSC, CAPS, MAROC], ids=lambda p: p.stem)
def test_the_columnar_engine_gives_the_same_impact(path, base, tmp_path):
    """Both screenings over columns, each program compiled from its own rule book and reference
    data: the same changes as the scalar engine's. Rows the program hands to the scalar engine are
    answered under the reform too (a program once answered them under the law in force: Morocco
    was then « not applicable » in a row the reform makes undetermined)."""
    pytest.importorskip("polars")
    registry = tmp_path / "registre.csv"
    registry.write_text(synth_text(1000, seed=0, ref=date(2026, 12, 1)), encoding="utf-8")
    r = load_reform(path, base.book, base.ref)
    when = date(2027, 7, 1)
    scalar, s0, s1 = screen_impact(str(registry), r, base=base, as_of=when, progress=False)
    columnar, c0, c1 = screen_impact(str(registry), r, base=base, as_of=when, progress=False, engine="columnar")
    assert columnar.changes == scalar.changes and columnar.counts == scalar.counts
    assert (c0.read, c0.rows_out, c1.rows_out) == (s0.read, s0.rows_out, s1.rows_out)
    if path == MAROC:
        assert scalar.changes
