"""Request and response bodies of the HTTP API (the search body itself is
`wsis_rag.index.results.SearchResponse`, shared with `wsis search --json`)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from wsis_rag.index.results import Filters
from wsis_rag.ingest.model import Citation, ClauseKind, DocumentMeta, Passage


class SearchRequest(Filters):
    """Body of `POST /search`: the query, the number of results and the filters of `GET /search`."""

    model_config = ConfigDict(extra="forbid")

    q: str = Field(description="The query, in any language of the corpus; at most max_query_chars (422 beyond).")
    k: int | None = Field(default=None, description="Number of results (1..k_max); the server default when omitted.")

    def filters(self) -> Filters:
        return Filters(doc=self.doc, lang=self.lang, type=self.type, body=self.body, year=self.year)


class AskRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    question: str
    k: int | None = Field(default=None, description="Passages retrieved to answer from (1..k_max).")
    filters: Filters = Field(default_factory=Filters)


class AnswerCitation(BaseModel):
    """A passage cited by the answer; `n` is its marker `[n]` in the answer text."""

    n: int
    id: str
    label: str
    text: str = Field(description="The full clause text as cited.")
    citation: Citation


class AskResponse(BaseModel):
    question: str
    answer: str = Field(description="Verbatim sentences of the cited clauses, each followed by its marker `[n]`.")
    citations: list[AnswerCitation]
    found: bool = Field(description="False when no retrieved clause answers the question; `answer` then says so.")
    took_ms: float


class DocumentSummary(BaseModel):
    meta: DocumentMeta
    clauses: int = Field(description="Distinct citable clauses of the document in the index.")
    passages: int = Field(description="Indexed passages (a long clause may be split into several).")


class DocumentList(BaseModel):
    documents: list[DocumentSummary]


class OutlineEntry(BaseModel):
    """One passage of a document's outline, in document order."""

    id: str
    anchor: str
    locator: str
    label: str
    kind: ClauseKind
    heading_path: list[str]
    piece: int
    pieces: int
    first_words: str
    text: str | None = Field(default=None, description="Full clause text, only with `?text=true`.")


class DocumentDetail(DocumentSummary):
    outline: list[OutlineEntry]


class PassageDetail(BaseModel):
    passage: Passage
    citation: Citation
    before: list[Passage] = Field(description="Preceding passages of the same document, nearest last.")
    after: list[Passage] = Field(description="Following passages of the same document, nearest first.")


class Health(BaseModel):
    status: str = "ok"


class Readiness(BaseModel):
    status: str = "ready"
    documents: int
    passages: int
    index: dict[str, Any] = Field(description="What the retriever reports about its index (version, signals, ...).")


class Problem(BaseModel):
    """RFC 9457 problem details, the body of every error response (`application/problem+json`)."""

    type: str
    title: str
    status: int
    detail: str
    instance: str
    errors: list[dict[str, Any]] | None = Field(default=None, description="Field errors of a 422.")


# Ids accepted in URL paths. Strict on purpose: ids are looked up in the index, never used
# as file names, and anything else (slashes, dots-only segments, control characters) is a 422.
DOC_ID_PATTERN = r"^[a-z0-9][a-z0-9-]{0,63}$"
PASSAGE_ID_PATTERN = r"^[a-z0-9][a-z0-9-]{0,63}:[\w][\w.-]{0,127}(~[0-9]{1,4})?$"
