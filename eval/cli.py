"""`wsis eval`: score retrieval configurations (or a running service) on a question set;
with `--answers`, the extractive answers of /ask on the answer sets."""

from __future__ import annotations

import json
from collections.abc import Sequence
from enum import StrEnum
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from ..core.errors import IndexNotReadyError, WsisError
from ..core.settings import PROJECT_ROOT, Settings, get_settings
from ..core.tables import Table, print_note, print_table, tables_json

if TYPE_CHECKING:
    from .harness import Outcome
    from .questions import Question


class StatTest(StrEnum):
    STUDENT = "student"  # paired t-test
    FISHER = "fisher"  # randomisation test


DEFAULT_OUT = PROJECT_ROOT / "var" / "eval"


def evaluate_command(
    question_sets: Annotated[
        list[Path] | None,
        typer.Option(
            "--set",
            help="Question set (JSON Lines, dev.jsonl format). Default: the dev_set setting; with --answers "
            "(repeatable) the dev set, eval/sets/heldout-wsis.jsonl, answerable-mix.jsonl and unanswerable.jsonl.",
        ),
    ] = None,
    answers: Annotated[
        bool, typer.Option("--answers", help="Score the answers of /ask (citations, language, abstention).")
    ] = False,
    split: Annotated[
        str, typer.Option(help="With --answers: the questions of the dev or test split (eval/splits.py), or all.")
    ] = "test",
    index: Annotated[
        Path | None, typer.Option("--index", help="The index directory to read (default: the index_dir setting).")
    ] = None,
    configs: Annotated[
        str | None,
        typer.Option(
            help="Comma-separated configurations: signals joined by '+' (bm25, e5, minilm, bm25+e5), "
            "hybrid and its named variants (bm25+e5-2026-11, hybrid-no-termbase, hybrid-convex, ...; see eval/systems.py). Default: bm25, each encoder, hybrid and its variants. "
            "With --url: the one name to label the service's run."
        ),
    ] = None,
    url: Annotated[
        str | None, typer.Option(help="Score a running service through GET /search (and POST /ask) instead.")
    ] = None,
    out: Annotated[Path, typer.Option(help="Directory for evaluation.md/.json/.png and TREC files.")] = DEFAULT_OUT,
    k: Annotated[int, typer.Option(min=1, max=100, help="Passages requested per query (metrics use the top 10).")] = 10,
    stat_test: Annotated[
        StatTest, typer.Option(help="Paired significance test between configurations (ranx).")
    ] = StatTest.STUDENT,
    baseline: Annotated[
        str | None,
        typer.Option(help="Configuration the others are compared with (default: the first one listed)."),
    ] = None,
    trec_run: Annotated[
        list[Path] | None,
        typer.Option(help="A TREC run file over this index's passage ids to compare too (repeatable)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the tables as JSON instead.")] = False,
) -> None:
    """Score retrieval on a question set: comparison table, breakdowns, significance tests.
    With --answers: the answers of /ask, by set and slice, and abstention."""
    from .harness import write_trec_files
    from .questions import load_questions
    from .report import all_tables, write_outputs

    console = Console()
    # The progress, the errors and with --json the last message go to stderr: stdout holds
    # the tables (or the JSON) alone.
    stderr = Console(stderr=True)
    settings = get_settings() if index is None else get_settings().model_copy(update={"index_dir": index})
    if answers:
        _evaluate_answers(settings, question_sets, split, url, out, k, as_json, console, stderr)
        return
    names = [name.strip() for name in configs.split(",") if name.strip()] if configs else None
    if question_sets and len(question_sets) > 1:
        stderr.print("[red]error:[/] retrieval is scored on one --set at a time (several go with --answers)")
        raise typer.Exit(2)
    question_set = question_sets[0] if question_sets else settings.dev_set
    try:
        questions = load_questions(question_set)
        if url:
            if trec_run:
                raise WsisError("--trec-run is scored with the local index's texts: use it without --url")
            outcome, mode = _evaluate_service(settings, url, questions, names, k, stderr), f"black-box: {url}"
        else:
            outcome = _evaluate_in_process(settings, questions, names, k, stat_test, trec_run or [], baseline, stderr)
            mode = "in-process"
        heading = f"Retrieval evaluation: {question_set.name} ({mode})"
        context = {"set": str(question_set), "questions": len(questions), "mode": mode, "k": k}
        paths = write_outputs(outcome.evaluation, out, heading, context)
        trec_paths = write_trec_files(outcome, questions, out / "trec")
    except WsisError as exc:
        stderr.print(f"[red]error:[/] {exc}")
        raise typer.Exit(1) from exc
    wrote = f"wrote {', '.join(str(p) for p in paths.values())} and {len(trec_paths)} TREC files in {out / 'trec'}"
    if as_json:
        console.print_json(data=tables_json(all_tables(outcome.evaluation)))
        stderr.print(wrote)
        return
    for table in all_tables(outcome.evaluation):
        print_table(console, table)
    print_note(console, wrote)


def _evaluate_answers(
    settings: Settings,
    question_sets: list[Path] | None,
    split: str,
    url: str | None,
    out: Path,
    k: int,
    as_json: bool,
    console: Console,
    stderr: Console,
) -> None:
    from ..index.api import load_retriever
    from .answers import (
        abstention_table,
        answers_table,
        ask_in_process,
        ask_over_http,
        default_answer_sets,
        judge_sets,
        latency_note,
    )
    from .answers import as_json as answers_json
    from .questions import load_questions
    from .relevance import check_snippets
    from .splits import SPLITS, in_split

    if split not in (*SPLITS, "all"):
        stderr.print(f"[red]error:[/] --split is one of {', '.join(SPLITS)} or all, not {split!r}")
        raise typer.Exit(2)
    chosen = None if split == "all" else split
    paths = question_sets or default_answer_sets(settings)
    try:
        sets = {path.stem: in_split(load_questions(path), chosen) for path in paths}
        everything = [q for questions in sets.values() for q in questions]
        retriever = None
        try:
            with stderr.status("loading the index..."):
                retriever = load_retriever(settings)
            check_snippets(everything, (p.text for p in retriever.passages))
        except IndexNotReadyError:
            if not url:
                raise
            stderr.print("[yellow]no local index: the gold-snippet guard is skipped for this service[/]")
        with _progress(stderr) as progress:
            task = progress.add_task(f"POST {url}/ask" if url else "answering", total=len(everything))
            advance = partial(progress.advance, task)
            asked = {
                name: ask_over_http(url, questions, k, advance)
                if url
                else ask_in_process(retriever, questions, k, advance)
                for name, questions in sets.items()
            }
    except WsisError as exc:
        stderr.print(f"[red]error:[/] {exc}")
        raise typer.Exit(1) from exc
    judged = judge_sets(sets, asked)
    tables = [answers_table(name, chosen, group) for name, group in judged.items()]
    tables.append(abstention_table([j for group in judged.values() for j in group]))
    mode = f"black-box: {url}" if url else f"in-process: {settings.index_dir}"
    note = f"{mode}; {latency_note([j for group in judged.values() for j in group])}"
    out.mkdir(parents=True, exist_ok=True)
    written = out / "answers.json"
    written.write_text(
        json.dumps({"mode": mode, **answers_json(judged, chosen)}, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    (out / "answers.md").write_text(_markdown(tables, note), encoding="utf-8")
    if as_json:
        console.print_json(data=tables_json(tables))
        stderr.print(f"{note}; wrote {written} and {out / 'answers.md'}")
        return
    for table in tables:
        print_table(console, table)
    print_note(console, f"{note}; wrote {written} and {out / 'answers.md'}")


def _markdown(tables: list[Table], note: str) -> str:
    lines = []
    for table in tables:
        lines += [f"## {table.title}", "", "| " + " | ".join(c.name for c in table.columns) + " |"]
        lines.append("|" + "---|" * len(table.columns))
        lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in table.rows]
        lines += ["", table.caption, ""]
    return "\n".join([*lines, note, ""])


def _evaluate_in_process(
    settings: Settings,
    questions: list[Question],
    names: Sequence[str] | None,
    k: int,
    stat_test: StatTest,
    trec_runs: list[Path],
    baseline: str | None,
    console: Console,
) -> Outcome:
    from ..index.api import load_retriever
    from .harness import evaluate_retriever
    from .runs import read_trec_run
    from .systems import default_configs

    with console.status("loading the index..."):
        retriever = load_retriever(settings)
    texts = {p.id: p.text for p in retriever.passages}
    other_runs = [read_trec_run(path, texts, name=path.stem) for path in trec_runs]
    total = len(questions) * len(names or default_configs(retriever))
    with _progress(console) as progress:
        task = progress.add_task("searching", total=total)
        advance = partial(progress.advance, task)
        return evaluate_retriever(retriever, questions, names, k, advance, stat_test.value, other_runs, baseline)


def _evaluate_service(
    settings: Settings, url: str, questions: list[Question], names: Sequence[str] | None, k: int, console: Console
) -> Outcome:
    from ..index.api import load_retriever
    from .harness import evaluate_service
    from .relevance import check_snippets

    if names and len(names) > 1:
        raise WsisError("with --url, --configs names the one configuration the service runs")
    # The guard needs the indexed passages; a service on another machine may have none here.
    try:
        check_snippets(questions, (p.text for p in load_retriever(settings).passages))
    except IndexNotReadyError:
        console.print("[yellow]no local index: the gold-snippet guard is skipped for this service[/]")
    with _progress(console) as progress:
        task = progress.add_task(f"GET {url}/search", total=len(questions))
        return evaluate_service(
            url, questions, names[0] if names else "service", k, advance=partial(progress.advance, task)
        )


def _progress(console: Console) -> Progress:
    return Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=console
    )


def register(app: typer.Typer) -> None:
    """Add this step's commands to `app`."""
    app.command("eval")(evaluate_command)
