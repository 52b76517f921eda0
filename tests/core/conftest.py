"""The unit layer's world: a deterministic fake encoder and a hand-written mini-corpus of two
documents in two languages (an English resolution, a Chinese Council report), built into
a real `HybridRetriever` (real BM25, real FAISS, real fusion) in milliseconds.

Nothing here reads ../shared, the real index or a model: every test of tests/core runs in
the quick layer (`./test.sh --quick`). The texts are our own, written for the tests.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence

import numpy as np
import pytest

from wsis_rag.core.vocabulary import ClauseKind, DocType, DocumentMeta, Passage
from wsis_rag.index.encoders.embedders import normalise
from wsis_rag.index.retriever import HybridRetriever
from wsis_rag.index.store.builder import build_retriever
from wsis_rag.ingest.clauses import Clause
from wsis_rag.ingest.passages import build_passages
from wsis_rag.ingest.source import RawBlock, SourceDocument

HAN_START, HAN_END = "\u4e00", "\u9fff"


class HashingEmbedder:
    """Character n-grams hashed into a small vector, L2-normalised: texts that share
    letters trigrams (English) or characters and character pairs (Chinese) are close, so
    ranking by it is meaningful and the same on every machine and in every process
    (crc32, not Python's salted `hash`). It implements the `Embedder` protocol."""

    name = "hash"
    model_id = "hashing char n-grams (tests)"
    languages: frozenset[str] | None = None

    def __init__(self, dim: int = 256) -> None:
        self.dim = dim

    def _features(self, text: str) -> list[str]:
        text = text.casefold()
        grams: list[str] = []
        for word in text.split():
            padded = f"#{word}#"
            grams += [padded[i : i + 3] for i in range(len(padded) - 2)]
        han = [c for c in text if HAN_START <= c <= HAN_END]
        grams += han + [a + b for a, b in zip(han, han[1:], strict=False)]
        return grams

    def _embed(self, texts: Sequence[str]) -> np.ndarray:
        rows = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for gram in self._features(text):
                rows[row, zlib.crc32(gram.encode("utf-8")) % self.dim] += 1.0
        return normalise(rows)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._embed(texts)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._embed(texts)


RESOLUTION = DocumentMeta(
    id="mini-res",
    symbol="A/RES/99/7",
    short="A/RES/99/7",
    title="Building digital bridges",
    body="UN General Assembly",
    type=DocType.RESOLUTION,
    date="2025-12-16",
    lang="en",
    urls=["https://example.org/A/RES/99/7"],
    aliases=["Bridges resolution", "99/7"],
)
REPORT = DocumentMeta(
    id="mini-report",
    symbol="C99/12",
    short="C99/12",
    title="理事会关于信息社会世界峰会成果落实情况的报告",
    body="ITU Council",
    type=DocType.REPORT,
    date="2026-05-01",
    lang="zh",
    aliases=["Council report", "理事会报告"],
)
DOCUMENTS = [RESOLUTION, REPORT]

# (anchor, kind, locator, heading path, text)
RESOLUTION_CLAUSES: list[tuple[str, ClauseKind, str, list[str], str]] = [
    ("title", ClauseKind.TITLE, "title", [], "Building digital bridges"),
    (
        "preamble-1",
        ClauseKind.PREAMBLE,
        "preambular para. 1",
        [],
        "Recalling the work of the International Telecommunication Union on connectivity since the World Summit,",
    ),
    (
        "para-1",
        ClauseKind.PARAGRAPH,
        "para. 1",
        ["Internet governance"],
        "Decides to extend the mandate of the Internet Governance Forum for a further ten years;",
    ),
    (
        "para-2",
        ClauseKind.PARAGRAPH,
        "para. 2",
        ["Digital divide"],
        "Requests the International Telecommunication Union to report annually on the digital divide "
        "in the least developed countries;",
    ),
    ("para-3", ClauseKind.PARAGRAPH, "para. 3", ["Digital divide"], "Calls upon Member States:"),
    (
        "para-3-a",
        ClauseKind.SUBPARAGRAPH,
        "para. 3 (a)",
        ["Digital divide"],
        "(a) To close the gender digital divide by 2030;",
    ),
    (
        "para-3-b",
        ClauseKind.SUBPARAGRAPH,
        "para. 3 (b)",
        ["Digital divide"],
        "(b) To invest in meaningful connectivity for schools;",
    ),
    (
        "para-4",
        ClauseKind.PARAGRAPH,
        "para. 4",
        ["Artificial intelligence"],
        "Invites the Secretary-General to convene a dialogue on artificial intelligence governance "
        "with all stakeholders. The dialogue shall report to the General Assembly at its "
        "one hundred and first session on the progress made by the participants in that dialogue;",
    ),
]
REPORT_CLAUSES: list[tuple[str, ClauseKind, str, list[str], str]] = [
    ("title", ClauseKind.TITLE, "title", [], "理事会关于信息社会世界峰会成果落实情况的报告"),
    (
        "s1-p1",
        ClauseKind.SECTION_PARAGRAPH,
        "第1节第1段",
        ["数字鸿沟"],
        "国际电联继续推动缩小数字鸿沟，特别关注最不发达国家。",
    ),
    (
        "s1-p2",
        ClauseKind.SECTION_PARAGRAPH,
        "第1节第2段",
        ["数字鸿沟"],
        "理事会请秘书长向全权代表大会报告A/RES/99/7号决议的落实情况。",
    ),
    ("s2-p1", ClauseKind.SECTION_PARAGRAPH, "第2节第1段", ["人工智能"], "人工智能治理需要多利益攸关方参与。"),
    ("s2-p2", ClauseKind.SECTION_PARAGRAPH, "第2节第2段", ["连通性"], "宽带网络为学校带来有意义的连通性。"),
    # Names the resolution by its alias, not its symbol (as the real report writes
    # "WSIS+20成果文件").
    ("s3-p1", ClauseKind.SECTION_PARAGRAPH, "第3节第1段", ["后续行动"], "工作组欢迎Bridges resolution的落实进展。"),
]


# Under this budget para-4 of the resolution (two sentences) is split into pieces at its
# sentence end, as ingestion splits a long clause; every other clause stays whole.
MAX_TOKENS = 40


def _passages(doc: DocumentMeta, clauses: list[tuple[str, ClauseKind, str, list[str], str]]) -> list[Passage]:
    """The passages ingestion makes of these clauses (ids, labels, offsets, pieces, order):
    the clause texts laid out as a source document, then ingest's own `build_passages`."""
    source = SourceDocument.from_raw([RawBlock(text) for *_, text in clauses])
    structured = [
        Clause(
            kind=kind,
            anchor=anchor,
            locator=locator,
            heading_path=headings,
            char_start=block.start,
            char_end=block.end,
            text=block.text,
        )
        for (anchor, kind, locator, headings, _), block in zip(clauses, source.blocks, strict=True)
    ]
    return build_passages(doc, source, structured, doc.lang, MAX_TOKENS)


@pytest.fixture(scope="session")
def mini_passages() -> list[Passage]:
    return _passages(RESOLUTION, RESOLUTION_CLAUSES) + _passages(REPORT, REPORT_CLAUSES)


@pytest.fixture(scope="session")
def mini_documents() -> list[DocumentMeta]:
    return list(DOCUMENTS)


# A third, longer document that recalls the resolution at every turn, as a budget resolution
# recalls the resolutions it funds: for the named round (focus.py), which needs a focus
# holding more than the document a question names.
FOLLOW_UP = DocumentMeta(
    id="mini-follow-up",
    symbol="A/RES/99/250",
    short="A/RES/99/250",
    title="Programme budget for the digital bridges",
    body="UN General Assembly",
    type=DocType.RESOLUTION,
    date="2026-12-20",
    lang="en",
)
FOLLOW_UP_CLAUSES: list[tuple[str, ClauseKind, str, list[str], str]] = [
    ("title", ClauseKind.TITLE, "title", [], "Programme budget for the digital bridges"),
    *(
        (
            f"para-{n}",
            ClauseKind.PARAGRAPH,
            f"para. {n}",
            [],
            f"Recalls its resolution 99/7 on the mandate of the Internet Governance Forum, and {subject};",
        )
        for n, subject in enumerate(
            ("approves the posts of its secretariat", "notes the costs of its meetings", "decides on its premises"),
            start=1,
        )
    ),
]


@pytest.fixture(scope="session")
def trio_retriever(mini_passages: list[Passage], hashing_embedder: HashingEmbedder) -> HybridRetriever:
    """The mini-corpus and the follow-up document, searched as `mini_retriever` searches."""
    passages = mini_passages + _passages(FOLLOW_UP, FOLLOW_UP_CLAUSES)
    retriever = build_retriever(passages, [*DOCUMENTS, FOLLOW_UP], {"hash": hashing_embedder})
    return retriever.with_signals(["bm25", "hash"]).with_fusion(rerank=False)


@pytest.fixture(scope="session")
def hashing_embedder() -> HashingEmbedder:
    return HashingEmbedder()


@pytest.fixture(scope="session")
def mini_retriever(
    mini_passages: list[Passage], mini_documents: list[DocumentMeta], hashing_embedder: HashingEmbedder
) -> HybridRetriever:
    """BM25 + the hashing encoder over the mini-corpus, fused as the default search fuses,
    without the rerank stage: its shipped model weighs the real encoders' ranks, which the
    hashing encoder does not give (test_rerank_unit.py turns it on with models of its own)."""
    retriever = build_retriever(mini_passages, mini_documents, {"hash": hashing_embedder})
    return retriever.with_signals(["bm25", "hash"]).with_fusion(rerank=False)
