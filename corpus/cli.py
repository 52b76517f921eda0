"""`wsis corpus list` and `wsis corpus fetch`: thin layers over manifest.presence and
fetch.fetch_missing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from ..core.errors import FetchError
from ..core.settings import get_settings
from .manifest import Manifest, corpus_search_dirs, load_manifest, parse_manifest, presence

corpus_app = typer.Typer(help="The WSIS corpus: which documents exist, which are here, download the rest.")

CorpusDirsOption = Annotated[
    list[Path] | None,
    typer.Option("--corpus", help="Another corpus directory to look in (after the cache and WSIS_CORPUS_DIRS)."),
]
ManifestOption = Annotated[
    Path | None,
    typer.Option("--manifest", help="Manifest to read instead of the project's corpus/manifest.toml.", exists=True),
]


def _manifest(path: Path | None) -> Manifest:
    try:
        return parse_manifest(path) if path else load_manifest()
    except (ValueError, OSError) as exc:
        raise typer.BadParameter(f"{path}: {exc}", param_hint="--manifest") from exc


@corpus_app.command("list")
def list_documents(
    corpus: CorpusDirsOption = None,
    manifest: ManifestOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """Every manifest document, and whether and where it is present locally."""
    dirs = corpus_search_dirs(get_settings(), corpus or [])
    documents = presence(_manifest(manifest), dirs)
    console = Console()
    if as_json:
        console.print_json(json.dumps([d.as_json() for d in documents], ensure_ascii=False))
        return
    table = Table(title="WSIS corpus", caption="looked in: " + ", ".join(map(str, dirs)))
    for column in ("id", "symbol", "title", "type", "date", "lang", "local file"):
        table.add_column(column, overflow="fold", max_width=48 if column == "title" else None)
    for doc in documents:
        m = doc.entry.meta
        where = str(doc.path) if doc.path else "[red]missing[/]" + ("" if doc.entry.fetch else " (no download known)")
        table.add_row(m.id, m.symbol, m.title, m.type.value, m.date or "", m.lang, where)
    console.print(table)
    console.print(f"{sum(d.present for d in documents)} of {len(documents)} documents present")


@corpus_app.command("fetch")
def fetch(
    only: Annotated[list[str] | None, typer.Option("--only", help="Document id, symbol or alias (repeatable).")] = None,
    corpus: CorpusDirsOption = None,
    manifest: ManifestOption = None,
) -> None:
    """Download the missing documents into the cache (timeouts, retries, checksums)."""
    from rich.progress import BarColumn, DownloadColumn, Progress, TaskID, TextColumn, TransferSpeedColumn

    from .fetch import DownloadProgress, FetchStatus, HostUnreachableError, fetch_missing

    settings = get_settings()
    console = Console()
    tasks: dict[tuple[str, str], TaskID] = {}
    with Progress(
        TextColumn("{task.description}"), BarColumn(), DownloadColumn(), TransferSpeedColumn(), console=console
    ) as bar:

        def show(event: DownloadProgress) -> None:
            key = (event.doc_id, event.url)
            if key not in tasks:
                tasks[key] = bar.add_task(event.file, total=event.total)
            bar.update(tasks[key], completed=event.received, total=event.total)

        try:
            report = fetch_missing(settings, _manifest(manifest), only=only, progress=show, extra_dirs=corpus)
        except FetchError as exc:
            console.print(f"[red]error:[/] {exc}")
            raise typer.Exit(2) from exc

    table = Table(title="corpus fetch")
    for column in ("document", "result", "detail"):
        table.add_column(column, overflow="fold")
    styles = {FetchStatus.FETCHED: "green", FetchStatus.PRESENT: "dim", FetchStatus.NO_SOURCE: "yellow"}
    for result in report.results:
        if isinstance(result.error, HostUnreachableError):  # the full explanation is printed once below
            detail = f"cannot reach {result.error.host} ({result.error.why})"
        else:
            detail = result.reason or (f"{result.path} ({result.size} bytes)" if result.size else str(result.path))
        style = styles.get(result.status, "red")
        table.add_row(result.doc_id, f"[{style}]{result.status.value}[/]", detail)
    console.print(table)
    console.print(
        f"{len(report.fetched)} fetched, {len(report.present)} already present, "
        f"{len(report.no_source)} with no download known, {len(report.failed)} failed"
    )
    if report.offline and report.failed[0].error is not None:
        console.print(f"[red]error:[/] {report.failed[0].error.reason}")
    if not report.ok:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add this step's commands to `app`."""
    app.add_typer(corpus_app, name="corpus")
