"""The service's start-up with an injected retriever (tests, the Ray front): it is warmed
by one search before the first request is taken, so that request loads no model; one that
cannot search yet is served all the same, its searches answered 503."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from wsis_rag.core.errors import IndexNotReadyError
from wsis_rag.core.settings import Settings
from wsis_rag.index.retriever import HybridRetriever
from wsis_rag.service.app import create_app


def test_an_injected_retriever_searches_once_before_the_first_request(
    mini_retriever: HybridRetriever, tmp_path: Path
) -> None:
    retriever = mini_retriever.with_signals(list(mini_retriever.signals))  # a copy to instrument
    search = retriever.search
    searched: list[str] = []

    def counting(query: str, *args: Any, **kwargs: Any) -> Any:
        searched.append(query)
        return search(query, *args, **kwargs)

    retriever.search = counting
    app = create_app(Settings(index_dir=tmp_path / "no-index", corpus_dirs=[tmp_path]), retriever, mcp=False)
    assert searched == []
    with TestClient(app) as client:
        assert len(searched) == 1  # started: warmed, and no request yet
        assert client.get("/search", params={"q": "digital divide"}).status_code == 200
    assert len(searched) == 2


def test_an_injected_retriever_not_ready_at_start_is_served_with_503s(
    mini_retriever: HybridRetriever, tmp_path: Path
) -> None:
    retriever = mini_retriever.with_signals(list(mini_retriever.signals))

    def not_ready(*args: Any, **kwargs: Any) -> Any:
        raise IndexNotReadyError("shard shard-001 did not answer")

    retriever.search = not_ready
    app = create_app(Settings(index_dir=tmp_path / "no-index", corpus_dirs=[tmp_path]), retriever, mcp=False)
    with TestClient(app) as client:
        response = client.get("/search", params={"q": "digital divide"})
        assert response.status_code == 503 and "shard-001" in response.json()["detail"]
        assert client.get("/healthz").status_code == 200
