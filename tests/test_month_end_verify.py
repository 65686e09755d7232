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
