"""Errors of the lexquery language, rendered at the spot (STYLE.md §10).

```
erreur: mot inconnu « nationalite »
  --> examples/ionescu.lq:3:1
   |
 3 | nationalite : Roumanie
   | ^^^^^^^^^^^
   = attendu : un nom de fait : nationalités, résidence habituelle, …
   = aide : vouliez-vous dire « nationalité » ?
```
Syntax errors (lark) and semantic errors (a State, a date, the case format's own checks
mapped back from their JSON path) all become :class:`LqError`; a file with several
mistakes raises one :class:`LqErrors` that lists them all, in the order of the text.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from ..errors import InputError

MAX_ERRORS = 100
"""Mistakes reported for one text: past them reading stops, as compilers do (the time and the
report stay proportional to the text, not to its errors)."""


SHOWN = 160
"""Characters of a source line shown under an error (a longer line is shown around the mistake)."""


def _short(s: str | None, most: int = 2 * SHOWN) -> str | None:
    """A message quoting a long piece of the text, cut (with « … »)."""
    return s if s is None or len(s) <= most else s[:most - 1] + "…"


@lru_cache(maxsize=4)
def _lines(text: str) -> list[str]:
    """The lines of a source text, split once for all its errors."""
    return text.split("\n")


@dataclass(frozen=True)
class Span:
    line: int
    col: int          # 1-based
    end_col: int      # exclusive, on `line`

    @staticmethod
    def of(tok_or_meta) -> "Span":
        line = getattr(tok_or_meta, "line", None) or 1
        col = getattr(tok_or_meta, "column", None) or 1
        end_line = getattr(tok_or_meta, "end_line", None) or line
        end_col = getattr(tok_or_meta, "end_column", None) or col + 1
        if end_line != line:
            end_col = 10 ** 6
        return Span(line, col, max(end_col, col + 1))

    def join(self, other: "Span") -> "Span":
        if other.line != self.line:
            return Span(self.line, self.col, 10 ** 6)
        return Span(self.line, min(self.col, other.col), max(self.end_col, other.end_col))


class LqError(InputError):
    """One mistake in a .lq text, at a line and column."""

    def __init__(self, message: str, span: Span | None, *, source_name: str = "<texte>",
                 source_text: str = "", expected: str | None = None, hint: str | None = None,
                 message_en: str | None = None, expected_en: str | None = None, hint_en: str | None = None):
        self.span = span or Span(1, 1, 2)
        message, expected, hint = _short(message), _short(expected), _short(hint)   # they may quote the text
        message_en, expected_en, hint_en = _short(message_en), _short(expected_en), _short(hint_en)
        self.source_name = source_name
        self.source_text = source_text
        where = f"{source_name}:{self.span.line}:{self.span.col}"
        super().__init__(message, where=where, expected=expected, hint=hint,
                         message_en=message_en, expected_en=expected_en, hint_en=hint_en)

    def _fill_english(self):
        """The English of a message given in French only (lexquery.dsl.english), found when first asked."""
        if self.message_en is None:
            from . import english
            self.message_en = english.message_en(self.message)
            self.expected_en = self.expected_en or english.expected_en(self.expected)
            self.hint_en = self.hint_en or english.hint_en(self.hint)

    def english(self):
        self._fill_english()
        return super().english()

    def english_dict(self) -> dict:
        self._fill_english()
        return super().english_dict()

    def render(self, lang: str = "fr") -> str:
        lines = _lines(self.source_text)
        n = self.span.line
        src = lines[n - 1].rstrip("\r") if 0 < n <= len(lines) else ""
        src = src.replace("\t", " ")
        width = len(str(n))
        start = min(self.span.col, len(src) + 1)
        end = min(self.span.end_col, max(len(src) + 1, start + 1))
        if len(src) > SHOWN:   # a long line: the part around the mistake (the report stays small)
            left = max(0, start - 1 - SHOWN // 3)
            cut = src[left:left + SHOWN]
            src = ("…" if left else "") + cut + ("…" if left + SHOWN < len(src) else "")
            shift = left - (1 if left else 0)
            start, end = start - shift, min(end - shift, len(src) + 1)
        caret = " " * (start - 1) + "^" * max(1, end - start)
        pad = " " * (width + 1)
        message, expected, hint = self.english() if lang == "en" else (self.message, self.expected, self.hint)
        out = [f"{'error' if lang == 'en' else 'erreur'}: {message}",
               f"{pad}--> {self.where}",
               f"{pad} |",
               f" {n} | {src}".rstrip(),
               f"{pad} | {caret}"]
        if expected:
            out.append(f"{pad} = {'expected: ' if lang == 'en' else 'attendu : '}{expected}")
        if hint:
            out.append(f"{pad} = {'help: ' if lang == 'en' else 'aide : '}{hint}")
        return "\n".join(out)

    def to_dict(self) -> dict:
        return {"error": "LqError", "message": self.message, "where": self.where,
                "line": self.span.line, "column": self.span.col, "end_column": self.span.end_col,
                "expected": self.expected, "hint": self.hint, **self.english_dict()}


class LqErrors(InputError):
    """Every mistake found in one .lq text (at least one)."""

    def __init__(self, errors: list[LqError], stopped: bool = False):
        # each mistake once: a fact wrong in a case is wrong again in every `et si` question
        # evaluated on that case (the same message at the same place)
        unique = {(e.span, e.message, e.expected, e.hint): e for e in reversed(errors)}
        self.errors = sorted(unique.values(), key=lambda e: (e.span.line, e.span.col))[:MAX_ERRORS]
        self.stopped = stopped or len(unique) > MAX_ERRORS   # more mistakes may follow the last one shown
        first = self.errors[0]
        super().__init__(first.message, where=first.where, expected=first.expected, hint=first.hint,
                         message_en=first.message_en, expected_en=first.expected_en, hint_en=first.hint_en)

    def english(self):
        return self.errors[0].english()

    def english_dict(self) -> dict:
        return self.errors[0].english_dict()

    def render(self, lang: str = "fr") -> str:
        body = "\n\n".join(e.render(lang) for e in self.errors)
        if self.stopped:
            last = self.errors[-1].span.line
            body += (f"\n\n{len(self.errors)} erreurs ; lecture arrêtée après {MAX_ERRORS} erreurs (ligne {last}) : "
                     "corrigez-les, puis relancez pour voir la suite." if lang == "fr" else
                     f"\n\n{len(self.errors)} errors; reading stopped after {MAX_ERRORS} errors (line {last}): "
                     "fix them, then run again to see what follows.")
        elif len(self.errors) > 1:
            body += f"\n\n{len(self.errors)} erreurs." if lang == "fr" else f"\n\n{len(self.errors)} errors."
        return body

    def to_dict(self) -> dict:
        return {"error": "LqErrors", "errors": [e.to_dict() for e in self.errors], "stopped": self.stopped}
