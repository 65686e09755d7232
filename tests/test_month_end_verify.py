"""``law:month_end`` in ``to_verify`` (review 19): the entry's words, and the same rows from the
scalar and the columnar engines on exports whose dates fall on month ends and 29 February.

The synthetic export (``lexquery synth``) hardly ever puts a date where the convention decides
(at 2026-12-01 no row listed the entry on the branch monthmark; 6 of 15,315 rows now, all the
LSC de plein droit's « at most three months » day before an end on the 1st of a month): these exports do — expected ends on the last days of
short months with six months before in a longer one (STE 112 art. 3.1.c: end 2025-02-28 → last
day 2024-08-31), starts on the 29th-31st, births on 29 February (CPP 729: the seventieth
birthday) — so that the vector code (compile.month_end, the verification's override per row)
is compared where it acts.
"""
from __future__ import annotations

import random
from datetime import date

import pytest

from columnar_helpers import both_rows, engine

CASE = {"id": "me-1", "person": {"name": "Beridze", "birth_date": "1980-03-02", "nationalities": ["GE"],
                                  "habitual_residence": "GE", "location": "FR", "protection": "none",
                                  "fled_to": None, "protected_adult": False},
        "detention": {"incarcerated": True, "entry_date": "2022-02-28"},
        "sentence": {"final": True, "custodial": True, "safety_period_end": "none", "legal_recidivism": False,
                     "lsc_plein_droit_excluded": False, "total": "P3Y", "execution_start": "2022-02-28",
                     "expected_end": "2025-02-28",
                     "convictions": [{"court": "tribunal correctionnel de Paris", "date": "2022-02-20",
                                      "final": True, "total": "P3Y"}]},
        "removal_measures": [], "consent": {"transfer": True}, "dual_criminality": True}


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize("explain", [True, False])
def test_the_entry_says_the_convention_and_its_source(lang, explain):
    eng = engine()
    ans = eng.ask(CASE, date(2024, 8, 20), explain=explain, lang=lang)
    r = next(p for p in ans.procedures if p.procedure == "ste_transfer")
    assert r.date_until == date(2024, 8, 31)
    e = next(t for t in r.to_verify if t["fact"] == "law:month_end")
    assert e["value"] is True and e["mark"] == "I" and e["evidence"] == ["CPP 716-1"]
    assert "CPC art. 641 al. 2" in e["note"] or "art. 641 al. 2 du CPC" in e["note"]
    words = ("jour inexistant compté au dernier jour du mois", "à vérifier") if lang == "fr" \
        else ("a day that does not exist counted as the month's last day", "to verify")
    assert all(w in e["note"] for w in words), e["note"]


def test_no_entry_when_no_day_is_put_on_a_month_end():
    case = {**CASE, "sentence": {**CASE["sentence"], "expected_end": "2025-03-15"}}
    ans = engine().ask(case, date(2024, 8, 20), explain=False)
    r = next(p for p in ans.procedures if p.procedure == "ste_transfer")
    assert r.date_until == date(2024, 9, 15)
    assert "law:month_end" not in [t["fact"] for t in r.to_verify]


def _month_end_export(n: int, seed: int, as_of: date | None = None) -> str:
    """``lexquery synth n --seed 1`` with, at random, six rows in ten ending on a month's last day
    (or the 29th-31st), four in ten starting so, one birth in five moved to 29 February. With
    ``as_of``, about one row in three ends, instead, a few months after it, where a day the answer
    shows rests on the convention: the last day of a month of 30 days or of February 6-8 months
    on (STE 112 art. 3.1.c: the last day with six months left, 31st + 6 months), or the 1st of a
    month after February, April, June, September or November 3-5 months on (the first day with at
    most three months left: CPP 720, 730 — 29th-31st + 3 months « 1st »). Since the other reading
    is the next month's first day (not « unknown »), a date far from ``as_of`` is no longer listed.
    And one row in ten, instead, a sentence of 40 years started on the 29 February 15 or 16 years
    before ``as_of`` (CPP 729 al. 9: the 15 years' cap, ``plus(execution_start, 15 years)``, on
    « 29 February » → 28 February or 1 March)."""
    import calendar
    from lexquery.screening.synth import synth_text
    rng = random.Random(seed)
    lines = synth_text(n, 1).rstrip("\n").split("\n")
    head = lines[0].split(";")
    at = {k: head.index(k) for k in ("birth_date", "execution_start", "expected_end", "entry_date", "total")}

    def month_end(cell):
        y = int(cell[:4])
        m = rng.choice(range(1, 13))
        last = calendar.monthrange(y, m)[1]
        return date(y, m, rng.choice([last, 29, 30, 31]) if last == 31 else last).isoformat()
    def near(a):
        k = rng.choice(range(3, 9))
        y, m = divmod(a.month - 1 + k, 12)
        y, m = a.year + y, m + 1
        if k >= 6:   # its last day
            return date(y, m, calendar.monthrange(y, m)[1]).isoformat()
        return date(y, m, 1).isoformat()   # its first day
    out = [lines[0]]
    for line in lines[1:]:
        c = line.split(";")
        if as_of is not None and c[at["expected_end"]] and rng.random() < 0.35:
            c[at["expected_end"]] = near(as_of)
            start = date(as_of.year - rng.choice((1, 2, 3)), as_of.month, min(as_of.day, 28)).isoformat()
            c[at["execution_start"]] = start   # served before as_of
            if c[at["entry_date"]]:
                c[at["entry_date"]] = start
        elif as_of is not None and c[at["expected_end"]] and rng.random() < 0.15:
            y = next(y for y in range(as_of.year - 15, 1900, -1) if calendar.isleap(y))
            c[at["execution_start"]] = f"{y}-02-29"
            c[at["expected_end"]] = f"{y + 40}-02-{29 if calendar.isleap(y + 40) else 28}"
            c[at["total"]] = "P40Y"
            if c[at["entry_date"]]:
                c[at["entry_date"]] = f"{y}-02-29"
        elif c[at["expected_end"]] and rng.random() < 0.6:
            c[at["expected_end"]] = month_end(c[at["expected_end"]])
        if c[at["execution_start"]] and rng.random() < 0.4:
            c[at["execution_start"]] = month_end(c[at["execution_start"]])
        b = c[at["birth_date"]]
        if b and rng.random() < 0.2:
            y = int(b[:4]) - int(b[:4]) % 4
            if calendar.isleap(y):
                c[at["birth_date"]] = f"{y}-02-29"
        out.append(";".join(c))
    return "\n".join(out) + "\n"


@pytest.mark.parametrize("as_of", [date(2026, 12, 1), date(2025, 2, 28), date(2014, 10, 1)])
def test_scalar_and_columnar_give_the_same_rows_where_the_convention_decides(as_of):
    text = _month_end_export(600, 3, as_of)
    want, got = both_rows(text, as_of)
    assert got == want
    listed = sum("law:month_end" in r[-1] for r in want)
    assert listed >= 10   # the export does exercise it (2014-10-01: no LSC de plein droit yet, 10 rows)


# --- the dates of the notes (review 20, R20-09b; branch notedates) --------------------------------

EU_CASE = {"id": "me-eu", "person": {"name": "Popescu", "nationalities": ["RO"], "habitual_residence": "RO"},
           "detention": {"entry_date": "2024-04-30", "last_list_date": "2025-10-05", "next_cap_date": "2025-10-20"},
           "sentence": {"total": "P2Y", "execution_start": "2024-04-30", "expected_end": "2026-04-30",
                        "convictions": [{"court": "tribunal correctionnel de Bobigny", "date": "2024-05-15",
                                         "final": True, "total": "P2Y"}]},
           "removal_measures": [], "consent": {"transfer": None}}


@pytest.mark.parametrize("explain", [True, False])
@pytest.mark.parametrize("end,listed", [("2026-04-30", True), ("2026-04-29", False)])
def test_a_notes_date_resting_on_the_convention_is_listed(explain, end, listed):
    """CPP 728-33 2°: the certificate must arrive by the last day on which six months remain —
    2025-10-31 for an end on 2026-04-30 (« 31 April » → 30 April), 2025-11-01 under the other
    reading; the status and dates of the answer do not change, the note's date does."""
    case = {**EU_CASE, "sentence": {**EU_CASE["sentence"], "expected_end": end}}
    r = next(p for p in engine().ask(case, date(2025, 10, 15), explain=explain).procedures
             if p.procedure == "eu_recognition")
    assert [n.date for n in r.notes if n.id == "six_months_warning"] == [date(2025, 10, 31 if listed else 29)]
    assert ("law:month_end" in [t["fact"] for t in r.to_verify]) is listed


def test_verify_compares_the_dates_of_the_notes_shown_by_both():
    from types import SimpleNamespace as NS
    from lexquery.engine import verify
    from lexquery.engine.answer import NoteResult

    def res(*notes):
        return NS(status="applicable", date_from=None, date_until=None, consent_required=None, basis=[],
                  routes=[], notes=list(notes))
    a = res(NoteResult("w", "warning", "", (), date(2025, 10, 31)), NoteResult("x", "info", "", ()))
    base, dates = verify.outcome(a), verify.note_dates(a)
    assert verify.changed(base, dates, res(NoteResult("w", "warning", "", (), date(2025, 11, 1))))
    assert not verify.changed(base, dates, res(NoteResult("w", "warning", "", (), date(2025, 10, 31))))
    assert not verify.changed(base, dates, res())   # a note shown by one only: not compared
    assert not verify.changed(base, dates, res(NoteResult("y", "info", "", (), date(2025, 1, 1))))
    # two dates both before the date of evaluation: a deadline past under either reading (R21-09)
    late = res(NoteResult("w", "warning", "", (), date(2025, 10, 30)))
    assert not verify.changed(base, dates, late, date(2025, 11, 1))
    assert verify.changed(base, dates, late, date(2025, 10, 31))   # the day of: still to act on
    assert verify.changed(base, dates, late)


def test_minus_of_whole_months_records_nothing_and_stays():
    """rules.functions.f_minus and its vector form: minus(T, n months) rests on no convention
    (tests/test_dates_month_end.py) — no ``law:month_end``, the same day under verify's other
    reading; with days as well, it still records it."""
    import numpy as np
    from lexquery.columnar import vdates
    from lexquery.columnar.compile import _minus_relies
    from lexquery.dates import Duration
    from lexquery.rules import functions as F

    class Env:
        def __init__(self, overrides=None):
            self.overrides, self.evidence = overrides, {}

        def record_evidence(self, k, f):
            self.evidence[k] = f
    t = date(2026, 3, 29)   # « 29 February 2026 » counted back
    for ov in (None, {F.MONTH_END: F.month_end_fact()}):
        e = Env(ov)
        assert F.f_minus(e, t, Duration(1, 0)) == date(2026, 2, 28) and not e.evidence
    e = Env()
    assert F.f_minus(e, t, Duration(1, 1)) == date(2026, 2, 27) and F.MONTH_END in e.evidence
    for ov in (None, {F.MONTH_END: F.month_end_fact()}):   # D147-20's first day: the earlier, always
        e = Env(ov)
        assert F.f_earliest_day_within(e, date(2026, 3, 1), Duration(3, 0)) == date(2025, 11, 29) and not e.evidence
    d = vdates.to_days(t)
    rel, _ = _minus_relies(np.array([d - 30]), np.array([d]), np.array([1]), np.array([0]))
    assert not rel.any()
    rel, _ = _minus_relies(np.array([d - 31]), np.array([d]), np.array([1]), np.array([1]))
    assert rel.all()


def _eu_export(n: int, seed: int) -> str:
    """``lexquery synth n`` made Romanian nationals residing in Romania whose sentences end on the
    last days (and the days before) of the months six months after 2025-10-15: CPP 728-33 2°'s
    note date rests on the convention for an end on a 30th or February's last day."""
    from lexquery.screening.synth import synth_text
    rng = random.Random(seed)
    lines = synth_text(n, 1).rstrip("\n").split("\n")
    head = lines[0].split(";")
    at = {k: head.index(k) for k in ("nationalities", "habitual_residence", "expected_end", "execution_start",
                                     "entry_date", "total", "receiving_state")}
    ends = ["2026-02-28", "2026-02-27", "2026-03-31", "2026-03-30", "2026-04-30", "2026-04-29", "2026-05-31",
            "2026-06-30", "2026-06-29", "2026-09-30", "2026-11-30", "2027-02-28"]
    out = [lines[0]]
    for line in lines[1:]:
        c = line.split(";")
        c[at["nationalities"]] = c[at["habitual_residence"]] = "RO"
        c[at["receiving_state"]] = ""
        c[at["expected_end"]] = rng.choice(ends)
        c[at["execution_start"]] = "2024-04-30"
        c[at["total"]] = "P2Y"
        if c[at["entry_date"]]:
            c[at["entry_date"]] = "2024-04-30"
        out.append(";".join(c))
    return "\n".join(out) + "\n"


@pytest.mark.parametrize("as_of", [date(2025, 10, 15), date(2025, 10, 31), date(2025, 11, 1)])
@pytest.mark.parametrize("share", [0.0, 0.25])
def test_scalar_and_columnar_agree_where_a_notes_date_rests_on_the_convention(share, as_of):
    """Both engines, before, on and after 2025-10-31 (the note's date for an end on 2026-04-30,
    2025-10-30 under the other reading): the day after, both dates are past and not compared."""
    from columnar_helpers import blank
    text = _eu_export(300, 5)
    if share:
        text = blank(text, share)
    want, got = both_rows(text, as_of)
    assert got == want
    assert sum("law:month_end" in r[-1] for r in want) >= 10


# --- both days said (review 21, notes § 0 and 6.1: « dire les deux jours ») -----------------------

@pytest.mark.parametrize("explain", [True, False])
def test_the_entry_gives_the_other_readings_days(explain):
    """The entry ``law:month_end`` says what moves under the other reading, so that a reader in a
    hurry does not take the later day for certain: CPP 728-33 2°'s deadline (a note's date),
    STE 112 art. 3.1.c's last day (``until``), the LSC de plein droit's first day (a route's)."""
    eng = engine()

    def entry(case, day, proc, lang="fr"):
        r = next(p for p in eng.ask(case, day, explain=explain, lang=lang).procedures if p.procedure == proc)
        return next(t for t in r.to_verify if t["fact"] == "law:month_end")
    e = entry(EU_CASE, date(2025, 10, 15), "eu_recognition")
    assert e["other_reading"] == [{"what": "note:six_months_warning", "value": "2025-10-31", "other": "2025-10-30"}]
    assert e["note"].endswith("dans l'autre lecture (jour inexistant compté au premier jour du mois suivant) : "
                              "échéance au 2025-10-30 au lieu du 2025-10-31"), e["note"]
    e = entry(EU_CASE, date(2025, 10, 15), "eu_recognition", "en")
    assert e["note"].endswith("deadline 2025-10-30 instead of 2025-10-31"), e["note"]
    e = entry(CASE, date(2024, 8, 20), "ste_transfer")   # end 2025-02-28: 2024-08-31, or 2024-08-28
    assert e["other_reading"] == [{"what": "until", "value": "2024-08-31", "other": "2024-08-28"},
                                  {"what": "note:request_deadline", "value": "2024-08-31", "other": "2024-08-28"}]
    assert e["note"].endswith(": jusqu'au 2024-08-28 au lieu du 2024-08-31"), e["note"]   # the same day said once
    e = entry(CASE, date(2024, 8, 30), "ste_transfer")   # the other reading's last day is past
    assert e["other_reading"][0] == {"what": "status", "value": "applicable", "other": "not_applicable"}
    assert [m["what"] for m in e["other_reading"]] == ["status"]   # a status that fails has no dates
    assert "statut « non applicable » au lieu de « applicable »" in e["note"]
    short = {**CASE, "sentence": {**CASE["sentence"], "total": "P1Y6M", "execution_start": "2024-09-01",
                                  "expected_end": "2026-03-01",
                                  "convictions": [{"court": "tribunal correctionnel de Paris", "date": "2024-08-20",
                                                   "final": True, "total": "P1Y6M"}]},
             "removal_measures": [{"kind": "ITF", "definitive": True, "destination": "GE", "enforceable": True,
                                   "remedies_exhausted": True}]}
    e = entry(short, date(2025, 10, 1), "lc_expulsion")   # CPP 720 II: 2025-12-01, or 2025-11-29
    assert {"what": "route:lsc_plein_droit", "value": "2025-12-01", "other": "2025-11-29",
            "status": "applicable_later", "other_status": "applicable_later"} in e["other_reading"], e
    assert "à partir du 2025-11-29 au lieu du 2025-12-01" in e["note"]


def test_other_reading_leaves_past_dates_and_notes_shown_once():
    from types import SimpleNamespace as NS
    from lexquery.engine import verify
    from lexquery.engine.answer import NoteResult

    def res(status, until, *notes):
        return NS(status=status, date_from=None, date_until=until, routes=[], notes=list(notes))
    a = res("applicable", date(2026, 1, 31), NoteResult("w", "warning", "", (), date(2025, 10, 31)),
            NoteResult("x", "info", "", (), date(2025, 12, 31)))
    b = res("applicable", date(2026, 1, 28), NoteResult("w", "warning", "", (), date(2025, 10, 30)))
    assert verify.other_reading(a, b, date(2025, 11, 1)) == [{"what": "until", "value": "2026-01-31", "other": "2026-01-28"}]
    assert verify.other_reading(a, b, date(2025, 10, 31))[1] == {"what": "note:w", "value": "2025-10-31", "other": "2025-10-30"}
