"""Load and fault script for lexquery (issue 14): loopback only, bounded in count and time.

Run:  .venv/bin/python bench/load.py [--burst 1000] [--slow 300] [--no-write]

Starts `lexquery serve --port 0` (127.0.0.1, a free port) and, against that server only:
- burst: N concurrent POST /api/ask (one connection each, all sent at once): statuses, latency
  (p50 / p99 / max), the server's memory before and after;
- slowloris: S connections sending their headers a byte every 2 s, while a normal client asks
  20 times: its statuses and latency, and when the slow connections were closed;
- stalled body: a request whose body stops after 10 bytes: seconds until the server answers;
- oversized bodies: 3 MB to /api/ask, 60 MB declared to /api/screen, 3 MB streamed without a
  length: statuses;
- parse amplification: 4 concurrent error-dense /api/parse of 250 KB each: seconds, statuses,
  the server's peak memory; and one of 2 MB (refused);
- kill during a batch: `lexquery screen` of 20,000 rows to an existing report, killed (SIGKILL,
  SIGTERM, SIGINT) while it writes: the previous report is intact; two runs to the same path at
  once: one whole report.
Writes the figures into docs/reliability.md (between the `bench:load` markers) unless --no-write.
Every scenario has a time limit; the script never connects anywhere but 127.0.0.1.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "reliability.md"
CLI = [sys.executable, "-c", "import sys; from lexquery.cli import main; sys.exit(main())"]
HOST = "127.0.0.1"   # loopback only: never another address
IONESCU = (ROOT / "examples" / "ionescu.json").read_bytes()


# ---- a minimal HTTP/1.1 client on raw sockets (one connection per request) ----------------------
async def request(port: int, method: str, path: str, body: bytes = b"", headers: dict | None = None,
                  timeout: float = 60.0, host: str = HOST) -> tuple[int, float, bytes]:
    """(status, seconds, response body); status 0 when the connection failed or timed out."""
    assert host == HOST, "loopback only"
    t0 = time.monotonic()
    h = {"Host": f"{HOST}:{port}", "Content-Length": str(len(body)), "Connection": "close"}
    h.update(headers or {})
    head = f"{method} {path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in h.items()) + "\r\n"
    try:
        return await _timed(port, head.encode() + body, timeout, t0)
    except (OSError, asyncio.TimeoutError):
        return 0, time.monotonic() - t0, b""


async def _timed(port, data, timeout, t0):
    status, body = await asyncio.wait_for(_exchange(port, data), timeout)
    return status, time.monotonic() - t0, body


async def _exchange(port: int, data: bytes) -> tuple[int, bytes]:
    reader, writer = await asyncio.open_connection(HOST, port)
    raw = b""
    try:
        try:   # the server may answer (413) and close before the whole body is sent
            writer.write(data)
            await writer.drain()
        except OSError:
            pass
        try:
            while chunk := await reader.read(65536):
                raw += chunk
        except OSError:
            pass
    finally:
        writer.close()
    m = re.match(rb"HTTP/1\.[01] (\d{3})", raw)
    return (int(m.group(1)) if m else 0), raw.split(b"\r\n\r\n", 1)[-1]


def rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


class Peak:
    """The peak resident memory of a process, sampled every 50 ms in a thread."""

    def __init__(self, pid):
        self.pid, self.peak, self.stop = pid, 0, False
        self.t = threading.Thread(target=self.run, daemon=True)
        self.t.start()

    def run(self):
        while not self.stop:
            self.peak = max(self.peak, rss_kb(self.pid))
            time.sleep(0.05)

    def done(self) -> int:
        self.stop = True
        self.t.join()
        return self.peak


def start_server(extra=()) -> tuple[subprocess.Popen, int]:
    proc = subprocess.Popen(CLI + ["serve", "--host", HOST, "--port", "0", *extra], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    line = proc.stdout.readline()
    m = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
    if not m:
        proc.kill()
        raise SystemExit(f"lexquery serve did not start: {line}")
    threading.Thread(target=proc.stdout.read, daemon=True).start()
    port = int(m.group(1))
    for _ in range(300):
        if asyncio.run(request(port, "GET", "/", timeout=2))[0] == 200:
            return proc, port
        time.sleep(0.1)
    proc.kill()
    raise SystemExit("lexquery serve did not answer GET /")


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))] if xs else None


# ---- scenarios ----------------------------------------------------------------------------------
async def burst(port: int, n: int, pid: int) -> dict:
    before = rss_kb(pid)
    peak = Peak(pid)
    t0 = time.monotonic()
    res = await asyncio.gather(*(request(port, "POST", "/api/ask", IONESCU, {"Content-Type": "application/json"},
                                         timeout=120) for _ in range(n)))
    wall = time.monotonic() - t0
    top = peak.done()
    codes: dict = {}
    for s, _, _ in res:
        codes[s] = codes.get(s, 0) + 1
    lat = [t for _, t, _ in res]
    return {"requests": n, "statuses": codes, "ok_share": round(codes.get(200, 0) / n, 4),
            "p50_s": round(pct(lat, 50), 2), "p99_s": round(pct(lat, 99), 2), "max_s": round(max(lat), 2),
            "wall_s": round(wall, 2), "rss_before_mb": before // 1024, "rss_peak_mb": top // 1024,
            "rss_after_mb": rss_kb(pid) // 1024}


async def slowloris(port: int, n: int, seconds: float = 25.0) -> dict:
    head = f"POST /api/ask HTTP/1.1\r\nHost: {HOST}:{port}\r\nContent-Type: application/json\r\n".encode()
    closed_after: list = []
    opened = 0

    async def slow():
        nonlocal opened
        t0 = time.monotonic()
        try:
            r, w = await asyncio.open_connection(HOST, port)
        except OSError:
            return
        opened += 1
        try:
            for i in range(len(head)):
                if time.monotonic() - t0 > seconds:
                    break
                w.write(head[i:i + 1])
                await w.drain()
                try:   # pace: one byte every 2 s, unless the server answers (408) or closes first
                    await asyncio.wait_for(r.read(1), 2.0)
                    closed_after.append(time.monotonic() - t0)
                    break
                except asyncio.TimeoutError:
                    pass
        except OSError:
            closed_after.append(time.monotonic() - t0)
        finally:
            w.close()

    slow_tasks = [asyncio.ensure_future(slow()) for _ in range(n)]
    await asyncio.sleep(1.0)
    normal = []
    for _ in range(20):
        normal.append(await request(port, "POST", "/api/ask", IONESCU, {"Content-Type": "application/json"}, timeout=60))
        await asyncio.sleep(0.5)
    await asyncio.gather(*slow_tasks)
    lat = [t for _, t, _ in normal]
    return {"slow_connections": opened, "closed_by_server": len(closed_after),
            "closed_after_s_max": round(max(closed_after), 1) if closed_after else None,
            "normal_requests": len(normal), "normal_ok": sum(1 for s, _, _ in normal if s == 200),
            "normal_max_s": round(max(lat), 2), "normal_p50_s": round(pct(lat, 50), 3)}


async def stalled_body(port: int) -> dict:
    t0 = time.monotonic()
    r, w = await asyncio.open_connection(HOST, port)
    w.write(f"POST /api/ask HTTP/1.1\r\nHost: {HOST}:{port}\r\nContent-Type: application/json\r\n"
            "Content-Length: 1000\r\n\r\n{\"id\": \"x\"".encode())
    await w.drain()
    try:
        raw = await asyncio.wait_for(r.read(), 120)
    except asyncio.TimeoutError:
        raw = b""
    w.close()
    m = re.match(rb"HTTP/1\.[01] (\d{3})", raw)
    return {"status": int(m.group(1)) if m else 0, "answered_after_s": round(time.monotonic() - t0, 1)}


async def oversized(port: int) -> dict:
    big = b" " * (3 * 1024 * 1024)
    a = await request(port, "POST", "/api/ask", big, {"Content-Type": "application/json"})
    r, w = await asyncio.open_connection(HOST, port)
    w.write(f"POST /api/screen HTTP/1.1\r\nHost: {HOST}:{port}\r\nContent-Type: text/csv\r\n"
            f"Content-Length: {60 * 1024 * 1024}\r\n\r\nid\n".encode())
    await w.drain()
    raw = await asyncio.wait_for(r.read(), 60)
    w.close()
    b = int(re.match(rb"HTTP/1\.[01] (\d{3})", raw).group(1)) if raw else 0
    r, w = await asyncio.open_connection(HOST, port)
    w.write(f"POST /api/ask HTTP/1.1\r\nHost: {HOST}:{port}\r\nContent-Type: application/json\r\n"
            "Transfer-Encoding: chunked\r\n\r\n".encode())
    status = 0
    answer = asyncio.ensure_future(r.read(200))   # read while sending: the 413 comes before the end
    try:
        for _ in range(48):
            if answer.done():
                break
            w.write(b"10000\r\n" + b" " * 65536 + b"\r\n")
            await w.drain()
    except OSError:
        pass
    try:
        raw = await asyncio.wait_for(answer, 30)
        m = re.match(rb"HTTP/1\.[01] (\d{3})", raw)
        status = int(m.group(1)) if m else 0
    except (asyncio.TimeoutError, OSError):
        pass
    w.close()
    return {"json_3mb": a[0], "upload_60mb_declared": b, "chunked_3mb": status}


def _dense_lq(size: int) -> str:
    lines, n, i = ["cas a"], 6, 0
    while n < size:
        s = f"nationalite{i} : Roumanie\nfin de peine prévisible : 2026-13-{i % 40}\n"
        lines.append(s.rstrip("\n"))
        n += len(s)
        i += 1
    return "\n".join(lines) + "\n"


async def parse_amplification(port: int, pid: int) -> dict:
    text = _dense_lq(250 * 1024)
    body = json.dumps({"text": text, "syntax": "lq"}).encode()
    before = rss_kb(pid)
    peak = Peak(pid)
    t0 = time.monotonic()
    res = await asyncio.gather(*(request(port, "POST", "/api/parse", body, {"Content-Type": "application/json"},
                                         timeout=120) for _ in range(4)))
    wall = time.monotonic() - t0
    top = peak.done()
    errors = [len(json.loads(b).get("error", {}).get("errors", [])) for s, _, b in res if s in (400, 422)]
    big = json.dumps({"text": _dense_lq(2 * 1024 * 1024 - 1000)}).encode()
    s2 = await request(port, "POST", "/api/parse", big, {"Content-Type": "application/json"}, timeout=120)
    return {"parallel": 4, "text_kb": len(text) // 1024, "statuses": sorted(s for s, _, _ in res),
            "errors_reported": errors, "max_s": round(max(t for _, t, _ in res), 2), "wall_s": round(wall, 2),
            "rss_before_mb": before // 1024, "rss_peak_mb": top // 1024, "rss_after_mb": rss_kb(pid) // 1024,
            "two_mb_status": s2[0], "two_mb_s": round(s2[1], 2)}


def kill_during_batch(rows: int = 20000) -> dict:
    out: dict = {}
    with tempfile.TemporaryDirectory(prefix="lexquery-load-") as tmp:
        src, rep = Path(tmp) / "registre.csv", Path(tmp) / "rapport.csv"
        subprocess.run(CLI + ["synth", str(rows), "--seed", "1", "--as-of", "2026-12-01", "-o", str(src)],
                       cwd=ROOT, check=True)
        for sig in (signal.SIGKILL, signal.SIGTERM, signal.SIGINT):
            rep.write_text("rapport précédent\n", encoding="utf-8")
            p = subprocess.Popen(CLI + ["screen", str(src), "--as-of", "2026-12-01", "-o", str(rep), "-j", "1", "-q"],
                                 cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            t0 = time.monotonic()
            while not list(Path(tmp).glob(".rapport.csv.*.tmp")) and p.poll() is None and time.monotonic() - t0 < 60:
                time.sleep(0.02)
            time.sleep(1.0)
            p.send_signal(sig)
            p.wait(60)
            left = list(Path(tmp).glob(".rapport.csv.*.tmp"))
            out[signal.Signals(sig).name] = {"exit": p.returncode,
                                            "previous_report_intact": rep.read_text(encoding="utf-8") == "rapport précédent\n",
                                            "temporary_left": len(left)}
            for f in left:
                f.unlink()
        procs = [subprocess.Popen(CLI + ["screen", str(src), "--as-of", "2026-12-01", "-o", str(rep), "-j", "1", "-q"],
                                  cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for _ in range(2)]
        codes = [p.wait(600) for p in procs]
        lines = rep.read_text(encoding="utf-8").count("\n")
        first = subprocess.run(CLI + ["screen", str(src), "--as-of", "2026-12-01", "-j", "1", "-q"], cwd=ROOT,
                               capture_output=True, text=True).stdout
        out["two_runs_same_output"] = {"exits": codes, "report_lines": lines, "expected_lines": first.count("\n"),
                                       "whole": rep.read_text(encoding="utf-8") == first}
    return out


def render(fig: dict) -> str:
    b, s, st, o, pa, k = (fig[x] for x in ("burst", "slowloris", "stalled_body", "oversized", "parse", "kill"))
    codes = ", ".join(f"{c}: {n}" for c, n in sorted(b["statuses"].items()))
    lines = [
        f"Measured {fig['date']} on {fig['machine']} (`python bench/load.py`), server `lexquery serve` on 127.0.0.1.",
        "",
        "| scenario | figure |",
        "| --- | --- |",
        f"| burst: {b['requests']} concurrent POST /api/ask | {codes} — {b['ok_share'] * 100:.1f} % answered 200; "
        f"latency p50 {b['p50_s']} s, p99 {b['p99_s']} s, max {b['max_s']} s; all done in {b['wall_s']} s; "
        f"server memory {b['rss_before_mb']} → peak {b['rss_peak_mb']} → {b['rss_after_mb']} MB |",
        f"| slowloris: {s['slow_connections']} connections sending headers a byte / 2 s | "
        f"{s['closed_by_server']} closed by the server (the last after {s['closed_after_s_max']} s); a normal client "
        f"meanwhile: {s['normal_ok']}/{s['normal_requests']} answered 200, p50 {s['normal_p50_s']} s, max {s['normal_max_s']} s |",
        f"| stalled body (10 of 1,000 bytes, then nothing) | {st['status']} after {st['answered_after_s']} s |",
        f"| oversized bodies | 3 MB JSON: {o['json_3mb']}; 60 MB declared upload: {o['upload_60mb_declared']}; "
        f"3 MB chunked without length: {o['chunked_3mb']} |",
        f"| /api/parse, {pa['parallel']} × {pa['text_kb']} KB error-dense at once | statuses {pa['statuses']}, errors "
        f"reported {pa['errors_reported']}, slowest {pa['max_s']} s; memory {pa['rss_before_mb']} → peak {pa['rss_peak_mb']} "
        f"→ {pa['rss_after_mb']} MB; a 2 MB text: {pa['two_mb_status']} in {pa['two_mb_s']} s |",
    ]
    for sig in ("SIGKILL", "SIGTERM", "SIGINT"):
        x = k[sig]
        lines.append(f"| `screen` of 20,000 rows killed by {sig} while writing | exit {x['exit']}; previous report "
                     f"{'intact' if x['previous_report_intact'] else 'DAMAGED'}; temporary files left: {x['temporary_left']} |")
    t = k["two_runs_same_output"]
    lines.append(f"| two `screen -o` runs to one path at once | exits {t['exits']}; the report has {t['report_lines']} lines "
                 f"({t['expected_lines']} expected), {'whole' if t['whole'] else 'TORN'} |")
    return "\n".join(lines)


def write_doc(text: str) -> None:
    doc = DOC.read_text(encoding="utf-8")
    start, end = "<!-- bench:load -->", "<!-- /bench:load -->"
    new = re.sub(re.escape(start) + r".*?" + re.escape(end), start + "\n" + text + "\n" + end, doc, flags=re.S)
    DOC.write_text(new, encoding="utf-8")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--burst", type=int, default=1000)
    ap.add_argument("--slow", type=int, default=300)
    ap.add_argument("--no-write", action="store_true")
    ap.add_argument("--skip-kill", action="store_true")
    a = ap.parse_args()
    if not 1 <= a.burst <= 2000 or not 0 <= a.slow <= 1000:
        raise SystemExit("bounded: --burst 1..2000, --slow 0..1000")
    import platform
    from datetime import date
    fig = {"date": date.today().isoformat(), "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
                                                         f"Python {platform.python_version()}"}
    proc, port = start_server()
    try:
        asyncio.run(request(port, "POST", "/api/ask", IONESCU, {"Content-Type": "application/json"}))   # warm up
        fig["burst"] = asyncio.run(burst(port, a.burst, proc.pid))
        print("burst", fig["burst"], flush=True)
        fig["slowloris"] = asyncio.run(slowloris(port, a.slow))
        print("slowloris", fig["slowloris"], flush=True)
        fig["stalled_body"] = asyncio.run(stalled_body(port))
        print("stalled body", fig["stalled_body"], flush=True)
        fig["oversized"] = asyncio.run(oversized(port))
        print("oversized", fig["oversized"], flush=True)
        fig["parse"] = asyncio.run(parse_amplification(port, proc.pid))
        print("parse", fig["parse"], flush=True)
    finally:
        proc.send_signal(signal.SIGINT)
        t0 = time.monotonic()
        try:
            proc.wait(60)
        except subprocess.TimeoutExpired:
            proc.kill()
        fig["shutdown_s"] = round(time.monotonic() - t0, 1)
        print("shutdown", fig["shutdown_s"], "s", flush=True)
    fig["kill"] = {} if a.skip_kill else kill_during_batch()
    print("kill", fig["kill"], flush=True)
    if not a.no_write and not a.skip_kill:
        write_doc(render(fig) + f"\n\nServer shutdown (SIGINT) after the scenarios: {fig['shutdown_s']} s.")
    print(json.dumps(fig, indent=1))
    ok = fig["burst"]["ok_share"] >= 0.99 and fig["burst"]["max_s"] <= 30 and fig["slowloris"]["normal_ok"] == \
        fig["slowloris"]["normal_requests"]
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
