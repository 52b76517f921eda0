"""What the routers receive by dependency injection: the one Settings object and the
loaded retriever (503 problem while no index is loaded)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from ..core.errors import IndexNotReadyError
from ..core.settings import Settings
from ..index.retriever import HybridRetriever


@dataclass
class ServiceState:
    """Held on `app.state.service`: the settings, and the retriever once loaded."""

    settings: Settings
    retriever: HybridRetriever | None = None
    load_error: str | None = None

    def load(self) -> None:
        from ..index.store import load_retriever

        try:
            retriever = load_retriever(self.settings)
            # Ready means fast: the default signals' models, the stemmer and the termbase
            # load here, not in the first user's search.
            retriever.search("WSIS follow-up", k=1)
            self.retriever = retriever
            self.load_error = None
        except IndexNotReadyError as error:
            self.load_error = str(error)


def _state(request: Request) -> ServiceState:
    return request.app.state.service


def _settings(request: Request) -> Settings:
    return _state(request).settings


def _retriever(request: Request) -> HybridRetriever:
    state = _state(request)
    if state.retriever is None:
        raise IndexNotReadyError(state.load_error or "The index is still loading.")
    return state.retriever


SettingsDep = Annotated[Settings, Depends(_settings)]
RetrieverDep = Annotated[HybridRetriever, Depends(_retriever)]
