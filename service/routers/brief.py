"""POST /brief: a briefing note as Markdown, printable HTML, DOCX or structured JSON."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Response
from pydantic import BaseModel, ConfigDict, Field

from wsis_rag.errors import InvalidRequestError
from wsis_rag.index.results import Filters
from wsis_rag.service.brief_render import MEDIA_TYPES, render
from wsis_rag.service.briefing import BriefNote, build_brief
from wsis_rag.service.deps import RetrieverDep, SettingsDep
from wsis_rag.service.limits import checked_k, checked_query

router = APIRouter(tags=["brief"])

MAX_QUESTIONS = 20
DOWNLOAD_NAMES = {"md": "briefing-note.md", "html": "briefing-note.html", "docx": "briefing-note.docx"}


class BriefRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    questions: list[str] = Field(description=f"Topics or questions, 1..{MAX_QUESTIONS}.")
    format: Literal["md", "html", "docx", "json"] = "md"
    k: int | None = Field(default=None, description="At most this many searched clauses per question (1..k_max).")
    filters: Filters | None = Field(default=None, description="Restrict the search; by default a question naming a document searches that document.")


@router.post(
    "/brief",
    response_model=BriefNote,
    responses={200: {"content": {t: {} for t in MEDIA_TYPES.values()}, "description": "The note in the requested format."}},
)
def brief(request: BriefRequest, retriever: RetrieverDep, settings: SettingsDep) -> Response:
    if not 1 <= len(request.questions) <= MAX_QUESTIONS:
        raise InvalidRequestError(f"questions: give 1 to {MAX_QUESTIONS} questions, not {len(request.questions)}.")
    questions = [checked_query(q, settings, field=f"questions[{i}]") for i, q in enumerate(request.questions)]
    k = checked_k(request.k, settings) if request.k is not None else None
    note = build_brief(retriever, questions, k=k, filters=request.filters)
    if request.format == "json":
        return Response(note.model_dump_json(), media_type=MEDIA_TYPES["json"])
    disposition = "attachment" if request.format == "docx" else "inline"
    return Response(
        render(note, request.format),
        media_type=MEDIA_TYPES[request.format],
        headers={"Content-Disposition": f'{disposition}; filename="{DOWNLOAD_NAMES[request.format]}"'},
    )
