"""Every message the case reader and the case shapes give has its English (issue 15 item 7):
`validate --lang en` never prints « valeur invalide », JSON never says ``message_en: null``.

A battery of broken cases, one per kind of mistake the reader knows, is validated; each
finding must carry message_en (and expected_en, hint_en when there is a French one).
"""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from lexquery.caserdf import validate as validate_case
from lexquery.engine.case_english import expected_en, hint_en, message_en

CLI = [sys.executable, "-c", "import sys; from lexquery.cli import main; sys.exit(main())"]
BASE = {"id": "x", "as_of": "2026-12-01"}

BROKEN = {
    "wrong type": {"sentence": {"total": 3}},
    "length in words": {"sentence": {"total": "3 ans"}},
    "zero length": {"sentence": {"total": "P0D"}},
    "too long": {"sentence": {"total": "P300Y"}},
    "date out of range": {"sentence": {"expected_end": "9999-12-31"}},
    "French date": {"sentence": {"expected_end": "01/06/2025"}},
    "State in lower case": {"person": {"nationalities": ["ro"]}},
    "State named": {"person": {"habitual_residence": "Roumanie"}},
    "repeated State": {"person": {"nationalities": ["RO", "RO"]}},
    "unknown key": {"person": {"nationalite": ["RO"]}},
    "not a list": {"removal_measures": {"kind": "ITF"}},
    "not an object": {"person": "Ionescu"},
    "wrong kind": {"removal_measures": [{"kind": "itf"}]},
    "wrong protection": {"person": {"protection": "refugie"}},
    "extensions not an object": {"extensions": []},
    "FR receiving": {"receiving_state": "FR"},
    "end before start": {"sentence": {"execution_start": "2026-01-01", "expected_end": "2025-01-01"}},
}


@pytest.mark.parametrize("name", list(BROKEN))
def test_every_finding_has_its_english(name):
    case = {**BASE, **BROKEN[name]}
    results = validate_case(case)
    assert results, name
    for r in results:
        assert r.message_en, (name, r.message)
        if r.expected:
            assert r.expected_en, (name, r.expected)
        if r.hint:
            assert r.hint_en, (name, r.hint)


def test_missing_id_and_empty_id():
    for case in ({"as_of": "2026-12-01"}, {"id": "  "}):
        for r in validate_case(case):
            assert r.message_en and (not r.expected or r.expected_en) and (not r.hint or r.hint_en), r


def test_translations_say_the_same_thing():
    assert message_en('valeur invalide "3 ans"') == 'invalid value "3 ans"'
    assert hint_en("écrivez « P3Y »") == "write « P3Y »"
    assert expected_en("une date postérieure à sentence.execution_start") == "a date after sentence.execution_start"
    assert message_en("un message que personne n'a traduit") is None


def test_validate_lang_en_prints_no_french(tmp_path):
    f = tmp_path / "bad.json"
    f.write_text(json.dumps({**BASE, "sentence": {"total": "3 ans"}}), encoding="utf-8")
    r = subprocess.run(CLI + ["validate", str(f), "--lang", "en"], capture_output=True, text=True)
    assert "invalid value" in r.stdout and "valeur invalide" not in r.stdout
    assert "attendu" not in r.stdout and "une valeur connue" not in r.stdout
