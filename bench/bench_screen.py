"""Benchmark of `lexquery screen`, side by side in one run; writes docs/performance.md.

Run:  .venv/bin/python bench/bench_screen.py            (1,000 / 10,000 / 100,000 cases)
      .venv/bin/python bench/bench_screen.py --quick    (1,000 / 10,000 only; does not write the doc)

Measures, on synthetic registry exports from `lexquery synth` (seed 0):
- the cold single-case `lexquery ask` (new process) against `python -c "import rdflib"`;
- screening 1,000 / 10,000 / 100,000 cases (CSV in → CSV out, engine compiled once), with
  1 process and with one per core, against a plain-Python *floor*: a hand-written minimal
  evaluator of the key conditions on the same CSV rows (for comparison only, never used
  for answers);
- the HTML report at the largest size;
- peak memory (resource.getrusage ru_maxrss of each run's own process, and of its workers);
- where the time of engine.ask goes (cProfile, top 15 by own time).
Each screening run is a fresh child process, so peak memory is per run.
"""
from __future__ import annotations

import cProfile
import io
import json
import os
import platform
import pstats
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
AS_OF = date(2026, 12, 1)
DOC = ROOT / "docs" / "performance.md"


# --- the floor: key conditions as plain Python on dicts (comparison only) -------------------
EU = {"AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "DE", "GR", "HU", "IT", "LV", "LT",
      "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE"}


def _months(text):
    if not text:
        return None
    if text == "life":
        return 10 ** 6
    import re
    m = re.match(r"^P(?:(\d+)Y)?(?:(\d+)M)?$", text)
    return 12 * int(m.group(1) or 0) + int(m.group(2) or 0) if m else None


def _d(text):
    return date.fromisoformat(text) if text else None


def _b(text):
    return {"oui": True, "true": True, "1": True, "non": False, "false": False, "0": False}.get(text.lower()) if text else None


def floor_screen(path, out) -> int:
    """Read the CSV, evaluate the key conditions of each procedure per candidate State, write rows."""
    import csv
    n = 0
    with open(path, encoding="utf-8-sig", newline="") as f:
        first = f.readline()
        sep = ";" if first.count(";") > first.count(",") else ","
        cols = next(csv.reader([first], delimiter=sep))
        w = csv.writer(out)
        for cells in csv.reader(f, delimiter=sep):
            r = dict(zip(cols, cells))
            n += 1
            nats = [] if r["nationalities"] in ("", "aucune") else r["nationalities"].split("|")
            foreign = None if not r["nationalities"] else "FR" not in nats
            final, custodial = _b(r["final"]), _b(r["custodial"])
            months, start, end = _months(r["total"]), _d(r["execution_start"]), _d(r["expected_end"])
            sp = r["safety_period_end"]
            sp_end = None if sp in ("", "none") else _d(sp)
            kinds = [] if r["removal_kinds"] in ("", "aucune") else r["removal_kinds"].split("|")
            states = {s for s in nats if s != "FR"} | ({r["habitual_residence"]} - {"", "FR"}) \
                | ({r["removal_destination"]} - {""})
            lc_from = None
            if start and end:  # half of the sentence served (CPP 729), capped
                lc_from = start + (end - start) / 2
                if sp_end and sp_end > lc_from:
                    lc_from = sp_end
            lc = ("undetermined" if foreign is None or final is None or not r["removal_kinds"] else
                  "not_applicable" if not (foreign and final and custodial and kinds) else
                  "applicable" if lc_from and lc_from <= AS_OF else "applicable_later")
            w.writerow([r["id"], "lc_expulsion", "", lc, lc_from or ""])
            six = end - timedelta(days=183) if end else None
            for s in sorted(states):
                eu = s in EU
                fd = "applicable" if eu and final and custodial else "not_applicable" if not eu else "undetermined"
                w.writerow([r["id"], "eu_recognition", s, fd, "", six or ""])
                ste = ("not_applicable" if eu or s not in nats else
                       "undetermined" if _b(r["consent_transfer"]) is None else "applicable")
                w.writerow([r["id"], "ste_transfer", s, ste, "", six or ""])
                if s in nats:
                    cons = "applicable" if r["protection"] == "none" else "undetermined"
                    w.writerow([r["id"], "consular_notification", s, cons])
            inc = _b(r["incarcerated"])
            w.writerow([r["id"], "prefecture_notice", "", "applicable" if inc and foreign else "undetermined"])
    return n


# --- child runs -----------------------------------------------------------------------------------
def child(mode: str, path: str, jobs: int, fmt: str) -> dict:
    t0 = time.perf_counter()
    if mode == "floor":
        sink = open(os.devnull, "w", encoding="utf-8")
        t = time.perf_counter()
        n = floor_screen(path, sink)
        secs = time.perf_counter() - t
        compile_s = 0.0
    else:
        from lexquery.engine.api import load_kb
        from lexquery.screening.outputs import make_writer
        from lexquery.screening.screen import screen
        engine = load_kb()
        compile_s = time.perf_counter() - t0
        suffix = {"html": ".html"}.get(fmt, ".csv")
        out = tempfile.NamedTemporaryFile("w", suffix=suffix, delete=False, encoding="utf-8", newline="")
        t = time.perf_counter()
        s = screen(path, make_writer(fmt, out), as_of=AS_OF, jobs=jobs, engine=engine, progress=False)
        secs = time.perf_counter() - t
        out.close()
        size = os.path.getsize(out.name)
        os.unlink(out.name)
        n = s.read
    me = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    res = {"n": n, "seconds": secs, "compile_s": compile_s, "rss_mb": me, "workers_rss_mb": kids}
    if mode != "floor":
        res["out_mb"] = size / 1e6
    return res


def run_child(mode, path, jobs=1, fmt="csv") -> dict:
    p = subprocess.run([sys.executable, __file__, "--child", mode, str(path), str(jobs), fmt],
                       check=True, capture_output=True, text=True, cwd=ROOT)
    return json.loads(p.stdout.strip().splitlines()[-1])


def cold(cmd, runs=5) -> float:
    ts = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
        ts.append(time.perf_counter() - t)
    return statistics.median(ts)


def profile_ask(n=3000, top=15) -> tuple[float, str]:
    from lexquery.engine.api import load_kb
    from lexquery.screening.csv_cases import normalise, read_rows
    from lexquery.screening.synth import synth_text
    eng = load_kb()
    _, rows = read_rows(io.StringIO(synth_text(n, seed=1, ref=AS_OF)))
    cases = [normalise(r, AS_OF) for r in rows]
    for c in cases[:200]:
        eng.ask(c)
    t = time.perf_counter()
    for c in cases:
        eng.ask(c)
    per = (time.perf_counter() - t) / len(cases)
    pr = cProfile.Profile()
    pr.enable()
    for c in cases:
        eng.ask(c)
    pr.disable()
    s = io.StringIO()
    st = pstats.Stats(pr, stream=s)
    st.sort_stats("tottime").print_stats(top)
    text = s.getvalue()
    text = text[text.index("   ncalls"):].replace(str(ROOT) + "/", "")
    return per, text.rstrip()


def machine() -> dict:
    model = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = "?"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GB"
    except OSError:
        pass
    return {"nproc": os.cpu_count(), "cpu": model, "python": platform.python_version(),
            "platform": platform.platform(), "memory": mem}


def main(quick=False):
    from lexquery.screening.synth import synth
    sizes = [1000, 10000] if quick else [1000, 10000, 100000]
    nproc = os.cpu_count() or 1
    m = machine()
    print(f"machine: {m}", flush=True)
    py = sys.executable
    cold_ask = cold([py, "-m", "lexquery.cli", "ask", "examples/ionescu.json", "-f", "json"])
    cold_rdflib = cold([py, "-c", "import rdflib"])
    cold_py = cold([py, "-c", "pass"])
    print(f"cold ask {cold_ask * 1000:.0f} ms, import rdflib {cold_rdflib * 1000:.0f} ms, python {cold_py * 1000:.0f} ms",
          flush=True)
    tmp = Path(tempfile.mkdtemp(prefix="lq-bench-"))
    results = []
    for n in sizes:
        f = tmp / f"synth-{n}.csv"
        with open(f, "w", encoding="utf-8", newline="") as out:
            synth(n, 0, AS_OF, out)
        row = {"n": n, "floor": run_child("floor", f), "j1": run_child("engine", f, 1)}
        if nproc > 1:
            row["jn"] = run_child("engine", f, nproc)
        if n == sizes[-1]:
            row["html"] = run_child("engine", f, nproc, "html")
        results.append(row)
        rate = lambda r: r["n"] / r["seconds"]
        print(f"{n:>7}: floor {rate(row['floor']):,.0f}/s, engine j1 {rate(row['j1']):,.0f}/s"
              + (f", j{nproc} {rate(row['jn']):,.0f}/s" if "jn" in row else "")
              + (f", html j{nproc} {rate(row['html']):,.0f}/s" if "html" in row else ""), flush=True)
        f.unlink()
    per, prof = profile_ask()
    print(f"warm engine.ask on synthetic cases: {per * 1000:.3f} ms/case", flush=True)
    print(prof)
    if not quick:
        write_doc(m, cold_ask, cold_rdflib, cold_py, results, per, prof, nproc)
        print(f"wrote {DOC.relative_to(ROOT)}")


def write_doc(m, cold_ask, cold_rdflib, cold_py, results, per, prof, nproc):
    rate = lambda r: r["n"] / r["seconds"]
    lines = [
        "# Performance of `lexquery screen` (measured)",
        "",
        "Written by `bench/bench_screen.py`; re-run with:",
        "",
        "```sh",
        ".venv/bin/python bench/bench_screen.py          # ~3–5 minutes on 2 cores; rewrites this file",
        ".venv/bin/python bench/bench_screen.py --quick  # 1,000 and 10,000 cases, prints only",
        "```",
        "",
        f"Measured {date.today().isoformat()} on: {m['nproc']} CPU(s), {m['cpu']}, {m['memory']} RAM, "
        f"Python {m['python']}, {m['platform']}. Noisy shared machine: read ratios, not absolute times.",
        "Data: `lexquery synth N --seed 0` (reference date 2026-12-01), screened `--as-of 2026-12-01`.",
        "",
        "## Cold start (new process, median of 5)",
        "",
        "| command | ms | × `import rdflib` |",
        "| --- | ---: | ---: |",
        f"| `python -c pass` | {cold_py * 1000:.0f} | {cold_py / cold_rdflib:.2f} |",
        f"| `python -c \"import rdflib\"` | {cold_rdflib * 1000:.0f} | 1.00 |",
        f"| `lexquery ask examples/ionescu.json -f json` (one case, cold) | {cold_ask * 1000:.0f} | {cold_ask / cold_rdflib:.2f} |",
        "",
        f"Target: cold `ask` ≤ 1.5 × the rdflib import — {'met' if cold_ask <= 1.5 * cold_rdflib else 'NOT met'} "
        f"({cold_ask / cold_rdflib:.2f} ×).",
        "",
        "## Screening throughput (CSV in → CSV out, engine compiled once, fresh process per run)",
        "",
        "Cases per second over the screening itself (reading, checking, answering, writing); the rule "
        "compilation (once per process) is given apart. The *floor* is a hand-written minimal evaluator of "
        "the key conditions (foreigner, final custodial sentence, removal measure, half-time date with the "
        "safety period, EU membership, six months left, consent, protection) on the same CSV rows, writing "
        "similar rows: a lower bound on the cost of the work, used for comparison only, never for answers.",
        "",
        f"| cases | floor (cases/s) | engine, 1 process | engine, {nproc} processes | × floor (best engine) | peak RSS main / workers |",
        "| ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in results:
        best = max(rate(row["j1"]), rate(row["jn"])) if "jn" in row else rate(row["j1"])
        jn = row.get("jn", row["j1"])
        lines.append(
            f"| {row['n']:,} | {rate(row['floor']):,.0f} | {rate(row['j1']):,.0f} ({row['j1']['seconds']:.1f} s) | "
            f"{rate(jn):,.0f} ({jn['seconds']:.1f} s) | {rate(row['floor']) / best:,.0f} × | "
            f"{row['j1']['rss_mb']:.0f} MB (1 proc.); {jn['rss_mb']:.0f} / {jn['workers_rss_mb']:.0f} MB |")
    last = results[-1]
    compile_s = last["j1"]["compile_s"]
    lines += [
        "",
        f"Rule compilation and reference data, once per process: {compile_s * 1000:.0f} ms (cached LALR tables and rules).",
    ]
    if "html" in last:
        h = last["html"]
        lines.append(f"HTML report at {last['n']:,} cases ({nproc} processes, with every case's text explanation): "
                     f"{rate(h):,.0f} cases/s, {h['seconds']:.1f} s, file {h['out_mb']:.0f} MB, "
                     f"peak RSS {h['rss_mb']:.0f} MB (main) / {h['workers_rss_mb']:.0f} MB (workers).")
    big = last
    best = max(rate(big["j1"]), rate(big.get("jn", big["j1"])))
    lines += [
        "",
        "Targets of issue 5 at 100,000 cases, honestly:",
        f"- ≥ 20,000 cases/s: **{'met' if best >= 20000 else 'not met'}** ({best:,.0f} cases/s);",
        f"- within 3 × of the floor: **{'met' if rate(big['floor']) / best <= 3 else 'not met'}** "
        f"({rate(big['floor']) / best:,.0f} ×);",
        f"- linear in the number of cases: cases/s at 1,000 / 10,000 / {big['n']:,} = "
        + " / ".join(f"{rate(r['j1']):,.0f}" for r in results) + " (1 process);",
        f"- peak memory ≤ 1 GB: **{'met' if max(big['j1']['rss_mb'], big.get('jn', big['j1'])['rss_mb'], big.get('jn', big['j1'])['workers_rss_mb']) <= 1024 else 'not met'}** "
        "(memory is flat: rows are streamed, a bounded number of chunks is in flight).",
        "",
        "Validation of the same files (`lexquery validate`) is measured by its own benchmark "
        "(SHACL, another part of issue 5), not here.",
        "",
        "## Where the time goes in `engine.ask`",
        "",
        f"Warm `engine.ask` on 3,000 synthetic cases: **{per * 1000:.3f} ms per case** "
        f"(≈ {1 / per:,.0f} cases/s on one core) — the engine is {100 * per * rate(last['j1']):.0f} % of the "
        "single-process screening time; reading the CSV, checking the row (`read_case`) and writing rows are the rest.",
        "cProfile, top 15 by own time (same 3,000 cases):",
        "",
        "```",
        prof,
        "```",
        "",
        "What the profile says (suggestions for the engine's owners; the engine was not changed here):",
        "",
        "1. `eval_condition` builds a full `CondResult` for every condition of every procedure and State "
        "(≈ 40 per case), saves/restores `env.missing` and diffs `set(env.evidence)` each time: the "
        "explanation tree is always built. A *status-only* evaluation mode (status, dates, missing facts, "
        "sources as sets precomputed per condition at compile time) for screening, building the tree only "
        "for the explanation, would remove most of it.",
        "2. `evaluate_procedure` re-walks the condition tree to build `env._cond_index` on every call "
        "(`walk`, ≈ 50 calls per case) and re-collects/dedupes sources (`_walk`, `_dedupe`): both are "
        "per-procedure constants that can be computed once when the rules are compiled.",
        "3. `Compiled.__call__` adds one Python frame per expression node (`expr.py:68`); returning the "
        "raw closure (`fn`) from the compiler removes a call per node. Derived values (`env.derived`) are "
        "cached per `Env`, i.e. per procedure × State: a per-case cache would compute the CPP 716-1 dates once.",
        "4. Answers of per-State procedures are evaluated once per candidate State; State-independent "
        "conditions (sentence, dates) could be shared between States.",
        "",
        "Even with all that, pure-Python closures with explanations will stay around 10–20 × the floor; "
        "the issue's 20,000 cases/s at 100,000 cases needs the status-only mode plus the processes.",
    ]
    DOC.write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        _, _, mode, path, jobs, fmt = sys.argv
        print(json.dumps(child(mode, path, int(jobs), fmt)))
    else:
        main(quick="--quick" in sys.argv)
