"""Three-valued values for rule evaluation (Kleene's strong logic).

``UNKNOWN`` is a fact that is not known (absent or null in the case): it is never
false. ``None`` is an explicit "none" (e.g. ``safety_period_end: "none"``, or "no
time limit"). Every operator propagates UNKNOWN unless the known operands settle
the result (``False and UNKNOWN`` is False; ``True or UNKNOWN`` is True).

:func:`arith3` is the only arithmetic of the rules: a date plus or minus a duration, counted
date to date (CPP 716-1, :func:`lexquery.dates.add_duration`), or integers.
"""
from __future__ import annotations

from datetime import date

from ..dates import Duration, add_duration
from ..errors import RuleError


class _Unknown:
    __slots__ = ()

    def __repr__(self) -> str:
        return "UNKNOWN"

    def __bool__(self) -> bool:  # guard against accidental truth tests
        raise TypeError("UNKNOWN has no truth value: use the three-valued operators")


UNKNOWN = _Unknown()


def is_unknown(v) -> bool:
    return v is UNKNOWN


def and3(values) -> object:
    unknown = False
    for v in values:
        if v is UNKNOWN:
            unknown = True
        elif not v:
            return False
    return UNKNOWN if unknown else True


def or3(values) -> object:
    unknown = False
    for v in values:
        if v is UNKNOWN:
            unknown = True
        elif v:
            return True
    return UNKNOWN if unknown else False


def not3(v) -> object:
    return UNKNOWN if v is UNKNOWN else (not v)


def arith3(x, y, sign: int, where: str) -> object:
    """``x + y`` (``sign`` 1) or ``x - y`` (-1): UNKNOWN if either is, None if either is none."""
    if x is UNKNOWN or y is UNKNOWN:
        return UNKNOWN
    if x is None or y is None:
        return None
    if isinstance(x, date) and isinstance(y, Duration):
        return add_duration(x, y, sign)
    if isinstance(x, int) and isinstance(y, int):
        return x + sign * y
    raise RuleError(f"opération impossible entre {x!r} et {y!r}", where=where)
