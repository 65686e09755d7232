"""``POST /api/validate`` and ``POST /api/screen``: checking case data, screening a registry export.

- validate: case(s) in JSON (the case format) or RDF in Turtle (``Content-Type: text/turtle``,
  parsed from the body: Turtle has no import, nothing is fetched) → ``{"cases": [{"id",
  "conforms", "results"}]}``, the findings of :func:`lexquery.caserdf.validate.validate_many`
  (JSON reader, then SHACL shapes/case-shapes.ttl), as ``lexquery validate --format json``;
- screen: the greffe's CSV (docs/screening-csv.md) as the body (``text/csv``)
  or the multipart field ``file`` → the report of :func:`lexquery.screening.screen.screen` as a
  download, its summary in ``X-Lexquery-*`` headers. The upload is copied to a temporary file
  whose name the server chooses; no client-given name or path is ever opened.
"""
from __future__ import annotations

import os
import tempfile

from starlette.responses import JSONResponse, Response

from .answers import CASES, _cases
from .body import parse_json, query_choice, query_date
from .errors import ApiError
from .limits import run_limited

TURTLE = ("text/turtle", "application/x-turtle")


def validate_json(cases: list) -> dict:
    from ..caserdf import conforms
    from ..caserdf.validate import validate_many
    sources = [f"$[{i}]" if len(cases) > 1 else "$" for i in range(len(cases))]
    results = validate_many(cases, sources)
    return {"cases": [{"id": c.get("id"), "source": s, "conforms": conforms(r), "results": [x.to_dict() for x in r]}
                      for c, s, r in zip(cases, sources, results)]}


def validate_turtle(text: str) -> dict:
    import json

    from ..caserdf.inputs import parse_turtle
    from ..commands.validate import _turtle_reports
    g = parse_turtle(text, "turtle")
    out = []
    for rendered, _ok in _turtle_reports("turtle", g, None, "json", "fr"):
        rep = json.loads(rendered)
        out.append({"id": rep["case"], "source": rep["source"], "conforms": rep["conforms"], "results": rep["results"]})
    return {"cases": out}


async def validate(request):
    """POST /api/validate — JSON case(s), or Turtle with Content-Type: text/turtle."""
    ctype = request.headers.get("content-type", "application/json").split(";")[0].strip().lower()
    raw = await request.body()
    if ctype in TURTLE:
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as e:
            raise ApiError(400, f"corps illisible : pas de l'UTF-8 (octet {e.start})", where="corps",
                           message_en=f"unreadable body: not UTF-8 (byte {e.start})") from None
        return JSONResponse(await run_limited(request, validate_turtle, text))
    if ctype not in ("application/json", "text/json", ""):
        raise ApiError(415, f"type de contenu non pris en charge : {ctype}", where="Content-Type",
                       expected="application/json (cas JSON) ou text/turtle (RDF)",
                       message_en=f"content type not supported: {ctype}",
                       expected_en="application/json (JSON cases) or text/turtle (RDF)")
    cases = _cases(parse_json(raw, CASES))
    return JSONResponse(await run_limited(request, validate_json, cases))


FORMATS = {"html": ("text/html; charset=utf-8", "html"), "csv": ("text/csv; charset=utf-8", "csv"),
           "jsonl": ("application/x-ndjson", "jsonl"), "json": ("application/json", "json")}


def screen_file(path: str, fmt: str, as_of, lang: str = "fr") -> tuple[str, dict]:
    """The report text and the summary of screening the CSV at the server's own ``path``
    (``lang``: the HTML report's language; CSV and JSON keep their ids whatever it is)."""
    import io

    from ..screening.outputs import make_writer
    from ..screening.screen import screen
    out = io.StringIO()
    summary = screen(path, make_writer(fmt, out, lang=lang), as_of=as_of, jobs=1, progress=False, label="upload.csv",
                     chunk=50)   # the time budget is checked between chunks (lexquery.budget)
    return out.getvalue(), summary.to_dict()


async def _upload_to(request, target) -> None:
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    # not text/plain nor multipart/form-data: a page of another site could send those without a
    # CORS preflight (lexquery.web.limits.CrossSite refuses them first; this says what to send)
    if ctype not in ("text/csv", "application/csv"):
        raise ApiError(415, f"type de contenu non pris en charge : {ctype or '(aucun)'}", where="Content-Type",
                       expected="text/csv (le CSV comme corps de la requête)",
                       hint="curl --data-binary @export.csv -H 'Content-Type: text/csv' …",
                       message_en=f"content type not supported: {ctype or '(none)'}",
                       expected_en="text/csv (the CSV as the request body)",
                       hint_en="curl --data-binary @export.csv -H 'Content-Type: text/csv' …")
    async for chunk in request.stream():
        target.write(chunk)


async def screen(request):
    """POST /api/screen?as_of=&format=html|csv|jsonl|json&lang=fr|en — the CSV as body or multipart ``file``."""
    fmt = query_choice(request, "format", tuple(FORMATS), "html")
    lang = query_choice(request, "lang", ("fr", "en"), "fr")
    as_of = query_date(request, "as_of")
    with tempfile.TemporaryDirectory(prefix="lexquery-upload-") as tmp:
        path = os.path.join(tmp, "upload.csv")
        with open(path, "wb") as target:
            await _upload_to(request, target)
        if os.path.getsize(path) == 0:
            raise ApiError(400, "fichier CSV vide", where="corps", expected="l'export CSV du greffe (ligne d'en-tête + lignes)",
                           message_en="empty CSV file", expected_en="the prison registry's CSV export (header line + lines)")
        text, summary = await run_limited(request, screen_file, path, fmt, as_of, lang,
                                          limit=request.app.state.screen_time_limit)
    media, ext = FORMATS[fmt]
    headers = {"Content-Disposition": f'attachment; filename="lexquery-screening.{ext}"',
               "X-Lexquery-Read": str(summary["read"]), "X-Lexquery-Answered": str(summary["answered"]),
               "X-Lexquery-Rejected": str(summary["rejected"]), "X-Lexquery-Output-Rows": str(summary["output_rows"]),
               "X-Lexquery-Seconds": str(summary["seconds"]),
               # lines in = rows out (docs/screening-csv.md): data lines, cases over several lines, stray quotes
               "X-Lexquery-Data-Lines": str(summary["data_lines"]),
               "X-Lexquery-Multiline-Cases": str(summary["multiline_cases"]),
               "X-Lexquery-Unclosed-Quotes": str(summary["unclosed_quotes"])}
    return Response(text, media_type=media, headers=headers)
