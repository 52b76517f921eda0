"""POST /brief: a briefing note as Markdown, printable HTML, DOCX or structured JSON."""

from __future__ import annotations

from fastapi import APIRouter, Response

from ...products.briefs.briefing import DEFAULT_K, build_brief
from ...products.briefs.changes import with_changes
from ...products.briefs.render import render
from ...products.rendering import MEDIA_TYPES
from ..deps import RetrieverDep, SettingsDep
from ..limits import HeavySlot, JsonBody, budgeted_k, checked_k, checked_query
from ..schemas import BriefNote, BriefRequest

router = APIRouter(tags=["brief"])

K_HEADER = "X-Clauses-Per-Question"
DOWNLOAD_NAMES = {"md": "briefing-note.md", "html": "briefing-note.html", "docx": "briefing-note.docx"}


@router.post(
    "/brief",
    response_model=BriefNote,
    responses={
        200: {"content": {t: {} for t in MEDIA_TYPES.values()}, "description": "The note in the requested format."}
    },
    dependencies=[JsonBody, HeavySlot],
)
def brief(request: BriefRequest, retriever: RetrieverDep, settings: SettingsDep) -> Response:
    questions = [checked_query(q, settings, field=f"questions[{i}]") for i, q in enumerate(request.questions)]
    asked = checked_k(request.k, settings) if request.k is not None else DEFAULT_K
    # The cost budget: questions x k passages at most; the header says what k was used.
    k = budgeted_k(asked, len(questions), settings)
    note = build_brief(retriever, questions, k=k, filters=request.filters)
    if request.changes:
        note = with_changes(note, retriever)
    used = {K_HEADER: str(k)}
    if request.format == "json":
        return Response(note.model_dump_json(), media_type=MEDIA_TYPES["json"], headers=used)
    disposition = "attachment" if request.format == "docx" else "inline"
    return Response(
        render(note, request.format),
        media_type=MEDIA_TYPES[request.format],
        headers={"Content-Disposition": f'{disposition}; filename="{DOWNLOAD_NAMES[request.format]}"', **used},
    )
