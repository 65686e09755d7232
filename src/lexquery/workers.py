"""Chunks answered on worker processes (forked, or fresh interpreters), in order: none lost, no
wait without a bound.

Used by ``lexquery screen --jobs`` with either engine (scalar: :mod:`lexquery.screening.screen`;
columnar: :mod:`lexquery.screening.columnar_jobs`) and ``lexquery validate --jobs``
(:mod:`lexquery.caserdf.stream`); it imports nothing of lexquery (the ground floor).

Two ways to start a worker:

* ``start="fork"`` (the scalar engine, validation): a copy of this process, ``work`` and what it
  has loaded (the knowledge base, the compiled shapes) inherited; only from a process with one
  thread (:func:`fork_is_safe`), else every part is answered here.
* ``start="spawn"`` (the columnar engine: polars and numpy run thread pools, which a forked child
  inherits locked — polars documents the deadlock, « Multiprocessing », user guide): a fresh
  interpreter (``python -c``, :mod:`subprocess`; not :mod:`multiprocessing`'s ``spawn``, which runs
  the main script again in each child: a script without the ``if __name__ == "__main__"`` guard
  would start over there). It gets this process's ``sys.path`` and ``setup`` (pickled by
  reference), runs ``setup()`` once (imports, knowledge base, compilation) to get its own
  part → result function, then says it is ready; no part is sent to a worker not yet ready (this
  process never waits on one still starting), and one not ready within :data:`START_SECONDS` is
  given up. Its standard input and output are closed (the answers may go to standard output).

Fresh workers may be started before the parts are there (:func:`spawn_workers`, then
``in_order(started=...)``): the columnar screening starts its worker before it loads its own
knowledge base and reads its first batch, so that the two start-ups overlap.

And this process as one more worker (``local=``, the columnar engine's): a thread answering parts
beside the workers, for work that lets go of the GIL between small steps (numpy, polars) — one
process fewer to start and to map the libraries into (:func:`_local`).

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
worker that is itself waiting to send. A worker that answers is handed its next chunk (one
already read) before the answer is given back to the caller, who writes it: the driver is a
generator, idle while the caller works — handed out after, the columnar worker waited 0.4-0.5 s
of a 3.5 s screening of 100,000 rows (docs/performance.md, « The worker's next batch »). A chunk
read is handed to an idle worker at once, before the next is read — read up to the window first,
the columnar main process's thread waited ≈ 0.7 s for four batches to be read before it answered
the first (« The worker's early start »). The parent waits on the pipes and on the processes'
sentinels together (a fresh worker's death closes its pipe): a worker that dies is seen at once, and so is one that holds a chunk past
:data:`STALL_SECONDS` (it is killed). Its chunk goes to another worker, or is answered in this
process when none is left; a chunk that has cost ``tries`` (:data:`MAX_TRIES`) workers is answered by
``lost`` (the scalar engine: error rows, every row comes out, answered or reported; validation:
each case a violation saying it was not validated; the columnar engine, ``tries=1``: the batch
answered in this process). Workers are forked only from a process with one thread; otherwise
every chunk is answered in this process (the same bytes, one core). At the end the idle workers are told to stop, waited for at most
:data:`STOP_SECONDS`, then killed; a worker still busy or starting is killed at once (its answer
is not wanted: the consumer stopped early, on an error or ^C). A worker ends with
``os._exit``: it never flushes the copies of the parent's output buffers it was forked with.
"""
from __future__ import annotations

import os
import pickle
import queue
import signal
import subprocess
import sys
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
START_SECONDS = float(os.environ.get("LEXQUERY_WORKER_START_TIMEOUT", "300"))
"""How long a fresh worker (``start="spawn"``) may take to be ready (imports, knowledge base,
compilation: ≈ 1 s) before it is given up."""
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


# --- the worker's side ------------------------------------------------------------------------
def _serve(rd, wr, work) -> None:
    """A worker: answer the parts it is sent until told to stop (``None``) or its pipe closes."""
    code = 0
    try:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)   # no Python handler to miss (see above)
        signal.signal(signal.SIGINT, signal.SIG_IGN)    # Ctrl+C: the parent stops the workers
        while True:
            try:
                msg = rd.recv()
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
                wr.send(reply)
            except (EOFError, OSError):
                break
            except Exception as e:       # a result that cannot be pickled
                wr.send((idx, False, f"{type(e).__name__}: {e}"))
    except BaseException:
        code = 1
    finally:
        os._exit(code)


_CHILD = ("import gc, sys; gc.disable(); "
          "from lexquery.workers import _child; _child(int(sys.argv[1]), int(sys.argv[2]))")
"""A fresh worker's program: the garbage collector paused until its setup is done (``_child``;
why: :mod:`lexquery.gcpause`)."""


def _child(fd_in: int, fd_out: int) -> None:
    """A fresh worker's entry (``start="spawn"``): this process's ``sys.path`` (so that what it is
    sent — a test's fault function — can be unpickled), ``setup()`` (the garbage collector paused
    by :data:`_CHILD` until then: its objects frozen, :mod:`lexquery.gcpause`), « ready », then :func:`_serve`;
    « failed » and the error if it cannot start (the parent gives it up)."""
    from multiprocessing.connection import Connection
    rd, wr = Connection(fd_in, writable=False), Connection(fd_out, readable=False)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        sys.path[:] = rd.recv()
        work = pickle.loads(rd.recv_bytes())()
        import gc   # set up (imports, knowledge base, program): those objects frozen, the collector on
        gc.freeze()
        gc.enable()
        wr.send(("ready",))
    except BaseException as e:
        try:
            wr.send(("failed", f"{type(e).__name__}: {e}"))
        except BaseException:
            pass
        os._exit(1)
    _serve(rd, wr, work)


# --- the parent's side --------------------------------------------------------------------------
class _Spawned:
    """A fresh interpreter's :class:`subprocess.Popen`, seen as the few parts of a
    :class:`multiprocessing.Process` the driver uses (no sentinel: its pipe's end tells its death)."""
    sentinel = None

    def __init__(self, popen):
        self.popen, self.pid = popen, popen.pid

    def is_alive(self) -> bool:
        return self.popen.poll() is None

    def kill(self) -> None:
        if self.popen.poll() is None:
            self.popen.kill()

    def join(self, timeout=None) -> None:
        try:
            self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            pass

    @property
    def exitcode(self):
        return self.popen.poll()


class _Worker:
    __slots__ = ("proc", "rd", "wr", "idx", "since", "ready", "started", "local")

    def __init__(self, proc, rd, wr, ready: bool, local: bool = False):
        self.proc, self.rd, self.wr, self.ready, self.local = proc, rd, wr, ready, local
        self.idx, self.since, self.started = None, 0.0, time.monotonic()


# --- this process as one more worker (``local=``) -------------------------------------------------
class _LocalThread:
    """The thread of :func:`_local`, seen as the parts of a process the driver uses. It cannot be
    killed: ``kill`` only stops it taking another part (a part it is answering is finished, and its
    answer dropped)."""
    sentinel = None
    exitcode = None

    def __init__(self, thread, inbox):
        self.thread, self.inbox, self.pid = thread, inbox, os.getpid()

    def is_alive(self) -> bool:
        return self.thread.is_alive()

    def kill(self) -> None:
        self.inbox.put(None)

    def join(self, timeout=None) -> None:
        self.thread.join(timeout)


class _LocalIn:
    """The parent's end towards the thread: ``send`` queues a part (``None``: stop)."""

    def __init__(self, inbox):
        self.inbox = inbox

    def send(self, msg) -> None:
        self.inbox.put(msg)

    def close(self) -> None:
        self.inbox.put(None)


class _LocalOut:
    """The thread's answers: a byte on a pipe per answer, so that the parent's ``wait`` on the
    workers' pipes wakes for it too (``fileno``); the answer itself is not pickled."""

    def __init__(self):
        self.r, self.w = os.pipe()
        self.answers: deque = deque()
        self.lock, self.closed = threading.Lock(), False

    def fileno(self) -> int:
        return self.r

    def put(self, answer) -> None:
        with self.lock:   # never a byte on a descriptor closed (and perhaps reused) since
            if self.closed:
                return
            self.answers.append(answer)
            os.write(self.w, b"a")

    def poll(self) -> bool:
        return bool(self.answers)

    def recv(self):
        os.read(self.r, 1)
        return self.answers.popleft()

    def close(self) -> None:
        with self.lock:
            if self.closed:
                return
            self.closed = True
            for fd in (self.r, self.w):
                os.close(fd)


def _local(work) -> _Worker:
    """This process as one more worker: a daemon thread answering the parts it is given with
    ``work`` — while the main thread reads the input, writes the answers and drives the other
    workers. Worth it where ``work`` spends its time in code that lets go of the GIL between
    small steps (numpy, polars), and where one process fewer matters (memory: each spawned
    worker maps its own libraries). A part whose ``work`` raises is answered ``(idx, False,
    reason)``, as a worker's."""
    inbox: queue.SimpleQueue = queue.SimpleQueue()
    out = _LocalOut()

    def serve():
        while True:
            msg = inbox.get()
            if msg is None:
                return
            idx, part = msg
            try:
                reply = (idx, True, work(part))
            except Exception as e:   # said in the parent, on the part's rows (as a worker's)
                reply = (idx, False, f"{type(e).__name__}: {e}")
            out.put(reply)
    t = threading.Thread(target=serve, name="lexquery-local-worker", daemon=True)
    t.start()
    return _Worker(_LocalThread(t, inbox), out, _LocalIn(inbox), ready=True, local=True)


def _forked(ctx, work) -> _Worker:
    mine, theirs = ctx.Pipe()
    proc = ctx.Process(target=_serve, args=(theirs, theirs, work), daemon=True)
    proc.start()
    theirs.close()
    return _Worker(proc, mine, mine, ready=True)


def _spawned(setup: bytes, env: dict) -> _Worker:
    from multiprocessing.connection import Connection
    c_in, p_out = os.pipe()    # parent → worker
    p_in, c_out = os.pipe()    # worker → parent
    try:
        popen = subprocess.Popen([sys.executable, "-c", _CHILD, str(c_in), str(c_out)], pass_fds=(c_in, c_out),
                                 stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, env=env)
    except BaseException:
        os.close(p_in)
        os.close(p_out)
        raise
    finally:
        os.close(c_in)
        os.close(c_out)
    w = _Worker(_Spawned(popen), Connection(p_in, writable=False), Connection(p_out, readable=False), ready=False)
    try:
        w.wr.send(list(sys.path))
        w.wr.send_bytes(setup)
    except OSError:   # already gone: seen as dead at the first wait
        pass
    return w


def in_order(parts: Iterable[T], work: Callable[[T], R], jobs: int,
             lost: Callable[[T, str], R], ahead: int = 3, *, start: str = "fork", setup=None,
             here: Callable[[T], bool] | None = None, window: int | None = None,
             stall: float | None = None, tries: int | None = None,
             note: Callable[[int | None, int | None, str], None] | None = None,
             env: dict | None = None, local: Callable[[T], R] | None = None,
             started: list | None = None) -> Iterator[R]:
    """``work(part)`` for every part, in the order of ``parts``, on ``jobs`` worker processes
    (in this process when ``jobs`` ≤ 1, or with ``start="fork"`` when forking is unsafe,
    :func:`fork_is_safe`).

    ``start="fork"``: ``work`` runs in the workers as forked (not pickled). ``start="spawn"``: the
    workers are fresh interpreters, each running ``setup()`` once — ``setup`` pickled by reference
    (a module's function, or a :func:`functools.partial` of one with picklable arguments) — to get
    the function it answers parts with; ``work`` answers parts only here. A part and its result
    cross a pipe (pickled). ``lost(part, reason)`` answers a part that could not be answered: its
    workers died (``reason``: the signal's name, ``exit code N``, ``> N s`` for a stalled one,
    ``pipe``), or its work raised in a worker (``reason``: ``Type: message``).

    ``here(part)`` true: the part is given back as it is, in its turn, never sent (the caller
    answers it). At most ``window`` (``ahead × jobs``) parts are read ahead of the first one not
    yet given back. ``stall`` (:data:`STALL_SECONDS`): seconds a worker may hold a part.
    ``tries`` (:data:`MAX_TRIES`): workers a part may cost before ``lost`` answers it. ``note(pid,
    idx, reason)``: told of every worker lost and every part whose work raised, as it happens.
    ``env``: variables the fresh workers get unless the environment sets them. ``local(part)``:
    this process answers parts too, on a thread (:func:`_local`), beside the ``jobs`` workers
    (``jobs`` may then be 1) — given a part when the workers are busy or still starting; ``local``
    must not run at the same time as ``work`` or ``lost`` (the caller's lock), and a part it holds
    is never given up for its time (``stall``): it is this process's. Close the iterator
    (``contextlib.closing``) to stop the workers early: a part the thread is answering is finished
    (waited for up to :data:`STOP_SECONDS`) and its answer dropped. ``started`` (``start="spawn"``):
    the fresh workers :func:`spawn_workers` started before the parts were there (their start-up
    under way while the caller still prepares), taken over instead of starting ``jobs`` new ones
    — stopped with the others at the end, or at once when this process answers every part."""
    here = here or (lambda part: False)
    if (jobs <= 1 and local is None) or (start == "fork" and not fork_is_safe()):
        stop_workers(started or [])
        for part in parts:
            yield part if here(part) else work(part)
        return
    from multiprocessing.connection import wait
    note = note or (lambda pid, idx, reason: None)
    workers: list[_Worker] = []
    try:
        if start == "fork":
            import multiprocessing as mp
            ctx = mp.get_context("fork")
            workers += [_forked(ctx, work) for _ in range(jobs)]
        elif start == "spawn":
            if started is not None:   # started by the caller already (spawn_workers): taken over
                workers += started
                started = None
            else:
                workers += spawn_workers(jobs, setup, env, note)
        else:
            raise ValueError(f"start: 'fork' or 'spawn', not {start!r}")
        if local is not None:   # last: a free worker process is given a part first
            workers.append(_local(local))
        yield from _drive(workers, iter(enumerate(parts)), work, lost, here, wait, note,
                          window or max(1, ahead * jobs), STALL_SECONDS if stall is None else stall,
                          MAX_TRIES if tries is None else tries)
    finally:
        _stop(workers + (started or []))


def spawn_workers(jobs: int, setup, env: dict | None = None, note=None) -> list:
    """``jobs`` fresh workers (``start="spawn"``: see :func:`in_order`) started now, each running
    ``setup()`` once; hand them to :func:`in_order` (``started=``), which drives and stops them, or
    stop them with :func:`stop_workers`. Started before the parts are read, a worker's start-up
    (its interpreter, imports, the caller's setup: ≈ 1.5 s for the columnar program) overlaps
    what the caller does meanwhile. A worker that cannot be had (``OSError``) is one fewer,
    told to ``note``."""
    note = note or (lambda pid, idx, reason: None)
    data = pickle.dumps(setup)
    environ = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    for k, v in (env or {}).items():
        environ.setdefault(k, v)
    out: list[_Worker] = []
    for _ in range(jobs):
        try:
            out.append(_spawned(data, environ))
        except OSError as e:   # no process to be had: fewer workers (none: answered here)
            note(None, None, f"{type(e).__name__}: {e}")
    return out


def stop_workers(started: list) -> None:
    """Stop workers of :func:`spawn_workers` never handed to :func:`in_order` (a starting one is
    killed at once)."""
    _stop(started)


def _drive(workers, source, work, lost, here, wait, note, window, stall, tries):
    held: dict = {}                  # idx -> [part, tries] given to a worker or waiting for one
    todo: deque = deque()            # idx waiting for a worker (given back by a lost one: first)
    done: dict = {}                  # idx -> result (or a part answered by the caller), until its turn
    next_out = read = 0
    exhausted = False

    def lose(w, reason):
        workers.remove(w)
        try:
            w.proc.kill()
        except (OSError, ValueError):
            pass
        w.proc.join(1)
        for c in {w.rd, w.wr}:
            c.close()
        note(w.proc.pid, w.idx, reason)
        if w.idx is not None:
            entry = held[w.idx]
            entry[1] += 1
            if entry[1] >= tries:
                del held[w.idx]
                done[w.idx] = lost(entry[0], reason)
            else:
                todo.appendleft(w.idx)
            w.idx = None

    def give():
        """Each idle worker takes a part given back, else the next one read."""
        for w in list(workers):
            if w.idx is not None or not w.ready:
                continue
            if not todo:
                return
            idx = todo.popleft()
            try:
                w.wr.send((idx, held[idx][0]))
            except (OSError, EOFError, ValueError):
                w.idx = idx
                lose(w, "pipe")
                continue
            w.idx, w.since = idx, time.monotonic()

    while True:
        # before the answers are given back (the caller writes them) and the next parts read:
        # a worker that has just answered is not left idle meanwhile
        give()
        while next_out in done:
            yield done.pop(next_out)
            next_out += 1
        while not exhausted and read - next_out < window:   # read ahead, within the bound
            item = next(source, None)
            if item is None:
                exhausted = True
                break
            idx, part = item
            read += 1
            if here(part):
                done[idx] = part
            else:
                held[idx] = [part, 0]
                todo.append(idx)
                give()   # an idle worker (the local thread) starts on it before the next is read
        if exhausted and next_out == read:
            return
        if next_out in done:
            continue
        if not workers:              # every worker lost: this process answers the rest
            for idx in sorted(todo):
                done[idx] = work(held.pop(idx)[0])
            todo.clear()
            while next_out in done:
                yield done.pop(next_out)
                next_out += 1
            for idx, part in source:
                yield part if here(part) else work(part)
            return
        give()
        watch = [w for w in workers if w.idx is not None or not w.ready]
        if not watch:
            continue
        ready = set(wait([w.rd for w in watch] + [w.proc.sentinel for w in watch if w.proc.sentinel is not None],
                         POLL_SECONDS))
        now = time.monotonic()
        for w in watch:
            sentinel = w.proc.sentinel is not None and w.proc.sentinel in ready
            # a worker found dead after the wait may have written its last words since (« failed »
            # and why, or an answer) then exited: read them before calling it dead
            dead = sentinel or (w.rd not in ready and not w.proc.is_alive())
            if w.rd in ready or (dead and w.rd.poll()):
                try:
                    msg = w.rd.recv()
                except (EOFError, OSError):
                    lose(w, _death(w.proc))
                    continue
                if msg[0] == "ready":
                    w.ready = True
                elif msg[0] == "failed":
                    lose(w, msg[1])
                else:
                    idx, ok, value = msg
                    part = held.pop(idx)[0]
                    w.idx = None
                    if not ok:
                        note(w.proc.pid, idx, value)
                    done[idx] = value if ok else lost(part, value)
            elif dead:
                lose(w, _death(w.proc))
            elif w.idx is not None and not w.local and now - w.since > stall:
                lose(w, f"> {stall:.0f} s")
            elif not w.ready and now - w.started > START_SECONDS:
                lose(w, f"not started > {START_SECONDS:.0f} s")


def _death(proc) -> str:
    proc.join(1)
    code = proc.exitcode
    if code is None:
        return "pipe"
    if code < 0:
        try:
            return signal.Signals(-code).name
        except ValueError:
            return str(-code)
    return f"exit code {code}"


def _stop(workers) -> None:
    """Tell every idle worker to stop and kill the busy or starting ones (their answer is not
    wanted); whatever has not ended after STOP_SECONDS is killed."""
    for w in workers:
        try:
            if w.idx is None and w.ready:
                w.wr.send(None)
            else:
                w.proc.kill()
        except (OSError, EOFError, ValueError):
            pass
    deadline = time.monotonic() + STOP_SECONDS
    for w in workers:
        w.proc.join(max(0.0, deadline - time.monotonic()))
    for w in workers:
        if w.proc.is_alive():
            w.proc.kill()
            w.proc.join(1)
        for c in {w.rd, w.wr}:
            try:
                c.close()
            except OSError:
                pass
