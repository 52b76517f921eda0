"""Document identity in one place: which indexed document a name, symbol or alias means.

Built from the index's own documents (so a document the manifest does not know is found by
its symbol as well as a manifest one by its aliases). Search filters (`doc=`), mentions in
queries (references.DocumentMentions), `/documents/{id}`, briefings and mandates all ask it.

Unknown names fail the same way everywhere: a document the index does not hold is a
missing resource (HTTP 404), whether it is named in a filter or parameter (`/search?doc=`,
`/mandates?doc=`, a briefing's filters) or in a URL path (`/documents/{id}`). Any name is
well-formed input, so it is not a 422 (a schema-valid request the server rejects).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ..core.errors import NotFoundError
from ..core.vocabulary import DocumentMeta, Passage


class UnknownDocumentError(NotFoundError):
    """A document name (filter, parameter) that names no indexed document."""


def name_key(name: str) -> str:
    """Names compare without case and spacing: "a /res/79/194" is "A/RES/79/194"."""
    return re.sub(r"\s+", "", name.casefold())


class DocumentCatalog:
    def __init__(self, documents: Iterable[DocumentMeta]) -> None:
        self.documents = list(documents)
        self._by_id = {d.id: d for d in self.documents}
        self._by_name: dict[str, DocumentMeta] = {}
        # Ids and symbols first, so that an alias never shadows another document's own name.
        for names in (lambda d: [d.id, d.symbol], lambda d: [d.short, *d.aliases]):
            for doc in self.documents:
                for name in names(doc):
                    self._by_name.setdefault(name_key(name), doc)

    @classmethod
    def from_passages(cls, passages: Iterable[Passage]) -> DocumentCatalog:
        """A catalog of the documents some passages come from, known by id and symbol
        (for callers that hold passages without the index's document list)."""
        first: dict[str, Passage] = {}
        for passage in passages:
            first.setdefault(passage.doc_id, passage)
        return cls(
            DocumentMeta(id=p.doc_id, symbol=p.symbol, short=p.symbol, title=p.title, body=p.body, type=p.doc_type)
            for p in first.values()
        )

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._by_id

    def __len__(self) -> int:
        return len(self.documents)

    def find(self, name: str) -> DocumentMeta | None:
        """The document `name` means (id, symbol, short name or alias), or None."""
        return self._by_id.get(name) or self._by_name.get(name_key(name))

    def resolve(self, name: str) -> DocumentMeta:
        """The document a filter or parameter names; UnknownDocumentError (404) otherwise."""
        found = self.find(name)
        if found is None:
            raise UnknownDocumentError(f"unknown document {name!r}; known: {sorted(self._by_id)}")
        return found

    def get(self, doc_id: str) -> DocumentMeta:
        """The document a URL path names by id (or any name); NotFoundError (404) otherwise."""
        found = self.find(doc_id)
        if found is None:
            raise NotFoundError(f"no document {doc_id!r} in the index")
        return found
