"""The pages for people: the search page at / and a document's outline view."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter
from fastapi import Path as PathParam
from fastapi.responses import FileResponse

from ...products.documents.catalog import document_meta
from ..deps import RetrieverDep
from ..schemas import DOC_ID_PATTERN
from ..static_files import STATIC_DIR

router = APIRouter(tags=["pages"], include_in_schema=False)


@router.get("/")
def search_page() -> FileResponse:
    return FileResponse(STATIC_DIR / "index.html")


@router.get("/documents/{doc_id}/view")
def document_page(doc_id: Annotated[str, PathParam(pattern=DOC_ID_PATTERN)], retriever: RetrieverDep) -> FileResponse:
    """The document's clauses with an anchor each (filled in by document.js from the API)."""
    document_meta(retriever, doc_id)  # unknown document: 404 before serving the page
    return FileResponse(STATIC_DIR / "document.html")
