"""uvicorn's h11 protocol with two changes a hostile client needs (`wsis serve` uses it):

- its own 400 (a malformed request, or a request line + headers over
  `h11_max_incomplete_event_size`) is a problem-details JSON body like every other error,
  not `text/plain`;
- a header timeout: a connection that has not sent a complete request head within
  `header_timeout_s` (at connect, or after its previous response) is closed, so slow-header
  clients cannot hold connections for ever. uvicorn itself only times out idle keep-alive
  connections, and only after a first response.

- a head over `max_header_bytes` is a 431 problem (h11's own limit, also set, only bounds
  a head that is still incomplete in its buffer).

What uvicorn cannot do: give its own 503 over `limit_concurrency` (text/plain) and the 500
it sends when an app fails before responding another shape, or bound the number of headers
other than by their total size.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol

from ..core.settings import Settings


def problem_h11_protocol(header_timeout_s: float, max_head_bytes: int) -> type[H11Protocol]:
    """The protocol class for `uvicorn.Config(http=...)`."""

    class ProblemH11Protocol(H11Protocol):
        _head_timer: asyncio.TimerHandle | None = None
        _head_bytes = 0  # of the request head being received

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._arm_head_timer()

        def data_received(self, data: bytes) -> None:
            if self._receiving_head() and self._head_too_large(data):
                self._send_problem(
                    431, "request-header-fields-too-large", "Request header fields too large",
                    f"The request line and headers exceed {max_head_bytes} bytes.",
                )  # fmt: skip
                return
            super().data_received(data)
            if not self._receiving_head():
                self._cancel_head_timer()  # a complete head arrived: the request is running
                self._head_bytes = 0

        def _receiving_head(self) -> bool:
            return self.cycle is None or self.cycle.response_complete

        def _head_too_large(self, data: bytes) -> bool:
            # h11's max_incomplete_event_size bounds only a head still incomplete in its
            # buffer; a large head that arrives whole passes it, so it is measured here.
            end = data.find(b"\r\n\r\n")
            self._head_bytes += len(data) if end < 0 else end
            return self._head_bytes > max_head_bytes

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
            if self._receiving_head() and not self.transport.is_closing():
                self.transport.close()

        def send_400_response(self, msg: str) -> None:
            self._send_problem(400, "bad-request", "Bad request", msg)

        def _send_problem(self, status: int, slug: str, title: str, detail: str) -> None:
            body = json.dumps(
                {"type": f"/problems/{slug}", "title": title, "status": status, "detail": detail, "instance": ""}
            ).encode()
            head = (
                f"HTTP/1.1 {status} {title}\r\ncontent-type: application/problem+json\r\n"
                f"content-length: {len(body)}\r\nconnection: close\r\n\r\n"
            )
            # Written raw: h11's state machine may already be in its error state here.
            self.transport.write(head.encode() + body)
            self.transport.close()

    return ProblemH11Protocol


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """The uvicorn.Config keywords that bound what one client can hold."""
    return {
        "http": problem_h11_protocol(settings.header_timeout_s, settings.max_header_bytes),
        "h11_max_incomplete_event_size": settings.max_header_bytes,
        "timeout_keep_alive": settings.keep_alive_s,
        "limit_concurrency": settings.max_connections,
        "log_config": None,  # logging is configured by core.logs
    }
