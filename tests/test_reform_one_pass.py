"""``screen --reform`` in one pass (screening/columnar_impact.py; issue 16): the input read once,
each batch answered by the law in force's program and by the reform's, compared in memory — the
impact of the former path (two screenings spooled to CSV files, then compare_files), change for
change, count for count, on registries with blanked cells, error rows, cells over two lines,
quotes and formula cells (scalar blocks), with one process and with workers; a batch a worker
loses is answered by the main process under both rule books; an input the vector reader does not
take goes to the former path."""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

pl = pytest.importorskip("polars")

import columnar_faults  # noqa: E402  (tests/columnar_faults.py: importable by the workers)
from columnar_helpers import blank  # noqa: E402
from lexquery.engine.api import load_kb  # noqa: E402
from lexquery.engine.reform import load_reform  # noqa: E402
from lexquery.screening import columnar_impact as CI  # noqa: E402
from lexquery.screening import columnar_jobs as CJ  # noqa: E402
from lexquery.screening import columnar_pipeline as CP  # noqa: E402
from lexquery.screening import impact as imp_mod  # noqa: E402
from lexquery.screening.synth import synth_text  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
REFORMS = sorted((ROOT / "examples" / "reforms").glob("*.yaml"))
LSC = ROOT / "examples" / "reforms" / "lsc-plein-droit-trois-ans.yaml"
WHEN = date(2027, 7, 1)   # every example reform in force
BLOCK = 64 * 1024         # ≈ 320 synthetic rows a batch: several batches


@pytest.fixture(scope="module")
def base():
    return load_kb()


def _impact(path, r, base, jobs, one_pass=True, monkeypatch=None):
    monkeypatch.setattr(imp_mod, "ONE_PASS", one_pass)
    i, before, after = imp_mod.screen_impact(str(path), r, base=base, as_of=WHEN, progress=False,
                                             engine="columnar", jobs=jobs, block_bytes=BLOCK)
    d = i.to_dict()
    d.pop("seconds")
    sums = [(s.read, s.answered, s.rejected, s.rows_out, sorted(s.by_proc.items()), s.lines, s.spanning,
             s.spanning_lines, s.split, s.ansi_lines, s.first_ansi_line, s.unknown_columns, s.separator, s.source)
            for s in (before, after)]
    return json.dumps(d, ensure_ascii=False), sums, (i.rows_before, i.rows_after)


@pytest.fixture(scope="module")
def registries(tmp_path_factory):
    from test_columnar_jobs import _damaged
    d = tmp_path_factory.mktemp("one-pass")
    blanked, damaged = d / "blanked.csv", d / "damaged.csv"
    lines = blank(synth_text(1500, seed=4, ref=date(2026, 12, 1)), 0.25, 1).split("\n")
    for k in range(1, len(lines) - 1, 5):   # a quoted empty name (the line read alone: the scalar engine), a formula
        cells = lines[k].split(";")
        lines[k] = ";".join(cells[:1] + ['""'] + cells[2:])
        cells = lines[k + 2].split(";") if k + 2 < len(lines) - 1 else None
        if cells and len(cells) > 1:
            lines[k + 2] = ";".join(cells[:1] + ["=" + cells[1] + "+1"] + cells[2:])
    blanked.write_text("\n".join(lines), encoding="utf-8")
    damaged.write_bytes(_damaged(1500, seed=5))
    return {"blanked": blanked, "damaged": damaged}


@pytest.mark.parametrize("kind", ["blanked", "damaged"])
def test_one_pass_gives_the_impact_of_two_screenings_compared_by_files(kind, registries, base, monkeypatch):
    path = registries[kind]
    for reform in REFORMS:
        r = load_reform(reform, base.book, base.ref)
        files = _impact(path, r, base, 1, one_pass=False, monkeypatch=monkeypatch)
        errors = len(CJ.WORKER_ERRORS)
        for jobs in (1, 2):
            assert _impact(path, r, base, jobs, monkeypatch=monkeypatch) == files, (reform.stem, jobs)
        assert len(CJ.WORKER_ERRORS) == errors, CJ.WORKER_ERRORS[errors:]
        d = json.loads(files[0])
        assert d["cases"] > 1000 and d["rejected"] > 0   # error rows (blanked cells, damage)
        if reform == LSC:   # changes there, with empty cells (null in JSON, "" read back from CSV)
            assert d["changed_cases"] > 0
    # what the damaged registry holds: scalar blocks, error rows, formula cells in the changes' ids or names
    assert b'"Dupont\nJean"' in registries["damaged"].read_bytes()


def test_a_lost_batch_is_answered_by_the_main_process_under_both_rule_books(base, tmp_path, monkeypatch):
    """The worker answering the batch of line 700 (columnar_faults.LINE) raises or dies: the main
    process answers that batch with both programs — the impact of one process, a change of line
    700 itself included."""
    r = load_reform(LSC, base.book, base.ref)
    reg = tmp_path / "r0.csv"
    reg.write_text(synth_text(2000, seed=8, ref=date(2026, 12, 1)), encoding="utf-8")
    first = json.loads(_impact(reg, r, base, 1, monkeypatch=monkeypatch)[0])
    changed = int(first["changes"][0]["line"])
    lines = reg.read_text(encoding="utf-8").split("\n")
    k = columnar_faults.LINE - 1
    lines[k], lines[changed - 1] = lines[changed - 1], lines[k]   # a changed case on physical line 700
    reg = tmp_path / "registre.csv"
    reg.write_text("\n".join(lines), encoding="utf-8")
    one = _impact(reg, r, base, 1, monkeypatch=monkeypatch)
    assert str(columnar_faults.LINE) in {c["line"] for c in json.loads(one[0])["changes"]}
    monkeypatch.setattr(CP, "MAIN_ANSWERS", False)   # every batch to a worker: the fault is the worker's
    for fault in (columnar_faults.raises, columnar_faults.dies):
        before = len(CJ.WORKER_ERRORS)
        i = imp_mod.Impact(reform=r.meta(), source=str(reg), as_of=WHEN.isoformat())
        sums = CI.screen_pair(str(reg), i, None, r.engine(base), as_of=WHEN, jobs=2, block_bytes=BLOCK,
                              progress=False, reform=CJ.reform_spec(r), fault=fault)
        assert len(CJ.WORKER_ERRORS) > before   # the batch was lost by its worker
        d = i.to_dict()
        d.pop("seconds")
        assert json.dumps(d, ensure_ascii=False) == one[0] and sums[0].read == sums[1].read == 2000


def test_an_input_the_vector_reader_does_not_take_goes_to_two_screenings(base, tmp_path, monkeypatch):
    """CR-only line ends (the scalar path): screen_pair gives None, and the impact is the former
    path's."""
    r = load_reform(LSC, base.book, base.ref)
    reg = tmp_path / "cr.csv"
    reg.write_bytes(synth_text(400, seed=3, ref=date(2026, 12, 1)).replace("\n", "\r").encode("utf-8"))
    assert CI.screen_pair(str(reg), imp_mod.Impact(reform=r.meta()), None, r.engine(base), as_of=WHEN,
                          progress=False, reform=CJ.reform_spec(r)) is None
    got = _impact(reg, r, base, 1, monkeypatch=monkeypatch)
    assert got == _impact(reg, r, base, 1, one_pass=False, monkeypatch=monkeypatch)
    assert json.loads(got[0])["cases"] == 400 and json.loads(got[0])["changed_cases"] > 0


def test_screenings_out_of_step_in_a_batch_are_said():
    """A defect of lexquery, said for a person (errors.py): where (the command, the comparison of a
    batch), what was expected, what to do — in French and in English."""
    from lexquery.errors import LexqueryError
    b = pl.DataFrame({k: ["2", "3"] if k == "line" else ["", ""] for k in imp_mod._KEEP})
    with pytest.raises(LexqueryError) as e:
        imp_mod.compare_batch(b, b.with_columns(pl.Series("line", ["2", "4"])), imp_mod.Impact(reform={}))
    assert e.value.exit_code == 1   # as before (RuntimeError): « erreur interne »
    assert e.value.render() == (
        "erreur: criblages décalés : ligne 3 sous la loi en vigueur, ligne 4 sous la réforme\n"
        "  --> screen --reform --engine columnar: lexquery.screening.impact.compare_batch\n"
        "  = attendu : les mêmes cas, dans le même ordre, dans les deux criblages du lot\n"
        "  = aide : une erreur de lexquery, non de votre fichier : relancez avec --debug et signalez-la ; "
        "en attendant, --engine scalar calcule l'impact par deux criblages complets")
    assert e.value.render("en") == (
        "error: screenings out of step: line 3 under the law in force, line 4 under the reform\n"
        "  --> screen --reform --engine columnar: lexquery.screening.impact.compare_batch\n"
        "  = expected: the same cases, in the same order, in both screenings of the batch\n"
        "  = help: a defect of lexquery, not of your file: run again with --debug and report it; "
        "meanwhile --engine scalar computes the impact by two whole screenings")
    with pytest.raises(LexqueryError, match="ligne 3 sous la loi en vigueur, plus aucune ligne sous la réforme"):
        imp_mod.compare_batch(b, b.head(1), imp_mod.Impact(reform={}))
    with pytest.raises(LexqueryError, match="plus aucune ligne sous la loi en vigueur, ligne 3 sous la réforme"):
        imp_mod.compare_batch(b.head(1), b, imp_mod.Impact(reform={}))


def test_add_impact_adds_every_count_and_keeps_what_describes_the_screening():
    """Every field of Impact is either added up by add_impact or describes the screening: a new
    field must be put in one of the two (else the one-pass impact would lose it)."""
    from collections import Counter
    from dataclasses import fields
    names = [f.name for f in fields(imp_mod.Impact)]
    assert sorted(names) == sorted(imp_mod.ADDED + imp_mod.DESCRIBES)
    a = imp_mod.Impact(reform={"id": "r"}, source="f.csv", cases=2, changed_cases=1, rows_before=3,
                       rows_after=4, rejected=1, counts=Counter({("p", "x"): 1}),
                       cases_by_procedure=Counter({"p": 1}), changes=[{"line": 2}])
    b = imp_mod.Impact(reform={"id": "r"}, source="f.csv", cases=5, changed_cases=2, rows_before=6,
                       rows_after=7, rejected=0, counts=Counter({("p", "x"): 2, ("q", "y"): 1}),
                       cases_by_procedure=Counter({"p": 2}), changes=[{"line": 9}])
    s = imp_mod.add_impact(a, b)
    assert (s.cases, s.changed_cases, s.rows_before, s.rows_after, s.rejected) == (7, 3, 9, 11, 1)
    assert s.counts == Counter({("p", "x"): 3, ("q", "y"): 1}) and s.cases_by_procedure == Counter({"p": 3})
    assert s.changes == [{"line": 2}, {"line": 9}] and s.source == "f.csv" and s.reform == {"id": "r"}
