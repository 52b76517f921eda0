"""The mandate rule (products/mandates): an operative clause that names the actor and links
an assignment construction to that very mention; rules are data a reader can extend."""

from __future__ import annotations

from pathlib import Path

import pytest

from wsis_rag.core.errors import InvalidRequestError, NotFoundError
from wsis_rag.core.vocabulary import Passage
from wsis_rag.index.retriever import HybridRetriever
from wsis_rag.products.mandates.mandates import find_mandates, index_mandates, mandates_response
from wsis_rag.products.mandates.rules import ACTORS_PATH, PATTERNS_PATH, load_rules, parse_rules


def test_an_operative_request_to_itu_is_a_mandate(mini_passages: list[Passage]) -> None:
    mandates = find_mandates(mini_passages, "ITU")
    assert [(m.id, m.category, m.pattern) for m in mandates] == [("mini-res:para-2", "request", "request")]
    m = mandates[0]
    assert m.alias == "International Telecommunication Union"
    assert m.evidence.startswith("Requests the International Telecommunication Union")
    assert m.label == "A/RES/99/7, para. 2" and m.text == mini_passages[3].text


def test_the_preamble_naming_itu_is_not_a_mandate(mini_passages: list[Passage]) -> None:
    preamble = next(p for p in mini_passages if p.anchor == "preamble-1")
    assert "International Telecommunication Union" in preamble.text
    assert preamble.id not in {m.id for m in find_mandates(mini_passages, "itu")}


def test_a_split_clause_is_one_mandate_with_its_pieces(mini_passages: list[Passage]) -> None:
    (invitation,) = find_mandates(mini_passages, "Secretary-General", doc="mini-res")
    assert invitation.id == "mini-res:para-4" and invitation.category == "invitation"
    assert invitation.passage_ids == ["mini-res:para-4", "mini-res:para-4~2"]
    assert invitation.text == " ".join(p.text for p in mini_passages if p.anchor == "para-4")


def test_chinese_clauses_are_judged_too(mini_passages: list[Passage]) -> None:
    # 理事会请秘书长...: a request to the Secretary-General in the report.
    found = {m.id: m for m in find_mandates(mini_passages, "secretary-general")}
    assert "mini-report:s1-p2" in found and found["mini-report:s1-p2"].alias == "秘书长"


def test_response_names_what_was_searched(mini_passages: list[Passage]) -> None:
    response = mandates_response(mini_passages, "the International Telecommunication Union")
    assert (response.actor, response.documents) == ("itu", ["mini-report", "mini-res"])
    assert response.matched_aliases == ["International Telecommunication Union"]


def test_unknown_actor_and_document_are_clear_errors(mini_passages: list[Passage]) -> None:
    with pytest.raises(InvalidRequestError, match="unknown actor 'WHO'; known actors: itu, "):
        find_mandates(mini_passages, "WHO")
    with pytest.raises(InvalidRequestError, match="the actor is empty"):
        load_rules().resolve_actor("  ")
    # A document the index does not hold is not there (404), as on /search.
    with pytest.raises(NotFoundError, match="unknown document 'gdc'; known: \\['mini-report', 'mini-res'\\]"):
        find_mandates(mini_passages, "ITU", doc="gdc")


def test_an_actor_added_as_data_is_found_without_code(tmp_path: Path, mini_passages: list[Passage]) -> None:
    actors = tmp_path / "actors.toml"
    actors.write_text(
        ACTORS_PATH.read_text(encoding="utf-8")
        + '\n[[actor]]\nid = "member-states-test"\nname = "Member States"\naliases = ["Member States"]\n',
        encoding="utf-8",
    )
    rules = parse_rules(actors, PATTERNS_PATH)
    found = find_mandates(mini_passages, "member-states-test", rules=rules)
    assert [(m.id, m.category) for m in found] == [("mini-res:para-3", "call")]


def test_the_cheap_name_test_never_misses_a_name(mini_passages: list[Passage]) -> None:
    texts = [p.text for p in mini_passages] + ["the constitution of the institution", "ITU-D and 国际电联 together"]
    for actor in load_rules().actors:
        for text in texts:
            if actor.any_name_regex.search(text):
                assert actor.may_name(text), (actor.id, text)
    itu = load_rules().resolve_actor("ITU")
    assert not itu.may_name("the constitution of the institution")  # "itu" inside words is no name


def test_the_index_mandates_are_the_full_scans(mini_retriever: HybridRetriever, mini_passages: list[Passage]) -> None:
    for actor in ("ITU", "Secretary-General"):
        assert index_mandates(mini_retriever, actor) == mandates_response(mini_passages, actor)
        assert index_mandates(mini_retriever, actor) is index_mandates(mini_retriever, actor)  # kept per index
        assert index_mandates(mini_retriever, actor, doc="A/RES/99/7") == mandates_response(
            mini_passages, actor, doc="mini-res"
        )
