"""Case files for the commands (``ask``, ``validate``, ``convert``): read in one place, with
the same limits and the same messages everywhere.

- JSON nested deeper than :data:`MAX_DEPTH` levels is refused (« JSON trop imbriqué »):
  the same limit as the HTTP API's (``lexquery.web.body`` imports it from here); a case
  has four or five levels;
- a key given twice in one object is refused with its JSON path and its line:col (Python's
  json would silently keep the last one);
- every case is a JSON object, the identifiers are unique within a batch (the case format:
  "unique within a batch"), and a file without any case is an error, not an empty answer.

:func:`read_batch` gives the :class:`Entry` s of a ``.json`` (object or array), ``.jsonl``
or ``.lq`` file (or ``-``); :func:`iter_jsonl` streams a ``.jsonl`` file line by line.
"""
from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from ..errors import CaseError, InputError, NotFoundError, Problem, key_path

MAX_DEPTH = 32
"""Deepest nesting accepted in a case file and in an HTTP API body."""

SMALLEST_JSON = '{"id": "dupont-2026"} (chaque fait absent est inconnu)'
SMALLEST_LQ = "« cas dupont-2026 » sur une ligne, puis ses faits, ex. « nationalités : Maroc »"


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
def check_input(path: str, expected: str = "un fichier de cas (.json, .jsonl, .lq)",
                example: str = "examples/ionescu.json") -> Path:
    """``path`` as an existing regular file, else NotFoundError (exit 5) naming it."""
    from ..files import input_kind
    p = Path(path)
    kind = input_kind(p)
    if kind == "dir":
        raise NotFoundError(f"ce n'est pas un fichier mais un dossier : {path}", expected=expected,
                            hint=f"donnez le chemin d'un fichier du dossier, ex. {example}")
    if kind == "missing":
        raise NotFoundError(f"fichier introuvable : {path}", hint="vérifiez le chemin")
    if kind == "other":
        raise InputError(f"ce n'est pas un fichier ordinaire (une socket ?) : {path}", where=path, expected=expected,
                         hint="donnez un fichier, un tube (mkfifo, <(…)) ou - pour l'entrée standard")
    return p   # a file, or a pipe or device read as a stream (bounded)


def read_file(path: str) -> str:
    """The text of the case file at ``path`` (UTF-8, BOM allowed)."""
    from ..files import MAX_TEXT_BYTES, read_text_bounded
    p = check_input(path)
    return read_text_bounded(p, MAX_TEXT_BYTES, "fichier de cas JSON",
                             "un gros lot passe mieux en .jsonl (un cas par ligne, lu au fil de l'eau) ou en CSV")


def check_output(path: str | None, option: str = "-o") -> None:
    """Refuse before any work an output file that cannot be written: its folder does not
    exist (NotFoundError, exit 5) or the path is a folder."""
    if not path or path == "-":
        return
    p = Path(path)
    if p.is_dir():
        raise NotFoundError(f"la sortie {option} est un dossier, pas un fichier : {path}",
                            hint=f"donnez un nom de fichier, ex. {option} {p / 'sortie'}")
    parent = p.parent
    if not parent.is_dir():
        raise NotFoundError(f"dossier introuvable pour la sortie {option} : {parent}",
                            expected="un dossier qui existe",
                            hint=f"créez-le (mkdir -p {parent}) ou choisissez un autre chemin")


def open_output(path: str, option: str = "-o", source: str | None = None):
    """The output file ``path`` for writing (after :func:`check_output`), as a context manager:
    a temporary file beside it, renamed over it only when the ``with`` block ends well
    (:func:`lexquery.files.atomic_output`); an OS refusal (rights, disk) is an OutputError
    (exit 5) naming the path. ``source``: the input, which the output must not replace."""
    from ..files import atomic_output, refuse_same
    check_output(path, option)
    if source is not None:
        refuse_same(source, path, option)
    return atomic_output(path, option=option)


# ---- JSON ----------------------------------------------------------------------------------------
class _RepeatedKey(Exception):
    pass


def _pairs(pairs):
    d = dict(pairs)
    if len(d) != len(pairs):
        raise _RepeatedKey
    return d


def parse_json(text: str, label: str, *, line: int | None = None,
               expected: str = "un objet cas ou un tableau de cas"):
    """The JSON value of ``text`` (the whole file ``label``, or its line ``line`` for .jsonl).

    InputError (exit 3) when it cannot be read (file:line:col), nests deeper than MAX_DEPTH,
    or repeats a key in one object (file:line:col and the JSON path of the key)."""
    try:
        value = json.loads(text, object_pairs_hook=_pairs)
    except json.JSONDecodeError as e:
        raise InputError(f"JSON illisible : {e.msg}", where=_where(label, line, e.lineno, e.colno),
                         expected=expected) from None
    except RecursionError:
        raise _too_deep(label if line is None else f"{label}:{line}", None) from None
    except _RepeatedKey:
        raise _repeated_key(text, label, line) from None
    except ValueError:   # an integer of more digits than Python converts (sys.get_int_max_str_digits)
        msg, pos = text_value_problem(text, big_int=True)
        raise InputError(msg, where=_where(label, line, *_line_col(text, pos)), expected=expected,
                         hint="un cas n'a pas de tel nombre : vérifiez la valeur à cette place") from None
    problem = text_value_problem(text)
    if problem is not None:
        raise InputError(problem[0], where=_where(label, line, *_line_col(text, problem[1])), expected=expected,
                         hint="enregistrez le texte en UTF-8 valide (un « \\uD8xx » doit être suivi de son « \\uDCxx »)")
    path = _too_deep_path(value)
    if path is not None:
        raise _too_deep(label if line is None else f"{label}:{line}", path)
    return value


_SURROGATE = re.compile(r"\\u[dD][89abAB][0-9a-fA-F]{2}(\\u[dD][c-fC-F][0-9a-fA-F]{2})?|\\u[dD][c-fC-F][0-9a-fA-F]{2}")


def text_value_problem(text: str, big_int: bool = False) -> tuple[str, int] | None:
    """What JSON ``text`` holds that is no value a case can have, and its position: a lone UTF-16
    surrogate escape (``"\\ud800"``: not Unicode text, RFC 8259 §8.2), or (``big_int``) an integer
    too long to convert. None when there is neither."""
    if big_int:
        limit = sys.get_int_max_str_digits() if hasattr(sys, "get_int_max_str_digits") else 4300
        m = re.search(r"\d{%d,}" % (limit + 1), text)
        return (f"nombre trop long : plus de {limit} chiffres", m.start() if m else 0)
    if "\\u" not in text:
        return None
    for m in _SURROGATE.finditer(text):
        if m.group(0)[2] in "dD" and m.group(0)[3] in "89abAB" and m.group(1):
            continue   # a pair: one character
        i = m.start()
        k = i
        while k > 0 and text[k - 1] == "\\":
            k -= 1
        if (i - k) % 2 == 0:   # the backslash is not itself escaped
            return (f"texte invalide : demi-caractère UTF-16 isolé « {m.group(0)[:6]} » (ce n'est pas du texte "
                    "Unicode)", i)
    return None


def _where(label, line, lineno, colno) -> str:
    return f"{label}:{lineno if line is None else line + lineno - 1}:{colno}"


def _too_deep(where: str, path: str | None) -> InputError:
    return InputError(f"JSON trop imbriqué : plus de {MAX_DEPTH} niveaux d'imbrication",
                      where=f"{where}: {path}" if path else where,
                      expected="un cas au format JSON (quatre ou cinq niveaux : cas, peine, condamnations…)",
                      hint="vérifiez que c'est bien un fichier de cas et que chaque « [ » ou « { » est refermé "
                           f"à sa place (la même limite de {MAX_DEPTH} niveaux vaut pour l'API HTTP)")


def _too_deep_path(value) -> str | None:
    """The JSON path of the first array or object nested deeper than MAX_DEPTH, else None."""
    level, depth = [value] if isinstance(value, (dict, list)) else [], 1
    while level:   # level by level, containers only (a few µs for a case); the path only when too deep
        if depth > MAX_DEPTH:
            return _deep_path(value)
        nxt = []
        for v in level:
            for x in (v.values() if type(v) is dict else v):
                if type(x) is dict or type(x) is list:
                    nxt.append(x)
        level, depth = nxt, depth + 1
    return None


def _deep_path(value) -> str | None:
    stack = [(value, 1, "$")]
    while stack:
        v, depth, path = stack.pop()
        if depth > MAX_DEPTH:
            return path
        if isinstance(v, dict):
            stack.extend((x, depth + 1, _join(path, k)) for k, x in v.items() if isinstance(x, (dict, list)))
        elif isinstance(v, list):
            stack.extend((x, depth + 1, _join(path, i)) for i, x in enumerate(v) if isinstance(x, (dict, list)))
    return None


def _join(path: str, k) -> str:
    """JSON paths as the case format's messages write them: ``id``, ``[1].id``, ``sentence.total``."""
    if isinstance(k, int):
        return f"{'' if path == '$' else path}[{k}]"
    return key_path(path, k)


_TOKEN = re.compile(r'[ \t\n\r]*(?:([{}\[\],:])|("(?:[^"\\]|\\.)*")|([^ \t\n\r{}\[\],:"]+))', re.S)


def _scan(text: str, want=frozenset()):
    """Walk JSON ``text`` token by token (no recursion): (the first repeated key as
    (path, key, pos, first_pos) or None, {path: pos of the key} for the key paths in ``want``)."""
    stack: list = []   # [is_object, path, current key or index, {key: pos}]
    found: dict = {}
    for m in _TOKEN.finditer(text):
        punct, string = m.group(1), m.group(2)
        top = stack[-1] if stack else None
        if punct in ("{", "["):
            here = "$" if top is None else _join(top[1], top[2])
            stack.append([punct == "{", here, None if punct == "{" else 0, {}])
        elif punct in ("}", "]"):
            if stack:
                stack.pop()
        elif punct == ",":
            if top is not None:
                if top[0]:
                    top[2] = None
                else:
                    top[2] += 1
        elif string is not None and top is not None and top[0] and top[2] is None:
            key = json.loads(string)
            path = _join(top[1], key)
            if key in top[3]:
                return (path, key, m.start(2), top[3][key]), found
            top[3][key] = m.start(2)
            top[2] = key
            if path in want:
                found[path] = m.start(2)
    return None, found


def _line_col(text: str, pos: int) -> tuple[int, int]:
    return text.count("\n", 0, pos) + 1, pos - (text.rfind("\n", 0, pos) + 1) + 1


def _repeated_key(text: str, label: str, line: int | None) -> InputError:
    dup, _ = _scan(text)
    if dup is None:   # not expected: the parser saw one
        return InputError("JSON : une clé est donnée deux fois dans un même objet", where=label,
                          expected="chaque clé une seule fois par objet")
    path, key, pos, first = dup
    (l2, c2), (l1, c1) = _line_col(text, pos), _line_col(text, first)
    if line is not None:
        l2, l1 = line + l2 - 1, line + l1 - 1
    return InputError(f"clé « {key} » donnée deux fois dans le même objet ({path})",
                      where=f"{label}:{l2}:{c2}",
                      expected="chaque clé une seule fois par objet",
                      hint=f"la première est à la ligne {l1}, colonne {c1} : gardez la bonne valeur et "
                           f"supprimez l'autre (JSON ne garderait que la dernière, sans rien dire)")


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
    return InputError("aucun cas dans le fichier", where=label, expected=expected, hint=hint)


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
        _, pos = _scan(text, {f"[{j}].id" for _, j in dups}) if text else (None, {})
        for e, j in dups:
            at = pos.get(f"[{j}].id")
            place = f"[{j}]" + (f" (ligne {_line_col(text, at)[0]})" if at is not None else "")
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
        raise InputError(f"fichier illisible : {e.strerror or e}", where=path) from None
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
                                 where=f"{label}:{i + 1}", hint="enregistrez le fichier en UTF-8") from None
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
