"""The retrieval API: hybrid (BM25 + dense encoders), cross-lingual search over one index.

The CLI, the HTTP service and the evaluation harness all call `HybridRetriever.search`.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache
from typing import Any

import numpy as np

from ..core.errors import InvalidRequestError, NotFoundError
from ..core.vocabulary import DocumentMeta, Passage
from .analysis import analyse, matched_terms, symbol_tokens
from .catalog import DocumentCatalog
from .columns import PassageColumns
from .encoders.embedders import Embedder, get_embedder
from .fusion import fuse
from .lexical import LexicalIndex
from .priors import DocumentPriors, PriorStrengths
from .query import AnalysedQuery, QueryAnalyser, QueryOptions
from .references import DocumentMentions
from .results import ALSO_IN_MAX, AlsoIn, Filters, Hit
from .vectors import VectorIndex

MULTILINGUAL = frozenset({"e5", "use"})

# A dense signal's vector search runs on this pool while the next encoder embeds the query
# (FAISS and the encoders release the GIL): on two cores the first search is hidden behind
# the second embedding (1.1 ms less per query at 10^5 passages). Two workers, one per core;
# the last signal's search runs inline. Made per process: a forked child has none of its
# parent's threads, and a pool inherited from it would never run what it is given.
_vector_searches: tuple[int, ThreadPoolExecutor] | None = None


def _vector_search_pool() -> ThreadPoolExecutor:
    global _vector_searches
    if _vector_searches is None or _vector_searches[0] != os.getpid():
        _vector_searches = (os.getpid(), ThreadPoolExecutor(max_workers=2, thread_name_prefix="wsis-vector-search"))
    return _vector_searches[1]


@dataclass(frozen=True)
class FusionConfig:
    """How the signals are combined. A passage in another language than the query gets its
    signal weight multiplied by `cross_lingual[signal]` (the language-pair weights: across
    languages the multilingual encoders carry the match, within one BM25 does). Signals not
    in `weights` weigh 1.

    The default's quality is on BENCHMARKS.md ("Quality of the default"); the figures that
    chose each setting are in docs/decisions/ (the default before 2026-12-02 is the variant
    `bm25+e5-2026-11` of eval/systems.py).
    """

    default_signals: tuple[str, ...] = ("bm25", "e5", "use")
    weights: Mapping[str, float] = field(default_factory=lambda: {"bm25": 2.0, "e5": 0.5, "use": 0.5})
    cross_lingual: Mapping[str, float] = field(default_factory=lambda: {"e5": 1.5, "use": 1.5, "minilm": 0.5})
    method: str = "rrf"  # "rrf" (weighted reciprocal rank) or "convex" (normalised scores), see fusion.py
    depth: int = 100  # candidates taken from each signal
    # Relative bonus for passages of a document the query names (docs/decisions/document-priors.md).
    document_boost: float = 0.6
    # Clauses that name a document the query names, by a word name as well as by symbol
    # ("WSIS+20成果文件" in the Council report), get half the document boost.
    cited_by_name: bool = True
    expand_dense: bool = True  # add termbase equivalents to the query the encoders see
    strip_mentions: bool = True  # signals ignore the word names (not symbols) of documents the query names
    termbase: bool = True  # expand queries with the termbase at all (off: cross-lingual from the models alone)
    # Title blocks and reference lists name everything a document is about, so they match
    # most questions about it; unless the question asks for them (query.py's test, which
    # knows "sources", "background papers", "does it cite") they lose this share
    # (docs/decisions/document-priors.md).
    front_matter_penalty: float = 0.5
    # Cross-lingual pseudo-relevance feedback: the best terms of the top `feedback_passages`
    # dense results in another language than the query join the BM25 query (0 = off); only
    # for queries the termbase does not translate, unless `feedback_translated`
    # (docs/decisions/cross-lingual-feedback.md).
    feedback_terms: int = 10
    feedback_passages: int = 5
    feedback_translated: bool = False
    # One result per group of near-identical clauses (the others in its `also_in`).
    group_duplicates: bool = True
    # Document priors for large collections (priors.py): relative bonus of the corpus
    # manifest's documents, which yields to a question naming another document, and relative
    # penalties of drafts and of earlier sessions of a recurring resolution
    # (docs/decisions/document-priors.md).
    curated_boost: float = 0.3
    draft_penalty: float = 0.3
    superseded_penalty: float = 0.3
    # Relative bonus of the documents of a year or session the question names (times.py;
    # 0: measured without gain, docs/decisions/document-priors.md).
    time_boost: float = 0.0
    # The focus round (`_focus_rows`): every signal searches again within the documents the
    # first round found the question is about (its first `focus_documents` documents, and
    # those of each signal's top `focus_per_signal` rows), so that their clauses are ranked
    # among themselves, as on an index of those documents alone; each of their clauses
    # keeps the better of its two scores (docs/decisions/focus-round.md). 0 = off; a no-op
    # on an index of no more documents.
    focus_documents: int = 3
    focus_per_signal: int = 5
    # In the focus round BM25 weighs each query token by its idf over the focus's rows, as
    # an index of those documents alone would (collection-wide, "WSIS" is rare and outweighs
    # the words that tell the focus's clauses apart; docs/decisions/focus-round.md).
    focus_idf: bool = True

    def query_options(self) -> QueryOptions:
        return QueryOptions(strip_mentions=self.strip_mentions, termbase=self.termbase, expand_dense=self.expand_dense)

    def prior_strengths(self) -> PriorStrengths:
        return PriorStrengths(self.curated_boost, self.draft_penalty, self.superseded_penalty, self.time_boost)


class _RowSymbols:
    """Symbol tokens of each passage's text, computed when first asked for: only queries
    that name a document use them, and computing them all took 3 s at 87,000 passages."""

    def __init__(self, passages: Sequence[Passage]) -> None:
        self._passages = passages
        self._cache: dict[int, frozenset[str]] = {}

    def __getitem__(self, row: int) -> frozenset[str]:
        symbols = self._cache.get(row)
        if symbols is None:
            symbols = self._cache[row] = frozenset(symbol_tokens(self._passages[row].text))
        return symbols


@dataclass(frozen=True)
class _SignalLists:
    """What the signals returned for one query within one set of allowed rows."""

    rankings: dict[str, list[int]]  # signal -> rows, best first
    scores: dict[str, list[float]]  # signal -> the rows' scores
    expansion: list[str]  # the BM25 expansion tokens used (termbase, then feedback)

    def ranks(self) -> dict[str, dict[int, int]]:
        """Each signal's rank (from 1) of every row it returned."""
        return {s: {row: r for r, row in enumerate(rows, start=1)} for s, rows in self.rankings.items()}


@dataclass(frozen=True)
class DocumentSize:
    clauses: int
    passages: int


def _is_allowed(row: int, allowed: np.ndarray | None) -> bool:
    """Whether `row` is in the sorted `allowed` rows (None allows every row)."""
    if allowed is None:
        return True
    at = int(np.searchsorted(allowed, row))
    return at < len(allowed) and int(allowed[at]) == row


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
    ) -> None:
        """`embedders` are the query encoders by signal name; a signal not in it uses the
        process-wide encoder of that registry name (`get_embedder`)."""
        self.passages = passages
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
        self._doc_of_row = self._columns.doc_ids.tolist()
        self._lang_of_row = self._columns.langs.tolist()
        self._languages = frozenset(self._lang_of_row)
        self._analyser = QueryAnalyser(DocumentMentions(self.catalog.documents), self._languages)
        # A clause that cites a document by symbol ("A/RES/80/173号决议更新并强化了…") is
        # about that document as much as the document's own paragraphs are.
        self._symbols_of_row = _RowSymbols(passages)
        self._symbols_of_doc: dict[str, frozenset[str]] = {}  # filled as queries name documents
        self._document_priors = DocumentPriors(documents)
        self._group_of_row: list[int] = self._columns.group.tolist()  # read row by row: a list
        self._is_front_matter = self._columns.front_matter_test(passages)
        # The rows of the filters asked for lately (lang=en at 10^5: ~0.5 ms to recompute).
        self._allowed = lru_cache(maxsize=32)(self._allowed_uncached)
        # Whether a candidate names a document by a word name, per (row, document): the
        # same documents are named query after query, and the test cost ~1 ms a query
        # over 300 candidates at collection size.
        self._row_names_by_word = lru_cache(maxsize=1 << 16)(self._names_by_word_uncached)

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

    def document_passages(self, doc_id: str) -> list[Passage]:
        """The passages of one document in document order, read from the index's columns
        (empty for a document it does not hold): no product walks the whole index for one."""
        return [self.passages[row] for row in self._columns.doc_rows(doc_id).tolist()]

    @cached_property
    def document_sizes(self) -> dict[str, DocumentSize]:
        """Clauses and passages of every indexed document, counted once per index."""
        sizes: dict[str, DocumentSize] = {}
        for meta in self.documents:
            rows = self._columns.doc_rows(meta.id)
            sizes[meta.id] = DocumentSize(clauses=len(set(self._columns.anchors[rows].tolist())), passages=len(rows))
        return sizes

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
        return self._analyser.analyse(query, dense, self.fusion.query_options())

    def search(
        self, query: str, k: int = 10, filters: Filters | None = None, timings: dict[str, float] | None = None
    ) -> list[Hit]:
        """The top-k passages for `query`, best first. `timings`, when given, receives the
        seconds spent per stage (query embedding, faiss, bm25, fusion)."""
        query = query.strip()
        if not query:
            raise InvalidRequestError("the query is empty")
        if k < 1:
            raise InvalidRequestError(f"k must be at least 1, got {k}")
        clock = timings if timings is not None else {}
        allowed = self.allowed_rows(filters)
        if allowed is not None and len(allowed) == 0:
            return []
        depth = max(self.fusion.depth, k)
        analysed = self.analyse_query(query)
        vectors: dict[str, np.ndarray] = {}
        lists = self._signal_lists(analysed, vectors, None, depth, allowed, clock)
        t = time.perf_counter()
        fused = self._scored(analysed, lists)
        signal_ranks = lists.ranks()
        clock["fusion"] = time.perf_counter() - t
        focus = self._focus_rows(analysed, fused, lists, allowed)
        if focus is not None:
            t = time.perf_counter()
            focused = self._signal_lists(analysed, vectors, lists.expansion, depth, focus, None, self.fusion.focus_idf)
            for row, score in self._scored(analysed, focused).items():
                fused[row] = max(score, fused.get(row, 0.0))
            # The ranks a hit shows are those that gave its score: within the focus for its rows.
            for signal, ranks in focused.ranks().items():
                signal_ranks[signal].update(ranks)
            clock["focus"] = time.perf_counter() - t
        t = time.perf_counter()
        hits = self._ranked_hits(analysed, fused, signal_ranks, k, allowed)
        clock["fusion"] += time.perf_counter() - t
        return hits

    def _signal_lists(
        self,
        analysed: AnalysedQuery,
        vectors: dict[str, np.ndarray],
        expansion: list[str] | None,
        depth: int,
        allowed: np.ndarray | None,
        clock: dict[str, float] | None,
        focus_idf: bool = False,
    ) -> _SignalLists:
        """Each signal's ranked rows and scores within `allowed`. Query vectors missing from
        `vectors` are embedded (and kept there); `expansion` None works out the BM25
        expansion (termbase, then cross-lingual feedback from the dense lists). `focus_idf`:
        BM25 weighs each token by its idf over the allowed rows (the focus round)."""
        clock = clock if clock is not None else {}
        rankings: dict[str, list[int]] = {}
        scores: dict[str, list[float]] = {}
        dense = [signal for signal in self.signals if signal != "bm25"]  # BM25 after: feedback needs them
        pending: dict[str, Future[tuple[np.ndarray, np.ndarray]]] = {}
        found: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        for signal in dense:
            vector = vectors.get(signal)
            if vector is None:
                t = time.perf_counter()
                vector = vectors[signal] = self.encoder(signal).embed_queries([analysed.encoder_texts[signal]])[0]
                clock[f"embed:{signal}"] = time.perf_counter() - t
            if signal != dense[-1]:
                pending[signal] = _vector_search_pool().submit(self.vectors[signal].search, vector, depth, allowed)
            else:
                t = time.perf_counter()
                found[signal] = self.vectors[signal].search(vector, depth, allowed)
                found.update((name, search.result()) for name, search in pending.items())
                clock["faiss"] = time.perf_counter() - t  # the last search, then waiting for the others
        for signal in dense:
            rows, values = found[signal]
            rankings[signal], scores[signal] = rows.tolist(), values.tolist()
        if "bm25" in self.signals:
            t = time.perf_counter()
            if expansion is None:
                expansion = [*analysed.expansion_tokens, *self._cross_lingual_feedback(analysed, rankings)]
            if focus_idf and allowed is not None:
                rows, values = self.lexical.search_within(list(analysed.bm25_tokens), expansion, depth, allowed)
            else:
                rows, values = self.lexical.search(list(analysed.bm25_tokens), expansion, depth, allowed)
            rankings["bm25"], scores["bm25"] = rows.tolist(), values.tolist()
            clock["bm25"] = clock.get("bm25", 0.0) + time.perf_counter() - t
        return _SignalLists(rankings, scores, expansion or [])

    def _focus_rows(
        self, analysed: AnalysedQuery, fused: Mapping[int, float], lists: _SignalLists, allowed: np.ndarray | None
    ) -> np.ndarray | None:
        """The allowed rows of the documents the first round found the query is about: the
        first `focus_documents` documents of its fused ranking, those of each signal's top
        `focus_per_signal` rows (a clause one signal is sure of gets its document looked
        at), and those the query names. None when off, or when they are all the rows the
        search may return."""
        wanted = self.fusion.focus_documents
        if wanted <= 0 or len(self.documents) <= wanted:
            return None
        docs = dict.fromkeys(analysed.named_documents)
        for row, _ in sorted(fused.items(), key=lambda item: (-item[1], item[0])):
            if len(docs) >= wanted + len(analysed.named_documents):
                break
            docs.setdefault(self._doc_of_row[row])
        for rows_of_signal in lists.rankings.values():
            for row in rows_of_signal[: self.fusion.focus_per_signal]:
                docs.setdefault(self._doc_of_row[row])
        # Not through the filters' cache: each question has its own focus, and would evict
        # the filters users repeat.
        rows = self._columns.allowed(doc_ids=docs)
        if allowed is not None:
            rows = np.intersect1d(rows, allowed, assume_unique=True)
        everything = self._columns.size if allowed is None else len(allowed)
        return rows if len(rows) < everything else None  # a second round would change nothing

    def _cross_lingual_feedback(self, analysed: AnalysedQuery, dense: Mapping[str, list[int]]) -> list[str]:
        """BM25 tokens taken from the best dense results written in another language than
        the query: the words the other language uses for what the query asks (pseudo-
        relevance feedback), ranked by how many of those passages use them and how rare
        they are in the index. Empty when off, when no dense signal runs, when no passage
        contains a word of the query ("zzqx" must stay unanswered), and (unless
        `feedback_translated`) when the termbase already translated the query."""
        if self.fusion.feedback_terms <= 0 or not dense:
            return []
        if analysed.translated and not self.fusion.feedback_translated:
            return []
        if not self.lexical.document_frequency(list(analysed.bm25_tokens)):
            return []  # no passage has a word of the query: its dense neighbours are arbitrary
        ranked = fuse("rrf", dense, {}, lambda _signal, _row: 1.0)
        foreign = [row for row, _ in sorted(ranked.items(), key=lambda item: -item[1])]
        foreign = [row for row in foreign if self._lang_of_row[row] != analysed.language]
        foreign = foreign[: self.fusion.feedback_passages]
        if not foreign:
            return []
        counts: dict[str, int] = {}
        for row in foreign:
            for token in set(analyse(self.passages[row].text)):
                counts[token] = counts.get(token, 0) + 1
        known = analysed.match_tokens
        frequency = self.lexical.document_frequency([t for t in counts if t not in known])
        total = self.lexical.size
        weight = {t: counts[t] * float(np.log(total / df)) for t, df in frequency.items() if df < total / 2}
        return sorted(weight, key=lambda t: (-weight[t], t))[: self.fusion.feedback_terms]

    def _clause_rows(self, doc_id: str, anchor: str) -> list[int]:
        """Rows of a referenced clause, then of its subclauses ("para-71" brings "para-71-a",
        ...). A subparagraph the index keeps inside its paragraph resolves to the paragraph.
        Looked up among the document's own rows (a scan of every row's anchor cost ~15 ms
        per reference at 10^5 passages)."""
        rows = np.sort(self._columns.doc_rows(doc_id)).tolist()
        by_anchor: dict[str, list[int]] = {}
        for row, row_anchor in zip(rows, self._columns.anchors[rows].tolist(), strict=True):
            by_anchor.setdefault(row_anchor, []).append(row)
        found = list(by_anchor.get(anchor, []))
        if not found and anchor.count("-") == 2:
            found = list(by_anchor.get(anchor.rsplit("-", 1)[0], []))
        found += [r for a, rs in by_anchor.items() if a.startswith(anchor + "-") for r in rs]
        return found

    def _scored(self, analysed: AnalysedQuery, lists: _SignalLists) -> dict[int, float]:
        """The signals' rankings fused, then scaled by the priors."""
        weights, cross = self.fusion.weights, self.fusion.cross_lingual

        def weight(signal: str, row: int) -> float:
            w = weights.get(signal, 1.0)
            if self._lang_of_row[row] != analysed.language:
                w *= cross.get(signal, 1.0)
            return w

        fused = fuse(self.fusion.method, lists.rankings, lists.scores, weight)
        self._apply_priors(analysed, fused)
        return fused

    def _ranked_hits(
        self,
        analysed: AnalysedQuery,
        fused: dict[int, float],
        signal_ranks: Mapping[str, Mapping[int, int]],
        k: int,
        allowed: np.ndarray | None,
    ) -> list[Hit]:
        # Clauses the query names explicitly come first, in the order it names them.
        pinned = [
            row
            for ref in analysed.clause_references
            for row in self._clause_rows(ref.doc_id, ref.anchor)
            if _is_allowed(row, allowed)
        ]
        top = max(fused.values(), default=0.0)
        for i, row in enumerate(dict.fromkeys(pinned)):
            fused[row] = top + 1.0 / (1 + i)
        ranked = sorted(fused.items(), key=lambda item: (-item[1], item[0]))
        top_k = self._collapse_groups(ranked, k) if self.fusion.group_duplicates else ranked[:k]
        match = analysed.match_tokens
        return [
            Hit(
                rank=i,
                score=score,
                passage=self.passages[row],
                signals={s: ranks[row] for s, ranks in signal_ranks.items() if row in ranks},
                matched_terms=matched_terms(self.passages[row].text, match),
                **self._also_in(row, allowed),
            )
            for i, (row, score) in enumerate(top_k, start=1)
        ]

    def _document_symbols(self, doc_id: str) -> frozenset[str]:
        """The symbol tokens of a document's symbol and aliases (what a clause citing it
        contains), worked out when a query first names it: 1,191 documents cost 0.1 s."""
        symbols = self._symbols_of_doc.get(doc_id)
        if symbols is None:
            doc = self.catalog.get(doc_id)
            names = (doc.symbol, *doc.aliases)
            symbols = frozenset(t for name in names for t in symbol_tokens(name) if t.startswith("sym:"))
            self._symbols_of_doc[doc_id] = symbols
        return symbols

    # ----- near-identical clauses (near_duplicates.py) -----

    @cached_property
    def _rows_of_group(self) -> dict[int, np.ndarray]:
        """The rows of each group, worked out when a result first needs its also_in: 0.5 s
        at 70,000 passages, which a load (and each with_fusion copy) should not pay."""
        return self._columns.group_rows()

    def _collapse_groups(self, ranked: list[tuple[int, float]], k: int) -> list[tuple[int, float]]:
        """The first k rows of `ranked` of distinct groups: each group of near-identical
        clauses is shown by its best-ranked member (after the priors)."""
        shown: set[int] = set()
        out: list[tuple[int, float]] = []
        for row, score in ranked:
            group = self._group_of_row[row]
            if group in shown:
                continue
            shown.add(group)
            out.append((row, score))
            if len(out) == k:
                break
        return out

    def _also_in(self, row: int, allowed: np.ndarray | None) -> dict[str, Any]:
        """`also_in` and `also_in_total` of a shown row: the other clauses of its group that
        the filters allow, latest first (then in index order)."""
        if not self.fusion.group_duplicates:
            return {}
        members = self._rows_of_group.get(self._group_of_row[row])
        if members is None:
            return {}
        # In numpy: a footnote such as "Resolution 70/1." recurs in hundreds of documents,
        # and a row-by-row test of the filter cost milliseconds per result.
        others = members[members != row]  # latest first, then in row order (`group_rows`)
        if allowed is not None and len(others):  # `search` returns before fusion when nothing is allowed
            at = np.minimum(np.searchsorted(allowed, others), len(allowed) - 1)
            others = others[allowed[at] == others]
        return {
            "also_in": [AlsoIn.from_passage(self.passages[int(r)]) for r in others[:ALSO_IN_MAX]],
            "also_in_total": len(others),
        }

    def _names_by_word_uncached(self, row: int, doc_id: str) -> bool:
        return self._analyser.mentions.names_by_word(self.passages[row].text, frozenset((doc_id,)))

    def _apply_priors(self, analysed: AnalysedQuery, fused: dict[int, float]) -> None:
        """Scale fused scores in place by what the query says about where to look: the
        documents it names (and clauses citing them by symbol or name), and front matter unless the
        question asks for titles, dates or references."""
        named = analysed.named_documents
        cited = frozenset().union(*(self._document_symbols(doc) for doc in named))
        penalty = 0.0 if analysed.asks_for_front_matter else self.fusion.front_matter_penalty
        for row in fused:
            if self._doc_of_row[row] in named:
                fused[row] *= 1.0 + self.fusion.document_boost
            elif named and (
                self._symbols_of_row[row] & cited
                or (self.fusion.cited_by_name and any(self._row_names_by_word(row, doc) for doc in named))
            ):
                # Less than the document's own clauses: a report about a resolution
                # is evidence, the resolution's text is the authority.
                fused[row] *= 1.0 + self.fusion.document_boost / 2
            # From the column: testing the passage would parse it (~16 us a candidate at 10^5).
            if penalty and self._is_front_matter(row):
                fused[row] *= 1.0 - penalty
        self._apply_document_priors(analysed, fused)

    def _apply_document_priors(self, analysed: AnalysedQuery, fused: dict[int, float]) -> None:
        """Scale fused scores in place by the collection priors (priors.py): curated
        documents up, drafts and superseded sessions down, named documents untouched."""
        factors = self._document_priors.factors(
            self.fusion.prior_strengths(), analysed.named_documents, analysed.asks_for_session, analysed.times
        )
        if not factors:
            return
        for row in fused:
            fused[row] *= factors.get(self._doc_of_row[row], 1.0)
