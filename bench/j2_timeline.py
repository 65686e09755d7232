"""A timeline of ``lexquery screen FILE -j N`` (columnar, CSV out): when each process and thread
reads, compiles, answers and writes each batch — to see where a core waits (docs/performance.md,
« Two processes at 100,000 rows: where a core waits »). Measurement only: the screening runs as
the command line runs it (``lexquery.cli.main``, in this process), with wrappers that note the time
(``time.monotonic``, one clock for every process on Linux) around its steps; the worker runs
:func:`traced_setup` (this module, imported there by reference) around ``columnar_jobs.setup``.
Nothing of this is in the package.

    PYTHONPATH=$PWD/src python bench/j2_timeline.py /tmp/s100k.csv -j2 [--runs 3] [--raw]

Prints, per run, each event (seconds since this script began; a batch's rows and the thread's CPU),
then per process / thread: busy seconds answering, the wait before its first batch, the gaps
between batches, its last batch's end, and the end of the screening.
"""
from __future__ import annotations

import os
import sys
import time

T0 = time.monotonic()
_LOG = "J2_TIMELINE_LOG"


def note(event: str, extra: str = "") -> None:
    """One line in the log: pid, thread, event, monotonic time, thread CPU, extra."""
    import threading
    path = os.environ.get(_LOG)
    if not path:
        return
    line = f"{os.getpid()}\t{threading.current_thread().name}\t{event}\t{time.monotonic():.6f}\t" \
           f"{time.thread_time():.6f}\t{extra}\n"
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, line.encode())
    finally:
        os.close(fd)


def traced_setup(init: dict):
    """In a worker: ``columnar_jobs.setup(init)`` timed, and each batch it answers."""
    note("w_setup_begin")
    from lexquery.screening import columnar_jobs as J
    answer = J.setup(init)
    note("w_ready")

    def traced(batch):
        note("answer_begin", str(batch[0].height))
        try:
            return answer(batch)
        finally:
            note("answer_end", str(batch[0].height))
    return traced


def _after_import(hooks: dict) -> None:
    """Run ``hooks[name](module)`` once the module ``name`` is imported — when the command imports
    it, not before (importing the screening's modules here would move their cost before the
    worker's start)."""
    import importlib.abc
    import importlib.machinery

    class Finder(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path, target=None):
            if name not in hooks:
                return None
            spec = importlib.machinery.PathFinder.find_spec(name, path, target)
            if spec is None or spec.loader is None:
                return spec
            run, hook = spec.loader.exec_module, hooks.pop(name)

            def exec_module(module):
                run(module)
                hook(module)
            spec.loader.exec_module = exec_module
            return spec
    sys.meta_path.insert(0, Finder())


def _wrap(mod, name, event, extra=None):
    from functools import wraps
    f = getattr(mod, name)

    @wraps(f)
    def g(*a, **k):
        x = extra(*a, **k) if extra else ""
        note(event + "_begin", x)
        try:
            return f(*a, **k)
        finally:
            note(event + "_end", x)
    setattr(mod, name, g)


def install() -> None:
    """The wrappers of the main process, each put on when the command imports its module."""
    from functools import partial

    def api(m):
        _wrap(m, "load_kb", "kb")

    def pipeline(m):
        _wrap(m, "load_program", "compile")
        _wrap(m, "answer_block", "answer", lambda ctx, frame, *a, **k: str(frame.height))
        _wrap(m, "put_block", "write", lambda s, w, res, tm: str(res.read))
        note("imported_pipeline")

    def frame(m):
        _wrap(m.Reader, "__next__", "read")

    def jobs(m):
        _wrap(m.Pool, "start", "spawn")
        _wrap(m.Pool, "close", "stop")
        m.Pool._setup = lambda self: partial(traced_setup, dict(self.init, spool=self.spool))

    def workers(m):
        _wrap(m, "spawn_workers", "spawn_workers")
    _wrap(os, "fsync", "fsync")
    _after_import({"lexquery.engine.api": api, "lexquery.screening.columnar_pipeline": pipeline,
                   "lexquery.screening.columnar_frame": frame, "lexquery.screening.columnar_jobs": jobs,
                   "lexquery.workers": workers})


def summary(lines: list, t0: float, raw: bool) -> None:
    ev = []
    for ln in lines:
        pid, th, e, t, cpu, x = ln.rstrip("\n").split("\t")
        ev.append((float(t) - t0, int(pid), th, e, float(cpu), x))
    ev.sort()
    main_pid = os.getpid()
    if raw:
        for t, pid, th, e, cpu, x in ev:
            who = "main" if pid == main_pid else f"w{pid}"
            print(f"{t:7.3f} {who:>9} {th[:22]:22} {e:16} cpu {cpu:6.3f} {x}")
    end = max(t for t, *_ in ev if _[2] == "screen_end")
    actors = {}
    for t, pid, th, e, cpu, x in ev:
        actors.setdefault((pid, th if pid == main_pid else "worker"), []).append((t, e, x))
    for (pid, th), es in sorted(actors.items(), key=lambda kv: kv[1][0][0]):
        spans, open_ = [], {}
        for t, e, x in es:
            if e.endswith("_begin"):
                open_[e[:-6]] = t
            elif e.endswith("_end") and e[:-4] in open_:
                spans.append((e[:-4], open_.pop(e[:-4]), t, x))
        ans = [s for s in spans if s[0] == "answer"]
        if not ans and th not in ("MainThread",):
            continue
        who = "main" if pid == main_pid else f"worker {pid}"
        line = f"{who}/{th}: "
        if ans:
            busy = sum(b - a for _, a, b, _ in ans)
            gaps = [round(ans[i + 1][1] - ans[i][2], 3) for i in range(len(ans) - 1)]
            line += (f"{len(ans)} batches ({sum(int(x) for *_, x in ans)} rows), busy {busy:.2f} s, first at "
                     f"{ans[0][1]:.2f}, last ends {ans[-1][2]:.2f} (end {end:.2f}: {end - ans[-1][2]:.2f} s after), "
                     f"gaps {gaps}")
        for kind in ("kb", "compile", "read", "write", "spawn", "spawn_workers", "stop", "fsync"):
            ss = [s for s in spans if s[0] == kind]
            if ss:
                line += f"; {kind} {len(ss)}× {sum(b - a for _, a, b, _ in ss):.2f} s [{ss[0][1]:.2f}-{ss[-1][2]:.2f}]"
        w = [t for t, e, _ in es if e in ("w_setup_begin", "w_ready")]
        if w:
            line += f"; setup begins {w[0]:.2f}, ready {w[-1]:.2f}"
        print(line)
    print(f"screening ends {end:.2f} s after the script began")


def main(argv: list) -> int:
    runs, raw = 1, False
    if "--runs" in argv:
        i = argv.index("--runs")
        runs = int(argv[i + 1])
        del argv[i:i + 2]
    if "--raw" in argv:
        argv.remove("--raw")
        raw = True
    import tempfile
    log = tempfile.NamedTemporaryFile(prefix="j2-timeline-", suffix=".tsv", delete=False).name
    os.environ[_LOG] = log
    out = tempfile.NamedTemporaryFile(prefix="j2-timeline-", suffix=".csv", delete=False).name
    args = ["screen", *argv, "-o", out, "--as-of", "2026-12-01", "--no-progress", "--quiet"]
    note("script_begin")
    install()
    from lexquery.cli import main as cli
    for r in range(runs):
        t0 = T0 if r == 0 else time.monotonic()
        open(log, "w").close()
        note("screen_begin")
        c0 = os.times()
        code = cli(args)
        note("screen_end")
        c1 = os.times()
        print(f"run {r + 1}: exit {code}, CPU main {c1.user - c0.user + c1.system - c0.system:.2f} s, "
              f"children {c1.children_user - c0.children_user + c1.children_system - c0.children_system:.2f} s, "
              f"load {os.getloadavg()[0]:.2f}")
        with open(log) as f:
            summary(f.readlines(), t0, raw)
    os.unlink(log)
    os.unlink(out)
    return 0


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import j2_timeline   # this file as a module: the worker imports traced_setup by that name
    sys.exit(j2_timeline.main(sys.argv[1:]))
