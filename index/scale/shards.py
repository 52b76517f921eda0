"""An index split into shards by document, searched by fan-out and an exact merge.

Layout: a shard set is a directory with `shards.json` and one sub-directory per shard. Each
shard is a complete index version (passages, vectors, FAISS, BM25, manifest: `wsis` can
load one alone) plus `global_rows.npy`, the row each of its passages has in the full index.

Exactness. The retriever fuses per-signal candidate lists (the top `depth` rows of BM25 and
of each encoder). A sharded signal returns, from every shard, that shard's own top `depth`
with scores, and merges them by (score desc, global row asc): the global top `depth` is
always inside the union of the shards' tops, so the merged list is the full index's list
whenever each shard scores a passage exactly as the full index does. That holds for
- exact (flat) dense search: a passage's inner product with the query does not depend on
  which other passages sit beside it;
- BM25, because every shard keeps the corpus-wide statistics: the index stores each
  (passage, token) score already weighted by the idf and length norm of the whole corpus,
  and a shard is that matrix sliced on its passage axis (`LexicalIndex.subset`). Adding a
  document therefore means re-deriving the shards from a full build (or, at scale, shipping
  the global document frequencies to every shard, see docs/scale.md).
Fusion, document boosts and clause references then run once, over the merged lists, in the
one `HybridRetriever` that fronts the shards: the fused top-k equals the single index's.
Approximate (HNSW) shards give the union of approximate tops; its recall is measured by the
benchmark, not promised equal.

A shard that does not answer is never dropped silently: the search fails with
`ShardUnavailableError` (HTTP 503, naming the shard).
"""

from __future__ import annotations

import json
import logging
import shutil
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TypeVar

import numpy as np

from ...core.errors import IndexNotReadyError
from ...core.vocabulary import DocumentMeta, Passage
from ..lexical import LexicalIndex, Postings, query_weights, rank_within
from ..retriever import HybridRetriever
from ..search.rows import Fetch, Fetched, LexicalQuery, Scored, StageAnswer
from ..sentences import SentenceTable
from ..store import versions
from ..vectors import VectorIndex, mapped_array

logger = logging.getLogger(__name__)

SHARD_SET_FILE = "shards.json"
GLOBAL_ROWS = "global_rows.npy"

T = TypeVar("T")


class ShardUnavailableError(IndexNotReadyError):
    """A shard of a sharded index did not answer: the result would be partial."""


@dataclass(frozen=True)
class ShardAnswer:
    """A shard's part of one stage of a search, in global rows."""

    dense: dict[str, Scored]  # signal -> the shard's top rows
    lexical: Scored | None  # BM25's top rows over the whole collection's idf
    postings: dict[str, Postings] | None  # BM25 within the allowed rows: the front ranks them
    fetched: Fetched | None = None  # the fetched rows this shard holds


@dataclass(frozen=True)
class ShardRequest:
    """One stage of a search as each shard is asked it (`LocalShard.answer`)."""

    dense: dict[str, np.ndarray]  # signal -> its query vector: that signal's top-k
    lexical: LexicalQuery | None  # BM25's query, once it is known
    k: int
    allowed: np.ndarray | None  # sorted global rows (None: every row)
    fetch: Fetch | None = None  # rows to bring back whole (they need `lexical`)


class ShardSearcher(Protocol):
    """What a shard answers, wherever it runs (this process, a Ray actor)."""

    name: str

    def answer(self, request: ShardRequest) -> ShardAnswer: ...

    def document_frequencies(self) -> dict[str, int]: ...


@dataclass(frozen=True)
class ShardSet:
    root: Path
    shards: list[str]  # sub-directory names, in order
    passages: int
    encoders: list[str]
    # The encoders of the sentence table kept whole at the root for the front (answers and
    # the sentence stage read it); None when the source index has none.
    sentences: list[str] | None = None

    def shard_dirs(self) -> list[Path]:
        return [self.root / name for name in self.shards]


def read_shard_set(root: Path) -> ShardSet:
    path = root / SHARD_SET_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        sentences = data.get("sentences")
        if isinstance(sentences, str):  # written when the table held one encoder
            sentences = [sentences]
        return ShardSet(root, list(data["shards"]), int(data["passages"]), list(data["encoders"]), sentences)
    except (OSError, ValueError, KeyError) as exc:
        raise IndexNotReadyError(f"no readable shard set at {root} ({exc}): write one with `wsis index shard`") from exc


def assign_documents(passage_counts: dict[str, int], n: int) -> list[list[str]]:
    """Documents to shards, largest first onto the lightest shard (balanced by passages)."""
    bins: list[list[str]] = [[] for _ in range(n)]
    load = [0] * n
    for doc_id, count in sorted(passage_counts.items(), key=lambda item: (-item[1], item[0])):
        lightest = min(range(n), key=lambda i: (load[i], i))
        bins[lightest].append(doc_id)
        load[lightest] += count
    return bins


def write_shards(index_dir: Path, out: Path, n: int) -> ShardSet:
    """Split the built index at `index_dir` into `n` shards by document, under `out`
    (written beside, then swapped in whole: a reader never sees half a shard set)."""
    if n < 1:
        raise ValueError(f"a shard set needs at least one shard, not {n}")
    version = index_dir.resolve()
    manifest = versions.read_manifest(version)
    if manifest is None:
        raise IndexNotReadyError(f"no index at {index_dir}: build one with `wsis index build`")
    passages = versions.read_passages(version)
    lexical = LexicalIndex.load(version / versions.BM25_DIR)
    encoders = list(manifest["encoders"])
    vectors = {name: mapped_array(version / versions.vectors_file(name)) for name in encoders}
    counts: dict[str, int] = {}
    for p in passages:
        counts[p.doc_id] = counts.get(p.doc_id, 0) + 1
    groups = assign_documents(counts, n)
    doc_of_row = np.array([p.doc_id for p in passages], dtype=object)
    tmp = out.with_name(f".{out.name}.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    names = []
    for i, docs in enumerate(groups):
        name = f"shard-{i:03d}"
        names.append(name)
        shard = tmp / name
        shard.mkdir()
        rows = np.flatnonzero(np.isin(doc_of_row, list(docs))).astype(np.int64)
        np.save(shard / GLOBAL_ROWS, rows)
        versions.write_passages(shard, [passages[int(r)] for r in rows])
        for encoder in encoders:
            part = np.ascontiguousarray(vectors[encoder][rows], dtype=np.float32)
            np.save(shard / versions.vectors_file(encoder), part)
            # Exact search in every shard: the merge is then exact (see the module doc).
            VectorIndex.build(part, exact_max=max(len(part), 1)).save_ann(shard / versions.faiss_file(encoder))
        lexical.subset(rows).save(shard / versions.BM25_DIR)
        kept = {doc: record for doc, record in manifest["documents"].items() if doc in set(docs)}
        versions.write_manifest(shard, {**manifest, "documents": kept, "shard": {"index": i, "of": n}})
    # The sentence table stays whole, at the root: the front, which answers, reads it.
    sentences = versions.read_sentences(version, manifest)
    if sentences is not None:
        sentences.save(tmp)
    layout = {"shards": names, "passages": len(passages), "encoders": encoders, "source": str(version)}
    (tmp / SHARD_SET_FILE).write_text(
        json.dumps({**layout, "sentences": sentences.encoders if sentences is not None else None}),
        encoding="utf-8",
    )
    if out.exists():
        old = out.with_name(f".{out.name}.old")
        shutil.rmtree(old, ignore_errors=True)
        out.rename(old)
        tmp.rename(out)
        shutil.rmtree(old, ignore_errors=True)
    else:
        tmp.rename(out)
    logger.info("wrote %d shards of %d passages to %s", n, len(passages), out)
    return read_shard_set(out)


class LocalShard:
    """A shard searched in this process (also what a shard's Ray actor runs)."""

    def __init__(
        self, name: str, global_rows: np.ndarray, lexical: LexicalIndex, vectors: dict[str, VectorIndex]
    ) -> None:
        self.name = name
        self.global_rows = global_rows  # increasing: the full index's row of each of its passages
        self.lexical = lexical
        self.vectors = vectors

    @classmethod
    def load(cls, directory: Path) -> LocalShard:
        """The shard written at `directory` (`write_shards`)."""
        manifest = versions.read_manifest(directory) or {}
        vectors = {
            name: VectorIndex.load(directory / versions.vectors_file(name), directory / versions.faiss_file(name))
            for name in manifest["encoders"]
        }
        lexical = LexicalIndex.load(directory / versions.BM25_DIR)
        return cls(directory.name, np.load(directory / GLOBAL_ROWS), lexical, vectors)

    def _local(self, allowed: np.ndarray | None) -> np.ndarray | None:
        """Global allowed rows -> this shard's rows (its global rows are increasing)."""
        if allowed is None:
            return None
        return np.searchsorted(self.global_rows, allowed[np.isin(allowed, self.global_rows)])

    def answer(self, request: ShardRequest) -> ShardAnswer:
        """Every dense query's top-k among the allowed rows this shard holds and, when asked,
        BM25's: its top-k, or for a search `within` the allowed rows the tokens' postings
        there (their idf over those rows needs every shard's counts). `fetch`: the fetched
        rows this shard holds, every one with its dense scores and BM25's postings."""
        lexical, k, fetch = request.lexical, request.k, request.fetch
        local = self._local(request.allowed)
        empty = local is not None and len(local) == 0
        nothing: Scored = (np.zeros(0, np.int64), np.zeros(0, np.float32))

        def global_rows(found: Scored) -> Scored:
            return self.global_rows[found[0]], found[1]

        found = {
            s: nothing if empty else global_rows(self.vectors[s].search(v, k, local)) for s, v in request.dense.items()
        }
        if lexical is None:
            return ShardAnswer(found, None, None)
        fetched = self._fetch(fetch, lexical) if fetch is not None else None
        if lexical.within and local is not None:
            return ShardAnswer(found, None, self._postings(lexical, local), fetched)
        bm25 = nothing if empty else global_rows(self.lexical.search(lexical.tokens, lexical.expansion, k, local))
        return ShardAnswer(found, bm25, None, fetched)

    def _postings(self, lexical: LexicalQuery, local: np.ndarray) -> dict[str, Postings]:
        """The postings of BM25's tokens among this shard's `local` rows, in global rows."""
        postings = self.lexical.postings([t for t, _ in query_weights(lexical.tokens, lexical.expansion)], local)
        return {t: Postings(self.global_rows[held.rows], held.scores) for t, held in postings.items()}

    def _fetch(self, fetch: Fetch, lexical: LexicalQuery) -> Fetched:
        local = self._local(fetch.rows)
        assert local is not None
        dense = {}
        for signal, vector in fetch.dense.items():
            rows, scores = self.vectors[signal].search(vector, len(local), local)
            dense[signal] = (self.global_rows[rows], scores)
        return Fetched(self.global_rows[local], dense, self._postings(lexical, local))

    def document_frequencies(self) -> dict[str, int]:
        """How many of this shard's passages hold each token of the vocabulary (those it has)."""
        # bm25s keeps the empty string in its vocabulary without a column of scores; no
        # analysed text holds it.
        counts = self.lexical.document_frequency([t for t in self.lexical.bm25.vocab_dict if t])
        return {token: n for token, n in counts.items() if n}


def merge_top(parts: Sequence[Scored], k: int) -> Scored:
    """The top-k of several shards' lists: score descending, then global row ascending
    (the order a single index gives ties)."""
    rows = np.concatenate([p[0] for p in parts]) if parts else np.zeros(0, np.int64)
    scores = np.concatenate([p[1] for p in parts]) if parts else np.zeros(0, np.float32)
    order = np.lexsort((rows, -scores.astype(np.float64)))[:k]
    return rows[order], scores[order]


class FanOut:
    """Calls every shard at once and gathers the answers; a shard that fails or does not
    answer in `timeout_s` fails the whole search with its name (never a silent drop)."""

    def __init__(self, shards: Sequence[ShardSearcher], timeout_s: float = 30.0) -> None:
        self.shards = list(shards)
        self.timeout_s = timeout_s
        # Concurrent searches (the service's requests) each fan out to every shard.
        self._pool = ThreadPoolExecutor(max_workers=4 * max(1, len(self.shards)), thread_name_prefix="shard")

    def gather(self, call: Callable[[ShardSearcher], T], shards: Sequence[ShardSearcher] | None = None) -> list[T]:
        """`call` on every shard (or on `shards` only), all at once."""
        futures = [
            (shard.name, self._pool.submit(call, shard)) for shard in (self.shards if shards is None else shards)
        ]
        # Every call ends (or times out) before the search answers or fails: a call left
        # running after one shard failed would outlive the request, and on Ray it would
        # reach into a cluster connection its caller may already have closed.
        done, _ = wait([future for _, future in futures], timeout=self.timeout_s)
        answers = []
        for name, future in futures:
            if future not in done:
                raise ShardUnavailableError(
                    f"shard {name} did not answer (TimeoutError: no answer in {self.timeout_s} s)"
                )
            failure = future.exception()
            if failure is not None:  # any failure of a shard is the same fact to the caller
                raise ShardUnavailableError(
                    f"shard {name} did not answer ({type(failure).__name__}: {failure})"
                ) from failure
            answers.append(future.result())
        return answers


class ShardSetSearch:
    """A shard set as the search stages see it (`StageSearcher`): each stage of a search is
    one request to every shard at once, merged exactly (see the module doc). BM25's
    document frequencies (what cross-lingual feedback asks twice per search) are the
    shards' counts added up once, when the front starts: the shards hold disjoint passages,
    so the sums are the full index's. A stage within allowed rows (a filter, the focus
    round) asks only the shards that hold some of them: the others have nothing to add."""

    def __init__(self, fan_out: FanOut, size: int, rows_of_shard: Sequence[np.ndarray]) -> None:
        self.fan_out = fan_out
        self.size = size
        self._rows_of_shard = list(rows_of_shard)  # each shard's global rows, increasing
        self._frequencies: dict[str, int] = {}
        for counts in fan_out.gather(lambda shard: shard.document_frequencies()):
            for token, n in counts.items():
                self._frequencies[token] = self._frequencies.get(token, 0) + n

    def document_frequency(self, tokens: list[str]) -> dict[str, int]:
        """How many passages of the whole shard set hold each token it knows (unknown: absent)."""
        return {t: self._frequencies[t] for t in tokens if t in self._frequencies}

    def search_stage(
        self,
        dense: Mapping[str, np.ndarray],
        lexical: LexicalQuery | None,
        k: int,
        allowed: np.ndarray | None,
        fetch: Fetch | None = None,
        known: Fetched | None = None,
    ) -> StageAnswer:
        queries = dict(dense)
        have, asked = None, allowed
        if known is not None and allowed is not None and lexical is not None and lexical.within:
            have = known.among(allowed)
            asked = np.setdiff1d(allowed, have.rows, assume_unique=True)
        parts: list[ShardAnswer] = []
        if have is None or asked is None or len(asked):  # nothing to ask when every row is known
            ask = self._holding(asked)
            request = ShardRequest(queries, lexical, k, asked, fetch)
            parts = self.fan_out.gather(lambda shard: shard.answer(request), ask)
        if have is not None:  # the known rows, as one more shard's answer
            parts.append(ShardAnswer(have.dense, None, have.postings))
        found = {signal: merge_top([part.dense[signal] for part in parts], k) for signal in queries}
        if lexical is None:
            return StageAnswer(found, None)
        fetched = _merge_fetched([part.fetched for part in parts if part.fetched is not None]) if fetch else None
        if lexical.within and allowed is not None:
            postings = [part.postings or {} for part in parts]
            return StageAnswer(found, self._rank_within(lexical, postings, k, allowed), fetched)
        return StageAnswer(found, merge_top([part.lexical for part in parts if part.lexical is not None], k), fetched)

    def _holding(self, allowed: np.ndarray | None) -> list[ShardSearcher] | None:
        """The shards holding any of the sorted `allowed` rows (None: every shard)."""
        if allowed is None:
            return None
        holding = []
        for shard, rows in zip(self.fan_out.shards, self._rows_of_shard, strict=True):
            at = np.minimum(np.searchsorted(rows, allowed), len(rows) - 1)
            if len(rows) and bool(np.any(rows[at] == allowed)):
                holding.append(shard)
        return holding

    def _rank_within(self, lexical: LexicalQuery, parts: list[dict[str, Postings]], k: int, rows: np.ndarray) -> Scored:
        """BM25 within `rows` with each token's idf over them, as `LexicalIndex.search_within`
        ranks: from the shards' postings among those rows and the summed frequencies."""
        postings: dict[str, list[Postings]] = {}
        for part in parts:
            for token, held in part.items():
                postings.setdefault(token, []).append(held)
        merged = {token: _merge_postings(held) for token, held in postings.items()}
        weighted = query_weights(lexical.tokens, lexical.expansion)
        return rank_within(merged, self._frequencies, self.size, rows, weighted, k)


def _merge_fetched(parts: list[Fetched]) -> Fetched:
    """The shards' parts of one fetch (disjoint rows) as one."""
    rows = np.sort(np.concatenate([part.rows for part in parts])) if parts else np.zeros(0, np.int64)
    signals = parts[0].dense if parts else {}
    dense = {s: merge_top([part.dense[s] for part in parts], sum(len(p.rows) for p in parts)) for s in signals}
    tokens: dict[str, list[Postings]] = {}
    for part in parts:
        for token, held in part.postings.items():
            tokens.setdefault(token, []).append(held)
    return Fetched(rows, dense, {token: _merge_postings(held) for token, held in tokens.items()})


def _merge_postings(parts: list[Postings]) -> Postings:
    """One token's postings from several shards (disjoint rows), in row order."""
    rows = np.concatenate([p.rows for p in parts])
    order = np.argsort(rows, kind="stable")
    return Postings(rows[order], np.concatenate([p.scores for p in parts])[order])


class ShardedVectors:
    """One encoder's vectors over a shard set, with `VectorIndex.search`'s contract."""

    kind = "flat-sharded"

    def __init__(self, fan_out: FanOut, signal: str, size: int) -> None:
        self.fan_out = fan_out
        self.signal = signal
        self.size = size

    def search(self, query: np.ndarray, k: int, allowed: np.ndarray | None = None) -> Scored:
        request = ShardRequest({self.signal: query}, None, k, allowed)
        parts = self.fan_out.gather(lambda shard: shard.answer(request))
        return merge_top([part.dense[self.signal] for part in parts], k)


def sharded_retriever(shard_set: ShardSet, shards: Sequence[ShardSearcher], **retriever_args: Any) -> HybridRetriever:
    """The one retriever in front of the shards: it holds every passage's metadata (for
    fusion, filters and citations) and the sentence table (for answers and the sentence
    stage), and sends the signal searches to the shards."""
    passages: list[Passage | None] = [None] * shard_set.passages
    documents: dict[str, DocumentMeta] = {}
    rows_of_shard = []
    for directory in shard_set.shard_dirs():
        rows = np.load(directory / GLOBAL_ROWS)
        rows_of_shard.append(rows)
        for row, passage in zip(rows.tolist(), versions.read_passages(directory), strict=True):
            passages[row] = passage
        manifest = versions.read_manifest(directory) or {}
        for doc_id, record in manifest.get("documents", {}).items():
            documents[doc_id] = DocumentMeta.model_validate(record["meta"])
    if any(p is None for p in passages):
        raise IndexNotReadyError(f"the shard set at {shard_set.root} does not cover every passage: rewrite it")
    fan_out = FanOut(shards)
    stages = ShardSetSearch(fan_out, shard_set.passages, rows_of_shard)
    info = {"index_dir": str(shard_set.root), "shards": len(shards), "encoders": shard_set.encoders}
    sentences = SentenceTable.load(shard_set.root, shard_set.sentences) if shard_set.sentences else None
    return HybridRetriever(
        [p for p in passages if p is not None],
        list(documents.values()),
        stages,  # type: ignore[arg-type]  # the stages search through it (search/rows.py: StageSearcher)
        {name: ShardedVectors(fan_out, name, shard_set.passages) for name in shard_set.encoders},  # type: ignore[misc]
        info,
        sentences=sentences,
        **retriever_args,
    )
