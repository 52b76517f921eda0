"""Every citation the service prints, asked back, names its clause: for each numbered clause
of the index (paragraphs, subparagraphs, items, preambular and report paragraphs), its
citation label ("A/RES/80/162, annex, art. 4, para. 1 (c)", "A/RES/79/1, annex I, para. 7")
is read as a query, and the clauses the query analysis names are compared with it.

    python -m wsis_rag.eval.citation_roundtrip [--index DIR] [--show N]

A label names its clause, another clause (a wrong citation: worse than none) or none. A
number a document repeats ("para-1-dup2") and a chunk of a long clause ("~2") are left out.
"""

from __future__ import annotations

import argparse
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..core.settings import get_settings
from ..core.vocabulary import ClauseKind, Passage
from ..index.api import HybridRetriever, load_retriever

CITED_KINDS = frozenset(
    {ClauseKind.PREAMBLE, ClauseKind.PARAGRAPH, ClauseKind.SUBPARAGRAPH, ClauseKind.ITEM, ClauseKind.SECTION_PARAGRAPH}
)


@dataclass(frozen=True)
class RoundTrip:
    label: str
    clause: str  # the passage id the label cites
    named: tuple[str, ...]  # the clauses the label, read as a query, names

    @property
    def outcome(self) -> str:
        if self.named == (self.clause,):
            return "its clause"
        return "another clause" if self.named else "no clause"


def cited_clauses(retriever: HybridRetriever) -> Iterator[Passage]:
    """The index's numbered clauses whose labels name one clause each."""
    for doc in retriever.documents:
        for passage in retriever.document_passages(doc.id):
            numbered = any(c.isdigit() for c in passage.anchor)
            if passage.kind in CITED_KINDS and numbered and "~" not in passage.id and "-dup" not in passage.anchor:
                yield passage


def round_trip(retriever: HybridRetriever, passage: Passage) -> RoundTrip:
    refs = retriever.analyse_query(passage.citation.label).clause_references
    return RoundTrip(passage.citation.label, passage.id, tuple(f"{r.doc_id}:{r.anchor}" for r in refs))


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--index", type=Path, help="Index directory (default: the index_dir setting).")
    parser.add_argument("--show", type=int, default=5, help="Labels shown of each outcome but the right one.")
    args = parser.parse_args(argv)
    settings = get_settings()
    if args.index:
        settings = settings.model_copy(update={"index_dir": args.index})
    retriever = load_retriever(settings)
    trips = [round_trip(retriever, passage) for passage in cited_clauses(retriever)]
    counts = Counter(trip.outcome for trip in trips)
    print(f"{len(trips)} numbered clauses; their printed citation, read as a query, names:")
    for outcome in ("its clause", "another clause", "no clause"):
        print(f"  {outcome}: {counts[outcome]} ({counts[outcome] / max(len(trips), 1):.2%})")
        for trip in [t for t in trips if t.outcome == outcome and outcome != "its clause"][: args.show]:
            print(f"    {trip.label!r} ({trip.clause}) -> {', '.join(trip.named) or '-'}")


if __name__ == "__main__":
    main()
