"""Question sets in the format of ../shared/eval/dev.jsonl (see its README): one JSON object
per line with the query, its language and kind, and the gold evidence as verbatim snippets."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from pydantic import BaseModel, Field, ValidationError, ValidationInfo, field_validator

from ..core.errors import WsisError

# Kinds of question the corpus does not answer (eval/sets/unanswerable.jsonl): they alone
# may have no gold evidence, and a system should decline them.
UNANSWERABLE_KINDS = frozenset({"near-miss", "off-topic"})


class QuestionSetError(WsisError):
    """A question set that cannot be read: missing file, bad JSON, a field out of shape."""


class RelevantItem(BaseModel):
    """One piece of gold evidence; `snippet` alone decides relevance (locator is informative)."""

    doc: str = Field(description="Document the evidence is in, by any name the manifest knows.")
    locator: str = ""
    snippet: str = Field(min_length=1, description="Verbatim extract that occurs once in the corpus.")


class Question(BaseModel):
    id: str = Field(min_length=1)
    query: str = Field(min_length=1)
    lang: str = "en"
    kind: str = "unknown"
    relevant: list[RelevantItem] = Field(
        default_factory=list, description="Gold evidence; empty only for the unanswerable kinds."
    )
    answer: str = ""
    split: str | None = Field(default=None, description="`dev` or `test` where the set records it.")
    parts: list[str] = Field(default_factory=list, description="The sub-questions of a multi-part question.")

    @field_validator("relevant")
    @classmethod
    def _evidence_unless_unanswerable(cls, relevant: list[RelevantItem], info: ValidationInfo) -> list[RelevantItem]:
        if not relevant and info.data.get("kind") not in UNANSWERABLE_KINDS:
            raise ValueError(f"at least one item is needed unless the kind is one of {sorted(UNANSWERABLE_KINDS)}")
        return relevant

    @property
    def answerable(self) -> bool:
        return bool(self.relevant)


def require_evidence(questions: Iterable[Question]) -> None:
    """Retrieval is scored against gold evidence: a set with unanswerable questions is for
    `wsis eval --answers` (raises `QuestionSetError` naming them)."""
    lacking = [q.id for q in questions if not q.answerable]
    if lacking:
        raise QuestionSetError(
            f"{len(lacking)} questions have no gold evidence to score retrieval with "
            f"({', '.join(lacking[:5])}{', ...' if len(lacking) > 5 else ''}): use `wsis eval --answers`"
        )


def parse_questions(lines: Iterable[str], source: str = "<questions>") -> list[Question]:
    """Questions from JSON Lines text; blank lines are skipped. Errors name the line."""
    questions: list[Question] = []
    seen: set[str] = set()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            question = Question.model_validate(json.loads(line))
        except json.JSONDecodeError as exc:
            raise QuestionSetError(f"{source}:{number}: not valid JSON ({exc.msg})") from exc
        except ValidationError as exc:
            raise QuestionSetError(f"{source}:{number}: {_first_problem(exc)}") from exc
        if question.id in seen:
            raise QuestionSetError(f"{source}:{number}: duplicate question id {question.id!r}")
        seen.add(question.id)
        questions.append(question)
    if not questions:
        raise QuestionSetError(f"{source}: no questions")
    return questions


def load_questions(path: Path) -> list[Question]:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise QuestionSetError(f"{path}: cannot read the question set ({exc.strerror or exc})") from exc
    except UnicodeDecodeError as exc:
        raise QuestionSetError(f"{path}: not UTF-8 text") from exc
    return parse_questions(text.splitlines(), source=str(path))


def write_questions(questions: Iterable[Question], path: Path) -> None:
    lines = (q.model_dump_json(exclude_defaults=False) for q in questions)
    Path(path).write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")


def _first_problem(exc: ValidationError) -> str:
    error = exc.errors()[0]
    where = ".".join(str(part) for part in error["loc"]) or "line"
    return f"{where}: {error['msg']}"
