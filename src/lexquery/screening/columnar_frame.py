"""A screening CSV (docs/screening-csv.md) as typed columns, in batches — or, row by row, what
the scalar reader must read itself.

The scalar reader (:mod:`lexquery.screening.csv_cases`) stays the definition: this module only
takes, in bulk, the rows it would read without a word to say, and hands every other row back to
it, so that every message stays word for word (issue 16, item 2; docs/screening-csv.md
« Moteur »; the frame's columns: below).

How a batch is cut and checked (exactness first, speed second):

1. The file is read in blocks of bytes (:data:`BLOCK_BYTES`, ≈ 10,000 synthetic rows) ending
   at a line feed, so memory stays flat.
2. A block is *vector* when the scalar reader would see each physical line as one record by
   itself: no lone CR (a CRLF end is dropped, which is what ``csv.reader`` does), no quoted cell
   that opens on a line and does not close on it (RFC 4180 §2.6; the scalar reader may join
   lines, :class:`~lexquery.screening.csv_records.Records`), and under ``MAX_ROWS``. Otherwise the
   whole block is *scalar* (:class:`ScalarBlock`): the scalar reader reads it, from the same
   state (line numbers, ids already seen, counters) — a block whose last line with a quote is
   within :data:`~lexquery.screening.csv_records.MAX_SPAN` lines of its end is first extended
   with the next one, so that no record is cut.
3. In a vector block, a line goes to the scalar reader alone (``fallback``) when it contains a
   quote, a control character, bytes that are not UTF-8, is longer than ``MAX_LINE``, has not
   the header's number of cells, is blank, has a cell the compiled reader of the header
   (:func:`~lexquery.screening.csv_compiled.reader_source`) would not take as is (every check of
   that reader is written below column by column, ISO dates and their bounds, codes, booleans,
   lists, the removal columns together, the end of sentence after its start), a text cell with a
   non-ASCII character at either end (Python's ``str.strip`` removes it, polars' ``strip_chars`` not), or
   repeats an id. Every other line is a row of the frame.

The frame's columns are the interface's: ``line``, ``id``, ``as_of`` (resolved), ``name`` and
one column per fact the CSV carries, null = unknown; plus ``safety_period_end__none`` (Boolean:
the cell said « none » — no safety period — which is known, not unknown), ``total__months`` /
``total__days`` (the :class:`~lexquery.dates.Duration` of ``total``: months, and weeks × 7 +
days) besides ``total__y`` / ``total__m`` / ``total__d``, and the same for
``offence_max_penalty``.
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import polars as pl

from ..dates import DATE_MAX, DATE_MIN, Duration
from ..screening.csv_columns import COLUMNS, NONE_LIST
from ..screening.csv_compiled import _json_type
from ..screening.csv_header import Header
from ..screening.csv_records import MAX_ROWS, MAX_SPAN, Records, _Lines
from ..screening.csv_text import MAX_LINE, Prefixed, Utf8OrAnsiLines
from .columnar_dates import byte_dates
from .columnar_ids import SeenIds

BLOCK_BYTES = 2 * 1024 * 1024
"""Bytes read per batch (≈ 10,000 rows of ``lexquery synth``): memory stays flat with the file; the
compiled program holds tens of KB a row of a batch while it runs (peak at 100,000 rows, measured
under load: 801 MB with 8 MB blocks, 524 MB with 3 MB blocks). The batch of a screening on several
processes (``-j N``): each process holds its own batch, the main process a few more."""

ONE_PROCESS_BLOCK_BYTES = 4 * 1024 * 1024
"""Bytes read per batch when one process answers every batch (``-j 1``, and the default for a file
under 4 MB): ≈ 20,000 rows of ``lexquery synth``, one chunk of the program
(:data:`lexquery.columnar.program.CHUNK`), whose fixed costs per batch (≈ 0.09 s whatever its size:
thousands of numpy calls) are then paid half as often. Measured on ``synth 1000000`` at ``-j 1``
(docs/columnar.md « Larger batches on one process »): CPU 43.1 → 37.9 s, peak 246 → 335 MB, the
same bytes; on two processes the same change would put their peaks together at 649 MB, above issue
16's 500 MB, so ``-j N`` keeps :data:`BLOCK_BYTES` — measured again on 2026-12-07 (summed RSS at
the same instants: 625-630 MB at 1,000,000 rows, 512-526 at 100,000): each process's evaluation of
a 20,000-row batch, not what the main process holds in flight (≤ 22 MB), is what goes over; the
allocators' trims that bring it near 500 MB cost the CPU the batch saves (docs/columnar.md « Two
processes, larger batches: where the memory goes »)."""


def block_bytes_for(parallel: bool, given: int | None = None) -> int:
    """The bytes of a batch: ``given`` (tests, a caller's choice), else :data:`BLOCK_BYTES` when
    several processes answer the batches, :data:`ONE_PROCESS_BLOCK_BYTES` when one does — for a
    screening and a reform's pair of screenings alike."""
    return given or (BLOCK_BYTES if parallel else ONE_PROCESS_BLOCK_BYTES)

_TEXT = ("id", "name", "establishment", "court")


def column_kind(col: str) -> str:
    """What a CSV column holds for the frame: str, bool, list, safety, date, duration, state, protection."""
    path, kind = COLUMNS[col]
    if kind in ("str", "bool", "list", "safety"):
        return kind
    return _json_type(path)


# --- blocks ----------------------------------------------------------------------------------
@dataclass
class ScalarBlock:
    """Bytes the scalar reader reads itself, its first physical line being ``first_line``."""
    data: bytes
    first_line: int


class _Overlong(Exception):
    """No line feed within :data:`OVERLONG` bytes: the rest of the input goes to the scalar reader."""


OVERLONG = max(MAX_LINE, BLOCK_BYTES) + 2
"""Bytes after the last line feed beyond which a block is not cut: a line longer than the scalar
reader reads (``MAX_LINE``) is there, and the scalar reader reads the rest of the input as a stream
(:class:`ScalarRest`) — it skips such a line in blocks without keeping it (memory stays flat, an
endless line included), where cutting at a line feed would have held the whole line."""


@dataclass
class ScalarRest(ScalarBlock):
    """The rest of the input, from ``first_line``, for the scalar reader: ``data`` is a binary
    stream (the bytes already read, then the input), read record by record
    (:meth:`Reader.scalar_records` gives them lazily)."""


@dataclass
class VectorBlock:
    """A batch: the typed rows (``frame``) and the lines read alone by the scalar reader
    (``fallback``: (line, bytes) in line order). ``lines`` physical lines from ``first_line``."""
    frame: pl.DataFrame
    fallback: list = field(default_factory=list)
    first_line: int = 0
    lines: int = 0
    order: list | None = None     # (line, "v" | "s") in file order, when ids were checked


class Reader:
    """The blocks of a screening CSV after its header, and the scalar reader's state kept
    across them (line numbers, ids seen, counters), so that a block read either way gives what
    the scalar reader of the whole file gives."""

    def __init__(self, raw, header: Header, first_line: int, as_of: date | None,
                 block_bytes: int = BLOCK_BYTES):
        self.raw = raw                    # binary stream positioned after the header
        self.header = header
        self.sep = header.separator
        self.ncols = len(header.columns)
        self.next_line = first_line       # physical line number of the next line read
        self.as_of = as_of or date.today()
        self.block_bytes = block_bytes
        self.seen_ids = SeenIds()         # id -> first line, compact (columnar_ids.py)
        self.records = 0                  # records so far (MAX_ROWS)
        self.lines = self.spanning = self.extra_lines = self.split = 0
        self.ansi_lines = 0
        self.first_ansi_line: int | None = None
        self._rest = b""
        self._eof = False
        self.known = [c for c in header.columns if c in COLUMNS]
        self.tables: dict = {c: Typed(c) for c in self.known if not rowwise(c)}   # typed_frame

    # the scalar reader, from the current state --------------------------------------------
    def scalar_records(self, data, first_line: int):
        """The scalar reader's records of ``data`` (physical lines from ``first_line``), with the
        ids seen so far and the counters carried on: a list for bytes; for a binary stream (the
        rest of the input, :class:`ScalarRest`), an iterator read as it goes, the counters carried
        when it ends."""
        if hasattr(data, "read"):
            return self._records_of(Utf8OrAnsiLines(io.BufferedReader(data, 65536)), first_line)
        return list(self._records_of(Utf8OrAnsiLines(io.BytesIO(data)), first_line))

    def _records_of(self, stream, first_line: int):
        """The records of ``stream`` (lines from ``first_line``) as the scalar reader reads them,
        then its counters added to this reader's once the stream is read to its end."""
        stream.line_no = first_line - 1
        recs = Records(self.header, _Lines(stream, self.sep, self.ncols))
        recs.done = first_line - 1
        recs.seen_ids = self.seen_ids
        recs.records = self.records
        yield from recs
        self.records = recs.records
        self.lines += recs.lines
        self.spanning += recs.spanning
        self.extra_lines += recs.extra_lines
        self.split += recs.split
        if stream.ansi_lines:
            self.ansi_lines += stream.ansi_lines
            if self.first_ansi_line is None:
                self.first_ansi_line = stream.first_ansi_line

    def _rest_to_scalar(self, data: bytes, first: int) -> ScalarRest:
        """``data`` (whole lines from ``first``), the bytes read after them and the rest of the
        input: read by the scalar reader from here on (:data:`OVERLONG`)."""
        head, self._rest, self._eof = data + self._rest, b"", True
        return ScalarRest(Prefixed(head, self.raw), first)

    # cutting ------------------------------------------------------------------------------
    def _read_more(self) -> bytes:
        if self._eof:
            return b""
        more = self.raw.read(self.block_bytes)
        if not more:
            self._eof = True
        return more

    def _next_bytes(self) -> bytes:
        """The next block: whole lines (ends at a LF, or the end of the input)."""
        buf = self._rest
        while True:
            cut = buf.rfind(b"\n")
            if cut >= 0 and (len(buf) >= self.block_bytes or self._eof):
                self._rest = buf[cut + 1:]
                return buf[:cut + 1]
            if self._eof:
                self._rest = b""
                return buf
            if cut < 0 and len(buf) > OVERLONG:   # no line end in sight: not held whole
                self._rest = buf
                raise _Overlong
            more = self._read_more()
            if not more and not buf:
                return b""
            buf += more

    def __iter__(self):
        return self

    def __next__(self):
        first = self.next_line
        try:
            data = self._next_bytes()
        except _Overlong:
            return self._rest_to_scalar(b"", first)
        if not data:
            raise StopIteration
        if b'"' in data or (b"\r" in data and data.count(b"\r") != data.count(b"\r\n")):
            if not self._spans_ok(data):   # a quote or a lone CR: the scalar reader splits records
                return self._scalar(data, first)
        n = data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
        if self.records + n >= MAX_ROWS or (b"\r" in data and data.count(b"\r") != data.count(b"\r\n")):
            return self._scalar(data, first)
        self.next_line += n
        try:
            return self._vector(data, first, n)
        except pl.exceptions.PolarsError:   # pragma: no cover - polars could not split it: the scalar reader does
            self.next_line = first
            return self._scalar(data, first)

    def _spans_ok(self, data: bytes) -> bool:
        """No line of ``data`` opens a quoted cell it does not close (each is one record)."""
        if b"\r" in data.replace(b"\r\n", b""):
            return False
        import csv
        for line in data.split(b"\n"):
            if b'"' in line:
                try:
                    cells = next(csv.reader([line.decode("utf-8", "replace").rstrip("\r") + "\n"],
                                            delimiter=self.sep, strict=False), [])
                except csv.Error:
                    continue   # a NUL: the scalar reader's error row for that line alone
                if cells and cells[-1][-1:] == "\n":
                    return False
        return True

    def _scalar(self, data: bytes, first: int) -> ScalarBlock:
        # extend until no quote is within MAX_SPAN lines of the end (no record cut in two)
        while not self._eof or self._rest:
            last = data.rfind(b'"')   # only a quoted cell joins lines
            if last < 0 or data.count(b"\n", last) > MAX_SPAN + 1:
                break
            try:
                more = self._next_bytes()
            except _Overlong:
                return self._rest_to_scalar(data, first)
            if not more:
                break
            data += more
        # physical lines: LF, CRLF or a lone CR each end one (Utf8OrAnsiLines)
        n = len(_physical_lines(data))
        self.next_line += n
        return ScalarBlock(data, first)

    # the vector block -------------------------------------------------------------------------
    def _vector(self, data: bytes, first: int, n: int) -> VectorBlock:
        if b"\r" in data:
            data = data.replace(b"\r\n", b"\n")
        if not data.endswith(b"\n"):
            data += b"\n"
        a = np.frombuffer(data, dtype=np.uint8)
        lf = a == 10
        ends = np.flatnonzero(lf)
        starts = np.empty_like(ends)
        starts[0] = 0
        starts[1:] = ends[:-1] + 1
        nl = len(ends)
        df = None
        # the common block, checked with a few passes in C: no control character but tab and line
        # feed, no quote (else _spans_ok sent the quoted lines here one by one), every line of the
        # header's width (counted line by line: polars takes the width of the block's first line
        # and fills a shorter line with nulls — a total that adds up hides a line with one cell
        # too many before a line with one too few), no overlong line, UTF-8 (polars refuses any
        # other byte sequence)
        bounds = np.flatnonzero((a == ord(self.sep)) | lf)   # the end of each cell
        if (b'"' not in data and np.count_nonzero(a < 32) == nl + np.count_nonzero(a == 9)
                and len(bounds) == nl * self.ncols   # every ncols-th cell end a line end: each line ncols cells
                and np.array_equal(bounds[self.ncols - 1::self.ncols], ends)
                and int((ends - starts).max()) <= MAX_LINE - 1):
            try:
                df = self._typed(data, np.arange(nl, dtype=np.int64) + first, bounds)
            except pl.exceptions.ComputeError:
                df = None
        if df is None:
            odd = self._odd_lines(data, a, starts, ends)
            if odd.any():
                keep = np.flatnonzero(~odd)
                body = b"".join([data[starts[i]:ends[i] + 1] for i in keep])
            else:
                keep = np.arange(nl)
                body = data
            df = self._typed(body, keep + first) if len(body) else None
        else:
            odd = np.zeros(nl, dtype=bool)
        if df is None:
            df = self._typed(b"", np.zeros(0, dtype=np.int64))
        ok = df["__ok"].to_numpy() if df.height else np.zeros(0, dtype=bool)
        good_lines = df["line"].to_numpy()
        # in file order: the frame's rows (ids checked unique in the file) and the lines read alone
        seen = self.seen_ids
        fallback = []
        order = None
        ids = df["id"].to_list() if df.height else []
        if not odd.any() and ok.all() and len(set(ids)) == len(ids) and seen.add_if_new(ids, good_lines):
            # the common block: every line a row of the frame, ids new (no Python per line)
            take = ok
            self.records += len(ids)
            self.lines += len(ids)
        else:
            take = np.zeros(df.height, dtype=bool)
            order = []
            gi = 0
            glines = good_lines.tolist()
            okl = ok.tolist()
            for i in range(len(ends)):
                ln = first + i
                if gi < len(glines) and glines[gi] == ln:
                    j = gi
                    gi += 1
                    if okl[j]:
                        rid = ids[j]
                        if rid not in seen:
                            seen[rid] = ln
                            take[j] = True
                            self.records += 1
                            self.lines += 1
                            order.append((ln, "v"))
                            continue
                    # not taken as is: the scalar reader reads this line alone
                chunk = data[starts[i]:ends[i] + 1]
                recs = self.scalar_records(chunk, ln)
                if recs:
                    fallback.extend(recs)
                    order.extend((r.line, "s") for r in recs)
        frame = (df if take.all() else df.filter(pl.Series(take))).drop("__ok")   # (a copy of every column else)
        return VectorBlock(frame, fallback, first, n, order)

    def _odd_lines(self, data: bytes, a, starts, ends):
        """The lines the scalar reader reads alone: a quote, a control character, not the
        header's width, overlong, not UTF-8."""
        seps = np.add.reduceat(a == ord(self.sep), starts, dtype=np.int64)   # separators per line
        odd = np.zeros(len(ends), dtype=bool)
        bad_bytes = np.flatnonzero(((a < 32) & (a != 9) & (a != 10)) | (a == 34))   # controls, quotes
        if len(bad_bytes):
            odd[np.searchsorted(ends, bad_bytes)] = True
        odd |= seps != self.ncols - 1
        odd |= (ends - starts) > MAX_LINE - 1
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            high = np.flatnonzero(a >= 128)
            for i in np.unique(np.searchsorted(ends, high)):
                try:
                    data[starts[i]:ends[i]].decode("utf-8")
                except UnicodeDecodeError:
                    odd[i] = True
        return odd

    def _typed(self, body: bytes, lines, bounds=None) -> pl.DataFrame:
        """The typed columns of well-split lines, and ``__ok``: every cell as the compiled reader takes it."""
        cols = self.header.columns
        names = [c if c in COLUMNS else f"__unknown{i}" for i, c in enumerate(cols)]
        if body:
            raw = pl.read_csv(body, has_header=False, separator=self.sep, quote_char=None,
                              schema=batch_schema(names, self.tables), eol_char="\n")
            if raw.width != len(names):   # a line wider than the header (polars widened the frame)
                raise pl.exceptions.ComputeError(f"{raw.width} columns read for {len(names)}")
        else:
            raw = pl.DataFrame({c: pl.Series([], dtype=pl.Utf8) for c in names})
        dates = {}
        if body:   # the date columns whose cells are all empty or ISO: typed from the bytes
            a = np.frombuffer(body, dtype=np.uint8)
            if bounds is None:
                bounds = cell_ends(a, self.sep)
            dates = bytes_typed(a, bounds, names, self.known)
        strip, spaces = edges(body, names, self.sep, bounds,
                              only={c for c in self.known if rowwise(c) and c not in dates})
        frame = typed_frame(raw.select(self.known), np.asarray(lines, dtype=np.int64), self.as_of, strip, spaces,
                            self.tables, dates)
        for c in self.known:   # a column started afresh (CATEGORIES_MAX)
            if c not in self.tables and not rowwise(c):
                self.tables[c] = Typed(c)
        return frame


def bytes_typed(a, bounds, names, known) -> dict:
    """``{column: (days, there, ok)}`` for the date columns of a batch (``a``: its bytes, every
    line ``len(names)`` cells; ``bounds``: the end of each cell) read from the bytes by
    :func:`~lexquery.screening.columnar_dates.byte_dates` — those whose every cell is empty or
    ISO; the others are not in it (typed over the rows by polars, :func:`typed_frame`)."""
    k = len(names)
    if len(bounds) % k:   # pragma: no cover - the caller's lines have k cells each
        return {}
    ends = bounds.reshape(-1, k)
    out = {}
    for j, c in enumerate(names):
        if c in known and column_kind(c) == "date":
            got = byte_dates(a, cell_starts(ends, j), ends[:, j])
            if got is not None:
                out[c] = got
    return out


def _physical_lines(data: bytes) -> list:
    import re
    return re.findall(rb"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$", data)


# --- typing, column by column, as the compiled reader of a header -------------------------------
_DATE_RE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"   # lexquery.dates._DATE, whole cell
_SPACES = "\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_EDGE = f"^[{_SPACES}]|[{_SPACES}]$"
"""A cell beginning or ending with a character that Python's ``str.strip`` removes and polars'
``strip_chars(" \\t")`` keeps (the non-ASCII spaces: ``[c for c in map(chr, range(128, 0x110000))
if c.isspace()]``; the ASCII ones other than space and tab are control characters, whose line
goes to the scalar reader)."""


def _checker(col: str):
    """``check(v) -> (ok, value)`` for one distinct non-empty cell ``v`` of column ``col`` (spaces
    and tabs stripped): the compiled reader's statements for that column
    (:func:`lexquery.screening.csv_compiled._column_source`), on one value. For a list the value is
    the list (and the cell must be written exactly as ``|``-joined items, else the line goes to
    the scalar reader); for a safety period, (date, none); for a length, its Duration."""
    from ..engine.case import CODES, PROTECTION, REMOVAL_KINDS, good_date, good_length
    from ..screening.csv_cells import BOOLS as _BOOLS
    kind = column_kind(col)
    if kind == "bool":
        def check(v):
            b = _BOOLS.get(v.lower())
            return b is not None, b
    elif kind == "list":
        allowed = CODES if col == "nationalities" else frozenset(REMOVAL_KINDS)

        def check(v):
            if "|" not in v:
                if v in allowed:
                    return True, [v]
                if v.lower() in NONE_LIST:
                    return True, []
                return False, None
            b = [x.strip() for x in v.split("|") if x.strip()]
            if not b or any(x not in allowed for x in b) or len(set(b)) < len(b):
                return False, None
            return "|".join(b) == v, b   # written otherwise (« RO | MA »): read by the scalar reader
    elif kind == "safety":
        def check(v):
            if v.lower() in NONE_LIST:
                return True, (None, True)
            d = good_date(v)
            return d is not None, (d, False)
    elif kind == "duration":
        def check(v):
            d = good_length(v)
            return d is not None, d
    elif kind == "state":
        refused = "FR" if col == "receiving_state" else None

        def check(v):
            return v in CODES and v != refused, v
    elif kind == "protection":
        def check(v):
            return v in PROTECTION, v
    else:  # pragma: no cover - a new column type: type it here
        raise AssertionError((col, kind))
    return check


_ROWWISE = ("id",)
"""The text columns typed over the rows by polars expressions: the id (one value a row). The
dates are typed over the rows too (:func:`rowwise`). The others (names, establishments, courts,
booleans, lists, States, protections, safety periods, lengths) are read as categoricals and typed
once per distinct cell (:class:`Typed`): a registry export has few, and the same from one batch to
the next; the frame's text columns are then views into the distinct texts, not a copy of every
row's (a batch sent to a worker is pickled smaller: 3.1 MB for 10,360 rows, not 3.8 MB with the
establishments and courts of every row)."""


def rowwise(col: str) -> bool:
    """Whether column ``col`` is typed over the rows (:data:`_ROWWISE`, and every date column:
    a batch of 10,000 synthetic rows has 2,500–7,400 distinct dates per column, so typing them
    once per distinct cell cost more — categories, their texts in Python, the typed values
    concatenated and gathered back — than parsing every cell in the batch's one polars query,
    :func:`_date_typed`). A date column whose cells are all empty or ISO is typed from the batch's
    bytes instead (:func:`bytes_typed`, ≈ 1 ms a column against ≈ 2.5 ms for ``strptime`` and the
    regex)."""
    return col in _ROWWISE or column_kind(col) == "date"


CATEGORIES_MAX = 4096
"""Distinct cells of one column typed and kept by a :class:`Typed` before it starts afresh: the
codes, booleans, lengths, courts of a file are kept for good; a column of dates (a batch of
10,000 synthetic rows has 2,500–7,400 distinct ones per column, 100,000 rows 18,491 birth dates)
starts afresh every batch or two. polars' categories cost ≈ 180 bytes a distinct cell: kept
without bound they added 8 MB at 100,000 rows (peak 298 MB instead of 291 MB with columns
started afresh at every batch), and would grow with the file."""


class Typed:
    """The distinct cells of one column met so far (its categoricals' categories, whose codes
    polars keeps across the batches of a reader) and what each reads as: row 0 the empty cell,
    row ``code + 1`` the category ``code``. ``good``: the compiled reader takes the cell as is;
    ``there``: the cell is not empty; ``none`` (lists): the empty list; ``series``: the typed
    output columns, spread over the rows by code."""

    def __init__(self, col: str):
        self.col = col
        self.kind = column_kind(col)
        self.categories = pl.Categories.random()   # this reader's own, freed with it
        self.dtype = pl.Categorical(self.categories)
        self._alive = pl.Series([], dtype=self.dtype)   # the mapping lives while a Series uses it
        self.n = 0
        self.good = np.ones(1, dtype=bool)
        self.there = np.zeros(1, dtype=bool)
        self.none = np.zeros(1, dtype=bool)
        self.series = {name: pl.Series(name, [False if name.endswith("__none") else None], dtype=dtype)
                       for name, dtype in _outputs(col, self.kind)}   # the empty cell: unknown (« none »: not said)

    @staticmethod
    def texts(new: list, strip: bool = True) -> list:
        """Categories as the scalar reader reads them: spaces and tabs stripped (None: empty;
        ``strip`` False: no cell of the batch begins or ends with either, :func:`edges`). A code
        without its text (polars reserves codes while a query inserts) reads as a NUL, which no
        column takes: a row with it would go to the scalar reader."""
        if not strip:
            return ["\x00" if v is None else v for v in new]   # polars reads an empty cell as null
        return ["\x00" if v is None else (v.strip(" \t") or None) for v in new]

    def add(self, texts: list, good, typed: dict, none=None):
        """Rows for the categories after those typed: whether each is taken, its typed
        columns (name → (values, dtype)), its empty list."""
        self.n += len(texts)
        self.good = np.concatenate([self.good, good])
        self.there = np.concatenate([self.there, [t is not None for t in texts]])
        if none is not None:
            self.none = np.concatenate([self.none, none])
        for name, (values, dtype) in typed.items():
            self.series[name] = pl.concat([self.series[name], pl.Series(name, values, dtype=dtype)], rechunk=True)


def _outputs(c: str, kind: str) -> list:
    """The typed columns of the frame for CSV column ``c`` (name, dtype), in order."""
    if kind == "date":
        return [(c, pl.Date)]
    if kind in ("str", "state", "protection"):
        return [(c, pl.Utf8)]
    if kind == "bool":
        return [(c, pl.Boolean)]
    if kind == "safety":
        return [(c, pl.Date), (c + "__none", pl.Boolean)]
    if kind == "duration":
        return [(c, pl.Utf8), (c + "__y", pl.Int32), (c + "__m", pl.Int32), (c + "__d", pl.Int32),
                (c + "__months", pl.Int64), (c + "__days", pl.Int64)]
    if kind == "list":
        return [(c, pl.List(pl.Utf8))]
    raise AssertionError((c, kind))  # pragma: no cover - a new column type: type it here


def batch_schema(names, tables: dict) -> dict:
    """The dtypes a batch is read with: text (Utf8), except the columns of ``tables`` (read as
    the categoricals of their :class:`Typed`)."""
    return {nm: (tables[nm].dtype if nm in tables else pl.Utf8) for nm in names}


def _date_typed(t: pl.Expr, d: pl.Expr) -> pl.Expr:
    """Whether a date cell is taken as is, over the rows: empty (``t`` null: the cell as the
    scalar reader reads it, :func:`_stripped`), or the ISO form of a real day within the bounds
    (:func:`lexquery.engine.case.good_date`: :data:`_DATE_RE` whole cell, a day of the calendar,
    between :data:`~lexquery.dates.DATE_MIN` and :data:`~lexquery.dates.DATE_MAX`); ``d``: the
    cell parsed (``strptime``, null where it is no day)."""
    return (t.is_null() | (t.str.contains(_DATE_RE) & d.is_not_null() & (d >= DATE_MIN) & (d <= DATE_MAX))) \
        .fill_null(False)


def _type_new(tb: Typed, texts: list, edge: bool = True):
    """Type the new categories of ``tb``'s column (``texts``, stripped) by the compiled reader's
    statements (:func:`_checker`) and add them.
    ``edge`` False: no cell of the batch begins or ends with a space, a tab or a non-ASCII
    character (:func:`edges`; the other characters Python's ``strip`` removes are controls, whose
    lines go to the scalar reader), so ``t.strip() == t`` is not asked."""
    c, kind = tb.col, tb.kind
    k = len(texts)
    good = np.ones(k, dtype=bool)
    typ = [None] * k
    check = None if kind == "str" else _checker(c)
    for i, t in enumerate(texts):
        if t is None:
            continue
        if edge and t.strip() != t:   # another space at an end (U+00A0…): Python's strip would remove it
            good[i] = False
        elif check is not None:
            good[i], typ[i] = check(t)
            if not good[i]:
                typ[i] = None
    if kind in ("str", "state", "protection"):   # the text itself
        tb.add(texts, good, {c: (texts, pl.Utf8)})
    elif kind == "bool":
        tb.add(texts, good, {c: (typ, pl.Boolean)})
    elif kind == "safety":
        tb.add(texts, good, {c: ([t[0] if t else None for t in typ], pl.Date),
                             c + "__none": ([bool(t and t[1]) for t in typ], pl.Boolean)})
    elif kind == "duration":
        from ..dates import _DURATION
        parts = []
        for v, t in zip(texts, typ):
            m = _DURATION.match(v) if t is not None and v != "life" else None
            if m is None:
                parts.append((None, None, None))
            else:
                y, mo, w, d = (int(g) if g else 0 for g in m.groups())
                parts.append((y, mo, 7 * w + d))
        cols = {c: (texts, pl.Utf8)}
        for j, suffix in enumerate(("__y", "__m", "__d")):
            cols[c + suffix] = ([p[j] for p in parts], pl.Int32)
        cols[c + "__months"] = ([t.months if t else None for t in typ], pl.Int64)
        cols[c + "__days"] = ([t.days if t else None for t in typ], pl.Int64)
        tb.add(texts, good, cols)
    elif kind == "list":   # « none » the empty list; a list taken as is: its cell split at « | »
        none = np.array([t == [] for t in typ], dtype=bool)
        tb.add(texts, good, {c: ([None if v is None else [] if z else v.split("|") for v, z in zip(texts, none)],
                                 pl.List(pl.Utf8))}, none=none)
    else:  # pragma: no cover - a new column type: type it here
        raise AssertionError((c, kind))


def _stripped(c: str) -> pl.Expr:
    """The cell as the scalar reader reads it: spaces and tabs stripped, null when empty (polars
    reads an empty cell as null: a column without a cell beginning or ending with a space or a tab
    is read as is)."""
    s = pl.col(c).str.strip_chars(" \t")
    return pl.when(s != "").then(s)


_REMOVAL = ("removal_destination", "removal_definitive", "removal_enforceable", "removal_remedies_exhausted",
            "removal_end_date")
def cell_ends(a: np.ndarray, sep: str) -> np.ndarray:
    """The position of each cell's end in the bytes ``a`` of a vector batch's lines: its
    separator, or the line feed ending its line."""
    return np.flatnonzero((a == ord(sep)) | (a == 10))


def cell_starts(ends: np.ndarray, j: int) -> np.ndarray:
    """The position of the first byte of column ``j``'s cells (its end if the cell is empty);
    ``ends``: :func:`cell_ends` line by line (one row a line, one column a cell). The first
    cell of a line starts after the line feed ending the line before."""
    if j:
        return ends[:, j - 1] + 1
    return np.concatenate([[0], ends[:-1, -1] + 1])


def edges(data: bytes, names, sep: str, bounds=None, only=None) -> tuple[set, set]:
    """The columns (of ``names``, one a cell of each line of ``data``: the lines of a vector
    batch) where a cell may begin or end with a space or a tab, and those where a cell may begin or
    end with a non-ASCII character (another space Python's ``strip`` removes is one): the bytes next
    to each separator and line feed. A column in neither has no cell that strip would change nor
    :data:`_EDGE` match: neither is run over its rows. ``bounds``: the positions of the separators
    and line feeds, if known. ``only``: the columns looked at (None: every one); the others are in
    both sets (« may »: a column typed once per distinct cell strips and checks its new texts
    anyway, a few a batch — reading the edges of all 30 columns' cells cost ≈ 5 ms a batch)."""
    if not data:
        return set(), set()
    a = np.frombuffer(data, dtype=np.uint8)
    if bounds is None:
        bounds = cell_ends(a, sep)
    k = len(names)
    ends = bounds.reshape(-1, k)   # line by line, column by column
    ws, high = set(), set()
    for j, nm in enumerate(names):
        if only is not None and nm not in only:
            ws.add(nm)
            high.add(nm)
            continue
        last = a[ends[:, j] - 1]   # a[-1] for a first cell empty: the line feed ending the batch
        first = a[cell_starts(ends, j)]   # the first byte of the cell (its end if empty)
        if ((last == 32) | (last == 9) | (first == 32) | (first == 9)).any():
            ws.add(nm)
        if ((last >= 128) | (first >= 128)).any():
            high.add(nm)
    return ws, high


def typed_frame(raw: pl.DataFrame, lines, as_of: date, strip=None, spaces=None, tables=None,
                dates=None) -> pl.DataFrame:
    """The interface's typed frame of raw cells (one column per known CSV column), with ``__ok``:
    True where the compiled reader of the header would read every cell as is.

    By the same statements as the scalar reader — Python's own ``strip`` included: the id and
    the dates over the rows (:func:`rowwise`), the others once per distinct cell (:class:`Typed`,
    kept across the batches of a reader in ``tables``: col → Typed; a column read as text is cast
    to its categoricals here; the texts of new codes read from its categories' mapping), then
    spread over the rows by code. Two polars queries a batch (each eager Series operation would be
    one, ≈ 0.4 ms apiece: a thousand a batch before). ``strip`` / ``spaces``
    (:func:`edges`; None: every column): the text columns where a cell may begin or end with a
    space or a tab / with a non-ASCII space; in the others neither is looked for. ``dates``: the
    date columns already typed from the batch's bytes (:func:`bytes_typed`: column → (days,
    there, ok)), neither stripped nor parsed again here."""
    cols = list(raw.columns)
    n = raw.height
    kinds = {c: column_kind(c) for c in cols}
    tables = {} if tables is None else tables
    distinct = [c for c in cols if not rowwise(c)]
    dates = dates or {}
    dated = [c for c in cols if kinds[c] == "date" and c not in dates]
    for c in distinct:
        if c not in tables:
            tables[c] = Typed(c)
    lazy = raw.lazy()
    schema = raw.schema
    cast = [pl.col(c).cast(tables[c].dtype) for c in distinct if schema[c] != tables[c].dtype]
    cast += [pl.col(c).cast(pl.Utf8) for c in cols if rowwise(c) and schema[c] != pl.Utf8]
    if cast:   # text cells (not read by batch_schema) / categoricals of a column typed over the rows
        lazy = lazy.with_columns(cast)
    stripped = [c for c in cols if rowwise(c) and c not in dates and (strip is None or c in strip)]
    if stripped:   # each expression computed once (polars does not share them within a select)
        lazy = lazy.with_columns([_stripped(c).alias(c) for c in stripped])
    if dated or dates:   # each date parsed once, beside its text (or read from the bytes: null where empty)
        lazy = lazy.with_columns([pl.col(c).str.strptime(pl.Date, "%Y-%m-%d", strict=False, cache=False)
                                  .alias(f"__d_{c}") for c in dated]   # no cache: most are distinct
                                 + [pl.when(pl.lit(pl.Series(there))).then(pl.lit(pl.Series(days)).cast(pl.Date))
                                    .alias(f"__d_{c}") for c, (days, there, _) in dates.items()])
    # 1. the columns typed over the rows and whether their cells are taken; the others' codes (0: empty)
    first, oks = [], []
    for c in cols:
        t = pl.col(c)
        if kinds[c] == "date":   # the ISO day, as_of: the date of evaluation when empty
            d = pl.col(f"__d_{c}")
            first.append((d.fill_null(as_of) if c == "as_of" else d).alias(c))
            if c not in dates:   # (else: taken and there from the bytes, below)
                oks.append(_date_typed(t, d))
                first.append(t.is_not_null().alias(f"__there_{c}"))
        elif rowwise(c):
            first.append(t)
            if spaces is None or c in spaces:
                oks.append(~t.str.contains(_EDGE).fill_null(False))
            first.append(t.is_not_null().alias(f"__there_{c}"))
        else:
            first.append(t.to_physical().alias(f"__r_{c}"))   # UInt32, null: empty (_table_rows)
    if "execution_start" in cols and "expected_end" in cols:   # the end of sentence after its start
        # (both days taken: a day that is not has its row's other test false already)
        oks.append(~(pl.col("__d_expected_end") < pl.col("__d_execution_start")).fill_null(False))
    if oks:
        first.append(pl.all_horizontal(oks).alias("__ok1"))
    f1 = lazy.select(first).collect()
    ok = f1.get_column("__ok1").to_numpy().copy() if oks and n else np.ones(n, dtype=bool)
    present = {c: f1.get_column(f"__there_{c}").to_numpy() for c in cols if f"__there_{c}" in f1.columns}
    for c, (_, there, taken) in dates.items():
        ok &= taken
        present[c] = there
    # 2. the categories met for the first time (codes from the number typed on) typed
    idx = {c: _table_rows(f1.get_column(f"__r_{c}")) for c in distinct}
    new = {c: [] for c in distinct}
    for c in distinct:   # the texts of codes n, n + 1 … up to the batch's highest, from the mapping
        top = int(idx[c].max()) if n else 0   # (no query over the rows)
        if top > tables[c].n:
            cats = tables[c].categories   # the new codes' texts only (``to_series`` reads every
            # code's in Python: the whole mapping again at each batch — up to CATEGORIES_MAX)
            # a code without its text (polars gives "" for a gap its parallel inserts may leave, None
            # beyond the codes given; a CSV's empty cell is null, never a category): None, read as
            # a NUL, never taken
            texts = [cats[i] or None for i in range(tables[c].n, top)]
            new[c] = Typed.texts(texts, strip is None or c in strip)
    for c in distinct:
        if new[c]:
            _type_new(tables[c], new[c], strip is None or spaces is None or c in strip or c in spaces)
    # 3. each row's cells: taken, there, typed (spread by code)
    spread: dict = {}
    for c in distinct:
        tb = tables[c]
        i = idx[c]
        ok &= tb.good[i]
        present[c] = tb.there[i]
        if kinds[c] == "list":
            present[c + "__empty"] = tb.none[i]
        code = pl.lit(pl.Series(f"__r_{c}", i))
        spread[c] = [pl.lit(v).gather(code).alias(name) for name, v in tb.series.items()]
    # across cells (the end of the compiled reader): the removal columns, the id, start and end
    removal = [c for c in _REMOVAL if c in cols]
    any_removal = np.zeros(n, dtype=bool)
    for c in removal:
        any_removal |= present[c]
    if "removal_kinds" in cols:
        ok &= ~(present["removal_kinds__empty"] & any_removal)
        ok &= ~(~present["removal_kinds"] & any_removal)
    else:
        ok &= ~any_removal
    ok &= present["id"] if "id" in cols else np.zeros(n, dtype=bool)
    # 4. the frame, columns in the interface's order
    out = [pl.lit(pl.Series("line", lines, dtype=pl.Int64)).alias("line")]
    for c in cols:
        out += spread.get(c, [pl.col(c)])
    if "as_of" not in cols:
        out.append(pl.lit(as_of, dtype=pl.Date).alias("as_of"))
    for c in ("id", "name"):
        if c not in cols:
            out.append(pl.lit(None, dtype=pl.Utf8).alias(c))
    out.append(pl.lit(pl.Series("__ok", ok)).alias("__ok"))
    for c in distinct:   # too many distinct cells kept: the next batches start afresh
        if tables[c].n > CATEGORIES_MAX:
            del tables[c]
    return f1.select(out)


def _table_rows(codes: pl.Series) -> np.ndarray:
    """The row of its :class:`Typed` table of each cell: its category's code + 1, 0 for an
    empty cell (null), in numpy (in the query, ``+ 1`` and ``fill_null`` widened and copied each
    column twice)."""
    v = codes.to_numpy()
    if v.dtype.kind == "f":   # nulls: NaN (a code < 2**32 is exact in a float64)
        return np.where(np.isnan(v), 0, v + 1).astype(np.int64)
    return v.astype(np.int64) + 1


# --- the case of a frame row (the reference middle, and tests) ------------------------------
def case_of(row: dict, columns) -> dict:
    """The normalised case of one frame row, as the compiled reader gives it (``ready``), with
    ``as_of`` resolved: what the scalar engine is asked for that row."""
    from ..screening.csv_cells import PLACE as _PLACE
    rd: dict = {}
    kinds = None
    removal: dict = {}
    for c in columns:
        kind = column_kind(c)
        v = row.get(c)
        if kind == "safety" and row.get(c + "__none"):
            v = None
        elif v is None:
            continue
        elif kind == "duration":
            v = Duration(row[c + "__months"], row[c + "__days"])
        elif kind == "list":
            v = list(v)
        how, head, tail = _PLACE[c][1:]
        if how == "top":
            rd[head] = v
        elif how == "nested":
            rd.setdefault(head, {})[tail] = v
        elif how == "kinds":
            kinds = v
        elif how == "removal":
            removal[tail] = v
        else:
            rd.setdefault("sentence", {})["convictions"] = [{"court": v}]
    if kinds is not None:
        rd["removal_measures"] = [dict(removal, kind=k) for k in kinds]
    rd["as_of"] = row["as_of"]
    return rd
