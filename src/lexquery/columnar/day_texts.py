"""Day numbers as ISO 8601 text (``YYYY-MM-DD``, ISO 8601-1:2019 § 5.2.2.1, the calendar date
the screening CSV writes in ``from``, ``until``, ``routes`` and ``deadlines``;
docs/screening-csv.md), each day formatted once per process.

The cells of dates are built once per distinct day of a batch (:func:`lexquery.columnar.shapes.iso_coded`);
formatting those days (numpy's ``datetime64[D]`` → ``str``, ≈ 0.7 µs a day) was most of that
work, and the same days come back in every batch and every procedure. The texts formatted are
kept by day, and only the days not seen yet are formatted — by numpy, as before: the same
texts. The days of 1800-01-01 .. 2299-12-31 (those of :mod:`.vdates`' calendar tables) are kept
in a table indexed by day (:data:`TABLE_LO`, :data:`TABLE_SPAN`: one gather for a batch's days,
no dictionary look-up per day); other days in a dictionary of at most :data:`KEPT` (then its
memory starts again).
"""
from __future__ import annotations

import numpy as np

KEPT = 1 << 17
"""The most days outside the table whose text is kept (≈ 359 years of days; ≈ 15 MB at most)."""

TABLE_LO = -62091
"""1800-01-01 as a day number since 1970-01-01: the first day of the table."""
TABLE_SPAN = 182621
"""The days 1800-01-01 .. 2299-12-31 (500 years): the table's length (≈ 1.6 MB of references;
its texts ≈ 60 bytes each, made only for the days met)."""

_texts: dict = {}
_table: list = []   # [texts by day − TABLE_LO (object, None where not made), made (bool)], built when first needed


def _format(days: np.ndarray) -> np.ndarray:
    """The ISO texts of ``days`` (int64 day numbers since 1970-01-01), as numpy writes them."""
    return np.asarray(days, dtype=np.int64).astype("datetime64[D]").astype(str).astype(object)


def _tables():
    if not _table:
        _table.extend([np.empty(TABLE_SPAN, dtype=object), np.zeros(TABLE_SPAN, dtype=bool)])
    return _table


def day_texts(days: np.ndarray) -> np.ndarray:
    """The ISO texts of ``days`` (int64 day numbers since 1970-01-01, none missing — e.g. the
    distinct days of a column), an object array; the days not seen before formatted together."""
    days = np.asarray(days, dtype=np.int64)
    if len(days):
        off = days - TABLE_LO
        if int(off.min()) >= 0 and int(off.max()) < TABLE_SPAN:   # one gather from the table
            texts, made = _tables()
            new = off[~made[off]]
            if len(new):
                texts[new] = _format(new + TABLE_LO)
                made[new] = True
            return texts[off]
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
