"""Briefing notes over the mini-corpus: the clauses chosen, and the three renderings, which
quote the passages verbatim, cite them and add nothing but their declared template lines."""

from __future__ import annotations

import io
import re
import zipfile

import pytest

from wsis_rag.index.retriever import HybridRetriever
from wsis_rag.products.briefs.briefing import BriefNote, build_brief
from wsis_rag.products.briefs.render import (
    TEMPLATE_LINES,
    render,
    render_html,
    render_markdown,
    template_regex,
)


@pytest.fixture(scope="module")
def note(mini_retriever: HybridRetriever) -> BriefNote:
    return build_brief(mini_retriever, ["What does A/RES/99/7 request of ITU?", "人工智能治理"])


def test_a_role_question_adds_the_actors_mandate_clauses(note: BriefNote) -> None:
    first = note.sections[0]
    assert first.actor == "itu"
    clauses = {c.id: c for d in first.documents for c in d.clauses}
    assert "mandate" in clauses["mini-res:para-2"].why
    # The question names the resolution: only its clauses are searched.
    assert [d.doc_id for d in first.documents] == ["mini-res"]


def test_references_and_scope(note: BriefNote) -> None:
    cited = {d.doc_id for s in note.sections for d in s.documents}
    assert [r.doc_id for r in note.references] == sorted(cited, key=["mini-res", "mini-report"].index)
    assert note.scope.documents == ["A/RES/99/7", "C99/12"]  # resolution before report
    assert note.scope.languages == ["en", "zh"] and note.scope.queries == 2


def test_markdown_quotes_every_clause_verbatim_with_its_label(note: BriefNote, mini_retriever: HybridRetriever) -> None:
    md = render_markdown(note)
    for clause in (c for s in note.sections for d in s.documents for c in d.clauses):
        assert f"> {mini_retriever.get(clause.id).text}" in md
        assert clause.label in md
    assert "[A/RES/99/7, para. 2](https://example.org/A/RES/99/7)" in md  # linked when the source has a URL


def test_markdown_adds_only_template_lines(note: BriefNote) -> None:
    clauses = [c for s in note.sections for d in s.documents for c in d.clauses]
    quoted = {c.text for c in clauses}
    cited = {f"[{c.label}]({c.url})" if c.url else c.label for c in clauses}
    data = cited | set(note.questions) | {f"{i}. {q}" for i, q in enumerate(note.questions, 1)}
    patterns = [template_regex(t) for t in TEMPLATE_LINES]
    for line in render_markdown(note).splitlines():
        text = re.sub(r"^(?:#+ |> — |> )", "", line).rstrip()
        if not text or text == ">" or text.startswith("|") or text in quoted or text in data:
            continue
        assert any(p.match(text) for p in patterns), line


def test_html_escapes_and_marks_the_language(mini_retriever: HybridRetriever) -> None:
    html = render_html(build_brief(mini_retriever, ["<b>connectivity</b> for schools"]))
    assert "<b>connectivity</b>" not in html and "&lt;b&gt;connectivity&lt;/b&gt;" in html
    assert '<blockquote lang="en" id="mini-res:para-3-b">' in html


def test_docx_holds_the_quoted_text(note: BriefNote) -> None:
    with zipfile.ZipFile(io.BytesIO(render(note, "docx"))) as docx:
        body = docx.read("word/document.xml").decode("utf-8")
    assert "Requests the International Telecommunication Union to report annually" in body
    assert "人工智能治理需要多利益攸关方参与。" in body


def test_a_question_nothing_answers_is_said_so(mini_retriever: HybridRetriever) -> None:
    empty = build_brief(mini_retriever, ["zzqx"])
    assert not empty.sections[0].found and empty.scope.not_found == ["zzqx"]
    assert "No relevant clause found." in render_markdown(empty)
