"""POST /ask: an extractive answer with citation markers and its support (logic in products/answers/)."""

from __future__ import annotations

from fastapi import APIRouter

from ...products.answers.answer import answer_question
from ..deps import RetrieverDep, SettingsDep
from ..limits import HeavySlot, JsonBody, budgeted_k, checked_k, checked_query
from ..schemas import AskRequest, AskResponse

router = APIRouter(tags=["ask"])


@router.post("/ask", response_model=AskResponse, dependencies=[JsonBody, HeavySlot])
def ask(request: AskRequest, retriever: RetrieverDep, settings: SettingsDep) -> AskResponse:
    question = checked_query(request.question, settings, field="question")
    k = budgeted_k(checked_k(request.k, settings), 1, settings)
    return answer_question(retriever, question, k, request.filters)
