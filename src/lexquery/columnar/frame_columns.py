"""The plain columns of a typed input frame (:mod:`lexquery.screening.columnar_frame`) as
fact columns (:class:`~lexquery.columnar.compile.V`), read in one polars query a frame.

What :func:`lexquery.columnar.program.facts_from_frame` gives for a column of dates, booleans,
text or lengths, value for value — null is unknown, as the scalar reader's absent fact; a safety
period said « none » (``safety_period_end__none``) is the known none, not unknown — with one
polars query for all of them (not a few per column) and no Python object per row:

- dates: day numbers since 1970-01-01 (int64, 0 where unknown), as ``vdates.to_days``;
- booleans: a bool array (False where unknown);
- text: an object array of the texts (None where unknown), each distinct text made once (the
  column cast to categoricals of its own: ``to_list`` made one Python string a row);
- lengths (``total``, ``offence_max_penalty``): months and days (int64, 0 where unknown) from
  the frame's ``__months`` / ``__days`` columns, as :class:`~lexquery.dates.Duration` holds them.

A column of any other dtype (lists) is not in the result: the caller reads it. Generic: no
column is named here, only the frame's own suffixes (``__none``, ``__months``, ``__days``).
"""
from __future__ import annotations

import numpy as np

from . import origins
from .compile import V


def plain_columns(frame, cols, durations=()) -> dict:
    """``{column: V}`` for each column of ``cols`` whose dtype is Date, Boolean or String, and for
    each column of ``durations`` with its ``__months`` / ``__days``; the others are not in the
    result. One polars query for all of them."""
    import polars as pl
    n = frame.height
    schema = frame.schema
    have = set(frame.columns)
    exprs, how = [], {}
    mapping = pl.Categories.random()   # this query's own, freed when it is read
    cats = pl.Categorical(mapping)
    alive = pl.Series("t", [], dtype=cats)   # noqa: F841 - the mapping lives while a Series uses it
    for c in cols:
        t = schema[c]
        if t == pl.Date:
            how[c] = "date"
            exprs.append(pl.col(c).cast(pl.Int32).fill_null(0).alias(f"v{c}"))
        elif t == pl.Boolean:
            how[c] = "bool"
            exprs.append(pl.col(c).cast(pl.Int8).fill_null(0).alias(f"v{c}"))
        elif t == pl.Utf8:
            how[c] = "str"
            exprs.append(pl.col(c).cast(cats).to_physical().fill_null(0).alias(f"v{c}"))
        else:
            continue
        exprs.append(pl.col(c).is_null().alias(f"u{c}"))
        if c + "__none" in have and schema[c + "__none"] == pl.Boolean:
            exprs.append(pl.col(c + "__none").cast(pl.Int8).fill_null(0).alias(f"z{c}"))
    for c in durations:
        if c + "__months" not in have or c + "__days" not in have:
            continue
        how[c] = "dur"
        m, d = pl.col(c + "__months"), pl.col(c + "__days")
        exprs += [m.is_null().alias(f"u{c}"), m.cast(pl.Int64).fill_null(0).alias(f"v{c}"),
                  d.cast(pl.Int64).fill_null(0).alias(f"d{c}")]
    if not exprs:
        return {}
    got = frame.select(exprs)
    texts = None
    out = {}
    for c, kind in how.items():
        unk = got.get_column(f"u{c}").to_numpy().astype(bool)
        nil = np.zeros(n, dtype=bool)
        if f"z{c}" in got.columns:   # said « none »: known, none (not unknown)
            nil = got.get_column(f"z{c}").to_numpy() == 1
            unk = unk & ~nil
        if unk.all() and not nil.any():
            out[c] = V("none", None, unk, nil)
            continue
        v = got.get_column(f"v{c}").to_numpy()
        if kind == "date":
            out[c] = V("date", v.astype(np.int64), unk, nil)
        elif kind == "bool":
            out[c] = V("bool", v == 1, unk, nil)
        elif kind == "dur":
            out[c] = V("dur", v.astype(np.int64), unk, nil, d=got.get_column(f"d{c}").to_numpy().astype(np.int64))
        else:
            if texts is None:   # the distinct texts of every text column, by code
                names = mapping.to_series().to_list()   # the text of code i: names[i]
                texts = np.empty(len(names) + 1, dtype=object)
                texts[:len(names)] = names   # the last one: None, for the unknown cells
            # gathered (origins.spread): what is read of a row's text is read once per text
            arr = origins.spread(texts, np.where(unk, len(texts) - 1, v.astype(np.int64)))
            out[c] = V("str", arr, unk, nil)
    return out
