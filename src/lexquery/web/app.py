"""``create_app()``: the Starlette application behind ``lexquery serve`` (issue 6, docs/web.md).

Routes live in small modules; this one assembles them with the safety measures of
:mod:`.limits` (security headers, body size, time limit) and the error bodies of :mod:`.errors`.
"""
from __future__ import annotations

from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.responses import FileResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from ..errors import LexqueryError
from . import answers, provisions, vocabulary
from .errors import ApiError, api_error_handler, http_error_handler, internal_error_handler, lexquery_error_handler
from .limits import JSON_LIMIT, TIME_LIMIT, UPLOAD_LIMIT, BodyLimit, SecurityHeaders

STATIC = Path(__file__).parent / "static"

# path, handler, methods — the API (each documented in openapi.yaml, tests/test_web_api.py)
API = [
    ("/api/ask", answers.ask, ["POST"]),
    ("/api/parse", answers.parse, ["POST"]),
    ("/api/what-if", answers.what_if, ["POST"]),
    ("/api/articles/{citation:path}", provisions.article, ["GET"]),
    ("/api/sources", provisions.sources, ["GET"]),
    ("/api/vocabulary", vocabulary.get, ["GET"]),
]
UPLOAD_ROUTES = ("/api/screen",)


async def index(request):
    """GET / — the page (its language is chosen by the page from ?lang=)."""
    return FileResponse(STATIC / "index.html", media_type="text/html; charset=utf-8",
                        headers={"Cache-Control": "no-cache"})


def create_app(*, time_limit: float = TIME_LIMIT, json_limit: int = JSON_LIMIT,
               upload_limit: int = UPLOAD_LIMIT) -> Starlette:
    """The application; the limits are parameters so that the tests can make them small."""
    def limit_for(path: str) -> int:
        return upload_limit if path in UPLOAD_ROUTES else json_limit

    routes = [Route("/", index, methods=["GET"])]
    routes += [Route(path, fn, methods=methods) for path, fn, methods in API]
    routes.append(Mount("/static", app=StaticFiles(directory=STATIC, follow_symlink=False), name="static"))
    app = Starlette(
        routes=routes,
        middleware=[Middleware(SecurityHeaders), Middleware(BodyLimit, limit_for=limit_for)],
        exception_handlers={ApiError: api_error_handler, LexqueryError: lexquery_error_handler,
                            HTTPException: http_error_handler, Exception: internal_error_handler},
    )
    app.state.time_limit = time_limit
    return app
