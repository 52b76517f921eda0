"""POST /brief: a briefing note as Markdown, printable HTML, DOCX or structured JSON."""

from __future__ import annotations

from fastapi import APIRouter, Response

from ...core.errors import InvalidRequestError
from ...products.briefs.briefing import build_brief
from ...products.briefs.render import MEDIA_TYPES, render
from ..deps import RetrieverDep, SettingsDep
from ..limits import checked_k, checked_query
from ..schemas import MAX_QUESTIONS, BriefNote, BriefRequest

router = APIRouter(tags=["brief"])

DOWNLOAD_NAMES = {"md": "briefing-note.md", "html": "briefing-note.html", "docx": "briefing-note.docx"}


@router.post(
    "/brief",
    response_model=BriefNote,
    responses={
        200: {"content": {t: {} for t in MEDIA_TYPES.values()}, "description": "The note in the requested format."}
    },
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
