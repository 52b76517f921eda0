"""GET /passages/{passage_id}: one clause with its neighbours in document order."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from ...products.documents.catalog import passage_detail
from ..deps import RetrieverDep
from ..schemas import PASSAGE_ID_PATTERN, PassageDetail

router = APIRouter(tags=["passages"])


@router.get("/passages/{passage_id}", response_model=PassageDetail)
def passage(
    passage_id: Annotated[
        str, Path(pattern=PASSAGE_ID_PATTERN, description="Passage id, e.g. 'a-res-80-173:para-121'.")
    ],
    retriever: RetrieverDep,
    n: Annotated[int, Query(ge=0, le=10, description="Neighbours on each side.")] = 2,
) -> PassageDetail:
    return passage_detail(retriever, passage_id, n)
