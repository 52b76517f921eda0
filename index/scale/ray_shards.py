"""Sharded serving on a Ray cluster: each shard of a shard set (index/scale/shards.py) runs
as `replicas` Ray actors, and the ordinary FastAPI app of `create_app` is the front
(`wsis serve --ray ADDRESS --shards N`). Retrieval infrastructure, so it lives in index/:
the service only hands the front retriever to `create_app`, as it does the single index's.

A replica loads its shard once and answers a stage of a search (`LocalShard.answer`: every
dense query and BM25's in one call). The front retriever embeds the queries itself (its
encoders load in the front process, as in a single-index server), answers the document
frequencies that cross-lingual feedback needs from the shards' counts gathered once at
start, and sends each shard one call per stage, the shards called at once: one or two
stages per search (two when cross-lingual feedback may add words to BM25's query); the
focus round's rows mostly come back with BM25's stage (`search/focus.likely_focus_rows`),
and it asks the shards only for the rest. It fuses the merged lists itself: the HTTP API and
its answers are those of the single index.

Why actors and not Ray Serve deployments: a round trip through a Serve handle cost several
times an actor call on this project's machines, and a search waits for two or three in a
row (docs/decisions/ray-shards.md). What Serve added here, replicas and restarts, the
actors keep: a replica that dies is restarted by Ray and the call retried; a shard whose
every replica is gone fails the search with 503 (`ShardUnavailableError`), never a silent
partial result. The actors belong to the front process and end with it.
"""

from __future__ import annotations

import itertools
import logging
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from ..retriever import HybridRetriever
from .distributed import _ray
from .shards import LocalShard, ShardAnswer, ShardRequest, ShardSet, sharded_retriever, write_shards

logger = logging.getLogger(__name__)

NAMESPACE = "wsis-shards"
CALL_TIMEOUT_S = 30.0


class ShardReplica:
    """One replica of a shard, run as a Ray actor."""

    def __init__(self, directory: str) -> None:
        self.shard = LocalShard.load(Path(directory))

    def answer(self, request: ShardRequest) -> ShardAnswer:
        return self.shard.answer(request)

    def document_frequencies(self) -> dict[str, int]:
        return self.shard.document_frequencies()

    def pid(self) -> int:
        """The replica's process (what a benchmark reads its memory from)."""
        return os.getpid()


class RemoteShard:
    """A shard searched through its replicas (`ShardSearcher`), taken in turn. Called from
    the fan-out's threads: each call blocks its thread only."""

    def __init__(self, name: str, replicas: Sequence[Any], timeout_s: float = CALL_TIMEOUT_S) -> None:
        self.name = name
        self.replicas = list(replicas)
        self.timeout_s = timeout_s
        self._turn = itertools.cycle(self.replicas)

    def _call(self, method: str, *args: Any) -> Any:
        replica = next(self._turn)
        return _ray().get(getattr(replica, method).remote(*args), timeout=self.timeout_s)

    def answer(self, request: ShardRequest) -> ShardAnswer:
        result: ShardAnswer = self._call("answer", request)
        return result

    def document_frequencies(self) -> dict[str, int]:
        counts: dict[str, int] = self._call("document_frequencies")
        return counts

    def pids(self) -> list[int]:
        return [int(_ray().get(replica.pid.remote(), timeout=self.timeout_s)) for replica in self.replicas]


def deploy_shards(
    directories: Sequence[Path],
    *,
    replicas: int = 1,
    cpus_per_replica: float = 0.25,
    timeout_s: float = CALL_TIMEOUT_S,
) -> list[RemoteShard]:
    """`replicas` actors per shard directory (each a `LocalShard` layout: a shard set's
    shards, or any directory with global rows, BM25, vectors and a manifest) on the
    connected Ray cluster, each loaded before this returns; the shards that search them.
    Named `<shard>-<replica>` in the NAMESPACE namespace; removed by `undeploy`."""
    ray = _ray()
    actor = ray.remote(ShardReplica)
    shards = []
    for directory in directories:
        group = [
            actor.options(
                name=f"{directory.name}-{i}",
                namespace=NAMESPACE,
                num_cpus=cpus_per_replica,
                max_restarts=-1,  # a replica that dies is started again, loading its shard
                max_task_retries=2,  # and the call it was answering is sent again
            ).remote(str(directory))
            for i in range(replicas)
        ]
        ray.get([replica.pid.remote() for replica in group], timeout=max(timeout_s, 300.0))
        shards.append(RemoteShard(directory.name, group, timeout_s))
        logger.info("deployed %s (%d replicas)", directory.name, replicas)
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


def remove_shard(name: str) -> None:
    """Stop every replica of the shard `name` for good (no restart)."""
    _stop(lambda replica: replica.rsplit("-", 1)[0] == name)


def undeploy() -> None:
    """Stop every shard replica this project started on the cluster."""
    _stop(lambda _replica: True)


def _stop(which: Callable[[str], bool]) -> None:
    ray = _ray()
    for actor in ray.util.list_named_actors(all_namespaces=True):
        if actor["namespace"] == NAMESPACE and which(actor["name"]):
            ray.kill(ray.get_actor(actor["name"], namespace=NAMESPACE), no_restart=True)
