"""The mandate view: the operative clauses that assign an actor a task, role or request.

A clause assigns something to an actor when (1) it names the actor (any alias, in any of
the languages of data/actors.toml; a short form such as "the Union" only when its full
name came just before) and (2) an assignment construction of data/mandate_patterns.toml
links to that very mention. docs/mandates.md states the rule and its limits.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from itertools import groupby
from threading import Lock
from typing import Protocol
from weakref import WeakKeyDictionary

from pydantic import BaseModel, Field

from ...core.vocabulary import ClauseKind, DocType, Passage, QuotedClause
from ...index.api import DocumentCatalog
from .rules import Actor, MandateRules, load_rules, name_key

# Documents are listed in this order (in the mandate view and in briefing notes): what was
# agreed at the summits and reviews first, then the resolutions that implement it, then
# reports on implementation; newest first within a type.
DOC_TYPE_ORDER = {DocType.OUTCOME_DOCUMENT: 0, DocType.RESOLUTION: 1, DocType.REPORT: 2, DocType.OTHER: 3}


def document_order_key(doc_type: DocType, date: str | None, doc_id: str) -> tuple[int, int, str]:
    """Sort key for documents; `date` is an ISO date or a year."""
    newest_first = -int(date.replace("-", "").ljust(8, "0")) if date else 0
    return (DOC_TYPE_ORDER.get(doc_type, len(DOC_TYPE_ORDER)), newest_first, doc_id)


OPERATIVE_KINDS = {
    ClauseKind.PARAGRAPH,
    ClauseKind.SUBPARAGRAPH,
    ClauseKind.ITEM,
    ClauseKind.SECTION_PARAGRAPH,
    ClauseKind.TEXT,  # documents of unknown shape: nothing tells operative from preamble
}
# ITU resolutions put operative text under these words ("resolves 2", "instructs the
# Secretary-General 1"); "considering", "recalling", "noting" ... blocks are preambular.
ITU_OPERATIVE_BLOCKS = re.compile(
    r"^(?:resolves|resolve|decides|instructs|requests|invites|encourages|urges|calls upon|calls on)\b",
    re.IGNORECASE,
)
# How many clauses back a short form ("the Forum") may find the full name it stands for.
ANTECEDENT_LOOKBACK = 3


class MandateIndex(Protocol):
    """What the mandate view reads of an index (HybridRetriever has it)."""

    @property
    def passages(self) -> Sequence[Passage]: ...

    @property
    def catalog(self) -> DocumentCatalog: ...

    def document_passages(self, doc_id: str) -> list[Passage]: ...


# Each index's corpus-wide mandates by actor id; an index that is no longer served drops out.
_CORPUS_MANDATES: WeakKeyDictionary[MandateIndex, dict[str, MandatesResponse]] = WeakKeyDictionary()
_CORPUS_LOCK = Lock()


class Mandate(QuotedClause):
    """One operative clause that assigns the actor something. `id` is the clause id (the
    first passage id, without a piece suffix); `text` joins a split clause's pieces with
    one space."""

    doc_id: str
    symbol: str
    pattern: str = Field(description="Id of the assignment construction that matched.")
    category: str = Field(description="request, invitation, call, role, secretariat, recognition, ...")
    alias: str = Field(description="The actor's name as written in the clause.")
    evidence: str = Field(description="The words that matched the construction.")
    passage_ids: list[str]


class MandatesResponse(BaseModel):
    """Body of `GET /mandates` and `GET /documents/{doc_id}/mandates`, and of
    `wsis mandates --json`."""

    actor: str = Field(description="Actor id, e.g. 'itu'.")
    actor_name: str
    matched_aliases: list[str] = Field(description="Names of the actor found in the listed clauses.")
    documents: list[str] = Field(description="Ids of the documents searched.")
    mandates: list[Mandate]


class _Clause(BaseModel):
    pieces: list[Passage]

    @property
    def first(self) -> Passage:
        return self.pieces[0]

    @property
    def text(self) -> str:
        return " ".join(p.text for p in self.pieces)

    def is_operative(self) -> bool:
        kind = self.first.kind
        if kind == ClauseKind.BLOCK_ITEM:
            return bool(ITU_OPERATIVE_BLOCKS.match(self.first.locator))
        return kind in OPERATIVE_KINDS


def _document_key(passage: Passage) -> tuple[int, int, str]:
    return document_order_key(passage.doc_type, str(passage.year) if passage.year else None, passage.doc_id)


def _clauses(passages: Iterable[Passage]) -> dict[str, list[_Clause]]:
    """Clauses per document, in document order; a split clause's pieces are regrouped."""
    by_doc: dict[str, list[_Clause]] = {}
    ordered = sorted(passages, key=lambda p: (_document_key(p), p.order))
    for doc_id, doc_passages in groupby(ordered, key=lambda p: p.doc_id):
        clauses: list[_Clause] = []
        for _, pieces in groupby(doc_passages, key=lambda p: p.anchor):
            clauses.append(_Clause(pieces=list(pieces)))
        by_doc[doc_id] = clauses
    return by_doc


def _excluded(actor: Actor, text: str, start: int, end: int) -> bool:
    return any(m.start() <= start and end <= m.end() for x in actor.exclude_regexes for m in x.finditer(text))


def _antecedent(rules: MandateRules, short: str, before: str) -> str | None:
    """Id of the actor a short form stands for: among the actors that use it, the one whose
    full name occurs last in `before`."""
    best: tuple[int, str] | None = None
    for candidate in rules.sharing_short_form(short):
        for m in candidate.full_name_regex.finditer(before):
            if best is None or m.end() > best[0]:
                best = (m.end(), candidate.id)
    return best[1] if best else None


def _valid_mentions(rules: MandateRules, actor: Actor, clause_text: str, context_before: str) -> set[int]:
    """Start offsets of the mentions of `actor` in the clause that really name it."""
    contextual = {name_key(c) for c in actor.contextual}
    starts: set[int] = set()
    for m in actor.any_name_regex.finditer(clause_text):
        if _excluded(actor, clause_text, m.start(), m.end()):
            continue
        written = name_key(m.group(0))
        if written in contextual:
            before = context_before + "\n" + clause_text[: m.start()]
            if _antecedent(rules, written, before) != actor.id:
                continue
        starts.add(m.start())
    return starts


def _match_clause(rules: MandateRules, actor: Actor, clause: _Clause, context_before: str) -> Mandate | None:
    text = clause.text
    mentions = _valid_mentions(rules, actor, text, context_before)
    if not mentions:
        return None
    for pattern, regex in rules.patterns_for(actor):
        for m in regex.finditer(text):
            if m.start("actor") in mentions:
                first = clause.first
                return Mandate.from_passage(
                    first,
                    id=first.id.split("~")[0],
                    text=text,
                    doc_id=first.doc_id,
                    symbol=first.symbol,
                    pattern=pattern.id,
                    category=pattern.category,
                    alias=m.group("actor"),
                    evidence=m.group(0),
                    passage_ids=[p.id for p in clause.pieces],
                )
    return None


def find_mandates(
    passages: Iterable[Passage],
    actor: str | Actor,
    *,
    doc: str | None = None,
    rules: MandateRules | None = None,
    catalog: DocumentCatalog | None = None,
) -> list[Mandate]:
    """The operative clauses of `passages` (one document with `doc`, else all) that assign
    `actor` a task, role or request, in document order. `doc` is any name `catalog` (by
    default: the passages' own ids and symbols) knows; UnknownDocumentError otherwise."""
    rules = rules or load_rules()
    passages = list(passages)
    who = actor if isinstance(actor, Actor) else rules.resolve_actor(actor)
    wanted = (catalog or DocumentCatalog.from_passages(passages)).resolve(doc).id if doc else None
    found: list[Mandate] = []
    for doc_id, clauses in _clauses(passages).items():
        if wanted and doc_id != wanted:
            continue
        for i, clause in enumerate(clauses):
            # A clause that names the actor in none of its forms cannot assign it anything:
            # one search of the names decides, before any context is gathered.
            if not clause.is_operative() or not who.may_name(clause.text):
                continue
            context_before = "\n".join(c.text for c in clauses[max(0, i - ANTECEDENT_LOOKBACK) : i])
            mandate = _match_clause(rules, who, clause, context_before)
            if mandate:
                found.append(mandate)
    return found


def index_mandates(retriever: MandateIndex, actor: str, *, doc: str | None = None) -> MandatesResponse:
    """`mandates_response` over an index: one document's passages read from the index's
    columns; the whole index's mandates of an actor computed once per index (it is
    immutable; a newly swapped version is another object) and kept."""
    if doc is not None:
        doc_id = retriever.catalog.resolve(doc).id
        return mandates_response(retriever.document_passages(doc_id), actor, doc=doc_id, catalog=retriever.catalog)
    who = load_rules().resolve_actor(actor).id
    with _CORPUS_LOCK:
        kept = _CORPUS_MANDATES.setdefault(retriever, {})
        response = kept.get(who)
    if response is None:
        response = mandates_response(retriever.passages, who, catalog=retriever.catalog)
        with _CORPUS_LOCK:
            kept[who] = response
    return response


def mandates_response(
    passages: Iterable[Passage], actor: str, *, doc: str | None = None, catalog: DocumentCatalog | None = None
) -> MandatesResponse:
    """The API/CLI shape of `find_mandates`."""
    rules = load_rules()
    passages = list(passages)
    catalog = catalog or DocumentCatalog.from_passages(passages)
    who = rules.resolve_actor(actor)
    mandates = find_mandates(passages, who, doc=doc, rules=rules, catalog=catalog)
    searched = [catalog.resolve(doc).id] if doc else sorted({p.doc_id for p in passages})
    return MandatesResponse(
        actor=who.id,
        actor_name=who.name,
        matched_aliases=sorted({m.alias for m in mandates}),
        documents=searched,
        mandates=mandates,
    )
