"""Reject request bodies over `Settings.max_body_bytes` with a 413 problem.

Checked twice: from the declared Content-Length (nothing is read), and while the body
streams in, for chunked requests that declare no length. (FastAPI's own `max_body_size`
answers an oversized Content-Length with a plain-text 413 that replaces any handler's
response, so the service enforces the limit itself, in the problem-details shape.)
"""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .errors import problem_response


def too_large_detail(max_bytes: int) -> str:
    return f"The request body exceeds {max_bytes} bytes."


class BodySizeLimit:
    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            response = problem_response(413, too_large_detail(self.max_bytes), scope["path"])
            await response(scope, receive, send)
            return

        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    # Raised inside the route's body read: the app's exception handler
                    # turns it into the same problem response as above.
                    raise HTTPException(413, too_large_detail(self.max_bytes))
            return message

        await self.app(scope, counting_receive, send)
