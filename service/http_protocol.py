"""uvicorn's h11 protocol with two changes a hostile client needs (`wsis serve` uses it):

- its own 400 (a malformed request, or a request line + headers over
  `h11_max_incomplete_event_size`) is a problem-details JSON body like every other error,
  not `text/plain`;
- a header timeout: a connection that has not sent a complete request head within
  `header_timeout_s` (at connect, or after its previous response) is closed, so slow-header
  clients cannot hold connections for ever. uvicorn itself only times out idle keep-alive
  connections, and only after a first response.

What uvicorn cannot do: answer 431 (h11's size error reaches this class only as "invalid
request"), or give its own 503 over `limit_concurrency` (text/plain) and the 500 it sends
when an app fails before responding another shape.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from ..core.settings import Settings


def problem_h11_protocol(header_timeout_s: float) -> type[H11Protocol]:
    """The protocol class for `uvicorn.Config(http=...)`."""

    class ProblemH11Protocol(H11Protocol):
        _head_timer: asyncio.TimerHandle | None = None

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._arm_head_timer()

        def data_received(self, data: bytes) -> None:
            super().data_received(data)
            if self.cycle is not None and not self.cycle.response_complete:
                self._cancel_head_timer()  # a complete head arrived: the request is running

        def on_response_complete(self) -> None:
            super().on_response_complete()
            self._arm_head_timer()

        def connection_lost(self, exc: Exception | None) -> None:
            self._cancel_head_timer()
            super().connection_lost(exc)

        def _arm_head_timer(self) -> None:
            self._cancel_head_timer()
            if not self.transport.is_closing():
                self._head_timer = self.loop.call_later(header_timeout_s, self._head_timed_out)

        def _cancel_head_timer(self) -> None:
            if self._head_timer is not None:
                self._head_timer.cancel()
                self._head_timer = None

        def _head_timed_out(self) -> None:
            if (self.cycle is None or self.cycle.response_complete) and not self.transport.is_closing():
                self.transport.close()

        def send_400_response(self, msg: str) -> None:
            body = problem_json(400, "bad-request", "Bad request", f"{msg} (malformed, or headers too large)")
            headers = [
                (b"content-type", b"application/problem+json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ]
            for event in (h11.Response(status_code=400, headers=headers, reason=b"Bad Request"), h11.Data(data=body)):
                self.transport.write(self.conn.send(event))
            self.transport.write(self.conn.send(h11.EndOfMessage()))
            self.transport.close()

    return ProblemH11Protocol


def problem_json(status: int, slug: str, title: str, detail: str) -> bytes:
    body = {"type": f"/problems/{slug}", "title": title, "status": status, "detail": detail, "instance": ""}
    return json.dumps(body).encode()


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """The uvicorn.Config keywords that bound what one client can hold."""
    return {
        "http": problem_h11_protocol(settings.header_timeout_s),
        "h11_max_incomplete_event_size": settings.max_header_bytes,
        "timeout_keep_alive": settings.keep_alive_s,
        "limit_concurrency": settings.max_connections,
        "log_config": None,  # logging is configured by core.logs
    }
