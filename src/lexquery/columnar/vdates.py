"""Dates as vectors: month arithmetic date to date (CPP 716-1) over numpy day numbers.

The columnar back-end (issue 16) holds a column of dates as ``int32`` days since
1970-01-01 (``datetime64[D]`` viewed as integers), with a mask for the cells that are not a
date. The operations here are those of :mod:`lexquery.dates`, element by element:

- :func:`add_months`: « Celle de plus d'un mois se calcule de quantième en quantième »
  (CPP 716-1) — the same day of the month ``n`` months later, on the month's last day when
  that day does not exist (31 → 30 April, 29 February → 28 in a common year);
- :func:`add_duration`: months date to date, then days (``dates.add_duration``);
- :func:`fraction_point`: the first day on which num/den of the whole is served, rounded up
  (``dates.fraction_point``).

Checked exhaustively against :func:`lexquery.dates.add_months` (tests/test_columnar_vdates.py).
"""
from __future__ import annotations

from datetime import date

import numpy as np

EPOCH = date(1970, 1, 1).toordinal()


def to_days(d: date) -> int:
    """A ``datetime.date`` as a day number (days since 1970-01-01)."""
    return d.toordinal() - EPOCH


def from_days(n: int) -> date:
    return date.fromordinal(int(n) + EPOCH)


def civil(days: np.ndarray):
    """(year, month 1-12, day 1-31) of day numbers, as int64 arrays."""
    d = np.asarray(days).astype("datetime64[D]")
    m = d.astype("datetime64[M]")
    y = m.astype("datetime64[Y]")
    year = y.astype(np.int64) + 1970
    month = (m - y).astype(np.int64) + 1
    day = (d - m).astype(np.int64) + 1
    return year, month, day


def add_months(days: np.ndarray, months) -> np.ndarray:
    """``dates.add_months`` element by element: ``months`` an int or an int array."""
    days = np.asarray(days, dtype=np.int64)
    year, month, day = civil(days)
    total = (year - 1970) * 12 + (month - 1) + np.asarray(months, dtype=np.int64)
    first = total.astype("datetime64[M]")                    # first day of the target month
    last = ((first + 1).astype("datetime64[D]") - first.astype("datetime64[D]")).astype(np.int64)
    out = first.astype("datetime64[D]").astype(np.int64) + np.minimum(day, last) - 1
    return out


def add_duration(days: np.ndarray, months, ddays, sign: int = 1) -> np.ndarray:
    """``dates.add_duration``: months date to date, then days (``sign`` -1 to subtract)."""
    return add_months(days, sign * np.asarray(months, dtype=np.int64)) + sign * np.asarray(ddays, dtype=np.int64)


def fraction_point(start: np.ndarray, end: np.ndarray, num, den) -> np.ndarray:
    """``dates.fraction_point``: start + ceil((end - start) * num / den) days (floor division as
    Python's ``divmod``, for an end before the start too)."""
    start = np.asarray(start, dtype=np.int64)
    total = np.asarray(end, dtype=np.int64) - start
    q, r = np.divmod(total * np.asarray(num, dtype=np.int64), np.asarray(den, dtype=np.int64))
    return start + q + (r != 0)
