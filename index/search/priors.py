"""Stage 4: priors, factors on the fused score of a row for what the question says about
where to look (docs/decisions/document-priors.md).

Of the question:
- named documents: the clauses of a document the question names gain `document_boost`;
  clauses citing it (by symbol, or by a word name) gain half of it: a report about a
  resolution is evidence, the resolution's text is the authority;
- front matter (title blocks, reference lists) loses a share unless the question asks for it.

Of the collection, when many documents share a language (`DocumentPriors`):
- curated: the corpus manifest's documents over the routine resolutions of a bulk collection;
- draft: adopted texts over drafts (type `draft`, or an `/L.` symbol: A/C.2/80/L.17);
- superseded: a recurring resolution (same title, e.g. "Information and communications
  technologies for sustainable development", 78/132, 79/194, ...) counts most in its latest
  adopted session, unless the question asks for a year or a session;
- time: the documents of a year or session the question names ("in 2024", "at its
  seventy-ninth session"; times.py) over the others.

The penalties spare a document the question names: asking for A/C.2/80/L.17 gets it; and
the curated bonus yields to a question that names a document outside the manifest.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from types import MappingProxyType

import numpy as np

from ...core.vocabulary import DocType, DocumentMeta
from ...corpus.manifest import load_manifest
from ..analysis import symbol_tokens, tokens_of_every_saying
from ..catalog import DocumentCatalog
from ..lexical import LexicalIndex
from ..query import AnalysedQuery
from ..references import DocumentMentions
from ..times import NamedTimes
from .rows import IndexRows

_SESSION = re.compile(r"^A/(?:[A-Z0-9.]+/)*?(\d{2})/")
_NUMBERED_TITLE = re.compile(r"^\s*\d+/\d+\.\s*")  # "79/194. Information and ..."


@lru_cache(maxsize=1)
def curated_documents() -> frozenset[str]:
    """Ids of the documents the corpus manifest describes."""
    return frozenset(entry.id for entry in load_manifest().documents)


def is_draft(doc: DocumentMeta) -> bool:
    return doc.type == DocType.DRAFT or "/L." in doc.symbol


def session(doc: DocumentMeta) -> int | None:
    """The General Assembly session of a UN symbol (A/RES/79/194 -> 79, A/C.2/80/L.17 ->
    80), else the year of the document (sessions and years both grow with time, and a
    recurring title is compared only within one numbering: UN symbols or not)."""
    match = _SESSION.match(doc.symbol)
    if match:
        return int(match.group(1))
    return doc.year


def recurring_title(doc: DocumentMeta) -> str:
    """The title a recurring resolution keeps from year to year: without its number, case
    and spacing."""
    return " ".join(_NUMBERED_TITLE.sub("", doc.title).casefold().split())


def superseded_documents(documents: Iterable[DocumentMeta]) -> frozenset[str]:
    """Documents with a later adopted (not draft) document of the same recurring title."""
    docs = list(documents)
    latest: dict[tuple[str, bool], int] = {}
    for doc in docs:
        number = session(doc)
        if number is None or is_draft(doc):
            continue
        key = (recurring_title(doc), _SESSION.match(doc.symbol) is not None)
        latest[key] = max(latest.get(key, number), number)
    out = set()
    for doc in docs:
        number = session(doc)
        key = (recurring_title(doc), _SESSION.match(doc.symbol) is not None)
        if number is not None and key in latest and latest[key] > number:
            out.add(doc.id)
    return frozenset(out)


@dataclass(frozen=True)
class PriorStrengths:
    """Relative changes of a passage's fused score (0 = off): + for curated documents,
    - for drafts and superseded sessions."""

    curated_boost: float = 0.0
    draft_penalty: float = 0.0
    superseded_penalty: float = 0.0
    time_boost: float = 0.0

    @property
    def is_off(self) -> bool:
        return not (self.curated_boost or self.draft_penalty or self.superseded_penalty or self.time_boost)


class DocumentPriors:
    """The factor of each document under each prior, worked out once per index."""

    def __init__(self, documents: Collection[DocumentMeta], curated: Collection[str] | None = None) -> None:
        known = curated_documents() if curated is None else frozenset(curated)
        self.curated = frozenset(d.id for d in documents if d.id in known)
        self._only_curated = len(self.curated) == len(documents)
        self.drafts = frozenset(d.id for d in documents if is_draft(d))
        self.superseded = superseded_documents(documents)
        self._times = {d.id: (session(d) if _SESSION.match(d.symbol) else None, d.year) for d in documents}
        self._factors = lru_cache(maxsize=256)(self._factors_uncached)

    def of_times(self, times: NamedTimes) -> frozenset[str]:
        """The documents of a named session (their symbol's) or of a year the question gives
        a document (their date's)."""
        return frozenset(
            doc
            for doc, (number, year) in self._times.items()
            if (number is not None and number in times.sessions) or (year is not None and year in times.document_years)
        )

    def curated_bonus_applies(self, named: Collection[str]) -> bool:
        """The bonus prefers curated documents to the others: in an index of curated
        documents only there is nothing to prefer (and the gated bonus would reorder their
        clauses). A named curated document gains too, or the named-document boost would be
        undone. A question that names another document is about that one: no curated bonus."""
        return not self._only_curated and not frozenset(named) - self.curated

    def factors(
        self,
        strengths: PriorStrengths,
        named: Collection[str],
        asks_for_session: bool,
        times: NamedTimes = NamedTimes(),
    ) -> Mapping[str, float]:
        """Document id -> factor for one query (documents absent keep their score). The
        same few combinations come back query after query (most questions name nothing),
        and at collection size each is a pass over hundreds of drafts and superseded
        sessions: they are remembered."""
        return self._factors(strengths, frozenset(named), asks_for_session, times)

    def _factors_uncached(
        self, strengths: PriorStrengths, named: frozenset[str], asks_for_session: bool, times: NamedTimes
    ) -> Mapping[str, float]:
        if strengths.is_off:
            return MappingProxyType({})
        factor: dict[str, float] = {}

        def scale(ids: Iterable[str], by: float) -> None:
            for doc in ids:
                factor[doc] = factor.get(doc, 1.0) * by

        if self.curated_bonus_applies(named):
            scale(self.curated, 1.0 + strengths.curated_boost)
        # The penalties spare what the question names.
        scale(self.drafts - frozenset(named), 1.0 - strengths.draft_penalty)
        if not asks_for_session:
            scale(self.superseded - frozenset(named), 1.0 - strengths.superseded_penalty)
        if strengths.time_boost and (times.sessions or times.document_years):
            scale(self.of_times(times), 1.0 + strengths.time_boost)
        return MappingProxyType(factor)  # shared by every query with the same combination


@dataclass(frozen=True)
class PriorConfig:
    document_boost: float = 0.0  # relative bonus of a named document's clauses
    cited_by_name: bool = True  # clauses naming it by a word name (not only by symbol) gain half
    front_matter_penalty: float = 0.0  # relative loss of title blocks and reference lists
    collection: PriorStrengths = PriorStrengths()
    # The curated bonus goes only to rows some signal ranks within its first `curated_rank`
    # (0: to every row of a curated document): a preference among clauses a signal is sure
    # of, never a lift for a clause over another document that matches the question better.
    curated_rank: int = 0


class CitingClauses:
    """Whether a row cites a document, by symbol or by a word name ("WSIS+20成果文件" in the
    Council report), remembered per index: the same documents are named query after query."""

    def __init__(self, rows: IndexRows, catalog: DocumentCatalog, mentions: DocumentMentions) -> None:
        self._rows = rows
        self._catalog = catalog
        self._mentions = mentions
        self._symbols_of_doc: dict[str, frozenset[str]] = {}
        self._may_cite: dict[str, frozenset[int] | None] = {}
        self.names_by_word: Callable[[int, str], bool] = lru_cache(maxsize=1 << 16)(self._names_by_word)

    def document_symbols(self, doc_id: str) -> frozenset[str]:
        """The symbol tokens of a document's symbol and aliases (what a clause citing it
        contains), worked out when a query first names it."""
        symbols = self._symbols_of_doc.get(doc_id)
        if symbols is None:
            doc = self._catalog.get(doc_id)
            names = (doc.symbol, *doc.aliases)
            symbols = frozenset(t for name in names for t in symbol_tokens(name) if t.startswith("sym:"))
            self._symbols_of_doc[doc_id] = symbols
        return symbols

    def rows_that_may_cite(self, doc_ids: Iterable[str]) -> frozenset[int] | None:
        """The rows that may cite one of `doc_ids`, read from BM25's postings, so that only
        these rows' texts are read: those that hold one of its symbols or every token of one
        of its word names (a text that says a name holds its tokens). None: every row may
        (an index whose postings are elsewhere, or a name a text can say without holding its
        tokens: a lone Chinese character is a token only where it stands alone)."""
        rows: set[int] = set()
        for doc_id in doc_ids:
            if doc_id not in self._may_cite:
                self._may_cite[doc_id] = self._rows_that_may_cite(doc_id)
            found = self._may_cite[doc_id]
            if found is None:
                return None
            rows |= found
        return frozenset(rows)

    def _rows_that_may_cite(self, doc_id: str) -> frozenset[int] | None:
        lexical = self._rows.lexical
        if not isinstance(lexical, LexicalIndex):
            return None
        held = [lexical.rows_with(token) for token in self.document_symbols(doc_id)]
        for name in self._mentions.word_names(doc_id):
            tokens = tokens_of_every_saying(name)
            if tokens is None:
                return None
            rows = lexical.rows_with(tokens[0])
            for token in tokens[1:]:
                rows = np.intersect1d(rows, lexical.rows_with(token), assume_unique=True)
            held.append(rows)
        return frozenset(np.concatenate(held).tolist()) if held else frozenset()

    def _names_by_word(self, row: int, doc_id: str) -> bool:
        return self._mentions.names_by_word(self._rows.passages[row].text, frozenset((doc_id,)))


def apply_priors(
    rows: IndexRows,
    analysed: AnalysedQuery,
    fused: dict[int, float],
    config: PriorConfig,
    citing: CitingClauses,
    documents: DocumentPriors,
    rankings: Mapping[str, Sequence[int]] | None = None,
) -> None:
    """Scale `fused` in place by the question's priors, then by the collection's.
    `rankings` (each signal's rows, best first) gate the curated bonus when
    `config.curated_rank` is set."""
    named = analysed.named_documents
    cited = frozenset().union(*(citing.document_symbols(doc) for doc in named))
    may_cite = citing.rows_that_may_cite(named) if named else frozenset()
    penalty = 0.0 if analysed.asks_for_front_matter else config.front_matter_penalty
    doc_of_row = rows.doc_of_row
    for row in fused:
        if doc_of_row[row] in named:
            fused[row] *= 1.0 + config.document_boost
        elif (
            named
            and (may_cite is None or row in may_cite)
            and (
                rows.symbols_of_row[row] & cited
                or (config.cited_by_name and any(citing.names_by_word(row, doc) for doc in named))
            )
        ):
            fused[row] *= 1.0 + config.document_boost / 2
        if penalty and rows.is_front_matter(row):
            fused[row] *= 1.0 - penalty
    strengths = config.collection
    gated = config.curated_rank > 0 and strengths.curated_boost > 0
    if gated:
        strengths = replace(strengths, curated_boost=0.0)
    factors = documents.factors(strengths, named, analysed.asks_for_session, analysed.times)
    for row in fused if factors else ():
        fused[row] *= factors.get(doc_of_row[row], 1.0)
    if gated and documents.curated_bonus_applies(named):
        sure = {row for ranked in (rankings or {}).values() for row in ranked[: config.curated_rank]}
        for row in sure & fused.keys():
            if doc_of_row[row] in documents.curated:
                fused[row] *= 1.0 + config.collection.curated_boost


def boost_documents(rows: IndexRows, fused: dict[int, float], doc_ids: Collection[str], boost: float) -> None:
    """Scale the rows of `doc_ids` in `fused` by 1 + `boost`, in place."""
    wanted = frozenset(doc_ids)
    for row in fused:
        if rows.doc_of_row[row] in wanted:
            fused[row] *= 1.0 + boost
