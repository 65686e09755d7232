"""`screen --jobs N` never hangs and never loses a row when a worker process is lost.

The class of fault (lexquery.workers): with multiprocessing.Pool, `screen -` hung
1 run in 40 under load — the pool's exit killed its workers with SIGTERM, a worker whose Python
SIGTERM handler (inherited from lexquery.cli) missed the signal while blocked on the queue's lock
waited for ever, and the parent waited for it without a bound; a worker killed mid-chunk (the
OOM killer, a signal) left ``AsyncResult.get()`` waiting for ever. Here: a worker killed
mid-chunk, a chunk that kills every worker given it, a worker that stalls, a consumer that
stops early — every part comes out, in order, within a bound.

The workers are forked only from a process with one thread (a forked child of a process
whose other threads hold locks can wait on them for ever), so these run in a fresh interpreter:
the pytest process may already have numpy's or polars' threads.
"""
from __future__ import annotations

import csv
import io
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

from lexquery import workers
from lexquery.screening.synth import synth_text

ROOT = Path(__file__).resolve().parent.parent


def _fresh(code: str, timeout: float = 60) -> list[str]:
    """Run ``code`` in a fresh single-threaded interpreter; its standard output's lines."""
    t0 = time.monotonic()
    r = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                       timeout=timeout, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    assert time.monotonic() - t0 < timeout
    return r.stdout.split()


_PRELUDE = """
    import os, signal, sys, time
    from lexquery import workers
    workers.POLL_SECONDS = 0.05
    def lost(part, reason):
        return f"lost:{part}:{reason}"
    def run(work, n=12, jobs=2):
        t0 = time.monotonic()
        out = list(workers.in_order(range(n), work, jobs, lost))
        print(*out, f"seconds:{time.monotonic() - t0:.1f}")
"""


def test_a_worker_killed_mid_chunk_loses_nothing_and_the_order_holds(tmp_path):
    mark = tmp_path / "killed-once"
    out = _fresh(_PRELUDE + f"""
    def work(i):
        if i == 5 and not os.path.exists({str(mark)!r}):
            open({str(mark)!r}, "w").close()
            os.kill(os.getpid(), signal.SIGKILL)     # the OOM killer's way: no goodbye
        return f"{{i}}@{{os.getpid()}}"
    run(work)
    """)
    *parts, seconds = out
    assert [p.split("@")[0] for p in parts] == [str(i) for i in range(12)]
    assert mark.exists() and float(seconds.split(":")[1]) < 10


def test_a_chunk_that_kills_every_worker_is_reported_and_the_rest_answered():
    out = _fresh(_PRELUDE + """
    def work(i):
        if i == 3:
            os.kill(os.getpid(), signal.SIGKILL)
        return str(i)
    run(work, jobs=3)
    """)
    *parts, seconds = out
    assert parts == ["0", "1", "2", "lost:3:SIGKILL"] + [str(i) for i in range(4, 12)]
    assert float(seconds.split(":")[1]) < 10


def test_when_every_worker_is_lost_this_process_answers_the_rest():
    out = _fresh(_PRELUDE + """
    parent = os.getpid()
    def work(i):
        if os.getpid() != parent:     # each of the two workers dies on its first part
            os.kill(os.getpid(), signal.SIGKILL)
        return f"{i}@parent"
    run(work, n=6, jobs=2)
    """)
    assert out[:6] == [f"{i}@parent" for i in range(6)]


def test_a_stalled_worker_is_killed_and_its_chunk_given_again(tmp_path):
    mark = tmp_path / "stalled-once"
    out = _fresh(_PRELUDE + f"""
    workers.STALL_SECONDS = 1.0
    def work(i):
        if i == 4 and not os.path.exists({str(mark)!r}):
            open({str(mark)!r}, "w").close()
            time.sleep(3600)
        return str(i)
    run(work, n=8)
    """)
    *parts, seconds = out
    assert parts == [str(i) for i in range(8)] and float(seconds.split(":")[1]) < 10


def test_stopping_early_never_waits_for_a_busy_worker():
    out = _fresh(_PRELUDE + """
    workers.STOP_SECONDS = 0.5
    def work(i):
        if i == 1:
            signal.signal(signal.SIGTERM, signal.SIG_IGN)   # deaf to anything but SIGKILL
            time.sleep(3600)
        return str(i)
    t0 = time.monotonic()
    it = workers.in_order(range(4), work, 2, lost)
    first = next(it)
    it.close()
    print(first, f"{time.monotonic() - t0:.1f}")
    """)
    assert out[0] == "0" and float(out[1]) < 5


def test_workers_have_no_python_sigterm_handler_to_miss():
    """A Python-level handler runs only between bytecodes: a worker blocked in C when SIGTERM
    arrives may never run it. The worker takes the default action, whatever the parent set."""
    out = _fresh(_PRELUDE + """
    signal.signal(signal.SIGTERM, lambda *a: None)    # as lexquery.cli does for the command
    def work(i):
        return "default" if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL else "python-handler"
    run(work, n=4)
    """)
    assert out[:4] == ["default"] * 4


def test_with_other_threads_running_the_parts_are_answered_here():
    stop = threading.Event()
    t = threading.Thread(target=stop.wait, daemon=True)
    t.start()
    try:
        assert not workers.fork_is_safe()
        import os
        got = list(workers.in_order(range(5), lambda i: (i, os.getpid()), 2, lambda p, r: None))
    finally:
        stop.set()
        t.join()
    assert got == [(i, os.getpid()) for i in range(5)]


def test_screen_with_a_worker_killed_gives_every_row_the_same_bytes_or_an_error_row(tmp_path):
    """Through `lexquery screen -j 2`: a worker killed once changes nothing in the output; a chunk
    that kills every worker gives one error row per case of that chunk, and the batch goes on."""
    src = tmp_path / "registre.csv"
    src.write_text(synth_text(40, seed=4), encoding="utf-8")
    ids = [r["id"] for r in csv.DictReader(io.StringIO(src.read_text(encoding="utf-8")), delimiter=";")]
    victim = ids[17]
    mark = tmp_path / "once"
    script = f"""
    import os, signal, sys
    import lexquery.screening.screen as S
    real = S.answer_csv
    def answer_csv(engine, builder, part, *a, **k):
        if any(builder.row(r).id == {victim!r} for r in part) and (sys.argv[1] == "always" or (sys.argv[1] == "once" and not os.path.exists({str(mark)!r}))):
            open({str(mark)!r}, "w").close()
            os.kill(os.getpid(), signal.SIGKILL)
        return real(engine, builder, part, *a, **k)
    S.answer_csv = answer_csv
    from lexquery.cli import main
    sys.exit(main(["screen", "-", "-q", "--as-of", "2026-12-01", "-j", sys.argv[2], "--chunk", "5"]))
    """

    def screen(mode, jobs):
        t0 = time.monotonic()
        r = subprocess.run([sys.executable, "-c", textwrap.dedent(script), mode, jobs], input=src.read_bytes(),
                           capture_output=True, timeout=120, cwd=ROOT)
        assert time.monotonic() - t0 < 60
        return r.returncode, r.stdout.decode("utf-8"), r.stderr.decode("utf-8")

    code1, reference, _ = screen("never", "1")     # one process, nothing killed: the reference bytes
    code, once, err = screen("once", "2")
    assert mark.exists() and code == code1 and once == reference, err
    code, always, err = screen("always", "2")
    assert code == 3, err
    rows = list(csv.reader(io.StringIO(always), delimiter=";"))
    head, rows = rows[0], rows[1:]
    lost_chunk = set(ids[15:20])           # chunks of 5 cases: the victim's chunk is cases 15..19
    col = {k: head.index(k) for k in ("id", "status", "message")}
    lost = [r for r in rows if r[col["id"]] in lost_chunk]
    assert len(lost) == 5 and all(r[col["status"]] == "error" for r in lost)
    assert all("processus de calcul perdu (SIGKILL)" in r[col["message"]] for r in lost)
    kept = [l for l in reference.splitlines() if next(csv.reader([l], delimiter=";"))[col["id"]] not in lost_chunk]
    assert [l for l in always.splitlines() if next(csv.reader([l], delimiter=";"))[col["id"]] not in lost_chunk] == kept
