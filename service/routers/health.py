"""GET /healthz (the process answers) and GET /readyz (an index is loaded; 503 otherwise)."""

from __future__ import annotations

from fastapi import APIRouter, Request

from ..deps import RetrieverDep
from ..schemas import Health, Readiness

router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=Health)
def healthz() -> Health:
    return Health()


@router.get("/readyz", response_model=Readiness)
def readyz(retriever: RetrieverDep, request: Request) -> Readiness:
    """The index version actually served (a new one that failed its checks: swap_error)."""
    return Readiness(
        documents=len(retriever.documents),
        passages=len(retriever.passages),
        index=retriever.info(),
        swap_error=request.app.state.service.swap_error,
    )
