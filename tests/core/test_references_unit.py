"""Query understanding: which documents a query names, which clause it points at, and the
named clause pinned first by the retriever."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wsis_rag.core.vocabulary import DocumentMeta
from wsis_rag.index.locators import clause_anchors, holds
from wsis_rag.index.references import ClauseReference, DocumentMentions, _alias_pattern, clause_references
from wsis_rag.index.retriever import HybridRetriever


@pytest.fixture(scope="module")
def mentions(mini_documents: list[DocumentMeta]) -> DocumentMentions:
    return DocumentMentions(mini_documents)


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("What does A/RES/99/7 ask?", ["mini-res"]),
        ("the Bridges resolution and the Council report", ["mini-res", "mini-report"]),
        ("理事会报告 关于数字鸿沟", ["mini-report"]),
        ("resolution 99/70", []),  # a longer symbol is another document
        ("digital divide", []),
    ],
)
def test_documents_named_in_a_query(mentions: DocumentMentions, query: str, found: list[str]) -> None:
    assert [doc for doc, _ in mentions.find(query)] == found


def test_word_names_are_blanked_but_symbols_stay(mentions: DocumentMentions) -> None:
    assert mentions.without_mentions("Council report on A/RES/99/7").split() == ["on", "A/RES/99/7"]
    assert mentions.without_mentions("Council report") == "Council report"  # nothing would be left


@pytest.mark.parametrize(
    ("query", "refs"),
    [
        ("paragraph 2 of A/RES/99/7", [ClauseReference("mini-res", "para-2")]),
        ("A/RES/99/7 para 3(a)", [ClauseReference("mini-res", "para-3-a")]),
        ("preambular paragraph 1 of the Bridges resolution", [ClauseReference("mini-res", "preamble-1")]),
        ("C99/12 第1节第2段", [ClauseReference("mini-report", "s1-p2")]),
        ("A/RES/99/7第2段说了什么？", [ClauseReference("mini-res", "para-2")]),  # no space after the symbol
        ("A/RES/99/7序言部分第1段", [ClauseReference("mini-res", "preamble-1")]),
        ("section 2, para. 1 of the Council report", [ClauseReference("mini-report", "s2-p1")]),
        ("paragraph 2", []),  # no document named: ambiguous, ignored
    ],
)
def test_clause_references(mentions: DocumentMentions, query: str, refs: list[ClauseReference]) -> None:
    assert clause_references(query, mentions.spans(query)) == refs


def test_a_named_clause_comes_first_with_its_subclauses(mini_retriever: HybridRetriever) -> None:
    ids = [h.passage.id for h in mini_retriever.search("para 3 of A/RES/99/7", k=5)]
    assert ids[:3] == ["mini-res:para-3", "mini-res:para-3-a", "mini-res:para-3-b"]


def test_a_question_about_a_named_clause_ranks_its_subclauses(mini_retriever: HybridRetriever) -> None:
    # Named alone, a paragraph reads in document order; asked about, the subparagraph that
    # answers comes first after it.
    ids = [h.passage.id for h in mini_retriever.search("para 3 of A/RES/99/7: what about schools connectivity?", k=5)]
    assert ids[:3] == ["mini-res:para-3", "mini-res:para-3-b", "mini-res:para-3-a"]


def test_a_named_clause_in_the_other_language(mini_retriever: HybridRetriever) -> None:
    assert mini_retriever.search("C99/12 第2节第2段", k=3)[0].passage.id == "mini-report:s2-p2"


@pytest.mark.parametrize(
    "query",
    [
        "the bridges RESOLUTION and the council REPORT",
        "BRİDGES resolutıon, Counciſ report",
        "A/RES/99/7 and a/res/99/7",
        "理事会报告 关于数字鸿沟",
        "nothing named here",
    ],
)
def test_name_substring_filter_finds_what_the_patterns_find(mentions: DocumentMentions, query: str) -> None:
    by_pattern: dict[str, int] = {}
    for doc_id, _, name in mentions._names:
        m = _alias_pattern(name).search(query)
        if m and m.start() < by_pattern.get(doc_id, len(query) + 1):
            by_pattern[doc_id] = m.start()
    assert mentions.find(query) == sorted(by_pattern.items(), key=lambda item: item[1])
    blanked = query
    for _, name in mentions._word_names:
        blanked = _alias_pattern(name).sub(" ", blanked)
    assert mentions.without_mentions(query) == (blanked if blanked.strip() else query)


# The clauses of the mini documents as a larger document would anchor them: an annexed
# convention's articles, a resolution's sections and annexes, a draft's texts.
ANCHORS = {
    "mini-res": frozenset(
        {
            "preamble-1",
            "para-2",
            "para-3",
            "para-3-a",
            "para-6-d-i",
            "annex-art-4-para-2",
            "section-ii-para-1",
            "annex-i-para-7",
            "text-1",
        }
    ),
    "mini-report": frozenset({"s1-p2", "s2-p1"}),
}


@pytest.mark.parametrize(
    ("query", "anchors"),
    [
        ("OP 3 of A/RES/99/7", ["para-3"]),
        ("PP1 of A/RES/99/7", ["preamble-1"]),
        ("PP9 of A/RES/99/7", []),  # an abbreviation names only a clause the document has
        ("the first preambular paragraph of A/RES/99/7", ["preamble-1"]),
        ("the third paragraph of A/RES/99/7", ["para-3"]),
        ("the first paragraph of the Council report", []),  # its paragraphs are by section
        ("paragraph 9 of A/RES/99/7", ["para-9"]),  # a paragraph it lacks stays named
        ("paragraphs 2 and 3 of A/RES/99/7", ["para-2", "para-3"]),
        ("A/RES/99/7 paras. 2-3", ["para-2", "para-3"]),
        ("article 4, paragraph 2 of A/RES/99/7", ["annex-art-4-para-2"]),
        ("A/RES/99/7第4条第2款", ["annex-art-4-para-2"]),
        ("article 19 of A/RES/99/7", []),  # another instrument's article, not one of this document
        ("A/RES/99/7, section II, para. 1", ["section-ii-para-1"]),
        ("A/RES/99/7, annex I, para. 7", ["annex-i-para-7"]),
        ("A/RES/99/7附件一第7段", ["annex-i-para-7"]),
        ("A/RES/99/7, para. 6 (d) (i)", ["para-6-d-i"]),
        ("A/RES/99/7, text 1", ["text-1"]),
        ("C99/12 section 1, para. 2", ["s1-p2"]),
    ],
)
def test_locators_anchor_the_way_the_document_does(mentions: DocumentMentions, query: str, anchors: list[str]) -> None:
    refs = clause_references(query, mentions.spans(query), ANCHORS.__getitem__)
    assert [ref.anchor for ref in refs] == anchors


def test_a_clause_is_itself_or_the_paragraph_that_keeps_it_then_its_subclauses() -> None:
    # One rule for the search's pinning, the reports of missing clauses and the answers:
    # a subparagraph of a paragraph kept whole is that paragraph, at any depth; beside the
    # subparagraphs a document splits, a letter it lacks is no clause.
    anchors = ["para-3", "para-3-a", "para-3-a-i", "para-5", "annex-art-4-para-1", "annex-art-4-para-2"]
    assert clause_anchors("para-3", anchors) == ["para-3", "para-3-a", "para-3-a-i"]
    assert clause_anchors("para-5-b", anchors) == ["para-5"]
    assert clause_anchors("para-3-b", anchors) == [] and not holds("para-3-b", anchors)
    assert clause_anchors("para-3-a-ii", anchors) == [] and clause_anchors("para-3-a-i", anchors) == ["para-3-a-i"]
    assert clause_anchors("annex-art-4-para-1-c", anchors) == ["annex-art-4-para-1"]
    assert clause_anchors("annex-art-4", anchors) == ["annex-art-4-para-1", "annex-art-4-para-2"]
    assert clause_anchors("para-9", anchors) == [] and not holds("para-9", anchors)


def test_an_annex_indexed_as_a_document_of_its_own(mini_documents: list[DocumentMeta]) -> None:
    # A resolution and its annex I indexed apart, both named by the resolution's symbol
    # (as A/RES/79/1 and the Global Digital Compact are).
    resolution = mini_documents[0].model_copy(update={"id": "pact", "symbol": "A/RES/98/1", "aliases": ["98/1"]})
    annex = resolution.model_copy(update={"id": "compact", "symbol": "A/RES/98/1, annex I"})
    anchors = {
        "pact": frozenset({"para-1", "annex-i-para-7", "annex-ii-para-1"}),
        "compact": frozenset({"para-1", "para-7"}),
    }
    both = DocumentMentions([resolution, annex])

    def refs(query: str, documents: DocumentMentions = both) -> list[tuple[str, str]]:
        found = clause_references(query, documents.spans(query), anchors.__getitem__, documents.annexes)
        return [(ref.doc_id, ref.anchor) for ref in found]

    assert refs("A/RES/98/1, para. 1") == [("pact", "para-1")]
    assert refs("A/RES/98/1, annex I, para. 7") == [("pact", "annex-i-para-7")]
    assert refs("A/RES/98/1, annex II, para. 1") == [("pact", "annex-ii-para-1")]
    alone = DocumentMentions([annex])
    assert refs("A/RES/98/1, annex I, para. 7", alone) == [("compact", "para-7")]
    assert refs("A/RES/98/1, annex II, para. 1", alone) == []


def test_a_paragraph_its_document_lacks_is_reported(mini_retriever: HybridRetriever) -> None:
    lacking = mini_retriever.missing_clauses("paragraphs 2 and 9 of A/RES/99/7, and C99/12 section 2, para. 5")
    assert [(m.symbol, m.locator) for m in lacking] == [("A/RES/99/7", "para. 9"), ("C99/12", "section 2, para. 5")]
    assert mini_retriever.missing_clauses("paragraph 3 (b) of A/RES/99/7") == []


LOCATOR_WORDS = (
    "para paragraph paras. OP PP annex I II article art. section XVII § rule text of and to - , (a) (ii) the third "
    "preambular resolves considering b) 1 2 3 12 140 2030 第 段 条 款 节 附件 一 序言部分 A/RES/99/7 C99/12 Council report"
).split()


@given(words=st.lists(st.sampled_from(LOCATOR_WORDS), max_size=30), joiner=st.sampled_from([" ", ""]))
@settings(max_examples=300, deadline=None)
def test_any_words_name_clauses_the_documents_have_or_numbered_paragraphs(
    mentions: DocumentMentions, words: list[str], joiner: str
) -> None:
    # Whatever the words, a named clause is one the document has, or a paragraph written
    # with its number (which the answer then reports as missing); never anything else.
    query = joiner.join(words)
    refs = clause_references(query, mentions.spans(query), ANCHORS.__getitem__, mentions.annexes)
    assert len(refs) <= 50
    for ref in refs:
        assert holds(ref.anchor, ANCHORS[ref.doc_id]) or re.fullmatch(
            r"(?:para|preamble)-\d+(?:-[a-z]+)*|s\d+-p\d+", ref.anchor
        ), (query, ref)
