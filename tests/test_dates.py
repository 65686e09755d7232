"""Date arithmetic of CPP 716-1 (months de quantième en quantième) and fraction points."""
from datetime import date, timedelta

import pytest
from hypothesis import given, settings, strategies as st

from lexquery.dates import (LIFE, Duration, add_duration, add_months, first_day_within, fraction_point,
                            parse_date, parse_duration)


@pytest.mark.parametrize("start, months, expected", [
    (date(2024, 1, 15), 1, date(2024, 2, 15)),   # date to date
    (date(2024, 1, 31), 1, date(2024, 2, 29)),   # no 31 February: last day of the month
    (date(2023, 1, 31), 1, date(2023, 2, 28)),
    (date(2024, 11, 30), 3, date(2025, 2, 28)),
    (date(2024, 3, 31), -1, date(2024, 2, 29)),
    (date(2020, 2, 29), 12, date(2021, 2, 28)),
])
def test_add_months_counts_from_date_to_date(start, months, expected):
    assert add_months(start, months) == expected


def test_durations_parse_iso_8601_and_life():
    assert parse_duration("P2Y6M") == Duration(30, 0)
    assert parse_duration("P10D") == Duration(0, 10)
    assert parse_duration("P1W") == Duration(0, 7)
    assert parse_duration("life").is_life
    assert LIFE.is_life and not Duration(240, 0).is_life
    with pytest.raises(ValueError):
        parse_duration("2 ans")
    with pytest.raises(ValueError):
        parse_date("01/02/2024")


def test_add_duration_months_then_days():
    assert add_duration(date(2024, 1, 31), Duration(1, 1)) == date(2024, 3, 1)
    assert add_duration(date(2024, 3, 1), Duration(1, 1), sign=-1) == date(2024, 1, 31)


@pytest.mark.parametrize("end, dur, first", [
    # CPP 716-1, counted forward from the day considered (review 18, notes point 9, R18-22/23):
    # 2026-02-28 + 3 months = 2026-05-28 < 2026-05-31 (three months and three days left);
    # 2026-03-01 + 3 months = 2026-06-01 — counting back and clamping gave 2026-02-28
    (date(2026, 5, 31), Duration(3), date(2026, 3, 1)),
    (date(2026, 5, 28), Duration(3), date(2026, 2, 28)),    # the day exists: back = forward
    (date(2026, 5, 29), Duration(3), date(2026, 3, 1)),     # 28 Feb + 3 months = 28 May < 29 May
    (date(2024, 5, 31), Duration(3), date(2024, 3, 1)),     # leap: 2024-02-29 + 3 months = 2024-05-29
    (date(2024, 5, 29), Duration(3), date(2024, 2, 29)),
    (date(2028, 2, 29), Duration(36), date(2025, 3, 1)),    # CPP 730 al. 1: 2025-02-28 + 3 years = 2028-02-28
    (date(2026, 3, 31), Duration(1), date(2026, 3, 1)),     # 2026-02-28 + 1 month = 2026-03-28
    (date(2026, 3, 31), Duration(1, 1), date(2026, 3, 1)),  # months then days: 2026-02-28 + 1 month 1 day = 2026-03-29
    (date(2026, 5, 31), Duration(0, 10), date(2026, 5, 21)),  # days only: counted back exactly
    (date(2026, 5, 31), Duration(0), date(2026, 5, 31)),
])
def test_first_day_within_counts_forward_from_the_day(end, dur, first):
    from datetime import timedelta
    assert first_day_within(end, dur) == first
    assert add_duration(first, dur) >= end
    assert add_duration(first - timedelta(days=1), dur) < end


def test_first_day_within_against_minus():
    """``minus`` (counted back, clamped) is the first day within only when the end's day exists
    that many months earlier; otherwise first_day_within is the day after it."""
    assert add_duration(date(2026, 5, 31), Duration(3), -1) == date(2026, 2, 28)
    assert first_day_within(date(2026, 5, 31), Duration(3)) == date(2026, 3, 1)
    # the last day on which at least six months remain (STE 112 art. 3.1.c: last_day_within) is
    # ``minus`` for this end (February has no later day reaching 2026-08-31)
    assert add_duration(date(2026, 8, 31), Duration(6), -1) == date(2026, 2, 28)
    assert add_duration(date(2026, 2, 28), Duration(6)) <= date(2026, 8, 31) < add_duration(date(2026, 3, 1), Duration(6))


@given(st.dates(min_value=date(1950, 1, 1), max_value=date(2150, 1, 1)),
       st.integers(min_value=0, max_value=600), st.integers(min_value=0, max_value=400))
def test_first_day_within_is_the_earliest_day(end, months, days):
    from datetime import timedelta
    dur = Duration(months, days)
    d = first_day_within(end, dur)
    assert add_duration(d, dur) >= end > add_duration(d - timedelta(days=1), dur)


@pytest.mark.parametrize("start, end, num, den, point", [
    # 4 years from 2024-01-01 to 2028-01-01 = 1461 days; half = 730.5 → day 731 (never early)
    (date(2024, 1, 1), date(2028, 1, 1), 1, 2, date(2026, 1, 1)),
    (date(2024, 1, 1), date(2024, 1, 11), 1, 2, date(2024, 1, 6)),
    (date(2024, 1, 1), date(2024, 1, 10), 1, 2, date(2024, 1, 6)),   # 4.5 days → 5
    (date(2024, 1, 1), date(2024, 1, 10), 2, 3, date(2024, 1, 7)),   # 6 days exactly
])
def test_fraction_point_is_the_first_day_the_fraction_is_reached(start, end, num, den, point):
    assert fraction_point(start, end, num, den) == point


@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2060, 1, 1)),
       st.integers(min_value=1, max_value=40 * 365), st.sampled_from([(1, 2), (2, 3)]))
def test_fraction_point_boundary(start, length, frac):
    """On the point, served ≥ fraction × remaining; the day before, not yet (served/remaining)."""
    from datetime import timedelta
    end = start + timedelta(days=length)
    num, den = frac
    p = fraction_point(start, end, num, den)
    served, remaining = (p - start).days, (end - p).days
    assert served * (den - num) >= remaining * num          # 1/2: served ≥ remaining; 2/3: served ≥ 2×remaining
    prev = p - timedelta(days=1)
    assert (prev - start).days * (den - num) < (end - prev).days * num


def test_months_midpoint_counts_months_then_days():
    """CPP 716-1 reading of 729 al. 8 (review 4, R4-16): 1 year 10 months from 15 January —
    11 months served = 11 months left on 15 December; in days (334 < 335) the next day."""
    from datetime import date
    from lexquery.dates import fraction_point, months_midpoint, months_and_days
    start, end = date(2026, 1, 15), date(2027, 11, 15)
    assert months_midpoint(start, end) == date(2026, 12, 15)
    assert fraction_point(start, end, 1, 2) == date(2026, 12, 16)
    assert months_and_days(start, date(2026, 12, 14)) == (10, 29)
    assert months_and_days(date(2026, 12, 14), end) == (11, 1)
    # an even number of months from a day every month has: both readings agree
    assert months_midpoint(date(2025, 6, 1), date(2027, 6, 1)) == fraction_point(date(2025, 6, 1), date(2027, 6, 1), 1, 2)


def test_months_midpoint_is_the_first_day_served_reaches_left():
    """Exhaustive on short spans: the day returned satisfies served >= left (months, then
    days), and the day before does not."""
    from datetime import date, timedelta
    from lexquery.dates import months_midpoint, months_and_days
    one = timedelta(days=1)
    for s in (date(2024, 1, 31), date(2024, 2, 29), date(2025, 3, 15), date(2023, 12, 31)):
        for n in range(2, 800, 7):
            e = s + timedelta(days=n)
            m = months_midpoint(s, e)
            assert months_and_days(s, m) >= months_and_days(m, e)
            assert m == s or months_and_days(s, m - one) < months_and_days(m - one, e)


@pytest.mark.parametrize("end,dur,last", [
    (date(2025, 2, 28), Duration(6), date(2024, 8, 31)),    # 31 Aug + 6 months = 28 Feb (clamped)
    (date(2026, 8, 31), Duration(6), date(2026, 2, 28)),    # review 18, R18-35: minus agrees
    (date(2026, 4, 30), Duration(6), date(2025, 10, 31)),   # 31 Oct + 6 months = 30 Apr
    (date(2026, 4, 29), Duration(6), date(2025, 10, 29)),   # not a month's end: counted back
    (date(2024, 2, 29), Duration(12), date(2023, 2, 28)),   # 28 Feb 2023 + 12 months = 28 Feb 2024 <= 29
    (date(2025, 3, 31), Duration(1), date(2025, 2, 28)),
])
def test_last_day_within(end, dur, last):
    """The last day on which at least ``dur`` remains before ``end``, counted forward (CPP 716-1):
    the day itself reaches ``end``, the next one passes it."""
    from lexquery.dates import last_day_within
    assert last_day_within(end, dur) == last
    assert add_duration(last, dur) <= end < add_duration(last + timedelta(days=1), dur)


@settings(max_examples=300, deadline=None)
@given(st.dates(date(1900, 1, 1), date(2150, 12, 31)), st.integers(0, 600), st.integers(0, 60))
def test_last_day_within_is_the_latest_day_reaching_the_end(end, months, days):
    from lexquery.dates import last_day_within
    dur = Duration(months, days)
    last = last_day_within(end, dur)
    assert add_duration(last, dur) <= end < add_duration(last + timedelta(days=1), dur)
