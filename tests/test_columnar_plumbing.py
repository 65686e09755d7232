"""Issue 16, the columnar path's data plumbing made leaner (branch perf17): each new path gives
what the one it replaces gave — the ISO texts of days gathered from a table by day against
numpy's formatting (columnar/day_texts.py), iso_coded against its former code (kept here),
shapes.joined's fast paths (one piece; many possible combinations joined row by row) against
the former grouping (kept here). Whole exports are compared byte for byte by
tests/test_columnar_program.py, tests/test_columnar_pipeline.py and bench/same_bytes.py."""
from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from lexquery.columnar import day_texts as DT
from lexquery.columnar import shapes
from lexquery.columnar.compile_conditions import NONE_DATE
from lexquery.columnar.shapes import Coded, as_series, group_wide, iso_coded, joined, unique_ints


def _numpy_iso(days):
    return [str(np.datetime64(int(d), "D")) for d in days]


def test_day_table_edges_and_outside():
    """The table's first and last days (1800-01-01, 2299-12-31) and the days just outside it
    (read through the dictionary), mixed in one call, in any order, asked again."""
    lo, hi = DT.TABLE_LO, DT.TABLE_LO + DT.TABLE_SPAN - 1
    assert _numpy_iso([lo, hi]) == ["1800-01-01", "2299-12-31"]
    for days in ([lo, lo + 1, hi - 1, hi], [lo - 1, lo, hi, hi + 1], [hi + 1, lo - 1], [-719162, 2932896, 0]):
        d = np.array(days, dtype=np.int64)
        assert DT.day_texts(d).tolist() == _numpy_iso(d)
        assert DT.day_texts(d[::-1]).tolist() == _numpy_iso(d[::-1])


def test_day_table_random_days_inside():
    rng = np.random.default_rng(3)
    for _ in range(4):
        d = np.unique(rng.integers(DT.TABLE_LO, DT.TABLE_LO + DT.TABLE_SPAN, 3000))
        got = DT.day_texts(d)
        assert got.dtype == object and got.tolist() == _numpy_iso(d)


def _iso_coded_before(days, none):
    """iso_coded as written before (unique_ints, then the texts of the days by a dict)."""
    days = np.asarray(days, dtype=np.int64)
    nil = days == none
    if nil.all():
        return Coded.const("", len(days))
    d = np.where(nil, days[np.argmin(nil)], days)
    uniq, _, inv = unique_ints(d)
    text = np.array(_numpy_iso(uniq), dtype=object)
    return Coded(np.concatenate([text, Coded([""], []).texts]), np.where(nil, len(text), inv))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_iso_coded_is_the_former(seed):
    """The same texts and the same codes, row for row: days of a small range and of a wide
    one (numpy's sort), none in some rows, in all rows, in none."""
    rng = np.random.default_rng(seed)
    for n, lo, hi, share in ((5000, 15000, 16000, 0.3), (2000, -80000, 3000000, 0.1), (300, 20000, 20010, 0.0),
                             (100, 0, 10, 1.0), (0, 0, 1, 0.0)):
        d = rng.integers(lo, hi, n)
        d[rng.random(n) < share] = NONE_DATE
        got, want = iso_coded(d, NONE_DATE), _iso_coded_before(d, NONE_DATE)
        assert got.texts.tolist() == want.texts.tolist()
        assert got.codes.tolist() == want.codes.tolist()


def _joined_before(pieces, n):
    """shapes.joined as written before: the rows grouped by their pieces' codes, one text per
    combination (Python) up to MANY combinations, else the combinations joined by polars."""
    if not pieces:
        return Coded.const("", n)
    inv, first = group_wide([c.codes for c in pieces])
    if len(first) <= shapes.MANY:
        cols = [c.texts[c.codes[first]].tolist() for c in pieces]
        return Coded(["|".join(t for t in ts if t is not None) for ts in zip(*cols)], inv)
    data = {f"p{j}": c.codes[first].astype(np.uint32) for j, c in enumerate(pieces)}
    cols = [pl.lit(pl.Series(f"t{j}", c.texts.tolist(), dtype=pl.Utf8)).gather(pl.col(f"p{j}"))
            for j, c in enumerate(pieces)]
    texts = pl.DataFrame(data, height=len(first)).select(
        pl.concat_str(cols, separator="|", ignore_nulls=True).alias("p0")).to_series()
    return texts.gather(pl.Series(np.asarray(inv).astype(np.uint32), dtype=pl.UInt32))


@pytest.mark.parametrize("seed", [0, 1])
def test_joined_fast_paths_are_the_former(seed):
    """One piece (its own codes, None as ''), few possible combinations (grouped), many possible
    combinations of which few or many occur (row by row): the same cells as before; an empty
    text of a piece kept (« a||b »)."""
    rng = np.random.default_rng(seed)
    n = 2000
    texts = lambda j, k: [None] + [f"p{j}:{i}" for i in range(k)] + [""]   # noqa: E731
    for widths, used in (((5,), 7), ((600,), 602), ((3, 2), 6), ((40, 40), 3), ((40, 40, 40), 42), ((900, 900), 902)):
        pieces = [Coded(texts(j, w), rng.integers(0, min(used, w + 2), n)) for j, w in enumerate(widths)]
        got, want = joined(pieces, n), _joined_before(pieces, n)
        assert as_series(got, "x").to_list() == as_series(want, "x").to_list(), (widths, used)
        assert isinstance(got, Coded) == (len(widths) == 1 or np.prod([w + 2 for w in widths]) <= shapes.MANY)
    assert joined([], 3).objects().tolist() == [""] * 3
    assert joined([Coded([None, "a"], np.array([0, 1, 0]))], 3).objects().tolist() == ["", "a", ""]


def _cells_concat_before(cols, name, perm):
    """shapes.cells_concat as written before: a polars Series when not all are Coded."""
    if all(isinstance(c, Coded) for c in cols):
        return Coded.concat(cols).take(perm)
    return pl.concat([as_series(c, name) for c in cols]).gather(pl.Series(np.asarray(perm).astype(np.uint32),
                                                                          dtype=pl.UInt32))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_cells_concat_pair_is_the_former_series(seed):
    """Coded columns and polars Series one after the other, permuted: the pair (texts, index)
    gives the cells the former Series gave — through as_series and through frame_of's one
    query —, nulls (None texts) included; all Coded: a Coded as before."""
    from lexquery.columnar.shapes import cells_concat, frame_of
    rng = np.random.default_rng(seed)
    sizes = rng.integers(0, 40, 5)
    cols = []
    for j, k in enumerate(sizes.tolist()):
        if j % 2:
            cols.append(pl.Series("s", [None if rng.random() < 0.2 else f"s{j}:{i}" for i in range(k)], dtype=pl.Utf8))
        else:
            cols.append(Coded([None, "", f"c{j}"], rng.integers(0, 3, k)))
    perm = rng.permutation(int(sizes.sum()))
    got, want = cells_concat(cols, "x", perm), _cells_concat_before(cols, "x", perm)
    assert isinstance(got, tuple)
    assert as_series(got, "x").to_list() == want.to_list()
    assert frame_of({"x": got}, len(perm)).get_column("x").to_list() == want.to_list()
    coded = [c for c in cols if isinstance(c, Coded)]
    n = sum(len(c) for c in coded)
    p = rng.permutation(n)
    assert cells_concat(coded, "x", p).objects().tolist() == _cells_concat_before(coded, "x", p).objects().tolist()
