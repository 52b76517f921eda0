"""Reference extraction (ingest/document_references.py) on short clauses written for the
tests: each framing verb, a paragraph referred to, a footnoted list, a named outcome
document and its short form, a footnote that only locates a named text, and what is no
reference."""

from __future__ import annotations

import pytest

from wsis_rag.core.vocabulary import ClauseKind
from wsis_rag.ingest.clauses import Clause, FootnoteRef
from wsis_rag.ingest.document_references import DocumentReference, extract_references
from wsis_rag.ingest.pymupdf_layout import pymupdf_blocks
from wsis_rag.ingest.source import RawBlock, SourceDocument

OWN = "A/RES/99/7"


def clauses(*texts: str, marks: dict[int, list[tuple[int, str]]] | None = None) -> list[Clause]:
    """Clauses of a document made of `texts` (anchors preamble-1, ...; "N text" lines are
    footnote N); `marks`: footnote marks a reader took out of a clause, by clause index."""
    source = SourceDocument.from_raw([RawBlock(t, footnote=t[:1].isdigit()) for t in texts])
    made = []
    for index, block in enumerate(source.blocks):
        footnote = block.footnote
        kind = ClauseKind.FOOTNOTE if footnote else ClauseKind.PREAMBLE
        anchor = f"footnote-{block.text.split()[0]}" if footnote else f"preamble-{index + 1}"
        refs = [FootnoteRef(at=block.start + at, mark=m) for at, m in (marks or {}).get(index, [])]
        made.append(
            Clause(
                kind=kind,
                anchor=anchor,
                locator=anchor,
                char_start=block.start,
                char_end=block.end,
                text=block.text,
                footnote_refs=refs,
            )
        )
    return made


def refs(*texts: str, **kwargs: dict[int, list[tuple[int, str]]]) -> list[DocumentReference]:
    return extract_references(clauses(*texts, **kwargs), OWN)


def edges(*texts: str) -> list[tuple[str, str, str | None]]:
    return [(r.target, r.verb, r.paragraph) for r in refs(*texts)]


@pytest.mark.parametrize(
    ("text", "verb"),
    [
        ("Recalling its resolution 78/132 of 19 December 2023,", "recalls"),
        ("Reaffirming also its resolution 78/132,", "reaffirms"),
        ("Taking note with appreciation of the report of the Secretary-General (A/79/62),", "takes note of"),
        ("Welcoming the adoption of resolution 78/132,", "welcomes"),
        ("Decides to endorse the report contained in document A/79/214;", "endorses"),
        ("Noting with concern resolution 78/132,", "notes"),
        ("Acknowledging resolution 78/132,", "acknowledges"),
        ("Recognizing the role set out in resolution 78/132,", "recognizes"),
        ("Requests the Secretary-General to report on resolution 78/132;", "requests"),
        ("Decides to review resolution 78/132 at its next session;", "decides"),
        ("Invites Member States to implement resolution 78/132;", "invites"),
        ("Encourages Member States to implement resolution 78/132;", "encourages"),
        ("Calls upon Member States to implement resolution 78/132;", "calls upon"),
        ("Emphasizes the importance of resolution 78/132;", "emphasizes"),
        ("Stresses the importance of resolution 78/132;", "stresses"),
        ("Bearing in mind its resolution 78/132,", "bearing in mind"),
        ("Guided by the Charter of the United Nations,", "guided by"),
        ("Looks forward, in accordance with its resolution 70/125, to the review;", "in accordance with"),
        ("Decides to convene meetings, pursuant to resolution 75/240;", "pursuant to"),
        ("Deeply concerned that resolution 78/132 is not implemented,", "other"),
        ("We reaffirm our commitment to the Tunis Agenda for the Information Society.", "reaffirms"),
    ],
)
def test_each_framing_verb_is_normalised(text: str, verb: str) -> None:
    (found,) = refs(text)
    assert found.verb == verb


def test_the_nearest_verb_before_a_reference_governs_it() -> None:
    found = edges(
        "Noting the call for annual reports, and reaffirming the role of the Commission, "
        "as set forth in Council resolution 2006/46 of 28 July 2006, and requests a report on resolution 78/132,"
    )
    assert found == [("E/RES/2006/46", "reaffirms", None), ("A/RES/78/132", "requests", None)]


def test_a_prepositional_framing_reaches_only_to_the_next_comma() -> None:
    found = edges("Decides, in accordance with the rules of procedure, to hold a meeting, recalling resolution 78/132;")
    assert ("A/RES/78/132", "recalls", None) in found


def test_coordinated_resolutions_give_one_reference_each_with_their_kind_and_body() -> None:
    found = edges(
        "Recalling its resolutions 56/183 of 21 December 2001, 57/270 B of 23 June 2003 and 59/220, "
        "its decisions 77/512 and 78/541, Economic and Social Council resolution 2024/13, "
        "Human Rights Council resolution 26/13 and resolution 217 A (III),"
    )
    assert [target for target, _, _ in found] == [
        "A/RES/56/183",
        "A/RES/57/270 B",
        "A/RES/59/220",
        "A/DEC/77/512",
        "A/DEC/78/541",
        "E/RES/2024/13",
        "A/HRC/RES/26/13",
        "A/RES/217 A (III)",
    ]
    assert {verb for _, verb, _ in found} == {"recalls"}


def test_the_paragraph_referred_to_is_kept() -> None:
    found = edges(
        "Recalling paragraph 55 of the Tunis Agenda, paragraphs 72 to 78 of its resolution 70/125, "
        "article 19 of the Universal Declaration of Human Rights and its resolution 68/198, "
        "in particular paragraph 22 thereof,"
    )
    assert found == [
        ("WSIS-05/TUNIS/DOC/6(Rev.1)", "recalls", "55"),
        ("A/RES/70/125", "recalls", "72-78"),
        ("A/RES/217 A (III)", "recalls", "article 19"),
        ("A/RES/68/198", "recalls", "22"),
    ]


def test_a_footnoted_list_is_referred_to_by_the_clause_whose_mark_points_to_it() -> None:
    # A text reader that keeps the mark in the text ("issue,1") ...
    found = refs(
        "Recalling its resolution 78/132 and previous resolutions on the issue,1",
        "Stressing the role of the Commission,",
        "1 Resolutions 56/183, 57/238 and 59/220.",
    )
    listed = [r for r in found if r.footnote == "1"]
    assert [(r.clause, r.target, r.verb) for r in listed] == [
        ("preamble-1", "A/RES/56/183", "recalls"),
        ("preamble-1", "A/RES/57/238", "recalls"),
        ("preamble-1", "A/RES/59/220", "recalls"),
    ]
    assert "(footnote 1: Resolutions 56/183" in listed[0].as_written
    # ... and one that took it out and recorded where it stood.
    text = "Taking note of the report of the Secretary-General,"
    moved = refs(text, "2 A/79/62-E/2024/3 and A/79/62/Corr.1.", marks={0: [(len(text), "2")]})
    assert [(r.target, r.verb, r.footnote) for r in moved] == [("A/79/62", "takes note of", "2")]


def test_a_footnote_that_locates_a_named_text_adds_no_reference_and_ibid_repeats_the_one_before() -> None:
    found = edges(
        "Recalling the Geneva Declaration of Principles,1 the Geneva Plan of Action,2 as endorsed by the "
        "General Assembly,3",
        "1 See A/C.2/59/3, annex.",
        "2 Ibid.",
        "3 See resolution 59/220.",
    )
    assert found == [
        ("WSIS-03/GENEVA/DOC/4", "recalls", None),
        ("WSIS-03/GENEVA/DOC/5", "recalls", None),
        ("A/RES/59/220", "recalls", None),
    ]


def test_outcome_documents_by_name_and_a_short_form_after_the_full_name() -> None:
    found = refs(
        "Reaffirming its resolution 70/1, entitled “Transforming our world: the 2030 Agenda for Sustainable "
        "Development”, and welcoming the Global Digital Compact and the Pact for the Future,",
        "Recalls the adoption of the Treaty on the Prohibition of Nuclear Weapons,",
        "Welcomes the entry into force of the Treaty, and the work of the Treaty’s Scientific Advisory Group,",
    )
    assert [(r.clause, r.target, r.name, r.verb) for r in found] == [
        ("preamble-1", "A/RES/70/1", "2030 Agenda for Sustainable Development", "reaffirms"),
        ("preamble-1", "A/RES/79/1, annex I", "Global Digital Compact", "welcomes"),
        ("preamble-1", "A/RES/79/1", "Pact for the Future", "welcomes"),
        ("preamble-2", "A/CONF.229/2017/8", "Treaty on the Prohibition of Nuclear Weapons", "recalls"),
        ("preamble-3", "A/CONF.229/2017/8", "Treaty on the Prohibition of Nuclear Weapons", "welcomes"),
    ]


def test_a_quoted_title_and_a_flagship_report_are_references_by_name() -> None:
    found = edges(
        "Taking note of the report of the High-level Panel entitled “The age of digital interdependence”, "
        "and the Digital Economy Report 2024,"
    )
    assert found == [
        ("The age of digital interdependence", "takes note of", None),
        ("Digital Economy Report 2024", "takes note of", None),
    ]


def test_what_is_no_reference() -> None:
    assert (
        refs(
            "Recalling the present resolution, the outcomes of the World Summit, the Summit of the Future, "
            "the Sustainable Development Goals, its resolution 99/7 and the previous resolutions on the issue,",
            "Decides to include in the provisional agenda the sub-item entitled “Information and communications "
            "technologies for sustainable development”;",
        )
        == []
    )


def test_one_reference_per_target_and_paragraph_with_the_verb_of_its_first_mention() -> None:
    assert edges(
        "Recalling the 2030 Agenda, and welcoming progress towards the 2030 Agenda for Sustainable Development,"
    ) == [("A/RES/70/1", "recalls", None)]


def test_the_pymupdf_reader_records_where_it_took_a_mark_out() -> None:
    page = (
        "United Nations A/RES/99/9\n \nGeneral Assembly Distr.: General\n \n25-00001 (E)\n \n"
        "Recalling previous resolutions on the issue,1 \n \n"
        "Stressing the role of the Commission, \n"
        "_______________ \n1 Resolutions 56/183 and 57/238. \n"
    )
    blocks = pymupdf_blocks(page, "A/RES/99/9")
    body = next(b for b in blocks if b.text.startswith("Recalling"))
    assert body.text == "Recalling previous resolutions on the issue,"
    assert body.footnote_refs == ((len(body.text), "1"),)
