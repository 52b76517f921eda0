"""`wsis serve`: fetch what is missing, build the index when needed, serve the API and page."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from ..core.logs import configure_logging
from ..core.settings import Settings, get_settings
from ..corpus.cli import CollectionOption, add_collections

if TYPE_CHECKING:
    from ..index.api import HybridRetriever


def _fetch_missing_documents(settings: Settings, console: Console) -> None:
    from ..corpus.fetch import fetch_missing

    report = fetch_missing(settings)
    for result in report.fetched:
        console.print(f"fetched [bold]{result.doc_id}[/] -> {result.path}")
    if report.failed:
        why = "offline" if report.offline else "download failed"
        missing = ", ".join(r.doc_id for r in report.failed)
        console.print(f"[yellow]{why}: not fetched: {missing}; serving the documents that are present[/]")
    if report.no_source:
        console.print(f"[dim]no official download known for: {', '.join(r.doc_id for r in report.no_source)}[/]")


def _ensure_index(settings: Settings, rebuild: bool, build: bool, console: Console) -> None:
    from ..index.api import build_index, stale_reasons

    if rebuild and not build:
        raise typer.BadParameter("--rebuild and --no-build contradict each other")
    if not build:
        return
    reasons = ["--rebuild asked for"] if rebuild else stale_reasons(settings)
    if reasons:
        console.print(f"building the index at {settings.index_dir}: {'; '.join(reasons)}")
        report = build_index(settings, force=rebuild)
        console.print(
            f"index built: {report.documents} documents, {report.passages} passages in {report.seconds:.0f} s"
        )


def serve(
    host: Annotated[str | None, typer.Option(help="Interface to bind (default: settings.host, 127.0.0.1).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default: settings.port, 8000).")] = None,
    fetch: Annotated[bool, typer.Option(help="Download the manifest's missing documents first.")] = True,
    rebuild: Annotated[bool, typer.Option(help="Rebuild the index even when it is up to date.")] = False,
    build: Annotated[
        bool,
        typer.Option(
            help="Build the index when it is missing or out of date with the corpus (--no-build: serve it as it "
            "stands, e.g. to measure it; a missing index is answered with 503s)."
        ),
    ] = True,
    ray: Annotated[
        str | None,
        typer.Option(
            "--ray", help="Serve the index as shards on Ray actors, on the cluster at this address ('auto', host:port)."
        ),
    ] = None,
    shards: Annotated[int, typer.Option(help="With --ray: how many shards (by document).")] = 2,
    replicas: Annotated[int, typer.Option(help="With --ray: replicas per shard.")] = 1,
    collection: CollectionOption = None,
) -> None:
    """Serve the search API and the web page (fetching documents and building the index when needed)."""
    import uvicorn

    from .app import create_app
    from .http_protocol import uvicorn_options

    console = Console()
    add_collections(collection)
    overrides = {name: value for name, value in (("host", host), ("port", port)) if value is not None}
    settings = get_settings().model_copy(update=overrides)
    configure_logging(settings)
    if fetch:
        _fetch_missing_documents(settings, console)
    _ensure_index(settings, rebuild, build, console)
    console.print(f"serving on [bold]http://{settings.host}:{settings.port}/[/]  (API docs: /docs, MCP: /mcp/)")
    retriever = _ray_front(settings, ray, shards, replicas, console) if ray else None
    app = create_app(settings, retriever)
    uvicorn.run(app, host=settings.host, port=settings.port, **uvicorn_options(settings))


def _ray_front(settings: Settings, address: str, shards: int, replicas: int, console: Console) -> HybridRetriever:
    """Shard the built index, deploy it on the Ray cluster, and return the fan-out retriever."""
    from ..index.api import serve_index_on_ray

    console.print(f"deploying {shards} shards x {replicas} replicas on Ray at {address}")
    return serve_index_on_ray(settings.index_dir, address, shards, replicas)


def mcp() -> None:
    """Serve the Model Context Protocol over stdio (for an AI assistant that starts `wsis mcp`)."""
    from ..index.api import load_retriever
    from .mcp_server import build_mcp_server

    settings = get_settings()
    configure_logging(settings)  # to stderr: stdout carries the protocol
    retriever = load_retriever(settings)
    build_mcp_server(lambda: retriever, settings).run("stdio")


def register(app: typer.Typer) -> None:
    """Add this step's commands to `app`."""
    app.command("serve")(serve)
    app.command("mcp")(mcp)
