"""Read a screening CSV (../shared/contract/screening-csv.md) as case dicts, streamed.

UTF-8 (a BOM is accepted), separator ``;`` or ``,`` detected on the header row, a header
row naming case-format keys in any order (missing columns = unknown for every row), an
empty cell = *unknown*, booleans ``oui/non``, ``true/false``, ``1/0``, lists separated by
``|`` (``aucun`` / ``aucune`` / ``none`` / ``[]`` = known to be none).

The reader never guesses and never stops on a bad row: :func:`iter_rows` yields one
:class:`Row` per data row with its line number and either the raw case dict (to be
checked by :func:`lexquery.engine.case.read_case`) or the problems found in the row.
:func:`iter_cases` goes one step further and validates each row with ``read_case``;
it is the public entry point other commands (``validate``) reuse.
"""
from __future__ import annotations

import csv
import difflib
import io
import sys
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Iterator

from ..errors import CaseError, InputError, NotFoundError, Problem

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
    "consent_transfer": ("consent.transfer", "bool"),
    "consent_consular_notification": ("consent.consular_notification", "bool"),
    "dual_criminality": ("dual_criminality", "bool"),
    "receiving_state": ("receiving_state", "raw"),
}
_REMOVAL_SHARED = ("removal_destination", "removal_definitive", "removal_enforceable",
                   "removal_remedies_exhausted")
TRUE = frozenset({"oui", "true", "1"})
FALSE = frozenset({"non", "false", "0"})
NONE_LIST = frozenset({"aucun", "aucune", "none", "[]"})
BOOL_EXPECTED = "oui/non, true/false ou 1/0 (cellule vide si inconnu)"


def column_of(path: str) -> str | None:
    """The CSV column a JSON path of the case comes from (``person.nationalities[1]`` → nationalities)."""
    if path.startswith("removal_measures"):
        tail = path.split(".", 1)[1] if "." in path else ""
        return {"kind": "removal_kinds", "destination": "removal_destination",
                "definitive": "removal_definitive", "enforceable": "removal_enforceable",
                "remedies_exhausted": "removal_remedies_exhausted"}.get(tail, "removal_kinds")
    if path.startswith("sentence.convictions"):
        return "court"
    base = path.split("[", 1)[0]
    for col, (p, _) in COLUMNS.items():
        if p == base:
            return col
    return None


@dataclass
class Row:
    """One data row: its first line number, and the raw case or the problems that stop it."""
    line: int
    raw: dict | None
    problems: list[Problem] = field(default_factory=list)
    id: str | None = None

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class Header:
    columns: list[str]
    separator: str
    unknown: list[tuple[str, str | None]]   # (column, closest known column)
    line: int = 1


def open_text(path) -> tuple[io.TextIOBase, str, int | None]:
    """Open a CSV path (``-`` = standard input) as text: (stream, label, size in bytes or None)."""
    if path in ("-", None):
        buf = sys.stdin.buffer
        return io.TextIOWrapper(buf, encoding="utf-8-sig", errors="replace", newline=""), "<stdin>", None
    p = Path(path)
    if not p.is_file():
        raise NotFoundError(f"fichier introuvable : {path}", hint="vérifiez le chemin")
    return open(p, encoding="utf-8-sig", errors="replace", newline=""), str(path), p.stat().st_size


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


def _read_header(stream) -> tuple[Header, Iterator[list[str]], list[int]]:
    first = stream.readline()
    line_no = 1
    while first and not first.strip():  # leading blank lines
        first = stream.readline()
        line_no += 1
    if not first:
        raise InputError("fichier CSV vide : la ligne d'en-tête manque",
                         expected="une ligne d'en-tête nommant les colonnes (id;nationalities;total;…)")
    sep = detect_separator(first.lstrip("\ufeff"))
    cols = [c.strip().lstrip("\ufeff") for c in next(csv.reader([first], delimiter=sep))]
    unknown = []
    for c in cols:
        if c and c not in COLUMNS:
            close = difflib.get_close_matches(c, list(COLUMNS), n=1, cutoff=0.6)
            unknown.append((c, close[0] if close else None))
    return Header(cols, sep, unknown, line_no), csv.reader(stream, delimiter=sep, strict=False), [line_no]


def _cell_problem(col, msg, expected=None, hint=None):
    return Problem(f"colonne « {col} »", msg, expected, hint)


_BOOLS = {**{t: True for t in TRUE}, **{t: False for t in FALSE}}


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
                problems.append(_cell_problem(col, f"valeur invalide « {text} »", BOOL_EXPECTED))
                continue
        elif kind == "list":
            val = [] if text.lower() in NONE_LIST else [x.strip() for x in text.split("|") if x.strip()]
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

    def row(self, rec: Record) -> Row:
        start = rec.line
        if rec.cells is None:
            return Row(start, None, [Problem(f"ligne {start}", f"ligne illisible : {rec.error}")])
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


def split_records(header: Header, reader) -> Iterator[Record]:
    """The data rows of the file as :class:`Record` (line numbers, unique ids checked), lazily."""
    cols = header.columns
    ncols = len(cols)
    id_idx = cols.index("id") if "id" in cols else None
    seen_ids: dict[str, int] = {}
    prev_end = header.line
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as e:  # e.g. a NUL byte: this row is lost, the batch goes on
            start = prev_end + 1
            prev_end = header.line + reader.line_num
            yield Record(start, None, str(e))
            continue
        start = prev_end + 1
        prev_end = header.line + reader.line_num
        if not cells or all(not c.strip() for c in cells):
            continue  # blank line: not a row
        rid = None
        if id_idx is not None and id_idx < len(cells):
            rid = cells[id_idx].strip() or None
        dup = None
        if rid is not None and len(cells) == ncols:
            dup = seen_ids.get(rid)
            if dup is None:
                seen_ids[rid] = start
        yield Record(start, cells, None, rid, dup)


def read_header(stream) -> tuple[Header, Iterator[Record]]:
    """Parse the header, then return an iterator of :class:`Record` (lazy)."""
    header, reader, _ = _read_header(stream)
    return header, split_records(header, reader)


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
