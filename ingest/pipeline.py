"""Ingestion: a file -> normalised text and blocks -> clauses (by document shape) -> passages.

`ingest_file` ingests one file (raising `IngestError` naming the file and the reason);
`ingest_corpus` ingests every manifest document found in the corpus directories and keeps
going past broken files, collecting their errors.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from pathlib import Path

from pydantic import BaseModel, Field

from ..core.errors import IngestError
from ..core.settings import Settings
from ..core.vocabulary import DocumentMeta, Passage
from ..corpus.manifest import ManifestEntry, file_sha256, load_manifest
from .clauses import Clause, StructureResult
from .council_report import parse_council_report
from .html_parser import parse_html
from .itu_resolution import parse_itu_resolution
from .language import detect_language
from .passages import build_passages
from .pdf_parser import parse_pdf
from .source import SourceDocument
from .text_parser import parse_text
from .un_resolution import parse_generic, parse_un_resolution
from .unknown import meta_for_unknown

DEFAULT_MAX_TOKENS = 256

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


class IngestedDocument(BaseModel):
    meta: DocumentMeta
    source: Path
    shape: str
    text: str = Field(description="Normalised text; clause and passage offsets point into it.")
    clauses: list[Clause]
    passages: list[Passage]
    warnings: list[str] = Field(default_factory=list)
    content_hash: str = Field(description="sha256 of the source file's bytes.")


class IngestFailure(BaseModel):
    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


class CorpusIngest(BaseModel):
    documents: list[IngestedDocument] = Field(default_factory=list)
    errors: list[IngestFailure] = Field(default_factory=list)
    missing: list[str] = Field(default_factory=list, description="Manifest ids with no local file.")

    def add(self, outcome: IngestedDocument | IngestFailure) -> None:
        if isinstance(outcome, IngestFailure):
            self.errors.append(outcome)
        else:
            self.documents.append(outcome)


def is_supported(path: Path) -> bool:
    return path.suffix.lower() in PARSERS


def parse_source(path: Path) -> SourceDocument:
    """The file as blocks, by file type; IngestError for missing or unsupported files."""
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
    path = Path(path)
    doc = parse_source(path)
    if entry is None:
        entry = load_manifest().by_file_name(path.name)
    lang = detect_language("\n".join(b.text for b in doc.body))
    warnings: list[str] = []
    if entry is not None:
        meta, shape = entry.meta, entry.shape
        if lang != meta.lang:
            warnings.append(f"detected language '{lang}' differs from the manifest's '{meta.lang}'")
    else:
        meta, shape = meta_for_unknown(path, doc, lang), "generic"
    structure = STRUCTURES[shape](doc)
    if not structure.clauses:
        raise IngestError(path, "no text found")
    return IngestedDocument(
        meta=meta,
        source=path,
        shape=shape,
        text=doc.text,
        clauses=structure.clauses,
        passages=build_passages(meta, doc, structure.clauses, lang, max_tokens),
        warnings=warnings + structure.warnings,
        content_hash=file_sha256(path),
    )


def ingest_corpus(settings: Settings, *, on_file: Callable[[Path], None] | None = None) -> CorpusIngest:
    """Every manifest document that has a local file in `settings.corpus_dirs`."""
    located, missing = locate_corpus(settings)
    result = CorpusIngest(missing=missing)
    for entry, path in located:
        result.add(ingest_located(entry, path, settings))
        if on_file is not None:
            on_file(path)
    return result


def ingest_located(entry: ManifestEntry | None, path: Path, settings: Settings) -> IngestedDocument | IngestFailure:
    """One located file, ingested or failed: the unit of work of every ingest runner
    (this process, or a Ray cluster's workers)."""
    try:
        return ingest_file(path, entry, max_tokens=settings.max_passage_tokens)
    except IngestError as exc:
        return IngestFailure(path=str(exc.path), reason=exc.reason)


def locate_corpus(settings: Settings) -> tuple[list[tuple[ManifestEntry, Path]], list[str]]:
    """(manifest entry, best local file) for each document found, and the ids not found."""
    located, missing = [], []
    for entry in load_manifest().documents:
        path = entry.locate(settings.corpus_dirs)
        if path is None:
            missing.append(entry.id)
        else:
            located.append((entry, path))
    return located, missing


def expand_paths(paths: Iterable[Path]) -> list[Path]:
    """Files as given; a directory stands for its supported files (not recursive)."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += sorted(p for p in path.iterdir() if p.is_file() and is_supported(p))
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
    result = CorpusIngest()
    for path in expand_paths(paths):
        try:
            result.documents.append(ingest_file(path, max_tokens=max_tokens))
        except IngestError as exc:
            result.errors.append(IngestFailure(path=str(exc.path), reason=exc.reason))
        if on_file is not None:
            on_file(path)
    return result


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
