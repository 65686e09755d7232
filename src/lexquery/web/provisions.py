"""``GET /api/articles/{citation}`` and ``GET /api/sources``: the provisions of the KB (law/).

The same data as ``lexquery article CITATION --format json`` (:func:`lexquery.kb.describe.describe`)
and ``lexquery sources --format json`` (:func:`lexquery.commands.sources.provision_rows`).
The provision index (``lexquery.kb.load_kb()``) is loaded once, at the first request needing it.
"""
from __future__ import annotations

import json

from starlette.responses import Response

from .body import query_choice, query_date
from .limits import run_limited


def _json(data) -> Response:
    return Response(json.dumps(data, ensure_ascii=False, default=str), media_type="application/json")


def describe_citation(citation: str, at, lang: str) -> dict:
    from ..kb.describe import describe
    from ..kb import load_kb
    kb = load_kb()
    return describe(kb, kb.lookup(citation, at), at, lang)


async def article(request):
    """GET /api/articles/{citation}?at=YYYY-MM-DD&lang=fr|en."""
    at = query_date(request, "at")
    lang = query_choice(request, "lang", ("fr", "en"), "fr")
    return _json(await run_limited(request, describe_citation, request.path_params["citation"], at, lang))


def list_sources(q: str | None, instrument: str | None, used: bool = False, unused: bool = False) -> list[dict]:
    from ..commands.sources import provision_rows
    from ..kb import load_kb
    return provision_rows(load_kb(), instrument, q, used=used, unused=unused)


async def sources(request):
    """GET /api/sources?q=&instrument=&used=0|1&unused=0|1."""
    from .body import query_flag
    p = request.query_params
    return _json(await run_limited(request, list_sources, p.get("q") or None, p.get("instrument") or None,
                                   query_flag(request, "used"), query_flag(request, "unused")))
