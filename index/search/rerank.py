"""Stage 9: the rerank stage, the first page ordered again by a logistic model of "this
clause holds the answer" over what the search knows of each result (docs/decisions/rerank.md).

The fused score ranks by how each signal ranks a clause; the model also weighs what the
other stages know and fusion does not compare: whether the clause's document is the one the
question names or whose title it uses, its language against the question's, operative or
preambular, and how much of the question's idf mass the clause says (in the question's own
words, and in the termbase's forms of them). It orders the first `RERANK_DEPTH` places only (after the clauses
a question references, which stay first): it never brings a clause in from further down,
so what the first page holds is the fusion's, and only its order is the model's.

The model's weights are data (`index/data/rerank.toml`), fitted on the dev splits of the
question sets by `python -m wsis_rag.eval.rerank_calibration`.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ...core.logistic import CalibrationError, LogisticModel
from ..analysis import analyse
from ..results import Hit

RERANK_PATH = Path(__file__).parents[1] / "data" / "rerank.toml"
# Places of the first page the model orders.
RERANK_DEPTH = 10
# The rank a signal that did not list a clause is taken to have given it (beyond any list).
UNLISTED_RANK = 200
RANKED_SIGNALS = ("bm25", "e5", "use")

# Each feature and the sign its weight must have (+1 more of it never lowers the score, -1
# never raises it, 0 free): a model of a few hundred questions must not learn that evidence
# counts against a clause.
RERANK_FEATURES: dict[str, int] = {
    "reciprocal_rank": 1,
    "log_rank": -1,
    "score_ratio": 1,
    **{f"{signal}_reciprocal_rank": 1 for signal in RANKED_SIGNALS},
    **{f"{signal}_log_rank": -1 for signal in RANKED_SIGNALS},
    "named": 1,
    "other_named": -1,
    "titled": 1,
    "other_titled": -1,
    "same_language": 0,
    "same_language_zh": 0,
    "operative": 0,
    "preambular": 0,
    "front_matter": -1,
    "term_share": 1,
    "idf_share": 1,
    "idf_share_across": 0,
    "expansion_share": 1,
}


@dataclass(frozen=True)
class QueryFacts:
    """What the rerank stage knows of the question."""

    language: str
    named: frozenset[str]  # documents it names
    titled: frozenset[str]  # documents whose title (or its acronym) it uses
    idf: Mapping[str, float]  # its BM25 tokens the index holds, with their idf
    expansion_idf: Mapping[str, float]  # the same of the termbase's forms of its terms (not its own tokens)
    pinned: int = 0  # the first places hold clauses it references: they stay first


def page_of(hits: list[Hit], query: QueryFacts) -> list[Hit]:
    """The places the stage orders: after the pinned ones, up to `RERANK_DEPTH`."""
    return hits[query.pinned : RERANK_DEPTH]


def candidate_features(hits: Sequence[Hit], query: QueryFacts) -> list[dict[str, float]]:
    """The features of each of `hits` (the places the stage orders), in their order. The hits
    are the search's own: their `matched_terms` were found for the question's tokens and
    expansions, of which `query.idf` and `query.expansion_idf` hold the ones the index knows."""
    if not hits:
        return []
    top = hits[0].score or 1.0
    idf_total = sum(query.idf.values()) or 1.0
    expansion_total = sum(query.expansion_idf.values()) or 1.0
    out = []
    for place, hit in enumerate(hits, start=1):
        passage = hit.passage
        # The question's tokens the clause holds, read off the words the search already
        # matched in it for highlighting (`Hit.matched_terms`) rather than analysing its text again.
        tokens = {token for term in hit.matched_terms for token in analyse(term)}
        held = [token for token in query.idf if token in tokens]
        idf_share = sum(query.idf[token] for token in held) / idf_total
        features = {
            "reciprocal_rank": 1.0 / place,
            "log_rank": math.log(place),
            "score_ratio": hit.score / top,
        }
        for signal in RANKED_SIGNALS:
            rank = hit.signals.get(signal, UNLISTED_RANK)
            features[f"{signal}_reciprocal_rank"] = 1.0 / rank if rank < UNLISTED_RANK else 0.0
            features[f"{signal}_log_rank"] = math.log(min(rank, UNLISTED_RANK))
        same_language = passage.lang == query.language
        features |= {
            "named": float(passage.doc_id in query.named),
            "other_named": float(bool(query.named) and passage.doc_id not in query.named),
            "titled": float(passage.doc_id in query.titled),
            "other_titled": float(bool(query.titled) and passage.doc_id not in query.titled),
            "same_language": float(same_language),
            "same_language_zh": float(same_language and query.language == "zh"),
            "operative": float(passage.anchor.startswith("para") or "-para-" in passage.anchor),
            "preambular": float(passage.anchor.startswith("preamble")),
            "front_matter": float(passage.is_front_matter),
            "term_share": len(held) / max(1, len(query.idf)),
            "idf_share": idf_share,
            # A clause in another language holds few of the question's words (a Chinese
            # question's English glosses excepted): its own weight, and the termbase's forms.
            "idf_share_across": 0.0 if same_language else idf_share,
            "expansion_share": sum(w for token, w in query.expansion_idf.items() if token in tokens) / expansion_total,
        }
        out.append(features)
    return out


def rerank(hits: list[Hit], query: QueryFacts, model: LogisticModel) -> list[Hit]:
    """`hits` with the places of `page_of` ordered by the model (ties keep the fused order).
    Every rank is numbered again, and each moved clause takes the score of the place it
    moves to, so that scores still fall with rank."""
    page = page_of(hits, query)
    head, tail = hits[: query.pinned], hits[query.pinned + len(page) :]
    logits = [model.logit(features) for features in candidate_features(page, query)]
    order = sorted(range(len(page)), key=lambda i: (-logits[i], i))
    moved = [page[i].model_copy(update={"score": place.score}) for i, place in zip(order, page, strict=True)]
    ranked = [*head, *moved, *tail]
    return [hit if hit.rank == i else hit.model_copy(update={"rank": i}) for i, hit in enumerate(ranked, start=1)]


def parse_rerank_model(raw: Mapping[str, object]) -> LogisticModel:
    try:
        table = raw["rerank"]
    except KeyError as exc:
        raise CalibrationError("the rerank calibration lacks its [rerank] table") from exc
    if not isinstance(table, Mapping):
        raise CalibrationError("[rerank] is not a table")
    return LogisticModel.from_toml(table, RERANK_FEATURES, "rerank")


@lru_cache
def load_rerank_model(path: Path = RERANK_PATH) -> LogisticModel:
    return parse_rerank_model(tomllib.loads(path.read_text(encoding="utf-8")))
