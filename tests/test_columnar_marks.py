"""Issue 16, per-row work done once per distinct value (branch lean-marks): each fast path gives
what the general code gives — ``origins.distinct`` of an array gathered by ``origins.spread``
(a batch's lists spread over its rows, their items laid out) read from the source's distinct
objects and the rows gathered, not object by object; ``_list_shape`` of such a column. The
screening's bytes are checked on whole exports by bench/same_bytes.py and
tests/test_columnar_program.py."""
from __future__ import annotations

import gc
from datetime import date

import numpy as np
import pytest

from lexquery.columnar import compile as C, origins
from lexquery.dates import Duration
from lexquery.rules.values import UNKNOWN


def _plain_distinct(values):
    """``origins.distinct`` of a copy that was never gathered: the general code."""
    copy = np.empty(len(values), dtype=object)
    copy[:] = list(values)
    assert not origins.gathered(copy)
    return origins.distinct(copy)


def _same_distinct(a, b):
    assert len(a[0]) == len(b[0]) and all(x is y for x, y in zip(a[0], b[0]))
    assert np.array_equal(a[1], b[1]) and np.array_equal(a[2], b[2])


def _bases(rng):
    lists = [[{"k": i}] for i in range(40)]
    for k in (1, 3, 40):
        objs = [lists[int(i)] for i in rng.integers(0, 40, k)]
        objs += [UNKNOWN, None, UNKNOWN]   # the same object more than once in the source
        rng.shuffle(objs)
        base = np.empty(len(objs), dtype=object)
        base[:] = objs
        yield base


def test_distinct_of_a_gathered_array_is_the_general_one():
    rng = np.random.default_rng(3)
    for base in _bases(rng):
        for n in (0, 1, 7, 500):
            idx = rng.integers(0, len(base), n)
            got = origins.spread(base, idx)
            assert origins.gathered(got)
            _same_distinct(origins.distinct(got), _plain_distinct(got))
            # gathered from a gathered array
            idx2 = rng.integers(0, max(n, 1), 300) if n else np.zeros(0, dtype=np.int64)
            got2 = origins.spread(got, idx2)
            _same_distinct(origins.distinct(got2), _plain_distinct(got2))


def test_a_gathered_array_gone_is_not_read_again():
    base = np.empty(2, dtype=object)
    base[:] = [[1], [2]]
    got = origins.spread(base, np.array([0, 1, 1]))
    key = id(got)
    del got
    gc.collect()
    other = np.empty(3, dtype=object)   # may take the same id: never the dead array's rows
    other[:] = [[3], [4], [5]]
    if id(other) == key:
        assert not origins.gathered(other)
    assert len(origins.distinct(other)[0]) == 3


def test_spread_columns_of_the_frame_are_gathered():
    """compile.spread_objects (the frame's lists, measures, identifications, durations:
    program.facts_from_frame; the candidate States of each row: compile_rows._flat_candidates):
    the column from_objects makes of the rows' objects; texts and objects gathered from the
    groups' (origins.spread), other kinds taken."""
    inv = np.array([0, 1, 2, 0, 3, 2, 1], dtype=np.int64)
    for objs, gathered in (([[{"destination": "DZ"}], UNKNOWN, [{"destination": "MA"}], None], True),
                           (["DZ", UNKNOWN, "MA", "NO"], True),   # the candidate States
                           ([UNKNOWN, UNKNOWN, UNKNOWN, UNKNOWN], False),
                           ([Duration(1, 0), UNKNOWN, Duration(0, 3), None], False)):
        x = C.spread_objects(objs, inv)
        assert origins.gathered(x.v) is gathered
        y = C.from_objects([objs[i] for i in inv.tolist()])
        assert x.kind == y.kind and np.array_equal(x.unk, y.unk) and np.array_equal(x.nil, y.nil)
        assert x.objects() == y.objects()


def test_list_shape_of_a_gathered_column_is_the_general_one():
    rng = np.random.default_rng(5)
    lists = [[f"S{i}", f"S{i + 1}"] for i in range(30)]
    for k in (3, 30):   # few lists (at most 8: a set each) and many (items one per row)
        base = np.empty(k, dtype=object)
        base[:] = lists[:k]
        got = origins.spread(base, rng.integers(0, k, 400))
        copy = np.empty(len(got), dtype=object)
        copy[:] = list(got)
        a, b = C._list_shape(got), C._list_shape(copy)
        assert a[0] == b[0] and a[6] == b[6]
        for x, y in zip(a[1:6], b[1:6]):
            if x is None or y is None:
                assert x is None and y is None
            elif x.dtype == object:
                assert all(p is q for p, q in zip(x, y)) and len(x) == len(y)
            else:
                assert np.array_equal(x, y)


def _texts_gathered(rng, n, unk_share=0.2):
    """A text column as frame_columns.plain_columns makes it: the distinct texts (None last, for
    the unknown cells) gathered by code (origins.spread), and the same values never gathered."""
    texts = np.empty(6, dtype=object)
    texts[:] = ["FR", "DZ", "", "MA", "TN", None]
    unk = rng.random(n) < unk_share
    codes = np.where(unk, 5, rng.integers(0, 5, n))
    got = origins.spread(texts, codes)
    copy = np.empty(n, dtype=object)
    copy[:] = list(got)
    nil = np.zeros(n, dtype=bool)
    unk = unk | (rng.random(n) < unk_share / 2)   # and rows holding a text marked unknown
    return C.V("str", got, unk, nil), C.V("str", copy, unk.copy(), nil)


def test_taken_rows_of_a_gathered_column_stay_gathered():
    rng = np.random.default_rng(11)
    x, _ = _texts_gathered(rng, 200)
    idx = rng.integers(0, 200, 90)
    t = x.take(idx)
    assert origins.gathered(t.v)
    assert all(a is b for a, b in zip(t.v, x.v[idx]))
    assert origins.gathered(C.take_values(x.v, idx))


def test_membership_of_gathered_texts_is_the_general_one():
    rng = np.random.default_rng(13)
    for share in (0.0, 0.3, 1.0):
        x, plain = _texts_gathered(rng, 300, share)
        for lst in (["DZ", "MA"], ["", "TN"], ["XX"], []):
            y = C.const(lst, 300)
            assert np.array_equal(C._member(x, y), C._member(plain, y))


def test_codes_of_gathered_texts_are_the_general_ones():
    from lexquery.columnar import program as P
    rng = np.random.default_rng(17)
    for share in (0.0, 0.3, 1.0):
        x, plain = _texts_gathered(rng, 300, share)
        # the memo holds at most 16 columns (cleared past that): emptied first, so the entries
        # read below are those of x and plain whatever the tests before left in it
        P._CODES.clear()
        a, b = P._codes_of(x), P._codes_of(plain)
        assert np.array_equal(a, b)
        # the memo of the codes (kept by values): the same before unknown and none are set apart
        assert np.array_equal(P._CODES[id(x.v)][1], P._CODES[id(plain.v)][1])


# --- the write side: the input's id and name looked for once per case ---------------------------
def test_may_change_reads_the_cells_it_is_given():
    import polars as pl
    from lexquery.screening import columnar_pipeline as CP
    plain = pl.DataFrame({"id": ["a", "b"], "name": ["x", None]})
    assert CP.may_change([plain], ("id", "name")) == {"id": False, "name": False}
    for cell in ("=1+1", "+33", "-x", "@a", "\tx", "a\rb"):
        f = pl.DataFrame({"id": ["a", "b"], "name": ["x", cell]})
        assert CP.may_change([plain, f], ("id", "name")) == {"id": False, "name": True}, cell
        assert CP.may_change([f, plain], ("id", "name")) == {"id": False, "name": True}, cell
    # a frame that does not hold the column as text (or at all): not known, looked for in the output
    cats = pl.DataFrame({"id": ["a"], "name": ["x"]}).with_columns(pl.col("name").cast(pl.Categorical))
    assert CP.may_change([plain, cats], ("id", "name")) == {"id": False}
    assert CP.may_change([pl.DataFrame({"id": ["=a"]})], ("id", "name")) == {"id": True}
    # a frame without rows says nothing
    assert CP.may_change([plain, cats.clear()], ("id", "name")) == {"id": False, "name": False}


def test_cell_plan_given_is_the_plan_looked_for():
    import polars as pl
    from lexquery.engine.screen_row import FIELDS
    from lexquery.screening import columnar_pipeline as CP
    rows = {k: ["x", "", "y"] for k in FIELDS}
    rows["line"] = [1, 2, 3]
    rows["id"] = ["a", "=b", "c"]
    rows["message"] = ["", "", "@m"]
    out = pl.DataFrame(rows)
    full = CP.cell_plan(out)
    assert "id" in full[0] and "message" in full[0] and "name" not in full[0]
    assert CP.cell_plan(out, {"id": True, "name": False}) == full
    # given says what the output holds: the columns given are not looked for again
    todo, empty = CP.cell_plan(out, {"id": False, "name": True})
    assert todo == {"name", "message"} and empty == full[1]


def _write_cells_early_and_late():
    """A synthetic export whose ids and names hold cells to neutralise (formula characters, a CR
    inside a quoted name), at its start and after the first block."""
    from lexquery.screening.synth import synth_text
    head, *body = synth_text(300, seed=5, ref=date(2026, 12, 1)).rstrip("\n").split("\n")
    col = {c: i for i, c in enumerate(head.split(";"))}
    odd = ["=1+1", "+33612", "@at", "\t=tab", '"Jean\rPierre"', '"a\r\nb"', "-x", "'q"]
    out = []
    for i, line in enumerate(body):
        cells = line.split(";")
        if i % 13 == 3:
            cells[col["name"]] = odd[(i // 13) % len(odd)]
        if i % 29 == 7:
            cells[col["id"]] = "=" + cells[col["id"]]
        out.append(";".join(cells))
    return ("\n".join([head] + out) + "\n").encode("utf-8")


def test_ids_and_names_to_neutralise_are_written_as_the_scalar_engine_writes_them(tmp_path):
    from test_columnar_pipeline import assert_same
    assert_same(_write_cells_early_and_late(), tmp_path, block_bytes=4096)


@pytest.mark.parametrize("jobs", [1, 2])
def test_ids_and_names_to_neutralise_written_into_a_file(tmp_path, jobs):
    """The same into a file (the batch written by polars straight to its binary layer; with two
    jobs, a batch spooled by this process's thread or a worker) as the scalar engine writes."""
    import io
    from lexquery.screening.columnar_pipeline import screen_columnar
    from lexquery.screening.outputs import CsvWriter
    from lexquery.screening.screen import screen
    from test_columnar_pipeline import _ENGINE
    p = tmp_path / "in.csv"
    p.write_bytes(_write_cells_early_and_late())
    ref = io.StringIO()
    screen(str(p), CsvWriter(ref), as_of=date(2026, 12, 1), engine=_ENGINE, progress=False)
    o = tmp_path / "out.csv"
    with open(o, "w", encoding="utf-8", newline="") as f:
        screen_columnar(str(p), CsvWriter(f), as_of=date(2026, 12, 1), engine=_ENGINE, progress=False,
                        block_bytes=4096, jobs=jobs)
    got = o.read_text(encoding="utf-8")
    assert "'=1+1" in got and got == ref.getvalue()
