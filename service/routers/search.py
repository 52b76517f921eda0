"""GET/POST /search: ranked, cited clauses (the body `wsis search --json` prints)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from ...core.vocabulary import DocType
from ...index.api import Filters, SearchResponse, search_response
from ..deps import RetrieverDep, SettingsDep
from ..limits import QUERY_SCHEMA, JsonBody, QueryInt, checked_k, checked_query
from ..schemas import SearchRequest

router = APIRouter(tags=["search"])


def _json(body: SearchResponse) -> Response:
    """The body rendered by pydantic's serialiser, as is. Returned as a model, FastAPI would
    validate it against `response_model` again and encode it a second way: the body is built
    from validated models, and the route's `response_model` still documents it."""
    return Response(body.model_dump_json(), media_type="application/json")


@router.get("/search", response_model=SearchResponse)
def search_get(
    retriever: RetrieverDep,
    settings: SettingsDep,
    q: Annotated[
        str,
        Query(
            description="The query, in any language of the corpus, with at least one letter or digit.",
            json_schema_extra=QUERY_SCHEMA,
        ),
    ],
    k: Annotated[
        QueryInt | None,
        Query(
            description="Number of results, 1..k_max (default k_default).",
            json_schema_extra={"minimum": 1, "x-wsis-limit": "k_max"},
        ),
    ] = None,
    doc: Annotated[list[str], Query(description="Document id, symbol or alias; repeatable.")] = [],  # noqa: B006
    lang: Annotated[list[str], Query(description="Passage language, e.g. en, zh; repeatable.")] = [],  # noqa: B006
    type: Annotated[list[DocType], Query(description="Document type; repeatable.")] = [],  # noqa: B006
    body: Annotated[list[str], Query(description="Issuing body; repeatable.")] = [],  # noqa: B006
    year: Annotated[list[QueryInt], Query(description="Year of adoption; repeatable.")] = [],  # noqa: B006
) -> Response:
    filters = Filters(doc=doc, lang=lang, type=type, body=body, year=year)
    return _json(search_response(retriever, checked_query(q, settings), checked_k(k, settings), filters))


@router.post("/search", response_model=SearchResponse, dependencies=[JsonBody])
def search_post(request: SearchRequest, retriever: RetrieverDep, settings: SettingsDep) -> Response:
    return _json(
        search_response(
            retriever, checked_query(request.q, settings), checked_k(request.k, settings), request.filters()
        )
    )
