"""Every error of the HTTP API in one shape: RFC 9457 problem details
(`application/problem+json` with type, title, status, detail, instance).

Domain errors (wsis_rag.core.errors), FastAPI's validation errors, unknown routes,
oversized bodies (service/body_limit.py) and unexpected failures (500) are all mapped
here and nowhere else.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from ..core.errors import IndexNotReadyError, InvalidRequestError, NotFoundError, WsisError
from .limits import ServiceBusyError, UnsupportedMediaTypeError

PROBLEM_MEDIA_TYPE = "application/problem+json"

logger = logging.getLogger(__name__)

# status -> (type slug, title). The type URIs are relative identifiers: stable names a
# client can switch on, not pages to fetch.
_KINDS: dict[int, tuple[str, str]] = {
    400: ("bad-request", "Bad request"),
    404: ("not-found", "Not found"),
    405: ("method-not-allowed", "Method not allowed"),
    413: ("content-too-large", "Request content too large"),
    415: ("unsupported-media-type", "Unsupported media type"),
    422: ("invalid-request", "Invalid request"),
    500: ("internal-error", "Internal server error"),
    503: ("index-not-ready", "Index not ready"),
}

_DOMAIN_STATUS: dict[type[WsisError], int] = {
    NotFoundError: 404,
    InvalidRequestError: 422,
    IndexNotReadyError: 503,
    ServiceBusyError: 503,
    UnsupportedMediaTypeError: 415,
}


def problem_response(
    status: int,
    detail: str,
    instance: str,
    *,
    errors: list[dict[str, Any]] | None = None,
    kind: tuple[str, str] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    slug, title = kind or _KINDS.get(status, ("error", "Error"))
    body: dict[str, Any] = {
        "type": f"/problems/{slug}",
        "title": title,
        "status": status,
        "detail": _encodable(detail),
        "instance": _encodable(instance),
    }
    if errors is not None:
        body["errors"] = errors
    return JSONResponse(body, status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers)


def _encodable(text: str) -> str:
    # An error message may quote the client's input; a lone surrogate in it must not turn
    # the error response itself into a 500.
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def domain_status(error: WsisError) -> int:
    for cls in type(error).__mro__:
        if cls in _DOMAIN_STATUS:
            return _DOMAIN_STATUS[cls]
    return 500


async def _on_domain_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, WsisError)
    if isinstance(error, ServiceBusyError):
        return problem_response(
            503,
            str(error),
            request.url.path,
            kind=("busy", "Service busy"),
            headers={"Retry-After": str(error.retry_after_s)},
        )
    return problem_response(domain_status(error), str(error), request.url.path)


async def _on_http_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, StarletteHTTPException)
    detail = error.detail if isinstance(error.detail, str) else str(error.detail)
    if error.status_code == 404 and detail == "Not Found":
        detail = f"No resource at {request.url.path}."
    headers = dict(error.headers or {})
    if error.status_code == 405:
        # Starlette names the methods of the first route that matched the path only; a
        # client needs every method the path has (GET and POST /search).
        headers["Allow"] = ", ".join(sorted(_allowed_methods(request)))
    return problem_response(error.status_code, detail, request.url.path, headers=headers or None)


_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


def _allowed_methods(request: Request) -> set[str]:
    # Asked of the routes method by method: included routers match as a whole.
    routes = request.app.router.routes
    return {
        method
        for method in _METHODS
        if any(route.matches({**request.scope, "method": method})[0] == Match.FULL for route in routes)
    }


async def _on_validation_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    errors = [
        {key: value for key, value in e.items() if key in {"type", "loc", "msg"}}
        for e in jsonable_encoder(error.errors())
    ]
    # A body that is not JSON at all is a malformed request (400), not a JSON document
    # with wrong fields (422).
    if any(e["type"] == "json_invalid" for e in errors):
        return problem_response(400, "The request body is not valid JSON.", request.url.path, errors=errors)
    summary = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in errors)
    return problem_response(422, summary, request.url.path, errors=errors)


async def _on_unexpected_error(request: Request, error: Exception) -> JSONResponse:
    # A bug, not the client's fault: same shape as every other error, no internals in the
    # body; the traceback goes to the log.
    logger.error("%s %s failed", request.method, request.url.path, exc_info=error)
    return problem_response(500, "The server failed to handle this request.", request.url.path)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(Exception, _on_unexpected_error)
    app.add_exception_handler(WsisError, _on_domain_error)
    app.add_exception_handler(StarletteHTTPException, _on_http_error)
    app.add_exception_handler(RequestValidationError, _on_validation_error)
