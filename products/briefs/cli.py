"""`wsis brief`: a thin layer over briefing.build_brief, reading the built index."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, cast

import typer

from ...core.settings import get_settings
from ..rendering import check_output, write_output

if TYPE_CHECKING:
    from .render import BriefFormat


def _read_questions(path: Path) -> list[str]:
    """One question per non-empty line; lines starting with # are comments."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


def brief(
    question: Annotated[
        str | None, typer.Argument(help="A topic or question, e.g. 'What does A/RES/80/173 assign to ITU?'.")
    ] = None,
    questions: Annotated[
        Path | None,
        typer.Option(
            "--questions", help="File with one question per line (added after QUESTION).", exists=True, dir_okay=False
        ),
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="md, html, docx or json.")] = "md",
    out: Annotated[
        Path | None, typer.Option("--out", help="File to write (default: standard output; required for docx).")
    ] = None,
    k: Annotated[int | None, typer.Option(help="At most this many searched clauses per question (default 12).")] = None,
    changes: Annotated[
        bool, typer.Option("--changes", help="Add what changed in each quoted document since its earlier version.")
    ] = False,
) -> None:
    """A briefing note: the key clauses for each question, quoted verbatim with citations."""
    from ...index.api import load_retriever
    from .briefing import build_brief
    from .changes import with_changes
    from .render import render

    check_output(fmt, out, "note")
    asked = ([question] if question else []) + (_read_questions(questions) if questions else [])
    retriever = load_retriever(get_settings())
    note = build_brief(retriever, asked, k=k)
    if changes:
        note = with_changes(note, retriever)
    # `fmt` was checked by check_output above: anything but json is a BriefFormat.
    data = note.model_dump_json(indent=2).encode() if fmt == "json" else render(note, cast("BriefFormat", fmt))
    write_output(data, out)


def register(app: typer.Typer) -> None:
    """Add this area's commands to `app`."""
    app.command("brief")(brief)
