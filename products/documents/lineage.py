"""A document's lineage and versions, as the API shows them: what it cites and what cites
it, grouped by the framing verb, each reference with its citing clause; the documents that
are versions of it; its yearly series as a timeline. Read from the index's lineage table
(`index/lineage.py`), a lookup per document."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from enum import StrEnum

from pydantic import BaseModel, Field

from ...core.errors import IndexNotReadyError
from ...core.vocabulary import DocumentMeta
from ...index.api import YEARLY_SUCCESSOR, HybridRetriever, LineageTable, ReferenceEdge

NO_LINEAGE = (
    "this index version has no lineage table (built before lineage existed, or with an older "
    "one): rebuild it with `wsis index build`"
)


class DocumentRef(BaseModel):
    """A document named in a lineage: its id in the index (null when the index does not
    hold it), symbol and title."""

    doc_id: str | None
    symbol: str
    title: str | None = None
    date: str | None = None


class CitingClause(BaseModel):
    id: str = Field(description="Passage id of the clause where the reference stands.")
    label: str = Field(description="Its citation label, e.g. 'A/RES/79/194, preambular para. 8'.")
    text: str = Field(description="The clause's first words.")


class LineageEdge(BaseModel):
    clause: CitingClause
    document: DocumentRef = Field(description="For `cites`: the document referred to; for `cited_by`: the citing one.")
    paragraph: str | None = Field(default=None, description="The paragraph referred to ('55', 'article 19').")
    as_written: str
    footnote: str | None = Field(default=None, description="Number of the footnote that carries the reference.")


class VerbGroup(BaseModel):
    verb: str = Field(description="recalls, reaffirms, takes note of, welcomes, endorses, ..., other.")
    edges: list[LineageEdge]


class VersionRole(StrEnum):
    """What the other document of a version link is to this one."""

    DRAFT = "draft"
    ADOPTED = "adopted"
    REVISED = "revised"
    REVISION = "revision"
    PREVIOUS = "previous"
    NEXT = "next"


class VersionEntry(BaseModel):
    relation: str = Field(description="draft-adopted, revision or yearly-successor.")
    role: VersionRole = Field(
        description="What the other document is to this one: 'draft', 'adopted', 'revised', 'revision', 'previous', 'next'."
    )
    document: DocumentRef
    evidence: list[str]
    similarity: float


class DocumentLineage(BaseModel):
    document: DocumentRef
    cites: list[VerbGroup]
    cited_by: list[VerbGroup]
    cites_total: int
    cited_by_total: int
    versions: list[VersionEntry]
    series: list[DocumentRef] = Field(
        description="The yearly series of the resolution, oldest first (itself included)."
    )


_ROLES = {
    ("draft-adopted", "a"): VersionRole.ADOPTED,
    ("draft-adopted", "b"): VersionRole.DRAFT,
    ("revision", "a"): VersionRole.REVISION,
    ("revision", "b"): VersionRole.REVISED,
    (YEARLY_SUCCESSOR, "a"): VersionRole.NEXT,
    (YEARLY_SUCCESSOR, "b"): VersionRole.PREVIOUS,
}


def lineage_table(retriever: HybridRetriever) -> LineageTable:
    if retriever.lineage is None:
        raise IndexNotReadyError(NO_LINEAGE)
    return retriever.lineage


def _ref(retriever: HybridRetriever, doc_id: str | None, symbol: str, name: str | None = None) -> DocumentRef:
    meta: DocumentMeta | None = retriever.catalog.find(doc_id) if doc_id else None
    if meta is None:
        return DocumentRef(doc_id=None, symbol=symbol, title=name)
    return DocumentRef(doc_id=meta.id, symbol=meta.symbol, title=meta.title, date=meta.date)


def _grouped(edges: Iterable[tuple[str, LineageEdge]]) -> list[VerbGroup]:
    """Edges by verb, the verbs with most edges first, edges in the order given."""
    groups: dict[str, list[LineageEdge]] = defaultdict(list)
    for verb, edge in edges:
        groups[verb].append(edge)
    return [VerbGroup(verb=v, edges=e) for v, e in sorted(groups.items(), key=lambda item: (-len(item[1]), item[0]))]


def _edge(edge: ReferenceEdge, document: DocumentRef) -> LineageEdge:
    return LineageEdge(
        clause=CitingClause(id=edge.passage, label=edge.label, text=edge.snippet),
        document=document,
        paragraph=edge.paragraph,
        as_written=edge.as_written,
        footnote=edge.footnote,
    )


def document_versions(retriever: HybridRetriever, doc_id: str) -> list[VersionEntry]:
    """The documents that are versions of this one (empty when the index has no lineage table)."""
    if retriever.lineage is None:
        return []
    entries = []
    for link in retriever.lineage.versions_of(doc_id):
        other, side = (link.b, "a") if link.a == doc_id else (link.a, "b")
        meta = retriever.catalog.find(other)
        entries.append(
            VersionEntry(
                relation=link.relation,
                role=_ROLES[(link.relation, side)],
                document=_ref(retriever, other, meta.symbol if meta else other),
                evidence=link.evidence,
                similarity=link.similarity,
            )
        )
    return entries


def document_lineage(retriever: HybridRetriever, doc_id: str) -> DocumentLineage:
    """What the document cites and what cites it, by verb; its versions and series.
    NotFoundError (404) for a document the index does not hold; IndexNotReadyError (503)
    for an index without a lineage table."""
    meta = retriever.catalog.get(doc_id)
    table = lineage_table(retriever)
    cites = table.cites(meta.id)
    cited_by = sorted(table.cited_by(meta.id), key=lambda e: e.citing_doc)
    citing_docs = {d: _ref(retriever, d, d) for d in {e.citing_doc for e in cited_by}}
    return DocumentLineage(
        document=_ref(retriever, meta.id, meta.symbol),
        cites=_grouped((e.verb, _edge(e, _ref(retriever, e.target_doc, e.target, e.name))) for e in cites),
        cited_by=_grouped((e.verb, _edge(e, citing_docs[e.citing_doc])) for e in cited_by),
        cites_total=len(cites),
        cited_by_total=len(cited_by),
        versions=document_versions(retriever, meta.id),
        series=[_ref(retriever, d, d) for d in table.series(meta.id)],
    )
