"""Benchmark: loading the KB in a new process, cold cache vs warm cache, side by side with
the floor (the interpreter alone, and `import lexquery.kb`).

    .venv/bin/python bench/bench_kb_load.py [--runs N] [--with-check]

Each figure is the median wall time of N new processes (ms). "cold" = empty cache
directory (YAML parsed, rules read, pickle written); "warm" = the pickle is there.
The cache is in a temporary directory ($LEXQUERY_CACHE), never the repository's.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PY = sys.executable

CASES = {
    "interpreter alone (floor)": "pass",
    "import lexquery.kb (floor)": "import lexquery.kb",
    "load_kb()": "from lexquery.kb import load_kb; kb = load_kb(); assert len(kb) >= 0",
    "load_kb() + resolve + version_at": (
        "from lexquery.kb import load_kb; kb = load_kb(); n = kb.resolve('CPP 729-2 al. 1') or kb.resolve('CPP 729-2'); "
        "n and kb.version_at(n.provision)"),
    "load_kb() + kb_graph() (rdflib)": "from lexquery.kb import load_kb; from lexquery.kb.graph import kb_graph; kb_graph(load_kb())",
}


def one(code: str, cache: str) -> float:
    env = {**os.environ, "LEXQUERY_CACHE": cache}
    t = time.perf_counter()
    subprocess.run([PY, "-c", code], cwd=REPO, env=env, check=True)
    return (time.perf_counter() - t) * 1000


def cli(args: list[str], cache: str) -> float:
    env = {**os.environ, "LEXQUERY_CACHE": cache}
    t = time.perf_counter()
    subprocess.run([PY, "-m", "lexquery.cli", *args], cwd=REPO, env=env, check=False,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return (time.perf_counter() - t) * 1000


def bench(fn, runs: int):
    cold, warm = [], []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as tmp:
            cold.append(fn(tmp))
            warm.append(fn(tmp))
            for _ in range(2):
                warm.append(fn(tmp))
    return statistics.median(cold), statistics.median(warm)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--with-check", action="store_true", help="also time `lexquery kb check` (slow)")
    a = ap.parse_args()
    sys.path.insert(0, str(REPO / "src"))
    from lexquery.kb import load_kb
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["LEXQUERY_CACHE"] = tmp
        kb = load_kb()
        n_versions = sum(len(p.versions) for p in kb)
        n_paras = sum(len(v.paragraphs) for p in kb for v in p.versions)
        size = sum(f.stat().st_size for f in Path(tmp).glob("kb-*.pickle"))
    print(f"KB: {len(kb)} provisions, {n_versions} versions, {n_paras} alinéas, {len(kb.files)} law files, "
          f"{len(kb.rule_uses)} rule citations; pickle {size / 1024:.0f} KiB")
    print(f"median of {a.runs} runs (cold) / {a.runs * 3} runs (warm), new process each, ms\n")
    print(f"{'':44} {'cold':>8} {'warm':>8}")
    for name, code in CASES.items():
        c, w = bench(lambda tmp, code=code: one(code, tmp), a.runs)
        print(f"{name:44} {c:8.0f} {w:8.0f}")
    for args in [["article", "729-2"], ["sources"]] + ([["kb", "check"]] if a.with_check else []):
        c, w = bench(lambda tmp, args=args: cli(args, tmp), a.runs if args[0] != "kb" else 1)
        print(f"{'lexquery ' + ' '.join(args):44} {c:8.0f} {w:8.0f}")


if __name__ == "__main__":
    main()
