"""Split the data lines of a screening CSV into records (RFC 4180 §2, bounded).

A quoted cell may span lines (RFC 4180 §2.6), but a registry export is one detainee per
physical line: a stray quote, or lines ended by a CR alone, never merge detainees (issue 14
§1). :class:`Records` gives one :class:`Record` per data row, with its first line number, and
checks that ids are unique in the file; bounds: :data:`MAX_SPAN`, :data:`MAX_ROWS`.
"""
from __future__ import annotations

import csv
from collections import deque
from dataclasses import dataclass

from .csv_header import Header
from .csv_text import LONE_CR, MAX_LINE, TooLong, split_lone_cr

# A cell may be as long as a line (MAX_LINE): Python's csv module stops at 131,072 characters
# by default, which made a row the columnar reader answers an error row here (« field larger
# than field limit », review 29 D1). The limit is the module's, process-wide: raised, never lowered.
if csv.field_size_limit() < MAX_LINE + 1:
    csv.field_size_limit(MAX_LINE + 1)

MAX_SPAN = 64
"""Most physical lines one quoted cell may span (a note, an address on several lines)."""
MAX_ROWS = 5_000_000
"""Most data lines of one batch (the ids seen are kept to refuse duplicates): beyond, error rows."""


class _Runaway(Exception):
    """A quoted cell would take in a whole row, or more than MAX_SPAN lines: it is no cell."""


class _Overlong(Exception):
    """A physical line longer than MAX_LINE."""


class _Lines:
    """The physical lines given to ``csv.reader``, with the lines the current record took.

    A quoted cell may span lines (RFC 4180 §2.6), but a registry export is one detainee per
    physical line: a cell is not let to take in a line that is by itself a whole row (as many
    separators as the header), nor more than :data:`MAX_SPAN` lines — the reader then stops
    (:class:`_Runaway`) and :func:`split_records` reads the lines again one by one. Lines can be
    given back (``back``), first in first out."""

    def __init__(self, stream, sep: str, ncols: int, back=()):
        self.it = iter(stream)
        self.back = deque(back)
        self.taken: list[str] = []
        self.sep = sep
        self.full = max(ncols - 1, 0)   # separators of a whole row (one column: any line is one)

    def __iter__(self):
        return self

    def __next__(self) -> str:
        if self.back:
            line = self.back.popleft()
        else:
            line = next(self.it)
            if "\r" in line and not isinstance(line, TooLong) and LONE_CR.search(line):   # a text stream
                parts = split_lone_cr(line)
                line = parts[0]
                self.back.extend(parts[1:])
        taken = self.taken
        if taken:   # inside a quoted cell
            if isinstance(line, TooLong) or len(taken) >= MAX_SPAN or line.count(self.sep) >= self.full:
                self.back.appendleft(line)
                raise _Runaway
        elif isinstance(line, TooLong):
            taken.append(line)
            raise _Overlong
        if not line.endswith(("\n", "\r")):
            # the input's last line, without a line end: given one, so that a quote it opens and
            # does not close is open to the end as on any other line — read without it, csv took
            # « "MA » for MA and the answer changed with the file's last byte (review 29 D2)
            line += "\n"
        taken.append(line)
        return line

    def at_end(self) -> bool:
        """No line left (looked at without taking it)."""
        if self.back:
            return False
        try:
            self.back.append(next(self.it))
        except StopIteration:
            return True
        return False

    def give_back_all_but_first(self) -> str:
        """The first line of the current record; the others go back to be read again."""
        taken = self.taken
        self.back.extendleft(reversed(taken[1:]))
        self.taken = []
        return taken[0]


@dataclass
class Record:
    """One data row as split from the file: its first line and its cells (or the csv error),
    and the line where its id was first used if it repeats an earlier row's id."""
    line: int
    cells: list[str] | None
    error: str | None = None
    id: str | None = None
    dup_of: int | None = None



_UNCLOSED = ("guillemet ouvrant sans guillemet fermant : la ligne est lue seule, sans être répondue, "
             "et les lignes suivantes pour elles-mêmes")


class Records:
    """The data rows of the file as :class:`Record`, lazily; ids checked unique in the file.

    One record per physical line, unless a quoted cell really spans lines (it closes, the record
    has the header's number of cells, and no line it takes in is a whole row by itself): a stray
    quote, or lines ended by a CR alone, never merge detainees (issue 14 §1). Counts, for the
    summary (lines in = rows out): ``lines`` (non-blank data lines), ``spanning`` (records over
    several lines) and ``extra_lines`` (their lines after the first), ``split`` (lines read one
    by one after a stray quote). ``lines == records + extra_lines``."""

    def __init__(self, header: Header, lines: _Lines):
        self.header = header
        self.src = lines
        self.reader = csv.reader(lines, delimiter=header.separator, strict=False)
        cols = header.columns
        self.ncols = len(cols)
        self.id_idx = cols.index("id") if "id" in cols else None
        self.seen_ids: dict[str, int] = {}
        self.done = header.line          # physical lines consumed (header included)
        self.lines = self.records = self.spanning = self.extra_lines = self.split = 0

    def __iter__(self):
        return self

    def _id_of(self, line: str) -> str | None:
        """The id cell of a line read without quotes (to name an error row), if it has one."""
        if self.id_idx is None:
            return None
        cells = next(csv.reader([line.rstrip("\r\n")], delimiter=self.header.separator, quoting=csv.QUOTE_NONE), [])
        return (cells[self.id_idx].strip() or None) if len(cells) > self.id_idx else None

    def _alone(self, message: str, rid=False) -> Record | None:
        """The first line of what the reader took, as an error record; the others read again.
        None when that line holds nothing but spaces, separators and quotes: a blank line."""
        line = self.src.give_back_all_but_first()
        self.done += 1
        if rid and not any(c.strip() for c in line.replace('"', self.header.separator).split(self.header.separator)):
            return None
        self.lines += 1
        self.records += 1
        return Record(self.done, None, message, self._id_of(line) if rid else None)

    def __next__(self) -> Record:
        src, ncols = self.src, self.ncols
        while True:
            src.taken = []
            if self.records >= MAX_ROWS:   # past the bound: one error row a line, nothing kept
                try:
                    line = next(src)
                except (StopIteration, _Overlong):
                    if not src.taken:
                        raise StopIteration from None
                    line = src.taken[0]
                src.taken = []
                self.done += 1
                if not line.strip():
                    continue
                self.lines += 1
                self.records += 1
                return Record(self.done, None, f"au-delà de {MAX_ROWS} lignes de données dans un lot : "
                              "découpez l'export en plusieurs fichiers")
            try:
                cells = next(self.reader)
            except StopIteration:
                if src.taken:   # pragma: no cover - the reader gives what it took
                    return self._alone("ligne illisible")
                raise
            except _Runaway:
                rec = self._alone(_UNCLOSED, rid=True)
                if rec is None:
                    continue
                self.split += 1
                return rec
            except _Overlong:
                return self._alone(f"ligne trop longue : plus de {MAX_LINE // (1024 * 1024)} Mo, ses cellules ne sont "
                                   "pas lues")
            except csv.Error as e:  # e.g. a NUL byte: this line is lost, the batch goes on
                return self._alone(str(e))
            taken = src.taken
            span = len(taken)
            unclosed = bool(cells) and cells[-1][-1:] in ("\n", "\r") and src.at_end()   # open to the end
            if not unclosed and span > 1:
                trimmed = len(cells)
                while trimmed > ncols and not cells[trimmed - 1].strip():
                    trimmed -= 1
                unclosed = trimmed != ncols   # a quoted cell over several lines that does not make a row
            if unclosed:
                rec = self._alone(_UNCLOSED, rid=True)
                if rec is None:
                    continue
                self.split += 1
                return rec
            start = self.done + 1
            self.done += span
            if not cells or all(not c.strip() for c in cells):
                continue  # blank line: not a row
            self.lines += span
            self.records += 1
            if span > 1:
                self.spanning += 1
                self.extra_lines += span - 1
            # more cells than the header, even empty ones, are « cellules en trop » (csv_rows): a
            # separator too many before empty cells shifts the values after it, which nothing here
            # can tell from a trailing « ; » (review 29 D3: consent.transfer read from the column
            # before it). A spreadsheet that ends every line with « ; » ends its header so too: the
            # header then has that empty column (csv_header), and the lines match it.
            rid = None
            id_idx = self.id_idx
            if id_idx is not None and id_idx < len(cells):
                rid = cells[id_idx].strip() or None
            dup = None
            if rid is not None and len(cells) == ncols:
                dup = self.seen_ids.get(rid)
                if dup is None:
                    self.seen_ids[rid] = start
            return Record(start, cells, None, rid, dup)


def split_records(header: Header, stream, back=()) -> Records:
    """The data rows of a stream of lines past its header (``back``: lines already read past it,
    to read first) as :class:`Record` (line numbers, unique ids checked), lazily."""
    return Records(header, _Lines(stream, header.separator, len(header.columns), back))
