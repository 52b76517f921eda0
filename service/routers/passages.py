"""GET /passages/{passage_id}: one clause with its neighbours in document order; GET /cite:
the clauses a citation names."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from ...products.documents.catalog import CitedClauses, cited_clauses, passage_detail
from ..deps import RetrieverDep, SettingsDep
from ..limits import QUERY_SCHEMA, checked_query
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


@router.get("/cite", response_model=CitedClauses)
def cite(
    ref: Annotated[
        str,
        Query(
            description="A citation as printed or as delegates write it: 'A/RES/80/173, para. 121', "
            "'GDC para 33(b)', 'A/RES/79/243, annex, art. 64, para. 3', '第80/173号决议第57段'.",
            json_schema_extra=QUERY_SCHEMA,
        ),
    ],
    retriever: RetrieverDep,
    settings: SettingsDep,
) -> CitedClauses:
    return cited_clauses(retriever, checked_query(ref, settings, "ref"))
