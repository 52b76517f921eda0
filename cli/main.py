"""`wsis`: the command line. A thin layer: each step and product registers its own commands,
and this root is the one error boundary: a domain error or an operating-system error (disk
full, read-only, permission denied) prints one line naming its cause and exits 1; `--debug`
(or WSIS_DEBUG=1) lets the traceback through."""

from __future__ import annotations

import os
import sys

import typer
from rich.console import Console

from ..core.errors import WsisError
from ..corpus import cli as corpus_cli
from ..eval import cli as eval_cli
from ..eval.bench import cli as bench_cli
from ..index import cli as index_cli
from ..ingest import cli as ingest_cli
from ..products.briefs import cli as briefs_cli
from ..products.compare import cli as compare_cli
from ..products.documents import cli as documents_cli
from ..products.mandates import cli as mandates_cli
from ..service import cli as service_cli

app = typer.Typer(
    name="wsis",
    help="Cited, cross-lingual retrieval over the WSIS corpus.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)

for area in (
    corpus_cli,
    ingest_cli,
    index_cli,
    briefs_cli,
    mandates_cli,
    compare_cli,
    documents_cli,
    service_cli,
    eval_cli,
    bench_cli,
):
    area.register(app)


def describe_os_error(error: OSError) -> str:
    """One line: the path and the cause, as the operating system names it."""
    where = error.filename or ""
    cause = error.strerror or type(error).__name__
    return f"{where}: {cause}" if where else cause


def main() -> None:
    """The `wsis` entry point: run the app behind the error boundary."""
    debug = "--debug" in sys.argv[1:] or os.environ.get("WSIS_DEBUG") == "1"
    if "--debug" in sys.argv:
        sys.argv.remove("--debug")
    try:
        app()
    except (WsisError, OSError) as error:
        if debug:
            raise
        message = describe_os_error(error) if isinstance(error, OSError) else str(error)
        Console(stderr=True).print(f"[red]error:[/] {message}", highlight=False, soft_wrap=True)
        sys.exit(1)
