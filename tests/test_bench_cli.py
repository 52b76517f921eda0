"""The benchmarks' one command line: every part the package names is a command of
`wsis bench`, and a bad choice is refused before any cluster or index is touched."""

from __future__ import annotations

import re

import typer
from typer.testing import CliRunner

from wsis_rag.cli.main import app
from wsis_rag.eval import bench
from wsis_rag.eval.bench.cli import bench_app


def test_every_part_the_package_names_is_a_command() -> None:
    named = re.findall(r"^- ([a-z-]+):", bench.__doc__ or "", flags=re.MULTILINE)
    group = typer.main.get_group(bench_app)
    commands = [name for name, command in group.commands.items() if not command.hidden]
    assert len(named) >= 10 and sorted(named) == sorted(commands)


def test_an_unknown_ray_part_is_refused_with_the_known_ones() -> None:
    result = CliRunner().invoke(app, ["bench", "ray", "--parts", "serve,everything"], env={"COLUMNS": "200"})
    assert result.exit_code == 2
    assert "everything" in result.output and "build, synthetic, serve" in result.output
