"""The Ray cluster: build throughput and sharded search through Ray actors against the same
work in process (`wsis bench ray [--parts build,synthetic,serve]`).

Starts its own 3-node cluster on 127.0.0.1 (a head that runs no tasks, two one-CPU workers)
and, in one run, so that every ratio compares figures taken under the same load:
- build: `build_index` (ingest, USE, BM25, write) in this process (LocalRunner) and on the
  cluster (RayRunner), each with an empty embedding cache, of the shared corpus and of the
  UN collection (as a `collections` source: the whole file, or `--un-docs` records drawn
  at random); then the first texts of the collection encoded by e5 through
  `LocalRunner.embed` and `RayRunner.embed`;
- synthetic: random unit vectors split into two shards by document; exact search on the
  single flat index, on the shards in this process (LocalShard) and through Ray actors
  (`ray_shards.deploy_shards`), interleaved query by query; ids and order compared;
- serve: the project's index (`--index-dir`, default the settings') searched by the single
  retriever, by 2 LocalShards and through the Ray front (`ray_shards.deploy`), on the
  dev questions.
Every figure carries the 1-minute load average when it was taken.
"""

from __future__ import annotations

import gzip
import os
import random
import subprocess
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ...core.settings import Settings
from ...index.scale.ray_cluster import LOOPBACK, WORKERS, local_cluster, wait_for_workers
from .inputs import CORPUS, UN_COLLECTION, dev_queries
from .timing import machine, percentiles

SYNTHETIC = "synthetic"  # the signal name of the synthetic shards' vectors
DOC_PASSAGES = 50  # synthetic documents of 50 passages, dealt to the shards by document
SEED = 14


def load_now() -> float:
    return os.getloadavg()[0]


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()


# --- build throughput --------------------------------------------------------------------


@dataclass
class Throughput:
    workload: str
    encoder: str
    passages: int
    single_s: float
    ray_s: float
    load_single: float
    load_ray: float
    check: str

    @property
    def single_rate(self) -> float:
        return self.passages / self.single_s

    @property
    def ray_rate(self) -> float:
        return self.passages / self.ray_s

    @property
    def efficiency(self) -> float:
        return self.ray_rate / (WORKERS * self.single_rate)

    def row(self) -> str:
        return (
            f"| {self.workload} | {self.encoder} | {self.passages} | {self.single_s:.1f} s = {self.single_rate:.1f}/s "
            f"(load {self.load_single:.1f}) | {self.ray_s:.1f} s = {self.ray_rate:.1f}/s (load {self.load_ray:.1f}) "
            f"| {self.ray_rate / WORKERS:.1f} | {self.efficiency:.2f} | {self.check} |"
        )


THROUGHPUT_HEAD = (
    "| workload | encoder | passages encoded | single machine (LocalRunner) | Ray, 2 workers (RayRunner) "
    "| Ray passages/s per worker | scaling efficiency | result check |\n|---|---|---|---|---|---|---|---|"
)


def bench_build(address: str, settings: Settings, workload: str) -> Throughput:
    """`build_index` with `settings` (USE), timed whole, once in this process and once on
    the cluster, each into its own index and empty embedding cache."""
    from ...index.scale.distributed import RayRunner
    from ...index.store import versions
    from ...index.store.builder import build_index

    root = settings.index_dir
    single_settings = settings.model_copy(update={"index_dir": root / "single", "embedding_cache_dir": root / "c1"})
    ray_settings = settings.model_copy(update={"index_dir": root / "ray", "embedding_cache_dir": root / "c2"})
    load_single = load_now()
    single = build_index(single_settings)
    load_ray = load_now()
    with RayRunner(address, workers=WORKERS) as runner:
        distributed = build_index(ray_settings, runner=runner)
    a = np.load(single_settings.index_dir / versions.vectors_file("use"))
    b = np.load(ray_settings.index_dir / versions.vectors_file("use"))
    same_ids = [p.id for p in versions.read_passages(single_settings.index_dir)] == [
        p.id for p in versions.read_passages(ray_settings.index_dir)
    ]
    check = f"same ids: {same_ids}; max vector diff {float(np.abs(a - b).max()):.1e}"
    rates = single.encoder_rates()["use"], distributed.encoder_rates()["use"]
    return Throughput(
        f"{workload}: {single.documents:,} documents, full `build_index` (of which encoding "
        f"{single.embed_seconds['use']:.0f} s = {rates[0]:.1f}/s vs {distributed.embed_seconds['use']:.0f} s "
        f"= {rates[1]:.1f}/s)",
        "use",
        single.passages,
        single.seconds,
        distributed.seconds,
        load_single,
        load_ray,
        check,
    )


def write_collection_sample(documents: int | None, path: Path) -> str:
    """The UN collection, or `documents` of its records drawn at random (seeded), as a
    collection file at `path`; a line describing it."""
    with gzip.open(UN_COLLECTION, "rt", encoding="utf-8") as lines:
        records = [line for line in lines if line.strip()]
    chosen = records if documents is None else random.Random(SEED).sample(records, documents)
    path.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(path, "wt", encoding="utf-8") as out:
        out.writelines(chosen)
    what = "the whole collection" if documents is None else f"{documents} records drawn at random (seed {SEED})"
    return f"{UN_COLLECTION.name}: {what}, {len(chosen)} of {len(records)} records"


def collection_texts(path: Path, passages: int) -> list[str]:
    """The embedding texts of the first `passages` passages of a collection file (its
    first records, as many as that takes)."""
    from ...index.store.builder import embedding_text
    from ...ingest.pipeline import ingest_collection

    with gzip.open(path, "rt", encoding="utf-8") as lines:
        records = [line for line in lines if line.strip()]
    part = path.with_name("head-" + path.name)
    count = 1
    while True:
        with gzip.open(part, "wt", encoding="utf-8") as out:
            out.writelines(records[:count])
        texts = [embedding_text(p, d.meta) for d in ingest_collection(part).documents for p in d.passages]
        if len(texts) >= passages or count >= len(records):
            return texts[:passages]
        count *= 2


def bench_embed(address: str, name: str, texts: list[str], tmp: Path, workload: str) -> Throughput:
    """The same texts through `LocalRunner.embed` and `RayRunner.embed`, each with an empty
    cache. The local model is loaded before timing; the Ray time includes starting the
    encoder actors and loading the model in each (what every Ray build pays)."""
    from ...index.encoders.embedders import get_embedder
    from ...index.encoders.embedding_cache import CachedPassageEncoder
    from ...index.scale.distributed import RayRunner
    from ...index.store.builder import LocalRunner

    embedder = get_embedder(name)
    embedder.embed_passages(texts[:2])
    load_single = load_now()
    started = time.perf_counter()
    local, encoded = LocalRunner().embed(CachedPassageEncoder(embedder, tmp / f"cache-{workload}-{name}-single"), texts)
    single_s = time.perf_counter() - started
    load_ray = load_now()
    with RayRunner(address, workers=WORKERS) as runner:
        started = time.perf_counter()
        remote, _ = runner.embed(CachedPassageEncoder(embedder, tmp / f"cache-{workload}-{name}-ray"), texts)
        ray_s = time.perf_counter() - started
    check = f"max vector diff {float(np.abs(local - remote).max()):.1e}"
    return Throughput(workload, embedder.model_id, encoded, single_s, ray_s, load_single, load_ray, check)


# --- sharded search ----------------------------------------------------------------------


@dataclass
class Latency:
    configuration: str
    samples_ms: list[float]
    load: float
    equal: str

    def row(self) -> str:
        p50, p95 = percentiles(self.samples_ms)
        return f"| {self.configuration} | {p50:.1f} ms | {p95:.1f} ms | {len(self.samples_ms)} | {self.load:.1f} | {self.equal} |"


LATENCY_HEAD = "| configuration | p50 | p95 | queries | load at start | ids and order vs the single index |\n|---|---|---|---|---|---|"


def rss_bytes(pid: int | str = "self") -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def write_synthetic_shards(n: int, dim: int, root: Path) -> tuple[Any, list[Path]]:
    """Random unit vectors in two shards by document (documents of DOC_PASSAGES rows, dealt
    alternately), each in the shard layout `LocalShard` loads; and the single flat index over
    all of them."""
    from ...index.lexical import LexicalIndex
    from ...index.scale.shards import GLOBAL_ROWS
    from ...index.store import versions
    from ...index.vectors import VectorIndex

    rng = np.random.default_rng(SEED)
    vectors = rng.standard_normal((n, dim), dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    shard_of_row = (np.arange(n) // DOC_PASSAGES) % 2
    directories = []
    for shard in range(2):
        directory = root / f"shard-{shard:03d}"
        directory.mkdir(parents=True)
        rows = np.flatnonzero(shard_of_row == shard).astype(np.int64)
        np.save(directory / GLOBAL_ROWS, rows)
        # Exact search: the shard's vectors are the index (memory-mapped at load; no FAISS file).
        np.save(directory / versions.vectors_file(SYNTHETIC), np.ascontiguousarray(vectors[rows]))
        # LocalShard also loads a BM25 index; these shards are dense only, so theirs holds one placeholder text.
        LexicalIndex.build(["synthetic"]).save(directory / versions.BM25_DIR)
        versions.write_manifest(directory, {"encoders": {SYNTHETIC: {"model_id": "random unit vectors", "dim": dim}}})
        directories.append(directory)
    return VectorIndex.build(vectors, exact_max=n), directories


def _random_queries(count: int, dim: int) -> np.ndarray:
    queries = np.random.default_rng(SEED + 1).standard_normal((count, dim), dtype=np.float32)
    return queries / np.linalg.norm(queries, axis=1, keepdims=True)


def _timed(call: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = call()
    return (time.perf_counter() - started) * 1000, result


def compare_interleaved(
    systems: dict[str, Callable[[Any], list[Any]]], queries: list[Any], suffix: str = ""
) -> list[Latency]:
    """Each query through every system in turn (so that load changes hit all alike); the
    first system is the reference the others' ids and order are compared with."""
    for query in queries[:2]:  # warm-up: models, handles, caches
        for search in systems.values():
            search(query)
    samples: dict[str, list[float]] = {name: [] for name in systems}
    equal = dict.fromkeys(systems, 0)
    load = load_now()
    for query in queries:
        want = None
        for name, search in systems.items():
            started = time.perf_counter()
            ids = search(query)
            samples[name].append((time.perf_counter() - started) * 1000)
            want = ids if want is None else want
            equal[name] += ids == want
    reference = next(iter(systems))
    return [
        Latency(
            name + suffix,
            samples[name],
            load,
            "reference" if name == reference else f"{equal[name]}/{len(queries)} equal",
        )
        for name in systems
    ]


def bench_synthetic(n: int, dim: int, count: int, tmp: Path, say: Callable[[str], None]) -> list[Latency]:
    from ...index.scale.ray_shards import deploy_shards, undeploy
    from ...index.scale.shards import FanOut, LocalShard, ShardedVectors
    from ...index.store import versions

    ms, (single, directories) = _timed(lambda: write_synthetic_shards(n, dim, tmp / "synthetic"))
    say(f"Synthetic index: {n:,} random unit vectors, dim {dim}, documents of {DOC_PASSAGES} passages dealt")
    say(f"alternately to 2 shards; shards and the single flat index written in {ms / 1000:.0f} s.")
    before = rss_bytes()
    local_shards = [LocalShard.load(d) for d in directories]
    in_process = rss_bytes() - before
    local = ShardedVectors(FanOut(local_shards, timeout_s=300), SYNTHETIC, n)
    deploy_s, remote_shards = _timed(lambda: deploy_shards(directories, timeout_s=300))
    remote = ShardedVectors(FanOut(remote_shards, timeout_s=300), SYNTHETIC, n)
    queries = list(_random_queries(count, dim))

    def ids(search: Callable[[np.ndarray, int], tuple[np.ndarray, np.ndarray]]) -> Callable[[Any], list[Any]]:
        return lambda query: search(query, 10)[0].tolist()

    try:
        rows = compare_interleaved(
            {
                "single flat index, in process": ids(single.search),
                "2 shards in process (LocalShard, threads)": ids(local.search),
                "2 shards through Ray actors (`deploy_shards`)": ids(remote.search),
            },
            queries,
            f" - synthetic {n:,} x {dim}",
        )
        # After the searches: the memory-mapped vectors are resident once they have been read.
        replicas = [sum(rss_bytes(pid) for pid in shard.pids()) for shard in remote_shards]
        read = rss_bytes() - before
    finally:
        undeploy()
    size = os.path.getsize(directories[0] / versions.vectors_file(SYNTHETIC))
    say(
        f"Memory per shard ({n // 2:,} vectors, exact search over the memory-mapped float32 vectors, no FAISS "
        f"copy): {size / 2**20:,.0f} MiB on disk; resident in its Ray actor after the searches "
        f"{', '.join(f'{r / 2**20:,.0f}' for r in replicas)} MiB (process total, Ray worker included); both "
        f"shards in this process +{in_process / 2**20:,.0f} MiB loaded (mapped, not yet read), "
        f"+{read / 2**20:,.0f} MiB after the searches. "
        f"Deploying the 2 shards (one actor each): {deploy_s / 1000:.0f} s."
    )
    return rows


def bench_real(questions: list[str], index_dir: Path, tmp: Path, say: Callable[[str], None]) -> list[Latency]:
    from ...index.scale.ray_shards import deploy, undeploy
    from ...index.scale.shards import LocalShard, sharded_retriever, write_shards
    from ...index.store import versions

    settings = Settings(index_dir=index_dir)
    reference = versions.load_retriever(settings)
    shard_set = write_shards(settings.index_dir, tmp / "real-shards", 2)
    in_process = sharded_retriever(shard_set, [LocalShard.load(d) for d in shard_set.shard_dirs()])
    deploy_s, front = _timed(lambda: deploy(shard_set, timeout_s=300))
    say(
        f"Real index: {settings.index_dir} ({len(reference.passages)} passages, encoders "
        f"{', '.join(shard_set.encoders)}) in 2 shards; `deploy` (2 shards, one actor each; the front embeds the "
        f"queries itself): {deploy_s / 1000:.0f} s."
    )
    rows = []
    try:
        variants = [list(reference.signals)]
        if "use" in shard_set.encoders and "use" not in reference.signals:  # the encoder of the build part
            variants.append(["bm25", "use"])
        for signals in variants:
            through_serve = front.with_signals(list(signals))  # the same deployment handles

            def ids(retriever: Any) -> Callable[[Any], list[Any]]:
                return lambda query: [hit.passage.id for hit in retriever.search(query, 10)]

            rows += compare_interleaved(
                {
                    "single index, in process": ids(reference.with_signals(signals)),
                    "2 shards in process (LocalShard)": ids(in_process.with_signals(signals)),
                    "2 shards through Ray actors (`deploy`)": ids(through_serve),
                },
                questions,
                f" - {'+'.join(signals)}",
            )
    finally:
        undeploy()
    return rows


PARTS = ("build", "synthetic", "serve")


def bench_ray(
    parts: Sequence[str],
    *,
    un_docs: int | None,
    e5_passages: int,
    synthetic: int,
    dim: int,
    queries: int,
    index_dir: Path,
    append: Path | None,
) -> None:
    """The parts asked for (PARTS, in that order) on one local cluster."""
    os.environ.update(LOOPBACK)  # before Ray is imported: its constants are read at import
    from ...index.scale.distributed import connected

    lines: list[str] = []

    def say(line: str = "") -> None:
        print(line, flush=True)
        lines.append(line)

    started = time.perf_counter()
    say("## Ray cluster\n")
    say(
        f"`nice -n 10 wsis bench ray --parts {','.join(p for p in PARTS if p in parts)}`: a 3-node Ray cluster on "
        f"127.0.0.1 (head with `--num-cpus=0`, {WORKERS} workers with `--num-cpus=1`) on this one machine; {machine()}."
    )
    say(f"\n`uptime` before: `{uptime()}`\n")
    with (
        tempfile.TemporaryDirectory(prefix="wsis-bench-ray-") as tmp_name,
        local_cluster() as address,
        connected(address) as ray,
    ):
        wait_for_workers(ray, WORKERS)
        tmp = Path(tmp_name)
        if "build" in parts:
            say("### Build throughput, single machine vs the cluster (empty embedding caches)\n")
            collection = tmp / "un" / "collection.jsonl.gz"
            note = write_collection_sample(un_docs, collection)
            throughput = [
                bench_build(
                    address, Settings(corpus_dirs=[CORPUS], encoders=["use"], index_dir=tmp / "corpus"), "shared corpus"
                ),
                bench_build(
                    address,
                    Settings(corpus_dirs=[], collections=[collection], encoders=["use"], index_dir=tmp / "un"),
                    "UN collection",
                ),
            ]
            if e5_passages:
                texts = collection_texts(collection, e5_passages)
                workload = f"UN collection, its first {len(texts)} texts (`embed` only)"
                throughput.append(bench_embed(address, "e5", texts, tmp, workload))
            say(THROUGHPUT_HEAD)
            for row in throughput:
                say(row.row())
            say(f"\n{note}.\n")
        latencies: list[Latency] = []
        if "synthetic" in parts or "serve" in parts:
            say("### Search through Ray actors vs in process (k=10, one query at a time)\n")
        if "synthetic" in parts:
            latencies += bench_synthetic(synthetic, dim, queries, tmp, say)
            say("")
        if "serve" in parts:
            latencies += bench_real(dev_queries(), index_dir, tmp, say)
            say("")
        if latencies:
            say(LATENCY_HEAD)
            for latency in latencies:
                say(latency.row())
    say(f"\n`uptime` after: `{uptime()}`; the whole run took {(time.perf_counter() - started) / 60:.1f} min.")
    if append:
        with append.open("a", encoding="utf-8") as out:
            out.write("\n" + "\n".join(lines) + "\n")
