"""`wsis brief` and `wsis mandates`: thin layers over briefing.build_brief and
mandates.mandates_response, reading the built index."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from wsis_rag.errors import WsisError
from wsis_rag.settings import get_settings

if TYPE_CHECKING:
    from wsis_rag.index.retriever import HybridRetriever

FORMATS = ("md", "html", "docx", "json")


def _retriever() -> HybridRetriever:
    from wsis_rag.index.store import load_retriever

    return load_retriever(get_settings())


def _fail(message: str) -> typer.Exit:
    Console(stderr=True).print(f"[red]error:[/] {message}", highlight=False)
    return typer.Exit(code=1)


def _read_questions(path: Path) -> list[str]:
    """One question per non-empty line; lines starting with # are comments."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


def brief(
    question: Annotated[str | None, typer.Argument(help="A topic or question, e.g. 'What does A/RES/80/173 assign to ITU?'.")] = None,
    questions: Annotated[
        Path | None, typer.Option("--questions", help="File with one question per line (added after QUESTION).", exists=True, dir_okay=False)
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="md, html, docx or json.")] = "md",
    out: Annotated[Path | None, typer.Option("--out", help="File to write (default: standard output; required for docx).")] = None,
    k: Annotated[int | None, typer.Option(help="At most this many searched clauses per question (default 12).")] = None,
) -> None:
    """A briefing note: the key clauses for each question, quoted verbatim with citations."""
    from wsis_rag.service.brief_render import render
    from wsis_rag.service.briefing import build_brief

    if fmt not in FORMATS:
        raise _fail(f"--format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    if fmt == "docx" and out is None:
        raise _fail("a DOCX note is binary: name the file with --out note.docx")
    asked = ([question] if question else []) + (_read_questions(questions) if questions else [])
    try:
        note = build_brief(_retriever(), asked, k=k)
    except WsisError as error:
        raise _fail(str(error)) from error
    data = note.model_dump_json(indent=2).encode() if fmt == "json" else render(note, fmt)
    if out is None:
        sys.stdout.write(data.decode("utf-8"))
        return
    try:
        out.write_bytes(data)
    except OSError as error:
        raise _fail(f"{out}: {error.strerror}") from error
    Console(stderr=True).print(f"wrote {out} ({len(data):,} bytes)")


def mandates(
    actor: Annotated[str, typer.Argument(help="Actor name or alias: ITU, 国际电联, UNGIS, Secretary-General, ...")],
    doc: Annotated[str | None, typer.Option("--doc", help="Only this document (id, symbol or alias).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the API's JSON instead of a table.")] = False,
) -> None:
    """The operative clauses that assign ACTOR a task, role or request."""
    from wsis_rag.service.mandates import mandates_response

    try:
        response = mandates_response(_retriever().passages, actor, doc=doc)
    except WsisError as error:
        raise _fail(str(error)) from error
    console = Console()
    if as_json:
        sys.stdout.write(response.model_dump_json(indent=2) + "\n")
        return
    table = Table(title=f"Mandates of {response.actor_name}", show_lines=True)
    table.add_column("label", no_wrap=True)
    table.add_column("how", style="cyan", max_width=24)
    table.add_column("clause", overflow="fold", ratio=1)
    for m in response.mandates:
        table.add_row(m.label, f"{m.category}\n{m.pattern}", m.text)
    console.print(table)
    console.print(f"{len(response.mandates)} clauses in {len(response.documents)} documents searched")


def register(app: typer.Typer) -> None:
    """Add this area's commands to `app`."""
    app.command("brief")(brief)
    app.command("mandates")(mandates)
