"""Explicit clause references resolve to that clause, ranked first (English and Chinese)."""

from __future__ import annotations

import pytest

from wsis_rag.core.settings import Settings
from wsis_rag.core.vocabulary import ClauseKind
from wsis_rag.corpus.manifest import load_manifest
from wsis_rag.index.references import DocumentMentions, clause_references
from wsis_rag.index.retriever import HybridRetriever
from wsis_rag.ingest.pipeline import ingest_file


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("paragraph 121 of A/RES/80/173", "a-res-80-173:para-121"),
        ("What does paragraph 65 of A/RES/80/173 reaffirm?", "a-res-80-173:para-65"),
        ("resolution 80/173, para. 7", "a-res-80-173:para-7"),
        ("80/173 第121段", "a-res-80-173:para-121"),
        ("A/RES/80/173第57段认为需要应对哪些网络危害？", "a-res-80-173:para-57"),
        ("WSIS+20 outcome para 119 biennial review", "a-res-80-173:para-119"),
        ("Global Digital Compact para 71", "gdc:para-71"),
        ("GDC para 23(a)", "gdc:para-23-a"),
        ("全球数字契约第23段(a)", "gdc:para-23-a"),
        ("preambular paragraph 3 of 80/173", "a-res-80-173:preamble-3"),
        ("第80/173号决议序言部分第3段", "a-res-80-173:preamble-3"),
        ("Council report section 3, para. 2", "council-report-2026:s3-p2"),
        ("理事会报告第3节第2段", "council-report-2026:s3-p2"),
    ],
)
def test_reference_ranks_the_clause_first(retriever: HybridRetriever, query: str, first: str) -> None:
    assert retriever.search(query, k=5)[0].passage.id == first


def test_subparagraph_kept_inside_its_paragraph_resolves_to_the_paragraph(retriever: HybridRetriever) -> None:
    # GDC para 33 has no lettered subparagraphs: "33(b)" can only mean paragraph 33.
    assert retriever.search("GDC para 33(b)", k=3)[0].passage.id == "gdc:para-33"


def test_a_paragraph_reference_brings_its_subparagraphs(retriever: HybridRetriever) -> None:
    ids = [h.passage.id for h in retriever.search("GDC para 8", k=10)]
    assert ids[0] == "gdc:para-8"
    assert {"gdc:para-8-a", "gdc:para-8-b"} <= set(ids)


def test_each_reference_belongs_to_the_document_named_with_it() -> None:
    query = "para 7 of the GDC and para 12 of resolution 80/173"
    mentions = DocumentMentions([e.meta for e in load_manifest().documents]).spans(query)
    refs = [(r.doc_id, r.anchor) for r in clause_references(query, mentions)]
    assert refs == [("gdc", "para-7"), ("a-res-80-173", "para-12")]


def test_reference_without_a_document_is_not_guessed() -> None:
    assert clause_references("paragraph 12", []) == []


def test_a_named_document_is_boosted_not_required(retriever: HybridRetriever) -> None:
    hits = retriever.search("According to the Council report, what does the secretariat report on?", k=10)
    assert hits[0].passage.doc_id == "council-report-2026"
    plain = retriever.search("WSIS+20 review and the Global Digital Compact", k=10)
    assert len({h.passage.doc_id for h in plain}) > 1


@pytest.mark.integration
def test_an_itu_resolutions_items_are_named_by_their_block() -> None:
    # ITU PP Resolution 140 as a user adds it: its items are cited by their block's name
    # ("resolves 2", "considering b)", "instructs the Secretary-General and the Directors of
    # the Bureaux 3 (ii)"); each printed citation, and the forms delegates write, name the item.
    doc = ingest_file(Settings().shared_dir / "itu" / "ITU_PP18_RES_140.txt")
    mentions = DocumentMentions([doc.meta])
    anchors = frozenset(p.anchor for p in doc.passages)

    def named(query: str) -> list[str]:
        refs = clause_references(query, mentions.spans(query), lambda _: anchors, mentions.annexes)
        return [ref.anchor for ref in refs]

    items = {
        p.anchor: p.citation.label
        for p in doc.passages
        if p.kind in (ClauseKind.BLOCK_ITEM, ClauseKind.ITEM) and "~" not in p.id
    }
    assert len(items) > 90 and "expresses-its-warmest-thanks-and-deepest-gratitude" in items  # a block without items
    assert {anchor: named(label) for anchor, label in items.items()} == {a: [a] for a in items}
    assert named("What does resolves 1 of PP Resolution 140 say?") == ["resolves-1"]
    assert named("第140号决议 considering b)") == ["considering-b"]
    assert named("Res. 140, considering further a)") == ["considering-further-a"]
    assert named("What does Resolution 140 invite Member States to do by 2030?") == []  # a year, not an item
    assert named("What does Resolution 140 say, considering the WSIS outcomes?") == []  # no block of that name
