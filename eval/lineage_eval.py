"""Lineage against its hand-labelled ground truth (issue 26): reference extraction
(`eval/sets/lineage/references.jsonl`: edge precision, recall, verb accuracy) and version
relating (`eval/sets/compare/*.json`: which of the labelled pairs are found).

    python -m wsis_rag.eval.lineage_eval [--collection ../shared/un-corpus/un-documents-78-80.jsonl.gz]
        [--set eval/sets/lineage/references.jsonl] [--pairs eval/sets/compare] [--json out.json]

It ingests the corpus and the collection (no index, no embeddings) and scores only the
labelled clauses. A reference matches a labelled one of its clause when they name the same
target: the same symbol, a canonical name and its symbol (the names of
`ingest/document_references.toml`), or, for documents without a symbol, the same title
(rapidfuzz token-set similarity >= 90, word order and case aside). Verb and paragraph
accuracy are counted on matched references.

The rules were written from how resolutions are drafted and checked on half of the labelled
documents (`dev`, every other document by number of labelled references); the other half
(`test`) is the figure to quote. Intervals: 95 % percentile bootstrap over clauses (the
references of one clause, e.g. a footnote's list of 20 resolutions, stand or fall together,
so clauses, not references, are the independent draws).
"""

from __future__ import annotations

import argparse
import json
import re
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from rapidfuzz import fuzz

from ..core.settings import get_settings
from ..index.api import build_retriever, load_retriever
from ..index.lineage import build_lineage, version_facts
from ..index.versions import relate_versions
from ..ingest.document_references import DocumentReference, load_rules
from ..ingest.pipeline import IngestedDocument, ingest_corpus
from ..ingest.symbols import canonical_symbol
from ..products.documents.lineage import document_lineage
from .metrics import BOOTSTRAP_RESAMPLES, BOOTSTRAP_SEED, CONFIDENCE, Interval

SETS = Path(__file__).resolve().parent / "sets"
REFERENCES = SETS / "lineage" / "references.jsonl"
PAIRS = SETS / "compare"
TITLE_MATCH = 90
_NUMBER = re.compile(r"^\s*(?:\d+\.\s+|\([a-z]{1,4}\)\s+)")
_WSIS = re.compile(r"information society|information and communications? technolog", re.IGNORECASE)


@dataclass(frozen=True)
class LabelledReference:
    target: str
    verb: str
    paragraph: str | None
    from_footnote: bool


@dataclass(frozen=True)
class LabelledClause:
    doc: str
    clause: str
    start: str
    references: tuple[LabelledReference, ...]


def load_labelled(path: Path = REFERENCES) -> list[LabelledClause]:
    clauses = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        references = tuple(
            LabelledReference(r["target"], r["verb"], r["paragraph"], "footnote" in r["as_written"])
            for r in row["references"]
        )
        clauses.append(LabelledClause(row["doc"], row["clause"], row["clause_text_start"], references))
    return clauses


def split_documents(clauses: Sequence[LabelledClause]) -> dict[str, str]:
    """Document symbol -> "dev" or "test": by number of labelled references, every other one."""
    counts: dict[str, int] = defaultdict(int)
    for clause in clauses:
        counts[clause.doc] += len(clause.references)
    ranked = sorted(counts, key=lambda doc: (-counts[doc], doc))
    return {doc: ("dev" if rank % 2 == 0 else "test") for rank, doc in enumerate(ranked)}


_MARK = re.compile(r"(?<=[^\W\d]|[,.;:”’)])\s?\d{1,3}(?=[\s,.;:]|$)")


def _normal(text: str) -> str:
    """Whitespace collapsed, line-end hyphens joined and footnote marks left out (some
    readers keep them in the text, some take them out; the labels were copied with them)."""
    return " ".join(_MARK.sub("", re.sub(r"(\w)-\s+(\w)", r"\1\2", text)).split())


def clause_anchor(document: IngestedDocument, labelled: LabelledClause) -> str | None:
    """The clause of `document` a labelled clause is: the one whose text opens with the
    labelled start (the labels were made by reading the text, not from our anchors)."""
    start = _normal(labelled.start)
    found = [c for c in document.clauses if _normal(_NUMBER.sub("", c.text)).startswith(start)]
    found = found or [c for c in document.clauses if start in _normal(c.text)]
    if not found:
        return None
    same = [c for c in found if c.anchor == labelled.clause]
    return (same or found)[0].anchor


class TargetNames:
    """Labelled targets in the form the extraction gives them: a canonical name of the
    table as its symbol, a symbol in canonical form, any other name as written."""

    def __init__(self) -> None:
        self._by_name = {d.name.casefold(): d.target for d in load_rules().documents}

    def normal(self, target: str) -> str:
        if target.casefold() in self._by_name:
            return self._by_name[target.casefold()]
        return canonical_symbol(target) if "/" in target else target

    @staticmethod
    def same(a: str, b: str) -> bool:
        if " ".join(a.casefold().split()) == " ".join(b.casefold().split()):
            return True
        if "/" in a or "/" in b:
            return False
        return fuzz.token_set_ratio(a.casefold(), b.casefold()) >= TITLE_MATCH


@dataclass
class ClauseScore:
    doc: str
    split: str
    wsis: bool
    predicted: int = 0
    labelled: int = 0
    matched: int = 0
    verb_right: int = 0
    paragraph_right: int = 0
    misses: list[str] = field(default_factory=list)


def score_clause(
    labelled: Sequence[LabelledReference], found: Sequence[DocumentReference], names: TargetNames, score: ClauseScore
) -> None:
    score.predicted += len(found)
    score.labelled += len(labelled)
    free = list(found)
    pending: list[LabelledReference] = []
    for exact_paragraph in (True, False):
        pending = []
        for reference in labelled:
            target = names.normal(reference.target)
            match = next(
                (
                    f
                    for f in free
                    if names.same(target, f.target) and (not exact_paragraph or f.paragraph == reference.paragraph)
                ),
                None,
            )
            if match is None:
                pending.append(reference)
                continue
            free.remove(match)
            score.matched += 1
            score.verb_right += match.verb == reference.verb
            score.paragraph_right += match.paragraph == reference.paragraph
            if match.verb != reference.verb:
                score.misses.append(f"verb {target}: {match.verb} (labelled {reference.verb})")
        labelled = pending
    score.misses += [f"missed {r.target} ({r.verb})" for r in pending]
    score.misses += [f"extra {f.target} ({f.verb}): {f.as_written[:80]}" for f in free]


def ratio_interval(numerators: Sequence[int], denominators: Sequence[int]) -> Interval:
    """sum(numerators) / sum(denominators), with its percentile bootstrap interval over the
    units (clauses) they come from."""
    top, bottom = np.asarray(numerators, float), np.asarray(denominators, float)
    if bottom.sum() == 0:
        return Interval(0.0, 0.0, 0.0)
    draws = np.random.default_rng(BOOTSTRAP_SEED).integers(0, len(top), size=(BOOTSTRAP_RESAMPLES, len(top)))
    sums = bottom[draws].sum(axis=1)
    ratios = np.divide(top[draws].sum(axis=1), sums, out=np.zeros(len(sums)), where=sums > 0)
    tail = (1 - CONFIDENCE) / 2 * 100
    low, high = np.percentile(ratios, [tail, 100 - tail])
    return Interval(float(top.sum() / bottom.sum()), float(low), float(high))


def evaluate_references(
    clauses: Sequence[LabelledClause], documents: Sequence[IngestedDocument], *, without_footnotes: bool = False
) -> list[ClauseScore]:
    by_symbol = {d.meta.symbol: d for d in documents}
    split = split_documents(clauses)
    names = TargetNames()
    scores = []
    for labelled in clauses:
        document = by_symbol.get(labelled.doc)
        score = ClauseScore(
            f"{labelled.doc} {labelled.clause}",
            split[labelled.doc],
            bool(document and _WSIS.search(document.meta.title)),
        )
        anchor = clause_anchor(document, labelled) if document else None
        found = [r for r in document.references if r.clause == anchor] if document and anchor else []
        references = list(labelled.references)
        if without_footnotes:  # and what the extraction found of them, from their footnote or by name
            dropped = [names.normal(r.target) for r in references if r.from_footnote]
            found = [r for r in found if r.footnote is None and not any(names.same(t, r.target) for t in dropped)]
            references = [r for r in references if not r.from_footnote]
        if document is None or anchor is None:
            score.misses.append(f"clause not found: {labelled.clause} {labelled.start!r}")
        score_clause(references, found, names, score)
        scores.append(score)
    return scores


def summary(scores: Sequence[ClauseScore]) -> dict[str, Any]:
    def interval(top: str, bottom: str) -> list[float]:
        return ratio_interval([getattr(s, top) for s in scores], [getattr(s, bottom) for s in scores]).as_json()

    return {
        "clauses": len(scores),
        "labelled": sum(s.labelled for s in scores),
        "predicted": sum(s.predicted for s in scores),
        "matched": sum(s.matched for s in scores),
        "precision": interval("matched", "predicted"),
        "recall": interval("matched", "labelled"),
        "verb_accuracy": interval("verb_right", "matched"),
        "paragraph_accuracy": interval("paragraph_right", "matched"),
    }


def evaluate_versions(pairs_dir: Path, documents: Sequence[IngestedDocument]) -> dict[str, Any]:
    """The labelled version pairs and what relating found for each."""
    started = time.perf_counter()
    links = relate_versions(version_facts(d) for d in documents)
    seconds = time.perf_counter() - started
    symbol = {d.meta.id: d.meta.symbol for d in documents}
    found = {(symbol[link.a], symbol[link.b]): link for link in links}
    rows = []
    for path in sorted(pairs_dir.glob("*.json")):
        pair = json.loads(path.read_text(encoding="utf-8"))
        link = found.get((pair["a"], pair["b"]))
        rows.append(
            {
                "a": pair["a"],
                "b": pair["b"],
                "labelled": pair["relation"],
                "found": link.relation if link else None,
                "evidence": link.evidence if link else [],
            }
        )
    relations: dict[str, int] = defaultdict(int)
    for link in links:
        relations[link.relation] += 1
    return {
        "pairs": rows,
        "found": sum(r["found"] == r["labelled"] for r in rows),
        "labelled": len(rows),
        "links": dict(relations),
        "seconds": round(seconds, 1),
    }


def time_lineage(documents: Sequence[IngestedDocument], index_dir: Path | None) -> dict[str, Any]:
    """Time of building the lineage table from the ingested documents, and of
    `document_lineage` for every document, in process: against the index in `index_dir`
    (its table, or the one built here when it has none), else against a retriever held in
    memory over the same passages with BM25 alone (lineage reads no vectors)."""
    passages = [p for d in documents for p in d.passages]
    metas = [d.meta for d in documents]
    started = time.perf_counter()
    table = build_lineage(documents, passages, metas)
    build_seconds = time.perf_counter() - started
    if index_dir is not None:
        retriever = load_retriever(get_settings().model_copy(update={"index_dir": index_dir}))
        retriever.lineage = retriever.lineage or table
        where = f"index {index_dir}"
    else:
        retriever = build_retriever(passages, metas, {}, lineage=table)
        where = "in-memory retriever (BM25 only) over the ingested passages"
    took = []
    for meta in retriever.documents:
        started = time.perf_counter()
        document_lineage(retriever, meta.id)
        took.append((time.perf_counter() - started) * 1000)
    most = max(retriever.documents, key=lambda m: len(retriever.lineage.cited_by(m.id)) if retriever.lineage else 0)
    return {
        "against": where,
        "passages": len(retriever.passages),
        "documents": len(retriever.documents),
        "edges": len(table.edges),
        "version_links": len(table.versions),
        "build_seconds": round(build_seconds, 1),
        "lineage_ms": {
            "p50": round(float(np.percentile(took, 50)), 2),
            "p95": round(float(np.percentile(took, 95)), 2),
            "max": round(max(took), 2),
        },
        "most_cited": {"doc": most.symbol, "cited_by": len(table.cited_by(most.id))},
    }


def ingest_documents(collection: Path | None) -> list[IngestedDocument]:
    """The corpus of the settings and the collection, ingested (no index, no embeddings)."""
    settings = get_settings()
    if collection is not None:
        settings = settings.model_copy(update={"collections": [*settings.collections, collection]})
    return ingest_corpus(settings).documents


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    default_collection = get_settings().shared_dir / "un-corpus" / "un-documents-78-80.jsonl.gz"
    parser.add_argument("--collection", type=Path, default=default_collection)
    parser.add_argument("--set", type=Path, default=REFERENCES)
    parser.add_argument("--pairs", type=Path, default=PAIRS)
    parser.add_argument("--json", type=Path, help="Write every figure here.")
    parser.add_argument("--timings", action="store_true", help="Also time the lineage table and /lineage lookups.")
    parser.add_argument("--index", type=Path, help="Time against this index (default: an in-memory one).")
    parser.add_argument(
        "--misses", choices=["dev", "test", "all", "none"], default="none", help="Print the errors of a split."
    )
    args = parser.parse_args(argv)
    started = time.perf_counter()
    documents = ingest_documents(args.collection)
    ingest_seconds = time.perf_counter() - started
    clauses = load_labelled(args.set)
    scores = evaluate_references(clauses, documents)
    bare = evaluate_references(clauses, documents, without_footnotes=True)
    slices = {
        "all": scores,
        "dev": [s for s in scores if s.split == "dev"],
        "test": [s for s in scores if s.split == "test"],
        "test, WSIS documents": [s for s in scores if s.split == "test" and s.wsis],
        "test, other documents": [s for s in scores if s.split == "test" and not s.wsis],
        "test, without footnote references": [s for s in bare if s.split == "test"],
    }
    references = {name: summary(group) for name, group in slices.items()}
    versions = evaluate_versions(args.pairs, documents)
    report = {
        "documents_ingested": len(documents),
        "ingest_seconds": round(ingest_seconds, 1),
        "split": split_documents(clauses),
        "references": references,
        "versions": versions,
    }
    if args.timings:
        report["timings"] = time_lineage(documents, args.index)
    print(f"# ingested {len(documents)} documents in {ingest_seconds:.0f} s")
    print("slice\tclauses\tlabelled\tfound\tmatched\tprecision\trecall\tverb accuracy\tparagraph accuracy")
    for name, figures in references.items():
        cells = [
            name,
            figures["clauses"],
            figures["labelled"],
            figures["predicted"],
            figures["matched"],
            *(_shown(figures[k]) for k in ("precision", "recall", "verb_accuracy", "paragraph_accuracy")),
        ]
        print("\t".join(str(c) for c in cells))
    print(
        f"# version pairs found {versions['found']}/{versions['labelled']}; links {versions['links']} in {versions['seconds']} s"
    )
    for row in versions["pairs"]:
        print(
            f"{row['labelled']}\t{row['a']} -> {row['b']}\t{row['found'] or 'not found'}\t{'; '.join(row['evidence'])}"
        )
    if "timings" in report:
        print(f"# lineage timings: {json.dumps(report['timings'])}")
    if args.misses != "none":
        for score in scores:
            if args.misses in ("all", score.split):
                for miss in score.misses:
                    print(f"# {score.doc}: {miss}")
    if args.json:
        args.json.write_text(json.dumps(report, indent=1, ensure_ascii=False), encoding="utf-8")


def _shown(values: list[float]) -> str:
    value, low, high = values
    return f"{value:.3f} [{low:.3f}, {high:.3f}]"


if __name__ == "__main__":
    main()
