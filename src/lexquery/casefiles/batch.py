"""The cases of a case file: .json (an object or an array), .jsonl (one per line, streamed) or
.lq (the lexquery language), as :class:`Entry` s (docs/case-format.md).

Every case is a JSON object, the identifiers are unique within a batch (the case format:
"unique within a batch"), and a file without any case is an error, not an empty answer.
:func:`read_batch` gives a whole file; :func:`iter_jsonl` streams a ``.jsonl`` file.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from ..errors import CaseError, InputError, NotFoundError, Problem
from .json_text import line_col, parse_json, scan_keys

SMALLEST_JSON = '{"id": "dupont-2026"} (chaque fait absent est inconnu)'
SMALLEST_LQ = "« cas dupont-2026 » sur une ligne, puis ses faits, ex. « nationalités : Maroc »"
SMALLEST_JSON_EN = '{"id": "dupont-2026"} (each fact left out is unknown)'
SMALLEST_LQ_EN = "« cas dupont-2026 » on a line, then its facts, e.g. « nationalités : Maroc »"
NOTES_EN = {"les questions ne sont répondues qu'au format texte": "questions are answered in the text format only"}


@dataclass
class Entry:
    """One case of a file: its label for messages, the raw JSON value, problems found on reading."""
    source: str                 # FILE, FILE[i] (array) or FILE:LINE (.jsonl)
    raw: object
    problems: list = field(default_factory=list)   # lexquery.errors.Problem
    line: int | None = None     # .jsonl: the line of the case

    @property
    def case_id(self):
        return self.raw.get("id") if isinstance(self.raw, dict) else None


@dataclass
class Batch:
    label: str
    entries: list
    many: bool        # the input is an array or a .jsonl: the answer is an array too
    kind: str         # json | jsonl | lq


# ---- files -------------------------------------------------------------------------------------
_EXPECTED_EN = {"un fichier de cas (.json, .jsonl, .lq)": "a case file (.json, .jsonl, .lq)",
                "un export CSV du greffe": "a CSV export of the prison registry"}


def check_input(path: str, expected: str = "un fichier de cas (.json, .jsonl, .lq)",
                example: str = "examples/ionescu.json") -> Path:
    """``path`` as an existing regular file, else NotFoundError (exit 5) naming it."""
    from ..files import input_kind
    p = Path(path)
    kind = input_kind(p)
    if kind == "dir":
        raise NotFoundError(f"ce n'est pas un fichier mais un dossier : {path}", expected=expected,
                            hint=f"donnez le chemin d'un fichier du dossier, ex. {example}",
                            message_en=f"not a file but a folder: {path}", expected_en=_EXPECTED_EN.get(expected),
                            hint_en=f"give the path of a file in the folder, e.g. {example}")
    if kind == "missing":
        raise NotFoundError(f"fichier introuvable : {path}", hint="vérifiez le chemin",
                            message_en=f"file not found: {path}", hint_en="check the path")
    if kind == "other":
        raise InputError(f"ce n'est pas un fichier ordinaire (une socket ?) : {path}", where=path, expected=expected,
                         hint="donnez un fichier, un tube (mkfifo, <(…)) ou - pour l'entrée standard",
                         message_en=f"not a regular file (a socket?): {path}", expected_en=_EXPECTED_EN.get(expected),
                         hint_en="give a file, a pipe (mkfifo, <(…)) or - for standard input")
    return p   # a file, or a pipe or device read as a stream (bounded)


def read_file(path: str) -> str:
    """The text of the case file at ``path`` (UTF-8, BOM allowed)."""
    from ..files import MAX_TEXT_BYTES, read_text_bounded
    p = check_input(path)
    return read_text_bounded(p, MAX_TEXT_BYTES, "fichier de cas JSON",
                             "un gros lot passe mieux en .jsonl (un cas par ligne, lu au fil de l'eau) ou en CSV")


# ---- cases ---------------------------------------------------------------------------------------
def _show(v) -> str:
    s = json.dumps(v, ensure_ascii=False)
    return s if len(s) <= 40 else s[:37] + "…"


def not_an_object(value) -> Problem:
    return Problem("$", f"objet JSON attendu pour un cas, trouvé {_show(value)}",
                   'un objet JSON {"id": …, "person": {…}, …} (format des cas)',
                   "chaque cas est un objet JSON entre accolades ; un lot est un tableau de tels objets")


def no_case(label: str, kind: str = "json", note: str | None = None) -> InputError:
    hint = f"le plus petit cas : {SMALLEST_LQ if kind == 'lq' else SMALLEST_JSON}"
    if kind == "jsonl":
        hint = f"une ligne par cas ; le plus petit : {SMALLEST_JSON}"
    elif kind == "csv":
        hint = "une ligne par cas sous la ligne d'en-tête (docs/screening-csv.md) ; lexquery synth 3 en donne un exemple"
    elif kind == "turtle":
        hint = "chaque cas est un nœud de type lq:Case (termes de case-context.jsonld)"
    if note:
        hint += f" ; {note}"
    expected = {"json": "un objet cas, ou un tableau d'au moins un cas",
                "jsonl": "au moins une ligne avec un objet cas",
                "lq": "au moins un cas, commençant par « cas <identifiant> »",
                "csv": "au moins une ligne de cas sous l'en-tête",
                "turtle": "au moins un cas (lq:Case)"}[kind]
    hint_en = f"the smallest case: {SMALLEST_LQ_EN if kind == 'lq' else SMALLEST_JSON_EN}"
    hint_en = {"jsonl": f"one line per case; the smallest: {SMALLEST_JSON_EN}",
               "csv": "one line per case under the header line (docs/screening-csv.md); lexquery synth 3 gives an example",
               "turtle": "each case is a node of type lq:Case (terms of case-context.jsonld)"}.get(kind, hint_en)
    expected_en = {"json": "a case object, or an array of at least one case",
                   "jsonl": "at least one line with a case object",
                   "lq": "at least one case, beginning with « cas <identifier> »",
                   "csv": "at least one case line under the header",
                   "turtle": "at least one case (lq:Case)"}[kind]
    return InputError("aucun cas dans le fichier", where=label, expected=expected, hint=hint,
                      message_en="no case in the file", expected_en=expected_en,
                      hint_en=hint_en + (f"; {NOTES_EN.get(note, note)}" if note else ""))


class _Ids:
    """Identifiers seen so far in a batch."""

    def __init__(self):
        self.first: dict = {}

    def seen(self, entry: Entry):
        """The entry that first used ``entry``'s identifier, else None (and remember it)."""
        cid = entry.case_id
        if not isinstance(cid, str):
            return None
        if cid in self.first:
            return self.first[cid]
        self.first[cid] = entry
        return None


def repeated_id(cid: str, place: str) -> Problem:
    return Problem("id", f"identifiant « {cid} » déjà utilisé par le cas {place}",
                   "un identifiant unique par cas dans le fichier (format des cas)",
                   f"donnez à ce cas un autre identifiant, par exemple « {cid}-2 »")


def entries_of(data, label: str, text: str | None = None) -> Batch:
    """The cases of a parsed .json value (an object, or an array of objects)."""
    if not isinstance(data, list):
        if not isinstance(data, dict):
            raise CaseError([not_an_object(data)], label)
        return Batch(label, [Entry(label, data)], False, "json")
    if not data:
        raise no_case(label)
    entries = [Entry(f"{label}[{i}]", c, [] if isinstance(c, dict) else [not_an_object(c)])
               for i, c in enumerate(data)]
    ids, dups = _Ids(), []
    index = {id(e): i for i, e in enumerate(entries)}
    for e in entries:
        first = ids.seen(e)
        if first is not None:
            dups.append((e, index[id(first)]))
    if dups:   # where the first use is: its index and line (the text is walked only then)
        _, pos = scan_keys(text, {f"[{j}].id" for _, j in dups}) if text else (None, {})
        for e, j in dups:
            at = pos.get(f"[{j}].id")
            place = f"[{j}]" + (f" (ligne {line_col(text, at)[0]})" if at is not None else "")
            e.problems.append(repeated_id(e.case_id, place))
    return Batch(label, entries, True, "json")


def iter_jsonl(path: str, label: str | None = None) -> Iterator[Entry]:
    """The cases of a .jsonl file, one per non-blank line, streamed: a line that cannot be read
    (or is not an object, or repeats an id) is an Entry with its problem and no raw value."""
    from ..files import MAX_LINE_BYTES, read_line_bounded
    check_input(path)
    label = label or path
    ids = _Ids()
    try:
        f = open(path, encoding="utf-8-sig")
    except OSError as e:
        raise InputError(f"fichier illisible : {e.strerror or e}", where=path,
                         message_en=f"unreadable file: {e.strerror or e}") from None
    with f:
        i = 0
        while True:
            try:
                line, too_long = read_line_bounded(f, MAX_LINE_BYTES)
                if too_long:   # one case, one line: this line only is lost
                    i += 1
                    yield Entry(f"{label}:{i}", None, [Problem(
                        f"{label}:{i}", f"ligne trop longue : plus de {MAX_LINE_BYTES // (1024 * 1024)} Mo",
                        "un objet cas JSON par ligne (quelques Ko)", "est-ce bien un fichier JSON Lines de cas ?")], i)
                    continue
            except UnicodeDecodeError as e:
                raise InputError(f"fichier illisible : ce n'est pas du texte UTF-8 (octet {e.start})",
                                 where=f"{label}:{i + 1}", hint="enregistrez le fichier en UTF-8",
                                 message_en=f"unreadable file: not UTF-8 text (byte {e.start})",
                                 hint_en="save the file as UTF-8") from None
            if not line:
                return
            i += 1
            if not line.strip():
                continue
            yield _jsonl_entry(line.rstrip("\r\n"), label, i, ids)


def _jsonl_entry(line: str, label: str, i: int, ids: _Ids) -> Entry:
    try:
        raw = parse_json(line, label, line=i, expected="un objet cas JSON par ligne")
    except InputError as e:
        return Entry(f"{label}:{i}", None, [Problem(e.where, e.message, e.expected,
                                                    e.hint or "corriger la ligne (guillemets, virgules, accolades)")], i)
    entry = Entry(f"{label}:{i}", raw, [] if isinstance(raw, dict) else [not_an_object(raw)], i)
    first = ids.seen(entry)
    if first is not None:
        entry.problems.append(repeated_id(entry.case_id, f"de la ligne {first.line}"))
    return entry


def read_batch(path: str, stdin_text: str | None = None) -> Batch:
    """Every case of the file ``path`` (``-``: ``stdin_text``): .json (object or array), .jsonl, .lq."""
    if path == "-":
        text, label = stdin_text, "<stdin>"
    else:
        label = path
        if path.endswith(".lq"):
            check_input(path)
            from .. import dsl
            doc = dsl.load_file(path)
            return lq_batch(doc, label)
        if path.endswith(".jsonl") or path.endswith(".ndjson"):
            entries = list(iter_jsonl(path))
            if not entries:
                raise no_case(label, "jsonl")
            return Batch(label, entries, True, "jsonl")
        text = read_file(path)
    if not text.strip():
        raise no_case(label)
    return entries_of(parse_json(text, label), label, text)


def lq_batch(doc, label: str, note: str | None = None) -> Batch:
    """The cases of a .lq document (already checked: ids unique, each case valid)."""
    cases = doc.case_dicts()
    if not cases:
        raise no_case(label, "lq", note)
    many = len(cases) > 1
    return Batch(label, [Entry(f"{label}[{i}]" if many else label, c) for i, c in enumerate(cases)], many, "lq")
