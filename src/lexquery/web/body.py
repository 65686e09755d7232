"""Reading a request: JSON bodies with depth and size limits, dates and flags of the query string.

The body size itself is bounded by :class:`lexquery.web.limits.BodyLimit`; here a JSON body
deeper than ``MAX_DEPTH`` or with more than ``MAX_ITEMS`` values is refused (400) before the
engine sees it (RFC 8259 §9 allows a parser to set such limits).
"""
from __future__ import annotations

import json
from datetime import date

from ..casefiles.json_text import MAX_DEPTH, text_value_problem  # one limit, one check for the CLI and the API
from ..dates import DATE_RANGE, DATE_RANGE_EN, parse_day
from .errors import ApiError

MAX_ITEMS = 200_000


def check_shape(value, where: str = "$") -> None:
    """Raise ApiError 400 when ``value`` nests deeper than MAX_DEPTH or holds too many values."""
    stack, count = [(value, 1, where)], 0
    while stack:
        v, depth, path = stack.pop()
        count += 1
        if count > MAX_ITEMS:
            raise ApiError(400, f"JSON trop volumineux : plus de {MAX_ITEMS} valeurs", where=where,
                           hint="envoyez moins de cas à la fois",
                           message_en=f"JSON too large: more than {MAX_ITEMS} values", hint_en="send fewer cases at a time")
        if isinstance(v, (dict, list)):
            if depth > MAX_DEPTH:
                raise ApiError(400, f"JSON trop profond : plus de {MAX_DEPTH} niveaux d'imbrication", where=path,
                               expected="un cas au format JSON (quelques niveaux)",
                               message_en=f"JSON too deep: more than {MAX_DEPTH} levels of nesting",
                               expected_en="a case in the JSON format (a few levels)")
            items = v.items() if isinstance(v, dict) else enumerate(v)
            stack.extend((x, depth + 1, f"{path}.{k}" if isinstance(v, dict) else f"{path}[{k}]") for k, x in items)


# what a body is expected to be, in English (the routes give it in French)
WHAT_EN = {"un objet JSON": "a JSON object",
           "un cas au format JSON (objet) ou un tableau de cas": "a case in the JSON format (object) or an array of cases",
           "un cas au format JSON (objet)": "a case in the JSON format (object)",
           '{"case": {…}, "set": {"chemin": valeur}}': '{"case": {…}, "set": {"path": value}}',
           '{"case": {…}, "skipped": ["chemin"], "answer": {"path": "…", "text": "…"}, "as_of": "AAAA-MM-JJ"}':
           '{"case": {…}, "skipped": ["path"], "answer": {"path": "…", "text": "…"}, "as_of": "YYYY-MM-DD"}'}


def what_en(what: str | None) -> str | None:
    """``what`` in English: a JSON shape without French words is its own English."""
    return None if what is None else WHAT_EN.get(what, what)


def parse_json(raw: bytes, what: str = "un objet JSON"):
    """The JSON value of a body, or ApiError 400 saying where it cannot be read (line:col)."""
    from ..casefiles.json_text import value_problem_en
    en = what_en(what)
    if not raw.strip():
        raise ApiError(400, "corps de la requête vide", where="corps", expected=what,
                       message_en="empty request body", expected_en=en)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise ApiError(400, f"corps illisible : pas de l'UTF-8 (octet {e.start})", where="corps",
                       hint="envoyez le JSON encodé en UTF-8", message_en=f"unreadable body: not UTF-8 (byte {e.start})",
                       hint_en="send the JSON encoded in UTF-8") from None
    try:
        value = json.loads(text)
    except json.JSONDecodeError as e:
        raise ApiError(400, f"JSON illisible : {e.msg}", where=f"{e.lineno}:{e.colno}", expected=what,
                       message_en=f"unreadable JSON: {e.msg}", expected_en=en) from None
    except RecursionError:
        raise ApiError(400, f"JSON trop profond : plus de {MAX_DEPTH} niveaux d'imbrication", where="corps",
                       expected=what, message_en=f"JSON too deep: more than {MAX_DEPTH} levels of nesting",
                       expected_en=en) from None
    except ValueError:   # an integer longer than Python converts
        msg, pos = text_value_problem(text, big_int=True)
        raise ApiError(400, msg, where=_line_col(text, pos), expected=what, message_en=value_problem_en(msg),
                       expected_en=en) from None
    problem = text_value_problem(text)
    if problem is not None:   # "\ud800": not Unicode text (it could not be answered in UTF-8)
        raise ApiError(400, problem[0], where=_line_col(text, problem[1]), expected=what,
                       message_en=value_problem_en(problem[0]), expected_en=en)
    check_shape(value)
    return value


def _line_col(text: str, pos: int) -> str:
    return f"{text.count(chr(10), 0, pos) + 1}:{pos - (text.rfind(chr(10), 0, pos) + 1) + 1}"


async def read_json(request, what: str = "un objet JSON"):
    ctype = request.headers.get("content-type", "application/json").split(";")[0].strip().lower()
    if ctype not in ("application/json", "application/ld+json", "text/json", ""):
        raise ApiError(415, f"type de contenu non pris en charge : {ctype}", where="Content-Type",
                       expected="application/json", hint="envoyez le corps en JSON avec Content-Type: application/json",
                       message_en=f"content type not supported: {ctype}", expected_en="application/json",
                       hint_en="send the body as JSON with Content-Type: application/json")
    return parse_json(await request.body(), what)


def query_date(request, name: str) -> date | None:
    """A date of the query string (``?as_of=2026-12-01``), None when absent."""
    s = request.query_params.get(name)
    if not s:
        return None
    try:
        return parse_day(s)
    except ValueError:
        raise ApiError(400, f"date illisible « {s} »", where=f"?{name}",
                       expected=f"AAAA-MM-JJ {DATE_RANGE}, ex. 2026-12-01", message_en=f"unreadable date « {s} »",
                       expected_en=f"YYYY-MM-DD {DATE_RANGE_EN}, e.g. 2026-12-01") from None


def body_date(value, where: str) -> date | None:
    if value in (None, ""):
        return None
    try:
        return parse_day(value)
    except (TypeError, ValueError):
        raise ApiError(400, f"date illisible « {value} »", where=where,
                       expected=f"AAAA-MM-JJ {DATE_RANGE}, ex. 2026-12-01", message_en=f"unreadable date « {value} »",
                       expected_en=f"YYYY-MM-DD {DATE_RANGE_EN}, e.g. 2026-12-01") from None


def query_flag(request, name: str) -> bool:
    s = request.query_params.get(name, "0").strip().lower()
    if s in ("1", "true", "yes", "oui"):
        return True
    if s in ("0", "false", "no", "non", ""):
        return False
    raise ApiError(400, f"valeur illisible pour ?{name} : « {s} »", where=f"?{name}", expected="0 ou 1",
                   message_en=f"unreadable value for ?{name}: « {s} »", expected_en="0 or 1")


def query_choice(request, name: str, choices: tuple, default: str) -> str:
    s = request.query_params.get(name, default)
    if s not in choices:
        raise ApiError(400, f"valeur inconnue pour ?{name} : « {s} »", where=f"?{name}", expected=" | ".join(choices),
                       message_en=f"unknown value for ?{name}: « {s} »", expected_en=" | ".join(choices))
    return s
