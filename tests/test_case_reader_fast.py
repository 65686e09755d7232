"""The fast readers give exactly what the generic ones give.

``read_case`` reads a well-formed case with a reader generated from SCHEMA
(``engine/case.py``: ``_read_case_fast``) and hands anything else to the generic reader
(``_read_case_generic``), which words the problems; ``RowBuilder.row`` reads a well-formed
CSV row with a reader compiled for the header (``Row.ready``, the raw case built only if
asked for) and hands anything else to the generic row reader. Over the legal cases, the
examples, the rows of ``lexquery synth`` and mutated copies of all of them (bad dates,
bad booleans, unknown States, empty cells, repeated ids, the bounds of the case format):
the fast path is taken exactly when the generic reader accepts, and both give the same
normalised case (same keys, same order) or the same problems, word for word.
"""
from __future__ import annotations

import copy
import io
import json
import pickle
import random
from datetime import date
from pathlib import Path

import pytest

from lexquery.engine import case as C
from lexquery.errors import CaseError
from lexquery.screening import csv_cases as CC
from lexquery.screening import csv_columns, csv_compiled, csv_rows
from lexquery.screening.synth import synth_text
from test_legal_cases import CASES_DIR, load_cases

ROOT = Path(__file__).resolve().parent.parent
AS_OF = date(2026, 12, 1)


# --- comparing outcomes ---------------------------------------------------------------------
def same(a, b) -> bool:
    """Equal, and every dict's keys in the same order (the order problems are found in)."""
    if isinstance(a, dict) and isinstance(b, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return type(a) is type(b) and a == b


def outcome(fn, *args, **kw):
    try:
        return "case", fn(*args, **kw)
    except CaseError as e:
        return "error", ([(p.where, p.message, p.expected, p.hint) for p in e.problems], e.source,
                         csv_columns.describe(e.problems))


def check_json(data) -> bool:
    """read_case (fast first) and the generic reader agree on ``data``; True if it is accepted."""
    fast = outcome(C.read_case, copy.deepcopy(data), "cas.json", default_as_of=AS_OF)
    ref = outcome(C._read_case_generic, copy.deepcopy(data), "cas.json", default_as_of=AS_OF)
    assert fast[0] == ref[0] and same(fast[1], ref[1]), (data, fast, ref)
    try:   # the fast path is taken exactly when the generic reader accepts
        direct = C._read_case_fast(copy.deepcopy(data))
    except Exception:
        direct = None
    assert (direct is not None) == (ref[0] == "case"), data
    if direct is not None:
        direct.setdefault("as_of", AS_OF)
        assert same(direct, ref[1]), data
    return ref[0] == "case"


# --- JSON cases -------------------------------------------------------------------------------
def json_cases() -> list:
    out = [c["case"] for p in sorted(CASES_DIR.glob("*.yaml")) for c in load_cases(p)]
    for p in sorted(ROOT.glob("examples/*.json")) + sorted(ROOT.glob("examples/invalid/*.json")):
        data = json.loads(p.read_text(encoding="utf-8"))
        out += data if isinstance(data, list) else [data]
    return out


POOLS = {   # values tried for each type of the case format (None = unknown)
    "str": ["x", "", "  ", 3, None, ["x"], True],
    "bool": [True, False, "oui", "true", 1, 0, None, [True]],
    "date": ["2026-12-01", "1900-01-01", "2199-12-31", "1899-12-31", "2200-01-01", "9999-12-31", "0001-01-01",
             "2024-02-30", "01/02/2020", "2020-1-1", "20200101", "", 20240101, None, {}, True],
    "date_or_none": ["none", "None", "2030-01-01", "2200-01-01", "aucune", False, None],
    "duration": ["P3Y", "P18M", "P2Y6M", "P10D", "P1W", "life", "LIFE", "P0D", "P0Y", "P0M", "P0Y0M0W0D",
                 "P200Y", "P201Y", "P72000D", "P72001D", "P199Y12M1D", "P83333Y4M", "P", "3 ans", 3, None],
    "state": ["RO", "FR", "MA", "ro", "XX", "UK", "", 1, None, ["RO"]],
    "protection": ["none", "refugee", "réfugié", "", 1, None],
    "removal_kind": ["ITF", "OQTF", "expulsion", "OQFT", "itf", 1, None],
    "any": [{}, {"greffe": [1, {"a": None}]}, [], "x", 3, None],
}
EXTRA = {   # whole values for some paths: lists, objects, cross-field cases
    "person.nationalities": [[], ["RO"], ["RO", "MA"], ["RO", "RO"], ["RO", "MA", "RO"], ["FR", "FR"], ["RO", None],
                             ["ro"], [1], [["RO"]], "RO", {}, None],
    "removal_measures": [[], [{}], [None], [{"kind": "ITF"}], {"kind": "ITF"}, "ITF", [{"kind": "ITF", "x": 1}],
                         [{"kind": "ITF", "destination": "FR", "enforceable": "oui"}], None],
    "sentence.convictions": [[], [{}], [None], [{"court": "x", "total": "P0D"}], [{"date": "2200-01-01"}], "x", None],
    "person": [{}, [], "x", None, {"nationality": ["RO"]}, {"name": None, "fled_to": None}],
    "sentence": [{}, [], None, {"execution_start": "2026-01-01", "expected_end": "2025-01-01"},
                 {"execution_start": "2026-01-01", "expected_end": "2026-01-01"}],
    "consent": [{}, {"transfer": True}, {"transfer": "oui"}, {"consular": True}, None],
    "id": ["", "   ", " x ", None, 3, "ionescu"],
    "foo": [1, None],                      # an unknown key, even null
    "person.nationalite": [["RO"], None],  # a misspelt key
    "extensions": [[], {}, None, "x", {"a": {"b": [1]}}],
}


def _paths(spec, prefix=""):
    for k, t in spec.items():
        p = f"{prefix}{k}"
        if isinstance(t, dict):
            yield from _paths(t, p + ".")
        elif isinstance(t, list) and isinstance(t[0], dict):
            yield from _paths(t[0], p + ".0.")
        elif isinstance(t, str):
            yield p, t


PATHS = list(_paths(C.SCHEMA))


def mutate(case: dict, rng: random.Random) -> dict:
    c = copy.deepcopy(case)
    for _ in range(rng.randint(1, 3)):
        if rng.random() < 0.35:
            path = rng.choice(list(EXTRA))
            value = rng.choice(EXTRA[path])
        else:
            path, t = rng.choice(PATHS)
            value = rng.choice(POOLS[t])
        *parents, last = path.split(".")
        node = c
        for p in parents:
            if isinstance(node, list):
                if not node or not isinstance(node[0], dict):
                    node = None
                    break
                node = node[0]
            else:
                if not isinstance(node.get(p), (dict, list)):
                    node[p] = [{}] if p in ("removal_measures", "convictions") else {}
                node = node[p]
        if isinstance(node, list):
            node = node[0] if node and isinstance(node[0], dict) else None
        if isinstance(node, dict):
            node[last] = copy.deepcopy(value)
    return c


def test_json_cases_fast_and_generic_agree():
    cases = json_cases()
    assert len(cases) > 60
    assert sum(check_json(c) for c in cases) >= len(cases) - 10   # most are well-formed: the fast path is used


def test_mutated_json_cases_fast_and_generic_agree():
    rng = random.Random(20261201)
    base = json_cases()
    accepted = refused = 0
    for _ in range(3000):
        if check_json(mutate(rng.choice(base), rng)):
            accepted += 1
        else:
            refused += 1
    assert accepted > 300 and refused > 1000, (accepted, refused)


@pytest.mark.parametrize("data", [None, [], "x", 3, {}, {"id": "x"}, {"id": "x", "person": None},
                                  {"id": "x", "extensions": {"k": [1]}}, {"id": 3}, {"id": "x", "as_of": None}],
                         ids=repr)
def test_odd_json_values_fast_and_generic_agree(data):
    check_json(data)


def test_the_fast_reader_does_not_copy_what_the_generic_one_keeps():
    ext = {"greffe": {"numéro": 12}}
    case = C.read_case({"id": "x", "extensions": ext, "person": {"nationalities": ["RO"]}}, default_as_of=AS_OF)
    assert case["extensions"] is ext                       # as the generic reader: the object itself
    nats = ["RO"]
    case = C.read_case({"id": "x", "person": {"nationalities": nats}}, default_as_of=AS_OF)
    assert case["person"]["nationalities"] == nats and case["person"]["nationalities"] is not nats


# --- CSV rows ---------------------------------------------------------------------------------
CELL_POOLS = {   # cells tried per column kind (row_to_raw's kinds, and the case format's type)
    "date": ["2026-12-01", "1900-01-01", "2199-12-31", "1899-12-31", "2200-01-01", "9999-12-31", "2024-02-30",
             "01/02/2020", "none", "", "   "],
    "bool": ["oui", "non", "OUI", "Non", "true", "1", "0", "vrai", "peut-être", "", " "],
    "state": ["RO", "MA", "FR", "fr", "XX", " RO ", "UK", ""],
    "list_state": ["RO", "RO|MA", "RO|RO", "MA| MA", "RO||MA", "RO|ro", "XX|RO", "FR", "FR|FR", "aucune", "NONE",
                   "[]", "|", " | ", "none|RO", ""],
    "list_kind": ["ITF", "ITF|OQTF", "ITF|ITF", "OQFT", "itf", "aucune", "Aucune", "|", "ITF| OQTF", ""],
    "duration": ["P3Y", "P18M", "life", "LIFE", "P0D", "P0Y", "P0M", "P200Y", "P201Y", "P72001D", "3 ans", "P", ""],
    "safety": ["none", "aucune", "NONE", "[]", "2030-01-01", "2200-01-01", "1899-12-31", "x", ""],
    "protection": ["none", "refugee", "réfugié", "None", ""],
    "str": ["x", "", "  ", "Nom\nsur deux lignes", "a;b"],
}


def _cell_kind(col: str) -> str:
    path, kind = csv_columns.COLUMNS[col]
    if kind == "list":
        return "list_state" if col == "nationalities" else "list_kind"
    if kind in ("bool", "safety", "str"):
        return kind
    t = csv_compiled._json_type(path)
    return {"date": "date", "duration": "duration", "state": "state", "protection": "protection"}[t]


def _text(header: list[str], rows: list[list[str]], sep=";") -> str:
    import csv
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=sep, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue()


def _generic_normalise(row, source):
    """What normalise() gave before the fast readers: the generic row reader, then the generic case reader."""
    if row.problems:
        extra = []
        if row.raw is not None:
            try:
                C._read_case_generic(row.raw, source, default_as_of=AS_OF)
            except CaseError as e:
                extra = e.problems
        raise CaseError(row.problems + extra, source)
    case = C._read_case_generic(row.raw, source, default_as_of=AS_OF)
    case["__normalised__"] = True
    return case


def check_csv(text: str) -> tuple[int, int]:
    """Every row of ``text``: the fast and the generic row readers agree; (ready, accepted) counts."""
    header, records = CC.read_header(io.StringIO(text))
    builder = csv_rows.RowBuilder(header)
    ready = accepted = 0
    for rec in records:
        fast, ref = builder.row(rec), builder._row_generic(rec)
        src = f"lot.csv:{rec.line}"
        assert (fast.line, fast.id, fast.problems) == (ref.line, ref.id, ref.problems), rec
        assert same(fast.raw, ref.raw), (rec, fast.raw, ref.raw)
        got = outcome(csv_rows.normalise, fast, AS_OF, src)
        exp = outcome(_generic_normalise, ref, src)
        assert got[0] == exp[0] and same(got[1], exp[1]), (rec, got, exp)
        ready += fast.ready is not None
        accepted += exp[0] == "case"
        if builder._fast is not None:   # the compiled reader takes every row the generic one accepts
            assert (fast.ready is not None) == (exp[0] == "case"), (rec.cells, exp)
    return ready, accepted


def test_synth_rows_fast_and_generic_agree():
    ready, accepted = check_csv(synth_text(3000, seed=1, ref=AS_OF))
    assert ready == accepted == 3000


def _mutated_rows(n, seed, header):
    lines = synth_text(n, seed=seed, ref=AS_OF).splitlines()
    syn_header = lines[0].split(";")
    rng = random.Random(seed)
    rows = []
    for line in lines[1:]:
        cells = dict(zip(syn_header, line.split(";")))
        cells.setdefault("as_of", "")
        out = [cells.get(c, "") for c in header]   # a column synth does not write: unknown
        if rng.random() < 0.6:
            for _ in range(rng.randint(1, 3)):
                i = rng.randrange(len(header))
                if header[i] in csv_columns.COLUMNS:
                    out[i] = rng.choice(CELL_POOLS[_cell_kind(header[i])])
        if rng.random() < 0.03 and rows and "id" in header:
            out[header.index("id")] = rows[rng.randrange(len(rows))][header.index("id")]   # a repeated id
        if rng.random() < 0.02:
            out = out[:-1] if rng.random() < 0.5 else out + ["en trop"]                 # a cell missing or too many
        rows.append(out)
    return rows


def test_mutated_rows_fast_and_generic_agree():
    header = synth_text(1, ref=AS_OF).splitlines()[0].split(";") + ["as_of"]
    ready, accepted = check_csv(_text(header, _mutated_rows(3000, 7, header)))
    assert 500 < accepted < 2900 and ready == accepted


def test_shuffled_header_with_as_of_fast_and_generic_agree():
    rng = random.Random(3)
    header = list(csv_columns.COLUMNS)
    rng.shuffle(header)
    ready, accepted = check_csv(_text(header, _mutated_rows(1500, 11, header), sep=","))
    assert accepted > 300 and ready == accepted


@pytest.mark.parametrize("header", [
    ["id", "total"], ["total", "execution_start", "expected_end"],          # no id column: every row refused
    ["id", "nationalities", "nationalitees"],                              # an unknown column: generic reader
    ["id", "name", "name", "total"],                                       # a column repeated: generic reader
    ["id", "removal_destination", "removal_enforceable"],                  # removal columns without the kinds
    ["id", "court", "removal_kinds", "removal_definitive", "safety_period_end", ""],
], ids=lambda h: "-".join(h))
def test_other_headers_fast_and_generic_agree(header):
    check_csv(_text(header, _mutated_rows(300, 5, header)))


def test_a_ready_row_builds_its_raw_case_when_asked_and_pickles_as_a_row():
    header, records = CC.read_header(io.StringIO(synth_text(5, seed=2, ref=AS_OF)))
    builder = csv_rows.RowBuilder(header)
    rec = next(records)
    row = builder.row(rec)
    assert row.ready is not None and row._raw is None
    assert same(row.raw, builder._row_generic(rec).raw) and row == builder._row_generic(rec)
    back = pickle.loads(pickle.dumps(row))
    assert type(back) is csv_rows.Row and back == row and back.ready == row.ready
    b2 = pickle.loads(pickle.dumps(builder))
    assert b2._fast is not None and b2.row(rec) == row


def test_normalise_gives_a_fresh_case_each_time():
    header, records = CC.read_header(io.StringIO("id;total\nx;P3Y\n"))
    row = csv_rows.RowBuilder(header).row(next(records))
    a, b = csv_rows.normalise(row, date(2026, 1, 1)), csv_rows.normalise(row, date(2027, 1, 1))
    assert a["as_of"] == date(2026, 1, 1) and b["as_of"] == date(2027, 1, 1) and "as_of" not in row.ready
