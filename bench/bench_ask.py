"""Benchmark: answering one case in a warm process, and the cold start.

Run:  .venv/bin/python bench/bench_ask.py [N]
Prints: rules compile time, cold `lexquery ask` (new process) vs `python -c "import rdflib"`,
and warm per-case time over N repetitions of every example (median and p95), with full
answers and without explanations (the screening's ``ask(explain=False)``).
"""
from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))


def compile_bytecode() -> None:
    """Compile the package's bytecode before a cold start is timed, as ``pip install`` does for
    an installed package and as ``make setup`` does here: where PYTHONDONTWRITEBYTECODE is set
    (this workplace sets it) Python would otherwise compile every module of lexquery from source
    on every start, ≈ 70 ms that no installed copy pays."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "src")], check=True,
                   stdout=subprocess.DEVNULL)


def _cold(cmd: list[str], runs: int = 5) -> float:
    best = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, cwd=ROOT)
        best.append(time.perf_counter() - t)
    return statistics.median(best)


def main(n: int = 2000) -> None:
    from lexquery.engine.api import Engine

    t = time.perf_counter()
    engine = Engine()
    compile_s = time.perf_counter() - t
    cases = []
    for f in sorted((ROOT / "examples").glob("*.json")):
        data = json.loads(f.read_text(encoding="utf-8"))
        cases += data if isinstance(data, list) else [data]
    times = []
    for i in range(n):
        c = cases[i % len(cases)]
        t = time.perf_counter()
        engine.ask(c)
        times.append(time.perf_counter() - t)
    times.sort()
    batch = Engine().prepare_batch()  # as `lexquery screen` runs it: expressions compiled to source
    fast = []
    for i in range(n):
        c = cases[i % len(cases)]
        t = time.perf_counter()
        batch.ask(c, explain=False)
        fast.append(time.perf_counter() - t)
    fast.sort()
    py = sys.executable
    compile_bytecode()
    cold_ask = _cold([py, "-m", "lexquery.cli", "ask", "examples/ionescu.json", "-f", "json"])
    cold_rdflib = _cold([py, "-c", "import rdflib"])
    print(f"rules compiled + reference loaded once : {compile_s * 1000:.1f} ms")
    print(f"warm ask, {n} answers over {len(cases)} example case(s): "
          f"median {statistics.median(times) * 1000:.3f} ms, p95 {times[int(0.95 * len(times))] * 1000:.3f} ms")
    print(f"warm ask without explanations (screening, prepare_batch): "
          f"median {statistics.median(fast) * 1000:.3f} ms, p95 {fast[int(0.95 * len(fast))] * 1000:.3f} ms")
    print(f"cold `lexquery ask` (new process, median of 5): {cold_ask * 1000:.0f} ms")
    print(f"cold `python -c 'import rdflib'` (median of 5):  {cold_rdflib * 1000:.0f} ms")
    print(f"cold ask / import rdflib: {cold_ask / cold_rdflib:.2f} × (target ≤ 1.5 ×: "
          f"{'met' if cold_ask <= 1.5 * cold_rdflib else 'NOT met'})")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000)
