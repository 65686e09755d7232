"""Adversarial checks of the lean-marks merge (13f1ff0): the three paths it made faster must give
what the general code gives, and the columnar screening the scalar one's bytes.

1. ``origins.spread`` / ``origins.distinct``: an object array gathered from a few source objects
   remembered in ``origins._SPREAD`` by ``id()`` with a weak reference — an array freed and
   another made at the same address (by reference counting and by the cycle collector, between
   batches, a stale entry left behind), copies, views and pickles of a gathered array, two threads
   spreading at once past the table's limit, and gathered arrays made read-only through whole
   screenings (any write in place into one would raise, and be seen).
2. Text columns and candidate States read once per distinct text (``_codes_of``, ``_member``,
   ``V.take``): texts equal or nearly (Unicode normalisation, case, spaces, empty), unknown and
   « none » rows, rows taken out of order and repeated — against a plain copy never gathered; and
   whole files whose text cells and States vary so, new texts first met in later batches.
3. The write side's formula/CR check of ``id`` and ``name`` made on the input frame: formula
   characters and CRs met only in lines read alone (the scalar fallback), in error rows, after a
   space the reader may strip, in JSON Lines; ``-j 2`` (main thread, and real workers writing
   spool files); ``--reform``'s impact.

Small blocks (many batches); the columnar output compared with the scalar engine's byte for byte.
"""
from __future__ import annotations

import gc
import io
import pickle
import sys
import threading
import unicodedata
from datetime import date

import numpy as np
import pytest

pl = pytest.importorskip("polars")

from hypothesis import given, settings, strategies as st  # noqa: E402

from lexquery.columnar import compile as C, origins  # noqa: E402
from lexquery.columnar import program as P  # noqa: E402
from lexquery.rules.values import UNKNOWN  # noqa: E402
from lexquery.screening import columnar_pipeline as CP  # noqa: E402
from lexquery.screening.columnar_pipeline import screen_columnar  # noqa: E402
from lexquery.screening.outputs import CsvWriter  # noqa: E402
from lexquery.screening.synth import synth_text  # noqa: E402
from test_columnar_adversarial import _file, _get, _screen, _set, no_workers  # noqa: E402,F401  (fixture)
from test_columnar_marks import _plain_distinct as _plain, _same_distinct as _same  # noqa: E402
from test_columnar_pipeline import assert_same  # noqa: E402

AS_OF = date(2026, 12, 1)
BLOCK = 4096
_TEXT = synth_text(240, seed=11, ref=AS_OF)
_HEAD, *_BODY = _TEXT.rstrip("\n").split("\n")
_COL = {c: i for i, c in enumerate(_HEAD.split(";"))}


# --- 1. origins.spread: identity, reuse of addresses, copies, threads ---------------------------------
def _objs(k):
    out = np.empty(k, dtype=object)
    out[:] = [[{"k": i}] for i in range(k)]
    return out


def test_an_array_made_where_a_gathered_one_was_freed_is_read_as_itself():
    """A gathered array freed (by reference counting, and by the cycle collector), an array of
    the same size made at once — CPython gives it the same address, so the same ``id``: it must
    never be read as the freed one's spread (its own objects, not the source's)."""
    base = _objs(3)
    hits = 0
    for i in range(200):
        got = origins.spread(base, np.array([0, 1, 2, 1, 0, 2, 2], dtype=np.int64))
        key = id(got)
        if i % 8 == 1:   # freed by the cycle collector (its weak reference's callback run there)
            holder = [got]
            holder.append(holder)
            del holder
        del got
        if i % 8 == 1:
            gc.collect()
        other = _objs(7)
        if id(other) == key:
            hits += 1
        assert not origins.gathered(other)
        _same(origins.distinct(other), _plain(other))
        assert len(origins.distinct(other)[0]) == 7
        x = C.V("obj", other, np.zeros(7, dtype=bool), np.zeros(7, dtype=bool))
        assert [a is b for a, b in zip(x.take(np.array([6, 0, 6])).v, [other[6], other[0], other[6]])] == [True] * 3
    if not hits:   # pragma: no cover - an allocator that never gave the address back
        pytest.skip("no address reused: nothing to check")


def test_a_stale_entry_under_a_reused_id_is_not_read():
    """An entry left in the table after its array died (a callback not run yet, or run late),
    under the id of a new array: the weak reference no longer gives that array — not read; and
    the late callback of the old reference does not drop the new array's own entry."""
    base = _objs(2)
    got = origins.spread(base, np.array([0, 1, 1], dtype=np.int64))
    key = id(got)
    entry = origins._SPREAD[key]
    old_ref = entry[0]
    del got
    assert key not in origins._SPREAD   # the callback ran with the array
    for _ in range(200):
        new = origins.spread(_objs(3), np.array([2, 1, 0], dtype=np.int64))
        if id(new) == key:
            break
    else:   # pragma: no cover
        pytest.skip("no address reused")
    mine = origins._SPREAD[key]
    origins._forget(old_ref, key)   # the old array's callback, late: the new entry stays
    assert origins._SPREAD.get(key) is mine and origins.gathered(new)
    origins._SPREAD[key] = entry   # the old entry back (as if never forgotten): the new array is plain
    try:
        assert not origins.gathered(new)
        _same(origins.distinct(new), _plain(new))
    finally:
        origins._SPREAD.pop(key, None)


def test_copies_views_and_pickles_of_a_gathered_array_are_read_as_themselves():
    base = _objs(4)
    idx = np.array([3, 0, 3, 2, 2, 0, 1], dtype=np.int64)
    got = origins.spread(base, idx)
    for other in (got.copy(), got[:], got[::2], got[1:], got[::-1], np.array(got), pickle.loads(pickle.dumps(got))):
        assert not origins.gathered(other)
        want = _plain(other)
        _same(origins.distinct(other), want) if other is not got else None
    # a copy written into: the gathered array and its distinct objects untouched
    c = got.copy()
    c[0] = ["x"]
    _same(origins.distinct(got), _plain(got))
    # a V and its take: the rows gathered again, out of order and repeated
    x = C.V("obj", got, np.zeros(7, dtype=bool), np.zeros(7, dtype=bool))
    t = x.take(np.array([6, 6, 0, 3, 3, 3, 1, 5], dtype=np.int64))
    assert origins.gathered(t.v) and [o is base[i] for o, i in zip(t.v, idx[[6, 6, 0, 3, 3, 3, 1, 5]])] == [True] * 8
    _same(origins.distinct(t.v), _plain(t.v))
    y = pickle.loads(pickle.dumps(t))  # a V sent to a worker: its values plain there
    assert not origins.gathered(y.v) and [a == b for a, b in zip(y.v, t.v)] == [True] * 8


def test_two_threads_spreading_past_the_table_s_limit(monkeypatch):
    """The main process answers batches on a thread while another runs (-j 2): two threads
    spreading, taking and reading distinct objects at once, the table cleared by its limit
    under them — every answer the general one's, no error in a weak reference's callback."""
    raised = []
    monkeypatch.setattr(sys, "unraisablehook", lambda u: raised.append(u))
    errors = []

    def work(seed):
        rng = np.random.default_rng(seed)
        try:
            for _ in range(800):
                base = _objs(int(rng.integers(1, 9)))
                idx = rng.integers(0, len(base), int(rng.integers(0, 40)))
                got = origins.spread(base, idx)
                again = origins.spread(got, rng.integers(0, max(len(got), 1), len(got)) if len(got) else idx[:0])
                for arr in (got, again):
                    d = origins.distinct(arr)
                    p = _plain(arr)
                    if not (len(d[0]) == len(p[0]) and all(a is b for a, b in zip(d[0], p[0]))
                            and np.array_equal(d[1], p[1]) and np.array_equal(d[2], p[2])):
                        errors.append((seed, len(base), idx.tolist()))
                        return
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(repr(e))
    ts = [threading.Thread(target=work, args=(s,)) for s in (1, 2)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    gc.collect()
    assert not errors and not raised, (errors[:3], raised[:3])


# --- 2. text codes and membership read once per distinct text -----------------------------------------
_POOL = ["FR", "fr", " FR", "FR ", "\u00a0FR", "", "É", unicodedata.normalize("NFD", "É"), "é", "DZ", "MA",
         "tribunal correctionnel de Lille", "tribunal  correctionnel de Lille", "Ⅸ", "IX", "ß", "ss", "\r", "z"]


def _text_column(draw_codes, unk, nil):
    """A V "str" made as frame_columns.plain_columns makes it: texts by code, None for unknown,
    the code 0's text in a « none » row; and its plain copy (never gathered)."""
    texts = np.empty(len(_POOL) + 1, dtype=object)
    texts[:len(_POOL)] = _POOL
    codes = np.where(unk, len(_POOL), np.where(nil, 0, draw_codes))
    arr = origins.spread(texts, codes)
    plain = np.empty(len(arr), dtype=object)
    plain[:] = list(arr)
    return C.V("str", arr, unk, nil), C.V("str", plain, unk.copy(), nil.copy())


def _codes(x):
    P._CODES.clear()
    return P._codes_of(x)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, len(_POOL) - 1), st.integers(0, 9)), min_size=1, max_size=60),
       st.lists(st.integers(0, 59), max_size=80), st.lists(st.sampled_from(_POOL), min_size=0, max_size=4))
def test_codes_and_membership_of_gathered_texts_are_the_plain_ones(rows, take, lst):
    codes = np.array([c for c, _ in rows], dtype=np.int64)
    unk = np.array([m == 0 for _, m in rows])
    nil = np.array([m == 1 for _, m in rows])
    g, p = _text_column(codes, unk, nil)
    assert origins.gathered(g.v)
    assert np.array_equal(_codes(g), _codes(p))
    idx = np.array([i % len(rows) for i in take], dtype=np.int64)
    gt, pt = g.take(idx), p.take(idx)
    assert origins.gathered(gt.v) and gt.v.tolist() == pt.v.tolist()
    assert np.array_equal(_codes(gt), _codes(pt))
    for x, y in ((g, p), (gt, pt)):
        n = len(x)
        if not n:
            continue
        same = np.empty(n, dtype=object)   # one list in every row: _member's « few » path
        for i in range(n):
            same[i] = lst
        ys = C.V("obj", same, np.zeros(n, dtype=bool), np.zeros(n, dtype=bool))
        C._MEMBERS.clear()
        a = C._member(x, ys)
        C._MEMBERS.clear()
        b = C._member(y, ys)
        assert np.array_equal(a, b)
    # the cache of codes by column: a gathered column then its plain twin, and back
    P._CODES.clear()
    first = P._codes_of(g)
    assert np.array_equal(P._codes_of(p), first) and np.array_equal(P._codes_of(g), first)


@pytest.mark.parametrize("gathered", [True, False])
def test_the_codes_of_a_column_are_not_those_of_another_with_the_same_values_and_other_unknowns(gathered):
    """Two columns sharing their values' array, one unknown in more rows (``if c then x``, every
    row taking ``x``: compile's ``V(kind, x.v, c.unk | x.unk, …)``): the texts of the rows unknown
    in the one but known in the other are read as "" there. The codes kept by the array
    (``program._CODES``) must not be given to the other: rows "DZ" and "MA" would be one group
    (a function of them called once for both), and two rows "DZ" two groups."""
    texts = np.empty(4, dtype=object)
    texts[:] = ["DZ", "MA", "ES", None]
    codes = np.array([0, 1, 2, 0, 1], dtype=np.int64)
    arr = origins.spread(texts, codes) if gathered else np.array([texts[i] for i in codes], dtype=object)
    known = np.zeros(5, dtype=bool)
    x = C.V("str", arr, known, known)
    wider = C.V("str", arr, np.array([True, True, False, False, False]), known)
    want_x, want_wider = _codes(x), _codes(wider)
    P._CODES.clear()
    assert np.array_equal(P._codes_of(wider), want_wider)
    got = P._codes_of(x)   # after the other's codes were kept
    assert np.array_equal(got, want_x) and got[0] == got[3] != got[1] == got[4]
    assert np.array_equal(P._codes_of(wider), want_wider)


def test_candidate_states_gathered_take_the_rows_asked():
    """``_take_state``: States gathered from the combinations' taken in any order, repeated."""
    from lexquery.columnar.compile_rows import _take_state
    states = np.empty(4, dtype=object)
    states[:] = ["DZ", "MA", "ES", "DZ"]
    x = C.V("str", origins.spread(states, np.array([0, 1, 2, 3, 3, 1], dtype=np.int64)),
            np.array([False, False, False, False, True, False]), np.zeros(6, dtype=bool))
    x.v[4:5]  # noqa: B018 - a view read, nothing written
    pos = np.array([5, 0, 0, 3, 1], dtype=np.int64)
    got = _take_state(x, pos)
    assert got.v.tolist() == ["MA", "DZ", "DZ", "DZ", "MA"] and origins.gathered(got.v)
    assert np.array_equal(_codes(got), _codes(C.V("str", np.array(got.v.tolist(), dtype=object), got.unk, got.nil)))


# --- whole screenings --------------------------------------------------------------------------------
_STATE_VARIANTS = ["fr", " FR", "FR ", "Fr", "DZ ", "dz", "XX", "ZZ", "MA|ma", "FR|FR", "DZ|MA|TN", "|DZ", "DZ|",
                   "aucune", "inconnue", "É", unicodedata.normalize("NFD", "É"), "\u00a0MA", "ＭＡ"]
_TEXT_COLS = ("nationalities", "habitual_residence", "fled_to", "removal_destination", "receiving_state", "location")


def _text_variants(late_only: bool):
    """State and text cells replaced by near-equal variants (case, spaces, normalisation, width,
    lists with repeats), every 3rd line; ``late_only``: from line 160 on — texts (and so categories)
    first met in the last batches."""
    body = []
    for i, x in enumerate(_BODY):
        if i % 3 == 1 and (i >= 160 or not late_only):
            col = _TEXT_COLS[(i // 3) % len(_TEXT_COLS)]
            x = _set(x, col, _STATE_VARIANTS[(i // 3) % len(_STATE_VARIANTS)])
        if i % 5 == 2 and (i >= 160 or not late_only):
            court = _get(x, "court")
            x = _set(x, "court", [court.upper(), " " + court, court + " ", unicodedata.normalize("NFD", court),
                                  court.replace("'", "’"), ""][(i // 5) % 6])
        if i % 7 == 3 and (i >= 160 or not late_only):
            x = _set(x, "establishment", ["", " ", _get(x, "establishment").lower(), "Établissement inconnu"][(i // 7) % 4])
        if i % 11 == 5:
            x = _set(x, "removal_kinds", ["oqtf", "OQTF|OQTF", "ITF|", "expulsion|ITF|OQTF", "aucune", "ITF | OQTF"][(i // 11) % 6])
        body.append(x)
    return _file(body)


def _one_state_per_batch():
    """Each batch's rows of one nationality only, the next batch another: the same code (0) is
    a different text from batch to batch."""
    nat = ["DZ", "MA", "ES", "TN", "FR|DZ", "CI", "BR", "PL"]
    return _file([_set(x, "nationalities", nat[(i // 12) % len(nat)]) for i, x in enumerate(_BODY)])


def _blanked_texts():
    return _file([_set(_set(x, "nationalities", ""), "fled_to", "") if i % 2 else x for i, x in enumerate(_BODY)])


_TRIGGERS = ["=1+1", "+33 6", "-2", "@SUM(A1)", "\t=tab", '"a\rb"', '"=a\r\nb"', " =x", "\u00a0=x", "'=q", "=", "\r"]

_PLAIN_TRIGGERS = ["=1+1", "+33 6", "-2", "@SUM(A1)", "\t=tab", " =x", "\u00a0=x", "'=q", "="]   # no quote, no CR


def _triggers_read_alone():
    """Formula characters in the ``id`` and ``name`` of lines the vector reader hands to the
    scalar engine, which answers them (an odd removal kind makes them so), or turns them into
    error rows (a bad date; no id), in batches whose other names are plain: the check made on the
    input frame must see them. CRs in quoted names last (after one, the rest is read as records)."""
    body = list(_BODY)
    kinds = ["oqtf", "OQTF|OQTF", "ITF|", "ITF | OQTF"]
    for j, i in enumerate(range(9, len(body) - 4, 23)):
        t = _PLAIN_TRIGGERS[j % len(_PLAIN_TRIGGERS)]
        x = _set(body[i], "removal_kinds", kinds[j % 4])
        body[i] = _set(x, "name", t) if j % 3 else _set(x, "id", t + str(i))
    for j, i in enumerate(range(20, len(body) - 4, 37)):
        x = _set(body[i], "birth_date", ["2025-02-30", "bad", "2025-13-01"][j % 3])
        body[i] = _set(x, "id", _PLAIN_TRIGGERS[j % 4] + str(i)) if j % 2 else _set(_set(x, "id", ""), "name", "=x")
    body[-3] = _set(body[-3], "name", '"a\rb"')
    body[-1] = _set(body[-1], "name", '"=a\r\nb"')
    return _file(body)


def _triggers_after_strip():
    """Names and ids that begin with a space or a no-break space before a formula character (the
    reader may strip them), a CR alone, a name only of spaces: in lines the program answers."""
    cells = [" =1", "  +2", "\u00a0@x", " \t-3", "=", " ", "\u2003=em", "\ufeff=bom", " -"]
    body = [_set(x, "name", cells[(i // 13) % len(cells)]) if i % 13 == 6 else x for i, x in enumerate(_BODY)]
    return _file([_set(x, "id", " =" + _get(x, "id")) if i % 29 == 8 else x for i, x in enumerate(body)])


def _trigger_only_in_last_batch():
    body = list(_BODY)
    body[-1] = _set(body[-1], "name", "=HYPERLINK(\"x\")")
    body[-3] = _set(_set(body[-3], "expected_end", "2025-02-30"), "id", "@late")
    return _file(body)


def _no_name_column():
    head = _HEAD.split(";")
    k = _COL["name"]
    drop = [";".join(c for j, c in enumerate(x.split(";")) if j != k) for x in _BODY]
    return _file([("=" + x) if i % 31 == 4 else x for i, x in enumerate(drop)],
                 ";".join(c for j, c in enumerate(head) if j != k))


def _duplicate_formula_ids():
    """Formula ids repeated within a batch and across batches (the repeat an error row, its id
    written neutralised) and first met on a line read alone."""
    body = list(_BODY)
    for j, (a, b) in enumerate([(10, 14), (30, 200), (60, 61), (120, 230)]):
        fid = _PLAIN_TRIGGERS[j % 5] + "dup" + str(j)
        body[a] = _set(body[a], "id", fid)
        body[b] = _set(body[b], "id", fid)
    body[60] = _set(body[60], "removal_kinds", "oqtf")   # the first one read alone
    return _file(body)


_NAME_POOL = _PLAIN_TRIGGERS + ["Dupont", "", " ", "Müller", unicodedata.normalize("NFD", "Éloïse"), "O'Neil",
                                "-", "+", "@", "\t", "a=b", "José\u00a0"]


def _random_file(seed: int) -> bytes:
    """Every text cell of a random share of the lines replaced by a variant (States, courts,
    kinds, names, ids with formula characters): what the three paths read, mixed at random."""
    import random
    rng = random.Random(seed)
    body = []
    for i, x in enumerate(_BODY):
        if rng.random() < 0.35:
            col = rng.choice(_TEXT_COLS)
            x = _set(x, col, rng.choice(_STATE_VARIANTS + [_get(x, col), ""]))
        if rng.random() < 0.15:
            x = _set(x, "name", rng.choice(_NAME_POOL))
        if rng.random() < 0.05:
            x = _set(x, "id", rng.choice(_PLAIN_TRIGGERS) + str(i))
        if rng.random() < 0.1:
            x = _set(x, "court", rng.choice(["", _get(x, "court").upper(), "tribunal correctionnel de Lille",
                                             unicodedata.normalize("NFD", _get(x, "court"))]))
        if rng.random() < 0.03:
            x = _set(x, "removal_kinds", "oqtf")
        body.append(x)
    return _file(body)


FILES = {
    "duplicate_formula_ids": _duplicate_formula_ids,
    "random_0": lambda: _random_file(0),
    "random_1": lambda: _random_file(1),
    "random_2": lambda: _random_file(2),
    "text_variants": lambda: _text_variants(False),
    "text_variants_late": lambda: _text_variants(True),
    "one_state_per_batch": _one_state_per_batch,
    "blanked_texts": _blanked_texts,
    "triggers_read_alone": _triggers_read_alone,
    "triggers_after_strip": _triggers_after_strip,
    "trigger_only_in_last_batch": _trigger_only_in_last_batch,
    "no_name_column": _no_name_column,
}


@pytest.mark.parametrize("case", sorted(FILES))
def test_a_mutated_file_is_screened_to_the_scalar_engine_s_bytes(tmp_path, case):
    errors = len(CP.PROGRAM_ERRORS)
    assert_same(FILES[case](), tmp_path, block_bytes=BLOCK)
    assert CP.PROGRAM_ERRORS[errors:] == []


@pytest.mark.parametrize("case", ["triggers_read_alone", "triggers_after_strip", "text_variants"])
def test_json_lines_of_a_mutated_file(tmp_path, case):
    assert_same(FILES[case](), tmp_path, block_bytes=BLOCK, fmt="jsonl")


@pytest.mark.parametrize("case", ["text_variants_late", "one_state_per_batch"])
def test_gathered_arrays_are_never_written_in_place(tmp_path, monkeypatch, case):
    """Every array ``origins.spread`` makes, and its source, made read-only: a write in place into
    one (which would leave its remembered source saying other objects) raises — the program's error
    is counted, and the batch answered by the scalar engine: none may be."""
    real = origins.spread

    def frozen(base, idx):
        out = real(base, idx)
        out.flags.writeable = False
        base.flags.writeable = False
        return out
    monkeypatch.setattr(origins, "spread", frozen)
    errors = len(CP.PROGRAM_ERRORS)
    assert_same(FILES[case](), tmp_path, block_bytes=BLOCK)
    assert CP.PROGRAM_ERRORS[errors:] == []


def test_addresses_reused_between_batches(tmp_path, monkeypatch):
    """Between two batches every freed array collected and the freed addresses taken again by new
    object arrays of the batch's sizes (kept for the next batch): a table keyed by ``id`` that
    read a dead array's rows would give another batch's texts or lists."""
    real = CP.answer_block
    keep: list = []

    def churn(ctx, frame, *a, **k):
        gc.collect()
        keep.clear()
        for n in (frame.height, frame.height * 2, 7, 64, 300):
            for _ in range(40):
                arr = np.empty(n, dtype=object)
                arr[:] = [["stale"]] * n if n else []
                keep.append(arr)
        return real(ctx, frame, *a, **k)
    monkeypatch.setattr(CP, "answer_block", churn)
    assert_same(FILES["one_state_per_batch"](), tmp_path, block_bytes=BLOCK)
    assert_same(FILES["text_variants_late"](), tmp_path, block_bytes=BLOCK)


@pytest.mark.parametrize("case", ["triggers_read_alone", "text_variants_late", "triggers_after_strip"])
def test_two_jobs_answered_on_the_main_thread_write_the_bytes_of_one(tmp_path, no_workers, case):  # noqa: F811
    p = tmp_path / "in.csv"
    p.write_bytes(FILES[case]())
    assert _screen(str(p), 2) == _screen(str(p), 1)
    assert no_workers == ["spawn"]


def _cli(args, tmp_path, name):
    import os
    import subprocess
    from pathlib import Path
    src = str(Path(__file__).resolve().parent.parent / "src")
    env = dict(os.environ, PYTHONPATH=src + os.pathsep + os.environ.get("PYTHONPATH", ""))
    out = tmp_path / name
    r = subprocess.run([sys.executable, "-m", "lexquery", *args, "-o", str(out), "--as-of", "2026-12-01",
                        "--no-progress", "--quiet"], env=env, capture_output=True, timeout=300)
    assert r.returncode in (0, 3), r.stderr.decode()
    return out.read_bytes()


def test_real_workers_spool_files_and_the_scalar_engine(tmp_path, monkeypatch):
    """``-j 2`` with a worker process writing spool files (≈ 20 batches of 8 KB: its batches' id
    and name checks made in the worker), against the scalar engine; and JSON Lines so."""
    from lexquery.screening import columnar_jobs as CJ
    started = []
    real = CJ.Pool
    monkeypatch.setattr(CJ, "Pool", lambda *a, **k: started.append(1) or real(*a, **k))
    lines = synth_text(800, seed=12, ref=AS_OF).rstrip("\n").split("\n")
    head, body = lines[0], lines[1:]
    col = {c: i for i, c in enumerate(head.split(";"))}

    def put(x, c, v):
        cells = x.split(";")
        cells[col[c]] = v
        return ";".join(cells)
    for j, i in enumerate(range(37, len(body), 61)):
        body[i] = put(put(body[i], "birth_date", "2025-02-30"), "name", _TRIGGERS[j % len(_TRIGGERS)])
    for j, i in enumerate(range(50, len(body), 89)):   # answered by the program: formula names there too
        body[i] = put(body[i], "name", ["=x", "Dupont", "@y"][j % 3])
    body[-2] = put(body[-2], "id", "=late")
    data = ("\n".join([head] + body) + "\n").encode("utf-8")
    p = tmp_path / "in.csv"
    p.write_bytes(data)
    from lexquery.screening.outputs import JsonlWriter
    from lexquery.screening.screen import screen
    from test_columnar_pipeline import _ENGINE
    for w in (CsvWriter, JsonlWriter):
        a, b = io.StringIO(), io.StringIO()
        screen(str(p), w(a), as_of=AS_OF, engine=_ENGINE, progress=False)
        before = len(CJ.WORKER_ERRORS)
        screen_columnar(str(p), w(b), as_of=AS_OF, progress=False, block_bytes=8192, jobs=2)
        assert CJ.WORKER_ERRORS[before:] == []
        assert b.getvalue() == a.getvalue()
    assert started == [1, 1]   # a worker process each time
    p.write_bytes(data)
    one = _screen(str(p), 1)
    assert one.count("'=") + one.count("'@") >= 3


def test_a_reform_s_impact_on_a_mutated_file_is_the_scalar_engine_s(tmp_path):
    """``--reform``: two programs (the law's and the reform's) each gathering its columns, on a
    file with text variants and formula names read alone: the impact of both engines the same."""
    from pathlib import Path
    from lexquery.engine.api import load_kb
    from lexquery.engine.reform import load_reform
    from lexquery.screening import impact as imp_mod
    from lexquery.screening.impact import screen_impact
    root = Path(__file__).resolve().parent.parent / "examples" / "reforms"
    base = load_kb()
    body = _text_variants(False).decode().rstrip("\n").split("\n")[1:]
    alone = _triggers_read_alone().decode().rstrip("\n").split("\n")[1:]
    p = tmp_path / "in.csv"
    p.write_text("\n".join([_HEAD] + [a if i % 2 else b for i, (a, b) in enumerate(zip(body, alone))]) + "\n",
                 encoding="utf-8")
    for name in ("lsc-plein-droit-trois-ans.yaml", "maroc-ste167.yaml"):
        r = load_reform(root / name, base.book, base.ref)
        outs = []
        for eng in ("columnar", "scalar"):
            imp, _, _ = screen_impact(str(p), r, base=base, as_of=date(2027, 7, 1), progress=False, engine=eng,
                                      jobs=1, block_bytes=BLOCK if eng == "columnar" else None)
            o = io.StringIO()
            imp_mod.WRITERS["csv"](imp, o)
            outs.append(o.getvalue())
        assert outs[0] == outs[1]
