"""The garbage collector paused while a command's process starts (lexquery/gcpause.py): in the
command line's own process only, on again (the start-up's objects frozen) before a screening's
first batch is answered; a fresh worker sets up with it paused and works with it on; a call of
``lexquery.cli.main`` from Python with its own arguments leaves it alone."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

import worker_setups as S   # tests/worker_setups.py: importable by the workers
from lexquery import workers
from lexquery.screening.synth import synth_text


def _python(code: str) -> str:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                          check=True).stdout


# a screening through lexquery.cli.main, the collector's state seen by each batch answered
_SCREEN = """
import gc, sys
from lexquery.screening import columnar_pipeline as cp
seen = []
answer = cp.answer_block
def spy(*a, **k):
    seen.append(gc.isenabled())
    return answer(*a, **k)
cp.answer_block = spy
from lexquery.cli import main
argv = ["screen", {path!r}, "-j1", "--engine", "{engine}", "-o", {out!r}, "--as-of", "2026-12-01",
        "--no-progress", "-q"]
if {own}:
    sys.argv = ["lexquery"] + argv
    main()
else:
    main(argv)
print(seen, gc.isenabled(), gc.get_freeze_count() > 0)
"""


@pytest.mark.parametrize("own", [True, False], ids=["command-line", "from-python"])
def test_a_columnar_screening_answers_with_the_collector_on(tmp_path, own):
    pytest.importorskip("polars")
    path = tmp_path / "s.csv"
    path.write_text(synth_text(30, seed=2), encoding="utf-8")
    out = _python(_SCREEN.format(path=str(path), out=str(tmp_path / "o.csv"), engine="columnar", own=own))
    # the command line's process: paused while it started, then frozen and on; from Python: untouched
    assert out == f"[True] True {own}\n"


def test_the_scalar_screening_runs_with_the_collector_on(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text(synth_text(30, seed=2), encoding="utf-8")
    code = _SCREEN.format(path=str(path), out=str(tmp_path / "o.csv"), engine="scalar", own=True).replace(
        "from lexquery.cli import main",
        "from lexquery.screening import screen as sc\n"
        "one = sc.answer_csv\n"
        "def spy1(*a, **k):\n    seen.append(gc.isenabled())\n    return one(*a, **k)\n"
        "sc.answer_csv = spy1\nfrom lexquery.cli import main")
    seen, on, frozen = _python(code).rsplit(" ", 2)
    assert seen.startswith("[True") and "False" not in seen and on == "True"


def test_pause_outside_the_command_line_process_does_nothing():
    out = _python("import gc; from lexquery import gcpause as g; g.pause(); a = gc.isenabled(); "
                  "g.pause(entry=True); b = gc.isenabled(); g.resume(); "
                  "print(a, b, gc.isenabled(), gc.get_freeze_count() > 0)")
    assert out == "True False True True\n"


def test_a_fresh_worker_sets_up_paused_and_works_with_the_collector_on():
    out = list(workers.in_order(range(3), lambda p: f"{p}:here", 2, lambda p, r: f"{p}:lost", start="spawn",
                                setup=S.gc_state, note=lambda *a: None))
    assert out == [f"{i}:False:True:True" for i in range(3)]
