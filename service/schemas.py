"""Every request and response body of the HTTP API. Response bodies that a product
builds (answers, briefs, mandates, outlines, comparisons) are that product's models, re-exported here;
the bodies (the search body itself is
`wsis_rag.index.api.SearchResponse`, shared with `wsis search --json`)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, model_validator

from ..index.api import Filters
from ..products.answers.answer import AnswerCitation, AskResponse
from ..products.briefs.briefing import BriefNote
from ..products.briefs.render import BriefFormat
from ..products.compare.comparison import Comparison
from ..products.documents.catalog import DocumentDetail, DocumentSummary, OutlineEntry, PassageDetail
from ..products.documents.lineage import DocumentLineage, VersionEntry
from ..products.mandates.mandates import MandatesResponse
from .limits import QUERY_SCHEMA, BodyInt, BodyK, clean_strings

MAX_QUESTIONS = 20


class CleanRequest(BaseModel):
    """A request body whose every string (filters included) is cleaned or refused by
    `limits.clean_text` before any field is validated."""

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _clean(cls, data: Any) -> Any:
        return clean_strings(data)


class RequestFilters(Filters):
    """`Filters` as a request body gives them: years are JSON integers (no `true`, no "2024")."""

    year: list[BodyInt] = Field(default_factory=list, description="Years of adoption.")


class SearchRequest(RequestFilters, CleanRequest):
    """Body of `POST /search`: the query, the number of results and the filters of `GET /search`."""

    model_config = ConfigDict(extra="forbid")

    q: str = Field(
        description="The query, in any language of the corpus, with at least one letter or digit.",
        json_schema_extra=QUERY_SCHEMA,
    )
    k: BodyK | None = Field(default=None, description="Number of results (1..k_max); the server default when omitted.")

    def filters(self) -> Filters:
        return Filters(doc=self.doc, lang=self.lang, type=self.type, body=self.body, year=self.year)


class AskRequest(CleanRequest):
    question: str = Field(
        description="The question, with at least one letter or digit.", json_schema_extra=QUERY_SCHEMA
    )
    k: BodyK | None = Field(
        default=None, description="Passages retrieved to answer from (1..k_max, and at most max_passages_per_request)."
    )
    filters: RequestFilters = Field(default_factory=RequestFilters)


class DocumentList(BaseModel):
    documents: list[DocumentSummary]


class Health(BaseModel):
    status: str = "ok"


class Readiness(BaseModel):
    status: str = "ready"
    documents: int
    passages: int
    index: dict[str, Any] = Field(
        description="What the retriever reports about the index version it serves (version, built_at, signals, ...)."
    )
    swap_error: str | None = Field(
        default=None, description="Why the newest published version is not served (it failed its checks)."
    )


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


class BriefRequest(CleanRequest):
    questions: list[Annotated[str, Field(json_schema_extra=QUERY_SCHEMA)]] = Field(
        min_length=1, max_length=MAX_QUESTIONS, description=f"Topics or questions, 1..{MAX_QUESTIONS}."
    )
    format: Literal["md", "html", "docx", "json"] = "md"
    k: BodyK | None = Field(
        default=None,
        description=(
            "At most this many searched clauses per question (1..k_max); lowered so that questions x k "
            "stays within max_passages_per_request."
        ),
    )
    filters: RequestFilters | None = Field(
        default=None, description="Restrict the search; by default a question naming a document searches that document."
    )
    changes: StrictBool = Field(
        default=False,
        description="Add what changed in each quoted document since its earlier version (last session's "
        "resolution of the same title, or its draft).",
    )


class ActorInfo(BaseModel):
    id: str
    name: str
    aliases: list[str]


__all__ = [
    "ActorInfo",
    "AnswerCitation",
    "AskRequest",
    "AskResponse",
    "BriefFormat",
    "BriefNote",
    "BriefRequest",
    "Comparison",
    "DOC_ID_PATTERN",
    "MAX_QUESTIONS",
    "DocumentDetail",
    "DocumentLineage",
    "DocumentList",
    "DocumentSummary",
    "Health",
    "MandatesResponse",
    "OutlineEntry",
    "PASSAGE_ID_PATTERN",
    "PassageDetail",
    "Problem",
    "Readiness",
    "SearchRequest",
    "VersionEntry",
]
