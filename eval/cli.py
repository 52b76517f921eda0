"""`wsis eval`: score retrieval configurations (or a running service) on a question set."""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from ..core.errors import IndexNotReadyError, WsisError
from ..core.settings import PROJECT_ROOT, get_settings
from ..core.tables import print_note, print_table, tables_json

if TYPE_CHECKING:
    from .harness import Outcome
    from .questions import Question


class StatTest(StrEnum):
    STUDENT = "student"  # paired t-test
    FISHER = "fisher"  # randomisation test


DEFAULT_OUT = PROJECT_ROOT / "var" / "eval"


def evaluate_command(
    question_set: Annotated[
        Path | None,
        typer.Option("--set", help="Question set (JSON Lines, dev.jsonl format). Default: the dev_set setting."),
    ] = None,
    configs: Annotated[
        str | None,
        typer.Option(
            help="Comma-separated configurations: signals joined by '+' (bm25, e5, minilm, bm25+e5), "
            "hybrid and its named variants (bm25+e5-2026-11, hybrid-no-termbase, hybrid-convex, ...; see eval/systems.py). Default: bm25, each encoder, hybrid and its variants. "
            "With --url: the one name to label the service's run."
        ),
    ] = None,
    url: Annotated[str | None, typer.Option(help="Score a running service through GET /search instead.")] = None,
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
    """Score retrieval on a question set: comparison table, breakdowns, significance tests."""
    from .harness import write_trec_files
    from .questions import load_questions
    from .report import all_tables, write_outputs

    console = Console()
    # The progress, the errors and with --json the last message go to stderr: stdout holds
    # the tables (or the JSON) alone.
    stderr = Console(stderr=True)
    names = [name.strip() for name in configs.split(",") if name.strip()] if configs else None
    question_set = question_set or get_settings().dev_set
    try:
        questions = load_questions(question_set)
        if url:
            if trec_run:
                raise WsisError("--trec-run is scored with the local index's texts: use it without --url")
            outcome, mode = _evaluate_service(url, questions, names, k, stderr), f"black-box: {url}"
        else:
            outcome = _evaluate_in_process(questions, names, k, stat_test, trec_run or [], baseline, stderr)
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


def _evaluate_in_process(
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
        retriever = load_retriever(get_settings())
    texts = {p.id: p.text for p in retriever.passages}
    other_runs = [read_trec_run(path, texts, name=path.stem) for path in trec_runs]
    total = len(questions) * len(names or default_configs(retriever))
    with _progress(console) as progress:
        task = progress.add_task("searching", total=total)
        advance = partial(progress.advance, task)
        return evaluate_retriever(retriever, questions, names, k, advance, stat_test.value, other_runs, baseline)


def _evaluate_service(
    url: str, questions: list[Question], names: Sequence[str] | None, k: int, console: Console
) -> Outcome:
    from ..index.api import load_retriever
    from .harness import evaluate_service
    from .relevance import check_snippets

    if names and len(names) > 1:
        raise WsisError("with --url, --configs names the one configuration the service runs")
    # The guard needs the indexed passages; a service on another machine may have none here.
    try:
        check_snippets(questions, (p.text for p in load_retriever(get_settings()).passages))
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
