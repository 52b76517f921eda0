"""GET /documents and GET /documents/{doc_id}: the corpus and a document's clause outline."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from ...products.documents.catalog import document_detail, list_documents
from ..deps import RetrieverDep
from ..schemas import DOC_ID_PATTERN, DocumentDetail, DocumentList

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
