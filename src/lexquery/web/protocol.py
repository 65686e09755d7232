"""The HTTP/1.1 connections of ``lexquery serve``: uvicorn's h11 protocol with a time limit on
the request line and headers (slowloris).

uvicorn closes a keep-alive connection idle for ``timeout_keep_alive`` seconds, but a client that
sends its headers a byte at a time keeps its connection — and a place under the server's
connection limit — for ever. Here the request line and headers must be complete within
:data:`lexquery.web.limits.HEADER_TIMEOUT` seconds of the connection (or of the end of the
previous response), else the connection is closed (with 408 when nothing has been answered on it).
The body has its own limits (:class:`lexquery.web.limits.BodyLimit`).
"""
from __future__ import annotations

import json

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from .limits import HEADER_TIMEOUT

_BODY = json.dumps({"error": {"message": "en-têtes de la requête trop lents : connexion fermée",
                               "where": "en-têtes", "where_en": "headers", "expected": f"la requête entière en moins de {HEADER_TIMEOUT:g} s",
                               "hint": "renvoyez la requête",
                               "message_en": "request headers too slow: connection closed",
                               "expected_en": f"the whole request in less than {HEADER_TIMEOUT:g} s",
                               "hint_en": "send the request again"}}, ensure_ascii=False).encode()
_408 = (b"HTTP/1.1 408 Request Timeout\r\ncontent-type: application/json; charset=utf-8\r\nconnection: close\r\n"
        b"content-length: " + str(len(_BODY)).encode() + b"\r\n\r\n" + _BODY)


class GuardedH11Protocol(H11Protocol):
    header_timeout = HEADER_TIMEOUT

    def connection_made(self, transport):
        super().connection_made(transport)
        self._header_timer = None
        self._answered = False
        self._arm()

    def _arm(self):
        self._disarm()
        self._header_timer = self.loop.call_later(self.header_timeout, self._too_slow)

    def _disarm(self):
        if getattr(self, "_header_timer", None) is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _too_slow(self):
        self._header_timer = None
        if self.transport.is_closing() or self.conn.their_state is not h11.IDLE:
            return
        if not self._answered and self.conn.our_state is h11.IDLE:
            try:
                self.transport.write(_408)
            except Exception:   # pragma: no cover - the client is gone
                pass
        self.transport.close()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.conn.their_state is not h11.IDLE:   # the request line and headers are in
            self._disarm()

    def on_response_complete(self) -> None:
        self._answered = True
        super().on_response_complete()
        self._arm()   # the next request on this connection has the same time for its headers

    def connection_lost(self, exc):
        self._disarm()
        super().connection_lost(exc)
