"""A shard set searched through `ShardSetSearch` ranks as the single index does, on the
mini-corpus split by document: one request per shard per stage, and the focus round's BM25
(each token's idf over the focus rows) rebuilt at the front from the shards' postings."""

from __future__ import annotations

import numpy as np
import pytest

from wsis_rag.index.results import Filters
from wsis_rag.index.retriever import HybridRetriever
from wsis_rag.index.scale.shards import FanOut, LocalShard, ShardAnswer, ShardedVectors, ShardSetSearch
from wsis_rag.index.search.feedback import feedback_applies
from wsis_rag.index.search.rows import LexicalQuery
from wsis_rag.index.vectors import VectorIndex

QUERIES = [
    "least developed countries",
    "digital divide connectivity",
    "数字鸿沟",
    "What does A/RES/99/7 ask of the Secretary-General?",
    "artificial intelligence governance",
    "meaningful connectivity for schools",
    "schools broadband",  # the termbase does not translate it: cross-lingual feedback runs
]


class CountingShard(LocalShard):
    """A shard that counts the requests it answers."""

    calls = 0

    def answer(
        self, dense: dict[str, np.ndarray], lexical: LexicalQuery | None, k: int, allowed: np.ndarray | None
    ) -> ShardAnswer:
        self.calls += 1
        return super().answer(dense, lexical, k, allowed)


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


@pytest.mark.parametrize("focus", [0, 1], ids=["one round", "focus round"])
def test_the_shard_set_ranks_as_the_single_index(mini_retriever: HybridRetriever, focus: int) -> None:
    single = mini_retriever.with_fusion(focus_documents=focus, focus_per_signal=0)
    sharded = _split(single)
    rounds = set()
    for query in QUERIES:
        timings: dict[str, float] = {}
        want = [(h.passage.id, round(h.score, 6), h.signals) for h in single.search(query, 8, timings=timings)]
        assert [(h.passage.id, round(h.score, 6), h.signals) for h in sharded.search(query, 8)] == want, query
        rounds.add("focus" in timings)
    assert (True in rounds) == bool(focus)  # the focus round ran for some queries


def test_a_search_asks_each_shard_once_per_stage(mini_retriever: HybridRetriever) -> None:
    single = mini_retriever.with_fusion(focus_documents=0)
    stages = set()
    for query in QUERIES:
        sharded = _split(single)
        shards = sharded.lexical.fan_out.shards
        sharded.search(query, 5)
        # The dense queries in one request, and BM25 in the same one unless its expansion
        # reads the dense lists (cross-lingual feedback): then in a second.
        applies = feedback_applies(sharded.rows, sharded.analyse_query(query), single.fusion.feedback())
        assert [shard.calls for shard in shards] == [2, 2] if applies else [1, 1], query
        stages.add(applies)
    assert stages == {True, False}


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
