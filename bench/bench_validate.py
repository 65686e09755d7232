"""Benchmark of `lexquery validate` (SHACL case shapes), side by side in one run.

Run:  .venv/bin/python bench/bench_validate.py             (1,000 / 10,000 / 100,000 cases)
      .venv/bin/python bench/bench_validate.py --quick     (1,000 / 10,000)
      .venv/bin/python bench/bench_validate.py FILE.csv …  (your own files)

Measures, on synthetic registry exports from `lexquery synth N --seed 0` (the CSV, and the
same rows as JSON Lines in the case format):
- warm ms/case for one case at a time (``caserdf.validate``), compiled checker and pySHACL;
- ms/case in batch (``caserdf.validate_many`` over 1,000 cases), both engines;
- seconds for each file through the real command (``lexquery validate FILE --format json``,
  output discarded), with 1 process and with ``jobs`` processes, each run a fresh child;
- CPU seconds of each run (the process and its workers, start-up included): on a busy
  machine wall time grows, CPU time does not;
- peak RSS of each run (VmHWM of the run's process; ``ru_maxrss`` of its largest worker,
  which counts the pages shared with the main process at fork).
The machine's load average is printed with the figures: other work on a 2-core machine
shows up as slower runs and a parallel speed-up below 2. ``measure`` is the entry point
other benchmarks call (bench/bench_screen.py); it returns plain data (no printing).
"""
from __future__ import annotations

import io
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))


def make_files(n: int, directory: Path, seed: int = 0) -> dict[str, Path]:
    """`lexquery synth n --seed 0` as CSV, and the same rows as JSON Lines (case format)."""
    from lexquery.screening.csv_cases import read_rows
    from lexquery.screening.synth import synth_text
    text = synth_text(n, seed=seed)
    csv_path = directory / f"synth-{n}.csv"
    csv_path.write_text(text, encoding="utf-8")
    jsonl_path = directory / f"synth-{n}.jsonl"
    with open(jsonl_path, "w", encoding="utf-8") as f:
        _, rows = read_rows(io.StringIO(text))
        for row in rows:
            f.write(json.dumps(row.raw, ensure_ascii=False) + "\n")
    return {"csv": csv_path, "jsonl": jsonl_path}


def _sample_cases(n: int = 1000) -> list[dict]:
    from lexquery.screening.csv_cases import read_rows
    from lexquery.screening.synth import synth_text
    _, rows = read_rows(io.StringIO(synth_text(n, seed=1)))
    return [r.raw for r in rows if r.raw is not None]


def in_process(engines=("compiled", "pyshacl"), single: int = 200, batch: int = 1000) -> dict:
    """Warm ms/case one case at a time, and ms/case in one batch, per engine."""
    from lexquery.caserdf import validate, validate_many
    cases = _sample_cases(max(single, batch))
    out = {}
    for engine in engines:
        validate(cases[0], engine=engine)  # warm: shapes parsed/compiled, pySHACL imported
        t = time.perf_counter()
        for c in cases[:single]:
            validate(c, engine=engine)
        warm = (time.perf_counter() - t) * 1000 / single
        t = time.perf_counter()
        validate_many(cases[:batch], engine=engine)
        out[engine] = {"warm_single_ms_per_case": round(warm, 3),
                       "batch_ms_per_case": round((time.perf_counter() - t) * 1000 / batch, 3),
                       "batch_size": batch}
    return out


def _child(path: str, jobs: int, engine: str) -> None:
    """Run the command in this (fresh) process; print wall time and peak RSS as JSON."""
    from lexquery.cli import main
    real = sys.stdout
    sys.stdout = open(os.devnull, "w")
    t = time.perf_counter()
    code = main(["validate", path, "--format", "json", "--jobs", str(jobs), "--engine", engine])
    wall = time.perf_counter() - t
    sys.stdout = real
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime   # start-up included
    print(json.dumps({"seconds": round(wall, 3), "cpu_seconds": round(cpu, 3), "exit": code,
                      "peak_rss_mb": round(_vm_hwm_kb() / 1024, 1),
                      "peak_rss_workers_mb": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1)}))


def _vm_hwm_kb() -> int:
    """This process's peak RSS (VmHWM: unlike ru_maxrss it does not carry the parent's peak across exec)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def run_file(path: Path, jobs: int, engine: str = "compiled") -> dict:
    """One run of `lexquery validate` on a file in a fresh child process."""
    r = subprocess.run([sys.executable, __file__, "--child", str(path), str(jobs), engine],
                       capture_output=True, text=True, check=True)
    return json.loads(r.stdout.strip().splitlines()[-1])


def _count(path: Path) -> int:
    with open(path, encoding="utf-8") as f:
        n = sum(1 for line in f if line.strip())
    return n - 1 if path.suffix == ".csv" else n


def measure(paths_or_sizes, jobs: int | None = None, engine: str = "compiled", in_proc: bool = True) -> dict:
    """Validate each file (a path, or a size → `lexquery synth` CSV and JSONL) with 1 and ``jobs`` processes.

    Returns {"machine": …, "in_process": {engine: {warm_single_ms_per_case, batch_ms_per_case}},
    "runs": [{file, format, cases, jobs, seconds, ms_per_case, peak_rss_mb, peak_rss_workers_mb}]}.
    """
    from lexquery.caserdf.stream import default_jobs
    jobs = jobs or default_jobs()
    result = {"machine": {"cpus": default_jobs(), "loadavg_start": os.getloadavg()[0],
                          "python": sys.version.split()[0]},
              "in_process": in_process() if in_proc else {}, "runs": []}
    with tempfile.TemporaryDirectory() as tmp:
        files = []
        for x in paths_or_sizes:
            if isinstance(x, int):
                made = make_files(x, Path(tmp))
                files += [made["jsonl"], made["csv"]]
            else:
                files.append(Path(x))
        for f in files:
            n = _count(f)
            for j in sorted({1, jobs}):
                r = run_file(f, j, engine)
                result["runs"].append({"file": f.name, "format": f.suffix.lstrip("."), "cases": n, "jobs": j,
                                       "engine": engine, **r, "ms_per_case": round(r["seconds"] * 1000 / max(n, 1), 3)})
    result["machine"]["loadavg_end"] = os.getloadavg()[0]
    return result


def _print(res: dict) -> None:
    m = res["machine"]
    print(f"machine: {m['cpus']} CPU(s), Python {m['python']}, load average {m['loadavg_start']:.1f} → {m['loadavg_end']:.1f}")
    print("\nin process (1,000 generated cases):")
    print("| engine | warm ms/case (single) | ms/case in batch |\n|---|---|---|")
    for e, v in res["in_process"].items():
        print(f"| {e} | {v['warm_single_ms_per_case']:.2f} | {v['batch_ms_per_case']:.2f} |")
    print("\n`lexquery validate FILE --format json` (fresh process each, output discarded):")
    print("| file | cases | jobs | seconds | ms/case | CPU seconds (all processes) | peak RSS MB (main / workers) |\n"
          "|---|---|---|---|---|---|---|")
    for r in res["runs"]:
        print(f"| {r['file']} | {r['cases']:,} | {r['jobs']} | {r['seconds']:.1f} | {r['ms_per_case']:.2f} | "
              f"{r['cpu_seconds']:.1f} | {r['peak_rss_mb']:.0f} / {r['peak_rss_workers_mb']:.0f} |")


if __name__ == "__main__":
    args = sys.argv[1:]
    if args[:1] == ["--child"]:
        _child(args[1], int(args[2]), args[3])
        sys.exit(0)
    if args[:1] == ["--quick"]:
        targets = [1000, 10_000]
    elif args:
        targets = args
    else:
        targets = [1000, 10_000, 100_000]
    _print(measure(targets))
