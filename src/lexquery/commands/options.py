"""Options shared by several commands: a date given on the command line (``--as-of``, ``--at``)."""
from __future__ import annotations

from datetime import date

from ..dates import DATE_RANGE, parse_day
from ..errors import UsageError


def date_option(text: str | None, option: str = "--as-of") -> date | None:
    """The date of ``option`` (None when not given): ISO 8601 within the dates the engine
    computes with (:data:`lexquery.dates.DATE_MIN` .. :data:`~lexquery.dates.DATE_MAX`);
    a :class:`UsageError` (exit 2) saying what was expected otherwise."""
    if not text:
        return None
    try:
        return parse_day(text)
    except ValueError:
        raise UsageError(f"date invalide pour {option} : {text!r}",
                         expected=f"AAAA-MM-JJ {DATE_RANGE}, ex. 2026-12-01") from None
