"""The columnar screening's batches on worker processes (issue 16): what is columnar in it — the
worker's setup and its batch function, the failures' notes. The processes, the order, the bound
and the failures are :func:`lexquery.workers.in_order`'s (the scalar engine's and validation's
too), started with ``start="spawn"``.

- **Start**: a fresh interpreter, never ``fork``: the main process has already imported polars and
  numpy, whose thread pools a forked child inherits locked (polars documents the deadlock,
  « Multiprocessing », user guide). Each worker loads the knowledge base and compiles the program
  of the rules once (:func:`setup`, ``columnar.program.compile_book``), with one polars thread
  unless ``POLARS_MAX_THREADS`` says otherwise (N workers already fill N cores). The workers start
  as soon as the input is known to make more than one batch (:meth:`Pool.start`): for a regular
  file with more than a block's bytes after its header, before the main process loads its own
  knowledge base and reads its first block, so that the worker's start-up (≈ 1 s of CPU: the
  interpreter and its imports ≈ 0.55 s, the program's compilation ≈ 0.3 s, the knowledge base
  ≈ 0.1 s) runs beside the main process's instead of after its second batch read; for a pipe,
  once a second batch is read (docs/performance.md, « The worker's early start »).
- **Work**: a worker receives a batch (the typed frame and the lines read alone by the scalar
  reader) and returns :class:`~lexquery.screening.columnar_pipeline.BlockOut` — the batch's CSV
  bytes (or JSON objects) and its counts — by the function the main process uses
  (:func:`~lexquery.screening.columnar_pipeline.answer_block`): the same bytes.
- **The main process answers too** (``columnar_pipeline.MAIN_ANSWERS``): with ``--jobs N`` there
  are N − 1 workers here and the main process answers batches on a thread between its reading and
  writing (:meth:`Pool.answer`'s ``local``; ``lexquery.workers.in_order``'s): one process fewer
  (its ≈ 80 MB of library mappings, its start-up), and the first batches answered while the
  worker starts. Its CSV lines go into a spool file as a worker's.
- **Order and memory**: batches are written in input order; the main process reads no further
  than ``jobs + 2`` batches ahead of the last written (``jobs``: the workers, and the main
  process's thread; a scalar block counts: it is answered by the main process when its turn to
  be written comes).
- **Spool** (CSV output): a worker writes a batch's CSV lines (≈ 1.8 KB a case: ≈ 19 MB for a 2 MB
  block) straight into a file of its own in a private directory of the main process
  (``tempfile.mkdtemp``, under ``TMPDIR``; :class:`Pool`), a few thousand rows at a time
  (:func:`~lexquery.screening.columnar_pipeline.spool_csv`: the batch's bytes are never whole in
  the worker either), and returns its path and size; the main process copies it to
  the output 1 MiB at a time when its turn comes (:func:`~lexquery.screening.columnar_pipeline.emit_file`)
  and removes it. Before, the bytes crossed the pipe pickled: a copy in the worker (the pickle)
  and two in the main process (the message, the unpickled bytes), and the main process held up
  to ``jobs + 2`` batches' bytes waiting for their turn. A file is read only after its worker's
  answer, whose size it must have: a worker that dies or fails while writing leaves a file no
  one reads (its batch answered by the main process; a failed write is removed by the worker);
  a file gone or of another size when its turn comes (the directory emptied by someone else) is
  noted and its batch answered by the main process; a file is opened before its bytes are
  written, so nothing is half-written. The directory is removed when the screening ends, however
  it ends. At most ``jobs + 2`` batches' files exist at once. JSON output crosses the pipe as before.
  Measured (docs/performance.md, « Memory of screen -j 2 »): 1,000,000 synthetic rows, the three
  processes' peaks 816-830 → 773 MB together, CPU unchanged (83.1-87.6 → 83.9 s); written straight
  into the file (and the ids kept compactly, :mod:`~lexquery.screening.columnar_ids`): a worker's
  peak is its program's, 747-774 → 646-672 MB together, the summed PSS 523-530 → 475-485 MB
  (« Memory of screen -j 2, continued »).
- **Failures**: a batch whose worker raises, dies or does not answer within :data:`BATCH_TIMEOUT`
  seconds (the worker is then killed) is answered by the main process at once (``tries=1``: the
  compiled program, compiled there the first time it is needed; the scalar engine if the program
  fails, as on one process): never lost, never a hang. A dead or stopped worker is not replaced;
  with none left, the main process answers the rest. Each failure is noted in
  :data:`WORKER_ERRORS`.
"""
from __future__ import annotations

import itertools
import os
import shutil
import tempfile
from collections import deque
from contextlib import closing
from functools import partial

BATCH_TIMEOUT = float(os.environ.get("LEXQUERY_BATCH_TIMEOUT", "600"))
"""Seconds a worker may take over one batch (≈ 10,000 rows: about 1.2 s of CPU on this machine,
so far above any load) before its batch is answered by the main process and the worker stopped."""
_ENV = {"POLARS_MAX_THREADS": "1"}
"""What a worker's environment gets unless it says otherwise (N workers already fill N cores)."""
WORKER_ERRORS: list[str] = []
"""The last failures of workers (their batches answered by the main process) — for the tests and
the benchmark, which report them."""


def _note(pid, seq, reason: str):
    if reason.startswith("> "):   # lexquery.workers' words for a worker past its time
        reason = f"no answer after {reason[2:]}"
    elif reason.startswith("not started > "):
        reason = f"not started after {reason[len('not started > '):]}"
    WORKER_ERRORS.append((f"worker {pid}" if pid is not None else "worker")
                         + (f", batch {seq}" if seq is not None else "") + f": {reason}")
    del WORKER_ERRORS[:-20]


def setup(init: dict):
    """In a fresh worker, once: the knowledge base loaded, the program compiled (``init``: the
    header's row builder and known columns, the date, the label, the separator, JSON or CSV, the
    reference middle or the program, a test's ``fault``; ``reform``: :func:`reform_spec` of the
    reform screened under — its engine rebuilt and the program compiled from its rule book; with
    ``pair``, both engines and both programs, a batch answered under both and compared:
    :func:`lexquery.screening.columnar_impact.answer_pair`); what answers a batch ``(frame, fallback)`` there. ``fault(frame)``, tests only, is called before each batch (to make it raise or die)."""
    from ..engine.api import load_kb
    from .columnar_pipeline import BlockContext, answer_block, bound_heap, load_program
    bound_heap()
    engine = load_kb()
    spec = init.get("reform")
    fault = init.get("fault")
    if init.get("pair") is not None:   # both screenings of an impact: both engines, both programs
        from .columnar_impact import PairContext, answer_pair
        after = reformed_engine(spec, engine)
        pctx = PairContext(*(BlockContext(e, load_program(e.book, e.ref) if e is after else load_program(),
                                          init["builder"], init["known"], init["as_of"], init["label"],
                                          init["sep"], init["as_json"]) for e in (engine, after)), init["pair"])

        def answer_both(batch):
            frame, fallback = batch
            if fault is not None:
                fault(frame)
            return answer_pair(pctx, frame, fallback)
        return answer_both
    if spec is not None:   # the reformed screening: its engine, and below its program, not the law in force's
        engine = reformed_engine(spec, engine)
    program = None if init["reference"] else load_program() if spec is None else load_program(engine.book, engine.ref)
    ctx = BlockContext(engine, program, init["builder"], init["known"], init["as_of"], init["label"],
                       init["sep"], init["as_json"])
    spool = init.get("spool")
    done = itertools.count()

    def answer(batch):
        frame, fallback = batch
        if fault is not None:
            fault(frame)
        return answer_block(ctx, frame, fallback,
                            os.path.join(spool, f"{os.getpid()}-{next(done)}.csv") if spool else None)
    return answer


def reform_spec(reform) -> dict:
    """What a worker rebuilds a reform from (:class:`lexquery.engine.reform.Reform`, loaded and
    checked by the main process): its file's name and bytes as read there, and its digest (rule
    book of the law in force + file), which the worker's rebuilt reform must have."""
    return {"file": reform.file, "raw": reform.raw, "digest": reform.digest}


def reformed_engine(spec: dict, base):
    """In a worker: the engine of the reform of ``spec`` (:func:`reform_spec`) over ``base``, the
    knowledge base loaded there (citations not checked again: the main process did). A digest
    other than the main process's (another rule book) stops the worker's start: its batches are
    then answered by the main process, with the reformed program."""
    from ..engine.reform import load_reform
    r = load_reform(spec["file"], base.book, base.ref, check_citations=False, raw=spec["raw"])
    if r.digest != spec["digest"]:
        raise RuntimeError(f"réforme {spec['file']} : livre de règles autre que celui du processus principal")
    return r.engine(base)


class Pool:
    """The columnar workers of one screening: ``jobs`` fresh interpreters, each set up by
    :func:`setup` with the header's row builder and known columns, the date, the label, the
    separator, JSON or CSV (``bctx``: the pipeline's ``BlockContext``), the reference middle or the
    program, a test's ``fault``, the reform screened under (``reform``: :func:`reform_spec`; None:
    the law in force); ``pair`` (the reform's ``meta()``): both screenings of the impact of
    ``reform`` in one pass (:mod:`lexquery.screening.columnar_impact`) — each worker compiles both
    programs and gives back a batch's counts and changes (no spool). Built only when the workers are wanted (an input of more than one batch);
    they start with :meth:`start` — as soon as that is known, before the first batch is read (see
    the module's docstring, « Start ») — or else with :meth:`answer`; either makes the spool
    directory of CSV output (see the module's docstring). :meth:`close` (``with``) stops them
    and removes it, however the screening ends."""

    def __init__(self, jobs: int, bctx, reference: bool = False, fault=None, reform: dict | None = None,
                 pair: dict | None = None):
        self.jobs = jobs
        self.init = {"builder": bctx.builder, "known": list(bctx.known), "as_of": bctx.as_of,
                     "label": bctx.label, "sep": bctx.sep, "as_json": bctx.as_json,
                     "reference": reference, "fault": fault, "reform": reform, "pair": pair}
        self.spool: str | None = None
        self.started: list | None = None   # lexquery.workers.spawn_workers's, until answer takes them

    def _setup(self):
        return partial(setup, dict(self.init, spool=self.spool))

    def start(self) -> "Pool":
        """The spool directory made (CSV output) and the workers started now: their interpreters,
        knowledge base and program under way while this process loads its own and reads."""
        from ..workers import spawn_workers
        if self.started is None:
            if not self.init["as_json"] and self.init["pair"] is None and self.spool is None:
                self.spool = tempfile.mkdtemp(prefix="lexquery-spool-")
            self.started = spawn_workers(self.jobs, self._setup(), _ENV, _note)
        return self

    def close(self) -> None:
        """The workers stopped (those :meth:`answer` drove are already), the spool directory removed."""
        from ..workers import stop_workers
        started, self.started = self.started, None
        try:
            if started:
                stop_workers(started)
        finally:
            if self.spool is not None:
                shutil.rmtree(self.spool, ignore_errors=True)
                self.spool = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def answer(self, items, answer_here, here, local=None):
        """The items in input order, each vector batch ``(frame, fallback)`` as its
        :class:`BlockOut` — answered by a worker (CSV: its bytes in a spool file, which
        ``put_block`` copies and removes), or by ``answer_here(batch)`` when its worker failed or
        none is left — and each item for which ``here(item)`` is true as it is (a scalar block,
        answered by the caller). ``local(batch, spool)``: this process answers batches too, on a
        thread beside the workers (``lexquery.workers.in_order``'s ``local``), its CSV lines
        written into a spool file of its own as a worker's (``spool``: the path; None for JSON
        output), so that the thread, not the main one, formats them. Close it
        (``contextlib.closing``) to stop the workers; the spool directory goes with them."""
        from ..workers import in_order
        from .columnar_pipeline import BlockOut
        self.start()
        spool, started = self.spool, self.started
        batches: deque = deque()   # the vector batches sent, until their answer is given back

        def sent():
            for item in items:
                if not here(item):
                    batches.append(item)
                yield item
        here_too = None
        if local is not None:
            seq = itertools.count()

            def here_too(batch):
                return local(batch, os.path.join(spool, f"main-{next(seq)}.csv") if spool else None)
        try:
            answered = in_order(sent(), answer_here, self.jobs, lambda batch, reason: answer_here(batch),
                                start="spawn", setup=self._setup(), here=here,
                                window=self.jobs + (local is not None) + 2, stall=BATCH_TIMEOUT, tries=1,
                                note=_note, env=_ENV, local=here_too, started=started)
            with closing(answered):
                for res in answered:
                    if isinstance(res, BlockOut):
                        batch = batches.popleft()
                        if res.spool:
                            res = _claim(res, batch, answer_here)
                    yield res
        finally:
            self.close()


def _claim(res, batch, answer_here):
    """The spool file of a worker's answer opened (its bytes then held by this process whatever
    happens to the directory), of the size the worker gave; a file gone or of another size (the
    directory emptied under the screening): noted, and the batch answered by the main process."""
    try:
        f = open(res.spool, "rb")
    except OSError as e:
        reason = f"{type(e).__name__}: {e}"
    else:
        size = os.fstat(f.fileno()).st_size
        if size == res.spool_size:
            res.spool_file = f
            return res
        f.close()
        reason = f"{size} bytes instead of {res.spool_size}"
    _note(None, None, f"spool file {os.path.basename(res.spool)}: {reason}")
    return answer_here(batch)
