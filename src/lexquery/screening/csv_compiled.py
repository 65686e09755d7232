"""The row reader compiled once per header of a screening CSV (speed, same answers).

:func:`reader_source` generates, from the case format's schema and the header's columns, a
``read(cells)`` giving the normalised case of a row whose every cell is well-formed (what
``read_case(row_to_raw(cells))`` gives, without the default ``as_of``), or None: the generic
reader then finds and words the problems. tests/test_case_reader_fast.py checks that both
give the same rows, cases and messages (docs/performance.md, 7).
"""
from __future__ import annotations

from .csv_cells import BOOLS, PLACE
from .csv_columns import COLUMNS, NONE_LIST


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
    how, head, tail = PLACE[col][1:]
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
        ns = {"_BOOLS": BOOLS, "_NONE_LIST": NONE_LIST, "_CODES": C.CODES, "_KINDS": frozenset(C.REMOVAL_KINDS),
              "_PROTECTION": frozenset(C.PROTECTION), "_DATES": C._FAST_DATES, "_LENGTHS": C._FAST_LENGTHS,
              "_good_date": C.good_date, "_good_length": C.good_length}
        exec(compile(reader_source(columns), "<lexquery.screening.csv_compiled: row reader of a header>", "exec"), ns)
        if len(_COMPILED) > 64:
            _COMPILED.clear()
        fn = _COMPILED[columns] = ns["read"]
    return fn
