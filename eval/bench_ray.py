"""Ray cluster benchmark (issue 14): prints figures (Markdown) for BENCHMARKS.md.

    nice -n 10 .venv/bin/python -m wsis_rag.eval.bench_ray [--un-docs 100] [--e5-passages 120]
        [--synthetic 1000000] [--dim 384] [--queries 50] [--append BENCHMARKS.md]

Starts its own 3-node cluster on 127.0.0.1 (a head that runs no tasks, two one-CPU workers)
and, in one run, so that every ratio compares figures taken under the same load:
- build: the shared corpus built by `build_index` in this process (LocalRunner) and on the
  cluster (RayRunner), each with an empty embedding cache; then the texts of a sample of
  the UN collection (ingested here: `RayRunner.ingest` only walks the manifest, which does
  not list them) encoded by `LocalRunner.embed` and `RayRunner.embed`, USE and e5;
- synthetic: random unit vectors split into two shards by document; exact search on the
  single flat index, on the shards in this process (LocalShard) and through Ray Serve
  (`ShardSearcher.dense`), interleaved query by query; ids and order compared;
- real: the project's index (var/index) searched by the single retriever, by 2 LocalShards
  and through the Ray Serve front (`index.ray_serve.deploy`), on the dev questions.
Every figure carries the 1-minute load average when it was taken.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..core.settings import PROJECT_ROOT, Settings
from ..index.ray_cluster import LOOPBACK, WORKERS, local_cluster, wait_for_workers
from .bench import CORPUS, DEV_SET, machine, percentiles

UN_COLLECTION = PROJECT_ROOT.parent / "shared" / "un-corpus" / "un-documents-78-80.jsonl.gz"
SYNTHETIC = "synthetic"  # the signal name of the synthetic shards' vectors
DOC_PASSAGES = 50  # synthetic documents of 50 passages, dealt to the shards by document
SEED = 14


def load_now() -> float:
    return os.getloadavg()[0]


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()


# --- the cluster -------------------------------------------------------------------------


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


def bench_corpus_build(address: str, tmp: Path) -> Throughput:
    """`build_index` of the shared corpus (USE), whole build timed, empty caches."""
    from ..index import store
    from ..index.builder import build_index
    from ..index.distributed import RayRunner

    single_settings = Settings(
        corpus_dirs=[CORPUS],
        index_dir=tmp / "single" / "index",
        encoders=["use"],
        embedding_cache_dir=tmp / "single" / "cache",
    )
    ray_settings = single_settings.model_copy(
        update={"index_dir": tmp / "ray" / "index", "embedding_cache_dir": tmp / "ray" / "cache"}
    )
    load_single = load_now()
    single = build_index(single_settings)
    load_ray = load_now()
    with RayRunner(address, workers=WORKERS) as runner:
        distributed = build_index(ray_settings, runner=runner)
    a = np.load(single_settings.index_dir / store.vectors_file("use"))
    b = np.load(ray_settings.index_dir / store.vectors_file("use"))
    same_ids = [p.id for p in store.read_passages(single_settings.index_dir)] == [
        p.id for p in store.read_passages(ray_settings.index_dir)
    ]
    check = f"same ids: {same_ids}; max vector diff {float(np.abs(a - b).max()):.1e}"
    return Throughput(
        f"shared corpus, full `build_index` (encoding {single.embed_seconds['use']:.1f} s vs "
        f"{distributed.embed_seconds['use']:.1f} s)",
        "use",
        single.passages,
        single.seconds,
        distributed.seconds,
        load_single,
        load_ray,
        check,
    )


def un_sample_texts(documents: int, directory: Path) -> tuple[list[str], str]:
    """The embedding texts of `documents` UN documents drawn at random (seeded) from the
    collection, written as .txt files and ingested here; and a line describing them."""
    from ..index.builder import embedding_text
    from ..ingest.pipeline import ingest_paths

    with gzip.open(UN_COLLECTION, "rt", encoding="utf-8") as lines:
        collection = [json.loads(line) for line in lines if line.strip()]
    directory.mkdir(parents=True)
    for doc in random.Random(SEED).sample(collection, documents):
        (directory / (doc["symbol"].replace("/", "_") + ".txt")).write_text(doc["text"], encoding="utf-8")
    started = time.perf_counter()
    corpus = ingest_paths([directory])
    seconds = time.perf_counter() - started
    texts = [embedding_text(p, d.meta) for d in corpus.documents for p in d.passages]
    note = (
        f"UN sample: {documents} documents of {UN_COLLECTION.name} (seed {SEED}) -> {len(corpus.documents)} ingested, "
        f"{len(corpus.errors)} failed, {len(texts)} passages; ingestion in this process {seconds:.1f} s "
        f"({len(texts) / seconds:.0f} passages/s, load {load_now():.1f})"
    )
    return texts, note


def bench_embed(address: str, name: str, texts: list[str], tmp: Path, workload: str) -> Throughput:
    """The same texts through `LocalRunner.embed` and `RayRunner.embed`, each with an empty
    cache. The local model is loaded before timing; the Ray time includes starting the
    encoder actors and loading the model in each (what every Ray build pays)."""
    from ..index.builder import LocalRunner
    from ..index.distributed import RayRunner
    from ..index.embedders import get_embedder
    from ..index.embedding_cache import CachedPassageEncoder

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
    return Throughput(workload, name, encoded, single_s, ray_s, load_single, load_ray, check)


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


def replica_rss(app: str) -> int:
    """Resident memory of the Serve replica process(es) of `app` (0 when not found)."""
    total = 0
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                if f"ServeReplica:{app}:" in (proc / "cmdline").read_bytes().decode(errors="replace"):
                    total += rss_bytes(proc.name)
            except OSError:
                continue
    return total


def write_synthetic_shards(n: int, dim: int, root: Path) -> tuple[Any, list[Path]]:
    """Random unit vectors in two shards by document (documents of DOC_PASSAGES rows, dealt
    alternately), each in the shard layout `LocalShard` loads; and the single flat index over
    all of them."""
    from ..index import store
    from ..index.lexical import LexicalIndex
    from ..index.shards import GLOBAL_ROWS
    from ..index.vectors import VectorIndex

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
        np.save(directory / store.vectors_file(SYNTHETIC), np.ascontiguousarray(vectors[rows]))
        # LocalShard also loads a BM25 index; these shards are dense only, so theirs holds one placeholder text.
        LexicalIndex.build(["synthetic"]).save(directory / store.BM25_DIR)
        store.write_manifest(directory, {"encoders": {SYNTHETIC: {"model_id": "random unit vectors", "dim": dim}}})
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
    from ray import serve

    from ..index.ray_serve import APP_PREFIX, RemoteShard, _deployments
    from ..index.shards import FanOut, LocalShard, ShardedVectors

    ms, (single, directories) = _timed(lambda: write_synthetic_shards(n, dim, tmp / "synthetic"))
    say(f"Synthetic index: {n:,} random unit vectors, dim {dim}, documents of {DOC_PASSAGES} passages dealt")
    say(f"alternately to 2 shards; shards and the single flat index written in {ms / 1000:.0f} s.")
    before = rss_bytes()
    local_shards = [LocalShard(d) for d in directories]
    in_process = rss_bytes() - before
    local = ShardedVectors(FanOut(local_shards, timeout_s=300), SYNTHETIC, n)
    shard_deployment, _ = _deployments()
    serve.start(proxy_location="Disabled")
    apps, remote_shards = [], []
    started = time.perf_counter()
    for directory in directories:
        app = f"{APP_PREFIX}-synthetic-{directory.name}"
        options = {"num_replicas": 1, "ray_actor_options": {"num_cpus": 0.25}}
        handle = serve.run(shard_deployment.options(**options).bind(str(directory)), name=app, route_prefix=None)
        apps.append(app)
        remote_shards.append(RemoteShard(app, handle, timeout_s=300))
    deploy_s = time.perf_counter() - started
    remote = ShardedVectors(FanOut(remote_shards, timeout_s=300), SYNTHETIC, n)
    sizes = [os.path.getsize(d / f"faiss-{SYNTHETIC}.index") for d in directories]
    replicas = [replica_rss(app) for app in apps]
    say(
        f"Memory per shard ({n // 2:,} vectors): FAISS flat index {sizes[0] / 2**20:,.0f} MiB on disk; "
        f"resident in its Ray Serve replica {', '.join(f'{r / 2**20:,.0f}' for r in replicas)} MiB "
        f"(process total, Ray worker included); both shards in this process +{in_process / 2**20:,.0f} MiB. "
        f"Deploying the 2 shard applications: {deploy_s:.0f} s."
    )
    queries = list(_random_queries(count, dim))

    def ids(search: Callable[[np.ndarray, int], tuple[np.ndarray, np.ndarray]]) -> Callable[[Any], list[Any]]:
        return lambda query: search(query, 10)[0].tolist()

    try:
        return compare_interleaved(
            {
                "single flat index, in process": ids(single.search),
                "2 shards in process (LocalShard, threads)": ids(local.search),
                "2 shards through Ray Serve (`ShardSearcher.dense`)": ids(remote.search),
            },
            queries,
            f" - synthetic {n:,} x {dim}",
        )
    finally:
        for app in apps:
            serve.delete(app)


def bench_real(questions: list[str], tmp: Path, say: Callable[[str], None]) -> list[Latency]:
    from ..index import store
    from ..index.ray_serve import deploy, undeploy
    from ..index.shards import LocalShard, sharded_retriever, write_shards

    settings = Settings(corpus_dirs=[CORPUS])
    reference = store.load_retriever(settings)
    shard_set = write_shards(settings.index_dir, tmp / "real-shards", 2)
    in_process = sharded_retriever(shard_set, [LocalShard(d) for d in shard_set.shard_dirs()])
    deploy_s, front = _timed(lambda: deploy(shard_set, timeout_s=300))
    say(
        f"Real index: {settings.index_dir} ({len(reference.passages)} passages, encoders "
        f"{', '.join(shard_set.encoders)}) in 2 shards; `deploy` (2 shard applications and the query-encoder "
        f"deployment, which loads every encoder of the index): {deploy_s / 1000:.0f} s."
    )
    rows = []
    try:
        for signals in (reference.signals, ["bm25", "use"]):
            through_serve = front.with_signals(list(signals))  # the same deployment handles and encoders

            def ids(retriever: Any) -> Callable[[Any], list[Any]]:
                return lambda query: [hit.passage.id for hit in retriever.search(query, 10)]

            rows += compare_interleaved(
                {
                    "single index, in process": ids(reference.with_signals(signals)),
                    "2 shards in process (LocalShard)": ids(in_process.with_signals(signals)),
                    "2 shards through Ray Serve (front retriever, remote query encoder)": ids(through_serve),
                },
                questions,
                f" - {'+'.join(signals)}",
            )
    finally:
        undeploy()
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--un-docs", type=int, default=100, help="UN documents sampled for the embedding run")
    parser.add_argument("--e5-passages", type=int, default=120, help="of their passages also encoded by e5 (0: none)")
    parser.add_argument("--synthetic", type=int, default=1_000_000, help="passages of the synthetic index")
    parser.add_argument("--dim", type=int, default=384)
    parser.add_argument("--queries", type=int, default=50, help="random queries on the synthetic index")
    parser.add_argument("--append", type=Path, help="append the section to this file (BENCHMARKS.md)")
    args = parser.parse_args(argv)

    os.environ.update(LOOPBACK)  # before Ray is imported: its constants are read at import
    from ..index.distributed import connected

    lines: list[str] = []

    def say(line: str = "") -> None:
        print(line, flush=True)
        lines.append(line)

    questions = [json.loads(line)["query"] for line in DEV_SET.read_text(encoding="utf-8").splitlines() if line.strip()]
    started = time.perf_counter()
    say("## Ray cluster (issue 14)\n")
    say(
        "`nice -n 10 .venv/bin/python -m wsis_rag.eval.bench_ray`: a 3-node Ray cluster on 127.0.0.1 (head with "
        f"`--num-cpus=0`, {WORKERS} workers with `--num-cpus=1`) on this one machine; {machine()}."
    )
    say(f"\n`uptime` before: `{uptime()}`\n")
    with (
        tempfile.TemporaryDirectory(prefix="wsis-bench-ray-") as tmp_name,
        local_cluster() as address,
        connected(address) as ray,
    ):
        wait_for_workers(ray, WORKERS)
        tmp = Path(tmp_name)
        say("### Build throughput, single machine vs the cluster (empty embedding caches)\n")
        throughput = [bench_corpus_build(address, tmp)]
        texts, note = un_sample_texts(args.un_docs, tmp / "un")
        throughput.append(bench_embed(address, "use", texts, tmp, "UN sample, texts encoded (`embed`)"))
        if args.e5_passages:
            part = texts[: args.e5_passages]
            throughput.append(bench_embed(address, "e5", part, tmp, f"UN sample, first {len(part)} texts (`embed`)"))
        say(THROUGHPUT_HEAD)
        for row in throughput:
            say(row.row())
        say(f"\n{note}.\n")
        say("### Search through Ray Serve vs in process (k=10, one query at a time)\n")
        synthetic = bench_synthetic(args.synthetic, args.dim, args.queries, tmp, say)
        say("")
        real = bench_real(questions, tmp, say)
        say("")
        say(LATENCY_HEAD)
        for latency in synthetic + real:
            say(latency.row())
    say(f"\n`uptime` after: `{uptime()}`; the whole run took {(time.perf_counter() - started) / 60:.1f} min.")
    if args.append:
        with args.append.open("a", encoding="utf-8") as out:
            out.write("\n" + "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
