"""Query embedding per encoder: p50/p90 of one query at a time and passages/s, with one and
two threads, each configuration in a fresh process (torch's thread pool is process-wide),
interleaved over rounds so that each sees the same load."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time

from ...core.settings import Settings
from .inputs import dev_queries
from .timing import load_average


def bench_embed_one(name: str, threads: int) -> None:
    """One row of the query-embedding table (run in a fresh process per configuration:
    torch's thread pool is process-wide)."""
    from ...index.api import new_embedder

    embedder = new_embedder(name, Settings(encoder_threads=threads))
    queries = dev_queries()
    for q in queries[:3]:  # loads the model, warms its buffers
        embedder.embed_queries([q])
    latencies = []
    for q in queries:
        t = time.perf_counter()
        embedder.embed_queries([q])
        latencies.append((time.perf_counter() - t) * 1000)
    ordered = sorted(latencies)
    texts = [q * 6 for q in queries[:32]]  # passage-sized texts (about 100 words)
    t = time.perf_counter()
    embedder.embed_passages(texts)
    rate = len(texts) / (time.perf_counter() - t)
    print(
        f"| {name} | {embedder.model_id} | {threads} | {statistics.median(ordered):.1f} ms | "
        f"{ordered[int(0.9 * (len(ordered) - 1))]:.1f} ms | {rate:.1f} | {load_average()} |",
        flush=True,
    )


def bench_embed(encoders: list[str], rounds: int) -> None:
    print(f"\n### Query embedding per encoder ({len(dev_queries())} dev queries one at a time, 3 warm-up calls)\n")
    print("| encoder | model | threads | query p50 | query p90 | passages/s (32 x ~100 words) | load |")
    print("|---|---|---|---|---|---|---|")
    for _ in range(rounds):  # interleaved, so that each configuration sees the same load
        for name in encoders:
            for threads in (1, 2):
                subprocess.run(
                    [sys.executable, "-m", "wsis_rag.eval.bench", "embed-one", "--encoder", name]
                    + ["--threads", str(threads)],
                    check=True,
                )
