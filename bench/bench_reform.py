"""`screen` vs `screen --reform` on the same synthetic registry, in one process (issue 16 item 4:
--reform costs at most 2.2× a plain screening of the same file).

CPU time (``time.process_time`` of this process plus the CPU of the worker processes that ended,
``os.times().children_*``: less sensitive than wall time to the other processes of a shared
machine) and wall time of a plain screening to CSV and of the impact of a reform (load of the
reform, both screenings, comparison), alternated, best of ``--runs``; both with ``--jobs``
processes (default 1; with the columnar engine, workers start from a second batch, each compiles
the program of its screening — the reformed one for the reformed screening).
Both engines (``--engine scalar|columnar|both``, default both): the plain screening and the
impact by the same engine — the columnar impact compiles a program for the reformed book.
Usage: .venv/bin/python bench/bench_reform.py [--rows 10000] [--runs 3] [--jobs 1] [--reform PATH] [--as-of 2027-07-01] [--engine both]
"""
from __future__ import annotations

import argparse
import io
import os
import tempfile
import time
from datetime import date

from lexquery.engine.api import load_kb
from lexquery.engine.reform import load_reform
from lexquery.screening.impact import screen_impact
from lexquery.screening.outputs import CsvWriter
from lexquery.screening.screen import screen
from lexquery.screening.synth import synth_text


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=10000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--reform", default="examples/reforms/lsc-plein-droit-trois-ans.yaml")
    ap.add_argument("--as-of", default="2027-07-01")
    ap.add_argument("--engine", choices=["scalar", "columnar", "both"], default="both")
    ap.add_argument("--jobs", type=int, default=1)
    a = ap.parse_args()
    for kind in (["scalar", "columnar"] if a.engine == "both" else [a.engine]):
        run(a, kind)


def _cpu() -> float:
    """CPU seconds of this process and of its children that ended (the workers)."""
    t = os.times()
    return time.process_time() + t.children_user + t.children_system


def run(a, kind):
    from lexquery.screening.columnar_pipeline import screen_columnar
    when = date.fromisoformat(a.as_of)
    fd, path = tempfile.mkstemp(suffix=".csv")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(synth_text(a.rows, seed=1, ref=date(2026, 12, 1)))
    base = load_kb().prepare_batch()
    print(f"load average before: {os.getloadavg()}")
    plain, reform, plain_w, reform_w = [], [], [], []
    try:
        for _ in range(a.runs):
            t, w = _cpu(), time.perf_counter()
            if kind == "columnar":   # the knowledge base's own engine (engine=None): workers when jobs > 1
                screen_columnar(path, CsvWriter(io.StringIO(), ","), as_of=when, progress=False, jobs=a.jobs)
            else:
                screen(path, CsvWriter(io.StringIO(), ","), as_of=when, engine=base, progress=False, jobs=a.jobs)
            plain.append(_cpu() - t)
            plain_w.append(time.perf_counter() - w)
            t, w = _cpu(), time.perf_counter()
            r = load_reform(a.reform, base.book, base.ref)
            imp, _, _ = screen_impact(path, r, base=base, as_of=when, progress=False, engine=kind, jobs=a.jobs)
            reform.append(_cpu() - t)
            reform_w.append(time.perf_counter() - w)
            print(f"  plain {plain[-1]:.2f} s cpu {plain_w[-1]:.2f} s wall, --reform {reform[-1]:.2f} s cpu "
                  f"{reform_w[-1]:.2f} s wall ({', '.join(f'{k} {v:.2f} s wall' for k, v in imp.seconds.items())}), "
                  f"{imp.changed_cases} cases change")
    finally:
        os.unlink(path)
    print(f"load average after: {os.getloadavg()}")
    print(f"{kind} -j{a.jobs}: {a.rows} rows, best of {a.runs}: plain {min(plain):.2f} s cpu {min(plain_w):.2f} s wall, "
          f"--reform {min(reform):.2f} s cpu {min(reform_w):.2f} s wall, "
          f"ratio {min(reform) / min(plain):.2f} cpu, {min(reform_w) / min(plain_w):.2f} wall")


if __name__ == "__main__":
    main()
