"""A JSON text read strictly, for case files and HTTP API bodies (RFC 8259).

- JSON nested deeper than :data:`MAX_DEPTH` levels is refused (« JSON trop imbriqué »):
  the same limit as the HTTP API's (``lexquery.web.body`` imports it from here); a case
  has four or five levels;
- a key given twice in one object is refused with its JSON path and its line:col (Python's
  json would silently keep the last one; RFC 8259 §4: names « SHOULD be unique »);
- a lone UTF-16 surrogate escape is no Unicode text (RFC 8259 §8.2).
"""
from __future__ import annotations

import json
import re
import sys

from ..errors import InputError, key_path

MAX_DEPTH = 32
"""Deepest nesting accepted in a case file and in an HTTP API body."""

class _RepeatedKey(Exception):
    pass


def _pairs(pairs):
    d = dict(pairs)
    if len(d) != len(pairs):
        raise _RepeatedKey
    return d


EXPECTED_EN = {"un objet cas ou un tableau de cas": "a case object or an array of cases",
               "un objet cas JSON par ligne": "one JSON case object per line"}


def parse_json(text: str, label: str, *, line: int | None = None,
               expected: str = "un objet cas ou un tableau de cas"):
    """The JSON value of ``text`` (the whole file ``label``, or its line ``line`` for .jsonl).

    InputError (exit 3) when it cannot be read (file:line:col), nests deeper than MAX_DEPTH,
    or repeats a key in one object (file:line:col and the JSON path of the key)."""
    try:
        value = json.loads(text, object_pairs_hook=_pairs)
    except json.JSONDecodeError as e:
        raise InputError(f"JSON illisible : {e.msg}", where=_where(label, line, e.lineno, e.colno),
                         expected=expected, message_en=f"unreadable JSON: {e.msg}",
                         expected_en=EXPECTED_EN.get(expected)) from None
    except RecursionError:
        raise _too_deep(label if line is None else f"{label}:{line}", None) from None
    except _RepeatedKey:
        raise _repeated_key(text, label, line) from None
    except ValueError:   # an integer of more digits than Python converts (sys.get_int_max_str_digits)
        msg, pos = text_value_problem(text, big_int=True)
        raise InputError(msg, where=_where(label, line, *line_col(text, pos)), expected=expected,
                         hint="un cas n'a pas de tel nombre : vérifiez la valeur à cette place",
                         message_en=value_problem_en(msg), expected_en=EXPECTED_EN.get(expected),
                         hint_en="a case has no such number: check the value at this place") from None
    problem = text_value_problem(text)
    if problem is not None:
        raise InputError(problem[0], where=_where(label, line, *line_col(text, problem[1])), expected=expected,
                         hint="enregistrez le texte en UTF-8 valide (un « \\uD8xx » doit être suivi de son « \\uDCxx »)",
                         message_en=value_problem_en(problem[0]), expected_en=EXPECTED_EN.get(expected),
                         hint_en="save the text as valid UTF-8 (a « \\uD8xx » must be followed by its « \\uDCxx »)")
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


def value_problem_en(msg: str) -> str:
    """The English of a message of :func:`text_value_problem`."""
    m = re.fullmatch(r"nombre trop long : plus de (\d+) chiffres", msg)
    if m:
        return f"number too long: more than {m.group(1)} digits"
    m = re.fullmatch(r"texte invalide : demi-caractère UTF-16 isolé « (.*) » \(ce n'est pas du texte Unicode\)", msg)
    return f"invalid text: lone UTF-16 surrogate « {m.group(1)} » (not Unicode text)" if m else msg


def _where(label, line, lineno, colno) -> str:
    return f"{label}:{lineno if line is None else line + lineno - 1}:{colno}"


def _too_deep(where: str, path: str | None) -> InputError:
    return InputError(f"JSON trop imbriqué : plus de {MAX_DEPTH} niveaux d'imbrication",
                      where=f"{where}: {path}" if path else where,
                      expected="un cas au format JSON (quatre ou cinq niveaux : cas, peine, condamnations…)",
                      hint="vérifiez que c'est bien un fichier de cas et que chaque « [ » ou « { » est refermé "
                           f"à sa place (la même limite de {MAX_DEPTH} niveaux vaut pour l'API HTTP)",
                      message_en=f"JSON nested too deep: more than {MAX_DEPTH} levels",
                      expected_en="a case in the JSON format (four or five levels: case, sentence, convictions…)",
                      hint_en="check that it is a case file and that each « [ » or « { » is closed in its place "
                              f"(the same limit of {MAX_DEPTH} levels holds for the HTTP API)")


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
            stack.extend((x, depth + 1, join_path(path, k)) for k, x in v.items() if isinstance(x, (dict, list)))
        elif isinstance(v, list):
            stack.extend((x, depth + 1, join_path(path, i)) for i, x in enumerate(v) if isinstance(x, (dict, list)))
    return None


def join_path(path: str, k) -> str:
    """JSON paths as the case format's messages write them: ``id``, ``[1].id``, ``sentence.total``."""
    if isinstance(k, int):
        return f"{'' if path == '$' else path}[{k}]"
    return key_path(path, k)


_TOKEN = re.compile(r'[ \t\n\r]*(?:([{}\[\],:])|("(?:[^"\\]|\\.)*")|([^ \t\n\r{}\[\],:"]+))', re.S)


def scan_keys(text: str, want=frozenset()):
    """Walk JSON ``text`` token by token (no recursion): (the first repeated key as
    (path, key, pos, first_pos) or None, {path: pos of the key} for the key paths in ``want``)."""
    stack: list = []   # [is_object, path, current key or index, {key: pos}]
    found: dict = {}
    for m in _TOKEN.finditer(text):
        punct, string = m.group(1), m.group(2)
        top = stack[-1] if stack else None
        if punct in ("{", "["):
            here = "$" if top is None else join_path(top[1], top[2])
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
            path = join_path(top[1], key)
            if key in top[3]:
                return (path, key, m.start(2), top[3][key]), found
            top[3][key] = m.start(2)
            top[2] = key
            if path in want:
                found[path] = m.start(2)
    return None, found


def line_col(text: str, pos: int) -> tuple[int, int]:
    return text.count("\n", 0, pos) + 1, pos - (text.rfind("\n", 0, pos) + 1) + 1


def _repeated_key(text: str, label: str, line: int | None) -> InputError:
    dup, _ = scan_keys(text)
    if dup is None:   # not expected: the parser saw one
        return InputError("JSON : une clé est donnée deux fois dans un même objet", where=label,
                          expected="chaque clé une seule fois par objet",
                          message_en="JSON: a key is given twice in one object", expected_en="each key once per object")
    path, key, pos, first = dup
    (l2, c2), (l1, c1) = line_col(text, pos), line_col(text, first)
    if line is not None:
        l2, l1 = line + l2 - 1, line + l1 - 1
    return InputError(f"clé « {key} » donnée deux fois dans le même objet ({path})",
                      where=f"{label}:{l2}:{c2}",
                      expected="chaque clé une seule fois par objet",
                      hint=f"la première est à la ligne {l1}, colonne {c1} : gardez la bonne valeur et "
                           f"supprimez l'autre (JSON ne garderait que la dernière, sans rien dire)",
                      message_en=f"key « {key} » given twice in the same object ({path})",
                      expected_en="each key once per object",
                      hint_en=f"the first one is at line {l1}, column {c1}: keep the right value and remove "
                              f"the other (JSON would keep only the last one, silently)")

