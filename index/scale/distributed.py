"""The index build on a Ray cluster: ingestion and encoding as Ray Data stages.

`build_index(settings, runner=RayRunner(address))` runs the same build as the default one
(reuse of unchanged documents, the embedding cache, BM25, writing, atomic publishing) and
writes the same index; only the two heavy steps go to the cluster's workers:
- ingest: one task per located file (`ingest_located`, the single-machine unit of work);
- embed: the texts the embedding cache lacks, sorted by length (similar lengths pad least),
  through an actor pool in which each worker loads the encoder once (`map_batches` with a
  callable class); Ray Data streams the batches with back-pressure, so the driver never
  holds more than the results.
Ray is an optional dependency (`pip install -e '.[scale]'`), imported only here.

The workers import this project from the Python environment they run in: on one machine
that is the environment `ray start` was run from; across machines, give the cluster the
same environment (an image, or Ray's runtime_env), as docs/scale.md says.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from ...core.errors import IngestError, WsisError
from ...core.settings import Settings
from ...ingest.pipeline import CorpusIngest, IngestedDocument, IngestTask, attempt, ingest_corpus
from ..encoders.embedding_cache import CachedPassageEncoder

logger = logging.getLogger(__name__)

# One intra-op thread per worker: a worker is given one CPU, and encoders that start a
# thread per core fight each other (measured: p90 1.6 s with two 2-thread encoders on 2 cores).
WORKER_ENV = {
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "TOKENIZERS_PARALLELISM": "false",
}
EMBED_BATCH = 32
# Texts per Ray Data pipeline: each starts its own actor pool, one model load per worker
# (tens of seconds on a loaded machine), and the embedding cache checkpoints between
# pipelines: a few minutes of encoding per pipeline on two workers.
EMBED_CHUNK = 16384


class RayUnavailableError(WsisError):
    """Ray is not installed, or the cluster cannot be reached."""


def _ray() -> Any:
    try:
        import ray
    except ImportError as exc:
        raise RayUnavailableError("the Ray build needs Ray: pip install -e '.[scale]'") from exc
    return ray


@contextmanager
def connected(address: str | None) -> Iterator[Any]:
    """A connection to the cluster at `address` ("auto", "host:port"; None = a local Ray
    started for this call), closed afterwards if this call opened it."""
    if (address or "").startswith("127."):
        from .ray_cluster import LOOPBACK

        os.environ.update(LOOPBACK)  # read when Ray is imported (first use in this process)
    ray = _ray()
    if ray.is_initialized():
        yield ray
        return
    # A cluster on the loopback address is reached from the loopback address: the driver
    # must not announce the machine's other interfaces to it.
    local_ip = {"_node_ip_address": "127.0.0.1"} if (address or "").startswith("127.") else {}
    try:
        # Workers read the driver's WSIS_* settings (encoder backends, paths), so that a
        # worker's encoder is the one the driver's settings name.
        forwarded = {key: value for key, value in os.environ.items() if key.startswith("WSIS_")}
        ray.init(
            address=address,
            runtime_env={"env_vars": {**WORKER_ENV, **forwarded}},
            log_to_driver=False,
            logging_level="WARNING",
            **local_ip,
        )
    except (ConnectionError, RuntimeError, ValueError) as exc:
        raise RayUnavailableError(f"cannot reach the Ray cluster at {address or 'local'}: {exc}") from exc
    try:
        yield ray
    finally:
        ray.shutdown()


def _ingest_row(row: dict[str, Any]) -> dict[str, Any]:
    """A Ray Data map: one planned source ingested on a worker (`pipeline.attempt`)."""
    from ray import cloudpickle

    source, task = cloudpickle.loads(row["task"])
    return {"i": row["i"], "outcome": cloudpickle.dumps(attempt(source, task))}


class EncoderWorker:
    """A Ray Data actor: loads one encoder once, then encodes batch after batch."""

    def __init__(self, name: str) -> None:
        from ..encoders.embedders import get_embedder

        self.embedder = get_embedder(name)

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        vectors = self.embedder.embed_passages([str(t) for t in batch["text"]])
        return {"i": batch["i"], "vector": np.asarray(vectors, dtype=np.float32)}


class RayRunner:
    """`BuildRunner` over a Ray cluster (see the module doc), used as a context manager so
    that one connection serves the whole build. `workers`: how many encoder actors
    (default: one per CPU the cluster offers)."""

    def __init__(self, address: str | None = None, workers: int | None = None) -> None:
        self.address = address
        self.workers = workers
        self._stack = ExitStack()

    def __enter__(self) -> RayRunner:
        self._stack.enter_context(connected(self.address))
        return self

    def __exit__(self, *exc: object) -> None:
        self._stack.close()

    def _pool_size(self, ray: Any) -> int:
        if self.workers:
            return self.workers
        return max(1, int(ray.cluster_resources().get("CPU", 1)))

    def ingest(self, settings: Settings) -> CorpusIngest:
        return ingest_corpus(settings, run=self._run_ingest)

    def _run_ingest(self, tasks: list[tuple[Path, IngestTask]]) -> list[IngestedDocument | IngestError]:
        """The planned sources as a Ray Data stage; outcomes back in plan order (which
        decides, as on one machine, which copy of a document found twice is kept)."""
        if not tasks:
            return []
        with connected(self.address) as ray:  # already open inside `with RayRunner(...)`
            from ray import cloudpickle

            rows = [{"i": i, "task": cloudpickle.dumps(task)} for i, task in enumerate(tasks)]
            done = ray.data.from_items(rows).map(_ingest_row).take_all()
            by_row = {row["i"]: cloudpickle.loads(row["outcome"]) for row in done}
        return [by_row[i] for i in range(len(tasks))]

    def embed(
        self, encoder: CachedPassageEncoder, texts: list[str], progress: Callable[[int, int], None] | None = None
    ) -> tuple[np.ndarray, int]:
        # Chunks of many batches per worker: one Ray Data pipeline each, and the embedding
        # cache still checkpoints between them.
        return encoder.embed_passages(
            texts, progress, encode=lambda missing: self._encode(encoder.embedder.name, missing), chunk=EMBED_CHUNK
        )

    def _encode(self, name: str, texts: list[str]) -> np.ndarray:
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        rows = [{"i": i, "text": texts[i]} for i in order]
        with connected(self.address) as ray:
            pool = self._pool_size(ray)
            logger.info("encoding %d texts with %s on %d Ray workers", len(texts), name, pool)
            dataset = ray.data.from_items(rows).map_batches(
                EncoderWorker,
                fn_constructor_kwargs={"name": name},
                batch_size=EMBED_BATCH,
                batch_format="numpy",
                compute=ray.data.ActorPoolStrategy(size=pool),  # a fixed pool: each loads the model once
                num_cpus=1,
            )
            out: np.ndarray | None = None
            for batch in dataset.iter_batches(batch_size=None, batch_format="numpy"):
                if out is None:
                    out = np.zeros((len(texts), batch["vector"].shape[1]), dtype=np.float32)
                out[batch["i"]] = batch["vector"]
        if out is None:
            raise RayUnavailableError(f"the Ray cluster returned no vectors for {len(texts)} texts")
        return out


def worker_count(address: str | None) -> int:
    """CPUs the cluster offers to tasks (for reports and benchmarks)."""
    with connected(address) as ray:
        return int(ray.cluster_resources().get("CPU", 0))


def default_address() -> str | None:
    """RAY_ADDRESS when set (the Ray convention), else a local Ray for the build."""
    return os.environ.get("RAY_ADDRESS") or None
