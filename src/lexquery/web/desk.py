"""``POST /api/interview`` and ``POST /api/note``: the magistrate's desk over HTTP (issue 17).

``/api/interview`` is one step of the guided interview of :mod:`lexquery.interview`, kept
stateless: the page sends the case as built so far, the facts the person said they do not
know, and (optionally) the answer just typed; the server reads the answer with the
language's readers, answers the case, and returns the case, the answer (docs/answer-format.md)
and the next question with the conditions and articles that wait on it — or none when
nothing more can change the answer.

``/api/note?format=pdf|docx|ics`` returns the « fiche d'éligibilité » of one case
(:mod:`lexquery.render.note`) or its dates as iCalendar, as a file to download.
"""
from __future__ import annotations

from starlette.responses import JSONResponse, Response

from ..engine.api import load_kb
from ..errors import LexqueryError
from .body import body_date, query_choice, read_json, what_en
from .errors import ApiError, from_lexquery
from .limits import run_limited

SHAPE = '{"case": {…}, "skipped": ["chemin"], "answer": {"path": "…", "text": "…"}, "as_of": "AAAA-MM-JJ"}'
NOTE_TIME_LIMIT = 120.0   # seconds
NOTE_TYPES = {"pdf": "application/pdf",
              "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
              "ics": "text/calendar; charset=utf-8"}


def step(case: dict, skipped: list, answer: dict | None, as_of=None, lang: str = "fr") -> dict:
    from ..interview import Interview, form_field_count
    iv = Interview(load_kb(), case, as_of, lang, set(skipped))
    given = None
    if answer is not None:
        try:
            iv.give(answer["path"], answer["text"])
        except LexqueryError as e:
            err = from_lexquery(e)
            err.status = 422
            err.body["where"] = f"$.answer.text ({answer['path']})"
            raise err from None
        given = answer["path"]
    try:
        ans, q = iv.next()
    except LexqueryError as e:
        raise from_lexquery(e) from None
    from ..dsl import case_to_lq
    try:
        lq = case_to_lq(iv.case, lang=lang)
    except LexqueryError:
        lq = None
    return {"case": iv.case, "case_lq": lq, "skipped": sorted(iv.skipped), "given": given,
            "question": q.to_dict() if q else None, "done": q is None,
            "answer": ans.to_dict(lang), "form_fields": form_field_count()}


async def interview(request):
    """POST /api/interview?lang=fr|en — one step of the guided interview."""
    lang = query_choice(request, "lang", ("fr", "en"), "fr")
    body = await read_json(request, SHAPE)
    if not isinstance(body, dict) or not isinstance(body.get("case", {}), dict):
        raise ApiError(400, "« case » doit être un objet (le cas construit jusqu'ici)", where="$.case", expected=SHAPE,
                       message_en="« case » must be an object (the case built so far)", expected_en=what_en(SHAPE))
    skipped = body.get("skipped", [])
    if not isinstance(skipped, list) or not all(isinstance(s, str) for s in skipped):
        raise ApiError(400, "« skipped » doit être une liste de chemins", where="$.skipped", expected=SHAPE,
                       message_en="« skipped » must be a list of paths", expected_en=what_en(SHAPE))
    answer = body.get("answer")
    if answer is not None and not (isinstance(answer, dict) and isinstance(answer.get("path"), str)
                                   and isinstance(answer.get("text"), str)):
        raise ApiError(400, "« answer » doit être {\"path\": …, \"text\": …}", where="$.answer", expected=SHAPE,
                       message_en="« answer » must be {\"path\": …, \"text\": …}", expected_en=what_en(SHAPE))
    case = body.get("case") or {"id": "entretien"}
    as_of = body_date(body.get("as_of"), "$.as_of")
    return JSONResponse(await run_limited(request, step, case, skipped, answer, as_of, lang))


def note_bytes(case: dict, fmt: str, lang: str, as_of=None) -> bytes:
    from ..render import render_note
    from ..render.ics import render_ics
    try:
        ans = load_kb().ask(case, as_of, source="$", lang=lang)
    except LexqueryError as e:
        raise from_lexquery(e) from None
    if fmt == "ics":
        return render_ics(ans, lang).encode("utf-8")
    return render_note(ans, [case], fmt, lang)


async def note(request):
    """POST /api/note?format=pdf|docx|ics&lang=fr|en — body: one case."""
    fmt = query_choice(request, "format", tuple(NOTE_TYPES), "pdf")
    lang = query_choice(request, "lang", ("fr", "en"), "fr")
    body = await read_json(request, "un cas au format JSON (objet)")
    if not isinstance(body, dict):
        raise ApiError(422, "un cas est un objet JSON", where="$", expected="un cas au format JSON (objet)",
                       message_en="a case is a JSON object", expected_en="a case in the JSON format (object)")
    # a PDF is laid out by WeasyPrint (≈ 3 s for 15 pages on an idle core): more time than an answer
    data = await run_limited(request, note_bytes, body, fmt, lang, limit=NOTE_TIME_LIMIT)
    name = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in str(body.get("id") or "cas"))
    stem = "echeances" if fmt == "ics" else "fiche"
    return Response(data, media_type=NOTE_TYPES[fmt],
                    headers={"Content-Disposition": f'attachment; filename="{stem}-{name}.{fmt}"'})
