"""How well the corpus supports an answer: `confidence`, a logistic model's probability
that the question is answerable, read from what retrieval and the sentence choice found
(how sure fusion was and whether its signals agree, whether the cited clauses say the
question's terms and names, whether the named document and clause exist and answer), and
`support` from it by two thresholds chosen on the dev split (calibration.toml): `strong`,
`weak` (the answer is shown with a warning) or `none` (declined: `found: false`)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from enum import StrEnum
from typing import TYPE_CHECKING

from ...index.api import Hit
from .choice import TOP_SIGNAL_RANK, Candidate, Chosen
from .question import AskedQuestion, idf_coverage, missing_references, names_clause
from .sentences import lexical_overlap, occurs

if TYPE_CHECKING:
    from .calibration import Calibration

_ASKS_FOR_NUMBER = re.compile(
    r"\bhow (?:many|much|long)\b|\bwhat (?:share|percentage|proportion|number|amount|budget|sum|figure)\b|"
    r"多少|几个|几次|百分之|比例|金额|预算",
    re.IGNORECASE,
)
# A figure that answers "how many / how much": a number that is not a year, a date, a
# document symbol, a meeting's, a paragraph's or a goal's number, or part of a name
# ("WSIS+20"): "94 per cent", "300多名", "2.6 billion". Years are bounded by digits, not by
# word boundaries: a Han character is a word character ("HLE 2025合作伙伴").
_NOT_FIGURES = re.compile(
    r"\S*/\S*|(?<!\d)(?:19|20)\d\d(?!\d)(?:[-–](?:19|20)?\d\d(?!\d))?|\d+\s*[年月日号次届]|第\s*\d+|"
    r"(?<=[A-Za-z+-])\d+|可持续发展目标\s*\d+|"
    r"\b(?:para(?:graph)?s?\.?|section|resolution|session|meeting|SDGs?|Goals?)\s+\d+(?:(?:\s*,\s*|\s+and\s+)\d+)*",
    re.IGNORECASE,
)
_FIGURE = re.compile(
    r"\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|hundred|thousand|million|billion)\b", re.I
)
_ASKS_FOR_DATE = re.compile(
    r"\b(?:on )?what (?:exact |specific )?(?:date|day)\b|\bwhich (?:date|day)\b|日期|哪一?天|几月几日", re.I
)
_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_DAY = re.compile(rf"\b\d{{1,2}}(?:[-–]\d{{1,2}})?\s+(?:{_MONTHS})\b|\b(?:{_MONTHS})\s+\d{{1,2}}\b|\d{{1,2}}日")


def gives_figure(text: str) -> bool:
    """Whether `text` gives a figure that could answer "how many / how much"."""
    return bool(_FIGURE.search(_NOT_FIGURES.sub(" ", text)))


# Kinds of fact a question asks for, each with what asks for it and what tells that an answer
# could give it: a near-miss asks for the figure, the day, the chair's name, the city, the
# month, the theme or the definition that the clause it finds stops short of ("Who chaired the ministerial
# roundtables of the 2025 high-level event?"). Loose on what gives: any honorific, any
# capitalised word after "in" or "at", any quotation counts, so that a feature fires only
# where the answer plainly lacks the kind of fact asked for.
_ASKED_FOR: dict[str, tuple[re.Pattern[str], Callable[[str], object]]] = {
    "number": (_ASKS_FOR_NUMBER, gives_figure),
    "date": (_ASKS_FOR_DATE, _DAY.search),
    "person": (
        re.compile(
            r"\bwho (?:chair|co-?chair|preside|co-?facilitat|signed|moderat)|\bnames? of the\b|"
            r"\bwhich (?:person|individual|official|ambassador|diplomat)\b|"
            r"\bwho (?:was|were|is|are) (?:the )?(?:chair|president|co-?facilitators?|rapporteur|envoy|moderator|facilitator)|"
            r"谁|哪位|姓名|名字",
            re.I,
        ),
        re.compile(r"\b(?:Mr|Ms|Mrs|Dr|H\.E\.)\.?\s+[A-Z]|\bAmbassador\s+[A-Z]|先生|女士|阁下|大使").search,
    ),
    "place": (
        re.compile(
            r"\bwhere\b|\bin which (?:city|country|venue|town|place)\b|\b(?:what|which) (?:city|venue|location|town)\b|"
            r"在哪儿|哪个城市|哪座城市|何地|地点|举办地|哪里",
            re.I,
        ),
        re.compile(
            r"\b(?:in|at|hosted by|venue)\s+(?:the\s+)?[A-Z][a-z]+|在[\u4e00-\u9fff]{2,6}(?:举行|召开|举办)|（[\u4e00-\u9fff]{2,4}）"
        ).search,
    ),
    "month": (
        re.compile(r"\b(?:in )?(?:which|what) month\b|几月|哪个月|哪一个月|月份", re.I),
        re.compile(rf"\b(?:{_MONTHS})\b|\d+\s*月").search,
    ),
    "theme": (
        re.compile(r"\btheme\b|\bmotto\b|\bslogan\b|主题|口号", re.I),
        re.compile(r"[“\"《「].{4,}[”\"》」]|\btheme\b|主题").search,
    ),
    "definition": (
        re.compile(r"\bdefin|\bwhat (?:is|are) meant by\b|定义|含义|是指什么", re.I),
        re.compile(r"\bmeans\b|\brefers? to\b|\bdefined as\b|\bis understood\b|\bdefinition\b|定义为|是指|系指").search,
    ),
}


def unmet_asks(question: str, answer: str) -> dict[str, float]:
    """`{kind}_unmet` for each kind of fact `_ASKED_FOR`: 1 when the question asks for one
    and the answer has nothing that could give it."""
    return {
        f"{kind}_unmet": float(bool(asks.search(question)) and not gives(answer))
        for kind, (asks, gives) in _ASKED_FOR.items()
    }


# Each feature with the sign its weight must have (0: either): more evidence never lowers
# the confidence, a missing name or figure never raises it. The signs keep a model fitted
# on a small dev split from learning accidents of it.
SUPPORT_FEATURES: dict[str, int] = {
    "top_score": 1,  # the best fused score (clauses the question names by number aside)
    "margin": 1,  # how far the best clause is ahead of the second, relative to the best
    "signal_agreement": 1,  # share of the signals that ranked the best clause in their top 10
    "best_sentence": 1,  # the choice model's score of the best sentence
    "best_cosine": 1,  # the best sentence's e5 cosine with the question
    "answer_terms": 1,  # share of the question's content terms the cited clauses say, answer in its language
    "answer_terms_across": 1,  # ... the same when the answer opens in the other language
    "answer_idf": 1,  # share of the question's idf mass the cited clauses hold, answer in its language
    "answer_idf_across": 1,  # ... the same when the answer opens in the other language
    "retrieved_terms": 1,  # share of the question's content terms the top three clauses say
    "unknown_words": -1,  # share of the question's words no indexed clause contains
    "unknown_pairs": -1,  # ... of its Chinese character pairs
    "no_known_words": -1,  # no indexed clause contains any word of the question
    "across": 0,  # the answer opens in another language than the question's
    "missing_names": -1,  # share of the question's names the cited clauses do not say
    "unretrieved_names": -1,  # ... that no retrieved clause says
    "unsaid_by_named": -1,  # ... that no document the question names says anywhere
    "named": 0,  # the question names a document
    "named_elsewhere": -1,  # ... and the answer opens with a clause of another document
    "missing_references": -1,  # the question names a clause that does not exist
    # The question asks for a kind of fact (a figure, a day, a person, ...; `_ASKED_FOR`)
    # and the answer holds nothing that could give it.
    **{f"{kind}_unmet": -1 for kind in _ASKED_FOR},
}
TOP_CLAUSES = 3


class Support(StrEnum):
    STRONG = "strong"
    WEAK = "weak"
    NONE = "none"


def _said_by(hit: Hit) -> str:
    # A clause "says" the symbol and title of its document too: "A/RES/80/173" in a
    # question is covered by the paragraphs of A/RES/80/173, which never repeat it.
    return f"{hit.passage.symbol} {hit.passage.title}\n{hit.passage.text}"


def _missing(names: frozenset[str], text: str) -> float:
    lowered = text.lower()
    return sum(not occurs(name, lowered) for name in names) / len(names) if names else 0.0


def support_features(
    question: AskedQuestion, hits: Sequence[Hit], scored: Sequence[Candidate], answer_sentences: Sequence[Chosen]
) -> dict[str, float]:
    """What the support model reads of one answer. Of its sentences only the lead counts:
    further clauses carried beside it are no evidence that the corpus answers."""
    chosen = [c for c in answer_sentences if c.lead]
    unpinned = [h for h in hits if not names_clause(question, h)]
    scores = [h.score for h in unpinned] + [0.0, 0.0]
    top = unpinned[0] if unpinned else None
    cited = "\n".join(_said_by(c.candidate.hit) for c in chosen)
    answer = " ".join(c.candidate.text for c in chosen)
    across = bool(chosen) and chosen[0].lang != question.language
    terms, idf = lexical_overlap(set(question.terms), cited), idf_coverage(question, cited)
    return {
        "top_score": scores[0],
        "margin": (scores[0] - scores[1]) / scores[0] if scores[0] else 0.0,
        "signal_agreement": (
            sum(r <= TOP_SIGNAL_RANK for r in top.signals.values()) / max(len(top.signals), 1) if top else 0.0
        ),
        "best_sentence": scored[0].score if scored else 0.0,
        "best_cosine": max((c.features["cosine"] for c in scored), default=0.0),
        "answer_terms": 0.0 if across else terms,
        "answer_terms_across": terms if across else 0.0,
        "answer_idf": 0.0 if across else idf,
        "answer_idf_across": idf if across else 0.0,
        "retrieved_terms": lexical_overlap(set(question.terms), "\n".join(_said_by(h) for h in hits[:TOP_CLAUSES])),
        "unknown_words": question.unknown_words,
        "unknown_pairs": question.unknown_pairs,
        "no_known_words": float(question.no_known_words),
        "across": float(across),
        "missing_names": _missing(question.names, cited),
        "unretrieved_names": _missing(question.names, "\n".join(_said_by(h) for h in hits)),
        "unsaid_by_named": question.unsaid_names,
        "named": float(bool(question.named)),
        "named_elsewhere": float(
            bool(question.named) and bool(chosen) and chosen[0].candidate.hit.passage.doc_id not in question.named
        ),
        "missing_references": float(missing_references(question, hits) > 0),
        **unmet_asks(question.text, answer),
    }


def support_of(confidence: float, calibration: Calibration) -> Support:
    if confidence >= calibration.strong:
        return Support.STRONG
    return Support.WEAK if confidence >= calibration.weak else Support.NONE
