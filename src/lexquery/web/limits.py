"""Safety measures applied to every request (issue 6; OWASP Secure Headers Project).

- :class:`SecurityHeaders`: Content-Security-Policy ``default-src 'self'`` (no inline script,
  no other origin), ``X-Content-Type-Options: nosniff``, ``Referrer-Policy: no-referrer``,
  ``X-Frame-Options: DENY``, ``Cross-Origin-Opener-Policy: same-origin``;
- :class:`BodyLimit`: a request body larger than the limit of its route is refused with 413
  (by its Content-Length before reading, else while it streams in);
- :func:`run_limited`: the blocking work of a request (engine, SHACL, SPARQL) runs in a worker
  thread, at most :data:`WORKERS` at a time (the others wait their turn, within their time);
  the request is answered 504 when it takes longer than the time limit, and its work is
  cancelled (:mod:`lexquery.budget`: the loops of the work stop at their next check);
- :class:`Admission`: under a burst, requests queue (at most :data:`ADMITTED` in the application,
  :data:`QUEUED` waiting at most :data:`QUEUE_WAIT` s) and the rest is shed at once with 503 and
  ``Retry-After`` — most are served, none waits forever;
- :class:`BodyLimit` also times out a body that comes too slowly (408: :data:`BODY_CHUNK_TIMEOUT`
  s between two parts, :data:`BODY_TIMEOUT` s in all) and bounds the bodies held in memory by all
  requests together (:data:`BODY_BUDGET`, 503 beyond);
- :class:`HostCheck`: the ``Host`` header must name this server (an IP address, ``localhost`` or a
  name given with ``serve --allow-host``), else 421 — a page of another site whose name was made
  to resolve to 127.0.0.1 (DNS rebinding) gets nothing;
- :class:`CrossSite`: the costly endpoints take only content types that make a browser ask first
  (CORS preflight, Fetch standard §4.8: not ``text/plain``, ``multipart/form-data`` nor
  ``application/x-www-form-urlencoded``), and a POST whose ``Origin`` is another site is 403.
"""
from __future__ import annotations

import asyncio
import ipaddress
import json
import os
import time

from starlette.concurrency import run_in_threadpool

from .errors import ApiError, StartTracker

MB = 1024 * 1024
JSON_LIMIT = 2 * MB
UPLOAD_LIMIT = 50 * MB
TIME_LIMIT = 30.0          # seconds, per request (waiting for a worker included)
SCREEN_TIME_LIMIT = 600.0  # seconds, for a screening upload (50 MB of CSV)
WORKERS = max(2, os.cpu_count() or 1)   # engine work at once (CPU-bound: more threads would not go faster)
ADMITTED = 1024            # requests in the application at once (reading their body, waiting, working)
QUEUED = 4096              # requests waiting to be admitted; beyond: 503 at once
QUEUE_WAIT = 10.0          # seconds a request may wait to be admitted
BODY_CHUNK_TIMEOUT = 10.0  # seconds between two parts of a body (and before the first)
BODY_TIMEOUT = 30.0        # seconds for a whole JSON body
UPLOAD_BODY_TIMEOUT = 300.0  # seconds for a whole screening upload
BODY_BUDGET = 256 * MB     # bytes of bodies held by all requests together
HEADER_TIMEOUT = 10.0      # seconds for the request line and headers (slowloris), lexquery.web.protocol
COSTLY = ("/api/ask", "/api/parse", "/api/what-if", "/api/validate", "/api/screen", "/api/interview", "/api/note")
SAFELISTED = ("application/x-www-form-urlencoded", "multipart/form-data", "text/plain")

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
        "where": "corps de la requête", "where_en": "request body", "expected": f"au plus {limit} octets",
        "hint": "découpez le fichier ou utilisez la commande « lexquery screen » en ligne de commande",
        "message_en": f"request too large: more than {limit // MB} MB", "expected_en": f"at most {limit} bytes",
        "hint_en": "split the file or use the command « lexquery screen » on the command line"}},
        ensure_ascii=False).encode()


class BodyLimit:
    """ASGI middleware: 413 when the body is over ``limit_for(path)`` bytes; 408 when it comes too
    slowly; 503 when the bodies held by all requests would pass :data:`BODY_BUDGET`."""

    def __init__(self, app, limit_for, chunk_timeout: float = BODY_CHUNK_TIMEOUT,
                 timeout_for=None, budget: int = BODY_BUDGET):
        self.app = app
        self.limit_for = limit_for
        self.chunk_timeout = chunk_timeout
        self.timeout_for = timeout_for or (lambda path: BODY_TIMEOUT)
        self.budget = budget
        self.held = 0     # bytes of bodies received by requests still in the application

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
        done = False
        tracker = StartTracker(send)
        deadline = time.monotonic() + self.timeout_for(scope["path"])
        chunk_timeout = self.chunk_timeout

        async def counting_receive():
            nonlocal received, done
            if done:   # after the body: disconnect messages, no time limit
                return await receive()
            wait = min(chunk_timeout, deadline - time.monotonic())
            try:
                message = await asyncio.wait_for(receive(), timeout=max(wait, 0.001))
            except asyncio.TimeoutError:
                raise _SlowBody() from None
            if message["type"] == "http.request":
                n = len(message.get("body", b""))
                received += n
                self.held += n
                if received > limit:
                    raise _Overflow()
                if self.held > self.budget:
                    raise _Busy()
                done = not message.get("more_body", False)
            else:
                done = True
            return message

        try:
            await self.app(scope, counting_receive, tracker)
        except _Overflow:
            if not tracker.started:
                await _send_413(send, limit)
        except _SlowBody:
            if not tracker.started:
                await _send_json(send, 408, {
                    "message": "corps de la requête trop lent : la connexion est fermée",
                    "where": "corps de la requête", "where_en": "request body",
                    "expected": f"le corps entier en moins de {self.timeout_for(scope['path']):g} s, sans pause de plus de "
                                f"{chunk_timeout:g} s", "hint": "renvoyez la requête",
                    "message_en": "request body too slow: the connection is closed",
                    "expected_en": f"the whole body in less than {self.timeout_for(scope['path']):g} s, without a pause "
                                   f"of more than {chunk_timeout:g} s", "hint_en": "send the request again"})
        except _Busy:
            if not tracker.started:
                await _send_busy(send, "trop de données en cours de réception", "too much data being received")
        finally:
            self.held -= received


class _SlowBody(Exception):
    pass


class _Busy(Exception):
    pass


class _Overflow(Exception):
    pass


async def _send_413(send, limit):
    body = _too_large(limit)
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"application/json; charset=utf-8"),
                            (b"content-length", str(len(body)).encode()), (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})


async def _send_json(send, status: int, error: dict, headers=(), close: bool = True):
    body = json.dumps({"error": error}, ensure_ascii=False).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json; charset=utf-8"),
                            (b"content-length", str(len(body)).encode())]
                + ([(b"connection", b"close")] if close else []) + list(headers)})
    await send({"type": "http.response.body", "body": body})


async def _send_busy(send, why: str, why_en: str, retry: int = 2):
    await _send_json(send, 503, {"message": f"serveur occupé : {why}", "where": None,
                                 "expected": None, "hint": f"réessayez dans {retry} s",
                                 "message_en": f"server busy: {why_en}", "expected_en": None,
                                 "hint_en": f"try again in {retry} s"},
                     headers=[(b"retry-after", str(retry).encode())], close=False)


class Admission:
    """ASGI middleware: at most ``admitted`` requests in the application; the next ones wait
    (at most ``queued`` of them, each at most ``wait`` s) in arrival order; the rest is 503 with
    ``Retry-After`` at once. Only the API is counted (the page and its files are cheap)."""

    def __init__(self, app, admitted: int = ADMITTED, queued: int = QUEUED, wait: float = QUEUE_WAIT):
        self.app = app
        self.wait = wait
        self.queued = queued
        self.admitted = admitted
        self.inside = 0
        self.waiting = 0
        self._free: asyncio.Semaphore | None = None

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or not scope["path"].startswith("/api/"):
            return await self.app(scope, receive, send)
        scope["lexquery.arrived"] = time.monotonic()   # when the request came: its time limit counts from here
        if self._free is None:
            self._free = asyncio.Semaphore(self.admitted)
        if self._free.locked():
            if self.waiting >= self.queued:
                return await _send_busy(send, f"plus de {self.queued} requêtes en attente",
                                        f"more than {self.queued} requests waiting")
            self.waiting += 1
            try:
                await asyncio.wait_for(self._free.acquire(), timeout=self.wait)
            except asyncio.TimeoutError:
                return await _send_busy(send, f"pas de place depuis {self.wait:g} s", f"no room for {self.wait:g} s")
            finally:
                self.waiting -= 1
        else:
            await self._free.acquire()
        self.inside += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.inside -= 1
            self._free.release()


def host_allowed(host: str, names: frozenset) -> bool:
    """An IP address (no DNS name to rebind), ``localhost``, or one of ``names``."""
    h = host.strip().lower()
    if h.startswith("["):
        h = h[1:h.find("]")] if "]" in h else h[1:]
    elif h.count(":") == 1:
        h = h.split(":", 1)[0]
    h = h.rstrip(".")
    if h in names or h == "localhost":
        return True
    try:
        ipaddress.ip_address(h)
        return True
    except ValueError:
        return False


class HostCheck:
    """ASGI middleware: 421 when the ``Host`` header names another server (DNS rebinding)."""

    def __init__(self, app, names=()):
        self.app = app
        self.names = frozenset(n.lower().rstrip(".") for n in names)

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            host = dict(scope.get("headers", [])).get(b"host")
            if host is not None and not host_allowed(host.decode("latin-1"), self.names):
                shown = host.decode("latin-1")[:100]
                return await _send_json(send, 421, {
                    "message": f"hôte inconnu « {shown} » : ce serveur ne répond qu'à son adresse",
                    "where": "Host", "expected": "127.0.0.1, localhost, une adresse IP, ou un nom donné avec "
                                                 "« lexquery serve --allow-host NOM »",
                    "hint": "ouvrez la page par http://127.0.0.1:PORT/ (protection contre le DNS rebinding)",
                    "message_en": f"unknown host « {shown} »: this server answers only at its own address",
                    "expected_en": "127.0.0.1, localhost, an IP address, or a name given with "
                                   "« lexquery serve --allow-host NAME »",
                    "hint_en": "open the page at http://127.0.0.1:PORT/ (protection against DNS rebinding)"})
        return await self.app(scope, receive, send)


class CrossSite:
    """ASGI middleware: a POST from another site's page is refused — 403 when its ``Origin`` is
    not this server, 415 for a costly endpoint sent with a content type a page may send without
    asking first (CORS preflight)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] != "POST":
            return await self.app(scope, receive, send)
        headers = dict(scope.get("headers", []))
        origin = headers.get(b"origin")
        if origin is not None:
            o = origin.decode("latin-1").lower()
            host = headers.get(b"host", b"").decode("latin-1").lower()
            if o == "null" or o.split("://", 1)[-1].rstrip("/") != host:
                return await _send_json(send, 403, {
                    "message": f"requête d'un autre site refusée (Origin « {o[:100]} »)", "where": "Origin",
                    "expected": "la page de ce serveur, ou un client hors navigateur (sans Origin)", "hint": None,
                    "message_en": f"request from another site refused (Origin « {o[:100]} »)",
                    "expected_en": "this server's page, or a client outside a browser (without Origin)", "hint_en": None})
        if scope["path"] in COSTLY:
            ctype = headers.get(b"content-type", b"").decode("latin-1").split(";")[0].strip().lower()
            if not ctype or ctype in SAFELISTED:
                want = "text/csv" if scope["path"] == "/api/screen" else "application/json"
                return await _send_json(send, 415, {
                    "message": f"type de contenu refusé pour {scope['path']} : {ctype or '(aucun)'}",
                    "where": "Content-Type", "expected": want + (" ou text/turtle" if scope["path"] == "/api/validate" else ""),
                    "hint": f"envoyez le corps avec « Content-Type: {want} » (un type qu'une page d'un autre site "
                            "ne peut envoyer sans demander la permission : CORS preflight)",
                    "message_en": f"content type refused for {scope['path']}: {ctype or '(none)'}",
                    "expected_en": want + (" or text/turtle" if scope["path"] == "/api/validate" else ""),
                    "hint_en": f"send the body with « Content-Type: {want} » (a type another site's page cannot "
                               "send without asking permission: CORS preflight)"}, close=False)
        return await self.app(scope, receive, send)


_WORK: dict = {}


def _gate(n: int) -> asyncio.Semaphore:
    """The semaphore of the running event loop that lets ``n`` pieces of work run at once."""
    loop = asyncio.get_running_loop()
    g = _WORK.get(id(loop))
    if g is None or g[0] is not loop:
        g = _WORK[id(loop)] = (loop, asyncio.Semaphore(n))
    return g[1]


def _in_budget(budget, fn, args, kwargs):
    from ..budget import running
    with running(budget):
        return fn(*args, **kwargs)


async def run_limited(request, fn, *args, limit: float | None = None, **kwargs):
    """``fn(*args, **kwargs)`` in a worker thread, at most :data:`WORKERS` at once, within the time
    limit counted from the request's arrival: 503 if no worker came free in time, 504 if the work
    took longer — then the work is cancelled (:mod:`lexquery.budget`) instead of running on."""
    from ..budget import Budget, Cancelled
    limit = limit or getattr(request.app.state, "time_limit", TIME_LIMIT)
    arrived = request.scope.get("lexquery.arrived", time.monotonic())
    gate = _gate(getattr(request.app.state, "workers", WORKERS))
    left = limit - (time.monotonic() - arrived)
    try:
        await asyncio.wait_for(gate.acquire(), timeout=max(left, 0.001))
    except asyncio.TimeoutError:
        raise ApiError(503, f"serveur occupé : aucun calcul libre en {limit:g} s", where=request.url.path,
                       hint="réessayez dans quelques secondes", retry_after=2,
                       message_en=f"server busy: no free worker within {limit:g} s",
                       hint_en="try again in a few seconds") from None
    budget = Budget(max(limit - (time.monotonic() - arrived), 0.001))
    work = asyncio.ensure_future(run_in_threadpool(_in_budget, budget, fn, args, kwargs))

    def done(t):   # the worker is free when its thread has really stopped, not when we gave up
        gate.release()
        if not t.cancelled():
            t.exception()
    work.add_done_callback(done)
    try:
        return await asyncio.wait_for(asyncio.shield(work), timeout=budget.left())
    except (asyncio.TimeoutError, Cancelled):
        budget.cancel()
        raise ApiError(504, f"délai dépassé : la réponse a pris plus de {limit:g} s",
                       where=request.url.path, expected=f"une réponse en moins de {limit:g} s",
                       hint="envoyez moins de cas à la fois, ou utilisez la ligne de commande pour un gros lot",
                       message_en=f"time out: the answer took more than {limit:g} s",
                       expected_en=f"an answer in less than {limit:g} s",
                       hint_en="send fewer cases at a time, or use the command line for a large batch") from None
