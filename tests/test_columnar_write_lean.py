"""Issue 16, the writing side of the columnar screening made leaner (from the program's result
columns to the bytes of the output file): each new path gives what the one it replaces gave —
the ISO texts of days kept per process (columnar/day_texts.py) against numpy's formatting, the
routes' pieces made only for the (status, date) that occur against every (status, date), the CSV
cells with only the columns that need it rebuilt (columnar_pipeline.cell_plan) against
``csv.writer``, and the batch written by polars straight to the output (emit_frame) against the
bytes of csv_bytes. Whole exports are compared byte for byte by tests/test_columnar_program.py,
tests/test_columnar_pipeline.py and the development same-bytes check (docs/columnar.md)."""
from __future__ import annotations

import csv
import io

import numpy as np
import polars as pl
import pytest

from lexquery.columnar import day_texts as DT
from lexquery.columnar.compile_rows import _route_piece
from lexquery.columnar.compile_settle import STATUS
from lexquery.columnar.compile_conditions import NONE_DATE
from lexquery.columnar.shapes import Coded, as_series, iso_coded, joined
from lexquery.csvsafe import neutral
from lexquery.engine.screen_row import FIELDS
from lexquery.screening import columnar_pipeline as CP
from lexquery.screening.outputs import CsvWriter

# day numbers since 1970-01-01 on the edges: before 1970, the epoch, 1900 (not a leap year),
# 2000 and 2024 (leap years), the last day of a year, far years
EDGE_DAYS = [-25567, -25508, -25507, -1, 0, 1, 10956, 11016, 11017, 19781, 19782, 19783, 20819, 2932896, -719162]


def _numpy_iso(days):
    return [str(np.datetime64(int(d), "D")) for d in days]


def test_day_texts_are_numpys_on_edge_days_and_repeated_calls(monkeypatch):
    """The texts kept per day are numpy's: on the edges, in every order, asked again (from what
    is kept), and after the memory is full and starts again."""
    monkeypatch.setattr(DT, "_texts", {})
    days = np.array(sorted(set(EDGE_DAYS)), dtype=np.int64)
    assert DT.day_texts(days).tolist() == _numpy_iso(days)
    assert DT.day_texts(days[::-1]).tolist() == _numpy_iso(days[::-1])   # from memory, any order
    assert "2024-02-29" in DT.day_texts(days).tolist() and "1900-03-01" in DT.day_texts(days).tolist()
    assert DT.day_texts(np.zeros(0, dtype=np.int64)).tolist() == []
    monkeypatch.setattr(DT, "KEPT", 50)
    rng = np.random.default_rng(11)
    for _ in range(6):   # memory full several times over
        d = np.unique(rng.integers(-30_000, 40_000, 40))
        got = DT.day_texts(d)
        assert got.dtype == object and got.tolist() == _numpy_iso(d)
        assert len(DT._texts) <= 50


def test_iso_coded_cells_through_day_texts():
    """iso_coded (none → '') gives numpy's text of each day, row for row, across calls."""
    rng = np.random.default_rng(5)
    for _ in range(3):
        days = rng.choice(np.array(EDGE_DAYS + [NONE_DATE] * 5, dtype=np.int64), 200)
        got = iso_coded(days, NONE_DATE).objects().tolist()
        assert got == ["" if d == NONE_DATE else str(np.datetime64(int(d), "D")) for d in days.tolist()]


def _route_piece_before(route_id, status, d, shown):
    """The routes' piece as written before: a text for every (status, date), coded st × k + date."""
    k = len(d.texts)
    texts = [f"{route_id}:{STATUS[st]}" + (":" + t if t else "") for st in range(4) for t in d.texts.tolist()]
    return Coded(texts + [None], np.where(shown, np.asarray(status, dtype=np.int64) * k + d.codes, 4 * k))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_route_pieces_are_the_former_ones(seed):
    """« id:status[:from] » where shown, nothing elsewhere — made only for what occurs, the same
    cells as the text made for every status and date; and the same « | »-joined routes cell."""
    rng = np.random.default_rng(seed)
    n = 300
    shown = rng.random(n) < 0.7
    pieces_new, pieces_old = [], []
    for rid in ("transfer_ste112", "lc_after_half", "route:é"):
        days = rng.choice(np.array([19000, 19001, 20819, -1, NONE_DATE], dtype=np.int64), n)
        d = iso_coded(np.where(shown, days, NONE_DATE), NONE_DATE)
        status = rng.integers(0, 4, n)
        new, old = _route_piece(rid, status, d, shown), _route_piece_before(rid, status, d, shown)
        assert new.objects().tolist() == old.objects().tolist()
        pieces_new.append(new)
        pieces_old.append(old)
    # (a Coded or, past shapes.MANY possible combinations, a polars Series: the cells compared)
    assert as_series(joined(pieces_new, n), "r").to_list() == as_series(joined(pieces_old, n), "r").to_list()
    nothing = _route_piece("r", np.zeros(4, dtype=np.int64), iso_coded(np.full(4, NONE_DATE), NONE_DATE),
                           np.zeros(4, dtype=bool))
    assert nothing.objects().tolist() == [None] * 4


def _frame(rows):
    return pl.DataFrame(rows, schema=CP.OUT_SCHEMA)


def _csv_writer_s(rows, sep):
    want = io.StringIO()
    w = csv.writer(want, delimiter=sep, lineterminator="\n")
    for row in rows:
        w.writerow([neutral(row[k]) if k in ("id", "name", "message") else row[k] for k in FIELDS])
    return want.getvalue()


def _rows():
    """Rows of the program's kind: several States, no date, unknown status, notes and citations
    holding the separators and quotes CSV must escape, non-ASCII, an empty cell in a column on
    one row only (the last), a formula only in the last row's name."""
    rows = []
    for i in range(12):
        row = {k: "" for k in FIELDS}
        row.update(line=i + 2, id=f"FLE-{i:03d}", name="Zoë Ñandú" if i % 2 else "Dupont", as_of="2026-12-01",
                   procedure="ste_transfer", state=["MA", "RO", "DZ"][i % 3], status=["undetermined", "applicable"][i % 2],
                   consent_required=["true", "false"][i % 2], missing_facts="consent.transfer|person.nationalities",
                   sources='CPP 728-2 al. 1|Circ. 2025 §2.1|note; « a »,"b"', routes=f"r1:applicable:2026-12-0{1 + i % 9}",
                   deadlines="", basis="basis_ste112", to_verify='note:x|party(STE167,MA)')
        row["from"] = "" if i % 3 == 0 else "2027-01-01"
        row["until"] = "2031-02-28"
        rows.append(row)
    rows[-1]["to_verify"] = ""        # the only empty cell of its column, in the last rows
    rows[-1]["name"] = "=HYPERLINK()"   # the only cell to neutralise
    return rows


@pytest.mark.parametrize("sep", [";", ",", "\t"])
def test_csv_cells_rebuild_only_what_needs_it_and_write_csv_writer_s_bytes(sep, monkeypatch):
    """cell_plan names the columns with an empty cell or a cell to neutralise over the whole
    batch (even when found in its last rows only); the bytes are csv.writer's, whether written in
    one call or in pieces; a column not named is the frame's own (not rebuilt)."""
    rows = _rows()
    frame = _frame(rows)
    todo, empty = CP.cell_plan(frame)
    assert todo == {"name"} and "to_verify" in empty and "deadlines" in empty and "sources" not in empty
    cells = CP.csv_cells(frame, todo, empty)
    assert cells.get_column("to_verify").null_count() == 1 and cells.get_column("sources").null_count() == 0
    want = _csv_writer_s(rows, sep)
    assert CP.csv_bytes(frame, sep).decode("utf-8") == want
    for piece in (1, 5):
        monkeypatch.setattr(CP, "WRITE_ROWS", piece)
        assert CP.csv_bytes(frame, sep).decode("utf-8") == want
    # a batch with nothing to change: written as it is
    plain = [dict(r, to_verify="x", deadlines="d:2027-01-01", message="m", name="N", **{"from": "f"},
                  missing_facts="m", basis="b") for r in rows]
    pf = _frame(plain)
    assert CP.cell_plan(pf) == (set(), set()) and CP.csv_cells(pf, set(), set()) is pf
    assert CP.csv_bytes(pf, sep).decode("utf-8") == _csv_writer_s(plain, sep)


def test_cell_plan_misses_nothing_a_wrong_plan_would():
    """A plan that forgets a column with an empty cell writes « "" » there: not csv.writer's."""
    rows = _rows()
    frame = _frame(rows)
    todo, empty = CP.cell_plan(frame)
    wrong = io.BytesIO()
    CP.csv_cells(frame, todo, empty - {"to_verify"}).write_csv(
        wrong, separator=";", include_header=False, quote_style="necessary", line_terminator="\n", null_value="")
    assert wrong.getvalue().decode("utf-8") != _csv_writer_s(rows, ";")


@pytest.mark.parametrize("head", [1, 5, 11, 12, 4096])
def test_cell_plan_finds_an_empty_cell_in_the_first_rows_or_after(head, monkeypatch):
    """cell_plan looks for empty cells in the first WRITE_ROWS rows, then over the whole batch in
    the columns without one there: the columns are those with an empty cell anywhere (« from »:
    in the first row; « to_verify »: in the last only), whatever the first rows are."""
    monkeypatch.setattr(CP, "WRITE_ROWS", head)
    rows = _rows()
    frame = _frame(rows)
    todo, empty = CP.cell_plan(frame)
    assert empty == {c for c in FIELDS[1:] if any(r[c] == "" for r in rows)}
    assert {"from", "to_verify"} <= empty and todo == {"name"}
    assert CP.csv_bytes(frame, ";").decode("utf-8") == _csv_writer_s(rows, ";")


class _TextOnly:
    """An output that takes text only (no binary layer): the text path of emit_frame."""
    def __init__(self):
        self.parts = []

    out = None

    def begin(self, *a):
        pass

    def write_text(self, text):
        self.parts.append(text)


@pytest.mark.parametrize("sep", [";", ","])
def test_emit_frame_writes_csv_bytes_straight_or_as_text(sep):
    """A batch written by polars straight to the binary layer of the output, or given as text to
    an output without one: the bytes of csv_bytes either way; nothing for an empty batch."""
    rows = _rows()
    frame = _frame(rows)
    raw = io.BytesIO()
    text = io.TextIOWrapper(raw, encoding="utf-8", newline="")
    w = CsvWriter(text, separator=sep)
    w.begin()
    CP.emit_frame(w, frame, sep)
    CP.emit_frame(w, frame.clear(), sep)
    text.flush()
    header = (sep.join(FIELDS) + "\n").encode()
    assert raw.getvalue() == header + CP.csv_bytes(frame, sep)
    t = _TextOnly()
    CP.emit_frame(t, frame, sep)
    assert "".join(t.parts).encode("utf-8") == CP.csv_bytes(frame, sep)


def test_one_program_over_batches_of_other_shapes_keeps_the_scalar_cells():
    """The texts of the shapes a program keeps from batch to batch (compile_rows._shape_memo) are
    those of each batch: one program answers exports of other dates and blanks (other conditions
    left out, other precedence entries and notes) in turn, then the first again, and every row's
    cells are the scalar engine's."""
    from datetime import date
    from lexquery.columnar.program import compile_book
    from lexquery.screening.synth import synth_text
    from columnar_helpers import blank, engine, frame_from_cases, program_rows, read_cases, scalar_rows
    eng = engine()
    prog = compile_book(eng.book, eng.ref)
    runs = [(date(2026, 12, 1), 0.0, 1), (date(2014, 10, 1), 0.3, 2), (date(2021, 12, 31), 0.5, 3),
            (date(2026, 12, 1), 0.0, 1)]
    for as_of, share, seed in runs:
        text = synth_text(150, seed, as_of)
        text = blank(text, share, seed) if share else text
        want = scalar_rows(text, eng, as_of)
        out = prog.run(frame_from_cases(read_cases(text, as_of)))
        got = program_rows(out)
        assert got == want
    assert prog._shape_texts   # kept between the batches
