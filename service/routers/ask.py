"""POST /ask: an extractive answer with citation markers (logic in service/answer.py)."""

from __future__ import annotations

from fastapi import APIRouter

from ...products.answers.answer import answer_question
from ..deps import RetrieverDep, SettingsDep
from ..limits import checked_k, checked_query
from ..schemas import AskRequest, AskResponse

router = APIRouter(tags=["ask"])


@router.post("/ask", response_model=AskResponse)
def ask(request: AskRequest, retriever: RetrieverDep, settings: SettingsDep) -> AskResponse:
    question = checked_query(request.question, settings, field="question")
    return answer_question(retriever, question, checked_k(request.k, settings), request.filters)
