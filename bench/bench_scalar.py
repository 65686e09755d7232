"""Benchmark of the scalar engine's batch path (``Engine.ask(..., explain=False)``, what
``lexquery screen --engine scalar`` runs for each row), warm, in one process.

Run:  .venv/bin/python bench/bench_scalar.py [FILE.csv] [--n 3000] [--repeat 3] [--full]

Reads the synthetic export (default: ``lexquery synth 3000 --seed 0`` as of 2026-12-01, made
in memory), builds each row's case once, then answers every case ``--repeat`` times and
prints the best CPU time (``time.process_time``: less sensitive than wall time to the other
processes of a shared machine) as cases/s, with the load average. ``--full``: the full
evaluator too (engine/evaluate.py, ``Engine._one``), on the same compiled expressions: with
``explain=False`` (what a screening would cost without engine/status_only.py) and with
``explain=True`` (an ``ask`` with its explanation). Not a test: figures only.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "tests"))
AS_OF = date(2026, 12, 1)


def cases_of(text: str) -> list:
    from columnar_helpers import read_cases   # the scalar reader, row by row (tests/columnar_helpers.py)
    return [c for _, _, c in read_cases(text, AS_OF)]


def measure(engine, cases, repeat: int, explain: bool) -> float:
    best = None
    for _ in range(repeat):
        t = time.process_time()
        for c in cases:
            engine.ask(c, AS_OF, explain=explain)
        dt = time.process_time() - t
        best = dt if best is None else min(best, dt)
    return best


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("file", nargs="?")
    ap.add_argument("--n", type=int, default=3000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--full", action="store_true")
    a = ap.parse_args(argv)
    if a.file:
        text = Path(a.file).read_text(encoding="utf-8")
    else:
        from lexquery.screening.synth import synth_text
        text = synth_text(a.n, 0, AS_OF)
    cases = cases_of(text)[:a.n]
    from lexquery.engine.api import load_kb
    eng = load_kb().prepare_batch()
    load0 = os.getloadavg()
    s = measure(eng, cases, a.repeat, False)
    print(f"status-only (screen --engine scalar): {len(cases) / s:,.0f} cases/s "
          f"({s * 1e6 / len(cases):.0f} µs a case, CPU, best of {a.repeat}, {len(cases)} cases)")
    if a.full:
        so, eng.status_only = eng.status_only, None   # ask(explain=False) then runs Engine._one
        try:
            f = measure(eng, cases, a.repeat, False)
            print(f"full evaluator, explain=False:        {len(cases) / f:,.0f} cases/s ({f * 1e6 / len(cases):.0f} µs a case)")
            f = measure(eng, cases, a.repeat, True)
            print(f"full evaluator, explain=True:         {len(cases) / f:,.0f} cases/s ({f * 1e6 / len(cases):.0f} µs a case)")
        finally:
            eng.status_only = so
    print("load average 1/5/15 min: start {:.2f} {:.2f} {:.2f}, end {:.2f} {:.2f} {:.2f}".format(*load0, *os.getloadavg()))


if __name__ == "__main__":
    main()
