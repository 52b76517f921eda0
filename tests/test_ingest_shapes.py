"""The other parsers and shapes: ITU-resolution blocks (on a resolution written here), HTML
(on an HTML rendering of a shared text), documents the manifest does not know, numbering
anomalies and roman items (on small texts written here)."""

from __future__ import annotations

import html
from pathlib import Path

from wsis_rag.core.vocabulary import ClauseKind
from wsis_rag.corpus.manifest import load_manifest
from wsis_rag.ingest.pipeline import ingest_file

ITU_RESOLUTION = """RESOLUTION 999 (TESTVILLE, 2030)
Checking the block parser
The Plenipotentiary Conference of the International Telecommunication Union (Testville, 2030),
considering
a) that test documents should be small;
b) that block names belong in citations,
recognizing
that a block may hold one paragraph without a letter,
resolves
1 to read every block of a resolution;
2 to cite items by the name of their block and their number,
instructs the Secretary-General
1 to report on the reading;
2 to keep the wording as written,
invites Member States
to send more test cases.
"""

UN_TEXT_WITH_ANOMALIES = """The General Assembly,

Noting the test,

1. First paragraph, with a lead-in:

(a) a lettered subparagraph, itself with items:

(i) a first roman item;

(ii) a second roman item;

(b) a second lettered subparagraph.

2. Second paragraph.

4. A paragraph after a gap.

4 bis. An inserted paragraph.

5-7. A range of paragraphs.

3. A number that goes backwards.
"""


def test_itu_resolution_blocks_and_items(tmp_path: Path) -> None:
    path = tmp_path / "res999.txt"
    path.write_text(ITU_RESOLUTION, encoding="utf-8")
    entry = load_manifest().get("itu-pp-res-140")
    doc = ingest_file(path, entry)
    clauses = {c.anchor: c for c in doc.clauses}
    assert list(clauses) == [
        "title",
        "considering-a",
        "considering-b",
        "recognizing",
        "resolves-1",
        "resolves-2",
        "instructs-the-secretary-general-1",
        "instructs-the-secretary-general-2",
        "invites-member-states",
    ]
    assert clauses["title"].text.startswith("RESOLUTION 999 (TESTVILLE, 2030)")
    assert clauses["considering-b"].locator == "considering b)"
    assert clauses["considering-b"].text == "b) that block names belong in citations,"
    assert clauses["resolves-2"].locator == "resolves 2"
    assert clauses["instructs-the-secretary-general-1"].locator == "instructs the Secretary-General 1"
    assert clauses["invites-member-states"].text == "to send more test cases."
    assert {c.kind for c in doc.clauses[1:]} == {ClauseKind.BLOCK_ITEM}
    passages = {p.id: p for p in doc.passages}
    assert passages["itu-pp-res-140:resolves-2"].label == "PP Res. 140, resolves 2"
    assert passages["itu-pp-res-140:resolves-2"].heading_path == ["resolves"]
    assert not doc.warnings


def test_html_rendering_gives_the_same_ids_as_the_text(tmp_path: Path, shared_corpus: Path) -> None:
    entry = load_manifest().get("a-res-80-173")
    from_text = ingest_file(shared_corpus / "A_RES_80_173_en.md", entry)
    body = [b.text for b in from_text.clauses if b.kind != ClauseKind.FOOTNOTE]
    notes = [c.text for c in from_text.clauses if c.kind == ClauseKind.FOOTNOTE]
    paragraphs = []
    for clause_text in body:
        for block in clause_text.split("\n\n"):
            first, _, rest = block.partition(" ")
            # inline markup inside a paragraph must not change its text
            paragraphs.append(f"<p><i>{html.escape(first)}</i> {html.escape(rest)}</p>")
    page = (
        "<html><head><title>x</title><style>p{}</style></head><body>"
        "<header><nav>Site menu</nav></header>"
        + "".join(paragraphs)
        + '<div class="footnotes">'
        + "".join(f"<p>{html.escape(n)}</p>" for n in notes)
        + "</div><footer>Contact us</footer></body></html>"
    )
    path = tmp_path / "resolution.html"
    path.write_text(page, encoding="utf-8")
    from_html = ingest_file(path, entry)
    assert [p.id for p in from_html.passages] == [p.id for p in from_text.passages]
    assert [p.locator for p in from_html.passages] == [p.locator for p in from_text.passages]
    html_text = {p.id: p.text for p in from_html.passages}
    assert html_text["a-res-80-173:para-121"] == {p.id: p.text for p in from_text.passages}["a-res-80-173:para-121"]
    assert "Site menu" not in from_html.text and "Contact us" not in from_html.text


def test_unknown_document_gets_metadata_from_the_file(tmp_path: Path) -> None:
    path = tmp_path / "My Notes 2030.txt"
    path.write_text(
        "A/RES/99/12\n\nNotes on connectivity\n\n1. Every school is online.\n\n2. Every clinic too.\n", encoding="utf-8"
    )
    doc = ingest_file(path)
    # a UN symbol at the top: read as a UN resolution, whatever the manifest knows
    assert doc.meta.id == "my-notes-2030" and doc.meta.symbol == "A/RES/99/12" and doc.shape == "un-resolution"
    assert [c.anchor for c in doc.clauses if c.kind == ClauseKind.PARAGRAPH] == ["para-1", "para-2"]
    assert {p.id for p in doc.passages} >= {"my-notes-2030:para-1", "my-notes-2030:para-2"}
    wrapped = tmp_path / "wrapped.txt"
    wrapped.write_text(
        "Wrapped notes\n\n1. This paragraph is wrapped\nat a narrow column.\n\n2. So is\nthis one.\n", encoding="utf-8"
    )
    rejoined = {c.anchor: c.text for c in ingest_file(wrapped).clauses}
    assert rejoined["para-1"] == "1. This paragraph is wrapped at a narrow column."
    assert rejoined["para-2"] == "2. So is this one."
    plain = tmp_path / "plain.md"
    plain.write_text("# Heading\n\nJust prose here.\n\nMore prose.\n", encoding="utf-8")
    prose = ingest_file(plain)
    assert prose.meta.symbol == "plain"
    assert [(c.kind, c.heading_path) for c in prose.clauses] == [
        (ClauseKind.TITLE, []),
        (ClauseKind.TEXT, ["Heading"]),
        (ClauseKind.TEXT, ["Heading"]),
    ]


def test_numbering_anomalies_are_kept_verbatim_and_reported(tmp_path: Path) -> None:
    path = tmp_path / "anomalies.txt"
    path.write_text(UN_TEXT_WITH_ANOMALIES, encoding="utf-8")
    doc = ingest_file(path, load_manifest().get("a-res-80-173"))
    clauses = {c.anchor: c for c in doc.clauses}
    assert [a for a in clauses if a.startswith("para")] == [
        "para-1",
        "para-1-a",
        "para-1-a-i",
        "para-1-a-ii",
        "para-1-b",
        "para-2",
        "para-4",
        "para-4-bis",
        "para-5-7",
        "para-3",
    ]
    assert clauses["para-1-a-ii"].locator == "para. 1 (a) (ii)"
    assert clauses["para-1-a-ii"].kind == ClauseKind.ITEM
    assert "(a) a lettered subparagraph" in clauses["para-1-a-ii"].context
    assert clauses["para-4-bis"].locator == "para. 4 bis"
    assert clauses["para-5-7"].locator == "para. 5-7"
    assert clauses["preamble-1"].text == "Noting the test,"
    warnings = " | ".join(doc.warnings)
    assert "para. 4 after para. 2" in warnings
    assert "para. 4 bis kept verbatim" in warnings
    assert "range para. 5-7" in warnings
    assert "para. 3 after para. 7" in warnings
