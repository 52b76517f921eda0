"""Ingest a bulk collection and print what it gave: documents, failures, clauses per kind,
seconds, and the machine's load (figures, not a pass/fail check).

    .venv/bin/python scripts/ingest_collection.py [../shared/un-corpus/un-documents-78-80.jsonl.gz]
"""

from __future__ import annotations

import os
import sys
import time
from collections import Counter
from pathlib import Path

from wsis_rag.core.settings import PROJECT_ROOT
from wsis_rag.ingest.pipeline import ingest_collection

DEFAULT = PROJECT_ROOT.parent / "shared" / "un-corpus" / "un-documents-78-80.jsonl.gz"


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT
    load_before = os.getloadavg()
    started = time.perf_counter()
    result = ingest_collection(path)
    seconds = time.perf_counter() - started
    kinds = Counter(c.kind.value for doc in result.documents for c in doc.clauses)
    passages = sum(len(doc.passages) for doc in result.documents)
    print(f"collection: {path}")
    print(f"load average before: {load_before[0]:.2f}, after: {os.getloadavg()[0]:.2f} ({os.cpu_count()} CPUs)")
    print(f"documents: {len(result.documents)}, failed: {len(result.errors)}, duplicates: {len(result.duplicates)}")
    print(f"clauses: {sum(kinds.values())}, passages: {passages}, seconds: {seconds:.1f}")
    for kind, count in kinds.most_common():
        print(f"  {kind:18} {count:7}")
    for failure in result.errors:
        print(f"failed: {failure}")


if __name__ == "__main__":
    main()
