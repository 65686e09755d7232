"""``screen --reform`` with the columnar engine on worker processes (issue 16): both screenings —
the law in force and the simulated reform (docs/reforms.md) — hand their batches to ``--jobs``
workers (one pool for both, screening/columnar_impact.py; a reformed screening of its own, as
these tests run it, has its own); a worker rebuilds the reform from the bytes the main process
read and compiles the program of the *reformed* rule book. The impact (CSV, JSON, counts) is the
same bytes as one process and as the scalar engine; a case whose status differs between the law
and the reform (LSC de plein droit up to three years, CPP 720 as the reform rewrites it; Morocco
in STE 167) is in the batches the workers answer, so a worker answering with the law in force's
program would lose those changes. A batch a reformed worker loses is answered by the main process
with the reformed program."""
from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path

import pytest

pl = pytest.importorskip("polars")

import columnar_faults  # noqa: E402  (tests/columnar_faults.py: importable by the workers)
from lexquery.cli import main  # noqa: E402
from lexquery.engine.api import load_kb  # noqa: E402
from lexquery.engine.reform import load_reform  # noqa: E402
from lexquery.screening import columnar_jobs as CJ  # noqa: E402
from lexquery.screening import columnar_pipeline as CP  # noqa: E402
from lexquery.screening import impact as imp_mod  # noqa: E402
from lexquery.screening.columnar_pipeline import screen_columnar  # noqa: E402
from lexquery.screening.impact import screen_impact  # noqa: E402
from lexquery.screening.outputs import CsvWriter  # noqa: E402
from lexquery.screening.synth import synth_text  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
REFORMS = ROOT / "examples" / "reforms"
LSC = REFORMS / "lsc-plein-droit-trois-ans.yaml"
MAROC = REFORMS / "maroc-ste167.yaml"
WHEN = date(2027, 7, 1)   # after both reforms' dates (2027-01-01, 2027-03-01)
BLOCK = 64 * 1024         # ≈ 320 synthetic rows a batch: several batches, several workers' answers


@pytest.fixture(scope="module")
def base():
    return load_kb()


@pytest.fixture(scope="module")
def registry(tmp_path_factory):
    p = tmp_path_factory.mktemp("reform-jobs") / "registre.csv"
    p.write_text(synth_text(2000, seed=8, ref=date(2026, 12, 1)), encoding="utf-8")
    return p


def _outputs(impact) -> tuple[str, str, dict]:
    """The impact's CSV and JSON bytes, and its counts (what the report shows), without timings."""
    csv_out, json_out = io.StringIO(), io.StringIO()
    imp_mod.WRITERS["csv"](impact, csv_out)
    imp_mod.WRITERS["json"](impact, json_out)
    d = json.loads(json_out.getvalue())
    d.pop("seconds", None)
    return csv_out.getvalue(), json.dumps(d, sort_keys=True), impact.to_dict() | {"seconds": None}


def _screen(path, engine=None, **kw) -> str:
    out = io.StringIO()
    screen_columnar(str(path), CsvWriter(out, ","), as_of=WHEN, engine=engine, progress=False,
                    block_bytes=BLOCK, **kw)
    return out.getvalue()


@pytest.mark.parametrize("path", [LSC, MAROC], ids=lambda p: p.stem)
def test_two_workers_give_the_impact_of_one_process_and_of_the_scalar_engine(path, base, registry, monkeypatch):
    started = []
    real = CJ.Pool
    monkeypatch.setattr(CJ, "Pool", lambda *a, **k: started.append((k.get("reform"), k.get("pair"))) or real(*a, **k))
    r = load_reform(path, base.book, base.ref)
    errors = len(CJ.WORKER_ERRORS)
    two, b2, a2 = screen_impact(str(registry), r, base=base, as_of=WHEN, progress=False, engine="columnar",
                                jobs=2, block_bytes=BLOCK)
    assert len(CJ.WORKER_ERRORS) == errors, CJ.WORKER_ERRORS[errors:]   # every batch answered by a worker
    # one pool for both screenings (screening/columnar_impact.py), told which reform to rebuild
    assert started == [(CJ.reform_spec(r), r.meta())] and started[0][0]["digest"] == r.digest
    one, b1, a1 = screen_impact(str(registry), r, base=base, as_of=WHEN, progress=False, engine="columnar",
                                jobs=1, block_bytes=BLOCK)
    scalar, b0, a0 = screen_impact(str(registry), r, base=base, as_of=WHEN, progress=False, engine="scalar")
    assert _outputs(two) == _outputs(one) == _outputs(scalar)
    assert (b2.read, b2.rows_out, a2.rows_out) == (b1.read, b1.rows_out, a1.rows_out) == (b0.read, b0.rows_out, a0.rows_out)
    # statuses change, and in several batches (any worker answering with the law in force's
    # program would have lost the changes of its batches)
    lines = sorted({int(c["line"]) for c in two.changes if c["status_before"] != c["status_after"]})
    assert two.changed_cases > 0 and lines, "the reform must change statuses in this registry"
    assert len({ln // 320 for ln in lines}) >= 3, lines


def _rows_of(text: str, line: int) -> list[str]:
    return [x for x in text.splitlines()[1:] if int(x.split(",", 1)[0]) == line]


def test_a_lost_batch_of_the_reformed_screening_is_answered_with_the_reformed_program(base, registry, tmp_path,
                                                                                    monkeypatch):
    """The worker answering the batch of line 700 (columnar_faults.LINE) raises or dies: the main
    process answers that batch with the program compiled from the reformed rule book — the bytes
    of one process under the reform, which differ from the law in force's on line 700 itself
    (a case the reform changes is put there)."""
    r = load_reform(LSC, base.book, base.ref)
    reformed = r.engine(base)
    spec = CJ.reform_spec(r)
    under_reform = _screen(registry, reformed, reform=spec, jobs=1)
    in_force = _screen(registry, None, jobs=1)
    changed = next(n for n in range(2, 2002) if _rows_of(under_reform, n) != _rows_of(in_force, n))
    lines = registry.read_text(encoding="utf-8").split("\n")
    k = columnar_faults.LINE - 1
    lines[k], lines[changed - 1] = lines[changed - 1], lines[k]   # the changed case on physical line 700
    p = tmp_path / "registre.csv"
    p.write_text("\n".join(lines), encoding="utf-8")
    under_reform = _screen(p, reformed, reform=spec, jobs=1)
    assert _rows_of(under_reform, columnar_faults.LINE) != _rows_of(_screen(p, None, jobs=1), columnar_faults.LINE)
    registry = p
    # every batch to a worker (not this process's thread, columnar_pipeline.MAIN_ANSWERS): the fault is the worker's
    monkeypatch.setattr(CP, "MAIN_ANSWERS", False)
    for fault in (columnar_faults.raises, columnar_faults.dies):
        before = len(CJ.WORKER_ERRORS)
        two = _screen(registry, reformed, reform=spec, jobs=2, fault=fault)
        assert len(CJ.WORKER_ERRORS) > before   # the batch was lost by its worker
        assert two == under_reform


def test_every_reformed_worker_failing_leaves_the_main_process_answering_under_the_reform(base, registry,
                                                                                         monkeypatch):
    monkeypatch.setattr(CP, "MAIN_ANSWERS", False)   # every batch to a worker: the fault is the workers'
    r = load_reform(MAROC, base.book, base.ref)
    reformed = r.engine(base)
    spec = CJ.reform_spec(r)
    one = _screen(registry, reformed, reform=spec, jobs=1)
    assert one != _screen(registry, None, jobs=1)
    assert _screen(registry, reformed, reform=spec, jobs=2, fault=columnar_faults.always_raises) == one
    assert "MemoryError: simulated" in CJ.WORKER_ERRORS[-1]


def test_a_worker_rebuilds_the_reform_from_the_bytes_read_not_the_file(tmp_path, base):
    """The reform file changed (or removed) after the main process read and checked it: a worker
    rebuilds the reform the main process read; one whose rebuilt reform is another (another rule
    book: its digest) refuses to start."""
    p = tmp_path / "r.yaml"
    p.write_bytes(LSC.read_bytes())
    r = load_reform(p, base.book, base.ref)
    spec = CJ.reform_spec(r)
    p.unlink()
    eng = CJ.reformed_engine(spec, base)
    assert eng.kb_meta["reform"]["digest"] == r.digest[:12] and eng.book.digest == r.book.digest
    with pytest.raises(RuntimeError, match="livre de règles"):
        CJ.reformed_engine({**spec, "digest": "0" * 64}, base)


def test_cli_jobs_keeps_the_columnar_engine_with_a_reform(tmp_path, monkeypatch, capsys):
    """``--jobs`` no longer forces the scalar engine under ``--reform``: the engine a plain
    screening of the file would use (columnar from 16 KB), ``--engine scalar`` when asked."""
    p = tmp_path / "registre.csv"
    p.write_text(synth_text(300, seed=2, ref=date(2026, 12, 1)), encoding="utf-8")
    seen = []
    real = imp_mod.screen_impact
    monkeypatch.setattr(imp_mod, "screen_impact", lambda *a, **k: seen.append((k["engine"], k["jobs"])) or real(*a, **k))
    outs = {}
    for extra in (["-j", "2"], ["-j", "1"], ["--engine", "scalar", "-j", "2"]):
        o = tmp_path / f"impact{len(seen)}.csv"
        assert main(["screen", str(p), "--reform", str(LSC), "--as-of", "2027-07-01", "-q", "--no-progress",
                     "-o", str(o)] + extra) == 0
        outs[tuple(extra)] = o.read_bytes()
    capsys.readouterr()
    assert seen == [("columnar", 2), ("columnar", 1), ("scalar", 2)]
    assert len(set(outs.values())) == 1 and outs[("-j", "2")].count(b"\n") > 1


@pytest.mark.parametrize("rows", [3, 50_000])
def test_the_comparison_by_columns_gives_the_comparison_cell_by_cell(base, tmp_path, monkeypatch, rows):
    """compare_files reads both screenings by columns (polars), ``rows`` rows at a time, and
    compares in Python only the cases that differ; on a damaged registry (error rows, cells over
    two lines, quotes, formula cells) it gives what parsing every cell of both files gives
    (_compare_parsed) — with batches that cut cases (3 rows) or hold the whole file."""
    from test_columnar_jobs import _damaged
    monkeypatch.setattr(imp_mod, "COMPARE_ROWS", rows)
    src = tmp_path / "d.csv"
    src.write_bytes(_damaged(1500, seed=5))
    for path in (LSC, MAROC):
        r = load_reform(path, base.book, base.ref)
        outs = []
        for name, eng, kw in (("before", None, {}), ("after", r.engine(base), {"reform": CJ.reform_spec(r)})):
            o = tmp_path / f"{name}.csv"
            with open(o, "w", encoding="utf-8", newline="") as f:
                screen_columnar(str(src), CsvWriter(f, ","), as_of=WHEN, engine=eng, progress=False, **kw)
            outs.append(str(o))
        assert '"' in Path(outs[0]).read_text(encoding="utf-8")
        fast = imp_mod.compare_files(*outs, imp_mod.Impact(reform=r.meta())).to_dict()
        slow = imp_mod._compare_parsed(*outs, imp_mod.Impact(reform=r.meta())).to_dict()
        assert fast == slow and fast["rejected"] > 0 and fast["changed_cases"] > 0 and fast["cases"] == 1500


def test_standard_input_under_a_reform_is_screened_as_the_file_it_is(tmp_path, monkeypatch, capsys):
    """``screen - --reform``: standard input is copied once (it is read by both screenings), then
    the engine and the processes are chosen for that copy as for a file of its size — columnar
    from 16 KB (before, standard input of unknown size always went to the scalar engine) — and the
    impact is the file's, the report naming « <stdin> »; a small input stays with the scalar engine."""
    import sys
    big = tmp_path / "registre.csv"
    big.write_text(synth_text(300, seed=2, ref=date(2026, 12, 1)), encoding="utf-8")
    small = tmp_path / "petit.csv"
    small.write_text(synth_text(5, seed=2, ref=date(2026, 12, 1)), encoding="utf-8")
    assert big.stat().st_size > 16 * 1024 > small.stat().st_size
    import tempfile
    spools = set(Path(tempfile.gettempdir()).glob("lexquery-reform-*"))
    seen = []
    real = imp_mod.screen_impact
    monkeypatch.setattr(imp_mod, "screen_impact",
                        lambda *a, **k: seen.append((k["engine"], k.get("label"))) or real(*a, **k))
    for src in (big, small):
        o_file, o_stdin = tmp_path / f"{src.stem}-file.json", tmp_path / f"{src.stem}-stdin.json"
        assert main(["screen", str(src), "--reform", str(LSC), "--as-of", "2027-07-01", "-q", "--no-progress",
                     "-j", "1", "-o", str(o_file)]) == 0
        with open(src, "rb") as f:
            monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(f, encoding="utf-8"))
            assert main(["screen", "-", "--reform", str(LSC), "--as-of", "2027-07-01", "-q", "--no-progress",
                         "-j", "1", "-o", str(o_stdin)]) == 0
        a, b = json.loads(o_file.read_text(encoding="utf-8")), json.loads(o_stdin.read_text(encoding="utf-8"))
        assert b["source"] == "<stdin>" and a["source"] == str(src)
        assert {k: v for k, v in a.items() if k not in ("source", "seconds")} == \
            {k: v for k, v in b.items() if k not in ("source", "seconds")}
    capsys.readouterr()
    assert seen == [("columnar", None), ("columnar", "<stdin>"), ("scalar", None), ("scalar", "<stdin>")]
    assert set(Path(tempfile.gettempdir()).glob("lexquery-reform-*")) == spools   # the copy removed


def _screening_csv(path, rows):
    import csv as _csv
    from lexquery.engine.screen_row import FIELDS
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = _csv.writer(f, lineterminator="\n")
        w.writerow(FIELDS)
        for r in rows:
            w.writerow([r.get(k, "") for k in FIELDS])


@pytest.mark.parametrize("rows", [1, 2, 50_000])
def test_the_comparison_of_cases_whose_rows_differ_in_number(tmp_path, monkeypatch, rows):
    """A case with a row more under the reform (a State more), a case of one row per side, an
    error row, a message over two lines: compare_files gives what _compare_parsed gives, batches
    of 1, 2 or all rows; screenings out of step are said, not compared."""
    monkeypatch.setattr(imp_mod, "COMPARE_ROWS", rows)
    r = lambda line, proc, state, status, **kw: {"line": line, "id": f"C{line}", "as_of": "2027-07-01",  # noqa: E731
                                                 "procedure": proc, "state": state, "status": status, **kw}
    before = [r(2, "ste_transfer", "MA", "applicable"), r(2, "lc_expulsion", "", "applicable_later", **{"from": "2028-01-01"}),
              r(3, "ste_transfer", "TR", "not_applicable"),
              r(4, "", "", "error", message="colonne inconnue\nligne 4"),
              r(5, "lc_expulsion", "", "applicable", routes="lsc_plein_droit:not_applicable"),
              r(6, "ste_transfer", "TR", "undetermined")]
    after = [r(2, "ste_transfer", "MA", "applicable"), r(2, "ste_transfer", "DZ", "applicable"),
             r(2, "lc_expulsion", "", "applicable_later", **{"from": "2027-08-01"}),
             r(3, "ste_transfer", "TR", "not_applicable"),
             r(4, "", "", "error", message="colonne inconnue\nligne 4"),
             r(5, "lc_expulsion", "", "applicable", routes="lsc_plein_droit:applicable:2027-07-01"),
             r(6, "ste_transfer", "TR", "undetermined")]
    b, a = tmp_path / "b.csv", tmp_path / "a.csv"
    _screening_csv(b, before)
    _screening_csv(a, after)
    meta = {"label": "essai", "from": "2027-07-01"}
    fast = imp_mod.compare_files(str(b), str(a), imp_mod.Impact(reform=meta)).to_dict()
    slow = imp_mod._compare_parsed(str(b), str(a), imp_mod.Impact(reform=meta)).to_dict()
    assert fast == slow
    assert (fast["cases"], fast["changed_cases"], fast["rejected"]) == (5, 2, 1)
    assert {(c["line"], c["procedure"], c["route"], c["state"]) for c in fast["changes"]} == {
        ("2", "ste_transfer", None, "DZ"), ("2", "lc_expulsion", None, None),
        ("5", "lc_expulsion", "lsc_plein_droit", None)}
    _screening_csv(a, [dict(x, line=7) if x["line"] == 3 else x for x in after])
    from lexquery.errors import LexqueryError
    with pytest.raises(LexqueryError, match="ligne 3 sous la loi en vigueur, ligne 7 sous la réforme") as e:
        imp_mod.compare_files(str(b), str(a), imp_mod.Impact(reform=meta))
    assert e.value.render("en") == (   # a defect of lexquery, said for a person (errors.py)
        "error: screenings out of step: line 3 under the law in force, line 7 under the reform\n"
        "  --> screen --reform: lexquery.screening.impact.compare_files\n"
        "  = expected: the same cases, in the same order, in both screenings\n"
        "  = help: a defect of lexquery, not of your file: run again with --debug and report it")
    with pytest.raises(LexqueryError, match="ligne 3 sous la loi en vigueur, ligne 7 sous la réforme"):
        imp_mod._compare_parsed(str(b), str(a), imp_mod.Impact(reform=meta))   # _cases: the same words
