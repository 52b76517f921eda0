"""Search variants against each other in process (`wsis bench variants`): the time each
search takes after its query embeddings, every question searched by every variant in turn.

The turn's order is drawn afresh for each question (a seeded shuffle): a question's later
searches find the caches of its passages' words and of BM25's postings warm and run about
a millisecond faster, so a fixed order measures those caches (docs/decisions/threads.md);
and a fixed cycle of turns gives every variant the same neighbours, so that work which
comes round periodically (the garbage collector's) can fall on the same variant each
time. Each variant's p50 is compared with the first variant's by a bootstrap over the
searches, drawn in pairs (a search of a question by one variant with the same question's
by the other): the median, not the mean, as a pause of the process lands on one search of
one variant."""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ...core.settings import Settings
from ..collection_eval import parse_config
from ..metrics import BOOTSTRAP_SEED, bootstrap_interval
from .timing import load_average, percentiles

SIGNALS = "signals"  # a variant's key for the signals it searches with, joined by '+'


def parse_variant(spec: str) -> tuple[str, dict[str, Any]]:
    """'name=field:value,...' as `collection_eval.parse_config` reads it, and `signals:a+b`
    for the signals the variant searches with (in their order)."""
    name, _, body = spec.partition("=")
    parts = [part for part in body.split(",") if part]
    signals = [part.partition(":")[2] for part in parts if part.startswith(f"{SIGNALS}:")]
    _, changes = parse_config(f"{name}=" + ",".join(p for p in parts if not p.startswith(f"{SIGNALS}:")))
    if signals:
        changes[SIGNALS] = [signal for signal in signals[-1].split("+") if signal]
    return name, changes


def turn_order(names: Sequence[str], rng: np.random.Generator) -> list[str]:
    """`names` in the order of one question's turn: a shuffle drawn from `rng`."""
    return [names[i] for i in rng.permutation(len(names))]


def bench_variants(
    index_dir: Path, queries: Sequence[str], variants: Sequence[tuple[str, dict[str, Any]]], rounds: int = 2
) -> None:
    """Print each variant's time after the query embeddings (p50, p95, and its p50's
    difference from the first variant's) and how often every variant's first ten agree.
    `variants`: (name, FusionConfig changes, with `signals` as a list of signal names)."""
    from ...index.api import load_dictionary, load_retriever

    retriever = load_retriever(Settings(index_dir=index_dir))
    load_dictionary()  # read before any search is timed, as the service reads it at start-up
    systems = {}
    for name, changes in variants:
        fusion = {key: value for key, value in changes.items() if key != SIGNALS}
        system = retriever.with_fusion(**fusion) if fusion else retriever
        systems[name] = system.with_signals(changes[SIGNALS]) if SIGNALS in changes else system
        systems[name].search("warm-up query")
    after: dict[str, list[float]] = {name: [] for name in systems}
    agree = turn = 0
    rng = np.random.default_rng(BOOTSTRAP_SEED)
    started_load = load_average()
    for _ in range(rounds):
        for query in queries:
            pages = set()
            for name in turn_order(list(systems), rng):
                timings: dict[str, float] = {}
                t = time.perf_counter()
                hits = systems[name].search(query, k=10, timings=timings)
                took = time.perf_counter() - t
                embedding = sum(v for key, v in timings.items() if key.startswith("embed:"))
                after[name].append((took - embedding) * 1000)
                pages.add(tuple(hit.passage.id for hit in hits))
            agree += len(pages) == 1
            turn += 1
    baseline = next(iter(systems))
    print(
        f"\n### Search variants after the query embeddings ({len(queries)} queries x {rounds}, k=10, "
        f"the order shuffled by question; {started_load} -> {load_average()})\n"
    )
    print(f"| variant | signals | p50 | p95 | p50 against `{baseline}` [95 %] |\n|---|---|---|---|---|")
    for name, system in systems.items():
        p50, p95 = percentiles(after[name])
        difference = bootstrap_interval(after[name], after[baseline], statistic=np.median)
        cell = (
            "-" if name == baseline else f"{difference.value:+.2f} [{difference.low:+.2f}, {difference.high:+.2f}] ms"
        )
        print(f"| {name} | {'+'.join(system.signals)} | {p50:.2f} ms | {p95:.2f} ms | {cell} |")
    print(f"\nThe first ten, in their order, the same for every variant: {agree} of {turn} questions searched.")
