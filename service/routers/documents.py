"""GET /documents, GET /documents/{doc_id} and GET /documents/{doc_id}/lineage: the corpus,
a document's clause outline and versions, and what it cites and what cites it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from ...products.documents.catalog import document_detail, list_documents
from ...products.documents.lineage import document_lineage
from ..deps import RetrieverDep
from ..schemas import DOC_ID_PATTERN, DocumentDetail, DocumentLineage, DocumentList

router = APIRouter(tags=["documents"])

DocId = Annotated[str, Path(pattern=DOC_ID_PATTERN, description="Document id, e.g. 'a-res-80-173'.")]


@router.get("/documents", response_model=DocumentList)
def documents(retriever: RetrieverDep) -> DocumentList:
    return DocumentList(documents=list_documents(retriever))


@router.get("/documents/{doc_id}", response_model=DocumentDetail)
def document(
    doc_id: DocId,
    retriever: RetrieverDep,
    text: Annotated[bool, Query(description="Include each clause's full text in the outline.")] = False,
) -> DocumentDetail:
    return document_detail(retriever, doc_id, with_text=text)


@router.get("/documents/{doc_id}/lineage", response_model=DocumentLineage)
def lineage(doc_id: DocId, retriever: RetrieverDep) -> DocumentLineage:
    """What the document cites and what cites it, grouped by the verb that frames each
    reference (recalls, reaffirms, takes note of, ...), each with its citing clause; its
    versions (draft, adopted resolution, revisions) and its yearly series."""
    return document_lineage(retriever, doc_id)
