"""The batch screening as one pipeline (issue 16, item 2): read in batches → typed columns →
program → output columns → CSV, with the rows the vector reader cannot take exactly handed to the
scalar engine and spliced back by line, so that every byte of the output, and every count of the
summary, is the scalar path's (``lexquery screen --engine scalar``; docs/screening-csv.md,
« Moteur »; tests/test_columnar_pipeline.py compares whole files byte for byte).

- Reading: :class:`lexquery.screening.columnar_frame.Reader` (blocks of bytes, ids unique in the file,
  the scalar reader's counters carried on).
- Middle: the compiled program of the rules (``lexquery.columnar.program``, columnar-core) when it
  is there; else :func:`reference_middle`, the scalar engine asked row by row from the typed frame
  (for testing the reading and the writing on their own — no faster than the scalar path).
- Fallback: a line read alone by the scalar reader is answered as ``--engine scalar`` answers it
  (:func:`lexquery.screening.screen.answer_one`: an error row with its message, or its answer).
- Writing: the output columns, formula cells neutralised (OWASP, :mod:`lexquery.csvsafe`: the
  same rule written over columns, :func:`neutral_expr`), written by polars with minimal quoting,
  the input's separator (or ``--separator``), LF line ends — what Python's ``csv.writer`` writes.
"""
from __future__ import annotations

import io
import itertools
from contextlib import closing
import os
import shutil
import threading
import time
from dataclasses import dataclass, field
from datetime import date

import polars as pl

from ..csvsafe import TRIGGERS
from ..engine.screen_row import FIELDS, procedure_cells
from ..screening.screen import _chunks, _csv_cell, _iso, answer_one, answer_csv

OUT_SCHEMA = {k: (pl.Int64 if k == "line" else pl.Utf8) for k in FIELDS}
PROGRAM_ERRORS: list[str] = []
"""The last failures of the compiled program (its batch then answered by the scalar engine, row
by row: same bytes, slower) — for the tests and the benchmark, which report them."""


_MALLOC_SET = False
M_MMAP_THRESHOLD = -3   # glibc malloc.h
MMAP_THRESHOLD = 1024 * 1024


def bound_heap():
    """Ask glibc's malloc to give the large arrays of a batch (1 MiB and more) their own
    mappings, returned to the system when freed (``mallopt(M_MMAP_THRESHOLD)``, glibc malloc(3)):
    by default the threshold rises after the first frees (up to 32 MiB) and the next batches'
    arrays land on a heap that fragments, so the peak crept up with the number of batches
    (60,000 synthetic rows: 408 MB → 340 MB, CPU 8.07 → 7.92 s user+sys; at 64 KiB: 327 MB but
    +8 % CPU, the page faults of fresh mappings). Once per process; glibc only."""
    global _MALLOC_SET
    if _MALLOC_SET:
        return
    _MALLOC_SET = True
    try:
        import ctypes
        libc = ctypes.CDLL(None)   # the process's own symbols
        if hasattr(libc, "gnu_get_libc_version"):   # glibc
            libc.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)
    except (OSError, AttributeError, TypeError):   # another C library (musl, macOS, Windows): left as it is
        pass


def load_program(book=None, ref=None):
    """The compiled program of the rules (columnar-core), or None while it does not exist;
    ``book`` and ``ref``: another rule book and its reference data (a reform's)."""
    try:
        from ..columnar.program import compile_book
    except ImportError:
        return None
    return compile_book(book, ref)


def scalar_ready(engine):
    """``engine``, its rules' expressions compiled to Python source for answering rows one by one
    (``Engine.prepare_batch``: same answers, idempotent), done when the scalar engine is first asked
    here — not at start-up: a screening whose rows the program answers never asks it, and a
    process saves that compilation (≈ 0.05 s CPU; docs/performance.md « Leaner start-up »)."""
    if hasattr(engine, "prepare_batch"):
        engine.prepare_batch()
    return engine


# --- the reference middle -------------------------------------------------------------------
def reference_middle(engine, frame: pl.DataFrame, columns) -> pl.DataFrame:
    """The output columns of the frame's rows, the scalar engine asked row by row from the typed
    columns (:func:`lexquery.screening.columnar_frame.case_of`): what the compiled program must give."""
    from .columnar_frame import case_of
    scalar_ready(engine)
    out = {k: [] for k in FIELDS}
    app = [out[k].append for k in FIELDS]
    for row in frame.iter_rows(named=True):
        case = case_of(row, columns)
        case["__normalised__"] = True
        try:
            ans = engine.ask(case, None, explain=False)
        except Exception as e:  # pragma: no cover - as the scalar path: an error row
            cells = [row["line"], row["id"], None, _iso(row["as_of"]), None, None, "error", None, None, None,
                     "", "", "", "", f"erreur interne : {type(e).__name__}: {e}", "", ""]
            for a, v in zip(app, cells):
                a(v)
            continue
        line, cid, name, a_of = row["line"], row["id"], ans.name, _iso(ans.as_of)
        for p in ans.procedures:
            for a, v in zip(app, procedure_cells(line, cid, name, a_of, p)):
                a(v)
    return pl.DataFrame(out, schema=OUT_SCHEMA)


def middle(program, engine, frame: pl.DataFrame, columns) -> pl.DataFrame:
    """The output columns of the frame's rows: the program's, and the scalar engine's for the rows
    the program hands back (``Program.fallback``: positions in the frame, e.g. dated under the
    2029 code) if it did not answer them in place itself, spliced by line; the reference middle
    alone without a program."""
    if program is None:
        return reference_middle(engine, frame, columns)
    try:
        vec = program.run(frame).with_columns(pl.col("line").cast(pl.Int64))
    except Exception as e:  # a defect of the program must not stop the batch: the scalar engine answers
        PROGRAM_ERRORS.append(f"{type(e).__name__}: {e}")
        del PROGRAM_ERRORS[:-20]
        return reference_middle(engine, frame, columns)
    back = getattr(program, "fallback", None)
    if back is not None and len(back):   # answered here unless the program already answered them in place
        have = set(vec.get_column("line").unique().to_list())
        lines = frame.get_column("line").to_list()
        missing = [int(i) for i in back if lines[int(i)] not in have]
        if missing:
            ref = reference_middle(engine, frame[missing], columns)
            vec = pl.concat([vec, ref]).sort("line", maintain_order=True)
    return vec


def results_frame(results) -> pl.DataFrame:
    """The output columns of scalar answers (:class:`~lexquery.screening.screen.CaseResult`), as
    text cells before neutralisation (what ``_csv_cell`` gives)."""
    out = {k: [] for k in FIELDS}
    for r in results:
        for row in r.rows:
            for k in FIELDS:
                v = row[k]
                out[k].append(v if k == "line" else (None if v is None else str(_csv_cell(v))))
    return pl.DataFrame(out, schema=OUT_SCHEMA)


# --- writing ----------------------------------------------------------------------------------
def neutral_expr(col: str) -> pl.Expr:
    """:func:`lexquery.csvsafe.neutral` over a column: CR / CRLF inside a cell written LF, and a
    leading ``'`` before a cell a spreadsheet would run as a formula."""
    e = pl.col(col)
    has_cr = e.str.contains("\r", literal=True)
    lf = e.str.replace_all("\r\n", "\n", literal=True).str.replace_all("\r", "\n", literal=True)
    v = pl.when(has_cr).then(lf).otherwise(e)
    trig = pl.when(has_cr).then(v.str.contains(r"^[=+\-@\t\n]")).otherwise(v.str.contains(r"^[=+\-@\t]"))
    return pl.when(trig.fill_null(False)).then(pl.lit("'") + v).otherwise(v).alias(col)


def csv_text(out: pl.DataFrame, sep: str, given: dict | None = None) -> str:
    """The CSV lines of output columns (no header), as the scalar path writes them (``given``:
    :func:`cell_plan`'s)."""
    return csv_bytes(out, sep, given).decode("utf-8")


_NEUTRAL = ("id", "name", "message")
"""The output columns whose cells come from the input or a message (neutralised, :func:`neutral_expr`)."""
_TRIGGERS = list(TRIGGERS)
"""The first characters of a cell :func:`neutral_expr` may change (:data:`lexquery.csvsafe.TRIGGERS`;
a cell with a CR anywhere is looked for apart)."""


def _may_change(c: str) -> pl.Expr:
    """Whether a cell of the column ``c`` has a CR or begins with a character of :data:`_TRIGGERS`
    (one of those :func:`neutral_expr` may change), over the column."""
    return (pl.col(c).str.slice(0, 1).is_in(_TRIGGERS) | pl.col(c).str.contains("\r", literal=True)).any()


def may_change(frames: list, cols) -> dict:
    """Per column of ``cols``, whether a cell of it in one of ``frames`` is one :func:`neutral_expr`
    may change: looked for in the cells an output column is made of — the input's ``id`` and
    ``name``, once per case, not once per output row (≈ 5 a case) — for :func:`cell_plan`'s
    ``given``. A column that a frame with rows does not hold as text is left out (not known:
    :func:`cell_plan` looks for it in the output)."""
    live = [f for f in frames if f.height]
    known = [c for c in cols if all(c in f.columns and f.schema[c] == pl.Utf8 for f in live)]
    out = {c: False for c in known}
    for f in live if known else ():
        for c, m in zip(known, f.select([_may_change(c).alias(c) for c in known]).row(0)):
            out[c] = out[c] or bool(m)
    return out


def cell_plan(out: pl.DataFrame, given: dict | None = None) -> tuple:
    """What :func:`csv_cells` must change in the output columns, looked for over the whole batch
    in one query: (the columns of :data:`_NEUTRAL` that :func:`neutral_expr` may change — one of
    their cells has a CR or begins with a character of a formula or a line feed —, the columns
    with an empty cell ``""``, which the CSV writes as nothing, not ``""``). The other columns
    are written as they are: :func:`neutral_expr` would give each cell back, and a null is
    written as nothing already. An empty cell is looked for in the first :data:`WRITE_ROWS` rows
    first, then over the whole batch in the columns without one there only. ``given``: columns
    of :data:`_NEUTRAL` already known to hold no such cell (False) or maybe one (True) — their
    cells are those of the frames :func:`may_change` read (:func:`answer_block`) —, not looked
    for again."""
    given = given or {}
    look = [c for c in _NEUTRAL if c not in given]
    may = [_may_change(c).alias("n" + c) for c in look]
    # an empty cell: looked for in the first rows, then over the whole batch in the columns
    # without one there (most columns have one early: a scan of every cell saved); by length
    # (``len_bytes() == 0``: the same cells as ``== ""``, read from the offsets, no text compared)
    head = out.head(WRITE_ROWS).select([(pl.col(c).str.len_bytes() == 0).any().alias(c) for c in FIELDS[1:]]).row(0)
    rest = [c for c, e in zip(FIELDS[1:], head) if not e]
    flags = out.select(may + [(pl.col(c).str.len_bytes() == 0).any().alias("e" + c) for c in rest]).row(0) \
        if may or rest else ()
    todo = {c for c, m in zip(look, flags) if m} | {c for c, m in given.items() if m}
    return todo, {c for c, e in zip(FIELDS[1:], head) if e} | {c for c, e in zip(rest, flags[len(look):]) if e}


def csv_cells(out: pl.DataFrame, todo: set, empty=None) -> pl.DataFrame:
    """The output columns as the CSV gives them: the columns of ``todo`` neutralised
    (:func:`neutral_expr`), an empty cell written as nothing (null), not ``""`` — looked for in
    the columns of ``empty`` only (None: in every column; :func:`cell_plan`). Only those columns
    are rebuilt: the others are the frame's own."""
    cells = []
    for c in FIELDS[1:]:
        if c in todo:
            e = neutral_expr(c)
        elif empty is None or c in empty:
            e = pl.col(c)
        else:
            continue
        cells.append(pl.when(e != "").then(e).alias(c))   # empty: written as nothing (null), not ""
    return out.with_columns(cells) if cells else out


WRITE_ROWS = 4096
"""Output rows written at a time by :func:`write_csv` (≈ 1.5 MB of CSV for synthetic rows).
Measured in the screening of 100,000 synthetic cases (CPU of polars' writes, each batch written
at every size in turn): 2,048 rows 0.59–0.68 s, 4,096 0.44–0.51 s, 8,192 0.45–0.64 s, 16,384
0.52–0.56 s, 32,768 0.57–0.64 s, a whole batch (65,536) 0.75–0.82 s — larger pieces cost polars
more than the calls they save."""


def write_csv(out: pl.DataFrame, sep: str, f, given: dict | None = None) -> None:
    """The CSV lines of output columns (no header; :func:`csv_cells`) written to ``f`` (a binary
    file, or a ``BytesIO``) by polars, :data:`WRITE_ROWS` rows at a time: no copy of the columns
    but those :func:`cell_plan` names (looked for once over the whole batch, and rebuilt in one
    query over it — a query a slice of :data:`WRITE_ROWS` rows cost ≈ 3× the CPU: 0.07 s against
    0.02 s per 100,000 synthetic cases), the text never whole in memory. Minimal quoting, the
    separator ``sep``, LF line ends — what ``csv.writer`` writes. ``given``: :func:`cell_plan`'s."""
    if not out.height:
        return
    cells = csv_cells(out, *cell_plan(out, given))   # one query over the batch (not one a slice: 3× the CPU)
    try:
        for start in range(0, out.height, WRITE_ROWS):
            cells.slice(start, WRITE_ROWS).write_csv(
                f, separator=sep, include_header=False, quote_style="necessary", line_terminator="\n", null_value="")
    except OSError as e:
        raise _with_errno(e) from e


def _with_errno(e: OSError) -> OSError:
    """polars' error of a failed write (« Broken pipe (os error 32) », no ``errno``) as Python's
    own — ``OSError(32, …)`` is a :class:`BrokenPipeError`, which the command ends on quietly as
    the scalar path does, not as a read error (« fichier illisible »); a full disk (28) is an
    output error there too. Another error is given back as it is."""
    import re
    m = re.search(r"\(os error (\d+)\)", str(e)) if e.errno is None else None
    return OSError(int(m.group(1)), os.strerror(int(m.group(1)))) if m else e


def csv_bytes(out: pl.DataFrame, sep: str, given: dict | None = None) -> bytes:
    """:func:`csv_text` encoded in UTF-8 (polars writes bytes: no text to build in between;
    :func:`write_csv` into memory)."""
    if not out.height:
        return b""
    buf = io.BytesIO()
    write_csv(out, sep, buf, given)
    return buf.getvalue()


def spool_csv(out: pl.DataFrame, sep: str, path: str, given: dict | None = None) -> int:
    """The CSV lines of ``out`` (:func:`write_csv`) written straight into a new file ``path`` (a
    worker's spool file, :mod:`lexquery.screening.columnar_jobs`; created, never overwritten); its
    size in bytes. A file not written whole is removed and the error raised (a file that was
    there already is left alone: not this batch's)."""
    f = open(path, "xb")
    try:
        with f:
            write_csv(out, sep, f, given)
            size = f.tell()
    except BaseException:
        try:
            os.unlink(path)
        except OSError:
            pass
        raise
    return size


# JSON text as ``json.dumps(row, ensure_ascii=False)`` writes it (RFC 8259 § 7): the backslash and
# the quote escaped, the controls U+0000–U+001F as \n \r \t \b \f or \u00XX (lower-case hex).
_JSON_ESCAPES = [("\\", "\\\\"), ('"', '\\"'), ("\n", "\\n"), ("\r", "\\r"), ("\t", "\\t"),
                 ("\b", "\\b"), ("\f", "\\f")] + [(chr(i), f"\\u{i:04x}") for i in range(32)
                                                     if chr(i) not in "\n\r\t\b\f"]
_NEEDS_ESCAPE = r'[\x00-\x1f"\\]'
LIST_FIELDS = ("missing_facts", "sources", "routes", "deadlines", "basis", "to_verify")
"""The output columns that are lists (cells joined with « | » in CSV, arrays in JSON)."""


def _json_string(out: pl.DataFrame, col: str) -> pl.Expr:
    """The cells of ``col`` as JSON string bodies (without the quotes): escaped only if a cell of
    the column needs it (one scan; the rule files' ids and citations never do)."""
    e = pl.col(col)
    if out.get_column(col).str.contains(_NEEDS_ESCAPE).any():
        for a, b in _JSON_ESCAPES:
            e = e.str.replace_all(a, b, literal=True)
    return e


def json_objects(out: pl.DataFrame) -> list[str]:
    """The output columns (text cells before neutralisation, as :func:`csv_bytes` takes them) as the
    JSON objects the scalar path writes for each row (``outputs.JsonlWriter``: ``json.dumps`` of
    :func:`lexquery.screening.screen.answer_rows`' dict, keys in :data:`FIELDS` order): an empty
    cell is ``null`` (``[]`` for a list), ``line`` a number, ``consent_required`` true / false."""
    if not out.height:
        return []
    parts = []
    for k in FIELDS:
        parts.append(pl.lit(("{" if k == FIELDS[0] else ", ") + f'"{k}": '))
        c = pl.col(k)
        if k == "line":
            parts.append(c.cast(pl.Utf8))
        elif k == "consent_required":
            parts.append(pl.when(c.is_null() | (c == "")).then(pl.lit("null")).otherwise(c))
        elif k in LIST_FIELDS:
            body = _json_string(out, k).str.replace_all("|", '", "', literal=True)
            parts.append(pl.when(c.is_null() | (c == "")).then(pl.lit("[]"))
                         .otherwise(pl.concat_str([pl.lit('["'), body, pl.lit('"]')])))
        else:
            parts.append(pl.when(c.is_null() | (c == "")).then(pl.lit("null"))
                         .otherwise(pl.concat_str([pl.lit('"'), _json_string(out, k), pl.lit('"')])))
    parts.append(pl.lit("}"))
    return out.select(pl.concat_str(parts).alias("json")).get_column("json").to_list()


def results_json(results) -> pl.DataFrame:
    """The rows of scalar answers as (line, JSON object) — what the scalar path writes for them."""
    import json
    lines, objs = [], []
    for r in results:
        for row in r.rows:
            lines.append(row["line"])
            objs.append(json.dumps(row, ensure_ascii=False))
    return pl.DataFrame({"line": lines, "json": objs}, schema={"line": pl.Int64, "json": pl.Utf8})


def _binary_out(writer):
    """The binary layer of the writer's output, flushed, when bytes may go there as they are: a
    UTF-8 text output that does not translate line ends (a file of ``atomic_output``, standard
    output on POSIX); else None (the bytes are given as text)."""
    out = writer.out
    enc = (getattr(out, "encoding", None) or "").lower().replace("-", "").replace("_", "")
    raw = getattr(out, "buffer", None)
    if raw is not None and enc == "utf8" and os.linesep == "\n":
        writer.begin()
        out.flush()
        return raw
    return None


COPY_BYTES = 1024 * 1024
"""Bytes copied at a time from a worker's spool file to the output (:func:`emit_file`)."""


def emit_file(writer, f, size: int):
    """Give the writer the CSV lines a worker wrote to the open file ``f`` (``size`` bytes; the
    spool of :mod:`lexquery.screening.columnar_jobs`): copied :data:`COPY_BYTES` at a time to the
    binary layer of the output (:func:`_binary_out`) — the batch's bytes are never whole in this
    process —, else read whole and given as text: the same bytes either way. The file's size
    is checked before a byte is written (a batch is written whole or not at all)."""
    have = os.fstat(f.fileno()).st_size
    if have != size:
        raise RuntimeError(f"{f.name} : {have} octets au lieu de {size} (fichier d'un processus de calcul "
                           f"modifié pendant le criblage) / {have} bytes instead of {size}")
    raw = _binary_out(writer)
    if raw is None:
        writer.write_text(f.read().decode("utf-8"))
        return
    shutil.copyfileobj(f, raw, COPY_BYTES)


def emit_frame(writer, out: pl.DataFrame, sep: str, given: dict | None = None):
    """Give the writer the CSV lines of output columns (:func:`write_csv`): written by polars
    straight to the binary layer of the output (:func:`_binary_out`) — no copy of the batch's
    text in memory, ≈ 20 MB per 10,000 cases —, else as text: the same bytes as
    :func:`csv_bytes`."""
    if not out.height:
        return
    raw = _binary_out(writer)
    if raw is not None:
        write_csv(out, sep, raw, given)
    else:
        writer.write_text(csv_text(out, sep, given))


# --- one batch --------------------------------------------------------------------------------
@dataclass
class BlockOut:
    """What one batch of the frame gives: its output (CSV lines, or the JSON objects of its rows),
    the summary's counts over it, and the seconds spent (program, fallback rows, writing) — the same
    whether the main process or a worker (:mod:`lexquery.screening.columnar_jobs`) answered it. A
    worker (CSV output, a spool directory) gives its CSV lines as a file there (``spool``: its path,
    ``spool_size``: its bytes; none for a batch without rows): they do not cross the pipe pickled,
    and are never whole in the main process (:func:`emit_file`); ``spool_file``: the file, opened
    by the main process when the answer is given back in order (never pickled). Answered in the
    main process (CSV output, no ``spool``): ``frame``, its output columns, and ``sep``, written
    when its turn comes (:func:`emit_frame`), never built as bytes."""
    objs: list | None = None
    read: int = 0
    answered: int = 0
    rejected: int = 0
    rows_out: int = 0
    by_proc: dict = field(default_factory=dict)
    seconds: dict = field(default_factory=dict)
    spool: str = ""
    spool_size: int = 0
    spool_file: object = field(default=None, repr=False, compare=False)
    frame: object = field(default=None, repr=False, compare=False)
    sep: str = ","
    given: dict | None = None


@dataclass
class BlockContext:
    """What answering a batch needs: the engine (its scalar answers for the lines the vector reader
    hands back), the compiled program (None: the reference middle), the header's row builder and known
    columns, the date, the label, the separator written, JSON objects or CSV lines."""
    engine: object
    program: object
    builder: object
    known: list
    as_of: date | None
    label: str
    sep: str
    as_json: bool


MAIN_ANSWERS = True
"""With workers (``--jobs`` N ≥ 2), this process answers batches too, on a thread beside N − 1
worker processes, instead of only reading and writing beside N workers
(:func:`lexquery.workers.in_order`'s ``local``): one process fewer — its libraries mapped once
less, its start-up saved — and the batches are answered from the first, while the workers
start. False (the tests of the workers' failures): N workers, as before."""


def answered_rows(ctx: BlockContext, frame: pl.DataFrame, fallback: list, rows: list | None = None):
    """What :func:`answer_block` writes, before it is written: the batch's :class:`BlockOut` with the
    summary's counts (``read``, ``answered``, ``rejected``, ``rows_out``, ``by_proc``), the program's
    output columns (``vec``), the scalar answers of the lines read alone (``results``) and their
    output columns (``fb``), both spliced by line (``out``), and the clock at the start, after the
    program and after the lines read alone. ``rows``: those lines' rows
    (``ctx.builder.row`` of each, built once for two screenings of the batch)."""
    engine, label, as_of = ctx.engine, ctx.label, ctx.as_of
    t = time.perf_counter()
    vec = middle(ctx.program, engine, frame, ctx.known)
    t1 = time.perf_counter()
    if fallback:   # lines read alone: the scalar engine, its expressions compiled once first
        scalar_ready(engine)
    rows = rows if rows is not None else [ctx.builder.row(r) for r in fallback]
    results = [answer_one(engine, row, as_of, label) for row in rows]
    fb = results_frame(results)
    t2 = time.perf_counter()
    res = BlockOut(read=frame.height + len(results), answered=frame.height)
    for r in results:
        if r.error is None:
            res.answered += 1
        else:
            res.rejected += 1
    out = pl.concat([vec, fb]).sort("line", maintain_order=True) if fb.height else vec
    res.rows_out = out.height
    res.by_proc = counts(out)
    return res, vec, results, fb, out, t, t1, t2


def answer_block(ctx: BlockContext, frame: pl.DataFrame, fallback: list, spool: str | None = None) -> BlockOut:
    """The output of one vector batch: the frame's rows by the program (or the reference middle),
    the lines read alone (``fallback``, :class:`~lexquery.screening.csv_records.Record`) by the
    scalar engine, spliced by line, written as CSV bytes (neutralised) or JSON objects; with the
    summary's counts. A pure function of its arguments: the main process and the workers give the
    same bytes (tests/test_columnar_jobs.py). ``spool`` (a worker's, CSV output): the path of a new
    file the CSV lines are written straight into (:func:`spool_csv`; ``res.spool``, ``res.spool_size``;
    no file for a batch without rows); without it, the output columns to write (``res.frame``,
    written by :func:`put_block`: :func:`emit_frame`)."""
    res, vec, results, fb, out, t, t1, t2 = answered_rows(ctx, frame, fallback)
    if ctx.as_json:
        objs = pl.DataFrame({"line": vec.get_column("line"), "json": json_objects(vec)},
                            schema={"line": pl.Int64, "json": pl.Utf8})
        if results:
            objs = pl.concat([objs, results_json(results)]).sort("line", maintain_order=True)
        res.objs = objs.get_column("json").to_list()
    else:
        # the output's id and name are the frame's cells (the program's, the reference middle's)
        # or the lines read alone's (``fb``): what may need neutralising there is looked for in
        # those cells, once per case (cell_plan looks for the message's in the output)
        given = may_change([frame, fb], ("id", "name"))
        if spool:   # a worker's: nothing to write for a batch without rows
            if out.height:
                res.spool_size = spool_csv(out, ctx.sep, spool, given)
                res.spool = spool
        else:
            res.frame, res.sep, res.given = out, ctx.sep, given
    res.seconds = {"program": t1 - t, "fallback": t2 - t1, "write": time.perf_counter() - t2}
    return res


def counts(out: pl.DataFrame) -> dict:
    """The answered rows of output columns by (procedure, status), for the summary."""
    if not out.height:
        return {}
    return {(proc, status): n for proc, status, n in out.filter(pl.col("status") != "error").group_by(
        ["procedure", "status"]).len().iter_rows()}


def put_block(summary, writer, res: BlockOut, tm: dict):
    """Write one answered batch and add its counts to the summary (in input order)."""
    t = time.perf_counter()
    summary.add_counts((res.read, res.answered, res.rejected, res.rows_out, res.by_proc))
    if res.objs is not None:
        writer.write_objects(res.objs)
    elif res.spool:   # a worker's file (opened when it came, by columnar_jobs.Pool), then removed
        f = res.spool_file or open(res.spool, "rb")
        try:
            emit_file(writer, f, res.spool_size)
        finally:
            f.close()
        try:
            os.unlink(res.spool)
        except FileNotFoundError:
            pass
    elif res.frame is not None:
        emit_frame(writer, res.frame, res.sep, res.given)
        res.frame = None
    for k, v in res.seconds.items():
        tm[k] = tm.get(k, 0.0) + v
    tm["write"] += time.perf_counter() - t


# --- the pipeline -------------------------------------------------------------------------------
def screen_columnar(path, writer, as_of: date | None = None, engine=None, progress: bool | None = None,
                    label: str | None = None, program=None, block_bytes: int | None = None,
                    reference: bool = False, timings: dict | None = None, lang: str = "fr",
                    jobs: int = 1, fault=None, reform: dict | None = None):
    """Screen the CSV at ``path`` (``-`` = stdin) into a CSV, JSON Lines or JSON ``writer`` with
    the columnar engine; the :class:`~lexquery.screening.screen.Summary` the scalar path gives (same
    counts, same words, same bytes written). ``reference=True`` forces the reference middle even if the program exists; ``timings``
    (a dict) receives the seconds spent reading and typing (``read``), in the program (``program``),
    answering the rows handed back (``fallback``) and writing (``write``) — for the benchmark; with
    workers, ``program``, ``fallback`` and ``write`` add up the workers' seconds.

    ``jobs`` > 1: the batches are answered by that many processes — this one on a thread and
    ``jobs`` − 1 workers (:data:`MAIN_ANSWERS`; :mod:`lexquery.screening.columnar_jobs` on
    :func:`lexquery.workers.in_order`: fresh interpreters, each compiles the program once) — and
    written in input order; the main thread reads, types and writes. The workers start as soon as
    the input is known to make more than one batch (an input of one batch is answered here:
    starting a worker costs more): a regular file with more than a block's bytes after its header
    (:func:`more_than_one_block`) starts them before this process loads its knowledge base, so that
    their start-up and this process's overlap; an input of unknown size (a pipe) when a second
    batch is read. Only with the knowledge
    base's own engine and program (``engine`` and ``program`` None: a worker cannot be handed
    another one — a test's program); otherwise one process. ``fault``: tests
    only, called by a worker on each batch before answering it (to make it raise or die).

    ``reform`` (:func:`lexquery.screening.columnar_jobs.reform_spec`): ``engine`` is that reform's
    (:meth:`lexquery.engine.reform.Reform.engine`) and ``program`` None: the program is compiled
    from the engine's own rule book and reference data (in this process when it answers a batch,
    and in each worker, which rebuilds the reform from the spec) — never the law in force's."""
    tm = timings if timings is not None else {}
    for k in ("read", "program", "fallback", "write"):
        tm.setdefault(k, 0.0)
    from ..budget import check as check_budget
    from ..engine.api import load_kb
    from ..gcpause import resume as resume_gc
    from ..screening.csv_cases import read_header
    from ..screening.csv_rows import RowBuilder
    from ..screening.csv_text import open_text
    from ..screening.screen import Progress, Summary
    from .columnar_frame import Reader, block_bytes_for
    bound_heap()
    parallel = jobs > 1 and program is None and (engine is None or reform is not None)
    block_bytes = block_bytes_for(parallel, block_bytes)
    stream, opened_as, size = open_text(path)
    label = label or opened_as
    summary = Summary(source=label)
    pool = None

    def new_pool():
        """The workers of this screening (not yet started): ``jobs`` computing processes, this one
        (a thread, between reading and writing) and ``jobs`` − 1 workers (MAIN_ANSWERS), else
        ``jobs`` workers."""
        from .columnar_jobs import Pool
        return Pool(jobs - 1 if MAIN_ANSWERS else jobs, ctx, reference=reference, fault=fault, reform=reform)
    try:
        header, records = read_header(stream)
        summary.unknown_columns, summary.separator = header.unknown, header.separator
        builder = RowBuilder(header)
        bar = Progress(size, stream, progress, lang)   # what a person reads: in --lang (the output's bytes are not)
        as_json = getattr(writer, "accepts_json_objects", False)   # JSON Lines, JSON: objects, not CSV lines
        if hasattr(writer, "begin"):
            writer.begin(header.separator)
        sep = getattr(writer, "separator", ",")

        def scalar_part(part):
            """Records the vector reader does not take: answered as the scalar path answers them."""
            scalar_ready(engine)
            if as_json:
                for r in [answer_one(engine, builder.row(x), as_of, label) for x in part]:
                    summary.add(r)
                    writer.write(r)
            else:
                text, counts_ = answer_csv(engine, builder, part, as_of, label, sep)
                summary.add_counts(counts_)
                writer.write_text(text)
        vectorisable = (builder._fast is not None and not stream._carry and not records.src.back)
        if vectorisable:
            reader = Reader(stream.buffer, header, header.line + 1, as_of, block_bytes)
            ctx = BlockContext(None, None, builder, reader.known, as_of, label, sep, as_json)
            if parallel and more_than_one_block(stream.buffer, reader.block_bytes):
                pool = new_pool().start()   # started now: their start-up beside this process's
        # this process's engine and (one process) program: after the workers' early start
        engine = engine or load_kb()   # its scalar answers prepared when first asked (scalar_ready)
        if program is None and not reference and not parallel:
            program = load_program(engine.book, engine.ref) if reform is not None else load_program()
        resume_gc()   # loaded: the collector runs again, the start-up's objects frozen (lexquery.gcpause)
        t0 = time.perf_counter()   # the screening's seconds: after the loading
        if not vectorisable:   # unknown or repeated columns, CR-only lines: the scalar path, as is
            for part in _chunks(records, 2000):
                check_budget()
                scalar_part(part)
                bar.update(summary.read)
            summary.lines, summary.spanning = records.lines, records.spanning
            summary.spanning_lines, summary.split = records.extra_lines, records.split
            summary.ansi_lines, summary.first_ansi_line = stream.ansi_lines, stream.first_ansi_line
        else:
            if stream.ansi_lines:
                reader.ansi_lines, reader.first_ansi_line = stream.ansi_lines, stream.first_ansi_line
            ctx.engine, ctx.program = engine, program
            lock = threading.Lock()   # the program and the scalar engine: one thread at a time
            if pool is not None and MAIN_ANSWERS:   # its program compiled while its first block is read
                threading.Thread(target=_compile_under, args=(lock, ctx, reference, reform is not None),
                                 name="lexquery-compile", daemon=True).start()

            def put(item):
                if isinstance(item, _Scalar):   # answered and written chunk by chunk: memory stays flat
                    for part in _chunks(item.records, 2000):
                        check_budget()
                        t = time.perf_counter()
                        with lock:   # the scalar engine, not at the same time as this process's batch thread
                            scalar_part(part)
                        tm["fallback"] += time.perf_counter() - t
                        bar.update(summary.read)
                else:
                    put_block(summary, writer, item, tm)
                bar.update(summary.read)

            items = reader_items(reader, tm)
            ahead: list = []
            if parallel and pool is None:   # size unknown: workers only for a second batch read
                for item in items:
                    ahead.append(item)
                    if sum(not isinstance(x, _Scalar) for x in ahead) >= 2:
                        break
                parallel = sum(not isinstance(x, _Scalar) for x in ahead) >= 2
            if parallel:
                def answer_here(batch, spool=None):
                    """A batch answered in this process: by its thread beside the workers (CSV into
                    the ``spool`` file it is given, as a worker's), or one a worker failed (or none
                    is left) — the program compiled here, used by one thread at a time (``lock``: it
                    keeps a batch's state; so does the scalar engine)."""
                    with lock:
                        return answer_block(_parent_program(ctx, reference, reform is not None), *batch, spool)

                pool = pool or new_pool()
                with closing(pool.answer(itertools.chain(ahead, items), answer_here,
                                         lambda item: isinstance(item, _Scalar),
                                         local=answer_here if MAIN_ANSWERS else None)) as answered:
                    for item in answered:
                        put(item)
            else:
                if ahead:
                    _parent_program(ctx, reference, reform is not None)
                    items = itertools.chain(ahead, items)
                for block in items:
                    put(block if isinstance(block, _Scalar) else answer_block(ctx, *block))
            summary.lines, summary.spanning = reader.lines, reader.spanning
            summary.spanning_lines, summary.split = reader.extra_lines, reader.split
            summary.ansi_lines, summary.first_ansi_line = reader.ansi_lines, reader.first_ansi_line
        bar.update(summary.read, force=True)
        bar.done()
    finally:
        if pool is not None:
            pool.close()
        if path not in ("-", None):
            stream.close()
    summary.seconds = time.perf_counter() - t0
    writer.close(summary)
    return summary


def more_than_one_block(raw, block_bytes: int) -> bool:
    """The input (a binary stream after the header) makes more than one batch: a regular file
    (``os.fstat``: a path, or standard input redirected from a file) with more than
    ``block_bytes`` bytes left — the first block ends at the last line feed within its first
    ``block_bytes`` (unless a line is longer than a block: then a worker may start for one batch,
    and is stopped unused), so the rest is a second. False when the size is not known (a pipe):
    the workers then wait for a second batch read."""
    import stat
    try:
        st = os.fstat(raw.fileno())
        return stat.S_ISREG(st.st_mode) and st.st_size - raw.tell() > block_bytes
    except (AttributeError, OSError, ValueError, io.UnsupportedOperation):
        return False


def _compile_under(lock, ctx: BlockContext, reference: bool, own: bool) -> None:
    """:func:`_parent_program` under ``lock`` (the thread answering this process's batches waits
    for it); a failure is left to the first batch, which compiles again and says it."""
    with lock:
        try:
            _parent_program(ctx, reference, own)
        except Exception:
            pass


def _parent_program(ctx: BlockContext, reference: bool, own: bool = False):
    """The program for the batches a worker could not answer, compiled in the main process the
    first time one is needed (none is compiled here while the workers answer); ``own``: from the
    engine's own rule book and reference data (a reform's), not the law in force's."""
    if ctx.program is None and not reference:
        ctx.program = load_program(ctx.engine.book, ctx.engine.ref) if own else load_program()
    return ctx


class _Scalar:
    """The records of a scalar block (a list, or an iterator over the rest of the input), answered by
    the scalar path when their turn to be written comes."""

    def __init__(self, records):
        self.records = records


def reader_items(reader, tm: dict, read: str = "read", fallback: str = "fallback"):
    """The reader's blocks, timed (seconds added to ``tm[read]``, and to ``tm[fallback]`` for
    reading a scalar block's records): a vector block as ``(frame, fallback)`` — what a worker is
    sent, the batch —, a scalar block as :class:`_Scalar` of its records (read now: they carry the
    reader's state, ids seen and counters; the rest of the input, ``ScalarRest``, as an iterator
    read when it is written), answered when its turn comes. The budget of a server request is
    checked at each block (:mod:`lexquery.budget`). Used by the screening and by the one-pass impact
    of a reform (:mod:`.columnar_impact`)."""
    from ..budget import check as check_budget
    from .columnar_frame import ScalarBlock
    it = iter(reader)
    while True:
        t = time.perf_counter()
        block = next(it, None)
        tm[read] += time.perf_counter() - t
        if block is None:
            return
        check_budget()   # a server request past its time stops here
        if isinstance(block, ScalarBlock):
            t = time.perf_counter()
            recs = reader.scalar_records(block.data, block.first_line)
            tm[fallback] += time.perf_counter() - t
            yield _Scalar(recs)
        else:
            yield block.frame, block.fallback
