"""Error bodies of the API: ``{"error": {"message", "where", "expected", "hint"}}``, never a traceback.
With their English beside (issue 15): ``message_en`` on every error body, and ``expected_en`` /
``hint_en`` when the French has an ``expected`` / ``hint`` — a case that breaks the case format
(and each of its ``problems``), the lexquery language's mistakes (and each of ``errors``), a body,
a query parameter, a SPARQL query, a limit, an unknown address or method, an internal error.
``message`` (French) keeps its meaning; the page shows the English with ``?lang=en``.

A :class:`lexquery.errors.LexqueryError` becomes a 4xx with its own where / expected / hint
(STYLE.md §11); anything else is a 500 whose body only gives an id, the traceback being
logged under that id on the server side.
"""
from __future__ import annotations

import logging
import uuid

from starlette.responses import JSONResponse

from ..errors import CaseError, LexqueryError, NotFoundError, UsageError

log = logging.getLogger("lexquery.web")


WHERE_EN = {"corps": "body", "corps de la requête": "request body", "en-têtes": "headers", "<texte>": "<text>"}


def where_en(where):
    """``where`` in English where it holds a French word (« corps », « <texte>:3:16 »); None otherwise."""
    if not isinstance(where, str):
        return None
    for fr, en in WHERE_EN.items():
        if where == fr or where.startswith(fr + ":"):
            return en + where[len(fr):]
    return None


class ApiError(Exception):
    """An error the API answers with ``status`` and a body for a person."""

    def __init__(self, status: int, message: str, *, where: str | None = None,
                 expected: str | None = None, hint: str | None = None, **extra):
        super().__init__(message)
        self.status = status
        self.body = {"message": message, "where": where, "expected": expected, "hint": hint, **extra}
        for k in ("expected_en", "hint_en"):   # none without its French
            if k in self.body and not self.body[k[:-3]]:
                self.body[k] = None
        if where_en(where):   # a place named in French words: its English beside (the page shows it with ?lang=en)
            self.body["where_en"] = where_en(where)


def error_response(status: int, message: str, *, where=None, expected=None, hint=None, headers=None,
                   **extra) -> JSONResponse:
    body = {"message": message, "where": where, "expected": expected, "hint": hint, **extra}
    return JSONResponse({"error": body}, status_code=status, headers=headers)


def status_of(err: LexqueryError) -> int:
    """404 for what does not exist, 422 for a case that breaks the case format, else 400."""
    if isinstance(err, NotFoundError):
        return 404
    if isinstance(err, CaseError):
        return 422
    return 400


def _problem(p) -> dict:
    """A problem of the case format with its English beside the French (``message_en``,
    ``expected_en``, ``hint_en``: lexquery.engine.case_english; null only for a message of a
    shape it does not know, which tests/test_case_english.py forbids)."""
    from ..engine.case_english import expected_en, hint_en, message_en
    d = dict(p.__dict__)
    d.update(message_en=message_en(p.message), expected_en=expected_en(p.expected), hint_en=hint_en(p.hint))
    return d


def from_lexquery(err: LexqueryError) -> ApiError:
    from ..engine.case_english import with_english
    with_english(err)
    extra = dict(err.english_dict()) or {"message_en": None}   # null: a message of a shape without English yet
    if isinstance(err, CaseError):
        extra["problems"] = [_problem(p) for p in err.problems]
        if extra["problems"]:   # the error's own message is its first problem's (errors.CaseError)
            first = extra["problems"][0]
            extra.update(message_en=first["message_en"], expected_en=first["expected_en"], hint_en=first["hint_en"])
    span = getattr(err, "span", None)
    if span is not None:  # the lexquery language: line and column apart
        extra.update(line=span.line, column=span.col)
    return ApiError(status_of(err), err.message, where=err.where, expected=err.expected, hint=err.hint, **extra)


async def api_error_handler(request, exc: ApiError):
    retry = exc.body.get("retry_after")
    return JSONResponse({"error": exc.body}, status_code=exc.status,
                        headers={"Retry-After": str(retry)} if retry else None)


async def lexquery_error_handler(request, exc: LexqueryError):
    return await api_error_handler(request, from_lexquery(exc))


async def http_error_handler(request, exc):
    """Starlette's own 404 / 405 as the API's error body."""
    words = {404: ("rien à cette adresse", "vérifiez l'adresse ; la liste des routes est dans /openapi.json",
                   "nothing at this address", "check the address; the routes are listed in /openapi.json"),
             405: ("méthode non permise sur cette adresse", "voir /openapi.json pour les méthodes de chaque route",
                   "method not allowed at this address", "see /openapi.json for each route's methods")}
    # another status: Starlette's own detail, which is English (« Bad Request »)
    message, hint, message_en, hint_en = words.get(exc.status_code, (str(exc.detail), None, str(exc.detail), None))
    extra = {"message_en": message_en, "hint_en": hint_en}
    return error_response(exc.status_code, message, where=request.url.path, hint=hint,
                          headers=getattr(exc, "headers", None), **extra)


async def internal_error_handler(request, exc):
    """A defect of lexquery: a generic message and an id; the traceback goes to the log only."""
    ident = uuid.uuid4().hex[:12]
    log.error("internal error %s on %s %s", ident, request.method, request.url.path, exc_info=exc)
    return error_response(500, f"erreur interne (référence {ident})", where=request.url.path,
                          hint="réessayez ; si l'erreur revient, signalez-la avec cette référence", id=ident,
                          message_en=f"internal error (reference {ident})",
                          hint_en="try again; if the error comes back, report it with this reference")


def usage(message: str, where: str, expected: str | None = None, hint: str | None = None) -> ApiError:
    return ApiError(400, message, where=where, expected=expected, hint=hint)


__all__ = ["ApiError", "error_response", "from_lexquery", "usage", "UsageError"]


class StartTracker:
    """An ASGI ``send`` that remembers whether the response has started (then no error body can follow)."""

    def __init__(self, send):
        self.send = send
        self.started = False

    async def __call__(self, message):
        if message["type"] == "http.response.start":
            self.started = True
        await self.send(message)


class InternalErrors:
    """ASGI middleware inside the security headers: an unexpected exception becomes the generic
    500 of :func:`internal_error_handler` (Starlette's own 500 would go out without the headers)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        tracker = StartTracker(send)
        try:
            await self.app(scope, receive, tracker)
        except Exception as exc:
            if tracker.started:
                raise
            from starlette.requests import Request
            response = await internal_error_handler(Request(scope), exc)
            await response(scope, receive, send)
