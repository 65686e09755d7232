"""Case input (contract/case-format.md): errors name the JSON path, the value, what was
expected and what to do; absent or null means unknown, never false; a batch goes on."""
import copy
import json
from pathlib import Path

import pytest

from case_edits import changed
from lexquery.cli import main
from lexquery.engine.case import read_case
from lexquery.errors import CaseError

IONESCU = json.loads((Path(__file__).parent.parent / "examples" / "ionescu.json").read_text(encoding="utf-8"))


def problems(case):
    with pytest.raises(CaseError) as e:
        read_case(case)
    return {p.where: p for p in e.value.problems}


def test_the_example_case_is_valid():
    c = read_case(copy.deepcopy(IONESCU))
    assert c["person"]["nationalities"] == ["RO"]


def test_unknown_key_is_named_with_its_path_and_a_suggestion():
    case = copy.deepcopy(IONESCU)
    case["person"]["nationality"] = ["RO"]
    p = problems(case)["person.nationality"]
    assert "nationality" in p.message and "nationalities" in (p.hint or "")


def test_wrong_types_name_path_value_and_expectation():
    case = copy.deepcopy(IONESCU)
    case["sentence"]["total"] = "3 ans"
    case["sentence"]["expected_end"] = "01/04/2028"
    case["person"]["nationalities"] = ["ro"]
    case["removal_measures"][0]["kind"] = "OQFT"
    ps = problems(case)
    assert ps["sentence.total"].expected and "3 ans" in ps["sentence.total"].message
    assert "sentence.expected_end" in ps
    assert "RO" in (ps["person.nationalities[0]"].hint or "")
    assert "OQTF" in (ps["removal_measures[0].kind"].hint or "")


def test_all_problems_are_reported_at_once():
    case = copy.deepcopy(IONESCU)
    case["sentence"]["total"] = 3
    case["detention"]["entry_date"] = "yesterday"
    assert len(problems(case)) == 2


def test_end_before_start_is_refused():
    case = copy.deepcopy(IONESCU)
    case["sentence"]["expected_end"] = "2024-01-01"
    assert "sentence.expected_end" in problems(case)


def test_null_and_absent_mean_unknown_not_false():
    case = copy.deepcopy(IONESCU)
    case["person"]["protection"] = None
    del case["sentence"]["legal_recidivism"]
    c = read_case(case)
    assert "protection" not in c["person"] and "legal_recidivism" not in c["sentence"]


def test_cli_reports_json_syntax_error_with_line_and_column(tmp_path, capsys):
    f = tmp_path / "bad.json"
    f.write_text('{\n  "id": "x",\n  "person": {"nationalities": ["RO",]}\n}\n', encoding="utf-8")
    code = main(["ask", str(f)])
    err = capsys.readouterr().err
    assert code == 3 and f"{f}:3:" in err and "Traceback" not in err


def test_cli_batch_goes_on_past_a_bad_case(tmp_path, capsys):
    bad = copy.deepcopy(IONESCU)
    bad["id"] = "bad"
    bad["sentence"]["total"] = "trois ans"
    f = tmp_path / "batch.json"
    f.write_text(json.dumps([bad, IONESCU]), encoding="utf-8")
    code = main(["ask", str(f), "--format", "json"])
    out, err = capsys.readouterr()
    assert code != 0 and "sentence.total" in err and "[0]" in err
    answers = json.loads(out)
    assert [a["case"] for a in answers] == ["ionescu-2026"]


# --- what no case can hold: bounds and cross-field rules (engine/case.py) --------------------
def _with(changes: dict) -> dict:
    """Ionescu with {"sentence.total": value, "sentence.convictions.0.date": value} applied."""
    return changed(IONESCU, changes)


REFUSED = [  # (changes, JSON path reported, words of the message, words of what is expected)
    ({"sentence.execution_start": "9999-12-31"}, "sentence.execution_start", "hors de la plage", "1900-01-01 et 2199-12-31"),
    ({"sentence.expected_end": "2200-01-01"}, "sentence.expected_end", "hors de la plage", "1900-01-01 et 2199-12-31"),
    ({"person.birth_date": "1899-12-31"}, "person.birth_date", "hors de la plage", "1900-01-01 et 2199-12-31"),
    ({"sentence.safety_period_end": "2200-01-01"}, "sentence.safety_period_end", "hors de la plage", "2199-12-31"),
    ({"sentence.convictions.0.date": "0202-05-20"}, "sentence.convictions[0].date", "hors de la plage", "1900-01-01"),
    ({"detention.entry_date": "0001-01-01"}, "detention.entry_date", "hors de la plage", "1900-01-01"),
    ({"as_of": "2200-01-01"}, "as_of", "hors de la plage", "2199-12-31"),
    ({"sentence.total": "P201Y"}, "sentence.total", "durée trop longue", "200 ans"),
    ({"sentence.total": "P72001D"}, "sentence.total", "durée trop longue", "200 ans"),
    ({"sentence.total": "P199Y12M1D"}, "sentence.total", "durée trop longue", "200 ans"),
    ({"sentence.total": "P83333Y4M"}, "sentence.total", "durée trop longue", "life"),   # 10**6 months: not "life"
    ({"sentence.total": "P99999999999Y"}, "sentence.total", "durée trop longue", "200 ans"),
    ({"sentence.total": "P0Y"}, "sentence.total", "durée nulle", "non nulle"),
    ({"sentence.total": "P0D"}, "sentence.total", "durée nulle", "non nulle"),
    ({"sentence.total": "P0M"}, "sentence.total", "durée nulle", "non nulle"),
    ({"sentence.total": "P0Y0M0W0D"}, "sentence.total", "durée nulle", "non nulle"),
    ({"sentence.convictions.0.total": "P0D"}, "sentence.convictions[0].total", "durée nulle", "non nulle"),
    ({"receiving_state": "FR"}, "receiving_state", "« FR »", "autre État"),
    ({"id": ""}, "id", "identifiant vide", "non vide"),
    ({"id": "   "}, "id", "identifiant vide", "non vide"),
    ({"person.nationalities": ["RO", "RO"]}, "person.nationalities[1]", "déjà en [0]", "une seule fois"),
    ({"person.nationalities": ["RO", "MA", "RO"]}, "person.nationalities[2]", "« RO » répété", "une seule fois"),
    ({"extensions": []}, "extensions", "objet attendu", "objet JSON"),
    ({"extensions": "greffe"}, "extensions", "objet attendu", "objet JSON"),
    ({"extensions": 3}, "extensions", "objet attendu", "objet JSON"),
]


@pytest.mark.parametrize("changes, where, words, expected", REFUSED, ids=lambda x: str(x) if isinstance(x, dict) else "")
def test_what_no_case_can_hold_is_refused_with_its_path(changes, where, words, expected):
    ps = problems(_with(changes))
    assert list(ps) == [where]
    assert words in ps[where].message and expected in (ps[where].expected or ""), ps[where]


@pytest.mark.parametrize("changes", [
    {"sentence.execution_start": "1900-01-01", "detention.entry_date": "1900-01-01"},
    {"sentence.expected_end": "2199-12-31", "as_of": "2199-12-31"},
    {"sentence.total": "P200Y"}, {"sentence.total": "P72000D"}, {"sentence.total": "P199Y11M30D"},
    {"sentence.total": "P1D"}, {"sentence.total": "life"}, {"sentence.total": None},
    {"receiving_state": "RO"}, {"receiving_state": None}, {"id": "x"},
    {"person.nationalities": ["RO", "MA"]}, {"person.nationalities": []},
    {"extensions": {}}, {"extensions": {"greffe": [1, 2]}}, {"extensions": None},
], ids=str)
def test_the_bounds_themselves_are_accepted(changes):
    read_case(_with(changes))


def test_no_date_inside_the_bounds_overflows_the_engine():
    """The widest dates and lengths accepted, both ways, with and without recidivism, in the
    explained mode and the one without explanations (screening): every answer computes, no ValueError."""
    from lexquery.engine.api import Engine
    eng = Engine()
    eng_fast = Engine().prepare_batch()
    lo, hi = "1900-01-01", "2199-12-31"
    n = 0
    for start, end in ((lo, lo), (lo, hi), (hi, hi)):
        for total in ("P200Y", "P72000D", "P1D", "life"):
            for as_of in (lo, hi):
                for recid in (True, False):
                    case = _with({"sentence.execution_start": start, "sentence.expected_end": end,
                                  "sentence.total": total, "as_of": as_of, "sentence.legal_recidivism": recid,
                                  "sentence.safety_period_end": hi, "detention.entry_date": hi,
                                  "sentence.convictions.0.total": total})
                    for e, explain in ((eng, True), (eng_fast, False)):
                        ans = e.ask(case, None, explain=explain)
                        assert ans.procedures
                        n += 1
    assert n == 3 * 4 * 2 * 2 * 2


def test_cli_ask_far_future_date_is_an_input_error_not_a_crash(tmp_path, capsys):
    f = tmp_path / "far.json"
    f.write_text(json.dumps({"id": "x", "sentence": {"execution_start": "9999-12-31", "total": "P3Y"}}),
                 encoding="utf-8")
    code = main(["ask", str(f)])
    err = capsys.readouterr().err
    assert code == 3, err
    assert "sentence.execution_start" in err and "1900-01-01 et 2199-12-31" in err and "Traceback" not in err


@pytest.mark.parametrize("changes, where", [
    ({"sentence.total": "P0Y"}, "sentence.total"), ({"receiving_state": "FR"}, "receiving_state"),
    ({"id": " "}, "id"), ({"person.nationalities": ["RO", "RO"]}, "person.nationalities[1]"),
    ({"extensions": []}, "extensions"), ({"sentence.total": "P300Y"}, "sentence.total"),
], ids=lambda x: str(x) if isinstance(x, dict) else x)
def test_cli_ask_exit_3_names_the_path(tmp_path, capsys, changes, where):
    f = tmp_path / "case.json"
    f.write_text(json.dumps(_with(changes)), encoding="utf-8")
    code = main(["ask", str(f)])
    err = capsys.readouterr().err
    assert code == 3 and f"- {where}:" in err and "Traceback" not in err, err
