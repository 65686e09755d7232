"""Dates under the law in force on the date (issue 12, engine/in_time.py): the days the law
changes are read from the rule files, a pending date computed under one period counts only
inside it, and the answers with and without explanations settle it the same way."""
import copy
from datetime import date, timedelta

import pytest

from lexquery.engine.answer import NoteResult, ProcedureResult
from lexquery.engine.api import Engine
from lexquery.engine.in_time import in_time, law_boundaries
from lexquery.rules.loader import load_rules
from case_edits import changed
from rules_helpers import copy_rules
from test_rule_periods import SHORT

# a recidivist serving three years 2013-03-10 → 2016-03-10: mid-sentence 2014-09-10, two
# thirds 2015-03-11 (CPP 729 al. 8: two thirds until 2014-12-31, half from 2015-01-01)
RECIDIVIST = {
    "id": "recidive", "person": {"birth_date": "1980-01-01", "nationalities": ["TR"], "habitual_residence": "FR",
                                 "location": "FR", "protection": "none"},
    "detention": {"incarcerated": True, "entry_date": "2013-03-10"},
    "sentence": {"final": True, "custodial": True, "total": "P3Y", "execution_start": "2013-03-10",
                 "expected_end": "2016-03-10", "safety_period_end": "none", "legal_recidivism": True,
                 "lsc_plein_droit_excluded": False},
    "removal_measures": [{"kind": "ITF", "definitive": True, "destination": "TR", "enforceable": True,
                          "remedies_exhausted": True}], "consent": {},
}


def _lc(answer):
    return next(p for p in answer.procedures if p.procedure == "lc_expulsion")


def test_the_days_the_law_changes_are_read_from_the_rules():
    b = law_boundaries(load_rules(), load_rules().procedures["lc_expulsion"])
    ids = {d: [w for w, _ in xs] for d, xs in b.items()}
    assert "lc_recidivism_served_part" in ids[date(2015, 1, 1)]     # a constant's periods
    assert ("lc_recidivism_served_part", ("CPP 729 al. 8",)) in b[date(2015, 1, 1)]   # with its citations
    assert "removal_measures_729_2" in ids[date(2014, 11, 15)]
    assert "lsc_720_i" in ids[date(2029, 1, 1)]                      # the day after a route's end
    assert {"lsc_pd_not_excluded", "over_seventy_age"} <= set(ids[date(2029, 1, 1)])   # a condition's law gap (L5252-4; 729's last alinéa)
    assert "lsc_pd_removal" in ids[date(2024, 1, 28)]                # a condition's valid:


def test_moving_the_period_in_the_yaml_moves_the_date(tmp_path):
    d = copy_rules(tmp_path)
    base = _lc(Engine(rules_dir=d).ask(copy.deepcopy(RECIDIVIST), as_of="2014-10-01"))
    assert (base.status, base.date_from) == ("applicable_later", date(2015, 1, 1))
    f = d / "common.yaml"
    text = f.read_text(encoding="utf-8")
    for old, new in (("until: 2014-12-31", "until: 2015-01-31"), ("- from: 2015-01-01", "- from: 2015-02-01")):
        assert text.count(old) == 2, old      # lc_recidivism_served_part and _whole
        text = text.replace(old, new)
    f.write_text(text, encoding="utf-8")
    moved = _lc(Engine(rules_dir=d).ask(copy.deepcopy(RECIDIVIST), as_of="2014-10-01"))
    assert (moved.status, moved.date_from) == ("applicable_later", date(2015, 2, 1))
    assert moved.law_change["on"] == date(2015, 2, 1) and moved.law_change["computed"] == date(2015, 3, 11)


@pytest.mark.parametrize("explain", [True, False])
def test_with_and_without_explanations_settle_alike(explain):
    eng = Engine().prepare_batch()
    r = _lc(eng.ask(copy.deepcopy(RECIDIVIST), as_of="2014-10-01", explain=explain))
    assert (r.status, r.date_from) == ("applicable_later", date(2015, 1, 1))
    assert r.law_change["changes"] == ["lc_recidivism_served_whole", "lc_recidivism_served_part"]
    d = r.to_dict()["law_change"]
    assert d["on"] == "2015-01-01" and d["computed_from"] == "2015-03-11" and "2015-01-01" in d["note"]
    assert d["sources"] == ["CPP 729 al. 8"] and "(CPP 729 al. 8)" in d["note"]


def _result(status, d_from, routes=(), notes=()):
    return ProcedureResult("p", {"fr": "p"}, None, status, d_from, None, None, [], [], ["X 1"],
                           notes=list(notes), routes=list(routes))


def test_a_change_that_ends_eligibility_before_the_date():
    """The reverse: the law in force from ``b`` no longer allows the measure — the date
    computed before does not count, the answer is not applicable (routes and steps go)."""
    notes = [NoteResult("step", "step", "", ["X 1"]), NoteResult("duty", "duty", "", ["X 2"], always=True)]
    r = _result("applicable_later", date(2030, 1, 1), routes=[_result("applicable_later", date(2030, 1, 1))],
                notes=notes)
    b = date(2029, 1, 1)
    out = in_time(r, date(2026, 1, 1), {b: [("rule_x", ("X 1",))]}, lambda day: _result("not_applicable", None))
    assert out.status == "not_applicable" and out.date_from is None and out.routes == []
    assert [n.id for n in out.notes] == ["duty"]
    assert out.law_change["on"] == b and out.law_change["computed"] == date(2030, 1, 1)


def test_a_date_inside_its_period_counts_and_later_laws_are_not_asked():
    r = _result("applicable_later", date(2028, 12, 31))
    asked = []
    in_time(r, date(2026, 1, 1), {date(2029, 1, 1): [("rule_x", ("X 1",))]}, lambda day: asked.append(day))
    assert asked == [] and r.date_from == date(2028, 12, 31) and r.law_change is None


def test_the_law_of_the_day_opens_the_measure_that_day():
    r = _result("applicable_later", date(2015, 3, 11))
    b = date(2015, 1, 1)
    in_time(r, date(2014, 10, 1), {b: [("k", ("X 2",))]}, lambda day: _result("applicable", date(2014, 9, 10)))
    assert (r.status, r.date_from) == ("applicable_later", b)


def test_a_from_already_past_is_read_under_the_law_of_its_day():
    """A ``from`` before ``as_of`` with a law change in between: the procedure evaluated on the
    eve of the last change (R10-22); not applicable then, its first day is the change's."""
    r = _result("applicable", date(2014, 12, 1), routes=[_result("applicable", date(2014, 12, 1))])
    b, asked = date(2015, 1, 1), []

    def on(day):
        asked.append(day)
        return _result("applicable_later", date(2015, 3, 11))   # two thirds, under the earlier law
    in_time(r, b, {date(2014, 11, 15): [("k0", ("X 0",))], b: [("k", ("X 2",))]}, on)
    assert asked == [b - timedelta(days=1)]                      # the eve of the last change only
    assert (r.status, r.date_from) == ("applicable", b) and r.routes[0].date_from == b   # a route not shown: b
    assert r.law_change["on"] == b and r.law_change["computed"] == date(2014, 12, 1)
    assert r.law_change["from"] == b and "2014-12-31" in r.law_change["note"]["fr"]


def test_a_from_already_past_the_earlier_law_also_gives_keeps_its_day():
    """Applicable on the eve from a day before: that day (the earlier law's), nothing else moves."""
    r = _result("applicable", date(2014, 12, 1))
    in_time(r, date(2015, 6, 1), {date(2015, 1, 1): [("k", ("X 2",))]},
            lambda day: _result("applicable", date(2014, 11, 20)))
    assert (r.status, r.date_from) == ("applicable", date(2014, 11, 20))
    r = _result("applicable", date(2014, 12, 1))
    in_time(r, date(2015, 6, 1), {date(2015, 1, 1): [("k", ("X 2",))]},
            lambda day: _result("applicable", date(2014, 12, 1)))
    assert r.date_from == date(2014, 12, 1) and r.law_change is None


def test_the_recidivist_on_the_day_of_loi_2014_896():
    """The engine: on 2015-01-01 the recidivist at mid-sentence since 2014-09-09 applies from
    2015-01-01 (two thirds until 2014-12-31), with and without explanations."""
    for explain in (True, False):
        r = _lc(Engine().prepare_batch().ask(copy.deepcopy(RECIDIVIST), as_of="2015-01-01", explain=explain))
        assert (r.status, r.date_from) == ("applicable", date(2015, 1, 1))
        d = r.to_dict()["law_change"]
        assert d["on"] == "2015-01-01" and d["computed_from"] == "2014-09-09" and d["sources"] == ["CPP 729 al. 8"]


def _opened(status, d_from, opens_by):
    r = _result(status, d_from)
    r.opens_by = opens_by
    return r


def test_a_from_already_past_names_the_path_that_gives_it():
    """``opens_by`` goes with the ``from``: the eve's path when the eve gives the day, ``as_of``'s
    when the day is the change's (that path opens first under the law of ``b``, ``as_of``'s)."""
    b, bounds = date(2024, 1, 28), {date(2024, 1, 28): [("route_cond", ("X 4",))]}
    r = _opened("applicable", date(2024, 1, 1), "route")
    in_time(r, date(2024, 2, 1), bounds, lambda day: _opened("applicable", date(2024, 1, 16), "p"))
    assert (r.date_from, r.opens_by) == (date(2024, 1, 16), "p")
    r = _opened("applicable", date(2024, 1, 1), "route")
    in_time(r, date(2024, 2, 1), bounds, lambda day: _opened("applicable_later", date(2024, 3, 1), "p"))
    assert (r.date_from, r.opens_by) == (b, "route")


# a removable foreigner serving five months 2023-11-01 → 2024-04-01: reliquat of three months on
# 2024-01-01 (the route lsc_plein_droit, CPP 720 IV from 2024-01-28), mid-sentence on 2024-01-16
SHORT_720_IV = changed(SHORT, {"detention.entry_date": "2023-11-01", "sentence.execution_start": "2023-11-01",
                               "sentence.expected_end": "2024-04-01"})   # test_rule_periods' SHORT, served earlier


@pytest.mark.parametrize("explain", [True, False])
def test_the_opening_path_of_a_from_already_past_is_the_one_of_its_day(explain):
    """As of 2024-02-01, the route lsc_plein_droit gives 2024-01-01 under CPP 720 IV, in force
    from 2024-01-28 only: the procedure applies from the mid-sentence (2024-01-16), by the direct
    path — not « ouverte d'abord par la voie … (à partir du 2024-01-16) », the route's own day
    being 2024-01-28."""
    from lexquery.render.text import render_text
    ans = Engine().prepare_batch().ask(copy.deepcopy(SHORT_720_IV), as_of="2024-02-01", explain=explain)
    r = _lc(ans)
    route = next(x for x in r.routes if x.procedure == "lsc_plein_droit")
    assert (r.status, r.date_from, r.opens_by) == ("applicable", date(2024, 1, 16), "lc_expulsion")
    assert (route.status, route.date_from) == ("applicable", date(2024, 1, 28))
    assert r.to_dict()["opens_by"] == "lc_expulsion"
    text = render_text(ans, explain, "fr")
    assert "ouverte d'abord par : la voie directe (conditions propres de la procédure) (à partir du 2024-01-16)" in text
