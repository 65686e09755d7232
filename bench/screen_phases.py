"""The phases of one columnar screening at -j1 (issue 16): wall seconds of reading and typing
(``read``), the program, the rows handed back (``fallback``) and writing (``write``) — the
``timings`` of :func:`lexquery.screening.columnar_pipeline.screen_columnar` — and the process's CPU.

Run:  PYTHONPATH=SRC .venv/bin/python bench/screen_phases.py FILE.csv [OUT.csv]
      (alternate two trees' SRC for an A/B: old, new, old, new; give the load average with it)
"""
import sys
import time
from datetime import date

from lexquery.screening import columnar_pipeline as P
from lexquery.screening.outputs import CsvWriter

if __name__ == "__main__":
    tm: dict = {}
    out = open(sys.argv[2] if len(sys.argv) > 2 else "/dev/null", "w", encoding="utf-8", newline="")
    c0, w0 = time.process_time(), time.perf_counter()
    P.screen_columnar(sys.argv[1], CsvWriter(out, ","), as_of=date(2026, 12, 1), progress=False, timings=tm)
    out.close()
    print(f"cpu {time.process_time() - c0:.2f} wall {time.perf_counter() - w0:.2f} "
          + " ".join(f"{k} {v:.3f}" for k, v in sorted(tm.items())))
