"""The screening's fast path gives exactly the rows the full answer gives.

`lexquery screen` compiles the rules' expressions to Python source (``Engine.prepare_batch``),
asks the engine without explanations (``ask(..., explain=False)``) and formats the CSV rows
in the workers (``screen.answer_csv``). Every screening column must be the same as the one
derived from the full ``ask`` answer of an engine that kept the closures
(``screen.answer_rows``): checked over thousands of synthetic registry rows, every legal test
case (tests/cases/*.yaml), every example (examples/*.json), and hypothesis-generated rows with
unknown (empty) cells. The full JSON answers of both engines are compared too.
"""
from __future__ import annotations

import copy
import io
import json
import tempfile
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lexquery.engine.api import Engine
from lexquery.screening.csv_cases import read_header, read_rows
from lexquery.screening.csv_rows import RowBuilder, normalise
from lexquery.screening.outputs import CsvWriter
from lexquery.screening.screen import answer_csv, answer_one, answer_rows, screen
from lexquery.screening.synth import synth_text
from test_legal_cases import CASES_DIR, load_cases

ROOT = Path(__file__).resolve().parent.parent
AS_OF = date(2026, 12, 1)


_CLOSURES = Engine()                      # expressions as closures, as `lexquery ask` runs them
_BATCH = Engine().prepare_batch()         # expressions compiled to Python source, as `screen` runs them


@pytest.fixture(scope="module")
def engine():
    return _BATCH


def test_batch_engine_runs_generated_source():
    exprs = _BATCH.book.compiled()
    sourced = [c for c, _ in exprs if getattr(c.fn, "source", None)]
    assert len(sourced) >= len(exprs) - 5  # all but literal `true`/`false`
    assert not any(getattr(c.fn, "source", None) for c, _ in _CLOSURES.book.compiled())


def test_batch_engine_runs_the_one_scalar_evaluator(monkeypatch):
    """`ask(explain=False)` of the batch engine evaluates every procedure and route with
    engine/evaluate.py — the evaluator of `ask`, the explanations, the page and the API; there
    is no second, status-only one — the conditions read as cond.<id> (precedence, consent,
    when, basis) included, and its reevaluations (engine/verify.py, engine/prove.py) reuse what
    cannot change (engine/reuse.py)."""
    import lexquery.engine.api as api
    import lexquery.engine.evaluate as ev
    assert not hasattr(_BATCH, "status_only") and not hasattr(_CLOSURES, "status_only")
    procs, routes, conds, reused = set(), set(), set(), []
    real_p, real_r, real_c = api.evaluate_procedure, ev.evaluate_route, ev.eval_condition

    def spy_p(p, env, *a, **k):
        procs.add(p.id)
        return real_p(p, env, *a, **k)

    def spy_r(rt, env, *a, **k):
        routes.add(rt.id)
        return real_r(rt, env, *a, **k)

    def spy_c(c, env):
        conds.add(c.id)
        return real_c(c, env)
    rerun = _BATCH.reuse.rerun_env

    def spy_rerun(env, p, overrides, shared):
        e = rerun(env, p, overrides, shared)
        reused.append(len(e.results))
        return e
    monkeypatch.setattr(api, "evaluate_procedure", spy_p)
    monkeypatch.setattr(ev, "evaluate_route", spy_r)
    monkeypatch.setattr(ev, "eval_condition", spy_c)
    monkeypatch.setattr(_BATCH.reuse, "rerun_env", spy_rerun)
    from columnar_helpers import read_cases
    for _, _, case in read_cases(synth_text(300, seed=3, ref=AS_OF), AS_OF):
        _BATCH.ask(case, None, explain=False)
    assert procs >= {pid for pid, p in _BATCH.book.procedures.items() if p.asked_when is None}
    assert routes == {rt.id for p in _BATCH.book.procedures.values() for rt in p.routes}
    assert {"case_1", "case_2", "lsc_pd_total", "without_consent_167", "basis_ste112"} <= conds
    assert len(reused) > 100 and sum(1 for n in reused if n) > 50   # reevaluations given results


def _rows_both_ways(engine, case, as_of=None, line=1):
    """(rows from the full answer, rows from the answer without explanations) for one case; the full
    JSON answers of the closure engine and the generated-source engine must be equal too."""
    full = _CLOSURES.ask(copy.deepcopy(case), as_of)
    fast = _BATCH.ask(copy.deepcopy(case), as_of, explain=False)
    assert _BATCH.ask(copy.deepcopy(case), as_of).to_dict() == full.to_dict()
    cid = case.get("id")
    return answer_rows(full, line, cid)[0], answer_rows(fast, line, cid, events=False)[0]


def _full_csv(engine, text, as_of):
    """The CSV the screening wrote before the fast path: full answers through CsvWriter."""
    engine = _CLOSURES
    out = io.StringIO()
    from lexquery.screening.csv_header import detect_separator
    w = CsvWriter(out, separator=detect_separator(text.split("\n", 1)[0]))   # the screening's: the input's
    _, rows = read_rows(io.StringIO(text))
    for row in rows:
        r = answer_one(engine, row, as_of, "t", explain=False)
        if r.error is None:  # rebuild the rows from the full answer, not the fast one
            ans = engine.ask(normalise(row, as_of, "t"), None)
            r.rows = answer_rows(ans, row.line, row.id)[0]
        w.write(r)
    return out.getvalue()


def _fast_csv(engine, text, as_of, jobs=1, chunk=200):
    out = io.StringIO()
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "registry.csv"
        path.write_text(text, encoding="utf-8")
        summary = screen(str(path), CsvWriter(out), as_of=as_of, jobs=jobs, chunk=chunk,
                         engine=engine, progress=False)
    return out.getvalue(), summary


def test_synthetic_rows_identical(engine):
    """4,000 synthetic registry rows (seeds 3 and 11): the whole CSV output is byte-identical."""
    for seed in (3, 11):
        text = synth_text(2000, seed=seed, ref=AS_OF)
        expected = _full_csv(engine, text, AS_OF)
        got, summary = _fast_csv(engine, text, AS_OF)
        assert summary.read == 2000
        assert got == expected
        assert expected.count("\n") > 2000 * 4  # several rows per case: the comparison is not empty


def test_synthetic_rows_identical_on_past_dates(engine):
    """The law as in force on the date (rules' ``valid:`` and ``periods:``): on dates where
    routes, conditions and quantities of the rules change (CPP 729 in 2013, 729-2 in 2016,
    720 II before IV in 2023, 720 IV on 2024-01-28; pending dates settled under the law of
    their day, engine/in_time.py: 729 al. 8 in 2014-2015, the LSC routes' end in 2028-2029),
    the fast rows are the full ones."""
    for ref in (date(2013, 6, 1), date(2014, 10, 1), date(2016, 11, 1), date(2023, 6, 1), date(2024, 1, 28),
                date(2028, 6, 1), date(2029, 6, 1)):
        text = synth_text(500, seed=7, ref=ref)
        expected = _full_csv(engine, text, ref)
        got, summary = _fast_csv(engine, text, ref)
        assert summary.read == 500
        assert got == expected, ref


def test_synthetic_rows_identical_with_workers(engine):
    """Two worker processes, small chunks: same bytes, same order, same summary counts."""
    text = synth_text(1500, seed=5, ref=AS_OF)
    one, s1 = _fast_csv(engine, text, AS_OF, jobs=1)
    two, s2 = _fast_csv(engine, text, AS_OF, jobs=2, chunk=97)
    assert one == two
    assert (s1.read, s1.answered, s1.rejected, s1.rows_out, s1.by_proc) == \
        (s2.read, s2.answered, s2.rejected, s2.rows_out, s2.by_proc)
    assert one == _full_csv(engine, text, AS_OF)


def test_error_rows_identical(engine):
    """Unreadable rows, duplicate ids, short rows: the same error rows on both paths."""
    text = synth_text(30, seed=2, ref=AS_OF)
    lines = text.splitlines()
    lines[3] = lines[3].replace(";oui;", ";peut-être;", 1)           # bad boolean
    lines[5] = lines[2]                                              # duplicate id
    lines[7] = ";".join(lines[7].split(";")[:10])                    # truncated row
    lines.insert(9, "")                                              # a blank line
    text = "\n".join(lines) + "\n"
    expected = _full_csv(engine, text, AS_OF)
    got, summary = _fast_csv(engine, text, AS_OF)
    assert got == expected
    assert summary.rejected == 3 and ";error;" in got          # « ; » in, « ; » out


@pytest.mark.parametrize("path", sorted(CASES_DIR.glob("*.yaml")), ids=lambda p: p.stem)
def test_legal_cases_identical(engine, path):
    cases = load_cases(path)
    assert cases
    for c in cases:
        full, fast = _rows_both_ways(engine, c["case"], c["as_of"])
        assert fast == full, c["name"]


@pytest.mark.parametrize("path", sorted((ROOT / "examples").glob("*.json")), ids=lambda p: p.stem)
def test_examples_identical(engine, path):
    data = json.loads(path.read_text(encoding="utf-8"))
    for case in data if isinstance(data, list) else [data]:
        full, fast = _rows_both_ways(engine, case)
        assert fast == full


def test_unknown_facts_stay_undetermined(engine):
    """A row with only an id and nationalities: every procedure is undetermined (or not
    applicable) with its missing facts, never applicable — in both modes."""
    text = "id;nationalities\nX-1;RO\n"
    got, _ = _fast_csv(engine, text, AS_OF)
    assert got == _full_csv(engine, text, AS_OF)
    rows = got.splitlines()[1:]
    assert rows and all(";applicable;" not in r for r in rows)
    assert any(";undetermined;" in r and "sentence." in r for r in rows)


# --- hypothesis: rows with unknown cells -----------------------------------------------------
_VALUES = {
    "nationalities": ["RO", "MA", "FR|DZ", "PL|UA", "aucune", "DZ", "GB", "CH"],
    "habitual_residence": ["RO", "MA", "FR", "DZ", "PL"],
    "location": ["FR", "RO", "MA"],
    "protection": ["none", "refugee", "asylum_pending"],
    "fled_to": ["RO", "PL", "MA"],
    "protected_adult": ["oui", "non"],
    "incarcerated": ["oui", "non"],
    "entry_date": ["2024-03-01", "2026-11-28"],
    "final": ["oui", "non"],
    "custodial": ["oui", "non"],
    "total": ["P6M", "P2Y", "P4Y6M", "P12Y", "life"],
    "execution_start": ["2020-01-10", "2024-05-02", "2026-02-01"],
    "expected_end": ["2026-12-20", "2027-03-01", "2030-06-30", "2040-01-01"],
    "safety_period_end": ["none", "2025-01-01", "2028-01-01"],
    "legal_recidivism": ["oui", "non"],
    "lsc_plein_droit_excluded": ["oui", "non"],
    "removal_kinds": ["ITF", "OQTF|IRTF", "aucune", "extradition", "EAW"],
    "removal_destination": ["RO", "MA", "DZ"],
    "removal_definitive": ["oui", "non"],
    "removal_enforceable": ["oui", "non"],
    "removal_remedies_exhausted": ["oui", "non"],
    "consent_transfer": ["oui", "non"],
    "consent_consular_notification": ["oui", "non"],
    "dual_criminality": ["oui", "non"],
    "receiving_state": ["RO", "MA"],
}
_cell = {col: st.sampled_from([""] * 3 + vals) for col, vals in _VALUES.items()}


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.fixed_dictionaries(_cell), st.sampled_from(["2026-12-01", "2027-06-15", "2030-01-01"]))
def test_generated_rows_identical(engine, cells, as_of):
    header = ["id"] + list(_VALUES)
    text = ";".join(header) + "\n" + ";".join(["G-1"] + [cells[c] for c in _VALUES]) + "\n"
    d = date.fromisoformat(as_of)
    hdr, records = read_header(io.StringIO(text))
    fast_text, counts = answer_csv(engine, RowBuilder(hdr), list(records), d, "t", hdr.separator)
    full_text = _full_csv(engine, text, d).split("\n", 1)[1]
    assert fast_text == full_text
    assert counts[0] == 1


def test_answers_leave_no_cyclic_garbage():
    """The screening pauses the cyclic garbage collector while it answers a chunk: that is
    only sound if answering leaves no reference cycle behind."""
    import gc
    text = synth_text(300, seed=9, ref=AS_OF)
    hdr, records = read_header(io.StringIO(text))
    records = list(records)
    answer_csv(_BATCH, RowBuilder(hdr), records[:20], AS_OF, "t")
    for row in list(read_rows(io.StringIO(text))[1])[:20]:  # per-procedure constants computed once
        _CLOSURES.ask(normalise(row, AS_OF, "t"), None)
    gc.collect()
    was = gc.isenabled()
    gc.disable()
    try:
        answer_csv(_BATCH, RowBuilder(hdr), records, AS_OF, "t")
        for row in read_rows(io.StringIO(text))[1]:
            _CLOSURES.ask(normalise(row, AS_OF, "t"), None)
        assert gc.collect() == 0
    finally:
        if was:
            gc.enable()


def test_the_floor_agrees_on_past_dates(tmp_path):
    """bench/floor.py (the benchmark's plain-Python floor) follows the periods of the rules:
    its rows are the engine's on dates where routes, conditions and quantities change."""
    from floor_support import floor_agreement
    for ref in ("2013-06-01", "2023-06-01", "2028-06-01"):   # 2028: pending dates past the LSC routes' end
        f = tmp_path / f"synth-{ref}.csv"
        f.write_text(synth_text(400, seed=9, ref=date.fromisoformat(ref)), encoding="utf-8")
        res = floor_agreement(f, ref)
        assert res["rows"] > 400 and res["agree"] == res["rows"], (ref, res)
