"""Parse lexquery text (grammar: ``lexquery.lark``) into statements with positions.

The only place where lark's exceptions are caught: every one of them (unexpected
character, unexpected token, end of input — whose line and column are -1) becomes an
:class:`~lexquery.dsl.errors.LqError` that points at the whole token, says what was
expected in words and, when a known word is close, « vouliez-vous dire … ? ».
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from lark import Lark, Token, Tree
from lark.exceptions import LarkError, UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from ..budget import check as check_budget
from . import vocab
from .errors import LqError, LqErrors, Span

_PARSER: Lark | None = None


def _each_line(tok):
    """Called by the lexer at each line end: a server request past its time stops (lexquery.budget)."""
    check_budget()
    return tok


def parser() -> Lark:
    global _PARSER
    if _PARSER is None:
        grammar = resources.files(__package__).joinpath("lexquery.lark").read_text(encoding="utf-8")
        _PARSER = Lark(grammar, parser="lalr", lexer="contextual", propagate_positions=True,
                       maybe_placeholders=False, lexer_callbacks={"_NL": _each_line})
    return _PARSER


# ---- statements -----------------------------------------------------------------------
@dataclass
class Piece:
    kind: str            # word string number date duration unknown yes no json
    text: str
    span: Span
    value: Any = None


@dataclass
class Atom:
    pieces: list[Piece]
    span: Span

    @property
    def text(self) -> str:
        return " ".join(p.text for p in self.pieces)


@dataclass
class Fact:
    key: str
    key_span: Span
    atoms: list[Atom]
    span: Span            # the value
    raw: str              # the value as written


@dataclass
class CaseHeader:
    id: str
    span: Span


@dataclass
class AsOf:
    date: Piece
    span: Span


@dataclass
class Question:
    kind: str            # procedures procedure why missing from_when what_if would_change article rules_cite
    text: str            # the question as written
    span: Span
    proc: tuple[str, Span] | None = None
    at: Piece | None = None
    changes: list[Fact] = field(default_factory=list)
    citation: tuple[str, Span] | None = None


Statement = CaseHeader | AsOf | Fact | Question

TERMINAL_WORDS = {
    "CASE": "« cas »", "CASE_ID": "l'identifiant du cas, ex. « ionescu-2026 »", "AS_OF": "« au »",
    "KEY": "le nom d'un fait suivi de « : »", "COLON": "« : »", "QMARK": "« ? »", "_NL": "une fin de ligne",
    "$END": "la fin du texte", "WORD": "un mot", "STRING": "un texte entre guillemets", "NUMBER": "un nombre",
    "ISO_DATE": "une date", "FR_DATE": "une date", "DURATION": "une durée", "LIFE": "une durée",
    "UNKNOWN": "« inconnu »", "YES": "« oui »", "NO": "« non »", "COMMA": "« , »", "LBRACE": "« { »",
    "RBRACE": "« } »", "LSQB": "« [ »", "RSQB": "« ] »", "JSON_NUMBER": "un nombre", "JSON_NULL": "« null »",
    "CITATION": "une disposition, ex. « 728-11 » ou « CPP 729-2 al. 1 »", "AND": "« et » suivi d'un fait",
    "Q_PROCEDURES": "une question", "Q_WHY": "une question", "Q_MISSING": "une question",
    "Q_FROM_WHEN": "une question", "Q_WHAT_IF": "une question", "Q_WOULD_CHANGE": "une question",
    "Q_ARTICLE": "une question", "Q_RULES_CITE": "une question",
}
LINE_START = "un fait (« nationalité : Roumanie »), une question (« quelles procédures ? »), « cas <identifiant> » ou « au <date> »"


def expected_words(names) -> str:
    names = set(names)
    if {"KEY", "CASE", "Q_PROCEDURES"} <= names:
        return LINE_START
    words = []
    for n in sorted(names, key=lambda n: (n not in ("COLON", "QMARK", "_NL"), n)):
        w = TERMINAL_WORDS.get(n, n.lower())
        if n in ("ISO_DATE", "FR_DATE") and {"ISO_DATE", "FR_DATE"} <= names:
            w = "une date (« 1er décembre 2026 » ou « 2026-12-01 »)"
        if w not in words:
            words.append(w)
    if len(words) > 6:
        words = words[:6] + ["…"]
    return ", ".join(words)


# ---- parsing ----------------------------------------------------------------------------
def parse(text: str, source_name: str = "<texte>") -> list[Statement]:
    """Statements of a .lq text, or raise LqErrors (syntax errors: the first one)."""
    if not isinstance(text, str):
        raise TypeError("text must be str")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as e:   # a lone surrogate in the text itself (an API client's string)
        i = e.start
        line = text.count("\n", 0, i) + 1
        col = i - (text.rfind("\n", 0, i) + 1) + 1
        raise LqErrors([LqError("caractère invalide : demi-caractère UTF-16 isolé (ce n'est pas du texte Unicode)",
                                Span(line, col, col + 1), source_name=source_name,
                                source_text=text.encode("utf-8", "replace").decode("utf-8"), expected="du texte")])
    if "\x00" in text:
        i = text.index("\x00")
        line = text.count("\n", 0, i) + 1
        col = i - (text.rfind("\n", 0, i) + 1) + 1
        raise LqErrors([LqError("caractère nul dans le texte", Span(line, col, col + 1), source_name=source_name,
                                source_text=text, expected="du texte")])
    try:
        tree = parser().parse(text)
    except UnexpectedInput as e:
        raise LqErrors([_syntax_error(e, text, source_name)]) from None
    except LarkError as e:  # pragma: no cover - any other lark failure is still the text's fault
        raise LqErrors([LqError(f"texte illisible ({type(e).__name__})", Span(1, 1, 2), source_name=source_name,
                                source_text=text)]) from None
    lines = text.split("\n")
    try:
        return [_statement(t, lines) for t in tree.children if isinstance(t, Tree)]
    except _BadString as e:
        raise LqErrors([LqError("texte entre guillemets illisible" if e.token.type == "STRING" else "nombre illisible",
                                Span.of(e.token), source_name=source_name, source_text=text,
                                expected="un texte entre guillemets ; \\\" pour un guillemet, \\\\ pour une barre"
                                if e.token.type == "STRING" else "un nombre de quelques chiffres",
                                hint=f"échappement invalide : {e.why}" if e.token.type == "STRING" else e.why)]) from None


class _BadString(Exception):
    def __init__(self, token, why):
        super().__init__(why)
        self.token, self.why = token, why


def unquote(tok) -> str:
    try:
        s = json.loads(str(tok), strict=False)
    except ValueError as e:
        raise _BadString(tok, e.msg if hasattr(e, "msg") else str(e)) from None
    try:
        s.encode("utf-8")
    except UnicodeEncodeError as e:   # "\ud800": half of a UTF-16 pair, not Unicode text
        raise _BadString(tok, f"demi-caractère UTF-16 isolé « \\u{ord(s[e.start]):04x} » : un « \\uD8xx » "
                              "doit être suivi de son « \\uDCxx »") from None
    return s


def _slice(lines: list[str], span: Span) -> str:
    src = lines[span.line - 1] if 0 < span.line <= len(lines) else ""
    return src[span.col - 1:span.end_col - 1]


def _statement(t: Tree, lines) -> Statement:
    if t.data == "case_header":
        tok = t.children[1]
        return CaseHeader(str(tok), Span.of(tok))
    if t.data == "as_of":
        d = _piece(t.children[1])
        return AsOf(d, Span.of(t.meta))
    if t.data == "fact":
        return _fact(t, lines)
    return _question(t, lines)


def _fact(t: Tree, lines) -> Fact:
    key, value = t.children[0], t.children[-1]
    atoms = [_atom(a) for a in value.children]
    vspan = Span.of(value.meta)
    return Fact(str(key).strip(), Span.of(key), atoms, vspan, _slice(lines, vspan))


def _atom(a: Tree) -> Atom:
    pieces = []
    for c in a.children:
        pieces.append(_piece(c))
    span = pieces[0].span
    for p in pieces[1:]:
        span = span.join(p.span)
    return Atom(pieces, span)


def _piece(c) -> Piece:
    if isinstance(c, Tree):
        if c.data in ("date", "duration"):
            tok = c.children[0]
            return Piece(c.data, str(tok), Span.of(tok), tok.type)
        if c.data == "json_object":
            return Piece("json", "{…}", Span.of(c.meta), _json(c))
        raise AssertionError(c.data)  # pragma: no cover
    kind = {"WORD": "word", "STRING": "string", "NUMBER": "number", "UNKNOWN": "unknown",
            "YES": "yes", "NO": "no"}[c.type]
    value = unquote(c) if c.type == "STRING" else None
    return Piece(kind, str(c), Span.of(c), value)


def _json(t):
    if isinstance(t, Token):
        if t.type == "STRING":
            return unquote(t)
        if t.type == "JSON_NUMBER":
            s = str(t)
            try:
                return float(s) if any(ch in s for ch in ".eE") else int(s)
            except ValueError:   # more digits than Python converts
                raise _BadString(t, f"nombre trop long ({len(s)} caractères)") from None
        return {"YES": True, "NO": False, "JSON_NULL": None}[t.type]
    if t.data == "json_object":
        return {unquote(p.children[0]): _json(p.children[1]) for p in t.children}
    if t.data == "json_array":
        return [_json(x) for x in t.children]
    raise AssertionError(t.data)  # pragma: no cover


def _question(t: Tree, lines) -> Question:
    kind = t.data[2:]
    span = Span.of(t.meta)
    text = _slice(lines, span)
    q = Question(kind, text, span)
    for c in t.children:
        if isinstance(c, Tree) and c.data == "proc":
            sp = Span.of(c.meta)
            q.proc = (" ".join(str(w) for w in c.children), sp)
        elif isinstance(c, Tree) and c.data == "at":
            q.at = _piece(c.children[1])
        elif isinstance(c, Tree) and c.data == "change":
            q.changes.append(_fact(c, lines))
        elif isinstance(c, Token) and c.type == "CITATION":
            raw = str(c)
            lead = len(raw) - len(raw.lstrip())
            sp = Span.of(c)
            q.citation = (raw.strip(), Span(sp.line, sp.col + lead, sp.col + lead + len(raw.strip())))
    return q


# ---- syntax errors ------------------------------------------------------------------------
_WORDISH = re.compile(r"[^\s:?,#\"{}\[\]]+")


def _syntax_error(e: UnexpectedInput, text: str, name: str) -> LqError:
    lines = text.split("\n")
    line, col = getattr(e, "line", -1), getattr(e, "column", -1)
    tok = getattr(e, "token", None)
    if isinstance(e, UnexpectedEOF) or line in (-1, None) or (tok is not None and tok.type == "$END"):
        last = len(lines)
        while last > 1 and not lines[last - 1].strip():
            last -= 1
        line, col = last, len(lines[last - 1].rstrip()) + 1
        tok = Token("$END", "")
    src = lines[line - 1] if 0 < line <= len(lines) else ""
    expected = set(getattr(e, "expected", None) or getattr(e, "allowed", None) or [])
    exp_words = expected_words(expected) if expected else None

    if tok is not None and tok.type in ("_NL", "$END"):
        end = len(src.rstrip()) + 1
        span = Span(line, max(1, end), end + 1)
        stripped = src.strip()
        key = _field_prefix(stripped)
        if "QMARK" in expected and key:
            k_end = src.index(key[0]) + len(key[0]) if key[0] in src else end
            rest = src[k_end:].strip()
            kspan = Span(line, src.index(key[0]) + 1, k_end + 1) if key[0] in src else span
            return LqError(f"« : » manquant après « {key[0]} »", kspan, source_name=name, source_text=text,
                           expected="« : » entre le nom du fait et sa valeur",
                           hint=f"écrivez « {key[0]} : {rest or '…'} »")
        if "QMARK" in expected:
            hint = _keyword_hint(stripped.split(" ")[0] if stripped else "")
            return LqError("« ? » manquant à la fin de la question", span, source_name=name, source_text=text,
                           expected="« ? » à la fin d'une question, ou « : » entre le nom d'un fait et sa valeur",
                           hint=hint or "une question finit par « ? » ; un fait s'écrit « nom : valeur »")
        if expected == {"CASE_ID"}:
            return LqError("identifiant du cas manquant après « cas »", span, source_name=name, source_text=text,
                           expected=exp_words, hint="écrivez par exemple « cas ionescu-2026 »")
        what = "fin de ligne inattendue" if tok.type == "_NL" else "fin du texte inattendue"
        return LqError(what, span, source_name=name, source_text=text, expected=exp_words)

    t = getattr(e, "token", None)
    foreign = t is not None and t.type in ("CASE_ID", "CITATION", "JSON_NUMBER") and t.type not in expected
    if isinstance(e, UnexpectedCharacters) or foreign:
        m = _WORDISH.match(src, col - 1)
        length = len(m.group(0)) if m else 1
        span = Span(line, col, col + max(1, length))
        shown = src[col - 1:col - 1 + max(1, length)] or src[col - 1:col]
        hint = None
        ch = src[col - 1:col]
        key = _field_prefix(src.strip())
        if ch in "=;" and key and src.strip().startswith(key[0]):
            hint = f"vouliez-vous dire « {key[0]} : … » ?"
            exp_words = "« : » entre le nom du fait et sa valeur"
        elif m:
            hint = _keyword_hint(m.group(0))
        if ch == '"':
            return LqError("guillemet non fermé", Span(line, col, len(src.rstrip()) + 1), source_name=name, source_text=text,
                           expected="un texte entre guillemets sur une seule ligne, ex. \"tribunal correctionnel de Lyon\"",
                           hint="fermez le texte par « \" » avant la fin de la ligne")
        return LqError(f"« {shown} » inattendu ici", span, source_name=name, source_text=text,
                       expected=exp_words, hint=hint)

    assert isinstance(e, UnexpectedToken)
    span = Span.of(t)
    shown = str(t).strip() or str(t)
    if t.type == "QMARK" and "_NL" in expected and _field_prefix(src.strip()):
        return LqError("« ? » à la fin d'un fait", span, source_name=name, source_text=text,
                       expected="un fait s'écrit « nom : valeur », sans « ? »",
                       hint=f"pour essayer cette valeur, posez la question « et si {src.strip()} »")
    hint = _keyword_hint(shown) if t.type in ("WORD", "KEY", "CASE_ID") else None
    if t.type == "QMARK" and {"KEY", "WORD"} & expected:
        what = "question incomplète"
    else:
        what = f"« {shown} » inattendu ici"
    return LqError(what, span, source_name=name, source_text=text, expected=exp_words, hint=hint)


def _field_prefix(line: str):
    """(written name, path) when the line starts with the name of a fact."""
    words = line.split()
    for n in range(min(len(words), 7), 0, -1):
        cand = " ".join(words[:n])
        path = vocab.field_of(cand)
        if path:
            return cand, path
    return None


def _keyword_hint(word: str) -> str | None:
    if not word:
        return None
    choices = {vocab.norm(k): k for k in vocab.KEYWORDS}
    choices.update(vocab.field_choices())
    close = vocab.closest(word, choices, cutoff=0.75)
    if close and vocab.norm(close[0]) != vocab.norm(word):
        return f"vouliez-vous dire « {close[0]} » ?"
    return None
