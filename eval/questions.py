"""Question sets in the format of ../shared/eval/dev.jsonl (see its README): one JSON object
per line with the query, its language and kind, and the gold evidence as verbatim snippets."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from pydantic import BaseModel, Field, ValidationError

from ..core.errors import WsisError


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
    relevant: list[RelevantItem] = Field(min_length=1)
    answer: str = ""


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
