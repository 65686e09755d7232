"""Chunks answered on forked worker processes, in order: none lost, no wait without a bound.

Used by ``lexquery screen --jobs`` (:mod:`lexquery.screening.screen`) and ``lexquery validate
--jobs`` (:mod:`lexquery.caserdf.stream`); it imports nothing of lexquery (the ground floor).

Why not :class:`concurrent.futures.ProcessPoolExecutor` (what ``validate --jobs`` used until
December 2026): a worker that dies breaks the whole executor (``BrokenProcessPool``): every chunk
not yet given back fails with it — seen: a worker killed by SIGKILL ended ``validate -j 2`` of
1,212 cases after 250 reports, « erreur interne », exit 1. Its ``fork`` workers inherit the
SIGTERM handler of ``lexquery.cli``, and it forks without looking at the threads the process
already runs.
Why not :class:`multiprocessing.pool.Pool` (what ``screen --jobs`` used until December 2026):

* ``Pool.terminate`` (its ``with`` exit) takes the task queue's lock, ends the workers with
  SIGTERM and joins them without a bound. The workers inherit ``lexquery.cli``'s Python-level
  SIGTERM handler; a worker that receives it between its non-blocking and its blocking wait on
  that lock (C code, no bytecode in between) never runs the handler and waits forever on a
  lock the parent now holds — the parent waits forever in ``join``. Seen: 1 run in 40 of the
  40 MB endless-line test of ``screen -`` under load (parent in ``Pool._terminate_pool`` →
  ``BaseProcess.join``; worker in ``SemLock.__enter__`` ← ``SimpleQueue.get``).
* A worker that dies (the OOM killer, a signal) loses its task: ``AsyncResult.get()`` waits
  forever (CPython issue bpo-22393).
* Its three handler threads fork replacement workers while other threads hold locks, and
  forking a process whose threads hold locks (polars' and OpenBLAS's thread pools, once
  numpy or polars is imported) can leave the child waiting on a lock no one will release.

Here each worker has its own pipe and holds at most one chunk, so a send never waits on a
worker that is itself waiting to send. The parent waits on the pipes and on the processes'
sentinels together: a worker that dies is seen at once, and so is one that holds a chunk past
:data:`STALL_SECONDS` (it is killed). Its chunk goes to another worker, or is answered in this
process when none is left; a chunk that has cost :data:`MAX_TRIES` workers is answered by
``lost`` (error rows: every row comes out, answered or reported). Workers are forked only from
a process with one thread; otherwise every chunk is answered in this process (the same bytes,
one core). At the end the workers are told to stop, waited for at most
:data:`STOP_SECONDS`, then killed. A worker ends with ``os._exit``: it never flushes the
copies of the parent's output buffers it was forked with.
"""
from __future__ import annotations

import os
import signal
import threading
import time
from collections import deque
from typing import Callable, Iterable, Iterator, TypeVar

T = TypeVar("T")
R = TypeVar("R")

STALL_SECONDS = 300.0
"""A worker holding one chunk longer than this is killed and its chunk given again (a chunk of
200 rows takes ~0.1–1 s; this is a bound on a stuck process, not a deadline on slow ones)."""
MAX_TRIES = 2
"""Workers a chunk may cost before its rows are reported by ``lost`` instead of answered."""
STOP_SECONDS = 5.0
"""How long the workers have to end after being told to; then they are killed."""
POLL_SECONDS = 1.0


def threads_running() -> int:
    """Threads of this process: the operating system's count where it gives one (Linux
    ``/proc/self/task``: native threads too, such as polars' or OpenBLAS's pools), else Python's."""
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:
        return threading.active_count()


def fork_is_safe() -> bool:
    """Forking copies only the calling thread: with other threads running, a lock one of them
    holds stays held for ever in the child. Safe only with a single thread (and where the
    system forks at all: not on Windows)."""
    import multiprocessing as mp
    return threads_running() == 1 and "fork" in mp.get_all_start_methods()


def _serve(conn, work) -> None:
    """A worker: answer the chunks it is sent until told to stop (``None``) or its pipe closes."""
    code = 0
    try:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)   # no Python handler to miss (see above)
        signal.signal(signal.SIGINT, signal.SIG_IGN)    # Ctrl+C: the parent stops the workers
        while True:
            try:
                msg = conn.recv()
            except (EOFError, OSError):
                break
            if msg is None:
                break
            idx, part = msg
            try:
                reply = (idx, True, work(part))
            except BaseException as e:   # said in the parent, on the chunk's rows
                reply = (idx, False, f"{type(e).__name__}: {e}")
            try:
                conn.send(reply)
            except (EOFError, OSError):
                break
            except Exception as e:       # a result that cannot be pickled
                conn.send((idx, False, f"{type(e).__name__}: {e}"))
    except BaseException:
        code = 1
    finally:
        os._exit(code)


class _Worker:
    __slots__ = ("proc", "conn", "idx", "since")

    def __init__(self, proc, conn):
        self.proc, self.conn, self.idx, self.since = proc, conn, None, 0.0


def in_order(parts: Iterable[T], work: Callable[[T], R], jobs: int,
             lost: Callable[[T, str], R], ahead: int = 3) -> Iterator[R]:
    """``work(part)`` for every part, in the order of ``parts``, on ``jobs`` forked workers
    (in this process when ``jobs`` ≤ 1 or when forking is unsafe, :func:`fork_is_safe`).

    ``work`` runs in the workers as forked (not pickled); a part and its result cross a pipe
    (pickled). ``lost(part, reason)`` answers a part that could not be answered: its workers
    died (``reason``: the signal's name, ``exit N``, ``> N s`` for a stalled one, ``pipe``), or
    ``work`` raised in a worker (``reason``: ``Type: message``). At most ``ahead × jobs`` parts are read ahead of
    the first one not yet given back. Close the iterator (``contextlib.closing``) to stop the
    workers early."""
    if jobs <= 1 or not fork_is_safe():
        for part in parts:
            yield work(part)
        return
    import multiprocessing as mp
    from multiprocessing.connection import wait
    ctx = mp.get_context("fork")
    workers: list[_Worker] = []
    try:
        for _ in range(jobs):
            mine, theirs = ctx.Pipe()
            proc = ctx.Process(target=_serve, args=(theirs, work), daemon=True)
            proc.start()
            theirs.close()
            workers.append(_Worker(proc, mine))
        yield from _drive(workers, iter(enumerate(parts)), work, lost, max(1, ahead * jobs), wait)
    finally:
        _stop(workers)


def _drive(workers, source, work, lost, window, wait):
    held: dict = {}                  # idx -> (part, tries) given to a worker or waiting for one
    waiting: deque = deque()         # idx given back by a lost worker, to give again first
    done: dict = {}                  # idx -> result, until its turn
    next_out = read = 0
    exhausted = False

    def lose(w, reason):
        workers.remove(w)
        try:
            w.proc.kill()
        except (OSError, ValueError):
            pass
        w.proc.join(1)
        w.conn.close()
        if w.idx is not None:
            part, tries = held[w.idx]
            if tries + 1 >= MAX_TRIES:
                del held[w.idx]
                done[w.idx] = lost(part, reason)
            else:
                held[w.idx] = (part, tries + 1)
                waiting.appendleft(w.idx)
            w.idx = None

    while True:
        while next_out in done:
            yield done.pop(next_out)
            next_out += 1
        if not workers:              # every worker lost: this process answers the rest
            for idx in sorted(waiting):
                done[idx] = work(held.pop(idx)[0])
            waiting.clear()
            while next_out in done:
                yield done.pop(next_out)
                next_out += 1
            for idx, part in source:
                yield work(part)
            return
        for w in workers:            # an idle worker takes a chunk given back, else the next one
            if w.idx is not None:
                continue
            if waiting:
                idx = waiting.popleft()
            elif not exhausted and read - next_out < window:
                item = next(source, None)
                if item is None:
                    exhausted = True
                    break
                idx, part = item
                held[idx] = (part, 0)
                read += 1
            else:
                break
            try:
                w.conn.send((idx, held[idx][0]))
            except (OSError, EOFError):
                w.idx = idx
                lose(w, "pipe")
                break
            w.idx, w.since = idx, time.monotonic()
        busy = [w for w in workers if w.idx is not None]
        if not busy:
            if exhausted and not waiting:
                return
            continue
        ready = set(wait([w.conn for w in busy] + [w.proc.sentinel for w in busy], POLL_SECONDS))
        now = time.monotonic()
        for w in busy:
            if w.conn in ready or (w.proc.sentinel in ready and w.conn.poll()):
                try:
                    idx, ok, value = w.conn.recv()
                except (EOFError, OSError):
                    lose(w, _death(w.proc))
                    continue
                part = held.pop(idx)[0]
                done[idx] = value if ok else lost(part, value)
                w.idx = None
            elif w.proc.sentinel in ready or not w.proc.is_alive():
                lose(w, _death(w.proc))
            elif now - w.since > STALL_SECONDS:
                lose(w, f"> {STALL_SECONDS:.0f} s")


def _death(proc) -> str:
    proc.join(1)
    code = proc.exitcode
    if code is not None and code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = str(-code)
        return name
    return f"exit {code}"


def _stop(workers) -> None:
    """Tell every worker to stop; whatever has not ended after STOP_SECONDS is killed."""
    for w in workers:
        try:
            w.conn.send(None)
        except (OSError, EOFError, ValueError):
            pass
    deadline = time.monotonic() + STOP_SECONDS
    for w in workers:
        w.proc.join(max(0.0, deadline - time.monotonic()))
    for w in workers:
        if w.proc.is_alive():
            w.proc.kill()
            w.proc.join(1)
        try:
            w.conn.close()
        except OSError:
            pass
