"""`wsis mandates`: a thin layer over mandates.index_mandates, reading the built index."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.console import Console

from ...core.settings import get_settings
from ...core.tables import Column, Table, print_note, print_table


def mandates(
    actor: Annotated[str, typer.Argument(help="Actor name or alias: ITU, 国际电联, UNGIS, Secretary-General, ...")],
    doc: Annotated[str | None, typer.Option("--doc", help="Only this document (id, symbol or alias).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the API's JSON instead of a table.")] = False,
) -> None:
    """The operative clauses that assign ACTOR a task, role or request."""
    from ...index.api import load_retriever
    from .mandates import index_mandates

    retriever = load_retriever(get_settings())
    response = index_mandates(retriever, actor, doc=doc)
    console = Console()
    if as_json:
        sys.stdout.write(response.model_dump_json(indent=2) + "\n")
        return
    columns = [
        Column("label", no_wrap=True),
        Column("category", style="cyan", max_width=14),
        Column("pattern", style="cyan", max_width=24),
        Column("clause"),
    ]
    rows = [[m.label, m.category, m.pattern, m.text] for m in response.mandates]
    print_table(console, Table(f"Mandates of {response.actor_name}", columns, rows, show_lines=True))
    print_note(console, f"{len(response.mandates)} clauses in {len(response.documents)} documents searched")


def register(app: typer.Typer) -> None:
    """Add this product's commands to `app`."""
    app.command("mandates")(mandates)
