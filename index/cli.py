"""`wsis index build|info` and `wsis search`: thin layers over wsis_rag.index."""

from __future__ import annotations

import json
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.markup import escape

from ..core.tables import Column, Table, print_table
from ..corpus.cli import CollectionOption, add_collections

console = Console()
index_app = typer.Typer(help="Build and inspect the search index.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    """Add this step's commands to `app`."""
    app.add_typer(index_app, name="index")
    app.command("search")(search)


@index_app.command("build")
def build(
    force: Annotated[bool, typer.Option("--force", help="Re-embed every passage even if nothing changed.")] = False,
    ray: Annotated[
        str | None,
        typer.Option(
            "--ray",
            help="Ingest and embed on the Ray cluster at this address ('auto', host:port; 'local' starts one here).",
        ),
    ] = None,
    workers: Annotated[
        int | None, typer.Option(help="With --ray: encoder actors (default: one per cluster CPU).")
    ] = None,
    collection: CollectionOption = None,
) -> None:
    """Build the index (incrementally: only changed documents are re-embedded)."""
    from ..core.settings import get_settings
    from .api import build_index

    add_collections(collection)

    def say(message: str) -> None:
        console.print(f"[dim]{message}[/]")

    if ray is None:
        report = build_index(get_settings(), progress=say, force=force)
    else:
        from .scale.distributed import RayRunner

        with RayRunner(None if ray == "local" else ray, workers) as runner:
            report = build_index(get_settings(), progress=say, force=force, runner=runner)
    if report.full_rebuild_reason:
        console.print(f"full rebuild: {report.full_rebuild_reason}")
    console.print(
        f"indexed {report.passages} passages of {report.documents} documents in {report.seconds:.1f}s "
        f"({report.passages_per_second:.1f} passages/s); embedded {report.embedded_passages}, "
        f"reused {report.reused_passages}"
    )
    if report.encoded_texts:
        rates = report.encoder_rates()
        ran = ", ".join(
            f"{name} {count}" + (f" at {rates[name]:.1f} passages/s" if name in rates else "")
            for name, count in report.encoded_texts.items()
        )
        console.print(f"  texts the encoders ran on (the rest came from the embedding cache): {ran}")
    for label, items in (
        ("embedded", report.embedded_documents),
        ("reused", report.reused_documents),
        ("removed", report.removed_documents),
        ("missing", report.missing),
    ):
        if items:
            console.print(f"  {label}: {', '.join(items)}")
    for error in report.errors:
        console.print(f"[yellow]not ingested:[/] {error}")


@index_app.command("shard")
def shard(
    n: Annotated[int, typer.Argument(help="How many shards (documents are spread to balance passages).")],
) -> None:
    """Split the built index into N shards by document (each a complete index; BM25 keeps
    the corpus-wide statistics), beside the index as <index_dir>.shards."""
    from ..core.settings import get_settings
    from .scale.shards import write_shards

    index_dir = get_settings().index_dir
    shard_set = write_shards(index_dir, index_dir.with_name(index_dir.name + ".shards"), n)
    console.print(f"wrote {len(shard_set.shards)} shards of {shard_set.passages} passages to {shard_set.root}")


@index_app.command("info")
def info(as_json: Annotated[bool, typer.Option("--json", help="Print the info as JSON.")] = False) -> None:
    """What the current index holds: format, build time, encoders, counts, staleness."""
    from ..core.settings import get_settings
    from .api import load_retriever, stale_reasons

    settings = get_settings()
    details = load_retriever(settings).info()
    details["stale"] = stale_reasons(settings)
    if as_json:
        print(json.dumps(details, ensure_ascii=False, indent=2))
        return
    rows = [
        [key, json.dumps(value, ensure_ascii=False) if isinstance(value, (dict, list)) else str(value)]
        for key, value in details.items()
    ]
    print_table(console, Table("Index", [Column("field"), Column("value")], rows))


def search(
    query: Annotated[str, typer.Argument(help="The question or keywords.")],
    k: Annotated[int, typer.Option("-k", help="How many passages.")] = 10,
    doc: Annotated[Optional[list[str]], typer.Option("--doc", help="Only this document (id, symbol or alias).")] = None,  # noqa: UP045
    lang: Annotated[Optional[list[str]], typer.Option("--lang", help="Only passages in this language.")] = None,  # noqa: UP045
    doc_type: Annotated[Optional[list[str]], typer.Option("--type", help="Only this document type.")] = None,  # noqa: UP045
    body: Annotated[Optional[list[str]], typer.Option("--body", help="Only this issuing body.")] = None,  # noqa: UP045
    year: Annotated[Optional[list[int]], typer.Option("--year", help="Only documents of this year.")] = None,  # noqa: UP045
    as_json: Annotated[bool, typer.Option("--json", help="Print the GET /search response body.")] = False,
) -> None:
    """Search the corpus; print ranked passages with their citations."""
    from pydantic import ValidationError

    from ..core.settings import get_settings
    from .api import Filters, lacking, load_retriever, search_response

    try:
        filters = Filters(doc=doc or [], lang=lang or [], type=doc_type or [], body=body or [], year=year or [])
    except ValidationError as exc:
        Console(stderr=True).print(f"[red]error:[/] bad filter: {exc.errors()[0]['msg']}")
        raise typer.Exit(code=2) from exc
    response = search_response(load_retriever(get_settings()), query, k, filters)
    if as_json:
        print(response.model_dump_json())
        return
    for result in response.results:
        console.print(
            f"[bold]{result.rank}.[/] [cyan]{result.citation.label}[/]  [dim]{result.score:.4f} {result.lang}[/]"
        )
        console.print(f"   {result.text[:400]}")
    console.print(f"[dim]{len(response.results)} results in {response.took_ms:.0f} ms[/]")
    for line in lacking(response.missing_documents, response.missing_clauses):
        console.print(f"[yellow]{escape(line)}[/]")
