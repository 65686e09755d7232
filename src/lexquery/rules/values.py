"""Three-valued values for rule evaluation (Kleene's strong logic).

``UNKNOWN`` is a fact that is not known (absent or null in the case): it is never
false. ``None`` is an explicit "none" (e.g. ``safety_period_end: "none"``, or "no
time limit"). Every operator propagates UNKNOWN unless the known operands settle
the result (``False and UNKNOWN`` is False; ``True or UNKNOWN`` is True).
"""
from __future__ import annotations


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
