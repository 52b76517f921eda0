"""Sharded serving on Ray Serve: one deployment per shard, one for query embedding, and the
same FastAPI app in front (`wsis serve --ray ADDRESS --shards N`). Retrieval
infrastructure, so it lives in index/: the service only hands the front retriever to
`create_app`, as it does the single index's.

Each shard of a shard set (index/shards.py) runs as its own Serve application with
`replicas` replicas; a replica loads its shard once and answers the per-signal searches
(`LocalShard.bm25`, `LocalShard.dense`). The query encoders run in one more deployment, so
the front process holds no model. The front is the ordinary app of `create_app`, whose
retriever sends every signal search to the shards through deployment handles and fuses the
merged lists itself: the HTTP API and its answers are those of the single index. A shard
that does not answer fails the search with 503 (`ShardUnavailableError`), never a silent
partial result.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..encoders.embedders import Embedder, get_embedder
from ..retriever import HybridRetriever
from .shards import LocalShard, Scored, ShardSet, sharded_retriever, write_shards

logger = logging.getLogger(__name__)

APP_PREFIX = "wsis"
CALL_TIMEOUT_S = 30.0
# Deployment handles block on `.result()`, which Ray refuses on a thread that runs an
# asyncio loop (a caller's event loop, Playwright's sync API, ...): calls wait on their own
# threads, so a handle can be used from any thread.
_CALLS = ThreadPoolExecutor(max_workers=8, thread_name_prefix="ray-serve-call")


def _result(response: Any, timeout_s: float) -> Any:
    return _CALLS.submit(lambda: response.result(timeout_s=timeout_s)).result()


def _serve() -> Any:
    from .distributed import _ray

    _ray()
    from ray import serve

    return serve


def _deployments() -> tuple[Any, Any]:
    """The two deployment classes (defined lazily: Ray is an optional dependency)."""
    serve = _serve()

    @serve.deployment(name="shard")
    class ShardDeployment:
        def __init__(self, directory: str) -> None:
            self.shard = LocalShard(Path(directory))

        def bm25(self, tokens: list[str], expansion: list[str], k: int, allowed: np.ndarray | None) -> Scored:
            return self.shard.bm25(tokens, expansion, k, allowed)

        def dense(self, signal: str, vector: np.ndarray, k: int, allowed: np.ndarray | None) -> Scored:
            return self.shard.dense(signal, vector, k, allowed)

        def document_frequency(self, tokens: list[str]) -> dict[str, int]:
            return self.shard.document_frequency(tokens)

    @serve.deployment(name="query-encoder")
    class QueryEncoderDeployment:
        def __init__(self, names: list[str]) -> None:
            self.encoders = {name: get_embedder(name) for name in names}
            for encoder in self.encoders.values():  # load the weights now, not on the first query
                encoder.embed_queries(["warm-up"])

        def embed_queries(self, name: str, texts: list[str]) -> np.ndarray:
            return self.encoders[name].embed_queries(texts)

        def embed_passages(self, name: str, texts: list[str]) -> np.ndarray:
            return self.encoders[name].embed_passages(texts)

    return ShardDeployment, QueryEncoderDeployment


def _options(replicas: int, cpus_per_replica: float) -> dict[str, Any]:
    return {"num_replicas": replicas, "ray_actor_options": {"num_cpus": cpus_per_replica}}


class RemoteShard:
    """A shard searched through its Serve deployment handle (`ShardSearcher`)."""

    def __init__(self, name: str, handle: Any, timeout_s: float = CALL_TIMEOUT_S) -> None:
        self.name = name
        self.handle = handle
        self.timeout_s = timeout_s

    def bm25(self, tokens: list[str], expansion: list[str], k: int, allowed: np.ndarray | None) -> Scored:
        result: Scored = _result(self.handle.bm25.remote(tokens, expansion, k, allowed), self.timeout_s)
        return result

    def dense(self, signal: str, vector: np.ndarray, k: int, allowed: np.ndarray | None) -> Scored:
        result: Scored = _result(self.handle.dense.remote(signal, vector, k, allowed), self.timeout_s)
        return result

    def document_frequency(self, tokens: list[str]) -> dict[str, int]:
        counts: dict[str, int] = _result(self.handle.document_frequency.remote(tokens), self.timeout_s)
        return counts


@dataclass
class RemoteEmbedder:
    """An `Embedder` whose queries are embedded by the query-encoder deployment. It
    carries the local encoder's identity (name, model, dim, languages), which the
    retriever reads to decide what text the encoder sees; the weights stay remote."""

    name: str
    model_id: str
    dim: int
    languages: frozenset[str] | None
    handle: Any
    timeout_s: float = CALL_TIMEOUT_S

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        vectors: np.ndarray = _result(self.handle.embed_queries.remote(self.name, list(texts)), self.timeout_s)
        return vectors

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        # Answers score the sentences of retrieved clauses with the encoder's passage side.
        vectors: np.ndarray = _result(self.handle.embed_passages.remote(self.name, list(texts)), self.timeout_s)
        return vectors


def deploy_shards(
    directories: Sequence[Path],
    *,
    replicas: int = 1,
    cpus_per_replica: float = 0.25,
    timeout_s: float = CALL_TIMEOUT_S,
) -> list[RemoteShard]:
    """One Serve application per shard directory (each a `LocalShard` layout: a shard set's
    shards, or any directory with global rows, BM25, vectors and a manifest), `replicas`
    replicas each, on the connected Ray cluster; the handles that search them. Removed by
    `undeploy`."""
    serve = _serve()
    shard_deployment, _ = _deployments()
    serve.start(proxy_location="Disabled")  # the front's own uvicorn serves HTTP
    options = _options(replicas, cpus_per_replica)
    shards = []
    for directory in directories:
        app = f"{APP_PREFIX}-{directory.name}"
        handle = serve.run(shard_deployment.options(**options).bind(str(directory)), name=app, route_prefix=None)
        shards.append(RemoteShard(app, handle, timeout_s))
        logger.info("deployed %s (%d replicas)", app, replicas)
    return shards


def deploy(
    shard_set: ShardSet,
    *,
    replicas: int = 1,
    cpus_per_replica: float = 0.25,
    signals: list[str] | None = None,
    timeout_s: float = CALL_TIMEOUT_S,
) -> HybridRetriever:
    """Deploy the shard set and the query encoders on the connected Ray cluster; the
    retriever that fans out to them (`signals`: as `HybridRetriever`'s; `timeout_s`: how
    long a shard may take before the search fails with 503)."""
    serve = _serve()
    shards = deploy_shards(
        shard_set.shard_dirs(), replicas=replicas, cpus_per_replica=cpus_per_replica, timeout_s=timeout_s
    )
    _, encoder_deployment = _deployments()
    encoder_handle = serve.run(
        encoder_deployment.options(**_options(replicas, cpus_per_replica)).bind(list(shard_set.encoders)),
        name=f"{APP_PREFIX}-query-encoder",
        route_prefix=None,
    )
    remote: dict[str, Embedder] = {}
    for name in shard_set.encoders:
        local = get_embedder(name)  # identity only: no weights are loaded for this
        remote[name] = RemoteEmbedder(name, local.model_id, local.dim, local.languages, encoder_handle, timeout_s)
    return sharded_retriever(shard_set, shards, signals=signals, embedders=remote)


def serve_index_on_ray(index_dir: Path, address: str, shards: int, replicas: int = 1) -> HybridRetriever:
    """`wsis serve --ray`: split the built index at `index_dir` into `shards` shards (beside
    it, `<index_dir>.shards`), connect to the cluster at `address` for the life of this
    process, deploy the shards with `replicas` replicas each; the front retriever."""
    from .distributed import connected

    shard_set = write_shards(index_dir, index_dir.with_name(index_dir.name + ".shards"), shards)
    connected(address).__enter__()  # held for the life of the server process
    return deploy(shard_set, replicas=replicas)


def undeploy() -> None:
    """Remove this project's applications from the cluster."""
    serve = _serve()
    for app in list(serve.status().applications):
        if app.startswith(APP_PREFIX + "-"):
            serve.delete(app)
