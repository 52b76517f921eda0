"""`wsis`: the command line. A thin layer: each step's folder registers its own commands."""

from __future__ import annotations

import typer

from wsis_rag.corpus import cli as corpus_cli
from wsis_rag.eval import cli as eval_cli
from wsis_rag.index import cli as index_cli
from wsis_rag.ingest import cli as ingest_cli
from wsis_rag.service import brief_cli
from wsis_rag.service import cli as service_cli

app = typer.Typer(
    name="wsis",
    help="Cited, cross-lingual retrieval over the WSIS corpus.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)

for area in (corpus_cli, ingest_cli, index_cli, service_cli, eval_cli, brief_cli):
    area.register(app)
