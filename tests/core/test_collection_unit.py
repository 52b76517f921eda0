"""Precision at collection size on a hand-made mini-collection: the grouping of
near-identical clauses (near_duplicates.py, `also_in`) and the document priors
(priors.py): curated documents, drafts, superseded sessions of a recurring resolution.

The collection: one recurring resolution adopted in two sessions (A/RES/98/31, A/RES/99/40)
and drafted once more (A/C.2/99/L.9), all repeating one paragraph with small changes, and an
outcome document of the corpus manifest (id a-res-80-173) saying something else. Texts are
our own, written for the tests.
"""

from __future__ import annotations

import pytest

from wsis_rag.core.vocabulary import ClauseKind, DocType, DocumentMeta, Passage
from wsis_rag.index.encoders.embedders import Embedder
from wsis_rag.index.near_duplicates import clause_groups, words
from wsis_rag.index.results import Filters, SearchResult
from wsis_rag.index.retriever import HybridRetriever
from wsis_rag.index.search.priors import DocumentPriors, PriorStrengths, superseded_documents
from wsis_rag.index.store.builder import build_retriever
from wsis_rag.index.times import named_times

TITLE = "Information and communications technologies for sustainable development"
SHARED = (
    "Calls upon all stakeholders to close the digital divides between and within countries, including the "
    "gender digital divide, through affordable meaningful connectivity, digital literacy and skills, and "
    "investment in resilient broadband infrastructure in rural and remote areas"
)


def _doc(doc_id: str, symbol: str, title: str, type_: DocType, date: str) -> DocumentMeta:
    return DocumentMeta(
        id=doc_id, symbol=symbol, short=symbol, title=title, body="UN General Assembly", type=type_, date=date
    )


OLD = _doc("a-res-98-31", "A/RES/98/31", f"98/31. {TITLE}", DocType.RESOLUTION, "2043-12-19")
NEW = _doc("a-res-99-40", "A/RES/99/40", f"99/40. {TITLE}", DocType.RESOLUTION, "2044-12-20")
DRAFT = _doc("a-c-2-99-l-9", "A/C.2/99/L.9", TITLE, DocType.DRAFT, "2044-10-30")
OUTCOME = _doc(
    "a-res-80-173", "A/RES/80/173", "Outcome document on the information society", DocType.RESOLUTION, "2025-12-16"
)
DOCUMENTS = [OLD, NEW, DRAFT, OUTCOME]

# The draft's rows come before the adopted text's: equal scores rank the draft first, so
# only the draft prior puts the adopted text ahead.
CLAUSES: dict[str, list[str]] = {
    OLD.id: [
        f"5. {SHARED};",
        "6. Requests the Secretary-General to report on the implementation of the present resolution in 2044;",
    ],
    DRAFT.id: [
        f"7. {SHARED}, and welcomes progress since 2043;",
        "8. Decides to include in the provisional agenda of its next session the item on technologies;",
    ],
    NEW.id: [
        f"7. {SHARED}, and welcomes progress since 2043;",
        "8. Decides to include in the provisional agenda of its next session the item on technologies;",
    ],
    OUTCOME.id: [
        "9. We commit to close the digital divides through meaningful connectivity for every school and hospital.",
        "10. We request the World Summit forum to report on affordable broadband each year.",
    ],
}


def _passages() -> list[Passage]:
    by_id = {d.id: d for d in DOCUMENTS}
    out = []
    for doc_id, texts in CLAUSES.items():
        doc = by_id[doc_id]
        for order, text in enumerate(texts):
            number = text.split(".")[0]
            out.append(
                Passage(
                    id=f"{doc_id}:para-{number}",
                    doc_id=doc_id,
                    symbol=doc.symbol,
                    title=doc.title,
                    doc_type=doc.type,
                    body=doc.body,
                    year=doc.year,
                    kind=ClauseKind.PARAGRAPH,
                    anchor=f"para-{number}",
                    locator=f"para. {number}",
                    label=f"{doc.short}, para. {number}",
                    lang="en",
                    char_start=0,
                    char_end=len(text),
                    n_tokens=len(text.split()),
                    order=order,
                    text=text,
                )
            )
    return out


@pytest.fixture(scope="module")
def collection(hashing_embedder: Embedder) -> HybridRetriever:
    """Without the rerank stage, as the mini-corpus retriever (its model weighs the real encoders)."""
    retriever = build_retriever(_passages(), DOCUMENTS, {"hash": hashing_embedder})
    return retriever.with_signals(["bm25", "hash"]).with_fusion(rerank=False)


# ----- detection -----


def test_near_identical_clauses_group_and_different_ones_do_not() -> None:
    texts = [
        f"5. {SHARED};",
        f"7. {SHARED}, and welcomes progress since 2043;",  # a few words added: same language
        "Requests the Secretary-General to report on the implementation of the present resolution;",
        "Requests the Secretary-General to submit a report on the rule of law at its next session;",
        "Resolution 70/1.",
        "2 Resolution 70/1.",  # a footnote mark is not part of the text
        "Resolution 70/125.",  # too short to shingle: equal or nothing
    ]
    groups = clause_groups(texts).tolist()
    assert groups[0] == groups[1] == 0
    assert groups[2] == 2 and groups[3] == 3  # same opening, different clauses
    assert groups[4] == groups[5] == 4 and groups[6] == 6


def test_chinese_clauses_are_compared_character_by_character() -> None:
    base = "呼吁所有利益攸关方弥合国家之间和国家内部的数字鸿沟，包括性别数字鸿沟，提供负担得起的有意义的连通性"
    texts = [base, base + "，并欢迎取得的进展", "请秘书长在下届会议上提交关于本决议执行情况的报告"]
    assert words("国际电联 ITU 2025")[:4] == ["国", "际", "电", "联"]
    groups = clause_groups(texts).tolist()
    assert groups[0] == groups[1] and groups[2] == 2


def test_the_index_stores_the_groups(collection: HybridRetriever) -> None:
    ids = {p.id: i for i, p in enumerate(collection.passages)}
    group = collection._columns.group
    assert group[ids["a-res-98-31:para-5"]] == group[ids["a-res-99-40:para-7"]] == group[ids["a-c-2-99-l-9:para-7"]]
    assert group[ids["a-res-98-31:para-6"]] != group[ids["a-res-99-40:para-8"]]
    assert group[ids["a-res-80-173:para-9"]] == ids["a-res-80-173:para-9"]  # alone


# ----- one result per group -----


def test_one_hit_per_group_lists_where_else_the_language_appears(collection: HybridRetriever) -> None:
    hits = collection.search("close the gender digital divide through digital literacy and skills", k=5)
    shared = [h for h in hits if "gender digital divide" in h.passage.text]
    assert len(shared) == 1
    hit = shared[0]
    others = {a.id for a in hit.also_in}
    assert others == {"a-res-98-31:para-5", "a-res-99-40:para-7", "a-c-2-99-l-9:para-7"} - {hit.passage.id}
    assert hit.also_in_total == 2
    assert [a.year for a in hit.also_in] == sorted((a.year for a in hit.also_in), reverse=True)  # latest first
    assert {a.symbol for a in hit.also_in} <= {"A/RES/98/31", "A/RES/99/40", "A/C.2/99/L.9"}
    # The response body carries it as the service returns it.
    body = SearchResult.from_hit(hit).model_dump()
    assert body["also_in"][0].keys() == {"id", "label", "symbol", "year"} and body["also_in_total"] == 2
    # A clause that is not near-identical to any other has nothing to list.
    alone = [h for h in hits if h.passage.doc_id in {OUTCOME.id, OLD.id} and h is not hit]
    assert alone and all(not h.also_in and h.also_in_total == 0 for h in alone)


def test_grouping_off_shows_every_copy(collection: HybridRetriever) -> None:
    hits = collection.with_fusion(group_duplicates=False).search("gender digital divide digital literacy", k=5)
    assert sum("gender digital divide" in h.passage.text for h in hits) == 3
    assert all(not h.also_in for h in hits)


def test_filters_choose_the_shown_clause_and_its_also_in(collection: HybridRetriever) -> None:
    query = "gender digital divide digital literacy"
    by_year = collection.search(query, k=3, filters=Filters(year=[2043]))
    assert by_year[0].passage.id == "a-res-98-31:para-5"
    assert by_year[0].also_in == []  # the other copies are of 2044: filtered out
    draft = collection.search(query, k=3, filters=Filters(doc=["A/C.2/99/L.9"]))
    assert draft[0].passage.id == "a-c-2-99-l-9:para-7" and draft[0].also_in == []
    both = collection.search(query, k=3, filters=Filters(year=[2044]))
    assert {both[0].passage.id, *(a.id for a in both[0].also_in)} == {"a-res-99-40:para-7", "a-c-2-99-l-9:para-7"}


# ----- priors -----


def test_superseded_sessions_are_the_earlier_adopted_ones() -> None:
    assert superseded_documents(DOCUMENTS) == {OLD.id}  # the later draft supersedes nothing
    priors = DocumentPriors(DOCUMENTS)
    assert priors.curated == {OUTCOME.id} and priors.drafts == {DRAFT.id}
    strengths = PriorStrengths(curated_boost=0.2, draft_penalty=0.5, superseded_penalty=0.25)
    assert priors.factors(strengths, named=set(), asks_for_session=False) == pytest.approx(
        {OUTCOME.id: 1.2, DRAFT.id: 0.5, OLD.id: 0.75}
    )
    # A named document is spared the penalties, not the boost (which would undo the named
    # document's own boost); a year or session asked for lifts the session prior.
    assert DRAFT.id not in priors.factors(strengths, named={DRAFT.id}, asks_for_session=False)
    assert priors.factors(strengths, named={OUTCOME.id}, asks_for_session=False)[OUTCOME.id] == pytest.approx(1.2)
    # A question naming a document outside the manifest is about it: no curated bonus.
    assert OUTCOME.id not in priors.factors(strengths, named={OLD.id}, asks_for_session=False)
    assert OLD.id not in priors.factors(strengths, named=set(), asks_for_session=True)
    assert priors.factors(PriorStrengths(), named=set(), asks_for_session=False) == {}


def test_a_named_year_or_session_lifts_its_documents() -> None:
    priors = DocumentPriors(DOCUMENTS)
    strengths = PriorStrengths(time_boost=0.4)

    def lifted(question: str) -> dict[str, float]:
        factors = priors.factors(strengths, set(), True, named_times(question))
        return {doc: factor for doc, factor in factors.items() if factor != 1.0}

    assert lifted("the 2043 resolution on the digital divide") == pytest.approx({OLD.id: 1.4})
    # the ninety-ninth session holds the adopted resolution and its draft
    assert lifted("at its ninety-ninth session") == pytest.approx({NEW.id: 1.4, DRAFT.id: 1.4})
    assert lifted("第九十八届会议") == pytest.approx({OLD.id: 1.4})
    assert lifted("the digital divide") == {}


def test_priors_pick_the_adopted_latest_session_to_show(collection: HybridRetriever) -> None:
    query = "close the gender digital divide through digital literacy and skills"
    strict = collection.with_fusion(draft_penalty=0.5, superseded_penalty=0.5)
    hit = next(h for h in strict.search(query, k=5) if "gender digital divide" in h.passage.text)
    assert hit.passage.id == "a-res-99-40:para-7"
    # Unless the question asks for a year: then the earlier session competes on its text,
    # and with the time prior the named year's clause is the one shown.
    assert strict.analyse_query(query + " in the 2043 resolution").asks_for_session
    timed = strict.with_fusion(time_boost=0.5)
    asked = query + " in the 2043 resolution"
    hit = next(h for h in timed.search(asked, k=5) if "gender digital divide" in h.passage.text)
    assert hit.passage.id == "a-res-98-31:para-5"
    hit = next(h for h in timed.search(query + " at its ninety-ninth session", k=5) if "gender" in h.passage.text)
    assert hit.passage.id == "a-res-99-40:para-7"


def test_a_named_draft_is_not_penalised(collection: HybridRetriever) -> None:
    strict = collection.with_fusion(draft_penalty=0.9, group_duplicates=False)
    hits = strict.search("What does A/C.2/99/L.9 decide about the provisional agenda?", k=3)
    assert hits[0].passage.id == "a-c-2-99-l-9:para-8"
    unnamed = strict.search("provisional agenda of its next session the item on technologies", k=3)
    assert unnamed[0].passage.id == "a-res-99-40:para-8"  # the adopted text over its draft


def test_curated_documents_rise_over_routine_resolutions(collection: HybridRetriever) -> None:
    query = "affordable broadband and meaningful connectivity"
    neutral = collection.with_fusion(curated_boost=0.0, draft_penalty=0.0, superseded_penalty=0.0)  # no prior
    plain = [h.passage.doc_id for h in neutral.search(query, k=4)]
    boosted = [h.passage.doc_id for h in neutral.with_fusion(curated_boost=0.5).search(query, k=4)]
    assert plain[0] == OLD.id and boosted[0] == OUTCOME.id
    named = neutral.with_fusion(curated_boost=2.0).search(f"{query} in {OLD.symbol}", k=4)
    assert named[0].passage.doc_id == OLD.id  # the bonus yields to the document the question names
