"""A shard set searched through `ShardSetSearch` ranks as the single index does, on the
mini-corpus split by document: one request per shard per stage, and the focus round's BM25
(each token's idf over the focus rows) rebuilt at the front from the shards' postings."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import cast

import numpy as np
import pytest

from wsis_rag.index.results import Filters
from wsis_rag.index.retriever import HybridRetriever
from wsis_rag.index.scale.shards import (
    SHARD_SET_FILE,
    FanOut,
    LocalShard,
    ShardAnswer,
    ShardedVectors,
    ShardRequest,
    ShardSearcher,
    ShardSetSearch,
    ShardUnavailableError,
    read_shard_set,
)
from wsis_rag.index.search.feedback import feedback_applies
from wsis_rag.index.search.rows import Fetch, LexicalQuery
from wsis_rag.index.vectors import VectorIndex

QUERIES = [
    "least developed countries",
    "digital divide connectivity",
    "数字鸿沟",
    "What does A/RES/99/7 ask of the Secretary-General?",
    "artificial intelligence governance",
    "meaningful connectivity for schools",
    "invest in schools",  # the termbase does not translate it: cross-lingual feedback runs
]


class CountingShard(LocalShard):
    """A shard that counts the requests it answers."""

    calls = 0

    def answer(self, request: ShardRequest) -> ShardAnswer:
        self.calls += 1
        return super().answer(request)


def _split(retriever: HybridRetriever) -> HybridRetriever:
    """The retriever's index as two shards (one document each) behind one front."""
    doc_of_row = np.array([p.doc_id for p in retriever.passages])
    shards = []
    for i, doc in enumerate(sorted(set(doc_of_row.tolist()))):
        rows = np.flatnonzero(doc_of_row == doc).astype(np.int64)
        vectors = {
            name: VectorIndex.build(np.ascontiguousarray(index.vectors[rows]), exact_max=len(rows))
            for name, index in retriever.vectors.items()
        }
        shards.append(CountingShard(f"shard-{i}", rows, retriever.lexical.subset(rows), vectors))
    fan_out = FanOut(shards)
    size = len(retriever.passages)
    return HybridRetriever(
        retriever.passages,
        retriever.documents,
        ShardSetSearch(fan_out, size, [shard.global_rows for shard in shards]),
        {name: ShardedVectors(fan_out, name, size) for name in retriever.vectors},
        {},
        list(retriever.signals),
        retriever.fusion,
        {name: retriever.encoder(name) for name in retriever.vectors},
    )


FOCUS = {
    "one round": {"focus_documents": 0},
    # The focus rows fetched with BM25's stage, or none of them.
    "focus round, its rows fetched early": {"focus_documents": 1, "focus_prefetch_rows": 10_000},
    "focus round, no row fetched early": {"focus_documents": 1, "focus_prefetch_rows": 0},
}


@pytest.mark.parametrize("fusion", FOCUS.values(), ids=FOCUS.keys())
def test_the_shard_set_ranks_as_the_single_index(mini_retriever: HybridRetriever, fusion: dict[str, int]) -> None:
    single = mini_retriever.with_fusion(focus_per_signal=0, **fusion)
    sharded = _split(single)
    rounds = set()
    for query in QUERIES:
        timings: dict[str, float] = {}
        want = [(h.passage.id, round(h.score, 6), h.signals) for h in single.search(query, 8, timings=timings)]
        assert [(h.passage.id, round(h.score, 6), h.signals) for h in sharded.search(query, 8)] == want, query
        rounds.add("focus" in timings)
    assert (True in rounds) == bool(fusion["focus_documents"])  # the focus round ran for some queries


@pytest.mark.parametrize("focus", [0, 1], ids=["one round", "focus round, its rows fetched early"])
def test_a_search_asks_each_shard_once_per_stage(mini_retriever: HybridRetriever, focus: int) -> None:
    single = mini_retriever.with_fusion(focus_documents=focus, focus_per_signal=0, focus_prefetch_rows=10_000)
    stages = set()
    for query in QUERIES:
        sharded = _split(single)
        shards = sharded.lexical.fan_out.shards
        timings: dict[str, float] = {}
        sharded.search(query, 5, timings=timings)
        # The dense queries in one request, and BM25 in the same one unless its expansion
        # reads the dense lists (cross-lingual feedback): then in a second. The focus round
        # searches rows BM25's stage brought back: no request of its own.
        applies = feedback_applies(sharded.rows, sharded.analyse_query(query), single.fusion.feedback())
        assert [shard.calls for shard in shards] == ([2, 2] if applies else [1, 1]), query
        stages.add((applies, "focus" in timings))
    assert {applies for applies, _ in stages} == {True, False}
    assert any(focused for _, focused in stages) == bool(focus)


def test_a_search_within_one_document_asks_only_its_shard(mini_retriever: HybridRetriever) -> None:
    sharded = _split(mini_retriever.with_fusion(focus_documents=0))
    shards = sharded.lexical.fan_out.shards
    report = next(
        doc.id for doc in mini_retriever.documents if any(p.lang == "zh" for p in sharded.document_passages(doc.id))
    )
    hits = sharded.search("数字鸿沟", 5, filters=Filters(doc=[report]))
    assert hits and {hit.passage.doc_id for hit in hits} == {report}
    asked = [shard.calls for shard in shards]
    holder = next(
        i for i, shard in enumerate(shards) if mini_retriever.passages[int(shard.global_rows[0])].doc_id == report
    )
    assert asked[holder] >= 1 and asked[1 - holder] == 0


def test_bm25_within_rows_from_postings_equals_the_single_index(mini_retriever: HybridRetriever) -> None:
    sharded = _split(mini_retriever)
    tokens = list(mini_retriever.analyse_query("digital divide connectivity schools").bm25_tokens)
    rows = np.arange(0, len(mini_retriever.passages), 2, dtype=np.int64)
    want_rows, want_scores = mini_retriever.lexical.search_within(tokens, ["学校"], 10, rows)
    answer = sharded.rows.stages.search_stage({}, LexicalQuery(tokens, ["学校"], within=True), 10, rows)
    assert answer.lexical is not None and len(want_rows) > 1
    assert answer.lexical[0].tolist() == want_rows.tolist()
    assert answer.lexical[1].tolist() == want_scores.tolist()


def test_a_stage_within_rows_partly_fetched_asks_for_the_rest_and_ranks_as_the_single_index(
    mini_retriever: HybridRetriever,
) -> None:
    sharded = _split(mini_retriever)
    stages = sharded.rows.stages
    tokens = list(mini_retriever.analyse_query("digital divide connectivity schools").bm25_tokens)
    query = LexicalQuery(tokens, ["学校"], within=True)
    vectors = {name: sharded.encoder(name).embed_queries(["digital divide"])[0] for name in sharded.vectors}
    rows = np.arange(0, len(mini_retriever.passages), 2, dtype=np.int64)
    early = rows[: len(rows) // 2]  # one document's rows fetched early, the other's and one of its own left
    fetched = stages.search_stage({}, LexicalQuery(tokens, ["学校"]), 10, None, Fetch(early, vectors)).fetched
    assert fetched is not None and fetched.rows.tolist() == early.tolist()
    shards = sharded.lexical.fan_out.shards
    before = [shard.calls for shard in shards]
    answer = stages.search_stage(vectors, query, 10, rows, known=fetched)
    assert sum(shard.calls for shard in shards) - sum(before) >= 1  # the rest was asked for
    assert answer.lexical is not None
    want_rows, want_scores = mini_retriever.lexical.search_within(tokens, ["学校"], 10, rows)
    assert answer.lexical[0].tolist() == want_rows.tolist() and answer.lexical[1].tolist() == want_scores.tolist()
    for name, vector in vectors.items():
        dense_rows, dense_scores = mini_retriever.vectors[name].search(vector, 10, rows)
        assert answer.dense[name][0].tolist() == dense_rows.tolist(), name
        assert answer.dense[name][1].tolist() == dense_scores.tolist(), name
    # Every row known: nothing is asked.
    before = [shard.calls for shard in shards]
    stages.search_stage(vectors, query, 10, early, known=fetched)
    assert [shard.calls for shard in shards] == before


class _Named:
    def __init__(self, name: str) -> None:
        self.name = name


def test_a_failing_shard_fails_the_search_once_every_call_has_ended() -> None:
    """No call outlives the search it served: a slow shard's call has ended when another
    shard's failure fails the search (on Ray, a call left running reaches into a cluster
    connection the caller may close next)."""
    ended: list[str] = []

    def call(shard: ShardSearcher) -> int:
        if shard.name == "failing":
            raise RuntimeError("gone")
        time.sleep(0.3)
        ended.append(shard.name)
        return 1

    fan_out = FanOut(cast(list[ShardSearcher], [_Named("failing"), _Named("slow")]), timeout_s=5.0)
    with pytest.raises(ShardUnavailableError, match="shard failing did not answer"):
        fan_out.gather(call)
    assert ended == ["slow"]
    with pytest.raises(ShardUnavailableError, match="shard slow did not answer .TimeoutError"):
        FanOut(cast(list[ShardSearcher], [_Named("slow")]), timeout_s=0.05).gather(call)


def test_a_shard_set_written_when_the_sentence_table_held_one_encoder_still_reads(tmp_path: Path) -> None:
    layout = {"shards": ["shard-000"], "passages": 3, "encoders": ["e5", "use"], "source": "v1"}
    (tmp_path / SHARD_SET_FILE).write_text(json.dumps({**layout, "sentences": "e5"}), encoding="utf-8")
    assert read_shard_set(tmp_path).sentences == ["e5"]
    (tmp_path / SHARD_SET_FILE).write_text(json.dumps({**layout, "sentences": ["e5", "use"]}), encoding="utf-8")
    assert read_shard_set(tmp_path).sentences == ["e5", "use"]
