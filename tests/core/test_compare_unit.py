"""The comparison on hand-made texts: what each status means, and the renderings.

The two versions below are written for these tests: a draft and the resolution adopted from
it, differing in the ways negotiated texts differ (a reworded clause, an inserted paragraph
that renumbers the following ones, a paragraph moved out of order, a paragraph split in two,
two merged into one)."""

from __future__ import annotations

import io

import pytest
from docx import Document

from wsis_rag.core.vocabulary import ClauseKind, DocType, DocumentMeta, Passage
from wsis_rag.index.catalog import UnknownDocumentError
from wsis_rag.index.retriever import HybridRetriever
from wsis_rag.products.compare.comparison import ClausePair, Comparison, compare_documents, compare_passages
from wsis_rag.products.compare.render import render_docx, render_html, render_markdown
from wsis_rag.products.compare.words import Op, Words, changes

P, OP = ClauseKind.PREAMBLE, ClauseKind.PARAGRAPH

DRAFT = [
    (P, "Recalling its resolution 1/1 on bridges across the digital divide,"),
    (P, "Welcoming the report of the Secretary-General on connectivity in rural areas,"),
    (P, "Noting the growth of mobile broadband in the least developed countries,"),
    (P, "Stressing the role of community networks in remote mountain regions,"),
    (OP, "1. Decides to convene a high-level dialogue on connectivity in 2027;"),
    (OP, "2. Requests the Secretary-General to report on progress at its next session;"),
    (OP, "3. Invites Member States to share data on school connectivity with the Union, and encourages the "
        "regional commissions to publish an annual survey of broadband prices in every region;"),
    (OP, "4. Calls upon donors to fund community networks in rural areas;"),
    (OP, "5. Encourages universities to train engineers for rural telecommunication networks;"),
    (OP, "6. Decides to remain seized of the matter."),
]  # fmt: skip
ADOPTED = [
    (P, "Recalling its resolution 1/1 on bridges across the digital divide,"),
    (P, "Noting the growth of mobile broadband in the least developed countries,"),
    (P, "Welcoming the report of the Secretary-General on connectivity in rural areas,"),
    (P, "Stressing the role of community networks in remote mountain and island regions,"),
    (OP, "1. Decides to convene a high-level dialogue on connectivity in 2027;"),
    (OP, "2. Welcomes the offer of the host country to support the dialogue;"),
    (OP, "3. Requests the Secretary-General to report on progress at its next session;"),
    (OP, "4. Invites Member States to share data on school connectivity with the Union;"),
    (OP, "5. Encourages the regional commissions to publish an annual survey of broadband prices in every region;"),
    (OP, "6. Calls upon donors to fund community networks in rural areas and encourages universities to train "
        "engineers for rural telecommunication networks;"),
    (OP, "7. Decides to remain seized of the matter."),
]  # fmt: skip
UNRELATED = [
    (P, "Deeply concerned about the state of the oceans and the decline of fish stocks,"),
    (OP, "1. Urges flag States to inspect fishing vessels under their jurisdiction at sea;"),
    (OP, "2. Calls for a moratorium on bottom trawling on vulnerable marine ecosystems;"),
]


def _document(doc_id: str, symbol: str, clauses: list[tuple[ClauseKind, str]]) -> tuple[DocumentMeta, list[Passage]]:
    meta = DocumentMeta(
        id=doc_id, symbol=symbol, short=symbol, title="Bridges", body="UN General Assembly", type=DocType.RESOLUTION
    )
    passages, preambles, offset = [], 0, 0
    for order, (kind, text) in enumerate(clauses):
        if kind == P:
            preambles += 1
            anchor, locator = f"preamble-{preambles}", f"preambular para. {preambles}"
        else:
            number = text.split(".")[0]
            anchor, locator = f"para-{number}", f"para. {number}"
        passages.append(
            Passage(
                id=f"{doc_id}:{anchor}", doc_id=doc_id, symbol=symbol, title=meta.title, doc_type=meta.type,
                body=meta.body, kind=kind, anchor=anchor, locator=locator, label=f"{symbol}, {locator}", lang="en",
                char_start=offset, char_end=offset + len(text), n_tokens=len(text.split()), order=order, text=text,
            )
        )  # fmt: skip
        offset += len(text) + 2
    return meta, passages


@pytest.fixture(scope="module")
def comparison() -> Comparison:
    return compare_passages(*_document("draft", "A/C.9/99/L.1", DRAFT), *_document("adopted", "A/RES/99/1", ADOPTED))


def _pair(comparison: Comparison, a: str | None = None, b: str | None = None) -> ClausePair:
    return next(p for p in comparison.pairs if (a is None or a in p.a_ids) and (b is None or b in p.b_ids))


def test_a_document_compared_with_itself_is_all_unchanged(mini_retriever: HybridRetriever) -> None:
    result = compare_documents(mini_retriever, "A/RES/99/7", "bridges resolution")
    assert result.a.id == result.b.id == "mini-res"
    assert {p.status.value for p in result.pairs} == {"unchanged"}
    assert result.summary.unchanged == len(result.pairs) > 0 and result.similarity == 1.0
    assert not any(p.renumbered or p.moved or p.changes for p in result.pairs)
    # The pieces of the split para. 4 are one paragraph again; subparagraphs go with para. 3.
    para_4 = _pair(result, a="mini-res:para-4")
    assert para_4.a_ids == ["mini-res:para-4"] and "dialogue shall report" in (para_4.a_text or "")
    assert "(b) To invest in meaningful connectivity" in (_pair(result, a="mini-res:para-3").b_text or "")


def test_an_unknown_document_name_is_refused(mini_retriever: HybridRetriever) -> None:
    with pytest.raises(UnknownDocumentError, match="^b: unknown document 'A/RES/12/345'"):
        compare_documents(mini_retriever, "A/RES/99/7", "A/RES/12/345")


def test_a_reworded_paragraph_is_changed_with_its_word_insertions(comparison: Comparison) -> None:
    pair = _pair(comparison, a="draft:preamble-4")
    assert pair.status.value == "changed" and pair.b == "adopted:preamble-4"
    assert [(c.op.value, c.text) for c in pair.changes if c.op != Op.EQUAL] == [("insert", " and island")]
    assert "".join(c.text for c in pair.changes if c.op != Op.INSERT) == pair.a_text
    assert "".join(c.text for c in pair.changes if c.op != Op.DELETE) == pair.b_text


def test_a_paragraph_renumbered_in_order_is_unchanged_not_changed(comparison: Comparison) -> None:
    pair = _pair(comparison, a="draft:para-2")
    assert (pair.status.value, pair.b, pair.renumbered, pair.moved) == ("unchanged", "adopted:para-3", True, False)
    assert pair.a_labels == ["A/C.9/99/L.1, para. 2"] and pair.b_labels == ["A/RES/99/1, para. 3"]
    assert _pair(comparison, a="draft:para-6").renumbered and _pair(comparison, a="draft:para-6").status == "unchanged"


def test_a_paragraph_out_of_its_order_is_moved(comparison: Comparison) -> None:
    moved = [p for p in comparison.pairs if p.status.value == "moved"]
    assert len(moved) == 1
    # Of the two swapped preambular paragraphs one stays on the ordered alignment.
    assert {moved[0].a, moved[0].b} <= {
        "draft:preamble-2",
        "draft:preamble-3",
        "adopted:preamble-2",
        "adopted:preamble-3",
    }
    assert moved[0].moved and not moved[0].changes


def test_added_split_and_merged_paragraphs(comparison: Comparison) -> None:
    assert _pair(comparison, b="adopted:para-2").status.value == "added"
    split = _pair(comparison, a="draft:para-3")
    assert split.status.value == "split" and split.b_ids == ["adopted:para-4", "adopted:para-5"]
    merged = _pair(comparison, b="adopted:para-6")
    assert merged.status.value == "merged" and merged.a_ids == ["draft:para-4", "draft:para-5"]
    assert not [p for p in comparison.pairs if p.status.value == "deleted"]
    s = comparison.summary
    assert (s.unchanged, s.changed, s.added, s.moved, s.split, s.merged) == (5, 1, 1, 1, 1, 1)
    assert s.by_part["preamble"].moved == 1 and s.by_part["operative"].split == 1


def test_unrelated_documents_get_a_warning_not_a_flood_of_changes() -> None:
    result = compare_passages(*_document("draft", "A/C.9/99/L.1", DRAFT), *_document("oceans", "A/RES/99/2", UNRELATED))
    assert result.pairs == [] and result.similarity < 0.3
    assert len(result.warnings) == 1 and "little text in common" in result.warnings[0]


def test_footnote_marks_left_in_the_text_are_no_change() -> None:
    marks = frozenset({"3", "5"})
    before = Words("all previous resolutions 3  on the follow-up to the Paris Agreement 5and its entry", marks)
    after = Words("all previous resolutions 3on the follow-up to the Paris Agreement and its entry", marks)
    assert before.keys == after.keys
    # A number after "paragraph" is a number, not a mark.
    assert Words("paragraph 3 of the report", marks).keys == ["paragraph", "3", "of", "the", "report"]
    assert [c.op for c in changes(Words("paragraph 3", marks), Words("paragraph 5", marks))] == [
        Op.EQUAL,
        Op.DELETE,
        Op.INSERT,
    ]


def test_renderings_mark_deletions_and_insertions(comparison: Comparison) -> None:
    markdown = render_markdown(comparison)
    assert "remote mountain **and island** regions" in markdown
    assert "*A/C.9/99/L.1, para. 2 → A/RES/99/1, para. 3 · unchanged, renumbered*" in markdown
    html = render_html(comparison)
    assert "<ins> and island</ins>" in html and "<del>" in html
    doc = Document(io.BytesIO(render_docx(comparison)))
    runs = [run for paragraph in doc.paragraphs for run in paragraph.runs]
    assert any(run.text == " and island" and run.font.underline for run in runs)
    assert any(run.text == ", and encourages" and run.font.strike and not run.font.underline for run in runs)
    assert any(p.text == "A/C.9/99/L.1, para. 2 → A/RES/99/1, para. 3 · unchanged, renumbered" for p in doc.paragraphs)


def test_chinese_text_is_compared_character_by_character() -> None:
    edits = changes(Words("理事会请秘书长报告"), Words("理事会请秘书长提交报告"))
    assert [(c.op.value, c.text) for c in edits] == [("equal", "理事会请秘书长"), ("insert", "提交"), ("equal", "报告")]
