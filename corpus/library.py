"""The user's library (`settings.library_dir`): documents added with `wsis corpus add`.

It is a corpus directory like the others (corpus_search_dirs lists it), so the next
`wsis index build` indexes what was added and drops what was removed. A bulk collection
(JSON Lines, `.jsonl` or `.jsonl.gz`: symbol, title, file, text) is kept in its
`collections/` folder and indexed beside the settings' collections, so a user adds one
with a command rather than a JSON list in an environment variable. A file is copied in
atomically (written under a hidden temporary name, then renamed), so a build never reads
half a copy; files that cannot be documents are refused with the reason, and nothing
already in the library is overwritten by a different file of the same name.
"""

from __future__ import annotations

import gzip
import json
import logging
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ..core.digest import file_sha256
from .inventory import COLLECTIONS, SUPPORTED_SUFFIXES, is_collection_file, is_document_file

logger = logging.getLogger(__name__)

_PDF_MAGIC = b"%PDF-"


@dataclass
class LibraryChange:
    """What `add_to_library` or `remove_from_library` did, file by file."""

    added: list[Path] = field(default_factory=list)
    unchanged: list[Path] = field(default_factory=list)  # the same bytes were already there
    removed: list[Path] = field(default_factory=list)
    refused: list[tuple[Path, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.refused


def _refusal(path: Path) -> str | None:
    """Why `path` cannot be added, or None."""
    if not path.is_file():
        return "not a file"
    if is_collection_file(path):
        return _collection_refusal(path)
    if not is_document_file(path):
        if path.suffix.lower() in SUPPORTED_SUFFIXES:
            return "a hidden file or a directory note (README, SOURCES, LICENSE...), not a document"
        supported = ", ".join(sorted(SUPPORTED_SUFFIXES))
        return f"unsupported file type '{path.suffix or path.name}' (supported: {supported}, or a collection: .jsonl, .jsonl.gz)"
    with path.open("rb") as stream:
        start = stream.read(len(_PDF_MAGIC))
    if not start:
        return "the file is empty"
    if path.suffix.lower() == ".pdf" and start != _PDF_MAGIC:
        return "not a PDF (it does not start with %PDF-)"
    return None


def _collection_refusal(path: Path) -> str | None:
    """Why `path` is not a bulk collection: its first record must be a JSON object with a
    'symbol' and a 'text' (a bad record further on is reported by the build, by line)."""
    try:
        with (
            gzip.open(path, "rt", encoding="utf-8") if path.name.endswith(".gz") else path.open(encoding="utf-8")
        ) as lines:
            first = next((line for line in lines if line.strip()), None)
    except (OSError, EOFError, UnicodeDecodeError) as exc:
        return f"not a readable collection ({exc})"
    if first is None:
        return "the collection is empty"
    try:
        record = json.loads(first)
    except json.JSONDecodeError as exc:
        return f"not a collection: its first line is not JSON ({exc.msg})"
    if not isinstance(record, dict) or not record.get("symbol") or not isinstance(record.get("text"), str):
        return "not a collection: its first record has no 'symbol' and 'text'"
    return None


def _candidates(paths: list[Path]) -> list[Path]:
    """Files as given; a folder stands for every file under it."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += sorted(p for p in path.rglob("*") if p.is_file())
        else:
            files.append(path)
    return files


def add_to_library(paths: list[Path], library_dir: Path) -> LibraryChange:
    """Copy documents (files, or every file of folders) into the library."""
    change = LibraryChange()
    library_dir.mkdir(parents=True, exist_ok=True)
    for path in _candidates(paths):
        reason = _refusal(path)
        target = (library_dir / COLLECTIONS if is_collection_file(path) else library_dir) / path.name
        if reason is None and target.exists():
            if file_sha256(target) == file_sha256(path):
                change.unchanged.append(target)
                continue
            reason = f"a different {path.name} is already in the library; remove it first"
        if reason is not None:
            change.refused.append((path, reason))
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        _copy_atomically(path, target)
        change.added.append(target)
        logger.info("added %s to the library as %s", path, target)
    return change


def _copy_atomically(source: Path, target: Path) -> None:
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    os.close(handle)
    try:
        shutil.copyfile(source, temporary)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def remove_from_library(names: list[str], library_dir: Path) -> LibraryChange:
    """Remove documents (and collections) from the library by file name (or path of a file in it)."""
    change = LibraryChange()
    for name in names:
        target = library_dir / Path(name).name
        if is_collection_file(target):
            target = library_dir / COLLECTIONS / target.name
        if not target.is_file():
            change.refused.append((Path(name), f"no file {Path(name).name} in the library {library_dir}"))
            continue
        target.unlink()
        change.removed.append(target)
        logger.info("removed %s from the library", target)
    return change
