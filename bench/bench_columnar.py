"""Program.run alone (issue 16): the columnar program over a typed frame, against the scalar
engine on the same cases — cases/s (wall and CPU of this process), peak memory, load average.

Run:  .venv/bin/python bench/bench_columnar.py [N] [--blank 0.25] [--block 35000] [--scalar 5000]

The frame is built from `lexquery synth` (seed 0, as of 2026-12-01) read by the scalar reader
(tests/columnar_helpers.frame_from_cases: the interface's typed frame), outside the timing.
Program.run is timed on blocks of ``--block`` rows (columnar-io's reader gives ≈ 35,000-row
blocks); the scalar engine (``ask(explain=False)``, what `lexquery screen --engine scalar` runs) on the first ``--scalar``
cases. Peak memory: tracemalloc (Python and numpy allocations) over the runs, separately timed.
The machine is shared: give the load average with every figure.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "tests"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("n", type=int, nargs="?", default=100_000)
    ap.add_argument("--blank", type=float, default=0.0)
    ap.add_argument("--block", type=int, default=35_000)
    ap.add_argument("--scalar", type=int, default=5_000)
    ap.add_argument("--memory", action="store_true", help="also a run under tracemalloc (slower)")
    a = ap.parse_args()
    from columnar_helpers import engine, frame_from_cases, synth_cases
    from lexquery.columnar.program import compile_book
    cases = synth_cases(a.n, 0, a.blank)
    eng = engine()
    frame = frame_from_cases(cases)
    prog = compile_book(eng.book, eng.ref)
    prog.run(frame[:200])   # warm: reference look-ups of the common States
    t, c = time.perf_counter(), time.process_time()
    rows = fb = 0
    for start in range(0, frame.height, a.block):
        out = prog.run(frame[start:start + a.block])
        rows += out.height
        fb += len(prog.fallback)
    wall, cpu = time.perf_counter() - t, time.process_time() - c
    print(f"columnar Program.run: {frame.height} cases, {rows} rows, {fb} rows asked to the scalar engine; "
          f"{wall:.2f} s wall ({frame.height / wall:,.0f} cases/s), {cpu:.2f} s CPU ({frame.height / cpu:,.0f} cases/s)")
    k = min(a.scalar, len(cases))
    t, c = time.perf_counter(), time.process_time()
    for _, _, case in cases[:k]:
        eng.ask(dict(case, __normalised__=True), None, explain=False)
    wall_s, cpu_s = time.perf_counter() - t, time.process_time() - c
    print(f"scalar engine.ask (explain=False): {k} cases, {wall_s:.2f} s wall ({k / wall_s:,.0f} cases/s), "
          f"{cpu_s:.2f} s CPU ({k / cpu_s:,.0f} cases/s)")
    print(f"ratio (CPU): {(frame.height / cpu) / (k / cpu_s):.1f}x; load average {os.getloadavg()}")
    if a.memory:
        tracemalloc.start()
        for start in range(0, frame.height, a.block):
            prog.run(frame[start:start + a.block])
        cur, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(f"tracemalloc peak during Program.run (blocks of {a.block}): {peak / 2**20:.0f} MiB")
    import resource
    print(f"peak RSS of the process (frame and cases included): "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
