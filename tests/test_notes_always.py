"""A note shown even when the procedure does not apply (rules/README.md « Notes »: a ``duty``,
or a note marked ``always: true``), unless another procedure sets it aside.

The case: STE 112 art. 3.2 lets the Parties agree, in exceptional cases, to a transfer with
fewer than six months left (art. 3.1.c). rules/ste_transfer.yaml ``exceptional_short`` is
shown once those six months have run out — the answer « non applicable » is then the
ordinary rule, not the last word (independent review 13, R13-21) — and not before; not when
FD 2008/909 sets STE 112 aside between Member States (art. 26.1). In every evaluator: the
scalar engine (engine/evaluate.py ``_notes``), the columnar program (compile_settle.py) and
the benchmark's floor (bench/floor.py)."""
from datetime import date

import pytest

from lexquery.rules.loader import RuleError

from case_edits import detained
from columnar_helpers import both_rows, engine, export_of_protection, export_of_states

AS_OF = date(2026, 12, 1)


def _case(state: str, end: str, consent=True) -> dict:
    return detained(state, as_of=AS_OF.isoformat(), start="2024-06-01", end=end, consent=consent)


def _ste(state, end, consent=True):
    ans = engine().ask(_case(state, end, consent))
    return next(p for p in ans.procedures if p.procedure == "ste_transfer" and p.state == state)


def test_fewer_than_six_months_left_not_applicable_names_the_exception():
    p = _ste("GE", "2027-05-31")          # six months before: 2026-11-30, the day before as_of
    assert p.status == "not_applicable"
    assert [n.id for n in p.notes] == ["exceptional_short"] and "STE 112 art. 3.2" in p.sources
    assert p.consent_required is None


def test_six_months_exactly_applicable_without_the_exception():
    p = _ste("GE", "2027-06-01")          # six months before: 2026-12-01, the day itself
    assert (p.status, str(p.date_until)) == ("applicable", "2026-12-01")
    assert "exceptional_short" not in [n.id for n in p.notes] and "STE 112 art. 3.2" not in p.sources


def test_set_aside_by_the_framework_decision_no_note():
    p = _ste("RO", "2027-05-31")
    assert p.status == "not_applicable" and p.set_aside_by["by"] == "eu_recognition"
    assert p.notes == [] and "STE 112 art. 3.2" not in p.sources


def test_shown_in_the_short_text_of_a_not_applicable_answer():
    from lexquery.render.text import render_text
    text = render_text(engine().ask(_case("GE", "2027-05-31")))
    assert "dans des cas exceptionnels, les Parties à la STE 112 peuvent convenir" in text


def test_the_loader_reads_always_and_a_duty_is_always(rules_copy):
    from rules_helpers import edit
    from lexquery.rules.loader import load_rules
    book = load_rules(rules_copy)
    notes = {n.id: n for r in book.procedures.values() for n in r.notes}
    assert notes["exceptional_short"].always and notes["inform_person"].always   # inform_person: a duty
    assert not notes["bepi"].always
    edit(rules_copy, "ste_transfer.yaml", "    always: true\n", "    always: maybe\n")
    with pytest.raises(RuleError, match="always"):
        load_rules(rules_copy)


def _export(n, seed, ends):
    """A synthetic export where every row is Georgian (STE 112 and STE 167), Romanian (the FD
    sets STE 112 aside) or Swiss in turn, with expected ends around six months after as_of, each
    of a three-year sentence (columnar_helpers.export_of_states)."""
    return export_of_states(n, seed, AS_OF, ("GE", "RO", "CH"), ends, years=3)


ENDS = (date(2027, 5, 31), date(2027, 6, 1), date(2027, 2, 1), date(2028, 3, 1))


def test_the_columnar_program_gives_the_scalar_rows():
    want, got = both_rows(_export(240, 31, ENDS), AS_OF)
    assert len(got) == len(want) > 240
    for a, b in zip(want, got):
        assert b == a
    # the export reaches both sides (cells: line, id, name, as_of, procedure, state, status, …, sources)
    ste = [r for r in want if r[4] == "ste_transfer"]
    assert any(r[5] == "GE" and r[6] == "not_applicable" and "STE 112 art. 3.2" in "".join(r) for r in ste)
    assert any(r[5] == "GE" and r[6] == "not_applicable" and "STE 112 art. 3.2" not in "".join(r) for r in ste)
    assert not any(r[5] == "RO" and "STE 112 art. 3.2" in "".join(r) for r in ste)


def test_the_floor_agrees(tmp_path):
    from floor_support import floor_agreement
    f = tmp_path / "six-months.csv"
    f.write_text(_export(240, 32, ENDS), encoding="utf-8")
    res = floor_agreement(f, AS_OF.isoformat())
    assert res["rows"] > 240 and res["agree"] == res["rows"], res


def _asylum_export(n, seed):
    """A synthetic export where a row in two is an asylum seeker (``asylum_pending``): of those,
    one in three asking for consular notification, one not asking, one with the wish unknown."""
    return export_of_protection(n, seed, AS_OF, "asylum_pending", ("oui", "non", ""))


def test_the_asylum_exception_is_shown_to_verify_in_every_evaluator(tmp_path):
    """consular_notification ``asylum_request_after_refusal`` (Circ. 2025 §1.3 al. 2: the
    exclusion of an asylum seeker does not hold if the person asks after a negative decision of
    the OFPRA — not in the case format): shown always, and listed in ``to_verify``, on the
    « non applicable » answer of an asylum seeker who asks; the columnar program and the floor
    give the scalar rows."""
    from floor_support import floor_agreement
    text = _asylum_export(240, 33)
    want, got = both_rows(text, AS_OF)
    assert len(got) == len(want) > 240
    for a, b in zip(want, got):
        assert b == a
    cons = [r for r in want if r[4] == "consular_notification"]
    assert any(r[6] == "not_applicable" and "note:asylum_request_after_refusal" in "".join(r) for r in cons)
    assert any(r[6] == "not_applicable" and "note:asylum_request_after_refusal" not in "".join(r) for r in cons)
    f = tmp_path / "asylum.csv"
    f.write_text(text, encoding="utf-8")
    res = floor_agreement(f, AS_OF.isoformat())
    assert res["rows"] > 240 and res["agree"] == res["rows"], res
