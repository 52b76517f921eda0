"""Answer metrics (`wsis eval --answers`): the extractive answers of `POST /ask` judged
against the sets' gold evidence, asked in-process (`answer_question`, what the service
calls) or of a running service over HTTP.

Per question: whether a gold clause is among the top 10 that retrieval returns for the same
question (what the answer can at best cite), among the answer's citations, and first (the
clause of the sentence marked [1]); the share of answer sentences that stand verbatim in a
cited gold clause (ALCE's citation precision, with verbatim containment in place of an
entailment model); the share of the question's gold items cited; whether the first sentence
is in the asker's language, for questions whose evidence includes text in that language;
whether the answer was declined, and its support. Abstention is scored as a retrieval of
the unanswerable questions: precision, recall and F1 of the declines over the answerable
and unanswerable questions together. Every figure comes with its 95 % bootstrap interval
over questions (metrics.py's resamples and seed).

A gold clause is one whose text contains a gold snippet (relevance.py's rule for retrieval).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from pydantic import BaseModel, Field

from ..core.errors import WsisError
from ..core.settings import PROJECT_ROOT, Settings
from ..core.tables import Column, Table
from .metrics import BOOTSTRAP_RESAMPLES, BOOTSTRAP_SEED, CONFIDENCE, Interval, bootstrap_interval, evidence_languages
from .metrics import cross_lingual as en_to_zh
from .metrics import cross_zh_en as zh_to_en
from .questions import Question
from .relevance import matches

if TYPE_CHECKING:
    import httpx

    from ..index.api import HybridRetriever

Advance = Callable[[], None]
ANSWER_SETS = PROJECT_ROOT / "eval" / "sets"
TOP = 10  # retrieval depth the "gold in top 10" column reads
_MARKER = re.compile(r" ?\[(\d+)\](?: |$)")


class ServiceAskError(WsisError):
    """The service under evaluation could not be reached or answered with an error."""


class CitedText(BaseModel):
    n: int
    id: str
    text: str
    lang: str


class AnswerSentence(BaseModel):
    text: str
    n: int


class AnswerPartBody(BaseModel):
    question: str
    support: str | None = None


class AnswerBody(BaseModel):
    """What the harness reads of an /ask response: enough of it to judge, and lenient about
    the fields an older service lacks (`support`, `sentences`, `parts`)."""

    found: bool
    answer: str
    citations: list[CitedText]
    support: str | None = None
    confidence: float | None = None
    sentences: list[AnswerSentence] | None = None
    parts: list[AnswerPartBody] = Field(default_factory=list)

    def marked_sentences(self) -> list[AnswerSentence]:
        """The answer's sentences with their markers, in reading order."""
        if self.sentences is not None:
            return self.sentences
        pieces = _MARKER.split(self.answer)
        return [AnswerSentence(text=pieces[i].strip(), n=int(pieces[i + 1])) for i in range(0, len(pieces) - 1, 2)]

    @property
    def support_level(self) -> str:
        return self.support or ("strong" if self.found else "none")


@dataclass(frozen=True)
class Asked:
    """One question's answer, and the texts retrieval returns for it at `TOP`."""

    body: AnswerBody
    retrieved: list[str]
    took_ms: float


@dataclass(frozen=True)
class JudgedAnswer:
    id: str
    set: str
    lang: str
    kind: str
    answerable: bool
    en_to_zh: bool
    zh_to_en: bool
    declined: bool
    support: str
    confidence: float | None
    retrieved_gold: bool | None  # None for unanswerable questions
    gold_cited: bool | None
    first_gold: bool | None
    gold_sentences: float | None  # None when no sentence was given
    sentences: int | None  # how many sentences the answer quotes (None when declined)
    items_cited: float | None
    askers_language_first: bool | None  # None where not applicable
    verbatim: bool  # every sentence stands in the clause its marker cites
    parts: int
    took_ms: float


def judge(question: Question, set_name: str, asked: Asked) -> JudgedAnswer:
    body = asked.body
    snippets = [item.snippet for item in question.relevant]
    by_marker = {c.n: c for c in body.citations}
    sentences = body.marked_sentences()

    def is_gold(text: str) -> bool:
        return any(matches(snippet, text) for snippet in snippets)

    verbatim = all(s.n in by_marker and s.text in by_marker[s.n].text for s in sentences)
    answerable = question.answerable
    first = by_marker.get(sentences[0].n) if sentences else None
    gold_sentences = (
        sum(s.n in by_marker and s.text in by_marker[s.n].text and is_gold(by_marker[s.n].text) for s in sentences)
        / len(sentences)
        if sentences and answerable
        else None
    )
    own_language_evidence = answerable and question.lang in evidence_languages(question)
    return JudgedAnswer(
        id=question.id,
        set=set_name,
        lang=question.lang,
        kind=question.kind,
        answerable=answerable,
        en_to_zh=answerable and en_to_zh(question),
        zh_to_en=answerable and zh_to_en(question),
        declined=not body.found,
        support=body.support_level,
        confidence=body.confidence,
        retrieved_gold=any(is_gold(text) for text in asked.retrieved[:TOP]) if answerable else None,
        gold_cited=any(is_gold(c.text) for c in body.citations) if answerable else None,
        first_gold=(first is not None and is_gold(first.text)) if answerable else None,
        gold_sentences=gold_sentences,
        sentences=len(sentences) if body.found else None,
        items_cited=(
            sum(any(matches(s, c.text) for c in body.citations) for s in snippets) / len(snippets)
            if answerable
            else None
        ),
        askers_language_first=(first.lang == question.lang) if own_language_evidence and first is not None else None,
        verbatim=verbatim,
        parts=len(body.parts),
        took_ms=asked.took_ms,
    )


def default_answer_sets(settings: Settings) -> list[Path]:
    """The sets answers are scored and calibrated on: the dev set (answerable), the held-out
    WSIS questions, the answerable mix and the unanswerable questions."""
    return [
        settings.dev_set,
        *(ANSWER_SETS / n for n in ("heldout-wsis.jsonl", "answerable-mix.jsonl", "unanswerable.jsonl")),
    ]


# ----- asking -----


def ask_in_process(
    retriever: HybridRetriever, questions: Sequence[Question], k: int = 10, advance: Advance | None = None
) -> dict[str, Asked]:
    """Each question through `answer_question` (what POST /ask runs) and `search`."""
    from ..products.answers.answer import answer_question

    asked = {}
    for question in questions:
        started = time.perf_counter()
        response = answer_question(retriever, question.query, k)
        took_ms = (time.perf_counter() - started) * 1000
        retrieved = [hit.passage.text for hit in retriever.search(question.query, k=TOP)]
        asked[question.id] = Asked(AnswerBody.model_validate(response.model_dump()), retrieved, took_ms)
        if advance:
            advance()
    return asked


def ask_over_http(
    base_url: str,
    questions: Sequence[Question],
    k: int = 10,
    advance: Advance | None = None,
    timeout_s: float = 60.0,
) -> dict[str, Asked]:
    """Each question through `POST {base_url}/ask` and `GET {base_url}/search`."""
    import httpx

    asked = {}
    with httpx.Client(base_url=base_url.rstrip("/"), timeout=timeout_s) as client:
        for question in questions:
            started = time.perf_counter()
            answer = _call(client, base_url, question, "POST", "/ask", json={"question": question.query, "k": k})
            took_ms = (time.perf_counter() - started) * 1000
            search = _call(client, base_url, question, "GET", "/search", params={"q": question.query, "k": TOP})
            retrieved = [result["text"] for result in search["results"]]
            asked[question.id] = Asked(AnswerBody.model_validate(answer), retrieved, took_ms)
            if advance:
                advance()
    return asked


def _call(
    client: httpx.Client, base_url: str, question: Question, method: str, path: str, **kwargs: Any
) -> dict[str, Any]:
    import httpx

    try:
        response = client.request(method, path, **kwargs)
    except httpx.HTTPError as exc:
        raise ServiceAskError(f"{base_url}{path}: no answer for {question.id} ({exc})") from exc
    if response.status_code != 200:
        raise ServiceAskError(
            f"{base_url}{path} answered {response.status_code} for {question.id}: {response.text[:300]}"
        )
    body: dict[str, Any] = response.json()
    return body


# ----- scoring -----


def slices(judged: Sequence[JudgedAnswer]) -> dict[str, list[JudgedAnswer]]:
    """The whole set, each language, both cross-lingual directions and each kind."""
    groups: dict[str, list[JudgedAnswer]] = {"all": list(judged)}
    for lang in sorted({j.lang for j in judged}):
        groups[f"lang:{lang}"] = [j for j in judged if j.lang == lang]
    groups["en>zh"] = [j for j in judged if j.en_to_zh]
    groups["zh>en"] = [j for j in judged if j.zh_to_en]
    for kind in sorted({j.kind for j in judged}):
        groups[f"kind:{kind}"] = [j for j in judged if j.kind == kind]
    return {name: group for name, group in groups.items() if group}


def _mean_cell(values: Sequence[float | bool | None]) -> str:
    known = [float(v) for v in values if v is not None]
    if not known:
        return "–"
    interval = bootstrap_interval(known)
    return f"{interval.value:.2f} [{interval.low:.2f}, {interval.high:.2f}] ({len(known)})"


def _bootstrap(declined: np.ndarray, unanswerable: np.ndarray, statistic: Callable[..., float]) -> Interval:
    """`statistic(declined, unanswerable)` with its percentile interval over resampled questions."""
    value = statistic(declined, unanswerable)
    if declined.size == 0:
        return Interval(value, value, value)
    draws = np.random.default_rng(BOOTSTRAP_SEED).integers(0, declined.size, (BOOTSTRAP_RESAMPLES, declined.size))
    values = [statistic(declined[d], unanswerable[d]) for d in draws]
    tail = (1 - CONFIDENCE) / 2 * 100
    low, high = np.percentile(values, [tail, 100 - tail])
    return Interval(value, float(low), float(high))


def _precision(declined: np.ndarray, unanswerable: np.ndarray) -> float:
    return float((declined & unanswerable).sum() / declined.sum()) if declined.any() else 0.0


def _recall(declined: np.ndarray, unanswerable: np.ndarray) -> float:
    return float((declined & unanswerable).sum() / unanswerable.sum()) if unanswerable.any() else 0.0


def abstention_f1(declined: np.ndarray, unanswerable: np.ndarray) -> float:
    precision, recall = _precision(declined, unanswerable), _recall(declined, unanswerable)
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def abstention(judged: Sequence[JudgedAnswer]) -> dict[str, Interval]:
    """Precision, recall and F1 of declining (the unanswerable questions are the positives),
    and the share of answerable questions declined."""
    declined = np.array([j.declined for j in judged], dtype=bool)
    unanswerable = np.array([not j.answerable for j in judged], dtype=bool)
    return {
        "precision": _bootstrap(declined, unanswerable, _precision),
        "recall": _bootstrap(declined, unanswerable, _recall),
        "f1": _bootstrap(declined, unanswerable, abstention_f1),
        "answerable declined": bootstrap_interval([float(j.declined) for j in judged if j.answerable]),
    }


ANSWER_COLUMNS = (
    ("gold in top 10", "retrieved_gold"),
    ("gold cited", "gold_cited"),
    ("first cited gold", "first_gold"),
    ("sentences from gold", "gold_sentences"),
    ("sentences per answer", "sentences"),
    ("gold items cited", "items_cited"),
    ("asker's language first", "askers_language_first"),
)


def answers_table(set_name: str, split: str | None, judged: Sequence[JudgedAnswer]) -> Table:
    """One set by slice: each figure's mean, 95 % interval and (number of questions it is
    taken over); declined and weakly supported shares over all the slice's questions."""
    rows = []
    for name, group in slices(judged).items():
        cells = [_mean_cell([getattr(j, field) for j in group]) for _, field in ANSWER_COLUMNS]
        cells.append(_mean_cell([j.declined for j in group]))
        cells.append(_mean_cell([j.support == "weak" for j in group]))
        rows.append([name, len(group), *cells])
    names = ["slice", "questions", *(label for label, _ in ANSWER_COLUMNS), "declined", "weak support"]
    columns = [Column(n, justify="left" if i == 0 else "right") for i, n in enumerate(names)]
    caption = (
        "mean [95 % bootstrap interval] (questions it is taken over); gold cited, first cited gold and "
        "gold items cited count a declined answerable question as 0; sentences from gold and per answer are over "
        "the answers given"
    )
    return Table(f"Answers: {set_name} ({split or 'all'} split)", columns, rows, caption)


def abstention_table(judged: Sequence[JudgedAnswer]) -> Table:
    """Declining, over every set asked together: all questions, then by language and by kind
    (for an unanswerable kind `declined` is its recall, for an answerable one the share wrongly declined)."""
    rows = []
    for name, group in slices(judged).items():
        if name in ("en>zh", "zh>en"):
            continue
        # Over a slice of one class alone (a kind) precision and F1 say nothing: `declined` does.
        if len({j.answerable for j in group}) == 2:
            scores = abstention(group)
            cells = [_interval_cell(scores[m]) for m in ("precision", "recall", "f1", "answerable declined")]
        else:
            cells = ["–"] * 4
        cells.append(_mean_cell([j.declined for j in group]))
        rows.append([name, len(group), sum(not j.answerable for j in group), *cells])
    names = ["slice", "questions", "unanswerable", "precision", "recall", "F1", "answerable declined", "declined"]
    columns = [Column(n, justify="left" if i == 0 else "right") for i, n in enumerate(names)]
    return Table("Abstention (unanswerable questions are the positives)", columns, rows, "95 % bootstrap intervals")


def _interval_cell(interval: Interval) -> str:
    return f"{interval.value:.2f} [{interval.low:.2f}, {interval.high:.2f}]"


def latency_note(judged: Sequence[JudgedAnswer]) -> str:
    took = np.array([j.took_ms for j in judged])
    return f"/ask took p50 {np.percentile(took, 50):.0f} ms, p95 {np.percentile(took, 95):.0f} ms over {len(took)} questions"


def judge_sets(
    sets: Mapping[str, Sequence[Question]], asked: Mapping[str, Mapping[str, Asked]]
) -> dict[str, list[JudgedAnswer]]:
    """Every set's questions judged against what was asked for them."""
    return {name: [judge(q, name, asked[name][q.id]) for q in questions] for name, questions in sets.items()}


def as_json(judged: dict[str, list[JudgedAnswer]], split: str | None) -> dict[str, object]:
    """Every judged answer, by set (the per-question record behind the tables)."""
    return {"split": split, "questions": {name: [asdict(j) for j in group] for name, group in judged.items()}}
