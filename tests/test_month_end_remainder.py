"""« At most DURATION left before the end » counted forward from the day considered (CPP 716-1:
« Celle de plus d'un mois se calcule de quantième en quantième »; independent review 18, notes
point 9): the dates the rules derive from it — CPP 730 al. 1's day from which the JAP is competent
(remaining_3y_date) and D147-20's day by which the person is informed (three_months_before_end
minus one month) — when the end's day does not exist that many months earlier. The statuses of
the LSC de plein droit at the boundary are legal cases (tests/cases/month_end_remainder.yaml)."""
from __future__ import annotations

import copy
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).parent))
import test_legal_cases as T   # noqa: E402

from lexquery.engine import ask  # noqa: E402

CASES = pathlib.Path(__file__).parent / "cases"


def _lc(case, as_of):
    a = ask(case, as_of=as_of, engine=T.engine())
    return next(p for p in a.procedures if p.procedure == "lc_expulsion")


def _notes(p):
    out, todo = {}, [p]
    while todo:
        r = todo.pop()
        out.update({n.id: n for n in r.notes or []})
        todo += list(r.routes or [])
    return out


def test_jap_from_is_the_first_day_at_most_three_years_remain():
    """Twelve years ending on 2028-02-29: on 2025-02-28, 2025-02-28 + 3 years = 2028-02-28, more
    than three years remain (TAP, CPP 730 al. 2); the JAP from 2025-03-01 (730 al. 1), the day the
    note ``authority`` is shown — counted back (minus), the TAP note said 2025-02-28, its own day."""
    spec = next(s for s in T.load_cases(CASES / "lc_expulsion.yaml")
                if s["name"].startswith("Peine de douze ans, trois ans et un jour"))
    case = copy.deepcopy(spec["case"])
    case["detention"]["entry_date"] = "2016-02-29"
    case["sentence"].update(total="P12Y", execution_start="2016-02-29", expected_end="2028-02-29")
    case["sentence"]["convictions"] = [dict(case["sentence"]["convictions"][0], date="2016-02-20", total="P12Y")]
    before = _notes(_lc(case, "2025-02-28"))
    assert "authority" not in before
    assert "le JAP le devient à partir du 2025-03-01" in before["authority_tap"].text
    on = _notes(_lc(case, "2025-03-01"))
    assert "authority" in on and "authority_tap" not in on


def test_information_by_one_month_before_the_first_day_of_three_months():
    """End 2026-05-31: three months or less from 2026-03-01 (R18-22/23), so the information of
    D147-20 al. 1 (« au moins un mois avant que le reliquat soit égal à trois mois ») by 2026-02-01
    — the last day a month before it (minus): counted back from the 28 February, 2026-01-28.
    The case's four months are made seven (from 2025-10-31): the date is D147-20's first time,
    for a sentence over six months (review 27 § 3.10; the second time is the next test's)."""
    spec = T.load_cases(CASES / "month_end_remainder.yaml")[0]
    case = copy.deepcopy(spec["case"])
    case["sentence"].update(total="P7M", execution_start="2025-10-31")
    case["detention"]["entry_date"] = "2025-10-31"
    case["sentence"]["convictions"] = [dict(case["sentence"]["convictions"][0], date="2025-10-25", total="P7M")]
    notes = _notes(_lc(case, "2026-01-31"))
    assert "au plus tard le 2026-02-01" in notes["lsc_pd_information"].text
    assert "lsc_pd_information_short" not in notes


def test_information_of_a_sentence_of_six_months_or_less_has_no_date():
    """D147-20 al. 1: « ou si la peine est inférieure ou égale à six mois, lors de sa mise sous
    écrou ou lorsque la peine devient définitive » — the case's four months (and six exactly)
    get that time and no date a month before the three months, which would fall on the day after
    the écrou (review 27 § 3.10); six months and a day get the dated note."""
    spec = T.load_cases(CASES / "month_end_remainder.yaml")[0]
    for total, short in (("P4M", True), ("P6M", True), ("P6M1D", False)):
        case = copy.deepcopy(spec["case"])
        case["sentence"]["total"] = total
        case["sentence"]["convictions"] = [dict(case["sentence"]["convictions"][0], total=total)]
        notes = _notes(_lc(case, "2026-01-31"))
        assert ("lsc_pd_information_short" in notes) is short, total
        assert ("lsc_pd_information" in notes) is not short, total
        if short:
            n = notes["lsc_pd_information_short"]
            assert "lors de sa mise sous écrou ou lorsque la peine devient définitive" in n.text
            assert "au plus tard" not in n.text and tuple(n.sources) == ("CPP D147-20 al. 1",)


def test_information_of_several_short_sentences_gives_both_times_to_verify():
    """D147-20 al. 1 « si la peine est inférieure ou égale à six mois »: two sentences of four
    months (total eight) — « la peine » each, or the total? (review 28 § 1, R28-07). Both times
    as the article writes them (lsc_pd_information_both, the date of the first), and the point
    listed « à vérifier » (lsc_pd_information_several); one sentence of eight months: the dated
    note alone; convictions not given: the total read as one sentence's."""
    spec = T.load_cases(CASES / "month_end_remainder.yaml")[0]
    conv = spec["case"]["sentence"]["convictions"][0]
    for convictions, shown in (
            ([dict(conv, total="P4M"), dict(conv, total="P4M")], {"lsc_pd_information_both", "lsc_pd_information_several"}),
            ([dict(conv, total="P8M")], {"lsc_pd_information"}),
            ([dict(conv, total="P4M"), dict(conv, total="P7M")], {"lsc_pd_information"}),
            (None, {"lsc_pd_information"})):
        case = copy.deepcopy(spec["case"])
        case["sentence"].update(total="P8M", execution_start="2025-09-30")
        case["detention"]["entry_date"] = "2025-09-30"
        if convictions is None:
            del case["sentence"]["convictions"]
        else:
            case["sentence"]["convictions"] = convictions
        notes = _notes(_lc(case, "2026-01-31"))
        info = {k for k in notes if k.startswith("lsc_pd_information")}
        assert info == shown, (convictions, info)
        if "lsc_pd_information_both" in shown:
            t = notes["lsc_pd_information_both"].text
            assert "au plus tard le 2026-02-01" in t and "lors de sa mise sous écrou" in t
            assert notes["lsc_pd_information_several"].verify
