"""The columnar program settles a pending date under the law in force on it (engine/in_time.py)
as the scalar engine does, without asking it (issue 16): byte for byte the same screening rows
where the boundary matters, and no row in ``Program.fallback``.

- CPP 729 al. 8 as amended by loi n° 2014-896 (in force 2015-01-01): « la moitié de la peine »
  for a legal recidivist instead of the two thirds — a recidivist serving three years from
  2013-03-10 (mid-sentence 2014-09-10, two thirds 2015-03-11): as of 2014-10-01 the two thirds
  fall after 2015-01-01, so the answer is the new law's: applicable from 2015-01-01; the day
  before / the day of the change (2014-12-31 / 2015-01-01);
- the routes of lc_expulsion encoded until 2028-12-31 (lsc_720_i, lsc_plein_droit: their
  texts are renumbered by the 2029 code): a date after 2028-12-31 computed as of 2026-12-01 is
  undetermined (the following period is not encoded)."""
from datetime import date

import pytest

from lexquery.columnar.program import compile_book
from lexquery.screening.synth import synth_text

from columnar_helpers import blank, engine, frame_from_cases, program_rows, read_cases, scalar_rows

HEADER = ("id;name;birth_date;nationalities;habitual_residence;location;protection;fled_to;protected_adult;"
          "incarcerated;establishment;entry_date;final;custodial;total;execution_start;expected_end;"
          "safety_period_end;legal_recidivism;lsc_plein_droit_excluded;court;removal_kinds;removal_destination;"
          "removal_definitive;removal_enforceable;removal_remedies_exhausted;consent_transfer;"
          "consent_consular_notification;dual_criminality;receiving_state;as_of")


def _row(i, start, total, end, recid, safety, as_of, kinds="ITF"):
    return (f"R{i};Recidive;1980-01-01;TR;FR;FR;none;;non;oui;;{start};oui;oui;{total};{start};{end};{safety};"
            f"{recid};non;;{kinds};TR;oui;oui;oui;;;;;{as_of}")


def _both(text, as_of):
    """The scalar engine's rows and the program's, and the program (its fallback)."""
    eng = engine()
    want = scalar_rows(text, eng, as_of)
    prog = compile_book(eng.book, eng.ref)
    out = prog.run(frame_from_cases(read_cases(text, as_of)))
    got = program_rows(out)
    return want, got, prog


def _lc(rows, cid, as_of):
    return next(r for r in rows if r[1] == cid and r[3] == as_of and r[4] == "lc_expulsion")


DAYS_2015 = ["2014-09-09", "2014-09-10", "2014-10-01", "2014-12-31", "2015-01-01", "2015-03-10", "2015-03-11"]


def test_the_recidivist_around_loi_2014_896():
    """Known, unknown and no legal recidivism, a known and an unknown safety period, three and
    five years, each as of the days around 2015-01-01: both engines, byte for byte."""
    lines, i = [HEADER], 0
    for total, end in (("P3Y", "2016-03-10"), ("P5Y", "2018-03-10")):
        for recid in ("oui", "non", ""):
            for safety in ("none", ""):
                for d in DAYS_2015:
                    i += 1
                    lines.append(_row(i, "2013-03-10", total, end, recid, safety, d))
    text = "\n".join(lines) + "\n"
    want, got, prog = _both(text, date(2014, 10, 1))
    assert len(prog.fallback) == 0
    assert got == want
    # the legal outcome (CPP 729 al. 8, loi 2014-896): the first recidivist (P3Y, no safety period)
    first = {d: _lc(want, f"R{k + 1}", d) for k, d in enumerate(DAYS_2015)}
    assert (first["2014-10-01"][6], first["2014-10-01"][7]) == ("applicable_later", "2015-01-01")
    assert (first["2014-12-31"][6], first["2014-12-31"][7]) == ("applicable_later", "2015-01-01")   # the day before
    # the day of: applicable, and its first day is that of the law — the mid-sentence already
    # past fell under the two thirds until 2014-12-31 (a from already past, engine/in_time.py)
    assert (first["2015-01-01"][6], first["2015-01-01"][7]) == ("applicable", "2015-01-01")
    assert "CPP 729 al. 8" in first["2014-10-01"][11].split("|")


def test_routes_past_what_the_rules_encode():
    """Dates after 2028-12-31 computed as of 2026-12-01 and 2027-12-01 (lsc_720_i: encoded
    until 2028-12-31): undetermined from the computed date in both engines."""
    lines, i = [HEADER], 0
    for start, total, end in (("2026-07-27", "P4Y4M", "2030-07-19"), ("2026-09-25", "P5Y", "2031-09-25"),
                              ("2025-09-22", "P6Y4M", "2032-01-22"), ("2024-01-01", "P6Y", "2030-01-01")):
        for recid in ("oui", "non", ""):
            for d in ("2026-12-01", "2027-12-01", "2028-12-31"):
                i += 1
                lines.append(_row(i, start, total, end, recid, "none", d))
    text = "\n".join(lines) + "\n"
    want, got, prog = _both(text, date(2026, 12, 1))
    assert len(prog.fallback) == 0
    assert got == want
    routes = [r[12] for r in want if r[4] == "lc_expulsion"]
    assert any("lsc_720_i:undetermined:2029" in r for r in routes)


@pytest.mark.parametrize("as_of,share,seed", [("2014-12-15", 0.0, 2), ("2014-10-01", 0.3, 3),
                                               ("2027-12-01", 0.0, 8), ("2026-12-01", 0.25, 1),
                                               ("2022-10-01", 0.25, 11)])
def test_synthetic_exports_near_a_change_of_law(as_of, share, seed):
    """Synthetic exports dated just before a change of the law the procedures apply: the
    scalar engine re-settles some answers (``law_change``), and the program gives its rows."""
    d = date.fromisoformat(as_of)
    text = synth_text(700, seed, d)
    if share:
        text = blank(text, share, seed + 1)
    want, got, prog = _both(text, d)
    assert len(prog.fallback) == 0
    assert got == want


def test_the_scalar_engine_re_settles_in_these_exports():
    """The exports above are not vacuous: some answer there carries a ``law_change``."""
    eng = engine()
    seen = set()
    for as_of, seed in (("2014-12-15", 2), ("2027-12-01", 8)):
        d = date.fromisoformat(as_of)
        for _, _, case in read_cases(synth_text(700, seed, d), d):
            for p in eng.ask(case, None, explain=False).procedures:
                if p.law_change or any(r.law_change for r in p.routes):
                    seen.add(as_of)
    assert seen == {"2014-12-15", "2027-12-01"}


def test_a_later_law_that_ends_the_measure_or_is_not_encoded(tmp_path):
    """The rule files moved (the law is data): from 2027-01-01 only an ITF counts for CPP 729-2
    (a change that ends the eligibility of the other measures: not applicable, no route, no
    step), and lc_expulsion encoded until 2027-12-31 only (a date after it: undetermined) —
    both engines on the same book, byte for byte, evaluated on days before, at and after."""
    from lexquery.engine.api import Engine
    from rules_helpers import copy_rules
    d = copy_rules(tmp_path)
    common = (d / "common.yaml").read_text(encoding="utf-8")
    old = ('      - from: 2016-11-01\n        value: [ITF, IATF, OQTF, IRTF, ICTF, expulsion, extradition, EAW]\n'
           '        sources: ["CPP 729-2 al. 1"]\n')
    assert common.count(old) == 1
    common = common.replace(old, old.replace("2016-11-01\n", "2016-11-01\n        until: 2026-12-31\n")
                            + '      - from: 2027-01-01\n        value: [ITF]\n        sources: ["CPP 729-2 al. 1"]\n')
    (d / "common.yaml").write_text(common, encoding="utf-8")
    lc = (d / "lc_expulsion.yaml").read_text(encoding="utf-8")
    assert lc.count("valid: {from: null, until: null}\n") == 1
    (d / "lc_expulsion.yaml").write_text(lc.replace("valid: {from: null, until: null}\n",
                                                    "valid: {from: null, until: 2027-12-31}\n"), encoding="utf-8")
    eng = Engine(rules_dir=d).prepare_batch()
    lines, i = [HEADER], 0
    for start, total, end in (("2026-07-27", "P4Y4M", "2030-07-19"), ("2025-09-22", "P3Y", "2028-09-22"),
                              ("2026-01-10", "P2Y", "2028-01-10"), ("2024-01-01", "P6Y", "2030-01-01")):
        for kinds in ("ITF", "OQTF", "OQTF|ITF", ""):
            for recid in ("oui", "non", ""):
                for day in ("2026-12-01", "2026-12-31", "2027-01-01", "2027-12-31", "2028-01-01"):
                    i += 1
                    lines.append(_row(i, start, total, end, recid, "none", day, kinds))
    text = "\n".join(lines) + "\n"
    as_of = date(2026, 12, 1)
    want = scalar_rows(text, eng, as_of)
    prog = compile_book(eng.book, eng.ref)
    out = prog.run(frame_from_cases(read_cases(text, as_of)))
    got = program_rows(out)
    assert len(prog.fallback) == 0
    assert got == want
    lc_rows = [r for r in want if r[4] == "lc_expulsion"]
    # not applicable after the change for an OQTF alone, with no route shown; undetermined after
    # 2027-12-31 for an ITF — some answers of each kind are there
    changed = {}
    for _, _, case in read_cases(text, as_of):
        for p in eng.ask(case, None, explain=False).procedures:
            if p.procedure == "lc_expulsion" and p.law_change:
                changed.setdefault(p.law_change["status"], []).append(p)
    assert {"not_applicable", "undetermined"} <= set(changed)
    assert all(p.routes == [] for p in changed["not_applicable"])
    assert any(r[6] == "undetermined" and r[3] > "2027-12-31" for r in lc_rows)   # outside its valid: on as_of


def test_the_opening_path_of_a_from_already_past_as_the_scalar_engine_names_it():
    """``opens`` (the path that opens lc_expulsion first: -1 none, 0 direct, k route k-1) over a
    synthetic export as of 2024-02-01, days after CPP 720 IV (2024-01-28): where the eve gives a
    from already past, its path too, as the scalar engine's ``opens_by`` (engine/in_time.py
    ``_adopt_past``) — the screening rows do not carry it. Not vacuous: some rows move from the
    route lsc_plein_droit (its day computed under IV) to the direct path (the mid-sentence)."""
    import numpy as np
    from lexquery.columnar import vdates
    from lexquery.columnar.compile import Ctx, from_objects
    from lexquery.columnar.compile_conditions import NONE_DATE
    from lexquery.columnar.program import Program, fact_paths, facts_from_cases
    from lexquery.engine.candidates import candidate_states
    from lexquery.engine.env import Env
    from lexquery.engine.evaluate import evaluate_procedure
    from lexquery.rules.values import UNKNOWN
    from columnar_helpers import with_defaults
    d = date(2024, 2, 1)
    eng = engine()
    book = eng.book
    cases = with_defaults([c for _, _, c in read_cases(synth_text(1500, 0, d), d)], eng)
    states = [(lambda cs: cs[-1][0] if cs else UNKNOWN)(candidate_states(c)) for c in cases]
    p = book.procedures["lc_expulsion"]
    prog = Program(book, eng.ref)
    ctx = Ctx(len(cases), facts_from_cases(cases, fact_paths(book)),
              np.array([vdates.to_days(c["as_of"]) for c in cases], dtype=np.int64), from_objects(states), prog)
    pv = prog.eval_proc(ctx, p.id)
    ids = pv.opens_ids
    moved = 0
    for i, c in enumerate(cases):
        r = evaluate_procedure(p, Env(c, c["as_of"], states[i], book, eng.ref, False, None), book)
        got = None if pv.opens[i] < 0 else ids[int(pv.opens[i])]
        assert (got, None if pv.d_from[i] == NONE_DATE else vdates.from_days(pv.d_from[i])) \
            == (r.opens_by, r.date_from), (i, c)
        lc = r.law_change
        if lc and lc["computed"] < lc["on"] and r.opens_by == p.id:
            moved += any(x.procedure == "lsc_plein_droit" and x.date_from == lc["on"] for x in r.routes)
    assert moved


@pytest.mark.parametrize("as_of,share", [("2026-12-01", 0.0), ("2015-01-01", 0.0), ("2024-02-01", 0.25)])
def test_the_eves_of_a_from_already_past_in_one_batch_or_one_by_one(monkeypatch, as_of, share):
    """compile_in_time._Eves: the eves a row is expected to need evaluated in one batch (its
    ``guess``), or each once known to be needed (the recursive reading's batches, one per eve):
    the same rows, the scalar engine's; fewer batches guessed — else nothing would be compared."""
    from lexquery.columnar import compile_in_time as cit
    d = date.fromisoformat(as_of)
    text = synth_text(1500, 5, d)
    if share:
        text = blank(text, share, 6)
    batches = []
    orig = cit._Eves.missing

    def counted(self):
        org, lev = orig(self)
        batches[-1] += bool(len(org))
        return org, lev
    monkeypatch.setattr(cit._Eves, "missing", counted)
    rows = {}
    for guess in (True, False):
        monkeypatch.setattr(cit._Eves, "guess", guess)
        batches.append(0)
        want, got, prog = _both(text, d)
        assert len(prog.fallback) == 0
        assert got == want
        rows[guess] = got
    assert rows[True] == rows[False]
    assert 0 < batches[0] < batches[1], batches


@pytest.mark.parametrize("as_of,share", [("2026-12-01", 0.0), ("2015-01-01", 0.0), ("2024-02-01", 0.25)])
def test_a_later_day_and_the_eves_in_one_batch_or_each_in_its_own(monkeypatch, as_of, share):
    """compile_in_time._both_days: the rows of a later day (a date to come under another law)
    and the first eves of a from already past evaluated in one batch — the former settled in
    time, the latter not (``Ctx.in_time_rows``) —, or each in its own batch as before: the same
    rows, the scalar engine's; fewer evaluations in one batch — else nothing would be compared."""
    from lexquery.columnar import compile_in_time as cit
    from lexquery.columnar.program import Program
    d = date.fromisoformat(as_of)
    text = synth_text(1500, 5, d)
    if share:
        text = blank(text, share, 6)
    calls = []
    orig_on, orig_both = Program.eval_on, cit._InTime._both_days

    def counted(self, *a, **k):
        calls[-1] += 1
        return orig_on(self, *a, **k)
    rows = {}
    for joined in (True, False):
        monkeypatch.setattr(cit._InTime, "_both_days", orig_both if joined else (lambda self, *a: None))
        calls.append(0)
        eng = engine()
        prog = compile_book(eng.book, eng.ref)
        monkeypatch.setattr(Program, "eval_on", counted)
        got = program_rows(prog.run(frame_from_cases(read_cases(text, d))))
        assert len(prog.fallback) == 0
        rows[joined] = got
        monkeypatch.undo()
    assert rows[True] == rows[False]
    assert rows[True] == scalar_rows(text, engine(), d)
    assert 0 < calls[0] < calls[1], calls


@pytest.mark.parametrize("as_of,share,sensitive", [("2014-10-01", 0.0, True), ("2026-12-01", 0.25, False)])
def test_derived_values_taken_from_the_case_on_another_day_and_in_the_reruns(monkeypatch, as_of, share, sensitive):
    """reuse.carry_derived: an evaluation of the same rows on another day (compile_in_time) and
    the verification's reruns take the case's values of the derived values that read neither the
    day nor the reference data (reuse.fixed_derived) — the same rows as computing them again, the
    scalar engine's, and some taken. Taking every derived value (those reading ``as_of`` too)
    changes rows as of 2014-10-01, where the later days fall in other periods of the law
    (2014-11-15, 2015-01-01): the comparison can tell."""
    from lexquery.columnar import compile_in_time as cit, compile_population as cpop, reuse
    d = date.fromisoformat(as_of)
    text = synth_text(1500, 5, d)
    if share:
        text = blank(text, share, 6)

    def rows_with(carry):
        monkeypatch.setattr(cit, "carry_derived", carry)
        monkeypatch.setattr(cpop, "carry_derived", carry)
        eng = engine()
        prog = compile_book(eng.book, eng.ref)
        got = program_rows(prog.run(frame_from_cases(read_cases(text, d))))
        assert len(prog.fallback) == 0
        monkeypatch.undo()
        return got
    kept = []

    def counted(book, parent, sub, idx):
        reuse.carry_derived(book, parent, sub, idx)
        kept.append(getattr(sub, "derived_keep", None))

    def every(book, parent, sub, idx):   # wrong: the derived values that read the day taken too
        src = getattr(parent, "derived_from", None)
        if src is not None:
            sub.derived_from, sub.derived_keep = (src[0], src[1][idx]), getattr(parent, "derived_keep", None)
    taken = rows_with(counted)
    # the month counts (law:month_end: the same on any day) are taken too where no row replaces it
    assert any(kept) and all(k <= reuse.fixed_derived(engine().book, True) for k in kept if k is not None)
    assert reuse.fixed_derived(engine().book) < reuse.fixed_derived(engine().book, True)
    assert taken == rows_with(lambda *a: None)
    assert taken == scalar_rows(text, engine(), d)
    if sensitive:
        assert rows_with(every) != taken
