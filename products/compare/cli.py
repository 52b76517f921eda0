"""`wsis compare A B`: a thin layer over comparison.compare_documents, reading the built index."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, cast

import typer
from rich.console import Console

from ...core.errors import InvalidRequestError
from ...core.settings import get_settings

if TYPE_CHECKING:
    from .render import CompareFormat

FORMATS = ("md", "html", "docx", "json")


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

    if fmt not in FORMATS:
        raise InvalidRequestError(f"--format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    if fmt == "docx" and out is None:
        raise InvalidRequestError("a DOCX redline is binary: name the file with --out redline.docx")
    comparison = compare_documents(load_retriever(get_settings()), a, b)
    # `fmt` was checked against FORMATS above: anything but json is a CompareFormat.
    data = (
        comparison.model_dump_json(indent=2).encode()
        if fmt == "json"
        else render(comparison, cast("CompareFormat", fmt))
    )
    for warning in comparison.warnings:
        Console(stderr=True).print(f"[yellow]warning:[/] {warning}")
    if out is None:
        sys.stdout.write(data.decode("utf-8"))
        return
    out.write_bytes(data)
    Console(stderr=True).print(f"wrote {out} ({len(data):,} bytes)")


def register(app: typer.Typer) -> None:
    """Add this product's commands to `app`."""
    app.command("compare")(compare)
