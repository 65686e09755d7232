"""Load test of `lexquery serve` on loopback (issue 6): 1,000 POST /api/ask, 0 errors required.

Run:  .venv/bin/python bench/bench_web.py [--requests 1000] [--clients 4] [--no-write]
Starts `lexquery serve --port 0` in a subprocess (a free loopback port), waits for GET /, then
sends the requests from this process with a few concurrent clients (one thread and one
keep-alive httpx connection each), cycling over examples/*.json. A request is an error unless
it is a 200 whose JSON equals the answer the server gave for that case at warm-up.
Prints p50 / p95 / p99 latency and requests per second, and writes them into docs/web.md
(between the `bench:web` markers). Exit 1 when any request failed.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
from datetime import date
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "web.md"
CLI = [sys.executable, "-c", "import sys; from lexquery.cli import main; sys.exit(main())"]


def start_server() -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen(CLI + ["serve", "--port", "0"], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    line = proc.stdout.readline()
    m = re.search(r"http://127\.0\.0\.1:\d+/", line)
    if not m:
        proc.kill()
        raise SystemExit(f"lexquery serve did not start: {line}{proc.stdout.read()}")
    url = m.group(0).rstrip("/")
    threading.Thread(target=proc.stdout.read, daemon=True).start()   # keep the pipe drained
    with httpx.Client(trust_env=False, timeout=30) as c:
        for _ in range(300):
            try:
                if c.get(url + "/").status_code == 200:
                    return proc, url
            except httpx.TransportError:
                time.sleep(0.1)
    proc.kill()
    raise SystemExit("lexquery serve did not answer GET /")


def _transport() -> httpx.HTTPTransport:
    """TCP_NODELAY, as browsers do: else the body, written after the headers, waits for the
    server's delayed ACK (Nagle's algorithm, RFC 896 / RFC 1122 §4.2.3.2), ≈ 40 ms a request."""
    return httpx.HTTPTransport(socket_options=[(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)])


def pct(sorted_ms: list[float], p: float) -> float:
    return sorted_ms[min(len(sorted_ms) - 1, max(0, round(p / 100 * len(sorted_ms)) - 1))]


def run(url: str, requests: int, clients: int) -> dict:
    bodies = [f.read_bytes() for f in sorted((ROOT / "examples").glob("*.json"))]
    headers = {"Content-Type": "application/json"}
    with httpx.Client(trust_env=False, timeout=30) as c:   # warm-up: the expected answer of each case
        expected = [c.post(url + "/api/ask", content=b, headers=headers).json() for b in bodies]
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    counter = iter(range(requests))

    def client():
        with httpx.Client(trust_env=False, timeout=30, transport=_transport()) as c:
            while True:
                with lock:
                    i = next(counter, None)
                if i is None:
                    return
                k = i % len(bodies)
                t = time.perf_counter()
                try:
                    r = c.post(url + "/api/ask", content=bodies[k], headers=headers)
                    ok = r.status_code == 200 and r.json() == expected[k]
                    why = f"#{i}: HTTP {r.status_code}" if not ok else None
                except httpx.HTTPError as e:
                    ok, why = False, f"#{i}: {type(e).__name__}: {e}"
                dt = (time.perf_counter() - t) * 1000
                with lock:
                    latencies.append(dt)
                    if not ok:
                        errors.append(why)

    t0 = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    wall = time.perf_counter() - t0
    ms = sorted(latencies)
    return {"requests": len(ms), "clients": clients, "errors": len(errors), "first_errors": errors[:5],
            "seconds": round(wall, 2), "rps": round(len(ms) / wall, 1),
            "p50": round(pct(ms, 50), 1), "p95": round(pct(ms, 95), 1), "p99": round(pct(ms, 99), 1),
            "max": round(ms[-1], 1), "mean": round(statistics.fmean(ms), 1), "cases": len(bodies)}


def table(res: dict) -> str:
    return "\n".join([
        f"Measured {date.today().isoformat()} on {platform.machine()}, {os.cpu_count()} CPU, Python "
        f"{platform.python_version()}: `.venv/bin/python bench/bench_web.py --requests {res['requests']} "
        f"--clients {res['clients']}` (server and clients on the same machine, loopback).",
        "",
        "| requests | concurrent clients | errors | p50 | p95 | p99 | max | throughput |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
        f"| {res['requests']} | {res['clients']} | {res['errors']} | {res['p50']} ms | {res['p95']} ms | "
        f"{res['p99']} ms | {res['max']} ms | {res['rps']} req/s |",
    ])


def write_doc(res: dict) -> None:
    text = DOC.read_text(encoding="utf-8")
    block = f"<!-- bench:web -->\n{table(res)}\n<!-- /bench:web -->"
    new, n = re.subn(r"<!-- bench:web -->.*?<!-- /bench:web -->", lambda _m: block, text, flags=re.S)
    if n != 1:
        raise SystemExit(f"{DOC}: the <!-- bench:web --> … <!-- /bench:web --> markers are missing")
    DOC.write_text(new, encoding="utf-8")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--requests", type=int, default=1000)
    ap.add_argument("--clients", type=int, default=4)
    ap.add_argument("--no-write", action="store_true", help="do not update docs/web.md")
    args = ap.parse_args()
    proc, url = start_server()
    try:
        res = run(url, args.requests, args.clients)
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
    print(json.dumps(res, indent=1))
    print(table(res))
    if not args.no_write and res["errors"] == 0:
        write_doc(res)
        print(f"written: {DOC.relative_to(ROOT)}")
    return 1 if res["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
