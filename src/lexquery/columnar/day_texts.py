"""Day numbers as ISO 8601 text (``YYYY-MM-DD``, ISO 8601-1:2019 § 5.2.2.1, the calendar date
the screening CSV writes in ``from``, ``until``, ``routes`` and ``deadlines``;
docs/screening-csv.md), each day formatted once per process.

The cells of dates are built once per distinct day of a batch (:func:`lexquery.columnar.shapes.iso_coded`);
formatting those days (numpy's ``datetime64[D]`` → ``str``, ≈ 0.7 µs a day) was most of that
work, and the same days come back in every batch and every procedure. The texts formatted are
kept by day (at most :data:`KEPT`; then the memory starts again), and only the days not seen yet
are formatted — by numpy, as before: the same texts.
"""
from __future__ import annotations

import numpy as np

KEPT = 1 << 17
"""The most days whose text is kept (≈ 359 years of days; ≈ 15 MB at most)."""

_texts: dict = {}


def _format(days: np.ndarray) -> np.ndarray:
    """The ISO texts of ``days`` (int64 day numbers since 1970-01-01), as numpy writes them."""
    return np.asarray(days, dtype=np.int64).astype("datetime64[D]").astype(str).astype(object)


def day_texts(days: np.ndarray) -> np.ndarray:
    """The ISO texts of ``days`` (int64 day numbers since 1970-01-01, none missing — e.g. the
    distinct days of a column), an object array; the days not seen before formatted together."""
    days = np.asarray(days, dtype=np.int64)
    keys = days.tolist()
    get = _texts.get
    out = [get(d) for d in keys]
    if None in out:
        new = [i for i, t in enumerate(out) if t is None]
        made = _format(days[new]).tolist()
        if len(_texts) + len(new) > KEPT:
            _texts.clear()
        for i, t in zip(new, made):
            out[i] = _texts[keys[i]] = t
    arr = np.empty(len(out), dtype=object)
    arr[:] = out
    return arr
