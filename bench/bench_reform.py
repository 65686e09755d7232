"""`screen` vs `screen --reform` on the same synthetic registry, in one process (issue 16 item 4:
--reform costs at most 2.2× a plain screening of the same file).

CPU time (``time.process_time``: less sensitive than wall time to the other processes of a
shared machine) of a plain screening to CSV and of the impact of a reform (load of the reform,
both screenings, comparison), one process each (jobs=1), alternated, best of ``--runs``.
Both engines (``--engine scalar|columnar|both``, default both): the plain screening and the
impact by the same engine — the columnar impact compiles a program for the reformed book.
Usage: .venv/bin/python bench/bench_reform.py [--rows 10000] [--runs 3] [--reform PATH] [--as-of 2027-07-01] [--engine both]
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
    a = ap.parse_args()
    for kind in (["scalar", "columnar"] if a.engine == "both" else [a.engine]):
        run(a, kind)


def run(a, kind):
    from lexquery.screening.columnar_pipeline import screen_columnar
    when = date.fromisoformat(a.as_of)
    fd, path = tempfile.mkstemp(suffix=".csv")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(synth_text(a.rows, seed=1, ref=date(2026, 12, 1)))
    base = load_kb().prepare_batch()
    print(f"load average before: {os.getloadavg()}")
    plain, reform = [], []
    try:
        for _ in range(a.runs):
            t = time.process_time()
            if kind == "columnar":
                screen_columnar(path, CsvWriter(io.StringIO(), ","), as_of=when, engine=base, progress=False)
            else:
                screen(path, CsvWriter(io.StringIO(), ","), as_of=when, engine=base, progress=False)
            plain.append(time.process_time() - t)
            t = time.process_time()
            r = load_reform(a.reform, base.book, base.ref)
            imp, _, _ = screen_impact(path, r, base=base, as_of=when, progress=False, engine=kind)
            reform.append(time.process_time() - t)
            print(f"  plain {plain[-1]:.2f} s cpu, --reform {reform[-1]:.2f} s cpu "
                  f"({', '.join(f'{k} {v:.2f} s wall' for k, v in imp.seconds.items())}), "
                  f"{imp.changed_cases} cases change")
    finally:
        os.unlink(path)
    print(f"load average after: {os.getloadavg()}")
    print(f"{kind}: {a.rows} rows, best of {a.runs}: plain {min(plain):.2f} s cpu, --reform {min(reform):.2f} s cpu, "
          f"ratio {min(reform) / min(plain):.2f}")


if __name__ == "__main__":
    main()
