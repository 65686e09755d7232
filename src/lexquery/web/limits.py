"""Safety measures applied to every request (issue 6; OWASP Secure Headers Project).

- :class:`SecurityHeaders`: Content-Security-Policy ``default-src 'self'`` (no inline script,
  no other origin), ``X-Content-Type-Options: nosniff``, ``Referrer-Policy: no-referrer``,
  ``X-Frame-Options: DENY``, ``Cross-Origin-Opener-Policy: same-origin``;
- :class:`BodyLimit`: a request body larger than the limit of its route is refused with 413
  (by its Content-Length before reading, else while it streams in);
- :func:`run_limited`: the blocking work of a request (engine, SHACL, SPARQL) runs in a worker
  thread and the request is answered 504 when it takes longer than the time limit.
"""
from __future__ import annotations

import asyncio
import json

from starlette.concurrency import run_in_threadpool

from .errors import ApiError

MB = 1024 * 1024
JSON_LIMIT = 2 * MB
UPLOAD_LIMIT = 50 * MB
TIME_LIMIT = 30.0          # seconds, per request

HEADERS = [
    (b"content-security-policy", b"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                                 b"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
]


class SecurityHeaders:
    """ASGI middleware adding the security headers to every HTTP response."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                names = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [h for h in HEADERS if h[0] not in names]
            await send(message)
        await self.app(scope, receive, send_with_headers)


def _too_large(limit: int) -> bytes:
    return json.dumps({"error": {
        "message": f"requête trop grande : plus de {limit // MB} Mo",
        "where": "corps de la requête", "expected": f"au plus {limit} octets",
        "hint": "découpez le fichier ou utilisez la commande « lexquery screen » en ligne de commande"}},
        ensure_ascii=False).encode()


class BodyLimit:
    """ASGI middleware: 413 when the body is over ``limit_for(path)`` bytes."""

    def __init__(self, app, limit_for):
        self.app = app
        self.limit_for = limit_for

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        limit = self.limit_for(scope["path"])
        length = dict(scope.get("headers", [])).get(b"content-length")
        if length is not None:
            try:
                declared = int(length)
            except ValueError:
                declared = limit + 1
            if declared > limit:
                return await _send_413(send, limit)
        received = 0
        started = False

        async def counting_receive():
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _Overflow()
            return message

        async def tracking_send(message):
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)
        try:
            await self.app(scope, counting_receive, tracking_send)
        except _Overflow:
            if not started:
                await _send_413(send, limit)


class _Overflow(Exception):
    pass


async def _send_413(send, limit):
    body = _too_large(limit)
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"application/json; charset=utf-8"),
                            (b"content-length", str(len(body)).encode()), (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})


async def run_limited(request, fn, *args, **kwargs):
    """``fn(*args, **kwargs)`` in a worker thread; ApiError 504 after the app's time limit."""
    limit = getattr(request.app.state, "time_limit", TIME_LIMIT)
    try:
        return await asyncio.wait_for(run_in_threadpool(fn, *args, **kwargs), timeout=limit)
    except asyncio.TimeoutError:
        raise ApiError(504, f"délai dépassé : la réponse a pris plus de {limit:g} s",
                       where=request.url.path, expected=f"une réponse en moins de {limit:g} s",
                       hint="envoyez moins de cas à la fois, ou utilisez la ligne de commande pour un gros lot") from None
