"""Rows of a screening CSV: a :class:`Record` read against the header as a raw or normalised case.

:class:`RowBuilder` (picklable, for the screening workers) gives a :class:`Row` per record:
the raw case or the problems that stop it; a row well-formed in every cell also gets its
normalised case from the reader compiled for the header (:mod:`.csv_compiled`).
:func:`normalise` validates a row with :func:`lexquery.engine.case.read_case`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from ..errors import CaseError, Problem
from .csv_cells import row_to_raw
from .csv_columns import COLUMNS
from .csv_compiled import compiled_reader
from .csv_header import Header
from .csv_records import Record


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
            hint = "vérifiez les guillemets et les séparateurs de cette ligne"
            if len(cells) > ncols and not any(c.strip() for c in cells[ncols:]):
                # empty cells past the last column: a « ; » at the end of every line (then end the
                # header so too), or a separator too many that shifts this line (review 29 D3)
                hint = (f"les cellules en trop sont vides : si toutes les lignes finissent par « {self.header.separator} », "
                        "terminez l'en-tête de même ; sinon un séparateur de trop décale les valeurs de cette ligne")
            problems.append(Problem(f"ligne {start}", f"{what} : {len(cells)} cellule(s) pour {ncols} colonne(s)",
                                    f"{ncols} cellules séparées par « {self.header.separator} »", hint))
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
