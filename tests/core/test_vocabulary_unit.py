"""One way from a passage to a cited or quoted clause, shared by every product's entries."""

from __future__ import annotations

import pytest

from wsis_rag.core.vocabulary import CitedClause, Passage, QuotedClause
from wsis_rag.products.answers.answer import AnswerCitation
from wsis_rag.products.briefs.briefing import KeyClause
from wsis_rag.products.documents.catalog import OutlineEntry
from wsis_rag.products.mandates.mandates import Mandate


@pytest.fixture(scope="module")
def second_piece(mini_passages: list[Passage]) -> Passage:
    return next(p for p in mini_passages if p.id == "mini-res:para-4~2")


def test_a_quoted_clause_carries_the_passages_citation_and_text(second_piece: Passage) -> None:
    quoted = QuotedClause.from_passage(second_piece)
    assert quoted.model_dump() == {
        "id": "mini-res:para-4~2",
        "label": "A/RES/99/7, para. 4",
        "locator": "para. 4",
        "url": "https://example.org/A/RES/99/7",
        "lang": "en",
        "order": second_piece.order,
        "text": second_piece.text,
    }


def test_fields_given_override_the_passages(second_piece: Passage) -> None:
    quoted = QuotedClause.from_passage(second_piece, id="mini-res:para-4", text="joined")
    assert (quoted.id, quoted.text, quoted.label) == ("mini-res:para-4", "joined", "A/RES/99/7, para. 4")
    assert "text" not in CitedClause.from_passage(second_piece).model_dump()


@pytest.mark.parametrize("model", [Mandate, KeyClause, AnswerCitation])
def test_every_quoting_product_derives_from_the_quoted_clause(model: type) -> None:
    assert issubclass(model, QuotedClause)
    assert issubclass(OutlineEntry, CitedClause) and not issubclass(OutlineEntry, QuotedClause)
