"""Benchmark of the scalar engine's batch path (``Engine.ask(..., explain=False)``, what
``lexquery screen --engine scalar`` runs for each row), warm, in one process.

Run:  .venv/bin/python bench/bench_scalar.py [FILE.csv] [--n 3000] [--repeat 3] [--full]

Reads the synthetic export (default: ``lexquery synth 3000 --seed 0`` as of 2026-12-01, made
in memory), builds each row's case once, then answers every case ``--repeat`` times and
prints the best CPU time (``time.process_time``: less sensitive than wall time to the other
processes of a shared machine) as cases/s, with the load average. ``--full``: the same
evaluator (engine/evaluate.py, ``Engine._one``, the same compiled expressions) also with
``explain=False`` but its reevaluations made from scratch (what a screening would cost without
engine/reuse.py), and with ``explain=True`` (an ``ask`` with its explanation). Not a test:
figures only.
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
    from lexquery.engine.reuse import Reuse
    eng = load_kb().prepare_batch()
    load0 = os.getloadavg()
    s = measure(eng, cases, a.repeat, False)
    print(f"explain=False (screen --engine scalar):   {len(cases) / s:,.0f} cases/s "
          f"({s * 1e6 / len(cases):.0f} µs a case, CPU, best of {a.repeat}, {len(cases)} cases)")
    if a.full:
        class Fresh(Reuse):   # every reevaluation from scratch: nothing given, nothing spared
            def _seed(self, p, kept, free, settled):
                return {}

            def still_not_applicable(self, env, p, overrides):
                return False
        reuse, eng.reuse = eng.reuse, Fresh(eng.book)
        try:
            f = measure(eng, cases, a.repeat, False)
            print(f"explain=False, reevaluations from scratch: {len(cases) / f:,.0f} cases/s ({f * 1e6 / len(cases):.0f} µs a case)")
        finally:
            eng.reuse = reuse
        f = measure(eng, cases, a.repeat, True)
        print(f"explain=True (ask with its explanation):  {len(cases) / f:,.0f} cases/s ({f * 1e6 / len(cases):.0f} µs a case)")
    print("load average 1/5/15 min: start {:.2f} {:.2f} {:.2f}, end {:.2f} {:.2f} {:.2f}".format(*load0, *os.getloadavg()))


if __name__ == "__main__":
    main()
