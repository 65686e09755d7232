"""Issue 16, per-row Python cut from Program.run: the helpers that read a column once per distinct
value or combination give what reading it row by row gave (the screening's bytes are checked on
whole exports by tests/test_columnar_program.py and the development same-bytes check (docs/columnar.md))."""
from __future__ import annotations

import random

import numpy as np

from lexquery.columnar import origins
from lexquery.dates import parse_duration
from lexquery.columnar.compile import V, _objwise, from_objects
from lexquery.columnar.compile_conditions import NONE_DATE
from lexquery.columnar import shapes
from lexquery.columnar.shapes import Coded, as_series, cells_concat, group_wide, iso, iso_coded, joined
from lexquery.rules import functions as F
from lexquery.rules.values import UNKNOWN


def _partition(inv):
    """The rows grouped, whatever the groups' numbering."""
    out: dict = {}
    for i, g in enumerate(np.asarray(inv).tolist()):
        out.setdefault(g, []).append(i)
    return sorted(out.values())


def test_iso_formats_each_date_and_empties_none():
    rng = np.random.default_rng(3)
    days = rng.integers(15_000, 25_000, 500)
    days[rng.random(500) < 0.3] = NONE_DATE
    got = iso(days, NONE_DATE).tolist()
    want = ["" if d == NONE_DATE else str(np.datetime64(int(d), "D")) for d in days.tolist()]
    assert got == want
    assert iso(np.full(4, NONE_DATE), NONE_DATE).tolist() == [""] * 4   # none everywhere


def test_iso_coded_gives_the_cells_of_iso():
    rng = np.random.default_rng(4)
    days = rng.integers(15_000, 25_000, 300)
    days[rng.random(300) < 0.3] = NONE_DATE
    for d in (days, np.full(3, NONE_DATE), days[:0], np.array([19_000])):
        assert iso_coded(d, NONE_DATE).objects().tolist() == iso(d, NONE_DATE).tolist()


def test_coded_cells_put_combine_concat_and_series_as_object_arrays():
    """The text cells kept as codes (shapes.Coded) give, cell for cell, what the object arrays
    they replace gave: put where a mask holds, a function of two columns per distinct pair,
    columns one after the other, the rows taken in another order, the polars Series."""
    rng = np.random.default_rng(7)
    n = 200
    a = Coded(["", "x", "y|z", "x"], rng.integers(0, 4, n))
    b = Coded(["", "law:encoded_until"], rng.random(n) < 0.4)
    A, B = a.objects(), b.objects()
    mask = rng.random(n) < 0.3
    assert a.put(mask, "w").objects().tolist() == np.where(mask, "w", A).tolist()
    sub = Coded(["p", "q"], rng.integers(0, 2, int(mask.sum())))
    want = A.copy()
    want[mask] = sub.objects()
    assert a.put(mask, sub).objects().tolist() == want.tolist()
    assert a.put(np.zeros(n, dtype=bool), "w").objects().tolist() == A.tolist()

    def join(x, y):
        return np.array([x_ if not y_ else (y_ if not x_ else x_ + "|" + y_) for x_, y_ in zip(x, y)], dtype=object)
    assert a.combine(b, join).objects().tolist() == join(A, B).tolist()
    perm = rng.permutation(2 * n)
    both = Coded.concat([a, b]).take(perm)
    assert both.objects().tolist() == np.concatenate([A, B])[perm].tolist()
    assert both.series("c").to_list() == np.concatenate([A, B])[perm].tolist()
    assert Coded.const("", 0).series("c").to_list() == [] and Coded.concat([]).objects().tolist() == []


def test_joined_pieces_as_row_by_row_few_or_many_combinations():
    """shapes.joined: per row the pieces' texts (None: nothing) « | »-joined in order, '' when
    none — per combination in Python, or by polars for many (the cells of dated notes); and
    such a column concatenated with Coded ones and permuted (cells_concat) cell for cell."""
    rng = np.random.default_rng(11)
    n = 3000
    for width in (3, 900):   # few combinations / nearly one per row (above shapes.MANY)
        pieces = [Coded([None] + [f"p{j}:{i}" for i in range(width)], rng.integers(0, width + 1, n))
                  for j in range(3)]
        want = ["|".join(t for t in ts if t is not None) for ts in zip(*[c.objects().tolist() for c in pieces])]
        got = joined(pieces, n)
        assert isinstance(got, Coded) == (width == 3)
        assert as_series(got, "x").to_list() == want
        other = Coded(["a", "b"], rng.integers(0, 2, 50))
        perm = rng.permutation(n + 50)
        both = cells_concat([got, other], "x", perm)
        assert as_series(both, "x").to_list() == np.array(want + other.objects().tolist(), dtype=object)[perm].tolist()
    assert joined([], 4).objects().tolist() == [""] * 4
    assert shapes.MANY < 900


def test_group_wide_groups_equal_rows_whatever_the_width():
    rng = np.random.default_rng(5)
    a = rng.choice(np.array([NONE_DATE, 19_000, 19_001, 20_500]), 400)
    b = rng.choice(np.array([0, 1, 2**40]), 400)
    inv, first = group_wide([a, b])
    assert _partition(inv) == _partition(np.unique(np.stack([a, b], axis=1), axis=0, return_inverse=True)[1])
    for g, f in enumerate(first.tolist()):   # the representative is in its group, the first of it
        rows = np.nonzero(inv == g)[0]
        assert rows[0] == f


def test_distinct_and_layout_read_each_list_once_same_items():
    shared = [["MA", "DZ"], [], ["TN"]]
    vals = [random.Random(i).choice(shared + [UNKNOWN, None]) for i in range(300)]
    col = from_objects(vals)
    reps, inv, _ = origins.distinct(col.v)
    assert [reps[i] is v for i, v in zip(inv.tolist(), vals)] == [True] * len(vals)
    lengths, starts, items, listish, _ = origins._layout(col)
    assert lengths.tolist() == [len(v) if isinstance(v, list) else 0 for v in vals]
    assert items.tolist() == [x for v in vals if isinstance(v, list) for x in v]
    assert listish.all()


def test_objwise_once_per_distinct_arguments_same_values():
    # heaviest / field / join of the rule files over convictions shared by their rows
    convs = [[{"court": "A", "total": parse_duration("P2Y")}, {"court": "B", "total": parse_duration("P3Y")}],
             [{"court": "C", "total": parse_duration("P1Y")}], UNKNOWN, []]
    rows = [convs[i % 4] for i in range(200)]
    x = from_objects(rows)
    name = from_objects(["total"] * 200)
    got = _objwise(F.FUNCTIONS["heaviest"], [x, name])
    want = from_objects([F.FUNCTIONS["heaviest"](None, r, "total") for r in rows])
    assert got.kind == want.kind
    assert got.objects() == want.objects()
    assert (got.unk == want.unk).all() and (got.nil == want.nil).all()


def test_from_objects_unknown_and_none_by_identity():
    x = from_objects([UNKNOWN, None, [1], {"a": 1}, parse_duration("P1M")])
    assert x.unk.tolist() == [True, False, False, False, False]
    assert x.nil.tolist() == [False, True, False, False, False]
    assert isinstance(x, V)


def test_a_literal_list_is_read_without_its_rows_and_list_lengths_per_distinct_list():
    """compile._list_shape of a literal's column (compile.const: one object in every row) is
    what reading each row's object gives, and membership in it the same; the proof's list
    lengths (compile_population._list_lengths, per distinct list) those read row by row."""
    from lexquery.columnar import compile as C
    from lexquery.columnar.compile import const
    from lexquery.columnar.compile_population import _list_lengths
    lst = ["MA", "DZ", "TN"]
    col = const(lst, 300)
    copy = np.empty(300, dtype=object)
    copy.fill(lst)   # the same rows, not known to be a literal's
    got, want = C._list_shape(col.v), C._list_shape(copy)
    assert got[0] and want[0] and got[2].tolist() == want[2].tolist() and got[3].tolist() == want[3].tolist()
    assert np.array_equal(got[1], want[1])
    states = from_objects([random.Random(i).choice(["MA", "FR", "DZ", UNKNOWN]) for i in range(300)])
    assert np.array_equal(C._member(states, col), C._member(states, V("obj", copy, col.unk, col.nil)))
    a, b = [1], [2, 3]
    vals = [a, b, UNKNOWN, None, a, b, []] * 20
    origins.clear()
    x = from_objects(vals)
    assert _list_lengths(x).tolist() == [len(v) if isinstance(v, list) else -1 for v in vals]
    origins.clear()


def test_candidate_states_per_group_as_per_case():
    """compile_rows._candidates (per nationality: the cases grouped by their nationalities
    alone; else by every fact naming a State) gives each case the States candidate_states
    gives it, on synthetic cases with and without blanked cells."""
    from columnar_helpers import AS_OF, blank, read_cases
    from lexquery.columnar.compile_rows import _candidates
    from lexquery.columnar.program import facts_from_cases
    from lexquery.engine.candidates import CANDIDATE_FACTS, candidate_states
    from lexquery.screening.synth import synth_text
    for share in (0.0, 0.3):
        text = synth_text(400, 9, AS_OF)
        cases = [c for _, _, c in read_cases(blank(text, share, 4) if share else text)]
        facts = facts_from_cases(cases, CANDIDATE_FACTS)
        for only in (True, False):
            groups, inv = _candidates(facts, len(cases), only)
            got = [groups[g] for g in inv.tolist()]
            assert got == [[s for s, _ in candidate_states(c, only)] for c in cases]
            if only:
                assert len(groups) < len(_candidates(facts, len(cases), False)[0])


def test_restrict_keeps_the_masks_where_nothing_is_taken_away():
    """compile.restrict: the rows of each mask under ``mask``; where it holds everywhere, the
    same masks in a new dict (so adding a key to it leaves the original alone)."""
    from lexquery.columnar.compile import restrict
    rng = np.random.default_rng(2)
    d = {"a": rng.random(50) < 0.5, "b": rng.random(50) < 0.5}
    for mask in (np.ones(50, dtype=bool), rng.random(50) < 0.5, np.zeros(50, dtype=bool)):
        got = restrict(d, mask)
        assert got is not d and list(got) == list(d)
        for k in d:
            assert np.array_equal(got[k], d[k] & mask)
        got["c"] = mask
        assert "c" not in d
    assert restrict({}, np.zeros(3, dtype=bool)) == {}


def test_a_literal_text_column_coded_without_its_rows():
    """program._codes_of of a literal's text column (compile.const) is what coding its rows gives."""
    from lexquery.columnar.compile import const
    from lexquery.columnar.program import _codes_of
    col = const("end_date", 40)
    copy = V("str", np.array(["end_date"] * 40, dtype=object), col.unk, col.nil)
    assert _codes_of(col).tolist() == _codes_of(copy).tolist() == [2] * 40
    assert _codes_of(const("x", 0)).tolist() == []
