"""Worker processes for the columnar screening (issue 16): the batches of the frame answered on
every core, written in input order, none lost.

- **Start**: a fresh interpreter (``python -c``, :mod:`subprocess`), never ``fork``: the main
  process has already imported polars and numpy, whose thread pools a forked child inherits locked —
  polars documents the deadlock (« Multiprocessing », user guide), and a fork pool of the project
  hangs intermittently. Not :mod:`multiprocessing`'s ``spawn`` either: it runs the main script
  again in each child (a script without the ``if __name__ == "__main__"`` guard would screen again
  there). The worker talks to the main process over two pipes
  (:class:`multiprocessing.connection.Connection`, pickled messages); it imports lexquery, loads
  the knowledge base and compiles the program of the rules once (``columnar.program.compile_book``),
  then answers batches one at a time. Its death closes its pipe: the main process sees it at once.
- **Work**: a worker receives a batch (the typed frame and the lines read alone by the scalar
  reader) and returns :class:`~lexquery.screening.columnar_pipeline.BlockOut` — the batch's CSV
  bytes (or JSON objects) and its counts — by the same function the main process uses
  (:func:`~lexquery.screening.columnar_pipeline.answer_block`): the same bytes.
- **Order and memory**: batches are numbered as read; the main process writes batch *k* only
  after *k − 1*, and reads no further than ``jobs + 2`` batches ahead of the last written, so memory
  stays flat with the file whatever the order in which the workers finish.
- **Failures**: a batch whose worker raises, dies (its process sentinel, checked at every wait) or
  does not answer within :data:`BATCH_TIMEOUT` seconds (the worker is then stopped) is answered by
  the main process (the compiled program, compiled there the first time it is needed; the scalar
  engine if the program fails, as on one process): never lost, never a hang. A dead or stopped
  worker is not replaced; with none left, the main process answers the rest.
"""
from __future__ import annotations

import os
import pickle
import subprocess
import sys
import time
from collections import deque
from multiprocessing.connection import Connection, wait

BATCH_TIMEOUT = float(os.environ.get("LEXQUERY_BATCH_TIMEOUT", "600"))
"""Seconds a worker may take over one batch (≈ 10,000 rows: about 1.2 s of CPU on this machine,
so far above any load) before its batch is answered by the main process and the worker stopped."""
START_TIMEOUT = float(os.environ.get("LEXQUERY_WORKER_START_TIMEOUT", "300"))
"""Seconds a worker may take to start (imports, knowledge base, compilation: ≈ 1 s) before it is
given up and its batch answered by the main process."""
WORKER_ERRORS: list[str] = []
"""The last failures of workers (their batches answered by the main process) — for the tests and
the benchmark, which report them."""


def _note(msg: str):
    WORKER_ERRORS.append(msg)
    del WORKER_ERRORS[:-20]


# --- the worker's side ------------------------------------------------------------------------
def child_main(fd_in: int, fd_out: int):
    """The worker process's entry (``python -c``): the main process's ``sys.path`` first (so that
    what it sends — a test's ``fault`` function — can be unpickled), then :func:`worker_main`."""
    rd, wr = Connection(fd_in, writable=False), Connection(fd_out, readable=False)
    try:
        sys.path[:] = rd.recv()
        init = pickle.loads(rd.recv_bytes())
    except (EOFError, OSError, KeyboardInterrupt):
        return
    except Exception as e:   # what the main process sent cannot be read here
        wr.send(("failed", f"{type(e).__name__}: {e}"))
        return
    worker_main(rd, wr, init)


def worker_main(rd, wr, init: dict):
    """A worker: compile once, then answer batches ``(seq, frame, fallback)`` until ``None``;
    sends ``("ready",)`` once started, then ``(seq, "ok", BlockOut)`` or ``(seq, "error", text)``."""
    try:
        from ..engine.api import load_kb
        from .columnar_pipeline import BlockContext, answer_block, bound_heap, load_program
        bound_heap()
        engine = load_kb()
        if hasattr(engine, "prepare_batch"):
            engine.prepare_batch()
        program = None if init["reference"] else load_program()
        ctx = BlockContext(engine, program, init["builder"], init["known"], init["as_of"], init["label"],
                           init["sep"], init["as_json"])
        fault = init.get("fault")
        wr.send(("ready",))
        while True:
            msg = rd.recv()
            if msg is None:
                return
            seq, frame, fallback = msg
            try:
                if fault is not None:
                    fault(frame)
                res = answer_block(ctx, frame, fallback)
            except Exception as e:   # the main process answers this batch
                wr.send((seq, "error", f"{type(e).__name__}: {e}"))
                continue
            wr.send((seq, "ok", res))
    except (KeyboardInterrupt, EOFError, BrokenPipeError):   # interrupted, or the main process is gone
        return
    except Exception as e:   # could not start (imports, knowledge base): the main process answers
        try:
            wr.send(("failed", f"{type(e).__name__}: {e}"))
        except (OSError, ValueError):
            pass


# --- the main process's side ----------------------------------------------------------------------
class _Worker:
    """One worker process and its two pipes (``rd``: its answers; ``wr``: the batches)."""

    def __init__(self, init_bytes: bytes):
        c_in, p_out = os.pipe()    # main → worker
        p_in, c_out = os.pipe()    # worker → main
        code = ("import sys; from lexquery.screening.columnar_jobs import child_main; "
                "child_main(int(sys.argv[1]), int(sys.argv[2]))")
        try:
            env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
            # one polars thread a worker (unless asked otherwise): N workers already fill N cores
            env.setdefault("POLARS_MAX_THREADS", "1")
            self.proc = subprocess.Popen([sys.executable, "-c", code, str(c_in), str(c_out)],
                                         pass_fds=(c_in, c_out), stdin=subprocess.DEVNULL,
                                         stdout=subprocess.DEVNULL, env=env)   # the answers go to standard output: never a worker's byte
        finally:
            os.close(c_in)
            os.close(c_out)
        self.rd = Connection(p_in, writable=False)
        self.wr = Connection(p_out, readable=False)
        self.ready = False
        self.started = time.monotonic()
        self.task = None          # seq of the batch it answers
        self.since = 0.0          # when it was given it
        try:
            self.wr.send(list(sys.path))
            self.wr.send_bytes(init_bytes)
        except OSError:   # already gone: seen as dead at the first wait
            pass


class Pool:
    """``jobs`` worker processes, each answering one batch at a time."""

    def __init__(self, jobs: int, bctx, reference: bool = False, fault=None):
        init = {"builder": bctx.builder, "known": list(bctx.known), "as_of": bctx.as_of, "label": bctx.label,
                "sep": bctx.sep, "as_json": bctx.as_json, "reference": reference, "fault": fault}
        data = pickle.dumps(init)
        self.jobs = jobs
        self.workers = [_Worker(data) for _ in range(jobs)]

    def idle(self):
        """The started workers without a batch (a batch is sent only to a worker reading its pipe:
        the main process does not wait on a worker still compiling)."""
        return [w for w in self.workers if w.ready and w.task is None]

    def give(self, w: _Worker, seq: int, frame, fallback) -> bool:
        try:
            w.wr.send((seq, frame, fallback))
        except (OSError, ValueError) as e:   # its end of the pipe is gone: the worker is dead
            _note(f"worker {w.proc.pid}: {type(e).__name__}: {e}")
            self._drop(w)
            return False
        w.task, w.since = seq, time.monotonic()
        return True

    def wait(self, timeout: float):
        """The answers that came within ``timeout`` seconds: ``(seq, BlockOut | None)``, None for
        a batch the main process must answer (its worker raised, died or took too long)."""
        got = []
        if not self.workers:
            return got
        conns = {w.rd: w for w in self.workers}
        for r in wait(list(conns), timeout):
            w = conns[r]
            if w not in self.workers:
                continue
            try:
                msg = r.recv()
            except (EOFError, OSError) as e:   # its pipe closed: the worker is gone (or going)
                try:
                    code = w.proc.wait(2)
                except subprocess.TimeoutExpired:
                    code = None
                got += self._lost(w, f"exit code {code}" if code is not None else f"{type(e).__name__}: {e}")
                continue
            if msg[0] == "ready":
                w.ready = True
                continue
            if msg[0] == "failed":
                got += self._lost(w, msg[1])
                continue
            seq, status, res = msg
            w.task = None
            if status != "ok":
                _note(f"worker {w.proc.pid}, batch {seq}: {res}")
                res = None
            got.append((seq, res))
        now = time.monotonic()
        for w in list(self.workers):
            if w.task is not None and now - w.since > BATCH_TIMEOUT:
                got += self._lost(w, f"no answer after {BATCH_TIMEOUT:.0f} s")
            elif not w.ready and now - w.started > START_TIMEOUT:
                got += self._lost(w, f"not started after {START_TIMEOUT:.0f} s")
        return got

    def _lost(self, w: _Worker, why: str):
        _note(f"worker {w.proc.pid}" + (f", batch {w.task}" if w.task is not None else "") + f": {why}")
        seq = w.task
        self._drop(w)
        return [(seq, None)] if seq is not None else []

    def _drop(self, w: _Worker):
        if w in self.workers:
            self.workers.remove(w)
        w.task = None
        for c in (w.rd, w.wr):
            try:
                c.close()
            except OSError:
                pass
        if w.proc.poll() is None:
            w.proc.kill()
        try:
            w.proc.wait(5)
        except subprocess.TimeoutExpired:   # pragma: no cover - killed, reaped by the system later
            pass

    def close(self):
        """Stop every worker (the end of the input, or the main process's own failure)."""
        for w in self.workers:
            try:
                if w.task is None:
                    w.wr.send(None)
                else:   # stopped midway (an error, ^C): its answer is not wanted
                    w.proc.kill()
            except (OSError, ValueError):
                pass
        deadline = time.monotonic() + 5
        for w in list(self.workers):
            try:
                w.proc.wait(max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
            self._drop(w)


def run_ordered(pool: Pool, items, bctx, put, parent_program):
    """Give the vector batches of ``items`` to the pool's workers, and ``put`` every item in input
    order: a batch's :class:`BlockOut` as it comes back (or answered here if its worker failed), any
    other item (a scalar block already answered) as it is. At most ``jobs + 2`` items are held."""
    from .columnar_pipeline import answer_block
    limit = pool.jobs + 2
    held: dict = {}      # seq -> BlockOut | item already answered
    todo: deque = deque()  # (seq, block) not given to a worker yet
    blocks: dict = {}     # seq -> block, while a worker has it (answered here if it fails)
    items = iter(items)
    nxt = done = 0
    more = True

    def local(seq):
        block = blocks.pop(seq)
        held[seq] = answer_block(parent_program(), block.frame, block.fallback)

    while True:
        while more and nxt - done < limit:   # read ahead, within the bound
            item = next(items, None)
            if item is None:
                more = False
                break
            if hasattr(item, "frame"):
                todo.append((nxt, item))
            else:
                held[nxt] = item
            nxt += 1
        for w in pool.idle():
            if not todo or not pool.workers:
                break
            seq, block = todo.popleft()
            blocks[seq] = block
            if not pool.give(w, seq, block.frame, block.fallback):
                todo.appendleft((seq, blocks.pop(seq)))
        if not pool.workers:   # every worker gone: the main process answers the rest
            while todo:
                seq, block = todo.popleft()
                blocks[seq] = block
                local(seq)
            for seq in list(blocks):
                local(seq)
        while done in held:
            put(held.pop(done))
            done += 1
        if not more and done == nxt:
            return
        if done in held or (not pool.workers and not blocks):
            continue
        for seq, res in pool.wait(0.5 if pool.workers else 0):
            if res is None:
                local(seq)
            else:
                blocks.pop(seq, None)
                held[seq] = res
