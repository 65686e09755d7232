"""``create_app()``: the Starlette application behind ``lexquery serve`` (issue 6, docs/web.md).

Routes live in small modules; this one assembles them with the safety measures of
:mod:`.limits` (security headers, body size, time limit) and the error bodies of :mod:`.errors`.
"""
from __future__ import annotations

from contextlib import asynccontextmanager
from functools import lru_cache
from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.responses import FileResponse, JSONResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from .. import yaml12
from ..errors import LexqueryError
from . import answers, checking, desk, linked, provisions, sparql, vocabulary
from .errors import ApiError, InternalErrors, api_error_handler, http_error_handler, lexquery_error_handler
from .limits import (JSON_LIMIT, SCREEN_TIME_LIMIT, TIME_LIMIT, UPLOAD_BODY_TIMEOUT, UPLOAD_LIMIT, WORKERS,
                     Admission, BodyLimit, CrossSite, HostCheck, SecurityHeaders)

STATIC = Path(__file__).parent / "static"

# path, handler, methods — the API (each documented in openapi.yaml, tests/test_web_api.py)
API = [
    ("/api/ask", answers.ask, ["POST"]),
    ("/api/parse", answers.parse, ["POST"]),
    ("/api/what-if", answers.what_if, ["POST"]),
    ("/api/articles/{citation:path}", provisions.article, ["GET"]),
    ("/api/sources", provisions.sources, ["GET"]),
    ("/api/vocabulary", vocabulary.get, ["GET"]),
    ("/api/validate", checking.validate, ["POST"]),
    ("/api/screen", checking.screen, ["POST"]),
    ("/api/sparql", sparql.sparql, ["GET", "POST"]),
    ("/api/interview", desk.interview, ["POST"]),
    ("/api/note", desk.note, ["POST"]),
]
UPLOAD_ROUTES = ("/api/screen",)
# the linked data (web/linked.py): the KB's IRIs mapped onto the server by their path, the ontologies,
# our copies of the sources, the JSON-LD context — documented in openapi.yaml too
LINKED = [
    ("/law/{path:path}", linked.resource, ["GET"]),
    ("/rule/{path:path}", linked.resource, ["GET"]),
    ("/ontology", linked.ontology, ["GET"]),
    ("/ontology/law", linked.ontology, ["GET"]),
    ("/sources/{path:path}", linked.source_file, ["GET"]),
    ("/context.jsonld", linked.context, ["GET"]),
]


@lru_cache(maxsize=1)
def openapi_document() -> dict:
    """The OpenAPI 3.1 document of the API (openapi.yaml, beside this module)."""
    return yaml12.load((Path(__file__).parent / "openapi.yaml").read_text(encoding="utf-8"))


async def openapi(request):
    """GET /openapi.json."""
    return JSONResponse(openapi_document())


async def favicon(request):
    """GET /favicon.ico — the page's icon (an SVG « § »), so that browsers get no 404."""
    return FileResponse(STATIC / "favicon.svg", media_type="image/svg+xml",
                        headers={"Cache-Control": "public, max-age=86400"})


async def index(request):
    """GET / — the page (its language is chosen by the page from ?lang=)."""
    return FileResponse(STATIC / "index.html", media_type="text/html; charset=utf-8",
                        headers={"Cache-Control": "no-cache"})


@asynccontextmanager
async def lifespan(app):
    yield
    sparql.shutdown()   # the SPARQL worker process ends with the server


def create_app(*, time_limit: float = TIME_LIMIT, json_limit: int = JSON_LIMIT, upload_limit: int = UPLOAD_LIMIT,
               screen_time_limit: float = SCREEN_TIME_LIMIT, sparql_timeout: float = sparql.TIMEOUT,
               allowed_hosts=(), workers: int = WORKERS, admission: dict | None = None,
               body: dict | None = None) -> Starlette:
    """The application; the limits are parameters so that the tests can make them small.

    ``allowed_hosts``: host names (besides IP addresses and ``localhost``) the ``Host`` header may
    give (``serve --allow-host``); ``admission``, ``body``: arguments of :class:`.limits.Admission`
    and :class:`.limits.BodyLimit` (queue sizes, body time limits)."""
    def limit_for(path: str) -> int:
        return upload_limit if path in UPLOAD_ROUTES else json_limit

    def body_time_for(path: str) -> float:
        return UPLOAD_BODY_TIMEOUT if path in UPLOAD_ROUTES else (body or {}).get("timeout", 30.0)

    routes = [Route("/", index, methods=["GET"]), Route("/openapi.json", openapi, methods=["GET"]),
              Route("/favicon.ico", favicon, methods=["GET"])]
    routes += [Route(path, fn, methods=methods) for path, fn, methods in API + LINKED]
    routes.append(Mount("/static", app=StaticFiles(directory=STATIC, follow_symlink=False), name="static"))
    app = Starlette(
        routes=routes, lifespan=lifespan,
        middleware=[Middleware(SecurityHeaders), Middleware(HostCheck, names=allowed_hosts), Middleware(CrossSite),
                    Middleware(InternalErrors), Middleware(Admission, **(admission or {})),
                    Middleware(BodyLimit, limit_for=limit_for, timeout_for=body_time_for,
                               **{k: v for k, v in (body or {}).items() if k != "timeout"})],
        exception_handlers={ApiError: api_error_handler, LexqueryError: lexquery_error_handler,
                            HTTPException: http_error_handler},
    )
    app.state.time_limit = time_limit
    app.state.screen_time_limit = screen_time_limit
    app.state.sparql_timeout = sparql_timeout
    app.state.workers = workers
    return app
