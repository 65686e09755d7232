"""lexquery.workers.in_order with fresh workers (``start="spawn"``, the columnar engine's): the
same guarantees as with forked ones (tests/test_screen_workers.py) — every part out, in order,
within a bound — plus what a fresh worker adds: its setup run once in it, a worker that cannot
start given up (its parts answered here), parts the caller answers given back as they are.
A fresh interpreter is safe whatever threads this process runs: these run in the pytest process."""
from __future__ import annotations

import os
import time
from functools import partial
from pathlib import Path

import pytest

import worker_setups as S   # tests/worker_setups.py: importable by the workers
from lexquery import workers


@pytest.fixture(autouse=True)
def _fast(monkeypatch):
    monkeypatch.setattr(workers, "POLL_SECONDS", 0.05)


def _run(parts, setup, jobs=2, **kw):
    notes, lost = [], []
    here = os.getpid()

    def work(part):
        return f"{part}@here"

    def on_lost(part, reason):
        lost.append((part, reason))
        return f"{part}@lost"
    t0 = time.monotonic()
    out = list(workers.in_order(parts, work, jobs, on_lost, start="spawn", setup=setup,
                                note=lambda pid, idx, reason: notes.append((idx, reason)), **kw))
    return out, notes, lost, time.monotonic() - t0, here


def _no_children():
    kids = Path(f"/proc/{os.getpid()}/task/{os.getpid()}/children")
    return not kids.exists() or kids.read_text().split() == []


def test_fresh_workers_answer_every_part_in_order():
    out, notes, lost, seconds, here = _run(range(10), S.echo)
    assert [o.split("@")[0] for o in out] == [str(i) for i in range(10)]
    pids = {o.split("@")[1] for o in out}
    assert str(here) not in pids and "here" not in pids and 1 <= len(pids) <= 2   # the workers answered
    assert not notes and not lost and _no_children()


def test_a_worker_killed_mid_part_costs_nothing_and_with_one_try_its_part_is_lost(tmp_path):
    out, notes, lost, seconds, _ = _run(range(8), partial(S.kills_once, 5, str(tmp_path / "a")))
    assert [o.split("@")[0] for o in out] == [str(i) for i in range(8)] and not lost
    assert notes == [(5, "SIGKILL")] and seconds < 30
    out, notes, lost, seconds, _ = _run(range(8), partial(S.kills_once, 5, str(tmp_path / "b")), tries=1)
    assert out[5] == "5@lost" and lost == [(5, "SIGKILL")] and notes == [(5, "SIGKILL")]
    assert [o.split("@")[0] for o in out] == [str(i) for i in range(8)] and _no_children()


def test_a_stalled_worker_is_killed_within_the_bound():
    out, notes, lost, seconds, _ = _run(range(6), partial(S.stalls_on, 2), stall=1.0, tries=1)
    assert out[2] == "2@lost" and lost == [(2, "> 1 s")] and seconds < 30
    assert [o.split("@")[0] for o in out] == [str(i) for i in range(6)] and _no_children()


def test_workers_that_cannot_start_leave_this_process_answering():
    out, notes, lost, seconds, _ = _run(range(5), S.cannot_start)
    assert out == [f"{i}@here" for i in range(5)] and not lost
    assert [n for n in notes] == [(None, "ImportError: no knowledge base here")] * 2 and _no_children()


def test_a_worker_that_fails_then_exits_before_the_parent_looks_is_heard(monkeypatch):
    """A fresh worker that cannot start writes « failed » and why, then exits: when the parent
    looks only after that exit (its pipe not among those the wait returned), it reads the reason
    still in the pipe — not « exit code 1 ». Seen 1 run in 6 of the test above (two workers: the
    wait returned for one while the other wrote its reason and exited); here the wait never
    returns a pipe, so every worker is looked at that way."""
    real = workers._drive

    def late(objects, timeout=None):   # the driver's wait only (Connection.poll has its own)
        time.sleep(0.2)
        return []

    def drive(ws, source, work, lost, here, wait, *rest):
        return real(ws, source, work, lost, here, late, *rest)
    monkeypatch.setattr(workers, "_drive", drive)
    out, notes, lost, seconds, _ = _run(range(3), S.cannot_start)
    assert out == [f"{i}@here" for i in range(3)] and not lost
    assert notes == [(None, "ImportError: no knowledge base here")] * 2 and _no_children()


def test_parts_the_caller_answers_come_back_as_they_are_in_their_turn():
    parts = [0, "scalar-a", 1, 2, "scalar-b", 3]
    out, *_ = _run(parts, S.echo, here=lambda p: isinstance(p, str), window=3)
    assert [o if isinstance(o, str) and "@" not in o else o.split("@")[0] for o in out] == \
        ["0", "scalar-a", "1", "2", "scalar-b", "3"]


def test_stopping_early_kills_a_busy_worker_at_once(monkeypatch):
    monkeypatch.setattr(workers, "STOP_SECONDS", 60.0)   # waited for, a busy worker would cost a minute
    t0 = time.monotonic()
    it = workers.in_order(range(4), str, 2, lambda p, r: None, start="spawn", setup=partial(S.stalls_on, 1))
    first = next(it)
    it.close()
    assert first.startswith("0@") and time.monotonic() - t0 < 20 and _no_children()


# --- this process as one more worker (``local=``: the columnar screening's thread) ---------------

def _local_work(log):
    def work(part):
        log.append(part)
        time.sleep(0.01)
        return f"{part}@local"
    return work


def test_a_local_thread_answers_beside_one_worker_every_part_in_order():
    """``jobs=1`` and ``local``: two answer (the worker still starting, the thread takes the first
    parts); every part out once, in order, from one of the two."""
    log = []
    out, notes, lost, seconds, here = _run(range(12), S.echo, jobs=1, local=_local_work(log))
    assert [o.split("@")[0] for o in out] == [str(i) for i in range(12)]
    by = {o.split("@")[1] for o in out}
    assert "local" in by and str(here) not in by and "here" not in by   # never the caller's work
    assert sorted(log) == [int(o.split("@")[0]) for o in out if o.endswith("@local")]
    assert not notes and not lost and _no_children()
    assert not [t for t in __import__("threading").enumerate() if t.name == "lexquery-local-worker"]


def test_a_local_thread_alone_when_the_workers_cannot_start():
    log = []
    out, notes, lost, seconds, _ = _run(range(6), S.cannot_start, jobs=1, local=_local_work(log))
    assert out == [f"{i}@local" for i in range(6)] and log == list(range(6)) and not lost
    # the worker's failure is noted if it came before the end (else the worker was stopped)
    assert notes in ([], [(None, "ImportError: no knowledge base here")]) and _no_children()


def test_a_part_the_local_thread_fails_goes_to_lost_and_the_rest_comes_out():
    def work(part):
        if part == 3:
            raise ValueError("bad batch")
        return f"{part}@local"
    out, notes, lost, seconds, _ = _run(range(6), S.cannot_start, jobs=1, local=work)
    assert out == [f"{i}@local" if i != 3 else "3@lost" for i in range(6)]
    assert lost == [(3, "ValueError: bad batch")] and (3, "ValueError: bad batch") in notes


def test_a_slow_local_part_is_never_given_up_for_its_time():
    """The thread is this process: its part is not « stalled » (it could not be killed, and given
    again it would run twice at once) however long it takes."""
    def work(part):
        time.sleep(1.5 if part == 0 else 0)
        return f"{part}@local"
    out, notes, lost, seconds, _ = _run(range(3), S.cannot_start, jobs=1, local=work, stall=0.5, tries=1)
    assert out == [f"{i}@local" for i in range(3)] and not lost
    assert notes == [(None, "ImportError: no knowledge base here")]   # the worker's; none on the thread


def test_stopping_early_waits_for_the_local_part_and_leaves_no_thread(monkeypatch):
    import threading
    monkeypatch.setattr(workers, "STOP_SECONDS", 10.0)
    started, finished = threading.Event(), []

    def work(part):
        started.set()
        time.sleep(0.3)
        finished.append(part)
        return f"{part}@local"
    it = workers.in_order(range(10), str, 1, lambda p, r: None, start="spawn", setup=S.cannot_start,
                          local=work)
    first = next(it)
    it.close()
    assert first == "0@local" and finished[0] == 0
    assert not [t for t in threading.enumerate() if t.name == "lexquery-local-worker"]
    assert _no_children()


def test_the_local_answers_pipe_is_never_written_once_closed():
    """A thread answering after the parent closed its pipe writes nothing (the descriptor may
    already be another file's)."""
    out = workers._LocalOut()
    r, w = out.r, out.w
    out.put("a")
    assert out.poll() and out.recv() == "a"
    out.close()
    fd_r, fd_w = os.pipe()   # likely to reuse the closed numbers
    try:
        out.put("late")
        os.set_blocking(fd_r, False)
        with pytest.raises(BlockingIOError):
            os.read(fd_r, 1)
        assert not out.poll()
    finally:
        os.close(fd_r)
        os.close(fd_w)


def test_a_worker_that_answers_is_given_its_next_part_before_the_caller_gets_the_answer():
    """The caller writes each answer before it asks for the next (the screening: a batch's CSV
    copied to the output); meanwhile the driver is not running. A worker that has just answered
    must already hold its next part then, not wait for the caller's writing — seen: the columnar
    worker idle 0.4-0.5 s of a 3.5 s screening of 100,000 rows, between its batches. Here the
    caller, given part ``i``, waits (up to 5 s) for the thread to start part ``i + 1``: never,
    if the driver gives it out only after the caller has come back."""
    import threading
    started = {i: threading.Event() for i in range(6)}

    def work(part):
        started[part].set()
        return f"{part}@local"
    it = workers.in_order(range(6), str, 1, lambda p, r: None, start="spawn", setup=S.cannot_start,
                          local=work, window=4)
    got = []
    t0 = time.monotonic()
    for out in it:
        got.append(out)
        i = int(out.split("@")[0])
        if i < 5:
            assert started[i + 1].wait(5), f"part {i + 1} not given out while the caller held part {i}'s answer"
    assert got == [f"{i}@local" for i in range(6)] and time.monotonic() - t0 < 20 and _no_children()


def test_the_local_thread_starts_on_a_part_before_the_next_is_read():
    """A part read is given out at once, not after the read-ahead window is full — seen: the main
    process of ``screen -j 2`` read four batches (≈ 0.7 s) before its thread answered the first.
    Here reading part 1 waits (up to 5 s) for the thread to start part 0: never, if the driver
    reads the window's parts first."""
    import threading
    first = threading.Event()
    waited = []

    def parts():
        yield 0
        waited.append(first.wait(5))
        yield from range(1, 5)

    def work(part):
        first.set()
        return f"{part}@local"
    out = list(workers.in_order(parts(), str, 1, lambda p, r: None, start="spawn", setup=S.cannot_start,
                                local=work, window=4))
    assert out == [f"{i}@local" for i in range(5)] and waited == [True] and _no_children()


def test_workers_started_before_the_parts_are_taken_over_and_no_other_starts(monkeypatch):
    """``spawn_workers`` starts fresh workers before there is a part (their start-up beside the
    caller's); ``in_order(started=...)`` drives those, starts none of its own, and stops them."""
    started = workers.spawn_workers(2, S.echo)
    pids = {w.proc.pid for w in started}
    assert len(pids) == 2 and all(w.proc.is_alive() for w in started)

    def no_more(*a):
        raise AssertionError("a worker started again")
    monkeypatch.setattr(workers, "_spawned", no_more)
    out = list(workers.in_order(range(8), lambda p: f"{p}@here", 2, lambda p, r: f"{p}@lost", start="spawn",
                                setup=S.echo, started=started))
    assert [o.split("@")[0] for o in out] == [str(i) for i in range(8)]
    assert {int(o.split("@")[1]) for o in out} <= pids and _no_children()


def test_workers_started_and_never_driven_are_stopped():
    """Workers of ``spawn_workers`` that no ``in_order`` takes (the caller failed in between, or
    answers every part itself) end with ``stop_workers`` — also one still starting — or with an
    ``in_order`` that answers everything here."""
    started = workers.spawn_workers(1, S.echo)
    workers.stop_workers(started)
    assert _no_children()
    started = workers.spawn_workers(1, S.echo)
    assert list(workers.in_order(range(3), str, 1, lambda p, r: None, start="spawn", setup=S.echo,
                                 started=started)) == ["0", "1", "2"]
    assert _no_children()
