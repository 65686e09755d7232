"""Case input (contract/case-format.md): errors name the JSON path, the value, what was
expected and what to do; absent or null means unknown, never false; a batch goes on."""
import copy
import json
from pathlib import Path

import pytest

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
