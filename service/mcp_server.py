"""The Model Context Protocol server: the same library calls as the HTTP API, for AI
assistants. Tools: search (with filters), passage (with its neighbours), documents, ask,
mandates, compare, lineage. Resources: wsis://documents, wsis://documents/{doc_id},
wsis://passages/{passage_id}.

`wsis mcp` serves it over stdio; the HTTP app mounts it (streamable HTTP) at /mcp. The
retriever is taken from `current()` at the start of every call, so a live index swap in
the HTTP service applies here too, with each call on one version. Inputs go through the
same checks as HTTP requests (service/limits.py); errors come back as tool errors naming
the cause.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError

from ..core import __version__
from ..core.errors import IndexNotReadyError, WsisError
from ..core.settings import Settings
from ..core.vocabulary import DocType
from ..index.api import Filters, HybridRetriever, SearchResponse, search_response
from ..products.answers.answer import AskResponse, answer_question
from ..products.compare.comparison import Comparison, compare_documents
from ..products.documents.catalog import (
    CitedClauses,
    DocumentDetail,
    DocumentSummary,
    PassageDetail,
    cited_clauses,
    document_detail,
    list_documents,
    passage_detail,
)
from ..products.documents.lineage import DocumentLineage, document_lineage
from ..products.mandates.mandates import MandatesResponse, index_mandates
from .limits import budgeted_k, checked_k, checked_query, clean_strings

INSTRUCTIONS = (
    "Cited retrieval over WSIS documents (UN General Assembly and ITU resolutions, the Global "
    "Digital Compact, an ITU Council report in Chinese). Every clause returned carries its "
    "citation label (e.g. 'A/RES/80/173, para. 121'); quote those labels when you answer."
)


Tool = TypeVar("Tool", bound=Callable[..., Any])


def _reported(tool: Tool) -> Tool:
    """The tool with a domain error (bad input, unknown id, no index) reported to the client
    as a tool error carrying its message; the SDK hides any other exception's text."""

    @functools.wraps(tool)
    def call(*args: Any, **kwargs: Any) -> Any:
        try:
            return tool(*args, **kwargs)
        except (WsisError, ValueError) as error:
            raise ToolError(str(error)) from error

    return call  # type: ignore[return-value]


def build_mcp_server(current: Callable[[], HybridRetriever | None], settings: Settings) -> MCPServer:
    """The MCP server over whatever retriever `current()` returns at each call."""
    server = MCPServer("wsis-rag", version=__version__, instructions=INSTRUCTIONS, log_level="WARNING")

    def retriever() -> HybridRetriever:
        served = current()
        if served is None:
            raise IndexNotReadyError(f"no index is loaded from {settings.index_dir}: build one with `wsis index build`")
        return served

    def filters(
        doc: list[str] | None, lang: list[str] | None, type: list[DocType] | None, year: list[int] | None
    ) -> Filters:
        return Filters(doc=clean_strings(doc or []), lang=clean_strings(lang or []), type=type or [], year=year or [])

    @server.tool()
    @_reported
    def search(
        query: str,
        k: int = 10,
        doc: list[str] | None = None,
        lang: list[str] | None = None,
        type: list[DocType] | None = None,
        year: list[int] | None = None,
    ) -> SearchResponse:
        """Ranked clauses for a query in any corpus language, each with its citation label.
        Filters: doc (ids, symbols or aliases, e.g. 'A/RES/80/173'), lang ('en', 'zh'),
        type (document type), year (of adoption). `missing_documents`: documents the query
        names by symbol that the index does not hold (no result comes from them);
        `missing_clauses`: paragraphs it names that their document does not have."""
        return search_response(
            retriever(), checked_query(query, settings, "query"), checked_k(k, settings), filters(doc, lang, type, year)
        )

    @server.tool()
    @_reported
    def passage(passage_id: str, neighbours: int = 2) -> PassageDetail:
        """One clause by id (e.g. 'a-res-80-173:para-121') with up to `neighbours` (0..10)
        clauses either side in document order."""
        return passage_detail(retriever(), passage_id, max(0, min(neighbours, 10)))

    @server.tool()
    @_reported
    def cite(ref: str) -> CitedClauses:
        """The clauses a citation names, verbatim: 'A/RES/80/173, para. 121', 'GDC para 33(b)',
        'A/RES/79/243, annex, art. 64, para. 3', '第80/173号决议第57段'. Use it to check a
        quotation against its source. `missing_clauses` / `missing_documents`: what the
        citation names that the corpus does not have."""
        return cited_clauses(retriever(), checked_query(ref, settings, "ref"))

    @server.tool()
    @_reported
    def documents() -> list[DocumentSummary]:
        """The documents of the index: id, symbol, title, date, body, type, language."""
        return list_documents(retriever())

    @server.tool()
    @_reported
    def ask(
        question: str,
        k: int = 10,
        doc: list[str] | None = None,
        lang: list[str] | None = None,
    ) -> AskResponse:
        """An extractive answer: sentences quoted verbatim from the best clauses, each with its
        citation marker, language and role (`answer`, or `context` from a document the question
        does not name), and the cited clauses; a sentence with `lead` false is a further clause
        retrieval ranked high, related rather than the answer itself. `support` says how well the corpus supports it:
        `strong`; `weak` (say so when you use it: the corpus may not answer this); `none`
        (declined, `found` false). A question that asks several things is answered per part
        (`parts`, each with its own sentences, citations and support). `missing_documents`:
        documents the question names that the corpus does not hold, `missing_clauses`:
        paragraphs it names that their document does not have (say so)."""
        k = budgeted_k(checked_k(k, settings), 1, settings)
        return answer_question(
            retriever(), checked_query(question, settings, "question"), k, filters(doc, lang, None, None)
        )

    @server.tool()
    @_reported
    def mandates(actor: str, doc: str | None = None) -> MandatesResponse:
        """Operative clauses that assign an actor (e.g. 'ITU', 'UNESCO', '国际电联') a task, role
        or request, across the corpus or in one document (`doc`: id, symbol or alias)."""
        return index_mandates(retriever(), checked_query(actor, settings, "actor"), doc=doc)

    @server.tool()
    @_reported
    def compare(a: str, b: str) -> Comparison:
        """Two versions of a text (e.g. a draft and the resolution adopted from it, or one
        year's resolution and the next's) compared paragraph by paragraph: each pair
        unchanged, changed (with word-level changes), added, deleted, moved, split or merged,
        with both citations; a low-similarity warning when the two are not versions of one text."""
        return compare_documents(retriever(), a, b)

    @server.tool()
    @_reported
    def lineage(doc: str) -> DocumentLineage:
        """What a document (id, symbol or alias, e.g. 'A/RES/79/194') cites and what cites it,
        grouped by the framing verb (recalls, reaffirms, takes note of, ...), each reference with
        its citing clause and the paragraph referred to; its versions (draft, adopted
        resolution, revisions) and its yearly series, oldest first."""
        return document_lineage(retriever(), clean_strings(doc))

    @server.resource("wsis://documents", mime_type="application/json")
    def documents_resource() -> str:
        """Every document of the index."""
        items = list_documents(retriever())
        return "[" + ",".join(d.model_dump_json() for d in items) + "]"

    @server.resource("wsis://documents/{doc_id}", mime_type="application/json")
    def document_resource(doc_id: str) -> str:
        """A document's metadata and clause outline, with each clause's text."""
        detail: DocumentDetail = document_detail(retriever(), doc_id, with_text=True)
        return detail.model_dump_json()

    @server.resource("wsis://passages/{passage_id}", mime_type="application/json")
    def passage_resource(passage_id: str) -> str:
        """One clause with its citation and its two neighbours either side."""
        return passage_detail(retriever(), passage_id, 2).model_dump_json()

    return server
