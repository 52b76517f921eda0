"""Near-identical clauses on real documents: the 2024 resolution on information and
communications technologies for sustainable development (A/RES/79/194) and the two drafts
of its 2025 successor (A/C.2/80/L.17, A/C.2/80/L.58) from ../shared/un-corpus, ingested as
a bulk collection and searched with BM25 (no model needed): the paragraphs they share come
back once, with the other two places listed."""

from __future__ import annotations

import gzip
import json

import pytest

from wsis_rag.core.settings import Settings
from wsis_rag.index.results import Filters, Hit
from wsis_rag.index.retriever import HybridRetriever
from wsis_rag.index.store.builder import build_retriever
from wsis_rag.ingest.pipeline import ingest_collection

pytestmark = pytest.mark.integration  # reads the shared UN collection
COLLECTION = Settings().shared_dir / "un-corpus" / "un-documents-78-80.jsonl.gz"
SYMBOLS = {"A/RES/79/194", "A/C.2/80/L.17", "A/C.2/80/L.58"}
# Preambular paragraph 6 of A/RES/79/194, repeated in both drafts.
QUERY = "Commission on Science and Technology for Development United Nations focal point for science technology"


@pytest.fixture(scope="module")
def ict(tmp_path_factory: pytest.TempPathFactory) -> HybridRetriever:
    path = tmp_path_factory.mktemp("ict") / "ict.jsonl.gz"
    with gzip.open(COLLECTION, "rt", encoding="utf-8") as lines, gzip.open(path, "wt", encoding="utf-8") as out:
        for line in lines:
            if json.loads(line)["symbol"] in SYMBOLS:
                out.write(line)
    corpus = ingest_collection(path)
    assert not corpus.errors and {d.meta.symbol for d in corpus.documents} == SYMBOLS
    passages = [p for d in corpus.documents for p in d.passages]
    return build_retriever(passages, [d.meta for d in corpus.documents], {})


def _focal_point(hits: list[Hit]) -> list[Hit]:
    return [h for h in hits if "focal point for science, technology and innovation" in h.passage.text]


def test_a_paragraph_repeated_in_two_drafts_is_one_result(ict: HybridRetriever) -> None:
    hits = _focal_point(ict.search(QUERY, k=10))
    assert len(hits) == 1
    hit = hits[0]
    places = {hit.passage.symbol, *(a.symbol for a in hit.also_in)}
    assert places == SYMBOLS and hit.also_in_total == 2
    for also in hit.also_in:  # each a citation of a clause of the index, with its year
        clause = ict.get(also.id)
        assert (also.label, also.symbol, also.year) == (clause.label, clause.symbol, clause.year)
        assert also.label.startswith(also.symbol)
    # Without grouping the same language takes three of the ten places.
    assert len(_focal_point(ict.with_fusion(group_duplicates=False).search(QUERY, k=10))) == 3


def test_the_adopted_text_is_shown_and_a_filter_keeps_its_own(ict: HybridRetriever) -> None:
    unweighted = ict.with_fusion(draft_penalty=0.0, superseded_penalty=0.0)
    shown = _focal_point(unweighted.search(QUERY, k=10))[0]
    assert shown.passage.symbol != "A/RES/79/194"  # on its text alone a draft ranks first
    adopted = _focal_point(ict.search(QUERY, k=10))[0]  # the default's draft penalty
    assert adopted.passage.symbol == "A/RES/79/194"
    assert {a.symbol for a in adopted.also_in} == {"A/C.2/80/L.17", "A/C.2/80/L.58"}
    draft = _focal_point(ict.search(QUERY, k=10, filters=Filters(doc=["A/C.2/80/L.58"])))[0]
    assert draft.passage.symbol == "A/C.2/80/L.58" and draft.also_in == []


def test_clauses_that_changed_between_years_stay_apart(ict: HybridRetriever) -> None:
    # The operative paragraphs that were rewritten for the 2025 text are not grouped with
    # their 2024 versions: some clause of each draft is alone in its group.
    rows_of = ict._columns.group_rows()
    grouped = {int(r) for rows in rows_of.values() for r in rows}
    for symbol in SYMBOLS:
        rows = [i for i, p in enumerate(ict.passages) if p.symbol == symbol]
        assert any(r not in grouped for r in rows), symbol
        assert any(r in grouped for r in rows), symbol
