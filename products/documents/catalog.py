"""The corpus as the API shows it: documents with clause counts, a document's outline,
a passage with its neighbours. Read from the loaded retriever, never from files."""

from __future__ import annotations

import re

from pydantic import BaseModel, Field

from ...core.vocabulary import Citation, CitedClause, ClauseKind, DocumentMeta, Passage, QuotedClause
from ...core.words import HAN
from ...index.api import HybridRetriever, MissingClause, MissingDocument
from .lineage import VersionEntry, document_versions

FIRST_WORDS = 12
_HAN = re.compile(f"[{HAN}]")


class DocumentSummary(BaseModel):
    meta: DocumentMeta
    clauses: int = Field(description="Distinct citable clauses of the document in the index.")
    passages: int = Field(description="Indexed passages (a long clause may be split into several).")


class OutlineEntry(CitedClause):
    """One passage of a document's outline, in document order."""

    anchor: str
    kind: ClauseKind
    heading_path: list[str]
    piece: int
    pieces: int
    first_words: str
    text: str | None = Field(default=None, description="Full clause text, only with `?text=true`.")


class DocumentDetail(DocumentSummary):
    outline: list[OutlineEntry]
    versions: list[VersionEntry] = Field(
        default_factory=list,
        description="Documents that are versions of this one: its draft or adopted resolution, revisions, "
        "the previous and next resolution of its yearly series.",
    )


class PassageDetail(BaseModel):
    passage: Passage
    citation: Citation
    before: list[Passage] = Field(description="Preceding passages of the same document, nearest last.")
    after: list[Passage] = Field(description="Following passages of the same document, nearest first.")


def first_words(text: str, n: int = FIRST_WORDS) -> str:
    """The opening of a clause: n words, or 3n characters of Chinese (which has no spaces)."""
    if _HAN.search(text[:40]):
        return text[: 3 * n] + ("…" if len(text) > 3 * n else "")
    words = text.split()
    return " ".join(words[:n]) + (" …" if len(words) > n else "")


def document_meta(retriever: HybridRetriever, doc_id: str) -> DocumentMeta:
    """The document a URL path names (NotFoundError, 404, when none)."""
    return retriever.catalog.get(doc_id)


def list_documents(retriever: HybridRetriever) -> list[DocumentSummary]:
    sizes = retriever.document_sizes
    return [
        DocumentSummary(meta=meta, clauses=sizes[meta.id].clauses, passages=sizes[meta.id].passages)
        for meta in retriever.documents
    ]


def document_detail(retriever: HybridRetriever, doc_id: str, *, with_text: bool = False) -> DocumentDetail:
    meta = document_meta(retriever, doc_id)
    passages = retriever.document_passages(meta.id)
    outline = [
        OutlineEntry.from_passage(
            p,
            anchor=p.anchor,
            kind=p.kind,
            heading_path=p.heading_path,
            piece=p.piece,
            pieces=p.pieces,
            first_words=first_words(p.text),
            text=p.text if with_text else None,
        )
        for p in passages
    ]
    size = retriever.document_sizes[meta.id]
    return DocumentDetail(
        meta=meta,
        clauses=size.clauses,
        passages=size.passages,
        outline=outline,
        versions=document_versions(retriever, meta.id),
    )


def passage_detail(retriever: HybridRetriever, passage_id: str, n: int) -> PassageDetail:
    passage = retriever.get(passage_id)
    neighbours = retriever.neighbours(passage_id, n)
    return PassageDetail(
        passage=passage,
        citation=passage.citation,
        before=[p for p in neighbours if p.order < passage.order],
        after=[p for p in neighbours if p.order > passage.order],
    )


class CitedClauses(BaseModel):
    """Body of `GET /cite`: the clauses a citation names, verbatim."""

    ref: str
    clauses: list[QuotedClause] = Field(
        description="The clauses the citation names, each before its subclauses (a paragraph's lettered "
        "subparagraphs, an article's paragraphs), as the index holds them (a long clause in several pieces)."
    )
    missing_clauses: list[MissingClause] = Field(description="Paragraphs it names that their document does not have.")
    missing_documents: list[MissingDocument] = Field(description="Documents it names that the index does not hold.")


def cited_clauses(retriever: HybridRetriever, ref: str) -> CitedClauses:
    """What a citation ("A/RES/80/173, para. 121", "GDC para 33(b)", "第79/243号决议第64条")
    names in the index: the tool with which a quotation is checked against its source."""
    return CitedClauses(
        ref=ref,
        clauses=[QuotedClause.from_passage(p) for p in retriever.named_clauses(ref)],
        missing_clauses=retriever.missing_clauses(ref),
        missing_documents=retriever.missing_documents(ref),
    )
