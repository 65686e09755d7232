"""The memory of a process and of its descendants (worker processes), sampled while it runs (issue 16).

A process's RSS counts every page it maps, shared or not: the ≈ 80 MB of library code (polars'
runtime library alone ≈ 66 MB) that the main process and each worker map from the same files is
counted once in each. The *proportional set size* (PSS, Linux ``/proc/PID/smaps_rollup``, « Pss: »;
proc(5)) divides each page among the processes that map it: summed over the processes it is what
the machine really spends on them. Both are given here:

- ``peak_pss_mb``: the highest sum of the PSS of the process and its descendants over the samples;
- ``peak_rss_mb``: the highest sum of their RSS over the samples;
- ``hwm_mb``: each process's own peak (``VmHWM`` of ``/proc/PID/status``, its last sample), and
  ``sum_hwm_mb``, their sum (what adding up the processes' ``ru_maxrss`` gives: peaks that need
  not happen at the same time, shared pages counted in each);
- ``anon_mb`` / ``file_mb``: each process's highest ``RssAnon`` / ``RssFile`` sampled.

Sampling misses what lasts less than the interval (50 ms by default); reading ``smaps_rollup``
walks the page tables of the process (≈ 1 ms for these processes), so the sampler costs a little
CPU of its own (not counted in the process's).

Run:  .venv/bin/python bench/mem_sample.py [--trace] [--every 0.05] -- COMMAND ARGS...
      (prints one JSON line: the figures above, the wall seconds, and user + system CPU seconds of
      the command and of the descendants it waited for; ``--trace``: every 40 samples, the
      seconds, the summed PSS, the command's own highest RssAnon so far, the summed RSS and each
      process's RSS (the command first), in MB)
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time


def _children(pid: int) -> list[int]:
    """The direct children of ``pid`` (``/proc/PID/task/*/children``, Linux ≥ 3.5)."""
    out = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            try:
                with open(f"/proc/{pid}/task/{tid}/children") as f:
                    out += [int(x) for x in f.read().split()]
            except OSError:
                pass
    except OSError:
        pass
    return out


def tree(pid: int) -> list[int]:
    """``pid`` and its descendants."""
    seen, todo = [], [pid]
    while todo:
        p = todo.pop()
        seen.append(p)
        todo += _children(p)
    return seen


def _kb(path: str, keys: tuple) -> dict:
    got = {}
    try:
        with open(path) as f:
            for line in f:
                k, _, v = line.partition(":")
                if k in keys:
                    got[k] = int(v.split()[0])
    except OSError:
        return {}
    return got


STATUS = ("VmHWM", "VmRSS", "RssAnon", "RssFile")


class Sampler:
    """Samples ``pid``'s tree every ``every`` seconds in a thread until :meth:`stop`."""

    def __init__(self, pid: int, every: float = 0.05):
        self.pid, self.every = pid, every
        self.peak_pss = self.peak_rss = 0
        self.hwm: dict[int, int] = {}
        self.anon: dict[int, int] = {}
        self.file: dict[int, int] = {}
        self.samples = 0
        self.trace: list | None = None   # (seconds, summed PSS, the first process's RssAnon) when asked
        self._t0 = time.perf_counter()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self):
        self._thread.start()
        return self

    def _run(self):
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.every)

    def sample(self):
        pss = rss = 0
        each = {}
        for p in tree(self.pid):
            st = _kb(f"/proc/{p}/status", STATUS)
            if not st:
                continue
            sm = _kb(f"/proc/{p}/smaps_rollup", ("Pss",))
            pss += sm.get("Pss", 0)
            rss += st.get("VmRSS", 0)
            each[p] = st.get("VmRSS", 0)
            self.hwm[p] = max(self.hwm.get(p, 0), st.get("VmHWM", 0))
            self.anon[p] = max(self.anon.get(p, 0), st.get("RssAnon", 0))
            self.file[p] = max(self.file.get(p, 0), st.get("RssFile", 0))
        self.peak_pss, self.peak_rss = max(self.peak_pss, pss), max(self.peak_rss, rss)
        if self.trace is not None and self.samples % 40 == 0:
            self.trace.append((round(time.perf_counter() - self._t0, 1), pss // 1024, self.anon.get(self.pid, 0) // 1024,
                               rss // 1024, [each[p] // 1024 for p in sorted(each, key=lambda p: (p != self.pid, p))]))
        self.samples += 1

    def stop(self) -> dict:
        self._stop.set()
        self._thread.join()
        mb = lambda kb: round(kb / 1024, 1)
        order = sorted(self.hwm, key=lambda p: (p != self.pid, p))
        return {"peak_pss_mb": mb(self.peak_pss), "peak_rss_mb": mb(self.peak_rss),
                "sum_hwm_mb": mb(sum(self.hwm.values())), "hwm_mb": [mb(self.hwm[p]) for p in order],
                "anon_mb": [mb(self.anon[p]) for p in order], "file_mb": [mb(self.file[p]) for p in order],
                "samples": self.samples, **({"trace": self.trace} if self.trace is not None else {})}


def run(cmd: list[str], every: float = 0.05, trace: bool = False, **popen) -> dict:
    """Run ``cmd`` to its end, sampled; its figures (see the module's docstring) and its return code."""
    t = time.perf_counter()
    p = subprocess.Popen(cmd, **popen)
    s = Sampler(p.pid, every)
    if trace:
        s.trace = []
    s.start()
    _, status, ru = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    res = s.stop()
    res.update(wall_s=round(time.perf_counter() - t, 2), cpu_s=round(ru.ru_utime + ru.ru_stime, 2),
               user_s=round(ru.ru_utime, 2), sys_s=round(ru.ru_stime, 2), rc=p.returncode)
    return res


if __name__ == "__main__":
    args = sys.argv[1:]
    every, trace = 0.05, False
    if args[:1] == ["--trace"]:
        trace, args = True, args[1:]
    if args[:1] == ["--every"]:
        every, args = float(args[1]), args[2:]
    if args[:1] == ["--"]:
        args = args[1:]
    res = run(args, every, trace)
    res["load"] = [round(x, 2) for x in os.getloadavg()]
    print(json.dumps(res))
