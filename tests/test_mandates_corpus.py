"""The mandate view on the real corpus (ingested from ../shared/corpus): which operative
clauses assign ITU, UNGIS, the Secretary-General ... a task, role or request."""

from __future__ import annotations

from pathlib import Path

import pytest

from wsis_rag.core.errors import InvalidRequestError, NotFoundError
from wsis_rag.core.settings import Settings
from wsis_rag.core.vocabulary import ClauseKind, Passage
from wsis_rag.ingest.pipeline import ingest_corpus
from wsis_rag.products.mandates.mandates import find_mandates, mandates_response
from wsis_rag.products.mandates.rules import load_rules


@pytest.fixture(scope="module")
def passages(shared_corpus: Path) -> list[Passage]:
    corpus = ingest_corpus(Settings(corpus_dirs=[shared_corpus]))
    return [p for doc in corpus.documents for p in doc.passages]


def _anchors(mandates, doc_id: str) -> list[str]:
    return [m.id.split(":")[1] for m in mandates if m.doc_id == doc_id]


def test_itu_on_the_wsis20_outcome_lists_its_mandate_paragraphs(passages: list[Passage]) -> None:
    mandates = find_mandates(passages, "ITU", doc="A/RES/80/173")
    by_anchor = {m.id.split(":")[1]: m for m in mandates}
    for n in (67, 107, 110, 121):
        m = by_anchor[f"para-{n}"]
        assert m.label == f"A/RES/80/173, para. {n}"
        assert m.text.startswith(f"{n}. ")
        assert "International Telecommunication Union" in m.text
        assert m.url == "https://docs.un.org/en/A/RES/80/173"
    assert by_anchor["para-121"].pattern == "secretariat-provided-by"
    assert by_anchor["para-67"].evidence == "invite the International Telecommunication Union"
    assert by_anchor["para-67"].category == "invitation"
    # Paragraphs 20-22 cite ITU only as the source of statistics: no assignment.
    assert not {"para-20", "para-21", "para-22"} & set(by_anchor)
    assert [m.order for m in mandates] == sorted(m.order for m in mandates)


def test_itu_corpus_wide_finds_the_council_report_responsibilities_clause(passages: list[Passage]) -> None:
    mandates = find_mandates(passages, "ITU")
    s7 = next(m for m in mandates if m.id == "council-report-2026:s7-p3")
    assert s7.alias == "国际电联" and "职责" in s7.evidence
    assert "A/RES/80/173" in s7.text and s7.label.startswith("Council report, section 7")
    # The GDC affirms ITU's role in connectivity and invites it to continue.
    assert "gdc:para-10" in {m.id for m in mandates}
    # Outcome documents come before the report.
    docs = list(dict.fromkeys(m.doc_id for m in mandates))
    assert docs.index("a-res-80-173") < docs.index("council-report-2026")


def test_names_in_other_languages_give_the_same_actor(passages: list[Passage]) -> None:
    ids = [m.id for m in find_mandates(passages, "ITU")]
    assert [m.id for m in find_mandates(passages, "国际电联")] == ids
    assert [m.id for m in find_mandates(passages, "the international telecommunication union")] == ids


def test_only_operative_clauses_are_listed(passages: list[Passage]) -> None:
    kinds = {p.id: p.kind for p in passages}
    operative = {
        ClauseKind.PARAGRAPH,
        ClauseKind.SUBPARAGRAPH,
        ClauseKind.ITEM,
        ClauseKind.SECTION_PARAGRAPH,
        ClauseKind.TEXT,
    }
    for actor in ("ITU", "UNGIS", "Secretary-General", "CSTD", "Member States"):
        for m in find_mandates(passages, actor):
            assert all(kinds[pid] in operative for pid in m.passage_ids), (actor, m.id)
    # The report's reference list names "国际电联……的作用" too, but it is not operative text.
    references = [p for p in passages if p.anchor == "front-references"]
    assert any("国际电联" in p.text and "作用" in p.text for p in references)
    assert not any(m.id.startswith("council-report-2026:front") for m in find_mandates(passages, "ITU"))


def test_ungis_mandates_include_the_short_form_the_group(passages: list[Passage]) -> None:
    mandates = find_mandates(passages, "UNGIS", doc="a-res-80-173")
    anchors = _anchors(mandates, "a-res-80-173")
    assert {"para-100", "para-113", "para-121", "para-122"} <= set(anchors)
    assert next(m for m in mandates if m.id.endswith("para-122")).pattern == "request"
    # "We invite ITU, as the secretariat of UNGIS, ...": UNGIS is named, not invited.
    assert "para-67" not in anchors


def test_secretary_general_requests(passages: list[Passage]) -> None:
    mandates = find_mandates(passages, "Secretary-General")
    assert {"para-103", "para-124"} <= set(_anchors(mandates, "a-res-80-173"))
    assert {"para-63", "para-66", "para-71", "para-72"} <= set(_anchors(mandates, "gdc"))
    # Para. 96 only recalls that the Secretary-General established the IGF.
    assert "para-96" not in _anchors(mandates, "a-res-80-173")
    assert all(m.category in {"request", "invitation"} for m in mandates)


def test_the_forum_is_resolved_to_the_forum_named_before_it(passages: list[Passage]) -> None:
    igf = _anchors(find_mandates(passages, "IGF", doc="a-res-80-173"), "a-res-80-173")
    wsis_forum = _anchors(find_mandates(passages, "WSIS Forum", doc="a-res-80-173"), "a-res-80-173")
    # Paras. 101-102 "call upon the Forum" right after the IGF paragraphs.
    assert {"para-98", "para-101", "para-102"} <= set(igf)
    assert not {"para-101", "para-102"} & set(wsis_forum)
    # Para. 110 "call for the Forum to continue" after naming the WSIS Forum.
    assert "para-110" in wsis_forum and "para-110" not in igf


def test_response_shape_and_bad_input(passages: list[Passage]) -> None:
    response = mandates_response(passages, "ITU", doc="a-res-80-173")
    assert response.actor == "itu" and response.documents == ["a-res-80-173"]
    assert response.matched_aliases == ["International Telecommunication Union"]
    with pytest.raises(InvalidRequestError, match="unknown actor 'Nobody'.*itu"):
        find_mandates(passages, "Nobody")
    with pytest.raises(InvalidRequestError, match="empty"):
        find_mandates(passages, "  ")
    # A document the index does not hold is not there (404), as on /search.
    with pytest.raises(NotFoundError, match="A/RES/99/1"):
        find_mandates(passages, "ITU", doc="A/RES/99/1")


def test_the_cheap_name_test_never_misses_a_name_in_the_corpus(passages: list[Passage], wsis_docs: Path) -> None:
    more = ingest_corpus(Settings(corpus_dirs=[wsis_docs]))
    texts = [p.text for p in passages] + [p.text for doc in more.documents for p in doc.passages]
    for actor in load_rules().actors:
        missed = [t[:60] for t in texts if actor.any_name_regex.search(t) and not actor.may_name(t)]
        assert missed == [], actor.id
