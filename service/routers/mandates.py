"""The mandate view: GET /mandates?actor=ITU (corpus-wide; the web page when a browser
asks for HTML), GET /documents/{doc_id}/mandates?actor=ITU, GET /mandates/actors."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.responses import FileResponse

from ...core.errors import InvalidRequestError, NotFoundError
from ...products.mandates.mandates import index_mandates
from ...products.mandates.rules import load_rules
from ..deps import RetrieverDep
from ..schemas import DOC_ID_PATTERN, ActorInfo, MandatesResponse
from ..static_files import STATIC_DIR, wants_page

router = APIRouter(tags=["mandates"])

ActorQuery = Annotated[
    str, Query(min_length=1, max_length=200, description="Actor name or alias, e.g. ITU, 国际电联, UNGIS.")
]


def _known_actor(actor: str) -> str:
    # Any string is a well-formed actor name; one the rules do not know is not there (404).
    try:
        load_rules().resolve_actor(actor)
    except InvalidRequestError as error:
        raise NotFoundError(str(error)) from error
    return actor


@router.get("/mandates", response_model=MandatesResponse, responses={200: {"content": {"text/html": {}}}})
def corpus_mandates(
    request: Request,
    response: Response,
    retriever: RetrieverDep,
    actor: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=200,
            description="Actor name or alias, e.g. ITU, 国际电联, UNGIS (required unless a browser asks for the page).",
            # Stated as required in the schema: only a browser's page request may omit it.
            json_schema_extra={"x-wsis-required": True},
        ),
    ] = None,
    doc: Annotated[str | None, Query(max_length=200, description="Only this document (id, symbol or alias).")] = None,
) -> MandatesResponse | FileResponse:
    """Operative clauses of the whole corpus (or of `doc`) that assign `actor` a task, role or request."""
    # One URL, two representations: caches must not serve the page to the page's fetch.
    response.headers["Vary"] = "Accept"
    if wants_page(request):
        return FileResponse(STATIC_DIR / "mandates.html", headers={"Vary": "Accept"})
    if actor is None:
        raise InvalidRequestError("actor: name an actor, e.g. ?actor=ITU")
    if doc is not None:
        return index_mandates(retriever, _known_actor(actor), doc=doc)
    # The first corpus-wide view of an actor reads every clause of the index: a heavy request.
    with request.app.state.heavy_slots.held():
        return index_mandates(retriever, _known_actor(actor))


@router.get("/mandates/actors", response_model=list[ActorInfo])
def actors() -> list[ActorInfo]:
    """The actors the mandate view knows, with the names it matches."""
    return [ActorInfo(id=a.id, name=a.name, aliases=a.aliases) for a in load_rules().actors]


@router.get("/documents/{doc_id}/mandates", response_model=MandatesResponse)
def document_mandates(
    doc_id: Annotated[str, Path(pattern=DOC_ID_PATTERN, description="Document id, e.g. 'a-res-80-173'.")],
    retriever: RetrieverDep,
    actor: ActorQuery,
) -> MandatesResponse:
    """Operative clauses of one document that assign `actor` a task, role or request."""
    retriever.catalog.get(doc_id)  # an id in the path that names no document: 404
    return index_mandates(retriever, _known_actor(actor), doc=doc_id)
