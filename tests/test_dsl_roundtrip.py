"""The language is another spelling of the JSON case format (issue 4, "Done when").

Over every example: JSON → .lq → JSON gives the identical case and identical answers;
.lq → JSON → .lq → JSON is stable; the hand-written examples/<name>.lq says exactly
what examples/<name>.json says; `lexquery convert` does the same from the command line.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from lexquery import dsl
from lexquery.cli import main
from lexquery.engine.api import load_kb

ROOT = Path(__file__).resolve().parents[1]
JSON_EXAMPLES = sorted((ROOT / "examples").glob("*.json"))
LQ_EXAMPLES = sorted((ROOT / "examples").glob("*.lq"))


def answers(cases):
    eng = load_kb()
    return [eng.ask(json.loads(json.dumps(c))).to_dict() for c in cases]


def json_cases(path):
    data = json.loads(path.read_text(encoding="utf-8"))
    return data if isinstance(data, list) else [data]


@pytest.mark.parametrize("path", JSON_EXAMPLES, ids=lambda p: p.name)
def test_json_to_lq_to_json_is_identical(path):
    cases = json_cases(path)
    text = dsl.to_lq(cases)
    back = dsl.load(text, "converted.lq").case_dicts()
    assert back == cases
    assert answers(back) == answers(cases)


@pytest.mark.parametrize("path", JSON_EXAMPLES, ids=lambda p: p.name)
def test_hand_written_lq_says_what_the_json_says(path):
    lq = path.with_suffix(".lq")
    if not lq.exists():
        pytest.skip(f"no {lq.name}")
    assert dsl.load_file(lq).case_dicts() == json_cases(path)


@pytest.mark.parametrize("path", LQ_EXAMPLES, ids=lambda p: p.name)
def test_lq_to_json_to_lq_is_stable(path):
    cases = dsl.load_file(path).case_dicts()
    text = dsl.to_lq(cases)
    again = dsl.load(text, "again.lq").case_dicts()
    assert again == cases
    assert dsl.to_lq(again) == text
    assert answers(again) == answers(cases)


@pytest.mark.parametrize("path", JSON_EXAMPLES[:1] + LQ_EXAMPLES[:1], ids=lambda p: p.name)
def test_cli_convert_both_ways(path, tmp_path, capsys):
    first = tmp_path / ("a.lq" if path.suffix == ".json" else "a.json")
    assert main(["convert", str(path), "-o", str(first)]) == 0
    second = tmp_path / ("b.json" if path.suffix == ".json" else "b.lq")
    assert main(["convert", str(first), "-o", str(second)]) == 0
    if path.suffix == ".json":
        assert json.loads(second.read_text(encoding="utf-8")) == json.loads(path.read_text(encoding="utf-8"))
    else:
        assert dsl.load_file(second).case_dicts() == dsl.load_file(path).case_dicts()


def test_cli_ask_json_format_of_lq_equals_ask_of_json(capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    assert main(["ask", "examples/ionescu.lq", "--format", "json"]) == 0
    from_lq = json.loads(capsys.readouterr().out)
    assert main(["ask", "examples/ionescu.json", "--format", "json"]) == 0
    from_json = json.loads(capsys.readouterr().out)
    assert from_lq == from_json


def test_several_cases_convert_to_an_array(tmp_path, capsys):
    assert main(["convert", str(ROOT / "examples" / "plusieurs-cas.lq"), "--to", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [c["id"] for c in data] == ["dupont-refugie", "smith-2026"]
    assert data[0]["person"]["nationalities"] == [] and data[1]["sentence"]["total"] == "P2Y6M"


def test_every_field_of_the_case_format_can_be_written():
    from lexquery.engine.case import SCHEMA
    from lexquery.dsl.vocab import FIELDS
    paths = set()

    def walk(spec, prefix):
        for k, v in spec.items():
            p = f"{prefix}{k}"
            if isinstance(v, dict):
                walk(v, p + ".")
            else:
                paths.add(p)
    walk(SCHEMA, "")
    assert paths == {p for p, spec in FIELDS.items() if spec[0] != "section"}


def test_unknown_null_and_absent_stay_distinct():
    doc = dsl.load("cas x\na fui vers : inconnu\nmesures : aucune\nnationalités : aucune\n")
    c = doc.case_dicts()[0]
    assert c["person"] == {"fled_to": None, "nationalities": []}
    assert c["removal_measures"] == [] and "consent" not in c
    assert "a fui vers : inconnu" in dsl.to_lq(c)
