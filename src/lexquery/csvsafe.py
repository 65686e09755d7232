"""CSV cells that a spreadsheet will not run: formula (CSV) injection, OWASP « CSV Injection ».

A cell that begins with ``=``, ``+``, ``-``, ``@``, a tab (0x09) or a carriage return (0x0D)
is read as a formula by spreadsheet software (``=HYPERLINK(…)``, ``=cmd|…``). OWASP's
recommendation: prefix such a cell with a single quote ``'`` (and let the CSV writer quote
the cell as needed). Every CSV that lexquery writes passes the text it did not produce itself
(identifiers, names, courts, messages) through :func:`neutral` (docs/screening-csv.md).
"""
from __future__ import annotations

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutral(v):
    """``v`` with a leading ``'`` if it is a string a spreadsheet would read as a formula; a line
    break inside the cell written LF (a CR alone would not be quoted by Python's csv writer,
    whose line end is LF, and would end the row for a reader of CR-ended lines)."""
    if type(v) is str and v:
        if "\r" in v:
            v = v.replace("\r\n", "\n").replace("\r", "\n")
            if v[0] in "=+-@\t\n":
                return "'" + v
            return v
        if v[0] in "=+-@\t":
            return "'" + v
    return v
