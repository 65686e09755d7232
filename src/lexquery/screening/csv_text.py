"""The physical lines of a screening CSV as text: encoding and line ends (docs/screening-csv.md).

UTF-8 (a BOM is dropped); a line that is not UTF-8 is read as Windows-1252 and counted
(:class:`Utf8OrAnsiLines`). Lines end with LF, CRLF (RFC 4180 §2) or a CR alone (Classic
Mac OS spreadsheets); a line longer than :data:`MAX_LINE` is given cut (:class:`TooLong`).
:func:`open_text` opens a path or standard input so.
"""
from __future__ import annotations

import io
import re
import sys
from pathlib import Path

from ..errors import InputError, NotFoundError
from ..files import MAX_LINE_BYTES

MAX_LINE = MAX_LINE_BYTES
"""Longest physical line read (bytes): a longer one is one error row, the batch goes on."""

_EOL = re.compile(rb"\r\n|\r|\n")
LONE_CR = re.compile(r"\r(?!\n)")
_STR_LINES = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")


def split_lone_cr(text: str) -> list[str]:
    """The lines of a text read with universal newlines off, cut at every CR alone as well."""
    return _STR_LINES.findall(text)


class Prefixed(io.RawIOBase):
    """Bytes already read (``head``), then the rest of a binary stream (``raw``): a stream read
    ahead — standard input looked at before choosing how to screen it, the rest of a file handed
    to the scalar reader — read as if nothing had been taken from it."""

    def __init__(self, head: bytes, raw):
        self.head, self.raw, self.pos = head, raw, 0

    def readable(self):
        return True

    def readinto(self, b):
        if self.pos < len(self.head):
            n = min(len(b), len(self.head) - self.pos)
            b[:n] = memoryview(self.head)[self.pos:self.pos + n]
            self.pos += n
            if self.pos == len(self.head):
                self.head, self.pos = b"", 0
            return n
        more = self.raw.read(len(b))
        b[:len(more)] = more
        return len(more)


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

    def __init__(self, raw, label: str | None = None):
        self.buffer = raw          # for the progress bar (tell) and close
        self.line_no = 0
        self.ansi_lines = 0
        self.first_ansi_line: int | None = None
        self._carry = b""          # bytes read past the last line given (slow path only)
        self._pos = 0
        self._eof = False
        self.label = label         # the file's name (or <stdin>) in the header's errors (csv_header)

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
        return Utf8OrAnsiLines(sys.stdin.buffer, "<stdin>"), "<stdin>", None
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
    return Utf8OrAnsiLines(f, str(path)), str(path), (p.stat().st_size if kind == "file" else None)
