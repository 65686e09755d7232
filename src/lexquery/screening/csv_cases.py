"""Read a screening CSV (docs/screening-csv.md) as case dicts, streamed.

UTF-8 (a BOM is accepted; a line that is not UTF-8 is read as Windows-1252 and counted, see
:class:`Utf8OrAnsiLines`), separator ``;`` or ``,`` detected on the header row, a header
row naming case-format keys in any order (missing columns = unknown for every row), an
empty cell = *unknown*, booleans ``oui/non``, ``true/false``, ``1/0``, lists separated by
``|`` (``aucun`` / ``aucune`` / ``none`` / ``[]`` = known to be none).

The reader never guesses and never stops on a bad row: :func:`iter_rows` yields one
:class:`Row` per data row with its line number and either the raw case dict (to be
checked by :func:`lexquery.engine.case.read_case`) or the problems found in the row.
:func:`iter_cases` goes one step further and validates each row with ``read_case``;
it is the public entry point other commands (``validate``) reuse.

Speed: :class:`RowBuilder` compiles, once per header, a reader of the rows whose every
cell is well-formed (:func:`reader_source`): it gives the normalised case directly
(``Row.ready``, so that :func:`normalise` skips ``read_case``) and the raw case only if
asked for. Any other row goes through the generic reader (:func:`row_to_raw`, then
``read_case``), which words the problems; tests/test_case_reader_fast.py checks that both
give the same rows, cases and messages.
"""
from __future__ import annotations

import csv
import difflib
import io
import re
import sys
from collections import deque
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Iterator

from ..errors import CaseError, InputError, NotFoundError, Problem
from ..files import MAX_LINE_BYTES

# column -> (case-format path, kind); kinds: str, bool, list, raw (kept as text for read_case)
COLUMNS: dict[str, tuple[str, str]] = {
    "id": ("id", "str"),
    "as_of": ("as_of", "raw"),
    "name": ("person.name", "str"),
    "birth_date": ("person.birth_date", "raw"),
    "nationalities": ("person.nationalities", "list"),
    "habitual_residence": ("person.habitual_residence", "raw"),
    "location": ("person.location", "raw"),
    "protection": ("person.protection", "raw"),
    "fled_to": ("person.fled_to", "raw"),
    "protected_adult": ("person.protected_adult", "bool"),
    "incarcerated": ("detention.incarcerated", "bool"),
    "establishment": ("detention.establishment", "str"),
    "entry_date": ("detention.entry_date", "raw"),
    "last_list_date": ("detention.last_list_date", "raw"),
    "next_cap_date": ("detention.next_cap_date", "raw"),
    "final": ("sentence.final", "bool"),
    "custodial": ("sentence.custodial", "bool"),
    "total": ("sentence.total", "raw"),
    "execution_start": ("sentence.execution_start", "raw"),
    "expected_end": ("sentence.expected_end", "raw"),
    "safety_period_end": ("sentence.safety_period_end", "safety"),
    "legal_recidivism": ("sentence.legal_recidivism", "bool"),
    "lsc_plein_droit_excluded": ("sentence.lsc_plein_droit_excluded", "bool"),
    "court": ("sentence.convictions[0].court", "str"),
    "removal_kinds": ("removal_measures[].kind", "list"),
    "removal_destination": ("removal_measures[].destination", "raw"),
    "removal_definitive": ("removal_measures[].definitive", "bool"),
    "removal_enforceable": ("removal_measures[].enforceable", "bool"),
    "removal_remedies_exhausted": ("removal_measures[].remedies_exhausted", "bool"),
    "removal_end_date": ("removal_measures[].end_date", "raw"),
    "consent_transfer": ("consent.transfer", "bool"),
    "consent_consular_notification": ("consent.consular_notification", "bool"),
    "dual_criminality": ("dual_criminality", "bool"),
    "receiving_state": ("receiving_state", "raw"),
    "suspect_hearing": ("identification.suspect_hearing", "bool"),
    "offence_max_penalty": ("identification.offence_max_penalty", "raw"),
    "refuses_identity": ("identification.refuses_identity", "bool"),
    "false_identity": ("identification.false_identity", "bool"),
    "prosecutor_authorisation": ("identification.prosecutor_authorisation", "bool"),
}
_REMOVAL_SHARED = ("removal_destination", "removal_definitive", "removal_enforceable",
                   "removal_remedies_exhausted", "removal_end_date")
TRUE = frozenset({"oui", "true", "1"})
FALSE = frozenset({"non", "false", "0"})
NONE_LIST = frozenset({"aucun", "aucune", "none", "[]"})
BOOL_EXPECTED = "oui/non, true/false ou 1/0 (cellule vide si inconnu)"
LIST_EXPECTED = {"nationalities": "des codes ISO 3166-1 séparés par | (ex. RO|MA), ou « aucune » (apatride)",
                 "removal_kinds": "des natures de mesure séparées par | (ex. ITF|OQTF), ou « aucune »"}


def column_of(path: str) -> str | None:
    """The CSV column a JSON path of the case comes from (``person.nationalities[1]`` → nationalities)."""
    if path.startswith("removal_measures"):
        tail = path.split(".", 1)[1] if "." in path else ""
        return {"kind": "removal_kinds", "destination": "removal_destination",
                "definitive": "removal_definitive", "enforceable": "removal_enforceable",
                "remedies_exhausted": "removal_remedies_exhausted",
                "end_date": "removal_end_date"}.get(tail, "removal_kinds")
    if path.startswith("sentence.convictions"):
        return "court"
    base = path.split("[", 1)[0]
    for col, (p, _) in COLUMNS.items():
        if p == base:
            return col
    return None


@dataclass
class Row:
    """One data row: its first line number, and the raw case or the problems that stop it.

    ``ready`` is the normalised case (as ``read_case(raw)`` gives it, without the default
    ``as_of``) when the compiled reader of the header found every cell well-formed; else None.
    """
    line: int
    raw: dict | None
    problems: list[Problem] = field(default_factory=list)
    id: str | None = None
    ready: dict | None = field(default=None, repr=False, compare=False)

    @property
    def ok(self) -> bool:
        return not self.problems


class _ReadyRow(Row):
    """A row whose every cell the compiled reader of the header found well-formed: ``ready``
    is its normalised case; ``raw`` is built (by the generic reader) only when asked for."""

    def __init__(self, rec, builder, ready: dict):
        self.line, self.problems, self.id, self.ready = rec.line, [], rec.id, ready
        self._rec, self._builder, self._raw = rec, builder, None

    @property
    def raw(self) -> dict:
        if self._raw is None:
            self._raw = self._builder._row_generic(self._rec).raw
        return self._raw

    @raw.setter
    def raw(self, value):
        self._raw = value

    def as_row(self) -> Row:
        return Row(self.line, self.raw, self.problems, self.id, self.ready)

    def __eq__(self, other):
        if isinstance(other, Row):
            return self.as_row() == (other.as_row() if isinstance(other, _ReadyRow) else other)
        return NotImplemented

    __hash__ = None

    def __reduce__(self):   # pickled as the plain Row it stands for
        return Row, (self.line, self.raw, self.problems, self.id, self.ready)


@dataclass
class Header:
    columns: list[str]
    separator: str
    unknown: list[tuple[str, str | None]]   # (column, closest known column)
    line: int = 1


MAX_LINE = MAX_LINE_BYTES
"""Longest physical line read (bytes): a longer one is one error row, the batch goes on."""
MAX_SPAN = 64
"""Most physical lines one quoted cell may span (a note, an address on several lines)."""
MAX_ROWS = 5_000_000
"""Most data lines of one batch (the ids seen are kept to refuse duplicates): beyond, error rows."""

_EOL = re.compile(rb"\r\n|\r|\n")
_LONE_CR = re.compile(r"\r(?!\n)")
_STR_LINES = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")


class TooLong(str):
    """A physical line longer than :data:`MAX_LINE`, cut (its start only): one error row."""


class Utf8OrAnsiLines:
    """The physical lines of a binary stream as text: UTF-8 (a BOM is dropped), and a line that
    is not UTF-8 read as Windows-1252 — what spreadsheet software writes when it saves « CSV » on a
    French Windows — instead of losing its accented letters to U+FFFD. Such lines are counted
    (``ansi_lines``, ``first_ansi_line``) so that the summary says so: the codes, dates and ids
    the rules read are ASCII either way; only names and free texts depend on the encoding.

    A line ends with LF, CRLF or a CR alone (old spreadsheet « CSV » files end lines with CR:
    RFC 4180 §2 says CRLF, Classic Mac OS wrote CR). A line longer than :data:`MAX_LINE` bytes is
    given cut, as a :class:`TooLong` (the rest of it is skipped without being kept in memory)."""

    def __init__(self, raw):
        self.buffer = raw          # for the progress bar (tell) and close
        self.line_no = 0
        self.ansi_lines = 0
        self.first_ansi_line: int | None = None
        self._carry = b""          # bytes read past the last line given (slow path only)
        self._pos = 0
        self._eof = False

    def _raw_line(self) -> bytes:
        if not self._carry:    # the common case: one readline, an LF (or CRLF) end, no lone CR
            b = self.buffer.readline(MAX_LINE + 1)
            n = len(b)
            # no CR before the end, and a CR only as the CR of CRLF (or the very last byte)
            if n <= MAX_LINE and b.find(b"\r", 0, n - 2) < 0 and (n < 2 or b[-2] != 13 or b[-1] == 10):
                return b
            self._carry, self._pos = b, 0
        while True:
            carry, pos = self._carry, self._pos
            m = _EOL.search(carry, pos)
            if m is not None and (m.end() < len(carry) or m.group() != b"\r" or self._eof):
                if m.end() - pos > MAX_LINE:
                    return self._too_long(carry[pos:pos + MAX_LINE], m.end())
                self._pos = m.end()
                if self._pos >= len(carry):
                    self._carry, self._pos = b"", 0
                return carry[pos:m.end()]
            if len(carry) - pos > MAX_LINE:
                return self._too_long(carry[pos:pos + MAX_LINE], None)
            more = b"" if self._eof else self.buffer.read(65536)
            if not more:
                self._eof = True
                if m is not None:
                    continue
                self._carry, self._pos = b"", 0
                return carry[pos:]
            self._carry, self._pos = carry[pos:] + more, 0

    def _too_long(self, start: bytes, end: int | None) -> TooLong:
        """Skip the rest of an overlong line (to its end, reading in blocks); its start, as TooLong."""
        if end is not None:
            self._carry, self._pos = self._carry[end:], 0
        else:
            self._carry, self._pos = b"", 0
            while True:
                more = self.buffer.read(65536)
                if not more:
                    self._eof = True
                    break
                m = _EOL.search(more)
                if m is not None:
                    self._carry = more[m.end():]
                    break
        return TooLong(start.decode("utf-8", errors="replace"))

    def readline(self) -> str:
        b = self._raw_line()
        if not b:
            return ""
        self.line_no += 1
        if isinstance(b, TooLong):
            return b
        if self.line_no == 1 and b.startswith(b"\xef\xbb\xbf"):
            b = b[3:]
        try:
            return b.decode("utf-8")
        except UnicodeDecodeError:
            self.ansi_lines += 1
            if self.first_ansi_line is None:
                self.first_ansi_line = self.line_no
            return b.decode("cp1252", errors="replace")

    def __iter__(self):
        return self

    def __next__(self) -> str:
        line = self.readline()
        if not line:
            raise StopIteration
        return line

    def close(self):
        self.buffer.close()


def open_text(path) -> tuple[Utf8OrAnsiLines, str, int | None]:
    """Open a CSV path (``-`` = standard input) as lines of text (:class:`Utf8OrAnsiLines`):
    (stream, label, size in bytes or None)."""
    if path in ("-", None):
        return Utf8OrAnsiLines(sys.stdin.buffer), "<stdin>", None
    from ..files import input_kind
    p = Path(path)
    kind = input_kind(p)
    if kind == "missing":
        raise NotFoundError(f"fichier introuvable : {path}", hint="vérifiez le chemin")
    if kind in ("dir", "other"):
        raise InputError(f"ce n'est pas un fichier : {path}" + (" (un dossier)" if kind == "dir" else ""), where=str(path),
                         expected="un export CSV du greffe, un tube (<(…)) ou - pour l'entrée standard")
    try:
        f = open(p, "rb")
    except OSError as e:
        raise InputError(f"fichier illisible : {e.strerror or e}", where=str(path),
                         hint="vérifiez les droits de lecture du fichier") from None
    return Utf8OrAnsiLines(f), str(path), (p.stat().st_size if kind == "file" else None)


def detect_separator(header_line: str) -> str:
    """``;`` or ``,``: whichever splits the header row into more cells (outside quotes)."""
    counts = {";": 0, ",": 0}
    quoted = False
    for ch in header_line:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in counts:
            counts[ch] += 1
    return ";" if counts[";"] > counts[","] else ","


def _read_header(stream) -> tuple[Header, "_Lines"]:
    first = stream.readline()
    line_no = 1
    rest: list[str] = []
    while True:
        if first and not isinstance(first, TooLong) and _LONE_CR.search(first):   # CR-only lines (text stream)
            parts = _STR_LINES.findall(first)
            first, rest = parts[0], parts[1:] + rest
        if not first or first.strip():
            break
        first = rest.pop(0) if rest else stream.readline()   # leading blank lines
        line_no += 1
    if not first:
        raise InputError("fichier CSV vide : la ligne d'en-tête manque",
                         expected="une ligne d'en-tête nommant les colonnes (id;nationalities;total;…)")
    if isinstance(first, TooLong):
        raise InputError(f"ligne d'en-tête trop longue : plus de {MAX_LINE // (1024 * 1024)} Mo", where=f"ligne {line_no}",
                         expected="une ligne d'en-tête nommant les colonnes (id;nationalities;total;…)",
                         hint="est-ce bien un export CSV du greffe ?")
    sep = detect_separator(first.lstrip("\ufeff"))
    cols = [c.strip().lstrip("\ufeff") for c in next(csv.reader([first], delimiter=sep))]
    unknown = []
    for c in cols:
        if c and c not in COLUMNS:
            close = difflib.get_close_matches(c, list(COLUMNS), n=1, cutoff=0.6)
            unknown.append((c, close[0] if close else None))
    header = Header(cols, sep, unknown, line_no)
    return header, _Lines(stream, sep, len(cols), rest)


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
            if "\r" in line and not isinstance(line, TooLong) and _LONE_CR.search(line):   # a text stream
                parts = _STR_LINES.findall(line)
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


def _cell_problem(col, msg, expected=None, hint=None):
    return Problem(f"colonne « {col} »", msg, expected, hint)


_BOOLS = {**{t: True for t in TRUE}, **{t: False for t in FALSE}}
# other ways registries write yes and no: refused (the format's words are the contract) with a hint
_BOOL_WRITTEN_OTHERWISE = {"o": "oui", "n": "non", "vrai": "oui", "faux": "non", "yes": "oui", "no": "non",
                           "y": "oui"}


def _placement(col: str, path: str) -> tuple[str, str | None, str | None]:
    """Where a column's value goes in the raw case: (how, head key, tail key)."""
    if col == "removal_kinds":
        return "kinds", None, None
    if col in _REMOVAL_SHARED:
        return "removal", None, path.rsplit(".", 1)[1]
    if col == "court":
        return "court", None, None
    if "." in path:
        head, tail = path.split(".", 1)
        return "nested", head, tail
    return "top", path, None


_PLACE = {col: (kind,) + _placement(col, path) for col, (path, kind) in COLUMNS.items()}


def row_to_raw(cells: dict[str, str]) -> tuple[dict, list[Problem]]:
    """Turn one row's non-empty cells (column -> text) into a raw case dict (JSON format)."""
    raw: dict = {}
    problems: list[Problem] = []
    removal: dict = {}
    kinds = None
    for col, text in cells.items():
        kind, how, head, tail = _PLACE[col]
        if kind == "bool":
            val = _BOOLS.get(text.lower())
            if val is None:
                close = _BOOL_WRITTEN_OTHERWISE.get(text.lower())
                problems.append(_cell_problem(col, f"valeur invalide « {text} »", BOOL_EXPECTED,
                                              f"écrivez « {close} »" if close else None))
                continue
        elif kind == "list":
            if text.lower() in NONE_LIST:
                val = []
            else:
                val = [x.strip() for x in text.split("|") if x.strip()]
                if not val:   # « | »: neither a value nor « aucune » — never read as « none »
                    problems.append(_cell_problem(col, f"liste sans valeur « {text} »", LIST_EXPECTED[col],
                                                  "laissez la cellule vide si c'est inconnu"))
                    continue
                if col == "removal_kinds" and len(set(val)) < len(val):
                    twice = next(x for x in val if val.count(x) > 1)
                    problems.append(_cell_problem(col, f"mesure « {twice} » répétée dans « {text} »",
                                                  "chaque nature de mesure une seule fois (ex. ITF|OQTF)",
                                                  "les colonnes removal_* valent pour toutes les mesures "
                                                  "de la ligne : une nature répétée ferait deux mesures identiques"))
                    continue
        elif kind == "safety":
            val = "none" if text.lower() in NONE_LIST else text
        else:
            val = text
        if how == "nested":
            sub = raw.get(head)
            if sub is None:
                sub = raw[head] = {}
            sub[tail] = val
        elif how == "top":
            raw[head] = val
        elif how == "kinds":
            kinds = val
        elif how == "removal":
            removal[tail] = val
        else:  # court
            raw.setdefault("sentence", {})["convictions"] = [{"court": val}]
    if kinds is not None:
        raw["removal_measures"] = [dict(removal, kind=k) for k in kinds]
        if not kinds and removal:
            problems.append(_cell_problem(
                next(c for c in _REMOVAL_SHARED if c in cells),
                "renseignée alors que removal_kinds dit « aucune mesure »",
                "removal_kinds non vide (ex. ITF|OQTF), ou cette cellule vide"))
    elif removal:
        problems.append(_cell_problem(
            next(c for c in _REMOVAL_SHARED if c in cells),
            "renseignée sans removal_kinds : à quelle mesure s'applique-t-elle ?",
            "removal_kinds renseignée (ex. ITF|OQTF) dans la même ligne",
            "indiquez la nature de la mesure, ou laissez les colonnes removal_* vides (inconnu)"))
    return raw, problems


# --- the compiled reader of a header: one function per header, generated ------------------
def _json_type(path: str):
    """The case format's type of a column's path (``removal_measures[].destination`` → state)."""
    from ..engine.case import MEASURE, SCHEMA
    if path.startswith("removal_measures[]."):
        return MEASURE[path.split(".", 1)[1]]
    node = SCHEMA
    for part in path.split("."):
        node = node[part]
    return node


_GOOD_DATE = ["b = _DATES.get(v)", "if b is None:", "    b = _good_date(v)", "    if b is None: return None"]


def _column_source(i: int, col: str) -> list[str]:
    """Source that reads cell ``i`` (column ``col``) into ``b``, its value in the normalised
    case (as read_case gives it from row_to_raw's value), and places it; ``return None`` at
    any irregularity (the generic reader then finds and words it)."""
    path, kind = COLUMNS[col]
    how, head, tail = _PLACE[col][1:]
    body: list[str] = []
    if kind == "bool":
        body += ["b = _BOOLS.get(v.lower())", "if b is None: return None"]
    elif kind == "list":   # one value (most cells) or several; "aucune" = known none
        ok = "_CODES" if col == "nationalities" else "_KINDS"
        body += ["if '|' not in v:",
                 f"    if v in {ok}: b = [v]",
                 "    elif v.lower() in _NONE_LIST: b = []",
                 "    else: return None",
                 "else:",
                 "    b = [x.strip() for x in v.split('|') if x.strip()]",
                 "    if not b: return None",
                 "    for x in b:",
                 f"        if x not in {ok}: return None",
                 "    if len(set(b)) < len(b): return None"]
    elif kind == "safety":
        body += ["if v.lower() in _NONE_LIST:", "    b = None", "else:"] + ["    " + x for x in _GOOD_DATE]
    elif kind == "str":
        body += ["b = v"]
    else:  # kept as text by row_to_raw: typed by read_case
        t = _json_type(path)
        if t == "date":
            body += _GOOD_DATE
        elif t == "duration":
            body += ["b = _LENGTHS.get(v)", "if b is None:", "    b = _good_length(v)", "    if b is None: return None"]
        elif t == "state":
            body += ["if v not in _CODES: return None", "b = v"]
            if path == "receiving_state":
                body += ["if v == 'FR': return None"]
        elif t == "protection":
            body += ["if v not in _PROTECTION: return None", "b = v"]
        else:  # pragma: no cover - a new column type: write its check here
            raise AssertionError((col, t))
    # an object enters the case with its first value: row_to_raw's order, hence read_case's
    if how == "top":
        body += [f"rd[{head!r}] = b"]
    elif how == "nested":
        body += [f"if not q_{head}: rd[{head!r}] = q_{head}", f"q_{head}[{tail!r}] = b"]
    elif how == "kinds":
        body += ["kinds = b"]
    elif how == "removal":
        body += [f"removal[{tail!r}] = b"]
    else:  # court
        body += ["if not q_sentence: rd['sentence'] = q_sentence", "q_sentence['convictions'] = [{'court': b}]"]
    return [f"v = cells[{i}]", "if v:", "    v = v.strip()", "    if v:"] + ["        " + x for x in body]


_OBJECTS = ("person", "detention", "sentence", "consent", "identification")   # the heads of "nested" columns


def reader_source(columns: tuple[str, ...]) -> str:
    """The source of ``read(cells)`` for a header whose known columns each appear once: the
    normalised case of the row (``read_case(row_to_raw(cells))`` without the default
    ``as_of``), or None if the row is not well-formed in every cell and across cells."""
    lines = ["def read(cells):", "    rd = {}", "    kinds = None", "    removal = {}"]
    lines += [f"    q_{h} = {{}}" for h in _OBJECTS]
    for i, col in enumerate(columns):
        if col in COLUMNS:
            lines += ["    " + x for x in _column_source(i, col)]
    lines += ["    if kinds is not None:",
              "        if not kinds and removal: return None",
              "        rd['removal_measures'] = [dict(removal, kind=k) for k in kinds]",
              "    elif removal: return None",
              "    if 'id' not in rd: return None",
              "    if q_sentence:",
              "        start, end = q_sentence.get('execution_start'), q_sentence.get('expected_end')",
              "        if start is not None and end is not None and end < start: return None",
              "    return rd", ""]
    return "\n".join(lines)


_COMPILED: dict = {}


def compiled_reader(columns: tuple[str, ...]):
    """``read(cells)`` of :func:`reader_source`, compiled once per header."""
    fn = _COMPILED.get(columns)
    if fn is None:
        from ..engine import case as C
        ns = {"_BOOLS": _BOOLS, "_NONE_LIST": NONE_LIST, "_CODES": C.CODES, "_KINDS": frozenset(C.REMOVAL_KINDS),
              "_PROTECTION": frozenset(C.PROTECTION), "_DATES": C._FAST_DATES, "_LENGTHS": C._FAST_LENGTHS,
              "_good_date": C.good_date, "_good_length": C.good_length}
        exec(compile(reader_source(columns), "<lexquery.screening.csv_cases: row reader of a header>", "exec"), ns)
        if len(_COMPILED) > 64:
            _COMPILED.clear()
        fn = _COMPILED[columns] = ns["read"]
    return fn


@dataclass
class Record:
    """One data row as split from the file: its first line and its cells (or the csv error),
    and the line where its id was first used if it repeats an earlier row's id."""
    line: int
    cells: list[str] | None
    error: str | None = None
    id: str | None = None
    dup_of: int | None = None


class RowBuilder:
    """Turns a :class:`Record` into a :class:`Row` (raw case or problems), knowing the header.

    Separate from the splitting so that screening workers can check rows while the main
    process only splits the file and watches the ids (which must be unique in the whole file).
    """

    def __init__(self, header: Header):
        self.header = header
        cols = header.columns
        self.known = [(i, c) for i, c in enumerate(cols) if c in COLUMNS]
        self.ncols = len(cols)
        self.unknown_problems = [
            Problem(f"colonne « {c} »", f"colonne inconnue « {c} » (en-tête, ligne {header.line})",
                    "une colonne du format screening-csv (id, nationalities, total, …)",
                    f"vouliez-vous dire « {close} » ?" if close else "retirez-la ou renommez-la")
            for c, close in header.unknown]
        first: dict[str, int] = {}
        for i, c in enumerate(cols):
            if c in COLUMNS and c in first:
                self.unknown_problems.append(Problem(
                    f"colonne « {c} »", f"colonne « {c} » répétée dans l'en-tête (colonnes {first[c] + 1} et {i + 1}, "
                    f"ligne {header.line})", "chaque colonne une seule fois",
                    "retirez l'une des deux : laquelle croire ne se devine pas"))
            first.setdefault(c, i)
        self.__setstate__({})   # the compiled reader of this header (a known column repeated: none)

    def __getstate__(self):   # the compiled reader is not picklable: compiled again on loading
        return {k: v for k, v in self.__dict__.items() if k != "_fast"}

    def __setstate__(self, state):
        self.__dict__.update(state)
        names = [c for _, c in self.known]
        self._fast = (compiled_reader(tuple(self.header.columns))
                      if not self.unknown_problems and len(set(names)) == len(names) else None)

    def row(self, rec: Record) -> Row:
        """The row of a record: a :class:`Row` with its raw case (or its problems); a row
        well-formed in every cell also has its normalised case (``ready``), read by the
        reader compiled for the header, and its raw case is built only if asked for."""
        fast = self._fast
        cells = rec.cells
        if fast is not None and cells is not None and rec.dup_of is None and len(cells) == self.ncols:
            try:
                ready = fast(cells)
            except Exception:   # pragma: no cover - a defect of the compiled reader: the generic one decides
                ready = None
            if ready is not None:
                return _ReadyRow(rec, self, ready)
        return self._row_generic(rec)

    def _row_generic(self, rec: Record) -> Row:
        start = rec.line
        if rec.cells is None:
            return Row(start, None, [Problem(f"ligne {start}", f"ligne illisible : {rec.error}")], rec.id)
        cells, ncols = rec.cells, self.ncols
        problems = list(self.unknown_problems)
        if len(cells) != ncols:
            what = "ligne incomplète (tronquée ?)" if len(cells) < ncols else "cellules en trop"
            problems.append(Problem(f"ligne {start}", f"{what} : {len(cells)} cellule(s) pour {ncols} colonne(s)",
                                    f"{ncols} cellules séparées par « {self.header.separator} »",
                                    "vérifiez les guillemets et les séparateurs de cette ligne"))
            return Row(start, None, problems, rec.id)
        present = {}
        for i, c in self.known:
            v = cells[i]
            if v:
                v = v.strip()
                if v:
                    present[c] = v
        raw, ps = row_to_raw(present)
        problems += ps
        if rec.dup_of is not None:
            problems.append(Problem("colonne « id »", f"identifiant « {rec.id} » déjà utilisé ligne {rec.dup_of}",
                                    "un identifiant unique dans le lot"))
        return Row(start, raw, problems, rec.id)


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
            if len(cells) > ncols and not any(c.strip() for c in cells[ncols:]):
                del cells[ncols:]   # empty cells past the last column (a spreadsheet's trailing « ; »): nothing lost
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


def split_records(header: Header, lines: _Lines) -> Records:
    """The data rows of the file as :class:`Record` (line numbers, unique ids checked), lazily."""
    return Records(header, lines)


def read_header(stream) -> tuple[Header, Records]:
    """Parse the header, then return an iterator of :class:`Record` (lazy)."""
    header, lines = _read_header(stream)
    return header, split_records(header, lines)


def read_rows(stream) -> tuple[Header, Iterator[Row]]:
    """Parse the header, then return an iterator of :class:`Row` (lazy, one row at a time)."""
    header, records = read_header(stream)
    build = RowBuilder(header).row
    return header, (build(r) for r in records)


def describe(problems: list[Problem]) -> str:
    """One line for an error row: every problem, CSV columns rather than JSON paths."""
    out = []
    for p in problems:
        where = p.where
        if not where.startswith(("colonne", "ligne")):
            col = column_of(where)
            where = f"colonne « {col} » ({p.where})" if col else p.where
        expected = p.expected
        if expected and expected.startswith("true ou false"):
            expected = BOOL_EXPECTED
        s = f"{where} : {p.message}"
        if expected:
            s += f" (attendu : {expected})"
        if p.hint:
            s += f" — {p.hint}"
        out.append(s)
    return " ; ".join(out)


def normalise(row: Row, default_as_of: date | None, source: str | None = None) -> dict:
    """Validate a row with read_case; raise CaseError (its problems in CSV terms) if it cannot be read."""
    from ..engine.case import read_case
    if row.problems:
        extra = []
        if row.raw is not None:
            try:
                read_case(row.raw, source, default_as_of=default_as_of)
            except CaseError as e:
                extra = e.problems
        raise CaseError(row.problems + extra, source)
    if row.ready is not None:   # every cell well-formed: read_case(row.raw) would give this
        case = dict(row.ready)
        if "as_of" not in case:
            case["as_of"] = default_as_of or date.today()
    else:
        case = read_case(row.raw, source, default_as_of=default_as_of)
    case["__normalised__"] = True
    return case


@dataclass
class CsvCase:
    """What :func:`iter_cases` yields: the line, the id, and the normalised case or the error."""
    line: int
    id: str | None
    raw: dict | None
    case: dict | None
    error: CaseError | None


def iter_cases(path, default_as_of: date | None = None, validate: bool = True) -> Iterator[CsvCase]:
    """Stream the rows of a screening CSV (path or ``-``) as :class:`CsvCase`, one per data row.

    ``validate=False`` skips ``read_case`` (``raw`` is the case in the JSON format, for
    another validator such as SHACL); CSV-level problems are still reported in ``error``.
    """
    stream, label, _ = open_text(path)
    try:
        _, rows = read_rows(stream)
        for row in rows:
            src = f"{label}:{row.line}"
            if not validate:
                err = CaseError(row.problems, src) if row.problems else None
                yield CsvCase(row.line, row.id, row.raw, None, err)
                continue
            try:
                yield CsvCase(row.line, row.id, row.raw, normalise(row, default_as_of, src), None)
            except CaseError as e:
                yield CsvCase(row.line, row.id, row.raw, None, e)
    finally:
        if stream is not sys.stdin and path not in ("-", None):
            stream.close()
