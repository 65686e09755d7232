"""``POST /api/ask``, ``/api/parse``, ``/api/what-if``: the engine's answers over HTTP.

``/api/ask`` answers exactly what ``lexquery ask --format json`` prints for the same case(s)
(answer format: docs/answer-format.md): one case, or an array of one, gives one
answer object; an array of several gives an array. Every case is read by the engine's own
reader (case format: docs/case-format.md); an invalid case is a 422 listing its
problems by JSON path.
"""
from __future__ import annotations

import copy

from starlette.responses import JSONResponse, Response

from ..engine.api import load_kb
from ..errors import CaseError
from ..render import render
from .body import body_date, query_choice, query_date, query_flag, read_json
from .errors import ApiError, from_lexquery
from .limits import run_limited

CASES = "un cas au format JSON (objet) ou un tableau de cas"
CASES_EN = "a case in the JSON format (object) or an array of cases"
PARSE_SHAPE = '{"text": "…", "syntax": "lq" | "json"}'
PARSE_LIMIT = 256 * 1024
"""Longest text /api/parse reads (characters): at most a few seconds of work, a few hundred cases."""


def _cases(body) -> list:
    cases = body if isinstance(body, list) else [body]
    if not cases:
        raise ApiError(400, "tableau de cas vide", where="$", expected=CASES,
                       message_en="empty array of cases", expected_en=CASES_EN)
    for i, c in enumerate(cases):
        if not isinstance(c, dict):
            raise ApiError(422, "un cas est un objet JSON", where=f"$[{i}]" if isinstance(body, list) else "$",
                           expected=CASES, message_en="a case is a JSON object", expected_en=CASES_EN)
    return cases


def answer_cases(cases: list, as_of=None, lang: str = "fr"):
    """The engine's answers, in order; CaseError (422) at the first invalid case."""
    from ..budget import check
    engine = load_kb()
    out = []
    for i, c in enumerate(cases):
        check()   # past the request's time: stop (lexquery.budget)
        out.append(engine.ask(c, as_of, source=f"$[{i}]" if len(cases) > 1 else "$", lang=lang))
    return out


def _render(cases, as_of, fmt, explain, lang) -> str:
    answers = answer_cases(cases, as_of, lang)
    return render(answers[0] if len(answers) == 1 else answers, fmt, explain=explain, lang=lang)


async def ask(request):
    """POST /api/ask?as_of=&explain=&format=json|text&lang=fr|en — body: case or array of cases."""
    as_of = query_date(request, "as_of")
    explain = query_flag(request, "explain")
    lang = query_choice(request, "lang", ("fr", "en"), "fr")
    wants_text = "text/plain" in request.headers.get("accept", "") and "application/json" not in request.headers.get("accept", "")
    fmt = query_choice(request, "format", ("json", "text"), "text" if wants_text else "json")
    cases = _cases(await read_json(request, CASES))
    text = await run_limited(request, _render, cases, as_of, fmt, explain, lang)
    media = "application/json" if fmt == "json" else "text/plain; charset=utf-8"
    return Response(text + "\n", media_type=media)


async def parse(request):
    """POST /api/parse — ``{"text", "syntax": "lq"|"json"}`` → ``{"cases": [...]}``."""
    lang = query_choice(request, "lang", ("fr", "en"), "fr")
    body = await read_json(request, PARSE_SHAPE)
    if not isinstance(body, dict) or not isinstance(body.get("text"), str):
        raise ApiError(400, "champ « text » manquant ou pas une chaîne", where="$.text", expected=PARSE_SHAPE,
                       message_en="field « text » missing or not a string", expected_en=PARSE_SHAPE)
    syntax = body.get("syntax", "lq")
    if syntax not in ("lq", "json"):
        raise ApiError(400, f"syntaxe inconnue « {syntax} »", where="$.syntax", expected="lq | json",
                       message_en=f"unknown syntax « {syntax} »", expected_en="lq | json")
    if len(body["text"]) > PARSE_LIMIT:   # reading the language costs ≈ 10 µs a character: bounded
        raise ApiError(413, f"texte trop long : plus de {PARSE_LIMIT // 1024} Ko", where="$.text",
                       expected=f"au plus {PARSE_LIMIT} caractères (quelques centaines de cas)",
                       hint="découpez le texte, ou utilisez « lexquery convert » en ligne de commande",
                       message_en=f"text too long: more than {PARSE_LIMIT // 1024} KB",
                       expected_en=f"at most {PARSE_LIMIT} characters (a few hundred cases)",
                       hint_en="split the text, or use « lexquery convert » on the command line")
    cases, questions = await run_limited(request, parse_text, body["text"], syntax, lang)
    out = {"cases": cases}
    if questions:
        out["questions"] = questions
    return JSONResponse(out)


def parse_text(text: str, syntax: str, lang: str = "fr") -> tuple[list[dict], list[dict]]:
    """Case dicts of a text in the lexquery language or in JSON (errors carry line and
    column), and the text's questions answered as ``lexquery ask FILE.lq`` answers them
    (``[{"question", "answer"}]``; the language only)."""
    from .body import parse_json
    if syntax == "json":
        return _cases(parse_json(text.encode("utf-8"), CASES)), []
    from .. import dsl
    from ..dsl.errors import LqErrors
    try:
        doc = dsl.load(text, "<texte>", implicit_id="cas")
        questions = []
        if doc.items:
            from ..dsl.questions import answer
            engine = load_kb()
            questions = [{"question": it.question.text.strip(), "answer": answer(it, engine, lang=lang)}
                         for it in doc.items]
        return doc.case_dicts(), questions
    except LqErrors as e:
        errs = list(getattr(e, "errors", None) or [])
        first = from_lexquery(errs[0] if errs else e)
        first.body["errors"] = [from_lexquery(x).body for x in errs]
        raise first from None


async def what_if(request):
    """POST /api/what-if — ``{"case", "set": {path: value}, "as_of"}`` → before, after, changes."""
    body = await read_json(request, '{"case": {…}, "set": {"chemin": valeur}}')
    if not isinstance(body, dict) or not isinstance(body.get("case"), dict):
        raise ApiError(400, "champ « case » manquant ou pas un objet", where="$.case", expected="un cas au format JSON",
                       message_en="field « case » missing or not an object", expected_en="a case in the JSON format")
    changes = body.get("set", {})
    if not isinstance(changes, dict):
        raise ApiError(400, "« set » doit être un objet {chemin: valeur}", where="$.set",
                       expected='{"consent.transfer": true}', message_en="« set » must be an object {path: value}",
                       expected_en='{"consent.transfer": true}')
    as_of = body_date(body.get("as_of"), "$.as_of")
    lang = query_choice(request, "lang", ("fr", "en"), "fr")
    return JSONResponse(await run_limited(request, compare, body["case"], changes, as_of, lang))


def compare(case: dict, changes: dict, as_of=None, lang: str = "fr") -> dict:
    """Answers before and after setting ``changes`` (the DSL's « et si », lexquery.dsl.questions)."""
    from ..dsl import vocab
    from ..dsl.case_data import set_path
    from ..dsl.questions import _index, _summary
    changed = copy.deepcopy(case)
    for path, value in changes.items():
        if path.split("[")[0] not in vocab.FIELDS:
            raise ApiError(422, f"fait inconnu « {path} »", where=f"$.set.{path}",
                           expected="un chemin du format de cas, ex. consent.transfer",
                           message_en=f"unknown fact « {path} »", expected_en="a path of the case format, e.g. consent.transfer")
        set_path(changed, path, value)
    engine = load_kb()
    try:
        a = engine.ask(copy.deepcopy(case), as_of, source="$.case", lang=lang)
    except CaseError as e:
        raise from_lexquery(e) from None
    try:
        b = engine.ask(changed, as_of, source="$.case + $.set", lang=lang)
    except CaseError as e:
        raise from_lexquery(e) from None
    before, after = _index(a, lang), _index(b, lang)
    diff = []
    for key in list(before) + [k for k in after if k not in before]:
        x, y = before.get(key), after.get(key)
        sx, sy = (_summary(x[0], lang) if x else None), (_summary(y[0], lang) if y else None)
        if sx != sy:
            diff.append({"procedure": key[0], "state": key[1], "route": key[2],
                         "before": x[0].status if x else None, "after": y[0].status if y else None,
                         "before_text": sx, "after_text": sy, "label": (y or x)[1]})
    return {"before": a.to_dict(lang), "after": b.to_dict(lang), "changes": diff}
