"""The start-up of a columnar screening (issue 16): what a process computes before its first batch.
The scalar engine's expressions are compiled to Python source (``Engine.prepare_batch``) only when
the scalar engine is first asked (``columnar_pipeline.scalar_ready``): a worker, and a screening
whose rows the program answers, never compile them; lines handed to the scalar engine get them."""
from __future__ import annotations

import io
from datetime import date

import pytest

pytest.importorskip("polars")

from lexquery.engine import api  # noqa: E402
from lexquery.screening import columnar_jobs as CJ  # noqa: E402
from lexquery.screening.columnar_pipeline import screen_columnar  # noqa: E402
from lexquery.screening.outputs import CsvWriter  # noqa: E402
from lexquery.screening.screen import screen  # noqa: E402
from lexquery.screening.synth import synth_text  # noqa: E402

AS_OF = date(2026, 12, 1)


def _sourced(engine) -> bool:
    return bool(getattr(engine.book, "_sourced", False))


def _columnar(path, engine) -> str:
    out = io.StringIO()
    screen_columnar(str(path), CsvWriter(out), as_of=AS_OF, engine=engine, progress=False, jobs=1)
    return out.getvalue()


def _scalar(path) -> str:
    out = io.StringIO()
    screen(str(path), CsvWriter(out), as_of=AS_OF, progress=False, jobs=1)
    return out.getvalue()


def test_a_worker_does_not_compile_the_scalar_engine(monkeypatch):
    fresh = api.Engine()
    monkeypatch.setattr(api, "_DEFAULT", fresh)
    init = {"reference": False, "builder": None, "known": None, "as_of": AS_OF, "label": "", "sep": ",",
            "as_json": False}
    CJ.setup(init)
    assert not _sourced(fresh)


def test_rows_the_program_answers_leave_the_scalar_engine_as_loaded(tmp_path):
    path = tmp_path / "clean.csv"
    path.write_text(synth_text(60, seed=5, ref=AS_OF), encoding="utf-8")
    fresh = api.Engine()
    assert _columnar(path, fresh) == _scalar(path)
    assert not _sourced(fresh)


@pytest.mark.parametrize("damage", ['"Martin', '"Dupont\nJean"'], ids=["stray-quote", "spanning-cell"])
def test_lines_for_the_scalar_engine_compile_it_first(tmp_path, damage):
    lines = synth_text(40, seed=7, ref=AS_OF).rstrip("\n").split("\n")
    cells = lines[5].split(";")
    cells[1] = damage   # a line the vector reader hands to the scalar engine
    lines[5] = ";".join(cells)
    path = tmp_path / "damaged.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    fresh = api.Engine()
    assert _columnar(path, fresh) == _scalar(path)
    assert _sourced(fresh)


def test_a_columnar_screening_does_not_import_numpy_ma(tmp_path):
    """numpy's plain ``np.unique(a)`` asks ``np.ma.is_masked`` and so imports ``numpy.ma``
    (≈ 0.013 s of every process): the program takes the distinct values another way
    (``shapes.unique_ints``)."""
    import os
    import subprocess
    import sys
    path = tmp_path / "s.csv"
    path.write_text(synth_text(200, seed=3, ref=AS_OF), encoding="utf-8")
    code = ("import io, sys; from datetime import date; "
            "from lexquery.screening.columnar_pipeline import screen_columnar; "
            "from lexquery.screening.outputs import CsvWriter; "
            f"screen_columnar({str(path)!r}, CsvWriter(io.StringIO()), as_of=date(2026, 12, 1), progress=False, "
            "jobs=1); print('numpy.ma' in sys.modules)")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout
    assert out == "False\n"
