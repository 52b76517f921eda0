"""The FastAPI application: routers, error mapping, limits, static files, index loading
and live swapping, the MCP endpoint."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from importlib import import_module
from typing import Any

import anyio
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..core import __version__
from ..core.errors import IndexNotReadyError
from ..core.settings import Settings, get_settings
from ..index.api import HybridRetriever, load_dictionary
from .body_limit import BodySizeLimit
from .deps import ServiceState, warm_up
from .errors import PROBLEM_MEDIA_TYPE, install_error_handlers
from .limits import HeavyRequestSlots
from .schemas import Problem
from .static_files import STATIC_DIR

logger = logging.getLogger(__name__)

# The routers, by module name under wsis_rag.service.routers; each module has `router`.
# Add a resource by adding its module name here.
ROUTERS = ("health", "search", "ask", "documents", "passages", "web", "brief", "mandates", "compare")

_PROBLEM = {"model": Problem, "content": {PROBLEM_MEDIA_TYPE: {}}}
LIMIT_MARKER = "x-wsis-limit"
REQUIRED_MARKER = "x-wsis-required"


def create_app(
    settings: Settings | None = None,
    retriever: HybridRetriever | None = None,
    *,
    mcp: bool = True,
) -> FastAPI:
    """The app serving `retriever`, or the index of `settings` loaded at start-up and
    swapped live when a build publishes a new version (until one is loaded, or when there
    is none, the endpoints that need it answer 503). `mcp` mounts the MCP server (streamable HTTP) at /mcp."""
    state = ServiceState(settings or get_settings(), retriever)
    mcp_server = None
    if mcp:
        from .mcp_server import build_mcp_server

        mcp_server = build_mcp_server(lambda: state.retriever, state.settings)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        stop = threading.Event()
        logger.info("wsis-rag %s starting; index at %s", __version__, state.settings.index_dir)
        # Read once now rather than by the first Chinese question.
        await anyio.to_thread.run_sync(load_dictionary)
        if state.retriever is None:
            await anyio.to_thread.run_sync(state.refresh)
            if state.settings.index_watch_s > 0:
                threading.Thread(target=state.watch, args=(stop,), name="wsis-index-watch", daemon=True).start()
        else:  # an injected retriever is served as it is, never swapped, and as ready
            try:
                await anyio.to_thread.run_sync(warm_up, state.retriever)
            except IndexNotReadyError as error:  # e.g. a shard not up yet: its searches are 503s
                logger.warning("serving an index that is not ready yet: %s", error)
        async with AsyncExitStack() as stack:
            if mcp_server is not None:
                await stack.enter_async_context(mcp_server.session_manager.run())
            yield
        stop.set()
        state.close()

    app = FastAPI(
        title="WSIS RAG",
        summary="Cited retrieval and extractive answers over the WSIS corpus.",
        version=__version__,
        lifespan=lifespan,
        responses={code: _PROBLEM for code in (400, 404, 413, 415, 422, 431, 503)},
    )
    app.state.service = state
    app.state.heavy_slots = HeavyRequestSlots(state.settings.heavy_concurrency, state.settings.heavy_retry_after_s)
    install_error_handlers(app)
    app.add_middleware(BodySizeLimit, max_bytes=state.settings.max_body_bytes)
    app.add_middleware(SlowRequestLog, threshold_ms=state.settings.slow_request_ms)
    for name in ROUTERS:
        app.include_router(import_module(f"wsis_rag.service.routers.{name}").router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    if mcp_server is not None:
        app.mount("/mcp", mcp_server.streamable_http_app(streamable_http_path="/"))
    app.openapi = _openapi_with_limits(app, app.openapi, state.settings)  # type: ignore[method-assign]
    return app


def _openapi_with_limits(
    app: FastAPI, generate: Callable[[], dict[str, Any]], settings: Settings
) -> Callable[[], dict[str, Any]]:
    """The schema with the limits of these Settings written where `x-wsis-limit` marks
    them (maximum for integers, maxLength for strings), so that the schema a client reads
    states exactly what this server accepts."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = generate()
            _fill_limits(schema, settings)
            app.openapi_schema = schema
        return app.openapi_schema

    return openapi


def _fill_limits(node: Any, settings: Settings) -> None:
    if isinstance(node, dict):
        for parameter in node.get("parameters", []):
            if parameter.get("schema", {}).pop(REQUIRED_MARKER, False):
                parameter["required"] = True
        name = node.pop(LIMIT_MARKER, None)
        if name is not None:
            node["maxLength" if "minLength" in node else "maximum"] = getattr(settings, name)
        for value in node.values():
            _fill_limits(value, settings)
    elif isinstance(node, list):
        for value in node:
            _fill_limits(value, settings)


class SlowRequestLog:
    """Log every request slower than `threshold_ms` (method, path, status, time) as a warning."""

    def __init__(self, app: ASGIApp, threshold_ms: float) -> None:
        self.app = app
        self.threshold_ms = threshold_ms

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 0

        async def recording_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, recording_send)
        finally:
            elapsed_ms = (time.perf_counter() - started) * 1000
            if elapsed_ms > self.threshold_ms:
                logger.warning(
                    "slow request: %s %s -> %s in %.0f ms", scope["method"], scope["path"], status, elapsed_ms
                )
