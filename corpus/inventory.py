"""What the corpus directories hold: every supported file is a document of the index,
whether or not the manifest knows it (the manifest enriches what it knows).

A corpus directory contributes its top-level supported files and the files the manifest
lists for its documents (which may sit in a subfolder, e.g. "pdf/A_RES_80_173_en.pdf").
Notes about a directory (README, SOURCES, LICENSE...) are not documents; hidden files
(a copy still being written) are not either, nor links that leave the directory.

When one document is found more than once, `source_rank` decides which source is read:
1. a file the manifest lists for the document, in lookup order of the directories and
   then the manifest's order of files (its curated text before its PDF);
2. any other file: text before HTML before PDF, then the earlier directory, then the name;
3. a record of a bulk collection (text extracted by a third party) comes last.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..core.digest import file_sha256
from ..core.settings import Settings
from .manifest import Manifest, ManifestEntry, corpus_search_dirs, load_manifest

SUPPORTED_SUFFIXES = frozenset({".md", ".markdown", ".txt", ".pdf", ".html", ".htm"})
_FORMAT_RANK = {".md": 0, ".markdown": 0, ".txt": 1, ".html": 2, ".htm": 2, ".pdf": 3}
_NOTES = frozenset({"readme", "sources", "license", "licence", "changelog", "notice"})

SOURCE_RULE = (
    "a file the manifest lists for the document first (directory order, then the manifest's order), "
    "then other files (text before HTML before PDF, then directory order, then name), "
    "then collection records"
)

Rank = tuple[int, int, int, str]


def is_document_file(path: Path) -> bool:
    """Whether a file can be a corpus document: a supported type, not a hidden file, not a
    note about the directory."""
    return (
        path.suffix.lower() in SUPPORTED_SUFFIXES and not path.name.startswith(".") and path.stem.lower() not in _NOTES
    )


@dataclass(frozen=True)
class CorpusFile:
    """A supported file of a corpus directory, and the manifest entry that lists it."""

    path: Path
    directory: int  # position of its directory in lookup order
    entry: ManifestEntry | None = None
    listed_at: int = 0  # position among the entry's files

    @property
    def rank(self) -> Rank:
        """Lower is better (see the module docstring)."""
        return source_rank(self.path, self.directory, self.entry is not None, self.listed_at)


def source_rank(path: Path, directory: int, listed: bool, listed_at: int = 0) -> Rank:
    if listed:
        return (0, directory, listed_at, "")
    return (1, _FORMAT_RANK.get(path.suffix.lower(), len(_FORMAT_RANK)), directory, path.name)


def collection_rank(collection: int, line: int) -> Rank:
    return (2, collection, line, "")


@dataclass
class Inventory:
    directories: list[Path]
    files: list[CorpusFile]
    collections: list[Path]

    def for_entry(self, entry: ManifestEntry) -> list[CorpusFile]:
        """The files that hold a manifest document, best first."""
        return sorted((f for f in self.files if f.entry is not None and f.entry.id == entry.id), key=lambda f: f.rank)

    def unlisted(self) -> list[CorpusFile]:
        """Files the manifest does not list: documents to be identified by their own text."""
        return sorted((f for f in self.files if f.entry is None), key=lambda f: f.rank)

    def fingerprint(self) -> dict[str, str]:
        """Every source file with its content hash: when this changes, the index is stale."""
        return {str(p): file_sha256(p) for p in [*(f.path for f in self.files), *self.collections]}


COLLECTIONS = "collections"  # the library's folder of bulk collections
COLLECTION_SUFFIXES = (".jsonl", ".jsonl.gz")


def is_collection_file(path: Path) -> bool:
    return path.name.endswith(COLLECTION_SUFFIXES) and not path.name.startswith(".")


def library_collections(library_dir: Path) -> list[Path]:
    """The bulk collections added to the library, by name."""
    folder = library_dir / COLLECTIONS
    return sorted(p for p in folder.iterdir() if p.is_file() and is_collection_file(p)) if folder.is_dir() else []


def take_inventory(
    settings: Settings, manifest: Manifest | None = None, extra: list[Path] | tuple[Path, ...] = ()
) -> Inventory:
    """Every document file in the corpus directories (`corpus_search_dirs`) and the
    collection files of `settings.collections` and of the library."""
    manifest = manifest or load_manifest()
    directories = corpus_search_dirs(settings, extra)
    listed: dict[str, tuple[ManifestEntry | None, int]] = {}
    for document in manifest.documents:
        for position, name in enumerate(document.files):
            listed.setdefault(name, (document, position))
    files: list[CorpusFile] = []
    seen: set[Path] = set()
    for index, directory in enumerate(directories):
        if not directory.is_dir():
            continue
        candidates = [p for p in directory.iterdir() if p.is_file() and is_document_file(p)]
        candidates += [directory / name for name in listed if "/" in name and (directory / name).is_file()]
        for path in sorted(candidates):
            if path in seen or not _inside(path, directory):
                continue
            seen.add(path)
            entry, position = listed.get(path.relative_to(directory).as_posix(), (None, 0))
            files.append(CorpusFile(path=path, directory=index, entry=entry, listed_at=position))
    collections = [Path(c).expanduser().resolve() for c in settings.collections]
    collections += [c.resolve() for c in library_collections(settings.library_dir) if c.resolve() not in collections]
    return Inventory(directories=directories, files=files, collections=collections)


def _inside(path: Path, directory: Path) -> bool:
    # A link that leaves the corpus directory would index whatever it points at.
    return path.resolve().is_relative_to(directory.resolve())
