"""The circular's questions (issue 12, last section) beyond what tests/cases can say: the court
named by Circ. 2025 n. 4 in the note's text, notes that must be absent, and the generic length
comparison behind it (``heaviest``: months counted date to date, CPP 716-1)."""
from __future__ import annotations

import copy

import pytest

from lexquery.dates import parse_duration
from lexquery.engine import ask, load_kb
from lexquery.rules.functions import f_heaviest
from lexquery.rules.values import UNKNOWN

BASE = {
    "id": "n4", "person": {"nationalities": ["RO"], "habitual_residence": "IT", "location": "FR", "protection": "none"},
    "detention": {"incarcerated": True, "entry_date": "2025-06-01"},
    "sentence": {"final": True, "custodial": True, "total": "P5Y", "execution_start": "2025-06-01",
                 "expected_end": "2030-06-01", "safety_period_end": "none"},
    "removal_measures": [{"kind": "ITF", "definitive": True, "destination": "RO", "enforceable": True}],
}


def _notes(convictions):
    case = copy.deepcopy(BASE)
    case["sentence"]["convictions"] = convictions
    a = ask(case, as_of="2026-12-01", engine=load_kb())
    return {n.id: n.text for n in a.procedure("eu_recognition", "RO").notes}


def test_the_heaviest_conviction_names_its_court():
    notes = _notes([{"court": "tribunal correctionnel de Lyon", "total": "P2Y"},
                    {"court": "cour d'assises du Rhône", "total": "P10Y"},
                    {"court": "tribunal correctionnel de Paris", "total": "P3Y"}])
    assert "cour d'assises du Rhône" in notes["heaviest_conviction"]
    assert "Lyon" not in notes["heaviest_conviction"] and "Paris" not in notes["heaviest_conviction"]
    assert "heaviest_tie" not in notes and "heaviest_unknown" not in notes


def test_a_tie_names_both_courts_and_no_single_one():
    notes = _notes([{"court": "tribunal correctionnel de Lyon", "total": "P2Y"},
                    {"court": "tribunal correctionnel de Paris", "total": "P24M"}])
    assert "heaviest_conviction" not in notes
    assert "Lyon" in notes["heaviest_tie"] and "Paris" in notes["heaviest_tie"]
    assert notes["heaviest_tie"].startswith("À vérifier")


def test_one_conviction_gives_no_coordination_note():
    notes = _notes([{"court": "tribunal correctionnel de Lyon", "total": "P2Y"}])
    assert not {"coordination", "heaviest_conviction", "heaviest_tie", "heaviest_unknown"} & set(notes)


def _d(*texts):
    return [{"total": parse_duration(t), "n": i} for i, t in enumerate(texts)]


@pytest.mark.parametrize("lengths, expected", [
    (("P2Y", "P3Y"), [1]),
    (("P2Y", "P2Y1D"), [1]),          # one day more
    (("P2Y", "P24M"), [0, 1]),        # the same length written twice: a tie
    (("P1M", "P27D"), [0]),           # a month is at least 28 days
    (("P1M", "P32D"), [1]),           # … and at most 31
    (("life", "P30Y"), [0]),
    (("life", "life"), [0, 1]),
    (("P1M", "P30D", "P5Y"), [2]),    # the undecidable pair is beaten by a third
])
def test_heaviest(lengths, expected):
    assert [it["n"] for it in f_heaviest(None, _d(*lengths), "total")] == expected


@pytest.mark.parametrize("items", [
    _d("P1M", "P30D"),                                   # 28 to 31 days: depends on the dates
    _d("P1M", "P31D"),                                   # longer, or the same in a month of 31 days
    [{"total": parse_duration("P2Y")}, {"court": "x"}],  # a length unknown
    UNKNOWN,
])
def test_heaviest_unknown(items):
    assert f_heaviest(None, items, "total") is UNKNOWN


def test_the_forced_identification_question_is_asked_only_when_the_case_describes_a_hearing():
    """rules/forced_identification.yaml `asked_when: known(identification)`: a detainee's case
    without a hearing does not get an answer to a question of the investigation."""
    case = copy.deepcopy(BASE)
    procs = {p.procedure for p in ask(case, as_of="2026-12-01", engine=load_kb()).procedures}
    assert "forced_identification" not in procs and "prefecture_notice" in procs
    case["identification"] = {}
    a = ask(case, as_of="2026-12-01", engine=load_kb())
    assert a.procedure("forced_identification").status == "undetermined"
    case["identification"] = None   # null = unknown: no hearing described
    procs = {p.procedure for p in ask(case, as_of="2026-12-01", engine=load_kb()).procedures}
    assert "forced_identification" not in procs


def test_screening_mode_asks_the_same_questions():
    from lexquery.engine.api import Engine
    eng = Engine().prepare_batch()
    case = copy.deepcopy(BASE)
    case["identification"] = {"suspect_hearing": True, "offence_max_penalty": "P3Y", "refuses_identity": True}
    full = ask(case, as_of="2026-12-01", engine=load_kb())
    fast = eng.ask(case, "2026-12-01", explain=False)
    assert [(p.procedure, p.state, p.status) for p in full.procedures] == \
           [(p.procedure, p.state, p.status) for p in fast.procedures]
    assert fast.procedure("forced_identification").status == "applicable"


def test_the_language_writes_and_reads_the_end_of_a_measure():
    from lexquery import dsl
    text = ("cas fin-1\nnationalités : Roumanie\n"
            "mesure : ITF temporaire vers la Roumanie, exécutoire, fin 1er mars 2027\n"
            "mesure : OQTF, fin inconnue\n")
    case = dsl.load(text, "fin.lq").case_dicts()[0]
    assert case["removal_measures"] == [
        {"kind": "ITF", "definitive": False, "destination": "RO", "enforceable": True, "end_date": "2027-03-01"},
        {"kind": "OQTF", "end_date": None}]
    assert "fin 1er mars 2027" in dsl.to_lq(case)
