"""Version relating (index/versions.py) on small documents written for the tests: a draft
and the resolution adopted from it (named in the masthead, or by title and text), a
revision, a later draft that replaces one, yearly successors and the series they make."""

from __future__ import annotations

from wsis_rag.index.versions import VersionFacts, relate_versions, series

BODY = (
    "Recalling its resolutions on information and communications technologies for development, "
    "Recognizing that digital divides remain between and within countries, "
    "1. Calls upon Member States to close the digital divide; "
    "2. Requests the Secretary-General to report on the implementation of the present resolution. "
)
OTHER_BODY = (
    "Deeply concerned at the situation of refugees in the region, 1. Urges all parties to respect "
    "international humanitarian law; 2. Decides to remain seized of the matter."
)
TITLE = "Information and communications technologies for sustainable development"


def doc(symbol: str, text: str = BODY, title: str = TITLE, masthead: str = "") -> VersionFacts:
    return VersionFacts(symbol.lower().replace("/", "-").replace(".", "-"), symbol, title, text, masthead)


def relations(*docs: VersionFacts) -> set[tuple[str, str, str]]:
    symbols = {d.doc_id: d.symbol for d in docs}
    return {(symbols[link.a], symbols[link.b], link.relation) for link in relate_versions(docs)}


def test_a_committee_draft_and_the_resolution_adopted_from_it() -> None:
    found = relations(
        doc("A/C.2/98/L.10", BODY + "3. Decides to include the item in its agenda."),
        doc("A/RES/98/120"),
        doc("A/RES/98/121", OTHER_BODY, "The situation of refugees"),
    )
    assert found == {("A/C.2/98/L.10", "A/RES/98/120", "draft-adopted")}


def test_a_plenary_draft_named_in_the_masthead_whatever_its_title() -> None:
    masthead = (
        "Resolution adopted by the General Assembly [without reference to a Main Committee (A/98/L.41 and Add.1)]"
    )
    found = relate_versions([doc("A/98/L.41", title="Draft outcome document"), doc("A/RES/98/173", masthead=masthead)])
    (link,) = found
    assert (link.a, link.b, link.relation) == ("a-98-l-41", "a-res-98-173", "draft-adopted")
    assert "masthead" in link.evidence[0]


def test_a_draft_of_the_same_title_but_another_text_is_not_the_resolution_s_draft() -> None:
    assert relations(doc("A/C.3/98/L.5", OTHER_BODY), doc("A/RES/98/140")) == set()


def test_a_revision_and_a_later_draft_that_replaces_one() -> None:
    found = relations(doc("A/C.2/98/L.9"), doc("A/C.2/98/L.9/Rev.1"), doc("A/C.2/98/L.57"))
    assert ("A/C.2/98/L.9", "A/C.2/98/L.9/Rev.1", "revision") in found
    assert ("A/C.2/98/L.9", "A/C.2/98/L.57", "revision") in found


def test_yearly_successors_make_a_series_across_a_skipped_session() -> None:
    docs = [doc("A/RES/96/132"), doc("A/RES/97/194", BODY + "3. Welcomes the new report."), doc("A/RES/99/118")]
    links = relate_versions(docs)
    assert {(link.a, link.b, link.relation) for link in links} == {
        ("a-res-96-132", "a-res-97-194", "yearly-successor"),
        ("a-res-97-194", "a-res-99-118", "yearly-successor"),
    }
    assert series("a-res-97-194", links) == ["a-res-96-132", "a-res-97-194", "a-res-99-118"]
    assert series("a-res-98-1", links) == ["a-res-98-1"]
