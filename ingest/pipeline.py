"""Ingestion: a file -> normalised text and blocks -> clauses (by document shape) -> passages.

`ingest_file` ingests one file (raising `IngestError` naming the file and the reason);
`ingest_corpus` ingests every document of the corpus directories and collections (known to
the manifest or not) and keeps going past broken files, collecting their errors: whatever goes wrong with
one file (a decompression bomb, bad front matter, a bug) is that file's failure, never the
batch's;
`ingest_collection` ingests one bulk collection file.
"""

from __future__ import annotations

import json
import logging
from bisect import bisect_right
from collections.abc import Callable, Iterable
from functools import partial
from itertools import accumulate
from pathlib import Path

from pydantic import BaseModel, Field

from ..core.digest import file_sha256
from ..core.errors import IngestError
from ..core.settings import Settings
from ..core.vocabulary import DocumentMeta, Passage
from ..corpus.inventory import SOURCE_RULE, Rank, collection_rank, is_document_file, take_inventory
from ..corpus.manifest import ManifestEntry, load_manifest
from .clauses import Clause, StructureResult
from .collection import CollectionRecord, collection_source, read_collection
from .council_report import parse_council_report
from .document_references import DocumentReference, extract_references
from .html_parser import parse_html
from .itu_resolution import parse_itu_resolution
from .language import detect_language
from .metadata import meta_from_document
from .passages import build_passages
from .pdf_parser import parse_pdf
from .source import SourceDocument
from .text_parser import parse_text
from .un_resolution import parse_generic, parse_un_resolution

logger = logging.getLogger(__name__)

# One source's ingestion, as a picklable callable (a `partial` of `ingest_file` or
# `ingest_record`): the unit of work every task runner executes.
IngestTask = Callable[[], "IngestedDocument"]
TaskRunner = Callable[[list[tuple[Path, IngestTask]]], "list[IngestedDocument | IngestError]"]

DEFAULT_MAX_TOKENS = 256
# Raised whenever a change to the readers or structure parsers changes the passages the
# same files give: an index built by an older version is then stale and is read again.
READER_VERSION = 3
_SHOWN_BLOCKS = 3
_SHOWN_CHARS = 60

PARSERS: dict[str, Callable[[Path], SourceDocument]] = {
    ".md": parse_text,
    ".markdown": parse_text,
    ".txt": parse_text,
    ".pdf": parse_pdf,
    ".html": parse_html,
    ".htm": parse_html,
}

STRUCTURES: dict[str, Callable[[SourceDocument], StructureResult]] = {
    "un-resolution": parse_un_resolution,
    "itu-council-report": parse_council_report,
    "itu-resolution": parse_itu_resolution,
    "generic": parse_generic,
}


# What the first blocks of a document say about its shape, for files the manifest does
# not know: a UN symbol or the opening of a UN resolution; an ITU resolution's heading.
class IngestedDocument(BaseModel):
    meta: DocumentMeta
    source: Path
    shape: str
    text: str = Field(description="Normalised text; clause and passage offsets point into it.")
    clauses: list[Clause]
    passages: list[Passage]
    references: list[DocumentReference] = Field(
        default_factory=list, description="The documents its clauses refer to (document_references.py)."
    )
    warnings: list[str] = Field(default_factory=list)
    content_hash: str = Field(description="sha256 of the source file's bytes.")


class IngestFailure(BaseModel):
    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


class DuplicateSource(BaseModel):
    """A source not read because a better one holds the same document."""

    doc_id: str
    kept: str
    dropped: str
    rule: str = Field(default=SOURCE_RULE, description="Why `kept` was chosen.")

    def __str__(self) -> str:
        return f"{self.doc_id}: read {self.kept}, not {self.dropped}"


class CorpusIngest(BaseModel):
    documents: list[IngestedDocument] = Field(default_factory=list)
    errors: list[IngestFailure] = Field(default_factory=list)
    missing: list[str] = Field(default_factory=list, description="Manifest ids with no local file.")
    duplicates: list[DuplicateSource] = Field(default_factory=list)


def is_supported(path: Path) -> bool:
    return is_document_file(path) and path.suffix.lower() in PARSERS


def parse_source(path: Path) -> SourceDocument:
    """The file as blocks, by file type; IngestError for missing or unsupported files and
    for symbolic links that lead out of their folder (a corpus folder must not expose
    /etc/passwd because a link in it points there)."""
    if path.is_symlink():
        target = path.resolve()
        if not target.exists():
            raise IngestError(path, "broken symbolic link")
        if not target.is_relative_to(path.parent.resolve()):
            raise IngestError(path, f"symbolic link to a file outside its folder ({target}), not followed")
    if not path.is_file():
        raise IngestError(path, "file not found")
    if path.stat().st_size == 0:
        raise IngestError(path, "file is empty")
    parser = PARSERS.get(path.suffix.lower())
    if parser is None:
        raise IngestError(path, f"unsupported file type '{path.suffix or path.name}'")
    return parser(path)


def ingest_file(
    path: Path | str, entry: ManifestEntry | None = None, *, max_tokens: int = DEFAULT_MAX_TOKENS
) -> IngestedDocument:
    """One file. Its manifest entry is `entry`, else the entry that lists the file's name,
    else the entry its own symbol names; a document the manifest does not know is
    described by what it says about itself (ingest/metadata.py)."""
    path = Path(path)
    doc = parse_source(path)
    entry = entry or load_manifest().by_file_name(path.name)
    return ingest_source(path, doc, entry, content_hash=file_sha256(path), max_tokens=max_tokens)


def ingest_record(record: CollectionRecord, *, max_tokens: int = DEFAULT_MAX_TOKENS) -> IngestedDocument:
    """One document of a bulk collection."""
    doc = collection_source(record)
    # A record whose text does not say what it is is still named by the record's symbol
    # (the file name of a record would be its source's last path part: "80/L.5").
    return ingest_source(
        record.source, doc, None, content_hash=record.content_hash, max_tokens=max_tokens, name=record.symbol
    )


def ingest_source(
    source: Path,
    doc: SourceDocument,
    entry: ManifestEntry | None,
    *,
    content_hash: str,
    max_tokens: int,
    name: str | None = None,
) -> IngestedDocument:
    """`name`: what a document that says nothing about itself is called (default: the
    source's file name)."""
    lang = detect_language("\n".join(b.text for b in doc.body))
    warnings: list[str] = []
    if entry is None:
        meta, shape = meta_from_document(doc, lang, name or source.stem)
        entry = load_manifest().by_symbol(meta.symbol)
    if entry is not None:
        meta, shape = entry.meta, entry.shape
        if lang != meta.lang:
            warnings.append(f"detected language '{lang}' differs from the manifest's '{meta.lang}'")
    structure = STRUCTURES[shape](doc)
    if not structure.clauses:
        raise IngestError(source, "no text found")
    warnings += doc.warnings + _blocks_in_no_clause(doc, structure.clauses)
    return IngestedDocument(
        meta=meta,
        source=source,
        shape=shape,
        text=doc.text,
        clauses=structure.clauses,
        passages=build_passages(meta, doc, structure.clauses, lang, max_tokens),
        references=extract_references(structure.clauses, meta.symbol),
        warnings=warnings + structure.warnings,
        content_hash=content_hash,
    )


def _blocks_in_no_clause(doc: SourceDocument, clauses: list[Clause]) -> list[str]:
    """A warning naming the body blocks that no clause holds, in its text or as a heading
    above it: what a structure parser dropped is said, never lost without a word."""
    spans = sorted((c.char_start, c.char_end) for c in clauses)
    starts = [start for start, _ in spans]
    reach = list(accumulate((end for _, end in spans), max))  # the furthest end among spans starting so far
    headings = " | ".join({" ".join(heading.split()) for c in clauses for heading in c.heading_path})
    dropped = []
    for block in doc.body:
        at = bisect_right(starts, block.start) - 1
        held = at >= 0 and reach[at] >= block.end
        if not held and " ".join(block.text.split()) not in headings:
            dropped.append(block.text)
    if not dropped:
        return []
    shown = "; ".join(f"{text[:_SHOWN_CHARS]!r}" for text in dropped[:_SHOWN_BLOCKS])
    return [f"{len(dropped)} block(s) of text in no clause: {shown}"]


class _CorpusReader:
    """Collects documents, errors and duplicates, keeping the best-ranked source of each
    document (corpus/inventory.py states the rule); one failing source never stops the rest."""

    def __init__(self, max_tokens: int, on_file: Callable[[Path], None] | None) -> None:
        self.result = CorpusIngest()
        self._max_tokens = max_tokens
        self._on_file = on_file
        self._best: dict[str, tuple[Rank, IngestedDocument]] = {}
        self._planned: list[tuple[Path, IngestTask, Rank]] = []

    def fail(self, error: IngestError) -> None:
        self.result.errors.append(IngestFailure(path=str(error.path), reason=error.reason))

    def read(self, source: Path, ingest: IngestTask, rank: Rank) -> None:
        """Plan one source; `finish` runs every planned task (wherever its runner runs them)."""
        self._planned.append((source, ingest, rank))

    def read_collection(self, path: Path, number: int) -> None:
        try:
            for record in read_collection(path):
                if isinstance(record, IngestError):
                    self.fail(record)
                    continue
                ingest = partial(ingest_record, record, max_tokens=self._max_tokens)
                self.read(record.source, ingest, collection_rank(number, record.line))
        except IngestError as exc:  # the collection file itself is unreadable from here on
            self.fail(exc)

    def _offer(self, doc: IngestedDocument, rank: Rank) -> None:
        held = self._best.get(doc.meta.id)
        if held is None or rank < held[0]:
            self._best[doc.meta.id] = (rank, doc)
        if held is not None:
            kept, dropped = (doc, held[1]) if rank < held[0] else (held[1], doc)
            self.result.duplicates.append(
                DuplicateSource(doc_id=doc.meta.id, kept=str(kept.source), dropped=str(dropped.source))
            )
            logger.info("%s: %s found twice; reading %s", doc.meta.id, dropped.source, kept.source)

    def finish(self, run: TaskRunner | None = None) -> CorpusIngest:
        outcomes = (run or run_in_process)([(source, task) for source, task, _ in self._planned])
        for (source, _, rank), outcome in zip(self._planned, outcomes, strict=True):
            if isinstance(outcome, IngestError):
                self.fail(outcome)
            else:
                self._offer(outcome, rank)
            if self._on_file is not None:
                self._on_file(source)
        self.result.documents = [doc for _, doc in self._best.values()]
        return self.result


def attempt(source: Path, task: IngestTask) -> IngestedDocument | IngestError:
    """One source ingested, or why not: whatever goes wrong with one file (a decompression
    bomb, bad front matter, a bug) is that file's failure, never the batch's."""
    try:
        return task()
    except IngestError as exc:
        return exc
    except Exception as exc:
        logger.exception("unexpected failure ingesting %s", source)
        return IngestError(source, f"unexpected error: {type(exc).__name__}: {exc}")


def run_in_process(tasks: list[tuple[Path, IngestTask]]) -> list[IngestedDocument | IngestError]:
    """The default task runner: one source after the other, in this process."""
    return [attempt(source, task) for source, task in tasks]


def ingest_corpus(
    settings: Settings, *, on_file: Callable[[Path], None] | None = None, run: TaskRunner | None = None
) -> CorpusIngest:
    """Every document of the corpus directories and collections (`take_inventory`): the
    manifest's documents from their best file, every other file as the document its text
    names; a document found twice is read once, from the better source. `run` executes
    the per-source tasks (default: in this process; the Ray build: on a cluster)."""
    inventory = take_inventory(settings)
    reader = _CorpusReader(settings.max_passage_tokens, on_file)
    tokens = settings.max_passage_tokens
    for entry in load_manifest().documents:
        files = inventory.for_entry(entry)
        if not files:
            reader.result.missing.append(entry.id)
            continue
        best, *others = files
        reader.read(best.path, partial(ingest_file, best.path, entry, max_tokens=tokens), best.rank)
        reader.result.duplicates += [
            DuplicateSource(doc_id=entry.id, kept=str(best.path), dropped=str(other.path)) for other in others
        ]
    for unlisted in inventory.unlisted():
        reader.read(unlisted.path, partial(ingest_file, unlisted.path, max_tokens=tokens), unlisted.rank)
    for number, collection in enumerate(inventory.collections):
        reader.read_collection(collection, number)
    return reader.finish(run)


def ingest_collection(
    path: Path, *, max_tokens: int = DEFAULT_MAX_TOKENS, on_file: Callable[[Path], None] | None = None
) -> CorpusIngest:
    """Every record of one collection file; a bad record is an error and the rest still ingest.
    `on_file` receives each record's source ("<collection>#<symbol>")."""
    reader = _CorpusReader(max_tokens, on_file)
    reader.read_collection(path, 0)
    return reader.finish()


def expand_paths(paths: Iterable[Path]) -> list[Path]:
    """Files as given; a directory stands for its supported files (not recursive)."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            # Links are listed too, so that one leading out of the folder or nowhere is
            # reported rather than skipped without a word.
            files += sorted(p for p in path.iterdir() if (p.is_file() or p.is_symlink()) and is_supported(p))
        else:
            files.append(path)
    return files


def ingest_paths(
    paths: Iterable[Path],
    *,
    max_tokens: int = DEFAULT_MAX_TOKENS,
    on_file: Callable[[Path], None] | None = None,
) -> CorpusIngest:
    """Ingest the named files (and directories); a broken file is recorded in `errors` and
    the others still ingest. `on_file` is called after each file (progress display)."""
    reader = _CorpusReader(max_tokens, on_file)
    for number, path in enumerate(expand_paths(paths)):
        # Named files rank in the order given: the same document named twice is read once.
        reader.read(path, partial(ingest_file, path, max_tokens=max_tokens), (0, number, 0, path.name))
    return reader.finish()


def passage_record(passage: Passage) -> dict[str, object]:
    """One line of `wsis ingest --dump`: the whole passage plus its first PDF page (or null)."""
    return {**passage.model_dump(mode="json"), "page": passage.page}


def write_passages_jsonl(documents: Iterable[IngestedDocument], path: Path) -> int:
    """Write every passage as JSON Lines; returns the number of lines written."""
    count = 0
    with path.open("w", encoding="utf-8") as out:
        for doc in documents:
            for passage in doc.passages:
                out.write(json.dumps(passage_record(passage), ensure_ascii=False) + "\n")
                count += 1
    return count
