"""The lean reading path of the columnar screening (issue 16: the batch pipeline's speed) pinned
against the scalar reader, cell by cell.

- Dates are typed over the rows in the batch's polars query (``columnar_frame.rowwise``,
  ``_date_typed``): every edge cell (blank, spaces, tabs, non-ASCII spaces and digits, unpadded,
  signed, impossible days, 29 February, the bounds 1900-01-01 / 2199-12-31 and the day beyond, an
  end of sentence the day before its start) must be taken exactly when the compiled reader of the
  header takes it (``Row.ready``), as the same day; every other line goes to the scalar reader
  and the output bytes are the scalar path's.
- The plain fact columns are read in one polars query (``columnar/frame_columns.py``) and lists
  once per distinct list: the values the scalar evaluator holds are those of the cases the scalar
  reader reads (``facts_from_cases``), text with non-ASCII characters, nulls, « none » included.
"""
from __future__ import annotations

import io
from datetime import date

import pytest

from lexquery.screening import csv_cases as CC
from lexquery.screening import csv_text
from lexquery.screening.synth import synth_text

pl = pytest.importorskip("polars")
np = pytest.importorskip("numpy")
from lexquery.columnar.compile import UNKNOWN, from_objects  # noqa: E402
from lexquery.columnar.frame_columns import plain_columns  # noqa: E402
from lexquery.columnar.program import case_of_row, facts_from_cases, facts_from_frame  # noqa: E402
from lexquery.dates import Duration  # noqa: E402
from columnar_helpers import blank  # noqa: E402
from lexquery.screening import columnar_frame as F  # noqa: E402

from test_columnar_pipeline import assert_same  # noqa: E402

AS_OF = date(2026, 12, 1)

DATE_CELLS = [
    "", " ", "\t", "2025-01-04", " 2025-01-04", "2025-01-04\t", "\u00a02025-01-04", "2025-01-04\u3000",
    "2025-1-04", "2025-01-4", "25-01-04", "+2025-01-04", "02025-01-04", "2025-01-04T00:00", "2025/01/04",
    "2025-02-29", "2024-02-29", "2025-04-31", "2025-13-01", "2025-00-10", "2025-01-00",
    "1899-12-31", "1900-01-01", "2199-12-31", "2200-01-01",
    "０２０２５-01-04", "２０２５-01-04", "2025-01-0４",
    "x", "none", "2025-01-04 12", "é2025-01-04",
]
DATE_COLUMNS = ("birth_date", "entry_date", "execution_start", "expected_end")


def date_edge_file(cells, columns, pairs, *, rows: int, seed: int, extra=()) -> bytes:
    """``rows`` synthetic rows (``seed``) with ``extra`` columns appended empty, then one line per
    cell of ``cells`` in each of ``columns`` in turn (the synthetic rows reused in a cycle), then
    one per ``(start, end)`` of ``pairs`` in execution_start / expected_end: the edge files of this
    module and of tests/test_columnar_reader_lean.py."""
    lines = synth_text(rows, seed=seed, ref=AS_OF).rstrip("\n").split("\n")
    head = lines[0].split(";") + list(extra)
    base = [line.split(";") + [""] * len(extra) for line in lines[1:]]
    out, k = [";".join(head)], 0
    for col in columns:
        for cell in cells:
            row = base[k % len(base)]
            row[head.index(col)] = cell
            out.append(";".join(row))
            k += 1
    s, e = head.index("execution_start"), head.index("expected_end")
    for start, end in pairs:
        row = base[k % len(base)]
        row[s], row[e] = start, end
        out.append(";".join(row))
        k += 1
    return ("\n".join(out) + "\n").encode("utf-8")


def _edge_file(with_as_of: bool = False) -> bytes:
    """Synthetic rows, each with one edge cell in one date column (every cell in every column),
    then pairs of an end of sentence the day before / the day of its start."""
    extra = ("as_of",) if with_as_of else ()
    return date_edge_file(DATE_CELLS, DATE_COLUMNS + extra,
                          [("2024-03-01", "2024-02-29"), ("2024-03-01", "2024-03-01"), ("2024-03-01", " 2024-02-29"),
                           ("2024-03-01", ""), ("", "2024-02-29")],
                          rows=len(DATE_CELLS) * len(DATE_COLUMNS) + 40, seed=5, extra=extra)


def _frame_rows_are_the_scalar_reader_s(data: bytes, block_bytes: int = 4096):
    """Each frame row is the case the scalar reader reads (as_of resolved), and each line the
    compiled reader takes is a frame row unless a cell of it begins or ends with a non-ASCII space
    (polars' strip and Python's differ: read alone). Returns the lines taken."""
    header, records = CC.read_header(csv_text.Utf8OrAnsiLines(io.BytesIO(data)))
    builder = CC.RowBuilder(header)
    ready = {r.line: builder.row(r).ready for r in records}
    reader = F.Reader(io.BytesIO(data.split(b"\n", 1)[1]), header, 2, AS_OF, block_bytes=block_bytes)
    taken = set()
    for block in reader:
        assert isinstance(block, F.VectorBlock)
        for row in block.frame.iter_rows(named=True):
            want = dict(ready[row["line"]])
            want.setdefault("as_of", AS_OF)
            assert F.case_of(row, reader.known) == want, row["line"]
            taken.add(row["line"])
        for rec in block.fallback:
            assert builder.row(rec).ready is None or any(
                c[:1].isspace() and c[:1] not in " \t" or c[-1:].isspace() and c[-1:] not in " \t" for c in rec.cells
            ), rec.line
    return taken, ready


@pytest.mark.parametrize("with_as_of", [False, True])
def test_date_cells_are_taken_exactly_as_the_scalar_reader_takes_them(tmp_path, with_as_of):
    data = _edge_file(with_as_of)
    taken, ready = _frame_rows_are_the_scalar_reader_s(data)
    # the vector reader takes the good cells itself (blank, spaces and tabs around, the bounds, 29 Feb 2024)
    header = data.split(b"\n", 1)[0].decode().split(";")
    lines = data.decode("utf-8").split("\n")
    for n, line in enumerate(lines[1:-1], start=2):
        cells = line.split(";")
        if any(c.strip(" \t") in ("2200-01-01", "1899-12-31", "2025-02-29", "2025-1-04", "+2025-01-04", "x")
               for c in cells):
            assert n not in taken and ready[n] is None, n
        if ready[n] is not None and not any(c[:1] in "\u00a0\u3000" or c[-1:] in "\u00a0\u3000" for c in cells):
            assert n in taken, n
    s, e = header.index("execution_start"), header.index("expected_end")
    pairs = [line.split(";") for line in lines[-6:-1]]
    got = [(n in taken, ready[n] is not None) for n, _ in zip(range(len(lines) - 5, len(lines)), pairs)]
    assert got == [(False, False), (True, True), (False, False), (True, True), (True, True)], got
    assert [p[s] for p in pairs][:2] == ["2024-03-01", "2024-03-01"]
    assert_same(data, tmp_path)


def test_a_date_is_the_same_day_in_the_frame():
    data = _edge_file()
    header, _ = CC.read_header(csv_text.Utf8OrAnsiLines(io.BytesIO(data)))
    (block,) = list(F.Reader(io.BytesIO(data.split(b"\n", 1)[1]), header, 2, AS_OF))
    f = block.frame
    assert all(f[c].dtype == pl.Date for c in DATE_COLUMNS) and f["as_of"].dtype == pl.Date
    days = {v for c in DATE_COLUMNS for v in f[c].to_list()}
    assert {date(2025, 1, 4), date(2024, 2, 29), date(1900, 1, 1), date(2199, 12, 31)} <= days
    assert not {date(2025, 3, 1), date(2025, 5, 1)} & days   # 29 Feb 2025, 31 Apr not rolled over


# --- the fact columns of a frame -------------------------------------------------------------------
def _objects(v, n):
    return [UNKNOWN if x is UNKNOWN else x for x in v.objects()] if v is not None else [UNKNOWN] * n


def test_plain_columns_are_the_values_of_the_python_cells():
    texts = ["Fleury", None, "Zoë ☃ 𝄞", "", "Fleury", "a;b", "\u00a0x\u00a0", None]
    n = len(texts)
    frame = pl.DataFrame({
        "t": pl.Series(texts, dtype=pl.Utf8),
        "u": pl.Series(["RO", "MA", None, "RO", "FR", "MA", "Zoë ☃ 𝄞", "RO"], dtype=pl.Utf8),
        "b": pl.Series([True, None, False, True, None, False, True, True], dtype=pl.Boolean),
        "d": pl.Series([date(2025, 1, 4), None, date(1900, 1, 1), date(2199, 12, 31), date(1970, 1, 1),
                        date(1969, 12, 31), None, date(2024, 2, 29)], dtype=pl.Date),
        "s": pl.Series([date(2030, 1, 1), None, None, date(2031, 5, 6), None, None, None, None], dtype=pl.Date),
        "s__none": pl.Series([False, True, None, False, True, False, None, False], dtype=pl.Boolean),
        "e": pl.Series([None] * n, dtype=pl.Utf8),
        "l__months": pl.Series([24, None, 0, 10 ** 6, 13, None, 0, 1], dtype=pl.Int64),
        "l__days": pl.Series([0, None, 7, 0, 3, None, 0, 30], dtype=pl.Int64),
    })
    got = plain_columns(frame, ["t", "u", "b", "d", "s", "e"], ["l"])
    for c in ("t", "u", "b", "d", "e"):
        vals = frame[c].to_list()
        want = from_objects([UNKNOWN if x is None else x for x in vals])
        assert got[c].kind == want.kind, c
        assert got[c].objects() == want.objects(), c
        assert list(got[c].unk) == [x is None for x in vals] and not got[c].nil.any(), c
    assert got["t"].objects()[2] == "Zoë ☃ 𝄞" and got["t"].objects()[3] == ""
    assert got["e"].kind == "none"
    # « none »: the known none, not unknown
    assert got["s"].objects() == [date(2030, 1, 1), None, UNKNOWN, date(2031, 5, 6), None, UNKNOWN, UNKNOWN, UNKNOWN]
    assert list(got["s"].nil) == [False, True, False, False, True, False, False, False]
    want = from_objects([UNKNOWN if m is None else Duration(m, d)
                         for m, d in zip(frame["l__months"].to_list(), frame["l__days"].to_list())])
    assert got["l"].kind == want.kind == "dur"
    assert got["l"].objects() == want.objects()
    assert list(got["l"].d) == [0, 0, 7, 0, 3, 0, 0, 30] and list(got["l"].v) == [24, 0, 0, 10 ** 6, 13, 0, 0, 1]


def test_facts_of_a_frame_are_the_facts_of_the_scalar_reader_s_cases():
    """A frame of synthetic rows with blanks: each fact column (plain, lengths, lists, courts,
    removal measures) holds, row for row, what the cases the scalar reader reads hold; equal lists
    are one object (read once per list)."""
    from lexquery.engine.api import load_kb
    from lexquery.columnar.program import fact_paths
    data = blank(synth_text(600, seed=9, ref=AS_OF), 0.25, seed=4).encode("utf-8")
    header, _ = CC.read_header(csv_text.Utf8OrAnsiLines(io.BytesIO(data)))
    frames = [b.frame for b in F.Reader(io.BytesIO(data.split(b"\n", 1)[1]), header, 2, AS_OF)]
    frame = pl.concat(frames)
    assert frame.height > 400
    paths = fact_paths(load_kb().book)
    got = facts_from_frame(frame, paths)
    want = facts_from_cases([case_of_row(r) for r in frame.iter_rows(named=True)], paths)
    assert set(got) <= set(want) and "person.nationalities" in got and "sentence.total" in got
    for p in got:
        assert _objects(got[p], frame.height) == _objects(want[p], frame.height), p
    nat = got["person.nationalities"].objects()
    firsts: dict = {}
    for v in nat:
        if isinstance(v, list):
            assert firsts.setdefault(tuple(v), v) is v   # one list object per distinct list


# --- the edges of the cells ---------------------------------------------------------------------
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_edges_are_the_cells_beginning_or_ending_with_a_space_or_a_non_ascii_character(seed):
    """``edges`` (which columns may need Python's strip, or the non-ASCII space check) against the
    cells themselves: a space or a tab at either end, a non-ASCII character at either end; the
    columns not looked at (``only``) are in both sets."""
    import random
    rnd = random.Random(seed)
    names = ["id", "a", "birth_date", "b", "c"]
    alphabet = ["x", "1", " ", "\t", "é", "\u00a0", "☃", "-"]
    lines = []
    for _ in range(rnd.randrange(1, 40)):
        lines.append([("" if rnd.random() < 0.3 else
                       "".join(rnd.choice(alphabet[:2] if rnd.random() < 0.6 else alphabet)
                               for _ in range(rnd.randrange(1, 4)))) for _ in names])
    data = "".join(";".join(cells) + "\n" for cells in lines).encode("utf-8")
    want_ws = {nm for j, nm in enumerate(names) if any(c[:1] in (" ", "\t") and c or c[-1:] in (" ", "\t") and c
                                                      for c in (ln[j] for ln in lines))}
    want_hi = {nm for j, nm in enumerate(names) if any(c and (ord(c[0]) > 127 or ord(c[-1]) > 127)
                                                      for c in (ln[j] for ln in lines))}
    assert F.edges(data, names, ";") == (want_ws, want_hi)
    ws, hi = F.edges(data, names, ";", only={"id", "birth_date"})
    assert ws == (want_ws & {"id", "birth_date"}) | {"a", "b", "c"}
    assert hi == (want_hi & {"id", "birth_date"}) | {"a", "b", "c"}
