"""`wsis corpus list|add|remove|fetch`: thin layers over inventory.take_inventory,
library.add_to_library / remove_from_library and fetch.fetch_missing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.text import Text

from ..core.errors import FetchError
from ..core.settings import Settings, get_settings
from ..core.tables import Column, Table, print_note, print_table, table_rows
from .inventory import SOURCE_RULE, take_inventory
from .library import LibraryChange, add_to_library, remove_from_library
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

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
_LIST_COLUMNS = ("id", "symbol", "title", "type", "date", "lang", "local file", "index")
_FETCH_STYLES = {"fetched": "green", "present": "dim", "no-source": "yellow", "failed": "red"}


def _manifest(path: Path | None) -> Manifest:
    try:
        return parse_manifest(path) if path else load_manifest()
    except (ValueError, OSError) as exc:
        raise typer.BadParameter(f"{path}: {exc}", param_hint="--manifest") from exc


@corpus_app.command("list")
def list_documents(
    corpus: CorpusDirsOption = None,
    manifest: ManifestOption = None,
    as_json: JsonOption = False,
) -> None:
    """Every document: the manifest's (present or not), then every other file of the corpus
    directories and collection, with its status in the index."""
    settings = get_settings()
    known = _manifest(manifest)
    dirs = corpus_search_dirs(settings, corpus or [])
    documents = presence(known, dirs)
    status = _IndexStatus(settings)
    inventory = take_inventory(settings, known, corpus or [])
    rows = [{**d.as_json(), "source": "manifest", "status": status.of(d.path, d.entry.id)} for d in documents]
    rows += [
        {"id": None, "path": str(f.path), "present": True, "source": "file", "status": status.of(f.path, None)}
        for f in inventory.unlisted()
    ]
    rows += [
        {"id": None, "path": str(c), "present": True, "source": "collection", "status": status.of_collection(c)}
        for c in inventory.collections
    ]
    console = Console()
    if as_json:
        console.print_json(json.dumps(rows, ensure_ascii=False))
        return
    cells: list[list[str | Text]] = []
    for doc, row in zip(documents, rows, strict=False):
        m = doc.entry.meta
        where = Text(str(doc.path)) if doc.path else Text("missing", style="red")
        if not doc.path and not doc.entry.fetch:
            where.append(" (no download known)")
        cells.append([m.id, m.symbol, m.title, m.type.value, m.date or "", m.lang, where, str(row["status"])])
    for row in rows[len(documents) :]:
        cells.append(
            ["", "", f"({row['source']} not in the manifest)", "", "", "", str(row["path"]), str(row["status"])]
        )
    columns = [Column(name, max_width=48 if name == "title" else None) for name in _LIST_COLUMNS]
    caption = "looked in: " + ", ".join(map(str, dirs))
    print_table(console, Table("WSIS corpus", columns, cells, caption=caption))
    print_note(
        console,
        f"{sum(d.present for d in documents)} of {len(documents)} documents present; "
        f"{len(rows) - len(documents)} other files and collections",
    )
    print_note(console, f"a document found twice is read from one source: {SOURCE_RULE}")


class _IndexStatus:
    """What the built index says about a source file (read from its manifest.json)."""

    def __init__(self, settings: Settings) -> None:
        # The CLI sits on top of every step: it may read the index the build wrote.
        from ..index.api import read_manifest

        recorded = read_manifest(settings.index_dir) or {}
        self._by_source = {r["source"]: doc_id for doc_id, r in recorded.get("documents", {}).items()}
        self._symbols = {doc_id: r["meta"]["symbol"] for doc_id, r in recorded.get("documents", {}).items()}
        self._duplicates = {d["dropped"]: d for d in recorded.get("duplicates", [])}
        self._built = bool(recorded)

    def of(self, path: Path | None, doc_id: str | None) -> str:
        if path is None:
            return "missing"
        indexed = self._by_source.get(str(path))
        if indexed is not None:
            return f"indexed as {indexed} ({self._symbols[indexed]})" if doc_id is None else "indexed"
        duplicate = self._duplicates.get(str(path))
        if duplicate is not None:
            return f"same document as {duplicate['doc_id']}, read from {duplicate['kept']}"
        return "not indexed yet (run wsis index build)" if self._built else "no index yet"

    def of_collection(self, path: Path) -> str:
        count = sum(source.startswith(f"{path}#") for source in self._by_source)
        return f"{count} documents indexed" if count else "not indexed yet (run wsis index build)"


def _report(change: LibraryChange, summary: str) -> None:
    """Print what changed, file by file, then `summary`; exit 1 when a file was refused."""
    console = Console()
    for path in change.added:
        console.print(f"added {path}")
    for path in change.unchanged:
        console.print(f"[dim]already in the library: {path}[/]")
    for path in change.removed:
        console.print(f"removed {path}")
    for path, reason in change.refused:
        console.print(f"[red]refused[/] {path}: {reason}")
    console.print(summary)
    if not change.ok:
        raise typer.Exit(1)


CollectionOption = Annotated[
    list[Path] | None,
    typer.Option(
        "--collection",
        help="A bulk collection (JSON Lines, .gz or not: symbol, title, file, text) to add to the library "
        "first; it stays in the corpus until `wsis corpus remove NAME` (repeatable).",
    ),
]


def add_collections(paths: list[Path] | None) -> None:
    """The `--collection` option of `wsis index build` and `wsis serve`: the collections
    copied into the library (a refused one stops the command, saying why)."""
    if paths:
        library = get_settings().library_dir
        _report(add_to_library(paths, library), f"collections in the library: {library}")


@corpus_app.command("add")
def add(
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="Documents (PDF, HTML, Markdown, text), folders of them, or bulk collections (.jsonl[.gz])."
        ),
    ],
) -> None:
    """Copy documents and collections into the library (WSIS_LIBRARY_DIR); the next `wsis index build` indexes them."""
    library = get_settings().library_dir
    change = add_to_library(paths, library)
    _report(change, f"{len(change.added)} added to {library}; run `wsis index build` to index them")


@corpus_app.command("remove")
def remove(
    names: Annotated[list[str], typer.Argument(help="File names of documents or collections in the library.")],
) -> None:
    """Remove documents from the library; the next `wsis index build` drops them from the index."""
    library = get_settings().library_dir
    change = remove_from_library(names, library)
    _report(change, f"{len(change.removed)} removed from {library}; run `wsis index build` to drop them")


@corpus_app.command("fetch")
def fetch(
    only: Annotated[list[str] | None, typer.Option("--only", help="Document id, symbol or alias (repeatable).")] = None,
    corpus: CorpusDirsOption = None,
    manifest: ManifestOption = None,
    as_json: JsonOption = False,
) -> None:
    """Download the missing documents into the cache (timeouts, retries, checksums)."""
    from rich.progress import BarColumn, DownloadColumn, Progress, TaskID, TextColumn, TransferSpeedColumn

    from .fetch import DownloadProgress, HostUnreachableError, fetch_missing

    settings = get_settings()
    console = Console()
    # The progress and the errors go to stderr: stdout holds the table (or the JSON) alone.
    stderr = Console(stderr=True)
    tasks: dict[tuple[str, str], TaskID] = {}
    with Progress(
        TextColumn("{task.description}"), BarColumn(), DownloadColumn(), TransferSpeedColumn(), console=stderr
    ) as bar:

        def show(event: DownloadProgress) -> None:
            key = (event.doc_id, event.url)
            if key not in tasks:
                tasks[key] = bar.add_task(event.file, total=event.total)
            bar.update(tasks[key], completed=event.received, total=event.total)

        try:
            report = fetch_missing(settings, _manifest(manifest), only=only, progress=show, extra_dirs=corpus)
        except FetchError as exc:
            stderr.print(f"[red]error:[/] {exc}")
            raise typer.Exit(2) from exc

    rows: list[list[str | Text]] = []
    for result in report.results:
        if isinstance(result.error, HostUnreachableError):  # the full explanation is printed once below
            detail = f"cannot reach {result.error.host} ({result.error.why})"
        else:
            detail = result.reason or (f"{result.path} ({result.size} bytes)" if result.size else str(result.path))
        rows.append([result.doc_id, Text(result.status.value, style=_FETCH_STYLES[result.status]), detail])
    table = Table("corpus fetch", [Column("document"), Column("result"), Column("detail")], rows)
    if as_json:
        console.print_json(data=table_rows(table))
    else:
        print_table(console, table)
        print_note(
            console,
            f"{len(report.fetched)} fetched, {len(report.present)} already present, "
            f"{len(report.no_source)} with no download known, {len(report.failed)} failed",
        )
    if report.offline and report.failed[0].error is not None:
        stderr.print(f"[red]error:[/] {report.failed[0].error.reason}")
    if not report.ok:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add this step's commands to `app`."""
    app.add_typer(corpus_app, name="corpus")
