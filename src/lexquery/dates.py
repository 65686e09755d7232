"""Dates and durations as French criminal procedure counts them.

CPP 716-1: « La peine d'un jour d'emprisonnement est de vingt-quatre heures. Celle
d'un mois est de trente jours. Celle de plus d'un mois se calcule de quantième en
quantième. » — months are counted from date to date (:func:`add_months`); a date
that does not exist in the target month (31 → 30 February) falls on the month's
last day. Durations are ISO 8601 (``P3Y``, ``P18M``, ``P2Y6M``, ``P10D``) or
``life`` (réclusion / détention criminelle à perpétuité).
"""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

_DURATION = re.compile(r"^P(?:([0-9]+)Y)?(?:([0-9]+)M)?(?:([0-9]+)W)?(?:([0-9]+)D)?$")   # ASCII digits only
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")

DATE_MIN = date(1900, 1, 1)
"""Earliest date accepted. A living detainee's birth date, a judgment or a start of
execution is later; earlier is a typing mistake (``0202-01-01``) or a placeholder."""
DATE_MAX = date(2199, 12, 31)
"""Latest date accepted. No end of sentence, safety period or evaluation date reaches it;
``9999-12-31`` as "no end" is a placeholder, not a date (unknown is ``null``)."""
DATE_RANGE = f"entre {DATE_MIN.isoformat()} et {DATE_MAX.isoformat()}"
DATE_RANGE_EN = f"between {DATE_MIN.isoformat()} and {DATE_MAX.isoformat()}"


@dataclass(frozen=True, order=True)
class Duration:
    """A length of sentence: whole months plus days (ordered months first)."""
    months: int = 0
    days: int = 0

    @property
    def is_life(self) -> bool:
        return self.months >= LIFE_MONTHS

    def iso(self) -> str:
        if self.is_life:
            return "life"
        y, m = divmod(self.months, 12)
        out = "P" + (f"{y}Y" if y else "") + (f"{m}M" if m else "") + (f"{self.days}D" if self.days else "")
        return out if out != "P" else "P0D"

    def __str__(self) -> str:
        return self.iso()


LIFE_MONTHS = 10 ** 6
LIFE = Duration(LIFE_MONTHS, 0)


def parse_duration(text: str) -> Duration:
    """Parse an ISO 8601 duration of years/months/weeks/days, or ``life``."""
    if text == "life":
        return LIFE
    m = _DURATION.match(text or "")
    if not m or text == "P":
        raise ValueError(f"durée ISO 8601 invalide : {text!r}")
    y, mo, w, d = (int(g) if g else 0 for g in m.groups())
    return Duration(12 * y + mo, 7 * w + d)


def parse_date(text: str) -> date:
    """Parse an ISO 8601 calendar date (YYYY-MM-DD, ASCII digits)."""
    if not isinstance(text, str) or not _DATE.fullmatch(text):
        raise ValueError(f"date ISO 8601 invalide : {text!r}")
    return date.fromisoformat(text)


def check_day(d: date) -> date:
    """``d`` if within :data:`DATE_MIN` .. :data:`DATE_MAX`; ValueError with a French message otherwise."""
    if not DATE_MIN <= d <= DATE_MAX:
        raise ValueError(f"date hors de la période traitée ({DATE_RANGE}) : {d.isoformat()}")
    return d


def parse_day(text: str) -> date:
    """A date given by a person (``--as-of``, ``?as_of=``): ISO 8601 and within
    :data:`DATE_MIN` .. :data:`DATE_MAX` (:func:`check_day`); ValueError otherwise."""
    return check_day(parse_date(text))


_MONTH_DAYS = (0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def add_months(d: date, months: int) -> date:
    """Count months de quantième en quantième (CPP 716-1); clamp to the month's end."""
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    day = d.day
    if day > 28:   # only then can the day fall outside the target month
        last = 29 if month == 2 and calendar.isleap(year) else _MONTH_DAYS[month]
        if day > last:
            day = last
    return date(year, month, day)


def add_months_relies(d: date, months: int) -> bool:
    """Whether ``add_months(d, months)`` rests on the month's-last-day convention: the day of
    ``d`` does not exist in the month reached (31 + 1 month → 28 or 29 February).

    The test of « relies » for every month count of this module: under the other reading, where
    a count landing on a day that does not exist reaches the first day of the next month
    (:func:`add_months_overflow`; CPP 716-1 says nothing of it; CPC art. 641 al. 2 puts it on
    the month's last day for time limits), the result would differ (review 19)."""
    if d.day <= 28:
        return False
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    return d.day > (29 if month == 2 and calendar.isleap(year) else _MONTH_DAYS[month])


def add_months_overflow(d: date, months: int) -> date:
    """``add_months`` under the other reading of a count landing on a day that does not exist:
    the first day of the next month (« 29 February 2023 » → 1 March 2023; 31 April → 1 May) —
    the day after the month's last day :func:`add_months` gives, where the count relies
    (:func:`add_months_relies`), else the same day. CPP 716-1 chooses neither; the month's last
    day is the base answer (CPC art. 641 al. 2), this one the other end of the plausible range,
    used by engine/verify.py to test whether an outcome depends on the convention (review 19;
    not « unknown », which would list it where no plausible day changes the outcome — a person
    born 29 February whose seventieth birthday is decades past the end of the sentence)."""
    r = add_months(d, months)
    return r + timedelta(days=1) if add_months_relies(d, months) else r


def add_duration(d: date, dur: Duration, sign: int = 1) -> date:
    """Date plus (or minus) a duration: months date to date, then days."""
    return add_months(d, sign * dur.months) + timedelta(days=sign * dur.days)


def add_duration_relies(d: date, dur: Duration, sign: int = 1) -> bool:
    """Whether ``add_duration(d, dur, sign)`` rests on the month's-last-day convention: its
    month count does (:func:`add_months_relies`; the days after it are counted in days)."""
    return add_months_relies(d, sign * dur.months)


def add_duration_overflow(d: date, dur: Duration, sign: int = 1) -> date:
    """``add_duration`` whose month count lands, on a day that does not exist, on the first day
    of the next month (:func:`add_months_overflow`; « 31 February » counted back from 31 May →
    1 March), then the days."""
    return add_months_overflow(d, sign * dur.months) + timedelta(days=sign * dur.days)


def first_day_within(end: date, dur: Duration) -> date:
    """The first day on which at most ``dur`` remains before ``end``: the earliest day ``d``
    with ``add_duration(d, dur) >= end``.

    CPP 716-1: « Celle de plus d'un mois se calcule de quantième en quantième. » A remainder is
    a length that runs from the day considered to ``end``, so it is counted forward from that
    day (independent review 18, notes point 9): on day ``d`` at most three months remain iff
    ``d + 3 months >= end``. Counting back from ``end`` (``add_duration(end, dur, -1)``) and
    putting a day that does not exist on the month's last day is one day early when ``end``'s
    day does not exist ``dur`` earlier: for an end on 2026-05-31 and three months, 2026-02-28
    + 3 months = 2026-05-28 (three months and three days remain); the first day is 2026-03-01
    (2026-06-01 >= 2026-05-31). When the day exists the two agree (end 2026-05-28:
    2026-02-28). The last day on which *at least* ``dur`` remains is :func:`last_day_within`.

    ``add_duration`` is non-decreasing in its day, so the earliest day is the day counted back
    (months clamped to the month's end), or the next day when that one falls short: a clamped
    day ``c`` reaches ``(end - days)`` only if its day of the month was kept."""
    target = end - timedelta(days=dur.days)
    c = add_months(target, -dur.months)
    return c if add_months(c, dur.months) >= target else c + timedelta(days=1)


def first_day_within_overflow(end: date, dur: Duration, first: date | None = None) -> date:
    """:func:`first_day_within` under the overflow reading (:func:`add_months_overflow`): the
    least day ``d`` with ``add_duration_overflow(d, dur) >= end``. An overflowing count reaches
    the first day of a month, one day past the clamped one, so it can reach ``end`` where the
    clamped one falls short only when ``end - dur.days`` is the first day of a month ``M + 1`` and
    the month ``dur.months`` before ``M`` is longer than ``M``: its days past ``M``'s length
    reach « the 29th-31st of M » → the 1st of ``M + 1``; the earliest of them (the day after
    ``M``'s length) is the day. End 2026-03-01, three months: 2025-11-29 (« 29 February 2026 »
    → 1 March) instead of 2025-12-01; end 2026-03-15: 2025-12-15 both ways. ``first``: the day
    :func:`first_day_within` gives, when the caller has it (as ``vdates.first_day_within_overflow``)."""
    if first is None:
        first = first_day_within(end, dur)
    target = end - timedelta(days=dur.days)
    if target.day != 1:
        return first
    y, m = divmod(target.month - 2, 12)   # M: the month before the target's
    ym = (target.year + y, m + 1)
    yq, mq = divmod(ym[1] - 1 - dur.months, 12)   # the month dur.months before M
    q = (ym[0] + yq, mq + 1)
    len_m, len_q = calendar.monthrange(*ym)[1], calendar.monthrange(*q)[1]
    return date(q[0], q[1], len_m + 1) if len_q > len_m else first


def earliest_day_within(end: date, dur: Duration) -> date:
    """The earliest of :func:`first_day_within` and :func:`first_day_within_overflow`: the first
    day on which at most ``dur`` remains before ``end`` under either reading of a day that does not
    exist — a day no reading puts after the first day. For a duty due a time before that first
    day (CPP D147-20: « au moins un mois avant que le reliquat de la peine soit égal à trois
    mois »), so that its deadline is safe when the first day itself rests on the month's-last-day
    convention (review 21, notes § 6.2): end 2026-03-01, three months — 2025-12-01, or 2025-11-29 if
    « 29 February 2026 » is 1 March: 2025-11-29. Rests on no convention."""
    first = first_day_within(end, dur)
    return min(first, first_day_within_overflow(end, dur, first))


def first_day_within_relies(end: date, dur: Duration) -> bool:
    """Whether :func:`first_day_within` rests on the month's-last-day convention: under the
    overflow reading the least day is another (:func:`first_day_within_overflow`: end 2026-03-01,
    three months — the LSC de plein droit's « at most three months » from 2025-12-01, or from
    2025-11-29 if « 29 February » is 1 March). Under the reading where such a count reaches no
    day it never would (the least over the defined days is the same day). Checked over every day
    of 2023-2025 and 0-24 months (tests/test_dates_month_end.py)."""
    first = first_day_within(end, dur)
    return first_day_within_overflow(end, dur, first) != first


def last_day_within(end: date, dur: Duration) -> date:
    """The last day on which at least ``dur`` remains before ``end``: the latest day ``d`` with
    ``add_duration(d, dur) <= end`` — the mirror of :func:`first_day_within`.

    CPP 716-1 counts the remainder forward from the day considered (review 18, notes point 9:
    « six mois restant à la réception R ⇔ R + 6 mois ≤ fin »). Counting back from ``end``
    (``add_duration(end, dur, -1)``) keeps ``end``'s day of the month, or the month's last day
    when it does not exist: that day is right, but when ``end`` is the last day of a short month
    the longer month before has later days that also reach it forward — for an end on
    2025-02-28 and six months, 2024-08-28 counted back, yet 2024-08-31 + 6 months = 2025-02-28
    (the day clamped to February's end): on 29, 30 and 31 August six months still remain.
    When the month counted back has no day after the one reached that still reaches ``end``
    (end 2026-08-31, six months: 2026-02-28, February's last day — R18-35), the two agree.

    ``add_months`` is non-decreasing in its day: the days after the one counted back are tried
    in turn (at most three: a month is at most three days longer than another)."""
    target = end - timedelta(days=dur.days)
    c = add_months(target, -dur.months)
    nxt = c + timedelta(days=1)
    while add_months(nxt, dur.months) <= target:
        c, nxt = nxt, nxt + timedelta(days=1)
    return c


def last_day_within_overflow(end: date, dur: Duration) -> date:
    """:func:`last_day_within` under the overflow reading (:func:`add_months_overflow`): the
    greatest day ``d`` with ``add_duration_overflow(d, dur) <= end`` — the day found, or the days
    before it while their count overflows (at most three: 31, 30, 29 → 28 August for an end on
    28 February). The same day as under the reading where such a count reaches no day (the
    greatest day whose count is defined): the day found relies only when it is the last of its
    month and ``end - dur.days`` the last day ``L`` of the month reached (else the day after it
    would reach ``L`` or ``L + 1`` too), so every overflowing day before it reaches ``L + 1 > end``
    — checked over every day of 2023-2025 and 0-24 months (tests/test_dates_month_end.py)."""
    d = last_day_within(end, dur)
    while add_months_relies(d, dur.months):
        d -= timedelta(days=1)
    return d


def last_day_within_relies(end: date, dur: Duration) -> bool:
    """Whether :func:`last_day_within` rests on the month's-last-day convention: the greatest
    ``d`` with ``d + dur <= end`` is a day whose count was clamped — then the greatest over the
    days whose count is defined is an earlier day (:func:`last_day_within_overflow`; review 18:
    end 2025-02-28, six months, 2024-08-31, whose six months reach 28 February only by that
    convention; without it, 2024-08-28). Otherwise the days after it all overshoot or are
    undefined, and the result stands."""
    return add_months_relies(last_day_within(end, dur), dur.months)


def months_and_days(a: date, b: date) -> tuple[int, int]:
    """The span from ``a`` to ``b`` (a <= b) counted de quantième en quantième (CPP 716-1):
    whole months first (:func:`add_months`), then the days left."""
    m = (b.year - a.year) * 12 + (b.month - a.month)
    while m > 0 and add_months(a, m) > b:
        m -= 1
    return m, (b - add_months(a, m)).days


def months_midpoint(start: date, end: date) -> date:
    """First day on which the time served is at least the time left, both counted de
    quantième en quantième (CPP 716-1: months, then days) instead of in days
    (:func:`fraction_point`). The two readings of CPP 729 al. 8 can differ by a day or two
    (a sentence of 1 year 10 months from 15 January: 11 months each way on 15 December, in
    days 334 against 335); on random spans they differ in about half the cases, by up to two
    days either way. The texts do not say which one the greffe uses."""
    d = fraction_point(start, end, 1, 2)
    one = timedelta(days=1)
    while d > start and months_and_days(start, d - one) >= months_and_days(d - one, end):
        d -= one
    while d < end and months_and_days(start, d) < months_and_days(d, end):
        d += one
    return d


def _months_and_days_overflow(a: date, b: date) -> tuple[int, int]:
    """:func:`months_and_days` where a month count landing on a day that does not exist reaches
    the first day of the next month (:func:`add_months_overflow`): the greatest count that
    reaches a day on or before ``b`` — the clamped count when its overflow day is still on or
    before ``b`` (31 January → 1 March: one month, no day), else one month fewer (the one before
    a clamped count is never clamped: every short month follows a month of 31 days)."""
    m, _ = months_and_days(a, b)
    if m and add_months_relies(a, m):
        reached = add_months(a, m) + timedelta(days=1)
        if reached <= b:
            return m, (b - reached).days
        m -= 1
    return m, (b - add_months(a, m)).days


def months_midpoint_overflow(start: date, end: date, mid: date | None = None) -> date:
    """:func:`months_midpoint` under the overflow reading (:func:`_months_and_days_overflow`): the
    first day ``d`` of ``start`` .. ``end`` with served >= left, ``end`` when none.

    Found from the day :func:`months_midpoint` gives (``r``): an overflow count is at most the
    clamped one and at most one month fewer, both ways, so the comparison can hold only on a day
    whose served months are at least the left months less one: the days before ``r`` are tried
    back to the first where the served months fall two short of the left ones (going back, the
    served months only fall, the left months only rise), the earliest that holds is the day; else
    ``r`` if it holds there, else the first day after ``r`` that holds. Checked against every day
    tried in turn (tests/test_dates_month_end.py). (The branch monthmark's strict reading — such
    a count reaches no day, so one month fewer — gave another day on about a fifth of random
    spans starting on a month end; this one is kept: the reading verify tries.) ``mid``: the day
    :func:`months_midpoint` gives, when the caller has it (as ``vdates.months_midpoint_overflow``)."""
    r = months_midpoint(start, end) if mid is None else mid
    one = timedelta(days=1)
    found = None
    d = r - one
    # before r the clamped comparison fails (served grows with the day, left does not) and an
    # overflow count is never more than the clamped one: the overflow comparison can hold there
    # only where the time left counts fewer — a count from a 29th-31st relying on the convention;
    # the other days need no trying
    while d >= start:
        if d.day < 29:
            d -= one
            continue
        if months_and_days(start, d)[0] <= months_and_days(d, end)[0] - 2:
            break
        if _months_and_days_overflow(start, d) >= _months_and_days_overflow(d, end):
            found = d
        d -= one
    if found is not None:
        return found
    d = r
    while d < end and _months_and_days_overflow(start, d) < _months_and_days_overflow(d, end):
        d += one
    return d


def months_midpoint_relies(start: date, end: date) -> bool:
    """Whether :func:`months_midpoint` rests on the month's-last-day convention: under the
    overflow reading its first day is another (:func:`months_midpoint_overflow`)."""
    mid = months_midpoint(start, end)
    return months_midpoint_overflow(start, end, mid) != mid


def fraction_point(start: date, end: date, num: int, den: int) -> date:
    """First day on which the part served is at least num/den of the whole.

    Served on day d is (d - start), the remainder (end - d); ``served >= remaining``
    (CPP 729) is the 1/2 point, ``served >= 2 x remaining`` (CPP 720 I) the 2/3 point.
    Rounded up to the next whole day, never early.
    """
    total = (end - start).days
    q, r = divmod(total * num, den)
    return start + timedelta(days=q + (1 if r else 0))
