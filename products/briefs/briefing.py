"""Briefing notes: for one or more questions, the key clauses of the corpus quoted verbatim,
grouped by document, with citations, links, references and the scope of the search.

The note is built from passages only: every quoted text is a `Passage.text`, every label a
`Passage.label`, every reference a manifest entry. The renderers (brief_render.py) add
nothing but the fixed headings and labels they declare.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

from pydantic import BaseModel, Field

from ...core.errors import InvalidRequestError
from ...core.vocabulary import ClauseKind, DocType, DocumentMeta, Passage, QuotedClause
from ...corpus.manifest import load_manifest
from ...index.api import DocumentCatalog, DocumentMentions, Filters, Hit
from ..mandates.mandates import document_order_key, index_mandates
from ..mandates.rules import load_rules
from .changes import DocumentChanges

# A question asks for mandates when it names an actor and uses one of these words:
# "What does A/RES/80/173 assign to ITU?", "ITU's role", "国际电联的职责".
MANDATE_CUE = re.compile(
    r"assign|role|mandate|task|request|responsib|invite|call(?:s|ed)? (?:up)?on|entrust|"
    r"职责|作用|任务|要求|授权",
    re.IGNORECASE,
)

# Relevance cut over the fused ranking, calibrated on the dev set with
# `python -m wsis_rag.eval.brief_calibration` (figures in docs/mandates.md): a hit is
# kept when it is among the first `always_keep`, or when at least `min_agreeing` signals
# put it in their own top `agreeing_rank` and its fused score is at least
# `min_score_ratio` of the best hit's. Titles, headings and footnotes are never key
# clauses: they match the words of a question without saying anything about it.
SEARCH_DEPTH = 20
DEFAULT_K = 12  # searched clauses per question at most (mandate clauses come on top)
ALWAYS_KEEP = 0
AGREEING_RANK = 5
MIN_AGREEING = 2
MIN_SCORE_RATIO = 0.7
NOT_KEY_KINDS = {ClauseKind.TITLE, ClauseKind.HEADING, ClauseKind.FOOTNOTE}


@dataclass(frozen=True)
class CutConfig:
    always_keep: int = ALWAYS_KEEP
    agreeing_rank: int = AGREEING_RANK
    min_agreeing: int = MIN_AGREEING
    min_score_ratio: float = MIN_SCORE_RATIO


class Searchable(Protocol):
    """What a briefing needs from the retrieval API (HybridRetriever has it)."""

    @property
    def passages(self) -> Sequence[Passage]: ...

    @property
    def documents(self) -> Sequence[DocumentMeta]: ...

    @property
    def catalog(self) -> DocumentCatalog: ...

    @property
    def languages(self) -> frozenset[str]: ...

    def get(self, passage_id: str) -> Passage: ...

    def document_passages(self, doc_id: str) -> list[Passage]: ...

    def search(self, query: str, k: int = 10, filters: Filters | None = None) -> list[Hit]: ...


class KeyClause(QuotedClause):
    """A key clause of a note; `text` is `Passage.text`, verbatim."""

    why: list[Literal["search", "mandate"]] = Field(description="How the clause was chosen.")


class DocumentClauses(BaseModel):
    doc_id: str
    symbol: str
    title: str
    doc_type: DocType
    clauses: list[KeyClause]


class QuestionSection(BaseModel):
    question: str
    actor: str | None = Field(default=None, description="Actor whose mandate clauses were added, if any.")
    documents: list[DocumentClauses]

    @property
    def found(self) -> bool:
        return bool(self.documents)


class Reference(BaseModel):
    doc_id: str
    symbol: str
    title: str
    date: str | None = None
    url: str | None = None


class Scope(BaseModel):
    documents: list[str] = Field(description="Symbols of the documents searched.")
    languages: list[str]
    queries: int
    not_found: list[str] = Field(description="Questions for which no clause passed the relevance cut.")
    missing_documents: list[str] = Field(description="Symbols of manifest documents not present locally.")


class BriefNote(BaseModel):
    """The structured note; `POST /brief` with format=json returns it as is."""

    subject: str | None = Field(default=None, description="The question, when the note answers only one.")
    questions: list[str]
    sections: list[QuestionSection]
    references: list[Reference]
    scope: Scope
    changes: list[DocumentChanges] = Field(
        default_factory=list,
        description="With `changes`: what changed in each quoted document since its earlier version.",
    )


def indexed_documents(retriever: Searchable) -> dict[str, DocumentMeta]:
    """The retriever's documents by id."""
    return {d.id: d for d in retriever.documents}


def _doc_sort_key(meta: DocumentMeta) -> tuple[int, int, str]:
    return document_order_key(meta.type, meta.date, meta.id)


def documents_named_in(question: str, documents: dict[str, DocumentMeta]) -> list[str]:
    """Ids of the indexed documents the question names by symbol, short name or alias,
    found the way retrieval finds them (index/references.py)."""
    return [doc_id for doc_id, _ in DocumentMentions(list(documents.values())).find(question)]


def key_hits(hits: list[Hit], cut: CutConfig = CutConfig()) -> list[Hit]:
    """The hits above the relevance cut (see the constants above)."""
    candidates = [h for h in hits if h.passage.kind not in NOT_KEY_KINDS]
    if not candidates:
        return []
    best = candidates[0].score
    kept = []
    for position, hit in enumerate(candidates, 1):
        agreeing = sum(1 for rank in hit.signals.values() if rank <= cut.agreeing_rank)
        if position <= cut.always_keep or (agreeing >= cut.min_agreeing and hit.score >= cut.min_score_ratio * best):
            kept.append(hit)
    return kept


def _mandate_actor(question: str) -> str | None:
    if not MANDATE_CUE.search(question):
        return None
    named = load_rules().actors_named_in(question)
    return named[0].id if named else None


def _section(retriever: Searchable, question: str, k: int, filters: Filters | None) -> QuestionSection:
    documents = indexed_documents(retriever)
    named_docs = documents_named_in(question, documents)
    if filters is None and named_docs:
        filters = Filters(doc=named_docs)
    chosen: dict[str, KeyClause] = {}

    def add(passage: Passage, why: Literal["search", "mandate"]) -> None:
        clause = chosen.get(passage.id)
        if clause is None:
            chosen[passage.id] = KeyClause.from_passage(passage, why=[why])
        elif why not in clause.why:
            clause.why.append(why)

    for hit in key_hits(retriever.search(question, k=max(k, SEARCH_DEPTH), filters=filters))[:k]:
        add(hit.passage, "search")

    actor = _mandate_actor(question)
    if actor:
        catalog = DocumentCatalog(documents.values())
        wanted_docs = {catalog.resolve(name).id for name in filters.doc} if filters and filters.doc else None
        for mandate in index_mandates(retriever, actor).mandates:
            if wanted_docs is None or mandate.doc_id in wanted_docs:
                for pid in mandate.passage_ids:
                    add(retriever.get(pid), "mandate")

    return QuestionSection(question=question, actor=actor, documents=_group(chosen.values(), documents))


def _group(clauses: Iterable[KeyClause], documents: dict[str, DocumentMeta]) -> list[DocumentClauses]:
    by_doc: dict[str, list[KeyClause]] = {}
    for clause in clauses:
        by_doc.setdefault(clause.id.split(":")[0], []).append(clause)
    metas = sorted((documents[d] for d in by_doc), key=_doc_sort_key)
    return [
        DocumentClauses(
            doc_id=m.id,
            symbol=m.symbol,
            title=m.title,
            doc_type=m.type,
            clauses=sorted(by_doc[m.id], key=lambda c: c.order),
        )
        for m in metas
    ]


def _scope(retriever: Searchable, sections: list[QuestionSection], queries: int) -> Scope:
    documents = indexed_documents(retriever)
    indexed = sorted(documents.values(), key=_doc_sort_key)
    return Scope(
        documents=[m.symbol for m in indexed],
        languages=sorted(retriever.languages),
        queries=queries,
        not_found=[s.question for s in sections if not s.found],
        missing_documents=[e.meta.symbol for e in load_manifest().documents if e.id not in documents],
    )


def build_brief(
    retriever: Searchable,
    questions: list[str],
    *,
    k: int | None = None,
    filters: Filters | None = None,
) -> BriefNote:
    """A briefing note answering `questions` with at most `k` (default DEFAULT_K) searched
    clauses each, plus, for a question about an actor's role, every mandate clause of
    that actor."""
    questions = [q.strip() for q in questions if q.strip()]
    if not questions:
        raise InvalidRequestError("questions: give at least one non-empty question or topic.")
    k = DEFAULT_K if k is None else k
    if k < 1:
        raise InvalidRequestError(f"k: {k} is out of range; it must be at least 1.")
    sections = [_section(retriever, q, k, filters) for q in questions]
    cited = {d.doc_id for s in sections for d in s.documents}
    documents = indexed_documents(retriever)
    references = [
        Reference(doc_id=m.id, symbol=m.symbol, title=m.title, date=m.date, url=m.url)
        for m in sorted((documents[d] for d in cited), key=_doc_sort_key)
    ]
    return BriefNote(
        subject=questions[0] if len(questions) == 1 else None,
        questions=questions,
        sections=sections,
        references=references,
        scope=_scope(retriever, sections, len(questions)),
    )
