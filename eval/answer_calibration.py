"""Fit the answers' models and thresholds on the dev split and write them as data
(products/answers/calibration.toml):

    python -m wsis_rag.eval.answer_calibration [--index DIR] [--out FILE]

On the dev questions of the answer sets (`wsis eval --answers`' defaults: answerable and
unanswerable, eval/splits.py), each question (or each of its parts, split as /ask splits
it) is searched once and its candidate sentences' features computed once, by the product's
own functions. Then, in that order:

1. the sentence-choice model: L2-regularised logistic regression of "this sentence holds
   (part of) a gold snippet" against sentences of clauses that hold none (the other
   sentences of gold clauses are left out: neither answer nor wrong);
2. the share of the best sentence's score a sentence needs to be kept (`keep`), by a grid
   over the answerable dev questions: the most gold citations, first citations gold and
   sentences from gold;
3. the further clauses the answer carries beside its lead (`max_sentences`, `carry`), by a
   grid over the same questions: the fewest sentences per answer whose citations hold a
   gold clause for at least `--carried` of the share of questions whose gold clause
   retrieval ranks in its top 10 (issue 24 asks 0.9 of an unseen split; the dev split's
   share has stood well above an unseen split's, docs/decisions/abstention.md);
4. the support model: logistic regression of "the question is answerable" on the support
   features of the lead sentences the first two steps give (further clauses are no
   evidence that the corpus answers);
5. the thresholds, as SQuAD 2.0 chooses its no-answer threshold on dev: `weak` (under it
   the answer is declined) maximises abstention F1 among the thresholds that decline at
   most `--max-declined` of the answerable dev questions; `strong` is the lowest
   confidence that at most `--max-unanswerable` of the unanswerable dev questions reach
   (a rate of the model, not of the dev split's mix: a share of the questions above the
   threshold would move with how many unanswerable questions the split holds).

The figures it prints are the dev split's; the test split is for `wsis eval --answers`.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from ..core.logistic import LogisticModel
from ..core.settings import get_settings
from ..index.api import Hit, HybridRetriever, load_retriever
from ..products.answers.answer import PartAnswer, answer_from, respond
from ..products.answers.calibration import CALIBRATION_PATH, Calibration
from ..products.answers.choice import SENTENCE_FEATURES, Candidate, candidates
from ..products.answers.parts import split_question
from ..products.answers.question import AskedQuestion, understand
from ..products.answers.support import SUPPORT_FEATURES, support_features
from ..products.answers.vectors import ClauseSentences
from .answers import AnswerBody, Asked, JudgedAnswer, abstention_f1, default_answer_sets, judge
from .logistic_fit import fit_logistic, header_lines, model_lines
from .questions import Question, load_questions
from .relevance import collapse_whitespace
from .splits import DEV, in_split

K = 10
KEEP_GRID = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
SENTENCES_GRID = (4, 5, 6)
CARRY_GRID = (1.0, 0.2, 0.1, 0.05, 0.0)


@dataclass(frozen=True)
class Part:
    question: AskedQuestion
    hits: list[Hit]
    scored: list[Candidate]


@dataclass(frozen=True)
class Case:
    """One dev question: its set, its parts searched and scored, the texts retrieval
    returns for the whole question."""

    set: str
    question: Question
    parts: list[Part]
    retrieved: list[str]


def collect(retriever: HybridRetriever, sets: dict[str, list[Question]], calibration: Calibration) -> list[Case]:
    vectors = ClauseSentences(retriever)
    cases = []
    for name, questions in sets.items():
        for question in questions:
            whole = understand(retriever, question.query)
            texts = split_question(question.query, whole.document_names)
            parts = []
            for asked in [whole] if len(texts) == 1 else [understand(retriever, t) for t in texts]:
                hits = retriever.search(asked.text, k=K)
                parts.append(Part(asked, hits, candidates(asked, hits, vectors, calibration)))
            retrieved = [
                h.passage.text for h in (parts[0].hits if len(parts) == 1 else retriever.search(question.query, k=K))
            ]
            cases.append(Case(name, question, parts, retrieved))
    print(f"{len(cases)} questions searched", file=sys.stderr)
    return cases


def _span(needle: str, haystack: str) -> tuple[int, int] | None:
    at = haystack.find(needle)
    return (at, at + len(needle)) if at >= 0 else None


def sentence_label(candidate: Candidate, snippets: Sequence[str]) -> float | None:
    """1 if the sentence overlaps a gold snippet, 0 if its clause holds none, None (left
    out) for the other sentences of a gold clause."""
    clause = collapse_whitespace(candidate.hit.passage.text)
    sentence = _span(collapse_whitespace(candidate.text), clause)
    spans = [span for s in snippets if (span := _span(collapse_whitespace(s), clause))]
    if not spans:
        return 0.0
    if sentence and any(start < sentence[1] and sentence[0] < end for start, end in spans):
        return 1.0
    return None


def rescored(cases: Sequence[Case], choice: LogisticModel) -> list[Case]:
    return [
        replace(
            case,
            parts=[
                replace(
                    part,
                    scored=sorted(
                        (replace(c, score=choice.probability(c.features)) for c in part.scored),
                        key=lambda c: c.score,
                        reverse=True,
                    ),
                )
                for part in case.parts
            ],
        )
        for case in cases
    ]


def answers(case: Case, calibration: Calibration) -> list[PartAnswer]:
    return [answer_from(p.question, p.hits, p.scored, calibration) for p in case.parts]


def judged(case: Case, calibration: Calibration) -> JudgedAnswer:
    response = respond(case.question.query, answers(case, calibration), 0.0)
    body = AnswerBody.model_validate(response.model_dump())
    return judge(case.question, case.set, Asked(body, case.retrieved, 0.0))


def selection_score(cases: Sequence[Case], calibration: Calibration) -> float:
    """Gold cited + first citation gold + sentences from gold, over the answerable cases
    answered as if none were declined."""
    accepting = replace(calibration, weak=0.0, strong=0.0)
    results = [judged(case, accepting) for case in cases if case.question.answerable]
    return float(
        np.mean([bool(r.gold_cited) for r in results])
        + np.mean([bool(r.first_gold) for r in results])
        + np.mean([r.gold_sentences or 0.0 for r in results])
    )


def carried(cases: Sequence[Case], calibration: Calibration) -> tuple[float, float]:
    """(gold cited / gold in the top 10, sentences per answer) over the answerable cases
    answered as if none were declined."""
    accepting = replace(calibration, weak=0.0, strong=0.0)
    answerable = [case for case in cases if case.question.answerable]
    results = [judged(case, accepting) for case in answerable]
    retrieved = np.mean([bool(r.retrieved_gold) for r in results])
    cited = np.mean([bool(r.gold_cited) for r in results])
    sentences = np.mean([sum(len(a.chosen) for a in answers(case, accepting)) for case in answerable])
    return float(cited / retrieved) if retrieved else 0.0, float(sentences)


def carry_settings(cases: Sequence[Case], calibration: Calibration, target: float) -> tuple[Calibration, str]:
    """`max_sentences` and `carry`: the fewest sentences per answer among the grid's
    settings whose carried share reaches `target` (the highest share if none does)."""
    grid = {
        (n, carry): carried(cases, replace(calibration, max_sentences=n, carry=carry))
        for n in SENTENCES_GRID
        for carry in CARRY_GRID
    }
    reaching = [key for key, (share, _) in grid.items() if share >= target]
    n, carry = (
        min(reaching, key=lambda key: (grid[key][1], key))
        if reaching
        else max(grid, key=lambda key: (grid[key][0], -grid[key][1]))
    )
    share, sentences = grid[(n, carry)]
    lead_share, lead_sentences = grid[(SENTENCES_GRID[0], 1.0)]
    note = (
        f"Carry grid (max_sentences, carry) -> gold cited / gold in top 10: lead alone {lead_share:.3f} "
        f"({lead_sentences:.2f} sentences); chosen ({n}, {carry}) {share:.3f} ({sentences:.2f} sentences)."
    )
    return replace(calibration, max_sentences=n, carry=carry), note


def support_rows(cases: Sequence[Case], calibration: Calibration) -> tuple[np.ndarray, np.ndarray]:
    """One row per part (features), labelled by whether its question is answerable."""
    rows, labels = [], []
    for case in cases:
        for part, answer in zip(case.parts, answers(case, replace(calibration, weak=0.0)), strict=True):
            features = support_features(part.question, part.hits, part.scored, answer.chosen)
            rows.append([features[name] for name in SUPPORT_FEATURES])
            labels.append(float(case.question.answerable))
    return np.array(rows), np.array(labels)


def thresholds(
    cases: Sequence[Case], calibration: Calibration, max_declined: float, max_unanswerable: float
) -> tuple[float, float]:
    """(weak, strong) on the dev cases; see the module's docstring."""
    # A question is declined when every part is (respond()): its confidence is its best part's.
    confidences = np.array([max(a.confidence for a in answers(case, calibration)) for case in cases])
    unanswerable = np.array([not case.question.answerable for case in cases])
    return thresholds_of(confidences, unanswerable, max_declined, max_unanswerable)


def thresholds_of(
    confidences: np.ndarray, unanswerable: np.ndarray, max_declined: float, max_unanswerable: float
) -> tuple[float, float]:
    """(weak, strong) from the dev questions' confidences: `weak` the threshold of the best
    abstention F1 that declines at most `max_declined` of the answerable questions, `strong`
    the lowest one at or above it that at most `max_unanswerable` of the unanswerable
    questions reach."""
    candidates_ = np.unique(np.round(confidences, 4))
    best_weak, best_f1 = 0.0, -1.0
    for t in candidates_:
        declined = confidences < t
        if declined[~unanswerable].mean() > max_declined:
            break
        f1 = abstention_f1(declined, unanswerable)
        if f1 > best_f1:
            best_weak, best_f1 = float(t), f1
    strong = next(
        (
            float(t)
            for t in candidates_
            if t >= best_weak and (confidences[unanswerable] >= t).mean() <= max_unanswerable
        ),
        1.0,
    )
    return best_weak, strong


def write_toml(calibration: Calibration, path: Path, command: str, summary: str) -> None:
    lines = [
        *header_lines("What answers learned on the dev split", "products/answers/calibration.py", command, summary),
        "[selection]",
        f"passages = {calibration.passages}",
        f"max_sentences = {calibration.max_sentences}",
        f"keep = {calibration.keep}",
        f"carry = {calibration.carry}",
        "",
        "# P(a sentence holds a gold snippet): the order of the answer's sentences.",
        *model_lines("choice", calibration.choice),
        "# P(the corpus answers the question): the response's `confidence`.",
        *model_lines("support", calibration.support),
        "[support.thresholds]",
        f"strong = {calibration.strong}  # at or above: support strong",
        f"weak = {calibration.weak}  # at or above: weak (shown with a warning); under: none (declined)",
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--index", type=Path, help="Index directory (default: the index_dir setting).")
    parser.add_argument("--out", type=Path, default=CALIBRATION_PATH)
    parser.add_argument("--max-declined", type=float, default=0.04, help="Answerable dev questions declined, at most.")
    parser.add_argument(
        "--max-unanswerable",
        type=float,
        default=0.10,
        help="Share of the unanswerable dev questions with strong support, at most.",
    )
    parser.add_argument(
        "--carried",
        type=float,
        default=0.97,
        help="Gold cited / gold in the top 10 the carry grid aims at, on the dev split.",
    )
    args = parser.parse_args(argv)
    settings = get_settings()
    if args.index:
        settings = settings.model_copy(update={"index_dir": args.index})
    retriever = load_retriever(settings)
    sets = {path.stem: in_split(load_questions(path), DEV) for path in default_answer_sets(settings)}
    neutral = Calibration(LogisticModel(0.0, {}), LogisticModel(0.0, {}), strong=0.0, weak=0.0)
    cases = collect(retriever, sets, neutral)

    rows, labels = [], []
    for case in cases:
        snippets = [item.snippet for item in case.question.relevant]
        for part in case.parts:
            for candidate in part.scored:
                label = sentence_label(candidate, snippets)
                if label is not None:
                    rows.append([candidate.features[n] for n in SENTENCE_FEATURES])
                    labels.append(label)
    choice = fit_logistic(np.array(rows), np.array(labels), SENTENCE_FEATURES)
    cases = rescored(cases, choice)
    calibration = replace(neutral, choice=choice)
    grid = {keep: selection_score(cases, replace(calibration, keep=keep)) for keep in KEEP_GRID}
    keep = max(grid, key=lambda key: (round(grid[key], 6), key))
    calibration, carry_note = carry_settings(cases, replace(calibration, keep=keep), args.carried)
    x, y = support_rows(cases, calibration)
    calibration = replace(calibration, support=fit_logistic(x, y, SUPPORT_FEATURES))
    weak, strong = thresholds(cases, calibration, args.max_declined, args.max_unanswerable)
    calibration = replace(calibration, weak=round(weak, 4), strong=round(strong, 4))

    results = [judged(case, calibration) for case in cases]
    declined = np.array([r.declined for r in results])
    unanswerable = np.array([not r.answerable for r in results])
    answerable = [r for r in results if r.answerable]
    summary = (
        f"Dev split: {len(answerable)} answerable and {int(unanswerable.sum())} unanswerable questions, "
        f"{len(labels)} labelled sentences ({int(sum(labels))} gold).\n"
        f"Selection grid (keep) -> gold cited + first gold + sentences from gold: best {keep} "
        f"({grid[keep]:.3f}).\n{carry_note}\n"
        f"Dev abstention F1 {abstention_f1(declined, unanswerable):.3f}, answerable declined "
        f"{np.mean([r.declined for r in answerable]):.3f}; gold cited {np.mean([bool(r.gold_cited) for r in answerable]):.3f}, "
        f"first gold {np.mean([bool(r.first_gold) for r in answerable]):.3f}."
    )
    command = "python -m wsis_rag.eval.answer_calibration" + "".join(
        f" {a}" for a in (argv if argv is not None else sys.argv[1:])
    )
    write_toml(calibration, args.out, re.sub(r"\s+", " ", command).strip(), summary)
    print(summary)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
