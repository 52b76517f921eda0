"""The lineage table of an index version: every reference a clause makes to another
document, resolved to the indexed document it names where the index holds it, and every
version relation between indexed documents (`versions.py`). Computed once per build from
the ingested documents and stored beside the passages (`lineage.json`, sealed by the
manifest like every file), so that a document's lineage is a lookup, never a scan.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path

from pydantic import BaseModel, Field

from ..core.vocabulary import ClauseKind, DocumentMeta, Passage
from ..ingest.document_references import load_rules
from ..ingest.pipeline import IngestedDocument
from .catalog import DocumentCatalog, name_key
from .versions import VersionFacts, VersionLink, relate_versions, series

# Raised whenever extraction or version relating changes what the same documents give: an
# index with an older table is then stale (its next build recomputes the table; nothing is
# re-embedded), and is served without lineage until then.
LINEAGE_VERSION = 1
LINEAGE_FILE = "lineage.json"
SNIPPET_WORDS = 30
_NOT_VERSION_TEXT = (ClauseKind.TITLE, ClauseKind.FOOTNOTE, ClauseKind.HEADING)


class ReferenceEdge(BaseModel):
    """One reference of a clause of an indexed document to another document."""

    citing_doc: str = Field(description="Id of the citing document.")
    passage: str = Field(description="Id of the passage where the reference stands, e.g. 'a-res-79-194:preamble-8'.")
    label: str = Field(description="Citation label of that clause, e.g. 'A/RES/79/194, preambular para. 8'.")
    snippet: str = Field(description="The clause's first words.")
    target: str = Field(description="The document referred to: its symbol, else its name.")
    target_doc: str | None = Field(default=None, description="Id of the referred document when the index holds it.")
    name: str | None = Field(default=None, description="The referred document's title where known.")
    verb: str
    paragraph: str | None = None
    as_written: str
    footnote: str | None = None


class LineageTable:
    """References and version links of one index version, looked up by document."""

    def __init__(self, edges: Iterable[ReferenceEdge], versions: Iterable[VersionLink]) -> None:
        self.edges = list(edges)
        self.versions = list(versions)
        self._cites: dict[str, list[ReferenceEdge]] = defaultdict(list)
        self._cited_by: dict[str, list[ReferenceEdge]] = defaultdict(list)
        for edge in self.edges:
            self._cites[edge.citing_doc].append(edge)
            if edge.target_doc is not None:
                self._cited_by[edge.target_doc].append(edge)
        self._versions: dict[str, list[VersionLink]] = defaultdict(list)
        for link in self.versions:
            self._versions[link.a].append(link)
            self._versions[link.b].append(link)

    def cites(self, doc_id: str) -> list[ReferenceEdge]:
        """The references the document's clauses make, in document order."""
        return self._cites.get(doc_id, [])

    def cited_by(self, doc_id: str) -> list[ReferenceEdge]:
        """The references other indexed documents make to it."""
        return self._cited_by.get(doc_id, [])

    def versions_of(self, doc_id: str) -> list[VersionLink]:
        return self._versions.get(doc_id, [])

    def series(self, doc_id: str) -> list[str]:
        """Its yearly series, oldest first (itself alone when it has none)."""
        return series(doc_id, self.versions) if doc_id in self._versions else [doc_id]

    def save(self, path: Path) -> None:
        data = {
            "lineage_version": LINEAGE_VERSION,
            "references": [e.model_dump(mode="json") for e in self.edges],
            "versions": [v.model_dump(mode="json") for v in self.versions],
        }
        path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> LineageTable:
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(
            (ReferenceEdge.model_validate(e) for e in data["references"]),
            (VersionLink.model_validate(v) for v in data["versions"]),
        )


def version_facts(document: IngestedDocument) -> VersionFacts:
    clauses = document.clauses
    return VersionFacts(
        doc_id=document.meta.id,
        symbol=document.meta.symbol,
        title=document.meta.title,
        text="\n".join(c.text for c in clauses if c.kind not in _NOT_VERSION_TEXT),
        masthead=next((c.text for c in clauses if c.kind == ClauseKind.TITLE), ""),
    )


def snippet(text: str, words: int = SNIPPET_WORDS) -> str:
    parts = text.split()
    return " ".join(parts[:words]) + (" …" if len(parts) > words else "")


class _TargetResolver:
    """Which indexed document a reference's target is: the document of that symbol, else
    the one the target's title names (a manifest alias: "Tunis Agenda for the Information
    Society" is the tunis-agenda document)."""

    def __init__(self, documents: Sequence[DocumentMeta]) -> None:
        self._by_symbol = {name_key(d.symbol): d.id for d in documents}
        self._catalog = DocumentCatalog(documents)
        self._titles = {d.target: d.names for d in load_rules().documents}

    def __call__(self, target: str, name: str | None) -> str | None:
        found = self._by_symbol.get(name_key(target))
        if found is not None:
            return found
        for title in (name, *self._titles.get(target, ())):
            meta = self._catalog.find(title) if title else None
            if meta is not None:
                return meta.id
        return None


def build_lineage(
    documents: Sequence[IngestedDocument],
    passages: Sequence[Passage],
    metas: Sequence[DocumentMeta],
    kept: LineageTable | None = None,
) -> LineageTable:
    """The table of an index holding `passages` of the documents `metas`: the references of
    the ingested `documents`, placed on the passage (piece) where each stands; `kept`: the
    table to take the references of documents held from a previous build from (a document
    that failed to ingest this time keeps its previous passages, and so its references)."""
    resolve = _TargetResolver(metas)
    pieces: dict[tuple[str, str], list[Passage]] = defaultdict(list)
    for passage in passages:
        pieces[(passage.doc_id, passage.anchor)].append(passage)
    edges: list[ReferenceEdge] = []
    ingested = {d.meta.id for d in documents}
    for document in documents:
        doc_id = document.meta.id
        for reference in document.references:
            held = pieces.get((doc_id, reference.clause))
            if not held:
                continue
            piece = next((p for p in held if p.char_start <= reference.at < p.char_end), held[0])
            target_doc = resolve(reference.target, reference.name)
            if target_doc == doc_id:
                continue  # a text naming itself ("This Global Digital Compact")
            edges.append(
                ReferenceEdge(
                    citing_doc=doc_id,
                    passage=piece.id,
                    label=piece.label,
                    snippet=snippet(held[0].text),
                    target=reference.target,
                    target_doc=target_doc,
                    name=reference.name,
                    verb=reference.verb,
                    paragraph=reference.paragraph,
                    as_written=reference.as_written,
                    footnote=reference.footnote,
                )
            )
    indexed = {m.id for m in metas}
    if kept is not None:
        edges += [e for e in kept.edges if e.citing_doc in indexed - ingested]
    versions = relate_versions(version_facts(d) for d in documents)
    return LineageTable(edges, versions)
