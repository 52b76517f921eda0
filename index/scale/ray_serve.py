"""Sharded serving on Ray Serve: one deployment per shard and the same FastAPI app in front
(`wsis serve --ray ADDRESS --shards N`). Retrieval infrastructure, so it lives in index/:
the service only hands the front retriever to `create_app`, as it does the single index's.

Each shard of a shard set (index/scale/shards.py) runs as its own Serve application with
`replicas` replicas; a replica loads its shard once and answers the per-signal searches
(`LocalShard.bm25`, `LocalShard.dense`). The front is the ordinary app of `create_app`,
whose retriever embeds the query itself (its encoders load in the front process, as in a
single-index server), answers the document frequencies that cross-lingual feedback needs
from the shards' counts gathered once at start, and sends each shard nothing but signal
searches: one handle call per shard per signal search, the shards called at once. It fuses
the merged lists itself: the HTTP API and its answers are those of the single index. A
shard that does not answer fails the search with 503 (`ShardUnavailableError`), never a
silent partial result.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..retriever import HybridRetriever
from .shards import LocalShard, Scored, ShardSet, sharded_retriever, write_shards

logger = logging.getLogger(__name__)

APP_PREFIX = "wsis"
CALL_TIMEOUT_S = 30.0


def _serve() -> Any:
    from .distributed import _ray

    _ray()
    from ray import serve

    return serve


def _shard_deployment() -> Any:
    """The deployment class of a shard (defined lazily: Ray is an optional dependency)."""
    serve = _serve()

    @serve.deployment(name="shard")
    class ShardDeployment:
        def __init__(self, directory: str) -> None:
            self.shard = LocalShard(Path(directory))

        def bm25(self, tokens: list[str], expansion: list[str], k: int, allowed: np.ndarray | None) -> Scored:
            return self.shard.bm25(tokens, expansion, k, allowed)

        def dense(self, signal: str, vector: np.ndarray, k: int, allowed: np.ndarray | None) -> Scored:
            return self.shard.dense(signal, vector, k, allowed)

        def document_frequencies(self) -> dict[str, int]:
            return self.shard.document_frequencies()

    return ShardDeployment


def _options(replicas: int, cpus_per_replica: float) -> dict[str, Any]:
    return {"num_replicas": replicas, "ray_actor_options": {"num_cpus": cpus_per_replica}}


class RemoteShard:
    """A shard searched through its Serve deployment handle (`ShardSearcher`). Called from
    the fan-out's threads, which run no event loop: Ray refuses to block on a handle's
    result in a thread that runs one."""

    def __init__(self, name: str, handle: Any, timeout_s: float = CALL_TIMEOUT_S) -> None:
        self.name = name
        self.handle = handle
        self.timeout_s = timeout_s

    def bm25(self, tokens: list[str], expansion: list[str], k: int, allowed: np.ndarray | None) -> Scored:
        result: Scored = self.handle.bm25.remote(tokens, expansion, k, allowed).result(timeout_s=self.timeout_s)
        return result

    def dense(self, signal: str, vector: np.ndarray, k: int, allowed: np.ndarray | None) -> Scored:
        result: Scored = self.handle.dense.remote(signal, vector, k, allowed).result(timeout_s=self.timeout_s)
        return result

    def document_frequencies(self) -> dict[str, int]:
        counts: dict[str, int] = self.handle.document_frequencies.remote().result(timeout_s=self.timeout_s)
        return counts


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
    shard_deployment = _shard_deployment()
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
    """Deploy the shard set on the connected Ray cluster; the retriever in front of it
    (`signals`: as `HybridRetriever`'s; `timeout_s`: how long a shard may take before the
    search fails with 503). The query encoders are this process's own."""
    shards = deploy_shards(
        shard_set.shard_dirs(), replicas=replicas, cpus_per_replica=cpus_per_replica, timeout_s=timeout_s
    )
    return sharded_retriever(shard_set, shards, signals=signals)


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
