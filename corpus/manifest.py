"""The corpus manifest (corpus/manifest.toml): which documents make up the WSIS corpus,
how to cite them, where their official text lives and which local files hold them."""

from __future__ import annotations

import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, field_validator

from ..core.settings import Settings
from ..core.vocabulary import DocumentMeta

MANIFEST_PATH = Path(__file__).with_name("manifest.toml")

Shape = Literal["un-resolution", "itu-resolution", "itu-council-report", "generic"]


class FetchSource(BaseModel):
    url: str = Field(pattern=r"^https?://")
    file: str = Field(description="File name to save under the cache directory.")
    sha256: str | None = Field(
        default=None, pattern=r"^[0-9a-f]{64}$", description="Expected digest of the bytes, when known."
    )

    @field_validator("file")
    @classmethod
    def _plain_file_name(cls, name: str) -> str:
        # The name is joined to the cache directory: a path here could write anywhere.
        if not name or name in {".", ".."} or Path(name).name != name or "\\" in name:
            raise ValueError(f"fetch file must be a plain file name, not {name!r}")
        return name


class ManifestEntry(BaseModel):
    meta: DocumentMeta
    files: list[str] = Field(description="Local file names (relative to a corpus dir), best first.")
    shape: Shape
    fetch: list[FetchSource] = Field(default_factory=list)

    @property
    def id(self) -> str:
        return self.meta.id

    def locate(self, corpus_dirs: list[Path]) -> Path | None:
        """The best local file for this document: the first name of `files` found in the
        first corpus directory that has any of them."""
        for directory in corpus_dirs:
            for name in self.files:
                candidate = directory / name
                if candidate.is_file():
                    return candidate
        return None


class Manifest(BaseModel):
    documents: list[ManifestEntry]

    def get(self, doc_id: str) -> ManifestEntry | None:
        return next((e for e in self.documents if e.id == doc_id), None)

    def by_file_name(self, name: str) -> ManifestEntry | None:
        """The entry that lists `name` among its local files (used by `wsis ingest PATH`)."""
        return next((e for e in self.documents if any(Path(f).name == name for f in e.files)), None)

    def by_symbol(self, symbol: str) -> ManifestEntry | None:
        """The entry of exactly this symbol (spacing and case aside). Aliases do not count:
        "A/RES/79/1" is an alias of the GDC, but the document of that symbol is the whole Pact."""
        key = _key(symbol)
        return next((e for e in self.documents if _key(e.meta.symbol) == key), None)

    def resolve(self, name: str) -> ManifestEntry | None:
        """An entry by id, symbol, short name or alias (case- and space-insensitive)."""
        key = _key(name)
        for entry in self.documents:
            m = entry.meta
            if key in {_key(m.id), _key(m.symbol), _key(m.short), *map(_key, m.aliases)}:
                return entry
        return None


class DocumentPresence(BaseModel):
    """Whether a manifest document is present locally, and where."""

    entry: ManifestEntry
    path: Path | None = Field(description="The local file ingestion would read; None when missing.")

    @property
    def present(self) -> bool:
        return self.path is not None

    def as_json(self) -> dict[str, object]:
        m = self.entry.meta
        return {
            "id": m.id,
            "symbol": m.symbol,
            "title": m.title,
            "body": m.body,
            "type": m.type.value,
            "date": m.date,
            "lang": m.lang,
            "present": self.present,
            "path": str(self.path) if self.path else None,
            "fetchable": bool(self.entry.fetch),
        }


def corpus_search_dirs(settings: Settings, extra: list[Path] | tuple[Path, ...] = ()) -> list[Path]:
    """The corpus directories in lookup order: the cache, the configured dirs, the user's
    library, then `extra` (e.g. `--corpus` flags). The cache comes first even when
    `corpus_dirs` was overridden without it, so that a downloaded document is always found.
    The one answer to "where are the documents" for listing, fetching, ingesting and
    building the index."""
    ordered = [settings.cache_dir, *settings.corpus_dirs, settings.library_dir, *extra]
    # Compared resolved (one directory named two ways is searched once), returned as named:
    # a document's path is the one the user configured, not where a link leads.
    unique: dict[Path, Path] = {}
    for directory in ordered:
        named = Path(directory).expanduser().absolute()
        unique.setdefault(named.resolve(), named)
    return list(unique.values())


def presence(manifest: Manifest, corpus_dirs: list[Path]) -> list[DocumentPresence]:
    """Every manifest document, in manifest order, with the local file that holds it."""
    return [DocumentPresence(entry=e, path=e.locate(corpus_dirs)) for e in manifest.documents]


def _key(text: str) -> str:
    return " ".join(text.lower().split())


def parse_manifest(path: Path) -> Manifest:
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    entries = []
    for doc in raw.get("document", []):
        files = doc.pop("files", [])
        shape = doc.pop("shape", "generic")
        fetch = doc.pop("fetch", [])
        entries.append(ManifestEntry(meta=DocumentMeta(**doc), files=files, shape=shape, fetch=fetch))
    return Manifest(documents=entries)


@lru_cache
def load_manifest(path: Path = MANIFEST_PATH) -> Manifest:
    return parse_manifest(path)
