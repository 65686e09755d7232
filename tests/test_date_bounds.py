"""Dates and cells the engine cannot compute with, or that do not say one thing, are refused
where they are typed — with where, what was expected and what to do — instead of crashing
later ("year out of range") or being read as something they do not say.

The bounds are lexquery.dates.DATE_MIN .. DATE_MAX (1900-01-01 .. 2199-12-31), the same for a
case's dates (tests/test_case_input.py), an evaluation date on the command line, in the
HTTP API and in the lexquery language.
"""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from floor_support import floor_agreement
from lexquery.cli import main
from lexquery.dates import parse_duration
from lexquery.errors import InputError

ROOT = Path(__file__).resolve().parents[1]
IONESCU = ROOT / "examples" / "ionescu.json"
LQ = (ROOT / "examples" / "ionescu.lq").read_text(encoding="utf-8")
SCREENING = ROOT / "tests" / "fixtures" / "screening"


@pytest.mark.parametrize("argv", [
    ["ask", str(IONESCU), "--as-of", "9999-12-31"],
    ["ask", str(IONESCU), "--as-of", "1899-12-31"],
    ["screen", str(SCREENING / "broken.csv"), "--as-of", "2200-01-01", "-q"],
    ["synth", "3", "--as-of", "9999-01-01"],
    ["reference", "eu_member", "RO", "--at", "0001-01-01"],
    ["article", "CPP 729-2", "--at", "3000-01-01"],
])
def test_an_evaluation_date_out_of_range_is_a_usage_error(argv, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "date invalide pour --" in err and "entre 1900-01-01 et 2199-12-31" in err
    assert "Traceback" not in err


def test_the_last_day_of_the_range_is_answered(capsys):
    assert main(["ask", str(IONESCU), "--as-of", "2199-12-31", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["as_of"] == "2199-12-31"


def test_engine_ask_refuses_an_evaluation_date_out_of_range():
    from lexquery.engine.api import load_kb
    case = json.loads(IONESCU.read_text(encoding="utf-8"))
    with pytest.raises(InputError) as e:
        load_kb().ask(case, date(9999, 12, 31))
    assert "9999-12-31" in str(e.value) and e.value.where == "as_of"


def test_the_http_api_refuses_an_evaluation_date_out_of_range():
    pytest.importorskip("starlette")
    from starlette.testclient import TestClient
    from lexquery.web.app import create_app
    case = json.loads(IONESCU.read_text(encoding="utf-8"))
    with TestClient(base_url="http://127.0.0.1", app=create_app()) as client:
        r = client.post("/api/ask?as_of=9999-12-31", json=case)
        assert r.status_code == 400
        err = r.json()["error"]
        assert err["where"] == "?as_of" and "2199-12-31" in err["expected"]
        r = client.post("/api/what-if", json={"case": case, "as_of": "1000-01-01", "set": {}})
        assert r.status_code == 400 and r.json()["error"]["where"] == "$.as_of"


def test_a_question_date_out_of_range_points_at_the_question(tmp_path, capsys):
    f = tmp_path / "q.lq"
    f.write_text(LQ.split("# --- les questions ---")[0] + "quelles procédures au 31 décembre 9999 ?\n", encoding="utf-8")
    assert main(["ask", str(f)]) == 3
    err = capsys.readouterr().err
    assert "date hors de la plage admise « 31 décembre 9999 »" in err
    line = next(i for i, l in enumerate(f.read_text(encoding="utf-8").splitlines(), 1) if "9999" in l)
    assert f"q.lq:{line}:" in err


@pytest.mark.parametrize("text", ["P٣Y", "P３Y", "P1Y٢M"])
def test_durations_are_written_with_ascii_digits(text):
    with pytest.raises(ValueError):
        parse_duration(text)


def test_a_case_with_non_ascii_digits_is_refused(tmp_path, capsys):
    case = json.loads(IONESCU.read_text(encoding="utf-8"))
    case["sentence"]["total"] = "P٣Y"
    f = tmp_path / "c.json"
    f.write_text(json.dumps(case, ensure_ascii=False), encoding="utf-8")
    assert main(["ask", str(f)]) == 3
    assert "sentence.total" in capsys.readouterr().err


# --- CSV cells and headers that do not say one thing --------------------------------------------
HEADER = "id;nationalities;total;execution_start;expected_end;removal_kinds;removal_destination\n"


def _screen(tmp_path, text, capsys):
    f = tmp_path / "r.csv"
    f.write_text(text, encoding="utf-8")
    out = tmp_path / "o.jsonl"
    code = main(["screen", str(f), "--as-of", "2026-12-01", "-q", "-o", str(out), "-j", "1"])
    rows = [json.loads(l) for l in out.read_text(encoding="utf-8").splitlines()]
    capsys.readouterr()
    return code, rows


def test_a_list_cell_of_separators_only_is_not_read_as_none(tmp_path, capsys):
    code, rows = _screen(tmp_path, HEADER + "a;|;P3Y;2025-06-01;2028-04-01;;\n"
                                           "b;aucune;P3Y;2025-06-01;2028-04-01;;\n", capsys)
    assert code == 3
    bad = [r for r in rows if r["id"] == "a"]
    assert len(bad) == 1 and bad[0]["status"] == "error"
    assert "colonne « nationalities »" in bad[0]["message"] and "liste sans valeur « | »" in bad[0]["message"]
    assert all(r["status"] != "error" for r in rows if r["id"] == "b")   # « aucune » is known none


def test_a_repeated_removal_kind_is_refused(tmp_path, capsys):
    code, rows = _screen(tmp_path, HEADER + "a;MA;P3Y;2025-06-01;2028-04-01;ITF|ITF;MA\n"
                                           "b;MA;P3Y;2025-06-01;2028-04-01;ITF|OQTF;MA\n", capsys)
    assert code == 3
    (bad,) = [r for r in rows if r["id"] == "a"]
    assert bad["status"] == "error" and "mesure « ITF » répétée" in bad["message"]
    assert all(r["status"] != "error" for r in rows if r["id"] == "b")


def test_a_repeated_header_column_rejects_every_row_saying_which(tmp_path, capsys):
    code, rows = _screen(tmp_path, "id;nationalities;total;nationalities\n"
                                   "a;MA;P3Y;RO\nb;RO;P2Y;RO\n", capsys)
    assert code == 3
    assert [r["id"] for r in rows] == ["a", "b"]
    for r in rows:
        assert r["status"] == "error"
        assert "colonne « nationalities » répétée dans l'en-tête (colonnes 2 et 4, ligne 1)" in r["message"]


def test_the_floor_agrees_on_these_rows(tmp_path):
    """bench/floor.py (the plain-Python floor of the benchmark) rejects the same rows."""
    f = tmp_path / "r.csv"
    f.write_text(HEADER + "a;|;P3Y;2025-06-01;2028-04-01;;\nb;MA;P3Y;2025-06-01;2028-04-01;ITF|ITF;MA\n"
                 "c;MA;P3Y;2025-06-01;2028-04-01;ITF|OQTF;MA\nd;MA;P٣Y;2025-06-01;2028-04-01;;\n", encoding="utf-8")
    res = floor_agreement(f)
    assert res["rows"] > 0 and res["agree"] == res["rows"]
