"""The fixed cost of a batch of the columnar program (issue 16: what ``Program.run`` pays per
call whatever its rows), pinned against what it replaced:

- the groupings of a batch's rows (``program._groupings``: lists, removal measures, convictions,
  identification, durations read once per distinct cell) made in one polars query, a window
  ``min`` of the row number per row, must give what polars' ``group_by(maintain_order=True)``
  gave — groups in the order they first appear, null equal to null, lists compared whole;
- the reference look-ups of the verification's reruns (an override: a reference fact tried
  unknown, false or true) kept across batches by the override's entries
  (``program._override_key``): the same answer and evidence as asked afresh, a look-up made
  once for equal overrides and again for an override whose fact differs.
"""
from __future__ import annotations

from datetime import date

import pytest

pl = pytest.importorskip("polars")
np = pytest.importorskip("numpy")
from lexquery.columnar import program as P  # noqa: E402
from lexquery.kb.reference import Fact  # noqa: E402
from lexquery.rules import functions as RF  # noqa: E402
from columnar_helpers import AS_OF, blank, engine, frame_from_cases, read_cases  # noqa: E402
from lexquery.screening.synth import synth_text  # noqa: E402


def _groups_by_group_by(frame, cols):
    """What program._groups computed before (now _groupings): polars group_by, groups in order of appearance."""
    g = frame.select(cols).with_row_index("__row").group_by(cols, maintain_order=True).agg(pl.col("__row"))
    rows = g.get_column("__row")
    lens = rows.list.len().to_numpy().astype(np.int64)
    inv = np.empty(frame.height, dtype=np.int64)
    inv[rows.explode(empty_as_null=True).to_numpy().astype(np.int64)] = np.repeat(np.arange(len(lens)), lens)
    return rows.list.first().to_numpy().astype(np.int64), inv


def _same(a, b):
    return len(a[0]) == len(b[0]) and (a[0] == b[0]).all() and (a[1] == b[1]).all()


def test_groupings_as_group_by_on_edges():
    """Nulls (equal to each other, apart from every value), lists (empty, null, equal lists in
    other rows), several columns at once, one row and no row."""
    frame = pl.DataFrame({
        "s": ["b", None, "a", "b", None, "a", "c", "b"],
        "l": [["x"], [], None, ["x"], [], ["x", "y"], None, ["x"]],
        "t": [True, None, False, True, None, False, True, False],
        "d": [date(2020, 1, 1), None, None, date(2020, 1, 1), None, None, date(2021, 1, 1), date(2020, 1, 1)],
    })
    sets = {"s": ["s"], "l": ["l"], "st": ["s", "t"], "ld": ["l", "d"], "all": ["s", "l", "t", "d"]}
    for fr in (frame, frame[:1], frame[:0], frame[3:]):
        got = P._groupings(fr, sets)
        assert list(got) == list(sets)
        for k, cols in sets.items():
            want = _groups_by_group_by(fr, cols)
            assert _same(got[k], want), (k, fr.height, got[k], want)
            assert _same(P._groupings(fr, {k: cols})[k], want)   # one grouping alone
    assert P._groupings(frame, {}) == {}


def test_groupings_as_group_by_on_a_screening_batch():
    """The groupings facts_from_frame makes of a synthetic export with blanks."""
    frame = frame_from_cases(read_cases(blank(synth_text(600, 3, AS_OF), 0.3, 2)))
    removal = ["removal_kinds", "removal_destination", "removal_definitive", "removal_enforceable",
               "removal_remedies_exhausted", "removal_end_date"]
    ident = [c for c in P.COLUMN_PATHS if c in frame.columns and P.COLUMN_PATHS[c].startswith("identification.")]
    sets = {"removal": [c for c in removal if c in frame.columns], "court": ["court"],
            "nat": ["nationalities"], "total": ["total"], "ident": ident}
    got = P._groupings(frame, sets)
    for k, cols in sets.items():
        want = _groups_by_group_by(frame, cols)
        assert _same(got[k], want), k
    assert all(len(got[k][0]) > 1 for k in ("removal", "nat", "total"))


@pytest.fixture(scope="module")
def prog():
    eng = engine()
    return P.compile_book(eng.book, eng.ref)


def test_override_key_by_value():
    f = Fact(False, ("e",), None, "U")
    assert P._override_key({"a": f}) == P._override_key({"a": Fact(False, ("e",), None, "U")})
    assert hash(P._override_key({"a": f})) == hash(P._override_key({"a": Fact(False, ("e",), None, "U")}))
    assert P._override_key({"a": f}) != P._override_key({"a": Fact(True, ("e",), None, "U")})
    assert P._override_key({"a": f}) != P._override_key({"b": f})


def test_overridden_look_ups_kept_by_the_facts_replaced(prog):
    """``_look`` with an override: the answer and evidence of a fresh look-up; made once for
    two overrides with equal entries (the reruns of two batches), again for another value."""
    calls = []

    def fn(env, treaty, state):
        calls.append(env.overrides)
        return RF.f_party(env, treaty, state)

    day = int(np.datetime64(AS_OF, "D").astype(np.int64))
    plain_v, plain_rec = prog._look("party", fn, ("STE112", None), "DE", day, None)
    name, fact = plain_rec
    assert fact.value is not None
    prog.__dict__.setdefault("_lookups", {})
    calls.clear()
    for value, want in ((False, False), (True, True), (None, RF.UNKNOWN)):
        o1 = {name: Fact(value, fact.evidence, fact.note, "U")}
        o2 = {name: Fact(value, fact.evidence, fact.note, "U")}   # another batch's: equal, not the same
        got1 = prog._look("party", fn, ("STE112", None), "DE", day, o1)
        got2 = prog._look("party", fn, ("STE112", None), "DE", day, o2)
        assert got1[0] is want or got1[0] == want
        assert got1 == got2
        assert got1[1] == (name, o1[name])   # the evidence: the fact tried
    assert len(calls) == 3   # once per value tried, not once per batch
    # an override of another fact: the reference's own answer (the same as without override)
    other = prog._look("party", fn, ("STE112", None), "DE", day, {"party(X,Y)": Fact(None, (), None, None)})
    assert other == (plain_v, plain_rec)
    # without override: still the reference's answer (the overridden ones not given in its place)
    assert prog._look("party", fn, ("STE112", None), "DE", day, None) == (plain_v, plain_rec)
    # the reference's own facts (verify reads them: fact_of) are not those tried
    assert prog.fact_of(name, day) == fact


def test_override_part_numbers(prog):
    """One number per distinct override content, read once per override object; a number is
    never given to another content, even after the table is emptied (its bound)."""
    f = Fact(False, ("e",), None, "U")
    prog.__dict__.setdefault("_ovr_codes", {}).clear()   # the bound reached before: the table emptied
    a, b, c = {"x": f}, {"x": Fact(False, ("e",), None, "U")}, {"x": Fact(True, ("e",), None, "U")}
    pa, pb, pc = prog._override_part(a), prog._override_part(b), prog._override_part(c)
    assert pa == pb and pa != pc and pa[0] == "override"
    given = [pa, pc]
    for value in (None, True, False):   # other contents
        given.append(prog._override_part({"y": Fact(value, ("e",), None, "U")}))
    prog._ovr_codes.clear()   # the bound reached: the table emptied
    for value in (None, True, False):
        given.append(prog._override_part({"z": Fact(value, ("e",), None, "U")}))
    assert len(set(given)) == len(given)
    prog._ovr_seen.clear()   # a new chunk (run_chunk)
    assert prog._override_part({"x": Fact(False, ("e",), None, "U")}) not in given   # the table emptied: anew


def test_override_parts_with_a_run(prog):
    """Two runs of the same batch (the verification's reruns the same facts): the same output,
    the look-ups of the second run's overrides found."""
    frame = frame_from_cases(read_cases(synth_text(300, 5, AS_OF)))
    first = prog.run(frame)
    n = len(prog._ovr_codes)
    assert n
    second = prog.run(frame)
    assert first.equals(second)
    assert len(prog._ovr_codes) == n   # no new content


def test_frame_of_as_a_series_per_column():
    """shapes.frame_of: the frame polars' Series per column gave (texts gathered by code, None
    as null, a Series as it is, rows gathered of a Series by index), no row included."""
    from lexquery.columnar.shapes import Coded, as_series, frame_of
    for n in (0, 1, 7):
        rng = np.random.default_rng(n)
        a = Coded(["x", None, "", "é|z"], rng.integers(0, 4, n))
        b = Coded.const("", n)
        s = pl.Series("s", [f"v{i}" if i % 3 else None for i in range(n)], dtype=pl.Utf8)
        lines = pl.Series("line", [10, 11, 12], dtype=pl.Int64)
        rows = rng.integers(0, 3, n)
        got = frame_of({"a": a, "b": b, "s": s, "line": (lines, rows)}, n)
        want = pl.DataFrame([as_series(a, "a"), as_series(b, "b"), s.alias("s"),
                             lines.cast(pl.Utf8).gather(pl.Series(rows.astype(np.uint32))).alias("line")])
        assert got.schema == want.schema and got.height == n
        assert got.equals(want)
        assert list(got.columns) == ["a", "b", "s", "line"]


def test_run_without_a_row_evaluated(prog):
    """A chunk whose every row is asked to the scalar engine (dated from the 2029 code): the
    output frame of its columns, text, the rows the scalar engine's."""
    from lexquery.engine.screen_row import FIELDS
    frame = frame_from_cases(read_cases(synth_text(5, 1, date(2030, 1, 1)), as_of=date(2030, 1, 1)))
    out = prog.run(frame)
    assert list(out.columns) == FIELDS and all(t == pl.Utf8 for t in out.dtypes)
    assert len(prog.fallback) == frame.height and out.height >= frame.height


def test_fact_paths_once_per_book(prog):
    """Program.fact_paths: the rule book's fact paths (program.fact_paths), computed once, made
    again for another book."""
    got = prog.fact_paths()
    assert got == P.fact_paths(prog.book)
    assert prog.fact_paths() is got
    book = prog.book
    try:
        import copy
        other = copy.copy(book)
        prog.book = other
        assert prog.fact_paths() is not got and prog.fact_paths() == P.fact_paths(other)
    finally:
        prog.book = book


def test_joined_many_combinations_as_per_piece():
    """shapes.joined past MANY combinations (joined by polars, one query): the texts the pieces'
    Series joined gave — None left out, '' where no piece gives a text."""
    from lexquery.columnar.shapes import MANY, Coded, group_wide, joined
    n = 4 * MANY
    rng = np.random.default_rng(7)
    pieces = [Coded([None] + [f"a{i}" for i in range(40)], rng.integers(0, 41, n)),
              Coded([None, "b:1", "b:2"], rng.integers(0, 3, n)),
              Coded([None] + [f"c{i}|x" for i in range(30)], rng.integers(0, 31, n))]
    got = joined(pieces, n)
    assert isinstance(got, pl.Series) and got.dtype == pl.Utf8 and len(got) == n
    inv, first = group_wide([c.codes for c in pieces])
    assert len(first) > MANY
    want = ["|".join(t for t in (c.texts[c.codes[i]] for c in pieces) if t is not None) for i in range(n)]
    assert got.to_list() == want
