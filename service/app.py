"""The FastAPI application: routers, error mapping, limits, static files, index loading."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import import_module

import anyio
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from ..core import __version__
from ..core.settings import Settings, get_settings
from ..index.retriever import HybridRetriever
from ..products.answers.answer import warm_answer_sentences
from .body_limit import BodySizeLimit
from .deps import ServiceState
from .errors import PROBLEM_MEDIA_TYPE, install_error_handlers
from .schemas import Problem
from .static_files import STATIC_DIR

# The routers, by module name under wsis_rag.service.routers; each module has `router`.
# Add a resource by adding its module name here.
ROUTERS = ("health", "search", "ask", "documents", "passages", "web", "brief", "mandates")

_PROBLEM = {"model": Problem, "content": {PROBLEM_MEDIA_TYPE: {}}}


def create_app(
    settings: Settings | None = None, retriever: HybridRetriever | None = None, *, warm_answers: bool = False
) -> FastAPI:
    """The app serving `retriever`, or the index of `settings` loaded at start-up (until it
    is loaded, or when there is none, the endpoints that need it answer 503).
    `warm_answers` embeds every clause sentence in the background after start-up, so
    that the first questions to /ask do not pay for it."""
    state = ServiceState(settings or get_settings(), retriever)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if state.retriever is None:
            await anyio.to_thread.run_sync(state.load)
        if warm_answers and state.retriever is not None:
            threading.Thread(
                target=warm_answer_sentences, args=(state.retriever,), name="wsis-warm", daemon=True
            ).start()
        yield

    app = FastAPI(
        title="WSIS RAG",
        summary="Cited retrieval and extractive answers over the WSIS corpus.",
        version=__version__,
        lifespan=lifespan,
        responses={code: _PROBLEM for code in (400, 404, 413, 422, 503)},
    )
    app.state.service = state
    install_error_handlers(app)
    app.add_middleware(BodySizeLimit, max_bytes=state.settings.max_body_bytes)
    for name in ROUTERS:
        app.include_router(import_module(f"wsis_rag.service.routers.{name}").router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app
