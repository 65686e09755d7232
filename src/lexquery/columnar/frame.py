"""A screening CSV (docs/screening-csv.md) as typed columns, in batches — or, row by row, what
the scalar reader must read itself.

The scalar reader (:mod:`lexquery.screening.csv_cases`) stays the definition: this module only
takes, in bulk, the rows it would read without a word to say, and hands every other row back to
it, so that every message stays word for word (issue 16, item 2; docs/screening-csv.md
« Moteur »; interface: docs of ``/work/wt/COLUMNAR-INTERFACE.md``, « Typed input frame »).

How a batch is cut and checked (exactness first, speed second):

1. The file is read in blocks of bytes (:data:`BLOCK_BYTES`, ≈ 35,000 synthetic rows) ending
   at a line feed, so memory stays flat.
2. A block is *vector* when the scalar reader would see each physical line as one record by
   itself: no lone CR (a CRLF end is dropped, which is what ``csv.reader`` does), no quoted cell
   that opens on a line and does not close on it (RFC 4180 §2.6; the scalar reader may join
   lines, :class:`~lexquery.screening.csv_cases.Records`), and under ``MAX_ROWS``. Otherwise the
   whole block is *scalar* (:class:`ScalarBlock`): the scalar reader reads it, from the same
   state (line numbers, ids already seen, counters) — a block whose last line with a quote is
   within :data:`~lexquery.screening.csv_cases.MAX_SPAN` lines of its end is first extended
   with the next one, so that no record is cut.
3. In a vector block, a line goes to the scalar reader alone (``fallback``) when it contains a
   quote, a control character, bytes that are not UTF-8, is longer than ``MAX_LINE``, has not
   the header's number of cells, is blank, has a cell the compiled reader of the header
   (:func:`~lexquery.screening.csv_cases.reader_source`) would not take as is (every check of
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
from ..screening.csv_cases import (COLUMNS, FALSE, MAX_LINE, MAX_ROWS, MAX_SPAN, NONE_LIST, TRUE, Header,
                                    Records, Utf8OrAnsiLines, _json_type, _Lines)

BLOCK_BYTES = 8 * 1024 * 1024
"""Bytes read per batch (≈ 35,000 rows of ``lexquery synth``): memory stays flat with the file."""

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
        self.seen_ids: dict[str, int] = {}
        self.records = 0                  # records so far (MAX_ROWS)
        self.lines = self.spanning = self.extra_lines = self.split = 0
        self.ansi_lines = 0
        self.first_ansi_line: int | None = None
        self._rest = b""
        self._eof = False
        self.known = [c for c in header.columns if c in COLUMNS]

    # the scalar reader, from the current state --------------------------------------------
    def scalar_records(self, data: bytes, first_line: int) -> list:
        """The scalar reader's records of ``data`` (physical lines from ``first_line``), with the
        ids seen so far and the counters carried on."""
        stream = Utf8OrAnsiLines(io.BytesIO(data))
        stream.line_no = first_line - 1
        recs = Records(self.header, _Lines(stream, self.sep, self.ncols))
        recs.done = first_line - 1
        recs.seen_ids = self.seen_ids
        recs.records = self.records
        out = list(recs)
        self.records = recs.records
        self.lines += recs.lines
        self.spanning += recs.spanning
        self.extra_lines += recs.extra_lines
        self.split += recs.split
        if stream.ansi_lines:
            self.ansi_lines += stream.ansi_lines
            if self.first_ansi_line is None:
                self.first_ansi_line = stream.first_ansi_line
        return out

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
            more = self._read_more()
            if not more and not buf:
                return b""
            buf += more

    def __iter__(self):
        return self

    def __next__(self):
        data = self._next_bytes()
        if not data:
            raise StopIteration
        first = self.next_line
        if b'"' in data or (b"\r" in data and data.count(b"\r") != data.count(b"\r\n")):
            if not self._spans_ok(data):   # a quote or a lone CR: the scalar reader splits records
                return self._scalar(data, first)
        n = data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
        if self.records + n >= MAX_ROWS or (b"\r" in data and data.count(b"\r") != data.count(b"\r\n")):
            return self._scalar(data, first)
        self.next_line += n
        return self._vector(data, first, n)

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
            more = self._next_bytes()
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
        ends = np.flatnonzero(a == 10)
        starts = np.empty_like(ends)
        starts[0] = 0
        starts[1:] = ends[:-1] + 1
        seps = np.bincount(np.searchsorted(ends, np.flatnonzero(a == ord(self.sep))), minlength=len(ends))
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
        if odd.any():
            keep = np.flatnonzero(~odd)
            body = b"".join([data[starts[i]:ends[i] + 1] for i in keep])
        else:
            keep = None
            body = data
        lines = (np.arange(len(ends)) if keep is None else keep) + first
        df = self._typed(body, lines) if len(body) else None
        if df is None:
            df = self._typed(b"", np.zeros(0, dtype=np.int64))
        ok = df["__ok"].to_numpy() if df.height else np.zeros(0, dtype=bool)
        good_lines = df["line"].to_numpy()
        # in file order: the frame's rows (ids checked unique) and the lines read alone
        fall_line = set(np.flatnonzero(odd) + first)
        fall_line.update(good_lines[~ok].tolist())
        ids = df["id"].to_list() if "id" in df.columns else [None] * df.height
        seen = self.seen_ids
        take = np.zeros(df.height, dtype=bool)
        fallback = []
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
        frame = df.filter(pl.Series(take)).drop("__ok")
        return VectorBlock(frame, fallback, first, n, order)

    def _typed(self, body: bytes, lines) -> pl.DataFrame:
        """The typed columns of well-split lines, and ``__ok``: every cell as the compiled reader takes it."""
        cols = self.header.columns
        names = [c if c in COLUMNS else f"__unknown{i}" for i, c in enumerate(cols)]
        if body:
            raw = pl.read_csv(body, has_header=False, separator=self.sep, quote_char=None, infer_schema=False,
                              new_columns=names, eol_char="\n")
        else:
            raw = pl.DataFrame({c: pl.Series([], dtype=pl.Utf8) for c in names})
        return typed_frame(raw.select(self.known), np.asarray(lines, dtype=np.int64), self.as_of)


def _physical_lines(data: bytes) -> list:
    import re
    return re.findall(rb"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$", data)


# --- typing, column by column, as the compiled reader of a header -------------------------------
_DATE_RE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
_SPACES = "\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_EDGE = f"^[{_SPACES}]|[{_SPACES}]$"
"""A cell beginning or ending with a character that Python's ``str.strip`` removes and polars'
``strip_chars(" \\t")`` keeps (the non-ASCII spaces: ``[c for c in map(chr, range(128, 0x110000))
if c.isspace()]``; the ASCII ones other than space and tab are control characters, whose line
goes to the scalar reader)."""


def _cell(col: str) -> pl.Expr:
    s = pl.col(col).str.strip_chars(" \t")
    return pl.when(s == "").then(None).otherwise(s).alias(col)


def _date(e: pl.Expr):
    d = e.str.strptime(pl.Date, "%Y-%m-%d", strict=False)
    good = e.str.contains(_DATE_RE) & d.is_not_null() & (d >= DATE_MIN) & (d <= DATE_MAX)
    return pl.when(good).then(d).otherwise(None), e.is_null() | good


def typed_frame(raw: pl.DataFrame, lines, as_of: date) -> pl.DataFrame:
    """The interface's typed frame of raw text cells (one column per known CSV column), with
    ``__ok``: True where the compiled reader of the header would read every cell as is."""
    from ..engine.case import CODES, PROTECTION, REMOVAL_KINDS
    from ..engine.case import good_length
    cols = list(raw.columns)
    n = raw.height
    df = raw.with_columns([_cell(c) for c in cols])
    out: list = [pl.Series("line", lines, dtype=pl.Int64)]
    oks: list = []
    exprs: list = []
    none_list = list(NONE_LIST)
    for c in cols:
        kind = column_kind(c)
        e = pl.col(c)
        if kind == "str":
            exprs.append(e.alias(c))
            oks.append(e.is_null() | ~e.str.contains(_EDGE))
        elif kind == "bool":
            low = e.str.to_lowercase()
            v = (pl.when(low.is_in(list(TRUE))).then(True).when(low.is_in(list(FALSE))).then(False)
                 .otherwise(None))
            exprs.append(v.alias(c))
            oks.append(e.is_null() | low.is_in(list(TRUE | FALSE)))
        elif kind == "list":
            allowed = sorted(CODES) if c == "nationalities" else list(REMOVAL_KINDS)
            none = ~e.str.contains("|", literal=True) & e.str.to_lowercase().is_in(none_list)
            parts = e.str.split("|").list.eval(pl.element().str.strip_chars(" \t")) \
                .list.eval(pl.element().filter(pl.element() != ""))
            good = (parts.list.len() > 0) & parts.list.eval(pl.element().is_in(pl.lit(pl.Series(allowed)).implode())).list.all() \
                & (parts.list.n_unique() == parts.list.len()) \
                & ~parts.list.eval(pl.element().str.contains(_EDGE)).list.any()
            # a single value: taken as is only if it is the whole cell (no spaces inside to strip)
            exprs.append(pl.when(none).then(pl.lit([], dtype=pl.List(pl.Utf8))).otherwise(parts).alias(c))
            oks.append(e.is_null() | none | good)
        elif kind in ("date", "safety"):
            if kind == "safety":
                none = e.str.to_lowercase().is_in(none_list)
                d, good = _date(e)
                exprs += [pl.when(none).then(None).otherwise(d).alias(c), none.fill_null(False).alias(c + "__none")]
                oks.append(e.is_null() | none | good)
            else:
                d, good = _date(e)
                exprs.append(d.alias(c))
                oks.append(good)
        elif kind == "duration":
            uniq = df[c].drop_nulls().unique().to_list()
            table = {u: good_length(u) for u in uniq}
            from ..dates import _DURATION
            keys = [u for u, v in table.items() if v is not None]
            rows = []
            for u in keys:
                m = _DURATION.match(u)
                if u == "life" or m is None:
                    rows.append((u, None, None, None, table[u].months, table[u].days))
                else:
                    y, mo, w, d = (int(g) if g else 0 for g in m.groups())
                    rows.append((u, y, mo, 7 * w + d, table[u].months, table[u].days))
            look = pl.DataFrame(rows, schema={c: pl.Utf8, c + "__y": pl.Int32, c + "__m": pl.Int32,
                                              c + "__d": pl.Int32, c + "__months": pl.Int64,
                                              c + "__days": pl.Int64}, orient="row")
            df = df.join(look, on=c, how="left", maintain_order="left")
            exprs += [e.alias(c)] + [pl.col(c + s) for s in ("__y", "__m", "__d", "__months", "__days")]
            oks.append(e.is_null() | e.is_in(pl.Series(keys, dtype=pl.Utf8)))
        elif kind == "state":
            good = e.is_in(sorted(CODES))
            if c == "receiving_state":
                good = good & (e != "FR")
            exprs.append(e.alias(c))
            oks.append(e.is_null() | good)
        elif kind == "protection":
            exprs.append(e.alias(c))
            oks.append(e.is_null() | e.is_in(list(PROTECTION)))
        else:  # pragma: no cover - a new column type: type it here
            raise AssertionError((c, kind))
    # across cells (the end of the compiled reader): removal columns, id, start and end
    removal = [c for c in ("removal_destination", "removal_definitive", "removal_enforceable",
                           "removal_remedies_exhausted", "removal_end_date") if c in cols]
    any_removal = pl.any_horizontal([pl.col(c).is_not_null() for c in removal]) if removal else pl.lit(False)
    if "removal_kinds" in cols:
        kinds = pl.col("removal_kinds")
        nokinds = kinds.is_not_null() & kinds.str.contains("|", literal=True).not_() \
            & kinds.str.to_lowercase().is_in(none_list)
        oks.append(~(nokinds & any_removal))
        oks.append(~(kinds.is_null() & any_removal))
    else:
        oks.append(~any_removal)
    oks.append(pl.col("id").is_not_null() if "id" in cols else pl.lit(False))
    ok = pl.all_horizontal(oks) if oks else pl.lit(True)
    typed = df.select(exprs + [ok.fill_null(False).alias("__ok")]) if n else df.select(exprs + [ok.alias("__ok")])
    if "execution_start" in cols and "expected_end" in cols:
        typed = typed.with_columns((pl.col("__ok") & ~(pl.col("expected_end") < pl.col("execution_start"))
                                    .fill_null(False)).alias("__ok"))
    if "as_of" in cols:
        typed = typed.with_columns(pl.col("as_of").fill_null(as_of))
    else:
        typed = typed.with_columns(pl.lit(as_of, dtype=pl.Date).alias("as_of"))
    if "name" not in typed.columns:
        typed = typed.with_columns(pl.lit(None, dtype=pl.Utf8).alias("name"))
    if "id" not in typed.columns:
        typed = typed.with_columns(pl.lit(None, dtype=pl.Utf8).alias("id"))
    typed.insert_column(0, out[0])
    return typed


# --- the case of a frame row (the reference middle, and tests) ------------------------------
def case_of(row: dict, columns) -> dict:
    """The normalised case of one frame row, as the compiled reader gives it (``ready``), with
    ``as_of`` resolved: what the scalar engine is asked for that row."""
    from ..screening.csv_cases import _PLACE
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
