"""The month's-last-day convention: when does a month count rest on it? (review 19)

CPP 716-1 counts months « de quantième en quantième »; a day that does not exist in the month
reached is put on that month's last day — a convention CPP 716-1 does not state (CPC art. 641
al. 2 states it for procedural time limits), so an answer whose date it decides says so
(``law:month_end`` in ``to_verify``). ``dates.*_relies`` say when a result rests on it, defined
as: under the other reading, where a count landing on a day that does not exist reaches the first
day of the next month (``overflow``), the result would differ. Each flag and each ``*_overflow``
value is checked here against that definition, computed by trying the days themselves, over every
day of 2023-2025 and 0-24 months; the reading where such a count reaches no day (``strict``, the
branch monthmark's) is kept beside it where the two are compared.
"""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from lexquery import dates as D
from lexquery.dates import Duration

ONE = timedelta(days=1)
DAYS = [date(2023, 1, 1) + timedelta(days=i) for i in range((date(2026, 1, 1) - date(2023, 1, 1)).days)]


def strict(d: date, months: int, days: int = 0, sign: int = 1):
    """``d`` plus (``sign``) months then days, or None when the day of ``d`` does not exist in
    the month reached — the reading without the convention."""
    y, m = divmod(d.month - 1 + sign * months, 12)
    try:
        reached = date(d.year + y, m + 1, d.day)
    except ValueError:
        return None
    return reached + timedelta(days=sign * days)


def overflow(d: date, months: int, days: int = 0, sign: int = 1) -> date:
    """``d`` plus (``sign``) months then days, a day that does not exist in the month reached
    taken as the first day of the next month (by building the date, not from the module)."""
    y, m = divmod(d.month - 1 + sign * months, 12)
    try:
        reached = date(d.year + y, m + 1, d.day)
    except ValueError:
        ny, nm = divmod(m + 1, 12)
        reached = date(d.year + y + ny, nm + 1, 1)
    return reached + timedelta(days=sign * days)


def test_overflow_counts_are_the_next_months_first_day():
    for d in DAYS:
        for n in range(-24, 25):
            assert D.add_months_overflow(d, n) == overflow(d, n), (d, n)
            for days, sign in ((10, 1), (3, -1)):
                dur = Duration(abs(n), days)
                sgn = sign if n >= 0 else -sign
                assert D.add_duration_overflow(d, dur, sgn) == overflow(d, dur.months, days, sgn)
                assert D.add_duration_relies(d, dur, sgn) == (D.add_duration_overflow(d, dur, sgn)
                                                              != D.add_duration(d, dur, sgn))
    assert D.add_months_overflow(date(2008, 2, 29), 15 * 12) == date(2023, 3, 1)
    assert D.add_months_overflow(date(2025, 3, 31), 1) == date(2025, 5, 1)
    assert D.add_duration_overflow(date(2025, 5, 31), Duration(3), -1) == date(2025, 3, 1)


def test_add_months_and_duration_relies_iff_the_strict_count_differs_or_fails():
    seen = 0
    for d in DAYS:
        for n in range(-24, 25):
            s = strict(d, n)
            relies = D.add_months_relies(d, n)
            assert relies == (s is None or s != D.add_months(d, n)), (d, n)
            assert relies == (s is None), (d, n)   # a defined count is the same day
            seen += relies
            for days, sign in ((10, 1), (3, -1)):
                dur = Duration(abs(n), days)
                sgn = sign if n >= 0 else -sign
                st = strict(d, dur.months, days, sgn)
                assert D.add_duration_relies(d, dur, sgn) == (st is None or st != D.add_duration(d, dur, sgn))
    assert seen > 500   # the flag is not always false
    assert D.add_months_relies(date(2025, 1, 31), 1) and not D.add_months_relies(date(2025, 1, 28), 1)
    assert D.add_months_relies(date(2024, 2, 29), 12) and not D.add_months_relies(date(2024, 2, 29), 48)


def _strict_min(end, months, days, lo, hi):
    """The least day in [lo, hi] whose strict count is defined and reaches ``end``."""
    d = lo
    while d <= hi:
        s = strict(d, months, days)
        if s is not None and s >= end:
            return d
        d += ONE
    return None


def _strict_max(end, months, days, lo, hi):
    d = hi
    while d >= lo:
        s = strict(d, months, days)
        if s is not None and s <= end:
            return d
        d -= ONE
    return None


def _overflow_min(end, months, days, lo, hi):
    """The least day in [lo, hi] whose overflow count reaches ``end``."""
    d = lo
    while d <= hi:
        if overflow(d, months, days) >= end:
            return d
        d += ONE
    return None


def _overflow_max(end, months, days, lo, hi):
    d = hi
    while d >= lo:
        if overflow(d, months, days) <= end:
            return d
        d -= ONE
    return None


@pytest.mark.parametrize("days", [0, 5])
def test_first_day_within_relies_iff_the_overflow_least_day_differs(days):
    """min{d : d + dur >= end}: under the strict reading (no day) the least day is the same (as
    the branch monthmark proved); under the overflow reading it is an earlier day where the end
    less the days is the 1st of a month shorter than the one ``dur`` months before the month
    before it. Below the day found less 4 every count falls short: trying from 40 days before it
    is trying them all."""
    relied = 0
    for end in DAYS:
        for n in range(0, 25):
            dur = Duration(n, days)
            r = D.first_day_within(end, dur)
            assert D.add_duration(r - ONE, dur) < end <= D.add_duration(r, dur)
            assert _strict_min(end, n, days, r - 40 * ONE, r + 40 * ONE) == r, (end, n)
            alt = _overflow_min(end, n, days, r - 40 * ONE, r + 40 * ONE)
            assert D.first_day_within_overflow(end, dur) == alt, (end, n)
            assert D.first_day_within_relies(end, dur) == (alt != r), (end, n)
            relied += alt != r
    assert relied > 50
    # the LSC de plein droit's « at most three months » (CPP 720): end 2026-03-01
    assert D.first_day_within(date(2026, 3, 1), Duration(3)) == date(2025, 12, 1)
    assert D.first_day_within_overflow(date(2026, 3, 1), Duration(3)) == date(2025, 11, 29)
    assert not D.first_day_within_relies(date(2026, 3, 15), Duration(3))


@pytest.mark.parametrize("days", [0, 5])
def test_last_day_within_relies_iff_the_strict_greatest_day_differs(days):
    """max{d : d + dur <= end}: relies iff the greatest over the days whose count is defined is
    another day (above the day found every count overshoots: trying 40 days is trying them all)."""
    relied = 0
    for end in DAYS:
        for n in range(0, 25):
            dur = Duration(n, days)
            r = D.last_day_within(end, dur)
            assert D.add_duration(r, dur) <= end < D.add_duration(r + ONE, dur)
            alt = _strict_max(end, n, days, r - 40 * ONE, r + 40 * ONE)
            # the overflow reading gives the same day as the strict one: one definition
            assert _overflow_max(end, n, days, r - 40 * ONE, r + 40 * ONE) == alt, (end, n)
            assert D.last_day_within_relies(end, dur) == (alt != r), (end, n)
            assert D.last_day_within_overflow(end, dur) == alt, (end, n)
            relied += alt != r
    assert relied > 100
    # review 18's example: end 2025-02-28, six months: 2024-08-31 rests on the convention
    assert D.last_day_within(date(2025, 2, 28), Duration(6)) == date(2024, 8, 31)
    assert D.last_day_within_relies(date(2025, 2, 28), Duration(6))
    assert not D.last_day_within_relies(date(2025, 3, 15), Duration(6))


def _strict_md(a, b):
    """The span from ``a`` to ``b`` months then days, a month count reaching no day where the
    day does not exist: the greatest count that reaches a day on or before ``b``, by trying."""
    m = (b.year - a.year) * 12 + (b.month - a.month) + 1
    while m > 0:
        s = strict(a, m)
        if s is not None and s <= b:
            break
        m -= 1
    return m, (b - strict(a, m)).days


def _first_holding(start, end, md):
    """The first day in [start, end) on which served >= left, both spans counted by ``md``
    (strict or overflow), else end — every day tried but those whose (real) served months fall
    two short of the left ones, where the comparison cannot hold (each strict or overflow count
    is at most the real one and one month fewer)."""
    d = start
    while d < end:
        ms, ml = D.months_and_days(start, d)[0], D.months_and_days(d, end)[0]
        if ms > ml - 2 and md(start, d) >= md(d, end):
            return d
        d += ONE
    return end


def _strict_midpoint(start, end):
    return _first_holding(start, end, _strict_md)


def _overflow_md(a, b):
    """The span from ``a`` to ``b`` months then days, a month count landing on a day that does
    not exist reaching the next month's first day: the greatest count on or before ``b``."""
    m = (b.year - a.year) * 12 + (b.month - a.month) + 1
    while m > 0 and overflow(a, m) > b:
        m -= 1
    return m, (b - overflow(a, m)).days


def _overflow_midpoint(start, end):
    return _first_holding(start, end, _overflow_md)


def _real_first(start, end):
    d = start
    while d < end and D.months_and_days(start, d) < D.months_and_days(d, end):
        d += ONE
    return d


@pytest.mark.parametrize("year", [2023, 2024])
def test_months_midpoint_relies_iff_the_overflow_first_day_differs(year):
    """Every start of ``year`` (its days at a step of 1) and spans of 1 to 900 days (step 37):
    the flag against the first day tried one by one under the overflow reading; the strict
    reading (the branch monthmark's) gives another day on some spans — the overflow one is kept."""
    relied = total = differ = 0
    start = date(year, 1, 1)
    while start.year == year:
        for span in range(1, 900, 37):
            end = start + timedelta(days=span)
            r = D.months_midpoint(start, end)
            assert r == _real_first(start, end)
            alt = _overflow_midpoint(start, end)
            assert D.months_midpoint_relies(start, end) == (alt != r), (start, end, r, alt)
            assert D.months_midpoint_overflow(start, end) == alt, (start, end)
            differ += alt != _strict_midpoint(start, end)
            relied += alt != r
            total += 1
        start += ONE
    assert 0 < relied < total / 4
    assert differ > 0   # the two readings are not one definition here


def test_months_midpoint_overflow_on_random_spans():
    """400 random spans up to 30 years, half starting on a month's last day."""
    import random
    rnd = random.Random(7)
    for _ in range(400):
        s = date(1995, 1, 1) + timedelta(days=rnd.randrange(12000))
        if rnd.random() < .5:
            s = date(s.year, s.month, 1) - ONE
        e = s + timedelta(days=rnd.randrange(1, 11000))
        assert D.months_midpoint_overflow(s, e) == _overflow_midpoint(s, e), (s, e)


def test_helpers_agree_with_the_module():
    for a in DAYS[::7]:
        for k in (0, 29, 30, 31, 59, 61, 365, 400):
            b = a + timedelta(days=k)
            assert _overflow_md(a, b) == D._months_and_days_overflow(a, b)


def test_vector_flags_agree_with_the_scalar_ones():
    """columnar/vdates: the same flags over columns (every day of 2023-2025 x -24..24 months;
    the last days within and the midpoints over the spans above)."""
    import numpy as np
    from lexquery.columnar import vdates as V
    days = np.array([V.to_days(d) for d in DAYS], dtype=np.int64)
    for n in range(-24, 25):
        got = V.add_months_relies(days, np.full(len(days), n))
        assert got.tolist() == [D.add_months_relies(d, n) for d in DAYS], n
        got = V.add_months(days, np.full(len(days), n)) + V.add_months_relies(days, np.full(len(days), n))
        assert [V.from_days(x) for x in got] == [D.add_months_overflow(d, n) for d in DAYS], n
    for n in range(0, 25):
        for dd in (0, 5):
            ms, ds = np.full(len(days), n), np.full(len(days), dd)
            last = V.last_day_within(days, ms, ds)
            got = V.last_day_within_overflow(last, ms)
            assert [V.from_days(x) for x in got] == [D.last_day_within_overflow(d, Duration(n, dd)) for d in DAYS], n
            first = V.first_day_within(days, ms, ds)
            got = V.first_day_within_overflow(days, ms, ds, first)
            assert [V.from_days(x) for x in got] == [D.first_day_within_overflow(d, Duration(n, dd)) for d in DAYS], n
    starts = [d for d in DAYS if d.year == 2024]
    for span in range(1, 900, 11):
        s = np.array([V.to_days(d) for d in starts], dtype=np.int64)
        e = s + span
        mid = V.months_midpoint(s, e)
        got = V.months_midpoint_overflow(s, e, mid)
        assert [V.from_days(x) for x in got] == [D.months_midpoint_overflow(d, d + timedelta(days=span)) for d in starts], span


def test_vector_midpoint_overflow_from_month_ends():
    """vdates.months_midpoint_overflow tries only the 29th-31st before the clamped mid-point, also
    where the served count itself rests on the convention (a start on a 29th-31st): every start on
    a 28th-31st of 2023-2025, spans of 20 to 1,500 days, against the scalar function (itself
    checked against every day tried in turn above)."""
    import numpy as np
    from lexquery.columnar import vdates as V
    starts = [d for d in DAYS if d.day >= 28]
    s = np.array([V.to_days(d) for d in starts], dtype=np.int64)
    relied = 0
    for span in range(20, 1500, 23):
        e = s + span
        mid = V.months_midpoint(s, e)
        got = V.months_midpoint_overflow(s, e, mid)
        assert [V.from_days(x) for x in got] == [D.months_midpoint_overflow(d, d + timedelta(days=span)) for d in starts], span
        relied += int((got != mid).sum())
    assert relied > 100   # the reading moves the day on many of these spans


# --- minus: a month count back that rests on nothing (lc_expulsion D147-20 ``info_by``) -----------

MINUS_DAYS = [date(2023, 1, 1) + timedelta(days=i) for i in range((date(2029, 1, 1) - date(2023, 1, 1)).days)]
"""Every day of 2023-2028: two leap years (2024, 2028), four common ones."""


def _minus_durations() -> list[int]:
    """The month counts ``minus`` is called with in the rules (every ``minus(`` of rules/*.yaml:
    its duration, a constant of rules/common.yaml), and 1-24 months and 1-3 years beside them."""
    import re
    from pathlib import Path
    import yaml
    root = Path(__file__).resolve().parents[1] / "rules"
    consts = yaml.safe_load((root / "common.yaml").read_text())["constants"]
    used = set()
    for f in root.glob("*.yaml"):
        for m in re.finditer(r"minus\(\s*[\w.]+\s*,\s*(\w+)\s*\)", f.read_text()):
            name = m.group(1)   # a constant, or a duration written in place (a comment's P3M)
            dur = D.parse_duration(str(consts[name]["value"]) if name in consts else name)
            assert dur.days == 0, f"{f.name}: minus with days ({dur}) — the equality below is for months only"
            used.add(dur.months)
    assert used, "no minus( in the rules: the table of EVIDENCE and this test are to be revisited"
    return sorted(used | set(range(1, 25)) | {36})


@pytest.mark.parametrize("months", _minus_durations())
def test_minus_months_is_the_last_day_under_both_readings(months):
    """``minus(T, n months)`` — ``add_months(T, -n)``, a day that does not exist put on the
    month's last day — is the greatest day ``d`` with ``d + n months <= T`` under the overflow
    reading (``last_day_within_overflow``), found here by trying the days: it does not rest on
    the month's-last-day convention of the FORWARD count, and engine/verify.py's other reading
    leaves it as it is (rules.functions.f_minus records nothing). Not so with days as well
    (2025-03-01 minus P1M1D: 2025-01-31, whose count forward is 28 February only by the
    convention): f_minus records the convention then."""
    dur = Duration(months, 0)
    for t in MINUS_DAYS:
        m = D.add_duration(t, dur, -1)
        assert m == D.last_day_within_overflow(t, dur), (t, months)
        # by the definition: the greatest day whose overflow count reaches t or before
        assert D.add_months_overflow(m, months) <= t < D.add_months_overflow(m + ONE, months), (t, months)


def test_minus_with_days_would_rest_on_the_convention():
    dur = Duration(1, 1)
    t = date(2025, 3, 1)
    assert D.add_duration(t, dur, -1) == date(2025, 1, 31)
    assert D.last_day_within_overflow(t, dur) == date(2025, 1, 28)


@pytest.mark.parametrize("days", [0, 5])
def test_earliest_day_within_is_the_least_day_under_either_reading(days):
    """``dates.earliest_day_within``: the least day d with d + dur >= end under either reading of a
    day that does not exist (the month's last day, or the next month's first) — found by trying
    every day from 40 days before — and its vector form (columnar/compile ``earliest_day_within``)
    gives the same day for every end of 2023-2025 and 0-24 months (CPP D147-20's duty counted from
    it: review 21, notes § 6.2)."""
    import numpy as np
    from lexquery.columnar import compile as C, vdates
    earlier = 0
    for n in range(0, 25):
        dur = Duration(n, days)
        ends = np.array([vdates.to_days(e) for e in DAYS], dtype=np.int64)
        vec = C._earliest_day(ends, np.full(len(ends), n), np.full(len(ends), days))
        for i, end in enumerate(DAYS):
            r = D.first_day_within(end, dur)
            want = min(r, _overflow_min(end, n, days, r - 40 * ONE, r + 40 * ONE))
            got = D.earliest_day_within(end, dur)
            assert got == want and vdates.to_days(got) == vec[i], (end, n)
            earlier += got < r
    assert earlier > 50
    assert D.earliest_day_within(date(2026, 3, 1), Duration(3)) == date(2025, 11, 29)
    assert D.earliest_day_within(date(2026, 3, 15), Duration(3)) == date(2025, 12, 15)
