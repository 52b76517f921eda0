"""The retrieval API: hybrid (BM25 + dense encoders), cross-lingual search over one index.

The CLI, the HTTP service and the evaluation harness all call `HybridRetriever.search`,
which runs the stages of `index/search/` in order (see its `__init__`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cached_property, lru_cache
from typing import Any

import numpy as np

from ..core.errors import InvalidRequestError, NotFoundError
from ..core.vocabulary import DocumentMeta, Passage
from .analysis import analyse, document_symbols, matched_terms
from .catalog import DocumentCatalog
from .columns import PassageColumns
from .dictionary import generic_words
from .encoders.embedders import Embedder, get_embedder
from .lexical import LexicalIndex, bm25_idf
from .lineage import LineageTable
from .locators import clause_anchors
from .query import AnalysedQuery, QueryAnalyser, spelled_out
from .references import ClauseReference, DocumentMentions
from .results import Filters, Hit, MissingClause, MissingDocument, clause_locator
from .search.config import FusionConfig
from .search.feedback import cross_lingual_feedback, feedback_applies
from .search.focus import focus_rows, likely_focus_rows, merge_focus, named_rows
from .search.fusion import fused_scores
from .search.grouping import also_in, collapse_groups
from .search.pinning import clause_rows, pin_named_clauses
from .search.priors import CitingClauses, DocumentPriors, apply_priors, boost_documents
from .search.rerank import RERANK_DEPTH, QueryFacts, load_rerank_model, rerank
from .search.rows import IndexRows
from .search.sentences import best_sentence_similarity, rerank_by_sentences
from .search.signals import SearchRound, SignalLists, signal_lists
from .search.titles import TitleIndex
from .sentences import SENTENCE_ENCODER, SentenceTable
from .termbase import load_termbase
from .vectors import VectorIndex

__all__ = ["MULTILINGUAL", "DocumentSize", "FusionConfig", "HybridRetriever"]

MULTILINGUAL = frozenset({"e5", "use"})


@dataclass(frozen=True)
class DocumentSize:
    clauses: int
    passages: int


class HybridRetriever:
    def __init__(
        self,
        passages: Sequence[Passage],
        documents: list[DocumentMeta],
        lexical: LexicalIndex,
        vectors: Mapping[str, VectorIndex],
        info: Mapping[str, Any],
        signals: list[str] | None = None,
        fusion: FusionConfig | None = None,
        embedders: Mapping[str, Embedder] | None = None,
        columns: PassageColumns | None = None,
        lineage: LineageTable | None = None,
        sentences: SentenceTable | None = None,
    ) -> None:
        """`embedders` are the query encoders by signal name; a signal not in it uses the
        process-wide encoder of that registry name (`get_embedder`). `lineage`: the index's
        references and version links, `sentences`: its sentence vectors (each None for an
        index built without them)."""
        self.passages = passages
        self.lineage = lineage
        self.sentences = sentences
        self.documents = documents
        self.catalog = DocumentCatalog(documents)
        self.lexical = lexical
        self.vectors = dict(vectors)
        self._info = dict(info)
        self.fusion = fusion or FusionConfig()
        self._embedders = dict(embedders or {})
        available = ["bm25", *self.vectors]
        defaults = [name for name in self.fusion.default_signals if name in available]
        self.signals = signals if signals is not None else (defaults or available)
        # Per-row fields come from the stored columns: no passage is parsed to load an index.
        self._columns = columns or PassageColumns.from_passages(passages)
        self._row = dict(zip(self._columns.ids.tolist(), range(self._columns.size), strict=True))
        self._rows = IndexRows(passages, self._columns, lexical, self.vectors)
        self._languages = frozenset(self._rows.lang_of_row)
        mentions = DocumentMentions(self.catalog.documents)
        # The anchors of the documents queries name clauses of (references.py reads them).
        self._anchors_of = lru_cache(maxsize=256)(self._document_anchors)
        self._analyser = QueryAnalyser(mentions, self._languages, self._anchors_of)
        self._citing = CitingClauses(self._rows, self.catalog, mentions)
        self._document_priors = DocumentPriors(documents)
        # The rows of the filters asked for lately (recomputing them is not free at 10^5).
        self._allowed = lru_cache(maxsize=32)(self._allowed_uncached)

    # ----- construction -----

    def with_signals(self, names: list[str]) -> HybridRetriever:
        """The same index searched with only the named signals (e.g. ["bm25"], ["e5"])."""
        unknown = [n for n in names if n not in self.available_signals]
        if unknown or not names:
            raise InvalidRequestError(f"unknown signals {unknown or names}; this index has {self.available_signals}")
        return self._replace(list(names), self.fusion)

    def with_fusion(self, **changes: Any) -> HybridRetriever:
        """The same index with other fusion settings (for tuning and evaluation)."""
        return self._replace(self.signals, replace(self.fusion, **changes))

    def _replace(self, signals: list[str], fusion: FusionConfig) -> HybridRetriever:
        """This index (its passages, signals' data, query encoders, columns) searched another way."""
        return HybridRetriever(
            self.passages,
            self.documents,
            self.lexical,
            self.vectors,
            self._info,
            signals,
            fusion,
            self._embedders,
            self._columns,
            self.lineage,
            self.sentences,
        )

    @property
    def available_signals(self) -> list[str]:
        """Every signal this index can search with (the default search may use fewer)."""
        return ["bm25", *self.vectors]

    # ----- lookup -----

    def get(self, passage_id: str) -> Passage:
        row = self._row.get(passage_id)
        if row is None:
            raise NotFoundError(f"no passage {passage_id!r} in the index")
        return self.passages[row]

    def _document_anchors(self, doc_id: str) -> frozenset[str]:
        """The anchors of a document's clauses (empty for a document the index lacks)."""
        return frozenset(self._columns.anchors[self._columns.doc_rows(doc_id)].tolist())

    def document_passages(self, doc_id: str) -> list[Passage]:
        """The passages of one document in document order, read from the index's columns
        (empty for a document it does not hold): no product walks the whole index for one."""
        return [self.passages[row] for row in self._columns.doc_rows(doc_id).tolist()]

    def sentence_vectors(self, passage_id: str, encoder: str = SENTENCE_ENCODER) -> np.ndarray | None:
        """The stored `encoder` vectors of the passage's quotable sentences, in their order;
        None when the index holds no sentence table, or none of that encoder."""
        if self.sentences is None:
            return None
        row = self._row.get(passage_id)
        if row is None:
            raise NotFoundError(f"no passage {passage_id!r} in the index")
        return self.sentences.of_row(row, encoder)

    @cached_property
    def document_sizes(self) -> dict[str, DocumentSize]:
        """Clauses and passages of every indexed document, counted once per index."""
        sizes: dict[str, DocumentSize] = {}
        for meta in self.documents:
            rows = self._columns.doc_rows(meta.id)
            sizes[meta.id] = DocumentSize(clauses=len(set(self._columns.anchors[rows].tolist())), passages=len(rows))
        return sizes

    @property
    def rows(self) -> IndexRows:
        """The index's rows as the search stages read them (index/search/)."""
        return self._rows

    @property
    def languages(self) -> frozenset[str]:
        """The languages of the indexed passages."""
        return self._languages

    def neighbours(self, passage_id: str, n: int = 2) -> list[Passage]:
        """Up to `n` passages either side of this one in its document, itself included."""
        self.get(passage_id)
        return [self.passages[row] for row in self._columns.neighbour_rows(self._row[passage_id], n)]

    def info(self) -> dict[str, Any]:
        return {
            **self._info,
            "signals": list(self.signals),
            "available_signals": self.available_signals,
            "passages": len(self.passages),
            "documents": len(self.documents),
        }

    def missing_documents(self, query: str) -> list[MissingDocument]:
        """The documents `query` names by symbol ("resolution 80/118", "A/RES/80/118") that
        no indexed document is, each with how many indexed passages cite it."""
        named = [(token, written) for token, written in document_symbols(query) if token not in self._symbols]
        if not named:
            return []
        cited = self.lexical.document_frequency([token for token, _ in named])
        return [MissingDocument(symbol=written, cited_by=cited.get(token, 0)) for token, written in named]

    def referenced_anchors(self, reference: ClauseReference) -> frozenset[str]:
        """The anchors of the clauses `reference` names in its document
        (`locators.clause_anchors`; empty when the document has no such clause)."""
        return frozenset(clause_anchors(reference.anchor, self._anchors_of(reference.doc_id)))

    def named_clauses(self, query: str) -> list[Passage]:
        """The passages of the clauses `query` names, each clause before its subclauses, in
        the order it names them (what the search pins first)."""
        rows = dict.fromkeys(
            row
            for ref in self._analyser.clause_references(query)
            for row in clause_rows(self._rows, ref.doc_id, ref.anchor)
        )
        return [self.passages[row] for row in rows]

    def missing_clauses(self, query: str) -> list[MissingClause]:
        """The paragraphs `query` names that their document does not have."""
        return [
            MissingClause(
                doc_id=ref.doc_id, symbol=self.catalog.get(ref.doc_id).symbol, locator=clause_locator(ref.anchor)
            )
            for ref in self._analyser.clause_references(query)
            if not self.referenced_anchors(ref)
        ]

    @cached_property
    def _symbols(self) -> frozenset[str]:
        """The symbol tokens of every indexed document's symbol and aliases."""
        return frozenset().union(*(self._citing.document_symbols(doc.id) for doc in self.documents))

    def encoder(self, name: str) -> Embedder:
        return self._embedders.get(name) or get_embedder(name)

    # ----- search -----

    def allowed_rows(self, filters: Filters | None) -> np.ndarray | None:
        """Rows every signal may return under `filters` (None = all). One set for all
        signals, so the same filter gives every signal the same candidates."""
        if filters is None or filters.is_empty():
            return None
        return self._allowed(
            frozenset(self.catalog.resolve(name).id for name in filters.doc),
            frozenset(filters.lang),
            frozenset(filters.type),
            frozenset(filters.body),
            frozenset(filters.year),
        )

    def _allowed_uncached(
        self,
        doc_ids: frozenset[str],
        langs: frozenset[str],
        types: frozenset[str],
        bodies: frozenset[str],
        years: frozenset[int],
    ) -> np.ndarray:
        rows = self._columns.allowed(doc_ids=doc_ids, langs=langs, types=types, bodies=bodies, years=years)
        rows.setflags(write=False)  # shared by every search with the same filter
        return rows

    def analyse_query(self, query: str) -> AnalysedQuery:
        """The query understood once, for this retriever's signals and fusion settings."""
        dense = {signal: self.encoder(signal).languages for signal in self.signals if signal != "bm25"}
        analysed = self._analyser.analyse(query, dense, self.fusion.query_options())
        if self.fusion.generic_words and analysed.glosses:
            generic = generic_words(analysed.bm25_tokens, analyse, self.lexical.document_frequency, self.lexical.size)
            if generic:
                kept = tuple(t for t in analysed.bm25_tokens if t not in generic)
                analysed = replace(analysed, bm25_tokens=kept)
        return analysed

    def search(
        self, query: str, k: int = 10, filters: Filters | None = None, timings: dict[str, float] | None = None
    ) -> list[Hit]:
        """The top-k passages for `query`, best first. `timings`, when given, receives the
        seconds spent per stage (query embedding, faiss, bm25, fusion, focus, rerank)."""
        clock = timings if timings is not None else {}
        hits, facts = self._search(query, k, filters, clock)
        if facts is not None and self.fusion.rerank:
            t = time.perf_counter()
            hits = rerank(hits, facts, load_rerank_model())
            clock["rerank"] = time.perf_counter() - t
        return hits[:k]

    def rerank_candidates(self, query: str, filters: Filters | None = None) -> tuple[list[Hit], QueryFacts | None]:
        """The first page before the rerank stage, and what that stage knows of the question
        (None when no row is allowed): what its calibration learns from."""
        return self._search(query, RERANK_DEPTH, filters, {})

    def _search(
        self, query: str, k: int, filters: Filters | None, clock: dict[str, float]
    ) -> tuple[list[Hit], QueryFacts | None]:
        """Every stage but the rerank: at least the `RERANK_DEPTH` first places."""
        query = query.strip()
        if not query:
            raise InvalidRequestError("the query is empty")
        if k < 1:
            raise InvalidRequestError(f"k must be at least 1, got {k}")
        allowed = self.allowed_rows(filters)
        if allowed is not None and len(allowed) == 0:
            return [], None
        analysed = self.analyse_query(query)
        titles = self.fusion.titles()
        titled = self._titles.covered(analysed.title_tokens, titles, analysed.bm25_tokens)
        acronyms = self._titles.acronyms(analysed.text, titles)
        if not titled and not analysed.named_documents:
            # An acronym names the document asked about when nothing else names one ("the
            # UNDOF appropriation"); beside a named document it is an entity of that one
            # ("what does the Pact want discussed in COPUOS").
            titled = list(dict.fromkeys(doc_id for acronym in acronyms for doc_id in acronym.documents))
        analysed = spelled_out(analysed, [acronym.name for acronym in acronyms])
        query_vectors: dict[str, np.ndarray] = {}
        first = self._first_round(analysed, allowed, titled)
        lists, fused = self._round(analysed, query_vectors, first, k, titled, clock)
        signal_ranks = lists.ranks()
        focus = focus_rows(
            self._rows, analysed, fused, lists, allowed, len(self.documents), self.fusion.focus(), titled
        )
        if focus is not None:
            t = time.perf_counter()
            within = SearchRound(focus, lists.expansion, within=self.fusion.focus_idf, known=lists.fetched)
            focused_lists, focused = self._round(analysed, query_vectors, within, k, titled, {})
            merge_focus(fused, signal_ranks, focused, focused_lists)
            clock["focus"] = time.perf_counter() - t
            named = named_rows(self._rows, [*analysed.named_documents, *titled], focus, self.fusion.named_weight)
            if named is not None:
                t = time.perf_counter()
                alone = SearchRound(named, lists.expansion, within=self.fusion.focus_idf, known=lists.fetched)
                named_lists, named_fused = self._round(analysed, query_vectors, alone, k, titled, {})
                merge_focus(fused, signal_ranks, named_fused, named_lists, self.fusion.named_weight)
                clock["named"] = time.perf_counter() - t
        t = time.perf_counter()
        pinned = pin_named_clauses(self._rows, analysed, fused, allowed)
        depth = max(k, RERANK_DEPTH)
        hits = self._hits(analysed, fused, signal_ranks, depth, allowed, pinned, query_vectors.get(SENTENCE_ENCODER))
        clock["fusion"] = clock.get("fusion", 0.0) + time.perf_counter() - t
        return hits, self._query_facts(analysed, titled, pinned)

    def _query_facts(self, analysed: AnalysedQuery, titled: Sequence[str], pinned: int) -> QueryFacts:
        own = list(dict.fromkeys(analysed.bm25_tokens))
        expansion = [token for token in dict.fromkeys(analysed.expansion_tokens) if token not in analysed.bm25_tokens]
        total = self._rows.size
        idf = {
            token: float(bm25_idf(df, total))
            for token, df in self._rows.lexical.document_frequency([*own, *expansion]).items()
        }
        return QueryFacts(
            analysed.language,
            analysed.named_documents,
            frozenset(titled),
            {token: idf[token] for token in own if token in idf},
            {token: idf[token] for token in expansion if token in idf},
            pinned,
        )

    def _first_round(self, analysed: AnalysedQuery, allowed: np.ndarray | None, titled: list[str]) -> SearchRound:
        """The first round within the allowed rows: BM25 expanded by the termbase and, when it
        can apply, by cross-lingual feedback from the dense lists (otherwise BM25's query is
        known now, and it runs beside the dense searches); on a shard set, the rows the focus
        round is likely to search come back with BM25's stage."""
        feedback, focus, documents = self.fusion.feedback(), self.fusion.focus(), len(self.documents)

        def with_feedback(dense: Mapping[str, list[int]]) -> list[str]:
            return [*analysed.expansion_tokens, *cross_lingual_feedback(self._rows, analysed, dense, feedback)]

        def likely_focus(dense: Mapping[str, list[int]]) -> np.ndarray | None:
            return likely_focus_rows(self._rows, analysed, dense, allowed, documents, focus, titled)

        applies = feedback_applies(self._rows, analysed, feedback)
        return SearchRound(
            allowed, with_feedback if applies else list(analysed.expansion_tokens), prefetch=likely_focus
        )

    def _round(
        self,
        analysed: AnalysedQuery,
        query_vectors: dict[str, np.ndarray],
        scope: SearchRound,
        k: int,
        titled: list[str],
        clock: dict[str, float],
    ) -> tuple[SignalLists, dict[int, float]]:
        """One round of the signals: their lists, fused and scaled by the priors, the
        documents whose title the question uses (`titled`) lifted."""
        depth = max(self.fusion.depth, k)
        lists = signal_lists(self._rows, analysed, self.signals, query_vectors, self._embed, depth, scope, clock)
        t = time.perf_counter()
        fused = fused_scores(self._rows, analysed, lists, self.fusion.signal_weights())
        apply_priors(
            self._rows, analysed, fused, self.fusion.priors(), self._citing, self._document_priors, lists.rankings
        )
        if titled and self.fusion.title_boost:
            boost_documents(self._rows, fused, titled, self.fusion.title_boost)
        clock["fusion"] = clock.get("fusion", 0.0) + time.perf_counter() - t
        return lists, fused

    def _embed(self, signal: str, text: str) -> np.ndarray:
        return self.encoder(signal).embed_queries([text])[0]

    def _hits(
        self,
        analysed: AnalysedQuery,
        fused: dict[int, float],
        signal_ranks: Mapping[str, Mapping[int, int]],
        k: int,
        allowed: np.ndarray | None,
        pinned: int = 0,
        query_vector: np.ndarray | None = None,
    ) -> list[Hit]:
        """The first `k` results: one per group of near-identical clauses, the places after
        the first ones (and after the `pinned` clauses) ordered again by the clauses' best
        sentences when the index stores their vectors and the search embedded the query for
        their encoder."""
        ranked = sorted(fused.items(), key=lambda item: (-item[1], item[0]))
        grouped = self.fusion.group_duplicates
        reorder = self._sentence_stage(query_vector, pinned)
        depth = max(k, self.fusion.sentence_candidates) if reorder else k
        top = collapse_groups(self._rows, ranked, depth) if grouped else ranked[:depth]
        top_k = (reorder(top) if reorder else top)[:k]
        match = analysed.match_tokens
        return [
            Hit(
                rank=i,
                score=score,
                passage=self.passages[row],
                signals={s: ranks[row] for s, ranks in signal_ranks.items() if row in ranks},
                matched_terms=matched_terms(self.passages[row].text, match),
                **(also_in(self._rows, self._rows_of_group, row, allowed) if grouped else {}),
            )
            for i, (row, score) in enumerate(top_k, start=1)
        ]

    def _sentence_stage(
        self, query_vector: np.ndarray | None, pinned: int
    ) -> Callable[[list[tuple[int, float]]], list[tuple[int, float]]] | None:
        """The sentence stage of one search (search/sentences.py), the `pinned` clauses kept
        in place; None when it cannot run: no sentence vectors of its encoder, no query
        vector of it, or switched off."""
        table, config = self.sentences, self.fusion.sentences()
        if table is None or SENTENCE_ENCODER not in table.vectors or query_vector is None or config.weight <= 0:
            return None
        config = replace(config, keep=max(config.keep, pinned))

        def similarity(row: int) -> float:
            return best_sentence_similarity(table.of_row(row), query_vector)

        return lambda ranked: rerank_by_sentences(ranked, similarity, config)

    @cached_property
    def _titles(self) -> TitleIndex:
        """The documents' title words, worked out when a query first needs them."""
        termbase = load_termbase()
        return TitleIndex(self.documents, terms=termbase.acronyms(), term_names=termbase.acronym_names())

    @cached_property
    def _rows_of_group(self) -> dict[int, np.ndarray]:
        """The rows of each group, worked out when a result first needs its also_in: a load
        (and each with_fusion copy) should not pay for it."""
        return self._columns.group_rows()
