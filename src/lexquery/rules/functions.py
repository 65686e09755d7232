"""Generic functions available to rule expressions.

Only generic operations live here: date arithmetic (CPP 716-1, see ``dates.py``),
min/max, and look-ups into the reference data (EU membership, treaty Parties,
bilateral conventions, the circular's consular list) whose facts and sources are
in ``reference/``. Each look-up records its evidence on the environment so that
the answer cites it; an unknown reference fact yields UNKNOWN and an open question.
"""
from __future__ import annotations

import functools
from datetime import date

from ..dates import (Duration, add_duration, add_duration_overflow, add_duration_relies, add_months,
                     add_months_overflow, add_months_relies, earliest_day_within, first_day_within,
                     first_day_within_overflow,
                     fraction_point, last_day_within, last_day_within_overflow, months_midpoint,
                     months_midpoint_overflow)
from .values import UNKNOWN


def _unknown_in(*args):
    return UNKNOWN in args  # identity first: no value compares equal to UNKNOWN


MONTH_END = "law:month_end"
"""The evidence a month count records when its result rests on the month's-last-day convention
(``dates.add_months_relies`` …): a day that does not exist in the month reached is that month's
last day — inferred ([I]): CPP 716-1 does not say it, CPC art. 641 al. 2 gives it for procedural
time limits (review 19). engine/verify.py lists it under ``to_verify`` when the outcome depends on
it (the other reading's value in its place — a day that does not exist is the next month's
first day: :func:`month_end`)."""
_MONTH_END_NOTE = ("date comptée au dernier jour du mois, le quantième n'existant pas dans le mois atteint : "
                   "l'art. 716-1 du CPP ne le dit pas, l'art. 641 al. 2 du CPC donne cette règle pour les délais "
                   "— à vérifier")
_MONTH_END_NOTE_EN = ("date counted to the month's last day, as the day does not exist in the month reached: "
                      "CPP 716-1 does not say so, CPC art. 641 al. 2 gives that rule for time limits — to verify")


@functools.cache
def month_end_fact():
    """The evidence ``law:month_end``: true, marked I, citing CPP 716-1 (one object)."""
    from ..kb.reference import Fact
    return Fact(True, ("CPP 716-1",), _MONTH_END_NOTE, "I", (), ("CPP 716-1",), _MONTH_END_NOTE_EN)


def month_end(env, relies: bool) -> bool:
    """Record that a month count rests on the month's-last-day convention (``relies``) and say
    whether its result is to be the other reading's instead — where a count landing on a day
    that does not exist reaches the first day of the next month (``dates.add_months_overflow``:
    « 29 February 2023 » → 1 March, 31 April → 1 May; ``dates.*_overflow`` for
    ``first_day_within``, ``last_day_within`` and ``months_midpoint``) — when engine/verify.py
    has replaced the convention (``env.overrides``), to test whether the outcome depends on it:
    the base answer and the rerun are the two ends of the plausible range. Not « unknown »: an
    unknown count would list the entry where no plausible day changes the outcome (a person born
    29 February whose seventieth birthday, 28 February or 1 March, is decades past the end of the
    sentence; a sentence started on 29 February compared with a mid-sentence years later)."""
    if not relies:
        return False
    ov = env.overrides
    if ov and MONTH_END in ov:
        env.record_evidence(MONTH_END, ov[MONTH_END])
        return True
    env.record_evidence(MONTH_END, month_end_fact())
    return False


def _or_other_reading(env, r, alt):
    """``r``, a day found by counting months, or ``alt``, the day the other reading finds, where
    they differ and engine/verify.py has replaced the convention (:func:`month_end`)."""
    return alt if month_end(env, alt != r) else r


def f_add_months(env, d, n):
    if _unknown_in(d, n):
        return UNKNOWN
    if d is None:
        return None
    return add_months_overflow(d, n) if month_end(env, add_months_relies(d, n)) else add_months(d, n)


def f_add_years(env, d, n):
    return f_add_months(env, d, None if n is None else (UNKNOWN if n is UNKNOWN else 12 * n))


def f_add_days(env, d, n):
    from datetime import timedelta
    if _unknown_in(d, n):
        return UNKNOWN
    return None if d is None else d + timedelta(days=n)


def f_add(env, d, dur):
    """Date plus a duration (months de quantième en quantième)."""
    if _unknown_in(d, dur):
        return UNKNOWN
    if d is None or dur is None:
        return None
    return add_duration_overflow(d, dur) if month_end(env, add_duration_relies(d, dur)) else add_duration(d, dur)


def f_minus(env, d, dur):
    """``d`` less ``dur``, counted back de quantième en quantième (CPP 716-1), a day that does not
    exist put on the month's last day. For whole months (``dur.days`` 0) that day is the greatest
    ``x`` with ``x + dur <= d`` under either reading of a forward count (the month's last day, or
    the next month's first day: ``dates.last_day_within_overflow``, checked over every day of
    2023-2028 for 1-24 and 36 months, tests/test_dates_month_end.py) — the latest day at least
    ``dur`` before ``d`` that rests on no convention (lc_expulsion's D147-20 ``info_by``): it
    records nothing and engine/verify.py's other reading leaves it as it is. With days as well
    (2025-03-01 less one month and a day: 2025-01-31, whose count forward reaches 28 February only
    by the convention) it records ``law:month_end`` and, replaced, counts « 31 February » as
    1 March."""
    if _unknown_in(d, dur):
        return UNKNOWN
    if d is None or dur is None:
        return None
    if dur.days and month_end(env, add_duration_relies(d, dur, -1)):   # « 31 February » counted back → 1 March
        return add_duration_overflow(d, dur, -1)
    return add_duration(d, dur, -1)


def f_first_day_within(env, end, dur):
    """The first day on which at most ``dur`` remains before ``end``, the remainder counted
    forward from the day considered (``dates.first_day_within``, CPP 716-1) — for « reliquat
    inférieur ou égal à … » in a ``from:``; :func:`f_last_day_within` the last day on which at
    least ``dur`` remains. Records ``law:month_end`` when the day rests on the month's-last-day
    convention (``dates.first_day_within_relies``: end 2026-03-01, three months — 2025-12-01, or
    2025-11-29 if « 29 February 2026 » is 1 March)."""
    if _unknown_in(end, dur):
        return UNKNOWN
    if end is None or dur is None:
        return None
    r = first_day_within(end, dur)
    # replaced (engine/verify.py): the least day under the overflow reading
    return _or_other_reading(env, r, first_day_within_overflow(end, dur, r))


def f_earliest_day_within(env, end, dur):
    """``dates.earliest_day_within``: the first day on which at most ``dur`` remains before
    ``end`` under either reading of a day that does not exist — the day a duty due before it is
    counted from (CPP D147-20's information, lc_expulsion ``info_by``). Records nothing: no
    reading puts it later (review 21, notes § 6.2)."""
    if _unknown_in(end, dur):
        return UNKNOWN
    if end is None or dur is None:
        return None
    return earliest_day_within(end, dur)


def f_last_day_within(env, end, dur):
    """The last day on which at least ``dur`` remains before ``end``, the remainder counted
    forward from the day considered (``dates.last_day_within``, CPP 716-1) — for « au moins six
    mois restant à subir » in an ``until:``. Records ``law:month_end`` when the day rests on the
    month's-last-day convention (``dates.last_day_within_relies``: end 2025-02-28, six months)."""
    if _unknown_in(end, dur):
        return UNKNOWN
    if end is None or dur is None:
        return None
    r = last_day_within(end, dur)
    # replaced (engine/verify.py): the greatest day under the overflow reading (dates.last_day_within_overflow)
    return last_day_within_overflow(end, dur) if month_end(env, add_months_relies(r, dur.months)) else r


def f_fraction_point(env, start, end, num, den):
    if _unknown_in(start, end, num, den):
        return UNKNOWN
    return fraction_point(start, end, num, den)


def f_months_midpoint(env, start, end):
    """The mid-sentence counted de quantième en quantième (``dates.months_midpoint``); records
    ``law:month_end`` when that day rests on the month's-last-day convention
    (``dates.months_midpoint_relies``)."""
    if _unknown_in(start, end):
        return UNKNOWN
    if start is None or end is None:
        return None
    r = months_midpoint(start, end)
    # replaced (engine/verify.py): the first day under the overflow reading
    return _or_other_reading(env, r, months_midpoint_overflow(start, end, r))


def f_min(env, *xs):
    """Smallest known value; ``none`` (no limit) is ignored; any UNKNOWN → UNKNOWN."""
    if _unknown_in(*xs):
        return UNKNOWN
    xs = [x for x in xs if x is not None]
    return min(xs) if xs else None


def f_max(env, *xs):
    if _unknown_in(*xs):
        return UNKNOWN
    xs = [x for x in xs if x is not None]
    return max(xs) if xs else None


def f_is_life(env, dur):
    if dur is UNKNOWN:
        return UNKNOWN
    return isinstance(dur, Duration) and dur.is_life


def f_count(env, xs):
    return UNKNOWN if xs is UNKNOWN else len(xs or [])


def _ref_fact(env, name, fact):
    ov = getattr(env, "overrides", None)
    if ov and name in ov:  # engine/verify.py: would the answer change were this fact unknown?
        fact = ov[name]
    env.record_evidence(name, fact)
    return UNKNOWN if fact.value is None else fact.value


def _lookup(env, key, compute):
    """A reference look-up, once per reference data, question and date: the answers of the
    reference data are functions of the State and the date (``kb/reference.py``)."""
    ref = env.ref
    try:
        cache = ref.__dict__["_lookups"]
    except KeyError:
        cache = ref.__dict__["_lookups"] = {}
    except AttributeError:  # a reference object without a __dict__: no cache
        return compute()
    k = (key, env.as_of)
    fact = cache.get(k, _MISS)
    if fact is _MISS:   # None is an answer too (no entry into force after the date): kept
        if len(cache) >= _LOOKUPS_MAX:   # one entry per (question, date): bounded all the same
            cache.clear()
        fact = cache[k] = compute()
    return fact


_MISS = object()
_LOOKUPS_MAX = 200_000


def _ref(env, name, compute):
    """``_ref_fact(env, name, _lookup(env, name, compute))`` in one call (the look-ups of a
    screening run by the hundred thousand)."""
    try:
        cache = env.ref.__dict__["_lookups"]
    except (KeyError, AttributeError):
        return _ref_fact(env, name, _lookup(env, name, compute))
    k = (name, env.as_of)
    fact = cache.get(k, _MISS)
    if fact is _MISS:
        if len(cache) >= _LOOKUPS_MAX:
            cache.clear()
        fact = cache[k] = compute()
    ov = env.overrides
    if ov and name in ov:  # engine/verify.py: would the answer change were this fact unknown?
        fact = ov[name]
    env.record_evidence(name, fact)
    return UNKNOWN if fact.value is None else fact.value


def f_eu_member(env, state):
    if state is UNKNOWN or state is None:
        return UNKNOWN
    name = f"eu_member({state})"
    return _ref(env, name, (lambda: env.ref.eu_member(state, env.as_of)))


def f_fd_applies(env, state):
    if state is UNKNOWN or state is None:
        return UNKNOWN
    name = f"fd_applies({state})"
    return _ref(env, name, (lambda: env.ref.fd_2008_909_applies(state, env.as_of)))


def _from_day(env, binds, key, later):
    """What a ``from:`` condition reads of a tie between France and a State (``binds``: the
    look-up on the date — ``fd_applies``, ``party``, ``bilateral``): ``none`` when it binds on
    the date, unknown when that is unknown, else the later day ``later()`` gives (looked up once
    per ``key`` and date), or ``false`` when no such day is known."""
    if binds is UNKNOWN or binds is True:
        return UNKNOWN if binds is UNKNOWN else None
    d = _lookup(env, key, later)
    return d if d is not None else False


def f_fd_from(env, state):
    """The day from which FD 2008/909 applies between France and ``state``, for a ``from:``
    condition — as :func:`f_party_from` for a treaty: ``none`` when it applies on the date,
    the day it will apply when the reference data gives one after the date (pending: the
    procedure applies later), ``false`` when it does not apply and no such day is known,
    unknown when its status is unknown. Reads ``fd_applies(...)`` (its evidence, and the
    overrides of engine/verify.py)."""
    return _from_day(env, f_fd_applies(env, state), f"fd_entry_after({state})",
                     lambda: env.ref.fd_entry_after(state, env.as_of))


def f_fd_until(env, state):
    """The last day FD 2008/909 applies between France and ``state``, for an ``until:``
    condition (eu_recognition's last day of use): the day the reference data gives when it
    applies on the date and stops applying after a known day (``reference.fd_last_day``: the
    United Kingdom, 2020-12-31); ``none`` (no date constraint) when no end is known, or when it
    does not apply (the ``from: fd_from(state)`` condition says why); unknown when whether it
    applies is unknown. Reads ``fd_applies(...)`` (its evidence, and the overrides of
    engine/verify.py)."""
    applies = f_fd_applies(env, state)
    if applies is not True:
        return UNKNOWN if applies is UNKNOWN else None
    return _lookup(env, f"fd_last_day({state})", lambda: env.ref.fd_last_day(state, env.as_of))


def f_party(env, treaty, state):
    if state is UNKNOWN or state is None:
        return UNKNOWN
    name = f"party({treaty},{state})"
    return _ref(env, name, (lambda: env.ref.party(treaty, state, env.as_of)))


def f_bilateral(env, state):
    if state is UNKNOWN or state is None:
        return UNKNOWN
    name = f"bilateral({state})"
    return _ref(env, name, (lambda: env.ref.bilateral_convention(state, env.as_of)))


def f_party_from(env, treaty, state):
    """The day from which ``treaty`` binds France and ``state``, for a ``from:`` condition:
    ``none`` when it is in force on the date (no date constraint), the day of its entry into
    force when the reference data gives one after the date (pending: the procedure applies
    later), ``false`` when it is not in force and no such day is known (never, on the
    evidence), unknown when its status is unknown. Reads ``party(...)`` (its evidence, and
    the overrides of engine/verify.py)."""
    return _from_day(env, f_party(env, treaty, state), f"party_entry_after({treaty},{state})",
                     lambda: env.ref.party_entry_after(treaty, state, env.as_of))


def f_bilateral_from(env, state):
    """As ``party_from`` for a bilateral transfer convention (``bilateral(...)``)."""
    return _from_day(env, f_bilateral(env, state), f"bilateral_entry_after({state})",
                     lambda: env.ref.bilateral_entry_after(state, env.as_of))


def f_in_force_by(env, treaty, state, day):
    """Is ``treaty`` in force between France and ``state`` on ``day`` (the date of
    evaluation, or a later day: ``from_date``, the first day of use of an answer applicable
    later)? Read through ``party_from``."""
    if day is UNKNOWN:
        return UNKNOWN
    d = f_party_from(env, treaty, state)
    if d is UNKNOWN:
        return UNKNOWN
    if d is None or d is False:
        return d is None
    return day is not None and d <= day


def f_bilateral_terms(env, state):
    """The bilateral convention's own conditions: not encoded, so always unknown — no fact of
    the case settles them; the evidence names the convention (``reference/bilateral.yaml``)
    and the answer lists it under ``to_verify``."""
    if state is UNKNOWN or state is None:
        return UNKNOWN
    name = f"bilateral_terms({state})"
    return _ref(env, name, (lambda: env.ref.bilateral_terms(state, env.as_of)))


def f_not_in_case(env, name, note, note_en=None):
    """A fact the case format does not carry (e.g. the part of a sentence executed before a
    flight): unknown, never a missing fact of the case; recorded as evidence
    ``not_in_case(<name>)`` with the rule's ``note`` so that the answer lists it under
    ``to_verify`` when it could change the outcome (engine/verify.py); ``note_en``, the same
    note in English."""
    from ..kb.reference import Fact
    key = f"not_in_case({name})"
    return _ref_fact(env, key, Fact(None, (), note, None, note_en=note_en))


def f_consular_mandatory(env, state):
    if state is UNKNOWN or state is None:
        return UNKNOWN
    name = f"consular_mandatory({state})"
    return _ref(env, name, (lambda: env.ref.consular_mandatory(state)))


def f_declared_national(env, treaty, state, category):
    """Does ``state``'s declaration under ``treaty`` (STE 112 art. 3.4) count ``category`` as
    its nationals? (reference/declarations.yaml)"""
    if state is UNKNOWN or state is None:
        return UNKNOWN
    name = f"declared_national({treaty},{state},{category})"
    return _ref(env, name, (lambda: env.ref.declared_national(treaty, state, category,
                                                                                     env.as_of)))


FUNCTIONS = {
    "add_months": f_add_months, "add_years": f_add_years, "add_days": f_add_days,
    "plus": f_add, "minus": f_minus, "first_day_within": f_first_day_within, "last_day_within": f_last_day_within, "fraction_point": f_fraction_point,
    "earliest_day_within": f_earliest_day_within,
    "months_midpoint": f_months_midpoint,
    "min": f_min, "max": f_max, "is_life": f_is_life, "count": f_count,
    "eu_member": f_eu_member, "fd_applies": f_fd_applies, "fd_from": f_fd_from, "fd_until": f_fd_until,
    "party": f_party,
    "bilateral": f_bilateral, "consular_mandatory": f_consular_mandatory,
    "declared_national": f_declared_national,
    "party_from": f_party_from, "bilateral_from": f_bilateral_from, "in_force_by": f_in_force_by,
    "bilateral_terms": f_bilateral_terms, "not_in_case": f_not_in_case,
}


def f_field(env, items, name):
    """The values of one field over a list of objects (unknown items are skipped)."""
    if items is UNKNOWN:
        return UNKNOWN
    return [it.get(name) for it in (items or []) if isinstance(it, dict) and it.get(name) is not None]


def f_join(env, xs):
    if xs is UNKNOWN:
        return UNKNOWN
    return " ; ".join(str(x) for x in xs) if xs else UNKNOWN


def _longer(a: Duration, b: Duration):
    """True / False when ``a`` is surely longer than ``b`` (or not), UNKNOWN when that depends
    on the length of the months: a month counts 28 to 31 days from date to date (CPP 716-1)."""
    if a.is_life or b.is_life:
        return a.is_life and not b.is_life
    dm, dd = a.months - b.months, a.days - b.days
    if dm == 0:
        return dd > 0
    low, high = (dm * 28 + dd, dm * 31 + dd) if dm > 0 else (dm * 31 + dd, dm * 28 + dd)
    if low > 0:
        return True
    if high <= 0:
        return False
    return UNKNOWN


def f_heaviest(env, items, name):
    """The items of a list whose length ``name`` is the greatest (several when they tie: the same
    length); UNKNOWN when one length is unknown or two lengths cannot be ordered without a date
    (``P1M`` and ``P30D``). Used for the « quantum le plus élevé » of several convictions."""
    if items is UNKNOWN:
        return UNKNOWN
    items = [it for it in (items or []) if isinstance(it, dict)]
    lengths = [it.get(name) for it in items]
    if any(not isinstance(x, Duration) for x in lengths):
        return UNKNOWN
    best = []
    for it, x in zip(items, lengths):
        beaten = [_longer(y, x) for y in lengths]
        if True in beaten:
            continue
        if UNKNOWN in beaten:
            return UNKNOWN
        best.append(it)
    return best


def f_latest(env, xs):
    """The latest of a list of dates (``none`` when the list is empty); UNKNOWN for an unknown list."""
    if xs is UNKNOWN:
        return UNKNOWN
    xs = [x for x in (xs or []) if isinstance(x, date)]
    return max(xs) if xs else None


def f_law_gap(env, name):
    """A legal quantity read on a date outside every period its text is encoded for
    (``periods:`` of a constant, rules/README.md): unknown — never today's value — and the
    answer says why (evidence ``law:<name>`` with the periods encoded, marked to verify)."""
    info = (getattr(env.book, "periods", None) or {}).get(name) or {}
    from ..kb.reference import Fact
    periods = info.get("periods", [])
    cited = ", ".join(info.get("sources", [])) or name   # what a reader knows it by: its text
    note = (f"la valeur tirée de {cited} n'est encodée que pour les périodes {' ; '.join(periods)} : "
            f"la base ne dit pas sa valeur au {env.as_of}")
    note_en = (f"the value drawn from {cited} is encoded only for the periods "
               f"{'; '.join(p.replace(' : ', ': ') for p in periods)}: "
               f"the knowledge base does not say its value on {env.as_of}")
    if info.get("note"):
        note += f" ({info['note']})"
        note_en += f" ({info.get('note_en') or info['note']})"
    sources = tuple(info.get("sources", []))
    env.record_evidence(f"law:{name}", Fact(None, sources, note, None, (), sources, note_en))
    return UNKNOWN


FUNCTIONS.update({"field": f_field, "join": f_join, "heaviest": f_heaviest, "latest": f_latest,
                  "law_gap": f_law_gap})

# What each function records as evidence (``env.record_evidence``), by the name's head:
# ``party(STE112,MA)`` for party / party_from / in_force_by, ``law:<name>`` for law_gap. The
# value is True when the name's first argument is the function's first argument (a treaty, a
# name), a string when it is always that one (the month counts: ``law:month_end``), else False.
# engine/reads.py reads it to know which conditions cannot read a reference fact that
# engine/verify.py replaces. A function of FUNCTIONS in neither table
# below is taken to read any reference fact.
EVIDENCE = {"eu_member": ("eu_member", False), "fd_applies": ("fd_applies", False), "fd_from": ("fd_applies", False),
            "fd_until": ("fd_applies", False),
            "party": ("party", True), "party_from": ("party", True), "in_force_by": ("party", True),
            "bilateral": ("bilateral", False), "bilateral_from": ("bilateral", False),
            "bilateral_terms": ("bilateral_terms", False), "consular_mandatory": ("consular_mandatory", False),
            "declared_national": ("declared_national", True), "not_in_case": ("not_in_case", True),
            "law_gap": ("law:", True),
            **{fn: ("law:", "month_end") for fn in ("add_months", "add_years", "plus", "minus", "first_day_within",
                                                     "last_day_within", "months_midpoint")}}
NO_EVIDENCE = frozenset({"add_days", "fraction_point", "min", "max", "is_life", "count", "field", "join",
                         "heaviest", "latest"})
