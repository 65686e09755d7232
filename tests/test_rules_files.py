"""The rules are data: loaded from rules/*.yaml, every condition with a legal basis;
bad rule files fail with a message that says where; removing a file changes answers."""
from pathlib import Path

import pytest

from lexquery.engine.api import Engine
from lexquery.errors import RuleError
from lexquery.rules.loader import load_rules
from lexquery.rules.values import UNKNOWN, and3, not3, or3

IONESCU = Path(__file__).parent.parent / "examples" / "ionescu.json"



def test_three_valued_logic_kleene():
    assert and3([True, UNKNOWN]) is UNKNOWN
    assert and3([False, UNKNOWN]) is False
    assert or3([True, UNKNOWN]) is True
    assert or3([False, UNKNOWN]) is UNKNOWN
    assert not3(UNKNOWN) is UNKNOWN


def test_every_condition_and_constant_has_a_source():
    book = load_rules()
    cited = book.citations()
    assert cited, "the rule book cites nothing"
    for p in book.procedures.values():
        assert p.sources, p.id
        for c in p.conditions:
            assert c.sources, f"{p.id}/{c.id}"


def test_condition_without_source_is_refused(rules_copy):
    f = rules_copy / "lc_expulsion.yaml"
    text = f.read_text(encoding="utf-8")
    f.write_text(text.replace('    sources: ["CPP 729-2 al. 1"]\n    test: "foreigner"',
                              '    test: "foreigner"', 1), encoding="utf-8")
    with pytest.raises(RuleError) as e:
        load_rules(rules_copy)
    assert "foreigner" in str(e.value.where)


def test_unknown_name_in_expression_names_the_place_and_suggests(rules_copy):
    f = rules_copy / "lc_expulsion.yaml"
    f.write_text(f.read_text(encoding="utf-8").replace('test: "foreigner"', 'test: "foreignr"', 1),
                 encoding="utf-8")
    with pytest.raises(RuleError) as e:
        load_rules(rules_copy)
    rendered = e.value.render()
    assert "lc_expulsion" in rendered and "foreignr" in rendered and "foreigner" in rendered


def test_unreadable_expression_points_at_the_column(rules_copy):
    f = rules_copy / "lc_expulsion.yaml"
    f.write_text(f.read_text(encoding="utf-8").replace('test: "foreigner"', 'test: "foreigner and and"', 1),
                 encoding="utf-8")
    with pytest.raises(RuleError) as e:
        load_rules(rules_copy)
    assert "^" in e.value.render()


def test_yaml_syntax_error_gives_line_and_column(rules_copy):
    (rules_copy / "broken.yaml").write_text("procedure: x\nlabel: {fr: [\n", encoding="utf-8")
    with pytest.raises(RuleError) as e:
        load_rules(rules_copy)
    assert "broken.yaml:" in e.value.render()


def test_removing_a_rule_file_changes_the_answers(rules_copy):
    import json
    case = json.loads(IONESCU.read_text(encoding="utf-8"))
    full = Engine(rules_dir=rules_copy).ask(case, as_of="2026-12-01")
    (rules_copy / "lc_expulsion.yaml").unlink()
    partial = Engine(rules_dir=rules_copy).ask(case, as_of="2026-12-01")
    assert "lc_expulsion" in {p.procedure for p in full.procedures}
    assert "lc_expulsion" not in {p.procedure for p in partial.procedures}


def test_removing_the_precedence_file_lets_ste_conclude_between_member_states(rules_copy):
    import json
    case = json.loads(IONESCU.read_text(encoding="utf-8"))
    (rules_copy / "precedence.yaml").unlink()
    a = Engine(rules_dir=rules_copy).ask(case, as_of="2026-12-01")
    ste = [p for p in a.procedures if p.procedure == "ste_transfer"][0]
    assert not ste.set_aside_by


def test_changing_a_legal_quantity_in_the_rules_changes_the_date(rules_copy):
    """The LSC threshold (five years, CPP 720 I) lives in rules/common.yaml, not in Python."""
    import json
    case = json.loads(IONESCU.read_text(encoding="utf-8"))
    f = rules_copy / "common.yaml"
    text = f.read_text(encoding="utf-8")
    assert "lsc_total_max" in text
    base = Engine(rules_dir=rules_copy).ask(case, as_of="2026-12-01")
    lsc = [r for p in base.procedures if p.procedure == "lc_expulsion" for r in p.routes if r.procedure == "lsc_720_i"][0]
    assert lsc.status == "applicable_later"


def test_verify_is_a_key_of_warning_notes_only(rules_copy):
    """`verify: true` (a point to check by hand, listed in `to_verify`) belongs to a `warning`."""
    f = rules_copy / "ste_transfer.yaml"
    text = f.read_text(encoding="utf-8")
    assert "  - id: remedies_exhausted_source\n    kind: warning\n    verify: true" in text
    f.write_text(text.replace("  - id: remedies_exhausted_source\n    kind: warning\n",
                              "  - id: remedies_exhausted_source\n    kind: info\n", 1), encoding="utf-8")
    with pytest.raises(RuleError) as e:
        load_rules(rules_copy)
    assert "remedies_exhausted_source" in str(e.value.where) and "warning" in e.value.render()


def test_basis_must_name_an_any_of(rules_copy):
    f = rules_copy / "ste_transfer.yaml"
    f.write_text(f.read_text(encoding="utf-8").replace("basis: legal_basis\n", "basis: final_judgment\n", 1),
                 encoding="utf-8")
    with pytest.raises(RuleError) as e:
        load_rules(rules_copy)
    assert "final_judgment" in e.value.render()


def test_removing_a_verify_note_removes_it_from_to_verify(rules_copy):
    """The flags are the rules' data: without the note, the answer no longer lists it."""
    case = {"id": "tr", "as_of": "2016-09-01",
            "person": {"nationalities": ["TR"], "habitual_residence": "TR", "location": "FR", "protection": "none"},
            "detention": {"incarcerated": True, "entry_date": "2015-01-01"},
            "sentence": {"final": True, "custodial": True, "total": "P4Y", "execution_start": "2015-01-01",
                         "expected_end": "2019-01-01", "safety_period_end": "none", "legal_recidivism": False},
            "removal_measures": [{"kind": "ITF", "definitive": True, "destination": "TR", "enforceable": True,
                                  "remedies_exhausted": True}],
            "consent": {"transfer": False}, "dual_criminality": True}
    names = [v["fact"] for v in Engine().ask(case).procedure("ste_transfer", "TR").to_verify]
    assert "note:remedies_exhausted_source" in names
    f = rules_copy / "ste_transfer.yaml"
    text = f.read_text(encoding="utf-8")
    start = text.index("  - id: remedies_exhausted_source")
    end = text.index("  - id: protection_refoulement")
    f.write_text(text[:start] + text[end:], encoding="utf-8")
    names = [v["fact"] for v in Engine(rules_dir=rules_copy).ask(case).procedure("ste_transfer", "TR").to_verify]
    assert "note:remedies_exhausted_source" not in names and "note:measure_consequential_167" in names
