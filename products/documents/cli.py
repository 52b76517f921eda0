"""`wsis cite`: a thin layer over catalog.cited_clauses, reading the built index."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from ...core.settings import get_settings


def cite(
    ref: Annotated[
        str, typer.Argument(help="A citation: 'A/RES/80/173, para. 121', 'GDC para 33(b)', '第80/173号决议第57段'.")
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print the GET /cite response body.")] = False,
) -> None:
    """The clauses a citation names, verbatim (exit 1 when it names none)."""
    from ...index.api import lacking, load_retriever
    from .catalog import cited_clauses

    body = cited_clauses(load_retriever(get_settings()), ref)
    if as_json:
        sys.stdout.write(body.model_dump_json(indent=2) + "\n")
    else:
        console = Console()
        for clause in body.clauses:
            console.print(f"[cyan]{escape(clause.label)}[/]")
            console.print(f"   {escape(clause.text)}")
        for line in lacking(body.missing_documents, body.missing_clauses):
            console.print(f"[yellow]{escape(line)}[/]")
    if not body.clauses:
        raise typer.Exit(code=1)


def register(app: typer.Typer) -> None:
    """Add this product's commands to `app`."""
    app.command("cite")(cite)
