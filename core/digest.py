"""The one file digest of the project: corpus files (checksums of downloads, document
content hashes), index files (the seal of a version) and exported models all use it."""

from __future__ import annotations

import hashlib
from pathlib import Path


def file_sha256(path: Path | str) -> str:
    """Hex sha256 of the file's bytes, read in blocks (hashlib releases the GIL meanwhile)."""
    with open(path, "rb") as data:
        return hashlib.file_digest(data, "sha256").hexdigest()
