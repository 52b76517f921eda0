"""`wsis compare A B`: a thin layer over comparison.compare_documents, reading the built index."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, cast

import typer
from rich.console import Console

from ...core.settings import get_settings
from ..rendering import check_output, write_output

if TYPE_CHECKING:
    from .render import CompareFormat


def compare(
    a: Annotated[str, typer.Argument(help="The earlier text: id, symbol or alias, e.g. A/C.2/80/L.10.")],
    b: Annotated[str, typer.Argument(help="The later text, e.g. A/RES/80/120.")],
    fmt: Annotated[str, typer.Option("--format", help="md, html, docx (a redline) or json.")] = "md",
    out: Annotated[
        Path | None, typer.Option("--out", help="File to write (default: standard output; required for docx).")
    ] = None,
) -> None:
    """Compare two versions of a text paragraph by paragraph, as a redline."""
    from ...index.api import load_retriever
    from .comparison import compare_documents
    from .render import render

    check_output(fmt, out, "redline")
    comparison = compare_documents(load_retriever(get_settings()), a, b)
    # `fmt` was checked by check_output above: anything but json is a CompareFormat.
    data = (
        comparison.model_dump_json(indent=2).encode()
        if fmt == "json"
        else render(comparison, cast("CompareFormat", fmt))
    )
    for warning in comparison.warnings:
        Console(stderr=True).print(f"[yellow]warning:[/] {warning}")
    write_output(data, out)


def register(app: typer.Typer) -> None:
    """Add this product's commands to `app`."""
    app.command("compare")(compare)
