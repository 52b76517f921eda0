"""GET /compare?a=…&b=…: two versions of a text compared paragraph by paragraph (the web
page when a browser asks for HTML)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import FileResponse

from ...core.errors import InvalidRequestError
from ...products.compare.comparison import compare_documents
from ..deps import RetrieverDep
from ..schemas import Comparison
from ..static_files import STATIC_DIR, wants_page

router = APIRouter(tags=["compare"])

DocumentName = Annotated[
    str | None,
    Query(
        min_length=1,
        max_length=200,
        description="A document by id, symbol or alias, e.g. 'A/C.2/80/L.10' (required unless a browser asks for the page).",
        json_schema_extra={"x-wsis-required": True},
    ),
]


@router.get("/compare", response_model=Comparison, responses={200: {"content": {"text/html": {}}}})
def compare(
    request: Request, response: Response, retriever: RetrieverDep, a: DocumentName = None, b: DocumentName = None
) -> Comparison | FileResponse:
    """The paragraphs of `a` and `b` aligned part by part (preamble, operative part, annexes),
    each pair unchanged, changed (with its word-level changes), added, deleted, moved, split or
    merged; a paragraph in place whose number changed is unchanged with `renumbered: true`."""
    # One URL, two representations: caches must not serve the page to the page's fetch.
    response.headers["Vary"] = "Accept"
    if wants_page(request):
        return FileResponse(STATIC_DIR / "compare.html", headers={"Vary": "Accept"})
    if a is None or b is None:
        raise InvalidRequestError("a, b: name the two documents to compare, e.g. ?a=A/C.2/80/L.10&b=A/RES/80/120")
    # Two documents at most, a fraction of a second even for the longest (BENCHMARKS.md):
    # not one of the heavy requests that hold a slot.
    return compare_documents(retriever, a, b)
