"""The impact of a reform over columns in one pass (``lexquery screen FILE --reform R.yaml``,
columnar engine; issue 16: « ``--reform`` costs at most 2.2× a plain screening »).

The input is read and typed once, batch by batch (:class:`lexquery.screening.columnar_frame.Reader`,
as a plain screening reads it); each batch is answered by both programs — the law in force's and
the one compiled from the reform's rule book and reference data — and by both scalar engines for
its lines read alone (:func:`lexquery.screening.columnar_pipeline.answered_rows`, what a plain
screening writes); both answers are turned into the cells the screening's CSV holds
(:func:`~lexquery.screening.columnar_pipeline.csv_cells`: neutralised, an empty cell written as
nothing) and compared at once (:func:`lexquery.screening.impact.compare_batch`), in memory. What
the former two screenings wrote to two CSV spools and read back (:func:`lexquery.screening.impact.compare_files`)
gives the same impact, change for change (tests/test_reform_one_pass.py; bench/same_impact.py).
A scalar block (cells over several lines, stray quotes) is answered by both scalar engines as a
plain screening answers it (``answer_csv``: CSV text), and that text read back as the comparison
of the files read it (polars).

Workers (``jobs`` > 1): one pool for both screenings (:class:`lexquery.screening.columnar_jobs.Pool`,
``pair``): each worker loads the knowledge base, rebuilds the reform from the bytes the main
process read (:func:`~lexquery.screening.columnar_jobs.reform_spec`), compiles both programs and
answers a batch with both; the main process answers batches too, on a thread
(``columnar_pipeline.MAIN_ANSWERS``). A batch a worker loses (it raises, dies or stalls) is
answered by the main process with both programs. A worker gives back only the batch's counts
and changes: no CSV crosses a pipe or a file.

An input the vector reader does not take (unknown or repeated columns, CR-only lines: the scalar
path) is left to the former path of two screenings (:func:`screen_pair` gives None).
"""
from __future__ import annotations

import io
import threading
import time
from contextlib import closing
from dataclasses import dataclass

import polars as pl

from .columnar_pipeline import (BlockContext, BlockOut, _Scalar, answered_rows, bound_heap, cell_plan, csv_cells,
                                load_program, may_change, more_than_one_block, reader_items)
from .impact import _KEEP, Impact, add_impact, compare_batch


@dataclass
class PairContext:
    """What answering a batch under both rule books needs: the law in force's context and the
    reform's (:class:`~lexquery.screening.columnar_pipeline.BlockContext`: their engines and
    programs; the same header, date, label and separator), and the reform's ``meta()`` (its label
    and date: the changes' words)."""
    before: BlockContext
    after: BlockContext
    reform: dict


@dataclass
class PairOut(BlockOut):
    """One batch under both rule books: the law in force's summary counts (the fields of
    :class:`~lexquery.screening.columnar_pipeline.BlockOut`), the reform's (``after``), and the
    batch's :class:`~lexquery.screening.impact.Impact` (its cases' changes and counts)."""
    after: BlockOut | None = None
    impact: Impact | None = None


def kept(out: pl.DataFrame, given: dict | None = None) -> pl.DataFrame:
    """The columns :data:`lexquery.screening.impact._KEEP` of output columns as the comparison of the
    screenings' CSV files read them back: the cells written (:func:`csv_cells`: ``id``, ``name``
    neutralised), an empty or null cell — written as nothing — read back ``""``, ``line`` as text."""
    todo = cell_plan(out, given)[0] if out.height else set()
    cells = csv_cells(out, todo, set()) if todo else out
    return cells.select(pl.col("line").cast(pl.Utf8), *[pl.col(c).fill_null("") for c in _KEEP[1:]])


def answer_pair(pctx: PairContext, frame: pl.DataFrame, fallback: list, spool: str | None = None) -> PairOut:
    """One vector batch answered under the law in force and under the reform (the rows of its lines
    read alone built once), compared: its :class:`PairOut`. A pure function of its arguments, as
    :func:`~lexquery.screening.columnar_pipeline.answer_block` (``spool``: not used — nothing is
    written)."""
    rows = [pctx.before.builder.row(r) for r in fallback]
    sides, secs = [], {}
    for name, ctx in (("current", pctx.before), ("reformed", pctx.after)):
        res, vec, results, fb, out, t, t1, t2 = answered_rows(ctx, frame, fallback, rows)
        sides.append((res, kept(out, may_change([frame, fb], ("id", "name")))))
        secs[name] = time.perf_counter() - t
    t = time.perf_counter()
    part = compare_batch(sides[0][1], sides[1][1], Impact(reform=pctx.reform))
    secs["compare"] = time.perf_counter() - t
    (b, _), (a, _) = sides
    return PairOut(read=b.read, answered=b.answered, rejected=b.rejected, rows_out=b.rows_out, by_proc=b.by_proc,
                   seconds=secs, after=a, impact=part)


def _read_back(text: str, sep: str) -> pl.DataFrame:
    """Screening CSV lines without a header (``answer_csv``'s text) as the comparison reads a
    screening's CSV file (:func:`lexquery.screening.impact.compare_files`: polars, every cell text,
    an empty cell null, a quoted cell over several lines one cell)."""
    from ..engine.screen_row import FIELDS
    if not text:
        return pl.DataFrame({k: [] for k in _KEEP}, schema={k: pl.Utf8 for k in _KEEP})
    return pl.read_csv(io.BytesIO(text.encode("utf-8")), has_header=False, new_columns=list(FIELDS),
                       infer_schema=False, empty_string_is_null=False, separator=sep,
                       encoding="utf8").select(list(_KEEP))


def scalar_pair(pctx: PairContext, records: list, sep: str):
    """Records of a scalar block answered under both rule books as a plain screening answers them
    (:func:`lexquery.screening.screen.answer_csv`), compared: both summaries' counts and the
    records' :class:`~lexquery.screening.impact.Impact`."""
    from .columnar_pipeline import scalar_ready
    from .screen import answer_csv
    counts, frames, secs = [], [], {}
    for name, ctx in (("current", pctx.before), ("reformed", pctx.after)):
        t = time.perf_counter()
        text, c = answer_csv(scalar_ready(ctx.engine), ctx.builder, records, ctx.as_of, ctx.label, sep)
        counts.append(c)
        frames.append(_read_back(text, sep))
        secs[name] = time.perf_counter() - t
    t = time.perf_counter()
    part = compare_batch(frames[0], frames[1], Impact(reform=pctx.reform))
    secs["compare"] = time.perf_counter() - t
    return counts, part, secs


def _programs(pctx: PairContext, own: bool) -> PairContext:
    """Both programs, compiled in this process the first time a batch is answered here (``own``:
    the knowledge base's own rule book, and the reform's from its engine)."""
    if pctx.before.program is None:
        pctx.before.program = load_program() if own else None
    if pctx.after.program is None:
        pctx.after.program = load_program(pctx.after.engine.book, pctx.after.engine.ref)
    return pctx


def screen_pair(path, impact: Impact, before, after, *, as_of=None, jobs: int = 1, block_bytes: int | None = None,
                progress: bool | None = None, label: str | None = None, lang: str = "fr",
                reform: dict | None = None, programs: tuple | None = None, fault=None):
    """Screen the CSV at ``path`` (a file: read once) under ``before``, the law in force's engine
    (None: the knowledge base's own, loaded here), and ``after``, the reform's
    (:meth:`lexquery.engine.reform.Reform.engine`), adding the changes to ``impact`` (its ``reform``:
    the reform's ``meta()``); both screenings' :class:`~lexquery.screening.screen.Summary`, or None
    when the vector reader does not take the input (nothing added: the caller screens it twice).

    ``reform`` (:func:`lexquery.screening.columnar_jobs.reform_spec`): the knowledge base's own
    engines — ``jobs`` > 1 then answers the batches on ``jobs`` processes (this one, on a thread,
    and ``jobs`` − 1 workers, each rebuilding the reform from the spec and compiling both programs;
    started as soon as the file is known to make more than one batch); the programs compiled here
    when this process first answers a batch. ``programs``: both programs, compiled by the caller
    (another knowledge base: one process). ``impact.seconds``: ``current`` (reading, the law in
    force's answers), ``reformed`` (the reform's answers) and ``compare``, summed over the
    processes. ``fault``: tests only, as :func:`~lexquery.screening.columnar_pipeline.screen_columnar`'s."""
    from ..budget import check as check_budget
    from ..engine.api import load_kb
    from ..screening.csv_cases import read_header
    from ..screening.csv_rows import RowBuilder
    from ..screening.csv_text import open_text
    from ..screening.screen import Progress, Summary, _chunks
    from . import columnar_pipeline as CP
    from .columnar_frame import Reader, block_bytes_for
    bound_heap()
    stream, opened_as, size = open_text(path)
    label = label or opened_as
    summaries = (Summary(source=label), Summary(source=label))
    secs = {"current": 0.0, "reformed": 0.0, "compare": 0.0}
    sep = ","
    pool = None
    own = programs is None
    parallel = jobs > 1 and own and reform is not None
    block_bytes = block_bytes_for(parallel, block_bytes)
    try:
        header, records = read_header(stream)
        builder = RowBuilder(header)
        if builder._fast is None or stream._carry or records.src.back:   # the scalar path: screened twice
            return None
        for s in summaries:
            s.unknown_columns, s.separator = header.unknown, header.separator
        bar = Progress(size, stream, progress, lang)
        t = time.perf_counter()
        reader = Reader(stream.buffer, header, header.line + 1, as_of, block_bytes)
        if stream.ansi_lines:
            reader.ansi_lines, reader.first_ansi_line = stream.ansi_lines, stream.first_ansi_line
        secs["current"] += time.perf_counter() - t
        ctxs = [BlockContext(None, None, builder, reader.known, as_of, label, sep, False) for _ in (0, 1)]
        pctx = PairContext(ctxs[0], ctxs[1], impact.reform)
        if parallel and more_than_one_block(stream.buffer, reader.block_bytes):
            from .columnar_jobs import Pool
            pool = Pool(jobs - 1 if CP.MAIN_ANSWERS else jobs, ctxs[0], fault=fault, reform=reform,
                        pair=impact.reform).start()   # their start-up beside this process's
        else:
            parallel = False
        ctxs[0].engine, ctxs[1].engine = before or load_kb(), after
        if programs is not None:
            ctxs[0].program, ctxs[1].program = programs
        elif not parallel:
            _programs(pctx, own)
        t0 = time.perf_counter()
        lock = threading.Lock()   # the programs and the scalar engines: one thread at a time
        if parallel and CP.MAIN_ANSWERS:   # its programs compiled while its first block is read
            def compile_under():
                with lock:
                    try:
                        _programs(pctx, own)
                    except Exception:   # said by the first batch answered here, which compiles again
                        pass
            threading.Thread(target=compile_under, name="lexquery-compile", daemon=True).start()

        def blocks():   # the reading (a scalar block's records included) counted as the law in force's
            return reader_items(reader, secs, "current", "current")

        def put(item):
            if isinstance(item, _Scalar):   # answered chunk by chunk: memory stays flat
                for part in _chunks(item.records, 2000):
                    check_budget()
                    with lock:
                        counts, piece, s = scalar_pair(pctx, part, sep)
                    for summary, c in zip(summaries, counts):
                        summary.add_counts(c)
                    _add(piece, s)
                    bar.update(summaries[0].read)
            else:
                for summary, res in zip(summaries, (item, item.after)):
                    summary.add_counts((res.read, res.answered, res.rejected, res.rows_out, res.by_proc))
                _add(item.impact, item.seconds)
            bar.update(summaries[0].read)

        def _add(piece, s):
            add_impact(impact, piece)
            for k, v in s.items():
                secs[k] += v

        if parallel:
            def answer_here(batch, spool=None):
                with lock:
                    return answer_pair(_programs(pctx, own), *batch)
            with closing(pool.answer(blocks(), answer_here, lambda item: isinstance(item, _Scalar),
                                     local=answer_here if CP.MAIN_ANSWERS else None)) as answered:
                for item in answered:
                    put(item)
        else:
            for item in blocks():
                put(item if isinstance(item, _Scalar) else answer_pair(pctx, *item))
        for s in summaries:
            s.lines, s.spanning = reader.lines, reader.spanning
            s.spanning_lines, s.split = reader.extra_lines, reader.split
            s.ansi_lines, s.first_ansi_line = reader.ansi_lines, reader.first_ansi_line
        bar.update(summaries[0].read, force=True)
        bar.done()
    finally:
        if pool is not None:
            pool.close()
        stream.close()
    for s in summaries:
        s.seconds = time.perf_counter() - t0
    for k, v in secs.items():
        impact.seconds[k] = impact.seconds.get(k, 0.0) + v
    return summaries
