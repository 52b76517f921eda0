"""Commands of this step, registered on the `wsis` app by wsis_rag/cli.py."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add this step's commands to `app`."""
