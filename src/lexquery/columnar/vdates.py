"""Dates as vectors: month arithmetic date to date (CPP 716-1) over numpy day numbers.

The columnar back-end (issue 16) holds a column of dates as ``int32`` days since
1970-01-01 (``datetime64[D]`` viewed as integers), with a mask for the cells that are not a
date. The operations here are those of :mod:`lexquery.dates`, element by element:

- :func:`add_months`: « Celle de plus d'un mois se calcule de quantième en quantième »
  (CPP 716-1) — the same day of the month ``n`` months later, on the month's last day when
  that day does not exist (31 → 30 April, 29 February → 28 in a common year);
- :func:`add_duration`: months date to date, then days (``dates.add_duration``);
- :func:`first_day_within`: the first day on which at most a duration remains before an end,
  counted forward from that day (``dates.first_day_within``); :func:`last_day_within` the last
  day on which at least a duration remains (``dates.last_day_within``);
- :func:`fraction_point`: the first day on which num/den of the whole is served, rounded up
  (``dates.fraction_point``).

Beside them, whether a result rests on the month's-last-day convention (``dates.*_relies``,
review 19): :func:`add_months_relies`, and the days :func:`first_day_within_overflow`,
:func:`last_day_within_overflow` and :func:`months_midpoint_overflow` give where a count landing
on a day that does not exist reaches the first day of the next month (``dates.*_overflow``; the
result relies where they differ; a plain count's is the clamped day + 1 where it relies).

Checked exhaustively against :func:`lexquery.dates.add_months` and
:func:`lexquery.dates.first_day_within` and :func:`lexquery.dates.last_day_within`
(tests/test_columnar_vdates.py).
"""
from __future__ import annotations

from datetime import date

import numpy as np

EPOCH = date(1970, 1, 1).toordinal()


def to_days(d: date) -> int:
    """A ``datetime.date`` as a day number (days since 1970-01-01)."""
    return d.toordinal() - EPOCH


def outside(x, days: np.ndarray) -> np.ndarray:
    """The rows whose day is outside the period ``valid: {from, until}`` of ``x`` (a procedure,
    route or condition of the rule files: evaluate.out_of_period, over day numbers)."""
    out = np.zeros(len(days), dtype=bool)
    if x.valid_from is not None:
        out |= days < to_days(x.valid_from)
    if x.valid_until is not None:
        out |= days > to_days(x.valid_until)
    return out


def before_period(p, days: np.ndarray) -> np.ndarray:
    """The rows whose day is on or after the publication of the text that opens procedure
    ``p``'s period (``valid.published``) and before its ``from`` (engine.in_time.before_period,
    over day numbers); all false without ``published``."""
    pub = getattr(p, "published", None)
    if pub is None or p.valid_from is None:
        return np.zeros(len(days), dtype=bool)
    return (days >= to_days(pub)) & (days < to_days(p.valid_from))


def from_days(n: int) -> date:
    return date.fromordinal(int(n) + EPOCH)


def _civil_dt(days):
    """(year, month, day) through numpy's calendar (any day number)."""
    d = np.asarray(days).astype("datetime64[D]")
    m = d.astype("datetime64[M]")
    y = m.astype("datetime64[Y]")
    year = y.astype(np.int64) + 1970
    month = (m - y).astype(np.int64) + 1
    day = (d - m).astype(np.int64) + 1
    return year, month, day


# The calendar of 1800-01-01 .. 2299-12-31 as tables (built once, from numpy's calendar):
# per day number, its month (months since 1970-01) and its day of the month; per month, its
# first day and its length. A column of dates then costs a few gathers instead of datetime64
# conversions (issue 16: month arithmetic is in every fraction of a sentence). Days or months
# outside the tables take the datetime64 path: the same values. The tables are built from the
# 6,000 months' first days alone (numpy's calendar), each month's days laid out by ``np.repeat``
# — not by :func:`_civil_dt` over the 182,621 days (≈ 0.02 s of CPU in every process that
# screens; tests/test_columnar_vdates.py compares both).
_LO_DAY = date(1800, 1, 1).toordinal() - EPOCH
_HI_DAY = date(2300, 1, 1).toordinal() - EPOCH          # exclusive
_LO_MON = (1800 - 1970) * 12
_HI_MON = (2300 - 1970) * 12                             # exclusive
_TABLES: list = []


def _tables():
    """[month of each day, day of the month of each day, first day of each month, its length]
    (int64 arrays; days from ``_LO_DAY``, months from ``_LO_MON``), built on first use."""
    if not _TABLES:
        first = np.arange(_LO_MON, _HI_MON + 1).astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)
        lengths = np.diff(first)
        ym = np.repeat(np.arange(_LO_MON, _HI_MON, dtype=np.int64), lengths)
        d = np.arange(_HI_DAY - _LO_DAY, dtype=np.int64) - np.repeat(first[:-1] - _LO_DAY, lengths) + 1
        _TABLES.extend([ym, d, first[:-1].copy(), lengths])
    return _TABLES


def _in(days, lo, hi) -> bool:
    return not days.size or (int(days.min()) >= lo and int(days.max()) < hi)


def _month_day(days: np.ndarray):
    """(months since 1970-01, day 1-31) of int64 day numbers."""
    if _in(days, _LO_DAY, _HI_DAY):
        ym, dd, _, _ = _tables()
        i = days - _LO_DAY
        return ym[i], dd[i]
    year, month, day = _civil_dt(days)
    return (year - 1970) * 12 + (month - 1), day


def civil(days: np.ndarray):
    """(year, month 1-12, day 1-31) of day numbers, as int64 arrays."""
    ym, day = _month_day(np.asarray(days, dtype=np.int64))
    y, m = np.divmod(ym, 12)
    return y + 1970, m + 1, day


def add_months(days: np.ndarray, months) -> np.ndarray:
    """``dates.add_months`` element by element: ``months`` an int or an int array."""
    days = np.asarray(days, dtype=np.int64)
    ym, day = _month_day(days)
    total = ym + np.asarray(months, dtype=np.int64)
    if np.ndim(total) and _in(total, _LO_MON, _HI_MON):
        _, _, first_t, len_t = _tables()
        j = total - _LO_MON
        return first_t[j] + np.minimum(day, len_t[j]) - 1
    first = total.astype("datetime64[M]")                    # first day of the target month
    last = ((first + 1).astype("datetime64[D]") - first.astype("datetime64[D]")).astype(np.int64)
    out = first.astype("datetime64[D]").astype(np.int64) + np.minimum(day, last) - 1
    return out


def add_months_relies(days: np.ndarray, months) -> np.ndarray:
    """``dates.add_months_relies`` element by element: the day of the month does not exist in
    the month reached (the count rests on the month's-last-day convention)."""
    days = np.asarray(days, dtype=np.int64)
    ym, day = _month_day(days)
    total = ym + np.asarray(months, dtype=np.int64)
    if np.ndim(total) and _in(total, _LO_MON, _HI_MON):
        return day > _tables()[3][total - _LO_MON]
    return day > _month_first_len(total)[1]


def add_duration(days: np.ndarray, months, ddays, sign: int = 1) -> np.ndarray:
    """``dates.add_duration``: months date to date, then days (``sign`` -1 to subtract)."""
    return add_months(days, sign * np.asarray(months, dtype=np.int64)) + sign * np.asarray(ddays, dtype=np.int64)


def first_day_within(end: np.ndarray, months, ddays) -> np.ndarray:
    """``dates.first_day_within``: the earliest day ``d`` with ``add_duration(d, months, ddays) >=
    end`` (at most that much remains before ``end``, counted forward from ``d``: CPP 716-1) — the
    day counted back, months clamped to the month's end, or the next day when that day falls
    short (end 2026-05-31, three months: 2026-02-28 + 3 months = 2026-05-28, so 2026-03-01)."""
    months = np.asarray(months, dtype=np.int64)
    target = np.asarray(end, dtype=np.int64) - np.asarray(ddays, dtype=np.int64)
    c = add_months(target, -months)
    return c + (add_months(c, months) < target)


def last_day_within(end: np.ndarray, months, ddays) -> np.ndarray:
    """``dates.last_day_within``: the latest day ``d`` with ``add_duration(d, months, ddays) <= end``
    (at least that much remains before ``end``, counted forward from ``d``: CPP 716-1) — the day
    counted back, then up to three days after it that still reach ``end`` (end 2025-02-28, six
    months: 2024-08-28 counted back, 2024-08-31 + 6 months = 2025-02-28, so 2024-08-31)."""
    months = np.asarray(months, dtype=np.int64)
    target = np.asarray(end, dtype=np.int64) - np.asarray(ddays, dtype=np.int64)
    c = add_months(target, -months)
    for _ in range(3):   # non-decreasing: each step only where the previous one moved
        nxt = c + 1
        c = np.where(add_months(nxt, months) <= target, nxt, c)
    return c


def _month_first_len(ym):
    """(first day, length) of the months ``ym`` (months since 1970-01)."""
    first = np.asarray(ym, dtype=np.int64).astype("datetime64[M]")
    f = first.astype("datetime64[D]").astype(np.int64)
    return f, (first + 1).astype("datetime64[D]").astype(np.int64) - f


def first_day_within_overflow(end: np.ndarray, months, ddays, first: np.ndarray) -> np.ndarray:
    """``dates.first_day_within_overflow`` given the day :func:`first_day_within` found
    (``first``): where ``end - ddays`` is the 1st of a month ``M + 1`` and the month ``months``
    before ``M`` is longer than ``M``, the day after ``M``'s length in that month (its count
    overflows to the 1st of ``M + 1``); else ``first``."""
    months = np.asarray(months, dtype=np.int64)
    target = np.asarray(end, dtype=np.int64) - np.asarray(ddays, dtype=np.int64)
    ym, day = _month_day(target)
    _, len_m = _month_first_len(ym - 1)
    first_q, len_q = _month_first_len(ym - 1 - months)
    return np.where((day == 1) & (len_q > len_m), first_q + len_m, np.asarray(first, dtype=np.int64))


def last_day_within_overflow(last: np.ndarray, months) -> np.ndarray:
    """``dates.last_day_within_overflow`` given the day :func:`last_day_within` found (``last``):
    the days before it while their count overflows (at most three)."""
    c = np.asarray(last, dtype=np.int64)
    months = np.asarray(months, dtype=np.int64)
    for _ in range(3):
        c = c - add_months_relies(c, months)
    return c


def fraction_point(start: np.ndarray, end: np.ndarray, num, den) -> np.ndarray:
    """``dates.fraction_point``: start + ceil((end - start) * num / den) days (floor division as
    Python's ``divmod``, for an end before the start too)."""
    start = np.asarray(start, dtype=np.int64)
    total = np.asarray(end, dtype=np.int64) - start
    q, r = np.divmod(total * np.asarray(num, dtype=np.int64), np.asarray(den, dtype=np.int64))
    return start + q + (r != 0)


def months_and_days(a: np.ndarray, b: np.ndarray):
    """``dates.months_and_days``: the span from ``a`` to ``b`` (a <= b) de quantième en
    quantième — whole months first, then the days left — as two arrays."""
    a = np.asarray(a, dtype=np.int64)
    b = np.asarray(b, dtype=np.int64)
    m = _month_day(b)[0] - _month_day(a)[0]
    over = (m > 0) & (add_months(a, m) > b)   # one month less is always enough: it ends before b's month
    m = m - over
    return m, b - add_months(a, m)


def _ge(x, y):
    return (x[0] > y[0]) | ((x[0] == y[0]) & (x[1] >= y[1]))


def months_midpoint(start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """``dates.months_midpoint``: the first day on which the time served is at least the time
    left, both counted months then days (CPP 716-1), from the mid-point in days."""
    start = np.asarray(start, dtype=np.int64)
    end = np.asarray(end, dtype=np.int64)
    d = fraction_point(start, end, 1, 2)   # a new array: moved in place below
    # each step on the rows the step before moved only: a row that did not move keeps its day,
    # so the next step would find it the same (the days off the mid-point in days: one or two)
    act = np.arange(len(d))
    while len(act):   # back while the day before still has served >= left
        s, x = start[act], d[act] - 1
        act = act[(x >= s) & _ge(months_and_days(s, x), months_and_days(x, end[act]))]
        d[act] -= 1
    act = np.arange(len(d))
    while len(act):   # on while served < left
        x, e = d[act], end[act]
        act = act[(x < e) & ~_ge(months_and_days(start[act], x), months_and_days(x, e))]
        d[act] += 1
    return d


def _overflow_md(a, b):
    """``dates._months_and_days_overflow``: the span months then days, a clamped month count
    reaching the next month's first day — the same months if that day is on or before ``b``,
    else one month fewer."""
    m, _ = months_and_days(a, b)
    rel = (m > 0) & add_months_relies(a, m)
    over = rel & (add_months(a, m) + 1 > b)
    m = m - over
    return m, b - (add_months(a, m) + (rel & ~over))


def months_midpoint_overflow(start: np.ndarray, end: np.ndarray, mid: np.ndarray) -> np.ndarray:
    """``dates.months_midpoint_overflow`` given the day :func:`months_midpoint` found (``mid``): the
    earliest day before it, back to the first whose served months fall two short of the left
    ones, where the overflow comparison holds; else ``mid`` where it holds there; else the first
    day after it where it holds (``end`` at most).

    Only the 29th-31st of the months of ``mid`` and the two before it (the window back is under
    two months) are tried before ``mid``, whatever the start: the clamped comparison fails on every
    day before ``mid`` (served grows with the day, left does not), an overflow count is never more
    than the clamped one (:func:`_overflow_md`: a day or a month fewer where it relies), so the
    overflow comparison can hold there only where the time *left* counts fewer — a count from that
    day relying on the convention, which needs its day of the month to be missing from a later
    month: a 29th, 30th or 31st. At ``mid`` the overflow comparison can fail only where the served
    count relies (a start on a 29th-31st: the time left counting fewer only helps it hold); from
    there on day by day.
    Checked against the first day tried one by one (tests/test_dates_month_end.py)."""
    s = np.asarray(start, dtype=np.int64)
    e = np.asarray(end, dtype=np.int64)
    r = np.asarray(mid, dtype=np.int64)
    found = np.zeros(len(r), dtype=bool)
    best = r.copy()
    ym = _month_day(r)[0]
    for k in (2, 1, 0):   # the earliest first: the first day found is the earliest
        first, length = _month_first_len(ym - k)
        for day in (29, 30, 31):
            d = first + day - 1
            cand = np.flatnonzero(~found & (day <= length) & (d < r) & (d >= s))
            if not len(cand):
                continue
            x, ss, ee = d[cand], s[cand], e[cand]
            near = months_and_days(ss, x)[0] > months_and_days(x, ee)[0] - 2
            cand, x, ss, ee = cand[near], x[near], ss[near], ee[near]
            hit = _ge(_overflow_md(ss, x), _overflow_md(x, ee))
            best[cand[hit]] = x[hit]
            found[cand[hit]] = True
    # not found before: mid, unless the overflow comparison fails there (then on, day by day)
    on = np.flatnonzero(~found & (_month_day(s)[1] >= 29) & (r < e))
    if len(on):
        x, ss, ee = r[on], s[on], e[on]
        fails = ~_ge(_overflow_md(ss, x), _overflow_md(x, ee))
        on = on[fails]
        act = np.arange(len(on))
        x = best[on]
        while len(act):
            x[act] += 1
            xa, ea = x[act], e[on][act]
            act = act[(xa < ea) & ~_ge(_overflow_md(s[on][act], xa), _overflow_md(xa, ea))]
        best[on] = x
    return best
