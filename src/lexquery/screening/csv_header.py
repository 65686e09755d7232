"""The header row of a screening CSV (docs/screening-csv.md): separator and columns.

The separator, ``;`` or ``,``, is whichever splits the header row into more cells outside
quotes (:func:`detect_separator`); the header names case-format keys in any order, an
unknown name is kept with the closest known column (``difflib``) for the message.
"""
from __future__ import annotations

import csv
import difflib
from dataclasses import dataclass

from ..errors import InputError
from .csv_columns import COLUMNS
from .csv_text import LONE_CR, MAX_LINE, TooLong, split_lone_cr


@dataclass
class Header:
    columns: list[str]
    separator: str
    unknown: list[tuple[str, str | None]]   # (column, closest known column)
    line: int = 1



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


def parse_header(stream) -> tuple[Header, list[str]]:
    """The header row of a stream of lines (leading blank lines skipped), and the lines already
    read past it (a text stream's line cut at lone CRs): (header, lines to read first)."""
    first = stream.readline()
    line_no = 1
    rest: list[str] = []
    while True:
        if first and not isinstance(first, TooLong) and LONE_CR.search(first):   # CR-only lines (text stream)
            parts = split_lone_cr(first)
            first, rest = parts[0], parts[1:] + rest
        if not first or first.strip():
            break
        first = rest.pop(0) if rest else stream.readline()   # leading blank lines
        line_no += 1
    # the file named with the line (README « Exit codes »: file:line; review 29 D7), when the
    # stream knows its name (csv_text.open_text)
    label = getattr(stream, "label", None)
    where = f"{label}:{line_no}" if label else f"ligne {line_no}"
    if not first:
        raise InputError("fichier CSV vide : la ligne d'en-tête manque", where=where,
                         expected="une ligne d'en-tête nommant les colonnes (id;nationalities;total;…)",
                         message_en="empty CSV file: the header line is missing",
                         expected_en="a header line naming the columns (id;nationalities;total;…)")
    if isinstance(first, TooLong):
        mb = MAX_LINE // (1024 * 1024)
        raise InputError(f"ligne d'en-tête trop longue : plus de {mb} Mo", where=where,
                         expected="une ligne d'en-tête nommant les colonnes (id;nationalities;total;…)",
                         hint="est-ce bien un export CSV du greffe ?",
                         message_en=f"header line too long: over {mb} MB",
                         expected_en="a header line naming the columns (id;nationalities;total;…)",
                         hint_en="is this a CSV export of the prison registry?")
    if first.startswith(("\xff\xfe", "\xfe\xff", "ÿþ", "þÿ")) or "\x00" in first:
        # a UTF-16 export (a spreadsheet's « Unicode text »): its bytes read as Windows-1252 gave
        # one unknown column per NUL-padded name (review 29, U8) — said once, for the file
        raise InputError("fichier en UTF-16 (octets nuls dans l'en-tête) : il n'est pas lu", where=where,
                         expected="un export CSV en UTF-8 (ou Windows-1252)",
                         hint="enregistrez-le en UTF-8 (« CSV UTF-8 » dans un tableur)",
                         message_en="UTF-16 file (NUL bytes in the header): it is not read",
                         expected_en="a CSV export in UTF-8 (or Windows-1252)",
                         hint_en="save it as UTF-8 (« CSV UTF-8 » in a spreadsheet)")
    sep = detect_separator(first.lstrip("\ufeff"))
    cols = [c.strip().lstrip("\ufeff") for c in next(csv.reader([first], delimiter=sep))]
    unknown = []
    for c in cols:
        if c and c not in COLUMNS:
            close = difflib.get_close_matches(c, list(COLUMNS), n=1, cutoff=0.6)
            unknown.append((c, close[0] if close else None))
    header = Header(cols, sep, unknown, line_no)
    return header, rest

