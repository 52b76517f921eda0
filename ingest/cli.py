"""`wsis ingest`: a thin layer over wsis_rag.ingest.pipeline."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer
from rich.console import Console

from ..core.errors import IngestError
from ..core.tables import Cell, Column, Table, print_note, print_table, tables_json

if TYPE_CHECKING:
    from .audit import AuditReport
    from .pipeline import CorpusIngest, IngestedDocument

console = Console()
# The progress, and with --json every message, go to stderr: stdout holds the tables alone.
stderr = Console(stderr=True)
TEXT_SUFFIXES = (".txt", ".md", ".markdown")
AUDIT_SAMPLES = 12  # findings printed per document; --audit-json has them all
_DOCUMENT_COLUMNS = (
    Column("document"),
    Column("file"),
    Column("lang"),
    *(Column(count, justify="right") for count in ("clauses", "passages", "warnings")),
)


def register(app: typer.Typer) -> None:
    """Add this step's commands to `app`."""
    app.command("ingest")(ingest)


def ingest(
    paths: Annotated[
        Optional[list[Path]],  # noqa: UP045 - typer reads the annotation at run time
        typer.Argument(help="Files or directories; none = the default corpus (manifest documents found locally)."),
    ] = None,
    dump: Annotated[Optional[Path], typer.Option("--dump", help="Write every passage as JSON Lines here.")] = None,  # noqa: UP045
    max_tokens: Annotated[
        Optional[int], typer.Option("--max-tokens", help="Token budget per passage (default: settings).")  # noqa: UP045
    ] = None,
    collection: Annotated[
        Optional[list[Path]],  # noqa: UP045
        typer.Option("--collection", help="A bulk collection (JSON Lines, .gz or not: symbol, title, file, text)."),
    ] = None,
    audit: Annotated[
        bool,
        typer.Option(
            "--audit",
            help="Check the passages against their sources: furniture, lost words, mid-sentence cuts, text clauses.",
        ),
    ] = False,
    audit_json: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option("--audit-json", help="Write the whole audit (every document's findings) as JSON here."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the tables as JSON instead.")] = False,
) -> None:
    """Parse documents into cited clauses and passages; print a summary."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from ..core.settings import get_settings
    from ..corpus.inventory import take_inventory
    from .pipeline import (
        CorpusIngest,
        expand_paths,
        ingest_collection,
        ingest_corpus,
        ingest_paths,
        write_passages_jsonl,
    )

    settings = get_settings()
    if max_tokens is not None:
        settings = settings.model_copy(update={"max_passage_tokens": max_tokens})
    if collection:
        total = None  # the records are counted as they are read
    else:
        total = len(expand_paths(paths)) if paths else len(take_inventory(settings).files)
    progress = Progress(
        TextColumn("ingesting"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.description}"), console=stderr
    )
    with progress:
        task = progress.add_task("", total=total)

        def advance(path: Path) -> None:
            progress.update(task, advance=1, description=_display_name(path))

        if collection:
            result = CorpusIngest()
            for path in collection:
                part = ingest_collection(path, max_tokens=settings.max_passage_tokens, on_file=advance)
                result.documents += part.documents
                result.errors += part.errors
                result.duplicates += part.duplicates
        elif paths:
            result = ingest_paths(paths, max_tokens=settings.max_passage_tokens, on_file=advance)
        else:
            result = ingest_corpus(settings, on_file=advance)
    printed: list[Table] = []

    def show(table: Table) -> None:
        printed.append(table)
        if not as_json:
            print_table(console, table)

    def say(message: str) -> None:
        if as_json:
            stderr.print(message)
        else:
            print_note(console, message)

    for table in _summary_tables(result):
        show(table)
    _report_problems(result, say)
    if audit or audit_json is not None:
        report = _audit(result, collection or [], settings.max_passage_tokens)
        show(_audit_table(report))
        _report_audit(report, audit_json, say)
    if dump is not None:
        written = write_passages_jsonl(result.documents, dump)
        say(f"wrote {written} passages to {dump}")
    if as_json:
        console.print_json(data=tables_json(printed))
    if result.errors or not result.documents:
        raise typer.Exit(code=1)


def _display_name(source: Path) -> str:
    """A file's name; for a collection record ("<collection>#<symbol>"), the collection's and the symbol."""
    collection, hash_sign, symbol = str(source).rpartition("#")
    return f"{Path(collection).name}#{symbol}" if hash_sign else source.name


def _audit(result: CorpusIngest, collections: list[Path], max_tokens: int) -> AuditReport:
    from .audit import audit_documents
    from .collection import read_collection
    from .text_parser import read_text

    texts = {str(r.source): r.text for c in collections for r in read_collection(c) if not isinstance(r, IngestError)}

    def source_text(doc: IngestedDocument) -> str | None:
        if str(doc.source) in texts:
            return texts[str(doc.source)]
        return read_text(doc.source) if doc.source.suffix.lower() in TEXT_SUFFIXES else None

    return audit_documents(((d.passages, source_text(d)) for d in result.documents), max_tokens=max_tokens)


def _audit_table(report: AuditReport) -> Table:
    summary = report.summary
    checks = (
        ("documents", summary.documents),
        ("passages", summary.passages),
        ("source words (less furniture)", summary.source_words),
        ("passages with page furniture", summary.furniture_passages),
        ("source words in no passage", summary.lost_words),
        ("documents losing words", summary.documents_losing_words),
        ("pieces cut mid-sentence", summary.mid_sentence_cuts),
        ("  of which in a sentence over the budget", summary.overlong_sentence_cuts),
        *((f"text clauses ({doc_type})", n) for doc_type, n in summary.text_clauses_by_type.items()),
        *((f"text clauses: {reason}", n) for reason, n in summary.text_clauses_by_reason.items()),
    )
    return Table("Audit", [Column("check"), Column("count", justify="right")], checks)


def _report_audit(report: AuditReport, out: Path | None, say: Callable[[str], None]) -> None:
    """A sample of each document's findings; the whole audit written to `out`."""
    for doc in report.documents:
        for what, items in (
            ("furniture", doc.furniture),
            ("lost words", doc.lost_words),
            ("mid-sentence cuts", doc.mid_sentence_cuts),
        ):
            if items:
                say(f"{doc.symbol}: {len(items)} {what}: {' '.join(items[:AUDIT_SAMPLES])}")
    if out is not None:
        out.write_text(report.model_dump_json(indent=1), encoding="utf-8")
        say(f"wrote the audit to {out}")


def _summary_tables(result: CorpusIngest) -> list[Table]:
    """Each document's counts, and the clauses of all of them by kind."""
    kinds: Counter[str] = Counter()
    documents: list[list[Cell]] = []
    for doc in result.documents:
        kinds.update(c.kind.value for c in doc.clauses)
        lang = doc.passages[0].lang if doc.passages else "?"
        documents.append(
            [doc.meta.id, _display_name(doc.source), lang, len(doc.clauses), len(doc.passages), len(doc.warnings)]
        )
    by_kind = [[kind, n] for kind, n in sorted(kinds.items())]
    return [
        Table("Documents", _DOCUMENT_COLUMNS, documents),
        Table("Clauses by kind", [Column("kind"), Column("count", justify="right")], by_kind),
    ]


def _report_problems(result: CorpusIngest, say: Callable[[str], None]) -> None:
    for doc in result.documents:
        for warning in doc.warnings:
            say(f"[yellow]warning[/yellow] {doc.meta.id}: {warning}")
    for failure in result.errors:
        say(f"[red]error[/red] {failure.path}: {failure.reason}")
    if result.missing:
        say(f"not found locally: {', '.join(result.missing)}")
