"""Paths and periods of the rules are data (issue 12, items 1 and 9): a route's ``replaces``,
``valid:`` on routes and conditions, constants by ``periods`` — a bad key fails at load time
with a message that says where; changing the YAML changes the answer; a quantity read outside
its periods is unknown and says why (rules/README.md)."""
import pytest

from lexquery.engine.api import Engine
from lexquery.errors import RuleError
from lexquery.rules.loader import load_rules
from rules_helpers import edit

# a removable foreigner serving five months (2026-01-01 → 2026-06-01): reliquat of three
# months on 2026-03-01 (CPP 720 II), mid-sentence on 2026-03-18 (CPP 729 al. 8)
SHORT = {
    "id": "court", "person": {"birth_date": "1990-01-01", "nationalities": ["DZ"], "habitual_residence": "DZ",
                              "location": "FR", "protection": "none"},
    "detention": {"incarcerated": True, "entry_date": "2026-01-01"},
    "sentence": {"final": True, "custodial": True, "total": "P5M", "execution_start": "2026-01-01",
                 "expected_end": "2026-06-01", "safety_period_end": "none", "legal_recidivism": False,
                 "lsc_plein_droit_excluded": False},
    "removal_measures": [{"kind": "OQTF", "destination": "DZ", "enforceable": True}], "consent": {},
}



def test_an_edit_of_a_rule_file_fails_when_its_text_is_not_there(rules_copy):
    """tests/rules_helpers.edit: a test never loads the unchanged rules believing it broke them."""
    with pytest.raises(AssertionError):
        edit(rules_copy, "common.yaml", "no such text in the rules\n", "x\n")


def _lc(answer):
    return next(p for p in answer.procedures if p.procedure == "lc_expulsion")


def test_replaces_must_name_a_condition_of_the_procedure(rules_copy):
    edit(rules_copy, "lc_expulsion.yaml", "    replaces: [time_condition]\n    valid:\n      from: 2023-01-01",
          "    replaces: [time_conditon]\n    valid:\n      from: 2023-01-01")
    with pytest.raises(RuleError) as e:
        load_rules(rules_copy)
    text = e.value.render()
    assert "time_conditon" in text and "lsc_plein_droit" in text and "time_condition" in text


def test_verify_must_be_a_boolean(rules_copy):
    edit(rules_copy, "lc_expulsion.yaml", "    verify: true\n", "    verify: oui-peut-etre\n")
    with pytest.raises(RuleError) as e:
        load_rules(rules_copy)
    assert "verify" in e.value.render()


def test_a_period_that_ends_before_it_starts_is_refused(rules_copy):
    edit(rules_copy, "lc_expulsion.yaml", "          from: 2024-01-28\n", "          from: 2024-01-28\n          until: 2020-01-01\n")
    with pytest.raises(RuleError) as e:
        load_rules(rules_copy)
    assert "lsc_pd_removal" in str(e.value.where)


def test_a_period_value_must_be_writable_in_the_rules_language(rules_copy):
    edit(rules_copy, "common.yaml", "        value: 2\n        sources: [\"CPP 729 al. 8\"]\n      - from: 2015-01-01",
          "        value: {a: 1}\n        sources: [\"CPP 729 al. 8\"]\n      - from: 2015-01-01")
    with pytest.raises(RuleError) as e:
        load_rules(rules_copy)
    assert "lc_recidivism_served_part" in str(e.value.where)


def test_the_route_opens_the_measure_because_the_yaml_says_it_replaces_the_time_condition(rules_copy):
    before = _lc(Engine(rules_dir=rules_copy).ask(SHORT, as_of="2026-03-05"))
    assert (before.status, before.opens_by, str(before.date_from)) == ("applicable", "lsc_plein_droit", "2026-03-01")
    edit(rules_copy, "lc_expulsion.yaml", "    replaces: [time_condition]\n    valid:\n      from: 2023-01-01",
          "    valid:\n      from: 2023-01-01")
    after = _lc(Engine(rules_dir=rules_copy).ask(SHORT, as_of="2026-03-05"))
    assert (after.status, after.opens_by, str(after.date_from)) == ("applicable_later", "lc_expulsion", "2026-03-18")


def test_the_date_of_entry_into_force_of_720_iv_lives_in_the_yaml(rules_copy):
    case = dict(SHORT, sentence=dict(SHORT["sentence"], execution_start="2023-11-01", expected_end="2024-04-01"))
    base = _lc(Engine(rules_dir=rules_copy).ask(case, as_of="2024-01-27"))
    assert base.opens_by == "lc_expulsion"
    edit(rules_copy, "lc_expulsion.yaml", "      from: 2024-01-28\n", "      from: 2024-01-20\n")
    moved = _lc(Engine(rules_dir=rules_copy).ask(case, as_of="2024-01-27"))
    # a from already past is read under the law of its day (engine/in_time.py): the route opens
    # on the day IV enters into force (the date of the yaml), the procedure itself from the
    # mid-sentence, 2024-01-16, on which it already applied by its direct path (was 2024-01-01
    # for both, by the route)
    route = next(r for r in moved.routes if r.procedure == "lsc_plein_droit")
    assert (moved.opens_by, str(moved.date_from), str(route.date_from)) == ("lc_expulsion", "2024-01-16",
                                                                             "2024-01-20")


def test_a_quantity_read_outside_its_periods_is_unknown_and_says_why():
    case = dict(SHORT, sentence=dict(SHORT["sentence"], total="P4Y", execution_start="2010-01-01",
                                     expected_end="2014-01-01", legal_recidivism=True))
    lc = _lc(Engine().ask(case, as_of="2012-03-28"))
    assert lc.status == "undetermined"
    # why: the time condition says no text is stored before 2012-03-29 (a verify warning,
    # listed in to_verify), and the evidence law:<name> names the periods encoded
    assert "note:time_rules_not_stored" in [v["fact"] for v in lc.to_verify]
    tc = next(r for r in lc.conditions if r.id == "time_condition")
    gaps = [e for e in tc.evidence if e["fact"] == "law:lc_recidivism_served_part"]
    assert gaps and "2012-03-29" in gaps[0]["note"] and "2012-03-28" in gaps[0]["note"]
    # the same case one day later: the text of 29 March 2012 applies (two thirds)
    lc = _lc(Engine().ask(case, as_of="2012-03-29"))
    assert (lc.status, str(lc.date_from)) == ("applicable_later", "2012-09-01")
    assert "note:time_rules_not_stored" not in [v["fact"] for v in lc.to_verify]


def test_the_answer_json_names_the_opening_path_and_marks_notes_to_verify():
    """docs/answer-format.md: ``opens_by`` on a procedure with routes; ``"verify": true`` on a
    note the rules mark ``verify: true`` (and no such key on the others)."""
    d = _lc(Engine().ask(SHORT, as_of="2026-03-05")).to_dict()
    assert d["opens_by"] == "lsc_plein_droit" and d["from"] == "2026-03-01"
    long = dict(SHORT, sentence=dict(SHORT["sentence"], total="P12Y", execution_start="2015-07-01",
                                     expected_end="2027-07-01"))
    notes = {n["id"]: n for n in _lc(Engine().ask(long, as_of="2026-01-01")).to_dict()["notes"]}
    assert notes["authority_730_2_offence"].get("verify") is True
    assert "verify" not in notes["authority"]
    assert "2026-01-01" in notes["authority"]["text"]   # the court on the date of the decision


# valid.published (rules/README.md): a date on or before the period's from, with its source,
# on a procedure's valid: only
def test_a_publication_after_the_period_starts_is_refused(rules_copy):
    edit(rules_copy, "eu_recognition.yaml", "    \"on\": 2013-08-06\n", "    \"on\": 2013-08-08\n")
    with pytest.raises(RuleError) as e:
        load_rules(rules_copy)
    assert "published" in str(e.value.where) and "2013-08-08" in e.value.render()


def test_a_publication_without_its_source_is_refused(rules_copy):
    edit(rules_copy, "eu_recognition.yaml", "    \"on\": 2013-08-06\n    source:", "    \"on\": 2013-08-06\n    ignored:")
    with pytest.raises(RuleError) as e:
        load_rules(rules_copy)
    assert "published" in str(e.value.where)


def test_a_publication_on_a_route_is_refused(rules_copy):
    edit(rules_copy, "lc_expulsion.yaml", "    replaces: [time_condition]\n    valid:\n      from: 2023-01-01",
         "    replaces: [time_condition]\n    valid:\n      published: {on: 2022-12-01, source: x}\n      from: 2023-01-01")
    with pytest.raises(RuleError) as e:
        load_rules(rules_copy)
    assert "lsc_plein_droit" in str(e.value.where) and "published" in str(e.value.where)


def test_before_the_publication_the_answer_stays_undetermined(rules_copy):
    """Without ``published`` the day of publication is outside the period: undetermined."""
    case = {"id": "at", "person": {"nationalities": ["AT"], "habitual_residence": "AT", "location": "FR"},
            "detention": {"incarcerated": True, "entry_date": "2012-06-01"},
            "sentence": {"final": True, "custodial": True, "total": "P3Y", "execution_start": "2012-06-01",
                         "expected_end": "2015-06-01"}, "removal_measures": []}
    eu = [p for p in Engine(rules_dir=rules_copy).ask(case, as_of="2013-08-06").procedures
          if p.procedure == "eu_recognition"][0]
    assert (eu.status, str(eu.date_from), eu.law_change["on"].isoformat()) == ("applicable_later", "2013-08-07", "2013-08-07")
    edit(rules_copy, "eu_recognition.yaml", "    \"on\": 2013-08-06\n", "    \"on\": 2013-08-07\n")
    eu = [p for p in Engine(rules_dir=rules_copy).ask(case, as_of="2013-08-06").procedures
          if p.procedure == "eu_recognition"][0]
    assert (eu.status, eu.date_from, eu.law_change) == ("undetermined", None, None)
