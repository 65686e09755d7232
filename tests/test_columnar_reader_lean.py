"""The reading side of the columnar screening made leaner (branch reader-lean), each new path
pinned against the scalar reader's statements:

- date columns whose cells are all empty or ten bytes of the ISO form are typed from the batch's
  bytes (``screening/columnar_dates.byte_dates``, ``columnar_frame.bytes_typed``): every such
  cell (impossible days, 29 February of leap and common years, centuries, the bounds and the days
  beyond) is taken exactly when ``engine.case.good_date`` takes it, as the same day; a column with
  any other cell is left to the general path; a file of such dates gives the scalar path's bytes;
- the texts of a batch's new categories are read code by code from the column's mapping, over
  many batches and tables started afresh.
(The write side's empty-cell plan: tests/test_columnar_write_lean.py; the ids searched with
sorted hashes: tests/test_columnar_ids.py.)
"""
from __future__ import annotations

import io
from datetime import date

import pytest

from lexquery.engine.case import good_date
from lexquery.screening import csv_cases as CC
from lexquery.screening import csv_text
from lexquery.screening.synth import synth_text

np = pytest.importorskip("numpy")
pytest.importorskip("polars")
from lexquery.screening import columnar_dates as D  # noqa: E402
from lexquery.screening import columnar_frame as F  # noqa: E402

from test_columnar_pipeline import assert_same  # noqa: E402
from test_columnar_read_lean import _frame_rows_are_the_scalar_reader_s, date_edge_file  # noqa: E402

AS_OF = date(2026, 12, 1)
YEARS = [0, 1, 4, 100, 400, 1600, 1700, 1800, 1896, 1899, 1900, 1901, 1904, 1999, 2000, 2001, 2023, 2024,
         2025, 2100, 2196, 2199, 2200, 2204, 2400, 9999]


def _cells_and_bytes(cells):
    data = ("\n".join(cells) + "\n").encode("utf-8")
    a = np.frombuffer(data, dtype=np.uint8)
    ends = np.flatnonzero(a == 10)
    starts = np.concatenate([[0], ends[:-1] + 1])
    return a, starts, ends


def test_byte_dates_take_a_cell_exactly_when_good_date_does():
    cells = [f"{y:04d}-{m:02d}-{d:02d}" for y in YEARS for m in range(14) for d in range(33)] + ["", ""]
    days, there, ok = D.byte_dates(*_cells_and_bytes(cells))
    epoch = date(1970, 1, 1)
    for i, cell in enumerate(cells):
        want = good_date(cell) if cell else None
        assert bool(there[i]) == bool(cell), cell
        assert bool(ok[i]) == (not cell or want is not None), cell
        if want is not None:
            assert (epoch.fromordinal(epoch.toordinal() + int(days[i]))) == want, cell


@pytest.mark.parametrize("odd", [" 2025-01-04", "2025-01-04 ", "2025-1-04", "2025/01/04", "2025-01-0４",
                                 "\u00a02025-01-4", "+2025-01-0", "x", "none", "2025-01-04T0"])
def test_byte_dates_leave_a_column_with_another_cell_to_the_general_path(odd):
    assert D.byte_dates(*_cells_and_bytes(["2025-01-04", "", odd, "2024-02-29"])) is None
    assert D.byte_dates(*_cells_and_bytes(["2025-01-04", "", "2024-02-29"])) is not None


def _iso_file(with_as_of: bool) -> bytes:
    """Synthetic rows with, in each date column in turn, ISO cells good and bad (no other form),
    then ends of sentence the day before, of and after their start."""
    cells = ["", "2025-01-04", "2024-02-29", "2025-02-29", "2000-02-29", "1900-02-29", "2100-02-29",
             "2025-04-31", "2025-13-01", "2025-00-10", "2025-01-00", "1899-12-31", "1900-01-01",
             "2199-12-31", "2200-01-01", "0000-01-01", "9999-12-31"]
    extra = ["removal_end_date"] + (["as_of"] if with_as_of else [])   # a removal date: with or without a measure
    cols = ("birth_date", "entry_date", "execution_start", "expected_end", *extra)
    return date_edge_file(cells, cols, [("2024-03-01", "2024-02-29"), ("2024-03-01", "2024-03-01"),
                                        ("2024-03-01", "2024-03-02")],
                          rows=len(cells) * len(cols) + 10, seed=7, extra=extra)


@pytest.mark.parametrize("with_as_of", [False, True])
def test_a_file_of_iso_dates_is_typed_from_its_bytes_as_the_scalar_reader_types_it(tmp_path, monkeypatch,
                                                                                    with_as_of):
    typed = []
    real = F.bytes_typed
    monkeypatch.setattr(F, "bytes_typed", lambda *a: typed.append(real(*a)) or typed[-1])
    data = _iso_file(with_as_of)
    taken, ready = _frame_rows_are_the_scalar_reader_s(data, block_bytes=1 << 20)
    assert [sorted(t) for t in typed] == [sorted({"birth_date", "entry_date", "execution_start", "expected_end",
                                                  "removal_end_date"} | ({"as_of"} if with_as_of else set()))]
    assert {n for n, r in ready.items() if r is not None} == taken   # every line taken is in the frame
    last = max(ready)
    assert [last - 2 in taken, last - 1 in taken, last in taken] == [False, True, True]   # end before start
    assert len(taken) < len(ready) - 20   # the bad days went to the scalar reader
    assert_same(data, tmp_path)


def test_new_codes_read_from_the_mapping_batch_after_batch(monkeypatch):
    """The texts of a batch's new categories are read code by code from the column's mapping
    (not the whole mapping again): over many small batches, with the tables started afresh
    often (CATEGORIES_MAX small), every frame row is the scalar reader's case."""
    monkeypatch.setattr(F, "CATEGORIES_MAX", 6)
    data = synth_text(300, seed=11, ref=AS_OF).encode("utf-8")
    taken, ready = _frame_rows_are_the_scalar_reader_s(data, block_bytes=2048)
    assert taken == {n for n, r in ready.items() if r is not None} and len(taken) == 300
