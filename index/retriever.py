"""The retrieval API: hybrid (BM25 + dense encoders), cross-lingual search over one index.

The CLI, the HTTP service and the evaluation harness all call `HybridRetriever.search`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from ..core.errors import InvalidRequestError, NotFoundError
from ..core.vocabulary import DocumentMeta, Passage
from ..corpus.manifest import load_manifest
from .analysis import analyse, query_language, symbol_tokens
from .embedders import Embedder, get_embedder
from .fusion import weighted_rrf
from .lexical import LexicalIndex
from .references import DocumentMentions, clause_references
from .results import Filters, Hit
from .termbase import load_termbase
from .vectors import VectorIndex

MULTILINGUAL = frozenset({"e5", "use"})


@dataclass(frozen=True)
class FusionConfig:
    """How the signals are combined (weighted RRF). A passage in another language than the
    query gets its signal weight multiplied by `cross_lingual[signal]`, as multilingual
    encoders are the ones that can match across languages. Signals not in `weights` weigh 1.

    The defaults were chosen on the dev set (BENCHMARKS.md): BM25 with symbol tokens and
    termbase expansion is the strongest single signal here, e5 adds the paraphrases and the
    cross-lingual matches; minilm and USE lower the fused recall, so the default search
    leaves them out (they stay in the index, for evaluation and `with_signals`).
    """

    default_signals: tuple[str, ...] = ("bm25", "e5")
    weights: Mapping[str, float] = field(default_factory=lambda: {"bm25": 2.0, "e5": 0.5})
    cross_lingual: Mapping[str, float] = field(default_factory=lambda: {"e5": 1.5, "use": 1.5, "minilm": 0.5})
    depth: int = 100  # candidates taken from each signal
    document_boost: float = 0.3  # relative bonus for passages of a document the query names
    expand_dense: bool = True  # add termbase equivalents to the query the encoders see
    strip_mentions: bool = True  # signals ignore the word names (not symbols) of documents the query names


class HybridRetriever:
    def __init__(
        self,
        passages: list[Passage],
        documents: list[DocumentMeta],
        lexical: LexicalIndex,
        vectors: Mapping[str, VectorIndex],
        info: Mapping[str, Any],
        signals: list[str] | None = None,
        fusion: FusionConfig | None = None,
    ) -> None:
        self.passages = passages
        self.documents = documents
        self.lexical = lexical
        self.vectors = dict(vectors)
        self._info = dict(info)
        self.fusion = fusion or FusionConfig()
        available = ["bm25", *self.vectors]
        defaults = [name for name in self.fusion.default_signals if name in available]
        self.signals = signals if signals is not None else (defaults or available)
        self._row = {p.id: i for i, p in enumerate(passages)}
        self._by_anchor: dict[tuple[str, str], list[int]] = {}
        for i, p in enumerate(passages):
            self._by_anchor.setdefault((p.doc_id, p.anchor), []).append(i)
        self._doc_of_row = np.array([p.doc_id for p in passages], dtype=object)
        self._lang_of_row = [p.lang for p in passages]
        self._languages = frozenset(self._lang_of_row)
        self._mentions = DocumentMentions(documents)
        # A clause that cites a document by symbol ("A/RES/80/173号决议更新并强化了…") is
        # about that document as much as the document's own paragraphs are.
        self._symbols_of_row = [frozenset(symbol_tokens(p.text)) for p in passages]
        self._symbols_of_doc = {
            d.id: frozenset(t for name in (d.symbol, *d.aliases) for t in symbol_tokens(name) if t.startswith("sym:"))
            for d in documents
        }

    # ----- construction -----

    def with_signals(self, names: list[str]) -> HybridRetriever:
        """The same index searched with only the named signals (e.g. ["bm25"], ["e5"])."""
        unknown = [n for n in names if n not in self.available_signals]
        if unknown or not names:
            raise InvalidRequestError(f"unknown signals {unknown or names}; this index has {self.available_signals}")
        return HybridRetriever(
            self.passages, self.documents, self.lexical, self.vectors, self._info, list(names), self.fusion
        )

    def with_fusion(self, **changes: Any) -> HybridRetriever:
        """The same index with other fusion settings (for tuning and evaluation)."""
        return HybridRetriever(
            self.passages,
            self.documents,
            self.lexical,
            self.vectors,
            self._info,
            self.signals,
            replace(self.fusion, **changes),
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

    def neighbours(self, passage_id: str, n: int = 2) -> list[Passage]:
        """Up to `n` passages either side of this one in its document, itself included."""
        p = self.get(passage_id)
        same = [q for q in self.passages if q.doc_id == p.doc_id and abs(q.order - p.order) <= n]
        return sorted(same, key=lambda q: q.order)

    def info(self) -> dict[str, Any]:
        return {
            **self._info,
            "signals": list(self.signals),
            "available_signals": self.available_signals,
            "passages": len(self.passages),
            "documents": len(self.documents),
        }

    def encoder(self, name: str) -> Embedder:
        return get_embedder(name)

    # ----- search -----

    def allowed_rows(self, filters: Filters | None) -> np.ndarray | None:
        """Rows every signal may return under `filters` (None = all). One set for all
        signals, so the same filter gives every signal the same candidates."""
        if filters is None or filters.is_empty():
            return None
        ids = {self._resolve_doc(name) for name in filters.doc}
        langs = {lang.lower() for lang in filters.lang}
        bodies = {body.casefold() for body in filters.body}
        tests: list[Callable[[Passage], bool]] = []
        if ids:
            tests.append(lambda p: p.doc_id in ids)
        if langs:
            tests.append(lambda p: p.lang.lower() in langs)
        if filters.type:
            tests.append(lambda p: p.doc_type in filters.type)
        if bodies:
            tests.append(lambda p: p.body.casefold() in bodies)
        if filters.year:
            tests.append(lambda p: p.year in filters.year)
        mask = np.array([all(test(p) for test in tests) for p in self.passages], dtype=bool)
        return np.flatnonzero(mask)

    def _resolve_doc(self, name: str) -> str:
        held = {d.id for d in self.documents}
        if name in held:
            return name
        entry = load_manifest().resolve(name)
        if entry is None or entry.id not in held:
            # Any name is a well-formed filter; one the index does not hold is not there (404).
            raise NotFoundError(f"unknown document {name!r}; known: {sorted(held)}")
        return entry.id

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
        rankings: dict[str, list[int]] = {}
        for signal in self.signals:
            if signal == "bm25":
                t = time.perf_counter()
                tokens = analyse(self._mentions.without_mentions(query) if self.fusion.strip_mentions else query)
                # Expanded from the whole query: a named document's equivalents ("Council
                # report" -> 理事会, 报告) are what carries an English question to Chinese text.
                # Only into the languages the corpus is written in: other forms match nothing.
                forms = load_termbase().equivalents(query, self._languages)
                expansion_tokens = [tok for form in forms for tok in analyse(form)]
                rankings["bm25"] = self.lexical.search(tokens, expansion_tokens, depth, allowed).tolist()
                clock["bm25"] = clock.get("bm25", 0.0) + time.perf_counter() - t
            else:
                t = time.perf_counter()
                encoder = self.encoder(signal)
                vector = encoder.embed_queries([self._dense_query(query, encoder)])[0]
                clock[f"embed:{signal}"] = time.perf_counter() - t
                t = time.perf_counter()
                rows, _ = self.vectors[signal].search(vector, depth, allowed)
                rankings[signal] = rows.tolist()
                clock["faiss"] = clock.get("faiss", 0.0) + time.perf_counter() - t
        t = time.perf_counter()
        hits = self._fuse(query, rankings, k, allowed)
        clock["fusion"] = time.perf_counter() - t
        return hits

    def _dense_query(self, query: str, encoder: Embedder) -> str:
        """The query as an encoder sees it: with the termbase equivalents of its terms in
        the languages both the encoder and the corpus know (so an English question also
        names its terms the way the Chinese report writes them). Names of documents the
        query mentions are left out, as for BM25: the document boost takes care of them."""
        if self.fusion.strip_mentions:
            query = self._mentions.without_mentions(query)
        if not self.fusion.expand_dense:
            return query
        languages = self._languages if encoder.languages is None else self._languages & encoder.languages
        expansion = load_termbase().equivalents(query, languages)
        return query + ("\n" + "; ".join(expansion) if expansion else "")

    def _clause_rows(self, doc_id: str, anchor: str) -> list[int]:
        """Rows of a referenced clause, then of its subclauses ("para-71" brings "para-71-a",
        ...). A subparagraph the index keeps inside its paragraph resolves to the paragraph."""
        rows = list(self._by_anchor.get((doc_id, anchor), []))
        if not rows and anchor.count("-") == 2:
            rows = list(self._by_anchor.get((doc_id, anchor.rsplit("-", 1)[0]), []))
        rows += [r for (d, a), rs in self._by_anchor.items() if d == doc_id and a.startswith(anchor + "-") for r in rs]
        return rows

    def _fuse(self, query: str, rankings: dict[str, list[int]], k: int, allowed: np.ndarray | None) -> list[Hit]:
        qlang = query_language(query)
        weights, cross = self.fusion.weights, self.fusion.cross_lingual

        def weight(signal: str, row: int) -> float:
            w = weights.get(signal, 1.0)
            if self._lang_of_row[row] != qlang:
                w *= cross.get(signal, 1.0)
            return w

        fused = weighted_rrf(rankings, weight)
        mentions = self._mentions.find(query)
        named = {doc for doc, _ in mentions}
        if named:
            cited = frozenset().union(*(self._symbols_of_doc.get(doc, frozenset()) for doc in named))
            for row in fused:
                if self._doc_of_row[row] in named:
                    fused[row] *= 1.0 + self.fusion.document_boost
                elif self._symbols_of_row[row] & cited:
                    # Less than the document's own clauses: a report about a resolution
                    # is evidence, the resolution's text is the authority.
                    fused[row] *= 1.0 + self.fusion.document_boost / 2
        # Clauses the query names explicitly come first, in the order it names them.
        allowed_set = None if allowed is None else set(allowed.tolist())
        pinned = [
            row
            for ref in clause_references(query, mentions)
            for row in self._clause_rows(ref.doc_id, ref.anchor)
            if allowed_set is None or row in allowed_set
        ]
        top = max(fused.values(), default=0.0)
        for i, row in enumerate(dict.fromkeys(pinned)):
            fused[row] = top + 1.0 / (1 + i)
        ranked = sorted(fused.items(), key=lambda item: (-item[1], item[0]))[:k]
        signal_ranks = {s: {row: r for r, row in enumerate(rows, start=1)} for s, rows in rankings.items()}
        return [
            Hit(
                rank=i,
                score=score,
                passage=self.passages[row],
                signals={s: ranks[row] for s, ranks in signal_ranks.items() if row in ranks},
            )
            for i, (row, score) in enumerate(ranked, start=1)
        ]
