"""The distributed build and sharded serving on a real local Ray cluster of three nodes: a
head that runs no tasks and two workers with one CPU each, all on the loopback address.

What must hold: the Ray build writes the single-machine index (same passages and ids,
vectors within 1e-5, same dev-set rankings); sharded search returns the single index's
top-10, in process and through Ray actors behind the HTTP API; a shard that is gone is a
503 naming it, never a silently shorter list. The USE encoder stands for the dense signal
(one thread, ~100 passages/s): the properties are the index's, not the model's.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import numpy as np
import pytest
from http_server import running_server

from wsis_rag.core.settings import Settings
from wsis_rag.index.retriever import HybridRetriever
from wsis_rag.index.scale.ray_cluster import local_cluster, wait_for_workers
from wsis_rag.index.scale.shards import LocalShard, sharded_retriever, write_shards
from wsis_rag.index.store import versions
from wsis_rag.index.store.builder import build_index

pytestmark = [pytest.mark.integration, pytest.mark.ray]

SIGNALS = ["bm25", "use"]


@pytest.fixture(scope="module")
def ray_cluster() -> Iterator[str]:
    """A head (no CPUs for tasks) and two one-CPU workers on 127.0.0.1; stopped (by pid: no
    other Ray process on the machine is touched) however the tests end."""
    from wsis_rag.index.scale.distributed import connected

    with local_cluster(workers=2) as address:
        with connected(address) as ray:  # imports Ray as a loopback driver (see ray_cluster)
            wait_for_workers(ray, 2)
        yield address


@pytest.fixture(scope="module")
def single(tmp_path_factory: pytest.TempPathFactory, shared_corpus: Path) -> Settings:
    """The single-machine index of the shared corpus (its own, empty embedding cache)."""
    root = tmp_path_factory.mktemp("single")
    settings = Settings(
        corpus_dirs=[shared_corpus], index_dir=root / "index", encoders=["use"], embedding_cache_dir=root / "cache"
    )
    build_index(settings)
    return settings


def _questions(dev_set: Path) -> list[str]:
    return [json.loads(line)["query"] for line in dev_set.read_text(encoding="utf-8").splitlines() if line.strip()]


def _ranked(retriever: HybridRetriever, questions: list[str]) -> list[list[str]]:
    return [[hit.passage.id for hit in retriever.search(q, 10)] for q in questions]


def test_ray_build_writes_the_single_machine_index(
    ray_cluster: str, single: Settings, tmp_path: Path, dev_set: Path
) -> None:
    from wsis_rag.index.scale.distributed import RayRunner

    distributed = single.model_copy(update={"index_dir": tmp_path / "index", "embedding_cache_dir": tmp_path / "cache"})
    with RayRunner(ray_cluster) as runner:
        report = build_index(distributed, runner=runner)
        # Encoded on the cluster (the cache was empty), not read back from anywhere.
        assert report.encoded_texts["use"] == report.passages > 300
        again = build_index(distributed, runner=runner)
    assert again.reused_passages == again.passages and again.encoded_texts.get("use", 0) == 0  # incremental

    a, b = versions.load_retriever(single), versions.load_retriever(distributed)
    assert [(p.id, p.text, p.label) for p in a.passages] == [(p.id, p.text, p.label) for p in b.passages]
    va = np.load(single.index_dir / versions.vectors_file("use"))
    vb = np.load(distributed.index_dir / versions.vectors_file("use"))
    assert va.shape == vb.shape and float(np.abs(va - vb).max()) <= 1e-5
    questions = _questions(dev_set)
    assert _ranked(a.with_signals(SIGNALS), questions) == _ranked(b.with_signals(SIGNALS), questions)


def test_shards_keep_the_single_index_rankings_in_process(single: Settings, tmp_path: Path, dev_set: Path) -> None:
    """The merge itself, without Ray: 3 shards, exact search, global BM25 statistics."""
    shard_set = write_shards(single.index_dir, tmp_path / "shards", 3)
    assert sorted(len(np.load(d / "global_rows.npy")) for d in shard_set.shard_dirs())[0] > 0
    sharded = sharded_retriever(shard_set, [LocalShard.load(d) for d in shard_set.shard_dirs()], signals=SIGNALS)
    questions = _questions(dev_set)
    assert _ranked(sharded, questions) == _ranked(versions.load_retriever(single).with_signals(SIGNALS), questions)


def test_the_shard_set_keeps_the_sentence_table_and_the_sentence_stage(
    built_index: Settings, tmp_path: Path, dev_set: Path
) -> None:
    """The default signals (e5 among them) on an index with a sentence table: the front reads
    the table kept whole at the shard set's root, so the first page's lower places are
    ordered by the same sentences as on the single index."""
    single = versions.load_retriever(built_index)
    assert single.sentences is not None
    shard_set = write_shards(built_index.index_dir, tmp_path / "shards", 2)
    sharded = sharded_retriever(shard_set, [LocalShard.load(d) for d in shard_set.shard_dirs()])
    assert sharded.sentences is not None
    assert np.array_equal(sharded.sentences.offsets, single.sentences.offsets)
    assert sharded.sentences.encoders == single.sentences.encoders
    for name in single.sentences.encoders:
        assert np.array_equal(sharded.sentences.vectors[name], single.sentences.vectors[name])
    questions = _questions(dev_set)
    assert _ranked(sharded, questions) == _ranked(single, questions)


def test_shards_on_ray_answer_as_the_single_index(
    ray_cluster: str, single: Settings, tmp_path: Path, dev_set: Path
) -> None:
    from wsis_rag.index.results import search_response
    from wsis_rag.index.scale.distributed import connected
    from wsis_rag.index.scale.ray_shards import deploy, remove_shard, undeploy
    from wsis_rag.service.app import create_app

    reference = versions.load_retriever(single).with_signals(SIGNALS)
    questions = _questions(dev_set)
    shard_set = write_shards(single.index_dir, tmp_path / "shards", 2)
    with connected(ray_cluster):
        front = deploy(shard_set, signals=SIGNALS, timeout_s=10.0)
        try:
            assert _ranked(front, questions) == _ranked(reference, questions)
            with running_server(create_app(single, front)) as url, httpx.Client(base_url=url, timeout=60) as http:
                for q in questions[:10]:
                    body = http.get("/search", params={"q": q, "k": 10}).raise_for_status().json()
                    want = search_response(reference, q, 10, None).model_dump(mode="json")
                    assert [r["id"] for r in body["results"]] == [r["id"] for r in want["results"]]
                # A shard that is gone: the search says so (503 naming it), never a shorter list.
                remove_shard("shard-001")
                gone = http.get("/search", params={"q": questions[0], "k": 10})
                assert gone.status_code == 503, gone.text
                assert "shard-001" in gone.json()["detail"]
        finally:
            undeploy()
