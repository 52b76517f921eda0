"""Benchmarks of the running service: GET /search against its query-embedding floor,
searches in the first seconds after start-up, and POST /ask in the first minute after
start-up and after ten minutes, with the CPU the idle server uses between them.

Both start the real server (`wsis serve`, uvicorn on a free 127.0.0.1 port) in a child
process over an index that exists already, and talk to it with httpx.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from ...core.settings import Settings
from .timing import percentiles

WSIS = Path(sys.executable).with_name("wsis")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def served(index_dir: Path) -> Iterator[tuple[str, float, int]]:
    """`wsis serve` over the index at `index_dir` as it stands (never rebuilt: a benchmark
    measures the index it is given, whatever corpus built it); yields its URL, the seconds
    from launch to the first 200 from /readyz, and its process id."""
    port = _free_port()
    env = {**os.environ, "WSIS_INDEX_DIR": str(index_dir), "WSIS_PORT": str(port)}
    started = time.perf_counter()
    server = subprocess.Popen(
        [str(WSIS), "serve", "--no-fetch", "--no-build"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=url, timeout=5) as client:
            while True:
                if server.poll() is not None or time.perf_counter() - started > 300:
                    raise RuntimeError(f"the server did not become ready (exit code {server.poll()})")
                try:
                    if client.get("/readyz").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                time.sleep(0.05)
        yield url, time.perf_counter() - started, server.pid
    finally:
        server.terminate()
        server.wait(timeout=30)


def bench_http(settings: Settings, queries: list[str], rounds: int = 3) -> None:
    """GET /search end to end against the query embedding measured in this process over
    the same index, interleaved query by query so that both see the same machine load.
    The requests are timed with the standard library's `http.client` on one keep-alive
    connection, so that the overhead is the service's (httpx's own work per request
    measured ~0.5 ms here)."""
    from ...index.api import load_retriever

    retriever = load_retriever(settings)
    retriever.search("warm-up query")
    dense = [s for s in retriever.signals if s != "bm25"]
    with served(settings.index_dir) as (url, _, _), httpx.Client(base_url=url) as client:
        host, port = url.removeprefix("http://").split(":")
        plain = http.client.HTTPConnection(host, int(port), timeout=30)
        client.get("/search", params={"q": "warm-up query"})
        http_ms, took_ms, inproc_ms, embed_ms = [], [], [], []
        load = os.getloadavg()[0]
        for _ in range(rounds):
            for q in queries:
                path = "/search?" + urllib.parse.urlencode({"q": q, "k": 10})
                t = time.perf_counter()
                plain.request("GET", path)
                response = plain.getresponse()
                body = response.read()
                http_ms.append((time.perf_counter() - t) * 1000)
                if response.status != 200:
                    raise RuntimeError(f"GET {path} answered {response.status}: {body[:200]!r}")
                took_ms.append(json.loads(body)["took_ms"])
                timings: dict[str, float] = {}
                t = time.perf_counter()
                retriever.search(q, k=10, timings=timings)
                inproc_ms.append((time.perf_counter() - t) * 1000)
                embed_ms.append(sum(timings.get(f"embed:{s}", 0.0) for s in dense) * 1000)
        plain.close()
    http50, http95 = percentiles(http_ms)
    embed50, embed95 = percentiles(embed_ms)
    inproc50, _ = percentiles(inproc_ms)
    took50, _ = percentiles(took_ms)
    print(
        f"\n### GET /search against the query-embedding floor ({len(queries)} dev queries x {rounds}, "
        f"k=10, signals {'+'.join(retriever.signals)}; load average {load:.1f} -> {os.getloadavg()[0]:.1f})\n"
    )
    print("| measure | p50 | p95 |\n|---|---|---|")
    print(f"| GET /search, client side (http.client: HTTP + JSON + search) | {http50:.1f} ms | {http95:.1f} ms |")
    print(f"| took_ms inside the server | {took50:.1f} ms | - |")
    print(f"| search in-process (same index, this process) | {inproc50:.1f} ms | - |")
    print(f"| query embedding alone ({'+'.join(dense)}; the floor) | {embed50:.1f} ms | {embed95:.1f} ms |")
    print(
        f"\nGET /search p50 / embedding p50 = **{http50 / embed50:.2f}x**; "
        f"HTTP + JSON overhead (client p50 - server took_ms p50) = **{http50 - took50:.1f} ms**"
    )


def bench_startup(settings: Settings, queries: list[str], seconds: float = 30.0) -> None:
    """`wsis serve` from launch: when /readyz says ready, then one
    search after another for `seconds`: how long until searches are fast, and the slowest."""
    with served(settings.index_dir) as (url, ready_s, _), httpx.Client(base_url=url) as client:
        load = os.getloadavg()[0]
        ready_at = time.perf_counter()
        samples: list[tuple[float, float]] = []  # (seconds after ready, latency ms)
        i = 0
        while time.perf_counter() - ready_at < seconds:
            t = time.perf_counter()
            client.get("/search", params={"q": queries[i % len(queries)], "k": 10}).raise_for_status()
            samples.append((t - ready_at, (time.perf_counter() - t) * 1000))
            i += 1
    steady = statistics.median(ms for at, ms in samples if at > seconds / 2)
    fast = 2 * steady  # "fast" = within twice the steady-state median
    first_fast = next((at for at, ms in samples if ms <= fast), float("nan"))
    slow = [ms for _, ms in samples if ms > fast]
    first_10s = [ms for at, ms in samples if at < 10]
    print(
        f"\n### Searches right after start-up (`wsis serve`; load average {load:.1f})\n\n"
        f"Ready (/readyz 200) {ready_s:.1f} s after launch. {len(samples)} searches over the next {seconds:.0f} s: "
        f"first within 2x the steady median ({steady:.1f} ms) at **{first_fast:.2f} s** after ready; "
        f"max {max(ms for _, ms in samples):.0f} ms, p95 over the first 10 s {percentiles(first_10s)[1]:.0f} ms; "
        f"{len(slow)} searches slower than {fast:.0f} ms."
    )
    print(
        "\nSlower than that (seconds after ready: ms): "
        + ", ".join(f"{at:.2f}: {ms:.0f}" for at, ms in samples if ms > fast)
    )


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time the process has used (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _ask_all(client: httpx.Client, questions: list[str], limit_s: float) -> list[float]:
    """POST /ask for each question in turn (until `limit_s` has passed); client-side ms."""
    latencies: list[float] = []
    started = time.perf_counter()
    for question in questions:
        if time.perf_counter() - started > limit_s:
            break
        t = time.perf_counter()
        client.post("/ask", json={"question": question}).raise_for_status()
        latencies.append((time.perf_counter() - t) * 1000)
    return latencies


def bench_ask(settings: Settings, questions: list[str], idle_s: float = 600.0) -> None:
    """`wsis serve` from launch: POST /ask for the questions in the first minute after
    /readyz, then the CPU the idle server uses over `idle_s` (ten minutes by default), then
    the same questions again."""
    with served(settings.index_dir) as (url, ready_s, pid):
        with httpx.Client(base_url=url, timeout=120) as client:
            load = os.getloadavg()[0]
            first = _ask_all(client, questions, limit_s=60.0)
            cpu = _cpu_seconds(pid)
            time.sleep(idle_s)
            idle_cpu = (_cpu_seconds(pid) - cpu) / idle_s
            later = _ask_all(client, questions, limit_s=600.0)
    first50, first95 = percentiles(first)
    later50, later95 = percentiles(later)
    print(
        f"\n### POST /ask after start-up (`wsis serve`; {len(questions)} questions; "
        f"load average {load:.1f} -> {os.getloadavg()[0]:.1f})\n\nReady {ready_s:.1f} s after launch.\n"
    )
    print("| when | questions | p50 | p95 |\n|---|---|---|---|")
    print(f"| first minute after /readyz | {len(first)} | {first50:.0f} ms | {first95:.0f} ms |")
    print(f"| after {idle_s / 60:.0f} idle minutes | {len(later)} | {later50:.0f} ms | {later95:.0f} ms |")
    print(f"\nIdle server between them: **{idle_cpu * 100:.1f} % of one core** over {idle_s:.0f} s.")
