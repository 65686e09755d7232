"""Vector month arithmetic (columnar/vdates.py) against lexquery.dates, exhaustively: every day
of several years (leap years, centuries: 1900 is not leap, 2000 is) × every shift from -600 to
+600 months (CPP 716-1, de quantième en quantième; a missing day falls on the month's end)."""
from datetime import date, timedelta

import numpy as np
import pytest

from lexquery.dates import add_duration, add_months, first_day_within, fraction_point, last_day_within, Duration
from lexquery.columnar import vdates


def _days(years):
    d, out = date(years[0], 1, 1), []
    while d.year <= years[-1]:
        if d.year in years:
            out.append(d)
        d += timedelta(days=1)
    return out


@pytest.mark.parametrize("years", [(1900, 1901), (1999, 2000), (2023, 2024), (2100,)])
def test_add_months_exhaustive(years):
    days = _days(years)
    nums = np.array([vdates.to_days(d) for d in days], dtype=np.int64)
    for n in range(-600, 601):
        got = vdates.add_months(nums, n)
        want = [vdates.to_days(add_months(d, n)) for d in days]
        assert got.tolist() == want, n
        if n >= 0:   # the first day on which at most n months remain before each day (CPP 716-1)
            got = vdates.first_day_within(nums, n, 0)
            want = [vdates.to_days(first_day_within(d, Duration(n))) for d in days]
            assert got.tolist() == want, n
            got = vdates.last_day_within(nums, n, 0)   # the last day on which at least n months remain
            want = [vdates.to_days(last_day_within(d, Duration(n))) for d in days]
            assert got.tolist() == want, n


def test_add_months_vector_of_shifts_and_boundaries():
    # the day of the month kept, else the month's last day: 31/01 + 1 month = 28 or 29/02
    assert vdates.from_days(vdates.add_months(np.array([vdates.to_days(date(2023, 1, 31))]), 1)[0]) == date(2023, 2, 28)
    assert vdates.from_days(vdates.add_months(np.array([vdates.to_days(date(2024, 1, 31))]), 1)[0]) == date(2024, 2, 29)
    assert vdates.from_days(vdates.add_months(np.array([vdates.to_days(date(2024, 2, 29))]), 12)[0]) == date(2025, 2, 28)
    rng = np.random.default_rng(0)
    d0 = rng.integers(vdates.to_days(date(1900, 1, 1)), vdates.to_days(date(2150, 1, 1)), 20000)
    sh = rng.integers(-600, 601, 20000)
    got = vdates.add_months(d0, sh)
    assert got.tolist() == [vdates.to_days(add_months(vdates.from_days(a), int(b))) for a, b in zip(d0, sh)]


def test_add_duration_and_fraction_point():
    rng = np.random.default_rng(1)
    a = rng.integers(vdates.to_days(date(1950, 1, 1)), vdates.to_days(date(2100, 1, 1)), 5000)
    b = a + rng.integers(-400, 12000, 5000)
    m, dd = rng.integers(0, 400, 5000), rng.integers(0, 60, 5000)
    for sign in (1, -1):
        got = vdates.add_duration(a, m, dd, sign)
        assert got.tolist() == [vdates.to_days(add_duration(vdates.from_days(x), Duration(int(y), int(z)), sign))
                                for x, y, z in zip(a, m, dd)]
    for num, den in ((1, 2), (2, 3), (1, 1), (2, 1)):
        got = vdates.fraction_point(a, b, num, den)
        assert got.tolist() == [vdates.to_days(fraction_point(vdates.from_days(x), vdates.from_days(y), num, den))
                                for x, y in zip(a, b)]


@pytest.mark.parametrize("vector,scalar,end,months,day", [
    # R18-22's end: 2026-05-31, at most three months left from 2026-03-01 (2026-02-28 counted back)
    (vdates.first_day_within, first_day_within, date(2026, 5, 31), 3, date(2026, 3, 1)),
    # at least six months left up to 2024-08-31 before 2025-02-28 (2024-08-28 counted back)
    (vdates.last_day_within, last_day_within, date(2025, 2, 28), 6, date(2024, 8, 31)),
])
def test_remainder_days_with_months_and_days(vector, scalar, end, months, day):
    """``first_day_within`` / ``last_day_within`` with months and days, as the functions of
    ``dates``, on random ends, and the month-end example of each."""
    rng = np.random.default_rng(3)
    e = rng.integers(vdates.to_days(date(1950, 1, 1)), vdates.to_days(date(2100, 1, 1)), 20000)
    m, dd = rng.integers(0, 600, 20000), rng.integers(0, 400, 20000)
    got = vector(e, m, dd)
    assert got.tolist() == [vdates.to_days(scalar(vdates.from_days(x), Duration(int(y), int(z))))
                            for x, y, z in zip(e, m, dd)]
    assert vdates.from_days(vector(np.array([vdates.to_days(end)]), months, 0)[0]) == day


def test_months_midpoint():
    """The mid-sentence counted months then days (dates.months_midpoint), on random spans and on
    every start day of a leap year with spans around the month ends."""
    from lexquery.dates import months_midpoint
    rng = np.random.default_rng(2)
    a = rng.integers(vdates.to_days(date(1990, 1, 1)), vdates.to_days(date(2060, 1, 1)), 6000)
    b = a + rng.integers(0, 12000, 6000)
    starts = [vdates.to_days(d) for d in _days((2024,))]
    a = np.concatenate([a, np.repeat(starts, 4)])
    b = np.concatenate([b, np.repeat(starts, 4) + np.tile([27, 59, 334, 671], len(starts))])
    got = vdates.months_midpoint(a, b)
    assert got.tolist() == [vdates.to_days(months_midpoint(vdates.from_days(x), vdates.from_days(y)))
                            for x, y in zip(a, b)]


def test_add_months_outside_the_tables():
    """Days and months outside vdates' calendar tables (1800-2299) take numpy's calendar: the
    same answers as dates.add_months, also for a batch mixing both."""
    days = [date(1700, 3, 31), date(1799, 12, 31), date(1800, 1, 31), date(2299, 12, 31), date(2400, 2, 29),
            date(2024, 1, 31)]
    nums = np.array([vdates.to_days(d) for d in days], dtype=np.int64)
    for n in (-1300, -25, -1, 0, 1, 13, 1300):
        got = vdates.add_months(nums, n)
        assert got.tolist() == [vdates.to_days(add_months(d, n)) for d in days], n
        assert vdates.add_months(nums[-1:], n).tolist() == [vdates.to_days(add_months(days[-1], n))]
    y, m, d = vdates.civil(nums)
    assert list(zip(y.tolist(), m.tolist(), d.tolist())) == [(x.year, x.month, x.day) for x in days]


def test_calendar_tables_are_numpy_calendar_of_every_day():
    """The tables of vdates (built from the months' first days, ``np.repeat``) hold, for every day
    of 1800-2299, the month and the day of the month numpy's calendar gives it (``_civil_dt``),
    and per month its first day and length; as int64 arrays."""
    ym, dd, first, lengths = vdates._tables()
    y, m, d = vdates._civil_dt(np.arange(vdates._LO_DAY, vdates._HI_DAY, dtype=np.int64))
    assert ym.dtype == dd.dtype == first.dtype == lengths.dtype == np.int64
    assert np.array_equal(ym, (y - 1970) * 12 + (m - 1))
    assert np.array_equal(dd, d)
    assert len(first) == len(lengths) == vdates._HI_MON - vdates._LO_MON
    assert np.array_equal(ym[first - vdates._LO_DAY], np.arange(vdates._LO_MON, vdates._HI_MON))
    assert (dd[first - vdates._LO_DAY] == 1).all()
    assert np.array_equal(lengths, np.bincount(ym - vdates._LO_MON))
