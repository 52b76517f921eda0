"""Small load test of a running `wsis serve`: latency of GET /search over HTTP.

    .venv/bin/python scripts/load_test.py [--url http://127.0.0.1:8000] [--requests 200]
                                          [--concurrency 4] [--max-seconds 60]

Sends at most --requests queries (cycling through the dev questions when available) from
--concurrency threads, stopping early after --max-seconds, and prints p50/p95/max
latency and throughput. Only loopback servers are accepted: this is a local benchmark.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import threading
import time
from urllib.parse import urlsplit

import httpx

from wsis_rag.core.settings import Settings

FALLBACK_QUERIES = [
    "What does A/RES/80/173 assign to ITU?",
    "WSIS Forum",
    "digital public infrastructure",
    "Internet Governance Forum mandate",
    "第44次会议",
]
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def queries() -> list[str]:
    dev_set = Settings().dev_set
    if dev_set.is_file():
        return [json.loads(line)["query"] for line in dev_set.read_text(encoding="utf-8").splitlines() if line.strip()]
    return FALLBACK_QUERIES


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--max-seconds", type=float, default=60.0)
    parser.add_argument("--k", type=int, default=10)
    args = parser.parse_args()
    if urlsplit(args.url).hostname not in LOOPBACK:
        parser.error("only a server on this machine (127.0.0.1) may be load-tested")
    if not 1 <= args.requests <= 10_000 or not 1 <= args.concurrency <= 32:
        parser.error("--requests must be 1..10000 and --concurrency 1..32")

    pool = queries()
    with httpx.Client(base_url=args.url, timeout=30) as warmup:
        ready = warmup.get("/readyz")
        if ready.status_code != 200:
            print(f"server not ready: {ready.status_code} {ready.text}", file=sys.stderr)
            return 1
        warmup.get("/search", params={"q": pool[0], "k": args.k})  # first query loads the encoders

    latencies: list[float] = []
    failures: list[int] = []
    counter = iter(range(args.requests))
    lock = threading.Lock()
    deadline = time.monotonic() + args.max_seconds

    def worker() -> None:
        with httpx.Client(base_url=args.url, timeout=30) as http:
            while time.monotonic() < deadline:
                with lock:
                    i = next(counter, None)
                if i is None:
                    return
                started = time.perf_counter()
                response = http.get("/search", params={"q": pool[i % len(pool)], "k": args.k})
                elapsed = (time.perf_counter() - started) * 1000
                with lock:
                    if response.status_code == 200:
                        latencies.append(elapsed)
                    else:
                        failures.append(response.status_code)

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(args.concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started

    if not latencies:
        print(f"no successful request; failures: {failures}", file=sys.stderr)
        return 1
    print(
        f"GET /search on {args.url}: {len(latencies)} ok, {len(failures)} failed, concurrency {args.concurrency}, k={args.k}"
    )
    print(
        f"  p50 {percentile(latencies, 50):.1f} ms   p95 {percentile(latencies, 95):.1f} ms   "
        f"max {max(latencies):.1f} ms   mean {statistics.fmean(latencies):.1f} ms"
    )
    print(f"  throughput {len(latencies) / wall:.1f} requests/s over {wall:.1f} s")
    return 0 if not failures else 1


if __name__ == "__main__":
    sys.exit(main())
