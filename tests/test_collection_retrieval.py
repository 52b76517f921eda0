"""Retrieval over a collection (issue 23), on the small test collection: about thirty real UN
documents beside the three WSIS documents, indexed with the real encoders. One test per way
retrieval used to fail once a collection sat beside the WSIS documents."""

from __future__ import annotations

import pytest

from wsis_rag.eval.citation_roundtrip import cited_clauses, round_trip
from wsis_rag.index.api import Filters, Hit, HybridRetriever
from wsis_rag.products.briefs.briefing import build_brief
from wsis_rag.products.briefs.changes import with_changes
from wsis_rag.products.briefs.render import render_markdown

ICT_2024 = "a-res-79-194"


def _docs(hits: list[Hit]) -> list[str]:
    return [hit.passage.doc_id for hit in hits]


def test_a_chinese_question_about_an_english_resolution_finds_its_clause(
    collection_retriever: HybridRetriever,
) -> None:
    # Where was the 2025 UN Ocean Conference held? Only the ocean declaration says; the
    # Chinese Council report shares the question's language and its "2025年", not its answer.
    hits = collection_retriever.search("2025年联合国海洋大会在哪里举行？", k=5)
    assert any(h.passage.doc_id == "a-res-79-314" and "Nice, France" in h.passage.text for h in hits), _docs(hits)
    assert hits[0].passage.lang == "en"


def test_a_chinese_question_in_treaty_words_finds_the_english_article(
    collection_retriever: HybridRetriever,
) -> None:
    # "When does the Convention on Negotiable Cargo Documents enter into force?": the
    # dictionary glosses 生效 "take effect", a convention says "enter into force". Articles
    # 25 (2), 26 (4) and 26 (5) say "after the deposit of the tenth instrument of
    # ratification" too, and share the first places with the article that answers.
    hits = collection_retriever.search("《联合国可转让货物单证公约》在交存第几份批准书后生效？", k=5)
    ids = [h.passage.id for h in hits]
    assert "a-res-80-162:annex-art-25-para-1" in ids[:4], ids
    assert all(h.passage.doc_id == "a-res-80-162" for h in hits[:4]), ids


@pytest.mark.parametrize(
    "name", ["A/RES/79/194", "79/194", "resolution 79/194", "Resolution 79/194", "第79/194号决议", "a-res-79-194"]
)
def test_a_collection_document_is_named_every_way_delegates_name_it(
    collection_retriever: HybridRetriever, name: str
) -> None:
    question = f"What does {name} say about the digital divide?"
    assert collection_retriever.analyse_query(question).named_documents == {ICT_2024}
    hits = collection_retriever.search(question, k=5)
    assert _docs(hits)[:3] == [ICT_2024] * 3


def test_a_title_names_its_document(collection_retriever: HybridRetriever) -> None:
    hits = collection_retriever.search("What does the International Day of Potato resolution invite States to do?", k=3)
    assert hits[0].passage.doc_id == "a-res-78-123"


@pytest.mark.parametrize(
    ("acronym", "doc_id"), [("UNDOF", "a-res-79-307"), ("UNISFA", "a-res-79-301"), ("UNMISS", "a-res-79-309")]
)
def test_an_acronym_of_its_title_names_a_document(
    collection_retriever: HybridRetriever, acronym: str, doc_id: str
) -> None:
    # Four financing resolutions of the same wording; none writes its mission's acronym.
    question = f"How much did the General Assembly appropriate for {acronym} for 2025/26?"
    hits = collection_retriever.search(question, k=3)
    assert [h.passage.doc_id for h in hits] == [doc_id] * 3
    assert acronym not in " ".join(p.text for p in collection_retriever.document_passages(doc_id))


@pytest.mark.parametrize(("year", "doc_id"), [("2023", "a-res-78-13"), ("2025", "a-res-80-13")])
def test_a_year_in_the_question_chooses_the_session(
    collection_retriever: HybridRetriever, year: str, doc_id: str
) -> None:
    # The same yearly resolution, adopted in 2023 and again in 2025, nearly word for word.
    question = f"What did the {year} resolution on the Indian Ocean as a Zone of Peace decide about its agenda?"
    assert collection_retriever.search(question, k=3)[0].passage.doc_id == doc_id


def test_a_question_comparing_two_sessions_finds_a_clause_of_each(collection_retriever: HybridRetriever) -> None:
    # "Effects of atomic radiation", adopted in 2023 (78/71) and again in 2024 (79/85): both
    # years date a document, so both sessions gain, and each shows clauses of its own (not
    # only as the other's near-identical `also_in`).
    question = "How did the 2023 and 2024 resolutions on the effects of atomic radiation treat new members?"
    hits = collection_retriever.search(question, k=5)
    assert {"a-res-78-71", "a-res-79-85"} <= set(_docs(hits)), _docs(hits)


def test_an_added_document_outranks_the_curated_ones_on_its_own_words(
    collection_retriever: HybridRetriever,
) -> None:
    # The operative words of A/RES/78/265, para. 2; the Global Digital Compact and the Council
    # report speak of the same subject, but only in passing.
    hits = collection_retriever.search("safe, secure and trustworthy artificial intelligence systems", k=5)
    assert hits[0].passage.doc_id == "a-res-78-265", [h.passage.label for h in hits]


def test_a_briefing_note_says_what_changed_since_the_last_session(collection_retriever: HybridRetriever) -> None:
    note = build_brief(
        collection_retriever,
        ["What does the General Assembly decide about the Indian Ocean as a Zone of Peace?"],
        k=5,
        filters=Filters(doc=["A/RES/80/13"]),
    )
    changes = with_changes(note, collection_retriever).changes
    assert [(c.symbol, c.earlier_symbol, c.relation) for c in changes] == [("A/RES/80/13", "A/RES/78/13", "previous")]
    (ours,) = changes
    assert ours.counts.get("unchanged", 0) > 0 and ours.counts.get("changed", 0) > 0
    # The agenda paragraph names the next session it is put on: eightieth, then eighty-second.
    agenda = next(c for c in ours.clauses if "provisional agenda" in c.text)
    assert "eighty-second" in agenda.text and agenda.earlier_text and "eightieth" in agenda.earlier_text
    markdown = render_markdown(note.model_copy(update={"changes": changes}))
    assert "## Changes since the earlier version" in markdown and "A/RES/80/13 against A/RES/78/13" in markdown


def test_every_printed_citation_names_its_clause(collection_retriever: HybridRetriever) -> None:
    # A delegate pastes a citation the service printed into a question ("A/RES/80/162,
    # annex, art. 4, para. 1 (c)", "A/RES/78/247, section II, para. 1", "GDC, para. 33"):
    # it must name that clause and no other.
    trips = [round_trip(collection_retriever, passage) for passage in cited_clauses(collection_retriever)]
    assert len(trips) > 1000
    assert {trip.outcome for trip in trips} == {"its clause"}, [t for t in trips if t.outcome != "its clause"][:5]


@pytest.mark.parametrize(
    ("question", "clause"),
    [
        ("What does article 4, paragraph 1 (c) of resolution 80/162 require?", "a-res-80-162:annex-art-4-para-1-c"),
        ("第80/162号决议第3条第2款规定了什么？", "a-res-80-162:annex-art-3-para-2"),
        ("A/RES/78/247, section II, OP 1", "a-res-78-247:section-ii-para-1"),
        ("A/RES/79/314, annex, para. 2", "a-res-79-314:annex-para-2"),
    ],
)
def test_a_clause_cited_by_article_section_or_annex_comes_first(
    collection_retriever: HybridRetriever, question: str, clause: str
) -> None:
    assert collection_retriever.search(question, k=3)[0].passage.id == clause
